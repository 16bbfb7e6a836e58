"""A theme picked in the command palette is saved as `[ui] theme` in specui.toml (comments and
other keys kept) and is the theme of the next start; starting never writes the file."""

from __future__ import annotations

import time

import pytest

from specui.core.config import load_config, with_ui_theme
from specui.core.errors import SpecuiError
from specui.ui.app import SpecuiApp

from .conftest import SMALL, make_app, palette_pick, settle
from .fake_engine import SINGLE

USER_TOML = """\
# my project's settings
[interview]
engine = "builtin"  # offline

[ui]
# the dark one for now
theme = "specui-dark"  # picked on day one

[runner]
stall_minutes = 3
"""


def test_with_ui_theme_keeps_comments_order_and_other_keys():
    out = with_ui_theme(USER_TOML, "specui-light")
    assert out == USER_TOML.replace('theme = "specui-dark"', 'theme = "specui-light"')


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", '[ui]\ntheme = "x"\n'),
        ("[runner]\nnotify = false\n", '[runner]\nnotify = false\n\n[ui]\ntheme = "x"\n'),
        ('ui = {theme = "a"}\n', 'ui = {theme = "x"}\n'),
        ('[ui]\ntheme = "a"\n', '[ui]\ntheme = "x"\n'),
    ],
)
def test_with_ui_theme_adds_or_replaces(text, expected):
    assert with_ui_theme(text, "x") == expected


@pytest.mark.parametrize("text", ["ui = 3\n", "[ui\n"])
def test_with_ui_theme_refuses_what_it_cannot_edit(text):
    with pytest.raises(SpecuiError, match=r"^specui\.toml: "):
        with_ui_theme(text, "x")


async def wait_for(pilot, predicate, timeout: float = 5.0) -> None:
    start = time.perf_counter()
    while not predicate():
        assert time.perf_counter() - start < timeout, "condition not met in time"
        await pilot.pause(0.02)


async def test_palette_theme_is_saved_and_survives_a_restart(project, store):
    project.config.write_text(USER_TOML)
    app = make_app(project, store, [SINGLE], theme="specui-dark")
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await palette_pick(pilot, "Theme: specui-light")
        await wait_for(pilot, lambda: "specui-light" in project.config.read_text())
        assert app.theme == "specui-light"
        assert project.config.read_text() == USER_TOML.replace("specui-dark", "specui-light", 1)
        assert any("saved" in str(n.message) for n in app._notifications)
        leftovers = [p.name for p in project.root.iterdir() if p.name.startswith(".")]
        assert not [n for n in leftovers if "specui.toml" in n]  # no temp file left behind
    assert load_config(project).ui.theme == "specui-light"

    # Restart the way `specui DIR` does: the first frame already has the saved theme.
    seen: list[str] = []

    class Restarted(SpecuiApp):
        def on_ready(self) -> None:
            seen.append(self.theme)

    again = Restarted(project, watch=False, blink=False)
    async with again.run_test(size=SMALL) as pilot:
        await wait_for(pilot, lambda: again.store is not None)
        assert seen == ["specui-light"] and again.theme == "specui-light"


async def test_starting_never_writes_specui_toml(project, store):
    app = make_app(project, store, [SINGLE], theme="specui-light")  # differs from the default
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.pause(0.3)
        assert app.theme == "specui-light"
    assert not project.config.exists()

    project.config.write_text(USER_TOML)
    before = project.config.stat().st_mtime_ns
    lazy = SpecuiApp(project, watch=False, blink=False)
    async with lazy.run_test(size=SMALL) as pilot:
        await wait_for(pilot, lambda: lazy.store is not None)
        await settle(pilot)
        await pilot.pause(0.3)
    assert project.config.stat().st_mtime_ns == before


async def test_a_file_that_cannot_be_edited_is_left_alone_with_a_notice(project, store):
    app = make_app(project, store, [SINGLE], theme="specui-dark")
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        project.config.write_text("ui = 3\n")  # broken after start (hand edit)
        await palette_pick(pilot, "Theme: specui-light")
        await wait_for(pilot, lambda: any("ui:" in str(n.message) for n in app._notifications))
    assert project.config.read_text() == "ui = 3\n"


async def test_an_unknown_theme_is_said_once(project):
    """`[ui] theme = "nope"`: one notice at start (trial4 J5: the boot and the full config
    each warned)."""
    project.config.write_text('[ui]\ntheme = "nope"\n')
    app = SpecuiApp(project, watch=False, blink=False)
    async with app.run_test(size=SMALL) as pilot:
        await wait_for(pilot, lambda: app.store is not None)
        await settle(pilot)
        said = [str(n.message) for n in app._notifications if "nope" in str(n.message)]
        assert said == ["unknown theme 'nope'; using specui-dark"]
        assert app.theme == "specui-dark"
