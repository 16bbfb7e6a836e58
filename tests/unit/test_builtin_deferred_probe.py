"""Deferring everything (found replaying a reading-list CLI with "Decide for me" on every
question): the evidence follow-up asked "Round 5: you said “Keep the default”. What evidence
shows this holds?" (the option's label, not what it kept), the deferred probes wrote
"unverified; treated as an assumption" without saying which claim, and the second such default
replaced the first. A kept default of a readiness gate is no claim at all: no evidence makes a
non-goal hold (trial3 H7), so no follow-up asks for it."""

from __future__ import annotations

from offline_run import offline_driver

from specui.core.questions import Answer, build_answer
from specui.core.spec import SpecDocument, item_value

DEFER = "I don't know – decide for me"


def _answer_all(drv, store, typed: dict[str, str], n: int) -> list[str]:
    """`n` rounds: "Decide for me" where offered, else the ★ option ("Keep the default"),
    else free text (`typed`'s value whose key the question contains, else a deferral)."""
    asked = []
    for _ in range(n):
        q = store.state.interview.current.question
        asked.append(q.question)
        labels = [o.label for o in q.options]
        if "Decide for me" in labels:
            drv.answer(build_answer(q, [labels.index("Decide for me")], None))
        elif q.options:  # "Keep the default" (a gate asked again after a deferral)
            drv.answer(
                build_answer(q, [next(i for i, o in enumerate(q.options) if o.recommended)], None)
            )
        else:
            text = next((v for k, v in typed.items() if k in q.question), DEFER)
            drv.answer(build_answer(q, [], text))
    return asked


def test_a_kept_gate_default_is_not_probed_for_evidence(tmp_path):
    drv, store, project = offline_driver(tmp_path)
    drv.start()
    drv.answer(Answer(kind="text", value="A command-line tool that tracks my reading list."))
    asked = _answer_all(drv, store, {}, 8)
    assert any("Keep the default" in str(r.question.options) for r in store.state.interview.rounds)
    assert not any("What evidence shows this holds?" in q for q in asked)
    doc = SpecDocument.parse(project.spec.read_text())
    assumptions = item_value(doc.unit_text("risks"), "Assumptions") or ""
    assert "round 1's “A command-line tool that tracks my reading list”: unverified" in assumptions


def test_deferred_probes_name_their_claim_and_both_stay(tmp_path):
    drv, store, project = offline_driver(tmp_path)
    drv.start()
    drv.answer(Answer(kind="text", value="A command-line tool that tracks my reading list."))
    typed = {"What has to be true": "I open it every day"}
    asked = _answer_all(drv, store, typed, 4)
    evidence = next(q for q in asked if "What evidence shows this holds?" in q)
    assert "you said “I open it every day”" in evidence
    doc = SpecDocument.parse(project.spec.read_text())
    assumptions = item_value(doc.unit_text("risks"), "Assumptions") or ""
    assert "I open it every day" in assumptions
    assert "round 3's “I open it every day”: unverified" in assumptions
