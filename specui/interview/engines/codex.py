"""The Codex engine: `codex exec` runs the interview, one thread for the whole interview.

Round 1 starts a thread in a read-only sandbox rooted at the project:

    codex exec --json --output-schema .specui/engine-reply.schema.json --skip-git-repo-check
               [-m MODEL] [ARGS...] --sandbox read-only -C <project> -

and later rounds continue it (`exec resume` has no --sandbox/-C: the sandbox is pinned with
`-c sandbox_mode="read-only"`, which would otherwise come from the user's Codex config, and the
child runs in the project):

    codex exec resume <thread_id> --json --output-schema <file> --skip-git-repo-check
               [-m MODEL] [ARGS...] -c sandbox_mode="read-only" -

`[interview] args` that would lift the sandbox are refused (`check_args`).

The prompt goes on stdin (`specui.interview.engines.prompt`: rules once per thread, then only
what changed each turn). The schema file is the contract's `reply_json_schema()`: Codex hands
it to the model as a strict structured-output format but does not check the reply, so the
driver validates it. The reply is the turn's last `agent_message`.

`--json` events drive the live activity: `command_execution` items become "reading <path>" /
"searching <pattern>" / "running <command>", reconnect notices "reconnecting", and
`turn.failed` the round's error (a timeout names what Codex reported last). A round whose
reconnect notices, with nothing else between them, span UNREACHABLE_SECONDS ends at the notice
that completes the span: Codex would retry an unreachable provider until timeout_seconds
(default 5 min). The thread id (from `thread.started`) is kept in the engine
session only after a round succeeded, so a cancelled first round never leaves a thread that
holds half a conversation; a thread Codex no longer has, or one another codex process still
writes (the orphaned round of a specui that died), is replaced by a new one, and so is a thread
whose last round was cancelled, timed out or failed (Codex keeps that turn, with the answer the
user withdrew, in the thread).
"""

from __future__ import annotations

import functools
import json
import shlex
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from specui.core.ansi import strip_ansi
from specui.core.codex_args import refused_codex_arg
from specui.core.codex_events import parse_event, reconnect_detail
from specui.core.config import SpecuiConfig
from specui.core.errors import SpecuiError
from specui.core.fsio import atomic_write_bytes
from specui.core.interview.contract import EngineRequest, reply_json_schema
from specui.core.interview.state import EngineSession
from specui.interview.engines.base import (
    Activity,
    Engine,
    EngineCancelled,
    EngineError,
    EngineTimeout,
)
from specui.interview.engines.process import run_child, stderr_line
from specui.interview.engines.prompt import Sent, render_retry, render_rules, render_turn

SCHEMA_FILE = ".specui/engine-reply.schema.json"
CODEX = "codex"
# `codex exec resume` of a thread the local Codex no longer has (another CODEX_HOME, deleted).
_LOST_THREAD = "no rollout found"
# ... of a thread another codex process still writes: the round of a specui that died with it
# running (a closed terminal, a kill -9) goes on without an owner and holds the thread.
_BUSY_THREAD = "already has an active writer"

_READERS = frozenset({"cat", "head", "tail", "sed", "nl", "less", "more", "bat", "wc", "file"})
_SEARCHERS = frozenset({"rg", "grep", "ag", "ack"})
_LISTERS = frozenset({"ls", "find", "tree", "fd"})
_SHELLS = frozenset({"bash", "sh", "zsh", "dash"})


def describe_command(command: str, limit: int = 120) -> str:
    """A short activity line for a command Codex runs ("reading src/app.py")."""
    text = strip_ansi(command).strip()
    try:
        argv = shlex.split(text)
    except ValueError:
        argv = text.split()
    # Codex wraps commands as `/bin/bash -lc '<command>'`.
    if len(argv) >= 3 and Path(argv[0]).name in _SHELLS and argv[1] in ("-c", "-lc", "-lic"):
        text = argv[2]
        try:
            argv = shlex.split(text)
        except ValueError:
            argv = text.split()
    if not argv:
        return "running a command"
    name = Path(argv[0]).name
    # A pipeline or a chain: describe its first command only when that is a plain read.
    simple = not any(tok in ("|", "&&", "||", ";") for tok in argv)
    operands = [a for a in argv[1:] if not a.startswith("-")]
    if simple and name in _READERS and operands:
        if name == "sed" and len(operands) >= 2:
            operands = operands[1:]  # the script (`-n 1,80p`) comes before the file
        return _cap("reading " + ", ".join(operands), limit)
    if simple and name in _SEARCHERS and operands:
        return _cap("searching " + " ".join(operands), limit)
    if simple and name in _LISTERS:
        return _cap("listing " + (" ".join(operands) or "."), limit)
    return _cap("running " + " ".join(text.split()), limit)


def check_args(args: list[str]) -> None:
    """EngineError for `[interview] args` that would lift the read-only sandbox."""
    reason = refused_codex_arg(args)
    if reason is not None:
        raise EngineError(f"[interview] args: {reason}")


