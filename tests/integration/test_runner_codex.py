"""The phase runner driving the REAL Codex CLI against a fake Responses server."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest
from conftest import processes_with_marker, specui

from specui.core.config import RunnerConfig
from specui.core.paths import Project
from specui.runner.manager import PhaseManager, group_alive, pid_alive
from specui.store import SessionStore

pytestmark = pytest.mark.integration

DEFAULT = RunnerConfig().command


def latest_log(root: Path, phase: str) -> str:
    logs = sorted((root / "orchestrator").glob(f"{phase}-*.md"))
    assert logs, f"no {phase} log"
    return logs[-1].read_text()


def manager_for(root: Path, **overrides) -> PhaseManager:
    project = Project.at(root)
    config = RunnerConfig(notify=False, stop_grace_seconds=3, **overrides)
    return PhaseManager(project, SessionStore.open(project), config)


def wait_for(predicate, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def test_plain_mode_streams_logs_and_succeeds(legacy_project: Path, codex_env, fake_server) -> None:
    fake_server.text = "Constitution written. [bold]not markup[/]"
    result = specui("run", "constitution", str(legacy_project))
    out, err = result.stdout.decode(), result.stderr.decode()
    assert result.returncode == 0, err
    assert "Constitution written. [bold]not markup[/]" in out
    # the prompt Codex sent is the legacy prompt with $ARGUMENTS filled in
    assert any("User input: Keep it simple." in p for p in fake_server.prompts())
    log = latest_log(legacy_project, "constitution")
    assert "Constitution written." in log
    assert "codex" in log  # Codex's own stderr banner/transcript is logged too
    footer = log.rsplit("\n---\n", 1)[1]
    assert "- exit code: 0" in footer and "- result: done" in footer
    assert "- command: codex exec --skip-git-repo-check --sandbox workspace-write -" in footer
    assert (legacy_project / "orchestrator" / "checkpoint").read_text() == "phase=constitution\n"
    session = json.loads((legacy_project / ".specui" / "session.json").read_text())
    assert session["runs"][-1]["status"] == "done"


def test_json_mode_renders_rows_and_keeps_raw_log(legacy_project: Path, codex_env, fake_server):
    fake_server.text = "All good here"
    result = specui("run", "constitution", str(legacy_project), "--json")
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr.decode()
    assert "All good here" in out
    assert "turn completed · tokens in 42" in out and "out 7" in out
    assert '{"type":' not in out  # rows, not raw JSON
    log = latest_log(legacy_project, "constitution")
    events = [json.loads(line) for line in log.splitlines() if line.startswith('{"type"')]
    types = [e["type"] for e in events]
    assert types[0] == "thread.started" and "turn.started" in types
    assert types[-1] == "turn.completed"
    messages = [e["item"]["text"] for e in events
                if e["type"] == "item.completed" and e["item"]["type"] == "agent_message"]
    assert messages == ["All good here"]


def test_failing_turn_fails_the_phase(legacy_project: Path, codex_env, fake_server) -> None:
    fake_server.mode = "fail"
    result = specui("run", "constitution", str(legacy_project), "--json")
    assert result.returncode == 1
    assert "turn failed" in result.stdout.decode()
    assert "the fake model broke" in result.stdout.decode()
    status_files = list((legacy_project / ".specui" / "runs").glob("*/status.json"))
    status = json.loads(status_files[-1].read_text())
    assert status["turn_failed"] is True and status["state"] == "failed"
    assert "- result: failed" in latest_log(legacy_project, "constitution")


def test_failing_turn_plain_mode(legacy_project: Path, codex_env, fake_server) -> None:
    fake_server.mode = "fail"
    result = specui("run", "constitution", str(legacy_project))
    assert result.returncode == 1
    assert "the fake model broke" in latest_log(legacy_project, "constitution")


def test_stall_is_flagged_then_stop_leaves_no_process(legacy_project, codex_env, fake_server):
    fake_server.mode = "hang"
    manager = manager_for(legacy_project, stall_minutes=2 / 60)  # 2 s without output
    run = manager.start("constitution")
    assert fake_server.hanging.wait(60), "codex never reached the server"
    wait_for(lambda: (manager.refresh(), manager.store.state.runs[-1].stalled)[1], timeout=30)
    status = manager.status_of(run)
    assert status is not None and status.state == "running" and status.pgid
    assert processes_with_marker(codex_env["marker"])  # codex (and supervisor) are alive
    manager.stop()
    final = manager.store.state.runs[-1]
    assert final.status == "stopped"
    assert not group_alive(status.pgid)
    wait_for(lambda: not processes_with_marker(codex_env["marker"]), timeout=10)
    assert "- result: stopped" in latest_log(legacy_project, "constitution")


def test_log_survives_a_killed_supervisor(legacy_project, codex_env, fake_server) -> None:
    """Kill the owning side mid-run: the log holds every line produced so far; refresh() then
    cleans up the orphaned agent."""
    fake_server.mode = "hang"
    manager = manager_for(legacy_project, command=[*DEFAULT[:-1], "--json", "-"])
    run = manager.start("constitution")
    assert fake_server.hanging.wait(60)
    log_path = manager.log_path(run)
    wait_for(lambda: '"turn.started"' in log_path.read_text())
    status = manager.status_of(run)
    assert status is not None
    os.kill(run.pid, signal.SIGKILL)
    wait_for(lambda: not pid_alive(run.pid), timeout=10)
    text = log_path.read_text()
    assert text.startswith("# specui run: constitution")
    events = [json.loads(line)["type"] for line in text.splitlines() if line.startswith('{"type"')]
    assert events[0] == "thread.started" and "turn.started" in events
    assert status.lines == 0 or text.count("\n") >= 3
    manager.refresh()
    final = manager.store.state.runs[-1]
    assert final.status == "failed" and "supervisor" in final.message
    wait_for(lambda: not processes_with_marker(codex_env["marker"]), timeout=15)


def test_reattach_after_the_workbench_closes(legacy_project, codex_env, fake_server) -> None:
    fake_server.mode = "hang"
    fake_server.text = "finished while nobody watched"
    first = manager_for(legacy_project)
    run = first.start("constitution")
    assert fake_server.hanging.wait(60)
    del first  # the TUI goes away; nothing is stopped
    assert pid_alive(run.pid)
    second = manager_for(legacy_project)  # a new workbench opens the same project
    active = second.refresh()
    assert active is not None and active.run_id == run.run_id
    fake_server.release.set()
    wait_for(lambda: (second.refresh(), second.active() is None)[1], timeout=60)
    final = second.store.state.runs[-1]
    assert final.status == "done" and final.exit_code == 0
    assert "finished while nobody watched" in second.log_path(final).read_text()


def test_auto_continue_stops_when_no_progress(speckit_project: Path, codex_env, fake_server):
    """implement with a model that changes nothing: converge once (Spec Kit's skill exists),
    implement again, still nothing: auto-continue gives up."""
    feature = speckit_project / "specs" / "001-greeter"
    feature.mkdir(parents=True)
    (feature / "tasks.md").write_text("- [x] T001 setup\n- [ ] T002 greet\n- [ ] T003 test\n")
    fake_server.text = "I looked at the tasks."
    result = specui("run", "implement", str(speckit_project), "--force", "--auto-continue")
    err = result.stderr.decode()
    assert result.returncode == 1, err
    assert "no progress (1/3 tasks done); running converge once" in err
    assert "auto-continue: no progress (1/3 tasks done)\n" in err
    invoked = [json.dumps(r) for r in fake_server.requests]
    assert ["$speckit-converge" in r for r in invoked] == [False, True, False]
    assert len(list((speckit_project / "orchestrator").glob("implement-*.md"))) == 2


def test_unknown_phase_and_missing_predecessor(legacy_project: Path, codex_env) -> None:
    result = specui("run", "deploy", str(legacy_project))
    assert result.returncode == 2
    result = specui("run", "plan", str(legacy_project))
    assert result.returncode == 2
    assert "--force" in result.stderr.decode()
    assert not list((legacy_project / "orchestrator").glob("plan-*.md"))


def test_headless_stall_warns_and_keeps_running(legacy_project: Path, codex_env, fake_server):
    """`specui run` with a model that goes quiet: one warning line, run.stalled in the store,
    the run goes on and succeeds when the model answers."""
    import subprocess
    import sys

    fake_server.mode = "hang"
    fake_server.text = "answered after a long silence"
    (legacy_project / "specui.toml").write_text(
        '[runner]\nnotify = false\nstall_minutes = 0.05\non_stall = "notify"\n')
    proc = subprocess.Popen([sys.executable, "-m", "specui", "run", "constitution",
                             str(legacy_project)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        warning = next((line for line in proc.stderr if "stalled" in line), "")
        assert warning.startswith("specui: warning: phase constitution stalled: no progress for")
        session = json.loads((legacy_project / ".specui" / "session.json").read_text())
        assert session["runs"][-1]["stalled"] is True
        assert session["runs"][-1]["status"] == "running"
        assert proc.poll() is None  # a stall is not a failure
        fake_server.release.set()
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "answered after a long silence" in out
    assert "progress resumed" in err
    final = json.loads((legacy_project / ".specui" / "session.json").read_text())["runs"][-1]
    assert final["status"] == "done" and final["stalled"] is False
