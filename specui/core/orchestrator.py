"""Seed 002's orchestration rules: phase names and order, `orchestrator/input`, the checkpoint.

`orchestrator/input` holds one block per phase, XML-ish:

    <constitution>
    Project principles and governance.
    </constitution>

Blocks are required for constitution, specify and plan and optional for tasks and implement
(seed 002's table). Anything that would make the runner guess — an unclosed tag, a block given
twice, a stray closing tag, a tag opened inside another block — is a one-line error naming the
file and line, because a wrong prompt costs a 10–30 minute agent run.

Phase names come from users (CLI, checkpoint file, `[runner] phases`); they are validated
against KNOWN_PHASES before they are used anywhere, and never used to build a path otherwise.

The run order is the project's `[runner] phases` list (default: seed 002's five). Spec Kit's
other commands (clarify, checklist, analyze, converge) are runnable too when their prompts exist;
they take their place in Spec Kit's own order (KNOWN_PHASES), so a predecessor is always "the
nearest earlier phase of the configured list".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from specui.core.errors import SpecuiError
from specui.core.fsio import atomic_write_text
from specui.core.paths import PHASES, Project

__all__ = [
    "KNOWN_PHASES",
    "OPTIONAL_INPUT_PHASES",
    "PHASES",
    "REQUIRED_INPUT_PHASES",
    "ContinueDecision",
    "InputBlock",
    "checkpoint_text",
    "continue_message",
    "decide_continue",
    "missing_predecessor",
    "parse_checkpoint",
    "parse_input",
    "phase_index",
    "phase_state",
    "predecessor",
    "read_checkpoint",
    "resolve_input",
    "run_outcome",
    "validate_phase",
    "validate_phase_list",
    "write_checkpoint",
]

# Spec Kit 1.2's commands specui can run as phases, in Spec Kit's order of use.
KNOWN_PHASES: tuple[str, ...] = (
    "constitution", "specify", "clarify", "plan", "checklist", "tasks", "analyze", "implement",
    "converge",
)
REQUIRED_INPUT_PHASES: frozenset[str] = frozenset({"constitution", "specify", "plan"})
OPTIONAL_INPUT_PHASES: frozenset[str] = frozenset(KNOWN_PHASES) - REQUIRED_INPUT_PHASES

_TAG = re.compile(r"<(/?)(" + "|".join(KNOWN_PHASES) + r")\s*>")


def validate_phase(name: object) -> str:
    """The phase name if Spec Kit has such a phase, else a usage error (exit 2)."""
    if isinstance(name, str) and name in KNOWN_PHASES:
        return name
    shown = repr(name) if not isinstance(name, str) else repr(name[:40])
    raise SpecuiError(
        f"unknown phase {shown}: expected one of {', '.join(KNOWN_PHASES)}", exit_code=2
    )


def validate_phase_list(names: Iterable[object]) -> tuple[str, ...]:
    """A `[runner] phases` list: known names, no repeats, kept in Spec Kit's order (a list
    that puts plan before specify would make every predecessor check wrong). The messages
    read after the key's name (config.py prefixes `specui.toml: [runner] phases:`)."""
    phases = tuple(validate_phase(name) for name in names)
    if not phases:
        raise SpecuiError("is empty; list at least one phase")
    if len(set(phases)) != len(phases):
        raise SpecuiError("lists a phase twice")
    ordered = tuple(sorted(phases, key=KNOWN_PHASES.index))
    if ordered != phases:
        raise SpecuiError(
            f"must follow Spec Kit's order: {', '.join(ordered)}"
        )
    return phases


def phase_index(phase: str) -> int:
    return KNOWN_PHASES.index(validate_phase(phase))


def predecessor(phase: str, phases: Iterable[str] = PHASES) -> str | None:
    """The phase that must have completed before `phase`: the nearest earlier phase of the
    configured list `phases` (None for the first one)."""
    index = phase_index(phase)
    earlier = [p for p in phases if KNOWN_PHASES.index(p) < index]
    return earlier[-1] if earlier else None


def missing_predecessor(
    phase: str, completed: Iterable[str], phases: Iterable[str] = PHASES
) -> str | None:
    """The predecessor of `phase` when it never completed, else None."""
    before = predecessor(phase, phases)
    if before is None or before in set(completed):
        return None
    return before


