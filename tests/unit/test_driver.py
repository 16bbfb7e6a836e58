"""The interview driver with a scripted engine: validation and retry, the one clear error,
protocol overrides (contradictions, deferrals, gates, the hard cap, early exit) and the
crash-recovery journal."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from engine_reply import engine_reply
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from specui.core.config import SpecuiConfig, parse_config
from specui.core.errors import SpecuiError
from specui.core.interview.contract import EngineRequest
from specui.core.paths import Project
from specui.core.questions import Answer
from specui.interview.driver import ACTIVITY_EVERY, InterviewDriver
from specui.interview.engines.base import Engine, EngineCancelled, EngineSession
from specui.store import SessionStore

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
Script = str | Exception | Callable[[EngineRequest], str]


def q(text: str = "What matters most?", **over: Any) -> dict[str, Any]:
    return {
        "question": text,
        "type": "single-answerable",
        "options": [
            {"label": "Speed", "value": "speed", "description": "fast", "recommended": True},
            {"label": "Cost", "value": "cost", "description": "cheap", "recommended": False},
        ],
        "allow_other": True,
        "header": None,
        "dimension": None,
        **over,
    }


def reply(**over: Any) -> dict[str, Any]:
    return engine_reply(q(), "the weakest dimension", **over)


def following(request: EngineRequest, **over: Any) -> str:
    """A reply that obeys the directive's structural demands (pressure, final turn)."""
    d = request.directive
    data = reply(**over)
    if d.pressure_followup and "pressure" not in over:
        data["pressure"] = {
            "revisits_round": d.revisit_round or request.transcript[-1].round,
            "kind": d.pressure_kind or "evidence",
        }
    if d.kind == "final":
        data["question"] = None
    elif d.kind == "overview" and "question" not in over:
        data["question"] = q("Give an overview.", type="free-text", options=[], allow_other=False)
    return json.dumps(data)


class FakeEngine(Engine):
    name = "fake"

    def __init__(self, script: list[Script] | None = None) -> None:
        super().__init__(EngineSession(engine="fake"))
        self.script = list(script or [])
        self.requests: list[EngineRequest] = []
        self.feedback: list[str | None] = []

    def run_turn(self, request, *, feedback, on_activity, cancel, timeout) -> str:
        self.requests.append(request)
        self.feedback.append(feedback)
        on_activity("reading SPEC.md")
        step = self.script.pop(0) if self.script else following
        if isinstance(step, Exception):
            raise step
        if callable(step):
            return step(request)
        return step


@pytest.fixture
def project(tmp_path: Path) -> Project:
    root = tmp_path / "demo"
    root.mkdir()
    return Project.at(root)


def make(project: Project, engine: Engine | None, config: SpecuiConfig | None = None, **kw: Any):
    store = SessionStore.open(project)
    home = project.root.parent / "home"
    home.mkdir(exist_ok=True)
    driver = InterviewDriver(
        project, store, config, engine=engine, home=home, clock=lambda: NOW, **kw
    )
    return store, driver


def pick(store: SessionStore, value: str | None = None) -> Answer:
    pending = store.state.interview.current
    assert pending is not None
    if pending.question.is_free_text:
        return Answer(kind="text", value="A JWKS cache for our API gateway.")
    opt = pending.question.options[0] if value is None else None
    if opt is None:
        return Answer(kind="option", value=value)
    return Answer(kind="option", value=opt.value)


def spec_bytes(project: Project) -> bytes:
    return project.spec.read_bytes()


