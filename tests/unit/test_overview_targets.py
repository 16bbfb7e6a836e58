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
        ("A JWKS cache. It serves keys with p95 under 50 ms and 99.95% availability.",
         "It serves keys with p95 under 50 ms and 99.95% availability", None),
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
