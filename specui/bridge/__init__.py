"""The question bridge's file protocol: `specui question` asks, a UI process answers.

Why files: the asker is a short-lived process started by an agent's shell tool; the UI that
shows the question is either the long-lived workbench or a one-question UI the asker starts
(a tmux pane, or the terminal). A private folder, `.specui/bridge/` (0700, files 0600), needs
no socket, no port and no daemon, survives either side crashing, and the workbench already
watches `.specui`. The protocol, one request per id:

    <id>.request.json   written by the asker (atomically): who asks (pid + start time + boot
                        id), when, its timeout, which UI it is for (`workbench` or `standalone`)
                        and the normalized question batch (core.questions.QuestionBatch)
    <id>.answer.json    written once by the UI: {"id", "answers": [{question_id, index, answer}]}
    <id>.cancel.json    written once instead: {"id", "code", "message"} (the user cancelled:
                        question_not_answered; a newer question from the same session_id:
                        question_superseded)

The asker polls for a response every 100 ms and checks that its UI still lives (see asker.py);
it removes all three files at the end. A UI that dies is noticed within a second, a workbench
seen only through its beat (below) within 1.1 s (`question_ui_failed`). Both sides also beat: the workbench refreshes the mtime of
`.specui/workbench.pid` on every scan of the folder (at least every 2 s: its event loop
answers) and, from a thread, the mtime of `.specui/workbench.alive` every 0.25 s (the process
lives); the asker refreshes the mtime of its request at every check. Heartbeats matter where
pids cannot: an agent's sandbox (Codex runs commands under bubblewrap with a PID namespace of
its own) sees neither the workbench's pid nor lets the workbench see the asker's, so across
PID namespaces liveness is the heartbeat.

A request whose asker is gone (pid dead or reused, or far past its timeout) is stale: the UI
removes it. A response is created with `os.link` from a complete temp file: it appears whole,
and exactly once (a second workbench on the same folder, or a late cancel, finds it taken).

Every file here is read through core.loader: regular files only, opened non-blocking and
without following symlinks, size-limited before reading, depth-limited before parsing; a FIFO
or a symlink dropped into the folder is ignored, never waited on.

Ids are UUIDv7-shaped (48-bit millisecond time first), so the file names sort by age.
"""

from __future__ import annotations

import json
import os
import re
import stat
import threading
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from specui.core.errors import SpecuiError
from specui.core.loader import LoadError, load_json_text, read_file_bytes
from specui.core.paths import Project
from specui.core.questions import (
    Answer,
    AnswerEntry,
    QuestionBatch,
    answer_entries,
    validate_answers,
)
from specui.runner.procid import boot_id, identify, is_same_process

BRIDGE_DIR = "bridge"
PID_FILE = "workbench.pid"
ALIVE_FILE = "workbench.alive"
REQUEST_SUFFIX = ".request.json"
ANSWER_SUFFIX = ".answer.json"
CANCEL_SUFFIX = ".cancel.json"
SUFFIXES = (REQUEST_SUFFIX, ANSWER_SUFFIX, CANCEL_SUFFIX)
# A request file is the payload (at most PAYLOAD_LIMIT) plus a little bookkeeping.
FILE_LIMIT = 1024 * 1024
PID_FILE_LIMIT = 4096
# A request this long past its own timeout is stale even if its asker still runs (it should
# have withdrawn it; e.g. it was stopped with SIGSTOP). Answer files nobody collected, too.
STALE_GRACE_SECONDS = 5.0
ORPHAN_SECONDS = 60.0
# Heartbeats (see the module docstring); silence this long means the other side is gone.
# The silence allows four missed beats (a loaded machine) and keeps a dead workbench's
# detection, with the asker's 0.1 s check, well inside the promised 2 s.
ALIVE_BEAT_SECONDS = 0.25
ALIVE_SILENT_SECONDS = 1.0
ASKER_SILENT_SECONDS = 10.0

Target = Literal["workbench", "standalone"]

NOT_ANSWERED = "question_not_answered"
SUPERSEDED = "question_superseded"
UI_FAILED = "question_ui_failed"
RUNTIME_FAILED = "question_runtime_failed"
INVALID_INPUT = "question_invalid_input"

_ID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


class QuestionFailed(SpecuiError):
    """The question ended without an answer: exit 1 with OMX's failure `code`."""

    exit_code = 1

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


# ------------------------------------------------------------------------------ paths and ids


