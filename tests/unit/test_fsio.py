"""Atomic writes: content, modes, symlinks inside and outside the project, concurrent writers
that take no lock, and the temp files a killed process leaves behind."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from specui.core import fsio
from specui.core.errors import SpecuiError
from specui.core.fsio import (
    OutsidePathError,
    allow_outside,
    atomic_write_bytes,
    atomic_write_text,
    make_dirs,
    remove_stale_temps,
    replace_merged,
)


def test_writes_text_without_newline_translation(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "SPEC.md"
    atomic_write_text(target, "a\r\nb\n")
    assert target.read_bytes() == b"a\r\nb\n"
    assert [p.name for p in target.parent.iterdir()] == ["SPEC.md"]  # no temp file left


def test_keeps_the_mode(tmp_path: Path) -> None:
    target = tmp_path / "SPEC.md"
    target.write_text("old")
    target.chmod(0o600)
    atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_symlinked_file_stays_a_symlink(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    real = docs / "SPEC.md"
    real.write_text("old\n")
    real.chmod(0o640)
    link = tmp_path / "SPEC.md"
    link.symlink_to(Path("docs") / "SPEC.md")
    atomic_write_text(link, "new\n")
    assert link.is_symlink() and os.readlink(link) == os.path.join("docs", "SPEC.md")
    assert real.read_text() == "new\n" and link.read_text() == "new\n"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    # The temp file was made next to the target, and nothing is left behind anywhere.
    assert sorted(p.name for p in docs.iterdir()) == ["SPEC.md"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["SPEC.md", "docs"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_chained_and_dangling_symlinks_write_the_final_target(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "mid.md").symlink_to("docs/SPEC.md")  # dangling until written
    link = tmp_path / "SPEC.md"
    link.symlink_to("mid.md")
    atomic_write_text(link, "x")
    assert link.is_symlink() and (tmp_path / "mid.md").is_symlink()
    assert (tmp_path / "docs" / "SPEC.md").read_text() == "x"


# --------------------------------------------------------------------------- confinement (S1)


@pytest.fixture
def no_allowances(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fsio, "_allowed_outside", [])


def test_a_symlink_out_of_the_project_is_refused_and_its_target_untouched(
    tmp_path: Path, no_allowances: None
) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    outside = tmp_path / "bashrc"
    outside.write_bytes(b"export PATH=/usr/bin\n")
    (project / "SPEC.md").symlink_to(outside)
    with pytest.raises(OutsidePathError, match=r"SPEC\.md .*bashrc.*outside the project"):
        atomic_write_text(project / "SPEC.md", "spec", root=project)
    with pytest.raises(OutsidePathError):
        replace_merged(project / "SPEC.md", lambda data: b"spec", root=project)
    assert outside.read_bytes() == b"export PATH=/usr/bin\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bashrc", "proj"]


def test_a_symlinked_folder_out_of_the_project_gets_no_new_file(
    tmp_path: Path, no_allowances: None
) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (project / ".specui").symlink_to(elsewhere)
    with pytest.raises(OutsidePathError, match=r"\.specui/session\.json"):
        atomic_write_text(project / ".specui" / "session.json", "{}", root=project)
    with pytest.raises(OutsidePathError):
        make_dirs(project / ".specui" / "runs" / "r1", root=project)
    assert list(elsewhere.iterdir()) == []


def test_a_dangling_symlink_out_of_the_project_creates_nothing(
    tmp_path: Path, no_allowances: None
) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    (project / "stack.toml").symlink_to(tmp_path / "missing" / "stack.toml")
    with pytest.raises(OutsidePathError):
        replace_merged(project / "stack.toml", lambda data: b"x", root=project)
    assert not (tmp_path / "missing").exists()


def test_allow_outside_lets_the_user_keep_a_file_elsewhere(
    tmp_path: Path, no_allowances: None
) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    docs = tmp_path / "docs"
    docs.mkdir()
    (project / "SPEC.md").symlink_to(docs / "SPEC.md")
    allow_outside([docs])
    atomic_write_text(project / "SPEC.md", "kept elsewhere", root=project)
    assert (docs / "SPEC.md").read_text() == "kept elsewhere"
    assert (project / "SPEC.md").is_symlink()


def test_a_symlink_loop_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    with pytest.raises(SpecuiError, match="symlink loop"):
        atomic_write_text(tmp_path / "a", "x", root=tmp_path)


# --------------------------------------------------------------------------- modes (S2)


@pytest.fixture
def umask077():
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture
def umask022():
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_files_follow_the_umask(tmp_path: Path, umask077: None) -> None:
    atomic_write_text(tmp_path / "SPEC.md", "x", root=tmp_path)
    replace_merged(tmp_path / "stack.toml", lambda data: b"y", root=tmp_path)
    atomic_write_text(tmp_path / "orchestrator" / "input", "z", root=tmp_path)
    assert _mode(tmp_path / "SPEC.md") == 0o600
    assert _mode(tmp_path / "stack.toml") == 0o600
    assert _mode(tmp_path / "orchestrator") == 0o700


def test_new_files_get_0666_minus_umask_and_specui_files_stay_private(
    tmp_path: Path, umask022: None
) -> None:
    atomic_write_text(tmp_path / "SPEC.md", "x", root=tmp_path)
    atomic_write_text(tmp_path / ".specui" / "runs" / "r1" / "status.json", "{}", root=tmp_path)
    assert _mode(tmp_path / "SPEC.md") == 0o644
    assert _mode(tmp_path / ".specui") == 0o700
    assert _mode(tmp_path / ".specui" / "runs" / "r1") == 0o700
    assert _mode(tmp_path / ".specui" / "runs" / "r1" / "status.json") == 0o600


def test_existing_files_keep_their_mode_through_a_merge(tmp_path: Path, umask077: None) -> None:
    target = tmp_path / "SPEC.md"
    target.write_text("old")
    target.chmod(0o664)
    replace_merged(target, lambda data: data + b" new", root=tmp_path)
    assert target.read_text() == "old new" and _mode(target) == 0o664


# --------------------------------------------------------------------------- read, merge, replace (D1)


@pytest.fixture(params=[True, False], ids=["exchange", "rename"])
def swap(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both ways of swapping the file in: renameat2 exchange and the plain-rename fallback."""
    monkeypatch.setattr(fsio, "_exchange_supported", request.param)


