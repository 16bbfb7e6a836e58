"""Tell the user a phase ended even when they are looking elsewhere.

A terminal bell (the caller owns the terminal: the headless CLI writes it, the TUI rings its own)
and, inside tmux, `tmux display-message`, which shows in the status line of every attached client
and works from the detached supervisor because it only needs $TMUX to find the server.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from typing import TextIO

from specui.core.tmux_format import tmux_literal

__all__ = ["bell", "end_message", "tmux_message"]


def end_message(phase: str, state: str, exit_code: int | None, duration_s: float) -> str:
    minutes, seconds = divmod(int(duration_s), 60)
    code = "" if exit_code is None else f", exit {exit_code}"
    return f"specui: phase {phase} {state}{code} after {minutes}m{seconds:02d}s"


def tmux_message(text: str, env: Mapping[str, str] | None = None) -> bool:
    """Show `text` in tmux when running inside tmux. Never raises; True when tmux took it."""
    env = dict(os.environ if env is None else env)
    if not env.get("TMUX"):
        return False
    tmux = shutil.which("tmux", path=env.get("PATH"))
    if tmux is None:
        return False
    try:
        result = subprocess.run(
            # The text is data: '#' doubled, or tmux expands #{…} and runs #(…) in it.
            [tmux, "display-message", "-d", "10000", tmux_literal(text)],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, timeout=5, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return result.returncode == 0


def bell(stream: TextIO) -> None:
    """Ring the terminal bell on `stream` when it is a terminal."""
    try:
        if stream.isatty():
            stream.write("\a")
            stream.flush()
    except (OSError, ValueError):
        pass
