"""RunnerPane through Pilot. The manager is the real PhaseManager with the process side
replaced (start/stop/refresh record calls and edit the store), so everything the pane shows
comes from the runner's own view(): phase truth, vitals (status.json written by the test),
workflow runs. Snapshots at 80x24 and 160x48 use a frozen clock.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar

import pytest
from textual import on
from textual.app import App, ComposeResult

from specui.core.config import RunnerConfig
from specui.core.errors import SpecuiError
from specui.core.paths import Project
from specui.runner.manager import PhaseManager
from specui.runner.supervisor import RunStatus
from specui.store import PhaseRun, SessionStore
from specui.ui.actions import FooterAwareScreen
from specui.ui.messages import StoreChanged
from specui.ui.screens.confirm import ConfirmScreen
from specui.ui.screens.runner import LogSearchScreen, PastRunsScreen, PhasePickerScreen
from specui.ui.services.store_fanout import StoreFanout
from specui.ui.widgets.footer import Footer
from specui.ui.widgets.log_view import LogView
from specui.ui.widgets.runner_pane import CSS_PATH, RunnerPane

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


class FakeManager(PhaseManager):
    """The real PhaseManager (phase rows, vitals, workflows, follow-ups), minus processes."""

    def __init__(self, project: Project, store: SessionStore, config: RunnerConfig) -> None:
        super().__init__(project, store, config)
        self.clock = lambda: NOW
        self.calls: list[tuple] = []
        self.fail_with: str | None = None
        self.refresh_error: str | None = None
        self._n = 0

    def start(self, phase, *, input_override=None, force=False, continue_message=None):
        self.calls.append(("start", phase, force, continue_message))
        if self.fail_with:
            raise SpecuiError(self.fail_with)
        self._n += 1
        run = PhaseRun(run_id=f"{phase}-2026030{self._n}-120000", phase=phase,
                       status="running", started_at=NOW,
                       log=f"orchestrator/{phase}-2026030{self._n}-120000.md",
                       command=["fake-codex"])
        path = self.log_path(run)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")
        self.store.update(lambda s: s.runs.append(run))
        return run

    def stop(self, run_id=None):
        self.calls.append(("stop", run_id))
        self.finish(run_id, "stopped", 143)

    def refresh(self, *, follow_up=True):
        if self.refresh_error:
            raise SpecuiError(self.refresh_error)
        return self.active()

    def decide_gate(self, workflow_run_id, decision):
        self.calls.append(("decide_gate", workflow_run_id, decision))

    def start_lane(self, key, invocation):
        self.calls.append(("start_lane", key, invocation))

    def finish(self, run_id, status="done", code=0):
        def change(s):
            for run in s.runs:
                if run.run_id == run_id or (run_id is None and run.status == "running"):
                    run.status, run.exit_code, run.ended_at = status, code, NOW

        self.store.update(change)


class PaneApp(App[None]):
    CSS_PATH: ClassVar = [CSS_PATH]

    def __init__(self, project, store, manager, config=None, refresh_interval=0.1) -> None:
        super().__init__()
        self.pane_args = (project, store, config or manager.config)
        self.refresh_interval = refresh_interval
        self.manager = manager
        self.bells = 0
        self.finished: list = []

    def get_default_screen(self) -> FooterAwareScreen:
        return FooterAwareScreen()  # the footer asks the pane what to list, as the workbench's

    def compose(self) -> ComposeResult:
        yield RunnerPane(*self.pane_args, manager=self.manager, clock=lambda: NOW,
                         refresh_interval=self.refresh_interval, id="runner")
        # The workbench's footer: Textual's rebuilds itself on every refresh of the pane (ten a
        # second here), and a snapshot taken during a rebuild showed an empty footer line.
        yield Footer()

    def on_mount(self) -> None:
        # As the workbench does: the store fan-out posts StoreChanged, the runner pane refreshes.
        self.fanout = StoreFanout(self.pane_args[1], self)
        self.fanout.start()

    def on_unmount(self) -> None:
        self.fanout.stop()

    @on(StoreChanged)
    def _store_changed(self, _message: StoreChanged) -> None:
        for pane in self.query(RunnerPane):  # none while the app shuts down
            pane.refresh_now()

    def bell(self) -> None:
        self.bells += 1

    def on_runner_pane_run_finished(self, event: RunnerPane.RunFinished) -> None:
        self.finished.append(event.run)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A project handed off: orchestrator/input holds the blocks the first phases need."""
    project = Project.at(tmp_path)
    project.orchestrator_input.parent.mkdir(parents=True, exist_ok=True)
    project.orchestrator_input.write_text(
        "<constitution>c</constitution>\n<specify>s</specify>\n<plan>p</plan>\n")
    return project


