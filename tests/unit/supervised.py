"""A fake agent for the runner's tests: a supervised run of a script, and a project handed
off to Spec Kit phases whose agent is a script."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import Any

from specui.core.config import RunnerConfig
from specui.core.paths import Project
from specui.runner.manager import PhaseManager
from specui.runner.supervisor import PROMPT_FILE, RunSpec, Supervisor
from specui.store import SessionStore

QUIET_AGENT = "import sys; sys.stdin.read()\n"


def make_run(tmp_path: Path, script: str, *, phase: str = "plan", **spec: Any) -> Supervisor:
    """A Supervisor whose agent is `script` (dedented) run by this Python, fed "the prompt";
    `spec` overrides RunSpec fields (json_mode, stall_seconds, ...)."""
    (tmp_path / "fake.py").write_text(textwrap.dedent(script))
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / PROMPT_FILE).write_text("the prompt\n")
    run_id = f"{phase}-20260101-000000"
    fields: dict[str, Any] = {
        "run_id": run_id, "phase": phase, "argv": [sys.executable, "fake.py"],
        "cwd": str(tmp_path), "log_path": str(tmp_path / "orchestrator" / f"{run_id}.md"),
        "log_rel": f"orchestrator/{run_id}.md", "notify": False, "grace_seconds": 1,
    }
    return Supervisor(run_dir, RunSpec(**{**fields, **spec}))


def handed_off_project(
    root: Path, *, phases: tuple[str, ...] = ("constitution",), agent: str = QUIET_AGENT,
    blocks: str = "<constitution>c</constitution>\n",
) -> Project:
    """A project handed off (orchestrator/input holding `blocks`, the phases' prompts) whose
    agent is `agent`, saved as fake.py for this Python to run."""
    project = Project.at(root)
    for phase in phases:
        path = project.legacy_prompt(phase)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"Phase {phase}: $ARGUMENTS\n")
    project.orchestrator.mkdir(exist_ok=True)
    project.orchestrator_input.write_text(blocks)
    (root / "fake.py").write_text(textwrap.dedent(agent))
    return project


def handed_off(
    root: Path, *, phases: tuple[str, ...] = ("constitution",), agent: str = QUIET_AGENT,
    **runner: Any,
) -> PhaseManager:
    """A PhaseManager for `handed_off_project`; `runner` overrides RunnerConfig fields."""
    project = handed_off_project(root, phases=phases, agent=agent)
    config = RunnerConfig(command=[sys.executable, "fake.py"], notify=False, **runner)
    return PhaseManager(project, SessionStore.open(project), config)
