"""The question bridge: `specui question` asks, a running workbench (or the terminal) answers.

Why files: the asker is a short-lived process started by an agent in another tmux pane; the
workbench is a long-lived Textual app. A folder both can see, `.specui/bridge/`, needs no
socket, no port and no daemon, survives either side crashing, and the workbench already
watches `.specui` (ui/watcher.py). The protocol, one question per id:

    <id>.request.json   written by the asker (atomically): who asks (pid + process identity),
                        when, its timeout, and the seed 004 question payload
    <id>.answer.json    written once by the workbench: {"id", "answers": [{"answer": ...}],
                        "answer": ...} (the OMX envelope, `answers[0].answer` canonical)
    <id>.cancel.json    written once by the workbench instead: {"id", "cancelled", "reason"}

The asker polls for a response (every 100 ms: one stat of two names, cheaper than starting a
watcher for a question that lives seconds), then removes all three files. On timeout or Ctrl+C
it removes its request, which the workbench sees and withdraws the dialog. A request whose
asker is gone (pid dead or reused, or past its timeout) is stale: the workbench removes it.

A response is created with `os.link` from a complete temp file: it appears whole, and exactly
once (a second workbench on the same folder, or a late cancel, finds it taken).

`.specui/workbench.pid` says a workbench is open on the folder: the pid on the first line, the
process's start time and boot id on the second (a pid alone may name a later process). Without
a live workbench and with a terminal, the question is asked inline (`ask_in_terminal`).

Ids are UUIDv7-shaped (48-bit millisecond time first), so the file names sort by age.
"""

from __future__ import annotations

import json
import os
import re
import select
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel, ConfigDict, ValidationError

from specui.core.errors import SpecuiError
from specui.core.fsio import atomic_write_text
from specui.core.paths import Project
from specui.core.questions import Answer, Question, answer_envelope, parse_answer, parse_question

BRIDGE_DIR = "bridge"
PID_FILE = "workbench.pid"
REQUEST_SUFFIX = ".request.json"
ANSWER_SUFFIX = ".answer.json"
CANCEL_SUFFIX = ".cancel.json"
SUFFIXES = (REQUEST_SUFFIX, ANSWER_SUFFIX, CANCEL_SUFFIX)
POLL_SECONDS = 0.1
WORKBENCH_CHECK_SECONDS = 1.0
# A request this long past its own timeout is stale even if its asker still runs (it should
# have withdrawn it; e.g. it was stopped with SIGSTOP). Answer files nobody collected, too.
STALE_GRACE_SECONDS = 5.0
ORPHAN_SECONDS = 60.0

_ID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


class QuestionUnanswered(SpecuiError):
    """Cancelled, timed out, or nobody left to answer: exit code 1 (design §3)."""

    exit_code = 1


class WorkbenchGone(QuestionUnanswered):
    """The workbench the request was posted to closed before answering."""


# ------------------------------------------------------------------------------ paths and ids


def bridge_dir(project: Project) -> Path:
    return project.state_dir / BRIDGE_DIR


def pid_path(project: Project) -> Path:
    return project.state_dir / PID_FILE


def new_request_id() -> str:
    """A UUIDv7: milliseconds since the epoch in the top 48 bits, then randomness."""
    ms = time.time_ns() // 1_000_000
    value = ((ms & ((1 << 48) - 1)) << 80) | int.from_bytes(os.urandom(10), "big")
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    return str(uuid.UUID(int=value))


def is_request_id(text: str) -> bool:
    """Ids come from file names: only accept our own shape (no path tricks)."""
    return bool(_ID_RE.match(text))


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


# ------------------------------------------------------------------------------ payloads


def read_payload(raw: str, stdin: IO[str] | None = None) -> str:
    """`--input JSON`, or `--input -` for standard input."""
    if raw != "-":
        return raw
    stream = stdin if stdin is not None else sys.stdin
    try:
        return stream.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecuiError(f"cannot read the question from standard input: {exc}") from None


def parse_payload(text: str) -> Question:
    """A seed 004 question, bare or as `{"questions": [one]}` (omx question's batch form with
    exactly one entry: deep-interview asks one round at a time). SpecuiError (exit 2)."""
    if not text.strip():
        raise SpecuiError("the question payload is empty")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecuiError(f"question payload is not valid JSON: {exc}") from None
    if isinstance(data, dict) and "questions" in data and "question" not in data:
        items = data["questions"]
        if not isinstance(items, list) or len(items) != 1:
            count = len(items) if isinstance(items, list) else "not a list"
            raise SpecuiError(
                f"`questions` must hold exactly one question (got {count}); ask one at a time"
            )
        data = items[0]
    return parse_question(data)


