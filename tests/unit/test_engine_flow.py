"""A whole offline interview, driven programmatically from an empty directory.

Ambiguity figures are recomputed here by hand from seed 004's greenfield weights and the fact
points the scoring table documents, so a change to either shows up as a failing round.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from specui import spec_repo
from specui.core.config import DeepInterviewConfig, SpecuiConfig
from specui.core.errors import SpecuiError
from specui.core.paths import Project
from specui.core.questions import Answer, Question, build_answer
from specui.engines import Interviewer, make_interviewer
from specui.engines.builtin import BuiltinInterviewer
from specui.store import SessionStore

# seed 004 §2c greenfield weights
W = {"intent": 0.30, "outcome": 0.25, "scope": 0.20, "constraints": 0.15, "success": 0.10}
# fact points (scoring.FACTS) the path below earns
PROBLEM, DRIVER, PRESSURE, CHALLENGED = 0.55, 0.15, 0.15, 0.15
METRICS, USERS, PERSONAS, USE_CASES = 0.45, 0.20, 0.10, 0.25
IN_SCOPE, NON_GOALS, BOUNDARIES, MVP = 0.35, 0.30, 0.20, 0.15
STACK, PERF, SECURITY, RELIABILITY = 0.30, 0.25, 0.25, 0.20
ACCEPTANCE, TEST_PLAN = 0.60, 0.40

OVERVIEW = (
    "Small teams lose track of recurring chores because reminders live in chat threads. "
    "Choreboard is a web app for small teams to track recurring chores. "
    "It lets members create chores, assign them and get reminders. "
    "It shows a weekly board of who did what."
)


def by_hand(scores: dict[str, float]) -> float:
    return round(1 - sum(W[d] * scores.get(d, 0.0) for d in W), 4)


class Clock:
    """Deterministic, strictly increasing timestamps (artifact names must not collide)."""

    def __init__(self) -> None:
        self.t = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.t += timedelta(seconds=1)
        return self.t


def make(root: Path, *, profile: str | None = None, challenges: bool = True):
    root.mkdir(parents=True, exist_ok=True)
    project = Project.at(root)
    store = SessionStore.open(project)
    deep = DeepInterviewConfig(enable_challenge_modes=challenges)
    config = SpecuiConfig.model_validate({"interview": {"profile": profile}} if profile else {})
    engine = BuiltinInterviewer(project, store, config, deep=deep, clock=Clock())
    return project, store, engine


def recommended(q: Question) -> Answer:
    idx = [i for i, o in enumerate(q.options) if o.recommended] or [0]
    return build_answer(q, idx if q.type == "multi-answerable" else idx[:1], None)


def good_answer(store: SessionStore) -> Answer:
    cur = store.state.interview.current
    assert cur is not None
    if cur.kind == "overview":
        return build_answer(cur.question, [], OVERVIEW)
    if cur.question.is_free_text:
        return build_answer(cur.question, [], f"Answer for: {cur.question.question[:40]}")
    return recommended(cur.question)


def step(store: SessionStore, engine: BuiltinInterviewer) -> str:
    cur = store.state.interview.current
    assert cur is not None
    engine.answer(good_answer(store))
    return cur.kind


@pytest.fixture
def greenfield(tmp_path: Path):
    return make(tmp_path / "choreboard")


def test_start_bootstraps_and_asks_for_review_and_overview(greenfield):
    project, store, engine = greenfield
    assert isinstance(engine, Interviewer)
    engine.start()
    assert project.spec.is_file() and project.stack.is_file()
    iv = store.state.interview
    assert iv.status == "active" and iv.type == "greenfield"
    assert (iv.profile, iv.threshold, iv.max_rounds) == ("standard", 0.20, 12)
    cur = iv.current
    assert cur is not None and cur.kind == "overview" and cur.round == 1
    assert cur.question.is_free_text
    assert "stack.toml" in cur.note and str(project.stack) in cur.note
    assert iv.ambiguity == 1.0
    assert set(iv.dimensions) == set(W)
    # Phase 0 context snapshot: .omx/context/{slug}-{YYYYMMDDTHHMMSSZ}.md
    snap = project.root / iv.artifacts["context"]
    assert snap.is_file() and snap.parent == project.omx_context
    assert snap.name.startswith("choreboard-") and snap.name.endswith("Z.md")
    # idempotent: a second start changes nothing
    before = store.state.model_dump_json()
    engine.start()
    assert store.state.model_dump_json() == before


def test_whole_interview_to_crystallization(greenfield):
    project, store, engine = greenfield
    engine.start()
    expected_kinds = [
        "overview", "non_goals", "decision_boundaries", "ordinary", "challenge:contrarian",
        "ordinary", "pressure", "ordinary", "challenge:simplifier", "ordinary", "closure",
    ]  # fmt: skip
    # dimension scores after each round, from the facts each answer establishes
    s: dict[str, float] = {}
    expected_scores = []
    s = {"intent": PROBLEM, "outcome": USERS + PERSONAS, "scope": IN_SCOPE}  # overview
    expected_scores.append(dict(s))
    s["scope"] += NON_GOALS
    expected_scores.append(dict(s))
    s["scope"] += BOUNDARIES
    expected_scores.append(dict(s))
    s["outcome"] += METRICS
    expected_scores.append(dict(s))
    s["intent"] += CHALLENGED
    expected_scores.append(dict(s))
    s["constraints"] = STACK
    expected_scores.append(dict(s))
    s["intent"] += PRESSURE
    expected_scores.append(dict(s))
    s["success"] = ACCEPTANCE
    expected_scores.append(dict(s))
    s["scope"] += MVP
    expected_scores.append(dict(s))
    s["constraints"] += PERF + RELIABILITY  # the "Standard web" package fills both
    expected_scores.append(dict(s))
    expected_scores.append(dict(s))  # closure changes no score

    kinds = []
    gates_after = []
    early = []
    while store.state.interview.status == "active":
        early.append(engine.can_exit_early())
        kinds.append(step(store, engine))
        gates_after.append(store.state.interview.gates.model_copy())
    iv = store.state.interview
    assert kinds == expected_kinds
    assert len(kinds) <= 12  # humane: well inside the standard cap
    for rnd, want in zip(iv.rounds, expected_scores, strict=True):
        for dim in W:
            assert rnd.scores[dim] == pytest.approx(want.get(dim, 0.0)), (rnd.n, dim)
        assert rnd.ambiguity == pytest.approx(by_hand(want), abs=1e-4), rnd.n
    # spot figures at several rounds, by hand: 1-(.3*.55+.25*.3+.2*.35) = .69 after the overview
    assert iv.rounds[0].ambiguity == pytest.approx(0.69)
    assert iv.rounds[3].ambiguity == pytest.approx(0.4775)
    assert iv.rounds[9].ambiguity == pytest.approx(0.185)
    assert iv.ambiguity <= iv.threshold
    # gates: non-goals after round 2, boundaries after 3, pressure after 7, closure at the end
    assert [g.non_goals for g in gates_after] == [False] + [True] * 10
    assert [g.decision_boundaries for g in gates_after] == [False] * 2 + [True] * 9
    assert [g.pressure_pass for g in gates_after] == [False] * 6 + [True] * 5
    assert [g.closure_audit for g in gates_after] == [False] * 10 + [True]
    # early exit is offered from round 4 on
    assert early[:3] == [False, False, False] and all(early[3:])
    # each challenge mode at most once
    assert iv.challenge_modes_used == ["contrarian", "simplifier"]
    assert [r.kind for r in iv.rounds].count("challenge:contrarian") == 1
    assert iv.status == "crystallized" and iv.engine_state["residual_risk"] is None
    # the ambiguity table's reasons
    assert "problem statement +0.55" in iv.dimensions["intent"].justification
    assert iv.dimensions["success"].gap == "test plan"
    # SPEC.md holds the answers, section by section
    text = project.spec.read_text()
    assert "- **Problem & Outcome**: Small teams lose track of recurring chores" in text
    assert "- **Target Users**: small teams" in text
    assert "- **Out-of-scope**: Not in v1: Native mobile apps" in text
    assert "- **Decision Boundaries**: Implementer may decide without confirmation" in text
    assert "- **Assumptions**: Pressure pass (round 1 claim): evidence observed directly" in text
    assert "p95 < 300 ms" in text
    doc = spec_repo.read_document(project)
    assert doc is not None and not doc.missing and not doc.duplicates
    # §17: seeded with numbered items, answered ones moved to the history
    oq = doc.section_body("open_questions")
    assert "What is explicitly out of scope for v1 (non-goals)? → Native mobile apps" in oq
    assert "1. " in oq  # still-outstanding items are numbered
    # artifacts
    spec_art = project.root / iv.artifacts["spec"]
    transcript = project.root / iv.artifacts["transcript"]
    assert spec_art == project.omx_specs / "deep-interview-choreboard.md"
    assert transcript.parent == project.omx_interviews
    assert transcript.name.startswith("choreboard-") and transcript.name.endswith("Z.md")
    art = spec_art.read_text()
    for heading in (
        "## Metadata", "## Clarity breakdown", "## Intent", "## Desired outcome", "## In-scope",
        "## Out-of-scope / Non-goals", "## Decision boundaries", "## Constraints",
        "## Testable acceptance criteria", "## Assumptions exposed + resolutions",
        "## Pressure-pass findings", "## Condensed transcript",
    ):  # fmt: skip
        assert heading in art
    assert "- Profile: standard" in art and "- Rounds: 11" in art
    assert "- Final ambiguity: 18.5%" in art and "- Context type: greenfield" in art
    assert "| Intent | 0.30 | 0.85 | 0.255 |" in art  # problem + challenged + pressure
    assert "Residual risk" not in art
    assert "Round 11" in transcript.read_text()


def test_validation_pass_finalizes_to_100_percent(greenfield):
    project, store, engine = greenfield
    engine.start()
    while store.state.interview.status == "active":
        step(store, engine)
    cur = store.state.interview.current
    assert cur is not None and cur.kind == "finalize" and cur.target_units == ["vision"]
    labels = [o.label for o in cur.question.options]
    assert labels == ["Finalize", "Finalize all clarified", "Keep editing"]
    assert cur.question.allow_other is False
    engine.answer(build_answer(cur.question, [1], None))  # finalize all
    rounds = 0
    while store.state.interview.current is not None:
        assert store.state.interview.current.kind != "finalize"
        step(store, engine)
        rounds += 1
        assert rounds < 40
    assert spec_repo.progress(project, store) == 100
    msg = store.state.interview.engine_state["finish_message"]
    assert msg.startswith("✅ SPEC complete.")
    assert "Spec Creation Progress: ████████████ 100%" in msg
    assert "- [x] Domain Model: final" in msg
    assert store.state.interview.engine_state["phase"] == "done"
    engine.start()  # a finished interview stays finished
    assert store.state.interview.current is None


def test_keep_editing_leaves_section_clarified(greenfield):
    project, store, engine = greenfield
    engine.start()
    while store.state.interview.status == "active":
        step(store, engine)
    cur = store.state.interview.current
    engine.answer(build_answer(cur.question, [2], None))  # keep editing §1
    assert spec_repo.statuses(project, store)["vision"] == "clarified"
    nxt = store.state.interview.current
    assert nxt is not None and nxt.target_units != ["vision"]


def test_resume_after_reopening_the_store(greenfield):
    project, store, engine = greenfield
    engine.start()
    for _ in range(5):
        step(store, engine)
    pending = store.state.interview.current
    assert pending is not None and pending.round == 6
    # a new process: fresh store from disk, fresh engine
    store2 = SessionStore.open(project)
    engine2 = make_interviewer(project, store2, SpecuiConfig())
    engine2.start()
    assert store2.state.interview.current == pending
    assert len(store2.state.interview.rounds) == 5
    engine2.answer(good_answer(store2))
    assert store2.state.interview.rounds[-1].question == pending.question
    assert store2.state.interview.current.round == 7


def test_early_exit_writes_artifacts_with_residual_risk(greenfield):
    project, store, engine = greenfield
    engine.start()
    for _ in range(2):
        step(store, engine)
    assert not engine.can_exit_early()
    with pytest.raises(SpecuiError):
        engine.exit_early()
    step(store, engine)
    assert engine.can_exit_early()
    cur = store.state.interview.current
    assert "exit early" in cur.note and "ambiguity" in cur.note  # the round-4 risk warning
    assert "risk" in engine.exit_warning()
    engine.exit_early()
    iv = store.state.interview
    assert iv.status == "exited"
    risk = iv.engine_state["residual_risk"]
    assert risk and "exited early" in risk and risk in iv.warnings
    art = (project.root / iv.artifacts["spec"]).read_text()
    assert "## Residual risk" in art and "- Status: exited" in art
    assert not engine.can_exit_early()
    # the validation pass follows
    assert iv.current is not None and iv.current.kind in ("finalize", "ordinary")


def test_hard_cap_crystallizes_with_residual_risk(tmp_path: Path):
    project, store, engine = make(tmp_path / "capped", profile="quick")
    engine.start()
    assert (store.state.interview.max_rounds, store.state.interview.threshold) == (5, 0.30)
    while store.state.interview.status == "active":
        cur = store.state.interview.current
        if cur.kind == "overview":
            engine.answer(build_answer(cur.question, [], "A thing."))  # vague
        else:
            engine.answer(good_answer(store))
    iv = store.state.interview
    assert len(iv.rounds) == 5  # never more than max_rounds
    assert iv.status == "crystallized"
    assert iv.engine_state["crystallized_reason"] == "hard_cap"
    assert iv.ambiguity > iv.threshold
    assert "Hard cap of 5 rounds" in iv.engine_state["residual_risk"]
    assert "## Residual risk" in (project.root / iv.artifacts["spec"]).read_text()
    # quick profile midpoint is round 3: soft warning shown there
    assert any("midpoint" in w for w in iv.warnings)


def test_soft_warning_at_standard_midpoint(greenfield):
    _, store, engine = greenfield
    engine.start()
    for _ in range(5):
        step(store, engine)
    cur = store.state.interview.current
    assert cur.round == 6 and "round 6 of 12" in cur.note and "midpoint" in cur.note


def test_challenge_modes_off(tmp_path: Path):
    _, store, engine = make(tmp_path / "plain", challenges=False)
    engine.start()
    while store.state.interview.status == "active":
        step(store, engine)
    iv = store.state.interview
    assert iv.challenge_modes_used == []
    assert not any(r.kind.startswith("challenge:") for r in iv.rounds)
    assert iv.gates.pressure_pass  # the pressure pass is a gate, not a challenge mode


def test_closure_refine_keeps_interviewing(greenfield):
    _, store, engine = greenfield
    engine.start()
    while store.state.interview.current.kind != "closure":
        step(store, engine)
    cur = store.state.interview.current
    refine = [o.value for o in cur.question.options].index("refine")
    engine.answer(build_answer(cur.question, [refine], None))
    iv = store.state.interview
    assert iv.status == "active" and not iv.gates.closure_audit
    assert iv.current.kind == "ordinary"


def test_closure_other_text_becomes_open_question(greenfield):
    project, store, engine = greenfield
    engine.start()
    while store.state.interview.current.kind != "closure":
        step(store, engine)
    cur = store.state.interview.current
    engine.answer(build_answer(cur.question, [], "Billing provider is undecided"))
    assert store.state.interview.status == "crystallized"
    assert "Billing provider is undecided" in project.spec.read_text()


def test_answer_validation(greenfield):
    _, store, engine = greenfield
    with pytest.raises(SpecuiError):
        engine.answer(Answer(kind="text", value="x"))  # nothing asked yet
    engine.start()
    with pytest.raises(SpecuiError):
        engine.answer(Answer(kind="option", value="x", selected_values=["x"]))
    step(store, engine)
    with pytest.raises(SpecuiError):
        engine.answer(Answer(kind="text", value="free text for an options question"))
    with pytest.raises(SpecuiError):
        engine.answer(Answer(kind="option", value="nope", selected_values=["nope"]))
    assert len(store.state.interview.rounds) == 1


def test_session_file_is_json_with_rounds(greenfield):
    project, store, engine = greenfield
    engine.start()
    step(store, engine)
    data = json.loads(project.session.read_text())
    rnd = data["interview"]["rounds"][0]
    assert rnd["kind"] == "overview" and rnd["answer"]["value"] == OVERVIEW
    assert data["interview"]["initial_idea"] == OVERVIEW


def test_validation_pass_is_numbered_apart_from_the_capped_interview(tmp_path: Path):
    """After the hard cap, seed 000's validation pass goes on, but never as 'Round 6 of 5'."""
    from specui.status import build_status

    project, store, engine = make(tmp_path / "capped2", profile="quick")
    engine.start()
    while store.state.interview.status == "active":
        cur = store.state.interview.current
        if cur.kind == "overview":
            engine.answer(build_answer(cur.question, [], "A thing."))
        else:
            engine.answer(good_answer(store))
    for step_no in range(1, 4):  # three validation steps
        cur = store.state.interview.current
        assert cur is not None and cur.phase == "validation" and cur.round == step_no
        status = build_status(project, store)["interview"]
        assert status["round"] == 5 and status["max_rounds"] == 5
        assert status["validation_step"] == step_no
        engine.answer(good_answer(store))
    rounds = store.state.interview.rounds
    assert [r.phase for r in rounds].count("interview") == 5
    assert [r.phase for r in rounds].count("validation") == 3


