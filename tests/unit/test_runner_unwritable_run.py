"""A run whose files cannot be written (found in tmux with `chattr +i orchestrator`): `specui
run plan` ended in a PermissionError traceback, the workbench toasted `start failed:
PermissionError: [Errno 1] Operation not permitted: '/abs/…/plan-….md'`, and the run's folder
under .specui/runs stayed behind. Now one line naming the file from the project root, the claim
and the folder taken back, both start paths."""

from __future__ import annotations

from pathlib import Path

import pytest
import supervised

from specui.core.errors import SpecuiError
from specui.runner import manager as manager_module
from specui.runner.manager import PhaseManager


def handed_off(tmp_path: Path) -> PhaseManager:
    return supervised.handed_off(tmp_path, phases=("constitution", "specify", "plan"))


@pytest.fixture
def refused_checkpoint(monkeypatch):
    """orchestrator/ refuses writes (as `chattr +i orchestrator` does for root too)."""
    def refuse(project, phase):
        path = project.orchestrator / "checkpoint"
        raise PermissionError(1, "Operation not permitted", str(path))

    monkeypatch.setattr(manager_module, "write_checkpoint", refuse)


def test_a_detached_start_that_cannot_write_says_so_in_one_line(tmp_path, refused_checkpoint):
    manager = handed_off(tmp_path)
    with pytest.raises(SpecuiError) as caught:
        manager.start("constitution")
    assert caught.value.message == (
        "cannot prepare the constitution run: orchestrator/checkpoint: Operation not permitted")
    assert manager.store.state.runs == []
    assert list(manager.project.runs_dir.iterdir()) == []


def test_a_foreground_start_that_cannot_write_says_so_in_one_line(tmp_path, refused_checkpoint):
    manager = handed_off(tmp_path)
    prepared = manager.prepare("constitution")
    with pytest.raises(SpecuiError) as caught:
        manager.run_foreground(prepared)
    assert "orchestrator/checkpoint: Operation not permitted" in caught.value.message
    assert caught.value.exit_code == 1
    assert manager.store.state.runs == []
    assert list(manager.project.runs_dir.iterdir()) == []