@pytest.fixture
def store(project: Project) -> SessionStore:
    return SessionStore.open(project)


@pytest.fixture
def manager(project: Project, store: SessionStore) -> FakeManager:
    return FakeManager(project, store, RunnerConfig(notify=True))


async def wait_for(pilot, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.02)


async def viewed_pane(pilot) -> RunnerPane:
    """The pane, once it has the runner's first view."""
    pane = pilot.app.query_one(RunnerPane)
    await wait_for(pilot, lambda: pane.runner_view is not None)
    return pane


def text_of(app: App, selector: str) -> str:
    return str(app.query_one(selector).render())


def add_run(store, project, phase, status, *, lines=0, started=NOW - timedelta(minutes=5),
            ended=None, n=1, stalled=False, log: str | None = None) -> PhaseRun:
    run = PhaseRun(run_id=f"{phase}-2026030{n}-115500", phase=phase, status=status,
                   stalled=stalled, started_at=started, ended_at=ended,
                   log=log or f"orchestrator/{phase}-2026030{n}-115500.md", command=["fake-codex"],
                   exit_code=0 if status == "done" else None)
    path = project.root / run.log
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(f"{phase} output {i}\n".encode() for i in range(lines)))
    store.update(lambda s: s.runs.append(run))
    return run


def write_status(project: Project, run: PhaseRun, **fields) -> None:
    status = RunStatus(run_id=run.run_id, phase=run.phase, state="running",
                       started_at=run.started_at, **fields)
    folder = project.runs_dir / run.run_id
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "status.json").write_text(status.model_dump_json())


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


# --- phases and status -------------------------------------------------------------------------


async def test_idle_pane_lists_the_configured_phases(project, store, manager) -> None:
    async with PaneApp(project, store, manager).run_test(size=(160, 30)) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: "specify" in text_of(app, "#runner-phases"))
        assert "no phase running" in text_of(app, "#runner-status")
        phases = text_of(app, "#runner-phases")
        order = [phases.index(p) for p in ("constitution", "specify", "plan", "tasks",
                                           "implement")]
        assert order == sorted(order)
        assert "next: constitution (n)" in text_of(app, "#runner-status")


async def test_configured_phase_list_is_what_the_pane_shows(project, store) -> None:
    manager = FakeManager(project, store, RunnerConfig(
        phases=["constitution", "specify", "clarify", "plan", "tasks", "implement"]))
    async with PaneApp(project, store, manager).run_test(size=(160, 30)) as pilot:
        await wait_for(pilot, lambda: "clarify" in text_of(pilot.app, "#runner-phases"))


async def test_implement_is_pending_while_tasks_md_is_not_done(project, store, manager) -> None:
    for n, phase in enumerate(("constitution", "specify", "plan", "tasks", "implement"), 1):
        add_run(store, project, phase, "done", n=n, ended=NOW - timedelta(minutes=1))
    feature = project.root / "specs" / "001-demo"
    feature.mkdir(parents=True)
    (feature / "tasks.md").write_text("- [x] T001 a\n- [ ] T002 b\n")
    async with PaneApp(project, store, manager).run_test(size=(160, 30)) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: "next: implement" in text_of(app, "#runner-status"))
        assert "tasks 1/2" in text_of(app, "#runner-status")
        (feature / "tasks.md").write_text("- [x] T001 a\n- [x] T002 b\n")
        app.query_one(RunnerPane).tasks_changed()
        await wait_for(pilot, lambda: "next:" not in text_of(app, "#runner-status"))
        assert "tasks 2/2" in text_of(app, "#runner-status")


async def test_run_next_starts_the_phase_and_streams_its_log(project, store, manager) -> None:
    async with PaneApp(project, store, manager).run_test(size=(160, 30)) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: app.query_one(RunnerPane).runner_view is not None)
        app.query_one(RunnerPane).focus()
        await pilot.press("n")
        await wait_for(pilot, lambda: manager.calls[:1] == [("start", "constitution", False,
                                                              None)])
        await wait_for(pilot, lambda: "▶ constitution" in text_of(app, "#runner-status"))
        log = manager.log_path(store.state.runs[-1])
        stream(log, [f"line {i}" for i in range(50)]).join()
        view = app.query_one(LogView)
        await wait_for(pilot, lambda: view.line_count == 50)


