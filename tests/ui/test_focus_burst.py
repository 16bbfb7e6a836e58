"""Keys typed in one burst after a key that moves the focus go where it moved: `s ↓` selects
the next SPEC.md section (Widget.focus moved the focus only after the queued ↓, which then
moved the answer's highlight instead)."""

from __future__ import annotations

from textual import events

from .conftest import make_app, settle
from .fake_engine import SINGLE

WIDE = (160, 48)


def burst(app, *keys: str) -> None:
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


async def test_s_then_down_in_one_burst_moves_the_spec_selection(project, store):
    app = make_app(project, store, [SINGLE])
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        spec = app.screen.panes["spec"]
        first = spec.selected
        highlighted = app.query_one("#choices").highlighted
        burst(app, "s", "down")
        await settle(pilot)
        assert app.focused.id == "units"
        assert spec.selected != first  # the ↓ reached the section list
        assert app.query_one("#choices").highlighted == highlighted

