"""Seed 000's finish: the 100% progress line, a clear completion message, where SPEC.md lives,
and a brief checklist of what it holds (plus seed 004's artifacts and residual risk)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from specui.ui.widgets.question_pane import percent
from specui.ui.widgets.safe_text import clean

if TYPE_CHECKING:
    from pathlib import Path

    from specui.store import Session
    from specui.ui.widgets.spec_view import SpecSnapshot


# Seed 004's execution bridge, offered where the interview ends (the runner pane's H key,
# also in the palette from anywhere; `specui handoff` on the command line). It comes right
# under the outcome, above the recap: at 80x24 the recap scrolls and its end is off screen.
HANDOFF_HINT = Content.styled(
    "Next: hand off — r then H drafts orchestrator/input from SPEC.md and offers the Spec Kit "
    "phases here, $ultragoal, $ralplan, $autopilot, $ralph or $team (or `specui handoff`).",
    "bold $accent",
)
# Seed 004's other way on: the interview re-entered for a pass on what is least clear.
REFINE_HINT = Content.styled(
    "Or refine further: e re-enters the interview on what is least clear (a new pass of "
    "rounds; `specui interview --refine`).",
    "$accent",
)


def finish_content(session: Session, snapshot: SpecSnapshot | None, spec_path: Path) -> Content:
    from specui.core.progress import PREFIX, progress_line

    iv = session.interview
    pct = snapshot.percent if snapshot is not None else 0
    engine_message = iv.finish_message
    if engine_message.strip():
        # The engine wrote seed 000's finish message (with its recap) and its 100% line: show
        # the recap as written under the live progress line instead, which follows a later
        # un-finalize; the sections that are no longer final are named above the recap.
        recap = [line for line in engine_message.splitlines() if not line.startswith(PREFIX)]
        while recap and not recap[-1].strip():
            recap.pop()
        lines = [Content.styled(progress_line(pct), "bold")]
        if snapshot is not None and snapshot.units:
            reopened = [
                clean(u.title) for u in snapshot.units
                if snapshot.statuses.get(u.key, "unknown") != "final"
            ]
            if reopened:
                lines.append(
                    Content.styled(
                        f"Since the finish, no longer final: {', '.join(reopened)} (f in the "
                        "SPEC.md pane finalizes a section).",
                        "bold $warning",
                    )
                )
        return Content("\n").join(
            [*lines, HANDOFF_HINT, REFINE_HINT, Content(clean("\n".join(recap)))]
        )
    lines: list[Content] = [Content.styled(progress_line(pct), "bold")]
    if iv.end_reason == "hard_cap":
        lines.append(
            Content.styled(
                f"The interview stopped at the hard cap of {iv.max_rounds} rounds: the spec "
                "carries a residual-risk warning.",
                "bold $warning",
            )
        )
    elif iv.end_reason == "validation_cap":
        lines.append(
            Content.styled(
                "The validation pass ended with sections still below clarified: the spec "
                "carries a residual-risk warning.",
                "bold $warning",
            )
        )
    elif iv.status == "crystallized":
        lines.append(
            Content.styled("The spec is complete: the interview has crystallized.", "bold $success")
        )
    else:
        lines.append(
            Content.styled(
                "The interview ended early: the spec carries a residual-risk warning.",
                "bold $warning",
            )
        )
    lines.append(HANDOFF_HINT)
    lines.append(REFINE_HINT)
    # The folder name, not the absolute path: short, and the same on every machine.
    where = f"{spec_path.parent.name}/{spec_path.name}"
    lines.append(Content(f"SPEC.md lives at the repo root: {clean(where)}"))
    # Interview rounds and validation steps apart, as the recap and `specui status` count them.
    steps = f" · validation steps: {iv.validation_steps}" if iv.validation_steps else ""
    lines.append(
        Content(
            f"Rounds: {iv.rounds_done}{steps} · ambiguity {percent(iv.ambiguity)}% "
            f"(threshold {percent(iv.threshold)}%) · profile {clean(iv.profile)}"
        )
    )
    if snapshot is not None and snapshot.units:
        # The SPEC.md view's glyphs, imported here: the finish view is mounted (hidden) with the
        # first question, which does not need that module.
        from specui.ui.widgets.spec_view import STATUS_GLYPH, STATUS_STYLE

        lines.append(Content.styled("What SPEC.md holds:", "bold"))
        for unit in snapshot.units:
            status = snapshot.statuses.get(unit.key, "unknown")
            lines.append(
                Content.assemble(
                    "  ",
                    (STATUS_GLYPH.get(status, "?") + " ", STATUS_STYLE.get(status, "")),
                    clean(unit.title),
                    (f"  {status}", "$text-muted"),
                )
            )
    if iv.artifacts:
        lines.append(Content.styled("Artifacts:", "bold"))
        for name, path in sorted(iv.artifacts.items()):
            lines.append(Content(f"  {clean(name)}: {clean(path)}"))
    for warning in iv.warnings:
        lines.append(Content.styled(clean(warning), "$warning"))
    return Content("\n").join(lines)


class FinishView(VerticalScroll):
    DEFAULT_CLASSES = "pane"
    can_focus = True

    def compose(self):
        yield Static(id="finish-body", markup=False)

    def on_mount(self) -> None:
        self.border_title = "Done"

    def show(self, session: Session, snapshot: SpecSnapshot | None, spec_path: Path) -> None:
        self.query_one("#finish-body", Static).update(finish_content(session, snapshot, spec_path))
