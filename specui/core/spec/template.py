"""The two files a new project starts from, exactly as seed 000 defines them.

`SPEC_TEMPLATE` is seed 000 §3 ("SPEC.md – Canonical Structure") byte for byte, and
`STACK_TEMPLATE` is seed 000 Appendix A (the minimal `stack.toml`), comments and column
alignment included. They are kept verbatim (not generated from `units.SECTIONS`) so a test can
compare them with the seed and so the parser's notion of "template text" (which `placeholder_status`
treats as scaffolding, not content) is exactly what a fresh file holds.
"""

from __future__ import annotations

import tomlkit

PROJECT_NAME_PLACEHOLDER = "<Project Name>"
STACK_NAME_PLACEHOLDER = "<project-name>"

SPEC_TEMPLATE: str = """\
# SPEC: <Project Name>

## 1. Vision & Goals
- **Problem & Outcome**: <why this matters>
- **Success Metrics**: <quantitative & qualitative>
- **Target Users**: <who benefits>

## 2. Scope & Non-Goals
- **In-scope**: <what will be built>
- **Out-of-scope**: <what is explicitly not built>

## 3. Personas & Use Cases
- **Personas**: <roles, needs>
- **Top Use Cases**: <short scenario bullets>

## 4. Domain Model
- **Entities**: <list + brief defs>
- **Relationships**: <ER-style notes>
- **Invariants & Constraints**: <business rules>

## 5. Interfaces
- **API**: endpoints, auth, payloads, error model
- **UI/UX**: key screens, nav flows, accessibility notes
- **CLI/Jobs**: commands, flags, schedules
- **Events**: producers, consumers, schemas

## 6. Workflows
- **Primary flows**: <stepwise diagrams or bullets>
- **Edge cases**: <what could go wrong>

## 7. States & Transitions
- **State machine(s)**: <states, transitions, guards>

## 8. Data & Schema
- **Storage**: tables/collections, indexes
- **Validation**: required fields, formats
- **Migration Plan**: versioning, backfills

## 9. Non-Functional Requirements (NFRs)
- **Performance**: SLAs/SLOs, peak loads
- **Reliability**: availability, DR/BCP
- **Security & Privacy**: authZ/authN, secrets, PII handling
- **Compliance**: GDPR/CCPA/other
- **Scalability**: vertical/horizontal strategy

## 10. Integrations
- **Third-parties**: APIs, quotas, failure modes
- **Webhooks**: endpoints, retries, signatures

## 11. Deployment & Environments
- **Envs**: dev/stage/prod parity
- **CI/CD**: build, test, release gates
- **Config & Secrets**: management strategy

## 12. Observability
- **Logging**: structure, redaction
- **Metrics**: KPIs, dashboards
- **Tracing**: spans, propagation

## 13. Risks, Assumptions & Trade‑offs
- **Known risks**: likelihood × impact, mitigations
- **Assumptions**: rationale, revisit date
- **Alternatives considered**: pros/cons

## 14. Acceptance Criteria & Test Plan
- **User acceptance**: scenarios & pass/fail
- **QA plan**: test levels, coverage targets
- **Automation**: unit/integration/e2e

## 15. Milestones & Phases
- **Phase 0**: proofs/spikes
- **Phase 1..N**: deliverables & criteria

## 16. Terminology
- **Glossary**: project-specific terms

## 17. Open Questions
- **Outstanding**: tracked until resolved
- **Resolved (history)**: decisions & dates
"""

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
    name = _clean_name(project_name, STACK_NAME_PLACEHOLDER)
    doc = tomlkit.parse(STACK_TEMPLATE)
    doc["name"]["project"] = name  # type: ignore[index]
    return tomlkit.dumps(doc)
