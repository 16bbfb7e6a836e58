"""Phase prompts: legacy .codex/prompts first, then .agents/skills; $ARGUMENTS filled in."""

from __future__ import annotations

import pytest

from specui.core.errors import SpecuiError
from specui.core.paths import Project
from specui.core.prompts import build_prompt, find_prompt, strip_front_matter, substitute

SKILL = """---
name: "speckit-plan"
description: "Plan it"
metadata:
  author: "github-spec-kit"
---


## User Input

```text
$ARGUMENTS
```

Context: $ARGUMENTS and $OTHER stays.
"""


@pytest.fixture
def project(tmp_path) -> Project:
    return Project.at(tmp_path)


def test_substitute_replaces_every_occurrence() -> None:
    assert substitute("a $ARGUMENTS b $ARGUMENTS $ARG", "X") == "a X b X $ARG"
    # replacement text containing regex/format specials is inserted literally
    assert substitute("[$ARGUMENTS]", r"\1 {0} $ARGUMENTS") == r"[\1 {0} $ARGUMENTS]"


def test_strip_front_matter() -> None:
    out = strip_front_matter(SKILL)
    assert out.startswith("## User Input")
    assert "speckit-plan" not in out
    assert strip_front_matter("no front matter\n---\n") == "no front matter\n---\n"
    assert strip_front_matter("---\na: 1\n---\nbody") == "body"


def test_skill_layout(project: Project) -> None:
    path = project.skill_prompt("plan")
    path.parent.mkdir(parents=True)
    path.write_text(SKILL)
    prompt = build_prompt(project, "plan", "Use SQLite")
    assert prompt.source == path
    assert "name:" not in prompt.text
    assert prompt.text.count("Use SQLite") == 2
    assert "$ARGUMENTS" not in prompt.text and "$OTHER" in prompt.text


def test_legacy_layout_wins(project: Project) -> None:
    skill = project.skill_prompt("tasks")
    skill.parent.mkdir(parents=True)
    skill.write_text(SKILL)
    legacy = project.legacy_prompt("tasks")
    legacy.parent.mkdir(parents=True)
    legacy.write_text("---\nkept: front matter in legacy files\n---\nDo $ARGUMENTS\n")
    prompt = build_prompt(project, "tasks", "it")
    assert prompt.source == legacy
    assert prompt.text.endswith("Do it\n")
    assert "kept: front matter" in prompt.text  # legacy prompts are sent as they are


def test_missing_prompt_names_both_paths(project: Project) -> None:
    with pytest.raises(SpecuiError) as info:
        find_prompt(project, "specify")
    message = str(info.value)
    assert ".codex/prompts/speckit.specify.md" in message
    assert ".agents/skills/speckit-specify/SKILL.md" in message
    assert "specify init" in message


def test_unknown_phase_never_builds_a_path(project: Project) -> None:
    with pytest.raises(SpecuiError) as info:
        find_prompt(project, "../../etc")
    assert info.value.exit_code == 2
