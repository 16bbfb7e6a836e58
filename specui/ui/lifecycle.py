"""Whether a widget may still touch its children: the one rule for callbacks that were queued
(`call_later`, `call_after_refresh`, a worker's `call_from_thread`) before the app began to
close. At close Textual marks the whole tree as being taken down and removes children before a
parent's queue is done, so such a callback would find no children and raise NoMatches."""

from __future__ import annotations

from textual.widget import Widget


def is_live(widget: Widget) -> bool:
    """Mounted, not being taken down, and the app still running."""
    if not widget.is_mounted or widget._pruning or widget._closing:
        return False
    app = widget.app
    return app._running and not app._exit
