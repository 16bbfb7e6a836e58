"""Unit status rules: unknown / drafted / clarified from the text, final from the user.

A unit is *final* when its current text hashes to the hash stored when the user finalized it, so
editing a final section makes it non-final again by construction. What counts as a placeholder
is decided here once (`placeholder_status`); the interview's "is this bullet answered?" uses
the same rule.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from specui.core.errors import SpecuiError
from specui.core.markdown import Fence as _Fence
from specui.core.markdown import fence_step as _fence_step
from specui.core.progress import progress_percent
from specui.core.spec.document import unify_newlines
from specui.core.spec.template import SECTION_ITEMS
from specui.core.spec.units import TRACKED_UNITS, UNIT_BY_KEY, UNIT_KEYS, UNIT_TITLES

if TYPE_CHECKING:
    from specui.core.spec.document import SpecDocument

UnitStatus = Literal["unknown", "drafted", "clarified", "final"]


def _template_defaults() -> frozenset[str]:
    """Normalized default values of the template's bullets (its scaffolding)."""
    return frozenset(
        _norm_value(default) for items in SECTION_ITEMS.values() for _label, default in items
    )


def _norm_value(value: str) -> str:
    return " ".join(value.split()).lower().rstrip(".")


_LABEL_RE = re.compile(r"(?:\*\*|__)(?P<label>[^*_\n]+?)(?::(?:\*\*|__)|(?:\*\*|__)[ \t]*:)[ \t]*")
_LIST_MARKER_RE = re.compile(r"(?:(?:[-*+]|\d+[.)])[ \t]+(?:\[[ xX]\][ \t]+)?|>[ \t]*)+")
_MD_HEADING_RE = re.compile(r"#{1,6}(?:[ \t]|\Z)")
_ANGLE_RE = re.compile(r"<([^<>\s](?:[^<>\n]*[^<>\s])?)>")
_MARKER_RE = re.compile(r"\b(?:TODO|TBD|FIXME)\b")
_HTML_TAG_RE = re.compile(r"/?([A-Za-z][A-Za-z0-9]*)(?:\s[^<>]*)?/?")
_HTML_TAGS = frozenset(
    {
        "a", "abbr", "b", "br", "code", "del", "details", "div", "em", "hr", "i", "img",
        "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong",
        "sub", "summary", "sup", "table", "tbody", "td", "th", "thead", "tr", "u", "ul",
    }
)  # fmt: skip
_AUTOLINK_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:\S*|[^\s@]+@[^\s@]+")


def _drop_inline_code(s: str) -> tuple[str, bool]:
    """Remove `code` spans (linear: split on backticks; an unmatched one is plain text)."""
    parts = s.split("`")
    if len(parts) % 2 == 0:  # odd number of backticks: the last one opens nothing
        parts[-2:] = ["`".join(parts[-2:])]
    code = parts[1::2]
    return " ".join(parts[0::2]), any(c.strip() for c in code)


def _is_placeholder(inner: str) -> bool:
    if inner.startswith("!") or _AUTOLINK_RE.fullmatch(inner):
        return False
    m = _HTML_TAG_RE.fullmatch(inner)
    return not (m and m.group(1).lower() in _HTML_TAGS)


def _first_in_line(s: str, found: list[str]) -> None:
    """Append the leftmost `<...>` placeholder or TODO/TBD/FIXME marker of `s`, if any."""
    hits = [(m.start(), m.group(0)) for m in _ANGLE_RE.finditer(s) if _is_placeholder(m.group(1))]
    marker = _MARKER_RE.search(s)
    if marker is not None:
        hits.append((marker.start(), marker.group(0)))
    if hits:
        found.append(min(hits)[1])


def _analyse(text: str, found: list[str] | None = None) -> tuple[bool, int]:
    """(has real content, placeholders found) — the rules of `placeholder_status`.

    Stops as soon as both are non-zero (the count is then a lower bound). Each check is
    guarded by a cheap character test so long, finished sections are read quickly. When
    `found` is given, the first placeholder's text is appended to it (for error messages).
    """
    defaults = _TEMPLATE_DEFAULTS
    max_default = _MAX_DEFAULT_LEN
    content = False
    placeholders = 0
    fence: _Fence | None = None
    for raw in unify_newlines(text).split("\n"):
        s = raw.strip()
        if fence is not None:
            if s[:1] in ("`", "~") and s:
                fence, is_fence = _fence_step(raw, fence)
                if is_fence:
                    continue
            if s:
                content = True  # code is content, whatever it contains
            continue
        if not s:
            continue
        first = s[0]
        if first in ("`", "~"):
            fence, is_fence = _fence_step(raw, None)
            if is_fence:
                continue
        elif first == "#" and _MD_HEADING_RE.match(s):
            continue
        if first in _LIST_STARTS:
            m = _LIST_MARKER_RE.match(s)
            if m:
                s = s[m.end() :]
        if s[:2] in ("**", "__"):
            m = _LABEL_RE.match(s)
            if m:
                s = s[m.end() :]
        if not s:
            continue
        if len(s) <= max_default and _norm_value(s) in defaults:
            placeholders += 1
            if found is not None and not found:
                found.append(s)
            continue
        if "`" in s:
            s, has_code = _drop_inline_code(s)
            content = content or has_code
        if found is not None and not found:
            _first_in_line(s, found)
        if "<" in s:
            for am in _ANGLE_RE.finditer(s):
                if _is_placeholder(am.group(1)):
                    placeholders += 1
                    s = s.replace(am.group(0), " ", 1)
        if "TODO" in s or "TBD" in s or "FIXME" in s:
            s, n_markers = _MARKER_RE.subn(" ", s)
            placeholders += n_markers
        if not content and any(ch.isalnum() for ch in s):
            content = True
        if content and placeholders:
            break  # "drafted" whatever follows: no need to read the rest of a long section
    return content, placeholders


