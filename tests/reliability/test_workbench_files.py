"""The workbench on a project whose SPEC.md cannot be used (issue 9: C2, U1).

Reported: a symlink loop showed "internal error in engine.start"; a broken symlink left the
workbench on "Starting the interview…" with an AssertionError. Now the question pane names the
problem in one line, nothing is written outside the project, and the app keeps running.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from specui.core.paths import Project
from specui.ui.app import SpecuiApp

pytestmark = pytest.mark.reliability


@pytest.mark.parametrize(
    ("kind", "fragment"),
    [
        ("loop", "symlink loop"),
        ("outside", "outside the project"),
        ("fifo", "not a regular file"),
    ],
)
async def test_interview_that_cannot_start_says_why(tmp_path: Path, kind: str, fragment: str):
    root = tmp_path / "proj"
    root.mkdir()
    outside = tmp_path / "elsewhere" / "SPEC.md"
    if kind == "loop":
        (root / "SPEC.md").symlink_to("SPEC.md")
    elif kind == "outside":
        (root / "SPEC.md").symlink_to(outside)
    else:
        os.mkfifo(root / "SPEC.md")
    app = SpecuiApp(Project.at(root), watch=False, blink=False)
    async with app.run_test(size=(120, 36)) as pilot:
        deadline = time.monotonic() + 20
        shown = ""
        while fragment not in shown:
            assert time.monotonic() < deadline, f"question pane still shows {shown!r}"
            await pilot.pause(0.05)
            if app.query("#q-text"):
                shown = str(app.query_one("#q-text").render())
        assert "internal error" not in shown and "\n" not in shown.strip()
        assert app.is_running
    assert not outside.parent.exists()  # nothing was created out of the project


async def test_hostile_session_is_set_aside_and_the_interview_starts(tmp_path: Path, monkeypatch):
    """D2/C5 in the workbench: the 100,000-deep session.json is moved aside (said once), a
    fresh interview starts, and the set-aside file is never overwritten."""
    root = tmp_path / "proj"
    (root / ".specui").mkdir(parents=True)
    hostile = "[" * 100_000 + "]" * 100_000
    (root / ".specui" / "session.json").write_text(hostile)
    said: list[str] = []
    real_notify = SpecuiApp.notify

    def notify(self, message, *args, **kwargs):
        said.append(str(message))
        return real_notify(self, message, *args, **kwargs)

    monkeypatch.setattr(SpecuiApp, "notify", notify)
    app = SpecuiApp(Project.at(root), watch=False, blink=False)
    async with app.run_test(size=(120, 36)) as pilot:
        deadline = time.monotonic() + 20
        while app.store is None or app.store.state.interview.current is None:
            assert time.monotonic() < deadline, "the interview never started"
            await pilot.pause(0.05)
    aside = list((root / ".specui").glob("session.json.bad-*"))
    assert len(aside) == 1 and aside[0].read_text() == hostile
    assert sum("set aside" in s for s in said) == 1
