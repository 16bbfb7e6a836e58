"""The deep-interview protocol as pure decisions (seed 004 §2–4, seed 000 §4 and §8).

Every engine shares these rules; an engine only writes questions, scores and section text.

A turn goes:
1. `decide(state, spec)` — what the next question must be: a `Directive` for the engine, a
   question specui writes itself (`SpecuiAsk`: the summary request, a contradiction to settle,
   the final confirmation), or the end (`End`).
2. The engine replies; `check_reply(state, directive, reply, spec)` lists every conversation rule
   the reply breaks (fed back for the one retry).
3. `apply_reply(state, directive, reply, spec, today)` records the answered round, scores, gates,
   deferrals, contradictions and findings, and returns the SPEC.md unit changes.
4. `settle(state, directive, reply, spec)` — with the new scores and the patched SPEC.md — decides
   what goes on screen: the engine's question, a question specui must ask first (a contradiction),
   or crystallizing (threshold, hard cap) / the finalize confirmation.

`SpecView` is the part of SPEC.md the policy needs (unit bodies, statuses, open questions), so
the policy never reads a file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from specui.core.ambiguity import DIMENSION_TITLES, ambiguity, ambiguity_percent
from specui.core.ansi import has_controls
from specui.core.errors import SpecuiError
from specui.core.interview.contract import (
    ChallengeMode,
    Contradiction,
    Directive,
    EngineReply,
    GateName,
    PressureKind,
    ReplyQuestion,
)
from specui.core.interview.state import (
    ContradictionRecord,
    DeferralRecord,
    DimensionScore,
    EndReason,
    FindingRecord,
    GateRecord,
    InterviewState,
    PendingQuestion,
    PressureRecord,
    RefinePass,
    Round,
    Stage,
    TermRecord,
)
from specui.core.open_questions import (
    add_open_question,
    parse_open_questions,
    resolve_open_question,
)
from specui.core.progress import progress_line
from specui.core.questions import Answer, Question, QuestionOption, other_answer
from specui.core.spec import (
    SECTION_BY_KEY,
    UNIT_KEYS,
    UNIT_SECTION,
    UNIT_TITLES,
    find_item,
    first_placeholder,
    item_answered,
    norm_label,
    parse_items,
    placeholder_status,
    set_item,
)

STAGES: dict[Stage, tuple[str, ...]] = {
    "intent-first": ("intent", "outcome", "scope"),
    "feasibility": ("constraints", "success"),
    "brownfield-grounding": ("context",),
}
STAGE_DONE = 0.6  # a stage is left once each of its dimensions scores at least this
# Intent-first is left later: its dimensions carry most of the weight (0.75 greenfield, 0.65
# brownfield), so leaving them at STAGE_DONE would chase light dimensions while heavy gaps stay.
STAGE_EXIT: dict[str, float] = {"intent-first": 0.8}
# A later stage this clear without a round of its own needs none (policy.reserved_stage):
# "clear enough to leave" (STAGE_DONE) is too low there, since a brownfield context scores
# 0.6 from the scan and the overview alone, before anyone confirmed a touched file.
RESERVE_CLEAR = 0.8
EARLY_EXIT_ROUND = 4  # seed 004 §2f: "Round 4+: allow explicit early exit with risk warning"
# A pass of at most this many rounds (the quick profile) asks no persistent follow-up: that
# second pressure step only unlocks early exit, which could save one round of five, while the
# round it takes is the one left for the weakest dimension.
SHORT_PASS = 5
CLOSURE_ONLY = 0.10  # seed 004 §2c: at or below, only a final closure question is allowed
GATE_REVISIT_EVERY = 3  # an unresolved gate is asked again this many rounds after the last ask
RHYTHM_LIMIT = 3  # seed 004 §2f Dialectic Rhythm Guard
ONTOLOGIST_AMBIGUITY = 0.25
SUMMARY_LIMIT_CHARS = 24_000  # initial context larger than this needs a prompt-safe summary
VALIDATION_CAP = 2 * len(UNIT_KEYS)
# Sections specui maintains itself from structured reply fields.
OWNED_SECTIONS: tuple[str, ...] = ("open_questions",)
_DEFERRAL_RE = re.compile(
    r"\b(decide for me|you decide|up to you|no preference|(i )?(don'?t|do not) know|not sure|"
    r"no idea|whatever you (think|prefer)|your call|pick (one|for me)|use the default)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class SpecView:
    """What the policy needs of SPEC.md: unit bodies, statuses and outstanding open questions."""

    bodies: Mapping[str, str | None]
    statuses: Mapping[str, str]
    sources: str = ""  # other text the user gave or confirmed (stack.toml)

    @property
    def outstanding(self) -> list[str]:
        return parse_open_questions(self.bodies.get("open_questions")).outstanding

    def below_clarified(self) -> list[str]:
        return [k for k in UNIT_KEYS if self.statuses.get(k, "unknown") in ("unknown", "drafted")]


@dataclass(frozen=True)
class SpecuiAsk:
    """A question specui writes itself (no engine call)."""

    pending: PendingQuestion


@dataclass(frozen=True)
class End:
    reason: EndReason


@dataclass(frozen=True)
class Finalize:
    """Every section is at least clarified and nothing critical is open: ask to finalize."""


Decision = Directive | SpecuiAsk | End | Finalize


# --------------------------------------------------------------------------- small rules


def is_deferral(text: str) -> bool:
    """ "Decide for me", "no preference", "I don't know": the user handed the decision back."""
    return bool(_DEFERRAL_RE.search(text or ""))


_KEPT_ASIDE = " is final, so this answer was not written there: "
_KEPT_ASIDE_RE = re.compile(r"^(.+?)" + re.escape(_KEPT_ASIDE))


def kept_aside_question(section_title: str, label: str, text: str) -> str:
    """The Open Question that keeps an answer a final section may not take: the user
    confirmed that section's text, so it changes only when they un-finalize it (`f`)."""
    return f"{section_title}{_KEPT_ASIDE}{label} → “{text}” (un-finalize it with f to add it)"


def answer_defers(answer: Answer) -> bool:
    """The answer hands the decision back. A multi-select answer does only when every part
    defers: options ticked together with "Decide for me" are the user's choice (only the
    rest is left to a default)."""
    text = answer.summary()
    if answer.kind != "multi":
        return is_deferral(text)
    parts = [p for p in text.split("; ") if p.strip()]
    return bool(parts) and all(is_deferral(p) for p in parts)


def stage_of(scores: Mapping[str, float], kind: str) -> Stage:
    """Seed 004 stage priority: intent-first, then feasibility, then brownfield grounding."""
    for stage, dims in STAGES.items():
        if stage == "brownfield-grounding" and kind != "brownfield":
            continue
        if any(scores.get(d, 0.0) < STAGE_EXIT.get(stage, STAGE_DONE) for d in dims):
            return stage
    return "brownfield-grounding" if kind == "brownfield" else "feasibility"


def weakest_dimension(scores: Mapping[str, float], kind: str) -> str:
    """The lowest-scoring dimension of the current stage (ties: the stage's order). An engine
    calls this with the scores it just gave the last answer: the directive's target was
    computed before that answer was scored."""
    return _weakest_of(STAGES[stage_of(scores, kind)], scores)


def _weakest_of(dims: tuple[str, ...], scores: Mapping[str, float]) -> str:
    """The lowest-scoring of `dims` (ties: their order)."""
    return min(dims, key=lambda d: (scores.get(d, 0.0), dims.index(d)))


def reserved_stage(state: InterviewState) -> Stage | None:
    """Stage priority under a finite cap: past the pass's midpoint, a later stage that no
    ordinary round has reached yet (feasibility, then brownfield grounding) takes the next
    ordinary round, so the hard cap never drops a stage unasked. Before the midpoint, and once
    every later stage had its round or is clear, stage priority alone decides. A short pass
    (the quick profile) has no round to spare: its one free round goes to the weakest
    dimension of the current stage. At most one plain round past the midpoint per later stage
    is reserved: an engine with nothing to ask there asks something else, and the challenge
    modes the reserve holds back must not wait for ever."""
    start = state.pass_start
    n = state.rounds_done + 1
    half = midpoint(state.max_rounds - start)
    if short_pass(state) or n - start <= half:
        return None
    order = [s for s in STAGES if s != "brownfield-grounding" or state.type == "brownfield"]
    plain = [
        r
        for r in state.interview_rounds()[start:]
        if r.kind == "ordinary" and r.gate is None and r.pressure is None and not r.challenge_mode
    ]
    if sum(1 for r in plain if r.n - start > half) >= len(order) - 1:
        return None
    scores = state.scores()
    current = stage_of(scores, state.type)
    reached = {r.dimension for r in plain}
    for stage in order[order.index(current) + 1 :]:
        dims = STAGES[stage]
        if all(scores.get(d, 0.0) >= RESERVE_CLEAR for d in dims) or reached & set(dims):
            continue
        return stage
    return None


