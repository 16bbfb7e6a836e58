"""Refine further in the workbench: `e` in the Done view and `7` in the handoff list re-enter
an interview that ended at the hard cap; the next question takes the Done view's place and
the focus."""

from __future__ import annotations

import json

from specui.core.config import SpecuiConfig
from specui.core.questions import Answer
from specui.interview.driver import InterviewDriver
from specui.store import SessionStore
from specui.ui.app import SpecuiApp

from .conftest import LARGE, settle
from .test_interview import OVERVIEW, _Scripted


class _Capped(_Scripted):
    """test_interview's scripted agent, asking nothing at the hard cap (a `final` turn)."""

    def run_turn(self, request, **kw) -> str:
        data = json.loads(super().run_turn(request, **kw))
        if request.directive.kind == "final":
            data["question"] = None
        return json.dumps(data)


def _ended_app(project):
    """A quick interview answered to its hard cap (5 rounds) before the workbench opens."""
    store = SessionStore.open(project)
    engine = _Capped()
    driver = InterviewDriver(project, store, SpecuiConfig(), engine=engine, profile="quick")
    driver.start()
    for _ in range(6):
        if store.state.interview.current is None:
            break
        q = store.state.interview.current.question
        driver.answer(
            Answer(kind="text", value=OVERVIEW)
            if q.is_free_text
            else Answer(kind="option", value=q.options[0].value)
        )
    assert store.state.interview.end_reason == "hard_cap"
    app = SpecuiApp(
        project, store=store, config=SpecuiConfig(), engine=driver, watch=False, blink=False
    )
    return app, store, engine


def _footer(app) -> str:
    return " ".join(str(w.render()) for w in app.query("FooterKey"))


async def test_e_in_the_done_view_refines_further(project):
    app, store, engine = _ended_app(project)
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        assert app.query_one("#finish").display
        assert "e re-enters the interview" in str(app.query_one("#finish-body").render())
        assert "Refine further" in _footer(app)
        app.set_focus(app.query_one("#finish"))
        engine.go.clear()  # the agent takes a while: the Done view gives way to its round
        await pilot.press("e")
        for _ in range(100):
            await pilot.pause(0.02)
            if store.state.interview.engine.status == "thinking":
                break
        app.workbench.apply_session()
        assert not app.query_one("#finish").display
        assert "scripted is thinking" in str(app.query_one("#q-engine").render())
        engine.go.set()
        await settle(pilot)
        iv = store.state.interview
        assert iv.phase == "interview" and iv.current is not None and iv.current.round == 6
        assert not app.query_one("#finish").display and app.query_one("#picker").display
        header = str(app.query_one("#q-header").render())
        assert header.startswith("Round 6 | Target: ")
        assert app.focused is not None and app.focused.id == "choices"
        assert "Refine further" not in _footer(app)
        await pilot.press("e")  # no longer ended: says why, changes nothing
        await settle(pilot)
        assert len(store.state.interview.refinements) == 1


async def test_7_in_the_handoff_list_refines_further(project):
    app, store, _engine = _ended_app(project)
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        app.set_focus(app.query_one("#finish"))
        await pilot.press("r", "H")
        for _ in range(100):
            await pilot.pause(0.02)
            if type(app.screen).__name__ == "HandoffScreen":
                break
        assert type(app.screen).__name__ == "HandoffScreen"
        await pilot.press("7")
        await settle(pilot)
        iv = store.state.interview
        assert iv.phase == "interview" and iv.current is not None and iv.current.round == 6
        assert type(app.screen).__name__ == "WorkbenchScreen"
        assert str(app.query_one("#q-header").render()).startswith("Round 6 | Target: ")
