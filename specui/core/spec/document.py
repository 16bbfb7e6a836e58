"""The SPEC.md document model: a tolerant parser and byte-preserving whole-section patches.

Why it is built this way
------------------------
SPEC.md belongs to the user. People edit it in their own editor between interview turns, so the
model must (1) never lose or reformat a byte it was not asked to change, (2) find the canonical
sections however a human spelled their headings, and (3) never crash on odd input. Hence:

* `SpecDocument` keeps the original text and only *locates* sections (character offsets). Every
  edit splices new text into the old string, so everything outside the edited span is kept
  byte for byte, and `parse(t).text == t` always holds.
* Headings are CommonMark ATX headings of level 1 or 2 (`#`, `##`, at most 3 spaces of
  indentation). A `## ` line inside a ``` or ~~~ fence is code, not a heading (an unclosed fence
  runs to the end of the file, as in CommonMark). Fences are recognised at any indentation so a
  fence nested in a list item still hides its contents. Setext headings are not recognised.
* A section runs from its `## ` heading to the next level-1 or level-2 heading (or the end).
  Its *body* is what lies between, without the blank lines at either end: those separators stay
  where they are when a body is replaced, so the layout of the file survives patches.
* Section titles are matched after dropping a leading number (`9.`, `9)`, `§9`), markup,
  punctuation, case and spacing, with `&` read as "and"; so `## vision & goals`,
  `## 9) Non-Functional Requirements` and `## Risks, Assumptions & Trade-offs` (either hyphen)
  all match. Each section also has a few aliases (`## NFRs`, `## Glossary`).
* Scanning is linear: one C-level regex pass finds the structural lines (level-1/2 headings
  and fence lines) and only those are looked at in Python; no regex can backtrack across
  lines. The structure is computed lazily, on first use, and cached; a patch carries it over
  with shifted offsets instead of rescanning (see `SpecDocument._splice`).

Units
-----
Seed 000's progress rule tracks 18 units (see `units`): the 17 canonical sections, except that
"Security & Privacy" is its own unit, anchored on the NFR section's `- **Security & Privacy**:`
bullet. That item runs until the next top-level `- **Label**:` bullet of the section (or the
section end, without trailing blank lines). The "nfr" unit is the NFR section body without it.
When the file has a standalone level-2 `## Security & Privacy` section (seed 000's progress rule
names it as a section, and people write it that way), that section is the "security" unit
instead, and "nfr" is the whole NFR section body.
See `status` for how unknown / drafted / clarified / final are decided.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from specui.core.errors import SpecuiError
from specui.core.markdown import Fence as _Fence
from specui.core.markdown import fence_step as _fence_step
from specui.core.spec.units import (
    RELIABILITY_LABELS,
    SECTION_BY_KEY,
    SECTIONS,
    SECURITY_LABEL,
    SECURITY_LABELS,
    UNIT_BY_KEY,
    normalize_title,
    section_key_for_title,
)

# --------------------------------------------------------------------------- line scanning

_HEADING_RE = re.compile(r" {0,3}(#{1,6})(?=[ \t]|\Z)")


def _heading(line: str) -> tuple[int, str] | None:
    """(level, title) if `line` (no line terminator) is an ATX heading, else None."""
    if "#" not in line[:4]:
        return None
    m = _HEADING_RE.match(line)
    if m is None:
        return None
    title = line[m.end() :].strip(" \t")
    closed = title.rstrip("#")
    if closed != title and (not closed or closed[-1] in " \t"):
        title = closed.rstrip(" \t")  # optional closing sequence: "## Title ##"
    return len(m.group(1)), title


@dataclass(frozen=True)
class SectionSpan:
    """Where one `## ` section sits in the text (character offsets)."""

    key: str | None  # canonical key, or None for an extra section
    title: str  # heading title as written (number included)
    start: int  # start of the heading line
    body_start: int  # just after the heading line's terminator
    end: int  # start of the next level-1/2 heading, or len(text)


@dataclass(frozen=True)
class _Structure:
    title: str | None
    sections: tuple[SectionSpan, ...]
    by_key: dict[str, SectionSpan]
    missing: tuple[str, ...]
    duplicates: tuple[str, ...]
    open_fence_at_end: _Fence | None


# The structural lines only: level-1/2 ATX headings and fence lines, each after a newline. One
# C-level pass over the text; Python sees only the (few) matching lines.
_STRUCT_RE = re.compile(
    r"\n(?:(?P<h> {0,3}(?P<hashes>#{1,2})(?:[ \t](?P<title>[^\n]*)|\r*(?=\n|\Z)))"
    r"|[ \t]*(?P<marker>`{3,}|~{3,})(?P<rest>[^\n]*))"
)


def _structural_matches(text: str) -> Iterator[re.Match[str]]:
    """`_STRUCT_RE` matches for every line, the first one included (a leading BOM ignored)."""
    if not text:
        return
    nl = text.find("\n")
    first = text[: len(text) if nl == -1 else nl]
    offset = 1 if first.startswith("\ufeff") else 0
    m = _STRUCT_RE.match("\n" + first[offset:])
    if m is not None:
        yield m  # offsets are relative to "\n" + first line; _scan corrects them
    if nl != -1:
        yield from _STRUCT_RE.finditer(text, nl)


def _scan(text: str) -> _Structure:
    heads: list[tuple[int, int, int, str]] = []  # (start, body_start, level, title)
    fence: _Fence | None = None
    n = len(text)
    for m in _structural_matches(text):
        if m.string is text:
            start = m.start() + 1
            line_end = m.end()
        else:  # the synthetic first line
            start = 0
            nl = text.find("\n")
            line_end = n if nl == -1 else nl
        marker = m.group("marker")
        if marker is not None:
            rest = m.group("rest").rstrip("\r")
            if fence is None:
                if marker[0] != "`" or "`" not in rest:  # "```x```" is inline code
                    fence = _Fence(marker[0], len(marker))
            elif marker[0] == fence.char and len(marker) >= fence.length and not rest.strip():
                fence = None
            continue
        if fence is not None:
            continue
        title = (m.group("title") or "").rstrip("\r").strip(" \t")
        closed = title.rstrip("#")
        if closed != title and (not closed or closed[-1] in " \t"):
            title = closed.rstrip(" \t")
        heads.append((start, min(line_end + 1, n), len(m.group("hashes")), title))
    doc_title: str | None = None
    sections: list[SectionSpan] = []
    by_key: dict[str, SectionSpan] = {}
    dups: list[str] = []
    for i, (start, body_start, level, title) in enumerate(heads):
        end = heads[i + 1][0] if i + 1 < len(heads) else n
        if level == 1:
            if doc_title is None:
                doc_title = title
            continue
        key = section_key_for_title(title)
        span = SectionSpan(key, title, start, body_start, end)
        sections.append(span)
        if key is not None:
            if key in by_key:
                if key not in dups:
                    dups.append(key)
            else:
                by_key[key] = span
    _claim_renamed(sections, by_key)
    missing = tuple(s.key for s in SECTIONS if s.key not in by_key)
    dup_order = tuple(s.key for s in SECTIONS if s.key in dups)
    return _Structure(doc_title, tuple(sections), by_key, missing, dup_order, fence)


_SECTION_NUMBER_RE = re.compile(r"\s*(?:§\s*)?(\d+)\s*[.):]")


def _claim_renamed(sections: list[SectionSpan], by_key: dict[str, SectionSpan]) -> None:
    """A canonical section the user renamed ("## 9. Quality targets" for the NFRs) is still
    that section, by its number, when no heading holds it by title and no other heading has
    that number: specui writes into it instead of adding a second §9 beside it."""
    by_number = {s.number: s.key for s in SECTIONS}
    candidates: dict[str, list[int]] = {}
    for i, span in enumerate(sections):
        if span.key is not None or normalize_title(span.title) in SECURITY_LABELS:
            continue  # held by its title, or the standalone Security section (its own unit)
        m = _SECTION_NUMBER_RE.match(span.title)
        key = by_number.get(int(m.group(1))) if m else None
        if key is not None and key not in by_key:
            candidates.setdefault(key, []).append(i)
    for key, found in candidates.items():
        if len(found) == 1:
            span = sections[found[0]]
            sections[found[0]] = by_key[key] = SectionSpan(
                key, span.title, span.start, span.body_start, span.end
            )


# --------------------------------------------------------------------------- text helpers


def _is_blank(line: str) -> bool:
    return not line.strip()


def _core_span(text: str, a: int, b: int) -> tuple[int, int]:
    """The span of text[a:b] without its leading and trailing blank lines.

    `a` is a line start. The end includes the last content line's terminator (if it has one).
    An all-blank span gives (a, a). Only the blank lines at the two ends are visited.
    """
    pos = a
    cs = -1
    while pos < b:
        nl = text.find("\n", pos, b)
        line_end = b if nl == -1 else nl + 1
        if not _is_blank(text[pos:line_end]):
            cs = pos
            break
        pos = line_end
    if cs == -1:
        return a, a
    pos = b
    while pos > cs:
        search_end = pos - 1 if text[pos - 1] == "\n" else pos
        prev_nl = text.rfind("\n", cs, search_end)
        line_start = cs if prev_nl == -1 else prev_nl + 1
        if not _is_blank(text[line_start:pos]):
            return cs, pos
        pos = line_start
    return cs, cs  # unreachable: the line at cs is not blank


def unify_newlines(text: str) -> str:
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _block_lines(text: str) -> list[str]:
    """Lines of `text` (newlines unified) without leading/trailing blank lines."""
    lines = unify_newlines(text).split("\n")
    i, j = 0, len(lines)
    while i < j and _is_blank(lines[i]):
        i += 1
    while j > i and _is_blank(lines[j - 1]):
        j -= 1
    return lines[i:j]


def _make_safe(lines: list[str]) -> list[str]:
    """Make inserted lines unable to break the document's structure.

    A level-1/2 heading outside a fence is demoted to `###` (it would otherwise start a new
    section and could shadow a canonical one), and a fence left open at the end is closed (it
    would otherwise swallow every heading after it). Text is kept, only markers change.
    """
    out: list[str] = []
    fence: _Fence | None = None
    for line in lines:
        if fence is None:
            h = _heading(line)
            if h is not None and h[0] <= 2:
                stripped = line.lstrip(" ")
                indent = line[: len(line) - len(stripped)]
                hashes = len(stripped) - len(stripped.lstrip("#"))
                line = indent + "###" + stripped[hashes:]
                out.append(line)
                continue
        fence, _ = _fence_step(line, fence)
        out.append(line)
    if fence is not None:
        out.append(fence.char * fence.length)
    return out


def _render_block(lines: list[str], nl: str) -> str:
    """Lines joined with the document's newline, ending with one; empty list -> ""."""
    if not lines:
        return ""
    return nl.join(lines) + nl


