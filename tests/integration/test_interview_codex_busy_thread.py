"""A Codex thread still held by a codex process a closed workbench left behind.

Found in tmux: the terminal was closed (SIGHUP) while a Codex round ran; its codex process lived
on, still writing the interview's thread. Reopening specui re-ran the round and every attempt
failed with `thread/resume failed: thread … already has an active writer`, so the interview was
stuck until that orphan ended (never, with the network down). The engine starts a new thread
instead, as it does for a thread Codex no longer has, and says why.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess

import pytest
from test_interview_codex import Run, reply, request, second_request, user_texts

from specui.core.interview.state import EngineSession
from specui.interview.engines.codex import CodexEngine, write_schema

pytestmark = pytest.mark.integration


def test_a_thread_another_codex_still_writes_gets_a_new_thread(project, fake_server, codex_env):
    run = Run(CodexEngine(EngineSession(engine="codex")))
    fake_server.script(reply())
    run(request(project))
    held = run.engine.session.thread_id
    assert held

    # The orphan: a codex still working on that thread (its model never answers).
    fake_server.mode = "hang"
    argv = run.engine.resume_argv(held, write_schema(project))
    orphan = subprocess.Popen(
        argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        cwd=project, start_new_session=True,
    )
    try:
        orphan.stdin.write(b"still thinking about the last answer\n")
        orphan.stdin.close()
        assert fake_server.hanging.wait(60), "the orphan never reached the server"

        fake_server.script(reply())
        out = run(second_request(project), timeout=60)
        assert json.loads(out)["question"]
        assert run.engine.session.thread_id not in (None, held)
        assert any("still held by another codex process" in line for line in run.activity)
        # The new thread is told everything again: the rules and the earlier answer.
        prompt = user_texts(fake_server.requests[-1])[-1]
        assert "You are the interviewer behind specui" in prompt
        assert "The platform team runs it." in prompt
    finally:
        fake_server.release.set()
        try:
            os.killpg(orphan.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        orphan.wait(10)
