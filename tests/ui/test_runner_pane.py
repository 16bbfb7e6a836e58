"""RunnerPane through Pilot: a fake PhaseManager-compatible runner over a real SessionStore and
real log files written by test threads. Snapshots at 80x24 and 160x48 use a frozen clock and
fixed file times so they are deterministic.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Footer

from specui.core.config import RunnerConfig
from specui.core.errors import SpecuiError
from specui.core.paths import Project
from specui.store import PhaseRun, SessionStore
from specui.ui.actions import FooterAwareScreen
from specui.ui.widgets.log_view import LogView
from specui.ui.widgets.runner_pane import (
    CSS_PATH,
    PhasePickerScreen,
    RunnerConfirmScreen,
    RunnerPane,
)

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


class FakeManager:
    """Behaves like specui.runner.manager.PhaseManager as far as the pane can tell."""

    def __init__(self, project: Project, store: SessionStore) -> None:
        self.project = project
        self.store = store
        self.calls: list[tuple] = []
        self.fail_with: str | None = None
        self.refresh_error: str | None = None
        self.auto_continue: bool | None = None
        self._n = 0

    def start(self, phase, *, input_override=None, force=False, continue_message=None):
        self.calls.append(("start", phase, force, continue_message))
        if self.fail_with:
            raise SpecuiError(self.fail_with)
        self._n += 1
        run = PhaseRun(
            run_id=f"run-{self._n}",
            phase=phase,
            status="running",
            started_at=NOW,
            log=f"orchestrator/{phase}-2026030{self._n}-120000.md",
            command=["fake-codex"],
        )
        path = self.log_path(run)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")
        self.store.update(lambda s: s.runs.append(run))
        return run

    def stop(self, run_id=None):
        self.calls.append(("stop", run_id))
        self.finish(run_id, "stopped", -15)

    def refresh(self):
        if self.refresh_error:
            raise SpecuiError(self.refresh_error)
        return self.active()

    def active(self):
        for run in reversed(self.store.state.runs):
            if run.status == "running":
                return run
        return None

    def log_path(self, run) -> Path:
        return self.project.root / run.log

    def set_auto_continue(self, value: bool) -> None:
        self.auto_continue = value

    # test helpers
    def finish(self, run_id, status="done", code=0):
        def change(s):
            for run in s.runs:
                if run.run_id == run_id or (run_id is None and run.status == "running"):
                    run.status, run.exit_code, run.ended_at = status, code, NOW

        self.store.update(change)


class PaneApp(App[None]):
    CSS_PATH: ClassVar = [CSS_PATH]

    def __init__(self, project, store, manager, config=None, clock=None) -> None:
        super().__init__()
        self.pane_args = (project, store, config or RunnerConfig())
        self.manager = manager
        self.clock = clock or (lambda: NOW)
        self.bells = 0
        self.finished: list = []

    def get_default_screen(self) -> FooterAwareScreen:
        return FooterAwareScreen()  # the footer asks the pane what to list, as the workbench's

    def compose(self) -> ComposeResult:
        yield RunnerPane(
            *self.pane_args,
            manager=self.manager,
            clock=self.clock,
            refresh_interval=0.1,
            id="runner",
        )
        yield Footer()

    def bell(self) -> None:
        self.bells += 1

    def on_runner_pane_run_finished(self, event: RunnerPane.RunFinished) -> None:
        self.finished.append(event.run)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project.at(tmp_path)


@pytest.fixture
def store(project: Project) -> SessionStore:
    return SessionStore.open(project)


@pytest.fixture
def manager(project: Project, store: SessionStore) -> FakeManager:
    return FakeManager(project, store)


async def wait_for(pilot, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.02)


def text_of(app: App, selector: str) -> str:
    return str(app.query_one(selector).render())


def add_run(
    store: SessionStore,
    project: Project,
    phase: str,
    status: str,
    *,
    lines: int = 0,
    stalled: bool = False,
    started: datetime = NOW - timedelta(minutes=5),
    ended: datetime | None = None,
    run_id: str | None = None,
) -> PhaseRun:
    run = PhaseRun(
        run_id=run_id or f"{phase}-{status}",
        phase=phase,
        status=status,
        stalled=stalled,
        started_at=started,
        ended_at=ended,
        log=f"orchestrator/{phase}-20260301-115500.md",
        command=["fake-codex"],
        exit_code=0 if status == "done" else None,
    )
    path = project.root / run.log
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(f"{phase} output {i}\n".encode() for i in range(lines)))
    store.update(lambda s: s.runs.append(run))
    return run


def stream(path: Path, lines: list[str], delay: float = 0.002) -> threading.Thread:
    def run() -> None:
        with path.open("ab") as handle:
            for line in lines:
                handle.write((line + "\n").encode())
                handle.flush()
                time.sleep(delay)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


# --- idle / header ---------------------------------------------------------------------------


async def test_idle_pane_says_no_phase_running_and_lists_phases_in_order(
    project, store, manager
) -> None:
    app = PaneApp(project, store, manager)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        phases = text_of(app, "#runner-phases")
        positions = [
            phases.index(p) for p in ("constitution", "specify", "plan", "tasks", "implement")
        ]
        assert positions == sorted(positions)
        assert "no phase running" in text_of(app, "#runner-status")
        assert "next: constitution" in text_of(app, "#runner-status")
        assert not app.query_one("#runner-stall").display


async def test_statuses_come_from_the_store(project, store, manager) -> None:
    add_run(store, project, "constitution", "done", ended=NOW - timedelta(minutes=2))
    add_run(store, project, "specify", "failed", ended=NOW - timedelta(minutes=1))
    app = PaneApp(project, store, manager)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        pane = app.query_one(RunnerPane)
        assert pane.phase_statuses() == {
            "constitution": "done",
            "specify": "failed",
            "plan": "pending",
            "tasks": "pending",
            "implement": "pending",
        }
        phases = text_of(app, "#runner-phases")
        assert "✓ constitution" in phases and "✗ specify" in phases and "· plan" in phases
        status = text_of(app, "#runner-status")
        assert "last: specify failed" in status and "next: specify" in status


# --- running and streaming -------------------------------------------------------------------


async def test_run_next_starts_the_phase_and_streams_its_log(project, store, manager) -> None:
    app = PaneApp(project, store, manager)
    async with app.run_test(size=(100, 30)) as pilot:
        pane = app.query_one(RunnerPane)
        pane.query_one(LogView).focus()
        await pilot.press("n")
        await wait_for(pilot, lambda: manager.calls)
        assert manager.calls[0] == ("start", "constitution", False, None)
        run = store.state.runs[-1]
        view = pane.log_view
        await wait_for(pilot, lambda: view.path == manager.log_path(run))
        lines = [f"\x1b[33mstep {i}\x1b[0m [bold]{i}[/] \x1b[2J" for i in range(200)]
        stream(manager.log_path(run), lines).join()
        await wait_for(pilot, lambda: view.line_count == 200)
        assert view.get_line_text(199) == "step 199 [bold]199[/] "
        status = text_of(app, "#runner-status")
        assert "▶ constitution" in status and "elapsed" in status and "last output" in status
        assert "⏵ following" in text_of(app, "#runner-tail")


async def test_running_a_phase_whose_predecessor_never_completed_asks_first(
    project, store, manager
) -> None:
    app = PaneApp(project, store, manager)
    async with app.run_test(size=(100, 30)) as pilot:
        pane = app.query_one(RunnerPane)
        pane.run_phase("plan")
        await pilot.pause()
        assert isinstance(app.screen, RunnerConfirmScreen)
        await pilot.press("n")
        await pilot.pause(0.1)
        assert manager.calls == []

        pane.run_phase("plan")
        await pilot.pause()
        assert isinstance(app.screen, RunnerConfirmScreen)
        await pilot.press("y")
        await wait_for(pilot, lambda: manager.calls)
        assert manager.calls == [("start", "plan", True, None)]


async def test_predecessor_done_needs_no_confirmation(project, store, manager) -> None:
    add_run(store, project, "constitution", "done", ended=NOW)
    app = PaneApp(project, store, manager)
    async with app.run_test(size=(100, 30)) as pilot:
        app.query_one(RunnerPane).run_phase("specify")
        await wait_for(pilot, lambda: manager.calls)
        assert manager.calls == [("start", "specify", False, None)]
        assert not isinstance(app.screen, RunnerConfirmScreen)


async def test_choose_phase_picker_runs_the_chosen_phase(project, store, manager) -> None:
    add_run(store, project, "constitution", "done", ended=NOW)
    app = PaneApp(project, store, manager)
    async with app.run_test(size=(100, 30)) as pilot:
        app.query_one(RunnerPane).query_one(LogView).focus()
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, PhasePickerScreen)
        await pilot.press("2")  # specify
        await wait_for(pilot, lambda: manager.calls)
        assert manager.calls == [("start", "specify", False, None)]


async def test_start_error_is_a_notification_not_a_crash(project, store, manager) -> None:
    manager.fail_with = "missing <constitution> block in orchestrator/input (line 1)"
    app = PaneApp(project, store, manager)
    async with app.run_test(size=(100, 30)) as pilot:
        app.query_one(RunnerPane).run_next()
        await wait_for(pilot, lambda: manager.calls)
        await wait_for(
            pilot, lambda: any("missing <constitution>" in n.message for n in app._notifications)
        )
        assert app.is_running
        assert "no phase running" in text_of(app, "#runner-status")


async def test_refresh_error_is_reported_and_the_pane_keeps_going(project, store, manager) -> None:
    manager.refresh_error = "cannot read .specui/runs/x.pid"
    app = PaneApp(project, store, manager)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: any("cannot read" in n.message for n in app._notifications))
        manager.refresh_error = None
        add_run(store, project, "constitution", "running", lines=3)
        await wait_for(pilot, lambda: "▶ constitution" in text_of(app, "#runner-status"))


# --- reattach, stall, stop, restart, continue --------------------------------------------------


async def test_reattach_shows_the_log_so_far_and_keeps_tailing(project, store, manager) -> None:
    run = add_run(store, project, "plan", "running", lines=1500)
    app = PaneApp(project, store, manager)
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(LogView)
        await wait_for(pilot, lambda: view.line_count == 1500)
        assert view.get_line_text(0) == "plan output 0"
        assert view.follow and view.scroll_y == view.max_scroll_y
        stream(manager.log_path(run), ["after reattach"]).join()
        await wait_for(pilot, lambda: view.line_count == 1501)
        assert view.get_line_text(1500) == "after reattach"


async def test_stalled_run_is_marked_and_offers_stop(project, store, manager) -> None:
    run = add_run(store, project, "implement", "running", lines=5, stalled=True)
    app = PaneApp(project, store, manager)
    async with app.run_test(size=(120, 30)) as pilot:
        pane = app.query_one(RunnerPane)
        await wait_for(pilot, lambda: pane.has_class("-stalled"))
        stall = app.query_one("#runner-stall")
        assert stall.display
        banner = text_of(app, "#runner-stall")
        assert "STALLED" in banner and "X: stop" in banner and "R: restart" in banner
        assert "⚠ implement" in text_of(app, "#runner-phases")
        pane.query_one(LogView).focus()
        await pilot.press("X")
        await pilot.pause()
        assert isinstance(app.screen, RunnerConfirmScreen)
        await pilot.press("y")
        await wait_for(pilot, lambda: ("stop", run.run_id) in manager.calls)
        await wait_for(pilot, lambda: not pane.has_class("-stalled"))
        assert "no phase running" in text_of(app, "#runner-status")


async def test_no_output_for_longer_than_the_stall_timeout_marks_stalled(
    project, store, manager
) -> None:
    run = add_run(store, project, "plan", "running", lines=2)
    quiet_since = (NOW - timedelta(minutes=11)).timestamp()
    os.utime(manager.log_path(run), (quiet_since, quiet_since))
    app = PaneApp(project, store, manager, config=RunnerConfig(stall_minutes=10))
    async with app.run_test(size=(120, 30)) as pilot:
        pane = app.query_one(RunnerPane)
        await wait_for(pilot, lambda: pane.has_class("-stalled"))
        assert "no output for 11m00s" in text_of(app, "#runner-stall")
        assert "last output 11m00s ago" in text_of(app, "#runner-status")


async def test_small_screen_stall_banner_replaces_the_status_line(project, store, manager):
    """At 80x24 the pane has a few rows: the banner carries the status line's facts instead."""
    run = add_run(store, project, "plan", "running", lines=40,
                  started=NOW - timedelta(minutes=12))
    quiet_since = (NOW - timedelta(minutes=11)).timestamp()
    os.utime(manager.log_path(run), (quiet_since, quiet_since))
    app = PaneApp(project, store, manager, config=RunnerConfig(stall_minutes=10))
    async with app.run_test(size=(80, 12)) as pilot:
        pane = app.query_one(RunnerPane)
        await wait_for(pilot, lambda: pane.has_class("-stalled"))
        assert app.query_one("#runner-status").display  # a wide screen keeps both lines
        app.screen.add_class("-narrow")  # what SpecuiApp sets below 120x36
        await pilot.pause()
        assert not app.query_one("#runner-status").display
        banner = text_of(app, "#runner-stall")
        assert "STALLED plan" in banner and "no output for 11m00s" in banner
        assert "elapsed 12m00s" in banner and "X: stop" in banner
        assert pane.log_view.styles.scrollbar_size_horizontal == 0


