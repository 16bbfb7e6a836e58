"""The small process that owns one phase run, so the run outlives the workbench.

A pipe from the agent straight into the TUI would die with the TUI and take the agent with it on
its next write. Instead the TUI starts `python -m specui.runner.supervisor RUN_DIR --detach`,
which double-forks (so no one has to reap it and it leaves the TUI's session), starts the
command in its own process group with the prompt file on stdin, and appends every line the
command prints to the log `orchestrator/<phase>-<stamp>.md` as it arrives (unbuffered `os.write`,
so the log holds every line produced so far even if everything else is killed), sanitized line
by line: colours kept, every other escape sequence (clear screen, OSC 52 clipboard writes,
titles) stripped, so `cat`-ing a log never replays them (see safe_output.py). It writes
`status.json` (atomically) so any later process can see pid, pgid, state, exit code, the time of
the last output and whether a `turn.failed` event was seen. It reaps the child: no zombies.

Headless `specui run` runs the same `Supervisor` in the foreground, so the log and status files
are identical in both modes; it shows the output through `forward` (every raw chunk: the
`--json` row renderer) or `forward_clean` (the log's own sanitized bytes, in the same parts and
at the same moments as they are written: the plain terminal forwarder, no second scan).

Throughput: a flooding agent is read 1 MiB at a time; each read is checked and its whole lines
written (log: one writev; terminal: the same parts) without copying it (safe_output.py).

Stop: SIGTERM/SIGINT/SIGHUP to the supervisor -> SIGTERM to the child's group, SIGKILL after
the grace period (the guard's, see below; the supervisor's own SIGKILL of the group follows
GUARD_MARGIN_S later), footer, state "stopped".

Nothing left behind: on Linux the agent runs under guard.py, which leads the agent's group, is
its child subreaper and learns of the supervisor's death (PR_SET_PDEATHSIG): a process that
left the group (`setsid sleep 301`, a double-forked daemon) is still below it and is killed when
the agent ends, when the run is stopped, and when the supervisor itself is killed with -9 (also
a headless `specui run`). The supervisor (a process of its own in both modes) is a child
subreaper too: whatever escapes a guard killed by the group SIGKILL comes to it, and after the
group is killed it kills and reaps every descendant it has. Limit: a process started through
another service (systemd-run, at, a container runtime) is nobody's descendant and survives.

Stalls: no *progress* for `stall_seconds` -> `on_stall(True, idle, action, restarts)` once
(what the supervisor does about it, and the restarts done before), and
`on_stall(False, 0, None, restarts)` when progress resumes. Progress is output that shows the agent working
(`codex_events.is_progress_line`: not a retry/reconnect notice, error row or empty line) or a
change of tasks.md; Codex prints "Reconnecting... waiting for network" forever against an
unreachable provider, and counting that as output made the stall flag flap and the run never
end. Then `spec.on_stall` decides: "notify" (flag only; the run goes on), "stop" (end the run:
state failed, message naming the cause and the last notice), "restart" (end the agent and start
it again in the same run and log, at most `stall_restarts` times, then stop). status.json
carries `stalled`, `last_progress_at` and `last_notice`. Codex's reconnect notices alone
spanning UNREACHABLE_SECONDS set `unreachable` ("codex cannot reach the model provider (...)"),
log it and call `on_unreachable`; only a flag (the stall rules still decide), cleared by
progress.

Exit codes are recorded as a shell shows them: a child killed by signal N is 128 + N (143 for
SIGTERM), not Python's -N.
"""

from __future__ import annotations

import argparse
import errno
import os
import pty
import re
import select
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from specui.core.ansi import strip_ansi
from specui.core.codex_events import is_progress_line, parse_event, reconnect_detail
from specui.core.fsio import atomic_write_text, make_dirs, resolve_target
from specui.core.loader import LoadError, load_json_text, read_file_bytes
from specui.core.orchestrator import run_outcome
from specui.core.tasks import count_tasks
from specui.runner import guard
from specui.runner.procid import identify, pid_file_text, read_pid_file
from specui.runner.safe_output import LineSanitizer, Part

RunState = Literal["starting", "running", "done", "failed", "stopped"]
ENDED_STATES: frozenset[str] = frozenset({"done", "failed", "stopped"})

SPEC_FILE = "spec.json"
STATUS_FILE = "status.json"
PID_FILE = "supervisor.pid"
PROMPT_FILE = "prompt.md"
ERR_FILE = "supervisor.err"

