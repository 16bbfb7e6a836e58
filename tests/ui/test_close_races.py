"""Callbacks that were queued, or whose timer or worker was under way, when the app began to
close. Textual marks the whole tree as being taken down and removes children before a parent's
queue is done; each callback here then runs on a widget with no children and must do nothing
(it raised NoMatches: a traceback at a quick quit, an intermittent failure at a test's end).
The ordering is forced: the tree is taken down first, the captured callback runs after."""

from __future__ import annotations

import inspect
import threading
import time
from types import SimpleNamespace

import seed004
from textual.worker import WorkerState

from specui import bridge
from specui.core.questions import normalize_question_input
from specui.ui.app import SpecuiApp
from specui.ui.screens.bridge_question import BridgeQuestionApp

from .conftest import LARGE, SMALL, make_app, settle


async def wait_until(pilot, predicate, timeout: float = 10.0) -> None:
    start = time.perf_counter()
    while not predicate():
        assert time.perf_counter() - start < timeout, "condition not met in time"
        await pilot.pause(0.02)


async def take_down(widget) -> None:
    """What App._prune does at close, up to the point where a queued callback can still run:
    every node is marked as being taken down and the children are gone."""
    for node in widget.walk_children(with_self=True):
        node._pruning = True
    await widget.query_children().remove()


async def run(callback, *args) -> None:
    result = callback(*args)
    if inspect.isawaitable(result):
        await result


def blocked_load(monkeypatch) -> tuple[threading.Event, object]:
    """The store's load (boot's second stage) waits for the event; the real loader is returned."""
    from specui.ui.services import boot

    real_load = boot.load_backend
    gate = threading.Event()

    def slow_load(*args, **kwargs):
        gate.wait(timeout=30)
        return real_load(*args, **kwargs)

    monkeypatch.setattr(boot, "load_backend", slow_load)
    return gate, real_load


async def test_boot_stages_arriving_while_the_app_closes_do_nothing(project, monkeypatch):
    from specui.ui.services.boot import StagedStart

    gate, real_load = blocked_load(monkeypatch)
    app = SpecuiApp(project, watch=False, blink=False)
    try:
        async with app.run_test(size=SMALL) as pilot:
            await wait_until(pilot, lambda: bool(app.query("#question")))  # the saved question
            await take_down(app.workbench)
            await run(StagedStart(app)._show_saved, None)  # the peek finishing now
            app.backend_loaded(real_load(project))  # the store loading now
            assert app.store is None and not app._attached
            gate.set()  # the real second stage ends too, with nothing to do
            await pilot.pause(0.2)
            assert app.store is None
    finally:
        gate.set()


async def test_the_panes_queued_after_the_first_question_are_not_mounted_at_close(
    project, monkeypatch
):
    gate, real_load = blocked_load(monkeypatch)
    app = SpecuiApp(project, watch=False, blink=False)
    try:
        async with app.run_test(size=SMALL) as pilot:
            await wait_until(pilot, lambda: bool(app.query("#question")))
            screen = app.workbench
            queued: list = []
            monkeypatch.setattr(screen, "call_after_refresh",
                                lambda cb, *a: queued.append((cb, a)))
            app.backend_loaded(real_load(project))  # live: attaches and queues the panes
            assert app._attached and any(cb == app._after_first_question for cb, _ in queued)
            await take_down(screen)
            for callback, args in queued:
                await run(callback, *args)
            assert not screen.panes
    finally:
        gate.set()


async def test_the_question_panes_timer_at_close_does_nothing(project):
    app = make_app(project)
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        pane = app.query_one("#question")
        session = pane._session.model_copy(deep=True)
        session.interview.engine.status = "thinking"
        pane._session = session
        pane._tick()  # live: the elapsed time moves
        await take_down(pane)
        pane._tick()


async def test_the_pickers_delayed_hint_at_close_does_nothing(project, monkeypatch):
    app = make_app(project)
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        picker = app.query_one("#picker")
        timers: list = []
        monkeypatch.setattr(picker, "set_timer", lambda _delay, cb: timers.append(cb))
        picker.wait("Saving your answer…", after=0.5)
        await take_down(picker)
        timers[0]()


async def test_a_section_rendered_in_a_thread_arriving_at_close_is_dropped(project):
    app = make_app(project)
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        view = app.query_one("SpecView")
        await wait_until(pilot, lambda: view._rendered_key is not None)
        done = SimpleNamespace(
            worker=SimpleNamespace(group="section-render", result=(view._rendered_key, 40, [])),
            state=WorkerState.SUCCESS,
        )
        await take_down(view)
        view.on_worker_state_changed(done)


async def test_the_bridge_questions_hold_ending_at_close_does_nothing(project):
    request = bridge.post_request(project, normalize_question_input(seed004.SINGLE),
                                  target="standalone")
    app = BridgeQuestionApp(project, request)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        screen = app.screen
        app.last_key_at = 0.0  # typing paused long ago: the hold would end now
        await take_down(screen)
        screen._release()


async def test_an_interviewer_that_fails_to_start_as_the_app_closes_is_only_reported(project):
    from specui.core.errors import SpecuiError
    from specui.ui.services.workers import WorkerGroup

    app = make_app(project)
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        app.engine = None  # the interviewer never came up
        failed = SimpleNamespace(
            worker=SimpleNamespace(group=WorkerGroup.ENGINE.value, error=SpecuiError("no SPEC.md")),
            state=WorkerState.ERROR,
        )
        await take_down(app.workbench)
        app.on_worker_state_changed(failed)


async def test_a_runner_command_waiting_for_the_first_view_is_dropped_at_close(project):
    """A run key pressed before the runner's first view waits for it; quit before it comes and
    the view arriving during the close must not start the phase (a detached run nobody sees)."""
    app = make_app(project)
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        pane = app.query_one("RunnerPane")
        view = pane.runner_view
        started: list[int] = []
        pane._waiting_for_view = lambda: started.append(1)
        await take_down(pane)
        pane._apply_view(view, "a refresh error arriving as the pane goes")
        assert started == []
