"""The workbench's keyboard model, one test per rule (screens/workbench.py lists them)."""

from __future__ import annotations

from specui.core.fsio import atomic_write_text
from specui.core.interview.state import PendingQuestion
from specui.core.spec import render_spec_template
from specui.store import SessionStore
from specui.ui.screens.confirm import ConfirmScreen

from .conftest import LARGE, SMALL, make_app, settle
from .fake_engine import FREE, MULTI, SINGLE


def messages(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def hint(app) -> str:
    return str(app.query_one("#picker-hint").render())


async def test_in_a_text_box_letters_digits_and_space_are_text(project, store):
    app = make_app(project, store, [FREE, SINGLE])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert app.focused.id == "free-text"
        typed = "s a r f x C i 1 2 ? n X"  # pane keys, finalize, exit, conflicts, digits, help
        await pilot.press(*typed)
        await settle(pilot)
        assert app.query_one("#free-text").text == typed
        assert app.focused.id == "free-text" and app.workbench.active_pane == "spec"
        assert len(app.screen_stack) == 1 and not app.engine.answers
        assert not messages(app)


async def test_after_f2_typing_lands_in_the_answer(project, store):
    app = make_app(project, store, [FREE, SINGLE])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert app.screen.has_class("-show-ambiguity")  # the pane is shown...
        await pilot.press(*"find reports")  # ...and the typing goes on in the answer
        await settle(pilot)
        assert app.query_one("#free-text").text == "find reports"
        assert app.workbench.active_pane == "ambiguity" and len(app.screen_stack) == 1


async def test_f_keys_return_focus_to_the_answer_from_any_pane(project, store):
    app = make_app(project, store, [SINGLE])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("4", *"offline")  # the Other input
        await pilot.press("escape", "s")  # leave it for the SPEC.md pane
        await settle(pilot)
        assert app.focused.id == "units"
        await pilot.press("4", "f4", *" first")  # back to Other, a look at the runner, typing
        await settle(pilot)
        assert app.screen.has_class("-show-runner")
        assert app.focused.id == "other-input"
        assert app.query_one("#other-input").value == "offline first"


async def test_a_pane_letter_goes_to_the_pane(project, store):
    app = make_app(project, store, [SINGLE])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert app.focused.id == "units" and app.screen.has_class("-show-spec")


async def test_enter_after_s_submits(project, store):
    app = make_app(project, store, [SINGLE, MULTI])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("down", "s")  # highlight option 2, then look at SPEC.md
        await settle(pilot)
        assert app.focused.id == "units"
        await pilot.press("enter")
        await settle(pilot)
        assert [a.selected_values for a in app.engine.answers] == [["json"]]


async def test_enter_submits_ticked_options_and_other_text_from_any_pane(project, store):
    app = make_app(project, store, [MULTI, SINGLE, SINGLE])
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        await pilot.press("1", "3", "a")  # wide: every pane shows; `a` focuses the table
        await settle(pilot)
        assert app.focused.id == "ambiguity"
        await pilot.press("enter")
        await settle(pilot)
        assert app.engine.answers[0].selected_values == ["no-sync", "no-plugins"]
        await pilot.press("4", *"sqlite later", "f3", "enter")  # Other text, F3, Enter
        await settle(pilot)
        assert app.engine.answers[1].other_text == "sqlite later"


async def test_enter_in_the_free_text_box_is_a_new_line(project, store):
    app = make_app(project, store, [FREE, SINGLE])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("a", "enter", "b")
        await settle(pilot)
        assert app.query_one("#free-text").text == "a\nb" and not app.engine.answers
        await pilot.press("escape", "enter")  # out of the box (Esc), Enter submits the text
        await settle(pilot)
        assert app.engine.answers[0].value == "a\nb"


async def test_x_before_round_4_says_why(project, store):
    app = make_app(project, store, [SINGLE] * 5)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert any("round 4" in m and "round 1" in m for m in messages(app))


async def test_conflicts_key_with_none_waiting_says_so(project, store):
    app = make_app(project, store, [SINGLE])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("C")
        await settle(pilot)
        assert any("No SPEC.md conflicts" in m for m in messages(app))


async def test_ticked_options_survive_quit_and_reopen(project, store):
    app = make_app(project, store, [MULTI, SINGLE])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("1", "3")
        await settle(pilot)
    reopened = SessionStore.open(project)
    assert reopened.state.interview.draft.chosen == [0, 2]
    app2 = make_app(project, reopened, [MULTI, SINGLE])
    async with app2.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert app2.query_one("#picker").chosen == {0, 2}
        await pilot.press("enter")
        await settle(pilot)
        assert app2.engine.answers[0].selected_values == ["no-sync", "no-plugins"]


async def test_a_single_select_pick_survives_quit_and_reopen(project, store):
    # Trial H3: a digit on a single-select question moves the highlight (nothing is "ticked"),
    # and that draft was taken for a blank one and never saved.
    app = make_app(project, store, [SINGLE, MULTI])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert app.query_one("#choices").highlighted == 0  # the recommended option
        await pilot.press("2")
        await settle(pilot)
    reopened = SessionStore.open(project)
    assert reopened.state.interview.draft.highlighted == 1
    app2 = make_app(project, reopened, [SINGLE, MULTI])
    async with app2.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert app2.query_one("#choices").highlighted == 1
        await pilot.press("enter")
        await settle(pilot)
        assert app2.engine.answers[0].value == "json"


async def test_typed_text_survives_quit_and_reopen(project, store):
    app = make_app(project, store, [FREE, SINGLE])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press(*"half an answer")
        await pilot.pause(0.6)  # the draft is saved after a short quiet spell, and on quit
    app2 = make_app(project, SessionStore.open(project), [FREE, SINGLE])
    async with app2.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert app2.query_one("#free-text").text == "half an answer"
        assert app2.focused.id == "free-text"


async def test_other_text_survives_quit_and_reopen(project, store):
    app = make_app(project, store, [SINGLE, MULTI])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("4", *"duckdb")
    app2 = make_app(project, SessionStore.open(project), [SINGLE, MULTI])
    async with app2.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert app2.query_one("#other-input").value == "duckdb"
        assert app2.query_one("#other-input").display


async def test_a_draft_is_not_restored_onto_another_question(project, store):
    app = make_app(project, store, [MULTI, SINGLE])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("2")
    reopened = SessionStore.open(project)
    reopened.update(lambda s: setattr(s.interview.current, "round", 7))
    app2 = make_app(project, reopened, [MULTI, SINGLE])
    async with app2.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert app2.query_one("#picker").chosen == set()


async def test_the_empty_answer_hint_clears_once_typing_starts(project, store):
    app = make_app(project, store, [FREE, SINGLE])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "must not be empty" in hint(app)
        await pilot.press("w")
        await settle(pilot)
        assert "must not be empty" not in hint(app)
        assert not app.query_one("#picker-hint").has_class("-error")


async def test_one_rounding_rule_for_every_percentage(project, store):
    app = make_app(project, store, [SINGLE, MULTI])
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)

        def set_scores(s) -> None:
            s.interview.ambiguity = 0.185
            s.interview.threshold = 0.145

        store.update(set_scores)
        await settle(pilot)
        assert "Ambiguity: 19%" in str(app.query_one("#q-header").render())  # 0.185: half-up
        table = ambiguity_text(app)
        assert "Ambiguity 19%" in table and "threshold 15%" in table  # 0.145, not 14
        assert "threshold 15%" in str(app.query_one("#question").border_title)


