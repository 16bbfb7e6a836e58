"""Text typed while an agent prepares the first question (a Codex turn takes seconds, and the
screen says only "Starting the interview…") is the start of its answer, not a string of
commands: `r` `n` `y` of "run by" focused the runner, asked to run constitution and said yes."""

from __future__ import annotations

import threading

from specui.core.config import SpecuiConfig
from specui.core.errors import SpecuiError
from specui.interview.driver import InterviewDriver
from specui.store import SessionStore
from specui.ui.app import SpecuiApp

from .conftest import SMALL
from .fake_engine import FakeInterviewer, HeldEngine

TYPED = "run by Xy"


def _app(project):
    store = SessionStore.open(project)
    engine = HeldEngine(store.state.interview.engine_session.model_copy(), held=True)
    driver = InterviewDriver(project, store, SpecuiConfig(), engine=engine)
    app = SpecuiApp(
        project, store=store, config=SpecuiConfig(), engine=driver, watch=False, blink=False
    )
    return app, store, engine


async def _until(pilot, predicate) -> None:
    for _ in range(400):
        if predicate():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition not met in time")


async def _type_while_thinking(app, store, pilot) -> None:
    await _until(pilot, lambda: store.state.interview.engine.status == "thinking")
    await _until(pilot, lambda: app.workbench.attached)
    await pilot.pause(0.1)
    assert store.state.interview.current is None
    await pilot.press(*["space" if c == " " else c for c in TYPED])
    await pilot.pause(0.2)


async def test_text_typed_while_the_first_question_is_prepared_becomes_its_answer(project):
    app, store, engine = _app(project)
    async with app.run_test(size=SMALL) as pilot:
        await _type_while_thinking(app, store, pilot)
        assert app.screen is app.workbench  # no "Run constitution anyway?" (n), no stop (X)
        assert not store.state.runs
        engine.go.set()
        await _until(pilot, lambda: store.state.interview.current is not None)
        await _until(pilot, lambda: app.query_one("#free-text").text == TYPED)
        assert app.focused is app.query_one("#free-text")
        assert not store.state.runs


async def test_text_typed_ahead_of_a_round_that_fails_waits_for_the_retrys_question(project):
    app, store, engine = _app(project)
    engine.fail = "the model is unreachable"
    async with app.run_test(size=SMALL) as pilot:
        await _type_while_thinking(app, store, pilot)
        assert any("kept for the question on its way" in str(n.message)
                   for n in app._notifications)
        engine.go.set()
        await _until(pilot, lambda: store.state.interview.engine.status == "error")
        await _until(pilot, lambda: any(f"What you typed ({len(TYPED)} characters) is kept"
                                        in str(n.message) for n in app._notifications))
        # r is the failed round's retry, not a letter held for a question to come.
        engine.fail = ""
        await pilot.press("r")
        await _until(pilot, lambda: store.state.interview.current is not None)
        await _until(pilot, lambda: app.query_one("#free-text").text == TYPED)
        assert not store.state.runs


class _StartFails(FakeInterviewer):
    """An interviewer whose start waits for `go`, then fails before any round is recorded."""

    def __init__(self, project, store) -> None:
        super().__init__(project, store, [])
        self.go = threading.Event()

    def start(self) -> None:
        self.go.wait(10)
        raise SpecuiError("the interviewer could not start")

    def shutdown(self) -> None:
        self.go.set()


async def test_keys_held_for_a_question_that_never_comes_give_way_to_commands(project):
    store = SessionStore.open(project)
    engine = _StartFails(project, store)
    app = SpecuiApp(
        project, store=store, config=SpecuiConfig(), engine=engine, watch=False, blink=False
    )
    async with app.run_test(size=SMALL) as pilot:
        await _until(pilot, lambda: app.workbench.attached and app.workbench.panes)
        await pilot.pause(0.1)
        await pilot.press("a", "b")  # the engine is starting: held for its first question
        assert app.workbench._early_keys == [("a", "a"), ("b", "b")]
        engine.go.set()
        await _until(pilot, lambda: not any(w.group == "engine" and not w.is_finished
                                            for w in app.workers))
        await pilot.press("r")  # no question is coming: r is the runner key again
        runner = app.query_one("#runner")
        await _until(pilot, lambda: app.focused is not None
                     and runner in app.focused.ancestors_with_self)
        assert app.workbench._early_keys is None
        assert any("no question came" in str(n.message) for n in app._notifications)
