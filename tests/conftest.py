"""Test-wide isolation: no test reads or writes the developer's real home or config."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """Point HOME and XDG dirs at a throwaway folder so `~/.omx/config.toml` etc. never leak in."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.delenv("TMUX", raising=False)
    monkeypatch.delenv("SPECUI_THEME", raising=False)
    yield home


def pytest_configure(config):
    """Ctrl+C reaches the processes the tests start, as it does from a terminal: a shell that
    starts the suite in the background (`make test &`, nohup, some CI runners) ignores SIGINT
    in it, every child inherits that, and the tests that interrupt a child waited for ever."""
    import signal

    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _supervisors_under(root: str) -> list[int]:
    """Pids of detached phase supervisors whose run folder lies under `root`."""
    import os

    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as fh:
                argv = fh.read().split(b"\0")
        except OSError:
            continue
        if b"specui.runner.supervisor" in argv and any(a.startswith(root.encode()) for a in argv):
            found.append(int(name))
    return found


def _descendants(pid: int) -> list[int]:
    import os

    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                stat = fh.read()
            ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        except (OSError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


@pytest.fixture(autouse=True, scope="session")
def _no_supervisor_outlives_the_run(tmp_path_factory):
    """A detached phase supervisor is meant to outlive the workbench that started it, so a test
    that fails before stopping its run would leave it (and its codex) running for ever, waiting
    on a fake server that is gone. Whatever the outcome, none survives the test session."""
    import os
    import signal

    yield
    root = str(tmp_path_factory.getbasetemp())
    for pid in _supervisors_under(root):
        for victim in [pid, *_descendants(pid)]:
            try:
                os.kill(victim, signal.SIGKILL)
            except OSError:
                pass
