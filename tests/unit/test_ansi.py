"""ansi.sanitize keeps colours and strips everything that could act on the terminal."""

from __future__ import annotations

import codecs
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from specui.core.ansi import (
    has_controls,
    is_safe_bytes,
    sanitize,
    sanitize_bytes,
    scan_span,
    strip_ansi,
)

ESC = "\x1b"


def test_plain_text_is_returned_unchanged() -> None:
    text = "hello [bold]world[/] \t tab"
    assert sanitize(text) is text
    assert strip_ansi(text) is text


@pytest.mark.parametrize(
    "sgr", [f"{ESC}[31m", f"{ESC}[0m", f"{ESC}[1;38;5;208m", f"{ESC}[38:2::255:0:0m", f"{ESC}[m"]
)
def test_sgr_sequences_are_kept(sgr: str) -> None:
    assert sanitize(f"a{sgr}b") == f"a{sgr}b"
    assert strip_ansi(f"a{sgr}b") == "ab"


@pytest.mark.parametrize(
    "seq",
    [
        f"{ESC}[2J",            # clear screen
        f"{ESC}[H",             # cursor home
        f"{ESC}[10;20H",        # cursor move
        f"{ESC}[?1049h",        # alt screen
        f"{ESC}[?25l",          # hide cursor
        f"{ESC}[K",             # erase line
        f"{ESC}]0;evil title\x07",                 # title, BEL-terminated
        f"{ESC}]2;title{ESC}\\",                  # title, ST-terminated
        f"{ESC}]52;c;aGVsbG8=\x07",               # OSC 52 clipboard write
        f"{ESC}]8;;https://x.example{ESC}\\",     # hyperlink
        f"{ESC}Pq#0;2;0;0;0{ESC}\\",              # DCS (sixel)
        f"{ESC}_apc payload{ESC}\\",              # APC
        f"{ESC}c",              # full reset
        f"{ESC}7",              # save cursor
        f"{ESC}(0",             # charset switch
        "\x9b2J",               # 8-bit CSI
        "\x9d0;t\x07",          # 8-bit OSC
        "\r", "\x07", "\x08", "\x00", "\x7f", "\x0c", "\x0b",
    ],
)
def test_other_sequences_and_controls_are_stripped(seq: str) -> None:
    assert sanitize(f"left{seq}right") == "leftright"
    assert strip_ansi(f"left{seq}right") == "leftright"


def test_lone_and_truncated_escapes_are_stripped() -> None:
    assert sanitize(f"x{ESC}") == "x"
    assert ESC not in sanitize(f"x{ESC}[31")
    assert sanitize(f"a{ESC}]52;c;unterminated") == "a"


def test_tab_and_newline_survive() -> None:
    assert sanitize("a\tb\nc\r\n") == "a\tb\nc\n"


def test_colour_kept_next_to_stripped_sequences() -> None:
    text = f"{ESC}[2J{ESC}[32mgreen{ESC}[0m{ESC}]0;t\x07 [bold]x[/]"
    assert sanitize(text) == f"{ESC}[32mgreen{ESC}[0m [bold]x[/]"


def test_has_controls() -> None:
    assert not has_controls("plain\ttext\n")
    assert has_controls(f"{ESC}[0m")


@given(st.text(alphabet=st.characters(max_codepoint=0x200)))
def test_sanitized_output_has_only_sgr_escapes(text: str) -> None:
    out = sanitize(text)
    # every remaining ESC starts an SGR sequence; no other control character remains
    remainder = strip_ansi(out)
    assert not has_controls(remainder)
    assert sanitize(out) == out  # idempotent
    for index, char in enumerate(out):
        if char == ESC:
            assert out[index + 1] == "["
            rest = out[index + 2 :]
            end = rest.index("m")
            assert all(c in "0123456789;:" for c in rest[:end])


@given(st.text(alphabet=st.characters(max_codepoint=0x200)))
def test_bytes_fast_path_agrees_with_sanitize(text: str) -> None:
    data = text.encode("utf-8")
    assert sanitize_bytes(data) == sanitize(text).encode("utf-8")
    assert is_safe_bytes(data) == (sanitize(text) == text)


