"""Prompt delivery, stalls and Spec Kit workflows with the REAL Codex and the REAL `specify`.

- Each phase of a `specify init --integration codex` project reaches the model with exactly one
  Spec Kit skill (its own), and its user text is within 1.1x of what Spec Kit's own dispatch
  (`specify workflow run`) sends for the same input.
- An unreachable provider: Codex prints "Reconnecting... waiting for network" forever; a
  headless run ends by itself (exit 1, one line naming the cause) and leaves no process.
- A workflow run paused at a gate is listed by `specui status --json` and approved (or
  rejected) through `specify workflow resume`.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import processes_with_marker, specui

from specui.core.config import RunnerConfig
from specui.core.paths import Project
from specui.runner import supervisor as supervisor_module
from specui.runner.manager import PhaseManager
from specui.runner.supervisor import PROMPT_FILE, RunSpec, Supervisor, read_status
from specui.store import SessionStore

pytestmark = pytest.mark.integration

PHASES = ("constitution", "specify", "plan", "tasks", "implement")
INPUT = "Build a tiny greeter CLI. Non-goal: no network access."
SKILL = re.compile(r"<skill>\n<name>([^<]+)</name>")


def _user_texts(request: dict) -> list[str]:
    texts = []
    for item in request.get("input", []):
        if item.get("role") != "user":
            continue
        for part in item.get("content", []):
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                texts.append(part["text"])
    return texts


def _by_phase(requests: list[dict]) -> dict[str, list[str]]:
    """The user texts of each request, keyed by the skill its prompt invokes."""
    found: dict[str, list[str]] = {}
    for request in requests:
        texts = _user_texts(request)
        invoked = [m.group(1) for t in texts for m in re.finditer(r"^\$speckit-(\w+)", t)]
        if invoked:
            found[invoked[0]] = texts
    return found


def _user_text_size(texts: list[str]) -> int:
    # The environment context is Codex's own (it names the sandbox mode, which differs
    # between specui's command and Spec Kit's); what the two dispatchers send is the rest.
    return sum(len(t) for t in texts if not t.startswith("<environment_context>"))


def test_each_phase_carries_exactly_one_skill_like_spec_kit(
    speckit_project: Path, codex_env, fake_server, specify_bin: str
) -> None:
    workflow = speckit_project / "five.yml"
    workflow.write_text(
        'schema_version: "1.0"\nworkflow:\n  id: "five"\n  name: "five"\n  version: "1.0.0"\n'
        '  description: "the five phases"\ninputs:\n  args:\n    type: string\n'
        "    required: true\nsteps:\n" + "".join(
            f"  - id: {p}\n    command: speckit.{p}\n    integration: codex\n"
            f'    input:\n      args: "{{{{ inputs.args }}}}"\n' for p in PHASES)
    )
    env = {**os.environ, "SPECKIT_INTEGRATION_CODEX_EXTRA_ARGS": "--skip-git-repo-check",
           "NO_COLOR": "1", "SPECIFY_NO_TELEMETRY": "1"}
    done = subprocess.run([specify_bin, "workflow", "run", str(workflow), "--input",
                           f"args={INPUT}"], cwd=speckit_project, env=env,
                          capture_output=True, timeout=600, check=False,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stdout.decode()[-2000:] + done.stderr.decode()[-2000:]
    spec_kit = _by_phase(fake_server.requests)
    assert set(spec_kit) == set(PHASES)
    fake_server.requests.clear()
    for phase in PHASES:
        result = specui("run", phase, str(speckit_project), "--force", "--input", INPUT)
        assert result.returncode == 0, result.stderr.decode()
    ours = _by_phase(fake_server.requests)
    assert set(ours) == set(PHASES)
    for phase in PHASES:
        skills = [name for t in ours[phase] for name in SKILL.findall(t)]
        assert skills == [f"speckit-{phase}"], (phase, skills)
        assert f"$speckit-{phase} {INPUT}" in ours[phase]
        size, theirs = _user_text_size(ours[phase]), _user_text_size(spec_kit[phase])
        assert size <= 1.1 * theirs, (phase, size, theirs)
        assert theirs <= 1.1 * size, (phase, size, theirs)


def test_dry_run_shows_exactly_the_invocation(speckit_project: Path) -> None:
    result = specui("run", "implement", str(speckit_project), "--dry-run", "--input", INPUT)
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr.decode()
    assert "prompt: .agents/skills/speckit-implement/SKILL.md (invoked as a skill)" in out
    assert out.split("\n\n", 1)[1] == f"$speckit-implement {INPUT}\n"


def _dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_provider_ends_a_headless_run(
    speckit_project: Path, codex_env, tmp_path: Path
) -> None:
    """Codex retries forever ("Reconnecting... waiting for network"); those notices are not
    progress, so the run is stalled once, stopped, exits 1 by itself and leaves nothing."""
    home = tmp_path / "dead-home"
    home.mkdir()
    (home / "config.toml").write_text(
        'model = "fake-model"\nmodel_provider = "dead"\n[model_providers.dead]\n'
        f'name = "Dead"\nbase_url = "http://127.0.0.1:{_dead_port()}/v1"\n'
        'env_key = "SPECUI_FAKE_API_KEY"\nwire_api = "responses"\n'
    )
    (speckit_project / "specui.toml").write_text(
        "[runner]\nstall_minutes = 0.25\nstop_grace_seconds = 3\nnotify = false\n")
    env = {**os.environ, "CODEX_HOME": str(home)}
    start = time.monotonic()
    result = subprocess.run(
        [os.sys.executable, "-m", "specui", "run", "constitution", str(speckit_project)],
        env=env, capture_output=True, timeout=240, check=False)
    elapsed = time.monotonic() - start
    err = result.stderr.decode()
    assert result.returncode == 1, err
    assert elapsed < 120
    assert err.count("warning: phase constitution stalled") == 1  # marked once, no flapping
    assert "progress resumed" not in err
    end = [line for line in err.splitlines() if "phase constitution failed" in line]
    assert len(end) == 1
    assert "exit code 143" in end[0]
    assert re.search(r"stalled: no progress for \d+ s; last: Reconnecting", end[0]), end[0]
    assert processes_with_marker(codex_env["marker"]) == []
    log = next((speckit_project / "orchestrator").glob("constitution-*.md")).read_text()
    assert "- exit code: 143" in log.rsplit("\n---\n", 1)[1]


def test_a_phase_that_cannot_reach_the_provider_says_so_long_before_it_stalls(
    codex_env, codex_bin: str, tmp_path: Path, monkeypatch
) -> None:
    """Only reconnect notices for UNREACHABLE_SECONDS: status.json, the log and the callback
    say "codex cannot reach the model provider (...)"; the run itself goes on (here the
    callback stops it, as a user would with X)."""
    monkeypatch.setattr(supervisor_module, "UNREACHABLE_SECONDS", 3.0)
    home = tmp_path / "dead-home"
    home.mkdir()
    (home / "config.toml").write_text(
        'model = "fake-model"\nmodel_provider = "dead"\n[model_providers.dead]\n'
        f'name = "Dead"\nbase_url = "http://127.0.0.1:{_dead_port()}/v1"\n'
        'env_key = "SPECUI_FAKE_API_KEY"\nwire_api = "responses"\n'
    )
    monkeypatch.setenv("CODEX_HOME", str(home))
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / PROMPT_FILE).write_text("say hi\n")
    log = tmp_path / "orchestrator" / "implement-20260101-000000.md"
    spec = RunSpec(run_id="implement-20260101-000000", phase="implement",
                   argv=[codex_bin, "exec", "--json", "--skip-git-repo-check", "--sandbox",
                         "read-only", "-"],
                   cwd=str(tmp_path), log_path=str(log),
                   log_rel="orchestrator/implement-20260101-000000.md", json_mode=True,
                   notify=False, grace_seconds=3, stall_seconds=600)
    supervisor = Supervisor(run_dir, spec)
    said: list[str] = []

    def unreachable(text: str) -> None:
        said.append(text)
        assert read_status(run_dir).unreachable == text  # on disk before anyone is told
        supervisor.request_stop()

    started = time.monotonic()
    status = supervisor.run(on_unreachable=unreachable)
    assert time.monotonic() - started < 3 + 20
    text = "codex cannot reach the model provider (Connection failed: error sending request)"
    assert said == [text]
    assert status.state == "stopped" and not status.stalled
    assert re.search(rf"specui: {re.escape(text)} for \d+ s; it keeps retrying", log.read_text())
    assert processes_with_marker(codex_env["marker"]) == []


GATED = """schema_version: "1.0"
workflow:
  id: "gated"
  name: "Gated"
  version: "1.0.0"
  description: "a gate, a step, another gate"
