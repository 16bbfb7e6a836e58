"""PhaseManager with fake commands: detached runs, reattach, stop, stall, orphan recovery,
auto-continue. Real processes, no codex (tests/integration covers the real CLI)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from supervised import handed_off_project

from specui.core.config import RunnerConfig
from specui.core.errors import SpecuiError
from specui.core.paths import Project
from specui.runner.manager import PhaseManager, group_alive, pid_alive
from specui.runner.procid import identify
from specui.runner.supervisor import read_status
from specui.store import SessionStore

PROMPTS = ("constitution", "specify", "plan", "tasks", "implement")


def make_project(tmp_path: Path, script: str) -> Project:
    return handed_off_project(
        tmp_path, phases=PROMPTS, agent=script,
        blocks="<constitution>c</constitution>\n<specify>s</specify>\n<plan>p</plan>\n",
    )


def manager_for(project: Project, **overrides) -> PhaseManager:
    config = RunnerConfig(command=[sys.executable, "fake.py"], notify=False,
                          stop_grace_seconds=2, **overrides)
    return PhaseManager(project, SessionStore.open(project), config)


def wait_for(predicate, timeout: float = 15.0, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met in time")


def wait_ended(manager: PhaseManager, timeout: float = 15.0):
    def ended():
        manager.refresh()
        return manager.active() is None
    wait_for(ended, timeout)
    return manager.store.state.runs[-1]


QUICK = """
import sys
prompt = sys.stdin.read()
print("prompt was:", prompt.strip())
print("bye", file=sys.stderr)
"""

SLOW = """
import sys, time, os
sys.stdin.read()
print("pid", os.getpid(), flush=True)
for i in range(600):
    print(f"line {i}", flush=True)
    time.sleep(0.05)
