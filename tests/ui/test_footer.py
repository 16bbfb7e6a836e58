"""The footer is rebuilt only when the keys it shows change (a rebuild restyles and lays out
every key, and an agent round sends many binding signals that change nothing shown)."""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from .conftest import LARGE, make_app, settle
from .fake_engine import FREE, MULTI, SINGLE


def _keys(app):
    return list(app.screen.query(FooterKey))


async def test_a_binding_signal_that_changes_no_shown_key_keeps_the_footer(project, store):
    app = make_app(project, store, [SINGLE, MULTI])
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        before = _keys(app)
        assert before
        for _ in range(5):
            app.screen.refresh_bindings()
            await pilot.pause()
        await settle(pilot)
        assert _keys(app) == before  # the very same widgets: nothing rebuilt


async def test_keys_that_change_rebuild_the_footer(project, store):
    app = make_app(project, store, [FREE, SINGLE])
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        assert "Submit" in {k.description for k in _keys(app)}  # ^s, for the free text
        app.query_one("#free-text").text = "A todo CLI."
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Submit" not in {k.description for k in _keys(app)}  # a list: Enter submits
