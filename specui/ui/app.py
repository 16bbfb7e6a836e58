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
  SPEC.md:   ↑/↓ choose a unit, PgUp/PgDn scroll it, f finalize (or un-finalize) it.
  Interview: x exit early (from round 4, with a risk warning).  Quit: Ctrl+Q.
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
from textual.widgets import Footer
from textual.worker import Worker, WorkerState

from specui.ui.commands import SpecuiCommands
from specui.ui.messages import FilesChanged, SpecLoaded, StoreChanged, WatcherFailed
from specui.ui.widgets.ambiguity_table import AmbiguityPane
from specui.ui.widgets.finish_view import FinishView
from specui.ui.widgets.option_picker import ChoiceList, OptionPicker
from specui.ui.widgets.progress_line import ProgressLine
from specui.ui.widgets.question_pane import QuestionPane
from specui.ui.widgets.runner_slot import RunnerSlot, make_runner_pane
from specui.ui.widgets.safe_text import clean
from specui.ui.widgets.spec_view import SpecSnapshot, SpecView, UnitList

if TYPE_CHECKING:
    from specui.project import Project
    from specui.store import SessionStore

PANES = ("ambiguity", "spec", "runner")
WIDE_MIN = (120, 36)  # columns, rows from which every pane shows at once
FINISHED = ("crystallized", "exited")


