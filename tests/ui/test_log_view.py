"""LogView: a line-API tail/scrollback view over a log file, driven through Pilot.

Real files are written by real threads while the app runs; every assertion reads what the
widget shows (its rows or the rendered strips), never its private bookkeeping alone.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.text import Text
from textual.app import App, ComposeResult

from specui.ui.widgets.log_view import LogView, sanitize_line


class LogApp(App[None]):
    def __init__(self, path: Path | None, transform=None) -> None:
        super().__init__()
        self._path = path
        self._transform = transform

    def compose(self) -> ComposeResult:
        yield LogView(self._path, transform=self._transform, id="log")


async def wait_for(pilot, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.02)


def writer(path: Path, lines: list[str], *, batch: int = 50, delay: float = 0.005) -> threading.Thread:
    """Append `lines` to `path` from another thread, flushing in small batches (like a child)."""

    def run() -> None:
        with path.open("ab") as handle:
            for start in range(0, len(lines), batch):
                chunk = "".join(line + "\n" for line in lines[start : start + batch])
                handle.write(chunk.encode())
                handle.flush()
                time.sleep(delay)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def screen_text(app: App) -> str:
    """What the log view shows, as plain text rows (through its real render path)."""
    lines = []
    view = app.query_one(LogView)
    for y in range(view.size.height):
        lines.append("".join(seg.text for seg in view.render_line(y)))
    return "\n".join(lines)


@pytest.fixture
def log_file(tmp_path: Path) -> Path:
    path = tmp_path / "orchestrator" / "plan-20260101-120000.md"
    path.parent.mkdir()
    path.write_bytes(b"")
    return path


async def test_lines_written_by_a_thread_appear_in_order(log_file: Path) -> None:
    lines = [f"line {i:04d} of the stream" for i in range(600)]
    app = LogApp(log_file)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(LogView)
        writer(log_file, lines).join()
        await wait_for(pilot, lambda: view.line_count == 600)
        assert [view.get_line_text(i) for i in (0, 1, 299, 599)] == [
            lines[0], lines[1], lines[299], lines[599]
        ]
        # Following: the newest line is on screen, the first is not.
        shown = screen_text(app)
        assert lines[599] in shown
        assert lines[0] not in shown


async def test_markup_looking_text_is_literal_and_colours_are_kept(log_file: Path) -> None:
    log_file.write_bytes(
        b"\x1b[31mred\x1b[0m [bold]not bold[/] [/] [link=x]y[/link] [red on blue]z\n"
    )
    app = LogApp(log_file)
    async with app.run_test(size=(80, 10)) as pilot:
        view = app.query_one(LogView)
        await wait_for(pilot, lambda: view.line_count == 1)
        await pilot.pause()
        assert view.get_line_text(0) == "red [bold]not bold[/] [/] [link=x]y[/link] [red on blue]z"
        strip = view.render_line(0)
        segments = list(strip)
        assert "".join(s.text for s in segments).startswith("red [bold]not bold[/]")
        red = [s for s in segments if s.text == "red"]
        assert red and red[0].style is not None and red[0].style.color is not None
        assert red[0].style.color.name in ("red", "color(1)")
        literal = [s for s in segments if "[bold]not bold[/]" in s.text]
        assert literal and not (literal[0].style and literal[0].style.bold)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("before\x1b[2Jafter", "beforeafter"),  # clear screen
        ("a\x1b]52;c;aGVsbG8=\x07b", "ab"),  # OSC 52 clipboard write (BEL)
        ("a\x1b]52;c;aGVsbG8=\x1b\\b", "ab"),  # OSC 52 (ST)
        ("\x1b]0;evil title\x07x", "x"),  # window title
        ("up\x1b[3Aleft\x1b[10D!", "upleft!"),  # cursor moves
        ("\x1b[?1049hscreen", "screen"),  # alternate screen
        ("bell\x07 nul\x00 ff\x0c", "bell nul ff"),  # stray controls
        ("ls\u2028sep", "ls sep"),  # a Unicode line separator must not split the row
    ],
)
def test_sanitize_line_drops_non_colour_escapes(raw: str, expected: str) -> None:
    cleaned = sanitize_line(raw)
    assert Text.from_ansi(cleaned).plain == expected
    # Whatever survives is colour only: no ESC outside an SGR sequence, no BEL.
    assert "\x07" not in cleaned
    assert all(part.split("m", 1)[0].replace(";", "").isdigit() or part.startswith("m")
               for part in cleaned.split("\x1b[")[1:])


async def test_escape_sequences_never_reach_the_screen(log_file: Path) -> None:
    log_file.write_bytes(
        b"\x1b[32mok\x1b[0m\x1b[2J\x1b[H clear\n"
        b"\x1b]52;c;ZXZpbA==\x07clip\n"
        b"\x1b]0;title\x07\x1b[5;5Hmoved\n"
    )
    app = LogApp(log_file)
    async with app.run_test(size=(60, 8)) as pilot:
        view = app.query_one(LogView)
        await wait_for(pilot, lambda: view.line_count == 3)
        await pilot.pause()
        rows = [view.get_line_text(i) for i in range(3)]
        assert rows == ["ok clear", "clip", "moved"]
        for y in range(3):
            for segment in view.render_line(y):
                assert "\x1b" not in segment.text
                assert "\x07" not in segment.text


async def test_scrolling_up_pauses_follow_and_counts_new_lines(log_file: Path) -> None:
    log_file.write_bytes(b"".join(f"first {i}\n".encode() for i in range(100)))
    app = LogApp(log_file)
    async with app.run_test(size=(80, 20)) as pilot:
        view = app.query_one(LogView)
        view.focus()
        await wait_for(pilot, lambda: view.line_count == 100)
        await pilot.pause()
        assert view.follow and view.scroll_y == view.max_scroll_y > 0

        await pilot.press("up", "up", "up")
        assert not view.follow
        paused_at = view.scroll_y
        assert paused_at == view.max_scroll_y - 3

        writer(log_file, [f"later {i}" for i in range(37)]).join()
        await wait_for(pilot, lambda: view.line_count == 137)
        await pilot.pause()
        assert view.new_lines == 37
        assert view.scroll_y == paused_at  # the view did not jump while paused
        assert "later 36" not in screen_text(app)

        await pilot.press("G")
        await pilot.pause()
        assert view.follow and view.new_lines == 0
        assert view.scroll_y == view.max_scroll_y
        assert "later 36" in screen_text(app)

        # Scrolling back down to the bottom by hand resumes following too.
        await pilot.press("pageup")
        assert not view.follow
        await pilot.press("end")
        assert view.follow


async def test_scroll_back_to_line_one_of_a_200k_line_file(tmp_path: Path) -> None:
    path = tmp_path / "big.md"
    total = 200_000
    with path.open("wb") as handle:
        for start in range(0, total, 10_000):
            handle.write(
                "".join(
                    f"\x1b[36m{i:06d}\x1b[0m [bold]payload[/] line {i}\n"
                    for i in range(start, start + 10_000)
                ).encode()
            )
    app = LogApp(path)
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(LogView)
        view.focus()
        await wait_for(pilot, lambda: view.line_count == total, timeout=30)
        await pilot.pause()
        assert view.get_line_text(total - 1) == f"{total - 1:06d} [bold]payload[/] line {total - 1}"
        assert f"line {total - 1}" in screen_text(app)

        await pilot.press("home")
        await pilot.pause()
        assert view.scroll_y == 0 and not view.follow
        first_row = "".join(s.text for s in view.render_line(0))
        assert first_row.startswith("000000 [bold]payload[/] line 0")
        # Jump into the middle: a random-access read, not a scan.
        view.scroll_to(y=123_456, animate=False, immediate=True)
        await pilot.pause()
        assert "".join(s.text for s in view.render_line(0)).startswith("123456 ")
        # The index is ~8 bytes/line; the rendered-line cache is bounded.
        assert view._ends.itemsize * len(view._ends) <= 8 * total
        assert len(view._strip_cache) <= view._strip_cache.maxsize


async def test_unterminated_last_line_shows_and_then_completes(log_file: Path) -> None:
    log_file.write_bytes(b"done line\nprompt> ")
    app = LogApp(log_file)
    async with app.run_test(size=(60, 8)) as pilot:
        view = app.query_one(LogView)
        await wait_for(pilot, lambda: view.line_count == 2)
        await pilot.pause()
        assert view.get_line_text(1) == "prompt> "
        with log_file.open("ab") as handle:
            handle.write(b"yes\nnext\n")
        await wait_for(pilot, lambda: view.line_count == 3)
        await pilot.pause()
        assert [view.get_line_text(i) for i in range(3)] == ["done line", "prompt> yes", "next"]
        assert "prompt> yes" in screen_text(app)


async def test_truncated_file_starts_over(log_file: Path) -> None:
    log_file.write_bytes(b"old 1\nold 2\nold 3\n")
    app = LogApp(log_file)
    async with app.run_test(size=(60, 8)) as pilot:
        view = app.query_one(LogView)
        await wait_for(pilot, lambda: view.line_count == 3)
        log_file.write_bytes(b"new\n")
        await wait_for(pilot, lambda: view.line_count == 1)
        await pilot.pause()
        assert view.get_line_text(0) == "new"


async def test_open_switches_files_and_a_missing_file_is_waited_for(tmp_path: Path) -> None:
    first = tmp_path / "a.md"
    first.write_bytes(b"from a\n")
    second = tmp_path / "b.md"  # does not exist yet: the runner creates it a moment later
    app = LogApp(first)
    async with app.run_test(size=(60, 8)) as pilot:
        view = app.query_one(LogView)
        await wait_for(pilot, lambda: view.line_count == 1)
        view.open(second)
        await pilot.pause(0.1)
        assert view.line_count == 0
        second.write_bytes(b"from b 1\nfrom b 2\n")
        await wait_for(pilot, lambda: view.line_count == 2)
        assert view.get_line_text(0) == "from b 1"
        view.open(None)
        await pilot.pause()
        assert view.line_count == 0 and view.path is None


async def test_very_long_line_is_read_truncated(log_file: Path) -> None:
    log_file.write_bytes(b"x" * 300_000 + b"\nshort\n")
    app = LogApp(log_file)
    async with app.run_test(size=(60, 8)) as pilot:
        view = app.query_one(LogView)
        await wait_for(pilot, lambda: view.line_count == 2)
        text = view.get_line_text(0)
        assert 60_000 < len(text) < 70_000 and text.endswith("[line truncated]")
        assert view.get_line_text(1) == "short"


async def test_transform_renders_codex_json_rows_and_keeps_the_raw_file(log_file: Path) -> None:
    from specui.core.codex_events import render_event

    events = [
        {"type": "thread.started", "thread_id": "t-1"},
        {"type": "turn.started"},
        {"type": "item.started", "item": {"id": "i0", "type": "agent_message", "text": ""}},
        {"type": "item.completed",
         "item": {"id": "i0", "type": "agent_message", "text": "Plan [bold]ready[/]\nsecond"}},
        {"type": "turn.completed",
         "usage": {"input_tokens": 10, "cached_input_tokens": 2, "output_tokens": 5}},
    ]
    raw = "".join(json.dumps(e) + "\n" for e in events)
    log_file.write_text(raw)
    app = LogApp(log_file, transform=render_event)
    async with app.run_test(size=(80, 10)) as pilot:
        view = app.query_one(LogView)
        # item.started of a message renders nothing; the message spans two rows.
        await wait_for(pilot, lambda: view.line_count == 5)
        rows = [view.get_line_text(i) for i in range(5)]
        assert rows[0] == "thread t-1 started"
        assert rows[1] == "turn started"
        assert rows[2] == "Plan [bold]ready[/]"
        assert rows[3] == "second"
        assert rows[4].startswith("turn completed")
        assert not any(r.lstrip().startswith("{") for r in rows)
    assert log_file.read_text() == raw


async def test_reader_does_not_flood_the_message_queue(log_file: Path) -> None:
    """Coalescing: 50k lines arriving in 500 writes produce far fewer UI updates."""
    app = LogApp(log_file)
    updates = 0
    async with app.run_test(size=(60, 8)) as pilot:
        view = app.query_one(LogView)
        original = view.refresh

        def counting_refresh(*args, **kwargs):
            nonlocal updates
            updates += 1
            return original(*args, **kwargs)

        view.refresh = counting_refresh  # type: ignore[method-assign]
        started = time.monotonic()
        writer(log_file, [f"l{i}" for i in range(50_000)], batch=100, delay=0.001).join()
        await wait_for(pilot, lambda: view.line_count == 50_000)
        elapsed = time.monotonic() - started
        # At most one refresh per ~50 ms of streaming (plus a little slack for scrolling).
        assert updates <= elapsed / 0.05 * 3 + 10


def test_log_view_keeps_no_line_text_in_memory(tmp_path: Path) -> None:
    """The index is offsets only: nothing proportional to the file's bytes is held."""
    view = LogView()
    assert view._ends.typecode == "Q"
    data = b"".join(f"{i}\n".encode() for i in range(1000))
    view._index_plain(data, 0, view._generation)
    assert len(view._ends) == 1000
    assert view._ends[0] == 2 and view._ends[-1] == len(data)


