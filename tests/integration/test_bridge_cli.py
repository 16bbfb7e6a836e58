"""The real `specui question` command, run as a subprocess:
- against a workbench (this test process plays it, a thread answers): envelope, batch, stdin,
  cancel, timeout, Ctrl+C, supersede, a workbench that dies (question_ui_failed within 2 s);
- in a real tmux with no workbench, stdout captured as an agent's shell tool does: a pane
  opens, is answered with keys, the answer lands in the file, the pane closes; a batch with
  its review; a pane that is killed; a timeout;
- outside tmux on a controlling terminal (a pty) with stdout a pipe: the question is drawn
  on the terminal, never on stdout.
Each tmux test has its own server (`-L bridge-<id>`, no user config), killed in teardown.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import shlex
import shutil
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import seed004

from specui import bridge
from specui.core.paths import Project
from specui.core.questions import build_answer
from specui.ui.screens.bridge_question import HOLD_SECONDS, HOLD_TEXT

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
TMUX = shutil.which("tmux")
SINGLE = seed004.SINGLE
MULTI = {**seed004.MULTI, "allow_other": True, "question": "Which non-goals? [/]"}


def specui_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "specui", *args]


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TMUX", "TMUX_PANE")}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


@pytest.fixture
def project(tmp_path: Path) -> Project:
    root = tmp_path / "proj"
    root.mkdir()
    return Project.at(root)


@pytest.fixture
def workbench(project: Project) -> Iterator[Project]:
    """This test process plays the workbench: its pid is in .specui/workbench.pid."""
    bridge.write_workbench_pid(project)
    yield project
    bridge.remove_workbench_pid(project)


def responder(project: Project, respond: Callable[[bridge.BridgeRequest], None]) -> threading.Thread:
    """Answer the first request that appears (like the workbench would)."""

    def run() -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            pending = bridge.pending_requests(project)
            if pending:
                respond(pending[0])
                return
            time.sleep(0.02)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def run_cli(*args: str, stdin: str | None = None, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run(
        specui_argv("question", *args), input=stdin, check=False, capture_output=True,
        text=True, timeout=timeout, env=child_env(), start_new_session=True,
        stdin=None if stdin is not None else subprocess.DEVNULL,
    )


def bridge_files(project: Project) -> list[str]:
    folder = bridge.bridge_dir(project)
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def wait_for(predicate: Callable[[], object], what: str, timeout: float = 20) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


# ------------------------------------------------------------------------------ a workbench


def test_answer_envelope_exit_0(workbench: Project) -> None:
    def respond(request: bridge.BridgeRequest) -> None:
        bridge.write_answer(workbench, request.id, [build_answer(request.batch.first, [0], None)])

    thread = responder(workbench, respond)
    proc = run_cli("--input", json.dumps({**SINGLE, "session_id": "s1"}), str(workbench.root), "--json")
    thread.join(5)
    assert proc.returncode == 0 and proc.stderr == ""
    assert proc.stdout.count("\n") == 1
    out = json.loads(proc.stdout)
    assert out["ok"] is True and out["session_id"] == "s1"
    assert out["question_id"].startswith("question-")
    assert out["answers"] == [{"question_id": "q-1", "index": 0, "answer": out["answer"]}]
    assert out["answer"]["value"] == "ralplan" and out["prompt"]["source"] == "deep-interview"
    assert bridge_files(workbench) == []


def test_batch_from_stdin_prints_one_line_each(workbench: Project) -> None:
    def respond(request: bridge.BridgeRequest) -> None:
        first, second = request.batch.questions
        bridge.write_answer(
            workbench, request.id,
            [build_answer(first, [2], None), build_answer(second, [1], "keep flags")],
        )

    thread = responder(workbench, respond)
    payload = json.dumps({"questions": [{"id": "lane", **SINGLE}, MULTI]})
    proc = run_cli("--input", "-", str(workbench.root), stdin=payload)
    thread.join(5)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "lane: Refine further\nq-2: No new dependencies; keep flags\n"


def test_a_payload_over_256_kib_on_stdin_exits_2(project: Project) -> None:
    proc = run_cli("--json", "--input", "-", str(project.root),
                   stdin=json.dumps({"question": "x" * 300_000}))
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert json.loads(proc.stdout)["error"]["code"] == "question_invalid_input"
    assert bridge_files(project) == []


def test_cancel_in_the_workbench_exits_1_with_failure_json(workbench: Project) -> None:
    thread = responder(workbench, lambda r: bridge.write_cancel(workbench, r.id))
    proc = run_cli("--input", json.dumps(SINGLE), str(workbench.root), "--json")
    thread.join(5)
    out = json.loads(proc.stdout)
    assert proc.returncode == 1 and out["ok"] is False
    assert out["error"]["code"] == "question_not_answered"
    assert proc.stderr.count("\n") == 1 and bridge_files(workbench) == []


def test_timeout_exits_1_and_withdraws(workbench: Project) -> None:
    seen: list[str] = []
    thread = responder(workbench, lambda r: seen.append(r.id))  # sees it, never answers
    started = time.monotonic()
    proc = run_cli("--json", "--input", json.dumps(SINGLE), str(workbench.root), "--timeout", "1")
    thread.join(5)
    assert proc.returncode == 1 and seen and time.monotonic() - started >= 1
    assert json.loads(proc.stdout)["error"]["code"] == "question_not_answered"
    assert bridge_files(workbench) == []


def test_ctrl_c_is_exit_1_and_withdraws(workbench: Project) -> None:
    proc = subprocess.Popen(
        specui_argv("question", "--json", "--input", json.dumps(SINGLE), str(workbench.root)),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=child_env(), start_new_session=True,
    )
    try:
        wait_for(lambda: bridge.pending_requests(workbench), "the request")
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1
    assert json.loads(out)["error"]["code"] == "question_not_answered"
    assert bridge_files(workbench) == []


def test_a_newer_question_from_the_same_session_supersedes(workbench: Project) -> None:
    payload = json.dumps({**SINGLE, "session_id": "same"})
    first = subprocess.Popen(
        specui_argv("question", "--json", "--input", payload, str(workbench.root)),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=child_env(), start_new_session=True,
    )
    try:
        wait_for(lambda: bridge.pending_requests(workbench), "the first request")

        def respond_to_second() -> None:
            def pending_second():
                reqs = bridge.pending_requests(workbench)
                return reqs if len(reqs) == 1 and reqs[0].asker.pid != first.pid else None

            req = wait_for(pending_second, "the second request alone")[0]
            bridge.write_answer(workbench, req.id, [build_answer(req.batch.first, [1], None)])

        thread = threading.Thread(target=respond_to_second, daemon=True)
        thread.start()
        second = run_cli("--json", "--input", payload, str(workbench.root))
        out, _ = first.communicate(timeout=10)
        thread.join(5)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 1
    assert json.loads(out)["error"]["code"] == "question_superseded"
    assert second.returncode == 0 and json.loads(second.stdout)["answer"]["value"] == "autopilot"


def test_a_workbench_that_dies_fails_the_question_within_2s(project: Project) -> None:
    stand_in = subprocess.Popen(
        [sys.executable, "-c",
         ("import sys, time; from specui import bridge; from specui.core.paths import Project; "
          "bridge.write_workbench_pid(Project.at(sys.argv[1])); print('up', flush=True); "
          "time.sleep(60)"), str(project.root)],
        stdout=subprocess.PIPE, text=True, env=child_env(),
    )
    try:
        assert stand_in.stdout.readline() == "up\n"
        proc = subprocess.Popen(
            specui_argv("question", "--json", "--input", json.dumps(SINGLE), str(project.root)),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=child_env(), start_new_session=True,
        )
        wait_for(lambda: bridge_files(project), "the request")
        stand_in.kill()
        stand_in.wait()
        killed = time.monotonic()
        out, _ = proc.communicate(timeout=10)
        took = time.monotonic() - killed
    finally:
        stand_in.kill()
    data = json.loads(out)
    assert proc.returncode == 1 and data["error"]["code"] == "question_ui_failed"
    assert took < 2.0, took


# ------------------------------------------------------------------------------ PID namespaces

UNSHARE = shutil.which("unshare")


def sandboxed(*args: str) -> list[str]:
    """`specui question` in a PID namespace of its own, as Codex's sandbox runs commands."""
    return [str(UNSHARE), "--pid", "--fork", "--mount-proc", *specui_argv("question", *args)]