def current_stage(state: InterviewState) -> Stage:
    return reserved_stage(state) or stage_of(state.scores(), state.type)


def target_dimension(state: InterviewState) -> str:
    reserved = reserved_stage(state)
    if reserved is None:
        return weakest_dimension(state.scores(), state.type)
    return _weakest_of(STAGES[reserved], state.scores())


def rhythm_streak(state: InterviewState) -> int:
    """Consecutive latest interview rounds that were not direct human judgment: questions
    grounded in code or research ([from-code], [from-research]), whose answers confirm what
    was found rather than decide."""
    n = 0
    for r in reversed(state.interview_rounds()):
        if r.source == "user":
            break
        n += 1
    return n


def midpoint(max_rounds: int) -> int:
    return (max_rounds + 1) // 2


def current_round(state: InterviewState) -> int:
    """The round on screen ("Round 6"), else the last interview round answered (0 before the
    first); never counts the validation pass, so it stays <= max_rounds. `round` in every
    JSON the CLI prints; the count answered is `rounds_done`."""
    if state.current is not None and state.current.phase == "interview":
        return state.current.round
    return state.rounds_done


def validation_step(state: InterviewState) -> int:
    """0 until the interview crystallizes; then the validation pass's current/last step."""
    if state.current is not None and state.current.phase == "validation":
        return state.current.round
    return state.validation_steps


def can_exit_early(state: InterviewState) -> bool:
    """Seed 004 §2f: from round 4, and only after the first explicit assumption probe and one
    persistent follow-up have been answered."""
    if state.status != "active" or state.phase != "interview" or state.current is None:
        return False
    if state.current.phase != "interview" or state.current.round < EARLY_EXIT_ROUND:
        return False
    return state.persistent_followup_round() is not None


def exit_blocker(state: InterviewState) -> str | None:
    """Why early exit is not offered yet (None when it is)."""
    if can_exit_early(state):
        return None
    if state.status != "active" or state.phase != "interview":
        return "the interview is not in its question rounds"
    if current_round(state) < EARLY_EXIT_ROUND:
        return f"early exit is offered from round {EARLY_EXIT_ROUND}"
    if state.assumption_probe_round() is None:
        return "early exit is offered after the first assumption probe"
    if short_pass(state):
        return (
            f"early exit needs a persistent follow-up, which a pass of {SHORT_PASS} rounds "
            f"leaves out; it ends at round {state.max_rounds} at the latest"
        )
    return "early exit is offered after one persistent follow-up"


# Seed 004's readiness gate in the ambiguity table's words. The closure audit is one of them:
# it passes only when the interview crystallizes at the threshold.
GATE_TITLES: dict[GateName, str] = {
    "non_goals": "Non-goals",
    "decision_boundaries": "Decision Boundaries",
    "pressure_pass": "Pressure pass",
    "closure_audit": "Closure audit",
}


def unmet_gates(state: InterviewState) -> list[str]:
    """The readiness gates not met, as the early-exit dialog, the residual risk (SPEC.md,
    .omx, `specui status`) and the ambiguity table name them."""
    return [title for gate, title in GATE_TITLES.items() if not getattr(state.gates, gate)]


def _risk_details(state: InterviewState) -> list[str]:
    """What is still open, the same sentences before an early exit and in the residual risk."""
    parts = []
    gates = unmet_gates(state)
    if gates:
        parts.append("Readiness gates not met: " + ", ".join(gates) + ".")
    weak = [
        DIMENSION_TITLES[d]
        for d in state.dimension_keys()
        if state.dimensions.get(d, DimensionScore()).score < STAGE_DONE
    ]
    if weak:
        parts.append("Least clear: " + ", ".join(weak) + ".")
    open_c = [state.contradictions[i].topic for i in state.open_contradictions()]
    if open_c:
        parts.append("Unsettled contradictions: " + "; ".join(open_c) + ".")
    return parts


def residual_risk_text(state: InterviewState, reason: EndReason) -> str:
    amb = ambiguity_percent(state.ambiguity)
    thr = ambiguity_percent(state.threshold)
    n = state.rounds_done
    cap = f"the hard cap of {state.max_rounds} rounds"
    if state.refinements:
        cap += f" (refinement pass {len(state.refinements)}: {state.refinements[-1].rounds} more)"
    what = {
        "early_exit": f"The interview was ended early by the user after round {n}",
        "hard_cap": f"The interview stopped at {cap}",
        "validation_cap": "The validation pass ended with sections still below clarified",
        "threshold": "The interview crystallized",
    }[reason]
    parts = [f"{what} with ambiguity {amb}% (threshold {thr}%)."]
    if reason == "hard_cap":
        parts.append(_rounds_spent(state))
    return " ".join(parts + _risk_details(state))


def _rounds_spent(state: InterviewState) -> str:
    """What the capped pass's rounds went to: the cap is reached above the threshold when the
    protocol's fixed rounds (overview, readiness gates) leave few for the weakest dimensions."""
    rounds = [r for r in state.interview_rounds() if r.n > state.pass_start]
    fixed = {"overview": 0, "gates": 0}
    for r in rounds:
        if r.kind in ("overview", "summary"):
            fixed["overview"] += 1
        elif r.gate in ("non_goals", "decision_boundaries") or r.pressure is not None:
            fixed["gates"] += 1
    rest = len(rounds) - fixed["overview"] - fixed["gates"]
    spent = []
    if fixed["overview"]:
        spent.append(f"{fixed['overview']} to the overview")
    if fixed["gates"]:
        asked = ", ".join(
            GATE_TITLES[g] for g in ("non_goals", "pressure_pass", "decision_boundaries")
        )
        spent.append(f"{fixed['gates']} to the readiness gates ({asked})")
    spent.append(f"{rest} to the least clear dimensions")
    return f"Of its {len(rounds)} rounds, " + ", ".join(spent) + "."


EXIT_CONSEQUENCE = (
    "Exiting now writes the spec and transcript with this residual-risk warning (in Risks, "
    "Assumptions & Trade-offs); anything still ambiguous will be decided by whoever implements it."
)


def exit_warning(state: InterviewState) -> str:
    """Seed 004 §2f's risk warning, asked before an early exit: what the residual risk will
    say is open, in its words."""
    amb = ambiguity_percent(state.ambiguity)
    thr = ambiguity_percent(state.threshold)
    return " ".join(
        [
            f"Ambiguity is {amb}% against a threshold of {thr}%.",
            *_risk_details(state),
            EXIT_CONSEQUENCE,
        ]
    )


def section_tally(statuses: Mapping[str, str]) -> str:
    """`3 final · 5 clarified · 6 drafted · 4 unknown` over the tracked units."""
    counts = {s: 0 for s in ("final", "clarified", "drafted", "unknown")}
    for key in UNIT_KEYS:
        counts[statuses.get(key, "unknown")] = counts.get(statuses.get(key, "unknown"), 0) + 1
    return " · ".join(f"{counts[s]} {s}" for s in ("final", "clarified", "drafted", "unknown"))


def oversized(initial_context: str) -> bool:
    return len(initial_context) > SUMMARY_LIMIT_CHARS


# --------------------------------------------------------------------------- decide


def _challenge(state: InterviewState, n: int) -> ChallengeMode | None:
    """The first challenge mode whose seed-004 trigger holds and that was not used yet.
    Never two challenge rounds in a row: breadth without pressure is not progress, but
    pressure without answers is not either."""
    if not state.challenge_modes_enabled or short_pass(state):
        return None
    if state.rounds and state.rounds[-1].challenge_mode is not None:
        return None
    used = set(state.challenge_modes_used)
    last = state.interview_rounds()[-1] if state.interview_rounds() else None
    untested = last is not None and last.deferral
    if "contrarian" not in used and (n >= 2 or untested):
        return "contrarian"
    fuzzy = any(t.term.conflict for t in state.terminology)
    if "terminologist" not in used and state.type == "brownfield" and fuzzy:
        return "terminologist"
    if "simplifier" not in used and (n >= 4 or _scope_outgrows_outcome(state)):
        return "simplifier"
    if "ontologist" not in used and n >= 5 and state.computed_ambiguity() > ONTOLOGIST_AMBIGUITY:
        return "ontologist"
    return None


def _scope_outgrows_outcome(state: InterviewState) -> bool:
    """Scope expanding faster than outcome clarity: the last round did not raise the outcome
    score and scope is already clearer than outcome by more than 0.3."""
    rounds = state.interview_rounds()
    if len(rounds) < 2:
        return False
    before, after = rounds[-2].scores.get("outcome", 0.0), rounds[-1].scores.get("outcome", 0.0)
    return after <= before and rounds[-1].scores.get("scope", 0.0) > after + 0.3


