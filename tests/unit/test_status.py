"""build_status: design §3's JSON contract, and the spec_service rules behind it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from specui import spec_repo
from specui.core.errors import SpecuiError
from specui.core.interview.state import DimensionScore
from specui.core.paths import PHASES, Project
from specui.core.spec import TRACKED_UNITS, SpecDocument
from specui.status import build_status
from specui.store import PhaseRun, SessionStore

UNITS = [u.key for u in TRACKED_UNITS]


@pytest.fixture
def project(tmp_path: Path) -> Project:
    root = tmp_path / "demo-app"
    root.mkdir()
    return Project.at(root)


def fill_units(project: Project, units: list[str]) -> SpecDocument:
    """Give `units` real (placeholder-free) text in SPEC.md."""
    doc = SpecDocument.parse(project.spec.read_text(encoding="utf-8"))
    for key in units:
        doc = doc.with_unit_text(key, f"Real, reviewed content for {key}.")
    project.spec.write_text(doc.text, encoding="utf-8")
    return doc


def test_shape_without_any_files(project: Project) -> None:
    status = build_status(project, SessionStore.open(project))
    assert set(status) == {"spec", "interview", "phases", "tasks", "workflows", "messages"}
    assert status["workflows"] == []
    spec = status["spec"]
    assert set(spec) == {
        "path",
        "exists",
        "project_above",
        "progress",
        "progress_line",
        "sections",
        "missing",
        "duplicates",
        "conflicts",
    }
    assert spec["path"] == "SPEC.md" and spec["exists"] is False and spec["progress"] == 0
    assert spec["project_above"] is None
    assert [s["key"] for s in spec["sections"]] == UNITS
    assert all(s["status"] == "unknown" and s["title"] for s in spec["sections"])
    iv = status["interview"]
    assert set(iv) == {
        "profile",
        "type",
        "status",
        "round",
        "rounds_done",
        "validation_step",
        "max_rounds",
        "threshold",
        "ambiguity",
        "dimensions",
        "gates",
        "end_reason",
        "residual_risk",
        "engine",
        "error",
    }
    assert iv["engine"] is None and iv["error"] is None
    assert iv["status"] == "not_started" and iv["round"] == 0 and iv["ambiguity"] is None
    assert iv["rounds_done"] == 0 and iv["validation_step"] == 0
    assert iv["end_reason"] is None and iv["residual_risk"] is None
    assert iv["dimensions"] == {}
    assert iv["gates"] == {
        "non_goals": False,
        "decision_boundaries": False,
        "pressure_pass": False,
        "closure_audit": False,
    }
    assert [p["name"] for p in status["phases"]] == list(PHASES)
    assert all(p["status"] == "pending" and p["log"] is None for p in status["phases"])
    assert status["tasks"] == {"file": None, "done": None, "total": None}
    assert not project.state_dir.exists()  # status never writes


def test_init_creates_files_and_never_overwrites(project: Project) -> None:
    created = spec_repo.init_project(project)
    assert created == [project.spec, project.stack]
    assert "# SPEC: demo-app" in project.spec.read_text()
    assert 'project = "demo-app"' in project.stack.read_text()
    project.spec.write_text("mine\n")
    assert spec_repo.init_project(project) == []
    assert project.spec.read_text() == "mine\n"
    project.stack.unlink()
    assert spec_repo.init_project(project) == [project.stack]
    assert project.spec.read_text() == "mine\n"


def test_init_refuses_a_file(tmp_path: Path) -> None:
    f = tmp_path / "file"
    f.write_text("")
    with pytest.raises(SpecuiError, match="not a directory"):
        spec_repo.init_project(Project.at(f))


def test_fresh_template_is_all_unknown(project: Project) -> None:
    spec_repo.init_project(project)
    status = build_status(project, SessionStore.open(project))
    assert status["spec"]["exists"] is True
    assert [s["status"] for s in status["spec"]["sections"]] == ["unknown"] * 18
    assert status["spec"]["progress_line"] == "Spec Creation Progress: ░░░░░░░░░░░░ 0%"
    assert status["spec"]["missing"] == [] and status["spec"]["duplicates"] == []


@pytest.mark.parametrize(
    ("n", "percent", "line"),
    [
        (1, 5, "Spec Creation Progress: █░░░░░░░░░░░ 5%"),
        (9, 50, "Spec Creation Progress: ██████░░░░░░ 50%"),
        (11, 60, "Spec Creation Progress: ███████░░░░░ 60%"),
        (18, 100, "Spec Creation Progress: ████████████ 100%"),
    ],
)
def test_progress_after_finalizing(project: Project, n: int, percent: int, line: str) -> None:
    spec_repo.init_project(project)
    fill_units(project, UNITS)
    store = SessionStore.open(project)
    for key in UNITS[:n]:
        spec_repo.finalize(project, store, key)
    reopened = SessionStore.open(project)
    status = build_status(project, reopened)
    assert status["spec"]["progress"] == percent
    assert status["spec"]["progress_line"] == line
    statuses = [s["status"] for s in status["spec"]["sections"]]
    assert statuses == ["final"] * n + ["clarified"] * (18 - n)


def test_editing_a_final_unit_drops_final(project: Project) -> None:
    spec_repo.init_project(project)
    fill_units(project, ["vision"])
    store = SessionStore.open(project)
    spec_repo.finalize(project, store, "vision")
    assert spec_repo.statuses(project, store)["vision"] == "final"
    fill_units(project, [])  # unchanged text keeps it final
    assert spec_repo.statuses(project, store)["vision"] == "final"
    doc = SpecDocument.parse(project.spec.read_text()).with_unit_text("vision", "Changed <TBD>")
    project.spec.write_text(doc.text)
    assert spec_repo.statuses(project, store)["vision"] == "drafted"


def test_unfinalize(project: Project) -> None:
    spec_repo.init_project(project)
    fill_units(project, ["scope"])
    store = SessionStore.open(project)
    spec_repo.finalize(project, store, "scope")
    spec_repo.unfinalize(project, store, "scope")
    assert spec_repo.statuses(project, store)["scope"] == "clarified"
    assert "scope" not in store.state.spec.final_hashes


@pytest.mark.parametrize(
    ("setup", "unit", "fragment"),
    [
        ("none", "vision", "does not exist"),
        ("template", "vision", "no content yet"),
        ("template", "nonsense", "unknown SPEC.md unit"),
    ],
)
def test_finalize_refusals(project: Project, setup: str, unit: str, fragment: str) -> None:
    if setup == "template":
        spec_repo.init_project(project)
    store = SessionStore.open(project)
    with pytest.raises(SpecuiError, match=fragment):
        spec_repo.finalize(project, store, unit)
    assert store.state.spec.final_hashes == {}


@pytest.mark.parametrize(
    ("text", "placeholder"),
    [
        ("Ship v1 by June. Success: <quantitative & qualitative>", "<quantitative & qualitative>"),
        ("Ship v1 by June.\n- Metric: TBD", "TBD"),
        ("- **Goals**: ship v1\n- **Load**: SLAs/SLOs, peak loads", "SLAs/SLOs, peak loads"),
    ],
)
def test_finalize_refuses_a_drafted_unit(project: Project, text: str, placeholder: str) -> None:
    spec_repo.init_project(project)
    doc = SpecDocument.parse(project.spec.read_text()).with_unit_text("vision", text)
    project.spec.write_text(doc.text)
    store = SessionStore.open(project)
    assert spec_repo.statuses(project, store)["vision"] == "drafted"
    with pytest.raises(SpecuiError) as info:
        spec_repo.finalize(project, store, "vision")
    message = str(info.value)
    assert "\n" not in message and message.startswith("Vision & Goals still has a placeholder: ")
    assert message.endswith(" — fill it in or delete it first")
    assert f": {placeholder} — " in message
    assert store.state.spec.final_hashes == {}
    assert spec_repo.progress(project, store) == 0


def test_patch_records_conflicts_and_keeps_text(project: Project) -> None:
    spec_repo.init_project(project)
    store = SessionStore.open(project)
    base = spec_repo.read_document(project)
    # The user edits Vision in their editor meanwhile.
    edited = base.with_unit_text("vision", "The user's own vision.")
    project.spec.write_text(edited.text)
    outcome = spec_repo.patch(
        project, store, {"vision": "Engine's vision.", "scope": "Engine's scope."}, base
    )
    assert outcome.applied == ["scope"] and outcome.conflicts == ["vision"]
    text = project.spec.read_text()
    assert "The user's own vision." in text and "Engine's scope." in text
    [conflict] = store.state.spec.conflicts
    assert conflict.unit == "vision" and conflict.text == "Engine's vision."
    status = build_status(project, SessionStore.open(project))
    assert status["spec"]["conflicts"][0]["unit"] == "vision"
    assert status["spec"]["conflicts"][0]["text"] == "Engine's vision."
    dropped = spec_repo.dismiss_conflict(store, 0).conflict
    assert dropped.unit == "vision" and store.state.spec.conflicts == []


def test_missing_and_duplicate_sections(project: Project) -> None:
    spec_repo.init_project(project)
    text = project.spec.read_text()
    # Drop the whole "Risks" section heading and duplicate another one.
    lines = text.splitlines(keepends=True)
    risk = next(i for i, ln in enumerate(lines) if ln.startswith("## ") and "Risk" in ln)
    vision = next(i for i, ln in enumerate(lines) if ln.startswith("## ") and "Vision" in ln)
    lines[risk] = "## Something else\n"
    lines.append(lines[vision])
    project.spec.write_text("".join(lines))
    spec = build_status(project, SessionStore.open(project))["spec"]
    assert "risks" in spec["missing"]
    assert "vision" in spec["duplicates"]


def test_interview_and_phases_from_the_store(project: Project) -> None:
    store = SessionStore.open(project)
    t0 = datetime(2026, 11, 21, 12, 5, 1, tzinfo=UTC)

    def fill(s) -> None:
        iv = s.interview
        iv.status, iv.profile, iv.type = "active", "deep", "brownfield"
        iv.threshold, iv.max_rounds, iv.ambiguity = 0.15, 20, 0.41
        iv.dimensions = {"intent": DimensionScore(score=0.8), "context": DimensionScore(score=0.3)}
        iv.gates.pressure_pass = True
        s.runs += [
            PhaseRun(run_id="1", phase="constitution", status="failed", log="orchestrator/a.md"),
            PhaseRun(
                run_id="2",
                phase="constitution",
                status="done",
                started_at=t0,
                exit_code=0,
                log="orchestrator/constitution-20261121-120501.md",
            ),
            PhaseRun(run_id="3", phase="specify", status="running", stalled=True),
        ]

    store.update(fill)
    status = build_status(project, SessionStore.open(project))
    iv = status["interview"]
    assert (iv["profile"], iv["type"], iv["status"]) == ("deep", "brownfield", "active")
    assert (iv["threshold"], iv["max_rounds"], iv["ambiguity"]) == (0.15, 20, 0.41)
    assert iv["dimensions"] == {"intent": 0.8, "context": 0.3}
    assert iv["gates"]["pressure_pass"] is True
    phases = {p["name"]: p for p in status["phases"]}
    assert phases["constitution"]["status"] == "done"
    assert phases["constitution"]["log"] == "orchestrator/constitution-20261121-120501.md"
    assert phases["constitution"]["started_at"] == t0.isoformat()
    assert phases["specify"]["status"] == "running" and phases["specify"]["stalled"] is True
    assert phases["plan"]["status"] == "pending"


def test_not_started_interview_uses_config_profile(project: Project) -> None:
    project.config.write_text("[interview]\nprofile = 'quick'\n")
    iv = build_status(project, SessionStore.open(project))["interview"]
    assert (iv["profile"], iv["threshold"], iv["max_rounds"]) == ("quick", 0.30, 5)


def test_bad_config_is_a_message_not_a_crash(project: Project) -> None:
    project.config.write_text("[interview\n")
    status = build_status(project, SessionStore.open(project))
    assert status["interview"]["profile"] == "standard"
    assert any(m.startswith("specui.toml: line 1") for m in status["messages"])


def test_store_messages_are_reported(project: Project) -> None:
    project.state_dir.mkdir()
    project.session.write_text("{broken")
    status = build_status(project, SessionStore.open(project))
    assert any("set aside" in m for m in status["messages"])


def test_tasks_counted(project: Project) -> None:
    feature = project.root / "specs" / "001-demo"
    feature.mkdir(parents=True)
    (feature / "tasks.md").write_text(
        "- [x] T001 Setup\n- [X] T002 Model\n- [ ] T003 API\n```\n- [ ] T009 example\n```\n"
    )
    tasks = build_status(project, SessionStore.open(project))["tasks"]
    assert tasks == {"file": "specs/001-demo/tasks.md", "done": 2, "total": 3}


# ---------------------------------------------------------------- phases: liveness (read-only)
_WAIT = """
import sys, time
sys.stdin.read()
print("ready", flush=True)
time.sleep(60)
"""


def _start_waiting_run(project: Project):
    from specui.core.config import RunnerConfig
    from specui.runner.manager import PhaseManager

    path = project.legacy_prompt("constitution")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("Phase: $ARGUMENTS\n")
    project.orchestrator.mkdir(exist_ok=True)
    project.orchestrator_input.write_text("<constitution>c</constitution>\n")
    (project.root / "fake.py").write_text(_WAIT)
    config = RunnerConfig(command=[sys.executable, "fake.py"], notify=False,
                          stop_grace_seconds=1)
    manager = PhaseManager(project, SessionStore.open(project), config)
    run = manager.start("constitution")
    deadline = time.monotonic() + 15
    while "ready" not in manager.log_path(run).read_text():
        assert time.monotonic() < deadline, "the fake run never started"
        time.sleep(0.05)
    return manager, run


def test_phase_with_a_dead_supervisor_is_failed_not_running(project: Project) -> None:
    manager, run = _start_waiting_run(project)
    status_file = manager.run_dir(run.run_id) / "status.json"
    pgid = manager.status_of(run).pgid
    try:
        live = {p["name"]: p for p in build_status(project, SessionStore.open(project))["phases"]}
        assert live["constitution"]["status"] == "running"
        os.kill(run.pid, signal.SIGKILL)
        os.killpg(pgid, signal.SIGKILL)
        # The dead supervisor's pid now "belongs" to a specui-looking process: still gone.
        decoy = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "specui"])
        try:
            store = SessionStore.open(project)
            store.update(lambda s: setattr(s.runs[-1], "pid", decoy.pid))
            before = (status_file.read_bytes(), project.session.read_bytes())
            deadline = time.monotonic() + 10
            while True:
                phases = {p["name"]: p for p in build_status(project, store)["phases"]}
                if phases["constitution"]["status"] != "running" or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            assert phases["constitution"]["status"] == "failed"
            assert "supervisor gone" in phases["constitution"]["message"]
            assert phases["constitution"]["stalled"] is False
            # read-only: neither status.json nor the session changed, nothing was signalled
            assert (status_file.read_bytes(), project.session.read_bytes()) == before
            assert SessionStore.open(project).state.runs[-1].status == "running"
            assert decoy.poll() is None
        finally:
            decoy.kill()
            decoy.wait()
    finally:
        manager.stop()


# ---------------------------------------------------------------- phases: status truth


def _implement_done(project: Project, log_text: str = "") -> None:
    project.orchestrator.mkdir(exist_ok=True)
    (project.orchestrator / "implement-20261129-100000.md").write_text(log_text)
    store = SessionStore.open(project)
    store.update(lambda s: s.runs.append(PhaseRun(
        run_id="implement-20261129-100000", phase="implement", status="done", exit_code=0,
        log="orchestrator/implement-20261129-100000.md")))


def test_implement_done_only_when_tasks_md_is(project: Project) -> None:
    feature = project.root / "specs" / "001-demo"
    feature.mkdir(parents=True)
    tasks = feature / "tasks.md"
    tasks.write_text("- [x] T001 a\n- [ ] T002 b\n")
    _implement_done(project, "All tasks complete.\n")  # the log's claim loses to tasks.md
    status = build_status(project, SessionStore.open(project))
    implement = next(p for p in status["phases"] if p["name"] == "implement")
    assert implement["status"] == "pending"
    assert "1/2" in implement["message"]
    assert status["tasks"] == {"file": "specs/001-demo/tasks.md", "done": 1, "total": 2}
    tasks.write_text("- [x] T001 a\n- [X] T002 b\n")
    status = build_status(project, SessionStore.open(project))
    assert next(p for p in status["phases"] if p["name"] == "implement")["status"] == "done"


@pytest.mark.parametrize(("log", "expected"), [("Summary: no pending tasks remain.\n", "done"),
                                                ("Stopped halfway; 3 tasks remaining.\n",
                                                 "pending")])
def test_implement_without_tasks_md_follows_the_log(project: Project, log: str,
                                                    expected: str) -> None:
    _implement_done(project, log)
    status = build_status(project, SessionStore.open(project))
    assert next(p for p in status["phases"] if p["name"] == "implement")["status"] == expected


def test_configured_phases_are_listed(project: Project) -> None:
    project.config.write_text(
        '[runner]\nphases = ["constitution", "specify", "clarify", "plan", "tasks", '
        '"analyze", "implement"]\n'
    )
    status = build_status(project, SessionStore.open(project))
    assert [p["name"] for p in status["phases"]] == [
        "constitution", "specify", "clarify", "plan", "tasks", "analyze", "implement"]


def test_feature_directory_env_var_is_honoured(project: Project, monkeypatch) -> None:
    for name, text in (("001-a", "- [ ] T001 a\n"), ("002-b", "- [x] T001 a\n")):
        (project.root / "specs" / name).mkdir(parents=True)
        (project.root / "specs" / name / "tasks.md").write_text(text)
    monkeypatch.setenv("SPECIFY_FEATURE_DIRECTORY", "specs/001-a")
    tasks = build_status(project, SessionStore.open(project))["tasks"]
    assert tasks == {"file": "specs/001-a/tasks.md", "done": 0, "total": 1}


def test_workflow_runs_are_listed_with_their_gate(project: Project) -> None:
    import json

    runs = project.root / ".specify" / "workflows" / "runs"
    (runs / "ab12cd34").mkdir(parents=True)
    (runs / "ab12cd34" / "state.json").write_text(json.dumps({
        "run_id": "ab12cd34", "workflow_id": "speckit", "status": "paused",
        "current_step_id": "review-spec", "updated_at": "2026-11-29T10:00:00+00:00",
        "error": None,
        "step_results": {
            "specify": {"type": "command", "status": "completed"},
            "review-spec": {"type": "gate", "status": "paused", "output": {
                "message": "Review the generated spec before planning.",
                "options": ["approve", "reject"]}},
        },
    }))
    (runs / "ffff0000").mkdir()
    (runs / "ffff0000" / "state.json").write_text("[" * 100_000)
    (runs / "..hidden").mkdir()
    workflows = build_status(project, SessionStore.open(project))["workflows"]
    by_id = {w["run_id"]: w for w in workflows}
    assert set(by_id) == {"ab12cd34", "ffff0000"}
    paused = by_id["ab12cd34"]
    assert paused["status"] == "paused" and paused["current_step"] == "review-spec"
    assert paused["steps"] == [{"id": "specify", "type": "command", "status": "completed"},
                               {"id": "review-spec", "type": "gate", "status": "paused"}]
    assert paused["gate"] == {"step": "review-spec",
                              "message": "Review the generated spec before planning.",
                              "options": ["approve", "reject"]}
    assert by_id["ffff0000"]["status"] == "unreadable" and by_id["ffff0000"]["problem"]


def test_an_interview_ended_at_the_cap_says_so(project: Project, capsys) -> None:
    """`specui status` said "Interview: crystallized" for a run stopped by the 12-round cap
    (the workbench: "stopped at the hard cap … (residual risk recorded)")."""
    from specui.cli import main

    store = SessionStore.open(project)
    risk = "The interview stopped at the hard cap of 12 rounds with ambiguity 20%."

    def ended(s):
        iv = s.interview
        iv.status, iv.end_reason, iv.phase, iv.residual_risk = "crystallized", "hard_cap", "done", risk

    store.update(ended)
    iv = build_status(project, SessionStore.open(project))["interview"]
    assert (iv["end_reason"], iv["residual_risk"]) == ("hard_cap", risk)
    assert main(["status", str(project.root)]) == 0
    out = capsys.readouterr().out
    assert "Interview: crystallized (hard cap) |" in out
    assert f"residual risk: {risk}" in out


def test_a_run_that_cannot_reach_the_provider_says_so(project: Project, capsys) -> None:
    """The runner pane and `specui run` say "codex cannot reach the model provider (…)" while a
    phase hears nothing but reconnect notices; `specui status` said only "running"."""
    from specui.cli import main
    from specui.runner.procid import identify
    from specui.runner.supervisor import RunStatus

    text = "codex cannot reach the model provider (Connection failed: error sending request)"
    run_id = "plan-20261130-070000"
    # A live process whose command line names specui stands in for the run's supervisor.
    supervisor = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "specui"])
    try:
        ident = identify(supervisor.pid)
        assert ident is not None
        run_dir = project.runs_dir / run_id
        run_dir.mkdir(parents=True)
        status = RunStatus(run_id=run_id, phase="plan", state="running",
                           supervisor_pid=supervisor.pid, supervisor_start_time=ident.start_time,
                           boot_id=ident.boot_id, unreachable=text)
        (run_dir / "status.json").write_text(status.model_dump_json())
        store = SessionStore.open(project)
        store.update(lambda s: s.runs.append(PhaseRun(run_id=run_id, phase="plan",
                                                      status="running", pid=supervisor.pid)))
        phases = {p["name"]: p for p in build_status(project, SessionStore.open(project))["phases"]}
        assert phases["plan"]["status"] == "running"
        assert phases["plan"]["unreachable"] == text
        assert phases["specify"]["unreachable"] is None
        assert main(["status", str(project.root)]) == 0
        assert f"⚠ phase plan: {text}; it keeps retrying\n" in capsys.readouterr().out
    finally:
        supervisor.kill()
        supervisor.wait()
    # Its supervisor gone, the run is failed: the flag of a run that no longer runs is not shown.
    phases = {p["name"]: p for p in build_status(project, SessionStore.open(project))["phases"]}
    assert phases["plan"]["status"] == "failed" and phases["plan"]["unreachable"] is None


def test_text_status_on_an_ascii_terminal_has_no_traceback(project: Project, monkeypatch) -> None:
    """Rich wrote "failed — supervisor gone" (and "⚠ …") as is, and an ASCII-only stdout raised
    UnicodeEncodeError; characters it cannot show are replaced, as the progress line's are."""
    import io

    from specui.cli import main

    SessionStore.open(project).update(lambda s: s.runs.append(PhaseRun(
        run_id="1", phase="plan", status="failed", message="stopped — résumé 中文")))
    out = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    monkeypatch.setattr(sys, "stdout", out)
    assert main(["status", str(project.root)]) == 0
    out.flush()
    text = out.buffer.getvalue().decode("ascii")
    assert "failed ? stopped ? r?sum? ??" in text and "Tasks: no tasks.md yet" in text


