"""Options that contradict what is known are not offered (issue 10 §1/§7), found replaying whole
offline interviews headless with the ★ answers (bank.md):

- a greenfield CLI was offered "No slower than today: no regression against the current code"
  (there is no current code) and took it as its performance target;
- the release gate offered "Keyboard-only use" for a terminal tool, "Security review: auth and
  data handling" with auth = none, and "The §9 targets are measured and met" with no target;
- "Dependency failure" as a known risk after the user said v1 depends on no outside service;
- "Bounded staleness" and "Fresh, stale, expired" for a URL-parser library that caches nothing;
- "Single instance; scale vertically" for a CLI on one laptop;
- the assumption probe quoted the product's name ("A command-line tool that tracks my reading
  list") instead of the claim the user made ("It works when I use it daily for a month");
- "Our API gateways fetch signing keys from it." reached no section (then "Who are the
  primary users?" was asked).
"""

from __future__ import annotations

import pytest
from offline_run import answer_until, offline_driver, run_whole

from specui.core.questions import Answer, Question, build_answer
from specui.core.spec import SpecDocument, item_value

READING_CLI = (
    "A command-line tool that tracks my reading list: books and articles, with tags and a "
    "reading status. Just for me, on my laptop. v1 must add, list, tag and mark as read, and "
    "export to markdown. It works when I use it daily for a month."
)
JWKS = (
    "A self-hosted JWKS cache service that survives the identity provider being down for an "
    "hour. Our API gateways fetch signing keys from it. It must cache keys on disk for 60 "
    "minutes and serve them with p95 under 20 ms."
)
URL_LIB = (
    "A Python library that parses URLs strictly for library users who handle untrusted links: "
    "v1 rejects malformed URLs with a clear error instead of guessing."
)
TEXTS = {"which stack": "Python 3.12 with click", "persona": "Me, a reader"}

Run = tuple[list[Question], object]


@pytest.fixture(scope="module")
def reading_cli(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return run_whole(tmp_path_factory.mktemp("cli"), READING_CLI, TEXTS)


@pytest.fixture(scope="module")
def jwks(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return run_whole(tmp_path_factory.mktemp("jwks"), JWKS, TEXTS)


@pytest.fixture(scope="module")
def url_lib(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return run_whole(tmp_path_factory.mktemp("lib"), URL_LIB, TEXTS)


def offered(run: Run, asks: str) -> list[str]:
    asked = [q for q in run[0] if asks in q.question]
    assert asked, f"never asked {asks!r}: {[q.question[:50] for q in run[0]]}"
    return [o.label for o in asked[0].options]


def test_a_greenfield_tool_is_not_offered_no_regression_against_current_code(reading_cli):
    load = offered(reading_cli, "Which load should v1 be built")
    assert "No slower than today" not in load
    assert "Throughput over latency" not in load  # "each batch job …": it runs no batch jobs


def test_the_release_gate_offers_only_checks_that_apply(reading_cli, jwks):
    cli = offered(reading_cli, "Which checks must pass before v1 is released?")
    assert "Keyboard-only use" not in cli  # a terminal tool has no mouse to do without
    assert "Security review" not in cli  # nobody signs in (stack.toml: auth = none)
    assert "Performance targets measured" not in cli  # §9 names no target yet
    service = offered(jwks, "Which checks must pass before v1 is released?")
    assert "Performance targets measured" in service  # "p95 under 20 ms" is in §9


def test_no_dependency_failure_risk_once_v1_depends_on_no_outside_service(reading_cli):
    deps = next(q for q in reading_cli[0] if "Which outside services" in q.question)
    assert [o.label for o in deps.options if o.recommended] == ["None"]  # taken by run_whole
    assert "Dependency failure" not in offered(reading_cli, "Which risks are most likely")


def test_cache_lifecycles_only_for_something_that_caches(url_lib, jwks):
    assert "Bounded staleness" not in offered(url_lib, "Which rules must always hold?")
    assert "Fresh, stale, expired" not in offered(url_lib, "Do records have a lifecycle")
    assert "Bounded staleness" in offered(jwks, "Which rules must always hold?")
    lifecycle = next(q for q in jwks[0] if "Do records have a lifecycle" in q.question)
    # It caches to survive an outage: serving stale entries only then is its lifecycle.
    assert [o.label for o in lifecycle.options if o.recommended] == ["Fresh, stale, expired"]


def test_a_tool_on_one_machine_does_not_scale_vertically(reading_cli):
    labels = offered(reading_cli, "How should v1 grow with load?")
    assert "Single instance" not in labels and labels[0] == "One machine"


def test_the_assumption_probe_quotes_the_claim_not_the_products_name(reading_cli):
    probe = next(q for q in reading_cli[0] if "What has to be true" in q.question)
    assert "you said “It works when I use it daily for a month”" in probe.question


def test_who_calls_the_service_are_its_users(jwks):
    _asked, project = jwks
    assert not any(q.question == "Who are the primary users?" for q in jwks[0])
    doc = SpecDocument.parse(project.spec.read_text())
    assert item_value(doc.unit_text("vision"), "Target Users") == "Our API gateways"


def test_a_librarys_default_deployment_is_the_package_it_recommends(url_lib):
    """The ★ on "Released as a package" beside "Decide for me: local development and one
    production" (brownfield mdurl replay): deferring must record what the ★ says."""
    q = next(q for q in url_lib[0] if "Which deployment setup fits v1?" in q.question)
    star = [o for o in q.options if o.recommended]
    assert [o.label for o in star] == ["Released as a package"]
    defer = next(o for o in q.options if o.label == "Decide for me")
    assert "users install it" in defer.description


def test_a_parser_library_is_not_offered_record_writes_or_multi_step_rollbacks(url_lib):
    assert "Idempotent writes" not in offered(url_lib, "Which rules must always hold?")
    assert "Partial failure" not in offered(url_lib, "Which edge cases must v1 handle?")


def test_a_ui_ruled_out_as_a_non_goal_is_not_offered_as_an_interface(tmp_path):
    drv, store, _project = offline_driver(tmp_path)
    drv.start()
    drv.answer(Answer(kind="text", value=JWKS))
    q = store.state.interview.current.question
    labels = [o.label for o in q.options]
    drv.answer(build_answer(q, [labels.index("A management UI")], None))
    q = answer_until(drv, store, "Which interfaces does v1 expose?", text="Keep it simple.")
    assert "Web or desktop UI" not in [o.label for o in q.options]


def test_records_with_a_status_are_offered_a_free_status_lifecycle(reading_cli):
    """The overview said "with tags and a reading status"; the ★ was "No lifecycle"."""
    q = next(q for q in reading_cli[0] if "Do records have a lifecycle" in q.question)
    assert [o.label for o in q.options if o.recommended] == ["A status that changes freely"]


def test_deferring_a_greenfield_load_does_not_compare_with_today(reading_cli):
    q = next(q for q in reading_cli[0] if "Which load should v1 be built" in q.question)
    defer = next(o for o in q.options if o.label == "Decide for me")
    assert "than today" not in defer.description
