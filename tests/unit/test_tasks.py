"""tasks.md counting, active feature detection, and the 'no pending tasks' log check."""

from __future__ import annotations

import json

import pytest

from specui.core.tasks import (
    TaskCount,
    count_tasks,
    find_feature_dir,
    find_tasks_file,
    log_reports_no_pending,
)

TASKS = """# Tasks

## Phase 1
- [x] T001 Create project structure
- [X] T002 [P] Configure linting
- [ ] T003 [P] [US1] Write the model in src/models/a.py
  - [ ] T004 nested task still counts
* [ ] T005 star bullet

## Format reminder
```markdown
- [ ] T999 example inside a fence
- [x] T998 example inside a fence
```
~~~
- [ ] T997 tilde fence
~~~
- [ ] TXXX leftover template placeholder
- [ ] T### leftover template placeholder
- [ ] not a task id
- [] T006 malformed box
Some prose mentioning - [ ] T007 in the middle of a line
"""


def test_count_tasks() -> None:
    count = count_tasks(TASKS)
    assert count == TaskCount(done=2, total=5)
    assert count.pending == 3 and not count.complete


def test_complete_needs_tasks() -> None:
    assert not count_tasks("").complete
    assert count_tasks("- [x] T001 a\n- [X] T002 b\n").complete


def test_unclosed_fence_hides_rest() -> None:
    assert count_tasks("- [ ] T001 a\n```\n- [ ] T002 b\n").total == 1


def test_crlf() -> None:
    assert count_tasks("- [x] T001 a\r\n- [ ] T002 b\r\n") == TaskCount(1, 2)


def make_feature(root, name: str, tasks: str | None = None):
    folder = root / "specs" / name
    folder.mkdir(parents=True)
    if tasks is not None:
        (folder / "tasks.md").write_text(tasks)
    return folder


def test_highest_numbered_feature(tmp_path) -> None:
    assert find_feature_dir(tmp_path) is None
    make_feature(tmp_path, "001-first", "- [ ] T001 a\n")
    latest = make_feature(tmp_path, "010-tenth", "- [x] T001 a\n")
    make_feature(tmp_path, "002-second")
    (tmp_path / "specs" / "notes").mkdir()
    (tmp_path / "specs" / "999-file.md").write_text("not a folder")
    assert find_feature_dir(tmp_path) == latest
    assert find_tasks_file(tmp_path) == latest / "tasks.md"


def test_feature_json_wins(tmp_path) -> None:
    chosen = make_feature(tmp_path, "001-chosen", "- [ ] T001 a\n")
    make_feature(tmp_path, "002-later", "- [ ] T001 a\n")
    (tmp_path / ".specify").mkdir()
    (tmp_path / ".specify" / "feature.json").write_text(
        json.dumps({"feature_directory": "specs/001-chosen"})
    )
    assert find_feature_dir(tmp_path) == chosen.resolve()


@pytest.mark.parametrize("payload", ['{"feature_directory": "../outside"}', "{not json",
                                     '{"feature_directory": "specs/404-missing"}', "[]"])
def test_bad_feature_json_falls_back(tmp_path, payload: str) -> None:
    (tmp_path.parent / "outside").mkdir(exist_ok=True)
    latest = make_feature(tmp_path, "003-x", "- [ ] T001 a\n")
    (tmp_path / ".specify").mkdir()
    (tmp_path / ".specify" / "feature.json").write_text(payload)
    assert find_feature_dir(tmp_path) == latest


def test_tasks_file_missing(tmp_path) -> None:
    make_feature(tmp_path, "001-x")
    assert find_tasks_file(tmp_path) is None


@pytest.mark.parametrize(
    "tail",
    [
        "All tasks are complete. Implementation finished.",
        "All 42 tasks completed.",
        "No remaining tasks.",
        "Pending tasks: none",
        "0 tasks remaining",
    ],
)
def test_log_says_no_pending(tail: str) -> None:
    log = "# implement\n" + "work\n" * 100 + tail + "\n\n---\nexit code: 0\n"
    assert log_reports_no_pending(log)


@pytest.mark.parametrize(
    "tail",
    [
        "Completed T001-T010; 5 tasks remaining.",
        "Some checklists have unchecked items. Do you want to proceed? (yes/no)",
        "Pending tasks: 3. No remaining tasks in phase 1.",
        "",
    ],
)
def test_log_with_pending(tail: str) -> None:
    assert not log_reports_no_pending("# implement\n" + tail + "\n")


def test_only_the_end_of_the_log_counts() -> None:
    log = "No remaining tasks.\n" + ("x" * 80 + "\n") * 200 + "Still working on T040.\n"
    assert not log_reports_no_pending(log)


