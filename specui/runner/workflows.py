"""Spec Kit's own workflow runs (`specify workflow run|resume|status`), as specui shows them.

Spec Kit 1.2 keeps each run in `.specify/workflows/runs/<run_id>/state.json` (written
atomically by its engine): the workflow id, the run's status (created, running, paused,
completed, failed, aborted), the current step and one record per step with its own status. A
`gate` step pauses the run for a human when stdin is not a terminal; `specify workflow resume`
asks the gate's question again on a terminal. So approving or rejecting from the workbench is a
resume under a pseudo-terminal whose first gate question gets the user's choice (see
supervisor.py, `gate_answer`); a later gate in the same resume is interrupted, which Spec Kit
records as paused again, so every gate gets its own decision.

Files are read through core.loader (size and depth limits): a project's state files are data,
possibly hostile, and a bad one is skipped with its reason, never a crash.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from specui.core.errors import SpecuiError
from specui.core.loader import LoadError, load_json_file
from specui.core.paths import Project

__all__ = ["Gate", "StepState", "WorkflowRun", "gate_choice", "list_runs", "resume_argv"]

_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")  # Spec Kit: hex ids; never a path
MAX_STATE_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class StepState:
    id: str
    type: str
    status: str


@dataclass(frozen=True)
class Gate:
    step_id: str
    message: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class WorkflowRun:
    run_id: str
    workflow_id: str
    status: str
    current_step: str | None
    updated_at: str
    error: str | None
    steps: tuple[StepState, ...] = ()
    gate: Gate | None = None  # set when the run is paused at a gate
    problem: str = ""  # why the state file could not be read (then the rest is empty)

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id, "workflow_id": self.workflow_id, "status": self.status,
            "current_step": self.current_step, "updated_at": self.updated_at,
            "error": self.error,
            "steps": [{"id": s.id, "type": s.type, "status": s.status} for s in self.steps],
            "gate": None if self.gate is None else {
                "step": self.gate.step_id, "message": self.gate.message,
                "options": list(self.gate.options)},
            "problem": self.problem,
        }


def runs_dir(project: Project) -> Path:
    return project.root / ".specify" / "workflows" / "runs"


def _text(value: object) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


class _Unusable(Exception):
    """A state.json that parses but is not shaped like Spec Kit's."""


def _parse(run_id: str, data: object) -> WorkflowRun:
    if not isinstance(data, dict):
        raise _Unusable("state.json is not a JSON object")
    results = data.get("step_results") or {}
    if not isinstance(results, dict):
        raise _Unusable("state.json: step_results is not an object")
    steps = tuple(
        StepState(str(sid), _text(rec.get("type")) or "command", _text(rec.get("status")))
        for sid, rec in results.items() if isinstance(rec, dict)
    )
    status = _text(data.get("status")) or "unknown"
    current = data.get("current_step_id")
    current = current if isinstance(current, str) else None
    gate = None
    record = results.get(current) if current is not None else None
    if status == "paused" and current is not None:
        if not isinstance(record, dict):
            # A gate interrupted on a terminal (a later gate of the same resume, see
            # supervisor.py) pauses the run without a step record: the step comes from the
            # workflow's own definition, which the state keeps.
            record = _defined_step(data, current)
        if isinstance(record, dict) and record.get("type") == "gate":
            output = record.get("output") if isinstance(record.get("output"), dict) else record
            options = output.get("options") or record.get("options") or ["approve", "reject"]
            if isinstance(options, list) and all(isinstance(o, str) for o in options):
                gate = Gate(current, _text(output.get("message")) or "Review required.",
                            tuple(options))
    return WorkflowRun(
        run_id=run_id, workflow_id=_text(data.get("workflow_id")), status=status,
        current_step=current, updated_at=_text(data.get("updated_at")),
        error=data.get("error") if isinstance(data.get("error"), str) else None,
        steps=steps, gate=gate,
    )


_STEP_START = re.compile(r"^- id: ?(.*)$")
_KEY = re.compile(r"^  (type|message): ?(.*)$")
_OPTION = re.compile(r"^  - (.*)$")


def _scalar(raw: str) -> str:
    """A YAML plain or quoted scalar as PyYAML dumps one on a single line."""
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] == "'":
        return raw[1:-1].replace("''", "'")
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        return raw[1:-1].replace('\\"', '"')
    return raw


def _defined_step(data: dict[str, Any], step_id: str) -> dict[str, Any] | None:
    """Step `step_id` of the top-level sequence in `execution.sequence.source` (the steps as
    PyYAML dumped them: `- id: x` blocks with two-space keys). Only `type`, `message` and an
    `options` block list are read; None when the step is not there."""
    execution = data.get("execution")
    sequence = execution.get("sequence") if isinstance(execution, dict) else None
    source = sequence.get("source") if isinstance(sequence, dict) else None
    if not isinstance(source, str):
        return None
    step: dict[str, Any] | None = None
    in_options = False
    for line in source.splitlines():
        start = _STEP_START.match(line)
        if start is not None:
            if step is not None:
                return step
            if _scalar(start.group(1)) == step_id:
                step = {}
            continue
        if step is None:
            continue
        key = _KEY.match(line)
        option = _OPTION.match(line) if in_options else None
        if key is not None:
            step[key.group(1)] = _scalar(key.group(2))
            in_options = False
        elif line.startswith("  options:"):
            step["options"], in_options = [], True
        elif option is not None:
            step["options"].append(_scalar(option.group(1)))
        elif not line.startswith("    "):
            in_options = False
    return step


def list_runs(project: Project) -> list[WorkflowRun]:
    """Every workflow run of the project, newest first (by its `updated_at`)."""
    base = runs_dir(project)
    try:
        entries = sorted(p for p in base.iterdir() if p.is_dir() and _RUN_ID.match(p.name))
    except OSError:
        return []
    runs = []
    for entry in entries:
        try:
            data = load_json_file(entry / "state.json", what=f"workflow run {entry.name}",
                                  max_bytes=MAX_STATE_BYTES)
            runs.append(_parse(entry.name, data))
        except (LoadError, _Unusable) as exc:
            runs.append(WorkflowRun(entry.name, "", "unreadable", None, "", None,
                                    problem=str(exc)))
    runs.sort(key=lambda r: r.updated_at, reverse=True)
    return runs


def gate_choice(run: WorkflowRun, decision: str) -> str:
    """The gate option for "approve" / "reject": the option of that name, else (reject) the
    option Spec Kit itself treats as a rejection (`reject` or `abort`), else the first option
    for approve. SpecuiError when the run is not waiting at a gate."""
    if run.gate is None:
        raise SpecuiError(f"workflow run {run.run_id} is not paused at a gate ({run.status})")
    options = run.gate.options
    wanted = decision.lower()
    for option in options:
        if option.lower() == wanted:
            return option
    if wanted == "reject":
        for option in options:
            if option.lower() in ("reject", "abort"):
                return option
        raise SpecuiError(f"gate {run.gate.step_id} has no reject option ({', '.join(options)})")
    approving = [o for o in options if o.lower() not in ("reject", "abort")]
    if not approving:
        raise SpecuiError(f"gate {run.gate.step_id} has no approving option")
    return approving[0]


def resume_argv(specify: str, run_id: str) -> list[str]:
    if not _RUN_ID.match(run_id):
        raise SpecuiError(f"invalid workflow run id {run_id!r}", exit_code=2)
    return [specify, "workflow", "resume", run_id]
