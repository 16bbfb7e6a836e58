"""A supervised run of a fake agent script, for the supervisor's tests."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import Any

from specui.runner.supervisor import PROMPT_FILE, RunSpec, Supervisor


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
