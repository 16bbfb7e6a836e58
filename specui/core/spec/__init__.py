"""SPEC.md in one place: the unit/section table, the document model, labelled bullets, the
status rules and the template. Pure (no disk); `specui.spec_repo` reads and writes the file.

Modules: `units` (the one table of sections and tracked units), `template` (the starter
SPEC.md and stack.toml), `document` (`SpecDocument`: parse and byte-preserving edits),
`bullets` (`- **Label**: value` items), `status` (unknown / drafted / clarified / final and
progress). The names below are the package's public API.
"""

from specui.core.spec.bullets import (
    TEMPLATE_ITEMS,
    Item,
    find_item,
    guard_text,
    item_answered,
    item_value,
    merge_items,
    norm_label,
    parse_items,
    set_item,
    value_is_answered,
)
from specui.core.spec.document import SectionSpan, SpecDocument
from specui.core.spec.status import (
    SpecProgress,
    UnitStatus,
    check_unit,
    content_hash,
    finalize_digest,
    first_placeholder,
    placeholder_status,
    spec_progress,
    unit_statuses,
)
from specui.core.spec.template import (
    SECTION_ITEMS,
    SPEC_TEMPLATE,
    STACK_TEMPLATE,
    render_spec_template,
    render_stack_template,
    template_body,
)
from specui.core.spec.units import (
    SECTION_BY_KEY,
    SECTIONS,
    SECURITY_LABEL,
    TRACKED_UNITS,
    UNIT_BY_KEY,
    UNIT_KEYS,
    UNIT_SECTION,
    UNIT_TITLES,
    SectionDef,
    UnitDef,
    normalize_title,
    section_key_for_title,
)

__all__ = [
    "SECTIONS",
    "SECTION_BY_KEY",
    "SECTION_ITEMS",
    "SECURITY_LABEL",
    "SPEC_TEMPLATE",
    "STACK_TEMPLATE",
    "TEMPLATE_ITEMS",
    "TRACKED_UNITS",
    "UNIT_BY_KEY",
    "UNIT_KEYS",
    "UNIT_SECTION",
    "UNIT_TITLES",
    "Item",
    "SectionDef",
    "SectionSpan",
    "SpecDocument",
    "SpecProgress",
    "UnitDef",
    "UnitStatus",
    "check_unit",
    "content_hash",
    "finalize_digest",
    "find_item",
    "first_placeholder",
    "guard_text",
    "item_answered",
    "item_value",
    "merge_items",
    "norm_label",
    "normalize_title",
    "parse_items",
    "placeholder_status",
    "render_spec_template",
    "render_stack_template",
    "section_key_for_title",
    "set_item",
    "spec_progress",
    "template_body",
    "unit_statuses",
    "value_is_answered",
]
