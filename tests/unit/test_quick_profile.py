"""The quick profile (5 rounds, threshold 30%): its fixed rounds leave room for the weakest
dimension, and a run that still stops at the cap says what its rounds went to (trial G16: every
★ answer ended "crystallized (hard cap) | round 5/5 | ambiguity 54%", four of the five rounds
being the protocol's gates)."""

from __future__ import annotations

import re
from pathlib import Path

from test_offline_convergence import OVERVIEW, _concrete, _driver
from test_protocol import more_rounds, scored, view

from specui.core.interview import policy
from specui.core.interview.contract import Directive
from specui.core.interview.state import InterviewState, PendingQuestion, PressureRecord
from specui.core.questions import Answer


def schedule(max_rounds: int) -> list[str]:
    """What the protocol asks in rounds 2..max_rounds of a pass whose answers close every gate
    they address and leave ambiguity above the threshold."""
    st = scored(more_rounds(InterviewState(status="active", max_rounds=max_rounds), 1), 0.4)
    asked = []
    while st.rounds_done < max_rounds:
        d = policy.decide(st, view(), answered=st.rounds[-1])
        assert isinstance(d, Directive)
        if d.gate:
            asked.append(d.gate)
        elif d.pressure_followup:
            asked.append(f"pressure:{d.pressure_kind}")
        elif d.challenge_mode:
            asked.append(f"challenge:{d.challenge_mode}")
        else:
            asked.append(f"dimension:{d.target_dimension}")
        pressure = (
            PressureRecord(
                round=d.round,
                revisits_round=d.revisit_round or st.rounds_done,
                kind=d.pressure_kind,
            )
            if d.pressure_followup
            else None
        )
        pending = PendingQuestion(
            question=st.rounds[-1].question,
            round=d.round,
            dimension=d.target_dimension or "scope",
            gate=d.gate,
            pressure=pressure,
            challenge_mode=d.challenge_mode,
        )
        st = policy.place_question(st, pending)
        st, _ = policy.take_answer(st, Answer(kind="option", value="a"))
        if d.gate:
            setattr(st.gates, d.gate, True)
    return asked


def test_quick_asks_one_pressure_step_and_leaves_a_round_for_the_weakest_dimension():
    assert schedule(5) == [
        "non_goals",
        "pressure:assumption",
        "decision_boundaries",
        "dimension:intent",
    ]


def test_standard_keeps_the_two_step_ladder_and_the_challenge_modes():
    asked = schedule(12)
    assert asked[:4] == [
        "non_goals",
        "pressure:assumption",
        "pressure:evidence",
        "decision_boundaries",
    ]
    assert "challenge:contrarian" in asked


def test_quick_says_why_early_exit_is_not_offered():
    st = scored(more_rounds(InterviewState(status="active", max_rounds=5), 3), 0.4)
    st.pressure.append(PressureRecord(round=3, revisits_round=1, kind="assumption"))
    st.current = PendingQuestion(question=st.rounds[-1].question, round=4, dimension="scope")
    assert not policy.can_exit_early(st)
    blocker = policy.exit_blocker(st)
    assert blocker is not None and "a pass of 5 rounds leaves out" in blocker


def test_a_quick_run_of_recommended_answers_reaches_the_threshold_or_says_why(tmp_path: Path):
    drv, store, engine = _driver(tmp_path, "quick")
    for _ in range(12):
        iv = store.state.interview
        if iv.phase != "interview" or iv.current is None:
            break
        drv.answer(_concrete(iv, OVERVIEW))
    iv = store.state.interview
    assert engine.refused == []
    assert iv.rounds_done <= 5
    free_rounds = [r for r in iv.interview_rounds() if r.gate is None and r.pressure is None]
    # The overview and at least one round on the least clear dimensions.
    assert len(free_rounds) >= 2, [(r.n, r.kind, r.gate) for r in iv.interview_rounds()]
    if iv.end_reason == "threshold":
        assert iv.computed_ambiguity() <= iv.threshold and iv.open_gates() == []
        return
    assert iv.end_reason == "hard_cap"
    risk = iv.residual_risk or ""
    said = re.search(
        r"Of its 5 rounds, 1 to the overview, (\d) to the readiness gates \(.*?\), (\d) to "
        r"the least clear dimensions\.",
        risk,
    )
    assert said, risk
    gates, free = int(said.group(1)), int(said.group(2))
    assert 1 + gates + free == 5 and free >= 1 and "Least clear:" in risk
    # the gates named as the ambiguity table and "Readiness gates not met: …" name them
    assert "readiness gates (Non-goals, Pressure pass, Decision Boundaries)" in risk
    assert risk in " ".join(drv.project.spec.read_text().split())
