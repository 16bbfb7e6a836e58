"""A question longer than its pane is read by keyboard (trial H19: an agent writing its
context first pushed the question itself below the pane's edge, and no key reached it)."""

from __future__ import annotations

from specui.core.questions import Question

from .conftest import SMALL, make_app, settle
from .fake_engine import SINGLE

CONTEXT = "The gateway validates tokens against keys cached from the IdP. " * 12
LONG = Question.model_validate({
    "question": CONTEXT + "END: in one sentence, what is this at its core?",
    "type": "single-answerable",
    "options": [{"label": "A key cache", "value": "cache"}, {"label": "A proxy", "value": "proxy"}],
})


async def test_q_focuses_a_long_question_and_the_keys_scroll_to_its_end(project, store):
    app = make_app(project, store, [LONG, SINGLE])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        pane = app.query_one("#question")
        assert pane.overflows() and pane.scroll_y == 0
        await pilot.press("escape")  # from the option list: letters are commands
        await pilot.press("q")
        await settle(pilot)
        assert app.focused is pane
        await pilot.press("end")
        await settle(pilot)
        assert pane.scroll_y == pane.max_scroll_y > 0
        await pilot.press("i")  # back to the answer
        await settle(pilot)
        assert app.focused.id == "choices"
        assert pane in app.screen.focus_chain  # Tab reaches it too, while it overflows


async def test_a_question_that_fits_is_not_a_stop(project, store):
    app = make_app(project, store, [SINGLE])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        pane = app.query_one("#question")
        assert not pane.overflows() and pane not in app.screen.focus_chain
        await pilot.press("q")
        await settle(pilot)
        assert app.focused is not pane
        assert any("whole question is on screen" in str(n.message) for n in app._notifications)
