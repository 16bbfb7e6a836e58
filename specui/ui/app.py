"""The specui workbench: a Textual app whose one screen (screens/workbench.py) shows every pane,
fed by the one SessionStore.

The app wires the services (specui/ui/services/): the two-phase boot, the theme store, the store
fan-out, the file watcher and the question-bridge inbox; it holds the engine and the user's
keymap; and it has the one error handler of every thread worker, keyed on `WorkerGroup`.
Producers (the engine, the watcher, the runner) change the store or the files from their
threads; the fan-out turns each change into one coalescing `StoreChanged` and the screen
renders from `store.state`. Keys, palette and help come from one table (actions.py).
"""

from __future__ import annotations

import asyncio
import re
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on
from textual.app import App
from textual.binding import Binding
from textual.worker import Worker, WorkerState

from specui.core.errors import SpecuiError
from specui.ui.actions import check_keymap, keymap_to_apply, split_keys
from specui.ui.commands import SpecuiCommands, SystemCommands
from specui.ui.lifecycle import is_live
from specui.ui.messages import InterviewerReady
from specui.ui.screens.workbench import WorkbenchScreen
from specui.ui.services.bridge_inbox import BridgeInbox, BridgeRequestsFound
from specui.ui.services.themes import ThemeStore
from specui.ui.services.workers import WorkerGroup, describe
from specui.ui.widgets.safe_text import clean

if TYPE_CHECKING:
    from rich.console import RenderableType
    from textual.driver import Driver
    from textual.notifications import SeverityLevel

    from specui.core.paths import Project
    from specui.store import SessionStore
    from specui.ui.actions import UIAction
    from specui.ui.services.boot import Backend
    from specui.ui.services.store_fanout import StoreFanout
    from specui.ui.services.watcher import FileWatchService

HERE = Path(__file__).parent
SHELL_CSS = HERE / "styles" / "shell.tcss"
# What sits inside the panes: read with the panes themselves, after the first frame.
PANES_CSS = (HERE / "styles" / "panes.tcss", HERE / "widgets" / "runner_pane.tcss")
QUIT_SIGNALS = (signal.SIGHUP, signal.SIGTERM)


