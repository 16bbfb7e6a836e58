"""The question pane: where the interview is, and what it asks now.

Header line follows seed 004 §2b exactly (`Round {n} | Target: {dimension} | Ambiguity: {score}%`);
the profile and stage sit beside it; engine notes/warnings go above the question text.
All text is shown through `safe_text` (it comes from the engine, an agent or the user).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from specui.core.ambiguity import ambiguity_percent
from specui.core.spec import UNIT_BY_KEY
from specui.ui.widgets.safe_text import clean, safe_text

if TYPE_CHECKING:
    from specui.store import Session


def percent(value: float) -> int:
    """0.4125 -> 41, 0.145 -> 15: the one half-up rule the CLI uses too."""
    return ambiguity_percent(value)


def header_line(session: Session) -> str:
    """`Round {n} | Target: {dimension} | Ambiguity: {score}%` for the pending question.

    After crystallizing, seed 000's validation pass completes and finalizes sections. Its
    questions are numbered on their own (`Validation {k} | Section: {title}`), so the header
    never reads "Round 41" against a 12-round cap.
    """
    iv = session.interview
    pending = iv.current
    amb = f"Ambiguity: {percent(iv.ambiguity)}%"
    if pending is None:
        n = sum(1 for r in iv.rounds if r.phase == "interview")
        return f"Round {n} | {amb}"
    if pending.phase == "validation":
        unit = UNIT_BY_KEY.get(pending.dimension)
        title = unit.title if unit is not None else clean(pending.dimension)
        return f"Validation {pending.round} | Section: {title} | {amb}"
    return f"Round {pending.round} | Target: {clean(pending.dimension)} | {amb}"


def meta_line(session: Session) -> str:
    iv = session.interview
    return (
        f"{clean(iv.profile)} profile · threshold {percent(iv.threshold)}% · "
        f"max {iv.max_rounds} rounds · {clean(iv.type)} · {clean(iv.stage)}"
    )


class QuestionPane(Vertical):
    """Round header, profile line, notes and the question itself."""

    DEFAULT_CLASSES = "pane"

    def compose(self) -> ComposeResult:
        yield Static(id="q-header", markup=False)
        yield Static(id="q-note", markup=False)
        yield Static(id="q-text", markup=False)

    def on_mount(self) -> None:
        self.border_title = "Interview"

    def show_session(self, session: Session) -> None:
        iv = session.interview
        pending = iv.current
        self.query_one("#q-header", Static).update(safe_text(header_line(session)))
        # Profile, threshold, type and stage ride in the border title: no extra row at 80x24.
        self.border_title = Content.assemble(("Interview", "bold"), ("  " + meta_line(session), ""))
        notes = [w for w in ([pending.note] if pending is not None else []) if w.strip()]
        note = self.query_one("#q-note", Static)
        note.update(safe_text("\n".join(notes)))
        note.display = bool(notes)
        text = self.query_one("#q-text", Static)
        if pending is not None:
            text.update(safe_text(pending.question.question))
        elif iv.status == "crystallized":
            text.update(safe_text("The interview is complete: the spec has crystallized."))
        elif iv.status == "exited":
            text.update(safe_text("The interview ended early (residual risk recorded)."))
        else:
            text.update(safe_text("Starting the interview…"))

    def show_message(self, message: str) -> None:
        """A one-off line in place of the question (e.g. engine unavailable)."""
        self.query_one("#q-text", Static).update(safe_text(message))
