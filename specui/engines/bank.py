"""The offline interviewer's question bank (seed 000 §5 as the menu, seed 004's payload shapes).

Each `BankEntry` is one question plus everything needed to act on its answer:
- `targets`: the (unit, bullet label) items of SPEC.md it answers. The entry is skipped when all
  of them already hold real content in SPEC.md (read fresh each time, so a hand edit counts).
- `dimension`: the seed 004 clarity dimension it informs (or the unit it completes, for the
  post-crystallization completion pass).
- `render`: produces the WHOLE new body of every touched section, replacing only the placeholder
  bullets it answers and keeping every other line as it was.
- `resolves`: the Open Questions (§17) item the answer resolves.

Options are written as small "packages" where a standard answer exists (a performance tier, a
test pyramid): one choice then fills every bullet of the section with concrete, reviewable text,
so a section can reach `clarified` in one humane round. single- vs multi-answerable follows seed
004 (§2b): mutually exclusive decisions are single; sets of coexisting non-goals, metrics, checks
are multi. `allow_other` stays true where the user may know something we cannot enumerate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from specui.core.questions import Answer, Question, QuestionOption
from specui.engines.drafting import (
    item_answered,
    item_value,
    join_values,
    set_item,
)

# Tracked unit -> canonical section key. Every unit is its own section except Security & Privacy,
# which is an item inside the NFR section (contract: TRACKED_UNITS).
UNIT_SECTION: dict[str, str] = {
    "vision": "vision",
    "scope": "scope",
    "personas": "personas",
    "domain": "domain",
    "interfaces": "interfaces",
    "workflows": "workflows",
    "states": "states",
    "data": "data",
    "nfr": "nfr",
    "security": "nfr",
    "integrations": "integrations",
    "deployment": "deployment",
    "observability": "observability",
    "risks": "risks",
    "acceptance": "acceptance",
    "milestones": "milestones",
    "terminology": "terminology",
    "open_questions": "open_questions",
}

# Canonical section number of each section key (for re-creating a missing section's template).
SECTION_NUMBER: dict[str, int] = {
    key: n
    for n, key in enumerate(
        [
            "vision",
            "scope",
            "personas",
            "domain",
            "interfaces",
            "workflows",
            "states",
            "data",
            "nfr",
            "integrations",
            "deployment",
            "observability",
            "risks",
            "acceptance",
            "milestones",
            "terminology",
            "open_questions",
        ],
        start=1,
    )
}

Stage = Literal["intent-first", "feasibility", "brownfield-context", "special", "completion"]
Target = tuple[str, str]  # (unit key, bullet label)


class _SafeFormat(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(frozen=True)
class BankContext:
    """Facts the interviewer knows when it phrases a question or renders an answer."""

    claim: str = ""  # the overview's core claim (round 1)
    stack: str = ""  # one-line summary of stack.toml
    files: str = ""  # brownfield: a few detected code files
    project: str = ""

    @property
    def claim_short(self) -> str:
        text = " ".join(self.claim.split()).rstrip(".!?;: ")
        return text if len(text) <= 120 else text[:117].rstrip() + "..."

    def fmt(self, template: str) -> str:
        return template.format_map(
            _SafeFormat(
                claim=self.claim_short or "the problem stated in the overview",
                claim_short=self.claim_short or "the overview's core claim",
                stack=self.stack or "(stack.toml not readable)",
                files=self.files or "existing files",
                project=self.project or "this project",
            )
        )


@dataclass(frozen=True)
class Choice:
    """One option. `fills`: bullet label -> text written to SPEC.md when it is chosen."""

    label: str
    value: str
    description: str
    fills: Mapping[str, str] = field(default_factory=dict)
    recommended: bool = False
    open_question: str = ""  # added to §17 when chosen (deferred decisions, assumptions)


@dataclass(frozen=True)
class BankEntry:
    key: str
    dimension: str
    stage: Stage
    prompt: str
    targets: tuple[Target, ...]
    resolves: str = ""
    choices: tuple[Choice, ...] = ()
    multi: bool = False
    allow_other: bool = True
    kind: str = "ordinary"
    join_format: str = "{items}"  # how a multi answer's chosen texts become one bullet value
    text_format: str = "{text}"  # how free/Other text becomes a bullet value
    defaults: Mapping[str, str] = field(default_factory=dict)  # unchosen targets (multi/package)
    append: bool = False  # add to the bullet instead of replacing it (shared bullets like §13)
    material: bool = True  # informs a weighted dimension (counts for the closure audit)
    brownfield_only: bool = False
    skip_when_answered: bool = True

    # ----------------------------------------------------------------- the question
    @property
    def units(self) -> tuple[str, ...]:
        seen: list[str] = []
        for unit, _ in self.targets:
            if unit not in seen:
                seen.append(unit)
        return tuple(seen)

    @property
    def sections(self) -> tuple[str, ...]:
        seen: list[str] = []
        for unit, _ in self.targets:
            sec = UNIT_SECTION[unit]
            if sec not in seen:
                seen.append(sec)
        return tuple(seen)

    def question(self, ctx: BankContext) -> Question:
        options = [
            QuestionOption(
                label=c.label,
                value=c.value,
                description=ctx.fmt(c.description),
                recommended=c.recommended,
            )
            for c in self.choices
        ]
        return Question(
            question=ctx.fmt(self.prompt),
            type="multi-answerable" if self.multi else "single-answerable",
            options=options,
            allow_other=self.allow_other if options else True,
            source="specui-builtin",
        )

    def answered(self, bodies: Mapping[str, str | None]) -> bool:
        """True when every target bullet already holds real content (skip this entry)."""
        return all(
            item_answered(bodies.get(UNIT_SECTION[unit]), label) for unit, label in self.targets
        )

    # ----------------------------------------------------------------- the answer
    def chosen(self, answer: Answer) -> tuple[list[Choice], str | None]:
        """The chosen bank choices and any typed text (Other or free text)."""
        by_value = {c.value: c for c in self.choices}
        if answer.kind == "text" or answer.kind == "other":
            text = answer.value if isinstance(answer.value, str) else "; ".join(answer.value)
            return [], text
        values = list(answer.selected_values) or (
            [answer.value] if isinstance(answer.value, str) else list(answer.value)
        )
        picked = [by_value[v] for v in values if v in by_value]
        return picked, answer.other_text

    def fills(self, answer: Answer, ctx: BankContext) -> dict[Target, str]:
        """(unit, label) -> new bullet text for this answer (before merging into sections)."""
        picked, text = self.chosen(answer)
        out: dict[Target, str] = {}
        labels = [label for _, label in self.targets]
        unit_of = {label: unit for unit, label in self.targets}
        if picked:
            per_label: dict[str, list[str]] = {}
            for c in picked:
                for label, t in c.fills.items():
                    per_label.setdefault(label, []).append(ctx.fmt(t))
            if text:
                per_label.setdefault(labels[0], []).append(
                    ctx.fmt(self.text_format).replace("{text}", text)
                    if "{text}" in self.text_format
                    else text
                )
            for label in labels:
                parts = per_label.get(label)
                if parts:
                    joined = join_values(parts)
                    if self.multi:
                        joined = self.join_format.replace("{items}", joined)
                    out[(unit_of[label], label)] = joined
                elif label in self.defaults:
                    out[(unit_of[label], label)] = ctx.fmt(self.defaults[label])
        elif text:
            value = self.text_format.replace("{text}", text)
            if self.multi:
                value = self.join_format.replace("{items}", value)
            out[self.targets[0]] = value
        return out

    def open_questions(self, answer: Answer, ctx: BankContext) -> list[str]:
        picked, _ = self.chosen(answer)
        return [ctx.fmt(c.open_question) for c in picked if c.open_question]

    def render(
        self,
        bodies: Mapping[str, str | None],
        answer: Answer,
        ctx: BankContext,
        newline: str = "\n",
    ) -> dict[str, str]:
        """The WHOLE new body of each section this answer touches.

        Bullets that already hold real content are kept (never overwritten) unless this entry
        appends to a shared bullet; typed text that would land on a kept bullet is appended so
        nothing the user typed is dropped.
        """
        out: dict[str, str] = {}
        fills = self.fills(answer, ctx)
        picked, text = self.chosen(answer)
        for (unit, label), value in fills.items():
            sec = UNIT_SECTION[unit]
            body = out.get(sec, bodies.get(sec) or "")
            current = item_value(body, label)
            answered = item_answered(body, label)
            if answered and self.append and current:
                value = f"{current}\n{value}"
            elif answered and not self.append:
                typed_here = bool(text) and (not picked or label == self.targets[0][1])
                if not typed_here:
                    continue  # a real answer is already there: keep it
                value = f"{current}\n{value}" if current else value
            out[sec] = set_item(body, label, value, newline)
        return out


def _c(
    label: str,
    value: str,
    description: str,
    fills: Mapping[str, str] | str = "",
    target: str = "",
    recommended: bool = False,
    open_question: str = "",
) -> Choice:
    if isinstance(fills, str):
        fills = {target: fills or label} if target else {}
    return Choice(label, value, description, dict(fills), recommended, open_question)


# ============================================================================ stage 1: intent-first

NON_GOALS = BankEntry(
    key="scope.non_goals",
    kind="non_goals",
    dimension="scope",
    stage="intent-first",
    multi=True,
    prompt="Which of these are explicitly OUT of scope for v1? (choose all that apply)",
    targets=(("scope", "Out-of-scope"),),
    resolves="What is explicitly out of scope for v1 (non-goals)?",
    join_format="Not in v1: {items}",
    choices=tuple(
        _c(label, value, desc, target="Out-of-scope")
        for label, value, desc in [
            ("Native mobile apps", "mobile", "No iOS/Android apps; the web/terminal is enough"),
            ("Multi-tenant / organisations", "multi-tenant", "One team or user per install"),
            ("Payments & billing", "billing", "No pricing, invoices or card handling"),
            ("Admin back-office", "admin", "Operators use the database or scripts directly"),
            ("Offline mode", "offline", "A network connection is assumed"),
            ("Public API for third parties", "public-api", "No stable external API contract yet"),
            ("Internationalisation", "i18n", "One language and locale"),
            ("Migration of legacy data", "legacy-migration", "Start with empty data"),
        ]
    ),
)

DECISION_BOUNDARIES = BankEntry(
    key="scope.decision_boundaries",
    kind="decision_boundaries",
    dimension="scope",
    stage="intent-first",
    multi=True,
    prompt="Which decisions may the implementer make WITHOUT asking you first?",
    targets=(("scope", "Decision Boundaries"),),
    resolves="Which decisions may the implementer take without confirmation?",
    join_format=(
        "Implementer may decide without confirmation: {items}. Everything else (scope, public "
        "interfaces, data retention, security model, paid services) needs the owner's confirmation"
    ),
    choices=(
        _c(
            "Libraries & dependencies",
            "dependencies",
            "Pick libraries within the stack.toml stack",
            target="Decision Boundaries",
            fills="library and dependency choices within stack.toml",
        ),
        _c(
            "Code structure & naming",
            "structure",
            "Module layout, internal APIs, naming",
            target="Decision Boundaries",
            fills="internal code structure, module layout and naming",
            recommended=True,
        ),
        _c(
            "Database schema details",
            "schema",
            "Tables, columns and indexes behind the model",
            target="Decision Boundaries",
            fills="database schema details (tables, indexes)",
        ),
        _c(
            "UI layout & copy",
            "ui-details",
            "Layout, styling and wording of screens",
            target="Decision Boundaries",
            fills="UI layout, styling and copy details",
        ),
        _c(
            "Test tooling",
            "tests",
            "Test frameworks, fixtures, CI test layout",
            target="Decision Boundaries",
            fills="test tooling and test structure",
        ),
    ),
)

METRICS = BankEntry(
    key="vision.metrics",
    dimension="outcome",
    stage="intent-first",
    multi=True,
    prompt="What does success look like 90 days after launch? (choose the metrics that must hold)",
    targets=(("vision", "Success Metrics"),),
    resolves="What does success look like in 90 days (success metrics)?",
    join_format="90-day success: {items}",
    choices=(
        _c(
            "Adoption",
            "adoption",
            "Target users actually use it every week",
            target="Success Metrics",
            fills="most target users active weekly",
            recommended=True,
        ),
        _c(
            "Time saved",
            "time-saved",
            "The top task takes clearly less time than today",
            target="Success Metrics",
            fills="top task takes at least 50% less time than today",
        ),
        _c(
            "Task completion",
            "completion",
            "Users finish the top task without help",
            target="Success Metrics",
            fills="90% of top-task attempts complete without help",
        ),
        _c(
            "Reliability",
            "reliability",
            "It works every time people rely on it",
            target="Success Metrics",
            fills="no data loss; error rate under 1% of requests",
        ),
        _c(
            "Revenue / conversion",
            "revenue",
            "It pays for itself or converts trials",
            target="Success Metrics",
            fills="paying conversion from trial is tracked and growing",
        ),
        _c(
            "Satisfaction",
            "satisfaction",
            "Users say they would miss it (NPS/CSAT)",
            target="Success Metrics",
            fills="user satisfaction (CSAT) of 4/5 or better",
        ),
    ),
)

DRIVER = BankEntry(
    key="vision.driver",
    dimension="intent",
    stage="intent-first",
    prompt="Why build this now? Which one driver matters most?",
    targets=(("vision", "Primary Driver"),),
    resolves="What is the primary driver (why now)?",
    choices=(
        _c(
            "Replace a painful manual process",
            "manual",
            "People do it by hand today",
            target="Primary Driver",
            fills="replace a painful manual process",
        ),
        _c(
            "Unlock a new capability",
            "capability",
            "Users cannot do this at all today",
            target="Primary Driver",
            fills="unlock a capability users do not have today",
        ),
        _c(
            "Cut cost or time",
            "cost",
            "An existing workflow is too slow or expensive",
            target="Primary Driver",
            fills="cut the cost and time of an existing workflow",
        ),
        _c(
            "External requirement",
            "external",
            "A customer, regulation or deadline demands it",
            target="Primary Driver",
            fills="meet an external requirement (customer/regulation)",
        ),
        _c(
            "Learning / experiment",
            "experiment",
            "An internal experiment or learning project",
            target="Primary Driver",
            fills="learning project / internal experiment",
        ),
    ),
)

USERS = BankEntry(
    key="personas.users",
    dimension="outcome",
    stage="intent-first",
    prompt="Who are the primary users, and what is the top job-to-be-done for each?",
    targets=(("vision", "Target Users"), ("personas", "Personas")),
    resolves="Who are the primary users and their top job-to-be-done?",
)

USE_CASES = BankEntry(
    key="personas.use_cases",
    dimension="outcome",
    stage="intent-first",
    prompt="What are the top 3 tasks users must complete without friction?",
    targets=(("personas", "Top Use Cases"),),
    resolves="What are the top 3 tasks users must complete without friction?",
)

IN_SCOPE = BankEntry(
    key="scope.in_scope",
    dimension="scope",
    stage="intent-first",
    prompt="What must v1 build? List the must-have capabilities.",
    targets=(("scope", "In-scope"),),
    resolves="What must v1 build (must-have capabilities)?",
)

# ============================================================================ stage 2: feasibility

STACK = BankEntry(
    key="deployment.stack",
    dimension="constraints",
    stage="feasibility",
    prompt="stack.toml currently says: {stack}. Is that the stack to build on?",
    targets=(("deployment", "Stack"),),
    resolves="Is the stack in stack.toml confirmed?",
    choices=(
        _c(
            "Yes, as written",
            "confirmed",
            "Build on stack.toml exactly",
            target="Stack",
            fills="confirmed (stack.toml): {stack}",
            recommended=True,
        ),
        _c(
            "Mostly; some choices open",
            "partly-open",
            "Confirm the rest before planning",
            target="Stack",
            fills="stack.toml draft, partly open: {stack}",
            open_question="Which stack.toml choices are still open?",
        ),
        _c(
            "Implementer decides",
            "implementer",
            "Any sensible stack within the boundaries",
            target="Stack",
            fills="not fixed; the implementer may choose (stack.toml draft: {stack})",
        ),
    ),
)

_PERF = ("Performance", "Scalability", "Reliability")
PERFORMANCE = BankEntry(
    key="nfr.performance",
    dimension="constraints",
    stage="feasibility",
    prompt="Which load and reliability profile should v1 be built for?",
    targets=tuple(("nfr", label) for label in _PERF),
    resolves="What are the performance, scalability and uptime targets?",
    choices=(
        _c(
            "Small",
            "small",
            "A handful of users; best effort",
            fills={
                "Performance": "p95 < 500 ms for interactive actions; tens of users",
                "Scalability": "single instance; scale vertically if needed",
                "Reliability": "best effort; daily backups, restore tested once",
            },
        ),
        _c(
            "Standard web",
            "standard",
            "Hundreds of concurrent users; 99.9% uptime",
            recommended=True,
            fills={
                "Performance": "p95 < 300 ms for interactive actions; hundreds of concurrent users",
                "Scalability": "stateless app servers scaled horizontally behind a load balancer",
                "Reliability": "99.9% monthly uptime; daily backups; RPO 24 h, RTO 4 h",
            },
        ),
        _c(
            "High scale",
            "high",
            "10k+ concurrent users; 99.95% uptime",
            fills={
                "Performance": "p95 < 200 ms; 10k+ concurrent users at peak",
                "Scalability": "horizontal autoscaling, read replicas, caching of hot reads",
                "Reliability": "99.95% uptime, multi-AZ; RPO 15 min, RTO 1 h",
            },
        ),
        _c(
            "Batch / offline jobs",
            "batch",
            "Throughput over latency",
            fills={
                "Performance": "throughput over latency: each job finishes within its window",
                "Scalability": "scale workers by queue depth",
                "Reliability": "jobs are retried and resumable; no lost work",
            },
        ),
    ),
)

SECURITY = BankEntry(
    key="nfr.security",
    dimension="constraints",
    stage="feasibility",
    prompt="Which authentication and authorization model should v1 use?",
    targets=(("security", "Security & Privacy"),),
    resolves="Which auth model (authN/authZ) and PII handling?",
    choices=tuple(
        _c(
            label,
            value,
            desc,
            target="Security & Privacy",
            recommended=rec,
            fills=(
                f"{text}; secrets in a secret store, never in the repo; TLS in transit and "
                "encryption at rest; PII minimised and redacted from logs"
            ),
        )
        for label, value, desc, text, rec in [
            (
                "OAuth2/OIDC + roles",
                "oauth-rbac",
                "Sign-in via an identity provider, RBAC",
                "OAuth2/OIDC sign-in with role-based access control",
                True,
            ),
            (
                "Email + password",
                "sessions",
                "Own accounts with server-side sessions",
                "email + password accounts with server-side sessions",
                False,
            ),
            (
                "API keys / tokens",
                "tokens",
                "Machine clients with scoped tokens",
                "scoped API tokens for machine clients",
                False,
            ),
            (
                "No auth (local tool)",
                "none",
                "Single user on their own machine",
                "no authentication: local single-user tool",
                False,
            ),
        ]
    ),
)

ACCEPTANCE = BankEntry(
    key="acceptance.criteria",
    dimension="success",
    stage="feasibility",
    multi=True,
    prompt="Which checks must pass before v1 is released? (choose all that apply)",
    targets=(("acceptance", "User acceptance"),),
    resolves="Which user-acceptance scenarios must pass before release?",
    join_format="Release gate, all must pass: {items}",
    choices=(
        _c(
            "Primary use case end to end",
            "primary-flow",
            "Scripted walk-through passes",
            target="User acceptance",
            fills="the primary use case works end to end",
            recommended=True,
        ),
        _c(
            "Onboarding",
            "onboarding",
            "A new user gets to value unaided",
            target="User acceptance",
            fills="a new user reaches first value without help",
        ),
        _c(
            "Error handling",
            "errors",
            "Errors are clear; no typed input is lost",
            target="User acceptance",
            fills="errors are explained and no typed input is lost",
        ),
        _c(
            "Performance targets",
            "performance",
            "The §9 targets are measured and met",
            target="User acceptance",
            fills="the §9 performance targets are measured and met",
        ),
        _c(
            "Accessibility",
            "a11y",
            "Keyboard-only use, contrast, screen readers",
            target="User acceptance",
            fills="keyboard-only use and contrast checks pass",
        ),
        _c(
            "Security review",
            "security",
            "Auth and data handling reviewed",
            target="User acceptance",
            fills="auth and data handling pass a security review",
        ),
    ),
)

_TESTS = ("QA plan", "Automation")
TESTS = BankEntry(
    key="acceptance.tests",
    dimension="success",
    stage="feasibility",
    prompt="Which test strategy should prove it works?",
    targets=tuple(("acceptance", label) for label in _TESTS),
    resolves="What are the test pyramid targets (unit/integration/e2e)?",
    choices=(
        _c(
            "Test pyramid",
            "pyramid",
            "70/20/10 unit/integration/e2e, 80% core coverage",
            recommended=True,
            fills={
                "QA plan": "test pyramid 70/20/10 (unit/integration/e2e); 80% line coverage of "
                "core logic",
                "Automation": "unit + integration tests in CI on every push; e2e on release",
            },
        ),
        _c(
            "Balanced",
            "balanced",
            "50/30/20 with contract tests at the edges",
            fills={
                "QA plan": "50/30/20 (unit/integration/e2e); contract tests for every interface",
                "Automation": "all suites in CI on every push",
            },
        ),
        _c(
            "E2E-first",
            "e2e-first",
            "Critical flows covered end to end first",
            fills={
                "QA plan": "end-to-end tests for every critical flow first, unit tests for logic",
                "Automation": "e2e suite gates every merge",
            },
        ),
        _c(
            "Smoke tests only",
            "smoke",
            "Minimal: a smoke suite for the happy path",
            fills={
                "QA plan": "smoke tests of the happy path only (risk accepted for v1)",
                "Automation": "smoke suite in CI",
            },
        ),
    ),
)

# ============================================================================ stage 3: brownfield

RELATION = BankEntry(
    key="context.relation",
    dimension="context",
    stage="brownfield-context",
    brownfield_only=True,
    prompt="This folder already holds code ({files}). How does v1 relate to it?",
    targets=(("scope", "Existing Code"),),
    resolves="How does v1 relate to the existing code?",
    choices=(
        _c(
            "Extend it",
            "extend",
            "v1 builds on the existing code",
            target="Existing Code",
            fills="v1 extends the existing code ({files})",
            recommended=True,
        ),
        _c(
            "Refactor while extending",
            "refactor",
            "Clean up the parts v1 touches",
            target="Existing Code",
            fills="v1 refactors the parts it touches ({files})",
        ),
        _c(
            "Replace it",
            "rewrite",
            "v1 is a rewrite",
            target="Existing Code",
            fills="v1 replaces the existing code ({files})",
        ),
        _c(
            "Reference only",
            "reference",
            "v1 is separate; the code is reference",
            target="Existing Code",
            fills="existing code is reference only ({files})",
        ),
    ),
)

TOUCHPOINTS = BankEntry(
    key="context.touchpoints",
    dimension="context",
    stage="brownfield-context",
    brownfield_only=True,
    prompt="Which existing modules or files will v1 change, and which must stay untouched?",
    targets=(("scope", "Touchpoints"),),
    resolves="Which existing modules will v1 touch?",
)

# ============================================================================ specials (seed 004)

PRESSURE = BankEntry(
    key="pressure.evidence",
    kind="pressure",
    dimension="intent",
    stage="special",
    append=True,
    skip_when_answered=False,
    prompt='Pressure pass on round 1: you said "{claim}". What evidence shows this is real?',
    targets=(("risks", "Assumptions"),),
    text_format="Pressure pass (round 1 claim): {text}",
    choices=(
        _c(
            "Observed it directly",
            "observed",
            "Users, support tickets or my own team hit it",
            target="Assumptions",
            fills="Pressure pass (round 1 claim): evidence observed directly (users/support)",
        ),
        _c(
            "Measured data",
            "measured",
            "Numbers show the problem (time, cost, errors)",
            target="Assumptions",
            fills="Pressure pass (round 1 claim): backed by measured data",
        ),
        _c(
            "It is an assumption",
            "assumption",
            "Plausible but not yet validated",
            target="Assumptions",
            fills="Pressure pass (round 1 claim): an unvalidated assumption; validate with first "
            "users before scaling the build",
            open_question="Validate the core assumption with first users: {claim_short}",
        ),
        _c(
            "Market signal",
            "market",
            "Competitors or requests show demand",
            target="Assumptions",
            fills="Pressure pass (round 1 claim): market/competitor signal",
        ),
    ),
)

CONTRARIAN = BankEntry(
    key="challenge.contrarian",
    kind="challenge:contrarian",
    dimension="intent",
    stage="special",
    append=True,
    skip_when_answered=False,
    prompt=(
        "Devil's advocate: people get by today with a spreadsheet, a script or an existing tool. "
        "What makes v1 worth building anyway?"
    ),
    targets=(("risks", "Alternatives considered"),),
    text_format="Contrarian check: {text}",
    choices=(
        _c(
            "Existing tools fail the core job",
            "tools-fail",
            "They cannot do the key step",
            target="Alternatives considered",
            fills="Contrarian check: existing tools and spreadsheets fail the core job; building "
            "is justified",
        ),
        _c(
            "It saves enough time or cost",
            "saves",
            "Worth it even if tools half-work",
            target="Alternatives considered",
            fills="Contrarian check: existing tools half-work; the time/cost saved justifies v1",
        ),
        _c(
            "Partly true: narrow v1",
            "narrow",
            "Build only what tools cannot do",
            target="Alternatives considered",
            fills="Contrarian check: narrow v1 to what existing tools cannot do",
            open_question="Which parts of v1 can reuse existing tools instead of new code?",
        ),
    ),
)

SIMPLIFIER = BankEntry(
    key="challenge.simplifier",
    kind="challenge:simplifier",
    dimension="scope",
    stage="special",
    skip_when_answered=False,
    append=True,
    prompt="Simplify: what is the smallest version that would still be worth shipping?",
    targets=(("milestones", "Phase 1..N"),),
    text_format="MVP boundary: {text}",
    choices=(
        _c(
            "Only the primary use case",
            "primary-only",
            "Ship the top task first, nothing else",
            target="Phase 1..N",
            recommended=True,
            fills="MVP boundary: Phase 1 ships only the primary use case end to end; later "
            "phases add the rest of the in-scope list",
        ),
        _c(
            "Primary + one secondary",
            "primary-plus",
            "The top task and its closest neighbour",
            target="Phase 1..N",
            fills="MVP boundary: Phase 1 ships the primary and one secondary use case",
        ),
        _c(
            "The whole in-scope list",
            "all",
            "v1 is already minimal",
            target="Phase 1..N",
            fills="MVP boundary: the whole in-scope list is the MVP (no smaller slice)",
        ),
    ),
)

ONTOLOGIST = BankEntry(
    key="challenge.ontologist",
    kind="challenge:ontologist",
    dimension="intent",
    stage="special",
    skip_when_answered=False,
    append=True,
    prompt="Strip away the features: in one sentence, what IS this, at its core?",
    targets=(("vision", "Essence"),),
)

TERMINOLOGIST = BankEntry(
    key="challenge.terminologist",
    kind="challenge:terminologist",
    dimension="context",
    stage="special",
    brownfield_only=True,
    skip_when_answered=False,
    append=True,
    prompt=(
        "Which terms in this project have a specific meaning (in the code or docs), and what "
        "exactly does each mean? (term: meaning, one per line)"
    ),
    targets=(("terminology", "Glossary"),),
)

# ============================================================================ completion pass

_NOT_V1 = "not in v1"
COMPLETION: tuple[BankEntry, ...] = (
    BankEntry(
        key="domain.entities",
        dimension="domain",
        stage="completion",
        material=False,
        prompt="Which entities must be persisted (first-class), with a one-line definition each?",
        targets=(("domain", "Entities"),),
        resolves="Which entities are first-class (persisted)?",
    ),
    BankEntry(
        key="domain.relationships",
        dimension="domain",
        stage="completion",
        material=False,
        prompt="How do the entities relate to each other?",
        targets=(("domain", "Relationships"),),
        choices=(
            _c(
                "Ownership tree",
                "tree",
                "Each record belongs to exactly one parent",
                target="Relationships",
                recommended=True,
                fills="ownership tree: each record belongs to one parent; deleting a parent "
                "archives its children",
            ),
            _c(
                "Many-to-many",
                "many-to-many",
                "Linked through join records",
                target="Relationships",
                fills="many-to-many links through join records, navigated from both sides",
            ),
            _c(
                "Graph of links",
                "graph",
                "Arbitrary links between records",
                target="Relationships",
                fills="graph: typed links between any two records",
            ),
        ),
    ),
    BankEntry(
        key="domain.invariants",
        dimension="domain",
        stage="completion",
        material=False,
        multi=True,
        prompt="Which global rules must always hold? (choose all that apply)",
        targets=(("domain", "Invariants & Constraints"),),
        join_format="{items}",
        choices=tuple(
            _c(label, value, desc, target="Invariants & Constraints", fills=text)
            for label, value, desc, text in [
                (
                    "Unique identifiers",
                    "unique",
                    "Names/emails unique where users expect it",
                    "identifiers and user-facing names are unique",
                ),
                (
                    "Idempotent writes",
                    "idempotent",
                    "Retries never duplicate records",
                    "writes are idempotent: retries never create duplicates",
                ),
                (
                    "Quotas / limits",
                    "quotas",
                    "Per-user or per-account limits",
                    "per-user quotas are enforced",
                ),
                (
                    "Soft deletes",
                    "soft-delete",
                    "Nothing is hard-deleted by users",
                    "records are soft-deleted and recoverable",
                ),
                (
                    "Audit trail",
                    "audit",
                    "Every change records who and when",
                    "every change records who and when",
                ),
            ]
        ),
    ),
    BankEntry(
        key="interfaces.surfaces",
        dimension="interfaces",
        stage="completion",
        material=False,
        multi=True,
        prompt="Which interfaces does v1 expose? (unchosen ones are recorded as not in v1)",
        targets=tuple(("interfaces", x) for x in ("API", "UI/UX", "CLI/Jobs", "Events")),
        defaults={x: _NOT_V1 for x in ("API", "UI/UX", "CLI/Jobs", "Events")},
        choices=(
            _c(
                "HTTP API",
                "api",
                "JSON over HTTPS",
                fills={
                    "API": "JSON over HTTPS, auth per §9, errors as {code, message}; retries only "
                    "for idempotent calls"
                },
            ),
            _c(
                "Web/desktop UI",
                "ui",
                "Screens for the top use cases",
                recommended=True,
                fills={
                    "UI/UX": "screens for the top use cases, shortest path to value first; "
                    "keyboard accessible"
                },
            ),
            _c(
                "CLI / scheduled jobs",
                "cli",
                "Commands or cron-style jobs",
                fills={"CLI/Jobs": "commands with --help and exit codes; failures alert the owner"},
            ),
            _c(
                "Events / messages",
                "events",
                "Published for other systems",
                fills={
                    "Events": "versioned event schemas; at-least-once delivery; consumers idempotent"
                },
            ),
        ),
    ),
    BankEntry(
        key="workflows.primary",
        dimension="workflows",
        stage="completion",
        material=False,
        prompt="What is the happy path of the top use case, step by step?",
        targets=(("workflows", "Primary flows"),),
        resolves="What is the happy path for the top use case?",
    ),
    BankEntry(
        key="workflows.edges",
        dimension="workflows",
        stage="completion",
        material=False,
        multi=True,
        prompt="Which edge cases must v1 handle? (choose all that apply)",
        targets=(("workflows", "Edge cases"),),
        choices=tuple(
            _c(label, value, desc, target="Edge cases", fills=text)
            for label, value, desc, text in [
                (
                    "Invalid input",
                    "invalid-input",
                    "Rejected with a clear message",
                    "invalid input is rejected with a clear message",
                ),
                (
                    "Network / third-party failure",
                    "network",
                    "Retry, then tell the user",
                    "network or third-party failure: retry with backoff, then report",
                ),
                (
                    "Concurrent edits",
                    "concurrency",
                    "Two people change the same thing",
                    "concurrent edits: last writer is warned; nothing is silently lost",
                ),
                (
                    "Partial failure",
                    "partial",
                    "A multi-step process stops midway",
                    "partial failure mid-process resumes or compensates",
                ),
                (
                    "Permission denied",
                    "permission",
                    "Users see only what they may",
                    "permission denied is explained without leaking data",
                ),
            ]
        ),
    ),
    BankEntry(
        key="states.machine",
        dimension="states",
        stage="completion",
        material=False,
        prompt="Do records have a lifecycle with guarded or irreversible transitions?",
        targets=(("states", "State machine(s)"),),
        choices=(
            _c(
                "Draft, active, archived",
                "lifecycle",
                "Archive is reversible, delete is not",
                target="State machine(s)",
                recommended=True,
                fills="draft -> active -> archived; archived -> active allowed; delete only "
                "from archived and irreversible",
            ),
            _c(
                "With an approval step",
                "approval",
                "A reviewer must approve a transition",
                target="State machine(s)",
                fills="draft -> pending approval -> approved/rejected; approval is irreversible",
            ),
            _c(
                "No meaningful states",
                "none",
                "Records are simply created and edited",
                target="State machine(s)",
                fills="no lifecycle beyond create/edit/delete",
            ),
        ),
    ),
    BankEntry(
        key="data.storage",
        dimension="data",
        stage="completion",
        material=False,
        prompt="How should data be stored and validated?",
        targets=(("data", "Storage"), ("data", "Validation")),
        choices=(
            _c(
                "Relational (stack.toml)",
                "relational",
                "One schema in the primary datastore",
                recommended=True,
                fills={
                    "Storage": "one relational schema in the stack.toml datastore; indexes on "
                    "lookup and foreign keys",
                    "Validation": "required fields and formats validated at the boundary and "
                    "enforced by constraints",
                },
            ),
            _c(
                "Document store",
                "documents",
                "One document per aggregate",
                fills={
                    "Storage": "one document per aggregate; indexes on query fields",
                    "Validation": "schema validation on write",
                },
            ),
            _c(
                "Files only",
                "files",
                "Plain files, no database",
                fills={
                    "Storage": "plain files in the project directory, written atomically",
                    "Validation": "files are parsed and validated on read with clear errors",
                },
            ),
        ),
    ),
    BankEntry(
        key="data.migrations",
        dimension="data",
        stage="completion",
        material=False,
        prompt="How should schema changes be rolled out?",
        targets=(("data", "Migration Plan"),),
        choices=(
            _c(
                "Versioned migrations",
                "versioned",
                "Forward-only, tool from stack.toml",
                target="Migration Plan",
                recommended=True,
                fills="versioned, forward-only migrations (tool per stack.toml); backfills as "
                "separate jobs",
            ),
            _c(
                "Rebuild allowed",
                "rebuild",
                "Early v1: data may be recreated",
                target="Migration Plan",
                fills="no migrations before v1: schema may be rebuilt; versioned from v1 on",
            ),
            _c(
                "Schema version field",
                "version-field",
                "Readers upgrade old records",
                target="Migration Plan",
                fills="each record carries a schema version; readers upgrade old versions",
            ),
        ),
    ),
    BankEntry(
        key="nfr.compliance",
        dimension="nfr",
        stage="completion",
        material=False,
        multi=True,
        prompt="Which compliance regimes apply? (choose all that apply)",
        targets=(("nfr", "Compliance"),),
        choices=tuple(
            _c(label, value, desc, target="Compliance", fills=text, recommended=rec)
            for label, value, desc, text, rec in [
                (
                    "None known",
                    "none",
                    "No regulated data",
                    "none known; revisit if personal or payment data enters scope",
                    True,
                ),
                (
                    "GDPR / CCPA",
                    "privacy",
                    "Personal data of EU/CA residents",
                    "GDPR/CCPA: consent, export and deletion on request",
                    False,
                ),
                ("HIPAA", "hipaa", "Health data", "HIPAA: PHI access logged and encrypted", False),
                (
                    "PCI-DSS",
                    "pci",
                    "Card data",
                    "PCI-DSS: card data never stored (processor)",
                    False,
                ),
                (
                    "SOC 2",
                    "soc2",
                    "Customer security audits",
                    "SOC 2 controls and audit logs",
                    False,
                ),
            ]
        ),
    ),
    BankEntry(
        key="integrations.thirdparty",
        dimension="integrations",
        stage="completion",
        material=False,
        prompt="Which third-party services does v1 depend on?",
        targets=(("integrations", "Third-parties"), ("integrations", "Webhooks")),
        choices=(
            _c(
                "None",
                "none",
                "Self-contained v1",
                recommended=True,
                fills={"Third-parties": "none in v1", "Webhooks": "none in v1"},
            ),
            _c(
                "A few APIs",
                "apis",
                "e.g. email, storage, identity provider",
                fills={
                    "Third-parties": "a few APIs (email, storage, identity); respect quotas; degrade "
                    "gracefully and queue work on outage",
                    "Webhooks": "none in v1",
                },
            ),
            _c(
                "APIs + webhooks",
                "webhooks",
                "We call APIs and receive webhooks",
                fills={
                    "Third-parties": "APIs with quotas respected; retry with backoff on outage",
                    "Webhooks": "signed (HMAC) webhooks verified on receipt; retries with exponential "
                    "backoff; handlers idempotent",
                },
            ),
        ),
    ),
    BankEntry(
        key="deployment.envs",
        dimension="deployment",
        stage="completion",
        material=False,
        prompt="Which environments and release process does v1 need?",
        targets=tuple(("deployment", x) for x in ("Envs", "CI/CD", "Config & Secrets")),
        choices=(
            _c(
                "dev + prod",
                "dev-prod",
                "Simple: local dev and one production",
                fills={
                    "Envs": "local dev and production",
                    "CI/CD": "CI runs tests on every push; deploy to prod on main",
                    "Config & Secrets": "environment variables; secrets from the host's secret store",
                },
            ),
            _c(
                "dev + staging + prod",
                "staging",
                "Staging mirrors prod",
                recommended=True,
                fills={
                    "Envs": "dev, staging and prod with prod parity in staging",
                    "CI/CD": "CI tests every push; main deploys to staging; tagged releases to "
                    "prod",
                    "Config & Secrets": "config per environment; secrets in a managed vault/KMS",
                },
            ),
            _c(
                "Local tool only",
                "local",
                "Installed by users, no servers",
                fills={
                    "Envs": "users' machines only",
                    "CI/CD": "CI tests every push; releases are tagged packages",
                    "Config & Secrets": "a user config file; no secrets stored",
                },
            ),
        ),
    ),
    BankEntry(
        key="observability.stack",
        dimension="observability",
        stage="completion",
        material=False,
        prompt="How much observability does v1 need?",
        targets=tuple(("observability", x) for x in ("Logging", "Metrics", "Tracing")),
        choices=(
            _c(
                "Basic",
                "basic",
                "Structured logs and a few metrics",
                fills={
                    "Logging": "structured JSON logs; PII and secrets redacted",
                    "Metrics": "request count, error rate, latency; one dashboard",
                    "Tracing": "none in v1",
                },
            ),
            _c(
                "Full",
                "full",
                "Logs, metrics, traces (OpenTelemetry)",
                recommended=True,
                fills={
                    "Logging": "structured JSON logs with request ids; PII and secrets redacted",
                    "Metrics": "RED metrics plus the §1 success metrics on a dashboard; alerts page "
                    "the owner",
                    "Tracing": "OpenTelemetry spans across services, context propagated",
                },
            ),
            _c(
                "Local tool",
                "local",
                "Logs to a file the user can share",
                fills={
                    "Logging": "log file in the user's state directory; no PII",
                    "Metrics": "none (no telemetry)",
                    "Tracing": "none",
                },
            ),
        ),
    ),
    BankEntry(
        key="risks.known",
        dimension="risks",
        stage="completion",
        material=False,
        multi=True,
        prompt="Which risks are the most likely to hurt this project? (choose all that apply)",
        targets=(("risks", "Known risks"),),
        choices=tuple(
            _c(label, value, desc, target="Known risks", fills=text)
            for label, value, desc, text in [
                (
                    "Adoption",
                    "adoption",
                    "People keep their old way of working",
                    "low adoption (mitigation: ship the primary use case early, measure usage)",
                ),
                (
                    "Scope creep",
                    "scope",
                    "v1 keeps growing",
                    "scope creep (mitigation: non-goals in §2 are binding)",
                ),
                (
                    "Technical unknowns",
                    "tech",
                    "A key part has not been tried",
                    "technical unknowns (mitigation: Phase 0 spike)",
                ),
                (
                    "Third-party dependency",
                    "vendor",
                    "An outside service fails or changes",
                    "third-party dependency (mitigation: adapter layer, fallbacks)",
                ),
                (
                    "Data loss or leak",
                    "data",
                    "Users' data is lost or exposed",
                    "data loss or leak (mitigation: backups, access control, reviews)",
                ),
            ]
        ),
    ),
    BankEntry(
        key="risks.assumptions",
        dimension="risks",
        stage="completion",
        material=False,
        prompt="Which assumptions does this plan rest on (and when should they be revisited)?",
        targets=(("risks", "Assumptions"),),
    ),
    BankEntry(
        key="risks.alternatives",
        dimension="risks",
        stage="completion",
        material=False,
        prompt="Which alternatives were considered, and why were they rejected?",
        targets=(("risks", "Alternatives considered"),),
    ),
    BankEntry(
        key="milestones.phases",
        dimension="milestones",
        stage="completion",
        material=False,
        prompt="How should the work be phased?",
        targets=(("milestones", "Phase 0"), ("milestones", "Phase 1..N")),
        choices=(
            _c(
                "Spike, then MVP, then the rest",
                "spike-mvp",
                "Prove the risky part first",
                recommended=True,
                fills={
                    "Phase 0": "spike the riskiest technical unknown (1 week, throwaway)",
                    "Phase 1..N": "Phase 1 MVP = primary use case + release gate of §14; Phase "
                    "2 = remaining in-scope items",
                },
            ),
            _c(
                "Straight to MVP",
                "mvp",
                "No spike needed",
                fills={
                    "Phase 0": "none needed (no major unknowns)",
                    "Phase 1..N": "Phase 1 MVP = primary use case; Phase 2 = the rest",
                },
            ),
            _c(
                "One release",
                "single",
                "Everything ships together",
                fills={
                    "Phase 0": "none",
                    "Phase 1..N": "one release containing the whole in-scope list",
                },
            ),
        ),
    ),
    BankEntry(
        key="terminology.glossary",
        dimension="terminology",
        stage="completion",
        material=False,
        prompt="Which project-specific terms need a definition? (term: meaning, one per line)",
        targets=(("terminology", "Glossary"),),
    ),
    BankEntry(
        key="acceptance.automation",
        dimension="acceptance",
        stage="completion",
        material=False,
        prompt="Where and when do automated tests run?",
        targets=(("acceptance", "Automation"),),
        choices=(
            _c(
                "CI on every push",
                "ci",
                "All suites gate merges",
                target="Automation",
                recommended=True,
                fills="unit + integration in CI on every push; e2e on release",
            ),
            _c(
                "Nightly",
                "nightly",
                "Long suites run nightly",
                target="Automation",
                fills="unit tests on push; integration/e2e nightly",
            ),
        ),
    ),
)

# Open Questions (§17) have their own review question: it edits the numbered list, not a bullet.
OPEN_QUESTIONS_REVIEW = BankEntry(
    key="open_questions.review",
    dimension="open_questions",
    stage="completion",
    material=False,
    skip_when_answered=False,
    prompt="Is there any other open question to track before implementation?",
    targets=(("open_questions", "Outstanding"),),
    choices=(
        _c("No, nothing else", "none", "The Open Questions list is complete", recommended=True),
    ),
)

INTENT_FIRST: tuple[BankEntry, ...] = (
    NON_GOALS,
    DECISION_BOUNDARIES,
    METRICS,
    DRIVER,
    USERS,
    USE_CASES,
    IN_SCOPE,
)
FEASIBILITY: tuple[BankEntry, ...] = (STACK, PERFORMANCE, SECURITY, ACCEPTANCE, TESTS)
CONTEXT: tuple[BankEntry, ...] = (RELATION, TOUCHPOINTS)
SPECIALS: dict[str, BankEntry] = {
    "pressure": PRESSURE,
    "contrarian": CONTRARIAN,
    "simplifier": SIMPLIFIER,
    "ontologist": ONTOLOGIST,
    "terminologist": TERMINOLOGIST,
}

BANK: tuple[BankEntry, ...] = (
    INTENT_FIRST
    + FEASIBILITY
    + CONTEXT
    + tuple(SPECIALS.values())
    + COMPLETION
    + (OPEN_QUESTIONS_REVIEW,)
)
BY_KEY: dict[str, BankEntry] = {e.key: e for e in BANK}

# Interview entries in seed 004 stage order; within a stage the lowest dimension is asked first.
STAGES: tuple[tuple[str, tuple[str, ...], tuple[BankEntry, ...]], ...] = (
    ("intent-first", ("intent", "outcome", "scope"), INTENT_FIRST),
    ("feasibility", ("constraints", "success"), FEASIBILITY),
    ("brownfield-context", ("context",), CONTEXT),
)


def entries_for_unit(unit: str) -> list[BankEntry]:
    """Every entry whose FIRST target is in `unit` (what the completion pass may ask for it)."""
    return [e for e in BANK if e.targets and e.targets[0][0] == unit and e.kind == "ordinary"]


def covered_units() -> set[str]:
    return {unit for e in BANK for unit, _ in e.targets}
