"""Escape bytes and processes (issue 9: S3, S6, U5).

S3: a raw 8-bit C1 byte (0x9B CSI, 0x9D OSC) and the UTF-8 forms U+0080..U+009F never reach
the log or a headless terminal; colour SGR does. S6: a phase that starts `setsid sleep 301` or
`Popen(start_new_session=True)` leaves nothing running after a stop, after its own end, and
after `kill -9` of the supervisor or of a headless `specui run`. U5: a pid file naming another
live process (pid 1, or a pid whose start time differs) is no workbench and no supervisor.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from specui.core.paths import Project
from specui.runner.procid import pid_file_text, read_pid_file
from specui.runner.supervisor import PROMPT_FILE, RunSpec, Supervisor, read_pid, read_status

from .conftest import alive, specui_process, wait_for

pytestmark = pytest.mark.reliability

# Written in pieces so every sequence is also split across reads.
HOSTILE = [
    b"csi \x9b2J", b"cleared\n",
    b"osc \x9d0;title\x07", b"after\n",
    b"utf8 csi \xc2\x9b", b"31mplain\n",
    b"\x1b[31mred\x1b[0m kept\n",
    b"euro \xe2\x82\xac and \xc3\x9b stay\n",
]


def _c1_outside_characters(data: bytes) -> list[bytes]:
    """8-bit C1 controls in `data`: raw bytes that are not part of a character, and the
    UTF-8 forms C2 80..C2 9F."""
    text = data.decode("utf-8", "surrogateescape")
    raw = [c for c in text if "\udc80" <= c <= "\udc9f"]
    utf8 = [c for c in text if "\x80" <= c <= "\x9f"]
    return [c.encode("utf-8", "surrogateescape") for c in raw + utf8]


def _emitter(pieces: list[bytes]) -> str:
    return textwrap.dedent(f"""
        import os, sys, time
        sys.stdin.read()
        for piece in {pieces!r}:
            os.write(1, piece)
            time.sleep(0.01)
    """)


def _supervisor(tmp_path: Path, argv: list[str], grace: float = 2.0) -> Supervisor:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / PROMPT_FILE).write_text("the prompt\n")
    spec = RunSpec(run_id="plan-20260101-000000", phase="plan", argv=argv, cwd=str(tmp_path),
                   log_path=str(tmp_path / "orchestrator" / "plan.md"),
                   log_rel="orchestrator/plan.md", notify=False, grace_seconds=grace)
    (run_dir / "spec.json").write_text(spec.model_dump_json())
    return Supervisor(run_dir, spec)


def _project_with_command(root: Path, script: str) -> None:
    (root / "agent.py").write_text(script)
    (root / "specui.toml").write_text(
        f'[runner]\ncommand = [{sys.executable!r}, "agent.py"]\nnotify = false\n'
    )
    prompts = root / ".codex" / "prompts"
    prompts.mkdir(parents=True)
    (prompts / "speckit.constitution.md").write_text("Do it: $ARGUMENTS\n")


# ------------------------------------------------------------------ S3


def test_c1_bytes_never_reach_the_log(tmp_path: Path) -> None:
    (tmp_path / "emit.py").write_text(_emitter(HOSTILE))
    supervisor = _supervisor(tmp_path, [sys.executable, "emit.py"])
    assert supervisor.run().state == "done"
    log = Path(supervisor.spec.log_path).read_bytes()
    assert _c1_outside_characters(log) == []
    assert b"\x1b[31mred\x1b[0m kept\n" in log  # colour kept
    assert b"csi cleared\n" in log and b"osc after\n" in log and b"utf8 csi plain\n" in log
    assert "euro € and Û stay\n".encode() in log  # 0x82 and 0x9B inside characters are text
    assert b"2J" not in log and b"title" not in log and b"31m" not in log.replace(b"\x1b[31m", b"")


def test_c1_bytes_never_reach_a_headless_terminal(root: Path) -> None:
    _project_with_command(root, _emitter(HOSTILE))
    proc = specui_process(["run", "constitution", "--input", "x", str(root)], root,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert _c1_outside_characters(out) == [] and _c1_outside_characters(err) == []
    assert b"csi cleared\n" in out and b"\x1b[31mred\x1b[0m kept" in out


# ------------------------------------------------------------------ S6

ESCAPEES = textwrap.dedent("""
    import subprocess, sys, time
    sys.stdin.read()
    a = subprocess.Popen(["setsid", "sleep", "301"])
    b = subprocess.Popen(["sleep", "302"], start_new_session=True)
    # a daemon: double fork, the middle process exits at once
    c = subprocess.Popen([sys.executable, "-c",
        "import os, subprocess; subprocess.Popen(['setsid', 'sleep', '303']); os._exit(0)"])
    c.wait()
    time.sleep(0.3)
    print("escapees", a.pid, b.pid, flush=True)
    time.sleep(float(sys.argv[1]) if len(sys.argv) > 1 else 300)
