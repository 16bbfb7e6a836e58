"""The deep-interview protocol (specui.core.interview.policy), rule by rule, without I/O."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from engine_reply import engine_reply
from hypothesis import given, settings
from hypothesis import strategies as hs

from specui.core.ambiguity import ambiguity_percent
from specui.core.errors import SpecuiError
from specui.core.interview import policy
from specui.core.interview.contract import (
    Directive,
    EngineReply,
    parse_reply,
    reply_json_schema,
    request_json_schema,
)
from specui.core.interview.state import (
    ContradictionRecord,
    DeferralRecord,
    DimensionScore,
    InterviewState,
    PendingQuestion,
    PressureRecord,
)
from specui.core.interview.strict_schema import strict_violations
from specui.core.questions import Answer, Question, QuestionOption
from specui.core.spec import UNIT_KEYS, SpecDocument, render_spec_template, unit_statuses

TODAY = date(2026, 11, 29)


def view(doc: SpecDocument | None = None) -> policy.SpecView:
    doc = doc or SpecDocument.parse(render_spec_template("demo"))
    found = unit_statuses(doc, {})
    return policy.SpecView(
        {k: doc.unit_text(k) for k in UNIT_KEYS}, {k: found.get(k, "unknown") for k in UNIT_KEYS}
    )


def reply(**over: Any) -> EngineReply:
    question = {
        "question": "What must stay out of scope?",
        "type": "single-answerable",
        "options": [
            {"label": "A", "value": "a", "description": "first", "recommended": True},
            {"label": "B", "value": "b", "description": "second", "recommended": False},
        ],
        "allow_other": True,
        "header": None,
        "dimension": None,
    }
    return EngineReply.model_validate(engine_reply(question, "scope is the weakest", **over))


def question() -> Question:
    return Question(
        question="Q?",
        options=[QuestionOption(label="A", value="a"), QuestionOption(label="B", value="b")],
    )


def with_rounds(n: int, **over: Any) -> InterviewState:
    """An active interview with `n` answered user rounds (each pending -> answer)."""
    st = InterviewState(status="active", **over)
    for i in range(1, n + 1):
        st.current = PendingQuestion(question=question(), round=i, dimension="intent")
        st, _ = policy.take_answer(
            st, policy.check_answer(question(), Answer(kind="option", value="a"))
        )
    return st


def more_rounds(st: InterviewState, k: int) -> InterviewState:
    """`st` with `k` more answered user rounds, numbered on from its last."""
    for _ in range(k):
        st.current = PendingQuestion(question=question(), round=st.rounds_done + 1, dimension="intent")
        st, _ = policy.take_answer(
            st, policy.check_answer(question(), Answer(kind="option", value="a"))
        )
    return st


def scored(st: InterviewState, value: float) -> InterviewState:
    for d in st.dimension_keys():
        st.dimensions[d] = DimensionScore(score=value)
    st.ambiguity = st.computed_ambiguity()
    return st


# --------------------------------------------------------------------------- schema


def test_reply_schema_passes_the_strict_structured_output_rules():
    assert strict_violations(reply_json_schema()) == []


def test_request_schema_is_a_json_schema_object():
    assert request_json_schema()["type"] == "object"


def test_reply_schema_has_enums_and_score_bounds():
    schema = reply_json_schema()
    defs = schema["$defs"]
    score = defs["DimensionScore"]["properties"]
    assert score["score"]["minimum"] == 0.0 and score["score"]["maximum"] == 1.0
    assert set(score["dimension"]["enum"]) == {
        "intent", "outcome", "scope", "constraints", "success", "context"
    }  # fmt: skip
    assert set(defs["SectionPatch"]["properties"]["section"]["enum"]) == set(UNIT_KEYS)


# --------------------------------------------------------------------------- decide


def test_first_question_is_the_overview():
    d = policy.decide(InterviewState(status="active"), view())
    assert isinstance(d, Directive) and d.kind == "overview" and d.round == 1
    assert d.notes == [
        "Deep interview: standard profile, threshold 20%, at most 12 rounds; ambiguity 100%."
    ]


def test_oversized_context_asks_only_for_a_summary_and_scores_nothing():
    st = InterviewState(status="active", summary_status="needed")
    d = policy.decide(st, view())
    assert isinstance(d, policy.SpecuiAsk)
    assert d.pending.kind == "summary" and d.pending.question.is_free_text
    st = policy.place_question(st, d.pending)
    st, _ = policy.take_answer(st, Answer(kind="text", value="A short summary."))
    assert st.summary_status == "recorded" and st.summary == "A short summary."
    assert st.dimensions == {}  # nothing scored by the summary request itself


@pytest.mark.parametrize(
    ("scores", "stage", "target"),
    [
        ({}, "intent-first", "intent"),
        ({"intent": 0.9, "outcome": 0.2, "scope": 0.5}, "intent-first", "outcome"),
        # intent-first is left at 0.8: its dimensions carry most of the weight
        ({"intent": 0.9, "outcome": 0.9, "scope": 0.7, "success": 0.1}, "intent-first", "scope"),
        (
            {"intent": 0.9, "outcome": 0.9, "scope": 0.8, "success": 0.1},
            "feasibility",
            "constraints",
        ),
        (
            {"intent": 0.9, "outcome": 0.9, "scope": 0.8, "constraints": 0.8, "success": 0.3},
            "feasibility",
            "success",
        ),
    ],
)
def test_stage_priority_then_lowest_dimension(scores, stage, target):
    st = InterviewState(status="active")
    for k, v in scores.items():
        st.dimensions[k] = DimensionScore(score=v)
    assert policy.current_stage(st) == stage
    assert policy.target_dimension(st) == target


def test_brownfield_grounding_comes_last():
    st = InterviewState(status="active", type="brownfield")
    for k in ("intent", "outcome", "scope", "constraints", "success"):
        st.dimensions[k] = DimensionScore(score=0.9)
    assert policy.current_stage(st) == "brownfield-grounding"
    assert policy.target_dimension(st) == "context"


def test_round_order_gates_pressure_ladder_then_revisits():
    """Round 2 non-goals, 3 assumption probe, 4 persistent follow-up, 5 decision boundaries."""
    st = with_rounds(1)
    d2 = policy.decide(st, view())
    assert d2.gate == "non_goals" and d2.round == 2
    st.gate_asked["non_goals"] = [2]
    st = with_rounds(2, gate_asked={"non_goals": [2]})
    d3 = policy.decide(st, view())
    assert d3.pressure_followup and d3.pressure_kind == "assumption" and d3.round == 3
    assert d3.revisit_round is None  # the engine picks the claim with the most leverage
    st.pressure.append(PressureRecord(round=3, revisits_round=2, kind="assumption"))
    st = _answered(st, 3)
    d4 = policy.decide(st, view())
    assert d4.pressure_followup and d4.revisit_round == 3 and d4.pressure_kind == "evidence"
    st.pressure.append(PressureRecord(round=4, revisits_round=3, kind="evidence"))
    st = _answered(st, 4)
    d5 = policy.decide(st, view())
    assert d5.gate == "decision_boundaries"
    st.gate_asked["decision_boundaries"] = [5]
    st = _answered(st, 5)
    d6 = policy.decide(st, view())
    assert d6.gate == "non_goals"  # asked in round 2, still open: revisited
    st.gate_asked["non_goals"].append(6)
    st = _answered(st, 6)
    st.gates.decision_boundaries = True
    d7 = policy.decide(st, view())
    # past the midpoint, feasibility (never reached) takes its reserved round first
    assert d7.gate is None and d7.challenge_mode is None and d7.target_dimension == "constraints"
    st = _answered(st, 7)
    st.rounds[-1].dimension = "constraints"
    d8 = policy.decide(st, view())
    assert d8.gate is None and d8.challenge_mode == "contrarian"


def test_no_assumption_probe_without_a_claim_to_probe():
    st = with_rounds(2, gate_asked={"non_goals": [2]})
    for r in st.rounds:
        r.deferral = True  # "decide for me" twice: nothing the user claimed
    d = policy.decide(st, view())
    assert not d.pressure_followup and d.gate == "decision_boundaries"
    st.rounds[0].deferral = False
    assert policy.decide(st, view()).pressure_kind == "assumption"


def _answered(st: InterviewState, n: int) -> InterviewState:
    st.current = PendingQuestion(question=question(), round=n, dimension="intent")
    st, _ = policy.take_answer(
        st, policy.check_answer(question(), Answer(kind="option", value="a"))
    )
    return st


@pytest.mark.parametrize(
    ("n", "kind", "used", "extra", "expected"),
    [
        (2, "greenfield", [], {}, "contrarian"),
        (3, "greenfield", ["contrarian"], {}, None),
        (4, "greenfield", ["contrarian"], {}, "simplifier"),
        (5, "greenfield", ["contrarian", "simplifier"], {"amb": 0.5}, "ontologist"),
        (5, "greenfield", ["contrarian", "simplifier"], {"amb": 0.2}, None),
        (3, "brownfield", ["contrarian"], {"fuzzy": True}, "terminologist"),
        (3, "greenfield", ["contrarian"], {"fuzzy": True}, None),
        (2, "greenfield", [], {"disabled": True}, None),
    ],
)
def test_challenge_mode_triggers(n, kind, used, extra, expected):
    from specui.core.interview.contract import TermEntry
    from specui.core.interview.state import TermRecord

    st = with_rounds(n - 1, type=kind)
    st.challenge_modes_used = list(used)
    if "amb" in extra:
        scored(st, 1 - extra["amb"])
    if extra.get("fuzzy"):
        st.terminology.append(
            TermRecord(
                round=1, term=TermEntry(term="cache", meaning="?", conflict="docs say store")
            )
        )
    st.challenge_modes_enabled = not extra.get("disabled", False)
    assert policy._challenge(st, n) == expected


def test_a_mode_is_never_used_twice_nor_two_rounds_in_a_row():
    st = with_rounds(3)
    st.rounds[-1].challenge_mode = "contrarian"
    assert policy._challenge(st, 4) is None


def test_rhythm_guard_after_three_non_user_rounds():
    st = with_rounds(5, gate_asked={"non_goals": [2], "decision_boundaries": [3]})
    for r in st.rounds[-3:]:
        r.source = "code"
    d = policy.decide(st, view())
    assert d.require_human_judgment
    st.rounds[-1].source = "user"
    assert not policy.decide(st, view()).require_human_judgment


def test_below_threshold_only_a_closure_question_naming_the_open_gate():
    st = scored(with_rounds(4), 0.9)
    d = policy.decide(st, view())
    assert d.kind == "closure" and d.gate == "non_goals"
    st.gates.non_goals = st.gates.decision_boundaries = True
    d = policy.decide(st, view())
    assert d.gate == "pressure_pass" and d.pressure_followup


def test_hard_cap_turn_asks_nothing():
    st = with_rounds(5, max_rounds=5)
    d = policy.decide(st, view())
    assert d.kind == "final"
    assert policy.check_reply(st, d, reply(), view(), answered=st.rounds[-1]) == [
        "question: must be null: the hard cap of 5 rounds is reached"
    ]
    r = reply(question=None)
    assert policy.check_reply(st, d, r, view(), answered=st.rounds[-1]) == []
    assert policy.settle(st, d, r, view()) == policy.End("hard_cap")


def test_a_last_round_that_meets_the_threshold_at_the_cap_crystallizes():
    # No round is left for the closure audit; with the threshold met and every readiness gate
    # explicit the interview ends as a threshold end (validation pass), not a hard-cap stop.
    st = scored(with_rounds(5, max_rounds=5), 0.85)
    st.gates.non_goals = st.gates.decision_boundaries = st.gates.pressure_pass = True
    assert st.computed_ambiguity() <= st.threshold
    d = policy.decide(st, view())
    r = reply(question=None)
    assert policy.settle(st, d, r, view()) == policy.End("threshold")
    st.gates.pressure_pass = False  # one gate open: the cap stops it with the residual risk
    assert policy.settle(st, d, r, view()) == policy.End("hard_cap")


def test_midpoint_soft_warning():
    st = with_rounds(5, gate_asked={"non_goals": [2], "decision_boundaries": [3]})
    d = policy.decide(st, view())
    assert d.round == 6 and any("Midpoint" in n for n in d.notes)


# --------------------------------------------------------------------------- early exit


def test_early_exit_needs_round_4_and_the_probe_and_a_persistent_followup():
    st = with_rounds(3)
    st.current = PendingQuestion(question=question(), round=4, dimension="intent")
    assert not policy.can_exit_early(st)
    assert "assumption probe" in policy.exit_blocker(st)
    st.pressure.append(PressureRecord(round=2, revisits_round=1, kind="assumption"))
    assert "persistent follow-up" in policy.exit_blocker(st)
    st.pressure.append(PressureRecord(round=3, revisits_round=2, kind="evidence"))
    assert policy.can_exit_early(st)
    st.current.round = 3
    assert not policy.can_exit_early(st)


def test_exit_really_ends_the_interview():
    st = with_rounds(5)
    st.current = PendingQuestion(question=question(), round=6, dimension="intent")
    out = policy.crystallize(st, "early_exit")
    assert out.status == "exited" and out.phase == "done" and out.current is None
    assert policy.decide(out, view()) == policy.End("early_exit")
    # exited on the screen of round 6, with 5 answered: not "at round 5"
    assert "ended early by the user after round 5 " in out.residual_risk


# --------------------------------------------------------------------------- check_reply


def _d(**over: Any) -> Directive:
    return Directive(**{"kind": "ordinary", "round": 3, **over})


CASES = [
    ("null question", _d(), {"question": None}, "question: null"),
    ("pressure missing", _d(pressure_followup=True, revisit_round=2), {}, "pressure follow-up"),
    (
        "pressure wrong round",
        _d(pressure_followup=True, revisit_round=2),
        {"pressure": {"revisits_round": 1, "kind": "assumption"}},
        "requires revisiting round 2",
    ),
    (
        "pressure unanswered round",
        _d(),
        {"pressure": {"revisits_round": 9, "kind": "evidence"}},
        "round 9 has not been answered",
    ),
    (
        "pressure wrong kind",
        _d(pressure_followup=True, pressure_kind="assumption"),
        {"pressure": {"revisits_round": 1, "kind": "evidence"}},
        "requires 'assumption'",
    ),
    ("rhythm guard", _d(require_human_judgment=True), {"source": "code"}, "Rhythm Guard"),
    (
        "protected section",
        _d(protected_sections=["open_questions"]),
        {"patches": [{"section": "open_questions", "body": "- x"}]},
        "may not touch",
    ),
    (
        "placeholder",
        _d(),
        {"patches": [{"section": "domain", "body": "- **Entities**: <fill me>"}]},
        "placeholder",
    ),
    (
        "duplicate label",
        _d(),
        {
            "patches": [
                {"section": "vision", "body": "- **Target Users**: a\n- **Target Users**: b"}
            ]
        },
        "duplicate bullet label",
    ),
    (
        "heading in body",
        _d(),
        {"patches": [{"section": "vision", "body": "## 9. Hijack\n- x"}]},
        "heading",
    ),
    ("deferral unreported", _d(answer_is_deferral=True), {}, "deferred the decision"),
    (
        "deferral default not written",
        _d(),
        {
            "deferrals": [
                {"section": "nfr", "topic": "latency", "default": "p95 < 200 ms", "rationale": "r"}
            ]
        },
        "write the default",
    ),
    (
        "crystallize with open gate",
        _d(),
        {"question": None, "ready_to_crystallize": True},
        "readiness gate is open",
    ),
    (
        "gate evidence from the future",
        _d(),
        {"gate_evidence": [{"gate": "non_goals", "round": 7, "note": "n"}]},
        "round 7 has not been answered",
    ),
    (
        "unknown dimension for greenfield",
        _d(),
        {"scores": [{"dimension": "context", "score": 0.5, "justification": "", "gap": ""}]},
        "not a greenfield dimension",
    ),
    (
        "a figure the user never gave",
        _d(),
        {"patches": [{"section": "nfr", "body": "- **Reliability**: error rate under 1.5%"}]},
        "'1.5' is not something the user said",
    ),
    (
        "resolving a question nobody asked",
        _d(),
        {"open_questions_resolved": ["Which database?"]},
        "no outstanding question matches",
    ),
]


@pytest.mark.parametrize(
    ("name", "directive", "over", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_check_reply_rules(name, directive, over, expected):
    st = with_rounds(2)
    problems = policy.check_reply(st, directive, reply(**over), view(), answered=st.rounds[-1])
    assert any(expected in p for p in problems), problems


def test_figures_the_user_gave_or_marked_defaults_are_accepted():
    st = with_rounds(1)
    st.rounds[0].answer = Answer(kind="text", value="p95 under 250 ms, 99.95% uptime")
    ok = reply(
        patches=[
            {
                "section": "nfr",
                "body": "- **Performance**: p95 < 250 ms, timestamps in ISO8601\n"
                "- **Reliability**: 99.95% availability\n"
                "- **Scalability**: 1000 users (default, to be confirmed)",
            }
        ]
    )
    assert policy.check_reply(st, _d(), ok, view(), answered=st.rounds[-1]) == []


def test_check_reply_accepts_a_good_reply():
    st = with_rounds(2)
    r = reply(
        patches=[{"section": "vision", "body": "- **Problem & Outcome**: caching JWKS keys"}],
        scores=[{"dimension": "intent", "score": 0.4, "justification": "j", "gap": "g"}],
        gate_evidence=[{"gate": "non_goals", "round": 2, "note": "said no UI"}],
        pressure={"revisits_round": 1, "kind": "evidence"},
    )
    assert policy.check_reply(st, _d(), r, view(), answered=st.rounds[-1]) == []


def test_crystallize_refused_above_threshold_even_with_gates_explicit():
    st = with_rounds(4)
    st.gates.non_goals = st.gates.decision_boundaries = st.gates.pressure_pass = True
    r = reply(question=None, ready_to_crystallize=True)
    problems = policy.check_reply(st, _d(), r, view(), answered=st.rounds[-1])
    assert any("above the threshold" in p for p in problems)
    r = reply(
        question=None,
        ready_to_crystallize=True,
        scores=[
            {"dimension": d, "score": 0.95, "justification": "", "gap": ""}
            for d in st.dimension_keys()
        ],
    )
    assert policy.check_reply(st, _d(), r, view(), answered=st.rounds[-1]) == []
    out = policy.apply_reply(st, _d(), r, view(), TODAY, answered=st.rounds[-1])
    assert policy.settle(out.state, _d(), r, view()) == policy.End("threshold")


def test_placeholder_already_in_the_section_may_stay_but_not_over_an_answer():
    st = with_rounds(1)
    body = "- **Problem & Outcome**: caching\n- **Success Metrics**: <quantitative & qualitative>"
    ok = reply(patches=[{"section": "vision", "body": body}])
    assert policy.check_reply(st, _d(), ok, view(), answered=st.rounds[-1]) == []
    doc = SpecDocument.parse(render_spec_template("demo")).with_unit_text(
        "vision", "- **Success Metrics**: p95 < 50 ms"
    )
    bad = reply(patches=[{"section": "vision", "body": body}])
    problems = policy.check_reply(st, _d(), bad, view(doc), answered=st.rounds[-1])
    assert any("placeholder" in p for p in problems)


# --------------------------------------------------------------------------- apply / settle


def test_deferral_is_not_clarity_and_lands_in_the_section_and_risks():
    st = with_rounds(2)
    st.dimensions["constraints"] = DimensionScore(score=0.2)
    st.current = PendingQuestion(question=question(), round=3, dimension="constraints")
    st, rnd = policy.take_answer(st, Answer(kind="other", value="I don't know - decide for me"))
    assert rnd.deferral
    d = policy.decide(st, view(), answered=rnd)
    assert d.answer_is_deferral
    r = reply(
        scores=[{"dimension": "constraints", "score": 0.8, "justification": "", "gap": ""}],
        patches=[{"section": "nfr", "body": "- **Performance**: p95 < 200 ms (default)"}],
        deferrals=[
            {
                "section": "nfr",
                "topic": "latency target",
                "default": "p95 < 200 ms",
                "rationale": "typical for an interactive API",
            }
        ],
    )
    assert policy.check_reply(st, d, r, view(), answered=rnd) == []
    out = policy.apply_reply(st, d, r, view(), TODAY, answered=rnd)
    assert out.state.dimensions["constraints"].score == 0.2  # not counted as clarity
    assert "p95 < 200 ms" in out.changes["risks"] and "deferred" in out.changes["risks"]
    assert "p95 < 200 ms" in out.changes["nfr"]
    assert out.state.deferrals[0].default == "p95 < 200 ms"
    assert "Default chosen for latency target: p95 < 200 ms" in out.state.notice
    # The engine's lower-case rationale starts its own sentence after the default.
    assert "p95 < 200 ms. Typical for an interactive API." in out.changes["risks"]


def test_a_contradiction_is_the_next_question_and_its_answer_is_written_back():
    st = with_rounds(3)
    d = policy.decide(st, view())
    r = reply(
        contradictions=[
            {
                "topic": "key storage",
                "statement_a": "disk, 60 minutes",
                "where_a": "nfr",
                "statement_b": "memory only, 15 minutes",
                "where_b": "round 3",
            }
        ]
    )
    out = policy.apply_reply(st, d, r, view(), TODAY, answered=st.rounds[-1])
    settled = policy.settle(out.state, d, r, view())
    assert isinstance(settled, policy.Ask)
    q = settled.pending
    assert q.kind == "contradiction" and q.origin == "specui"
    assert [o.label for o in q.question.options] == [
        "disk, 60 minutes",
        "memory only, 15 minutes",
        "Both hold",
    ]
    assert q.question.type == "single-answerable" and q.question.allow_other
    st = policy.place_question(out.state, q)
    st, rnd = policy.take_answer(st, Answer(kind="option", value="b", selected_values=["b"]))
    assert st.contradictions[0].status == "resolved"
    d2 = policy.decide(st, view(), answered=rnd)
    assert d2.contradiction is not None and d2.contradiction_choice == "memory only, 15 minutes"
    missing = reply()
    assert any("into nfr" in p for p in policy.check_reply(st, d2, missing, view(), answered=rnd))
    stale = reply(patches=[{"section": "nfr", "body": "- **Reliability**: disk, 60 minutes"}])
    assert any(
        "rejected statement" in p for p in policy.check_reply(st, d2, stale, view(), answered=rnd)
    )
    good = reply(patches=[{"section": "nfr", "body": "- **Reliability**: memory only, 15 minutes"}])
    assert policy.check_reply(st, d2, good, view(), answered=rnd) == []


def test_both_hold_settles_a_false_alarm_without_rewriting_either_statement():
    st = with_rounds(3)
    st.contradictions.append(
        ContradictionRecord(
            found_round=3, topic="key storage", statement_a="disk", where_a="nfr",
            statement_b="memory only", where_b="data",
        )
    )  # fmt: skip
    st = policy.place_question(st, policy.contradiction_question(st, 0, 4, "interview"))
    st, rnd = policy.take_answer(st, Answer(kind="option", value="both", selected_values=["both"]))
    c = st.contradictions[0]
    assert c.status == "resolved" and c.kept_both and not rnd.deferral
    assert st.open_contradictions() == [] and "stand as written" in st.notice
    d = policy.decide(st, view(), answered=rnd)
    assert isinstance(d, Directive) and d.contradiction is None and d.contradiction_choice is None


def test_deferring_a_contradiction_keeps_the_later_statement():
    st = with_rounds(3)
    st.contradictions.append(
        ContradictionRecord(
            found_round=3, topic="key storage", statement_a="disk", where_a="nfr",
            statement_b="memory only", where_b="data",
        )
    )  # fmt: skip
    st = policy.place_question(st, policy.contradiction_question(st, 0, 4, "interview"))
    st, rnd = policy.take_answer(st, Answer(kind="other", value="decide for me"))
    assert not rnd.deferral  # no deferral report is demanded of the engine
    assert st.contradictions[0].chosen == "memory only"
    assert st.deferrals[-1].default == "memory only" and st.deferrals[-1].section == "data"
    assert "memory only" in st.notice
    d = policy.decide(st, view(), answered=rnd)
    assert d.contradiction_choice == "memory only" and not d.answer_is_deferral


def test_contradiction_comes_before_crystallizing():
    st = scored(with_rounds(4), 0.99)
    st.gates.non_goals = st.gates.decision_boundaries = st.gates.pressure_pass = True
    st.contradictions.append(
        ContradictionRecord(
            found_round=4, topic="t", statement_a="a", where_a="x", statement_b="b", where_b="y"
        )
    )
    settled = policy.settle(st, _d(round=5), reply(), view())
    assert isinstance(settled, policy.Ask) and settled.pending.kind == "contradiction"


def test_settle_crystallizes_at_or_below_ten_percent_without_another_question():
    st = scored(with_rounds(4), 0.95)
    st.gates.non_goals = st.gates.decision_boundaries = st.gates.pressure_pass = True
    assert policy.settle(st, _d(round=5), reply(), view()) == policy.End("threshold")
    st.gates.pressure_pass = False
    settled = policy.settle(st, _d(round=5), reply(), view())
    assert isinstance(settled, policy.Ask)


def test_below_threshold_an_ordinary_question_becomes_a_closure_question():
    st = scored(with_rounds(4), 0.85)
    st.gates.non_goals = st.gates.decision_boundaries = st.gates.pressure_pass = True
    settled = policy.settle(st, _d(round=5), reply(), view())
    assert isinstance(settled, policy.Ask) and settled.pending.kind == "closure"


def test_answering_a_pressure_question_passes_the_pressure_gate():
    st = with_rounds(2)
    st.current = PendingQuestion(
        question=question(),
        round=3,
        dimension="intent",
        pressure=PressureRecord(round=3, revisits_round=2, kind="assumption"),
    )
    st, _ = policy.take_answer(
        st, policy.check_answer(question(), Answer(kind="option", value="a"))
    )
    assert st.gates.pressure_pass
    assert st.gate_evidence[-1].round == 3 and "revisited round 2" in st.gate_evidence[-1].note
    assert st.assumption_probe_round() == 3


def test_open_questions_are_added_and_resolved_in_section_17():
    st = with_rounds(1)
    out = policy.apply_reply(
        st, _d(), reply(open_questions_added=["Which IdP?"]), view(), TODAY, answered=st.rounds[-1]
    )
    body = out.changes["open_questions"]
    assert "1. Which IdP?" in body
    doc = SpecDocument.parse(render_spec_template("demo")).with_unit_text("open_questions", body)
    out2 = policy.apply_reply(
        st,
        _d(),
        reply(open_questions_resolved=["Which IdP?"]),
        view(doc),
        TODAY,
        answered=st.rounds[-1],
    )
    assert "2026-11-29 — Which IdP? → A" in out2.changes["open_questions"]


def test_hard_cap_and_early_exit_keep_the_residual_risk_in_the_spec():
    st = policy.crystallize(with_rounds(5, max_rounds=5), "hard_cap")
    changes = policy.residual_risk_changes(st, view())
    assert "hard cap of 5 rounds" in changes["risks"]
    assert "Residual risk" in changes["risks"]


def test_section_tally():
    statuses = dict.fromkeys(UNIT_KEYS, "unknown")
    statuses.update(vision="final", scope="final", personas="final", domain="clarified")
    assert policy.section_tally(statuses) == "3 final · 1 clarified · 0 drafted · 14 unknown"


def test_the_finalize_question_speaks_to_the_user_not_of_seeds():
    """Its Why line is on the user's screen: "Seed 000 finishes when …" named a document the
    user never saw."""
    pending = policy.finalize_question(with_rounds(3), view())
    assert pending.kind == "finalize" and "seed" not in pending.why.lower()
    assert "final" in pending.why


def test_finish_message_is_seed_000s_recap_and_100_percent_line():
    st = with_rounds(3)
    st.deferrals.append(
        DeferralRecord(
            round=2, section="nfr", topic="latency", default="p95 < 200 ms", rationale=""
        )
    )
    msg = policy.finish_message(st, "todo-cli/SPEC.md")
    assert msg.startswith(
        "✅ SPEC complete. SPEC.md lives at the repo root: todo-cli/SPEC.md.\nIncluded:\n"
    )
    assert "- ✓ Vision & Goals\n" in msg and "- ✓ Open Questions (a closed log)" in msg
    assert "- default for latency: p95 < 200 ms" in msg
    assert msg.endswith("\n\nSpec Creation Progress: ████████████ 100%")


# --------------------------------------------------------------------------- answers


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ({"kind": "option", "value": "zzz"}, "answer.value: 'zzz' is not an option"),
        ({"kind": "text", "value": "hi"}, "answer.kind"),
        ({"kind": "other", "value": "  "}, "answer.value"),
        ({"kind": "multi", "value": ["a"]}, "answer.kind"),
    ],
)
def test_bad_answers_name_the_field(answer, error):
    with pytest.raises(SpecuiError, match=error):
        policy.check_answer(question(), Answer.model_validate(answer))


def test_good_answer_gets_labels_filled_in():
    a = policy.check_answer(question(), Answer(kind="option", value="b"))
    assert a.selected_labels == ["B"] and a.selected_values == ["b"]


def test_deferral_phrases():
    assert policy.is_deferral("I don't know – decide for me")
    assert policy.is_deferral("No preference")
    assert not policy.is_deferral("Postgres 16, managed")


def test_parse_reply_round_trips_a_reply():
    r = reply()
    assert parse_reply(r.model_dump_json()) == r


# --------------------------------------------------------------------------- property


_scores = hs.lists(
    hs.fixed_dictionaries(
        {
            "dimension": hs.sampled_from(["intent", "outcome", "scope", "constraints", "success"]),
            "score": hs.floats(0, 1),
            "justification": hs.just(""),
            "gap": hs.just(""),
        }
    ),
    max_size=5,
    unique_by=lambda s: s["dimension"],
)


@settings(max_examples=300, deadline=None)
@given(
    n=hs.integers(1, 14),
    max_rounds=hs.sampled_from([5, 12]),
    gates=hs.fixed_dictionaries(
        {g: hs.booleans() for g in ("non_goals", "decision_boundaries", "pressure_pass")}
    ),
    prior=hs.floats(0, 1),
    scores=_scores,
    evidence=hs.lists(
        hs.tuples(
            hs.sampled_from(["non_goals", "decision_boundaries", "pressure_pass"]),
            hs.integers(0, 15),
        ),
        max_size=3,
    ),
    ready=hs.booleans(),
    null=hs.booleans(),
    passes=hs.integers(0, 2),
)
def test_no_checked_reply_passes_the_cap_or_crystallizes_with_an_open_gate(
    n, max_rounds, gates, prior, scores, evidence, ready, null, passes
):
    n = min(n, max_rounds)
    # `passes` refinement passes ("Refine further") each re-entered at the previous cap; the
    # current pass has answered `n` rounds. Each pass has the profile's cap of its own.
    st = with_rounds(0, max_rounds=max_rounds)
    for _ in range(passes):
        st = more_rounds(st, st.max_rounds - st.rounds_done)
        st = policy.refine(policy.crystallize(st, "hard_cap"))
    start = passes * max_rounds
    st = scored(more_rounds(st, n), prior)
    max_rounds = start + max_rounds  # the cap of this pass, counted from the first round
    assert st.max_rounds == max_rounds and st.rounds_done == start + n
    for gate, value in gates.items():
        setattr(st.gates, gate, value)
    d = policy.decide(st, view(), answered=st.rounds[-1])
    if isinstance(d, policy.SpecuiAsk):
        return  # an unsettled contradiction (none here) would be asked by specui first
    assert isinstance(d, Directive)
    assert d.round <= max_rounds
    r = reply(
        scores=scores,
        gate_evidence=[{"gate": g, "round": x, "note": ""} for g, x in evidence],
        ready_to_crystallize=ready,
        question=None if null or d.kind == "final" else reply().question.model_dump(),
        pressure={"revisits_round": n, "kind": d.pressure_kind or "evidence"}
        if d.pressure_followup and not d.revisit_round
        else (
            {"revisits_round": d.revisit_round, "kind": d.pressure_kind}
            if d.revisit_round
            else None
        ),
    )
    if policy.check_reply(st, d, r, view(), answered=st.rounds[-1]):
        return  # refused: nothing is applied
    out = policy.apply_reply(st, d, r, view(), TODAY, answered=st.rounds[-1])
    settled = policy.settle(out.state, d, r, view())
    if isinstance(settled, policy.End):
        after = policy.crystallize(out.state, settled.reason)
        assert after.rounds_done <= max_rounds
        if settled.reason == "threshold":
            assert after.open_gates() == []
            assert after.computed_ambiguity() <= after.threshold
        else:
            assert settled.reason == "hard_cap" and start + n == max_rounds
    else:
        assert isinstance(settled, policy.Ask)
        assert settled.pending.round <= max_rounds


def test_the_kickoff_note_shows_the_ambiguity_the_header_shows():
    # Brownfield: the first reply already scores the repository it read (context), so the
    # kickoff note under the round-1 header must carry that figure, not the unscored 100%.
    st = InterviewState(status="active", type="brownfield")
    d = policy.decide(st, view())
    assert isinstance(d, Directive) and d.kind == "overview"
    r = reply(scores=[{"dimension": "context", "score": 0.25, "justification": "", "gap": ""}])
    assert policy.check_reply(st, d, r, view(), answered=None) == []
    out = policy.apply_reply(st, d, r, view(), TODAY, answered=None)
    settled = policy.settle(out.state, d, r, view())
    assert isinstance(settled, policy.Ask)
    shown = ambiguity_percent(out.state.ambiguity)
    assert shown == 98  # context weighs 10% of a brownfield score
    assert settled.pending.note.endswith(f"ambiguity {shown}%.")


def test_a_gate_the_reply_itself_closed_is_not_the_questions_gate():
    # The overview said "Not in v1: ...": the reply to the non-goals directive reports that
    # as the gate's evidence and asks about something else; the question on screen is not the
    # gate's (no gate ask recorded, the header names the weakest dimension).
    st = with_rounds(1)
    d = policy.decide(st, view())
    assert isinstance(d, Directive) and d.gate == "non_goals"
    r = reply(
        gate_evidence=[{"gate": "non_goals", "round": 1, "note": "stated in the overview"}],
        scores=[
            {"dimension": "intent", "score": 0.55, "justification": "", "gap": ""},
            {"dimension": "scope", "score": 0.65, "justification": "", "gap": ""},
        ],
    )
    assert policy.check_reply(st, d, r, view(), answered=None) == []
    out = policy.apply_reply(st, d, r, view(), TODAY, answered=None)
    settled = policy.settle(out.state, d, r, view())
    assert isinstance(settled, policy.Ask)
    assert settled.pending.gate is None
    assert settled.pending.dimension == policy.target_dimension(out.state) == "outcome"
    placed = policy.place_question(out.state, settled.pending)
    assert "non_goals" not in placed.gate_asked
