"""SPEC.md on disk and the view: the folder watcher, external edits, conflicts, scroll position;
plus the small pure helpers the panes rely on (watcher, themes, safe text)."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from specui.core.fsio import atomic_write_text
from specui.ui.services.watcher import FolderWatcher
from specui.ui.widgets.safe_text import clean, safe_text
from specui.ui.widgets.spec_markdown import render_lines
from specui.ui.widgets.spec_view import SectionBody, SpecView, load_snapshot

from .conftest import SMALL, make_app, settle
from .fake_engine import FREE, MULTI, SINGLE


async def wait_for(pilot, predicate, timeout: float = 3.0) -> float:
    start = time.perf_counter()
    while not predicate():
        if time.perf_counter() - start > timeout:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.02)
    return time.perf_counter() - start


def rendered_plain(app) -> str:
    """What the section body shows on screen, as plain text."""
    body = app.query_one("#section-body")
    return "\n".join(strip.text for strip in body.render_lines(body.region.reset_offset))


async def test_external_edit_appears_and_the_next_patch_keeps_it(project, store):
    app = make_app(project, store, [SINGLE, MULTI, FREE], watch=True)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert app.file_watch is not None
        assert app.file_watch.watcher.ready.wait(2)
        spec = project.spec.read_text()
        edited = spec.replace("<why this matters>", "KEEP-MY-EDIT")
        assert edited != spec
        # An editor-style save: write a temp file, rename it over SPEC.md.
        tmp = project.root / ".SPEC.md.swp"
        tmp.write_text(edited)
        os.replace(tmp, project.spec)
        # (How fast: bench/bench_ui.py measures SPEC.md change -> repaint.)
        await wait_for(pilot, lambda: "KEEP-MY-EDIT" in rendered_plain(app))
        # The next answer patches Vision? The fake engine patches "vision" for round 1, which
        # the user just edited: their text must win and the patch be kept as a conflict.
        await pilot.press("1", "enter")
        await settle(pilot)
        text = project.spec.read_text()
        assert "KEEP-MY-EDIT" in text
        assert [c.unit for c in store.state.spec.conflicts] == ["vision"]
        assert any("conflict" in str(n.title or "").lower() for n in app._notifications)
        # A patch of another unit goes through and still keeps the edit.
        await pilot.press("2", "enter")
        await settle(pilot)
        text = project.spec.read_text()
        assert "KEEP-MY-EDIT" in text and "No GUI" in text


async def test_unchanged_section_is_not_rerendered_and_scroll_is_kept(project, store):
    app = make_app(project, store, [SINGLE, MULTI], watch=False)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        long_body = "\n".join(f"- item {i}: a real requirement" for i in range(80)) + "\n"
        spec = project.spec.read_text()
        head, _sep, tail = spec.partition("## 2.")
        start = head.index("## 1. Vision & Goals")
        head = head[:start] + "## 1. Vision & Goals\n" + long_body + "\n"
        atomic_write_text(project.spec, head + "## 2." + tail)
        app.workbench.load_spec()
        await settle(pilot)
        view = app.query_one(SpecView)
        body = app.query_one(SectionBody)
        body.scroll_to(y=20, animate=False)
        await pilot.pause()
        assert body.scroll_y == 20
        key = view._rendered_key
        lines = body.pieces
        # Same text again (e.g. an edit elsewhere): no re-render at all.
        app.workbench.load_spec()
        await settle(pilot)
        assert view._rendered_key == key and body.pieces is lines
        # Changed text in the same section: re-rendered, scroll position kept.
        atomic_write_text(project.spec, project.spec.read_text().replace("item 79", "item 79b"))
        app.workbench.load_spec()
        await settle(pilot)
        assert view._rendered_key != key and body.pieces is not lines
        assert "- item 79b" not in rendered_plain(app)  # bullets are drawn as •
        assert any("item 79b" in line for line in body.plain_lines())
        assert body.scroll_y == 20


def test_watcher_sees_atomic_replace_of_the_file(tmp_path: Path):
    seen: list[tuple[float, frozenset[Path]]] = []
    got = threading.Event()

    def on_change(paths):
        seen.append((time.perf_counter(), paths))
        got.set()

    watcher = FolderWatcher([tmp_path], ["SPEC.md"], on_change)
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    assert watcher.ready.wait(2)
    time.sleep(0.1)
    (tmp_path / "unrelated.txt").write_text("x")
    time.sleep(0.2)
    assert not got.is_set()  # filtered by name
    (tmp_path / ".tmp123").write_text("# new")
    os.replace(tmp_path / ".tmp123", tmp_path / "SPEC.md")
    assert got.wait(2)
    assert tmp_path / "SPEC.md" in seen[0][1]
    watcher.stop()
    thread.join(2)
    assert not thread.is_alive()


def test_watcher_reports_a_missing_folder(tmp_path: Path):
    errors: list[str] = []
    watcher = FolderWatcher([tmp_path / "gone"], ["SPEC.md"], lambda p: None, errors.append)
    watcher.run()
    assert errors and "missing" in errors[0]


def test_snapshot_of_a_missing_and_a_binary_spec(tmp_path: Path):
    missing = load_snapshot(tmp_path / "SPEC.md", {})
    assert not missing.exists and len(missing.units) == 18
    assert set(missing.statuses.values()) == {"unknown"}
    (tmp_path / "SPEC.md").write_bytes(b"\xff\xfe\x00binary")
    broken = load_snapshot(tmp_path / "SPEC.md", {})
    assert broken.error


def test_clean_strips_escapes_but_keeps_text():
    raw = "a[/]b\x1b[2Jc\x1b]52;c;aGk=\x07d\x1b[31mred\x1b[0m\r\ne\tf"
    assert clean(raw) == "a[/]bcdred\ne\tf"
    text = safe_text("[bold]x[/bold]")
    assert text.plain == "[bold]x[/bold]" and not text.spans


def test_section_lines_keep_text_literal_and_wrap_with_hanging_indent():
    styles = {"bold": "B", "ph": "P", "code": "C", "bullet": "U", "heading": "H", "fence": "F"}
    text = (
        "## Heading [/]\n"
        "- **Problem**: <why this matters> and [bold]x[/bold] with a long tail of words\n"
        "```\n- not a bullet **not bold**\n```"
    )
    lines = render_lines(text, 40, styles)
    plain = ["".join(t for t, _ in line) for line in lines]
    assert plain[0] == "## Heading [/]" and lines[0][0][1] == "H"
    # emphasis is rendered (bold style), its ** delimiters are not shown
    assert plain[1].startswith("• Problem:") and plain[2].startswith("  ")  # hanging indent
    assert ("Problem", "B") in lines[1]
    assert "".join(plain[1:4]).count("[bold]x[/bold]") == 1
    assert ("<why this matters>", "P") in [p for line in lines for p in line]
    assert plain[-2] == "- not a bullet **not bold**" and lines[-2][0][1] == "C"
    assert all(len(p) <= 40 for p in plain)


def test_section_rendering_of_a_big_section_renders_every_line():
    # (How fast: bench/bench_ui.py's SPEC.md change -> repaint at 50 KiB.)
    body = "\n".join(f"- **Req {i}**: keep `task {i}` durable <tbd>" for i in range(1500))
    lines = render_lines(body, 100, {})
    assert len(lines) == 1500


def test_themes_load_and_a_bad_file_is_skipped(tmp_path: Path):
    from specui.ui.services.themes import THEMES_DIR, load_themes

    themes, warnings = load_themes()
    names = {t.name for t in themes}
    assert {"specui-dark", "specui-light"} <= names and not warnings
    assert {t.name: t.dark for t in themes}["specui-light"] is False
    (tmp_path / "a.toml").write_text((THEMES_DIR / "specui-dark.toml").read_text())
    (tmp_path / "b.toml").write_text('name = "b"\nprimary = "not-a-colour"\n')
    (tmp_path / "c.toml").write_text("name = [")
    themes, warnings = load_themes(tmp_path)
    assert [t.name for t in themes] == ["specui-dark"]
    assert len(warnings) == 2 and "b.toml" in warnings[0] and "c.toml" in warnings[1]


def test_run_app_refuses_a_missing_directory(tmp_path, capsys):
    from specui.core.paths import Project
    from specui.ui.app import run_app

    assert run_app(Project.at(tmp_path / "nope")) == 2
    assert "no such directory" in capsys.readouterr().err


@pytest.mark.parametrize("module", ["specui.ui.app", "specui.cli"])
def test_heavy_modules_stay_lazy(module):
    """Startup cost: watchfiles, subprocess-heavy runner code and markdown parsing load later."""
    import subprocess
    import sys

    code = (
        f"import sys, {module}; "
        "bad = [m for m in ('watchfiles', 'markdown_it', 'rich.markdown') if m in sys.modules]; "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_line_memo_gives_the_same_lines_as_a_fresh_render_and_follows_edits():
    """The per-line memo is invisible: same output as a cold render, edits and fences included."""
    from specui.ui.widgets import spec_markdown

    styles = {key: key for key in spec_markdown.STYLE}  # stand-in styles: any object will do
    text = "- **A**: one `code` [/] here\n```\n- not a bullet\n```\n- **B**: " + "word " * 40
    warm = render_lines(text, 30, styles)
    spec_markdown._LINE_CACHE.clear()
    assert render_lines(text, 30, styles) == warm  # cold == warm
    edited = text.replace("- **A**: one", "- **A**: two")
    spec_markdown._LINE_CACHE.clear()
    cold_edit = render_lines(edited, 30, styles)
    render_lines(text, 30, styles)  # warm the memo with the old text
    assert render_lines(edited, 30, styles) == cold_edit
    # a line inside a fence renders as code, not as a bullet, even when memoized outside one
    render_lines("- not a bullet", 30, styles)
    fenced = render_lines("```\n- not a bullet\n```", 30, styles)
    assert fenced[1] == [("- not a bullet", "code")]


def test_view_fences_follow_the_shared_commonmark_rule():
    """The SPEC.md view agrees with the parser: "```python" inside a fence is code, not a
    close, and "```x```" is inline code, not a fence that hides the rest of the section."""
    styles = {"code": "C", "fence": "F"}
    lines = render_lines("```\n```python\n- still code\n```\n```x```\n- bullet", 80, styles)
    assert lines[1] == [("```python", "C")] and lines[2] == [("- still code", "C")]
    assert lines[3] == [("```", "F")]
    assert lines[5] == [("•", None), (" bullet", None)]
