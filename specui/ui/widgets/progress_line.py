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
        self._show(None)

    def set_percent(self, percent: int) -> None:
        if percent == self.percent:
            return
        self.percent = percent
        self._show(percent)

    def _show(self, percent: int | None) -> None:
        """`percent` None: the first frame, before SPEC.md has been read (shown as `…`)."""
        from specui.core.progress import PREFIX, progress_bar, progress_line

        line = progress_line(percent) if percent is not None else f"{PREFIX}{progress_bar(0)} …"
        parts: list[str | tuple[str, str]] = [(line, "bold")]
        if self.project_name:
            parts.append(("   " + clean(self.project_name), "$text-muted"))
        self.update(Content.assemble(*parts))
