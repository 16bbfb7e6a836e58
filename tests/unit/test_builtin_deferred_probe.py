"""Deferring everything (found replaying a reading-list CLI with "Decide for me" on every
question): the evidence follow-up asked "Round 5: you said “Keep the default”. What evidence
shows this holds?" (the option's label, not what it kept), the deferred probes wrote
"unverified; treated as an assumption" without saying which claim, and the second such default
replaced the first."""

from __future__ import annotations

from offline_run import offline_driver

from specui.core.questions import Answer, build_answer
from specui.core.spec import SpecDocument, item_value

DEFER = "I don't know – decide for me"


def test_deferred_probes_name_their_claim_and_both_stay(tmp_path):
    drv, store, project = offline_driver(tmp_path)
    drv.start()
    drv.answer(Answer(kind="text", value="A command-line tool that tracks my reading list."))
    asked = []
    for _ in range(6):
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
            drv.answer(build_answer(q, [], DEFER))
    evidence = next(q for q in asked if "What evidence shows this holds?" in q)
    assert "“Keep the default”" not in evidence
    assert "you said “nothing beyond what the in-scope list names”" in evidence
    doc = SpecDocument.parse(project.spec.read_text())
    assumptions = item_value(doc.unit_text("risks"), "Assumptions") or ""
    assert "round 1's “A command-line tool that tracks my reading list”: unverified" in assumptions
    assert "round 5's “nothing beyond what the in-scope list names”: unverified" in assumptions
