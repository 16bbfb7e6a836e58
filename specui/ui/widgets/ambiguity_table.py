"""Ambiguity breakdown (seed 004 §2c/2d): one row per dimension, the total against the profile
threshold, and the readiness gates. Rebuilt from the session snapshot after every answer.

A Rich `Table` inside a `Static`: it wraps the justification column to the pane width (a
`DataTable` would scroll sideways), and every cell is a `Text`, so engine text is never markup.
When the pane is too narrow for a readable Why / gap column (120x36 gives it ~15 columns, one
word per line) each justification goes on its own full-width line under its row instead.
Colours come from the current Textual theme, so the table follows theme switches.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group
from rich.padding import Padding
from rich.segment import Segment
from rich.table import Table
from rich.text import Text
from textual import events
from textual.containers import VerticalScroll
from textual.widgets import Static

from specui.core.ambiguity import DIMENSION_TITLES, weights_for
from specui.core.interview.headline import focus_title
from specui.core.interview.policy import GATE_TITLES
from specui.ui.widgets.question_pane import percent
from specui.ui.widgets.safe_text import clean

if TYPE_CHECKING:
    from specui.store import Session

WHY_MIN = 32  # narrower than this, the Why / gap column moves under the rows
NUMBERS = 46  # what the other four columns and their padding take


def build_renderable(session: Session, colours: dict[str, str], width: int = 200) -> Group:
    """The table + total + gates as one renderable for `width` columns (pure: easy to test)."""
    iv = session.interview
    ok = colours.get("success", "green")
    bad = colours.get("error", "red")
    warn = colours.get("warning", "yellow")
    muted = colours.get("text-muted", "grey50")
    table = Table(expand=True, box=None, padding=(0, 1), show_edge=False)
    table.add_column("Dimension", no_wrap=True, style="bold")
    table.add_column("Weight", justify="right", no_wrap=True)
    table.add_column("Score", justify="right", no_wrap=True)
    table.add_column("Weighted", justify="right", no_wrap=True)
    stacked = width - NUMBERS < WHY_MIN
    if not stacked:
        table.add_column("Why / gap", ratio=1, overflow="fold")
    weights = weights_for(iv.type)
    rows: list[object] = [_stacked_row([Text(c, style="bold") for c in COLUMNS])] if stacked else []
    total = 0.0
    for dim, weight in weights.items():
        entry = iv.dimensions.get(dim)
        score = entry.score if entry else 0.0
        score = min(1.0, max(0.0, score))
        contribution = weight * score
        total += contribution
        why = Text(clean(entry.justification) if entry else "", style="")
        if entry and entry.gap.strip():
            if why.plain:
                why.append("  ")
            why.append("gap: " + clean(entry.gap), style=warn)
        cells = [
            Text(DIMENSION_TITLES.get(dim, dim), style="bold"),
            Text(f"{weight:.2f}"),
            Text(f"{score:.2f}"),
            Text(f"{contribution:.3f}"),
        ]
        if stacked:
            rows.append(_stacked_row(cells))
            if why.plain:
                rows.append(Padding(why, (0, 0, 0, 2)))
        else:
            table.add_row(*cells, why)
    amb = iv.ambiguity
    met = amb <= iv.threshold + 1e-9
    verdict = Text.assemble(
        ("Ambiguity ", "bold"),
        (f"{percent(amb)}%", f"bold {ok if met else bad}"),
        f"  threshold {percent(iv.threshold)}% ",
        ("met" if met else "not met", ok if met else bad),
    )
    # The arithmetic last: a narrow pane wraps it, not the verdict.
    line = _pack([verdict, Text(f"(1 − Σ weighted = {1 - total:.3f})", style=muted)], width)
    gate_items = [Text("Gates", style="bold")]
    for key, label in GATE_TITLES.items():
        value = bool(getattr(iv.gates, key, False))
        gate_items.append(Text(("✓ " if value else "✗ ") + label, style=ok if value else bad))
    gates = _pack(gate_items, width)
    # Summary first: at 80x24 the pane is short, and the verdict matters more than the rows.
    parts: list[object] = [line, gates]
    if iv.current is not None:
        focus = Text("Next focus: ", style="bold")
        focus.append(clean(focus_title(iv.current.dimension, iv.current.phase)))
        parts.append(focus)
    parts.extend(rows if stacked else [table])
    return Group(*parts)


def table_inputs(session: Session) -> tuple[object, ...]:
    """Everything `build_renderable` reads from the session: the table is drawn again only when
    this (or the width, or the theme) changed. An engine's "thinking" state, an activity line
    or a draft save change none of it."""
    iv = session.interview
    focus = None if iv.current is None else (iv.current.dimension, iv.current.phase)
    dimensions = tuple(
        (key, entry.score, entry.justification, entry.gap) for key, entry in iv.dimensions.items()
    )
    return iv.type, iv.ambiguity, iv.threshold, dimensions, iv.gates.model_dump_json(), focus


def _pack(items: list[Text], width: int, gap: str = "  ") -> Text:
    """Items side by side, a new line where the next one would not fit: a gate or a verdict
    is never split across lines."""
    packed, used = Text(), 0
    for item in items:
        if used and used + len(gap) + item.cell_len > width:
            packed.append("\n")
            used = 0
        elif used:
            packed.append(gap)
            used += len(gap)
        packed.append_text(item)
        used += item.cell_len
    return packed


COLUMNS = ("Dimension", "Weight", "Score", "Weighted")
WIDTHS = (18, 7, 6, 9)


def _stacked_row(cells: list[Text]) -> Text:
    """One row of the narrow layout: the four columns at fixed widths (numbers right-aligned),
    so the rows line up without a table and the justification can take the full width."""
    line = Text()
    for i, (cell, width) in enumerate(zip(cells, WIDTHS, strict=True)):
        cell = cell.copy()
        cell.truncate(width - 1, overflow="ellipsis")
        pad = Text(" " * (width - cell.cell_len))
        line.append_text(pad + cell if i else cell + pad)
    return line


class AmbiguityBody(Static):
    """The table's lines, drawn for the width this widget has: redrawn when that width changes
    (the terminal, the layout, or the pane's scrollbar coming or going)."""

    drawn_width = 0

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self.drawn_width and isinstance(self.parent, AmbiguityView):
            self.parent.rebuild()


class AmbiguityView(VerticalScroll):
    """Scrollable so the whole table is reachable at 80×24."""

    can_focus = True

    def compose(self):
        yield AmbiguityBody(id="ambiguity-body")

    def on_mount(self) -> None:
        self.border_title = "Ambiguity"
        self._session: Session | None = None
        self._drawn: tuple[object, ...] | None = None
        self.watch(self.app, "theme", lambda _theme: self.rebuild(), init=False)

    def show_session(self, session: Session) -> None:
        self._session = session
        self.rebuild()

    def rebuild(self) -> None:
        if self._session is None:
            return
        body = self.query_one("#ambiguity-body", AmbiguityBody)
        width = body.size.width or self.scrollable_content_region.width or 200
        drawn = (width, self.app.theme, table_inputs(self._session))
        if drawn == self._drawn:
            return
        self._drawn = drawn
        variables = self.app.theme_variables
        body.drawn_width = width
        # Rendered to lines once here, with their count as the height: a Rich table inside the
        # Static would be rendered again to measure it on every layout of the screen (each new
        # question, each line of an agent's activity), a cost of the same order as the frame.
        app = self.app
        segments = app.console.render(
            build_renderable(self._session, variables, width),
            app.console_options.update(highlight=False, width=width, height=None),
        )
        lines = list(Segment.split_and_crop_lines(segments, width, include_new_lines=False,
                                                  pad=False))
        body.styles.height = len(lines)
        body.update(
            Text("\n").join(
                Text.assemble(*((seg.text, seg.style) for seg in line if not seg.control))
                for line in lines
            )
        )