@pytest.fixture
def pid_namespaces() -> None:
    if UNSHARE is None or subprocess.run(
        [UNSHARE, "--pid", "--fork", "--mount-proc", "true"], capture_output=True, check=False
    ).returncode != 0:
        pytest.skip("cannot create a PID namespace here (unshare needs privileges)")


def test_a_sandboxed_asker_reaches_the_workbench(pid_namespaces, workbench: Project) -> None:
    def respond(request: bridge.BridgeRequest) -> None:
        assert not request.asker.visible()  # its pid means nothing here
        time.sleep(2 * bridge.ALIVE_SILENT_SECONDS)  # kept alive by its heartbeat meanwhile
        assert bridge.pending_requests(workbench)
        bridge.write_answer(workbench, request.id, [build_answer(request.batch.first, [1], None)])

    thread = responder(workbench, respond)
    proc = subprocess.run(
        sandboxed("--json", "--input", json.dumps(SINGLE), str(workbench.root)),
        capture_output=True, text=True, timeout=60, env=child_env(), check=False,
        stdin=subprocess.DEVNULL, start_new_session=True,
    )
    thread.join(5)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["answer"]["value"] == "autopilot"


def test_a_sandboxed_asker_sees_the_workbench_die_within_2s(
    pid_namespaces, project: Project
) -> None:
    stand_in = subprocess.Popen(
        [sys.executable, "-c",
         ("import sys, time; from specui import bridge; from specui.core.paths import Project; "
          "bridge.write_workbench_pid(Project.at(sys.argv[1])); print('up', flush=True); "
          "time.sleep(60)"), str(project.root)],
        stdout=subprocess.PIPE, text=True, env=child_env(),
    )
    try:
        assert stand_in.stdout.readline() == "up\n"
        proc = subprocess.Popen(
            sandboxed("--json", "--input", json.dumps(SINGLE), str(project.root)),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=child_env(), start_new_session=True,
        )
        wait_for(lambda: [f for f in bridge_files(project) if f.endswith(".request.json")],
                 "the request")
        time.sleep(1.0)  # it waits, kept by the beat
        assert proc.poll() is None
        stand_in.kill()
        stand_in.wait()
        killed = time.monotonic()
        out, _ = proc.communicate(timeout=10)
        took = time.monotonic() - killed
    finally:
        stand_in.kill()
    data = json.loads(out)
    assert proc.returncode == 1 and data["error"]["code"] == "question_ui_failed"
    assert took < 2.0, took


