"""A round recorded as running by a specui that has exited: Esc has nothing to cancel and says
so, and the footer does not offer it (it said "Cancelling the round…" and nothing happened)."""

from __future__ import annotations

import subprocess
import sys

from specui.core.interview.state import EngineState
from specui.runner.procid import identify

from .conftest import SMALL, make_app, settle
from .fake_engine import SINGLE


def _exited_owner() -> EngineState:
    """A round recorded as running by a process that has exited since."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    ident = identify(gone.pid)
    gone.wait()
    return EngineState(status="thinking", name="codex", owner_pid=gone.pid,
                       owner_start=ident.start_time if ident else None,
                       owner_boot=ident.boot_id if ident else None)


async def test_esc_on_a_round_whose_specui_exited(project, store):
    app = make_app(project, store, [SINGLE])
    engine = _exited_owner()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        store.update(lambda s: setattr(s.interview, "engine", engine))
        await settle(pilot)
        assert app.screen.footer_shows("cancel_round") is False
        app.set_focus(None)
        await pilot.press("escape")
        await pilot.pause()
        said = [str(n.message) for n in app._notifications]
        assert any("nothing to cancel" in m for m in said), said
        assert not any("Cancelling" in m for m in said)