def _gate_to_ask(state: InterviewState, n: int, *, revisit: bool) -> GateName | None:
    """Non-goals and decision boundaries are asked early (a gate never asked comes first) and
    revisited every GATE_REVISIT_EVERY rounds until explicit (`revisit`)."""
    gates: tuple[GateName, ...] = ("non_goals", "decision_boundaries")
    for gate in gates:
        if not getattr(state.gates, gate) and not state.gate_asked.get(gate):
            return gate
    if not revisit:
        return None
    for gate in gates:
        asked = state.gate_asked.get(gate, [])
        if not getattr(state.gates, gate) and n - max(asked) >= GATE_REVISIT_EVERY:
            return gate
    return None


def _pressure(state: InterviewState, n: int) -> tuple[PressureKind, int | None] | None:
    """The pressure ladder: the first assumption probe (of any earlier answer: the engine picks
    the claim with the most leverage), then one persistent follow-up on the same thread
    (revisiting the round just before, which the directive pins)."""
    rounds = state.interview_rounds()
    if n < 3 or not rounds:
        return None
    if state.assumption_probe_round() is None:
        # Only a claim the user made can be probed: deferrals and specui's own questions
        # are not claims.
        return ("assumption", None) if _claims(state) else None
    if (
        state.persistent_followup_round() is None
        and rounds[-1].n in _claims(state)
        and not short_pass(state)
    ):
        # Staying on the thread: the round just before, once it holds a claim (a deferral or
        # a contradiction settled by specui has nothing to ask evidence for).
        return "evidence", rounds[-1].n
    return None


def short_pass(state: InterviewState) -> bool:
    return state.max_rounds - state.pass_start <= SHORT_PASS


def _claims(state: InterviewState) -> list[int]:
    """Rounds whose answer is a claim of the user's: an engine's overview or ordinary question
    answered without deferring (a closure answer decides the interview, not the product; a
    non-goals or decision-boundaries answer decides the spec: no evidence makes it hold)."""
    return [
        r.n
        for r in state.interview_rounds()
        if r.origin == "engine"
        and r.kind in ("overview", "ordinary")
        and not r.deferral
        and r.gate not in ("non_goals", "decision_boundaries")
    ]


def _closure_pressure(state: InterviewState) -> tuple[PressureKind, int | None] | None:
    return ("assumption", None) if _claims(state) else None


def _notes(state: InterviewState, n: int) -> list[str]:
    notes: list[str] = []
    start = state.pass_start  # a refinement pass counts its own midpoint
    if n == 1:  # seed 004 Phase 1: announce kickoff with profile, threshold and ambiguity
        notes.append(
            f"Deep interview: {state.profile} profile, threshold "
            f"{ambiguity_percent(state.threshold)}%, at most {state.max_rounds} rounds; "
            f"ambiguity {ambiguity_percent(state.computed_ambiguity())}%."
        )
    elif state.refinements and n == start + 1:
        last = state.refinements[-1]
        notes.append(
            f"Refining further (pass {len(state.refinements)}): at most {last.rounds} more "
            f"rounds (hard cap now {state.max_rounds}), threshold "
            f"{ambiguity_percent(state.threshold)}%; the interview had ended "
            f"{END_WORDS[last.ended]}."
        )
    size = state.max_rounds - start
    if n - start == midpoint(size) and n < state.max_rounds:
        notes.append(
            # No figure: this note is written before the last answer is scored, and the
            # header above it shows the ambiguity that answer left.
            f"Midpoint: round {n} of at most {state.max_rounds} (threshold "
            f"{ambiguity_percent(state.threshold)}%)."
        )
    if n == state.max_rounds:
        whose = "this refinement pass's" if state.refinements else "this profile's"
        notes.append(f"Last round: {state.max_rounds} is {whose} hard cap.")
    return notes


END_WORDS: dict[str, str] = {
    "threshold": "within the threshold",
    "early_exit": "early (your exit)",
    "hard_cap": "at the hard cap",
    "validation_cap": "with sections below clarified after the validation pass",
}


def protected_sections(spec: SpecView, allow: tuple[str, ...] = ()) -> list[str]:
    final = [k for k in UNIT_KEYS if spec.statuses.get(k) == "final" and k not in allow]
    return [*OWNED_SECTIONS, *final]


def decide(state: InterviewState, spec: SpecView, *, answered: Round | None = None) -> Decision:
    """What the next question must be, given the state with `answered` (if any) recorded."""
    if state.phase == "done":
        return End(state.end_reason or "threshold")
    if state.phase == "finalize":
        return Finalize()
    if state.phase == "validation":
        return _decide_validation(state, spec, answered)
    n = state.rounds_done + 1
    if state.summary_status == "needed":
        return SpecuiAsk(summary_question(state, n))
    contradiction = _settled_contradiction(state, answered)
    deferral = answered is not None and answered.deferral
    if state.rounds_done >= state.max_rounds:
        return Directive(
            kind="final",
            round=state.rounds_done,
            answer_is_deferral=deferral,
            contradiction=contradiction[0] if contradiction else None,
            contradiction_choice=contradiction[1] if contradiction else None,
            protected_sections=protected_sections(spec, _where(contradiction)),
        )
    base = {
        "round": n,
        "answer_is_deferral": deferral,
        "contradiction": contradiction[0] if contradiction else None,
        "contradiction_choice": contradiction[1] if contradiction else None,
        "protected_sections": protected_sections(spec, _where(contradiction)),
        "require_human_judgment": rhythm_streak(state) >= RHYTHM_LIMIT,
        "notes": _notes(state, n),
    }
    if state.rounds_done == 0:
        return Directive(kind="overview", target_dimension="intent", **base)
    if state.refinements and state.rounds_done == state.pass_start:
        return _refine_opening(state, n, base)
    target = target_dimension(state)
    amb = state.computed_ambiguity()
    if amb <= state.threshold:
        gates = state.open_gates()
        gate: GateName = gates[0] if gates else "closure_audit"
        pressure = _closure_pressure(state) if gate == "pressure_pass" else None
        return Directive(
            kind="closure",
            target_dimension=target,
            gate=gate,
            pressure_followup=pressure is not None,
            pressure_kind=pressure[0] if pressure else None,
            revisit_round=pressure[1] if pressure else None,
            **base,
        )
    # Order after the overview: the non-goals gate, the pressure ladder (assumption probe, one
    # persistent follow-up), the decision-boundaries gate, then revisits of open gates; so even
    # the quick profile reaches the early-exit conditions before its cap.
    first_gate = _gate_to_ask(state, n, revisit=False)
    pressure = _pressure(state, n)
    if first_gate == "non_goals" or (first_gate is not None and pressure is None):
        # Both gates settle how far the change goes (seed 004 lists them under intent-first).
        return Directive(kind="ordinary", target_dimension="scope", gate=first_gate, **base)
    if pressure is not None:
        return Directive(
            kind="ordinary",
            target_dimension=target,
            pressure_followup=True,
            pressure_kind=pressure[0],
            revisit_round=pressure[1],
            **base,
        )
    gate_now = _gate_to_ask(state, n, revisit=True)
    if gate_now is not None:
        return Directive(kind="ordinary", target_dimension="scope", gate=gate_now, **base)
    # A stage's reserved round asks about that stage, not a challenge (which waits a round).
    reserved = reserved_stage(state) is not None
    mode = None if reserved else _challenge(state, n)
    return Directive(kind="ordinary", target_dimension=target, keep_target=reserved,
                     challenge_mode=mode, **base)


def _refine_opening(state: InterviewState, n: int, base: dict[str, Any]) -> Decision:
    """The first question of a refinement pass goes to the highest-leverage uncertainty left:
    an unsettled contradiction, then an open non-goals / decision-boundaries gate (asked
    again at once, whatever its revisit interval), then an incomplete pressure pass, then the
    weakest dimension; within the threshold, the closure audit."""
    open_c = state.open_contradictions()
    if open_c:
        return SpecuiAsk(contradiction_question(state, open_c[0], n, "interview"))
    risk = state.refinements[-1].residual_risk
    notes = [*base.pop("notes"), *([f"Left open when it ended: {risk}"] if risk else [])]
    for gate in ("non_goals", "decision_boundaries"):
        if not getattr(state.gates, gate):
            return Directive(
                kind="ordinary", target_dimension="scope", gate=gate, notes=notes, **base
            )
    target = target_dimension(state)
    if not state.gates.pressure_pass and _claims(state):
        return Directive(
            kind="ordinary",
            target_dimension=target,
            pressure_followup=True,
            pressure_kind="assumption",
            notes=notes,
            **base,
        )
    if state.computed_ambiguity() <= state.threshold:
        return Directive(
            kind="closure", target_dimension=target, gate="closure_audit", notes=notes, **base
        )
    return Directive(kind="ordinary", target_dimension=target, notes=notes, **base)


