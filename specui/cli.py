"""The `specui` command line (design §3; the grammar is stable, scripts rely on it).

    specui [DIR]                       open the workbench
    specui init [DIR]                  create SPEC.md and stack.toml where missing
    specui status [DIR] [--json]       progress line, sections, interview, phases (with an
                                       unreachable model provider), tasks
    specui run PHASE [DIR] [...]       run one Spec Kit phase headless
    specui question --input JSON|- [DIR] [--json] [--timeout SECONDS] [--session-id ID]
                                       ask the human a structured question (omx question's
                                       payload and envelope)
    specui skill install [DIR]         the agent skills that teach `specui question`
    specui interview [DIR] [--json] [--answer JSON [--key KEY]] [--exit-early] [--retry]
                     [--refine] [--profile P | --quick | --standard | --deep] [--autoresearch]
                                       the interview headless: print the current question,
                                       submit an answer (seed 004 shape), end it early,
                                       run a failed round again, refine further once it has
                                       ended
    specui handoff [DIR] [--list] [--lane L] [--stride S] [--json]
                                       draft orchestrator/input; the ways to go on (lanes)
    specui schema NAME                 JSON Schema of a contract (engine-request, engine-reply,
                                       question)

Exit codes: 0 success, 1 the work itself failed, 2 bad usage or bad input (one line on stderr,
never a traceback). Start-up is kept light: only argparse and specui's leaf modules load at
import time; the store, Rich, Textual and the runner are imported by the command that needs them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from specui import __version__
from specui.core import fsio
from specui.core.ansi import sanitize, strip_ansi
from specui.core.errors import SpecuiError
from specui.core.orchestrator import KNOWN_PHASES
from specui.core.paths import Project, user_config_path

PROG = "specui"
# In the order a project meets them; one line each in `specui --help`.
COMMAND_HELP = {
    "init": "create SPEC.md and stack.toml where missing (never overwrites)",
    "status": "where the project stands: SPEC.md, the interview, phase runs, tasks (--json too)",
    "interview": "the interview without the workbench, one step per call (for scripts)",
    "run": "run one Spec Kit phase headless (constitution, specify, plan, tasks, implement, ...)",
    "handoff": "draft orchestrator/input from SPEC.md and stack.toml; the ways to go on",
    "question": "ask the human a structured question (for agents; like `omx question`)",
    "skill": "install the agent skills that teach agents to use `specui question`",
    "schema": "print the JSON Schema of a contract (engine-request, engine-reply, question)",
}
COMMANDS = tuple(COMMAND_HELP)
PROFILES = ("quick", "standard", "deep")
SCHEMAS = ("engine-request", "engine-reply", "question")


class UsageError(Exception):
    """Bad command-line usage; reported as one line, exit 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors become one line (no usage dump) via UsageError."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _positive_seconds(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {raw!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds: {raw!r}")
    return value


PROFILE_HELP = {
    "quick": "fewer rounds, a looser ambiguity threshold",
    "standard": "the default unless [omx.deepInterview] defaultProfile names another",
    "deep": "more rounds, a stricter ambiguity threshold",
}


class _KeepLines(argparse.HelpFormatter):
    """A text with line breaks (the top-level epilog's table) is kept as written; one without
    (a description) is wrapped to the terminal, as usual."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" not in text:
            return super()._fill_text(text, width, indent)
        return "".join(indent + line for line in text.splitlines(keepends=True))


def _top_epilog() -> str:
    width = max(map(len, COMMANDS))
    rows = "\n".join(f"  {name:<{width}}  {text}" for name, text in COMMAND_HELP.items())
    return (
        f"commands (see `specui COMMAND --help`):\n{rows}\n\n"
        "any command also takes --allow-outside PATH: let specui write PATH although it lies\n"
        "outside the project (repeatable).\n\n"
        "exit codes: 0 success, 1 the work itself failed, 2 bad usage or input (one line on\n"
        "stderr)."
    )


def _add_profile_flags(group: Any, help_for: Callable[[str], str]) -> None:
    """--quick / --standard / --deep: `profile` set to the flag's name."""
    for name in PROFILES:
        group.add_argument(f"--{name}", dest="profile", action="store_const", const=name,
                           help=help_for(name))


