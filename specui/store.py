"""The one session store: all interview/spec/runner state, persisted to `.specui/session.json`.

Every producer (interviewer engines, file watcher, phase runner, question bridge) changes state
only through `SessionStore.update`, and every view renders from `SessionStore.state`, so there is
exactly one copy of the truth. Writes are atomic (specui.core.fsio: inside the project, 0600 in a
0700 `.specui/`) and guarded by an advisory file lock so that a headless `specui run` and an open
workbench can share one session file without overwriting each other's changes (each update
re-reads the file if another process changed it). Opening the store also removes temp files a
killed specui left behind.

A session file that cannot be used (corrupt JSON, wrong shape, written by a newer specui) is never
fatal and never silently lost: it is moved aside to `session.json.bad-<timestamp>` and a one-line
notice is put in `store.messages`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from specui.core.errors import SpecuiError
from specui.core.fsio import atomic_write_text, make_dirs, remove_stale_temps, resolve_target
from specui.core.interview.state import InterviewState
from specui.core.loader import LoadError, load_json_text, read_file_bytes
from specui.core.paths import Project
from specui.session_file import SCHEMA_VERSION, SESSION_MAX_BYTES

try:  # advisory cross-process lock; absent on non-POSIX systems (then only the RLock applies)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

PhaseStatus = Literal["pending", "running", "done", "failed", "stopped"]


def _now() -> datetime:
    return datetime.now(UTC)


class _Model(BaseModel):
    # Unknown keys are ignored so that a same-version file with an extra field still loads.
    model_config = ConfigDict(extra="ignore")


class Conflict(_Model):
    """A change specui could not apply because the user edited the same unit meanwhile.
    `text` keeps what specui wanted to write, so nothing typed is lost."""

    unit: str
    text: str
    at: datetime = Field(default_factory=_now)
    reason: str = ""


ConflictAction = Literal["applied", "appended", "dismissed"]


class ConflictResolution(_Model):
    """What the user did with one conflict, kept so that no text is ever lost: the proposal
    (`conflict.text`) and, when the action changed SPEC.md, the user's text it replaced or
    extended (`previous_text`; None when the unit was missing)."""

    conflict: Conflict
    action: ConflictAction
    at: datetime = Field(default_factory=_now)
    previous_text: str | None = None


class SpecState(_Model):
    final_hashes: dict[str, str] = Field(default_factory=dict)
    conflicts: list[Conflict] = Field(default_factory=list)
    # Added without a schema bump: old files load with an empty history (default), and an older
    # specui reading a newer file ignores the key (extra="ignore"; its next write drops it).
    conflicts_history: list[ConflictResolution] = Field(default_factory=list)


class PhaseRun(_Model):
    run_id: str
    phase: str
    status: PhaseStatus = "pending"
    stalled: bool = False
    started_at: datetime | None = None
    ended_at: datetime | None = None
    exit_code: int | None = None
    log: str = ""  # project-relative path of the run's log file
    pid: int | None = None
    command: list[str] = Field(default_factory=list)
    attempt: int = 1
    tasks_done: int | None = None
    tasks_total: int | None = None
    message: str = ""


class Session(_Model):
    schema_version: int = SCHEMA_VERSION
    interview: InterviewState = Field(default_factory=InterviewState)
    spec: SpecState = Field(default_factory=SpecState)
    runs: list[PhaseRun] = Field(default_factory=list)

    def latest_run(self, phase: str) -> PhaseRun | None:
        """The most recent run of one phase (runs are appended in start order)."""
        for run in reversed(self.runs):
            if run.phase == phase:
                return run
        return None


class _Unusable(Exception):
    """The session file exists but cannot be used; the message says why (one line)."""


def _parse_session(text: str) -> Session:
    try:
        data = load_json_text(text, what="session.json", max_bytes=SESSION_MAX_BYTES)
    except LoadError as exc:
        raise _Unusable(f"it is {exc.reason}") from None
    if not isinstance(data, dict):
        raise _Unusable("it is not a JSON object")
    version = data.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise _Unusable("it has no valid schema_version")
    if version > SCHEMA_VERSION:
        raise _Unusable(
            f"it was written by a newer specui (schema {version}, this one reads {SCHEMA_VERSION})"
        )
    try:
        session = Session.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err.get("loc", ()))
        raise _Unusable(f"its content is invalid ({loc}: {err.get('msg')})") from None
    session.schema_version = SCHEMA_VERSION  # older versions are migrated on the next write
    return session


def _subdirs(folder: Path) -> list[Path]:
    try:
        return [Path(e.path) for e in os.scandir(folder) if e.is_dir(follow_symlinks=False)]
    except OSError:
        return []


Subscriber = Callable[[Session], None]
_Sig = tuple[int, int, int]


class SessionStore:
    """Thread-safe owner of the Session. See the module docstring for the rules."""

    def __init__(self, project: Project, state: Session | None = None) -> None:
        self.project = project
        self.path: Path = project.session
        self.state: Session = state if state is not None else Session()
        self.messages: list[str] = []
        self._lock = threading.RLock()
        self._subscribers: list[Subscriber] = []
        self._disk_sig: _Sig | None = None
        self._disk_text: str | None = None

    # ------------------------------------------------------------------ opening / loading
    @classmethod
    def open(cls, project: Project) -> SessionStore:
        """Load the session (fresh when absent or unusable). Never raises; never writes,
        except moving an unusable file aside."""
        store = cls(project)
        remove_stale_temps(
            [*project.written_dirs(), *_subdirs(project.runs_dir)], root=project.root
        )
        with store._lock:
            try:
                store._load_from_disk()
            except Exception as exc:  # the store must open whatever is on disk
                log.exception("unexpected error loading %s", store.path)
                store.messages.append(f"could not read {store._rel()}: {exc}; starting fresh")
        return store

    def _rel(self) -> str:
        return self.project.relative(self.path)

    def _stat(self) -> _Sig | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def _load_from_disk(self) -> bool:
        """Read the file if it changed since we last saw it. Returns True if state was replaced.
        An unusable file is set aside and the current in-memory state kept."""
        sig = self._stat()
        if sig is None or sig == self._disk_sig:
            return False
        try:
            raw = read_file_bytes(self.path, what=self._rel(), max_bytes=SESSION_MAX_BYTES)
        except LoadError as exc:
            if exc.missing:  # removed since the stat
                return False
            # A directory, FIFO, oversized or unreadable file: writing would fail or destroy it.
            self._set_aside(f"it is {exc.reason}")
            return False
        if self._disk_text is not None and raw.decode("utf-8", "replace") == self._disk_text:
            self._disk_sig = sig
            return False
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            self._set_aside("it is not UTF-8 text")
            return False
        try:
            session = _parse_session(text)
        except _Unusable as exc:
            self._set_aside(str(exc))
            return False
        self._disk_sig = sig
        self._disk_text = text
        changed = session.model_dump(mode="json") != self.state.model_dump(mode="json")
        self.state = session
        return changed

    def _set_aside(self, reason: str) -> None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.name}.bad-{stamp}")
        n = 1
        while target.exists():
            n += 1
            target = self.path.with_name(f"{self.path.name}.bad-{stamp}-{n}")
        try:
            os.replace(self.path, target)
        except OSError as exc:
            self.messages.append(
                f"{self._rel()} is unusable ({reason}) and could not be moved aside "
                f"({exc.strerror or exc}); using a fresh session in memory"
            )
            self._disk_sig = self._stat()
            return
        self._disk_sig = None
        self._disk_text = None
        self.messages.append(
            f"{self._rel()} was set aside as {self.project.relative(target)} because {reason}; "
            "started a fresh session"
        )

    # ------------------------------------------------------------------ writing
    @contextlib.contextmanager
    def _file_lock(self, *, strict: bool = False) -> Iterator[None]:
        """Advisory lock so read-modify-write cycles of two processes do not interleave.
        Without it an update still goes on (a draft, a notice); `strict` updates, whose point
        is that no other process comes between (a run's start), are refused instead."""
        if fcntl is None:
            yield
            return
        root = self.project.root
        lock = self.path.with_name(".session.lock")
        try:
            make_dirs(self.path.parent, root=root)
            fd = os.open(
                resolve_target(lock, root),
                os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC,
                0o600,
            )
        except OSError as exc:
            if strict:
                raise SpecuiError(
                    f"cannot lock {self._rel()} against other specui processes: "
                    f"{exc.strerror or exc}"
                ) from None
            yield
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _persist(self, session: Session, *, strict: bool = False) -> None:
        text = session.model_dump_json(indent=2) + "\n"
        try:
            atomic_write_text(self.path, text, root=self.project.root)
        except OSError as exc:
            if strict:
                raise SpecuiError(f"cannot save {self._rel()}: {exc.strerror or exc}") from None
            # Keep working in memory: losing the user's answer would be worse than a stale file.
            log.warning("could not save %s: %s", self.path, exc)
            notice = (
                f"could not save {self._rel()}: {exc.strerror or exc}; answers go on in memory "
                "(and SPEC.md), but quitting before a save loses them"
            )
            if notice not in self.messages:
                self.messages.append(notice)
            return
        self._disk_text = text
        self._disk_sig = self._stat()

    def update(
        self, fn: Callable[[Session], None], *, notify_first: bool = False, strict: bool = False
    ) -> Session:
        """Apply `fn` to a copy of the state, persist it atomically, then notify subscribers.

        If `fn` raises, nothing changes and the exception propagates. Subscribers run in the
        caller's thread after the write, outside the lock.

        `notify_first`: subscribers run as soon as the new state is in place and the write
        follows (still under the lock: no other update comes between, and the write is done
        when this returns), so a view repaints while the file is written and fsynced. Only for
        a caller whose change survives a crash before the write (the interview driver's
        journal); subscribers then run under the lock and must not wait for another thread.

        `strict`: the change must rest on the file as another process left it (a run's start
        checks that nothing else runs): when the file cannot be locked, re-read or written, it
        raises SpecuiError instead of going on with what only this process knows.
        """
        with self._lock, self._file_lock(strict=strict):
            try:
                self._load_from_disk()  # pick up another process's changes first
            except Exception as exc:
                if strict:
                    raise SpecuiError(f"cannot re-read {self._rel()}: {exc}") from None
                log.exception("unexpected error re-reading %s", self.path)
            draft = self.state.model_copy(deep=True)
            fn(draft)
            # Round-trip through JSON so a bad mutation fails here, not on the next open.
            session = Session.model_validate_json(draft.model_dump_json())
            if notify_first:
                self.state = session
                self._notify(session)
            self._persist(session, strict=strict)
            self.state = session
        if not notify_first:
            self._notify(session)
        return session

    def save(self) -> None:
        """Write the current state (e.g. to recreate a file that was set aside)."""
        with self._lock, self._file_lock():
            self._persist(self.state)

    # ------------------------------------------------------------------ observers
    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call `callback(state)` after every change; returns a function that unsubscribes."""
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock, contextlib.suppress(ValueError):
                self._subscribers.remove(callback)

        return unsubscribe

    def _notify(self, session: Session) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for callback in subscribers:
            try:
                callback(session)
            except Exception:
                # One broken view must not break the store or the other views.
                log.exception("session subscriber %r failed", callback)

    def reload(self) -> None:
        """Re-read the file (another process changed it); notify only if the content changed."""
        with self._lock:
            try:
                changed = self._load_from_disk()
            except Exception:
                log.exception("unexpected error reloading %s", self.path)
                return
            session = self.state
        if changed:
            self._notify(session)
