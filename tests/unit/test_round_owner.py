"""Who runs a round on screen: one rule for the driver and the question pane."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from specui.core.interview.state import EngineState
from specui.interview.round_owner import round_owner
from specui.runner.procid import identify
from specui.store import Session
from specui.ui.widgets.question_pane import engine_line


@pytest.fixture
def other():
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait()


def _owned_by(pid: int | None) -> EngineState:
    ident = identify(pid) if pid else None
    return EngineState(status="thinking", name="codex", owner_pid=pid,
                       owner_start=ident.start_time if ident else None,
                       owner_boot=ident.boot_id if ident else None)


def _line(engine: EngineState) -> str:
    session = Session()
    session.interview.engine = engine
    return engine_line(session)


def test_a_live_other_process_runs_it_elsewhere(other) -> None:
    engine = _owned_by(other.pid)
    assert round_owner(engine) == "elsewhere"
    assert f"(in another specui, pid {other.pid})" in _line(engine)


def test_this_process_or_no_recorded_owner_runs_it_here() -> None:
    for engine in (_owned_by(os.getpid()), _owned_by(None)):
        assert round_owner(engine) == "here"
        assert _line(engine).endswith("(Esc cancels)")


def test_a_dead_owner_is_not_another_specui(other) -> None:
    """The pane compared pids only: the round of a specui that had exited read "in another
    specui, pid N" while the driver (which checks the process) ran it again or waited."""
    engine = _owned_by(other.pid)
    other.kill()
    other.wait()
    assert round_owner(engine) == "gone"
    line = _line(engine)
    assert "another specui" not in line and "Esc cancels" not in line
    assert line.startswith("⚠ codex's round stopped") and f"specui (pid {other.pid}) exited" in line


def test_a_reused_pid_is_not_the_owner(other) -> None:
    """Same pid, another start time: the owner is gone, whatever now holds its pid."""
    engine = _owned_by(other.pid).model_copy(update={"owner_start": 1})
    assert round_owner(engine) == "gone"