def _add_dir(p: argparse.ArgumentParser, default: str | None = ".") -> None:
    p.add_argument(
        "dir", nargs="?", default=default, metavar="DIR",
        help="project directory (default: current directory)",
    )


def _parser_for(command: str | None) -> _Parser:
    if command is None:
        p = _Parser(
            prog=PROG,
            description=(
                "A keyboard-driven terminal workbench for spec-driven development: an "
                "interview (offline, or a coding agent such as Codex) writes SPEC.md with you, "
                "then Spec Kit's phases run through a coding agent (`codex exec` by default). "
                "Without a command, opens the workbench on DIR."
            ),
            epilog=_top_epilog(),
            formatter_class=_KeepLines,
        )
        p.add_argument("--version", action="version", version=f"{PROG} {__version__}")
        depth = p.add_mutually_exclusive_group()
        _add_profile_flags(
            depth, lambda name: f"a new interview with the {name} profile: {PROFILE_HELP[name]}"
        )
        _add_dir(p, default=None)  # None: not given (see cmd_open)
        return p
    if command == "init":
        p = _Parser(
            prog=f"{PROG} init",
            description="Create SPEC.md (the 18-section template) and stack.toml where they "
            "are missing; an existing file is never overwritten.",
        )
        _add_dir(p)
        return p
    if command == "status":
        p = _Parser(
            prog=f"{PROG} status",
            description="Where the project stands: SPEC.md's progress line and section "
            "statuses, the interview (round, ambiguity, readiness gates), each phase's last "
            "run and tasks.md. Reads only; writes nothing.",
        )
        _add_dir(p)
        p.add_argument("--json", action="store_true",
                       help="print one JSON object (a stable shape scripts rely on)")
        return p
    if command == "question":
        p = _Parser(
            prog=f"{PROG} question",
            description=(
                "Ask the human one structured question, or a batch (omx question's payload, or "
                "Claude Code's AskUserQuestion), in the workbench open on DIR, else in a new "
                "tmux pane, else on the terminal; print the answer. Exit 0 answered, 1 not "
                "answered (cancelled, timed out, superseded, the UI died), 2 bad input."
            ),
        )
        _add_dir(p)
        p.add_argument(
            "--input",
            dest="input",
            metavar="JSON",
            default=None,
            help='the question payload as JSON (required), or "-" to read it from standard '
            "input; `specui schema question` prints its shape",
        )
        p.add_argument(
            "--json",
            action="store_true",
            help="print omx question's compact JSON envelope (failures too) on stdout",
        )
        p.add_argument(
            "--timeout",
            type=_positive_seconds,
            default=None,
            metavar="SECONDS",
            help="give up (exit 1) when there is no answer after this long",
        )
        p.add_argument(
            "--session-id",
            dest="session_id",
            default=None,
            metavar="ID",
            help="the asking session (when the payload has no session_id); a newer question "
            "from the same session supersedes a pending one",
        )
        # The one-question UI `specui question` itself starts in a tmux pane or on the
        # terminal; not for people.
        p.add_argument("--ui", dest="ui", default=None, metavar="ID", help=argparse.SUPPRESS)
        return p
    if command == "interview":
        p = _Parser(
            prog=f"{PROG} interview",
            description=(
                "The interview without the workbench, one step per call, with the same engine "
                "and rules: prints the current question (starting the interview when needed); "
                "--answer sends an answer and prints the next question. Answers are JSON: "
                '{"kind": "text", "value": "..."} for a free-text question, '
                '{"kind": "option", "value": VALUE} for one option, '
                '{"kind": "multi", "value": [VALUE, ...]} for several, '
                '{"kind": "other", "value": "..."} for your own words. '
                'In --json, "ended" turns true once nothing more is asked (the 100% finish, '
                'which "finished" marks, an early exit or the hard cap). '
                "Exit 0 ok, 1 the engine failed (--retry runs it again), 2 bad input (one line "
                "naming the wrong field)."
            ),
        )
        _add_dir(p, default=None)  # None: not given (see cmd_interview)
        p.add_argument(
            "--json",
            action="store_true",
            help="print one JSON object: the question (options, key), round, ambiguity, gates, "
            "progress",
        )
        p.add_argument(
            "--answer",
            default=None,
            metavar="JSON",
            help='an answer as above (also {"answer": {...}} or omx question\'s envelope), or '
            '"-" to read it from standard input',
        )
        p.add_argument(
            "--key",
            default=None,
            metavar="KEY",
            help="with --answer: the question's key from --json; nothing is recorded if another "
            "question is pending by then",
        )
        p.add_argument(
            "--exit-early",
            action="store_true",
            help="end the interview now, writing the residual risk into SPEC.md (allowed from "
            "round 4, after the first pressure follow-ups; --json's can_exit_early says when)",
        )
        p.add_argument(
            "--retry", action="store_true", help="run the failed engine round again (same answer)"
        )
        p.add_argument(
            "--refine",
            action="store_true",
            help="re-enter an interview that has ended for another pass of questions on what "
            "is least clear",
        )
        depth = p.add_mutually_exclusive_group()
        depth.add_argument(
            "--profile",
            choices=PROFILES,
            default=None,
            help="the depth of a new interview (rounds and threshold; default: "
            "[omx.deepInterview] defaultProfile, else standard); an interview keeps the "
            "profile it started with",
        )
        _add_profile_flags(depth, lambda name: f"the same as --profile {name}")
        p.add_argument(
            "--autoresearch",
            action="store_true",
            help="start a new interview for an autoresearch mission (evaluator command, keep "
            "policy) that writes its launch files under .omx/specs",
        )
        return p
    if command == "schema":
        p = _Parser(
            prog=f"{PROG} schema",
            description="Print the JSON Schema of a contract: engine-request and engine-reply "
            "(what an interview engine is sent and must answer, e.g. a program set as "
            '[interview] engine = "command"), question (a `specui question` payload).',
        )
        p.add_argument("name", choices=SCHEMAS, metavar="NAME", help=", ".join(SCHEMAS))
        return p
    if command == "skill":
        p = _Parser(
            prog=f"{PROG} skill",
            description=(
                "install: write the Codex skill (.agents/skills/specui-question/SKILL.md) and "
                "the Claude Code skill (.claude/skills/specui-question/SKILL.md) that teach "
                "agents to ask the human through `specui question`; a skill you changed is "
                "never overwritten."
            ),
        )
        p.add_argument("action", choices=("install",), metavar="install", help="the one action")
        _add_dir(p)
        return p
    if command == "handoff":
        p = _Parser(
            prog=f"{PROG} handoff",
            description=(
                "Draft orchestrator/input (each phase's input for `specui run`) from SPEC.md "
                "and stack.toml, never over your edits (a changed draft is shown as a diff), "
                "and list the ways to go on from the spec (lanes): Spec Kit phases here, an "
                "oh-my-codex workflow, or refining the interview."
            ),
        )
        _add_dir(p)
        p.add_argument("--list", action="store_true",
                       help="print the handoff options (lanes) with their contracts; write nothing")
        p.add_argument("--lane", choices=("speckit", "ultragoal", "ralplan", "autopilot", "ralph",
                                          "team", "refine"), default=None,
                       help="the chosen lane: prints its invocation; autopilot also gets the "
                       "execution contract in .omx/state/autopilot-state.json")
        p.add_argument("--stride", choices=("task", "deliverable", "milestone"), default="task",
                       help="the execution contract's stride (with --lane autopilot)")
        p.add_argument("--json", action="store_true", help="print one JSON object")
        return p
    p = _Parser(
        prog=f"{PROG} run",
        description="Run one Spec Kit phase headless with [runner] command (`codex exec` by "
        "default), its prompt filled with the phase's block of orchestrator/input (see `specui "
        "handoff`). The agent's output streams here and into orchestrator/PHASE-TIME.md. "
        "Exit 0 done, 1 failed, stopped or stalled, 2 bad usage.",
    )
    p.add_argument("phase", metavar="PHASE", help=f"one of: {', '.join(KNOWN_PHASES)}")
    _add_dir(p)
    p.add_argument(
        "--input",
        dest="input",
        metavar="TEXT",
        default=None,
        help="use TEXT instead of the phase block of orchestrator/input",
    )
    p.add_argument("--dry-run", action="store_true", help="print the prompt and command only")
    p.add_argument(
        "--json",
        action="store_true",
        help="run codex with --json and show its events as readable rows (raw JSONL in the log)",
    )
    p.add_argument(
        "--force", action="store_true", help="run even if the previous phase is not done"
    )
    p.add_argument(
        "--auto-continue",
        action="store_true",
        help="implement: run again until tasks.md is done (at most [runner] max_continues times)",
    )
    return p


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Parse argv into a namespace with `command` (None = open the workbench). UsageError."""
    argv = list(argv)
    command = argv[0] if argv and argv[0] in COMMANDS else None
    if command is None:
        positionals = [a for a in argv if not a.startswith("-")]
        named = bool(positionals) and positionals[0] in COMMANDS
        if named and (len(positionals) > 1 or not Path(positionals[0]).expanduser().exists()):
            # An option before the command (`specui --quick interview DIR`): the command is
            # recognised only first, and the options belong to it. (`specui --deep status`
            # with a folder named status opens that folder.)
            raise UsageError(
                f"the command comes first: `specui {positionals[0]} [options]` "
                f"(see `specui {positionals[0]} --help`)"
            )
        if positionals and not Path(positionals[0]).expanduser().exists():
            # A word that is no directory but nearly a command is a mistyped command.
            import difflib

            close = difflib.get_close_matches(positionals[0], COMMANDS, n=1, cutoff=0.7)
            if close:
                raise UsageError(
                    f"unknown command {positionals[0]!r} (did you mean `specui {close[0]}`?)"
                )
        if len(positionals) > 1:
            raise UsageError(
                f"unknown command {positionals[0]!r} (commands: {', '.join(COMMANDS)}; "
                "or give one project DIR)"
            )
    # Intermixed: options may come before or after DIR (`specui run plan --force DIR`).
    args = _parser_for(command).parse_intermixed_args(argv[1:] if command else argv)
    args.command = command
    if command == "run" and args.phase not in KNOWN_PHASES:
        raise UsageError(f"unknown phase {args.phase!r} (choose from {', '.join(KNOWN_PHASES)})")
    return args


def _existing_dir(raw: str) -> Project:
    path = Path(raw).expanduser()
    if not path.is_dir():
        what = "does not exist" if not path.exists() else "is not a directory"
        raise UsageError(f"{raw} {what}")
    return Project.at(path)


# ------------------------------------------------------------------------------ output helpers


def _stdout_can(text: str) -> bool:
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


# json.dumps escapes C0 controls but writes DEL and the C1 controls (an 8-bit CSI, OSC) as
# they are when ensure_ascii is off; inside JSON strings, which is the only place they occur.
_RAW_IN_JSON = re.compile(r"[\x7f-\x9f]")


def _json_text(data: Any, **kwargs: Any) -> str:
    blob = json.dumps(data, ensure_ascii=False, **kwargs)
    if not _stdout_can(blob):
        return json.dumps(data, **kwargs)  # still valid JSON on an ASCII-only terminal
    return _RAW_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", blob)


def _print_json(data: Any) -> None:
    sys.stdout.write(_json_text(data, indent=2) + "\n")


def _safe_print(text: str) -> None:
    """Plain text out: file, agent and engine text is data (no escape sequence is passed on)."""
    text = strip_ansi(text)
    if not _stdout_can(text):
        encoding = getattr(sys.stdout, "encoding", None) or "ascii"
        text = text.encode(encoding, "replace").decode(encoding, "replace")
    sys.stdout.write(text + "\n")


class _SafeStdout:
    """stdout for Rich, whose Text passes ESC through: the data in its tables is shown, never
    obeyed (core.ansi.sanitize keeps colour sequences, Rich's own styles, and strips every
    other sequence and control character); what the terminal's encoding cannot show is
    replaced, as _safe_print does, not raised half-way through a table."""

    def __init__(self) -> None:
        self.encoding = getattr(sys.stdout, "encoding", None) or "utf-8"

    def write(self, text: str) -> int:
        text = sanitize(text)
        if not _stdout_can(text):
            text = text.encode(self.encoding, "replace").decode(self.encoding, "replace")
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()

    def isatty(self) -> bool:
        return _isatty(sys.stdout)


# ------------------------------------------------------------------------------ commands


def cmd_init(args: argparse.Namespace) -> int:
    from specui.spec_repo import init_project

    raw = Path(args.dir).expanduser()
    if raw.exists() and not raw.is_dir():
        raise UsageError(f"{args.dir} is not a directory")
    project = Project.at(raw)
    created = init_project(project)
    if created:
        for path in created:
            _safe_print(f"created {path}")
    else:
        _safe_print(
            f"nothing to do: {project.spec.name} and {project.stack.name} already exist "
            f"in {project.root}"
        )
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from specui.status import build_status
    from specui.store import SessionStore

    project = _existing_dir(args.dir)
    store = SessionStore.open(project)
    status = build_status(project, store)
    if args.json:
        _print_json(status)
        return 0
    _safe_print(status["spec"]["progress_line"])
    _print_status_tables(status)
    return 0


def _print_status_tables(status: dict[str, Any]) -> None:
    """Readable tables. File and agent text is data: wrapped in Text, never parsed as markup."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from specui.core.ambiguity import DIMENSION_TITLES, ambiguity_percent
    from specui.core.interview.headline import engine_error
    from specui.core.interview.policy import GATE_TITLES

    console = Console(file=_SafeStdout(), highlight=False, markup=False, emoji=False,
                      soft_wrap=True)
    spec = status["spec"]
    if spec["project_above"]:
        above = spec["project_above"]
        console.print(Text(f"{spec['path']} does not exist here; the project above is {above} "
                           f"(`specui status {above}`), or `specui init` starts one here",
                           style="yellow"))
    elif not spec["exists"]:
        console.print(Text(f"{spec['path']} does not exist yet (run `specui init`)"))
    units = Table(title="SPEC.md units", title_justify="left")
    units.add_column("#", justify="right")
    units.add_column("Unit")
    units.add_column("Status")
    styles = {"final": "green", "clarified": "cyan", "drafted": "yellow", "unknown": "dim"}
    for i, sec in enumerate(spec["sections"], 1):
        units.add_row(
            str(i), Text(sec["title"]), Text(sec["status"], style=styles.get(sec["status"], ""))
        )
    console.print(units)
    for label, keys in (
        ("missing sections", spec["missing"]),
        ("duplicated sections", spec["duplicates"]),
    ):
        if keys:
            console.print(Text(f"{label}: {', '.join(keys)}", style="yellow"))
    if spec["conflicts"]:
        console.print(
            Text(
                f"{len(spec['conflicts'])} unapplied change(s) kept aside (open specui to review)",
                style="yellow",
            )
        )

    iv = status["interview"]
    amb = "-" if iv["ambiguity"] is None else f"{ambiguity_percent(iv['ambiguity'])}%"
    # The gates in the words of the residual risk and the early-exit warning.
    gates = ", ".join(
        f"{GATE_TITLES[k]} {'yes' if v else 'no'}" for k, v in iv["gates"].items()
    )
    # The validation pass's steps are not rounds: the screen says "Validation 3" then.
    step = f" | validation step {iv['validation_step']}" if iv["validation_step"] else ""
    state = iv["status"].replace("_", " ")
    if iv["end_reason"]:
        state += f" ({iv['end_reason'].replace('_', ' ')})"
    console.print(
        Text(
            f"Interview: {state} | profile {iv['profile']} ({iv['type']}) | "
            f"round {iv['round']}/{iv['max_rounds']}{step} | ambiguity {amb} "
            f"(threshold {ambiguity_percent(iv['threshold'])}%)"
        )
    )
    if iv["dimensions"]:
        scores = (f"{DIMENSION_TITLES[k]} {v:.2f}" for k, v in iv["dimensions"].items())
        # Per dimension, how clear it is (1 = clear); the ambiguity above is their weighted
        # complement.
        console.print(Text("  clarity: " + ", ".join(scores)))
    console.print(Text(f"  gates: {gates}"))
    if iv["residual_risk"]:
        console.print(Text(f"  residual risk: {iv['residual_risk']}", style="yellow"))
    if iv["error"]:
        said = engine_error(iv["engine"] or "", iv["error"])
        console.print(Text(f"  engine error: {said} (r in the workbench or `specui interview "
                           "--retry` runs the round again)", style="red"))

    phases = Table(title="Phases", title_justify="left")
    names = max((len(ph["name"]) for ph in status["phases"]), default=5)
    phases.add_column("Phase", no_wrap=True, min_width=names)
    phases.add_column("Status")
    # The log path is what a user copies from this table: whole on one line (a double-click
    # selects it) while the Status column keeps 12 columns to wrap in; narrower, it folds.
    logs = max((len(ph["log"] or "-") for ph in status["phases"]), default=1)
    whole = console.width >= 10 + names + 12 + logs  # 10: the table's rules and padding
    phases.add_column("Log", no_wrap=whole, min_width=logs if whole else None,
                      overflow="ellipsis" if whole else "fold")
    for ph in status["phases"]:
        state = ph["status"] + (" (stalled)" if ph.get("stalled") else "")
        if ph.get("message"):
            state += f" — {ph['message']}"
        phases.add_row(Text(ph["name"]), Text(state), Text(ph["log"] or "-"))
    console.print(phases)
    for ph in status["phases"]:
        if ph["unreachable"]:  # the runner pane's words, on a line of its own (not wrapped)
            console.print(Text(f"⚠ phase {ph['name']}: {ph['unreachable']}; it keeps retrying",
                               style="bold red"))
    for wf in status.get("workflows", []):
        line = f"Workflow {wf['workflow_id'] or '?'} {wf['run_id']}: {wf['status']}"
        if wf["gate"]:
            line += (f" at gate {wf['gate']['step']} ({wf['gate']['message']}; approve or "
                     "reject in the workbench's runner pane)")
        elif wf["current_step"]:
            line += f" at {wf['current_step']}"
        if wf["problem"]:
            line += f" ({wf['problem']})"
        console.print(Text(line))
    tasks = status["tasks"]
    if tasks["file"]:
        console.print(Text(f"Tasks: {tasks['done']}/{tasks['total']} done ({tasks['file']})"))
    else:
        console.print(Text("Tasks: no tasks.md yet"))
    for msg in status.get("messages", []):
        console.print(Text(f"note: {msg}", style="yellow"))


