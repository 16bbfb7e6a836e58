"""A question from outside the workbench (`specui question`, e.g. an agent in another tmux pane),
asked in a modal over the workbench.

The modal reuses the interview's OptionPicker, so the keys are the same: ↑/↓ move, 1-9 pick
(single) or toggle (multi), Space toggles, Enter submits, the Other entry opens an inline input
(Enter submits, Esc backs out), free text is submitted with Ctrl+S. Esc (outside the Other
input) cancels the question. Answers are validated by `core.questions.build_answer`, the same
rules as the interview and the terminal prompt.

The screen only decides: it dismisses with the Answer, or None for "cancelled". The app writes
the answer or cancel file (specui/bridge.py) off the event loop. When the asker withdraws the
request (timeout, Ctrl+C), the app calls `withdraw()`: the screen closes and nothing is written.

Everything shown comes from another process: `rich.text.Text` via safe_text, never markup.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from specui.core.errors import SpecuiError
from specui.core.questions import Answer, build_answer
from specui.ui.widgets.option_picker import OptionPicker
from specui.ui.widgets.safe_text import safe_text

if TYPE_CHECKING:
    from specui.bridge import BridgeRequest


class BridgeQuestionScreen(ModalScreen[Answer | None]):
    """One bridged question; dismisses with its Answer, or None when the user cancels."""

    # Loaded with the screen, so the app's CSS_PATH needs no change; absolute for subclasses.
    CSS_PATH = str(Path(__file__).with_name("bridge_question.tcss"))

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel question", key_display="esc", id="bridge.cancel"),
    ]

    def __init__(self, request: BridgeRequest) -> None:
        super().__init__()
        self.request = request
        self.withdrawn = False

    @property
    def request_id(self) -> str:
        return self.request.id

    @property
    def title_text(self) -> str:
        return f"Question from {self.request.source}"

    def compose(self) -> ComposeResult:
        question = self.request.question
        with Vertical(id="bridge-dialog"):
            yield Static(safe_text(self.title_text), id="bridge-title")
            with VerticalScroll(id="bridge-text-scroll"):
                yield Static(safe_text(question.question), id="bridge-text")
            yield OptionPicker(id="bridge-picker")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        picker = self.picker
        if not getattr(self.app, "blink", True):
            for widget in self.query("Input, TextArea"):
                widget.cursor_blink = False  # type: ignore[attr-defined]
        picker.set_question(self.request.question, self.request.id)
        if self.request.question.is_free_text:
            self.query_one("#free-text").focus()
        else:
            self.query_one("#choices").focus()

    @property
    def picker(self) -> OptionPicker:
        return self.query_one("#bridge-picker", OptionPicker)

    def on_option_picker_submitted(self, event: OptionPicker.Submitted) -> None:
        # Stopped here: the app's own handler would take it for an interview answer.
        event.stop()
        try:
            answer = build_answer(self.request.question, event.selected, event.text)
        except SpecuiError as exc:
            event.picker.show_error(str(exc))
            return
        self.dismiss(answer)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def withdraw(self) -> None:
        """The asker no longer waits (timed out, interrupted, answered elsewhere): close."""
        if not self.withdrawn:
            self.withdrawn = True
            self.dismiss(None)
