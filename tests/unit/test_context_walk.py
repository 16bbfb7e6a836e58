"""The one bounded repository walk shared by brownfield detection and the offline engine's scan."""

from __future__ import annotations

from pathlib import Path

from specui.interview.context import detect, walk
from specui.interview.engines.builtin_reading import scan_repository


def _tree(root: Path, paths: list[str]) -> None:
    for p in paths:
        f = root / p
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text("def f():\n    pass\n")


def test_walk_is_breadth_first_sorted_bounded_and_skips_hidden(tmp_path: Path):
    _tree(tmp_path, ["b.py", "a/x.py", "a/b/c/deep.py", ".git/config.py", "skip/me.py"])
    got = [
        (e.rel, e.depth, e.is_dir)
        for e in walk(tmp_path, max_depth=2, max_entries=100, skip=lambda n, d, _: n == "skip")
    ]
    assert got == [
        ("a", 0, True),
        ("b.py", 0, False),
        ("a/b", 1, True),
        ("a/x.py", 1, False),
        ("a/b/c", 2, True),  # listed, not entered: deep.py would be depth 3
    ]


def test_walk_opens_no_folder_after_max_entries(tmp_path: Path):
    _tree(tmp_path, [f"f{i}.py" for i in range(5)] + ["sub/later.py"])
    rels = [e.rel for e in walk(tmp_path, max_depth=5, max_entries=3)]
    assert "sub/later.py" not in rels and len(rels) == 6  # the first folder is listed whole


def test_detection_and_the_scan_keep_their_depths(tmp_path: Path):
    _tree(tmp_path, ["a/b/c/d/four.py", "a/b/c/d/e/five.py", "a/b/c/d/e/f/six.py"])
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    ctx = detect(tmp_path)
    assert ctx is not None and ctx.files_sample == ["pyproject.toml", "a/b/c/d/four.py"]
    scan = scan_repository(tmp_path, ["four", "five", "six"])
    assert {f.path for f in scan.touchpoints} == {
        "a/b/c/d/four.py",
        "a/b/c/d/e/five.py",
        "a/b/c/d/e/f/six.py",
    }
