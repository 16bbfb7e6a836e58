"""Labelled bullets (`core.spec.bullets`): the one parser/editor of `- **Label**: value` items,
and the conflict screen's merge that never repeats a label or keeps a placeholder."""

from __future__ import annotations

import pytest

from specui.core.spec import (
    SECTIONS,
    SPEC_TEMPLATE,
    TEMPLATE_ITEMS,
    find_item,
    item_answered,
    merge_items,
    parse_items,
    placeholder_status,
    set_item,
    template_body,
)

VISION = (
    "- **Problem & Outcome**: <why this matters>\n"
    "- **Success Metrics**: 80% of notes found\n"
    "  within 10 seconds\n"
    "- **Target Users**: <who benefits>\n"
)


def test_items_carry_their_continuation_lines():
    items = parse_items(VISION)
    assert [(i.label, i.start, i.end) for i in items] == [
        ("Problem & Outcome", 0, 1),
        ("Success Metrics", 1, 3),
        ("Target Users", 3, 4),
    ]
    assert items[1].value == "80% of notes found\nwithin 10 seconds"


def test_set_item_keeps_every_other_byte():
    crlf = VISION.replace("\n", "\r\n")
    out = set_item(crlf, "target users", "home cooks")
    assert out == crlf.replace("<who benefits>", "home cooks")
    assert find_item(out, "Target Users").value == "home cooks"


def test_answered_uses_the_status_rules():
    assert not item_answered(VISION, "Problem & Outcome")
    assert item_answered(VISION, "Success Metrics")
    assert not item_answered("- **API**: endpoints, auth, payloads, error model", "API")


def test_template_is_data_and_every_default_is_scaffolding():
    assert SPEC_TEMPLATE.startswith("# SPEC: <Project Name>\n\n## 1. Vision & Goals\n")
    for sec in SECTIONS:
        body = template_body(sec.key)
        assert f"{sec.heading}\n{body}" in SPEC_TEMPLATE
        assert placeholder_status(body) == "unknown"
    assert TEMPLATE_ITEMS["api"] == "endpoints, auth, payloads, error model"


@pytest.mark.parametrize(
    ("mine", "theirs", "expected"),
    [
        # placeholders are filled, real answers kept, new labels added, none repeated
        (
            VISION,
            "- **Problem & Outcome**: notes get lost\n- **Target Users**: home cooks",
            VISION.replace("<why this matters>", "notes get lost")
            .replace("<who benefits>", "home cooks")
            .rstrip("\n"),
        ),
        # two real answers for one label: the proposal goes under the user's, once
        (
            "- **Personas**: cooks",
            "- **Personas**: bakers\n- **Top Use Cases**: find a recipe",
            "- **Personas**: cooks\n    bakers\n- **Top Use Cases**: find a recipe",
        ),
        # a proposal holding only placeholders or what is already there adds nothing
        ("- **Personas**: cooks", "- **Personas**: <roles, needs>", "- **Personas**: cooks"),
        ("- **Personas**: cooks", "- **Personas**: Cooks", "- **Personas**: cooks"),
        # free text is added once, after a blank line
        ("Mine.", "Theirs.\nMine.", "Mine.\n\nTheirs."),
        (None, "Theirs.", "Theirs."),
    ],
)
def test_merge_items(mine, theirs, expected):
    assert merge_items(mine, theirs) == expected
    assert merge_items(expected, theirs) == expected  # merging twice changes nothing
