"""Make child-process text safe to show in a terminal UI.

Agents and the commands they run print whatever they like: colours (wanted), but also clear
screen, cursor moves, window titles, OSC 52 clipboard writes and stray control bytes. Those must
never reach the user's terminal through specui. `sanitize` keeps only SGR colour/style sequences
(`ESC [ ... m`) and strips every other escape or control sequence; `strip_ansi` removes SGR too,
for plain-text uses (matching, task detection, widths).

Pure and fast: the common case (no control bytes at all) is one regex scan and returns the
input unchanged, because the runner pane ingests hundreds of thousands of lines per second.
"""

from __future__ import annotations

import re

__all__ = ["has_controls", "sanitize", "strip_ansi"]

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
