"""Seed 004's `.omx` artifacts: exact paths, every Phase 4 item, rewrites after later answers,
the autoresearch launch bundle and its readiness rules, writes confined to the project."""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from specui.core.errors import SpecuiError
from specui.core.interview.contract import BrownfieldContext, ContextFinding, TermEntry
from specui.core.interview.state import (
    ContradictionRecord,
    DeferralRecord,
    DimensionScore,
    FindingRecord,
    GateRecord,
    InterviewState,
    PressureRecord,
    Round,
    TermRecord,
)
from specui.core.paths import Project
from specui.core.questions import Answer, Question
from specui.core.spec import UNIT_KEYS, SpecDocument, render_spec_template
from specui.interview import artifacts

NOW = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
LATER = datetime(2026, 3, 4, 6, 0, 0, tzinfo=UTC)


def _round(n: int, q: str, a: str, kind: str = "ordinary", **kw) -> Round:
    return Round(
        n=n,
        dimension="intent",
        kind=kind,
        question=Question(question=q),
        answer=Answer(kind="text", value=a),
        **kw,
    )


def _state() -> InterviewState:
    st = InterviewState(
        slug="jwks-cache",
        type="brownfield",
        status="crystallized",
        phase="validation",
        end_reason="threshold",
        ambiguity=0.18,
    )
    st.rounds = [
        _round(1, "Overview?", "A JWKS cache that survives the IdP being down.", "overview"),
        _round(2, "Non-goals?", "Not in v1: clustering"),
        _round(3, "Round 1: you said x. What evidence?", "Measured: 3 outages last year"),
        _round(4, "Users?", "decide for me", deferral=True),
    ]
    st.dimensions = {
        d: DimensionScore(score=0.8, justification=f"{d} known", gap="none")
        for d in ("intent", "outcome", "scope", "constraints", "success", "context")
    }
    st.gates.non_goals = st.gates.decision_boundaries = st.gates.pressure_pass = True
    st.gate_evidence = [GateRecord(gate="non_goals", round=2, note="answered: clustering")]
    st.pressure = [PressureRecord(round=3, revisits_round=1, kind="evidence")]
    st.deferrals = [
        DeferralRecord(round=4, section="vision", topic="Users", default="the people the overview "
                       "describes", rationale="no narrower group was named"),
    ]  # fmt: skip
    st.contradictions = [
        ContradictionRecord(found_round=3, topic="where the data lives", statement_a="on disk",
                            where_a="round 1", statement_b="memory only", where_b="round 3",
                            status="resolved", chosen="on disk", resolved_round=4),
    ]  # fmt: skip
    st.findings = [
        FindingRecord(round=1, finding=ContextFinding(path="README.md", finding="repository docs "
                      "inspected", basis="evidence", touchpoint=False)),
        FindingRecord(round=1, finding=ContextFinding(path="jwks/cache.py", finding="defines "
                      "KeyCache", basis="evidence", touchpoint=True)),
        FindingRecord(round=2, finding=ContextFinding(path="jwks/http.py", finding="probably the "
                      "fetcher", basis="inference", touchpoint=False)),
    ]  # fmt: skip
    st.terminology = [
        TermRecord(round=2, term=TermEntry(term="keyset", meaning="the JWKS document",
                                           conflict="the code says KeySet")),
    ]  # fmt: skip
    return st


def _bodies(spec_text: str) -> dict[str, str | None]:
    doc = SpecDocument.parse(spec_text)
    return {k: doc.unit_text(k) for k in UNIT_KEYS}


SPEC = (
    render_spec_template("jwks")
    .replace("<why this matters>", "Services fail when the IdP is down.")
    .replace("<what is explicitly not built>", "Not in v1: clustering")
    .replace("scenarios & pass/fail", "keys served during a 60 minute IdP outage")
    .replace("<what could go wrong>", "IdP returns garbage: keep the last good keys")
)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    root = tmp_path / "jwks"
    root.mkdir()
    (root / "SPEC.md").write_text(SPEC)
    return Project.at(root)