async def test_pause_survives_growth_without_jumping(log_file: Path) -> None:
    log_file.write_bytes(b"".join(f"row {i}\n".encode() for i in range(50)))
    app = LogApp(log_file)
    async with app.run_test(size=(60, 10)) as pilot:
        view = app.query_one(LogView)
        view.focus()
        await wait_for(pilot, lambda: view.line_count == 50)
        await pilot.press("home")
        assert view.scroll_y == 0 and not view.follow
        for n in range(3):
            writer(log_file, [f"more {n}-{i}" for i in range(10)]).join()
            await wait_for(pilot, lambda n=n: view.line_count == 60 + 10 * n)
            await asyncio.sleep(0)
        assert view.scroll_y == 0 and view.new_lines == 30
        assert "".join(s.text for s in view.render_line(0)).startswith("row 0")


@pytest.mark.parametrize(
    "line",
    [
        "plain text [bold]literal[/]",
        "\x1b[31mred\x1b[0m normal \x1b[1;32mbold green\x1b[22m green \x1b[39mdefault",
        "\x1b[38;5;208morange\x1b[48;2;10;20;30m on rgb\x1b[0m",
        "\x1b[4munder\x1b[24m \x1b[7mreverse\x1b[27m \x1b[3mitalic\x1b[0m",
        "wide 漢字 \x1b[35m漢字\x1b[0m end",
        "progress 10%\rprogress 20%\r\x1b[32mprogress 30%",
        "tab\tseparated\t\x1b[33mcols\x1b[0m",
        "\x1b[2Jclear \x1b]52;c;eA==\x07 osc",
        "",
    ],
)
def test_fast_row_rendering_matches_rich_from_ansi(line: str) -> None:
    """The fast path must draw exactly what Text.from_ansi would (same cells, same styles)."""
    from rich.console import Console
    from rich.style import Style

    from specui.ui.widgets.log_view import _SgrCache, ansi_to_text, line_to_strip

    console = Console(width=200, color_system="truecolor")
    base = Style(color="#cccccc", bgcolor="#101010")
    fast = line_to_strip(line, base, _SgrCache(), {}, console)
    text = ansi_to_text(line)
    text.style = base
    expected = list(text.render(console))

    def cells(segments) -> list[tuple[str, Style | None]]:
        # Rich drops the base style when a Text has no spans at all; the widget paints its
        # base style on every row, so compare with it filled in.
        return [(ch, seg.style or base) for seg in segments for ch in seg.text]

    assert cells(fast) == cells(expected)
    assert fast.cell_length == text.cell_len


