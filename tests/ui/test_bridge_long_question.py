"""An agent's question longer than the dialog's question area (context first, the question at
the end) can be read with the keyboard: q takes the focus to it (so does Tab), ↓ / PgDn / End
scroll it, i goes back to the options (found in tmux at 80x24 in trial4: the question's last
sentence was below the area's edge and no key reached it; H19 of trial3, in the agent's dialog)."""

from __future__ import annotations

from specui.core.paths import Project

from .conftest import SMALL, make_app, settle
from .test_bridge_ui import ask

LONG = {
    "question": "Context first. " + "The gateway validates tokens against cached keys. " * 14
    + "END: which cache policy?",
    "options": [{"label": "Memory", "value": "m"}, {"label": "Disk", "value": "d"}],
}


async def test_q_reads_the_rest_of_a_long_question_and_i_returns(project: Project, store) -> None:
    app = make_app(project, store, watch=True)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await ask(pilot, project, LONG)
        await pilot.pause(1.0)  # past the typing hold
        screen = app.screen
        area = screen.query_one("#bridge-text-scroll")
        assert area.max_scroll_y > 0  # the question does not fit (else this proves nothing)
        await pilot.press("q")
        await pilot.pause()
        assert app.focused is area
        await pilot.press("end")
        await pilot.pause()
        assert area.scroll_offset.y == area.max_scroll_y
        await pilot.press("i")
        await pilot.pause()
        assert app.focused is screen.query_one("#choices")
        await pilot.press("2", "enter")  # the answer still works from there
        await pilot.pause()
        assert app.screen is not screen


async def test_a_short_question_takes_no_focus(project: Project, store) -> None:
    app = make_app(project, store, watch=True)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await ask(pilot, project, {"question": "Short?", "options": [{"label": "Yes"}]})
        await pilot.pause(1.0)
        area = app.screen.query_one("#bridge-text-scroll")
        assert area.max_scroll_y == 0 and not area.allow_focus()


async def test_a_digit_while_reading_picks_and_returns_to_the_options(project: Project, store):
    app = make_app(project, store, watch=True)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await ask(pilot, project, LONG)
        await pilot.pause(1.0)
        screen = app.screen
        await pilot.press("q", "end", "2")
        await pilot.pause()
        choices = screen.query_one("#choices")
        assert app.focused is choices and choices.highlighted == 1
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is not screen
