"""spec_repo's conflict actions: apply / append / dismiss, each atomic, none losing text.

A conflict is made the way it happens for real: the engine computes a change from `base`, the
user edits the same unit in their editor meanwhile, and `spec_repo.patch` keeps the engine's
text aside in `store.spec.conflicts`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from specui import spec_repo
from specui.core.errors import SpecuiError
from specui.core.paths import Project
from specui.core.spec import SpecDocument
from specui.store import SessionStore

USER_VISION = "- **Problem & Outcome**: the user's own words [/] stay [bold]literal"
PROPOSED_VISION = (
    "- **Problem & Outcome**: specui's words [/] and [b]x[/b]\n- **Target Users**: devs"
)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    root = tmp_path / "demo-app"
    root.mkdir()
    project = Project.at(root)
    spec_repo.init_project(project)
    return project


@pytest.fixture
def store(project: Project) -> SessionStore:
    return SessionStore.open(project)


def write(project: Project, doc: SpecDocument) -> None:
    project.spec.write_text(doc.text, encoding="utf-8")


def make_conflict(
    project: Project, store: SessionStore, unit: str, user_text: str, proposed: str
) -> SpecDocument:
    """The user edits `unit` while the engine patches it from the older text: one conflict."""
    base = spec_repo.read_document(project)
    write(project, base.with_unit_text(unit, user_text))
    outcome = spec_repo.patch(project, store, {unit: proposed}, base)
    assert outcome.conflicts == [unit]
    return spec_repo.read_document(project)


def test_apply_replaces_the_unit_and_keeps_the_users_text_in_history(project, store):
    seen = make_conflict(project, store, "vision", USER_VISION, PROPOSED_VISION)
    before = project.spec.read_text()
    conflict = store.state.spec.conflicts[0]

    out = spec_repo.apply_conflict(project, store, 0, base=seen, expect=conflict)

    assert out.resolved and out.action == "apply"
    doc = spec_repo.read_document(project)
    assert doc.unit_text("vision") == PROPOSED_VISION
    # every other unit is byte-for-byte what it was
    old = SpecDocument.parse(before)
    for key in spec_repo.UNIT_KEYS:
        if key != "vision":
            assert doc.unit_text(key) == old.unit_text(key), key
    assert store.state.spec.conflicts == []
    [entry] = store.state.spec.conflicts_history
    assert entry.action == "applied" and entry.conflict == conflict
    assert entry.previous_text == USER_VISION
    # persisted, not only in memory
    again = SessionStore.open(project)
    assert again.state.spec.conflicts == [] and again.state.spec.conflicts_history == [entry]


def test_apply_after_another_user_edit_stays_a_conflict_and_loses_nothing(project, store):
    seen = make_conflict(project, store, "vision", USER_VISION, PROPOSED_VISION)
    conflict = store.state.spec.conflicts[0]
    # The user edits the same unit again after the screen showed `seen`.
    newest = "- **Problem & Outcome**: the user's NEWEST words"
    write(project, seen.with_unit_text("vision", newest))
    on_disk = project.spec.read_text()

    for action in ("apply", "append"):
        out = spec_repo.conflict_action(project, store, 0, action, base=seen, expect=conflict)
        assert not out.resolved and "again" in out.message
        assert project.spec.read_text() == on_disk  # the newest edit won, untouched
        assert store.state.spec.conflicts == [conflict]  # proposal still there, not duplicated
        assert store.state.spec.conflicts_history == []


def test_apply_keeps_a_concurrent_edit_of_another_unit(project, store):
    seen = make_conflict(project, store, "vision", USER_VISION, PROPOSED_VISION)
    write(project, seen.with_unit_text("scope", "Scope the user wrote meanwhile."))

    out = spec_repo.apply_conflict(project, store, 0, base=seen)

    assert out.resolved
    doc = spec_repo.read_document(project)
    assert doc.unit_text("vision") == PROPOSED_VISION
    assert doc.unit_text("scope") == "Scope the user wrote meanwhile."


def test_apply_without_base_uses_the_current_document(project, store):
    make_conflict(project, store, "scope", "Mine.", "Theirs.")
    out = spec_repo.apply_conflict(project, store, 0)
    assert out.resolved
    assert spec_repo.read_document(project).unit_text("scope") == "Theirs."


def test_apply_re_adds_a_unit_the_user_deleted(project, store):
    seen = make_conflict(project, store, "risks", "My risks.", "specui's risks.")
    text = seen.text
    start = text.index("## 13.")
    end = text.index("## 14.")
    project.spec.write_text(text[:start] + text[end:], encoding="utf-8")
    assert spec_repo.read_document(project).unit_text("risks") is None

    out = spec_repo.apply_conflict(project, store, 0)

    assert out.resolved
    assert spec_repo.read_document(project).unit_text("risks") == "specui's risks."
    assert store.state.spec.conflicts_history[0].previous_text is None


def test_append_merges_the_proposal_into_the_users_bullets(project, store):
    seen = make_conflict(project, store, "vision", USER_VISION, PROPOSED_VISION)

    out = spec_repo.append_conflict(project, store, 0, base=seen)

    assert out.resolved and out.action == "append"
    assert spec_repo.read_document(project).unit_text("vision") == (
        USER_VISION + "\n    specui's words [/] and [b]x[/b]\n- **Target Users**: devs"
    )
    [entry] = store.state.spec.conflicts_history
    assert entry.action == "appended" and entry.previous_text == USER_VISION
    assert store.state.spec.conflicts == []


def test_append_does_not_repeat_a_proposal_already_in_the_text(project, store):
    both = "Mine.\n\nTheirs."
    make_conflict(project, store, "scope", both, "Theirs.")
    before = project.spec.read_text()

    out = spec_repo.append_conflict(project, store, 0)

    assert out.resolved and project.spec.read_text() == before
    assert store.state.spec.conflicts == []


def test_append_to_security_item_keeps_one_item(project, store):
    nfr_before = spec_repo.read_document(project).unit_text("nfr")
    make_conflict(
        project,
        store,
        "security",
        "- **Security & Privacy**: tokens in the OS keyring",
        "- **Security & Privacy**: TLS everywhere",
    )

    assert spec_repo.append_conflict(project, store, 0).resolved

    doc = spec_repo.read_document(project)
    sec = doc.unit_text("security")
    assert sec.startswith("- **Security & Privacy**: tokens in the OS keyring\n")
    assert "TLS everywhere" in sec and sec.count("Security & Privacy") == 1
    assert doc.unit_text("nfr") == nfr_before


def test_dismiss_leaves_spec_alone_and_keeps_the_proposal(project, store):
    make_conflict(project, store, "vision", USER_VISION, PROPOSED_VISION)
    before = project.spec.read_bytes()
    conflict = store.state.spec.conflicts[0]

    out = spec_repo.dismiss_conflict(store, 0, expect=conflict)

    assert out.resolved and out.action == "dismiss"
    assert project.spec.read_bytes() == before
    assert store.state.spec.conflicts == []
    [entry] = store.state.spec.conflicts_history
    assert entry.action == "dismissed" and entry.conflict.text == PROPOSED_VISION


def test_actions_pick_the_right_conflict_among_several(project, store):
    make_conflict(project, store, "scope", "Mine.", "Theirs.")
    make_conflict(project, store, "risks", "My risks.", "specui's risks.")
    second = store.state.spec.conflicts[1]

    out = spec_repo.apply_conflict(project, store, 1, expect=second)

    assert out.conflict.unit == "risks"
    assert [c.unit for c in store.state.spec.conflicts] == ["scope"]
    doc = spec_repo.read_document(project)
    assert doc.unit_text("risks") == "specui's risks." and doc.unit_text("scope") == "Mine."


@pytest.mark.parametrize("action", ["apply", "append", "dismiss"])
def test_refusals_change_nothing(project, store, action):
    make_conflict(project, store, "scope", "Mine.", "Theirs.")
    make_conflict(project, store, "risks", "My risks.", "specui's risks.")
    before_spec = project.spec.read_bytes()
    before_state = store.state.model_dump(mode="json")
    first = store.state.spec.conflicts[0]

    with pytest.raises(SpecuiError, match="no conflict number 3"):
        spec_repo.conflict_action(project, store, 2, action)
    with pytest.raises(SpecuiError, match="changed meanwhile"):
        spec_repo.conflict_action(project, store, 1, action, expect=first)

    assert project.spec.read_bytes() == before_spec
    assert store.state.model_dump(mode="json") == before_state


def test_unknown_action_and_missing_spec(project, store):
    make_conflict(project, store, "scope", "Mine.", "Theirs.")
    with pytest.raises(SpecuiError, match="unknown conflict action"):
        spec_repo.conflict_action(project, store, 0, "merge")  # type: ignore[arg-type]
    project.spec.unlink()
    with pytest.raises(SpecuiError, match="does not exist"):
        spec_repo.apply_conflict(project, store, 0)
    assert len(store.state.spec.conflicts) == 1


def test_old_session_files_without_history_still_load(project, store):
    make_conflict(project, store, "scope", "Mine.", "Theirs.")
    raw = json.loads(project.session.read_text())
    del raw["spec"]["conflicts_history"]
    project.session.write_text(json.dumps(raw))

    old = SessionStore.open(project)

    assert old.messages == []
    assert [c.text for c in old.state.spec.conflicts] == ["Theirs."]
    assert old.state.spec.conflicts_history == []
    spec_repo.dismiss_conflict(old, 0)
    assert SessionStore.open(project).state.spec.conflicts_history[0].conflict.text == "Theirs."


@pytest.mark.parametrize(
    ("user", "proposed", "expected"),
    [
        ("", "Theirs.", "Theirs."),
        (None, "Theirs.", "Theirs."),
        ("Mine.", "  ", "Mine."),
        ("Mine.\r\n", "Theirs.\n", "Mine.\n\nTheirs."),
    ],
)
def test_appended_text_edges(user, proposed, expected):
    assert spec_repo.appended_text(user, proposed) == expected


def test_append_over_the_template_fills_placeholders_and_can_be_finalized(project, store):
    """The user touched one bullet of the template section; specui's proposal answers all
    three. Appending must not leave the template's placeholders (or a second copy of each
    label) behind, or the section could never be finalized."""
    template = spec_repo.read_document(project).unit_text("vision")
    mine = template.replace("<why this matters>", "notes get lost")
    proposed = (
        "- **Problem & Outcome**: recipes get lost\n"
        "- **Success Metrics**: 80% of notes found in 10 s\n"
        "- **Target Users**: home cooks"
    )
    make_conflict(project, store, "vision", mine, proposed)

    assert spec_repo.append_conflict(project, store, 0).resolved

    text = spec_repo.read_document(project).unit_text("vision")
    assert text == (
        "- **Problem & Outcome**: notes get lost\n    recipes get lost\n"
        "- **Success Metrics**: 80% of notes found in 10 s\n"
        "- **Target Users**: home cooks"
    )
    spec_repo.finalize(project, store, "vision")
    assert spec_repo.statuses(project, store)["vision"] == "final"


# --------------------------------------------------------------------------- writers without a lock


def test_lines_written_into_the_replaced_file_during_a_patch_become_a_conflict(
    project, store, monkeypatch
):
    from specui.core import fsio

    with open(project.spec, "a", encoding="utf-8") as held:

        def late_write(_seconds: float) -> None:
            held.write("- **Outstanding**: written by a script\n")
            held.flush()

        monkeypatch.setattr(fsio.time, "sleep", late_write)
        base = spec_repo.read_document(project)
        outcome = spec_repo.patch(project, store, {"scope": "- **In-scope**: notes"}, base)

    assert outcome.applied == ["scope"]
    assert "written by a script" not in project.spec.read_text()
    [conflict] = store.state.spec.conflicts
    assert conflict.unit == "open_questions"
    assert conflict.text == "- **Outstanding**: written by a script"
    assert "another program" in conflict.reason


def test_no_line_of_a_writer_appending_every_2ms_is_lost(project, store):
    """A script appends a line every 2 ms, taking no lock, while specui patches SPEC.md: each
    of its lines ends up in SPEC.md or in the conflict list (tests/reliability runs it long)."""
    stop = project.root / "stop"
    script = (
        "import os, sys, time\n"
        "n = 0\n"
        "while not os.path.exists(sys.argv[2]):\n"
        "    with open(sys.argv[1], 'a') as f:\n"
        "        f.write(f'- W{n}\\n')\n"
        "    n += 1\n"
        "    time.sleep(0.002)\n"
        "print(n)\n"
    )
    writer = subprocess.Popen(
        [sys.executable, "-c", script, str(project.spec), str(stop)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        for i in range(60):
            base = spec_repo.read_document(project)
            spec_repo.patch(project, store, {"vision": f"- **Problem & Outcome**: take {i}"}, base)
    finally:
        stop.touch()
        written = int(writer.communicate(timeout=30)[0])
    kept = set(project.spec.read_text().splitlines())
    for conflict in SessionStore.open(project).state.spec.conflicts:
        kept.update(conflict.text.splitlines())
    assert written > 0
    assert [n for n in range(written) if f"- W{n}" not in kept] == []
    assert "take 59" in spec_repo.read_document(project).unit_text("vision")


def test_a_spec_symlinked_out_of_the_project_is_never_written(project, store, tmp_path):
    outside = tmp_path / "bashrc"
    outside.write_text("alias ll='ls -l'\n")
    base = spec_repo.read_document(project)
    project.spec.unlink()
    project.spec.symlink_to(outside)
    with pytest.raises(SpecuiError, match="outside the project"):
        spec_repo.patch(project, store, {"vision": "V"}, base)
    assert outside.read_text() == "alias ll='ls -l'\n"
