"""Toasts are plain text: a `[/]` in a config value or a corrupt session never crashes the app.

These run with notifications rendered (`run_test(notifications=True)`); Textual parses toast
messages as markup by default, which the rest of the suite (notifications off) would not see.
"""

from __future__ import annotations

import json

from textual.widgets._toast import Toast

from specui.store import SessionStore

from .conftest import SMALL, make_app, settle

HOSTILE = "[/] [bold]boom \x1b[2J\x1b]52;c;ZXZpbA==\x07"


async def test_hostile_toast_text_is_shown_literally(project):
    app = make_app(project)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await settle(pilot)
        app.notify(HOSTILE, title="[/]", severity="warning")
        pilot.app.query_one("#picker").notify(HOSTILE)  # widgets route through the app too
        await settle(pilot)
        toasts = list(app.screen.query(Toast)) + list(app.query(Toast))
        assert toasts, "the toasts were rendered"
        shown = " ".join(str(t.render()) for t in toasts)
        assert "[/] [bold]boom" in shown
        assert "\x1b" not in shown


async def test_corrupt_session_with_markup_key_is_set_aside_without_crash(project):
    project.state_dir.mkdir(parents=True, exist_ok=True)
    project.session.write_text(json.dumps({"[/]": "[bold]", "schema_version": "x"}))
    store = SessionStore.open(project)
    assert store.messages, "the unusable session was set aside with a message"
    app = make_app(project, store=store)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await settle(pilot)
        assert app.is_running
    assert list(project.state_dir.glob("session.json.bad-*"))
