"""`RunnerPane`: the phase runner inside the workbench — status, live log, and the controls.

A Spec Kit phase runs for 10–30 minutes and the user should not have to babysit it. So the pane
answers, at a glance: which phases are done, what is running, for how long, when it last printed
something, how far implement has got in tasks.md and roughly how long is left — and makes a
stalled run impossible to miss, with stop/restart one key away.

The pane owns no process. Everything goes through the runner's `PhaseManager` (start/stop/
refresh) and the `SessionStore` (what ran, with which status). The child writes its log file
itself, so the pane only *tails* that file (see `LogView`); closing the workbench never touches
the run, and reopening it reattaches via `PhaseManager.refresh()`.

Manager calls can block (stop waits for a grace period; refresh stats pid files), so they run in
thread workers. User errors (`SpecuiError`) become notifications; the pane never crashes the app.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, Protocol

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from specui.core.errors import SpecuiError
from specui.core.paths import PHASES, Project
from specui.ui.actions import bindings
from specui.ui.widgets.log_view import LogView, Transform, footer_is_narrow

__all__ = [
    "CONTINUE_MESSAGE",
    "CSS_PATH",
    "PhasePickerScreen",
    "RunnerConfirmScreen",
    "RunnerPane",
]

log = logging.getLogger(__name__)

CSS_PATH = Path(__file__).with_name("runner_pane.tcss")
"""Styles of the pane and its modals: add to the app's `CSS_PATH` list."""

CONTINUE_MESSAGE = (
    "continue phase implement: carry on with the remaining unchecked tasks in tasks.md. "
    "Treat any incomplete checklists as acknowledged and proceed without asking; "
    "mark each task [X] as soon as it is done."
)
"""Sent with a continued implement run when the runner does not define its own message."""

_STATUS_STYLE = {
    "pending": "dim",
    "running": "bold yellow",
    "done": "bold green",
    "failed": "bold red",
    "stopped": "magenta",
}
# Left out of a narrow footer unless needed now (RunnerPane.footer_shows).
_NARROW_OPTIONAL = frozenset({"choose_phase", "continue_implement", "toggle_auto_continue",
                              "restart"})
_STATUS_ICON = {"pending": "·", "running": "●", "done": "✓", "failed": "✗", "stopped": "■"}


class _Manager(Protocol):
    """What the pane needs of `specui.runner.manager.PhaseManager` (tests pass a fake)."""

    def start(
        self,
        phase: str,
        *,
        input_override: str | None = None,
        force: bool = False,
        continue_message: str | None = None,
    ) -> Any: ...

    def stop(self, run_id: str | None = None) -> None: ...

    def refresh(self) -> Any: ...

    def active(self) -> Any: ...

    def log_path(self, run: Any) -> Path: ...


def _fmt_duration(seconds: float | None) -> str:
    """12s · 4m05s · 1h02m — compact, fixed vocabulary (snapshots rely on it)."""
    if seconds is None:
        return "—"
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# --- modals --------------------------------------------------------------------------------


class RunnerConfirmScreen(ModalScreen[bool]):
    """A yes/no question; y/Enter confirms, n/Esc cancels. The text is data, never markup."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "answer(True)", "Yes", id="runner.confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="runner.confirm.no"),
    ]

    def __init__(self, question: str, detail: str = "") -> None:
        super().__init__()
        self._question = question
        self._detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(id="runner-confirm"):
            yield Label(Text(self._question, style="bold"), id="runner-confirm-question")
            if self._detail:
                yield Label(Text(self._detail), id="runner-confirm-detail")
            yield Label(Text("y / Enter: yes    n / Esc: no", style="dim"))

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class PhasePickerScreen(ModalScreen["str | None"]):
    """Choose one phase to run (arrows + Enter, or the phase's number key; Esc cancels)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="runner.pick.cancel"),
        *[
            Binding(str(n), f"pick({n - 1})", f"Phase {n}", show=False)
            for n in range(1, len(PHASES) + 1)
        ],
    ]

    def __init__(self, statuses: dict[str, str]) -> None:
        super().__init__()
        self._statuses = statuses

    def compose(self) -> ComposeResult:
        options = []
        for n, phase in enumerate(PHASES, start=1):
            status = self._statuses.get(phase, "pending")
            prompt = Text(f"{n}. ")
            prompt.append(f"{phase:<13}", style="bold")
            prompt.append(f"{_STATUS_ICON.get(status, '?')} {status}",
                          style=_STATUS_STYLE.get(status, ""))
            options.append(Option(prompt, id=phase))
        with Vertical(id="runner-picker"):
            yield Label(Text("Run which phase?", style="bold"))
            yield OptionList(*options, id="runner-picker-list")

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_pick(self, index: int) -> None:
        self.dismiss(PHASES[index])

    def action_cancel(self) -> None:
        self.dismiss(None)


