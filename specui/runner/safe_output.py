"""A child's raw output made safe for a terminal, whole lines at a time: for the log and for
headless forwarding.

The log `orchestrator/<phase>-<stamp>.md` is meant to be read with `cat`/`less -R` and is
tailed by the runner pane, so it must not replay clear-screen, cursor moves, titles or OSC 52
clipboard writes to whoever reads it. `LineSanitizer` keeps SGR colours and strips every other
escape/control sequence (specui.core.ansi), one line at a time: an escape sequence is never
split between two writes, no sequence can swallow a newline (the log keeps every line the child
printed), and each line comes out exactly as the pane's own per-line sanitizing shows it.

Throughput (a flood is ~1 MiB per read): almost every block is already safe (plain text and
colours), which `core.ansi.scan_span` checks at C speed without decoding, counting the lines in
the same pass — still the biggest cost of a flood (~0.5 ms/MB for plain text, ~3 ms/MB when
every line is coloured). `feed_parts` never copies the read: the line in progress is completed
from its first line, the whole lines in between are checked in place and handed out as a
memoryview, and the headless forwarder (runner/cli.py) writes the very same parts, so nothing
is scanned twice.
"""

from __future__ import annotations

from specui.core.ansi import is_safe_bytes, last_frame, sanitize_bytes, scan_span

__all__ = [
    "EAGER_LIMIT", "MAX_PENDING", "LineSanitizer", "Part", "sanitize_lines",
]

Part = bytes | memoryview  # a piece of sanitized output; a memoryview shares the read's buffer

MAX_PENDING = 65536  # a "line" this long without a newline is written anyway
EAGER_LIMIT = 4096   # a read smaller than this is not a flood: write a safe partial line at once

def sanitize_lines(block: bytes) -> bytes:
    """Sanitize each line of `block` on its own (newlines always kept)."""
    if is_safe_bytes(block):
        return block
    return b"\n".join(_line(line) for line in block.split(b"\n"))


def _sanitize_line(line: bytes) -> bytes:
    """One line (ending in its newline): itself when safe."""
    return line if is_safe_bytes(line) else _line(line[:-1]) + b"\n"


def _sanitize_each(block: bytes) -> bytes:
    """Whole lines known to be unsafe somewhere: each line sanitized on its own."""
    return b"\n".join(_line(line) for line in block.split(b"\n"))


def _line(line: bytes) -> bytes:
    """One line without its newline, sanitized, as a terminal leaves it (`last_frame`). A
    progress bar starts each frame with CR, so its line waits whole (a CR is not safe to
    give out early) and keeps its last frame; text given out before a CR stays given out."""
    return sanitize_bytes(last_frame(line))


def _incomplete_utf8_suffix(data: bytes) -> int:
    """How many bytes at the end of `data` start a UTF-8 character that is not complete yet."""
    size = len(data)
    for back in range(1, min(4, size) + 1):
        byte = data[size - back]
        if byte < 0x80:
            return 0
        if byte >= 0xC0:  # a lead byte: how long should its sequence be?
            need = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return back if need > back else 0
    return 0


class LineSanitizer:
    """Raw output in (any chunking), sanitized bytes out, never splitting a line's escapes.

    `newlines` counts the raw stream's line ends handed out so far; since only a partial line
    is ever held back, it equals the count of every byte fed (one scan does both)."""

    def __init__(self) -> None:
        self.pending = b""
        self.newlines = 0

    def feed(self, chunk: bytes) -> bytes:
        """The sanitized complete lines of `pending + chunk`. The rest waits for its newline,
        except that a small read's safe partial line is given out at once (an agent's
        "Proceed? [y/N] " must show while it waits)."""
        return b"".join(self.feed_parts(chunk))

    def feed_parts(self, chunk: bytes) -> list[Part]:
        """`feed` as parts to write in order (os.writev), without copying `chunk`'s lines."""
        last = chunk.rfind(b"\n")
        if last == -1:
            data = self.pending + chunk if self.pending else chunk
            if len(data) >= MAX_PENDING:
                self.pending = b""
                return [sanitize_lines(data)]
            self.pending = data
            eager = self._eager() if len(chunk) < EAGER_LIMIT else b""
            return [eager] if eager else []
        first = chunk.find(b"\n")
        head = self.pending + chunk[: first + 1] if self.pending else chunk[: first + 1]
        parts: list[Part] = [_sanitize_line(head)]
        newlines = 1
        if last > first:
            safe, count = scan_span(chunk, first + 1, last + 1)
            newlines += count
            if safe:
                parts.append(memoryview(chunk)[first + 1 : last + 1])
            else:
                parts.append(_sanitize_each(chunk[first + 1 : last + 1]))
        self.newlines += newlines
        self.pending = chunk[last + 1 :]
        if len(chunk) < EAGER_LIMIT:
            eager = self._eager()
            if eager:
                parts.append(eager)
        return parts

    def idle(self) -> bytes:
        """No output for a while: give out a safe partial line (an unsafe one keeps waiting
        for the rest of its escape sequence)."""
        return self._eager() if self.pending else b""

    def _eager(self) -> bytes:
        tail = self.pending
        if not tail or not is_safe_bytes(tail):
            return b""
        keep = _incomplete_utf8_suffix(tail)
        if keep == len(tail):
            return b""
        self.pending = tail[len(tail) - keep :] if keep else b""
        return tail[: len(tail) - keep] if keep else tail

    def flush(self) -> bytes:
        """Everything left (the child ended), sanitized."""
        data, self.pending = self.pending, b""
        return sanitize_lines(data) if data else b""
