"""At 80x24 the Done view leaves room for the pane below it (found in tmux: after the finish,
`r` showed the runner's phase strip and status line, and no log at all, under a 16-row recap)."""

from __future__ import annotations

from .conftest import SMALL, make_app, settle
from .fake_engine import SINGLE


async def _finish_then_show_the_runner(app, pilot) -> None:
    await settle(pilot)
    await pilot.press("1", "enter")
    await settle(pilot)
    assert app.query_one("#finish").display
    await pilot.press("r")
    await settle(pilot)


async def test_after_the_finish_the_runner_log_is_visible_at_80x24(project, store):
    app = make_app(project, store, [SINGLE])
    async with app.run_test(size=SMALL) as pilot:
        await _finish_then_show_the_runner(app, pilot)
        assert app.query_one("#runner-log").size.height >= 5
        assert app.query_one("#finish").size.height >= 5  # the recap still shows, and scrolls


async def test_on_a_short_terminal_the_recap_yields_to_the_shown_runner(project, store):
    """trial6 K11: at 50x15 the 8-row recap left the runner only its rule, even after r."""
    app = make_app(project, store, [SINGLE])
    async with app.run_test(size=(50, 15)) as pilot:
        await _finish_then_show_the_runner(app, pilot)
        assert app.query_one("#runner").size.height >= 6
        assert app.query_one("#runner-log").size.height >= 1
        assert app.query_one("#runner-status").size.height >= 1
        assert app.query_one("#finish").size.height >= 1  # the recap is still there, scrolling
