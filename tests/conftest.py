"""Test-wide isolation: no test reads or writes the developer's real home or config."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """Point HOME and XDG dirs at a throwaway folder so `~/.omx/config.toml` etc. never leak in."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.delenv("TMUX", raising=False)
    monkeypatch.delenv("SPECUI_THEME", raising=False)
    yield home
