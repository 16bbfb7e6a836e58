"""A run whose log file was deleted or moved (found in tmux: L, a run whose log had been moved
away, Enter): the pane showed an empty log and "following · 0 lines" as if the run had written
nothing. The status line says the file is gone, for a past run and for the latest run."""

from __future__ import annotations

from pathlib import Path

from specui.core.config import RunnerConfig
from specui.core.paths import Project
from specui.store import SessionStore
from specui.ui.screens.runner import PastRunsScreen
from specui.ui.widgets.runner_pane import RunnerPane

from .test_runner_pane import NOW, FakeManager, PaneApp, add_run, text_of, wait_for


def setup(tmp_path: Path):
    project = Project.at(tmp_path)
    store = SessionStore.open(project)
    manager = FakeManager(project, store, RunnerConfig())
    older = add_run(store, project, "tasks", "done", lines=3, n=1, ended=NOW,
                    log="orchestrator/tasks-1.md")
    newer = add_run(store, project, "implement", "done", lines=5, n=2, ended=NOW,
                    log="orchestrator/implement-2.md")
    return project, store, manager, older, newer


async def test_a_past_run_whose_log_is_gone_says_so(tmp_path: Path) -> None:
    project, store, manager, older, _newer = setup(tmp_path)
    (project.root / older.log).unlink()
    async with PaneApp(project, store, manager).run_test(size=(160, 30)) as pilot:
        app = pilot.app
        pane = app.query_one(RunnerPane)
        await wait_for(pilot, lambda: pane.runner_view is not None)
        assert "gone" not in text_of(app, "#runner-status")
        pane.past_runs()
        await wait_for(pilot, lambda: isinstance(app.screen, PastRunsScreen))
        await pilot.press("down", "down", "enter")
        await wait_for(pilot, lambda: "viewing past run tasks" in text_of(app, "#runner-status"))
        assert "orchestrator/tasks-1.md is gone" in text_of(app, "#runner-status")


async def test_the_latest_run_whose_log_is_gone_says_so(tmp_path: Path) -> None:
    project, store, manager, _older, newer = setup(tmp_path)
    (project.root / newer.log).unlink()
    async with PaneApp(project, store, manager).run_test(size=(160, 30)) as pilot:
        pane = pilot.app.query_one(RunnerPane)
        await wait_for(pilot, lambda: pane.runner_view is not None)
        await wait_for(pilot, lambda: "last: implement" in text_of(pilot.app, "#runner-status"))
        assert "orchestrator/implement-2.md is gone" in text_of(pilot.app, "#runner-status")
