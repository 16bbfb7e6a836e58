"""A run's claim that cannot be saved (found in tmux: `.specui` immutable, `specui run plan`):
the session store kept working in memory, as it should for an interview answer, so the run
started — plan, then auto_next's tasks and implement — while session.json never said a run was
running: a workbench or a second `specui run` could start another agent beside it (the claim
exists so two never run at once). The start is refused in one line; other updates still keep
working in memory."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from specui import store as store_module
from specui.core.config import RunnerConfig
from specui.core.errors import SpecuiError
from specui.core.paths import Project
from specui.runner.manager import PhaseManager
from specui.store import SessionStore


def handed_off(tmp_path: Path) -> PhaseManager:
    project = Project.at(tmp_path)
    path = project.legacy_prompt("constitution")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("Phase constitution: $ARGUMENTS\n")
    project.orchestrator.mkdir(exist_ok=True)
    project.orchestrator_input.write_text("<constitution>c</constitution>\n")
    (tmp_path / "fake.py").write_text(textwrap.dedent("import sys; sys.stdin.read()\n"))
    config = RunnerConfig(command=[sys.executable, "fake.py"], notify=False)
    return PhaseManager(project, SessionStore.open(project), config)


@pytest.fixture
def unwritable_session(monkeypatch):
    def refuse(path, text, **_kwargs):
        raise PermissionError(1, "Operation not permitted", str(path))

    monkeypatch.setattr(store_module, "atomic_write_text", refuse)


def test_a_claim_that_cannot_be_saved_starts_nothing(tmp_path, unwritable_session) -> None:
    manager = handed_off(tmp_path)
    with pytest.raises(SpecuiError) as caught:
        manager.start("constitution")
    assert caught.value.message == "cannot save .specui/session.json: Operation not permitted"
    assert manager.store.state.runs == []
    assert not manager.project.runs_dir.exists() or not any(manager.project.runs_dir.iterdir())


def test_other_updates_still_keep_working_in_memory(tmp_path, unwritable_session) -> None:
    manager = handed_off(tmp_path)
    manager.store.update(lambda s: setattr(s.interview, "notice", "kept"))
    assert manager.store.state.interview.notice == "kept"
    assert manager.store.messages == [
        ("could not save .specui/session.json: Operation not permitted; answers go on in memory "
         "(and SPEC.md), but quitting before a save loses them")]
