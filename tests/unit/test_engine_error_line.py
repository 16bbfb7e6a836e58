"""A failed round's line in the question pane: the engine named once, and only the keys that
apply (trial4 J7: "codex: codex: stream disconnected"; the offline engine offered itself)."""

from __future__ import annotations

import pytest

from specui.core.interview.state import EngineState
from specui.store import Session
from specui.ui.widgets.question_pane import engine_line


def _line(name: str, error: str) -> str:
    session = Session()
    session.interview.engine = EngineState(status="error", name=name, error=error)
    return engine_line(session)


@pytest.mark.parametrize(
    ("name", "error", "first"),
    [
        ("codex", "codex: stream disconnected before completion", "✗ codex: stream disconnected"),
        ("codex", "codex gave no reply within 20 s", "✗ codex gave no reply within 20 s"),
        ("codex", "the reply broke the contract", "✗ codex: the reply broke the contract"),
        ("command", "command exited with status 3", "✗ command exited with status 3"),
        ("codex", "codexify failed", "✗ codex: codexify failed"),
    ],
)
def test_the_engine_is_named_once(name: str, error: str, first: str) -> None:
    assert _line(name, error).splitlines()[0].startswith(first)


def test_the_offline_engine_is_offered_only_by_another_engine() -> None:
    assert _line("codex", "x").splitlines()[1] == "r retry · o switch to the offline engine"
    assert _line("builtin", "SPEC.md is read-only").splitlines()[1] == "r retry"
