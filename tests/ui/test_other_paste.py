"""A paragraph pasted into the Other input is kept whole (its lines joined), not cut to its
first line."""

from __future__ import annotations

from textual import events

from .conftest import SMALL, make_app, settle
from .fake_engine import SINGLE


async def test_a_multi_line_paste_into_other_keeps_every_line(project, store):
    app = make_app(project, store, [SINGLE, SINGLE])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("4")  # Other
        await settle(pilot)
        other = app.query_one("#other-input")
        assert app.focused is other
        other.post_message(events.Paste("Exports go to CSV.\n\n  Also to JSON lines.\n"))
        await settle(pilot)
        assert other.value == "Exports go to CSV. Also to JSON lines."
        await pilot.press("enter")
        await settle(pilot)
        assert [a.other_text for a in app.engine.answers] == [
            "Exports go to CSV. Also to JSON lines."
        ]