# ------------------------------------------------------------------------------ process identity


class ProcessStamp(BaseModel):
    """Who a file belongs to: pid, plus start time and boot id where /proc has them."""

    model_config = ConfigDict(extra="ignore")

    pid: int
    start_time: int | None = None
    boot_id: str | None = None

    @classmethod
    def mine(cls) -> ProcessStamp:
        pid = os.getpid()
        try:
            from specui.runner.procid import identify
        except ImportError:  # pragma: no cover - the runner package ships with specui
            return cls(pid=pid)
        ident = identify(pid)
        if ident is None:
            return cls(pid=pid)
        return cls(pid=pid, start_time=ident.start_time, boot_id=ident.boot_id)

    def alive(self) -> bool:
        """The process still runs and is the same one (not a later one with the pid)."""
        if self.pid <= 0:
            return False
        if self.pid == os.getpid():
            return True
        if self.start_time is not None and self.boot_id:
            from specui.runner.procid import is_same_process

            return is_same_process(self.pid, self.start_time, self.boot_id)
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


def write_workbench_pid(project: Project) -> None:
    """Say "a workbench runs here" (the app calls this on mount)."""
    stamp = ProcessStamp.mine()
    second = f"{stamp.start_time} {stamp.boot_id}" if stamp.start_time is not None else ""
    atomic_write_text(pid_path(project), f"{stamp.pid}\n{second}\n")
    bridge_dir(project).mkdir(parents=True, exist_ok=True)  # so the watcher has it from now on


def read_workbench_pid(project: Project) -> ProcessStamp | None:
    try:
        lines = pid_path(project).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    try:
        pid = int(lines[0].strip())
    except (IndexError, ValueError):
        return None
    start_time: int | None = None
    boot: str | None = None
    if len(lines) > 1:
        parts = lines[1].split()
        if len(parts) == 2 and parts[0].isdigit():
            start_time, boot = int(parts[0]), parts[1]
    return ProcessStamp(pid=pid, start_time=start_time, boot_id=boot)


def remove_workbench_pid(project: Project) -> None:
    """On unmount: remove the pid file, but only ours (a second workbench may have replaced it)."""
    stamp = read_workbench_pid(project)
    if stamp is not None and stamp.pid == os.getpid():
        try:
            pid_path(project).unlink()
        except FileNotFoundError:
            pass


def running_workbench(project: Project) -> int | None:
    """The pid of a live workbench open on this folder, or None."""
    stamp = read_workbench_pid(project)
    return stamp.pid if stamp is not None and stamp.alive() else None


# ------------------------------------------------------------------------------ request files


class BridgeRequest(BaseModel):
    """One `<id>.request.json`."""

    model_config = ConfigDict(extra="ignore")

    version: int = 1
    id: str
    asker: ProcessStamp
    created_at: datetime
    timeout: float | None = None
    question: Question

    @property
    def source(self) -> str:
        return self.question.source or "specui"

    def expired(self, now: datetime | None = None) -> bool:
        if self.timeout is None:
            return False
        now = now or datetime.now(UTC)
        return (now - self.created_at).total_seconds() > self.timeout + STALE_GRACE_SECONDS

    def stale(self) -> bool:
        return self.expired() or not self.asker.alive()


def post_request(
    project: Project, question: Question, timeout: float | None = None
) -> BridgeRequest:
    """Write the request atomically (it appears whole, so readers never see half of it)."""
    request = BridgeRequest(
        id=new_request_id(),
        asker=ProcessStamp.mine(),
        created_at=datetime.now(UTC),
        timeout=timeout,
        question=question,
    )
    data = request.model_dump(mode="json")
    data["question"] = question.payload()
    atomic_write_text(
        request_path(project, request.id), json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    )
    return request


def _remove(*paths: Path) -> None:
    for path in paths:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError:
            pass


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
        data = json.loads(request_path(project, request_id).read_text(encoding="utf-8"))
        request = BridgeRequest.model_validate(data)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, ValidationError, ValueError):
        return None
    return request if request.id == request_id else None


def request_exists(project: Project, request_id: str) -> bool:
    return request_path(project, request_id).exists()


def is_responded(project: Project, request_id: str) -> bool:
    return answer_path(project, request_id).exists() or cancel_path(project, request_id).exists()