async def test_output_within_the_timeout_is_not_stalled(project, store, manager) -> None:
    run = add_run(store, project, "plan", "running", lines=2)
    recent = (NOW - timedelta(minutes=3)).timestamp()
    os.utime(manager.log_path(run), (recent, recent))
    app = PaneApp(project, store, manager, config=RunnerConfig(stall_minutes=10))
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: "last output 3m00s ago" in text_of(app, "#runner-status"))
        assert not app.query_one(RunnerPane).has_class("-stalled")


async def test_restart_after_stall_stops_then_starts_again(project, store, manager) -> None:
    run = add_run(store, project, "plan", "running", lines=2, stalled=True)
    app = PaneApp(project, store, manager)
    async with app.run_test(size=(120, 30)) as pilot:
        pane = app.query_one(RunnerPane)
        await wait_for(pilot, lambda: pane.has_class("-stalled"))
        pane.query_one(LogView).focus()
        await pilot.press("R")
        await pilot.pause()
        assert isinstance(app.screen, RunnerConfirmScreen)
        await pilot.press("y")
        await wait_for(pilot, lambda: len(manager.calls) == 2)
        assert manager.calls == [("stop", run.run_id), ("start", "plan", True, None)]
        new_run = store.state.runs[-1]
        await wait_for(pilot, lambda: pane.log_view.path == manager.log_path(new_run))


