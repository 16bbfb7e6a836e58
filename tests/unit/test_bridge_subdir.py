"""An agent that asks from a folder inside the project (its shell did `cd src`) reaches the
workbench open on the project (trial4: `specui question` from g1/specs said "no specui workbench
is open on /tmp/trial4/g1/specs" while one was open on g1)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from specui import bridge
from specui.bridge import asker
from specui.core.paths import Project
from specui.core.questions import build_answer, normalize_question_input

SINGLE = {"question": "Which cache?", "options": [{"label": "Memory"}, {"label": "Disk"}]}


def test_a_question_from_a_subfolder_goes_to_the_projects_workbench(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    (root / "src" / "deep").mkdir(parents=True)
    project = Project.at(root)
    bridge.write_workbench_pid(project)
    try:
        def answer_when_posted() -> None:
            for _ in range(200):
                pending = bridge.pending_requests(project)
                if pending:
                    req = pending[0]
                    bridge.write_answer(project, req.id,
                                        [build_answer(req.batch.first, [1], None)])
                    return
                time.sleep(0.02)

        threading.Thread(target=answer_when_posted, daemon=True).start()
        request, entries = asker.ask(Project.at(root / "src" / "deep"),
                                     normalize_question_input(SINGLE), timeout=5,
                                     notice=print, env={})
        assert request.target == "workbench" and entries[0].answer.value == "Disk"
        assert not (root / "src" / "deep" / ".specui").exists()  # nothing left in the subfolder
    finally:
        bridge.remove_workbench_pid(project)


def test_without_a_workbench_above_the_folder_itself_is_asked(tmp_path: Path) -> None:
    folder = Project.at(tmp_path / "lonely")
    (tmp_path / "lonely").mkdir()
    assert asker.workbench_for(folder) == (folder, None)


def test_a_project_inside_another_does_not_ask_the_outer_ones_workbench(tmp_path: Path) -> None:
    """A monorepo root (or the home folder) with a workbench open, and a project of its own
    below it with none: the inner project's question is not the outer one's (review)."""
    outer = Project.at(tmp_path / "mono")
    inner_root = tmp_path / "mono" / "services" / "api"
    (inner_root / "src").mkdir(parents=True)
    (inner_root / "SPEC.md").write_text("# SPEC\n")
    bridge.write_workbench_pid(outer)
    try:
        inner = Project.at(inner_root)
        assert asker.workbench_for(inner) == (inner, None)
        from_src = Project.at(inner_root / "src")
        assert asker.workbench_for(from_src) == (from_src, None)
        # A plain folder of the outer project still reaches its workbench.
        (tmp_path / "mono" / "docs").mkdir()
        found, stamp = asker.workbench_for(Project.at(tmp_path / "mono" / "docs"))
        assert found == outer and stamp is not None
    finally:
        bridge.remove_workbench_pid(outer)
