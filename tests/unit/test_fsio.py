"""Atomic writes: content, mode kept, and symlinked files stay symlinks."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from specui.core.fsio import atomic_write_bytes, atomic_write_text


def test_writes_text_without_newline_translation(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "SPEC.md"
    atomic_write_text(target, "a\r\nb\n")
    assert target.read_bytes() == b"a\r\nb\n"
    assert [p.name for p in target.parent.iterdir()] == ["SPEC.md"]  # no temp file left


def test_keeps_the_mode(tmp_path: Path) -> None:
    target = tmp_path / "SPEC.md"
    target.write_text("old")
    target.chmod(0o600)
    atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_symlinked_file_stays_a_symlink(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    real = docs / "SPEC.md"
    real.write_text("old\n")
    real.chmod(0o640)
    link = tmp_path / "SPEC.md"
    link.symlink_to(Path("docs") / "SPEC.md")
    atomic_write_text(link, "new\n")
    assert link.is_symlink() and os.readlink(link) == os.path.join("docs", "SPEC.md")
    assert real.read_text() == "new\n" and link.read_text() == "new\n"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    # The temp file was made next to the target, and nothing is left behind anywhere.
    assert sorted(p.name for p in docs.iterdir()) == ["SPEC.md"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["SPEC.md", "docs"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_chained_and_dangling_symlinks_write_the_final_target(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "mid.md").symlink_to("docs/SPEC.md")  # dangling until written
    link = tmp_path / "SPEC.md"
    link.symlink_to("mid.md")
    atomic_write_text(link, "x")
    assert link.is_symlink() and (tmp_path / "mid.md").is_symlink()
    assert (tmp_path / "docs" / "SPEC.md").read_text() == "x"
