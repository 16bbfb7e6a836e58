"""Keys typed faster than the workbench handles them keep their order (found in tmux: `2⏎`
sent as one write ticked option 2 but never submitted it)."""

from __future__ import annotations

from textual import events

from .conftest import LARGE, SMALL, make_app, settle
from .fake_engine import FREE, MULTI, SINGLE


def type_ahead(app, *keys: str) -> None:
    """Queue the keys at once, as a terminal delivers a burst (Pilot.press waits after each)."""
    for key in keys:
        app.post_message(events.Key(key, "\r" if key == "enter" else key))


async def test_digit_then_enter_in_one_burst_ticks_then_submits(project, store):
    app = make_app(project, store, [MULTI, SINGLE])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert app.focused.id == "choices"
        type_ahead(app, "2", "enter")
        await settle(pilot)
        assert [a.selected_values for a in app.engine.answers] == [["no-gui"]]


async def test_burst_from_another_pane_also_keeps_order(project, store):
    app = make_app(project, store, [MULTI, SINGLE])
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert app.focused.id == "units"
        type_ahead(app, "1", "3", "enter")
        await settle(pilot)
        assert [a.selected_values for a in app.engine.answers] == [["no-sync", "no-plugins"]]


async def test_digits_in_the_other_input_stay_text(project, store):
    app = make_app(project, store, [SINGLE])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("4")  # Other
        await settle(pilot)
        type_ahead(app, "1", "2", "3")
        await settle(pilot)
        assert app.query_one("#other-input").value == "123" and not app.engine.answers


# --------------------------------------------------------------- a question from outside
# Found in tmux: typing the overview when an agent's `specui question` arrived, the rest of the
# sentence (" keeps 2 logs⏎") answered the agent's "Delete the build folder?" with option 2.


async def _question_arrives(pilot, project, payload, typing: str = ""):
    """Post a question; until it opens, type `typing` (cycled) at about ten keys a second."""
    import time as _time

    from specui import bridge
    from specui.core.questions import normalize_question_input
    from specui.ui.screens.bridge_question import BridgeQuestionScreen

    request = bridge.post_request(project, normalize_question_input(payload))
    deadline = _time.monotonic() + 8
    n = 0
    while not isinstance(pilot.app.screen, BridgeQuestionScreen):
        assert _time.monotonic() < deadline, "the question did not open"
        if typing:
            await pilot.press(typing[n % len(typing)])
            n += 1
        await pilot.pause(0.1)
    return request


DELETE = {"question": "Delete the build folder?", "type": "single-select", "options": ["Yes", "No"]}


async def test_typing_on_when_a_question_arrives_answers_nothing(project, store, monkeypatch):
    import asyncio

    from specui import bridge
    from specui.ui.screens import bridge_question

    # A hold long enough that a starved event loop on a loaded machine (a key press taking
    # most of a second) still counts as "typing on": the rule is tested, not the 0.8 s.
    hold = 2.5
    monkeypatch.setattr(bridge_question, "HOLD_SECONDS", hold)
    app = make_app(project, store, [FREE, SINGLE], watch=True)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        request = await _question_arrives(pilot, project, DELETE, typing="A tool that ")
        screen = app.screen
        assert screen.held and screen.query_one("#bridge-hold").display
        for key in [*" keeps 2 logs", "enter"]:  # still typing, not looking yet
            await pilot.press(key)
            await asyncio.sleep(0.05)
        assert app.screen is screen and not bridge.answer_path(project, request.id).exists()
        await asyncio.sleep(hold + 0.5)  # the user stops, reads the question
        await pilot.pause()
        assert not screen.held and app.focused.id == "choices"
        await pilot.press("2", "enter")
        deadline = asyncio.get_running_loop().time() + 8
        while not bridge.answer_path(project, request.id).exists():
            assert asyncio.get_running_loop().time() < deadline
            await pilot.pause(0.05)
        assert '"No"' in bridge.answer_path(project, request.id).read_text()


async def test_a_question_arriving_after_a_pause_takes_keys_at_once(project, store):
    import asyncio

    app = make_app(project, store, [FREE, SINGLE], watch=True)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await asyncio.sleep(1.0)
        await _question_arrives(pilot, project, DELETE)
        await pilot.pause()
        assert not app.screen.held and app.focused.id == "choices"


async def test_no_pick_key_in_the_footer_once_the_interview_has_ended(project, store):
    # Found in tmux: a finished interview's footer still offered "1-9 Pick".
    app = make_app(project, store, [SINGLE])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("1", "enter")
        await settle(pilot)
    assert store.state.interview.status == "crystallized"
    reopened = make_app(project, store, [SINGLE])
    async with reopened.run_test(size=SMALL) as pilot:
        await settle(pilot)
        shown = [b.binding.description for b in reopened.active_bindings.values() if b.enabled]
        assert "Pick" not in shown
