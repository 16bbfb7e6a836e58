"""The one rule for whether a queued callback may still touch a widget's children
(specui.ui.lifecycle.is_live), on a bare Textual app so each state is reached on purpose."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from specui.ui.lifecycle import is_live


class Pane(Vertical):
    def __init__(self) -> None:
        super().__init__()
        self.seen: dict[str, bool] = {}

    def compose(self) -> ComposeResult:
        yield Static("child", id="child")

    def on_mount(self) -> None:
        # A screen renders its session from its mount handler (the workbench in eager mode).
        self.seen["on_mount"] = is_live(self)
        self.call_later(lambda: self.seen.setdefault("queued", is_live(self)))


class Bare(App[None]):
    def compose(self) -> ComposeResult:
        yield Pane()


async def test_a_widget_is_live_from_its_own_mount_handler_on():
    app = Bare()
    async with app.run_test() as pilot:
        await pilot.pause()
        pane = app.query_one(Pane)
        assert pane.seen == {"on_mount": True, "queued": True}
        assert is_live(pane)


async def test_a_widget_being_taken_down_or_gone_is_not_live():
    app = Bare()
    async with app.run_test() as pilot:
        await pilot.pause()
        pane = app.query_one(Pane)
        seen: list[bool] = []
        # Queued before the take-down begins, run once it has: what a render queued at mount
        # meets at a quick quit.
        pane.call_later(lambda: seen.append(is_live(pane)))
        removal = pane.remove()
        assert pane._pruning and not is_live(pane)
        await removal
        await pilot.pause()
        assert seen == [False]
        assert not is_live(pane)


async def test_nothing_is_live_once_the_app_is_exiting():
    app = Bare()
    async with app.run_test() as pilot:
        await pilot.pause()
        pane = app.query_one(Pane)
        app.exit()
        assert not is_live(pane)
