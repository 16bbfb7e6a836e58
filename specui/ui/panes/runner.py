"""The runner pane: Spec Kit phases, the active run's vitals and its live log
(specui/ui/widgets/runner_pane.py, which displays what specui/runner decides).

The real pane pulls in process code: it is mounted just after the first frame with the session,
a placeholder line holds its place until then. Its keys are declared here, in the action table;
`RunnerPane.BINDINGS` is built from them, so they act while focus is inside the pane, and the
palette runs them from anywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from specui.ui.actions import UIAction
from specui.ui.panes.base import Pane

if TYPE_CHECKING:
    from pathlib import Path

    from textual.containers import Vertical
    from textual.widget import Widget

    from specui.store import Session
    from specui.ui.services.watcher import ProjectWatcher

PLACEHOLDER = "no phase running"


def _runner(id_: str, keys: str, action: str, label: str, title: str) -> UIAction:
    return UIAction(id_, keys, action, label, title, "Runner", scope="runner")


class Runner(Pane):
    key = "runner"
    title = "Runner"
    label = "Runner"
    letter = "r"
    fkey = "f4"
    column = "side"
    order = 30
    # Upper case where the workbench already uses the lower-case key (x: exit early,
    # a: ambiguity) and for the actions that interrupt a run.
    actions = (
        _runner("runner.run_next", "n", "run_next", "Run next", "Run the next phase"),
        _runner("runner.choose_phase", "p", "choose_phase", "Run phase…", "Run a chosen phase…"),
        _runner("runner.stop", "X", "stop", "Stop", "Stop the running phase"),
        _runner("runner.continue", "c", "continue_implement", "Continue",
                "Continue implement (remaining tasks)"),
        _runner("runner.auto_continue", "A", "toggle_auto_continue", "Auto-cont.",
                "Toggle auto-continue (implement)"),
        _runner("runner.restart", "R", "restart", "Restart", "Restart the phase"),
        _runner("runner.past_runs", "L", "past_runs", "Runs…", "Past runs: open an earlier log"),
        _runner("runner.search", "slash", "search_log", "Search", "Search the whole log (n/N)"),
        _runner("runner.approve_gate", "Y", "approve_gate", "Approve",
                "Approve the Spec Kit workflow gate"),
        _runner("runner.reject_gate", "D", "reject_gate", "Reject",
                "Reject the Spec Kit workflow gate"),
        _runner("runner.handoff", "H", "handoff", "Handoff",
                "Handoff: draft orchestrator/input from SPEC.md, choose how to build"),
    )

    widget: Vertical

    def build(self) -> Vertical:
        from textual.containers import Vertical
        from textual.widgets import Static

        from specui.ui.widgets.safe_text import safe_text

        host = Vertical(
            Static(safe_text(PLACEHOLDER), id="runner-placeholder"), id=self.key, classes="pane"
        )
        host.border_title = self.title
        return host

    def started(self) -> None:
        self.screen.call_after_refresh(self._mount_real_pane)

    def _mount_real_pane(self) -> None:
        from specui.ui.widgets.runner_pane import RunnerPane

        app = self.screen.app
        if not self.widget.is_attached or app._exit:
            return
        try:
            pane = RunnerPane(app.project, app.store, app.config.runner)
        except Exception as exc:  # noqa: BLE001 - a broken runner must not take the interview down
            app.notify(f"phase runner unavailable: {exc}", severity="error", timeout=10)
            return
        self.widget.query("#runner-placeholder").remove()
        self.widget.mount(pane)

    def action_node(self) -> Widget | None:
        from specui.ui.widgets.runner_pane import RunnerPane

        panes = self.widget.query(RunnerPane)
        return panes.first() if panes else None

    def show_session(self, session: Session) -> None:
        """The store changed (a run started, ended, was recorded): the runner looks again."""
        node = self.action_node()
        if node is not None:
            node.refresh_now()  # type: ignore[attr-defined]

    def files_changed(self, paths: frozenset[Path], watcher: ProjectWatcher) -> None:
        """The active feature's tasks.md changed (or another feature became active): the runner
        re-counts. Until the real pane is mounted there is nothing to do (it counts on mount)."""
        node = self.action_node()
        if node is not None and watcher.touches_tasks(paths):
            node.tasks_changed()  # type: ignore[attr-defined]
