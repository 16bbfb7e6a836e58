"""Who asks: an agent's `specui question` payload without a `source` was shown as "Question
from specui" (and "The question from specui was withdrawn"), as if the workbench itself were
asking. The payload's own source is named; without one, the words say an agent asks."""

from __future__ import annotations

from pathlib import Path

from specui import bridge
from specui.core.paths import Project
from specui.core.questions import normalize_question_input

QUESTION = {"question": "Which datastore?", "options": [{"label": "SQLite"}]}


def test_a_payload_without_source_is_from_an_agent(tmp_path: Path) -> None:
    request = bridge.post_request(Project.at(tmp_path), normalize_question_input(QUESTION))
    assert request.source == "an agent"


def test_a_batch_without_source_is_from_an_agent(tmp_path: Path) -> None:
    payload = {"questions": [QUESTION, {**QUESTION, "id": "two"}]}
    request = bridge.post_request(Project.at(tmp_path), normalize_question_input(payload))
    assert request.source == "an agent"


def test_the_payloads_source_is_named(tmp_path: Path) -> None:
    payload = {**QUESTION, "source": "deep-interview"}
    request = bridge.post_request(Project.at(tmp_path), normalize_question_input(payload))
    assert request.source == "deep-interview"
