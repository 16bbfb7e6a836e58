"""`InterviewDriver.answer(answer, key=...)`: the answer names the question the user answered
(the workbench's draft key). When the pending question is another one by the time the answer
runs (the watcher loaded another specui's state between the user's Enter and the worker), the
answer is refused and writes nothing (trial G30's last gap: it was recorded as the answer to
the new question)."""

from __future__ import annotations

import pytest
from offline_run import offline_driver

from specui.core.questions import Answer, build_answer
from specui.interview.driver import QUESTION_CHANGED, AnsweredElsewhere
from specui.session_file import draft_key


def _key(store) -> str:
    iv = store.state.interview
    p = iv.current
    return draft_key(iv.id, p.phase, p.round, p.kind, p.question.question)


def test_an_answer_for_a_question_no_longer_pending_is_refused_and_writes_nothing(tmp_path):
    drv_a, store_a, project = offline_driver(tmp_path)
    drv_a.start()
    drv_b, store_b, _ = offline_driver(tmp_path)  # a second specui on the same project
    drv_b.start()
    seen = _key(store_b)  # the question B's user is looking at (the overview)
    drv_a.answer(Answer(kind="text", value="A command-line tool that renames my photo archive."))
    store_b.reload()  # B's watcher loads A's state: the next question is pending now
    assert _key(store_b) != seen
    spec, rounds = project.spec.read_bytes(), len(store_b.state.interview.rounds)
    q = store_b.state.interview.current.question
    late = build_answer(q, [0], None) if q.options else build_answer(q, [], "Renames photos.")
    with pytest.raises(AnsweredElsewhere) as err:
        drv_b.answer(late, key=seen)
    assert str(err.value) == QUESTION_CHANGED
    assert project.spec.read_bytes() == spec
    store_a.reload()
    assert len(store_a.state.interview.rounds) == rounds == 1
    assert not (project.state_dir / "journal.json").exists()


def test_the_key_of_the_pending_question_answers_it(tmp_path):
    drv, store, _ = offline_driver(tmp_path)
    drv.start()
    drv.answer(Answer(kind="text", value="A photo renamer."), key=_key(store))
    assert len(store.state.interview.rounds) == 1


def test_a_key_for_an_ended_interview_is_refused(tmp_path):
    drv, store, _ = offline_driver(tmp_path)
    drv.start()
    seen = _key(store)
    store.update(lambda s: setattr(s.interview, "current", None))
    with pytest.raises(AnsweredElsewhere):
        drv.answer(Answer(kind="text", value="late"), key=seen)


def test_headless_answer_with_the_printed_key(tmp_path, capsys):
    import json

    from specui.cli import main

    root = tmp_path / "demo"
    root.mkdir()
    main(["interview", str(root), "--json"])
    first = json.loads(capsys.readouterr().out)["question"]
    answer = json.dumps({"kind": "text", "value": "A photo renamer."})
    assert main(["interview", str(root), "--answer", answer, "--key", first["key"]]) == 0
    capsys.readouterr()
    # The same key again: that question is answered, another is pending; one line, exit 2.
    assert main(["interview", str(root), "--answer", answer, "--key", first["key"]]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "your answer was not recorded: --key names another question than the pending" in err
    assert main(["interview", str(root), "--key", first["key"]]) == 2
    assert "--key goes with --answer" in capsys.readouterr().err
