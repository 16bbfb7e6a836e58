"""Text from files, agents and users is data, never markup.

A plain `str` handed to `Static`, `Label` or a `DataTable` cell is parsed as Textual markup, so a
question that contains `[/]` crashes the app and one containing `[bold]` changes its look. And an
escape sequence such as `ESC [2J` (clear screen) or an OSC 52 clipboard write would travel straight
to the user's terminal. Every external string therefore goes through `safe_text()`: escape
sequences and control bytes are removed and the result is a `rich.text.Text`, which Textual
renders verbatim.
"""

from __future__ import annotations

from rich.text import Text

from specui.core.ansi import strip_ansi


def clean(text: str) -> str:
    """Drop every escape sequence and control byte except TAB and LF (CR becomes nothing)."""
    return strip_ansi(text.replace("\r\n", "\n"))


def safe_text(text: str, style: str = "") -> Text:
    """A `Text` that shows `text` literally: no markup parsing, no escape sequences."""
    return Text(clean(text), style=style)