def _where(contradiction: tuple[Contradiction, str] | None) -> tuple[str, ...]:
    if contradiction is None:
        return ()
    c = contradiction[0]
    return tuple(w for w in (c.where_a, c.where_b) if w in UNIT_KEYS)


def _settled_contradiction(
    state: InterviewState, answered: Round | None
) -> tuple[Contradiction, str] | None:
    """The contradiction the answered round settled, with the side the user chose."""
    if answered is None or answered.kind != "contradiction":
        return None
    for c in state.contradictions:
        if (
            c.status == "resolved"
            and c.resolved_round == answered.n
            and c.chosen is not None
            and not c.kept_both
        ):
            return (
                Contradiction(
                    topic=c.topic,
                    statement_a=c.statement_a,
                    where_a=c.where_a,
                    statement_b=c.statement_b,
                    where_b=c.where_b,
                ),
                c.chosen,
            )
    return None


def _decide_validation(state: InterviewState, spec: SpecView, answered: Round | None) -> Decision:
    if state.pass_validation_steps >= VALIDATION_CAP:
        return End("validation_cap")
    contradiction = _settled_contradiction(state, answered)
    if state.open_contradictions() and answered is None:
        i = state.open_contradictions()[0]
        return SpecuiAsk(contradiction_question(state, i, state.validation_steps + 1, "validation"))
    defaultable = defaultable_sections(state, spec)
    defaults: list[str] = []
    if answered is not None and answered.kind == DEFAULTS_OFFER:
        if answered.answer.value == DEFAULTS_PICK:
            return SpecuiAsk(defaults_pick_question(state, spec, defaultable))
        if answered.answer.value == DEFAULTS_ALL:
            defaults = defaultable
    elif answered is not None and answered.kind == DEFAULTS_PICKED:
        defaults = [k for k in answered.answer.selected_values if k in defaultable]
    elif answered is None and len(defaultable) >= DEFAULTS_OFFER_MIN and not _offered(state):
        return SpecuiAsk(defaults_offer_question(state, defaultable))
    below = [k for k in spec.below_clarified() if k not in defaults]
    outstanding = spec.outstanding
    if not below and not outstanding and answered is None:
        return Finalize()
    target = below[0] if below else "open_questions"
    notes = []
    if outstanding:
        notes.append("Open questions to settle: " + " | ".join(outstanding[:5]))
    if below:
        notes.append("Sections below clarified: " + ", ".join(UNIT_TITLES[k] for k in below))
    return Directive(
        kind="validation",
        round=state.validation_steps + 1,
        target_section=target,
        answer_is_deferral=answered is not None and answered.deferral,
        contradiction=contradiction[0] if contradiction else None,
        contradiction_choice=contradiction[1] if contradiction else None,
        protected_sections=protected_sections(spec, _where(contradiction)),
        default_sections=defaults,  # type: ignore[arg-type]
        notes=notes,
    )


def defaultable_sections(state: InterviewState, spec: SpecView) -> list[str]:
    """Sections below clarified that a recommended default may settle: not Open Questions
    (the person settles those), not one an open contradiction names, not a final one."""
    named = {
        w
        for i in state.open_contradictions()
        for w in (state.contradictions[i].where_a, state.contradictions[i].where_b)
    }
    return [
        k
        for k in spec.below_clarified()
        if k not in OWNED_SECTIONS and k not in named and spec.statuses.get(k) != "final"
    ]


def _offered(state: InterviewState) -> bool:
    """The defaults offer comes once per validation pass (a refinement pass validates again)."""
    start = state.refinements[-1].from_index if state.refinements else 0
    return any(r.kind == DEFAULTS_OFFER for r in state.rounds[start:])


# --------------------------------------------------------------------------- specui's questions

# Seed 000 wants the interview "comprehensive, not exhausting" and a non-critical unknown
# recorded as an assumption: once the interview is over, the sections still open may take a
# recommended default each (flagged in Risks) instead of one question per section.
DEFAULTS_OFFER = "defaults_offer"
DEFAULTS_PICKED = "defaults_pick"
DEFAULTS_OFFER_MIN = 3  # fewer open sections are simply asked about
MANY_DEFAULTS = 3  # more defaults in one turn are announced as one line
DEFAULTS_ALL = "defaults-all"
DEFAULTS_PICK = "defaults-pick"
DEFAULTS_NONE = "defaults-none"
# specui's own questions whose options are its choices, never a deferral in the user's words.
SPECUI_CHOICES = ("finalize", "contradiction", DEFAULTS_OFFER, DEFAULTS_PICKED)


def _titles(keys: list[str]) -> str:
    return ", ".join(UNIT_TITLES[k] for k in keys)


def defaults_offer_question(state: InterviewState, sections: list[str]) -> PendingQuestion:
    n = len(sections)
    return _about_open_sections(
        state,
        Question(
            question=(
                f"{n} sections are still open. Write a recommended default for each, or go "
                "through them one question at a time?"
            ),
            type="single-answerable",
            options=[
                QuestionOption(
                    label=f"Write defaults for all {n} sections",
                    value=DEFAULTS_ALL,
                    description="Marked as defaults and listed in Risks, yours to change: "
                    + _titles(sections),
                    recommended=True,
                ),
                QuestionOption(
                    label="Choose which sections get defaults",
                    value=DEFAULTS_PICK,
                    description="The sections you leave unticked are asked about one by one",
                ),
                QuestionOption(
                    label="Ask me about each section",
                    value=DEFAULTS_NONE,
                    description=f"About {n} more questions",
                ),
            ],
            allow_other=False,
        ),
        DEFAULTS_OFFER,
        "the interview is over; these sections are what no answer has covered yet",
        sections,
    )


_STATUS_WORDS = {"unknown": "nothing written yet", "drafted": "drafted, placeholders left"}


def defaults_pick_question(
    state: InterviewState, spec: SpecView, sections: list[str]
) -> PendingQuestion:
    numbers = {k: SECTION_BY_KEY[UNIT_SECTION[k]].number for k in sections}
    return _about_open_sections(
        state,
        Question(
            question="Which sections get a recommended default? (the others are asked about "
            "one by one)",
            type="multi-answerable",
            options=[
                QuestionOption(
                    label=f"§{numbers[k]} {UNIT_TITLES[k]}",
                    value=k,
                    description=_STATUS_WORDS.get(spec.statuses.get(k, "unknown"), ""),
                )
                for k in sections
            ],
            allow_other=False,
        ),
        DEFAULTS_PICKED,
        "the sections you tick are written with recommended defaults",
        sections,
    )


def _about_open_sections(
    state: InterviewState, question: Question, kind: str, why: str, sections: list[str]
) -> PendingQuestion:
    """specui's own validation step about the open sections (no section of its own)."""
    return PendingQuestion(
        question=question,
        round=state.validation_steps + 1,
        dimension="open sections",
        kind=kind,
        phase="validation",
        origin="specui",
        why=why,
        target_units=list(sections),
    )


def summary_question(state: InterviewState, n: int) -> PendingQuestion:
    return PendingQuestion(
        question=Question(
            question=(
                "The initial context is too large to use safely in a prompt. Please give a "
                "concise summary (a few paragraphs): the problem, the outcome you want, what is "
                "in and out of scope, and the constraints that must hold."
            ),
            options=[],
            allow_other=True,
        ),
        round=n,
        dimension="intent",
        kind="summary",
        origin="specui",
        note="\n".join(_notes(state, n)),
        why="Nothing is scored until a prompt-safe summary of the initial context is recorded.",
    )


def contradiction_question(
    state: InterviewState, index: int, n: int, phase: Literal["interview", "validation"]
) -> PendingQuestion:
    c = state.contradictions[index]
    return PendingQuestion(
        question=Question(
            question=f"These two statements about {c.topic} contradict each other. Which holds?",
            type="single-answerable",
            options=[
                QuestionOption(label=c.statement_a, value="a", description=f"from {c.where_a}"),
                QuestionOption(label=c.statement_b, value="b", description=f"from {c.where_b}"),
                # A contradiction found by reading text can be a false alarm: the user says so
                # rather than overwriting either statement.
                QuestionOption(
                    label="Both hold", value=BOTH_HOLD, description=BOTH_HOLD_DESCRIPTION
                ),
            ],
            allow_other=True,
        ),
        round=n,
        dimension="scope" if phase == "interview" else "open_questions",
        kind="contradiction",
        phase=phase,
        origin="specui",
        contradiction=index,
        why="A contradiction is settled before anything else; your choice replaces the other "
        "statement wherever it stood.",
        target_units=[w for w in (c.where_a, c.where_b) if w in UNIT_KEYS],
    )


