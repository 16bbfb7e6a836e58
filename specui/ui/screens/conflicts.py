"""SPEC.md conflicts: see what specui wanted to write next to what the user has, and decide.

A conflict is a patch specui did not write because the user edited the same unit meanwhile
(spec_repo.patch keeps it in `store.spec.conflicts`). This modal lists them (unit, when,
why) and shows, for the selected one, the user's current text next to the proposal — side by
side when there is room, stacked at 80 columns. Keys: ↑/↓ select, a apply the proposal,
m merge it into the user's bullets, d dismiss it, PgUp/PgDn scroll, Esc close.

Why it looks at the disk itself: the "current text" must be what is in SPEC.md now, so the file
is re-read when its stamp changes (polled twice a second while the modal is open). The document
shown is passed as `base` to the action: if the user saved a newer edit after looking, the action
is refused by SpecFile.patch and their newest text wins again (the conflict stays listed).

All text shown here comes from files or agents: it is rendered as `rich.text.Text` after
`safe_text.clean` (core.ansi escape stripping), never as markup.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from specui import spec_repo
from specui.core.errors import SpecuiError
from specui.core.spec import UNIT_TITLES
from specui.ui.widgets.footer import Footer
from specui.ui.widgets.safe_text import clean, safe_text

if TYPE_CHECKING:
    from specui.core.paths import Project
    from specui.core.spec import SpecDocument
    from specui.store import Conflict, Session, SessionStore

EMPTY_TEXT = "No conflicts — your edits and specui's patches agree."
WIDE_FROM = 100  # columns from which the two texts sit side by side
POLL_SECONDS = 0.5

_Stamp = tuple[int, int, int] | None


def _stamp(path: Path) -> _Stamp:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def when(at: datetime) -> str:
    """Local time, short: the list is read at a glance."""
    return at.astimezone().strftime("%Y-%m-%d %H:%M")


class ConflictList(OptionList, can_focus=False):
    """The conflicts, one line each. Not focusable: the screen owns ↑/↓ so that the footer shows
    them and no scroll container steals them."""


class ConflictsScreen(ModalScreen[None]):
    """Modal over the workbench; dismisses with None (everything it did is in the store)."""

    # Loaded with the screen, so the app's CSS_PATH needs no change; absolute for subclasses.
    CSS_PATH = str(Path(__file__).with_name("conflicts.tcss"))

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", "Select", key_display="↑↓", id="conflicts.select"),
        Binding("down", "move(1)", "Select", show=False),
        Binding("a", "resolve('apply')", "Apply proposed", id="conflicts.apply"),
        Binding("m", "resolve('append')", "Append", id="conflicts.append"),
        Binding("d", "resolve('dismiss')", "Dismiss", id="conflicts.dismiss"),
        Binding("pageup", "scroll_texts(-1)", "Scroll", show=False),
        Binding("pagedown", "scroll_texts(1)", "Scroll", show=False),
        Binding("escape", "close", "Close", key_display="esc", id="conflicts.close"),
    ]

    class _StoreChanged(Message):
        """Posted from the store's subscriber (any thread); coalesces."""

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, ConflictsScreen._StoreChanged)

    def __init__(self, project: Project, store: SessionStore) -> None:
        super().__init__()
        self.project = project
        self.store = store
        self.conflicts: list[Conflict] = []
        self.document: SpecDocument | None = None
        self.read_error: str | None = None
        self._stamp: _Stamp = None
        self._unsubscribe = None

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        with Vertical(id="conflicts-dialog"):
            yield Static(EMPTY_TEXT, id="conflicts-empty", markup=False)
            yield ConflictList(id="conflict-list")
            # The row cuts the reason; whether specui proposes a text or another program's
            # lines were rescued decides between apply and append.
            yield Static(id="conflict-reason", markup=False)
            with Vertical(id="conflict-compare"):
                with VerticalScroll(id="conflict-mine", classes="pane", can_focus=False):
                    yield Static(id="conflict-mine-text", markup=False)
                with VerticalScroll(id="conflict-theirs", classes="pane", can_focus=False):
                    yield Static(id="conflict-theirs-text", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#conflict-mine").border_title = "Yours (SPEC.md now)"
        self.query_one("#conflict-theirs").border_title = "Proposed by specui"
        self._read_spec()
        self._rebuild(select=0)
        self._unsubscribe = self.store.subscribe(lambda _s: self.post_message(self._StoreChanged()))
        self.set_interval(POLL_SECONDS, self._poll_spec)

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def on_resize(self) -> None:
        self.set_class(self.size.width >= WIDE_FROM, "-wide")

    # ------------------------------------------------------------------ data
    def _read_spec(self) -> None:
        self._stamp = _stamp(self.project.spec)
        try:
            self.document = spec_repo.read_document(self.project)
            self.read_error = None
        except SpecuiError as exc:
            self.document = None
            self.read_error = str(exc)

    def _poll_spec(self) -> None:
        if _stamp(self.project.spec) != self._stamp:
            self._read_spec()
            self._show_selected()

    def on_conflicts_screen__store_changed(self, event: _StoreChanged) -> None:
        event.stop()
        self._rebuild()

    @property
    def selected(self) -> int | None:
        index = self.query_one(ConflictList).highlighted
        if index is None or not 0 <= index < len(self.conflicts):
            return None
        return index

    def _rebuild(self, select: int | None = None) -> None:
        """Re-list the conflicts from the store, keeping the selection where it makes sense."""
        state: Session = self.store.state
        previous = self.selected if select is None else select
        self.conflicts = list(state.spec.conflicts)
        listing = self.query_one(ConflictList)
        listing.clear_options()
        titles = [clean(UNIT_TITLES.get(c.unit, c.unit)) for c in self.conflicts]
        pad = max((len(t) for t in titles), default=0)
        listing.add_options(
            Option(self._row(n, title.ljust(pad), c), id=f"conflict-{n}")
            for n, (title, c) in enumerate(zip(titles, self.conflicts, strict=True))
        )
        count = len(self.conflicts)
        empty = count == 0
        self.query_one("#conflicts-empty").display = empty
        listing.display = not empty
        self.query_one("#conflict-compare").display = not empty
        self.query_one("#conflict-reason").display = not empty
        dialog = self.query_one("#conflicts-dialog")
        dialog.border_title = f"SPEC.md conflicts ({count})" if count else "SPEC.md conflicts"
        if not empty:
            listing.highlighted = min(previous or 0, count - 1)
        self._show_selected()
        self.refresh_bindings()

    @staticmethod
    def _row(n: int, title: str, conflict: Conflict) -> Text:
        """`1. Vision & Goals  2026-03-14 09:26  <reason>` (titles padded into a column)."""
        return Text.assemble(
            f"{n + 1}. ",
            (title, "bold"),
            "  ",
            (when(conflict.at), "dim"),
            "  ",
            clean(conflict.reason).replace("\n", " "),
            no_wrap=True,
            overflow="ellipsis",
        )

    def _show_selected(self) -> None:
        index = self.selected
        mine = self.query_one("#conflict-mine-text", Static)
        theirs = self.query_one("#conflict-theirs-text", Static)
        reason = self.query_one("#conflict-reason", Static)
        if index is None:
            mine.update("")
            theirs.update("")
            reason.update("")
            return
        conflict = self.conflicts[index]
        reason.update(safe_text(conflict.reason, style="italic"))
        self.query_one("#conflict-theirs").border_title = (
            "Lines another program wrote" if conflict.reason == spec_repo.LOST_LINES_REASON
            else "Proposed by specui"
        )
        theirs.update(safe_text(conflict.text))
        if self.read_error is not None:
            mine.update(safe_text(self.read_error, style="italic"))
        elif self.document is None:
            mine.update(Text("(SPEC.md does not exist)", style="italic"))
        else:
            current = self.document.unit_text(conflict.unit)
            if current is None:
                mine.update(Text("(this section is missing from SPEC.md)", style="italic"))
            else:
                mine.update(safe_text(current))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self._show_selected()
        for pane in self.query(VerticalScroll):
            pane.scroll_home(animate=False)

    # ------------------------------------------------------------------ actions
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("move", "resolve", "scroll_texts"):
            return bool(self.conflicts)
        return True

    def action_move(self, delta: int) -> None:
        listing = self.query_one(ConflictList)
        if delta < 0:
            listing.action_cursor_up()
        else:
            listing.action_cursor_down()

    def action_scroll_texts(self, direction: int) -> None:
        for pane in self.query(VerticalScroll):
            if direction < 0:
                pane.scroll_page_up(animate=False)
            else:
                pane.scroll_page_down(animate=False)

    def action_resolve(self, action: spec_repo.ConflictVerb) -> None:
        index = self.selected
        if index is None:
            return
        # `base` is the document on screen, not a fresh read: an edit the user saved after
        # looking must still win (the action is then refused and the conflict stays).
        try:
            outcome = spec_repo.conflict_action(
                self.project,
                self.store,
                index,
                action,
                base=self.document,
                expect=self.conflicts[index],
            )
        except SpecuiError as exc:
            self.notify(clean(str(exc)), severity="error", timeout=8)
            self._read_spec()
            self._rebuild()
            return
        self.notify(
            clean(outcome.message),
            title="SPEC.md conflict",
            severity="information" if outcome.resolved else "warning",
            timeout=8,
        )
        self._read_spec()
        self._rebuild()

    def action_close(self) -> None:
        self.dismiss(None)
