"""Property tests (hypothesis): round trip, only SpecuiError, patches are local."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specui.core.spec import (
    SECTIONS,
    UNIT_KEYS,
    SpecDocument,
    _scan,
    placeholder_status,
    unit_statuses,
)
from specui.core.templates import render_spec_template
from specui.errors import SpecuiError

_TITLES = [s.title for s in SECTIONS] + [
    "vision & goals",
    "9) Non-Functional Requirements",
    "Risks, Assumptions & Trade-offs",
    "Background",
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


@SETTINGS
@given(spec_texts())
def test_parse_round_trips_structured_text(text):
    doc = SpecDocument.parse(text)
    assert doc.text == text
    _touch_everything(doc)
    assert doc.text == text


@SETTINGS
@given(st.text())
def test_parse_round_trips_any_text(text):
    doc = SpecDocument.parse(text)
    _touch_everything(doc)
    assert doc.text == text


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