async def test_stop_with_nothing_running_only_informs(project, store, manager) -> None:
    app = PaneApp(project, store, manager)
    async with app.run_test(size=(100, 30)) as pilot:
        app.query_one(RunnerPane).stop()
        await pilot.pause()
        assert not isinstance(app.screen, RunnerConfirmScreen)
        assert manager.calls == []
        assert any("no phase running" in n.message for n in app._notifications)


async def test_continue_implement_sends_a_continue_message(project, store, manager) -> None:
    for phase in ("constitution", "specify", "plan", "tasks", "implement"):
        add_run(store, project, phase, "done", ended=NOW)
    app = PaneApp(project, store, manager)
    async with app.run_test(size=(100, 30)) as pilot:
        app.query_one(RunnerPane).query_one(LogView).focus()
        await pilot.press("c")
        await wait_for(pilot, lambda: manager.calls)
        call = manager.calls[0]
        assert call[:3] == ("start", "implement", False)
        assert call[3] and "continue phase implement" in call[3]


async def test_palette_runs_the_pane_actions_by_name(project, store, manager) -> None:
    """The workbench's palette runs the action table's runner actions on the pane."""
    for phase in ("constitution", "specify", "plan", "tasks"):
        add_run(store, project, phase, "done", ended=NOW)
    app = PaneApp(project, store, manager)
    async with app.run_test(size=(100, 30)) as pilot:
        pane = app.query_one(RunnerPane)
        await pane.run_action("run_next")
        await wait_for(pilot, lambda: manager.calls)
        assert manager.calls == [("start", "implement", False, None)]
        await wait_for(pilot, lambda: "▶ implement" in text_of(app, "#runner-status"))
        await pane.run_action("stop")
        await pilot.pause()
        assert isinstance(app.screen, RunnerConfirmScreen)


