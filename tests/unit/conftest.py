"""Fixtures shared by the unit tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def resolutions(monkeypatch) -> list[list[str]]:
    """Every resolution of the runner command, recorded (the real one still decides): one
    launch resolves its command once, since a second resolution could disagree with the first
    (PATH changed in between) after the run was claimed."""
    from specui.runner import manager

    calls: list[list[str]] = []
    real = manager.resolve_executable

    def counting(argv: list[str], cwd: Path) -> list[str]:
        calls.append(list(argv))
        return real(argv, cwd)

    monkeypatch.setattr(manager, "resolve_executable", counting)
    return calls