def cmd_run(args: argparse.Namespace) -> int:
    args.project = _existing_dir(args.dir)
    from specui.runner.cli import run_command

    return int(run_command(args))


def cmd_question(args: argparse.Namespace) -> int:
    """Ask and print the answer (specui/bridge/asker.py). With --json, stdout carries exactly
    one compact JSON object, `omx question`'s envelope, success or failure; without it, the
    answer as text. Failures also go to stderr as one line."""
    from specui import bridge
    from specui.bridge import asker

    if args.ui is not None:
        if not bridge.is_request_id(args.ui):
            raise UsageError(f"--ui needs a bridge request id, not {args.ui!r}")
        from specui.ui.screens.bridge_question import run_standalone

        return run_standalone(_existing_dir(args.dir), args.ui)
    if args.input is None:
        raise UsageError("question needs --input JSON (or --input - to read standard input)")
    try:
        batch = asker.parse_payload(asker.read_payload(args.input), args.session_id)
    except SpecuiError as exc:
        return _question_failed(args.json, bridge.INVALID_INPUT, str(exc), 2)
    try:
        project = _existing_dir(args.dir)
    except UsageError as exc:  # an agent parsing stdout gets the envelope for this one too
        return _question_failed(args.json, bridge.INVALID_INPUT, str(exc), 2)
    posted: list[Any] = []
    try:
        request, entries = asker.ask(
            project,
            batch,
            timeout=args.timeout,
            notice=lambda text: print(f"{PROG}: {text}", file=sys.stderr, flush=True),
            on_posted=posted.append,
        )
    except (bridge.QuestionFailed, KeyboardInterrupt, SpecuiError, OSError) as exc:
        if isinstance(exc, bridge.QuestionFailed):
            code, message = exc.code, str(exc)
        elif isinstance(exc, KeyboardInterrupt):
            code, message = bridge.NOT_ANSWERED, "the question was interrupted (Ctrl+C)"
        else:
            code, message = bridge.RUNTIME_FAILED, str(exc)
        qid = posted[0].question_id if posted else None
        return _question_failed(args.json, code, message, 1, qid, batch.session_id)
    if args.json:
        from specui.core.questions import answer_envelope

        _print_compact_json(answer_envelope(batch, entries, question_id=request.question_id))
    else:
        for line in asker.summary_lines(batch, entries):
            _safe_print(line)
    return 0


