"""The offline interview through the real driver: a user who answers concretely reaches the
threshold with every readiness gate explicit before the hard cap (seed 004: the cap is not a
target); a user who defers everything does not (deferrals are never clarity); and no answer
sequence makes the protocol refuse an offline reply (every refusal costs the user a round)."""

from __future__ import annotations

import random
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specui.core.config import SpecuiConfig
from specui.core.interview.policy import DEFAULTS_NONE, DEFAULTS_OFFER
from specui.core.interview.state import EngineSession, InterviewState
from specui.core.paths import Project
from specui.core.questions import Answer
from specui.core.spec.units import UNIT_TITLES
from specui.interview.driver import InterviewDriver
from specui.interview.engines.builtin import BuiltinEngine
from specui.store import SessionStore

OVERVIEW = (
    "A self-hosted JWKS cache for our internal services, because token validation fails "
    "whenever the identity provider is down. It is for platform engineers who run the "
    "services. v1 must serve cached signing keys over HTTP and refresh them in the background. "
    "Success is measured by zero failed token validations during an identity provider outage "
    "of up to one hour."
)
BROWNFIELD_OVERVIEW = OVERVIEW + " v1 keeps the existing fetch_keys() and wraps it in KeyCache."
# Free-text questions, recognised by a phrase of their prompt, with a concrete answer each.
TYPED = {
    "has to be true": "The identity provider rotates keys at most once a day.",
    "give up or defer": "We give up instant revocation: a revoked key is served up to an hour.",
    "at its core": "A local copy of the signing keys that keeps token validation working.",
    "primary users": "Platform engineers running the internal services.",
    "top three": "Validate a token during an outage; list cached keys; rotate keys live.",
    "must v1 build": "Serve the JWKS document over HTTP; background refresh; a health check.",
    "What problem": "Token validation fails whenever the identity provider is down.",
    "Which stack": "Python with FastAPI on Kubernetes, no database.",
    "meaning, one per line": "JWKS: the identity provider's published signing keys",
}
DEFER = "I don't know, decide for me"


class Counting(BuiltinEngine):
    """The offline engine, counting the replies the protocol refused."""

    refused: list[str]

    def run_turn(self, request, *, feedback, on_activity, cancel, timeout):  # type: ignore[no-untyped-def]
        if feedback:
            self.refused.append(f"round {request.directive.round}: {feedback}")
        return super().run_turn(
            request, feedback=feedback, on_activity=on_activity, cancel=cancel, timeout=timeout
        )


def _driver(
    root: Path, profile: str = "standard"
) -> tuple[InterviewDriver, SessionStore, Counting]:
    project = Project.at(root)
    store = SessionStore.open(project)
    clock = iter(datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=i) for i in range(10**5))
    engine = Counting(EngineSession(engine="builtin"))
    engine.refused = []
    drv = InterviewDriver(
        project, store, SpecuiConfig(), engine=engine, profile=profile, clock=lambda: next(clock)
    )
    drv.start()
    return drv, store, engine


def _concrete(iv: InterviewState, overview: str) -> Answer:
    """What a user who knows what they want answers: their own words, or the ★ option."""
    cur = iv.current
    assert cur is not None
    q = cur.question
    if cur.kind == "finalize":
        return Answer(kind="option", value="finalize")
    if cur.kind == DEFAULTS_OFFER:  # they know what they want: each section in their words
        return Answer(kind="option", value=DEFAULTS_NONE)
    if q.is_free_text:
        if cur.kind == "overview":
            return Answer(kind="text", value=overview)
        text = next((v for k, v in TYPED.items() if k in q.question), None)
        return Answer(kind="text", value=text or f"Concretely: {q.question[:40]} is settled.")
    options = [o for o in q.options if o.value != "decide-for-me"]
    starred = [o.value for o in options if o.recommended] or [options[0].value]
    if q.type == "multi-answerable":
        return Answer(kind="multi", value=starred)
    return Answer(kind="option", value=starred[0])


def _interview(drv: InterviewDriver, store: SessionStore, overview: str) -> InterviewState:
    """Answer until the interview phase ends; return the state at that moment."""
    for _ in range(40):
        iv = store.state.interview
        assert iv.engine.error is None, iv.engine.error
        if iv.phase != "interview" or iv.current is None:
            return iv
        drv.answer(_concrete(iv, overview))
    raise AssertionError("the interview phase never ended")


