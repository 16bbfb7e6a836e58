"""The question pane: where the interview is, and what it asks now.

Header line follows seed 004 §2b exactly (`Round {n} | Target: {dimension} | Ambiguity: {score}%`);
the profile and stage sit beside it; engine notes/warnings go above the question text.
All text is shown through `safe_text` (it comes from the engine, an agent or the user).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from specui.core.ambiguity import ambiguity_percent
from specui.core.interview.headline import engine_error, headline
from specui.core.interview.headline import meta_parts as headline_meta
from specui.interview.round_owner import round_owner
from specui.ui.lifecycle import is_live
from specui.ui.widgets.safe_text import clean, safe_text
from specui.ui.widgets.static_text import show

if TYPE_CHECKING:
    from specui.session_file import SavedPending
    from specui.store import Session

percent = ambiguity_percent  # every percentage on screen: the one half-up rule, shared with the CLI


def header_line(session: Session) -> str:
    """The pending question's header (core.interview.headline), or the rounds answered."""
    iv = session.interview
    pending = iv.current
    if pending is None:
        return headline(iv.ambiguity, rounds_done=iv.rounds_done)
    return headline(
        iv.ambiguity, phase=pending.phase, round=pending.round, dimension=pending.dimension
    )


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


def no_question_line(session: Session) -> str:
    """In place of the question while none is pending: ended, failed, or being prepared
    ("Starting the interview…" only before the first round: a refine pass is not a start)."""
    iv = session.interview
    if iv.status in ("crystallized", "exited"):
        return ended_line(session)
    if iv.engine.status == "error":
        return "The engine could not ask the next question."
    return "Preparing the next question…" if iv.rounds else "Starting the interview…"


def meta_parts(profile: str, threshold: float, max_rounds: int, kind: str, stage: str) -> list[str]:
    """The interview's settings beside the pane's title (core.interview.headline), sanitized."""
    return [clean(p) for p in headline_meta(profile, threshold, max_rounds, kind, stage)]


def engine_line(session: Session, now: datetime | None = None) -> str:
    """What the engine is doing: thinking (elapsed time and its latest activity), or the one
    error of a failed round with its keys; else why this question and the last notice."""
    iv = session.interview
    engine = iv.engine
    if engine.status == "thinking":
        owner = round_owner(engine)
        if owner == "gone":
            return (f"⚠ {clean(engine.name or 'engine')}'s round stopped: its specui (pid "
                    f"{engine.owner_pid}) exited; it runs again when specui next starts")
        elapsed = ""
        if engine.started_at is not None:
            secs = max(0, int(((now or datetime.now(UTC)) - engine.started_at).total_seconds()))
            elapsed = f" {secs // 60}:{secs % 60:02d}"
        activity = f" · {clean(engine.activity[-1])}" if engine.activity else ""
        where = "  (Esc cancels)"
        if owner == "elsewhere":
            where = f"  (in another specui, pid {engine.owner_pid})"
        return f"⋯ {clean(engine.name or 'engine')} is thinking{elapsed}{activity}{where}"
    if engine.status == "error":
        # Here, not at the top: the pane is imported before the first question is painted, and
        # the engine registry brings pydantic (the store is loaded after that question).
        from specui.interview.engines import can_go_offline

        said = clean(engine_error(engine.name or "", engine.error or "failed"))
        keys = "r retry · o switch to the offline engine" if can_go_offline(engine.name) else (
            "r retry")
        return f"✗ {said}\n{keys}"
    return reasons_line(iv.notice, iv.current.why if iv.current is not None else "")


def reasons_line(notice: str, why: str) -> str:
    """The last notice (e.g. the default chosen for a deferral) and why this question."""
    parts = [clean(notice)] if notice else []
    if why:
        parts.append(f"Why: {clean(why)}")
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


class QuestionPane(VerticalScroll):
    """Round header, profile line, notes and the question itself. A question longer than the
    pane (an agent that writes its context first) scrolls: the pane then takes the focus (q,
    Tab) and ↑↓ / PgUp / PgDn / Home / End read the rest."""

    DEFAULT_CLASSES = "pane"

    def overflows(self) -> bool:
        return self.max_scroll_y > 0

    def allow_focus(self) -> bool:
        return self.overflows()

    def compose(self) -> ComposeResult:
        yield Static(id="q-header", markup=False)
        yield Static(id="q-note", markup=False)
        yield Static(id="q-text", markup=False)
        yield Static(id="q-engine", markup=False)

    def on_mount(self) -> None:
        self.border_title = "Interview"
        self._session: Session | None = None
        self._meta: list[str] = []
        # The elapsed time of a thinking engine moves every second.
        self.set_interval(1.0, self._tick)

    def _tick(self) -> None:
        if not is_live(self):  # the interval can fire while the app takes the pane down
            return
        if self._session is not None and self._session.interview.engine.status == "thinking":
            self._engine()

    def _engine(self) -> None:
        assert self._session is not None
        live = self._session.interview.engine.status in ("thinking", "error")
        self._engine_text(engine_line(self._session), live=live)

    def _engine_text(self, text: str, *, live: bool = False) -> None:
        line = self.query_one("#q-engine", Static)
        show(line, safe_text(text))
        line.display = bool(text)
        # A running or failed round's line is docked at the pane's bottom: a question longer
        # than the pane (at 80x24 the overview) would otherwise scroll it, and the error's
        # r / o keys, out of sight.
        line.set_class(live, "-live")

    def on_resize(self) -> None:
        self._title()

    def _title(self) -> None:
        """Profile, threshold, rounds, type and stage ride in the border title (no extra row
        at 80x24), as many whole parts as the width allows."""
        if not self._meta:
            return
        room = self.size.width - len("Interview") - 6  # the rule's corners and the gap
        meta = fit_parts(self._meta, room)
        self.border_title = Content.assemble(("Interview", "bold"), ("  " + meta, ""))

    def _question(self, header: str, note: str, question: str) -> None:
        show(self.query_one("#q-header", Static), safe_text(header))
        self._title()
        widget = self.query_one("#q-note", Static)
        show(widget, safe_text(note))
        widget.display = bool(note.strip())
        show(self.query_one("#q-text", Static), safe_text(question))

    def show_saved(self, saved: SavedPending) -> None:
        """The saved question, before the store has loaded (session_file's peek): the same
        lines `show_session` draws for it, so the store's render changes nothing visible."""
        self._meta = meta_parts(
            saved.profile, saved.threshold, saved.max_rounds, saved.type, saved.stage
        )
        header = headline(
            saved.ambiguity, phase=saved.phase, round=saved.round, dimension=saved.dimension
        )
        self._question(header, saved.note, saved.question.question)
        self._engine_text(reasons_line(saved.notice, saved.why))

    def show_session(self, session: Session) -> None:
        iv = session.interview
        pending = iv.current
        self._session = session
        self._meta = meta_parts(iv.profile, iv.threshold, iv.max_rounds, iv.type, iv.stage)
        question = pending.question.question if pending is not None else no_question_line(session)
        self._question(header_line(session), pending.note if pending is not None else "", question)
        self._engine()

    def show_message(self, message: str) -> None:
        """A one-off line in place of the question (e.g. engine unavailable)."""
        show(self.query_one("#q-text", Static), safe_text(message))
