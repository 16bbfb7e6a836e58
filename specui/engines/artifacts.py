"""Seed 004's deep-interview artifacts (Phase 0 context snapshot, Phase 4 crystallization).

Same paths and names as OMX so downstream tools (ralplan, autopilot, team) can consume them:
- `.omx/context/{slug}-{UTC YYYYMMDDTHHMMSSZ}.md`  context snapshot, written at start
- `.omx/interviews/{slug}-{timestamp}.md`           transcript summary
- `.omx/specs/deep-interview-{slug}.md`             execution-ready spec

Everything is rendered from the session and SPEC.md; all writes are atomic (specui.fsio).
Text from the user is data: it is written as Markdown text, never interpreted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from specui.core.ambiguity import DIMENSION_TITLES, weights_for
from specui.core.fsio import atomic_write_text
from specui.core.paths import Project
from specui.engines.bank import UNIT_SECTION
from specui.engines.drafting import item_answered, item_value
from specui.store import InterviewState


def slugify(text: str, fallback: str = "project") -> str:
    """A short task slug: lowercase ascii words joined by '-', at most 48 chars."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    slug = "-".join(words)[:48].strip("-")
    return slug or fallback


def utc_stamp(now: datetime | None = None) -> str:
    """`YYYYMMDDTHHMMSSZ` in UTC (seed 004's snapshot timestamp)."""
    now = now or datetime.now(UTC)
    return now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def latest_snapshot(project: Project, slug: str) -> Path | None:
    """The newest `.omx/context/{slug}-*.md` (seed 004 Phase 0 reuses it when present)."""
    folder = project.omx_context
    if not folder.is_dir():
        return None
    pattern = re.compile(re.escape(slug) + r"-\d{8}T\d{6}Z\.md$")
    found = sorted(p for p in folder.iterdir() if pattern.match(p.name))
    return found[-1] if found else None


def _md(text: str | None, empty: str = "(not stated yet)") -> str:
    """User text as Markdown body lines (never empty)."""
    if text is None or not str(text).strip():
        return empty
    return str(text).strip()


def write_context_snapshot(
    project: Project,
    *,
    slug: str,
    kind: str,
    stack_summary: str,
    code_files: Sequence[str],
    docs: Sequence[str],
    now: datetime | None = None,
) -> Path:
    """Phase 0's minimum context snapshot; returns its path."""
    path = project.omx_context / f"{slug}-{utc_stamp(now)}.md"
    files = "\n".join(f"- `{f}`" for f in code_files) or "- none (greenfield)"
    doc_lines = "\n".join(f"- `{d}`" for d in docs) or "- none found"
    text = f"""# Context snapshot: {slug}

- Created: {utc_stamp(now)}
- Context type: {kind}
- Prompt-safe initial-context summary status: not_needed

## Task statement
Build an authoritative SPEC.md for `{project.root.name}` through a deep interview.

## Desired outcome
A SPEC.md whose sections are clarified and finalized, plus an execution-ready deep-interview spec.

## Stated solution
(not stated yet: asked in round 1)

## Probable intent hypothesis
(unknown until the overview is given)

## Known facts / evidence
- SPEC.md: `{project.relative(project.spec)}`
- stack.toml: {stack_summary or "(not readable)"}

## Constraints
- Stack as drafted in stack.toml (to be confirmed by the user)

## Unknowns / open questions
- Intent, outcome, scope, non-goals, decision boundaries, constraints, success criteria

## Decision-boundary unknowns
- What the implementer may decide without confirmation

## Likely codebase touchpoints
{files}

## Relevant repo docs/rules/context inspected
{doc_lines}

## Terminology or doc/code conflicts found
- none recorded yet
"""
    atomic_write_text(path, text)
    return path


