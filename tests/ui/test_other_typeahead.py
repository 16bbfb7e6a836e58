"""Text typed into the Other input and Enter in one burst submit the whole text (found in tmux:
"The export format must be CommonMark tables, not HTML." + Enter, sent as one write, recorded
"The export format must be C": the priority Enter ran before the queued letters reached the
input)."""

from __future__ import annotations

from textual import events

from .conftest import SMALL, make_app, settle
from .fake_engine import SINGLE


def burst(app, text: str) -> None:
    """`text` then Enter, queued at once as a terminal delivers a pasted line and Enter."""
    for char in text:
        app.post_message(events.Key("space" if char == " " else char, char))
    app.post_message(events.Key("enter", "\r"))


async def test_other_text_then_enter_in_one_burst_is_submitted_whole(project, store):
    app = make_app(project, store, [SINGLE, SINGLE])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("4")  # Other
        await settle(pilot)
        assert app.focused.id == "other-input"
        burst(app, "CommonMark tables not HTML")
        await settle(pilot)
        assert [a.other_text for a in app.engine.answers] == ["CommonMark tables not HTML"]
