"""`specui skill install [DIR]`: the skills that teach agents to ask through `specui question`.

Two files, one per agent: Codex reads `.agents/skills/<name>/SKILL.md`, Claude Code
`.claude/skills/<name>/SKILL.md`. A skill the user changed is never overwritten: specui
records the SHA-256 of what it wrote in `.specui/skills.json`; a file that no longer has that
digest (or that specui never wrote) is kept, and an unchanged older copy is updated.
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path

from specui.core.errors import SpecuiError
from specui.core.fsio import atomic_write_text
from specui.core.loader import LoadError, load_json_file
from specui.core.paths import Project

SKILL_NAME = "specui-question"
RECORD = "skills.json"
# (agent, where it reads skills, how it runs a command, the payload's `source`)
AGENTS: tuple[tuple[str, str, str, str], ...] = (
    ("codex", f".agents/skills/{SKILL_NAME}/SKILL.md",
     "Run `specui question` as a shell command.", "codex"),
    ("claude", f".claude/skills/{SKILL_NAME}/SKILL.md",
     ("Run `specui question` with the Bash tool (use it instead of AskUserQuestion whenever "
      "the human works in specui or you run headless)."), "claude-code"),
)


def template(agent: str) -> str:
    """The skill text for `agent` (one template, the agent's own wording filled in)."""
    _, _, how, source = next(a for a in AGENTS if a[0] == agent)
    text = resources.files("specui.bridge").joinpath("skills", "SKILL.md").read_text("utf-8")
    return text.replace("{{how}}", how).replace("{{source}}", source)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _record_path(project: Project) -> Path:
    return project.state_dir / RECORD


def _read_record(project: Project) -> dict[str, str]:
    try:
        data = load_json_file(_record_path(project), what="skills.json", max_bytes=64 * 1024)
    except LoadError as exc:
        if exc.missing:
            return {}
        raise SpecuiError(f".specui/{RECORD}: {exc.reason}") from None
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}


def install_skills(project: Project) -> list[str]:
    """Write or update both skills; one line per skill saying what happened."""
    record = _read_record(project)
    lines: list[str] = []
    changed = False
    for agent, rel, _, _ in AGENTS:
        text = template(agent)
        path = project.root / rel
        try:
            current = path.read_text(encoding="utf-8") if path.exists() else None
        except (OSError, UnicodeDecodeError) as exc:
            raise SpecuiError(f"{rel}: cannot be read ({exc})") from None
        if current == text:
            lines.append(f"up to date {rel}")
            if record.get(rel) != _digest(text):
                record[rel] = _digest(text)
                changed = True
            continue
        if current is not None and record.get(rel) != _digest(current):
            lines.append(f"kept {rel} (changed since specui wrote it; remove it to reinstall)")
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, text)
        record[rel] = _digest(text)
        changed = True
        lines.append(f"{'updated' if current is not None else 'created'} {rel}")
    if changed:
        project.state_dir.mkdir(parents=True, exist_ok=True)
        atomic_write_text(_record_path(project), json.dumps(record, indent=2, sort_keys=True) + "\n")
    return lines
