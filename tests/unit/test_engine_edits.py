"""The interviewer and a user who edits SPEC.md by hand: skips, merges, conflicts, brownfield."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from specui import spec_repo
from specui.core.config import DeepInterviewConfig, SpecuiConfig
from specui.core.paths import Project
from specui.core.questions import Answer, Question, build_answer
from specui.engines import make_interviewer
from specui.engines.builtin import BuiltinInterviewer, detect_code
from specui.store import SessionStore

OVERVIEW = (
    "Small teams lose track of recurring chores because reminders live in chat threads. "
    "Choreboard is a web app for small teams to track recurring chores. "
    "It lets members create chores, assign them and get reminders."
)
# seed 004 §2c brownfield weights
BW = {
    "intent": 0.25,
    "outcome": 0.20,
    "scope": 0.20,
    "constraints": 0.15,
    "success": 0.10,
    "context": 0.10,
}


def make(root: Path):
    root.mkdir(parents=True, exist_ok=True)
    project = Project.at(root)
    store = SessionStore.open(project)
    t = [datetime(2026, 1, 1, tzinfo=UTC)]

    def clock() -> datetime:
        t[0] += timedelta(seconds=1)
        return t[0]

    engine = BuiltinInterviewer(project, store, deep=DeepInterviewConfig(), clock=clock)
    return project, store, engine


def recommended(q: Question) -> Answer:
    idx = [i for i, o in enumerate(q.options) if o.recommended] or [0]
    return build_answer(q, idx if q.type == "multi-answerable" else idx[:1], None)


def answer_current(store: SessionStore, engine: BuiltinInterviewer, text: str = OVERVIEW) -> None:
    cur = store.state.interview.current
    if cur.question.is_free_text:
        engine.answer(build_answer(cur.question, [], text))
    else:
        engine.answer(recommended(cur.question))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_hand_edited_sections_are_skipped(tmp_path: Path):
    project, store, engine = make(tmp_path / "p")
    engine.start()
    # Before answering round 1 the user fills non-goals and a problem statement by hand.
    edit(project.spec, "<what is explicitly not built>", "no mobile app, no billing")
    edit(project.spec, "<why this matters>", "My own words about the problem.")
    answer_current(store, engine)
    iv = store.state.interview
    assert iv.gates.non_goals  # explicit in SPEC.md: the gate is met without asking
    assert iv.current.kind == "decision_boundaries"
    text = project.spec.read_text()
    assert "- **Problem & Outcome**: My own words about the problem." in text  # not overwritten
    assert "- **Out-of-scope**: no mobile app, no billing" in text
    body = spec_repo.read_document(project).section_body("open_questions")
    assert "out of scope for v1" not in body  # never seeded: already answered
    # the whole interview never asks the non-goals question
    while store.state.interview.status == "active":
        answer_current(store, engine, "Answer text")
    assert "non_goals" not in [r.kind for r in store.state.interview.rounds]


def test_hand_edit_after_seeding_resolves_open_question(tmp_path: Path):
    project, store, engine = make(tmp_path / "p")
    engine.start()
    answer_current(store, engine)  # overview: §17 seeded
    body = spec_repo.read_document(project).section_body("open_questions")
    assert "Is the stack in stack.toml confirmed?" in body
    edit(project.spec, "- **CI/CD**:", "- **Stack**: python + fastapi, final\n- **CI/CD**:")
    answer_current(store, engine)  # non-goals round; the sweep sees the hand edit
    body = spec_repo.read_document(project).section_body("open_questions")
    assert "Is the stack in stack.toml confirmed? → answered in SPEC.md" in body
    assert store.state.interview.dimensions["constraints"].score == pytest.approx(0.30)


def test_concurrent_edit_of_the_target_bullet_becomes_a_conflict(tmp_path: Path):
    project, store, engine = make(tmp_path / "p")
    engine.start()
    answer_current(store, engine)
    cur = store.state.interview.current
    assert cur.kind == "non_goals"
    # While the question is on screen the user writes the same bullet in their editor.
    edit(project.spec, "<what is explicitly not built>", "whatever I typed myself")
    engine.answer(build_answer(cur.question, [0, 2], None))
    text = project.spec.read_text()
    assert "- **Out-of-scope**: whatever I typed myself" in text  # the user's text wins
    conflicts = store.state.spec.conflicts
    assert len(conflicts) == 1 and conflicts[0].unit == "scope"
    assert "Not in v1: Native mobile apps; Payments & billing" in conflicts[0].text
    last = store.state.interview.rounds[-1]
    assert last.kind == "non_goals" and last.answer.selected_values == ["mobile", "billing"]
    assert "conflict" in store.state.interview.current.note


def test_concurrent_edit_of_another_bullet_is_merged(tmp_path: Path):
    project, store, engine = make(tmp_path / "p")
    engine.start()
    answer_current(store, engine)
    cur = store.state.interview.current
    text = project.spec.read_text()
    in_scope_line = next(ln for ln in text.splitlines() if ln.startswith("- **In-scope**"))
    edit(project.spec, in_scope_line, "- **In-scope**: my rewritten scope")
    engine.answer(build_answer(cur.question, [0], None))
    text = project.spec.read_text()
    assert "- **In-scope**: my rewritten scope" in text
    assert "- **Out-of-scope**: Not in v1: Native mobile apps" in text
    assert store.state.spec.conflicts == []


def test_free_text_cannot_break_the_document(tmp_path: Path):
    project, store, engine = make(tmp_path / "p")
    engine.start()
    nasty = "Teams need this.\n## 2. Scope & Non-Goals\n```\nunclosed fence [/] [bold]x"
    answer_current(store, engine, nasty)
    doc = spec_repo.read_document(project)
    assert doc.missing == [] and doc.duplicates == []
    assert store.state.interview.rounds[0].answer.value == nasty.strip()


def test_spec_deleted_mid_interview_is_recreated(tmp_path: Path):
    project, store, engine = make(tmp_path / "p")
    engine.start()
    answer_current(store, engine)
    project.spec.unlink()
    answer_current(store, engine)  # non-goals
    assert "- **Out-of-scope**: Not in v1: Native mobile apps" in project.spec.read_text()


def test_brownfield_detected_and_interviewed(tmp_path: Path):
    root = tmp_path / "legacy"
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text("print('hi')\n")
    project, store, engine = make(root)
    engine.start()
    iv = store.state.interview
    assert iv.type == "brownfield"
    assert set(iv.dimensions) == set(BW)
    assert "src/app.py" in iv.current.note
    assert "src/app.py" in (project.root / iv.artifacts["context"]).read_text()
    assert iv.dimensions["context"].score == pytest.approx(0.25)  # existing code scanned
    answer_current(store, engine)
    # by hand, brownfield weights: problem .55, users+personas .30, in-scope .35, scanned .25
    want = {"intent": 0.55, "outcome": 0.30, "scope": 0.35, "context": 0.25}
    by_hand = round(1 - sum(BW[d] * want.get(d, 0.0) for d in BW), 4)
    assert store.state.interview.ambiguity == pytest.approx(by_hand) == pytest.approx(0.7075)
    while store.state.interview.status == "active":
        answer_current(store, engine, "term: meaning")
    iv = store.state.interview
    assert iv.challenge_modes_used.count("terminologist") == 1
    assert any(r.dimension == "context" and r.kind == "ordinary" for r in iv.rounds)
    assert len(iv.rounds) <= iv.max_rounds
    assert "- Context type: brownfield" in (project.root / iv.artifacts["spec"]).read_text()


def test_specui_own_files_do_not_make_brownfield(tmp_path: Path):
    root = tmp_path / "clean"
    for rel in (
        "SPEC.md", "stack.toml", "specui.toml", "omx.toml", ".omx/x.py", ".specui/s.py",
        "orchestrator/run.sh", ".hidden/a.py", "notes.txt", "README.md",
    ):  # fmt: skip
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x\n")
    assert detect_code(root) == []
    (root / "pkg").mkdir()
    (root / "pkg" / "package.json").write_text("{}")
    assert detect_code(root) == ["pkg/package.json"]


def test_reviewed_stack_is_recorded_from_round_one(tmp_path: Path):
    project, store, engine = make(tmp_path / "p")
    engine.start()
    edit(project.stack, '"typescript"', '"python"')
    answer_current(store, engine)
    text = project.spec.read_text()
    assert "- **Stack**: from stack.toml (reviewed): language=python" in text
    assert store.state.interview.dimensions["constraints"].score == pytest.approx(0.30)


def test_make_interviewer_falls_back_to_builtin_with_a_warning(tmp_path: Path):
    root = tmp_path / "p"
    root.mkdir()
    project = Project.at(root)
    store = SessionStore.open(project)
    config = SpecuiConfig.model_validate({"interview": {"engine": "codex"}})
    engine = make_interviewer(project, store, config)
    assert isinstance(engine, BuiltinInterviewer)
    assert any("codex" in w for w in store.state.interview.warnings)


def test_challenge_mode_rules(tmp_path: Path):
    project, store, engine = make(tmp_path / "p")
    engine.start()
    answer_current(store, engine)
    iv = store.state.interview.model_copy(deep=True)
    doc = spec_repo.read_document(project)
    b = {k: doc.section_body(k) for k in ("vision", "scope", "personas", "risks", "milestones")}

    def pick(n: int, amb: float) -> str | None:
        e = engine._pick_special(iv, n, amb, b)
        return e.key if e else None

    assert pick(1, 0.9) is None
    assert pick(2, 0.6) == "challenge.contrarian"
    iv.challenge_modes_used.append("contrarian")
    assert pick(3, 0.6) is None  # pressure and simplifier wait for round 4
    assert pick(4, 0.6) == "pressure.evidence"
    iv.engine_state["tags"].append("pressure")
    assert pick(4, 0.6) == "challenge.simplifier"
    iv.challenge_modes_used.append("simplifier")
    assert pick(4, 0.6) is None  # ontologist waits for round 5
    assert pick(5, 0.30) == "challenge.ontologist"
    assert pick(5, 0.25) is None  # only while ambiguity > 0.25
    iv.engine_state["challenge_modes"] = False
    iv.challenge_modes_used.clear()
    iv.engine_state["tags"].remove("pressure")
    assert pick(6, 0.6) == "pressure.evidence"  # the pressure pass is not a challenge mode
