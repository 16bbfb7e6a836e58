"""A model provider Codex cannot reach: the round ends once reconnect notices alone span
UNREACHABLE_SECONDS, not at timeout_seconds (Codex retries a refused connection for as long as it
runs). The real CLI against a closed port: tests/integration/test_interview_codex.py."""

from __future__ import annotations

import json
import stat
import threading
import time
from pathlib import Path

import pytest

from specui.core.interview.contract import Directive, EngineRequest
from specui.core.interview.state import EngineSession
from specui.interview.engines import codex as codex_engine
from specui.interview.engines.base import EngineError
from specui.interview.engines.codex import CodexEngine, EventReader

NOTICE = "Reconnecting... waiting for network (Connection failed: error sending request)"


def event(**data: object) -> str:
    return json.dumps(data)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_reconnect_notices_alone_spanning_the_bound_end_the_round_with_the_cause():
    clock = Clock()
    seen: list[str] = []
    reader = EventReader(seen.append, clock=clock)
    reader(event(type="thread.started", thread_id="t1"))
    reader(event(type="turn.started"))
    reader(event(type="error", message=NOTICE))
    clock.now += 5
    reader(event(type="error", message=NOTICE))
    clock.now += codex_engine.UNREACHABLE_SECONDS - 5.1
    reader(event(type="error", message=NOTICE))  # not yet: the span is just short
    clock.now += 0.1
    with pytest.raises(EngineError) as err:
        reader(event(type="error", message=NOTICE))
    assert str(err.value) == (
        "codex cannot reach the model provider (Connection failed: error sending request)"
    )
    assert seen == [NOTICE] * 3  # the live line showed them as they came


def test_anything_else_from_codex_starts_the_span_again():
    clock = Clock()
    reader = EventReader(lambda _line: None, clock=clock)
    reader(event(type="error", message="Reconnecting... 1/5 (stream disconnected)"))
    clock.now += codex_engine.UNREACHABLE_SECONDS - 1
    reader(event(type="item.started",
                 item={"id": "i0", "type": "command_execution", "command": "cat README.md"}))
    reader(event(type="error", message="Reconnecting... 2/5 (stream disconnected)"))
    clock.now += codex_engine.UNREACHABLE_SECONDS - 1
    reader(event(type="error", message="Reconnecting... 3/5 (stream disconnected)"))
    clock.now += 1
    with pytest.raises(EngineError, match=r"provider \(stream disconnected\)$"):
        reader(event(type="error", message="Reconnecting... 4/5 (stream disconnected)"))


def test_a_healed_outage_then_a_silent_model_is_not_cut_off():
    """One notice, then the retry connects and the model thinks without a word for minutes:
    no second notice, so nothing ends the round but its timeout."""
    clock = Clock()
    reader = EventReader(lambda _line: None, clock=clock)
    reader(event(type="error", message=NOTICE))
    clock.now += 10 * codex_engine.UNREACHABLE_SECONDS
    reader(event(type="item.completed", item={"id": "i1", "type": "agent_message", "text": "{}"}))
    assert reader.outcome.reply == "{}"


def test_an_error_that_is_not_a_reconnect_notice_is_not_counted():
    clock = Clock()
    reader = EventReader(lambda _line: None, clock=clock)
    reader(event(type="error", message="unexpected status 500"))
    clock.now += 10 * codex_engine.UNREACHABLE_SECONDS
    reader(event(type="error", message="unexpected status 500"))


def fake_codex(tmp_path: Path) -> str:
    """A `codex` that behaves as the real one against a closed port: notices, never a reply."""
    path = tmp_path / "codex"
    lines = [
        event(type="thread.started", thread_id="0000-thread"),
        event(type="turn.started"),
        event(type="error", message=NOTICE),
    ]
    path.write_text(
        "#!/bin/sh\ncat >/dev/null\n"
        + "".join(f"echo '{line}'\n" for line in lines)
        + f"while :; do sleep 0.2; echo '{event(type='error', message=NOTICE)}'; done\n"
    )
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def test_the_round_ends_early_and_leaves_no_process(tmp_path, monkeypatch):
    monkeypatch.setattr(codex_engine, "UNREACHABLE_SECONDS", 1.0)
    project = tmp_path / "p"
    project.mkdir()
    engine = CodexEngine(EngineSession(engine="codex"), codex=fake_codex(tmp_path))
    request = EngineRequest(
        project_dir=str(project),
        directive=Directive(kind="overview", round=1, target_dimension="intent"),
        profile="standard", interview_type="greenfield", threshold=0.2, max_rounds=12,
        ambiguity=1.0, initial_idea="A todo app.", spec_md="# SPEC\n", stack_toml="",
    )
    started = time.monotonic()
    with pytest.raises(EngineError) as err:
        engine.run_turn(request, feedback=None, on_activity=lambda _line: None,
                        cancel=threading.Event(), timeout=60)
    assert time.monotonic() - started < 10
    assert str(err.value) == (
        "codex cannot reach the model provider (Connection failed: error sending request)"
    )
    assert engine.session.thread_id is None  # the thread of a failed round is not kept
    leftovers = [p for p in Path("/proc").iterdir() if p.name.isdigit()
                 and str(tmp_path / "codex") in _cmdline(p)]
    assert leftovers == []


def _cmdline(proc: Path) -> str:
    try:
        return (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""