async def test_with_the_real_phase_manager_and_no_config(project, store) -> None:
    """Mounted as the app does it (no manager injected, runner config possibly None)."""
    add_run(store, project, "constitution", "done", ended=NOW, lines=3)

    class RealApp(App[None]):
        CSS_PATH: ClassVar = [CSS_PATH]

        def compose(self) -> ComposeResult:
            yield RunnerPane(project, store, None)

    app = RealApp()
    async with app.run_test(size=(100, 30)) as pilot:
        pane = app.query_one(RunnerPane)
        await wait_for(pilot, lambda: pane.log_view.line_count == 3)
        assert type(pane._manager).__name__ == "PhaseManager"
        assert "no phase running" in text_of(app, "#runner-status")
        assert pane.runner_config.stall_minutes == 10
        assert not app._notifications


async def test_toggle_auto_continue(project, store, manager) -> None:
    app = PaneApp(project, store, manager)
    async with app.run_test(size=(100, 30)) as pilot:
        pane = app.query_one(RunnerPane)
        pane.query_one(LogView).focus()
        assert "auto-continue: off" in text_of(app, "#runner-tail")
        await pilot.press("A")
        await pilot.pause()
        assert pane.auto_continue and manager.auto_continue is True
        assert "auto-continue: on" in text_of(app, "#runner-tail")
        await pilot.press("A")
        assert manager.auto_continue is False