class SpecuiApp(App[int]):
    """The workbench. Construct with a project; store/config/engine default to the real ones."""

    # Absolute, so subclasses defined elsewhere (benchmarks, scripts) still find them.
    CSS_PATH: ClassVar[list[str | Path]] = [str(SHELL_CSS), *map(str, PANES_CSS)]
    TITLE = "specui"
    COMMANDS: ClassVar[set[Any]] = {SystemCommands, SpecuiCommands}

    def __init__(
        self,
        project: Project,
        *,
        store: SessionStore | None = None,
        config: Any = None,
        engine: Any = None,
        make_engine: bool = True,
        watch: bool = True,
        blink: bool = True,
        theme: str | None = None,
        bridge: bool | None = None,
        profile: str | None = None,
    ) -> None:
        """`store`/`config` left out: loaded in a thread after the first frame (services/boot).
        `theme`: the theme of the first frame (default: a cheap read of specui.toml).
        `bridge`: answer `specui question` requests (writes `.specui/workbench.pid`); defaults
        to `watch`, so test apps without a watcher leave the project folder alone."""
        super().__init__()
        self.project = project
        self.config = config
        self.store: SessionStore | None = store
        self.engine = engine
        self.profile = profile  # `specui --quick|--standard|--deep`: a new interview's depth
        self.startup_error: str | None = None
        # Given a store and a config (tests, scripts), the panes' styles are read at once.
        self.eager = store is not None and config is not None
        if not self.eager:
            self.css_path = [SHELL_CSS]
        # The engine is built after the first frame: the biggest import left.
        self.build_engine = engine is None and make_engine
        self.watch_files = watch
        self.blink = blink
        self.bridge_inbox = BridgeInbox(self, project) if (watch if bridge is None else bridge) else None
        self.file_watch: FileWatchService | None = None
        self.fanout: StoreFanout | None = None
        self._attached = False
        self._frozen = False
        self.last_key_at = 0.0  # time.monotonic() of the latest key (bridge_question's hold)
        self.themes = ThemeStore(self, project)
        ui = getattr(config, "ui", None)
        self._theme_warnings = self.themes.register(theme or getattr(ui, "theme", None))

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            self.last_key_at = time.monotonic()
            if self.workbench.hold_key(event):  # typed before the question is on screen
                return
        await super().on_event(event)

    def get_default_screen(self) -> WorkbenchScreen:
        self.workbench = WorkbenchScreen()
        return self.workbench

    def notify(
        self, message: str, *, title: str = "", severity: SeverityLevel = "information",
        timeout: float | None = None, markup: bool = False,
    ) -> None:
        """Every toast is plain text: messages carry config values, file names, agent output
        (a `[/]` parsed as markup would crash the app). Widgets' `notify` routes here too."""
        super().notify(
            clean(str(message)), title=clean(str(title)), severity=severity, timeout=timeout,
            markup=False,
        )

    # ------------------------------------------------------------------ boot
    def on_mount(self) -> None:
        # Background threads (SPEC.md parsing, the runner's readers) are pure Python: with the
        # default 5 ms GIL switch interval a keypress can wait several slices.
        sys.setswitchinterval(0.001)
        # A closed terminal (SIGHUP) or a kill (SIGTERM) quits as Ctrl+Q does: the agent
        # round's process group ends and the draft is saved (the default ended the process).
        for sig in QUIT_SIGNALS:
            asyncio.get_running_loop().add_signal_handler(sig, self.exit)
        for warning in self._theme_warnings:
            self.notify(warning, severity="warning", timeout=8)

    def on_ready(self) -> None:
        """The first frame is on screen: load what it did without (services/boot.py)."""
        if not self.eager:
            from specui.ui.services.boot import StagedStart

            StagedStart(self).begin()

    def load_pane_styles(self) -> None:
        for path in PANES_CSS:
            self.stylesheet.read(path)
            self.css_path.append(path)

    def backend_loaded(self, backend: Backend) -> None:
        if not is_live(self.workbench) or self._attached or self.store is not None:
            return
        self.config, self.store = backend.config, backend.store
        warning = self.themes.follow(self.config.ui.theme)
        if warning:
            self.notify(warning, severity="warning", timeout=8)
        self.attach()

    def attach(self) -> None:
        """Config and store are ready and the panes mounted: render, start the producers."""
        from specui.ui.services.store_fanout import StoreFanout

        if self._attached or self._exit:
            return
        self._attached = True
        store, screen = self.store, self.workbench
        assert store is not None
        if self.eager:
            self.themes.follow(None)
        keymap = dict(getattr(self.config, "keys", {}) or {})
        for warning in check_keymap(keymap):
            self.notify(warning, severity="warning", timeout=10)
        self.set_keymap(keymap_to_apply(keymap))
        self.fanout = StoreFanout(store, screen)
        self.fanout.start()
        for message in store.messages:
            self.notify(message, severity="warning", timeout=8)
        screen.attach()
        # The question is on screen with the next frame; the panes and the producers (threads
        # that compete with the event loop for the GIL) follow it.
        screen.call_after_refresh(self._after_first_question)

    async def _after_first_question(self) -> None:
        from specui.ui.services.watcher import FileWatchService

        screen, store = self.workbench, self.store
        if not is_live(screen) or store is None:
            return
        if not screen.panes:
            await screen.mount_panes()
        if self.engine is not None or self.build_engine:
            self.run_worker(self._start_engine, thread=True, group=WorkerGroup.ENGINE,
                            exit_on_error=False)
        else:
            screen.query_one("#question").show_message("no interviewer engine")  # type: ignore[attr-defined]
        if self.watch_files:
            self.file_watch = FileWatchService(self.project.root, store, screen)
            self.file_watch.start()
        if self.bridge_inbox is not None:
            self.bridge_inbox.announce()
            self.bridge_inbox.start()
        self.call_after_refresh(lambda: self.call_after_refresh(self._freeze_heap))

    def _start_engine(self) -> None:
        if self.engine is None:
            from specui.ui.services.boot import load_engine

            self.engine = load_engine(self.project, self.store, self.config, self.profile)  # type: ignore[arg-type]
        self.engine.start()  # its store update re-renders the screen (and its bindings)
        self.workbench.post_message(InterviewerReady())  # an answer sent while it started goes now

    def _freeze_heap(self) -> None:
        """Move everything start-up allocated (modules, widgets, models) out of the collector's
        view, once: later full collections then only walk what the session allocates, which
        halves the worst event-loop stall during a 1M-line runner stream (51 -> 27 ms)."""
        if not self._frozen:
            self._frozen = True
            import gc

            gc.freeze()

    def get_driver_class(self) -> type[Driver]:
        driver = super().get_driver_class()
        # A pasted text that holds an escape (coloured log lines) arrives whole, not partly as
        # key presses (specui/ui/services/paste_input.py).
        from specui.ui.services.paste_input import install

        install(driver)
        return driver

    async def action_quit(self) -> None:
        # Ctrl+Q is a priority key: it runs before keys typed in the same burst (a paste, then
        # Ctrl+Q) reach the focused box. Quit after them, so they are in the saved draft.
        focused = self.focused
        if focused is None or not focused.call_later(self.exit):
            self.exit()

    def exit(
        self, result: int | None = None, return_code: int = 0, message: RenderableType | None = None
    ) -> None:
        if self._attached and not self._exit:
            # What the answer box holds now: keys typed in the same burst as Ctrl+Q are in it,
            # their change messages are not handled any more (on_unmount writes it).
            self.workbench.take_draft()
        super().exit(result, return_code, message)

    def on_unmount(self) -> None:
        for sig in QUIT_SIGNALS:
            asyncio.get_running_loop().remove_signal_handler(sig)
        if self.engine is not None:
            # An agent round ends with its process group; the next start runs it again.
            self.engine.shutdown()
        if self._attached:
            self.workbench.flush_draft()  # the last draft is on disk before the process ends
        for service in (self.file_watch, self.fanout, self.bridge_inbox):
            if service is not None:
                service.stop()

    # ------------------------------------------------------------------ errors (one place)
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        try:
            group: WorkerGroup | None = WorkerGroup(worker.group)
        except ValueError:
            group = None  # started without one of our groups: its errors are still reported
        error = worker.error if event.state == WorkerState.ERROR else None
        if group is WorkerGroup.ANSWER and event.state in (WorkerState.SUCCESS, WorkerState.ERROR,
                                                           WorkerState.CANCELLED):
            self.workbench.answer_finished(event.state == WorkerState.SUCCESS, describe(error))
        if error is None:
            return
        if group is WorkerGroup.STARTUP:
            # Bad specui.toml (or an unreadable project): leave the TUI; run_app prints it.
            self.startup_error = describe(error)
            self.exit(return_code=error.exit_code if isinstance(error, SpecuiError) else 1)
            return
        if group is WorkerGroup.ENGINE and (
            self.engine is None or self.store is None or self.store.state.interview.current is None
        ):
            # The interview could not start (SPEC.md a symlink loop, outside the project, not a
            # file): say so where the question would be, and refuse an answer waiting for it.
            if self.engine is None:
                self.build_engine = False
            self.workbench.post_message(InterviewerReady())
            if is_live(self.workbench):
                self.workbench.query_one("#question").show_message(describe(error))  # type: ignore[attr-defined]
        if not isinstance(error, SpecuiError):
            self.log.error(f"{group}: {error!r}")
        self.notify(describe(error) or "", severity="error", timeout=10)

    @on(BridgeRequestsFound)
    def _bridge_requests(self, message: BridgeRequestsFound) -> None:
        # Until the panes are up (or while they go) a question waits: the next scan shows it.
        if self.bridge_inbox is not None and self._attached and self.workbench.live:
            self.bridge_inbox.found(message.requests)

    # ------------------------------------------------------------------ keys and palette
    def keys_display(self, entry: UIAction) -> str:
        """An action's keys as the user has them (specui.toml [keys]), e.g. "C / F5"."""
        keys = split_keys(self._keymap.get(entry.id, entry.keys))
        return " / ".join(self.get_key_display(Binding(key, "")) for key in keys)

    def get_key_display(self, binding: Binding) -> str:
        shown = super().get_key_display(binding)
        return shown.upper() if re.fullmatch(r"f\d+", shown) else shown  # F2, as on the keyboard

    def palette_commands(self) -> list[tuple[str, str, Any]]:
        """Every action for the command palette (commands.py presents them)."""
        return self.workbench.palette_commands()


def run_app(project: Project, profile: str | None = None) -> int:
    """Entry point used by `specui [DIR]`. Returns the process exit code.

    A TOML syntax error is caught here, before the terminal is taken over (a stdlib parse costs
    ~1 ms); a value error (unknown key, wrong type) is found by the full load just after the
    first frame, which closes the workbench and is reported here the same way."""
    from specui.core.loader import LoadError, load_toml_file

    if not project.root.is_dir():
        print(f"specui: error: no such directory: {project.root}", file=sys.stderr)
        return 2
    try:  # core.loader's rule: syntax, nesting depth, size, not-a-file: one line, no traceback
        load_toml_file(project.config, what=project.config.name)
    except LoadError as exc:
        if not exc.missing:
            print(f"specui: error: {exc}", file=sys.stderr)
            return exc.exit_code
    app = SpecuiApp(project, profile=profile)
    app.run()
    if app.startup_error is not None:
        print(f"specui: error: {app.startup_error}", file=sys.stderr)
    return app.return_code or 0