# ------------------------------------------------------------------------------ tmux


class Tmux:
    """A private tmux server with one shell session (never the user's server)."""

    def __init__(self, tmp: Path) -> None:
        self.socket = f"bridge-{uuid.uuid4().hex[:10]}"
        self.tmp = tmp
        # The server (started by the first command) passes this environment to its panes;
        # pytest's COLUMNS/LINES and the developer's TMUX stay out.
        self.env = {
            "HOME": os.environ["HOME"], "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONPATH": str(REPO), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PS1": "$ ",
        }

    def __call__(self, *args: str, check: bool = True) -> str:
        assert TMUX is not None
        done = subprocess.run([TMUX, "-L", self.socket, "-f", "/dev/null", *args],
                              capture_output=True, text=True, timeout=20, check=False,
                              env=self.env)
        if check and done.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout

    def start(self, cwd: Path) -> None:
        self("new-session", "-d", "-s", "bridge-it", "-x", "120", "-y", "40", "-c", str(cwd), "sh")

    def panes(self) -> list[str]:
        return self("list-panes", "-a", "-F", "#{pane_id}").split()

    def screen(self, pane: str) -> str:
        return self("capture-pane", "-p", "-t", pane, check=False)

    def keys(self, pane: str, *keys: str) -> None:
        for key in keys:
            self("send-keys", "-t", pane, key)
            time.sleep(0.15)

    def stop(self) -> None:
        socket = self("display-message", "-p", "#{socket_path}", check=False).strip()
        self("kill-server", check=False)
        if socket:
            Path(socket).unlink(missing_ok=True)


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    if TMUX is None:
        pytest.skip("tmux is not installed")
    server = Tmux(tmp_path)
    yield server
    server.stop()