STATUS_INTERVAL_S = 1.0   # status.json is rewritten at most this often while output flows
DRAIN_AFTER_EXIT_S = 2.0  # how long to keep reading after the child exited (grandchildren)
READ_SIZE = 1 << 20       # big reads: fewer syscalls when the agent floods its output
PIPE_SIZE = 1 << 20
BATCH_THRESHOLD = 4096    # a read this big means output is flooding in ...
BATCH_SLEEP_S = 0.002     # ... so wait this long before the next read (adds <= 2 ms latency)
F_SETPIPE_SZ = 1031       # Linux fcntl: grow the pipe so the child blocks less often
GUARD_MARGIN_S = 1.0      # the guard kills the agent at the end of the grace; the group's
                          # SIGKILL comes this much later, should the guard not have


def _grow_pipe(fd: int) -> None:
    try:
        import fcntl

        fcntl.fcntl(fd, F_SETPIPE_SZ, PIPE_SIZE)
    except (ImportError, OSError):
        pass


def become_subreaper() -> bool:
    """Adopt the orphans our descendants leave behind (so we can reap them). Linux only;
    False when unavailable. Only for a process that owns its children: it changes who must
    reap every orphaned descendant, and `reap_orphans` then kills every descendant at the end
    of a run."""
    return guard.prctl(guard.PR_SET_CHILD_SUBREAPER, 1)


def now_utc() -> datetime:
    return datetime.now(UTC)


class RunSpec(BaseModel):
    """Everything the supervisor needs, written by the starter to RUN_DIR/spec.json."""

    model_config = ConfigDict(extra="ignore")

    run_id: str
    phase: str
    argv: list[str]
    cwd: str
    log_path: str           # absolute
    log_rel: str            # as shown to users
    prompt_source: str = ""  # project-relative prompt file the text came from
    attempt: int = 1
    json_mode: bool = False
    notify: bool = True
    grace_seconds: float = 5.0
    tasks_before: int | None = None
    continue_message: str | None = None
    stall_seconds: float | None = None  # no progress for this long -> stalled (None: never)
    on_stall: Literal["notify", "stop", "restart"] = "notify"
    stall_restarts: int = 1
    tasks_path: str | None = None  # tasks.md whose changes count as progress (absolute)
    # Implement: the auto-continue choice this run goes on under (the workbench's A key); a
    # workbench reopened while it runs takes the choice back from here (PhaseManager).
    auto_continue: bool = False
    # Run by `specui run` in the foreground: that process records the end and follows it up.
    foreground: bool = False
    # A Spec Kit workflow resume: stdin is a pseudo-terminal, the first gate question gets
    # this answer and any later one is interrupted (Spec Kit pauses the run there again).
    gate_answer: str | None = None


class RunStatus(BaseModel):
    model_config = ConfigDict(extra="ignore")

    run_id: str
    phase: str
    state: RunState = "starting"
    supervisor_pid: int | None = None
    # Identity (see procid.py): a pid is only signalled when its start time and the boot id
    # still match these. Absent in status files written before they existed: never signalled.
    supervisor_start_time: int | None = None
    boot_id: str | None = None
    pid: int | None = None
    pid_start_time: int | None = None  # the agent's; it leads its own group (pgid == pid)
    pgid: int | None = None
    started_at: datetime = Field(default_factory=now_utc)
    last_output_at: datetime | None = None
    last_progress_at: datetime | None = None
    last_notice: str = ""  # the latest output line that was not progress (retry notice, ...)
    # "codex cannot reach the model provider (...)": nothing but reconnect notices since the last
    # progress, for UNREACHABLE_SECONDS; cleared by progress. A flag, the run goes on.
    unreachable: str = ""
    restarts: int = 0
    ended_at: datetime | None = None
    exit_code: int | None = None
    turn_failed: bool = False
    stalled: bool = False
    # implement: tasks.md when the run ended (a run that ends well with tasks open did not get
    # implement done; see run_outcome).
    tasks_done: int | None = None
    tasks_total: int | None = None
    lines: int = 0
    bytes: int = 0
    message: str = ""

    @property
    def ended(self) -> bool:
        return self.state in ENDED_STATES


