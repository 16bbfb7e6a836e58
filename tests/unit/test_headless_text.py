"""`specui interview` without --json: every question says how to answer it, and the example it
prints for a choice is an answer the question accepts (a multi-select one said nothing: the
tester guessed `"values"` and got "value: Field required")."""

from __future__ import annotations

import re

from specui.core.questions import Question, build_answer
from specui.interview.headless import parse_answer_json, summary_text


def data_for(question: Question) -> dict:
    payload = question.payload()
    return {
        "error": None, "engine": "builtin", "finished": False, "finish_message": "",
        "residual_risk": None, "notice": "", "can_exit_early": False, "can_refine": False,
        "progress_line": "Spec Creation Progress: ░░░░░░░░░░░░ 0%", "sections": "",
        "question": {**payload, "header": "Round 5 | Target: Scope | Ambiguity: 40%",
                     "note": "", "why": ""},
    }


OPTIONS = [{"label": "Internal structure", "value": "structure"},
           {"label": "Tests", "value": "tests"}]


def example(text: str) -> str:
    match = re.search(r"Choose (?:one|all that apply): --answer '(.+)'", text)
    assert match, text
    return match.group(1)


def test_a_multi_select_question_says_so_and_how_to_send_several_values():
    q = Question.model_validate(
        {"question": "Which may the agent change alone?", "type": "multi-answerable",
         "options": OPTIONS}
    )
    shown = example(summary_text(data_for(q)))
    assert shown == '{"kind": "multi", "value": ["structure", ...]}'
    answer = parse_answer_json(shown.replace(", ...", ', "tests"'))
    assert answer.kind == "multi" and answer.value == ["structure", "tests"]


def test_a_single_choice_example_is_an_accepted_answer():
    q = Question.model_validate(
        {"question": "Which one first?", "type": "single-answerable", "options": OPTIONS}
    )
    answer = parse_answer_json(example(summary_text(data_for(q))))
    assert answer.kind == "option" and answer.value == "structure"
    assert build_answer(q, [0], None).value == answer.value


def test_the_example_survives_the_shell_when_a_value_holds_a_quote():
    """An engine's option value "don't-know" printed --answer '{… "don't-know"}': the shell
    ended the string at the quote."""
    import shlex

    q = Question.model_validate(
        {"question": "Which one first?", "type": "single-answerable",
         "options": [{"label": "Don't know", "value": "don't-know"}]}
    )
    line = next(x for x in summary_text(data_for(q)).splitlines() if "Choose one:" in x)
    argv = shlex.split(line.split("Choose one: ", 1)[1])
    assert argv[0] == "--answer"
    answer = parse_answer_json(argv[1])
    assert answer.kind == "option" and answer.value == "don't-know"
