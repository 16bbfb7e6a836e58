"""session_file: the model-free peek at the saved question agrees with the store's reading of
the same file, and anything it does not expect gives no peek (the store reports it)."""

from __future__ import annotations

import json

import pytest

from specui.core.config import load_config
from specui.core.paths import Project
from specui.interview.driver import InterviewDriver
from specui.session_file import SCHEMA_VERSION, peek_pending
from specui.store import SessionStore
from specui.ui.screens.workbench import draft_key


@pytest.fixture
def asked(tmp_path) -> Project:
    """A project whose session waits on the offline interviewer's first question."""
    project = Project.at(tmp_path)
    store = SessionStore.open(project)
    InterviewDriver(project, store, load_config(project)).start()
    assert store.state.interview.current is not None
    return project


def _data(project: Project) -> dict:
    return json.loads(project.session.read_text())


def _write(project: Project, data: dict) -> None:
    project.session.write_text(json.dumps(data))


def test_the_peek_reads_what_the_store_reads(asked):
    session = SessionStore.open(asked).state
    iv, pending = session.interview, session.interview.current
    saved = peek_pending(asked)
    assert saved is not None
    assert saved.key == draft_key(session)  # a draft typed on the peek survives the store
    assert saved.question.question == pending.question.question
    assert saved.question.type == pending.question.type
    assert saved.question.is_free_text == pending.question.is_free_text
    assert (saved.round, saved.dimension, saved.phase) == (pending.round, pending.dimension,
                                                           pending.phase)
    assert (saved.note, saved.why, saved.notice) == (pending.note, pending.why, iv.notice)
    assert (saved.ambiguity, saved.profile, saved.threshold, saved.max_rounds) == (
        iv.ambiguity, iv.profile, iv.threshold, iv.max_rounds)
    assert saved.draft is None


def test_options_and_a_draft_for_the_same_question(asked):
    data = _data(asked)
    current = data["interview"]["current"]
    current["question"]["type"] = "multi-answerable"
    current["question"]["options"] = [
        {"label": "A", "value": "a", "description": "first", "recommended": True},
        {"label": "B", "value": "b"},
    ]
    _write(asked, data)
    key = draft_key(SessionStore.open(asked).state)
    data["interview"]["draft"] = {"key": key, "chosen": [1], "highlighted": 1, "other": False,
                                  "text": ""}
    _write(asked, data)
    saved = peek_pending(asked)
    assert saved is not None and saved.question.multi_select and not saved.question.is_free_text
    assert [(o.label, o.description, o.recommended) for o in saved.question.options] == [
        ("A", "first", True), ("B", "", False)]
    assert saved.draft is not None and saved.draft.chosen == (1,) and saved.draft.highlighted == 1
    data["interview"]["draft"]["key"] = "another question"
    _write(asked, data)
    assert peek_pending(asked).draft is None  # never restored onto a different question


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(schema_version=SCHEMA_VERSION + 1),  # a newer specui's file
        lambda d: d.update(schema_version=True),
        lambda d: d["interview"].update(current=None),
        lambda d: d["interview"]["engine"].update(status="thinking"),  # a round in flight
        lambda d: d["interview"]["engine"].update(status="error"),
        lambda d: d["interview"]["current"].update(round=True),  # a bool is not a number
        lambda d: d["interview"]["current"].update(round="1"),
        lambda d: d["interview"]["current"]["question"].update(question="  "),
        lambda d: d["interview"]["current"]["question"].update(type="ranked"),
        lambda d: d["interview"]["current"]["question"].update(options=["A"]),
        lambda d: d["interview"]["current"].update(question=[]),
        lambda d: d.update(interview=[]),
    ],
)
def test_anything_unexpected_gives_no_peek(asked, change):
    data = _data(asked)
    change(data)
    _write(asked, data)
    assert peek_pending(asked) is None


def test_no_session_or_not_json_gives_no_peek(tmp_path):
    project = Project.at(tmp_path)
    assert peek_pending(project) is None
    project.state_dir.mkdir()
    project.session.write_text("{not json")
    assert peek_pending(project) is None
    project.session.unlink()
    project.session.mkdir()  # a directory where the file should be
    assert peek_pending(project) is None
