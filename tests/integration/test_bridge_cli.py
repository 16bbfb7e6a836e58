"""The real `specui question` command, run as a subprocess: against a headless workbench answered
through the keyboard, against a thread that plays the workbench (answer / cancel / silence),
inline in a pseudo-terminal, and with bad input. Checks stdout JSON and exit codes 0/1/2."""

from __future__ import annotations

import asyncio
import json
import os
import pty
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import seed004

from specui import bridge
from specui.core.paths import Project
from specui.core.questions import build_answer

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
SINGLE = seed004.SINGLE
MULTI = {
    **seed004.MULTI,
    "allow_other": True,
    "question": "Which non-goals must stay out of scope for the first pass? [/]",
}


def specui_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "specui", *args]


def child_env() -> dict[str, str]:
    env = dict(os.environ)
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


def responder(
    project: Project, respond: Callable[[bridge.BridgeRequest], None]
) -> threading.Thread:
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


def run_cli(
    *args: str, stdin: str | None = None, timeout: float = 30
) -> subprocess.CompletedProcess:
    return subprocess.run(
        specui_argv("question", *args),
        input=stdin,
        check=False,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=child_env(),
        stdin=None if stdin is not None else subprocess.DEVNULL,
    )


def bridge_files(project: Project) -> list[str]:
    folder = bridge.bridge_dir(project)
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


# ------------------------------------------------------------------------------ a thread answers


def test_single_answer_json_exit_0(workbench: Project) -> None:
    def respond(request: bridge.BridgeRequest) -> None:
        assert request.question.source == "deep-interview"
        bridge.write_answer(workbench, request.id, build_answer(request.question, [0], None))

    thread = responder(workbench, respond)
    proc = run_cli("--input", json.dumps(SINGLE), str(workbench.root), "--json")
    thread.join(5)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    expected = {
        "kind": "option",
        "value": "ralplan",
        "selected_labels": ["Plan first"],
        "selected_values": ["ralplan"],
    }
    assert out == {"answers": [{"answer": expected}], "answer": expected}
    assert proc.stderr == ""
    assert bridge_files(workbench) == []  # the asker cleaned up after itself


def test_multi_from_stdin_wrapper_prints_a_summary(workbench: Project) -> None:
    def respond(request: bridge.BridgeRequest) -> None:
        answer = build_answer(request.question, [1, 2], "keep flags")
        bridge.write_answer(workbench, request.id, answer)

    thread = responder(workbench, respond)
    proc = run_cli("--input", "-", str(workbench.root), stdin=json.dumps({"questions": [MULTI]}))
    thread.join(5)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "No new dependencies; No API contract changes; keep flags\n"


def test_cancel_in_the_workbench_exits_1(workbench: Project) -> None:
    thread = responder(workbench, lambda r: bridge.write_cancel(workbench, r.id, "cancelled"))
    proc = run_cli("--input", json.dumps(SINGLE), str(workbench.root), "--json")
    thread.join(5)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr == "specui: error: the question was cancelled in the workbench\n"
    assert bridge_files(workbench) == []


def test_timeout_exits_1_and_withdraws_the_request(workbench: Project) -> None:
    seen: list[str] = []
    thread = responder(workbench, lambda r: seen.append(r.id))  # sees it, never answers
    started = time.monotonic()
    proc = run_cli("--input", json.dumps(SINGLE), str(workbench.root), "--timeout", "1")
    elapsed = time.monotonic() - started
    thread.join(5)
    assert proc.returncode == 1 and proc.stdout == ""
    assert "no answer within 1s" in proc.stderr and proc.stderr.count("\n") == 1
    assert seen and elapsed >= 1
    assert bridge_files(workbench) == []