def pending_requests(project: Project) -> list[BridgeRequest]:
    """Requests waiting for an answer, oldest first. Cleans up as it goes: stale requests (asker
    gone or long past its timeout), invalid ones (answered with a cancel so an asker from another
    tool is not left waiting), and responses nobody collected."""
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
            continue
        if not entry.name.endswith(REQUEST_SUFFIX):
            if rid not in request_ids:  # a response whose asker left without collecting it
                try:
                    if now - entry.stat().st_mtime > ORPHAN_SECONDS:
                        _remove(Path(entry.path))
                except OSError:
                    pass
            continue
        if is_responded(project, rid):
            continue
        request = read_request(project, rid)
        if request is None:
            if request_exists(project, rid):
                write_cancel(project, rid, "invalid request file")
            continue
        if request.stale():
            withdraw(project, rid)
            continue
        requests.append(request)
    requests.sort(key=lambda r: (r.created_at, r.id))
    return requests


# ------------------------------------------------------------------------------ responses


def _create_once(path: Path, text: str) -> bool:
    """Create `path` with `text`, complete, only if it does not exist yet (link is atomic)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        return True
    finally:
        _remove(Path(tmp))


def write_answer(project: Project, request_id: str, answer: Answer) -> bool:
    """The workbench's answer. False when the request was withdrawn or already responded to."""
    if not request_exists(project, request_id) or is_responded(project, request_id):
        return False
    body = {"id": request_id, **answer_envelope(answer)}
    return _create_once(
        answer_path(project, request_id), json.dumps(body, ensure_ascii=False, indent=2) + "\n"
    )


def write_cancel(project: Project, request_id: str, reason: str = "cancelled") -> bool:
    """The workbench's "no answer" (Esc). False when withdrawn or already responded to."""
    if not request_exists(project, request_id) or is_responded(project, request_id):
        return False
    body = {"id": request_id, "cancelled": True, "reason": reason}
    return _create_once(cancel_path(project, request_id), json.dumps(body) + "\n")


def read_response(project: Project, request_id: str) -> Answer | None:
    """The answer if one is there; QuestionUnanswered if cancelled; None while waiting."""
    path = answer_path(project, request_id)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        data = None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise QuestionUnanswered(f"the workbench's answer could not be read: {exc}") from None
    if data is not None:
        return _answer_from(data)
    path = cancel_path(project, request_id)
    if path.exists():
        reason = ""
        try:
            reason = str(json.loads(path.read_text(encoding="utf-8")).get("reason") or "")
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError):
            pass
        suffix = f" ({reason})" if reason and reason != "cancelled" else ""
        raise QuestionUnanswered(f"the question was cancelled in the workbench{suffix}")
    return None


def _answer_from(data: Any) -> Answer:
    """`answers[0].answer` is the source of truth; the top-level `answer` a fallback."""
    if not isinstance(data, dict):
        raise QuestionUnanswered("the workbench's answer is not a JSON object")
    answers = data.get("answers")
    raw = None
    if isinstance(answers, list) and answers and isinstance(answers[0], dict):
        raw = answers[0].get("answer")
    if raw is None:
        raw = data.get("answer")
    try:
        return parse_answer(raw)
    except SpecuiError as exc:
        raise QuestionUnanswered(f"the workbench's answer is invalid: {exc}") from None


# ------------------------------------------------------------------------------ the asker