class SpecuiApp(App[int]):
    """The workbench. Construct with a project; store/config/engine default to the real ones."""

    # Absolute, so subclasses defined elsewhere (benchmarks, scripts) still find them. The runner
    # pane's sheet is named by path, not imported from runner_pane.py: that module pulls in
    # process code that is only loaded after the first frame.
    CSS_PATH: ClassVar[list[str | Path]] = [
        str(Path(__file__).with_name("specui.tcss")),
        str(Path(__file__).parent / "widgets" / "runner_pane.tcss"),
    ]
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
        Binding("x", "exit_early", "Exit early", id="app.exit_early"),
        Binding(
            "ctrl+q", "quit", "Quit", key_display="^q", id="app.quit", priority=True, show=False
        ),
        *[Binding(str(n), f"answer_pick({n - 1})", show=False) for n in range(1, 10)],
    ]

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
    ) -> None:
        super().__init__()
        self.project = project
        if config is None:
            from specui.core.config import load_config

            config = load_config(project)
        self.config = config
        if store is None:
            from specui.store import SessionStore

            store = SessionStore.open(project)
        self.store = store
        self.engine = engine
        # The engine (and its question bank) is built in the start worker, after the first
        # frame: it is the biggest import left and the user sees the screen meanwhile.
        self._build_engine = engine is None and make_engine
        self.engine_problem: str | None = (
            None if engine is not None or make_engine else "no interviewer engine"
        )
        self.watch_files = watch
        self.blink = blink
        self.active_pane = "spec"
        self.spec_snapshot: SpecSnapshot | None = None
        self._spec_seq = 0
        self._spec_applied = -1
        self._watcher: Any = None
        self._unsubscribe: Any = None
        self._engine_busy = False
        self._warnings_seen = len(self.store.state.interview.warnings)
        self._conflicts_seen = len(self.store.state.spec.conflicts)
        # Before the first frame: switching theme later re-applies all CSS (~100 ms).
        self._theme_warnings = self._register_themes()

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        yield ProgressLine(self.project.root.name, id="progress")
        with Horizontal(id="body"):
            with Vertical(id="main"):
                yield QuestionPane(id="question")
                yield OptionPicker(id="picker")
                yield FinishView(id="finish")
                yield AmbiguityPane(id="ambiguity")
            with Vertical(id="side"):
                yield SpecView(id="spec")
                # The real runner pane is mounted after the first frame (see on_mount).
                yield RunnerSlot(None, id="runner")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        # Background threads (SPEC.md parsing, section wrapping, the runner's readers) are pure
        # Python: with the default 5 ms GIL switch interval a keypress can wait several slices.
        # 1 ms keeps the event loop responsive at a negligible throughput cost.
        sys.setswitchinterval(0.001)
        for warning in self._theme_warnings:
            self.notify(warning, severity="warning", timeout=8)
        if not self.blink:
            for widget in self.query("Input, TextArea"):
                widget.cursor_blink = False  # type: ignore[attr-defined]
        self.query_one("#finish").display = False
        self._apply_layout(self.size.width, self.size.height)
        self._unsubscribe = self.store.subscribe(self._store_callback)
        for message in self.store.messages:
            self.notify(message, severity="warning", timeout=8)
        self.apply_session()
        self.query_one(ChoiceList).focus()
        if self.engine is not None or self._build_engine:
            self._engine_start()
        elif self.engine_problem:
            self.query_one(QuestionPane).show_message(self.engine_problem)
        if self.watch_files:
            self._start_watcher()
        self.call_after_refresh(self._mount_runner)

    def _mount_runner(self) -> None:
        slots = self.query(RunnerSlot)
        if not slots or not slots.first().is_attached or self._exit:
            return
        pane = make_runner_pane(self.project, self.store, getattr(self.config, "runner", None))
        if pane is not None and slots.first().is_attached:
            slots.first().set_pane(pane)

    def on_unmount(self) -> None:
        self._stop_watcher()
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
    def _register_themes(self) -> list[str]:
        """Register themes/*.toml and pick the configured one. Returns warnings to show."""
        from specui.ui.themes import DEFAULT_THEME, load_themes

        themes, warnings = load_themes()
        for theme in themes:
            self.register_theme(theme)
        wanted = os.environ.get("SPECUI_THEME") or getattr(
            getattr(self.config, "ui", None), "theme", DEFAULT_THEME
        )
        if wanted in self.available_themes:
            self.theme = wanted
        else:
            warnings.append(f"unknown theme {wanted!r}; using {DEFAULT_THEME}")
            if DEFAULT_THEME in self.available_themes:
                self.theme = DEFAULT_THEME
        return warnings

    # ------------------------------------------------------------------ store -> screen
    def _store_callback(self, _session: object) -> None:
        """Runs in whichever thread updated the store: only hand over to the event loop."""
        self.post_message(StoreChanged())

    @on(StoreChanged)
    def _on_store_changed(self, _message: StoreChanged) -> None:
        self.apply_session()

    def apply_session(self) -> None:
        session = self.store.state
        iv = session.interview
        self.query_one(QuestionPane).show_session(session)
        self.query_one(AmbiguityPane).show_session(session)
        pending = iv.current
        picker = self.query_one(OptionPicker)
        finished = pending is None and iv.status in FINISHED
        if pending is not None:
            key = (pending.round, pending.kind, pending.question.question, iv.id)
            picker.set_question(pending.question, key)
        else:
            picker.set_question(None, None)
        picker.display = not finished
        finish = self.query_one(FinishView)
        finish.display = finished
        if finished:
            finish.show(session, self.spec_snapshot, self.project.spec)
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
                + " (the interviewer's text is kept in the session)",
                title="SPEC.md conflict",
                severity="warning",
                timeout=10,
            )
        self._conflicts_seen = len(conflicts)

    # ------------------------------------------------------------------ SPEC.md
    def load_spec(self) -> None:
        self._spec_seq += 1
        self._load_spec_worker(self._spec_seq, dict(self.store.state.spec.final_hashes))

    @work(thread=True, group="spec", exit_on_error=False, name="spec.load")
    def _load_spec_worker(self, seq: int, final_hashes: dict[str, str]) -> None:
        from specui.ui.widgets.spec_view import load_snapshot

        snapshot = load_snapshot(self.project.spec, final_hashes)
        self.post_message(SpecLoaded(snapshot, seq))

    @on(SpecLoaded)
    def _on_spec_loaded(self, message: SpecLoaded) -> None:
        if message.seq < self._spec_applied:
            return  # an older read finished after a newer one
        self._spec_applied = message.seq
        snapshot: SpecSnapshot = message.snapshot  # type: ignore[assignment]
        self.spec_snapshot = snapshot
        self.query_one(SpecView).show_snapshot(snapshot)
        self.query_one(ProgressLine).set_percent(snapshot.percent)
        finish = self.query_one(FinishView)
        if finish.display:
            finish.show(self.store.state, snapshot, self.project.spec)

    @on(FilesChanged)
    def _on_files_changed(self, message: FilesChanged) -> None:
        if any(p.name == "SPEC.md" for p in message.paths):
            self.load_spec()

    @on(WatcherFailed)
    def _on_watcher_failed(self, message: WatcherFailed) -> None:
        self.notify(
            f"{message.reason}; SPEC.md refreshes after each answer only", severity="warning"
        )

    def _start_watcher(self) -> None:
        from specui.ui.watcher import FolderWatcher

        self._watcher = FolderWatcher(
            [self.project.root],
            ["SPEC.md"],
            on_change=lambda paths: self.post_message(FilesChanged(paths)),
            on_error=lambda reason: self.post_message(WatcherFailed(reason)),
        )
        # A dedicated daemon thread, not the shared worker pool: it lives as long as the app.
        thread = threading.Thread(target=self._watcher.run, name="specui-watcher", daemon=True)
        thread.start()

    def _stop_watcher(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()

    # ------------------------------------------------------------------ engine
    @work(thread=True, group="engine", exit_on_error=False, name="engine.start")
    def _engine_start(self) -> None:
        if self.engine is None and self._build_engine:
            self._build_engine = False
            engine, problem = load_engine(self.project, self.store, self.config)
            if engine is None:
                self.call_from_thread(self.query_one(QuestionPane).show_message, problem or "")
                return
            self.engine = engine
            self.call_from_thread(self.refresh_bindings)
        self.engine.start()

    @on(OptionPicker.Submitted)
    def _on_submitted(self, event: OptionPicker.Submitted) -> None:
        from specui.core.questions import build_answer
        from specui.errors import SpecuiError

        event.stop()
        pending = self.store.state.interview.current
        picker = event.picker
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
        from specui import spec_service

        if final:
            spec_service.unfinalize(self.project, self.store, unit)
        else:
            spec_service.finalize(self.project, self.store, unit)

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
            picker = self.query_one(OptionPicker)
            if event.state == WorkerState.SUCCESS:
                picker.done()
                self.apply_session()
        if event.state != WorkerState.ERROR:
            return
        error = worker.error
        from specui.errors import SpecuiError

        if isinstance(error, SpecuiError):
            message = str(error)
            severity = "error"
        else:
            message = f"internal error in {worker.name}: {type(error).__name__}: {error}"
            severity = "error"
            self.log.error(message)
        if worker.name == "engine.answer":
            self.query_one(OptionPicker).show_error(message)
        self.notify(message, severity=severity, timeout=10)

    # ------------------------------------------------------------------ actions
    def action_focus_answer(self) -> None:
        picker = self.query_one(OptionPicker)
        if picker.display:
            q = picker.question
            if q is not None and q.is_free_text:
                self.query_one("#free-text").focus()
            elif picker.other_mode:
                self.query_one("#other-input").focus()
            else:
                self.query_one(ChoiceList).focus()
        else:
            self.query_one(FinishView).focus()

    def action_show_pane(self, pane: str) -> None:
        if pane not in PANES:
            return
        self.active_pane = pane
        self._apply_layout(self.size.width, self.size.height)
        target = {
            "ambiguity": lambda: self.query_one(AmbiguityPane),
            "spec": lambda: self.query_one(UnitList),
            "runner": lambda: self.query_one(RunnerSlot),
        }[pane]()
        if target.focusable:
            target.focus()
        else:
            focusable = [w for w in target.query("*") if w.focusable]
            if focusable:
                focusable[0].focus()

    def action_answer_pick(self, index: int) -> None:
        picker = self.query_one(OptionPicker)
        if not picker.display or picker.question is None or picker.text_mode:
            return
        self.query_one(ChoiceList).focus()
        picker.pick(index)

    def action_finalize(self, unit: str | None = None) -> None:
        view = self.query_one(SpecView)
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

    def action_runner(self, name: str) -> None:
        self.query_one(RunnerSlot).forward_action(name)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "exit_early":
            iv = self.store.state.interview
            if self.engine is None or iv.status in FINISHED:
                return False
            try:
                return True if self.engine.can_exit_early() else None
            except Exception:  # noqa: BLE001
                return None
        return True

    def palette_commands(self) -> list[tuple[str, str, Any]]:
        """Every action, for the command palette (see commands.py)."""
        cmds: list[tuple[str, str, Any]] = [
            ("Answer: focus the option picker", "i / F1", self.action_focus_answer),
            ("Show ambiguity table", "a / F2", lambda: self.action_show_pane("ambiguity")),
            ("Show SPEC.md", "s / F3", lambda: self.action_show_pane("spec")),
            ("Show phase runner", "r / F4", lambda: self.action_show_pane("runner")),
            ("Finalize selected section (toggle)", "f", self.action_finalize),
            ("Exit interview early", "x (round 4+)", self.action_exit_early),
            ("Run phase", "phase runner", lambda: self.action_runner("run")),
            ("Stop phase", "phase runner", lambda: self.action_runner("stop")),
            ("Continue phase", "phase runner", lambda: self.action_runner("continue")),
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
    """Entry point used by `specui [DIR]`. Returns the process exit code."""
    from specui.errors import SpecuiError

    if not project.root.is_dir():
        print(f"specui: error: no such directory: {project.root}", file=sys.stderr)
        return 2
    try:
        from specui.core.config import load_config
        from specui.store import SessionStore

        config = load_config(project)
        store = SessionStore.open(project)
    except SpecuiError as exc:
        print(f"specui: error: {exc}", file=sys.stderr)
        return exc.exit_code
    app = SpecuiApp(project, store=store, config=config)
    app.run()
    return app.return_code or 0
