"""One agent process per round, as the agent engines (codex, command) need it.

The child runs in its own session (`start_new_session`), so everything it starts shares its
process group; cancel and timeout end that group (TERM, then KILL after a short grace) and
reap the child, leaving neither an orphan nor a zombie. When the child exits on its own, any
helper it left behind in the group is killed too: a round owns every process it started.

stdout is read line by line as it arrives (the Codex engine turns JSONL events into live
activity); stderr is kept as a bounded tail for the one-line error.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from specui.core.ansi import strip_ansi
from specui.interview.engines.base import EngineCancelled, EngineError, EngineTimeout

TERM_GRACE_SECONDS = 2.0
STDERR_TAIL_BYTES = 64 * 1024
MAX_STDOUT_BYTES = 16 * 1024 * 1024
# How often a quiet wait looks at the cancel flag; output and exit wake the loop at once.
POLL_SECONDS = 0.05


@dataclass(frozen=True)
class ChildResult:
    returncode: int
    stdout: bytes
    stderr: str


def run_child(
    argv: Sequence[str],
    *,
    stdin: bytes,
    cwd: Path,
    cancel: threading.Event,
    timeout: float,
    on_line: Callable[[str], None] | None = None,
    on_err_line: Callable[[str], None] | None = None,
    on_started: Callable[[], None] | None = None,
    what: str = "the agent",
) -> ChildResult:
    """Run `argv` to completion; EngineCancelled / EngineTimeout end its process group first.

    `on_line` / `on_err_line` see each stdout / stderr line (decoded, without its newline) as
    it arrives. `on_started` is called once the child runs and its stdin is being written. An
    error any of them raises ends the child. `what` names the child in error messages
    ("codex", "the interview command").
    """
    if cancel.is_set():
        raise EngineCancelled("cancelled")
    if not cwd.is_dir():
        raise EngineError(f"the project folder {cwd} does not exist")
    try:
        proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            start_new_session=True,
            close_fds=True,
        )
    except FileNotFoundError:
        raise EngineError(f"{argv[0]}: command not found") from None
    except PermissionError:
        raise EngineError(f"{argv[0]}: not executable") from None
    except OSError as exc:
        raise EngineError(f"{argv[0]}: cannot start: {exc.strerror or exc}") from None
    try:
        return _supervise(proc, stdin, cancel, timeout, on_line, on_err_line, on_started, what)
    finally:
        _end_group(proc)


def _feed(proc: subprocess.Popen[bytes], data: bytes) -> None:
    """Write stdin in its own thread: a child may answer before it has read everything."""
    assert proc.stdin is not None
    with contextlib.suppress(BrokenPipeError, OSError, ValueError):
        proc.stdin.write(data)
    with contextlib.suppress(BrokenPipeError, OSError, ValueError):
        proc.stdin.close()


def _supervise(
    proc: subprocess.Popen[bytes],
    data: bytes,
    cancel: threading.Event,
    timeout: float,
    on_line: Callable[[str], None] | None,
    on_err_line: Callable[[str], None] | None,
    on_started: Callable[[], None] | None,
    what: str,
) -> ChildResult:
    assert proc.stdout is not None and proc.stderr is not None
    writer = threading.Thread(target=_feed, args=(proc, data), daemon=True, name="engine-stdin")
    writer.start()
    if on_started is not None:
        on_started()  # the child starts up meanwhile; its output waits in the pipes
    deadline = time.monotonic() + timeout
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ, "out")
    sel.register(proc.stderr, selectors.EVENT_READ, "err")
    out = bytearray()
    err = bytearray()
    lines = {"out": _Lines(on_line), "err": _Lines(on_err_line)}
    leader_gone = False
    try:
        while sel.get_map():
            if cancel.is_set():
                raise EngineCancelled("cancelled")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise EngineTimeout(f"{what} gave no reply within {timeout:g} s")
            for key, _ in sel.select(min(POLL_SECONDS, remaining)):
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    sel.unregister(key.fileobj)
                    continue
                lines[key.data].feed(chunk)
                if key.data == "err":
                    err += chunk
                    del err[:-STDERR_TAIL_BYTES]
                    continue
                out += chunk
                if len(out) > MAX_STDOUT_BYTES:
                    raise EngineError(f"{what} wrote more than {MAX_STDOUT_BYTES >> 20} MB")
            if not leader_gone and proc.poll() is not None:
                # The child is done; a helper it left in the group must not hold the pipes.
                leader_gone = True
                _signal_group(proc.pid, signal.SIGKILL)
        for splitter in lines.values():
            splitter.close()
        while proc.poll() is None:
            if cancel.is_set():
                raise EngineCancelled("cancelled")
            if time.monotonic() >= deadline:
                raise EngineTimeout(f"{what} gave no reply within {timeout:g} s")
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(POLL_SECONDS)
    finally:
        sel.close()
    writer.join(timeout=1.0)
    return ChildResult(proc.returncode, bytes(out), err.decode("utf-8", "replace"))


class _Lines:
    """Splits a stream's chunks into lines for a callback (none: nothing is kept)."""

    def __init__(self, callback: Callable[[str], None] | None) -> None:
        self.callback = callback
        self.pending = bytearray()

    def feed(self, chunk: bytes) -> None:
        if self.callback is None:
            return
        self.pending += chunk
        *lines, rest = self.pending.split(b"\n")
        self.pending[:] = rest
        for line in lines:
            self.callback(line.decode("utf-8", "replace"))
        if len(self.pending) > MAX_STDOUT_BYTES:
            raise EngineError(f"a line longer than {MAX_STDOUT_BYTES >> 20} MB")

    def close(self) -> None:
        if self.callback is not None and self.pending:
            self.callback(self.pending.decode("utf-8", "replace"))
            self.pending.clear()


def _signal_group(pgid: int, sig: int) -> bool:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def _end_group(proc: subprocess.Popen[bytes]) -> None:
    """TERM the child's group, KILL what is left after the grace, reap the child."""
    if proc.poll() is None:
        _signal_group(proc.pid, signal.SIGTERM)
        try:
            proc.wait(TERM_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            pass
    _signal_group(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(TERM_GRACE_SECONDS)
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()


def stderr_line(stderr: str, limit: int = 300) -> str:
    """The most telling line of a child's stderr, plain and short, for a one-line error.

    Prefers a line that starts with "Error"/"error:" (Codex prints `Error: ...` followed by a
    backtrace); otherwise the last non-empty line.
    """
    lines = [strip_ansi(line).strip() for line in stderr.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return ""
    chosen = next((line for line in lines if line.lower().startswith("error")), lines[-1])
    return chosen if len(chosen) <= limit else chosen[: limit - 1] + "…"
