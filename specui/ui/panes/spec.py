"""The SPEC.md pane: the tracked units with their status and the selected one rendered
(specui/ui/widgets/spec_view.py). SPEC.md is read off the event loop by the workbench."""

from __future__ import annotations

from typing import TYPE_CHECKING

from specui.ui.panes.base import Pane

if TYPE_CHECKING:
    from textual.widget import Widget

    from specui.store import Session
    from specui.ui.widgets.spec_view import SpecSnapshot, SpecView


class Spec(Pane):
    key = "spec"
    title = "SPEC.md"
    label = "SPEC"
    letter = "s"
    fkey = "f3"
    column = "side"
    order = 20

    widget: SpecView
    _asked: tuple[str, int, str] | None = None  # the question whose section was last shown

    def build(self) -> SpecView:
        from specui.ui.widgets.spec_view import SpecView

        return SpecView(id=self.key)

    def show_session(self, session: Session) -> None:
        """A new question about one section (its target unit, or the section a validation
        step reviews) selects that section once; the user's own selection stands until the
        next question."""
        pending = session.interview.current
        if pending is None:
            return
        unit = pending.target_units[0] if pending.target_units else (
            pending.dimension if pending.phase == "validation" else None
        )
        asked = (pending.phase, pending.round, pending.question.question)
        if unit is None or asked == self._asked:
            return
        self._asked = asked
        self.widget.follow(unit)

    def spec_loaded(self, snapshot: SpecSnapshot) -> None:
        self.widget.show_snapshot(snapshot)

    def focus_target(self) -> Widget | None:
        return self.widget.query_one("#units")

    @property
    def selected(self) -> str:
        return self.widget.selected