def ask_in_shell(tmux: Tmux, project: Project, payload: dict, *extra: str) -> tuple[Path, Path]:
    """Run `specui question` in the session's shell with stdout captured to a file."""
    out, rc = project.root / "answer.json", project.root / "rc.txt"
    command = " ".join(shlex.quote(a) for a in specui_argv(
        "question", "--json", "--input", json.dumps(payload), *extra, str(project.root)))
    tmux.keys("bridge-it", f"{command} > {out}; echo $? > {rc}", "Enter")
    return out, rc


def question_pane(tmux: Tmux, text: str) -> str:
    def find() -> str | None:
        panes = tmux.panes()
        if len(panes) < 2:
            return None
        return panes[-1] if text in tmux.screen(panes[-1]) else None

    pane = str(wait_for(find, "the question pane", timeout=30))
    # It starts held (keys typed into the pane that lost the focus are dropped): wait until
    # the hold line is gone and the options have the focus (their keys are in the footer).
    wait_for(lambda: HOLD_TEXT[:20] not in (s := tmux.screen(pane)) and "1-9" in s,
             "the question to take keys")
    return pane


def test_tmux_no_workbench_opens_a_pane_and_the_answer_lands_in_the_file(
    tmux: Tmux, project: Project
) -> None:
    tmux.start(project.root)
    out, rc = ask_in_shell(tmux, project, SINGLE)
    pane = question_pane(tmux, "Execute directly")
    screen = tmux.screen(pane)
    assert "Question from deep-interview" in screen
    assert all(o["label"] in screen for o in SINGLE["options"])  # the whole question fits
    tmux.keys(pane, "2", "Enter")
    wait_for(lambda: rc.exists() and rc.read_text().strip(), "the command to finish")
    assert rc.read_text().strip() == "0"
    data = json.loads(out.read_text())
    assert data["ok"] is True and data["answer"]["value"] == "autopilot"
    assert out.read_text().count("\n") == 1  # nothing but the JSON on stdout
    wait_for(lambda: len(tmux.panes()) == 1, "the pane to close")
    assert bridge_files(project) == []


def test_tmux_a_tall_question_gets_a_pane_it_fits_in(tmux: Tmux, project: Project) -> None:
    tmux.start(project.root)
    options = [{"label": f"Choice number {i}", "value": f"c{i}",
                "description": "a description long enough to need its own line " * 2}
               for i in range(1, 10)]
    out, rc = ask_in_shell(tmux, project, {"question": "Which one? " * 30, "options": options})
    pane = question_pane(tmux, "Choice number 1")
    screen = tmux.screen(pane)
    assert all(f"Choice number {i}" in screen for i in range(1, 10)), screen
    assert "Other" in screen
    tmux.keys(pane, "9", "Enter")
    wait_for(lambda: rc.exists() and rc.read_text().strip(), "the command to finish")
    assert json.loads(out.read_text())["answer"]["value"] == "c9"