def footer_labels(app: App) -> list[str]:
    """What the footer shows: the active bindings it renders, as "key description"."""
    return [
        f"{active.binding.key_display or key} {active.binding.description}"
        for key, active in app.screen.active_bindings.items()
        if active.binding.show
    ]


async def test_narrow_footer_shows_only_what_is_needed_now_and_every_key_still_works(
    project, store, manager
) -> None:
    """At 80 columns the app's pane keys must fit after ours: Follow, Run phase…, Auto-cont.
    and an idle Continue leave the footer (their keys keep working); at 200 all are back."""
    add_run(store, project, "constitution", "done", lines=60)
    app = PaneApp(project, store, manager)
    async with app.run_test(size=(200, 50)) as pilot:
        pane = app.query_one(RunnerPane)
        pane.log_view.focus()
        await pilot.pause()
        wide = footer_labels(app)
        for label in ("end Follow", "n Run next", "p Run phase…", "c Continue", "A Auto-cont.",
                      "R Restart"):
            assert label in wide
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: "end Follow" not in footer_labels(app))
        assert footer_labels(app)[:1] == ["n Run next"]
        narrow = " ".join(footer_labels(app))
        for gone in ("Follow", "Run phase", "Continue", "Auto-cont", "Restart"):
            assert gone not in narrow
        await pilot.press("A")
        await wait_for(pilot, lambda: manager.auto_continue is True)
        await pilot.press("g")
        await wait_for(pilot, lambda: not pane.log_view.follow)
        await pilot.press("G")
        await wait_for(pilot, lambda: pane.log_view.follow)
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, PhasePickerScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, type(app.get_default_screen())))
        await pilot.press("c")  # Continue: not in the footer, still one key away
        await pilot.pause()
        assert isinstance(app.screen, RunnerConfirmScreen)  # implement before its predecessors
        await pilot.press("y")
        await wait_for(pilot, lambda: bool(manager.calls))
        assert manager.calls[0][:2] == ("start", "implement") and manager.calls[0][3]


async def test_narrow_footer_offers_continue_and_restart_when_they_are_the_point(
    project, store, manager
) -> None:
    for phase in ("constitution", "specify", "plan", "tasks"):
        add_run(store, project, phase, "done")
    add_run(store, project, "implement", "failed")
    app = PaneApp(project, store, manager)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(RunnerPane)
        pane.log_view.focus()
        await wait_for(pilot, lambda: "c Continue" in footer_labels(app))
        assert footer_labels(app)[:2] == ["n Run next", "c Continue"]
        add_run(store, project, "implement", "running", stalled=True, run_id="again")
        await wait_for(pilot, lambda: pane.has_class("-stalled"))
        await wait_for(pilot, lambda: footer_labels(app)[:2] == ["X Stop", "R Restart"])


async def test_a_finished_run_rings_and_notifies(project, store, manager) -> None:
    run = add_run(store, project, "tasks", "running", lines=1)
    app = PaneApp(project, store, manager)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: "▶ tasks" in text_of(app, "#runner-status"))
        manager.finish(run.run_id, "done", 0)
        await wait_for(pilot, lambda: app.finished)
        assert app.bells == 1
        assert app.finished[0].run_id == run.run_id
        assert any("tasks done (exit 0)" in n.message for n in app._notifications)
        assert "no phase running" in text_of(app, "#runner-status")


