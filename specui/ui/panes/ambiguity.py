"""The ambiguity pane: seed 004's weighted dimensions, the total against the threshold, the
readiness gates and the next focus (specui/ui/widgets/ambiguity_table.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from specui.ui.panes.base import Pane

if TYPE_CHECKING:
    from specui.store import Session
    from specui.ui.widgets.ambiguity_table import AmbiguityView


class Ambiguity(Pane):
    key = "ambiguity"
    title = "Ambiguity"
    label = "Ambiguity"
    letter = "a"
    fkey = "f2"
    column = "main"
    order = 10

    widget: AmbiguityView

    def build(self) -> AmbiguityView:
        from specui.ui.widgets.ambiguity_table import AmbiguityView

        return AmbiguityView(id=self.key, classes="pane")

    def show_session(self, session: Session) -> None:
        self.widget.show_session(session)
