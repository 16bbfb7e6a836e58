"""Phase prompts: a skill is invoked by name ($speckit-<phase> <input>), a legacy .codex/prompts
command is pasted with $ARGUMENTS filled in and its $speckit-* mentions neutralised."""

from __future__ import annotations

import pytest

from specui.core.errors import SpecuiError
from specui.core.paths import Project
from specui.core.prompts import (
    build_prompt,
    find_prompt,
    neutralise_skill_mentions,
    skill_invocation,
    substitute,
)

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


def test_skill_layout_invokes_the_skill_by_name(project: Project) -> None:
    path = project.skill_prompt("plan")
    path.parent.mkdir(parents=True)
    path.write_text(SKILL)
    prompt = build_prompt(project, "plan", "Use SQLite\nand $HOME stays")
    assert prompt.source == path and prompt.mode == "skill"
    # exactly what Spec Kit's dispatch sends: the skill's name, then the input, nothing else
    assert prompt.text == "$speckit-plan Use SQLite\nand $HOME stays"


def test_skill_without_input_is_the_bare_invocation(project: Project) -> None:
    path = project.skill_prompt("tasks")
    path.parent.mkdir(parents=True)
    path.write_text(SKILL)
    assert build_prompt(project, "tasks", "").text == "$speckit-tasks"
    assert build_prompt(project, "tasks", "  \n").text == "$speckit-tasks"
    assert skill_invocation("converge", "x") == "$speckit-converge x"


def test_neutralise_skill_mentions() -> None:
    text = "Run `$speckit-plan` then $speckit-tasks; keep $HOME, $ARGUMENTS and $speckit.plan."
    assert neutralise_skill_mentions(text) == (
        "Run `speckit-plan` then speckit-tasks; keep $HOME, $ARGUMENTS and $speckit.plan."
    )


def test_legacy_paste_neutralises_mentions_but_not_the_input(project: Project) -> None:
    legacy = project.legacy_prompt("implement")
    legacy.parent.mkdir(parents=True)
    legacy.write_text("Then run $speckit-converge.\nInput: $ARGUMENTS\n")
    prompt = build_prompt(project, "implement", "see $speckit-tasks")
    assert prompt.mode == "paste"
    assert prompt.text == "Then run speckit-converge.\nInput: see $speckit-tasks\n"


def test_legacy_layout_wins(project: Project) -> None:
    skill = project.skill_prompt("tasks")
    skill.parent.mkdir(parents=True)
    skill.write_text(SKILL)
    legacy = project.legacy_prompt("tasks")
    legacy.parent.mkdir(parents=True)
    legacy.write_text("---\nkept: front matter in legacy files\n---\nDo $ARGUMENTS\n")
    prompt = build_prompt(project, "tasks", "it")
    assert prompt.source == legacy and prompt.mode == "paste"
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
