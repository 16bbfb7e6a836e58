"""Start-up as `specui DIR` runs it (issue 3's target): the first frame is a light shell painted
before the config, the store (pydantic) and the panes are loaded; they arrive just after it.
Also: a bad specui.toml value still ends in one line on stderr, and the heap is frozen once."""

from __future__ import annotations

import gc
import subprocess
import sys
import threading
import time

import pytest
from textual.app import App

from specui.ui.app import SpecuiApp

from .conftest import SMALL


class Probe(SpecuiApp):
    """Records what the first frame held (Textual's Ready: the first screen refresh is done)."""

    first_frame: dict | None = None

    def on_ready(self) -> None:  # SpecuiApp.on_ready also runs (Textual calls both)
        self.first_frame = {
            "store": self.store,
            "boot": [w.id for w in self.query(".boot")],
            "panes": [w.id for w in self.query("#question, #picker, #spec")],
            "progress": str(self.query_one("#progress").render()),
            "theme": self.theme,
            "pane_css_read": any(str(p).endswith("panes.tcss") for p in self.css_path),
        }


async def wait_until(pilot, predicate, timeout: float = 10.0) -> None:
    start = time.perf_counter()
    while not predicate():
        assert time.perf_counter() - start < timeout, "condition not met in time"
        await pilot.pause(0.02)


async def test_first_frame_is_a_shell_then_the_session_and_panes_arrive(project):
    project.config.write_text('# mine\n[ui]\ntheme = "specui-light"\n')
    app = Probe(project, watch=False, blink=False)
    assert app.store is None and app.config is None  # nothing heavy before the first frame
    async with app.run_test(size=SMALL) as pilot:
        await wait_until(pilot, lambda: app.first_frame is not None)
        first = app.first_frame
        assert first["store"] is None
        assert first["boot"] == ["boot-main", "boot-side"] and first["panes"] == []
        assert first["progress"].startswith("Spec Creation Progress: ░░░░░░░░░░░░ …")
        assert first["theme"] == "specui-light"  # no theme switch (full restyle) later
        assert not first["pane_css_read"]
        # ...then the session loads, the panes replace the shell and the engine asks.
        await wait_until(pilot, lambda: app.store is not None and app.engine is not None)
        await wait_until(pilot, lambda: app.store.state.interview.current is not None)
        await pilot.pause(0.1)
        assert not app.query(".boot")
        question = app.query_one("#q-text").render()
        assert str(question) == app.store.state.interview.current.question.question
        assert app.query_one("#units").styles.width.value == 26  # panes.tcss applied (narrow)
        assert app.focused is not None and app.focused.id in ("choices", "free-text")
        assert "Spec Creation Progress: ░░░░░░░░░░░░ 0%" in str(app.query_one("#progress").render())
        assert app.theme == "specui-light"


async def test_heap_is_frozen_once_after_start(project, monkeypatch):
    """gc.freeze() runs exactly once, after start-up (counted, not read from the process-wide
    freeze count, which other apps in the same test process also move)."""
    calls: list[int] = []
    monkeypatch.setattr(gc, "freeze", lambda: calls.append(1))
    app = SpecuiApp(project, watch=False, blink=False)
    async with app.run_test(size=SMALL) as pilot:
        await wait_until(pilot, lambda: app._frozen)
        assert calls == [1]
        assert app.query("#picker")  # the panes were mounted before the freeze
        app._freeze_heap()  # a second call does nothing
        assert calls == [1]


def _run_headless(monkeypatch) -> None:
    """run_app calls app.run(); make that headless so the test never takes the terminal."""

    def run(self, **_kwargs):
        return App.run(self, headless=True, size=SMALL)

    monkeypatch.setattr(SpecuiApp, "run", run)


def test_bad_config_value_closes_the_workbench_with_one_line(project, capsys, monkeypatch):
    from specui.ui.app import run_app

    _run_headless(monkeypatch)
    project.config.write_text("[ui]\ntheme = 3\n")
    assert run_app(project) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("specui: error: specui.toml")


