"""Seed 002 rules: phase order, orchestrator/input blocks and their errors, the checkpoint."""

from __future__ import annotations

import pytest

from specui.core.errors import SpecuiError
from specui.core.orchestrator import (
    checkpoint_text,
    decide_continue,
    missing_predecessor,
    parse_checkpoint,
    parse_input,
    predecessor,
    read_checkpoint,
    resolve_input,
    validate_phase,
    write_checkpoint,
)
from specui.core.paths import PHASES, Project

SEED_INPUT = """<constitution>
Project principles and governance.
</constitution>

<specify>
Requirements and user stories.
</specify>

<plan>
Technical design and architecture.
</plan>
"""


@pytest.fixture
def project(tmp_path) -> Project:
    return Project.at(tmp_path)


def write_input(project: Project, text: str) -> None:
    project.orchestrator.mkdir(parents=True, exist_ok=True)
    project.orchestrator_input.write_text(text, encoding="utf-8")


def test_phase_order_is_fixed() -> None:
    assert PHASES == ("constitution", "specify", "plan", "tasks", "implement")
    assert predecessor("constitution") is None
    assert [predecessor(p) for p in PHASES[1:]] == list(PHASES[:-1])


def test_missing_predecessor() -> None:
    assert missing_predecessor("constitution", []) is None
    assert missing_predecessor("plan", ["constitution"]) == "specify"
    assert missing_predecessor("plan", ["specify"]) is None
    assert missing_predecessor("implement", PHASES[:3]) == "tasks"


@pytest.mark.parametrize("name", ["", "Plan", "../etc/passwd", "plan ", "review", None, 3])
def test_unknown_phase_refused_with_exit_2(name) -> None:
    with pytest.raises(SpecuiError) as info:
        validate_phase(name)
    assert info.value.exit_code == 2
    assert "constitution, specify, clarify, plan, checklist, tasks, analyze, implement, converge" in str(
        info.value
    )


def test_parse_seed_example() -> None:
    blocks = parse_input(SEED_INPUT)
    assert {k: b.text for k, b in blocks.items()} == {
        "constitution": "Project principles and governance.",
        "specify": "Requirements and user stories.",
        "plan": "Technical design and architecture.",
    }
    assert blocks["specify"].line == 5


def test_inline_block_and_other_tags_are_content() -> None:
    blocks = parse_input("<plan>use <b>Go</b> and <div>x</div></plan>")
    assert blocks["plan"].text == "use <b>Go</b> and <div>x</div>"


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("<plan>\nx\n", 1, "never closed"),
        ("a\n<plan>x</plan>\n<plan>y</plan>\n", 3, "appears again"),
        ("a\nb\n</specify>\n", 3, "never opened"),
        ("<plan>\nx\n<specify>y</specify>\n</plan>", 1, "not closed before <specify> at line 3"),
        ("<plan>\nx\n</specify>\n", 1, "not closed before </specify>"),
    ],
)
def test_bad_tags_name_file_and_line(text: str, line: int, needle: str) -> None:
    with pytest.raises(SpecuiError) as info:
        parse_input(text, "orchestrator/input")
    assert str(info.value).startswith(f"orchestrator/input:{line}:")
    assert needle in str(info.value)


def test_resolve_required_and_optional(project: Project) -> None:
    write_input(project, SEED_INPUT)
    assert resolve_input(project, "plan") == "Technical design and architecture."
    assert resolve_input(project, "tasks") == ""
    assert resolve_input(project, "implement") == ""
    assert resolve_input(project, "plan", "override $x") == "override $x"


def test_missing_file(project: Project) -> None:
    with pytest.raises(SpecuiError) as info:
        resolve_input(project, "constitution")
    assert "orchestrator/input not found" in str(info.value)
    assert "`specui handoff` drafts it from SPEC.md" in str(info.value)  # the way forward
    assert resolve_input(project, "tasks") == ""
    assert resolve_input(project, "specify", "given on the command line") == "given on the command line"


