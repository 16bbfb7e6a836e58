"""The project watcher beyond SPEC.md: the active feature's tasks.md (-> the runner pane's
`tasks_changed()`) and `.specui/session.json` written by another process (-> `store.reload()`,
while our own writes are ignored)."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import ClassVar

from textual.widgets import Static

from specui.core.fsio import atomic_write_text
from specui.core.interview.state import PendingQuestion
from specui.store import SessionStore
from specui.ui.services.watcher import ProjectWatcher

from .conftest import SMALL, make_app, settle
from .fake_engine import MULTI, SINGLE


class Recorder:
    def __init__(self) -> None:
        self.batches: list[frozenset[Path]] = []
        self.event = threading.Event()

    def __call__(self, paths: frozenset[Path]) -> None:
        self.batches.append(paths)
        self.event.set()

    def wait_for(self, path: Path, timeout: float = 3.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(path in batch for batch in self.batches):
                return True
            self.event.wait(0.05)
            self.event.clear()
        return False

    def seen(self) -> set[Path]:
        return set().union(*self.batches) if self.batches else set()


def start(watcher: ProjectWatcher) -> threading.Thread:
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    assert watcher.ready.wait(3)
    return thread


def wait(predicate, timeout: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def test_follows_the_active_features_tasks_md_as_features_appear_and_switch(tmp_path: Path):
    root = tmp_path / "proj"
    root.mkdir()
    rec = Recorder()
    watcher = ProjectWatcher(root, rec)
    thread = start(watcher)
    try:
        assert watcher.watching == [root]
        # The specify phase creates specs/001-todo/ (and later its tasks.md): followed.
        feature = root / "specs" / "001-todo"
        feature.mkdir(parents=True)
        assert wait(lambda: feature in watcher.watching)
        tasks = feature / "tasks.md"
        atomic_write_text(tasks, "- [ ] T001 first\n")
        assert rec.wait_for(tasks)
        assert watcher.touches_tasks({tasks})
        # Other files of the feature, and tasks.md elsewhere, are not reported.
        (feature / "plan.md").write_text("plan")
        other = root / "specs" / "notes"
        other.mkdir()
        (root / "README.md").write_text("x")
        time.sleep(0.3)
        assert feature / "plan.md" not in rec.seen() and root / "README.md" not in rec.seen()
        # feature.json names another feature: its tasks.md is the one followed now.
        second = root / "specs" / "002-sync"
        second.mkdir()
        (root / ".specify").mkdir()
        atomic_write_text(
            root / ".specify" / "feature.json", json.dumps({"feature_directory": "specs/002-sync"})
        )
        assert wait(lambda: second in watcher.watching and feature not in watcher.watching)
        rec.batches.clear()
        atomic_write_text(second / "tasks.md", "- [x] T001 done\n")
        assert rec.wait_for(second / "tasks.md")
        atomic_write_text(tasks, "- [x] T001 first\n")  # no longer the active feature
        time.sleep(0.3)
        assert tasks not in rec.seen()
    finally:
        watcher.stop()
        thread.join(3)
    assert not thread.is_alive()


class FakeRunnerPane(Static):
    """Stands in for RunnerPane: counts `tasks_changed()` calls."""

    made: ClassVar[list[FakeRunnerPane]] = []

    def __init__(self, *_args: object) -> None:
        super().__init__("fake runner")
        self.calls = 0
        FakeRunnerPane.made.append(self)

    def tasks_changed(self) -> None:
        self.calls += 1

    def refresh_now(self) -> None:
        """Every store change reaches here through the fan-out; only tasks.md changes count."""


async def wait_for(pilot, predicate, timeout: float = 5.0) -> None:
    start = time.perf_counter()
    while not predicate():
        assert time.perf_counter() - start < timeout, "condition not met in time"
        await pilot.pause(0.02)


async def test_tasks_md_change_reaches_the_runner_pane(project, store, monkeypatch):
    from specui.ui.widgets import runner_pane

    monkeypatch.setattr(runner_pane, "RunnerPane", FakeRunnerPane)
    FakeRunnerPane.made.clear()
    feature = project.root / "specs" / "001-todo"
    feature.mkdir(parents=True)
    app = make_app(project, store, [SINGLE], watch=True)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await wait_for(pilot, lambda: FakeRunnerPane.made and app.file_watch.watcher.ready.is_set())
        pane = FakeRunnerPane.made[0]
        await wait_for(pilot, lambda: pane.is_mounted)
        atomic_write_text(feature / "tasks.md", "- [ ] T001 a\n- [ ] T002 b\n")
        await wait_for(pilot, lambda: pane.calls >= 1)
        calls = pane.calls
        for n in range(5):  # an agent ticking tasks off quickly: coalesced, not lost
            atomic_write_text(feature / "tasks.md", f"- [x] T001 a {n}\n- [ ] T002 b\n")
        await wait_for(pilot, lambda: pane.calls > calls)
        await pilot.pause(0.3)
        assert pane.calls - calls <= 5
        # SPEC.md alone does not make the runner re-count.
        calls = pane.calls
        atomic_write_text(project.spec, "# SPEC\n")
        await pilot.pause(0.4)
        assert pane.calls == calls


async def test_session_written_by_another_process_is_reloaded_and_ours_ignored(project, store):
    app = make_app(project, store, [SINGLE, MULTI], watch=True)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await wait_for(pilot, lambda: app.file_watch.watcher.ready.is_set())
        notified: list[object] = []
        store.subscribe(notified.append)
        reloads: list[int] = []
        real_reload = store.reload

        def counting_reload() -> None:
            reloads.append(1)
            real_reload()

        store.reload = counting_reload  # type: ignore[method-assign]

        # Our own write: one notification (from update), and the watcher's reload is a no-op.
        store.update(lambda s: s.interview.warnings.append("ours"))
        await wait_for(pilot, lambda: reloads)
        await pilot.pause(0.3)
        assert len(notified) == 1

        # Another process (its own store on the same file) changes the question.
        other = SessionStore.open(project)

        def change(session) -> None:
            session.interview.current = PendingQuestion(question=MULTI, round=7, dimension="scope")

        other.update(change)
        await wait_for(pilot, lambda: store.state.interview.current.round == 7)
        await settle(pilot)
        assert len(notified) == 2
        assert str(app.query_one("#q-text").render()) == MULTI.question
        assert "Round 7" in str(app.query_one("#q-header").render())
