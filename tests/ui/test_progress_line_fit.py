"""The progress line at 80 columns keeps the whole tally beside a conflict notice (found in
tmux: `… 0%  ⚠ 1 SPEC.md conflict · C  0f 2c 2d` — the unknown count and the project name were
cut off)."""

from __future__ import annotations

from textual.app import App, ComposeResult

from specui.ui.widgets.progress_line import ProgressLine

TALLY = "0 final · 2 clarified · 2 drafted · 14 unknown"


class One(App):
    def compose(self) -> ComposeResult:
        yield ProgressLine("photo-dater", id="progress")


async def shown(width: int, conflicts: int) -> str:
    app = One()
    async with app.run_test(size=(width, 3)) as pilot:
        line = app.query_one(ProgressLine)
        line.set_percent(0)
        line.set_tally(TALLY)
        line.set_conflicts(conflicts)
        await pilot.pause()
        return line.render().plain


async def test_80_columns_with_a_conflict_keep_the_tally_and_the_conflict():
    text = await shown(80, 1)
    assert len(text) <= 80
    assert text.endswith("⚠ 1 SPEC.md conflict · C  0f 2c 2d 14u")  # the name went first


async def test_narrower_still_the_notice_gets_short_and_nothing_is_cut():
    text = await shown(76, 2)
    assert len(text) <= 76
    assert text.endswith("⚠ 2 conflicts · C  0f 2c 2d 14u")


async def test_wide_lines_keep_the_long_forms():
    text = await shown(160, 2)
    assert "⚠ 2 SPEC.md conflicts · C" in text and TALLY in text and "photo-dater" in text
