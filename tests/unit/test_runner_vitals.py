"""vitals(): what every view shows of a run comes from status.json, one place."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from specui.runner.supervisor import RunStatus
from specui.runner.vitals import vitals
from specui.store import PhaseRun

NOW = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
TEXT = "codex cannot reach the model provider (Connection failed: error sending request)"


def test_an_unreachable_provider_is_shown_while_the_run_runs_only():
    status = RunStatus(run_id="plan-1", phase="plan", started_at=NOW - timedelta(minutes=2),
                       unreachable=TEXT)
    for state, shown in (("running", TEXT), ("failed", "")):
        run = PhaseRun(run_id="plan-1", phase="plan", status=state,
                       started_at=NOW - timedelta(minutes=2), ended_at=NOW)
        seen = vitals(run, status, now=NOW, tasks_done=None, tasks_total=None,
                      tasks_before=None, history=[])
        assert seen.unreachable == shown
