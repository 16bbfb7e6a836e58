"""Trial6 K19: with the Codex engine the first question comes from a Codex turn, and until it
arrives no answer box is open, so a user who starts typing the overview types commands. In
tmux, "A CLI that renames photos by EXIF date…" went r (runner), n (run next: "The interview
is still on. Run constitution anyway?"), the y of "by" (Yes): constitution started. While the
engine prepares a question and none is on screen, a run key is refused in one line instead
of a confirm that the next typed letter answers."""

from __future__ import annotations

from pathlib import Path

from specui.core.config import RunnerConfig
from specui.core.paths import Project
from specui.store import SessionStore
from specui.ui.screens.confirm import ConfirmScreen
from specui.ui.widgets.runner_pane import RunnerPane

from .test_runner_pane import FakeManager, PaneApp, wait_for


def handed_off(tmp_path: Path) -> tuple[Project, SessionStore, FakeManager]:
    project = Project.at(tmp_path)
    project.orchestrator_input.parent.mkdir(parents=True, exist_ok=True)
    project.orchestrator_input.write_text(
        "<constitution>c</constitution>\n<specify>s</specify>\n<plan>p</plan>\n")
    store = SessionStore.open(project)
    return project, store, FakeManager(project, store, RunnerConfig())


def first_turn(session) -> None:
    session.interview.status = "active"
    session.interview.engine.status = "thinking"
    session.interview.engine.name = "codex"


async def test_run_keys_typed_before_the_first_question_start_nothing(tmp_path) -> None:
    project, store, manager = handed_off(tmp_path)
    store.update(first_turn)
    async with PaneApp(project, store, manager).run_test(size=(160, 30)) as pilot:
        app = pilot.app
        pane = app.query_one(RunnerPane)
        await wait_for(pilot, lambda: pane.runner_view is not None)
        pane.focus()
        await pilot.press("n", "y")  # "...renames photos by..."
        await pilot.pause(0.3)
        assert not isinstance(app.screen, ConfirmScreen)
        assert manager.calls == []
        said = [n.message for n in app._notifications]
        assert any("preparing its question" in m for m in said), said


async def test_once_the_engine_is_idle_the_confirm_is_back(tmp_path) -> None:
    project, store, manager = handed_off(tmp_path)
    store.update(lambda s: setattr(s.interview, "status", "active"))
    async with PaneApp(project, store, manager).run_test(size=(160, 30)) as pilot:
        app = pilot.app
        pane = app.query_one(RunnerPane)
        await wait_for(pilot, lambda: pane.runner_view is not None)
        pane.focus()
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
