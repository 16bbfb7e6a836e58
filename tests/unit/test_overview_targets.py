"""A time bound in the overview is a performance target (found in a headless run: "v1 must
index, search offline, and rebuild in under 2 seconds" left §9 unknown, so the section tally
stood still while the user had already stated the NFR)."""

from __future__ import annotations

from pathlib import Path

import pytest
from offline_run import offline_driver

from specui.core.questions import Answer
from specui.core.spec import SpecDocument, placeholder_status
from specui.interview.engines.builtin_reading import draft_overview

PERF = ("nfr", "Performance")
SCOPE = ("scope", "In-scope")


@pytest.mark.parametrize(
    ("overview", "performance", "in_scope"),
    [
        ("A notes CLI. v1 must index, search offline, and rebuild in under 2 seconds.",
         "rebuild in under 2 seconds",
         "v1 must index, search offline, and rebuild in under 2 seconds"),
        ("A notes CLI. A rebuild finishes within 500 ms.", "A rebuild finishes within 500 ms",
         None),
        # the availability clause is the Reliability bullet's (issue 10: 99.95% under Performance)
        ("A JWKS cache. It serves keys with p95 under 50 ms and 99.95% availability.",
         "It serves keys with p95 under 50 ms", None),
        ("A cache. It must cache keys on disk for 60 minutes.", None,
         "It must cache keys on disk for 60 minutes"),
    ],
)  # fmt: skip
def test_a_time_bound_is_a_performance_target(overview, performance, in_scope):
    values = draft_overview(overview)
    assert values.get(PERF) == performance
    assert values.get(SCOPE) == in_scope


def test_the_overview_moves_the_nfr_section_out_of_unknown(tmp_path: Path):
    drv, _store, project = offline_driver(tmp_path)
    drv.start()
    drv.answer(
        Answer(
            kind="text",
            value="A command-line tool that builds a searchable static site from notes. v1 "
            "must index, search offline, and rebuild in under 2 seconds.",
        )
    )
    doc = SpecDocument.parse(project.spec.read_text())
    assert placeholder_status(doc.unit_text("nfr")) == "drafted"


def test_a_brownfield_overview_puts_what_must_keep_working_under_existing_code(tmp_path: Path):
    # Headless run in a copy of mdurl: In-scope (and the snapshot's "Stated solution") held
    # "The existing url_parse(), encode() and decode() must keep working unchanged" while the
    # change itself, "Add a normalize_url() function", was in no scope bullet.
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "mdurl"\n')
    (tmp_path / "mdurl").mkdir()
    (tmp_path / "mdurl" / "_parse.py").write_text("def url_parse(url):\n    return url\n")
    (tmp_path / "mdurl" / "_encode.py").write_text("def encode(s):\n    return s\n")
    (tmp_path / "mdurl" / "_decode.py").write_text("def decode(s):\n    return s\n")
    drv, _store, project = offline_driver(tmp_path)
    drv.start()
    drv.answer(
        Answer(
            kind="text",
            value="Add a normalize_url() function to this URL library: it lower-cases the "
            "host. The existing url_parse(), encode() and decode() must keep working unchanged.",
        )
    )
    doc = SpecDocument.parse(project.spec.read_text())
    scope = doc.unit_text("scope") or ""
    assert "- **In-scope**: Add a normalize_url() function" in scope
    assert "- **Existing Code**: The existing url_parse()" in scope
    assert scope.count("must keep working unchanged") == 1
