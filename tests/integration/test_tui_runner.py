"""The phase runner end to end through the workbench: the real SpecuiApp, the real PhaseManager
and supervisor, the REAL Codex CLI, a fake Responses server on 127.0.0.1 — driven with keys.

Covers issue 4's "Survives the workbench" and "Never babysat" from the user's side: start a
phase from the runner pane, watch Codex's output arrive, close the workbench mid-run (the run
goes on), reopen it (reattach: the log so far, then live tailing), stop it from the pane
(SIGTERM to the group, SIGKILL after the grace period, nothing left in /proc), and be told when
a phase ends (bell, notification, `tmux display-message`).
"""

from __future__ import annotations

import os
import re
import shlex
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import processes_with_marker

from specui.core.config import RunnerConfig, SpecuiConfig, UIConfig
from specui.core.paths import Project
from specui.runner.manager import group_alive, pid_alive
from specui.runner.supervisor import read_status
from specui.store import SessionStore
from specui.ui.app import SpecuiApp
from specui.ui.widgets.runner_pane import RunnerPane

pytestmark = pytest.mark.integration

SIZE = (160, 48)
CODEX = "codex exec --skip-git-repo-check --sandbox workspace-write -"


class BellApp(SpecuiApp):
    """The real workbench; only counts bells (a test terminal has nothing to ring)."""

    bells = 0

    def bell(self) -> None:
        self.bells += 1


def make_app(root: Path, **runner) -> BellApp:
    project = Project.at(root)
    config = SpecuiConfig(
        runner=RunnerConfig(**{"stop_grace_seconds": 2, **runner}),
        ui=UIConfig(theme="specui-dark"),
    )
    # No interviewer: these tests are about the runner pane (the interview has its own tests).
    return BellApp(project, store=SessionStore.open(project), config=config,
                   make_engine=False, watch=False, blink=False)


