"""The built wheel carries what the workbench reads at run time: the themes (package data under
specui/ui/themes/) and the .tcss sheets. Built with pip, unpacked into a folder and imported
from there by a fresh interpreter (dependencies from this venv), so the source tree is never
what is tested."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import sys, pathlib
import specui
from specui.core.paths import Project
from specui.ui.app import PANES_CSS, SHELL_CSS, SpecuiApp

here = pathlib.Path(specui.__file__).resolve()
assert here.is_relative_to(pathlib.Path(sys.argv[1]).resolve()), here
app = SpecuiApp(Project.at(pathlib.Path(sys.argv[2])), watch=False)
assert app.theme == "specui-dark", app.theme
assert app._theme_warnings == [], app._theme_warnings
assert {"specui-dark", "specui-light"} <= set(app.available_themes)
for sheet in (SHELL_CSS, *PANES_CSS):
    assert sheet.is_file(), sheet
print("ok")
"""


def test_the_installed_wheel_has_its_themes_and_styles(tmp_path: Path):
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "-w", str(dist), str(ROOT)],
        check=True, capture_output=True, text=True, cwd=tmp_path,
    )
    (wheel,) = dist.glob("specui-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "specui/ui/themes/specui-dark.toml" in names
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-compile",
         "--target", str(site), str(wheel)],
        check=True, capture_output=True, text=True, cwd=tmp_path,
    )
    project = tmp_path / "project"
    project.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("SPECUI_THEME", None)
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(site), str(project)],
        check=False, capture_output=True, text=True, cwd=tmp_path, env=env,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
