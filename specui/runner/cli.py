"""`specui run PHASE [DIR]`: one phase, headless — a drop-in for seed 002's run_phase.py.

Output is forwarded live (escape sequences other than colours stripped; with `codex exec --json`
the events are shown as readable rows), the log and status files are exactly those of a TUI run
(this process acts as the supervisor), and the exit code is the phase's result: 0 success,
1 the phase failed / was stopped / stalled / auto-continue gave up, 2 bad usage or input.

Nobody watches a headless run, so a stall ends it by default (`[runner] on_stall`, default
"stop" here): no progress for `stall_minutes` -> the agent is stopped and the run exits 1 with
one line naming the cause ("no progress for 10 min; last: Reconnecting... waiting for network").
"""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import TYPE_CHECKING, BinaryIO, TextIO

from specui.core.ansi import strip_ansi
from specui.core.errors import SpecuiError
from specui.core.orchestrator import run_outcome, validate_phase
from specui.core.paths import Project
from specui.runner.safe_output import Part
from specui.runner.vitals import fmt_duration

if TYPE_CHECKING:
    from specui.core.codex_events import RenderedRow

__all__ = ["CleanForwarder", "JsonForwarder", "run_command"]

_STYLE_SGR = {
    "bold": "1", "dim": "2", "italic": "3", "red": "31", "green": "32", "yellow": "33",
    "blue": "34", "magenta": "35", "cyan": "36",
}