async def test_section_titles_never_keys(project, store):
    app = make_app(project, store, [SINGLE, MULTI])
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)

        def validation(s) -> None:
            s.interview.current = PendingQuestion(
                question=SINGLE, round=2, dimension="personas", phase="validation"
            )

        store.update(validation)
        await settle(pilot)
        header = str(app.query_one("#q-header").render())
        assert "Validation 2 | Section: Personas & Use Cases" in header
        assert "Next focus: Personas & Use Cases" in ambiguity_text(app)

        def outcome(s) -> None:
            s.interview.current = PendingQuestion(question=SINGLE, round=3, dimension="outcome")

        store.update(outcome)
        await settle(pilot)
        assert "Target: Outcome" in str(app.query_one("#q-header").render())
        assert "Next focus: Outcome" in ambiguity_text(app)


async def test_markdown_emphasis_is_rendered_not_shown(project, store):
    text = render_spec_template("todo-cli").replace(
        "## 1. Vision & Goals\n", "## 1. Vision & Goals\n- **Problem & Outcome**: lists *rot*\n", 1
    )
    atomic_write_text(project.spec, text)
    app = make_app(project, store, [SINGLE])
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        lines = app.query_one("#section-body").plain_lines()
        shown = "\n".join(lines)
        assert "Problem & Outcome: lists rot" in shown and "**" not in shown


