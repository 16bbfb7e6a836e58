"""`specui run` headless, with fake commands: exit codes, forwarding, --json rows, --dry-run,
input errors, auto-continue, Ctrl+C."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

PHASES = ("constitution", "specify", "plan", "tasks", "implement")


def make_project(root: Path, script: str, command: list[str] | None = None) -> Path:
    for phase in PHASES:
        path = root / ".codex" / "prompts" / f"speckit.{phase}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"[{phase}] $ARGUMENTS\n")
    (root / "orchestrator").mkdir(exist_ok=True)
    (root / "orchestrator" / "input").write_text(
        "<constitution>\nbe kind\n</constitution>\n<specify>s</specify>\n<plan>p</plan>\n"
    )
    (root / "fake.py").write_text(textwrap.dedent(script))
    argv = command or [sys.executable, "fake.py"]
    (root / "specui.toml").write_text(f"[runner]\ncommand = {json.dumps(argv)}\nnotify = false\n")
    return root


def specui(root: Path, phase: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "specui", "run", phase, str(root), *args],
                          capture_output=True, timeout=timeout, check=False)


ECHO = """
import sys
prompt = sys.stdin.read()
print("PROMPT<" + prompt.strip() + ">")
print("\\x1b[31mred\\x1b[0m [bold]not markup[/] \\x1b[2J\\x1b]0;title\\x07\\x1b]52;c;eA==\\x07end")
print("oops", file=sys.stderr)
sys.exit(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
"""


def test_success_forwards_sanitized_output(tmp_path: Path) -> None:
    root = make_project(tmp_path, ECHO)
    result = specui(root, "constitution")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert b"PROMPT<[constitution] be kind>" in out
    assert b"\x1b[31mred\x1b[0m [bold]not markup[/] end" in out
    assert b"\x1b[2J" not in out and b"\x1b]" not in out
    assert b"oops" in out  # stderr of the child is merged into the stream
    log = next((root / "orchestrator").glob("constitution-*.md")).read_bytes()
    # `cat` of the log must not replay clear screen / titles / OSC 52: colours only
    assert b"\x1b[2J" not in log and b"\x1b]" not in log
    assert b"\x1b[31mred\x1b[0m [bold]not markup[/] end\n" in log
    assert b"- exit code: 0" in log


def test_failure_exit_code(tmp_path: Path) -> None:
    root = make_project(tmp_path, ECHO, [sys.executable, "fake.py", "3"])
    result = specui(root, "constitution")
    assert result.returncode == 1
    assert b"exit code 3" in result.stderr
    log = next((root / "orchestrator").glob("constitution-*.md")).read_text()
    assert "- exit code: 3" in log and "- result: failed" in log


def test_unknown_phase_is_usage_error(tmp_path: Path) -> None:
    root = make_project(tmp_path, ECHO)
    result = specui(root, "../etc")
    assert result.returncode == 2
    assert not (root / "orchestrator" / "checkpoint").exists()


def test_dry_run_prints_prompt_and_command(tmp_path: Path) -> None:
    root = make_project(tmp_path, ECHO)
    result = specui(root, "plan", "--dry-run", "--input", "use $ARGUMENTS literally")
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    assert out.splitlines()[0] == f"command: {sys.executable} fake.py"
    assert out.rstrip().endswith("[plan] use $ARGUMENTS literally")
    assert "specify has not completed" in result.stderr.decode()
    assert "--force" in result.stderr.decode()
    assert not (root / "orchestrator" / "checkpoint").exists()
    assert not list((root / "orchestrator").glob("plan-*.md"))


def test_missing_block_error_names_file_and_line(tmp_path: Path) -> None:
    root = make_project(tmp_path, ECHO)
    (root / "orchestrator" / "input").write_text("<constitution>\nunclosed\n")
    result = specui(root, "constitution")
    assert result.returncode == 2
    assert result.stderr.decode().strip() == (
        "specui: error: orchestrator/input:1: <constitution> is never closed "
        "(add </constitution>)"
    )


def test_command_not_found(tmp_path: Path) -> None:
    root = make_project(tmp_path, ECHO, ["no-such-agent-binary", "exec", "-"])
    result = specui(root, "constitution")
    assert result.returncode == 2
    err = result.stderr.decode()
    assert "no-such-agent-binary" in err and "[runner] command" in err
    # one error line, no announcement of a run (and log) that never happens
    assert err.splitlines() == [line for line in err.splitlines() if "error" in line]
    assert "->" not in err and "attempt" not in err
    assert not list((root / "orchestrator").glob("constitution-*.md"))


def test_a_run_resolves_its_command_once(tmp_path: Path, monkeypatch, resolutions) -> None:
    """In process, to count: the CLI does not resolve the command on top of the run's own
    resolution."""
    import argparse

    from specui.runner import cli, supervisor

    root = make_project(tmp_path, ECHO)
    monkeypatch.setattr(supervisor, "become_subreaper", lambda: False)  # not in pytest itself
    assert cli.run_command(argparse.Namespace(phase="constitution", dir=str(root))) == 0
    assert resolutions == [[sys.executable, "fake.py"]]


JSON_EVENTS = """
import json, sys, time
sys.stdin.read()
def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\\n"); sys.stdout.flush()
emit({"type": "thread.started", "thread_id": "th_9"})
emit({"type": "turn.started"})
emit({"type": "item.completed", "item": {"id": "i1", "type": "command_execution",
      "command": "pytest -q", "aggregated_output": "3 passed", "exit_code": 0,
      "status": "completed"}})
emit({"type": "item.completed", "item": {"id": "i2", "type": "agent_message",
      "text": "Done [bold]."}})
if sys.argv[1] == "fail":
    line = json.dumps({"type": "turn.failed", "error": {"message": "quota"}}) + "\\n"
    sys.stdout.write(line[:10]); sys.stdout.flush(); time.sleep(0.3)
    sys.stdout.write(line[10:]); sys.stdout.flush()
else:
    emit({"type": "turn.completed", "usage": {"input_tokens": 5, "cached_input_tokens": 1,
          "output_tokens": 2}})
"""


def test_json_mode_rows(tmp_path: Path) -> None:
    root = make_project(tmp_path, JSON_EVENTS, [sys.executable, "fake.py", "ok", "--json", "-"])
    result = specui(root, "constitution")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode().splitlines()
    assert "$ pytest -q  [exit 0]" in lines and "  3 passed" in lines
    assert "Done [bold]." in lines
    assert any(line.startswith("turn completed") for line in lines)
    log = next((root / "orchestrator").glob("constitution-*.md")).read_text()
    assert '{"type": "thread.started", "thread_id": "th_9"}' in log


def test_turn_failed_split_across_reads_fails_phase(tmp_path: Path) -> None:
    root = make_project(tmp_path, JSON_EVENTS, [sys.executable, "fake.py", "fail", "--json"])
    result = specui(root, "constitution")
    assert result.returncode == 1
    assert "turn failed: quota" in result.stdout.decode()
    status = json.loads(next((root / ".specui" / "runs").glob("*/status.json")).read_text())
    assert status["exit_code"] == 0 and status["turn_failed"] and status["state"] == "failed"


def test_json_flag_adds_json_before_stdin_marker(tmp_path: Path) -> None:
    root = make_project(tmp_path, ECHO, [sys.executable, "fake.py", "0", "-"])
    result = specui(root, "constitution", "--json", "--dry-run")
    # the dry run shows the command the real run starts (trial4: it showed it without --json)
    assert result.returncode == 0
    assert f"command: {sys.executable} fake.py 0 --json -\n" in result.stdout.decode()
    result = specui(root, "constitution", "--json")
    log = next((root / "orchestrator").glob("constitution-*.md")).read_text()
    assert f"- command: {sys.executable} fake.py 0 --json -" in log


ONE_TASK = """
import pathlib, sys
prompt = sys.stdin.read()
tasks = pathlib.Path("specs/002-x/tasks.md")
tasks.write_text(tasks.read_text().replace("- [ ]", "- [x]", 1))
print("attempt prompt:", prompt.splitlines()[0])
"""

NO_WORK = """
import sys
sys.stdin.read()
print("Some checklists have unchecked items. Do you want to proceed? (yes/no)")
"""


def tasks_file(root: Path, n: int, done: int = 0) -> Path:
    folder = root / "specs" / "002-x"
    folder.mkdir(parents=True)
    path = folder / "tasks.md"
    path.write_text("".join(f"- [{'x' if i <= done else ' '}] T{i:03d} t\n"
                            for i in range(1, n + 1)))
    return path


def test_auto_continue_runs_until_done(tmp_path: Path) -> None:
    root = make_project(tmp_path, ONE_TASK)
    tasks = tasks_file(root, 3)
    result = specui(root, "implement", "--force", "--auto-continue")
    assert result.returncode == 0, result.stderr
    assert "- [ ]" not in tasks.read_text()
    logs = sorted((root / "orchestrator").glob("implement-*.md"))
    assert len(logs) == 3
    continued = [log for log in logs
                 if "attempt prompt: [implement] continue phase implement" in log.read_text()]
    assert len(continued) == 2
    err = result.stderr.decode()
    assert "all 3 tasks done" in err
    # A run that ended well with tasks open says so, in the same words, on stderr and in its
    # log's footer; auto-continue goes on from it all the same.
    assert re.search(r"phase implement ended with 2 tasks open, exit code 0;", err), err
    assert re.search(r"phase implement ended with 1 task open, exit code 0;", err), err
    assert re.search(r"phase implement done, exit code 0;", err), err
    footers = [re.search(r"- result: (.*)\n", log.read_text()).group(1) for log in logs]
    assert footers == ["ended with 2 tasks open", "ended with 1 task open", "done"]


def test_auto_continue_stops_on_no_progress(tmp_path: Path) -> None:
    root = make_project(tmp_path, NO_WORK)
    tasks_file(root, 4, done=1)
    result = specui(root, "implement", "--force", "--auto-continue")
    assert result.returncode == 1
    assert "no progress (1/4 tasks done)" in result.stderr.decode()
    assert len(list((root / "orchestrator").glob("implement-*.md"))) == 1


CONVERGING = """
import pathlib, sys
prompt = sys.stdin.read()
tasks = pathlib.Path("specs/002-x/tasks.md")
first = prompt.splitlines()[0]
print("attempt prompt:", first)
if first.startswith("[converge]"):
    # Spec Kit's converge appends the unbuilt work as new tasks
    tasks.write_text(tasks.read_text() + "## Phase 9: Convergence\\n- [ ] T900 wire the flag\\n")
elif "continue phase implement" in first:
    tasks.write_text(tasks.read_text().replace("- [ ]", "- [x]"))
else:
    print("Implemented what I could; gaps remain.")
"""


def test_auto_continue_runs_converge_once_when_implement_makes_no_progress(tmp_path: Path) -> None:
    root = make_project(tmp_path, CONVERGING)
    converge = root / ".codex" / "prompts" / "speckit.converge.md"
    converge.write_text("[converge] $ARGUMENTS\n")
    tasks = tasks_file(root, 2, done=2)
    tasks.write_text(tasks.read_text() + "- [ ] T003 left\n")
    result = specui(root, "implement", "--force", "--auto-continue")
    err = result.stderr.decode()
    assert result.returncode == 0, err
    assert "no progress (2/3 tasks done); running converge once" in err
    session = json.loads((root / ".specui" / "session.json").read_text())
    assert [r["phase"] for r in session["runs"]] == ["implement", "converge", "implement"]
    assert "T900 wire the flag" in tasks.read_text() and "- [ ]" not in tasks.read_text()
    assert "all 4 tasks done" in err


def test_converge_runs_at_most_once_per_chain(tmp_path: Path) -> None:
    root = make_project(tmp_path, NO_WORK)
    (root / ".codex" / "prompts" / "speckit.converge.md").write_text("[converge] $ARGUMENTS\n")
    tasks_file(root, 4, done=1)
    result = specui(root, "implement", "--force", "--auto-continue")
    err = result.stderr.decode()
    assert result.returncode == 1
    session = json.loads((root / ".specui" / "session.json").read_text())
    # implement made no progress -> converge once -> implement again, still none -> stop
    assert [r["phase"] for r in session["runs"]] == ["implement", "converge", "implement"]
    assert err.count("running converge once") == 1
    assert "auto-continue: no progress (1/4 tasks done)\n" in err  # the final verdict


def test_auto_continue_respects_cap(tmp_path: Path) -> None:
    root = make_project(tmp_path, ONE_TASK)
    (root / "specui.toml").write_text(
        (root / "specui.toml").read_text() + "max_continues = 1\n"
    )
    tasks_file(root, 5)
    result = specui(root, "implement", "--force", "--auto-continue")
    assert result.returncode == 1
    assert "max_continues (1)" in result.stderr.decode()
    assert len(list((root / "orchestrator").glob("implement-*.md"))) == 2


SLEEPY = """
import sys, time
sys.stdin.read()
print("working", flush=True)
time.sleep(60)
"""


@pytest.mark.skipif(sys.platform != "linux", reason="uses /proc")
def test_ctrl_c_stops_the_group(tmp_path: Path) -> None:
    root = make_project(tmp_path, SLEEPY)
    proc = subprocess.Popen([sys.executable, "-m", "specui", "run", "constitution", str(root)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    status_path = None
    while time.monotonic() < deadline:
        found = list((root / ".specui" / "runs").glob("*/status.json")) if (
            root / ".specui" / "runs").exists() else []
        if found and json.loads(found[0].read_text()).get("pgid"):
            status_path = found[0]
            break
        time.sleep(0.05)
    assert status_path is not None
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=30)
    assert proc.returncode == 1
    status = json.loads(status_path.read_text())
    assert status["state"] == "stopped"
    with pytest.raises(ProcessLookupError):
        os.killpg(status["pgid"], 0)


STALLING = """
import sys, time
sys.stdin.read()
print("working", flush=True)
time.sleep(2.5)
print("back again", flush=True)
"""


def test_headless_stall_warns_records_and_keeps_running(tmp_path: Path) -> None:
    root = make_project(tmp_path, STALLING)
    with (root / "specui.toml").open("a") as toml:
        toml.write('stall_minutes = 0.01\non_stall = "notify"\n')  # 0.6 s
    proc = subprocess.Popen([sys.executable, "-m", "specui", "run", "constitution", str(root)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    warning = ""
    for line in proc.stderr:
        if "stalled" in line:
            warning = line
            break
    # One line, while the run is still going; the store says stalled.
    assert warning.startswith("specui: warning: phase constitution stalled: no progress for ")
    assert warning.rstrip().endswith("still running, Ctrl+C stops it")
    assert "stall_minutes = 0.01" in warning and warning.count("\n") == 1
    session = json.loads((root / ".specui" / "session.json").read_text())
    assert session["runs"][-1]["status"] == "running"
    assert session["runs"][-1]["stalled"] is True
    out, rest = proc.communicate(timeout=30)
    assert proc.returncode == 0, rest
    assert "working" in out and "back again" in out  # the run was not stopped
    assert "phase constitution: progress resumed" in rest
    assert rest.count("stalled") == 0  # warned once
    session = json.loads((root / ".specui" / "session.json").read_text())
    assert session["runs"][-1]["status"] == "done" and session["runs"][-1]["stalled"] is False


def test_json_flag_help_says_what_it_does() -> None:
    """`--json` asks Codex for JSONL events and shows readable rows; it is not a
    machine-readable output mode of specui, and the help must not say so."""
    result = subprocess.run([sys.executable, "-m", "specui", "run", "--help"],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0
    help_text = " ".join(result.stdout.split())
    assert "machine-readable" not in help_text
    assert "--json run codex with --json and show its events as readable rows" in help_text


RECONNECTING = """
import sys, time
sys.stdin.read()
print("starting", flush=True)
while True:  # an unreachable provider: Codex says so forever, and nothing else
    print("ERROR: Reconnecting... waiting for network", flush=True)
    time.sleep(0.1)
"""


def _marker_processes(marker: str) -> list[int]:
    needle = f"SPECUI_UNIT_MARKER={marker}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle in (entry / "environ").read_bytes():
                state = (entry / "stat").read_text().rsplit(")", 1)[-1].split()[0]
                if state not in ("Z", "X"):
                    found.append(int(entry.name))
        except OSError:
            continue
    return found


def test_headless_stall_stops_by_default_with_one_line_cause(tmp_path: Path) -> None:
    """Retry notices are not progress: the flag never flaps back, the run ends by itself,
    exit 1, one line naming the cause, the footer shows 143 (SIGTERM as the shell shows it)
    and nothing is left running."""
    root = make_project(tmp_path, RECONNECTING)
    with (root / "specui.toml").open("a") as toml:
        toml.write("stall_minutes = 0.02\nstop_grace_seconds = 2\n")  # 1.2 s
    marker = f"stall-{os.getpid()}-{time.monotonic_ns()}"
    start = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "specui", "run", "constitution", str(root)],
                            capture_output=True, text=True, timeout=60, check=False,
                            env={**os.environ, "SPECUI_UNIT_MARKER": marker})
    assert result.returncode == 1
    assert time.monotonic() - start < 30
    err = result.stderr
    assert err.count("stalled") == 2  # the warning, then the end line
    assert "progress resumed" not in err  # no flapping
    end = next(line for line in err.splitlines() if "phase constitution failed" in line)
    assert "exit code 143" in end
    assert "stalled: no progress for 1 s; last: Reconnecting... waiting for network" in end
    log = next((root / "orchestrator").glob("constitution-*.md")).read_text()
    footer = log.rsplit("\n---\n", 1)[1]
    assert "- exit code: 143" in footer and "- result: failed" in footer
    assert "- note: stalled: no progress" in footer
    assert _marker_processes(marker) == []
    status = json.loads(next((root / ".specui" / "runs").glob("*/status.json")).read_text())
    assert status["last_notice"] == "Reconnecting... waiting for network"
    assert status["exit_code"] == 143 and status["stalled"] is False


def test_headless_stall_restart_then_stop(tmp_path: Path) -> None:
    root = make_project(tmp_path, RECONNECTING)
    with (root / "specui.toml").open("a") as toml:
        toml.write('stall_minutes = 0.02\non_stall = "restart"\nstall_restarts = 1\n'
                   "stop_grace_seconds = 1\n")
    result = subprocess.run([sys.executable, "-m", "specui", "run", "constitution", str(root)],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 1
    log = next((root / "orchestrator").glob("constitution-*.md")).read_text()
    assert log.count("specui: restarting constitution after a stall (1/1)") == 1
    assert log.count("\nstarting\n") == 2  # the agent ran twice, in the same log
    assert "- note: stalled: no progress" in log.rsplit("\n---\n", 1)[1]
    # stderr says what happens each time: the second stall stops it (trial4: "restarting it")
    warnings = [line for line in result.stderr.splitlines() if "stalled" in line]
    assert warnings[0].endswith("restarting it (1/1)"), warnings
    assert warnings[1].endswith("stopping it (it was restarted 1 time: [runner] "
                                "stall_restarts = 1)"), warnings


def test_the_run_commands_own_lines_pass_no_escape_sequence(capsys):
    """A phase's message (text from the run) reaches stderr as plain text."""
    from specui.runner.cli import _say

    _say("phase plan failed: \x1b]0;title\x07last: \x1b[2Jdone \x9b31m")
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x9b" not in err and "\x07" not in err
    assert err.startswith("specui: phase plan failed: ")
