"""Markdown block rules shared by the SPEC.md parser and the tasks.md counter.

Both need the same answer to "is this line code (inside a fence) or commented out?", and two
copies of the CommonMark fence rules drift apart (tasks.md once treated "```python" inside a
fence as a closing fence and "```x```" as an opening one). One implementation lives here.

Fences follow CommonMark: an opening fence is 3+ backticks or tildes; a backtick fence's info
string cannot contain a backtick ("```x```" is inline code, not a fence); a closing fence uses
the same character, is at least as long as the opening one and has no info string. Fences are
recognised at any indentation so a fence nested in a list item still hides its contents. An
unclosed fence runs to the end of the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Fence", "fence_step", "is_html_comment_start"]

_FENCE_RE = re.compile(r"[ \t]*(`{3,}|~{3,})(.*)\Z", re.DOTALL)
_COMMENT_START_RE = re.compile(r"[ \t]*<!--")


@dataclass(frozen=True)
class Fence:
    """An open code fence: its character and the length of its opening run."""

    char: str
    length: int


def fence_step(line: str, fence: Fence | None) -> tuple[Fence | None, bool]:
    """Advance the code-fence state over one line (no terminator); returns (new state, line is
    a fence line)."""
    m = _FENCE_RE.match(line)
    if m is None:
        return fence, False
    marker, rest = m.group(1), m.group(2)
    if fence is None:
        if marker[0] == "`" and "`" in rest:
            return None, False  # an inline code span, not a fence (CommonMark)
        return Fence(marker[0], len(marker)), True
    if marker[0] == fence.char and len(marker) >= fence.length and not rest.strip():
        return None, True
    return fence, False  # code inside the fence that merely looks like a marker


def is_html_comment_start(line: str) -> bool:
    """The line opens an HTML comment block (CommonMark HTML block type 2: a line starting with
    `<!--`; it runs to the first line containing `-->`, that line included)."""
    return _COMMENT_START_RE.match(line) is not None