BOTH_HOLD = "both"
BOTH_HOLD_TEXT = "both statements hold"
BOTH_HOLD_DESCRIPTION = "They do not contradict each other: keep both as written"
FINALIZE_VALUE = "finalize"


def finalize_question(state: InterviewState, spec: SpecView) -> PendingQuestion:
    return PendingQuestion(
        question=Question(
            question=(
                "Every section is at least clarified and no critical question is open. "
                "Finalize the whole spec?"
            ),
            type="single-answerable",
            options=[
                QuestionOption(
                    label="Finalize all sections",
                    value=FINALIZE_VALUE,
                    description="Marks every section final: 100%",
                    recommended=True,
                ),
            ],
            allow_other=True,
            other_label="Not yet: what should change?",
        ),
        round=state.validation_steps + 1,
        dimension="all sections",  # the header reads `Validation k | Section: all sections`
        kind="finalize",
        phase="validation",
        origin="specui",
        why="Every section is at least clarified: one confirmation makes them all final.",
    )


# --------------------------------------------------------------------------- answers


# Answer text lands in SPEC.md and session.json: a control character (a NUL makes SPEC.md a
# binary file, ESC a terminal command) or an unpaired surrogate (not UTF-8: nothing can be
# saved) is refused, as is a runaway size (a 3 MB answer takes ~20 s to record and lands in
# SPEC.md whole; a long document belongs in SPEC.md itself, see the overview question).
MAX_ANSWER_CHARS = 64_000
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _not_text(ch: str) -> bool:
    return has_controls(ch) or _SURROGATE.match(ch) is not None


def _check_text(field: str, text: str) -> None:
    if len(text) > MAX_ANSWER_CHARS:
        raise SpecuiError(
            f"{field}: too long ({len(text):,} characters; an answer holds at most "
            f"{MAX_ANSWER_CHARS:,}: put a long document in SPEC.md and summarise it)"
        )
    if has_controls(text) or _SURROGATE.search(text):
        at, ch = next((i, ch) for i, ch in enumerate(text) if _not_text(ch))
        raise SpecuiError(
            f"{field}: U+{ord(ch):04X} at character {at + 1} is not text "
            "(control characters other than tab and newline, and unpaired surrogates, are "
            "refused)"
        )


def _check_texts(answer: Answer) -> None:
    if isinstance(answer.value, str):
        _check_text("answer.value", answer.value)
    else:
        for i, item in enumerate(answer.value):
            _check_text(f"answer.value[{i}]", item)
    if answer.other_text is not None:
        _check_text("answer.other_text", answer.other_text)


def check_answer(question: Question, answer: Answer) -> Answer:
    """An answer (seed 004 shape) checked against the question it answers; the returned answer
    has its labels and values filled in. SpecuiError names the wrong field."""
    _check_texts(answer)
    values = {o.value: o for o in question.options}
    if question.is_free_text:
        if answer.kind not in ("text", "other"):
            raise SpecuiError(
                'answer.kind: this question takes free text ({"kind": "text", "value": "..."})'
            )
        if not isinstance(answer.value, str) or not answer.value.strip():
            raise SpecuiError("answer.value: the answer must be non-empty text")
        return Answer(kind="text", value=answer.value.strip())
    if answer.kind == "text":
        raise SpecuiError("answer.kind: this question has options; use option, multi or other")
    if answer.kind == "other":
        text = answer.value if isinstance(answer.value, str) else ""
        if not question.allow_other:
            raise SpecuiError(
                f"answer.kind: this question does not accept {question.other_label!r}"
            )
        if not text.strip():
            raise SpecuiError("answer.value: the Other text must not be empty")
        return other_answer(question, text.strip())
    if question.type == "single-answerable":
        if answer.kind != "option":
            raise SpecuiError('answer.kind: a single-answerable question takes "option" or "other"')
        if not isinstance(answer.value, str):
            raise SpecuiError("answer.value: one option's value (a string), not a list")
        if answer.value not in values:
            raise SpecuiError(
                f"answer.value: {answer.value!r} is not an option (one of: {', '.join(values)})"
            )
        opt = values[answer.value]
        return Answer(
            kind="option", value=opt.value, selected_labels=[opt.label], selected_values=[opt.value]
        )
    if answer.kind != "multi":
        raise SpecuiError('answer.kind: a multi-answerable question takes "multi" or "other"')
    chosen = answer.value if isinstance(answer.value, list) else [answer.value]
    other = (answer.other_text or "").strip() or None
    picked = [v for v in values if v in chosen]  # each once, in the question's order (as picked)
    extra = [v for v in chosen if v not in values]
    if extra and not (question.allow_other and other is not None and extra == [answer.other_text]):
        raise SpecuiError(
            f"answer.value: {extra[0]!r} is not an option (one of: {', '.join(values)})"
        )
    if not picked and other is None:
        raise SpecuiError("answer.value: choose at least one option")
    labels = [values[v].label for v in picked]
    out = list(picked)
    if other is not None:
        if not question.allow_other:
            raise SpecuiError(
                f"answer.other_text: this question does not accept {question.other_label!r}"
            )
        labels.append(question.other_label)
        out.append(other)
    return Answer(
        kind="multi", value=out, selected_labels=labels, selected_values=list(out), other_text=other
    )


# --------------------------------------------------------------------------- check


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _sentences(*parts: str) -> str:
    """Join clauses written by an engine into sentences: each ends with a full stop and starts
    upper-case, since engines write rationales as lower-case fragments."""
    out = []
    for part in parts:
        text = part.strip()
        if not text:
            continue
        text = text[0].upper() + text[1:]
        out.append(text if text[-1] in ".!?" else text + ".")
    return " ".join(out)


def scores_after(
    state: InterviewState, reply: EngineReply, answered: Round | None
) -> dict[str, DimensionScore]:
    """The dimension scores once `reply` is applied: a deferral (`answered` the round the reply
    processed) never raises the score of the dimension it was asked about."""
    dims = {k: v.model_copy() for k, v in state.dimensions.items()}
    previous = state.scores()
    for s in reply.scores:
        if s.dimension in state.dimension_keys():
            dims[s.dimension] = DimensionScore(
                score=s.score, justification=s.justification, gap=s.gap
            )
    last = answered
    if last is not None and last.deferral and last.phase == "interview":
        dim = last.dimension
        if dim in dims and dims[dim].score > previous.get(dim, 0.0):
            dims[dim].score = previous.get(dim, 0.0)
            dims[dim].gap = (dims[dim].gap + " (deferred: not counted as clarity)").strip()
    return dims


