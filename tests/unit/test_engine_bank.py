"""The question bank, section-text surgery, overview drafting and scoring (no engine loop)."""

from __future__ import annotations

import pytest

from specui.core.questions import Question, build_answer
from specui.core.spec import UNIT_KEYS, SpecDocument, placeholder_status, render_spec_template
from specui.engines import bank, drafting, scoring
from specui.engines.bank import UNIT_SECTION, BankContext
from specui.engines.builtin import BuiltinInterviewer

TEMPLATE = SpecDocument.parse(render_spec_template("demo"))
CTX = BankContext(claim="People forget chores.", stack="language=python", files="src/a.py")


def bodies(doc: SpecDocument = TEMPLATE) -> dict[str, str | None]:
    return {key: doc.section_body(key) for key in bank.SECTION_NUMBER}


# ----------------------------------------------------------------------------- bank


def test_bank_covers_every_tracked_unit():
    assert set(UNIT_SECTION) == set(UNIT_KEYS)
    assert bank.covered_units() == set(UNIT_KEYS)


def test_every_entry_builds_a_valid_question():
    keys = [e.key for e in bank.BANK]
    assert len(keys) == len(set(keys))
    for e in bank.BANK:
        q = e.question(CTX)
        assert isinstance(q, Question) and q.question.strip()
        assert "{" not in q.question  # every placeholder was filled
        assert (q.type == "multi-answerable") == e.multi
        if e.choices:
            assert all(o.description for o in q.options), e.key
            assert sum(o.recommended for o in q.options) <= 1, e.key
        else:
            assert q.is_free_text
        for unit, _ in e.targets:
            assert unit in UNIT_SECTION


def test_gates_and_specials_have_their_kinds():
    assert bank.NON_GOALS.kind == "non_goals" and bank.NON_GOALS.multi
    assert bank.DECISION_BOUNDARIES.kind == "decision_boundaries"
    assert bank.PRESSURE.kind == "pressure"
    assert {e.kind for e in bank.SPECIALS.values()} >= {
        "challenge:contrarian",
        "challenge:simplifier",
        "challenge:ontologist",
        "challenge:terminologist",
    }
    assert "People forget chores" in bank.PRESSURE.question(CTX).question


def test_render_replaces_only_the_answered_placeholder():
    q = bank.METRICS.question(CTX)
    answer = build_answer(q, [0, 2], None)
    out = bank.METRICS.render(bodies(), answer, CTX)
    assert set(out) == {"vision"}
    body = out["vision"]
    want = (
        "- **Success Metrics**: 90-day success: most target users active weekly; "
        "90% of top-task attempts complete without help"
    )
    assert want in body
    # the other bullets are exactly as before
    assert "- **Problem & Outcome**: <why this matters>" in body
    assert "- **Target Users**: <who benefits>" in body
    assert body.count("\n") == TEMPLATE.section_body("vision").count("\n")


def test_render_keeps_a_real_answer_and_appends_typed_text():
    doc = TEMPLATE.with_section_body("scope", "- **In-scope**: x\n- **Out-of-scope**: mine")
    q = bank.NON_GOALS.question(CTX)
    out = bank.NON_GOALS.render(bodies(doc), build_answer(q, [0], None), CTX)
    assert out == {}  # a chosen option never overwrites a real answer
    out = bank.NON_GOALS.render(bodies(doc), build_answer(q, [], "no SSO"), CTX)
    assert "- **Out-of-scope**: mine\n    Not in v1: no SSO" in out["scope"]


def test_package_answer_fills_every_bullet_and_clarifies():
    q = bank.PERFORMANCE.question(CTX)
    standard = [o.value for o in q.options].index("standard")
    out = bank.PERFORMANCE.render(bodies(), build_answer(q, [standard], None), CTX)
    body = out["nfr"]
    assert "- **Performance**: p95 < 300 ms" in body
    assert "- **Reliability**: 99.9% monthly uptime" in body
    assert "- **Security & Privacy**: authZ/authN, secrets, PII handling" in body  # untouched


def test_multi_with_defaults_marks_unchosen_as_not_in_v1():
    entry = bank.BY_KEY["interfaces.surfaces"]
    q = entry.question(CTX)
    ui = [o.value for o in q.options].index("ui")
    body = entry.render(bodies(), build_answer(q, [ui], None), CTX)["interfaces"]
    assert "- **API**: not in v1" in body and "- **Events**: not in v1" in body
    assert placeholder_status(body) == "clarified"


def test_other_text_is_kept_verbatim():
    q = bank.DRIVER.question(CTX)
    out = bank.DRIVER.render(bodies(), build_answer(q, [], "Our [bold] CEO asked"), CTX)
    assert "- **Primary Driver**: Our [bold] CEO asked" in out["vision"]


def test_answered_check_uses_spec_rules():
    assert not bank.STACK.answered(bodies())
    doc = TEMPLATE.with_section_body("deployment", "- **Stack**: TODO pick one")
    assert not bank.STACK.answered(bodies(doc))  # TODO is a placeholder
    doc = TEMPLATE.with_section_body("deployment", "- **Stack**: go + sqlite")
    assert bank.STACK.answered(bodies(doc))
    # template scaffolding text is not an answer
    assert not bank.BY_KEY["interfaces.surfaces"].answered(bodies())


