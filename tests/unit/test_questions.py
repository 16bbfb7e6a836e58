"""Question payloads (seed 004 §2b, OMX's normalizeQuestionInput rules) and answers: picker
state -> Answer, OMX's envelope, and the port of OMX's answer validator."""

from __future__ import annotations

import pytest
import seed004
from hypothesis import given, settings
from hypothesis import strategies as st

from specui.core.errors import SpecuiError
from specui.core.questions import (
    Answer,
    Question,
    answer_entries,
    answer_envelope,
    build_answer,
    failure_envelope,
    normalize_question_input,
    omx_answer,
    parse_answer,
    validate_answers,
)

SINGLE = seed004.SINGLE
MULTI = {**seed004.MULTI, "allow_other": True}


def one(payload) -> Question:
    batch = normalize_question_input(payload)
    assert len(batch.questions) == 1
    return batch.first


def test_seed_payloads_normalize_and_align_multi_select() -> None:
    single, multi = one(SINGLE), one(MULTI)
    assert single.multi_select is False and multi.multi_select is True
    assert single.payload()["multi_select"] is False and multi.payload()["multi_select"] is True
    assert single.source == "deep-interview" and single.id == "q-1"
    assert [o.value for o in single.options] == ["ralplan", "autopilot", "refine"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("single-select", "single-answerable"),
        (" Multi-Select ", "multi-answerable"),
        ("MULTI-ANSWERABLE", "multi-answerable"),
        ("", "single-answerable"),
        (None, "single-answerable"),
        (5, "single-answerable"),  # not a string: OMX reads it as absent
    ],
)
def test_type_aliases_any_case(raw, expected: str) -> None:
    assert one({"question": "q", "options": ["a"], "type": raw}).type == expected


def test_strings_trimmed_and_string_options() -> None:
    q = one({"question": "  Pick  ", "options": [" A ", {"label": " B ", "value": "  "}]})
    assert q.question == "Pick"
    assert [(o.label, o.value) for o in q.options] == [("A", "A"), ("B", "B")]
    assert q.omx()["options"] == [{"label": "A", "value": "A"}, {"label": "B", "value": "B"}]


def test_allow_other_true_unless_exactly_false() -> None:
    assert one({"question": "q", "options": ["a"], "allow_other": "false"}).allow_other is True
    assert one({"question": "q", "options": ["a"], "allow_other": 0}).allow_other is True
    assert one({"question": "q", "options": ["a"], "allow_other": False}).allow_other is False


def test_legacy_multi_select_only_when_exactly_true() -> None:
    assert one({"question": "q", "options": ["a"], "multi_select": "false"}).multi_select is False
    assert one({"question": "q", "options": ["a"], "multi_select": "true"}).multi_select is False
    assert one({"question": "q", "options": ["a"], "multi_select": True}).multi_select is True


def test_header_source_session_objective_kept() -> None:
    batch = normalize_question_input(
        {
            "question": "q",
            "header": " Scope ",
            "source": None,
            "session_id": " s1 ",
            "objective": "ship v1",
            "other_label": "  ",
        }
    )
    assert batch.header == "Scope" and batch.first.header == "Scope"
    assert batch.source is None and batch.session_id == "s1" and batch.objective == "ship v1"
    assert batch.first.other_label == "Other" and batch.first.is_free_text


def test_batch_ids_default_and_header_inherited_by_the_first_only() -> None:
    batch = normalize_question_input(
        {"header": "H", "questions": [{"question": "a"}, {"id": "x", "question": "b"}]}
    )
    assert [q.id for q in batch.questions] == ["q-1", "x"]
    assert [q.header for q in batch.questions] == ["H", None]
    assert batch.is_batch


