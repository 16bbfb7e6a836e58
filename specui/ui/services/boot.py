"""Staged start-up. The first frame is a light shell (progress line, titled placeholders,
footer) painted before anything heavy is imported; thread workers then load the rest: first
the answer widgets (TextArea, OptionList, ~10 ms) for the saved question (session_file's peek),
then the config and the store (pydantic, ~150 ms) and the other panes. A TOML syntax error is caught by `run_app` before the terminal is taken
(a stdlib parse costs ~1 ms); a bad value is found here and closes the workbench with one line."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from specui.ui.lifecycle import is_live
from specui.ui.services.workers import WorkerGroup

if TYPE_CHECKING:
    from specui.core.paths import Project
    from specui.session_file import SavedPending
    from specui.store import SessionStore
    from specui.ui.app import SpecuiApp

# Imported in the boot thread, not at start-up (what the first frame does without).
PANE_MODULES = (
    "specui.ui.widgets.question_pane",
    "specui.ui.widgets.option_picker",
    "specui.ui.widgets.finish_view",
)


@dataclass
class Backend:
    config: Any
    store: SessionStore


class StagedStart:
    """After the first frame, in order, each stage once the one before is painted: the saved
    question (session_file's peek, no pydantic), then the config and the store, then
    `SpecuiApp.attach` renders the session over the saved question. Each loading step runs in
    a thread; an error there (a bad specui.toml) closes the workbench (WorkerGroup.STARTUP)."""

    def __init__(self, app: SpecuiApp) -> None:
        self.app = app

    def begin(self) -> None:
        self._in_thread(self._peek)

    def _in_thread(self, work: Any) -> None:
        self.app.run_worker(work, thread=True, group=WorkerGroup.STARTUP, exit_on_error=False)

    def _peek(self) -> None:
        from specui.session_file import peek_pending

        saved = peek_pending(self.app.project)
        import_answer_widgets()
        self.app.call_from_thread(self._show_saved, saved)

    async def _show_saved(self, saved: SavedPending | None) -> None:
        app = self.app
        if not is_live(app.workbench) or app.store is not None:
            return
        app.load_pane_styles()
        await app.workbench.mount_answer()
        if saved is not None:
            app.workbench.show_saved(saved)
        # Loading in a thread competes with this frame for the GIL: it starts once painted.
        app.call_after_refresh(self._in_thread, self._load)

    def _load(self) -> None:
        app = self.app
        backend = load_backend(app.project, app.config, app.store)
        app.call_from_thread(app.backend_loaded, backend)


def import_answer_widgets() -> None:
    """Blocking: run it in a thread (the modules the question and its answer need)."""
    for module in PANE_MODULES:
        importlib.import_module(module)


def load_backend(project: Project, config: Any = None, store: SessionStore | None = None) -> Backend:
    """Blocking: run it in a thread. SpecuiError (bad specui.toml) propagates."""
    from specui.core.config import load_config
    from specui.store import SessionStore
    from specui.ui.panes import discover

    config = config if config is not None else load_config(project)
    store = store if store is not None else SessionStore.open(project)
    import_answer_widgets()
    discover()
    return Backend(config, store)


def load_engine(
    project: Project, store: SessionStore, config: Any, profile: str | None = None
) -> Any:
    """The interview driver with the configured engine (an engine that cannot run shows its
    error in the question pane, with retry and switch-to-offline keys)."""
    from specui.interview.driver import InterviewDriver

    return InterviewDriver(project, store, config, profile=profile)
