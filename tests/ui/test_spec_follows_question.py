"""The SPEC.md pane shows the section the validation pass asks about (found in tmux: through 27
validation steps about Workflows, Data, Security … the pane kept showing Vision & Goals)."""

from __future__ import annotations

from specui.core.interview.state import PendingQuestion
from specui.ui.widgets.spec_view import SpecView

from .conftest import LARGE, make_app, settle
from .fake_engine import FREE, SINGLE


def ask(store, unit: str, step: int) -> None:
    def update(s):
        s.interview.current = PendingQuestion(
            question=FREE, round=step, dimension=unit, kind="validation", phase="validation"
        )

    store.update(update)


async def test_a_validation_question_selects_its_section(project, store):
    app = make_app(project, store, [SINGLE])
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        view = app.query_one(SpecView)
        assert view.selected == "vision"
        ask(store, "workflows", 1)
        await settle(pilot)
        assert view.selected == "workflows"
        assert "Workflows" in str(app.query_one("#section-title").render())


async def test_the_users_own_selection_stands_until_the_next_question(project, store):
    app = make_app(project, store, [SINGLE])
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        view = app.query_one(SpecView)
        ask(store, "workflows", 1)
        await settle(pilot)
        await pilot.press("escape", "s", "down")  # the user looks at States & Transitions
        await settle(pilot)
        assert view.selected == "states"
        store.update(lambda s: setattr(s.interview, "notice", "a store change, same question"))
        await settle(pilot)
        assert view.selected == "states"
        await pilot.press("i")
        ask(store, "data", 2)
        await settle(pilot)
        assert view.selected == "data"