def check_reply(
    state: InterviewState,
    directive: Directive,
    reply: EngineReply,
    spec: SpecView,
    *,
    answered: Round | None,
) -> list[str]:
    """Conversation rules the reply breaks (empty: it may be applied). `state` holds the
    `answered` round already (None: nothing new was answered); `spec` is SPEC.md as the
    engine saw it."""
    problems: list[str] = []
    done = {r.n for r in state.rounds if r.phase == "interview"}
    latest = max(done, default=0)
    q = reply.question
    if directive.kind == "final":
        if q is not None:
            problems.append(
                f"question: must be null: the hard cap of {state.max_rounds} rounds is reached"
            )
    elif q is None and not reply.ready_to_crystallize:
        problems.append("question: null is only allowed with ready_to_crystallize: true")
    dims = set(state.dimension_keys())
    if q is not None and q.dimension is not None and q.dimension not in dims:
        problems.append(f"question.dimension: {q.dimension!r} is not a {state.type} dimension")
    for i, s in enumerate(reply.scores):
        if s.dimension not in dims:
            problems.append(
                f"scores[{i}].dimension: {s.dimension!r} is not a {state.type} dimension"
            )
    for i, ev in enumerate(reply.gate_evidence):
        if ev.round not in done:
            problems.append(f"gate_evidence[{i}].round: round {ev.round} has not been answered")
    if reply.pressure is not None:
        p = reply.pressure
        if p.revisits_round not in done:
            problems.append(
                f"pressure.revisits_round: round {p.revisits_round} has not been answered"
            )
        if directive.revisit_round is not None and p.revisits_round != directive.revisit_round:
            problems.append(
                f"pressure.revisits_round: the directive requires revisiting round "
                f"{directive.revisit_round}"
            )
        if directive.pressure_kind is not None and p.kind != directive.pressure_kind:
            problems.append(f"pressure.kind: the directive requires {directive.pressure_kind!r}")
    elif directive.pressure_followup and q is not None:
        problems.append(
            "pressure: the directive requires a pressure follow-up: set pressure.revisits_round "
            f"(round {directive.revisit_round or latest} or another answered round) and "
            "pressure.kind"
        )
    if directive.require_human_judgment and q is not None and reply.source != "user":
        problems.append(
            "source: the Dialectic Rhythm Guard requires a question for direct human judgment "
            '(source "user")'
        )
    protected = set(directive.protected_sections)
    bodies: dict[str, str] = {}
    known = _known_figures(state, reply, spec)
    for i, patch in enumerate(reply.patches):
        where = f"patches[{i}] ({patch.section})"
        if patch.section in protected:
            why = (
                "use open_questions_added/resolved"
                if patch.section in OWNED_SECTIONS
                else "it is final"
            )
            problems.append(f"{where}: this turn may not touch this section ({why})")
            continue
        problems.extend(_patch_problems(where, patch.body, spec.bodies.get(patch.section)))
        problems.extend(_unsourced(where, patch.body, known))
        bodies[patch.section] = patch.body
    if directive.answer_is_deferral and not reply.deferrals:
        problems.append(
            "deferrals: the last answer deferred the decision; report the default you chose and "
            "its rationale (a deferral is not clarity)"
        )
    for i, d in enumerate(reply.deferrals):
        body = bodies.get(d.section)
        if body is None or _norm(d.default) not in _norm(body):
            problems.append(
                f"deferrals[{i}]: write the default {d.default!r} into a patch of {d.section}"
            )
    reported = {d.section for d in reply.deferrals}
    for key in directive.default_sections:
        if key in protected:
            continue
        if placeholder_status(bodies.get(key, spec.bodies.get(key))) != "clarified":
            problems.append(
                f"patches: the person accepted recommended defaults for {key}: patch it so "
                "that no placeholder is left"
            )
        elif key in bodies and key not in reported:
            # (A section clarified meanwhile by hand needs no default, and no patch.)
            problems.append(f"deferrals: report the default you wrote into {key}")
    if directive.contradiction is not None and directive.contradiction_choice is not None:
        c = directive.contradiction
        chosen = _norm(directive.contradiction_choice)
        for stmt, where in ((c.statement_a, c.where_a), (c.statement_b, c.where_b)):
            if where in UNIT_KEYS and where not in bodies:
                problems.append(
                    f"patches: write the chosen side into {where} (the contradiction named it)"
                )
            if _norm(stmt) != chosen and any(_norm(stmt) in _norm(b) for b in bodies.values()):
                problems.append(f"patches: the rejected statement {stmt!r} is still written")
    outstanding = [_norm(x) for x in spec.outstanding]
    for i, text in enumerate(reply.open_questions_resolved):
        if not any(_norm(text) in o or o in _norm(text) for o in outstanding if o):
            problems.append(f"open_questions_resolved[{i}]: no outstanding question matches")
    if reply.ready_to_crystallize and state.phase == "interview":
        explicit = {ev.gate for ev in reply.gate_evidence if ev.round in done}
        still = [g for g in state.open_gates() if g not in explicit]
        amb = ambiguity(
            {k: v.score for k, v in scores_after(state, reply, answered).items()}, state.type
        )
        if still:
            problems.append(
                "ready_to_crystallize: refused while a readiness gate is open ("
                + ", ".join(still)
                + "); ask a closure question that names it"
            )
        elif amb > state.threshold:
            problems.append(
                f"ready_to_crystallize: refused: ambiguity {ambiguity_percent(amb)}% (from your "
                f"scores) is above the threshold {ambiguity_percent(state.threshold)}%"
            )
    for i, c in enumerate(reply.contradictions):
        if _norm(c.statement_a) == _norm(c.statement_b):
            problems.append(f"contradictions[{i}]: the two statements are the same")
    return problems


_FIGURE_RE = re.compile(r"\d{2,}(?:[.,]\d+)*|\d+[.,]\d+")
# In a patch, a figure glued to letters is a name (p95, ISO8601, OAuth2, S3, v2.1), not a claim.
_CLAIM_RE = re.compile(r"(?<![A-Za-z\d.,])(?:\d{2,}(?:[.,]\d+)*|\d+[.,]\d+)")
_MARKED_RE = re.compile(r"default|assum|proposed|to be confirmed", re.IGNORECASE)


def _known_figures(state: InterviewState, reply: EngineReply, spec: SpecView) -> set[str]:
    """Every figure the user said, chose or saw confirmed: answers, the questions and options
    they answered, SPEC.md and stack.toml as they stand, and what this reply found in the code
    or chose as a marked default."""
    texts = [spec.sources, state.summary, state.initial_idea]
    texts += [b or "" for b in spec.bodies.values()]
    for r in state.rounds:
        texts += [r.question.question, r.answer.summary()]
        texts += [f"{o.label} {o.description}" for o in r.question.options]
    texts += [f.finding for f in reply.context_findings]
    texts += [f"{d.default} {d.rationale}" for d in reply.deferrals]
    return {m.group(0) for t in texts for m in _FIGURE_RE.finditer(t or "")}


def _unsourced(where: str, body: str, known: set[str]) -> list[str]:
    """Text written into SPEC.md is what the user said or chose, or is marked as a default or
    assumption: a figure nobody gave (`error rate under 1.5%`) on an unmarked line is refused."""
    for line in body.splitlines():
        if _MARKED_RE.search(line):
            continue
        for m in _CLAIM_RE.finditer(line):
            if m.group(0) not in known:
                figure = m.group(0)
                return [
                    f"{where}: {figure!r} is not something the user said or chose; leave it out "
                    + "or mark the line as a default/assumption"
                ]
    return []


def _patch_problems(where: str, body: str, current: str | None) -> list[str]:
    problems: list[str] = []
    if not body.strip():
        problems.append(f"{where}: the body is empty")
        return problems
    if re.search(r"(?m)^#{1,2}\s", body):
        problems.append(f"{where}: the body must not contain a level-1/2 heading")
    labels = [norm_label(it.label) for it in parse_items(body)]
    dupes = sorted({x for x in labels if labels.count(x) > 1})
    if dupes:
        problems.append(f"{where}: duplicate bullet label {dupes[0]!r}")
    if placeholder_status(body) != "clarified":
        found = first_placeholder(body)
        current_norm = _norm(current or "")
        if found is not None and _norm(found) not in current_norm:
            problems.append(f"{where}: writes the template placeholder {found!r}")
        elif found is not None:
            # A placeholder the section still has may stay, but not over an answered bullet.
            current_items = {norm_label(it.label): it.value for it in parse_items(current or "")}
            for it in parse_items(body):
                old = current_items.get(norm_label(it.label))
                if (
                    old is not None
                    and placeholder_status(old) == "clarified"
                    and placeholder_status(it.value) != "clarified"
                ):
                    problems.append(
                        f"{where}: writes a placeholder back over the answered {it.label!r}"
                    )
    return problems


# --------------------------------------------------------------------------- apply


@dataclass
class Applied:
    state: InterviewState
    changes: dict[str, str] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)


def record_answer(state: InterviewState, pending: PendingQuestion, answer: Answer) -> Round:
    """The answered round as it will be stored (scores filled in by apply_reply)."""
    return Round(
        n=pending.round,
        dimension=pending.dimension,
        kind=pending.kind,
        question=pending.question,
        answer=answer,
        phase=pending.phase,
        scores=state.scores(),
        ambiguity=state.ambiguity,
        source=pending.source,
        origin=pending.origin,
        challenge_mode=pending.challenge_mode,
        gate=pending.gate,
        pressure=pending.pressure,
        deferral=pending.kind not in SPECUI_CHOICES and answer_defers(answer),
    )


def take_answer(state: InterviewState, answer: Answer) -> tuple[InterviewState, Round]:
    """Record the answer to the current question in a copy of `state` (no engine needed):
    the round, a settled contradiction, a recorded summary, a passed pressure gate."""
    pending = state.current
    if pending is None:
        raise SpecuiError("there is no question to answer")
    st = state.model_copy(deep=True)
    rnd = record_answer(st, pending, answer)
    st.rounds.append(rnd)
    st.current = None
    st.notice = ""
    if pending.kind == "summary":
        st.summary_status = "recorded"
        st.summary = answer.summary()
    if pending.contradiction is not None and 0 <= pending.contradiction < len(st.contradictions):
        c = st.contradictions[pending.contradiction]
        picked = answer.selected_values[0] if answer.selected_values else ""
        chosen = {"a": c.statement_a, "b": c.statement_b, BOTH_HOLD: BOTH_HOLD_TEXT}.get(
            picked, answer.summary()
        )
        c.kept_both = picked == BOTH_HOLD and answer.kind == "option"
        if c.kept_both:
            st.notice = f"Both statements about {c.topic} stand as written."
        elif is_deferral(chosen):
            # Left to specui: the later statement stands, recorded as a default (not clarity).
            chosen = c.statement_b
            st.deferrals.append(
                DeferralRecord(
                    round=rnd.n,
                    section=c.where_b if c.where_b in UNIT_KEYS else "risks",
                    topic=c.topic,
                    default=chosen,
                    rationale="the later statement was kept when the choice was left open",
                )
            )
            st.notice = f"You left {c.topic} open: the later statement stands: {chosen}"
        c.status, c.chosen, c.resolved_round = "resolved", chosen, rnd.n
    if pending.pressure is not None and pending.phase == "interview":
        st.pressure.append(pending.pressure)
        if not st.gates.pressure_pass:
            st.gates.pressure_pass = True
            st.gate_evidence.append(
                GateRecord(
                    gate="pressure_pass",
                    round=rnd.n,
                    note=f"round {rnd.n} revisited round {pending.pressure.revisits_round} "
                    f"({pending.pressure.kind})",
                )
            )
    return st, rnd


