"""Unit statuses: placeholder rules, content hashes, final vs. edited."""

from __future__ import annotations

import pytest

from specui.core.spec import (
    SPEC_TEMPLATE,
    TRACKED_UNITS,
    SpecDocument,
    content_hash,
    placeholder_status,
    render_spec_template,
    unit_statuses,
)

TEMPLATE = render_spec_template("Demo")


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "   \n\n",
        "- **Problem & Outcome**: <why this matters>",
        "- **Entities**:\n- **Relationships**:",
        "- **API**: endpoints, auth, payloads, error model",
        "- **API**:   Endpoints,  auth, payloads, error model.",
        "### Notes\n- **Outstanding**: tracked until resolved\n- **Resolved (history)**: decisions & dates",
        "<…>",
        "- [ ] <task>",
        "TODO",
        "1. TBD\n2. FIXME",
    ],
)
def test_unknown(text):
    assert placeholder_status(text) == "unknown"


@pytest.mark.parametrize(
    "text",
    [
        "- **Problem & Outcome**: specs take weeks\n- **Success Metrics**: <quantitative>",
        "- **API**: REST /v1, JWT\n- **UI/UX**: key screens, nav flows, accessibility notes",
        "Users: admins. TODO personas",
        "Decide the queue (TBD)",
        "We ship <what will be built> soon",
    ],
)
def test_drafted(text):
    assert placeholder_status(text) == "drafted"


@pytest.mark.parametrize(
    "text",
    [
        "- **Problem & Outcome**: specs take weeks\n- **Success Metrics**: 50% faster",
        "plain prose without markup",
        "- **Outstanding**: none",
        "Line break<br>here and a link <https://example.com> and <a@b.co>",
        "`List<String>` is used for lists",
        "```java\nMap<K, V> m; // TODO in code is code\n```",
        "- **Glossary**: todo app = the product",  # lowercase 'todo' is a word, not a marker
        "42",
    ],
)
def test_clarified(text):
    assert placeholder_status(text) == "clarified"


def test_every_template_unit_equals_template_text_is_unknown():
    doc = SpecDocument.parse(SPEC_TEMPLATE)
    for unit in TRACKED_UNITS:
        assert placeholder_status(doc.unit_text(unit.key)) == "unknown", unit.key


def test_content_hash_ignores_crlf_and_surrounding_whitespace_only():
    assert content_hash("a\nb") == content_hash("a\r\nb\r\n\n")
    assert content_hash("a\nb") != content_hash("a\n b")
    assert content_hash("a") != content_hash("b")
    assert len(content_hash("x")) == 64


def test_unit_statuses_final_and_fallback_after_edit():
    doc = SpecDocument.parse(TEMPLATE)
    doc = doc.with_section_body("vision", "- **Problem & Outcome**: slow specs")
    doc = doc.with_unit_text("security", "OAuth2")
    doc = doc.with_section_body("scope", "- **In-scope**: CLI\n- **Out-of-scope**: <tbd>")
    hashes = {
        "vision": content_hash(doc.unit_text("vision")),
        "security": content_hash(doc.unit_text("security")),
        "terminology": "0" * 64,  # stale hash: falls back
    }
    st = unit_statuses(doc, hashes)
    assert list(st) == [u.key for u in TRACKED_UNITS]
    assert st["vision"] == "final" and st["security"] == "final"
    assert st["scope"] == "drafted" and st["terminology"] == "unknown"
    assert st["nfr"] == "unknown"
    edited = doc.with_section_body("vision", "- **Problem & Outcome**: slow specs, now edited")
    st2 = unit_statuses(edited, hashes)
    assert st2["vision"] == "clarified" and st2["security"] == "final"
    # Converting the file to CRLF does not un-finalize anything.
    crlf = SpecDocument.parse(doc.text.replace("\n", "\r\n"))
    assert unit_statuses(crlf, hashes)["vision"] == "final"


def test_missing_unit_is_unknown_even_with_hash():
    doc = SpecDocument.parse("## Vision\nv\n")
    st = unit_statuses(doc, {"scope": content_hash("")})
    assert st["scope"] == "unknown" and st["vision"] == "clarified"


def test_first_placeholder_names_what_blocks_clarified() -> None:
    from specui.core.spec import first_placeholder

    assert first_placeholder(None) is None
    assert first_placeholder("All real text, `<not a placeholder>` in code.") is None
    assert first_placeholder("Real. <who benefits> and TODO later") == "<who benefits>"
    assert first_placeholder("Real.\nFIXME: x <later>") == "FIXME"
    assert first_placeholder("- **Perf**: SLAs/SLOs, peak loads\nReal") == "SLAs/SLOs, peak loads"
