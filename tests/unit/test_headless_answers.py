"""`specui interview --answer` as a script author meets it: whatever the answer, one line on
stderr naming the wrong field and exit 2, never a traceback, and SPEC.md and the session as
they were."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs
from test_cli_interview import ScriptEngine

from specui.cli import main
from specui.core.ansi import has_controls
from specui.core.errors import SpecuiError
from specui.core.interview import policy
from specui.core.questions import Answer, Question, QuestionOption
from specui.interview import engines
from specui.interview.headless import parse_answer_json


@pytest.fixture(autouse=True)
def script_engine(monkeypatch):
    monkeypatch.setitem(engines.ENGINES, "builtin", ("test_cli_interview", "ScriptEngine"))
    ScriptEngine.FAIL = []


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def started(tmp_path: Path, capsys) -> Path:
    """A project at round 1 (the overview: free text)."""
    root = tmp_path / "demo"
    root.mkdir()
    assert run(capsys, "interview", str(root))[0] == 0
    return root


def _refused(capsys, root: Path, answer: str, fragment: str) -> None:
    before = ((root / "SPEC.md").read_bytes(), (root / ".specui" / "session.json").read_bytes())
    code, out, err = run(capsys, "interview", str(root), "--answer", answer)
    lines = err.splitlines()
    assert (code, out) == (2, ""), err
    assert len(lines) == 1 and lines[0].startswith("specui: error: "), err
    assert fragment in lines[0], lines[0]
    after = ((root / "SPEC.md").read_bytes(), (root / ".specui" / "session.json").read_bytes())
    assert after == before
    assert run(capsys, "status", str(root), "--json")[0] == 0


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        # A NUL went into SPEC.md, which no command could read afterwards.
        (json.dumps({"kind": "text", "value": "a\x00b"}), "answer.value: U+0000 at character 2"),
        # An escape sequence and a bell were written into SPEC.md as they came.
        (json.dumps({"kind": "text", "value": "\x1b[31mred\x07"}), "answer.value: U+001B"),
        # An unpaired surrogate could not be saved: a traceback from the store.
        ('{"kind": "text", "value": "a\\ud800b"}', "answer.value: U+D800"),
        (json.dumps({"kind": "text", "value": "x" * 70_000}), "answer.value: too long (70,000"),
        # "answer.kind: this question takes free text" for an answer of kind text.
        ('{"kind": "text", "value": "  "}', "answer.value: the answer must be non-empty text"),
        ('{"kind": "text", "value": 5}', "answer.value: a string, or a list of strings"),
        ('{"kind": "text", "value": [1]}', "answer.value: a string, or a list of strings"),
        ('{"answer": 5}', "--answer: answer: expected a JSON object"),
        ('{"answers": []}', "--answer: answers: expected"),
        ('{"answers": [{"answer": null}]}', "--answer: answers[0].answer: expected a JSON object"),
        ("", "--answer: not valid JSON"),
    ],
    ids=["nul", "escape", "surrogate", "huge", "blank", "number", "numbers", "answer-number",
         "answers-empty", "answers-null", "empty"],
)
def test_a_malformed_answer_is_one_line_naming_the_field(capsys, started, answer, fragment):
    _refused(capsys, started, answer, fragment)


def test_tabs_and_newlines_are_text(capsys, started):
    answer = json.dumps({"kind": "text", "value": "A cache\n\tfor JWKS keys"})
    assert run(capsys, "interview", str(started), "--answer", answer)[0] == 0


def test_an_option_answer_with_a_list_value_names_the_value(capsys, started):
    run(capsys, "interview", str(started), "--answer", '{"kind": "text", "value": "x"}')
    data = json.loads(run(capsys, "interview", str(started), "--json")[1])
    value = data["question"]["options"][0]["value"]
    assert data["question"]["type"] == "single-answerable"
    _refused(capsys, started, json.dumps({"kind": "option", "value": [value]}),
             "answer.value: one option's value (a string), not a list")
    _refused(capsys, started, '{"kind": "option", "value": "nope"}',
             "answer.value: 'nope' is not an option (one of: ")
    _refused(capsys, started, json.dumps({"kind": "other", "value": "a\x00"}),
             "answer.value: U+0000")


MULTI = Question(question="Which?", type="multi-answerable", allow_other=True,
                 options=[QuestionOption(label="A", value="a"), QuestionOption(label="B", value="b")])


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (Answer(kind="multi", value=[]), "answer.value: choose at least one option"),
        (Answer(kind="multi", value=["a", "zz"]), "answer.value: 'zz' is not an option (one of: a, b)"),
        (Answer(kind="multi", value=["a", "b\x1b"]), "answer.value[1]: U+001B"),
        (Answer(kind="multi", value=["a"], other_text="x\x00"), "answer.other_text: U+0000"),
    ],
    ids=["empty", "unknown", "escape", "other-nul"],
)
def test_multi_answers_name_the_field(answer, fragment):
    with pytest.raises(SpecuiError, match=re.escape(fragment)):
        policy.check_answer(MULTI, answer)


def test_a_stale_key_says_the_answer_was_not_recorded_in_this_commands_words(capsys, started):
    """The driver's words are the workbench's: "another specui moved the interview on …; the
    current question is on screen", also for a mistyped key and with no screen at all."""
    code, out, err = run(capsys, "interview", str(started), "--answer",
                         '{"kind": "text", "value": "A JWKS cache"}', "--key", "not-the-key")
    assert (code, out) == (2, "") and len(err.splitlines()) == 1
    assert "your answer was not recorded: --key names another question than the pending one" in err
    assert "'Round 1 | Target: Intent | Ambiguity: 100%'" in err and "on screen" not in err