def bridge_dir(project: Project) -> Path:
    return project.state_dir / BRIDGE_DIR


def pid_path(project: Project) -> Path:
    return project.state_dir / PID_FILE


def alive_path(project: Project) -> Path:
    return project.state_dir / ALIVE_FILE


def new_request_id() -> str:
    """A UUIDv7: milliseconds since the epoch in the top 48 bits, then randomness."""
    ms = time.time_ns() // 1_000_000
    value = ((ms & ((1 << 48) - 1)) << 80) | int.from_bytes(os.urandom(10), "big")
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    return str(uuid.UUID(int=value))


def is_request_id(text: str) -> bool:
    """Ids come from file names and command lines: only our own shape (no path tricks)."""
    return bool(_ID_RE.match(text))


def question_id(request_id: str) -> str:
    """The id `omx question` callers see (OMX's `question-…` form)."""
    return f"question-{request_id}"


def _file(project: Project, request_id: str, suffix: str) -> Path:
    if not is_request_id(request_id):
        raise ValueError(f"not a bridge request id: {request_id!r}")
    return bridge_dir(project) / f"{request_id}{suffix}"


def request_path(project: Project, request_id: str) -> Path:
    return _file(project, request_id, REQUEST_SUFFIX)


def answer_path(project: Project, request_id: str) -> Path:
    return _file(project, request_id, ANSWER_SUFFIX)


def cancel_path(project: Project, request_id: str) -> Path:
    return _file(project, request_id, CANCEL_SUFFIX)


def id_of(path: Path) -> str | None:
    """The request id a bridge file belongs to (None for anything else in the folder)."""
    for suffix in SUFFIXES:
        if path.name.endswith(suffix):
            rid = path.name[: -len(suffix)]
            return rid if is_request_id(rid) else None
    return None


def ensure_bridge_dir(project: Project) -> Path:
    """`.specui/bridge`, private (0700). An existing one that is wider is narrowed; one that is
    a symlink or not a directory is refused (the questions would go somewhere else)."""
    folder = bridge_dir(project)
    project.state_dir.mkdir(parents=True, exist_ok=True)
    try:
        os.mkdir(folder, 0o700)
    except FileExistsError:
        pass
    st = os.lstat(folder)
    if not stat.S_ISDIR(st.st_mode):
        raise SpecuiError(f"{folder} is not a directory (a symlink or a file is in its place)")
    if stat.S_IMODE(st.st_mode) & 0o077 and st.st_uid == os.getuid():
        os.chmod(folder, 0o700)
    return folder


def _write_private(path: Path, text: str, *, once: bool) -> bool:
    """Write `path` (0600) from a complete temp file. `once`: create it only if it does not
    exist yet (link is atomic) and say whether this call created it; else replace it."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(tmp, flags, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if not once:
            os.replace(tmp, path)
            return True
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        return True
    finally:
        _remove(tmp)


def _read_json(path: Path, what: str, limit: int = FILE_LIMIT) -> Any:
    """A bridge file's JSON under core.loader's rules (LoadError on anything wrong)."""
    data = read_file_bytes(path, what=what, max_bytes=limit, follow_symlinks=False)
    return load_json_text(data, what=what, max_bytes=limit)


def _remove_if_older(path: Path, cutoff: float) -> None:
    try:
        if os.lstat(path).st_mtime < cutoff:
            path.unlink()
    except OSError:
        pass


def _remove(*paths: Path) -> None:
    for path in paths:
        try:
            path.unlink()
        except OSError:
            pass


# ------------------------------------------------------------------------------ process identity


def current_pid_ns() -> str | None:
    """This process's PID namespace (`pid:[4026531836]`), or None where /proc lacks it."""
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return None


class ProcessStamp(BaseModel):
    """Who a file belongs to: pid, start time, boot id (a pid alone may name a later process:
    see runner/procid.py) and PID namespace (a pid means nothing in another one)."""

    model_config = ConfigDict(extra="ignore")

    pid: int
    start_time: int | None = None
    boot_id: str | None = None
    pid_ns: str | None = None

    @classmethod
    def of(cls, pid: int) -> ProcessStamp:
        ident = identify(pid)
        if ident is None:
            return cls(pid=pid, pid_ns=current_pid_ns())
        return cls(
            pid=pid, start_time=ident.start_time, boot_id=ident.boot_id, pid_ns=current_pid_ns()
        )

    @classmethod
    def mine(cls) -> ProcessStamp:
        return cls.of(os.getpid())

    def visible(self) -> bool:
        """Whether this process can check the stamp's pid (same PID namespace)."""
        return self.pid_ns is None or self.pid_ns == current_pid_ns()

    def alive(self) -> bool:
        """The process still runs and is the same one. Where the system keeps start times
        (/proc), a stamp without one is not trusted; elsewhere the pid is all there is.
        Meaningful only when `visible()`."""
        if self.pid <= 0 or not self.visible():
            return False
        if self.start_time is not None and self.boot_id:
            return is_same_process(self.pid, self.start_time, self.boot_id)
        if boot_id() is not None:
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        except OSError:
            return False
        return True


