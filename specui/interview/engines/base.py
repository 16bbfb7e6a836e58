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

An engine that runs an agent process sets `spawns` and takes one more keyword, `on_started`,
which it calls as soon as that process runs (`process.run_child` does): the driver records the
round as running then, so its session write never delays the agent's start. For any other
engine the driver records it just before `run_turn`.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import ClassVar

__all__ = ["Activity", "Engine", "EngineCancelled", "EngineError", "EngineSession", "EngineTimeout"]

from specui.core.config import SpecuiConfig
from specui.core.interview.contract import EngineRequest
from specui.core.interview.state import EngineSession


class EngineError(Exception):
    """The engine could not produce a reply; the message is one line for the question pane."""


class EngineTimeout(EngineError):
    pass


class EngineCancelled(EngineError):
    pass


Activity = Callable[[str], None]


class Engine(ABC):
    name: ClassVar[str]
    # True: `run_turn` also takes `on_started: Callable[[], None]` (see the module docstring).
    spawns: ClassVar[bool] = False

    def __init__(self, session: EngineSession) -> None:
        # The driver persists `session` in the store after every successful round, so an
        # engine that changes it (e.g. records its thread id) keeps it across restarts.
        self.session = session

    @classmethod
    def create(cls, session: EngineSession, config: SpecuiConfig) -> Engine:
        """Build the engine for a project's config; engines with settings override this."""
        return cls(session)

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
