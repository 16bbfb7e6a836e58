"""Whole-section patches, the security/nfr units, re-adding missing sections."""

from __future__ import annotations

from specui.core.spec import SECTIONS, SpecDocument, render_spec_template

TEMPLATE = render_spec_template("Demo")


def _others_unchanged(before: SpecDocument, after: SpecDocument, changed: str) -> None:
    for s in SECTIONS:
        if s.key != changed:
            assert after.section_body(s.key) == before.section_body(s.key), s.key


def test_replace_body_keeps_everything_else_byte_for_byte():
    doc = SpecDocument.parse(TEMPLATE)
    new = doc.with_section_body("domain", "- **Entities**: User, Order\n")
    old_body = doc.section_body("domain") + "\n"
    assert new.text == TEMPLATE.replace(old_body, "- **Entities**: User, Order\n", 1)
    assert new.section_body("domain") == "- **Entities**: User, Order"
    _others_unchanged(doc, new, "domain")
    assert doc.text == TEMPLATE  # immutable


def test_body_blank_lines_trimmed_and_separators_kept():
    text = "## Vision\n\n\nold\n\n\n## Scope\ns"
    doc = SpecDocument.parse(text)
    new = doc.with_section_body("vision", "\n\n  new line\n\n")
    assert new.text == "## Vision\n\n\n  new line\n\n\n## Scope\ns"
    new2 = new.with_section_body("scope", "t")
    assert new2.text == "## Vision\n\n\n  new line\n\n\n## Scope\nt\n"


def test_empty_section_and_heading_at_eof_without_newline():
    doc = SpecDocument.parse("## Vision\n## Scope")
    new = doc.with_section_body("vision", "v").with_section_body("scope", "s")
    assert new.text == "## Vision\nv\n## Scope\ns\n"
    cleared = new.with_section_body("vision", "")
    assert cleared.text == "## Vision\n## Scope\ns\n"


def test_headings_in_new_body_are_demoted_and_fences_closed():
    doc = SpecDocument.parse(TEMPLATE)
    new = doc.with_section_body("vision", "## Scope & Non-Goals\n# Big\n```\n## code heading")
    assert new.missing == [] and new.duplicates == []
    body = new.section_body("vision")
    assert body.splitlines() == [
        "### Scope & Non-Goals",
        "### Big",
        "```",
        "## code heading",
        "```",
    ]
    _others_unchanged(doc, new, "vision")


def test_readd_missing_section_at_canonical_position():
    text = TEMPLATE
    start = text.index("## 7. States")
    end = text.index("## 8. Data")
    doc = SpecDocument.parse(text[:start] + text[end:])
    assert doc.missing == ["states"]
    new = doc.with_section_body("states", "- **State machine(s)**: draft -> live")
    assert new.missing == []
    assert [s.key for s in new.sections] == [s.key for s in SECTIONS]
    assert (
        "## 6. Workflows\n- **Primary flows**: <stepwise diagrams or bullets>\n"
        "- **Edge cases**: <what could go wrong>\n\n"
        "## 7. States & Transitions\n- **State machine(s)**: draft -> live\n\n"
        "## 8. Data & Schema\n"
    ) in new.text
    _others_unchanged(doc, new, "states")


def test_readd_first_and_last_sections():
    doc = SpecDocument.parse("# SPEC: x\n\nIntro\n\n## Scope\ns\n\n## Extra\ne")
    new = doc.with_section_body("vision", "v")
    assert new.text == "# SPEC: x\n\nIntro\n\n## 1. Vision & Goals\nv\n\n## Scope\ns\n\n## Extra\ne"
    new2 = new.with_section_body("open_questions", "q")
    # After the last canonical section that exists (scope): before the extra section.
    assert new2.text.endswith("## Scope\ns\n\n## 17. Open Questions\nq\n\n## Extra\ne")
    empty = SpecDocument.parse("").with_section_body("terminology", "t")
    assert empty.text == "## 16. Terminology\nt\n"
    tail = SpecDocument.parse("## Vision\nv").with_section_body("scope", "s")
    assert tail.text == "## Vision\nv\n\n## 2. Scope & Non-Goals\ns\n"


def test_readd_after_unclosed_fence_closes_it():
    doc = SpecDocument.parse("## Vision\n```\ncode")
    new = doc.with_section_body("scope", "s")
    assert new.section_body("scope") == "s"
    assert new.section_body("vision") == "```\ncode\n```"


def test_security_unit_is_the_item_and_nfr_is_the_rest():
    doc = SpecDocument.parse(TEMPLATE)
    assert (
        doc.unit_text("security") == "- **Security & Privacy**: authZ/authN, secrets, PII handling"
    )
    nfr = doc.unit_text("nfr")
    assert "Security" not in nfr and nfr.count("\n") == 3
    assert doc.section_body("nfr").count("\n") == 4


