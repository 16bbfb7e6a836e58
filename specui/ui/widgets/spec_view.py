"""The SPEC.md view: the 18 tracked units with their status, and the selected one rendered.

Performance rules (measured by bench/bench_ui.py): Textual's `Markdown` widget needs ~3 s to
re-render a 17 KiB spec, and even Rich's `Markdown` needs ~600 ms for a 45 KiB section. So only
the *selected* section is shown, styled by the line-based highlighter in `spec_markdown`, wrapped
in a thread when it is large, and drawn by a line-API widget (`SectionBody`) that renders just
the visible lines. Re-rendering is skipped when the content hash (and width and theme) did not
change, and the scroll position is kept when it did (an external edit must not make the view
jump or flicker).

Reading and parsing SPEC.md happens off the event loop (`load_snapshot`, called from a thread
worker by the app); this widget only receives the finished `SpecSnapshot`.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.segment import Segment
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import OptionList, Static
from textual.worker import Worker, WorkerState

from specui.ui.lifecycle import is_live
from specui.ui.widgets.safe_text import clean
from specui.ui.widgets.spec_markdown import STYLE, render_lines

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
    """Read SPEC.md through `spec_repo` and take statuses and progress from the core's rules.
    Thread-safe; never raises for user-file problems (they become `error`)."""
    from specui.core.errors import SpecuiError
    from specui.core.spec import spec_progress
    from specui.spec_repo import SpecFile

    units = tracked_units()
    try:
        doc = SpecFile(path, root=path.parent).read()
    except SpecuiError as exc:
        return SpecSnapshot(exists=os.path.lexists(path), units=units, error=str(exc))
    progress = spec_progress(doc, final_hashes)
    return SpecSnapshot(
        exists=doc is not None,
        units=units,
        statuses=dict(progress.statuses),
        texts={u.key: doc.unit_text(u.key) if doc is not None else None for u in units},
        percent=progress.percent,
        final_count=progress.final_count,
        missing=tuple(doc.missing) if doc is not None else (),
    )


class UnitList(OptionList):
    """The 18 units. PageUp/PageDown scroll the section shown beside it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("pagedown", "scroll_section(1)", "Scroll", show=False),
        Binding("pageup", "scroll_section(-1)", "Scroll", show=False),
    ]

    def action_scroll_section(self, direction: int) -> None:
        scroll = self.screen.query_one("#section-body", SectionBody)
        if direction > 0:
            scroll.scroll_page_down(animate=False)
        else:
            scroll.scroll_page_up(animate=False)


SYNC_RENDER_CHARS = 8_000  # below this, styling+wrapping takes < ~5 ms: do it inline


class SectionBody(ScrollView, can_focus=True):
    """Pre-wrapped, pre-styled lines; renders only what is on screen (Toolong-style)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back_to_list", "Sections", show=False, id="spec.back"),
    ]

    def action_back_to_list(self) -> None:
        """Esc: back to the list of sections (↑/↓ move between sections again)."""
        self.screen.query_one("#units").focus()

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.pieces: list[list[tuple[str, object]]] = []
        self._strips: dict[int, Strip] = {}
        self.rendered_width = 0

    def set_lines(self, pieces: list[list[tuple[str, object]]], width: int) -> None:
        self.pieces = pieces
        self._strips = {}
        self.rendered_width = width
        size = Size(width, len(pieces))
        if size != self.virtual_size:
            self.virtual_size = size
        self.refresh()

    @property
    def text_width(self) -> int:
        """Width available for text (minus a vertical scrollbar when one is shown)."""
        return max(8, self.scrollable_content_region.width or self.size.width)

    def plain_lines(self) -> list[str]:
        return ["".join(text for text, _style in line) for line in self.pieces]

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = y + scroll_y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if index >= len(self.pieces):
            return Strip.blank(width, base)
        strip = self._strips.get(index)
        if strip is None:
            strip = Strip([Segment(text, style) for text, style in self.pieces[index] if text])
            self._strips[index] = strip
        return strip.crop_extend(scroll_x, scroll_x + width, None).apply_style(base)


_STYLE_CACHE: dict[str, dict[str, object]] = {}


def theme_styles(app) -> dict[str, object]:
    """The highlighter's style keys resolved against the current theme (main thread only).

    Cached per theme: resolving `$variables` re-tokenizes the whole theme (~10 ms)."""
    from textual.markup import parse_style

    cached = _STYLE_CACHE.get(app.theme)
    if cached is None:
        variables = app.theme_variables
        cached = {key: parse_style(spec, variables).rich_style for key, spec in STYLE.items()}
        _STYLE_CACHE[app.theme] = cached
    return cached


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
        with Vertical(id="section-pane"):
            yield Static(id="section-title", markup=False)
            yield SectionBody(id="section-body")

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
        if title != self.border_title:
            self.border_title = title
        self._render_section()

    def follow(self, unit: str) -> None:
        """Select `unit` (the section the question on screen is about), unless the user is
        moving through the list right now."""
        units = self.query_one("#units", UnitList)
        if units.has_focus:
            return
        if self.snapshot is None:
            self.selected = unit  # the first snapshot highlights it
            return
        keys = [u.key for u in self.snapshot.units]
        if unit in keys and unit != self.selected:
            units.highlighted = keys.index(unit)  # _highlighted selects and renders it

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
        self.query_one("#section-body").focus()

    # ------------------------------------------------------------------ rendering
    def on_resize(self) -> None:
        self.call_after_refresh(self._render_section)

    def _render_section(self, *, new_unit: bool = False, force: bool = False) -> None:
        snap = self.snapshot
        if snap is None or not is_live(self):
            return
        title_widget = self.query_one("#section-title", Static)
        body = self.query_one("#section-body", SectionBody)
        unit = next((u for u in snap.units if u.key == self.selected), None)
        status = snap.statuses.get(self.selected, "unknown")
        if snap.error is not None:
            text = f"SPEC.md cannot be shown: {snap.error}"
        elif not snap.exists:
            text = "SPEC.md does not exist yet; the interview creates it."
        else:
            raw = snap.texts.get(self.selected)
            if raw is None:
                text = "This section is missing from SPEC.md; the next patch re-adds it."
            else:
                text = clean(raw).strip("\n") or "(empty)"
        digest = hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=16).hexdigest()
        width = body.text_width
        key = (self.selected, status, digest, width, self.app.theme)
        if key == self._rendered_key and not force:
            return  # same content: no re-render, no flicker, scroll untouched
        self._rendered_key = key
        heading = Content.assemble(
            (clean(unit.title if unit else self.selected), "bold"),
            ("  " + STATUS_GLYPH.get(status, "") + " " + status, STATUS_STYLE.get(status, "")),
        )
        if heading != getattr(title_widget, "_shown", None):  # avoid a layout pass per edit
            title_widget._shown = heading  # type: ignore[attr-defined]
            title_widget.update(heading)
        styles = theme_styles(self.app)
        if new_unit:
            body.scroll_home(animate=False)
        if len(text) <= SYNC_RENDER_CHARS:
            body.set_lines(render_lines(text, width, styles), width)
        else:
            self._render_in_thread(text, width, styles, key)

    @work(thread=True, exclusive=True, group="section-render", exit_on_error=False)
    def _render_in_thread(self, text: str, width: int, styles: dict, key: tuple) -> tuple:
        return key, width, render_lines(text, width, styles)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "section-render" or event.state != WorkerState.SUCCESS:
            return
        key, width, lines = event.worker.result
        if key == self._rendered_key and is_live(self):  # still what should be shown
            self.query_one("#section-body", SectionBody).set_lines(lines, width)
