"""What a phase sends to the agent, true to each of Spec Kit's two layouts.

- `.agents/skills/speckit-<phase>/SKILL.md` (current `specify init --integration codex`): the
  skill is invoked the way Spec Kit's own dispatch does it, `$speckit-<phase> <input>`, and
  Codex injects that one skill. Pasting SKILL.md instead made Codex expand every
  `$speckit-<name>` mention inside it as another skill (implement arrived with four other
  skills attached, about 4x the prompt).
- `.codex/prompts/speckit.<phase>.md` (Spec Kit <= 0.3, the layout seed 002 names): the
  command text is pasted with `$ARGUMENTS` filled in, after its `$speckit-<name>` mentions are
  neutralised (the `$` dropped) so Codex does not expand them into skills either. The legacy
  file wins when both exist because a project that still has it chose it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from specui.core.errors import SpecuiError
from specui.core.orchestrator import validate_phase
from specui.core.paths import Project

__all__ = [
    "PhasePrompt",
    "build_prompt",
    "find_prompt",
    "neutralise_skill_mentions",
    "skill_invocation",
    "substitute",
]

# What Codex takes for a skill mention: `$` right before a skill name. Only Spec Kit's own
# skills are neutralised; any other `$word` in a command text is left as it is.
_SKILL_MENTION = re.compile(r"\$(?=speckit-[A-Za-z0-9_-])")


@dataclass(frozen=True)
class PhasePrompt:
    phase: str
    source: Path      # the file the prompt came from
    text: str         # exactly what is sent on stdin
    mode: str         # "skill" (invoked by name) | "paste" (the command text itself)


def substitute(template: str, arguments: str) -> str:
    """Replace every `$ARGUMENTS` with the input. Plain text replace: no other `$` is touched."""
    return template.replace("$ARGUMENTS", arguments)


def neutralise_skill_mentions(text: str) -> str:
    """`$speckit-plan` -> `speckit-plan`: still readable, no longer a skill invocation."""
    return _SKILL_MENTION.sub("", text)


def skill_invocation(phase: str, arguments: str) -> str:
    """Spec Kit's dispatch for skills agents: `$speckit-<phase>`, then the input if any."""
    name = f"$speckit-{validate_phase(phase)}"
    return f"{name} {arguments}" if arguments.strip() else name


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
    if path.name == "SKILL.md":
        return PhasePrompt(phase, path, skill_invocation(phase, arguments), "skill")
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise SpecuiError(f"{project.relative(path)}: not valid UTF-8") from None
    except OSError as exc:
        raise SpecuiError(f"{project.relative(path)}: cannot read ({exc.strerror})") from None
    return PhasePrompt(phase, path, substitute(neutralise_skill_mentions(raw), arguments), "paste")
