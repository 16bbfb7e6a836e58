"""A question from outside the workbench (`specui question`, e.g. an agent in another pane):
a modal over the workbench, or the whole screen of the one-question UI (`BridgeQuestionApp`)
that `specui question` starts in a tmux pane or on the terminal when no workbench is open.

One question: the interview's OptionPicker, same keys (↑/↓ move, 1-9 pick or toggle, Space
toggles, Enter submits, the Other entry opens an inline input, free text is submitted with
Ctrl+S). A batch (`questions[]`) steps through the questions ("2 of 3"; ← goes back), then
shows a review: every question with its answer; Enter on a question edits it, Enter on
"Submit all answers" sends them. Esc (outside the Other input), Ctrl+C and Ctrl+D cancel; Esc
asks first when answers were given or something is typed or ticked.
Answers are validated by `core.questions.build_answer` (the interview's rules).

The screen only decides: it dismisses with the answers (one per question, in order) or None
("cancelled"). The workbench's inbox or the one-question app writes the response file. When
the asker withdraws the request (timeout, Ctrl+C, superseded), `withdraw()` closes the screen
and nothing is written.

A question that appears while the user is typing in the workbench (a key in the last
HOLD_SECONDS) is held: its answer is disabled and every key is dropped until the typing has
paused for HOLD_SECONDS, so the rest of a sentence, a digit or an Enter meant for the interview
never answers the agent's question unseen. The one-question app always starts held: its tmux
pane (or the terminal) has just taken the focus from wherever the user may be typing.

Everything shown comes from another process: `rich.text.Text` via safe_text, never markup.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from specui.core.errors import SpecuiError
from specui.core.questions import Answer, Question, build_answer
from specui.ui.lifecycle import is_live
from specui.ui.widgets.footer import Footer
from specui.ui.widgets.option_picker import OptionPicker
from specui.ui.widgets.safe_text import clean, safe_text

if TYPE_CHECKING:
    from textual.widget import Widget

    from specui.bridge import BridgeRequest
    from specui.core.paths import Project

SUBMIT_ALL = "submit"
HOLD_SECONDS = 0.8
HOLD_TEXT = "Keys are ignored until typing pauses, so none meant for elsewhere answers this."


class QuestionText(VerticalScroll):
    """The question itself. Longer than its area (an agent writes its context first and asks
    at the end), it takes the focus (q, Tab) and ↑↓ / PgUp / PgDn / Home / End read the rest."""

    def overflows(self) -> bool:
        return self.max_scroll_y > 0

    def allow_focus(self) -> bool:
        return self.overflows()

    def on_key(self, event: events.Key) -> None:
        # While reading, a digit still picks (as the option list's "1-9 Pick" says), and the
        # options take the focus back.
        screen = self.screen
        if not (event.character and event.character in "123456789"
                and isinstance(screen, BridgeQuestionScreen) and not screen.held):
            return
        question = screen.questions[screen.index]
        if question.is_free_text:
            return
        event.stop()
        event.prevent_default()
        screen.picker.focus_entry()
        screen.picker.pick(int(event.character) - 1)


class BridgeQuestionScreen(ModalScreen[list[Answer] | None]):
    """One bridged request (one question or a batch); dismisses with its answers, or None
    when the user cancels."""

    # Loaded with the screen, so the app's CSS_PATH needs no change; absolute for subclasses.
    CSS_PATH = str(Path(__file__).with_name("bridge_question.tcss"))

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel_asked", "Cancel question", key_display="esc",
                id="bridge.cancel"),
        Binding("ctrl+c", "cancel", "Cancel", show=False, priority=True),
        Binding("ctrl+d", "cancel", "Cancel", show=False, priority=True),
        Binding("left", "previous", "Previous", key_display="←", id="bridge.previous"),
        Binding("backspace", "previous", "Previous", show=False),
        Binding("q", "read_question", "Read question", id="bridge.read_question"),
        Binding("i", "answer", "Answer", id="bridge.answer"),
    ]

    def __init__(self, request: BridgeRequest, *, alert: bool = True) -> None:
        super().__init__()
        self.request = request
        self.alert = alert
        self.withdrawn = False
        self.answers: list[Answer | None] = [None] * len(request.batch.questions)
        self.index = 0
        self.reviewing = False
        self.held = False
        self.waiting = 0  # other agents' questions queued behind this one

    @property
    def request_id(self) -> str:
        return self.request.id

    def set_waiting(self, count: int) -> None:
        """Say how many other questions wait behind this one (a fast Enter after this one
        would otherwise land on the next before it has been read)."""
        if count != self.waiting:
            self.waiting = count
            if is_live(self):
                self.query_one("#bridge-title", Static).update(safe_text(self.title_text))

    @property
    def questions(self) -> list[Question]:
        return self.request.batch.questions

    @property
    def title_text(self) -> str:
        more = f" · {self.waiting} more waiting" if self.waiting else ""
        return f"Question from {self.request.source}{more}"

    def compose(self) -> ComposeResult:
        batch = self.request.batch
        with Vertical(id="bridge-dialog"):
            yield Static(safe_text(self.title_text), id="bridge-title")
            session = f"session {batch.session_id}" if batch.session_id else None
            context = [t for t in (batch.header, batch.objective, session) if t]
            yield Static(safe_text("\n".join(context)), id="bridge-context")
            yield Static(id="bridge-step")
            yield Static(safe_text(HOLD_TEXT), id="bridge-hold")
            with QuestionText(id="bridge-text-scroll"):
                yield Static(id="bridge-text")
            yield OptionPicker(id="bridge-picker")
            with Vertical(id="bridge-review"):
                yield Static(safe_text("Review your answers"), id="bridge-review-title")
                yield OptionList(id="bridge-review-list")
                yield Static(
                    safe_text(
                        "Enter on a question edits it · Enter on Submit sends all · "
                        "← back · Esc cancels"
                    ),
                    id="bridge-review-hint",
                )
        yield Footer(compact=True)

    def on_mount(self) -> None:
        batch = self.request.batch
        self.query_one("#bridge-context").display = bool(
            batch.header or batch.objective or batch.session_id
        )
        self.query_one("#bridge-review").display = False
        if not getattr(self.app, "blink", True):
            for widget in self.query("Input, TextArea"):
                widget.cursor_blink = False  # type: ignore[attr-defined]
        self.held = self._since_last_key() < HOLD_SECONDS
        self.picker.disabled = self.held
        self.query_one("#bridge-hold").display = self.held
        if self.held:
            self.set_timer(HOLD_SECONDS, self._release)
        self._show_question(0)
        if self.alert:
            self.app.bell()
            self._tmux_alert()

    def _since_last_key(self) -> float:
        """Seconds since the app saw a key (the workbench tracks it; elsewhere: long ago)."""
        last = getattr(self.app, "last_key_at", None)
        return float("inf") if last is None else time.monotonic() - last

    def _release(self) -> None:
        """Typing has paused for HOLD_SECONDS: the question takes keys from now on."""
        if not is_live(self):  # answered, withdrawn or quit while held
            return
        quiet = self._since_last_key()
        if quiet < HOLD_SECONDS:
            self.set_timer(HOLD_SECONDS - quiet, self._release)
            return
        self.held = False
        self.picker.disabled = False
        self.query_one("#bridge-hold").display = False
        self.call_after_refresh(self._fit_choices)
        if not self.reviewing:
            self.picker.focus_entry()

    def on_key(self, event: events.Key) -> None:
        if self.held:  # meant for what the user was typing into (see the module docstring)
            event.stop()
            event.prevent_default()

    @work(thread=True, exit_on_error=False, group="bridge-alert")
    def _tmux_alert(self) -> None:
        """In tmux, a question that arrives while the user looks at another window is easy to
        miss: say so in the status line (the bell marks the window too)."""
        if not os.environ.get("TMUX"):
            return
        from specui.bridge.tmux import Tmux

        tmux = Tmux(os.environ)
        pane = tmux.caller_pane()
        info = tmux.pane_info(pane)
        if info is None or info.window_active:
            return
        tmux.display_message(None, f"specui: a question from {clean(self.request.source)} waits")

    # ------------------------------------------------------------------ steps
    @property
    def picker(self) -> OptionPicker:
        return self.query_one("#bridge-picker", OptionPicker)

    def _show_question(self, index: int) -> None:
        self.index = index
        self.reviewing = False
        question = self.questions[index]
        self.query_one("#bridge-review").display = False
        self.query_one("#bridge-text-scroll").display = True
        picker = self.picker
        picker.display = True
        step = self.query_one("#bridge-step", Static)
        parts = []
        if len(self.questions) > 1:
            parts.append(f"Question {index + 1} of {len(self.questions)}")
        if question.header and question.header != self.request.batch.header:
            parts.append(question.header)
        step.update(safe_text(" · ".join(parts)))
        step.display = bool(parts)
        self.query_one("#bridge-text", Static).update(safe_text(question.question))
        picker.set_question(question, (self.request.id, index))
        if not self.held:  # held: the focus comes with the release
            picker.focus_entry()
        self.refresh_bindings()
        self.call_after_refresh(self._fit_choices)

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_choices)

    def on_option_picker_draft_changed(self, _event: OptionPicker.DraftChanged) -> None:
        # The Other input opened or closed, or an error line came or went: refit the list.
        self.call_after_refresh(self._fit_choices)

    def _fit_choices(self) -> None:
        """The option list gets the rows the dialog has left, so it scrolls inside the dialog
        instead of running past its edge with the hint (a long question at 80x24); the
        one-question pane is sized to fit, where this changes nothing."""
        if self.reviewing or not is_live(self):
            return

        def rows(widget: Widget) -> int:
            return widget.outer_size.height + widget.styles.margin.height if widget.display else 0

        dialog = self.query_one("#bridge-dialog")
        picker = self.picker
        used = sum(rows(w) for w in dialog.children if w.id not in ("bridge-picker", "bridge-review"))
        used += rows(picker.query_one("#picker-hint")) + rows(picker.query_one("#other-input"))
        free = (self.size.height - rows(self.query_one(Footer)) - dialog.styles.gutter.height
                - dialog.styles.margin.height - used)
        picker.query_one("#choices").styles.max_height = max(3, min(20, free))

    def _show_review(self) -> None:
        self.reviewing = True
        self.picker.display = False
        self.query_one("#bridge-text-scroll").display = False
        self.query_one("#bridge-step").display = False
        self.query_one("#bridge-review").display = True
        review = self.query_one("#bridge-review-list", OptionList)
        review.clear_options()
        for i, (question, answer) in enumerate(zip(self.questions, self.answers, strict=True)):
            summary = answer.summary() if answer is not None else "(no answer yet)"
            text = safe_text(f"{i + 1}. {question.question}\n   → {summary}")
            review.add_option(Option(text, id=str(i)))
        review.add_option(Option(safe_text("Submit all answers"), id=SUBMIT_ALL))
        review.highlighted = len(self.questions)
        review.focus()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "previous":
            return self.reviewing or self.index > 0
        if action == "read_question":
            return not self.reviewing and self.query_one(QuestionText).overflows()
        if action == "answer":
            return self.focused is self.query_one(QuestionText)
        return True

    def action_read_question(self) -> None:
        self.set_focus(self.query_one(QuestionText))

    def action_answer(self) -> None:
        self.picker.focus_entry()

    def on_descendant_focus(self, _event: events.DescendantFocus) -> None:
        self.refresh_bindings()  # i is offered while the question text has the focus

    def on_option_picker_submitted(self, event: OptionPicker.Submitted) -> None:
        # Stopped here: the app's own handler would take it for an interview answer.
        event.stop()
        question = self.questions[self.index]
        try:
            answer = build_answer(question, event.selected, event.text)
        except SpecuiError as exc:
            event.picker.show_error(str(exc))
            return
        self.answers[self.index] = answer
        if len(self.questions) == 1:
            self.dismiss([answer])
            return
        event.picker.done()
        missing = [i for i, a in enumerate(self.answers) if a is None]
        if not missing:
            self._show_review()
        else:
            self._show_question(next((i for i in missing if i > self.index), missing[0]))

    @on(OptionList.OptionSelected, "#bridge-review-list")
    def _review_choice(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id == SUBMIT_ALL:
            missing = [i for i, a in enumerate(self.answers) if a is None]
            if missing:
                self._show_question(missing[0])
                return
            self.dismiss([a for a in self.answers if a is not None])
            return
        self._show_question(int(event.option.id or 0))

    def action_previous(self) -> None:
        if self.reviewing:
            self._show_question(len(self.questions) - 1)
        elif self.index > 0:
            self._show_question(self.index - 1)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_cancel_asked(self) -> None:
        """Esc: cancel, after a yes/no when that drops answers given or being typed (Esc leaves
        a text box elsewhere; that reflex must not cost a batch). Ctrl+C / Ctrl+D never ask."""
        given = sum(1 for a in self.answers if a is not None)
        draft = None if self.reviewing else self.picker.draft()
        typing = draft is not None and bool(draft.text.strip() or draft.chosen)
        if not given and not typing:
            self.dismiss(None)
            return
        from specui.ui.screens.confirm import ConfirmScreen

        lost = [f"{given} answer{'s' if given != 1 else ''} given here"] if given else []
        if typing:
            lost.append("what you typed or ticked")
        body = (f"{clean(self.request.source)} gets no answer, and "
                f"{' and '.join(lost)} {'is' if len(lost) == 1 and given < 2 else 'are'} "
                "dropped.")

        def done(cancel: bool | None) -> None:
            if cancel and not self.withdrawn:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmScreen("Cancel this question?", body, yes="Cancel it", no="Keep answering"),
            done,
        )

    def withdraw(self) -> None:
        """The asker no longer waits (timed out, interrupted, superseded): close."""
        if not self.withdrawn:
            self.withdrawn = True
            self.dismiss(None)


class BridgeQuestionApp(App[int]):
    """The one-question UI (`specui question --ui ID`): the screen above, full size, in a
    tmux pane or on the terminal; it writes the response itself and exits (0 answered, 1 not)."""

    CHECK_SECONDS = 0.25

    def __init__(self, project: Project, request: BridgeRequest) -> None:
        super().__init__()
        self.project = project
        self.request = request
        self.screen_: BridgeQuestionScreen | None = None
        # As if a key had just come: the screen starts held (see the module docstring).
        self.last_key_at = time.monotonic()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            self.last_key_at = time.monotonic()
        await super().on_event(event)

    def on_mount(self) -> None:
        self.screen_ = BridgeQuestionScreen(self.request)
        self.push_screen(self.screen_, self._done)
        self.set_interval(self.CHECK_SECONDS, self._check)

    def _check(self) -> None:
        """The asker withdrew (timeout, Ctrl+C), someone else responded, or the asker died
        without withdrawing (killed: no orphan window stays open for nobody): close."""
        from specui import bridge

        rid = self.request.id
        try:
            mtime: float | None = bridge.request_path(self.project, rid).lstat().st_mtime
        except OSError:
            mtime = None
        if mtime is not None and self.request.stale(mtime):
            bridge.withdraw(self.project, rid)
            mtime = None
        gone = mtime is None or bridge.is_responded(self.project, rid)
        if gone and self.screen_ is not None and self.screen_.is_current:
            self.screen_.withdraw()

    def _done(self, answers: list[Answer] | None) -> None:
        from specui import bridge

        screen = self.screen_
        if screen is not None and screen.withdrawn:
            self.exit(1)
            return
        if answers is None:
            bridge.write_cancel(self.project, self.request.id)
            self.exit(1)
            return
        self.exit(0 if bridge.write_answer(self.project, self.request.id, answers) else 1)


def run_standalone(project: Project, request_id: str) -> int:
    """`specui question --ui ID`: show request ID until it is answered, cancelled or
    withdrawn. A crash is reported to the asker as question_ui_failed, never left pending."""
    from specui import bridge

    request = bridge.read_request(project, request_id)
    if request is None:
        raise SpecuiError(f"no pending question {request_id} in {bridge.bridge_dir(project)}")
    try:
        code = BridgeQuestionApp(project, request).run()
    except Exception as exc:
        bridge.write_cancel(
            project, request_id, code=bridge.UI_FAILED,
            message=f"the question UI failed: {type(exc).__name__}: {exc}",
        )
        raise
    # Closed some other way (Ctrl+Q, a signal): the asker hears "not answered", not silence.
    bridge.write_cancel(project, request_id, message="the question window was closed")
    return 1 if code is None else int(code)
