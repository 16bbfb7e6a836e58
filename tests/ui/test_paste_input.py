"""A bracketed paste that holds escape sequences arrives whole, as one Paste (trial4 J2: the
characters after a colour code came as key presses, and a line break after one as Enter,
which submitted half an answer into SPEC.md)."""

from __future__ import annotations

import inspect

from textual import events
from textual.drivers.linux_driver import LinuxDriver

from specui.ui.services.paste_input import END, START, PasteSafeParser, install


def _events(*reads: str) -> list[object]:
    parser = PasteSafeParser()
    out: list[object] = []
    for data in reads:
        out.extend(parser.feed(data))
    out.extend(parser.feed(""))
    return out


def _pastes(evs: list[object]) -> list[str]:
    return [e.text for e in evs if isinstance(e, events.Paste)]


def _keys(evs: list[object]) -> list[str]:
    return [e.key for e in evs if isinstance(e, events.Key)]


def test_a_coloured_paste_is_one_paste_without_its_colour_codes():
    evs = _events(f"{START}Needs \x1b[31mRED\x1b[0m colour only; the build runs first.{END}")
    assert _pastes(evs) == ["Needs RED colour only; the build runs first."]
    assert _keys(evs) == []


def test_a_line_break_after_a_colour_code_is_text_not_enter():
    evs = _events(f"{START}abc\x1b[31m red\rmore{END}")
    assert _pastes(evs) == ["abc red\rmore"]
    assert "enter" not in _keys(evs)


def test_another_escape_is_shown_not_run():
    evs = _events(f"{START}clear\x1b[2Jscreen{END}")
    assert _pastes(evs) == ["clear\u241b[2Jscreen"]
    assert _keys(evs) == []


def test_markers_and_escapes_split_across_reads():
    # A 24-bit colour code is longer than most: held back whole wherever the read ends.
    whole = f"{START}one \x1b[1mtwo\x1b[0m \x1b[38;2;255;255;255mthree\x1b[0m{END}"
    for cut in range(1, len(whole)):
        evs = _events(whole[:cut], whole[cut:])
        assert _pastes(evs) == ["one two three"], cut
        assert _keys(evs) == [], cut


def test_keys_outside_a_paste_are_untouched():
    evs = _events("ab", f"{START}x{END}", "\x1b[A")  # a, b, the paste, then cursor up
    assert _keys(evs) == ["a", "b", "up"]
    assert _pastes(evs) == ["x"]


def test_the_linux_driver_builds_its_parser_from_the_name_install_replaces():
    """The patch point: if Textual stops building `XTermParser(...)` in the input thread, this
    fails, not the user's paste."""
    assert "XTermParser(" in inspect.getsource(LinuxDriver.run_input_thread)
    from textual.drivers import linux_driver

    original = linux_driver.XTermParser
    try:
        install(LinuxDriver)
        assert linux_driver.XTermParser is PasteSafeParser
    finally:
        linux_driver.XTermParser = original
