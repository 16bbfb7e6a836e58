"""The question pane: where the interview is, and what it asks now.

Header line follows seed 004 §2b exactly (`Round {n} | Target: {dimension} | Ambiguity: {score}%`);
the profile and stage sit beside it; engine notes/warnings go above the question text.
All text is shown through `safe_text` (it comes from the engine, an agent or the user).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from specui.core.ambiguity import DIMENSION_TITLES, ambiguity_percent
from specui.core.spec import SECTION_BY_KEY, UNIT_BY_KEY
from specui.ui.widgets.safe_text import clean, safe_text

if TYPE_CHECKING:
    from specui.core.interview.state import PendingQuestion
    from specui.store import Session

percent = ambiguity_percent  # every percentage on screen: the one half-up rule, shared with the CLI


def focus_title(pending: PendingQuestion) -> str:
    """What a question is about, as people read it: a validation step names its SPEC.md
    section, an interview round its dimension; never an internal key."""
    key = pending.dimension
    unit, section = UNIT_BY_KEY.get(key), SECTION_BY_KEY.get(key)
    sections = (unit.title if unit else None) or (section.title if section else None)
    dimension = DIMENSION_TITLES.get(key)
    first, second = (sections, dimension) if pending.phase == "validation" else (dimension, sections)
    return first or second or clean(key).replace("_", " ").capitalize()


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
        return f"Validation {pending.round} | Section: {focus_title(pending)} | {amb}"
    return f"Round {pending.round} | Target: {focus_title(pending)} | {amb}"


def ended_line(session: Session) -> str:
    """In place of the question once the interview has ended: "complete" only when it
    crystallized by reaching the threshold; a cap or an early exit says so (the finish view
    below it carries the residual risk)."""
    iv = session.interview
    if iv.status == "exited" or iv.end_reason == "early_exit":
        return "The interview ended early (residual risk recorded)."
    if iv.end_reason == "hard_cap":
        return (
            f"The interview stopped at the hard cap of {iv.max_rounds} rounds "
            "(residual risk recorded)."
        )
    if iv.end_reason == "validation_cap":
        return "The validation pass ended short (residual risk recorded)."
    return "The interview is complete: the spec has crystallized."


def meta_parts(session: Session) -> list[str]:
    iv = session.interview
    return [
        f"{clean(iv.profile)} profile",
        f"threshold {percent(iv.threshold)}%",
        f"max {iv.max_rounds} rounds",
        clean(iv.type),
        clean(iv.stage),
    ]


def engine_line(session: Session, now: datetime | None = None) -> str:
    """What the engine is doing: thinking (elapsed time and its latest activity), or the one
    error of a failed round with its keys; else why this question and the last notice."""
    iv = session.interview
    engine = iv.engine
    if engine.status == "thinking":
        elapsed = ""
        if engine.started_at is not None:
            secs = max(0, int(((now or datetime.now(UTC)) - engine.started_at).total_seconds()))
            elapsed = f" {secs // 60}:{secs % 60:02d}"
        activity = f" · {clean(engine.activity[-1])}" if engine.activity else ""
        return f"⋯ {clean(engine.name or 'engine')} is thinking{elapsed}{activity}  (Esc cancels)"
    if engine.status == "error":
        return (
            f"✗ {clean(engine.name or 'engine')}: {clean(engine.error or 'failed')}\n"
            "r retry · o switch to the offline engine"
        )
    parts = []
    if iv.notice:
        parts.append(clean(iv.notice))
    if iv.current is not None and iv.current.why:
        parts.append(f"Why: {clean(iv.current.why)}")
    return "\n".join(parts)


def fit_parts(parts: list[str], width: int, sep: str = " · ") -> str:
    """As many whole parts as fit in `width` columns: a title is never cut mid-word."""
    shown = ""
    for part in parts:
        candidate = f"{shown}{sep}{part}" if shown else part
        if len(candidate) > width:
            break
        shown = candidate
    return shown


class QuestionPane(Vertical):
    """Round header, profile line, notes and the question itself."""

    DEFAULT_CLASSES = "pane"

    def compose(self) -> ComposeResult:
        yield Static(id="q-header", markup=False)
        yield Static(id="q-note", markup=False)
        yield Static(id="q-text", markup=False)
        yield Static(id="q-engine", markup=False)

    def on_mount(self) -> None:
        self.border_title = "Interview"
        self._session: Session | None = None
        # The elapsed time of a thinking engine moves every second.
        self.set_interval(1.0, self._tick)

    def _tick(self) -> None:
        if self._session is not None and self._session.interview.engine.status == "thinking":
            self._engine()

    def _engine(self) -> None:
        assert self._session is not None
        line = self.query_one("#q-engine", Static)
        text = engine_line(self._session)
        line.update(safe_text(text))
        line.display = bool(text)

    def on_resize(self) -> None:
        self._title()

    def _title(self) -> None:
        """Profile, threshold, rounds, type and stage ride in the border title (no extra row
        at 80x24), as many whole parts as the width allows."""
        if self._session is None:
            return
        room = self.size.width - len("Interview") - 6  # the rule's corners and the gap
        meta = fit_parts(meta_parts(self._session), room)
        self.border_title = Content.assemble(("Interview", "bold"), ("  " + meta, ""))

    def show_session(self, session: Session) -> None:
        iv = session.interview
        pending = iv.current
        self.query_one("#q-header", Static).update(safe_text(header_line(session)))
        self._session = session
        self._title()
        notes = [w for w in ([pending.note] if pending is not None else []) if w.strip()]
        note = self.query_one("#q-note", Static)
        note.update(safe_text("\n".join(notes)))
        note.display = bool(notes)
        text = self.query_one("#q-text", Static)
        if pending is not None:
            text.update(safe_text(pending.question.question))
        elif iv.status in ("crystallized", "exited"):
            text.update(safe_text(ended_line(session)))
        else:
            waiting = iv.engine.status == "error"
            text.update(
                safe_text(
                    "The engine could not ask the next question."
                    if waiting
                    else "Starting the interview…"
                )
            )
        self._engine()

    def show_message(self, message: str) -> None:
        """A one-off line in place of the question (e.g. engine unavailable)."""
        self.query_one("#q-text", Static).update(safe_text(message))
