"""The SPEC.md pane: the tracked units with their status and the selected one rendered
(specui/ui/widgets/spec_view.py). SPEC.md is read off the event loop by the workbench."""

from __future__ import annotations

from typing import TYPE_CHECKING

from specui.ui.panes.base import Pane

if TYPE_CHECKING:
    from textual.widget import Widget

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

    def build(self) -> SpecView:
        from specui.ui.widgets.spec_view import SpecView

        return SpecView(id=self.key)

    def spec_loaded(self, snapshot: SpecSnapshot) -> None:
        self.widget.show_snapshot(snapshot)

    def focus_target(self) -> Widget | None:
        return self.widget.query_one("#units")

    @property
    def selected(self) -> str:
        return self.widget.selected
