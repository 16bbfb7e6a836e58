"""The Open Questions section (seed 000 §17): numbered outstanding items and a dated history.

Seed 000 asks the interviewer to "maintain an Open Questions subsection that shrinks over time"
and to "seed section 17 with concrete, numbered items"; its template gives the section two
bullets, `- **Outstanding**:` and `- **Resolved (history)**: decisions & dates`. We keep that
shape and write:

    - **Outstanding**:
      1. Which auth model do UI and API share?
      2. ...
    - **Resolved (history)**:
      - 2025-01-31 — Which database? → PostgreSQL 16

Reading is tolerant of hand edits: labels in any case (`**Outstanding:**` too), items numbered
`1.` or `1)` or bulleted, an item written inline after the label, a numbered list written
without the label, continuation lines. Writing only replaces the two bullets' blocks; any
other text of the section stays as it is. The template's placeholder values ("tracked until
resolved", "decisions & dates") and "none" mean "no items".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from specui.core.errors import SpecuiError
from specui.core.spec import normalize_title

OUTSTANDING_LABEL = "Outstanding"
RESOLVED_LABEL = "Resolved (history)"
_NO_ITEMS = "none"

_LABEL_LINE_RE = re.compile(
    r"[-*+][ \t]+\*\*(?P<label>[^*\n]+?)(?::\*\*|\*\*[ \t]*:)[ \t]*(?P<value>.*)\Z"
)
_ITEM_RE = re.compile(r"[ \t]*(?:\d+[.)]|[-*+])[ \t]+(?P<text>.*)\Z")
_NUMBERED_RE = re.compile(r"[ \t]*\d+[.)][ \t]+(?P<text>.*)\Z")
_DATED_BULLET_RE = re.compile(r"[-*+][ \t]+\d{4}-\d{2}-\d{2}")
_RESOLVED_RE = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})(?:[ \t]*[—–:\-][ \t]*|[ \t]+)?(?P<rest>.*)\Z", re.DOTALL
)
_ARROW = " → "
_EMPTY_VALUES = frozenset(
    {"", "none", "noneyet", "na", "nothing", "trackeduntilresolved", "decisionsanddates"}
)


@dataclass(frozen=True)
class ResolvedQuestion:
    """One history entry: when, what was asked, what was decided (and the text as written)."""

    on: date | None
    question: str
    resolution: str
    text: str


@dataclass
class OpenQuestions:
    outstanding: list[str] = field(default_factory=list)
    resolved: list[ResolvedQuestion] = field(default_factory=list)


def _kind(label: str) -> str | None:
    norm = normalize_title(label)
    if norm.startswith("outstanding") or norm in ("open", "openquestions", "pending"):
        return "outstanding"
    if norm.startswith("resolved") or norm in ("history", "decisions", "closed"):
        return "resolved"
    return None


def _is_empty_value(value: str) -> bool:
    return normalize_title(value) in _EMPTY_VALUES


@dataclass
class _Layout:
    lines: list[str]
    # [start, end) line ranges of the two labelled blocks, or None
    outstanding: tuple[int, int] | None = None
    resolved: tuple[int, int] | None = None
    loose: list[int] = field(default_factory=list)  # numbered lines outside any block


def _block_end(lines: list[str], start: int, kind: str) -> int:
    """End (exclusive) of the bullet starting at `start`: indented, blank, or item lines."""
    j = start + 1
    n = len(lines)
    while j < n:
        line = lines[j]
        if not line.strip() or line[0] in " \t":
            j += 1
            continue
        if kind == "outstanding" and _NUMBERED_RE.match(line):
            j += 1
            continue
        if kind == "resolved" and _DATED_BULLET_RE.match(line):
            j += 1
            continue
        break
    while j > start + 1 and not lines[j - 1].strip():
        j -= 1
    return j


def _layout(body: str | None) -> _Layout:
    text = (body or "").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    lay = _Layout(lines)
    i = 0
    in_fence = False
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
            i += 1
            continue
        if not in_fence:
            m = _LABEL_LINE_RE.match(line)
            kind = _kind(m.group("label")) if m else None
            if kind is not None and getattr(lay, kind) is None:
                end = _block_end(lines, i, kind)
                setattr(lay, kind, (i, end))
                i = end
                continue
            if _NUMBERED_RE.match(line):
                lay.loose.append(i)
        i += 1
    if lay.outstanding is not None:
        lay.loose = []  # with a labelled list, other numbered lines are just text
    return lay


def _items(lines: list[str], start: int, end: int) -> list[str]:
    """Items of a labelled block: inline value, then item lines with their continuations."""
    items: list[str] = []
    m = _LABEL_LINE_RE.match(lines[start])
    value = m.group("value").strip() if m else ""
    if value and not _is_empty_value(value):
        items.append(value)
    for line in lines[start + 1 : end]:
        if not line.strip():
            continue
        im = _ITEM_RE.match(line)
        if im:
            items.append(im.group("text").strip())
        elif items:
            items[-1] = items[-1] + "\n" + line.strip()
        else:
            items.append(line.strip())
    return [it for it in items if it and not _is_empty_value(it)]


def _parse_resolved(text: str) -> ResolvedQuestion:
    m = _RESOLVED_RE.match(text)
    on: date | None = None
    rest = text
    if m:
        try:
            on = date.fromisoformat(m.group("date"))
            rest = m.group("rest")
        except ValueError:
            on = None
    question, sep, resolution = rest.partition(_ARROW.strip())
    if not sep:
        question, resolution = rest, ""
    return ResolvedQuestion(on, question.strip(), resolution.strip(), text)


def _read(lay: _Layout) -> OpenQuestions:
    out = OpenQuestions()
    if lay.outstanding is not None:
        out.outstanding = _items(lay.lines, *lay.outstanding)
    else:
        for i in lay.loose:
            m = _NUMBERED_RE.match(lay.lines[i])
            if m and m.group("text").strip():
                out.outstanding.append(m.group("text").strip())
    if lay.resolved is not None:
        out.resolved = [_parse_resolved(t) for t in _items(lay.lines, *lay.resolved)]
    return out


def parse_open_questions(body: str | None) -> OpenQuestions:
    """Outstanding questions (in order) and the resolved history of a §17 body."""
    return _read(_layout(body))


def _render_outstanding(items: list[str]) -> list[str]:
    if not items:
        return [f"- **{OUTSTANDING_LABEL}**: {_NO_ITEMS}"]
    out = [f"- **{OUTSTANDING_LABEL}**:"]
    for n, item in enumerate(items, 1):
        first, *more = item.split("\n")
        marker = f"  {n}. "
        out.append(marker + first)
        out.extend(" " * len(marker) + extra for extra in more)
    return out


def _render_resolved(items: list[ResolvedQuestion]) -> list[str]:
    if not items:
        return [f"- **{RESOLVED_LABEL}**: {_NO_ITEMS}"]
    out = [f"- **{RESOLVED_LABEL}**:"]
    for item in items:
        first, *more = item.text.split("\n")
        out.append("  - " + first)
        out.extend("    " + extra for extra in more)
    return out


def _write(lay: _Layout, data: OpenQuestions) -> str:
    """Rebuild the body: the two blocks replaced, everything else kept in place."""
    lines = lay.lines
    new_out = _render_outstanding(data.outstanding)
    new_res = _render_resolved(data.resolved)
    replaced: dict[int, tuple[int, list[str]]] = {}  # start -> (end, new lines)
    if lay.outstanding is not None:
        s, e = lay.outstanding
        replaced[s] = (e, new_out)
    elif lay.loose:
        first = lay.loose[0]
        replaced[first] = (first + 1, new_out)
        for i in lay.loose[1:]:
            replaced[i] = (i + 1, [])
    if lay.resolved is not None:
        s, e = lay.resolved
        replaced[s] = (e, new_res)
    result: list[str] = []
    if lay.outstanding is None and not lay.loose:
        result.extend(new_out)
        if lay.resolved is None:
            result.extend(new_res)
    i = 0
    while i < len(lines):
        if i in replaced:
            end, new = replaced[i]
            result.extend(new)
            placed_out = lay.outstanding is not None and i == lay.outstanding[0]
            placed_loose = lay.outstanding is None and lay.loose and i == lay.loose[0]
            if (placed_out or placed_loose) and lay.resolved is None:
                result.extend(new_res)
            i = end
            continue
        result.append(lines[i])
        i += 1
    return "\n".join(result)


def _one_text(text: str, what: str) -> str:
    lines = [ln.strip() for ln in str(text).replace("\r", "\n").split("\n") if ln.strip()]
    if not lines:
        raise SpecuiError(f"{what} cannot be empty")
    return "\n".join(lines)


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def add_open_question(body: str | None, text: str) -> str:
    """Append a numbered outstanding question (no-op if the same question is already open)."""
    question = _one_text(text, "an open question")
    lay = _layout(body)
    data = _read(lay)
    if not any(_same(q, question) for q in data.outstanding):
        data.outstanding.append(question)
    return _write(lay, data)


def _find(outstanding: list[str], number_or_text: int | str) -> int:
    if isinstance(number_or_text, bool) or not isinstance(number_or_text, int | str):
        raise SpecuiError(f"no open question {number_or_text!r}")
    if isinstance(number_or_text, int):
        if 1 <= number_or_text <= len(outstanding):
            return number_or_text - 1
        raise SpecuiError(
            f"no open question number {number_or_text} (there are {len(outstanding)})"
        )
    wanted = number_or_text.strip()
    exact = [i for i, q in enumerate(outstanding) if _same(q, wanted)]
    if exact:
        return exact[0]
    needle = " ".join(wanted.split()).casefold()
    partial = [i for i, q in enumerate(outstanding) if needle and needle in _flat(q).casefold()]
    if len(partial) == 1:
        return partial[0]
    if not partial:
        raise SpecuiError(f"no open question matches {wanted[:60]!r}")
    raise SpecuiError(f"{len(partial)} open questions match {wanted[:60]!r}; be more specific")


def _flat(text: str) -> str:
    return " ".join(text.split())


def resolve_open_question(
    body: str | None, number_or_text: int | str, resolution: str, on: date
) -> str:
    """Move an outstanding question (1-based number, or its text) to "Resolved (history)".

    The history entry reads `YYYY-MM-DD — question → resolution`; the remaining outstanding
    items are renumbered. SpecuiError when no (or more than one) question matches.
    """
    lay = _layout(body)
    data = _read(lay)
    index = _find(data.outstanding, number_or_text)
    question = _flat(data.outstanding.pop(index))
    decided = _flat(str(resolution))
    entry = f"{on.isoformat()} — {question}"
    if decided:
        entry += f"{_ARROW}{decided}"
    data.resolved.append(ResolvedQuestion(on, question, decided, entry))
    return _write(lay, data)