def test_a_change_before_the_swap_makes_the_merge_run_again(tmp_path: Path, swap: None) -> None:
    target = tmp_path / "SPEC.md"
    target.write_text("a\n")
    seen: list[bytes | None] = []

    def merge(data: bytes | None) -> bytes:
        seen.append(data)
        if len(seen) == 1:  # another program appends while we compute
            with open(target, "a") as handle:
                handle.write("theirs\n")
        return (data or b"") + b"ours\n"

    done = replace_merged(target, merge, root=tmp_path)
    assert seen == [b"a\n", b"a\ntheirs\n"]
    assert target.read_bytes() == b"a\ntheirs\nours\n"
    assert done is not None and done.lost is None


def test_a_write_into_the_replaced_file_during_the_swap_is_returned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, swap: None
) -> None:
    target = tmp_path / "SPEC.md"
    target.write_text("a\n")
    with open(target, "a") as held:  # a writer that opened the file before the swap

        def late_write(_seconds: float) -> None:
            held.write("late\n")
            held.flush()

        monkeypatch.setattr(fsio.time, "sleep", late_write)
        done = replace_merged(target, lambda data: data + b"ours\n", root=tmp_path)
    assert target.read_bytes() == b"a\nours\n"
    assert done is not None and done.previous == b"a\n" and done.lost == b"a\nlate\n"


def test_creating_never_replaces_a_file_that_appeared_meanwhile(tmp_path: Path) -> None:
    target = tmp_path / "stack.toml"
    calls: list[bytes | None] = []

    def merge(data: bytes | None) -> bytes | None:
        calls.append(data)
        if data is None:
            target.write_text("theirs\n")
            return b"ours\n"
        return None  # exists now: nothing to create

    assert replace_merged(target, merge, root=tmp_path) is None
    assert calls == [None, b"theirs\n"] and target.read_text() == "theirs\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stack.toml"]


def test_nothing_to_write_leaves_the_file_alone(tmp_path: Path) -> None:
    target = tmp_path / "SPEC.md"
    target.write_text("same")
    before = target.stat().st_ino
    assert replace_merged(target, lambda data: None, root=tmp_path) is None
    assert target.stat().st_ino == before


# --------------------------------------------------------------------------- stale temps (U4)


