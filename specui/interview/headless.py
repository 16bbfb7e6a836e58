"""`specui interview`: the interview without the workbench, through the same driver.

Scripts and checks can run a whole interview: print the question, submit an answer (seed 004's
answer shape), print the next one. The engine runs in this process, exactly as the workbench
runs it in a worker thread.
"""

from __future__ import annotations

import json
import shlex
from typing import Any

from specui import spec_repo
from specui.core.config import load_config
from specui.core.errors import SpecuiError
from specui.core.interview import policy
from specui.core.interview.headline import engine_error, headline
from specui.core.interview.state import InterviewState
from specui.core.loader import load_json_text
from specui.core.paths import Project
from specui.core.progress import progress_line
from specui.core.questions import Answer, parse_answer
from specui.interview.driver import (
    AnsweredElsewhere,
    InterviewDriver,
    pending_key,
)
from specui.interview.engines import can_go_offline
from specui.store import SessionStore


def parse_answer_json(text: str | bytes) -> Answer:
    """An answer as seed 004 writes it: the answer object itself, `{"answer": {...}}`, or the
    `omx question` envelope (`answers[0].answer`); bytes (standard input) are UTF-8, a byte
    order mark before them is not part of the answer. SpecuiError names the wrong field."""
    if isinstance(text, bytes):
        text = text.removeprefix(b"\xef\xbb\xbf")
    data = load_json_text(text, what="--answer")
    where = "--answer"
    if isinstance(data, dict) and "answers" in data:
        if not isinstance(data["answers"], list) or not data["answers"]:
            raise SpecuiError('--answer: answers: expected [{"answer": {"kind": …, "value": …}}]')
        first = data["answers"][0]
        data = first.get("answer") if isinstance(first, dict) else first
        where = "--answer: answers[0].answer"
    elif isinstance(data, dict) and "answer" in data:
        data, where = data["answer"], "--answer: answer"
    if not isinstance(data, dict):
        raise SpecuiError(f"{where}: expected a JSON object with kind and value")
    value = data.get("value", "")
    if not (isinstance(value, str) or (isinstance(value, list)
                                       and all(isinstance(v, str) for v in value))):
        # pydantic says "value.str: Input should be a valid string" for a number or a list of them
        raise SpecuiError("answer.value: a string, or a list of strings for kind multi")
    return parse_answer(data)


def header_line(iv: InterviewState) -> str:
    """Seed 004 §2b's header, as the workbench shows it (core.interview.headline)."""
    pending = iv.current
    if pending is None:
        return headline(iv.ambiguity, rounds_done=iv.rounds_done)
    return headline(
        iv.ambiguity, phase=pending.phase, round=pending.round, dimension=pending.dimension
    )


def _summary(project: Project, store: SessionStore) -> dict[str, Any]:
    iv = store.state.interview
    statuses = spec_repo.statuses(project, store)
    pct = spec_repo.progress(project, store)
    pending = iv.current
    question = None
    if pending is not None:
        question = {
            **pending.question.payload(),
            "round": pending.round,
            "phase": pending.phase,
            "kind": pending.kind,
            "target": pending.dimension,
            "why": pending.why,
            "note": pending.note,
            "header": header_line(iv),
            # Names this question: `--answer ... --key KEY` is refused if another one is
            # pending by then (another specui answered meanwhile).
            "key": pending_key(iv),
        }
    return {
        "status": iv.status,
        "phase": iv.phase,
        "profile": iv.profile,
        "type": iv.type,
        # The round on screen, as in `specui status --json`; answered so far: rounds_done.
        "round": policy.current_round(iv),
        "rounds_done": iv.rounds_done,
        "validation_step": policy.validation_step(iv),
        "max_rounds": iv.max_rounds,
        "ambiguity": iv.ambiguity,
        "threshold": iv.threshold,
        "gates": iv.gates.model_dump(),
        "question": question,
        "notice": iv.notice,
        "progress": pct,
        "progress_line": progress_line(pct),
        "sections": policy.section_tally(statuses),
        "can_exit_early": policy.can_exit_early(iv),
        "can_refine": iv.phase == "done",
        "refinements": len(iv.refinements),
        # Nothing more is asked: the 100% finish (`finished`), an early exit or the hard cap.
        # "Answer until finished" never ends after a hard cap; this is the loop's condition.
        "ended": iv.phase == "done",
        "finished": iv.finished,
        "finish_message": iv.finish_message,
        "end_reason": iv.end_reason,
        "residual_risk": iv.residual_risk,
        "engine": iv.engine.name,
        "error": iv.engine.error if iv.engine.status == "error" else None,
        "artifacts": dict(iv.artifacts),
    }


REFINE_HINT = (
    "Refine further: `specui interview --refine` re-enters the interview on what is least "
    "clear (a pass with the profile's cap of rounds)."
)