def wait_for_response(
    project: Project,
    request_id: str,
    *,
    timeout: float | None = None,
    poll: float = POLL_SECONDS,
    workbench_alive: Callable[[], bool] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Answer:
    """Block until the request is answered. QuestionUnanswered on cancel or timeout,
    WorkbenchGone when `workbench_alive()` (checked about once a second) turns False."""
    start = time.monotonic()
    deadline = None if timeout is None else start + timeout
    next_check = start + WORKBENCH_CHECK_SECONDS
    while True:
        answer = read_response(project, request_id)
        if answer is not None:
            return answer
        now = time.monotonic()
        if deadline is not None and now >= deadline:
            raise QuestionUnanswered(f"no answer within {_seconds(timeout)}; question withdrawn")
        if workbench_alive is not None and now >= next_check:
            next_check = now + WORKBENCH_CHECK_SECONDS
            if not workbench_alive():
                answer = read_response(project, request_id)  # answered just before closing?
                if answer is not None:
                    return answer
                raise WorkbenchGone("the specui workbench closed before the question was answered")
        wait = poll if deadline is None else max(0.0, min(poll, deadline - now))
        sleep(wait)


def ask_workbench(
    project: Project,
    question: Question,
    *,
    timeout: float | None = None,
    poll: float = POLL_SECONDS,
) -> Answer:
    """Post the question to the workbench open on `project` and wait for its answer. The request
    is always removed at the end (answered, cancelled, timed out, or Ctrl+C)."""
    request = post_request(project, question, timeout)
    try:
        return wait_for_response(
            project,
            request.id,
            timeout=timeout,
            poll=poll,
            workbench_alive=lambda: running_workbench(project) is not None,
        )
    finally:
        withdraw(project, request.id)


def _seconds(value: float | None) -> str:
    if value is None:
        return "the time limit"
    return f"{value:g}s"


# ------------------------------------------------------------------------------ the terminal


def _plain(text: str) -> str:
    """Question text is data: no escape sequence from it reaches the terminal."""
    from specui.core.ansi import strip_ansi

    return strip_ansi(text.replace("\r\n", "\n"))


def render_question(question: Question) -> str:
    """The question as the terminal shows it: text, numbered options, how to answer."""
    lines = [f"Question from {_plain(question.source or 'specui')}", _plain(question.question)]
    if question.is_free_text:
        lines.append("(type your answer on one line, Enter to submit)")
        return "\n".join(lines)
    lines.append("(choose one or more)" if question.multi_select else "(choose one)")
    for i, option in enumerate(question.options, 1):
        line = f"  {i}) {_plain(option.label)}"
        if option.recommended:
            line += "  [recommended]"
        if option.description.strip():
            line += f" - {_plain(option.description)}"
        lines.append(line)
    if question.allow_other:
        n = len(question.options) + 1
        lines.append(f"  {n}) {_plain(question.other_label)} (type: o: your answer)")
    return "\n".join(lines)


def _hint(question: Question) -> str:
    if question.is_free_text:
        return "Answer: "
    parts = [
        "1",
        "1,3" if question.multi_select else None,
        "o: text" if question.allow_other else None,
    ]
    return f"Answer ({' | '.join(p for p in parts if p)}): "


_OTHER_RE = re.compile(r"(?:^|[,\s])o\s*:", re.IGNORECASE)


def parse_terminal_answer(question: Question, line: str) -> tuple[list[int], str | None, bool]:
    """`1`, `1,3`, `2 o: text` -> (0-based indexes, other text, wants_other_text). The last is
    True when the Other number was given without text (the caller then asks for the text).
    SpecuiError (with a message for the user) on anything it cannot read."""
    text = line.strip()
    if question.is_free_text:
        if not text:
            raise SpecuiError("the answer must not be empty")
        return [], text, False
    if not text:
        raise SpecuiError("type an option number")
    other: str | None = None
    match = _OTHER_RE.search(text)
    numbers = text
    if match is not None:
        numbers, other = text[: match.start()], text[match.end() :].strip()
    count = len(question.options)
    other_number = count + 1 if question.allow_other else None
    indexes: list[int] = []
    wants_other = False
    for token in (t for t in re.split(r"[,\s]+", numbers.strip()) if t):
        if not token.isdigit():
            raise SpecuiError(f"not an option number: {token!r}")
        n = int(token)
        if n == other_number:
            if other is None:
                wants_other = True
            continue
        if not 1 <= n <= count:
            top = other_number or count
            raise SpecuiError(f"no option {n} (choose 1-{top})")
        indexes.append(n - 1)
    return indexes, other, wants_other


def _read_line(stdin: IO[str], deadline: float | None) -> str:
    if deadline is not None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise QuestionUnanswered("no answer within the time limit")
        try:
            ready, _, _ = select.select([stdin], [], [], remaining)
        except (OSError, ValueError, TypeError):
            ready = [stdin]  # not selectable (tests' StringIO): just read
        if not ready:
            raise QuestionUnanswered("no answer within the time limit")
    line = stdin.readline()
    if line == "":
        raise QuestionUnanswered("no answer: input ended")
    return line.rstrip("\n")


def ask_in_terminal(
    question: Question,
    *,
    stdin: IO[str],
    stdout: IO[str],
    timeout: float | None = None,
) -> Answer:
    """Ask inline (no workbench, but a person at a terminal). Re-asks until the answer is
    valid (the same rules as the workbench: core.questions.build_answer)."""
    from specui.core.questions import build_answer

    deadline = None if timeout is None else time.monotonic() + timeout
    stdout.write(render_question(question) + "\n")
    stdout.flush()
    while True:
        stdout.write(_hint(question))
        stdout.flush()
        line = _read_line(stdin, deadline)
        try:
            indexes, other, wants_other = parse_terminal_answer(question, line)
            while wants_other:  # the Other number alone: ask for its text until given
                stdout.write(f"{_plain(question.other_label)}: ")
                stdout.flush()
                other = _read_line(stdin, deadline)
                wants_other = not other.strip()
                if wants_other:
                    stdout.write("  ! the text must not be empty\n")
            return build_answer(question, indexes, other)
        except QuestionUnanswered:
            raise
        except SpecuiError as exc:
            stdout.write(f"  ! {exc}\n")
            stdout.flush()
