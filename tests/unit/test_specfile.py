"""SpecFile: reading, three-way conflict-safe patching, atomic writes, mode, vanished file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from specui.core.errors import SpecuiError
from specui.core.spec import SpecDocument, render_spec_template
from specui.spec_repo import SpecFile

TEMPLATE = render_spec_template("Demo")


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "SPEC.md"
    path.write_text(TEMPLATE, encoding="utf-8")
    return path


def test_read_missing_and_present(tmp_path: Path, spec: Path):
    assert SpecFile(tmp_path / "nope.md", root=tmp_path).read() is None
    doc = SpecFile(spec, root=spec.parent).read()
    assert doc is not None and doc.text == TEMPLATE


def test_read_binary_and_directory_errors(tmp_path: Path):
    bad = tmp_path / "SPEC.md"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(SpecuiError, match=r"^SPEC.md is not UTF-8 text"):
        SpecFile(bad, root=tmp_path).read()
    bad.write_bytes(b"# caf\xe9")
    with pytest.raises(SpecuiError, match=r"^SPEC.md is not UTF-8 text"):
        SpecFile(bad, root=tmp_path).read()
    (tmp_path / "dir").mkdir()
    with pytest.raises(SpecuiError):
        SpecFile(tmp_path / "dir", root=tmp_path).read()


def test_patch_unchanged_file_applies_everything(spec: Path):
    sf = SpecFile(spec, root=spec.parent)
    base = sf.read()
    out = sf.patch({"vision": "We ship.", "security": "mTLS"}, base)
    assert out.applied == ["vision", "security"] and out.conflicts == []
    on_disk = spec.read_text(encoding="utf-8")
    assert on_disk == out.document.text
    assert out.document.section_body("vision") == "We ship."
    assert out.document.unit_text("security") == "- **Security & Privacy**: mTLS"
    assert not [p for p in spec.parent.iterdir() if p.name != "SPEC.md"]  # no temp leftovers


def test_user_edit_of_other_unit_is_kept(spec: Path):
    sf = SpecFile(spec, root=spec.parent)
    base = sf.read()
    edited = TEMPLATE.replace("<what will be built>", "the user's scope")
    spec.write_text(edited, encoding="utf-8")
    out = sf.patch({"vision": "We ship."}, base)
    assert out.applied == ["vision"] and out.conflicts == []
    text = spec.read_text(encoding="utf-8")
    assert "the user's scope" in text and "We ship." in text


def test_user_edit_of_same_unit_wins_and_is_reported(spec: Path):
    sf = SpecFile(spec, root=spec.parent)
    base = sf.read()
    edited = TEMPLATE.replace("<why this matters>", "USER TEXT")
    spec.write_text(edited, encoding="utf-8")
    out = sf.patch({"vision": "agent text", "domain": "entities"}, base)
    assert out.conflicts == ["vision"] and out.applied == ["domain"]
    text = spec.read_text(encoding="utf-8")
    assert "USER TEXT" in text and "agent text" not in text and "entities" in text


def test_security_and_nfr_are_separate_units(spec: Path):
    sf = SpecFile(spec, root=spec.parent)
    base = sf.read()
    spec.write_text(TEMPLATE.replace("SLAs/SLOs, peak loads", "p95 < 200ms"), encoding="utf-8")
    out = sf.patch({"security": "OAuth2", "nfr": "- **Performance**: agent"}, base)
    assert out.applied == ["security"] and out.conflicts == ["nfr"]
    doc = SpecFile(spec, root=spec.parent).read()
    assert "p95 < 200ms" in doc.unit_text("nfr")
    assert doc.unit_text("security") == "- **Security & Privacy**: OAuth2"


def test_same_text_already_on_disk_counts_as_applied(spec: Path):
    sf = SpecFile(spec, root=spec.parent)
    base = sf.read()
    spec.write_text(base.with_section_body("vision", "Same.").text, encoding="utf-8")
    out = sf.patch({"vision": "Same.\n"}, base)
    assert out.applied == ["vision"] and out.conflicts == []


def test_no_write_when_nothing_changes(spec: Path):
    sf = SpecFile(spec, root=spec.parent)
    base = sf.read()
    before = os.stat(spec).st_ino
    out = sf.patch({"vision": base.section_body("vision")}, base)
    assert out.applied == ["vision"] and os.stat(spec).st_ino == before


def test_mode_and_crlf_kept(spec: Path):
    spec.write_bytes(TEMPLATE.replace("\n", "\r\n").encode())
    os.chmod(spec, 0o600)
    sf = SpecFile(spec, root=spec.parent)
    out = sf.patch({"scope": "a\nb"}, sf.read())
    assert out.applied == ["scope"]
    assert stat.S_IMODE(os.stat(spec).st_mode) == 0o600
    raw = spec.read_bytes()
    assert b"\r\n## 2. Scope & Non-Goals\r\na\r\nb\r\n" in raw
    assert raw.count(b"\n") == raw.count(b"\r\n")


def test_vanished_file_is_recreated_from_base_plus_changes(spec: Path):
    sf = SpecFile(spec, root=spec.parent)
    base = SpecDocument.parse(TEMPLATE.replace("<who benefits>", "devs"))
    spec.unlink()
    out = sf.patch({"scope": "S"}, base)
    assert out.applied == ["scope"]
    assert spec.read_text(encoding="utf-8") == base.with_section_body("scope", "S").text


def test_no_base_and_no_file_starts_from_template(tmp_path: Path):
    proj = tmp_path / "My Proj"
    proj.mkdir()
    out = SpecFile(proj / "SPEC.md", root=tmp_path).patch({"vision": "V"}, None)
    text = (proj / "SPEC.md").read_text(encoding="utf-8")
    assert text.startswith("# SPEC: My Proj\n") and out.document.section_body("vision") == "V"


def test_no_base_only_fills_placeholder_units(spec: Path):
    sf = SpecFile(spec, root=spec.parent)
    spec.write_text(TEMPLATE.replace("<why this matters>", "user wrote this"), encoding="utf-8")
    out = sf.patch({"vision": "agent", "scope": "agent scope"}, None)
    assert out.conflicts == ["vision"] and out.applied == ["scope"]
    assert "user wrote this" in spec.read_text(encoding="utf-8")


def test_unknown_unit_refused(spec: Path):
    with pytest.raises(SpecuiError):
        SpecFile(spec, root=spec.parent).patch({"bogus": "x"}, None)
    assert spec.read_text(encoding="utf-8") == TEMPLATE


def test_concurrent_edit_during_patch_is_not_overwritten(spec: Path, monkeypatch):
    """An edit saved between our read and our write is detected and re-merged."""
    sf = SpecFile(spec, root=spec.parent)
    base = sf.read()
    real_apply = SpecFile._apply
    calls = {"n": 0}

    def apply_then_user_saves(doc, changes, b, same):
        result = real_apply(doc, changes, b, same)
        if calls["n"] == 0:
            spec.write_text(
                TEMPLATE.replace("<why this matters>", "saved meanwhile") + "\n", encoding="utf-8"
            )
        calls["n"] += 1
        return result

    monkeypatch.setattr(SpecFile, "_apply", staticmethod(apply_then_user_saves))
    out = sf.patch({"vision": "agent vision", "domain": "D"}, base)
    assert calls["n"] == 2
    assert out.conflicts == ["vision"] and out.applied == ["domain"]
    text = spec.read_text(encoding="utf-8")
    assert "saved meanwhile" in text and "agent vision" not in text


def test_a_symlink_loop_is_one_clear_error_for_reads_patches_and_init(tmp_path: Path):
    from specui import spec_repo
    from specui.core.paths import Project

    (tmp_path / "SPEC.md").symlink_to("loop.md")
    (tmp_path / "loop.md").symlink_to("SPEC.md")
    sf = SpecFile(tmp_path / "SPEC.md", root=tmp_path)
    with pytest.raises(SpecuiError, match="cannot read .*SPEC.md"):
        sf.read()
    with pytest.raises(SpecuiError):
        sf.patch({"vision": "V"}, None)
    with pytest.raises(SpecuiError, match="symlink loop"):
        spec_repo.init_project(Project.at(tmp_path))


def test_init_writes_through_a_dangling_symlink_inside_the_project(tmp_path: Path):
    from specui import spec_repo
    from specui.core.paths import Project

    (tmp_path / "docs").mkdir()
    (tmp_path / "SPEC.md").symlink_to("docs/SPEC.md")
    created = spec_repo.init_project(Project.at(tmp_path))
    assert tmp_path / "SPEC.md" in created
    assert (tmp_path / "SPEC.md").is_symlink()
    assert (tmp_path / "docs" / "SPEC.md").read_text().startswith("# SPEC: ")


# The interview writes one bullet of a unit while the user edits another bullet of the same unit
# (found in tmux: the user sharpened In-scope while the interviewer wrote Decision Boundaries;
# that was a conflict, and its "append" put the user's replaced In-scope text back under the new).
SCOPE_BASE = "- **In-scope**: rename in place\n- **Out-of-scope**: a GUI"


def _scope_spec(spec: Path, scope: str) -> None:
    doc = SpecDocument.parse(TEMPLATE).with_unit_text("scope", scope)
    spec.write_text(doc.text, encoding="utf-8")


def test_edits_of_different_bullets_of_one_unit_merge(spec: Path):
    _scope_spec(spec, SCOPE_BASE)
    sf = SpecFile(spec, root=spec.parent)
    base = sf.read()
    _scope_spec(spec, "- **In-scope**: rename in place, with a dry run (mine)\n"
                      "- **Out-of-scope**: a GUI")
    proposed = SCOPE_BASE + "\n- **Decision Boundaries**: code structure and naming"
    out = sf.patch({"scope": proposed}, base)
    assert out.applied == ["scope"] and out.conflicts == []
    assert sf.read().unit_text("scope") == (
        "- **In-scope**: rename in place, with a dry run (mine)\n- **Out-of-scope**: a GUI\n"
        "- **Decision Boundaries**: code structure and naming"
    )


def test_a_bullet_both_changed_is_a_conflict_proposed_over_the_users_other_edits(spec: Path):
    _scope_spec(spec, SCOPE_BASE)
    sf = SpecFile(spec, root=spec.parent)
    base = sf.read()
    mine = "- **In-scope**: rename in place, with a dry run (mine)\n- **Out-of-scope**: a CLI"
    _scope_spec(spec, mine)
    proposed = "- **In-scope**: rename in place\n- **Out-of-scope**: a GUI; sync"
    out = sf.patch({"scope": proposed}, base)
    assert out.conflicts == ["scope"] and out.applied == []
    assert sf.read().unit_text("scope") == mine  # the user's text wins
    # What specui proposes keeps the user's In-scope: only the bullet it changed differs.
    assert out.proposals["scope"] == (
        "- **In-scope**: rename in place, with a dry run (mine)\n- **Out-of-scope**: a GUI; sync"
    )


def test_a_change_beyond_bullet_values_stays_a_whole_unit_conflict(spec: Path):
    _scope_spec(spec, SCOPE_BASE)
    sf = SpecFile(spec, root=spec.parent)
    base = sf.read()
    _scope_spec(spec, "- **In-scope**: rename in place (mine)\n- **Out-of-scope**: a GUI")
    out = sf.patch({"scope": "- **In-scope**: rename in place"}, base)  # drops a bullet
    assert out.conflicts == ["scope"] and out.proposals["scope"] == "- **In-scope**: rename in place"


def test_the_same_bullet_value_on_both_sides_merges(spec: Path):
    _scope_spec(spec, SCOPE_BASE)
    sf = SpecFile(spec, root=spec.parent)
    base = sf.read()
    _scope_spec(spec, "- **In-scope**: rename, undo (mine)\n- **Out-of-scope**: a GUI; sync")
    out = sf.patch({"scope": "- **In-scope**: rename in place\n- **Out-of-scope**: a GUI; sync"},
                   base)
    assert out.applied == ["scope"] and out.conflicts == []
    assert "rename, undo (mine)" in sf.read().unit_text("scope")
