"""The handoff: from the interview's SPEC.md (and stack.toml) to the phases that build it.

`draft_input` turns SPEC.md into seed 002's `orchestrator/input`:
- `<constitution>` from the non-functional requirements, security & privacy, constraints
  (the domain's invariants), non-goals and decision boundaries — what every later phase must
  honour, and what agents most often skip;
- `<specify>` from vision & goals, scope, personas & use cases, workflows and edge cases, the
  domain's entities and relationships, states, the acceptance criteria, assumptions, terms and
  the questions still open (Spec Kit's spec has User Scenarios, Edge Cases, Key Entities and
  Assumptions for them);
- `<plan>` from stack.toml, interfaces, data & schema, integrations, deployment, observability,
  known risks, the alternatives considered and the milestones.
Every part cites the SPEC.md section (and bullet) it came from; template placeholders are left
out. An interview that ended with residual risk (SPEC.md's `Residual risk` bullet in Risks)
says so at the top of every block: each one inherits a partially clarified brief.

`write_input` never overwrites the user's text. The last draft specui wrote is kept in
`.specui/handoff/input.draft`; when `orchestrator/input` still equals it, nobody edited it and
the new draft replaces it; otherwise the user's file stays as it is and the new draft is
shown as a diff (and kept beside the old one), as SPEC.md conflicts are.

`lanes` is seed 004's execution bridge: the handoff options with their contracts — the Spec
Kit phases here (the default), the OMX lanes with the exact invocation seed 004 gives each,
or refining further. `write_execution_contract` writes the stride contract where Autopilot
reads it (`handoff_artifacts.deep_interview.execution_contract` in its state).
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from specui.core.errors import SpecuiError
from specui.core.fsio import atomic_write_text, replace_merged
from specui.core.loader import LoadError, load_json_file, load_toml_text, read_file_bytes
from specui.core.open_questions import parse_open_questions
from specui.core.orchestrator import parse_input
from specui.core.paths import Project
from specui.core.prompts import neutralise_skill_mentions
from specui.core.spec import (
    SECTION_BY_KEY,
    UNIT_TITLES,
    SpecDocument,
    find_item,
    first_placeholder,
    unit_statuses,
)

__all__ = [
    "LANES",
    "STRIDES",
    "HandoffResult",
    "Lane",
    "draft_input",
    "execution_contract",
    "interview_spec_path",
    "lanes",
    "residual_risk",
    "write_execution_contract",
    "write_input",
]

# (block, heading, SPEC.md section key, bullet label or None for the whole section)
SOURCES: tuple[tuple[str, str, str, str | None], ...] = (
    ("constitution", "Non-functional requirements", "nfr", None),
    ("constitution", "Constraints", "domain", "Invariants & Constraints"),
    ("constitution", "Non-goals", "scope", "Out-of-scope"),
    ("constitution", "Decision boundaries", "scope", "Decision Boundaries"),
    ("specify", "Vision & goals", "vision", None),
    ("specify", "Scope", "scope", "In-scope"),
    ("specify", "Personas & use cases", "personas", None),
    ("specify", "Key entities", "domain", "Entities"),
    ("specify", "Relationships", "domain", "Relationships"),
    ("specify", "Workflows and edge cases", "workflows", None),
    ("specify", "States & transitions", "states", None),
    ("specify", "Acceptance criteria", "acceptance", None),
    ("specify", "Assumptions", "risks", "Assumptions"),
    ("specify", "Terminology", "terminology", None),
    ("specify", "Open questions", "open_questions", "Outstanding"),
    ("plan", "Interfaces", "interfaces", None),
    ("plan", "Data & schema", "data", None),
    ("plan", "Integrations", "integrations", None),
    ("plan", "Deployment & environments", "deployment", None),
    ("plan", "Observability", "observability", None),
    ("plan", "Known risks", "risks", "Known risks"),
    ("plan", "Alternatives considered", "risks", "Alternatives considered"),
    ("plan", "Milestones & phases", "milestones", None),
)
BLOCKS = ("constitution", "specify", "plan")
DRAFT_NAME = "input.draft"


def _cite(key: str, label: str | None) -> str:
    section = SECTION_BY_KEY[key]
    where = f"SPEC.md §{section.number} {section.title}"
    return f"{where}, {label}" if label else where


def _clean_lines(text: str) -> list[str]:
    """The lines that carry content: no blank lines, and none with a placeholder by SPEC.md's
    own rules (`<...>`, TODO, template defaults) — which also keeps any `<plan>`-like tag out,
    so the blocks cannot break (draft_input checks the result with the runner's parser)."""
    lines = [ln.rstrip() for ln in text.splitlines()]
    return [ln for ln in lines if ln.strip() and first_placeholder(ln) is None]


def residual_risk(doc: SpecDocument) -> str | None:
    """SPEC.md's `Residual risk` bullet (Risks section), written when the interview ended early,
    at the hard cap or above the threshold; None when there is none."""
    item = find_item(doc.section_body("risks"), "Residual risk")
    if item is None or not item.value.strip() or first_placeholder(item.value):
        return None
    return " ".join(item.value.split())


def unfinished(doc: SpecDocument) -> str | None:
    """One line when SPEC.md still has sections with only placeholders or drafts (seed 000
    hands off once every section is at least clarified): every option would build from a
    partial brief. None when all are clarified or final."""
    statuses = unit_statuses(doc, {})
    unknown = [k for k, s in statuses.items() if s == "unknown"]
    drafted = [k for k, s in statuses.items() if s == "drafted"]
    if not unknown and not drafted:
        return None
    parts = []
    if unknown:
        parts.append(f"{len(unknown)} of {len(statuses)} sections have only placeholders "
                     f"({', '.join(UNIT_TITLES[k] for k in unknown[:3])}"
                     f"{', …' if len(unknown) > 3 else ''})")
    if drafted:
        parts.append(f"{len(drafted)} are drafts")
    return (f"SPEC.md is not finished: {'; '.join(parts)}. Every option below builds from a "
            "partial brief (the interview, or your edits, can finish it first).")


def _section_text(doc: SpecDocument, key: str, label: str | None) -> str:
    body = doc.section_body(key) or ""
    if label is None:
        return body
    item = find_item(body, label)
    return item.value if item is not None else ""


def _stack_lines(project: Project) -> list[str]:
    try:
        raw = read_file_bytes(project.stack, what="stack.toml")
    except LoadError:
        return []
    try:
        data = load_toml_text(raw, what="stack.toml")
    except LoadError:
        return [ln for ln in _clean_lines(raw.decode("utf-8", "replace"))
                if not ln.lstrip().startswith("#")]
    lines: list[str] = []
    for table, values in data.items():
        if isinstance(values, dict):
            parts = [f"{k} = {v}" for k, v in values.items()
                     if not isinstance(v, (dict, list)) and first_placeholder(str(v)) is None]
            if parts:
                lines.append(f"- {table}: {', '.join(parts)}")
        elif first_placeholder(str(values)) is None:
            lines.append(f"- {table} = {values}")
    return lines


def draft_input(project: Project, doc: SpecDocument) -> str:
    """The orchestrator/input text drafted from SPEC.md and stack.toml (see the module doc)."""
    risk = residual_risk(doc)
    parts: dict[str, list[str]] = {block: [] for block in BLOCKS}
    for block, heading, key, label in SOURCES:
        lines = _clean_lines(_section_text(doc, key, label))
        if key == "open_questions" and not parse_open_questions(
            doc.unit_text("open_questions")
        ).outstanding:
            continue  # nothing outstanding ("none", "None yet", "N/A"): no block says so
        if lines:
            parts[block].append(f"{heading} (from {_cite(key, label)}):\n" + "\n".join(lines))
    if doc.has_standalone_security:
        lines = _clean_lines(doc.unit_text("security") or "")
        if lines:
            parts["constitution"].insert(
                1, "Security & privacy (from SPEC.md, Security & Privacy):\n" + "\n".join(lines))
    stack = _stack_lines(project)
    if stack:
        parts["plan"].insert(0, "Stack (from stack.toml):\n" + "\n".join(stack))
    out = []
    for block in BLOCKS:
        body = parts[block]
        if not body:  # an empty block: the runner then says which block needs text
            out.append(f"<{block}>\n</{block}>\n")
            continue
        if risk:
            body = [f"RESIDUAL RISK: this brief is only partially clarified — {risk}", *body]
        out.append(f"<{block}>\n" + "\n\n".join(body) + f"\n</{block}>\n")
    # A phase is invoked as `$speckit-<phase> <block>` and Codex takes every `$speckit-<name>`
    # in the prompt for a skill to attach: SPEC.md's words stay, their `$` goes.
    text = neutralise_skill_mentions("\n".join(out))
    parse_input(text, "the drafted orchestrator/input")  # never hand the runner a broken file
    return text


@dataclass(frozen=True)
class HandoffResult:
    action: str        # "created" | "updated" | "unchanged" | "kept"
    path: Path
    draft: str
    diff: str = ""     # user's file -> new draft, when the user's text was kept


def _draft_path(project: Project) -> Path:
    return project.state_dir / "handoff" / DRAFT_NAME


def write_input(project: Project, draft: str) -> HandoffResult:
    """Write `draft` to orchestrator/input unless that would overwrite the user's text."""
    path = project.orchestrator_input
    last_path = _draft_path(project)
    try:
        last = last_path.read_text(encoding="utf-8")
    except OSError:
        last = None
    outcome: dict[str, Any] = {}

    def merge(current: bytes | None) -> bytes | None:
        if current is None:
            outcome["action"] = "created"
            return draft.encode("utf-8")
        text = current.decode("utf-8", "replace")
        if text == draft:
            outcome["action"] = "unchanged"
            return None
        if last is not None and text == last:
            outcome["action"] = "updated"
            return draft.encode("utf-8")
        outcome["action"] = "kept"
        outcome["diff"] = "".join(difflib.unified_diff(
            text.splitlines(keepends=True), draft.splitlines(keepends=True),
            fromfile="orchestrator/input (yours, kept)", tofile="orchestrator/input (draft)"))
        return None

    replace_merged(path, merge, root=project.root)
    if outcome["action"] in ("created", "updated", "unchanged"):
        atomic_write_text(last_path, draft, root=project.root)
    return HandoffResult(outcome["action"], path, draft, outcome.get("diff", ""))


# --------------------------------------------------------------------------- execution bridge

@dataclass(frozen=True)
class Lane:
    key: str
    title: str
    invocation: str          # exactly what to run (copy it, or start it in the runner)
    consumer: str            # what the lane does with the spec
    best_when: str
    default: bool = False
    needs_contract: bool = False


def interview_spec_path(project: Project) -> Path | None:
    """The newest `.omx/specs/deep-interview-*.md` (seed 004's execution-ready spec)."""
    try:
        found = [p for p in project.omx_specs.glob("deep-interview-*.md") if p.is_file()]
    except OSError:
        return None
    return max(found, key=lambda p: p.stat().st_mtime) if found else None


def lanes(project: Project) -> tuple[list[Lane], str]:
    """Seed 004's handoff options for this project, and the spec path they consume."""
    found = interview_spec_path(project)
    spec = project.relative(found) if found is not None else ".omx/specs/deep-interview-<slug>.md"
    return [
        Lane("speckit", "Spec Kit phases here (handoff + runner)",
             "specui handoff && specui run constitution   (then specify, plan, tasks, implement)",
             "orchestrator/input is drafted from SPEC.md; the phases run one by one with "
             "non-goals and decision boundaries in the constitution", "you want Spec Kit's "
             "artifacts (constitution, spec, plan, tasks) and a supervised implement",
             default=True),
        Lane("ultragoal", "$ultragoal (durable goal-mode execution)",
             f"$ultragoal create-goals --brief-file {spec}  then  $ultragoal complete-goals",
             "converts the spec into durable goals; intent, non-goals, decision boundaries, "
             "acceptance criteria and residual-risk warnings become binding story constraints",
             "the spec is execution-ready and you want goal tracking"),
        Lane("ralplan", "$ralplan (consensus planning first)",
             f"$plan --consensus --direct {spec}",
             "treats the spec as the requirements source of truth; refines architecture and "
             "test shape into .omx/plans/", "architecture or test-shape review is still needed"),
        Lane("autopilot", "$autopilot (planning + execution + QA)", f"$autopilot {spec}",
             "uses the spec as the execution brief; reads the stride contract from its state",
             "the spec is strong enough for direct planning and execution", needs_contract=True),
        Lane("ralph", "$ralph (explicit fallback: persistent single owner)", f"$ralph {spec}",
             "uses the acceptance criteria and boundaries as the persistence target",
             "you explicitly want Ralph's persistence loop"),
        Lane("team", "$team (coordinated parallel lanes)", f"$team {spec}",
             "shared execution context for parallel work under common lane constraints",
             "the task is large, multi-lane or blocker-sensitive"),
        Lane("refine", "Refine further",
             "specui interview --refine   (the workbench: 7 here, or e in the Done view)",
             "re-enters the ended interview (transcript, snapshot and SPEC.md kept) on the "
             "highest-leverage remaining uncertainty, for a pass with the profile's cap of "
             "rounds", "residual ambiguity is still too high, or you want stronger clarity"),
    ], spec


STRIDES: dict[str, dict[str, Any]] = {
    "task": {"allow_task_shrink": True, "acceptance_coverage_scope": "task",
             "shrink_policy": "allowed", "completion_unit": "One focused task",
             "stop_condition": "Stop after that task is implemented and verified"},
    "deliverable": {"allow_task_shrink": False, "acceptance_coverage_scope": "deliverable",
                    "shrink_policy": "ask_before_shrink",
                    "completion_unit": "The named deliverable",
                    "stop_condition": "Stop after the deliverable is complete and verified"},
    "milestone": {"allow_task_shrink": False, "acceptance_coverage_scope": "milestone",
                  "shrink_policy": "deny_unless_blocked",
                  "completion_unit": "The approved milestone",
                  "stop_condition": "Stop after the milestone is complete unless blocked"},
}
LANES = ("speckit", "ultragoal", "ralplan", "autopilot", "ralph", "team", "refine")

# The handoff's output, row by row: `kind`, a `lead` and the `text` after it. Printed, a row is
# its lead and text; the workbench shows the warnings above the rows and hangs a wrapped
# option title, field value or diff line under its text, not at the lead's column.
Row = dict[str, str]
WARNING, TEXT, TITLE, FIELD, DIFF = "warning", "text", "title", "field", "diff"
HANGING = (TITLE, FIELD, DIFF)
OPTIONS_HEADER = "Handoff options (where the spec goes next):"
OPTION_FIELDS = ("run", "consumes", "best when")
_FIELD_INDENT = "   "
_FIELD_WIDTH = max(len(name) for name in OPTION_FIELDS) + 2


def _row(kind: str, text: str, lead: str = "") -> Row:
    return {"kind": kind, "lead": lead, "text": text}


def _field_row(name: str, value: str) -> Row:
    """One option field, values in one column."""
    return _row(FIELD, value, f"{_FIELD_INDENT}{name + ':':<{_FIELD_WIDTH}}")


def _diff_rows(diff: str) -> list[Row]:
    """A unified diff: its two file headers and hunk headers as text, every other line a
    DIFF row led by its +/-/space."""
    lines = diff.rstrip("\n").splitlines()
    rows = [_row(TEXT, line) for line in lines[:2]]
    for line in lines[2:]:
        rows.append(_row(DIFF, line[1:], line[0]) if line[:1] in ("+", "-", " ")
                    else _row(TEXT, line))
    return rows


def row_line(row: Row) -> str:
    return row["lead"] + row["text"]


def execution_contract(stride: str) -> dict[str, Any]:
    """Seed 004's canonical snake_case execution contract for `stride`."""
    if stride not in STRIDES:
        raise SpecuiError(f"unknown stride {stride!r} (task, deliverable or milestone)",
                          exit_code=2)
    fields = STRIDES[stride]
    return {
        "version": 1, "execution_stride": stride, "source": "deep-interview",
        "selected_by": "user", "allow_task_shrink": fields["allow_task_shrink"],
        "completion_unit": fields["completion_unit"],
        "stop_condition": fields["stop_condition"],
        "acceptance_coverage_scope": fields["acceptance_coverage_scope"],
        "shrink_policy": fields["shrink_policy"],
    }


def write_execution_contract(project: Project, stride: str, spec_path: str,
                             risk: str | None) -> Path:
    """Autopilot's state (`.omx/state/autopilot-state.json`) gets
    `state.handoff_artifacts.deep_interview` = {spec_path, execution_contract_required: true,
    execution_contract}; every other key of the file is kept (and a concurrent edit is never
    lost). The residual-risk warning travels with it."""
    path = project.omx / "state" / "autopilot-state.json"
    contract = execution_contract(stride)

    def merge(current: bytes | None) -> bytes:
        data: dict[str, Any] = {"mode": "autopilot"}
        if current is not None:
            try:
                loaded = load_json_file(path, what=project.relative(path))
            except LoadError as exc:
                raise SpecuiError(f"{exc}; not touched") from None
            if not isinstance(loaded, dict):
                raise SpecuiError(f"{project.relative(path)} is not a JSON object; not touched")
            data = loaded
        state = data.setdefault("state", {})
        handoff = state.setdefault("handoff_artifacts", {}) if isinstance(state, dict) else None
        if not isinstance(handoff, dict):
            raise SpecuiError(f"{project.relative(path)}: state is not an object; not touched")
        entry: dict[str, Any] = {"spec_path": spec_path, "execution_contract_required": True,
                                 "execution_contract": contract}
        if risk:
            entry["residual_risk"] = risk
        handoff["deep_interview"] = entry
        return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")

    replace_merged(path, merge, root=project.root)
    return path



def _refine(project: Project) -> dict[str, Any]:
    """`--lane refine`: the interview is re-entered here, as `specui interview --refine` does
    (nothing is drafted: SPEC.md is about to change), and its first question is printed."""
    from specui.interview.headless import run_headless, summary_text

    code, summary = run_headless(project, refine=True, as_json=True)
    rows = [_row(TEXT, line) for line in (
        "Refine further: the interview is re-entered (specui interview --refine).",
        *summary_text(summary).splitlines())]
    return {"lane": "refine", "interview": summary, "code": code, "rows": rows,
            "lines": [row_line(row) for row in rows]}


def run_handoff(project: Project, *, list_only: bool = False, lane: str | None = None,
                stride: str = "task") -> dict[str, Any]:
    """`specui handoff`: draft and write orchestrator/input (unless `list_only`), list the
    lanes, and for a chosen lane print its invocation (autopilot: write the contract).
    Returns the JSON shape, with `rows` (see Row) and `lines`, the rows as text."""
    from specui import spec_repo

    doc = spec_repo.read_document(project)
    if doc is None:
        raise SpecuiError(f"{project.relative(project.spec)} does not exist yet: run the "
                          "interview first (specui, or specui init)")
    if lane == "refine" and not list_only:
        return _refine(project)
    risk = residual_risk(doc)
    gaps = unfinished(doc)
    options, spec = lanes(project)
    rows: list[Row] = []
    data: dict[str, Any] = {"residual_risk": risk, "unfinished": gaps, "spec_path": spec,
                            "input": None, "lanes": [lane_.__dict__ for lane_ in options],
                            "contract": None}
    if risk:
        rows.append(_row(WARNING, f"Residual risk (travels with every option): {risk}"))
    if gaps:
        rows.append(_row(WARNING, f"⚠ {gaps}"))
    if not list_only:
        result = write_input(project, draft_input(project, doc))
        shown = project.relative(result.path)
        data["input"] = {"path": shown, "action": result.action, "diff": result.diff}
        rows.append(_row(TEXT, {
            "created": f"wrote {shown} (constitution, specify, plan) from SPEC.md",
            "updated": f"updated {shown} from SPEC.md (it still was specui's last draft)",
            "unchanged": f"{shown} is up to date with SPEC.md",
            "kept": f"{shown} has your edits and was kept; the new draft differs:",
        }[result.action]))
        if result.diff:
            rows.extend(_diff_rows(result.diff))
    if lane is None or list_only:
        rows.append(_row(TEXT, OPTIONS_HEADER))
        for n, option in enumerate(options, 1):
            mark = " (default)" if option.default else ""
            rows.append(_row(TITLE, f"{option.title}{mark}", f"{n}. "))
            consumed = spec if option.key not in ("speckit", "refine") else "SPEC.md"
            rows.append(_field_row("run", option.invocation))
            rows.append(_field_row("consumes", f"{consumed} — {option.consumer}"))
            rows.append(_field_row("best when", option.best_when))
    if lane is not None:
        chosen = next(o for o in options if o.key == lane)
        rows.append(_row(TEXT, f"{chosen.title}: {chosen.invocation}"))
        if chosen.needs_contract:
            path = write_execution_contract(project, stride, spec, risk)
            data["contract"] = {"path": project.relative(path), **execution_contract(stride)}
            rows.append(_row(TEXT, f"wrote the {stride}-stride execution contract to "
                                   f"{project.relative(path)} (handoff_artifacts.deep_interview)"))
    data["rows"] = rows
    data["lines"] = [row_line(row) for row in rows]
    return data
