"""The real workbench inside a real tmux: `specui` in a detached session, driven with send-keys,
read back with capture-pane. This is how people use it (seed 002's user lives in tmux).

Each test has its own tmux server (`-L <unique socket>`, no user config) that is always killed
in teardown, so nothing leaks into — or out of — a developer's own tmux.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

TMUX = shutil.which("tmux")
REPO = Path(__file__).resolve().parents[2]


class Tmux:
    """One private tmux server with one session running `specui DIR`."""

    def __init__(self, socket: str) -> None:
        self.socket = socket

    def __call__(self, *args: str, check: bool = True) -> str:
        assert TMUX is not None
        result = subprocess.run(
            [TMUX, "-L", self.socket, "-f", "/dev/null", *args],
            capture_output=True, text=True, timeout=20, check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)} failed: {result.stderr.strip()}")
        return result.stdout

    def start(self, project: Path, home: Path, width: int, height: int) -> None:
        # A clean, explicit environment (`env -i`): the tmux server copies the test process's,
        # and pytest's holds COLUMNS=80 / LINES=24, which would pin Textual to 80x24.
        env = {
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "PYTHONPATH": str(REPO),
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "TERM": "tmux-256color",
        }
        command = ["env", "-i", *(f"{k}={v}" for k, v in env.items()),
                   sys.executable, "-m", "specui", str(project)]
        self("new-session", "-d", "-s", "specui", "-x", str(width), "-y", str(height),
             *command)

    def keys(self, *keys: str) -> None:
        self("send-keys", "-t", "specui", *keys)

    def type(self, text: str) -> None:
        self("send-keys", "-t", "specui", "-l", text)

    def screen(self) -> str:
        return self("capture-pane", "-p", "-t", "specui", check=False)

    def wait_screen(self, predicate: Callable[[str], bool], what: str,
                    timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if predicate(screen):
                return screen
            time.sleep(0.2)
        raise AssertionError(f"screen never showed {what}; last screen:\n{screen}")

    def kill(self) -> None:
        self("kill-server", check=False)


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    if TMUX is None:
        pytest.skip("tmux is not installed (apt-get install tmux): the real-terminal test needs it")
    server = Tmux(f"specui-test-{uuid.uuid4().hex[:12]}")
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "todo-cli"
    root.mkdir()
    return root


def lines_with(screen: str, needle: str) -> list[str]:
    return [line for line in screen.splitlines() if needle in line]


def test_interview_in_tmux_at_80x24(tmux: Tmux, project: Path, tmp_path: Path) -> None:
    tmux.start(project, tmp_path / "home", 80, 24)
    screen = tmux.wait_screen(lambda s: "Round 1 |" in s and "Ctrl+S" in s, "round 1")
    assert len(screen.splitlines()) <= 24
    assert lines_with(screen, "Spec Creation Progress: ░░░░░░░░░░░░ 0%")
    assert "overview" in screen  # the first question is free text

    tmux.type("A CLI todo app for busy developers: add, list and complete tasks.")
    tmux.keys("C-s")
    screen = tmux.wait_screen(lambda s: "Round 2 |" in s, "round 2")
    assert "(choose all that apply)" in screen and "[ ]" in screen  # a multi-select question
    tmux.keys("1")
    tmux.keys("3")
    screen = tmux.wait_screen(lambda s: s.count("[x]") == 2, "two options toggled")
    ticked = [line.split("[x]", 1)[1].strip().split("  ")[0].strip()
              for line in screen.splitlines() if "[x]" in line]
    tmux.keys("Enter")
    screen = tmux.wait_screen(lambda s: "Round 3 |" in s, "round 3")

    progress = lines_with(screen, "Spec Creation Progress:")
    assert len(progress) == 1 and progress[0].strip().endswith(f"{project.name}")
    assert "%" in progress[0]
    # What was typed and chosen reached SPEC.md through the real engine.
    spec = (project / "SPEC.md").read_text()
    assert "busy developers" in spec
    for label in ticked:  # the two non-goals ticked on screen were written
        assert label and label in spec, (label, spec)


def test_all_panes_at_once_at_200x50(tmux: Tmux, project: Path, tmp_path: Path) -> None:
    tmux.start(project, tmp_path / "home", 200, 50)
    screen = tmux.wait_screen(
        lambda s: "Round 1 |" in s and "no phase running" in s, "round 1 and the runner pane"
    )
    for title in ("Interview", "Answer", "Ambiguity", "SPEC.md", "Runner"):
        assert lines_with(screen, f"─{title}"), f"pane {title} not on screen:\n{screen}"
    assert lines_with(screen, "Spec Creation Progress:")
    assert "Phases" in screen and "constitution" in screen and "implement" in screen
    assert "Dimension" in screen  # the ambiguity table itself, not only its title
