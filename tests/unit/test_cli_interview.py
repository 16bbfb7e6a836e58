"""`specui interview` and `specui schema`: the interview headless, through the same driver."""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

import pytest
from test_driver import following
from test_engine_flow import smart

from specui.cli import main
from specui.core.interview.strict_schema import strict_violations
from specui.interview import engines
from specui.interview.engines.base import Engine, EngineError, EngineSession


class ScriptEngine(Engine):
    """Obeys every directive; `FAIL` makes the next round fail."""

    name = "builtin"
    FAIL: ClassVar[list[str]] = []

    def __init__(self, session: EngineSession) -> None:
        super().__init__(session)

    def run_turn(self, request, *, feedback, on_activity, cancel, timeout) -> str:
        if ScriptEngine.FAIL:
            raise EngineError(ScriptEngine.FAIL.pop(0))
        return following(request)


class SmartScript(ScriptEngine):
    """Makes the gates explicit when asked and raises the scores: reaches the threshold, the
    validation pass and seed 000's finish (tests/unit/test_engine_flow.py)."""

    def run_turn(self, request, *, feedback, on_activity, cancel, timeout) -> str:
        return smart(request)


@pytest.fixture(autouse=True)
def script_engine(monkeypatch):
    monkeypatch.setitem(engines.ENGINES, "builtin", ("test_cli_interview", "ScriptEngine"))
    ScriptEngine.FAIL = []


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    root.mkdir()
    return root


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_prints_the_first_question_and_starts_the_interview(capsys, project_dir):
    code, out, err = run(capsys, "interview", str(project_dir))
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "Round 1 | Target: Intent | Ambiguity: 100%"
    assert "Give an overview." in out
    assert lines[-1].startswith("Spec Creation Progress: ░░░░░░░░░░░░ 0%  0 final · ")
    assert (project_dir / "SPEC.md").is_file()


def test_answers_in_seed_004_shapes_and_json_output(capsys, project_dir):
    run(capsys, "interview", str(project_dir))
    code, out, _ = run(
        capsys,
        "interview",
        str(project_dir),
        "--json",
        "--answer",
        json.dumps({"answer": {"kind": "text", "value": "A JWKS cache"}}),
    )
    assert code == 0
    data = json.loads(out)
    assert data["round"] == 2 and data["question"]["round"] == 2 and data["rounds_done"] == 1
    assert data["question"]["header"].startswith("Round 2 | Target: ")
    assert data["progress_line"].startswith("Spec Creation Progress: ")
    assert data["sections"].endswith("unknown") and data["error"] is None
    value = data["question"]["options"][0]["value"]
    envelope = {"answers": [{"answer": {"kind": "option", "value": value}}]}
    code, out, _ = run(
        capsys, "interview", str(project_dir), "--json", "--answer", json.dumps(envelope)
    )
    assert code == 0 and json.loads(out)["round"] == 3


def answer_for(q: dict) -> dict:
    if not q["options"]:
        return {"kind": "text", "value": "x"}
    if q.get("type") == "multi-answerable":
        return {"kind": "multi", "value": [q["options"][0]["value"]]}
    return {"kind": "option", "value": q["options"][0]["value"]}