async def test_a_phase_during_an_unfinished_interview_is_asked_for(project, store, manager) -> None:
    # Trial H18: an answer typed where the keys were commands ran `n`, which started a phase
    # from a half-empty SPEC.md in the middle of the interview.
    from specui.ui.screens.confirm import ConfirmScreen

    store.update(lambda s: setattr(s.interview, "status", "active"))
    async with PaneApp(project, store, manager).run_test(size=(160, 30)) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: app.query_one(RunnerPane).runner_view is not None)
        app.query_one(RunnerPane).focus()
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "The interview is still on. Run constitution anyway?" in str(
            app.screen.query_one("#confirm-title").render())
        await pilot.press("n")  # the next letter of the typed answer: No
        await pilot.pause(0.2)
        assert manager.calls == []
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: manager.calls[:1] == [("start", "constitution", False,
                                                              None)])


async def test_missing_predecessor_asks_with_the_shared_confirm(project, store, manager) -> None:
    async with PaneApp(project, store, manager).run_test(size=(160, 30)) as pilot:
        app = pilot.app
        pane = await viewed_pane(pilot)
        pane.run_phase("plan")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: manager.calls == [("start", "plan", True, None)])


async def test_picker_offers_spec_kit_phases_whose_prompts_exist(project, store,
                                                                 manager) -> None:
    for phase in ("constitution", "clarify", "analyze"):
        path = project.skill_prompt(phase)
        path.parent.mkdir(parents=True)
        path.write_text("---\nname: x\n---\n")
    async with PaneApp(project, store, manager).run_test(size=(160, 30)) as pilot:
        app = pilot.app
        pane = await viewed_pane(pilot)
        assert pane.runner_view.others == ["clarify", "analyze"]
        pane.choose_phase()
        await wait_for(pilot, lambda: isinstance(app.screen, PhasePickerScreen))
        await pilot.press("6")  # the five configured phases, then clarify
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))  # specify first?
        await pilot.press("y")
        await wait_for(pilot, lambda: manager.calls == [("start", "clarify", True, None)])


async def test_choose_phase_picker(project, store, manager) -> None:
    add_run(store, project, "constitution", "done", ended=NOW)
    async with PaneApp(project, store, manager).run_test(size=(160, 30)) as pilot:
        app = pilot.app
        pane = await viewed_pane(pilot)
        pane.choose_phase()
        await wait_for(pilot, lambda: isinstance(app.screen, PhasePickerScreen))
        await pilot.press("2")
        await wait_for(pilot, lambda: manager.calls == [("start", "specify", False, None)])


async def test_start_and_refresh_errors_are_notifications(project, store, manager) -> None:
    manager.fail_with = "runner command not found: 'codex'"
    async with PaneApp(project, store, manager).run_test(size=(160, 30)) as pilot:
        app = pilot.app
        pane = await viewed_pane(pilot)
        pane.run_phase("constitution")
        await wait_for(pilot, lambda: any("not found" in n.message
                                          for n in app._notifications))
        manager.refresh_error = "status.json unreadable"
        await wait_for(pilot, lambda: any("unreadable" in n.message
                                          for n in app._notifications))
        assert pane.is_mounted


# --- stalls come from the runner -----------------------------------------------------------------


async def test_stall_is_the_supervisors_verdict_with_the_last_notice(project, store,
                                                                     manager) -> None:
    run = add_run(store, project, "plan", "running", started=NOW - timedelta(minutes=15))
    write_status(project, run, stalled=True,
                 last_output_at=NOW - timedelta(seconds=5),  # retry notices keep coming...
                 last_progress_at=NOW - timedelta(minutes=11),  # ...but no progress
                 last_notice="Reconnecting... waiting for network")
    async with PaneApp(project, store, manager).run_test(size=(160, 30)) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: app.query_one(RunnerPane).has_class("-stalled"))
        banner = text_of(app, "#runner-stall")
        assert "STALLED plan — no progress for 11m00s" in banner
        assert "last: Reconnecting... waiting for network" in banner
        assert "X: stop · R: restart" in banner
        assert "⚠ plan" in text_of(app, "#runner-phases")
        await pilot.pause(0.5)  # several refreshes: still one notice, one bell
        stalls = [n for n in app._notifications if n.title == "Phase stalled"]
        assert len(stalls) == 1 and app.bells == 1
        assert "last: Reconnecting... waiting for network — X stops it" in stalls[0].message
        # the pane never decides on its own: progress resumes only when the runner says so
        write_status(project, run, stalled=False, last_progress_at=NOW)
        await wait_for(pilot, lambda: not app.query_one(RunnerPane).has_class("-stalled"))


