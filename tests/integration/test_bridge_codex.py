"""End to end: the REAL Codex CLI, during a phase run started from the workbench, runs
`specui question` as a shell command (the fake Responses server asks it to); the question
appears in the workbench, is answered with the keyboard, and the answer reaches Codex as the
command's output (seen in the next request the fake server receives).

Codex runs commands under bubblewrap with a PID namespace of its own, so this also proves the
bridge works across PID namespaces (heartbeats, not pids: specui/bridge/__init__.py).
"""

from __future__ import annotations

import json
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fake_responses import Reply

from specui.core.config import RunnerConfig, SpecuiConfig, UIConfig
from specui.core.paths import Project
from specui.store import SessionStore
from specui.ui.app import SpecuiApp
from specui.ui.screens.bridge_question import BridgeQuestionScreen

pytestmark = pytest.mark.integration

SIZE = (160, 48)
PAYLOAD = {
    "question": "Which execution lane should own this once the interview is complete?",
    "type": "single-select",
    "options": [
        {"label": "Plan first", "value": "ralplan"},
        {"label": "Execute directly", "value": "autopilot"},
    ],
    "allow_other": False,
    "source": "codex",
}


async def wait_until(pilot, predicate: Callable[[], object], what: str, timeout: float = 90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        await pilot.pause(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def command_output(request: dict) -> str | None:
    for item in request.get("input", []):
        if isinstance(item, dict) and item.get("type") == "function_call_output":
            return str(item.get("output"))
    return None


async def test_codex_asks_in_the_workbench_and_gets_the_keyboard_answer(
    legacy_project: Path, codex_env, fake_server
) -> None:
    specui_bin = Path(sys.executable).parent / "specui"
    command = f"{shlex.quote(str(specui_bin))} question --json --input {shlex.quote(json.dumps(PAYLOAD))}"
    fake_server.script(
        Reply(call={"name": "exec_command",
                    "arguments": {"cmd": command, "yield_time_ms": 30000}}),
        "Noted: the lane is chosen.",
    )
    project = Project.at(legacy_project)
    config = SpecuiConfig(runner=RunnerConfig(stop_grace_seconds=2), ui=UIConfig(theme="specui-dark"))
    app = SpecuiApp(project, store=SessionStore.open(project), config=config,
                    make_engine=False, watch=True, blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.query("RunnerPane"), "the runner pane")
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("n")  # run constitution: codex starts and calls `specui question`
        screen = await wait_until(
            pilot,
            lambda: app.screen if isinstance(app.screen, BridgeQuestionScreen) else None,
            "codex's question in the workbench",
        )
        assert screen.request.source == "codex"
        await wait_until(pilot, lambda: [w.render().plain for w in screen.query("#bridge-text")]
                         == [PAYLOAD["question"]], "the question text")
        await pilot.press("2", "enter")
        await wait_until(pilot, lambda: app.store.state.runs
                         and app.store.state.runs[-1].status == "done", "the phase to finish")
    outputs = [command_output(r) for r in fake_server.requests]
    output = next(o for o in outputs if o is not None)
    envelope = json.loads(output[output.index("{"):output.rindex("}") + 1])
    assert envelope["ok"] is True
    assert envelope["answers"][0]["answer"] == {
        "kind": "option",
        "value": "autopilot",
        "selected_labels": ["Execute directly"],
        "selected_values": ["autopilot"],
    }
    assert "Process exited with code 0" in output
