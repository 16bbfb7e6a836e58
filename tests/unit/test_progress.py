"""Progress: half-up to the nearest 5%, 12 blocks half-up, exact line format."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from specui.core.progress import progress_bar, progress_blocks, progress_line, progress_percent


@pytest.mark.parametrize(
    ("final", "percent", "line"),
    [
        (0, 0, "Spec Creation Progress: ░░░░░░░░░░░░ 0%"),
        (9, 50, "Spec Creation Progress: ██████░░░░░░ 50%"),
        (11, 60, "Spec Creation Progress: ███████░░░░░ 60%"),  # formula: 7 blocks, not 6
        (18, 100, "Spec Creation Progress: ████████████ 100%"),
    ],
)
def test_issue_examples(final, percent, line):
    assert progress_percent(final) == percent
    assert progress_line(progress_percent(final)) == line


def test_half_up_not_bankers():
    # 1/8 = 12.5% -> 15 (round() would give 10); 3/8 = 37.5% -> 40.
    assert progress_percent(1, 8) == 15
    assert progress_percent(3, 8) == 40
    assert progress_percent(5, 8) == 65  # 62.5 -> 65 (round(12.5) * 5 would give 60)
    # Blocks: 5% -> 0.6 -> 1, 25% -> 3, 45% -> 5.4 -> 5.
    assert progress_blocks(5) == 1 and progress_blocks(25) == 3
    assert progress_blocks(45) == 5  # 5.4
    assert progress_bar(5) == "█" + "░" * 11


def test_one_of_18_and_clamping():
    assert progress_percent(1) == 5  # 5.56 -> 5
    assert progress_percent(2) == 10  # 11.1 -> 10
    assert progress_percent(-3) == 0 and progress_percent(40) == 100
    assert progress_percent(3, 0) == 0
    assert progress_line(150).endswith("████████████ 100%")
    assert progress_line(-5).endswith("░░░░░░░░░░░░ 0%")


@given(st.integers(1, 200), st.data())
def test_percent_is_nearest_multiple_of_5_half_up(total, data):
    final = data.draw(st.integers(0, total))
    exact = Fraction(final * 100, total)
    got = progress_percent(final, total)
    assert got % 5 == 0 and 0 <= got <= 100
    # nearest multiple of 5, ties go up
    assert got - Fraction(5, 2) <= exact < got + Fraction(5, 2)


@given(st.integers(1, 200), st.data())
def test_percent_is_monotone(total, data):
    a = data.draw(st.integers(0, total))
    b = data.draw(st.integers(a, total))
    assert progress_percent(a, total) <= progress_percent(b, total)
    assert progress_blocks(progress_percent(a, total)) <= progress_blocks(
        progress_percent(b, total)
    )


@given(st.integers(0, 100))
def test_bar_blocks_half_up(percent):
    exact = Fraction(percent * 12, 100)
    bar = progress_bar(percent)
    filled = bar.count("█")
    assert len(bar) == 12 and bar == "█" * filled + "░" * (12 - filled)
    assert filled - Fraction(1, 2) <= exact < filled + Fraction(1, 2)
    assert progress_line(percent) == f"Spec Creation Progress: {bar} {percent}%"