def _clarity_table(interview: InterviewState) -> str:
    weights = weights_for(interview.type)
    rows = [
        "| Dimension | Weight | Score | Weighted | Justification | Gap |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for dim, weight in weights.items():
        ds = interview.dimensions.get(dim)
        score = ds.score if ds else 0.0
        rows.append(
            f"| {DIMENSION_TITLES.get(dim, dim)} | {weight:.2f} | {score:.2f} | "
            f"{weight * score:.3f} | {_cell(ds.justification if ds else '')} | "
            f"{_cell(ds.gap if ds else '')} |"
        )
    rows.append(
        f"| **Ambiguity** | | | **{interview.ambiguity:.1%}** | threshold "
        f"{interview.threshold:.0%} | |"
    )
    return "\n".join(rows)


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _items(bodies: Mapping[str, str | None], *targets: tuple[str, str]) -> str:
    lines = []
    for unit, label in targets:
        body = bodies.get(UNIT_SECTION[unit])
        value = item_value(body, label)
        if value and item_answered(body, label):
            text = value.replace("\n", "\n  ")
            lines.append(f"- **{label}**: {text}")
    return "\n".join(lines) or "- (not clarified)"


def _gates(interview: InterviewState) -> str:
    g = interview.gates
    mark = {True: "met", False: "NOT met"}
    return "\n".join(
        [
            f"- Non-goals: {mark[g.non_goals]}",
            f"- Decision Boundaries: {mark[g.decision_boundaries]}",
            f"- Pressure pass: {mark[g.pressure_pass]}",
            f"- Closure audit: {mark[g.closure_audit]}",
        ]
    )


def _transcript(interview: InterviewState, condensed: bool) -> str:
    out = []
    for r in interview.rounds:
        answer = r.answer.summary()
        if condensed and len(answer) > 300:
            answer = answer[:297] + "..."
        title = DIMENSION_TITLES.get(r.dimension, r.dimension)
        out.append(
            f"### Round {r.n} | Target: {title} | kind: {r.kind} | Ambiguity after: "
            f"{r.ambiguity:.0%}\n\n**Q:** {r.question.question}\n\n**A:** {answer}\n"
        )
    return "\n".join(out) or "(no rounds)"


def write_interview_artifacts(
    project: Project,
    interview: InterviewState,
    bodies: Mapping[str, str | None],
    *,
    residual_risk: str | None,
    context_path: str | None,
    pressure_findings: str,
    now: datetime | None = None,
) -> dict[str, str]:
    """Write the transcript and the deep-interview spec; returns {name: project-relative path}."""
    stamp = utc_stamp(now)
    slug = interview.slug or "project"
    transcript_path = project.omx_interviews / f"{slug}-{stamp}.md"
    spec_path = project.omx_specs / f"deep-interview-{slug}.md"
    n_rounds = len(interview.rounds)
    meta = (
        f"- Profile: {interview.profile}\n"
        f"- Rounds: {n_rounds}\n"
        f"- Final ambiguity: {interview.ambiguity:.1%}\n"
        f"- Threshold: {interview.threshold:.0%}\n"
        f"- Context type: {interview.type}\n"
        f"- Status: {interview.status}\n"
        f"- Context snapshot: {context_path or '(none)'}\n"
        f"- Interview id: {interview.id}"
    )
    risk = (
        f"\n## Residual risk\n\n**Warning:** {residual_risk}\n"
        "Downstream work inherits a partially clarified brief.\n"
        if residual_risk
        else ""
    )
    transcript = f"""# Deep interview transcript: {slug}

{meta}
{risk}
## Rounds

{_transcript(interview, condensed=False)}
"""
    spec = f"""# Deep interview spec: {slug}

## Metadata

{meta}
{risk}
## Clarity breakdown

{_clarity_table(interview)}

## Readiness gates

{_gates(interview)}

## Intent

{
        _items(
            bodies,
            ("vision", "Problem & Outcome"),
            ("vision", "Primary Driver"),
            ("vision", "Essence"),
        )
    }

## Desired outcome

{
        _items(
            bodies,
            ("vision", "Success Metrics"),
            ("vision", "Target Users"),
            ("personas", "Top Use Cases"),
        )
    }

## In-scope

{_items(bodies, ("scope", "In-scope"), ("milestones", "Phase 1..N"))}

## Out-of-scope / Non-goals

{_items(bodies, ("scope", "Out-of-scope"))}

## Decision boundaries

{_items(bodies, ("scope", "Decision Boundaries"))}

## Constraints

{
        _items(
            bodies,
            ("deployment", "Stack"),
            ("nfr", "Performance"),
            ("nfr", "Reliability"),
            ("nfr", "Scalability"),
            ("security", "Security & Privacy"),
            ("nfr", "Compliance"),
        )
    }

## Testable acceptance criteria

{
        _items(
            bodies,
            ("acceptance", "User acceptance"),
            ("acceptance", "QA plan"),
            ("acceptance", "Automation"),
        )
    }

## Assumptions exposed + resolutions

{_items(bodies, ("risks", "Assumptions"), ("risks", "Alternatives considered"))}

## Pressure-pass findings

{_md(pressure_findings, "- no pressure pass happened")}

## Brownfield context

{
        _items(
            bodies,
            ("scope", "Existing Code"),
            ("scope", "Touchpoints"),
            ("terminology", "Glossary"),
        )
        if interview.type == "brownfield"
        else "- greenfield"
    }

## Condensed transcript

{_transcript(interview, condensed=True)}
"""
    atomic_write_text(transcript_path, transcript)
    atomic_write_text(spec_path, spec)
    return {
        "transcript": project.relative(transcript_path),
        "spec": project.relative(spec_path),
    }
