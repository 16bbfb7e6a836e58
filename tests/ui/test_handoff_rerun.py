"""Handoff option 1 ("run the Spec Kit phases here") in a project whose phases already ran:
found in tmux after constitution → implement had all finished, `r H 1` started constitution
again at once (with a real agent it rewrites the constitution, and every later phase is then
stale). It asks first; a project whose first phase never completed starts it as before."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from specui.core.config import RunnerConfig
from specui.core.paths import Project
from specui.core.spec import render_spec_template
from specui.store import SessionStore
from specui.ui.screens.confirm import ConfirmScreen
from specui.ui.widgets.runner_pane import RunnerPane

from .test_runner_pane import NOW, FakeManager, PaneApp, add_run, wait_for


def handed_off(tmp_path: Path) -> tuple[Project, SessionStore, FakeManager]:
    project = Project.at(tmp_path)
    project.orchestrator_input.parent.mkdir(parents=True, exist_ok=True)
    project.orchestrator_input.write_text(
        "<constitution>c</constitution>\n<specify>s</specify>\n<plan>p</plan>\n")
    project.spec.write_text(render_spec_template("demo"))
    store = SessionStore.open(project)
    return project, store, FakeManager(project, store, RunnerConfig())


async def press_handoff_1(pilot) -> None:
    pane = pilot.app.query_one(RunnerPane)
    await wait_for(pilot, lambda: pane.runner_view is not None)
    pane.focus()
    await pilot.press("H")
    await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "HandoffScreen")
    await pilot.press("1")


async def test_option_1_after_the_phases_ran_asks_before_running_them_again(tmp_path) -> None:
    project, store, manager = handed_off(tmp_path)
    add_run(store, project, "constitution", "done", n=1, ended=NOW - timedelta(minutes=9))
    add_run(store, project, "specify", "done", n=2, ended=NOW - timedelta(minutes=8))
    async with PaneApp(project, store, manager).run_test(size=(120, 36)) as pilot:
        await press_handoff_1(pilot)
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))
        body = str(pilot.app.screen.query_one("#confirm-body").render())
        assert "n runs the next phase instead (plan)." in body
        assert manager.calls == []
        await pilot.press("n")  # keep what ran
        await pilot.pause(0.3)
        assert manager.calls == []
        await press_handoff_1(pilot)
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: bool(manager.calls))
        assert manager.calls[0][:2] == ("start", "constitution")


async def test_option_1_in_a_fresh_project_starts_the_first_phase(tmp_path) -> None:
    project, store, manager = handed_off(tmp_path)
    async with PaneApp(project, store, manager).run_test(size=(120, 36)) as pilot:
        await press_handoff_1(pilot)
        await wait_for(pilot, lambda: bool(manager.calls))
        assert manager.calls[0][:2] == ("start", "constitution")
        assert not isinstance(pilot.app.screen, ConfirmScreen)