def test_missing_required_block(project: Project) -> None:
    write_input(project, "<constitution>\nc\n</constitution>\n")
    with pytest.raises(SpecuiError) as info:
        resolve_input(project, "specify")
    assert str(info.value).startswith("orchestrator/input:3:")
    assert "<specify>" in str(info.value)


def test_empty_required_block(project: Project) -> None:
    write_input(project, "x\n<plan>\n  \n</plan>\n")
    with pytest.raises(SpecuiError, match=r"orchestrator/input:2: the <plan> block is empty"):
        resolve_input(project, "plan")


def test_bad_tags_fail_even_for_optional_phase(project: Project) -> None:
    write_input(project, "<plan>x\n")
    with pytest.raises(SpecuiError, match="never closed"):
        resolve_input(project, "tasks")


def test_non_utf8_input(project: Project) -> None:
    project.orchestrator.mkdir(parents=True)
    project.orchestrator_input.write_bytes(b"<plan>\n\xff\xfe</plan>")
    with pytest.raises(SpecuiError, match=r"orchestrator/input:2: not valid UTF-8"):
        resolve_input(project, "plan")


def test_empty_override_for_required_phase_refused(project: Project) -> None:
    with pytest.raises(SpecuiError):
        resolve_input(project, "plan", "  ")


def test_checkpoint_round_trip(project: Project) -> None:
    assert read_checkpoint(project) is None
    write_checkpoint(project, "plan")
    assert project.checkpoint.read_text() == "phase=plan\n"
    assert read_checkpoint(project) == "plan"
    assert not list(project.orchestrator.glob(".checkpoint*"))  # no temp files left


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("phase=tasks\n", "tasks"),
        ("export phase='implement'\n", "implement"),
        ('phase="specify"', "specify"),
        ("phase=../../x\n", None),
        ("# nothing\n", None),
        ("phase=plan\nphase=tasks\n", "tasks"),
    ],
)
def test_parse_checkpoint(text: str, expected: str | None) -> None:
    assert parse_checkpoint(text) == expected


def test_checkpoint_text_validates() -> None:
    assert checkpoint_text("tasks") == "phase=tasks\n"
    with pytest.raises(SpecuiError):
        checkpoint_text("x; rm -rf /")


# --- decide_continue ---------------------------------------------------------------------------


def _decide(**kw):
    args = {"tasks_before": 2, "tasks_done": 3, "tasks_total": 5, "log_no_pending": False,
                "run_succeeded": True, "continues_so_far": 0, "max_continues": 5}
    args.update(kw)
    return decide_continue(**args)


def test_tasks_md_count_wins_over_the_log() -> None:
    # tasks.md says 3 of 5: the log's "no pending" claim does not end the loop.
    assert _decide(log_no_pending=True).action == "continue"
    assert _decide(log_no_pending=True, tasks_done=2).action == "stop"  # no progress


def test_all_tasks_checked_is_done() -> None:
    assert _decide(tasks_done=5).action == "done"


def test_failed_run_is_never_done_from_the_log() -> None:
    with_file = _decide(log_no_pending=True, run_succeeded=False)
    without = _decide(log_no_pending=True, run_succeeded=False, tasks_done=None, tasks_total=None)
    assert (with_file.action, with_file.reason) == ("stop", "the run failed")
    assert (without.action, without.reason) == ("stop", "the run failed")


def test_log_is_the_fallback_without_tasks_md() -> None:
    assert _decide(log_no_pending=True, tasks_done=None, tasks_total=None).action == "done"
    assert _decide(tasks_done=None, tasks_total=None).action == "stop"


def test_empty_tasks_md_is_not_done() -> None:
    assert _decide(tasks_done=0, tasks_total=0, log_no_pending=True).action == "stop"


def test_continue_cap() -> None:
    assert _decide(continues_so_far=5).action == "stop"


# --- configurable phases (`[runner] phases`), converge, phase status truth ------------------

from specui.core.orchestrator import (
    KNOWN_PHASES,
    phase_state,
    validate_phase_list,
)


def test_known_phases_cover_spec_kit_commands() -> None:
    for name in ("clarify", "checklist", "analyze", "converge"):
        assert validate_phase(name) == name
    assert KNOWN_PHASES.index("implement") < KNOWN_PHASES.index("converge")