def apply_reply(
    state: InterviewState,
    directive: Directive,
    reply: EngineReply,
    spec: SpecView,
    today: date,
    *,
    answered: Round | None,
) -> Applied:
    """Fold a checked reply into the state; return SPEC.md unit changes. `answered` is the
    round the reply processed (already `state`'s last round, see take_answer) or None."""
    st = state.model_copy(deep=True)
    out = Applied(st)
    last = st.rounds[-1] if st.rounds and answered is not None else None
    n = last.n if last is not None else 0
    st.dimensions = scores_after(st, reply, last)
    st.ambiguity = st.computed_ambiguity()
    if last is not None:
        last.scores = st.scores()
        last.ambiguity = st.ambiguity
    for ev in reply.gate_evidence:
        if not getattr(st.gates, ev.gate):
            setattr(st.gates, ev.gate, True)
            st.gate_evidence.append(GateRecord(gate=ev.gate, round=ev.round, note=ev.note))
    changes = {p.section: p.body for p in reply.patches}
    # Defaults the person accepted for whole sections (the validation pass's offer): each
    # stands marked in its section; Risks gets one line naming them, not one per default.
    accepted = last is not None and last.kind in (DEFAULTS_OFFER, DEFAULTS_PICKED)
    when = f"validation step {n}" if last is not None and last.phase == "validation" else f"round {n}"
    for d in reply.deferrals:
        st.deferrals.append(
            DeferralRecord(
                round=n, section=d.section, topic=d.topic, default=d.default,
                rationale=d.rationale, accepted=accepted,
            )
        )
        risks = changes.get("risks", spec.bodies.get("risks"))
        if not accepted and _norm(d.default) not in _norm(risks or ""):
            entry = _sentences(
                f"Default for {d.topic} (you deferred, {when}): {d.default}", d.rationale
            )
            changes["risks"] = _add_assumption(risks, entry)
        if len(reply.deferrals) <= MANY_DEFAULTS:
            out.notices.append(
                f"Default chosen for {d.topic}: {d.default} (recorded as an assumption)"
            )
    sections = [k for k in dict.fromkeys(d.section for d in reply.deferrals) if k in UNIT_TITLES]
    if accepted and sections:
        entry = (
            f"Recommended defaults accepted at {when} for {_titles(sections)}: each is marked "
            "as a default in its section; confirm or change them before implementation."
        )
        changes["risks"] = _add_assumption(changes.get("risks", spec.bodies.get("risks")), entry)
    if len(reply.deferrals) > MANY_DEFAULTS:
        # One line the screen can show: which sections took defaults, not every default.
        where = _titles(sections) if len(sections) <= MANY_DEFAULTS else f"{len(sections)} sections"
        out.notices.append(
            f"Defaults written for {len(reply.deferrals)} topics in {where}, each an "
            "assumption in Risks"
        )
    for c in reply.contradictions:
        st.contradictions.append(
            ContradictionRecord(
                found_round=n,
                topic=c.topic,
                statement_a=c.statement_a,
                where_a=c.where_a,
                statement_b=c.statement_b,
                where_b=c.where_b,
            )
        )
    for f in reply.context_findings:
        st.findings.append(FindingRecord(round=n, finding=f))
    for t in reply.terminology:
        st.terminology.append(TermRecord(round=n, term=t))
    oq_body = spec.bodies.get("open_questions")
    new_oq = oq_body
    for text in reply.open_questions_resolved:
        try:
            resolution = _resolution(last, text, when)
            new_oq = resolve_open_question(new_oq, _oq_match(new_oq, text), resolution, today)
        except SpecuiError:
            continue
    for text in reply.open_questions_added:
        if text.strip():
            new_oq = add_open_question(new_oq, text)
        if m := _KEPT_ASIDE_RE.match(text):
            out.notices.append(
                f"{m.group(1)} is final: your answer was kept as an Open Question, not written "
                "there (f un-finalizes it)"
            )
    if st.phase == "validation":
        # Seed 000 finishes with "a closed Open Questions log": nothing outstanding is said.
        new_oq = _closed_log(new_oq) or new_oq
    if new_oq != oq_body and new_oq is not None:
        changes["open_questions"] = new_oq
    out.changes = changes
    if out.notices:
        st.notice = " · ".join(out.notices)
    return out


def _closed_log(body: str | None) -> str | None:
    """Section 17 saying "none" where its template placeholders stand, when nothing is open."""
    if parse_open_questions(body).outstanding:
        return None
    out = body or ""
    for label in ("Outstanding", "Resolved (history)"):
        if not item_answered(out, label):
            out = set_item(out, label, "none")
    return out if placeholder_status(out) == "clarified" else None


def _oq_match(body: str | None, text: str) -> int | str:
    outstanding = parse_open_questions(body).outstanding
    for i, q in enumerate(outstanding, 1):
        if _norm(text) in _norm(q) or _norm(q) in _norm(text):
            return i
    return text


def _resolution(last: Round | None, question: str, when: str) -> str:
    """What the Resolved log says settled `question`: the answer, but never the question as
    its own answer (an answer that ticks it in a list of open questions)."""
    if last is None:
        return "resolved"
    if last.kind in (DEFAULTS_OFFER, DEFAULTS_PICKED):
        return "the recommended default, accepted (an assumption in Risks)"
    answer = last.answer
    key = _norm(question).rstrip("?…")
    if any(key and key in _norm(label) or _norm(label).rstrip("?…") in key
           for label in answer.selected_labels if label.strip()):
        return answer.other_text.strip() if answer.other_text else f"settled ({when})"
    return answer.summary()


def _add_assumption(risks: str | None, entry: str) -> str:
    """Risks, Assumptions & Trade-offs with one more assumption line (the template's
    placeholder value is replaced, earlier assumptions kept)."""
    items = {norm_label(it.label): it for it in parse_items(risks or "")}
    old = items.get(norm_label("Assumptions"))
    value = entry
    if old is not None and placeholder_status(old.value) == "clarified" and old.value.strip():
        value = old.value.rstrip() + "\n" + entry
    return set_item(risks, "Assumptions", value)


FINALIZE_REQUEST = "Requested before finalizing"


def finalize_request_changes(answer: Answer, spec: SpecView) -> dict[str, str]:
    """"Not yet: what should change?" with a change typed: it goes into Open Questions, so
    the validation pass asks about it (it is outstanding) and the spec cannot be finalized
    without it; with nothing typed, nothing changes."""
    request = (answer.other_text if answer.other_text is not None else answer.summary()).strip()
    if answer.kind == "option" or not request:
        return {}
    body = add_open_question(spec.bodies.get("open_questions"), f"{FINALIZE_REQUEST}: {request}")
    return {"open_questions": body}


def residual_risk_changes(state: InterviewState, spec: SpecView) -> dict[str, str]:
    """The residual-risk line in SPEC.md's Risks section (not only in .omx/), for an interview
    that has ended: written (or replaced) with `state.residual_risk`; when a refinement pass
    ended within the threshold, the line an earlier end wrote is removed (a line the user
    wrote themselves is not specui's to remove)."""
    body = spec.bodies.get("risks")
    text = state.residual_risk
    if text:
        if body is not None and _norm(text) in _norm(body):
            return {}
        return {"risks": set_item(body, "Residual risk", text)}
    item = find_item(body, "Residual risk")
    written = {_norm(r.residual_risk) for r in state.refinements if r.residual_risk}
    if body is None or item is None or _norm(item.value) not in written:
        return {}
    lines = body.splitlines(keepends=True)
    return {"risks": "".join(lines[: item.start] + lines[item.end :])}