steps:
  - id: review
    type: gate
    message: "Approve the plan?"
    options: [approve, reject]
    on_reject: abort
  - id: after
    type: shell
    run: "echo after-the-gate"
  - id: second
    type: gate
    message: "Second look?"
    options: [approve, reject]
    on_reject: abort
"""


def _wait_run(manager: PhaseManager, timeout: float = 90.0):
    deadline = time.monotonic() + timeout
    while manager.refresh() is not None:
        assert time.monotonic() < deadline, "the workflow resume never ended"
        time.sleep(0.2)


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_workflow_gate_decided_from_specui(
    speckit_project: Path, specify_bin: str, monkeypatch, decision: str
) -> None:
    monkeypatch.setenv("PATH", f"{Path(specify_bin).parent}{os.pathsep}{os.environ['PATH']}")
    (speckit_project / "gated.yml").write_text(GATED)
    started = subprocess.run([specify_bin, "workflow", "run", "gated.yml"],
                             cwd=speckit_project, stdin=subprocess.DEVNULL,
                             capture_output=True, timeout=120, check=False)
    assert started.returncode == 0, started.stdout.decode() + started.stderr.decode()
    status = json.loads(specui("status", str(speckit_project), "--json").stdout)
    [workflow] = status["workflows"]
    assert workflow["status"] == "paused" and workflow["gate"]["step"] == "review"
    assert workflow["gate"]["options"] == ["approve", "reject"]

    project = Project.at(speckit_project)
    manager = PhaseManager(project, SessionStore.open(project), RunnerConfig(notify=False))
    run = manager.decide_gate(workflow["run_id"], decision)
    assert run.phase == "workflow"
    _wait_run(manager)
    after = {w["run_id"]: w for w in json.loads(
        specui("status", str(speckit_project), "--json").stdout)["workflows"]}
    state = after[workflow["run_id"]]
    log = manager.log_path(run).read_text()
    steps = {s["id"]: s["status"] for s in state["steps"]}
    assert "Approve the plan?" in log  # Spec Kit's own gate box, answered by specui
    if decision == "approve":
        # the first gate passed, the shell step ran, the next gate waits for its own decision
        assert steps["review"] == "completed" and steps["after"] == "completed"
        assert state["status"] == "paused" and state["gate"]["step"] == "second"
    else:
        assert "after" not in steps
        assert state["status"] in ("aborted", "failed") and state["gate"] is None


# Spec Kit's gate, reduced to its timing: the prompt is printed, then stdin is read. The
# second read holds SIGINT back, as Python does when the interrupt lands between the prompt and
# the read: it is only noted, and the read blocks with it pending.
GATES = """
import signal, sys
print("Choose [1-2]: ", end="", flush=True)
print("first:", sys.stdin.readline().strip(), flush=True)
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
print("Choose [1-2]: ", end="", flush=True)
line = sys.stdin.readline()
try:
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
except KeyboardInterrupt:
    print("interrupted: paused", flush=True)
    sys.exit(0)
print("second:", repr(line), flush=True)
sys.exit(3)
"""


def test_a_later_gate_is_interrupted_even_before_its_read_starts(tmp_path: Path) -> None:
    (tmp_path / "gates.py").write_text(GATES)
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    log = tmp_path / "orchestrator" / "workflow-20260101-000000.md"
    spec = RunSpec(run_id="workflow-20260101-000000", phase="workflow",
                   argv=[sys.executable, "gates.py"], cwd=str(tmp_path), log_path=str(log),
                   log_rel="orchestrator/workflow-20260101-000000.md", notify=False,
                   grace_seconds=5, gate_answer="approve")
    started = time.monotonic()
    status = Supervisor(run_dir, spec).run()
    text = log.read_text()
    assert "first: approve" in text and "interrupted: paused" in text, text
    assert status.exit_code == 0 and status.state == "done"
    assert time.monotonic() - started < 5  # not ended by the guard's kill after the grace