def test_retry_with_nothing_failed_is_refused(capsys, started):
    code, out, err = run(capsys, "interview", str(started), "--retry")
    assert (code, out) == (2, "")
    assert "--retry: no engine round has failed; there is nothing to run again" in err


def test_the_workbench_profile_flags_work_here_too(capsys, tmp_path):
    """`specui --quick` opens the workbench with the quick profile; `specui interview --quick`
    was "unrecognized arguments"."""
    root = tmp_path / "demo"
    root.mkdir()
    code, out, _ = run(capsys, "interview", str(root), "--quick", "--json")
    assert code == 0 and json.loads(out)["profile"] == "quick"
    code, _, err = run(capsys, "interview", str(root), "--deep", "--profile", "quick")
    assert code == 2 and "not allowed with argument" in err


def test_after_the_end_an_answer_or_an_exit_says_it_has_ended(capsys, tmp_path):
    """ "cannot exit early yet: the interview is not in its question rounds" and "there is no
    question to answer" after an early exit: neither said it had ended nor how to go on."""
    root = tmp_path / "demo"
    root.mkdir()
    data = json.loads(run(capsys, "interview", str(root), "--json")[1])
    for _ in range(10):
        if data["can_exit_early"]:
            break
        q = data["question"]
        answer = ({"kind": "text", "value": "x"} if not q["options"] else
                  {"kind": "option", "value": q["options"][0]["value"]})
        data = json.loads(run(capsys, "interview", str(root), "--json", "--answer",
                              json.dumps(answer))[1])
    assert run(capsys, "interview", str(root), "--exit-early")[0] == 0
    for argv, what in ((["--exit-early"], "--exit-early"),
                       (["--answer", '{"kind": "text", "value": "x"}'], "--answer")):
        code, out, err = run(capsys, "interview", str(root), *argv)
        assert (code, out) == (2, "")
        assert err.strip() == (f"specui: error: {what}: the interview has ended (early exit); "
                               "--refine re-enters it for another pass of questions")


def test_autoresearch_on_an_interview_started_without_it_is_refused(capsys, started):
    """It was ignored: exit 0 and the ordinary interview's question, as if the flag had done
    something (--profile on a started interview is refused the same way)."""
    code, out, err = run(capsys, "interview", str(started), "--autoresearch")
    assert (code, out) == (2, "")
    assert "--autoresearch: this interview was not started as an autoresearch interview" in err


def test_a_value_given_twice_in_a_multi_answer_counts_once():
    """["gui", "gui", "cloud"] wrote "A graphical interface" twice into SPEC.md's bullet."""
    answer = policy.check_answer(MULTI, Answer(kind="multi", value=["b", "a", "b"]))
    assert answer.value == ["a", "b"] and answer.selected_labels == ["A", "B"]


