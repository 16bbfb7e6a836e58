"""The workbench's way into the SPEC.md conflicts modal (ConflictsScreen): the count in the
progress line while conflicts wait, the C / F5 key (live only then), the palette entry."""

from __future__ import annotations

from specui.core.fsio import atomic_write_text
from specui.core.spec import render_spec_template
from specui.store import Conflict
from specui.ui.screens.conflicts import ConflictsScreen

from .conftest import SMALL, make_app, palette_pick, settle
from .fake_engine import SINGLE


def progress_text(app) -> str:
    return str(app.query_one("#progress").render())


def add_conflict(store, unit: str = "vision") -> None:
    store.update(
        lambda s: s.spec.conflicts.append(
            Conflict(unit=unit, text="- proposed [bold]text[/]", reason=f"you edited {unit}")
        )
    )


async def test_conflicts_are_counted_and_open_with_one_key(project, store):
    atomic_write_text(project.spec, render_spec_template("todo-cli"))
    app = make_app(project, store, [SINGLE])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert "conflict" not in progress_text(app)
        await pilot.press("C")
        await settle(pilot)
        assert not isinstance(app.screen, ConflictsScreen)  # nothing to review: key is idle

        add_conflict(store)
        add_conflict(store, "scope")
        await settle(pilot)
        assert "⚠ 2 conflicts · C" in progress_text(app)  # 80 columns: the short form
        assert any("C to review" in str(n.message) for n in app._notifications)

        await pilot.press("C")
        await settle(pilot)
        assert isinstance(app.screen, ConflictsScreen)
        await pilot.press("d")  # dismiss the first one (kept in the session's history)
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ConflictsScreen)
        assert "⚠ 1 conflict · C" in progress_text(app)

        await pilot.press("f5")  # works while typing too (F-key)
        await settle(pilot)
        assert isinstance(app.screen, ConflictsScreen)
        await pilot.press("d", "escape")
        await settle(pilot)
        assert "conflict" not in progress_text(app)
        assert store.state.spec.conflicts == []


async def test_palette_opens_the_conflicts_screen_even_when_empty(project, store):
    app = make_app(project, store, [SINGLE])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        titles = [title for title, _help, _cb in app.palette_commands()]
        assert "SPEC.md conflicts (0)" in titles
        await palette_pick(pilot, "SPEC.md conflicts")
        await settle(pilot)
        assert isinstance(app.screen, ConflictsScreen)
        assert app.screen.query_one("#conflicts-empty").display
