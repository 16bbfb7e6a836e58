"""An answer whose round was cancelled (Esc) or failed does not reach the model later.

Found with the real Codex CLI: Esc during a resumed round ends codex, and the screen says "your
answer was not recorded" — but Codex had already written the turn (the prompt with that answer)
into the thread, so the next round, resumed on the same thread, showed the model the withdrawn
answer right before the new one. The engine starts a new thread after a resumed round that did
not complete; the new thread gets the rules and the recorded transcript only.
"""

from __future__ import annotations

import threading

import pytest
from fake_responses import Reply
from test_interview_codex import Run, reply, request, second_request, user_texts

from specui.core.interview.state import EngineSession
from specui.interview.engines.base import EngineCancelled, EngineTimeout
from specui.interview.engines.codex import CodexEngine

pytestmark = pytest.mark.integration

WITHDRAWN = "WITHDRAWN: the cache runs on every laptop"
ANSWER = "The platform team runs it."


def _everything_sent(server) -> str:
    return "\n".join("\n".join(user_texts(r)) for r in server.requests[-1:])


def test_a_cancelled_rounds_answer_is_not_in_the_next_rounds_conversation(
    project, fake_server, codex_env
):
    run = Run(CodexEngine(EngineSession(engine="codex")))
    fake_server.script(reply())
    run(request(project))
    first = run.engine.session.thread_id

    fake_server.script(Reply(mode="hang", text=reply()))

    def press_esc() -> None:
        assert fake_server.hanging.wait(60), "codex never reached the server"
        run.cancel.set()

    esc = threading.Thread(target=press_esc)
    esc.start()
    with pytest.raises(EngineCancelled):
        run(second_request(project, answer=WITHDRAWN), timeout=60)
    esc.join(10)
    fake_server.release.set()
    run.cancel.clear()

    fake_server.script(reply())
    run(second_request(project, answer=ANSWER))
    sent = _everything_sent(fake_server)
    assert ANSWER in sent
    assert "WITHDRAWN" not in sent
    assert run.engine.session.thread_id not in (None, first)
    assert "You are the interviewer behind specui" in sent  # a new thread: the rules again
    assert any("was cancelled" in line and "new thread" in line for line in run.activity)


def test_a_timed_out_rounds_answer_is_not_in_the_next_rounds_conversation(
    project, fake_server, codex_env
):
    run = Run(CodexEngine(EngineSession(engine="codex")))
    fake_server.script(reply())
    run(request(project))
    fake_server.script(Reply(mode="hang", text=reply()))
    with pytest.raises(EngineTimeout):
        run(second_request(project, answer=WITHDRAWN), timeout=4)
    fake_server.release.set()

    fake_server.script(reply())
    run(second_request(project, answer=ANSWER))
    sent = _everything_sent(fake_server)
    assert ANSWER in sent and "WITHDRAWN" not in sent
