"""Ambiguity breakdown (seed 004 §2c/2d): one row per dimension, the total against the profile
threshold, and the readiness gates. Rebuilt from the session snapshot after every answer.

A Rich `Table` inside a `Static`: it wraps the justification column to the pane width (a
`DataTable` would scroll sideways), and every cell is a `Text`, so engine text is never markup.
Colours come from the current Textual theme, so the table follows theme switches.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from specui.core.ambiguity import DIMENSION_TITLES, weights_for
from specui.ui.widgets.question_pane import percent
from specui.ui.widgets.safe_text import clean

if TYPE_CHECKING:
    from specui.store import Session

GATES: tuple[tuple[str, str], ...] = (
    ("non_goals", "Non-goals"),
    ("decision_boundaries", "Decision Boundaries"),
    ("pressure_pass", "Pressure pass"),
    ("closure_audit", "Closure audit"),
)


def build_renderable(session: Session, colours: dict[str, str]) -> Group:
    """The table + total + gates as one renderable (pure: easy to test)."""
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
    table.add_column("Why / gap", ratio=1, overflow="fold")
    weights = weights_for(iv.type)
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
        table.add_row(
            Text(DIMENSION_TITLES.get(dim, dim)),
            Text(f"{weight:.2f}"),
            Text(f"{score:.2f}"),
            Text(f"{contribution:.3f}"),
            why,
        )
    amb = iv.ambiguity
    met = amb <= iv.threshold + 1e-9
    line = Text()
    line.append("Ambiguity ", style="bold")
    line.append(f"{percent(amb)}%", style=f"bold {ok if met else bad}")
    line.append(f"  (1 − Σ weighted = {1 - total:.3f})", style=muted)
    line.append(f"  threshold {percent(iv.threshold)}% ", style="")
    line.append("met" if met else "not met", style=ok if met else bad)
    gates = Text()
    gates.append("Gates  ", style="bold")
    for i, (key, label) in enumerate(GATES):
        value = bool(getattr(iv.gates, key, False))
        if i:
            gates.append("  ")
        gates.append(("✓ " if value else "✗ ") + label, style=ok if value else bad)
    # Summary first: at 80x24 the pane is short, and the verdict matters more than the rows.
    parts: list[object] = [line, gates]
    if iv.current is not None:
        focus = Text("Next focus: ", style="bold")
        focus.append(DIMENSION_TITLES.get(iv.current.dimension, clean(iv.current.dimension)))
        parts.append(focus)
    parts.append(table)
    return Group(*parts)


class AmbiguityPane(VerticalScroll):
    """Scrollable so the whole table is reachable at 80×24."""

    DEFAULT_CLASSES = "pane"
    can_focus = True

    def compose(self):
        yield Static(id="ambiguity-body")

    def on_mount(self) -> None:
        self.border_title = "Ambiguity"
        self._session: Session | None = None
        self.watch(self.app, "theme", lambda _theme: self._rebuild(), init=False)

    def show_session(self, session: Session) -> None:
        self._session = session
        self._rebuild()

    def _rebuild(self) -> None:
        if self._session is None:
            return
        variables = self.app.theme_variables
        self.query_one("#ambiguity-body", Static).update(build_renderable(self._session, variables))
