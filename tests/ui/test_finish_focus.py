"""The Done view takes the focus when the interview ends under the answer entry (trial G6: the
focus stayed on the hidden option list, so PgDn / End never reached the recap's next step)."""

from __future__ import annotations

from .conftest import MEDIUM, make_app, settle
from .fake_engine import SINGLE


async def test_the_done_view_has_the_focus_after_the_last_answer(project, store):
    app = make_app(project, store, [SINGLE])
    async with app.run_test(size=MEDIUM) as pilot:
        await settle(pilot)
        assert app.focused.id == "choices"
        await pilot.press("1", "enter")
        await settle(pilot)
        assert store.state.interview.status == "crystallized"
        finish = app.query_one("#finish")
        assert app.focused is finish
        await pilot.press("end")
        await pilot.pause()
        assert finish.scroll_y == finish.max_scroll_y > 0


async def test_a_pane_the_user_went_to_keeps_the_focus(project, store):
    app = make_app(project, store, [SINGLE])
    async with app.run_test(size=MEDIUM) as pilot:
        await settle(pilot)
        await pilot.press("s")  # reading SPEC.md when the interview ends
        await settle(pilot)
        app.query_one("#picker").submit()
        await settle(pilot)
        assert store.state.interview.status == "crystallized"
        assert app.focused.id == "units"


async def test_crystallizing_into_the_validation_pass_is_not_the_finish(project, store):
    # The driver commits "crystallized, validation pass next" and then asks its first
    # question: in between, the Done view flashed and took the focus, which it then handed to
    # the next pane (Ctrl+S and the digits no longer reached the answer).
    from specui.core.interview.state import PendingQuestion

    from .fake_engine import FREE

    app = make_app(project, store, [SINGLE])
    async with app.run_test(size=MEDIUM) as pilot:
        await settle(pilot)

        def crystallized(s):
            s.interview.status, s.interview.phase, s.interview.current = (
                "crystallized", "validation", None)

        store.update(crystallized)
        await settle(pilot)
        assert not app.query_one("#finish").display
        store.update(lambda s: setattr(s.interview, "current", PendingQuestion(
            question=FREE, round=1, dimension="scope", phase="validation", kind="validation")))
        await settle(pilot)
        assert app.focused.id == "free-text"
