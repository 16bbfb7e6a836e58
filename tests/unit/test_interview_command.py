"""The command engine with small scripts as the command (a reply, bad JSON, a failure with
stderr, a hang, cancel, a helper left behind) and the Claude adapter sample with a stand-in
`claude` on PATH."""

from __future__ import annotations

import json
import os
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from specui.core.config import parse_config
from specui.core.interview.contract import Directive, EngineRequest, parse_reply, reply_json_schema
from specui.core.interview.state import EngineSession
from specui.interview.engines.base import EngineCancelled, EngineError, EngineTimeout
from specui.interview.engines.command import CommandEngine

REPO = Path(__file__).resolve().parents[2]
ADAPTER = REPO / "samples" / "interview-adapter-claude.py"

REPLY = {
    "question": {
        "question": "Who runs the cache?", "type": "free-text", "options": [],
        "allow_other": True, "header": None, "dimension": None,
    },
    "why": "intent first", "source": "user", "scores": [], "patches": [], "stack_changes": [],
    "open_questions_added": [], "open_questions_resolved": [], "gate_evidence": [],
    "pressure": None, "deferrals": [], "contradictions": [], "context_findings": [],
    "terminology": [], "ready_to_crystallize": False,
}


def request(root: Path) -> EngineRequest:
    return EngineRequest(
        project_dir=str(root), directive=Directive(kind="overview", round=1),
        profile="standard", interview_type="greenfield", threshold=0.2, max_rounds=12,
        ambiguity=1.0, initial_idea="A JWKS cache.",
    )


def script(tmp_path: Path, body: str, name: str = "engine.py") -> list[str]:
    path = tmp_path / name
    path.write_text("import json, os, sys, time\n" + textwrap.dedent(body))
    return [sys.executable, str(path)]


def run(engine: CommandEngine, root: Path, *, feedback=None, timeout=20.0, cancel=None):
    activity: list[str] = []
    out = engine.run_turn(request(root), feedback=feedback, on_activity=activity.append,
                          cancel=cancel or threading.Event(), timeout=timeout)
    return out, activity