async def test_search_in_a_transformed_log_lands_on_the_events_first_row(tmp_path: Path) -> None:
    """With codex --json rows (one event may render as several rows), a match in a raw event
    line selects that event's first display row."""
    from specui.core.codex_events import render_event

    events = []
    for i in range(300):
        if i == 200:
            events.append({"type": "item.completed", "item": {
                "id": "c", "type": "command_execution", "command": "pytest -q",
                "aggregated_output": "one\ntwo\nthree", "exit_code": 0, "status": "completed"}})
        events.append({"type": "item.completed", "item": {
            "id": f"m{i}", "type": "agent_message",
            "text": "the special word" if i == 250 else f"message {i}"}})
    path = tmp_path / "log.md"
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    app = LogApp(path, transform=render_event)
    async with app.run_test(size=(100, 20)) as pilot:
        view = app.query_one(LogView)
        await wait_for(pilot, lambda: view.line_count == 304)  # the command shows 4 rows
        view.scroll_home(animate=False, immediate=True, force=True)
        view.search("pytest -q")
        await wait_for(pilot, lambda: view.match_count == 1)
        assert view.match_rows == [200] and view.get_line_text(200).startswith("$ pytest -q")
        view.search("special word")
        await wait_for(pilot, lambda: view.match_count == 1)
        assert view.get_line_text(view.match_rows[0]) == "the special word"
