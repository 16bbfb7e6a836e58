"""Messages that carry news from threads (store, watcher, engine) to the event loop.

Each is posted with `post_message`, which is thread-safe. The "something changed" messages
coalesce (`can_replace`): ten store writes in a burst cause one repaint, not ten.
"""

from __future__ import annotations

from pathlib import Path

from textual.message import Message


class StoreChanged(Message):
    """The session store changed; read the latest snapshot kept by the app."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, StoreChanged)


class FilesChanged(Message):
    """Watched files (SPEC.md, tasks.md) changed on disk."""

    def __init__(self, paths: frozenset[Path]) -> None:
        super().__init__()
        self.paths = paths

    def can_replace(self, message: Message) -> bool:
        # `self` is the older message, `message` the newer one that replaces it: hand our paths
        # on so nothing is lost in the merge.
        if isinstance(message, FilesChanged):
            message.paths = message.paths | self.paths
            return True
        return False


class WatcherFailed(Message):
    """The file watcher could not start or died; the view then refreshes on store changes only."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class SpecLoaded(Message):
    """A fresh read of SPEC.md (parsed off the event loop). A newer one replaces an older one."""

    def __init__(self, snapshot: object, seq: int) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.seq = seq

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SpecLoaded)


class InterviewerReady(Message):
    """The interview engine has started: an answer submitted while it loaded can be sent."""
