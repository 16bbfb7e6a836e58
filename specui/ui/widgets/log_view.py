"""`LogView`: a Toolong-style, line-API view over a log file on disk.

Why not `RichLog` / `Log.write_line`: measured on this project, `RichLog` ingests ≈ 3k lines/s
with 0.7–1.4 s event-loop stalls and per-line `Log.write_line` needs 1.7 GB for 200k lines. A
phase run can print a million lines over 30 minutes, and the workbench lives for hours in tmux.

So the file on disk *is* the scrollback. A reader thread tails the file in chunks and records
only where each line ends (an `array('Q')`: 8 bytes per line). Rendering is lazy: `render_line`
reads just the visible lines with `os.pread` at their offsets, decodes ANSI colours, and keeps a
bounded LRU of rendered strips. Memory therefore stays near-constant whatever the log size, and
scrolling back to line 1 of a huge log is one `pread`.

The reader tells the UI about new lines through a single coalesced message (at most one in
flight, at most every ~50 ms): the thread never floods the message queue, the UI never does
per-line work, and the index keeps growing cheaply while the UI is busy (backpressure).

`/` searches the whole file on disk, not the rows on screen (specui.runner.logsearch, in a
thread: a 1M-line log in about the time `grep -c` takes); `n` / `N` step through the matches,
and only while there are matches, so `n` stays the runner pane's "run next" otherwise.

Text from the file is data: it is sanitized (SGR colours kept, every other escape sequence
dropped: clear-screen, cursor moves, OSC 52 clipboard writes, titles) and turned into
`rich.text.Text` via the ANSI decoder — never parsed as Rich/Textual markup, so `[/]` and
`[bold]` show literally.
"""

from __future__ import annotations

import bisect
import contextlib
import os
import re
import threading
import time
from array import array
from collections.abc import Callable
from itertools import accumulate
from pathlib import Path
from typing import Any, ClassVar

from rich.ansi import AnsiDecoder
from rich.cells import cell_len
from rich.color import ColorParseError
from rich.errors import StyleSyntaxError
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, on
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from specui.core.ansi import last_frame, sanitize
from specui.runner.logsearch import search_file

__all__ = ["LogView", "Transform", "sanitize_line"]

# A transform turns one raw log line into display rows (e.g. codex --json events into readable
# rows). It returns None to hide the line. It runs in the reader thread, so it must be pure.
Transform = Callable[[str], "Text | str | Any | None"]

_READ_CHUNK = 256 * 1024  # bytes per read: large enough to be fast, small enough to stay fair
_BURST_BYTES = 4 * 1024 * 1024  # at most this much is indexed before the reader steps aside
_BUSY_PAUSE = 0.005  # the step aside (~40k lines per 5 ms still allows > 5M lines/s)
_MAX_BLOCK_BYTES = 512 * 1024  # a screenful larger than this is read line by line
_MAX_LINE_BYTES = 64 * 1024  # a pathological single line is shown truncated, never read whole
_POST_INTERVAL = 0.05  # coalesce UI updates to at most ~20 per second
_IDLE_POLL = 0.05  # how often an idle reader looks for new bytes

# --- sanitizing -------------------------------------------------------------------------------
# Controls that would break a one-row line (str.splitlines splits on several of them) or reach
# the terminal: mapped to nothing / a space. Tab and CR are handled by the ANSI decoder.
_CONTROL_TABLE = {c: None for c in range(0x20) if c not in (0x09, 0x0D, 0x1B)}
_CONTROL_TABLE.update({0x7F: None, 0x85: " ", 0x2028: " ", 0x2029: " "})
_CONTROL_TABLE.update({c: None for c in range(0x80, 0xA0) if c != 0x85})


# Below this many columns the footer cannot hold every key of the runner pane and the app (all
# of them take ~145): the pane and its log then leave the keys that are not needed now out of
# the footer (their `footer_shows`); the keys keep working and the help screen lists them.
FULL_FOOTER_COLUMNS = 150


