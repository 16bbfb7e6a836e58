"""Make child-process text safe to show in a terminal UI.

Agents and the commands they run print whatever they like: colours (wanted), but also clear
screen, cursor moves, window titles, OSC 52 clipboard writes and stray control bytes. Those must
never reach the user's terminal through specui. `sanitize` keeps only SGR colour/style sequences
(`ESC [ ... m`) and strips every other escape or control sequence, 7-bit and 8-bit alike (the
C1 controls U+0080-U+009F, and in bytes a raw 0x9B CSI or 0x9D OSC, which is invalid UTF-8);
`strip_ansi` removes SGR too, for plain-text uses (matching, task detection, widths).

Pure and fast: the common case (no control bytes at all) is one regex scan and returns the
input unchanged, because the runner pane ingests hundreds of thousands of lines per second.
"""

from __future__ import annotations

import codecs
import re
from typing import AnyStr

__all__ = [
    "has_controls", "is_safe_bytes", "last_frame", "sanitize", "sanitize_bytes", "scan_span",
    "strip_ansi",
]

# Any byte that could start an escape or control sequence: C0 (minus TAB and LF), DEL, C1.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

_SEQUENCE = re.compile(
    r"""
    (?P<sgr>\x1b\[[0-9;:]*m)                              # SGR: colours and styles (kept)
    | \x1b\[[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]           # any other CSI (cursor, clear, modes)
    | \x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?         # OSC: titles, OSC 52, hyperlinks
    | \x1b[PX^_].*?(?:\x1b\\|\x9c|$)                      # DCS / SOS / PM / APC ... ST
    | \x1b[\x20-\x2f]*[\x30-\x7e]                         # other ESC sequences (ESC c, ESC 7, ...)
    | \x9b[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]             # 8-bit CSI (never kept)
    | \x9d[^\x07\x9c]*(?:\x07|\x9c)?                      # 8-bit OSC
    | [\x90\x98\x9e\x9f].*?(?:\x9c|\x1b\\|$)              # 8-bit DCS / SOS / PM / APC
    | [\x00-\x08\x0b-\x1f\x7f-\x9f]                       # lone ESC and every other control
    """,
    re.VERBOSE | re.DOTALL,
)

_ANY_SEQUENCE_OR_CONTROL = _SEQUENCE  # same pattern; strip_ansi drops the SGR group too


def _keep_sgr(match: re.Match[str]) -> str:
    return match.group(0) if match.lastgroup == "sgr" else ""


def has_controls(text: str) -> bool:
    """True when `text` holds any escape or control character besides TAB and LF."""
    return _CONTROL.search(text) is not None


def sanitize(text: str) -> str:
    """Keep SGR colour sequences, TAB and LF; strip every other escape/control sequence.

    Strips: CSI sequences other than SGR (clear screen, cursor moves, mode changes), OSC
    (window titles, OSC 52 clipboard writes, hyperlinks), DCS/SOS/PM/APC strings, other ESC
    sequences, a lone ESC, CR and every other C0/C1 control character. The result is safe to
    hand to `rich.text.Text.from_ansi` or to write to a terminal.
    """
    if _CONTROL.search(text) is None:
        return text
    return _SEQUENCE.sub(_keep_sgr, text)


def strip_ansi(text: str) -> str:
    """Remove every escape sequence including colours: the plain text a person would read."""
    if _CONTROL.search(text) is None:
        return text
    return _ANY_SEQUENCE_OR_CONTROL.sub("", text)


# --- bytes fast path (the runner's log and headless forwarding of a child's raw output) ------
# C-speed primitives only, because a regex scan of every byte costs ~5 ns/byte — more than the
# child takes to produce it. One `translate` isolates the control bytes (LF included, so the same
# pass counts lines): plain output is done there (~0.5 ms/MB). Output with ESC bytes is safe when
# each is the start of an SGR sequence; a regex that looks only at the ESC bytes (sre skips to
# each one like memchr) finds any that is not, for a cost that follows the number of escapes
# (~1.5 ms/MB more when every line carries three colour changes).
_CTL = bytes(range(0x20)) + b"\x7f\xc2"  # C0 (TAB and LF too), DEL, and C2 (the C1 lead byte)
_NOT_CTL = bytes(c for c in range(256) if c not in _CTL)
_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")


