"""The one contract between specui and an interview engine (builtin, Codex, any command).

specui sends an `EngineRequest`: the protocol's directive for this turn plus everything an
interviewer needs to choose the sharpest next question (transcript, SPEC.md, stack.toml, profile,
brownfield context). The engine answers with an `EngineReply`: one question, its dimension scores,
whole-section SPEC.md patches and the evidence the readiness gates need.

`EngineReply` is also the JSON Schema handed to `codex exec --output-schema`, which reaches the
model as a *strict* structured-output format. Strict mode refuses a schema unless every object
forbids extra keys, lists every property as required (optional ones are unions with null) and
uses only the keywords it supports, so the reply models are written that way: no defaults, no
free-form maps, enums for every closed vocabulary, bounds on scores.
`specui.core.interview.strict_schema` checks the generated schema against those rules.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from specui.core.spec import UNIT_KEYS

CONTRACT_VERSION = 1

Dimension = Literal["intent", "outcome", "scope", "constraints", "success", "context"]
DIMENSIONS: tuple[str, ...] = ("intent", "outcome", "scope", "constraints", "success", "context")

# Literal[...] over the spec table's keys, so the schema's section enum can never drift from it.
SectionKey = Literal[UNIT_KEYS]  # type: ignore[valid-type]

# `final`: the hard cap is reached; process the last answer and ask nothing (question: null).
TurnKind = Literal["overview", "ordinary", "closure", "summary", "validation", "final"]
ChallengeMode = Literal["contrarian", "terminologist", "simplifier", "ontologist"]
GateName = Literal["non_goals", "decision_boundaries", "pressure_pass", "closure_audit"]
QuestionSource = Literal["user", "code", "research"]
ReplyQuestionType = Literal["single-answerable", "multi-answerable", "free-text"]
PressureKind = Literal["evidence", "assumption", "tradeoff"]


# defer_build: validators are built on first use. The workbench imports this module to load the
# session (which holds a few of these models) before the first question is on screen; building
# the request and reply validators there would cost start-up time an engine turn pays later.


class _Input(BaseModel):
    """Models specui writes (requests): lenient on read, so an adapter may add keys."""

    model_config = ConfigDict(extra="ignore", defer_build=True)


class _Strict(BaseModel):
    """Models an engine writes (replies): strict-mode shaped, see the module docstring."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


# --------------------------------------------------------------------------- request


class Directive(_Input):
    """What the protocol requires of this turn. The engine must follow it; specui checks."""

    kind: TurnKind
    round: int = Field(description="interview round (or validation step) this question opens")
    target_dimension: Dimension | None = Field(
        default=None,
        description="the weakest dimension of the current stage by the scores before "
        "last_answer was scored: when your new scores make another one the weakest, target it "
        "(unless keep_target)",
    )
    keep_target: bool = Field(
        default=False,
        description="this round is reserved for target_dimension: a later stage that no round "
        "has reached, which the hard cap would otherwise drop. Ask about it whatever your new "
        "scores say",
    )
    target_section: SectionKey | None = None
    challenge_mode: ChallengeMode | None = None
    gate: GateName | None = Field(
        default=None, description="the unresolved readiness gate this question must address"
    )
    pressure_followup: bool = Field(
        default=False,
        description="revisit an earlier answer with an evidence, assumption or trade-off follow-up",
    )
    pressure_kind: PressureKind | None = Field(
        default=None, description="the kind of pressure follow-up required (reply.pressure.kind)"
    )
    revisit_round: int | None = Field(
        default=None, description="the earlier round the pressure follow-up must revisit"
    )
    require_human_judgment: bool = Field(
        default=False, description="Dialectic Rhythm Guard: the answer must come from the user"
    )
    contradiction: Contradiction | None = Field(
        default=None,
        description="the contradiction the last answer settled: write `contradiction_choice` "
        "everywhere the other statement stood",
    )
    contradiction_choice: str | None = None
    answer_is_deferral: bool = Field(
        default=False,
        description="the last answer deferred the decision: report it in `deferrals` with the "
        "default written into the spec and its rationale; it is not clarity",
    )
    protected_sections: list[SectionKey] = Field(
        default_factory=list,
        description="sections this turn must not patch (final, or owned by specui)",
    )
    default_sections: list[SectionKey] = Field(
        default_factory=list,
        description="the person accepted a recommended default for each of these sections: "
        "patch each so that no placeholder is left, every value you chose marked as a default "
        "with its rationale, and report each in `deferrals`",
    )
    notes: list[str] = Field(default_factory=list)


