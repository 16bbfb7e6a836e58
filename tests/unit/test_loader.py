"""The one loader rule: limits before parsing, every failure a one-line LoadError."""

from __future__ import annotations

import json
import os

import pytest

from specui.core.errors import SpecuiError
from specui.core.loader import (
    LoadError,
    load_json_file,
    load_json_text,
    load_toml_document,
    load_toml_file,
    load_toml_text,
    nesting_depth,
    read_text_file,
)


def test_nesting_depth_ignores_brackets_in_strings_and_comments() -> None:
    assert nesting_depth('{"a": [1, "[[[[{{{"]}') == 2
    assert nesting_depth('"[[[[" ') == 0
    assert nesting_depth('x = "[[[" # [[[[\ny = [[1]]\n', toml=True) == 2
    assert nesting_depth("x = '''\n[[[[\n'''\n", toml=True) == 1  # the key x
    assert nesting_depth("[" * 100_000 + "]" * 100_000) == 100_000
    assert nesting_depth("[a.b.c]\nx.y = 1.5\nz = [1.5, 2.5]\n", toml=True) == 3
    assert nesting_depth("a" * 200_000, toml=True) == 0  # linear on a run without "="


@pytest.mark.parametrize(
    "text",
    ["[" * 100_000 + "]" * 100_000, '{"a":' * 100_000 + "1" + "}" * 100_000],
    ids=["arrays", "objects"],
)
def test_deep_json_is_refused_before_parsing(text: str) -> None:
    with pytest.raises(LoadError, match=r"^x\.json: nested deeper than 64 levels$"):
        load_json_text(text, what="x.json")


def test_json_errors_are_one_line() -> None:
    with pytest.raises(LoadError, match="not valid JSON") as info:
        load_json_text("{not json", what="p")
    assert "\n" not in str(info.value)
    with pytest.raises(LoadError, match="not UTF-8"):
        load_json_text(b"\xff\xfe", what="p")
    with pytest.raises(LoadError, match="not usable JSON"):
        load_json_text("1" * 5000, what="p")  # int digits limit: a ValueError, not a decode error
    with pytest.raises(LoadError, match="too large"):
        load_json_text("[]" + " " * 100, what="p", max_bytes=50)
    assert load_json_text(json.dumps({"a": [1, "]]]["]}), what="p") == {"a": [1, "]]]["]}


@pytest.mark.parametrize(
    "text",
    [
        "a = " + "[" * 50_000 + "]" * 50_000,
        "a." * 50_000 + "a = 1",
        "[" + "a." * 300 + "a]\n",
        "x = " + "{y = " * 80 + "1" + "}" * 80,
        "x = {" + "a." * 50_000 + "a = 1}",
    ],
    ids=["arrays", "dotted-key", "dotted-header", "inline-tables", "inline-dotted-key"],
)
def test_deep_toml_is_refused(text: str) -> None:
    with pytest.raises(LoadError, match=r"^s\.toml: "):
        load_toml_text(text, what="s.toml")
    with pytest.raises(LoadError, match=r"^s\.toml: "):
        load_toml_document(text, what="s.toml")


def test_toml_syntax_error_names_the_line() -> None:
    with pytest.raises(LoadError, match=r"^s\.toml: line 2: "):
        load_toml_text("a = 1\nb = \n", what="s.toml")
    with pytest.raises(LoadError, match=r"^s\.toml: line 2: "):
        load_toml_document("a = 1\nb = \n", what="s.toml")
    assert load_toml_text("[a]\nx = 1\n", what="s") == {"a": {"x": 1}}


def test_files_that_are_not_regular_files(tmp_path) -> None:
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    os.mkfifo(tmp_path / "fifo")  # must not block
    (tmp_path / "dir").mkdir()
    cases = {
        "loop": "a symlink loop",
        "dangling": "a symlink to .*nowhere, which does not exist",
        "fifo": "not a regular file",
        "dir": "a directory, not a file",
        "missing": "missing",
    }
    for name, reason in cases.items():
        with pytest.raises(LoadError, match=reason) as info:
            load_json_file(tmp_path / name, what=name)
        assert isinstance(info.value, SpecuiError)
        assert info.value.missing is (name == "missing")


def test_symlinks_are_refused_when_asked(tmp_path) -> None:
    (tmp_path / "real.toml").write_text("a = 1\n")
    (tmp_path / "link.toml").symlink_to(tmp_path / "real.toml")
    assert load_toml_file(tmp_path / "link.toml", what="l") == {"a": 1}
    with pytest.raises(LoadError, match="does not follow"):
        load_toml_file(tmp_path / "link.toml", what="l", follow_symlinks=False)


def test_file_size_limit(tmp_path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("x" * 2000)
    with pytest.raises(LoadError, match="too large"):
        read_text_file(path, what="big", max_bytes=1000)
    assert read_text_file(path, what="big") == "x" * 2000
