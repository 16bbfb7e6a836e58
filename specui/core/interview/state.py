"""The typed state of one deep interview (seeds 000 and 004), persisted in the session store.

Everything the protocol needs to decide a turn lives here as named, typed fields: the rounds and
what each one was (gate, pressure revisit, challenge mode, source), the readiness gates with the
round that made each explicit, deferrals, contradictions, context findings, the prompt-safe
summary status, the phase (interview -> validation -> finalize -> done) and why it ended. Engines
keep nothing of their own here except `engine_session` (e.g. the Codex thread to resume).

`specui.core.interview.policy` reads and returns these models; it never does I/O.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from specui.core.ambiguity import ambiguity, weights_for
from specui.core.interview.contract import (
    BrownfieldContext,
    ChallengeMode,
    ContextFinding,
    Directive,
    GateName,
    PressureKind,
    QuestionSource,
    TermEntry,
)
from specui.core.questions import Answer, Question

InterviewStatus = Literal["not_started", "active", "crystallized", "exited"]
Phase = Literal["interview", "validation", "finalize", "done"]
EndReason = Literal["threshold", "early_exit", "hard_cap", "validation_cap"]
EngineStatus = Literal["idle", "thinking", "error"]
SummaryStatus = Literal["not_needed", "needed", "recorded"]
Stage = Literal["intent-first", "feasibility", "brownfield-grounding"]

# The gates seed 004 requires before crystallizing, in the order a closure question names them.
READINESS_GATES: tuple[GateName, ...] = ("non_goals", "decision_boundaries", "pressure_pass")


def _now() -> datetime:
    return datetime.now(UTC)


class _Model(BaseModel):
    # Unknown keys are ignored so that a same-version file with an extra field still loads.
    model_config = ConfigDict(extra="ignore")


class DimensionScore(_Model):
    score: float = 0.0
    justification: str = ""
    gap: str = ""


class Gates(_Model):
    non_goals: bool = False
    decision_boundaries: bool = False
    pressure_pass: bool = False
    closure_audit: bool = False


class GateRecord(_Model):
    """Which round made a gate explicit, and the note the engine gave as evidence."""

    gate: GateName
    round: int
    note: str = ""


class PressureRecord(_Model):
    """A pressure follow-up: asked in `round`, revisiting the answer of `revisits_round`."""

    round: int
    revisits_round: int
    kind: PressureKind


class DeferralRecord(_Model):
    """The user deferred a decision: the default specui wrote into the spec, and why.
    `accepted`: one of the recommended defaults the person accepted for a whole section at the
    validation pass (`round` is then that validation step)."""

    round: int
    section: str
    topic: str
    default: str
    rationale: str
    accepted: bool = False


class ContradictionRecord(_Model):
    """Two statements that cannot both hold. `open` until the user picks a side."""

    found_round: int
    topic: str
    statement_a: str
    where_a: str
    statement_b: str
    where_b: str
    status: Literal["open", "asked", "resolved"] = "open"
    chosen: str | None = None
    resolved_round: int | None = None
    kept_both: bool = False  # the user said both hold: nothing is rewritten


class FindingRecord(_Model):
    round: int
    finding: ContextFinding


class TermRecord(_Model):
    round: int
    term: TermEntry


class PendingQuestion(_Model):
    """The question on screen now and the directive it answers.

    `kind`: overview | ordinary | closure | summary | validation | contradiction | finalize.
    `origin` says who wrote the question: the engine, or specui itself (the summary request,
    a contradiction to settle, the final confirmation).
    """

    question: Question
    round: int  # interview round, or the step number within the validation pass
    dimension: str
    kind: str = "ordinary"
    target_units: list[str] = Field(default_factory=list)
    note: str = ""  # warnings shown above the question
    phase: Literal["interview", "validation"] = "interview"
    origin: Literal["engine", "specui"] = "engine"
    source: QuestionSource = "user"
    why: str = ""
    directive: Directive | None = None
    challenge_mode: ChallengeMode | None = None
    gate: GateName | None = None
    pressure: PressureRecord | None = None
    contradiction: int | None = Field(
        default=None, description="index into InterviewState.contradictions this question settles"
    )


class Round(_Model):
    n: int
    dimension: str
    kind: str
    question: Question
    answer: Answer
    phase: Literal["interview", "validation"] = "interview"
    at: datetime = Field(default_factory=_now)
    scores: dict[str, float] = Field(default_factory=dict)
    ambiguity: float = 1.0
    source: QuestionSource = "user"
    origin: Literal["engine", "specui"] = "engine"
    challenge_mode: ChallengeMode | None = None
    gate: GateName | None = None
    pressure: PressureRecord | None = None
    deferral: bool = False


class EngineSession(_Model):
    """What an engine keeps between rounds, e.g. the Codex thread later rounds resume."""

    engine: str = ""
    thread_id: str | None = None


class EngineState(_Model):
    """What the UI shows while an engine works, and the one error when it failed."""

    status: EngineStatus = "idle"
    name: str = ""
    started_at: datetime | None = None
    activity: list[str] = Field(default_factory=list)  # the last few lines, newest last
    error: str | None = None
    pending_answer: Answer | None = None  # the answer the engine is (or was) working on
    # The process running the round (pid, start time, boot id): a round left "thinking" by a
    # process that is gone is run again; one a live process works on is left to it.
    owner_pid: int | None = None
    owner_start: int | None = None
    owner_boot: str | None = None


class RefinePass(_Model):
    """A refinement pass: the interview re-entered after it had ended (seed 004's "Refine
    further": the existing transcript, snapshot and spec draft, questioned again on the
    highest-leverage remaining uncertainty). It has its own hard cap of `rounds` rounds."""

    from_round: int  # interview rounds answered when the pass began
    from_index: int  # len(InterviewState.rounds) then (earlier validation steps come before)
    rounds: int  # the rounds this pass may add: the profile's cap
    ended: EndReason  # how the interview had ended before this pass
    residual_risk: str | None = None  # the residual risk it had ended with
    at: datetime = Field(default_factory=_now)


class AnswerDraft(_Model):
    """What the user ticked or typed for the pending question and has not submitted yet: the
    workbench saves it as it changes and restores it when reopened on the same question."""

    key: str  # names the pending question (the workbench's draft_key)
    chosen: list[int] = Field(default_factory=list)  # ticked options (multi-answerable)
    highlighted: int | None = None
    other: bool = False  # the Other input was open
    text: str = ""  # the Other input's or the free-text box's text


def draft_of(question: Question, answer: Answer, key: str) -> AnswerDraft:
    """`answer` to `question` as the picker holds it: an answer kept after a failed round
    comes back into the answer widgets, so a retry sends what is on screen."""
    if question.is_free_text:
        return AnswerDraft(key=key, text=answer.summary())
    index = {o.value: i for i, o in enumerate(question.options)}
    other = len(question.options)
    typed = answer.other_text if answer.other_text is not None else (
        answer.value if answer.kind == "other" and isinstance(answer.value, str) else None)
    if question.multi_select:
        chosen = sorted({index[v] for v in answer.selected_values if v in index})
        if typed is not None:
            chosen.append(other)
        return AnswerDraft(key=key, chosen=chosen, other=typed is not None, text=typed or "")
    if typed is not None:
        return AnswerDraft(key=key, highlighted=other, other=True, text=typed)
    value = answer.value if isinstance(answer.value, str) else ""
    return AnswerDraft(key=key, highlighted=index.get(value))


class InterviewState(_Model):
    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    profile: str = "standard"
    type: Literal["greenfield", "brownfield"] = "greenfield"
    threshold: float = 0.20
    max_rounds: int = 12
    initial_idea: str = ""
    slug: str = ""
    status: InterviewStatus = "not_started"
    phase: Phase = "interview"
    end_reason: EndReason | None = None
    finished: bool = False  # seed 000's finish: every section final, 100%, recap shown
    finish_message: str = ""
    residual_risk: str | None = None
    stage: Stage = "intent-first"
    rounds: list[Round] = Field(default_factory=list)
    current: PendingQuestion | None = None
    dimensions: dict[str, DimensionScore] = Field(default_factory=dict)
    ambiguity: float = 1.0
    gates: Gates = Field(default_factory=Gates)
    gate_evidence: list[GateRecord] = Field(default_factory=list)
    gate_asked: dict[str, list[int]] = Field(default_factory=dict)
    pressure: list[PressureRecord] = Field(default_factory=list)
    challenge_modes_used: list[str] = Field(default_factory=list)
    challenge_modes_enabled: bool = True  # [omx.deepInterview] enableChallengeModes
    autoresearch: bool = False  # seed 004's --autoresearch specialization
    brownfield: BrownfieldContext | None = None  # what specui saw of the repository at start
    summary_status: SummaryStatus = "not_needed"
    summary: str = ""
    deferrals: list[DeferralRecord] = Field(default_factory=list)
    contradictions: list[ContradictionRecord] = Field(default_factory=list)
    findings: list[FindingRecord] = Field(default_factory=list)
    terminology: list[TermRecord] = Field(default_factory=list)
    notice: str = ""  # one line for the screen about the last answer (e.g. the default chosen)
    warnings: list[str] = Field(default_factory=list)
    artifacts: dict[str, str] = Field(default_factory=dict)
    engine: EngineState = Field(default_factory=EngineState)
    engine_session: EngineSession = Field(default_factory=EngineSession)
    draft: AnswerDraft | None = None  # the workbench's unsubmitted answer
    refinements: list[RefinePass] = Field(default_factory=list)  # "Refine further" passes

    # ------------------------------------------------------------------ derived
    def interview_rounds(self) -> list[Round]:
        return [r for r in self.rounds if r.phase == "interview"]

    @property
    def rounds_done(self) -> int:
        """Interview rounds answered (validation steps never count toward the cap)."""
        return sum(1 for r in self.rounds if r.phase == "interview")

    @property
    def validation_steps(self) -> int:
        return sum(1 for r in self.rounds if r.phase == "validation")

    @property
    def pass_start(self) -> int:
        """Interview rounds answered before the current pass (0: the first pass)."""
        return self.refinements[-1].from_round if self.refinements else 0

    @property
    def pass_validation_steps(self) -> int:
        """Validation steps of the current pass (a refinement pass validates again)."""
        start = self.refinements[-1].from_index if self.refinements else 0
        return sum(1 for r in self.rounds[start:] if r.phase == "validation")

    def scores(self) -> dict[str, float]:
        return {k: v.score for k, v in self.dimensions.items()}

    def computed_ambiguity(self) -> float:
        """specui's ambiguity from the dimension scores (seed 004 weights), never the model's."""
        return ambiguity(self.scores(), self.type)

    def dimension_keys(self) -> tuple[str, ...]:
        return tuple(weights_for(self.type))

    def open_gates(self) -> list[GateName]:
        return [g for g in READINESS_GATES if not getattr(self.gates, g)]

    def open_contradictions(self) -> list[int]:
        return [i for i, c in enumerate(self.contradictions) if c.status != "resolved"]

    def assumption_probe_round(self) -> int | None:
        """The first explicit assumption probe: a pressure follow-up of kind `assumption`, or
        the Contrarian challenge (which challenges the core assumptions)."""
        rounds = [p.round for p in self.pressure if p.kind == "assumption"]
        rounds += [r.n for r in self.interview_rounds() if r.challenge_mode == "contrarian"]
        answered = {r.n for r in self.interview_rounds()}
        done = [n for n in rounds if n in answered]
        return min(done) if done else None

    def persistent_followup_round(self) -> int | None:
        """One persistent follow-up after the assumption probe: a later pressure round that
        stays on the thread (revisits the round just before it)."""
        probe = self.assumption_probe_round()
        if probe is None:
            return None
        answered = {r.n for r in self.interview_rounds()}
        later = [
            p.round
            for p in self.pressure
            if p.round > probe and p.revisits_round == p.round - 1 and p.round in answered
        ]
        return min(later) if later else None