def placeholder_status(text: str | None) -> UnitStatus:
    """unknown / drafted / clarified for a unit's text (never "final": that needs the user).

    Rules, line by line (code inside ``` / ~~~ fences and `inline code` always counts as real
    content and is never searched for placeholders):
    * Scaffolding is ignored: blank lines, headings, list markers (`-`, `1.`, `- [ ]`, `>`)
      and bold labels (`**Entities**:` / `**Entities:**`).
    * A line whose remaining value equals one of the template's own default values (e.g.
      "endpoints, auth, payloads, error model"; case, spacing and a final period ignored) is
      one placeholder.
    * Each `<...>` placeholder (not an HTML tag such as `<br>`, not an autolink such as
      `<https://x>` or `<a@b.c>`) and each TODO, TBD or FIXME (upper case, whole word) is one
      placeholder.
    * What is left is real content if it holds a letter or digit.
    Result: None or no real content -> "unknown"; real content and at least one placeholder ->
    "drafted"; real content and no placeholder -> "clarified".
    """
    if text is None:
        return "unknown"
    content, placeholders = _analyse(text)
    if not content:
        return "unknown"
    return "drafted" if placeholders else "clarified"


def first_placeholder(text: str | None) -> str | None:
    """The first placeholder `placeholder_status` counts in `text` (e.g. "<quantitative &
    qualitative>", "TODO", or a template default value such as "SLAs/SLOs, peak loads"), or
    None when there is none. Used to tell the user exactly what blocks finalizing."""
    if text is None:
        return None
    found: list[str] = []
    _analyse(text, found)
    return found[0] if found else None


def content_hash(text: str) -> str:
    """A stable fingerprint of a unit's text: sha256 of it with '\\n' newlines and no
    surrounding whitespace, so CRLF conversion or a trailing blank line does not un-finalize."""
    norm = unify_newlines(text).strip()
    return hashlib.sha256(norm.encode("utf-8", "surrogatepass")).hexdigest()


def unit_statuses(doc: SpecDocument, final_hashes: Mapping[str, str]) -> dict[str, UnitStatus]:
    """Status of all 18 tracked units, in order.

    "final" iff the unit exists and its `content_hash` equals the stored final hash (so any
    later edit drops it back to what `placeholder_status` says); otherwise placeholder_status.
    """
    out: dict[str, UnitStatus] = {}
    for unit in TRACKED_UNITS:
        text = doc.unit_text(unit.key)
        stored = final_hashes.get(unit.key)
        if text is not None and stored is not None and content_hash(text) == stored:
            out[unit.key] = "final"
        else:
            out[unit.key] = placeholder_status(text)
    return out


@dataclass(frozen=True)
class SpecProgress:
    """Every tracked unit's status (in tracked order) and seed 000's progress figures."""

    statuses: dict[str, UnitStatus]
    final_count: int
    percent: int  # finalized units / 18, half-up to the nearest 5%


def spec_progress(doc: SpecDocument | None, final_hashes: Mapping[str, str]) -> SpecProgress:
    """The one place statuses become progress; without a document every unit is unknown."""
    if doc is None:
        statuses: dict[str, UnitStatus] = dict.fromkeys(UNIT_KEYS, "unknown")
    else:
        statuses = unit_statuses(doc, final_hashes)
    final = sum(1 for s in statuses.values() if s == "final")
    return SpecProgress(statuses, final, progress_percent(final, len(UNIT_KEYS)))


def check_unit(unit: str) -> None:
    """SpecuiError naming the valid keys when `unit` is not one of the 18 tracked units."""
    if unit not in UNIT_BY_KEY:
        raise SpecuiError(
            f"unknown SPEC.md unit {unit!r} (expected one of: {', '.join(UNIT_KEYS)})"
        )


def finalize_digest(doc: SpecDocument | None, unit: str, spec_name: str = "SPEC.md") -> str:
    """The hash to store when the user finalizes `unit`, or SpecuiError saying why not.

    Refused when SPEC.md or the unit is missing, or the unit is not yet `clarified`: seed 000
    finishes when every section is at least Clarified, so a unit with placeholders left
    (`drafted`) must not count toward progress. The error names the first placeholder so the
    user knows what to fill in.
    """
    check_unit(unit)
    title = UNIT_TITLES[unit]
    if doc is None:
        raise SpecuiError(f"cannot finalize {title!r}: {spec_name} does not exist")
    text = doc.unit_text(unit)
    if text is None:
        raise SpecuiError(f"cannot finalize {title!r}: it is missing from {spec_name}")
    status = placeholder_status(text)
    if status == "unknown":
        raise SpecuiError(f"cannot finalize {title!r}: it has no content yet")
    if status != "clarified":
        found = first_placeholder(text) or "a placeholder"
        raise SpecuiError(
            f"{title} still has a placeholder: {found} — fill it in or delete it first"
        )
    return content_hash(text)


_TEMPLATE_DEFAULTS: frozenset[str] = _template_defaults()
# Longest raw value that can still normalize to a default (spacing may shrink, never grow much).
_MAX_DEFAULT_LEN = 2 * max(len(v) for v in _TEMPLATE_DEFAULTS) + 8
_LIST_STARTS = frozenset("-*+>0123456789")
