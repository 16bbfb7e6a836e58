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
SKILLS: tuple[tuple[str, str], ...] = (
    ("codex.md", f".agents/skills/{SKILL_NAME}/SKILL.md"),
    ("claude.md", f".claude/skills/{SKILL_NAME}/SKILL.md"),
)
RECORD = "skills.json"


def template(name: str) -> str:
    return resources.files("specui.bridge").joinpath("skills", name).read_text(encoding="utf-8")


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
    for name, rel in SKILLS:
        text = template(name)
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
