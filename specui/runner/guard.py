"""Run one command so that nothing it starts outlives it: `python guard.py GRACE -- ARGV...`.

The supervisor starts the agent through this guard (Linux). The guard leads the agent's process
group and makes itself the agent's child subreaper (`PR_SET_CHILD_SUBREAPER`), so every process
the agent starts stays below it, even one that calls `setsid` or double-forks a daemon: when
its parent exits it is re-parented to the guard, not to init. It asks the kernel for SIGTERM
when the supervisor dies (`PR_SET_PDEATHSIG`), which covers a `kill -9` of the supervisor or of
a headless `specui run`, where nothing else could clean up.

- the agent exits: every descendant left is killed (SIGTERM, then SIGKILL) and reaped, and the
  guard exits the way the agent did (same code, or the same signal), so the supervisor reports
  exactly what it would without the guard;
- a stop (SIGTERM/SIGINT/SIGHUP while the supervisor lives): the supervisor signalled the whole
  group, so the guard passes the signal on to the descendants that left the group, waits for
  the agent the whole GRACE seconds and then kills what is left (the supervisor's SIGKILL of
  the group comes a moment later, in case the guard itself hangs);
- the supervisor died: everything below the guard is killed at once, then the guard exits.

Limit: a process started through another service (systemd-run, at, a container runtime, an
ssh session) is not a descendant and is not caught.

Standard library only and run with `python -S -E` by path: it starts in a few milliseconds and
imports nothing of specui, whose environment it must not depend on.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
START_FAILED = 127  # as a shell reports a command it cannot run


def prctl(option: int, value: int) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(option, value, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _parent_of(pid: str) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return None
    fields = data[data.rfind(b")") + 2 :].split()
    try:
        return int(fields[1])
    except (IndexError, ValueError):
        return None


def descendants(root: int) -> list[int]:
    """Every live process whose parent chain leads to `root` (one /proc snapshot)."""
    children: dict[int, list[int]] = {}
    try:
        names = os.listdir("/proc")
    except OSError:
        return []
    for name in names:
        if name.isdigit():
            parent = _parent_of(name)
            if parent is not None:
                children.setdefault(parent, []).append(int(name))
    found: list[int] = []
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), ()):
            found.append(child)
            todo.append(child)
    return found


def _signal_all(pids: list[int], sig: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except OSError:
            pass


def _reap(block_until: float) -> None:
    """Reap exited children (ours and adopted ones) until none is left or `block_until`."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            if time.monotonic() >= block_until:
                return
            time.sleep(0.01)


def sweep(grace: float) -> None:
    """SIGTERM every descendant, SIGKILL whatever is still there after `grace`, reap them all.
    Repeated a few times: a process may fork while it is being killed."""
    me = os.getpid()
    _signal_all(descendants(me), signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and descendants(me):
        _reap(time.monotonic())
        time.sleep(0.02)
    for _ in range(10):
        left = descendants(me)
        if not left:
            break
        _signal_all(left, signal.SIGKILL)
        _reap(time.monotonic() + 0.2)
    _reap(time.monotonic())


class Guard:
    def __init__(self, argv: list[str], grace: float) -> None:
        self.argv = argv
        self.grace = grace
        self.parent = os.getppid()
        self.agent: subprocess.Popen[bytes] | None = None
        self.stop_deadline: float | None = None

    def on_signal(self, signum: int, _frame: object) -> None:
        if os.getppid() != self.parent:  # the supervisor is gone: nobody else will clean up
            sweep(0.5)
            os._exit(128 + signum)
        if self.stop_deadline is None:
            # The group got the signal from the supervisor; the ones that left it did not.
            group = os.getpgrp()
            for pid in descendants(os.getpid()):
                try:
                    if os.getpgid(pid) != group:
                        os.kill(pid, signum)
                except OSError:
                    pass
            # The agent gets all of the grace it was promised; the supervisor's SIGKILL of the
            # group waits GUARD_MARGIN_S longer (supervisor.py), so the guard is still here to
            # kill and reap what left the group.
            self.stop_deadline = time.monotonic() + self.grace

    def run(self) -> int:
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self.on_signal)
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != self.parent:  # died before the request took effect
            return 128 + signal.SIGTERM
        try:
            self.agent = subprocess.Popen(self.argv)
        except OSError as exc:
            sys.stderr.write(f"specui: cannot start {self.argv[0]!r}: {exc.strerror or exc}\n")
            return START_FAILED if isinstance(exc, FileNotFoundError) else 126
        agent = self.agent
        while True:
            try:
                code = agent.wait(timeout=0.05)
                break
            except subprocess.TimeoutExpired:
                _reap(time.monotonic())  # adopted orphans that already exited
                if self.stop_deadline is not None and time.monotonic() >= self.stop_deadline:
                    _signal_all([agent.pid], signal.SIGKILL)
        sweep(0.0 if self.stop_deadline is not None else 0.2)
        return code


def main(args: list[str]) -> int:
    if len(args) < 3 or args[1] != "--":
        sys.stderr.write("usage: guard.py GRACE_SECONDS -- COMMAND [ARG...]\n")
        return 2
    grace, argv = float(args[0]), args[2:]
    if not prctl(PR_SET_CHILD_SUBREAPER, 1):
        try:
            os.execvp(argv[0], argv)  # nothing to add without a subreaper: be the command itself
        except OSError as exc:
            sys.stderr.write(f"specui: cannot start {argv[0]!r}: {exc.strerror or exc}\n")
            return START_FAILED if isinstance(exc, FileNotFoundError) else 126
    code = Guard(argv, grace).run()
    if code < 0:  # the agent died of a signal: die of the same one, as the agent did
        if -code not in (signal.SIGKILL, signal.SIGSTOP):  # these two have no handler to reset
            signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
        return 128 - code
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
