"""Shared helpers of the reliability suite (issue 9: races, kill -9, symlinks, umask, hostile
files, escape bytes, escaped processes). Every module is marked `reliability` and runs in
`make test`; the whole suite stays under a minute on two cores."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from specui.cli import main

ROOT = Path(__file__).resolve().parents[2]


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    """`specui ARGV` in this process: (exit code, stdout, stderr). An exception that escapes
    main() (the traceback a user would see) fails the test by itself."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(err: str, *fragments: str) -> None:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("specui: error: "), err
    for fragment in fragments:
        assert fragment in lines[0], err
    assert "Traceback" not in err


def specui_process(args: list[str], cwd: Path, **kwargs) -> subprocess.Popen[bytes]:
    """A real `specui` process (for kill -9 and output-byte checks)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), **kwargs.pop("env", {})}
    return subprocess.Popen([sys.executable, "-m", "specui", *args], cwd=cwd, env=env, **kwargs)


def wait_for(condition, timeout: float = 15.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} not met within {timeout} s"
        time.sleep(0.02)


def alive(pid: int) -> bool:
    """Live and not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _is_subreaper() -> bool:
    import ctypes

    value = ctypes.c_int(0)
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(37, ctypes.byref(value), 0, 0, 0)  # PR_GET_CHILD_SUBREAPER
    return bool(value.value)


@pytest.fixture(autouse=True)
def _test_process_stays_no_subreaper():
    """`specui run` makes its process a child subreaper; run in this process it would leave
    every later test's orphans unreaped (zombies that keep process groups alive)."""
    yield
    assert not _is_subreaper(), "the test made pytest a child subreaper: run specui run apart"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "proj"
    folder.mkdir()
    return folder
