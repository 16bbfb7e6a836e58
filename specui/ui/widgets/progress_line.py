"""`Spec Creation Progress: ██████░░░░░░ 50%`, always visible (docked at the top)."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from specui.ui.widgets.safe_text import clean


class ProgressLine(Static):
    def __init__(self, project_name: str = "", **kwargs) -> None:
        super().__init__(markup=False, **kwargs)
        self.project_name = project_name
        self.percent: int | None = None

    def set_percent(self, percent: int) -> None:
        if percent == self.percent:
            return
        self.percent = percent
        from specui.core.progress import progress_line

        parts: list[str | tuple[str, str]] = [(progress_line(percent), "bold")]
        if self.project_name:
            parts.append(("   " + clean(self.project_name), "$text-muted"))
        self.update(Content.assemble(*parts))