def test_claude_code_ask_user_question_shape() -> None:
    batch = normalize_question_input(
        {
            "questions": [
                {
                    "question": "Which auth?",
                    "header": "Auth",
                    "options": [{"label": "OAuth", "description": "via GitHub"}, {"label": "Token"}],
                    "multiSelect": False,
                },
                {"question": "Which extras?", "header": "Extras", "options": ["A", "B"],
                 "multiSelect": True},
            ]
        }
    )
    first, second = batch.questions
    assert first.header == "Auth" and first.type == "single-answerable"
    assert first.options[0].description == "via GitHub" and first.options[0].value == "OAuth"
    assert second.type == "multi-answerable" and first.allow_other


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([1, 2], "question input must be a JSON object"),
        ("text", "question input must be a JSON object"),
        ({"type": "single-answerable"}, "questions[0].question must be a non-empty string"),
        ({"question": "   "}, "questions[0].question must be a non-empty string"),
        ({"question": 7}, "questions[0].question must be a non-empty string"),
        ({"question": "x", "type": "either"}, "type must be one of: single-answerable, multi-answerable"),
        ({"question": "x", "options": [{"label": ""}]}, "options[0].label must be a non-empty string"),
        ({"question": "x", "options": ["a", "  "]}, "options[1] must be a non-empty string"),
        ({"question": "x", "options": [3]}, "options[0] must be a string or object"),
        (
            {"question": "x", "options": [], "allow_other": False},
            "questions[0].options must be a non-empty array unless allow_other is true",
        ),
        (
            {"question": "x", "options": ["a"], "type": "single-answerable", "multi_select": True},
            "questions[0] type=single-answerable conflicts with multi_select=true",
        ),
        (
            {"question": "x", "options": ["a"], "type": "multi-select", "multi_select": False},
            "questions[0] type=multi-answerable conflicts with multi_select=false",
        ),
        ({"questions": []}, "questions must be a non-empty array"),
        ({"questions": ["x"]}, "questions[0] must be a JSON object"),
        (
            {"questions": [{"question": "a"}, {"id": "q-1", "question": "b"}]},
            "questions id must be unique: q-1",
        ),
    ],
)
def test_refusals_carry_omx_messages(payload, message: str) -> None:
    with pytest.raises(SpecuiError) as err:
        normalize_question_input(payload)
    assert str(err.value) == message


def test_duplicate_option_values_are_accepted_as_omx_does() -> None:
    q = one({"question": "x", "options": [{"label": "a", "value": "v"}, {"label": "b", "value": "v"}]})
    assert len(q.options) == 2


def test_defaults() -> None:
    q = Question(question="What?")
    assert q.type == "single-answerable" and q.allow_other and q.other_label == "Other"
    assert q.source == "specui" and q.is_free_text and q.id == "q-1"


def test_payload_round_trips() -> None:
    q = one(MULTI)
    assert Question.model_validate(q.payload()) == q


# ------------------------------------------------------------------------------ answers


def test_single_option_answer() -> None:
    a = build_answer(one(SINGLE), [1], None)
    assert a.payload() == {
        "kind": "option",
        "value": "autopilot",
        "selected_labels": ["Execute directly"],
        "selected_values": ["autopilot"],
    }


def test_single_other_answer() -> None:
    q = one({**SINGLE, "allow_other": True, "other_label": "Something else"})
    a = build_answer(q, [], "  my own  ")
    assert a.kind == "other" and a.value == "my own" and a.other_text == "my own"
    assert a.selected_labels == ["Something else"] and a.selected_values == ["my own"]


def test_multi_answer_in_option_order_with_other() -> None:
    a = build_answer(one(MULTI), [2, 0], "extra")
    assert a.kind == "multi"
    assert a.value == ["no-ui-redesign", "no-api-contract-changes", "extra"]
    assert a.selected_labels == ["No UI redesign", "No API contract changes", "Other"]
    assert a.other_text == "extra"


def test_free_text_is_text_for_the_interview_and_other_for_omx() -> None:
    q = one({"question": "Who are the users?"})
    a = build_answer(q, [], "solo developers")
    assert a.kind == "text" and a.summary() == "solo developers"
    o = omx_answer(q, a)
    assert o.payload() == {
        "kind": "other",
        "value": "solo developers",
        "selected_labels": ["Other"],
        "selected_values": ["solo developers"],
        "other_text": "solo developers",
    }