# ------------------------------------------------------------------------------ workbench pid


_beating: dict[Path, threading.Event] = {}
_beating_lock = threading.Lock()
# Folders this process is the workbench of (announced, not yet removed): its scans take the
# pid file back when a second workbench that had taken it over quits or dies (heartbeat).
_announced: set[Path] = set()


def write_workbench_pid(project: Project) -> None:
    """Say "a workbench runs here" (the app calls this once its first frame is up), and start
    the process heartbeat (`workbench.alive`) for askers in other PID namespaces."""
    stamp = ProcessStamp.mine()
    second = f"{stamp.start_time} {stamp.boot_id}" if stamp.start_time is not None else ""
    if second and stamp.pid_ns:
        second += f" {stamp.pid_ns}"
    ensure_bridge_dir(project)  # the watcher has the folder from now on
    _write_private(alive_path(project), "", once=False)
    _write_private(pid_path(project), f"{stamp.pid}\n{second}\n", once=False)
    with _beating_lock:
        _announced.add(project.root)
        if project.root not in _beating:
            stop = threading.Event()
            _beating[project.root] = stop
            threading.Thread(
                target=_beat, args=(project, stop), name="specui-bridge-beat", daemon=True
            ).start()


def _beat(project: Project, stop: threading.Event) -> None:
    """Touch workbench.alive while this process is the workbench on `project`."""
    try:
        while not stop.wait(ALIVE_BEAT_SECONDS):
            stamp = read_workbench_pid(project)
            if stamp is None or stamp.pid != os.getpid():
                return
            try:
                os.utime(alive_path(project), follow_symlinks=False)
            except OSError:
                return
    finally:
        with _beating_lock:
            if _beating.get(project.root) is stop:
                del _beating[project.root]


def read_workbench_pid(project: Project) -> ProcessStamp | None:
    try:
        data = read_file_bytes(
            pid_path(project), what="workbench.pid", max_bytes=PID_FILE_LIMIT,
            follow_symlinks=False,
        )
        lines = data.decode("ascii").splitlines()
        pid = int(lines[0].strip())
    except (LoadError, UnicodeDecodeError, IndexError, ValueError):
        return None
    start_time: int | None = None
    boot: str | None = None
    pid_ns: str | None = None
    if len(lines) > 1:
        parts = lines[1].split()
        if len(parts) in (2, 3) and parts[0].isdigit():
            start_time, boot = int(parts[0]), parts[1]
            pid_ns = parts[2] if len(parts) == 3 else None
    return ProcessStamp(pid=pid, start_time=start_time, boot_id=boot, pid_ns=pid_ns)


def remove_workbench_pid(project: Project) -> None:
    """On unmount: remove the pid file, but only ours (a second workbench may have replaced it)."""
    with _beating_lock:
        _announced.discard(project.root)
    stamp = read_workbench_pid(project)
    if stamp is not None and stamp.pid == os.getpid():
        with _beating_lock:
            stop = _beating.pop(project.root, None)
        if stop is not None:
            stop.set()
        _remove(pid_path(project), alive_path(project))


def running_workbench(project: Project) -> ProcessStamp | None:
    """The live workbench open on this folder, or None: pid and start time checked, or, from
    another PID namespace (an agent's sandbox), a recent heartbeat."""
    stamp = read_workbench_pid(project)
    if stamp is None:
        return None
    if stamp.visible():
        return stamp if stamp.alive() else None
    age = alive_age(project)
    return stamp if age is not None and age < ALIVE_SILENT_SECONDS else None


