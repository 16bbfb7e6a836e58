"""Spec Kit's tasks.md: how much of `implement` is done, and which feature is active.

Task lines look like `- [ ] T001 [P] [US1] Create project structure`; `[x]`/`[X]` is done.
Lines inside fenced code blocks or HTML comments are examples, not tasks, and template
leftovers such as `T###`/`TXXX` placeholders are not tasks either — counting them would make a
finished feature look unfinished forever and auto-continue would never stop.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from specui.core.ansi import strip_ansi
from specui.core.loader import LoadError, load_json_file
from specui.core.markdown import Fence, fence_step, is_html_comment_start

__all__ = [
    "TaskCount",
    "count_tasks",
    "find_feature_dir",
    "find_tasks_file",
    "latest_feature_dir",
    "log_reports_gaps",
    "log_reports_no_pending",
]

# `- [ ] T001 ...`, also `* [x] T12`, `1. [X] T003` and indented sub-lists.
_TASK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\[([ xX])\]\s+T(\d+)\b")
_SEQUENTIAL = re.compile(r"^(\d{3,})-")
_TIMESTAMPED = re.compile(r"^(\d{8}-\d{6})-")


@dataclass(frozen=True)
class TaskCount:
    done: int
    total: int

    @property
    def pending(self) -> int:
        return self.total - self.done

    @property
    def complete(self) -> bool:
        """All tasks done — and there is at least one (an empty list is not 'done')."""
        return self.total > 0 and self.done == self.total


def count_tasks(text: str) -> TaskCount:
    """Done and total task lines of a tasks.md text.

    Lines inside code fences (CommonMark rules, shared with the SPEC.md parser through
    `specui.core.markdown`) and inside HTML comment blocks (`<!-- ... -->`, from a line that
    starts with `<!--` to the first line holding `-->`) are examples or commented-out tasks,
    not tasks.
    """
    done = total = 0
    fence: Fence | None = None
    in_comment = False
    for line in text.splitlines():
        if fence is None:
            if in_comment:
                in_comment = "-->" not in line
                continue
            if is_html_comment_start(line):
                in_comment = "-->" not in line.split("<!--", 1)[1]
                continue
        fence, is_fence = fence_step(line, fence)
        if is_fence or fence is not None:
            continue
        match = _TASK.match(line)
        if match is None:
            continue
        total += 1
        if match.group(1) in "xX":
            done += 1
    return TaskCount(done, total)


def latest_feature_dir(specs: Path) -> Path | None:
    """Spec Kit's own choice of the latest feature folder in `specs/` (its scripts'
    `get_current_branch` for a project without git): any timestamped folder
    (`YYYYMMDD-HHMMSS-slug`, made by `--timestamp`) wins over every numbered one and the
    latest timestamp wins among them; otherwise the highest `NNN-` number. Ties go to the
    first name in sorted order, as the scripts' glob sees them."""
    try:
        names = sorted(entry.name for entry in specs.iterdir() if entry.is_dir())
    except OSError:
        return None
    latest: str | None = None
    latest_stamp = ""
    highest = 0
    for name in names:
        stamp = _TIMESTAMPED.match(name)
        if stamp is not None:
            if stamp.group(1) > latest_stamp:
                latest_stamp, latest = stamp.group(1), name
            continue
        number = _SEQUENTIAL.match(name)
        if number is not None and int(number.group(1)) > highest:
            highest = int(number.group(1))
            if not latest_stamp:
                latest = name
    return specs / latest if latest is not None else None


def _inside(root: Path, candidate: Path) -> bool:
    try:
        candidate.relative_to(root)
    except ValueError:
        return False
    return True


def find_feature_dir(
    root: Path, environ: Mapping[str, str] | None = None, *, strict: bool = False
) -> Path | None:
    """The active feature, in the order Spec Kit's scripts resolve it: the
    `SPECIFY_FEATURE_DIRECTORY` environment variable (relative to the project, or absolute),
    then `.specify/feature.json`'s `feature_directory` when it names an existing folder inside
    the project, then Spec Kit's ordering of `specs/*` (see latest_feature_dir).

    feature.json is read under core.loader's limits. An unusable one (not JSON, 100,000 levels
    deep, a directory) is skipped, because live views poll this while Spec Kit rewrites the
    file; with `strict` (a one-shot report such as `specui status`) it is a LoadError instead."""
    root = Path(root).resolve()
    env = os.environ if environ is None else environ
    explicit = env.get("SPECIFY_FEATURE_DIRECTORY", "")
    if explicit:
        return (root / explicit).resolve()
    feature_json = root / ".specify" / "feature.json"
    try:
        data = load_json_file(feature_json, what=".specify/feature.json", max_bytes=1024 * 1024)
    except LoadError as exc:
        if strict and not exc.missing:
            raise
        data = None
    if isinstance(data, dict) and isinstance(data.get("feature_directory"), str):
        candidate = (root / data["feature_directory"]).resolve()
        if data["feature_directory"] and _inside(root, candidate) and candidate.is_dir():
            return candidate
    return latest_feature_dir(root / "specs")


