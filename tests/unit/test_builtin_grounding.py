"""Options and questions grounded in what the user already said (offline interviewer).

Found in headless runs of a static-site CLI ("Not in v1: Windows, plugins, a server."):
the non-goals question came anyway with nothing ticked and Out-of-scope stayed empty; it offered
"A graphical interface — No web or desktop UI" for a tool whose output is a web site and "Work
within the current dependency set" in greenfield; the success metrics offered "Keeps working
through an outage" though no dependency was ever named; the validation pass asked "Which
authentication model should v1 use?" with one real option, for a tool with no server.
"""

from __future__ import annotations

from pathlib import Path

from offline_run import answer_until, offline_driver

from specui.core.questions import Answer, build_answer
from specui.core.spec import SpecDocument, item_value

SITE_CLI = (
    "A command-line tool that watches a folder of markdown notes and builds a searchable static "
    "site. Users are developers who keep notes in git. v1 must index, search offline, and "
    "rebuild in under 2 seconds."
)


def bullet(project, unit: str, label: str) -> str | None:
    return item_value(SpecDocument.parse(project.spec.read_text()).unit_text(unit), label)


def labels(q) -> list[str]:
    return [o.label for o in q.options]


def test_non_goals_stated_in_the_overview_are_written_and_not_asked_again(tmp_path: Path):
    drv, store, project = offline_driver(tmp_path)
    drv.start()
    drv.answer(Answer(kind="text", value=SITE_CLI + " Not in v1: Windows, plugins, a server."))
    assert bullet(project, "scope", "Out-of-scope") == "Not in v1: Windows, plugins, a server"
    assert "Not in v1" not in (bullet(project, "scope", "In-scope") or "")
    iv = store.state.interview
    assert iv.gates.non_goals
    assert [(g.gate, g.round, g.note) for g in iv.gate_evidence] == [
        ("non_goals", 1, "stated in the overview: Not in v1: Windows, plugins, a server")
    ]
    assert "out of scope" not in iv.current.question.question


def test_non_goal_options_fit_a_greenfield_cli_that_builds_a_site(tmp_path: Path):
    drv, store, _project = offline_driver(tmp_path)
    drv.start()
    drv.answer(Answer(kind="text", value=SITE_CLI))
    q = store.state.interview.current.question
    assert "explicitly out of scope" in q.question
    offered = labels(q)
    assert "A graphical interface" not in offered  # its output is a web site
    assert "New runtime dependencies" not in offered  # greenfield: no dependency set yet
    assert "Windows support" in offered and "A plugin system" in offered


def test_a_named_host_rules_out_everything_runs_locally(tmp_path: Path):
    drv, store, _project = offline_driver(tmp_path)
    drv.start()
    drv.answer(Answer(kind="text", value=SITE_CLI + " The site is served from GitHub Pages."))
    offered = labels(store.state.interview.current.question)
    assert "Cloud features" not in offered
    drv2, store2, _p2 = offline_driver(tmp_path / "local")
    drv2.start()
    drv2.answer(Answer(kind="text", value=SITE_CLI))
    assert "Cloud features" in labels(store2.state.interview.current.question)


