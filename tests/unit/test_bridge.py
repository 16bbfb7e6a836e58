"""The question bridge protocol (specui/bridge.py) and `specui question`'s input handling:
request/answer/cancel files, timeout, stale cleanup, the workbench pid file, payload validation
(exit 2, one line) and the inline terminal prompt."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import seed004

from specui import bridge
from specui.cli import main
from specui.core.errors import SpecuiError
from specui.core.paths import Project
from specui.core.questions import Question, build_answer, parse_question

SINGLE = seed004.SINGLE
MULTI = {**seed004.MULTI, "allow_other": True, "other_label": "Something else"}


@pytest.fixture
def project(tmp_path: Path) -> Project:
    root = tmp_path / "proj"
    root.mkdir()
    return Project.at(root)


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def bridge_files(project: Project) -> list[str]:
    folder = bridge.bridge_dir(project)
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


# ------------------------------------------------------------------------------ ids


def test_request_ids_are_uuid7_and_sort_by_time() -> None:
    first = bridge.new_request_id()
    time.sleep(0.003)
    second = bridge.new_request_id()
    assert bridge.is_request_id(first) and bridge.is_request_id(second)
    assert first[14] == "7" and first != second
    assert sorted([second, first]) == [first, second]
    ms = int(first.replace("-", "")[:12], 16)
    assert abs(ms - time.time() * 1000) < 5_000


@pytest.mark.parametrize("name", ["../../etc/passwd", "x", "0" * 36, ""])
def test_foreign_names_are_not_request_ids(name: str, project: Project) -> None:
    assert not bridge.is_request_id(name)
    with pytest.raises(ValueError):
        bridge.request_path(project, name)


# ------------------------------------------------------------------------------ payloads


def test_parse_payload_accepts_bare_and_single_question_wrapper() -> None:
    bare = bridge.parse_payload(json.dumps(SINGLE))
    wrapped = bridge.parse_payload(json.dumps({"questions": [SINGLE]}))
    assert bare == wrapped
    assert bare.source == "deep-interview" and bare.options[1].value == "autopilot"
    assert not bare.allow_other and not bare.multi_select


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("{not json", "not valid JSON"),
        ("", "empty"),
        ("[1, 2]", "JSON object"),
        (json.dumps({"questions": []}), "exactly one"),
        (json.dumps({"questions": [SINGLE, MULTI]}), "exactly one question (got 2)"),
        (json.dumps({"question": "   "}), "must not be empty"),
        (json.dumps({"question": "q", "type": "pick-some"}), "type"),
        (json.dumps({"question": "q", "options": [{"label": "a"}, {"label": "a"}]}), "duplicate"),
    ],
)
def test_parse_payload_rejects_bad_input_with_one_line(text: str, fragment: str) -> None:
    with pytest.raises(SpecuiError) as info:
        bridge.parse_payload(text)
    message = str(info.value)
    assert fragment in message and "\n" not in message
    assert info.value.exit_code == 2


@pytest.mark.parametrize(
    "payload",
    ['{"question": "x", "options": 3', '{"question": "x", "type": "nope"}', '{"questions": []}'],
)
def test_cli_bad_payload_exits_2_with_one_stderr_line(payload: str, capsys, project) -> None:
    code = main(["question", "--input", payload, str(project.root)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.startswith("specui: error: ") and err.count("\n") == 1
    assert not bridge.bridge_dir(project).exists()  # nothing was posted


@pytest.mark.parametrize(
    "argv",
    [
        ["question"],  # --input is required
        ["question", "--input", "{}", "--timeout", "-1"],
        ["question", "--input", "{}", "--timeout", "soon"],
    ],
)
def test_cli_bad_usage_exits_2(argv: list[str], capsys) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("specui: error: ") and err.count("\n") == 1


def test_cli_reads_the_payload_from_stdin_with_dash(monkeypatch, capsys, project) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("{broken"))
    assert main(["question", "--input", "-", str(project.root)]) == 2
    assert "not valid JSON" in capsys.readouterr().err


def test_cli_without_workbench_or_terminal_exits_1(monkeypatch, capsys, project) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # not a TTY
    code = main(["question", "--input", json.dumps(SINGLE), str(project.root)])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert "no specui workbench is running on" in err and "no terminal to ask in" in err
    assert err.count("\n") == 1


# ------------------------------------------------------------------------------ request / response


def test_post_request_writes_the_payload_and_who_asks(project: Project) -> None:
    question = parse_question(MULTI)
    request = bridge.post_request(project, question, timeout=30)
    path = bridge.request_path(project, request.id)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["id"] == request.id and data["asker"]["pid"] == os.getpid()
    assert data["timeout"] == 30
    assert data["question"]["type"] == "multi-answerable" and data["question"]["multi_select"]
    assert bridge_files(project) == [path.name]  # no temp file left behind
    again = bridge.read_request(project, request.id)
    assert again is not None and again.question == question


def test_answer_is_written_once_and_read_back(project: Project) -> None:
    question = parse_question(SINGLE)
    request = bridge.post_request(project, question)
    assert bridge.read_response(project, request.id) is None
    answer = build_answer(question, [1], None)
    assert bridge.write_answer(project, request.id, answer)
    data = json.loads(bridge.answer_path(project, request.id).read_text())
    assert data["answers"][0]["answer"] == {
        "kind": "option",
        "value": "autopilot",
        "selected_labels": ["Execute directly"],
        "selected_values": ["autopilot"],
    }
    assert data["answer"] == data["answers"][0]["answer"]
    # A second workbench (or a late Esc) cannot replace it.
    assert not bridge.write_answer(project, request.id, build_answer(question, [0], None))
    assert not bridge.write_cancel(project, request.id)
    assert bridge.read_response(project, request.id) == answer


def test_answers_0_is_the_source_of_truth_and_answer_the_fallback(project: Project) -> None:
    request = bridge.post_request(project, parse_question(SINGLE))
    canonical = {"kind": "option", "value": "refine", "selected_values": ["refine"]}
    legacy = {"kind": "option", "value": "ralplan", "selected_values": ["ralplan"]}
    path = bridge.answer_path(project, request.id)
    path.write_text(json.dumps({"answers": [{"answer": canonical}], "answer": legacy}))
    assert bridge.read_response(project, request.id).value == "refine"
    path.write_text(json.dumps({"answer": legacy}))
    assert bridge.read_response(project, request.id).value == "ralplan"


def test_no_answer_for_a_withdrawn_request(project: Project) -> None:
    question = parse_question(SINGLE)
    request = bridge.post_request(project, question)
    bridge.withdraw(project, request.id)
    assert not bridge.write_answer(project, request.id, build_answer(question, [0], None))
    assert not bridge.write_cancel(project, request.id)
    assert bridge_files(project) == []


def test_wait_returns_the_answer_written_meanwhile(project: Project) -> None:
    question = parse_question(MULTI)
    request = bridge.post_request(project, question)
    answer = build_answer(question, [0, 2], "keep the CLI flags")

    def respond() -> None:
        time.sleep(0.2)
        bridge.write_answer(project, request.id, answer)

    thread = threading.Thread(target=respond)
    thread.start()
    got = bridge.wait_for_response(project, request.id, timeout=5, poll=0.02)
    thread.join()
    assert got == answer
    assert got.selected_values == [
        "no-ui-redesign",
        "no-api-contract-changes",
        "keep the CLI flags",
    ]


def test_cancel_ends_the_wait_with_exit_code_1(project: Project) -> None:
    request = bridge.post_request(project, parse_question(SINGLE))
    assert bridge.write_cancel(project, request.id, "cancelled in the workbench")
    with pytest.raises(bridge.QuestionUnanswered) as info:
        bridge.wait_for_response(project, request.id, timeout=5, poll=0.01)
    assert info.value.exit_code == 1 and "cancelled" in str(info.value)


def test_ask_workbench_times_out_and_removes_its_request(project: Project) -> None:
    started = time.monotonic()
    with pytest.raises(bridge.QuestionUnanswered) as info:
        bridge.ask_workbench(project, parse_question(SINGLE), timeout=0.3, poll=0.02)
    elapsed = time.monotonic() - started
    assert 0.3 <= elapsed < 3
    assert info.value.exit_code == 1 and "0.3s" in str(info.value)
    assert bridge_files(project) == []


def test_ask_workbench_removes_its_request_on_ctrl_c(project: Project, monkeypatch) -> None:
    seen: list[str] = []

    def interrupted(_project, request_id, **_kw):
        seen.append(request_id)
        assert bridge.request_exists(project, request_id)
        raise KeyboardInterrupt

    monkeypatch.setattr(bridge, "wait_for_response", interrupted)
    with pytest.raises(KeyboardInterrupt):
        bridge.ask_workbench(project, parse_question(SINGLE))
    assert seen and bridge_files(project) == []


def test_ask_workbench_collects_the_answer_and_cleans_up(project: Project) -> None:
    bridge.write_workbench_pid(project)  # this test process plays the workbench
    question = parse_question(SINGLE)

    def respond() -> None:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            pending = bridge.pending_requests(project)
            if pending:
                bridge.write_answer(project, pending[0].id, build_answer(question, [2], None))
                return
            time.sleep(0.02)

    thread = threading.Thread(target=respond)
    thread.start()
    answer = bridge.ask_workbench(project, question, timeout=5, poll=0.02)
    thread.join()
    assert answer.value == "refine"
    assert bridge_files(project) == []


def test_wait_notices_the_workbench_closing(project: Project) -> None:
    request = bridge.post_request(project, parse_question(SINGLE))
    clock = {"calls": 0}

    def gone() -> bool:
        clock["calls"] += 1
        return False

    with pytest.raises(bridge.WorkbenchGone) as info:
        bridge.wait_for_response(project, request.id, timeout=10, poll=0.05, workbench_alive=gone)
    assert clock["calls"] == 1 and info.value.exit_code == 1


# ------------------------------------------------------------------------------ the workbench side


def _write_request(project: Project, *, pid: int, created: datetime, timeout=None) -> str:
    rid = bridge.new_request_id()
    path = bridge.request_path(project, rid)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {
                "id": rid,
                "asker": {"pid": pid},
                "created_at": created.isoformat(),
                "timeout": timeout,
                "question": SINGLE,
            }
        )
    )
    time.sleep(0.002)  # distinct millisecond: ids sort by age
    return rid


def test_pending_requests_oldest_first_without_answered_ones(project: Project) -> None:
    now = datetime.now(UTC)
    a = _write_request(project, pid=os.getpid(), created=now - timedelta(seconds=3))
    b = _write_request(project, pid=os.getpid(), created=now - timedelta(seconds=1))
    c = _write_request(project, pid=os.getpid(), created=now)
    question = parse_question(SINGLE)
    assert bridge.write_answer(project, b, build_answer(question, [0], None))
    assert [r.id for r in bridge.pending_requests(project)] == [a, c]


def test_stale_requests_are_cleaned(project: Project) -> None:
    now = datetime.now(UTC)
    live = _write_request(project, pid=os.getpid(), created=now)
    dead = _write_request(project, pid=dead_pid(), created=now)
    expired = _write_request(
        project, pid=os.getpid(), created=now - timedelta(seconds=60), timeout=10
    )
    # A pid that is alive but belongs to a later process (start time differs) is stale too.
    reused = bridge.new_request_id()
    bridge.request_path(project, reused).write_text(
        json.dumps(
            {
                "id": reused,
                "asker": {"pid": os.getppid(), "start_time": 1, "boot_id": "not-this-boot"},
                "created_at": now.isoformat(),
                "question": SINGLE,
            }
        )
    )
    assert [r.id for r in bridge.pending_requests(project)] == [live]
    for gone in (dead, expired, reused):
        assert not bridge.request_exists(project, gone)
    assert bridge.request_exists(project, live)


def test_an_invalid_request_is_cancelled_not_shown(project: Project) -> None:
    rid = bridge.new_request_id()
    path = bridge.request_path(project, rid)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"id": rid, "question": {"question": ""}}))
    assert bridge.pending_requests(project) == []
    with pytest.raises(bridge.QuestionUnanswered, match="invalid request"):
        bridge.read_response(project, rid)


def test_responses_nobody_collected_are_removed_after_a_while(project: Project) -> None:
    rid = bridge.new_request_id()
    orphan = bridge.answer_path(project, rid)
    orphan.parent.mkdir(parents=True)
    orphan.write_text("{}")
    fresh = bridge.cancel_path(project, bridge.new_request_id())
    fresh.write_text("{}")
    old = time.time() - bridge.ORPHAN_SECONDS - 5
    os.utime(orphan, (old, old))
    bridge.pending_requests(project)
    assert not orphan.exists() and fresh.exists()


def test_workbench_pid_file(project: Project) -> None:
    assert bridge.running_workbench(project) is None
    bridge.write_workbench_pid(project)
    assert bridge.running_workbench(project) == os.getpid()
    assert bridge.bridge_dir(project).is_dir()
    bridge.pid_path(project).write_text(f"{dead_pid()}\n")
    assert bridge.running_workbench(project) is None
    bridge.pid_path(project).write_text(f"{os.getppid()}\n1 not-this-boot\n")  # reused pid
    assert bridge.running_workbench(project) is None
    bridge.pid_path(project).write_text("garbage\n")
    assert bridge.running_workbench(project) is None
    # Only our own pid file is removed (another workbench may have taken over).
    bridge.pid_path(project).write_text(f"{os.getppid()}\n")
    bridge.remove_workbench_pid(project)
    assert bridge.pid_path(project).exists()
    bridge.write_workbench_pid(project)
    bridge.remove_workbench_pid(project)
    assert not bridge.pid_path(project).exists()


# ------------------------------------------------------------------------------ the terminal


def _ask(question: Question, typed: str, timeout=None):
    out = io.StringIO()
    answer = bridge.ask_in_terminal(question, stdin=io.StringIO(typed), stdout=out, timeout=timeout)
    return answer, out.getvalue()


def test_terminal_single_reasks_until_valid() -> None:
    question = parse_question(SINGLE)
    answer, shown = _ask(question, "\n7\n1,2\nx\n2\n")
    assert answer.kind == "option" and answer.value == "autopilot"
    assert (
        "Question from deep-interview" in shown
        and "  2) Execute directly - Requirements are already explicit" in shown
    )
    assert shown.count("  ! ") == 4  # empty, out of range, two for single, not a number
    assert "Other" not in shown  # allow_other is false


def test_terminal_multi_with_other_text_inline_and_by_number() -> None:
    question = parse_question(MULTI)
    answer, shown = _ask(question, "1,3 o: keep the flags\n")
    assert answer.kind == "multi"
    assert answer.selected_values == ["no-ui-redesign", "no-api-contract-changes", "keep the flags"]
    assert "  4) Something else (type: o: your answer)" in shown
    answer, shown = _ask(question, "2 4\n\nmy, own text\n")
    assert answer.selected_values == ["no-new-dependencies", "my, own text"]
    assert "Something else: " in shown and "must not be empty" in shown


def test_terminal_free_text_and_end_of_input() -> None:
    question = parse_question({"question": "Describe the users.", "source": "agent"})
    answer, _ = _ask(question, "   \nsolo developers\n")
    assert answer.kind == "text" and answer.value == "solo developers"
    with pytest.raises(bridge.QuestionUnanswered, match="input ended"):
        _ask(question, "")


def test_terminal_text_is_data() -> None:
    question = parse_question(
        {"question": "Clear?\x1b[2J\x1b]52;c;eA==\x07 [/]", "options": [{"label": "\x1b[31mred"}]}
    )
    _answer, shown = _ask(question, "1\n")
    assert "\x1b" not in shown and "\x07" not in shown
    assert "Clear? [/]" in shown and "1) red" in shown


def test_terminal_timeout(tmp_path: Path) -> None:
    read_fd, write_fd = os.pipe()  # a reader that never gets a line
    try:
        with os.fdopen(read_fd, "r") as stdin:
            started = time.monotonic()
            with pytest.raises(bridge.QuestionUnanswered, match="time limit"):
                bridge.ask_in_terminal(
                    parse_question(SINGLE), stdin=stdin, stdout=io.StringIO(), timeout=0.2
                )
            assert 0.2 <= time.monotonic() - started < 3
    finally:
        os.close(write_fd)
