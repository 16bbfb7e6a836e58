"""Follow the project's files on disk while the workbench runs: SPEC.md, the session file and
the active feature's tasks.md.

Why folders and not files: editors save by writing a temp file and renaming it over the
original, which replaces the inode a file watch is attached to (measured: 1 of 20 such saves
seen). Watching the parent folder and filtering by name sees every save.

Why not the whole project, recursively: a project holds node_modules/, .git/, build output;
a recursive watch puts an inotify watch on every folder of it. We watch a handful of folders,
non-recursively, and re-arm when the set changes (`specs/` or a feature folder appears,
`.specify/feature.json` names another feature).

Why `debounce=50`: watchfiles' default groups changes for up to 1.6 s, far too slow for "the
edit appears within a fraction of a second". `step=10` ends a group once 10 ms pass quietly.
The grouping is also what coalesces bursts (an agent ticking off ten tasks, a runner writing
the session several times): one callback per group.

watchfiles is imported inside the thread, so it costs nothing at startup.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from specui.ui.messages import FilesChanged, WatcherFailed

if TYPE_CHECKING:
    from textual.message_pump import MessagePump

    from specui.store import SessionStore

DEBOUNCE_MS = 50
# specui.bridge's file names (request, answer, cancel); spelled out here so the watcher thread
# does not import the bridge (pydantic) for a name test.
BRIDGE_SUFFIXES = (".request.json", ".answer.json", ".cancel.json")
STEP_MS = 10


class FolderWatcher:
    """Watch `folders` (non-recursively) for changes to files named in `names`.

    `on_change(paths)` is called in the watcher thread with the set of changed paths;
    `on_error(reason)` once if watching fails. `stop()` ends the thread within ~a step.
    Subclasses may change the folder set over time (`current_folders` + `needs_rearm`).
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
        self.watching: list[Path] = []  # the folders of the current watch (for tests, status)

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def _wanted(self, _change: object, path: str) -> bool:
        return Path(path).name in self.names

    def current_folders(self) -> list[Path]:
        """The folders to watch now (existing ones only)."""
        return [f for f in self.folders if f.is_dir()]

    def needs_rearm(self, _paths: frozenset[Path]) -> bool:
        """Whether these changes may alter `current_folders()` (then it is recomputed)."""
        return False

    def run(self) -> None:
        """Blocking loop; run it in a thread."""
        from watchfiles import watch  # here, in the thread: nothing at start-up

        try:
            folders = self.current_folders()
            if not folders:
                self._fail("nothing to watch: project folder missing")
                return
            while not self._stop.is_set():
                self.watching = folders
                rearm = False
                for changes in watch(
                    *map(str, folders),
                    watch_filter=self._wanted,
                    debounce=DEBOUNCE_MS,
                    step=STEP_MS,
                    stop_event=self._stop,
                    recursive=False,
                    yield_on_timeout=True,
                    rust_timeout=200,
                    raise_interrupt=False,
                ):
                    self.ready.set()
                    if self._stop.is_set():
                        break
                    if not changes:
                        continue
                    paths = frozenset(Path(p) for _c, p in changes)
                    self.on_change(paths)
                    if self.needs_rearm(paths):
                        new = self.current_folders()
                        if new != folders:
                            folders, rearm = new, True
                            break
                if not rearm:
                    break
        except Exception as exc:  # noqa: BLE001 - report, never crash the UI
            if not self._stop.is_set():
                self._fail(f"file watching stopped: {exc}")
        finally:
            self.ready.set()

    def _fail(self, reason: str) -> None:
        self.ready.set()
        if self.on_error is not None:
            self.on_error(reason)


