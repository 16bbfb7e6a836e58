"""Log search over the whole file on disk (the runner pane's `/`)."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest

from specui.runner import logsearch
from specui.runner.logsearch import search_file


def test_a_million_lines_last_match_found(tmp_path: Path) -> None:
    path = tmp_path / "implement.md"
    body = b"".join(b"line %d of the log\n" % i for i in range(999_999))
    path.write_bytes(body + b"the LAST needle\n")
    found = search_file(path, "LAST needle")
    assert list(found) == [len(body) + 4]
    assert list(search_file(path, "last needle")) == [len(body) + 4]  # smart case
    assert len(search_file(path, "line 99999")) == 10  # 99999 and 999990..999998
    assert len(search_file(path, "of the")) == 999_999


@pytest.mark.parametrize("chunk", [1, 3, 7, 64])
def test_matches_across_slice_seams_are_found_once(tmp_path: Path, monkeypatch,
                                                   chunk: int) -> None:
    monkeypatch.setattr(logsearch, "CHUNK", chunk)
    text = "abcXYZabc\nxyzxyz\naaaa Xyz\n" * 5
    path = tmp_path / "log.md"
    path.write_text(text)
    for needle in ("xyz", "XYZ", "aa", "a", "abc\nx"):
        folded = text.lower() if needle == needle.lower() else text
        expected = [] if "\n" in needle else [
            m.start() for m in re.finditer(f"(?={re.escape(needle)})", folded)]
        assert list(search_file(path, needle)) == expected, needle


def test_limit_and_stop(tmp_path: Path) -> None:
    path = tmp_path / "log.md"
    path.write_bytes(b"x needle\n" * 10)
    assert len(search_file(path, "needle", limit=18)) == 2  # what a view has indexed
    stop = threading.Event()
    stop.set()
    assert len(search_file(path, "needle", stop=stop)) == 0
    assert len(search_file(path, "")) == 0
