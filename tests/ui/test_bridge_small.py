"""An agent's long question with many options at 80x24: the option list and its hint stay inside
the dialog (found in tmux: options 9-12 and the "↑↓ move · Space/1-9 toggle" hint were cut off
at the dialog's bottom edge, and ↓ moved the highlight out of sight)."""

from __future__ import annotations

from specui.core.paths import Project

from .conftest import SMALL, make_app, settle
from .test_bridge_ui import ask

LONG = {
    "question": "Which of these deployment targets must v1 support? "
    + "Consider carefully the cost and the maintenance burden of each option. " * 4,
    "type": "multi-select",
    "header": "Deploy",
    "objective": "ship",
    "options": [
        {"label": f"Target {i}", "description": "A fairly long description of this target "
         "that wraps"} for i in range(1, 12)
    ],
}


async def test_the_whole_option_list_and_its_hint_fit_at_80x24(project: Project, store) -> None:
    app = make_app(project, store, watch=True)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await ask(pilot, project, LONG)
        await pilot.pause(1.0)  # past the typing hold
        for _ in range(11):
            await pilot.press("down")
        await pilot.pause()
        screen = app.screen
        inside = screen.query_one("#bridge-dialog").content_region
        choices = screen.query_one("#choices")
        hint = screen.query_one("#picker-hint")
        assert choices.region.bottom <= inside.bottom
        assert hint.region.y >= inside.y and hint.region.bottom <= inside.bottom
        assert choices.highlighted == 11  # "Other", the last entry, selected and on screen
        assert choices.scroll_offset.y > 0


async def test_the_other_input_and_the_hint_fit_too(project: Project, store) -> None:
    app = make_app(project, store, watch=True)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await ask(pilot, project, LONG)
        await pilot.pause(1.0)
        for _ in range(11):
            await pilot.press("down")
        await pilot.press("space")  # tick "Other": its input opens under the list
        await pilot.pause()
        await pilot.pause()
        screen = app.screen
        inside = screen.query_one("#bridge-dialog").content_region
        other = screen.query_one("#other-input")
        hint = screen.query_one("#picker-hint")
        assert other.display and app.focused is other
        assert other.region.bottom <= inside.bottom
        assert hint.region.bottom <= inside.bottom
