"""Section-text surgery and the drafting pass of seed 000 §4.2, deterministic and offline.

Every SPEC.md section of the canonical template is a short list of bold-labelled bullets
(`- **Label**: value`). The offline interviewer answers one or a few of those bullets per round,
so it needs to rewrite *one item* of a section body while keeping every other line exactly as the
user left it (their own bullets, notes, blank lines, CRLF). The helpers here do that on plain
strings; `SpecDocument` then swaps the whole section body (the contract's unit of patching).

The drafting pass turns a free-text overview into first drafts of sections 1–3. It is plain
sentence heuristics, so anything it cannot place stays a `<placeholder>`: the section is then
honestly `drafted`, not `clarified`, and a later question fills the gap.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from specui.core.spec import SPEC_TEMPLATE, placeholder_status

_BULLET = re.compile(
    r"^(?P<prefix>[ \t]{0,3}[-*+][ \t]+\*\*(?P<label>[^*\n]+?)\*\*[ \t]*:?[ \t]*)(?P<value>.*?)\s*$"
)
_PLACEHOLDER = re.compile(r"<[^<>\n]{1,80}>")
_HEADING_LIKE = re.compile(r"^\s*(#|```|~~~)")


def norm_label(label: str) -> str:
    """Labels compare case- and spacing-insensitively; a trailing colon inside the bold is ok."""
    return " ".join(label.replace("\u2011", "-").strip().rstrip(":").split()).casefold()


def _template_items() -> dict[str, str]:
    # "<label>" -> template default value, for every bullet of the canonical template. A value
    # equal to its template default is scaffolding (e.g. "endpoints, auth, payloads, error model").
    items: dict[str, str] = {}
    for line in SPEC_TEMPLATE.splitlines():
        m = _BULLET.match(line)
        if m:
            items[norm_label(m.group("label"))] = m.group("value").strip()
    return items


TEMPLATE_ITEMS: dict[str, str] = _template_items()


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
    """The labelled bullets of a section body, with their continuation lines.

    A bullet's value runs on over following lines that are indented deeper and not blank; that
    is how the interviewer writes multi-line answers and how people usually wrap bullets.
    """
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


def find_item(body: str | None, label: str) -> Item | None:
    want = norm_label(label)
    for item in parse_items(body):
        if norm_label(item.label) == want:
            return item
    return None


def has_placeholder(text: str) -> bool:
    return bool(_PLACEHOLDER.search(text))


def value_is_answered(label: str, value: str | None) -> bool:
    """Real content by the same rules as the unit statuses (core.spec.placeholder_status):
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
        assert m is not None
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


def set_items(body: str | None, values: Mapping[str, str], newline: str | None = None) -> str:
    out = body or ""
    for label, value in values.items():
        out = set_item(out, label, value, newline)
    return out


def template_body(section_title_number: int) -> str:
    """The canonical template body of section N (used when a section is missing entirely)."""
    lines = SPEC_TEMPLATE.splitlines(keepends=True)
    out: list[str] = []
    inside = False
    for line in lines:
        if line.startswith("## "):
            inside = line[3:].split(".", 1)[0].strip() == str(section_title_number)
            continue
        if inside:
            out.append(line)
    return "".join(out)


# --------------------------------------------------------------------------- drafting pass

_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")
_PEOPLE = re.compile(
    r"\b(users?|customers?|teams?|developers?|engineers?|admins?|administrators?|people|"
    r"students?|teachers?|managers?|owners?|operators?|clients?|members?|staff|maintainers?|"
    r"designers?|analysts?|researchers?|writers?|freelancers?|families|parents|patients?|"
    r"doctors?|nurses?|shoppers?|buyers?|sellers?|players?|readers?|agents?|employees?)\b",
    re.IGNORECASE,
)
_FOR_WHOM = re.compile(
    r"\bfor\s+((?:[\w'-]+\s+){0,5}?[\w'-]+)(?=\s+(?:who|to|that|so|in|with)\b|[,.;:!?]|$)",
    re.IGNORECASE,
)
_CAPABILITY = re.compile(
    r"\b(should|must|will|can|lets?|allows?|needs? to|supports?|provides?|includes?|tracks?|"
    r"shows?|sends?|stores?|generates?|syncs?|exports?|imports?|manages?|builds?|creates?)\b",
    re.IGNORECASE,
)
_SUCCESS = re.compile(
    r"\b(success|succeed|measured? by|metrics?|kpis?|target of|adoption|within \d+\s*"
    r"(?:days?|weeks?|months?|years?))\b|\d+\s*%",
    re.IGNORECASE,
)
_WHY = re.compile(
    r"\b(because|so that|problem|pain|today|currently|struggle|waste|hard to|too slow|"
    r"manual|tedious|frustrat|lose|losing|need|want|instead of)\b",
    re.IGNORECASE,
)