"""


def test_detached_run_completes_and_is_recorded(tmp_path: Path) -> None:
    project = make_project(tmp_path, QUICK)
    manager = manager_for(project)
    run = manager.start("constitution")
    assert run.status == "running" and run.pid
    assert project.checkpoint.read_text() == "phase=constitution\n"
    final = wait_ended(manager)
    assert final.status == "done" and final.exit_code == 0
    log = manager.log_path(final).read_text()
    assert "prompt was: Phase constitution: c" in log
    assert "bye" in log  # stderr is logged too
    assert log.startswith("# specui run: constitution")
    assert "- exit code: 0" in log.rsplit("---", 1)[1]
    assert final.log.startswith("orchestrator/constitution-") and final.log.endswith(".md")
    # the supervisor is gone and was reaped by init, not left as our zombie
    wait_for(lambda: not pid_alive(final.pid))


def test_predecessor_required_unless_forced(tmp_path: Path) -> None:
    project = make_project(tmp_path, QUICK)
    manager = manager_for(project)
    with pytest.raises(SpecuiError, match="after specify"):
        manager.start("plan")
    run = manager.start("plan", force=True)
    assert run.phase == "plan"
    wait_ended(manager)


def test_unknown_phase_refused(tmp_path: Path) -> None:
    manager = manager_for(make_project(tmp_path, QUICK))
    with pytest.raises(SpecuiError) as info:
        manager.start("../../evil")
    assert info.value.exit_code == 2
    assert not (tmp_path / ".specui" / "runs").exists()


def test_command_not_found_names_config_key(tmp_path: Path) -> None:
    project = make_project(tmp_path, QUICK)
    config = RunnerConfig(command=["definitely-not-a-command-xyz", "-"], notify=False)
    manager = PhaseManager(project, SessionStore.open(project), config)
    with pytest.raises(SpecuiError) as info:
        manager.start("constitution")
    assert "definitely-not-a-command-xyz" in str(info.value)
    assert "[runner] command" in str(info.value)
    assert manager.store.state.runs == []


def test_a_detached_start_resolves_its_command_once(tmp_path: Path, resolutions) -> None:
    project = make_project(tmp_path, QUICK)
    manager = manager_for(project)
    manager.start("constitution")
    assert wait_ended(manager).status == "done"
    assert resolutions == [[sys.executable, "fake.py"]]


def test_a_foreground_run_resolves_its_command_once(tmp_path: Path, resolutions) -> None:
    project = make_project(tmp_path, QUICK)
    manager = manager_for(project)
    claimed = []
    run = manager.run_foreground(manager.prepare("constitution"), on_claimed=claimed.append)
    assert run.status == "done"
    assert resolutions == [[sys.executable, "fake.py"]]
    assert [r.run_id for r in claimed] == [run.run_id]


def test_a_missing_command_is_refused_before_the_claim(tmp_path: Path) -> None:
    project = make_project(tmp_path, QUICK)
    config = RunnerConfig(command=["definitely-not-a-command-xyz", "-"], notify=False)
    manager = PhaseManager(project, SessionStore.open(project), config)
    claimed = []
    with pytest.raises(SpecuiError, match="definitely-not-a-command-xyz"):
        manager.run_foreground(manager.prepare("constitution"), on_claimed=claimed.append)
    assert claimed == [] and manager.store.state.runs == []
    assert not project.runs_dir.exists()


def test_one_run_at_a_time(tmp_path: Path) -> None:
    project = make_project(tmp_path, SLOW)
    manager = manager_for(project)
    manager.start("constitution")
    try:
        with pytest.raises(SpecuiError, match="already running"):
            manager.start("constitution")
    finally:
        manager.stop()


def child_pgid(manager: PhaseManager) -> int:
    def pgid():
        status = manager.status_of(manager.store.state.runs[-1])
        return status.pgid if status is not None and status.pgid else None
    return wait_for(pgid)


def started_until(tmp_path: Path, script: str, shown: str):
    """A constitution run of `script`, once its log shows `shown`: (manager, run, the agent's
    process group)."""
    manager = manager_for(make_project(tmp_path, script))
    run = manager.start("constitution")
    pgid = child_pgid(manager)
    wait_for(lambda: shown in manager.log_path(run).read_text())
    return manager, run, pgid


def test_stop_leaves_no_process(tmp_path: Path) -> None:
    manager, run, pgid = started_until(tmp_path, SLOW, "line 3")
    manager.stop()
    final = manager.store.state.runs[-1]
    assert final.status == "stopped"
    assert not group_alive(pgid)
    assert not pid_alive(run.pid)
    log = manager.log_path(final).read_text()
    assert "- result: stopped" in log


def test_stop_escalates_to_sigkill(tmp_path: Path) -> None:
    stubborn = """
    import signal, sys, time
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    sys.stdin.read()
    print("ignoring SIGTERM", flush=True)
    time.sleep(60)
    """
    manager, _run, pgid = started_until(tmp_path, stubborn, "ignoring")
    started = time.monotonic()
    manager.stop()
    assert time.monotonic() - started < 10
    assert not group_alive(pgid)
    assert manager.store.state.runs[-1].status == "stopped"


def test_the_log_exists_when_start_returns(tmp_path: Path) -> None:
    project = make_project(tmp_path, SLOW)
    manager = manager_for(project)
    run = manager.start("constitution")
    assert manager.log_path(run).is_file()  # a viewer can open it at once
    wait_for(lambda: "line 1" in manager.log_path(run).read_text())
    assert manager.log_path(run).read_text().startswith("# specui run: constitution")
    manager.stop()


def test_reattach_from_a_new_manager(tmp_path: Path) -> None:
    project = make_project(tmp_path, SLOW)
    first = manager_for(project)
    run = first.start("constitution")
    log_path = first.log_path(run)
    wait_for(lambda: "line 2" in log_path.read_text())
    del first  # the workbench closes; the run goes on
    second = manager_for(project)  # reopened: a fresh store read from disk
    active = second.refresh()
    assert active is not None and active.run_id == run.run_id
    before = second.log_path(active).read_text().count("\n")
    wait_for(lambda: second.log_path(active).read_text().count("\n") > before + 3)
    second.stop()
    assert second.store.state.runs[-1].status == "stopped"


def test_killed_supervisor_keeps_log_and_is_cleaned_up(tmp_path: Path) -> None:
    manager, run, pgid = started_until(tmp_path, SLOW, "line 5")
    os.kill(run.pid, signal.SIGKILL)
    wait_for(lambda: not pid_alive(run.pid))
    text = manager.log_path(run).read_text()
    numbers = [int(line.split()[1]) for line in text.splitlines() if line.startswith("line ")]
    assert numbers == list(range(len(numbers))) and len(numbers) >= 6  # nothing lost, in order
    final = wait_ended(manager)
    assert final.status == "failed" and "supervisor" in final.message
    assert not group_alive(pgid)
    assert "- result: failed" in manager.log_path(final).read_text()


def test_stall_is_flagged_and_cleared(tmp_path: Path) -> None:
    quiet = """
    import sys, time
    sys.stdin.read()
    print("start", flush=True)
    time.sleep(6)
    print("back", flush=True)
    time.sleep(30)
    """
    project = make_project(tmp_path, quiet)
    manager = manager_for(project, stall_minutes=1.5 / 60)  # 1.5 s without output
    run = manager.start("constitution")
    wait_for(lambda: "start" in manager.log_path(run).read_text())
    assert not manager.store.state.runs[-1].stalled
    wait_for(lambda: (manager.refresh(), manager.store.state.runs[-1].stalled)[1], timeout=10)
    wait_for(lambda: "back" in manager.log_path(run).read_text(), timeout=10)
    time.sleep(1.2)  # status.json is refreshed at most once a second
    wait_for(lambda: (manager.refresh(), not manager.store.state.runs[-1].stalled)[1], timeout=5)
    manager.stop()


IMPLEMENT_ONE_TASK = """
import pathlib, re, sys
prompt = sys.stdin.read()
tasks = pathlib.Path("specs/001-demo/tasks.md")
text = tasks.read_text()
text = text.replace("- [ ]", "- [X]", 1)
tasks.write_text(text)
print("continued" if "continue phase implement" in prompt else "first run")
print("yes, proceed" in prompt)
"""

IMPLEMENT_NOTHING = """
import sys
sys.stdin.read()
print("I did nothing useful")
"""


def write_tasks(tmp_path: Path, n: int) -> Path:
    folder = tmp_path / "specs" / "001-demo"
    folder.mkdir(parents=True)
    tasks = folder / "tasks.md"
    tasks.write_text("".join(f"- [ ] T{i:03d} task {i}\n" for i in range(1, n + 1)))
    return tasks


def test_auto_continue_until_done(tmp_path: Path) -> None:
    project = make_project(tmp_path, IMPLEMENT_ONE_TASK)
    write_tasks(tmp_path, 3)
    manager = manager_for(project, auto_continue=True, max_continues=5)
    manager.start("implement", force=True)
    wait_for(lambda: (manager.refresh(), manager.active() is None
                      and len(manager.store.state.runs) >= 3)[1], timeout=30)
    runs = manager.store.state.runs
    assert [r.attempt for r in runs] == [1, 2, 3]
    assert runs[-1].tasks_done == 3 and runs[-1].tasks_total == 3
    assert "all 3 tasks done" in runs[-1].message
    second_log = manager.log_path(runs[1]).read_text()
    assert "continued" in second_log and "True" in second_log


def test_auto_continue_stops_without_progress(tmp_path: Path) -> None:
    project = make_project(tmp_path, IMPLEMENT_NOTHING)
    write_tasks(tmp_path, 3)
    manager = manager_for(project, auto_continue=True, max_continues=5)
    manager.start("implement", force=True)
    final = wait_ended(manager)
    time.sleep(0.3)
    manager.refresh()
    assert len(manager.store.state.runs) == 1
    assert "no progress" in final.message or "no progress" in manager.store.state.runs[-1].message


def test_auto_next_runs_following_phase(tmp_path: Path) -> None:
    project = make_project(tmp_path, QUICK)
    manager = manager_for(project, auto_next=True)
    manager.start("constitution")
    wait_for(lambda: (manager.refresh(),
                      [r.phase for r in manager.store.state.runs if r.status == "done"])[1]
             [-1:] == ["plan"], timeout=30)
    phases = [r.phase for r in manager.store.state.runs]
    assert phases[:3] == ["constitution", "specify", "plan"]
    wait_ended(manager)


def test_on_finished_callback(tmp_path: Path) -> None:
    project = make_project(tmp_path, QUICK)
    manager = manager_for(project)
    seen = []
    manager.on_finished = seen.append
    manager.start("constitution")
    wait_ended(manager)
    assert [r.status for r in seen] == ["done"]


def test_status_file_fields(tmp_path: Path) -> None:
    project = make_project(tmp_path, QUICK)
    manager = manager_for(project)
    run = manager.start("constitution")
    wait_ended(manager)
    status = read_status(manager.run_dir(run.run_id))
    assert status is not None and status.state == "done"
    assert status.pid and status.pgid == status.pid and status.supervisor_pid == run.pid
    assert status.lines == 2 and status.last_output_at is not None


# ---------------------------------------------------------------- pid reuse (identity guard)
QUIET = """
import sys, time
sys.stdin.read()
print("ready", flush=True)
time.sleep(60)
"""


def _kill_supervisor(run) -> None:
    os.kill(run.pid, signal.SIGKILL)
    wait_for(lambda: not pid_alive(run.pid))


def _edit_status(manager: PhaseManager, run, **changes) -> None:
    path = manager.run_dir(run.run_id) / "status.json"
    data = json.loads(path.read_text())
    for key, value in changes.items():
        if value is _DROP:
            data.pop(key, None)
        else:
            data[key] = value
    path.write_text(json.dumps(data))


_DROP = object()


@pytest.mark.parametrize("fields", [("pgid",), ("pid", "pgid")])
def test_orphan_cleanup_never_signals_a_reused_group(tmp_path: Path, fields) -> None:
    """The supervisor died and its group is gone; the recorded pgid now names an unrelated
    process group: it must survive, and the run is reported ended."""
    project = make_project(tmp_path, QUIET)
    manager = manager_for(project)
    run = manager.start("constitution")
    pgid = child_pgid(manager)
    wait_for(lambda: "ready" in manager.log_path(run).read_text())
    _kill_supervisor(run)
    os.killpg(pgid, signal.SIGKILL)
    wait_for(lambda: not group_alive(pgid))
    decoy = subprocess.Popen(["sleep", "1000"], start_new_session=True)
    try:
        _edit_status(manager, run, **{field: decoy.pid for field in fields})
        final = wait_ended(manager)
        time.sleep(0.2)
        assert decoy.poll() is None  # never signalled
        assert final.status == "failed" and "supervisor gone" in final.message
    finally:
        decoy.kill()
        decoy.wait()


def test_a_later_specui_process_does_not_keep_a_dead_run_alive(tmp_path: Path) -> None:
    """The dead supervisor's pid now belongs to another process whose command line even
    names specui and the run: the run still ends, and that process is left alone."""
    project = make_project(tmp_path, QUIET)
    manager = manager_for(project)
    run = manager.start("constitution")
    wait_for(lambda: "ready" in manager.log_path(run).read_text())
    pgid = child_pgid(manager)
    _kill_supervisor(run)
    decoy = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(1000)", "specui",
                              run.run_id], start_new_session=True)
    try:
        _edit_status(manager, run, supervisor_pid=decoy.pid)

        def repoint(session) -> None:
            session.runs[-1].pid = decoy.pid

        manager.store.update(repoint)
        final = wait_ended(manager, timeout=5)
        assert final.status == "failed" and "supervisor gone" in final.message
        assert decoy.poll() is None
        assert not group_alive(pgid)  # the run's own agent (verified) was still ended
    finally:
        decoy.kill()
        decoy.wait()


def test_stop_never_signals_an_unverified_pid(tmp_path: Path) -> None:
    project = make_project(tmp_path, QUIET)
    manager = manager_for(project)
    run = manager.start("constitution")
    wait_for(lambda: "ready" in manager.log_path(run).read_text())
    pgid = child_pgid(manager)
    _kill_supervisor(run)
    os.killpg(pgid, signal.SIGKILL)
    wait_for(lambda: not group_alive(pgid))
    decoy = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(1000)", "specui",
                              run.run_id], start_new_session=True)
    try:
        _edit_status(manager, run, supervisor_pid=decoy.pid, pid=decoy.pid, pgid=decoy.pid)

        def repoint(session) -> None:
            session.runs[-1].pid = decoy.pid

        manager.store.update(repoint)
        manager.stop()
        assert manager.store.state.runs[-1].status == "stopped"
        time.sleep(0.2)
        assert decoy.poll() is None
    finally:
        decoy.kill()
        decoy.wait()


STOP_SELF = """
import json, os, signal, sys
from specui.core.config import RunnerConfig
from specui.core.paths import Project
from specui.runner.manager import PhaseManager
from specui.runner.procid import identify
from specui.store import PhaseRun, SessionStore

