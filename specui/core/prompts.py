"""The prompt a phase sends to the agent: Spec Kit's command text with `$ARGUMENTS` filled in.

Two layouts exist in the wild. Seed 002 names `.codex/prompts/speckit.<phase>.md` (Spec Kit
≤ 0.3); current `specify init --integration codex` writes skills to
`.agents/skills/speckit-<phase>/SKILL.md`, whose YAML front matter is metadata for the skill
loader, not instructions, so it is stripped. The legacy file wins when both exist because a
project that still has it chose it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from specui.core.errors import SpecuiError
from specui.core.orchestrator import validate_phase
from specui.core.paths import Project

__all__ = ["PhasePrompt", "build_prompt", "find_prompt", "strip_front_matter", "substitute"]

_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n.*?^---[ \t]*(?:\r?\n|\Z)", re.DOTALL | re.MULTILINE)


@dataclass(frozen=True)
class PhasePrompt:
    phase: str
    source: Path      # the file the prompt came from
    text: str         # final prompt, `$ARGUMENTS` replaced


def strip_front_matter(text: str) -> str:
    """Drop a leading `---` … `---` YAML block (and the blank lines after it)."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        return text
    return text[match.end() :].lstrip("\r\n")


def substitute(template: str, arguments: str) -> str:
    """Replace every `$ARGUMENTS` with the input. Plain text replace: no other `$` is touched."""
    return template.replace("$ARGUMENTS", arguments)


def find_prompt(project: Project, phase: str) -> Path:
    """The prompt file for `phase`; SpecuiError naming both places when neither exists."""
    phase = validate_phase(phase)
    legacy = project.legacy_prompt(phase)
    skill = project.skill_prompt(phase)
    for candidate in (legacy, skill):
        if candidate.is_file():
            return candidate
    raise SpecuiError(
        f"no prompt for phase {phase}: neither {project.relative(legacy)} nor "
        f"{project.relative(skill)} exists; run `specify init --here --integration codex` "
        "in the project first"
    )


def build_prompt(project: Project, phase: str, arguments: str) -> PhasePrompt:
    path = find_prompt(project, phase)
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise SpecuiError(f"{project.relative(path)}: not valid UTF-8") from None
    except OSError as exc:
        raise SpecuiError(f"{project.relative(path)}: cannot read ({exc.strerror})") from None
    if path.name == "SKILL.md":
        raw = strip_front_matter(raw)
    return PhasePrompt(phase, path, substitute(raw, arguments))
