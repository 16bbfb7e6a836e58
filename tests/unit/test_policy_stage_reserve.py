"""Stage priority under a finite cap (policy.reserved_stage).

Found in a whole ★ offline interview of a brownfield library change (a streaming parser API for
a copy of iniconfig, standard profile): intent-first held every ordinary round up to the hard
cap, so no round ever asked about constraints or the files the change touches; the residual
risk said "Least clear: Constraints, Context Clarity". Past the pass's midpoint, each later
stage no ordinary round has reached yet takes the next ordinary round, in seed 004's order.
"""

from __future__ import annotations

import pytest

from specui.core.interview import policy
from specui.core.interview.state import (
    DimensionScore,
    InterviewState,
    PressureRecord,
    RefinePass,
    Round,
)
from specui.core.questions import Answer, Question, QuestionOption

INTENT_WEAK = {"intent": 0.5, "outcome": 0.4, "scope": 0.5, "constraints": 0.1, "success": 0.0}


def _round(n: int, dimension: str, **over) -> Round:
    q = Question(question=f"Q{n}?", options=[QuestionOption(label="A", value="a")])
    return Round(
        n=n,
        dimension=dimension,
        kind=over.pop("kind", "ordinary"),
        question=q,
        answer=Answer(kind="option", value="a"),
        **over,
    )


def state(
    kind: str,
    answered: list[Round],
    scores: dict[str, float],
    *,
    max_rounds: int = 12,
) -> InterviewState:
    st = InterviewState(status="active", type=kind, max_rounds=max_rounds)
    st.rounds = answered
    for d, v in scores.items():
        st.dimensions[d] = DimensionScore(score=v)
    return st


def intent_rounds(k: int) -> list[Round]:
    """`k` answered rounds, all about intent-first (round 1: the overview)."""
    return [_round(1, "intent", kind="overview")] + [_round(i, "outcome") for i in range(2, k + 1)]


BROWN = {**INTENT_WEAK, "context": 0.25}


@pytest.mark.parametrize(
    ("kind", "done", "scores", "extra", "stage", "target"),
    [
        # before and at the midpoint (round 6 of 12) stage priority alone decides
        ("brownfield", 4, BROWN, [], "intent-first", "outcome"),
        ("brownfield", 5, BROWN, [], "intent-first", "outcome"),
        # round 7: feasibility was never reached
        ("brownfield", 6, BROWN, [], "feasibility", "success"),
        # round 8: feasibility had its round, brownfield grounding was never reached
        ("brownfield", 6, BROWN, [_round(7, "constraints")], "brownfield-grounding", "context"),
        # both had their round: back to the weakest dimension of the current stage
        (
            "brownfield",
            6,
            BROWN,
            [_round(7, "success"), _round(8, "context")],
            "intent-first",
            "outcome",
        ),
        # a gate, a pressure follow-up or a challenge round reaches no stage
        (
            "brownfield",
            6,
            BROWN,
            [
                _round(7, "constraints", gate="non_goals"),
                _round(8, "constraints", challenge_mode="contrarian"),
                _round(
                    9,
                    "constraints",
                    pressure=PressureRecord(round=9, revisits_round=2, kind="assumption"),
                ),
            ],
            "feasibility",
            "success",
        ),
        # a later stage already clear needs no round of its own
        (
            "brownfield",
            6,
            {**BROWN, "constraints": 0.8, "success": 0.9},
            [],
            "brownfield-grounding",
            "context",
        ),
        # clear enough to leave is not clear enough to skip: the scan and the overview give a
        # brownfield context 0.6 before anyone confirmed a touched file
        (
            "brownfield",
            6,
            {**BROWN, "constraints": 0.8, "success": 0.9, "context": 0.6},
            [],
            "brownfield-grounding",
            "context",
        ),
        (
            "brownfield",
            6,
            {**BROWN, "constraints": 0.8, "success": 0.9, "context": 0.85},
            [],
            "intent-first",
            "outcome",
        ),
        # greenfield has no brownfield stage to reserve
        ("greenfield", 6, INTENT_WEAK, [_round(7, "constraints")], "intent-first", "outcome"),
        # stage priority reached feasibility on its own: brownfield grounding is the later one
        (
            "brownfield",
            6,
            {**BROWN, "intent": 0.9, "outcome": 0.9, "scope": 0.9},
            [],
            "brownfield-grounding",
            "context",
        ),
    ],
)
def test_a_later_stage_gets_one_round_past_the_midpoint(kind, done, scores, extra, stage, target):
    st = state(kind, intent_rounds(done) + extra, scores)
    assert policy.current_stage(st) == stage
    assert policy.target_dimension(st) == target


def test_the_quick_profile_spares_no_round():
    # its one free round goes to the weakest dimension (test_quick_profile)
    st = state("brownfield", intent_rounds(4), BROWN, max_rounds=5)
    assert policy.reserved_stage(st) is None
    assert policy.target_dimension(st) == "outcome"
    st = state("brownfield", intent_rounds(4), BROWN, max_rounds=6)
    assert policy.reserved_stage(st) == "feasibility"  # round 5 of 6: past its midpoint (3)


def test_a_refinement_pass_counts_its_own_midpoint_and_rounds():
    # 12 rounds, one of them about constraints; then a 6-round refinement pass
    first = intent_rounds(11) + [_round(12, "constraints")]
    st = state("greenfield", first, INTENT_WEAK, max_rounds=18)
    st.refinements = [
        RefinePass(from_round=12, from_index=12, rounds=6, ended="hard_cap", residual_risk=None)
    ]
    assert policy.reserved_stage(st) is None  # round 13: first round of the pass
    st.rounds += [_round(13, "outcome"), _round(14, "outcome"), _round(15, "outcome")]
    # round 16 is past the pass's midpoint (3 of 6); the first pass's constraints round
    # does not count for this pass
    assert policy.reserved_stage(st) == "feasibility"


def test_the_reserved_round_is_an_ordinary_question_not_a_challenge():
    st = state("brownfield", intent_rounds(6), BROWN)
    st.gates.non_goals = st.gates.decision_boundaries = True
    st.gate_asked = {"non_goals": [2], "decision_boundaries": [5]}
    st.pressure = [
        PressureRecord(round=3, revisits_round=1, kind="assumption"),
        PressureRecord(round=4, revisits_round=3, kind="evidence"),
    ]
    st.current = None
    view = policy.SpecView({}, {})
    d = policy.decide(st, view)
    assert d.kind == "ordinary" and d.challenge_mode is None and d.target_dimension == "success"
    # The engine is told to keep the target (its new scores may make an intent-first
    # dimension the weakest); an ordinary round before the midpoint is not reserved.
    assert d.keep_target
    early = state("brownfield", intent_rounds(2), BROWN)
    early.current = None
    assert not policy.decide(early, view).keep_target


def test_the_reserve_ends_when_its_rounds_went_elsewhere():
    # The engine had nothing to ask about the brownfield context (no file matched, the
    # overview named the code) and asked about the outcome in both reserved rounds: the
    # reserve does not hold back the challenge modes for the rest of the pass.
    st = state("brownfield", intent_rounds(6) + [_round(7, "success")], BROWN)
    assert policy.reserved_stage(st) == "brownfield-grounding"
    st.rounds.append(_round(8, "outcome"))
    assert policy.reserved_stage(st) is None
    assert policy.target_dimension(st) == "outcome"
