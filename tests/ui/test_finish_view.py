"""The Done view after seed 000's finish (found in tmux: un-finalizing a section after the
finish left "Spec Creation Progress: 95%" on top of the recap and "100%" under it)."""

from __future__ import annotations

from pathlib import Path

from specui.core.interview.policy import finish_message
from specui.core.progress import PREFIX
from specui.store import Session
from specui.ui.widgets.finish_view import finish_content
from specui.ui.widgets.spec_view import SpecSnapshot, tracked_units


def finished_session() -> Session:
    session = Session()
    iv = session.interview
    iv.status, iv.end_reason, iv.finished = "crystallized", "threshold", True
    iv.finish_message = finish_message(iv, "todo-cli/SPEC.md")
    return session


def snapshot(not_final: tuple[str, ...] = ()) -> SpecSnapshot:
    units = tracked_units()
    statuses = {u.key: ("clarified" if u.key in not_final else "final") for u in units}
    final = sum(1 for s in statuses.values() if s == "final")
    return SpecSnapshot(
        exists=True, units=units, statuses=statuses, percent=round(100 * final / len(units)),
        final_count=final,
    )


def text_of(session: Session, snap: SpecSnapshot) -> str:
    return finish_content(session, snap, Path("/tmp/todo-cli/SPEC.md")).plain


def test_one_progress_line_and_it_is_the_live_one():
    snap = snapshot(("workflows",))
    text = text_of(finished_session(), snap)
    progress = [line for line in text.splitlines() if line.startswith(PREFIX)]
    assert len(progress) == 1 and progress[0].endswith(f" {snap.percent}%")
    assert snap.percent < 100


def test_a_section_unfinalized_after_the_finish_is_named():
    text = text_of(finished_session(), snapshot(("workflows",)))
    assert "Workflows" in text.split("Included:")[0]  # named above the (stale) recap
    assert "no longer final" in text


def test_the_finish_as_it_was_says_nothing_more():
    text = text_of(finished_session(), snapshot())
    assert "no longer final" not in text
    assert text.splitlines()[0].endswith(" 100%")


def test_the_next_step_is_on_screen_before_the_recap():
    """At 80x24 the Done view shows about six lines; the handoff hint used to be the last."""
    for session in (finished_session(), _capped_session()):
        lines = text_of(session, snapshot()).splitlines()
        hint = next(i for i, line in enumerate(lines) if line.startswith("Next: hand off"))
        assert hint <= 3, lines[: hint + 1]


def _capped_session() -> Session:
    session = Session()
    iv = session.interview
    iv.status, iv.end_reason = "crystallized", "hard_cap"
    return session


def test_rounds_are_the_interview_rounds_as_status_counts_them():
    """The Done view after a validation pass that hit its cap said "Rounds: 7" for 3 interview
    rounds and 4 validation steps; `specui status` says round 3 and the recap counts apart."""
    from specui.core.interview.state import Round
    from specui.core.questions import Answer, Question, QuestionOption

    session = Session()
    iv = session.interview
    iv.status, iv.end_reason, iv.phase = "crystallized", "validation_cap", "done"
    q = Question(question="Q?", options=[QuestionOption(label="A", value="a")])
    a = Answer(kind="option", value="a")
    for i in range(1, 4):
        iv.rounds.append(Round(n=i, dimension="intent", kind="ordinary", question=q, answer=a))
    for i in range(1, 5):
        iv.rounds.append(
            Round(n=i, dimension="", kind="validation", phase="validation", question=q, answer=a)
        )
    text = text_of(session, snapshot())
    assert "Rounds: 3 · validation steps: 4 · ambiguity " in text
