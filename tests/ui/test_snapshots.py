"""Snapshot tests (pytest-textual-snapshot): each pane and each question type at 80x24 and
160x48, in both specui themes. Inputs deliberately contain `[/]`, `[bold]` and `\\x1b[2J`: they
must show literally and must not clear or restyle the screen.

Create/refresh with `pytest tests/ui/test_snapshots.py --snapshot-update`, then look at the SVGs.
"""

from __future__ import annotations

import pytest

from specui.core.fsio import atomic_write_text
from specui.core.spec import render_spec_template

from .conftest import LARGE, MEDIUM, SMALL, make_app, settle
from .fake_engine import FREE, HOSTILE, MARKUP, MULTI, SINGLE

HOSTILE_SPEC_BODY = (
    "- **Problem & Outcome**: todo lists rot; [bold]this is not bold[/bold] and [/] is text\n"
    "- **Success Metrics**: add a task in < 2 s \x1b[2J(no screen clear)\x1b]0;title\x07\n"
    "- **Target Users**: developers in tmux\n"
)


def hostile_spec(project) -> None:
    text = render_spec_template(project.root.name)
    start = text.index("## 1. Vision & Goals\n") + len("## 1. Vision & Goals\n")
    end = text.index("## 2.")
    atomic_write_text(project.spec, text[:start] + HOSTILE_SPEC_BODY + "\n" + text[end:])


def settled(*keys: str):
    """run_before: let the engine start, then press keys one by one, settling after each."""

    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        # The SPEC.md view lays out again once its section is rendered (its scrollbar gutter).
        await pilot.pause(0.1)
        await settle(pilot)

    return run_before


CASES = [
    # id, questions, keys, size, theme, hostile SPEC.md
    ("single", [SINGLE, MULTI], (), SMALL, "specui-dark", False),
    ("multi_toggled", [MULTI, SINGLE], ("1", "3"), SMALL, "specui-dark", False),
    ("multi_refused", [MULTI, SINGLE], ("enter",), SMALL, "specui-dark", False),
    ("other_input", [SINGLE, MULTI], ("4", "a", "[", "/", "]"), SMALL, "specui-dark", False),
    ("free_text", [FREE, SINGLE], ("h", "i"), SMALL, "specui-dark", False),
    ("markup_question", [MARKUP, SINGLE], (), SMALL, "specui-dark", True),
    ("ambiguity_pane", [SINGLE, MULTI, FREE], ("1", "enter", "a"), SMALL, "specui-dark", False),
    ("spec_pane_hostile", [SINGLE, MULTI], ("s",), SMALL, "specui-dark", True),
    ("runner_pane", [SINGLE, MULTI], ("r",), SMALL, "specui-dark", False),
    # (with the ambiguity pane below: the SPEC.md view's scrollbar gutter settles a frame late
    # when the finish view shrinks it, which made this snapshot flaky)
    ("finished", [SINGLE], ("1", "enter", "a"), SMALL, "specui-dark", False),
    ("single_light", [SINGLE, MULTI], (), SMALL, "specui-light", False),
    ("spec_pane_light", [SINGLE, MULTI], ("s",), SMALL, "specui-light", True),
    ("single_wide", [SINGLE, MULTI], (), LARGE, "specui-dark", False),
    ("multi_wide", [MULTI, SINGLE], ("2",), LARGE, "specui-dark", True),
    ("free_text_wide", [FREE, SINGLE], (), LARGE, "specui-dark", False),
    ("markup_wide", [MARKUP, SINGLE], (), LARGE, "specui-dark", True),
    ("finished_wide", [SINGLE], ("1", "enter"), LARGE, "specui-dark", False),
    ("single_wide_light", [SINGLE, MULTI], ("1", "enter"), LARGE, "specui-light", True),
    # 120x36: the smallest size where every pane shows; the Why / gap text goes under the rows
    ("all_panes_120x36", [SINGLE, MULTI, FREE], ("1", "enter"), MEDIUM, "specui-dark", True),
]


@pytest.mark.parametrize(
    ("questions", "keys", "size", "theme", "hostile"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_snapshot(snap_compare, project, questions, keys, size, theme, hostile):
    if hostile:
        hostile_spec(project)
    note = f"note: {HOSTILE}" if questions[0] is MARKUP else ""
    app = make_app(project, questions=questions, theme=theme, note=note)
    assert snap_compare(app, terminal_size=size, run_before=settled(*keys))


def test_snapshot_early_exit_dialog(snap_compare, project):
    app = make_app(project, questions=[SINGLE] * 5)
    keys = ("1", "enter") * 3 + ("x",)
    assert snap_compare(app, terminal_size=SMALL, run_before=settled(*keys))