def test_paths_and_every_phase4_heading(project: Project):
    st = _state()
    ctx = artifacts.write_context_snapshot(project, st, None, now=NOW)
    assert ctx == ".omx/context/jwks-cache-20260304T050607Z.md"
    st.artifacts["context"] = ctx
    out = artifacts.write_artifacts(project, st, _bodies(SPEC), now=NOW)
    assert out == {
        "transcript": ".omx/interviews/jwks-cache-20260304T050607Z.md",
        "spec": ".omx/specs/deep-interview-jwks-cache.md",
    }
    text = (project.root / out["spec"]).read_text()
    headings = re.findall(r"(?m)^## (.+)$", text)
    assert headings == list(artifacts.SPEC_HEADINGS)
    for must in (
        "- Profile: standard",
        "- Final ambiguity: 18%",
        "- Context type: brownfield",
        f"`{ctx}`",
        "| Intent | 0.25 | 0.80 |",
        "- Non-goals: explicit (round 2: answered: clustering)",
        "- Closure audit: NOT met",
        "Services fail when the IdP is down.",
        "Not in v1: clustering",
        "keys served during a 60 minute IdP outage",
        "Deferred in round 4: Users → default **the people the overview describes**",
        "Contradiction on where the data lives",
        "Round 3 revisited round 1 (evidence follow-up)",
        "`jwks/cache.py`: defines KeyCache (touchpoint)",
        "### Inference (not confirmed by reading the code)\n\n- `jwks/http.py`: probably the fetcher",
        "keyset: the JWKS document — conflict: the code says KeySet",
        "IdP returns garbage: keep the last good keys",
        "Opt-in and public-safe",
        "### Round 4 | Target: Intent | ordinary, deferral",
    ):
        assert must in text, must
    transcript = (project.root / out["transcript"]).read_text()
    assert "**A:** Measured: 3 outages last year" in transcript


def test_context_snapshot_carries_phase0_fields(project: Project):
    st = _state()
    brownfield = BrownfieldContext(manifests=["pyproject.toml"], languages=["python"],
                                   docs=["README.md"], files_sample=["jwks/a.py"])  # fmt: skip
    path = artifacts.write_context_snapshot(project, st, brownfield, now=NOW)
    text = (project.root / path).read_text()
    for heading in (
        "Task statement", "Desired outcome", "Stated solution", "Probable intent hypothesis",
        "Known facts / evidence", "Constraints", "Unknowns / open questions",
        "Decision-boundary unknowns", "Likely codebase touchpoints",
        "Relevant repo docs/rules/context inspected", "Terminology or doc/code conflicts found",
    ):  # fmt: skip
        assert f"## {heading}\n" in text, heading
    assert "- Prompt-safe initial-context summary status: not_needed" in text
    assert "A JWKS cache that survives the IdP being down." in text  # the overview is the task
    assert "`jwks/cache.py`: defines KeyCache" in text  # touchpoints from the findings
    assert "jwks/a.py" not in text  # a sampled file is no touchpoint once findings exist
    assert "keyset: the code says KeySet" in text


def test_files_the_scan_saw_are_no_likely_touchpoints(project: Project):
    """Before any answer or reading relates the change to files, the scan's first files were
    listed as the likely touchpoints (alphabetical order, nothing to do with the change)."""
    st = _state()
    st.findings = []
    brownfield = BrownfieldContext(manifests=["pyproject.toml"], languages=["python"],
                                   docs=[], files_sample=["src/a.py", "src/b.py"])  # fmt: skip
    text = (project.root / artifacts.write_context_snapshot(project, st, brownfield, now=NOW)
            ).read_text()
    touchpoints = text.split("## Likely codebase touchpoints\n", 1)[1].split("\n## ", 1)[0]
    assert touchpoints.strip() == "- none identified yet"
    assert ("- source files seen in the scan (not yet related to the change): `src/a.py`, "
            "`src/b.py`") in text


