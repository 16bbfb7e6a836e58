"""One hostile corpus through every reader (issue 9: D2, C1-C5, U1, U2).

Every JSON and TOML file specui reads, and every payload it parses, meets the same corpus: a
100,000-deep array, 100,000 nested objects / a 50,000-part dotted key, bytes that are not
UTF-8, a 9 MiB file, and in the file's place a directory, a FIFO, a symlink loop and a dangling
symlink. The rule (core.loader): a CLI exits 2 with one line naming the file, never a
traceback, never a hang; the session file is set aside and never overwritten; fail-soft
readers (OMX config, themes, Spec Kit's feature.json while polling) skip it with a reason.
"""

from __future__ import annotations

import io
import json
import os
import stat
import sys
import threading
from pathlib import Path

import pytest

from specui.core.codex_events import parse_event, render_event
from specui.core.config import load_deep_interview_config
from specui.core.loader import LoadError
from specui.core.paths import Project
from specui.interview.bank import parse_bank
from specui.interview.engines.builtin_reading import stack_data
from specui.runner.supervisor import read_pid, read_status
from specui.store import SessionStore
from specui.ui.services.themes import load_theme_file

from .conftest import assert_one_line_error, cli

pytestmark = pytest.mark.reliability

DEEP_JSON = "[" * 100_000 + "]" * 100_000
DEEP_OBJECTS = '{"a":' * 100_000 + "1" + "}" * 100_000
DEEP_TOML = "a = " + "[" * 50_000 + "]" * 50_000 + "\n"
DOTTED_TOML = "a." * 50_000 + "a = 1\n"
NOT_UTF8 = b"\xff\xfe\x00\x9b2J not text"
HUGE = 9 * 1024 * 1024

TEXT_KINDS = ["deep", "deep2", "not-utf8", "huge"]
PLACE_KINDS = ["directory", "fifo", "loop", "dangling"]
KINDS = TEXT_KINDS + PLACE_KINDS


def content(kind: str, toml: bool) -> bytes:
    if kind == "deep":
        return (DEEP_TOML if toml else DEEP_JSON).encode()
    if kind == "deep2":
        return (DOTTED_TOML if toml else DEEP_OBJECTS).encode()
    if kind == "not-utf8":
        return NOT_UTF8
    assert kind == "huge"
    # Valid but far too big: the limit, not the parser, must stop it.
    return b"a = 1\n" + b"#" * HUGE + b"\n" if toml else b"[" + b" " * HUGE + b"]"