async def test_old_finished_runs_do_not_ring_on_open(project, store, manager) -> None:
    add_run(store, project, "plan", "done", ended=NOW)
    app = PaneApp(project, store, manager)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.3)
        assert app.bells == 0 and not app.finished


# --- tasks and ETA -----------------------------------------------------------------------------


def write_tasks(project: Project, done: int, total: int) -> Path:
    feature = project.root / "specs" / "001-demo"
    feature.mkdir(parents=True, exist_ok=True)
    lines = [f"- [{'x' if i < done else ' '}] T{i + 1:03d} task {i + 1}" for i in range(total)]
    path = feature / "tasks.md"
    path.write_text("# Tasks\n\n" + "\n".join(lines) + "\n")
    return path


async def test_tasks_count_is_live_and_gives_an_eta(project, store, manager) -> None:
    for phase in ("constitution", "specify", "plan", "tasks"):
        add_run(store, project, phase, "done", ended=NOW - timedelta(hours=1))
    add_run(store, project, "implement", "running", lines=1)
    write_tasks(project, 2, 10)
    now = [NOW]
    app = PaneApp(project, store, manager, clock=lambda: now[0])
    async with app.run_test(size=(160, 30)) as pilot:
        pane = app.query_one(RunnerPane)
        await wait_for(pilot, lambda: "tasks 2/10" in text_of(app, "#runner-status"))
        assert "no task done yet" in text_of(app, "#runner-status")
        # Two more tasks in 4 minutes -> 2 min per task -> 6 left -> 12 minutes.
        now[0] = NOW + timedelta(minutes=4)
        write_tasks(project, 4, 10)
        pane.tasks_changed()
        await wait_for(pilot, lambda: "tasks 4/10" in text_of(app, "#runner-status"))
        assert "ETA ~12m00s" in text_of(app, "#runner-status")


class QuietPaneApp(PaneApp):
    """No periodic refresh: only what a test triggers reads tasks.md."""

    def compose(self) -> ComposeResult:
        yield RunnerPane(*self.pane_args, manager=self.manager, clock=self.clock,
                         refresh_interval=3600, id="runner")


def counting_tasks(monkeypatch, gate: threading.Event | None = None) -> list[int]:
    """Wrap count_tasks: record each call; with `gate`, the first call waits for it."""
    import specui.core.tasks as tasks_module

    real = tasks_module.count_tasks
    calls: list[int] = []

    def count(text: str):
        calls.append(1)
        if gate is not None and len(calls) == 1:
            gate.wait(10)
        return real(text)

    monkeypatch.setattr(tasks_module, "count_tasks", count)
    return calls


async def test_tasks_changed_bursts_cost_at_most_two_counts(project, store, manager,
                                                            monkeypatch) -> None:
    add_run(store, project, "implement", "running", lines=1)
    write_tasks(project, 0, 40)
    app = QuietPaneApp(project, store, manager)
    async with app.run_test(size=(160, 30)) as pilot:
        pane = app.query_one(RunnerPane)
        await wait_for(pilot, lambda: "tasks 0/40" in text_of(app, "#runner-status"))
        calls = counting_tasks(monkeypatch)
        for done in range(1, 31):  # an agent ticking off 30 tasks as fast as it can
            write_tasks(project, done, 40)
            pane.tasks_changed()
        await wait_for(pilot, lambda: "tasks 30/40" in text_of(app, "#runner-status"))
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert 1 <= len(calls) <= 2  # one count in flight, one more for everything after it
        assert "tasks 30/40" in text_of(app, "#runner-status")


async def test_tasks_changed_from_the_watcher_thread(project, store, manager) -> None:
    add_run(store, project, "implement", "running", lines=1)
    write_tasks(project, 1, 4)
    app = QuietPaneApp(project, store, manager)
    async with app.run_test(size=(160, 30)) as pilot:
        pane = app.query_one(RunnerPane)
        await wait_for(pilot, lambda: "tasks 1/4" in text_of(app, "#runner-status"))
        write_tasks(project, 3, 4)
        thread = threading.Thread(target=pane.tasks_changed)
        thread.start()
        await wait_for(pilot, lambda: "tasks 3/4" in text_of(app, "#runner-status"))
        thread.join(5)


