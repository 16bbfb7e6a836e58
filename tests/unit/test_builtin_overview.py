"""Trial G15: the overview "A tiny CLI that converts CSV to Markdown tables for my blog posts.
Just for me. v1 reads a file or stdin and prints a table; works if my three blog tables convert
unchanged." was drafted as `Target Users: my blog posts; Just for me` with Success Metrics left
a placeholder (the "works if …" clause is the success test, it went to In-scope), and the
success-metrics question then offered "Most target users use it every week" for a tool that is
just for the person answering."""

from __future__ import annotations

import pytest

from specui.core.questions import Answer
from specui.interview.engines.builtin_reading import draft_overview
from tests.offline_run import answer_until, offline_driver

USERS = ("vision", "Target Users")
METRICS = ("vision", "Success Metrics")
SCOPE = ("scope", "In-scope")
CSV = (
    "A tiny CLI that converts CSV to Markdown tables for my blog posts. Just for me. v1 reads a "
    "file or stdin and prints a table; works if my three blog tables convert unchanged."
)


def test_what_it_works_on_is_not_its_users_and_the_success_test_is_the_metric():
    values = draft_overview(CSV)
    assert values[USERS] == "Just for me"
    assert values[METRICS] == "My three blog tables convert unchanged"
    assert values[SCOPE] == "v1 reads a file or stdin and prints a table"


@pytest.mark.parametrize(
    ("overview", "metric"),
    [
        (
            "A CLI that tracks my reading list. Just for me. It works when I use it daily.",
            "I use it daily",
        ),
        (
            "A backup tool for my photos. Done when a restore gives back every file.",
            "A restore gives back every file",
        ),
        (
            "A tool for my team. We will know it works when releases take an hour.",
            "Releases take an hour",
        ),
    ],
)
def test_a_stated_success_test_becomes_the_success_metric(overview, metric):
    assert draft_overview(overview)[METRICS] == metric


@pytest.mark.parametrize(
    ("overview", "users"),
    [
        ("A CLI that renames files for my photo archive.", None),
        ("A chore tracker for my family.", "my family"),
        ("A dashboard for our internal APIs.", "our internal APIs"),
    ],
)
def test_a_possessive_thing_is_not_a_user_but_possessive_people_are(overview, users):
    assert draft_overview(overview).get(USERS) == users


def test_a_tool_just_for_me_is_not_offered_metrics_about_its_users(tmp_path):
    drv, store, _project = offline_driver(tmp_path)
    drv.start()
    overview = "A CLI that converts CSV to Markdown tables. Just for me."
    drv.answer(Answer(kind="text", value=overview))
    q = answer_until(drv, store, "90 days after release")
    offered = [o.label for o in q.options]
    assert "I use it regularly" in offered
    assert "Regular use" not in offered  # "Most target users use it every week"
    assert "Task completion" not in offered  # "Users finish the top task without help"


def test_a_tool_just_for_me_asks_for_my_tasks_not_users(tmp_path):
    drv, store, project = offline_driver(tmp_path)
    drv.start()
    drv.answer(
        Answer(kind="text", value="A CLI that converts CSV to Markdown tables. Just for me.")
    )
    assert "Which 3 tasks must it let you do without friction?" in project.spec.read_text()
    q = answer_until(drv, store, "without friction?")
    assert q.question == "Which three tasks must you get done with it without friction?"
    drv.answer(Answer(kind="text", value="convert a file; convert stdin; keep alignment"))
    spec = project.spec.read_text()
    assert "- **Top Use Cases**: convert a file; convert stdin; keep alignment" in spec
    assert "without friction? → convert a file" in spec  # §17: settled, in the history


def test_a_shortened_text_ends_at_a_word():
    from specui.interview.engines.builtin_reading import short

    text = "it handles only the data its caller passes; no files, secrets or network of its own"
    assert short(text, 60) == "it handles only the data its caller passes; no files…"
    assert short("one two", 60) == "one two"
    assert len(short("x" * 200, 60)) == 60  # one long word is cut where it must be


def test_the_evidence_for_a_claim_of_a_tool_just_for_me(tmp_path):
    """The evidence options said "validate it with the first users" and "a customer, contract
    or regulation states it" for a CSV converter just for me."""
    drv, store, _project = offline_driver(tmp_path)
    drv.start()
    drv.answer(Answer(kind="text", value=CSV))
    q = answer_until(drv, store, "What evidence shows this holds?", text="Header rows.")
    offered = {o.label: o.description for o in q.options}
    assert "A requirement from outside" not in offered
    assert "users" not in offered["It is an assumption"]