class ProjectWatcher(FolderWatcher):
    """SPEC.md, `.specui/session.json`, the active feature's `tasks.md` and the question
    bridge's request/answer files (`.specui/bridge/*.json`, see specui/bridge.py) of one project.

    The active feature is Spec Kit's (`core.tasks.find_feature_dir`): `.specify/feature.json`,
    else the highest `specs/NNN-*`. Its folder is watched for `tasks.md`; `specs/` and
    `.specify/` are watched so that a new feature (the specify phase creates one) is followed.
    """

    def __init__(
        self,
        root: Path,
        on_change: Callable[[frozenset[Path]], None],
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__([root], (), on_change, on_error)
        self.root = Path(root)
        self.spec = self.root / "SPEC.md"
        self.state_dir = self.root / ".specui"
        self.session = self.state_dir / "session.json"
        self.bridge_dir = self.state_dir / "bridge"
        self.specify_dir = self.root / ".specify"
        self.feature_json = self.specify_dir / "feature.json"
        self.specs_dir = self.root / "specs"
        self.feature: Path | None = None

    def current_folders(self) -> list[Path]:
        from specui.core.tasks import find_feature_dir

        if not self.root.is_dir():
            return []
        feature = find_feature_dir(self.root)
        self.feature = feature
        candidates = [
            self.root,
            self.state_dir,
            self.bridge_dir,
            self.specify_dir,
            self.specs_dir,
            feature,
        ]
        folders: list[Path] = []
        for folder in candidates:
            if folder is not None and folder not in folders and folder.is_dir():
                folders.append(folder)
        return folders

    def _wanted(self, _change: object, path: str) -> bool:
        p = Path(path)
        parent = p.parent
        if parent == self.root:
            return p.name in ("SPEC.md", "specui.toml", ".specui", ".specify", "specs")
        if parent == self.state_dir:
            return p.name in ("session.json", "bridge")
        if parent == self.bridge_dir:
            return p.name.endswith(BRIDGE_SUFFIXES)
        if parent == self.specify_dir:
            return p.name == "feature.json"
        if parent == self.specs_dir:
            return True  # feature folders come and go
        return p.name == "tasks.md" and self.feature is not None and parent == self.feature

    def is_structural(self, path: Path) -> bool:
        """A change that may move the active feature (or the folders to watch)."""
        return path in (
            self.state_dir,
            self.bridge_dir,
            self.specify_dir,
            self.specs_dir,
            self.feature_json,
        ) or (path.parent == self.specs_dir)

    def needs_rearm(self, paths: frozenset[Path]) -> bool:
        return any(self.is_structural(p) for p in paths)

    def touches_bridge(self, paths: Iterable[Path]) -> bool:
        """A question bridge file (or the bridge folder itself) came, changed or went."""
        return any(p == self.bridge_dir or p.parent == self.bridge_dir for p in paths)

    def touches_tasks(self, paths: Iterable[Path]) -> bool:
        """The active tasks.md changed, or which file is the active one may have changed."""
        return any(p.name == "tasks.md" or self.is_structural(p) for p in paths)


class FileWatchService:
    """The workbench's watcher thread: a `ProjectWatcher` whose changes become `FilesChanged`
    (and failures `WatcherFailed`) posted to `target`.

    The session file changed: another process (`specui run` in another tmux pane, the runner's
    supervisor) may have written it, so the store re-reads it here, off the event loop (it
    parses JSON and may wait for the store's lock). Our own writes cost one stat: the store
    remembers what it wrote and ignores an identical file. A real change notifies the store's
    subscribers, i.e. one coalescing StoreChanged.
    """

    def __init__(self, root: Path, store: SessionStore, target: MessagePump) -> None:
        self.store = store
        self.target = target
        self.watcher = ProjectWatcher(
            root,
            on_change=self._in_thread,
            on_error=lambda reason: target.post_message(WatcherFailed(reason)),
        )

    def start(self) -> None:
        # A dedicated daemon thread, not the shared worker pool: it lives as long as the app.
        threading.Thread(target=self.watcher.run, name="specui-watcher", daemon=True).start()

    def stop(self) -> None:
        self.watcher.stop()

    def _in_thread(self, paths: frozenset[Path]) -> None:
        if self.watcher.session in paths:
            self.store.reload()
        self.target.post_message(FilesChanged(paths))
