"""The line shown in place of the question once the interview has ended (found in tmux: a
greenfield run stopped by the 12-round cap read "The interview is complete")."""

from __future__ import annotations

import pytest

from specui.store import Session
from specui.ui.widgets.question_pane import ended_line


@pytest.mark.parametrize(
    ("status", "reason", "expected"),
    [
        ("crystallized", "threshold", "The interview is complete: the spec has crystallized."),
        ("crystallized", "hard_cap", ("The interview stopped at the hard cap of 12 rounds "
                                      "(residual risk recorded).")),
        ("crystallized", "validation_cap", ("The validation pass ended short (residual risk "
                                            "recorded).")),
        ("exited", "early_exit", "The interview ended early (residual risk recorded)."),
    ],
)
def test_ended_line_names_why_it_ended(status, reason, expected):
    session = Session()
    session.interview.status = status
    session.interview.end_reason = reason
    assert ended_line(session) == expected
