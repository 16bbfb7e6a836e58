"""The SPEC.md conflicts modal, driven with the keyboard on the real workbench.

The screen is pushed onto a SpecuiApp (scripted engine, no watcher) exactly as the app's key /
palette entry will do. Conflicts are made with fixed times, and SPEC.md texts and proposals
carry `[/]`, `[bold]` and escape sequences: they must show literally and never reach the
terminal.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
from textual.widgets import Static

from specui import spec_repo
from specui.core.spec import SpecDocument
from specui.store import Conflict
from specui.ui.screens import conflicts as conflicts_module
from specui.ui.screens.conflicts import EMPTY_TEXT, ConflictList, ConflictsScreen

from .conftest import LARGE, SMALL, make_app, settle

AT = datetime(2026, 3, 14, 9, 26, tzinfo=UTC)
USER_VISION = "- **Problem & Outcome**: mine [/] and [bold]not bold\x1b[2J\n- **Target Users**: me"
PROPOSED_VISION = "- **Problem & Outcome**: specui's [red]take[/red] \x1b]52;c;aGk=\x07ok"
USER_SCOPE = "- **In scope**: add, list, done"
PROPOSED_SCOPE = "- **In scope**: add, list, done, tags\n- **Non-goals**: sync"
REASON = "{} was edited in SPEC.md meanwhile; the new text was kept aside"


@pytest.fixture(autouse=True)
def _utc(monkeypatch):
    """Conflict times are shown in local time: pin it so screens are the same everywhere."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def seed(project, store, *, vision: bool = True, scope: bool = True) -> None:
    """SPEC.md with the user's texts, and the proposals that conflicted with them."""
    spec_repo.init_project(project)
    doc = spec_repo.read_document(project)
    doc = doc.with_unit_text("vision", USER_VISION).with_unit_text("scope", USER_SCOPE)
    project.spec.write_text(doc.text, encoding="utf-8")

    def add(s) -> None:
        if vision:
            s.spec.conflicts.append(
                Conflict(unit="vision", text=PROPOSED_VISION, at=AT, reason=REASON.format("Vision"))
            )
        if scope:
            s.spec.conflicts.append(
                Conflict(unit="scope", text=PROPOSED_SCOPE, at=AT, reason=REASON.format("Scope"))
            )

    store.update(add)


def plain(screen: ConflictsScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def unit(project, key: str) -> str | None:
    return SpecDocument.parse(project.spec.read_text(encoding="utf-8")).unit_text(key)


async def open_screen(pilot) -> ConflictsScreen:
    await settle(pilot)
    screen = ConflictsScreen(pilot.app.project, pilot.app.store)
    await pilot.app.push_screen(screen)
    await pilot.pause()
    return screen


async def test_lists_conflicts_and_shows_both_texts_literally(project, store):
    seed(project, store)
    app = make_app(project, store)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_screen(pilot)
        listing = screen.query_one(ConflictList)
        assert listing.option_count == 2 and listing.highlighted == 0
        first = str(listing.get_option_at_index(0).prompt)
        assert "Vision & Goals" in first and "2026-03-14 09:26" in first and "edited" in first
        mine = plain(screen, "#conflict-mine-text")
        theirs = plain(screen, "#conflict-theirs-text")
        assert "mine [/] and [bold]not bold" in mine and "\x1b" not in mine
        assert "specui's [red]take[/red] ok" in theirs and "\x1b" not in theirs
        assert "52;c" not in theirs  # the OSC 52 clipboard write is gone, not shown

        await pilot.press("down")
        assert listing.highlighted == 1
        assert plain(screen, "#conflict-mine-text") == USER_SCOPE
        assert plain(screen, "#conflict-theirs-text") == PROPOSED_SCOPE
        await pilot.press("up")
        assert listing.highlighted == 0
        assert "Problem & Outcome" in plain(screen, "#conflict-mine-text")

        keys = {b.binding.key for b in screen.active_bindings.values() if b.binding.show}
        assert {"up", "a", "m", "d", "escape"} <= keys


async def test_apply_then_dismiss_with_the_keyboard(project, store):
    seed(project, store)
    app = make_app(project, store)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_screen(pilot)
        await pilot.press("down", "a")
        await pilot.pause()
        assert unit(project, "scope") == PROPOSED_SCOPE
        assert unit(project, "vision") == USER_VISION  # the other conflict's unit untouched
        assert [c.unit for c in store.state.spec.conflicts] == ["vision"]
        assert screen.query_one(ConflictList).option_count == 1
        assert screen.query_one(ConflictList).highlighted == 0

        before = project.spec.read_bytes()
        await pilot.press("d")
        await pilot.pause()
        assert project.spec.read_bytes() == before
        assert store.state.spec.conflicts == []
        history = store.state.spec.conflicts_history
        assert [(h.conflict.unit, h.action) for h in history] == [
            ("scope", "applied"),
            ("vision", "dismissed"),
        ]
        assert history[0].previous_text == USER_SCOPE
        assert screen.query_one("#conflicts-empty").display
        assert not screen.query_one(ConflictList).display

        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ConflictsScreen)