def test_security_item_extent_runs_to_next_bold_bullet():
    body = (
        "- **Performance**: p95 < 200ms\n"
        "- **Security & Privacy**: OAuth2\n"
        "  - secrets in vault\n"
        "- plain bullet still security\n"
        "\n"
        "- **Compliance**: GDPR\n"
    )
    doc = SpecDocument.parse("## NFRs\n" + body)
    assert doc.unit_text("security") == (
        "- **Security & Privacy**: OAuth2\n  - secrets in vault\n- plain bullet still security"
    )
    assert doc.unit_text("nfr") == "- **Performance**: p95 < 200ms\n\n- **Compliance**: GDPR"


def test_security_label_variants_and_fenced_bullets():
    doc = SpecDocument.parse("## NFR\n* **Security:** yes\n```\n- **Compliance**: no\n```\n")
    assert doc.unit_text("security") == "* **Security:** yes\n```\n- **Compliance**: no\n```"


def test_with_unit_text_security_replaces_only_the_item():
    doc = SpecDocument.parse(TEMPLATE)
    new = doc.with_unit_text("security", "OAuth2 + RBAC; secrets in Vault\nPII encrypted")
    assert new.unit_text("security") == (
        "- **Security & Privacy**: OAuth2 + RBAC; secrets in Vault\n  PII encrypted"
    )
    assert new.unit_text("nfr") == doc.unit_text("nfr")
    _others_unchanged(doc, new, "nfr")
    # Full form (as unit_text returns it) is kept as is: a round trip is the identity.
    same = new.with_unit_text("security", new.unit_text("security"))
    assert same.text == new.text
    assert doc.with_unit_text("security", doc.unit_text("security")).text == doc.text


def test_with_unit_text_security_bullet_content_goes_under_label():
    doc = SpecDocument.parse(TEMPLATE)
    new = doc.with_unit_text("security", "- OAuth2\n- **Compliance**: sneaky")
    assert new.unit_text("security") == (
        "- **Security & Privacy**:\n  - OAuth2\n  - **Compliance**: sneaky"
    )


def test_security_item_missing_is_inserted_after_reliability():
    body = "- **Performance**: fast\n- **Reliability**: 99.9%\n  - multi-AZ\n- **Scalability**: h\n"
    doc = SpecDocument.parse("## 9. NFRs\n" + body + "\n## Integrations\ni\n")
    assert doc.unit_text("security") is None
    new = doc.with_unit_text("security", "mTLS")
    assert new.section_body("nfr") == (
        "- **Performance**: fast\n- **Reliability**: 99.9%\n  - multi-AZ\n"
        "- **Security & Privacy**: mTLS\n- **Scalability**: h"
    )
    assert new.section_body("integrations") == "i"


def test_security_item_missing_without_reliability_goes_to_section_end():
    doc = SpecDocument.parse("## NFRs\n- **Performance**: fast\n\n## Integrations\ni")
    new = doc.with_unit_text("security", "mTLS")
    assert new.text == (
        "## NFRs\n- **Performance**: fast\n- **Security & Privacy**: mTLS\n\n## Integrations\ni"
    )
    eof = SpecDocument.parse("## NFRs\n- **Performance**: fast").with_unit_text("security", "x")
    assert eof.text == "## NFRs\n- **Performance**: fast\n- **Security & Privacy**: x\n"
    empty = SpecDocument.parse("## NFRs").with_unit_text("security", "x")
    assert empty.text == "## NFRs\n- **Security & Privacy**: x\n"


def test_security_with_nfr_section_missing_readds_section():
    doc = SpecDocument.parse("## Data & Schema\nd\n\n## Integrations\ni\n")
    new = doc.with_unit_text("security", "x")
    assert "## 8" not in new.text
    assert new.section_body("nfr") == "- **Security & Privacy**: x"
    assert [s.key for s in new.sections] == ["data", "nfr", "integrations"]


def test_with_unit_text_nfr_keeps_security_item():
    doc = SpecDocument.parse(TEMPLATE).with_unit_text("security", "mTLS everywhere")
    new = doc.with_unit_text("nfr", "- **Performance**: p95 < 100ms\n- **Reliability**: 99.95%")
    assert new.unit_text("security") == "- **Security & Privacy**: mTLS everywhere"
    assert new.section_body("nfr") == (
        "- **Performance**: p95 < 100ms\n- **Reliability**: 99.95%\n"
        "- **Security & Privacy**: mTLS everywhere"
    )
    assert new.unit_text("nfr") == "- **Performance**: p95 < 100ms\n- **Reliability**: 99.95%"
    # A security item smuggled into the nfr text gives way to the existing one.
    new2 = doc.with_unit_text("nfr", "- **Security & Privacy**: none\n- **Compliance**: SOC2")
    assert new2.unit_text("security") == "- **Security & Privacy**: mTLS everywhere"
    assert new2.unit_text("nfr") == "- **Compliance**: SOC2"


