"""Process identity: tell "the process that owns this run" from a later process with its pid.

A pid alone names a process only while it lives: once it exits the number is free, and the
kernel hands it to the next process (on a busy machine within minutes). A run's status.json
outlives both its supervisor and its agent, so before anything is signalled, the pid read from
it must be shown to still be *that* process. Linux gives every process a start time (clock
ticks since boot, /proc/<pid>/stat field 22) that never changes and, together with the pid and
the boot id (/proc/sys/kernel/random/boot_id), identifies it uniquely: a reused pid has a
later start time, and a reboot changes the boot id.

Everything here is read-only and never raises: when a fact cannot be read the answer is "not
verified", and callers must then not signal anything (they report the run as ended instead).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from specui.core.loader import LoadError, read_file_bytes

__all__ = [
    "ProcessIdentity",
    "boot_id",
    "group_exists",
    "identify",
    "is_same_process",
    "pid_file_text",
    "process_cmdline",
    "process_start_time",
    "read_pid_file",
]

PID_FILE_LIMIT = 4096

_PROC = Path("/proc")


@dataclass(frozen=True)
class ProcessIdentity:
    pid: int
    start_time: int
    boot_id: str


def boot_id() -> str | None:
    """This boot's id (changes on every reboot), or None where /proc does not have it."""
    try:
        value = (_PROC / "sys" / "kernel" / "random" / "boot_id").read_text().strip()
    except OSError:
        return None
    return value or None


def _stat_fields(pid: int) -> list[str] | None:
    """Fields 3.. of /proc/<pid>/stat (after the command name, which may hold ')' or spaces)."""
    if pid <= 0:
        return None
    try:
        stat = (_PROC / str(pid) / "stat").read_bytes()
    except OSError:
        return None
    close = stat.rfind(b")")
    if close == -1:
        return None
    return stat[close + 1 :].decode("ascii", "replace").split()


def process_start_time(pid: int, *, allow_zombie: bool = False) -> int | None:
    """Start time of `pid` in clock ticks since boot (stat field 22); None when there is no
    such live process (a zombie counts as gone unless `allow_zombie`)."""
    fields = _stat_fields(pid)
    # fields[0] is field 3 (state), so field 22 (starttime) is fields[19].
    if fields is None or len(fields) < 20:
        return None
    if not allow_zombie and fields[0] in ("Z", "X", "x"):
        return None
    try:
        return int(fields[19])
    except ValueError:
        return None


def process_cmdline(pid: int) -> bytes | None:
    try:
        return (_PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return None


def identify(pid: int | None, *, allow_zombie: bool = False) -> ProcessIdentity | None:
    """The identity of live process `pid` (for recording in status.json), or None."""
    if not pid or pid <= 0:
        return None
    boot = boot_id()
    start = process_start_time(pid, allow_zombie=allow_zombie)
    if boot is None or start is None:
        return None
    return ProcessIdentity(pid, start, boot)


def is_same_process(
    pid: int | None,
    start_time: int | None,
    recorded_boot_id: str | None,
    *,
    marker: bytes | None = None,
    allow_zombie: bool = False,
) -> bool:
    """True only when `pid` is verifiably still the live (non-zombie) process recorded as
    (`pid`, `start_time`, `recorded_boot_id`) and, with `marker`, its command line holds it.
    `allow_zombie`: an exited but unreaped process still counts (its pid cannot be reused yet).

    Anything missing or unreadable -> False: callers treat that as "gone" and signal nothing.
    """
    if not pid or pid <= 0 or pid == 1 or start_time is None or not recorded_boot_id:
        return False
    if boot_id() != recorded_boot_id:
        return False
    if process_start_time(pid, allow_zombie=allow_zombie) != start_time:
        return False
    if marker is not None:
        cmdline = process_cmdline(pid)
        if cmdline is None or marker not in cmdline:
            return False
        # The cmdline was read after the start time: make sure the pid was not reused between.
        if process_start_time(pid, allow_zombie=allow_zombie) != start_time:
            return False
    return True


def group_exists(pgid: int) -> bool:
    """True when some process is in group `pgid` (signal 0: checks, sends nothing)."""
    if pgid <= 1:
        return False
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def pid_file_text(pid: int) -> str:
    """A pid file's content: the pid, then its start time and the boot id when /proc has them
    (read back by read_pid_file; the same format as the workbench's .specui/workbench.pid)."""
    ident = identify(pid)
    second = f"{ident.start_time} {ident.boot_id}" if ident is not None else ""
    return f"{pid}\n{second}\n"


def read_pid_file(path: Path, *, marker: bytes | None = None) -> int | None:
    """The pid a pid file names, only while it is verifiably the same live process (pid, start
    time and boot id; with `marker`, also in its command line). A file without the identity
    is trusted only where /proc cannot tell (no boot id); a bad or hostile file is None."""
    try:
        data = read_file_bytes(path, what=str(path), max_bytes=PID_FILE_LIMIT,
                               follow_symlinks=False)
        lines = data.decode("ascii").splitlines()
        pid = int(lines[0].strip())
    except (LoadError, UnicodeDecodeError, IndexError, ValueError):
        return None
    parts = lines[1].split() if len(lines) > 1 else []
    if len(parts) == 2 and parts[0].isdigit():
        return pid if is_same_process(pid, int(parts[0]), parts[1], marker=marker) else None
    if boot_id() is not None or pid <= 1:
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except OSError:
        pass
    return pid
