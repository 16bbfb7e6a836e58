"""Whole interviews through the driver with a scripted engine: seed 000's validation pass and
finish (every section final, 100%, the recap), resuming, hand edits of SPEC.md, brownfield
detection and the profile/config knobs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from test_driver import NOW, FakeEngine, following, make, pick

from specui import spec_repo
from specui.core.config import parse_config
from specui.core.interview.contract import EngineRequest
from specui.core.paths import Project
from specui.core.questions import Answer
from specui.core.spec import UNIT_KEYS
from specui.interview import context
from specui.interview.driver import InterviewDriver
from specui.store import SessionStore

ALL_DIMS = ("intent", "outcome", "scope", "constraints", "success")
BODIES = {k: f"- **Notes**: decided in the interview ({k})" for k in UNIT_KEYS}
DEFAULT_BODY = "- **Notes**: Default (assumed): the usual choice (rationale: accepted)"


def clear_scores(value: float) -> list[dict[str, Any]]:
    return [{"dimension": d, "score": value, "justification": "j", "gap": ""} for d in ALL_DIMS]


def smart(request: EngineRequest) -> str:
    """An engine that obeys every directive, makes each gate explicit when it is asked about,
    raises the scores every round, and fills the section a validation step targets."""
    d = request.directive
    answered = [t.round for t in request.transcript if t.phase == "interview"]
    over: dict[str, Any] = {}
    if d.kind == "validation":
        below = [s.key for s in request.sections if s.status in ("unknown", "drafted")]
        keys = [k for k in below if k not in d.protected_sections and k not in d.default_sections]
        over["patches"] = [{"section": k, "body": BODIES[k]} for k in keys[:6]]
        over["patches"] += [{"section": k, "body": DEFAULT_BODY} for k in d.default_sections]
        over["deferrals"] = [
            {"section": k, "topic": k, "default": "the usual choice", "rationale": "accepted"}
            for k in d.default_sections
        ]
        return following(request, **over)
    n = len(answered)
    over["scores"] = clear_scores(min(0.95, 0.2 * n))
    evidence = []
    last = request.last_answer
    if last is not None and last.phase == "interview":
        for t in request.transcript:
            if t.round == last.round and "out of scope" in t.question:
                evidence.append({"gate": "non_goals", "round": t.round, "note": "said"})
            if t.round == last.round and "decide" in t.question:
                evidence.append({"gate": "decision_boundaries", "round": t.round, "note": "said"})
    over["gate_evidence"] = evidence
    text = {
        "non_goals": "What is out of scope for v1?",
        "decision_boundaries": "What may the implementer decide without asking?",
    }.get(d.gate or "", f"Round {d.round}: what matters most?")
    over["question"] = {
        "question": text,
        "type": "single-answerable",
        "options": [
            {"label": "Speed", "value": "speed", "description": "fast", "recommended": True},
            {"label": "Cost", "value": "cost", "description": "cheap", "recommended": False},
        ],
        "allow_other": True,
        "header": None,
        "dimension": None,
    }
    if d.kind == "overview":
        over["question"] = {**over["question"], "type": "free-text", "options": []}
    over["ready_to_crystallize"] = d.kind == "closure"
    return following(request, **over)


class SmartEngine(FakeEngine):
    def run_turn(self, request, *, feedback, on_activity, cancel, timeout) -> str:
        self.requests.append(request)
        self.feedback.append(feedback)
        reply = json.loads(smart(request))
        if feedback and "ready_to_crystallize" in feedback:
            reply["ready_to_crystallize"] = False
            if reply["question"] is None:
                reply["question"] = json.loads(smart(request))["question"] or {
                    "question": "Anything else that changes execution?",
                    "type": "free-text",
                    "options": [],
                    "allow_other": True,
                    "header": None,
                    "dimension": None,
                }
        return json.dumps(reply)


def run_to_end(store: SessionStore, driver: InterviewDriver, limit: int = 60) -> None:
    for _ in range(limit):
        iv = store.state.interview
        if iv.current is None or iv.engine.status == "error":
            return
        if iv.current.kind == "finalize":
            return
        driver.answer(pick(store))


def test_threshold_validation_pass_and_seed_000_finish(tmp_path: Path):
    root = tmp_path / "demo"
    root.mkdir()
    project = Project.at(root)
    store, driver = make(project, SmartEngine())
    driver.start()
    run_to_end(store, driver)
    iv = store.state.interview
    assert iv.engine.status == "idle", iv.engine.error
    assert iv.end_reason == "threshold" and iv.open_gates() == []
    assert iv.rounds_done <= iv.max_rounds
    assert iv.current is not None and iv.current.kind == "finalize"
    # validation steps are numbered apart from the capped rounds
    assert all(r.n <= iv.max_rounds for r in iv.rounds if r.phase == "interview")
    assert any(r.phase == "validation" for r in iv.rounds)
    assert "spec" in iv.artifacts and (project.root / iv.artifacts["spec"]).is_file()
    statuses = spec_repo.statuses(project, store)
    assert all(s in ("clarified", "final") for s in statuses.values())
    driver.answer(Answer(kind="option", value="finalize"))
    iv = store.state.interview
    assert iv.finished and iv.phase == "done" and iv.current is None
    assert spec_repo.progress(project, store) == 100
    assert iv.finish_message.endswith("Spec Creation Progress: ████████████ 100%")
    # the project's own folder, the way the Done view names it (trial H5: "/SPEC.md")
    assert iv.finish_message.startswith(
        "✅ SPEC complete. SPEC.md lives at the repo root: demo/SPEC.md.\n"
    )
    assert "/SPEC.md." not in iv.finish_message.replace("demo/SPEC.md.", "")


def test_not_yet_at_finalize_goes_back_to_the_validation_pass(tmp_path: Path):
    root = tmp_path / "demo"
    root.mkdir()
    project = Project.at(root)
    engine = SmartEngine()
    store, driver = make(project, engine)
    driver.start()
    run_to_end(store, driver)
    assert store.state.interview.current.kind == "finalize"
    driver.answer(Answer(kind="other", value="The latency target is wrong: p95 100 ms"))
    last = engine.requests[-1]
    assert last.directive.kind == "validation"
    assert last.last_answer.answer == "The latency target is wrong: p95 100 ms"
    # The change is an open question now: the pass asks about it, not "finalize?" again.
    assert store.state.interview.current.phase == "validation"
    assert store.state.interview.current.kind != "finalize"
    assert "The latency target is wrong: p95 100 ms" in project.spec.read_text()


def test_resume_after_reopening_the_store(tmp_path: Path):
    root = tmp_path / "demo"
    root.mkdir()
    project = Project.at(root)
    store, driver = make(project, FakeEngine())
    driver.start()
    driver.answer(pick(store))
    question = store.state.interview.current
    engine2 = FakeEngine()
    store2, driver2 = make(project, engine2)
    driver2.start()
    assert store2.state.interview.current == question
    assert engine2.requests == []  # nothing re-asked


def test_a_round_that_was_running_when_specui_stopped_runs_again(tmp_path: Path):
    root = tmp_path / "demo"
    root.mkdir()
    project = Project.at(root)
    store, driver = make(project, FakeEngine())
    driver.start()
    answer = pick(store)
    store.update(lambda s: setattr(s.interview.engine, "status", "thinking"))
    store.update(lambda s: setattr(s.interview.engine, "pending_answer", answer))
    engine2 = FakeEngine()
    store2, driver2 = make(project, engine2)
    driver2.start()
    iv = store2.state.interview
    assert len(iv.rounds) == 1 and iv.rounds[0].answer.value == answer.value
    assert engine2.requests[0].last_answer is not None


def test_concurrent_edit_of_the_patched_section_becomes_a_conflict(tmp_path: Path):
    root = tmp_path / "demo"
    root.mkdir()
    project = Project.at(root)
    body = "- **Problem & Outcome**: the engine's text"

    def edit_then_reply(request: EngineRequest) -> str:
        text = project.spec.read_text()
        project.spec.write_text(
            text.replace("<why this matters>", "MY OWN EDIT while the engine thought")
        )
        return following(request, patches=[{"section": "vision", "body": body}])

    store, driver = make(project, FakeEngine([following, edit_then_reply]))
    driver.start()
    driver.answer(pick(store))
    text = project.spec.read_text()
    assert "MY OWN EDIT while the engine thought" in text and body not in text
    conflicts = store.state.spec.conflicts
    assert [c.unit for c in conflicts] == ["vision"] and conflicts[0].text == body
    assert store.state.interview.rounds_done == 1  # the answer itself is kept


def test_spec_deleted_mid_interview_is_recreated(tmp_path: Path):
    root = tmp_path / "demo"
    root.mkdir()
    project = Project.at(root)
    store, driver = make(project, FakeEngine())
    driver.start()
    project.spec.unlink()
    driver.answer(pick(store))
    assert project.spec.is_file() and store.state.interview.rounds_done == 1


def test_brownfield_is_detected_and_its_context_reaches_the_engine(tmp_path: Path):
    root = tmp_path / "legacy"
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text("print('hi')\n")
    (root / "pyproject.toml").write_text("[project]\nname='legacy'\n")
    (root / "README.md").write_text("# legacy\n")
    project = Project.at(root)
    engine = FakeEngine()
    store, driver = make(project, engine)
    driver.start()
    iv = store.state.interview
    assert iv.type == "brownfield"
    bf = engine.requests[0].brownfield
    assert bf is not None and "src/app.py" in bf.files_sample and "pyproject.toml" in bf.manifests
    assert bf.languages == ["python"] and "README.md" in bf.docs
    assert bf.snapshot_path == iv.artifacts["context"]
    assert engine.requests[0].interview_type == "brownfield"


def test_specui_own_files_do_not_make_brownfield(tmp_path: Path):
    root = tmp_path / "clean"
    for rel in (
        "SPEC.md", "stack.toml", "specui.toml", "omx.toml", ".omx/x.py", ".specui/s.py",
        "orchestrator/run.sh", ".hidden/a.py", "notes.txt", "README.md",
    ):  # fmt: skip
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x\n")
    assert context.detect(root) is None
    (root / "pkg").mkdir()
    (root / "pkg" / "package.json").write_text("{}")
    found = context.detect(root)
    assert found is not None and found.manifests == ["pkg/package.json"]


def test_profile_flag_and_config_choose_the_depth(tmp_path: Path):
    root = tmp_path / "demo"
    root.mkdir()
    project = Project.at(root)
    store, driver = make(project, FakeEngine(), profile="deep")
    driver.start()
    iv = store.state.interview
    assert (iv.profile, iv.threshold, iv.max_rounds) == ("deep", 0.15, 20)
    root2 = tmp_path / "demo2"
    root2.mkdir()
    (root2 / ".omx").mkdir()
    (root2 / ".omx" / "config.toml").write_text(
        '[omx.deepInterview]\ndefaultProfile = "quick"\nenableChallengeModes = false\n'
    )
    project2 = Project.at(root2)
    store2, driver2 = make(project2, FakeEngine())
    driver2.start()
    iv2 = store2.state.interview
    assert (iv2.profile, iv2.max_rounds) == ("quick", 5) and not iv2.challenge_modes_enabled
    store3, driver3 = make(
        Project.at(root2), FakeEngine(), parse_config({"interview": {"profile": "standard"}})
    )
    store3.update(lambda s: setattr(s, "interview", type(s.interview)()))
    driver3.start()
    assert store3.state.interview.profile == "standard"


def test_a_profile_flag_on_a_running_interview_is_said_not_ignored(tmp_path: Path):
    root = tmp_path / "demo"
    root.mkdir()
    project = Project.at(root)
    _, driver = make(project, FakeEngine())
    driver.start()
    store2, driver2 = make(project, FakeEngine(), profile="deep")
    driver2.start()
    iv = store2.state.interview
    assert iv.profile == "standard"
    note = "this interview runs with the standard profile; --deep applies when an interview starts"
    assert note in iv.warnings


def test_challenge_modes_off_means_none_is_directed(tmp_path: Path):
    root = tmp_path / "demo"
    root.mkdir()
    (root / "omx.toml").write_text("[omx.deepInterview]\nenableChallengeModes = false\n")
    project = Project.at(root)
    engine = FakeEngine()
    store, driver = make(project, engine)
    driver.start()
    for _ in range(10):
        if store.state.interview.current is None:
            break
        driver.answer(pick(store))
    assert all(r.directive.challenge_mode is None for r in engine.requests)


def test_activity_lines_reach_the_store(tmp_path: Path):
    root = tmp_path / "demo"
    root.mkdir()
    project = Project.at(root)
    seen: list[list[str]] = []

    class Busy(FakeEngine):
        def run_turn(self, request, *, feedback, on_activity, cancel, timeout):
            on_activity("reading src/app.py")
            seen.append(list(store.state.interview.engine.activity))
            assert store.state.interview.engine.status == "thinking"
            assert store.state.interview.engine.started_at == NOW
            return following(request)

    store, driver = make(project, Busy())
    driver.start()
    assert seen == [["reading src/app.py"]]
    assert store.state.interview.engine.status == "idle"


def test_a_round_a_live_process_runs_is_left_to_it(tmp_path: Path):
    import subprocess

    from specui.core.errors import SpecuiError
    from specui.interview.headless import run_headless
    from specui.runner.procid import identify

    root = tmp_path / "demo"
    root.mkdir()
    project = Project.at(root)
    store, driver = make(project, FakeEngine())
    driver.start()
    other = subprocess.Popen(["sleep", "30"])
    try:
        ident = identify(other.pid)
        assert ident is not None

        def owned(s):
            s.interview.engine.status = "thinking"
            s.interview.engine.pending_answer = Answer(kind="text", value="x")
            s.interview.engine.owner_pid = other.pid
            s.interview.engine.owner_start = ident.start_time
            s.interview.engine.owner_boot = ident.boot_id

        store.update(owned)
        engine2 = FakeEngine()
        store2, driver2 = make(project, engine2)
        driver2.start()
        assert engine2.requests == [] and driver2.busy_elsewhere()
        assert store2.state.interview.rounds == []
        try:
            run_headless(project)
        except SpecuiError as exc:
            assert exc.exit_code == 1 and f"another specui (pid {other.pid})" in str(exc)
        else:
            raise AssertionError("a live owner's round was run twice")
    finally:
        other.kill()
        other.wait()
    driver3 = make(project, FakeEngine())[1]
    driver3.start()  # the owner is gone: the round runs again here
    assert driver3.state.rounds_done == 1
