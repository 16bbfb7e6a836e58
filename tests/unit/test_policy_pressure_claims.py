"""What a pressure follow-up may revisit (trial3 H7): the answer to a readiness gate is a
decision about the spec ("the implementer may decide code structure and naming"), not a claim
about the world, so "What evidence shows this holds?" has nothing to ask of it. Found replaying
a whole offline interview: "Round 5: you said “Code structure and naming”. What evidence shows
this holds?", and SPEC.md's Risks then said "Evidence for round 5's claim: an assumption"."""

from __future__ import annotations

import pytest

from specui.core.interview import policy
from specui.core.interview.state import InterviewState, PressureRecord, Round
from specui.core.questions import Answer, Question, QuestionOption


def _round(n: int, **over) -> Round:
    q = Question(question=f"Q{n}?", options=[QuestionOption(label="A", value="a")])
    return Round(
        n=n,
        dimension="scope",
        kind=over.pop("kind", "ordinary"),
        question=q,
        answer=Answer(kind="option", value="a"),
        **over,
    )


@pytest.mark.parametrize(
    ("last", "follow_up"),
    [
        (_round(4), 4),  # an ordinary answer: the persistent follow-up stays on it
        (_round(4, gate="decision_boundaries"), None),
        (_round(4, gate="non_goals"), None),
        (_round(4, deferral=True), None),
    ],
)
def test_the_persistent_follow_up_revisits_only_a_claim(last: Round, follow_up: int | None):
    st = InterviewState(status="active")
    st.rounds = [_round(1, kind="overview"), _round(2, gate="non_goals"), _round(3), last]
    st.gate_asked = {"non_goals": [2]}
    st.pressure = [PressureRecord(round=3, revisits_round=1, kind="assumption")]
    st.rounds[2].pressure = st.pressure[0]
    d = policy.decide(st, policy.SpecView({}, {}))
    if follow_up is None:
        assert not (d.pressure_followup and d.revisit_round == 4)
    else:
        assert d.pressure_followup and d.revisit_round == follow_up


def test_a_gate_answer_is_not_probed_for_its_assumption():
    st = InterviewState(status="active")
    st.rounds = [_round(1, kind="overview", deferral=True), _round(2, gate="non_goals")]
    st.gate_asked = {"non_goals": [2]}
    d = policy.decide(st, policy.SpecView({}, {}))
    assert not d.pressure_followup  # nothing the user claimed: the overview was deferred