async def wait_until(pilot, predicate: Callable[[], object], what: str,
                     timeout: float = 60.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        await pilot.pause(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def wait_sync(predicate: Callable[[], object], what: str, timeout: float = 30.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def group_members(pgid: int) -> list[tuple[int, str]]:
    """Every process in /proc whose process group is `pgid`, zombies included (pid, state)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid:
            members.append((int(entry.name), fields[0]))
    return members


def parent_of(pid: int) -> int | None:
    try:
        return int((Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def pane_of(app: SpecuiApp) -> RunnerPane | None:
    panes = app.query(RunnerPane)
    return panes.first() if panes else None


def shown_lines(pane: RunnerPane) -> list[str]:
    view = pane.log_view
    return [view.get_line_text(i) for i in range(view.line_count)]


def steps_shown(pane: RunnerPane) -> list[int]:
    found = (re.search(r"Working on step (\d+) of", line) for line in shown_lines(pane))
    return [int(m.group(1)) for m in found if m]


def status_line(app: SpecuiApp) -> str:
    return str(app.query_one("#runner-status").render())


def last_run(root: Path):
    return SessionStore.open(Project.at(root)).state.runs[-1]


async def open_runner(pilot) -> RunnerPane:
    app = pilot.app
    pane = await wait_until(pilot, lambda: pane_of(app), "the runner pane to mount")
    await pilot.press("r")  # show the runner pane and focus it: its keys work from there
    await wait_until(pilot, lambda: pane.runner_view is not None,  # type: ignore[union-attr]
                     "the runner's first view")
    await pilot.pause()
    return pane  # type: ignore[return-value]


@pytest.fixture
def fake_tmux(tmp_path: Path, monkeypatch) -> Path:
    """A `tmux` first on PATH that records its argv (one line per call), with $TMUX set —
    so the detached supervisor, which inherits this environment, believes it runs in tmux."""
    bindir = tmp_path / "fake-bin"
    bindir.mkdir()
    record = tmp_path / "tmux-calls.txt"
    script = bindir / "tmux"
    script.write_text(
        "#!/bin/sh\n"
        f'printf "%s\\n" "$*" >> {shlex.quote(str(record))}\n'
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("TMUX", "/tmp/tmux-fake/default,4242,0")
    return record


async def test_start_from_the_pane_shows_codex_output_and_tells_the_user(
    legacy_project: Path, codex_env, fake_server, fake_tmux: Path
) -> None:
    fake_server.mode = "slow"
    # The model stays at step 1 until the test has seen the run running, then finishes.
    fake_server.steps, fake_server.step_delay = 3, 120
    fake_server.text = "Constitution drafted. [bold]not markup[/]"
    app = make_app(legacy_project)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_runner(pilot)
        assert "next: constitution (n)" in status_line(app)
        await pilot.press("n")  # constitution has no predecessor: starts without a question
        await wait_until(pilot, lambda: 1 in steps_shown(pane), "codex's first output line")
        run = app.store.state.runs[-1]
        assert run.phase == "constitution" and run.status == "running"
        assert "▶ constitution" in status_line(app) and "elapsed" in status_line(app)
        fake_server.release.set()
        await wait_until(pilot, lambda: app.store.state.runs[-1].status == "done",
                         "the phase to finish")
        # The footer is written last, after the final answer (the log view may have shown
        # the answer before the footer was there).
        await wait_until(pilot, lambda: any("- result: done" in line
                                            for line in shown_lines(pane)), "the footer")
        assert any("Constitution drafted. [bold]not markup[/]" in line
                   for line in shown_lines(pane))  # the final answer, as text
        assert steps_shown(pane)[:3] == [1, 2, 3]  # streamed in order, nothing lost
        await wait_until(pilot, lambda: app.bells == 1, "the bell")
        # The bell rings at once; the toast is a message the app handles after it.
        await wait_until(pilot, lambda: any(n.title == "Phase finished"
                                            and "constitution done (exit 0)" in n.message
                                            for n in app._notifications), "the notification")
        await wait_until(pilot, lambda: "no phase running" in status_line(app),
                         "the pane to show the end")
        assert "next: specify (n)" in status_line(app)
    calls = wait_sync(lambda: fake_tmux.read_text() if fake_tmux.exists() else "", "tmux")
    assert re.fullmatch(
        r"display-message -d \d+ specui: phase constitution done, exit 0 after \dm\d\ds\n",
        calls,
    ), calls


async def test_survives_the_workbench_reattaches_and_stops_without_leftovers(
    legacy_project: Path, codex_env, fake_server
) -> None:
    fake_server.mode = "slow"
    fake_server.steps, fake_server.step_delay = 10_000, 0.25  # a long, chatty phase
    # A wrapper that reports SIGTERM and then ignores it (sleeps on): only the SIGKILL after the
    # grace period ends the group. Codex itself runs inside, in the same process group.
    command = ["bash", "-c",
               f"trap 'echo specui-test: got SIGTERM' TERM; {CODEX}; sleep 300"]

    # 1. Start it from the pane, see output, then close the workbench mid-run.
    first = make_app(legacy_project, command=command)
    async with first.run_test(size=SIZE) as pilot:
        pane = await open_runner(pilot)
        await pilot.press("n")
        await wait_until(pilot, lambda: 2 in steps_shown(pane), "codex's output in the pane")
    run = last_run(legacy_project)
    assert run.status == "running"
    log_path = legacy_project / run.log
    run_dir = legacy_project / ".specui" / "runs" / run.run_id
    status = read_status(run_dir)
    assert status is not None and status.pid and status.pgid

    # 2. The run goes on without the workbench: supervisor and codex alive, log growing.
    assert pid_alive(run.pid) and group_alive(status.pgid)
    size = log_path.stat().st_size
    wait_sync(lambda: log_path.stat().st_size > size, "the log to grow with no workbench")
    assert "- result:" not in log_path.read_text()

    # 3. A new workbench on the same project reattaches: the log so far, then live tailing.
    second = make_app(legacy_project, command=command)
    async with second.run_test(size=SIZE) as pilot:
        pane = await open_runner(pilot)
        await wait_until(pilot, lambda: steps_shown(pane)[:1] == [1], "the log so far")
        assert "▶ constitution" in status_line(second)
        seen = max(steps_shown(pane))
        await wait_until(pilot, lambda: max(steps_shown(pane)) >= seen + 2, "live tailing")
        assert pane.log_view.path == log_path

        # 4. Stop from the pane (X, then confirm): SIGTERM first, SIGKILL after the grace.
        await pilot.press("X")
        await pilot.pause()
        stopped_at = time.monotonic()
        await pilot.press("y")
        await wait_until(pilot, lambda: second.store.state.runs[-1].status == "stopped",
                         "the run to be stopped", timeout=30)
        took = time.monotonic() - stopped_at
        await wait_until(pilot, lambda: "no phase running" in status_line(second),
                         "the pane to show the stop")

    final = read_status(run_dir)
    assert final is not None and final.state == "stopped"
    assert final.exit_code not in (None, 0)  # the wrapper ignored SIGTERM: it took the SIGKILL
    assert took >= 2  # ... which came only after the whole grace period
    text = log_path.read_text()
    assert "specui-test: got SIGTERM" in text  # SIGTERM reached the group first
    assert "- result: stopped" in text.rsplit("\n---\n", 1)[1]
    # No orphans and no zombies: the supervisor, codex and the wrapper are gone from /proc.
    # Not even zombies of the agent's group (the supervisor, as child subreaper, reaped the
    # wrapper's orphaned `sleep` itself; init here takes seconds to do that).
    assert group_members(status.pgid) == []
    assert not processes_with_marker(codex_env["marker"])
    # The supervisor itself is gone; once it has exited, reaping it is init's job (it was
    # double-forked away from the workbench on purpose), so a `Z` child of init is allowed.
    assert not pid_alive(run.pid)
    assert parent_of(run.pid) in (None, 1)
