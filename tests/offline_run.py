"""An offline interview run through the real driver (the builtin engine, a fixed clock), for
tests that check what a user sees and what lands in SPEC.md and stack.toml."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from specui.core.interview.policy import DEFAULTS_NONE
from specui.core.interview.state import EngineSession
from specui.core.loader import load_toml_text
from specui.core.paths import Project
from specui.core.questions import Answer, Question, build_answer
from specui.interview.driver import InterviewDriver
from specui.interview.engines.builtin import BuiltinEngine
from specui.store import SessionStore


def offline_driver(
    root: Path, profile: str | None = None
) -> tuple[InterviewDriver, SessionStore, Project]:
    project = Project.at(root)
    store = SessionStore.open(project)
    clock = iter(datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=i) for i in range(10**4))
    drv = InterviewDriver(
        project,
        store,
        engine=BuiltinEngine(EngineSession(engine="builtin")),
        clock=lambda: next(clock),
        profile=profile,
    )
    return drv, store, project


def stack_of(project: Project) -> dict[str, Any]:
    return load_toml_text(project.stack.read_text(), what="stack.toml")


def answer_until(
    drv: InterviewDriver, store: SessionStore, asks: str, *, text: str = "As the overview says"
) -> Question:
    """Answer (the recommended option, else the first; free text `text`) until the question
    containing `asks` is on screen; returns it."""
    asked = []
    for _ in range(40):
        pending = store.state.interview.current
        assert pending is not None, f"the interview ended before asking {asks!r}: {asked}"
        q = pending.question
        if asks in q.question:
            return q
        asked.append(q.question)
        drv.answer(_recommended_or_first(q, text))
    raise AssertionError(f"no question asking {asks!r} in {asked}")


def _recommended_or_first(q: Question, text: str) -> Answer:
    """The recommended option (else the first); `text` for a free-text question. Offered
    defaults for the open sections, it goes through them one by one: these runs check what
    each section's question writes."""
    if not q.options:
        return build_answer(q, [], text)
    values = [o.value for o in q.options]
    if DEFAULTS_NONE in values:
        return build_answer(q, [values.index(DEFAULTS_NONE)], None)
    idx = [i for i, o in enumerate(q.options) if o.recommended] or [0]
    return build_answer(q, idx[:1], None)


def run_whole(
    root: Path, overview: str, texts: dict[str, str], *, profile: str | None = None
) -> tuple[list[Question], Project]:
    """A whole interview as a user who takes every recommended option (else the first) and
    answers a free-text question with the first `texts` value whose key its prompt contains
    (else "Nothing more to add"); returns every question asked, in order."""
    drv, store, project = offline_driver(root, profile)
    drv.start()
    drv.answer(Answer(kind="text", value=overview))
    asked: list[Question] = []
    for _ in range(80):
        pending = store.state.interview.current
        if pending is None:
            return asked, project
        q = pending.question
        asked.append(q)
        low = q.question.lower()
        text = next((v for k, v in texts.items() if k in low), "Nothing more to add")
        drv.answer(_recommended_or_first(q, text))
    raise AssertionError("the interview did not end in 80 answers")
