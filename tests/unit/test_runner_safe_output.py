"""The log's line sanitizer: colours kept, every other escape stripped, per line, whatever
the chunking; the pane shows the same; partial lines still show while the agent waits."""

from __future__ import annotations

import random

import pytest

from specui.core.ansi import last_frame, sanitize, sanitize_bytes
from specui.runner.safe_output import MAX_PENDING, LineSanitizer
from specui.ui.widgets.log_view import sanitize_line as pane_sanitize  # what the pane does

NASTY_LINES = [
    "\x1b[31mred\x1b[0m [bold]not markup[/] \x1b[2J\x1b]0;title\x07\x1b]52;c;eA==\x07end",
    "plain line with ünïcödé ✓ and a tab\there",
    "\x1b]52;c;aGVsbG8gd29ybGQ=\x1b\\after OSC 52 with ST",
    "cursor\x1b[10;5Hmoves\x1b[?25l hidden\x1b7 saved\x1b8",
    "\x1bP+q544e\x1b\\dcs gone \x9b31m c1 csi gone \x07 bell gone",
    "an unterminated title \x1b]2;never closed",   # must not swallow the next line
    "next line survives\r",
    # A progress bar starts each frame with CR (tqdm, npm): the log keeps the last frame.
    "\rprogress 10%\rprogress 100%",
    "\x1b[1;38;5;208morange bold\x1b[0m",
    "",
]
RAW = ("\n".join(NASTY_LINES) + "\n").encode("utf-8") + b"\xff\xfe bad utf-8 \xc3\n"


def expected(raw: bytes) -> bytes:
    """Per-line sanitize of the whole stream, each line as a terminal leaves it (a CR starts
    it over): what the log must hold."""
    return b"\n".join(sanitize_bytes(last_frame(line)) for line in raw.split(b"\n"))


def as_text(data: bytes) -> str:
    """What any reader (the pane, `cat`) makes of the bytes: invalid UTF-8 is U+FFFD either way."""
    return data.decode("utf-8", "replace")


def feed_all(chunks: list[bytes], idle_every: int = 0) -> bytes:
    cleaner = LineSanitizer()
    out = []
    for i, chunk in enumerate(chunks, 1):
        out.append(cleaner.feed(chunk))
        if idle_every and i % idle_every == 0:
            out.append(cleaner.idle())
    out.append(cleaner.flush())
    return b"".join(out)


def test_whole_stream_in_one_chunk() -> None:
    out = feed_all([RAW])
    assert out == expected(RAW)
    assert b"\x1b[2J" not in out and b"\x1b]" not in out and b"\x1bP" not in out
    assert b"\x1b[31mred\x1b[0m [bold]not markup[/] end" in out  # colours and text kept
    assert out.count(b"\n") == RAW.count(b"\n")  # no line swallowed


@pytest.mark.parametrize("seed", range(40))
def test_any_chunking_gives_the_same_log(seed: int) -> None:
    """Escapes and UTF-8 characters split across reads, idle flushes in between."""
    rng = random.Random(seed)
    raw = RAW * 3
    chunks, pos = [], 0
    while pos < len(raw):
        step = rng.randint(1, 12)
        chunks.append(raw[pos : pos + step])
        pos += step
    out = feed_all(chunks, idle_every=rng.choice([0, 1, 3]))
    assert as_text(out) == as_text(expected(raw))
    assert as_text(out) == "\n".join(
        sanitize(last_frame(line)) for line in as_text(raw).split("\n")
    )


def test_the_pane_shows_the_same_lines_as_before() -> None:
    """The pane sanitizes each log line itself: a sanitized log must not change what it shows."""
    out = feed_all([RAW])
    raw_lines = RAW.split(b"\n")
    clean_lines = out.split(b"\n")
    assert len(raw_lines) == len(clean_lines)
    for raw, clean in zip(raw_lines, clean_lines, strict=True):
        raw_text = raw.decode("utf-8", "replace").removesuffix("\r")
        clean_text = clean.decode("utf-8", "replace").removesuffix("\r")
        assert pane_sanitize(clean_text) == pane_sanitize(raw_text)


def test_safe_partial_line_is_written_at_once_unsafe_one_waits() -> None:
    cleaner = LineSanitizer()
    assert cleaner.feed(b"Proceed? \x1b[1m[y/N]\x1b[0m ") == b"Proceed? \x1b[1m[y/N]\x1b[0m "
    assert cleaner.feed(b"\x1b]0;ti") == b""  # an escape sequence is never split
    assert cleaner.idle() == b""
    assert cleaner.feed(b"tle\x07y\n") == b"y\n"
    assert cleaner.feed(b"caf\xc3") == b"caf"  # half a character waits for the rest
    assert cleaner.feed(b"\xa9\n") == "é\n".encode()


def test_a_huge_line_without_newline_is_bounded() -> None:
    cleaner = LineSanitizer()
    out = cleaner.feed(b"\x1b[2J" + b"x" * MAX_PENDING)
    assert out == b"x" * MAX_PENDING and cleaner.pending == b""


@pytest.mark.parametrize("seed", range(10))
def test_line_count_and_parts_match_the_raw_stream(seed: int) -> None:
    """`newlines` is the raw stream's line count at every step; parts joined are `feed`'s bytes."""
    rng = random.Random(seed)
    raw = RAW * 20
    cleaner, twin = LineSanitizer(), LineSanitizer()
    pos = 0
    while pos < len(raw):
        step = rng.choice([1, 7, 300, 5000])
        chunk = raw[pos : pos + step]
        pos += step
        assert b"".join(cleaner.feed_parts(chunk)) == twin.feed(chunk)
        assert cleaner.newlines == raw[:pos].count(b"\n") == twin.newlines


def test_a_safe_flood_is_handed_out_without_a_copy() -> None:
    cleaner = LineSanitizer()
    cleaner.feed(b"x\n" * 3000 + b"half a li")  # a big read: its partial line waits
    assert cleaner.pending == b"half a li"
    chunk = b"ne\n" + b"\x1b[32mgreen\x1b[0m [bold]text\n" * 5000 + b"\x1b[1;3"  # SGR split
    parts = cleaner.feed_parts(chunk)
    assert bytes(parts[0]) == b"half a line\n"
    body = parts[1]
    assert isinstance(body, memoryview) and body.obj is chunk  # the read itself, not a copy
    assert bytes(body) == chunk[3:-5]
    assert cleaner.pending == b"\x1b[1;3" and cleaner.newlines == 3000 + 5001
    unsafe = b"a\n" + b"ok\n" * 3000 + b"\x1b[2Jx\n" + b"ok\n"
    assert b"".join(bytes(p) for p in cleaner.feed_parts(unsafe)) == (
        b"\n" + b"ok\n" * 3000 + b"x\nok\n"  # ESC [ 1 ; 3 a moves the cursor: stripped
    )


def test_a_progress_bar_redrawn_with_cr_keeps_its_last_frame():
    """trial4 J17: every frame of a CR-drawn progress bar stood side by side in one log line."""
    frames = b"".join(b"\rprogress %d/200 " % i + b"#" * (i // 20) for i in range(201))
    data = frames + b"\nbuilt\r\nnext\n"
    for size in (1, 7, 4096, len(data)):
        cleaner = LineSanitizer()
        out = b"".join(cleaner.feed(data[i : i + size]) for i in range(0, len(data), size))
        assert out + cleaner.flush() == b"progress 200/200 ##########\nbuilt\nnext\n", size
