"""The SPEC.md view: the 18 tracked units with their status, and the selected one rendered.

Performance rules measured for this project (issue 3): Textual's `Markdown` widget needs ~3 s to
re-render a 17 KiB spec, so only the *selected* section is rendered, with Rich's `Markdown`, in
a `Static`; re-rendering is skipped when the section's content hash has not changed, and the
scroll position is kept when it has (an external edit must not make the view jump or flicker).

Reading and parsing SPEC.md happens off the event loop (`load_snapshot`, called from a thread
worker by the app); this widget only receives the finished `SpecSnapshot`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList, Static

from specui.ui.widgets.safe_text import clean, safe_text

if TYPE_CHECKING:
    from collections.abc import Mapping

STATUS_GLYPH = {"unknown": "○", "drafted": "◔", "clarified": "◑", "final": "●"}
STATUS_STYLE = {
    "unknown": "$text-muted",
    "drafted": "$warning",
    "clarified": "$primary",
    "final": "$success",
}
LEGEND = "○ unknown  ◔ drafted  ◑ clarified  ● final"


@dataclass(frozen=True)
class UnitInfo:
    key: str
    title: str


@dataclass(frozen=True)
class SpecSnapshot:
    """Everything the view needs from one read of SPEC.md (immutable, built in a thread)."""

    exists: bool
    units: tuple[UnitInfo, ...]
    statuses: dict[str, str] = field(default_factory=dict)
    texts: dict[str, str | None] = field(default_factory=dict)
    percent: int = 0
    final_count: int = 0
    error: str | None = None
    missing: tuple[str, ...] = ()


def tracked_units() -> tuple[UnitInfo, ...]:
    from specui.core.spec import TRACKED_UNITS

    return tuple(UnitInfo(u.key, u.title) for u in TRACKED_UNITS)


def load_snapshot(path: Path, final_hashes: Mapping[str, str]) -> SpecSnapshot:
    """Read + parse + classify SPEC.md. Thread-safe; never raises for user-file problems."""
    from specui.core.progress import progress_percent
    from specui.core.spec import SpecDocument, unit_statuses
    from specui.errors import SpecuiError

    units = tracked_units()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return SpecSnapshot(
            exists=False,
            units=units,
            statuses={u.key: "unknown" for u in units},
            texts={u.key: None for u in units},
        )
    except OSError as exc:
        return SpecSnapshot(exists=False, units=units, error=f"cannot read SPEC.md: {exc}")
    try:
        doc = SpecDocument.from_bytes(data)
    except SpecuiError as exc:
        return SpecSnapshot(exists=True, units=units, error=str(exc))
    statuses = dict(unit_statuses(doc, final_hashes))
    final = sum(1 for s in statuses.values() if s == "final")
    return SpecSnapshot(
        exists=True,
        units=units,
        statuses=statuses,
        texts={u.key: doc.unit_text(u.key) for u in units},
        percent=progress_percent(final, len(units)),
        final_count=final,
        missing=tuple(doc.missing),
    )


def render_markdown(text: str, code_theme: str = "monokai"):
    """Rich Markdown with raw HTML switched off.

    SPEC.md is full of `<placeholders>`; CommonMark would treat them as inline HTML and Rich
    would silently drop them, hiding exactly what still needs an answer. With `html=False`
    they are ordinary text.
    """
    from markdown_it import MarkdownIt
    from rich.markdown import Markdown

    md = Markdown("", code_theme=code_theme, hyperlinks=False)
    parser = MarkdownIt("commonmark", {"html": False}).enable("strikethrough").enable("table")
    md.markup = text
    md.parsed = parser.parse(text)
    return md


class UnitList(OptionList):
    """The 18 units. PageUp/PageDown scroll the section shown beside it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("pagedown", "scroll_section(1)", "Scroll", show=False),
        Binding("pageup", "scroll_section(-1)", "Scroll", show=False),
    ]

    def action_scroll_section(self, direction: int) -> None:
        scroll = self.screen.query_one("#section-scroll", VerticalScroll)
        if direction > 0:
            scroll.scroll_page_down(animate=False)
        else:
            scroll.scroll_page_up(animate=False)