def refine(state: InterviewState) -> InterviewState:
    """Seed 004's "Refine further": re-enter an interview that has ended (threshold, early
    exit, hard cap or seed 000's finish) for one more pass. The transcript, scores, gates,
    deferrals and SPEC.md stay as they are; the pass gets the profile's cap again, counted
    from here (`max_rounds` is raised by it); the residual risk stays in SPEC.md until the
    pass ends. SpecuiError when there is nothing to re-enter."""
    if state.status == "not_started":
        raise SpecuiError("there is no interview to refine yet: start it (specui interview)")
    if state.phase != "done" or state.current is not None:
        raise SpecuiError(
            "the interview has not ended: answer the question on screen (Refine further "
            "re-enters an interview that has ended)"
        )
    st = state.model_copy(deep=True)
    size = st.refinements[0].rounds if st.refinements else st.max_rounds
    st.refinements.append(
        RefinePass(
            from_round=st.rounds_done,
            from_index=len(st.rounds),
            rounds=size,
            ended=st.end_reason or "threshold",
            residual_risk=st.residual_risk,
        )
    )
    st.max_rounds = st.rounds_done + size
    st.status, st.phase, st.end_reason = "active", "interview", None
    st.finished, st.finish_message, st.residual_risk = False, "", None
    # The closure audit passed for the spec as it was; this pass audits again.
    st.gates.closure_audit = False
    st.notice = ""
    st.stage = current_stage(st)
    return st


# --------------------------------------------------------------------------- settle


@dataclass(frozen=True)
class Ask:
    pending: PendingQuestion


Settled = Ask | End | Finalize


def _pending_from_reply(
    state: InterviewState, directive: Directive, q: ReplyQuestion, reply: EngineReply, kind: str
) -> PendingQuestion:
    options = [
        QuestionOption(
            label=o.label, value=o.value, description=o.description, recommended=o.recommended
        )
        for o in q.options
    ]
    question = Question(
        question=q.question,
        type="multi-answerable" if q.type == "multi-answerable" else "single-answerable",
        options=options,
        allow_other=q.allow_other or q.type == "free-text",
        source="specui-interview",
    )
    validation = directive.kind == "validation"
    pressure = None
    if reply.pressure is not None and not validation:
        pressure = PressureRecord(
            round=directive.round,
            revisits_round=reply.pressure.revisits_round,
            kind=reply.pressure.kind,
        )
    gate = directive.gate
    if gate is not None and getattr(state.gates, gate):
        # This reply's own evidence closed the gate (the answer stated the non-goals): its
        # question is about something else, so it is neither a gate ask nor scope-targeted.
        gate = None
    if validation and directive.target_section:
        dim = directive.target_section
    elif not validation and q.dimension is not None:
        # What the engine says its question clarifies: a pressure follow-up or a challenge
        # mode serves another dimension than the weakest, and the header must say which.
        dim = q.dimension
    elif gate is None and directive.kind != "overview":
        # The directive's target predates the scores of the answer this reply processed.
        dim = target_dimension(state)
    else:
        dim = directive.target_dimension or target_dimension(state)
    return PendingQuestion(
        question=question,
        round=directive.round,
        dimension=dim or "intent",
        kind=kind,
        phase="validation" if validation else "interview",
        origin="engine",
        source=reply.source,
        why=reply.why,
        directive=directive,
        challenge_mode=directive.challenge_mode,
        gate=gate,
        pressure=pressure,
        target_units=[directive.target_section] if directive.target_section else [],
        # Interview notes (kickoff, midpoint, last round) are for the user; a validation
        # directive's notes list what is left for the engine, which the header already names.
        # The kickoff's figure is taken again now: the first reply has scored what it read
        # (a brownfield repository), and the header above the note shows that score.
        note=""
        if validation
        else "\n".join(_notes(state, 1) if directive.kind == "overview" else directive.notes),
    )


def settle(
    state: InterviewState, directive: Directive, reply: EngineReply, spec: SpecView
) -> Settled:
    """What goes on screen after an applied reply (scores and SPEC.md are up to date)."""
    if state.phase == "validation":
        if state.open_contradictions():
            i = state.open_contradictions()[0]
            return Ask(contradiction_question(state, i, directive.round, "validation"))
        if not spec.below_clarified() and not spec.outstanding:
            return Finalize()
        if reply.question is None:
            # The engine has nothing left to ask while sections stay below clarified: the pass
            # ends there (saying so) rather than asking specui-made filler.
            return End("validation_cap")
        below = spec.below_clarified()
        if directive.target_section not in below:
            # The answer just processed completed the directed section: the question is about
            # the next one (the header names the section asked about).
            section = below[0] if below else "open_questions"
            directive = directive.model_copy(update={"target_section": section})
        return Ask(_pending_from_reply(state, directive, reply.question, reply, "validation"))
    open_c = state.open_contradictions()
    amb = state.computed_ambiguity()
    gates_open = state.open_gates()
    if (
        not gates_open
        and not open_c
        and (amb <= CLOSURE_ONLY or (amb <= state.threshold and reply.ready_to_crystallize))
    ):
        # Checked before the cap: a last round that passes the closure audit crystallizes
        # as a threshold end, not as a hard-cap stop.
        return End("threshold")
    if state.rounds_done >= state.max_rounds:
        if not gates_open and not open_c and amb <= state.threshold:
            # The cap leaves no round for the closure audit, and everything it would check
            # holds: the threshold is met, so the spec crystallizes (and is validated).
            return End("threshold")
        return End("hard_cap")
    if open_c:
        return Ask(contradiction_question(state, open_c[0], state.rounds_done + 1, "interview"))
    if reply.question is None:
        # check_reply let a null question through only with every gate explicit and ambiguity
        # at or below the threshold.
        return End("threshold")
    kind = directive.kind
    if amb <= state.threshold and kind == "ordinary":
        kind = "closure"  # below threshold no new ordinary branch opens (seed 004 §2)
    return Ask(_pending_from_reply(state, directive, reply.question, reply, kind))


def place_question(state: InterviewState, pending: PendingQuestion) -> InterviewState:
    """Put a question on screen and note what it spends (gate asks, challenge modes)."""
    st = state.model_copy(deep=True)
    st.current = pending
    if pending.phase == "interview":
        if pending.gate in ("non_goals", "decision_boundaries"):
            st.gate_asked.setdefault(pending.gate, []).append(pending.round)
        if pending.challenge_mode and pending.challenge_mode not in st.challenge_modes_used:
            st.challenge_modes_used.append(pending.challenge_mode)
        if pending.contradiction is not None:
            st.contradictions[pending.contradiction].status = "asked"
        st.stage = current_stage(st)
    elif pending.contradiction is not None:
        st.contradictions[pending.contradiction].status = "asked"
    return st


def crystallize(state: InterviewState, reason: EndReason) -> InterviewState:
    """Seed 004 Phase 4: threshold -> the validation pass; early exit / hard cap -> done."""
    st = state.model_copy(deep=True)
    st.current = None
    st.end_reason = reason
    if reason == "threshold":
        st.gates.closure_audit = True
        st.gate_evidence.append(
            GateRecord(gate="closure_audit", round=st.rounds_done, note="closure audit passed")
        )
        st.status = "crystallized"
        st.phase = "validation"
        st.residual_risk = None
    else:
        st.status = "exited" if reason == "early_exit" else "crystallized"
        st.phase = "done"
        st.residual_risk = residual_risk_text(st, reason)
        st.warnings.append(st.residual_risk)
    return st


def finish_message(state: InterviewState, spec_where: str) -> str:
    """Seed 000 §8: the completion message, a checklist recap of what SPEC.md holds, and the
    100% progress line last. ``spec_where`` names the file as the Done view does
    ("todo-cli/SPEC.md"): seed 000's "/SPEC.md" reads as the filesystem root on a screen."""
    by_default = {d.section for d in state.deferrals if d.accepted}
    checklist = [
        f"- ✓ {UNIT_TITLES[k]}" + (" (recommended defaults you accepted)" if k in by_default else "")
        for k in UNIT_KEYS
        if k != "open_questions"
    ]
    checklist.append("- ✓ Open Questions (a closed log)")
    decided = [f"- default for {d.topic}: {d.default}" for d in state.deferrals if not d.accepted]
    lines = [
        f"✅ SPEC complete. SPEC.md lives at the repo root: {spec_where}.",
        "Included:",
        *checklist,
    ]
    if decided:
        lines += ["Defaults chosen where you deferred (see Risks, Assumptions & Trade-offs):"]
        lines += decided
    figures = (
        f"Rounds: {state.rounds_done} · validation steps: {state.validation_steps} · "
        f"ambiguity {ambiguity_percent(state.ambiguity)}% "
        f"(threshold {ambiguity_percent(state.threshold)}%)."
    )
    lines += [figures, "", progress_line(100)]
    return "\n".join(lines)
