"""Integration fixtures: the real Codex CLI against a fake Responses server on 127.0.0.1, and
real `specify init` projects. Skipped (with the reason) only when a binary is absent; `make test`
installs both."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fake_responses import FakeResponses

REPO = Path(__file__).resolve().parents[2]
LOCAL_CODEX = REPO / ".venv" / "codex" / "node_modules" / ".bin" / "codex"
LOCAL_SPECIFY = REPO / ".venv" / "specify" / "bin" / "specify"


def _find(local: Path, name: str) -> str | None:
    if local.is_file() and os.access(local, os.X_OK):
        return str(local)
    return shutil.which(name)


@pytest.fixture(scope="session")
def codex_bin() -> str:
    found = _find(LOCAL_CODEX, "codex")
    if found is None:
        pytest.skip("the Codex CLI is not installed (run `make tools`: npm install @openai/codex)")
    return found


@pytest.fixture(scope="session")
def specify_bin() -> str:
    found = _find(LOCAL_SPECIFY, "specify")
    if found is None:
        pytest.skip("Spec Kit's `specify` is not installed (run `make tools`: pip install specify-cli)")
    return found


@pytest.fixture
def fake_server() -> Iterator[FakeResponses]:
    server = FakeResponses().start()
    yield server
    server.stop()


@pytest.fixture
def codex_env(tmp_path_factory, fake_server: FakeResponses, codex_bin: str, monkeypatch) -> dict:
    """CODEX_HOME with a custom provider pointing at the fake server; codex first on PATH.

    Set in os.environ (monkeypatch) because detached supervisors inherit the environment.
    A unique marker variable lets tests find any process a run left behind."""
    home = tmp_path_factory.mktemp("codex-home")
    (home / "config.toml").write_text(
        'model = "fake-model"\n'
        'model_provider = "fake"\n'
        "[model_providers.fake]\n"
        'name = "Fake Responses"\n'
        f'base_url = "{fake_server.base_url}"\n'
        'env_key = "SPECUI_FAKE_API_KEY"\n'
        'wire_api = "responses"\n'
        "request_max_retries = 0\n"
        "stream_max_retries = 0\n"
    )
    marker = uuid.uuid4().hex
    monkeypatch.setenv("CODEX_HOME", str(home))
    monkeypatch.setenv("SPECUI_FAKE_API_KEY", "test-key")
    monkeypatch.setenv("SPECUI_IT_MARKER", marker)
    monkeypatch.setenv("PATH", f"{Path(codex_bin).parent}{os.pathsep}{os.environ['PATH']}")
    return {"home": home, "marker": marker}


def processes_with_marker(marker: str) -> list[int]:
    """Pids of live processes whose environment holds SPECUI_IT_MARKER=<marker>."""
    needle = f"SPECUI_IT_MARKER={marker}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle not in (entry / "environ").read_bytes():
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[-1].split()[0]
        except OSError:
            continue
        if state not in ("Z", "X"):
            found.append(int(entry.name))
    return found


def specui(*args: str, cwd: Path | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    """Run the real `specui` command line (python -m specui) and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "specui", *args], cwd=cwd, capture_output=True,
        timeout=timeout, check=False,
    )


def write_input(root: Path, **blocks: str) -> None:
    (root / "orchestrator").mkdir(exist_ok=True)
    (root / "orchestrator" / "input").write_text(
        "".join(f"<{name}>\n{text}\n</{name}>\n\n" for name, text in blocks.items())
    )


@pytest.fixture
def legacy_project(tmp_path: Path) -> Path:
    """Seed 002's layout: `.codex/prompts/speckit.<phase>.md`."""
    root = tmp_path / "legacy"
    prompts = root / ".codex" / "prompts"
    prompts.mkdir(parents=True)
    for phase in ("constitution", "specify", "plan", "tasks", "implement"):
        (prompts / f"speckit.{phase}.md").write_text(
            f"You are running the {phase} phase.\n\nUser input: $ARGUMENTS\n"
        )
    write_input(root, constitution="Keep it simple.", specify="A todo app.", plan="Use SQLite.")
    return root


@pytest.fixture(scope="session")
def speckit_template(tmp_path_factory, specify_bin: str) -> Path:
    """One real `specify init --here --integration codex` project, made once per session."""
    root = tmp_path_factory.mktemp("speckit-template")
    result = subprocess.run(
        [specify_bin, "init", "--here", "--integration", "codex", "--non-interactive",
         "--ignore-agent-tools", "--force"],
        cwd=root, capture_output=True, timeout=300, check=False,
        env={**os.environ, "NO_COLOR": "1", "SPECIFY_NO_TELEMETRY": "1"},
    )
    assert result.returncode == 0, result.stdout.decode()[-2000:] + result.stderr.decode()[-2000:]
    return root


@pytest.fixture
def speckit_project(tmp_path: Path, speckit_template: Path) -> Path:
    root = tmp_path / "speckit"
    shutil.copytree(speckit_template, root, symlinks=True)
    write_input(root, constitution="Principles: tests first.", specify="A CLI that greets.",
                plan="Python 3.11, no dependencies.")
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty project folder (a test file that needs a `Project` defines its own)."""
    root = tmp_path / "proj"
    root.mkdir()
    return root
