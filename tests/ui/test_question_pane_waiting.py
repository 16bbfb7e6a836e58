"""The line in place of the question while the engine prepares one: "Starting the
interview…" only before any round; seen in tmux at `e` (refine further) after 12 rounds, the
pane read "Round 12 | Ambiguity: 21%" above "Starting the interview…"."""

from __future__ import annotations

from specui.core.interview.state import Round
from specui.store import Session
from specui.ui.widgets.question_pane import no_question_line


def test_before_the_first_round_the_interview_starts():
    assert no_question_line(Session()) == "Starting the interview…"


def test_after_rounds_the_next_question_is_prepared():
    session = Session()
    session.interview.rounds.append(Round.model_construct(n=1))
    assert no_question_line(session) == "Preparing the next question…"


def test_an_ended_interview_and_a_failed_engine_keep_their_lines():
    session = Session()
    session.interview.status = "crystallized"
    session.interview.end_reason = "hard_cap"
    assert no_question_line(session).startswith("The interview stopped at the hard cap")
    failed = Session()
    failed.interview.engine.status = "error"
    assert no_question_line(failed) == "The engine could not ask the next question."