def ambiguity_text(app) -> str:
    from rich.console import Console

    console = Console(width=200, color_system=None)
    with console.capture() as capture:
        console.print(app.query_one("#ambiguity-body").content)
    return capture.get()


async def test_a_new_question_takes_the_focus_so_typing_is_never_a_command(project, store):
    app = make_app(project, store, [SINGLE, FREE, SINGLE])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("s", "enter")  # answered from the SPEC.md pane
        await settle(pilot)
        assert app.focused.id == "free-text"
        await pilot.press(*"as far")
        await settle(pilot)
        assert app.query_one("#free-text").text == "as far"
        assert app.workbench.active_pane == "spec"


async def test_keys_are_remapped_from_specui_toml(project, store):
    from specui.core.config import SpecuiConfig

    app = make_app(project, store, [SINGLE])
    keys = {"pane.spec": "f7", "interview.exit_early": "ctrl+x", "nope": "z"}
    app.config = SpecuiConfig(ui=app.config.ui, keys=keys)  # specui.toml's [keys] table
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert any("no action 'nope'" in m for m in messages(app))
        await pilot.press("a", "f7")
        await settle(pilot)
        assert app.focused.id == "units" and app.workbench.active_pane == "spec"
        await pilot.press("a", "s")  # `s` no longer goes to SPEC.md
        await settle(pilot)
        assert app.workbench.active_pane == "ambiguity"
        await pilot.press("ctrl+x")
        await settle(pilot)
        assert any("round 4" in m for m in messages(app))
        helps = {t: h for t, h, _cb in app.palette_commands()}
        assert helps["Go to the SPEC.md pane"] == "F7"


async def test_the_hint_says_when_keys_are_commands_not_text(project, store):
    # Trial H18: after Esc the free-text box looked the same and its hint still said "Ctrl+S
    # submits"; the answer typed then ran commands (n ran the next phase, H wrote a handoff).
    app = make_app(project, store, [FREE, SINGLE])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert "Ctrl+S submits" in hint(app)
        await pilot.press("escape")
        await settle(pilot)
        assert app.focused is None or app.focused.id != "free-text"
        assert "Keys are commands here" in hint(app) and "i: back to your answer" in hint(app)
        assert app.query_one("#picker-hint").has_class("-away")
        await pilot.press("i")
        await settle(pilot)
        assert app.focused.id == "free-text" and "Ctrl+S submits" in hint(app)
        assert not app.query_one("#picker-hint").has_class("-away")


async def test_the_other_input_left_for_another_pane_says_so_too(project, store):
    app = make_app(project, store, [SINGLE, MULTI])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("4", *"duck")  # Other
        await settle(pilot)
        assert "Type your answer" in hint(app)
        await pilot.press("tab")  # on to the next pane, the Other text kept
        await settle(pilot)
        assert app.focused is not None and app.focused.id != "other-input"
        assert "Keys are commands here" in hint(app)
