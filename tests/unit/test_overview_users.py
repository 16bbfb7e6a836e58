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
        ("A notes site builder for small teams. For developers who keep notes in git.",
         "small teams; developers who keep notes in git"),
        ("A static site builder. Users are developers who keep notes in git.",
         "developers who keep notes in git"),
        ("A CLI that syncs dotfiles between my two laptops over ssh. Just for me.", "Just for me"),
        ("A CLI for developers. For developers who live in the terminal.",
         "developers who live in the terminal"),
        ("A parser API. For library users parsing big generated INI files.",
         "library users parsing big generated INI files"),
        ("A cache. For 60 minutes it must serve stale keys.", None),
    ],
)
def test_a_sentence_that_names_the_users_goes_to_target_users(overview, users):
    values = draft_overview(overview)
    assert values.get(USERS) == users
    if users is not None:
        assert users.split("; ")[-1] not in values.get(SCOPE, "")


def test_also_sentences_join_the_in_scope_list():
    values = draft_overview(
        "A notes site builder. v1 must index and search offline. Also RSS. Plus a JSON export."
    )
    assert values[SCOPE] == "v1 must index and search offline; Also RSS; Plus a JSON export"