def footer_is_narrow(widget: Widget) -> bool:
    """True when the screen is too narrow for the full footer (see FULL_FOOTER_COLUMNS)."""
    try:
        return widget.screen.size.width < FULL_FOOTER_COLUMNS
    except Exception:  # noqa: BLE001 - not mounted yet: no footer to fit
        return False


def sanitize_line(line: str) -> str:
    """Sanitize one line for display: colours kept, every other escape/control removed.

    The file is data whoever wrote it (`specui.core.ansi.sanitize`); the control-character
    pass after it keeps the result one row (no form feeds, vertical tabs or Unicode line
    separators)."""
    return sanitize(last_frame(line)).translate(_CONTROL_TABLE)


def ansi_to_text(line: str) -> Text:
    """One raw line -> `Text` with its colours; never markup."""
    text = AnsiDecoder().decode_line(sanitize_line(line))
    text.expand_tabs(8)
    return text


_SGR_SPLIT = re.compile(r"\x1b\[([0-9;:]*)m")
_NULL_STYLE = Style.null()


class _SgrCache:
    """SGR parameters -> rich `Style`, memoised: a log repeats the same few colours forever.

    The state machine itself is Rich's `AnsiDecoder` (so colours decode exactly as
    `Text.from_ansi` would); this only avoids re-running it for every row of every frame.
    """

    def __init__(self) -> None:
        self._next: dict[tuple[Style, str], Style] = {}
        self._decoder = AnsiDecoder()

    def apply(self, style: Style, params: str) -> Style:
        key = (style, params)
        hit = self._next.get(key)
        if hit is None:
            if len(self._next) > 4096:
                self._next.clear()
            decoder = self._decoder
            decoder.style = style
            decoder.decode_line(f"\x1b[{params}m")
            hit = self._next[key] = decoder.style
        return hit


def line_to_strip(line: str, base: Style, sgr: _SgrCache, combined: dict[Style, Style],
                  console: Any) -> Strip:
    """One raw line -> a `Strip`, the fast path of `ansi_to_text(line).render()`.

    Rendering is what a following view does 20 times a second for every visible row, so the
    common cases (plain text, SGR colours) go straight to segments with cached styles; tabs
    take the general path. `combined` caches `base + style` for the current base style.
    """
    line = sanitize_line(line)
    if "\t" in line:
        text = ansi_to_text(line)
        text.style = base
        return Strip(text.render(console), text.cell_len)
    if "\r" in line:  # a carriage return overwrites: keep what a terminal would show last
        line = line.rsplit("\r", 1)[-1]
    if "\x1b" not in line:
        return Strip([Segment(line, base)], cell_len(line)) if line else Strip([], 0)
    segments: list[Segment] = []
    width = 0
    style = _NULL_STYLE
    for i, part in enumerate(_SGR_SPLIT.split(line)):
        if i & 1:
            style = sgr.apply(style, part)
        elif part:
            full = combined.get(style)
            if full is None:
                full = combined[style] = base + style
            segments.append(Segment(part, full))
            width += cell_len(part)
    return Strip(segments, width)


