"""Spec Kit workflow runs as the runner reads them, and the gate decision's choice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from specui.core.config import RunnerConfig
from specui.core.errors import SpecuiError
from specui.core.paths import Project
from specui.runner.manager import PhaseManager
from specui.runner.workflows import gate_choice, list_runs, resume_argv
from specui.store import SessionStore


def _state(root: Path, run_id: str, **data) -> None:
    folder = root / ".specify" / "workflows" / "runs" / run_id
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "state.json").write_text(json.dumps({"run_id": run_id, **data}))


def _gated(root: Path, options: list[str]) -> None:
    _state(root, "abc123", workflow_id="w", status="paused", current_step_id="g",
           updated_at="2026-01-02", step_results={"g": {"type": "gate", "status": "paused",
                                                         "output": {"message": "ok?",
                                                                    "options": options}}})


def test_runs_newest_first_and_only_gates_are_gates(tmp_path: Path) -> None:
    project = Project.at(tmp_path)
    _state(tmp_path, "old1", workflow_id="speckit", status="completed", updated_at="2026-01-01",
           step_results={"specify": {"type": "command", "status": "completed"}})
    _gated(tmp_path, ["approve", "reject"])
    _state(tmp_path, "run2", workflow_id="speckit", status="paused", current_step_id="cmd",
           updated_at="2026-01-03", step_results={"cmd": {"type": "command", "status": "paused"}})
    runs = list_runs(project)
    assert [r.run_id for r in runs] == ["run2", "abc123", "old1"]
    assert runs[0].gate is None and runs[1].gate is not None and runs[2].gate is None


@pytest.mark.parametrize(("options", "decision", "expected"), [
    (["approve", "reject"], "approve", "approve"),
    (["approve", "reject"], "reject", "reject"),
    (["Ship it", "Abort"], "reject", "Abort"),
    (["Ship it", "Abort"], "approve", "Ship it"),
    (["Approve", "Reject", "request-changes"], "reject", "Reject"),
])
def test_gate_choice(tmp_path: Path, options, decision, expected) -> None:
    _gated(tmp_path, options)
    [run] = list_runs(Project.at(tmp_path))
    assert gate_choice(run, decision) == expected


def test_no_gate_no_decision(tmp_path: Path) -> None:
    _gated(tmp_path, ["approve", "reject"])
    _state(tmp_path, "abc123", workflow_id="w", status="completed", updated_at="x",
           step_results={})
    [run] = list_runs(Project.at(tmp_path))
    with pytest.raises(SpecuiError, match="not paused at a gate"):
        gate_choice(run, "approve")
    with pytest.raises(SpecuiError):
        resume_argv("specify", "../../etc")


def test_manager_refuses_unknown_runs_and_lanes(tmp_path: Path) -> None:
    project = Project.at(tmp_path)
    manager = PhaseManager(project, SessionStore.open(project), RunnerConfig())
    with pytest.raises(SpecuiError, match="no Spec Kit workflow run"):
        manager.decide_gate("nope00", "approve")
    with pytest.raises(SpecuiError, match="invalid lane"):
        manager.start_lane("../x", "$x")


def test_an_interrupted_gate_is_found_in_the_workflows_own_steps(tmp_path: Path) -> None:
    """A gate interrupted on a terminal pauses the run without a step record."""
    source = ("- id: review\n  type: gate\n  message: Approve the plan?\n  options:\n"
              "  - approve\n  - reject\n  on_reject: abort\n- id: after\n  type: shell\n"
              "  run: echo hi\n- id: second\n  type: gate\n  message: 'Second: look?'\n"
              "  options:\n  - ship\n  - abort\n")
    _state(tmp_path, "abc123", workflow_id="w", status="paused", current_step_id="second",
           updated_at="x", step_results={"review": {"type": "gate", "status": "completed"}},
           execution={"version": 2, "sequence": {"source": source}})
    [run] = list_runs(Project.at(tmp_path))
    assert run.gate is not None and run.gate.step_id == "second"
    assert run.gate.message == "Second: look?" and run.gate.options == ("ship", "abort")
    assert gate_choice(run, "reject") == "abort"