class CleanForwarder:
    """Shows what the log gets (the supervisor's `forward_clean`): the same sanitized parts, at
    the same moments — whole lines as they arrive, a waiting prompt's safe partial line at once,
    never half an escape sequence. Nothing is scanned twice, and the terminal shows exactly what
    `cat` of the log shows (each line sanitized on its own: an unterminated title cannot swallow
    the lines after it)."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.at_line_start = True

    def __call__(self, parts: list[Part]) -> None:
        try:
            for part in parts:
                self.out.write(part)
            self.out.flush()
        except (BrokenPipeError, ValueError):
            return
        for part in reversed(parts):
            if len(part):
                self.at_line_start = part[-1] == 0x0A  # b"\n"
                break

    def flush(self) -> None:
        """End the last line, so what follows on the terminal starts on a line of its own."""
        if not self.at_line_start:
            self.at_line_start = True
            try:
                self.out.write(b"\n")
                self.out.flush()
            except (BrokenPipeError, ValueError):
                pass


class JsonForwarder:
    """Turns `codex exec --json` lines into readable rows (raw lines stay in the log)."""

    def __init__(self, out: TextIO, colour: bool) -> None:
        self.out = out
        self.colour = colour
        self.pending = b""

    def __call__(self, chunk: bytes) -> None:
        data = self.pending + chunk
        lines = data.split(b"\n")
        self.pending = lines.pop()
        if not lines:
            return
        from specui.core.codex_events import render_event  # only --json runs need the models

        for line in lines:
            self._row(render_event(line.decode("utf-8", errors="replace")))

    def _row(self, row: RenderedRow | None) -> None:
        if row is None:
            return
        text = row.text
        if self.colour and row.style:
            codes = ";".join(_STYLE_SGR[p] for p in row.style.split() if p in _STYLE_SGR)
            if codes:
                text = f"\x1b[{codes}m{text}\x1b[0m"
        try:
            self.out.write(text + "\n")
            self.out.flush()
        except (BrokenPipeError, ValueError):
            pass

    def flush(self) -> None:
        if self.pending:
            from specui.core.codex_events import render_event

            data, self.pending = self.pending, b""
            self._row(render_event(data.decode("utf-8", errors="replace")))


def _say(message: str) -> None:
    # Messages carry text from the run (a phase's last notice, a path): data, so no escape
    # sequence reaches the terminal (a title, a clear screen).
    print(f"specui: {strip_ansi(message)}", file=sys.stderr, flush=True)


def _stall_reporter(phase: str, stall_minutes: float, configured: str, restarts_allowed: int):
    """One line on stderr when the run stalls (and when progress resumes), saying what the
    supervisor decided to do about it."""

    def report(stalled: bool, idle: float, action: str | None, restarts: int) -> None:
        if not stalled:
            _say(f"phase {phase}: progress resumed")
            return
        if action == "notify":
            what = "still running, Ctrl+C stops it"
        elif action == "restart":
            what = f"restarting it ({restarts + 1}/{restarts_allowed})"
        elif configured != "restart":
            what = "stopping it"
        elif restarts == 0:
            what = "stopping it ([runner] stall_restarts = 0)"
        else:
            times = "time" if restarts == 1 else "times"
            what = (f"stopping it (it was restarted {restarts} {times}: [runner] "
                    f"stall_restarts = {restarts_allowed})")
        _say(f"warning: phase {phase} stalled: no progress for {fmt_duration(idle)} "
             f"([runner] stall_minutes = {stall_minutes:g}); {what}")

    return report


def _announcer(phase: str, attempt: int):
    def announce(run) -> None:
        _say(f"phase {phase} (attempt {attempt}) -> {run.log}")

    return announce


def _unreachable_reporter(phase: str):
    """One line on stderr when the agent has heard only reconnect notices for a while (the
    stall rules still decide when the run ends)."""

    def report(text: str) -> None:
        _say(f"warning: phase {phase}: {text}; it keeps retrying (Ctrl+C stops it)")

    return report


def run_command(args: argparse.Namespace) -> int:
    """Entry point used by specui/cli.py (`specui run ...`)."""
    try:
        return _run(args)
    except SpecuiError as exc:
        _say(f"error: {exc}")
        return exc.exit_code


def _run(args: argparse.Namespace) -> int:
    phase = validate_phase(getattr(args, "phase", None))
    project = Project.at(getattr(args, "dir", None))
    if not project.root.is_dir():
        raise SpecuiError(f"{project.root} is not a directory")
    from specui.core.config import load_config
    from specui.runner.manager import PhaseManager
    from specui.store import SessionStore

    config = load_config(project).runner
    from specui.core.tasks import find_feature_dir

    # A .specify/feature.json that cannot be read is one line here, not a silent fallback to
    # another feature (live views skip it; a run must not guess which feature it works on).
    find_feature_dir(project.root, strict=True)
    store = SessionStore.open(project)
    for message in store.messages:
        _say(message)
    manager = PhaseManager(project, store, config, headless=True)
    input_override = getattr(args, "input", None)
    force = bool(getattr(args, "force", False))
    json_mode = bool(getattr(args, "json", False))
    if json_mode and "--json" not in config.command and "--experimental-json" not in config.command:
        # `--json` asks Codex for JSONL events: add it before the trailing "-" (stdin marker).
        command = list(config.command)
        insert_at = len(command) - 1 if command and command[-1] == "-" else len(command)
        command.insert(insert_at, "--json")
        manager.config = config.model_copy(update={"command": command})

    if getattr(args, "dry_run", False):
        prepared = manager.prepare(phase, input_override=input_override, force=True)
        missing = manager.missing_predecessor(phase)
        if missing is not None and not force:
            _say(f"note: {missing} has not completed; a real run needs --force")
        how = ("invoked as a skill" if prepared.prompt_mode == "skill"
               else "pasted, $speckit-* mentions neutralised")
        sys.stdout.write(f"command: {shlex.join(prepared.spec.argv)}\n")
        sys.stdout.write(f"cwd: {prepared.spec.cwd}\n")
        sys.stdout.write(f"prompt: {prepared.spec.prompt_source} ({how}); "
                         "exactly this is sent on stdin:\n\n")
        sys.stdout.write(prepared.prompt)
        if not prepared.prompt.endswith("\n"):
            sys.stdout.write("\n")
        sys.stdout.flush()
        return 0

    manager.refuse_if_busy()

    auto_continue = bool(getattr(args, "auto_continue", False)) or config.auto_continue
    # Recorded with the run (spec.json), so a workbench opened meanwhile shows and keeps it.
    manager.config = manager.config.model_copy(update={"auto_continue": auto_continue})

    from specui.runner.supervisor import become_subreaper

    # This process owns the run (it is the supervisor): adopt and reap whatever the agent
    # leaves behind, so no zombie outlives a phase.
    reap = become_subreaper()
    message: str | None = None
    attempt = 1
    current = phase
    result = 1
    while True:
        prepared = manager.prepare(
            current, input_override=input_override if current == phase else None,
            force=force or current != phase, continue_message=message, attempt=attempt,
        )
        forwarder: CleanForwarder | JsonForwarder
        # Announced once the run is claimed: a start that is refused (a missing binary) is one
        # error line, not a "phase X -> log" promise followed by an error and no log.
        announce = _announcer(current, attempt)
        stall = _stall_reporter(current, config.stall_minutes, prepared.spec.on_stall,
                                prepared.spec.stall_restarts)
        unreachable = _unreachable_reporter(current)
        if prepared.spec.json_mode:
            forwarder = JsonForwarder(sys.stdout, colour=sys.stdout.isatty())
            run = manager.run_foreground(prepared, forward=forwarder, on_stall=stall,
                                         reap_orphans=reap, on_unreachable=unreachable,
                                         on_claimed=announce)
        else:
            sys.stdout.flush()
            forwarder = CleanForwarder(sys.stdout.buffer)
            run = manager.run_foreground(prepared, forward_clean=forwarder, on_stall=stall,
                                         reap_orphans=reap, on_unreachable=unreachable,
                                         on_claimed=announce)
        forwarder.flush()
        note = f" ({run.message})" if run.message else ""
        outcome = run_outcome(run.phase, run.status, run.tasks_done, run.tasks_total)
        _say(f"phase {current} {outcome}, exit code {run.exit_code}{note}; log: {run.log}")
        step = manager.follow_up(run, auto_continue=manager.auto_continue_for(run))
        if step.reason:
            _say(step.reason)
        result = 0 if step.outcome in ("done", "next") else 1
        if step.phase is None:
            break
        attempt = manager.next_attempt(step.phase, step.continue_message)
        current, message = step.phase, step.continue_message
    from specui.runner.notify import bell

    bell(sys.stderr)
    return result