async def test_output_without_progress_is_not_progress_on_screen(project, store,
                                                                 manager) -> None:
    run = add_run(store, project, "plan", "running", started=NOW - timedelta(minutes=3))
    write_status(project, run, last_output_at=NOW, last_progress_at=NOW - timedelta(minutes=2))
    async with PaneApp(project, store, manager).run_test(size=(160, 30)) as pilot:
        await wait_for(pilot, lambda: "last progress 2m00s ago"
                       in text_of(pilot.app, "#runner-status"))


async def test_restart_a_stalled_run_stops_then_starts(project, store, manager) -> None:
    run = add_run(store, project, "plan", "running")
    write_status(project, run, stalled=True, last_progress_at=NOW - timedelta(minutes=20))
    async with PaneApp(project, store, manager).run_test(size=(160, 30)) as pilot:
        app = pilot.app
        pane = app.query_one(RunnerPane)
        await wait_for(pilot, lambda: pane.has_class("-stalled"))
        pane.focus()
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: [c[0] for c in manager.calls] == ["stop", "start"])
        assert manager.calls[1][:3] == ("start", "plan", True)


async def test_unavailable_actions_say_why(project, store, manager) -> None:
    async with PaneApp(project, store, manager).run_test(size=(160, 30)) as pilot:
        app = pilot.app
        pane = await viewed_pane(pilot)
        pane.focus()
        await pilot.press("X")
        await wait_for(pilot, lambda: any(n.message == "no phase running"
                                          for n in app._notifications))
        await pilot.press("Y")
        await wait_for(pilot, lambda: any("no Spec Kit workflow run is waiting" in n.message
                                          for n in app._notifications))
        # Found in tmux: c before any implement run asked "tasks never completed. Run
        # implement anyway?" as if there were something to continue.
        await pilot.press("c")
        await wait_for(pilot, lambda: any("implement has not run yet" in n.message
                                          for n in app._notifications))
        assert manager.calls == [] and type(app.screen).__name__ != "ConfirmScreen"


async def test_a_finished_run_rings_and_notifies(project, store, manager) -> None:
    run = add_run(store, project, "plan", "running")
    async with PaneApp(project, store, manager).run_test(size=(160, 30)) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: "▶ plan" in text_of(app, "#runner-status"))
        manager.finish(run.run_id, "failed", 143)
        await wait_for(pilot, lambda: app.finished)
        assert app.bells == 1 and app.finished[0].exit_code == 143


async def test_eta_for_implement_comes_from_the_task_rate(project, store, manager) -> None:
    feature = project.root / "specs" / "001-demo"
    feature.mkdir(parents=True)
    (feature / "tasks.md").write_text("".join(
        f"- [{'x' if i < 4 else ' '}] T{i:03d} t\n" for i in range(10)))
    run = add_run(store, project, "implement", "running", started=NOW - timedelta(minutes=20))
    folder = project.runs_dir / run.run_id
    folder.mkdir(parents=True)
    (folder / "spec.json").write_text(json.dumps({
        "run_id": run.run_id, "phase": "implement", "argv": ["x"], "cwd": str(project.root),
        "log_path": str(project.root / run.log), "log_rel": run.log, "tasks_before": 2}))
    async with PaneApp(project, store, manager).run_test(size=(160, 30)) as pilot:
        # 2 tasks in 20 minutes, 6 left: 60 minutes
        await wait_for(pilot, lambda: "ETA ~1h00m" in text_of(pilot.app, "#runner-status"))
        assert "tasks 4/10" in text_of(pilot.app, "#runner-status")


# --- past runs, search, workflows, handoff ---------------------------------------------------------


