"""`RunnerPane`: the phase runner inside the workbench — it shows, the runner decides.

A Spec Kit phase runs for 10–30 minutes and the user should not have to babysit it. So the pane
answers, at a glance: which phases are done, what is running, for how long, when it last made
progress, how far implement has got in tasks.md and roughly how long is left — and makes a
stalled run impossible to miss, with stop/restart one key away. It also lists Spec Kit's own
workflow runs and lets a run paused at a gate be approved or rejected.

The pane decides nothing. What it shows comes from one `PhaseManager.view()` call (phases and
their truth, the run to show, its vitals — stall, ETA and task progress as the supervisor and
specui/runner/vitals.py work them out for headless `specui run` too — and the workflow runs);
what it does goes through the manager (start, stop, decide_gate, start_lane). That call stats
files and may block, so it runs in a thread worker, at most one at a time. The log is a
`LogView` tailing the run's log file: closing the workbench never touches the run, and
reopening it reattaches. Modals are in specui/ui/screens/ (runner.py, confirm.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from specui.core.codex_events import is_json_command, render_event
from specui.core.config import RunnerConfig
from specui.core.errors import SpecuiError
from specui.core.orchestrator import REQUIRED_INPUT_PHASES, continue_message, run_outcome
from specui.core.paths import Project
from specui.runner.manager import PhaseManager, RunnerView
from specui.runner.vitals import fmt_duration
from specui.ui.actions import bindings
from specui.ui.lifecycle import is_live
from specui.ui.screens.confirm import ConfirmScreen
from specui.ui.screens.runner import (
    STATUS_ICON,
    STATUS_STYLE,
    HandoffScreen,
    LogSearchScreen,
    PastRunsScreen,
    PhasePickerScreen,
)
from specui.ui.widgets.log_view import LogView, footer_is_narrow
from specui.ui.widgets.static_text import show

__all__ = ["CSS_PATH", "RunnerPane"]

CSS_PATH = Path(__file__).with_name("runner_pane.tcss")
"""Styles of the pane: add to the app's `CSS_PATH` list (its modals load their own)."""

# Left out of a narrow footer unless needed now (RunnerPane.footer_shows).
_NARROW_OPTIONAL = frozenset({"choose_phase", "continue_implement", "toggle_auto_continue",
                              "restart", "past_runs", "search_log", "handoff"})


