"""`on_started`: an agent engine says when its process runs (the driver records the round as
running then, so the session write never delays the agent's start)."""

from __future__ import annotations

import sys
import textwrap
import threading
from pathlib import Path

import pytest

from specui.core.interview.contract import Directive, EngineRequest
from specui.core.interview.state import EngineSession
from specui.interview.engines.command import CommandEngine
from specui.interview.engines.process import run_child


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def child(tmp_path: Path, body: str) -> list[str]:
    path = tmp_path / "child.py"
    path.write_text("import os, sys, time\n" + textwrap.dedent(body))
    return [sys.executable, str(path)]


def test_on_started_runs_once_while_the_child_runs_before_its_output(tmp_path):
    seen = tmp_path / "seen"  # the child ends only once the test has looked for it
    argv = child(tmp_path, f"""
        print(os.getpid(), flush=True)
        sys.stdin.read()
        while not os.path.exists({str(seen)!r}):
            time.sleep(0.01)
        print("done", flush=True)
    """)
    events: list[str] = []
    pids: list[int] = []

    def started() -> None:
        events.append("started")
        pids.extend(int(p.name) for p in Path("/proc").iterdir()
                    if p.name.isdigit() and _cmdline(p).endswith(str(tmp_path / "child.py")))
        seen.touch()

    result = run_child(argv, stdin=b"prompt", cwd=tmp_path, cancel=threading.Event(),
                       timeout=20, on_line=events.append, on_started=started)
    assert result.returncode == 0
    assert len(events) == 3 and events[0] == "started" and events[2] == "done"
    assert pids == [int(events[1])]  # the child (it prints its pid) was running by then


def _cmdline(proc: Path) -> str:
    try:
        return (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


def test_an_error_in_on_started_ends_the_child(tmp_path):
    pid_file = tmp_path / "pid"

    def started() -> None:
        raise RuntimeError("the session could not be written")

    argv = child(tmp_path, f"""
        open({str(pid_file)!r}, "w").write(str(os.getpid()))
        time.sleep(60)
    """)
    with pytest.raises(RuntimeError, match="could not be written"):
        run_child(argv, stdin=b"", cwd=tmp_path, cancel=threading.Event(), timeout=20,
                  on_started=started)
    if pid_file.exists():  # it may not have got that far before it was ended
        assert not alive(int(pid_file.read_text()))


def test_the_command_engine_reports_its_start_then_says_it_runs(tmp_path):
    argv = child(tmp_path, """
        sys.stdin.read()
        print("thinking", file=sys.stderr, flush=True)
        print("{}")
    """)
    engine = CommandEngine(EngineSession(engine="command"), command=argv)
    assert engine.spawns
    events: list[str] = []
    request = EngineRequest(
        project_dir=str(tmp_path), directive=Directive(kind="overview", round=1),
        profile="standard", interview_type="greenfield", threshold=0.2, max_rounds=12,
        ambiguity=1.0, initial_idea="A JWKS cache.",
    )
    engine.run_turn(request, feedback=None, on_activity=events.append,
                    cancel=threading.Event(), timeout=20,
                    on_started=lambda: events.append("started"))
    assert events == ["started", f"running {Path(sys.executable).name} child.py", "thinking"]