def summary_text(data: dict[str, Any]) -> str:
    lines: list[str] = [f"note: {m}" for m in data.get("messages", [])]
    q = data["question"]
    if data["error"]:
        lines.append(f"Engine error: {engine_error(data['engine'], data['error'])}")
        if can_go_offline(data["engine"]):
            lines.append('Run again with --retry, or set [interview] engine = "builtin".')
        else:
            lines.append("Run again with --retry.")
    if data["finished"]:
        lines.append(data["finish_message"])
        lines.append(REFINE_HINT)
        return "\n".join(lines)
    if data["residual_risk"]:
        lines.append(f"Interview ended: {data['residual_risk']}")
    if data["can_refine"]:
        lines.append(REFINE_HINT)
    if data["notice"]:
        lines.append(data["notice"])
    if q is not None:
        lines.append(q["header"])
        if q["note"]:
            lines.append(q["note"])
        if q["why"]:
            lines.append(f"Why: {q['why']}")
        lines.append(q["question"])
        for i, o in enumerate(q["options"], 1):
            star = " ★" if o.get("recommended") else ""
            desc = f" — {o['description']}" if o.get("description") else ""
            lines.append(f"  {i}. {o['label']}{star}{desc}  [value: {o['value']}]")
        if not q["options"]:
            lines.append('  (free text: --answer \'{"kind": "text", "value": "..."}\')')
        else:
            # Quoted for a POSIX shell: an engine's option value may hold a quote.
            first = json.dumps(q["options"][0]["value"])
            if q.get("type") == "multi-answerable":
                example = f'{{"kind": "multi", "value": [{first}, ...]}}'
                lines.append(f"  Choose all that apply: --answer {shlex.quote(example)}")
            else:
                example = f'{{"kind": "option", "value": {first}}}'
                lines.append(f"  Choose one: --answer {shlex.quote(example)}")
        if q["options"] and q["allow_other"]:
            lines.append(f'  {q["other_label"]}: --answer \'{{"kind": "other", "value": "..."}}\'')
        if data["can_exit_early"]:
            lines.append("  (early exit available: --exit-early)")
    lines.append(f"{data['progress_line']}  {data['sections']}")
    return "\n".join(lines)


def _not_recorded(store: SessionStore, *, changed: bool) -> str:
    """AnsweredElsewhere in this command's words (the driver's speak of the screen)."""
    why = ("--key names another question than the pending one" if changed
           else "another specui answered this question meanwhile")
    iv = store.state.interview
    now = f"the pending question is {header_line(iv)!r}" if iv.current is not None else (
        "no question is pending")
    return (f"your answer was not recorded: {why}; {now} (`specui interview --json` prints it "
            "and its key)")


def run_headless(
    project: Project,
    *,
    answer: str | bytes | None = None,
    key: str | None = None,
    exit_early: bool = False,
    retry: bool = False,
    refine: bool = False,
    profile: str | None = None,
    autoresearch: bool = False,
    as_json: bool = False,
) -> tuple[int, Any]:
    """Run one step of the interview; returns (exit code, text or JSON-able dict)."""
    parsed = parse_answer_json(answer) if answer is not None else None
    store = SessionStore.open(project)
    iv = store.state.interview
    if profile is not None and iv.status != "not_started" and iv.profile != profile:
        raise SpecuiError(
            f"this interview already runs with the {iv.profile} profile; the profile is chosen "
            "when an interview starts"
        )
    if autoresearch and iv.status != "not_started" and not iv.autoresearch:
        raise SpecuiError(
            "--autoresearch: this interview was not started as an autoresearch interview; the "
            "focus is chosen when an interview starts"
        )
    if refine:
        policy.refine(iv)  # refused before anything starts (a new interview, an engine)
    driver = InterviewDriver(
        project, store, load_config(project), profile=profile, autoresearch=autoresearch
    )
    driver.start()
    if driver.busy_elsewhere():
        raise SpecuiError(
            f"another specui (pid {store.state.interview.engine.owner_pid}) is running the "
            "engine on the last answer; try again when it is done",
            exit_code=1,
        )
    iv = store.state.interview
    if iv.phase == "done" and (exit_early or parsed is not None):
        # Said here rather than by the driver, whose refusals speak of rounds not reached yet
        # and of the screen: an ended interview needs its way back in named.
        what = "--exit-early" if exit_early else "--answer"
        ended = (iv.end_reason or "finished").replace("_", " ")
        raise SpecuiError(f"{what}: the interview has ended ({ended}); --refine re-enters it "
                          "for another pass of questions")
    warning = None
    if exit_early:
        warning = driver.exit_warning()
        driver.exit_early()
    elif retry:
        if store.state.interview.engine.status != "error":
            raise SpecuiError("--retry: no engine round has failed; there is nothing to run again")
        driver.retry()
    elif refine:
        driver.refine()
    elif parsed is not None:
        try:
            driver.answer(parsed, key=key)
        except AnsweredElsewhere as exc:
            raise SpecuiError(_not_recorded(store, changed=exc.changed)) from None
    data = _summary(project, store)
    # Said once, by whichever command opened the store first: a session set aside as unreadable
    # (the interview started afresh), a session that could not be saved.
    data["messages"] = list(store.messages)
    if warning is not None and as_json:
        data["warning"] = warning
    code = 1 if data["error"] else 0
    return code, (data if as_json else summary_text(data))
