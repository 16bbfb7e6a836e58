"""What auto-continue says after the converge it ran: seen with `specui run implement
--auto-continue` whose agent could not tick a task — "auto-continue: implement the tasks
converge added" although converge had added none (tasks.md still 0/3). The words now count."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from specui.core.config import RunnerConfig
from specui.core.paths import Project
from specui.runner.manager import PhaseManager
from specui.store import PhaseRun, SessionStore

AT = datetime(2026, 11, 30, 10, 52, tzinfo=UTC)


def after_converge(tmp_path: Path, tasks_md: str) -> tuple[PhaseManager, PhaseRun]:
    project = Project.at(tmp_path)
    feature = tmp_path / "specs" / "001-linkcheck"
    feature.mkdir(parents=True)
    (feature / "tasks.md").write_text(tasks_md)
    store = SessionStore.open(project)
    implement = PhaseRun(run_id="implement-1", phase="implement", status="done", started_at=AT,
                         ended_at=AT, log="orchestrator/implement-1.md", tasks_done=0,
                         tasks_total=3)
    converge = PhaseRun(run_id="converge-1", phase="converge", status="done", started_at=AT,
                        ended_at=AT, log="orchestrator/converge-1.md")
    store.update(lambda s: s.runs.extend([implement, converge]))
    return PhaseManager(project, store, RunnerConfig(notify=False)), converge


OPEN3 = "- [ ] T001 a\n- [ ] T002 b\n- [ ] T003 c\n"


def test_a_converge_that_added_nothing_says_so(tmp_path: Path) -> None:
    manager, converge = after_converge(tmp_path, OPEN3)
    step = manager.follow_up(converge, auto_continue=True)
    assert step.phase == "implement"
    assert step.reason == "auto-continue: converge added no task; implement again (3 open)"


def test_a_converge_that_added_tasks_counts_them(tmp_path: Path) -> None:
    manager, converge = after_converge(tmp_path, OPEN3 + "- [ ] T004 d\n- [ ] T005 e\n")
    step = manager.follow_up(converge, auto_continue=True)
    assert step.phase == "implement"
    assert step.reason == "auto-continue: implement the 2 tasks converge added (5 open)"