@pytest.mark.parametrize("shared_id", [False, True], ids=["own-ids", "one-id-twice"])
async def test_past_runs_open_an_earlier_log(project, store, manager, shared_id) -> None:
    """A session may hold one run id twice (two processes started in the same second without a
    claim): the row picked is the run shown, not the first run with its id."""
    older = add_run(store, project, "plan", "done", lines=3, n=1, ended=NOW,
                    log="orchestrator/older.md")
    newer = add_run(store, project, "plan", "done", lines=7, n=1 if shared_id else 2, ended=NOW,
                    log="orchestrator/newer.md")
    assert (older.run_id == newer.run_id) == shared_id
    async with PaneApp(project, store, manager).run_test(size=(160, 30)) as pilot:
        app = pilot.app
        pane = app.query_one(RunnerPane)
        view = app.query_one(LogView)
        await wait_for(pilot, lambda: view.line_count == 7)
        pane.past_runs()
        await wait_for(pilot, lambda: isinstance(app.screen, PastRunsScreen))
        await pilot.press("down", "down", "enter")  # newest first: the second is the old one
        await wait_for(pilot, lambda: view.path == manager.log_path(older))
        await wait_for(pilot, lambda: view.line_count == 3)
        assert "viewing past run plan done" in text_of(app, "#runner-status")
        await pilot.pause(0.3)  # several refreshes: still the chosen log
        assert view.path == manager.log_path(older)
        pane.past_runs()
        await wait_for(pilot, lambda: isinstance(app.screen, PastRunsScreen))
        await pilot.press("enter")  # "follow the current run"
        await wait_for(pilot, lambda: view.path == manager.log_path(newer))
        await wait_for(pilot, lambda: view.line_count == 7)


async def test_a_past_run_stays_shown_while_another_runs_until_a_new_one_starts(
        project, store, manager) -> None:
    old = add_run(store, project, "constitution", "done", lines=3, n=1, ended=NOW)
    add_run(store, project, "specify", "running", lines=5, n=2)
    async with PaneApp(project, store, manager).run_test(size=(160, 30)) as pilot:
        app = pilot.app
        pane = app.query_one(RunnerPane)
        view = app.query_one(LogView)
        await wait_for(pilot, lambda: view.line_count == 5)
        pane.past_runs()
        await wait_for(pilot, lambda: isinstance(app.screen, PastRunsScreen))
        await pilot.press("down", "down", "enter")
        await wait_for(pilot, lambda: view.path == manager.log_path(old))
        await pilot.pause(0.4)  # several refreshes: still the chosen log
        assert view.path == manager.log_path(old)
        manager.finish(None, "done")
        run = manager.start("plan", force=True)
        await wait_for(pilot, lambda: view.path == manager.log_path(run))


async def test_search_covers_the_whole_log_and_n_steps(project, store, manager) -> None:
    run = add_run(store, project, "implement", "done", ended=NOW)
    log = manager.log_path(run)
    log.write_bytes(b"".join(
        (b"NEEDLE at %d\n" % i) if i in (10, 5000, 19990) else (b"line %d\n" % i)
        for i in range(20000)))
    async with PaneApp(project, store, manager).run_test(size=(120, 30)) as pilot:
        app = pilot.app
        view = app.query_one(LogView)
        await wait_for(pilot, lambda: view.line_count == 20000)
        view.focus()
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.screen, LogSearchScreen))
        await pilot.press(*"needle", "enter")
        # Forward from where the view is (it was following the end): the last match. The
        # tail line shows it once the pane has had LogView's SearchChanged, a message after
        # match_count is set: wait for the line, not for match_count.
        await wait_for(pilot, lambda: "match 3/3" in text_of(app, "#runner-tail"))
        assert view.match_rows == [10, 5000, 19990]  # smart case: any case
        assert "NEEDLE at 19990" in view.get_line_text(19990)
        await pilot.press("n")
        await wait_for(pilot, lambda: view.match_index == 0)  # wraps to the top
        assert view.scroll_y <= 10 < view.scroll_y + view.size.height
        await pilot.press("n")
        await wait_for(pilot, lambda: "match 2/3" in text_of(app, "#runner-tail"))
        assert view.scroll_y <= 5000 < view.scroll_y + view.size.height
        await pilot.press("N", "N")
        await wait_for(pilot, lambda: view.match_index == 2)  # and back around
        view.search("Needle")  # a capital: exact case
        await wait_for(pilot, lambda: "no match" in text_of(app, "#runner-tail"))
        assert view.match_count == 0
        # no matches: n is the runner's "run next" again
        await pilot.press("n")
        await wait_for(pilot, lambda: manager.calls and manager.calls[0][0] == "start")


