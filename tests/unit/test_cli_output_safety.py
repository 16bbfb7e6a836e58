"""What the command line prints from files, agents and engines is data: no escape sequence or
control character reaches the terminal (a clear-screen, a window title, an OSC 52 clipboard
write), in text, in JSON and in the one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli_interview import ScriptEngine

from specui.cli import main
from specui.core.paths import Project
from specui.interview import engines
from specui.store import PhaseRun, SessionStore

HOSTILE = "boom\x1b]0;TITLE\x07\x1b[2J\x9b31m\x9d52;c;aGk=\x07\r\x00 end"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _no_controls(text: str) -> None:
    bad = [c for c in text if (ord(c) < 0x20 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F]
    assert not bad, repr(text)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    root.mkdir()
    return root


def test_an_engine_error_is_printed_without_its_escape_sequences(capsys, monkeypatch, project):
    monkeypatch.setitem(engines.ENGINES, "builtin", ("test_cli_interview", "ScriptEngine"))
    ScriptEngine.FAIL = [HOSTILE]
    code, out, err = run(capsys, "interview", str(project))
    assert code == 1 and "Engine error: builtin: boom" in out and " end" in out
    _no_controls(out + err)


def test_status_text_and_json_show_a_phase_message_as_data(capsys, project):
    SessionStore.open(Project.at(project)).update(lambda s: s.runs.append(
        PhaseRun(run_id="1", phase="plan", status="failed", message=HOSTILE)))
    code, out, _ = run(capsys, "status", str(project))
    assert code == 0 and "failed — boom" in out
    _no_controls(out)
    code, out, _ = run(capsys, "status", str(project), "--json")
    plan = {p["name"]: p for p in json.loads(out)["phases"]}["plan"]
    assert code == 0 and plan["message"] == HOSTILE  # the data, intact
    _no_controls(out)  # C1 characters are \u escapes, not raw


def test_a_one_line_error_carries_no_escape_sequence(capsys, tmp_path):
    code, out, err = run(capsys, "status", str(tmp_path / "no\x1b[2Jpe"))
    assert code == 2 and out == "" and "does not exist" in err
    _no_controls(err.rstrip("\n"))
