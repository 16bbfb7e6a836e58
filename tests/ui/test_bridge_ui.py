"""`specui question` inside the workbench: a request file in .specui/bridge opens the modal, the
keyboard answers it (the interview's picker keys), batches step through to a review, and the
answer/cancel file has OMX's shape. The one-question app (tmux pane / terminal) answers the
same way. Question text from another process is data: `[/]` shows literally, crashes nothing."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import seed004

from specui import bridge
from specui.core.paths import Project
from specui.core.questions import normalize_question_input
from specui.ui.screens.bridge_question import BridgeQuestionApp, BridgeQuestionScreen
from specui.ui.services.watcher import ProjectWatcher

from .conftest import SMALL, make_app, settle

SINGLE = {**seed004.SINGLE, "allow_other": True, "other_label": "Something else"}
MULTI = {**seed004.MULTI, "allow_other": True}


async def until(pilot, predicate, timeout: float = 8.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await pilot.pause(0.05)
    return predicate()


# The one-question app ends itself (answered, cancelled, withdrawn). Once it may, the Pilot must
# not wait on it: a Pilot press or pause queues a callback on the app and on every widget and
# waits for all of them, and the app that exits meanwhile never runs its own, so the wait ran
# into its 30 s timeout (WaitForScreenTimeout; 1 run in 7 of the bridge tests under load).
async def press_to_end(app, *keys: str) -> None:
    """The keys that end the app, pressed without waiting for its widgets to go idle."""
    await app._press_keys(keys)


async def ended(app, timeout: float = 8.0) -> bool:
    deadline = time.monotonic() + timeout
    while app.is_running and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    return not app.is_running


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def modal(app) -> BridgeQuestionScreen | None:
    return app.screen if isinstance(app.screen, BridgeQuestionScreen) else None


async def ask(pilot, project: Project, payload: dict) -> bridge.BridgeRequest:
    request = bridge.post_request(project, normalize_question_input(payload))
    assert await until(pilot, lambda: modal(pilot.app) is not None), "the modal did not open"
    assert modal(pilot.app).request_id == request.id
    await pilot.pause()
    return request


def answer_of(project: Project, request_id: str, index: int = 0) -> dict:
    data = json.loads(bridge.answer_path(project, request_id).read_text(encoding="utf-8"))
    assert data["answers"][index]["index"] == index
    return data["answers"][index]["answer"]


async def answered(pilot, project: Project, request_id: str) -> dict:
    assert await until(pilot, lambda: bridge.answer_path(project, request_id).exists())
    assert await until(pilot, lambda: getattr(modal(pilot.app), "request_id", None) != request_id)
    return answer_of(project, request_id)


def plain(app, selector: str) -> str:
    return app.screen.query_one(selector).render().plain


async def test_pid_file_says_a_workbench_runs_while_it_is_open(project: Project, store) -> None:
    app = make_app(project, store, watch=True)
    async with app.run_test(size=SMALL) as pilot:
        assert await until(pilot, lambda: bridge.running_workbench(project) is not None)
        assert bridge.running_workbench(project).pid == os.getpid()
    assert not bridge.pid_path(project).exists()
    assert bridge.running_workbench(project) is None


async def test_single_question_answered_with_digit_and_enter(project: Project, store) -> None:
    app = make_app(project, store, watch=True)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        request = await ask(pilot, project, SINGLE)
        assert plain(app, "#bridge-title") == "Question from deep-interview"
        assert plain(app, "#bridge-text") == SINGLE["question"]
        await pilot.press("2", "enter")
        got = await answered(pilot, project, request.id)
        assert got == {
            "kind": "option",
            "value": "autopilot",
            "selected_labels": ["Execute directly"],
            "selected_values": ["autopilot"],
        }
        # The interview underneath did not take those keys as its own answer.
        await settle(pilot)
        assert store.state.interview.rounds == []
        assert app.engine.answers == []


async def test_multi_question_toggles_and_other_text(project: Project, store) -> None:
    app = make_app(project, store, watch=True)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        request = await ask(pilot, project, MULTI)
        await pilot.press("1", "3", "2", "2")  # 2 toggled on and off again
        await pilot.press("4")  # Other: opens the inline input
        assert app.screen.query_one("#other-input").has_focus
        await pilot.press(*"keep [/] flags")
        await pilot.press("enter")
        got = await answered(pilot, project, request.id)
        assert got == {
            "kind": "multi",
            "value": ["no-ui-redesign", "no-api-contract-changes", "keep [/] flags"],
            "selected_labels": ["No UI redesign", "No API contract changes", "Other"],
            "selected_values": ["no-ui-redesign", "no-api-contract-changes", "keep [/] flags"],
            "other_text": "keep [/] flags",
        }


async def test_multi_needs_a_choice_and_space_toggles(project: Project, store) -> None:
    app = make_app(project, store, watch=True)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        request = await ask(pilot, project, MULTI)
        await pilot.press("enter")  # nothing chosen: refused, the modal stays
        await pilot.pause(0.2)
        assert modal(app) is not None and not bridge.answer_path(project, request.id).exists()
        assert "at least one" in plain(app, "#picker-hint")
        await pilot.press("down", "space", "enter")
        got = await answered(pilot, project, request.id)
        assert got["selected_values"] == ["no-new-dependencies"] and got["kind"] == "multi"


async def test_single_other_and_escape_backs_out_first(project: Project, store) -> None:
    app = make_app(project, store, watch=True)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        request = await ask(pilot, project, SINGLE)
        await pilot.press("4")
        await pilot.press(*"half")
        await pilot.press("escape")  # back to the options, not a cancel
        await pilot.pause(0.2)
        assert modal(app) is not None and not bridge.is_responded(project, request.id)
        await pilot.press("4")
        other = app.screen.query_one("#other-input")
        other.value = ""
        await pilot.press(*"a monorepo lane", "enter")
        got = await answered(pilot, project, request.id)
        assert got == {
            "kind": "other",
            "value": "a monorepo lane",
            "selected_labels": ["Something else"],
            "selected_values": ["a monorepo lane"],
            "other_text": "a monorepo lane",
        }


async def test_free_text_is_submitted_with_ctrl_s(project: Project, store) -> None:
    app = make_app(project, store, watch=True)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        request = await ask(pilot, project, {"question": "Who are the users?", "source": "agent"})
        assert app.screen.query_one("#free-text").has_focus
        await pilot.press(*"solo devs", "ctrl+s")
        got = await answered(pilot, project, request.id)
        assert got == {  # OMX's shape for free text: the Other entry
            "kind": "other",
            "value": "solo devs",
            "selected_labels": ["Other"],
            "selected_values": ["solo devs"],
            "other_text": "solo devs",
        }


async def test_escape_cancels_the_question(project: Project, store) -> None:
    app = make_app(project, store, watch=True)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        request = await ask(pilot, project, SINGLE)
        await pilot.press("escape")
        assert await until(pilot, lambda: bridge.cancel_path(project, request.id).exists())
        assert modal(app) is None
        assert not bridge.answer_path(project, request.id).exists()
        try:
            bridge.read_response(project, request)
        except bridge.QuestionFailed as exc:
            assert exc.code == "question_not_answered" and "cancelled" in str(exc)
        else:
            raise AssertionError("a cancel file must end the asker's wait")


async def test_markup_in_a_bridged_question_is_literal(project: Project, store) -> None:
    hostile = {
        "question": "Keep [/] and [bold]this[/bold] literal?\x1b[2J",
        "options": [
            {"label": "[/] yes", "value": "yes", "description": "[red]not red[/red]"},
            {"label": "no", "value": "no"},
        ],
        "other_label": "Other [x]",
        "source": "[b]agent[/]",
    }
    app = make_app(project, store, watch=True)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        request = await ask(pilot, project, hostile)
        assert plain(app, "#bridge-title") == "Question from [b]agent[/]"
        assert plain(app, "#bridge-text") == "Keep [/] and [bold]this[/bold] literal?"
        choices = app.screen.query_one("#choices")
        first = choices.get_option_at_index(0).prompt.plain
        assert "[/] yes" in first and "[red]not red[/red]" in first
        await pilot.press("1", "enter")
        got = await answered(pilot, project, request.id)
        assert got["value"] == "yes" and got["selected_labels"] == ["[/] yes"]


async def test_a_withdrawn_request_closes_the_modal(project: Project, store) -> None:
    app = make_app(project, store, watch=True)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await settle(pilot)
        request = await ask(pilot, project, SINGLE)
        bridge.withdraw(project, request.id)  # the asker timed out or was interrupted
        assert await until(pilot, lambda: modal(app) is None)
        # The dismiss callback (which notifies) runs just after the screen is popped.
        assert await until(pilot, lambda: any("withdrawn" in n.message for n in app._notifications))
        assert sorted(p.name for p in bridge.bridge_dir(project).iterdir()) == []


async def test_requests_waiting_before_start_are_shown_and_stale_ones_cleaned(
    project: Project, store
) -> None:
    stale_id = bridge.new_request_id()
    path = bridge.request_path(project, stale_id)
    bridge.ensure_bridge_dir(project)
    path.write_text(
        json.dumps(
            {
                "id": stale_id,
                "asker": {"pid": dead_pid()},
                "created_at": datetime.now(UTC).isoformat(),
                "batch": normalize_question_input(SINGLE).model_dump(mode="json"),
            }
        )
    )
    await asyncio.sleep(0.002)  # a later millisecond: ids sort by age
    waiting = bridge.post_request(project, normalize_question_input(MULTI))
    app = make_app(project, store, watch=True)
    async with app.run_test(size=SMALL) as pilot:
        assert await until(pilot, lambda: modal(app) is not None)
        assert modal(app).request_id == waiting.id
        assert not bridge.request_exists(project, stale_id)
        await pilot.press("2", "enter")
        got = await answered(pilot, project, waiting.id)
        assert got["selected_values"] == ["no-new-dependencies"]


async def test_questions_queue_one_after_another(project: Project, store) -> None:
    app = make_app(project, store, watch=True)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        first = await ask(pilot, project, SINGLE)
        second = bridge.post_request(project, normalize_question_input(MULTI))
        await pilot.pause(0.3)
        assert modal(app).request_id == first.id  # one at a time
        # ...and it says another waits (trial6 K12: a fast Enter met the next one unread).
        assert await until(pilot, lambda: plain(app, "#bridge-title").endswith("· 1 more waiting"))
        await pilot.press("3", "enter")
        assert (await answered(pilot, project, first.id))["value"] == "refine"
        assert await until(pilot, lambda: modal(app) is not None)
        assert modal(app).request_id == second.id
        assert "waiting" not in plain(app, "#bridge-title")
        # Keys right after answering the first are held (they may be meant for it): wait.
        assert await until(pilot, lambda: not modal(app).held)
        await pilot.press("1", "enter")
        assert (await answered(pilot, project, second.id))["value"] == ["no-ui-redesign"]


async def test_apps_without_the_bridge_leave_the_folder_alone(project: Project, store) -> None:
    app = make_app(project, store)  # watch=False: tests and scripts
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await asyncio.sleep(0.1)
        assert not bridge.pid_path(project).exists()


def test_the_watcher_reports_bridge_files(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    (root / ".specui").mkdir(parents=True)
    seen: list[frozenset[Path]] = []
    event = threading.Event()

    def record(paths: frozenset[Path]) -> None:
        seen.append(paths)
        event.set()

    watcher = ProjectWatcher(root, record)
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    try:
        assert watcher.ready.wait(5)
        folder = root / ".specui" / "bridge"
        folder.mkdir()  # the first `specui question` creates it: the watch follows
        deadline = time.monotonic() + 5
        while folder not in watcher.watching and time.monotonic() < deadline:
            time.sleep(0.02)
        assert folder in watcher.watching
        request = folder / f"{bridge.new_request_id()}.request.json"
        request.write_text("{}")
        (folder / "notes.txt").write_text("ignored")
        deadline = time.monotonic() + 5
        while not any(request in b for b in seen) and time.monotonic() < deadline:
            event.wait(0.05)
            event.clear()
        everything = set().union(*seen)
        assert request in everything and watcher.touches_bridge({request})
        assert folder / "notes.txt" not in everything
    finally:
        watcher.stop()
        thread.join(5)


BATCH = {
    "header": "Setup",
    "objective": "ship the first version",
    "questions": [
        {"id": "lane", **{k: v for k, v in SINGLE.items() if k != "source"}},
        {"id": "nongoals", **{k: v for k, v in MULTI.items() if k != "source"}},
        {"id": "users", "question": "Who are the users?"},
    ],
    "source": "deep-interview",
    "session_id": "s-42",
}


async def test_batch_steps_through_then_reviews_edits_and_submits(project: Project, store) -> None:
    app = make_app(project, store, watch=True)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        request = await ask(pilot, project, BATCH)
        assert plain(app, "#bridge-step") == "Question 1 of 3"
        context = plain(app, "#bridge-context")
        assert context == "Setup\nship the first version\nsession s-42"
        await pilot.press("1", "enter")
        await pilot.pause()
        assert plain(app, "#bridge-step") == "Question 2 of 3"
        await pilot.press("left")  # back to the first: its answer is kept until re-given
        await pilot.pause()
        assert plain(app, "#bridge-step") == "Question 1 of 3"
        await pilot.press("2", "enter")
        await pilot.pause()
        await pilot.press("1", "enter")
        await pilot.pause()
        assert plain(app, "#bridge-step") == "Question 3 of 3"
        await pilot.press(*"solo devs", "ctrl+s")
        await pilot.pause()
        review = app.screen.query_one("#bridge-review")
        assert review.display
        listed = app.screen.query_one("#bridge-review-list")
        assert "Execute directly" in listed.get_option_at_index(0).prompt.plain
        assert not bridge.is_responded(project, request.id)  # nothing sent before Submit
        # Edit the second answer from the review, then submit all.
        await pilot.press("up", "up", "enter")
        await pilot.pause()
        assert plain(app, "#bridge-step") == "Question 2 of 3"
        await pilot.press("3", "enter")
        await pilot.pause()
        assert app.screen.query_one("#bridge-review").display
        await pilot.press("enter")  # "Submit all answers" is highlighted
        assert await until(pilot, lambda: bridge.answer_path(project, request.id).exists())
        assert answer_of(project, request.id, 0)["value"] == "autopilot"
        assert answer_of(project, request.id, 1)["value"] == ["no-api-contract-changes"]
        assert answer_of(project, request.id, 2)["kind"] == "other"
        entries = bridge.read_response(project, request)
        assert [e.question_id for e in entries] == ["lane", "nongoals", "users"]


async def test_ctrl_c_and_ctrl_d_cancel_the_question(project: Project, store) -> None:
    app = make_app(project, store, watch=True)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        for key in ("ctrl+c", "ctrl+d"):
            request = await ask(pilot, project, SINGLE)
            await pilot.press(key)
            cancel = bridge.cancel_path(project, request.id)
            assert await until(pilot, cancel.exists)
            bridge.withdraw(project, request.id)
            assert await until(pilot, lambda: modal(app) is None)
        assert app.is_running  # Ctrl+C cancelled the question, not the workbench


async def test_an_arriving_question_rings(project: Project, store, monkeypatch) -> None:
    app = make_app(project, store, watch=True)
    rings: list[int] = []
    monkeypatch.setattr(app, "bell", lambda: rings.append(1))
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await ask(pilot, project, SINGLE)
        assert rings == [1]


async def test_the_one_question_app_answers_and_exits(project: Project) -> None:
    request = bridge.post_request(project, normalize_question_input(BATCH), target="standalone")
    app = BridgeQuestionApp(project, request)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        assert await until(pilot, lambda: not app.screen.held)  # it starts held
        await pilot.press("3", "enter")
        await pilot.pause()
        await pilot.press("2", "enter")
        await pilot.pause()
        await pilot.press(*"me", "ctrl+s")
        await pilot.pause()
        await press_to_end(app, "enter")
        assert await ended(app)
    assert app.return_value == 0
    entries = bridge.read_response(project, request)
    assert [e.answer.summary() for e in entries] == ["Refine further", "No new dependencies", "me"]


async def test_the_one_question_app_closes_when_withdrawn(project: Project) -> None:
    request = bridge.post_request(project, normalize_question_input(SINGLE), target="standalone")
    app = BridgeQuestionApp(project, request)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        bridge.withdraw(project, request.id)  # timed out, superseded or interrupted
        assert await ended(app)
    assert app.return_value == 1 and bridge_files(project) == []


async def test_the_one_question_app_escape_writes_a_cancel(project: Project) -> None:
    request = bridge.post_request(project, normalize_question_input(SINGLE), target="standalone")
    app = BridgeQuestionApp(project, request)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        assert await until(pilot, lambda: not app.screen.held)
        await press_to_end(app, "escape")
        assert await ended(app)
    assert app.return_value == 1 and bridge.cancel_path(project, request.id).exists()


async def test_the_one_question_app_drops_keys_typed_as_it_opens(project: Project) -> None:
    # Its tmux pane takes the focus from the pane the user may be typing in: the rest of that
    # typing ("… 2⏎") must not answer the question.
    request = bridge.post_request(project, normalize_question_input(SINGLE), target="standalone")
    app = BridgeQuestionApp(project, request)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        assert app.screen.held
        await pilot.press("2", "enter")
        await pilot.pause(0.3)
        assert not bridge.answer_path(project, request.id).exists() and app.is_running
        assert await until(pilot, lambda: not app.screen.held)
        await pilot.press("2")
        await press_to_end(app, "enter")
        assert await ended(app)
    assert [e.answer.summary() for e in bridge.read_response(project, request)] == [
        "Execute directly"]


def bridge_files(project: Project) -> list[str]:
    return sorted(p.name for p in bridge.bridge_dir(project).iterdir())


async def test_in_tmux_a_question_for_a_window_out_of_view_shows_a_status_message(
    project: Project, store, tmp_path: Path, monkeypatch
) -> None:
    bindir = tmp_path / "fake-bin"
    bindir.mkdir()
    record = tmp_path / "tmux-calls.txt"
    script = bindir / "tmux"
    # Answers the pane query with "window not active" (4th field 0), records every call.
    script.write_text(
        "#!/bin/sh\n"
        f'printf "%s\\n" "$*" >> {record}\n'
        'case "$*" in *" -p "*) echo "80 24 1 0 work";; esac\n'
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("TMUX", "/tmp/tmux-fake/default,4242,0")
    monkeypatch.setenv("TMUX_PANE", "%7")
    app = make_app(project, store, watch=True)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await ask(pilot, project, {**SINGLE, "source": "codex #1"})
        assert await until(pilot, lambda: record.exists() and "-d 4000" in record.read_text())
    calls = record.read_text().splitlines()
    assert calls[0].startswith("display-message -p -t %7 ")
    assert calls[1] == "display-message -d 4000 specui: a question from codex ##1 waits"
