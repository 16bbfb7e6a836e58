"""A stop that lands while a run is still being launched (found in tmux: an overview typed into
the workbench before its first question ran r, n, the y of "by", then X and y within the same
second): the stop found no supervisor yet, recorded "stopped", and the supervisor started a
moment later and ran the agent on, unseen — 47 minutes later it was still there while the
runner said no phase was running (and `n` would have started a second one). The launch now
ends the supervisor it started when the run was stopped meanwhile."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import supervised

from specui.runner.manager import PhaseManager, pid_alive

SLOW = """
import sys, time
sys.stdin.read()
for i in range(120):
    print("tick", i, flush=True)
    time.sleep(0.25)
"""


def handed_off(tmp_path: Path) -> PhaseManager:
    return supervised.handed_off(tmp_path, agent=SLOW, stop_grace_seconds=1)


def test_a_stop_during_the_launch_ends_the_supervisor_it_started(tmp_path: Path) -> None:
    manager = handed_off(tmp_path)
    spawn = manager._spawn_detached

    def slow_spawn(run_dir: Path):
        time.sleep(0.4)  # the start worker a moment behind (a loaded machine)
        return spawn(run_dir)

    manager._spawn_detached = slow_spawn  # type: ignore[method-assign]
    starter = threading.Thread(target=lambda: manager.start("constitution"))
    starter.start()
    deadline = time.monotonic() + 10
    while not manager.store.state.runs and time.monotonic() < deadline:
        time.sleep(0.01)
    run = manager.store.state.runs[-1]
    manager.stop(run.run_id)  # X, y in the other worker, before the supervisor exists
    starter.join(30)
    record = manager.store.state.runs[-1]
    assert record.status == "stopped" and record.pid
    deadline = time.monotonic() + 15
    while pid_alive(record.pid, marker=run.run_id.encode()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not pid_alive(record.pid, marker=run.run_id.encode()), "the agent runs on unseen"
