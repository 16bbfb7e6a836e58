"""procid: the start time + boot id that tell a process from a later one with the same pid."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from specui.runner.procid import (
    boot_id,
    identify,
    is_same_process,
    pid_file_text,
    process_start_time,
    read_pid_file,
)


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


def test_pid_file_round_trip_needs_pid_and_start_time(tmp_path: Path) -> None:
    path = tmp_path / "x.pid"
    proc = subprocess.Popen(["sleep", "30"])
    try:
        path.write_text(pid_file_text(proc.pid))
        first, second = path.read_text().splitlines()
        assert int(first) == proc.pid and second.split()[1] == boot_id()
        assert read_pid_file(path) == proc.pid
        assert read_pid_file(path, marker=b"sleep") == proc.pid
        assert read_pid_file(path, marker=b"specui") is None  # not the process it claims
        path.write_text(f"{proc.pid}\n")  # no start time: not trusted where /proc has one
        assert read_pid_file(path) is None
        path.write_text(f"{proc.pid}\n{int(second.split()[0]) + 1} {boot_id()}\n")
        assert read_pid_file(path) is None  # a later process with the same pid
    finally:
        proc.kill()
        proc.wait()
    path.write_text(pid_file_text(os.getpid()))
    assert read_pid_file(path) == os.getpid()


def test_pid_file_garbage_is_nobody(tmp_path: Path) -> None:
    path = tmp_path / "x.pid"
    for text in ["", "abc\n", "1\n", "-5\n", "99999999999999999999\n", "1\n1 2 3\n"]:
        path.write_text(text)
        assert read_pid_file(path) is None, text
    assert read_pid_file(tmp_path / "missing.pid") is None
    (tmp_path / "dir.pid").mkdir()
    assert read_pid_file(tmp_path / "dir.pid") is None
