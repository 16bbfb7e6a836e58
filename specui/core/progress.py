"""Seed 000 §2.7 / design §4 progress: percent of finalized units and the 12-block bar.

Rounding is half-up everywhere and done with integer arithmetic: Python's `round` rounds half to
even (round(2.5) == 2), which would make e.g. 3/12 of a block and 62.5% come out differently from
what the seed's wording ("rounded to nearest") means to a reader.

Note: seed 000 illustrates 60% with six filled blocks, but its own formula
(round(60/100 * 12) = round(7.2)) gives seven. We follow the formula.
"""

from __future__ import annotations

BAR_BLOCKS = 12
FILLED = "█"
EMPTY = "░"
PREFIX = "Spec Creation Progress: "


def _half_up_div(numerator: int, denominator: int) -> int:
    """floor(numerator / denominator + 1/2) for non-negative ints, exactly."""
    return (2 * numerator + denominator) // (2 * denominator)


def progress_percent(final_count: int, total: int = 18) -> int:
    """Finalized ÷ total as a percentage, half-up to the nearest multiple of 5.

    9/18 -> 50, 11/18 (61.1%) -> 60, 18/18 -> 100. Counts are clamped to [0, total]; a total
    of zero (nothing tracked) gives 0.
    """
    total = int(total)
    if total <= 0:
        return 0
    final_count = min(max(int(final_count), 0), total)
    # nearest 5% = nearest integer of (final/total * 100 / 5) = final * 20 / total, then * 5.
    return 5 * _half_up_div(final_count * 20, total)


def progress_blocks(percent: int) -> int:
    """Filled blocks = half-up(percent × 12 / 100), percent clamped to [0, 100]."""
    percent = min(max(int(percent), 0), 100)
    return _half_up_div(percent * BAR_BLOCKS, 100)


def progress_bar(percent: int) -> str:
    """The 12-block bar alone, e.g. `██████░░░░░░` for 50."""
    filled = progress_blocks(percent)
    return FILLED * filled + EMPTY * (BAR_BLOCKS - filled)


def progress_line(percent: int) -> str:
    """`Spec Creation Progress: ██████░░░░░░ 50%` (percent clamped to [0, 100])."""
    percent = min(max(int(percent), 0), 100)
    return f"{PREFIX}{progress_bar(percent)} {percent}%"
