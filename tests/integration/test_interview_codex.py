"""The Codex interview engine driving the REAL Codex CLI against the fake Responses server.

Engine level: `CodexEngine.run_turn` with hand-made requests (thread reuse, the strict schema
the model receives, retries, timeout, cancel, a dead server, a lost thread, a tool call).
Driver level: the interview driver with `[interview] engine = "codex"`, so the protocol rules
(validation and retry, the one clear error, gates, contradictions, deferrals, brownfield
grounding) are exercised through the real binary.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import processes_with_marker, specui
from engine_reply import engine_reply
from fake_responses import Reply

from specui.core.config import parse_config
from specui.core.interview import policy
from specui.core.interview.contract import (
    Directive,
    EngineRequest,
    TranscriptEntry,
    reply_json_schema,
)
from specui.core.interview.state import EngineSession
from specui.core.interview.strict_schema import strict_violations
from specui.core.paths import Project
from specui.core.questions import Answer
from specui.core.spec import UNIT_KEYS, SpecDocument, unit_statuses
from specui.interview.driver import InterviewDriver
from specui.interview.engines import codex as codex_module
from specui.interview.engines.base import EngineCancelled, EngineError, EngineTimeout
from specui.interview.engines.codex import SCHEMA_FILE, CodexEngine
from specui.store import SessionStore

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
        "dimension": None,
        **over,
    }


def reply(**over: Any) -> str:
    return json.dumps(engine_reply(question(), "intent is the weakest dimension", **over))


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
    first_prompt = len(run.engine.last_prompt)

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
    assert len(run.engine.last_prompt) < first_prompt / 2
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


@pytest.fixture
def dead_port(tmp_path, codex_env, monkeypatch) -> None:
    """CODEX_HOME whose provider is a closed 127.0.0.1 port."""
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


def test_a_dead_server_is_a_timeout_not_a_hang(project, dead_port, codex_env):
    run = Run(CodexEngine(EngineSession(engine="codex")))
    started = time.monotonic()
    with pytest.raises(EngineTimeout) as err:
        run(request(project), timeout=5)
    assert time.monotonic() - started < 5 + 6
    assert "within 5 s (last from codex: Reconnecting" in str(err.value)
    assert any(line.lower().startswith("reconnecting") for line in run.activity)
    assert processes_with_marker(codex_env["marker"]) == []


def test_a_dead_port_ends_the_round_long_before_the_timeout(
    project, dead_port, codex_env, monkeypatch
):
    """Codex retries a refused connection for as long as it runs (request_max_retries = 0 in
    this CODEX_HOME notwithstanding): once its reconnect notices alone span UNREACHABLE_SECONDS
    (its second one comes 5 s after the first) the round ends with the cause, not at
    timeout_seconds."""
    monkeypatch.setattr(codex_module, "UNREACHABLE_SECONDS", 3.0)
    run = Run(CodexEngine(EngineSession(engine="codex")))
    started = time.monotonic()
    with pytest.raises(EngineError) as err:
        run(request(project), timeout=300)
    assert not isinstance(err.value, EngineTimeout)
    assert time.monotonic() - started < 3 + 15
    assert str(err.value).startswith("codex cannot reach the model provider (Connection failed")
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
    assert str(err.value) == (
        "codex-not-installed-here: not found on PATH (install the Codex CLI: "
        "npm install -g @openai/codex, then codex login)"
    )


# --------------------------------------------------------------------------- driver level


def driver_for(root: Path, **interview: Any) -> tuple[SessionStore, InterviewDriver]:
    project = Project.at(root)
    store = SessionStore.open(project)
    home = root.parent / "omx-home"
    home.mkdir(exist_ok=True)
    config = parse_config({"interview": {"engine": "codex", "timeout_seconds": 60, **interview}})
    return store, InterviewDriver(project, store, config, home=home)


def free_text(text: str) -> dict[str, Any]:
    return question(text, type="free-text", options=[], allow_other=True)


def last_user_text(payload: dict[str, Any]) -> str:
    return user_texts(payload)[-1]


# Round 3 opens the pressure ladder (seed 004: the first assumption probe), so every reply to
# it must say which earlier answer it revisits.
PROBE = {"revisits_round": 2, "kind": "assumption"}


@pytest.fixture
def started(project, codex_env, fake_server):
    """A codex interview past its opening question (round 1 answered, round 2 on screen)."""
    fake_server.script(
        reply(question=free_text("What do you want to build, and why?")),
        reply(question=question("Which storage should the cache use?")),
    )
    store, driver = driver_for(project)
    driver.start()
    driver.answer(Answer(kind="text", value="A JWKS cache that survives an IdP outage."))
    assert store.state.interview.current.question.question == "Which storage should the cache use?"
    return store, driver


def test_driver_two_rounds_on_one_thread(started, fake_server, project):
    store, _ = started
    iv = store.state.interview
    assert iv.engine.status == "idle" and iv.engine.error is None
    assert [r.n for r in iv.rounds] == [1]
    thread = iv.engine_session.thread_id
    assert thread
    on_disk = json.loads((project / ".specui" / "session.json").read_text())
    assert thread in json.dumps(on_disk)  # the thread survives a restart
    second = fake_server.requests[1]
    assert any("What do you want to build" in t for t in assistant_texts(second))
    assert "A JWKS cache that survives an IdP outage." in last_user_text(second)


def test_driver_retries_once_with_the_validation_error(project, codex_env, fake_server):
    fake_server.script('{"question": 42}', reply(question=free_text("What is the goal?")))
    store, driver = driver_for(project)
    driver.start()
    iv = store.state.interview
    assert iv.current.question.question == "What is the goal?"
    assert len(fake_server.requests) == 2
    retry = last_user_text(fake_server.requests[1])
    assert "refused" in retry and "question" in retry
    assert '{"question": 42}' in assistant_texts(fake_server.requests[1])


def test_driver_invalid_twice_is_one_error_and_changes_nothing(started, fake_server, project):
    store, driver = started
    spec_before = (project / "SPEC.md").read_bytes()
    rounds_before = [r.model_dump() for r in store.state.interview.rounds]
    current_before = store.state.interview.current
    fake_server.script("no json here", '{"still": "wrong"}')
    driver.answer(Answer(kind="option", value="platform", selected_labels=["Platform team"],
                         selected_values=["platform"]))
    iv = store.state.interview
    assert iv.engine.status == "error"
    assert "refused twice" in iv.engine.error and "\n" not in iv.engine.error
    assert [r.model_dump() for r in iv.rounds] == rounds_before
    assert iv.current == current_before
    assert (project / "SPEC.md").read_bytes() == spec_before


def test_driver_refuses_to_crystallize_with_an_open_gate(started, fake_server):
    store, driver = started
    fake_server.script(
        reply(question=None, ready_to_crystallize=True),
        reply(question=question("What is explicitly out of scope?"), pressure=PROBE),
    )
    driver.answer(Answer(kind="option", value="platform", selected_labels=["Platform team"],
                         selected_values=["platform"]))
    iv = store.state.interview
    assert iv.engine.error is None
    assert iv.phase == "interview" and iv.status == "active"
    assert iv.current.question.question == "What is explicitly out of scope?"
    retry = last_user_text(fake_server.requests[-1])
    assert "ready_to_crystallize: refused while a readiness gate is open" in retry


def test_driver_a_reported_contradiction_is_the_next_question(started, fake_server):
    store, driver = started
    contradiction = {
        "topic": "cache storage", "statement_a": "disk, 60 minutes", "where_a": "round 1",
        "statement_b": "memory only, 15 minutes", "where_b": "round 2",
    }
    fake_server.script(reply(contradictions=[contradiction], pressure=PROBE))
    asked = len(fake_server.requests)
    driver.answer(Answer(kind="other", value="memory only, 15 minutes"))
    current = store.state.interview.current
    assert current.kind == "contradiction"
    labels = [o.label for o in current.question.options]
    assert labels == ["disk, 60 minutes", "memory only, 15 minutes", "Both hold"]
    assert current.question.allow_other
    assert len(fake_server.requests) == asked + 1  # specui asked it, not the engine


def test_driver_a_deferral_writes_the_default(started, fake_server, project):
    store, driver = started
    deferral = {"section": "data", "topic": "cache storage",
                "default": "Disk cache, 60 minutes", "rationale": "survives restarts"}
    body = "- **Storage**: Default (assumed): Disk cache, 60 minutes (survives restarts)\n"
    fake_server.script(reply(deferrals=[deferral], patches=[{"section": "data", "body": body}],
                             pressure=PROBE))
    driver.answer(Answer(kind="other", value="No preference, decide for me"))
    iv = store.state.interview
    assert iv.engine.status == "idle", iv.engine.error
    assert iv.rounds[-1].deferral
    assert "deferred the decision" in last_user_text(fake_server.requests[-1])
    assert [d.default for d in iv.deferrals] == ["Disk cache, 60 minutes"]
    assert "Disk cache, 60 minutes" in (project / "SPEC.md").read_text()


def test_driver_accepted_defaults_reach_codex_and_a_reply_that_ignores_them_is_refused(
    started, fake_server, project
):
    """The validation pass's defaults offer answered "all": the turn's prompt names the
    sections, a reply that leaves one of them open is sent back once, and the good reply's
    defaults land in SPEC.md and Risks."""
    store, driver = started
    doc = SpecDocument.parse((project / "SPEC.md").read_text())
    found = unit_statuses(doc, {})
    view = policy.SpecView({k: doc.unit_text(k) for k in UNIT_KEYS},
                           {k: found.get(k, "unknown") for k in UNIT_KEYS})

    def to_validation(session) -> None:
        iv = session.interview
        iv.phase, iv.status, iv.end_reason = "validation", "crystallized", "threshold"
        iv.current = policy.defaults_offer_question(iv, policy.defaultable_sections(iv, view))

    store.update(to_validation)
    sections = store.state.interview.current.target_units
    assert len(sections) >= policy.DEFAULTS_OFFER_MIN
    good = engine_reply(
        None, "the defaults are written",
        patches=[{"section": k, "body": f"- **Notes**: Default (assumed): usual {k} (rationale: r)"}
                 for k in sections],
        deferrals=[{"section": k, "topic": k, "default": f"usual {k}", "rationale": "r"}
                   for k in sections],
        ready_to_crystallize=True,
    )
    ignoring = {**good, "patches": good["patches"][1:], "deferrals": good["deferrals"][1:]}
    fake_server.script(json.dumps(ignoring), json.dumps(good))
    asked = len(fake_server.requests)
    driver.answer(Answer(kind="option", value=policy.DEFAULTS_ALL))
    iv = store.state.interview
    assert iv.engine.error is None, iv.engine.error
    assert len(fake_server.requests) == asked + 2
    prompt = last_user_text(fake_server.requests[asked])
    assert "The person accepted recommended defaults for: " in prompt
    assert f"(`{sections[0]}`)" in prompt and f"(`{sections[-1]}`)" in prompt
    retry = last_user_text(fake_server.requests[asked + 1])
    assert f"accepted recommended defaults for {sections[0]}" in retry
    text = (project / "SPEC.md").read_text()
    after = SpecDocument.parse(text)
    assert all(f"Default (assumed): usual {k}" in after.unit_text(k) for k in sections)
    assert "Recommended defaults accepted at validation step 1 for " in after.unit_text("risks")
    assert iv.current is not None and iv.current.kind == "finalize"


def test_driver_brownfield_round_reads_code_and_the_snapshot_cites_it(
    project, codex_env, fake_server
):
    (project / "pyproject.toml").write_text('[project]\nname = "streamlib"\n')
    (project / "src").mkdir()
    (project / "src" / "parser.py").write_text("def parse(data):\n    return data.split()\n")
    finding = {"path": "src/parser.py", "finding": "parse() takes the whole input at once",
               "basis": "evidence", "touchpoint": True}
    fake_server.script(
        Reply(call={"name": "exec_command", "arguments": {"cmd": "cat src/parser.py"}}),
        reply(question=free_text("Which callers need streaming?"), source="code",
              context_findings=[finding]),
    )
    store, driver = driver_for(project)
    driver.start()
    iv = store.state.interview
    assert iv.type == "brownfield"
    assert iv.current.question.question == "Which callers need streaming?"
    snapshot = project / iv.artifacts["context"]
    text = snapshot.read_text()
    assert "`src/parser.py`: parse() takes the whole input at once" in text
    outputs = [i.get("output", "") for i in fake_server.requests[-1]["input"]
               if i.get("type") == "function_call_output"]
    assert any("def parse(data)" in o for o in outputs)
    first_prompt = last_user_text(fake_server.requests[0])
    assert "Repository (brownfield)" in first_prompt and "pyproject.toml" in first_prompt


def test_driver_timeout_keeps_the_answer_for_retry(started, fake_server, project, codex_env):
    store, driver = started
    driver.config.interview.timeout_seconds = 3
    fake_server.script(Reply(mode="hang"))
    driver.answer(Answer(kind="other", value="Disk"))
    iv = store.state.interview
    assert iv.engine.status == "error" and "within 3 s" in iv.engine.error
    assert iv.engine.pending_answer is not None
    assert processes_with_marker(codex_env["marker"]) == []
    fake_server.release.set()
    fake_server.script(reply(question=question("What is out of scope?"), pressure=PROBE))
    driver.retry()
    assert store.state.interview.current.question.question == "What is out of scope?"


def test_driver_cancel_ends_codex_and_records_nothing(started, fake_server, codex_env):
    store, driver = started
    rounds_before = len(store.state.interview.rounds)
    fake_server.hanging.clear()
    fake_server.script(Reply(mode="hang"))
    worker = threading.Thread(
        target=driver.answer, args=(Answer(kind="other", value="Disk"),), daemon=True
    )
    worker.start()
    assert fake_server.hanging.wait(60)
    wait_until(lambda: store.state.interview.engine.status == "thinking")
    driver.cancel()
    worker.join(15)
    assert not worker.is_alive()
    iv = store.state.interview
    assert iv.engine.status == "idle" and len(iv.rounds) == rounds_before
    assert iv.current.question.question == "Which storage should the cache use?"
    assert processes_with_marker(codex_env["marker"]) == []


def test_the_agent_cannot_write_even_when_the_user_config_allows_it(
    project, fake_server, codex_env
):
    # `exec resume` has no --sandbox: without specui's `-c sandbox_mode="read-only"` a resumed
    # turn would run with the user's own sandbox setting (this one would let it write).
    config = Path(codex_env["home"]) / "config.toml"
    config.write_text('sandbox_mode = "workspace-write"\n' + config.read_text())
    run = Run(CodexEngine(EngineSession(engine="codex")))
    fake_server.script(
        Reply(call={"name": "exec_command", "arguments": {"cmd": "touch written-round-1"}}),
        reply(),
        Reply(call={"name": "exec_command", "arguments": {"cmd": "touch written-round-2"}}),
        reply(),
    )
    run(request(project))
    run(second_request(project))
    assert not list(project.glob("written-*"))
    outputs = [i.get("output", "") for i in fake_server.requests[-1]["input"]
               if i.get("type") == "function_call_output"]
    assert any("Read-only file system" in o for o in outputs)


def test_headless_specui_interview_runs_codex_across_processes(project, fake_server, codex_env):
    (project / "specui.toml").write_text('[interview]\nengine = "codex"\ntimeout_seconds = 60\n')
    fake_server.script(
        reply(question=free_text("What do you want to build, and why?")),
        reply(question=question("Which storage should the cache use?")),
    )
    first = specui("interview", str(project), "--json")
    assert first.returncode == 0, first.stderr.decode()
    assert "What do you want to build" in first.stdout.decode()
    second = specui("interview", str(project), "--json", "--answer",
                    json.dumps({"kind": "text", "value": "A JWKS cache for our gateway."}))
    assert second.returncode == 0, second.stderr.decode()
    assert "Which storage should the cache use?" in second.stdout.decode()
    # The second process resumed the first one's thread: the model saw the whole conversation,
    # and the state was sent again (a new process does not know what the thread has seen) but
    # not the rules.
    later = fake_server.requests[-1]
    assert any("What do you want to build" in t for t in assistant_texts(later))
    new = last_user_text(later)
    assert "A JWKS cache for our gateway." in new
    assert "You are the interviewer behind specui" not in new
    assert processes_with_marker(codex_env["marker"]) == []


def test_a_refused_login_says_how_to_fix_it(project, run, fake_server):
    fake_server.script(*[Reply(status=401, text="Incorrect API key provided")] * 3)
    with pytest.raises(EngineError) as err:
        run(request(project), timeout=60)
    message = str(err.value)
    assert "401" in message and "codex login" in message and "\n" not in message, message


def test_cancel_while_codex_runs_a_command_leaves_nothing(project, run, fake_server, codex_env):
    fake_server.script(
        Reply(call={"name": "exec_command",
                    "arguments": {"cmd": "sleep 317", "yield_time_ms": 600000}}),
        Reply(mode="hang"),
    )
    outcome: dict[str, BaseException] = {}

    def target() -> None:
        try:
            run(request(project), timeout=120)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome["exc"] = exc

    worker = threading.Thread(target=target)
    worker.start()
    wait_until(lambda: any("running sleep 317" in a for a in run.activity), timeout=60)
    wait_until(lambda: sleepers() != [], timeout=10)  # the command really runs
    run.cancel.set()
    worker.join(15)
    assert isinstance(outcome.get("exc"), EngineCancelled)
    wait_until(lambda: processes_with_marker(codex_env["marker"]) == [], timeout=10)
    wait_until(lambda: sleepers() == [], timeout=10)


def sleepers() -> list[int]:
    """Live `sleep 317` processes (the command the fake model asked Codex to run)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "cmdline").read_bytes() != b"sleep\x00317\x00":
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[-1].split()[0]
        except OSError:
            continue
        if state not in ("Z", "X"):
            found.append(int(entry.name))
    return found
