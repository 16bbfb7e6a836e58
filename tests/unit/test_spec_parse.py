"""SpecDocument parsing: tolerant titles, fences, CRLF, BOM, missing/duplicate, bad bytes."""

from __future__ import annotations

import pytest

from specui.core.errors import SpecuiError
from specui.core.spec import (
    SECTION_BY_KEY,
    SECTIONS,
    TRACKED_UNITS,
    SpecDocument,
    normalize_title,
    render_spec_template,
    section_key_for_title,
)

TEMPLATE = render_spec_template("Demo")


def test_contract_constants():
    assert len(SECTIONS) == 17
    assert [s.number for s in SECTIONS] == list(range(1, 18))
    assert [u.key for u in TRACKED_UNITS] == [
        "vision", "scope", "personas", "domain", "interfaces", "workflows", "states", "data",
        "nfr", "security", "integrations", "deployment", "observability", "risks",
        "acceptance", "milestones", "terminology", "open_questions",
    ]  # fmt: skip
    sec = next(u for u in TRACKED_UNITS if u.key == "security")
    assert sec.section_key == "nfr" and sec.item == "Security & Privacy"


def test_aliases_do_not_collide():
    seen: dict[str, str] = {}
    for s in SECTIONS:
        for name in (s.title, *s.aliases):
            norm = normalize_title(name)
            assert seen.setdefault(norm, s.key) == s.key, name


@pytest.mark.parametrize(
    ("title", "key"),
    [
        ("1. Vision & Goals", "vision"),
        ("vision & goals", "vision"),
        ("VISION   AND   GOALS", "vision"),
        ("Vision", "vision"),
        ("9) Non-Functional Requirements", "nfr"),
        ("9. Non-Functional Requirements (NFRs)", "nfr"),
        ("NFRs", "nfr"),
        ("§9 Nonfunctional requirements", "nfr"),
        ("Risks, Assumptions & Trade-offs", "risks"),
        ("Risks, Assumptions & Trade\u2011offs", "risks"),
        ("13 - Risks, assumptions and tradeoffs", "risks"),
        ("**Open Questions**", "open_questions"),
        ("Glossary", "terminology"),
        ("8. Data/Schema", "data"),
        ("Security", None),
        ("Overview", None),
        ("2024", None),
    ],
)
def test_title_matching(title, key):
    assert section_key_for_title(title) == key


def test_template_round_trip_and_structure():
    doc = SpecDocument.parse(TEMPLATE)
    assert doc.text == TEMPLATE
    assert doc.newline == "\n"
    assert doc.title == "SPEC: Demo"
    assert [s.key for s in doc.sections] == [s.key for s in SECTIONS]
    assert doc.section_body("terminology") == "- **Glossary**: project-specific terms"
    assert (
        doc.section_body("vision").splitlines()[0] == "- **Problem & Outcome**: <why this matters>"
    )


def test_human_spelled_headings_and_extra_sections():
    text = (
        "# SPEC: x\n\nIntro paragraph.\n\n"
        "## vision & goals\nWe build things.\n\n"
        "## Background\nExtra section kept.\n\n"
        "## 9) Non-Functional Requirements\n- **Performance**: fast\n\n"
        "##   Risks, Assumptions & Trade-offs   ##\nSome risk.\n"
    )
    doc = SpecDocument.parse(text)
    assert doc.section_body("vision") == "We build things."
    assert doc.section_body("nfr") == "- **Performance**: fast"
    assert doc.section_body("risks") == "Some risk."
    assert [s.key for s in doc.sections] == ["vision", None, "nfr", "risks"]
    assert "scope" in doc.missing and "vision" not in doc.missing
    assert len(doc.missing) == 17 - 3
    assert doc.text == text


def test_a_renamed_numbered_heading_keeps_its_section():
    # Trial H20: "## 9. Quality targets" (the user's name for the NFRs) was an extra section,
    # so specui added its own §9 beside it and the user's copy kept its placeholders.
    text = TEMPLATE.replace("## 9. Non-Functional Requirements (NFRs)", "## 9. Quality targets")
    doc = SpecDocument.parse(text)
    assert "nfr" not in doc.missing
    assert doc.section_body("nfr").startswith("- **Performance**")
    patched = doc.with_section_body("nfr", "- **Performance**: p95 under 50 ms")
    assert patched.text.count("## 9.") == 1 and "## 9. Quality targets" in patched.text
    assert "p95 under 50 ms" in patched.text


def test_a_number_is_no_claim_when_the_title_or_another_number_holds_the_section():
    titled = "## 2. Background\nb\n\n## Scope & Non-Goals\ns\n"
    assert SpecDocument.parse(titled).section_body("scope") == "s"
    assert [s.key for s in SpecDocument.parse(titled).sections] == [None, "scope"]
    twice = "## 4. Entities\ne\n\n## 4. Things\ng\n"
    assert "domain" in SpecDocument.parse(twice).missing  # which one? neither is guessed
    extra = "## 19. Appendix\na\n"
    assert [s.key for s in SpecDocument.parse(extra).sections] == [None]


