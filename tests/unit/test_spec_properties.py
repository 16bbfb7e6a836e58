"""Property tests (hypothesis): round trip, only SpecuiError, patches are local."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from specui.core.errors import SpecuiError
from specui.core.fsio import atomic_write_text
from specui.core.spec import (
    SECTIONS,
    UNIT_KEYS,
    SpecDocument,
    placeholder_status,
    render_spec_template,
    unit_statuses,
)
from specui.core.spec.document import _scan

_TITLES = [s.title for s in SECTIONS] + [
    "vision & goals",
    "9) Non-Functional Requirements",
    "Risks, Assumptions & Trade-offs",
    "Background",
    "Security & Privacy",
    "",
]
_LINES = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "```",
            "~~~",
            "````md",
            "  ```",
            "- **Security & Privacy**: x",
            "- **Reliability**: y",
            "- **Performance**: <tbd>",
            "# Title",
            "### sub",
            "\ufeff## Vision",
            "   ## Scope",
            "    ## Domain",
            "##",
            "## ##",
            "1. question",
            "text",
        ]
    ),
    st.builds(lambda t, h: f"{h} {t}", st.sampled_from(_TITLES), st.sampled_from(["#", "##"])),
    st.text(max_size=20),
)
_NEWLINES = st.sampled_from(["\n", "\r\n", "\r"])


@st.composite
def spec_texts(draw) -> str:
    lines = draw(st.lists(_LINES, max_size=30))
    parts: list[str] = []
    for line in lines:
        parts.append(line + draw(_NEWLINES))
    text = "".join(parts)
    if draw(st.booleans()) and text:
        text = text[: draw(st.integers(0, len(text)))]
    return text


SETTINGS = settings(
    max_examples=int(__import__("os").environ.get("SPEC_HYP_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _same_or_fence_closed(before, after, doc: SpecDocument, key: str) -> None:
    """Equal, or the one allowed change: a code fence left open at the end of the file was
    closed so that a section (or the security item) added after it is not swallowed as code."""
    if before == after:
        return
    assert before is not None and after is not None and after.startswith(before)
    assert set(after[len(before) :].strip()) <= {"`", "~"}
    assert key in doc.missing or (key == "security" and doc.unit_text("security") is None)


def _touch_everything(doc: SpecDocument) -> None:
    assert doc.newline in ("\n", "\r\n")
    _ = doc.title, doc.sections, doc.missing, doc.duplicates
    for s in SECTIONS:
        doc.section_body(s.key)
    for key in UNIT_KEYS:
        placeholder_status(doc.unit_text(key))
    unit_statuses(doc, {})


@pytest.fixture(scope="module")
def disk(tmp_path_factory) -> Path:
    """One file reused by every example (hypothesis forbids function-scoped fixtures)."""
    return tmp_path_factory.mktemp("roundtrip") / "SPEC.md"


def _write_and_reparse(path: Path, text: str) -> SpecDocument:
    """What specui really does: atomic write to disk, then parse the bytes read back."""
    atomic_write_text(path, text)
    return SpecDocument.from_bytes(path.read_bytes())


def _writable(text: str) -> bool:
    # NUL bytes make from_bytes refuse the file (binary); lone surrogates cannot be UTF-8.
    return "\x00" not in text and not any("\ud800" <= ch <= "\udfff" for ch in text)


@SETTINGS
@given(spec_texts() | st.text())
def test_disk_round_trip_is_byte_exact(disk, text):
    assume(_writable(text))
    doc = _write_and_reparse(disk, text)
    assert disk.read_bytes() == text.encode("utf-8")
    assert doc.text == text
    _touch_everything(doc)


# Body lines that are neither headings nor fence markers: for them with_section_body's only
# documented change is newline normalisation (LF/CRLF/CR -> the document's newline) and the
# dropping of blank lines at both ends. (Headings are demoted and fences closed on purpose.)
_BODY_LINES = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "\t",
            "text",
            "- **Reliability**: y",
            "- [ ] T001 a",
            "  indented",
            "<tbd> and TODO",
            "1. question",
            "### sub is fine",
            "    ## indented code",
        ]
    ),
    st.text(max_size=20).filter(lambda ln: not ln.lstrip().startswith(("#", "`", "~"))),
)


@st.composite
def bodies(draw) -> str:
    lines = draw(st.lists(_BODY_LINES, max_size=8))
    return "".join(line + draw(_NEWLINES) for line in lines) + draw(st.sampled_from(["", "x"]))


@st.composite
def structured_texts(draw) -> str:
    """SPEC.md-shaped files: canonical (and extra) `## ` sections whose bodies have blank
    lines around them, so separators, CRLF and last-line cases are actually exercised."""
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    parts = [draw(st.sampled_from(["", "# SPEC: P" + nl + nl, "intro" + nl]))]
    for title in draw(st.lists(st.sampled_from(_TITLES), max_size=6)):
        parts.append(f"## {title}" + draw(st.sampled_from([nl, ""])))
        parts.append(nl * draw(st.integers(0, 2)))
        body = draw(bodies())
        if body and not body.endswith(("\n", "\r")):
            body += nl
        parts.append(body + nl * draw(st.integers(0, 2)))
    text = "".join(parts)
    if draw(st.booleans()):
        text = text.rstrip("\r\n")
    return text


def _expected_body(body: str) -> str:
    """Independent statement of the documented normalisation (not the module's helper)."""
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


def _blank_ends(raw: str) -> tuple[str, str]:
    """The blank lines ("\\n"-terminated, as the parser splits) at the start and the end of a
    section body; an all-blank body is all trailing."""
    lines = [ln for ln in re.split(r"(?<=\n)", raw) if ln]
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i == len(lines):
        return "", raw
    j = len(lines)
    while not lines[j - 1].strip():
        j -= 1
    return "".join(lines[:i]), "".join(lines[j:])


def _raw(doc: SpecDocument, span) -> str:
    return doc.text[span.start : span.end]


@st.composite
def texts_and_keys(draw) -> tuple[str, str]:
    """A text and a section key to patch: half the time one the text actually has."""
    text = draw(spec_texts() | structured_texts())
    present = sorted({sp.key for sp in SpecDocument.parse(text).sections if sp.key})
    if present and draw(st.booleans()):
        return text, draw(st.sampled_from(present))
    return text, draw(st.sampled_from([s.key for s in SECTIONS]))


@SETTINGS
@given(texts_and_keys(), bodies())
@example(("## Vision", "vision"), "v\r\nw")  # heading is the last line, no terminator
@example(("## Vision\r\n\r\nold\r\n\r\n\r\n## Scope\r\ns", "vision"), "\n\nnew\rline\n\n")
@example(("# T\n## Scope\n  \n\n## Vision\nx", "scope"), "a")  # all-blank body
@example(("## Vision\n```\n## Scope\n", "scope"), "s")  # Scope hidden in a fence: re-added
def test_patch_then_reparse_from_disk(disk, case, body):
    text, key = case
    assume(_writable(text) and _writable(body))
    doc = _write_and_reparse(disk, text)
    new = _write_and_reparse(disk, doc.with_section_body(key, body).text)
    assert new.section_body(key) == _expected_body(body)
    old_span = doc._structure.by_key.get(key)
    if old_span is None:
        # Re-added section: the others keep their text (a fence left open at the very end is
        # closed first so the new heading is not swallowed as code).
        for s in SECTIONS:
            if s.key != key:
                _same_or_fence_closed(doc.section_body(s.key), new.section_body(s.key), doc, key)
        return
    new_span = new._structure.by_key[key]
    # Every other section is byte-identical, raw, blank lines and all.
    others_old = [_raw(doc, sp) for sp in doc.sections if sp != old_span]
    others_new = [_raw(new, sp) for sp in new.sections if sp != new_span]
    assert others_new == others_old
    # And the whole file is exactly: everything before the body, the body's own leading and
    # trailing blank lines (separators stay put), the normalised body in the document's
    # newline, and everything after the section.
    t, nl = doc.text, doc.newline
    head = t[: old_span.body_start]
    if head and not head.endswith("\n"):
        head += nl  # the heading was the file's last line, without a terminator
    lead, trail = _blank_ends(t[old_span.body_start : old_span.end])
    expected = _expected_body(body)
    block = nl.join(expected.split("\n")) + nl if expected else ""
    assert new.text == head + lead + block + trail + t[old_span.end :]


@SETTINGS
@given(st.binary(max_size=300) | spec_texts().map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_from_bytes_raises_only_specui_error(data):
    try:
        doc = SpecDocument.from_bytes(data)
    except SpecuiError as exc:
        assert "\n" not in str(exc)
        assert str(exc).startswith("SPEC.md is not UTF-8 text")
        return
    assert doc.text.encode("utf-8") == data
    _touch_everything(doc)


@SETTINGS
@given(spec_texts(), st.sampled_from([s.key for s in SECTIONS]), spec_texts())
def test_patching_one_section_leaves_others_identical(text, key, body):
    doc = SpecDocument.parse(text)
    new = doc.with_section_body(key, body)
    assert new.missing == [k for k in doc.missing if k != key]
    assert new.duplicates == doc.duplicates
    assert key not in new.missing
    for s in SECTIONS:
        if s.key != key:
            _same_or_fence_closed(doc.section_body(s.key), new.section_body(s.key), doc, key)
    # Replacing with the same body again changes nothing.
    again = new.with_section_body(key, new.section_body(key))
    assert again.text == new.text


@SETTINGS
@given(spec_texts(), st.sampled_from(UNIT_KEYS), spec_texts())
def test_patching_one_unit_leaves_other_units_identical(text, key, value):
    doc = SpecDocument.parse(text)
    new = doc.with_unit_text(key, value)
    assert new.unit_text(key) is not None
    for other in UNIT_KEYS:
        if other == key:
            continue
        if {key, other} == {"nfr", "security"} and doc.unit_text(other) is None:
            continue  # the section was created by this patch
        _same_or_fence_closed(doc.unit_text(other), new.unit_text(other), doc, key)


@SETTINGS
@given(st.sampled_from([s.key for s in SECTIONS]), st.text(max_size=200))
def test_template_patch_is_local_in_bytes(key, body):
    text = render_spec_template("P")
    doc = SpecDocument.parse(text)
    new = doc.with_section_body(key, body)
    # Everything before the section heading and from the next heading on is byte-identical.
    span = next(s for s in doc.sections if s.key == key)
    head, tail = text[: span.body_start], text[span.end :]
    assert new.text.startswith(head)
    assert new.text.endswith(tail)


@SETTINGS
@given(spec_texts(), st.sampled_from(UNIT_KEYS), spec_texts(), st.booleans())
def test_carried_structure_equals_fresh_scan(text, key, value, warm):
    """Patches shift the cached structure instead of rescanning; it must match a rescan."""
    doc = SpecDocument.parse(text)
    if warm:
        _ = doc.missing  # structure cached: the patch carries it over
    new = doc.with_unit_text(key, value)
    new = new.with_unit_text(key, value + "\nmore")
    fresh = _scan(new.text)
    assert new.sections == fresh.sections
    assert new.missing == list(fresh.missing) and new.duplicates == list(fresh.duplicates)
    assert new.title == fresh.title