def until(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    """Wait for a change another thread makes (true as soon as it holds)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


# --------------------------------------------------------------------------- basic flow


def test_start_asks_the_engine_for_the_overview(project):
    engine = FakeEngine()
    store, driver = make(project, engine)
    driver.start()
    iv = store.state.interview
    assert project.spec.is_file() and project.stack.is_file()
    assert engine.requests[0].directive.kind == "overview"
    assert engine.requests[0].last_answer is None
    assert iv.status == "active" and iv.current is not None and iv.current.round == 1
    assert iv.engine.status == "idle" and iv.engine.name == "fake"
    assert "context" in iv.artifacts


def test_a_good_reply_patches_spec_md_and_specui_computes_the_ambiguity(project):
    scores = [
        {"dimension": "intent", "score": 1.0, "justification": "clear", "gap": ""},
        {"dimension": "outcome", "score": 0.4, "justification": "", "gap": "metrics"},
    ]
    body = "- **Problem & Outcome**: A JWKS cache for our API gateway."
    engine = FakeEngine(
        [following, json.dumps(reply(scores=scores, patches=[{"section": "vision", "body": body}]))]
    )
    store, driver = make(project, engine)
    driver.start()
    driver.answer(pick(store))
    iv = store.state.interview
    assert "A JWKS cache for our API gateway." in project.spec.read_text()
    assert iv.rounds[0].answer.value == "A JWKS cache for our API gateway."
    assert iv.ambiguity == pytest.approx(1 - (0.30 * 1.0 + 0.25 * 0.4))
    assert engine.requests[1].last_answer.answer == "A JWKS cache for our API gateway."
    assert engine.requests[1].directive.round == 2


def test_invalid_then_good_reply_is_retried_with_the_error_as_feedback(project):
    engine = FakeEngine([following, "this is not json", following])
    store, driver = make(project, engine)
    driver.start()
    driver.answer(pick(store))
    assert engine.feedback[1] is None
    assert engine.feedback[2] is not None and "not valid JSON" in engine.feedback[2]
    assert store.state.interview.current.round == 2
    assert store.state.interview.engine.status == "idle"


def test_invalid_twice_leaves_one_error_and_changes_nothing(project):
    engine = FakeEngine([following, "{}", json.dumps(reply(question=None))])
    store, driver = make(project, engine)
    driver.start()
    before_spec = spec_bytes(project)
    before = store.state.interview.model_copy(deep=True)
    answer = pick(store)
    driver.answer(answer)
    iv = store.state.interview
    assert iv.engine.status == "error"
    assert "refused twice" in iv.engine.error
    assert iv.engine.pending_answer.value == answer.value
    assert iv.rounds == before.rounds and iv.current == before.current
    assert iv.dimensions == before.dimensions
    assert spec_bytes(project) == before_spec
    # retry runs the same answer again
    driver.retry()
    iv = store.state.interview
    assert iv.engine.status == "idle" and iv.engine.error is None
    assert len(iv.rounds) == 1 and iv.current.round == 2


def test_an_engine_that_cannot_run_is_a_clear_error_never_a_fallback(project):
    config = parse_config({"interview": {"engine": "command", "command": ["/nonexistent/agent"]}})
    store, driver = make(project, None, config)
    driver.start()
    iv = store.state.interview
    assert iv.engine.status == "error" and iv.engine.name == "command"
    assert "agent" in iv.engine.error
    assert iv.current is None and iv.rounds == []


def test_an_unknown_engine_name_is_refused():
    from specui.interview.engines import EngineError, engine_class

    with pytest.raises(EngineError, match="unknown interview engine 'gpt'"):
        engine_class("gpt")


def test_switch_to_offline_runs_the_failed_round_with_the_builtin_engine(project, monkeypatch):
    from specui.interview import engines

    monkeypatch.setitem(engines.ENGINES, "builtin", ("test_driver", "OfflineStandIn"))
    config = parse_config({"interview": {"engine": "command", "command": ["/nonexistent/agent"]}})
    store, driver = make(project, None, config)
    driver.start()
    assert store.state.interview.engine.status == "error"
    driver.switch_to_offline()
    iv = store.state.interview
    assert iv.engine.status == "idle" and iv.engine.name == "builtin"
    assert iv.current is not None and iv.current.round == 1


class OfflineStandIn(FakeEngine):
    name = "builtin"

    def __init__(self, session: EngineSession | None = None) -> None:
        super().__init__()


def test_cancel_returns_to_the_question(project):
    engine = FakeEngine([following, EngineCancelled("cancelled")])
    store, driver = make(project, engine)
    driver.start()
    driver.answer(pick(store))
    iv = store.state.interview
    assert iv.engine.status == "idle" and iv.current.round == 1 and iv.rounds == []
    assert "cancelled" in iv.notice


def test_cancelling_the_first_round_leaves_retry_not_an_empty_pane(project):
    # Found in tmux with the Codex engine: Esc on round 1 left no question and no retry key.
    engine = FakeEngine([EngineCancelled("cancelled"), following])
    store, driver = make(project, engine)
    driver.start()
    iv = store.state.interview
    assert iv.current is None and iv.engine.status == "error"
    assert "cancelled" in (iv.engine.error or "") and "answer" not in iv.notice
    driver.retry()
    iv = store.state.interview
    assert iv.engine.status == "idle" and iv.current is not None and iv.current.round == 1


# --------------------------------------------------------------------------- protocol rules


def test_a_contradiction_becomes_the_next_question_built_by_specui(project):
    contradiction = {
        "topic": "key storage",
        "statement_a": "disk, 60 minutes",
        "where_a": "nfr",
        "statement_b": "memory only, 15 minutes",
        "where_b": "round 1",
    }
    engine = FakeEngine([following, json.dumps(reply(contradictions=[contradiction]))])
    store, driver = make(project, engine)
    driver.start()
    driver.answer(pick(store))
    pending = store.state.interview.current
    assert pending.kind == "contradiction" and pending.origin == "specui"
    assert [o.label for o in pending.question.options] == [
        "disk, 60 minutes",
        "memory only, 15 minutes",
        "Both hold",
    ]
    calls = len(engine.requests)
    engine.script = [
        lambda r: following(
            r, patches=[{"section": "nfr", "body": "- **Reliability**: memory only, 15 minutes"}]
        )
    ]
    driver.answer(Answer(kind="option", value="b"))
    assert len(engine.requests) == calls + 1
    d = engine.requests[-1].directive
    assert d.contradiction_choice == "memory only, 15 minutes"
    assert "memory only, 15 minutes" in project.spec.read_text()
    assert store.state.interview.contradictions[0].status == "resolved"


def test_a_deferral_is_written_with_its_default_and_rationale(project):
    deferral = {
        "section": "nfr",
        "topic": "latency target",
        "default": "p95 under 200 ms",
        "rationale": "typical for an interactive API",
    }
    engine = FakeEngine(
        [
            following,
            lambda r: following(
                r,
                deferrals=[deferral],
                patches=[
                    {"section": "nfr", "body": "- **Performance**: p95 under 200 ms (default)"}
                ],
            ),
        ]
    )
    store, driver = make(project, engine)
    driver.start()
    driver.answer(Answer(kind="text", value="I don't know, decide for me"))
    text = project.spec.read_text()
    assert "p95 under 200 ms" in text
    assert "Typical for an interactive API" in text  # rationale in Risks
    iv = store.state.interview
    assert iv.rounds[0].deferral and iv.deferrals[0].default == "p95 under 200 ms"
    assert "Default chosen for latency target" in iv.notice
    assert engine.requests[1].directive.answer_is_deferral


def test_crystallize_with_an_open_gate_is_refused(project):
    ready = reply(question=None, ready_to_crystallize=True)
    engine = FakeEngine([following, json.dumps(ready), json.dumps(ready)])
    store, driver = make(project, engine)
    driver.start()
    driver.answer(pick(store))
    iv = store.state.interview
    assert iv.status == "active" and iv.engine.status == "error"
    assert "readiness gate is open" in iv.engine.error
    assert "readiness gate is open" in engine.feedback[2]


def _answer_until(store, driver, rounds: int) -> None:
    for _ in range(rounds):
        if store.state.interview.current is None:
            return
        driver.answer(pick(store))


def test_the_hard_cap_holds_and_keeps_the_residual_risk_in_spec_md(project):
    engine = FakeEngine()
    store, driver = make(project, engine, profile="quick")
    driver.start()
    _answer_until(store, driver, 10)
    iv = store.state.interview
    assert iv.rounds_done == 5 and iv.max_rounds == 5
    assert iv.end_reason == "hard_cap" and iv.phase == "done" and iv.current is None
    assert engine.requests[-1].directive.kind == "final"
    assert "hard cap of 5 rounds" in project.spec.read_text()
    assert "spec" in iv.artifacts or iv.artifacts  # artifacts written at the end


def test_early_exit_only_after_the_probe_and_follow_up_and_it_really_ends(project):
    engine = FakeEngine()
    store, driver = make(project, engine)
    driver.start()
    _answer_until(store, driver, 2)
    with pytest.raises(SpecuiError, match="early exit"):
        driver.exit_early()
    while not driver.can_exit_early():
        driver.answer(pick(store))
    assert store.state.interview.current.round >= 4
    driver.exit_early()
    iv = store.state.interview
    assert iv.status == "exited" and iv.current is None and iv.phase == "done"
    calls = len(engine.requests)
    driver.start()  # reopening shows no "Validation 1" of the exited question
    assert store.state.interview.current is None and len(engine.requests) == calls
    assert "ended early" in project.spec.read_text()


def test_stack_changes_keep_comments(project):
    engine = FakeEngine(
        [
            following,
            lambda r: following(
                r, stack_changes=[{"table": "app", "key": "language", "value": "python"}]
            ),
        ]
    )
    store, driver = make(project, engine)
    driver.start()
    driver.answer(pick(store))
    text = project.stack.read_text()
    assert 'language   = "python"' in text or 'language = "python"' in text
    assert "# e.g." in text  # the template's comments survive


def test_oversized_context_asks_for_a_summary_first(project):
    project.spec.write_text("# SPEC: big\n\n" + "word " * 10_000)
    engine = FakeEngine()
    store, driver = make(project, engine)
    driver.start()
    iv = store.state.interview
    assert iv.current.kind == "summary" and engine.requests == []
    driver.answer(Answer(kind="text", value="A cache that survives IdP outages."))
    assert "too many for a prompt" in engine.requests[0].spec_md
    assert store.state.interview.summary_status == "recorded"


# --------------------------------------------------------------------------- crash recovery


def test_a_crash_between_patch_and_session_save_is_finished_on_next_start(project):
    body = "- **Problem & Outcome**: survive an IdP outage of one hour"
    engine = FakeEngine(
        [following, json.dumps(reply(patches=[{"section": "vision", "body": body}]))]
    )
    store, driver = make(project, engine)
    driver.start()

    real_save = driver._save

    def crash(st):  # the process dies right after SPEC.md was patched
        raise KeyboardInterrupt

    driver._save = crash
    with pytest.raises(KeyboardInterrupt):
        driver.answer(pick(store))
    assert body in project.spec.read_text()
    assert driver.journal_path.exists()
    driver._save = real_save

    store2, driver2 = make(project, FakeEngine())
    assert store2.state.interview.rounds == []  # the session never saw the answer
    driver2.start()
    iv = store2.state.interview
    assert len(iv.rounds) == 1 and iv.current.round == 2  # not re-asked
    assert store2.state.spec.conflicts == []  # and no false "your edit was kept"
    assert not driver2.journal_path.exists()
    assert project.spec.read_text().count(body) == 1


# --------------------------------------------------------------------------- property


def _random_reply(draw_data: dict[str, Any]) -> Callable[[EngineRequest], str]:
    def make_reply(request: EngineRequest) -> str:
        data = reply(
            scores=draw_data["scores"],
            gate_evidence=[{"gate": g, "round": r, "note": "n"} for g, r in draw_data["evidence"]],
            ready_to_crystallize=draw_data["ready"],
        )
        if draw_data["null"]:
            data["question"] = None
        if draw_data["obey"]:
            return following(request, **{k: v for k, v in data.items() if k != "pressure"})
        return json.dumps(data)

    return make_reply


replies = hs.fixed_dictionaries(
    {
        "scores": hs.lists(
            hs.fixed_dictionaries(
                {
                    "dimension": hs.sampled_from(
                        ["intent", "outcome", "scope", "constraints", "success"]
                    ),
                    "score": hs.floats(0, 1),
                    "justification": hs.just(""),
                    "gap": hs.just(""),
                }
            ),
            max_size=5,
            unique_by=lambda s: s["dimension"],
        ),
        "evidence": hs.lists(
            hs.tuples(
                hs.sampled_from(["non_goals", "decision_boundaries", "pressure_pass"]),
                hs.integers(0, 7),
            ),
            max_size=2,
        ),
        "ready": hs.booleans(),
        "null": hs.booleans(),
        "obey": hs.booleans(),
    }
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(script=hs.lists(replies, min_size=1, max_size=14))
def test_no_reply_sequence_passes_the_cap_or_crystallizes_with_an_open_gate(
    tmp_path_factory, script
):
    root = tmp_path_factory.mktemp("prop") / "p"
    root.mkdir()
    project = Project.at(root)
    engine = FakeEngine([following] + [_random_reply(d) for d in script])
    store, driver = make(project, engine, profile="quick")
    driver.start()
    for _ in range(12):
        iv = store.state.interview
        assert iv.rounds_done <= iv.max_rounds
        if iv.end_reason == "threshold":
            assert iv.open_gates() == []
        if iv.current is None or iv.engine.status == "error":
            break
        if iv.current.phase != "interview":
            break
        driver.answer(pick(store))
    iv = store.state.interview
    assert iv.rounds_done <= iv.max_rounds
    if iv.end_reason == "threshold":
        assert iv.open_gates() == [] and iv.computed_ambiguity() <= iv.threshold
    assert iv.status != "exited"  # only the user's exit ends it early


def test_thread_safety_of_cancel_from_another_thread(project):
    started = threading.Event()

    class Slow(FakeEngine):
        def run_turn(self, request, *, feedback, on_activity, cancel, timeout):
            started.set()
            assert cancel.wait(5)
            raise EngineCancelled("stopped")

    store, driver = make(project, Slow())
    t = threading.Thread(target=driver.start)
    t.start()
    assert started.wait(5)
    assert store.state.interview.engine.status == "thinking"
    driver.cancel()
    t.join(5)
    # Ended, not thinking: round 1 had no question to go back to, so retry is offered.
    assert store.state.interview.engine.status == "error"


def test_the_last_activity_before_a_quiet_spell_is_shown_within_the_throttle(project):
    # Activity is written at most every ACTIVITY_EVERY seconds; a line that had to wait must
    # still reach the store while the agent says nothing more (a long think, a slow command).
    release = threading.Event()

    class Quiet(FakeEngine):
        def run_turn(self, request, *, feedback, on_activity, cancel, timeout):
            on_activity("reading SPEC.md")
            on_activity("reading src/app.py")  # right after: this one waits
            assert release.wait(10)
            return following(request)

    store, driver = make(project, Quiet())
    t = threading.Thread(target=driver.start)
    t.start()
    try:
        assert until(lambda: "reading SPEC.md" in store.state.interview.engine.activity)
        shown = until(
            lambda: "reading src/app.py" in store.state.interview.engine.activity,
            seconds=ACTIVITY_EVERY + 1.0,
        )
        assert shown, store.state.interview.engine.activity
        assert store.state.interview.engine.status == "thinking"
    finally:
        release.set()
        t.join(10)
    assert store.state.interview.current is not None


def test_activity_waiting_when_the_round_ends_is_not_written_into_the_next_state(project):
    class Brief(FakeEngine):
        def run_turn(self, request, *, feedback, on_activity, cancel, timeout):
            on_activity("reading SPEC.md")
            on_activity("reading src/app.py")  # waits, and the round ends before its time
            return following(request)

    store, driver = make(project, Brief())
    driver.start()
    assert store.state.interview.current is not None
    time.sleep(ACTIVITY_EVERY * 2)
    engine = store.state.interview.engine
    assert engine.status == "idle" and engine.activity == []


def test_an_engine_with_a_process_records_the_round_as_running_once_it_started(project):
    # The running state (a session write) must not delay the agent's start: it is recorded
    # when the engine says its process runs, once per round (the retry starts another).
    seen: list[tuple[str, str]] = []

    class Spawning(FakeEngine):
        spawns = True

        def run_turn(self, request, *, feedback, on_activity, cancel, timeout, on_started):
            seen.append(("before", store.state.interview.engine.status))
            on_started()
            seen.append(("after", store.state.interview.engine.status))
            return super().run_turn(
                request, feedback=feedback, on_activity=on_activity, cancel=cancel,
                timeout=timeout,
            )

    engine = Spawning([following, "not json", following])
    store, driver = make(project, engine)
    driver.start()
    seen.clear()
    recorded: list[object] = []  # a running state written afresh (no activity yet)
    store.subscribe(
        lambda s: recorded.append(s.interview.engine.started_at)
        if s.interview.engine.status == "thinking" and not s.interview.engine.activity
        else None
    )
    driver.answer(pick(store))
    assert engine.feedback[-1] is not None  # the second attempt ran
    assert seen == [("before", "idle"), ("after", "thinking"), ("before", "thinking"),
                    ("after", "thinking")]
    assert len(recorded) == 1
    assert store.state.interview.engine.status == "idle" and len(store.state.interview.rounds) == 1


def test_a_refused_spec_write_is_the_one_error_and_leaves_no_journal(project, monkeypatch):
    from specui import spec_repo

    engine = FakeEngine(
        [following, lambda r: following(r, patches=[{"section": "vision", "body": "- x"}])]
    )
    store, driver = make(project, engine)
    driver.start()

    def refuse(*a, **k):
        raise SpecuiError("SPEC.md is a symlink that leads out of the project")

    monkeypatch.setattr(spec_repo, "patch", refuse)
    driver.answer(pick(store))
    assert not driver.journal_path.exists()
    iv = store.state.interview
    assert iv.rounds == [] and iv.current.round == 1
    assert iv.engine.status == "error" and "symlink" in iv.engine.error
    assert iv.engine.pending_answer is not None  # retry once the file is fixed
