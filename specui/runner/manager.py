"""PhaseManager: start, stop, watch and reattach to phase runs; mirror them into the store.

Each run lives in `.specui/runs/<run_id>/` (spec.json, prompt.md, status.json, supervisor.pid)
and is executed by a detached supervisor process (see supervisor.py), so closing or crashing the
workbench never stops it. The store's `runs` list is the UI's view; `refresh()` reconciles it
with what the supervisors wrote (ended, stalled, supervisor gone) and is cheap enough to call
every second. Reattaching is nothing more than `refresh()` on a store that lists a running run.

`PhaseRun.pid` is the supervisor's pid (the process that owns the run); the agent's own pid and
process group are in status.json, with the start times and boot id that identify both (see
procid.py). Nothing is ever signalled on the strength of a pid alone: a run's files outlive its
processes, and by the time someone presses "stop" or reopens the workbench the pid may belong to
anything (the workbench itself included). A process whose identity cannot be verified is treated
as gone: the run is marked ended and nothing is signalled.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from specui.core.codex_events import is_json_command
from specui.core.config import RunnerConfig
from specui.core.errors import SpecuiError
from specui.core.fsio import atomic_write_bytes, atomic_write_text, make_dirs, resolve_target
from specui.core.orchestrator import (
    KNOWN_PHASES,
    ContinueDecision,
    continue_message,
    decide_continue,
    missing_predecessor,
    phase_state,
    resolve_input,
    validate_phase,
    write_checkpoint,
)
from specui.core.paths import Project
from specui.core.prompts import build_prompt, find_prompt
from specui.core.tasks import (
    count_tasks,
    find_tasks_file,
    log_reports_gaps,
    log_reports_no_pending,
)
from specui.runner.procid import (
    group_exists,
    is_same_process,
    pid_file_text,
    process_start_time,
)
from specui.runner.safe_output import Part
from specui.runner.supervisor import (
    ERR_FILE,
    PROMPT_FILE,
    SPEC_FILE,
    RunSpec,
    RunStatus,
    StallAction,
    StallCallback,
    Supervisor,
    now_utc,
    read_pid,
    read_status,
)
from specui.runner.vitals import Vitals, vitals
from specui.runner.workflows import WorkflowRun, gate_choice, list_runs, resume_argv
from specui.store import PhaseRun, SessionStore

log = logging.getLogger(__name__)

_RUN_ID = re.compile(r"^[a-z]+-\d{8}-\d{6}(?:-\d+)?$")
STARTUP_GRACE_S = 15.0  # a run with no status.json yet is 'starting' for this long


@dataclass
class PreparedRun:
    """A run that is fully worked out (prompt, command, paths) but not started."""

    spec: RunSpec
    prompt: str
    run_dir: Path
    prompt_mode: str = "paste"  # "skill": the prompt invokes the phase's skill by name


@dataclass(frozen=True)
class FollowUp:
    """What to start after a run ended: `phase` (None: nothing), its continue message, a note
    for the user, and the outcome so far ("next", "done", "stop", "stopped")."""

    phase: str | None
    continue_message: str | None
    reason: str
    outcome: str


def _order(phase: str) -> int:
    return KNOWN_PHASES.index(phase)


@dataclass(frozen=True)
class RunnerView:
    """Everything a view of the runner shows, worked out in one call (off the UI thread):
    the phases, the run to show (running, else the latest), its vitals, what runs next and
    Spec Kit's workflow runs."""

    rows: list[PhaseRow]
    current: PhaseRun | None
    vitals: Vitals | None
    next_phase: str | None
    workflows: list[WorkflowRun]
    auto_continue: bool
    others: list[str]  # Spec Kit phases outside the rows whose prompts exist (runnable too)


@dataclass(frozen=True)
class PhaseRow:
    """One phase as the runner sees it: its status (implement is only done when tasks.md
    is, see orchestrator.phase_state), a note saying why, and its latest run."""

    name: str
    status: str
    note: str
    run: PhaseRun | None


def pid_alive(pid: int | None, marker: bytes = b"specui") -> bool:
    """True when `pid` is a live (non-zombie) process that looks like ours (pid reuse guard)."""
    if not pid or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    proc = Path("/proc") / str(pid)
    try:
        stat = (proc / "stat").read_text()
        if stat.rsplit(")", 1)[-1].split()[0] in ("Z", "X"):
            return False
        return marker in (proc / "cmdline").read_bytes()
    except (OSError, IndexError):
        return True


def group_alive(pgid: int | None) -> bool:
    return bool(pgid) and group_exists(pgid)  # type: ignore[arg-type]


def supervisor_alive(run_id: str, status: RunStatus | None, pid_hint: int | None) -> bool:
    """Is the supervisor of run `run_id` still running? Read-only; never signals.

    With the identity recorded in status.json: exactly that process (pid, start time, boot id)
    is alive. Without it (status.json not written yet, or written by an older specui): a live
    process with that pid whose command line names this very run (the detached supervisor's
    argv holds the run directory); anything else counts as gone.
    """
    if status is not None and status.supervisor_start_time is not None and status.boot_id:
        return is_same_process(status.supervisor_pid, status.supervisor_start_time,
                               status.boot_id, marker=b"specui")
    pid = (status.supervisor_pid if status is not None else None) or pid_hint
    return pid_alive(pid, marker=run_id.encode())


