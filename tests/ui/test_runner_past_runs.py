"""Past runs (L): an implement run that ended well with tasks open is not a "✓ done" there —
the row says "ended with N tasks open", the words of the log footer and the runner pane."""

from __future__ import annotations

from datetime import UTC, datetime

from textual.app import App
from textual.widgets import OptionList

from specui.store import PhaseRun
from specui.ui.screens.runner import PastRunsScreen

STARTED = datetime(2026, 11, 30, 4, 43, tzinfo=UTC)


def run(n: int, phase: str, status: str, done: int | None = None,
        total: int | None = None) -> PhaseRun:
    return PhaseRun(run_id=f"{phase}-{n}", phase=phase, status=status, started_at=STARTED,
                    log=f"orchestrator/{phase}-{n}.md", tasks_done=done, tasks_total=total)


async def test_an_implement_run_with_tasks_open_is_not_done_in_past_runs():
    runs = [run(3, "implement", "done", 3, 3), run(2, "implement", "done", 2, 3),
            run(1, "plan", "done")]
    app = App()
    async with app.run_test(size=(100, 24)) as pilot:
        app.push_screen(PastRunsScreen(runs))
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        rows = [options.get_option_at_index(i).prompt.plain.split("\n")[0] for i in (1, 2, 3)]
        started = STARTED.astimezone().strftime("%Y-%m-%d %H:%M")
        assert rows == [
            f"implement    ✓ done                   {started}",
            f"implement    ◐ ended with 1 task open {started}",
            f"plan         ✓ done                   {started}",
        ]


async def test_two_records_with_one_run_id_open_the_list_and_pick_by_row():
    """A session written before runs were claimed under a lock can hold one run id twice (two
    processes started implement in the same second, trial4 J12): L crashed the workbench with
    DuplicateID (found in tmux). The list opens, and a row picks its own run."""
    runs = [run(2, "implement", "done", 2, 3), run(2, "implement", "done", 2, 3),
            run(1, "plan", "done")]
    picked: list[PhaseRun | None] = []
    app = App()
    async with app.run_test(size=(100, 24)) as pilot:
        app.push_screen(PastRunsScreen(runs), picked.append)
        await pilot.pause()
        assert app.screen.query_one(OptionList).option_count == 4
        await pilot.press("down", "down", "down", "enter")
        await pilot.pause()
    assert picked == [runs[2]]