def test_brownfield_offers_the_current_dependency_set(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "inifile"\n')
    (tmp_path / "inifile.py").write_text("def parse(text):\n    return {}\n")
    drv, store, _project = offline_driver(tmp_path)
    drv.start()
    drv.answer(Answer(kind="text", value="Add a streaming parse_stream() API to this library."))
    q = answer_until(drv, store, "explicitly out of scope")
    assert "New runtime dependencies" in labels(q)


def test_surviving_an_outage_is_offered_only_when_something_can_go_down(tmp_path: Path):
    drv, store, _project = offline_driver(tmp_path)
    drv.start()
    drv.answer(
        Answer(
            kind="text",
            value="A Python library that parses big INI files as a stream. For library users.",
        )
    )
    q = answer_until(drv, store, "90 days after release")
    assert "Adopted by callers" in labels(q)
    assert not any("outage" in x for x in labels(q))
    drv, store, _project = offline_driver(tmp_path / "jwks")
    drv.start()
    drv.answer(
        Answer(
            kind="text",
            value="A self-hosted JWKS cache library that survives the identity provider being "
            "down for an hour. Not in v1: a management UI.",
        )
    )
    q = answer_until(drv, store, "90 days after release")
    assert "Keeps working through an outage" in labels(q)


def test_a_tool_with_no_server_is_asked_what_to_protect_not_how_users_sign_in(tmp_path: Path):
    drv, store, project = offline_driver(tmp_path)
    drv.start()
    drv.answer(Answer(kind="text", value=SITE_CLI + " Not in v1: Windows, plugins, a server."))
    q = answer_until(drv, store, "What must it protect?")
    offered = labels(q)
    assert "What it publishes is public" in offered  # it builds a site
    drv.answer(build_answer(q, [offered.index("Only the user's own files")], None))
    assert bullet(project, "security", "Security & Privacy").startswith("No sign-in; ")
    asked = answer_until(drv, store, "Finalize", text="Plain files")
    assert asked is not None
    transcript = [r.question.question for r in store.state.interview.rounds]
    assert not any("authentication model" in t for t in transcript)
    # Already said in the overview: who it is for, what is out of scope, the performance target.
    for said in ("Who are the primary users?", "explicitly out of scope", "Which load"):
        assert not any(said in t for t in transcript), said


def test_a_narrow_v1_answer_is_no_primary_driver(tmp_path: Path):
    # The Contrarian's "Partly true: narrow v1" questions the driver rather than naming one:
    # it lands in Risks with its open question, and §17 must not record it as the answer to
    # "What is the primary driver?" (found in a headless run).
    drv, store, project = offline_driver(tmp_path)
    drv.start()
    drv.answer(
        Answer(
            kind="text",
            value="A command-line tool that builds a searchable static site from markdown "
            "notes. Users are developers.",
        )
    )
    q = answer_until(drv, store, "Devil's advocate")
    before = store.state.interview.rounds[-1].scores["intent"]
    drv.answer(build_answer(q, [[o.value for o in q.options].index("narrow")], None))
    spec = project.spec.read_text()
    assert bullet(project, "risks", "Alternatives considered") == (
        "Contrarian check: narrow v1; build only what existing tools cannot do"
    )
    assert "Which parts of v1 can reuse existing tools instead of new code?" in spec
    assert "primary driver (why now)? → Partly true" not in spec
    assert store.state.interview.rounds[-1].scores["intent"] == before  # no driver named


def test_a_deferred_gate_comes_back_once_with_its_default_to_keep(tmp_path: Path):
    # Found in a headless run: "decide for me" on the decision boundaries left the gate open,
    # and the identical question came back at rounds 8 and 11.
    drv, store, project = offline_driver(tmp_path)
    drv.start()
    drv.answer(Answer(kind="text", value=SITE_CLI + " Not in v1: Windows, plugins, a server."))
    q = answer_until(drv, store, "Which decisions may the implementer make")
    deferred_in = store.state.interview.current.round
    drv.answer(build_answer(q, [[o.value for o in q.options].index("decide-for-me")], None))
    assert not store.state.interview.gates.decision_boundaries
    q = answer_until(drv, store, "Which decisions may the implementer make")
    assert q.question.startswith(
        f"Round {deferred_in} left this to a default (internal code structure and naming only); "
        "keep it or choose: Which decisions"
    )
    values = [o.value for o in q.options]
    assert values[0] == "keep-default" and q.options[0].recommended
    assert "decide-for-me" not in values
    drv.answer(build_answer(q, [0], None))
    iv = store.state.interview
    assert iv.gates.decision_boundaries
    assert bullet(project, "scope", "Decision Boundaries") == (
        "Implementer may decide without confirmation: internal code structure and naming only; "
        "everything else needs your confirmation"
    )


def test_interfaces_of_a_cli_that_builds_a_site_with_no_server(tmp_path: Path):
    # Found in a headless run: "HTTP API — JSON over HTTPS" offered first for a CLI whose
    # overview said "Not in v1: ... a server", and nothing for the site it builds.
    drv, store, project = offline_driver(tmp_path)
    drv.start()
    drv.answer(Answer(kind="text", value=SITE_CLI + " Not in v1: Windows, plugins, a server."))
    q = answer_until(drv, store, "Which interfaces does v1 expose?")
    offered = labels(q)
    assert "HTTP API" not in offered
    assert offered[:2] == ["Generated web pages", "CLI commands"]
    drv.answer(build_answer(q, [0, 1], None))
    assert bullet(project, "interfaces", "UI/UX") == "static pages it builds for the browser"


def test_a_name_the_overview_introduces_is_no_unclear_term(tmp_path: Path):
    # Headless run in a copy of mdurl: "Add a normalize_url() function ..." made the
    # Terminologist ask about "normalize_url(): the code defines no such name" (a round spent
    # on the very function the user asked for).
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "mdurl"\n')
    (tmp_path / "mdurl.py").write_text("def url_parse(url):\n    return url\n")
    drv, store, _project = offline_driver(tmp_path)
    drv.start()
    drv.answer(
        Answer(
            kind="text",
            value="Add a normalize_url() function to this URL library. It calls url_parse() "
            "and then url_fixup().",
        )
    )
    conflicts = {t.term.term for t in store.state.interview.terminology if t.term.conflict}
    assert "normalize_url()" not in conflicts
    assert "url_fixup()" in conflicts  # named as if it existed: still checked against the code
