"""The header's "Target:" names what the question on screen clarifies.

The offline engine answered a pressure or challenge directive with a question about another
dimension than the weakest (a hidden assumption is a constraint; the Contrarian asks for the
driver, an intent) while the header said "Target: Outcome". The reply now says which dimension
its question targets (`ReplyQuestion.dimension`, strict-schema shaped: required, nullable, an
enum), the protocol refuses one that is not a dimension of the interview and shows it."""

from __future__ import annotations

from engine_reply import engine_reply

from specui.core.interview import policy
from specui.core.interview.contract import Directive, EngineReply
from specui.core.interview.headline import headline
from specui.core.interview.state import InterviewState
from specui.core.questions import build_answer
from tests.offline_run import answer_until, offline_driver

CSV = (
    "A tiny CLI that converts CSV to Markdown tables. Just for me. v1 reads a file or stdin "
    "and prints a table."
)


def _header(store) -> str:
    iv = store.state.interview
    p = iv.current
    return headline(iv.ambiguity, phase=p.phase, round=p.round, dimension=p.dimension)


def test_pressure_and_challenge_rounds_name_the_dimension_they_ask_about(tmp_path):
    drv, store, _project = offline_driver(tmp_path)
    drv.start()
    drv.answer(build_answer(store.state.interview.current.question, [], CSV))
    answer_until(drv, store, "What has to be true for that to hold?")
    assert store.state.interview.current.pressure is not None
    assert "| Target: Constraints |" in _header(store)
    answer_until(drv, store, "What evidence shows this holds?")
    assert "| Target: Intent |" in _header(store)
    answer_until(drv, store, "Devil's advocate")  # the Contrarian asks for the driver
    assert store.state.interview.current.challenge_mode == "contrarian"
    assert "| Target: Intent |" in _header(store)


def _question(dimension: str | None) -> dict:
    return {
        "question": "Which signals show this worked?",
        "type": "single-answerable",
        "options": [
            {"label": "A", "value": "a", "description": "", "recommended": True},
            {"label": "B", "value": "b", "description": "", "recommended": False},
        ],
        "allow_other": True,
        "header": None,
        "dimension": dimension,
    }


def _state() -> InterviewState:
    return InterviewState(type="greenfield", threshold=0.2, max_rounds=12)


def test_the_protocol_shows_the_replys_dimension_and_refuses_one_not_of_this_interview():
    st = _state()
    directive = Directive(kind="ordinary", round=2, target_dimension="intent")
    view = policy.SpecView(bodies={}, statuses={})
    good = EngineReply.model_validate(engine_reply(_question("success"), "why"))
    assert policy.check_reply(st, directive, good, view, answered=None) == []
    settled = policy.settle(st, directive, good, view)
    assert settled.pending.dimension == "success"
    context = EngineReply.model_validate(engine_reply(_question("context"), "why"))
    problems = policy.check_reply(st, directive, context, view, answered=None)
    assert "question.dimension: 'context' is not a greenfield dimension" in problems
    # null: the protocol's own target, as before.
    none = EngineReply.model_validate(engine_reply(_question(None), "why"))
    assert policy.settle(st, directive, none, view).pending.dimension == "intent"
