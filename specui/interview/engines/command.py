"""The command engine: any program that reads a request and prints a reply.

    [interview]
    engine = "command"
    command = ["python3", "samples/interview-adapter-claude.py"]

Each round runs `command` once in the project directory (its own process group, like the
Codex engine: the round's timeout and Esc end the whole group). stdin gets one JSON object:
the `EngineRequest` (`specui schema engine-request`) plus three keys:

- `feedback`: null, or on the retry after a refused reply the problems to correct;
- `prompt`: the full prompt the Codex engine would send (interview rules and this turn), so
  an adapter can hand it to another model unchanged;
- `reply_schema`: the reply's JSON Schema (strict structured-output shaped).

stdout must be the `EngineReply` JSON (`specui schema engine-reply`), nothing else; the driver
validates it. A non-zero exit is the round's error, with the last line of stderr in it; while
the command runs, each stderr line is shown as its live activity (an adapter's progress).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path

from specui.core.ansi import strip_ansi
from specui.core.config import SpecuiConfig
from specui.core.interview.contract import EngineRequest
from specui.core.interview.state import EngineSession
from specui.interview.engines.base import Activity, Engine, EngineError
from specui.interview.engines.process import run_child, stderr_line
from specui.interview.engines.prompt import request_for_command


class CommandEngine(Engine):
    name = "command"
    spawns = True

    def __init__(self, session: EngineSession, *, command: list[str] | tuple[str, ...]) -> None:
        super().__init__(session)
        if not command or not command[0].strip():
            raise EngineError('[interview] command: required when engine = "command"')
        self.command = list(command)

    @classmethod
    def create(cls, session: EngineSession, config: SpecuiConfig) -> Engine:
        return cls(session, command=config.interview.command)

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
        project = Path(request.project_dir)
        data = json.dumps(request_for_command(request, feedback, project)).encode("utf-8")
        name = self.label()

        def started() -> None:
            if on_started is not None:
                on_started()
            on_activity(f"running {name}")

        def progress(line: str) -> None:
            text = " ".join(strip_ansi(line).split())
            if text:
                on_activity(text[:200])

        result = run_child(
            self.command,
            stdin=data,
            cwd=project,
            cancel=cancel,
            timeout=timeout,
            on_err_line=progress,
            on_started=started,
            what=name,
        )
        if result.returncode != 0:
            detail = stderr_line(result.stderr)
            raise EngineError(
                f"{name} exited with status {result.returncode}" + (f": {detail}" if detail else "")
            )
        text = result.stdout.decode("utf-8", "replace")
        if not text.strip():
            detail = stderr_line(result.stderr)
            raise EngineError(f"{name} printed no reply" + (f": {detail}" if detail else ""))
        return text

    def label(self) -> str:
        """The command as the screen names it: the program, and the script an interpreter runs
        (never the whole argv, which may carry a token)."""
        name = Path(self.command[0]).name
        if len(self.command) > 1 and not self.command[1].startswith("-"):
            name += " " + Path(self.command[1]).name
        return name
