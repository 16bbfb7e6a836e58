"""Options and SPEC.md text that do not fit what is known, found replaying whole ★ offline
interviews of a reading-list CLI, a JWKS cache service, a greenfield URL library, a room booking
web service for a 10-person team and a brownfield parser change:

- "Breaking API changes — Existing public functions keep their signatures" as a non-goal of a
  library that does not exist yet;
- "Revenue or conversion — It pays for itself or converts trials" as a 90-day signal of a tool
  for "our 10-person team";
- no ★ on "Keeps working through an outage" for a service whose overview is surviving one;
- "Constant memory on large input" as the only load a URL parser was offered, and a reading
  list's first one (nobody mentioned large input);
- SPEC.md's "No sign-in (no server)" for a library: the question said "Nobody signs in", the
  server part was never on screen;
- "specui wrote the starter template, which nobody has chosen yet: stack.toml says: …
  primary=postgres …" after the user said "Stored in Postgres".
"""

from __future__ import annotations

from pathlib import Path

from offline_run import answer_until, offline_driver

from specui.core.questions import Answer, Question, build_answer
from specui.core.spec import SpecDocument, item_value

URL_LIB = (
    "A Python library that parses URLs strictly for library users who handle untrusted links: "
    "v1 rejects malformed URLs with a clear error instead of guessing."
)
READING_CLI = (
    "A command-line tool that tracks my reading list: books and articles, with tags and a "
    "reading status. Just for me, on my laptop. v1 must add, list, tag and mark as read, and "
    "export to markdown. It works when I use it daily for a month."
)
ROOM_BOOKING = (
    "A small web service for our 10-person team to book the two meeting rooms. Team members "
    "sign in with Google, see free slots and book or cancel one. Stored in Postgres. v1 must "
    "prevent double bookings."
)
JWKS = (
    "A self-hosted JWKS cache service that survives the identity provider being down for an "
    "hour. Our API gateways fetch signing keys from it."
)


def started(root: Path, overview: str):
    drv, store, project = offline_driver(root)
    drv.start()
    drv.answer(Answer(kind="text", value=overview))
    return drv, store, project


def labels(q: Question) -> list[str]:
    return [o.label for o in q.options]


def starred(q: Question) -> list[str]:
    return [o.label for o in q.options if o.recommended]


def test_a_library_that_does_not_exist_yet_has_no_api_to_break(tmp_path: Path):
    _drv, store, _project = started(tmp_path, URL_LIB)
    q = store.state.interview.current.question
    assert "explicitly out of scope" in q.question
    assert "Breaking API changes" not in labels(q)


def test_a_team_tool_is_not_offered_revenue_as_its_signal(tmp_path: Path):
    drv, store, _project = started(tmp_path, ROOM_BOOKING)
    q = answer_until(drv, store, "Which signals show, 90 days after release")
    assert "Revenue or conversion" not in labels(q)


def test_surviving_an_outage_is_the_recommended_signal_of_a_service_built_for_it(tmp_path: Path):
    drv, store, _project = started(tmp_path, JWKS)
    q = answer_until(drv, store, "Which signals show, 90 days after release")
    assert starred(q) == ["Keeps working through an outage"]


def test_constant_memory_is_offered_only_when_the_input_can_be_large(tmp_path: Path):
    drv, store, _project = started(tmp_path / "lib", URL_LIB)
    q = answer_until(drv, store, "Which load should v1 be built for?")
    assert "Constant memory on large input" not in labels(q)
    assert labels(q)[:1] == ["Cheap per call"]
    drv, store, _project = started(tmp_path / "cli", READING_CLI)
    q = answer_until(drv, store, "Which load should v1 be built for?")
    assert "Constant memory on large input" not in labels(q)
    drv, store, _project = started(
        tmp_path / "big", URL_LIB + " It must handle log files of several GB line by line."
    )
    q = answer_until(drv, store, "Which load should v1 be built for?")
    assert "Constant memory on large input" in labels(q)


def test_no_sign_in_is_written_without_a_server_nobody_mentioned(tmp_path: Path):
    drv, store, project = started(tmp_path, URL_LIB)
    q = answer_until(drv, store, "What must it protect?")
    drv.answer(build_answer(q, [0], None))
    doc = SpecDocument.parse(project.spec.read_text())
    value = item_value(doc.unit_text("security"), "Security & Privacy") or ""
    assert value.startswith("No sign-in; ") and "server" not in value


def test_the_stack_question_does_not_call_a_named_datastore_nobodys_choice(tmp_path: Path):
    drv, store, _project = started(tmp_path, ROOM_BOOKING)
    q = answer_until(drv, store, "Is this the stack to build on?")
    assert "which nobody has chosen yet: stack.toml says" not in q.question
    assert "primary=postgres" in q.question


def test_a_javascript_library_is_not_offered_a_synchronous_api_as_a_non_goal(tmp_path: Path):
    # Found replaying "add retries to this HTTP client" on a small Node package whose
    # request() returns a Promise: "An async API — A synchronous API only".
    (tmp_path / "package.json").write_text('{"name": "tinyhttp-client", "main": "src/index.js"}')
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "request.js").write_text(
        "function request(method, url) {\n  return new Promise((resolve) => resolve(url));\n}\n"
        "module.exports = { request };\n"
    )
    _drv, store, _project = started(
        tmp_path, "Add retries with exponential backoff to this HTTP client library."
    )
    q = store.state.interview.current.question
    assert "explicitly out of scope" in q.question
    assert "An async API" not in labels(q)


def test_a_service_whose_callers_are_machines_is_not_offered_user_sign_in(tmp_path: Path):
    # The JWKS cache's callers are API gateways; the first auth option was "OAuth2/OIDC and
    # roles — Sign-in via an identity provider".
    drv, store, _project = started(tmp_path / "jwks", JWKS)
    q = answer_until(drv, store, "Which authentication model should v1 use?")
    assert "OAuth2/OIDC and roles" not in labels(q)
    assert "Mutual TLS" in labels(q) and "Scoped API tokens" in labels(q)
    drv, store, _project = started(
        tmp_path / "oidc", JWKS + " Admins sign in with OIDC to rotate keys."
    )
    q = answer_until(drv, store, "Which authentication model should v1 use?")
    assert starred(q) == ["OAuth2/OIDC and roles"]  # named: offered and recommended


def test_an_internal_tool_is_not_offered_payments_or_revenue(tmp_path: Path):
    # "An internal dashboard … for the platform team" was offered "Payments and billing" as a
    # non-goal (and would have been offered "Revenue or conversion" as its 90-day signal).
    dashboard = (
        "An internal dashboard showing CI build times per repository for the platform team, in Go."
    )
    drv, store, _project = started(tmp_path, dashboard)
    q = store.state.interview.current.question
    assert "explicitly out of scope" in q.question
    assert "Payments and billing" not in labels(q)
    assert "Native mobile apps" in labels(q)  # still a web product
    q = answer_until(drv, store, "Which signals show, 90 days after release")
    assert "Revenue or conversion" not in labels(q)