async def test_append_keeps_both_texts(project, store):
    """Append merges bullet by bullet: the proposal's second answer for a label the user already
    filled goes under the user's line, a label the user lacks is added, no label is repeated."""
    seed(project, store, vision=False)
    app = make_app(project, store)
    async with app.run_test(size=SMALL) as pilot:
        await open_screen(pilot)
        await pilot.press("m")
        await pilot.pause()
        assert unit(project, "scope") == (
            "- **In scope**: add, list, done\n    add, list, done, tags\n- **Non-goals**: sync"
        )
        assert store.state.spec.conflicts == []
        assert store.state.spec.conflicts_history[0].action == "appended"


async def test_a_newer_edit_wins_and_the_conflict_stays(project, store, monkeypatch):
    monkeypatch.setattr(conflicts_module, "POLL_SECONDS", 3600)  # no re-read before `a`
    seed(project, store, vision=False)
    app = make_app(project, store)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_screen(pilot)
        # The user saves a newer Scope in their editor and presses `a` before the modal has
        # shown it: their newest text must win.
        newest = "- **In scope**: the user's NEWEST list"
        doc = spec_repo.read_document(project).with_unit_text("scope", newest)
        project.spec.write_text(doc.text, encoding="utf-8")
        await pilot.press("a")
        await pilot.pause()
        assert unit(project, "scope") == newest
        assert [c.text for c in store.state.spec.conflicts] == [PROPOSED_SCOPE]
        assert store.state.spec.conflicts_history == []
        assert any(n.severity == "warning" and "again" in n.message for n in app._notifications)
        # the modal now shows what is on disk, and the next `a` is a real decision about it
        assert plain(screen, "#conflict-mine-text") == newest
        await pilot.press("a")
        await pilot.pause()
        assert unit(project, "scope") == PROPOSED_SCOPE
        assert store.state.spec.conflicts_history[0].previous_text == newest


async def test_follows_spec_md_and_the_store_while_open(project, store):
    seed(project, store, vision=False)
    app = make_app(project, store)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_screen(pilot)
        edited = "- **In scope**: edited in the editor"
        doc = spec_repo.read_document(project).with_unit_text("scope", edited)
        project.spec.write_text(doc.text, encoding="utf-8")
        await pilot.pause(0.8)  # the modal polls the file's stamp
        assert plain(screen, "#conflict-mine-text") == edited

        # The engine records a new conflict from its own thread.
        base = spec_repo.read_document(project)
        project.spec.write_text(base.with_unit_text("risks", "My risks.").text, encoding="utf-8")
        worker = threading.Thread(
            target=spec_repo.patch, args=(project, store, {"risks": "Engine risks."}, base)
        )
        worker.start()
        worker.join()
        await pilot.pause()
        await pilot.pause()
        listing = screen.query_one(ConflictList)
        assert listing.option_count == 2
        assert "Risks" in str(listing.get_option_at_index(1).prompt)


async def test_empty_state_and_disabled_keys(project, store):
    spec_repo.init_project(project)
    before = project.spec.read_bytes()
    app = make_app(project, store)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_screen(pilot)
        assert screen.query_one("#conflicts-empty").display
        assert plain(screen, "#conflicts-empty") == EMPTY_TEXT
        assert not screen.query_one("#conflict-compare").display
        keys = {b.binding.key for b in screen.active_bindings.values()}
        assert "escape" in keys and not {"a", "m", "d"} & keys
        await pilot.press("a", "m", "d", "down")
        assert project.spec.read_bytes() == before and store.state.spec.conflicts_history == []
        # the workbench's own keys do not leak through the modal
        assert app.workbench.active_pane == "spec"
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ConflictsScreen)


@pytest.mark.parametrize(("size", "side_by_side"), [(SMALL, False), (LARGE, True)])
async def test_stacked_at_80_columns_side_by_side_when_wide(project, store, size, side_by_side):
    seed(project, store)
    app = make_app(project, store)
    async with app.run_test(size=size) as pilot:
        screen = await open_screen(pilot)
        mine = screen.query_one("#conflict-mine").region
        theirs = screen.query_one("#conflict-theirs").region
        assert mine.height >= 3 and theirs.height >= 3
        if side_by_side:
            assert mine.y == theirs.y and theirs.x >= mine.right
        else:
            assert mine.x == theirs.x and theirs.y >= mine.bottom


def test_snapshot_conflicts_80x24(snap_compare, project, store):
    seed(project, store)
    app = make_app(project, store)

    async def run_before(pilot) -> None:
        await open_screen(pilot)  # the first conflict: hostile text on both sides
        await pilot.pause()

    assert snap_compare(app, terminal_size=SMALL, run_before=run_before)


LOST_REASON = spec_repo.LOST_LINES_REASON


async def test_the_selected_conflicts_whole_reason_is_shown(project, store):
    """The list row cuts the reason at 80 columns ("another program wrote…"); whether specui
    proposes a text or another program's lines were rescued decides between a and m."""
    seed(project, store, vision=False)
    store.update(lambda s: s.spec.conflicts.append(
        Conflict(unit="risks", text="- **Known risks**: scope creep", at=AT, reason=LOST_REASON)))
    app = make_app(project, store)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_screen(pilot)
        assert plain(screen, "#conflict-reason") == REASON.format("Scope")
        assert screen.query_one("#conflict-theirs").border_title == "Proposed by specui"
        await pilot.press("down")
        assert plain(screen, "#conflict-reason") == LOST_REASON
        # Not specui's proposal: lines that would have been lost (m keeps them with yours).
        assert screen.query_one("#conflict-theirs").border_title == "Lines another program wrote"