def _row_to_texts(row: Any) -> list[Text]:
    """Adapt whatever a transform returns into display rows (one `Text` per row).

    Accepts `Text`, `str` (ANSI allowed), a sequence of those, or an object exposing
    `to_text()`/`as_text()`/`text` (the codex-events `RenderedRow`, whose shape is
    specui/core/codex_events.py's). Multi-line results become several rows.
    """
    if row is None:
        return []
    if isinstance(row, Text):
        text = row
    elif isinstance(row, str):
        text = Text("\n").join(ansi_to_text(part) for part in row.split("\n"))
    elif isinstance(row, (list, tuple)):
        return [t for item in row for t in _row_to_texts(item)]
    else:
        for name in ("to_text", "as_text", "__rich__"):
            method = getattr(row, name, None)
            if callable(method):
                result = method()
                if isinstance(result, (Text, str)):
                    return _row_to_texts(result)
        raw = getattr(row, "text", None)
        if not isinstance(raw, str):
            raw = str(row)
        prefix = getattr(row, "prefix", None) or getattr(row, "label", None)
        style = getattr(row, "style", None)
        text = Text()
        if isinstance(prefix, str) and prefix:
            text.append(sanitize_line(prefix) + " ", style="bold")
        body = Text("\n").join(ansi_to_text(part) for part in raw.split("\n"))
        if isinstance(style, str) and style:
            with contextlib.suppress(StyleSyntaxError, ColorParseError):  # cosmetic, never fatal
                body.stylize_before(Style.parse(style))
        text.append_text(body)
    rows = text.split("\n", allow_blank=True) if "\n" in text.plain else [text]
    out: list[Text] = []
    for r in rows:
        plain = r.plain
        if plain.translate(_CONTROL_TABLE) != plain:
            r = Text(plain.translate(_CONTROL_TABLE), style=r.style)
        r.expand_tabs(8)
        out.append(r)
    return out


# --- the widget -------------------------------------------------------------------------------


