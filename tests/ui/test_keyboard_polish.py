"""Things found using the workbench in tmux at 80x24 (keyboard only)."""

from __future__ import annotations

from specui.core.questions import Question

from .conftest import SMALL, make_app, settle
from .fake_engine import FREE, SINGLE

LONG = Question.model_validate(
    {
        "question": "Which decisions may the implementer make without asking?",
        "type": "multi-answerable",
        "options": [
            {
                "label": "Code structure & naming",
                "description": "Module layout, internal APIs, naming, and more words so that "
                "this option needs two lines at eighty columns",
                "recommended": True,
            },
            {"label": "Tests", "description": "short"},
        ],
    }
)


def footer_keys(app) -> str:
    return " ".join(str(w.render()) for w in app.query("FooterKey"))


async def test_half_typed_other_answer_survives_a_look_at_another_pane(project, store):
    app = make_app(project, store, [SINGLE])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("4", *"offline first")
        await pilot.press("escape", "s")  # leave the input, go to SPEC.md...
        await settle(pilot)
        assert app.focused.id == "units" and app.screen.has_class("-show-spec")
        await pilot.press("4")  # ...the digit goes back to Other: the input opens with the text
        await pilot.press("f1", "!")  # F1 lands in it too; keep typing
        await settle(pilot)
        assert app.query_one("#other-input").value == "offline first!"


async def test_footer_names_f_keys_while_typing(project, store):
    app = make_app(project, store, [FREE, SINGLE])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert app.focused.id == "free-text"
        keys = footer_keys(app)
        assert "F2" in keys and "F3" in keys and "F4" in keys
        await pilot.press("escape", "s")  # out of the text box: the footer names the letters
        await settle(pilot)
        keys = footer_keys(app)
        assert "F3" not in keys and " s " in f" {keys} "


async def test_wrapped_options_hang_under_their_label(project, store):
    app = make_app(project, store, [LONG])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.pause(0.1)
        choices = app.query_one("#choices")
        lines = str(choices.get_option_at_index(0).prompt).split("\n")
        assert len(lines) >= 2
        assert lines[0].startswith("1 [ ] Code structure")
        assert all(line.startswith(" " * len("1 [ ] ")) and line.strip() for line in lines[1:])
        await pilot.press("1")  # toggling rebuilds the prompt: still hanging
        await settle(pilot)
        lines = str(choices.get_option_at_index(0).prompt).split("\n")
        assert lines[0].startswith("1 [x] ") and lines[1].startswith("      ")
