"""Find text in a whole log file on disk, fast enough for a million lines.

The runner pane's `/` searches the log file itself, not the rows on screen: a phase log can
hold a million lines and the match the user wants is usually far from the visible window. The
file is read in 256 KiB slices with `os.pread` and searched with `bytes.find` (a two-way /
memchr search in C), so a 1M-line log takes about as long as `grep -c` (bench/bench_log_search.py
measures the ratio). Smart case, as in less and vim: a needle in all lower case matches any
case (the slice is lower-cased first: still one C pass), one with a capital matches exactly.
"""

from __future__ import annotations

import os
import threading
from array import array
from pathlib import Path

__all__ = ["CHUNK", "search_file"]

CHUNK = 256 * 1024  # measured: larger slices fall out of the CPU cache and are slower


def search_file(
    path: Path | str, needle: str, *, stop: threading.Event | None = None,
    limit: int | None = None,
) -> array:
    """Byte offsets of every match of `needle` in the file at `path` (an `array('Q')`, in
    order). `stop` ends the scan early (the user typed a new search); `limit` caps the
    file size read (the bytes a view has indexed). A needle with a newline matches nothing."""
    found = array("Q")
    if not needle or "\n" in needle:
        return found
    fold = needle == needle.lower()
    pattern = (needle.lower() if fold else needle).encode("utf-8")
    overlap = len(pattern) - 1
    fd = os.open(path, os.O_RDONLY)
    try:
        end = os.fstat(fd).st_size if limit is None else limit
        pos = 0
        while pos < end:
            if stop is not None and stop.is_set():
                break
            data = os.pread(fd, min(CHUNK + overlap, end - pos), pos)
            if not data:
                break
            # Each slice reads `overlap` bytes past its share, so a match across the seam is
            # seen; matches that start in those bytes belong to the next slice.
            share = len(data) if pos + len(data) >= end else min(CHUNK, len(data))
            if fold:
                data = data.lower()
            index = data.find(pattern)
            while index != -1 and index < share:
                found.append(pos + index)
                index = data.find(pattern, index + 1)
            pos += share
        return found
    finally:
        os.close(fd)
