"""The question's headline, the same on every surface (the workbench's question pane, the
headless `specui interview`, the first frame painted from the saved session): seed 004 §2b's
`Round {n} | Target: {dimension} | Ambiguity: {score}%`.

Seed 000's validation pass numbers its questions on their own (`Validation {k} | Section:
{title}`), so the header never reads "Round 41" against a 12-round cap. Plain strings: each
surface sanitizes what it shows.
"""

from __future__ import annotations

from specui.core.ambiguity import DIMENSION_TITLES, ambiguity_percent
from specui.core.spec import SECTION_BY_KEY, UNIT_BY_KEY


def focus_title(dimension: str, phase: str) -> str:
    """What a question is about, as people read it: a validation step names its SPEC.md
    section, an interview round its dimension; never an internal key."""
    unit, section = UNIT_BY_KEY.get(dimension), SECTION_BY_KEY.get(dimension)
    sections = (unit.title if unit else None) or (section.title if section else None)
    named = DIMENSION_TITLES.get(dimension)
    first, second = (sections, named) if phase == "validation" else (named, sections)
    return first or second or dimension.replace("_", " ").capitalize()


def headline(
    ambiguity: float,
    *,
    phase: str | None = None,
    round: int | None = None,
    dimension: str = "",
    rounds_done: int = 0,
) -> str:
    """The header of the pending question (`phase`, `round`, `dimension`), or, with no
    question pending (`phase` None), the rounds answered so far."""
    amb = f"Ambiguity: {ambiguity_percent(ambiguity)}%"
    if phase is None:
        return f"Round {rounds_done} | {amb}"
    if phase == "validation":
        return f"Validation {round} | Section: {focus_title(dimension, phase)} | {amb}"
    return f"Round {round} | Target: {focus_title(dimension, phase)} | {amb}"


def engine_error(name: str, error: str) -> str:
    """A failed round's error naming its engine once: "codex: stream disconnected …", and
    "codex gave no reply …" as it is (an engine's messages often start with its name)."""
    name = name or "engine"
    return error if error.startswith((f"{name} ", f"{name}:")) else f"{name}: {error}"


def meta_parts(profile: str, threshold: float, max_rounds: int, kind: str, stage: str) -> list[str]:
    """The interview's settings beside the title, most important first (as many as fit)."""
    return [
        f"{profile} profile",
        f"threshold {ambiguity_percent(threshold)}%",
        f"max {max_rounds} rounds",
        kind,
        stage,
    ]