async def test_esc_clears_the_search_and_n_runs_next_again(project, store, manager) -> None:
    # Found in tmux: after a search, `n` stayed "next match" with no way back to "run next".
    run = add_run(store, project, "constitution", "done", ended=NOW)
    manager.log_path(run).write_bytes(b"".join(b"line %d\n" % i for i in range(200)))
    async with PaneApp(project, store, manager).run_test(size=(120, 30)) as pilot:
        app = pilot.app
        view = app.query_one(LogView)
        await wait_for(pilot, lambda: view.line_count == 200)
        view.focus()
        view.search("line 15")
        # The tail line follows LogView's SearchChanged, a message after match_count is set:
        # wait for the line (a fresh-clone CI run asserted while it still said "searching…").
        await wait_for(pilot, lambda: "Esc clears" in text_of(app, "#runner-tail"))
        assert view.match_count == 11
        await pilot.press("escape")
        await wait_for(pilot, lambda: "search" not in text_of(app, "#runner-tail"))
        assert not view.search_needle
        await pilot.press("n")
        await wait_for(pilot, lambda: manager.calls and manager.calls[0][0] == "start")


async def test_a_paused_gate_is_shown_and_approved(project, store, manager) -> None:
    runs = project.root / ".specify" / "workflows" / "runs" / "ab12cd34"
    runs.mkdir(parents=True)
    (runs / "state.json").write_text(json.dumps({
        "run_id": "ab12cd34", "workflow_id": "speckit", "status": "paused",
        "current_step_id": "review-spec", "updated_at": "2026-03-01T12:00:00+00:00",
        "step_results": {"specify": {"type": "command", "status": "completed"},
                         "review-spec": {"type": "gate", "status": "paused", "output": {
                             "message": "Review the spec [bold]now[/]",
                             "options": ["approve", "reject"]}}}}))
    async with PaneApp(project, store, manager).run_test(size=(160, 30)) as pilot:
        app = pilot.app
        pane = app.query_one(RunnerPane)
        await wait_for(pilot, lambda: pane.has_class("-gate"))
        line = text_of(app, "#runner-workflows")
        assert "workflow speckit (ab12cd34) waits at gate review-spec" in line
        assert "Review the spec [bold]now[/]" in line  # data, never markup
        pane.focus()
        await pilot.press("Y")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: manager.calls == [("decide_gate", "ab12cd34",
                                                          "approve")])


async def open_handoff(pilot, project: Project) -> None:
    """H in the pane of a project whose SPEC.md is the template: the handoff screen."""
    from specui.core.spec import render_spec_template

    project.spec.write_text(render_spec_template("demo"))
    pane = await viewed_pane(pilot)
    pane.focus()
    await pilot.press("H")
    await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "HandoffScreen")


async def test_handoff_key_drafts_input_and_starts_a_lane(project, store, manager) -> None:
    async with PaneApp(project, store, manager).run_test(size=(160, 40)) as pilot:
        await open_handoff(pilot, project)
        assert project.orchestrator_input.is_file()
        await pilot.press("4")  # $autopilot
        await wait_for(pilot, lambda: manager.calls and manager.calls[0][0] == "start_lane")
        assert manager.calls[0][1] == "autopilot"
        assert manager.calls[0][2].startswith("$autopilot .omx/specs/")
        state = json.loads((project.root / ".omx" / "state" / "autopilot-state.json").read_text())
        contract = state["state"]["handoff_artifacts"]["deep_interview"]["execution_contract"]
        assert contract["execution_stride"] == "task"


async def test_the_handoff_keys_show_and_the_options_scroll_at_80x24(project, store, manager):
    # Found in tmux: at 80x24 the options overflowed the modal, its keys line (at the end) was
    # never visible and PgDn did nothing.
    from specui.ui.screens.runner import HANDOFF_KEYS

    async with PaneApp(project, store, manager).run_test(size=(80, 24)) as pilot:
        app = pilot.app
        await open_handoff(pilot, project)
        await pilot.pause()
        body = app.screen.query_one("#runner-modal")
        keys = app.screen.query_one("#handoff-keys")  # under the title, whole, on screen
        assert str(keys.render()).split() == HANDOFF_KEYS.split()
        assert 0 <= keys.region.y and keys.region.bottom < 24
        assert body.max_scroll_y > 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert body.scroll_y > 0


# --- footer ---------------------------------------------------------------------------------------