def test_tmux_batch_with_review(tmux: Tmux, project: Project) -> None:
    tmux.start(project.root)
    payload = {"header": "Setup", "questions": [SINGLE, MULTI]}
    out, rc = ask_in_shell(tmux, project, payload)
    pane = question_pane(tmux, "Question 1 of 2")
    tmux.keys(pane, "3", "Enter")
    wait_for(lambda: "Question 2 of 2" in tmux.screen(pane), "the second question")
    tmux.keys(pane, "1", "2", "Enter")
    wait_for(lambda: "Review your answers" in tmux.screen(pane), "the review")
    screen = tmux.screen(pane)
    assert "Refine further" in screen and "No UI redesign; No new dependencies" in screen
    tmux.keys(pane, "Enter")
    wait_for(lambda: rc.exists() and rc.read_text().strip(), "the command to finish")
    data = json.loads(out.read_text())
    assert [a["answer"]["value"] for a in data["answers"]] == [
        "refine", ["no-ui-redesign", "no-new-dependencies"]]
    assert "prompt" not in data


def test_tmux_a_killed_pane_fails_the_question_within_2s(tmux: Tmux, project: Project) -> None:
    tmux.start(project.root)
    out, rc = ask_in_shell(tmux, project, SINGLE)
    pane = question_pane(tmux, "Execute directly")
    tmux("kill-pane", "-t", pane)
    killed = time.monotonic()
    wait_for(lambda: rc.exists() and rc.read_text().strip(), "the command to finish")
    assert time.monotonic() - killed < 2.5  # includes the 0.05 s polling of this test
    data = json.loads(out.read_text())
    assert rc.read_text().strip() == "1" and data["error"]["code"] == "question_ui_failed"
    assert bridge_files(project) == []


def test_tmux_an_asker_killed_outright_leaves_no_orphan_pane(tmux: Tmux, project: Project) -> None:
    tmux.start(project.root)
    ask_in_shell(tmux, project, SINGLE)
    question_pane(tmux, "Execute directly")
    request = wait_for(lambda: bridge.pending_requests(project, "standalone"), "the request")[0]
    os.kill(request.asker.pid, signal.SIGKILL)  # no chance to withdraw or close anything
    wait_for(lambda: len(tmux.panes()) == 1, "the orphan pane to close", timeout=10)
    assert bridge_files(project) == []


def test_tmux_timeout_closes_the_pane(tmux: Tmux, project: Project) -> None:
    tmux.start(project.root)
    out, rc = ask_in_shell(tmux, project, SINGLE, "--timeout", "3")
    question_pane(tmux, "Execute directly")
    wait_for(lambda: rc.exists() and rc.read_text().strip(), "the timeout", timeout=30)
    assert json.loads(out.read_text())["error"]["code"] == "question_not_answered"
    wait_for(lambda: len(tmux.panes()) == 1, "the pane to close")


def test_tmux_closing_the_question_window_is_not_answered(tmux: Tmux, project: Project) -> None:
    tmux.start(project.root)
    out, rc = ask_in_shell(tmux, project, SINGLE)
    pane = question_pane(tmux, "Execute directly")
    tmux.keys(pane, "C-q")  # Textual's quit, not one of the question's keys
    wait_for(lambda: rc.exists() and rc.read_text().strip(), "the command to finish")
    data = json.loads(out.read_text())
    assert rc.read_text().strip() == "1" and data["error"]["code"] == "question_not_answered"


def start_workbench(tmux: Tmux, project: Project) -> str:
    """The real workbench in window 0 of the private server; returns its pane."""
    command = " ".join(shlex.quote(a) for a in specui_argv(str(project.root)))
    tmux("new-session", "-d", "-s", "bridge-it", "-x", "160", "-y", "48", "-c",
         str(project.root), command)
    wait_for(lambda: bridge.running_workbench(project), "the workbench to announce itself")
    return tmux.panes()[0]


def ask_in_window(tmux: Tmux, project: Project, payload: dict, name: str) -> tuple[Path, Path]:
    """`specui question` in a new window (the user looks there, not at the workbench)."""
    out, rc = project.root / f"{name}.json", project.root / f"{name}.rc"
    command = " ".join(shlex.quote(a) for a in specui_argv(
        "question", "--json", "--input", json.dumps(payload), str(project.root)))
    tmux("new-window", "-t", "bridge-it", "-c", str(project.root),
         f"{command} > {out}; echo $? > {rc}; sleep 60")
    return out, rc


