"""The runner pane's modals: pick a phase, pick a past run, type a log search, the handoff.

Yes/no questions use the shared `ConfirmScreen` (screens/confirm.py). Every text shown here
comes from files, logs or the runner and is data: it goes through `safe_text`, never markup.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from specui.core.orchestrator import run_outcome
from specui.handoff import HANGING, WARNING, row_line
from specui.ui.widgets.safe_text import safe_text

__all__ = [
    "STATUS_ICON",
    "STATUS_STYLE",
    "HandoffScreen",
    "LogSearchScreen",
    "PastRunsScreen",
    "PhasePickerScreen",
]

STATUS_STYLE = {
    "pending": "dim",
    "running": "bold yellow",
    "done": "bold green",
    "failed": "bold red",
    "stopped": "magenta",
}
STATUS_ICON = {"pending": "·", "running": "●", "done": "✓", "failed": "✗", "stopped": "■"}
# An implement run that ended well with tasks open (run_outcome): not a ✓, implement goes on.
OPEN_ICON, OPEN_STYLE = "◐", "yellow"


HANDOFF_KEYS = ("1: run the Spec Kit phases here · 2–6: start that lane in the runner · "
                "7: refine further · ↑↓/PgDn: scroll · Esc: close")


class _RunnerModal(ModalScreen[Any]):
    CSS_PATH = str(Path(__file__).with_name("runner.tcss"))
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="runner.modal.cancel"),
    ]

    def action_cancel(self) -> None:
        self.dismiss(None)


class PhasePickerScreen(_RunnerModal):
    """Choose one phase to run (arrows + Enter, or its number; Esc cancels). `rows` are
    (phase, status, note) as the runner reports them."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *_RunnerModal.BINDINGS,
        *[Binding(str(n), f"pick({n - 1})", f"Phase {n}", show=False) for n in range(1, 10)],
    ]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self._rows = rows

    def compose(self) -> ComposeResult:
        options = []
        for n, (phase, status, note) in enumerate(self._rows, start=1):
            prompt = Text(f"{n}. ")
            prompt.append(f"{phase:<13}", style="bold")
            prompt.append(f"{STATUS_ICON.get(status, '?')} {status}",
                          style=STATUS_STYLE.get(status, ""))
            if note:  # its own line under the name: wrapped beside it, it read as a row
                prompt.append(f"\n   {note}", style="dim")
            options.append(Option(prompt, id=phase))
        with Vertical(id="runner-modal"):
            yield Label(Text("Run which phase?", style="bold"))
            yield OptionList(*options, id="runner-modal-list")

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_pick(self, index: int) -> None:
        if index < len(self._rows):
            self.dismiss(self._rows[index][0])


class PastRunsScreen(_RunnerModal):
    """Every recorded run, newest first; Enter opens its log in the runner's view. The first
    entry goes back to following the current run. Dismissed with the chosen run itself, ""
    for the current run, None on Esc."""

    def __init__(self, runs: list[Any]) -> None:
        super().__init__()
        self._runs = runs

    def compose(self) -> ComposeResult:
        options = [Option(Text("↺ follow the current run", style="italic"), id="")]
        outcomes = [run_outcome(run.phase, run.status, run.tasks_done, run.tasks_total)
                    for run in self._runs]
        width = max((len(outcome) for outcome in outcomes), default=0)
        for run, outcome in zip(self._runs, outcomes, strict=True):
            started = run.started_at.astimezone().strftime("%Y-%m-%d %H:%M") \
                if run.started_at else "—"
            line = Text()
            line.append(f"{run.phase:<13}", style="bold")
            if outcome == run.status:
                icon, style = STATUS_ICON.get(run.status, "?"), STATUS_STYLE.get(run.status, "")
            else:
                icon, style = OPEN_ICON, OPEN_STYLE
            line.append(f"{icon} {outcome:<{max(width, 8)}}", style=style)
            line.append(f" {started}\n")
            line.append_text(safe_text(run.log or "(no log)", style="dim"))
            # By row, not by run id: option ids must be unique, and a session may hold one run
            # id twice (two processes that started in the same second without a claim).
            options.append(Option(line, id=f"run-{len(options) - 1}"))
        with Vertical(id="runner-modal"):
            yield Label(Text("Past runs (Enter: show its log)", style="bold"))
            yield OptionList(*options, id="runner-modal-list")

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        row = event.option.id or ""
        self.dismiss(self._runs[int(row.removeprefix("run-"))] if row else "")


class LogSearchScreen(_RunnerModal):
    """Type what to find in the whole log on disk (smart case: all lower case matches any
    case). Enter searches, Esc cancels."""

    def __init__(self, previous: str = "") -> None:
        super().__init__()
        self._previous = previous

    def compose(self) -> ComposeResult:
        with Vertical(id="runner-modal"):
            yield Label(Text("Search the log (then n / N: next / previous match)",
                             style="bold"))
            yield Input(value=self._previous, placeholder="text to find", id="runner-search")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)


class HandoffScreen(_RunnerModal):
    """The result of `specui handoff` and seed 004's options: 1 runs the Spec Kit phases here
    (constitution first), 2–6 start that OMX lane in the runner as a `codex exec` run, 7
    re-enters the interview (refine further), Esc closes (the invocations stay on screen to
    copy)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *_RunnerModal.BINDINGS,
        *[Binding(str(n), f"choose({n - 1})", f"Lane {n}", show=False) for n in range(1, 8)],
    ]

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__()
        self._data = data

    def compose(self) -> ComposeResult:
        data = self._data
        # Scrolls with the keys (it is taller than 80x24); the keys line stays near the top.
        with VerticalScroll(id="runner-modal", classes="-wide"):
            yield Label(Text("Handoff: from SPEC.md to the build", style="bold"))
            yield Static(Text(HANDOFF_KEYS, style="dim"), id="handoff-keys")  # wraps
            if data.get("residual_risk"):
                yield Static(safe_text(f"⚠ Residual risk (travels with every option): "
                                       f"{data['residual_risk']}", style="bold yellow"))
            if data.get("unfinished"):
                yield Static(safe_text(f"⚠ {data['unfinished']}", style="bold yellow"),
                             id="handoff-unfinished")
            for row in data["rows"]:
                if row["kind"] == WARNING:  # shown above
                    continue
                if row["kind"] not in HANGING:
                    yield Static(safe_text(row_line(row)), classes="handoff-line")
                    continue
                # A wrapped value hangs under its column, not at the dialog's edge (a wrapped
                # diff line there would read as a context line of its own).
                with Horizontal(classes="handoff-field"):
                    yield Static(safe_text(row["lead"]), classes="handoff-field-name")
                    yield Static(safe_text(row["text"]), classes="handoff-field-value")

    def action_choose(self, index: int) -> None:
        lanes = self._data["lanes"]
        if index < len(lanes):
            self.dismiss(lanes[index]["key"])