async def test_narrow_footer_keeps_what_is_needed_now(project, store, manager) -> None:
    async with PaneApp(project, store, manager).run_test(size=(80, 24)) as pilot:
        app = pilot.app
        pane = await viewed_pane(pilot)
        pane.focus()

        def footer() -> str:
            return " ".join(str(w.render()) for w in app.query("FooterKey"))

        # The footer recomposes after the focus change (a refresh later on a loaded machine).
        await wait_for(pilot, lambda: "Run next" in footer())
        assert "Stop" not in footer()
        assert "Approve" not in footer() and "Search" not in footer()


# --- snapshots --------------------------------------------------------------------------------


def snapshot_app(tmp_path: Path, *, stalled: bool) -> PaneApp:
    project = Project.at(tmp_path)
    store = SessionStore.open(project)
    manager = FakeManager(project, store, RunnerConfig())
    add_run(store, project, "constitution", "done", n=1, started=NOW - timedelta(hours=1),
            ended=NOW - timedelta(minutes=50))
    add_run(store, project, "specify", "done", n=2, started=NOW - timedelta(minutes=45),
            ended=NOW - timedelta(minutes=30))
    run = add_run(store, project, "plan", "running", n=3,
                  started=NOW - timedelta(minutes=12, seconds=3))
    write_status(project, run, stalled=stalled,
                 last_output_at=NOW - timedelta(seconds=4),
                 last_progress_at=NOW - timedelta(seconds=4 if not stalled else 660),
                 last_notice="Reconnecting... waiting for network" if stalled else "")
    lines = (
        ["\x1b[1;34mcodex\x1b[0m $speckit-plan Use SQLite"]
        + [f"\x1b[90m{i:03d}\x1b[0m thinking about the data model, step {i}" for i in range(40)]
        + [
            "text with [bold]markup[/] and [/] shown literally",
            "\x1b[2Jclear-screen and \x1b]52;c;ZXZpbA==\x07clipboard writes are stripped",
            "\x1b[32m✔ wrote specs/001-demo/plan.md\x1b[0m",
        ]
    )
    manager.log_path(run).write_bytes("".join(line + "\n" for line in lines).encode())
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
    if pilot.app.query_one(RunnerPane).has_class("-stalled"):  # its one notice is on screen
        await wait_for(pilot, lambda: len(pilot.app.screen.query("Toast")) == 1)
    # The footer recomposes for the focused log view (a refresh later on a loaded machine).
    await wait_for(pilot, lambda: "Stop" in " ".join(str(w.render()) for w in pilot.app.query("FooterKey")))
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