def test_predecessor_follows_the_configured_list() -> None:
    phases = ("constitution", "specify", "clarify", "plan", "tasks", "analyze", "implement")
    assert predecessor("plan", phases) == "clarify"
    assert predecessor("implement", phases) == "analyze"
    assert missing_predecessor("plan", ["specify"], phases) == "clarify"
    # a phase outside the list still gets the nearest earlier listed phase
    assert predecessor("converge") == "implement"
    assert predecessor("checklist") == "plan"


@pytest.mark.parametrize(
    ("names", "message"),
    [([], "empty"), (["plan", "plan"], "twice"), (["plan", "specify"], "order"),
     (["constitution", "review"], "unknown phase")],
)
def test_phase_list_validation(names, message) -> None:
    with pytest.raises(SpecuiError) as info:
        validate_phase_list(names)
    assert message in str(info.value)


def test_config_phases_key() -> None:
    from specui.core.config import parse_config

    cfg = parse_config({"runner": {"phases": ["constitution", "specify", "clarify", "plan"]}})
    assert cfg.runner.phases == ["constitution", "specify", "clarify", "plan"]
    with pytest.raises(SpecuiError) as info:
        parse_config({"runner": {"phases": ["plan", "constitution"]}})
    assert "phases" in str(info.value) and "order" in str(info.value)
    with pytest.raises(SpecuiError):
        parse_config({"runner": {"on_stall": "explode"}})
    assert parse_config({"runner": {"on_stall": "stop"}}).runner.on_stall == "stop"


def _after_implement(**kw):
    """An implement run that made no progress (2 of 5 before and after), unless `kw` says."""
    return _decide(**{"tasks_done": 2, **kw})


def test_converge_once_on_no_progress() -> None:
    assert _after_implement(can_converge=True).action == "converge"
    assert _after_implement(can_converge=False).action == "stop"


def test_converge_when_all_done_but_gaps_reported() -> None:
    done = {"tasks_done": 5, "tasks_total": 5}
    assert _after_implement(log_gaps=True, can_converge=True, **done).action == "converge"
    assert _after_implement(log_gaps=True, can_converge=False, **done).action == "done"
    assert _after_implement(log_gaps=False, can_converge=True, **done).action == "done"
    # a failed run is never a reason to converge
    assert _after_implement(run_succeeded=False, can_converge=True).action == "stop"


def test_phase_state_truth() -> None:
    assert phase_state("plan", None, tasks_done=None, tasks_total=None,
                       log_no_pending=False) == ("pending", "")
    assert phase_state("plan", "done", tasks_done=1, tasks_total=2,
                       log_no_pending=False) == ("done", "")
    state, note = phase_state("implement", "done", tasks_done=1, tasks_total=2,
                              log_no_pending=True)
    assert state == "pending" and "1/2" in note
    assert phase_state("implement", "done", tasks_done=2, tasks_total=2,
                       log_no_pending=False)[0] == "done"
    assert phase_state("implement", "done", tasks_done=None, tasks_total=None,
                       log_no_pending=True)[0] == "done"
    assert phase_state("implement", "done", tasks_done=None, tasks_total=None,
                       log_no_pending=False)[0] == "pending"
    assert phase_state("implement", "failed", tasks_done=2, tasks_total=2,
                       log_no_pending=False)[0] == "failed"


def test_a_task_added_after_the_last_run_is_not_that_runs_outcome() -> None:
    """trial4 J11: the last run ended 3/3 done, then T004 was added: the note said the last
    run 'ended with 1 task open'."""
    assert phase_state("implement", "done", tasks_done=3, tasks_total=4, log_no_pending=False,
                       run_tasks=(3, 3)) == ("pending", "last run done; tasks.md has 3/4 done")
    assert phase_state("implement", "done", tasks_done=3, tasks_total=4, log_no_pending=False,
                       run_tasks=(2, 4))[1] == (
        "last run ended with 2 tasks open; tasks.md has 3/4 done"
    )
