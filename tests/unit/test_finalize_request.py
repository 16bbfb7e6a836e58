""""Not yet: what should change?" at the finalize question: the typed change goes into Open
Questions and the validation pass asks about it before finalizing again (trial4 J20: the text
went nowhere and the same "Finalize the whole spec?" came back)."""

from __future__ import annotations

from pathlib import Path

from offline_run import offline_driver

from specui.core.interview import policy
from specui.core.questions import Answer, build_answer
from specui.core.spec import UNIT_KEYS, SpecDocument

OVERVIEW = (
    "A Python HTTP API with FastAPI storing bookmarks for my team of eight, Postgres; it works "
    "when a saved link is searchable within one second."
)
CHANGE = "Add a --json output mode for CI annotations."


def _to_finalize(drv, store) -> None:
    for _ in range(90):
        pending = store.state.interview.current
        assert pending is not None, "ended before the finalize question"
        if pending.kind == "finalize":
            return
        q = pending.question
        if q.is_free_text:
            answer = Answer(kind="text", value=OVERVIEW if pending.round == 1 else
                            "Bookmarks are rows in Postgres; tags are a join table.")
        else:
            picks = [i for i, o in enumerate(q.options) if o.recommended] or [0]
            answer = build_answer(q, picks if q.multi_select else picks[:1], None)
        drv.answer(answer)
    raise AssertionError("no finalize question")


def test_not_yet_with_a_change_is_an_open_question_asked_before_finalizing(tmp_path: Path):
    drv, store, project = offline_driver(tmp_path)
    drv.start()
    _to_finalize(drv, store)
    drv.answer(build_answer(store.state.interview.current.question, [], CHANGE))
    iv = store.state.interview
    assert f"{policy.FINALIZE_REQUEST}: {CHANGE}" in project.spec.read_text()
    assert "Open Questions" in iv.notice
    assert iv.current is not None and iv.current.kind != "finalize"
    # The pass asks where the change goes; written there, it is resolved, and the finalize
    # question comes back.
    q = iv.current.question
    assert CHANGE.rstrip(".") in q.question and q.options[0].value in UNIT_KEYS
    drv.answer(build_answer(q, [0], None))
    assert store.state.interview.current.kind == "finalize"
    placed = SpecDocument.parse(project.spec.read_text()).unit_text(q.options[0].value)
    assert CHANGE.rstrip(".") in placed


def test_not_yet_with_nothing_typed_changes_nothing():
    spec = policy.SpecView({"open_questions": "- **Outstanding**: none"}, {})
    assert policy.finalize_request_changes(Answer(kind="text", value="  "), spec) == {}
