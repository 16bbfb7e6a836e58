"""A run whose supervisor has not written its first status yet (the first second of every run,
seen in tmux as `▶ implement #2 · elapsed 0s · last progress — ago`): the status line says the
run is starting instead of an empty duration."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from specui.core.config import RunnerConfig
from specui.core.paths import Project
from specui.store import SessionStore
from specui.ui.widgets.runner_pane import RunnerPane

from .test_runner_pane import NOW, FakeManager, PaneApp, add_run, text_of, wait_for, write_status


async def test_a_run_without_its_first_status_is_starting(tmp_path: Path) -> None:
    project = Project.at(tmp_path)
    store = SessionStore.open(project)
    manager = FakeManager(project, store, RunnerConfig())
    run = add_run(store, project, "implement", "running", started=NOW)
    async with PaneApp(project, store, manager).run_test(size=(160, 30)) as pilot:
        pane = pilot.app.query_one(RunnerPane)
        await wait_for(pilot, lambda: pane.runner_view is not None
                       and "▶ implement" in text_of(pilot.app, "#runner-status"))
        status = text_of(pilot.app, "#runner-status")
        assert "—" not in status
        assert "▶ implement · elapsed 0s · starting" in status
        write_status(project, run, last_progress_at=NOW - timedelta(seconds=3))
        await wait_for(pilot, lambda: "last progress 3s ago" in text_of(pilot.app, "#runner-status"))
