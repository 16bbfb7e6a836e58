"""The groups every workbench thread worker runs under: the one error handler
(`SpecuiApp.on_worker_state_changed`) decides by group, never by a worker's name."""

from __future__ import annotations

from enum import StrEnum

from specui.core.errors import SpecuiError


class WorkerGroup(StrEnum):
    STARTUP = "startup"  # config, store and pane modules: an error closes the workbench
    ENGINE = "engine"  # start the interviewer, exit early
    ANSWER = "answer"  # one submitted answer: errors go back to the picker's hint line
    DRAFT = "draft"  # the unsubmitted answer, saved in the session
    SPEC_READ = "spec-read"  # parse SPEC.md off the event loop
    SPEC_WRITE = "spec-write"  # finalize / un-finalize a section
    CONFIG_READ = "config-read"  # specui.toml edited while open: what a restart would change
    CONFIG_WRITE = "config-write"  # the chosen theme into specui.toml
    BRIDGE_SCAN = "bridge-scan"  # list pending `specui question` requests
    BRIDGE_WRITE = "bridge-write"  # answer/cancel a request, announce the workbench


def describe(error: BaseException | None) -> str | None:
    """A SpecuiError is the user's message; anything else is named as internal."""
    if error is None or isinstance(error, SpecuiError):
        return None if error is None else str(error)
    return f"internal error: {type(error).__name__}: {error}"