def _question_failed(
    as_json: bool,
    code: str,
    message: str,
    exit_code: int,
    question_id: str | None = None,
    session_id: str | None = None,
) -> int:
    if as_json:
        from specui.core.questions import failure_envelope

        _print_compact_json(
            failure_envelope(code, message, question_id=question_id, session_id=session_id)
        )
    return _fail(message, exit_code)


def _print_compact_json(data: Any) -> None:
    """One line, no spaces: `omx question --json`'s form."""
    sys.stdout.write(_json_text(data, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def cmd_schema(args: argparse.Namespace) -> int:
    from specui.core.interview.contract import reply_json_schema, request_json_schema
    from specui.core.questions import Question

    schemas = {
        "engine-request": request_json_schema,
        "engine-reply": reply_json_schema,
        "question": Question.model_json_schema,  # one `specui question` payload (seed 004)
    }
    _print_json(schemas[args.name]())
    return 0


def cmd_interview(args: argparse.Namespace) -> int:
    from specui.interview.headless import run_headless

    project = _existing_dir(args.dir or ".")
    if args.dir is None:
        _refuse_inside_a_project(project, "specui interview")
    answer: str | bytes | None = args.answer
    if answer == "-":
        from specui.core.loader import MAX_BYTES

        if _isatty(sys.stdin):
            print(f"{PROG}: reading the answer from standard input (end it with Ctrl+D)",
                  file=sys.stderr, flush=True)
        # Bytes, not text: the parser names a file that is not UTF-8 (text mode turned its
        # bytes into surrogates) and refuses one too large before it is all in memory.
        answer = sys.stdin.buffer.read(MAX_BYTES + 1)
    if [answer is not None, args.exit_early, args.retry, args.refine].count(True) > 1:
        raise UsageError("give at most one of --answer, --exit-early, --retry, --refine")
    if args.key is not None and answer is None:
        raise UsageError("--key goes with --answer")
    try:
        code, text = run_headless(
            project,
            answer=answer,
            key=args.key,
            exit_early=args.exit_early,
            retry=args.retry,
            refine=args.refine,
            profile=args.profile,
            autoresearch=args.autoresearch,
            as_json=args.json,
        )
    except KeyboardInterrupt:
        # The engine's process group has ended (engines/process.py); the round stays recorded
        # as running with its answer, and a driver that finds its owner gone runs it again.
        print(f"{PROG}: interrupted (Ctrl+C); a round that was running runs again with the next "
              "`specui interview`", file=sys.stderr)
        return 130
    if args.json:
        _print_json(text)
    else:
        _safe_print(text)
    return code


def cmd_skill(args: argparse.Namespace) -> int:
    from specui.bridge.skills import install_skills

    for line in install_skills(_existing_dir(args.dir)):
        _safe_print(line)
    return 0


def cmd_handoff(args: argparse.Namespace) -> int:
    from specui.handoff import run_handoff

    project = _existing_dir(args.dir)
    result = run_handoff(project, list_only=args.list, lane=args.lane, stride=args.stride)
    if args.json:
        _print_json(result)
    else:
        for line in result["lines"]:
            _safe_print(line)
    return int(result.get("code", 0))


def _refuse_inside_a_project(project: Project, command: str) -> None:
    """Run without DIR from a folder inside a project (its src/, an agent's shell that did
    `cd src`): starting there would make a second project (SPEC.md, stack.toml, .specui/)
    inside the first. An explicit DIR, even ".", still does."""
    from specui.status import project_above

    above = project_above(project)
    if above is not None:
        raise UsageError(
            f"no interview in this folder; the project above is {above}: `{command} {above}` "
            f"(or `{command} .` starts a new one here)"
        )


def cmd_open(args: argparse.Namespace) -> int:
    project = _existing_dir(args.dir or ".")
    if args.dir is None:
        _refuse_inside_a_project(project, "specui")
    if not (_isatty(sys.stdin) and _isatty(sys.stdout)):
        # A full-screen app drawn into a pipe is escape-code soup; say what works instead.
        raise UsageError(
            "the workbench needs a terminal (stdin/stdout are not a TTY); "
            "for scripts use `specui status --json`, `specui interview`, `specui run` or "
            "`specui question`"
        )
    from specui.ui.app import run_app

    return int(run_app(project, profile=args.profile))


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _take_allow_outside(argv: list[str]) -> tuple[list[str], list[str | Path]]:
    """`--allow-outside PATH` (any command, repeatable) lets this run write PATH although it
    lies outside the project, as does the user-level config; never the project's specui.toml,
    which a cloned repository controls. Returns the other arguments and the allowed paths."""
    allowed: list[str | Path] = list(fsio.user_config_allowances(user_config_path()))
    rest: list[str] = []
    args = iter(argv)
    for arg in args:
        if arg == "--":
            rest.append(arg)
            rest.extend(args)
        elif arg == "--allow-outside":
            value = next(args, None)
            if value is None:
                raise UsageError("--allow-outside needs a PATH")
            allowed.append(value)
        elif arg.startswith("--allow-outside="):
            allowed.append(arg.partition("=")[2])
        else:
            rest.append(arg)
    return rest, allowed


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `specui` console script; returns the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        rest, outside = _take_allow_outside(argv)
        args = parse_args(rest)
        handler = {
            "init": cmd_init,
            "status": cmd_status,
            "run": cmd_run,
            "question": cmd_question,
            "skill": cmd_skill,
            "interview": cmd_interview,
            "schema": cmd_schema,
            "handoff": cmd_handoff,
        }.get(args.command, cmd_open)
        with fsio.confined_to(Project.at(getattr(args, "dir", ".")).root, outside):
            return handler(args)
    except UsageError as exc:
        return _fail(str(exc), 2)
    except SpecuiError as exc:
        return _fail(str(exc), exc.exit_code)
    except SystemExit as exc:  # --help / --version
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # e.g. `specui status | head -1`; silence the interpreter's flush-at-exit complaint.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 1


def _fail(message: str, code: int) -> int:
    one_line = " ".join(strip_ansi(message).split())
    print(f"{PROG}: error: {one_line}", file=sys.stderr)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
