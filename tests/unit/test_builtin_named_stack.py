"""The stack the user names in their own words fills stack.toml (trial G4's leftover: "Python 3.11
with click; data in JSON files on local disk; released on PyPI" set language and framework, but
runtime, datastore and hosting stayed "unknown"), plain files are offered as the storage that
stack.toml names, and a tool nobody signs in to is not left with "Which auth model should v1
use?" in §17 (found replaying a CSV→Markdown CLI "just for me" with the quick profile)."""

from __future__ import annotations

from pathlib import Path

from offline_run import answer_until, offline_driver, stack_of

from specui.core.open_questions import parse_open_questions
from specui.core.questions import Answer
from specui.core.spec import SpecDocument
from specui.interview.engines.builtin_reading import stack_changes_from_text


def named(text: str) -> dict[tuple[str, str], object]:
    return {(c.table, c.key): c.value for c in stack_changes_from_text(text)}


def test_a_version_a_plain_files_store_and_a_registry_are_read_from_the_users_words():
    said = named("Python 3.11 with click; data in JSON files on local disk; released on PyPI")
    assert said[("app", "runtime")] == "python3.11"
    assert said[("datastore", "primary")] == "files"
    assert said[("infra", "hosting")] == "pypi"
    go = named("Go 1.22 service; keys in files on local disk; deployed on Kubernetes")
    assert go[("app", "runtime")] == "go1.22" and go[("infra", "hosting")] == "kubernetes"
    assert ("app", "runtime") not in named("Python with click")


def test_the_named_stack_is_written_and_files_are_the_recommended_storage(tmp_path: Path):
    drv, store, project = offline_driver(tmp_path)
    drv.start()
    drv.answer(
        Answer(
            kind="text",
            value="A command-line tool that tracks my reading list. Just for me, on my laptop. "
            "Written in Python 3.12 with click; data in JSON files.",
        )
    )
    stack = stack_of(project)
    assert stack["app"]["runtime"] == "python3.12"
    assert stack["datastore"]["primary"] == "files"
    q = answer_until(drv, store, "Where does v1 keep its data?", text="Keep it simple.")
    assert [o.label for o in q.options if o.recommended] == ["Files on local disk"]
    assert not any("as stack.toml says" in o.label for o in q.options)


def test_a_tool_nobody_signs_in_to_is_not_asked_for_an_auth_model(tmp_path: Path):
    drv, _store, project = offline_driver(tmp_path, profile="quick")
    drv.start()
    drv.answer(
        Answer(kind="text", value="A tiny CLI that converts CSV to Markdown tables. Just for me.")
    )
    doc = SpecDocument.parse(project.spec.read_text())
    outstanding = parse_open_questions(doc.section_body("open_questions")).outstanding
    assert "Which auth model (authN/authZ) should v1 use?" not in outstanding
    assert "What must v1 protect (nobody signs in)?" in outstanding
    assert stack_of(project)["security"]["auth"] == "none"


def test_an_auth_named_in_a_later_answer_replaces_the_starters(tmp_path: Path):
    """JWKS replay: "Which authentication model?" → Other "mTLS between the gateways and the
    cache" wrote mTLS into SPEC.md while stack.toml kept the starter's oauth2+rbac; and a
    service called by machines was offered no mTLS option."""
    drv, store, project = offline_driver(tmp_path, profile="deep")
    drv.start()
    drv.answer(
        Answer(
            kind="text",
            value="A self-hosted JWKS cache service. Our API gateways fetch signing keys from it.",
        )
    )
    q = answer_until(drv, store, "Which authentication model should v1 use?", text="Keep it.")
    assert "Mutual TLS" in [o.label for o in q.options]
    assert stack_of(project)["security"]["auth"] != "mtls"
    drv.answer(Answer(kind="other", value="mTLS between the gateways and the cache"))
    assert stack_of(project)["security"]["auth"] == "mtls"


def test_the_stack_question_lists_undecided_settings_by_name_only():
    """Brownfield replay: "stack.toml says: language=python, framework=unknown, package=unknown,
    …, secrets=unknown. Is this the stack?" — nine `=unknown` to "confirm"."""
    from specui.interview.engines.builtin_reading import stack_summary

    data = {
        "name": {"project": "mdurl"},
        "app": {"language": "python", "framework": "unknown", "runtime": "python>=3.8"},
        "security": {"auth": "none", "secrets": "unknown"},
    }
    assert stack_summary(data) == (
        "language=python, runtime=python>=3.8, auth=none; not decided yet: framework, secrets"
    )


def test_deferring_the_auth_model_does_not_adopt_the_starters(tmp_path: Path):
    """JWKS replay: "Decide for me (the auth model stack.toml names …)" while stack.toml held
    the starter's oauth2+rbac that nobody chose."""
    drv, store, _project = offline_driver(tmp_path, profile="deep")
    drv.start()
    drv.answer(Answer(kind="text", value="A self-hosted JWKS cache service for our gateways."))
    q = answer_until(drv, store, "Which authentication model should v1 use?", text="Keep it.")
    defer = next(o for o in q.options if o.label == "Decide for me")
    assert "stack.toml names" not in defer.description
    assert "no auth model chosen yet" in defer.description