def heartbeat(project: Project) -> None:
    """The workbench is alive and scanning: refresh workbench.pid's mtime (only ours). A
    second workbench on the folder takes the file over while it runs; once it has quit (the
    file is gone) or died (it names a dead process), this one announces itself again — else
    questions would find "no workbench open" beside an open one."""
    stamp = read_workbench_pid(project)
    if stamp is not None and stamp.pid == os.getpid():
        try:
            os.utime(pid_path(project), follow_symlinks=False)
        except OSError:
            pass
        return
    with _beating_lock:
        ours = project.root in _announced
    if ours and (stamp is None or (stamp.visible() and not stamp.alive())):
        try:
            write_workbench_pid(project)
        except OSError:
            pass  # .specui not writable just now: the next scan (within 2 s) tries again


def _age(path: Path) -> float | None:
    try:
        return max(0.0, time.time() - os.lstat(path).st_mtime)
    except OSError:
        return None


def heartbeat_age(project: Project) -> float | None:
    """Seconds since the workbench's last scan (None: no pid file)."""
    return _age(pid_path(project))


def alive_age(project: Project) -> float | None:
    """Seconds since the workbench process's last beat (None: no beat file)."""
    return _age(alive_path(project))


# ------------------------------------------------------------------------------ request files


class BridgeRequest(BaseModel):
    """One `<id>.request.json`."""

    model_config = ConfigDict(extra="ignore")

    version: int = 2
    id: str
    asker: ProcessStamp
    created_at: datetime
    timeout: float | None = None
    target: Target = "workbench"
    batch: QuestionBatch

    @property
    def source(self) -> str:
        """Who asks, for the dialog's words. A payload without `source` comes from an agent
        (each question's own source then holds specui's default, not the asker)."""
        return self.batch.source or "an agent"

    @property
    def question_id(self) -> str:
        return question_id(self.id)

    def expired(self, now: datetime | None = None) -> bool:
        if self.timeout is None:
            return False
        now = now or datetime.now(UTC)
        return (now - self.created_at).total_seconds() > self.timeout + STALE_GRACE_SECONDS

    def stale(self, mtime: float | None = None) -> bool:
        """Its asker is gone: dead, or (from another PID namespace) silent; or it is long
        past its timeout. `mtime`: the request file's (the asker's heartbeat)."""
        if self.expired():
            return True
        if self.asker.visible():
            return not self.asker.alive()
        return mtime is not None and time.time() - mtime > ASKER_SILENT_SECONDS


