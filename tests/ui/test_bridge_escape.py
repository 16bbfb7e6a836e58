"""Esc on an agent's question asks before it drops answers (found in tmux: a 3-question batch,
two answered, the third typed; `←` back to it, then Esc — which the text box's hint calls
"leaves the box" — cancelled the whole question and the agent got question_not_answered)."""

from __future__ import annotations

from specui import bridge
from specui.core.paths import Project
from specui.ui.screens.confirm import ConfirmScreen

from .conftest import SMALL, make_app, settle
from .test_bridge_ui import BATCH, SINGLE, ask, modal, until


async def test_escape_after_answers_asks_first_and_n_keeps_them(project: Project, store) -> None:
    app = make_app(project, store, watch=True)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        request = await ask(pilot, project, BATCH)
        await pilot.press("1", "enter")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "1 answer" in str(app.screen.query_one("#confirm-body").render())
        await pilot.press("n")
        await pilot.pause()
        screen = modal(app)
        assert screen is not None and screen.answers[0] is not None
        assert not bridge.cancel_path(project, request.id).exists()
        await pilot.press("escape", "y")
        assert await until(pilot, lambda: bridge.cancel_path(project, request.id).exists())
        assert modal(app) is None


async def test_escape_with_text_typed_asks_first(project: Project, store) -> None:
    app = make_app(project, store, watch=True)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        request = await ask(pilot, project, {"question": "Who are the users?"})
        await pilot.press(*"solo devs")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert modal(app) is not None
        assert app.screen.query_one("#free-text").text == "solo devs"
        assert not bridge.cancel_path(project, request.id).exists()


async def test_escape_with_nothing_given_cancels_at_once(project: Project, store) -> None:
    app = make_app(project, store, watch=True)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        request = await ask(pilot, project, SINGLE)
        await pilot.press("escape")
        assert await until(pilot, lambda: bridge.cancel_path(project, request.id).exists())
        assert modal(app) is None
