"""Seed 004's deep-interview artifacts, with its exact paths and names:

- `.omx/context/{slug}-{UTC YYYYMMDDTHHMMSSZ}.md`   Phase 0 context snapshot
- `.omx/interviews/{slug}-{timestamp}.md`           transcript summary (ralph PRD compatible)
- `.omx/specs/deep-interview-{slug}.md`             the execution-ready spec (every Phase 4 item)
- with `--autoresearch`: `.omx/specs/deep-interview-autoresearch-{slug}.md` instead, plus
  `.omx/specs/autoresearch-{slug}/{mission.md, sandbox.md, result.json}`.

Everything is rendered from the interview state and SPEC.md, so the driver calls these after
every change once the interview has crystallized (and the snapshot whenever findings change):
a file is rewritten when what it says changed, and left alone otherwise. Paths keep the
timestamp they were first written with (the state remembers them), so a rewrite never forks a
second file. Writes are atomic and confined to the project (`specui.core.fsio`). User text is
Markdown data, never interpreted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path

from specui import spec_repo
from specui.core.ambiguity import DIMENSION_TITLES, ambiguity_percent, weights_for
from specui.core.fsio import atomic_write_text
from specui.core.interview import policy
from specui.core.interview.contract import BrownfieldContext, ContextFinding
from specui.core.interview.state import InterviewState, Round
from specui.core.open_questions import parse_open_questions
from specui.core.paths import Project
from specui.core.spec import UNIT_KEYS, item_value, value_is_answered

SPEC_HEADINGS: tuple[str, ...] = (
    "Metadata",
    "Context Snapshot",
    "Prompt-Safe Initial-Context Summary",
    "Clarity Breakdown",
    "Intent",
    "Desired Outcome",
    "In-Scope",
    "Out-of-Scope / Non-goals",
    "Decision Boundaries",
    "Constraints",
    "Testable Acceptance Criteria",
    "Assumptions Exposed + Resolutions",
    "Pressure-Pass Findings",
    "Brownfield Evidence vs Inference",
    "Docs/Terminology Ledger",
    "Scenario/Edge-Case Findings",
    "Durable Documentation Recommendations (opt-in)",
    "Technical Context Findings",
    "Transcript",
)
AUTORESEARCH_HEADINGS: tuple[str, ...] = (
    "Mission Draft",
    "Evaluator Draft",
    "Launch Readiness",
    "Seed Inputs",
    "Confirmation Bridge",
)
# The bullets the autoresearch interview focus writes (bank.toml, `mode:autoresearch`), with the
# labels another engine may use; they are looked up in every section, in this order.
MISSION = ("Mission", "Research mission")
EVALUATOR = ("Evaluator command", "Evaluator")
KEEP_POLICY = ("Keep policy",)
SESSION_SLUG = ("Research slug", "Session slug", "Slug")

_PLACEHOLDER_MARKERS = (
    (re.compile(r"<[^<>\n]*>"), "<...>"),
    (re.compile(r"\bTODO\b"), "TODO"),
    (re.compile(r"\bTBD\b"), "TBD"),
    (re.compile(r"REPLACE_ME", re.IGNORECASE), "REPLACE_ME"),
    (re.compile(r"CHANGEME", re.IGNORECASE), "CHANGEME"),
    (re.compile(r"your-command-here", re.IGNORECASE), "your-command-here"),
)
_STAMP_RE = r"\d{8}T\d{6}Z"


def slugify(text: str, fallback: str = "project") -> str:
    """A short task slug: lowercase ascii words joined by '-', at most 48 chars."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    slug = "-".join(words)[:48].strip("-")
    return slug or fallback