# Top-level "- **Label**:" (or "- **Label:**") bullets inside a section, plus fence lines.
_ITEM_OR_FENCE_RE = re.compile(
    r"^(?:[-*+][ \t]+\*\*(?P<label>[^*\n]+?)(?::\*\*|\*\*[ \t]*:)|[ \t]*(?:```|~~~))", re.MULTILINE
)


@dataclass(frozen=True)
class _Item:
    label: str  # normalized label
    start: int
    end: int  # end of the item's last non-blank line (terminator included)


def _items(text: str, a: int, b: int) -> list[_Item]:
    """Top-level bold-label bullets of text[a:b] (outside fences), with their extents."""
    starts: list[tuple[int, str]] = []
    fence: _Fence | None = None
    for m in _ITEM_OR_FENCE_RE.finditer(text, a, b):
        label = m.group("label")
        if label is not None and fence is None:
            starts.append((m.start(), normalize_title(label.rstrip(":"))))
            continue
        if label is None:
            nl = text.find("\n", m.start(), b)
            line = text[m.start() : b if nl == -1 else nl].rstrip("\r")
            fence, _ = _fence_step(line, fence)
    items = []
    for i, (start, label) in enumerate(starts):
        stop = starts[i + 1][0] if i + 1 < len(starts) else b
        _, end = _core_span(text, start, stop)
        items.append(_Item(label, start, end))
    return items