class SlowViewManager(FakeManager):
    """The first view of the project takes a while (a slow disk, a big tasks.md)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.release = threading.Event()

    def view(self, *args, **kwargs):
        self.release.wait(10)
        return super().view(*args, **kwargs)


async def test_run_next_pressed_before_the_first_view_runs_once_it_arrives(project, store) -> None:
    manager = SlowViewManager(project, store, RunnerConfig(notify=True))
    async with PaneApp(project, store, manager).run_test(size=(160, 30)) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: bool(app.query(RunnerPane)))
        pane = app.query_one(RunnerPane)
        pane.focus()
        await pilot.press("n")
        await pilot.pause(0.1)
        assert pane.runner_view is None and manager.calls == []
        assert not [n for n in app._notifications if "done" in n.message]
        manager.release.set()
        await wait_for(pilot, lambda: manager.calls[:1] == [("start", "constitution", False,
                                                              None)])


async def test_continue_picks_up_an_implement_run_that_ended_with_tasks_open(project, store,
                                                                            manager) -> None:
    # Found in the user trial: implement ended (exit 0) with 2 of 3 tasks open, so its row
    # is "pending" by design, and `c` said "implement has not run yet".
    for n, phase in enumerate(("constitution", "specify", "plan", "tasks", "implement"), 1):
        add_run(store, project, phase, "done", n=n, ended=NOW - timedelta(minutes=1))
    feature = project.root / "specs" / "001-demo"
    feature.mkdir(parents=True)
    (feature / "tasks.md").write_text("- [x] T001 a\n- [ ] T002 b\n- [ ] T003 c\n")
    async with PaneApp(project, store, manager).run_test(size=(160, 30)) as pilot:
        app = pilot.app
        pane = app.query_one(RunnerPane)
        await wait_for(pilot, lambda: "next: implement" in text_of(app, "#runner-status"))
        pane.focus()
        await pilot.press("c")
        await wait_for(pilot, lambda: manager.calls)
        assert manager.calls[0][:2] == ("start", "implement")
        assert manager.calls[0][3]  # seed 002's continue message
        assert not any("has not run yet" in n.message for n in app._notifications)


async def test_implement_lines_tell_tasks_done_before_the_run_from_open_tasks(project, store,
                                                                              manager) -> None:
    # Found in the user trial: with 1 of 3 tasks done before the run, the status line said
    # "task 1/3 · ETA — (no task done yet)", and the run's end "implement done (exit 0)"
    # with 2 tasks open.
    feature = project.root / "specs" / "001-demo"
    feature.mkdir(parents=True)
    (feature / "tasks.md").write_text("- [x] T001 a\n- [ ] T002 b\n- [ ] T003 c\n")
    run = add_run(store, project, "implement", "running", started=NOW - timedelta(minutes=1))
    folder = project.runs_dir / run.run_id
    folder.mkdir(parents=True)
    (folder / "spec.json").write_text(json.dumps({
        "run_id": run.run_id, "phase": "implement", "argv": ["x"], "cwd": str(project.root),
        "log_path": str(project.root / run.log), "log_rel": run.log, "tasks_before": 1}))
    async with PaneApp(project, store, manager).run_test(size=(160, 30)) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: "▶ implement" in text_of(app, "#runner-status"))
        status = text_of(app, "#runner-status")
        assert "tasks 1/3" in status and "ETA — (no task finished in this run yet)" in status
        manager.finish(run.run_id, "done", 0)
        await wait_for(pilot, lambda: app.finished)
        await wait_for(pilot, lambda: "no phase running" in text_of(app, "#runner-status"))
        status = text_of(app, "#runner-status")
        assert "last: implement ended with 2 tasks open, exit 0" in status
        assert "implement done" not in status
        toast = next(n for n in app._notifications if n.title == "Phase finished")
        assert toast.message == "implement ended with 2 tasks open (exit 0) · c continues"


async def test_reattached_tail_line_counts_the_lines_already_in_the_log(project, store,
                                                                        manager) -> None:
    # Found in the user trial: reopening the workbench on a running phase showed its log and
    # "⏵ following · 0 lines" under it; the count came only with a later refresh of the pane.
    run = add_run(store, project, "constitution", "running", lines=42)
    # Only the first view (at mount): the count must follow the log, not the pane's refresh.
    app = PaneApp(project, store, manager, refresh_interval=3600)
    async with app.run_test(size=(120, 30)) as pilot:
        pane = app.query_one(RunnerPane)
        await wait_for(pilot, lambda: pane.log_view.path == manager.log_path(run))
        await wait_for(pilot, lambda: pane.log_view.line_count == 42)
        await wait_for(pilot, lambda: "following · 42 lines" in text_of(app, "#runner-tail"))
        stream(manager.log_path(run), ["one more"]).join()
        await wait_for(pilot, lambda: "following · 43 lines" in text_of(app, "#runner-tail"))


async def test_a_phase_without_its_input_block_names_the_handoff_key(tmp_path) -> None:
    # Found in the user trial: `n` in a fresh project said "`specui handoff` drafts it from
    # SPEC.md; or pass --input TEXT", the CLI's ways; in the workbench it is H.
    project = Project.at(tmp_path)
    store = SessionStore.open(project)
    manager = FakeManager(project, store, RunnerConfig())
    async with PaneApp(project, store, manager).run_test(size=(160, 30)) as pilot:
        app = pilot.app
        pane = await viewed_pane(pilot)
        pane.focus()
        await pilot.press("n")
        await wait_for(pilot, lambda: app._notifications)
        message = next(iter(app._notifications)).message
        assert message == ("orchestrator/input not found: constitution needs a "
                           "<constitution>…</constitution> block there — H drafts it from "
                           "SPEC.md")
        assert manager.calls == []


async def test_implement_without_tasks_md_is_not_called_done_when_its_phase_is_not(
        project, store, manager) -> None:
    add_run(store, project, "implement", "done", lines=3, ended=NOW - timedelta(minutes=1))
    async with PaneApp(project, store, manager).run_test(size=(160, 30)) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: "last: implement" in text_of(app, "#runner-status"))
        assert "last: implement ended, not done, exit 0" in text_of(app, "#runner-status")