STATUS_LIMIT = 1024 * 1024  # status.json is well under 4 KB
# Codex retries a provider it cannot connect to for as long as it runs; once its reconnect notices
# alone span this long (notice to notice: after an outage that healed they stop) the phase says
# so (status.unreachable), long before stall_minutes.
UNREACHABLE_SECONDS = 60.0
TASKS_LIMIT = 8 * 1024 * 1024


def read_status(run_dir: Path) -> RunStatus | None:
    """status.json under core.loader's rules (a FIFO or directory in its place cannot hang or
    crash a reader), or None when it is missing or unusable."""
    try:
        data = read_file_bytes(run_dir / STATUS_FILE, what=STATUS_FILE, max_bytes=STATUS_LIMIT)
        return RunStatus.model_validate(load_json_text(data, what=STATUS_FILE))
    except (LoadError, ValueError):
        return None


def read_pid(run_dir: Path) -> int | None:
    """The supervisor's pid from supervisor.pid, only while that very process (pid and start
    time) still runs; None otherwise."""
    return read_pid_file(run_dir / PID_FILE)


def _guarded(argv: list[str], cwd: str, grace: float) -> list[str]:
    """`argv` run under guard.py (see the module docstring), where Linux has what it needs.
    A command that cannot be started raises OSError here, as Popen would, so the error is
    reported the same with or without the guard."""
    if not sys.platform.startswith("linux") or not os.path.isdir("/proc"):
        return argv
    exe = argv[0]
    if os.sep in exe:
        path = os.path.join(cwd, exe)
        if not os.path.exists(path):
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), exe)
        if os.path.isdir(path) or not os.access(path, os.X_OK):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), exe)
    elif shutil.which(exe) is None:
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), exe)
    return [sys.executable, "-S", "-E", guard.__file__, f"{grace:g}", "--", *argv]


def _write_all(fd: int, data: bytes | memoryview) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _writev_all(fd: int, parts: list[Part]) -> None:
    """All of `parts`, in order: one writev (a log file takes it whole), the rest if it was cut."""
    written = os.writev(fd, parts)
    for part in parts:
        size = len(part)
        if written >= size:
            written -= size
            continue
        _write_all(fd, memoryview(part)[written:])
        written = 0


def _is_turn_failed(line: bytes) -> bool:
    from specui.core.codex_events import is_turn_failed  # only --json runs need the models

    return is_turn_failed(line.decode("utf-8", "replace"))


GATE_PROMPT = b"Choose ["  # Spec Kit's gate step: `Choose [1-2]: `
MAX_CARRY = 64 * 1024  # an unterminated line longer than this counts as progress at once


def shell_exit_code(code: int) -> int:
    """A return code as a shell shows it: killed by signal N -> 128 + N (SIGTERM: 143)."""
    return 128 - code if code < 0 else code


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _fmt_minutes(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60} min" if seconds >= 60 and seconds % 60 == 0 else (
        f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds} s")


def _notice_text(line: bytes, limit: int = 160) -> str:
    """A notice line for a one-line message: the event's message for a `--json` line, no
    `ERROR:` prefix, escapes and controls gone, at most `limit` characters."""
    text = strip_ansi(line.decode("utf-8", "replace")).strip()
    event = parse_event(text) if text.startswith("{") else None
    if event is not None:
        text = event.message or (event.error.message if event.error else None) or text
        if event.item is not None and event.item.message:
            text = event.item.message
    text = re.sub(r"^(?:ERROR|error):\s*", "", text)
    text = "".join(ch for ch in text if ch.isprintable()).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _fmt_time(moment: datetime) -> str:
    return moment.astimezone().isoformat(timespec="seconds")



StallAction = Literal["notify", "restart", "stop"]
# on_stall(stalled, idle seconds, what the supervisor does about it (None: progress resumed),
# restarts done before this stall)
StallCallback = Callable[[bool, float, StallAction | None, int], None]


def stall_action(on_stall: str, restarts_done: int, restarts_allowed: int) -> StallAction:
    """What a stall leads to under `[runner] on_stall`: "restart" while restarts are left,
    then "stop"."""
    if on_stall == "notify":
        return "notify"
    if on_stall == "restart" and restarts_done < restarts_allowed:
        return "restart"
    return "stop"

