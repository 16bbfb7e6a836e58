"""A session.json that cannot be saved mid-interview is said at once, not only at the next
start: the interview goes on in memory and SPEC.md gets the answers, so without a word a reopen
rewinds to the last saved round while SPEC.md already holds the later ones."""

from __future__ import annotations

from specui import store as store_module

from .conftest import SMALL, make_app, settle
from .fake_engine import MULTI, SINGLE


async def test_a_save_that_fails_mid_interview_is_one_error_toast(project, store, monkeypatch):
    app = make_app(project, store, [SINGLE, MULTI])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert not [n for n in app._notifications if "could not save" in str(n.message)]

        def refuse(path, text, **_kwargs):
            raise PermissionError(1, "Operation not permitted", str(path))

        monkeypatch.setattr(store_module, "atomic_write_text", refuse)
        await pilot.press("enter")  # answers SINGLE with its recommended option
        await settle(pilot)
        shown = [n for n in app._notifications if "could not save" in str(n.message)]
        assert len(shown) == 1 and shown[0].severity == "error"
        assert "could not save .specui/session.json: Operation not permitted" in str(
            shown[0].message)
        assert "quitting before a save loses them" in str(shown[0].message)
        await pilot.press("1", "enter")  # the next save fails the same way: said once
        await settle(pilot)
        assert len([n for n in app._notifications if "could not save" in str(n.message)]) == 1
