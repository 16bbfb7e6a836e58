"""Question payloads (seed 004 §2b) and answers built from picker state."""

from __future__ import annotations

import json

import pytest
import seed004

from specui.core.errors import SpecuiError
from specui.core.questions import (
    Answer,
    Question,
    answer_envelope,
    build_answer,
    parse_answer,
    parse_question,
)

SINGLE = seed004.SINGLE
MULTI = {**seed004.MULTI, "allow_other": True}


def test_seed_payloads_parse_and_align_multi_select() -> None:
    single = parse_question(SINGLE)
    multi = parse_question(json.dumps(MULTI))
    assert single.multi_select is False and multi.multi_select is True
    assert single.payload()["multi_select"] is False
    assert multi.payload()["multi_select"] is True
    assert single.source == "deep-interview"
    assert not single.is_free_text


def test_type_wins_over_a_contradicting_multi_select() -> None:
    q = parse_question({**SINGLE, "multi_select": True})
    assert q.type == "single-answerable" and q.multi_select is False


def test_multi_select_alone_sets_type() -> None:
    data = {k: v for k, v in MULTI.items() if k != "type"}
    assert parse_question({**data, "multi_select": True}).type == "multi-answerable"
    assert parse_question({**data, "multi_select": False}).type == "single-answerable"


def test_defaults() -> None:
    q = Question(question="What?")
    assert q.type == "single-answerable" and q.allow_other and q.other_label == "Other"
    assert q.source == "specui" and q.is_free_text


def test_option_value_defaults_to_label() -> None:
    q = parse_question({"question": "x", "options": [{"label": "Alpha"}]})
    assert q.options[0].value == "Alpha"


def test_payload_round_trips() -> None:
    q = parse_question(MULTI)
    assert Question.model_validate(q.payload()) == q


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ({"type": "single-answerable"}, "question"),
        ({"question": "   "}, "must not be empty"),
        ({"question": "x", "type": "either"}, "type"),
        ({"question": "x", "options": [{"label": ""}]}, "must not be empty"),
        (
            {
                "question": "x",
                "options": [{"label": "a", "value": "v"}, {"label": "b", "value": "v"}],
            },
            "duplicate option value",
        ),
        ({"question": "x", "options": "abc"}, "options"),
    ],
)
def test_bad_payloads_give_one_line_errors(payload, fragment: str) -> None:
    with pytest.raises(SpecuiError) as info:
        parse_question(payload)
    msg = str(info.value)
    assert fragment in msg
    assert "\n" not in msg
    assert info.value.exit_code == 2


def test_single_option_answer_has_seed_shape() -> None:
    a = build_answer(parse_question(SINGLE), [0], None)
    assert a.payload() == {
        "kind": "option",
        "value": "ralplan",
        "selected_labels": ["Plan first"],
        "selected_values": ["ralplan"],
    }
    assert a.summary() == "Plan first"


def test_multi_answer_has_seed_shape_in_option_order() -> None:
    a = build_answer(parse_question(MULTI), [2, 1, 2], None)
    assert a.payload() == {
        "kind": "multi",
        "value": ["no-new-dependencies", "no-api-contract-changes"],
        "selected_labels": ["No new dependencies", "No API contract changes"],
        "selected_values": ["no-new-dependencies", "no-api-contract-changes"],
    }
    assert a.summary() == "No new dependencies; No API contract changes"


@pytest.mark.parametrize("selected", [[], [0, 1]])
def test_single_needs_exactly_one(selected: list[int]) -> None:
    with pytest.raises(SpecuiError, match="exactly one"):
        build_answer(parse_question(SINGLE), selected, None)


def test_single_with_option_and_other_is_refused() -> None:
    q = parse_question({**SINGLE, "allow_other": True})
    with pytest.raises(SpecuiError, match="exactly one"):
        build_answer(q, [0], "mine")


def test_multi_needs_at_least_one() -> None:
    with pytest.raises(SpecuiError, match="at least one"):
        build_answer(parse_question(MULTI), [], None)


def test_other_text_answer_single() -> None:
    q = parse_question({**SINGLE, "allow_other": True, "other_label": "Something else"})
    a = build_answer(q, [], "  my own lane  ")
    assert a.kind == "other" and a.value == "my own lane"
    assert a.selected_labels == ["Something else"] and a.selected_values == ["my own lane"]
    assert a.other_text == "my own lane"
    assert a.summary() == "my own lane"


def test_other_text_with_multi() -> None:
    a = build_answer(parse_question(MULTI), [0], "No telemetry")
    assert a.kind == "multi"
    assert a.selected_values == ["no-ui-redesign", "No telemetry"]
    assert a.value == a.selected_values
    assert a.selected_labels == ["No UI redesign", "Other"]
    assert a.summary() == "No UI redesign; No telemetry"
    assert a.payload()["other_text"] == "No telemetry"


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_other_text_is_refused(text: str) -> None:
    with pytest.raises(SpecuiError, match="must not be empty"):
        build_answer(parse_question(MULTI), [0], text)


def test_other_refused_when_not_allowed() -> None:
    with pytest.raises(SpecuiError, match="does not accept"):
        build_answer(parse_question(SINGLE), [], "mine")


def test_out_of_range_index() -> None:
    with pytest.raises(SpecuiError, match="no option number 3"):
        build_answer(parse_question(SINGLE), [3], None)
    with pytest.raises(SpecuiError, match="no option number"):
        build_answer(parse_question(SINGLE), [-1], None)


def test_free_text_question() -> None:
    q = Question(question="Describe the product in a few sentences.")
    a = build_answer(q, [], " A tool. ")
    assert a.kind == "text" and a.value == "A tool." and a.summary() == "A tool."
    with pytest.raises(SpecuiError, match="must not be empty"):
        build_answer(q, [], "  ")
    with pytest.raises(SpecuiError, match="must not be empty"):
        build_answer(q, [], None)
    with pytest.raises(SpecuiError, match="no options"):
        build_answer(q, [0], "x")


def test_answer_envelope_is_omx_shaped() -> None:
    a = build_answer(parse_question(SINGLE), [1], None)
    env = answer_envelope(a)
    assert env["answers"][0]["answer"] == env["answer"] == a.payload()
    assert env["answer"] is not env["answers"][0]["answer"]
    assert json.loads(json.dumps(env)) == env


def test_parse_answer_round_trip_and_errors() -> None:
    a = build_answer(parse_question(MULTI), [0, 1], None)
    assert parse_answer(a.payload()) == a
    with pytest.raises(SpecuiError, match="kind"):
        parse_answer({"kind": "maybe", "value": "x"})
    assert Answer(kind="text", value="x").payload() == {
        "kind": "text",
        "value": "x",
        "selected_labels": [],
        "selected_values": [],
    }