class RunnerPane(Vertical):
    """Phases with their status, the shown run's vitals, its live log, and the run controls.

    Public methods (bindings and the command palette): `run_next`, `choose_phase`,
    `run_phase`, `stop`, `continue_implement`, `toggle_auto_continue`, `restart`,
    `past_runs`, `search_log`, `approve_gate`, `reject_gate`, `handoff`, `tasks_changed`,
    `refresh_now`.
    """

    # The keys are declared with the runner pane in the workbench's action table
    # (specui/ui/panes/runner.py): footer, palette, help and [keys] remapping share them.
    BINDINGS: ClassVar[list[BindingType]] = bindings("runner")

    class RunFinished(Message):
        """A run this pane saw running has ended (done/failed/stopped)."""

        def __init__(self, run: Any) -> None:
            super().__init__()
            self.run = run

    def __init__(
        self,
        project: Project,
        store: Any,
        runner_config: RunnerConfig | None,
        *,
        manager: PhaseManager | None = None,
        clock: Callable[[], datetime] | None = None,
        refresh_interval: float = 1.0,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.project = project
        self.store = store
        self.runner_config = runner_config or RunnerConfig()
        self.manager = manager or PhaseManager(project, store, self.runner_config)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._refresh_interval = refresh_interval
        self._rv: RunnerView | None = None
        # A command pressed before the first view came back runs when it arrives (it needs to
        # know which phase is next); saying "every phase is done" then would be false.
        self._waiting_for_view: Callable[[], None] | None = None
        self._shown_run_id: str | None = None
        self._pinned_run: Any = None  # a past run the user chose to look at
        self._current_id: str | None = None  # the runner's current run when last rendered
        self._seen_running: set[str] = set()
        self._finished_notified: set[str] = set()
        self._stall_notified: set[str] = set()  # one toast per run (the flag itself never flaps)
        self._refreshing = False
        self._refresh_again = False

    # --- composition & lifecycle --------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="runner-phases", markup=False)
        yield Static(id="runner-status", markup=False)
        yield Static(id="runner-stall", markup=False)
        yield Static(id="runner-workflows", markup=False)
        yield LogView(id="runner-log")
        yield Static(id="runner-tail", markup=False)

    def on_mount(self) -> None:
        # Store changes arrive as the workbench's StoreChanged (panes/runner.py `show_session`
        # calls `refresh_now`); the interval catches what only the pid/status files show.
        # Both wait for the end of this handler: Textual sets is_mounted only after on_mount,
        # and both do nothing before it (the first view came a refresh interval late).
        self.call_later(self._render_all)
        self.call_later(self.refresh_now)  # reattach: reconcile, show the log so far
        self.set_interval(self._refresh_interval, self.refresh_now, name="runner-refresh")

    @property
    def log_view(self) -> LogView:
        return self.query_one("#runner-log", LogView)

    @property
    def runner_view(self) -> RunnerView | None:
        """What the pane shows now (None until the first refresh came back)."""
        return self._rv

    # --- refreshing (thread worker) -----------------------------------------------------------

    def refresh_now(self) -> None:
        """Ask the runner for a fresh view (also every second). Never blocks the UI; calls
        while one is under way ask for one more afterwards. Safe from any thread."""
        if not is_live(self):
            return
        if threading.get_ident() != getattr(self.app, "_thread_id", threading.get_ident()):
            self.app.call_from_thread(self.refresh_now)
            return
        if self._refreshing:
            self._refresh_again = True
            return
        self._refreshing = True
        self._refresh_worker()

    def tasks_changed(self, *_paths: object) -> None:
        """tasks.md changed on disk (the workbench's watcher calls this): count again now."""
        self.refresh_now()

    @work(thread=True, group="runner-refresh", exit_on_error=False)
    def _refresh_worker(self) -> None:
        error: str | None = None
        view: RunnerView | None = None
        try:
            view = self.manager.view()
        except SpecuiError as exc:
            error = exc.message
        except Exception as exc:  # noqa: BLE001 - a refresh failure must not kill the pane
            error = f"runner refresh failed: {type(exc).__name__}: {exc}"
        try:
            self.app.call_from_thread(self._apply_view, view, error)
        except RuntimeError:  # the app is shutting down
            self._refreshing = False

    def _apply_view(self, view: RunnerView | None, error: str | None) -> None:
        self._refreshing = False
        if not is_live(self):  # quit meanwhile: no toast, and no command waiting for the view
            return
        if error:
            self.notify(error, severity="error", timeout=6)
        if view is not None:
            self._rv = view
            self._render_all()
            waiting, self._waiting_for_view = self._waiting_for_view, None
            if waiting is not None:
                waiting()
        if self._refresh_again:
            self._refresh_again = False
            self.refresh_now()

    # --- what is shown ----------------------------------------------------------------------

    def _running_run(self) -> Any:
        view = self._rv
        current = view.current if view is not None else None
        return current if current is not None and current.status == "running" else None

    def _stalled(self) -> bool:
        view = self._rv
        return bool(view and view.vitals and view.vitals.stalled)

    def _shown_run(self) -> Any:
        """The pinned past run if the user chose one, else the current run."""
        view = self._rv
        if view is None:
            return None
        if self._pinned_run is not None:
            for run in self.manager.past_runs():
                if _same_run(run, self._pinned_run):
                    return run
        return view.current

    def _render_all(self) -> None:
        if not is_live(self):
            return
        view = self._rv
        run = view.current if view is not None else None
        self._note_transitions()
        current_id = run.run_id if run is not None else None
        if current_id != self._current_id:
            self._current_id = current_id
            if run is not None and run.status == "running":
                self._pinned_run = None  # a new run started: show it
        self._attach_log(self._shown_run())
        stalled = self._stalled()
        gate = self._gate()
        self.set_class(stalled, "-stalled")
        self.set_class(run is not None and run.status == "running", "-running")
        self.set_class(gate is not None, "-gate")
        show(self.query_one("#runner-phases", Static), self._phases_text(stalled))
        show(self.query_one("#runner-status", Static), self._status_text())
        stall = self.query_one("#runner-stall", Static)
        stall.display = stalled
        if stalled:
            stall.update(self._stall_text())
            self._note_stall()
        if gate is not None:
            self.query_one("#runner-workflows", Static).update(self._gate_text(gate))
        self._render_tail()
        self.refresh_bindings()

    def _attach_log(self, run: Any) -> None:
        if run is None:
            if self._shown_run_id is not None:
                self._shown_run_id = None
                self.log_view.open(None)
            return
        if run.run_id == self._shown_run_id or not run.log:
            return
        self._shown_run_id = run.run_id
        transform = render_event if is_json_command(list(run.command or [])) else None
        self.log_view.open(self.manager.log_path(run), transform=transform)

    def _note_transitions(self) -> None:
        """Tell the user when a run they saw running ends — even if they look elsewhere."""
        for run in getattr(self.store.state, "runs", []):
            if run.status == "running":
                self._seen_running.add(run.run_id)
            elif run.run_id in self._seen_running and run.run_id not in self._finished_notified:
                self._finished_notified.add(run.run_id)
                severity = "information" if run.status == "done" else "warning"
                code = f" (exit {run.exit_code})" if run.exit_code is not None else ""
                note = f": {run.message}" if run.message else ""
                outcome = self._outcome(run)
                more = " · c continues" if outcome.startswith("implement ended") else ""
                self.notify(f"{outcome}{code}{note}{more}", title="Phase finished",
                            severity=severity, timeout=10)
                if self.runner_config.notify:
                    self.app.bell()
                self.post_message(self.RunFinished(run))

    def _outcome(self, run: Any) -> str:
        """"<phase> <status>", except that an implement run which ended well with tasks open
        did not get implement done (orchestrator.phase_state keeps it pending; `c` goes on)."""
        view = self._rv
        if run.phase != "implement" or run.status != "done" or view is None:
            return f"{run.phase} {run.status}"
        vitals = view.vitals
        if vitals is not None and vitals.run_id == run.run_id and vitals.tasks_total:
            left = vitals.tasks_total - (vitals.tasks_done or 0)
            if left > 0:
                return f"implement ended with {left} task{'s' if left > 1 else ''} open"
            return "implement done"
        row = next((r for r in view.rows if r.run is not None and r.run.run_id == run.run_id),
                   None)
        if row is not None and row.run.status == "done" and row.status != "done":
            return "implement ended, not done"
        return "implement done"

    def _note_stall(self) -> None:
        """Say once per run that it stalled, and what happens now ([runner] on_stall)."""
        vitals = self._rv.vitals if self._rv is not None else None
        if vitals is None or vitals.run_id in self._stall_notified:
            return
        self._stall_notified.add(vitals.run_id)
        what = {"notify": "X stops it, R restarts it", "stop": "the runner stops it",
                "restart": "the runner restarts it"}[self.manager.on_stall]
        last = f"; last: {vitals.last_notice}" if vitals.last_notice else ""
        self.notify(f"{vitals.phase}: no progress for {fmt_duration(vitals.since_progress)}"
                    f"{last} — {what}", title="Phase stalled", severity="warning", timeout=15)
        if self.runner_config.notify:
            self.app.bell()

    def _phases_text(self, stalled: bool) -> Text:
        view = self._rv
        text = Text("Phases ", style="bold")
        running = self._running_run()
        for n, row in enumerate(view.rows if view is not None else []):
            if n:
                text.append(" → ", style="dim")
            icon = STATUS_ICON.get(row.status, "?")
            style = STATUS_STYLE.get(row.status, "")
            if running is not None and running.phase == row.name:
                icon, style = STATUS_ICON["running"], STATUS_STYLE["running"]
                if stalled:
                    icon, style = "⚠", "bold reverse red"
            text.append(f"{icon} {row.name}", style=style)
        return text

    def _status_text(self) -> Text:
        view = self._rv
        text = Text()
        run = view.current if view is not None else None
        vitals = view.vitals if view is not None else None
        shown = self._shown_run()
        if shown is not None and run is not None and not _same_run(shown, run):
            outcome = run_outcome(shown.phase, shown.status, shown.tasks_done, shown.tasks_total)
            text.append(f"viewing past run {shown.phase} {outcome} · L: runs", style="bold")
            if self._log_gone(shown):
                text.append(f" · {shown.log} is gone (deleted or moved)", style="bold red")
            else:
                text.append(f" · {shown.log}", style="dim")
            return text
        if run is None or run.status != "running" or vitals is None:
            text.append("no phase running", style="bold")
            if run is not None:
                code = f", exit {run.exit_code}" if run.exit_code is not None else ""
                ended = run.ended_at
                ago = ""
                if ended is not None:
                    moment = ended if ended.tzinfo else ended.replace(tzinfo=UTC)
                    ago = f" {fmt_duration((self._clock() - moment).total_seconds())} ago"
                text.append(f" · last: {self._outcome(run)}{code}{ago}", style="dim")
                if self._log_gone(run):
                    text.append(f" · {run.log} is gone (deleted or moved)", style="bold red")
            if view is not None and view.next_phase is not None:
                text.append(f" · next: {view.next_phase} (n)", style="dim")
            self._append_tasks(text)
            return text
        text.append(f"▶ {run.phase}", style="bold yellow")
        if vitals.attempt > 1:
            text.append(f" #{vitals.attempt}", style="yellow")
        text.append(f" · elapsed {fmt_duration(vitals.elapsed)}")
        if vitals.since_progress is None:  # the supervisor has not written its first status
            text.append(" · starting")
        else:
            text.append(f" · last progress {fmt_duration(vitals.since_progress)} ago")
        if vitals.unreachable:
            text.append(f" · ⚠ {vitals.unreachable}", style="bold red")
        self._append_tasks(text)
        if vitals.eta:
            text.append(f" · {vitals.eta}", style="cyan")
        return text

    def _log_gone(self, run: Any) -> bool:
        """An ended run's log is no longer there: the view would show an empty log as if the
        run had written nothing (a running run's log may not exist for a moment yet)."""
        return bool(run.log) and not (self.project.root / run.log).exists()

    def _stall_text(self) -> Text:
        """The banner says everything the status line would (on a small screen it replaces
        it, see runner_pane.tcss): which phase, how long without progress, the last notice
        (what the agent is waiting on), how long running, the way out."""
        view = self._rv
        assert view is not None and view.vitals is not None
        vitals = view.vitals
        text = Text(f"⚠ STALLED {vitals.phase} — no progress for "
                    f"{fmt_duration(vitals.since_progress)} · elapsed "
                    f"{fmt_duration(vitals.elapsed)}", style="bold")
        if vitals.last_notice:
            text.append(f" · last: {vitals.last_notice}")
        self._append_tasks(text)
        text.append(" · X: stop · R: restart", style="bold")
        return text

    def _append_tasks(self, text: Text) -> None:
        vitals = self._rv.vitals if self._rv is not None else None
        if vitals is not None and vitals.tasks_total:
            done, total = vitals.tasks_done or 0, vitals.tasks_total
            text.append(f" · tasks {done}/{total}", style="green" if done >= total else "")

    def _gate(self) -> Any:
        view = self._rv
        if view is None:
            return None
        return next((w for w in view.workflows if w.gate is not None), None)

    def _gate_text(self, workflow: Any) -> Text:
        gate = workflow.gate
        text = Text(f"⏸ Spec Kit workflow {workflow.workflow_id} ({workflow.run_id}) waits at "
                    f"gate {gate.step_id}: ", style="bold")
        text.append(gate.message)
        steps = " ".join(f"{STATUS_ICON.get(_step_icon(s.status), '·')}{s.id}"
                         for s in workflow.steps)
        if steps:
            text.append(f" · steps: {steps}", style="dim")
        text.append(" · Y: approve · D: reject", style="bold")
        return text

    def _render_tail(self) -> None:
        if not is_live(self):
            return
        view = self.log_view
        text = Text()
        if view.path is None:
            text.append("no log yet", style="dim")
        elif view.follow:
            text.append("⏵ following", style="green")
            text.append(f" · {view.line_count:,} lines", style="dim")
        else:
            text.append("⏸ paused", style="bold yellow")
            text.append(f" · {view.new_lines:,} new lines · End/G: follow", style="yellow")
        if view.search_needle:
            text.append("   search ")
            text.append_text(Text(repr(view.search_needle)))
            if view.searching:
                text.append(": searching…", style="dim")
            elif view.match_count:
                text.append(f": match {view.match_index + 1}/{view.match_count} · n/N · "
                            "Esc clears", style="cyan")
            else:
                text.append(": no match · Esc clears", style="yellow")
        auto = self._rv.auto_continue if self._rv is not None else \
            self.runner_config.auto_continue
        text.append("   auto-continue: ", style="dim")
        text.append("on" if auto else "off", style="bold green" if auto else "dim")
        # One row (runner_pane.tcss) whatever it says: no layout pass, as the line count
        # changes with every batch of lines a following log takes in.
        show(self.query_one("#runner-tail", Static), text, one_row=True)

    @on(LogView.TailChanged)
    @on(LogView.SearchChanged)
    def _tail_changed(self, event: Message) -> None:
        event.stop()
        self._render_tail()

    @on(LogView.SearchRequested)
    def _search_requested(self, event: Message) -> None:
        event.stop()
        self.search_log()

    # --- what the footer lists ----------------------------------------------------------------

    def footer_shows(self, action: str) -> bool:
        """What the footer lists (display only: every key works, and an action that cannot
        apply now says why). Below FULL_FOOTER_COLUMNS it leaves out what is not needed now,
        so the pane keys after the workbench's fit at 80 columns: Continue only when implement
        can be continued, Restart only for a stalled run, the gate keys only at a gate."""
        if self._unavailable(action) is not None:
            return False
        return not (action in _NARROW_OPTIONAL and footer_is_narrow(self)
                    and not self._wanted_in_narrow_footer(action))

    def _wanted_in_narrow_footer(self, action: str) -> bool:
        if action == "continue_implement":
            return self._rv is not None and self._rv.next_phase == "implement" and any(
                r.name == "implement" and r.run is not None for r in self._rv.rows)
        if action == "restart":
            return self._stalled()
        return False

    def on_resize(self) -> None:
        self.refresh_bindings()  # the footer may have crossed FULL_FOOTER_COLUMNS

    def _unavailable(self, action: str) -> str | None:
        """Why `action` cannot run now (None: it can)."""
        running = self._running_run()
        if action == "stop" and running is None:
            return "no phase running"
        if action in ("run_next", "choose_phase", "continue_implement", "handoff") and running:
            return f"{running.phase} is still running (X: stop)"
        # An implement run that ended with tasks open leaves its row "pending" by design:
        # that is the run `c` continues, so ask whether one exists, not what the row says.
        if action == "continue_implement" and self._rv is not None and not any(
            row.name == "implement" and row.run is not None for row in self._rv.rows
        ):
            return "implement has not run yet: continue picks up an implement run that stopped"
        if action == "continue_implement" and self._rv is not None and any(
            row.name == "implement" and row.status == "done" for row in self._rv.rows
        ):
            return "implement is done: nothing to continue (p runs it again)"
        if action == "restart":
            if self._rv is None or self._rv.current is None:
                return "nothing to restart"
            if running is not None and not self._stalled():
                return "restart is for a finished or stalled run (X stops a running one)"
        if action in ("approve_gate", "reject_gate"):
            if self._gate() is None:
                return "no Spec Kit workflow run is waiting at a gate"
            if running is not None:
                return f"{running.phase} is still running (X: stop)"
        return None

    def _refused(self, action: str) -> bool:
        why = self._unavailable(action)
        if why is not None:
            self.notify(why, severity="warning")
        return why is not None

    # --- actions (the action table's keys) ----------------------------------------------------

    def action_run_next(self) -> None:
        self.run_next()

    def action_choose_phase(self) -> None:
        self.choose_phase()

    def action_stop(self) -> None:
        self.stop()

    def action_continue_implement(self) -> None:
        self.continue_implement()

    def action_toggle_auto_continue(self) -> None:
        self.toggle_auto_continue()

    def action_restart(self) -> None:
        self.restart()

    def action_past_runs(self) -> None:
        self.past_runs()

    def action_search_log(self) -> None:
        self.search_log()

    def action_approve_gate(self) -> None:
        self.approve_gate()

    def action_reject_gate(self) -> None:
        self.reject_gate()

    def action_handoff(self) -> None:
        self.handoff()

    # --- public commands ----------------------------------------------------------------------

    def run_next(self) -> None:
        """Run the next phase in order (asks first when its predecessor never completed)."""
        if self._refused("run_next"):
            return
        if self._rv is None:
            self._waiting_for_view = self.run_next
            self.refresh_now()
            return
        phase = self._rv.next_phase
        if phase is None:
            self.notify("every phase is done", severity="information")
            return
        self.run_phase(phase)

    def choose_phase(self) -> None:
        """Pick any phase the runner lists, then run it (with the same predecessor check)."""
        if self._refused("choose_phase"):
            return
        if self._rv is None:
            self._waiting_for_view = self.choose_phase
            self.refresh_now()
            return

        def picked(phase: str | None) -> None:
            if phase:
                self.run_phase(phase)

        rows = [(r.name, r.status, r.note) for r in self._rv.rows]
        rows += [(name, "pending", "Spec Kit command, outside [runner] phases")
                 for name in self._rv.others]
        self.app.push_screen(PhasePickerScreen(rows), picked)

    def run_phase(self, phase: str, *, continue_message: str | None = None) -> None:
        """Start `phase`. A missing predecessor needs the user's confirmation (then force)."""
        running = self._running_run()
        if running is not None:
            self.notify(f"{running.phase} is still running (X: stop)", severity="warning")
            return
        source = self.project.orchestrator_input
        if continue_message is None and phase in REQUIRED_INPUT_PHASES and not source.exists():
            # The runner's own error names `specui handoff` and --input, the CLI's ways.
            self.notify(f"{self.project.relative(source)} not found: {phase} needs a "
                        f"<{phase}>…</{phase}> block there — H drafts it from SPEC.md",
                        severity="warning")
            return
        interview = self.store.state.interview
        if (continue_message is None and interview.status == "active"
                and interview.current is None and interview.engine.status == "thinking"):
            # No question on screen yet (the Codex engine's first turn): no answer box is open,
            # so the overview being typed arrives as keys, and its next "y" would answer the
            # confirm below (trial6 K19).
            self.notify("the interview is preparing its question: run a phase once it is on "
                        "screen (Esc cancels the round)", severity="warning")
            return
        if continue_message is None and interview.status == "active":
            # An answer typed where the keys were commands reaches `n` too (trial H18): a phase
            # started from an unfinished interview is asked for, never a keystroke away.
            def go_on(ok: bool | None) -> None:
                if ok:
                    self._start_checked(phase, continue_message)

            self.app.push_screen(ConfirmScreen(
                f"The interview is still on. Run {phase} anyway?",
                f"{phase} builds on SPEC.md as it is now; the interview can finish it first.",
                yes="Run"), go_on)
            return
        self._start_checked(phase, continue_message)

    def _start_checked(self, phase: str, continue_message: str | None) -> None:
        """Start `phase`; a predecessor that never completed is asked about first."""
        missing = self.manager.missing_predecessor(phase)
        if missing is None:
            self._call("start", phase, force=False, continue_message=continue_message)
            return

        def confirmed(ok: bool | None) -> None:
            if ok:
                self._call("start", phase, force=True, continue_message=continue_message)

        self.app.push_screen(ConfirmScreen(
            f"{missing} never completed. Run {phase} anyway?",
            f"{phase} normally builds on what {missing} produces.", yes="Run"), confirmed)

    def continue_implement(self) -> None:
        """Re-run implement with seed 002's `continue phase implement` message."""
        if self._refused("continue_implement"):
            return
        self.run_phase("implement", continue_message=continue_message("implement"))

    def stop(self) -> None:
        """Stop the running phase (SIGTERM to its group, SIGKILL after the grace period)."""
        if self._refused("stop"):
            return
        run = self._running_run()

        def confirmed(ok: bool | None) -> None:
            if ok:
                self._call("stop", run.run_id)

        self.app.push_screen(ConfirmScreen(
            f"Stop {run.phase}?", "Its process group gets SIGTERM, then SIGKILL.", yes="Stop"),
            confirmed)

    def restart(self) -> None:
        """Start the shown run's phase again; a stalled run is stopped first."""
        if self._refused("restart"):
            return
        assert self._rv is not None and self._rv.current is not None
        run = self._rv.current
        message = continue_message("implement") if run.phase == "implement" else None
        detail = "The stalled run is stopped first." if run.status == "running" else ""

        def confirmed(ok: bool | None) -> None:
            if ok:
                self._restart_worker(run, message)

        self.app.push_screen(ConfirmScreen(f"Restart {run.phase}?", detail, yes="Restart"),
                             confirmed)

    def toggle_auto_continue(self) -> None:
        """Turn auto-continue (re-run implement until tasks.md is done) on or off."""
        value = not self.manager.config.auto_continue
        try:
            self.manager.set_auto_continue(value)
        except SpecuiError as exc:
            self.notify(str(exc), severity="warning")
        else:
            self.notify(f"auto-continue {'on' if value else 'off'}", severity="information")
        self.refresh_now()

    def past_runs(self) -> None:
        """Pick any earlier run (of any phase) and show its log here; the first entry goes
        back to the current run."""
        def picked(run: Any) -> None:  # a PhaseRun, "" (the current run) or None
            if run is None:
                return
            self._pinned_run = run or None
            self._shown_run_id = None  # reopen the log even if it is the same run
            self._render_all()

        self.app.push_screen(PastRunsScreen(self.manager.past_runs()), picked)

    def search_log(self) -> None:
        """Find text in the whole log on disk; n / N step through the matches."""
        if self.log_view.path is None:
            self.notify("no log to search yet", severity="information")
            return

        def typed(needle: str | None) -> None:
            if needle is not None:
                self.log_view.search(needle)
                self.log_view.focus()

        self.app.push_screen(LogSearchScreen(self.log_view.search_needle), typed)

    def approve_gate(self) -> None:
        self._decide_gate("approve")

    def reject_gate(self) -> None:
        self._decide_gate("reject")

    def _decide_gate(self, decision: str) -> None:
        if self._refused(f"{decision}_gate"):
            return
        workflow = self._gate()

        def confirmed(ok: bool | None) -> None:
            if ok:
                self._call("decide_gate", workflow.run_id, decision)

        self.app.push_screen(ConfirmScreen(
            f"{decision.capitalize()} gate {workflow.gate.step_id} of workflow "
            f"{workflow.workflow_id}?",
            f"{workflow.gate.message}\nspecify workflow resume {workflow.run_id} continues "
            "the run in the runner.", yes=decision.capitalize()), confirmed)

    def handoff(self) -> None:
        """Draft orchestrator/input from SPEC.md (never over your edits) and offer seed 004's
        options: 1 runs the Spec Kit phases here, 2–6 start an OMX lane in the runner."""
        if self._refused("handoff"):
            return
        self._handoff_worker()

    @work(thread=True, group="runner-command", exit_on_error=False)
    def _handoff_worker(self) -> None:
        from specui.handoff import run_handoff

        try:
            data = run_handoff(self.project)
        except SpecuiError as exc:
            self.app.call_from_thread(self.notify, exc.message, severity="error")
            return
        self.app.call_from_thread(self._show_handoff, data)

    def _show_handoff(self, data: dict[str, Any]) -> None:
        if not is_live(self):  # quit while the draft was written: no dialog over the close
            return

        def chosen(key: str | None) -> None:
            if key is None:
                return
            if key == "speckit":
                self._run_phases_from_the_start()
                return
            if key == "refine":  # the workbench's action: the interview is not the runner's
                self.screen.call_later(self.screen.run_action, "refine_further")
                return
            lane = next(lane for lane in data["lanes"] if lane["key"] == key)
            self._lane_worker(key, lane["invocation"], bool(lane["needs_contract"]))

        self.app.push_screen(HandoffScreen(data), chosen)

    def _run_phases_from_the_start(self) -> None:
        """Handoff option 1. When the first phase already completed here, running it again
        replaces its output: asked first (n goes on with the next phase instead)."""
        first = self.manager.phases[0]
        row = next((r for r in self._rv.rows if r.name == first), None) if self._rv else None
        if row is None or row.status != "done":
            self.run_phase(first)
            return
        following = self._rv.next_phase if self._rv is not None else None
        instead = (f"n runs the next phase instead ({following})." if following
                   else "Every phase is done.")

        def confirmed(ok: bool | None) -> None:
            if ok:
                self.run_phase(first)

        self.app.push_screen(ConfirmScreen(
            f"{first} already ran here. Run it again?",
            f"{first} is done; running it again replaces what it wrote (the phases after it "
            f"keep their results; p runs any phase again). {instead}",
            yes="Run again"), confirmed)

    @work(thread=True, group="runner-command", exit_on_error=False)
    def _lane_worker(self, key: str, invocation: str, needs_contract: bool) -> None:
        """Start an OMX lane in the runner; a lane that reads seed 004's execution contract
        (autopilot) gets it first, with the conservative task stride."""
        from specui.handoff import run_handoff

        try:
            if needs_contract:
                run_handoff(self.project, lane=key, stride="task")
            self.manager.start_lane(key, invocation)
        except SpecuiError as exc:
            self.app.call_from_thread(self.notify, exc.message, severity="error")
        self.app.call_from_thread(self.refresh_now)

    # --- workers ----------------------------------------------------------------------------

    @work(thread=True, group="runner-command", exit_on_error=False)
    def _call(self, method: str, *args: Any, **kwargs: Any) -> None:
        try:
            getattr(self.manager, method)(*args, **kwargs)
        except SpecuiError as exc:
            self.app.call_from_thread(self.notify, exc.message, severity="error")
        except Exception as exc:  # noqa: BLE001 - report, never crash the workbench
            self.app.call_from_thread(
                self.notify, f"{method} failed: {type(exc).__name__}: {exc}", severity="error"
            )
        self.app.call_from_thread(self.refresh_now)

    @work(thread=True, group="runner-command", exit_on_error=False)
    def _restart_worker(self, run: Any, message: str | None) -> None:
        try:
            if run.status == "running":
                self.manager.stop(run.run_id)
            self.manager.start(run.phase, force=True, continue_message=message)
        except SpecuiError as exc:
            self.app.call_from_thread(self.notify, exc.message, severity="error")
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(
                self.notify, f"restart failed: {type(exc).__name__}: {exc}", severity="error"
            )
        self.app.call_from_thread(self.refresh_now)


def _same_run(a: Any, b: Any) -> bool:
    """By id and log: a session may hold one run id twice (two processes that started in the
    same second without a claim), and the row the user picked is the one whose log to show."""
    return bool(a.run_id == b.run_id and a.log == b.log)


def _step_icon(status: str) -> str:
    """Spec Kit's step statuses in the runner's icon vocabulary."""
    return {"completed": "done", "failed": "failed", "paused": "stopped",
            "running": "running"}.get(status, "pending")