def _cap(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class TurnOutcome:
    """What one `codex exec` run reported through its events."""

    thread_id: str | None = None
    reply: str | None = None
    failure: str | None = None  # turn.failed
    last_error: str | None = None  # an `error` event (Codex may still recover from it)


# Codex (0.169-0.171) never gives up on a provider it cannot connect to: it prints
# "Reconnecting... waiting for network (Connection failed: ...)" at growing intervals (0, 5, 15,
# 35 s, ...) for as long as it runs, whatever `request_max_retries` says. Once such notices,
# with nothing else between them, span this long, the round ends with "codex cannot reach the
# model provider" instead of waiting out timeout_seconds. Measured from notice to notice, not to
# the clock: after an outage that healed the notices stop, and a model that then thinks in
# silence for a minute is not cut off.
UNREACHABLE_SECONDS = 30.0


class EventReader:
    """Folds `codex exec --json` lines into a TurnOutcome and live activity lines."""

    def __init__(
        self, on_activity: Activity, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.outcome = TurnOutcome()
        self._on_activity = on_activity
        self._clock = clock
        # When the current run of reconnect notices began (None: Codex reported something
        # else since).
        self._reconnecting_since: float | None = None

    def __call__(self, line: str) -> None:
        """Fold one line in; EngineError (which ends the round) once reconnect notices alone
        span UNREACHABLE_SECONDS."""
        event = parse_event(line)
        if event is None:
            return
        detail = reconnect_detail(event.message or "") if event.type == "error" else None
        if detail is None:
            self._reconnecting_since = None
        else:
            now = self._clock()
            if self._reconnecting_since is None:
                self._reconnecting_since = now
            elif now - self._reconnecting_since >= UNREACHABLE_SECONDS:
                raise EngineError(f"codex cannot reach the model provider ({detail})")
        out = self.outcome
        if event.type == "thread.started" and event.thread_id:
            out.thread_id = event.thread_id
        elif event.type == "turn.failed":
            message = event.error.message if event.error is not None else ""
            out.failure = _plain(message) or "the turn failed"
        elif event.type == "error" and event.message:
            message = _plain(event.message)
            out.last_error = message
            if detail is not None:
                self._say(message)
        elif event.type in ("item.started", "item.completed") and event.item is not None:
            item = event.item
            if item.type == "command_execution" and event.type == "item.started":
                self._say(describe_command(item.command or ""))
            elif item.type == "agent_message" and event.type == "item.completed":
                out.reply = item.text or ""
            elif item.type == "reasoning" and event.type == "item.completed" and item.text:
                self._say("thinking: " + _plain(item.text))
            elif item.type == "web_search" and event.type == "item.started" and item.query:
                self._say("searching the web: " + _plain(item.query))
            elif item.type == "mcp_tool_call" and event.type == "item.started":
                self._say(f"using {_plain(item.server or '')}.{_plain(item.tool or '')}")

    def _say(self, line: str) -> None:
        self._on_activity(_cap(line, 200))


def _plain(text: str) -> str:
    return " ".join(strip_ansi(text).split())



class CodexEngine(Engine):
    name = "codex"
    spawns = True

    def __init__(
        self,
        session: EngineSession,
        *,
        model: str = "",
        args: tuple[str, ...] | list[str] = (),
        codex: str = CODEX,
    ) -> None:
        super().__init__(session)
        self.model = model
        self.args = list(args)
        self.codex = codex
        check_args(self.args)
        # What the current thread has seen; None after a restart (resend the state, not rules).
        self._sent: Sent | None = None
        self._sent_thread: str | None = None
        # A thread whose last turn was cancelled, timed out or failed: Codex has already written
        # that turn (the prompt with the answer the user then withdrew or may replace) into it,
        # so the next round starts a new thread that holds only the recorded transcript.
        self._unfinished: str | None = None
        self._unfinished_how = ""
        # The last turn, as the bench and tests measure it: what reached the model, and how long
        # the codex process ran (so specui's own share of a round can be told apart).
        self.last_prompt = ""
        self.last_run_seconds = 0.0

    @classmethod
    def create(cls, session: EngineSession, config: SpecuiConfig) -> Engine:
        return cls(session, model=config.interview.model, args=config.interview.args)

    # ---------------------------------------------------------------- argv

    def _common(self, schema: Path) -> list[str]:
        argv = ["--json", "--output-schema", str(schema), "--skip-git-repo-check"]
        if self.model:
            argv += ["-m", self.model]
        return argv + self.args

    def start_argv(self, project: Path, schema: Path) -> list[str]:
        return [
            self.codex,
            "exec",
            *self._common(schema),
            "--sandbox",
            "read-only",
            "-C",
            str(project),
            "-",
        ]

    def resume_argv(self, thread_id: str, schema: Path) -> list[str]:
        return [
            self.codex,
            "exec",
            "resume",
            thread_id,
            *self._common(schema),
            "-c",
            'sandbox_mode="read-only"',
            "-",
        ]

    # ---------------------------------------------------------------- turn

    def run_turn(
        self,
        request: EngineRequest,
        *,
        feedback: str | None,
        on_activity: Activity,
        cancel: threading.Event,
        timeout: float,
        on_started: Callable[[], None] | None = None,
    ) -> str:
        if shutil.which(self.codex) is None:
            raise EngineError(
                f"{self.codex}: not found on PATH (install the Codex CLI: "
                "npm install -g @openai/codex, then codex login)"
            )
        project = Path(request.project_dir)
        schema = write_schema(project)
        thread = self.session.thread_id
        if thread is not None and thread == self._unfinished:
            on_activity(
                f"the last round {self._unfinished_how}; starting a new thread so its answer "
                "stays out of the conversation"
            )
            self.session.thread_id = thread = None
        if thread is not None:
            try:
                return self._turn(
                    request, feedback, project, schema, thread, on_activity, cancel, timeout,
                    on_started,
                )
            except EngineCancelled:
                self._unfinished, self._unfinished_how = thread, "was cancelled"
                raise
            except _LostThread:
                on_activity(f"Codex no longer has thread {thread}; starting a new one")
                self.session.thread_id = None
            except _BusyThread:
                on_activity(
                    f"thread {thread} is still held by another codex process (left running by a "
                    "closed specui?); starting a new one"
                )
                self.session.thread_id = None
            except EngineError:
                self._unfinished, self._unfinished_how = thread, "did not finish"
                raise
        return self._turn(
            request, feedback, project, schema, None, on_activity, cancel, timeout, on_started
        )

    def _prompt(
        self, request: EngineRequest, feedback: str | None, project: Path, thread: str | None
    ) -> tuple[str, Sent]:
        if thread is None:
            turn, sent = render_turn(request, None, project)
            prompt = render_rules(project) + "\n" + turn
            if feedback:
                prompt += "\n" + render_retry(feedback, project)
            return prompt, sent
        known = self._sent if self._sent_thread == thread else None
        if feedback and known is not None:
            # The thread holds this turn and the refused reply: only the correction is new.
            return render_retry(feedback, project), known
        turn, sent = render_turn(request, known, project)
        if feedback:
            turn += "\n" + render_retry(feedback, project)
        return turn, sent

    def _turn(
        self,
        request: EngineRequest,
        feedback: str | None,
        project: Path,
        schema: Path,
        thread: str | None,
        on_activity: Activity,
        cancel: threading.Event,
        timeout: float,
        on_started: Callable[[], None] | None,
    ) -> str:
        prompt, sent = self._prompt(request, feedback, project, thread)
        self.last_prompt = prompt
        argv = (
            self.start_argv(project, schema) if thread is None else self.resume_argv(thread, schema)
        )
        reader = EventReader(on_activity)
        started = time.perf_counter()
        try:
            result = run_child(
                argv,
                stdin=prompt.encode("utf-8"),
                cwd=project,
                cancel=cancel,
                timeout=timeout,
                on_line=reader,
                on_started=on_started,
                what="codex",
            )
        except EngineTimeout as exc:
            # Say why: Codex retries an unreachable or refusing server for minutes.
            last = reader.outcome.last_error
            raise EngineTimeout(f"{exc} (last from codex: {_hint(last)})" if last else str(exc))
        finally:
            self.last_run_seconds = time.perf_counter() - started
        outcome = reader.outcome
        if outcome.failure is not None:
            raise EngineError(f"codex: {_hint(outcome.failure)}")
        if outcome.reply is None or result.returncode != 0:
            detail = stderr_line(result.stderr)
            if thread is not None and _LOST_THREAD in result.stderr:
                raise _LostThread(detail)
            if thread is not None and _BUSY_THREAD in result.stderr:
                raise _BusyThread(detail)
            if outcome.last_error is not None:
                raise EngineError(f"codex: {_hint(outcome.last_error)}")
            if result.returncode != 0:
                raise EngineError(
                    f"codex exited with status {result.returncode}"
                    + (f": {_hint(detail)}" if detail else "")
                )
            raise EngineError("codex finished the turn without a reply")
        new_thread = outcome.thread_id or thread
        if new_thread is not None:
            self.session.thread_id = new_thread
            self._sent, self._sent_thread = sent, new_thread
        return outcome.reply


class _LostThread(EngineError):
    pass


class _BusyThread(EngineError):
    pass


_AUTH = ("401", "unauthorized", "not logged in", "login", "api key", "invalid_api_key")


def _hint(message: str) -> str:
    """Codex's message, with the way out when it is about the account."""
    if any(word in message.lower() for word in _AUTH):
        return f"{message} (log in with `codex login`, or check the API key)"
    return message


@functools.cache
def schema_bytes() -> bytes:
    """The reply schema as written for Codex; generating it costs tens of ms, so once."""
    return (json.dumps(reply_json_schema(), indent=1, sort_keys=True) + "\n").encode("utf-8")


def write_schema(project: Path) -> Path:
    """`.specui/engine-reply.schema.json` (0600, atomic), rewritten only when it differs."""
    path = project / SCHEMA_FILE
    data = schema_bytes()
    try:
        if path.read_bytes() == data:
            return path
    except OSError:
        pass
    try:
        atomic_write_bytes(path, data, root=project)
    except (OSError, SpecuiError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise EngineError(f"cannot write {SCHEMA_FILE}: {reason}") from None
    return path