@pytest.mark.parametrize(
    ("data", "safe"),
    [
        (b"plain\ttext\n", True),
        (b"\x1b[31mred\x1b[0m \xc2\xa9 copyright\n", True),
        (b"\x1b[2J", False),
        (b"\x1b[?25l", False),
        (b"\x1b[31;m ok", True),
        (b"\x1b[3 m", False),
        (b"\x1b]52;c;eA==\x07", False),
        (b"\xc2\x9b2J", False),
        (b"\x9b2J", False),  # a raw 8-bit CSI: invalid UTF-8, never passed through
        (b"\x9d0;title\x07", False),
        (b"\xe2\x82\xac \xc3\x9b", True),  # 0x82 and 0x9B inside characters are text
        (b"a\rb", False),
        (b"\x1b", False),
    ],
)
def test_is_safe_bytes(data: bytes, safe: bool) -> None:
    assert is_safe_bytes(data) is safe


# The definition of "safe bytes": valid UTF-8 (a character cut at the end may be completed by
# the next read; an invalid byte, such as a raw 8-bit C1 0x9B, is never safe), and, written as a
# (slow) regex: TAB, LF, any byte that is not a control, a C2 that does not start a C1
# character, and complete SGR sequences — nothing else.
def _utf8_so_far(data: bytes) -> bool:
    try:
        codecs.utf_8_decode(data, "strict", False)
    except UnicodeDecodeError:
        return False
    return True


_SAFE_BYTES = re.compile(
    rb"(?:[^\x00-\x08\x0b-\x1f\x7f\xc2]|\xc2(?![\x80-\x9f])|\x1b\[[0-9;:]*m)*", re.DOTALL
)
_PIECES = [
    b"\x1b", b"[", b"m", b"1", b"3", b";", b":", b"\n", b"\t", b"\r", b"\x07", b"\xc2",
    b"\x9b", b"\xa9", b"a", b" ", b"\x1b[31m", b"\x1b[0m", b"\x1b[1;34m", b"\x1b[2J",
    b"\x1b]0;t\x07", b"\x1b7", b"\x7f", b"\xc3\xa9",
]


@given(
    st.lists(st.sampled_from(_PIECES), max_size=40).map(b"".join),
    st.integers(0, 400), st.integers(0, 400),
)
def test_scan_span_matches_the_definition_on_any_span(data: bytes, a: int, b: int) -> None:
    start, end = sorted((min(a, len(data)), min(b, len(data))))
    span = data[start:end]
    safe = _SAFE_BYTES.fullmatch(span) is not None and _utf8_so_far(span)
    expected = (safe, span.count(b"\n"))
    assert scan_span(data, start, end) == expected
    assert scan_span(span) == expected
    assert is_safe_bytes(span) is expected[0]


@pytest.mark.parametrize(
    ("data", "start", "end", "safe"),
    [
        (b"\x1b[2J\nok \x1b[1mline\x1b[0m\n\x1b]0;t", 5, 21, True),   # unsafe parts outside
        (b"\x1b[3\n1m\n", 0, 6, False),   # an SGR is never completed across the span's end
        (b"a\x1b7[m\n", 0, 7, False),     # ESC 7 (save cursor) then "[m": not an SGR
        (b"x\x1b[1;2mx\n\xc2", 0, 11, True),
        (b"x\n\xc2\x9b2J", 0, 3, True),    # the C1 CSI starts at the end: outside
    ],
)
def test_scan_span_examples(data: bytes, start: int, end: int, safe: bool) -> None:
    assert scan_span(data, start, end)[0] is safe


@pytest.mark.parametrize(
    ("data", "clean"),
    [
        (b"a\x9b2Jb\n", b"ab\n"),  # raw 8-bit CSI and its parameters, like ESC [ 2 J
        (b"x\x9b31mred\n", b"xred\n"),  # an 8-bit SGR is not kept either
        (b"\x9d0;title\x07rest", b"rest"),  # raw 8-bit OSC
        (b"a\xc2\x9b2Jb", b"ab"),  # the UTF-8 form U+009B
        (b"\xff ok", "\ufffd ok".encode()),  # other invalid bytes: the replacement character
    ],
)
def test_8bit_c1_controls_are_stripped_like_their_7bit_forms(data: bytes, clean: bytes) -> None:
    assert sanitize_bytes(data) == clean
    assert is_safe_bytes(clean)
