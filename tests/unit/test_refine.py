"""Seed 004's "Refine further": an interview that ended (hard cap, early exit, threshold or
seed 000's finish) is re-entered for one more pass with the transcript, scores, gates and
SPEC.md kept, its own hard cap, a first question on the highest-leverage uncertainty left, and
the residual-risk line in SPEC.md rewritten or removed when the pass ends."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs
from test_driver import FakeEngine, _answer_until, _random_reply, following, make, pick, replies

from specui.core.errors import SpecuiError
from specui.core.interview import policy
from specui.core.interview.state import InterviewState
from specui.core.paths import Project


@pytest.fixture
def project(tmp_path) -> Project:
    root = tmp_path / "demo"
    root.mkdir()
    return Project.at(root)


def hard_capped(project, engine=None):
    engine = engine or FakeEngine()
    store, driver = make(project, engine, profile="quick")
    driver.start()
    _answer_until(store, driver, 10)
    iv = store.state.interview
    assert iv.end_reason == "hard_cap" and iv.phase == "done"
    return store, driver, engine


def test_nothing_to_refine_before_the_interview_ended(project):
    with pytest.raises(SpecuiError, match="no interview to refine"):
        policy.refine(InterviewState())
    store, driver = make(project, FakeEngine())
    driver.start()
    with pytest.raises(SpecuiError, match="has not ended"):
        driver.refine()
    assert store.state.interview.refinements == []


def test_refine_after_the_hard_cap_opens_a_pass_with_its_own_cap(project):
    store, driver, engine = hard_capped(project)
    before = store.state.interview
    risk = before.residual_risk
    assert risk and "Residual risk" in project.spec.read_text()
    driver.refine()
    iv = store.state.interview
    assert iv.status == "active" and iv.phase == "interview" and iv.end_reason is None
    assert iv.max_rounds == 10 and iv.rounds_done == 5  # the quick cap again, from round 6
    assert [r.n for r in iv.rounds] == [r.n for r in before.rounds]  # the transcript stays
    assert iv.gates == before.gates and iv.dimensions == before.dimensions
    assert iv.current is not None and iv.current.round == 6
    pass_ = iv.refinements[0]
    assert (pass_.from_round, pass_.rounds, pass_.ended, pass_.residual_risk) == (
        5, 5, "hard_cap", risk
    )
    # The engine gets an ordinary directive saying what was left open.
    d = engine.requests[-1].directive
    assert d.kind == "ordinary" and d.round == 6
    assert any("Refining further (pass 1): at most 5 more rounds" in n for n in d.notes)
    assert any(risk in n for n in d.notes)
    assert "Refining further" in iv.current.note
    # While the pass runs, the residual risk stays in SPEC.md (it is still true).
    assert risk in " ".join(project.spec.read_text().split())


def test_the_first_refine_question_goes_to_an_open_gate(project):
    # The fake engine never reports gate evidence: non-goals stays open, and the first refine
    # question addresses it at once (not after the usual revisit interval).
    store, driver, engine = hard_capped(project)
    assert not store.state.interview.gates.non_goals
    driver.refine()
    d = engine.requests[-1].directive
    assert d.gate == "non_goals" and d.target_dimension == "scope"
    assert store.state.interview.current.gate == "non_goals"


def test_with_every_gate_explicit_the_first_refine_question_targets_the_weakest_dimension():
    from test_protocol import scored, view, with_rounds

    st = scored(with_rounds(5, max_rounds=5), 0.5)
    st.dimensions["success"].score = 0.1
    st.dimensions["intent"].score = 0.9
    st.dimensions["outcome"].score = 0.9
    st.dimensions["scope"].score = 0.9
    for gate in ("non_goals", "decision_boundaries", "pressure_pass"):
        setattr(st.gates, gate, True)
    st = policy.refine(policy.crystallize(st, "hard_cap"))
    d = policy.decide(st, view())
    assert d.kind == "ordinary" and d.target_dimension == "success" and d.gate is None


def test_the_pass_ends_at_its_own_cap_and_rewrites_the_residual_risk(project):
    store, driver, _engine = hard_capped(project)
    driver.refine()
    _answer_until(store, driver, 20)
    iv = store.state.interview
    assert iv.end_reason == "hard_cap" and iv.rounds_done == 10 and iv.max_rounds == 10
    text = " ".join(project.spec.read_text().split())
    assert "hard cap of 10 rounds (refinement pass 1: 5 more)" in text
    assert text.count("Residual risk") == 1  # replaced, not added
    assert "Refinement passes: 1" in (project.root / iv.artifacts["spec"]).read_text()


def test_a_pass_that_ends_within_the_threshold_removes_the_residual_risk(project):
    def gates_and_scores(request):
        d = request.directive
        done = request.transcript[-1].round if request.transcript else 1
        if d.kind == "validation":
            return following(request)
        return following(
            request,
            scores=[
                {"dimension": k, "score": 0.95, "justification": "clear", "gap": ""}
                for k in ("intent", "outcome", "scope", "constraints", "success")
            ],
            gate_evidence=[
                {"gate": g, "round": done, "note": "explicit"}
                for g in ("non_goals", "decision_boundaries")
            ],
            ready_to_crystallize=True,
        )

    store, driver, engine = hard_capped(project)
    assert "Residual risk" in project.spec.read_text()
    engine.script = [gates_and_scores] * 3
    driver.refine()
    _answer_until(store, driver, 3)
    iv = store.state.interview
    assert iv.end_reason == "threshold" and iv.residual_risk is None
    assert iv.rounds_done <= iv.max_rounds
    assert "Residual risk" not in project.spec.read_text()


def test_a_residual_risk_line_the_user_wrote_is_not_removed():
    from test_protocol import view

    from specui.core.spec import SpecDocument, render_spec_template, set_item

    doc = SpecDocument.parse(render_spec_template("demo"))
    body = set_item(doc.unit_text("risks"), "Residual risk", "vendor lock-in, accepted")
    doc = doc.with_unit_text("risks", body)
    st = InterviewState(status="crystallized", phase="validation", end_reason="threshold")
    assert policy.residual_risk_changes(st, view(doc)) == {}


def test_a_failed_first_refine_round_keeps_the_pass_open_for_retry(project):
    from specui.interview.engines.base import EngineError

    store, driver, engine = hard_capped(project)
    engine.script = [EngineError("agent unreachable")]
    driver.refine()
    iv = store.state.interview
    assert iv.phase == "interview" and iv.current is None and iv.engine.status == "error"
    driver.retry()
    iv = store.state.interview
    assert iv.engine.status == "idle" and iv.current is not None and iv.current.round == 6


def test_refine_after_seed_000s_finish_reopens_the_interview(project):
    store, driver, _engine = hard_capped(project)

    def finished(s):  # as seed 000's finish leaves it
        iv = s.interview
        iv.end_reason, iv.residual_risk, iv.finished = "threshold", None, True
        iv.finish_message = "✅ SPEC complete."
        iv.gates.closure_audit = True

    store.update(finished)
    driver.refine()
    iv = store.state.interview
    assert not iv.finished and iv.finish_message == "" and iv.current is not None
    assert not iv.gates.closure_audit  # this pass audits closure again
    assert iv.refinements[0].ended == "threshold" and iv.refinements[0].residual_risk is None
    with pytest.raises(SpecuiError, match="has not ended"):
        driver.refine()  # one pass at a time
    assert len(store.state.interview.refinements) == 1


def test_the_refine_notes_reach_the_engine_in_the_request_json(project):
    # The directive notes reach every engine as data (the request JSON), not only the screen.
    _store, driver, engine = hard_capped(project)
    driver.refine()
    payload = json.loads(engine.requests[-1].model_dump_json())
    assert any("Refining further" in n for n in payload["directive"]["notes"])


# --------------------------------------------------------------------------- the command line


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    from specui.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _answer_headless(capsys, root, rounds: int) -> dict:
    data: dict = {}
    for _ in range(rounds):
        _code, out, _ = _run(capsys, "interview", str(root), "--json")
        data = json.loads(out)
        question = data["question"]
        if question is None:
            return data
        ans = (
            {"kind": "text", "value": "A JWKS cache"}
            if not question["options"]
            else {"kind": "option", "value": question["options"][0]["value"]}
        )
        _run(capsys, "interview", str(root), "--answer", json.dumps(ans))
    return data


@pytest.fixture
def cli_engine(monkeypatch):
    from specui.interview import engines

    monkeypatch.setitem(engines.ENGINES, "builtin", ("test_cli_interview", "ScriptEngine"))


def test_interview_refine_prints_the_new_question_or_refuses_in_one_line(
    capsys, tmp_path, cli_engine
):
    root = tmp_path / "demo"
    root.mkdir()
    code, out, err = _run(capsys, "interview", str(root), "--refine")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith("specui: error: there is no interview to refine yet")
    assert not (root / "SPEC.md").exists()  # nothing was started
    _run(capsys, "interview", str(root), "--profile", "quick")
    code, out, err = _run(capsys, "interview", str(root), "--refine")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith("specui: error: the interview has not ended")
    data = _answer_headless(capsys, root, 10)
    assert data["end_reason"] == "hard_cap" and data["can_refine"]
    code, out, _ = _run(capsys, "interview", str(root))
    assert code == 0 and "Refine further: `specui interview --refine`" in out
    code, out, err = _run(capsys, "interview", str(root), "--refine")
    assert code == 0 and err == ""
    assert "Round 6 | Target: Scope" in out and "Refining further (pass 1)" in out
    assert "Interview ended" not in out and "Choose one: --answer" in out
    code, out, _ = _run(capsys, "interview", str(root), "--refine", "--answer", "{}")
    assert code == 2


def test_handoff_lane_refine_re_enters_the_interview(capsys, tmp_path, cli_engine):
    root = tmp_path / "demo"
    root.mkdir()
    _run(capsys, "interview", str(root), "--profile", "quick")
    _answer_headless(capsys, root, 10)
    code, out, err = _run(capsys, "handoff", str(root), "--lane", "refine")
    assert code == 0 and err == ""
    assert out.startswith("Refine further: the interview is re-entered")
    assert "Round 6 | Target: Scope" in out
    assert not (root / "orchestrator" / "input").exists()  # nothing drafted: SPEC.md will move
    code, out, err = _run(capsys, "handoff", str(root), "--lane", "refine")
    assert code == 2 and "has not ended" in err
    code, out, _ = _run(capsys, "handoff", str(root), "--list")
    assert "specui interview --refine" in out


def test_refine_after_an_early_exit_reopens_it():
    from test_protocol import scored, view, with_rounds

    st = scored(with_rounds(6, max_rounds=12), 0.5)
    st = policy.refine(policy.crystallize(st, "early_exit"))
    assert st.status == "active" and st.max_rounds == 6 + 12
    assert st.refinements[0].ended == "early_exit"
    d = policy.decide(st, view())
    assert any("the interview had ended early (your exit)" in n for n in d.notes)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(script=hs.lists(replies, min_size=1, max_size=24), passes=hs.integers(1, 2))
def test_no_reply_sequence_passes_a_refinement_pass_cap(tmp_path_factory, script, passes):
    """The driver-level property of test_driver, through refinement passes: whatever the
    engine replies, no pass asks more than its cap and none crystallizes with a gate open."""
    root = tmp_path_factory.mktemp("refine") / "p"
    root.mkdir()
    project = Project.at(root)
    engine = FakeEngine([following] + [_random_reply(d) for d in script])
    store, driver = make(project, engine, profile="quick")
    driver.start()
    for pass_ in range(passes + 1):
        start = store.state.interview.pass_start
        for _ in range(12):
            iv = store.state.interview
            assert iv.rounds_done - start <= 5 and iv.rounds_done <= iv.max_rounds
            if iv.end_reason == "threshold":
                assert iv.open_gates() == []
            if iv.current is None or iv.engine.status == "error":
                break
            if iv.current.phase != "interview":
                break
            driver.answer(pick(store))
        iv = store.state.interview
        if iv.phase != "done" or pass_ == passes:
            return
        assert iv.status != "exited"  # only the user's exit ends it early
        ended_at = iv.rounds_done
        driver.refine()
        iv = store.state.interview
        assert (iv.pass_start, iv.max_rounds) == (ended_at, ended_at + 5)


@pytest.mark.parametrize(
    ("gates", "contradiction", "expected"),
    [
        ({}, True, "contradiction"),
        ({}, False, "gate:non_goals"),
        ({"non_goals": True}, False, "gate:decision_boundaries"),
        ({"non_goals": True, "decision_boundaries": True}, False, "pressure:assumption"),
        (
            {"non_goals": True, "decision_boundaries": True, "pressure_pass": True},
            False,
            "dimension",
        ),
    ],
)
def test_the_refine_opening_order(gates, contradiction, expected):
    from test_protocol import scored, view, with_rounds

    from specui.core.interview.state import ContradictionRecord

    st = scored(with_rounds(5, max_rounds=5), 0.5)
    for gate, value in gates.items():
        setattr(st.gates, gate, value)
    if contradiction:
        st.contradictions.append(
            ContradictionRecord(
                found_round=5, topic="cache lifetime", statement_a="15 minutes", where_a="nfr",
                statement_b="60 minutes", where_b="data",
            )
        )
    st = policy.refine(policy.crystallize(st, "hard_cap"))
    d = policy.decide(st, view())
    if isinstance(d, policy.SpecuiAsk):
        got = d.pending.kind
    elif d.gate:
        got = f"gate:{d.gate}"
    elif d.pressure_followup:
        got = f"pressure:{d.pressure_kind}"
    else:
        got = "dimension"
    assert got == expected
    if expected == "contradiction":
        assert d.pending.round == 6