def test_security_answer_patches_only_the_item():
    q = bank.SECURITY.question(CTX)
    out = bank.SECURITY.render(bodies(), build_answer(q, [0], None), CTX)
    changes = BuiltinInterviewer._changes(out, list(bank.SECURITY.units))
    assert list(changes) == ["security"]
    assert changes["security"].startswith("- **Security & Privacy**: OAuth2/OIDC")
    new = TEMPLATE.with_unit_text("security", changes["security"])
    assert new.unit_text("nfr") == TEMPLATE.unit_text("nfr")
    assert placeholder_status(new.unit_text("security")) == "clarified"


# ----------------------------------------------------------------------------- drafting


def test_set_item_keeps_everything_else_and_crlf():
    body = "- **A**: <x>\r\nfree note\r\n- **B**: keep me\r\n"
    out = drafting.set_item(body, "A", "done")
    assert out == "- **A**: done\r\nfree note\r\n- **B**: keep me\r\n"
    out = drafting.set_item(body, "C", "new\nsecond line")
    assert out == body + "- **C**: new\r\n    second line\r\n"


def test_set_item_replaces_continuation_lines_and_escapes_headings():
    body = "- **A**: old\n    more old\n- **B**: b"
    out = drafting.set_item(body, "a", "## not a heading\n```")
    assert out == "- **A**: \\## not a heading\n    \\```\n- **B**: b"
    assert drafting.item_value(out, "A") == "\\## not a heading\n\\```"


def test_parse_items_tolerates_label_styles():
    body = "* **Out-of-scope:** mobile\n-   **in-scope**  :  web"
    items = drafting.parse_items(body)
    assert [(i.label, i.value) for i in items] == [("Out-of-scope", "mobile"), ("in-scope", "web")]
    assert drafting.item_answered(body, "In-scope")


def test_overview_drafting_is_deterministic_and_partial():
    text = (
        "Freelancers waste hours chasing invoices. Paydue is a tool for freelancers who bill "
        "clients monthly. It sends reminders and tracks payments."
    )
    d = drafting.draft_overview(text)
    assert d == drafting.draft_overview(text)
    assert d.values[("vision", "Problem & Outcome")].startswith("Freelancers waste hours")
    assert d.values[("vision", "Target Users")] == "freelancers"
    assert "sends reminders and tracks payments" in d.values[("scope", "In-scope")]
    assert ("personas", "Top Use Cases") not in d.values  # unknown stays a placeholder
    assert drafting.draft_overview("   ").values == {}


# ----------------------------------------------------------------------------- scoring


def test_fact_points_sum_to_one_per_dimension():
    for dim in ("intent", "outcome", "scope", "constraints", "success", "context"):
        total = sum(f.points for f in scoring.FACTS if f.dimension == dim)
        assert total == pytest.approx(1.0), dim


def test_empty_template_scores_zero():
    ev = scoring.Evidence(bodies(), frozenset())
    results = scoring.score_all("greenfield", ev)
    assert all(r.score == 0 for r in results.values())
    assert scoring.ambiguity_of("greenfield", results) == 1.0
    assert results["intent"].justification == "nothing known yet"
    assert "problem statement" in results["intent"].gap


def test_scores_follow_spec_text_and_tags():
    doc = TEMPLATE.with_section_body(
        "scope", "- **In-scope**: a\n- **Out-of-scope**: b\n- **Decision Boundaries**: c"
    )
    ev = scoring.Evidence(bodies(doc), frozenset({"challenge:simplifier", "pressure"}))
    results = scoring.score_all("brownfield", ev)
    assert results["scope"].score == pytest.approx(0.35 + 0.30 + 0.20 + 0.15)
    assert results["intent"].score == pytest.approx(0.15)
    assert "context" in results
    # by hand, brownfield: 1 - (.25*.15 + .20*1.0)
    assert scoring.ambiguity_of("brownfield", results) == pytest.approx(1 - (0.0375 + 0.2))
    # an answered entry counts even if its text was kept aside as a conflict
    ev2 = scoring.Evidence(bodies(), frozenset({"entry:scope.non_goals"}))
    assert scoring.fact_met("non_goals", ev2)


def test_overview_success_sentence_goes_to_success_metrics_not_scope():
    from specui.engines.drafting import draft_overview

    draft = draft_overview(
        "A terminal todo app for developers. v1 must add, list and complete tasks. "
        "Success is daily use by the team within 30 days."
    )
    assert draft.values[("vision", "Success Metrics")] == "Success is daily use by the team within 30 days"
    assert "Success" not in draft.values[("scope", "In-scope")]
    assert "add, list and complete" in draft.values[("scope", "In-scope")]


@pytest.mark.parametrize(
    ("overview", "users"),
    [
        ("A recipe manager for home cooks. It must store recipes.", "home cooks"),
        ("A budgeting app for busy parents.", "busy parents"),
        ("A CLI for developers who live in the terminal.", "developers"),
    ],
)
def test_overview_names_target_users_from_a_for_phrase(overview, users):
    from specui.engines.drafting import draft_overview

    assert draft_overview(overview).values[("vision", "Target Users")] == users


def test_a_for_phrase_that_is_not_people_is_not_a_user():
    from specui.engines.drafting import draft_overview

    values = draft_overview("A tool for tracking expenses. It must export CSV.").values
    assert ("vision", "Target Users") not in values  # left as a placeholder: asked later