def test_ctrl_c_withdraws_the_request(workbench: Project) -> None:
    proc = subprocess.Popen(
        specui_argv("question", "--input", json.dumps(SINGLE), str(workbench.root)),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    try:
        deadline = time.monotonic() + 20
        while not bridge.pending_requests(workbench) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert bridge.pending_requests(workbench)
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130
    assert "interrupted" in err
    assert bridge_files(workbench) == []


def test_the_workbench_closing_ends_the_wait(project: Project) -> None:
    stand_in = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        bridge.pid_path(project).parent.mkdir(parents=True, exist_ok=True)
        bridge.pid_path(project).write_text(f"{stand_in.pid}\n")
        asker = subprocess.Popen(
            specui_argv("question", "--input", json.dumps(SINGLE), str(project.root)),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=child_env(),
        )
        deadline = time.monotonic() + 20
        while not bridge.pending_requests(project) and time.monotonic() < deadline:
            time.sleep(0.02)
        stand_in.kill()
        stand_in.wait()
        _out, err = asker.communicate(timeout=20)
    finally:
        if stand_in.poll() is None:
            stand_in.kill()
    assert asker.returncode == 1
    assert "workbench closed before the question was answered" in err
    assert bridge_files(project) == []


# ------------------------------------------------------------------------------ no workbench


def test_bad_input_exits_2_with_one_line(project: Project) -> None:
    for args in (
        ["--input", "{nope", str(project.root)],
        ["--input", json.dumps({"questions": [SINGLE, MULTI]}), str(project.root)],
        ["--input", json.dumps(SINGLE), str(project.root / "missing")],
        ["--input", json.dumps(SINGLE), "--timeout", "0"],
    ):
        proc = run_cli(*args)
        assert proc.returncode == 2, args
        assert proc.stdout == ""
        assert proc.stderr.startswith("specui: error: ") and proc.stderr.count("\n") == 1


def test_no_workbench_and_no_terminal_exits_1(project: Project) -> None:
    bridge.pid_path(project).parent.mkdir(parents=True)
    bridge.pid_path(project).write_text("999999999\n")  # a pid file left by a crash
    proc = run_cli("--input", json.dumps(SINGLE), str(project.root))
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr == (
        f"specui: error: no specui workbench is running on {project.root} "
        "and no terminal to ask in\n"
    )


def test_inline_in_a_terminal(project: Project) -> None:
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        os.chdir(project.root)
        os.environ["PYTHONPATH"] = str(REPO)
        os.execv(sys.executable, specui_argv("question", "--input", json.dumps(MULTI), "--json"))
    output = b""

    def read_until(marker: bytes, timeout: float = 20) -> None:
        nonlocal output
        deadline = time.monotonic() + timeout
        while marker not in output and time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    output += os.read(fd, 4096)
                except OSError:
                    return
        assert marker in output, output.decode(errors="replace")

    read_until(b"Answer (")
    os.write(fd, b"7\n")
    read_until(b"no option 7")
    os.write(fd, b"2 4\n")
    read_until(b"Other: ")
    os.write(fd, b"my own [/] text\n")
    read_until(b"}\r\n}")
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    text = output.decode()
    assert os.waitstatus_to_exitcode(status) == 0
    assert "Question from deep-interview" in text and "  4) Other (type: o: your answer)" in text
    envelope = json.loads(text[text.index("{") :])
    assert envelope["answers"][0]["answer"]["selected_values"] == [
        "no-new-dependencies",
        "my own [/] text",
    ]
    assert envelope["answer"] == envelope["answers"][0]["answer"]


# ------------------------------------------------------------------------------ a real workbench


async def test_cli_against_a_headless_workbench(project: Project) -> None:
    """The whole path: the CLI posts, the app's watcher sees it, the modal takes keys, the CLI
    prints the answer. The app runs in this process (Textual's headless driver)."""
    from specui.core.config import SpecuiConfig
    from specui.store import SessionStore
    from specui.ui.app import SpecuiApp
    from specui.ui.screens.bridge_question import BridgeQuestionScreen

    store = SessionStore.open(project)
    app = SpecuiApp(
        project, store=store, config=SpecuiConfig(), make_engine=False, watch=True, blink=False
    )
    async with app.run_test(size=(100, 30)) as pilot:

        async def until(predicate, timeout: float = 20) -> bool:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and not predicate():
                await pilot.pause(0.05)
            return predicate()

        assert await until(lambda: bridge.running_workbench(project) is not None)
        results = []
        for keys in (["1", "3", "enter"], ["escape"]):
            proc = await asyncio.create_subprocess_exec(
                *specui_argv("question", "--input", json.dumps(MULTI), "--json"),
                cwd=project.root,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=child_env(),
            )
            assert await until(lambda: isinstance(app.screen, BridgeQuestionScreen))
            await pilot.pause()
            await pilot.press(*keys)
            out, err = await asyncio.wait_for(proc.communicate(), 20)
            results.append((proc.returncode, out.decode(), err.decode()))
            assert await until(lambda: not isinstance(app.screen, BridgeQuestionScreen))
    (code, out, err), (cancel_code, cancel_out, cancel_err) = results
    assert code == 0, err
    answer = json.loads(out)["answers"][0]["answer"]
    assert answer == {
        "kind": "multi",
        "value": ["no-ui-redesign", "no-api-contract-changes"],
        "selected_labels": ["No UI redesign", "No API contract changes"],
        "selected_values": ["no-ui-redesign", "no-api-contract-changes"],
    }
    assert cancel_code == 1 and cancel_out == ""
    assert "cancelled in the workbench" in cancel_err
    assert bridge_files(project) == []
    assert not bridge.pid_path(project).exists()