def _out_text(text: str) -> str:
    """Unit/section text as handed out: '\\n' newlines, so hashes do not depend on CRLF."""
    return text.replace("\r\n", "\n") if "\r" in text else text


def _hand_out(text: str) -> str:
    """`_out_text` without blank lines at the ends and without the final terminator."""
    lines = _out_text(text).split("\n")
    i, j = 0, len(lines)
    while i < j and _is_blank(lines[i]):
        i += 1
    while j > i and _is_blank(lines[j - 1]):
        j -= 1
    return _strip_final_newline("\n".join(lines[i:j]))


def _strip_final_newline(text: str) -> str:
    """Drop the last line's terminator (LF, CRLF, or a stray CR before the end of the file)."""
    return text.removesuffix("\n").removesuffix("\r")


# --------------------------------------------------------------------------- the document


class SpecDocument:
    """An immutable view of one SPEC.md text.

    `text` is exactly the input; the structure (sections, missing, duplicates) is derived on
    first use and cached. All edits return a new document. Section and unit texts are handed
    out with `\\n` newlines and without surrounding blank lines; edits write the document's own
    newline (`newline`: CRLF when most of its line breaks are CRLF, else LF).
    """

    def __init__(self, text: str) -> None:
        self._text = text

    # -- construction -------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str) -> SpecDocument:
        """Wrap `text`; never raises (any string is a valid, if incomplete, SPEC.md)."""
        if not isinstance(text, str):
            raise SpecuiError("SPEC.md must be text")
        return cls(text)

    @classmethod
    def from_bytes(cls, data: bytes, name: str = "SPEC.md") -> SpecDocument:
        """Decode file contents; SpecuiError (one line, naming `name`) for binary or non-UTF-8.

        A UTF-8 byte order mark is kept in `text` (so writing back restores it) and ignored
        when looking for the title heading.
        """
        if b"\x00" in data:
            raise SpecuiError(
                f"{name} is not UTF-8 text (it contains NUL bytes; is it a binary file?)"
            )
        try:
            text = bytes(data).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SpecuiError(
                f"{name} is not UTF-8 text (invalid byte at offset {exc.start}); "
                "re-save it as UTF-8"
            ) from None
        return cls(text)

    # -- basic properties -----------------------------------------------------------------
    @property
    def text(self) -> str:
        return self._text

    @cached_property
    def newline(self) -> str:
        t = self._text
        if "\r" not in t:
            return "\n"
        crlf = t.count("\r\n")
        return "\r\n" if crlf > t.count("\n") - crlf else "\n"

    @cached_property
    def _structure(self) -> _Structure:
        return _scan(self._text)

    @property
    def title(self) -> str | None:
        """The first level-1 heading's title (e.g. "SPEC: My Project"), if any."""
        return self._structure.title

    @property
    def sections(self) -> tuple[SectionSpan, ...]:
        """Every `## ` section in file order, canonical or not."""
        return self._structure.sections

    @property
    def missing(self) -> list[str]:
        return list(self._structure.missing)

    @property
    def duplicates(self) -> list[str]:
        return list(self._structure.duplicates)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SpecDocument) and other._text == self._text

    def __hash__(self) -> int:
        return hash(self._text)

    def __repr__(self) -> str:
        return f"SpecDocument({len(self._text)} chars)"

    # -- reading ------------------------------------------------------------------------
    def _span(self, key: str) -> SectionSpan | None:
        if key not in SECTION_BY_KEY:
            raise SpecuiError(f"unknown SPEC.md section: {key!r}")
        return self._structure.by_key.get(key)

    def section_body(self, key: str) -> str | None:
        """The body of canonical section `key` (first one if duplicated), or None if missing."""
        span = self._span(key)
        if span is None:
            return None
        cs, ce = _core_span(self._text, span.body_start, span.end)
        return _out_text(_strip_final_newline(self._text[cs:ce]))

    def _security_item(self) -> tuple[SectionSpan, tuple[int, int], list[_Item]] | None:
        span = self._span("nfr")
        if span is None:
            return None
        cs, ce = _core_span(self._text, span.body_start, span.end)
        return span, (cs, ce), _items(self._text, cs, ce)

    @property
    def has_standalone_security(self) -> bool:
        """True when Security & Privacy is its own `##` section rather than an NFR item."""
        return self._security_section() is not None

    def _security_section(self) -> SectionSpan | None:
        """A standalone level-2 `## Security & Privacy` section (the first one), if any.

        Seed 000's progress rule lists Security & Privacy as a unit of its own and users often
        give it its own section; when they do, that section is the unit, not the NFR item.
        """
        for sp in self._structure.sections:
            if sp.key is None and normalize_title(sp.title) in SECURITY_LABELS:
                return sp
        return None

    def unit_text(self, unit_key: str) -> str | None:
        """The text of a tracked unit, or None when it is absent (section or item missing)."""
        if unit_key not in UNIT_BY_KEY:
            raise SpecuiError(f"unknown SPEC.md unit: {unit_key!r}")
        if unit_key not in ("nfr", "security"):
            return self.section_body(unit_key)
        standalone = self._security_section()
        if standalone is not None:
            if unit_key == "nfr":
                return self.section_body("nfr")
            cs, ce = _core_span(self._text, standalone.body_start, standalone.end)
            return _out_text(_strip_final_newline(self._text[cs:ce]))
        found = self._security_item()
        if found is None:
            return None
        _, (cs, ce), items = found
        sec = next((it for it in items if it.label in SECURITY_LABELS), None)
        t = self._text
        if unit_key == "security":
            if sec is None:
                return None
            return _out_text(_strip_final_newline(t[sec.start : sec.end]))
        if sec is None:
            return _out_text(_strip_final_newline(t[cs:ce]))
        return _hand_out(t[cs : sec.start] + t[sec.end : ce])

    # -- editing ------------------------------------------------------------------------
    def _splice(self, a: int, b: int, new: str, *, shift: bool = False) -> SpecDocument:
        """A new document with text[a:b] replaced by `new`.

        With `shift=True` the caller guarantees that [a, b) lies inside one section's body,
        outside any fence, and that `new` holds no level-1/2 heading and leaves no fence open
        (`_make_safe`). Then the structure is carried over with shifted offsets instead of
        being rescanned, so a patch costs O(section) on top of the string copy. Without a
        cached structure, or when a fence is open at the end of the file, nothing is carried.
        """
        t = self._text
        doc = SpecDocument("".join((t[:a], new, t[b:])))
        old = self.__dict__.get("_structure")
        if shift and old is not None and old.open_fence_at_end is None:
            delta = len(new) - (b - a)
            sections = []
            for sp in old.sections:
                if sp.start >= b:
                    sp = SectionSpan(
                        sp.key, sp.title, sp.start + delta, sp.body_start + delta, sp.end + delta
                    )
                elif sp.end >= b:  # the section holding the edit
                    sp = SectionSpan(sp.key, sp.title, sp.start, sp.body_start, sp.end + delta)
                sections.append(sp)
            by_key: dict[str, SectionSpan] = {}
            for sp in sections:
                if sp.key is not None and sp.key not in by_key:
                    by_key[sp.key] = sp
            doc.__dict__["_structure"] = _Structure(
                old.title, tuple(sections), by_key, old.missing, old.duplicates, None
            )
        return doc

    def with_section_body(self, key: str, body: str) -> SpecDocument:
        """Replace the whole body of section `key`; every other byte stays as it was.

        `body` is taken as plain lines: its newlines become the document's, blank lines at its
        ends are dropped, `#`/`##` headings in it are demoted to `###` and an unclosed fence is
        closed (see `_make_safe`). A missing canonical section is re-added as `## N. Title` at
        its canonical place: after the nearest preceding canonical section that exists, else
        before the nearest following one, else at the end of the file.
        """
        nl = self.newline
        block = _render_block(_make_safe(_block_lines(body)), nl)
        span = self._span(key)
        if span is not None:
            return self._replace_body(span, block)
        return self._insert_section(key, block)

    def _replace_body(self, span: SectionSpan, block: str) -> SpecDocument:
        """Replace the body of `span` (blank lines at its ends kept) with a rendered block."""
        t = self._text
        cs, ce = _core_span(t, span.body_start, span.end)
        if cs == span.body_start and cs > 0 and t[cs - 1] != "\n":
            # The heading was the last line and had no terminator: give it one (this
            # moves the body start, so the structure is rescanned).
            return self._splice(cs, ce, self.newline + block)
        return self._splice(cs, ce, block, shift=True)

    def _insert_section(self, key: str, block: str) -> SpecDocument:
        nl = self.newline
        sec = SECTION_BY_KEY[key]
        by_key = self._structure.by_key
        order = [s.key for s in SECTIONS]
        idx = order.index(key)
        t = self._text
        pos: int | None = None
        before_heading = False
        for prev in reversed(order[:idx]):
            if prev in by_key:
                pos = by_key[prev].end
                break
        if pos is None:
            for nxt in order[idx + 1 :]:
                if nxt in by_key:
                    pos = by_key[nxt].start
                    before_heading = True
                    break
        if pos is None:
            pos = len(t)
        new = sec.heading + nl + block
        head = t[:pos]
        prefix = ""
        if head and not head.endswith("\n"):
            prefix += nl
        fence = self._structure.open_fence_at_end
        if pos == len(t) and fence is not None:
            prefix += fence.char * fence.length + nl  # else the heading would be code
        full = head + prefix
        if full and not full.endswith(("\n\n", "\n\r\n")):
            prefix += nl  # a blank line before the new heading
        suffix = nl if (before_heading or pos < len(t)) else ""
        return self._splice(pos, pos, prefix + new + suffix)

    def with_unit_text(self, unit_key: str, text: str) -> SpecDocument:
        """Replace one tracked unit's text.

        For a section unit this is `with_section_body`. For "security" only the NFR section's
        Security & Privacy item is replaced (see `_security_lines` for the accepted forms); a
        missing item is inserted after the Reliability item, else at the end of the section;
        a missing NFR section is re-added holding just the item. For "nfr" the section body is
        replaced but the existing Security & Privacy item is kept (any security item in `text`
        gives way to it) and placed after Reliability, else at the end.

        When the document has a standalone `## Security & Privacy` section, that section is the
        "security" unit (its body is replaced; a text given in the item form has the item's
        label dropped) and "nfr" is the whole NFR section.
        """
        if unit_key not in UNIT_BY_KEY:
            raise SpecuiError(f"unknown SPEC.md unit: {unit_key!r}")
        if unit_key in ("security", "nfr"):
            standalone = self._security_section()
            if standalone is not None:
                if unit_key == "nfr":
                    return self.with_section_body("nfr", text)
                lines = _make_safe(_standalone_security_lines(text))
                return self._replace_body(standalone, _render_block(lines, self.newline))
        if unit_key == "security":
            return self._with_security(text)
        if unit_key == "nfr":
            return self._with_nfr(text)
        return self.with_section_body(unit_key, text)

    def _with_security(self, text: str) -> SpecDocument:
        nl = self.newline
        lines = _security_lines(text)
        found = self._security_item()
        if found is None:
            return self.with_section_body("nfr", "\n".join(lines))
        span, (_cs, ce), items = found
        block = _render_block(lines, nl)
        t = self._text
        sec = next((it for it in items if it.label in SECURITY_LABELS), None)
        if sec is not None:
            return self._splice(sec.start, sec.end, block, shift=True)
        rel = next((it for it in items if it.label in RELIABILITY_LABELS), None)
        pos = rel.end if rel is not None else ce
        fence = self._structure.open_fence_at_end
        if fence is not None and pos == ce and span.end == len(t):
            # The section's last item ends in a fence that never closes: close it first or
            # the new item would be code.
            block = fence.char * fence.length + nl + block
            if pos > 0 and t[pos - 1] != "\n":
                block = nl + block
        elif pos > 0 and t[pos - 1] != "\n":
            # After a last line (or heading) without terminator: add one and rescan.
            return self._splice(pos, pos, nl + block)
        return self._splice(pos, pos, block, shift=True)

    def _with_nfr(self, text: str) -> SpecDocument:
        current = self.unit_text("security")
        if current is None:
            return self.with_section_body("nfr", text)
        body = "\n".join(_make_safe(_block_lines(text)))
        items = _items(body, 0, len(body))
        for it in reversed([it for it in items if it.label in SECURITY_LABELS]):
            body = body[: it.start] + body[it.end :]
        body = "\n".join(_block_lines(body))
        items = _items(body, 0, len(body))
        rel = next((it for it in items if it.label in RELIABILITY_LABELS), None)
        sec_block = current + "\n"
        if rel is not None:
            pos = rel.end
            head = body[:pos]
            if head and not head.endswith("\n"):
                head += "\n"
            body = head + sec_block + body[pos:]
        else:
            body = (body + "\n" if body else "") + sec_block
        return self.with_section_body("nfr", body)


