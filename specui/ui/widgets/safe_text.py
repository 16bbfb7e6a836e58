"""Text from files, agents and users is data, never markup.

A plain `str` handed to `Static`, `Label` or a `DataTable` cell is parsed as Textual markup, so a
question that contains `[/]` crashes the app and one containing `[bold]` changes its look. And an
escape sequence such as `ESC [2J` (clear screen) or an OSC 52 clipboard write would travel straight
to the user's terminal. Every external string therefore goes through `safe_text()`: escape
sequences and control bytes are removed and the result is a `rich.text.Text`, which Textual
renders verbatim.
"""

from __future__ import annotations

import re

from rich.text import Text

try:  # the runner engineer's sanitizer (keeps SGR colours); ours strips everything
    from specui.core.ansi import strip_ansi as _strip_ansi
except ImportError:  # pragma: no cover - fallback until specui.core.ansi lands
    _strip_ansi = None

_FALLBACK = re.compile(
    r"\x1b\[[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC
    r"|\x1b[PX^_].*?(?:\x1b\\|$)"  # DCS/SOS/PM/APC
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]"  # other ESC sequences
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]",  # any other control byte (keeps TAB and LF)
    re.DOTALL,
)


def clean(text: str) -> str:
    """Drop every escape sequence and control byte except TAB and LF (CR becomes nothing)."""
    text = text.replace("\r\n", "\n")
    if _strip_ansi is not None:
        return _strip_ansi(text)
    return _FALLBACK.sub("", text)


def safe_text(text: str, style: str = "") -> Text:
    """A `Text` that shows `text` literally: no markup parsing, no escape sequences."""
    return Text(clean(text), style=style)
