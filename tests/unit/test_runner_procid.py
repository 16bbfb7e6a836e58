"""procid: the start time + boot id that tell a process from a later one with the same pid."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from specui.runner.procid import boot_id, identify, is_same_process, process_start_time


def _ticks_now() -> float:
    uptime = float(Path("/proc/uptime").read_text().split()[0])
    return uptime * os.sysconf("SC_CLK_TCK")


def test_start_time_parsed_after_the_last_paren(tmp_path: Path) -> None:
    """A command name with spaces and ')' must not shift the fields."""
    weird = tmp_path / "x) 1 2 3 ("
    shutil.copy("/bin/sleep", weird)
    proc = subprocess.Popen([str(weird), "30"])
    try:
        time.sleep(0.05)
        start = process_start_time(proc.pid)
        assert start is not None
        assert process_start_time(os.getpid()) <= start <= _ticks_now() + 1
        assert _ticks_now() - start < 10 * os.sysconf("SC_CLK_TCK")
    finally:
        proc.kill()
        proc.wait()


def test_same_process_until_it_exits() -> None:
    proc = subprocess.Popen(["sleep", "30"])
    ident = identify(proc.pid)
    assert ident is not None and ident.boot_id == boot_id()
    assert is_same_process(proc.pid, ident.start_time, ident.boot_id)
    assert is_same_process(proc.pid, ident.start_time, ident.boot_id, marker=b"sleep")
    assert not is_same_process(proc.pid, ident.start_time, ident.boot_id, marker=b"specui")
    assert not is_same_process(proc.pid, ident.start_time + 1, ident.boot_id)  # a later process
    assert not is_same_process(proc.pid, ident.start_time, "another-boot")
    assert not is_same_process(proc.pid, None, ident.boot_id)  # nothing recorded: unverified
    proc.kill()
    time.sleep(0.1)  # a zombie now (not reaped): gone, unless zombies are allowed
    assert not is_same_process(proc.pid, ident.start_time, ident.boot_id)
    assert is_same_process(proc.pid, ident.start_time, ident.boot_id, allow_zombie=True)
    proc.wait()
    assert not is_same_process(proc.pid, ident.start_time, ident.boot_id, allow_zombie=True)
    assert identify(proc.pid) is None