def _stdin(monkeypatch, data: bytes) -> None:
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        # Text mode made the bytes surrogates: "answer.value: U+DCE9 … is not text".
        (b'{"kind": "text", "value": "caf\xe9"}', "--answer: not UTF-8 text"),
        (b"x" * (8 * 1024 * 1024 + 10), "--answer: too large"),
    ],
    ids=["latin-1", "huge"],
)
def test_an_answer_on_standard_input_is_read_as_bytes(capsys, monkeypatch, started, data,
                                                      fragment):
    _stdin(monkeypatch, data)
    _refused(capsys, started, "-", fragment)


def test_a_byte_order_mark_before_an_answer_is_not_part_of_it(capsys, monkeypatch, started):
    """A file saved by a Windows editor: "Unexpected UTF-8 BOM (decode using utf-8-sig)"."""
    _stdin(monkeypatch, b'\xef\xbb\xbf{"kind": "text", "value": "A JWKS cache"}')
    code, out, err = run(capsys, "interview", str(started), "--answer", "-")
    assert code == 0 and "Round 2 |" in out, err


def test_a_session_set_aside_is_said(capsys, started):
    """An unreadable session.json was set aside and the interview started again at round 1
    without a word (the notice is given once, to whichever command opens the store)."""
    (started / ".specui" / "session.json").write_text("{broken")
    code, out, _ = run(capsys, "interview", str(started), "--json")
    assert code == 0
    assert any("set aside" in m and "started a fresh session" in m
               for m in json.loads(out)["messages"])
    (started / ".specui" / "session.json").write_text("{broken")
    code, out, _ = run(capsys, "interview", str(started))
    assert code == 0 and out.startswith("note: .specui/session.json was set aside as ")


class InterruptedOnce(ScriptEngine):
    """Ctrl+C while the engine works, the first time."""

    TIMES: ClassVar[list[int]] = []

    def run_turn(self, request, **kwargs) -> str:
        if InterruptedOnce.TIMES:
            InterruptedOnce.TIMES.pop()
            raise KeyboardInterrupt
        return super().run_turn(request, **kwargs)


def test_ctrl_c_during_a_round_says_it_runs_again(capsys, monkeypatch, started):
    """Exit 130 and nothing on the terminal: was the answer lost?"""
    monkeypatch.setitem(engines.ENGINES, "builtin", ("test_headless_answers", "InterruptedOnce"))
    InterruptedOnce.TIMES = [1]
    code, out, err = run(capsys, "interview", str(started), "--answer",
                         '{"kind": "text", "value": "A JWKS cache"}')
    assert (code, out) == (130, "")
    assert err == ("specui: interrupted (Ctrl+C); a round that was running runs again with the "
                   "next `specui interview`\n")
    code, out, _ = run(capsys, "interview", str(started), "--json")
    data = json.loads(out)
    assert code == 0 and data["rounds_done"] == 1 and data["round"] == 2


def test_status_says_what_interview_says_of_a_failed_round(capsys, started):
    """`specui status` showed an interview stuck on a failed engine round as plain "active"."""
    ScriptEngine.FAIL = ["codex: the server did not answer within 300 s"]
    code, out, _ = run(capsys, "interview", str(started), "--json", "--answer",
                       '{"kind": "text", "value": "A JWKS cache"}')
    interview = json.loads(out)
    status = json.loads(run(capsys, "status", str(started), "--json")[1])["interview"]
    assert code == 1 and interview["error"] == "codex: the server did not answer within 300 s"
    assert (status["engine"], status["error"]) == (interview["engine"], interview["error"])
    text = " ".join(run(capsys, "status", str(started))[1].split())
    assert ("engine error: builtin: codex: the server did not answer within 300 s (r in the "
            "workbench or `specui interview --retry` runs the round again)") in text
    assert run(capsys, "interview", str(started), "--retry")[0] == 0
    assert json.loads(run(capsys, "status", str(started), "--json")[1])["interview"]["error"] is None


def test_a_failed_round_names_its_engine_once(capsys, monkeypatch, started):
    """Trial J7 in the headless text and in status: 'Engine error (codex): codex: stream
    disconnected …'."""
    monkeypatch.setitem(engines.ENGINES, "codex", ("test_cli_interview", "ScriptEngine"))
    (started / "specui.toml").write_text('[interview]\nengine = "codex"\n')
    ScriptEngine.FAIL = ["codex: stream disconnected before completion"]
    code, out, _ = run(capsys, "interview", str(started), "--answer",
                       '{"kind": "text", "value": "A JWKS cache"}')
    assert code == 1 and "Engine error: codex: stream disconnected before completion\n" in out
    text = " ".join(run(capsys, "status", str(started))[1].split())
    assert "engine error: codex: stream disconnected before completion (r in" in text


