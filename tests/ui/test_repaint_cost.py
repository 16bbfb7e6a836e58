"""What an agent round's many store changes cost the screen: the ambiguity table rendered once
per change (it was rendered again to measure it and to paint it), no layout for a line that did
not change (each competed with the round for the CPU)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from specui.ui.widgets.static_text import show

from .conftest import LARGE, make_app, settle
from .fake_engine import FREE, MULTI, SINGLE


async def test_the_ambiguity_table_is_rendered_once_per_change(project, store, monkeypatch):
    app = make_app(project, store, [SINGLE, MULTI])
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        renders = []
        original = Table.__rich_console__

        def counted(self, console, options):
            renders.append(options.max_width)
            return original(self, console, options)

        monkeypatch.setattr(Table, "__rich_console__", counted)
        for _ in range(3):
            app.screen.refresh(layout=True)
            await pilot.pause()
        assert renders == []
        # A change the table does not show (an engine's state, a notice): not drawn again.
        store.update(lambda s: setattr(s.interview, "notice", "codex is reading SPEC.md"))
        await settle(pilot)
        assert renders == []
        await pilot.press("1", "enter")  # a new session: drawn again, once (measured and painted)
        await settle(pilot)
        assert len(renders) == 1
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await settle(pilot)
        assert len(renders) == 2  # the theme's colours are in the table
        body = app.query_one("#ambiguity-body")
        assert body.styles.height.value == len(body.render_lines(body.region.reset_offset))


async def test_an_unchanged_line_is_not_laid_out_or_repainted_again(project, store, monkeypatch):
    app = make_app(project, store, [SINGLE])
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        line = app.query_one("#q-header", Static)
        calls = []
        monkeypatch.setattr(line, "refresh", lambda *a, **k: calls.append(k.get("layout", False)))
        show(line, Text(str(line.content)))
        assert calls == []  # the same text: nothing
        show(line, Text(str(line.content) + "!"))
        assert calls == [False]  # still one line: repainted, no layout
        show(line, Text("a much longer header " * 20))
        assert calls == [False, True]  # now it wraps: a layout


async def test_the_ambiguity_pane_stays_put_while_questions_change(project, store):
    """Wide layout: the question and its answer keep half the column, so the next question
    (shorter or longer, options or text) neither moves the Ambiguity pane nor makes the frame
    that paints it draw the pane again. A question longer than the half grows the area."""
    from specui.core.questions import Question

    long_options = Question.model_validate({
        "question": "Which of these hold? " + "Some context the agent wrote first. " * 30,
        "type": "multi-answerable",
        "options": [{"label": f"Option {n}", "value": f"o{n}", "description": "x " * 80}
                    for n in range(1, 10)],
    })
    app = make_app(project, store, [SINGLE, FREE, MULTI, long_options, SINGLE])
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        ambiguity = app.query_one("#ambiguity")
        top = ambiguity.region.y
        await pilot.press("1", "enter")  # -> a free-text question (a taller answer box)
        await settle(pilot)
        assert ambiguity.region.y == top
        app.query_one("#free-text").text = "An answer"
        await pilot.press("ctrl+s")  # -> a multi-select question
        await settle(pilot)
        assert ambiguity.region.y == top
        await pilot.press("1", "enter")  # -> a long question with nine long options
        await settle(pilot)
        assert ambiguity.region.y > top  # the area grew instead of cutting the options
        choices = app.query_one("#choices")
        assert choices.region.bottom <= ambiguity.region.y