""")


def _sleepers(marker: str) -> list[int]:
    """Live `sleep 30x` processes started by this test (matched by their argument)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if cmdline[:1] == [b"sleep"] and cmdline[1:2] == [marker.encode()] and alive(int(entry)):
            found.append(int(entry))
    return found


ESCAPEES_LINE = re.compile(rb"^escapees (\d+) (\d+)\n", re.MULTILINE)


def _escapees(log: Path, *, running: bool = True) -> list[int]:
    # The whole line: an unbuffered agent (PYTHONUNBUFFERED) prints it in pieces, and the
    # supervisor logs a partial line after a quiet moment (a waiting prompt shows).
    def line() -> re.Match[bytes] | None:
        return ESCAPEES_LINE.search(log.read_bytes()) if log.exists() else None

    wait_for(lambda: line() is not None, what="escapees started")
    pids = [int(p) for p in line().groups()]  # type: ignore[union-attr]  # the log only grows
    assert not running or all(alive(p) for p in pids)
    return pids


def test_stop_kills_processes_that_left_the_group(tmp_path: Path) -> None:
    (tmp_path / "agent.py").write_text(ESCAPEES)
    supervisor = _supervisor(tmp_path, [sys.executable, "agent.py"])
    result: dict[str, object] = {}
    thread = threading.Thread(target=lambda: result.update(status=supervisor.run()))
    thread.start()
    pids = _escapees(Path(supervisor.spec.log_path))
    daemon = _sleepers("303")
    assert daemon, "the double-forked daemon did not start"
    supervisor.request_stop()
    thread.join(30)
    assert not thread.is_alive()
    assert result["status"].state == "stopped"  # type: ignore[union-attr]
    wait_for(lambda: not any(alive(p) for p in pids + daemon), timeout=5, what="escapees gone")


def test_a_run_that_ends_leaves_no_escapee(tmp_path: Path) -> None:
    (tmp_path / "agent.py").write_text(ESCAPEES)
    supervisor = _supervisor(tmp_path, [sys.executable, "agent.py", "0"])
    assert supervisor.run().state == "done"
    # Printed 0.3 s after they started, while the agent still ran; the run is over now.
    pids = _escapees(Path(supervisor.spec.log_path), running=False)
    wait_for(lambda: not any(alive(p) for p in pids), timeout=5, what="escapees gone")


def test_kill_9_of_a_detached_supervisor_takes_its_escapees(tmp_path: Path) -> None:
    (tmp_path / "agent.py").write_text(ESCAPEES)
    supervisor = _supervisor(tmp_path, [sys.executable, "agent.py"])
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    subprocess.run([sys.executable, "-m", "specui.runner.supervisor",
                    str(supervisor.run_dir), "--detach"], env=env, check=True, timeout=30)
    pids = _escapees(Path(supervisor.spec.log_path))
    owner = read_pid(supervisor.run_dir)
    assert owner is not None and alive(owner)
    status = read_status(supervisor.run_dir)
    assert status is not None and status.pid is not None
    os.kill(owner, signal.SIGKILL)
    wait_for(lambda: not any(alive(p) for p in [*pids, status.pid]), timeout=10,
             what="agent and escapees gone after kill -9 of the supervisor")