SUPERVISOR_GONE = "supervisor gone: the run's supervisor exited unexpectedly"


def run_liveness(run: PhaseRun, status: RunStatus | None, run_dir: Path, now: datetime) -> str:
    """What the files say about a run the store lists as running. Read-only; never signals.

    "ended": status.json records the end; "alive": its supervisor is verifiably running;
    "starting": no status.json yet, within the start-up grace; "gone": none of these (the
    supervisor died without writing an end, or its pid now belongs to another process).
    """
    if status is not None and status.ended:
        return "ended"
    if supervisor_alive(run.run_id, status, run.pid or read_pid(run_dir)):
        return "alive"
    started = run.started_at or now
    if status is None and (now - started).total_seconds() < STARTUP_GRACE_S:
        return "starting"
    return "gone"


def observed_run(project: Project, run: PhaseRun, now: datetime | None = None) -> tuple[str, str]:
    """(status, message) of `run` as it stands on disk, for `specui status`: like `refresh()`
    would record it, but without writing anything or signalling anyone. A run whose
    supervisor is gone without recording an end is "failed"."""
    if run.status != "running" or not _RUN_ID.match(run.run_id):
        return run.status, run.message
    run_dir = project.runs_dir / run.run_id
    status = read_status(run_dir)
    liveness = run_liveness(run, status, run_dir, now or now_utc())
    if liveness == "ended":
        assert status is not None
        return status.state, status.message
    if liveness == "gone":
        return "failed", f"{SUPERVISOR_GONE} (not recorded yet: opening specui records it)"
    return run.status, run.message


def verified_supervisor(status: RunStatus | None) -> int | None:
    """The supervisor's pid when it may be signalled: verified, and never this process."""
    if status is None or status.supervisor_pid == os.getpid():
        return None
    if is_same_process(status.supervisor_pid, status.supervisor_start_time, status.boot_id,
                       marker=b"specui"):
        return status.supervisor_pid
    return None


def verified_group(status: RunStatus | None) -> int | None:
    """The agent's process group when it may be signalled: its leader (the agent, pid ==
    pgid) is verifiably the process the supervisor started. A zombie leader counts (its pid,
    and so the group id, cannot be reused before it is reaped)."""
    if status is None or not status.pgid or status.pgid <= 1 or status.pgid != status.pid:
        return None
    if status.pgid == os.getpgrp():
        return None
    if is_same_process(status.pid, status.pid_start_time, status.boot_id, allow_zombie=True):
        return status.pgid
    return None


def _signal_group(pgid: int | None, sig: int) -> None:
    if not pgid or pgid <= 1:
        return
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _busy(run: PhaseRun) -> SpecuiError:
    return SpecuiError(f"phase {run.phase} is already running ({run.run_id}); stop it first")


def resolve_executable(argv: list[str], cwd: Path) -> list[str]:
    """argv with a runnable argv[0], or SpecuiError naming the command and the config key."""
    if not argv or not argv[0]:
        raise SpecuiError("[runner] command in specui.toml is empty")
    name = argv[0]
    if "/" in name:
        path = Path(name) if os.path.isabs(name) else (cwd / name)
        if path.is_file() and os.access(path, os.X_OK):
            return [str(path), *argv[1:]]
    elif shutil.which(name) is not None:
        return list(argv)
    raise SpecuiError(
        f"runner command not found: {name!r} (install it, or set `[runner] command` in specui.toml)"
    )


