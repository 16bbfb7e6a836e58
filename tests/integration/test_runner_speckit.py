"""A real Spec Kit project (`specify init --here --integration codex`, offline: the templates are
bundled in specify-cli) and the legacy `.codex/prompts` layout, run through the real Codex CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import specui

pytestmark = pytest.mark.integration


def test_specify_init_makes_skills_layout(speckit_project: Path) -> None:
    skill = speckit_project / ".agents" / "skills" / "speckit-constitution" / "SKILL.md"
    assert skill.is_file()
    assert skill.read_text().startswith("---")  # front matter that specui must strip
    assert "$ARGUMENTS" in skill.read_text()
    assert not (speckit_project / ".codex" / "prompts").exists()


@pytest.mark.parametrize("phase", ["constitution", "specify", "plan", "tasks", "implement"])
def test_dry_run_builds_each_phase_prompt(speckit_project: Path, phase: str) -> None:
    result = specui("run", phase, str(speckit_project), "--dry-run", "--input", "MY INPUT 42")
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr.decode()
    assert out.startswith("command: codex exec --skip-git-repo-check --sandbox workspace-write -")
    assert f"prompt: .agents/skills/speckit-{phase}/SKILL.md" in out
    prompt = out.split("\n\n", 1)[1]
    assert "MY INPUT 42" in prompt
    assert "$ARGUMENTS" not in prompt
    assert not prompt.startswith("---") and f'name: "speckit-{phase}"' not in prompt
    # dry run writes nothing
    assert not (speckit_project / "orchestrator" / "checkpoint").exists()
    assert not (speckit_project / ".specui" / "runs").exists()


def test_constitution_runs_through_codex(speckit_project: Path, codex_env, fake_server) -> None:
    fake_server.text = "Constitution v1.0.0 ratified."
    result = specui("run", "constitution", str(speckit_project))
    assert result.returncode == 0, result.stderr.decode()
    assert "Constitution v1.0.0 ratified." in result.stdout.decode()
    sent = "\n".join(fake_server.prompts())
    assert "Principles: tests first." in sent           # the <constitution> block
    assert "$ARGUMENTS" not in sent.split("Principles: tests first.")[0][-2000:]
    logs = list((speckit_project / "orchestrator").glob("constitution-*.md"))
    assert len(logs) == 1
    assert "- prompt: .agents/skills/speckit-constitution/SKILL.md" in logs[0].read_text()


def test_legacy_layout_specify_phase(legacy_project: Path, codex_env, fake_server) -> None:
    # constitution done first (the predecessor), then specify without --force
    assert specui("run", "constitution", str(legacy_project)).returncode == 0
    fake_server.text = "Spec drafted."
    result = specui("run", "specify", str(legacy_project), "--input", "Greeter with $HOME intact")
    assert result.returncode == 0, result.stderr.decode()
    request = json.dumps(fake_server.requests[-1])
    assert "You are running the specify phase." in request
    assert "Greeter with $HOME intact" in request
    assert (legacy_project / "orchestrator" / "checkpoint").read_text() == "phase=specify\n"