@pytest.mark.parametrize(
    ("payload", "selected", "text", "fragment"),
    [
        (SINGLE, [], None, "exactly one"),
        (SINGLE, [0, 1], None, "exactly one"),
        (SINGLE, [7], None, "no option number"),
        (SINGLE, [], "typed", "does not accept"),
        (MULTI, [], None, "at least one"),
        (MULTI, [], "   ", "must not be empty"),
        ({"question": "free"}, [], "  ", "must not be empty"),
        ({"question": "free"}, [0], "x", "no options"),
    ],
)
def test_build_answer_refusals(payload, selected, text, fragment: str) -> None:
    with pytest.raises(SpecuiError, match=fragment):
        build_answer(one(payload), selected, text)


def test_multi_other_text_equal_to_an_option_value_is_that_option() -> None:
    a = build_answer(one(MULTI), [0], "no-new-dependencies")
    assert a.value == ["no-ui-redesign", "no-new-dependencies"] and a.other_text is None


def test_summary() -> None:
    assert build_answer(one(MULTI), [0], "extra").summary() == "No UI redesign; extra"
    assert Answer(kind="other", value="x").summary() == "x"


def test_parse_answer_refuses_bad_shapes() -> None:
    with pytest.raises(SpecuiError, match="JSON object"):
        parse_answer([])  # type: ignore[arg-type]
    with pytest.raises(SpecuiError, match="invalid answer"):
        parse_answer({"kind": "maybe", "value": "x"})


# ------------------------------------------------------------------------------ envelope


def test_single_envelope_has_prompt_and_answer_projection() -> None:
    batch = normalize_question_input({**SINGLE, "session_id": "s-1", "header": "Lane"})
    entries = answer_entries(batch, [build_answer(batch.first, [0], None)])
    env = answer_envelope(batch, entries, question_id="question-1")
    assert env["ok"] is True and env["question_id"] == "question-1" and env["session_id"] == "s-1"
    assert env["answers"] == [{"question_id": "q-1", "index": 0, "answer": env["answer"]}]
    assert env["prompt"]["header"] == "Lane" and env["prompt"]["source"] == "deep-interview"
    assert env["questions"][0]["id"] == "q-1" and env["questions"][0]["header"] == "Lane"
    assert validate_answers(batch, env) == entries


def test_batch_envelope_has_no_projection() -> None:
    batch = normalize_question_input({"questions": [SINGLE, MULTI]})
    entries = answer_entries(
        batch, [build_answer(batch.questions[0], [2], None), build_answer(batch.questions[1], [1], None)]
    )
    env = answer_envelope(batch, entries, question_id="question-2")
    assert "prompt" not in env and "answer" not in env and "session_id" not in env
    assert [a["question_id"] for a in env["answers"]] == ["q-1", "q-2"]


def test_failure_envelope() -> None:
    assert failure_envelope("question_superseded", "newer", question_id="question-x") == {
        "ok": False,
        "question_id": "question-x",
        "error": {"code": "question_superseded", "message": "newer"},
    }


# ------------------------------------------------------------------------------ OMX's validator

BATCH = normalize_question_input({"questions": [SINGLE, MULTI]})


def entry(index: int, **answer) -> dict:
    return {"question_id": f"q-{index + 1}", "index": index, "answer": answer}


GOOD_SINGLE = {"kind": "option", "value": "ralplan", "selected_labels": ["Plan first"],
               "selected_values": ["ralplan"]}
GOOD_MULTI = {"kind": "multi", "value": ["no-ui-redesign", "x"],
              "selected_labels": ["No UI redesign", "Other"],
              "selected_values": ["no-ui-redesign", "x"], "other_text": "x"}


