"""Two specui processes on one project (a workbench and `specui run`, or two workbenches) never
run two phases at once, and a run's end is followed up once (trial4: with `auto_continue = true`
a workbench and `specui run implement` each followed up the same run's end: two implement
attempts started in the same second under one run id, one log, two agents in the repo)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from test_runner_manager import make_project, manager_for, wait_for, write_tasks

from specui.core.errors import SpecuiError
from specui.runner.supervisor import read_status

ONE_TASK_SLOWLY = """
import pathlib, sys, time
sys.stdin.read()
time.sleep(0.5)
tasks = pathlib.Path("specs/001-demo/tasks.md")
tasks.write_text(tasks.read_text().replace("- [ ]", "- [X]", 1))
print("one task")
"""


def test_a_second_process_cannot_start_while_the_first_runs(tmp_path: Path) -> None:
    project = make_project(tmp_path, ONE_TASK_SLOWLY)
    write_tasks(tmp_path, 3)
    first = manager_for(project)
    second = manager_for(project)  # opened before the run: its view of the store is older
    run = first.start("implement", force=True)
    # Its view stays stale until the claim (as a process that read the file just before the
    # first one recorded its run): the refusal must come from the claim's locked re-read.
    second.store.reload = lambda: None  # type: ignore[method-assign]
    with pytest.raises(SpecuiError, match="already running"):
        second.start("implement", force=True)
    wait_for(lambda: (first.refresh(), first.active() is None)[1], timeout=20)
    assert [r.run_id for r in first.store.state.runs] == [run.run_id]


def test_a_runs_end_is_followed_up_once(tmp_path: Path) -> None:
    project = make_project(tmp_path, ONE_TASK_SLOWLY)
    write_tasks(tmp_path, 2)
    one = manager_for(project, auto_continue=True, max_continues=5)
    other = manager_for(project, auto_continue=True, max_continues=5)
    first = one.start("implement", force=True)
    other.store.reload()  # its file watcher: both now know the run as running
    wait_for(lambda: (s := read_status(one.run_dir(first.run_id))) is not None and s.ended,
             timeout=20)
    other.refresh()  # sees the end first: it continues
    one.refresh()    # sees the same end (its store still said running): nothing more
    for manager in (other, one):
        wait_for(lambda m=manager: (m.refresh(), m.active() is None)[1], timeout=20)
    time.sleep(0.3)
    one.refresh()
    other.refresh()
    runs = one.store.state.runs
    assert [r.attempt for r in runs if r.phase == "implement"] == [1, 2], runs
    assert len({r.run_id for r in runs}) == len(runs)
    assert not any("could not start" in r.message for r in runs), [r.message for r in runs]


def test_auto_continue_set_in_one_window_is_followed_in_the_other(tmp_path: Path) -> None:
    """A pressed in one workbench, the run's end seen first by another (whose own setting is
    off): the run is continued all the same (review: it stopped at tasks 1/2)."""
    project = make_project(tmp_path, ONE_TASK_SLOWLY)
    write_tasks(tmp_path, 2)
    one = manager_for(project, auto_continue=False, max_continues=5)
    other = manager_for(project, auto_continue=False, max_continues=5)
    first = one.start("implement", force=True)
    one.set_auto_continue(True)  # A, in the first window only
    other.store.reload()
    wait_for(lambda: (s := read_status(one.run_dir(first.run_id))) is not None and s.ended,
             timeout=20)
    other.refresh()  # sees the end first
    assert other.auto_continue_for(first)
    for manager in (other, one):
        wait_for(lambda m=manager: (m.refresh(), m.active() is None)[1], timeout=20)
    runs = other.store.state.runs
    assert [r.attempt for r in runs if r.phase == "implement"] == [1, 2], runs


def test_a_start_that_cannot_lock_the_session_is_refused(tmp_path: Path, monkeypatch) -> None:
    """The claim is one locked update on the file as on disk: when the lock cannot be taken
    (or the file re-read), the start says so instead of trusting this process's view."""
    import os as _os

    project = make_project(tmp_path, ONE_TASK_SLOWLY)
    write_tasks(tmp_path, 1)
    manager = manager_for(project)
    real_open = _os.open

    def no_lock(path, *args, **kwargs):
        if str(path).endswith(".session.lock"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("specui.store.os.open", no_lock)
    with pytest.raises(SpecuiError, match="cannot lock .*session.json against other specui"):
        manager.start("implement", force=True)
    assert manager.store.state.runs == []
