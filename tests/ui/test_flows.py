"""Keyboard-only Pilot tests of the workbench flows (scripted engine; the whole-interview test
with the real builtin engine is in test_interview.py)."""

from __future__ import annotations

from specui.core.interview import policy
from specui.ui.widgets.option_picker import ChoiceList, OptionPicker
from specui.ui.widgets.progress_line import ProgressLine
from specui.ui.widgets.spec_view import SpecView, UnitList

from .conftest import LARGE, SMALL, make_app, palette_pick, settle
from .fake_engine import FREE, MARKUP, MULTI, SINGLE


def hint(app) -> str:
    return str(app.query_one("#picker-hint").render())


async def test_single_choice_by_number_and_enter(project, store):
    app = make_app(project, store, [SINGLE, MULTI])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert isinstance(app.focused, ChoiceList)
        # The recommended option is where the cursor starts.
        assert app.query_one(ChoiceList).highlighted == 0
        await pilot.press("2", "enter")
        await settle(pilot)
        answer = app.engine.answers[0]
        assert (answer.kind, answer.value, answer.selected_labels) == (
            "option",
            "json",
            ["JSON file"],
        )
        assert store.state.interview.current.round == 2
        assert "JSON file" in project.spec.read_text()


async def test_single_choice_with_arrows(project, store):
    app = make_app(project, store, [SINGLE, MULTI])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        assert app.engine.answers[0].value == "text"


async def test_multi_needs_one_choice_then_submits_the_set(project, store):
    app = make_app(project, store, [MULTI, SINGLE])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.engine.answers == []
        assert "at least one" in hint(app)
        assert app.query_one("#picker-hint").has_class("-error")
        await pilot.press("1", "3", "3", "3", "up", "space", "enter")
        await settle(pilot)
        answer = app.engine.answers[0]
        assert answer.kind == "multi"
        assert answer.selected_values == ["no-sync", "no-gui", "no-plugins"]


async def test_other_opens_input_refuses_empty_and_escape_backs_out(project, store):
    app = make_app(project, store, [SINGLE, MULTI])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        picker = app.query_one(OptionPicker)
        await pilot.press("4")  # "Other"
        assert picker.other_mode and app.focused.id == "other-input"
        # Letters are text now: "s" must not switch panes.
        await pilot.press("enter")
        await settle(pilot)
        assert app.engine.answers == [] and "empty" in hint(app)
        await pilot.press("escape")
        assert not picker.other_mode and isinstance(app.focused, ChoiceList)
        assert not app.query_one("#other-input").display
        await pilot.press("4", *"my own store s[/]", "enter")
        await settle(pilot)
        answer = app.engine.answers[0]
        assert (answer.kind, answer.value) == ("other", "my own store s[/]")
        assert app.workbench.active_pane == "spec"  # typing "s" did not switch panes


async def test_multi_with_other_text(project, store):
    app = make_app(project, store, [MULTI, SINGLE])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("2", "4", *"no telemetry", "enter")
        await settle(pilot)
        answer = app.engine.answers[0]
        assert answer.kind == "multi"
        assert answer.selected_labels[0] == "No GUI"
        assert answer.other_text == "no telemetry"


async def test_free_text_submits_with_ctrl_s_and_refuses_empty(project, store):
    app = make_app(project, store, [FREE, SINGLE])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert app.focused.id == "free-text"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.engine.answers == [] and "empty" in hint(app)
        await pilot.press(*"A todo app", "enter", *"for [b]me[/b]", "ctrl+s")
        await settle(pilot)
        answer = app.engine.answers[0]
        assert (answer.kind, answer.value) == ("text", "A todo app\nfor [b]me[/b]")


async def test_finalize_toggles_and_moves_progress(project, store):
    app = make_app(project, store, [SINGLE, MULTI, FREE])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("1", "enter")
        await settle(pilot)
        await pilot.press("s")
        assert isinstance(app.focused, UnitList)
        await pilot.press("f")
        await settle(pilot)
        assert "vision" in store.state.spec.final_hashes
        assert app.query_one(ProgressLine).percent == 5
        assert "█░░░░░░░░░░░ 5%" in str(app.query_one(ProgressLine).render())
        # Unknown sections cannot be finalized: a warning, no change.
        await pilot.press("down", "down", "f")
        await settle(pilot)
        assert app.query_one(SpecView).selected == "personas"
        assert set(store.state.spec.final_hashes) == {"vision"}
        # f again on a final unit withdraws it.
        await pilot.press("up", "up", "f")
        await settle(pilot)
        assert store.state.spec.final_hashes == {}
        assert app.query_one(ProgressLine).percent == 0


