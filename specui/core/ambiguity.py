"""Ambiguity scoring for the deep interview (seed 004 §2c).

The formula is fixed by the seed so that specui's numbers match an OMX deep interview exactly:
ambiguity = 1 - Σ(weight · clarity), with clarity scores clamped to [0, 1]. Pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

InterviewKind = Literal["greenfield", "brownfield"]

GREENFIELD_WEIGHTS: dict[str, float] = {
    "intent": 0.30,
    "outcome": 0.25,
    "scope": 0.20,
    "constraints": 0.15,
    "success": 0.10,
}
BROWNFIELD_WEIGHTS: dict[str, float] = {
    "intent": 0.25,
    "outcome": 0.20,
    "scope": 0.20,
    "constraints": 0.15,
    "success": 0.10,
    "context": 0.10,
}

# Human names for the dimensions, used by the ambiguity table and question headers.
DIMENSION_TITLES: dict[str, str] = {
    "intent": "Intent",
    "outcome": "Outcome",
    "scope": "Scope",
    "constraints": "Constraints",
    "success": "Success Criteria",
    "context": "Context Clarity",
}


def ambiguity_percent(x: float) -> int:
    """An ambiguity (or threshold) fraction as the whole percent people see: 0.045 -> 5.

    One function for the CLI and the TUI so they never disagree. Half-up on the number as
    written (`Decimal(repr(x))`), not on its binary approximation: f"{0.045 * 100:.0f}" gives
    "4" (half-to-even) and int(0.145 * 100 + 0.5) gives 14 (0.145 * 100 is 14.4999...), both
    wrong. Clamped to 0..100; NaN counts as fully ambiguous (100).
    """
    if math.isnan(x):
        return 100
    if math.isinf(x):
        return 100 if x > 0 else 0
    scaled = (Decimal(repr(float(x))) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return max(0, min(100, int(scaled)))


def weights_for(kind: InterviewKind) -> dict[str, float]:
    """The weight table of one interview type (a copy: callers may not mutate the constants)."""
    if kind == "greenfield":
        return dict(GREENFIELD_WEIGHTS)
    if kind == "brownfield":
        return dict(BROWNFIELD_WEIGHTS)
    raise ValueError(f"unknown interview type: {kind!r}")


def clamp_score(value: float) -> float:
    """Clamp one clarity score into [0, 1]; NaN counts as 0 (nothing known)."""
    value = float(value)
    if math.isnan(value):
        return 0.0
    return min(1.0, max(0.0, value))


def ambiguity(scores: Mapping[str, float], kind: InterviewKind) -> float:
    """Seed 004's ambiguity: 1 - Σ weight·score, over the dimensions of `kind`.

    Missing dimensions score 0 (fully unclear); dimensions that do not belong to `kind`
    (e.g. `context` in a greenfield interview) are ignored. Rounded to 4 dp so that values
    persisted and compared across processes are stable.
    """
    weights = weights_for(kind)
    clarity = sum(w * clamp_score(scores.get(dim, 0.0)) for dim, w in weights.items())
    return round(max(0.0, min(1.0, 1.0 - clarity)), 4)


@dataclass(frozen=True)
class Profile:
    """A depth profile: stop when ambiguity <= threshold; never ask more than max_rounds."""

    name: str
    threshold: float
    max_rounds: int

    @property
    def midpoint(self) -> int:
        """Round at which seed 004's soft warning is shown (half the cap, rounded half-up)."""
        return (self.max_rounds + 1) // 2


PROFILE_NAMES: tuple[str, ...] = ("quick", "standard", "deep")
DEFAULT_PROFILES: dict[str, Profile] = {
    "quick": Profile("quick", 0.30, 5),
    "standard": Profile("standard", 0.20, 12),
    "deep": Profile("deep", 0.15, 20),
}