def plant(path: Path, kind: str, *, toml: bool) -> None:
    """Put the hostile `kind` at `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind in TEXT_KINDS:
        path.write_bytes(content(kind, toml))
    elif kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)  # a reader that opens it blocking would hang the test
    elif kind == "loop":
        path.symlink_to(path.name)
    else:
        path.symlink_to("missing-target")


def snapshot(path: Path) -> tuple[str, bytes | str | None]:
    """What is at `path`, to prove it was not overwritten."""
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        return "link", os.readlink(path)
    if stat.S_ISDIR(st.st_mode):
        return "dir", None
    if stat.S_ISFIFO(st.st_mode):
        return "fifo", None
    return "file", path.read_bytes()


def no_hang(fn, timeout: float = 10.0):
    """Run `fn` in a thread; fail (instead of hanging the suite) if it blocks."""
    result: dict[str, object] = {}

    def target() -> None:
        try:
            result["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            result["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), f"{fn} blocked for {timeout} s"
    if "error" in result:
        raise result["error"]  # type: ignore[misc]
    return result.get("value")


# ------------------------------------------------------------------ session.json (D2, C5, U2)


@pytest.mark.parametrize("kind", KINDS)
def test_hostile_session_is_set_aside_never_overwritten(root: Path, capsys, kind: str) -> None:
    session = root / ".specui" / "session.json"
    plant(session, kind, toml=False)
    before = snapshot(session)
    code, out, err = cli(capsys, "status", str(root))
    assert code == 0 and err == "", err  # status still reports, nothing on stderr (U2)
    assert "Traceback" not in out
    aside = sorted(session.parent.glob("session.json.bad-*"))
    if kind in ("loop", "dangling"):
        # Nothing to read and nothing to move: the link stays exactly as it was.
        assert not aside and snapshot(session) == before
        return
    assert len(aside) == 1 and snapshot(aside[0]) == before
    assert out.count("set aside") == 1
    # A fresh session is used, and saving it never touches the set-aside file.
    store = SessionStore.open(Project.at(root))
    store.update(lambda s: setattr(s.interview, "initial_idea", "fresh"))
    assert snapshot(aside[0]) == before
    assert json.loads(session.read_text())["interview"]["initial_idea"] == "fresh"


def test_hostile_session_through_a_real_process_has_no_traceback(root: Path) -> None:
    """D2 as reported: `specui status` on the recursion-limit file, as a separate process."""
    from .conftest import specui_process

    (root / ".specui").mkdir()
    (root / ".specui" / "session.json").write_text(DEEP_JSON)
    for command in ("status", "run"):
        args = [command, str(root)] if command == "status" else ["run", "plan", str(root)]
        proc = specui_process(args, root, stdout=-1, stderr=-1)
        out, err = proc.communicate(timeout=60)
        assert b"Traceback" not in out + err
        assert proc.returncode in (0, 2), err
        assert len(err.decode().splitlines()) <= 1, err


# ------------------------------------------------------------------ feature.json (C3)


@pytest.mark.parametrize("kind", KINDS)
def test_hostile_feature_json_is_one_line(root: Path, capsys, kind: str) -> None:
    plant(root / ".specify" / "feature.json", kind, toml=False)
    for argv in (["status", str(root)], ["run", "implement", str(root)]):
        code, _out, err = cli(capsys, *argv)
        assert code == 2, argv
        assert_one_line_error(err, ".specify/feature.json")


# ------------------------------------------------------------------ specui question payloads (C1)


@pytest.mark.parametrize("kind", ["deep", "deep2", "huge"])
def test_hostile_question_payload_is_one_line(root: Path, capsys, kind: str) -> None:
    code, _out, err = cli(capsys, "question", "--input", content(kind, False).decode(), str(root))
    assert code == 2
    assert_one_line_error(err)


def test_question_payload_not_utf8_on_stdin_is_one_line(root: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(NOT_UTF8)))
    code, _out, err = cli(capsys, "question", "--input", "-", str(root))
    assert code == 2
    assert_one_line_error(err)


# ------------------------------------------------------------------ specui.toml (C4)


@pytest.mark.parametrize("kind", KINDS)
def test_hostile_specui_toml_is_one_line_in_every_command(
    root: Path, capsys, monkeypatch, kind: str
) -> None:
    plant(root / "specui.toml", kind, toml=True)
    code, out, err = cli(capsys, "run", "plan", str(root))
    assert code == 2
    assert_one_line_error(err, "specui.toml")
    # status reports what it can and names the file in a note (its fail-soft design).
    code, out, err = cli(capsys, "status", str(root))
    assert code == 0 and err == ""
    assert "note: specui.toml: " in out and "Traceback" not in out

    from specui.ui.app import SpecuiApp, run_app

    def never(self, **_kwargs):
        raise AssertionError("the workbench must not take the terminal")

    monkeypatch.setattr(SpecuiApp, "run", never)
    assert run_app(Project.at(root)) == 2
    assert_one_line_error(capsys.readouterr().err, "specui.toml")


# ------------------------------------------------------------------ OMX config, themes, stack


@pytest.mark.parametrize("kind", KINDS)
def test_hostile_omx_config_falls_back_with_a_note(root: Path, capsys, kind: str) -> None:
    plant(root / ".omx" / "config.toml", kind, toml=True)
    config, warnings = load_deep_interview_config(Project.at(root), home=root / "home")
    assert config.source in ("", None) or config.source == "built-in"
    if kind in TEXT_KINDS:
        assert len(warnings) == 1 and warnings[0].startswith(".omx/config.toml: ")
    code, out, err = cli(capsys, "status", str(root))
    assert code == 0 and "Traceback" not in out + err


@pytest.mark.parametrize("kind", KINDS)
def test_hostile_theme_file_is_skipped_with_a_reason(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "themes" / "evil.toml"
    plant(path, kind, toml=True)
    with pytest.raises(ValueError, match=r"^evil\.toml: ") as info:
        no_hang(lambda: load_theme_file(path))
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("kind", KINDS)
def test_hostile_stack_toml_never_stalls_or_crashes_the_interview(root: Path, kind: str) -> None:
    from specui.core.errors import SpecuiError
    from specui.interview.driver import InterviewDriver

    plant(root / "stack.toml", kind, toml=True)
    project = Project.at(root)
    driver = InterviewDriver(project, SessionStore.open(project))

    def start() -> str:
        try:
            driver.start()
        except SpecuiError as exc:  # one line naming the file is fine; anything else is not
            assert "\n" not in str(exc) and "stack.toml" in str(exc)
            return "refused"
        return "started"

    assert no_hang(start) in ("started", "refused")


@pytest.mark.parametrize("kind", ["deep", "deep2"])
def test_hostile_stack_and_bank_toml(kind: str) -> None:
    text = content(kind, True).decode()
    assert stack_data(text) == {}  # unreadable like a syntax error: the interview goes on
    with pytest.raises(LoadError, match=r"^bank\.toml: "):
        parse_bank(text)


# ------------------------------------------------------------------ runner files, agent output


@pytest.mark.parametrize("kind", KINDS)
def test_hostile_runner_files_read_as_absent(tmp_path: Path, kind: str) -> None:
    run_dir = tmp_path / "run"
    plant(run_dir / "status.json", kind, toml=False)
    plant(run_dir / "supervisor.pid", kind, toml=False)
    assert no_hang(lambda: read_status(run_dir)) is None
    assert no_hang(lambda: read_pid(run_dir)) is None


@pytest.mark.parametrize("kind", KINDS)
def test_hostile_status_json_of_a_running_run_in_specui_status(
    root: Path, capsys, kind: str
) -> None:
    from datetime import UTC, datetime

    from specui.store import PhaseRun

    run_id = "plan-20260101-000000"
    store = SessionStore.open(Project.at(root))
    store.update(lambda s: s.runs.append(PhaseRun(
        run_id=run_id, phase="plan", status="running", started_at=datetime(2026, 1, 1, tzinfo=UTC),
        log="orchestrator/plan-20260101-000000.md", pid=1)))
    run_dir = root / ".specui" / "runs" / run_id
    plant(run_dir / "status.json", kind, toml=False)
    plant(run_dir / "supervisor.pid", kind, toml=False)
    code, out, err = no_hang(lambda: cli(capsys, "status", "--json", str(root)))
    assert code == 0 and err == "" and "Traceback" not in out
    plan = next(p for p in json.loads(out)["phases"] if p["name"] == "plan")
    assert plan["status"] == "failed"  # its supervisor cannot be verified: gone, not "running"


@pytest.mark.parametrize("kind", KINDS)
def test_hostile_workbench_pid_is_no_workbench(root: Path, kind: str) -> None:
    from specui.bridge import running_workbench

    plant(root / ".specui" / "workbench.pid", kind, toml=False)
    assert no_hang(lambda: running_workbench(Project.at(root))) is None


@pytest.mark.parametrize("text", [DEEP_JSON, DEEP_OBJECTS, '{"type": ' + DEEP_JSON + "}"])
def test_hostile_agent_event_line_is_shown_raw(text: str) -> None:
    assert parse_event(text) is None
    row = render_event(text)
    assert row is not None and row.kind == "raw"


# ------------------------------------------------------------------ SPEC.md in odd places (C2, U1)


@pytest.mark.parametrize(
    ("kind", "fragment"),
    [
        ("loop", "symbolic links"),
        ("fifo", "not a regular file"),
        ("directory", "a directory, not a file"),
    ],
)
def test_spec_md_that_cannot_be_read_is_one_line(
    root: Path, capsys, kind: str, fragment: str
) -> None:
    plant(root / "SPEC.md", kind, toml=False)
    code, _out, err = no_hang(lambda: cli(capsys, "status", str(root)))
    assert code == 2
    assert_one_line_error(err, "SPEC.md")
    if kind == "loop":
        code, _out, err = cli(capsys, "init", str(root))
        assert code == 2
        assert_one_line_error(err, "SPEC.md", "symlink loop")


def test_spec_md_dangling_out_of_the_project_is_refused_by_init(
    root: Path, tmp_path: Path, capsys
) -> None:
    outside = tmp_path / "elsewhere" / "SPEC.md"
    (root / "SPEC.md").symlink_to(outside)
    code, _out, err = cli(capsys, "init", str(root))
    assert code == 2
    assert_one_line_error(err, "SPEC.md", "outside the project")
    assert not outside.exists() and not outside.parent.exists()


def test_a_read_only_spec_md_is_left_alone_and_the_answer_kept(root: Path, capsys) -> None:
    """`chmod a-w SPEC.md` (trial4 J3): the round is not recorded, SPEC.md keeps its bytes and
    mode, the answer waits for --retry, which succeeds once the file is writable again."""
    code, _out, _err = cli(capsys, "interview", str(root), "--json")
    assert code == 0
    spec = root / "SPEC.md"
    before = spec.read_bytes()
    spec.chmod(0o444)
    answer = json.dumps({"kind": "text", "value": "A Go CLI that publishes notes as a site"})
    code, out, _err = cli(capsys, "interview", str(root), "--answer", answer, "--json")
    assert code == 1
    assert "SPEC.md is read-only" in json.loads(out)["error"]
    code, out, _err = cli(capsys, "interview", str(root))
    assert out.splitlines()[1] == "Run again with --retry."  # the offline engine failed itself
    assert spec.read_bytes() == before and stat.S_IMODE(spec.stat().st_mode) == 0o444
    state = SessionStore.open(Project.at(root)).state.interview
    assert state.rounds == [] and state.engine.pending_answer.value.startswith("A Go CLI")
    spec.chmod(0o644)
    code, _out, _err = cli(capsys, "interview", str(root), "--retry")
    assert code == 0
    assert "A Go CLI" in spec.read_text()
