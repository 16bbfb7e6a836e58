"""Writes stay in the project and honour the umask (issue 9: S1, S2).

S1: a cloned repository whose SPEC.md, stack.toml, `.specui/`, `orchestrator/` or `.omx/` is a
symlink out of the project gets a one-line error naming the path (exit 2), and the target is
byte-identical afterwards; a dangling `.specui/session.json` link creates nothing outside. Only
`--allow-outside` (or the user-level config), never the project's own specui.toml, lets specui
write there. S2: with `umask 077` every file specui creates is 0600 and every folder 0700;
`.specui/` is private whatever the umask; an existing file keeps its mode.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from specui import spec_repo
from specui.core.config import RunnerConfig
from specui.core.errors import SpecuiError
from specui.core.paths import Project
from specui.core.questions import Answer
from specui.interview.driver import InterviewDriver
from specui.runner.manager import PhaseManager
from specui.store import SessionStore

from .conftest import assert_one_line_error, cli, specui_process

pytestmark = pytest.mark.reliability

BASHRC = b"# my shell setup\nexport PATH=$HOME/bin:$PATH\n"
ANSWER = Answer(kind="other", value="A recipe organiser for home cooks.",
                other_text="A recipe organiser for home cooks.")


def tree(folder: Path) -> dict[str, bytes | None]:
    """Every entry below `folder` with its bytes (None for folders), to compare before/after."""
    out: dict[str, bytes | None] = {}
    for path in sorted(folder.rglob("*")):
        out[str(path.relative_to(folder))] = None if path.is_dir() else path.read_bytes()
    return out


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    (home / ".bashrc").write_bytes(BASHRC)
    (home / "notes").mkdir()
    (home / "notes" / "keep.txt").write_text("mine\n")
    return home


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    root = tmp_path / "cloned-repo"
    root.mkdir()
    (root / "stack.toml").write_text('[app]\nname = "evil"\nlanguage = "rm -rf"\n')
    return root


def test_spec_md_linked_to_bashrc_is_refused_and_untouched(clone, outside, capsys) -> None:
    (clone / "SPEC.md").symlink_to(outside / ".bashrc")
    before = tree(outside)
    code, _out, err = cli(capsys, "init", str(clone))
    assert code == 2
    assert_one_line_error(err, "SPEC.md", "outside the project")
    project = Project.at(clone)
    store = SessionStore.open(project)
    driver = InterviewDriver(project, store)
    with pytest.raises(SpecuiError, match="outside the project"):
        driver.start()
        driver.answer(ANSWER)
    assert tree(outside) == before


def test_only_the_cli_flag_allows_a_link_out_not_the_projects_config(
    clone, outside, capsys
) -> None:
    notes_spec = outside / "notes" / "SPEC.md"
    (clone / "SPEC.md").symlink_to(notes_spec)
    (clone / "specui.toml").write_text(f'allow_outside = ["{notes_spec}"]\n')
    code, _out, err = cli(capsys, "init", str(clone))
    assert code == 2 and not notes_spec.exists()
    (clone / "specui.toml").unlink()
    code, _out, err = cli(capsys, "init", "--allow-outside", str(notes_spec), str(clone))
    assert code == 0, err
    assert notes_spec.read_text().startswith("# SPEC")


@pytest.mark.parametrize("name", ["stack.toml", ".specui", "orchestrator", ".omx"])
def test_linked_folders_and_files_out_of_the_project_stay_untouched(
    clone, outside, capsys, name: str
) -> None:
    target = outside / ".bashrc" if name == "stack.toml" else outside / "notes"
    if name == "stack.toml":
        (clone / "stack.toml").unlink()
    (clone / name).symlink_to(target)
    before = tree(outside)
    project = Project.at(clone)
    if name == "stack.toml":
        code, _out, err = cli(capsys, "init", str(clone))
        assert code == 2
        assert_one_line_error(err, "stack.toml", "outside the project")
    elif name == ".specui":
        store = SessionStore.open(project)
        with pytest.raises(SpecuiError, match="outside the project"):
            store.update(lambda s: setattr(s.interview, "initial_idea", "x"))
    elif name == "orchestrator":
        prompts = clone / ".codex" / "prompts"
        prompts.mkdir(parents=True)
        (prompts / "speckit.constitution.md").write_text("Do: $ARGUMENTS\n")
        (clone / "specui.toml").write_text(
            f'[runner]\ncommand = [{sys.executable!r}, "-c", "print(1)"]\nnotify = false\n'
        )
        # A real process: `specui run` makes itself a child subreaper, which must not happen
        # to the test process (its orphans would never be reaped).
        proc = specui_process(["run", "constitution", "--input", "x", str(clone)], clone,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        _out, err = proc.communicate(timeout=60)
        assert tree(outside) == before
        assert proc.returncode == 2 and "Traceback" not in err
        assert err.splitlines()[-1].startswith("specui: error: orchestrator")
        assert "outside the project" in err.splitlines()[-1]
    else:
        spec_repo.init_project(project)
        store = SessionStore.open(project)
        driver = InterviewDriver(project, store)
        try:
            driver.start()
            driver.answer(ANSWER)
        except SpecuiError as exc:
            assert "outside the project" in str(exc)
    assert tree(outside) == before


def test_dangling_session_link_creates_nothing_outside(clone, tmp_path, capsys) -> None:
    missing = tmp_path / "elsewhere" / "session.json"
    (clone / ".specui").mkdir()
    (clone / ".specui" / "session.json").symlink_to(missing)
    store = SessionStore.open(Project.at(clone))
    with pytest.raises(SpecuiError, match="session.json"):
        store.update(lambda s: setattr(s.interview, "initial_idea", "x"))
    _code, out, err = cli(capsys, "status", str(clone))
    assert "Traceback" not in out + err
    assert not missing.exists() and not missing.parent.exists()


# ---------------------------------------------------------------------------------- S2


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.fixture
def umask077():
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)


def _everything(root: Path) -> None:
    """init, an answer, a session save, a phase run: every kind of file specui writes."""
    project = Project.at(root)
    spec_repo.init_project(project)
    store = SessionStore.open(project)
    driver = InterviewDriver(project, store)
    driver.start()
    driver.answer(ANSWER)
    prompts = root / ".codex" / "prompts"
    prompts.mkdir(parents=True)
    (prompts / "speckit.constitution.md").write_text("Do: $ARGUMENTS\n")
    os.chmod(root / ".codex", 0o700)  # the test's own files, not specui's
    os.chmod(prompts, 0o700)
    os.chmod(prompts / "speckit.constitution.md", 0o600)
    config = RunnerConfig(command=[sys.executable, "-c", "print(1)"], notify=False)
    manager = PhaseManager(project, store, config, headless=True)
    prepared = manager.prepare("constitution", input_override="x", force=True)
    assert manager.run_foreground(prepared).status == "done"


def test_umask_077_makes_every_new_file_private(tmp_path: Path, umask077) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    _everything(root)
    files = [p for p in root.rglob("*") if p.is_file() and ".codex" not in p.parts]
    folders = [p for p in root.rglob("*") if p.is_dir() and ".codex" not in p.parts]
    assert {"SPEC.md", "stack.toml", "session.json", "status.json", "checkpoint"} <= {
        p.name for p in files
    }
    assert any(p.suffix == ".md" and p.parent.name == "orchestrator" for p in files)
    wrong = {str(p.relative_to(root)): oct(_mode(p)) for p in files if _mode(p) & 0o077}
    wrong |= {str(p.relative_to(root)): oct(_mode(p)) for p in folders if _mode(p) & 0o077}
    assert wrong == {}


def test_default_umask_keeps_specui_state_private_and_existing_modes(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        root = tmp_path / "proj"
        root.mkdir()
        (root / "SPEC.md").write_text("# SPEC: proj\n")
        os.chmod(root / "SPEC.md", 0o640)
        _everything(root)
    finally:
        os.umask(old)
    assert _mode(root / "SPEC.md") == 0o640  # an existing file keeps its mode
    assert _mode(root / "stack.toml") == 0o644  # 0o666 & ~umask
    state = root / ".specui"
    assert _mode(state) == 0o700
    private = [p for p in state.rglob("*") if _mode(p) & 0o077]
    assert private == []