def test_round_means_the_same_in_interview_json_and_status_json(capsys, project_dir, monkeypatch):
    """Trial H10: `interview --json` printed rounds answered as `round` (5) while its question
    and `status --json` said round 6. `round` is the round on screen everywhere; the count
    answered is `rounds_done`, the validation pass's step `validation_step`."""
    monkeypatch.setitem(engines.ENGINES, "builtin", ("test_cli_interview", "SmartScript"))
    code, out, _ = run(capsys, "interview", str(project_dir), "--json")
    seen_phases = set()
    for _ in range(40):
        data = json.loads(out)
        _, sout, _ = run(capsys, "status", str(project_dir), "--json")
        status = json.loads(sout)["interview"]
        for field in ("round", "rounds_done", "validation_step", "status", "end_reason"):
            assert data[field] == status[field], (field, data[field], status[field])
        text = run(capsys, "status", str(project_dir))[1]
        step = f" | validation step {status['validation_step']}" if status["validation_step"] else ""
        assert f" | round {status['round']}/{status['max_rounds']}{step} | " in text
        if status["dimensions"]:  # under their names, as "Least clear: …" says them
            assert "  clarity: Intent " in text and "Success Criteria " in text
            assert " intent " not in text
        q = data["question"]
        if q is None:
            break
        seen_phases.add(q["phase"])
        if q["phase"] == "interview":
            assert data["round"] == q["round"] == data["rounds_done"] + 1
            assert data["validation_step"] == 0
        else:
            assert data["round"] == data["rounds_done"]  # the last interview round
            assert data["validation_step"] == q["round"]
        code, out, _ = run(
            capsys, "interview", str(project_dir), "--json", "--answer", json.dumps(answer_for(q))
        )
        assert code == 0
    assert data["finished"] and seen_phases == {"interview", "validation"}
    assert data["round"] == data["rounds_done"]


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        ("not json", "--answer: not valid JSON"),
        ('{"kind": "option", "value": "zzz"}', "answer.kind"),
        ('{"kind": "text"}', "value"),
        ("[1, 2]", "expected a JSON object"),
    ],
)
def test_a_bad_answer_is_one_line_naming_the_field_exit_2(capsys, project_dir, answer, fragment):
    run(capsys, "interview", str(project_dir))
    code, out, err = run(capsys, "interview", str(project_dir), "--answer", answer)
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("specui: error: ") and fragment in lines[0]


def test_an_engine_failure_exits_1_with_the_error_and_retry_recovers(capsys, project_dir):
    run(capsys, "interview", str(project_dir))
    ScriptEngine.FAIL = ["codex: the server did not answer within 300 s"]
    code, out, _ = run(
        capsys, "interview", str(project_dir), "--answer", '{"kind": "text", "value": "x"}'
    )
    assert code == 1
    assert "Engine error: builtin: codex: the server did not answer within 300 s" in out
    assert "Round 1 |" in out  # the same question, nothing lost
    code, out, _ = run(capsys, "interview", str(project_dir), "--retry")
    assert code == 0 and "Round 2 |" in out


def test_exit_early_refused_then_allowed_with_the_warning(capsys, project_dir):
    run(capsys, "interview", str(project_dir))
    code, _, err = run(capsys, "interview", str(project_dir), "--exit-early")
    assert code == 2 and "cannot exit early yet" in err
    for _ in range(8):
        code, out, _ = run(capsys, "interview", str(project_dir), "--json")
        data = json.loads(out)
        if data["can_exit_early"]:
            break
        q = data["question"]
        ans = (
            {"kind": "text", "value": "x"}
            if not q["options"]
            else {"kind": "option", "value": q["options"][0]["value"]}
        )
        run(capsys, "interview", str(project_dir), "--answer", json.dumps(ans))
    code, out, _ = run(capsys, "interview", str(project_dir), "--exit-early", "--json")
    data = json.loads(out)
    assert code == 0 and data["status"] == "exited" and data["question"] is None
    assert "Exiting now" in data["warning"] and "ended early" in data["residual_risk"]
    assert "Residual risk" in (project_dir / "SPEC.md").read_text()


GATE_TITLES = {
    "non_goals": "Non-goals",
    "decision_boundaries": "Decision Boundaries",
    "pressure_pass": "Pressure pass",
    "closure_audit": "Closure audit",
}


