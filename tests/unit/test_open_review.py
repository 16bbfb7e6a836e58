"""The validation pass's open-questions review (offline engine): a question can be left to the
plan phase, an answer in the user's own words closes what it answers, and the Resolved log
never records a question as its own answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_validation_defaults import _to_offer

from specui.core.interview import policy
from specui.core.open_questions import add_open_question
from specui.core.questions import Answer
from specui.core.spec import SpecDocument
from specui.interview.engines.builtin import KEEP_OPEN_VALUE, OPEN_REVIEW_PROMPT

CHANGE = "Do notes in subfolders become sections"


def _at_review(root: Path):
    drv, store, project = _to_offer(root)
    # The user adds an open question to §17 by hand; the defaults settle only their sections'.
    text = project.spec.read_text()
    doc = SpecDocument.parse(text)
    added = add_open_question(doc.unit_text("open_questions"), CHANGE + "?")
    project.spec.write_text(doc.with_unit_text("open_questions", added).text)
    drv.answer(Answer(kind="option", value=policy.DEFAULTS_ALL))
    cur = store.state.interview.current
    assert cur.question.question == OPEN_REVIEW_PROMPT, cur.question.question
    return drv, store, project, cur.question


def _resolved(project) -> str:
    return SpecDocument.parse(project.spec.read_text()).unit_text("open_questions")


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("keep", "→ None yet: leave them to the plan phase"),
        ("tick", "→ settled (validation step 2)"),
        ("other", "→ Subfolders are sections, one level deep"),
    ],
)
def test_the_review_ends_with_what_the_user_said(tmp_path: Path, answer, expected):
    drv, store, project, q = _at_review(tmp_path)
    values = [o.value for o in q.options]
    assert KEEP_OPEN_VALUE in values and CHANGE in q.options[0].label
    if answer == "keep":
        drv.answer(Answer(kind="multi", value=[KEEP_OPEN_VALUE]))
    elif answer == "tick":
        drv.answer(Answer(kind="multi", value=[values[0]]))
    else:
        drv.answer(Answer(kind="other", value="Subfolders are sections, one level deep"))
    iv = store.state.interview
    assert iv.engine.error is None, iv.engine.error
    assert iv.current is not None and iv.current.kind == "finalize"  # not the same review again
    log = _resolved(project)
    assert "Outstanding**: none" in log
    line = next(x for x in log.splitlines() if CHANGE in x)
    assert line.rstrip().endswith(expected), line
    if answer == "keep":  # ...and the plan phase gets them (trial6 K24)
        from specui.handoff import draft_input

        assert f"Open questions left to the plan phase: {CHANGE}?" in draft_input(
            project, SpecDocument.parse(project.spec.read_text()))


def test_a_change_asked_for_at_the_finalize_question_is_written_where_it_belongs(tmp_path):
    """trial6 K25: "Not yet: add a /healthz endpoint" ended as a 'settled' line in §17's
    history; no section, and so no handoff, got the change."""
    from specui.interview.engines.builtin import PLACE_LABEL, PLACE_PREFIX

    drv, store, project = _to_offer(tmp_path)
    drv.answer(Answer(kind="option", value=policy.DEFAULTS_ALL))
    assert store.state.interview.current.kind == "finalize"
    change = "Add a /healthz endpoint for the load balancer"
    drv.answer(Answer(kind="other", value=change))  # "Not yet: what should change?"
    q = store.state.interview.current.question
    assert q.question.startswith(f"{PLACE_PREFIX}“{change}”")
    (best,) = [o.value for o in q.options if o.recommended]
    assert best in ("interfaces", "observability")  # "endpoint", "health": its words point there
    assert "open_questions" not in [o.value for o in q.options]
    drv.answer(Answer(kind="option", value=best))
    iv = store.state.interview
    assert iv.engine.error is None, iv.engine.error
    assert iv.current is not None and iv.current.kind == "finalize"
    doc = SpecDocument.parse(project.spec.read_text())
    assert f"**{PLACE_LABEL}**: {change}" in doc.unit_text(best)
    assert "Outstanding**: none" in doc.unit_text("open_questions")
