"""Fixtures for the workbench tests: a project in a fixed-name temp folder, a store, an app with
a scripted engine, frozen cursor blink, no file watcher unless a test asks for one.

Determinism: HOME/XDG are isolated by tests/conftest.py (no user config or theme discovery);
the project folder is always called `todo-cli` (its name is on screen); the theme is pinned.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from specui.core.config import SpecuiConfig, UIConfig
from specui.core.paths import Project
from specui.store import SessionStore

from .fake_engine import FREE, MARKUP, MULTI, SINGLE, FakeInterviewer

SMALL = (80, 24)
MEDIUM = (120, 36)
LARGE = (160, 48)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    root = tmp_path / "todo-cli"
    root.mkdir()
    return Project.at(root)


@pytest.fixture
def store(project: Project) -> SessionStore:
    return SessionStore.open(project)


def make_app(
    project: Project,
    store: SessionStore | None = None,
    questions=None,
    *,
    theme: str = "specui-dark",
    watch: bool = False,
    engine=None,
    note: str = "",
):
    from specui.ui.app import SpecuiApp

    store = store or SessionStore.open(project)
    if engine is None:
        engine = FakeInterviewer(
            project, store, list(questions or [SINGLE, MULTI, FREE, SINGLE, MARKUP]), note=note
        )
    config = SpecuiConfig(ui=UIConfig(theme=theme))
    return SpecuiApp(project, store=store, config=config, engine=engine, watch=watch, blink=False)


async def palette_pick(pilot, typed: str, timeout: float = 10.0) -> None:
    """Ctrl+P, type, and Enter once the palette's search has put the command named `typed`
    under the cursor: the search runs in the background, and on a loaded machine a fixed
    pause ended before its hits came (Enter then picked nothing, or the first partial hit)."""
    import time

    from textual.command import CommandList, CommandPalette

    await pilot.press("ctrl+p")
    start = time.perf_counter()
    while not isinstance(pilot.app.screen, CommandPalette):
        assert time.perf_counter() - start < timeout, "the command palette did not open"
        await pilot.pause(0.02)
    await pilot.press(*typed)

    def highlighted() -> str:
        listing = pilot.app.screen.query(CommandList)
        if not listing or listing.first().highlighted is None:
            return ""
        return str(listing.first().get_option_at_index(listing.first().highlighted).prompt)

    start = time.perf_counter()
    while typed not in highlighted():
        assert time.perf_counter() - start < timeout, f"{typed!r} never under the cursor"
        await pilot.pause(0.02)
    await pilot.press("enter")


async def settle(pilot, rounds: int = 3) -> None:
    """Let thread workers finish and the messages they posted be handled, and the runner pane
    (mounted just after the first frame, filled by its first refresh) show its first view."""
    for _ in range(rounds):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    for _ in range(200):
        panes = pilot.app.query("RunnerPane")
        if panes and panes.first().runner_view is not None:
            break
        await pilot.pause(0.01)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
