"""The store fan-out: the SessionStore calls its subscribers in whichever thread changed it
(an engine worker, the watcher, the runner); this turns every change into one coalescing
`StoreChanged` posted to the workbench, which renders from `store.state` on the event loop."""

from __future__ import annotations

from typing import TYPE_CHECKING

from specui.ui.messages import StoreChanged

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.message_pump import MessagePump

    from specui.store import SessionStore


class StoreFanout:
    def __init__(self, store: SessionStore, target: MessagePump) -> None:
        self.store = store
        self.target = target
        self._unsubscribe: Callable[[], None] | None = None

    def start(self) -> None:
        # post_message is thread-safe; StoreChanged coalesces, so a burst costs one repaint.
        self._unsubscribe = self.store.subscribe(lambda _s: self.target.post_message(StoreChanged()))

    def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
