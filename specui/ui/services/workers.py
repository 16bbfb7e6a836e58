"""The groups every workbench thread worker runs under: the one error handler
(`SpecuiApp.on_worker_state_changed`) decides by group, never by a worker's name."""

from __future__ import annotations

from enum import StrEnum


class WorkerGroup(StrEnum):
    STARTUP = "startup"  # config, store and pane modules: an error closes the workbench
    ENGINE = "engine"  # start the interviewer, exit early
    ANSWER = "answer"  # one submitted answer: errors go back to the picker's hint line
    DRAFT = "draft"  # the unsubmitted answer, saved in the session
    SPEC_READ = "spec-read"  # parse SPEC.md off the event loop
    SPEC_WRITE = "spec-write"  # finalize / un-finalize a section
    CONFIG_WRITE = "config-write"  # the chosen theme into specui.toml
    BRIDGE_SCAN = "bridge-scan"  # list pending `specui question` requests
    BRIDGE_WRITE = "bridge-write"  # answer/cancel a request, announce the workbench
