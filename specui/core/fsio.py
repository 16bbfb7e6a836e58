"""Atomic file writes: a temp file in the same directory, fsync, rename, original mode kept.
Symlinks are resolved first, so the file a link points to is what gets replaced.

Every write of a user's file goes through here so a crash mid-write never leaves a torn file.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def atomic_write_bytes(path: Path | str, data: bytes, *, default_mode: int = 0o644) -> None:
    """Replace `path` with `data` atomically, keeping its permission bits if it exists.

    A symlink is followed first (`SPEC.md -> docs/SPEC.md` is common): the temp file goes in
    the *target's* directory and replaces the target, so the link stays a link. Renaming over
    the link itself would silently turn it into a regular file and fork the user's document.
    """
    path = Path(os.path.realpath(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = default_mode
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(path.parent)


def atomic_write_text(path: Path | str, text: str, *, default_mode: int = 0o644) -> None:
    """Write `text` as UTF-8 without newline translation (CRLF files stay CRLF)."""
    atomic_write_bytes(path, text.encode("utf-8"), default_mode=default_mode)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