class SpecView(Horizontal):
    """Unit list + the selected unit's text."""

    DEFAULT_CLASSES = "pane"

    class UnitSelected(Message):
        def __init__(self, unit: str) -> None:
            super().__init__()
            self.unit = unit

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.snapshot: SpecSnapshot | None = None
        self.selected: str = "vision"
        self._rendered_key: tuple[str, str, str] | None = None

    def compose(self) -> ComposeResult:
        yield UnitList(id="units")
        with VerticalScroll(id="section-scroll"):
            yield Static(id="section-title", markup=False)
            yield Static(id="section-body", markup=False)

    def on_mount(self) -> None:
        self.border_title = "SPEC.md"
        self.border_subtitle = LEGEND
        self.watch(self.app, "theme", lambda _t: self._render_section(force=True), init=False)

    # ------------------------------------------------------------------ data in
    def show_snapshot(self, snapshot: SpecSnapshot) -> None:
        first = self.snapshot is None
        old = self.snapshot
        self.snapshot = snapshot
        units = self.query_one("#units", UnitList)
        if first or old is None or old.units != snapshot.units:
            units.set_options([self._prompt(u) for u in snapshot.units])
            keys = [u.key for u in snapshot.units]
            units.highlighted = keys.index(self.selected) if self.selected in keys else 0
        else:
            for i, unit in enumerate(snapshot.units):
                if old.statuses.get(unit.key) != snapshot.statuses.get(unit.key):
                    units.replace_option_prompt_at_index(i, self._prompt(unit))
        title = "SPEC.md"
        if snapshot.exists and snapshot.error is None:
            title = f"SPEC.md · {snapshot.final_count}/{len(snapshot.units)} final"
        self.border_title = title
        self._render_section()

    def _prompt(self, unit: UnitInfo) -> Content:
        status = self.snapshot.statuses.get(unit.key, "unknown") if self.snapshot else "unknown"
        return Content.assemble(
            (STATUS_GLYPH.get(status, "?") + " ", STATUS_STYLE.get(status, "")),
            clean(unit.title),
        )

    @on(OptionList.OptionHighlighted, "#units")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if self.snapshot is None or event.option_index >= len(self.snapshot.units):
            return
        unit = self.snapshot.units[event.option_index].key
        if unit != self.selected:
            self.selected = unit
            self._render_section(new_unit=True)
            self.post_message(self.UnitSelected(unit))

    @on(OptionList.OptionSelected, "#units")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#section-scroll").focus()

    def select_unit(self, unit: str) -> None:
        if self.snapshot is None:
            self.selected = unit
            return
        keys = [u.key for u in self.snapshot.units]
        if unit in keys:
            self.query_one("#units", UnitList).highlighted = keys.index(unit)

    # ------------------------------------------------------------------ rendering
    def _render_section(self, *, new_unit: bool = False, force: bool = False) -> None:
        snap = self.snapshot
        if snap is None:
            return
        title_widget = self.query_one("#section-title", Static)
        body = self.query_one("#section-body", Static)
        unit = next((u for u in snap.units if u.key == self.selected), None)
        status = snap.statuses.get(self.selected, "unknown")
        if snap.error is not None:
            text, source = f"SPEC.md cannot be shown: {snap.error}", "error"
        elif not snap.exists:
            text, source = "SPEC.md does not exist yet; the interview creates it.", "missing"
        else:
            raw = snap.texts.get(self.selected)
            if raw is None:
                text, source = (
                    "This section is missing from SPEC.md; the next patch re-adds it.",
                    "absent",
                )
            else:
                text, source = raw, "markdown"
        digest = hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=16).hexdigest()
        key = (self.selected, source + status, digest)
        if key == self._rendered_key and not force:
            return  # same content: no re-render, no flicker, scroll untouched
        self._rendered_key = key
        heading = Content.assemble(
            (clean(unit.title if unit else self.selected), "bold"),
            ("  " + STATUS_GLYPH.get(status, "") + " " + status, STATUS_STYLE.get(status, "")),
        )
        title_widget.update(heading)
        if source == "markdown":
            body.update(self._markdown(text))
        else:
            body.update(safe_text(text))
        if new_unit:
            self.query_one("#section-scroll", VerticalScroll).scroll_home(animate=False)

    def _markdown(self, text: str):

        dark = self.app.current_theme.dark if self.app.current_theme else True
        code_theme = "monokai" if dark else "default"
        cleaned = clean(text).strip("\n")
        if not cleaned.strip():
            return safe_text("(empty)")
        return render_markdown(cleaned, code_theme)
