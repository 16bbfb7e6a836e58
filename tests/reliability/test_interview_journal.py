"""Issue 9 U3: an answer's SPEC.md patch and its session record are one recoverable step.

Real processes killed with SIGKILL: `specui interview --answer` with a command engine (a
script that answers at once), killed at random moments, and a process killed exactly between
the SPEC.md patch and the session save. After each kill, the next start must neither ask the
answered question again nor file the answer as a conflict ("your edit was kept")."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from specui.core.paths import Project
from specui.interview.headless import run_headless
from specui.store import SessionStore

from .conftest import ROOT, specui_process

pytestmark = pytest.mark.reliability

ENGINE = textwrap.dedent(
    """
    import json, sys
    req = json.load(sys.stdin)
    d = req["directive"]
    last = req.get("last_answer")
    patches = []
    if last is not None:
        patches = [{"section": "vision",
                    "body": "- **Problem & Outcome**: ANSWER-" + str(last["round"])}]
    free = d["kind"] == "overview"
    q = None if d["kind"] == "final" else {
        "question": "Overview?" if free else "Question %d?" % d["round"],
        "type": "free-text" if free else "single-answerable",
        "options": [] if free else [
            {"label": "Yes", "value": "yes", "description": "", "recommended": True},
            {"label": "No", "value": "no", "description": "", "recommended": False}],
        "allow_other": True, "header": None,
        "dimension": None}
    pressure = None
    if d.get("pressure_followup"):
        pressure = {"revisits_round": d.get("revisit_round") or req["transcript"][-1]["round"],
                    "kind": d.get("pressure_kind") or "evidence"}
    print(json.dumps({"question": q, "why": "w", "source": "user", "scores": [],
        "patches": patches, "stack_changes": [], "open_questions_added": [],
        "open_questions_resolved": [], "gate_evidence": [], "pressure": pressure,
        "deferrals": [], "contradictions": [], "context_findings": [], "terminology": [],
        "ready_to_crystallize": False}))
    """
)


def setup_project(root: Path) -> Project:
    root.mkdir(parents=True)
    engine = root.parent / f"{root.name}-engine.py"
    engine.write_text(ENGINE)
    (root / "specui.toml").write_text(
        '[interview]\nengine = "command"\n'
        f"command = [{json.dumps(sys.executable)}, {json.dumps(str(engine))}]\n"
    )
    return Project.at(root)


def interview(root: Path, *args: str) -> dict:
    """`specui interview ROOT --json ARGS` in this process (only the killed runs are separate
    processes: the suite stays fast)."""
    answer = args[1] if args[:1] == ("--answer",) else None
    code, data = run_headless(Project.at(root), answer=answer, as_json=True)
    assert code == 0, data
    return data


def check_after_restart(root: Path, answered_round: int) -> bool:
    project = Project.at(root)
    data = interview(root)  # the next start finishes any journalled step
    store = SessionStore.open(project)
    iv = store.state.interview
    assert store.state.spec.conflicts == [], "a crash was filed as a user edit"
    assert not (project.state_dir / "journal.json").exists()
    spec = project.spec.read_text()
    landed = f"ANSWER-{answered_round}" in spec
    if landed:
        # SPEC.md has the answer: the session has it too, and its question is not asked again.
        assert iv.rounds_done == answered_round
        assert data["question"]["round"] == answered_round + 1
    else:
        assert iv.rounds_done in (answered_round - 1, answered_round)
    return landed


def test_kill_between_patch_and_session_save_is_finished_on_next_start(tmp_path):
    root = tmp_path / "p"
    setup_project(root)
    interview(root)
    interview(root, "--answer", '{"kind": "text", "value": "first"}')  # round 1 done
    killer = textwrap.dedent(
        f"""
        import os, signal, sys
        sys.path.insert(0, {str(ROOT)!r})
        from specui.interview import driver as d
        real = d.InterviewDriver._save
        def save(self, st):
            if self.journal_path.exists():
                os.kill(os.getpid(), signal.SIGKILL)
            real(self, st)
        d.InterviewDriver._save = save
        from specui.cli import main
        main(["interview", {str(root)!r}, "--answer", '{{"kind": "option", "value": "yes"}}'])
        """
    )
    proc = subprocess.run([sys.executable, "-c", killer], timeout=120, check=False)
    assert proc.returncode == -signal.SIGKILL
    project = Project.at(root)
    assert "ANSWER-2" in project.spec.read_text()  # the patch landed ...
    assert SessionStore.open(project).state.interview.rounds_done == 1  # ... the save did not
    assert (project.state_dir / "journal.json").exists()
    check_after_restart(root, 2)


def _wait_for(predicate, proc: subprocess.Popen, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while not predicate() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.0005)


def test_thirty_random_kill_9s_never_reask_nor_file_a_false_conflict(tmp_path):
    """Kills anchored to what the process is doing, so the trials cover both sides of the patch
    whatever the machine's load: a third the moment the journal appears (just before the
    patch), a third the moment the answer is in SPEC.md (between patch and session save), a
    third at a random point of a run's measured length (start-up, engine, patch, save)."""
    rng = random.Random(9)
    answer = '{"kind": "text", "value": "overview"}'

    def prepared(root: Path) -> Path:
        setup_project(root)
        interview(root)
        return root

    def start(root: Path) -> subprocess.Popen:
        return specui_process(["interview", str(root), "--answer", answer], cwd=root,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    calibration = prepared(tmp_path / "calibrate")
    began = time.monotonic()
    start(calibration).wait(timeout=60)
    run_length = time.monotonic() - began

    outcomes = []
    for trial in range(30):
        root = prepared(tmp_path / f"t{trial}")
        proc = start(root)
        project = Project.at(root)
        mode = trial % 3
        if mode == 0:
            _wait_for((project.state_dir / "journal.json").exists, proc)
        elif mode == 1:
            _wait_for(lambda spec=project.spec: spec.exists() and "ANSWER-1" in spec.read_text(),
                      proc)
        else:
            time.sleep(rng.uniform(0.05, 1.1) * run_length)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        outcomes.append(check_after_restart(root, 1))
    # The kills landed on both sides of the patch (else the trials proved little).
    assert 0 < sum(outcomes) < len(outcomes), outcomes