def test_workbench_stop_of_a_detached_run_takes_its_escapees(root: Path) -> None:
    """The workbench's path: PhaseManager.start (detached supervisor), then stop."""
    from specui.core.config import RunnerConfig
    from specui.runner.manager import PhaseManager
    from specui.store import SessionStore

    _project_with_command(root, ESCAPEES)
    project = Project.at(root)
    config = RunnerConfig(command=[sys.executable, "agent.py"], notify=False,
                          stop_grace_seconds=2)
    manager = PhaseManager(project, SessionStore.open(project), config)
    (root / "orchestrator").mkdir(exist_ok=True)
    (root / "orchestrator" / "input").write_text("<constitution>c</constitution>\n")
    run = manager.start("constitution")
    pids = _escapees(manager.log_path(run))
    status = read_status(project.runs_dir / run.run_id)
    assert status is not None and status.pid is not None
    manager.stop(run.run_id)
    wait_for(lambda: not any(alive(p) for p in [*pids, status.pid]), timeout=10,
             what="agent and escapees gone after stop")
    wait_for(lambda: read_status(project.runs_dir / run.run_id).ended, what="run ended")


def test_kill_9_of_headless_run_takes_its_escapees(root: Path) -> None:
    _project_with_command(root, ESCAPEES)
    proc = specui_process(["run", "constitution", "--input", "x", str(root)], root,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        logs = root / "orchestrator"
        wait_for(lambda: logs.is_dir() and any(logs.glob("constitution-*.md")), what="log")
        pids = _escapees(next(logs.glob("constitution-*.md")))
        run_dir = next((root / ".specui" / "runs").iterdir())
        status = read_status(run_dir)
        assert status is not None and status.pid is not None
        proc.kill()  # kill -9: nothing of specui run gets to clean up
        proc.wait(10)
        wait_for(lambda: not any(alive(p) for p in [*pids, status.pid]), timeout=10,
                 what="agent and escapees gone after kill -9 of specui run")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# ------------------------------------------------------------------ U5


def test_pid_file_naming_another_process_is_nobody(tmp_path: Path, root: Path) -> None:
    from specui.bridge import running_workbench

    other = subprocess.Popen(["sleep", "30"])
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        cases = {
            "pid 1": "1\n",
            "pid 1 with a start time": f"1\n1 {boot}\n",
            "live process, wrong start time": f"{other.pid}\n1 {boot}\n",
            "live process, no start time": f"{other.pid}\n",
        }
        for name, text in cases.items():
            path = tmp_path / "x.pid"
            path.write_text(text)
            assert read_pid_file(path) is None, name
            (root / ".specui").mkdir(exist_ok=True)
            (root / ".specui" / "workbench.pid").write_text(text)
            assert running_workbench(Project.at(root)) is None, name
        path.write_text(pid_file_text(other.pid))  # the real identity: that one is alive
        assert read_pid_file(path) == other.pid
        other.kill()
        other.wait()
        assert read_pid_file(path) is None
    finally:
        if other.poll() is None:
            other.kill()
            other.wait()


def test_question_does_not_wait_for_a_workbench_that_is_not_there(root: Path) -> None:
    (root / ".specui").mkdir()
    (root / ".specui" / "workbench.pid").write_text("1\n")
    env = {k: v for k, v in os.environ.items() if k != "TMUX"}
    started = time.monotonic()
    proc = specui_process(
        ["question", "--input", '{"question": "Pick", "options": [{"label": "A"}]}', str(root)],
        root, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=env, start_new_session=True,  # no controlling terminal: nobody else to ask
    )
    _out, err = proc.communicate(timeout=30)
    assert time.monotonic() - started < 10
    assert proc.returncode == 1 and b"no specui workbench is open" in err