got = []
signal.signal(signal.SIGTERM, lambda *_: got.append("SIGTERM"))
project = Project.at(sys.argv[1])
store = SessionStore.open(project)
run_id = "constitution-20260101-000000"
store.update(lambda s: s.runs.append(PhaseRun(
    run_id=run_id, phase="constitution", status="running", pid=os.getpid(),
    log="orchestrator/constitution-20260101-000000.md")))
run_dir = project.runs_dir / run_id
run_dir.mkdir(parents=True)
me = identify(os.getpid())
(run_dir / "status.json").write_text(json.dumps({
    "run_id": run_id, "phase": "constitution", "state": "running",
    "supervisor_pid": os.getpid(), "supervisor_start_time": me.start_time,
    "boot_id": me.boot_id}))
PhaseManager(project, store, RunnerConfig(notify=False, stop_grace_seconds=0.2)).stop()
print(json.dumps({"signals": got, "status": store.state.runs[-1].status}))
"""


def test_stop_never_signals_its_own_process(tmp_path: Path) -> None:
    """A stale run recorded with the workbench's own pid (pid reuse): stop must not SIGTERM
    the caller. The process names specui on its command line, as the TUI does."""
    project = make_project(tmp_path, QUICK)
    result = subprocess.run([sys.executable, "-c", STOP_SELF, str(project.root), "specui"],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome == {"signals": [], "status": "stopped"}


def test_legacy_status_without_identity_is_never_signalled(tmp_path: Path) -> None:
    """status.json from an older specui (no start times): the run is ended, nothing signalled."""
    project = make_project(tmp_path, QUIET)
    manager = manager_for(project)
    run = manager.start("constitution")
    wait_for(lambda: "ready" in manager.log_path(run).read_text())
    pgid = child_pgid(manager)
    try:
        _kill_supervisor(run)
        _edit_status(manager, run, supervisor_start_time=_DROP, pid_start_time=_DROP,
                     boot_id=_DROP)
        final = wait_ended(manager, timeout=5)
        assert group_alive(pgid)  # unverifiable: left alone
        assert final.status == "failed" and "not signalled" in final.message
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)


def test_status_records_identity(tmp_path: Path) -> None:
    project = make_project(tmp_path, QUIET)
    manager = manager_for(project)
    run = manager.start("constitution")
    wait_for(lambda: "ready" in manager.log_path(run).read_text())
    try:
        status = read_status(manager.run_dir(run.run_id))
        assert status is not None
        assert status.boot_id == identify(run.pid).boot_id
        assert status.supervisor_start_time == identify(run.pid).start_time
        assert status.pid_start_time == identify(status.pid).start_time
    finally:
        manager.stop()


# --- stalls in the workbench (detached runs): marked once, then on_stall acts ----------------

RECONNECTING = """
import sys, time
sys.stdin.read()
print("starting", flush=True)
for _ in range(200):  # an unreachable provider: only retry notices, for ~20 s
    print("ERROR: Reconnecting... waiting for network", flush=True)
    time.sleep(0.1)
