"""Supervisor (foreground), forwarders and notifications."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from supervised import make_run

from specui.core.orchestrator import phase_state, run_outcome
from specui.runner import supervisor as supervisor_module
from specui.runner.cli import CleanForwarder, JsonForwarder
from specui.runner.notify import bell, end_message, tmux_message
from specui.runner.supervisor import read_status


def test_log_is_written_while_streaming(tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    supervisor = make_run(tmp_path, f"""
        import os, sys, time
        print("got", sys.stdin.read().strip(), flush=True)
        print("first line", flush=True)
        while not os.path.exists({str(gate)!r}):
            time.sleep(0.02)
        print("second line", flush=True)
    """)
    result = {}
    thread = threading.Thread(target=lambda: result.update(status=supervisor.run()))
    thread.start()
    log = Path(supervisor.spec.log_path)
    deadline = time.monotonic() + 20
    # The line and its end can reach the log in two writes (a quiet child's partial line is
    # written at once; the terminal's CR LF after it): wait for the whole line.
    while time.monotonic() < deadline and "first line\n" not in (
        log.read_text() if log.exists() else ""
    ):
        time.sleep(0.02)
    text = log.read_text()
    assert "got the prompt\nfirst line\n" in text and "second line" not in text
    assert "- exit code" not in text  # no footer yet: the run is still going
    status = read_status(supervisor.run_dir)
    assert status is not None and status.state == "running" and status.pid
    gate.write_text("go")
    thread.join(20)
    assert result["status"].state == "done"
    text = log.read_text()
    assert text.index("first line") < text.index("second line") < text.index("- exit code: 0")


def test_grandchildren_do_not_outlive_the_run(tmp_path: Path) -> None:
    supervisor = make_run(tmp_path, """
        import subprocess, sys
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        print(child.pid, flush=True)
    """)
    started = time.monotonic()
    status = supervisor.run()
    assert time.monotonic() - started < 15
    assert status.state == "done"
    log = Path(supervisor.spec.log_path).read_text()
    grandchild = int(log.split("---\n\n", 1)[1].split()[0])
    time.sleep(0.2)
    try:
        os.kill(grandchild, 0)
        state = Path(f"/proc/{grandchild}/stat").read_text().rsplit(")", 1)[1].split()[0]
        assert state in ("Z", "X")
    except ProcessLookupError:
        pass


def test_start_failure_is_recorded(tmp_path: Path) -> None:
    supervisor = make_run(tmp_path, "")
    supervisor.spec.argv = [str(tmp_path / "missing-binary")]
    status = supervisor.run()
    assert status.state == "failed" and status.exit_code == 127
    assert "cannot start" in Path(supervisor.spec.log_path).read_text()


def test_clean_forwarder_shows_what_the_log_gets_and_ends_the_last_line() -> None:
    out = io.BytesIO()
    forward = CleanForwarder(out)
    forward([b"Proceed? [y/N] "])  # the supervisor hands out a waiting prompt at once
    assert out.getvalue() == b"Proceed? [y/N] "
    forward([b"y\n", memoryview(b"xx\x1b[1mnext\x1b[0m\nyy")[2:], b""])
    assert out.getvalue() == b"Proceed? [y/N] y\n\x1b[1mnext\x1b[0m\nyy"
    forward.flush()
    forward.flush()
    assert out.getvalue().endswith(b"yy\n")  # one newline, only where a line was left open
    forward([b"whole\n"])
    forward.flush()
    assert out.getvalue().endswith(b"yy\nwhole\n")


def test_clean_forwarder_ignores_a_closed_terminal() -> None:
    class Closed(io.BytesIO):
        def write(self, data: object) -> int:
            raise BrokenPipeError

    forward = CleanForwarder(Closed())
    forward([b"lost\n"])  # `specui run | head -1`: the run goes on, quietly
    forward.flush()


def test_forward_clean_gets_exactly_the_logged_output(tmp_path: Path) -> None:
    """Headless plain mode shows the log's own bytes: sanitized per line, nothing scanned twice,
    a flood of coloured lines forwarded whole."""
    supervisor = make_run(tmp_path, r"""
        import sys
        sys.stdin.read()
        out = sys.stdout.buffer
        for i in range(30000):
            out.write(b"\x1b[32m[bold]line %d[/bold]\x1b[0m tail\n" % i)
            if i == 20000:
                out.write(b"evil \x1b]52;c;eA==\x07 \x1b[2J gone\n")
        out.write(b"no newline at the end")
    """)
    seen: list[bytes] = []
    status = supervisor.run(forward_clean=lambda parts: seen.extend(bytes(p) for p in parts))
    assert status.state == "done"
    forwarded = b"".join(seen)
    body = Path(supervisor.spec.log_path).read_bytes().split(b"---\n\n", 1)[1]
    assert body.startswith(forwarded)
    assert body[len(forwarded):].startswith(b"\n---\n")  # then the footer, nothing else
    assert forwarded.count(b"\n") == 30001 == supervisor.status.lines
    assert b"evil   gone\n" in forwarded and b"\x1b]" not in forwarded
    assert b"\x1b[32m[bold]line 29999[/bold]\x1b[0m tail\n" in forwarded
    assert forwarded.endswith(b"no newline at the end")


def test_json_forwarder_rows_and_colour() -> None:
    out = io.StringIO()
    forward = JsonForwarder(out, colour=True)
    line = json.dumps({"type": "turn.failed", "error": {"message": "boom"}}).encode()
    forward(line[:7])
    forward(line[7:] + b"\nplain text\n")
    text = out.getvalue()
    assert "\x1b[1;31mturn failed: boom\x1b[0m\n" in text
    assert text.endswith("plain text\n")


def test_end_message() -> None:
    assert end_message("plan", "done", 0, 754.2) == "specui: phase plan done, exit 0 after 12m34s"


def test_tmux_message_only_inside_tmux(tmp_path: Path) -> None:
    record = tmp_path / "args"
    fake = tmp_path / "bin" / "tmux"
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\necho "$@" > {record}\n')
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    env = {"PATH": str(fake.parent)}
    assert tmux_message("hello", env) is False and not record.exists()
    env["TMUX"] = "/tmp/tmux-0/default,1,0"
    assert tmux_message("phase plan done", env) is True
    assert record.read_text().strip() == "display-message -d 10000 phase plan done"
    # The text is data: tmux would expand #{…} and run #(…) in a message (trial4 J19).
    assert tmux_message("phase #(touch x) #{pane_id}", env) is True
    assert record.read_text().strip() == "display-message -d 10000 phase ##(touch x) ##{pane_id}"


def test_bell_only_on_a_terminal() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    plain, tty = io.StringIO(), Tty()
    bell(plain)
    bell(tty)
    assert plain.getvalue() == "" and tty.getvalue() == "\a"


def test_stall_is_reported_once_then_resumes(tmp_path: Path) -> None:
    supervisor = make_run(tmp_path, """
        import time
        print("working", flush=True)
        time.sleep(1.5)
        print("back", flush=True)
        time.sleep(0.1)
    """)
    supervisor.spec.stall_seconds = 0.6
    calls: list[tuple[bool, float, bool]] = []

    def on_stall(stalled: bool, idle: float, *_) -> None:
        status = read_status(supervisor.run_dir)  # written before the callback
        calls.append((stalled, idle, bool(status and status.stalled)))

    status = supervisor.run(on_stall=on_stall)
    assert status.state == "done" and status.stalled is False
    assert [(c[0], c[2]) for c in calls] == [(True, True), (False, False)]
    assert 0.6 <= calls[0][1] < 1.5


def test_no_stall_report_while_output_flows(tmp_path: Path) -> None:
    supervisor = make_run(tmp_path, """
        import time
        for i in range(8):
            print(i, flush=True)
            time.sleep(0.2)
    """)
    supervisor.spec.stall_seconds = 0.7
    calls: list[bool] = []
    supervisor.run(on_stall=lambda stalled, *_: calls.append(stalled))
    assert calls == []


def test_supervisor_adopts_and_reaps_orphans(tmp_path: Path) -> None:
    """The agent's shell exits and leaves a background child: it must not end up a zombie of
    init (which may never reap it). The agent's guard (or, without one, the supervisor), as
    child subreaper, adopts it and reaps it before the run is reported as ended."""
    supervisor = make_run(tmp_path, "")
    spec = supervisor.spec
    spec.argv = ["sh", "-c", "sleep 30 & echo orphan=$!; exit 0"]
    (supervisor.run_dir / "spec.json").write_text(spec.model_dump_json())
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen([sys.executable, "-m", "specui.runner.supervisor",
                             str(supervisor.run_dir)], env=env)
    try:
        log = Path(spec.log_path)
        deadline = time.monotonic() + 20
        found = None
        while found is None:
            assert time.monotonic() < deadline, "the command never started"
            time.sleep(0.02)
            text = log.read_text() if log.exists() else ""
            found = re.search(r"^orphan=(\d+)$", text, re.MULTILINE)
        orphan = int(found.group(1))
        status = read_status(supervisor.run_dir)
        assert status is not None
        adopters = {proc.pid, status.pid}  # the supervisor, or the guard it runs the agent in
        parents = set()
        while time.monotonic() < deadline:  # the shell exits at once; sleep is re-parented
            try:
                stat_text = Path(f"/proc/{orphan}/stat").read_text()
            except FileNotFoundError:
                break  # adopted and killed already (the guard does both within milliseconds)
            ppid = int(stat_text.rsplit(")", 1)[1].split()[1])
            parents.add(ppid)
            if ppid in adopters:
                break
            time.sleep(0.01)
        assert 1 not in parents  # never init's: adopted by specui
        assert proc.wait(30) == 0
        status = read_status(supervisor.run_dir)
        assert status is not None and status.state == "done"
        assert not Path(f"/proc/{orphan}").exists()  # killed and reaped: not even a zombie
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_log_is_sanitized_per_line_while_streaming(tmp_path: Path) -> None:
    """Colours kept; clear screen, OSC 52, titles stripped even when split across the child's
    writes; no line lost; a waiting prompt (partial line) still reaches the log."""
    raw = ("\x1b[31mred\x1b[0m [bold]not markup[/] \x1b[2J\x1b]0;title\x07\x1b]52;c;eA==\x07end\n"
           "an unterminated title \x1b]2;never closed\nnext line survives\r\n"
           "\x1b[1;34mblue\x1b[0m caf\u00e9\n").encode()
    supervisor = make_run(tmp_path, f"""
        import sys, time
        sys.stdin.read()
        raw = {raw!r}
        for i in range(0, len(raw), 5):
            sys.stdout.buffer.write(raw[i:i + 5]); sys.stdout.flush()
            time.sleep(0.002)
        sys.stdout.buffer.write(b"waiting for you ")
        sys.stdout.flush()
        time.sleep(1.5)
        sys.stdout.buffer.write(b"done\\n")
    """)
    log = Path(supervisor.spec.log_path)
    thread = threading.Thread(target=supervisor.run)
    thread.start()
    deadline = time.monotonic() + 20
    while b"waiting for you" not in (log.read_bytes() if log.exists() else b""):
        assert time.monotonic() < deadline, "the partial line never reached the log"
        time.sleep(0.05)
    thread.join(20)
    body = log.read_bytes().split(b"---\n\n", 1)[1].rsplit(b"\n---\n", 1)[0]
    assert body == (
        b"\x1b[31mred\x1b[0m [bold]not markup[/] end\n"
        b"an unterminated title \n"
        b"next line survives\n"
        + "\x1b[1;34mblue\x1b[0m caf\u00e9\n".encode()
        + b"waiting for you done\n"
    )
    assert supervisor.status.lines == 5  # counted from the raw stream


def _guard(*argv: str) -> subprocess.CompletedProcess[bytes]:
    from specui.runner import guard

    return subprocess.run([sys.executable, "-S", "-E", guard.__file__, "1", "--", *argv],
                          check=False, capture_output=True, timeout=30)


def test_guard_ends_the_way_the_agent_did() -> None:
    """The supervisor must see through the guard: same exit code, same signal, same stdout."""
    assert _guard("sh", "-c", "echo hi; exit 3").returncode == 3
    assert _guard("sh", "-c", "echo hi").stdout == b"hi\n"
    assert _guard("sh", "-c", "kill -TERM $$").returncode == -signal.SIGTERM
    assert _guard("sh", "-c", "kill -KILL $$").returncode == -signal.SIGKILL
    missing = _guard("/nonexistent/agent")
    assert missing.returncode == 127 and b"cannot start" in missing.stderr


# --- progress, not output: what a stall is measured by ---------------------------------------


def test_json_error_events_are_not_progress_and_name_the_stall(tmp_path: Path) -> None:
    supervisor = make_run(tmp_path, """
        import json, sys, time
        sys.stdin.read()
        print(json.dumps({"type": "thread.started", "thread_id": "t"}), flush=True)
        for _ in range(40):
            print(json.dumps({"type": "error", "message":
                              "Reconnecting... waiting for network (Connection failed)"}),
                  flush=True)
            time.sleep(0.1)
    """, json_mode=True)
    supervisor.spec.stall_seconds = 0.8
    supervisor.spec.on_stall = "stop"
    calls: list[bool] = []
    status = supervisor.run(on_stall=lambda stalled, *_: calls.append(stalled))
    assert calls == [True]  # once, never "resumed" by the notices
    assert status.state == "failed" and status.exit_code == 143
    assert status.message == ("stalled: no progress for 0 s; last: Reconnecting... waiting "
                              "for network (Connection failed)")


def test_a_notice_split_across_reads_is_still_a_notice(tmp_path: Path) -> None:
    supervisor = make_run(tmp_path, """
        import sys, time
        sys.stdin.read()
        for _ in range(30):
            sys.stdout.write("ERROR: Reconn"); sys.stdout.flush(); time.sleep(0.05)
            sys.stdout.write("ecting... waiting for network\\n"); sys.stdout.flush()
            time.sleep(0.05)
    """)
    supervisor.spec.stall_seconds = 1.0
    calls: list[bool] = []
    status = supervisor.run(on_stall=lambda stalled, *_: calls.append(stalled))
    assert calls == [True] and status.state == "done"  # notify: flagged, the run went on
    assert status.last_notice == "Reconnecting... waiting for network"


def test_tasks_md_changes_are_progress(tmp_path: Path) -> None:
    tasks = tmp_path / "tasks.md"
    tasks.write_text("- [ ] T001 a\n")
    supervisor = make_run(tmp_path, f"""
        import pathlib, sys, time
        sys.stdin.read()
        for i in range(12):  # silent, but ticking tasks off
            time.sleep(0.25)
            pathlib.Path({str(tasks)!r}).write_text("- [x] T001 a\\n" + "x" * i)
    """)
    supervisor.spec.stall_seconds = 1.6
    supervisor.spec.tasks_path = str(tasks)
    calls: list[bool] = []
    status = supervisor.run(on_stall=lambda stalled, *_: calls.append(stalled))
    assert calls == [] and status.state == "done"


def test_run_outcome_words() -> None:
    assert run_outcome("implement", "done", 2, 3) == "ended with 1 task open"
    assert run_outcome("implement", "done", 0, 3) == "ended with 3 tasks open"
    assert run_outcome("implement", "done", 3, 3) == "done"
    assert run_outcome("implement", "done", None, None) == "done"  # no tasks.md
    assert run_outcome("implement", "failed", 2, 3) == "failed"
    assert run_outcome("converge", "done", 2, 3) == "done"  # it adds tasks: that is its job
    # the phase list's note (phase picker, `specui status`) uses the same words
    assert phase_state("implement", "done", tasks_done=2, tasks_total=3,
                       log_no_pending=False) == (
        "pending", "last run ended with 1 task open; tasks.md has 2/3 done")


@pytest.mark.parametrize(("ticked", "result"), [(2, "ended with 1 task open"), (3, "done")])
def test_an_implement_run_that_ends_with_tasks_open_says_so_in_its_footer(
        tmp_path: Path, ticked: int, result: str) -> None:
    tasks = tmp_path / "tasks.md"
    tasks.write_text("- [ ] T001 a\n- [ ] T002 b\n- [ ] T003 c\n")
    supervisor = make_run(tmp_path, f"""
        import pathlib, sys
        sys.stdin.read()
        text = "".join(f"- [{{'x' if i < {ticked} else ' '}}] T00{{i + 1}} t\\n" for i in range(3))
        pathlib.Path({str(tasks)!r}).write_text(text)
    """)
    supervisor.spec.phase = "implement"
    supervisor.status.phase = "implement"
    supervisor.spec.tasks_path = str(tasks)
    status = supervisor.run()
    assert status.state == "done"  # the agent succeeded: auto-continue goes on from here
    assert (status.tasks_done, status.tasks_total) == (ticked, 3)
    log = (tmp_path / "orchestrator" / "plan-20260101-000000.md").read_text()
    assert f"- result: {result}\n" in log
    assert f"- tasks: {ticked}/3 done\n" in log
    saved = read_status(tmp_path / "run")
    assert saved is not None and (saved.tasks_done, saved.tasks_total) == (ticked, 3)


def test_only_reconnect_notices_flag_the_run_unreachable_until_progress(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(supervisor_module, "UNREACHABLE_SECONDS", 0.5)
    gate = tmp_path / "gate"
    supervisor = make_run(tmp_path, f"""
        import os, sys, time
        sys.stdin.read()
        while not os.path.exists({str(gate)!r}):
            print("ERROR: Reconnecting... waiting for network (Connection failed: refused)",
                  flush=True)
            time.sleep(0.1)
        print("working again", flush=True)
        time.sleep(0.6)
    """)
    said: list[str] = []
    seen: list[str] = []

    def unreachable(text: str) -> None:
        said.append(text)
        status = read_status(tmp_path / "run")
        assert status is not None
        seen.append(status.unreachable)
        gate.touch()

    status = supervisor.run(on_unreachable=unreachable)
    assert said == seen == ["codex cannot reach the model provider (Connection failed: refused)"]
    assert status.state == "done"  # a flag, not a kill
    assert status.unreachable == ""  # progress came after it
    log = (tmp_path / "orchestrator" / "plan-20260101-000000.md").read_text()
    assert re.search(rf"specui: {re.escape(said[0])} for \d+ s; it keeps retrying\n", log)


def test_one_notice_then_silence_is_not_unreachable(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The retry connected and the model thinks in silence: no second notice, no flag."""
    monkeypatch.setattr(supervisor_module, "UNREACHABLE_SECONDS", 0.5)
    supervisor = make_run(tmp_path, """
        import sys, time
        sys.stdin.read()
        print("ERROR: Reconnecting... 1/5 (stream disconnected before completion)", flush=True)
        time.sleep(1.5)
        print("the answer", flush=True)
    """)
    said: list[str] = []
    status = supervisor.run(on_unreachable=said.append)
    assert said == [] and status.unreachable == "" and status.state == "done"


def test_the_stall_report_says_what_the_supervisor_does(tmp_path: Path) -> None:
    """The callback is told the decision (and the restarts done before it), not left to
    predict it: restart once, then stop."""
    supervisor = make_run(tmp_path, """
        import sys, time
        sys.stdin.read()
        print("starting", flush=True)
        time.sleep(30)
    """)
    supervisor.spec.stall_seconds = 0.5
    supervisor.spec.on_stall = "restart"
    supervisor.spec.stall_restarts = 1
    calls: list[tuple[bool, str | None, int]] = []
    status = supervisor.run(
        on_stall=lambda stalled, _idle, action, restarts: calls.append((stalled, action, restarts)))
    assert calls == [(True, "restart", 0), (True, "stop", 1)]
    assert status.state == "failed" and status.restarts == 1


def test_one_rule_decides_what_a_stall_leads_to() -> None:
    from specui.runner.supervisor import stall_action

    assert stall_action("notify", 0, 1) == "notify"
    assert stall_action("stop", 0, 1) == "stop"
    assert [stall_action("restart", done, 2) for done in range(4)] == [
        "restart", "restart", "stop", "stop"]