def test_with_unit_text_nfr_without_security_item_is_whole_section():
    doc = SpecDocument.parse("## NFRs\n- **Performance**: x\n")
    new = doc.with_unit_text("nfr", "- **Performance**: y")
    assert new.text == "## NFRs\n- **Performance**: y\n"


def test_nfr_round_trip_is_identity_on_template():
    doc = SpecDocument.parse(TEMPLATE)
    again = doc.with_unit_text("nfr", doc.unit_text("nfr"))
    assert again.unit_text("nfr") == doc.unit_text("nfr")
    assert again.unit_text("security") == doc.unit_text("security")


def test_crlf_security_patch_uses_crlf():
    doc = SpecDocument.parse(TEMPLATE.replace("\n", "\r\n"))
    new = doc.with_unit_text("security", "a\nb")
    assert "- **Security & Privacy**: a\r\n  b\r\n- **Compliance**" in new.text
    assert new.unit_text("security") == "- **Security & Privacy**: a\n  b"


STANDALONE_SECURITY = (
    "## 9. Non-Functional Requirements (NFRs)\n"
    "- **Performance**: p95 < 200 ms\n"
    "- **Reliability**: 99.9%\n"
    "\n"
    "## Security & Privacy\n"
    "OAuth2 login; secrets in Vault.\n"
    "- PII encrypted at rest\n"
    "\n"
    "## 10. Integrations\n"
    "Stripe\n"
)


def test_standalone_security_section_is_the_security_unit():
    doc = SpecDocument.parse(STANDALONE_SECURITY)
    assert doc.unit_text("security") == "OAuth2 login; secrets in Vault.\n- PII encrypted at rest"
    assert doc.unit_text("nfr") == doc.section_body("nfr")
    assert doc.unit_text("nfr") == "- **Performance**: p95 < 200 ms\n- **Reliability**: 99.9%"
    # Numbered or reworded headings count too; the NFR item then belongs to the nfr unit.
    other = SpecDocument.parse(
        "## NFRs\n- **Security & Privacy**: old item\n\n## 10) Security and Privacy\nmTLS\n"
    )
    assert other.unit_text("security") == "mTLS"
    assert other.unit_text("nfr") == "- **Security & Privacy**: old item"


def test_with_unit_text_security_replaces_the_standalone_body():
    doc = SpecDocument.parse(STANDALONE_SECURITY)
    new = doc.with_unit_text("security", "OIDC via Keycloak\n- audit log kept 1 year")
    assert new.text == STANDALONE_SECURITY.replace(
        "OAuth2 login; secrets in Vault.\n- PII encrypted at rest\n",
        "OIDC via Keycloak\n- audit log kept 1 year\n",
    )
    assert new.section_body("nfr") == doc.section_body("nfr")  # no second item added to NFR
    assert new.unit_text("security") == "OIDC via Keycloak\n- audit log kept 1 year"
    # The item form the NFR-anchored unit uses loses its label inside its own section.
    item = doc.with_unit_text("security", "- **Security & Privacy**: mTLS\n  - keys rotated")
    assert item.unit_text("security") == "mTLS\n- keys rotated"
    assert doc.with_unit_text("security", doc.unit_text("security")).text == doc.text


def test_with_unit_text_nfr_is_the_whole_section_with_standalone_security():
    text = STANDALONE_SECURITY.replace("99.9%\n", "99.9%\n- **Security & Privacy**: old\n")
    doc = SpecDocument.parse(text)
    assert doc.unit_text("nfr") == doc.section_body("nfr")  # the old item is plain NFR text
    new = doc.with_unit_text("nfr", "- **Performance**: p99 < 1 s")
    assert new.section_body("nfr") == "- **Performance**: p99 < 1 s"
    assert new.unit_text("security") == doc.unit_text("security")


def test_standalone_security_section_can_reach_100_percent():
    from specui.core.progress import progress_percent
    from specui.core.spec import TRACKED_UNITS, content_hash, unit_statuses

    body = "\n\n".join(f"## {s.number}. {s.title}\nReal content for {s.title}." for s in SECTIONS)
    text = body.replace(
        "## 10. Integrations", "## Security & Privacy\nOAuth2.\n\n## 10. Integrations"
    )
    doc = SpecDocument.parse(text)
    hashes = {u.key: content_hash(doc.unit_text(u.key) or "") for u in TRACKED_UNITS}
    finals = list(unit_statuses(doc, hashes).values()).count("final")
    assert finals == 18 and progress_percent(finals) == 100
