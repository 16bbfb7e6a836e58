"""A run's claim that cannot be saved (found in tmux: `.specui` immutable, `specui run plan`):
the session store kept working in memory, as it should for an interview answer, so the run
started — plan, then auto_next's tasks and implement — while session.json never said a run was
running: a workbench or a second `specui run` could start another agent beside it (the claim
exists so two never run at once). The start is refused in one line; other updates still keep
working in memory."""

from __future__ import annotations

import pytest
from supervised import handed_off

from specui import store as store_module
from specui.core.errors import SpecuiError


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