def zombie_children() -> list[int]:
    """Our own children that exited and were never reaped."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[-1].split()
        except OSError:
            continue
        if fields[0] == "Z" and int(fields[1]) == os.getpid():
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def test_the_request_goes_in_and_the_reply_comes_out(tmp_path):
    cmd = script(tmp_path, f"""
        data = json.load(sys.stdin)
        json.dump(data, open("seen.json", "w"))
        print(json.dumps({REPLY!r}))
    """)
    engine = CommandEngine(EngineSession(engine="command"), command=cmd)
    out, activity = run(engine, tmp_path, feedback="scores: bad")
    assert parse_reply(out).question.question == "Who runs the cache?"
    seen = json.loads((tmp_path / "seen.json").read_text())  # ran in the project directory
    assert seen["directive"]["kind"] == "overview" and seen["initial_idea"] == "A JWKS cache."
    assert seen["feedback"] == "scores: bad"
    assert seen["reply_schema"] == reply_json_schema()
    assert "A JWKS cache." in seen["prompt"]
    assert activity[0] == f"running {Path(sys.executable).name} engine.py"


def test_stderr_lines_are_live_activity(tmp_path):
    cmd = script(tmp_path, f"""
        sys.stdin.read()
        print("reading \x1b[31msrc/app.py\x1b[0m", file=sys.stderr, flush=True)
        print("asking the model", file=sys.stderr, flush=True)
        print(json.dumps({REPLY!r}))
    """)
    _, activity = run(CommandEngine(EngineSession(), command=cmd), tmp_path)
    assert activity[1:] == ["reading src/app.py", "asking the model"]


def test_a_missing_project_folder_is_named(tmp_path):
    engine = CommandEngine(EngineSession(), command=[sys.executable, "-c", "print(1)"])
    with pytest.raises(EngineError) as err:
        run(engine, tmp_path / "gone")
    assert str(err.value) == f"the project folder {tmp_path / 'gone'} does not exist"


def test_bad_json_is_returned_for_the_driver_to_refuse(tmp_path):
    engine = CommandEngine(EngineSession(), command=script(tmp_path, 'print("{not json")'))
    out, _ = run(engine, tmp_path)
    assert out.strip() == "{not json"  # the driver's parse_reply turns this into feedback


def test_a_failing_command_surfaces_stderr_in_one_line(tmp_path):
    cmd = script(tmp_path, """
        sys.stdin.read()
        print("Traceback (most recent call last):", file=sys.stderr)
        print("error: the API key is missing", file=sys.stderr)
        sys.exit(3)
    """)
    with pytest.raises(EngineError) as err:
        run(CommandEngine(EngineSession(), command=cmd), tmp_path)
    name = f"{Path(sys.executable).name} engine.py"  # the program and its script, not argv
    assert str(err.value) == f"{name} exited with status 3: error: the API key is missing"


def test_no_output_is_an_error(tmp_path):
    cmd = script(tmp_path, 'print("thinking...", file=sys.stderr)')
    with pytest.raises(EngineError) as err:
        run(CommandEngine(EngineSession(), command=cmd), tmp_path)
    assert "printed no reply: thinking..." in str(err.value)


def test_a_missing_command_is_one_line(tmp_path):
    engine = CommandEngine(EngineSession(), command=["no-such-agent-cli", "--json"])
    with pytest.raises(EngineError) as err:
        run(engine, tmp_path)
    assert str(err.value) == "no-such-agent-cli: command not found"


def test_a_hang_times_out_and_the_whole_group_ends(tmp_path):
    # The command starts a helper (its own child) and both hang.
    cmd = script(tmp_path, """
        import subprocess
        helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        open("pids", "w").write(f"{os.getpid()} {helper.pid}")
        time.sleep(600)
    """)
    started = time.monotonic()
    with pytest.raises(EngineTimeout) as err:
        run(CommandEngine(EngineSession(), command=cmd), tmp_path, timeout=1.0)
    assert time.monotonic() - started < 1.0 + 4
    assert "within 1 s" in str(err.value)
    pids = [int(p) for p in (tmp_path / "pids").read_text().split()]
    deadline = time.monotonic() + 5
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(p) for p in pids)
    assert zombie_children() == []


def test_a_command_that_ignores_term_is_killed(tmp_path):
    cmd = script(tmp_path, """
        import signal
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        open("pid", "w").write(str(os.getpid()))
        time.sleep(600)
    """)
    with pytest.raises(EngineTimeout):
        run(CommandEngine(EngineSession(), command=cmd), tmp_path, timeout=1.0)
    assert not alive(int((tmp_path / "pid").read_text()))


def test_cancel_ends_the_round_promptly(tmp_path):
    cmd = script(tmp_path, 'open("started", "w").close(); time.sleep(600)')
    cancel = threading.Event()
    timer = threading.Timer(0.5, cancel.set)
    timer.start()
    started = time.monotonic()
    with pytest.raises(EngineCancelled):
        run(CommandEngine(EngineSession(), command=cmd), tmp_path, timeout=60, cancel=cancel)
    assert time.monotonic() - started < 4
    assert zombie_children() == []


def test_a_helper_left_behind_after_the_reply_is_ended(tmp_path):
    cmd = script(tmp_path, f"""
        import subprocess
        helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        open("helper", "w").write(str(helper.pid))
        print(json.dumps({REPLY!r}))
    """)
    out, _ = run(CommandEngine(EngineSession(), command=cmd), tmp_path)
    assert parse_reply(out)
    helper = int((tmp_path / "helper").read_text())
    deadline = time.monotonic() + 5
    while alive(helper) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(helper)


def test_created_from_config(tmp_path):
    config = parse_config({"interview": {"engine": "command", "command": ["my-agent", "-q"]}})
    engine = CommandEngine.create(EngineSession(engine="command"), config)
    assert isinstance(engine, CommandEngine) and engine.command == ["my-agent", "-q"]


# --------------------------------------------------------------------------- the sample adapter


def fake_claude(tmp_path: Path, envelope: dict, code: int = 0) -> Path:
    """A stand-in `claude` that records its argv and stdin and prints `envelope`."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    path = bin_dir / "claude"
    path.write_text(
        f"#!{sys.executable}\n"
        "import json, os, sys\n"
        "json.dump({'argv': sys.argv[1:], 'stdin': sys.stdin.read(), 'cwd': os.getcwd()},\n"
        f"          open({str(tmp_path / 'claude-call.json')!r}, 'w'))\n"
        f"print(json.dumps({envelope!r}))\n"
        f"sys.exit({code})\n"
    )
    path.chmod(0o755)
    return bin_dir


def test_the_claude_adapter_returns_the_structured_reply(tmp_path, monkeypatch):
    bin_dir = fake_claude(tmp_path, {"type": "result", "subtype": "success", "is_error": False,
                                     "result": "", "structured_output": REPLY})
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    engine = CommandEngine(EngineSession(), command=[sys.executable, str(ADAPTER)])
    out, _ = run(engine, tmp_path)
    assert parse_reply(out).why == "intent first"
    call = json.loads((tmp_path / "claude-call.json").read_text())
    argv = call["argv"]
    assert argv[:3] == ["-p", "--output-format", "json"]
    assert json.loads(argv[argv.index("--json-schema") + 1]) == reply_json_schema()
    assert argv[argv.index("--allowedTools") + 1] == "Read,Grep,Glob"
    assert call["stdin"].startswith("You are the interviewer behind specui")
    assert Path(call["cwd"]).resolve() == tmp_path.resolve()


def test_the_claude_adapter_passes_a_fenced_text_reply_on(tmp_path, monkeypatch):
    text = "```json\n" + json.dumps(REPLY) + "\n```"
    bin_dir = fake_claude(tmp_path, {"type": "result", "is_error": False, "result": text})
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    out, _ = run(CommandEngine(EngineSession(), command=[sys.executable, str(ADAPTER)]), tmp_path)
    assert parse_reply(out).question.question == "Who runs the cache?"


def test_the_claude_adapter_reports_an_error_in_one_line(tmp_path, monkeypatch):
    bin_dir = fake_claude(tmp_path, {"type": "result", "is_error": True,
                                     "result": "Credit balance is too low"})
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(EngineError) as err:
        run(CommandEngine(EngineSession(), command=[sys.executable, str(ADAPTER)]), tmp_path)
    assert str(err.value).endswith("claude: Credit balance is too low")
