"""A yes/no confirmation (early exit, overriding a gate). Keyboard: y / n / Esc / Enter."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from specui.ui.widgets.safe_text import safe_text


class ConfirmScreen(ModalScreen[bool]):
    # Loaded with the screen, so the app's CSS_PATH needs no change; absolute for subclasses.
    CSS_PATH = str(Path(__file__).with_name("confirm.tcss"))

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", key_display="n/esc", id="confirm.no"),
    ]

    def __init__(self, title: str, body: str, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.title_text = title
        self.body_text = body
        self.yes_label = yes
        self.no_label = no

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog"):
            yield Static(safe_text(self.title_text), id="confirm-title")
            yield Static(safe_text(self.body_text), id="confirm-body")
            with Horizontal(id="confirm-buttons"):
                yield Button(safe_text(f"{self.yes_label} (y)"), id="confirm-yes", variant="error")
                yield Button(safe_text(f"{self.no_label} (n)"), id="confirm-no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)