class Supervisor:
    """Runs one command, logs it, keeps status.json current. One instance per run."""

    def __init__(self, run_dir: Path, spec: RunSpec | None = None) -> None:
        self.run_dir = Path(run_dir)
        self.spec = spec or RunSpec.model_validate_json((self.run_dir / SPEC_FILE).read_bytes())
        me = identify(os.getpid())
        self.status = RunStatus(run_id=self.spec.run_id, phase=self.spec.phase,
                                supervisor_pid=os.getpid(),
                                supervisor_start_time=me.start_time if me else None,
                                boot_id=me.boot_id if me else None)
        self._stop_requested = False
        self._kill_at: float | None = None
        self._guard_margin = 0.0
        self._proc: subprocess.Popen[bytes] | None = None
        self._log_fd = -1
        self._tail = b""
        self._clean = LineSanitizer()  # raw output -> the log's safe lines
        self._forward_clean: Callable[[list[Part]], None] | None = None
        self._last_status_write = 0.0
        self._dirty = False
        self._lines = 0
        self._bytes = 0
        self._last_output: float | None = None
        self._last_progress: float | None = None  # wall clock, for status.json
        self._last_activity = time.monotonic()  # progress, or the start: idleness counts from here
        self._line_carry = b""  # the unterminated end of the output, for judging whole lines
        self._tasks_sig: tuple[int, int] | None = None
        # status.last_notice came after the last progress: a failed end names it as the cause.
        self._notice_after_progress = False
        self._tasks_checked = 0.0
        self._stall_action: str | None = None  # "stop" | "restart" once a stall acted
        self._pty_master: int | None = None
        self._gates_seen = 0
        self._gate_tail = b""
        self._on_stall: StallCallback | None = None
        self._on_unreachable: Callable[[str], None] | None = None
        # First and latest reconnect notice since the last progress (None: none), and what the
        # latest said went wrong.
        self._reconnecting_since: float | None = None
        self._reconnect_last = 0.0
        self._reconnect_detail = ""
        self.reap_orphans = False  # set by owners that called become_subreaper()

    # ---------------------------------------------------------------- status / log helpers
    def _write_status(self) -> None:
        status = self.status
        status.lines, status.bytes = self._lines, self._bytes
        if self._last_output is not None:
            status.last_output_at = datetime.fromtimestamp(self._last_output, UTC)
        if self._last_progress is not None:
            status.last_progress_at = datetime.fromtimestamp(self._last_progress, UTC)
        atomic_write_text(self.run_dir / STATUS_FILE, self.status.model_dump_json(indent=2) + "\n")
        self._last_status_write = time.monotonic()
        self._dirty = False

    def _log(self, text: str) -> None:
        _write_all(self._log_fd, text.encode("utf-8"))

    def _write_clean(self, data: bytes) -> None:
        if data:
            self._write_parts([data])

    def _write_parts(self, parts: list[Part]) -> None:
        """Sanitized output: to the log, and to the headless terminal if there is one."""
        if not parts:
            return
        _writev_all(self._log_fd, parts)
        if self._forward_clean is not None:
            self._forward_clean(parts)

    def _header(self) -> str:
        spec = self.spec
        lines = [
            f"# specui run: {spec.phase}",
            "",
            f"- phase: {spec.phase}",
            f"- command: {shlex.join(spec.argv)}",
            f"- started: {_fmt_time(self.status.started_at)}",
            f"- attempt: {spec.attempt}",
        ]
        if spec.prompt_source:
            lines.append(f"- prompt: {spec.prompt_source}")
        if spec.continue_message:
            lines.append("- input: continue message")
        return "\n".join(lines) + "\n\n---\n\n"

    def _footer(self) -> str:
        status = self.status
        ended = status.ended_at or now_utc()
        duration = (ended - status.started_at).total_seconds()
        outcome = run_outcome(status.phase, status.state, status.tasks_done, status.tasks_total)
        lines = [
            "",
            "---",
            "",
            f"- result: {outcome}",
            f"- exit code: {status.exit_code if status.exit_code is not None else 'none'}",
            f"- duration: {duration:.1f} s",
            f"- command: {shlex.join(self.spec.argv)}",
            f"- ended: {_fmt_time(ended)}",
        ]
        if status.tasks_total is not None:
            lines.append(f"- tasks: {status.tasks_done}/{status.tasks_total} done")
        if status.turn_failed:
            lines.append("- turn failed: yes")
        if status.message:
            lines.append(f"- note: {status.message}")
        return "\n".join(lines) + "\n"

    # ---------------------------------------------------------------- signals
    def request_stop(self, *_args: object) -> None:
        """Stop the run: SIGTERM the child's group now, SIGKILL after the grace period."""
        self._stop_requested = True
        self._terminate()

    def _terminate(self) -> None:
        """SIGTERM the child's group (once); the guard kills the agent after the grace period,
        the supervisor the whole group GUARD_MARGIN_S later (at the grace when unguarded)."""
        if self._proc is not None and self._proc.returncode is None and self._kill_at is None:
            self._signal_group(signal.SIGTERM)
            self._kill_at = time.monotonic() + self.spec.grace_seconds + self._guard_margin

    def _signal_group(self, sig: int) -> None:
        pgid = self.status.pgid
        if pgid is None:
            return
        try:
            os.killpg(pgid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def install_signal_handlers(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self.request_stop)

    # ---------------------------------------------------------------- main loop
    def run(
        self,
        forward: Callable[[bytes], None] | None = None,
        on_stall: StallCallback | None = None,
        *,
        forward_clean: Callable[[list[Part]], None] | None = None,
        on_unreachable: Callable[[str], None] | None = None,
    ) -> RunStatus:
        """Run the command to the end. `forward` gets every raw chunk, `forward_clean` every
        piece of sanitized output the log gets, when the log gets it (headless mode; the parts
        may be memoryviews valid during the call only); `on_stall(stalled, idle_seconds, action,
        restarts)` is called when the run stalls (before `action` is carried out) and when it
        resumes (action None), `on_unreachable(text)` when it has heard
        nothing but reconnect notices for UNREACHABLE_SECONDS (status.unreachable)."""
        self._on_stall = on_stall
        self._on_unreachable = on_unreachable
        self._forward_clean = forward_clean
        spec = self.spec
        # Inside the project only (a log folder linked out of it is refused), 0o666 & ~umask.
        root = spec.cwd
        log_path = make_dirs(Path(spec.log_path).parent, root=root) / Path(spec.log_path).name
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC
        self._log_fd = os.open(resolve_target(log_path, root), flags, 0o666)
        try:
            self._log(self._header())
            self._write_status()
            try:
                self._spawn_and_pump(forward)
            except BaseException as exc:
                # Never leave the agent running unsupervised, nor a status that says "running".
                self._signal_group(signal.SIGKILL)
                if self.reap_orphans:
                    guard.sweep(0.0)
                if self._proc is not None:
                    self._proc.wait()
                    self.status.exit_code = self._proc.returncode
                self.status.state = "stopped" if isinstance(exc, KeyboardInterrupt) else "failed"
                self.status.ended_at = now_utc()
                self.status.message = f"supervisor error: {type(exc).__name__}: {exc}"
                self._write_clean(self._clean.flush())
                self._log(self._footer())
                self._write_status()
                raise
            self._write_clean(self._clean.flush())
            self._log(self._footer())
        finally:
            os.close(self._log_fd)
        self._write_status()
        if spec.notify:
            from specui.runner.notify import end_message, tmux_message

            ended = self.status.ended_at or now_utc()
            duration = (ended - self.status.started_at).total_seconds()
            outcome = run_outcome(spec.phase, self.status.state, self.status.tasks_done,
                                  self.status.tasks_total)
            tmux_message(end_message(spec.phase, outcome, self.status.exit_code, duration))
        return self.status

    def _spawn_and_pump(self, forward: Callable[[bytes], None] | None) -> None:
        """Run the command; again after a stall when on_stall = "restart" allows it."""
        status = self.status
        while True:
            code = self._run_once(forward)
            if code is None:  # could not start, or stopped before start
                return
            if self._stall_action == "restart" and not self._stop_requested:
                self._stall_action = None
                status.restarts += 1
                status.stalled = False
                self._log(f"\nspecui: restarting {self.spec.phase} after a stall "
                          f"({status.restarts}/{self.spec.stall_restarts}): {status.message}\n\n")
                status.message = ""
                status.unreachable = ""
                self._last_activity = time.monotonic()
                self._reconnecting_since = None
                continue
            break
        status.stalled = False
        if self._tail and self.spec.json_mode and _is_turn_failed(self._tail):
            status.turn_failed = True
        status.exit_code = shell_exit_code(code)
        status.ended_at = now_utc()
        if self._stall_action == "stop":
            status.state = "failed"  # the message names the stall (see _act_on_stall)
        elif self._stop_requested:
            status.state = "stopped"
            status.message = status.message or "stopped by the user"
        elif code == 0 and not status.turn_failed:
            status.state = "done"
        else:
            status.state = "failed"
            if code < 0:
                status.message = f"killed by signal {-code} ({_signal_name(-code)})"
            elif status.turn_failed:
                status.message = (f"the agent's turn failed: {status.last_notice}"
                                  if self._notice_after_progress and status.last_notice
                                  else "the agent's turn failed (turn.failed)")
            elif self._notice_after_progress:
                status.message = status.last_notice
        if self.spec.phase == "implement":
            status.tasks_done, status.tasks_total = self._count_tasks()

    def _count_tasks(self) -> tuple[int | None, int | None]:
        """tasks.md's done/total now (None, None without one or when it cannot be read)."""
        path = self.spec.tasks_path
        if path is None:
            return None, None
        try:
            data = read_file_bytes(path, what="tasks.md", max_bytes=TASKS_LIMIT)
        except LoadError:
            return None, None
        count = count_tasks(data.decode("utf-8", "replace"))
        return count.done, count.total

    def _run_once(self, forward: Callable[[bytes], None] | None) -> int | None:
        """Start the command and pump its output until it exits; its raw return code (None
        when it never started)."""
        spec, status = self.spec, self.status
        if self._stop_requested:
            status.state, status.ended_at, status.message = "stopped", now_utc(), "stopped before start"
            return None
        try:
            argv = _guarded(spec.argv, spec.cwd, spec.grace_seconds)
            self._guard_margin = GUARD_MARGIN_S if argv is not spec.argv else 0.0
            if spec.gate_answer is not None:
                self._pty_master, slave = pty.openpty()
                try:
                    self._proc = subprocess.Popen(
                        argv, stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                        cwd=spec.cwd, start_new_session=True, close_fds=True,
                    )
                finally:
                    os.close(slave)
            else:
                with open(self.run_dir / PROMPT_FILE, "rb") as prompt:
                    self._proc = subprocess.Popen(
                        argv, stdin=prompt, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                        cwd=spec.cwd, start_new_session=True, close_fds=True,
                    )
        except OSError as exc:
            status.state, status.ended_at = "failed", now_utc()
            status.exit_code = 127 if isinstance(exc, FileNotFoundError) else 126
            status.message = f"cannot start {spec.argv[0]!r}: {exc.strerror or exc}"
            self._log(f"specui: {status.message}\n")
            return None
        proc = self._proc
        status.pid = proc.pid  # the guard, when there is one; it leads the agent's group
        status.pgid = proc.pid  # start_new_session: the child leads its own group
        # Not reaped yet, so readable even if it already exited (then a zombie).
        child = identify(proc.pid, allow_zombie=True)
        status.pid_start_time = child.start_time if child else None
        if status.boot_id is None and child is not None:
            status.boot_id = child.boot_id
        status.state = "running"
        self._last_activity = time.monotonic()
        self._kill_at = None
        self._write_status()
        if self._stop_requested:  # a signal arrived while spawning
            self._stop_requested = False
            self.request_stop()
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        _grow_pipe(fd)
        exited_at: float | None = None
        while True:
            timeout = 0.5
            try:
                ready, _, _ = select.select([fd], [], [], timeout)
            except InterruptedError:  # pragma: no cover - PEP 475 retries select
                ready = []
            if ready:
                chunk = os.read(fd, READ_SIZE)
                if not chunk:
                    break
                self._on_output(chunk, forward)
                if len(chunk) >= BATCH_THRESHOLD:
                    # A flood: let the pipe fill a little so each wake-up moves more bytes
                    # (thousands of 8 KiB wake-ups cost more than the copying itself).
                    time.sleep(BATCH_SLEEP_S)
            else:
                self._write_clean(self._clean.idle())  # a quiet moment: a waiting prompt shows
            now = time.monotonic()
            if self._kill_at is not None and now >= self._kill_at:
                self._signal_group(signal.SIGKILL)
                self._kill_at = None
            if exited_at is None and not ready and proc.poll() is not None:
                exited_at = now
            if exited_at is not None and not ready and now - exited_at > DRAIN_AFTER_EXIT_S:
                break  # grandchildren keep the pipe open; they are dealt with below
            if exited_at is None:
                self._check_tasks(now)
                self._check_stall(now)
                self._check_unreachable()
            if self._dirty and now - self._last_status_write >= STATUS_INTERVAL_S:
                self._write_status()
        proc.stdout.close()
        code = proc.wait()
        if self._pty_master is not None:
            os.close(self._pty_master)
            self._pty_master = None
        # No orphans: whatever is left in the child's group goes with it.
        self._signal_group(signal.SIGTERM)
        self._signal_group(signal.SIGKILL)
        if self.reap_orphans:
            guard.sweep(0.0)  # everything adopted (see the module docstring), then reaped
        return code

    def _check_tasks(self, now: float) -> None:
        """A change of tasks.md (an agent ticking off a task) is progress. Checked at most
        once a second: one stat."""
        path = self.spec.tasks_path
        if path is None or now - self._tasks_checked < 1.0:
            return
        self._tasks_checked = now
        try:
            st = os.stat(path)
            sig: tuple[int, int] | None = (st.st_mtime_ns, st.st_size)
        except OSError:
            sig = None
        if self._tasks_sig is not None and sig != self._tasks_sig:
            self._progress()
        self._tasks_sig = sig

    def _check_stall(self, now: float) -> None:
        """Flag (once) a run that made no progress for `stall_seconds`; then act on it."""
        limit = self.spec.stall_seconds
        if limit is None or limit <= 0 or self.status.stalled:
            return
        idle = now - self._last_activity
        if idle < limit:
            return
        self.status.stalled = True
        self._write_status()
        action = stall_action(self.spec.on_stall, self.status.restarts, self.spec.stall_restarts)
        self._notify_stall(True, idle, action)
        self._act_on_stall(action, idle)

    def _act_on_stall(self, action: StallAction, idle: float) -> None:
        cause = f"no progress for {_fmt_minutes(idle)}"
        if action == "notify":  # the run goes on; its log keeps the trace (see _progress)
            last = f" (last: {self.status.last_notice})" if self.status.last_notice else ""
            self._log(f"\nspecui: {cause}; the run goes on{last}\n")
            return
        if self.status.last_notice:
            cause += f"; last: {self.status.last_notice}"
        if action == "restart":
            self._stall_action = "restart"
            self.status.message = cause
        else:
            self._stall_action = "stop"
            self.status.message = f"stalled: {cause}"
        self._log(f"\nspecui: {self.status.message}\n")
        self._terminate()
        self._write_status()

    def _check_unreachable(self) -> None:
        """Say (once per stretch) that reconnect notices alone span UNREACHABLE_SECONDS. Not a
        stall and not a kill: a phase may outlive a short outage, and stall_minutes with
        [runner] on_stall still decides when it ends."""
        since = self._reconnecting_since
        if since is None or self.status.unreachable:
            return
        span = self._reconnect_last - since
        if span < UNREACHABLE_SECONDS:
            return
        text = f"codex cannot reach the model provider ({self._reconnect_detail})"
        self.status.unreachable = text
        self._log(f"\nspecui: {text} for {_fmt_minutes(span)}; it keeps retrying\n")
        self._write_status()
        if self._on_unreachable is not None:
            try:
                self._on_unreachable(text)
            except Exception as exc:  # noqa: BLE001 - a reporting problem must not end the run
                self._log(f"specui: report failed: {type(exc).__name__}: {exc}\n")

    def _notify_stall(self, stalled: bool, idle: float, action: StallAction | None) -> None:
        if self._on_stall is None:
            return
        try:
            self._on_stall(stalled, idle, action, self.status.restarts)
        except Exception as exc:  # noqa: BLE001 - a reporting problem must not end the run
            self._log(f"specui: stall report failed: {type(exc).__name__}: {exc}\n")

    def _progress(self) -> None:
        idle = time.monotonic() - self._last_activity
        self._last_progress = time.time()
        self._last_activity = time.monotonic()
        self._reconnecting_since = None
        self._notice_after_progress = False
        self._dirty = True
        status = self.status
        if status.unreachable:
            status.unreachable = ""
            self._write_status()
        if status.stalled and self._stall_action is None:
            status.stalled = False
            self._log(f"\nspecui: progress again after {_fmt_minutes(idle)}\n")
            self._write_status()
            self._notify_stall(False, 0.0, None)

    def _judge_lines(self, chunk: bytes) -> None:
        """Progress or not, line by line (whole lines only: half of "Reconnecting..." must
        not pass for progress). Stops at the first progress line, so a flood costs one line."""
        data = self._line_carry + chunk if self._line_carry else chunk
        end = data.rfind(b"\n")
        if end == -1:
            self._line_carry = data
            if len(data) > MAX_CARRY:  # one huge line being written: that is work
                self._line_carry = b""
                self._progress()
            return
        tail = data[end + 1 :]
        self._line_carry = tail if len(tail) <= MAX_CARRY else b""
        start = 0
        notice = b""
        while start <= end:
            nl = data.find(b"\n", start, end + 1)
            line = data[start:nl]
            start = nl + 1
            if is_progress_line(line):
                self._progress()
                # The read's last line only (a flood costs one more line): an agent's
                # closing error printed right after its work.
                last = data[data.rfind(b"\n", 0, end) + 1 : end]
                if nl < end and last.strip() and not is_progress_line(last):
                    self._note_reconnect(last)
                    self._notice(last)
                return
            if line.strip():
                notice = line
                self._note_reconnect(line)
        if notice:
            self._notice(notice)

    def _notice(self, line: bytes) -> None:
        self.status.last_notice = _notice_text(line)
        self._notice_after_progress = True
        self._dirty = True

    def _note_reconnect(self, line: bytes) -> None:
        detail = reconnect_detail(_notice_text(line, limit=4096))
        if detail is not None:
            detail = detail if len(detail) <= 160 else detail[:159] + "…"
            self._reconnect_last = time.monotonic()
            if self._reconnecting_since is None:
                self._reconnecting_since = self._reconnect_last
            self._reconnect_detail = detail

    def _on_output(self, chunk: bytes, forward: Callable[[bytes], None] | None) -> None:
        self._write_parts(self._clean.feed_parts(chunk))
        self._lines = self._clean.newlines  # counted by the same scan
        self._bytes += len(chunk)
        self._last_output = time.time()
        self._dirty = True
        self._judge_lines(chunk)
        status = self.status
        if self.spec.json_mode:
            data = self._tail + chunk
            cut = data.rfind(b"\n")
            if b"turn.failed" in data and cut != -1:
                for line in data[:cut].split(b"\n"):
                    if b"turn.failed" in line and _is_turn_failed(line):
                        status.turn_failed = True
            self._tail = data[cut + 1 :] if cut != -1 else data[-65536:]
        if self._pty_master is not None:
            self._answer_gates(chunk)
        if forward is not None:
            forward(chunk)

    def _answer_gates(self, chunk: bytes) -> None:
        """Spec Kit's gate prompt is `Choose [1-N]: `: the first gets the answer, any later
        one an interrupt (SIGINT to the group), which Spec Kit records as paused."""
        data = self._gate_tail + chunk
        count = data.count(GATE_PROMPT)
        self._gate_tail = data[-(len(GATE_PROMPT) - 1):]
        for _ in range(count):
            self._gates_seen += 1
            if self._gates_seen == 1 and self._pty_master is not None:
                answer = (self.spec.gate_answer or "") + "\n"
                _write_all(self._pty_master, answer.encode())
            else:
                self._signal_group(signal.SIGINT)
                # Spec Kit prints the prompt, then reads. This SIGINT follows the prompt at
                # once, so it can land before the read starts: Python then only notes it, and
                # the read blocks with the KeyboardInterrupt pending (until the guard kills
                # the run, recorded "running"). An empty line ends that read, and the pending
                # interrupt is raised before Spec Kit could ask again (to it an empty line is
                # no choice).
                if self._pty_master is not None:
                    _write_all(self._pty_master, b"\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m specui.runner.supervisor")
    parser.add_argument("run_dir")
    parser.add_argument("--detach", action="store_true",
                        help="fork, print nothing, and let the grandchild run on its own")
    args = parser.parse_args(argv)
    run_dir = Path(args.run_dir)
    if args.detach:
        pid = os.fork()
        if pid > 0:
            atomic_write_text(run_dir / PID_FILE, pid_file_text(pid))
            os._exit(0)
        try:
            os.setsid()
        except OSError:
            pass
    supervisor = Supervisor(run_dir)
    supervisor.reap_orphans = become_subreaper()
    supervisor.install_signal_handlers()
    atomic_write_text(run_dir / PID_FILE, pid_file_text(os.getpid()))
    status = supervisor.run()
    return 0 if status.state == "done" else 1


if __name__ == "__main__":
    sys.exit(main())