@pytest.mark.parametrize(
    ("brownfield", "overview"),
    [(False, OVERVIEW), (True, BROWNFIELD_OVERVIEW)],
    ids=["greenfield", "brownfield"],
)
def test_concrete_answers_reach_the_threshold_before_the_cap(
    tmp_path: Path, brownfield: bool, overview: str
):
    if brownfield:
        (tmp_path / "src").mkdir()
        (tmp_path / "src" / "jwks.py").write_text(
            "def fetch_keys(url):\n    return url\n\n\nclass KeyCache:\n    pass\n"
        )
        (tmp_path / "pyproject.toml").write_text("[project]\nname = 'jwkscache'\n")
    drv, store, engine = _driver(tmp_path)
    iv = _interview(drv, store, overview)
    assert iv.type == ("brownfield" if brownfield else "greenfield")
    assert iv.end_reason == "threshold" and iv.phase == "validation"
    assert iv.computed_ambiguity() <= iv.threshold
    assert iv.open_gates() == [] and iv.gates.closure_audit
    # The threshold was met, every gate explicit, before the last round the cap allows.
    below = [
        r.n for r in iv.interview_rounds() if r.ambiguity <= iv.threshold and r.n < iv.max_rounds
    ]
    assert below, [(r.n, r.ambiguity) for r in iv.interview_rounds()]
    assert iv.rounds_done <= iv.max_rounds
    assert engine.refused == []
    # ... and then the validation pass finishes the spec at 100%.
    for _ in range(60):
        iv = store.state.interview
        if iv.current is None:
            break
        drv.answer(_concrete(iv, overview))
    iv = store.state.interview
    assert iv.finished and iv.phase == "done" and iv.end_reason == "threshold"
    assert engine.refused == []


def test_deferring_everything_never_crystallizes(tmp_path: Path):
    drv, store, engine = _driver(tmp_path)
    for _ in range(40):
        iv = store.state.interview
        assert iv.engine.error is None, iv.engine.error
        if iv.phase != "interview" or iv.current is None:
            break
        q = iv.current.question
        if q.is_free_text or not any(o.value == "decide-for-me" for o in q.options):
            answer = Answer(kind="other" if q.options else "text", value=DEFER)
        else:
            kind = "multi" if q.type == "multi-answerable" else "option"
            value: str | list[str] = ["decide-for-me"] if kind == "multi" else "decide-for-me"
            answer = Answer(kind=kind, value=value)
        drv.answer(answer)
    iv = store.state.interview
    assert iv.end_reason == "hard_cap" and iv.rounds_done == iv.max_rounds
    assert iv.computed_ambiguity() > iv.threshold
    assert iv.open_gates()  # nothing the user deferred made a gate explicit
    assert len(iv.deferrals) >= iv.max_rounds - 1
    assert all(r.deferral for r in iv.interview_rounds())
    assert engine.refused == []


TEXTS = [
    DEFER,
    "no preference",
    "Keys live in memory only for 15 minutes.",
    "It must cache keys on disk for 60 minutes.",
    "A Python library for parsing `<input>` TODO",
    "x",
]


def _random_answer(rng: random.Random, iv: InterviewState) -> Answer:
    cur = iv.current
    assert cur is not None
    q = cur.question
    if cur.kind == "finalize":
        if rng.random() < 0.8:
            return Answer(kind="option", value="finalize")
        return Answer(kind="other", value=rng.choice(TEXTS))
    if q.is_free_text:
        return Answer(kind="text", value=rng.choice(TEXTS))
    if q.allow_other and rng.random() < 0.3:
        return Answer(kind="other", value=rng.choice(TEXTS))
    values = [o.value for o in q.options]
    if q.type == "multi-answerable":
        return Answer(kind="multi", value=rng.sample(values, rng.randint(1, len(values))))
    return Answer(kind="option", value=rng.choice(values))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    profile=st.sampled_from(["quick", "standard"]),
    brownfield=st.booleans(),
)
def test_random_answers_never_get_an_offline_reply_refused(
    seed: int, profile: str, brownfield: bool
):
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if brownfield:
            (root / "pyproject.toml").write_text("[project]\nname = 'lib'\n")
            (root / "lib.py").write_text("def parse(x):\n    return x\n")
        drv, store, engine = _driver(root, profile)
        for _ in range(25):  # the interview rounds and the start of the validation pass
            iv = store.state.interview
            assert iv.engine.error is None, iv.engine.error
            if iv.current is None:
                break
            drv.answer(_random_answer(rng, iv))
        assert engine.refused == []


def test_each_validation_question_is_headed_by_the_section_it_asks_about(tmp_path: Path):
    # A validation answer that completes the directed section makes the engine ask about the
    # next one below clarified; the pending question (header, why) must name that one.
    drv, store, _ = _driver(tmp_path, profile="deep")
    iv = _interview(drv, store, OVERVIEW)
    assert iv.phase == "validation"
    checked = 0
    for _ in range(60):
        iv = store.state.interview
        cur = iv.current
        if cur is None:
            break
        if cur.phase == "validation" and cur.why.startswith("validation pass: §"):
            title = UNIT_TITLES[cur.dimension]  # type: ignore[index]
            assert title in cur.why, (cur.dimension, cur.why, cur.question.question)
            checked += 1
        drv.answer(_concrete(iv, OVERVIEW))
    assert checked >= 3
