"""A brownfield offline interview is grounded in the repository within the standard profile.

Found in a whole ★ offline interview of "add a streaming parser API" to a copy of iniconfig
(standard profile, 12 rounds): no round asked which files the change touches (intent-first held
every ordinary round up to the cap), and the scan behind that question offered only
`__init__.py` — "parse" and "line" are in most files of a small parser package, so they were
dropped as noise, and the parser module itself matched nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from offline_run import answer_until, offline_driver, run_whole

from specui.core.questions import Answer, Question, build_answer
from specui.core.spec import SpecDocument, item_value
from specui.interview.engines.builtin_reading import keywords, scan_repository

# The shape of iniconfig 2.x: a facade, the parser module, its error, a version file.
FILES = {
    "pyproject.toml": '[project]\nname = "inifile"\nrequires-python = ">=3.10"\n',
    "README.md": "# inifile\n\nA small and simple INI-file parser module.\n",
    "src/inifile/__init__.py": (
        "from ._parse import parse_ini_data, ParsedLine\nfrom .exceptions import ParseError\n\n"
        "class IniConfig:\n    def __init__(self, path, data=None):\n"
        "        with open(path) as f:\n            data = f.read()\n"
        "        self.sections = parse_ini_data(path, data)\n\n"
        "    def lineof(self, section, name=None):\n"
        "        return self._lines.get((section, name))\n"
    ),
    "src/inifile/_parse.py": (
        "from .exceptions import ParseError\n\nclass ParsedLine:\n    lineno: int\n\n"
        "def parse_ini_data(path, data):\n    return parse_lines(path, data.splitlines(True))\n\n"
        "def parse_lines(path, line_iter):\n"
        "    return [_parseline(path, line, n) for n, line in enumerate(line_iter)]\n\n"
        "def _parseline(path, line, lineno):\n    if iscommentline(line):\n        return None\n"
        "    raise ParseError(path, lineno, 'unexpected line')\n\n"
        "def iscommentline(line):\n    return line.lstrip().startswith(('#', ';'))\n"
    ),
    "src/inifile/exceptions.py": (
        "class ParseError(Exception):\n    def __init__(self, path, lineno, msg):\n"
        "        self.path, self.lineno, self.msg = path, lineno, msg\n"
    ),
    "src/inifile/_version.py": "__version__ = version = '2.3.1'\n",
}
OVERVIEW = (
    "Add a streaming parser API to this library: parse an INI file line by line from a file "
    "object without reading it all into memory."
)
TEXTS = {
    "primary users": "Developers who read large INI files",
    "top three tasks": "Iterate over the sections of a 1 GB file",
    "at its core": "A lazy INI reader",
    "has to be true": "Files are read sequentially, never seeked",
}


def _repo(root: Path) -> Path:
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def test_the_parser_module_ranks_first_though_every_file_says_parse(tmp_path: Path):
    scan = scan_repository(_repo(tmp_path), keywords([OVERVIEW]))
    assert [f.path for f in scan.touchpoints] == [
        "src/inifile/_parse.py",  # "parse" in its path, defines parse_lines, ParsedLine
        "src/inifile/__init__.py",  # reads the file: open(), f.read()
        "src/inifile/exceptions.py",  # defines ParseError
    ]


@pytest.fixture(scope="module")
def standard_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Question], object]:
    return run_whole(_repo(tmp_path_factory.mktemp("inifile")), OVERVIEW, TEXTS)


def test_the_standard_profile_asks_which_files_the_change_touches(standard_run):
    asked, project = standard_run
    touch = [i for i, q in enumerate(asked) if "Which will the change touch?" in q.question]
    assert touch, [q.question[:40] for q in asked]
    # asked[0] is round 2: the round is within the cap, with rounds left after it
    assert touch[0] + 2 < 12
    labels = [o.label for o in asked[touch[0]].options]
    assert labels[0] == "src/inifile/_parse.py"  # read from the code, not alphabetical
    doc = SpecDocument.parse(project.spec.read_text())
    assert item_value(doc.unit_text("scope"), "Touchpoints") == "src/inifile/_parse.py"


def test_constraints_or_success_are_asked_before_the_cap(standard_run):
    asked, _project = standard_run
    feasibility = {"Which checks must pass before v1 is released?", "Which load should v1 be built"}
    assert any(any(f in q.question for f in feasibility) for q in asked[:11])


def test_deferring_the_touchpoints_names_the_files_of_the_default(tmp_path: Path):
    drv, store, project = offline_driver(_repo(tmp_path))
    drv.start()
    drv.answer(Answer(kind="text", value=OVERVIEW))
    q = answer_until(drv, store, "Which will the change touch?")
    drv.answer(build_answer(q, [[o.label for o in q.options].index("Decide for me")], None))
    doc = SpecDocument.parse(project.spec.read_text())
    value = item_value(doc.unit_text("scope"), "Touchpoints") or ""
    assert value.startswith("Default (you deferred): the files that match the answers")
    assert "(src/inifile/_parse.py, src/inifile/__init__.py, src/inifile/exceptions.py)" in value


NORMALIZE = (
    "Add a normalize_url() function to this URL library: Markdown renderers that use mdurl "
    "want one call that parses, lower-cases the host and re-encodes a link so that equal links "
    "compare equal. The existing url_parse(), encode() and decode() must keep working unchanged."
)


def test_an_overview_that_names_the_existing_code_still_gets_its_touchpoints_asked(
    tmp_path: Path,
):
    # The overview's sentence about url_parse(), encode() and decode() fills Existing Code:
    # with the scan, Context Clarity is 0.60 before any file was confirmed.
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "mdurl"\n')
    pkg = tmp_path / "src" / "mdurl"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("from ._parse import url_parse\nfrom ._encode import encode\n")
    (pkg / "_parse.py").write_text("def url_parse(url):\n    return url\n")
    (pkg / "_encode.py").write_text("def encode(string):\n    return string\n")
    (pkg / "_decode.py").write_text("def decode(string):\n    return string\n")
    asked, _project = run_whole(tmp_path, NORMALIZE, TEXTS)
    touch = [q for q in asked[:11] if "Which will the change touch?" in q.question]
    assert touch, [q.question[:40] for q in asked[:11]]
    assert "src/mdurl/_parse.py" in [o.label for o in touch[0].options]


def test_the_touched_files_are_the_ones_picked_though_the_answer_reranks_the_scan(tmp_path: Path):
    # Picking _parse.py plus Other "a new module src/inifile/_stream.py" wrote __init__.py
    # too: the answer's words re-ranked the scan and the option values were positions in it.
    drv, store, project = offline_driver(_repo(tmp_path))
    drv.start()
    drv.answer(Answer(kind="text", value=OVERVIEW))
    q = answer_until(drv, store, "Which will the change touch?")
    assert (q.options[0].label, q.options[0].value) == (
        "src/inifile/_parse.py",
        "src-inifile-parse-py",  # the file, not its rank
    )
    drv.answer(build_answer(q, [0], "a new module src/inifile/_stream.py"))
    doc = SpecDocument.parse(project.spec.read_text())
    assert item_value(doc.unit_text("scope"), "Touchpoints") == (
        "src/inifile/_parse.py; a new module src/inifile/_stream.py"
    )
    latest = {f.finding.path: f.finding for f in store.state.interview.findings}
    assert latest["src/inifile/_parse.py"].touchpoint
    assert not latest["src/inifile/__init__.py"].touchpoint
    assert latest["src/inifile/__init__.py"].finding.startswith("not touched")


def test_a_standard_or_product_name_is_no_unclear_term(tmp_path: Path):
    # bank.md: the Terminologist flagged "CommonMark: the code defines no such name" in mdurl.
    drv, store, _project = offline_driver(_repo(tmp_path))
    drv.start()
    drv.answer(
        Answer(
            kind="text",
            value=OVERVIEW + " Keys follow CommonMark rules and GitHub's INI flavour; "
            "ParsdLine objects come back, and `IniFille` stays the entry point.",
        )
    )
    conflicts = {t.term.term for t in store.state.interview.terminology if t.term.conflict}
    assert "CommonMark" not in conflicts and "GitHub" not in conflicts
    assert "ParsdLine" in conflicts  # close to ParsedLine: a misnamed class
    assert "IniFille" in conflicts  # backticked: written as code