async def test_digits_answer_from_another_pane(project, store):
    app = make_app(project, store, [SINGLE, MULTI])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("s", "3")
        assert isinstance(app.focused, ChoiceList)
        assert app.query_one(ChoiceList).highlighted == 2
        await pilot.press("enter")
        await settle(pilot)
        assert app.engine.answers[0].value == "text"


def visible(app, selector: str) -> bool:
    widget = app.query_one(selector)
    return (
        widget.display
        and all(a.display for a in widget.ancestors if hasattr(a, "display"))
        and widget.region.height > 0
    )


async def test_pane_switching_at_80x24(project, store):
    app = make_app(project, store, [SINGLE, MULTI])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert app.screen.has_class("-narrow")
        assert visible(app, "#question") and visible(app, "#picker")
        assert visible(app, "#spec") and not visible(app, "#ambiguity")
        await pilot.press("a")
        await pilot.pause()
        assert visible(app, "#ambiguity") and not visible(app, "#spec")
        await pilot.press("r")
        await pilot.pause()
        assert visible(app, "#runner") and not visible(app, "#spec")
        await pilot.press("i")
        assert isinstance(app.focused, ChoiceList)
        # F-keys work while typing in Other.
        await pilot.press("4", "f3")
        await pilot.pause()
        assert visible(app, "#spec") and not visible(app, "#runner")
        for pane in ("#question", "#picker"):
            assert visible(app, pane)


async def test_all_panes_at_160x48(project, store):
    app = make_app(project, store, [SINGLE, MULTI])
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        assert app.screen.has_class("-wide")
        for pane in ("#progress", "#question", "#picker", "#ambiguity", "#spec", "#runner"):
            assert visible(app, pane), pane
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert app.screen.has_class("-narrow") and not visible(app, "#ambiguity")


async def test_markup_and_escapes_are_shown_literally(project, store):
    app = make_app(project, store, [MARKUP, SINGLE], note="careful: [/] and \x1b[2J")
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        text = str(app.query_one("#q-text").render())
        assert "[bold]markup[/bold]" in text and "[/]" in text
        assert "\x1b" not in text and "52;c" not in text
        assert "\x1b" not in str(app.query_one("#q-note").render())
        options = app.query_one(ChoiceList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(3)]
        assert prompts[0].startswith("1 [/] closes")
        assert "\x1b" not in prompts[1]
        await pilot.press("1", "enter")
        await settle(pilot)
        assert app.engine.answers[0].selected_labels == ["[/] closes"]


async def test_theme_from_config_and_palette(project, store):
    app = make_app(project, store, [SINGLE], theme="specui-light")
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert app.theme == "specui-light"
        assert {"specui-dark", "specui-light", "textual-dark"} <= set(app.available_themes)
        await palette_pick(pilot, "Theme: specui-dark")
        await settle(pilot)
        assert app.theme == "specui-dark"


async def test_unknown_theme_falls_back_with_a_warning(project, store):
    app = make_app(project, store, [SINGLE], theme="no-such-theme")
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert app.theme == "specui-dark"
        assert any("no-such-theme" in str(n.message) for n in app._notifications)


async def test_palette_lists_every_action(project, store):
    from specui.ui.actions import table

    app = make_app(project, store, [SINGLE])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        commands = app.palette_commands()
        titles = [t for t, _h, _cb in commands]
        # the palette is built from the action table: every entry meant for it is there, but
        # those of a state the workbench is not in (cancel / retry a round)
        hidden = {"interview.cancel", "interview.retry", "interview.offline"}
        for entry in table():
            if entry.palette and entry.id != "app.quit":
                listed = any(t.startswith(entry.title) for t in titles)
                assert listed is (entry.id not in hidden), entry.id
        for needle in ("Ambiguity", "SPEC.md", "Runner", "Finalize", "Exit", "Run the next phase",
                       "Theme: specui-light", "Quit"):
            assert any(needle in t for t in titles), needle
        helps = {t: h for t, h, _cb in commands}
        assert helps["Go to the SPEC.md pane"] == "s"
        assert helps["Show the SPEC.md pane, keep typing the answer"] == "F3"


