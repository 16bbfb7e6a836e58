"""The help screen lists every key, including those a widget binds itself (found in tmux: `?`
had no Ctrl+S, Space or log keys, and `"picker.submit_text" = "ctrl+j"` in specui.toml [keys]
was reported as "no action 'picker.submit_text'")."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import time

from textual.binding import Binding
from textual.dom import DOMNode

import specui.ui.panes
import specui.ui.screens
import specui.ui.widgets
from specui.ui import actions

from .conftest import LARGE, MEDIUM, make_app, settle
from .fake_engine import SINGLE


def declared_widget_keys() -> dict[str, str]:
    """id -> keys of every Binding with an id that a widget, pane or screen class declares,
    leaving out the action table's own (bound from actions.py)."""
    table = {entry.id for entry in actions.table()}
    found: dict[str, str] = {}
    for package in (specui.ui.widgets, specui.ui.screens, specui.ui.panes):
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            for _name, cls in inspect.getmembers(module, inspect.isclass):
                if cls.__module__ != module.__name__ or not issubclass(cls, DOMNode):
                    continue
                for binding in cls.__dict__.get("BINDINGS", []):
                    if isinstance(binding, Binding) and binding.id and binding.id not in table:
                        found[binding.id] = binding.key
    return found


def test_widget_keys_describe_every_id_the_widgets_declare():
    described = {entry.id: entry.keys for entry in actions.WIDGET_KEYS}
    assert described == declared_widget_keys()


def test_a_widget_key_in_specui_toml_is_not_reported_unknown():
    assert actions.check_keymap({"picker.submit_text": "ctrl+j", "log.follow": "f"}) == []
    assert actions.check_keymap({"picker.nope": "x"})


async def test_help_lists_ctrl_s_space_the_log_keys_and_the_palette(project, store):
    app = make_app(project, store)
    async with app.run_test(size=MEDIUM) as pilot:
        await settle(pilot)
        await pilot.press("escape", "question_mark")
        await settle(pilot)
        from specui.ui.screens.help import HelpScreen

        assert isinstance(app.screen, HelpScreen)
        lines = [line.rstrip() for line in _text(app.screen).splitlines()]
        row = next(line for line in lines if "picker.submit_text" in line)
        assert row.split()[0] == "^s" and "free-text" in row
        assert any("picker.toggle" in line and "space" in line for line in lines)
        assert any("log.follow" in line for line in lines)
        assert any("Command palette" in line and "^p" in line for line in lines)
        assert any(line.split() == ["Keys", "Action", "[keys]", "id"] for line in lines)


def _text(screen) -> str:
    from rich.console import Console

    console = Console(width=120, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    for static in screen.query("Static"):
        console.print(static.content)
    return console.export_text()


async def test_the_palette_offers_specuis_keys_not_textuals_key_panel(project, store):
    # Trial G3: Ctrl+P "keys" listed Textual's "Keys" first; Enter docked its raw key panel
    # beside the workbench (squeezing it to 80 columns) until hidden from the palette again.
    from textual.command import CommandPalette

    app = make_app(project, store, [SINGLE])
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        palette = app.screen
        await pilot.press(*"keys")

        def hits() -> list[str]:
            return [str(option.prompt) for option in palette.query_one("CommandList").options]

        def searching() -> bool:  # the palette searches in a worker, restarted per key
            return any(w.node is palette and not w.is_finished for w in app.workers)

        # Every hit of the whole search, not the first batch (on a loaded machine the palette
        # shows hits in batches, and a fixed second could end before the first one came).
        start = time.perf_counter()
        while searching() or not any("Keys and actions" in hit for hit in hits()):
            assert time.perf_counter() - start < 10, hits()
            await pilot.pause(0.02)
        assert not any(hit.splitlines()[0].strip() == "Keys" for hit in hits()), hits()


def test_a_key_given_to_two_actions_is_named():
    """trial4 J4: `pane.spec = "a"` took the Ambiguity pane's letter without a word."""
    said = actions.check_keymap({"pane.spec": "a"})
    expected = ("specui.toml [keys]: 'a' for pane.spec is also the key of pane.ambiguity; "
                "only one of them runs (give one another key)")
    assert said == [expected]
    assert actions.check_keymap({"pane.spec": "a", "pane.ambiguity": "s"}) == []  # a swap
    # Keys the defaults share on purpose are no conflict, set again or not.
    assert actions.check_keymap({"interview.cancel": "escape"}) == []


def _keys_on(app, key: str) -> list[str]:
    """The binding ids the workbench's key dispatch sees for `key` (Textual's binding chain,
    keymap applied)."""
    return [b.id for _node, bindings in app.screen._binding_chain
            for b in bindings.key_to_bindings.get(key, [])]


async def test_moving_one_action_off_a_shared_key_keeps_the_other_on_it(project, store):
    """trial6 K3: `pane.runner = "ctrl+o"` also took `r` from the failed round's retry (Textual
    drops every binding of the old key when one id moves off it)."""
    from specui.core.config import SpecuiConfig
    from specui.ui.app import SpecuiApp

    from .fake_engine import FakeInterviewer

    config = SpecuiConfig.model_validate({"keys": {"pane.runner": "ctrl+o"}})
    engine = FakeInterviewer(project, store, [SINGLE])
    app = SpecuiApp(project, store=store, config=config, engine=engine, watch=False, blink=False)
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        app.set_focus(None)
        await pilot.pause()
        assert "interview.retry" in _keys_on(app, "r")
        assert "pane.runner" not in _keys_on(app, "r")
        assert "pane.runner" in _keys_on(app, "ctrl+o")


def test_an_empty_key_is_named_not_ignored_silently():
    """trial6 K7: `pane.spec = ""` was accepted; Textual skips it and `s` stays."""
    assert actions.check_keymap({"pane.spec": ""}) == [
        "specui.toml [keys]: an empty key for pane.spec is ignored; it keeps s"]
