"""Brownfield: when the overview names no kind of product ("Add a strict=True option to
url_parse() …"), the repository's manifest says what it is. A copy of mdurl was offered "Most
target users use it every week" as its success metric and a "Security review: auth and data
handling" as a release check, as if it were an app with users."""

from __future__ import annotations

from pathlib import Path

from offline_run import answer_until, offline_driver

from specui.core.questions import Answer
from specui.interview.engines.builtin_reading import repo_product

OVERVIEW = (
    "Add a strict=True option to url_parse() so that callers who handle untrusted links get a "
    "clear error instead of a guess."
)


def _package(root: Path, scripts: bool) -> None:
    extra = '\n[project.scripts]\nurlcheck = "urlkit.cli:main"\n' if scripts else ""
    (root / "pyproject.toml").write_text(f'[project]\nname = "urlkit"\n{extra}')
    pkg = root / "src" / "urlkit"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("def url_parse(url):\n    return url\n")


def test_the_manifest_says_library_or_cli(tmp_path: Path):
    lib, cli = tmp_path / "lib", tmp_path / "cli"
    lib.mkdir()
    cli.mkdir()
    _package(lib, scripts=False)
    _package(cli, scripts=True)
    assert repo_product(lib, ["pyproject.toml"]) == "library"
    assert repo_product(cli, ["pyproject.toml"]) == "cli"
    (tmp_path / "package.json").write_text('{"name": "x", "bin": {"x": "cli.js"}}')
    assert repo_product(tmp_path, ["package.json"]) == "cli"
    assert repo_product(tmp_path, []) is None


def test_a_library_change_gets_library_options(tmp_path: Path):
    _package(tmp_path, scripts=False)
    drv, store, _project = offline_driver(tmp_path)
    drv.start()
    drv.answer(Answer(kind="text", value=OVERVIEW))
    q = answer_until(drv, store, "90 days after release", text="Library users.")
    offered = [o.label for o in q.options]
    assert "Adopted by callers" in offered
    assert "Regular use" not in offered


def test_the_contrarian_asks_a_library_about_its_callers_not_spreadsheets(tmp_path: Path):
    """The devil's advocate for a strict mode in a URL library said "people get by today
    without this (a script, a spreadsheet, an existing tool)"."""
    _package(tmp_path, scripts=False)
    drv, store, project = offline_driver(tmp_path)
    drv.start()
    drv.answer(Answer(kind="text", value=OVERVIEW))
    q = answer_until(drv, store, "Devil's advocate", text="Library users.")
    assert "spreadsheet" not in q.question and "callers can already do this" in q.question
    assert store.state.interview.current.challenge_mode == "contrarian"
    drv.answer(Answer(kind="option", value="callers-repeat"))
    assert "Contrarian check: every caller would repeat it" in project.spec.read_text()