async def test_a_slow_refresh_never_overwrites_a_newer_task_count(project, store, manager,
                                                                   monkeypatch) -> None:
    add_run(store, project, "implement", "running", lines=1)
    write_tasks(project, 2, 10)
    app = QuietPaneApp(project, store, manager)
    async with app.run_test(size=(160, 30)) as pilot:
        pane = app.query_one(RunnerPane)
        await wait_for(pilot, lambda: "tasks 2/10" in text_of(app, "#runner-status"))
        gate = threading.Event()
        calls = counting_tasks(monkeypatch, gate)
        write_tasks(project, 3, 10)
        pane.refresh_now()  # its count (3/10) blocks in the gate ...
        await wait_for(pilot, lambda: len(calls) == 1)
        write_tasks(project, 5, 10)
        pane.tasks_changed()  # ... while the watcher reports a newer file
        await wait_for(pilot, lambda: "tasks 5/10" in text_of(app, "#runner-status"))
        gate.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "tasks 5/10" in text_of(app, "#runner-status")


async def test_eta_for_other_phases_uses_the_typical_duration(project, store, manager) -> None:
    add_run(
        store,
        project,
        "plan",
        "done",
        started=NOW - timedelta(hours=2),
        ended=NOW - timedelta(hours=2) + timedelta(minutes=20),
        run_id="old-plan",
    )
    add_run(store, project, "plan", "running", started=NOW - timedelta(minutes=5))
    app = PaneApp(project, store, manager)
    async with app.run_test(size=(160, 30)) as pilot:
        await wait_for(pilot, lambda: "ETA ~15m00s (typical)" in text_of(app, "#runner-status"))


# --- snapshots ---------------------------------------------------------------------------------


def snapshot_app(tmp_path: Path, *, stalled: bool) -> PaneApp:
    project = Project.at(tmp_path)
    store = SessionStore.open(project)
    manager = FakeManager(project, store)
    add_run(
        store,
        project,
        "constitution",
        "done",
        started=NOW - timedelta(hours=1),
        ended=NOW - timedelta(minutes=50),
    )
    add_run(
        store,
        project,
        "specify",
        "done",
        started=NOW - timedelta(minutes=45),
        ended=NOW - timedelta(minutes=30),
    )
    run = add_run(
        store,
        project,
        "plan",
        "running",
        stalled=stalled,
        started=NOW - timedelta(minutes=12, seconds=3),
    )
    lines = (
        ["\x1b[1;34mcodex\x1b[0m reading .codex/prompts/speckit.plan.md"]
        + [f"\x1b[90m{i:03d}\x1b[0m thinking about the data model, step {i}" for i in range(40)]
        + [
            "text with [bold]markup[/] and [/] shown literally",
            "\x1b[2Jclear-screen and \x1b]52;c;ZXZpbA==\x07clipboard writes are stripped",
            "\x1b[32m✔ wrote specs/001-demo/plan.md\x1b[0m",
        ]
    )
    path = manager.log_path(run)
    path.write_bytes("".join(line + "\n" for line in lines).encode())
    quiet = (NOW - timedelta(seconds=4 if not stalled else 660)).timestamp()
    os.utime(path, (quiet, quiet))
    return PaneApp(project, store, manager)


async def _settle(pilot) -> None:
    view = pilot.app.query_one(LogView)
    await wait_for(pilot, lambda: view.line_count == 44)
    await wait_for(pilot, lambda: "elapsed" in text_of(pilot.app, "#runner-status"))
    view.focus()
    await wait_for(pilot, lambda: view.scroll_y == view.max_scroll_y > 0)
    bar = view.vertical_scrollbar
    await wait_for(
        pilot,
        lambda: (
            bar.window_virtual_size == view.virtual_size.height and bar.position == view.scroll_y
        ),
    )
    await pilot.wait_for_scheduled_animations()
    await pilot.pause(0.2)


def test_snapshot_running_80x24(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(
        snapshot_app(tmp_path, stalled=False), terminal_size=(80, 24), run_before=_settle
    )


def test_snapshot_stalled_160x48(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(
        snapshot_app(tmp_path, stalled=True), terminal_size=(160, 48), run_before=_settle
    )