class LogView(ScrollView, can_focus=True):
    """Tail and scroll a log file on disk with near-constant memory.

    Follow mode keeps the view at the bottom as lines arrive. Scrolling up pauses it (the count
    of lines that arrived since is kept in `new_lines`); End or G resumes, as does scrolling back
    to the bottom.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("end,G", "follow", "Follow", show=True, id="log.follow"),
        Binding("home,g", "scroll_home", "Top", show=False, id="log.top"),
        Binding("slash", "search", "Search", show=False, id="log.search"),
        # Only while a search has matches (check_action): otherwise n is the runner's key.
        Binding("n", "next_match", "Next match", show=False, id="log.next_match"),
        Binding("N", "previous_match", "Prev. match", show=False, id="log.previous_match"),
        # Only while a search is set: gives n back to the runner ("run next").
        Binding("escape", "clear_search", "Clear search", show=False, id="log.clear_search"),
    ]

    follow: reactive[bool] = reactive(True, init=False)
    """Auto-scroll to new lines. Scrolling up clears it; `action_follow` sets it."""

    new_lines: reactive[int] = reactive(0, init=False)
    """Lines that arrived while follow was paused."""

    class TailChanged(Message):
        """Follow state, the paused new-line count or the line count changed (for a status
        line; at most once per coalesced `_Appended`)."""

        def __init__(self, log_view: LogView, follow: bool, new_lines: int) -> None:
            super().__init__()
            self.log_view = log_view
            self.follow = follow
            self.new_lines = new_lines

        @property
        def control(self) -> LogView:
            return self.log_view

    class SearchChanged(Message):
        """A search finished, or the current match moved (for a status line)."""

        def __init__(self, log_view: LogView) -> None:
            super().__init__()
            self.log_view = log_view

        @property
        def control(self) -> LogView:
            return self.log_view

    class SearchRequested(Message):
        """`/` was pressed: the owner asks for the text (a modal) and calls `search()`."""

    class _SearchDone(Message):
        def __init__(self, generation: int, needle: str, offsets: array) -> None:
            super().__init__()
            self.generation = generation
            self.needle = needle
            self.offsets = offsets

    class _Appended(Message):
        """Posted by the reader thread: the index grew. At most one is in flight."""

        def __init__(self, generation: int) -> None:
            super().__init__()
            self.generation = generation

    def __init__(
        self,
        path: Path | str | None = None,
        *,
        transform: Transform | None = None,
        follow: bool = True,
        cache_size: int = 256,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self.set_reactive(LogView.follow, follow)
        self._path: Path | None = Path(path) if path is not None else None
        self._transform = transform
        self._lock = threading.Lock()
        self._generation = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._post_pending = False
        # Plain mode: `_ends[i]` is the offset just past line i's newline. Transform mode:
        # each display row has (start, end, sub-row) in `_starts`/`_ends`/`_subs`.
        self._ends = array("Q")
        self._starts = array("Q")
        self._subs = array("I")
        self._tail_start = 0  # plain mode: where the unterminated last line begins
        self._bytes_seen = 0  # bytes of the file the reader has seen
        self._visible_count = 0  # lines the UI has taken in (<= reader's count)
        self._max_width = 0
        self._strip_cache: LRUCache[int, Strip] = LRUCache(cache_size)
        self._fd: int | None = None
        self.last_output: float | None = None
        """Modification time (epoch s) of the file when the reader last saw new bytes."""
        self.total_ingested = 0
        """Lines indexed by the reader since `open` (for benchmarks and status)."""
        self.error: str | None = None
        """Why the reader stopped, if it failed (an I/O error); None otherwise."""
        self._stale_cache = False
        self._base_style: Style | None = None
        self._frame_rows: dict[int, Strip] = {}
        self._sgr = _SgrCache()
        self._combined_styles: dict[Style, Style] = {}
        self._combined_base: Style | None = None
        self.search_needle = ""
        self.searching = False
        self._match_rows: list[int] = []
        self.match_index = -1  # the current match (index into the matches), -1: none yet
        self._search_stop = threading.Event()

    # --- public API -----------------------------------------------------------------------

    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def line_count(self) -> int:
        """Rows currently shown (complete lines, plus an unterminated last line if any)."""
        return self._visible_count

    def open(self, path: Path | str | None, *, transform: Transform | None = None) -> None:
        """Show (and tail) another file; `None` clears the view. Cheap: nothing is read here."""
        self.close()
        self.search_needle, self.searching, self._match_rows, self.match_index = "", False, [], -1
        self._path = Path(path) if path is not None else None
        self._transform = transform
        self._reset_index()
        self.set_reactive(LogView.follow, True)
        self.new_lines = 0
        self.virtual_size = Size(0, 0)
        self.scroll_to(0, 0, animate=False, immediate=True)
        self.refresh()
        if self.is_mounted and self._path is not None:
            self._start_reader()
        self._post_tail_changed()

    # --- search ----------------------------------------------------------------------------

    @property
    def match_count(self) -> int:
        return len(self._match_rows)

    @property
    def match_rows(self) -> list[int]:
        return list(self._match_rows)

    def search(self, needle: str) -> None:
        """Find `needle` in the whole file on disk (a thread; see specui.runner.logsearch),
        then show the first match after the current top line. "" clears the search."""
        self._search_stop.set()
        self._search_stop = threading.Event()
        self.search_needle = needle
        self._match_rows = []
        self.match_index = -1
        path = self._path
        if not needle or path is None:
            self.searching = False
            self.post_message(self.SearchChanged(self))
            return
        self.searching = True
        self.post_message(self.SearchChanged(self))
        with self._lock:
            generation, limit = self._generation, self._bytes_seen
        stop = self._search_stop

        def scan() -> None:
            try:
                offsets = search_file(path, needle, stop=stop, limit=limit)
            except OSError:
                offsets = array("Q")
            if not stop.is_set():
                self.post_message(self._SearchDone(generation, needle, offsets))

        threading.Thread(target=scan, name="logview-search", daemon=True).start()

    @on(_SearchDone)
    def _search_done(self, message: _SearchDone) -> None:
        message.stop()
        if message.generation != self._generation or message.needle != self.search_needle:
            return
        self.searching = False
        self._match_rows = self._rows_of(message.offsets)
        if self._match_rows:
            self._goto_match(bisect.bisect_left(self._match_rows, int(self.scroll_y))
                             % len(self._match_rows))
        self.post_message(self.SearchChanged(self))

    def _rows_of(self, offsets: array) -> list[int]:
        """The display rows holding these byte offsets (one row per line, in order)."""
        rows: list[int] = []
        with self._lock:
            if self._transform is None:
                for offset in offsets:
                    row = bisect.bisect_right(self._ends, offset)
                    if not rows or rows[-1] != row:
                        rows.append(row)
            else:
                starts, subs = self._starts, self._subs
                for offset in offsets:
                    row = bisect.bisect_right(starts, offset) - 1
                    while row > 0 and subs[row] > 0:
                        row -= 1
                    if row >= 0 and (not rows or rows[-1] != row):
                        rows.append(row)
        return rows

    def _goto_match(self, index: int) -> None:
        self.match_index = index
        row = self._match_rows[index]
        self.follow = False
        self.scroll_to(y=max(0, row - self.size.height // 3), animate=False, immediate=True,
                       force=True)
        self.post_message(self.SearchChanged(self))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("next_match", "previous_match"):
            return bool(self._match_rows)
        if action == "clear_search":
            return bool(self.search_needle)
        return True

    def action_search(self) -> None:
        self.post_message(self.SearchRequested())

    def action_clear_search(self) -> None:
        self.search("")

    def action_next_match(self) -> None:
        if self._match_rows:
            self._goto_match((self.match_index + 1) % len(self._match_rows))

    def action_previous_match(self) -> None:
        if self._match_rows:
            self._goto_match((self.match_index - 1) % len(self._match_rows))

    def close(self) -> None:
        """Stop tailing (the file is untouched). Idempotent."""
        self._search_stop.set()
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=2)
        self._thread = None
        if self._fd is not None:
            try:
                os.close(self._fd)
            except OSError:
                pass
            self._fd = None

    def get_line_text(self, index: int) -> str:
        """The displayed plain text of row `index` (sanitized; for tests and copy)."""
        return self._render_text(index).plain

    def footer_shows(self, action: str) -> bool:
        """Follow is left out of a narrow footer (the tail line says "End/G: follow" when it
        matters); the keys work either way (display only, see specui/ui/actions.py)."""
        return not (action == "follow" and footer_is_narrow(self))

    def action_follow(self) -> None:
        """Resume follow mode and jump to the newest line."""
        self.follow = True
        self.scroll_end(animate=False, immediate=True, x_axis=False, force=True)

    def action_scroll_home(self) -> None:
        """Jump to line 1 at once (animating across a million lines helps nobody); pauses."""
        self.scroll_home(animate=False, immediate=True, force=True)

    # --- lifecycle --------------------------------------------------------------------------

    def on_mount(self) -> None:
        super().on_mount()
        if self._path is not None and self._thread is None:
            self._start_reader()

    def on_unmount(self) -> None:
        self.close()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strip_cache.clear()
        self._base_style = None

    def _on_focus(self, event: events.Focus) -> None:
        self._base_style = None
        super()._on_focus(event)

    def _on_blur(self, event: events.Blur) -> None:
        self._base_style = None
        super()._on_blur(event)

    @property
    def _line_style(self) -> Style:
        """`rich_style` walks every ancestor's styles: once per style change, not per row."""
        style = self._base_style
        if style is None:
            style = self._base_style = self.rich_style
        return style

    # --- follow / pause ---------------------------------------------------------------------

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        # Only a user scrolls up (the view itself only ever scrolls to the end), so moving up
        # away from the bottom pauses; coming back down to the bottom resumes.
        at_end = new_value >= self.max_scroll_y
        if new_value < old_value and not at_end:
            if self.follow:
                self.follow = False
        elif new_value > old_value and at_end and not self.follow:
            self.follow = True

    def watch_follow(self, follow: bool) -> None:
        if follow:
            self.new_lines = 0
        self._post_tail_changed()

    def watch_new_lines(self, _count: int) -> None:
        self._post_tail_changed()

    def _post_tail_changed(self) -> None:
        self.post_message(self.TailChanged(self, self.follow, self.new_lines))

    # --- reader thread ------------------------------------------------------------------------

    def _reset_index(self) -> None:
        with self._lock:
            self._generation += 1
            self._ends = array("Q")
            self._starts = array("Q")
            self._subs = array("I")
            self._tail_start = 0
            self._bytes_seen = 0
            self._visible_count = 0
            self._post_pending = False
            self.total_ingested = 0
        self._max_width = 0
        self._strip_cache.clear()
        self.last_output = None
        self.error = None
        self._stale_cache = False

    def _start_reader(self) -> None:
        self._stop = threading.Event()
        generation = self._generation
        self._thread = threading.Thread(
            target=self._read_loop,
            args=(self._path, generation, self._stop, self._transform),
            name=f"logview-reader-{generation}",
            daemon=True,
        )
        self._thread.start()

    def _reader_count(self) -> int:
        """Rows the reader has indexed (caller holds the lock)."""
        if self._transform is not None:
            return len(self._starts)
        return len(self._ends) + (1 if self._bytes_seen > self._tail_start else 0)

    def _read_loop(
        self, path: Path, generation: int, stop: threading.Event, transform: Transform | None
    ) -> None:
        # An exception in a thread would be printed over the TUI: keep it as `error` instead.
        try:
            self._tail(path, generation, stop, transform)
        except Exception as exc:  # noqa: BLE001 - reported through the widget, never raised
            self.error = f"{type(exc).__name__}: {exc}"

    def _tail(
        self, path: Path, generation: int, stop: threading.Event, transform: Transform | None
    ) -> None:
        """Tail `path`: index new lines, then post one coalesced `_Appended`."""
        fd: int | None = None
        pos = 0
        carry = b""  # transform mode: bytes of the unterminated line
        last_post = 0.0
        unposted = False
        while not stop.is_set():
            if fd is None:
                try:
                    fd = os.open(path, os.O_RDONLY)
                except FileNotFoundError:  # the runner may not have created it yet
                    stop.wait(_IDLE_POLL)
                    continue
                except OSError:
                    stop.wait(1.0)
                    continue
                with self._lock:
                    if generation != self._generation:
                        os.close(fd)
                        return
                    self._fd = fd
            try:
                size = os.fstat(fd).st_size
            except OSError:
                size = pos
            if size < pos:  # truncated or rewritten: start over
                with self._lock:
                    if generation != self._generation:
                        return
                    self._ends = array("Q")
                    self._starts = array("Q")
                    self._subs = array("I")
                    self._tail_start = self._bytes_seen = 0
                    self.total_ingested = 0
                    self._stale_cache = True
                pos, carry, unposted = 0, b"", True
                continue
            read_any = False
            budget = _BURST_BYTES
            while size > pos and budget > 0 and not stop.is_set():
                data = os.pread(fd, min(_READ_CHUNK, size - pos), pos)
                if not data:
                    break
                if transform is None:
                    self._index_plain(data, pos, generation)
                else:
                    carry = self._index_transformed(carry + data, pos - len(carry), generation,
                                                    transform)
                pos += len(data)
                budget -= len(data)
                read_any = True
            if read_any:
                unposted = True
                try:
                    self.last_output = os.fstat(fd).st_mtime
                except OSError:
                    self.last_output = time.time()
            now = time.monotonic()
            if unposted and not self._post_pending and now - last_post >= _POST_INTERVAL:
                self._post_pending = True
                unposted = False
                last_post = now
                self.post_message(self._Appended(generation))
            # Backpressure on the CPU side: after a burst, step aside so the event loop gets
            # the GIL (it needs it to paint and to answer keys); when caught up, poll slowly.
            stop.wait(_BUSY_PAUSE if size > pos or unposted else _IDLE_POLL)

    def _index_plain(self, data: bytes, base: int, generation: int) -> None:
        parts = data.split(b"\n")
        parts.pop()  # the unterminated remainder: its bytes are re-read when it completes
        ends = accumulate(map((1).__add__, map(len, parts)), initial=base)
        next(ends)  # skip `base` itself
        with self._lock:
            if generation != self._generation:
                return
            before = len(self._ends)
            self._ends.extend(ends)
            added = len(self._ends) - before
            if added:
                self._tail_start = self._ends[-1]
            self._bytes_seen = base + len(data)
            self.total_ingested += added

    def _index_transformed(
        self, data: bytes, base: int, generation: int, transform: Transform
    ) -> bytes:
        parts = data.split(b"\n")
        carry = parts.pop()
        starts: list[int] = []
        ends: list[int] = []
        subs: list[int] = []
        offset = base
        for raw in parts:
            end = offset + len(raw)
            try:
                rows = len(_row_to_texts(transform(raw.decode("utf-8", "replace"))))
            except Exception:  # noqa: BLE001 - a malformed event shows raw, never crashes
                rows = 1
            for sub in range(rows):
                starts.append(offset)
                ends.append(end)
                subs.append(sub)
            offset = end + 1
        with self._lock:
            if generation != self._generation:
                return carry
            self._starts.extend(starts)
            self._ends.extend(ends)
            self._subs.extend(subs)
            self._bytes_seen = base + len(data)
            self.total_ingested += len(parts)
        return carry

    # --- UI side --------------------------------------------------------------------------------

    @on(_Appended)
    def _on_appended(self, message: _Appended) -> None:
        message.stop()
        with self._lock:
            if message.generation != self._generation:
                return
            self._post_pending = False
            count = self._reader_count()
            stale, self._stale_cache = self._stale_cache, False
        previous = self._visible_count
        self._frame_rows.clear()
        if stale:
            self._strip_cache.clear()
            previous = 0
        if count == previous and previous == 0:
            return
        self._visible_count = count
        # The last row may have been an unterminated line that grew: re-render it.
        if previous:
            self._strip_cache.discard(previous - 1)
        self.virtual_size = Size(self._max_width, count)
        if self.follow:
            self.scroll_end(animate=False, immediate=True, x_axis=False, force=True)
            # The scrollbar may only appear with this layout pass, after the scroll above
            # (ScrollView syncs its thumb only while the bar is shown): sync it afterwards.
            self.call_after_refresh(self._sync_scrollbar)
            # The status line counts the lines: say so (paused, new_lines' watcher does).
            self._post_tail_changed()
        elif count > previous:
            self.new_lines += count - previous
        self.refresh()

    def _sync_scrollbar(self) -> None:
        # Usually already in sync (ScrollView's watcher did it): then no extra repaint.
        if self.show_vertical_scrollbar and self.vertical_scrollbar.position != self.scroll_y:
            self.vertical_scrollbar.position = self.scroll_y

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        rich_style = self._line_style
        if index >= self._visible_count:
            return Strip.blank(width, rich_style)
        strip = self._strip_cache.get(index)
        if strip is None:
            strip = self._frame_rows.pop(index, None)
        if strip is None:
            console = self.app.console
            strips: list[Strip]
            if self._transform is None:
                # One pread for the rest of the screen instead of one per row: every syscall
                # hands the GIL to the reader thread, and each costs the paint a wait.
                last = min(index + self.size.height - y, self._visible_count) - 1
                lines = self._read_block(index, last)
                if lines is None:
                    lines = [self._raw_line(index)]
                combined = self._combined_styles
                if self._combined_base is not rich_style:
                    combined.clear()
                    self._combined_base = rich_style
                strips = [line_to_strip(line, rich_style, self._sgr, combined, console)
                          for line in lines]
            else:
                text = self._render_text(index)
                text.style = rich_style
                strips = [Strip(text.render(console), text.cell_len)]
            # While following a stream every frame shows new rows: caching them in the LRU
            # would only promote garbage into the old GC generations (long gen-2 pauses), so
            # the rest of the block waits in `_frame_rows` (used within this paint, then gone).
            # When the user browses, rows are revisited: cache them.
            cache = self._frame_rows if self.follow else self._strip_cache
            self._frame_rows.clear()
            for offset, rendered in enumerate(strips):
                row = index + offset
                if offset == 0:
                    strip = rendered
                elif self._transform is None and row == self._visible_count - 1:
                    self._frame_rows[row] = rendered  # a growing last line: this paint only
                else:
                    cache[row] = rendered
                if rendered.cell_length > self._max_width:
                    self._max_width = rendered.cell_length
                    self.call_after_refresh(self._grow_width)
            if not self.follow and not (
                self._transform is None and index == self._visible_count - 1
            ):
                self._strip_cache[index] = strip
        assert strip is not None
        return strip.crop_extend(scroll_x, scroll_x + width, rich_style)

    def _read_block(self, first: int, last: int) -> list[str] | None:
        """Raw rows first..last (plain mode) from one contiguous read; None if too large."""
        with self._lock:
            count = self._reader_count()
            last = min(last, count - 1)
            if first > last:
                return None
            start = self._ends[first - 1] if first else 0
            end = self._ends[last] if last < len(self._ends) else self._bytes_seen
        if end - start > _MAX_BLOCK_BYTES:
            return None
        fd = self._fd
        if fd is None:
            return None
        try:
            data = os.pread(fd, end - start, start)
        except OSError:
            return None
        parts = data.split(b"\n")
        if len(parts) > last - first + 1:
            parts.pop()  # what follows the final newline of a complete last row
        if len(parts) != last - first + 1:
            return None
        return [
            (raw[:-1] if raw.endswith(b"\r") else raw).decode("utf-8", "replace") for raw in parts
        ]

    def _grow_width(self) -> None:
        if self.virtual_size.width < self._max_width:
            self.virtual_size = Size(self._max_width, self._visible_count)
            if self.follow:  # a new horizontal scrollbar must not hide the newest line
                self.call_after_refresh(self._scroll_to_end)

    def _scroll_to_end(self) -> None:
        if self.follow:
            self.scroll_end(animate=False, immediate=True, x_axis=False, force=True)
            self.call_after_refresh(self._sync_scrollbar)

    def on_resize(self) -> None:
        self.refresh_bindings()  # the footer may have crossed FULL_FOOTER_COLUMNS
        # A smaller view (a banner appeared, the terminal shrank) must still show the newest
        # line while following.
        if self.follow:
            self.call_after_refresh(self._scroll_to_end)

    def _read_bytes(self, start: int, end: int) -> bytes:
        fd = self._fd
        if fd is None or end <= start:
            return b""
        length = min(end - start, _MAX_LINE_BYTES)
        try:
            data = os.pread(fd, length, start)
        except OSError:
            return b""
        if end - start > _MAX_LINE_BYTES:
            data += " … [line truncated]".encode()
        return data

    @staticmethod
    def _decode(raw: bytes) -> str:
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        return raw.decode("utf-8", "replace")

    def _raw_line(self, index: int) -> str:
        """Plain mode: the raw text of row `index` (one pread)."""
        with self._lock:
            if index >= self._reader_count():
                return ""
            start = self._ends[index - 1] if index else 0
            end = self._ends[index] - 1 if index < len(self._ends) else self._bytes_seen
        return self._decode(self._read_bytes(start, end))

    def _render_text(self, index: int) -> Text:
        with self._lock:
            if index >= self._reader_count():
                return Text()
            if self._transform is not None:
                start, end, sub = self._starts[index], self._ends[index], self._subs[index]
            else:
                start = self._ends[index - 1] if index else 0
                end = self._ends[index] - 1 if index < len(self._ends) else self._bytes_seen
                sub = 0
        line = self._decode(self._read_bytes(start, end))
        if self._transform is None:
            return ansi_to_text(line)
        try:
            rows = _row_to_texts(self._transform(line))
        except Exception:  # noqa: BLE001 - same rule as in the reader: show it raw
            rows = [ansi_to_text(line)]
        return rows[sub] if sub < len(rows) else Text()

