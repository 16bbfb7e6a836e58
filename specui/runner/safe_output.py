"""A child's raw output made safe for a terminal, whole lines at a time: for the log and for
headless forwarding.

The log `orchestrator/<phase>-<stamp>.md` is meant to be read with `cat`/`less -R` and is
tailed by the runner pane, so it must not replay clear-screen, cursor moves, titles or OSC 52
clipboard writes to whoever reads it. `LineSanitizer` keeps SGR colours and strips every other
escape/control sequence (specui.core.ansi), one line at a time: an escape sequence is never
split between two writes, no sequence can swallow a newline (the log keeps every line the child
printed), and each line comes out exactly as the pane's own per-line sanitizing shows it.

Throughput: almost every block is already safe (plain text and colours), which
`core.ansi.is_safe_bytes` checks at C speed without decoding — but that check is still the
biggest cost of a flood (~4 ms/MB). The log writer and the headless forwarder (runner/cli.py)
cut the same stream at the same newlines, so `block_is_safe` remembers the verdict for the last
block: the second caller gets it for a memcmp instead of a second scan.
"""

from __future__ import annotations

from specui.core.ansi import is_safe_bytes, sanitize, sanitize_bytes

__all__ = ["EAGER_LIMIT", "MAX_PENDING", "LineSanitizer", "block_is_safe", "sanitize_lines"]

MAX_PENDING = 65536  # a "line" this long without a newline is written anyway
EAGER_LIMIT = 4096   # a read smaller than this is not a flood: write a safe partial line at once

_last_block: bytes = b""
_last_verdict: bool = True


def block_is_safe(block: bytes) -> bool:
    """`is_safe_bytes(block)`, remembered for the last block seen (see the module note)."""
    global _last_block, _last_verdict
    if len(block) == len(_last_block) and block == _last_block:
        return _last_verdict
    verdict = is_safe_bytes(block)
    _last_block, _last_verdict = block, verdict
    return verdict


def sanitize_block(block: bytes) -> bytes:
    """Whole-block sanitize (headless forwarding): `sanitize_bytes` with the shared verdict."""
    if block_is_safe(block):
        return block
    return sanitize(block.decode("utf-8", errors="replace")).encode("utf-8")


def sanitize_lines(block: bytes) -> bytes:
    """Sanitize each line of `block` on its own (newlines always kept)."""
    if block_is_safe(block):
        return block
    return b"\n".join(sanitize_bytes(line) for line in block.split(b"\n"))


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
    """Raw output in (any chunking), sanitized bytes out, never splitting a line's escapes."""

    def __init__(self) -> None:
        self.pending = b""

    def feed(self, chunk: bytes) -> bytes:
        """The sanitized complete lines of `pending + chunk`. The rest waits for its newline,
        except that a small read's safe partial line is given out at once (an agent's
        "Proceed? [y/N] " must show while it waits)."""
        data = self.pending + chunk if self.pending else chunk
        cut = data.rfind(b"\n")
        if cut == -1:
            if len(data) >= MAX_PENDING:
                self.pending = b""
                return sanitize_lines(data)
            self.pending = data
            return self._eager() if len(chunk) < EAGER_LIMIT else b""
        if cut == len(data) - 1:
            self.pending = b""
            return sanitize_lines(data)
        self.pending = data[cut + 1 :]
        out = sanitize_lines(data[: cut + 1])
        if len(chunk) < EAGER_LIMIT:
            out += self._eager()
        return out

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
