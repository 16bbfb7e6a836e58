"""A fast, line-based Markdown highlighter for SPEC.md sections.

Why not Rich's `Markdown`: measured here on a 45 KiB section, markdown-it parsing takes ~270 ms
and Rich's rendering another ~340 ms, on the event loop, for every external edit — the view
would lag half a second behind the user's editor and keypresses would queue behind it (Textual's
`Markdown` widget is slower still: ~3 s at 17 KiB). SPEC.md is mostly headings, bullet lists
with bold labels, inline code, fences and the odd table, so a line-by-line highlighter gives the
same reading experience at ~1 ms per KiB, and keeps the source layout (tables stay aligned).

The result is plain (text, style) pieces per screen line: text is never parsed as markup, so
`[/]` or `[bold]` in SPEC.md is shown literally. Code fences follow the same CommonMark rule as
the SPEC.md parser and the tasks.md counter (`specui.core.markdown`). `<placeholders>` are
highlighted, because they are exactly what the interview still has to fill.
"""

from __future__ import annotations

import re

from specui.core.markdown import Fence, fence_step

_HEADING = re.compile(r"^( {0,3})(#{1,6})[ \t]+(.*)$")
_BULLET = re.compile(r"^([ \t]*)([-*+])[ \t]+")
_ORDERED = re.compile(r"^([ \t]*)(\d{1,9}[.)])[ \t]+")
_QUOTE = re.compile(r"^[ \t]*>")
_RULE = re.compile(r"^[ \t]*([-*_])([ \t]*\1){2,}[ \t]*$")
_INLINE = re.compile(
    r"(?P<code>`[^`\n]+`)"
    r"|(?P<bold>\*\*[^*\n]+\*\*|__[^_\n]+__)"
    r"|(?P<em>(?<![\w*])\*[^*\s][^*\n]*\*(?!\w)|(?<![\w_])_[^_\s][^_\n]*_(?!\w))"
    r"|(?P<ph><[^<>\n]{1,80}>)"
    r"|(?P<link>\[[^\]\n]+\]\([^)\s]+\))"
)

STYLE = {
    "heading": "bold $accent",
    "fence": "$text-muted",
    "code": "$secondary",
    "bold": "bold",
    "em": "italic",
    "ph": "italic $warning",
    "link": "underline $primary",
    "bullet": "bold $primary",
    "quote": "italic $text-muted",
    "rule": "$text-muted",
}


# --------------------------------------------------------------------------- line rendering
# The view shows sections through a line-API widget (SectionBody). The expensive part (styling
# and wrapping every line) runs in a thread; the event loop only copies the visible lines.

_WORD = re.compile(r"\S+\s*|\s+")


def _line_spans(line: str, in_fence: bool) -> tuple[str, list[tuple[int, int, str]]]:
    """One source line -> (display text, [(start, end, style key)])."""
    if in_fence:
        return line, [(0, len(line), "code")] if line else []
    if _HEADING.match(line):
        return line, [(0, len(line), "heading")]
    if _RULE.match(line):
        return line, [(0, len(line), "rule")]
    spans: list[tuple[int, int, str]] = []
    start = 0
    bullet = _BULLET.match(line)
    if bullet:
        indent, marker = bullet.group(1), bullet.group(2)
        line = indent + "•" + line[len(indent) + len(marker) :]
        spans.append((len(indent), len(indent) + 1, "bullet"))
        start = bullet.end()
    else:
        ordered = _ORDERED.match(line)
        if ordered:
            spans.append((ordered.start(2), ordered.end(2), "bullet"))
            start = ordered.end()
    if _QUOTE.match(line):
        spans.append((0, len(line), "quote"))
    markers: list[tuple[int, int]] = []  # emphasis delimiters: rendered, not shown
    for match in _INLINE.finditer(line, start):
        kind = match.lastgroup or ""
        a, b = match.start(), match.end()
        spans.append((a, b, kind))
        if kind in ("bold", "em"):
            n = 2 if kind == "bold" else 1
            markers += [(a, a + n), (b - n, b)]
    if markers:
        return _drop_ranges(line, spans, markers)
    return line, spans


def _drop_ranges(
    line: str, spans: list[tuple[int, int, str]], drop: list[tuple[int, int]]
) -> tuple[str, list[tuple[int, int, str]]]:
    """`line` without the characters in `drop`, with `spans` moved to match."""
    gone = [False] * (len(line) + 1)
    for a, b in drop:
        gone[a:b] = [True] * (b - a)
    new_pos = [0] * (len(line) + 1)
    kept: list[str] = []
    for i, ch in enumerate(line):
        new_pos[i] = len(kept)
        if not gone[i]:
            kept.append(ch)
    new_pos[len(line)] = len(kept)
    return "".join(kept), [(new_pos[a], new_pos[b], k) for a, b, k in spans]


