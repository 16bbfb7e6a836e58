"""The one table of SPEC.md's canonical sections and tracked units (seed 000 §3 and §2.7).

Every place that needs "which section holds unit X", "what is section 9 called" or "which
heading title means which section" reads it here; nothing else in specui keeps a copy.

Seed 000's progress rule tracks 18 units: the 17 canonical sections, except that
"Security & Privacy" is its own unit, anchored on the NFR section's `- **Security & Privacy**:`
bullet (or on a standalone `## Security & Privacy` section when the file has one).

Section titles are matched after dropping a leading number (`9.`, `9)`, `§9`), markup,
punctuation, case and spacing, with `&` read as "and"; so `## vision & goals`,
`## 9) Non-Functional Requirements` and `## Risks, Assumptions & Trade-offs` (either hyphen)
all match. Each section also has a few aliases (`## NFRs`, `## Glossary`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class SectionDef:
    """One canonical SPEC.md section (seed 000 §3): key, number, title and accepted aliases."""

    key: str
    number: int
    title: str
    aliases: tuple[str, ...] = ()

    @property
    def heading(self) -> str:
        """The heading line used when the section has to be (re-)created."""
        return f"## {self.number}. {self.title}"


@dataclass(frozen=True)
class UnitDef:
    """One tracked unit of the progress rule: a whole section, or one item inside a section."""

    key: str
    title: str
    section_key: str
    item: str | None = None


SECTIONS: tuple[SectionDef, ...] = (
    SectionDef("vision", 1, "Vision & Goals", ("Vision", "Goals", "Vision and Goals")),
    SectionDef("scope", 2, "Scope & Non-Goals", ("Scope", "Non-Goals", "Scope and Non Goals")),
    SectionDef(
        "personas", 3, "Personas & Use Cases", ("Personas", "Use Cases", "Users & Use Cases")
    ),
    SectionDef("domain", 4, "Domain Model", ("Domain",)),
    SectionDef("interfaces", 5, "Interfaces", ("Interface", "Interfaces (API/UI/CLI/Events)")),
    SectionDef("workflows", 6, "Workflows", ("Workflow", "Flows", "Workflows & State")),
    SectionDef(
        "states",
        7,
        "States & Transitions",
        ("States", "State", "State Machine", "State Machines", "State & Transitions"),
    ),
    SectionDef("data", 8, "Data & Schema", ("Data", "Schema", "Data/Schema", "Data Schema")),
    SectionDef(
        "nfr",
        9,
        "Non-Functional Requirements (NFRs)",
        ("Non-Functional Requirements", "NFRs", "NFR", "Non-Functional Requirements (NFR)"),
    ),
    SectionDef("integrations", 10, "Integrations", ("Integration", "Third-Party Integrations")),
    SectionDef("deployment", 11, "Deployment & Environments", ("Deployment", "Environments")),
    SectionDef("observability", 12, "Observability", ("Monitoring", "Observability & Monitoring")),
    SectionDef(
        "risks",
        13,
        "Risks, Assumptions & Trade\u2011offs",
        ("Risks", "Risks & Trade-offs", "Risks & Assumptions", "Risks, Assumptions & Tradeoffs"),
    ),
    SectionDef(
        "acceptance",
        14,
        "Acceptance Criteria & Test Plan",
        ("Acceptance Criteria", "Acceptance", "Test Plan", "Acceptance & Testing"),
    ),
    SectionDef("milestones", 15, "Milestones & Phases", ("Milestones", "Phases", "Roadmap")),
    SectionDef("terminology", 16, "Terminology", ("Glossary", "Terms")),
    SectionDef("open_questions", 17, "Open Questions", ("Questions", "Open Issues")),
)

SECTION_BY_KEY: dict[str, SectionDef] = {s.key: s for s in SECTIONS}

SECURITY_LABEL = "Security & Privacy"

TRACKED_UNITS: tuple[UnitDef, ...] = (
    UnitDef("vision", "Vision & Goals", "vision"),
    UnitDef("scope", "Scope & Non-Goals", "scope"),
    UnitDef("personas", "Personas & Use Cases", "personas"),
    UnitDef("domain", "Domain Model", "domain"),
    UnitDef("interfaces", "Interfaces", "interfaces"),
    UnitDef("workflows", "Workflows", "workflows"),
    UnitDef("states", "States & Transitions", "states"),
    UnitDef("data", "Data & Schema", "data"),
    UnitDef("nfr", "Non-Functional Requirements", "nfr"),
    UnitDef("security", "Security & Privacy", "nfr", SECURITY_LABEL),
    UnitDef("integrations", "Integrations", "integrations"),
    UnitDef("deployment", "Deployment & Environments", "deployment"),
    UnitDef("observability", "Observability", "observability"),
    UnitDef("risks", "Risks, Assumptions & Trade-offs", "risks"),
    UnitDef("acceptance", "Acceptance Criteria & Test Plan", "acceptance"),
    UnitDef("milestones", "Milestones & Phases", "milestones"),
    UnitDef("terminology", "Terminology", "terminology"),
    UnitDef("open_questions", "Open Questions", "open_questions"),
)

UNIT_BY_KEY: dict[str, UnitDef] = {u.key: u for u in TRACKED_UNITS}
UNIT_KEYS: tuple[str, ...] = tuple(u.key for u in TRACKED_UNITS)
UNIT_TITLES: dict[str, str] = {u.key: u.title for u in TRACKED_UNITS}
# Tracked unit -> canonical section key (every unit is its own section except "security").
UNIT_SECTION: dict[str, str] = {u.key: u.section_key for u in TRACKED_UNITS}


# --------------------------------------------------------------------------- title matching

_NUMBER_PREFIX_RE = re.compile(r"\s*(?:§\s*)?\d+(?:\.\d+)*\s*[.):\-\u2010-\u2015]?\s*")


def normalize_title(title: str) -> str:
    """Reduce a heading title to a comparison key: no number prefix, case, markup or spacing.

    "9) Non-Functional Requirements (NFRs)" -> "nonfunctionalrequirementsnfrs";
    "Risks, Assumptions & Trade‑offs" -> "risksassumptionsandtradeoffs". `&` reads as "and",
    every other non-alphanumeric character (hyphens of any kind, slashes, emphasis) is dropped.
    """
    m = _NUMBER_PREFIX_RE.match(title)
    if m and m.end() < len(title):
        title = title[m.end() :]
    title = title.lower().replace("&", " and ")
    return "".join(ch for ch in title if ch.isalnum())


def _build_title_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for sec in SECTIONS:
        for name in (sec.title, *sec.aliases):
            index.setdefault(normalize_title(name), sec.key)
    return index


_TITLE_INDEX: dict[str, str] = _build_title_index()


def section_key_for_title(title: str) -> str | None:
    """The canonical section key a heading title stands for, or None for an extra section."""
    return _TITLE_INDEX.get(normalize_title(title))


SECURITY_LABELS = frozenset(
    normalize_title(x)
    for x in ("Security & Privacy", "Security", "Privacy", "Privacy & Security", "Security/Privacy")
)
RELIABILITY_LABELS = frozenset({"reliability", "reliabilityandavailability", "availability"})
