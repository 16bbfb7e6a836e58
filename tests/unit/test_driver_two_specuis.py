"""Two specuis (two workbenches, or a workbench and `specui interview --answer`) on one project
answer the same question: the first answer is recorded in the session AND SPEC.md, the second is
refused with one clear line and writes nothing (trial G30)."""

from __future__ import annotations

import os

import pytest
from offline_run import offline_driver

from specui.core.interview.state import EngineSession, EngineState
from specui.core.questions import Answer, build_answer
from specui.interview.driver import ANSWERED_ELSEWHERE, AnsweredElsewhere, InterviewDriver
from specui.interview.engines.base import Engine, EngineError
from specui.runner.procid import identify


def _at_an_option_question(tmp_path):
    drv_a, store_a, project = offline_driver(tmp_path)
    drv_a.start()
    drv_a.answer(Answer(kind="text", value="A command-line tool that renames my photo archive."))
    for _ in range(10):
        q = store_a.state.interview.current.question
        if len(q.options) >= 2 and not q.multi_select:
            break
        drv_a.answer(build_answer(q, [0], None) if q.options else build_answer(q, [], "ok"))
    else:
        pytest.fail("no single-select question came")
    drv_b, store_b, _ = offline_driver(tmp_path)  # the second workbench opens now
    assert store_b.state.interview.current.question == store_a.state.interview.current.question
    return drv_a, store_a, drv_b, store_b, project


def test_the_second_answer_to_one_question_is_refused_and_writes_nothing(tmp_path):
    drv_a, store_a, drv_b, store_b, project = _at_an_option_question(tmp_path)
    q = store_a.state.interview.current.question
    drv_a.answer(Answer(kind="option", value=q.options[0].value))
    spec_after_a = project.spec.read_bytes()
    rounds_after_a = len(store_a.state.interview.rounds)

    # B still shows the question A answered (its watcher has not reloaded yet).
    assert store_b.state.interview.current.question == q
    with pytest.raises(AnsweredElsewhere) as err:
        drv_b.answer(Answer(kind="option", value=q.options[1].value))
    assert str(err.value) == ANSWERED_ELSEWHERE

    assert project.spec.read_bytes() == spec_after_a
    store_a.reload()
    assert len(store_a.state.interview.rounds) == rounds_after_a
    assert store_a.state.interview.rounds[-1].answer.value == q.options[0].value
    assert store_a.state.spec.conflicts == []
    assert not (project.state_dir / "journal.json").exists()
    # B now shows what A brought (the next question), not the one it answered.
    assert store_b.state.interview.current == store_a.state.interview.current


def test_an_answer_is_refused_while_another_live_specui_runs_the_round(tmp_path):
    _drv_a, store_a, drv_b, _store_b, project = _at_an_option_question(tmp_path)
    q = store_a.state.interview.current.question
    other = os.getppid()  # a live process that is not this one
    me = identify(other)
    assert me is not None

    def running_elsewhere(s):
        s.interview.engine = EngineState(
            status="thinking",
            name="builtin",
            pending_answer=Answer(kind="option", value=q.options[0].value),
            owner_pid=other,
            owner_start=me.start_time,
            owner_boot=me.boot_id,
        )

    store_a.update(running_elsewhere)
    spec_before = project.spec.read_bytes()
    with pytest.raises(AnsweredElsewhere):
        drv_b.answer(Answer(kind="option", value=q.options[1].value))
    assert project.spec.read_bytes() == spec_before
    store_a.reload()
    assert store_a.state.interview.engine.owner_pid == other
    assert store_a.state.interview.engine.pending_answer.value == q.options[0].value
    assert store_a.state.interview.current.question == q


class _AgentThatCannotStart(Engine):
    name = "command"
    spawns = True

    def run_turn(self, request, *, feedback, on_activity, cancel, timeout, on_started):
        raise EngineError("the agent could not start")


def test_a_round_that_fails_after_the_other_specui_answered_leaves_no_error_behind(tmp_path):
    drv_a, store_a, _drv_b, store_b, project = _at_an_option_question(tmp_path)
    q = store_a.state.interview.current.question
    drv_b = InterviewDriver(
        project, store_b, engine=_AgentThatCannotStart(EngineSession(engine="command"))
    )
    drv_a.answer(Answer(kind="option", value=q.options[0].value))
    with pytest.raises(AnsweredElsewhere):
        drv_b.answer(Answer(kind="option", value=q.options[1].value))
    store_a.reload()
    engine = store_a.state.interview.engine
    assert engine.status != "error" and engine.pending_answer is None
    assert store_a.state.interview.current.question != q