async def test_early_exit_only_from_round_4_and_asks_first(project, store):
    app = make_app(project, store, [SINGLE, SINGLE, SINGLE, SINGLE, SINGLE])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await pilot.pause()
        assert len(app.screen_stack) == 1  # no dialog before round 4
        for _ in range(3):
            await pilot.press("1", "enter")
            await settle(pilot)
        assert store.state.interview.current.round == 4
        await pilot.press("x")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "ConfirmScreen"
        body = " ".join(str(app.screen.query_one("#confirm-body").render()).split())
        assert "threshold" in body and "residual-risk" in body
        # the protocol's warning, whose gates SPEC.md's residual risk names the same way
        # (trial H14; tests/unit/test_cli_interview.py checks that side)
        assert body == " ".join(policy.exit_warning(store.state.interview).split())
        assert "Readiness gates not met: Non-goals, Decision Boundaries" in body
        await pilot.press("n")
        await pilot.pause()
        assert store.state.interview.status == "active"
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert store.state.interview.status == "exited"
        assert app.query_one("#finish").display and not app.query_one(OptionPicker).display
        finish = str(app.query_one("#finish-body").render())
        assert "ended early" in finish and "SPEC.md" in finish


async def test_finish_message_after_the_last_answer(project, store):
    app = make_app(project, store, [SINGLE])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("1", "enter")
        await settle(pilot)
        assert store.state.interview.status == "crystallized"
        finish = str(app.query_one("#finish-body").render())
        assert "Spec Creation Progress:" in finish
        assert "complete" in finish and "todo-cli/SPEC.md" in finish
        assert "Vision" in finish


class Exploding:
    """An engine whose answer() fails, to prove errors become notifications, not crashes."""

    def __init__(self, inner, error):
        self.inner, self.error = inner, error

    def start(self):
        self.inner.start()

    def answer(self, answer, *, key=None):
        raise self.error

    def exit_blocker(self):
        return "never"

    def shutdown(self):
        self.inner.shutdown()


async def test_engine_errors_are_notified_not_fatal(project, store):
    from specui.core.errors import SpecuiError

    from .fake_engine import FakeInterviewer

    for error, expected in (
        (SpecuiError("SPEC.md is not UTF-8"), "SPEC.md is not UTF-8"),
        (RuntimeError("boom"), "internal error"),
    ):
        st = store if error.__class__ is SpecuiError else type(store).open(project)
        engine = Exploding(FakeInterviewer(project, st, [SINGLE]), error)
        app = make_app(project, st, engine=engine)
        async with app.run_test(size=SMALL) as pilot:
            await settle(pilot)
            await pilot.press("1", "enter")
            await settle(pilot)
            assert app.is_running
            assert expected in hint(app)
            assert any(expected in str(n.message) for n in app._notifications)
            assert not app.query_one(OptionPicker).busy


async def test_quit_and_reopen_resumes_the_same_question(project, store):
    app = make_app(project, store, [SINGLE, MULTI, FREE])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("1", "enter")
        await settle(pilot)
        await pilot.press("ctrl+q")
    from specui.store import SessionStore

    reopened = SessionStore.open(project)
    assert reopened.state.interview.current.round == 2
    app2 = make_app(project, reopened, [SINGLE, MULTI, FREE])
    async with app2.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert "Round 2" in str(app2.query_one("#q-header").render())
        assert app2.query_one(OptionPicker).question.multi_select


async def test_palette_reaches_every_runner_action(project, store):
    """Keys hidden from a narrow footer stay one palette entry away; auto-continue toggles."""
    app = make_app(project, store, [SINGLE])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        commands = {t: cb for t, _h, cb in app.palette_commands()}
        for title in ("Run the next phase", "Run a chosen phase…", "Stop the running phase",
                      "Continue implement (remaining tasks)", "Restart the phase"):
            assert title in commands, title
        commands["Stop the running phase"]()  # from the palette too, unavailable says why
        await settle(pilot)
        assert any("no phase running" in str(n.message) for n in app._notifications)
        toggle = next(cb for t, cb in commands.items() if t.startswith("Toggle auto-continue"))
        toggle()
        await settle(pilot)
        assert any("auto-continue on" in str(n.message) for n in app._notifications)
        toggle()
        await settle(pilot)
        assert any("auto-continue off" in str(n.message) for n in app._notifications)
