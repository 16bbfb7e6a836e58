"""Follow SPEC.md (and later tasks.md) on disk while the workbench runs.

Why the folder and not the file: editors save by writing a temp file and renaming it over the
original, which replaces the inode a file watch is attached to (measured: 1 of 20 such saves
seen). Watching the parent folder and filtering by name sees every save.

Why `debounce=50`: watchfiles' default groups changes for up to 1.6 s, far too slow for "the
edit appears within a fraction of a second". `step=10` ends a group once 10 ms pass quietly.

watchfiles is imported inside the thread, so it costs nothing at startup.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path

DEBOUNCE_MS = 50
STEP_MS = 10


class FolderWatcher:
    """Watch `folders` (non-recursively) for changes to files named in `names`.

    `on_change(paths)` is called in the watcher thread with the set of changed paths;
    `on_error(reason)` once if watching fails. `stop()` ends the thread within ~a step.
    """

    def __init__(
        self,
        folders: Iterable[Path],
        names: Iterable[str],
        on_change: Callable[[frozenset[Path]], None],
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.folders = [Path(f) for f in folders]
        self.names = frozenset(names)
        self.on_change = on_change
        self.on_error = on_error
        self._stop = threading.Event()
        self.ready = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def _wanted(self, _change: object, path: str) -> bool:
        return Path(path).name in self.names

    def run(self) -> None:
        """Blocking loop; run it in a thread worker."""
        try:
            from watchfiles import watch
        except ImportError as exc:  # pragma: no cover - watchfiles is a hard dependency
            self._fail(f"file watching unavailable: {exc}")
            return
        folders = [str(f) for f in self.folders if f.is_dir()]
        if not folders:
            self._fail("nothing to watch: project folder missing")
            return
        try:
            iterator = watch(
                *folders,
                watch_filter=self._wanted,
                debounce=DEBOUNCE_MS,
                step=STEP_MS,
                stop_event=self._stop,
                recursive=False,
                yield_on_timeout=True,
                rust_timeout=200,
                raise_interrupt=False,
            )
            self.ready.set()
            for changes in iterator:
                if self._stop.is_set():
                    break
                if changes:
                    self.on_change(frozenset(Path(p) for _c, p in changes))
        except Exception as exc:  # noqa: BLE001 - report, never crash the UI
            if not self._stop.is_set():
                self._fail(f"file watching stopped: {exc}")
        finally:
            self.ready.set()

    def _fail(self, reason: str) -> None:
        self.ready.set()
        if self.on_error is not None:
            self.on_error(reason)
