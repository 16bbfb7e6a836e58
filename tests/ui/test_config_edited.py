"""specui.toml edited while the workbench is open (trial4 J16): the runner and the engine keep
the settings they started with, so the workbench says which tables changed and that a restart
applies them; a broken file is named; the theme, saved by the workbench itself, says nothing."""

from __future__ import annotations

import os
import time

from .conftest import SMALL, make_app, settle
from .fake_engine import SINGLE


def _save(project, text: str) -> None:
    tmp = project.root / ".specui.toml.swp"  # an editor-style save: temp file, then rename
    tmp.write_text(text)
    os.replace(tmp, project.config)


async def _said(pilot, app, fragment: str, timeout: float = 3.0) -> bool:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if any(fragment in str(n.message) for n in app._notifications):
            return True
        await pilot.pause(0.05)
    return False


async def test_an_edited_runner_table_asks_for_a_restart(project, store):
    app = make_app(project, store, [SINGLE], watch=True)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert app.file_watch is not None and app.file_watch.watcher.ready.wait(2)
        _save(project, '[ui]\ntheme = "specui-light"\n')  # the theme alone: nothing to say
        await pilot.pause(0.5)
        assert not await _said(pilot, app, "specui.toml", timeout=0.3)
        _save(project, "[runner]\nstall_minutes = 3\n")
        assert await _said(pilot, app, "specui.toml changed [runner]: restart specui to use it")
        _save(project, "[runner\n")
        assert await _said(pilot, app, "this workbench keeps the settings it started with")


async def test_the_edited_file_is_read_off_the_event_loop(project, store, monkeypatch):
    import threading

    from specui.core import config as config_module

    on_loop: list[bool] = []
    real = config_module.load_config

    def recording(*args, **kwargs):
        on_loop.append(threading.current_thread() is threading.main_thread())
        return real(*args, **kwargs)

    app = make_app(project, store, [SINGLE], watch=True)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert app.file_watch is not None and app.file_watch.watcher.ready.wait(2)
        monkeypatch.setattr(config_module, "load_config", recording)
        _save(project, "[runner]\nstall_minutes = 3\n")
        assert await _said(pilot, app, "specui.toml changed [runner]: restart specui to use it")
        assert on_loop and not any(on_loop)
