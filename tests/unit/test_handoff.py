"""`specui handoff`: orchestrator/input drafted from SPEC.md + stack.toml (cited, placeholders
left out, residual risk on top), never over the user's edits; seed 004's lanes and the
execution contract."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from specui.core.orchestrator import parse_input, resolve_input
from specui.core.paths import Project
from specui.core.spec import SpecDocument, render_spec_template
from specui.handoff import (
    draft_input,
    execution_contract,
    lanes,
    residual_risk,
    run_handoff,
    write_execution_contract,
    write_input,
)


def _spec(risk: bool = False) -> SpecDocument:
    doc = SpecDocument.parse(render_spec_template("Greeter"))
    doc = doc.with_section_body("vision", "- **Problem & Outcome**: people forget names\n"
                                          "- **Success Metrics**: <quantitative & qualitative>\n"
                                          "- **Target Users**: meetup hosts")
    doc = doc.with_section_body("scope", "- **In-scope**: a CLI that greets\n"
                                         "- **Out-of-scope**: no mobile app\n"
                                         "- **Notes**: keep </plan> out\n"
                                         "- **Decision Boundaries**: may pick the arg parser")
    doc = doc.with_section_body("nfr", "- **Performance**: answers in 50 ms\n"
                                       "- **Security & Privacy**: stores no names on disk")
    doc = doc.with_section_body("acceptance", "- **User acceptance**: `greet Ann` prints Hi Ann")
    doc = doc.with_section_body("interfaces", "- **CLI/Jobs**: greet NAME")
    if risk:
        doc = doc.with_section_body(
            "risks", "- **Residual risk**: ended early at round 4; ambiguity 31% > 20%")
    return doc


@pytest.fixture
def project(tmp_path: Path) -> Project:
    root = tmp_path / "greeter"
    root.mkdir()
    (root / "stack.toml").write_text('[app]\nlanguage = "python"\nruntime = "<runtime>"\n')
    return Project.at(root)


def test_blocks_come_from_the_right_sections_with_citations(project: Project) -> None:
    text = draft_input(project, _spec())
    blocks = parse_input(text)
    constitution, specify, plan = (blocks[b].text for b in ("constitution", "specify", "plan"))
    assert "no mobile app" in constitution
    assert "Non-goals (from SPEC.md §2 Scope & Non-Goals, Out-of-scope)" in constitution
    assert "may pick the arg parser" in constitution and "stores no names" in constitution
    assert "Non-functional requirements (from SPEC.md §9" in constitution
    assert "people forget names" in specify and "a CLI that greets" in specify
    assert "`greet Ann` prints Hi Ann" in specify and "no mobile app" not in specify
    assert "Stack (from stack.toml):\n- app: language = python" in plan
    assert "<runtime>" not in plan and "greet NAME" in plan
    assert "<quantitative" not in text  # placeholders stay out
    assert "</plan>" not in text.replace("</plan>\n", "", 1)  # a tag-like line cannot break it
    assert "RESIDUAL RISK" not in text


def test_residual_risk_heads_every_block(project: Project) -> None:
    doc = _spec(risk=True)
    assert residual_risk(doc) == "ended early at round 4; ambiguity 31% > 20%"
    blocks = parse_input(draft_input(project, doc))
    for block in ("constitution", "specify", "plan"):
        assert blocks[block].text.startswith("RESIDUAL RISK: this brief is only partially")


def test_empty_spec_leaves_required_blocks_empty(project: Project) -> None:
    text = draft_input(project, SpecDocument.parse(render_spec_template("X")))
    assert parse_input(text)["constitution"].text == ""
    project.orchestrator.mkdir()
    project.orchestrator_input.write_text(text)
    with pytest.raises(Exception, match="constitution> block is empty"):
        resolve_input(project, "constitution")


def test_the_users_text_wins(project: Project) -> None:
    first = draft_input(project, _spec())
    assert write_input(project, first).action == "created"
    assert write_input(project, first).action == "unchanged"
    # SPEC.md changed, the file is still specui's draft: it is replaced
    second = draft_input(project, _spec(risk=True))
    assert write_input(project, second).action == "updated"
    assert project.orchestrator_input.read_text() == second
    # the user edits it: a later draft is only shown as a diff
    mine = second.replace("no mobile app", "no mobile app, no web app")
    project.orchestrator_input.write_text(mine)
    result = write_input(project, first)
    assert result.action == "kept"
    assert project.orchestrator_input.read_text() == mine
    assert "no web app" in result.diff
    assert result.diff.startswith("--- orchestrator/input (yours, kept)")


def test_lanes_follow_seed_004(project: Project) -> None:
    (project.root / ".omx" / "specs").mkdir(parents=True)
    (project.root / ".omx" / "specs" / "deep-interview-greeter.md").write_text("# spec\n")
    options, spec = lanes(project)
    assert spec == ".omx/specs/deep-interview-greeter.md"
    by_key = {o.key: o for o in options}
    assert options[0].key == "speckit" and by_key["speckit"].default
    assert by_key["ultragoal"].invocation == (
        f"$ultragoal create-goals --brief-file {spec}  then  $ultragoal complete-goals")
    assert by_key["ralplan"].invocation == f"$plan --consensus --direct {spec}"
    assert by_key["autopilot"].invocation == f"$autopilot {spec}"
    assert by_key["ralph"].invocation == f"$ralph {spec}"
    assert by_key["team"].invocation == f"$team {spec}"
    assert "refine" in by_key


@pytest.mark.parametrize(("stride", "shrink", "scope", "policy"), [
    ("task", True, "task", "allowed"),
    ("deliverable", False, "deliverable", "ask_before_shrink"),
    ("milestone", False, "milestone", "deny_unless_blocked")])
def test_execution_contract_shape(stride, shrink, scope, policy) -> None:
    contract = execution_contract(stride)
    assert contract["version"] == 1 and contract["execution_stride"] == stride
    assert contract["source"] == "deep-interview" and contract["selected_by"] == "user"
    assert (contract["allow_task_shrink"], contract["acceptance_coverage_scope"],
            contract["shrink_policy"]) == (shrink, scope, policy)
    assert contract["completion_unit"] and contract["stop_condition"]


def test_execution_contract_is_merged_into_autopilot_state(project: Project) -> None:
    state = project.root / ".omx" / "state" / "autopilot-state.json"
    state.parent.mkdir(parents=True)
    state.write_text(json.dumps({"active": True, "mode": "autopilot", "current_phase": "x",
                                 "state": {"other": 1}}))
    write_execution_contract(project, "deliverable", ".omx/specs/s.md", "ended early")
    data = json.loads(state.read_text())
    assert data["current_phase"] == "x" and data["state"]["other"] == 1
    entry = data["state"]["handoff_artifacts"]["deep_interview"]
    assert entry["spec_path"] == ".omx/specs/s.md"
    assert entry["execution_contract_required"] is True
    assert entry["execution_contract"]["execution_stride"] == "deliverable"
    assert entry["residual_risk"] == "ended early"


def test_list_only_writes_nothing(project: Project) -> None:
    project.spec.write_text(_spec().text)
    data = run_handoff(project, list_only=True)
    assert data["input"] is None and not project.orchestrator.exists()
    assert [lane["key"] for lane in data["lanes"]][:2] == ["speckit", "ultragoal"]


def test_rows_carry_each_lines_parts(project: Project) -> None:
    """Titles, option fields and diff lines come as (lead, text) rows, so the workbench lays
    them out without re-reading the printed lines; printed, a row is its lead and text."""
    from specui.handoff import row_line

    project.spec.write_text(_spec(risk=True).text)
    run_handoff(project)
    project.orchestrator_input.write_text(
        project.orchestrator_input.read_text().replace("no mobile app", "no mobile app, ever"))
    data = run_handoff(project)
    rows = data["rows"]
    assert data["lines"] == [row_line(row) for row in rows]
    assert rows[0] == {"kind": "warning", "lead": "",
                       "text": "Residual risk (travels with every option): ended early at "
                               "round 4; ambiguity 31% > 20%"}
    titles = [row for row in rows if row["kind"] == "title"]
    assert [row["lead"] for row in titles] == [f"{n}. " for n in range(1, 8)]
    assert titles[0]["text"] == "Spec Kit phases here (handoff + runner) (default)"
    fields = [row for row in rows if row["kind"] == "field"]
    assert [row["lead"].strip() for row in fields[:3]] == ["run:", "consumes:", "best when:"]
    assert len({len(row["lead"]) for row in fields}) == 1  # values in one column
    assert fields[0]["text"].startswith("specui handoff && specui run constitution")
    diff = [row for row in rows if row["kind"] == "diff"]
    mine = next(row for row in diff if "no mobile app, ever" in row["text"])
    assert mine["lead"] == "-" and not mine["text"].startswith("-")
    drafted = next(row for row in diff if row["lead"] == "+" and "no mobile app" in row["text"])
    assert "ever" not in drafted["text"]
    assert all(row["lead"] in "+- " and len(row["lead"]) == 1 for row in diff)
    # the diff's file and hunk headers are text, not a change
    headers = [row["text"] for row in rows if row["kind"] == "text"
               and row["text"].startswith(("---", "+++", "@@"))]
    assert headers[0] == "--- orchestrator/input (yours, kept)"
    assert headers[1] == "+++ orchestrator/input (draft)"
    assert any(text.startswith("@@") for text in headers[2:])


def test_cli(project: Project) -> None:
    project.spec.write_text(_spec(risk=True).text)
    run = subprocess.run([sys.executable, "-m", "specui", "handoff", str(project.root),
                          "--lane", "autopilot", "--stride", "milestone"],
                         capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("Residual risk (travels with every option): ended early")
    assert "wrote orchestrator/input" in run.stdout
    assert "$autopilot .omx/specs/deep-interview-<slug>.md" in run.stdout
    assert "milestone-stride execution contract" in run.stdout
    assert (project.root / ".omx" / "state" / "autopilot-state.json").is_file()
    missing = subprocess.run([sys.executable, "-m", "specui", "handoff",
                              str(project.root / "nope")], capture_output=True, text=True,
                             timeout=60, check=False)
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1


def test_an_unfinished_spec_says_so_above_the_options(project: Project) -> None:
    """Found in tmux: `H` at round 8 of an interview (14 sections still placeholders) wrote
    orchestrator/input and offered "1: run the Spec Kit phases here" without a word."""
    project.spec.write_text(_spec().text)
    data = run_handoff(project)
    warning = data["unfinished"]
    assert warning is not None and warning.startswith("SPEC.md is not finished: ")
    assert "placeholders" in warning and "Domain Model" in warning
    assert data["lines"][0] == f"⚠ {warning}"


def test_a_spec_with_every_section_clarified_has_no_such_warning(project: Project) -> None:
    from specui.core.spec import UNIT_KEYS

    doc = _spec()
    for key in UNIT_KEYS:
        doc = doc.with_unit_text(key, f"- **Notes**: real text for {key}")
    project.spec.write_text(doc.text)
    data = run_handoff(project, list_only=True)
    assert data["unfinished"] is None
    assert not any(line.startswith("⚠") for line in data["lines"])


def test_every_section_the_interview_settled_reaches_a_block(project: Project) -> None:
    """The interview spends rounds on workflows, states, the domain, assumptions, integrations,
    milestones and terms (trial4: the link-checker's validation steps 2-23); orchestrator/input
    took 8 of its 17 sections, so Spec Kit's spec (User Scenarios, Edge Cases, Key Entities,
    Assumptions) and plan never saw them and the agent made them up."""
    doc = _spec()
    for key, body in {
        "domain": "- **Entities**: Link, Page\n- **Relationships**: a Page has many Links\n"
                  "- **Invariants & Constraints**: a Link has one target",
        "workflows": "- **Primary flows**: crawl, check, report\n"
                     "- **Edge cases**: a redirect loop is reported once",
        "states": "- **State machine(s)**: queued → checked → reported",
        "integrations": "- **Third-parties**: GitHub Actions annotations",
        "risks": "- **Known risks**: rate limits on external hosts\n"
                 "- **Assumptions**: the site has under 5000 pages\n"
                 "- **Alternatives considered**: lychee; it cannot read our anchors",
        "milestones": "- **Phase 0**: spike anchor parsing",
        "terminology": "- **Glossary**: anchor: a #fragment inside a page",
        "open_questions": "- **Outstanding**: 1. Do we check mailto links?\n"
                          "- **Resolved (history)**:\n  - 2026-11-30 — old → settled",
    }.items():
        doc = doc.with_section_body(key, body)
    blocks = parse_input(draft_input(project, doc))
    specify, plan = blocks["specify"].text, blocks["plan"].text
    for text in ("Link, Page", "a Page has many Links", "crawl, check, report",
                 "a redirect loop is reported once", "queued → checked → reported",
                 "the site has under 5000 pages", "anchor: a #fragment",
                 "Do we check mailto links?"):
        assert text in specify, text
    for text in ("GitHub Actions annotations", "rate limits on external hosts",
                 "lychee; it cannot read our anchors", "spike anchor parsing"):
        assert text in plan, text
    assert "Open questions (from SPEC.md §17 Open Questions, Outstanding)" in specify
    assert "old → settled" not in specify + plan  # the history is not a brief
    assert "a Link has one target" in blocks["constitution"].text
    assert "a Link has one target" not in specify  # once, where it binds


@pytest.mark.parametrize("empty", ["none", "None yet", "N/A", "Nothing.", "none."])
def test_no_open_questions_is_not_handed_over(project: Project, empty: str) -> None:
    doc = _spec().with_section_body("open_questions", f"- **Outstanding**: {empty}")
    assert "Open questions" not in draft_input(project, doc)


def test_a_skill_mention_in_spec_md_does_not_become_a_skill_in_a_phase(project: Project) -> None:
    """Skill mode sends `$speckit-plan <the plan block>`, and Codex takes every `$speckit-<name>`
    in the prompt for a skill: SPEC.md text such as "Phase 1: $speckit-implement the MVP" would
    attach the implement skill to the plan phase. The draft keeps the words, not the `$`."""
    doc = _spec().with_section_body("milestones", "- **Phase 1..N**: $speckit-implement the MVP")
    text = draft_input(project, doc)
    assert "speckit-implement the MVP" in text and "$speckit-" not in text
