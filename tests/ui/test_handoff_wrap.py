"""The handoff screen's option fields hang under their value when they wrap (trial3 H6, again
in trial4 at 120x36 and 80x24: `run:` / `consumes:` / `best when:` values wrapped to the
dialog's left edge, so a continuation read like a line of its own)."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.widgets import Static

from specui.core.paths import Project
from specui.handoff import run_handoff
from specui.ui.screens.runner import HandoffScreen

SPEC = ".omx/specs/deep-interview-a-rather-long-project-slug-for-wrapping.md"


def _data(tmp_path: Path) -> dict:
    project = Project.at(tmp_path)
    (tmp_path / "SPEC.md").write_text("# SPEC: demo\n\n## 1. Vision & Goals\n- **Problem & Outcome**: x\n")
    spec = tmp_path / SPEC
    spec.parent.mkdir(parents=True)
    spec.write_text("# spec\n")
    return run_handoff(project, list_only=True)


def _rows(widget: Static) -> list[str]:
    return ["".join(seg.text for seg in widget.render_line(y)).rstrip()
            for y in range(widget.size.height)]


def _assert_hangs(app: App, needle: str, value: str) -> None:
    """The Static holding `needle` wraps (else the check proves nothing), and every wrapped
    row starts under `value`, where its first row's text starts."""
    holder = next(s for s in app.screen.query(Static) if needle in str(s.render()))
    rows = _rows(holder)
    assert len(rows) > 1 and any(row.strip() for row in rows[1:]), rows
    start = holder.region.x + rows[0].index(value)
    assert all(holder.region.x + len(row) - len(row.lstrip()) == start
               for row in rows[1:] if row.strip()), rows


async def _shows_hanging(data: dict, size: tuple[int, int],
                         cases: tuple[tuple[str, str], ...]) -> None:
    """`data` on the handoff screen at `size`: each (needle, value) of `cases` hangs."""
    app = App()
    async with app.run_test(size=size) as pilot:
        app.push_screen(HandoffScreen(data))
        await pilot.pause()
        for needle, value in cases:
            _assert_hangs(app, needle, value)


async def _check(tmp_path: Path, size: tuple[int, int]) -> None:
    # (text only this field holds, the start of its value)
    await _shows_hanging(_data(tmp_path), size,
                         (("$ultragoal create-goals", "$ultragoal"),
                          ("converts the spec into durable goals", ".omx/specs/")))


async def test_option_fields_hang_under_their_value_at_120(tmp_path):
    await _check(tmp_path, (120, 36))


async def test_option_fields_hang_under_their_value_at_80(tmp_path):
    await _check(tmp_path, (80, 24))


def test_the_options_header_names_no_seed_document(tmp_path):
    lines = _data(tmp_path)["lines"]
    assert not any("seed 0" in line for line in lines), [ln for ln in lines if "seed" in ln]


async def test_a_wrapped_diff_line_hangs_after_its_sign(tmp_path):
    """The draft differs from the user's edited orchestrator/input: a long changed line wraps
    under its text, not under the +/- column (it read as a context line of its own)."""
    project = Project.at(tmp_path)
    _data(tmp_path)
    run_handoff(project)  # writes orchestrator/input
    edited = project.orchestrator_input.read_text().replace(
        "</constitution>", "The user's own long rule about what an implementer may change "
        "without asking anyone first, kept.\n</constitution>")
    project.orchestrator_input.write_text(edited)
    data = run_handoff(project)
    assert data["input"]["action"] == "kept"
    await _shows_hanging(data, (80, 24), (("The user's own long rule", "The user's"),))


async def test_an_option_title_hangs_after_its_number_at_60_columns(tmp_path):
    await _shows_hanging(_data(tmp_path), (60, 18), (("phases here (handoff", "Spec Kit"),))
