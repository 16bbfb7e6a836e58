"""Esc in the SPEC.md section text goes back to the list of sections (found in tmux: after
Enter on a section, Esc left the focus in the text, so ↓ scrolled it instead of moving on)."""

from __future__ import annotations

from .conftest import LARGE, make_app, settle
from .fake_engine import SINGLE


async def test_escape_in_the_section_text_returns_to_the_list(project, store):
    app = make_app(project, store, [SINGLE])
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        await pilot.press("escape", "s", "down")
        app.query_one("#section-body").focus()  # as Enter on a section does with no question open
        await settle(pilot)
        assert app.focused.id == "section-body"
        await pilot.press("escape")
        await settle(pilot)
        assert app.focused.id == "units"
        await pilot.press("down")
        await settle(pilot)
        assert app.query_one("#spec").selected == "personas"
