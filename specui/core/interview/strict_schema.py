"""The strict structured-output rules a JSON Schema must meet before it reaches a model.

`codex exec --output-schema FILE` sends the schema as `text.format = {type: json_schema,
strict: true}`. The real Responses API refuses (HTTP 400) a strict schema that breaks these
rules, while a local fake server accepts anything, so specui checks its own schemas here:

- the root is an object schema (not a union);
- every object sets `additionalProperties: false` and lists every property in `required`
  (optional values are unions with null instead);
- only supported keywords appear (no `default`, `allOf`, `oneOf`, `not`, `if`, `minLength`,
  `uniqueItems`, `patternProperties`, ...), and a `$ref` has no sibling keywords;
- nesting at most 10 levels, at most 5000 properties and 1000 enum values in total.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ALLOWED_KEYWORDS = frozenset(
    {
        "type", "properties", "required", "additionalProperties", "items", "enum", "const",
        "anyOf", "$ref", "$defs", "description", "title",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
        "pattern", "format", "minItems", "maxItems",
    }
)  # fmt: skip
TYPES = frozenset({"string", "number", "integer", "boolean", "object", "array", "null"})
MAX_DEPTH = 10
MAX_PROPERTIES = 5000
MAX_ENUM_VALUES = 1000


def strict_violations(schema: Mapping[str, Any]) -> list[str]:
    """Every rule the schema breaks, as `path: problem` lines (empty: the schema is strict)."""
    problems: list[str] = []
    counts = {"properties": 0, "enum": 0}
    if schema.get("type") != "object" or "anyOf" in schema:
        problems.append("$: the root must be an object schema, not a union")
    defs = schema.get("$defs", {})
    if not isinstance(defs, Mapping):
        problems.append("$.$defs: must be an object")
        defs = {}
    _walk(schema, "$", 1, defs, problems, counts, set())
    for name, sub in defs.items():
        _walk(sub, f"$.$defs.{name}", 1, defs, problems, counts, set())
    depth = expanded_depth(schema, defs)
    if depth > MAX_DEPTH:
        problems.append(f"$: objects and arrays nest {depth} levels deep (at most {MAX_DEPTH})")
    if counts["properties"] > MAX_PROPERTIES:
        problems.append(f"$: {counts['properties']} properties (at most {MAX_PROPERTIES})")
    if counts["enum"] > MAX_ENUM_VALUES:
        problems.append(f"$: {counts['enum']} enum values (at most {MAX_ENUM_VALUES})")
    return problems


def _walk(
    node: Any,
    path: str,
    depth: int,
    defs: Mapping[str, Any],
    problems: list[str],
    counts: dict[str, int],
    visiting: set[str],
) -> None:
    if not isinstance(node, Mapping):
        problems.append(f"{path}: a schema must be an object")
        return
    if depth > MAX_DEPTH:
        problems.append(f"{path}: nested deeper than {MAX_DEPTH} levels")
        return
    for key in node:
        if key not in ALLOWED_KEYWORDS:
            problems.append(f"{path}: keyword {key!r} is not supported in strict mode")
    if "$ref" in node:
        extra = sorted(k for k in node if k != "$ref")
        if extra:
            problems.append(f"{path}: $ref must stand alone (has {', '.join(extra)})")
        ref = node["$ref"]
        name = ref.removeprefix("#/$defs/") if isinstance(ref, str) else None
        if name is None or name not in defs:
            problems.append(f"{path}: $ref {ref!r} does not name a $defs entry")
        return
    types = node.get("type")
    type_list = types if isinstance(types, list) else [types] if types is not None else []
    for t in type_list:
        if t not in TYPES:
            problems.append(f"{path}: unknown type {t!r}")
    if "anyOf" in node:
        branches = node["anyOf"]
        if not isinstance(branches, list) or not branches:
            problems.append(f"{path}: anyOf must be a non-empty list")
        else:
            for i, sub in enumerate(branches):
                _walk(sub, f"{path}.anyOf[{i}]", depth + 1, defs, problems, counts, visiting)
    elif not type_list and "enum" not in node and "const" not in node:
        problems.append(f"{path}: no type (every schema needs a type, enum, const or anyOf)")
    if "enum" in node:
        values = node["enum"]
        if not isinstance(values, list) or not values:
            problems.append(f"{path}: enum must be a non-empty list")
        else:
            counts["enum"] += len(values)
    if "object" in type_list or "properties" in node:
        props = node.get("properties", {})
        if not isinstance(props, Mapping):
            problems.append(f"{path}.properties: must be an object")
            props = {}
        counts["properties"] += len(props)
        if node.get("additionalProperties") is not False:
            problems.append(f"{path}: objects need additionalProperties: false")
        required = node.get("required", [])
        missing = [p for p in props if p not in required]
        if missing:
            problems.append(
                f"{path}: every property must be required (missing {', '.join(missing)})"
            )
        unknown = [r for r in required if r not in props]
        if unknown:
            problems.append(f"{path}: required names unknown properties ({', '.join(unknown)})")
        for name, sub in props.items():
            _walk(sub, f"{path}.{name}", depth + 1, defs, problems, counts, visiting)
    if "array" in type_list:
        if "items" not in node:
            problems.append(f"{path}: arrays need items")
        else:
            _walk(node["items"], f"{path}[]", depth + 1, defs, problems, counts, visiting)


def expanded_depth(node: Any, defs: Mapping[str, Any], seen: frozenset[str] = frozenset()) -> int:
    """Object/array nesting with every $ref expanded: the structure the model really sees.
    A recursive reference counts as unbounded (strict mode allows recursion, but depth is capped)."""
    if not isinstance(node, Mapping):
        return 0
    if "$ref" in node:
        name = str(node["$ref"]).removeprefix("#/$defs/")
        if name in seen:
            return MAX_DEPTH + 1
        return expanded_depth(defs.get(name), defs, seen | {name})
    below = 0
    for sub in node.get("anyOf", []) or []:
        below = max(below, expanded_depth(sub, defs, seen))
    nests = 0
    for sub in (node.get("properties") or {}).values():
        nests = max(nests, expanded_depth(sub, defs, seen))
    if isinstance(node.get("items"), Mapping):
        nests = max(nests, expanded_depth(node["items"], defs, seen))
    is_container = "properties" in node or "items" in node
    return max(below, nests + (1 if is_container else 0))