"""


def test_workbench_notify_marks_stalled_once_without_flapping(tmp_path: Path) -> None:
    project = make_project(tmp_path, RECONNECTING)
    manager = manager_for(project, stall_minutes=0.01)  # the workbench default: notify
    assert manager.on_stall == "notify"
    run = manager.start("constitution")
    wait_for(lambda: manager.refresh() and manager.store.state.runs[-1].stalled)
    flags = []
    for _ in range(10):  # notices keep coming: the flag stays, the run goes on
        manager.refresh()
        flags.append(manager.store.state.runs[-1].stalled)
        time.sleep(0.1)
    assert all(flags) and manager.active() is not None
    vitals = manager.vitals(manager.store.state.runs[-1])
    assert vitals.stalled and vitals.last_notice == "Reconnecting... waiting for network"
    manager.stop(run.run_id)


def test_workbench_on_stall_stop_ends_the_detached_run(tmp_path: Path) -> None:
    project = make_project(tmp_path, RECONNECTING)
    manager = manager_for(project, stall_minutes=0.01, on_stall="stop")
    manager.start("constitution")
    run = wait_ended(manager, timeout=30)
    assert run.status == "failed" and run.exit_code == 143
    assert run.message.startswith("stalled: no progress for")
    assert "last: Reconnecting... waiting for network" in run.message