def test_the_log_path_stays_whole_at_80_columns(project: Project, capsys, monkeypatch) -> None:
    """Trial J6: `orchestrator/constitution-20…` in an 80-column terminal: the one thing a
    user copies from that column was cut."""
    from specui.cli import main

    monkeypatch.setenv("COLUMNS", "80")
    log = "orchestrator/implement-20261129-100000.md"
    SessionStore.open(project).update(lambda s: s.runs.append(PhaseRun(
        run_id="implement-20261129-100000", phase="implement", status="done", exit_code=0,
        message="auto-continue: all 3 tasks done after 2 runs of the implement phase", log=log)))
    assert main(["status", str(project.root)]) == 0
    out = capsys.readouterr().out
    assert log in out and "│ implement    │" in out
    assert max(len(line) for line in out.splitlines() if line[:1] in "┏┃┡│└") <= 80
    monkeypatch.setenv("COLUMNS", "60")  # too narrow for the path whole: it folds, never cut
    assert main(["status", str(project.root)]) == 0
    out = capsys.readouterr().out
    assert "│ implement    │" in out and "…" not in out
    assert "".join(line.split("│")[3].strip() for line in out.splitlines()
                   if line.startswith("│") and line.count("│") == 4).count(log) == 1


def test_from_a_subfolder_status_names_the_project_above(project: Project, capsys) -> None:
    """Trial4: `specui status` in the project's specs/ said "SPEC.md does not exist yet (run
    `specui init`)", as if there were no project."""
    from specui.cli import main

    spec_repo.init_project(project)
    sub = project.root / "specs" / "001-demo"
    sub.mkdir(parents=True)
    status = build_status(Project.at(sub), SessionStore.open(Project.at(sub)))
    assert status["spec"]["project_above"] == str(project.root)
    assert build_status(project, SessionStore.open(project))["spec"]["project_above"] is None
    assert main(["status", str(sub)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert (f"SPEC.md does not exist here; the project above is {project.root} (`specui status "
            f"{project.root}`), or `specui init` starts one here") in out
    assert not (sub / ".specui").exists()  # still read-only