@pytest.mark.parametrize(
    "tail",
    [
        "Not all tasks are complete yet; 3 still open.",
        "Not all tasks are complete yet.",
        "Once all tasks are complete, run the tests.",
        "If no pending tasks remain, stop here.",
        "Run the suite until all tasks are done.",
        "I could not find tasks.md; no pending tasks detected",
        "I couldn't find the tasks.md file. No pending tasks.",
        "No tasks.md in this feature. All tasks complete.",
        "All tasks done; 3 still open.",
    ],
)
def test_negated_or_conditional_phrases_are_not_done(tail: str) -> None:
    log = "# implement\n" + "work\n" * 20 + tail + "\n\n---\nexit code: 0\n"
    assert not log_reports_no_pending(log)


def test_a_plain_report_after_a_hedged_one_still_counts() -> None:
    log = "Once all tasks are complete, run the tests.\nRan them.\nAll 12 tasks completed!\n"
    assert log_reports_no_pending(log)


def test_fences_follow_commonmark() -> None:
    # "```python" inside a fence is code, not a closing fence (a closer has no info string).
    text = "```\n- [ ] T001\n```python\n- [ ] T002\n```\n- [x] T003\n- [X] T004\n"
    assert count_tasks(text) == TaskCount(done=2, total=2)


def test_closing_fence_needs_the_opening_length_and_char() -> None:
    text = "````\n- [ ] T001\n```\n~~~~\n- [ ] T002\n````\n- [x] T003\n"
    assert count_tasks(text) == TaskCount(done=1, total=1)


def test_inline_code_with_backticks_is_not_a_fence() -> None:
    text = "```x``` is inline code\n- [x] T001 a\n- [ ] T002 b\n"
    assert count_tasks(text) == TaskCount(done=1, total=2)


def test_html_comments_hide_tasks() -> None:
    text = (
        "<!-- - [ ] T001 one-line comment -->\n"
        "- [x] T002 real\n"
        "<!--\n- [ ] T003 commented out\n```\n-->\n"
        "- [ ] T004 real, and the fence inside the comment opened nothing\n"
        "  <!-- nested in a list item\n  - [ ] T005 -->\n"
        "- [x] T006 real <!-- trailing note -->\n"
    )
    assert count_tasks(text) == TaskCount(done=2, total=3)


def test_comment_marker_inside_a_fence_is_code() -> None:
    assert count_tasks("```\n<!--\n```\n- [ ] T001 a\n") == TaskCount(0, 1)


# --- feature directory rules (Spec Kit's scripts) -------------------------------------------

from specui.core.tasks import latest_feature_dir, log_reports_gaps


def test_env_var_wins_over_feature_json(tmp_path) -> None:
    make_feature(tmp_path, "001-json", "- [ ] T001 a\n")
    chosen = make_feature(tmp_path, "002-env", "- [x] T001 a\n")
    (tmp_path / ".specify").mkdir()
    (tmp_path / ".specify" / "feature.json").write_text('{"feature_directory": "specs/001-json"}')
    env = {"SPECIFY_FEATURE_DIRECTORY": "specs/002-env"}
    assert find_feature_dir(tmp_path, env) == chosen.resolve()
    assert find_feature_dir(tmp_path, {"SPECIFY_FEATURE_DIRECTORY": str(chosen)}) == chosen.resolve()
    assert find_feature_dir(tmp_path, {}).name == "001-json"
    assert find_tasks_file(tmp_path, env) == chosen.resolve() / "tasks.md"


def test_timestamped_folders_win_over_numbered_ones(tmp_path) -> None:
    specs = tmp_path / "specs"
    for name in ("001-a", "099-b", "20261129-213622-x", "20261128-090000-y", "1000-c"):
        (specs / name).mkdir(parents=True)
    assert latest_feature_dir(specs).name == "20261129-213622-x"
    assert find_feature_dir(tmp_path, {}).name == "20261129-213622-x"


def test_numbered_folders_by_number_ties_to_first_name(tmp_path) -> None:
    specs = tmp_path / "specs"
    for name in ("002-b", "0010-ten", "010-alpha", "010-beta", "9-short", "notes"):
        (specs / name).mkdir(parents=True)
    # 0010 and 010 are both ten; the scripts keep the first in glob order
    assert latest_feature_dir(specs).name == "0010-ten"
    assert latest_feature_dir(tmp_path / "nothing") is None


@pytest.mark.parametrize(
    ("tail", "expected"),
    [("Summary: gaps remain — FR-003 is not implemented.", True),
     ("Remaining work: wire the --json flag.", True),
     ("All tasks complete. No gaps remain.", False),
     ("If gaps remain, run converge.", False),
     ("Everything is built and tested.", False)],
)
def test_log_reports_gaps(tail: str, expected: bool) -> None:
    assert log_reports_gaps("lots of output\n" * 50 + tail) is expected
