"""`Spec Creation Progress: ██████░░░░░░ 50%`, always visible (docked at the top).

It also carries the one thing that must not go unnoticed while the user looks elsewhere: SPEC.md
conflicts waiting for a decision (`⚠ 2 SPEC.md conflicts · C`), until they are resolved."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from specui.ui.widgets.safe_text import clean


class ProgressLine(Static):
    def __init__(self, project_name: str = "", **kwargs) -> None:
        super().__init__(markup=False, **kwargs)
        self.project_name = project_name
        self.percent: int | None = None
        self.conflicts = 0
        self.tally = ""  # `3 final · 5 clarified · 6 drafted · 4 unknown`: moves every round
        self._show()

    def set_percent(self, percent: int) -> None:
        if percent != self.percent:
            self.percent = percent
            self._show()

    def on_resize(self) -> None:
        self._show()

    def set_tally(self, tally: str) -> None:
        if tally != self.tally:
            self.tally = tally
            self._show()

    def set_conflicts(self, count: int) -> None:
        if count != self.conflicts:
            self.conflicts = count
            self._show()

    def _show(self) -> None:
        """`percent` None: the first frame, before SPEC.md has been read (shown as `…`)."""
        from specui.core.progress import PREFIX, progress_bar, progress_line

        percent = self.percent
        line = progress_line(percent) if percent is not None else f"{PREFIX}{progress_bar(0)} …"
        width = self.content_region.width
        plural = "s" if self.conflicts > 1 else ""
        conflict = f"  ⚠ {self.conflicts} SPEC.md conflict{plural} · C" if self.conflicts else ""
        tally = f"  {self.tally}" if self.tally else ""
        name = f"   {clean(self.project_name)}" if self.project_name else ""
        # Too wide (80 columns), in turn: the tally becomes `3f 5c 6d 4u`, the project name
        # goes, the notice becomes `⚠ 1 conflict · C`; the progress and a notice always stay.
        if width and len(line + conflict + tally + name) > width and self.tally:
            tally = "  " + " ".join(
                f"{n}{word[0]}" for n, word in (t.split() for t in self.tally.split(" · "))
            )
        if width and len(line + conflict + tally + name) > width:
            name = ""
        if width and len(line + conflict + tally + name) > width and conflict:
            conflict = f"  ⚠ {self.conflicts} conflict{plural} · C"
        parts: list[tuple[str, str]] = [(line, "bold")]
        if conflict:
            parts.append((conflict, "bold $text-warning"))
        if tally:
            parts.append((tally, "$text-muted"))
        if name:
            parts.append((name, "$text-muted"))
        self.update(Content.assemble(*parts))
