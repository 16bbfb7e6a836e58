"""`c` (continue implement) when tasks.md is complete: seen in tmux (p7, tasks 3/3, `c`), it
started another implement agent with "continue phase implement" on a finished task list,
without a word. It says there is nothing to continue; `p` still runs implement on purpose."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from specui.core.config import RunnerConfig
from specui.core.paths import Project
from specui.store import SessionStore
from specui.ui.widgets.runner_pane import RunnerPane

from .test_runner_pane import NOW, FakeManager, PaneApp, add_run, wait_for


def implemented(tmp_path: Path, tasks_md: str) -> tuple[Project, SessionStore, FakeManager]:
    project = Project.at(tmp_path)
    feature = tmp_path / "specs" / "001-demo"
    feature.mkdir(parents=True)
    (feature / "tasks.md").write_text(tasks_md)
    store = SessionStore.open(project)
    for n, phase in enumerate(("constitution", "specify", "plan", "tasks", "implement"), 1):
        add_run(store, project, phase, "done", n=n, ended=NOW - timedelta(minutes=10 - n))
    return project, store, FakeManager(project, store, RunnerConfig())


async def test_continue_with_every_task_done_starts_nothing(tmp_path: Path) -> None:
    project, store, manager = implemented(tmp_path, "- [x] T001 a\n- [X] T002 b\n")
    async with PaneApp(project, store, manager).run_test(size=(160, 30)) as pilot:
        app = pilot.app
        pane = app.query_one(RunnerPane)
        await wait_for(pilot, lambda: pane.runner_view is not None)
        pane.continue_implement()
        await pilot.pause(0.3)
        assert manager.calls == []
        said = [n.message for n in app._notifications]
        assert any("implement is done: nothing to continue" in m for m in said), said


async def test_continue_with_tasks_open_continues(tmp_path: Path) -> None:
    project, store, manager = implemented(tmp_path, "- [x] T001 a\n- [ ] T002 b\n")
    async with PaneApp(project, store, manager).run_test(size=(160, 30)) as pilot:
        pane = pilot.app.query_one(RunnerPane)
        await wait_for(pilot, lambda: pane.runner_view is not None)
        pane.continue_implement()
        await wait_for(pilot, lambda: bool(manager.calls))
        assert manager.calls[0][:2] == ("start", "implement")
