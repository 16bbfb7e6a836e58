"""SessionStore.update(notify_first=True): views see the new state before the file is written,
and the write still lands before update returns and before any other update."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from specui.core.paths import Project
from specui.store import Session, SessionStore


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project.at(tmp_path)


def on_disk(project: Project) -> str | None:
    path = project.session
    return json.loads(path.read_text())["interview"]["initial_idea"] if path.exists() else None


@pytest.mark.parametrize("first", [False, True])
def test_subscribers_run_before_or_after_the_write(project: Project, first: bool) -> None:
    store = SessionStore.open(project)
    store.update(lambda s: setattr(s.interview, "initial_idea", "old"))
    seen: list[tuple[str, str | None]] = []
    store.subscribe(lambda s: seen.append((s.interview.initial_idea, on_disk(project))))

    store.update(lambda s: setattr(s.interview, "initial_idea", "new"), notify_first=first)

    assert seen == [("new", "old" if first else "new")]
    assert on_disk(project) == "new"  # written by the time update returns
    assert store.state.interview.initial_idea == "new"


def test_no_other_update_comes_between_the_notification_and_the_write(project: Project) -> None:
    store = SessionStore.open(project)
    notified = threading.Event()
    other_done = threading.Event()
    between: list[bool] = []  # did the other update finish while this one was notifying?

    def subscriber(s: Session) -> None:
        if s.interview.initial_idea == "first" and not notified.is_set():
            notified.set()
            between.append(other_done.wait(0.3))

    store.subscribe(subscriber)

    def other() -> None:
        assert notified.wait(5)
        store.update(lambda s: setattr(s.interview, "summary", "second"))
        other_done.set()

    t = threading.Thread(target=other)
    t.start()
    store.update(lambda s: setattr(s.interview, "initial_idea", "first"), notify_first=True)
    t.join(5)
    assert between == [False] and other_done.is_set()
    reopened = SessionStore.open(project).state.interview
    assert (reopened.initial_idea, reopened.summary) == ("first", "second")
