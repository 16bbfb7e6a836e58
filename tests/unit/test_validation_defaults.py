"""The validation pass offers recommended defaults for the sections still open (seed 000: "keep
the interview humane: comprehensive, not exhausting"; a non-critical unknown is recorded as an
assumption): one question instead of one per section, the defaults marked and listed in Risks,
and an engine that ignores the offer refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_protocol import reply, view, with_rounds

from specui.core.interview import policy
from specui.core.interview.contract import Directive
from specui.core.interview.state import ContradictionRecord, InterviewState
from specui.core.questions import Answer
from specui.core.spec import UNIT_KEYS, SpecDocument, placeholder_status, render_spec_template
from specui.interview.engines.builtin import ACCEPTED_MARK
from tests.offline_run import offline_driver

OVERVIEW = (
    "A command-line tool that turns a folder of Markdown notes into a static website, for a "
    "team of five who write docs. It works when a site builds in under 2 seconds for 500 "
    "notes. Python."
)


def validating(**over) -> InterviewState:
    st = with_rounds(6)
    st.phase = "validation"
    for k, v in over.items():
        setattr(st, k, v)
    return st


def answered(st: InterviewState, value, kind: str = "option") -> tuple[InterviewState, object]:
    pending = st.current
    assert pending is not None
    answer = policy.check_answer(pending.question, Answer(kind=kind, value=value))
    return policy.take_answer(st, answer)


def spec_with_clarified(*keys: str) -> policy.SpecView:
    doc = SpecDocument.parse(render_spec_template("demo"))
    for k in keys:
        doc = doc.with_unit_text(k, "- **Notes**: settled")
    return view(doc)


# --------------------------------------------------------------------------- the policy


def test_the_pass_opens_with_the_offer_when_three_or_more_sections_are_open():
    st, spec = validating(), view()
    decision = policy.decide(st, spec)
    assert isinstance(decision, policy.SpecuiAsk)
    pending = decision.pending
    assert pending.kind == policy.DEFAULTS_OFFER and pending.phase == "validation"
    q = pending.question
    assert [o.value for o in q.options] == [
        policy.DEFAULTS_ALL,
        policy.DEFAULTS_PICK,
        policy.DEFAULTS_NONE,
    ]
    assert q.options[0].recommended and not q.allow_other
    open_sections = policy.defaultable_sections(st, spec)
    assert f"all {len(open_sections)} sections" in q.options[0].label
    assert "open_questions" not in open_sections and "seed" not in pending.why.lower()


def test_two_open_sections_are_simply_asked_about():
    keep_open = ("personas", "domain")
    spec = spec_with_clarified(*[k for k in UNIT_KEYS if k not in keep_open])
    decision = policy.decide(validating(), spec)
    assert isinstance(decision, Directive) and decision.default_sections == []


def test_all_directs_the_engine_to_default_every_open_section():
    st, spec = validating(), view()
    st = policy.place_question(st, policy.decide(st, spec).pending)
    st, rnd = answered(st, policy.DEFAULTS_ALL)
    assert not rnd.deferral  # specui's own choice, not "decide for me" in the user's words
    decision = policy.decide(st, spec, answered=rnd)
    assert isinstance(decision, Directive) and decision.kind == "validation"
    assert decision.default_sections == policy.defaultable_sections(st, spec)
    assert decision.target_section == "open_questions"


def test_pick_asks_which_sections_and_the_rest_are_asked_one_by_one():
    st, spec = validating(), view()
    st = policy.place_question(st, policy.decide(st, spec).pending)
    st, rnd = answered(st, policy.DEFAULTS_PICK)
    pick = policy.decide(st, spec, answered=rnd)
    assert isinstance(pick, policy.SpecuiAsk) and pick.pending.kind == policy.DEFAULTS_PICKED
    q = pick.pending.question
    assert q.type == "multi-answerable" and not q.allow_other
    assert [o.value for o in q.options] == policy.defaultable_sections(st, spec)
    assert q.options[0].label.startswith("§")
    st = policy.place_question(st, pick.pending)
    st, rnd = answered(st, ["domain", "workflows"], kind="multi")
    decision = policy.decide(st, spec, answered=rnd)
    assert isinstance(decision, Directive)
    assert decision.default_sections == ["domain", "workflows"]
    assert decision.target_section not in ("domain", "workflows", None)


def test_none_goes_section_by_section_and_the_offer_is_not_made_again():
    st, spec = validating(), view()
    st = policy.place_question(st, policy.decide(st, spec).pending)
    st, rnd = answered(st, policy.DEFAULTS_NONE)
    decision = policy.decide(st, spec, answered=rnd)
    assert isinstance(decision, Directive) and decision.default_sections == []
    assert decision.target_section == spec.below_clarified()[0]
    again = policy.decide(st, spec)  # e.g. after "Not yet" at the finalize question
    assert not isinstance(again, policy.SpecuiAsk)


def test_a_section_named_by_an_open_contradiction_or_final_is_not_defaulted():
    contradiction = ContradictionRecord(
        found_round=2, topic="storage", statement_a="disk", where_a="data",
        statement_b="memory", where_b="nfr", status="resolved",
    )
    st = validating(contradictions=[contradiction])
    spec = view()
    assert "data" in policy.defaultable_sections(st, spec)
    contradiction.status = "asked"
    assert not {"data", "nfr"} & set(policy.defaultable_sections(st, spec))
    final = policy.SpecView(spec.bodies, {**spec.statuses, "domain": "final"})
    assert "domain" not in policy.defaultable_sections(validating(), final)


# --------------------------------------------------------------------------- what the engine must do


@pytest.mark.parametrize(
    ("patches", "deferrals", "problem"),
    [
        ([], [], "patch it so that no placeholder is left"),
        ([{"section": "domain", "body": "- **Entities**: <list + brief defs>"}], [],
         "patch it so that no placeholder is left"),
        ([{"section": "domain", "body": "- **Entities**: Default (assumed): notes"}], [],
         "deferrals: report the default you wrote into domain"),
        ([{"section": "domain", "body": "- **Entities**: Default (assumed): notes"}],
         [{"section": "domain", "topic": "Entities", "default": "notes", "rationale": "r"}],
         None),
    ],
)
def test_an_engine_that_ignores_the_accepted_defaults_is_refused(patches, deferrals, problem):
    directive = Directive(kind="validation", round=2, target_section="open_questions",
                          default_sections=["domain"])
    problems = policy.check_reply(
        validating(), directive, reply(patches=patches, deferrals=deferrals), view(),
        answered=None,
    )
    found = [p for p in problems if "domain" in p]
    if problem is None:
        assert found == []
    else:
        assert any(problem in p for p in found), problems


# --------------------------------------------------------------------------- the offline engine


def _to_offer(root: Path):
    drv, store, project = offline_driver(root)
    drv.start()
    drv.answer(Answer(kind="text", value=OVERVIEW))
    for _ in range(30):
        cur = store.state.interview.current
        assert cur is not None and store.state.interview.engine.error is None
        if cur.kind == policy.DEFAULTS_OFFER:
            return drv, store, project
        q = cur.question
        if q.is_free_text:
            drv.answer(Answer(kind="text", value="Notes are Markdown files in one folder."))
        else:
            i = next((i for i, o in enumerate(q.options) if o.recommended), 0)
            kind = "multi" if q.type == "multi-answerable" else "option"
            value = [q.options[i].value] if kind == "multi" else q.options[i].value
            drv.answer(Answer(kind=kind, value=value))
    raise AssertionError("no defaults offer")


def test_accepting_all_defaults_goes_straight_to_finalize(tmp_path: Path):
    drv, store, project = _to_offer(tmp_path)
    offered = store.state.interview.current.target_units
    drv.answer(Answer(kind="option", value=policy.DEFAULTS_ALL))
    iv = store.state.interview
    assert iv.engine.error is None, iv.engine.error
    assert iv.current is not None and iv.current.kind == "finalize"
    assert iv.validation_steps == 1
    # One line the screen can show at 80 columns, not a list of every section.
    assert iv.notice == (
        f"Defaults written for {len(iv.deferrals)} topics in {len(offered)} sections, each an "
        "assumption in Risks"
    )
    doc = SpecDocument.parse(project.spec.read_text())
    for k in offered:
        body = doc.unit_text(k)
        assert placeholder_status(body) == "clarified", (k, body)
        assert ACCEPTED_MARK in body, (k, body)
    # Risks names the sections once, not every default again; the recap marks them.
    risks = doc.unit_text("risks")
    assert "(you deferred" not in risks
    assert risks.count("Recommended defaults accepted at validation step 1 for ") == 1
    assert all(d.accepted and d.round == 1 for d in iv.deferrals)
    assert "Outstanding**: none" in doc.unit_text("open_questions")
    # A package of bullets gets what its recommended option routes to each, not one guess.
    interfaces = doc.unit_text("interfaces")
    assert "**CLI/Jobs**: Default (accepted): commands" in interfaces
    assert "**UI/UX**: Default (accepted): not in v1" in interfaces


def test_picked_sections_are_defaulted_and_the_others_asked(tmp_path: Path):
    drv, store, project = _to_offer(tmp_path)
    drv.answer(Answer(kind="option", value=policy.DEFAULTS_PICK))
    cur = store.state.interview.current
    assert cur.kind == policy.DEFAULTS_PICKED
    drv.answer(Answer(kind="multi", value=["domain", "workflows"]))
    iv = store.state.interview
    assert iv.engine.error is None, iv.engine.error
    doc = SpecDocument.parse(project.spec.read_text())
    for k in ("domain", "workflows"):
        assert ACCEPTED_MARK in doc.unit_text(k)
        assert placeholder_status(doc.unit_text(k)) == "clarified"
    assert iv.current is not None and iv.current.kind == "validation"
    assert iv.current.dimension not in ("domain", "workflows")
    assert ACCEPTED_MARK not in (doc.unit_text(iv.current.dimension) or "")


def test_a_section_clarified_by_hand_meanwhile_needs_no_default():
    directive = Directive(kind="validation", round=2, target_section="open_questions",
                          default_sections=["domain"])
    problems = policy.check_reply(
        validating(), directive, reply(), spec_with_clarified("domain"), answered=None
    )
    assert not [p for p in problems if "domain" in p]


def test_the_recap_says_which_sections_hold_accepted_defaults(tmp_path: Path):
    drv, store, _project = _to_offer(tmp_path)
    offered = store.state.interview.current.target_units
    drv.answer(Answer(kind="option", value=policy.DEFAULTS_ALL))
    drv.answer(Answer(kind="option", value=policy.FINALIZE_VALUE))
    message = store.state.interview.finish_message
    from specui.core.spec import UNIT_TITLES

    for k in offered:
        assert f"- ✓ {UNIT_TITLES[k]} (recommended defaults you accepted)" in message
    assert "- ✓ Vision & Goals\n" in message
    assert "- default for " not in message  # the accepted ones are not listed one by one
