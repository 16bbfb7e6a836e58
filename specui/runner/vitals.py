"""A run's vitals — elapsed time, time since output and since progress, stalled or not, task
progress and an honest ETA — worked out in one place for every view.

The supervisor is the one judge of a stall (it sees every line and knows which are progress,
see supervisor.py); its verdict travels in status.json. The workbench's runner pane and the
headless `specui run` only show what `vitals()` returns, so they can never disagree or flap on
their own clocks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from specui.runner.supervisor import RunStatus
from specui.store import PhaseRun

__all__ = ["Vitals", "eta_text", "fmt_duration", "vitals"]


@dataclass(frozen=True)
class Vitals:
    run_id: str
    phase: str
    running: bool
    attempt: int
    elapsed: float | None          # seconds since the run started
    since_output: float | None     # seconds since its last output line (any kind)
    since_progress: float | None   # seconds since its last progress (see supervisor.py)
    stalled: bool                  # the supervisor's verdict
    last_notice: str               # the latest output that was not progress ("Reconnecting…")
    unreachable: str               # "codex cannot reach the model provider (…)" while it runs
    restarts: int                  # stall restarts so far
    tasks_done: int | None
    tasks_total: int | None
    eta: str                       # "" when there is nothing honest to say


def fmt_duration(seconds: float | None) -> str:
    """12s · 4m05s · 1h02m — compact, fixed vocabulary (snapshots rely on it)."""
    if seconds is None:
        return "—"
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _since(now: datetime, moment: datetime | None) -> float | None:
    moment = _aware(moment)
    return None if moment is None else max(0.0, (now - moment).total_seconds())


def eta_text(
    run: PhaseRun,
    *,
    elapsed: float | None,
    tasks_done: int | None,
    tasks_total: int | None,
    tasks_before: int | None,
    history: Iterable[PhaseRun],
) -> str:
    """Implement: from the task rate of this run (tasks done since it started over its
    elapsed time). Other phases: from how long the same phase took before (mean of the last
    three successful runs). Empty when there is nothing honest to say."""
    if run.phase == "implement" and tasks_total:
        done = tasks_done or 0
        if done >= tasks_total:
            return "ETA done"
        gained = done - (tasks_before if tasks_before is not None else done)
        if gained <= 0 or not elapsed:
            return "ETA — (no task finished in this run yet)"
        return f"ETA ~{fmt_duration((tasks_total - done) * elapsed / gained)}"
    durations = []
    for past in history:
        if past.phase == run.phase and past.status == "done" and past.run_id != run.run_id:
            start, end = _aware(past.started_at), _aware(past.ended_at)
            if start and end:
                durations.append((end - start).total_seconds())
    if not durations or elapsed is None:
        return ""
    typical = sum(durations[-3:]) / len(durations[-3:])
    left = typical - elapsed
    if left <= 0:
        return f"ETA overdue (typically {fmt_duration(typical)})"
    return f"ETA ~{fmt_duration(left)} (typical)"


def vitals(
    run: PhaseRun,
    status: RunStatus | None,
    *,
    now: datetime,
    tasks_done: int | None,
    tasks_total: int | None,
    tasks_before: int | None,
    history: Iterable[PhaseRun],
) -> Vitals:
    """The vitals of `run` from its status.json (`status`, None before it is written)."""
    running = run.status == "running"
    started = run.started_at or (status.started_at if status is not None else None)
    end = now if running else (_aware(run.ended_at) or now)
    elapsed = _since(end, started)
    since_output = since_progress = None
    stalled = run.stalled and running
    notice = unreachable = ""
    restarts = 0
    if status is not None:
        since_output = _since(now, status.last_output_at or status.started_at)
        since_progress = _since(now, status.last_progress_at or status.started_at)
        stalled = running and status.stalled
        notice = status.last_notice
        unreachable = status.unreachable if running else ""
        restarts = status.restarts
    eta = eta_text(run, elapsed=elapsed, tasks_done=tasks_done, tasks_total=tasks_total,
                   tasks_before=tasks_before, history=history) if running else ""
    return Vitals(
        run_id=run.run_id, phase=run.phase, running=running, attempt=run.attempt,
        elapsed=elapsed, since_output=since_output, since_progress=since_progress,
        stalled=stalled, last_notice=notice, unreachable=unreachable, restarts=restarts,
        tasks_done=tasks_done, tasks_total=tasks_total, eta=eta,
    )
