"""The engine contract's reply with every field empty (`specui.core.interview.contract.EngineReply`).

Shared by the protocol, driver and Codex engine tests: each builds its replies from this one
shape (`engine_reply(question, why, patches=[...])`), so a field added to the contract is added
here once.
"""

from __future__ import annotations

from typing import Any


def engine_reply(question: dict[str, Any] | None, why: str, /, **over: Any) -> dict[str, Any]:
    """A reply asking `question` (None: no question) for `why`, every other field empty,
    then `over` applied (it may replace the question and the why too)."""
    data: dict[str, Any] = {
        "question": question,
        "why": why,
        "source": "user",
        "scores": [],
        "patches": [],
        "stack_changes": [],
        "open_questions_added": [],
        "open_questions_resolved": [],
        "gate_evidence": [],
        "pressure": None,
        "deferrals": [],
        "contradictions": [],
        "context_findings": [],
        "terminology": [],
        "ready_to_crystallize": False,
    }
    data.update(over)
    return data