# Any JSON a script might send: refused with a SpecuiError (one line, exit 2) or accepted as text
# that SPEC.md and session.json can hold; never another exception (a traceback).
_text = hs.text(hs.characters(codec="utf-8"), max_size=20) | hs.sampled_from(
    ["a", "b", "zz", "text", "option", "multi", "other", "decide-for-me", "\x00", "\x1b[2J",
     "\ud800", "x\x9b1m"])
_json = hs.recursive(
    hs.none() | hs.booleans() | hs.integers() | hs.floats(allow_nan=False) | _text,
    lambda inner: hs.lists(inner, max_size=4) | hs.dictionaries(_text, inner, max_size=4),
    max_leaves=12,
)
_answerish = hs.fixed_dictionaries(
    {"kind": hs.sampled_from(["option", "multi", "other", "text", "bogus"]) | _json},
    optional={"value": hs.one_of(_text, hs.lists(_text, max_size=3), _json),
              "other_text": _text | _json,
              "selected_labels": _json},
)
_payload = _json | _answerish | hs.builds(lambda a: {"answer": a}, _answerish) | hs.builds(
    lambda a: {"answers": [{"answer": a}]}, _answerish)
FREE = Question(question="Overview?", type="single-answerable", options=[], allow_other=True)
SINGLE = Question(question="Which?", type="single-answerable", allow_other=False,
                  options=[QuestionOption(label="A", value="a"), QuestionOption(label="B", value="b")])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payload=_payload)
def test_no_answer_is_a_traceback(payload):
    try:
        answer = parse_answer_json(json.dumps(payload))
    except SpecuiError:
        return
    for question in (FREE, SINGLE, MULTI):
        try:
            checked = policy.check_answer(question, answer)
        except SpecuiError:
            continue
        summary = checked.summary()
        summary.encode("utf-8")  # no unpaired surrogate
        assert summary.strip() and not has_controls(summary), repr(summary)
        checked.model_dump_json()


def test_from_a_subfolder_the_interview_points_at_the_project_above(capsys, monkeypatch,
                                                                   started):
    """An agent's shell that did `cd specs` ran `specui interview` and a second interview began
    there: SPEC.md, stack.toml and .specui/ inside the project."""
    sub = started / "specs"
    sub.mkdir()
    monkeypatch.chdir(sub)
    code, out, err = run(capsys, "interview", "--json")
    assert (code, out) == (2, "")
    assert err.strip() == (f"specui: error: no interview in this folder; the project above is "
                           f"{started}: `specui interview {started}` (or `specui interview .` "
                           "starts a new one here)")
    assert sorted(p.name for p in sub.iterdir()) == []
    assert run(capsys, "interview", ".", "--json")[0] == 0  # explicitly here: a new one
    assert (sub / "SPEC.md").is_file()


def test_without_a_project_above_the_current_folder_is_the_project(capsys, monkeypatch,
                                                                   tmp_path):
    root = tmp_path / "fresh"
    root.mkdir()
    monkeypatch.chdir(root)
    code, out, _ = run(capsys, "interview", "--json")
    assert code == 0 and json.loads(out)["round"] == 1 and (root / "SPEC.md").is_file()


def test_a_subfolder_with_its_own_specui_toml_is_a_project(capsys, monkeypatch, started):
    sub = started / "tool"
    sub.mkdir()
    (sub / "specui.toml").write_text("[interview]\n")
    monkeypatch.chdir(sub)
    assert run(capsys, "interview", "--json")[0] == 0 and (sub / "SPEC.md").is_file()


def test_from_a_subfolder_the_workbench_points_at_the_project_above(capsys, monkeypatch,
                                                                    started):
    """`specui` (the workbench) from src/ made a second project there, as the interview did."""
    sub = started / "src"
    sub.mkdir()
    monkeypatch.chdir(sub)
    code, out, err = run(capsys)
    assert (code, out) == (2, "")
    assert err.strip() == (f"specui: error: no interview in this folder; the project above is "
                           f"{started}: `specui {started}` (or `specui .` starts a new one "
                           "here)")
    assert sorted(p.name for p in sub.iterdir()) == []
