"""The help screen (`?` / F10): every key of the workbench from the action table, with the keys
as the user has them and the binding id to remap it with in specui.toml (`[keys]`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from specui.ui import actions

if TYPE_CHECKING:
    from specui.ui.app import SpecuiApp


KEYS_WIDTH = 13


def wrap_keys(keys: str, width: int) -> str:
    """"esc / ? / F10 / q" in lines of at most `width`, broken after a " /" so that no line
    starts with "/" (a line "/ q" reads as the keys "/" and "q")."""
    parts = keys.split(" / ")
    lines = [parts[0]]
    for n, part in enumerate(parts[1:], 2):
        more = 2 if n < len(parts) else 0  # room for the " /" a later break would add
        if len(lines[-1]) + 3 + len(part) + more <= width:
            lines[-1] += " / " + part
        else:
            lines[-1] += " /"
            lines.append(part)
    return "\n".join(lines)


class HelpScreen(ModalScreen[None]):
    app: SpecuiApp  # type: ignore[assignment]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,f10,q", "dismiss", "Close", id="help.close"),
    ]

    def compose(self) -> ComposeResult:
        table = Table(box=None, padding=(0, 1), expand=True, show_edge=False)
        # A key list as long as "esc / ? / F10 / q" wraps rather than narrowing every title.
        table.add_column("Keys", max_width=KEYS_WIDTH, style="bold")
        table.add_column("Action", ratio=1)
        table.add_column(Text("[keys] id"), no_wrap=True, style="dim")  # a literal, not markup
        group = None
        rows = actions.help_rows(actions.help_entries(), self.app.keys_display)
        # Textual's own palette key (App.COMMAND_PALETTE_BINDING), not a [keys] id.
        rows.append(("App", self.app.get_key_display(Binding(self.app.COMMAND_PALETTE_BINDING, "")),
                     "Command palette: every action, each section's finalize, themes", ""))
        for row_group, keys, title, id_ in rows:
            if row_group != group:
                group = row_group
                table.add_row(Text(row_group, style="bold underline"), Text(""), Text(""))
            table.add_row(Text(wrap_keys(keys, KEYS_WIDTH)), Text(title), Text(id_))
        with VerticalScroll(id="help-dialog"):
            yield Static(Text("Keys  (Esc closes · remap in specui.toml [keys])", style="bold"))
            yield Static(table)

    def on_mount(self) -> None:
        self.query_one("#help-dialog").focus()

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