def utc_stamp(now: datetime | None = None) -> str:
    """`YYYYMMDDTHHMMSSZ` in UTC (seed 004's snapshot timestamp)."""
    return (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


# --------------------------------------------------------------------------- writing


def _rel_path(project: Project, stored: str | None, folder: Path, pattern: str) -> Path | None:
    """The path a previous write chose (kept so a rewrite never forks a file), if valid."""
    if not stored:
        return None
    path = project.root / stored
    if path.parent != folder or not re.fullmatch(pattern, path.name):
        return None
    return path


def _write(project: Project, path: Path, text: str) -> bool:
    """Write `text` unless the file already says exactly that; True when written."""
    try:
        if path.read_text("utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    atomic_write_text(path, text, root=project.root)
    return True


def _slug(state: InterviewState) -> str:
    return slugify(state.slug or "project")


# --------------------------------------------------------------------------- reading SPEC.md


class _Spec:
    """Answered bullets of SPEC.md by (unit, label)."""

    def __init__(self, bodies: Mapping[str, str | None]) -> None:
        self.bodies = bodies

    def value(self, unit: str, label: str) -> str | None:
        v = item_value(self.bodies.get(unit), label)
        return v if value_is_answered(label, v) else None

    def bullets(self, *items: tuple[str, str], empty: str = "- (not clarified)") -> str:
        lines = []
        for unit, label in items:
            v = self.value(unit, label)
            if v:
                lines.append(f"- **{label}**: " + v.replace("\n", "\n  "))
        return "\n".join(lines) or empty

    def outstanding(self) -> list[str]:
        return parse_open_questions(self.bodies.get("open_questions")).outstanding

    def anywhere(self, labels: tuple[str, ...]) -> str:
        """The first answered bullet with one of `labels`, in any section ('' if none)."""
        for label in labels:
            for unit in UNIT_KEYS:
                v = self.value(unit, label)
                if v:
                    return v
        return ""


def _bodies(project: Project) -> dict[str, str | None]:
    doc = spec_repo.read_document(project)
    return {k: (doc.unit_text(k) if doc is not None else None) for k in UNIT_KEYS}


def _md(text: str | None, empty: str = "(not stated yet)") -> str:
    text = " ".join(str(text or "").split())
    return text or empty


def _flat(text: str) -> str:
    return " ".join(text.lower().split())


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _lines(items: Iterable[str], empty: str) -> str:
    out = [f"- {x}" for x in items if x]
    return "\n".join(out) or f"- {empty}"


# --------------------------------------------------------------------------- context snapshot


def write_context_snapshot(
    project: Project,
    state: InterviewState,
    brownfield: BrownfieldContext | None,
    *,
    now: datetime | None = None,
    bodies: Mapping[str, str | None] | None = None,
) -> str:
    """Seed 004 Phase 0's context snapshot; returns its project-relative path.

    The first call picks `.omx/context/{slug}-{UTC stamp}.md`; later calls (the path is in
    `state.artifacts["context"]`) rewrite that same file when what it says changed.
    """
    slug = _slug(state)
    folder = project.omx_context
    path = (
        _rel_path(
            project,
            state.artifacts.get("context"),
            folder,
            re.escape(slug) + "-" + _STAMP_RE + r"\.md",
        )
        or folder / f"{slug}-{utc_stamp(now)}.md"
    )
    spec = _Spec(bodies if bodies is not None else _bodies(project))
    earlier = _earlier_artifacts(project, state, path)
    _write(project, path, render_context_snapshot(project, state, brownfield, spec, earlier))
    return project.relative(path)


def _earlier_artifacts(project: Project, state: InterviewState, current: Path) -> list[str]:
    """Seed 004 Phase 0 inspects existing `.omx/context/` snapshots and `.omx/specs/` of the
    slug: those an earlier interview left (newest first)."""
    slug = _slug(state)
    found: list[Path] = []
    if project.omx_context.is_dir():
        pattern = re.compile(re.escape(slug) + "-" + _STAMP_RE + r"\.md")
        found += sorted(
            (p for p in project.omx_context.iterdir() if pattern.fullmatch(p.name)),
            reverse=True,
        )
    spec = project.omx_specs / f"deep-interview-{slug}.md"
    if "spec" not in state.artifacts and spec.is_file():
        found.append(spec)
    return [project.relative(p) for p in found if p != current]


def render_context_snapshot(
    project: Project,
    state: InterviewState,
    brownfield: BrownfieldContext | None,
    spec: _Spec,
    earlier: list[str] | None = None,
) -> str:
    findings = _latest_findings(state)
    # Only files an answer or the agent's reading related to the change: a file the scan
    # merely saw is listed under the facts, not as a likely touchpoint.
    touch = [f"`{f.path}`: {f.finding}" for f in findings if f.touchpoint]
    docs = list(
        dict.fromkeys(
            [
                *(brownfield.docs if brownfield else []),
                *(f.path for f in findings if _is_doc(f)),
                *(earlier or []),
            ]
        )
    )
    facts = [f"`{f.path}`: {f.finding} (evidence)" for f in findings if f.basis == "evidence"]
    if brownfield is not None:
        facts += [f"manifest `{m}`" for m in brownfield.manifests]
        if brownfield.languages:
            facts.append("languages: " + ", ".join(brownfield.languages))
        if brownfield.files_sample and not touch:
            seen = ", ".join(f"`{p}`" for p in brownfield.files_sample[:5])
            facts.append(f"source files seen in the scan (not yet related to the change): {seen}")
    stack = spec.value("deployment", "Stack")
    if stack:
        facts.append(f"stack: {stack}")
    gaps = [
        f"{DIMENSION_TITLES.get(k, k)}: {v.gap}"
        for k, v in state.dimensions.items()
        if v.gap and v.gap != "none"
    ]
    decision = (
        spec.value("scope", "Decision Boundaries") or "not explicit yet"
        if state.gates.decision_boundaries
        else "what the implementer may decide without confirmation is not explicit yet"
    )
    conflicts = [f"{t.term.term}: {t.term.conflict}" for t in state.terminology if t.term.conflict]
    return f"""# Context snapshot: {state.slug or project.root.name}

- Context type: {state.type}
- Profile: {state.profile}
- Prompt-safe initial-context summary status: {state.summary_status}

## Task statement
{_md(_task(state))}

## Desired outcome
{_md(spec.value("vision", "Success Metrics") or spec.value("vision", "Problem & Outcome"))}

## Stated solution
{_md(spec.value("scope", "In-scope") or _task(state))}

## Probable intent hypothesis
{_md(" ".join(x for x in (spec.value("vision", "Problem & Outcome"), spec.value("vision", "Primary Driver")) if x), "(unknown until the overview is answered)")}

## Known facts / evidence
{_lines(facts, "none recorded yet")}

## Constraints
{spec.bullets(("deployment", "Stack"), ("nfr", "Performance"), ("nfr", "Reliability"), ("security", "Security & Privacy"), empty="- none recorded yet")}

## Unknowns / open questions
{_lines([*spec.outstanding(), *gaps], "none")}

## Decision-boundary unknowns
- {decision}

## Likely codebase touchpoints
{_lines(touch, "none (greenfield)" if state.type == "greenfield" else "none identified yet")}

## Relevant repo docs/rules/context inspected
{_lines((f"`{d}`" for d in docs), "none found")}

## Terminology or doc/code conflicts found
{_lines(conflicts, "none recorded")}
"""


def _is_doc(f: ContextFinding) -> bool:
    """A docs/rules/context source (README, AGENTS.md, docs/...), not a code file."""
    path = f.path.lower()
    return path.endswith((".md", ".rst", ".txt", "/")) or path.startswith("docs/")


def _task(state: InterviewState) -> str:
    """The task as the user stated it: the initial idea, the summary, or the overview."""
    if state.initial_idea or state.summary:
        return state.initial_idea or state.summary
    first = next((r for r in state.rounds if r.kind in ("overview", "summary")), None)
    return first.answer.summary() if first is not None else ""


def _latest_findings(state: InterviewState) -> list[ContextFinding]:
    """Findings by path, the newest report of each path winning (engines may repeat one)."""
    by_path: dict[str, ContextFinding] = {}
    for rec in state.findings:
        by_path[rec.finding.path] = rec.finding
    return list(by_path.values())


# --------------------------------------------------------------------------- the spec


def _clarity_table(state: InterviewState) -> str:
    rows = [
        "| Dimension | Weight | Score | Weighted | Justification | Gap |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for dim, weight in weights_for(state.type).items():
        ds = state.dimensions.get(dim)
        score = ds.score if ds else 0.0
        rows.append(
            f"| {DIMENSION_TITLES.get(dim, dim)} | {weight:.2f} | {score:.2f} | "
            f"{weight * score:.3f} | {_cell(ds.justification if ds else '')} | "
            f"{_cell(ds.gap if ds else '')} |"
        )
    rows.append(
        f"| **Ambiguity** | | | **{ambiguity_percent(state.ambiguity)}%** | threshold "
        f"{ambiguity_percent(state.threshold)}% | |"
    )
    return "\n".join(rows)


def _gates(state: InterviewState) -> str:
    evidence = {ev.gate: ev for ev in state.gate_evidence}
    out = []
    for gate, title in policy.GATE_TITLES.items():
        ev = evidence.get(gate)  # type: ignore[call-overload]
        if getattr(state.gates, gate):
            how = f" (round {ev.round}: {_md(ev.note, '')})" if ev is not None else ""
            out.append(f"- {title}: explicit{how}")
        else:
            out.append(f"- {title}: NOT met")
    return "\n".join(out)


def _round(state: InterviewState, n: int) -> Round | None:
    return next((r for r in state.rounds if r.n == n and r.phase == "interview"), None)


def _answer(r: Round, limit: int | None = None) -> str:
    text = " ".join(r.answer.summary().split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def _assumptions(state: InterviewState, spec: _Spec) -> str:
    lines = []
    value = spec.value("risks", "Assumptions")
    if value:
        lines.append("- **Assumptions (SPEC.md §13)**: " + value.replace("\n", "\n  "))
    for d in state.deferrals:
        lines.append(
            f"- Deferred in round {d.round}: {d.topic} → default **{_md(d.default)}** "
            f"(rationale: {_md(d.rationale)})"
        )
    for c in state.contradictions:
        if c.status == "resolved":
            lines.append(
                f"- Contradiction on {c.topic}: “{_md(c.statement_a)}” ({c.where_a}) vs "
                f"“{_md(c.statement_b)}” ({c.where_b}) → resolved in round "
                f"{c.resolved_round}: “{_md(c.chosen)}”"
            )
        else:
            lines.append(
                f"- Contradiction on {c.topic} still open: “{_md(c.statement_a)}” ({c.where_a}) "
                f"vs “{_md(c.statement_b)}” ({c.where_b})"
            )
    return "\n".join(lines) or "- none exposed"


def _pressure(state: InterviewState) -> str:
    lines = []
    for p in state.pressure:
        asked = _round(state, p.round)
        revisited = _round(state, p.revisits_round)
        if asked is None:
            continue
        before = f"“{_answer(revisited, 200)}”" if revisited is not None else "(not recorded)"
        lines.append(
            f"- Round {p.round} revisited round {p.revisits_round} ({p.kind} follow-up). "
            f"Before: {before}. What changed: “{_answer(asked, 300)}”"
        )
    return "\n".join(lines) or "- no pressure pass happened"


def _brownfield(state: InterviewState) -> str:
    if state.type == "greenfield":
        return "- greenfield: no repository to ground against"
    findings = _latest_findings(state)
    ev = [f"- `{f.path}`: {f.finding}" + (" (touchpoint)" if f.touchpoint else "")
          for f in findings if f.basis == "evidence"]  # fmt: skip
    inf = [f"- `{f.path}`: {f.finding}" + (" (touchpoint)" if f.touchpoint else "")
           for f in findings if f.basis == "inference"]  # fmt: skip
    return (
        "### Evidence (read in the repository)\n\n"
        + ("\n".join(ev) or "- none recorded")
        + "\n\n### Inference (not confirmed by reading the code)\n\n"
        + ("\n".join(inf) or "- none recorded")
    )


def _ledger(state: InterviewState, spec: _Spec) -> str:
    findings = _latest_findings(state)
    docs = [f"`{f.path}`" for f in findings if _is_doc(f)]
    terms = [
        f"{t.term.term}: {t.term.meaning}" + (f" — conflict: {t.term.conflict}" if t.term.conflict else "")
        for t in state.terminology
    ]  # fmt: skip
    mismatches = [f"{t.term.term}: {t.term.conflict}" for t in state.terminology if t.term.conflict]
    glossary = spec.value("terminology", "Glossary")
    return (
        "**Inspected docs/rules/context**\n\n"
        + _lines(docs, "none" if state.type == "greenfield" else "none recorded")
        + "\n\n**Canonical terms**\n\n"
        + _lines(terms or ([glossary] if glossary else []), "none recorded")
        + "\n\n**Term conflicts and doc/code mismatches needing a decision**\n\n"
        + _lines(mismatches, "none found")
    )


def _scenarios(state: InterviewState, spec: _Spec) -> str:
    lines = []
    edges = spec.value("workflows", "Edge cases")
    if edges:
        lines.append("- **Edge cases (SPEC.md §6)**: " + edges.replace("\n", "\n  "))
    for c in state.contradictions:
        if c.status == "resolved":
            lines.append(f"- {c.topic}: the scenario forced a choice → “{_md(c.chosen)}”")
    for p in state.pressure:
        r = _round(state, p.round)
        if r is not None and p.kind == "tradeoff":
            lines.append(f"- Trade-off (round {p.round}): “{_answer(r, 300)}”")
    return "\n".join(lines) or "- none recorded"


def _durable_docs(state: InterviewState, spec: _Spec) -> str:
    recs = []
    if spec.value("terminology", "Glossary") or state.terminology:
        recs.append(
            "add the canonical terms of the Docs/Terminology Ledger to a CONTEXT.md glossary"
        )
    if spec.value("scope", "Decision Boundaries"):
        recs.append("record the decision boundaries in AGENTS.md so agents know what to confirm")
    if spec.value("scope", "Out-of-scope"):
        recs.append("list the non-goals in the README's scope section")
    return (
        "Opt-in and public-safe: suggestions only, never applied automatically, and they carry no "
        "transcript content.\n\n" + _lines(recs, "none")
    )


def _technical(state: InterviewState, spec: _Spec) -> str:
    parts = [
        spec.bullets(
            ("deployment", "Stack"),
            ("nfr", "Performance"),
            ("nfr", "Reliability"),
            ("nfr", "Scalability"),
            ("security", "Security & Privacy"),
            ("data", "Storage"),
            ("interfaces", "API"),
            empty="",
        )
    ]
    touch = [
        f"- touchpoint `{f.path}`: {f.finding}" for f in _latest_findings(state) if f.touchpoint
    ]
    parts.append("\n".join(touch))
    return "\n".join(p for p in parts if p) or "- none recorded"


def _transcript(state: InterviewState, condensed: bool) -> str:
    out = []
    for r in state.rounds:
        title = DIMENSION_TITLES.get(r.dimension, r.dimension)
        label = "Round" if r.phase == "interview" else "Validation"
        tags = [r.kind]
        if r.deferral:
            tags.append("deferral")
        if r.pressure is not None:
            tags.append(f"revisits round {r.pressure.revisits_round}")
        out.append(
            f"### {label} {r.n} | Target: {title} | {', '.join(tags)} | Ambiguity after: "
            f"{ambiguity_percent(r.ambiguity)}%\n\n**Q:** {_md(r.question.question)}\n\n"
            f"**A:** {_answer(r, 300 if condensed else None)}\n"
        )
    return "\n".join(out) or "(no rounds)"


def _metadata(state: InterviewState, project: Project) -> str:
    ended = {
        "threshold": "ambiguity at or below the threshold",
        "early_exit": "the user exited early",
        "hard_cap": f"the hard cap of {state.max_rounds} rounds",
        "validation_cap": "the validation pass's cap",
    }.get(state.end_reason or "", "still running")
    return (
        f"- Profile: {state.profile}\n"
        f"- Rounds: {state.rounds_done} of at most {state.max_rounds}\n"
        f"- Final ambiguity: {ambiguity_percent(state.ambiguity)}%\n"
        f"- Threshold: {ambiguity_percent(state.threshold)}%\n"
        f"- Context type: {state.type}\n"
        f"- Status: {state.status} ({state.phase}); ended by: {ended}\n"
        + _refinements(state)
        + f"- Interview id: {state.id}\n"
        f"- SPEC.md: `{project.relative(project.spec)}`"
    )


def _refinements(state: InterviewState) -> str:
    """Refine-further passes: where each began and how the interview had ended before it."""
    if not state.refinements:
        return ""
    passes = "; ".join(
        f"from round {r.from_round + 1} (it had ended: {r.ended.replace('_', ' ')})"
        for r in state.refinements
    )
    return f"- Refinement passes: {len(state.refinements)}, {passes}\n"


def render_spec(
    project: Project,
    state: InterviewState,
    bodies: Mapping[str, str | None],
    *,
    context_path: str | None,
    autoresearch: AutoresearchDraft | None = None,
) -> str:
    """The execution-ready deep-interview spec: every Phase 4 item of seed 004, in its order."""
    spec = _Spec(bodies)
    slug = _slug(state)
    risk = (
        f"\n> **Residual risk:** {_md(state.residual_risk)} Downstream work inherits a partially "
        "clarified brief.\n"
        if state.residual_risk
        else ""
    )
    if state.summary_status == "not_needed":
        summary = "- not needed: the initial context was small enough to use directly"
    elif state.summary_status == "recorded":
        summary = f"{_md(state.summary)}\n\n- Full source: `{project.relative(project.spec)}`"
    else:
        summary = "- needed but not recorded yet"
    sections = {
        "Metadata": _metadata(state, project) + "\n" + risk,
        "Context Snapshot": f"- `{context_path}`" if context_path else "- (not written)",
        "Prompt-Safe Initial-Context Summary": summary,
        "Clarity Breakdown": _clarity_table(state) + "\n\n**Readiness gates**\n\n" + _gates(state),
        "Intent": spec.bullets(
            ("vision", "Problem & Outcome"), ("vision", "Primary Driver"), ("vision", "Essence")
        ),
        "Desired Outcome": spec.bullets(
            ("vision", "Success Metrics"), ("vision", "Target Users"), ("personas", "Top Use Cases")
        ),
        "In-Scope": spec.bullets(("scope", "In-scope"), ("milestones", "Phase 1..N")),
        "Out-of-Scope / Non-goals": spec.bullets(("scope", "Out-of-scope")),
        "Decision Boundaries": spec.bullets(("scope", "Decision Boundaries")),
        "Constraints": spec.bullets(
            ("deployment", "Stack"),
            ("nfr", "Performance"),
            ("nfr", "Reliability"),
            ("nfr", "Scalability"),
            ("security", "Security & Privacy"),
            ("nfr", "Compliance"),
        ),
        "Testable Acceptance Criteria": spec.bullets(
            ("acceptance", "User acceptance"),
            ("acceptance", "QA plan"),
            ("acceptance", "Automation"),
        ),
        "Assumptions Exposed + Resolutions": _assumptions(state, spec),
        "Pressure-Pass Findings": _pressure(state),
        "Brownfield Evidence vs Inference": _brownfield(state),
        "Docs/Terminology Ledger": _ledger(state, spec),
        "Scenario/Edge-Case Findings": _scenarios(state, spec),
        "Durable Documentation Recommendations (opt-in)": _durable_docs(state, spec),
        "Technical Context Findings": _technical(state, spec),
        "Transcript": _transcript(state, condensed=True),
    }
    title = f"Deep interview spec: {slug}"
    parts = [f"# {title}\n"]
    if autoresearch is not None:
        title = f"Deep interview spec (autoresearch): {slug}"
        parts = [f"# {title}\n", autoresearch.sections()]
    parts += [f"## {h}\n\n{sections[h].rstrip()}\n" for h in SPEC_HEADINGS]
    return "\n".join(parts)


def render_transcript(project: Project, state: InterviewState) -> str:
    risk = f"\n> **Residual risk:** {_md(state.residual_risk)}\n" if state.residual_risk else ""
    return (
        f"# Deep interview transcript: {_slug(state)}\n\n{_metadata(state, project)}\n{risk}\n"
        f"## Rounds\n\n{_transcript(state, condensed=False)}"
    )


# --------------------------------------------------------------------------- autoresearch


def evaluator_blockers(command: str) -> list[str]:
    """Why an evaluator command cannot launch: missing, or a placeholder marker left in it."""
    if not command.strip():
        return ["the evaluator command is missing"]
    return [
        f"the evaluator command still holds the placeholder {name}"
        for rx, name in _PLACEHOLDER_MARKERS
        if rx.search(command)
    ]


class AutoresearchDraft:
    """The autoresearch specialization's values, read from SPEC.md's bullets."""

    def __init__(self, state: InterviewState, spec: _Spec) -> None:
        self.state = state
        mission = spec.anywhere(MISSION)
        self.mission = mission
        self.topic = _md(mission.split("\n")[0] if mission else _task(state), "")
        evaluator, evaluator_default = self._own(spec.anywhere(EVALUATOR))
        self.evaluator = "" if evaluator_default else evaluator.strip("`").strip()
        # A keep policy left to a default is one (recorded as an assumption); the launch
        # artifacts carry the policy, not the deferral's wording around it.
        self.keep_policy = self._own(spec.anywhere(KEEP_POLICY))[0]
        slug, slug_default = self._own(spec.anywhere(SESSION_SLUG))
        self.slug = slugify((None if slug_default else slug) or state.slug or "project")
        blockers = []
        if not self.topic:
            blockers.append("the mission topic is missing")
        if evaluator_default:
            blockers.append("the evaluator command was left to a default: name the command")
        else:
            blockers += evaluator_blockers(self.evaluator)
        if not self.keep_policy:
            blockers.append("the keep policy is missing")
        self.blocked = blockers

    def _own(self, value: str) -> tuple[str, bool]:
        """A bullet's value, and whether it is a default the user deferred to (the protocol's
        deferral records name each default): then the default alone, without its marking."""
        value = value.strip()
        for d in self.state.deferrals:
            if d.default.strip() and _flat(d.default) in _flat(value):
                return d.default.strip(), True
        return value, False

    @property
    def launch_ready(self) -> bool:
        return not self.blocked

    def sections(self) -> str:
        ready = "ready to launch" if self.launch_ready else "NOT launch-ready"
        return (
            f"## Mission Draft\n\n{_md(self.mission, '(no mission stated yet)')}\n\n"
            f"## Evaluator Draft\n\n- Command: `{_md(self.evaluator, '(none)')}`\n"
            f"- Keep policy: {_md(self.keep_policy, '(none)')}\n\n"
            f"## Launch Readiness\n\n- {ready}\n"
            + _lines(self.blocked, "no blocking reasons")
            + "\n\n## Seed Inputs\n\n"
            f"- topic: {_md(self.topic, '(none)')}\n- evaluator: `{_md(self.evaluator, '(none)')}`\n"
            f"- keep-policy: {_md(self.keep_policy, '(none)')}\n- slug: {self.slug}\n\n"
            "## Confirmation Bridge\n\n- Refine further: continue the interview on what blocks "
            "the launch (`specui interview --refine`, or e in the workbench's Done view).\n"
            "- Launch: hand off to `$autoresearch` with this draft only after explicit "
            "confirmation; nothing is launched from here.\n"
        )


# --------------------------------------------------------------------------- the driver's call


def write_artifacts(
    project: Project,
    state: InterviewState,
    bodies: Mapping[str, str | None],
    *,
    now: datetime | None = None,
    autoresearch: bool = False,
) -> dict[str, str]:
    """(Re)write the transcript, the spec (and the autoresearch bundle) from the state and
    SPEC.md's unit texts; returns {name: project-relative path} for `state.artifacts`."""
    slug = _slug(state)
    transcript = (
        _rel_path(
            project,
            state.artifacts.get("transcript"),
            project.omx_interviews,
            re.escape(slug) + "-" + _STAMP_RE + r"\.md",
        )
        or project.omx_interviews / f"{slug}-{utc_stamp(now)}.md"
    )
    spec = _Spec(bodies)
    context_path = state.artifacts.get("context")
    out = {"transcript": project.relative(transcript)}
    _write(project, transcript, render_transcript(project, state))
    if not autoresearch:
        path = project.omx_specs / f"deep-interview-{slug}.md"
        _write(project, path, render_spec(project, state, bodies, context_path=context_path))
        out["spec"] = project.relative(path)
        return out
    draft = AutoresearchDraft(state, spec)
    path = project.omx_specs / f"deep-interview-autoresearch-{slug}.md"
    _write(
        project,
        path,
        render_spec(project, state, bodies, context_path=context_path, autoresearch=draft),
    )
    folder = project.omx_specs / f"autoresearch-{slug}"
    mission, sandbox, result = folder / "mission.md", folder / "sandbox.md", folder / "result.json"
    _write(
        project,
        mission,
        f"# Mission: {draft.topic or slug}\n\n{_md(draft.mission, '(no mission stated yet)')}\n",
    )
    _write(
        project,
        sandbox,
        f"# Sandbox: {slug}\n\n- Evaluator command: `{_md(draft.evaluator, '(none)')}`\n"
        f"- Keep policy: {_md(draft.keep_policy, '(none)')}\n"
        f"- Launch-ready: {'yes' if draft.launch_ready else 'no'}\n"
        + _lines(draft.blocked, "no blocking reasons")
        + "\n",
    )
    payload = {
        "topic": draft.topic,
        "evaluatorCommand": draft.evaluator,
        "keepPolicy": draft.keep_policy,
        "slug": draft.slug,
        "launchReady": draft.launch_ready,
        "blockedReasons": draft.blocked,
        "draft": project.relative(path),
        "mission": project.relative(mission),
        "sandbox": project.relative(sandbox),
    }
    _write(project, result, json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    out.update(
        spec=project.relative(path),
        mission=project.relative(mission),
        sandbox=project.relative(sandbox),
        result=project.relative(result),
    )
    return out
