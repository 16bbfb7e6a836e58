"""Keys typed faster than the workbench handles them keep their order (found in tmux: `2⏎`
sent as one write ticked option 2 but never submitted it)."""

from __future__ import annotations

from textual import events

from .conftest import LARGE, SMALL, make_app, settle
from .fake_engine import MULTI, SINGLE


def type_ahead(app, *keys: str) -> None:
    """Queue the keys at once, as a terminal delivers a burst (Pilot.press waits after each)."""
    for key in keys:
        app.post_message(events.Key(key, "\r" if key == "enter" else key))


async def test_digit_then_enter_in_one_burst_ticks_then_submits(project, store):
    app = make_app(project, store, [MULTI, SINGLE])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert app.focused.id == "choices"
        type_ahead(app, "2", "enter")
        await settle(pilot)
        assert [a.selected_values for a in app.engine.answers] == [["no-gui"]]


async def test_burst_from_another_pane_also_keeps_order(project, store):
    app = make_app(project, store, [MULTI, SINGLE])
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert app.focused.id == "units"
        type_ahead(app, "1", "3", "enter")
        await settle(pilot)
        assert [a.selected_values for a in app.engine.answers] == [["no-sync", "no-plugins"]]


async def test_digits_in_the_other_input_stay_text(project, store):
    app = make_app(project, store, [SINGLE])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("4")  # Other
        await settle(pilot)
        type_ahead(app, "1", "2", "3")
        await settle(pilot)
        assert app.query_one("#other-input").value == "123" and not app.engine.answers