def test_early_exit_names_the_same_open_gates_everywhere(capsys, project_dir):
    """Trial H14: the dialog said "Readiness gates not met: Decision Boundaries, Closure
    audit", SPEC.md "Unresolved readiness gates: decision boundaries." One list, one wording:
    the warning before the exit, the residual risk (JSON, SPEC.md, status) and the .omx spec."""
    run(capsys, "interview", str(project_dir))
    for _ in range(8):
        data = json.loads(run(capsys, "interview", str(project_dir), "--json")[1])
        if data["can_exit_early"]:
            break
        run(capsys, "interview", str(project_dir), "--answer", json.dumps(answer_for(data["question"])))
    data = json.loads(run(capsys, "interview", str(project_dir), "--exit-early", "--json")[1])
    status = json.loads(run(capsys, "status", str(project_dir), "--json")[1])["interview"]
    unmet = [GATE_TITLES[g] for g, ok in status["gates"].items() if not ok]
    assert "Closure audit" in unmet  # it passes only at the threshold
    sentence = "Readiness gates not met: " + ", ".join(unmet) + "."
    assert sentence in data["warning"] and sentence in data["residual_risk"]
    assert status["residual_risk"] == data["residual_risk"]
    assert sentence in (project_dir / "SPEC.md").read_text()
    omx = (project_dir / data["artifacts"]["spec"]).read_text()
    assert sentence in omx
    assert [t for t in GATE_TITLES.values() if f"- {t}: NOT met" in omx] == unmet
    text = run(capsys, "status", str(project_dir))[1]
    assert "gates: " + ", ".join(
        f"{t} {'yes' if status['gates'][g] else 'no'}" for g, t in GATE_TITLES.items()
    ) in text
    assert " ".join(sentence.split()) in " ".join(text.split())


def test_profile_flag(capsys, project_dir):
    code, out, _ = run(capsys, "interview", str(project_dir), "--profile", "quick", "--json")
    data = json.loads(out)
    assert code == 0 and (data["profile"], data["max_rounds"], data["threshold"]) == (
        "quick",
        5,
        0.3,
    )
    code, _, err = run(capsys, "interview", str(project_dir), "--profile", "deep")
    assert code == 2 and "already runs with the quick profile" in err


def test_at_most_one_action(capsys, project_dir):
    code, _, err = run(
        capsys,
        "interview",
        str(project_dir),
        "--exit-early",
        "--answer",
        '{"kind":"text","value":"x"}',
    )
    assert code == 2 and "at most one of" in err


@pytest.mark.parametrize("name", ["engine-request", "engine-reply", "question"])
def test_schema_command_prints_the_contracts(capsys, name):
    code, out, _ = run(capsys, "schema", name)
    schema = json.loads(out)
    assert code == 0 and schema["type"] == "object"
    if name == "engine-reply":
        assert strict_violations(schema) == []
        assert "ready_to_crystallize" in schema["required"]
    elif name == "engine-request":
        assert "directive" in schema["properties"]
    else:
        assert {"question", "type", "options"} <= set(schema["properties"])


def test_unknown_schema_is_a_usage_error(capsys):
    code, _, err = run(capsys, "schema", "nope")
    assert code == 2 and "invalid choice" in err


def test_workbench_profile_flags_parse():
    from specui.cli import parse_args

    assert parse_args(["--deep", "x"]).profile == "deep"
    assert parse_args(["x"]).profile is None


def test_ended_is_the_loop_condition_even_after_the_hard_cap(capsys, project_dir):
    """trial6 K6: after the quick profile's hard cap `finished` stays false (it marks the 100%
    finish) and `question` is null: a script that answered "until finished" never ended."""
    code, out, _ = run(capsys, "interview", str(project_dir), "--json", "--profile", "quick")
    assert code == 0
    for _ in range(20):
        data = json.loads(out)
        if data["question"] is None:
            break
        assert not data["ended"]
        code, out, _ = run(capsys, "interview", str(project_dir), "--json", "--answer",
                           json.dumps(answer_for(data["question"])))
        assert code == 0
    assert data["end_reason"] == "hard_cap" and data["question"] is None
    assert data["ended"] and not data["finished"]
