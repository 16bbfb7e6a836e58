"""Who runs the interview's round recorded as running: one rule for the driver (which runs a
round again or leaves it alone) and the question pane (which says where it runs).

Light on purpose (os and procid): the question pane imports it while the first frame is drawn.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Literal

from specui.runner.procid import is_same_process

if TYPE_CHECKING:
    from specui.core.interview.state import EngineState

__all__ = ["RoundOwner", "round_owner"]

RoundOwner = Literal["here", "elsewhere", "gone"]


def round_owner(engine: EngineState) -> RoundOwner:
    """"here": this process (or no owner was recorded); "elsewhere": another specui that is
    verifiably still the process that took the round (pid, start time and boot id match);
    "gone": the specui that took it has exited (or its pid now belongs to another process):
    the round runs again when a specui starts the interview's driver."""
    if engine.owner_pid is None or engine.owner_pid == os.getpid():
        return "here"
    if is_same_process(engine.owner_pid, engine.owner_start, engine.owner_boot):
        return "elsewhere"
    return "gone"
