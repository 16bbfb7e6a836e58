"""The pure core stays pure, and the light CLI commands stay light.

Each check runs in a fresh interpreter so that modules imported by other tests (or by pytest
plugins such as pytest-textual-snapshot) cannot hide or fake a violation.
"""

from __future__ import annotations

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
    return sorted(f"specui.core.{p.stem}" for p in CORE_DIR.glob("*.py") if p.stem != "__init__")


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


def test_core_imports_only_core_and_leaf_modules() -> None:
    # specui.core may lean on the stdlib-only leaf modules (errors, project, fsio), nothing else:
    # never the store, the runner, the engines or the UI.
    loaded = _run(f"""
        import importlib, json, sys
        for m in {_core_modules()!r}:
            importlib.import_module(m)
        allowed = {{"specui", "specui.core", "specui.errors", "specui.project", "specui.fsio"}}
        bad = sorted(m for m in sys.modules if m.startswith("specui")
                     and m not in allowed and not m.startswith("specui.core."))
        print(json.dumps(bad))
    """)
    assert loaded == []


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