@dataclass(frozen=True)
class InputBlock:
    """One `<phase>…</phase>` block: its text (surrounding blank space trimmed) and where."""

    phase: str
    text: str
    line: int  # 1-based line of the opening tag


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def parse_input(text: str, source: str = "orchestrator/input") -> dict[str, InputBlock]:
    """All phase blocks in `text`. Raises SpecuiError naming `source:line` on any bad tag.

    Only tags named after phases are tags; other `<...>` text inside a block is content.
    """
    blocks: dict[str, InputBlock] = {}
    open_phase: str | None = None
    open_at = 0
    content_start = 0
    for match in _TAG.finditer(text):
        closing, name = match.group(1) == "/", match.group(2)
        line = _line_of(text, match.start())
        if open_phase is None:
            if closing:
                raise SpecuiError(f"{source}:{line}: </{name}> closes a block that was never opened")
            if name in blocks:
                first = blocks[name].line
                raise SpecuiError(
                    f"{source}:{line}: <{name}> appears again (first block at line {first}); "
                    "keep one block per phase"
                )
            open_phase, open_at, content_start = name, match.start(), match.end()
            continue
        opened_line = _line_of(text, open_at)
        if closing and name == open_phase:
            body = text[content_start : match.start()].strip()
            blocks[name] = InputBlock(name, body, opened_line)
            open_phase = None
            continue
        tag = f"</{name}>" if closing else f"<{name}>"
        raise SpecuiError(
            f"{source}:{opened_line}: <{open_phase}> is not closed before {tag} at line {line}"
        )
    if open_phase is not None:
        raise SpecuiError(
            f"{source}:{_line_of(text, open_at)}: <{open_phase}> is never closed "
            f"(add </{open_phase}>)"
        )
    return blocks


