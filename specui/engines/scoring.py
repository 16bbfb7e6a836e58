"""Transparent clarity scores for seed 004's dimensions, derived from SPEC.md and answered rounds.

A model would *judge* each dimension; the offline interviewer instead sums fixed, visible facts:
each dimension is a checklist of facts worth a few points, and a fact counts when SPEC.md holds a
real answer for its bullet (a hand edit counts just like an interview answer) or when a round
that answered it was recorded (an answer kept aside as a conflict still counts: the user did
answer). The justification lists the facts found, the gap lists the facts missing, so the
ambiguity table can always say *why* a number is what it is. Points per dimension sum to 1.0.

The ambiguity itself is `core.ambiguity.ambiguity` (seed 004's greenfield/brownfield weights).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from specui.core.ambiguity import ambiguity as ambiguity_formula
from specui.core.ambiguity import weights_for
from specui.engines.bank import BANK, UNIT_SECTION, Target
from specui.engines.drafting import item_answered


@dataclass(frozen=True)
class Fact:
    dimension: str
    key: str
    label: str  # what the table shows, e.g. "non-goals explicit"
    points: float
    items: tuple[Target, ...] = ()
    tags: tuple[str, ...] = ()


FACTS: tuple[Fact, ...] = (
    # intent — why the user wants this
    Fact("intent", "problem", "problem statement", 0.55, (("vision", "Problem & Outcome"),)),
    Fact("intent", "driver", "primary driver", 0.15, (("vision", "Primary Driver"),)),
    Fact("intent", "pressure", "core claim pressure-tested", 0.15, (), ("pressure",)),
    Fact(
        "intent",
        "challenged",
        "core assumption challenged",
        0.15,
        (("vision", "Essence"),),
        ("challenge:contrarian", "challenge:ontologist"),
    ),
    # outcome — what end state they want
    Fact("outcome", "metrics", "success metrics", 0.45, (("vision", "Success Metrics"),)),
    Fact("outcome", "users", "target users", 0.20, (("vision", "Target Users"),)),
    Fact("outcome", "personas", "personas", 0.10, (("personas", "Personas"),)),
    Fact("outcome", "use_cases", "top use cases", 0.25, (("personas", "Top Use Cases"),)),
    # scope — how far it goes
    Fact("scope", "in_scope", "in-scope list", 0.35, (("scope", "In-scope"),)),
    Fact("scope", "non_goals", "non-goals explicit", 0.30, (("scope", "Out-of-scope"),)),
    Fact(
        "scope",
        "decision_boundaries",
        "decision boundaries explicit",
        0.20,
        (("scope", "Decision Boundaries"),),
    ),
    Fact(
        "scope",
        "mvp",
        "MVP boundary",
        0.15,
        (("milestones", "Phase 1..N"),),
        ("challenge:simplifier",),
    ),
    # constraints — limits that must hold
    Fact("constraints", "stack", "stack confirmed", 0.30, (("deployment", "Stack"),)),
    Fact("constraints", "performance", "performance targets", 0.25, (("nfr", "Performance"),)),
    Fact(
        "constraints",
        "security",
        "auth & privacy model",
        0.25,
        (("security", "Security & Privacy"),),
    ),
    Fact("constraints", "reliability", "reliability targets", 0.20, (("nfr", "Reliability"),)),
    # success — how completion is judged
    Fact("success", "acceptance", "acceptance checks", 0.60, (("acceptance", "User acceptance"),)),
    Fact("success", "test_plan", "test plan", 0.40, (("acceptance", "QA plan"),)),
    # context — existing codebase (brownfield only)
    Fact("context", "scanned", "existing code scanned", 0.25, (), ("scanned",)),
    Fact("context", "relation", "relation to existing code", 0.35, (("scope", "Existing Code"),)),
    Fact("context", "touchpoints", "touchpoints named", 0.25, (("scope", "Touchpoints"),)),
    Fact(
        "context",
        "terminology",
        "canonical terms",
        0.15,
        (("terminology", "Glossary"),),
        ("challenge:terminologist",),
    ),
)

FACT_BY_KEY: dict[str, Fact] = {f.key: f for f in FACTS}


def _entries_answering(item: Target) -> list[str]:
    return [e.key for e in BANK if item in e.targets]


@dataclass(frozen=True)
class Evidence:
    """What is known: section bodies of SPEC.md (by section key) and tags of answered rounds.

    Tags: `entry:<bank key>` for every answered bank entry, `pressure`, `challenge:<mode>`,
    `closure`, `overview`.
    """

    bodies: Mapping[str, str | None]
    tags: frozenset[str]

    def satisfied(self, fact: Fact) -> bool:
        if any(t in self.tags for t in fact.tags):
            return True
        for item in fact.items:
            unit, label = item
            if item_answered(self.bodies.get(UNIT_SECTION[unit]), label):
                return True
            if any(f"entry:{k}" in self.tags for k in _entries_answering(item)):
                return True
        return False


@dataclass(frozen=True)
class DimensionResult:
    dimension: str
    score: float
    justification: str
    gap: str
    found: tuple[str, ...]
    missing: tuple[str, ...]


def score_dimension(dimension: str, evidence: Evidence) -> DimensionResult:
    found: list[Fact] = []
    missing: list[Fact] = []
    for fact in FACTS:
        if fact.dimension != dimension:
            continue
        (found if evidence.satisfied(fact) else missing).append(fact)
    score = round(min(1.0, sum(f.points for f in found)), 4)
    justification = (
        "; ".join(f"{f.label} +{f.points:.2f}" for f in found) if found else "nothing known yet"
    )
    gap = "; ".join(f.label for f in missing) if missing else "none"
    return DimensionResult(
        dimension,
        score,
        justification,
        gap,
        tuple(f.key for f in found),
        tuple(f.key for f in missing),
    )


def score_all(kind: str, evidence: Evidence) -> dict[str, DimensionResult]:
    """Scores of every dimension of `kind` (greenfield: 5, brownfield: 6), in weight order."""
    return {dim: score_dimension(dim, evidence) for dim in weights_for(kind)}  # type: ignore[arg-type]


def ambiguity_of(kind: str, results: Mapping[str, DimensionResult]) -> float:
    return ambiguity_formula({d: r.score for d, r in results.items()}, kind)  # type: ignore[arg-type]


def fact_met(key: str, evidence: Evidence) -> bool:
    return evidence.satisfied(FACT_BY_KEY[key])


def max_gain(dimension: str, kind: str, results: Mapping[str, DimensionResult]) -> float:
    """How much ambiguity the whole missing part of one dimension could still remove."""
    weights = weights_for(kind)  # type: ignore[arg-type]
    res = results.get(dimension)
    if res is None or dimension not in weights:
        return 0.0
    return round(weights[dimension] * (1.0 - res.score), 4)


def tags_from(keys: Iterable[str]) -> frozenset[str]:
    return frozenset(keys)
