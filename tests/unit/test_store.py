"""SessionStore: persistence, set-aside of unusable files, subscribers, reload, threads."""

from __future__ import annotations

import json
import logging
import re
import threading
from pathlib import Path

import pytest
from pydantic import ValidationError

from specui.core.interview.state import DimensionScore, PendingQuestion, Round
from specui.core.paths import Project
from specui.core.questions import Question, build_answer
from specui.store import SCHEMA_VERSION, Conflict, PhaseRun, Session, SessionStore


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project.at(tmp_path)


def is_fresh(state: Session) -> bool:
    """A brand-new session (the interview id is random, so it is left out of the comparison)."""

    def dump(s: Session) -> dict:
        return s.model_dump(exclude={"interview": {"id"}})

    return dump(state) == dump(Session())


def bad_files(project: Project) -> list[Path]:
    return sorted(project.state_dir.glob("session.json.bad-*"))


def test_fresh_store_writes_nothing(project: Project) -> None:
    store = SessionStore.open(project)
    assert is_fresh(store.state)
    assert store.state.schema_version == SCHEMA_VERSION == 1
    assert store.messages == []
    assert not project.state_dir.exists()


def test_round_trip_of_everything(project: Project) -> None:
    q = Question(question="Pick", options=[{"label": "A", "value": "a"}], allow_other=False)
    ans = build_answer(q, [0], None)

    def fill(s: Session) -> None:
        s.interview.status = "active"
        s.interview.profile = "deep"
        s.interview.current = PendingQuestion(
            question=q, round=2, dimension="scope", kind="non_goals", target_units=["scope"]
        )
        s.interview.rounds.append(
            Round(
                n=1,
                dimension="intent",
                kind="overview",
                question=q,
                answer=ans,
                scores={"intent": 0.5},
                ambiguity=0.85,
            )
        )
        s.interview.dimensions["intent"] = DimensionScore(score=0.5, justification="j", gap="g")
        s.interview.gates.non_goals = True
        s.interview.engine_session.thread_id = "thread-1"
        s.spec.final_hashes["vision"] = "abc"
        s.spec.conflicts.append(Conflict(unit="scope", text="mine", reason="edited"))
        s.runs.append(
            PhaseRun(
                run_id="r1",
                phase="plan",
                status="done",
                exit_code=0,
                log="orchestrator/plan-20260101-000000.md",
            )
        )

    saved = SessionStore.open(project).update(fill)
    raw = json.loads(project.session.read_text())
    assert raw["schema_version"] == 1
    again = SessionStore.open(project)
    assert again.messages == []
    assert again.state == saved
    assert again.state.interview.current.question.multi_select is False
    assert again.state.interview.rounds[0].answer == ans
    assert again.state.interview.dimensions["intent"].score == 0.5


def test_update_that_raises_changes_nothing(project: Project) -> None:
    store = SessionStore.open(project)
    store.update(lambda s: setattr(s.interview, "slug", "first"))

    def boom(s: Session) -> None:
        s.interview.slug = "second"
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        store.update(boom)
    assert store.state.interview.slug == "first"
    assert SessionStore.open(project).state.interview.slug == "first"


def test_invalid_mutation_is_rejected(project: Project) -> None:
    store = SessionStore.open(project)
    with pytest.raises(ValidationError):
        store.update(lambda s: setattr(s.interview, "status", "bogus"))
    assert store.state.interview.status == "not_started"
    assert not project.session.exists()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"interview": {}}', "schema_version"),
        (b'{"schema_version": 1, "interview": {"status": "dancing"}}', "invalid"),
        (b'{"schema_version": 1, "runs": [{"phase": "plan"}]}', "invalid"),
        (b"\xff\xfe\x00", "UTF-8"),
    ],
)
def test_unusable_file_is_set_aside(project: Project, content: bytes, reason: str) -> None:
    project.state_dir.mkdir()
    project.session.write_bytes(content)
    store = SessionStore.open(project)
    assert is_fresh(store.state)
    [bad] = bad_files(project)
    assert re.fullmatch(r"session\.json\.bad-\d{8}-\d{6}", bad.name)
    assert bad.read_bytes() == content  # nothing lost
    assert not project.session.exists()
    [msg] = store.messages
    assert reason in msg and bad.name in msg and "\n" not in msg


def test_newer_schema_is_set_aside(project: Project) -> None:
    project.state_dir.mkdir()
    project.session.write_text(json.dumps({"schema_version": SCHEMA_VERSION + 1}))
    store = SessionStore.open(project)
    assert "newer specui" in store.messages[0]
    assert len(bad_files(project)) == 1
    store.update(lambda s: None)
    assert json.loads(project.session.read_text())["schema_version"] == SCHEMA_VERSION