def test_bad_toml_is_reported_before_the_terminal_is_taken(project, capsys, monkeypatch):
    from specui.ui.app import run_app

    def run(self, **_kwargs):
        raise AssertionError("the workbench must not start")

    monkeypatch.setattr(SpecuiApp, "run", run)
    project.config.write_text("[ui\ntheme = 'x'\n")
    assert run_app(project) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("specui: error: specui.toml")


@pytest.mark.parametrize("module", ["specui.ui.app", "specui.cli"])
def test_first_frame_imports_stay_light(module):
    """The first frame needs neither pydantic (store, config) nor the panes' widget modules."""
    heavy = (
        "pydantic",
        "tomlkit",
        "specui.store",
        "specui.ui.widgets.option_picker",
        "specui.ui.widgets.spec_view",
        "textual.widgets._text_area",
    )
    code = f"import sys, {module}; print(','.join(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_the_saved_question_is_painted_without_pydantic():
    """The boot thread imports the answer widgets to paint the saved question before the
    store (pydantic, ~150 ms) loads: none of them may bring it in (the question pane's import
    of the engine registry did, and the saved question came ~100 ms later)."""
    from specui.ui.services.boot import PANE_MODULES

    imports = "; ".join(f"import {m}" for m in PANE_MODULES)
    code = (f"import sys, specui.ui.app; {imports}; "
            "print(','.join(m for m in ('pydantic', 'specui.store', 'specui.core.config') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


async def test_keys_pressed_before_the_panes_arrive_are_harmless(project, monkeypatch):
    from specui.store import SessionStore

    real_open = SessionStore.open.__func__
    loaded = []
    disk = threading.Event()  # a slow disk: the shell stays up while the user already types

    def slow_open(cls, proj):
        disk.wait(timeout=30)
        loaded.append(1)
        return real_open(cls, proj)

    monkeypatch.setattr(SessionStore, "open", classmethod(slow_open))
    app = SpecuiApp(project, watch=False, blink=False)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause(0.05)
        assert app.store is None and app.query(".boot")
        await pilot.press("s", "a", "r", "1", "f", "i", "x", "C", "f3", "enter")
        for title, _help, callback in app.palette_commands():
            if not title.startswith(("Theme", "Quit")):
                callback()  # the palette during loading: no crash either
        await pilot.pause(0.05)
        assert app.store is None and not loaded
        disk.set()
        await wait_until(pilot, lambda: app.store is not None and app.query("#question"))
        await wait_until(pilot, lambda: app.store.state.interview.current is not None)
        assert app.return_code is None and app.is_running


def _asked(project) -> str:
    """Leave the project as a returning user has it: a session waiting on its first question."""
    from specui.core.config import load_config
    from specui.interview.driver import InterviewDriver
    from specui.store import SessionStore

    store = SessionStore.open(project)
    InterviewDriver(project, store, load_config(project)).start()
    return store.state.interview.current.question.question


def _slow_store(monkeypatch) -> threading.Event:
    """A slow disk for the store (and so for the engine): released by setting the event."""
    from specui.store import SessionStore

    real_open = SessionStore.open.__func__
    disk = threading.Event()

    def slow_open(cls, proj):
        disk.wait(timeout=30)
        return real_open(cls, proj)

    monkeypatch.setattr(SessionStore, "open", classmethod(slow_open))
    return disk


async def _saved_question_on_screen(pilot, question: str) -> None:
    app = pilot.app
    await wait_until(pilot, lambda: bool(app.query("#q-text")))
    await wait_until(pilot, lambda: str(app.query_one("#q-text").render()) == question)


def _shown(app) -> list[str]:
    return [str(app.query_one(f"#{w}").render()) for w in ("q-header", "q-note", "q-text",
                                                            "q-engine")]


async def test_the_saved_question_is_on_screen_and_typeable_before_the_store_loads(
    project, monkeypatch
):
    question = _asked(project)
    disk = _slow_store(monkeypatch)
    app = SpecuiApp(project, watch=False, blink=False)
    async with app.run_test(size=SMALL) as pilot:
        await _saved_question_on_screen(pilot, question)
        assert app.store is None
        early = _shown(app)
        assert early[0].startswith("Round 1 | Target: ")
        await pilot.press(*"find reports")  # the overview is free text: typing goes in at once
        assert app.focused is not None and app.focused.id == "free-text"
        disk.set()
        await wait_until(pilot, lambda: app.store is not None and app.engine is not None)
        await wait_until(pilot, lambda: app.store.state.interview.draft is not None)
        assert _shown(app) == early  # the store's render draws the very same lines
        assert app.query_one("#free-text").text == "find reports"  # nothing typed was lost
        assert app.store.state.interview.draft.text == "find reports"


async def test_an_answer_submitted_before_the_store_loads_is_sent_once_it_has(
    project, monkeypatch
):
    question = _asked(project)
    disk = _slow_store(monkeypatch)
    app = SpecuiApp(project, watch=False, blink=False)
    async with app.run_test(size=SMALL) as pilot:
        await _saved_question_on_screen(pilot, question)
        await pilot.press(*"A CLI that finds slow reports for our ops team.", "ctrl+s")
        await pilot.pause(0.05)
        hint = str(app.query_one("#picker-hint").render())
        assert "once the interviewer is up" in hint and app.store is None
        disk.set()
        await wait_until(pilot, lambda: app.store is not None and app.store.state.interview.rounds)
        first = app.store.state.interview.rounds[0]
        assert first.question.question == question
        assert "finds slow reports" in first.answer.value
        await wait_until(pilot, lambda: str(app.query_one("#q-text").render()) != question)


async def test_keys_typed_before_the_question_is_painted_land_in_its_answer(project, monkeypatch):
    from specui import session_file

    question = _asked(project)
    real_peek = session_file.peek_pending
    painted = threading.Event()  # the first frame is up; the saved question not yet

    def slow_peek(proj):
        painted.wait(timeout=30)
        return real_peek(proj)

    monkeypatch.setattr(session_file, "peek_pending", slow_peek)
    app = SpecuiApp(project, watch=False, blink=False)
    async with app.run_test(size=SMALL) as pilot:
        await wait_until(pilot, lambda: bool(app.query(".boot")))
        assert not app.query("#q-text")
        await pilot.press(*"hello early")
        painted.set()
        await _saved_question_on_screen(pilot, question)
        await wait_until(pilot, lambda: app.query_one("#free-text").text == "hello early")
        await pilot.press(*" and late")
        await wait_until(pilot, lambda: app.query_one("#free-text").text == "hello early and late")




async def test_a_render_queued_before_the_app_closes_finds_nothing_to_do(project):
    """At close Textual marks the whole tree as being taken down and removes the children
    before the pane's own queue is done: the runner pane's first render (queued at mount), a
    refresh or a tail update then runs on a pane with no children and must do nothing (it
    raised NoMatches, a traceback at a quick Ctrl+Q)."""
    from specui.ui.widgets.runner_pane import RunnerPane

    app = SpecuiApp(project, watch=False, blink=False)
    async with app.run_test(size=SMALL) as pilot:
        await wait_until(pilot, lambda: app.query(RunnerPane))
        pane = app.query_one(RunnerPane)
        await wait_until(pilot, lambda: pane.runner_view is not None)
        for node in pane.walk_children(with_self=True):
            node._pruning = True  # what App._prune does to every node it takes down
        await pane.query_children().remove()
        pane._render_all()
        pane._render_tail()
        pane.refresh_now()
        for node in pane.walk_children(with_self=True):
            node._pruning = False
