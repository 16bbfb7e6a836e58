"""A closed terminal (SIGHUP) or `kill` (SIGTERM) quits like Ctrl+Q: the engine's round ends
and the draft is saved (trial H8: the default action ended the process with codex left running
and the draft lost)."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from specui.store import SessionStore

from .conftest import SMALL, make_app, settle
from .fake_engine import FREE, SINGLE


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGTERM])
async def test_a_quit_signal_runs_the_normal_quit(project, store, sig):
    app = make_app(project, store, [FREE, SINGLE])
    shut = []
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        app.engine.shutdown = lambda: shut.append(True)
        await pilot.press(*"half an answer")
        os.kill(os.getpid(), sig)
        for _ in range(100):
            await asyncio.sleep(0.02)
            if app._exit:
                break
    assert shut == [True]
    assert SessionStore.open(project).state.interview.draft.text == "half an answer"
    # The handlers went with the app: this process's signals are its own again.
    assert sig not in asyncio.get_running_loop()._signal_handlers


async def test_text_typed_in_the_same_burst_as_ctrl_q_is_kept(project, store):
    """A paste followed at once by Ctrl+Q (one read from the terminal): the keys reach the box
    before the quit, but the box's change messages would not reach the draft any more."""
    from textual import events

    app = make_app(project, store, [FREE, SINGLE])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        for char in "typed then quit":
            app.post_message(events.Key(char if char != " " else "space", char))
        app.post_message(events.Key("ctrl+q", None))
        for _ in range(100):
            await asyncio.sleep(0.02)
            if app._exit:
                break
    assert SessionStore.open(project).state.interview.draft.text == "typed then quit"
