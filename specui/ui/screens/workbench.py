"""The workbench screen: the layout, the panes, what is shown, and the user's intents.

Layout. At 120x36 and larger every pane shows at once (the answer column with the main-column
panes under it, the side column beside it). Smaller, the question and the answer always show
and one more pane sits below them, switched by the panes' keys.

Keyboard model (tests/ui/test_keyboard_model.py checks each rule):
- While a text box has focus, only Ctrl-, F- and Esc keys act as commands; letters and digits
  are text (Textual leaves every key a text box consumes to the text box).
- A pane's letter (a, s, r) goes to the pane. Its F-key (F2, F3, F4) shows it and leaves focus
  on (or returns it to) the answer, so typing goes on where it was.
- Enter submits the current answer whichever pane has focus (a priority binding); only the
  free-text box keeps Enter for a new line (Ctrl+S submits it). 1-9 pick from any pane.
- An action that cannot apply now says why (a notification), instead of doing nothing.
- What is ticked or typed and not yet submitted is saved in the session (a draft) and comes
  back when the workbench is reopened on the same question.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from specui.session_file import SavedPending
from specui.session_file import draft_key as key_of
from specui.ui import actions
from specui.ui.lifecycle import is_live
from specui.ui.messages import (
    FilesChanged,
    InterviewerReady,
    SpecLoaded,
    StoreChanged,
    WatcherFailed,
)
from specui.ui.panes import registered
from specui.ui.services.workers import WorkerGroup
from specui.ui.widgets.footer import Footer
from specui.ui.widgets.progress_line import ProgressLine

if TYPE_CHECKING:

    from textual.widget import Widget

    from specui.core.interview.state import AnswerDraft
    from specui.store import Session
    from specui.ui.app import SpecuiApp
    from specui.ui.panes.base import Pane
    from specui.ui.widgets.option_picker import OptionPicker
    from specui.ui.widgets.spec_view import SpecSnapshot

WIDE_MIN = (120, 36)  # columns, rows from which every pane shows at once
FINISHED = ("crystallized", "exited")
SHORT_BELOW = 20  # rows: the Done recap yields to the pane shown below it
# Besides text, the keys of an answer typed ahead of its question: kept for it, in order.
TYPED_AHEAD = ("enter", "shift+enter", "backspace", "ctrl+s")
DRAFT_DELAY = 0.4  # seconds of quiet before a draft is saved (quit saves at once)
SAVING = "Saving your answer…"
# Said only if the answer is still on its way by then: an agent's round shows its own thinking
# line as soon as the agent starts, and a repaint between Enter and that start would hold the
# agent back (the screen's frame and the round's set-up take turns on one interpreter).
SAVING_DELAY = 0.15
TEXT_BOXES = ("Input", "TextArea")  # class names: no need to import TextArea at start-up


class WorkbenchScreen(actions.FooterAwareScreen):
    app: SpecuiApp  # type: ignore[assignment]

    BINDINGS: ClassVar = actions.bindings("workbench")

    def __init__(self) -> None:
        super().__init__()
        self.panes: dict[str, Pane] = {}
        self.answer_up = False  # the question and the answer are mounted
        self.attached = False  # the session is attached (rendered from the store)
        self.active_pane = "spec"
        self.spec_snapshot: SpecSnapshot | None = None
        self._spec_seq = 0
        self._spec_applied = -1
        self._warnings_seen = 0
        self._conflicts_seen = 0
        self._messages_seen = 0
        self.answer_busy = False
        self._draft_timer: Any = None
        self._draft: AnswerDraft | None = None  # changed since the last save
        self._draft_blank = True  # nothing chosen or typed in it (OptionPicker.untouched)
        self._draft_lock = threading.Lock()  # one draft write at a time; quit waits for it
        self._round_failed = False  # the engine's last round failed (seen by apply_session)
        # Submitted before the store and the engine were up (draft key, options, text): sent
        # once they are, if the question is still the same.
        self._queued: tuple[str, list[int], str | None] | None = None
        self._draft_waiting = False  # the answer changed before the store was loaded
        self._focus_pane: Widget | None = None  # wears -focus-within (shell.tcss)
        # Keys typed before the first question is on screen, replayed once it is (None after).
        self._early_keys: list[tuple[str, str | None]] | None = []

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        # Size classes before any widget is mounted: set later, they restyle the whole DOM.
        self._apply_layout()
        yield ProgressLine(self.app.project.root.name, id="progress")
        with Horizontal(id="body"):
            with Vertical(id="main"):
                yield Static("Loading the session…", id="boot-main", classes="pane boot")
            with Vertical(id="side"):
                yield Static("", id="boot-side", classes="pane boot")
        yield Footer(compact=True)

    async def on_mount(self) -> None:
        if self.app.eager:  # given a store and a config (tests, scripts): everything at once
            await self.mount_answer()
            await self.mount_panes()
            self.app.attach()
            return
        self.query_one("#boot-main").border_title = "Interview"
        self.query_one("#boot-side").border_title = "SPEC.md"

    @property
    def live(self) -> bool:
        """The answer column is up and the app is not shutting down (a message handled during
        shutdown, e.g. a SPEC.md read finishing then, must not look for removed widgets)."""
        return self.answer_up and is_live(self)

    async def mount_answer(self) -> None:
        """The question and the answer in place of the shell's first placeholder: what the
        user waits for, so it comes first (the panes follow once it is painted)."""
        from specui.ui.widgets.finish_view import FinishView
        from specui.ui.widgets.option_picker import OptionPicker
        from specui.ui.widgets.question_pane import QuestionPane

        with self.app.batch_update():
            await self.query("#boot-main").remove()
            finish = FinishView(id="finish")
            finish.display = False
            # The question and its answer in one area that keeps its height while questions
            # change (wide layout): the Ambiguity pane below stays where it is.
            area = Vertical(QuestionPane(id="question"), OptionPicker(id="picker"),
                            id="answer-area")
            await self.query_one("#main").mount_all([area, finish])
            self.answer_up = True
            self._no_blink()
            self._apply_layout()
            self.query_one("#choices").focus()

    async def mount_panes(self) -> None:
        """Every registered pane in its column (the second placeholder goes)."""
        panes = [pane(self) for pane in registered()]
        with self.app.batch_update():
            await self.query("#boot-side").remove()
            await self.query_one("#main").mount_all([p.widget for p in panes if p.column == "main"])
            await self.query_one("#side").mount_all([p.widget for p in panes if p.column == "side"])
            self.panes = {p.key: p for p in panes}
            self._no_blink()
            self._apply_layout()
        if self.attached:
            self.apply_session()
            for pane in panes:
                pane.started()

    def _no_blink(self) -> None:
        if not self.app.blink:
            for widget in self.query("Input, TextArea"):
                widget.cursor_blink = False  # type: ignore[attr-defined]

    def on_resize(self) -> None:
        self._apply_layout()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """The pane holding the focus is highlighted by a class changed only when the focus
        goes to another pane: CSS `:focus-within` restyles the whole pane on every focus move
        inside it (the answer's text box to its options, every round)."""
        pane = next((n for n in event.widget.ancestors_with_self if n.has_class("pane")), None)
        if pane is self._focus_pane:
            return
        if self._focus_pane is not None:
            self._focus_pane.remove_class("-focus-within")
        if pane is not None:
            pane.add_class("-focus-within")
        self._focus_pane = pane  # type: ignore[assignment]

    def on_screen_resume(self) -> None:
        self._apply_layout()  # the terminal may have been resized while a modal was open

    @property
    def wide(self) -> bool:
        return self.has_class("-wide")

    def _apply_layout(self) -> None:
        width, height = self.app.size
        wide = width >= WIDE_MIN[0] and height >= WIDE_MIN[1]
        self.set_class(wide, "-wide")
        self.set_class(not wide, "-narrow")
        self.set_class(height < SHORT_BELOW, "-short")
        for key in self.panes or ("ambiguity", "spec", "runner"):
            self.set_class(self.active_pane == key, f"-show-{key}")

    @property
    def picker(self) -> OptionPicker:
        return self.query_one("#picker")  # type: ignore[return-value]

    # ------------------------------------------------------------------ store -> screen
    def show_saved(self, saved: SavedPending) -> None:
        """The question saved in session.json, painted before the store has loaded; the
        store's render follows and keeps what the user does with it meanwhile."""
        if self.attached or not self.live:
            return
        self.query_one("#question").show_saved(saved)  # type: ignore[attr-defined]
        self.picker.set_question(saved.question, saved.key, saved.draft)
        self.call_after_refresh(self._release_keys)

    def hold_key(self, event: events.Key) -> bool:
        """A key typed before the first question is on screen (the first frame shows only a
        placeholder for a fraction of a second) is kept for it, not dropped; quitting is not.
        So is text typed while an agent prepares the question (its first turn takes seconds):
        the letters of an overview typed ahead are its first words, never commands (`r` `n`
        `y` started a phase)."""
        if event.key in ("ctrl+q", "ctrl+c"):
            return False
        if not self.attached and self._early_keys is not None:
            self._early_keys.append((event.key, event.character))
            return True
        if (event.is_printable or event.key in TYPED_AHEAD) and self._question_coming():
            if not self._early_keys:
                self.notify("What you type now is kept for the question on its way.", timeout=4)
            self._early_keys = self._early_keys or []
            self._early_keys.append((event.key, event.character))
            return True
        if self._early_keys and not self._round_failed:
            self._drop_typed_ahead()  # the wait ended with no question: this key is a command
        return False

    def _typed_ahead_chars(self) -> int:
        return sum(1 for _key, character in self._early_keys or [] if character)

    def _question_coming(self) -> bool:
        """No question on screen while the engine prepares one (not failed, not the end), and
        the keys are the workbench's (no dialog on top, no text box such as the log search)."""
        store = self.app.store
        if store is None or self.app.screen is not self or self.typing():
            return False
        iv = store.state.interview
        if iv.current is not None or iv.engine.status == "error" or iv.finished:
            return False  # the common case on the keypress path: a question is on screen
        if iv.status in FINISHED and iv.phase not in ("validation", "finalize"):
            return False
        return iv.engine.status == "thinking" or any(
            w.group == WorkerGroup.ENGINE and not w.is_finished for w in self.app.workers
        )

    def _drop_typed_ahead(self) -> None:
        self._early_keys = None
        self.notify(
            "What you typed while the question was prepared was not kept: no question came.",
            severity="warning",
            timeout=8,
        )

    def _release_keys(self) -> None:
        """The question is on screen: the keys typed before it arrive now, in order."""
        keys, self._early_keys = self._early_keys or [], None
        for key, character in keys:
            self.app.post_message(events.Key(key, character))

    def attach(self) -> None:
        """The session is loaded (main thread): count what was already announced, render."""
        state = self.app.store.state  # type: ignore[union-attr]
        self._warnings_seen = len(state.interview.warnings)
        self._conflicts_seen = len(state.spec.conflicts)
        self._messages_seen = len(self.app.store.messages)  # type: ignore[union-attr]
        self.attached = True
        self.apply_session()
        for pane in self.panes.values():
            pane.started()
        if self._draft_waiting:
            self._draft_waiting = False
            self._draft_changed()
        self._send_queued()
        self.call_after_refresh(self._release_keys)

    @on(StoreChanged)
    def _store_changed(self, _message: StoreChanged) -> None:
        self.apply_session()

    def apply_session(self) -> None:
        store = self.app.store
        if store is None or not self.live:
            return
        session = store.state
        iv = session.interview
        self.query_one("#question").show_session(session)  # type: ignore[attr-defined]
        pending = iv.current
        picker = self.picker
        # A new question is painted first and the panes follow once it is on screen: their
        # re-render (the ambiguity table's alone) made the question's frame twice as long.
        panes_later = bool(self.panes) and pending is not None and draft_key(session) != picker.key
        if not panes_later:
            for pane in self.panes.values():
                pane.show_session(session)
        # Crystallized into the validation pass, its first question not asked yet, is not the
        # end: the Done view (and its focus) would flash between the two and strand the focus.
        finished = pending is None and iv.status in FINISHED and iv.phase not in (
            "validation", "finalize")
        if pending is not None:
            key = draft_key(session)
            draft = iv.draft
            kept = iv.engine.pending_answer if iv.engine.status == "error" else None
            if kept is not None and (draft is None or draft.key != key):
                # A failed round keeps the answer for r (retry): it is back on screen, so
                # reopened, the user sees what a retry sends.
                from specui.core.interview.state import draft_of

                draft = draft_of(pending.question, kept, key)
            picker.set_question(pending.question, key, draft)
            if self._queued is not None and self._queued[0] == picker.key:
                picker.wait("Sending your answer once the interviewer is up…")
        else:
            picker.set_question(None, None, None)
        picker.display = not finished
        finish = self.query_one("#finish")
        if finished and not finish.display:
            focused = self.focused
            if focused is None or picker in focused.ancestors_with_self:
                # The answer entry is gone: the Done view takes the focus, so PgDn / End
                # reach the recap and its next step at once (trial G6).
                self.call_after_refresh(self.set_focus, finish)
        finish.display = finished
        self.query_one("#answer-area").set_class(finished, "-finished")
        if finished:
            finish.show(session, self.spec_snapshot, self.app.project.spec)  # type: ignore[attr-defined]
        self.query_one(ProgressLine).set_conflicts(len(session.spec.conflicts))
        failed = iv.engine.status == "error"
        if failed and not self._round_failed and self.typing():
            # The answer was submitted and is kept for the retry: leave the text box, so the
            # r / o the error line offers are keys, not letters added to the answer.
            self.action_leave_answer()
        elif failed and not self._round_failed:
            # Reopened on a failed round, the kept answer is back in the box, which takes the
            # focus set_question gave it (Widget.focus is queued on the app): leave it after.
            self.app.call_later(self._leave_failed_answer)
        if self.attached and self._early_keys:
            if pending is not None:
                self.call_after_refresh(self._release_keys)  # into the answer it was typed for
            elif failed and not self._round_failed:
                # Kept for the question the retry (r) or the offline engine (o) brings.
                self.notify(f"What you typed ({self._typed_ahead_chars()} characters) is kept "
                            "for the question a retry brings.", timeout=8)
        self._round_failed = failed
        self._announce(session)
        self.refresh_bindings()
        if panes_later:
            assert pending is not None
            # After the refresh that paints the entry the new question just filled.
            entry = "#free-text" if pending.question.is_free_text else "#choices"
            picker.query_one(entry).call_after_refresh(self._panes_after_question)
        elif self.panes:  # SPEC.md is read once the panes that show it are up
            self.load_spec()

    def _leave_failed_answer(self) -> None:
        if self.live and self._round_failed and self.typing():
            self.action_leave_answer()

    def _panes_after_question(self) -> None:
        """The panes and the SPEC.md read, once a new question is on screen (apply_session)."""
        store = self.app.store
        if store is None or not self.live:
            return
        for pane in self.panes.values():
            pane.show_session(store.state)
        self.load_spec()

    def _announce(self, session: Session) -> None:
        """New engine warnings and SPEC.md conflicts become notifications, once each."""
        warnings = session.interview.warnings
        for warning in warnings[self._warnings_seen :]:
            self.app.notify(warning, severity="warning", timeout=8)
        self._warnings_seen = len(warnings)
        conflicts = session.spec.conflicts
        for conflict in conflicts[self._conflicts_seen :]:
            self.app.notify(
                (conflict.reason or f"{conflict.unit}: your edit was kept")
                + " (the interviewer's text is kept; C to review)",
                title="SPEC.md conflict",
                severity="warning",
                timeout=10,
            )
        self._conflicts_seen = len(conflicts)
        # The store's own notices (a session.json it could not save) after the start's:
        # without a word, a reopen would rewind to the last save while SPEC.md went on.
        messages = self.app.store.messages  # type: ignore[union-attr]
        for message in messages[self._messages_seen :]:
            self.app.notify(message, severity="error", timeout=15)
        self._messages_seen = len(messages)

    # ------------------------------------------------------------------ SPEC.md and files
    def load_spec(self) -> None:
        if self.app.store is None:
            return
        self._spec_seq += 1
        seq, hashes = self._spec_seq, dict(self.app.store.state.spec.final_hashes)

        def read() -> None:
            from specui.ui.widgets.spec_view import load_snapshot

            self.post_message(SpecLoaded(load_snapshot(self.app.project.spec, hashes), seq))

        self.app.run_worker(read, thread=True, group=WorkerGroup.SPEC_READ, exit_on_error=False)

    @on(SpecLoaded)
    def _spec_loaded(self, message: SpecLoaded) -> None:
        if not self.live or message.seq < self._spec_applied:
            return  # shutting down, or an older read finished after a newer one
        self._spec_applied = message.seq
        snapshot: SpecSnapshot = message.snapshot  # type: ignore[assignment]
        self.spec_snapshot = snapshot
        for pane in self.panes.values():
            pane.spec_loaded(snapshot)
        from specui.core.interview.policy import section_tally

        progress = self.query_one(ProgressLine)
        progress.set_percent(snapshot.percent)
        progress.set_tally(section_tally(snapshot.statuses))
        finish = self.query_one("#finish")
        if finish.display and self.app.store is not None:
            finish.show(self.app.store.state, snapshot, self.app.project.spec)  # type: ignore[attr-defined]

    @on(FilesChanged)
    def _files_changed(self, message: FilesChanged) -> None:
        paths = message.paths
        if any(p.name == "SPEC.md" for p in paths):
            self.load_spec()
        if self.app.project.config in paths:
            self._config_changed()
        watch = self.app.file_watch
        if watch is None:
            return
        if self.live:
            for pane in self.panes.values():
                pane.files_changed(paths, watch.watcher)
        inbox = self.app.bridge_inbox
        if inbox is not None and watch.watcher.touches_bridge(paths):
            inbox.scan()

    def _config_changed(self) -> None:
        """specui.toml edited while the workbench runs: its settings are read at start only
        (the runner and the engine keep theirs), so say what a restart would change. The
        theme is followed as it is picked, and saved by the workbench itself. The file is
        read in a thread, as SPEC.md is: a slow disk never holds up the screen."""
        current, project = self.app.config, self.app.project
        if current is None:
            return

        def read() -> None:
            from specui.core.config import load_config
            from specui.core.errors import SpecuiError

            try:
                new = load_config(project)
            except SpecuiError as exc:
                self.app.notify(f"{exc}; this workbench keeps the settings it started with",
                                severity="warning", timeout=10)  # notify is thread-safe
                return
            old_tables, new_tables = current.model_dump(), new.model_dump()
            changed = [k for k in new_tables if k != "ui" and new_tables[k] != old_tables.get(k)]
            if changed:
                tables = ", ".join(f"[{k}]" for k in changed)
                self.app.notify(f"specui.toml changed {tables}: restart specui to use it (this "
                                "workbench keeps the settings it started with)", timeout=10)

        self.app.run_worker(read, thread=True, group=WorkerGroup.CONFIG_READ,
                            exit_on_error=False)

    @on(WatcherFailed)
    def _watcher_failed(self, message: WatcherFailed) -> None:
        self.app.notify(
            f"{message.reason}; SPEC.md refreshes after each answer only", severity="warning"
        )

    # ------------------------------------------------------------------ answering
    def typing(self) -> bool:
        """Focus is in a text box: letters and digits are text, not commands."""
        focused = self.focused
        return focused is not None and any(c.__name__ in TEXT_BOXES for c in type(focused).__mro__)

    def _answer_open(self) -> bool:
        if not self.live:
            return False
        picker = self.picker
        return picker.display and picker.question is not None

    def action_focus_answer(self) -> None:
        if not self.live:
            return
        picker = self.picker
        if not picker.display:
            self.set_focus(self.query_one("#finish"))
        else:
            picker.focus_entry()

    def action_read_question(self) -> None:
        if not self.live:
            return
        question = self.query_one("#question")
        if not question.overflows():  # type: ignore[attr-defined]
            self.app.notify("The whole question is on screen.")
            return
        self.set_focus(question)

    def action_leave_answer(self) -> None:
        """Esc in the free-text box: focus the pane on show, so letters are commands again
        (the Other input's Esc goes back to the options instead). Before the panes are up
        (just after the start) the focus goes nowhere, which leaves the letters to the
        screen's keys too."""
        if self.active_pane in self.panes:
            self.action_show_pane(self.active_pane)
        elif self.live:
            self.set_focus(None)

    def action_submit_answer(self) -> None:
        self.picker.submit_current()

    def action_answer_pick(self, index: int) -> None:
        if not self._answer_open() or self.picker.text_mode:
            return
        self.query_one("#choices").focus()
        self.picker.pick(index)

    def on_option_picker_draft_changed(self, event: Any) -> None:
        """OptionPicker.DraftChanged (by name: the picker's module is imported lazily)."""
        event.stop()
        if self.app.store is None:  # still loading: attach() saves what the picker holds then
            self._draft_waiting = True
            return
        self._draft_changed()

    def _draft_changed(self) -> None:
        self.take_draft()
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DRAFT_DELAY, self.save_draft)

    def take_draft(self) -> None:
        """What the answer widgets hold now, to be saved. Quitting calls it too: keys typed in
        the same burst as Ctrl+Q are in the box, but their change messages never arrive."""
        if not self.answer_up or self.app.store is None:
            return
        picker = self.picker
        self._draft = picker.draft()
        # Judged now: on quit, when the draft is written, the picker is gone.
        self._draft_blank = picker.untouched(self._draft)

    def save_draft(self, *, now: bool = False) -> None:
        """Keep what is ticked or typed in the session (`interview.draft`); `now`: quitting
        (the widgets and the worker pool are going away: the last draft is written here)."""
        store, draft = self.app.store, self._draft
        if store is None or draft is None:
            return
        self._draft = None
        saved = store.state.interview.draft
        blank = self._draft_blank
        if draft == saved or (blank and (saved is None or saved.key != draft.key)):
            return

        def write() -> None:
            with self._draft_lock:
                store.update(lambda s: setattr(s.interview, "draft", draft))

        if now:
            write()
        else:
            self.app.run_worker(write, thread=True, group=WorkerGroup.DRAFT, exit_on_error=False)

    def flush_draft(self) -> None:
        """Quitting: write the latest draft now, after any write still in flight."""
        self.save_draft(now=True)
        with self._draft_lock:
            pass

    def on_option_picker_submitted(self, event: Any) -> None:
        """OptionPicker.Submitted (handled by name: the picker's module is imported lazily)."""
        event.stop()
        picker = event.picker
        if self._interviewer_loading():
            # Typed as soon as the saved question was painted: sent once the store and the
            # engine are up (a fraction of a second), not refused.
            self._queued = (str(picker.key), list(event.selected), event.text)
            picker.wait("Sending your answer once the interviewer is up…")
            return
        self._submit(list(event.selected), event.text)

    def _interviewer_loading(self) -> bool:
        """The store or the engine is still on its way (an answer given now waits for them)."""
        app = self.app
        if app._exit or app.startup_error is not None:
            return False
        return app.store is None or (app.engine is None and app.build_engine)

    @on(InterviewerReady)
    def _send_queued(self) -> None:
        queued = self._queued
        if queued is None or not self.live or self._interviewer_loading():
            return
        self._queued = None
        if draft_key(self.app.store.state) != queued[0]:  # type: ignore[union-attr]
            # The engine replaced the question while it started: the picker shows the new one.
            self.app.notify("The question changed while specui started; answer the new one.")
            return
        self._submit(queued[1], queued[2])

    def _submit(self, selected: list[int], text: str | None) -> None:
        from specui.core.errors import SpecuiError
        from specui.core.questions import build_answer

        picker = self.picker
        store, engine = self.app.store, self.app.engine
        pending = store.state.interview.current if store is not None else None
        if pending is None or engine is None:
            picker.show_error("There is no question to answer right now.")
            return
        if self.answer_busy:
            picker.show_error("Still saving the previous answer…")
            return
        key = str(picker.key)  # the question the user answered: the driver refuses another
        if key != draft_key(store.state):  # type: ignore[union-attr]
            self.apply_session()
            picker.show_error("The question changed; answer the one on screen now.")
            return
        try:
            answer = build_answer(pending.question, selected, text)
        except SpecuiError as exc:
            picker.show_error(str(exc))
            return
        self.answer_busy = True
        picker.wait(SAVING, after=SAVING_DELAY)
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft = None
        self.app.run_worker(
            lambda: engine.answer(answer, key=key), thread=True, group=WorkerGroup.ANSWER,
            exit_on_error=False,
        )

    def answer_finished(self, ok: bool, error: str | None) -> None:
        """The answer worker ended (the app's worker handler calls this)."""
        self.answer_busy = False
        if not self.live:
            return
        store = self.app.store
        moved = store is not None and draft_key(store.state) != self.picker.key
        if ok:
            self.picker.done()
            if moved:
                # The next question's StoreChanged is still on its way: show it now, so the
                # answer just sent is never submitted again to the new question.
                self.apply_session()
        elif error is not None:
            if moved:
                # Refused because the question moved on (another specui): the new question
                # first, so its render does not wipe the reason from the hint line.
                self.apply_session()
            self.picker.show_error(error)

    # ------------------------------------------------------------------ panes
    def action_show_pane(self, key: str) -> None:
        """Go to the pane: show it (narrow layout) and focus it."""
        if not self.live or key not in self.panes:
            return
        self.active_pane = key
        self._apply_layout()
        target = self.panes[key].focus_target()
        if target is not None:
            # At once: the keys typed after this one ("s ↓ f" in one burst) are for the pane
            # (Widget.focus would move the focus only after them).
            self.set_focus(target)

    def action_peek_pane(self, key: str) -> None:
        """Show the pane and keep (or put) focus on the answer, so typing goes on there."""
        if not self.live or key not in self.panes:
            return
        self.active_pane = key
        self._apply_layout()
        if self._answer_open():
            self.picker.focus_entry()
        else:
            self.action_show_pane(key)

    # ------------------------------------------------------------------ SPEC.md actions
    def action_finalize(self, unit: str | None = None) -> None:
        store = self.app.store
        if store is None or not self.live:
            self.app.notify("Still loading the session…", severity="warning")
            return
        spec = self.panes.get("spec")
        unit = unit or (spec.selected if spec is not None else None)  # type: ignore[attr-defined]
        snap = self.spec_snapshot
        if snap is None or not snap.exists or unit is None:
            self.app.notify("SPEC.md does not exist yet", severity="warning")
            return
        status = snap.statuses.get(unit, "unknown")
        if status == "unknown":
            self.app.notify(
                "Nothing to finalize yet: that section has only placeholders.", severity="warning"
            )
            return

        def write() -> None:
            from specui import spec_repo

            if status == "final":
                spec_repo.unfinalize(self.app.project, store, unit)
            else:
                spec_repo.finalize(self.app.project, store, unit)

        self.app.run_worker(write, thread=True, group=WorkerGroup.SPEC_WRITE, exit_on_error=False)

    def action_conflicts(self) -> None:
        """C / F5: the SPEC.md conflicts modal, when conflicts wait (else it says so)."""
        store = self.app.store
        if store is not None and not store.state.spec.conflicts:
            self.app.notify("No SPEC.md conflicts wait for a decision.")
            return
        self.open_conflicts()

    def open_conflicts(self) -> None:
        """The SPEC.md conflicts modal: yours vs proposed, apply/append/dismiss (the palette
        opens it even with none waiting: it then says so and shows the history)."""
        store = self.app.store
        if store is None:
            self.app.notify("Still loading the session…", severity="warning")
            return
        from specui.ui.screens.conflicts import ConflictsScreen

        self.app.push_screen(ConflictsScreen(self.app.project, store))

    # ------------------------------------------------------------------ interview actions
    def exit_early_refusal(self) -> str | None:
        """Why early exit is not possible now (None: it is)."""
        store, engine = self.app.store, self.app.engine
        if store is None or engine is None:
            return "Still loading the session…"
        iv = store.state.interview
        if iv.status in FINISHED and iv.current is not None and iv.current.phase == "validation":
            # The rounds are over; the pass that completes SPEC.md goes on until every
            # section is final.
            return (
                "The interview rounds are over; this validation pass completes SPEC.md: "
                "answer, pick Decide for me, or finalize sections with f."
            )
        if iv.status in FINISHED:
            return "The interview has already finished."
        blocker = engine.exit_blocker()
        if blocker is not None:
            from specui.core.interview.policy import current_round

            return f"Not yet: {blocker} (this is round {current_round(iv)})."
        return None

    def action_exit_early(self) -> None:
        refusal = self.exit_early_refusal()
        if refusal is not None:
            self.app.notify(refusal, severity="warning")
            return
        from specui.core.interview import policy
        from specui.ui.screens.confirm import ConfirmScreen

        # The protocol's words: the gates it names are the ones the residual risk will name.
        body = policy.exit_warning(self.app.store.state.interview)  # type: ignore[union-attr]
        engine = self.app.engine

        def done(confirmed: bool | None) -> None:
            if confirmed:
                self.app.run_worker(
                    engine.exit_early, thread=True, group=WorkerGroup.ENGINE, exit_on_error=False
                )

        self.app.push_screen(ConfirmScreen("Exit the interview early?", body, yes="Exit early"), done)

    def action_refine_further(self) -> None:
        """Seed 004's "Refine further" (e in the Done view, 7 in the handoff list): re-enter
        the interview that has ended for a new pass of rounds."""
        store, engine = self.app.store, self.app.engine
        if store is None or engine is None:
            self.app.notify("Still loading the session…", severity="warning")
            return
        if store.state.interview.phase != "done":
            self.app.notify(
                "Refine further re-enters an interview that has ended; answer the question on "
                "screen.",
                severity="warning",
            )
            return
        self.app.notify("Refining further: the interviewer asks what is least clear…")
        self.app.run_worker(
            engine.refine, thread=True, group=WorkerGroup.ENGINE, exit_on_error=False
        )

    def _engine_status(self) -> str | None:
        store = self.app.store
        if store is None or self.app.engine is None:
            return None
        return store.state.interview.engine.status

    def _offline_possible(self) -> bool:
        from specui.interview.engines import can_go_offline

        store = self.app.store
        return store is not None and can_go_offline(store.state.interview.engine.name)

    def _round_elsewhere(self) -> int | None:
        """The pid of another live specui running the engine's round (`specui interview
        --answer`, a second workbench), or None."""
        engine = self.app.engine
        busy = getattr(engine, "busy_elsewhere", None)
        if busy is None or not busy():
            return None
        return self.app.store.state.interview.engine.owner_pid  # type: ignore[union-attr]

    def _round_here(self) -> bool:
        """The engine's round runs in this specui (so Esc can cancel it)."""
        from specui.interview.round_owner import round_owner

        store = self.app.store
        return store is not None and round_owner(store.state.interview.engine) == "here"

    def action_cancel_round(self) -> None:
        if self._engine_status() != "thinking":
            return
        pid = self._round_elsewhere()
        if pid is not None:
            self.app.notify(f"This round runs in another specui (pid {pid}); cancel it there.",
                            severity="warning")
            return
        if not self._round_here():
            self.app.notify("This round's specui has exited: there is nothing to cancel; the "
                            "round runs again when specui next starts.", severity="warning")
            return
        self.app.engine.cancel()  # thread-safe: the worker's round ends
        self.app.notify("Cancelling the round…")

    def action_retry_round(self) -> None:
        if self._engine_status() == "error":
            self.app.run_worker(
                self.app.engine.retry, thread=True, group=WorkerGroup.ENGINE, exit_on_error=False
            )

    def action_offline_round(self) -> None:
        if self._engine_status() == "error":
            self.app.run_worker(
                self.app.engine.switch_to_offline,
                thread=True,
                group=WorkerGroup.ENGINE,
                exit_on_error=False,
            )

    def action_help(self) -> None:
        from specui.ui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen())

    # ------------------------------------------------------------------ footer and palette
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "submit_answer":
            # The free-text box keeps Enter (a new line) and the Other input submits on its own
            # Enter, after the letters typed before it (a priority Enter would run first and
            # send half the text); no answer open: Enter is the widget's.
            focused = self.focused
            return self._answer_open() and not (
                focused is not None and focused.id in ("free-text", "other-input")
            )
        if action == "leave_answer":
            return self.focused is not None and self.focused.id == "free-text"
        if action == "answer_pick":
            # A text box keeps its digits (the Other input, the runner's search).
            return self._answer_open() and not self.typing() and not self.picker.text_mode
        if action == "cancel_round":
            return self._engine_status() == "thinking"
        if action in ("retry_round", "offline_round"):
            return (self._engine_status() == "error" and not self.typing()
                    and (action == "retry_round" or self._offline_possible()))
        return True

    def footer_shows(self, action: str) -> bool | None:
        """What the footer lists (display only; see specui/ui/actions.py)."""
        store = self.app.store
        if action in ("show_pane", "peek_pane"):
            # One entry per pane: the letter, or while typing (letters are text) the F-key.
            return (action == "peek_pane") == self.typing()
        if action == "conflicts":
            return store is not None and bool(store.state.spec.conflicts)
        if action == "cancel_round":
            return self._engine_status() == "thinking" and self._round_here()
        if action in ("retry_round", "offline_round"):
            return self._engine_status() == "error" and (
                action == "retry_round" or self._offline_possible())
        if action == "refine_further":
            return store is not None and store.state.interview.phase == "done"
        if action == "exit_early":
            if store is None or self.app.engine is None:
                return False
            if store.state.interview.status in FINISHED:
                return False
            return None if self.exit_early_refusal() else True
        return True

    def palette_commands(self) -> list[tuple[str, str, Any]]:
        """Every action of the table (plus each section's finalize, the themes, Quit)."""
        app = self.app
        cmds: list[tuple[str, str, Any]] = []
        conflicts = len(app.store.state.spec.conflicts) if app.store is not None else 0
        for entry in actions.table():
            if not entry.palette or entry.id == "app.quit":
                continue
            if entry.scope == "workbench" and not self.check_action(entry.action_name, ()):
                continue  # its state is not the current one (e.g. retry without a failed round)
            if entry.id == "spec.conflicts":
                cmds.append((f"{entry.title} ({conflicts})", app.keys_display(entry),
                             self.open_conflicts))
            else:
                cmds.append((entry.title, app.keys_display(entry), self._runner_for(entry)))
        snap = self.spec_snapshot
        if snap is not None:
            for unit in snap.units:
                status = snap.statuses.get(unit.key, "unknown")
                cmds.append((f"Finalize: {unit.title}", f"currently {status}",
                             lambda key=unit.key: self.action_finalize(key)))
        for name in sorted(app.available_themes):
            cmds.append((f"Theme: {name}", "switch theme", lambda n=name: setattr(app, "theme", n)))
        cmds.append(("Quit", "Ctrl+Q", app.exit))
        return cmds

    def _runner_for(self, entry: actions.UIAction) -> Any:
        """The palette runs an entry where its key would: a pane's own actions on that pane."""

        def run() -> None:
            if entry.scope == "workbench":
                self.call_later(self.run_action, entry.action)
                return
            pane = self.panes.get(entry.scope)
            node = pane.action_node() if pane is not None else None
            if node is None:
                self.app.notify(f"The {entry.scope} pane is still starting.", severity="warning")
                return
            node.call_later(node.run_action, entry.action)

        return run


def draft_key(session: Session) -> str:
    """Names the pending question, so a draft is only ever restored onto the same one."""
    iv = session.interview
    pending = iv.current
    if pending is None:
        return ""
    return key_of(iv.id, pending.phase, pending.round, pending.kind, pending.question.question)

