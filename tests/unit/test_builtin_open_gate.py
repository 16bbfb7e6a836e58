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


def test_an_ungrounded_gate_left_to_a_default_offers_to_keep_it(tmp_path):
    """"Decide for me" typed to the open non-goals question: asked again, the question names the
    default that stands and offers to keep it (which closes the gate), instead of the same open
    question every few rounds until the cap."""
    drv, store, _project = offline_driver(tmp_path)
    drv.start()
    overview = store.state.interview.current.question
    drv.answer(build_answer(overview, [], "A tool to track reading notes"))
    drv.answer(build_answer(store.state.interview.current.question, [], "decide for me"))
    for _ in range(6):
        pending = store.state.interview.current
        if pending.gate == "non_goals":
            break
        question = pending.question
        picks = [i for i, o in enumerate(question.options) if o.recommended] or [0]
        text = "Notes stay on one machine." if question.is_free_text else None
        drv.answer(build_answer(question, [] if text else picks[:1], text))
    else:
        raise AssertionError("the non-goals gate was not asked again")
    question = pending.question
    assert question.question.startswith("Round 2 left this to a default (")
    assert question.question.endswith("keep it or answer: What is explicitly out of scope for "
                                      "v1 (non-goals)?")
    assert [o.label for o in question.options] == ["Keep the default"] and question.allow_other
    drv.answer(build_answer(question, [0], None))
    assert store.state.interview.gates.non_goals