def test_rewritten_when_a_later_answer_changes_them_same_paths(project: Project):
    st = _state()
    st.artifacts["context"] = artifacts.write_context_snapshot(project, st, None, now=NOW)
    first = artifacts.write_artifacts(project, st, _bodies(SPEC), now=NOW)
    st.artifacts.update(first)
    spec_path = project.root / first["spec"]
    ctx_path = project.root / st.artifacts["context"]
    before = spec_path.read_text()
    stamp = spec_path.stat().st_mtime_ns
    os.utime(spec_path, ns=(stamp - 10**9, stamp - 10**9))
    # nothing changed: nothing is rewritten (the file keeps its old mtime)
    again = artifacts.write_artifacts(project, st, _bodies(SPEC), now=LATER)
    assert again == first
    assert spec_path.stat().st_mtime_ns == stamp - 10**9
    # the validation pass answers one more question and SPEC.md changes
    st.rounds.append(_round(1, "Validation: §8 Data & Schema is empty.", "Keys on local disk",
                            "validation", phase="validation"))  # fmt: skip
    spec2 = SPEC.replace("tables/collections, indexes", "keys on local disk, atomic writes")
    later = artifacts.write_artifacts(project, st, _bodies(spec2), now=LATER)
    assert later == first  # same files, rewritten in place
    after = spec_path.read_text()
    assert after != before and "### Validation 1" in after
    assert sorted(p.name for p in (project.root / ".omx" / "specs").iterdir()) == [
        "deep-interview-jwks-cache.md"
    ]
    # the snapshot follows later findings too, at its first path
    st.findings.append(FindingRecord(round=5, finding=ContextFinding(
        path="jwks/store.py", finding="defines DiskStore", basis="evidence", touchpoint=True)))  # fmt: skip
    path = artifacts.write_context_snapshot(project, st, None, now=LATER)
    assert project.root / path == ctx_path
    assert "jwks/store.py" in ctx_path.read_text()


def test_residual_risk_is_kept(project: Project):
    st = _state()
    st.status, st.end_reason = "exited", "early_exit"
    st.residual_risk = "Exited at round 4 with the closure audit open."
    out = artifacts.write_artifacts(project, st, _bodies(SPEC), now=NOW)
    for name in ("spec", "transcript"):
        assert "Residual risk:** Exited at round 4" in (project.root / out[name]).read_text()


def _autoresearch_spec(evaluator: str, keep: str = "Only strict improvements") -> str:
    vision = "- **Problem & Outcome**: faster parser\n- **Mission**: Cut parse time of big files"
    acceptance = f"- **Evaluator command**: `{evaluator}`\n- **Keep policy**: {keep}"
    doc = SpecDocument.parse(render_spec_template("x"))
    doc = doc.with_section_body("vision", vision).with_section_body("acceptance", acceptance)
    return doc.text


@pytest.mark.parametrize(
    ("command", "marker"),
    [
        ("python bench.py --input <file>", "<...>"),
        ("pytest -q TODO", "TODO"),
        ("TBD", "TBD"),
        ("run REPLACE_ME", "REPLACE_ME"),
        ("./changeme.sh", "CHANGEME"),
        ("your-command-here", "your-command-here"),
    ],
)
def test_autoresearch_not_launch_ready_with_a_placeholder(project: Project, command, marker):
    st = _state()
    out = artifacts.write_artifacts(
        project, st, _bodies(_autoresearch_spec(command)), now=NOW, autoresearch=True
    )
    result = json.loads((project.root / out["result"]).read_text())
    assert result["launchReady"] is False
    assert result["blockedReasons"] == [
        f"the evaluator command still holds the placeholder {marker}"
    ]
    assert result["evaluatorCommand"] == command


def test_autoresearch_bundle(project: Project):
    st = _state()
    out = artifacts.write_artifacts(
        project, st, _bodies(_autoresearch_spec("python bench.py --json")), now=NOW,
        autoresearch=True,
    )  # fmt: skip
    assert out["spec"] == ".omx/specs/deep-interview-autoresearch-jwks-cache.md"
    folder = ".omx/specs/autoresearch-jwks-cache/"
    assert (out["mission"], out["sandbox"], out["result"]) == (
        folder + "mission.md",
        folder + "sandbox.md",
        folder + "result.json",
    )
    assert not (project.root / ".omx/specs/deep-interview-jwks-cache.md").exists()
    result = json.loads((project.root / out["result"]).read_text())
    assert result == {
        "topic": "Cut parse time of big files",
        "evaluatorCommand": "python bench.py --json",
        "keepPolicy": "Only strict improvements",
        "slug": "jwks-cache",
        "launchReady": True,
        "blockedReasons": [],
        "draft": out["spec"],
        "mission": out["mission"],
        "sandbox": out["sandbox"],
    }
    text = (project.root / out["spec"]).read_text()
    headings = re.findall(r"(?m)^## (.+)$", text)
    assert headings[:5] == list(artifacts.AUTORESEARCH_HEADINGS)
    assert headings[5:] == list(artifacts.SPEC_HEADINGS)
    assert "Cut parse time of big files" in (project.root / out["mission"]).read_text()


