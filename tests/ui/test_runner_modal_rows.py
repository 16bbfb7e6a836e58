"""The phase picker and past runs keep each row's parts apart (found in tmux at 120x36: the note
"Spec Kit command, outside [runner] phases" wrapped to column 0, so "phases" read as a row)."""

from __future__ import annotations

from textual.app import App
from textual.widgets import OptionList

from specui.ui.screens.runner import PhasePickerScreen

ROWS = [("constitution", "done", ""), ("clarify", "pending",
                                      "Spec Kit command, outside [runner] phases")]


async def test_a_note_sits_on_its_own_indented_line():
    app = App()
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(PhasePickerScreen(ROWS))
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        first = options.get_option_at_index(0).prompt.plain
        second = options.get_option_at_index(1).prompt.plain.split("\n")
        assert "\n" not in first
        assert second[0].rstrip() == "2. clarify      · pending"
        assert second[1] == "   Spec Kit command, outside [runner] phases"


async def test_the_handoff_says_when_spec_md_is_not_finished():
    from textual.widgets import Static

    from specui.ui.screens.runner import HandoffScreen

    warning = "SPEC.md is not finished: 14 of 18 sections have only placeholders."
    data = {"residual_risk": None, "unfinished": warning, "lanes": [],
            "rows": [{"kind": "warning", "lead": "", "text": f"⚠ {warning}"},
                     {"kind": "text", "lead": "", "text": "wrote orchestrator/input"}]}
    app = App()
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(HandoffScreen(data))
        await pilot.pause()
        shown = [str(s.render()) for s in app.screen.query(Static)]
        assert shown.count(f"⚠ {warning}") == 1  # once, as the warning, not again as a line
        assert str(app.screen.query_one("#handoff-unfinished", Static).render()) == f"⚠ {warning}"