class PhaseManager:
    """Owns phase runs for one project. Thread-safe through the store; cheap `refresh()`."""

    def __init__(
        self, project: Project, store: SessionStore, config: RunnerConfig, *,
        headless: bool = False,
    ) -> None:
        self.project = project
        self.store = store
        self.config = config
        # A stalled run nobody watches must end by itself; in the workbench a person decides.
        self.on_stall = config.on_stall or ("stop" if headless else "notify")
        # Called with the finished PhaseRun when refresh() sees a run end (TUI: bell, toast).
        self.on_finished: Callable[[PhaseRun], None] | None = None
        self.clock: Callable[[], datetime] = now_utc
        # A run still going on under the auto-continue choice made when it started (or
        # changed while it ran) keeps that choice in a workbench opened later.
        current = self.active()
        if current is not None:
            chosen = self._run_spec(current)
            if chosen is not None and chosen.auto_continue != config.auto_continue:
                self.config = config.model_copy(update={"auto_continue": chosen.auto_continue})

    # ---------------------------------------------------------------- paths
    def run_dir(self, run_id: str) -> Path:
        if not _RUN_ID.match(run_id):
            raise SpecuiError(f"invalid run id {run_id!r}")
        return self.project.runs_dir / run_id

    def log_path(self, run: PhaseRun) -> Path:
        return self.project.root / run.log

    def status_of(self, run: PhaseRun) -> RunStatus | None:
        return read_status(self.run_dir(run.run_id))

    # ---------------------------------------------------------------- queries
    def active(self) -> PhaseRun | None:
        for run in reversed(self.store.state.runs):
            if run.status == "running":
                return run
        return None

    def completed_phases(self) -> set[str]:
        return {run.phase for run in self.store.state.runs if run.status == "done"}

    @property
    def phases(self) -> tuple[str, ...]:
        return tuple(self.config.phases)

    def missing_predecessor(self, phase: str) -> str | None:
        """The configured phase before `phase` when it never completed (the UI asks first)."""
        return missing_predecessor(phase, self.completed_phases(), self.phases)

    def has_prompt(self, phase: str) -> bool:
        try:
            find_prompt(self.project, phase)
        except SpecuiError:
            return False
        return True

    def phase_rows(self) -> list[PhaseRow]:
        """The configured phases, then any other phase that has run, in Spec Kit's order."""
        ran = {run.phase for run in self.store.state.runs}
        names = [p for p in KNOWN_PHASES if p in self.phases or p in ran]
        done, total = self.task_count()
        rows = []
        for name in names:
            run = self.store.state.latest_run(name)
            no_pending = False
            if name == "implement" and run is not None and total is None:
                no_pending = log_reports_no_pending(self._read_log(run))
            status, note = phase_state(
                name, run.status if run else None, tasks_done=done, tasks_total=total,
                log_no_pending=no_pending,
                run_tasks=(run.tasks_done, run.tasks_total) if run else (None, None),
            )
            rows.append(PhaseRow(name, status, note or (run.message if run else ""), run))
        return rows

    def view(self) -> RunnerView:
        """Reconcile (see refresh) and describe the runner for a view."""
        active = self.refresh()
        runs = self.store.state.runs
        current = active or (runs[-1] if runs else None)
        rows = self.phase_rows()
        upcoming = next((r.name for r in rows if r.name in self.phases and r.status != "done"),
                        None)
        return RunnerView(
            rows=rows, current=current,
            vitals=self.vitals(current) if current is not None else None,
            next_phase=upcoming, workflows=self.workflow_runs(),
            auto_continue=self.config.auto_continue,
            others=[p for p in KNOWN_PHASES
                    if p not in {r.name for r in rows} and self.has_prompt(p)],
        )

    def set_auto_continue(self, value: bool) -> None:
        """The A key: from now on, and for the running run even after the workbench closes
        (recorded in its spec.json, which the supervisor read at its start and never again)."""
        self.config = self.config.model_copy(update={"auto_continue": value})
        current = self.active()
        spec = self._run_spec(current) if current is not None else None
        if current is None or spec is None or spec.auto_continue == value:
            return
        try:
            atomic_write_text(self.run_dir(current.run_id) / SPEC_FILE,
                              spec.model_copy(update={"auto_continue": value})
                              .model_dump_json(indent=2))
        except OSError as exc:
            raise SpecuiError(f"auto-continue is {'on' if value else 'off'} in this window, but "
                              f"could not be recorded for {current.run_id}: {exc}") from None

    def vitals(self, run: PhaseRun, now: datetime | None = None) -> Vitals:
        """Elapsed, since output / progress, stalled, tasks and ETA of `run` (see vitals.py)."""
        try:
            run_dir = self.run_dir(run.run_id)
        except SpecuiError:
            run_dir = None
        status = read_status(run_dir) if run_dir is not None else None
        done = total = before = None
        if run.phase in ("implement", "converge"):
            done, total = self.task_count()
            before = self._tasks_before(run)
        return vitals(run, status, now=now or self.clock(), tasks_done=done, tasks_total=total,
                      tasks_before=before, history=list(self.store.state.runs))

    def _tasks_before(self, run: PhaseRun) -> int | None:
        spec = self._run_spec(run)
        return spec.tasks_before if spec is not None else None

    def _run_spec(self, run: PhaseRun) -> RunSpec | None:
        """The run's spec.json (None when it cannot be read: a run from before it existed)."""
        try:
            spec_path = self.run_dir(run.run_id) / SPEC_FILE
            return RunSpec.model_validate_json(spec_path.read_bytes())
        except (OSError, ValueError, SpecuiError):
            return None

    def _read_log(self, run: PhaseRun) -> str:
        try:
            return self.log_path(run).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def past_runs(self, phase: str | None = None) -> list[PhaseRun]:
        """Every recorded run (of `phase`), newest first, for the past-runs list."""
        runs = [r for r in self.store.state.runs if phase is None or r.phase == phase]
        return list(reversed(runs))

    def task_count(self) -> tuple[int | None, int | None]:
        tasks = find_tasks_file(self.project.root)
        if tasks is None:
            return None, None
        try:
            count = count_tasks(tasks.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            return None, None
        return count.done, count.total

    # ---------------------------------------------------------------- preparing
    def prepare(
        self,
        phase: str,
        *,
        input_override: str | None = None,
        force: bool = False,
        continue_message: str | None = None,
        attempt: int = 1,
    ) -> PreparedRun:
        """Work out prompt, command and paths; write nothing. Raises SpecuiError."""
        phase = validate_phase(phase)
        if not force:
            missing = self.missing_predecessor(phase)
            if missing is not None:
                raise SpecuiError(
                    f"phase {phase} comes after {missing}, which has not completed in this "
                    f"project; run {missing} first or use --force"
                )
        root = self.project.root
        arguments = (
            continue_message if continue_message is not None
            else resolve_input(self.project, phase, input_override)
        )
        prompt = build_prompt(self.project, phase, arguments)
        argv = list(self.config.command)
        run_id, log_path = self._new_run(phase)
        watches_tasks = phase in ("implement", "converge")
        tasks_before = self.task_count()[0] if watches_tasks else None
        tasks_file = find_tasks_file(root) if watches_tasks else None
        spec = RunSpec(
            run_id=run_id, phase=phase, argv=argv, cwd=str(root), log_path=str(log_path),
            log_rel=self.project.relative(log_path),
            prompt_source=self.project.relative(prompt.source), attempt=attempt,
            json_mode=is_json_command(argv), notify=self.config.notify,
            grace_seconds=self.config.stop_grace_seconds, tasks_before=tasks_before,
            continue_message=continue_message,
            stall_seconds=self.config.stall_minutes * 60 if self.config.stall_minutes > 0 else None,
            on_stall=self.on_stall, stall_restarts=self.config.stall_restarts,
            tasks_path=str(tasks_file) if tasks_file is not None else None,
            auto_continue=self.config.auto_continue,
        )
        return PreparedRun(spec, prompt.text, self.project.runs_dir / run_id, prompt.mode)

    def _new_run(self, phase: str) -> tuple[str, Path]:
        """(run id, log path). One log per run named `<phase>-<YYYYMMDD-HHMMSS>.md`; two runs
        in the same second take the next free second, so names stay in the contract's format
        and sort by start order."""
        moment = datetime.now().replace(microsecond=0)
        while True:
            stamp = moment.strftime("%Y%m%d-%H%M%S")
            log_path = self.project.orchestrator / f"{phase}-{stamp}.md"
            run_id = f"{phase}-{stamp}"
            if not log_path.exists() and not (self.project.runs_dir / run_id).exists():
                return run_id, log_path
            moment += timedelta(seconds=1)

    # ---------------------------------------------------------------- Spec Kit workflows
    def workflow_runs(self) -> list[WorkflowRun]:
        return list_runs(self.project)

    def decide_gate(self, workflow_run_id: str, decision: str) -> PhaseRun:
        """Approve or reject the gate a Spec Kit workflow run is paused at: `specify workflow
        resume` under a detached supervisor (its log is `orchestrator/workflow-<stamp>.md`),
        the gate's question answered with the chosen option (see workflows.py)."""
        found = next((r for r in list_runs(self.project) if r.run_id == workflow_run_id), None)
        if found is None:
            raise SpecuiError(f"no Spec Kit workflow run {workflow_run_id!r} in this project")
        choice = gate_choice(found, decision)
        self.refuse_if_busy()
        specify = shutil.which("specify")
        if specify is None:
            raise SpecuiError("Spec Kit's `specify` is not on PATH (pip install specify-cli)")
        gate = found.gate.step_id if found.gate else "?"
        return self._start_other(
            "workflow", resume_argv(specify, workflow_run_id), "",
            f".specify/workflows/runs/{workflow_run_id} (gate {gate}: {choice})",
            f"{choice} {found.workflow_id} {workflow_run_id}", gate_answer=choice,
        )

    def start_lane(self, key: str, invocation: str) -> PhaseRun:
        """Start one of seed 004's OMX lanes (`$autopilot <spec>` ...) as a `codex exec` run
        of the runner command: its prompt is exactly the lane's invocation."""
        if not re.fullmatch(r"[a-z]+", key):
            raise SpecuiError(f"invalid lane {key!r}", exit_code=2)
        self.refuse_if_busy()
        return self._start_other(key, list(self.config.command), invocation,
                                 "handoff lane", invocation)

    def _start_other(self, name: str, argv: list[str], prompt: str, source: str,
                     message: str, *, gate_answer: str | None = None) -> PhaseRun:
        """A supervised run that is not a Spec Kit phase (a workflow resume, a lane)."""
        run_id, log_path = self._new_run(name)
        spec = RunSpec(
            run_id=run_id, phase=name, argv=argv, cwd=str(self.project.root),
            log_path=str(log_path), log_rel=self.project.relative(log_path),
            prompt_source=source, json_mode=is_json_command(argv), notify=self.config.notify,
            grace_seconds=self.config.stop_grace_seconds,
            stall_seconds=self.config.stall_minutes * 60, on_stall=self.on_stall,
            stall_restarts=0 if gate_answer is not None else self.config.stall_restarts,
            gate_answer=gate_answer,
        )
        prepared = PreparedRun(spec, prompt, self.project.runs_dir / run_id)
        return self._launch(prepared, message)

    def _materialize(self, prepared: PreparedRun) -> None:
        """The run's folder (prompt, spec.json) and its empty log (written after the claim).
        A refused write (a read-only or immutable folder) is one line naming the file; the
        run's half-written folder goes with it."""
        try:
            self._write_run_files(prepared)
        except OSError as exc:
            shutil.rmtree(prepared.run_dir, ignore_errors=True)
            if isinstance(exc, SpecuiError):
                raise
            where = self.project.relative(Path(exc.filename)) if exc.filename else "its files"
            raise SpecuiError(f"cannot prepare the {prepared.spec.phase} run: {where}: "
                              f"{exc.strerror or exc}", exit_code=1) from exc

    def _write_run_files(self, prepared: PreparedRun) -> None:
        root = self.project.root
        make_dirs(prepared.run_dir, root=root)  # 0700 under .specui/, never through a link out
        atomic_write_bytes(prepared.run_dir / PROMPT_FILE, prepared.prompt.encode("utf-8"))
        atomic_write_text(prepared.run_dir / SPEC_FILE, prepared.spec.model_dump_json(indent=2))
        # The log exists before start() returns, so a viewer can open and tail it at once (the
        # detached supervisor opens it a few ms later and appends, header first).
        log_path = Path(prepared.spec.log_path)
        make_dirs(log_path.parent, root=root)
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC
        os.close(os.open(resolve_target(log_path, root), flags, 0o666))  # 0o666 & ~umask
        if prepared.spec.phase in KNOWN_PHASES:  # a workflow resume is not a phase
            write_checkpoint(self.project, prepared.spec.phase)

    def _claim(self, prepared: PreparedRun, pid: int | None, message: str = "") -> PhaseRun:
        """Record `prepared` as the running run — unless another run is running, whoever
        started it (a second workbench, `specui run`): the check and the record are one store
        update, under its cross-process lock and on what is on disk now, so two processes
        never both start (a check and a record apart would let both pass the check and run
        two agents under one run id). Nothing is written into the run's folder before this.

        The command is resolved here, once per launch, for both start paths: a missing
        binary claims nothing, and what is recorded is the command that was checked."""
        spec = prepared.spec
        spec.argv = resolve_executable(spec.argv, self.project.root)
        done, total = self.task_count() if spec.phase == "implement" else (None, None)
        run = PhaseRun(
            run_id=spec.run_id, phase=spec.phase, status="running", started_at=self.clock(),
            log=spec.log_rel, pid=pid, command=list(spec.argv), attempt=spec.attempt,
            tasks_done=done, tasks_total=total, message=message,
        )

        def apply(session) -> None:
            busy = next((r for r in reversed(session.runs) if r.status == "running"), None)
            if busy is not None:
                raise _busy(busy)
            if any(r.run_id == run.run_id for r in session.runs):
                raise SpecuiError(f"run {run.run_id} was just started elsewhere; try again")
            session.runs.append(run)

        self.store.update(apply, strict=True)
        return run

    def refuse_if_busy(self) -> None:
        """Refuse a start at once while a run is running (an ended one is seen first): the
        claim checks again under the lock, this spares the preparing and says it first."""
        self.refresh(follow_up=False)
        current = self.active()
        if current is not None:
            raise _busy(current)

    def _unclaim(self, run_id: str) -> None:
        """Take back a claim whose run never started (its folder or supervisor failed)."""
        def apply(session) -> None:
            session.runs = [r for r in session.runs if r.run_id != run_id]

        self.store.update(apply)

    def _launch(self, prepared: PreparedRun, message: str = "") -> PhaseRun:
        """Claim, then write the run's folder and start its detached supervisor."""
        run = self._claim(prepared, None, message)
        try:
            self._materialize(prepared)
            pid = self._spawn_detached(prepared.run_dir)
        except BaseException:
            self._unclaim(run.run_id)
            raise

        stopped_meanwhile: list[bool] = []

        def apply(session) -> None:
            for item in session.runs:
                if item.run_id == run.run_id:
                    item.pid = pid
                    stopped_meanwhile.append(item.status != "running")

        self.store.update(apply)
        launched = run.model_copy(update={"pid": pid})
        if any(stopped_meanwhile):
            self._end_launched(launched, prepared.run_dir)
        return launched

    def _end_launched(self, run: PhaseRun, run_dir: Path) -> None:
        """A stop that came while the run was launching found no supervisor and recorded the
        run as stopped: end the supervisor that started since, or its agent runs on unseen
        while the runner says nothing runs (its SIGTERM handler ends the agent's group)."""
        supervisor_pid = verified_supervisor(self._identified_status(run, run_dir))
        if supervisor_pid is not None:
            try:
                os.kill(supervisor_pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    def next_attempt(self, phase: str, continue_message: str | None) -> int:
        if continue_message is None:
            return 1
        previous = self.store.state.latest_run(phase)
        return (previous.attempt + 1) if previous is not None else 1

    # ---------------------------------------------------------------- starting
    def start(
        self,
        phase: str,
        *,
        input_override: str | None = None,
        force: bool = False,
        continue_message: str | None = None,
    ) -> PhaseRun:
        """Start `phase` under a detached supervisor; returns as soon as it runs."""
        self.store.reload()  # another process's runs count too (see _claim)
        self.refuse_if_busy()
        prepared = self.prepare(
            phase, input_override=input_override, force=force, continue_message=continue_message,
            attempt=self.next_attempt(phase, continue_message),
        )
        return self._launch(prepared)

    def continue_implement(self) -> PhaseRun:
        """Re-run implement with seed 002's continue message (the TUI's "Continue")."""
        return self.start("implement", force=True, continue_message=continue_message())

    def _spawn_detached(self, run_dir: Path) -> int | None:
        env = dict(os.environ)
        package_parent = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (package_parent, env.get("PYTHONPATH", "")) if p
        )
        with open(run_dir / ERR_FILE, "ab") as err:
            starter = subprocess.Popen(
                [sys.executable, "-m", "specui.runner.supervisor", str(run_dir), "--detach"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                cwd=self.project.root, env=env, start_new_session=True, close_fds=True,
            )
            try:
                starter.wait(timeout=30)
            except subprocess.TimeoutExpired:
                starter.kill()
                starter.wait()
                raise SpecuiError("the run supervisor did not start within 30 s") from None
        return read_pid(run_dir)

    def run_foreground(
        self,
        prepared: PreparedRun,
        forward: Callable[[bytes], None] | None = None,
        on_stall: StallCallback | None = None,
        *,
        reap_orphans: bool = False,
        forward_clean: Callable[[list[Part]], None] | None = None,
        on_unreachable: Callable[[str], None] | None = None,
        on_claimed: Callable[[PhaseRun], None] | None = None,
    ) -> PhaseRun:
        """Headless: this process is the supervisor (same log and status files).

        `on_claimed(run)` is called once the run is recorded and its log exists, before the
        agent starts (a refused start — a missing binary, another run — never reaches it).

        `on_stall(stalled, idle_seconds, action, restarts)`: see Supervisor.run; the store's `stalled` flag is
        kept in step before it is called. `forward` / `forward_clean` / `on_unreachable`: see
        Supervisor.run.
        `reap_orphans` only for a process that called `become_subreaper()` and has no other
        children (the `specui run` process)."""
        prepared.spec.foreground = True
        run = self._claim(prepared, os.getpid())
        try:
            self._materialize(prepared)
            atomic_write_text(prepared.run_dir / "supervisor.pid", pid_file_text(os.getpid()))
        except BaseException:
            self._unclaim(run.run_id)
            raise
        if on_claimed is not None:
            on_claimed(run)
        supervisor = Supervisor(prepared.run_dir, prepared.spec)
        supervisor.reap_orphans = reap_orphans
        run_id = prepared.spec.run_id

        def stall(stalled: bool, idle: float, action: StallAction | None, restarts: int) -> None:
            self.mark_stalled(run_id, stalled)
            if on_stall is not None:
                on_stall(stalled, idle, action, restarts)

        previous = {
            sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
        }
        supervisor.install_signal_handlers()
        try:
            status = supervisor.run(forward, stall, forward_clean=forward_clean,
                                    on_unreachable=on_unreachable)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return self._finish(prepared.spec.run_id, status)

    # ---------------------------------------------------------------- reconciling
    def _finish(self, run_id: str, status: RunStatus, message: str | None = None) -> PhaseRun:
        return self._record_end(run_id, status, message)[0]

    def _record_end(self, run_id: str, status: RunStatus,
                    message: str | None = None) -> tuple[PhaseRun, bool]:
        """Record the run's end; True when this call did (the run was still running on disk),
        False when another process already had — then only that one follows it up."""
        done, total = (None, None)
        if status.phase == "implement":
            done, total = self.task_count()
        claimed = False

        def apply(session) -> None:
            nonlocal claimed
            for run in session.runs:
                if run.run_id == run_id and run.status == "running":
                    claimed = True
                    run.status = status.state if status.ended else "failed"
                    run.exit_code = status.exit_code
                    run.ended_at = status.ended_at or self.clock()
                    run.stalled = False
                    if status.phase == "implement":
                        run.tasks_done, run.tasks_total = done, total
                    run.message = message or status.message

        session = self.store.update(apply)
        return next(r for r in session.runs if r.run_id == run_id), claimed

    def refresh(self, *, follow_up: bool = True) -> PhaseRun | None:
        """Reconcile running runs with their status files; returns the active run, if any."""
        finished: list[PhaseRun] = []
        for run in list(self.store.state.runs):
            if run.status != "running":
                continue
            try:
                run_dir = self.run_dir(run.run_id)
            except SpecuiError:
                continue
            status = read_status(run_dir)
            liveness = run_liveness(run, status, run_dir, self.clock())
            if liveness == "ended":
                assert status is not None
                spec = self._run_spec(run)
                if spec is not None and spec.foreground and verified_supervisor(status):
                    continue  # `specui run` records its own run's end and follows it up
                ended, claimed = self._record_end(run.run_id, status)
                if claimed:
                    finished.append(ended)
            elif liveness == "gone":
                ended, claimed = self._orphaned(run, status)
                if claimed:
                    finished.append(ended)
            elif liveness == "alive":
                self._update_live(run, status)
        if follow_up:
            for run in finished:
                self._after_finish(run)
        elif self.on_finished is not None:
            for run in finished:
                self._safe_callback(run)
        return self.active()

    def _update_live(self, run: PhaseRun, status: RunStatus | None) -> None:
        # The supervisor is the one judge of a stall (it knows which output is progress).
        stalled = status.stalled if status is not None else run.stalled
        done, total = (run.tasks_done, run.tasks_total)
        if run.phase == "implement":
            done, total = self.task_count()
        if (stalled, done, total) == (run.stalled, run.tasks_done, run.tasks_total):
            return

        def apply(session) -> None:
            for item in session.runs:
                if item.run_id == run.run_id:
                    item.stalled, item.tasks_done, item.tasks_total = stalled, done, total

        self.store.update(apply)

    def _orphaned(self, run: PhaseRun, status: RunStatus | None) -> tuple[PhaseRun, bool]:
        """The supervisor died without a final status: end the agent's group if it is verifiably
        the one the supervisor started (never anything else), close the log, mark it failed."""
        final = status or RunStatus(run_id=run.run_id, phase=run.phase)
        final.state = "failed"
        final.ended_at = self.clock()
        final.message = SUPERVISOR_GONE
        if not self._terminate_group(status) and self._unverified_group(status):
            final.message += "; its processes could not be verified and were not signalled"
        self._close_log(run, final)
        return self._record_end(run.run_id, final)

    @staticmethod
    def _unverified_group(status: RunStatus | None) -> bool:
        return status is not None and group_alive(status.pgid) and verified_group(status) is None

    def _close_log(self, run: PhaseRun, status: RunStatus) -> None:
        """Footer for a log whose supervisor could not write one (it died or was killed)."""
        try:
            atomic_write_text(self.run_dir(run.run_id) / "status.json",
                              status.model_dump_json(indent=2) + "\n")
        except OSError:
            pass
        try:
            with open(self.log_path(run), "ab") as handle:
                handle.write(
                    (f"\n\n---\n\n- result: {status.state}\n- exit code: "
                     f"{status.exit_code if status.exit_code is not None else 'none'}\n"
                     f"- command: {' '.join(run.command)}\n- note: {status.message}\n").encode()
                )
        except OSError:
            pass

    def _terminate_group(self, status: RunStatus | None) -> bool:
        """SIGTERM, then SIGKILL after the grace period, to the agent's group — only when
        `verified_group` vouches for it. True when the group was signalled."""
        pgid = verified_group(status)
        if pgid is None or not group_alive(pgid):
            return False
        assert status is not None
        _signal_group(pgid, signal.SIGTERM)
        deadline = time.monotonic() + self.config.stop_grace_seconds
        while group_alive(pgid) and time.monotonic() < deadline:
            time.sleep(0.05)
        # Still ours? The leader is the same process, or gone while members remain (a group id
        # is not handed out again while any process is in that group).
        leader = process_start_time(pgid, allow_zombie=True)
        if group_alive(pgid) and leader in (None, status.pid_start_time):
            _signal_group(pgid, signal.SIGKILL)
        return True

    def _safe_callback(self, run: PhaseRun) -> None:
        if self.on_finished is None:
            return
        try:
            self.on_finished(run)
        except Exception:  # a broken view must not break the runner
            log.exception("on_finished callback failed")

    def _after_finish(self, run: PhaseRun) -> None:
        """Notify, then start what follows (auto-continue / converge / auto-next), if any."""
        self._safe_callback(run)
        step = self.follow_up(run, auto_continue=self.auto_continue_for(run))
        if step.reason:
            self._set_message(run.run_id, f"{run.message + '; ' if run.message else ''}"
                                          f"{step.reason}")
        if step.phase is None:
            return
        try:
            self.start(step.phase, force=True, continue_message=step.continue_message)
        except SpecuiError as exc:
            self._set_message(run.run_id, f"could not start {step.phase}: {exc}")

    def auto_continue_for(self, run: PhaseRun) -> bool:
        """The auto-continue choice recorded with `run` (A in any window, `specui run
        --auto-continue`), not this process's: whichever process sees the run end follows
        it up, and the foreground `specui run` as well."""
        spec = self._run_spec(run)
        return spec.auto_continue if spec is not None else self.config.auto_continue

    def follow_up(self, run: PhaseRun, *, auto_continue: bool) -> FollowUp:
        """What starts after `run` ended, shared by the workbench and headless `specui run`:
        implement under auto-continue continues, converges once (see decide_continue) or
        stops; a converge that auto-continue started hands back to implement; with auto_next
        a finished phase starts the next configured one."""
        if run.status == "stopped":
            return FollowUp(None, None, "", "stopped")
        if run.phase not in KNOWN_PHASES:  # a Spec Kit workflow resume: nothing follows
            return FollowUp(None, None, "", "done" if run.status == "done" else "stop")
        if run.phase == "implement" and auto_continue:
            decision = self.continue_decision(run)
            reason = f"auto-continue: {decision.reason}"
            if decision.action == "continue":
                return FollowUp("implement", continue_message(), reason, "next")
            if decision.action == "converge":
                return FollowUp("converge", None, reason + "; running converge once", "next")
            return FollowUp(None, None, reason, decision.action)
        if run.phase == "converge" and auto_continue and self._started_by_auto_continue(run):
            if run.status != "done":
                return FollowUp(None, None, "auto-continue: converge failed", "stop")
            return FollowUp("implement", continue_message(), self._after_converge_words(run),
                            "next")
        if run.status == "done" and self.config.auto_next and run.phase != "implement":
            later = [p for p in self.phases if _order(p) > _order(run.phase)]
            if later:
                return FollowUp(later[0], None, "", "next")
        return FollowUp(None, None, "", "done" if run.status == "done" else "stop")

    def _after_converge_words(self, run: PhaseRun) -> str:
        """What converge changed in tasks.md, against the implement run before it."""
        runs = self.store.state.runs
        index = next(i for i, r in enumerate(runs) if r.run_id == run.run_id)
        before = runs[index - 1].tasks_total
        done, total = self.task_count()
        if before is None or done is None or total is None:
            return "auto-continue: implement the tasks converge added"
        open_now = f"({total - done} open)"
        added = total - before
        if added <= 0:
            return f"auto-continue: converge added no task; implement again {open_now}"
        tasks = "task" if added == 1 else "tasks"
        return f"auto-continue: implement the {added} {tasks} converge added {open_now}"

    def _started_by_auto_continue(self, run: PhaseRun) -> bool:
        runs = self.store.state.runs
        index = next((i for i, r in enumerate(runs) if r.run_id == run.run_id), None)
        return bool(index) and runs[index - 1].phase == "implement"  # type: ignore[index]

    def _converged_in_chain(self, run: PhaseRun) -> bool:
        """Has converge run since this implement chain began (its attempt-1 run)?"""
        for earlier in reversed(self.store.state.runs):
            if earlier.run_id == run.run_id:
                continue
            if earlier.phase == "converge":
                return True
            if earlier.phase == "implement" and earlier.attempt <= 1:
                return False
        return False

    def continue_decision(self, run: PhaseRun) -> ContinueDecision:
        log_text = self._read_log(run)
        done, total = self.task_count()
        can_converge = (self.config.auto_converge and self.has_prompt("converge")
                        and not self._converged_in_chain(run))
        return decide_continue(
            tasks_before=self._tasks_before(run), tasks_done=done, tasks_total=total,
            log_no_pending=log_reports_no_pending(log_text),
            run_succeeded=run.status == "done", continues_so_far=run.attempt - 1,
            max_continues=self.config.max_continues,
            log_gaps=log_reports_gaps(log_text), can_converge=can_converge,
        )

    def mark_stalled(self, run_id: str, stalled: bool) -> None:
        """Record that a running run stalled (no output for stall_minutes) or resumed."""

        def apply(session) -> None:
            for run in session.runs:
                if run.run_id == run_id and run.status == "running":
                    run.stalled = stalled

        self.store.update(apply)

    def _set_message(self, run_id: str, message: str) -> None:
        def apply(session) -> None:
            for run in session.runs:
                if run.run_id == run_id:
                    run.message = message

        self.store.update(apply)

    # ---------------------------------------------------------------- stopping
    def stop(self, run_id: str | None = None) -> None:
        """SIGTERM to the run's supervisor (which ends the agent's group, SIGKILL after the grace
        period) and record 'stopped'. Only verified processes are signalled (see procid.py)."""
        run = None
        for item in reversed(self.store.state.runs):
            if (run_id is None and item.status == "running") or item.run_id == run_id:
                run = item
                break
        if run is None or run.status != "running":
            return
        run_dir = self.run_dir(run.run_id)
        status = self._identified_status(run, run_dir)
        grace = self.config.stop_grace_seconds
        supervisor_pid = verified_supervisor(status)
        if supervisor_pid is not None:
            assert status is not None

            def still_there() -> bool:
                return is_same_process(supervisor_pid, status.supervisor_start_time,
                                       status.boot_id, marker=b"specui")

            try:
                os.kill(supervisor_pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            deadline = time.monotonic() + grace + 5
            while still_there() and time.monotonic() < deadline:
                time.sleep(0.05)
            latest = read_status(run_dir)
            if (latest is None or not latest.ended) and still_there():
                try:
                    os.kill(supervisor_pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        status = read_status(run_dir) or status
        if status is not None and status.ended:
            self._finish(run.run_id, status)
            return
        signalled = self._terminate_group(status)
        final = status or RunStatus(run_id=run.run_id, phase=run.phase)
        final.state = "stopped"
        final.ended_at = self.clock()
        final.message = "stopped by the user"
        if supervisor_pid is None and not signalled and (
            self._unverified_group(status)
            or supervisor_alive(run.run_id, status, run.pid or read_pid(run_dir))
        ):
            final.message += "; its processes could not be verified and were not signalled"
        self._close_log(run, final)
        self._finish(run.run_id, final)

    def _identified_status(self, run: PhaseRun, run_dir: Path, wait_s: float = 5.0):
        """status.json, waiting (briefly) while a just-started supervisor has not written its
        identity yet. A status without identity (older specui) is returned as it is."""
        deadline = time.monotonic() + wait_s
        while True:
            status = read_status(run_dir)
            if status is not None or time.monotonic() >= deadline:
                return status
            if not pid_alive(run.pid or read_pid(run_dir), marker=run.run_id.encode()):
                return None
            time.sleep(0.05)
