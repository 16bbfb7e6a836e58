"""The workbench sends its answer with the key of the question on screen: when another
specui's state (the next question) lands between Enter and the answer worker, the answer is
refused, the hint says so, and the new question is not answered with it (trial G30)."""

from __future__ import annotations

from specui.core.config import SpecuiConfig
from specui.core.questions import Question
from specui.interview.driver import InterviewDriver
from specui.store import SessionStore
from specui.ui.app import SpecuiApp

from .conftest import LARGE, settle
from .test_interview import OVERVIEW, _Scripted

MOVED_ON = Question.model_validate(
    {
        "question": "Which of these are out of scope?",
        "options": [{"label": "A GUI", "value": "gui"}, {"label": "Sync", "value": "sync"}],
    }
)


class _Raced(InterviewDriver):
    """The watcher loads another specui's state just before this answer runs: that specui
    answered the overview and its next question is pending."""

    def answer(self, answer, **kw):
        def moved(s) -> None:
            s.interview.current = s.interview.current.model_copy(
                update={"round": 2, "kind": "ordinary", "question": MOVED_ON}
            )

        self.store.update(moved)
        return super().answer(answer, **kw)


async def test_an_answer_overtaken_by_another_specui_is_refused(project):
    store = SessionStore.open(project)
    driver = _Raced(project, store, SpecuiConfig(), engine=_Scripted())  # type: ignore[arg-type]
    app = SpecuiApp(
        project, store=store, config=SpecuiConfig(), engine=driver, watch=False, blink=False
    )
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        assert store.state.interview.current.round == 1
        spec = project.spec.read_bytes()
        app.query_one("#free-text").text = OVERVIEW
        await pilot.press("ctrl+s")
        await settle(pilot)
        iv = store.state.interview
        assert iv.rounds == []  # the overview answer was not taken for the other question
        assert iv.current.question == MOVED_ON and iv.current.round == 2
        assert project.spec.read_bytes() == spec
        hint = str(app.query_one("#picker-hint").render())
        assert "The question changed before your answer was sent" in hint