def test_two_set_asides_in_the_same_second_do_not_clobber(project: Project) -> None:
    project.state_dir.mkdir()
    for content in ("first{", "second{"):
        project.session.write_text(content)
        SessionStore.open(project)
    contents = sorted(p.read_text() for p in bad_files(project))
    assert contents == ["first{", "second{"]


def test_subscribers_called_after_persisting(project: Project) -> None:
    store = SessionStore.open(project)
    seen: list[str] = []

    def on_change(state: Session) -> None:
        on_disk = json.loads(project.session.read_text())
        seen.append(on_disk["interview"]["slug"])
        assert state is store.state

    unsubscribe = store.subscribe(on_change)
    store.update(lambda s: setattr(s.interview, "slug", "a"))
    store.update(lambda s: setattr(s.interview, "slug", "b"))
    unsubscribe()
    unsubscribe()  # idempotent
    store.update(lambda s: setattr(s.interview, "slug", "c"))
    assert seen == ["a", "b"]


def test_failing_subscriber_does_not_break_the_store(project: Project, caplog) -> None:
    store = SessionStore.open(project)
    calls: list[int] = []

    def broken(state: Session) -> None:
        raise ValueError("view exploded")

    store.subscribe(broken)
    store.subscribe(lambda s: calls.append(1))
    with caplog.at_level(logging.ERROR, logger="specui.store"):
        result = store.update(lambda s: setattr(s.interview, "slug", "x"))
    assert result.interview.slug == "x" and calls == [1]
    assert "view exploded" in caplog.text
    assert SessionStore.open(project).state.interview.slug == "x"


def test_subscriber_may_update_reentrantly(project: Project) -> None:
    store = SessionStore.open(project)

    def follow(state: Session) -> None:
        if state.interview.slug == "a":
            store.update(lambda s: setattr(s.interview, "slug", "b"))

    store.subscribe(follow)
    store.update(lambda s: setattr(s.interview, "slug", "a"))
    assert store.state.interview.slug == "b"


def test_reload_sees_other_process_and_notifies_only_on_change(project: Project) -> None:
    ours = SessionStore.open(project)
    ours.update(lambda s: None)
    theirs = SessionStore.open(project)
    calls: list[str] = []
    ours.subscribe(lambda s: calls.append(s.interview.slug))

    ours.reload()
    assert calls == []  # nothing changed
    theirs.update(lambda s: setattr(s.interview, "slug", "from-runner"))
    ours.reload()
    assert ours.state.interview.slug == "from-runner" and calls == ["from-runner"]
    ours.reload()
    assert calls == ["from-runner"]


def test_update_merges_changes_made_by_another_store(project: Project) -> None:
    ui = SessionStore.open(project)
    runner = SessionStore.open(project)
    ui.update(lambda s: setattr(s.interview, "slug", "demo"))
    runner.update(lambda s: s.runs.append(PhaseRun(run_id="r", phase="plan", status="running")))
    ui.update(lambda s: setattr(s.interview, "profile", "deep"))  # must not drop the run
    final = SessionStore.open(project).state
    assert [r.run_id for r in final.runs] == ["r"]
    assert final.interview.slug == "demo" and final.interview.profile == "deep"


def test_reload_of_a_corrupted_file_keeps_memory(project: Project) -> None:
    store = SessionStore.open(project)
    store.update(lambda s: setattr(s.interview, "slug", "keep"))
    project.session.write_text("garbage")
    store.reload()
    assert store.state.interview.slug == "keep"
    assert len(bad_files(project)) == 1 and "set aside" in store.messages[-1]


def test_concurrent_updates_lose_nothing(project: Project) -> None:
    store = SessionStore.open(project)

    def worker(k: int) -> None:
        for i in range(20):
            store.update(lambda s, k=k, i=i: s.interview.warnings.append(f"{k}-{i}"))

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(store.state.interview.warnings) == 80
    assert len(SessionStore.open(project).state.interview.warnings) == 80


def test_unwritable_location_keeps_state_in_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    project = Project(blocker)  # .specui cannot be created under a regular file
    store = SessionStore.open(project)
    result = store.update(lambda s: setattr(s.interview, "slug", "mem"))
    assert result.interview.slug == "mem" and store.state.interview.slug == "mem"
    assert any("could not save" in m for m in store.messages)
