"""A workbench stays reachable by `specui question` after a second workbench on the same
folder opened and quit (trial4: the second one took workbench.pid over, removed it on quit, and
the first — still open — was "no specui workbench is open" from then on)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from specui import bridge
from specui.core.paths import Project

SECOND_WORKBENCH = """
import sys
from specui import bridge
from specui.core.paths import Project
project = Project.at(sys.argv[1])
bridge.write_workbench_pid(project)
assert bridge.running_workbench(project).pid != int(sys.argv[2])
bridge.remove_workbench_pid(project)
"""


@pytest.fixture
def announced(tmp_path: Path) -> Iterator[Project]:
    """This process is the folder's open workbench (its pid file is removed afterwards)."""
    project = Project.at(tmp_path)
    bridge.write_workbench_pid(project)
    try:
        yield project
    finally:
        bridge.remove_workbench_pid(project)


def _scan_takes_the_folder_back(project: Project) -> None:
    bridge.pending_requests(project)  # the open workbench's next scan
    stamp = bridge.running_workbench(project)
    assert stamp is not None and stamp.pid == os.getpid()


def test_the_open_workbench_takes_the_folder_back(announced: Project) -> None:
    subprocess.run([sys.executable, "-c", SECOND_WORKBENCH, str(announced.root),
                    str(os.getpid())], check=True, timeout=30)
    assert bridge.running_workbench(announced) is None  # the second one removed the file
    _scan_takes_the_folder_back(announced)


def test_a_dead_second_workbench_is_replaced_too(announced: Project) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    bridge.pid_path(announced).write_text(f"{dead.pid}\n")  # it crashed without cleaning up
    _scan_takes_the_folder_back(announced)


def test_a_scan_never_announces_a_process_that_did_not(tmp_path: Path) -> None:
    project = Project.at(tmp_path)
    bridge.pending_requests(project)
    assert bridge.running_workbench(project) is None
