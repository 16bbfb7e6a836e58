"""The pane holding the focus is highlighted (`-focus-within`, shell.tcss), and the class only
changes when the focus goes to another pane: a focus move inside the answer pane (its text
box to its options, every round) restyles nothing."""

from __future__ import annotations

from .conftest import make_app, settle
from .fake_engine import SINGLE

WIDE = (160, 48)


def highlighted(app) -> list[str]:
    return [w.id for w in app.screen.query(".pane.-focus-within")]


async def test_the_focused_pane_is_highlighted_and_follows_the_focus(project, store):
    app = make_app(project, store, [SINGLE])
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert app.focused.id == "choices" and highlighted(app) == ["picker"]
        await pilot.press("s")  # the SPEC.md pane takes the focus
        await settle(pilot)
        assert highlighted(app) == ["spec"]
        app.screen.action_focus_answer()  # and the answer again
        await settle(pilot)
        assert app.focused.id == "choices" and highlighted(app) == ["picker"]


async def test_a_focus_move_inside_the_answer_pane_restyles_no_pane(project, store):
    app = make_app(project, store, [SINGLE])
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        picker = app.query_one("#picker")
        restyled: list[object] = []
        update_nodes = app.stylesheet.update_nodes

        def spy(nodes, *args, **kwargs):  # every restyle of a set of nodes passes here
            nodes = list(nodes)
            restyled.extend(nodes)
            return update_nodes(nodes, *args, **kwargs)

        app.stylesheet.update_nodes = spy
        await pilot.press("4")  # Other: the focus goes from the options to the Other input
        await settle(pilot)
        assert app.focused.id == "other-input"
        await pilot.press("escape")  # and back to the options
        await settle(pilot)
        assert app.focused.id == "choices"
        assert picker not in restyled  # only the widgets whose own focus changed
        assert highlighted(app) == ["picker"]
