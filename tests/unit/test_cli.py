"""The `specui` command line: grammar, exit codes, one-line errors, init and status."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from pathlib import Path

import pytest

from specui import __version__, spec_repo
from specui.cli import main, parse_args
from specui.core.errors import SpecuiError
from specui.core.paths import Project
from specui.core.spec import TRACKED_UNITS, SpecDocument
from specui.store import PhaseRun, SessionStore

UNITS = [u.key for u in TRACKED_UNITS]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(err: str, fragment: str = "") -> None:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("specui: error: ")
    assert fragment in lines[0]
    assert "Traceback" not in err


# ------------------------------------------------------------------------------- usage


def test_version(capsys) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.strip() == f"specui {__version__}"


def test_help_exits_zero(capsys) -> None:
    code, out, _ = run(capsys, "status", "--help")
    assert code == 0 and "--json" in out


def test_top_level_help_names_every_command(capsys) -> None:
    from specui.cli import COMMAND_HELP

    code, out, _ = run(capsys, "--help")
    table = out.split("commands (see `specui COMMAND --help`):\n", 1)[1].split("\n\n", 1)[0]
    rows = [line.split(None, 1) for line in table.splitlines()]
    assert code == 0 and [name for name, _ in rows] == list(COMMAND_HELP)
    assert all(text == COMMAND_HELP[name] for name, text in rows)


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["status", "--bogus"], "unrecognized arguments: --bogus"),
        (["status", "a", "b"], "unrecognized arguments"),
        (["init", "--json"], "unrecognized arguments"),
        (["run"], "required: PHASE"),
        (["run", "deploy"], "unknown phase 'deploy'"),
        (["run", "../../etc"], "unknown phase"),
        (["--nope"], "unrecognized arguments"),
        (["a", "b"], "unknown command"),
    ],
)
def test_usage_errors_are_one_line_exit_2(capsys, argv: list[str], fragment: str) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert_one_line_error(err, fragment)


def test_missing_dir_is_exit_2(capsys, tmp_path: Path) -> None:
    missing = str(tmp_path / "nope")
    for argv in (["status", missing], [missing], ["run", "plan", missing]):
        code, _, err = run(capsys, *argv)
        assert code == 2
        assert_one_line_error(err, "does not exist")


def test_file_instead_of_dir_is_exit_2(capsys, tmp_path: Path) -> None:
    f = tmp_path / "file.txt"
    f.write_text("x")
    for argv in (["status", str(f)], [str(f)], ["init", str(f)]):
        code, _, err = run(capsys, *argv)
        assert code == 2
        assert_one_line_error(err, "is not a directory")


def test_parse_run_arguments(tmp_path: Path) -> None:
    args = parse_args(
        [
            "run",
            "implement",
            str(tmp_path),
            "--input",
            "do it",
            "--dry-run",
            "--json",
            "--force",
            "--auto-continue",
        ]
    )
    assert args.command == "run" and args.phase == "implement" and args.dir == str(tmp_path)
    assert args.input == "do it" and args.dry_run and args.json and args.force
    assert args.auto_continue
    defaults = parse_args(["run", "plan"])
    assert defaults.dir == "." and defaults.input is None
    assert not (defaults.dry_run or defaults.json or defaults.force or defaults.auto_continue)


def test_a_directory_named_like_nothing_special_opens_workbench(tmp_path: Path) -> None:
    args = parse_args([str(tmp_path)])
    assert args.command is None and args.dir == str(tmp_path)
    assert parse_args([]).dir is None  # not given: the current folder, unless inside a project


# ------------------------------------------------------------------------------- delegation


def test_run_delegates_to_runner(monkeypatch, capsys, tmp_path: Path) -> None:
    seen = {}

    def run_command(args) -> int:
        seen["args"] = args
        return 1

    fake = types.ModuleType("specui.runner.cli")
    fake.run_command = run_command
    monkeypatch.setitem(sys.modules, "specui.runner.cli", fake)
    code, _, _ = run(capsys, "run", "plan", str(tmp_path), "--force")
    assert code == 1
    args = seen["args"]
    assert args.phase == "plan" and args.force is True
    assert args.project == Project.at(tmp_path)


def test_runner_specuierror_uses_its_exit_code(monkeypatch, capsys, tmp_path: Path) -> None:
    def run_command(args) -> int:
        raise SpecuiError("orchestrator/input: line 3: unclosed <plan> tag\nmore", exit_code=2)

    fake = types.ModuleType("specui.runner.cli")
    fake.run_command = run_command
    monkeypatch.setitem(sys.modules, "specui.runner.cli", fake)
    code, _, err = run(capsys, "run", "plan", str(tmp_path))
    assert code == 2
    assert_one_line_error(err, "orchestrator/input: line 3: unclosed <plan> tag more")


def test_custom_exit_code(monkeypatch, capsys, tmp_path: Path) -> None:
    fake = types.ModuleType("specui.runner.cli")

    def run_command(args) -> int:
        raise SpecuiError("phase failed", exit_code=1)

    fake.run_command = run_command
    monkeypatch.setitem(sys.modules, "specui.runner.cli", fake)
    code, _, err = run(capsys, "run", "tasks", str(tmp_path))
    assert code == 1
    assert_one_line_error(err, "phase failed")


def test_open_delegates_to_workbench(monkeypatch, capsys, tmp_path: Path) -> None:
    opened = []
    fake = types.ModuleType("specui.ui.app")
    fake.run_app = lambda project, profile=None: opened.append((project, profile)) or 0
    monkeypatch.setitem(sys.modules, "specui.ui.app", fake)
    monkeypatch.setattr("specui.cli._isatty", lambda _stream: True)
    code, _, _ = run(capsys, str(tmp_path))
    assert code == 0 and opened == [(Project.at(tmp_path), None)]
    code, _, _ = run(capsys, "--quick", str(tmp_path))
    assert code == 0 and opened[-1] == (Project.at(tmp_path), "quick")


def test_open_without_a_terminal_is_a_one_line_usage_error(monkeypatch, capsys, tmp_path):
    opened = []
    fake = types.ModuleType("specui.ui.app")
    fake.run_app = lambda project, profile=None: opened.append(project) or 0
    monkeypatch.setitem(sys.modules, "specui.ui.app", fake)
    code, out, err = run(capsys, str(tmp_path))  # pytest's captured stdout is not a TTY
    assert code == 2 and opened == [] and out == ""
    assert_one_line_error(err, "the workbench needs a terminal")


# ------------------------------------------------------------------------------- init / status


def test_init_then_status_json_in_an_empty_dir(capsys, tmp_path: Path) -> None:
    code, out, _ = run(capsys, "init", str(tmp_path))
    assert code == 0
    assert f"created {tmp_path / 'SPEC.md'}" in out and f"created {tmp_path / 'stack.toml'}" in out
    code, out, _ = run(capsys, "status", str(tmp_path), "--json")
    assert code == 0
    status = json.loads(out)
    assert len(status["spec"]["sections"]) == 18
    assert all(s["status"] == "unknown" for s in status["spec"]["sections"])
    assert status["spec"]["progress"] == 0
    assert status["spec"]["progress_line"] == "Spec Creation Progress: ░░░░░░░░░░░░ 0%"


def test_init_twice_says_nothing_was_needed(capsys, tmp_path: Path) -> None:
    run(capsys, "init", str(tmp_path))
    (tmp_path / "SPEC.md").write_text("my spec\n")
    code, out, _ = run(capsys, "init", str(tmp_path))
    assert code == 0 and out.startswith("nothing to do")
    assert (tmp_path / "SPEC.md").read_text() == "my spec\n"


def test_init_creates_a_missing_directory(capsys, tmp_path: Path) -> None:
    target = tmp_path / "new" / "proj"
    code, _, _ = run(capsys, "init", str(target))
    assert code == 0 and (target / "SPEC.md").is_file()
    assert "# SPEC: proj" in (target / "SPEC.md").read_text()


def _finalize(project: Project, n: int) -> None:
    spec_repo.init_project(project)
    doc = SpecDocument.parse(project.spec.read_text(encoding="utf-8"))
    for key in UNITS:
        doc = doc.with_unit_text(key, f"Agreed content for {key}.")
    project.spec.write_text(doc.text, encoding="utf-8")
    store = SessionStore.open(project)
    for key in UNITS[:n]:
        spec_repo.finalize(project, store, key)


@pytest.mark.parametrize(("n", "percent", "blocks"), [(9, 50, 6), (11, 60, 7), (18, 100, 12)])
def test_status_progress_after_finalizing(capsys, tmp_path: Path, n, percent, blocks) -> None:
    _finalize(Project.at(tmp_path), n)
    code, out, _ = run(capsys, "status", str(tmp_path), "--json")
    status = json.loads(out)
    assert code == 0 and status["spec"]["progress"] == percent
    bar = "█" * blocks + "░" * (12 - blocks)
    assert status["spec"]["progress_line"] == f"Spec Creation Progress: {bar} {percent}%"
    assert sum(s["status"] == "final" for s in status["spec"]["sections"]) == n


def test_status_text_starts_with_progress_line(capsys, tmp_path: Path) -> None:
    _finalize(Project.at(tmp_path), 9)
    code, out, _ = run(capsys, "status", str(tmp_path))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Spec Creation Progress: ██████░░░░░░ 50%"
    assert TRACKED_UNITS[0].title in out and "final" in out and "clarified" in out
    assert "Phases" in out and "constitution" in out and "Tasks" in out


def test_status_text_never_interprets_markup(capsys, tmp_path: Path) -> None:
    project = Project.at(tmp_path)
    store = SessionStore.open(project)
    store.update(
        lambda s: s.runs.append(
            PhaseRun(run_id="x", phase="plan", status="failed", log="orchestrator/[/]plan[bold].md")
        )
    )
    code, out, err = run(capsys, "status", str(tmp_path))
    assert code == 0, err
    assert "[/]plan[bold]" in out.replace("\n", "").replace(" ", "").replace("│", "")


def test_status_without_spec_md(capsys, tmp_path: Path) -> None:
    code, out, _ = run(capsys, "status", str(tmp_path))
    assert code == 0
    assert out.splitlines()[0] == "Spec Creation Progress: ░░░░░░░░░░░░ 0%"
    assert "specui init" in out
    assert not (tmp_path / ".specui").exists()


def test_binary_spec_md_is_a_one_line_error(capsys, tmp_path: Path) -> None:
    (tmp_path / "SPEC.md").write_bytes(b"\x00\xff\xfe binary")
    code, out, err = run(capsys, "status", str(tmp_path), "--json")
    assert code == 2 and out == ""
    assert_one_line_error(err, "SPEC.md")


def test_bad_specui_toml_is_reported_not_fatal(capsys, tmp_path: Path) -> None:
    (tmp_path / "specui.toml").write_text("[runner]\nstall = = 1\n")
    code, out, _ = run(capsys, "status", str(tmp_path), "--json")
    assert code == 0
    assert any("specui.toml: line 2" in m for m in json.loads(out)["messages"])


def test_real_process_status_json(tmp_path: Path) -> None:
    """The console entry point as users run it: `python -m specui status DIR --json`."""
    proc = subprocess.run(
        [sys.executable, "-m", "specui", "status", str(tmp_path), "--json"],
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    status = json.loads(proc.stdout.decode("utf-8"))
    assert status["spec"]["exists"] is False
    bad = subprocess.run(
        [sys.executable, "-m", "specui", "run", "nope"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert bad.returncode == 2 and bad.stdout == ""
    assert_one_line_error(bad.stderr, "unknown phase 'nope'")


def test_run_options_may_come_before_dir(tmp_path):
    from specui.cli import parse_args

    args = parse_args(["run", "plan", "--force", str(tmp_path)])
    assert args.force is True and args.dir == str(tmp_path) and args.phase == "plan"


def test_unknown_command_is_named_in_one_line(capsys):
    from specui.cli import main

    assert main(["bogus", "x"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unknown command 'bogus'" in err[0]


def test_status_text_ambiguity_percent_is_half_up(capsys, tmp_path: Path) -> None:
    # 0.045 is 4.5%: the TUI shows 5%, so must the CLI (f"{x * 100:.0f}" said 4%).
    store = SessionStore.open(Project.at(tmp_path))

    def apply(s) -> None:
        s.interview.status = "active"
        s.interview.ambiguity = 0.045
        s.interview.threshold = 0.125

    store.update(apply)
    code, out, _ = run(capsys, "status", str(tmp_path))
    assert code == 0
    assert "ambiguity 5% (threshold 13%)" in out


@pytest.mark.parametrize(("typo", "command"), [("stauts", "status"), ("interveiw", "interview"),
                                               ("hadnoff", "handoff")])
def test_a_mistyped_command_without_a_dir_is_named_as_one(capsys, tmp_path, monkeypatch, typo,
                                                          command):
    """`specui stauts` said "stauts does not exist" (read as the project DIR); with two
    arguments the same typo already said "unknown command"."""
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, typo)
    assert code == 2 and out == ""
    assert_one_line_error(err, f"unknown command {typo!r} (did you mean `specui {command}`?")


def test_an_existing_dir_named_like_a_command_is_opened_as_the_project(tmp_path, monkeypatch):
    from specui.cli import parse_args

    (tmp_path / "stauts").mkdir()
    monkeypatch.chdir(tmp_path)
    args = parse_args(["stauts"])
    assert args.command is None and args.dir == "stauts"


def test_a_mistyped_command_with_a_dir_suggests_the_command(capsys, tmp_path, monkeypatch):
    """`specui intervew DIR` listed every command instead of naming the one meant."""
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "intervew", str(tmp_path), "--json")
    assert code == 2 and out == ""
    assert_one_line_error(err, "unknown command 'intervew' (did you mean `specui interview`?")


def test_an_option_before_the_command_says_the_command_comes_first(capsys, tmp_path):
    """`specui --quick interview DIR` answered "unknown command 'interview' (did you mean
    `specui interview`?)"."""
    code, out, err = run(capsys, "--quick", "interview", str(tmp_path))
    assert code == 2 and out == ""
    assert_one_line_error(err, "the command comes first: `specui interview [options]`")


def test_a_folder_named_like_a_command_after_an_option_is_the_project(tmp_path, monkeypatch):
    from specui.cli import parse_args

    (tmp_path / "status").mkdir()
    monkeypatch.chdir(tmp_path)
    args = parse_args(["--deep", "status"])
    assert args.command is None and args.dir == "status" and args.profile == "deep"
