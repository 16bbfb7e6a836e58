"""Open Questions (§17): numbered outstanding items, dated history, tolerant reading."""

from __future__ import annotations

from datetime import date

import pytest

from specui.core.errors import SpecuiError
from specui.core.open_questions import (
    add_open_question,
    parse_open_questions,
    resolve_open_question,
)
from specui.core.spec import SpecDocument, placeholder_status, render_spec_template

TEMPLATE_BODY = SpecDocument.parse(render_spec_template("x")).section_body("open_questions")
D1 = date(2025, 1, 31)


def test_template_body_has_no_items():
    oq = parse_open_questions(TEMPLATE_BODY)
    assert oq.outstanding == [] and oq.resolved == []
    assert parse_open_questions(None).outstanding == []
    assert parse_open_questions("").outstanding == []


def test_add_from_template_numbers_items():
    body = add_open_question(TEMPLATE_BODY, "Which auth model?")
    body = add_open_question(body, "  Which database?  ")
    assert body == (
        "- **Outstanding**:\n"
        "  1. Which auth model?\n"
        "  2. Which database?\n"
        "- **Resolved (history)**: none"
    )
    assert parse_open_questions(body).outstanding == ["Which auth model?", "Which database?"]
    assert placeholder_status(body) == "clarified"


def test_add_duplicate_is_noop_and_empty_refused():
    body = add_open_question(TEMPLATE_BODY, "Which DB?")
    assert add_open_question(body, "which  db?") == body
    with pytest.raises(SpecuiError):
        add_open_question(body, "   \n ")


def test_resolve_by_number_moves_to_history_and_renumbers():
    body = TEMPLATE_BODY
    for q in ("A?", "B?", "C?"):
        body = add_open_question(body, q)
    body = resolve_open_question(body, 2, "Yes, B.", D1)
    assert body == (
        "- **Outstanding**:\n"
        "  1. A?\n"
        "  2. C?\n"
        "- **Resolved (history)**:\n"
        "  - 2025-01-31 — B? → Yes, B."
    )
    oq = parse_open_questions(body)
    assert oq.outstanding == ["A?", "C?"]
    (entry,) = oq.resolved
    assert (entry.on, entry.question, entry.resolution) == (D1, "B?", "Yes, B.")


def test_resolve_by_text_and_all_resolved():
    body = add_open_question(add_open_question(TEMPLATE_BODY, "Which auth?"), "Hosting?")
    body = resolve_open_question(body, "hosting", "Fly.io", D1)
    body = resolve_open_question(body, "Which auth?", "OAuth2", date(2025, 2, 1))
    assert body.startswith("- **Outstanding**: none\n- **Resolved (history)**:\n")
    oq = parse_open_questions(body)
    assert oq.outstanding == []
    assert [(r.on, r.question) for r in oq.resolved] == [
        (D1, "Hosting?"),
        (date(2025, 2, 1), "Which auth?"),
    ]


def test_resolve_errors():
    body = add_open_question(add_open_question(TEMPLATE_BODY, "Which DB?"), "Which DB engine?")
    with pytest.raises(SpecuiError):
        resolve_open_question(body, 3, "x", D1)
    with pytest.raises(SpecuiError):
        resolve_open_question(body, 0, "x", D1)
    with pytest.raises(SpecuiError):
        resolve_open_question(body, "nothing like it", "x", D1)
    with pytest.raises(SpecuiError):
        resolve_open_question(body, "db", "x", D1)  # ambiguous
    # An exact match wins over the ambiguous substring.
    assert "Which DB? → x" in resolve_open_question(body, "which db?", "x", D1)


def test_tolerant_reading_of_hand_edits():
    body = (
        "Some intro the user wrote.\n\n"
        "* **outstanding:** Is SSO needed?\n"
        "  2) What about billing?\n"
        "     It affects the data model.\n"
        "  - Mobile?\n"
        "* **Resolved**:\n"
        "  - 2024-12-01: Language → Python\n"
        "  - no date here\n\n"
        "Trailing notes stay."
    )
    oq = parse_open_questions(body)
    assert oq.outstanding == [
        "Is SSO needed?",
        "What about billing?\nIt affects the data model.",
        "Mobile?",
    ]
    assert [(r.on, r.question, r.resolution) for r in oq.resolved] == [
        (date(2024, 12, 1), "Language", "Python"),
        (None, "no date here", ""),
    ]
    new = resolve_open_question(body, 1, "No", D1)
    assert new.startswith(
        "Some intro the user wrote.\n\n- **Outstanding**:\n  1. What about billing?"
    )
    assert "     It affects the data model.\n  2. Mobile?" in new
    assert (
        "  - 2024-12-01: Language → Python\n  - no date here\n  - 2025-01-31 — Is SSO needed? → No"
        in new
    )
    assert new.endswith("\n\nTrailing notes stay.")


def test_plain_numbered_list_without_labels():
    body = "1. First?\n2. Second?\n\nNotes."
    assert parse_open_questions(body).outstanding == ["First?", "Second?"]
    new = add_open_question(body, "Third?")
    assert new == (
        "- **Outstanding**:\n  1. First?\n  2. Second?\n  3. Third?\n"
        "- **Resolved (history)**: none\n\nNotes."
    )


def test_top_level_numbered_items_under_label_and_crlf():
    body = "- **Outstanding**:\r\n1. One?\r\n2. Two?\r\n- **Resolved (history)**: decisions & dates"
    assert parse_open_questions(body).outstanding == ["One?", "Two?"]
    new = resolve_open_question(body, 1, "yes", D1)
    assert parse_open_questions(new).outstanding == ["Two?"]
    assert "\r" not in new


def test_fenced_labels_are_ignored():
    body = "```\n- **Outstanding**: fake\n```\n- **Outstanding**:\n  1. Real?"
    assert parse_open_questions(body).outstanding == ["Real?"]


def test_body_round_trips_through_document_patch():
    doc = SpecDocument.parse(render_spec_template("x"))
    body = add_open_question(doc.section_body("open_questions"), "Budget?")
    doc2 = doc.with_section_body("open_questions", body)
    assert parse_open_questions(doc2.section_body("open_questions")).outstanding == ["Budget?"]
    assert doc2.missing == []