def test_standalone_security_section_is_filled_and_never_duplicated_into_nfr(tmp_path: Path):
    """A user who keeps `## Security & Privacy` as its own section gets it filled in place."""
    from specui.core.spec import SpecDocument, render_spec_template

    root = tmp_path / "sec"
    root.mkdir()
    text = render_spec_template("sec").replace(
        "- **Security & Privacy**: authZ/authN, secrets, PII handling\n", ""
    )
    text = text.replace(
        "## 10. Integrations", "## Security & Privacy\n- <how auth works>\n\n## 10. Integrations"
    )
    (root / "SPEC.md").write_text(text, encoding="utf-8")
    _, store, engine = make(root)
    engine.start()
    for _ in range(60):
        cur = store.state.interview.current
        if cur is None:
            break
        engine.answer(good_answer(store))
        doc = SpecDocument.parse((root / "SPEC.md").read_text(encoding="utf-8"))
        assert "Security & Privacy" not in (doc.section_body("nfr") or "")
        if "security" in cur.target_units and cur.kind != "finalize":
            break
    doc = SpecDocument.parse((root / "SPEC.md").read_text(encoding="utf-8"))
    assert doc.has_standalone_security
    security = doc.unit_text("security") or ""
    assert security and "<how auth works>" not in security
    assert "Security & Privacy" not in (doc.section_body("nfr") or "")
