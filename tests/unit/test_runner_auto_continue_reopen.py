"""Auto-continue turned on in the workbench (A) belongs to the run it started: a workbench
closed and reopened during that implement run still continues it until tasks.md is done
(trial4: after reopening, the pane said `auto-continue: off` and a run ending with tasks open
was left there, though the user had asked for it to go on unattended)."""

from __future__ import annotations

import time
from pathlib import Path

from test_runner_manager import make_project, manager_for, wait_for, write_tasks

# The first attempt waits for `go` (the workbench is "closed" meanwhile); each run checks one task.
GATED_ONE_TASK = """
import pathlib, sys, time
sys.stdin.read()
while not pathlib.Path("go").exists():
    time.sleep(0.05)
tasks = pathlib.Path("specs/001-demo/tasks.md")
tasks.write_text(tasks.read_text().replace("- [ ]", "- [X]", 1))
print("one task")
"""


def _finish(manager, tmp_path: Path, runs: int) -> list:
    (tmp_path / "go").write_text("")

    def settled() -> bool:
        manager.refresh()
        return manager.active() is None and len(manager.store.state.runs) >= runs

    wait_for(settled, timeout=30)
    time.sleep(0.3)
    manager.refresh()
    return manager.store.state.runs


def test_a_reopened_workbench_keeps_the_runs_auto_continue(tmp_path: Path) -> None:
    project = make_project(tmp_path, GATED_ONE_TASK)
    write_tasks(tmp_path, 3)
    first = manager_for(project, auto_continue=False, max_continues=5)
    first.set_auto_continue(True)  # the A key
    first.start("implement", force=True)
    del first  # the workbench quits; the run goes on

    reopened = manager_for(project, auto_continue=False, max_continues=5)
    assert reopened.config.auto_continue
    assert reopened.view().auto_continue  # the pane's "auto-continue: on"
    runs = _finish(reopened, tmp_path, 3)
    assert [r.attempt for r in runs] == [1, 2, 3]
    assert runs[-1].tasks_done == 3 and runs[-1].tasks_total == 3


def test_turned_off_during_the_run_stays_off_after_reopening(tmp_path: Path) -> None:
    project = make_project(tmp_path, GATED_ONE_TASK)
    write_tasks(tmp_path, 3)
    first = manager_for(project, auto_continue=True, max_continues=5)
    first.start("implement", force=True)
    first.set_auto_continue(False)
    del first

    reopened = manager_for(project, auto_continue=True, max_continues=5)
    assert not reopened.config.auto_continue
    runs = _finish(reopened, tmp_path, 1)
    assert len(runs) == 1 and runs[0].tasks_done == 1
