"""What an agent round's many store changes cost the screen: the ambiguity table rendered once
per change (it was rendered again to measure it and to paint it), no layout for a line that did
not change (each competed with the round for the CPU)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from specui.ui.widgets.static_text import show

from .conftest import LARGE, make_app, settle
from .fake_engine import MULTI, SINGLE


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