_SEC_ITEM_RE = re.compile(r"[-*+][ \t]+\*\*(?P<label>[^*\n]+?)(?::\*\*|\*\*[ \t]*:)")
_PLAIN_BULLET_RE = re.compile(r"(?:[-*+]|\d+[.)])[ \t]")


def _standalone_security_lines(text: str) -> list[str]:
    """Body lines for a standalone Security & Privacy section built from `text`.

    Text in the NFR item form (`- **Security & Privacy**: OAuth2` plus indented lines, as the
    item-based unit hands it out) loses the label, so the section does not repeat its own
    title: the item's content becomes the first line and its continuation is dedented.
    """
    lines = _block_lines(text)
    if not lines:
        return lines
    m = _SEC_ITEM_RE.match(lines[0])
    if not (m and normalize_title(m.group("label").rstrip(":")) in SECURITY_LABELS):
        return lines
    head = lines[0][m.end() :].strip()
    rest = [ln[2:] if ln.startswith("  ") else ln.lstrip(" \t") for ln in lines[1:]]
    return ([head] if head else []) + rest


def _security_lines(text: str) -> list[str]:
    """The lines of a Security & Privacy item built from `text`.

    Accepted forms: the full item (`- **Security & Privacy**: ...`, as `unit_text` returns it,
    kept as is) or just its content, which is prefixed with the label (a content that starts
    with a list item goes on the lines under the label). Following unindented lines are
    indented by two spaces so that they stay inside the item, headings are demoted and fences
    closed (`_make_safe`).
    """
    lines = _block_lines(text)
    label = f"- **{SECURITY_LABEL}**:"
    if not lines:
        return [label]
    first = lines[0]
    m = _SEC_ITEM_RE.match(first)
    rest = lines[1:]
    if m and normalize_title(m.group("label").rstrip(":")) in SECURITY_LABELS:
        head = [first]
    elif _PLAIN_BULLET_RE.match(first.lstrip()):
        head = [label]
        rest = lines
    else:
        head = [f"{label} {first.strip()}"]
    indented = [ln if (not ln or ln[0] in " \t") else "  " + ln for ln in rest]
    return _make_safe(head + indented)
