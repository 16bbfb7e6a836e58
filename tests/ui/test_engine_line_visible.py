"""The engine line (thinking with elapsed time and activity, or a failed round's error with its
`r` / `o` keys) stays on screen when the question above it is longer than the question pane.

Found in tmux at 80x24 with the Codex engine: the first question (the overview, 8 rows there)
filled the pane, so after Ctrl+S nothing said codex was thinking, and after a timeout the footer
offered "r Retry · o Offline" for an error that was scrolled out of sight.
"""

from __future__ import annotations

from specui.core.config import SpecuiConfig
from specui.interview.driver import InterviewDriver
from specui.store import SessionStore
from specui.ui.app import SpecuiApp

from .conftest import SMALL, settle
from .fake_engine import HeldEngine

OVERVIEW = "A CLI that turns Markdown notes into a static site for my team's wiki."


def _app(project):
    store = SessionStore.open(project)
    engine = HeldEngine(store.state.interview.engine_session.model_copy())
    driver = InterviewDriver(project, store, SpecuiConfig(), engine=engine)
    app = SpecuiApp(
        project, store=store, config=SpecuiConfig(), engine=driver, watch=False, blink=False
    )
    return app, store, engine


def _screen(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def _submit_overview(app, store, pilot, status: str) -> None:
    app.query_one("#free-text").text = OVERVIEW
    await pilot.press("ctrl+s")
    for _ in range(250):
        await pilot.pause(0.02)
        if store.state.interview.engine.status == status:
            break
    else:
        raise AssertionError(f"the round never reached {status!r}")
    app.workbench.apply_session()
    await pilot.pause()


async def test_thinking_line_is_on_screen_under_a_long_question_at_80x24(project):
    app, store, engine = _app(project)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        pane = app.query_one("#question")
        assert pane.virtual_size.height > pane.scrollable_content_region.height  # it overflows
        engine.go.clear()
        await _submit_overview(app, store, pilot, "thinking")
        shown = _screen(app)
        assert "held is thinking 0:0" in shown and "reading SPEC.md" in shown
        assert "Round 1 | Target: Intent" in shown  # the header stays on top
        engine.go.set()
        await settle(pilot)


async def test_a_failed_round_error_and_its_keys_are_on_screen_at_80x24(project):
    app, store, engine = _app(project)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        engine.fail = "codex gave no reply within 300 s (last from codex: Reconnecting...)"
        await _submit_overview(app, store, pilot, "error")
        await settle(pilot)
        shown = _screen(app)
        assert "codex gave no reply within 300 s" in shown
        assert "r retry · o switch to the offline engine" in shown