def test_autoresearch_missing_values_block_launch(project: Project):
    st = _state()
    out = artifacts.write_artifacts(project, st, _bodies(SPEC), now=NOW, autoresearch=True)
    result = json.loads((project.root / out["result"]).read_text())
    assert result["launchReady"] is False
    assert result["blockedReasons"] == [
        "the evaluator command is missing",
        "the keep policy is missing",
    ]


def test_writes_stay_inside_the_project(project: Project, tmp_path: Path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (project.root / ".omx").symlink_to(outside, target_is_directory=True)
    with pytest.raises(SpecuiError):
        artifacts.write_artifacts(project, _state(), _bodies(SPEC), now=NOW)
    assert list(outside.rglob("*")) == []


def test_autoresearch_values_found_under_another_engines_labels(project: Project):
    doc = SpecDocument.parse(render_spec_template("x")).with_section_body(
        "milestones", "- **Evaluator**: `make score`\n- **Keep policy**: keep ties"
    )
    doc = doc.with_section_body("scope", "- **Research mission**: beat the baseline")
    out = artifacts.write_artifacts(project, _state(), _bodies(doc.text), autoresearch=True)
    result = json.loads((project.root / out["result"]).read_text())
    assert (result["topic"], result["evaluatorCommand"], result["keepPolicy"]) == (
        "beat the baseline",
        "make score",
        "keep ties",
    )
    assert result["launchReady"] is True


def test_a_new_interview_lists_the_earlier_snapshot_and_spec(project: Project):
    first = _state()
    first.artifacts["context"] = artifacts.write_context_snapshot(project, first, None, now=NOW)
    first.artifacts.update(artifacts.write_artifacts(project, first, _bodies(SPEC), now=NOW))
    again = _state()  # a new interview of the same slug, later
    path = artifacts.write_context_snapshot(project, again, None, now=LATER)
    assert path != first.artifacts["context"]
    text = (project.root / path).read_text()
    inspected = text.split("## Relevant repo docs/rules/context inspected")[1].split("##")[0]
    assert f"`{first.artifacts['context']}`" in inspected
    assert "`.omx/specs/deep-interview-jwks-cache.md`" in inspected
    assert path not in inspected


def test_autoresearch_values_left_to_a_default_are_not_the_users(project: Project):
    """A deferred evaluator command is no command (the bundle said launchReady with
    'Default (you deferred): none yet …' as the command); a deferred slug is the session's
    own, not the default's wording slugified; a deferred keep policy is the policy alone."""
    st = _state()
    st.deferrals = [
        DeferralRecord(round=7, section="acceptance", topic="Evaluator", default="none yet",
                       rationale="the draft is not launch-ready until an evaluator command is given"),
        DeferralRecord(round=9, section="acceptance", topic="Keep policy",
                       default="keep a candidate only when it beats the best so far",
                       rationale="the safest policy"),
        DeferralRecord(round=11, section="vision", topic="Slug", default="the folder's name",
                       rationale="a name the session can be found by"),
    ]
    vision = ("- **Mission**: Cut parse time of big files\n- **Research slug**: Default (you "
              "deferred): the folder's name (rationale: a name the session can be found by)")
    acceptance = (
        "- **Evaluator command**: Default (you deferred): none yet (rationale: the draft is not "
        "launch-ready until an evaluator command is given)\n- **Keep policy**: Default (you "
        "deferred): keep a candidate only when it beats the best so far (rationale: the "
        "safest policy)"
    )
    doc = SpecDocument.parse(render_spec_template("x"))
    doc = doc.with_section_body("vision", vision).with_section_body("acceptance", acceptance)
    out = artifacts.write_artifacts(project, st, _bodies(doc.text), now=NOW, autoresearch=True)
    result = json.loads((project.root / out["result"]).read_text())
    assert result["evaluatorCommand"] == ""
    assert result["launchReady"] is False
    assert result["blockedReasons"] == [
        "the evaluator command was left to a default: name the command"
    ]
    assert result["keepPolicy"] == "keep a candidate only when it beats the best so far"
    assert result["slug"] == "jwks-cache"