def test_stale_temp_files_of_our_naming_are_removed(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    (project / ".specui").mkdir(parents=True)
    old = [project / ".SPEC.md.ab12cd_9.tmp", project / ".specui" / ".session.json.zzzzzzzz.tmp"]
    keep = [
        project / ".SPEC.md.fresh123.tmp",  # young: a write in progress elsewhere
        project / "notes.tmp",  # not our naming
        project / ".SPEC.md.toolong12345.tmp",
    ]
    for path in old + keep:
        path.write_text("x")
    for path in old + keep[1:]:
        os.utime(path, (time.time() - 3600, time.time() - 3600))
    outside = tmp_path / "outside"
    outside.mkdir()
    foreign = outside / ".x.aaaaaaaa.tmp"
    foreign.write_text("x")
    os.utime(foreign, (time.time() - 3600, time.time() - 3600))
    (project / "orchestrator").symlink_to(outside)

    removed = remove_stale_temps(
        [project, project / ".specui", project / "orchestrator"], root=project
    )

    assert sorted(removed) == sorted(old)
    assert all(p.exists() for p in keep) and foreign.exists()


def test_the_session_store_writes_private_files_and_cleans_old_temps(
    tmp_path: Path, umask022: None
) -> None:
    from specui.core.paths import Project
    from specui.store import SessionStore

    project = Project.at(tmp_path)
    stale = tmp_path / ".SPEC.md.k1ll3d00.tmp"
    stale.write_text("half a spec")
    os.utime(stale, (time.time() - 3600, time.time() - 3600))

    store = SessionStore.open(project)
    store.update(lambda s: None)

    assert not stale.exists()
    assert _mode(project.state_dir) == 0o700
    assert _mode(project.session) == 0o600
    assert _mode(project.state_dir / ".session.lock") == 0o600


def test_a_writer_given_no_root_is_confined_by_the_specui_folder(
    tmp_path: Path, umask022: None, no_allowances: None
) -> None:
    """The detached phase supervisor only knows its run folder; `.specui/` names the project."""
    project = tmp_path / "proj"
    status = project / ".specui" / "runs" / "r1" / "status.json"
    atomic_write_text(status, "{}")
    assert _mode(status) == 0o600 and _mode(project / ".specui") == 0o700

    other = tmp_path / "other"
    other.mkdir()
    (tmp_path / "elsewhere").mkdir()
    (other / ".specui").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(OutsidePathError):
        atomic_write_text(other / ".specui" / "runs" / "r1" / "status.json", "{}")
    assert list((tmp_path / "elsewhere").iterdir()) == []


@pytest.mark.parametrize("write", ["atomic", "merged"])
def test_a_read_only_file_is_refused_and_left_alone(tmp_path: Path, write: str) -> None:
    """The rename needs only the folder's permission: it replaced a file the user locked."""
    target = tmp_path / "SPEC.md"
    target.write_text("mine")
    target.chmod(0o444)
    with pytest.raises(fsio.ReadOnlyError, match=r"SPEC\.md is read-only; specui did not change"):
        if write == "atomic":
            atomic_write_bytes(target, b"new")
        else:
            replace_merged(target, lambda old: b"new")
    assert target.read_text() == "mine"
    assert stat.S_IMODE(target.stat().st_mode) == 0o444
    assert [p.name for p in tmp_path.iterdir()] == ["SPEC.md"]  # no temp file left
    target.chmod(0o644)  # made writable again: written
    replace_merged(target, lambda old: b"new")
    assert target.read_text() == "new"


def test_a_read_only_file_is_named_from_the_project_root_and_is_a_failed_write(tmp_path: Path):
    """The session store keeps working when a save fails (OSError): a read-only session file
    is such a failure, not an error out of every update; the hint names the path to chmod."""
    target = tmp_path / "orchestrator" / "input"
    target.parent.mkdir()
    target.write_text("mine")
    target.chmod(0o444)
    with pytest.raises(PermissionError, match=r"^orchestrator/input is read-only; .*chmod u\+w "
                       r"orchestrator/input"):
        atomic_write_bytes(target, b"new", root=tmp_path)


def test_the_store_keeps_working_over_a_read_only_session_file(tmp_path: Path) -> None:
    from specui.core.paths import Project
    from specui.store import SessionStore

    project = Project.at(tmp_path)
    store = SessionStore.open(project)
    store.update(lambda s: setattr(s.interview, "notice", "first"))
    store.path.chmod(0o444)
    store.update(lambda s: setattr(s.interview, "notice", "second"))  # no exception
    assert store.state.interview.notice == "second"
    assert any("session.json is read-only" in m for m in store.messages)