def _c1_or_replacement(error: UnicodeError) -> tuple[str, int]:
    """Decoding error handler: an invalid byte 0x80-0x9F is the 8-bit C1 control it stands for
    (so `sanitize` strips a raw 0x9B CSI with its parameters, like ESC [), any other invalid
    byte U+FFFD."""
    assert isinstance(error, UnicodeDecodeError)
    bad = error.object[error.start : error.end]
    return "".join(chr(b) if 0x80 <= b <= 0x9F else "\ufffd" for b in bad), error.end


codecs.register_error("specui-c1", _c1_or_replacement)


def _valid_utf8(data: bytes, start: int, end: int) -> bool:
    """No invalid byte in data[start:end] (an incomplete character at its end is allowed: the
    rest may come with the next read). A raw 8-bit C1 byte (0x9B CSI, 0x9D OSC) is only ever
    valid as a continuation byte inside a character, so valid UTF-8 carries none outside the
    C2 80..C2 9F form checked separately. ~0.15 ms/MB for ASCII (the decoder's fast path)."""
    try:
        codecs.utf_8_decode(memoryview(data)[start:end], "strict", False)
    except UnicodeDecodeError:
        return False
    return True
_NOT_SGR_ESC = re.compile(rb"\x1b(?!\[[0-9;:]*+m)")  # an ESC that does not start an SGR


def scan_span(data: bytes, start: int = 0, end: int | None = None) -> tuple[bool, int]:
    """`(is_safe_bytes(data[start:end]), data[start:end].count(b"\\n"))`, without copying the
    span: the runner checks a 1 MiB read minus its first and last partial lines this way. The
    parts outside the span are translated on their own, so keep them short.

    Exact because `translate` works byte by byte, so the span's share of the translated string
    is a slice of it (its ends come from translating the parts outside); `count(sub, lo, hi)` and
    `pattern.search(data, start, end)` look only inside (a sequence cut by `end` is incomplete).
    """
    size = len(data)
    end = size if end is None else end
    ctl = data.translate(None, _NOT_CTL)
    lo = len(data[:start].translate(None, _NOT_CTL)) if start else 0
    hi = len(ctl) - (len(data[end:].translate(None, _NOT_CTL)) if end < size else 0)
    newlines = ctl.count(b"\n", lo, hi)
    if not _valid_utf8(data, start, end):
        return False, newlines
    if newlines == hi - lo:
        return True, newlines
    tabs = ctl.count(b"\t", lo, hi)
    escapes = ctl.count(b"\x1b", lo, hi)
    c2 = ctl.count(b"\xc2", lo, hi)  # U+0080..U+009F (C1) are encoded as C2 80..C2 9F
    if newlines + tabs + escapes + c2 != hi - lo:
        return False, newlines  # another C0 control, or DEL
    if c2 and _C1_UTF8.search(data, start, end) is not None:
        return False, newlines
    if escapes and _NOT_SGR_ESC.search(data, start, end) is not None:
        return False, newlines
    return True, newlines


def is_safe_bytes(data: bytes) -> bool:
    """True when UTF-8 `data` holds no control/escape bytes except TAB, LF and SGR sequences."""
    return scan_span(data)[0]


def sanitize_bytes(data: bytes) -> bytes:
    """`sanitize` for raw UTF-8 output: returns `data` itself when it is already safe. Invalid
    bytes 0x80-0x9F are read as the 8-bit C1 controls they are and stripped (a raw 0x9B CSI
    with its parameters, like its 7-bit form), any other invalid byte becomes U+FFFD."""
    if is_safe_bytes(data):
        return data
    return sanitize(data.decode("utf-8", errors="specui-c1")).encode("utf-8")


def last_frame(line: AnyStr) -> AnyStr:
    """One line (without its newline) as a terminal leaves it: a carriage return inside it
    starts the line over, so a progress bar redrawn with CR keeps its last frame, not every
    frame side by side; a CR at its end is a CRLF line end. The runner's log and its pane
    both apply it, so they show the same line."""
    cr = "\r" if isinstance(line, str) else b"\r"
    line = line.rstrip(cr)  # type: ignore[arg-type]
    cut = line.rfind(cr)  # type: ignore[arg-type]
    return line[cut + 1 :] if cut != -1 else line
