"""The few tmux commands the question bridge needs: where the caller is, a pane for the
question (split or window), whether it still exists, closing it, and a status-line message.

Every call is a short `tmux` subprocess with a timeout; a failing call is an answer ("no such
pane"), never an exception, except where the caller must know (opening the pane).
"""

from __future__ import annotations

import subprocess
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from specui import bridge
from specui.core.questions import QuestionBatch
from specui.core.tmux_format import tmux_literal

TIMEOUT = 5.0

# The one-question UI's frame around the text: dialog border, title, question count, the
# margin under the question, the hint line, the footer, and a row of slack each side; and the
# line it shows while it ignores keys as it opens (two rows where it wraps).
_CHROME_ROWS = 12
_SIDE_COLUMNS = 10


@dataclass(frozen=True)
class PaneInfo:
    width: int
    height: int
    attached: bool
    session: str
    window_active: bool


class Tmux:
    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = dict(env)

    def _run(self, args: Sequence[str]) -> subprocess.CompletedProcess[str] | None:
        try:
            return subprocess.run(
                ["tmux", *args],
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
                env=self.env,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None

    def caller_pane(self) -> str | None:
        pane = self.env.get("TMUX_PANE", "").strip()
        return pane if pane.startswith("%") and pane[1:].isdigit() else None

    def pane_info(self, pane: str | None) -> PaneInfo | None:
        fmt = "#{pane_width} #{pane_height} #{session_attached} #{window_active} #{session_name}"
        target = ["-t", pane] if pane else []
        done = self._run(["display-message", "-p", *target, fmt])
        if done is None or done.returncode != 0:
            return None
        parts = done.stdout.strip().split(" ", 4)
        if len(parts) < 5 or not all(p.isdigit() for p in parts[:4]):
            return None
        return PaneInfo(
            width=int(parts[0]),
            height=int(parts[1]),
            attached=int(parts[2]) > 0,
            window_active=parts[3] == "1",
            session=parts[4],
        )

    def _open(self, args: list[str]) -> tuple[str, int]:
        done = self._run(args)
        if done is None or done.returncode != 0:
            why = (done.stderr.strip() if done is not None else "") or "tmux did not answer"
            raise bridge.QuestionFailed(
                bridge.RUNTIME_FAILED, f"could not open a tmux pane for the question: {why}"
            )
        parts = done.stdout.split()
        if len(parts) != 2 or not parts[0].startswith("%") or not parts[1].isdigit():
            raise bridge.QuestionFailed(
                bridge.RUNTIME_FAILED, f"tmux gave an unexpected pane id: {done.stdout.strip()!r}"
            )
        return parts[0], int(parts[1])

    @staticmethod
    def _start_dir(cwd: Path) -> str:
        """`-c` for a new pane: tmux expands formats there (core/tmux_format.py)."""
        return tmux_literal(str(cwd))

    @staticmethod
    def _env_args(env: Mapping[str, str]) -> list[str]:
        return [arg for key, value in env.items() for arg in ("-e", f"{key}={value}")]

    def split(
        self,
        pane: str | None,
        cwd: Path,
        command: Sequence[str],
        env: Mapping[str, str],
        *,
        height: int,
    ) -> tuple[str, int]:
        """A pane of `height` rows under `pane`, running `command`: (pane id, its pid)."""
        target = ["-t", pane] if pane else []
        return self._open(
            [
                "split-window", "-v", "-l", str(height), *target, "-P", "-F",
                "#{pane_id} #{pane_pid}", "-c", self._start_dir(cwd), *self._env_args(env), "--", *command,
            ]
        )

    def new_window(
        self,
        pane: str | None,
        cwd: Path,
        command: Sequence[str],
        env: Mapping[str, str],
        *,
        name: str,
    ) -> tuple[str, int]:
        """A window of its own (the question does not fit in a split)."""
        target = []
        if pane:
            done = self._run(["display-message", "-p", "-t", pane, "#{session_id}"])
            if done is not None and done.returncode == 0 and done.stdout.strip():
                target = ["-t", done.stdout.strip() + ":"]
        return self._open(
            [
                "new-window", "-n", name, *target, "-P", "-F", "#{pane_id} #{pane_pid}",
                "-c", self._start_dir(cwd), *self._env_args(env), "--", *command,
            ]
        )

    def pane_exists(self, pane: str) -> bool:
        done = self._run(["list-panes", "-t", pane, "-F", "#{pane_id} #{pane_dead}"])
        if done is None or done.returncode != 0:
            return False
        return any(line.split() == [pane, "0"] for line in done.stdout.splitlines())

    def kill_pane(self, pane: str) -> None:
        self._run(["kill-pane", "-t", pane])

    def display_message(self, pane: str | None, text: str) -> None:
        target = ["-t", pane] if pane else []
        # -d: shown for 4 s whatever the user's display-time; the text is data, so no
        # #{...} format expansion: '#' doubled.
        self._run(["display-message", *target, "-d", "4000", tmux_literal(text)])


def _rows(text: str, width: int) -> int:
    width = max(width, 10)
    return sum(max(1, len(textwrap.wrap(line, width) or [""])) for line in text.splitlines() or [""])


def question_height(batch: QuestionBatch, pane_width: int) -> int:
    """Rows the one-question UI needs to show the largest step of `batch` whole (each
    question with its options, and the review list of a batch)."""
    width = max(pane_width - _SIDE_COLUMNS, 20)
    heads = (1 if batch.header else 0) + (_rows(batch.objective, width) if batch.objective else 0)
    tallest = 0
    for q in batch.questions:
        rows = heads + (1 if q.header else 0) + min(_rows(q.question, width), 8)
        for option in q.options:
            rows += _rows(f"{option.label} — {option.description}".strip(" —"), width - 4)
        rows += 1 if q.allow_other else 0
        rows += 3 if not q.options else 0  # the free-text box
        tallest = max(tallest, rows)
    if batch.is_batch:
        tallest = max(tallest, heads + 2 * len(batch.questions) + 2)
    return tallest + _CHROME_ROWS
