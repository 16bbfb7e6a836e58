"""The overview's drafting keeps who it is for and every feature named (found in tmux: "For
developers who keep notes in git.", "Just for me." and "Also RSS." never reached SPEC.md, and
"Just for me" was written as the In-scope list)."""

from __future__ import annotations

import pytest

from specui.interview.engines.builtin_reading import draft_overview

USERS = ("vision", "Target Users")
SCOPE = ("scope", "In-scope")


@pytest.mark.parametrize(
    ("overview", "users"),
    [
        (
            "A notes site builder for small teams. For developers who keep notes in git.",
            "small teams; developers who keep notes in git",
        ),
        (
            "A static site builder. Users are developers who keep notes in git.",
            "developers who keep notes in git",
        ),
        ("A CLI that syncs dotfiles between my two laptops over ssh. Just for me.", "Just for me"),
        (
            "A CLI for developers. For developers who live in the terminal.",
            "developers who live in the terminal",
        ),
        (
            "A parser API. For library users parsing big generated INI files.",
            "library users parsing big generated INI files",
        ),
        ("A cache. For 60 minutes it must serve stale keys.", None),
    ],
)
def test_a_sentence_that_names_the_users_goes_to_target_users(overview, users):
    values = draft_overview(overview)
    assert values.get(USERS) == users
    if users is not None:
        assert users.split("; ")[-1] not in values.get(SCOPE, "")


MDURL = (
    "Add a normalize_url() function to this URL library: Markdown renderers that use mdurl "
    "want one call that re-encodes a link."
)


@pytest.mark.parametrize(
    ("overview", "users"),
    [
        # Headless run in a copy of mdurl: "Who are the primary users?" was asked at round 7.
        (MDURL, "Markdown renderers that use mdurl"),
        ("A board. Teams that use Jira need a faster one.", "Teams that use Jira"),
        ("A parser. The cache that uses memory wants less.", None),
        # Headless run: "APIs" ends like "analysis", so the service's callers were not users.
        ("A JWKS cache service for our internal APIs that survives an IdP outage.",
         "our internal APIs"),
    ],
)  # fmt: skip
def test_the_people_who_want_it_are_its_users(overview, users):
    assert draft_overview(overview).get(USERS) == users


def test_also_sentences_join_the_in_scope_list():
    values = draft_overview(
        "A notes site builder. v1 must index and search offline. Also RSS. Plus a JSON export."
    )
    assert values[SCOPE] == "v1 must index and search offline; Also RSS; Plus a JSON export"


PARSER_API = "Add a streaming parser API to iniconfig: parse_stream() yields sections lazily."


@pytest.mark.parametrize(
    ("overview", "in_scope"),
    [
        (PARSER_API + " For library users parsing big generated INI files. Not in v1: async.",
         PARSER_API.rstrip(".")),
        ("A CLI that syncs dotfiles between my two laptops over ssh. Just for me.",
         "A CLI that syncs dotfiles between my two laptops over ssh"),
        ("Notes are hard to find. Users are developers.", None),
    ],
)  # fmt: skip
def test_an_opening_sentence_that_says_what_v1_does_is_also_the_scope(overview, in_scope):
    # Found in a headless brownfield run: the only sentence saying what v1 does opened the
    # overview, so In-scope stayed empty and round 7 asked "What must v1 build?".
    assert draft_overview(overview).get(SCOPE) == in_scope
