"""The specui workbench: one Textual app, every pane fed by the one SessionStore.

Data flow (design §1): producers (the interviewer engine, the file watcher, the phase runner)
change the store or the files from their own threads; the store calls our subscriber in that
thread, which only posts a coalescing `StoreChanged` message. The event loop then renders from
`store.state` (the store replaces that object on every update, so a read is never torn).
User intents (answers, finalize, early exit) run the engine in thread workers; errors from any
worker land in one handler (`on_worker_state_changed`) and become notifications, never crashes.

Key map (also in the README; every action is in the command palette, Ctrl+P):
  Answering: ↑/↓ move, 1–9 pick/toggle (work from any pane), Space toggle, Enter submit,
             Other → inline input (Enter submit, Esc back), free text → Ctrl+S submit.
  Panes:     i/F1 answer, a/F2 ambiguity, s/F3 SPEC.md, r/F4 runner. The F-keys also work while
             typing; the letters are plain text inside an input.
  SPEC.md:   ↑/↓ choose a unit, PgUp/PgDn scroll it, f finalize (or un-finalize) it;
             C/F5 SPEC.md conflicts (counted in the progress line while any wait).
  Interview: x exit early (from round 4, with a risk warning).  Quit: Ctrl+Q.
  Bridged:   a `specui question` from another process opens a modal with the same picker keys;
             Esc cancels it (specui/bridge.py, screens/bridge_question.py).
At 80×24 the question and picker always show and one other pane sits below them (switched by
the keys above); at 120×36 and larger every pane shows at once.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

from specui.ui.commands import SpecuiCommands
from specui.ui.messages import FilesChanged, SpecLoaded, StoreChanged, WatcherFailed
from specui.ui.widgets.progress_line import ProgressLine
from specui.ui.widgets.safe_text import clean

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel
    from textual.widget import Widget

    from specui.core.paths import Project
    from specui.store import SessionStore
    from specui.ui.widgets.ambiguity_table import AmbiguityPane
    from specui.ui.widgets.finish_view import FinishView
    from specui.ui.widgets.option_picker import OptionPicker
    from specui.ui.widgets.question_pane import QuestionPane
    from specui.ui.widgets.runner_slot import RunnerSlot
    from specui.ui.widgets.spec_view import SpecSnapshot, SpecView

PANES = ("ambiguity", "spec", "runner")
HERE = Path(__file__).parent
SHELL_CSS = HERE / "specui.tcss"
# Styles of what sits inside the panes: read with the panes themselves, after the first frame.
PANES_CSS = (HERE / "panes.tcss", HERE / "widgets" / "runner_pane.tcss")


def _import_panes() -> None:
    """Import the pane modules (TextArea, OptionList, the SPEC.md view...): ~25 ms that the
    first frame does without. Safe from a thread; a no-op once imported."""
    import specui.ui.widgets.ambiguity_table
    import specui.ui.widgets.finish_view
    import specui.ui.widgets.option_picker
    import specui.ui.widgets.question_pane
    import specui.ui.widgets.runner_slot
    import specui.ui.widgets.spec_view  # noqa: F401


WIDE_MIN = (120, 36)  # columns, rows from which every pane shows at once
FINISHED = ("crystallized", "exited")
BRIDGE_POLL_SECONDS = 2.0  # safety net under the watcher (see _bridge_scan)


class BridgeRequestsFound(Message):
    """A fresh list of pending `specui question` requests (read off the event loop)."""

    def __init__(self, requests: list[Any]) -> None:
        super().__init__()
        self.requests = requests

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, BridgeRequestsFound)


class SpecuiApp(App[int]):
    """The workbench. Construct with a project; store/config/engine default to the real ones."""

    # Absolute, so subclasses defined elsewhere (benchmarks, scripts) still find them. The
    # runner pane's sheet is named by path, not imported from runner_pane.py: that module pulls
    # in process code. When the panes are mounted after the first frame, only the shell sheet
    # is read at start (see __init__).
    CSS_PATH: ClassVar[list[str | Path]] = [str(SHELL_CSS), *map(str, PANES_CSS)]
    TITLE = "specui"
    COMMANDS = App.COMMANDS | {SpecuiCommands}

    BINDINGS: ClassVar[list[BindingType]] = [
        # i/F1 and Ctrl+Q are left out of the footer to keep it within 80 columns; the palette
        # and the README list them.
        Binding(
            "i,f1", "focus_answer", "Answer", key_display="i", id="app.pane.answer", show=False
        ),
        Binding(
            "a,f2", "show_pane('ambiguity')", "Ambiguity", key_display="a", id="app.pane.ambiguity"
        ),
        Binding("s,f3", "show_pane('spec')", "SPEC", key_display="s", id="app.pane.spec"),
        Binding("r,f4", "show_pane('runner')", "Runner", key_display="r", id="app.pane.runner"),
        Binding("f", "finalize", "Finalize", id="app.finalize"),
        # Shown (and live) only while SPEC.md conflicts wait; the palette entry always works.
        Binding("C,f5", "conflicts", "Conflicts", key_display="C", id="app.conflicts"),
        Binding("x", "exit_early", "Exit early", id="app.exit_early"),
        Binding(
            "ctrl+q", "quit", "Quit", key_display="^q", id="app.quit", priority=True, show=False
        ),
        *[Binding(str(n), f"answer_pick({n - 1})", show=False) for n in range(1, 10)],
    ]


    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every toast is plain text: messages carry config values, file names, agent output.

        Textual parses notifications as markup by default, so a `[/]` in a config warning or a
        corrupt session's key would crash the app. Widgets' `notify` routes here too.
        """
        super().notify(
            clean(str(message)), title=clean(str(title)), severity=severity, timeout=timeout,
            markup=False,
        )

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
    ) -> None:
        """`store`/`config` left out: they are loaded in a thread after the first frame (the
        store and the config pull in pydantic, ~100 ms). Until then the panes say "loading"
        and `self.store` is None; `theme` is the theme to paint the first frame with (default:
        a cheap read of specui.toml). `bridge`: answer `specui question` requests (writes
        `.specui/workbench.pid`); defaults to `watch`, so test apps without a watcher leave
        the project folder alone."""
        super().__init__()
        self.project = project
        self.config = config
        self.store: SessionStore | None = store
        self.startup_error: str | None = None
        # Given a store and a config (tests, scripts), everything is composed at once. Without
        # them (`specui DIR`), the first frame is a light shell: the panes, their styles and
        # the session arrive together just after it.
        self._eager = store is not None and config is not None
        if not self._eager:
            self.css_path = [SHELL_CSS]
        self._backend_attached = False
        self._panes_up = False  # the shell has no panes: pane actions wait for them
        self._frozen = False
        self._theme_saved: str | None = None
        self._theme_lock = threading.Lock()
        self.engine = engine
        # The engine (and its question bank) is built in the start worker, after the first
        # frame: it is the biggest import left and the user sees the screen meanwhile.
        self._build_engine = engine is None and make_engine
        self.engine_problem: str | None = (
            None if engine is not None or make_engine else "no interviewer engine"
        )
        self.watch_files = watch
        self.bridge_enabled = watch if bridge is None else bridge
        self._bridge_screen: Any = None  # the open BridgeQuestionScreen, if any
        self._bridge_done_ids: set[str] = set()  # answered/cancelled here (files may linger)
        self._bridge_pid_written = False
        self.blink = blink
        self.active_pane = "spec"
        self.spec_snapshot: SpecSnapshot | None = None
        self._spec_seq = 0
        self._spec_applied = -1
        self._watcher: Any = None
        self._unsubscribe: Any = None
        self._engine_busy = False
        self._warnings_seen = 0
        self._conflicts_seen = 0
        # Before the first frame: switching theme later re-applies all CSS (~100 ms).
        self._theme_warnings = self._register_themes(theme)

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        # Size classes before any widget is mounted: set later, they restyle the whole DOM.
        self._apply_layout(self.size.width, self.size.height)
        yield ProgressLine(self.project.root.name, id="progress")
        with Horizontal(id="body"):
            with Vertical(id="main"):
                if self._eager:
                    yield from self._main_panes()
                else:
                    yield Static("Loading the session…", id="boot-main", classes="pane boot")
            with Vertical(id="side"):
                if self._eager:
                    yield from self._side_panes()
                else:
                    yield Static("", id="boot-side", classes="pane boot")
        yield Footer(compact=True)

    @staticmethod
    def _main_panes() -> list[Widget]:
        from specui.ui.widgets.ambiguity_table import AmbiguityPane
        from specui.ui.widgets.finish_view import FinishView
        from specui.ui.widgets.option_picker import OptionPicker
        from specui.ui.widgets.question_pane import QuestionPane

        return [
            QuestionPane(id="question"),
            OptionPicker(id="picker"),
            FinishView(id="finish"),
            AmbiguityPane(id="ambiguity"),
        ]

    @staticmethod
    def _side_panes() -> list[Widget]:
        from specui.ui.widgets.runner_slot import RunnerSlot
        from specui.ui.widgets.spec_view import SpecView

        # The real runner pane is mounted into the slot later (see _mount_runner).
        return [SpecView(id="spec"), RunnerSlot(None, id="runner")]

    def on_mount(self) -> None:
        # Background threads (SPEC.md parsing, section wrapping, the runner's readers) are pure
        # Python: with the default 5 ms GIL switch interval a keypress can wait several slices.
        # 1 ms keeps the event loop responsive at a negligible throughput cost.
        sys.setswitchinterval(0.001)
        for warning in self._theme_warnings:
            self.notify(warning, severity="warning", timeout=8)
        if self._eager:
            self._panes_mounted()
            self._attach_backend(self.config, self.store)  # type: ignore[arg-type]
        else:
            self.query_one("#boot-main").border_title = "Interview"
            self.query_one("#boot-side").border_title = "SPEC.md"

    def on_ready(self) -> None:
        """The first frame is on screen: now load what it did without."""
        if self.bridge_enabled:
            # Announce the workbench now: a question asked while the session still loads
            # waits in .specui/bridge and is shown when the panes are up.
            self._bridge_announce()
        if not self._eager and not self._backend_attached:
            self._load_backend()

    @work(thread=True, group="startup", exit_on_error=False, name="startup.load")
    def _load_backend(self) -> None:
        """Config, store (pydantic) and the pane modules, off the event loop."""
        from specui.core.config import load_config
        from specui.store import SessionStore

        config = self.config if self.config is not None else load_config(self.project)
        store = self.store if self.store is not None else SessionStore.open(self.project)
        _import_panes()
        self.call_from_thread(self._boot_panes, config, store)

    async def _boot_panes(self, config: Any, store: SessionStore) -> None:
        """Swap the shell's placeholders for the panes, then fill them from the store."""
        if self._exit or self._backend_attached:
            return
        for path in PANES_CSS:
            self.stylesheet.read(path)
            self.css_path.append(path)
        with self.batch_update():
            await self.query("#boot-main, #boot-side").remove()
            await self.query_one("#main").mount_all(self._main_panes())
            await self.query_one("#side").mount_all(self._side_panes())
            self._panes_mounted()
            self._attach_backend(config, store)

    def _panes_mounted(self) -> None:
        self._panes_up = True
        if not self.blink:
            for widget in self.query("Input, TextArea"):
                widget.cursor_blink = False  # type: ignore[attr-defined]
        self.query_one("#finish").display = False
        self._apply_layout(self.size.width, self.size.height)
        self.query_one("#choices").focus()

    def _attach_backend(self, config: Any, store: SessionStore) -> None:
        """Config and store are ready and the panes mounted (main thread): fill the panes,
        start the producers."""
        if self._backend_attached or self._exit:
            return
        self._backend_attached = True
        self.config = config
        self.store = store
        wanted = getattr(getattr(config, "ui", None), "theme", None)
        if wanted and wanted != self.theme and not os.environ.get("SPECUI_THEME"):
            warning = self._set_theme(wanted)
            if warning:
                self.notify(warning, severity="warning", timeout=8)
        # From now on a theme change is the user's choice (palette, Textual's theme picker):
        # it is saved in specui.toml. Boot-time settings equal the baseline and are not saved.
        self._theme_saved = self.theme
        self.theme_changed_signal.subscribe(self, self._on_theme_changed)
        self._warnings_seen = len(store.state.interview.warnings)
        self._conflicts_seen = len(store.state.spec.conflicts)
        self._unsubscribe = store.subscribe(self._store_callback)
        for message in store.messages:
            self.notify(message, severity="warning", timeout=8)
        self.apply_session()
        if self.engine is not None or self._build_engine:
            self._engine_start()
        elif self.engine_problem:
            self._question_pane.show_message(self.engine_problem)
        if self.watch_files:
            self._start_watcher()
        if self.bridge_enabled:
            self._bridge_scan()
            self.set_interval(BRIDGE_POLL_SECONDS, self._bridge_scan, name="bridge.poll")
        self.call_after_refresh(self._mount_runner)

    @property
    def _live(self) -> bool:
        """The panes are up and the app is not shutting down (a message handled during
        shutdown, e.g. a SPEC.md read finishing then, must not look for removed panes)."""
        return self._panes_up and self._running and not self._exit

    # Typed handles on the panes (their modules are imported lazily, hence no class queries).
    @property
    def _question_pane(self) -> QuestionPane:
        return self.query_one("#question")  # type: ignore[return-value]

    @property
    def _picker(self) -> OptionPicker:
        return self.query_one("#picker")  # type: ignore[return-value]

    @property
    def _finish(self) -> FinishView:
        return self.query_one("#finish")  # type: ignore[return-value]

    @property
    def _ambiguity(self) -> AmbiguityPane:
        return self.query_one("#ambiguity")  # type: ignore[return-value]

    @property
    def _spec_view(self) -> SpecView:
        return self.query_one("#spec")  # type: ignore[return-value]

    @property
    def _runner_slot(self) -> RunnerSlot:
        return self.query_one("#runner")  # type: ignore[return-value]

    def _mount_runner(self) -> None:
        from specui.ui.widgets.runner_slot import make_runner_pane

        slots = self.query("#runner")
        if slots and slots.first().is_attached and not self._exit:
            pane = make_runner_pane(self.project, self.store, getattr(self.config, "runner", None))
            if pane is not None and slots.first().is_attached:
                slots.first().set_pane(pane)  # type: ignore[attr-defined]
        self.call_after_refresh(self._freeze_heap)

    def _freeze_heap(self) -> None:
        """Move everything start-up allocated (modules, widgets, models) out of the collector's
        view, once: later full collections then only walk what the session allocates, which
        halves the worst event-loop stall during a 1M-line runner stream (51 -> 27 ms)."""
        if not self._frozen:
            self._frozen = True
            import gc

            gc.freeze()

    def on_unmount(self) -> None:
        self._stop_watcher()
        if self._bridge_pid_written:
            from specui.bridge import remove_workbench_pid

            try:
                remove_workbench_pid(self.project)
            except OSError:
                pass
        if self._unsubscribe is not None:
            self._unsubscribe()

    def on_resize(self, event) -> None:
        self._apply_layout(event.size.width, event.size.height)

    @property
    def wide(self) -> bool:
        return self.screen.has_class("-wide") if self.screen else False

    def _apply_layout(self, width: int, height: int) -> None:
        """Wide: everything at once. Narrow: question + picker, and the active pane below."""
        wide = width >= WIDE_MIN[0] and height >= WIDE_MIN[1]
        screen = self.screen
        screen.set_class(wide, "-wide")
        screen.set_class(not wide, "-narrow")
        for pane in PANES:
            screen.set_class(self.active_pane == pane, f"-show-{pane}")

    # ------------------------------------------------------------------ themes
    def _register_themes(self, theme: str | None) -> list[str]:
        """Register themes/*.toml and pick the configured one. Returns warnings to show."""
        from specui.ui.themes import DEFAULT_THEME, load_themes, peek_theme

        themes, warnings = load_themes()
        for item in themes:
            self.register_theme(item)
        wanted = os.environ.get("SPECUI_THEME") or theme
        if not wanted and self.config is not None:
            wanted = getattr(getattr(self.config, "ui", None), "theme", None)
        if not wanted:
            wanted = peek_theme(self.project.config)
        warning = self._set_theme(wanted or DEFAULT_THEME)
        if warning:
            warnings.append(warning)
        return warnings

    def _set_theme(self, wanted: str) -> str | None:
        from specui.ui.themes import DEFAULT_THEME

        if wanted in self.available_themes:
            self.theme = wanted
            return None
        if DEFAULT_THEME in self.available_themes:
            self.theme = DEFAULT_THEME
        return f"unknown theme {wanted!r}; using {DEFAULT_THEME}"

    def _on_theme_changed(self, theme: Any) -> None:
        if theme.name != self._theme_saved:
            self._theme_saved = theme.name
            self._save_theme()

    @work(thread=True, group="config-write", exit_on_error=False, name="config.theme")
    def _save_theme(self) -> None:
        """Write `[ui] theme` into specui.toml (tomlkit: comments and other keys kept; atomic).

        Several quick changes may start several of these: the lock plus reading the latest
        choice inside it makes the last write carry the last choice, whatever the order."""
        from specui.core.config import with_ui_theme
        from specui.core.errors import SpecuiError
        from specui.core.fsio import atomic_write_text

        path = self.project.config
        with self._theme_lock:
            name = self._theme_saved
            try:
                text = path.read_text(encoding="utf-8")
            except FileNotFoundError:
                text = ""
            except (OSError, UnicodeDecodeError) as exc:
                raise SpecuiError(f"theme not saved: cannot read {path.name}: {exc}") from None
            new = with_ui_theme(text, name, path.name)
            if new == text:
                return
            try:
                atomic_write_text(path, new)
            except OSError as exc:
                raise SpecuiError(
                    f"theme not saved: cannot write {path.name}: {exc.strerror or exc}"
                ) from None
        self.call_from_thread(self.notify, f"Theme {name} saved in {path.name}", timeout=3)

    # ------------------------------------------------------------------ store -> screen
    def _store_callback(self, _session: object) -> None:
        """Runs in whichever thread updated the store: only hand over to the event loop."""
        self.post_message(StoreChanged())

    @on(StoreChanged)
    def _on_store_changed(self, _message: StoreChanged) -> None:
        self.apply_session()

    def apply_session(self) -> None:
        if self.store is None or not self._live:
            return
        session = self.store.state
        iv = session.interview
        self._question_pane.show_session(session)
        self._ambiguity.show_session(session)
        pending = iv.current
        picker = self._picker
        finished = pending is None and iv.status in FINISHED
        if pending is not None:
            key = (pending.round, pending.kind, pending.question.question, iv.id)
            picker.set_question(pending.question, key)
        else:
            picker.set_question(None, None)
        picker.display = not finished
        finish = self._finish
        finish.display = finished
        if finished:
            finish.show(session, self.spec_snapshot, self.project.spec)
        self.query_one(ProgressLine).set_conflicts(len(session.spec.conflicts))
        self._announce(session)
        self.refresh_bindings()
        self.load_spec()

    def _announce(self, session: Any) -> None:
        """New engine warnings and SPEC.md conflicts become notifications, once each."""
        warnings = session.interview.warnings
        for warning in warnings[self._warnings_seen :]:
            self.notify(clean(warning), severity="warning", timeout=8)
        self._warnings_seen = len(warnings)
        conflicts = session.spec.conflicts
        for conflict in conflicts[self._conflicts_seen :]:
            self.notify(
                clean(conflict.reason or f"{conflict.unit}: your edit was kept")
                + " (the interviewer's text is kept; C to review)",
                title="SPEC.md conflict",
                severity="warning",
                timeout=10,
            )
        self._conflicts_seen = len(conflicts)

    # ------------------------------------------------------------------ SPEC.md
    def load_spec(self) -> None:
        if self.store is None:
            return
        self._spec_seq += 1
        self._load_spec_worker(self._spec_seq, dict(self.store.state.spec.final_hashes))

    @work(thread=True, group="spec", exit_on_error=False, name="spec.load")
    def _load_spec_worker(self, seq: int, final_hashes: dict[str, str]) -> None:
        from specui.ui.widgets.spec_view import load_snapshot

        snapshot = load_snapshot(self.project.spec, final_hashes)
        self.post_message(SpecLoaded(snapshot, seq))

    @on(SpecLoaded)
    def _on_spec_loaded(self, message: SpecLoaded) -> None:
        if not self._live:
            return
        if message.seq < self._spec_applied:
            return  # an older read finished after a newer one
        self._spec_applied = message.seq
        snapshot: SpecSnapshot = message.snapshot  # type: ignore[assignment]
        self.spec_snapshot = snapshot
        self._spec_view.show_snapshot(snapshot)
        self.query_one(ProgressLine).set_percent(snapshot.percent)
        finish = self._finish
        if finish.display:
            finish.show(self.store.state, snapshot, self.project.spec)

    @on(FilesChanged)
    def _on_files_changed(self, message: FilesChanged) -> None:
        paths = message.paths
        if any(p.name == "SPEC.md" for p in paths):
            self.load_spec()
        watcher = self._watcher
        if watcher is not None and watcher.touches_tasks(paths):
            self.tasks_changed()
        if self.bridge_enabled and watcher is not None and watcher.touches_bridge(paths):
            self._bridge_scan()

    def tasks_changed(self) -> None:
        """The active feature's tasks.md changed (or another feature became active): the
        runner pane re-counts. A no-op until the real pane is mounted (it counts on mount)."""
        slots = self.query("#runner")
        pane = getattr(slots.first(), "pane", None) if slots else None
        method = getattr(pane, "tasks_changed", None)
        if method is not None:
            method()

    @on(WatcherFailed)
    def _on_watcher_failed(self, message: WatcherFailed) -> None:
        self.notify(
            f"{message.reason}; SPEC.md refreshes after each answer only", severity="warning"
        )

    def _start_watcher(self) -> None:
        from specui.ui.watcher import ProjectWatcher

        self._watcher = ProjectWatcher(
            self.project.root,
            on_change=self._files_changed_in_thread,
            on_error=lambda reason: self.post_message(WatcherFailed(reason)),
        )
        # A dedicated daemon thread, not the shared worker pool: it lives as long as the app.
        thread = threading.Thread(target=self._watcher.run, name="specui-watcher", daemon=True)
        thread.start()

    def _files_changed_in_thread(self, paths: frozenset[Path]) -> None:
        """Runs in the watcher thread, once per debounced group of changes.

        The session file changed: another process (`specui run` in another tmux pane, the
        runner's supervisor) may have written it, so the store re-reads it here, off the event
        loop (it parses JSON and may wait for the store's lock). Our own writes cost one stat:
        the store remembers the signature and text it wrote and ignores an identical file.
        A real change notifies the store's subscribers, i.e. one coalescing StoreChanged."""
        watcher = self._watcher
        store = self.store
        if store is not None and watcher is not None and watcher.session in paths:
            store.reload()
        self.post_message(FilesChanged(paths))

    def _stop_watcher(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()

    # ------------------------------------------------------------------ question bridge
    @work(thread=True, group="bridge-pid", exit_on_error=False, name="bridge.announce")
    def _bridge_announce(self) -> None:
        """Write .specui/workbench.pid (with fsync: off the event loop)."""
        from specui.bridge import write_workbench_pid
        from specui.core.errors import SpecuiError

        try:
            write_workbench_pid(self.project)
        except OSError as exc:
            raise SpecuiError(
                f"questions from `specui question` cannot reach this workbench: cannot write "
                f".specui/workbench.pid: {exc.strerror or exc}"
            ) from None
        self._bridge_pid_written = True

    @work(thread=True, group="bridge", exclusive=True, exit_on_error=False, name="bridge.scan")
    def _bridge_scan(self) -> None:
        """List pending requests (and clean stale ones) in .specui/bridge. Runs when the
        watcher sees a bridge file change, after each answer, and every couple of seconds as a
        safety net (a request written before the watch was armed, or a failed watcher)."""
        from specui.bridge import pending_requests

        self.post_message(BridgeRequestsFound(pending_requests(self.project)))

    @on(BridgeRequestsFound)
    def _on_bridge_requests(self, message: BridgeRequestsFound) -> None:
        if not self._live:
            return  # the panes are not up yet (or are going): the next scan shows it
        waiting = {r.id: r for r in message.requests}
        screen = self._bridge_screen
        if screen is not None:
            if screen.request_id not in waiting and screen.is_current:
                screen.withdraw()
            return
        for request in message.requests:
            if request.id not in self._bridge_done_ids:
                self._show_bridge_question(request)
                return

    def _show_bridge_question(self, request: Any) -> None:
        from specui.ui.screens.bridge_question import BridgeQuestionScreen

        screen = BridgeQuestionScreen(request)
        self._bridge_screen = screen

        def done(answer: Any) -> None:
            self._bridge_screen = None
            self._bridge_done_ids.add(request.id)
            self._apply_layout(self.size.width, self.size.height)  # sized while it was open
            if screen.withdrawn:
                self.notify(
                    f"The question from {request.source} was withdrawn (timed out, "
                    "interrupted or answered elsewhere).",
                    severity="warning",
                    timeout=6,
                )
                self._bridge_scan()
                return
            self._bridge_respond(request.id, request.source, answer)

        self.push_screen(screen, done)

    @work(thread=True, group="bridge-write", exit_on_error=False, name="bridge.respond")
    def _bridge_respond(self, request_id: str, source: str, answer: Any) -> None:
        """Write the answer (or the cancel) for the asker, then look for the next question."""
        from specui import bridge

        if answer is None:
            bridge.write_cancel(self.project, request_id)  # Esc
        elif not bridge.write_answer(self.project, request_id, answer):
            self.call_from_thread(
                self.notify,
                f"Your answer was not delivered: the question from {source} was withdrawn.",
                severity="warning",
                timeout=8,
            )
        self.call_from_thread(self._bridge_scan)  # workers are started from the event loop

    # ------------------------------------------------------------------ engine
    @work(thread=True, group="engine", exit_on_error=False, name="engine.start")
    def _engine_start(self) -> None:
        if self.engine is None and self._build_engine:
            self._build_engine = False
            engine, problem = load_engine(self.project, self.store, self.config)
            if engine is None:
                self.call_from_thread(self._question_pane.show_message, problem or "")
                return
            self.engine = engine
            self.call_from_thread(self.refresh_bindings)
        self.engine.start()

    def on_option_picker_submitted(self, event: OptionPicker.Submitted) -> None:
        """OptionPicker.Submitted (handled by name: the picker's module is imported lazily)."""
        from specui.core.errors import SpecuiError
        from specui.core.questions import build_answer

        event.stop()
        picker = event.picker
        pending = self.store.state.interview.current if self.store is not None else None
        if pending is None or self.engine is None:
            picker.show_error("There is no question to answer right now.")
            return
        if self._engine_busy:
            picker.show_error("Still saving the previous answer…")
            return
        try:
            answer = build_answer(pending.question, event.selected, event.text)
        except SpecuiError as exc:
            picker.show_error(str(exc))
            return
        self._engine_busy = True
        self._engine_answer(answer)

    @work(thread=True, group="engine", exit_on_error=False, name="engine.answer")
    def _engine_answer(self, answer: Any) -> None:
        self.engine.answer(answer)

    @work(thread=True, group="engine", exit_on_error=False, name="engine.exit_early")
    def _engine_exit_early(self) -> None:
        self.engine.exit_early()

    @work(thread=True, group="spec-write", exit_on_error=False, name="spec.finalize")
    def _finalize_worker(self, unit: str, final: bool) -> None:
        from specui import spec_repo

        if final:
            spec_repo.unfinalize(self.project, self.store, unit)
        else:
            spec_repo.finalize(self.project, self.store, unit)

    # ------------------------------------------------------------------ errors (one place)
    @on(Worker.StateChanged)
    def _on_worker_state(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.name == "engine.answer" and event.state in (
            WorkerState.SUCCESS,
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            self._engine_busy = False
            picker = self._picker
            if event.state == WorkerState.SUCCESS:
                picker.done()
                self.apply_session()
        if event.state != WorkerState.ERROR:
            return
        error = worker.error
        from specui.core.errors import SpecuiError

        if worker.name == "startup.load":
            # Bad specui.toml (or an unreadable project): leave the TUI; run_app prints it.
            if isinstance(error, SpecuiError):
                self.startup_error, code = str(error), error.exit_code
            else:
                self.startup_error = f"internal error while loading the session: {error!r}"
                code = 1
            self.exit(return_code=code)
            return
        if isinstance(error, SpecuiError):
            message = str(error)
            severity = "error"
        else:
            message = f"internal error in {worker.name}: {type(error).__name__}: {error}"
            severity = "error"
            self.log.error(message)
        if worker.name == "engine.answer":
            self._picker.show_error(message)
        self.notify(message, severity=severity, timeout=10)

    # ------------------------------------------------------------------ actions
    def action_focus_answer(self) -> None:
        if not self._panes_up:
            return
        picker = self._picker
        if picker.display:
            q = picker.question
            if q is not None and q.is_free_text:
                self.query_one("#free-text").focus()
            elif picker.other_mode:
                self.query_one("#other-input").focus()
            else:
                self.query_one("#choices").focus()
        else:
            self._finish.focus()

    def action_show_pane(self, pane: str) -> None:
        if not self._panes_up:
            return
        if pane not in PANES:
            return
        self.active_pane = pane
        self._apply_layout(self.size.width, self.size.height)
        target = {
            "ambiguity": lambda: self._ambiguity,
            "spec": lambda: self.query_one("#units"),
            "runner": lambda: self._runner_slot,
        }[pane]()
        if target.focusable:
            target.focus()
        else:
            focusable = [w for w in target.query("*") if w.focusable]
            if focusable:
                focusable[0].focus()

    def action_answer_pick(self, index: int) -> None:
        if not self._panes_up:
            return
        picker = self._picker
        if not picker.display or picker.question is None or picker.text_mode:
            return
        self.query_one("#choices").focus()
        picker.pick(index)

    def action_finalize(self, unit: str | None = None) -> None:
        if self.store is None or not self._panes_up:
            self.notify("Still loading the session…", severity="warning")
            return
        view = self._spec_view
        unit = unit or view.selected
        snap = self.spec_snapshot
        status = snap.statuses.get(unit, "unknown") if snap else "unknown"
        if snap is None or not snap.exists:
            self.notify("SPEC.md does not exist yet", severity="warning")
            return
        if status == "unknown":
            self.notify(
                "Nothing to finalize yet: that section has only placeholders.", severity="warning"
            )
            return
        self._finalize_worker(unit, status == "final")

    def action_exit_early(self) -> None:
        engine = self.engine
        if engine is None:
            return
        iv = self.store.state.interview
        if iv.status in FINISHED:
            self.notify("The interview has already finished.")
            return
        try:
            allowed = engine.can_exit_early()
        except Exception:  # noqa: BLE001
            allowed = False
        if not allowed:
            self.notify("Early exit is offered from round 4.", severity="warning")
            return
        from specui.ui.screens.confirm import ConfirmScreen
        from specui.ui.widgets.ambiguity_table import GATES
        from specui.ui.widgets.question_pane import percent

        unmet = [label for key, label in GATES if not getattr(iv.gates, key, False)]
        body = (
            f"Ambiguity is {percent(iv.ambiguity)}% against a threshold of "
            f"{percent(iv.threshold)}%."
        )
        if unmet:
            body += " Readiness gates not met: " + ", ".join(unmet) + "."
        body += (
            " Exiting now writes the spec and transcript with a residual-risk warning; "
            "anything still ambiguous will be decided by whoever implements it."
        )

        def done(confirmed: bool | None) -> None:
            if confirmed:
                self._engine_exit_early()

        self.push_screen(ConfirmScreen("Exit the interview early?", body, yes="Exit early"), done)

    # While an input has focus the letter keys are text: the footer names the F-key instead.
    TYPING_KEYS: ClassVar[dict[str, str]] = {
        "app.pane.answer": "F1",
        "app.pane.ambiguity": "F2",
        "app.pane.spec": "F3",
        "app.pane.runner": "F4",
        "app.conflicts": "F5",
    }

    def get_key_display(self, binding: Binding) -> str:
        typing_key = self.TYPING_KEYS.get(binding.id or "")
        if typing_key is not None and self._typing():
            return typing_key
        return super().get_key_display(binding)

    def _typing(self) -> bool:
        """Focus is in a text editor (class names: no need to import TextArea at startup)."""
        focused = self.focused
        return focused is not None and any(
            cls.__name__ in ("Input", "TextArea") for cls in type(focused).__mro__
        )

    def action_conflicts(self) -> None:
        """The SPEC.md conflicts modal: yours vs proposed, apply/append/dismiss."""
        if self.store is None:
            self.notify("Still loading the session…", severity="warning")
            return
        from specui.ui.screens.conflicts import ConflictsScreen

        if not isinstance(self.screen, ConflictsScreen):
            self.push_screen(ConflictsScreen(self.project, self.store))

    def action_runner(self, name: str) -> None:
        if not self._panes_up:
            return
        self._runner_slot.forward_action(name)

    # Keys that need the panes; during the first fraction of a second (the shell) they wait.
    PANE_ACTIONS = frozenset(
        {"focus_answer", "show_pane", "answer_pick", "finalize", "exit_early", "conflicts"}
    )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.PANE_ACTIONS and not self._panes_up:
            return None  # shown, but inert until the panes are there
        if action == "conflicts":
            return self.store is not None and bool(self.store.state.spec.conflicts)
        if action == "exit_early":
            if self.engine is None or self.store is None:
                return False
            iv = self.store.state.interview
            if iv.status in FINISHED:
                return False
            try:
                return True if self.engine.can_exit_early() else None
            except Exception:  # noqa: BLE001
                return None
        return True

    def palette_commands(self) -> list[tuple[str, str, Any]]:
        """Every action, for the command palette (see commands.py)."""
        conflicts = len(self.store.state.spec.conflicts) if self.store is not None else 0
        cmds: list[tuple[str, str, Any]] = [
            ("Answer: focus the option picker", "i / F1", self.action_focus_answer),
            ("Show ambiguity table", "a / F2", lambda: self.action_show_pane("ambiguity")),
            ("Show SPEC.md", "s / F3", lambda: self.action_show_pane("spec")),
            ("Show phase runner", "r / F4", lambda: self.action_show_pane("runner")),
            ("Finalize selected section (toggle)", "f", self.action_finalize),
            (f"SPEC.md conflicts ({conflicts})", "C / F5", self.action_conflicts),
            ("Exit interview early", "x (round 4+)", self.action_exit_early),
            ("Run phase", "phase runner", lambda: self.action_runner("run")),
            ("Stop phase", "phase runner", lambda: self.action_runner("stop")),
            ("Continue phase", "phase runner", lambda: self.action_runner("continue")),
            ("Run a chosen phase…", "phase runner", lambda: self.action_runner("choose_phase")),
            (
                "Toggle auto-continue (implement)",
                "phase runner",
                lambda: self.action_runner("toggle_auto_continue"),
            ),
            ("Restart phase", "phase runner", lambda: self.action_runner("restart")),
        ]
        snap = self.spec_snapshot
        if snap is not None:
            for unit in snap.units:
                cmds.append(
                    (
                        f"Finalize: {unit.title}",
                        f"currently {snap.statuses.get(unit.key, 'unknown')}",
                        lambda key=unit.key: self.action_finalize(key),
                    )
                )
        for name in sorted(self.available_themes):
            cmds.append(
                (f"Theme: {name}", "switch theme", lambda n=name: setattr(self, "theme", n))
            )
        cmds.append(("Quit", "Ctrl+Q", self.exit))
        return cmds


def load_engine(project: Project, store: SessionStore, config: Any) -> tuple[Any, str | None]:
    """The configured interviewer, or (None, reason) when it cannot be built.

    A bad configuration is the user's error (SpecuiError propagates to run_app); a missing
    engine module is reported in the question pane so the rest of the workbench still works.
    """
    try:
        from specui.engines import make_interviewer
    except ImportError:
        try:
            from specui.engines.base import make_interviewer  # type: ignore[no-redef]
        except ImportError as exc:
            return None, f"no interviewer engine available ({exc})"
    return make_interviewer(project, store, config), None


def run_app(project: Project) -> int:
    """Entry point used by `specui [DIR]`. Returns the process exit code.

    The first frame is painted before the config and the session are loaded (issue 3's start-up
    target): a TOML syntax error is still caught here, before the terminal is taken over (a
    stdlib parse costs ~1 ms); a value error (unknown key, wrong type) is found by the full load
    just after the first frame, which closes the workbench and is reported here the same way.
    """
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
    app = SpecuiApp(project)
    app.run()
    if app.startup_error is not None:
        print(f"specui: error: {app.startup_error}", file=sys.stderr)
    return app.return_code or 0
