"""The question pane opens in the project folder whatever its name: tmux expands `#{…}` and
`#(…)` formats in a start directory (`-c`), so a folder named `x#(touch pwned)` made tmux run
`touch pwned` when `specui question` split a pane for it (found in trial4, tmux 3.3a)."""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from specui.bridge.tmux import Tmux

pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux not installed")]


def _server(tmp_path: Path) -> tuple[dict[str, str], str]:
    socket = tmp_path / f"tmux-{uuid.uuid4().hex[:8]}"
    subprocess.run(["tmux", "-S", str(socket), "-f", "/dev/null", "new-session", "-d", "-s",
                    "t", "-x", "80", "-y", "30", "sleep", "60"], check=True, timeout=20)
    pane = subprocess.run(["tmux", "-S", str(socket), "display-message", "-p", "-t", "t",
                           "#{pane_id}"], capture_output=True, text=True, check=True,
                          timeout=20).stdout.strip()
    return {"TMUX": f"{socket},0,0", "TMUX_PANE": pane, "PATH": "/usr/bin:/bin"}, str(socket)


@pytest.mark.parametrize("opener", ["split", "new_window"])
def test_a_folder_name_is_never_run_as_a_tmux_format(tmp_path: Path, opener: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # where a format's `#(…)` command would run
    env, socket = _server(tmp_path)
    folder = tmp_path / "x#(touch pwned)#{pane_id}"
    folder.mkdir()
    out = tmp_path / "cwd.txt"
    try:
        tmux = Tmux(env)
        command = ["sh", "-c", f"pwd > {out}; sleep 2"]
        if opener == "split":
            tmux.split(env["TMUX_PANE"], folder, command, {}, height=5)
        else:
            tmux.new_window(env["TMUX_PANE"], folder, command, {}, name="q")
        deadline = time.monotonic() + 10
        while not out.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)
        assert not (folder / "pwned").exists() and not (tmp_path / "pwned").exists()
        assert out.read_text().strip() == str(folder)
    finally:
        subprocess.run(["tmux", "-S", socket, "kill-server"], check=False, timeout=20)