def resolve_input(project: Project, phase: str, override: str | None = None) -> str:
    """The `$ARGUMENTS` text for `phase`: `--input` override, else its block, per seed 002."""
    phase = validate_phase(phase)
    required = phase in REQUIRED_INPUT_PHASES
    source = project.relative(project.orchestrator_input)
    if override is not None:
        if required and not override.strip():
            raise SpecuiError(f"--input is empty; phase {phase} needs input text")
        return override
    path = project.orchestrator_input
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if not required:
            return ""
        raise SpecuiError(
            f"{source} not found: phase {phase} needs a <{phase}>…</{phase}> block there "
            "(`specui handoff` drafts it from SPEC.md; or pass --input TEXT)"
        ) from None
    except OSError as exc:
        raise SpecuiError(f"{source}: cannot read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise SpecuiError(f"{source}:{line}: not valid UTF-8") from None
    blocks = parse_input(text, source)
    block = blocks.get(phase)
    if block is None:
        if not required:
            return ""
        last = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
        raise SpecuiError(
            f"{source}:{max(last, 1)}: no <{phase}>…</{phase}> block in the file; phase {phase} "
            "requires one (add it or pass --input TEXT)"
        )
    if required and not block.text:
        raise SpecuiError(f"{source}:{block.line}: the <{phase}> block is empty")
    return block.text


# --- checkpoint (`phase=<name>`, shell-sourceable as in seed 002) ---------------------------

def checkpoint_text(phase: str) -> str:
    return f"phase={validate_phase(phase)}\n"


def parse_checkpoint(text: str) -> str | None:
    """The phase recorded in a checkpoint file, or None when it names no valid phase."""
    found: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("export "):
            line = line[len("export ") :].strip()
        if not line.startswith("phase="):
            continue
        value = line[len("phase=") :].strip().strip("'\"")
        found = value if value in KNOWN_PHASES else None
    return found


def write_checkpoint(project: Project, phase: str) -> Path:
    """Record `phase` as the current one, atomically (a crash never leaves half a file)."""
    atomic_write_text(project.checkpoint, checkpoint_text(phase))
    return project.checkpoint


def read_checkpoint(project: Project) -> str | None:
    try:
        return parse_checkpoint(project.checkpoint.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return None


# --- implement is re-entrant ------------------------------------------------------------------

def continue_message(phase: str = "implement") -> str:
    """Seed 002's `continue phase <phase>` input, plus the answer to Spec Kit's implement
    prompt, which STOPs to ask "Some checklists have unchecked items. Do you want to proceed
    with implementation anyway? (yes/no)" — unattended, nobody would ever answer it."""
    phase = validate_phase(phase)
    return (
        f"continue phase {phase}\n\n"
        "This is a non-interactive continuation of an earlier run. If checklists have unchecked "
        "items: yes, proceed with implementation anyway (do not stop to ask). Pick up the tasks "
        "in tasks.md that are still unchecked (- [ ]), implement them in order, and mark each "
        "one done ([X]) as soon as it is complete."
    )


@dataclass(frozen=True)
class ContinueDecision:
    action: str   # "done" | "continue" | "converge" | "stop"
    reason: str


def decide_continue(
    *,
    tasks_before: int | None,
    tasks_done: int | None,
    tasks_total: int | None,
    log_no_pending: bool,
    run_succeeded: bool,
    continues_so_far: int,
    max_continues: int,
    log_gaps: bool = False,
    can_converge: bool = False,
) -> ContinueDecision:
    """What to do after an implement run ended.

    With a tasks.md (`tasks_done`/`tasks_total` not None) its count is the truth: done when
    every task is checked; else stop when the run failed, the cap is reached or tasks.md lists
    nothing; else continue. Two endings get one more chance when `can_converge` (the caller's
    "converge is enabled, its prompt exists and it has not run in this chain"): every task is
    checked but the log reports gaps, or the run made no progress (done count unchanged) —
    Spec Kit's converge then appends the unbuilt work to tasks.md for implement to finish.
    Without a tasks.md the log is the only evidence: a failed run is never called done from
    the log alone (stop); a successful run whose log reports no pending tasks is done; any
    other run stops (nothing to measure progress with).
    """
    if tasks_done is None or tasks_total is None:
        if not run_succeeded:
            return ContinueDecision("stop", "the run failed")
        if log_no_pending:
            return ContinueDecision(
                "done", "no tasks.md; the implement log reports no pending tasks"
            )
        return ContinueDecision("stop", "no tasks.md found to measure progress")
    if tasks_total > 0 and tasks_done >= tasks_total:
        if log_gaps and can_converge and run_succeeded:
            return ContinueDecision(
                "converge", f"all {tasks_total} tasks done but the log reports gaps"
            )
        return ContinueDecision("done", f"all {tasks_total} tasks done")
    if not run_succeeded:
        return ContinueDecision("stop", "the run failed")
    if tasks_total == 0:
        return ContinueDecision("stop", "tasks.md lists no tasks to measure progress")
    if tasks_before is not None and tasks_done <= tasks_before:
        progress = f"no progress ({tasks_done}/{tasks_total} tasks done)"
        if can_converge:
            return ContinueDecision("converge", progress)
        return ContinueDecision("stop", progress)
    if continues_so_far >= max_continues:
        return ContinueDecision("stop", f"reached max_continues ({max_continues})")
    return ContinueDecision("continue", f"{tasks_done}/{tasks_total} tasks done")


def run_outcome(phase: str, state: str, tasks_done: int | None, tasks_total: int | None) -> str:
    """How a run ended, in the words every view uses (log footer, past runs, `specui run`, the
    runner pane, phase_state's note): an implement run that ended well with tasks open "ended
    with N tasks open" — its state stays "done" (the agent succeeded; auto-continue goes on
    from there), but implement is not done until tasks.md is (phase_state)."""
    if phase == "implement" and state == "done" and tasks_total and tasks_done is not None:
        left = tasks_total - tasks_done
        if left > 0:
            return f"ended with {left} task{'s' if left > 1 else ''} open"
    return state


def phase_state(
    phase: str,
    run_status: str | None,
    *,
    tasks_done: int | None,
    tasks_total: int | None,
    log_no_pending: bool,
    run_tasks: tuple[int | None, int | None] = (None, None),
) -> tuple[str, str]:
    """(status, note) of a phase from its latest run. Implement is re-entrant (seed 002): its
    run ending well is not the phase being done — that takes a complete tasks.md or, without
    one, a latest log that says nothing is pending. Until then it is "pending" again.
    `tasks_done/tasks_total` are tasks.md's counts now; `run_tasks` the run's own when it
    ended (a task added since is not the run's to answer for)."""
    if run_status is None:
        return "pending", ""
    if phase != "implement" or run_status != "done":
        return run_status, ""
    if tasks_done is not None and tasks_total is not None:
        if tasks_total > 0 and tasks_done >= tasks_total:
            return "done", ""
        run_done, run_total = run_tasks
        if run_done is None or run_total is None:
            run_done, run_total = tasks_done, tasks_total
        last = run_outcome(phase, run_status, run_done, run_total)
        return "pending", f"last run {last}; tasks.md has {tasks_done}/{tasks_total} done"
    if log_no_pending:
        return "done", ""
    return "pending", "last run done; no tasks.md, and its log does not say nothing is pending"
