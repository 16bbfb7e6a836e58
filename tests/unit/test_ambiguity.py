"""Seed 004's ambiguity formula and depth profiles."""

from __future__ import annotations

import math

import pytest

from specui.core.ambiguity import (
    BROWNFIELD_WEIGHTS,
    DEFAULT_PROFILES,
    GREENFIELD_WEIGHTS,
    ambiguity,
    ambiguity_percent,
    clamp_score,
    weights_for,
)


def test_weights_sum_to_one() -> None:
    assert math.isclose(sum(GREENFIELD_WEIGHTS.values()), 1.0)
    assert math.isclose(sum(BROWNFIELD_WEIGHTS.values()), 1.0)


def test_weights_match_seed() -> None:
    assert weights_for("greenfield") == {
        "intent": 0.30,
        "outcome": 0.25,
        "scope": 0.20,
        "constraints": 0.15,
        "success": 0.10,
    }
    assert weights_for("brownfield") == {
        "intent": 0.25,
        "outcome": 0.20,
        "scope": 0.20,
        "constraints": 0.15,
        "success": 0.10,
        "context": 0.10,
    }


def test_weights_for_returns_a_copy() -> None:
    w = weights_for("greenfield")
    w["intent"] = 0.99
    assert GREENFIELD_WEIGHTS["intent"] == 0.30


def test_weights_for_unknown_kind() -> None:
    with pytest.raises(ValueError):
        weights_for("bluefield")  # type: ignore[arg-type]


def test_nothing_known_is_fully_ambiguous() -> None:
    assert ambiguity({}, "greenfield") == 1.0
    assert ambiguity({}, "brownfield") == 1.0


def test_everything_known_is_zero() -> None:
    assert ambiguity({d: 1.0 for d in BROWNFIELD_WEIGHTS}, "brownfield") == 0.0
    assert ambiguity({d: 1.0 for d in GREENFIELD_WEIGHTS}, "greenfield") == 0.0


@pytest.mark.parametrize("dim", list(GREENFIELD_WEIGHTS))
def test_each_greenfield_weight(dim: str) -> None:
    assert ambiguity({dim: 1.0}, "greenfield") == round(1 - GREENFIELD_WEIGHTS[dim], 4)


@pytest.mark.parametrize("dim", list(BROWNFIELD_WEIGHTS))
def test_each_brownfield_weight(dim: str) -> None:
    assert ambiguity({dim: 1.0}, "brownfield") == round(1 - BROWNFIELD_WEIGHTS[dim], 4)


def test_design_example() -> None:
    # design §3 example scores: 1 - (.8*.3 + .6*.25 + .5*.2 + .2*.15 + .1*.1) = 0.47
    scores = {"intent": 0.8, "outcome": 0.6, "scope": 0.5, "constraints": 0.2, "success": 0.1}
    assert ambiguity(scores, "greenfield") == 0.47


def test_context_ignored_for_greenfield() -> None:
    assert ambiguity({"context": 1.0}, "greenfield") == 1.0
    assert ambiguity({"context": 1.0}, "brownfield") == 0.9


def test_scores_are_clamped() -> None:
    assert ambiguity({"intent": 5.0}, "greenfield") == 0.7
    assert ambiguity({"intent": -3.0}, "greenfield") == 1.0
    assert clamp_score(float("nan")) == 0.0


def test_rounded_to_four_places() -> None:
    value = ambiguity({"intent": 1 / 3}, "greenfield")
    assert value == 0.9
    value = ambiguity({"outcome": 1 / 3}, "greenfield")
    assert value == round(1 - 0.25 / 3, 4)
    assert len(str(value).split(".")[1]) <= 4


def test_default_profiles() -> None:
    assert [(p.name, p.threshold, p.max_rounds) for p in DEFAULT_PROFILES.values()] == [
        ("quick", 0.30, 5),
        ("standard", 0.20, 12),
        ("deep", 0.15, 20),
    ]
    # seed 004: soft warning at round 3/6/10 depending on profile
    assert [p.midpoint for p in DEFAULT_PROFILES.values()] == [3, 6, 10]


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        (0.045, 5),  # f"{0.045 * 100:.0f}" says 4 (half to even)
        (0.125, 13),  # f"{0.125 * 100:.0f}" says 12
        (0.145, 15),  # int(0.145 * 100 + 0.5) says 14 (binary 14.4999...)
        (0.285, 29),
        (0.4125, 41),
        (0.2, 20),
        (0.0, 0),
        (1.0, 100),
        (0.0049, 0),
        (0.005, 1),
        (-0.2, 0),
        (1.7, 100),
        (float("nan"), 100),
        (float("inf"), 100),
        (float("-inf"), 0),
    ],
)
def test_ambiguity_percent_is_half_up(x: float, expected: int) -> None:
    assert ambiguity_percent(x) == expected
    assert isinstance(ambiguity_percent(x), int)
