"""The two files a new project starts from, exactly as seed 000 defines them.

The SPEC.md template is data: the section table (`units.SECTIONS`, headings) and each section's
labelled bullets with their default values (`SECTION_ITEMS`). `SPEC_TEMPLATE` is rendered from
them and equals seed 000 §3 byte for byte (a test compares it with the seed), and the status
rules read the defaults from the same data, so "template text" (scaffolding, not content) is
exactly what a fresh file holds. `STACK_TEMPLATE` is seed 000 Appendix A (the minimal
`stack.toml`) verbatim, comments and column alignment included.
"""

from __future__ import annotations

from specui.core.spec.units import SECTIONS

PROJECT_NAME_PLACEHOLDER = "<Project Name>"
STACK_NAME_PLACEHOLDER = "<project-name>"

# The labelled bullets of every canonical section, in order: (label, default value). A value
# left at its default is scaffolding, not content (see `status.placeholder_status`).
SECTION_ITEMS: dict[str, tuple[tuple[str, str], ...]] = {
    "vision": (
        ("Problem & Outcome", "<why this matters>"),
        ("Success Metrics", "<quantitative & qualitative>"),
        ("Target Users", "<who benefits>"),
    ),
    "scope": (
        ("In-scope", "<what will be built>"),
        ("Out-of-scope", "<what is explicitly not built>"),
    ),
    "personas": (
        ("Personas", "<roles, needs>"),
        ("Top Use Cases", "<short scenario bullets>"),
    ),
    "domain": (
        ("Entities", "<list + brief defs>"),
        ("Relationships", "<ER-style notes>"),
        ("Invariants & Constraints", "<business rules>"),
    ),
    "interfaces": (
        ("API", "endpoints, auth, payloads, error model"),
        ("UI/UX", "key screens, nav flows, accessibility notes"),
        ("CLI/Jobs", "commands, flags, schedules"),
        ("Events", "producers, consumers, schemas"),
    ),
    "workflows": (
        ("Primary flows", "<stepwise diagrams or bullets>"),
        ("Edge cases", "<what could go wrong>"),
    ),
    "states": (("State machine(s)", "<states, transitions, guards>"),),
    "data": (
        ("Storage", "tables/collections, indexes"),
        ("Validation", "required fields, formats"),
        ("Migration Plan", "versioning, backfills"),
    ),
    "nfr": (
        ("Performance", "SLAs/SLOs, peak loads"),
        ("Reliability", "availability, DR/BCP"),
        ("Security & Privacy", "authZ/authN, secrets, PII handling"),
        ("Compliance", "GDPR/CCPA/other"),
        ("Scalability", "vertical/horizontal strategy"),
    ),
    "integrations": (
        ("Third-parties", "APIs, quotas, failure modes"),
        ("Webhooks", "endpoints, retries, signatures"),
    ),
    "deployment": (
        ("Envs", "dev/stage/prod parity"),
        ("CI/CD", "build, test, release gates"),
        ("Config & Secrets", "management strategy"),
    ),
    "observability": (
        ("Logging", "structure, redaction"),
        ("Metrics", "KPIs, dashboards"),
        ("Tracing", "spans, propagation"),
    ),
    "risks": (
        ("Known risks", "likelihood × impact, mitigations"),
        ("Assumptions", "rationale, revisit date"),
        ("Alternatives considered", "pros/cons"),
    ),
    "acceptance": (
        ("User acceptance", "scenarios & pass/fail"),
        ("QA plan", "test levels, coverage targets"),
        ("Automation", "unit/integration/e2e"),
    ),
    "milestones": (
        ("Phase 0", "proofs/spikes"),
        ("Phase 1..N", "deliverables & criteria"),
    ),
    "terminology": (("Glossary", "project-specific terms"),),
    "open_questions": (
        ("Outstanding", "tracked until resolved"),
        ("Resolved (history)", "decisions & dates"),
    ),
}


def template_body(section_key: str) -> str:
    """The template's body of one canonical section: its bullets at their default values."""
    return "".join(f"- **{label}**: {default}\n" for label, default in SECTION_ITEMS[section_key])


def _render_template() -> str:
    parts = [f"# SPEC: {PROJECT_NAME_PLACEHOLDER}\n"]
    parts.extend(f"{sec.heading}\n{template_body(sec.key)}" for sec in SECTIONS)
    return "\n".join(parts)


# Seed 000 §3 ("SPEC.md – Canonical Structure") byte for byte (tests compare it with the seed).
SPEC_TEMPLATE: str = _render_template()


STACK_TEMPLATE: str = """\
[name]
project = "<project-name>"

[app]
language   = "typescript"      # e.g. python, go, rust
framework  = "nextjs"          # e.g. fastapi, spring, rails
package    = "pnpm"            # e.g. npm, poetry, pipenv, gradle
runtime    = "node18"          # e.g. python3.11, jdk21

[datastore]
primary    = "postgres"        # e.g. mysql, dynamodb, mongo
migrations = "prisma"          # e.g. alembic, flyway

[infra]
hosting    = "vercel"          # e.g. aws-ecs, gcp-cloudrun, heroku
ci         = "github-actions"  # e.g. circleci, gitlab-ci
observability = "otel+grafana" # e.g. datadog, newrelic

[security]
auth       = "oauth2+rbac"
secrets    = "aws-kms+ssm"
"""


def _clean_name(project_name: str, fallback: str) -> str:
    """One line, trimmed: a project name must never break the title line or the TOML string."""
    name = " ".join(str(project_name).split())
    return name or fallback


def render_spec_template(project_name: str) -> str:
    """The canonical SPEC.md with its title set to `# SPEC: <project_name>`.

    Only the title placeholder is filled; every other placeholder stays for the interview to
    replace. An empty name keeps the `<Project Name>` placeholder.
    """
    name = _clean_name(project_name, PROJECT_NAME_PLACEHOLDER)
    return SPEC_TEMPLATE.replace(PROJECT_NAME_PLACEHOLDER, name, 1)


def render_stack_template(project_name: str) -> str:
    """Appendix A's `stack.toml` with `[name] project` set, comments and alignment kept.

    tomlkit edits the parsed document in place, so the value is properly escaped (quotes,
    backslashes) and every comment of the starter survives.
    """
    import tomlkit  # only a new project's stack.toml needs it, never the workbench's start-up

    name = _clean_name(project_name, STACK_NAME_PLACEHOLDER)
    doc = tomlkit.parse(STACK_TEMPLATE)
    doc["name"]["project"] = name  # type: ignore[index]
    return tomlkit.dumps(doc)