def post_request(
    project: Project,
    batch: QuestionBatch,
    *,
    timeout: float | None = None,
    target: Target = "workbench",
) -> BridgeRequest:
    """Write the request atomically (it appears whole, so readers never see half of it)."""
    ensure_bridge_dir(project)
    request = BridgeRequest(
        id=new_request_id(),
        asker=ProcessStamp.mine(),
        created_at=datetime.now(UTC),
        timeout=timeout,
        target=target,
        batch=batch,
    )
    text = json.dumps(request.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
    _write_private(request_path(project, request.id), text, once=False)
    return request


def withdraw(project: Project, request_id: str) -> None:
    """Remove every file of this request (the asker, when done, timed out or interrupted)."""
    _remove(
        request_path(project, request_id),
        answer_path(project, request_id),
        cancel_path(project, request_id),
    )


def read_request(project: Project, request_id: str) -> BridgeRequest | None:
    """The request, or None when it is gone or is not a valid request."""
    try:
        data = _read_json(request_path(project, request_id), "bridge request")
        request = BridgeRequest.model_validate(data)
    except (LoadError, ValidationError, ValueError):
        return None
    return request if request.id == request_id else None


def asker_heartbeat(project: Project, request_id: str) -> None:
    """The asker still waits: refresh its request's mtime."""
    try:
        os.utime(request_path(project, request_id), follow_symlinks=False)
    except OSError:
        pass


def request_exists(project: Project, request_id: str) -> bool:
    return os.path.lexists(request_path(project, request_id))


def is_responded(project: Project, request_id: str) -> bool:
    return os.path.lexists(answer_path(project, request_id)) or os.path.lexists(
        cancel_path(project, request_id)
    )


def pending_requests(project: Project, target: Target = "workbench") -> list[BridgeRequest]:
    """Requests for `target` waiting for an answer, oldest first. The workbench calls this on
    every scan, which is also its heartbeat. Cleans up as it goes: stale requests (asker gone
    or long past its timeout), invalid ones (answered with a cancel so an asker from another
    tool is not left waiting), responses nobody collected, and anything that is not a regular
    file (never opened)."""
    if target == "workbench":
        heartbeat(project)
    folder = bridge_dir(project)
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    now = time.time()
    requests: list[BridgeRequest] = []
    request_ids = {id_of(Path(e.name)) for e in entries if e.name.endswith(REQUEST_SUFFIX)}
    for entry in sorted(entries, key=lambda e: e.name):
        rid = id_of(Path(entry.name))
        if rid is None:
            if entry.name.startswith(".") and entry.name.endswith(".tmp"):
                _remove_if_older(Path(entry.path), now - ORPHAN_SECONDS)  # a crashed write
            continue
        try:
            regular = entry.is_file(follow_symlinks=False)
        except OSError:
            regular = False
        if not regular:
            _remove(Path(entry.path))  # a FIFO, device or symlink: never ours, never opened
            continue
        if not entry.name.endswith(REQUEST_SUFFIX):
            if rid not in request_ids:  # a response whose asker left without collecting it
                _remove_if_older(Path(entry.path), now - ORPHAN_SECONDS)
            continue
        if is_responded(project, rid):
            continue
        request = read_request(project, rid)
        if request is None:
            if request_exists(project, rid):
                write_cancel(project, rid, code=UI_FAILED, message="invalid request file")
            continue
        try:
            mtime: float | None = entry.stat(follow_symlinks=False).st_mtime
        except OSError:
            mtime = None
        if request.stale(mtime):
            withdraw(project, rid)
            continue
        if request.target == target:
            requests.append(request)
    requests.sort(key=lambda r: (r.created_at, r.id))
    return requests


def supersede(project: Project, session_id: str, *, keep: str) -> list[str]:
    """Cancel every other pending request from `session_id` (question_superseded), as OMX
    does when a session asks again. Returns the ids it cancelled."""
    done: list[str] = []
    for target in ("workbench", "standalone"):
        for request in pending_requests(project, target):  # type: ignore[arg-type]
            if request.id != keep and request.batch.session_id == session_id:
                message = (
                    "Question was superseded by a newer specui question for the same session."
                )
                if write_cancel(project, request.id, code=SUPERSEDED, message=message):
                    done.append(request.id)
    return done


# ------------------------------------------------------------------------------ responses


def write_answer(project: Project, request_id: str, answers: Sequence[Answer]) -> bool:
    """The UI's answers, one per question of the request, in order. False when the request
    was withdrawn or already responded to."""
    request = read_request(project, request_id)
    if request is None or is_responded(project, request_id):
        return False
    entries = answer_entries(request.batch, list(answers))
    body = {"id": request_id, "answers": [e.payload() for e in entries]}
    return _write_private(
        answer_path(project, request_id),
        json.dumps(body, ensure_ascii=False, indent=2) + "\n",
        once=True,
    )


def write_cancel(
    project: Project,
    request_id: str,
    *,
    code: str = NOT_ANSWERED,
    message: str = "the question was cancelled",
) -> bool:
    """The UI's "no answer" (Esc, Ctrl+C, Ctrl+D), or a supersede. False when the request is
    gone or already responded to."""
    if not request_exists(project, request_id) or is_responded(project, request_id):
        return False
    body = {"id": request_id, "code": code, "message": message}
    return _write_private(cancel_path(project, request_id), json.dumps(body) + "\n", once=True)


def read_response(project: Project, request: BridgeRequest) -> list[AnswerEntry] | None:
    """The validated answers if the UI wrote them; QuestionFailed for a cancel (its code) or
    an answer that does not fit the questions; None while waiting."""
    path = answer_path(project, request.id)
    if os.path.lexists(path):
        try:
            data = _read_json(path, "the answer file")
            if not isinstance(data, dict):
                raise SpecuiError("the answer file is not a JSON object")
            return validate_answers(request.batch, data)
        except SpecuiError as exc:
            raise QuestionFailed(UI_FAILED, f"the answer could not be used: {exc}") from None
    path = cancel_path(project, request.id)
    if os.path.lexists(path):
        code, message = NOT_ANSWERED, "the question was cancelled"
        try:
            data = _read_json(path, "the cancel file")
        except LoadError:
            data = None
        if isinstance(data, dict):
            if data.get("code") in (NOT_ANSWERED, SUPERSEDED, UI_FAILED):
                code = data["code"]
            if isinstance(data.get("message"), str) and data["message"].strip():
                message = data["message"]
        raise QuestionFailed(code, message)
    return None
