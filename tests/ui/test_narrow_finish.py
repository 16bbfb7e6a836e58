"""At 80x24 the Done view leaves room for the pane below it (found in tmux: after the finish,
`r` showed the runner's phase strip and status line, and no log at all, under a 16-row recap)."""

from __future__ import annotations

from .conftest import SMALL, make_app, settle
from .fake_engine import SINGLE


async def test_after_the_finish_the_runner_log_is_visible_at_80x24(project, store):
    app = make_app(project, store, [SINGLE])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("1", "enter")
        await settle(pilot)
        assert app.query_one("#finish").display
        await pilot.press("r")
        await settle(pilot)
        assert app.query_one("#runner-log").size.height >= 5
        assert app.query_one("#finish").size.height >= 5  # the recap still shows, and scrolls
