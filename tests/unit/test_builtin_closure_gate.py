"""Below the threshold, the offline engine's closure turn names the gates still open after the
answer it just read, not the directive's gate (decided before that answer closed it).

Trial G20: a SPEC.md already written (non-goals and decision boundaries stated), overview "It is
all in SPEC.md already" → "Closure audit: … The non goals gate is still open." while the session
said Non-goals ✓ and only the pressure pass was open."""

from __future__ import annotations

from pathlib import Path

from specui.core.questions import build_answer
from specui.core.spec import SpecDocument, render_spec_template, set_item
from tests.offline_run import offline_driver

FILLED = {
    ("vision", "Problem & Outcome"): "A command-line tool that tracks my reading list",
    ("vision", "Success Metrics"): "I use it daily for a month",
    ("vision", "Target Users"): "Just for me",
    ("vision", "Essence"): "A personal reading log in plain files",
    ("personas", "Top Use Cases"): "add an item; list unread items; export to markdown",
    ("scope", "In-scope"): "add, list, tag, mark as read, export to markdown",
    ("scope", "Out-of-scope"): "sync, a web UI, mobile",
    ("scope", "Decision Boundaries"): "the implementer picks libraries and code layout",
    ("nfr", "Performance"): "every command answers within 100 ms",
    ("nfr", "Reliability"): "no data is lost when a write fails",
    ("security", "Security & Privacy"): "no sign-in; nothing leaves the machine",
    ("acceptance", "User acceptance"): "my own list of 200 items exports cleanly",
    ("acceptance", "QA plan"): "unit tests for every command",
}


def _written_spec(root: Path) -> None:
    doc = SpecDocument.parse(render_spec_template("reading"))
    for (unit, label), value in FILLED.items():
        doc = doc.with_unit_text(unit, set_item(doc.unit_text(unit), label, value))
    (root / "SPEC.md").write_text(doc.text)


def test_a_gate_the_overview_closed_is_not_named_and_the_open_one_is_asked(tmp_path):
    _written_spec(tmp_path)
    drv, store, _project = offline_driver(tmp_path)
    drv.start()
    iv = store.state.interview
    assert iv.ambiguity <= iv.threshold  # the directive for round 2 is a closure turn
    drv.answer(build_answer(iv.current.question, [], "It is all in SPEC.md already: a CLI."))
    iv = store.state.interview
    assert iv.gates.non_goals and iv.gates.decision_boundaries and not iv.gates.pressure_pass
    pending = iv.current
    assert "Non-goals" not in pending.question.question
    assert "non goals" not in pending.question.question
    # The gate still open is the one asked: the pressure pass, on the overview's claim.
    assert pending.pressure is not None and pending.pressure.revisits_round == 1
    assert pending.why == "below the threshold; the pressure pass is still open"
    drv.answer(build_answer(pending.question, [], "That I keep using plain files."))
    iv = store.state.interview
    assert iv.gates.pressure_pass
    audit = iv.current.question.question
    assert audit.startswith("Closure audit:") and "Still open" not in audit


def test_the_closure_audit_names_the_gates_still_open_in_words(tmp_path):
    """A closure question asked while a gate cannot be asked (no claim to probe yet) says which
    gates are open, by their titles."""
    from specui.core.interview.contract import Directive, EngineRequest
    from specui.interview.bank import load_bank
    from specui.interview.engines.builtin import Turn

    _written_spec(tmp_path)
    request = EngineRequest(
        project_dir=str(tmp_path),
        directive=Directive(kind="closure", round=2, gate="pressure_pass"),
        profile="standard",
        interview_type="greenfield",
        threshold=0.2,
        max_rounds=12,
        ambiguity=0.19,
        spec_md=(tmp_path / "SPEC.md").read_text(),
        gates={"non_goals": True, "decision_boundaries": True},
    )
    question = Turn(request, load_bank()).reply().question
    assert question is not None
    assert question.question.startswith("Closure audit:")
    assert "Still open: the pressure pass." in question.question