class TranscriptEntry(_Input):
    round: int
    phase: Literal["interview", "validation"] = "interview"
    kind: str
    dimension: str
    question: str
    options: list[str] = Field(default_factory=list)
    answer: str = Field(description="what the user said or chose, as text")
    answer_payload: dict[str, Any] = Field(default_factory=dict)
    source: QuestionSource = "user"
    deferral: bool = False


class ScoreState(_Input):
    dimension: Dimension
    score: float
    justification: str = ""
    gap: str = ""


class GateState(_Input):
    non_goals: bool = False
    decision_boundaries: bool = False
    pressure_pass: bool = False
    closure_audit: bool = False


class BrownfieldContext(_Input):
    """What specui saw of the repository before the engine reads it itself."""

    manifests: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    docs: list[str] = Field(default_factory=list)
    files_sample: list[str] = Field(default_factory=list)
    snapshot_path: str = ""


class EngineRequest(_Input):
    contract_version: int = CONTRACT_VERSION
    project_dir: str
    directive: Directive
    profile: Literal["quick", "standard", "deep"]
    interview_type: Literal["greenfield", "brownfield"]
    threshold: float
    max_rounds: int
    ambiguity: float
    initial_idea: str = ""
    autoresearch: bool = False
    transcript: list[TranscriptEntry] = Field(default_factory=list)
    last_answer: TranscriptEntry | None = Field(
        default=None,
        description="the answer this turn must process (patch SPEC.md, score); also the last "
        "transcript entry. null when nothing new was answered (first question, validation start)",
    )
    scores: list[ScoreState] = Field(default_factory=list)
    gates: GateState = Field(default_factory=GateState)
    challenge_modes_used: list[ChallengeMode] = Field(default_factory=list)
    spec_md: str = ""
    stack_toml: str = ""
    open_questions: list[str] = Field(default_factory=list)
    brownfield: BrownfieldContext | None = None
    sections: list[SectionInfo] = Field(
        default_factory=list, description="every SPEC.md section key with its title and status"
    )


class SectionInfo(_Input):
    key: SectionKey
    title: str
    status: Literal["unknown", "drafted", "clarified", "final"]


# --------------------------------------------------------------------------- reply


class ReplyOption(_Strict):
    label: str
    value: str
    description: str
    recommended: bool


class ReplyQuestion(_Strict):
    """Seed 004's payload; `free-text` means no options (the user types the answer)."""

    question: str
    type: ReplyQuestionType
    options: list[ReplyOption] = Field(max_length=9)
    allow_other: bool
    header: str | None
    dimension: Dimension | None = Field(
        description="the dimension this question clarifies, shown as the screen's target: the "
        "directive's target_dimension unless the question serves another (a pressure "
        "follow-up, a challenge mode, a gate); null for a closure or validation question"
    )


class DimensionScore(_Strict):
    dimension: Dimension
    score: float = Field(ge=0.0, le=1.0)
    justification: str
    gap: str


class SectionPatch(_Strict):
    """A whole section's new body (Markdown under its heading, without the heading line)."""

    section: SectionKey
    body: str


class StackChange(_Strict):
    """Set `key` in `table` of stack.toml (dotted table names, e.g. "backend" or "tool.x")."""

    table: str
    key: str
    value: str | float | bool | list[str]


class GateEvidence(_Strict):
    gate: GateName
    round: int = Field(description="the round whose answer made the gate explicit")
    note: str


class PressureRevisit(_Strict):
    revisits_round: int = Field(description="the earlier round this question revisits")
    kind: PressureKind


class Deferral(_Strict):
    """The user deferred ("decide for me", "no preference"): the default chosen and why."""

    section: SectionKey
    topic: str
    default: str
    rationale: str


class Contradiction(_Strict):
    topic: str
    statement_a: str
    where_a: str = Field(description="e.g. 'round 3' or a section key")
    statement_b: str = Field(
        description="the later statement (kept when the user leaves the choice to specui)"
    )
    where_b: str