_LIST_LEAD = re.compile(r"^([ \t]*)(?:[-*+•]|\d{1,9}[.)])[ \t]+")


def _hanging_indent(line: str) -> int:
    """Continuation lines of a list item line up with its text, as Markdown renderers do."""
    item = _LIST_LEAD.match(line)
    if item:
        return item.end()
    return len(line) - len(line.lstrip(" "))


def _wrap(line: str, width: int) -> list[tuple[int, int, int]]:
    """Greedy word wrap of one line -> [(start, end, indent)]: character ranges, and the
    hanging indent (in cells) to put before continuation lines."""
    from rich.cells import cell_len

    if len(line) <= width and cell_len(line) <= width:
        return [(0, len(line), 0)]
    indent = min(_hanging_indent(line), width // 2)
    ranges: list[tuple[int, int, int]] = []
    start, used, limit, lead = 0, 0, width, 0
    for match in _WORD.finditer(line):
        word = match.group(0)
        size = cell_len(word.rstrip())
        if used and used + size > limit:
            ranges.append((start, match.start(), lead))
            start, used, limit, lead = match.start(), 0, width - indent, indent
        while size > limit:  # a word longer than a whole line: hard split
            cut = _cut(line, start, limit)
            ranges.append((start, cut, lead))
            start, used, limit, lead = cut, 0, width - indent, indent
            size = cell_len(line[start : match.end()].rstrip())
        used += cell_len(line[max(start, match.start()) : match.end()])
    ranges.append((start, len(line), lead))
    return ranges


def _cut(line: str, start: int, cells: int) -> int:
    """The end of the longest piece of `line` from `start` that fits in `cells` (at least one
    character): counted in cells, since a wide character (CJK, emoji) takes two."""
    from rich.cells import get_character_cell_size

    used, end = 0, start
    while end < len(line):
        size = get_character_cell_size(line[end])
        if used + size > cells and end > start:
            break
        used += size
        end += 1
    return end


# Rendered screen lines per (source line, in-fence, width). An editor's save changes a line or
# two of a section, yet every save re-renders the whole selected section off the event loop;
# with this memo a re-render costs what changed, so the render thread stops competing with
# keypresses for the GIL (profiled: 2.7 s of a 14 s keypress bench went to re-wrapping the same
# 50 KiB). Bounded; reset when the styles (the theme) change. Values are read-only.
_LINE_CACHE: dict[tuple[str, bool, int], list[list[tuple[str, object]]]] = {}
_LINE_CACHE_MAX = 20_000
_cache_styles: list[object] = [None]


def _render_line(
    line: str, spans: list[tuple[int, int, str]], width: int, styles: dict[str, object]
) -> list[list[tuple[str, object]]]:
    from itertools import groupby

    keys: list[str | None] = [None] * len(line)
    for s, e, k in spans:
        keys[s:e] = [k] * (e - s)
    screen: list[list[tuple[str, object]]] = []
    for a, b, lead in _wrap(line, width):
        pieces: list[tuple[str, object]] = [(" " * lead, None)] if lead else []
        pos = a
        for key, group in groupby(keys[a:b]):
            n = sum(1 for _ in group)
            pieces.append((line[pos : pos + n], styles.get(key) if key else None))
            pos += n
        screen.append(pieces)
    return screen


def render_lines(
    text: str, width: int, styles: dict[str, object]
) -> list[list[tuple[str, object]]]:
    """Style + wrap `text` for a view `width` cells wide.

    Returns one list of (text, style) pieces per screen line; `styles` maps the keys of
    `STYLE` to ready-made (Rich) styles, so no theme lookup is needed here (thread-safe).
    Treat the result as read-only: screen lines are shared with the per-line memo.
    """
    width = max(8, width)
    cache = _LINE_CACHE
    if _cache_styles[0] is not styles:
        cache.clear()
        _cache_styles[0] = styles
    elif len(cache) > _LINE_CACHE_MAX:
        cache.clear()
    out: list[list[tuple[str, object]]] = []
    fence: Fence | None = None
    for raw in text.split("\n"):
        fence, is_fence_line = fence_step(raw, fence)
        if is_fence_line:
            out += _render_line(raw, [(0, len(raw), "fence")], width, styles)
            continue
        fenced = fence is not None
        key = (raw, fenced, width)
        screen = cache.get(key)
        if screen is None:
            line, spans = _line_spans(raw, fenced)
            screen = _render_line(line, spans, width, styles)
            cache[key] = screen
        out += screen
    return out
