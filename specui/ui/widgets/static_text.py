"""Changing what a `Static` shows without needless work.

`Static.update` repaints and asks for a layout of the whole screen every time, even with the
text it already shows: panes that redraw from every store change (an agent round sends several)
would lay out the screen each time. `show` skips an unchanged text, and a one-line text that
stays one line repaints without a layout.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.content import Content
from textual.widgets import Static

_SHOWN = "_specui_shown"


def _key(content: Text | Content | str) -> object:
    if isinstance(content, Text):
        return ("text", content.plain, str(content.style), tuple(content.spans))
    if isinstance(content, Content):
        return ("content", content.plain, tuple(content.spans))
    return ("str", content)


def _one_line(content: Text | Content | str, width: int) -> bool:
    plain = content if isinstance(content, str) else content.plain
    return "\n" not in plain and cell_len(plain) <= width


def show(widget: Static, content: Text | Content | str, *, one_row: bool = False) -> None:
    """Show `content` in `widget` (already safe: see safe_text) unless it is already shown.
    `one_row`: the widget is one row high whatever it holds (its CSS says so)."""
    key = _key(content)
    before = getattr(widget, _SHOWN, None)
    if before is not None and before[0] == key:
        return
    width = widget.content_region.width
    same_height = one_row or (
        before is not None
        and widget.display
        and width > 0
        and _one_line(before[1], width)
        and _one_line(content, width)
    )
    setattr(widget, _SHOWN, (key, content))
    widget.update(content, layout=not same_height)
