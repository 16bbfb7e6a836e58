"""The recommended (★) option fits what the user said, stack.toml and the repository.

Found in headless runs taking every ★ (a CLI that renames my photos "just for me", a room
booking web service for "our 10-person team" that signs in with Google and stores in Postgres,
a normalize_url() addition to a copy of mdurl): ★ "Ownership tree" for every project; "Released
as a package: CI tests every push; tagged releases are published" for a tool just for me;
★ "Full: metrics with alerts; OpenTelemetry traces" and "Tens of requests per second; p99 under
50 ms" for ten people booking rooms; no Postgres among the storage options though the overview
said "Stored in Postgres" (the first option, "Files on local disk", went into SPEC.md); no ★ on
OAuth2 for "sign in with Google"; ★ "Only the user's own files: it reads and writes files the
user already controls" for a pure URL library; ★ "Spike the riskiest unknown" with no unknown
named; the starter stack (TypeScript, Next.js, Postgres) offered with "Yes, as written" first.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from offline_run import answer_until, offline_driver, run_whole, stack_of

from specui.core.questions import Answer, Question, build_answer
from specui.core.spec import SpecDocument, item_value

PHOTO_CLI = (
    "A command-line tool that renames my photo files by the date they were taken, read from "
    "EXIF. Just for me, on my laptop. v1 must rename a folder in place, do a dry run first, "
    "and never overwrite an existing file."
)
ROOM_BOOKING = (
    "A small web service for our 10-person team to book the two meeting rooms. Team members "
    "sign in with Google, see free slots and book or cancel one. Stored in Postgres. v1 must "
    "prevent double bookings."
)
NORMALIZE = (
    "Add a normalize_url() function to this URL library: Markdown renderers that use mdurl "
    "want one call that parses, lower-cases the host and re-encodes a link so that equal links "
    "compare equal. The existing url_parse(), encode() and decode() must keep working unchanged."
)
TEXTS = {
    "which stack": "Python 3.12 with click, installed with pipx",
    "persona": "Me, a photographer",
    "entities": "Photo: a JPEG file with EXIF",
}

Run = tuple[list[Question], object]


@pytest.fixture(scope="module")
def photo_cli(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return run_whole(tmp_path_factory.mktemp("cli"), PHOTO_CLI, TEXTS)


@pytest.fixture(scope="module")
def room_booking(tmp_path_factory: pytest.TempPathFactory) -> Run:
    texts = {**TEXTS, "which stack": "Python with FastAPI and Postgres, deployed on Fly.io"}
    return run_whole(tmp_path_factory.mktemp("web"), ROOM_BOOKING, texts)


@pytest.fixture(scope="module")
def url_library(tmp_path_factory: pytest.TempPathFactory) -> Run:
    root = tmp_path_factory.mktemp("lib")
    (root / "pyproject.toml").write_text('[project]\nname = "mdurl"\nrequires-python = ">=3.7"\n')
    pkg = root / "src" / "mdurl"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("from ._parse import url_parse\nfrom ._encode import encode\n")
    (pkg / "_parse.py").write_text("def url_parse(url):\n    return url\n")
    (pkg / "_encode.py").write_text("def encode(string):\n    return string\n")
    return run_whole(root, NORMALIZE, TEXTS, profile="deep")


def question(run: Run, asks: str) -> Question:
    asked = [q for q in run[0] if asks in q.question]
    assert asked, f"never asked {asks!r}: {[q.question[:50] for q in run[0]]}"
    return asked[0]


def star(run: Run, asks: str) -> list[str]:
    return [o.label for o in question(run, asks).options if o.recommended]


def labels(run: Run, asks: str) -> list[str]:
    return [o.label for o in question(run, asks).options]


def bullet(run: Run, unit: str, label: str) -> str:
    project = run[1]
    doc = SpecDocument.parse(project.spec.read_text())  # type: ignore[attr-defined]
    return item_value(doc.unit_text(unit), label) or ""


@pytest.mark.parametrize("run", ["photo_cli", "room_booking", "url_library"])
def test_no_relationship_is_recommended_on_a_guess(run: str, request: pytest.FixtureRequest):
    r = request.getfixturevalue(run)
    assert star(r, "How do the entities relate") == []
    assert (
        "Each record belongs to exactly one parent"
        not in question(r, "How do the entities relate").options[-1].description
    )  # "Decide for me" does not default to a tree either


def test_the_starter_stack_nobody_chose_asks_for_the_stack(photo_cli: Run):
    q = question(photo_cli, "Is this the stack to build on?")
    # the language stack is the starter's; what the answers settled is named as theirs
    assert "starter template; only primary=files, auth=none came from your answers" in q.question
    assert q.options[0].label == "Name the stack"
    assert star(photo_cli, "Is this the stack to build on?") == ["Name the stack"]
    after = photo_cli[0][photo_cli[0].index(q) + 1]
    assert after.question.startswith("Which stack should it be built on")
    assert stack_of(photo_cli[1])["app"]["language"] == "python"  # type: ignore[arg-type]


def test_a_tool_just_for_me_is_installed_not_released(photo_cli: Run):
    assert star(photo_cli, "Which deployment setup") == ["Installed on my machine"]
    assert "tagged releases" not in bullet(photo_cli, "deployment", "CI/CD")
    assert star(photo_cli, "Which test strategy") == ["Unit tests, run locally"]
    assert "CI" not in bullet(photo_cli, "acceptance", "Automation").replace("no CI", "")


def test_a_local_tool_has_no_records_lifecycle_or_invented_latency(photo_cli: Run):
    assert star(photo_cli, "lifecycle") == ["No lifecycle"]
    assert "records" not in bullet(photo_cli, "states", "State machine(s)")
    assert star(photo_cli, "Which load should v1 be built for?") == []
    assert "No data of its own" in labels(photo_cli, "Where does v1 keep its data?")


def test_no_spike_without_a_named_technical_unknown(photo_cli: Run):
    assert star(photo_cli, "How should the work be phased?") == ["Straight to MVP"]


def test_the_datastore_the_overview_named_is_offered_and_recommended(room_booking: Run):
    assert star(room_booking, "Where does v1 keep its data?") == ["postgres, as stack.toml says"]
    assert bullet(room_booking, "data", "Storage").startswith("postgres (stack.toml)")


def test_sign_in_with_google_recommends_oauth(room_booking: Run):
    assert star(room_booking, "Which authentication model") == ["OAuth2/OIDC and roles"]


def test_a_small_team_gets_no_invented_scale(room_booking: Run):
    load = labels(room_booking, "Which load should v1 be built for?")
    assert not any("concurrent users" in x or "request rate" in x for x in load)
    assert star(room_booking, "Which load should v1 be built for?") == ["A handful of users"]
    assert star(room_booking, "How reliable must v1 be?") == ["Best effort"]
    assert star(room_booking, "How much observability") == ["Basic"]
    assert star(room_booking, "Which interfaces does v1 expose?") == ["Web or desktop UI"]


def test_a_pure_library_protects_what_its_caller_passes(url_library: Run):
    assert star(url_library, "What must it protect?") == ["Only what the caller passes"]
    assert "reads and writes" not in bullet(url_library, "security", "Security & Privacy")
    assert star(url_library, "How should v1 grow with load?") == ["The caller's concern"]
    assert star(url_library, "Which interfaces does v1 expose?") == ["Library API"]


def test_a_brownfield_release_gate_keeps_existing_callers_working(url_library: Run):
    assert star(url_library, "Which checks must pass before v1 is released?") == [
        "Existing tests still pass"
    ]


def test_naming_the_stack_over_the_starter_leaves_none_of_the_starter_behind(photo_cli: Run):
    stack = stack_of(photo_cli[1])  # type: ignore[arg-type]
    assert stack["app"]["framework"] == "click"  # "Python 3.12 with click"
    left = {f"{t}.{k}": v for t, kv in stack.items() if isinstance(kv, dict) for k, v in kv.items()}
    for starter in ("nextjs", "pnpm", "node18", "postgres", "prisma", "vercel", "otel+grafana"):
        assert starter not in left.values(), left
    assert left["security.secrets"] == "unknown"  # not aws-kms+ssm next to "no secrets stored"
    assert left["security.auth"] == "none"  # decided earlier (no server): kept
    # The stack question was answered by the follow-up: it is not left for the open review.
    reviews = [q for q in photo_cli[0] if q.question.startswith("Which of these open questions")]
    assert not any("stack" in o.label for q in reviews for o in q.options)


def test_naming_the_stack_keeps_the_auth_and_datastore_the_user_chose(room_booking: Run):
    stack = stack_of(room_booking[1])  # type: ignore[arg-type]
    assert stack["app"]["framework"] == "fastapi" and stack["infra"]["hosting"] == "fly.io"
    # "sign in with Google" and the chosen "OAuth2/OIDC and roles" are not blanked as if they
    # were only the starter's value; the starter's CI and secrets store are
    assert stack["security"]["auth"] == "oauth2+rbac"
    assert stack["datastore"]["primary"] == "postgres"
    assert stack["security"]["secrets"] == "unknown"


def test_the_chosen_auth_model_is_written_to_stack_toml(tmp_path: Path):
    # stack.toml said oauth2+rbac while SPEC.md said "Scoped API tokens".
    drv, store, project = offline_driver(tmp_path, "deep")
    drv.start()
    drv.answer(Answer(kind="text", value="A web service our partners' servers call over an API."))
    q = answer_until(drv, store, "Which authentication model")
    drv.answer(build_answer(q, [[o.label for o in q.options].index("Scoped API tokens")], None))
    assert stack_of(project)["security"]["auth"] == "api-tokens"


def test_an_interface_with_a_bullet_of_its_own_is_not_written_as_the_api(
    photo_cli: Run, room_booking: Run
):
    # SPEC.md said "- **API**: CLI" for a command-line tool (and "API: UI" for a web UI).
    assert bullet(photo_cli, "interfaces", "API") == "not in v1"
    assert bullet(photo_cli, "interfaces", "CLI/Jobs") == "commands with help text and exit codes"
    assert bullet(room_booking, "interfaces", "API") == "not in v1"
    assert bullet(room_booking, "interfaces", "UI/UX") == "screens for the top use cases"


def test_outside_services_follow_what_the_overview_depends_on(room_booking: Run, tmp_path: Path):
    # ★ "None: self-contained v1" for a service whose users "sign in with Google".
    assert "None" not in labels(room_booking, "Which outside services")
    assert star(room_booking, "Which outside services") == ["The identity provider only"]
    assert bullet(room_booking, "integrations", "Third-parties") == (
        "the identity provider, for sign-in only"
    )
    asked, _project = run_whole(
        tmp_path,
        "A JWKS cache service that keeps serving keys while the identity provider is down.",
        TEXTS,
        profile="deep",
    )
    q = next(q for q in asked if "Which outside services" in q.question)
    assert [o.label for o in q.options if o.recommended] == ["One upstream service"]


def test_deciding_for_me_records_what_the_project_points_to(tmp_path: Path):
    # A pure library that deferred "What must it protect?" got the generic default "it reads
    # and writes only files the user already controls" (marked, but not this project's).
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "mdurl"\n')
    (tmp_path / "mdurl.py").write_text("def url_parse(url):\n    return url\n")
    drv, store, project = offline_driver(tmp_path, "deep")
    drv.start()
    drv.answer(Answer(kind="text", value=NORMALIZE))
    q = answer_until(drv, store, "What must it protect?")
    drv.answer(build_answer(q, [[o.label for o in q.options].index("Decide for me")], None))
    doc = SpecDocument.parse(project.spec.read_text())
    value = item_value(doc.unit_text("security"), "Security & Privacy") or ""
    assert "Default (you deferred): it handles only the data its caller passes" in value
    assert "reads and writes" not in value
