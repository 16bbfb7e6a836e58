"""The Codex interview engine driving the REAL Codex CLI against the fake Responses server.

Engine level: `CodexEngine.run_turn` with hand-made requests (thread reuse, the strict schema
the model receives, retries, timeout, cancel, a dead server, a lost thread, a tool call).
Driver level: the interview driver with `[interview] engine = "codex"`, so the protocol rules
(validation and retry, the one clear error, gates, contradictions, deferrals, brownfield
grounding) are exercised through the real binary.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import processes_with_marker
from fake_responses import Reply

from specui.core.interview.contract import (
    Directive,
    EngineRequest,
    TranscriptEntry,
    reply_json_schema,
)
from specui.core.interview.state import EngineSession
from specui.core.interview.strict_schema import strict_violations
from specui.interview.engines.base import EngineCancelled, EngineError, EngineTimeout
from specui.interview.engines.codex import SCHEMA_FILE, CodexEngine

pytestmark = pytest.mark.integration


# --------------------------------------------------------------------------- helpers


def question(text: str = "Who runs the cache?", **over: Any) -> dict[str, Any]:
    return {
        "question": text,
        "type": "single-answerable",
        "options": [
            {"label": "Platform team", "value": "platform", "description": "runs it",
             "recommended": True},
            {"label": "Each service", "value": "service", "description": "embeds it",
             "recommended": False},
        ],
        "allow_other": True,
        "header": None,
        **over,
    }


def reply(**over: Any) -> str:
    data: dict[str, Any] = {
        "question": question(),
        "why": "intent is the weakest dimension",
        "source": "user",
        "scores": [],
        "patches": [],
        "stack_changes": [],
        "open_questions_added": [],
        "open_questions_resolved": [],
        "gate_evidence": [],
        "pressure": None,
        "deferrals": [],
        "contradictions": [],
        "context_findings": [],
        "terminology": [],
        "ready_to_crystallize": False,
    }
    data.update(over)
    return json.dumps(data)


def request(root: Path, **over: Any) -> EngineRequest:
    data: dict[str, Any] = {
        "project_dir": str(root),
        "directive": Directive(kind="overview", round=1, target_dimension="intent"),
        "profile": "standard",
        "interview_type": "greenfield",
        "threshold": 0.2,
        "max_rounds": 12,
        "ambiguity": 1.0,
        "initial_idea": "A JWKS cache that survives the identity provider being down for an hour.",
        "spec_md": "# SPEC: demo\n\n## 1. Vision & Goals\n- **Problem & Outcome**: <why>\n",
        "stack_toml": '[app]\nlanguage = "python"\n',
    }
    data.update(over)
    return EngineRequest(**data)


def second_request(root: Path, answer: str = "The platform team runs it.") -> EngineRequest:
    entry = TranscriptEntry(
        round=1, kind="overview", dimension="intent", question="Who runs the cache?",
        options=["Platform team", "Each service"], answer=answer,
    )
    return request(
        root,
        directive=Directive(kind="ordinary", round=2, target_dimension="scope"),
        transcript=[entry], last_answer=entry, ambiguity=0.8,
    )


class Run:
    """run_turn with activity captured."""

    def __init__(self, engine: CodexEngine) -> None:
        self.engine = engine
        self.activity: list[str] = []
        self.cancel = threading.Event()

    def __call__(self, req: EngineRequest, feedback: str | None = None,
                 timeout: float = 60) -> str:
        return self.engine.run_turn(
            req, feedback=feedback, on_activity=self.activity.append, cancel=self.cancel,
            timeout=timeout,
        )


def user_texts(payload: dict[str, Any]) -> list[str]:
    """The text of every user message in one Responses request, oldest first."""
    texts = []
    for item in payload.get("input", []):
        if item.get("type") == "message" and item.get("role") == "user":
            texts.extend(c.get("text", "") for c in item.get("content", []))
    return texts


def assistant_texts(payload: dict[str, Any]) -> list[str]:
    texts = []
    for item in payload.get("input", []):
        if item.get("type") == "message" and item.get("role") == "assistant":
            texts.extend(c.get("text", "") for c in item.get("content", []))
    return texts


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    return root


@pytest.fixture
def run(codex_env) -> Run:
    return Run(CodexEngine(EngineSession(engine="codex")))


def wait_until(predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


# --------------------------------------------------------------------------- engine level


def test_two_rounds_share_one_thread_and_the_model_gets_the_strict_schema(
    project, run, fake_server
):
    fake_server.script(reply(), reply(question=question("What is out of scope?")))
    first = run(request(project))
    assert json.loads(first)["question"]["question"] == "Who runs the cache?"
    thread = run.engine.session.thread_id
    assert thread
    first_prompt = run.engine.last_prompt_chars

    # The schema file: 0600 under .specui, the contract's schema, strict-clean.
    schema_path = project / SCHEMA_FILE
    assert schema_path.stat().st_mode & 0o777 == 0o600
    assert json.loads(schema_path.read_text()) == reply_json_schema()
    # ...and what reached the model is exactly that schema as a strict json_schema format.
    fmt = fake_server.requests[0]["text"]["format"]
    assert fmt["type"] == "json_schema" and fmt["strict"] is True
    assert fmt["schema"] == reply_json_schema()
    assert strict_violations(fmt["schema"]) == []

    second = run(second_request(project))
    assert json.loads(second)["question"]["question"] == "What is out of scope?"
    assert run.engine.session.thread_id == thread
    # The second request carries the first round: its prompt and the model's reply ...
    later = fake_server.requests[1]
    users = user_texts(later)
    assert any("JWKS cache" in t and "specui turn 1" in t for t in users)
    assert first in assistant_texts(later)
    # ... and the new turn, which holds the answer but neither the rules nor the unchanged files.
    new = users[-1]
    assert "The platform team runs it." in new and "specui turn 2" in new
    assert "You are the interviewer behind specui" not in new
    assert "SPEC.md is unchanged since your last turn." in new
    assert run.engine.last_prompt_chars < first_prompt / 2
    assert fake_server.requests[1]["text"]["format"]["schema"] == reply_json_schema()


def test_a_retry_sends_only_the_correction_on_the_same_thread(project, run, fake_server):
    fake_server.script("not json at all", reply())
    assert run(request(project)) == "not json at all"  # the engine returns; the driver judges
    again = run(request(project), feedback="Your last reply was refused: not valid JSON")
    assert json.loads(again)["why"]
    retry = user_texts(fake_server.requests[1])[-1]
    assert "Your last reply was refused: not valid JSON" in retry
    assert "specui turn" not in retry  # the thread already holds the turn
    assert len(retry) < 600


def test_a_turn_failure_is_one_clear_error(project, run, fake_server):
    fake_server.mode = "fail"
    with pytest.raises(EngineError) as err:
        run(request(project))
    assert "the fake model broke" in str(err.value)
    assert "\n" not in str(err.value)
    assert run.engine.session.thread_id is None  # a failed first round keeps no thread


def test_a_lost_thread_starts_a_new_one(project, run, fake_server):
    run.engine.session.thread_id = "0199a213-81c0-7800-8aa1-bbab2a035a53"
    fake_server.script(reply())
    out = run(second_request(project))
    assert json.loads(out)["question"]
    assert run.engine.session.thread_id != "0199a213-81c0-7800-8aa1-bbab2a035a53"
    assert any("no longer has thread" in line for line in run.activity)
    # the new thread gets the rules and the whole transcript again
    prompt = user_texts(fake_server.requests[-1])[-1]
    assert "You are the interviewer behind specui" in prompt
    assert "The platform team runs it." in prompt


def test_the_agent_reads_the_repository_and_the_activity_says_so(project, run, fake_server):
    (project / "src").mkdir()
    (project / "src" / "parser.py").write_text("def parse(stream):\n    return list(stream)\n")
    (project / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    finding = {"path": "src/parser.py", "finding": "parse() reads the whole stream",
               "basis": "evidence", "touchpoint": True}
    fake_server.script(
        Reply(call={"name": "exec_command", "arguments": {"cmd": "cat src/parser.py"}}),
        reply(context_findings=[finding], source="code"),
    )
    out = run(request(project, interview_type="brownfield"))
    assert json.loads(out)["context_findings"] == [finding]
    assert "reading src/parser.py" in run.activity
    # Codex really ran the command in the project and sent the file back to the model.
    outputs = [i.get("output", "") for i in fake_server.requests[-1]["input"]
               if i.get("type") == "function_call_output"]
    assert any("def parse(stream)" in o for o in outputs)


def test_a_round_that_times_out_leaves_no_process(project, run, fake_server, codex_env):
    fake_server.mode = "hang"
    started = time.monotonic()
    with pytest.raises(EngineTimeout) as err:
        run(request(project), timeout=4)
    assert time.monotonic() - started < 4 + 6
    assert "4 s" in str(err.value)
    assert processes_with_marker(codex_env["marker"]) == []


def test_a_cancelled_round_ends_the_process_group(project, run, fake_server, codex_env):
    fake_server.mode = "hang"
    outcome: dict[str, BaseException] = {}

    def target() -> None:
        try:
            run(request(project), timeout=120)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome["exc"] = exc

    worker = threading.Thread(target=target)
    worker.start()
    assert fake_server.hanging.wait(60), "codex never reached the server"
    assert processes_with_marker(codex_env["marker"])  # codex is running
    started = time.monotonic()
    run.cancel.set()
    worker.join(15)
    assert not worker.is_alive()
    assert time.monotonic() - started < 5
    assert isinstance(outcome.get("exc"), EngineCancelled)
    assert processes_with_marker(codex_env["marker"]) == []


def test_a_dead_server_is_a_timeout_not_a_hang(project, tmp_path, codex_env, monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    home = tmp_path / "dead-home"
    home.mkdir()
    config = (Path(codex_env["home"]) / "config.toml").read_text()
    (home / "config.toml").write_text(
        config.replace(config.split('base_url = "')[1].split('"')[0], f"http://127.0.0.1:{port}/v1")
    )
    monkeypatch.setenv("CODEX_HOME", str(home))
    run = Run(CodexEngine(EngineSession(engine="codex")))
    started = time.monotonic()
    with pytest.raises(EngineTimeout):
        run(request(project), timeout=5)
    assert time.monotonic() - started < 5 + 6
    assert any(line.lower().startswith("reconnecting") for line in run.activity)
    assert processes_with_marker(codex_env["marker"]) == []


def test_model_and_args_reach_codex(project, fake_server, codex_env):
    engine = CodexEngine(
        EngineSession(engine="codex"), model="fake-model-2", args=["-c", "model_verbosity=\"low\""]
    )
    fake_server.script(reply())
    Run(engine)(request(project))
    assert fake_server.requests[-1]["model"] == "fake-model-2"


def test_codex_missing_is_one_line(project, codex_env, monkeypatch):
    engine = CodexEngine(EngineSession(engine="codex"), codex="codex-not-installed-here")
    with pytest.raises(EngineError) as err:
        Run(engine)(request(project))
    assert str(err.value) == "codex-not-installed-here: command not found"
    assert os.environ["SPECUI_IT_MARKER"]