def find_tasks_file(
    project_root: Path, environ: Mapping[str, str] | None = None, *, strict: bool = False
) -> Path | None:
    feature = find_feature_dir(project_root, environ, strict=strict)
    if feature is None:
        return None
    tasks = feature / "tasks.md"
    return tasks if tasks.is_file() else None


# Phrases an implement run ends with when nothing is left; checked only near the end of the log.
_NO_PENDING = re.compile(
    r"(no (?:remaining|pending|outstanding|incomplete|unchecked) tasks"
    r"|all (?:\d+ )?tasks (?:are |have been )?(?:complete|completed|done|marked (?:as )?(?:done|complete|\[x\]))"
    r"|(?:0|zero) (?:tasks )?(?:remaining|pending)"
    r"|pending tasks?:\s*(?:0|none))",
    re.IGNORECASE,
)
_PENDING = re.compile(
    r"(\d+) (?:tasks? )?(?:(?:still|are|is) )?(?:remaining|pending|left|incomplete|open|unchecked)"
    r"|pending tasks?:\s*[1-9]",
    re.IGNORECASE,
)
# A "no pending" phrase in the same sentence as one of these is negated or conditional
# ("Not all tasks are complete", "Once all tasks are complete, ...", "if no tasks remain").
_HEDGE = re.compile(
    r"\b(?:not|never|cannot|once|until|unless|if|whether|when|before|yet|except|but)\b"
    r"|n't\b|n’t\b",
    re.IGNORECASE,
)
# The agent could not see tasks.md: whatever it says about "pending tasks" measured nothing.
_NO_TASKS_FILE = re.compile(
    r"(?:\bno|\bwithout|\bmissing"
    r"|\b(?:could|can|did|do)(?:\s*not|n['’]t) (?:find|locate|read|open|see)[^.\n]*?)"
    r"\s+(?:a |the )?tasks\.md"
    r"|tasks\.md\W{0,3}(?:\w+ ){0,2}(?:not found|missing|does(?: not|n['’]t) exist|absent)",
    re.IGNORECASE,
)
# Sentence ends: ". ", "! ", "? " and line breaks (but not the dot of "tasks.md").
_SENTENCE_END = re.compile(r"[.!?](?=\s|\Z)|\n")


def _sentence_at(text: str, start: int, end: int) -> str:
    """The sentence (or line) of text that holds text[start:end]."""
    a = 0
    for m in _SENTENCE_END.finditer(text, 0, start):
        a = m.end()
    m = _SENTENCE_END.search(text, end)
    return text[a : m.start() if m else len(text)]


# Phrases of a final report that names work the tasks did not cover (what converge is for).
_GAPS = re.compile(
    r"\b(?:gaps?|unbuilt|not (?:yet )?(?:implemented|built|covered|wired)"
    r"|unmet (?:requirements?|criteria)|partially (?:implemented|satisfied)"
    r"|missing (?:functionality|features?|requirements?|tests?)"
    r"|remaining work|follow-?up work)\b",
    re.IGNORECASE,
)
_NO_GAPS = re.compile(r"\bno (?:known |remaining |open )?(?:gaps?|remaining work|missing)\b",
                      re.IGNORECASE)


def _agent_tail(log_text: str, tail_chars: int) -> str:
    tail = strip_ansi(log_text[-tail_chars:])
    # The supervisor's footer is ours, not the agent's.
    marker = tail.rfind("\n---\n")
    if marker != -1 and "exit code" in tail[marker:].lower():
        tail = tail[:marker]
    return tail


def log_reports_gaps(log_text: str, tail_chars: int = 6000) -> bool:
    """The end of an implement log names unbuilt work (gaps, requirements not implemented)
    in a plain statement — not "no gaps", not a negated or conditional sentence. Only used to
    decide whether converge may look for work that tasks.md does not list."""
    tail = _agent_tail(log_text, tail_chars)
    for match in _GAPS.finditer(tail):
        sentence = _sentence_at(tail, match.start(), match.end())
        if _NO_GAPS.search(sentence) or _HEDGE.search(sentence.replace(match.group(0), "")):
            continue
        return True
    return False


def log_reports_no_pending(log_text: str, tail_chars: int = 6000) -> bool:
    """Seed 002's second 'implement is complete' test: the latest implement log says no task is
    pending. Only the end of the log counts (the final report); a non-zero pending count there
    wins over a 'no pending tasks' phrase; a phrase in a negated or conditional sentence ("Not
    all tasks are complete yet", "Once all tasks are complete, ...") does not count; and a log
    saying tasks.md could not be found never counts. This is only a fallback: when tasks.md
    exists its count is what decides (see `orchestrator.decide_continue`)."""
    tail = _agent_tail(log_text, tail_chars)
    for match in _PENDING.finditer(tail):
        count = match.group(1)
        if count is None or int(count) > 0:
            return False
    if _NO_TASKS_FILE.search(tail):
        return False
    for match in _NO_PENDING.finditer(tail):
        if not _HEDGE.search(_sentence_at(tail, match.start(), match.end())):
            return True
    return False
