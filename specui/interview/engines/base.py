"""The small base every interview engine implements: one request in, one raw reply out.

An engine turns an `EngineRequest` (the protocol's directive for this turn plus the whole
context) into the text of an `EngineReply`. It does not validate the reply, apply it or decide
anything about the interview: the driver (`specui.interview.driver`) validates, retries once
with the validation error as `feedback`, enforces the protocol and writes SPEC.md. So a new
engine is one file: subclass `Engine`, set `name`, implement `run_turn`, add it to the
registry in `specui.interview.engines`.

`run_turn` runs in a worker thread. It must end promptly when `cancel` is set (killing any
process group it started, leaving no orphan), give up after `timeout` seconds with
`EngineTimeout`, and report what the agent is doing through `on_activity` (one short line per
event: "reading src/app.py", "running pytest -q").
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from specui.core.interview.contract import EngineRequest


class EngineError(Exception):
    """The engine could not produce a reply; the message is one line for the question pane."""


class EngineTimeout(EngineError):
    pass


class EngineCancelled(EngineError):
    pass


class EngineSession(BaseModel):
    """What an engine keeps between rounds (persisted in the session store), e.g. the Codex
    thread that later rounds resume."""

    model_config = ConfigDict(extra="ignore")

    engine: str = ""
    thread_id: str | None = None


Activity = Callable[[str], None]


class Engine(ABC):
    name: ClassVar[str]

    def __init__(self, session: EngineSession) -> None:
        self.session = session

    @abstractmethod
    def run_turn(
        self,
        request: EngineRequest,
        *,
        feedback: str | None,
        on_activity: Activity,
        cancel: threading.Event,
        timeout: float,
    ) -> str:
        """Raw reply text for `request`. `feedback` is set on the retry after an invalid reply:
        the validation error to correct. Raises EngineError (or a subclass) on failure."""