def test_tmux_workbench_modal_supersede_and_bell(tmux: Tmux, project: Project) -> None:
    wb = start_workbench(tmux, project)
    first_out, first_rc = ask_in_window(tmux, project, {**SINGLE, "session_id": "s"}, "first")
    wait_for(lambda: "Execute directly" in tmux.screen(wb), "the question in the workbench")
    assert "session s" in tmux.screen(wb)
    wait_for(  # the workbench's window rang
        lambda: "0 1" in tmux("list-windows", "-t", "bridge-it", "-F",
                              "#{window_index} #{window_bell_flag}").splitlines(),
        "the bell on the workbench's window", timeout=5,
    )
    second = {"question": "Second thoughts?", "options": ["Gamma", "Delta"], "session_id": "s"}
    second_out, second_rc = ask_in_window(tmux, project, second, "second")
    wait_for(lambda: first_rc.exists() and first_rc.read_text().strip(), "the first to end")
    assert json.loads(first_out.read_text())["error"]["code"] == "question_superseded"
    wait_for(lambda: "Second thoughts?" in tmux.screen(wb), "the newer question")
    tmux.keys(wb, "2", "Enter")
    wait_for(lambda: second_rc.exists() and second_rc.read_text().strip(), "the answer")
    assert json.loads(second_out.read_text())["answer"]["value"] == "Delta"
    assert bridge_files(project) == []


def test_tmux_a_workbench_killed_mid_question_fails_it_within_2s(
    tmux: Tmux, project: Project
) -> None:
    wb = start_workbench(tmux, project)
    out, rc = ask_in_window(tmux, project, SINGLE, "q")
    wait_for(lambda: "Execute directly" in tmux.screen(wb), "the question in the workbench")
    tmux("kill-pane", "-t", wb)
    killed = time.monotonic()
    wait_for(lambda: rc.exists() and rc.read_text().strip(), "the question to end")
    assert time.monotonic() - killed < 2.5  # includes this test's 0.05 s polling
    assert json.loads(out.read_text())["error"]["code"] == "question_ui_failed"


# ------------------------------------------------------------------------------ /dev/tty


def test_outside_tmux_the_question_is_asked_on_the_terminal_not_stdout(project: Project) -> None:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    # Kept open here until the end: a pty whose slave nobody holds reads EIO on the master.
    os.set_inheritable(slave, False)
    slave_name = os.ttyname(slave)
    env = {**child_env(), "TERM": "xterm-256color"}

    # In a new session the first terminal opened becomes the controlling one: a small
    # wrapper opens the pty, then becomes `specui question` (stdout stays a pipe).
    wrapper = (
        "import os, sys; os.close(os.open(sys.argv[1], os.O_RDWR)); "
        "os.execv(sys.executable, [sys.executable, *sys.argv[2:]])"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", wrapper, slave_name, "-m", "specui", "question", "--json",
         "--input", json.dumps(SINGLE), str(project.root)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=env, start_new_session=True,
    )
    seen = bytearray()
    stop = threading.Event()

    def drain() -> None:
        while not stop.is_set():
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            seen.extend(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        wait_for(lambda: b"Execute" in seen, "the question on the terminal", timeout=30)
        time.sleep(HOLD_SECONDS + 0.5)  # it starts held: keys typed as it opens are dropped
        os.write(master, b"2")
        time.sleep(0.3)
        os.write(master, b"\r")
        out, err = proc.communicate(timeout=20)
    finally:
        stop.set()
        if proc.poll() is None:
            proc.kill()
        os.close(master)
        os.close(slave)
    assert proc.returncode == 0, err
    data = json.loads(out)  # stdout is exactly the envelope: the UI went to the terminal
    assert data["answer"]["value"] == "autopilot"
    assert bridge_files(project) == []

