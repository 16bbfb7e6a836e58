"""Refine further with the REAL Codex CLI: a quick interview stopped at its hard cap is
re-entered; the refinement's first round resumes the interview's thread with an ordinary
directive that says what was left open, and its question opens round 6 of the new cap."""

from __future__ import annotations

import pytest
from test_interview_codex import (
    PROBE,
    assistant_texts,
    driver_for,
    free_text,
    last_user_text,
    question,
    reply,
)

from specui.core.questions import Answer

pytestmark = pytest.mark.integration


def test_refine_resumes_the_thread_after_the_hard_cap(project, codex_env, fake_server):
    fake_server.script(
        reply(question=free_text("What do you want to build, and why?")),
        reply(question=question("Which of these are out of scope?")),  # non-goals gate
        reply(question=question("What has to be true for that?"), pressure=PROBE),
        reply(question=question("What may the implementer decide alone?")),
        reply(question=question("Which check proves v1 works?")),
        reply(question=None),  # the hard cap: process the last answer, ask nothing
        reply(question=question("Which non-goals hold for v1, then?")),  # the refinement
    )
    store, driver = driver_for(project, profile="quick")
    driver.start()
    driver.answer(Answer(kind="text", value="A JWKS cache that survives an IdP outage."))
    for _ in range(4):
        driver.answer(Answer(kind="option", value="platform"))
    iv = store.state.interview
    assert (iv.end_reason, iv.rounds_done, iv.engine.error) == ("hard_cap", 5, None)
    thread = iv.engine_session.thread_id
    assert thread and "Residual risk" in (project / "SPEC.md").read_text()

    driver.refine()
    iv = store.state.interview
    assert iv.engine.error is None and iv.engine_session.thread_id == thread
    assert iv.current.round == 6 and iv.max_rounds == 10
    assert iv.current.question.question == "Which non-goals hold for v1, then?"
    last = fake_server.requests[-1]
    prompt = last_user_text(last)
    assert "Refining further (pass 1): at most 5 more rounds (hard cap now 10)" in prompt
    assert "Left open when it ended: The interview stopped at the hard cap of 5 rounds" in prompt
    # Resumed, not a new thread: the model sees its own earlier questions.
    assert any("Which check proves v1 works?" in t for t in assistant_texts(last))