def test_validator_accepts_good_answers() -> None:
    got = validate_answers(BATCH, {"answers": [entry(0, **GOOD_SINGLE), entry(1, **GOOD_MULTI)]})
    assert [e.question_id for e in got] == ["q-1", "q-2"]


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ([], "answer payload must include answer or answers[]"),
        ([entry(0, **GOOD_SINGLE)], "answer payload must include exactly one answer for each question (2)"),
        (
            [{"question_id": "zz", "answer": GOOD_SINGLE}, entry(1, **GOOD_MULTI)],
            "answers[0].question_id is unknown for this question: zz",
        ),
        ([entry(0, **GOOD_SINGLE), entry(0, **GOOD_SINGLE)], "answers question_id must be unique: q-1"),
        ([entry(0, **{**GOOD_SINGLE, "kind": "text"}), entry(1, **GOOD_MULTI)],
         "answers[0].answer.kind must be option, other, or multi"),
        ([entry(0, kind="option", value="ralplan"), entry(1, **GOOD_MULTI)],
         "answers[0].answer must include selected_labels[] and selected_values[]"),
        ([entry(0, **{**GOOD_SINGLE, "value": "refine"}), entry(1, **GOOD_MULTI)],
         "answers[0].answer.value must match selected_values[0]"),
        ([entry(0, **{**GOOD_SINGLE, "selected_labels": ["Refine further"]}), entry(1, **GOOD_MULTI)],
         "answers[0].answer.selected_labels[0] must match the selected value label"),
        ([entry(0, **{**GOOD_SINGLE, "value": "nope", "selected_values": ["nope"]}),
          entry(1, **GOOD_MULTI)],
         "answers[0].answer selected value is not in the option schema: nope"),
        ([entry(0, kind="other", value="x", selected_labels=["Other"], selected_values=["x"],
                other_text="x"), entry(1, **GOOD_MULTI)],
         "answers[0].answer.kind=other is not allowed for this question"),
        ([entry(0, **GOOD_SINGLE), entry(1, **{**GOOD_MULTI, "kind": "option"})],
         "answers[1].answer.kind=option is only valid for single-answerable questions"),
        ([entry(0, **GOOD_SINGLE), entry(1, **{**GOOD_MULTI, "value": "x"})],
         "answers[1].answer.value must be an array for multi answers"),
        ([entry(0, **GOOD_SINGLE), entry(1, **{**GOOD_MULTI, "other_text": "y"})],
         "answers[1].answer out-of-schema selection must match a single other_text value"),
        ([entry(0, **GOOD_SINGLE), entry(1, **{**GOOD_MULTI, "selected_values": ["x", "x"],
                                                "value": ["x", "x"]})],
         "answers[1].answer.selected_values must not contain duplicate values: x"),
    ],
)
def test_validator_refusals(answers, message: str) -> None:
    with pytest.raises(SpecuiError) as err:
        validate_answers(BATCH, {"answers": answers})
    assert str(err.value) == message


def test_validator_reads_the_single_answer_form() -> None:
    batch = normalize_question_input(SINGLE)
    assert validate_answers(batch, {"answer": GOOD_SINGLE})[0].answer.value == "ralplan"


# Any answer the picker can produce, for any question OMX accepts, passes OMX's validator.
_label = st.text(alphabet="abcdefgh XYZ-", min_size=1, max_size=8).filter(str.strip)


@st.composite
def _question_and_picks(draw):
    labels = draw(st.lists(_label, min_size=0, max_size=6, unique_by=str.strip))
    multi = draw(st.booleans())
    allow_other = draw(st.booleans()) or not labels
    batch = normalize_question_input(
        {"question": "q", "options": labels, "allow_other": allow_other,
         "type": "multi-select" if multi else "single-select"}
    )
    q = batch.first
    n = len(q.options)
    if not n:
        return batch, [], draw(_label)
    text = draw(st.one_of(st.none(), _label)) if allow_other else None
    if multi:
        picks = draw(st.lists(st.integers(0, n - 1), min_size=0 if text else 1, max_size=n))
    elif text is not None:
        picks = []
    else:
        picks = [draw(st.integers(0, n - 1))]
    return batch, picks, text


@settings(max_examples=200, deadline=None)
@given(_question_and_picks())
def test_every_picker_answer_passes_omx_validator(case) -> None:
    batch, picks, text = case
    entries = answer_entries(batch, [build_answer(batch.first, picks, text)])
    env = answer_envelope(batch, entries, question_id="question-x")
    assert validate_answers(batch, env) == entries
