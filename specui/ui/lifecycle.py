"""Whether a widget may still touch its children: the one rule for callbacks that were queued
(`call_later`, `call_after_refresh`, a worker's `call_from_thread`) before the app began to
close. At close Textual marks the whole tree as being taken down and removes children before a
parent's queue is done, so such a callback would find no children and raise NoMatches."""

from __future__ import annotations

from textual.widget import Widget


def is_live(widget: Widget) -> bool:
    """In the app's tree, not being taken down, and the app still running. A widget counts from
    its own mount handler on (its children are composed by then), not only once that handler
    has returned: a screen that renders its session from `on_mount` must find itself live."""
    if widget._pruning or widget._closing or widget._closed or not widget.is_attached:
        return False
    return widget.app._running
