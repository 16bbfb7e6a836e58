"""A readiness gate the directive asks for is asked even when nothing known grounds its options
(an overview that names no kind of product): in the user's own words, and the answer lands in
the gate's bullet and makes the gate explicit. It used to be skipped for a question about
something else while the header read "Target: Scope"."""

from __future__ import annotations

from specui.core.questions import build_answer
from tests.offline_run import offline_driver


def test_an_ungrounded_non_goals_gate_is_asked_open_and_settled_by_the_answer(tmp_path):
    drv, store, project = offline_driver(tmp_path)
    drv.start()
    overview = store.state.interview.current.question
    drv.answer(build_answer(overview, [], "A tool to track reading notes"))
    pending = store.state.interview.current
    assert pending.gate == "non_goals"
    assert pending.question.question == "What is explicitly out of scope for v1 (non-goals)?"
    assert pending.question.is_free_text
    assert "Non-goals must be explicit" in pending.why
    drv.answer(build_answer(pending.question, [], "Sharing notes with others, and a mobile app"))
    iv = store.state.interview
    assert iv.gates.non_goals
    assert [(g.gate, g.round) for g in iv.gate_evidence] == [("non_goals", 2)]
    assert "- **Out-of-scope**: Not in v1: Sharing notes with others, and a mobile app" in (
        project.spec.read_text()
    )