def sentences(text: str) -> list[str]:
    out = []
    for part in _SENTENCE_SPLIT.split(text.strip()):
        s = part.strip().lstrip("-*• ").strip()
        if s:
            out.append(s)
    return out


def _looks_like_people(phrase: str) -> bool:
    """"home cooks", "small teams", "busy parents": a plural noun phrase, not "tracking expenses"
    (a gerund) or "the web" — the user list can't name every trade, so shape counts too."""
    if _PEOPLE.search(phrase):
        return True
    words = phrase.lower().split()
    if not words or words[0].endswith("ing") or words[0] in {"the", "a", "an", "this", "that"}:
        return False
    last = words[-1]
    return len(last) > 3 and last.endswith("s") and not last.endswith(("ss", "us", "is"))


def _users_phrase(text: str) -> str | None:
    for m in _FOR_WHOM.finditer(text):
        phrase = m.group(1).strip()
        if _looks_like_people(phrase):
            return phrase
    for s in sentences(text):
        if _PEOPLE.search(s):
            return s.rstrip(".")
    return None


@dataclass(frozen=True)
class OverviewDraft:
    """What the drafting pass could place: (unit, label) -> text. Missing keys stay placeholders."""

    values: dict[tuple[str, str], str]
    problem: str  # the overview's core claim (revisited by the pressure pass)


def draft_overview(text: str) -> OverviewDraft:
    """Draft sections 1–3 from an overview. Deterministic: same text, same draft.

    - Problem & Outcome: the sentences that say why (or the first sentence).
    - Target Users / Personas: a "for <people>" phrase, else the first sentence naming people.
    - Success Metrics: sentences that say how success is judged ("success", "within 30 days", "%").
    - In-scope: sentences that name capabilities ("should", "lets", "tracks", ...).
    - Top Use Cases: only when the overview names "use case(s)"/"so that" scenarios.
    """
    sents = sentences(text)
    values: dict[tuple[str, str], str] = {}
    if not sents:
        return OverviewDraft(values, "")
    why = [s for s in sents if _WHY.search(s)]
    problem_sents = [sents[0]] + [s for s in why if s != sents[0]][:1]
    problem = " ".join(problem_sents)
    values[("vision", "Problem & Outcome")] = problem
    users = _users_phrase(text)
    if users:
        values[("vision", "Target Users")] = users
        values[("personas", "Personas")] = f"{users} (primary persona, from the overview)"
    success = [s for s in sents[1:] if _SUCCESS.search(s) and s not in problem_sents]
    if success:
        values[("vision", "Success Metrics")] = "; ".join(m.rstrip(".") for m in success[:3])
    taken = set(problem_sents) | set(success)
    caps = [s for s in sents if _CAPABILITY.search(s) and s not in taken]
    if not caps and len(sents) > 1:
        caps = [s for s in sents[1:] if s not in taken]
    if caps:
        values[("scope", "In-scope")] = "; ".join(c.rstrip(".") for c in caps[:6])
    use = [s for s in sents if re.search(r"\buse cases?\b|\bso that\b", s, re.IGNORECASE)]
    if use:
        values[("personas", "Top Use Cases")] = "; ".join(u.rstrip(".") for u in use[:3])
    return OverviewDraft(values, problem)


def join_values(parts: Iterable[str]) -> str:
    return "; ".join(p.strip().rstrip(";") for p in parts if p and p.strip())
