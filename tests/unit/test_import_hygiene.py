"""The pure core stays pure, and the light CLI commands stay light.

Each check runs in a fresh interpreter so that modules imported by other tests (or by pytest
plugins such as pytest-textual-snapshot) cannot hide or fake a violation.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import specui

CORE_DIR = Path(specui.__file__).parent / "core"
FORBIDDEN_IN_CORE = ("textual", "watchfiles", "subprocess")


def _run(code: str, cwd: Path | None = None) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        check=False,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _core_modules() -> list[str]:
    return sorted(
        "specui.core." + ".".join(p.relative_to(CORE_DIR).with_suffix("").parts).removesuffix(
            ".__init__"
        )
        for p in CORE_DIR.rglob("*.py")
        if p.relative_to(CORE_DIR).as_posix() != "__init__.py"
    )


def test_there_are_core_modules_to_check() -> None:
    mods = _core_modules()
    assert "specui.core.ambiguity" in mods and "specui.core.config" in mods


@pytest.mark.parametrize("module", _core_modules())
def test_core_module_imports_nothing_forbidden(module: str) -> None:
    loaded = _run(f"""
        import importlib, json, sys
        importlib.import_module({module!r})
        bad = sorted(m for m in sys.modules
                     if m.split(".")[0] in {FORBIDDEN_IN_CORE!r})
        print(json.dumps(bad))
    """)
    assert loaded == [], f"{module} pulls in {loaded}"


def test_core_loads_no_specui_module_outside_core() -> None:
    # Imports point inward: specui.core may lean on nothing else of specui, transitively.
    loaded = _run(f"""
        import importlib, json, sys
        for m in {_core_modules()!r}:
            importlib.import_module(m)
        bad = sorted(m for m in sys.modules if m.startswith("specui")
                     and m not in ("specui", "specui.core") and not m.startswith("specui.core."))
        print(json.dumps(bad))
    """)
    assert loaded == []


ALLOWED_THIRD_PARTY = frozenset({"pydantic", "tomlkit"})


def _imported_names(path: Path) -> list[tuple[int, str]]:
    """Every absolute module a file imports, lazy (in-function) imports included."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append((node.lineno, node.module))
    return names


@pytest.mark.parametrize(
    "path", sorted(CORE_DIR.rglob("*.py")), ids=lambda p: p.relative_to(CORE_DIR).as_posix()
)
def test_core_source_imports_only_core_stdlib_pydantic_tomlkit(path: Path) -> None:
    bad = []
    for line, name in _imported_names(path):
        top = name.split(".")[0]
        if top == "specui":
            ok = name.startswith("specui.core.") or name == "specui.core"
        else:
            ok = top in sys.stdlib_module_names or top in ALLOWED_THIRD_PARTY
        ok = ok and top not in FORBIDDEN_IN_CORE
        if not ok:
            bad.append(f"{path.name}:{line}: {name}")
    assert bad == []


def test_the_source_check_would_catch_a_leaf_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import re\ndef f():\n    from specui.errors import SpecuiError\n")
    assert [n for _, n in _imported_names(sample)] == ["re", "specui.errors"]


def test_status_and_init_do_not_import_textual(tmp_path: Path) -> None:
    loaded = _run(f"""
        import contextlib, io, json, sys
        from specui.cli import main
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            codes = [main(["init", {str(tmp_path)!r}]),
                     main(["status", {str(tmp_path)!r}]),
                     main(["status", {str(tmp_path)!r}, "--json"])]
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "watchfiles"))
        print(json.dumps({{"codes": codes, "heavy": heavy}}))
    """)
    assert loaded == {"codes": [0, 0, 0], "heavy": []}
