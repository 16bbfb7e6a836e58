"""`specui status`: one snapshot of a project (design §3's JSON contract).

The JSON shape is stable: scripts and checks rely on it. Every key is always present; a part
with no data yet holds null or an empty value rather than being left out.
"""

from __future__ import annotations

from typing import Any

from specui import spec_repo
from specui.core.ambiguity import weights_for
from specui.core.config import (
    RunnerConfig,
    load_config,
    load_deep_interview_config,
    resolve_profile,
)
from specui.core.errors import SpecuiError
from specui.core.interview import policy
from specui.core.paths import Project, enclosing_project
from specui.core.progress import progress_line
from specui.core.tasks import count_tasks, find_tasks_file
from specui.runner.manager import PhaseManager, observed_run
from specui.store import PhaseRun, SessionStore


def project_above(project: Project) -> str | None:
    """The nearest folder above that holds a project, when this one holds none of a
    project's files: `specui status` or `specui interview` run from the project's src/ or
    specs/ (DIR is the current folder by default)."""
    found = enclosing_project(project)
    return None if found is None or found.root == project.root else str(found.root)


def _spec_part(project: Project, store: SessionStore) -> dict[str, Any]:
    doc = spec_repo.read_document(project)
    unit_status = spec_repo.statuses(project, store, doc)
    percent = spec_repo.progress(project, store, doc)
    return {
        "path": project.relative(project.spec),
        "exists": doc is not None,
        "project_above": project_above(project) if doc is None else None,
        "progress": percent,
        "progress_line": progress_line(percent),
        "sections": [
            {"key": key, "title": spec_repo.UNIT_TITLES[key], "status": status}
            for key, status in unit_status.items()
        ],
        "missing": list(doc.missing) if doc is not None else [],
        "duplicates": list(doc.duplicates) if doc is not None else [],
        "conflicts": [
            {"unit": c.unit, "reason": c.reason, "at": c.at.isoformat(), "text": c.text}
            for c in store.state.spec.conflicts
        ],
    }


def _interview_part(project: Project, store: SessionStore, messages: list[str]) -> dict[str, Any]:
    iv = store.state.interview
    profile, threshold, max_rounds = iv.profile, iv.threshold, iv.max_rounds
    if iv.status == "not_started":
        # Nothing recorded yet: show what an interview started now would use.
        try:
            deep, warnings = load_deep_interview_config(project)
            messages.extend(warnings)
            chosen = resolve_profile(load_config(project), deep)
            profile, threshold, max_rounds = chosen.name, chosen.threshold, chosen.max_rounds
        except SpecuiError as exc:
            messages.append(str(exc))
    started = iv.status != "not_started" or bool(iv.rounds)
    dims = {key: iv.dimensions[key].score for key in weights_for(iv.type) if key in iv.dimensions}
    return {
        "profile": profile,
        "type": iv.type,
        "status": iv.status,
        "round": policy.current_round(iv),
        "rounds_done": iv.rounds_done,
        "validation_step": policy.validation_step(iv),
        "max_rounds": max_rounds,
        "threshold": threshold,
        "ambiguity": iv.ambiguity if started else None,
        "dimensions": dims,
        "gates": iv.gates.model_dump(),
        # How the interview rounds ended (threshold — also while the validation pass runs —,
        # hard_cap, early_exit, …) and the residual risk SPEC.md records when they ended
        # short; both null while rounds are asked. The same values as `specui interview --json`.
        "end_reason": iv.end_reason,
        "residual_risk": iv.residual_risk,
        # The engine of the rounds and the error of a failed round (null otherwise), as in
        # `specui interview --json`: an interview stuck on a failed round is not just "active".
        "engine": iv.engine.name or None,
        "error": iv.engine.error if iv.engine.status == "error" else None,
    }


def _unreachable(manager: PhaseManager, run: PhaseRun) -> str | None:
    """The supervisor's "codex cannot reach the model provider (…)" of a running run, in the
    runner pane's words (status.json's `unreachable`); None when it has not said so."""
    try:
        status = manager.status_of(run)
    except SpecuiError:  # a run id no supervisor could have written (hand-edited session)
        return None
    return (status.unreachable or None) if status is not None else None


def _phases_part(manager: PhaseManager) -> list[dict[str, Any]]:
    """The configured phases (and any other that ran), as the runner sees them: implement is
    done only when tasks.md is; a run the store lists as running whose supervisor is gone is
    reported failed, not running forever (read-only, see observed_run)."""
    phases = []
    for row in manager.phase_rows():
        run = row.run
        state, message = row.status, row.note
        unreachable = None
        if run is not None and run.status == "running":
            state, message = observed_run(manager.project, run)
            if state == "running":
                unreachable = _unreachable(manager, run)
        phases.append(
            {
                "name": row.name,
                "status": state,
                "message": message,
                "log": (run.log or None) if run is not None else None,
                "stalled": run.stalled and state == "running" if run is not None else False,
                "unreachable": unreachable,
                "exit_code": run.exit_code if run is not None else None,
                "started_at": run.started_at.isoformat() if run and run.started_at else None,
                "ended_at": run.ended_at.isoformat() if run and run.ended_at else None,
            }
        )
    return phases


def _tasks_part(project: Project) -> dict[str, Any]:
    empty: dict[str, Any] = {"file": None, "done": None, "total": None}
    try:
        path = find_tasks_file(project.root, strict=True)  # a hostile feature.json: one line
        if path is None:
            return empty
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return empty
    count = count_tasks(text)
    return {"file": project.relative(path), "done": count.done, "total": count.total}


def build_status(project: Project, store: SessionStore) -> dict[str, Any]:
    """The design §3 status object (plus `messages`: one-line notices for the user)."""
    messages: list[str] = list(store.messages)
    interview = _interview_part(project, store, messages)
    try:
        runner = load_config(project).runner
    except SpecuiError as exc:
        if str(exc) not in messages:  # said once, whoever read the file first
            messages.append(str(exc))
        runner = RunnerConfig()
    manager = PhaseManager(project, store, runner)
    return {
        "spec": _spec_part(project, store),
        "interview": interview,
        "phases": _phases_part(manager),
        "tasks": _tasks_part(project),
        "workflows": [run.to_json() for run in manager.workflow_runs()],
        "messages": messages,
    }
