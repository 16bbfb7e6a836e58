"""Labelled bullets (`- **Label**: value`): the one parser and editor of a section's items.

Every section of the canonical template is a short list of bold-labelled bullets. The interview
answers one or a few of them per round, so it must rewrite *one item* of a section body while
keeping every other line exactly as the user left it (their own bullets, notes, blank lines,
CRLF); a conflict that is appended must merge items by label instead of repeating them. The
helpers here do that on plain body strings; `SpecDocument` then swaps the whole unit text.

A bullet's value runs on over the following lines that are indented deeper and not blank; that
is how the interview writes multi-line answers and how people usually wrap bullets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from specui.core.spec.status import placeholder_status
from specui.core.spec.template import SECTION_ITEMS

_BULLET = re.compile(
    r"^(?P<prefix>[ \t]{0,3}[-*+][ \t]+\*\*(?P<label>[^*\n]+?)\*\*[ \t]*:?[ \t]*)(?P<value>.*?)\s*$"
)
_HEADING_LIKE = re.compile(r"^\s*(#|```|~~~)")


def norm_label(label: str) -> str:
    """Labels compare case- and spacing-insensitively; a trailing colon inside the bold is ok."""
    return " ".join(label.replace("\u2011", "-").strip().rstrip(":").split()).casefold()


@dataclass(frozen=True)
class Item:
    """One bold-labelled bullet of a section body: lines [start, end) of the body."""

    label: str
    value: str
    start: int
    end: int


def _lines(body: str) -> list[str]:
    return body.splitlines(keepends=True)


def parse_items(body: str | None) -> list[Item]:
    """The labelled bullets of a section body, with their continuation lines."""
    if not body:
        return []
    lines = _lines(body)
    items: list[Item] = []
    i = 0
    while i < len(lines):
        m = _BULLET.match(lines[i].rstrip("\r\n"))
        if not m:
            i += 1
            continue
        j = i + 1
        parts = [m.group("value").strip()]
        while j < len(lines):
            raw = lines[j].rstrip("\r\n")
            if not raw.strip() or not raw[:1].isspace() or _BULLET.match(raw):
                break
            parts.append(raw.strip())
            j += 1
        value = "\n".join(p for p in parts if p)
        items.append(Item(m.group("label").strip().rstrip(":").strip(), value, i, j))
        i = j
    return items


# normalized label -> template default value, for every bullet of the canonical template. A
# value equal to its template default is scaffolding (e.g. "endpoints, auth, payloads, ...").
TEMPLATE_ITEMS: dict[str, str] = {
    norm_label(label): default for items in SECTION_ITEMS.values() for label, default in items
}


def find_item(body: str | None, label: str) -> Item | None:
    want = norm_label(label)
    for item in parse_items(body):
        if norm_label(item.label) == want:
            return item
    return None


def value_is_answered(label: str, value: str | None) -> bool:
    """Real content by the same rules as the unit statuses (`status.placeholder_status`):
    no `<placeholder>`, TODO/TBD/FIXME or template scaffolding text left in the bullet."""
    if value is None or not value.strip():
        return False
    return placeholder_status(f"- **{label}**: {value}") == "clarified"


def item_answered(body: str | None, label: str) -> bool:
    item = find_item(body, label)
    return item is not None and value_is_answered(item.label, item.value)


def item_value(body: str | None, label: str) -> str | None:
    item = find_item(body, label)
    return item.value if item is not None else None


def guard_text(text: str) -> list[str]:
    """A user's answer as bullet lines that can never restructure SPEC.md.

    A line starting with `#` or a code fence would become a heading or swallow the following
    sections, so it gets a Markdown backslash escape (it renders the same). The exact typed text
    is kept in the session's round record either way.
    """
    out: list[str] = []
    for raw in str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.rstrip()
        if not line.strip():
            continue
        if _HEADING_LIKE.match(line):
            line = "\\" + line.lstrip()
        out.append(line)
    return out or [""]


def detect_newline(body: str | None, default: str = "\n") -> str:
    if body and "\r\n" in body:
        return "\r\n"
    return default


def set_item(body: str | None, label: str, value: str, newline: str | None = None) -> str:
    """Return `body` with the bullet `label` set to `value`; every other line kept byte-for-byte.

    The bullet keeps its original prefix (bullet character, label spelling). A missing bullet is
    appended after the last labelled bullet. Multi-line values become indented continuation
    lines (4 spaces: never a heading, never a fence).
    """
    body = body or ""
    nl = newline or detect_newline(body)
    first, *rest = guard_text(value)
    lines = _lines(body)
    item = find_item(body, label)
    if item is not None:
        m = _BULLET.match(lines[item.start].rstrip("\r\n"))
        assert m is not None  # find_item matched this very line
        line_nl = lines[item.start][len(lines[item.start].rstrip("\r\n")) :] or nl
        prefix = m.group("prefix")
        if not prefix.endswith((" ", "\t")):
            prefix += " "
        block = [f"{prefix}{first}".rstrip() + line_nl] + [f"    {r}{nl}" for r in rest]
        if item.end == len(lines) and not lines[-1].endswith(("\n", "\r")) and block:
            block[-1] = block[-1].rstrip("\r\n")
        return "".join(lines[: item.start] + block + lines[item.end :])
    block = [f"- **{label}**: {first}".rstrip() + nl] + [f"    {r}{nl}" for r in rest]
    items = parse_items(body)
    if items:
        at = items[-1].end
    else:
        at = len(lines)
        while at > 0 and not lines[at - 1].strip():
            at -= 1
    if at > 0 and not lines[at - 1].endswith(("\n", "\r")):
        lines[at - 1] = lines[at - 1] + nl
    return "".join(lines[:at] + block + lines[at:])


def _same_value(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def merge_items(current: str | None, proposed: str) -> str:
    """`current` with `proposed` merged in bullet by bullet (the conflict screen's "append").

    For each labelled bullet of `proposed`: where `current` has the same label still holding a
    placeholder (or nothing), the proposal's value takes its place; where both hold real and
    different values, the proposal's value goes under the user's as a continuation line; a
    label `current` lacks is added. A proposed value that is itself a placeholder, or already
    there, adds nothing. Lines of `proposed` outside labelled bullets that `current` does not
    already hold are added after a blank line. So merging never repeats a label or a
    placeholder, and a section whose placeholders were all answered can still be finalized.
    """
    mine = (current or "").replace("\r\n", "\n").strip("\n")
    theirs = proposed.replace("\r\n", "\n").strip("\n")
    if not mine.strip():
        return theirs.strip()
    out = mine
    items = parse_items(theirs)
    taken: set[int] = set()
    for item in items:
        taken.update(range(item.start, item.end))
        if not value_is_answered(item.label, item.value):
            continue
        have = find_item(out, item.label)
        if have is None:
            out = set_item(out, item.label, item.value)
        elif not value_is_answered(have.label, have.value):
            out = set_item(out, have.label, item.value)
        elif not any(
            _same_value(line, item.value) for line in [have.value, *have.value.split("\n")]
        ):
            out = set_item(out, have.label, f"{have.value}\n{item.value}")
    present = {" ".join(line.split()) for line in out.split("\n")}
    extra = [
        line
        for n, line in enumerate(theirs.split("\n"))
        if n not in taken
        and line.strip()
        and " ".join(line.split()) not in present
        and placeholder_status(line) != "unknown"
    ]
    if extra:
        out = out.rstrip("\n") + "\n\n" + "\n".join(extra)
    return out.strip("\n")
