"""The asking side of `specui question`: read the payload, show the question where a person
will see it, wait for the answer, never stall silently.

Where the question shows, first that applies:
1. the workbench open on the folder, or else on the nearest folder above it (an agent's shell
   may ask from `src/`) (`.specui/workbench.pid`, pid and start time checked): it opens a
   modal, rings and, in tmux, flashes a message when its window is not in view;
2. inside tmux: a new pane split from the caller's (OMX does the same), sized so the whole
   question fits (a new window when even the whole pane is too small), closed afterwards;
3. the controlling terminal (`/dev/tty`, as fzf does), even when stdout is a pipe;
4. else an immediate, clear `question_runtime_failed`.
The pane and the terminal run `specui question --ui ID`, a one-question UI that answers
through the same bridge files as the workbench; nothing it draws goes to the asker's stdout.

While waiting, the asker checks that its UI still lives (workbench: pid, start time and
heartbeats, every poll; terminal UI: its process, every poll; pane: twice a second, as that may
ask tmux), so a UI that dies answers the caller with `question_ui_failed` within a second, or,
from a sandbox that cannot see the workbench's pid, within 1.1 s of its last beat. A newer question from the same `session_id`
supersedes this one (`question_superseded`); `--timeout` ends it (`question_not_answered`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from typing import IO, Protocol

from specui import bridge
from specui.bridge.tmux import Tmux, question_height
from specui.core.errors import SpecuiError
from specui.core.loader import MAX_DEPTH, nesting_depth
from specui.core.paths import Project, enclosing_project
from specui.core.questions import AnswerEntry, QuestionBatch, normalize_question_input

PAYLOAD_LIMIT = 256 * 1024  # a command line cannot carry more than 128 KiB anyway
POLL_SECONDS = 0.1
CHECK_SECONDS = 0.5  # a renderer whose check may start a process (tmux) checks this often
# A live workbench refreshes its heartbeat at least every 2 s; a longer silence than this
# means its event loop is stuck (or the process is stopped), and nobody can answer there.
HEARTBEAT_STALE_SECONDS = 15.0
CLOSE_GRACE_SECONDS = 3.0


# ------------------------------------------------------------------------------ the payload


def read_payload(raw: str, stdin: IO[bytes] | None = None) -> str:
    """`--input JSON`, or `--input -` for standard input; over PAYLOAD_LIMIT is refused before
    anything is parsed (and standard input is not read past the limit)."""
    if raw == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        try:
            data = stream.read(PAYLOAD_LIMIT + 1)
        except OSError as exc:
            raise SpecuiError(f"cannot read the question from standard input: {exc}") from None
        if not data.strip():
            raise SpecuiError("standard input held no question payload")
    elif not raw:
        raise SpecuiError("Missing JSON value after --input")  # OMX's words
    else:
        data = raw.encode("utf-8", "surrogateescape")
    if len(data) > PAYLOAD_LIMIT:
        raise SpecuiError(
            f"the question payload is larger than {PAYLOAD_LIMIT // 1024} KiB "
            f"(the limit is {PAYLOAD_LIMIT:,} bytes)"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise SpecuiError("the question payload is not UTF-8 text") from None


def _no_constant(name: str) -> None:
    # NaN and Infinity are Python's extensions; JSON (and OMX's JSON.parse) has none.
    raise ValueError(f"{name} is not JSON")


def parse_payload(text: str, session_id: str | None = None) -> QuestionBatch:
    """JSON text -> normalized batch (OMX's rules and messages). SpecuiError (exit 2)."""
    if nesting_depth(text) > MAX_DEPTH:
        raise SpecuiError(f"--input is nested deeper than {MAX_DEPTH} levels")
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise SpecuiError(f"--input must be valid JSON: {exc}") from None
    except (ValueError, RecursionError) as exc:
        raise SpecuiError(f"--input must be valid JSON: {exc}") from None
    batch = normalize_question_input(data)
    if session_id and session_id.strip() and not batch.session_id:
        batch = batch.model_copy(update={"session_id": session_id.strip()})
    return batch


# ------------------------------------------------------------------------------ where it shows


class Renderer(Protocol):
    """What shows the question: says what went wrong with it (None: fine), and closes."""

    where: str
    check_seconds: float  # how often `problem()` is asked

    def problem(self) -> str | None: ...

    def close(self) -> None: ...


class WorkbenchRenderer:
    check_seconds = POLL_SECONDS  # a few stats: every poll, so a death is seen at once

    def __init__(self, project: Project, stamp: bridge.ProcessStamp) -> None:
        self.project = project
        self.stamp = stamp
        self.where = f"the specui workbench (pid {stamp.pid})"

    def problem(self) -> str | None:
        if self.stamp.visible():
            alive = self.stamp.alive()
        else:  # from another PID namespace (a sandbox) the process heartbeat stands in
            beat = bridge.alive_age(self.project)
            alive = beat is not None and beat < bridge.ALIVE_SILENT_SECONDS
        if not alive:
            return f"{self.where} exited before the question was answered"
        age = bridge.heartbeat_age(self.project)
        if age is None:
            return f"{self.where} closed before the question was answered"
        if age > HEARTBEAT_STALE_SECONDS:
            return f"{self.where} stopped responding (no heartbeat for {age:.0f} s)"
        return None

    def close(self) -> None:
        """The workbench closes its modal itself when the request goes."""


def ui_command(project: Project, request_id: str) -> list[str]:
    """The one-question UI's command line (the same interpreter and specui as this one)."""
    return [sys.executable, "-m", "specui", "question", "--ui", request_id, str(project.root)]


class ChildRenderer:
    """The one-question UI on the controlling terminal, as a child process."""

    check_seconds = POLL_SECONDS  # a waitpid

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc
        self.where = "the question UI on this terminal"

    def problem(self) -> str | None:
        status = self.proc.poll()
        if status is None:
            return None
        return f"{self.where} exited before the question was answered (status {status})"

    def close(self) -> None:
        """Called after the request is withdrawn: the UI notices and exits by itself, restoring
        the terminal; only a UI that does not is terminated."""
        try:
            self.proc.wait(CLOSE_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            try:
                self.proc.wait(CLOSE_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def open_terminal(project: Project, request: bridge.BridgeRequest) -> ChildRenderer | None:
    """Start the UI on /dev/tty; None when this process has no controlling terminal."""
    try:
        fd = os.open("/dev/tty", os.O_RDWR | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        proc = subprocess.Popen(
            ui_command(project, request.id),
            stdin=fd,
            stdout=fd,
            stderr=fd,
            cwd=project.root,
            close_fds=True,
        )
    finally:
        os.close(fd)
    return ChildRenderer(proc)


class PaneRenderer:
    """The one-question UI in a tmux pane (or window) of its own."""

    check_seconds = CHECK_SECONDS  # from a sandbox each check runs tmux

    def __init__(self, tmux: Tmux, pane_id: str, stamp: bridge.ProcessStamp) -> None:
        self.tmux = tmux
        self.pane_id = pane_id
        self.stamp = stamp
        self.where = f"the question pane {pane_id}"

    def _alive(self) -> bool:
        # The pane's process is checked by pid and start time where this process can see
        # it; from a sandbox (another PID namespace) tmux is asked instead.
        if self.stamp.start_time is not None:
            return self.stamp.alive()
        return self.tmux.pane_exists(self.pane_id)

    def problem(self) -> str | None:
        if self._alive():
            return None
        return f"{self.where} closed before the question was answered"

    def close(self) -> None:
        deadline = time.monotonic() + CLOSE_GRACE_SECONDS
        while self._alive() and time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)  # it exits by itself once the request is withdrawn
        if self.tmux.pane_exists(self.pane_id):
            self.tmux.kill_pane(self.pane_id)


def open_pane(
    project: Project,
    request: bridge.BridgeRequest,
    tmux: Tmux,
    notice: Callable[[str], None],
) -> PaneRenderer:
    """Split the caller's pane (or open a window) running the one-question UI."""
    caller = tmux.caller_pane()
    info = tmux.pane_info(caller)
    if info is None:
        raise bridge.QuestionFailed(
            bridge.RUNTIME_FAILED, "inside tmux, but tmux does not answer (is its server up?)"
        )
    needed = question_height(request.batch, info.width)
    env = {k: os.environ[k] for k in ("PYTHONPATH", "SPECUI_THEME") if os.environ.get(k)}
    command = ui_command(project, request.id)
    if needed > info.height - 2:
        pane_id, pid = tmux.new_window(caller, project.root, command, env, name="specui question")
    else:
        height = max(needed, min(12, info.height - 2))
        pane_id, pid = tmux.split(caller, project.root, command, env, height=height)
    stamp = bridge.ProcessStamp.of(pid)
    if not info.attached:
        notice(
            f"tmux session {info.session!r} has no attached client: the question waits in pane "
            f"{pane_id} (tmux attach -t {info.session})"
        )
    return PaneRenderer(tmux, pane_id, stamp)


# ------------------------------------------------------------------------------ asking


def wait_for_answers(
    project: Project,
    request: bridge.BridgeRequest,
    renderer: Renderer,
    *,
    timeout: float | None = None,
    poll: float = POLL_SECONDS,
    check: float = CHECK_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
) -> list[AnswerEntry]:
    """Block until the request is answered. QuestionFailed on cancel, supersede, timeout, a
    dead UI (`renderer.problem()`, checked every `check` seconds) or a vanished request."""
    start = time.monotonic()
    deadline = None if timeout is None else start + timeout
    next_check = start + check
    while True:
        entries = bridge.read_response(project, request)
        if entries is not None:
            return entries
        now = time.monotonic()
        if deadline is not None and now >= deadline:
            raise bridge.QuestionFailed(
                bridge.NOT_ANSWERED, f"no answer within {timeout:g}s; question withdrawn"
            )
        if now >= next_check:
            next_check = now + check
            bridge.asker_heartbeat(project, request.id)
            problem = renderer.problem()
            if problem is None and not bridge.request_exists(project, request.id):
                problem = "the question's request file was removed"
            if problem is not None:
                entries = bridge.read_response(project, request)  # answered just before?
                if entries is not None:
                    return entries
                raise bridge.QuestionFailed(bridge.UI_FAILED, problem)
        sleep(poll if deadline is None else max(0.0, min(poll, deadline - now)))


def workbench_for(project: Project) -> tuple[Project, bridge.ProcessStamp | None]:
    """The folder whose workbench asks, and that workbench: `project`'s own, else the one of
    the project it lies in (an agent's shell may have done `cd src` first, and the person
    looks at the workbench on the project), else `project` with none. Never a workbench on
    another project above this one (a monorepo root, the home folder)."""
    home = enclosing_project(project) or project
    for folder in (project.root, *project.root.parents):
        candidate = project if folder == project.root else Project.at(folder)
        stamp = bridge.running_workbench(candidate)
        if stamp is not None:
            return candidate, stamp
        if folder == home.root:
            break
    return project, None


def ask(
    project: Project,
    batch: QuestionBatch,
    *,
    timeout: float | None = None,
    notice: Callable[[str], None],
    env: Mapping[str, str] | None = None,
    on_posted: Callable[[bridge.BridgeRequest], None] | None = None,
) -> tuple[bridge.BridgeRequest, list[AnswerEntry]]:
    """Ask `batch` where a person will see it (module docstring) and wait for the answers.
    QuestionFailed (with OMX's code) when there is no answer; the request is always removed
    and the pane or terminal UI closed at the end."""
    env = os.environ if env is None else env
    project, workbench = workbench_for(project)
    target: bridge.Target = "workbench" if workbench is not None else "standalone"
    request = bridge.post_request(project, batch, timeout=timeout, target=target)
    if on_posted is not None:
        on_posted(request)
    renderer: Renderer | None = None
    try:
        if batch.session_id:
            bridge.supersede(project, batch.session_id, keep=request.id)
        if workbench is not None:
            renderer = WorkbenchRenderer(project, workbench)
        elif env.get("TMUX"):
            if shutil.which("tmux") is None:
                raise bridge.QuestionFailed(
                    bridge.RUNTIME_FAILED, "TMUX is set but the tmux command is not on PATH"
                )
            renderer = open_pane(project, request, Tmux(env), notice)
        else:
            renderer = open_terminal(project, request)
        if renderer is None:
            raise bridge.QuestionFailed(
                bridge.RUNTIME_FAILED,
                f"nobody to ask: no specui workbench is open on {project.root}, this is not "
                "inside tmux, and there is no terminal (/dev/tty); open `specui` on the folder "
                "in a terminal, or run the agent inside tmux",
            )
        return request, wait_for_answers(project, request, renderer, timeout=timeout,
                                         check=renderer.check_seconds)
    finally:
        bridge.withdraw(project, request.id)
        if renderer is not None:
            renderer.close()


def summary_lines(batch: QuestionBatch, entries: list[AnswerEntry]) -> list[str]:
    """Plain output (no --json): the answer; for a batch, one `id: answer` line each."""
    if not batch.is_batch:
        return [entries[0].answer.summary()]
    return [f"{e.question_id}: {e.answer.summary()}" for e in entries]