def test_duplicates_reported_and_first_wins():
    text = "## Vision\nfirst\n\n## 1. Vision & Goals\nsecond\n\n## Scope\ns\n"
    doc = SpecDocument.parse(text)
    assert doc.duplicates == ["vision"]
    assert doc.section_body("vision") == "first"
    patched = doc.with_section_body("vision", "new")
    assert patched.text == "## Vision\nnew\n\n## 1. Vision & Goals\nsecond\n\n## Scope\ns\n"


@pytest.mark.parametrize("fence", ["```", "~~~", "````", "  ```"])
def test_heading_inside_fence_is_not_a_heading(fence):
    close = fence.strip()
    text = (
        f"## Vision\nv\n{fence}md\n## Scope & Non-Goals\n# title\n{close}\nafter fence\n\n"
        "## Domain Model\nd\n"
    )
    doc = SpecDocument.parse(text)
    assert "scope" in doc.missing
    assert doc.section_body("vision").endswith("after fence")
    assert doc.section_body("domain") == "d"


def test_mismatched_fence_marker_does_not_close():
    text = "## Vision\n```\n~~~\n## Scope\n```\n## Domain\nd\n"
    doc = SpecDocument.parse(text)
    assert "scope" in doc.missing and doc.section_body("domain") == "d"


def test_unclosed_fence_runs_to_end():
    doc = SpecDocument.parse("## Vision\n```\n## Scope\n")
    assert "scope" in doc.missing
    assert doc.section_body("vision") == "```\n## Scope"


def test_inline_backticks_are_not_a_fence():
    doc = SpecDocument.parse("## Vision\n```inline``` code\n## Scope\ns\n")
    assert doc.section_body("scope") == "s"


def test_headings_need_space_and_at_most_three_spaces_indent():
    text = "## Vision\n##Scope\n    ## Domain Model\n   ## Interfaces\ni\n"
    doc = SpecDocument.parse(text)
    assert "scope" in doc.missing and "domain" in doc.missing
    assert doc.section_body("interfaces") == "i"
    assert doc.section_body("vision") == "##Scope\n    ## Domain Model"


def test_level1_heading_ends_a_section_and_h3_does_not():
    doc = SpecDocument.parse("## Vision\nv\n### Sub\nw\n# Appendix\nx\n## Scope\ns\n")
    assert doc.section_body("vision") == "v\n### Sub\nw"
    assert doc.section_body("scope") == "s"


def test_crlf_document():
    text = TEMPLATE.replace("\n", "\r\n")
    doc = SpecDocument.parse(text)
    assert doc.newline == "\r\n"
    assert doc.text == text
    assert doc.missing == []
    assert doc.section_body("terminology") == "- **Glossary**: project-specific terms"
    patched = doc.with_section_body("scope", "line one\nline two")
    assert "\r\n## 2. Scope & Non-Goals\r\nline one\r\nline two\r\n\r\n## 3." in patched.text
    assert "\n" not in patched.text.replace("\r\n", "")


def test_bom_is_kept_and_title_found():
    raw = "\ufeff" + TEMPLATE
    doc = SpecDocument.from_bytes(raw.encode("utf-8"))
    assert doc.text == raw and doc.title == "SPEC: Demo" and doc.missing == []
    assert doc.with_section_body("vision", "v").text.startswith("\ufeff# SPEC: Demo")
    doc2 = SpecDocument.from_bytes(("\ufeff## Vision\nv\n").encode())
    assert doc2.section_body("vision") == "v"


def test_from_bytes_rejects_nul_and_bad_utf8_with_one_line():
    with pytest.raises(SpecuiError) as nul:
        SpecDocument.from_bytes(b"# SPEC\x00\x01")
    assert str(nul.value).startswith("SPEC.md is not UTF-8 text")
    with pytest.raises(SpecuiError) as bad:
        SpecDocument.from_bytes(b"# SPEC: caf\xe9\n", name="docs/SPEC.md")
    msg = str(bad.value)
    assert msg.startswith("docs/SPEC.md is not UTF-8 text") and "offset 11" in msg
    assert "\n" not in msg
    with pytest.raises(SpecuiError):
        SpecDocument.from_bytes("x".encode("utf-16"))


def test_empty_and_heading_only_documents():
    doc = SpecDocument.parse("")
    assert doc.text == "" and len(doc.missing) == 17 and doc.newline == "\n"
    doc = SpecDocument.parse("## Vision")
    assert doc.section_body("vision") == ""


def test_unknown_keys_raise_specui_error():
    doc = SpecDocument.parse(TEMPLATE)
    with pytest.raises(SpecuiError):
        doc.section_body("security")  # a unit, not a section
    with pytest.raises(SpecuiError):
        doc.unit_text("nope")
    with pytest.raises(SpecuiError):
        doc.with_section_body("nope", "x")


def test_section_defs_headings():
    assert SECTION_BY_KEY["nfr"].heading == "## 9. Non-Functional Requirements (NFRs)"
    assert SECTION_BY_KEY["risks"].heading == "## 13. Risks, Assumptions & Trade\u2011offs"
