"""`make run` sample preparation and the README screenshot script."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from specui.devtools.sample import SAMPLES_DIR, main, prepare


def tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(str(path.relative_to(root)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def test_prepare_copies_then_keeps_the_users_progress(tmp_path: Path):
    before = tree_digest(SAMPLES_DIR / "todo-cli")
    dest = tmp_path / ".scratch" / "demo"
    assert "copied" in prepare(dest)
    assert (dest / "README.md").read_text() == (SAMPLES_DIR / "todo-cli" / "README.md").read_text()
    (dest / "SPEC.md").write_text("# my progress\n")
    assert main([str(dest)]) == 0  # a second `make run` must not fail...
    assert (dest / "SPEC.md").read_text() == "# my progress\n"  # ...nor lose progress
    assert "copied" in prepare(dest, fresh=True)
    assert not (dest / "SPEC.md").exists()
    assert tree_digest(SAMPLES_DIR / "todo-cli") == before  # the sample is never modified


def test_prepare_refuses_unknown_samples_and_paths(tmp_path: Path):
    with pytest.raises(SystemExit, match="no sample named"):
        prepare(tmp_path / "x", "../specui")
    with pytest.raises(SystemExit, match="inside the sample"):
        prepare(SAMPLES_DIR / "todo-cli" / "sub")


def test_screenshot_script_writes_an_svg(tmp_path: Path):
    from specui.devtools.screenshot import main as shot

    out = tmp_path / "shot.svg"
    assert shot([str(out), "--size", "100x30"]) == 0
    svg = out.read_text()
    assert svg.startswith("<svg") and "Spec&#160;Creation&#160;Progress" in svg
    assert "Round&#160;" in svg