# --- the pane ------------------------------------------------------------------------------


class RunnerPane(Vertical):
    """Phase list with statuses, the active run's vitals, its live log, and the run controls.

    Public methods (for the app's command palette): `run_next`, `choose_phase`, `run_phase`,
    `stop`, `continue_implement`, `toggle_auto_continue`, `restart`, `tasks_changed`,
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

    class _StoreChanged(Message):
        """Posted from whatever thread changed the store."""

    def __init__(
        self,
        project: Project,
        store: Any,
        runner_config: Any,
        *,
        manager: _Manager | None = None,
        clock: Callable[[], datetime] | None = None,
        refresh_interval: float = 1.0,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.project = project
        self.store = store
        if runner_config is None:  # the app had no [runner] config: the documented defaults
            from specui.core.config import RunnerConfig

            runner_config = RunnerConfig()
        self.runner_config = runner_config
        self._manager = manager
        self._clock = clock or (lambda: datetime.now(UTC))
        self._refresh_interval = refresh_interval
        self._active: Any = None
        self._shown_run_id: str | None = None
        self._seen_running: set[str] = set()
        self._finished_notified: set[str] = set()
        self._log_mtime: float | None = None
        self._tasks: tuple[int, int] | None = None
        self._tasks_sig: tuple[str, int, int] | None = None
        self._eta_base: dict[str, tuple[float, int]] = {}
        self._refreshing = False
        self._tasks_gen = 0  # bumped by tasks_changed(): older counts must not overwrite newer
        self._tasks_reading = False
        self._tasks_again = False
        self._unsubscribe: Callable[[], None] | None = None
        auto = getattr(runner_config, "auto_continue", False)
        self._auto_continue = bool(auto)

    # --- composition & lifecycle --------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="runner-phases", markup=False)
        yield Static(id="runner-status", markup=False)
        yield Static(id="runner-stall", markup=False)
        yield LogView(id="runner-log")
        yield Static(id="runner-tail", markup=False)

    def on_mount(self) -> None:
        if self._manager is None:
            self._manager = self._make_manager()
        subscribe = getattr(self.store, "subscribe", None)
        if callable(subscribe):
            self._unsubscribe = subscribe(lambda _state: self.post_message(self._StoreChanged()))
        self._render_all()
        self.refresh_now()  # reattach: reconcile with pid/status files, show the log so far
        self.set_interval(self._refresh_interval, self.refresh_now, name="runner-refresh")

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _make_manager(self) -> _Manager | None:
        # Imported lazily: the runner pulls in subprocess handling the first paint never needs.
        try:
            from specui.runner.manager import PhaseManager
        except ImportError as exc:
            self.notify(f"phase runner unavailable: {exc}", severity="error")
            return None
        try:
            return PhaseManager(self.project, self.store, self.runner_config)
        except SpecuiError as exc:
            self.notify(exc.message, severity="error")
            return None

    @property
    def log_view(self) -> LogView:
        return self.query_one("#runner-log", LogView)

    # --- data helpers ---------------------------------------------------------------------------

    @property
    def _runs(self) -> list[Any]:
        state = getattr(self.store, "state", None)
        return list(getattr(state, "runs", []) or [])

    def phase_statuses(self) -> dict[str, str]:
        """Latest status per phase, in phase order ("pending" when never run)."""
        latest: dict[str, Any] = {}
        for run in self._runs:
            latest[run.phase] = run
        return {p: (latest[p].status if p in latest else "pending") for p in PHASES}

    def _completed_phases(self) -> set[str]:
        return {run.phase for run in self._runs if run.status == "done"}

    def next_phase(self) -> str | None:
        """The first phase (in order) whose latest run is not done; implement stays re-runnable
        until tasks.md is complete."""
        statuses = self.phase_statuses()
        for phase in PHASES:
            if statuses[phase] != "done":
                return phase
        if self._tasks is not None and self._tasks[1] and self._tasks[0] < self._tasks[1]:
            return "implement"
        return None

    def _current_run(self) -> Any:
        """The running run if any, else the most recent run (None: nothing ever ran)."""
        if self._active is not None and getattr(self._active, "status", "") == "running":
            # Prefer the store's copy: it is the freshest after a refresh.
            for run in reversed(self._runs):
                if run.run_id == self._active.run_id:
                    return run
            return self._active
        for run in reversed(self._runs):
            if run.status == "running":
                return run
        runs = self._runs
        return runs[-1] if runs else None

    def _running_run(self) -> Any:
        run = self._current_run()
        return run if run is not None and run.status == "running" else None

    def _since_output(self, now: datetime) -> float | None:
        if self._log_mtime is None:
            return None
        return max(0.0, now.timestamp() - self._log_mtime)

    def _is_stalled(self, run: Any, now: datetime) -> bool:
        if run is None or run.status != "running":
            return False
        if getattr(run, "stalled", False):
            return True
        since = self._since_output(now)
        limit = float(getattr(self.runner_config, "stall_minutes", 10)) * 60
        return since is not None and since >= limit

    # --- periodic refresh (thread worker) -----------------------------------------------------

    def refresh_now(self) -> None:
        """Reconcile with the runner now (also runs every second). Never blocks the UI."""
        if self._refreshing:
            return
        self._refreshing = True
        self._refresh_worker()

    def tasks_changed(self, *_paths: object) -> None:
        """tasks.md changed on disk (the app's watcher calls this): re-count at once.

        Cheap, whatever the rate of calls (an agent ticking off tasks, an editor saving): one
        count runs at a time in a thread; calls meanwhile only ask for one more count after it,
        and only the status line is redrawn. No runner refresh (no pid/status files) is done.
        Safe to call from any thread; a no-op before the pane is mounted (mounting counts)."""
        if not self.is_mounted:
            return
        app = self.app
        if threading.get_ident() != getattr(app, "_thread_id", threading.get_ident()):
            app.call_from_thread(self.tasks_changed)
            return
        self._tasks_gen += 1
        if self._tasks_reading:
            self._tasks_again = True
            return
        self._tasks_reading = True
        self._tasks_worker(self._tasks_gen)

    @work(thread=True, group="runner-tasks", exit_on_error=False)
    def _tasks_worker(self, gen: int) -> None:
        tasks, sig = self._read_tasks(force=True)
        try:
            self.app.call_from_thread(self._apply_tasks, gen, tasks, sig)
        except RuntimeError:  # app shutting down
            self._tasks_reading = False

    def _apply_tasks(
        self, gen: int, tasks: tuple[int, int] | None, sig: tuple[str, int, int] | None
    ) -> None:
        self._tasks_reading = False
        self._tasks, self._tasks_sig = tasks, sig
        if self._tasks_again:
            self._tasks_again = False
            self.tasks_changed()  # the file changed again while it was being counted
        if self.is_mounted:
            now = self._clock()
            self.query_one("#runner-status", Static).update(
                self._status_text(self._current_run(), now)
            )

    @work(thread=True, group="runner-refresh", exit_on_error=False)
    def _refresh_worker(self) -> None:
        error: str | None = None
        active = self._active
        tasks_gen = self._tasks_gen
        try:
            if self._manager is not None:
                active = self._manager.refresh()
        except SpecuiError as exc:
            error = exc.message
        except Exception as exc:  # noqa: BLE001 - a refresh failure must not kill the pane
            error = f"runner refresh failed: {type(exc).__name__}: {exc}"
        tasks, sig = self._read_tasks()
        run = active if active is not None and active.status == "running" else None
        if run is None:
            runs = self._runs
            run = runs[-1] if runs else None
        log_path = self._log_path(run)
        mtime: float | None = None
        if log_path is not None:
            try:
                mtime = os.stat(log_path).st_mtime
            except OSError:
                mtime = None
        try:
            self.app.call_from_thread(
                self._apply_refresh, active, tasks, sig, mtime, error, tasks_gen
            )
        except RuntimeError:  # app shutting down
            self._refreshing = False

    def _read_tasks(
        self, *, force: bool = False
    ) -> tuple[tuple[int, int] | None, tuple[str, int, int] | None]:
        """Re-count tasks.md only when its (path, mtime, size) changed (cheap every second),
        or always with `force` (a rewrite can keep both within the clock's resolution)."""
        try:
            from specui.core.tasks import count_tasks, find_tasks_file
        except ImportError:
            return self._tasks, self._tasks_sig
        try:
            path = find_tasks_file(self.project.root)
            if path is None:
                return None, None
            st = os.stat(path)
            sig = (str(path), st.st_mtime_ns, st.st_size)
            if sig == self._tasks_sig and not force:
                return self._tasks, sig
            count = count_tasks(Path(path).read_text(encoding="utf-8", errors="replace"))
            return (count.done, count.total), sig
        except OSError:
            return None, None

    def _log_path(self, run: Any) -> Path | None:
        if run is None:
            return None
        try:
            if self._manager is not None:
                return Path(self._manager.log_path(run))
        except Exception:  # fall back to the store's relative path
            log.debug("log_path failed for %s", getattr(run, "run_id", "?"), exc_info=True)
        rel = getattr(run, "log", "")
        return self.project.root / rel if rel else None

    def _apply_refresh(
        self,
        active: Any,
        tasks: tuple[int, int] | None,
        sig: tuple[str, int, int] | None,
        mtime: float | None,
        error: str | None,
        tasks_gen: int | None = None,
    ) -> None:
        self._refreshing = False
        if error:
            self.notify(error, severity="error", timeout=6)
        self._active = active
        if tasks_gen == self._tasks_gen and not self._tasks_reading:
            # Only a count that started after the last tasks_changed() may replace it.
            self._tasks, self._tasks_sig = tasks, sig
        self._log_mtime = mtime
        self._render_all()

    @on(_StoreChanged)
    def _store_changed(self, event: Message) -> None:
        event.stop()
        self._render_all()

    # --- rendering --------------------------------------------------------------------------

    def _render_all(self) -> None:
        if not self.is_mounted:
            return
        now = self._clock()
        run = self._current_run()
        self._attach_log(run)
        self._note_transitions()
        stalled = self._is_stalled(run, now)
        self.set_class(stalled, "-stalled")
        self.set_class(run is not None and run.status == "running", "-running")
        self.query_one("#runner-phases", Static).update(self._phases_text(run, stalled))
        self.query_one("#runner-status", Static).update(self._status_text(run, now))
        stall = self.query_one("#runner-stall", Static)
        stall.display = stalled
        if stalled:
            stall.update(self._stall_text(run, now))
        self._render_tail()
        self.refresh_bindings()

    def _attach_log(self, run: Any) -> None:
        if run is None:
            if self._shown_run_id is not None:
                self._shown_run_id = None
                self.log_view.open(None)
            return
        if run.run_id == self._shown_run_id:
            return
        path = self._log_path(run)
        if path is None:
            return
        self._shown_run_id = run.run_id
        self.log_view.open(path, transform=self._transform_for(run))

    @staticmethod
    def _transform_for(run: Any) -> Transform | None:
        command = list(getattr(run, "command", []) or [])
        try:
            from specui.core.codex_events import is_json_command, render_event
        except ImportError:
            return None
        return render_event if is_json_command(command) else None

    def _note_transitions(self) -> None:
        """Tell the user when a run they saw running ends — even if they look elsewhere."""
        for run in self._runs:
            if run.status == "running":
                self._seen_running.add(run.run_id)
            elif run.run_id in self._seen_running and run.run_id not in self._finished_notified:
                self._finished_notified.add(run.run_id)
                severity = "information" if run.status == "done" else "warning"
                code = f" (exit {run.exit_code})" if run.exit_code is not None else ""
                self.notify(f"{run.phase} {run.status}{code}", title="Phase finished",
                            severity=severity, timeout=10)
                if getattr(self.runner_config, "notify", True):
                    self.app.bell()
                self.post_message(self.RunFinished(run))

    def _phases_text(self, current: Any, stalled: bool) -> Text:
        statuses = self.phase_statuses()
        text = Text("Phases ", style="bold")
        for n, phase in enumerate(PHASES):
            status = statuses[phase]
            if n:
                text.append(" → ", style="dim")
            icon = _STATUS_ICON.get(status, "?")
            style = _STATUS_STYLE.get(status, "")
            if stalled and current is not None and current.phase == phase:
                icon, style = "⚠", "bold reverse red"
            text.append(f"{icon} {phase}", style=style)
        return text

    def _status_text(self, run: Any, now: datetime) -> Text:
        text = Text()
        if run is None or run.status != "running":
            text.append("no phase running", style="bold")
            if run is not None:
                ended = _aware(run.ended_at)
                ago = f" {_fmt_duration((now - ended).total_seconds())} ago" if ended else ""
                code = f", exit {run.exit_code}" if run.exit_code is not None else ""
                text.append(f" · last: {run.phase} {run.status}{code}{ago}", style="dim")
            nxt = self.next_phase()
            if nxt is not None:
                text.append(f" · next: {nxt} (n)", style="dim")
            self._append_tasks(text, run)
            return text
        started = _aware(run.started_at)
        elapsed = (now - started).total_seconds() if started else None
        text.append(f"▶ {run.phase}", style="bold yellow")
        if getattr(run, "attempt", 1) > 1:
            text.append(f" #{run.attempt}", style="yellow")
        text.append(f" · elapsed {_fmt_duration(elapsed)}")
        text.append(f" · last output {_fmt_duration(self._since_output(now))} ago")
        self._append_tasks(text, run)
        eta = self._eta(run, now, elapsed)
        if eta:
            text.append(f" · {eta}", style="cyan")
        return text

    def _stall_text(self, run: Any, now: datetime) -> Text:
        """The banner says everything the status line would (on a small screen it replaces
        it, see runner_pane.tcss): which phase, how long quiet, how long running, the way out."""
        since = _fmt_duration(self._since_output(now))
        started = _aware(run.started_at)
        elapsed = _fmt_duration((now - started).total_seconds()) if started else "—"
        text = Text(f"⚠ STALLED {run.phase} — no output for {since} · elapsed {elapsed}",
                    style="bold")
        self._append_tasks(text, run)
        text.append(" · X: stop · R: restart", style="bold")
        return text

    def _append_tasks(self, text: Text, run: Any) -> None:
        if self._tasks is not None and self._tasks[1]:
            done, total = self._tasks
            text.append(f" · tasks {done}/{total}", style="green" if done == total else "")

    def _eta(self, run: Any, now: datetime, elapsed: float | None) -> str:
        """Implement: from the task rate seen during this run. Other phases: from how long the
        same phase took before. Empty when there is nothing honest to say."""
        if run.phase == "implement" and self._tasks is not None and self._tasks[1]:
            done, total = self._tasks
            t = now.timestamp()
            base = self._eta_base.setdefault(run.run_id, (t, done))
            if done >= total:
                return "ETA done"
            gained, dt = done - base[1], t - base[0]
            if gained <= 0 or dt <= 0:
                return "ETA — (no task done yet)"
            return f"ETA ~{_fmt_duration((total - done) * dt / gained)}"
        durations = []
        for past in self._runs:
            if past.phase == run.phase and past.status == "done" and past is not run:
                s, e = _aware(past.started_at), _aware(past.ended_at)
                if s and e:
                    durations.append((e - s).total_seconds())
        if not durations or elapsed is None:
            return ""
        typical = sum(durations[-3:]) / len(durations[-3:])
        left = typical - elapsed
        if left <= 0:
            return f"ETA overdue (typically {_fmt_duration(typical)})"
        return f"ETA ~{_fmt_duration(left)} (typical)"

    def _render_tail(self) -> None:
        if not self.is_mounted:
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
        text.append("   auto-continue: ", style="dim")
        text.append("on" if self._auto_continue else "off",
                    style="bold green" if self._auto_continue else "dim")
        self.query_one("#runner-tail", Static).update(text)

    @on(LogView.TailChanged)
    def _tail_changed(self, event: LogView.TailChanged) -> None:
        event.stop()
        self._render_tail()

    # --- bindings ---------------------------------------------------------------------------

    def footer_shows(self, action: str) -> bool:
        """What the footer lists (display only: every key works, and an action that cannot
        apply now says why). Actions that cannot apply are left out, so the footer shows what
        is possible (and, while a run is going, that Stop is one key away). Below
        FULL_FOOTER_COLUMNS it also leaves out what is not needed now, so the pane keys after
        the workbench's fit at 80 columns: Run phase… and Auto-cont. always, Continue unless
        implement can be continued, Restart unless the run is stalled."""
        if not self._allowed(action):
            return False
        return not (action in _NARROW_OPTIONAL and footer_is_narrow(self)
                    and not self._wanted_in_narrow_footer(action))

    def _wanted_in_narrow_footer(self, action: str) -> bool:
        if action == "continue_implement":
            runs = self._runs
            return any(r.phase == "implement" for r in runs) and self.next_phase() == "implement"
        if action == "restart":
            run = self._current_run()
            return run is not None and self._is_stalled(run, self._clock())
        return False

    def on_resize(self) -> None:
        self.refresh_bindings()  # the footer may have crossed FULL_FOOTER_COLUMNS

    def _allowed(self, action: str) -> bool:
        running = self._running_run() is not None
        if action == "stop":
            return running
        if action in ("run_next", "run", "choose_phase", "continue_implement", "continue"):
            return not running
        if action == "restart":
            run = self._current_run()
            if run is None:
                return False
            return run.status != "running" or self._is_stalled(run, self._clock())
        return True

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
        if not self._allowed("restart"):
            self.notify("restart is for a finished or stalled run (X stops a running one)")
            return
        self.restart()

    # --- public commands (bindings and the command palette) ---------------------------------

    def run_next(self) -> None:
        """Run the next phase in order (asks first when its predecessor never completed)."""
        phase = self.next_phase()
        if phase is None:
            self.notify("every phase is done", severity="information")
            return
        self.run_phase(phase)

    def choose_phase(self) -> None:
        """Pick any phase from a list, then run it (with the same predecessor check)."""
        def picked(phase: str | None) -> None:
            if phase:
                self.run_phase(phase)

        self.app.push_screen(PhasePickerScreen(self.phase_statuses()), picked)

    def run_phase(self, phase: str, *, continue_message: str | None = None) -> None:
        """Start `phase`. A missing predecessor needs the user's confirmation (then force)."""
        if phase not in PHASES:  # never build anything from an unknown name
            self.notify(f"unknown phase {phase!r}", severity="error")
            return
        running = self._running_run()
        if running is not None:
            self.notify(f"{running.phase} is still running (X: stop)", severity="warning")
            return
        missing = self._missing_predecessor(phase)
        if missing is None:
            self._start(phase, force=False, continue_message=continue_message)
            return

        def confirmed(ok: bool | None) -> None:
            if ok:
                self._start(phase, force=True, continue_message=continue_message)

        self.app.push_screen(
            RunnerConfirmScreen(
                f"{missing} never completed. Run {phase} anyway?",
                f"{phase} normally builds on what {missing} produces.",
            ),
            confirmed,
        )

    def _missing_predecessor(self, phase: str) -> str | None:
        try:
            from specui.core.orchestrator import missing_predecessor
        except ImportError:
            index = PHASES.index(phase)
            before = PHASES[index - 1] if index else None
            return before if before and before not in self._completed_phases() else None
        return missing_predecessor(phase, self._completed_phases())

    def continue_implement(self) -> None:
        """Re-run implement with a continue message (seed 002's `continue phase …`)."""
        self.run_phase("implement", continue_message=self._continue_message())

    @staticmethod
    def _continue_message() -> str:
        """The runner's own continue message (seed 002's `continue phase implement` plus the
        answer to Spec Kit's checklist question); ours only if it is missing."""
        try:
            from specui.core.orchestrator import continue_message
        except ImportError:
            return CONTINUE_MESSAGE
        return continue_message("implement")

    def stop(self) -> None:
        """Stop the running phase (SIGTERM to its group, SIGKILL after the grace period)."""
        run = self._running_run()
        if run is None:
            self.notify("no phase running", severity="information")
            return

        def confirmed(ok: bool | None) -> None:
            if ok:
                self._call_manager("stop", run.run_id)

        self.app.push_screen(
            RunnerConfirmScreen(f"Stop {run.phase}?", "Its process group gets SIGTERM, then SIGKILL."),
            confirmed,
        )

    def restart(self) -> None:
        """Restart the current run's phase: stops it first when it is still running (stalled)."""
        run = self._current_run()
        if run is None:
            self.notify("nothing to restart", severity="information")
            return
        message = self._continue_message() if run.phase == "implement" else None
        detail = "The stalled run is stopped first." if run.status == "running" else ""

        def confirmed(ok: bool | None) -> None:
            if ok:
                self._restart_worker(run, message)

        self.app.push_screen(RunnerConfirmScreen(f"Restart {run.phase}?", detail), confirmed)

    def toggle_auto_continue(self) -> None:
        """Turn auto-continue (re-run implement until tasks.md is done) on or off."""
        self._auto_continue = not self._auto_continue
        setter = getattr(self._manager, "set_auto_continue", None)
        try:
            if callable(setter):
                setter(self._auto_continue)
            else:
                self.runner_config.auto_continue = self._auto_continue
        except Exception:  # a frozen config: keep the pane's own flag
            log.debug("could not pass auto-continue on", exc_info=True)
        state = "on" if self._auto_continue else "off"
        self.notify(f"auto-continue {state}", severity="information")
        self._render_tail()

    @property
    def auto_continue(self) -> bool:
        return self._auto_continue

    # --- workers ----------------------------------------------------------------------------

    def _start(self, phase: str, *, force: bool, continue_message: str | None) -> None:
        kwargs: dict[str, Any] = {"force": force}
        if continue_message is not None:
            kwargs["continue_message"] = continue_message
        self._call_manager("start", phase, **kwargs)

    @work(thread=True, group="runner-command", exit_on_error=False)
    def _call_manager(self, method: str, *args: Any, **kwargs: Any) -> None:
        if self._manager is None:
            self.app.call_from_thread(self.notify, "phase runner unavailable", severity="error")
            return
        try:
            getattr(self._manager, method)(*args, **kwargs)
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
            if self._manager is None:
                raise SpecuiError("phase runner unavailable")
            if run.status == "running":
                self._manager.stop(run.run_id)
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    current = self._manager.refresh()
                    if current is None or current.run_id != run.run_id:
                        break
                    time.sleep(0.2)
            kwargs: dict[str, Any] = {"force": True}
            if message is not None:
                kwargs["continue_message"] = message
            self._manager.start(run.phase, **kwargs)
        except SpecuiError as exc:
            self.app.call_from_thread(self.notify, exc.message, severity="error")
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(
                self.notify, f"restart failed: {type(exc).__name__}: {exc}", severity="error"
            )
        self.app.call_from_thread(self.refresh_now)