class ContextFinding(_Strict):
    """A fact about the repository; `evidence` when read in a file, `inference` otherwise."""

    path: str
    finding: str
    basis: Literal["evidence", "inference"]
    touchpoint: bool = Field(description="the change will touch this path")


class TermEntry(_Strict):
    term: str
    meaning: str
    conflict: str | None


class EngineReply(_Strict):
    question: ReplyQuestion | None = Field(
        description="the next question; null only when ready_to_crystallize is true"
    )
    why: str = Field(description="one line for the screen: why this question now")
    source: QuestionSource
    scores: list[DimensionScore]
    patches: list[SectionPatch]
    stack_changes: list[StackChange]
    open_questions_added: list[str]
    open_questions_resolved: list[str]
    gate_evidence: list[GateEvidence]
    pressure: PressureRevisit | None
    deferrals: list[Deferral]
    contradictions: list[Contradiction]
    context_findings: list[ContextFinding]
    terminology: list[TermEntry]
    ready_to_crystallize: bool = Field(
        description="closure audit: no further question would change execution materially"
    )


Directive.model_rebuild()
EngineRequest.model_rebuild()


class ReplyInvalid(ValueError):
    """A reply that does not satisfy the contract; the message is fed back to the engine."""


def _first_errors(exc: ValidationError, limit: int = 5) -> str:
    parts = []
    for err in exc.errors()[:limit]:
        loc = ".".join(str(p) for p in err.get("loc", ()))
        parts.append(f"{loc or '(root)'}: {err.get('msg', 'invalid')}")
    more = len(exc.errors()) - limit
    if more > 0:
        parts.append(f"… and {more} more")
    return "; ".join(parts)


def parse_reply(text: str | bytes) -> EngineReply:
    """Validate raw engine output (JSON text) as an EngineReply; ReplyInvalid says why."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise ReplyInvalid("the reply is not UTF-8 text") from None
    stripped = text.strip()
    if not stripped:
        raise ReplyInvalid("the reply is empty")
    try:
        data = json.loads(stripped)
    except json.JSONDecodeError as exc:
        raise ReplyInvalid(
            f"the reply is not valid JSON ({exc.msg} at line {exc.lineno})"
        ) from None
    except RecursionError:
        raise ReplyInvalid("the reply nests too deeply") from None
    if not isinstance(data, dict):
        raise ReplyInvalid("the reply must be a JSON object")
    try:
        reply = EngineReply.model_validate(data)
    except ValidationError as exc:
        raise ReplyInvalid(_first_errors(exc)) from None
    check_reply_shape(reply)
    return reply


def check_reply_shape(reply: EngineReply) -> None:
    """Rules a schema cannot express but that need no conversation state."""
    q = reply.question
    if q is not None:
        if not q.question.strip():
            raise ReplyInvalid("question.question must not be empty")
        if q.type == "free-text" and q.options:
            raise ReplyInvalid("question.options must be empty for a free-text question")
        if q.type != "free-text" and len(q.options) < 2 and not q.allow_other:
            raise ReplyInvalid("question.options needs at least 2 options (or allow_other)")
        values = [o.value.strip() for o in q.options]
        if any(not v for v in values) or any(not o.label.strip() for o in q.options):
            raise ReplyInvalid("question.options: labels and values must not be empty")
        if len(set(values)) != len(values):
            raise ReplyInvalid("question.options: values must be unique")
        if q.type == "single-answerable" and sum(o.recommended for o in q.options) > 1:
            raise ReplyInvalid("question.options: at most one option may be recommended")
    dims = [s.dimension for s in reply.scores]
    if len(set(dims)) != len(dims):
        raise ReplyInvalid("scores: each dimension at most once")
    sections = [p.section for p in reply.patches]
    if len(set(sections)) != len(sections):
        raise ReplyInvalid("patches: each section at most once")


def reply_json_schema() -> dict[str, Any]:
    """The JSON Schema of EngineReply, as handed to `codex exec --output-schema`."""
    return EngineReply.model_json_schema()


def request_json_schema() -> dict[str, Any]:
    return EngineRequest.model_json_schema()
