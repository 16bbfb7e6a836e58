"""The question bridge (specui/bridge/): the file protocol (request/answer/cancel, link-once
responses, stale cleanup, supersede), its hardening (0700/0600, regular files only, FIFOs and
symlinks never opened, pid + start time), the asker (payload limits, waiting, a dying UI,
timeout), `specui question`'s output and exit codes, and `specui skill install`."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import seed004

from specui import bridge
from specui.bridge import asker, skills
from specui.bridge.tmux import question_height
from specui.cli import main
from specui.core.errors import SpecuiError
from specui.core.paths import Project
from specui.core.questions import QuestionBatch, build_answer, normalize_question_input

SINGLE = seed004.SINGLE
MULTI = {**seed004.MULTI, "allow_other": True, "other_label": "Something else"}


@pytest.fixture
def project(tmp_path: Path) -> Project:
    root = tmp_path / "proj"
    root.mkdir()
    return Project.at(root)


def batch_of(payload) -> QuestionBatch:
    return normalize_question_input(payload)


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def bridge_files(project: Project) -> list[str]:
    folder = bridge.bridge_dir(project)
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


class Alive:
    """A renderer that is fine until told otherwise."""

    where = "test UI"

    def __init__(self) -> None:
        self.dead = False
        self.closed = False

    def problem(self) -> str | None:
        return "the test UI died" if self.dead else None

    def close(self) -> None:
        self.closed = True


# ------------------------------------------------------------------------------ ids


def test_request_ids_are_uuid7_and_sort_by_time() -> None:
    first = bridge.new_request_id()
    time.sleep(0.003)
    second = bridge.new_request_id()
    assert bridge.is_request_id(first) and bridge.is_request_id(second)
    assert first[14] == "7" and sorted([second, first]) == [first, second]
    assert bridge.question_id(first) == f"question-{first}"


@pytest.mark.parametrize("name", ["../x", "abc", "0000-x", "", "a/b"])
def test_foreign_names_are_not_request_ids(name: str, project: Project) -> None:
    assert not bridge.is_request_id(name)
    with pytest.raises(ValueError):
        bridge.request_path(project, name)


# ------------------------------------------------------------------------------ payloads


def test_payload_limit_is_checked_before_parsing() -> None:
    big = json.dumps({"question": "x" * (300 * 1024)})
    with pytest.raises(SpecuiError, match="larger than 256 KiB"):
        asker.read_payload(big)
    with pytest.raises(SpecuiError, match="larger than 256 KiB"):
        asker.read_payload("-", io.BytesIO(big.encode()))


def test_stdin_is_not_read_past_the_limit() -> None:
    stream = io.BytesIO(b"x" * (10 * 1024 * 1024))
    with pytest.raises(SpecuiError):
        asker.read_payload("-", stream)
    assert stream.tell() == asker.PAYLOAD_LIMIT + 1


def test_empty_input_is_refused_as_omx_words_it() -> None:
    with pytest.raises(SpecuiError, match="^Missing JSON value after --input$"):
        asker.read_payload("")
    with pytest.raises(SpecuiError, match="standard input held no question payload"):
        asker.read_payload("-", io.BytesIO(b" \n"))


def test_stdin_payload_and_session_override() -> None:
    text = asker.read_payload("-", io.BytesIO(json.dumps(SINGLE).encode()))
    assert asker.parse_payload(text, "s-9").session_id == "s-9"
    assert asker.parse_payload(json.dumps({**SINGLE, "session_id": "own"}), "s-9").session_id == "own"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "--input must be valid JSON"),
        ("  ", "--input must be valid JSON"),
        ("{not json", "--input must be valid JSON"),
        ("[" * 100_000, "nested deeper than 64"),
        ('{"a":' * 5000 + "1" + "}" * 5000, "nested deeper than 64"),
        ("[1,2]", "question input must be a JSON object"),
        ('{"question": "x", "n": NaN}', "--input must be valid JSON: NaN is not JSON"),
    ],
)
def test_bad_payloads_are_one_line_errors(text: str, fragment: str) -> None:
    with pytest.raises(SpecuiError) as err:
        asker.parse_payload(text)
    assert fragment in str(err.value) and "\n" not in str(err.value)


# ------------------------------------------------------------------------------ hardening


def test_bridge_folder_is_0700_and_files_0600(project: Project) -> None:
    request = bridge.post_request(project, batch_of(SINGLE))
    folder = bridge.bridge_dir(project)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(bridge.request_path(project, request.id).stat().st_mode) == 0o600
    bridge.write_answer(project, request.id, [build_answer(request.batch.first, [0], None)])
    assert stat.S_IMODE(bridge.answer_path(project, request.id).stat().st_mode) == 0o600
    bridge.write_workbench_pid(project)
    assert stat.S_IMODE(bridge.pid_path(project).stat().st_mode) == 0o600


def test_a_wide_bridge_folder_is_narrowed_and_a_symlink_refused(project: Project, tmp_path) -> None:
    folder = bridge.bridge_dir(project)
    folder.mkdir(parents=True)
    os.chmod(folder, 0o777)
    bridge.ensure_bridge_dir(project)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    folder.rmdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    folder.symlink_to(elsewhere)
    with pytest.raises(SpecuiError, match="not a directory"):
        bridge.ensure_bridge_dir(project)


def test_a_fifo_in_the_bridge_folder_is_never_opened(project: Project) -> None:
    bridge.ensure_bridge_dir(project)
    rid = bridge.new_request_id()
    os.mkfifo(bridge.request_path(project, rid))
    os.mkfifo(bridge.answer_path(project, bridge.new_request_id()))
    done = threading.Event()
    result: list = []

    def scan() -> None:
        result.append(bridge.pending_requests(project))
        result.append(bridge.read_request(project, rid))
        done.set()

    threading.Thread(target=scan, daemon=True).start()
    assert done.wait(5), "a FIFO wedged the bridge"
    assert result == [[], None]
    assert bridge_files(project) == []  # not ours: removed


def test_a_fifo_as_workbench_pid_does_not_block_the_asker(project: Project) -> None:
    project.state_dir.mkdir()
    os.mkfifo(bridge.pid_path(project))
    done = threading.Event()
    threading.Thread(
        target=lambda: (bridge.running_workbench(project), done.set()), daemon=True
    ).start()
    assert done.wait(5), "a FIFO in place of workbench.pid blocked the asker"
    assert bridge.running_workbench(project) is None


def test_a_symlinked_response_is_not_followed(project: Project, tmp_path) -> None:
    request = bridge.post_request(project, batch_of(SINGLE))
    secret = tmp_path / "secret.json"
    secret.write_text(json.dumps({"answers": []}))
    bridge.answer_path(project, request.id).symlink_to(secret)
    with pytest.raises(bridge.QuestionFailed) as err:
        bridge.read_response(project, request)
    assert err.value.code == bridge.UI_FAILED and "symlink" in str(err.value)


def test_workbench_pid_is_checked_with_its_start_time(project: Project) -> None:
    assert bridge.running_workbench(project) is None
    bridge.write_workbench_pid(project)
    stamp = bridge.running_workbench(project)
    assert stamp is not None and stamp.pid == os.getpid() and stamp.start_time is not None
    # An unrelated live process (our parent) with a made-up start time is not a workbench.
    boot = stamp.boot_id
    bridge.pid_path(project).write_text(f"{os.getppid()}\n12345 {boot}\n")
    assert bridge.running_workbench(project) is None
    # A bare pid cannot be verified where /proc keeps start times.
    bridge.pid_path(project).write_text(f"{os.getppid()}\n")
    assert bridge.running_workbench(project) is None
    bridge.pid_path(project).write_text(f"{dead_pid()}\n")
    assert bridge.running_workbench(project) is None
    bridge.pid_path(project).write_text("garbage")
    assert bridge.running_workbench(project) is None


def test_remove_workbench_pid_only_removes_ours(project: Project) -> None:
    bridge.write_workbench_pid(project)
    bridge.remove_workbench_pid(project)
    assert not bridge.pid_path(project).exists()
    bridge.pid_path(project).write_text(f"{os.getppid()}\n")
    bridge.remove_workbench_pid(project)
    assert bridge.pid_path(project).exists()


def test_scanning_is_the_workbench_heartbeat(project: Project) -> None:
    bridge.write_workbench_pid(project)
    old = time.time() - 60
    os.utime(bridge.pid_path(project), (old, old))
    assert bridge.heartbeat_age(project) > 50
    bridge.pending_requests(project)
    assert bridge.heartbeat_age(project) < 5


# ------------------------------------------------------------------------------ protocol


def test_request_holds_the_batch_who_asks_and_the_target(project: Project) -> None:
    batch = batch_of({"questions": [SINGLE, MULTI], "session_id": "s"})
    request = bridge.post_request(project, batch, timeout=30, target="standalone")
    back = bridge.read_request(project, request.id)
    assert back is not None and back.batch == batch and back.target == "standalone"
    assert back.asker.pid == os.getpid() and back.timeout == 30
    assert bridge.pending_requests(project) == []  # not for the workbench
    assert [r.id for r in bridge.pending_requests(project, "standalone")] == [request.id]


def test_answers_are_written_once_and_validated_on_read(project: Project) -> None:
    request = bridge.post_request(project, batch_of({"questions": [SINGLE, MULTI]}))
    first, second = request.batch.questions
    answers = [build_answer(first, [2], None), build_answer(second, [], "typed")]
    assert bridge.write_answer(project, request.id, answers)
    assert not bridge.write_answer(project, request.id, answers)
    assert not bridge.write_cancel(project, request.id)
    entries = bridge.read_response(project, request)
    assert [e.question_id for e in entries] == ["q-1", "q-2"]
    assert entries[1].answer.other_text == "typed"


def test_an_answer_that_does_not_fit_is_a_ui_failure(project: Project) -> None:
    request = bridge.post_request(project, batch_of(SINGLE))
    bad = {"id": request.id, "answers": [{"question_id": "q-1", "answer": {
        "kind": "option", "value": "nope", "selected_labels": ["x"], "selected_values": ["nope"]}}]}
    bridge.answer_path(project, request.id).write_text(json.dumps(bad))
    with pytest.raises(bridge.QuestionFailed) as err:
        bridge.read_response(project, request)
    assert err.value.code == bridge.UI_FAILED and "option schema" in str(err.value)


def test_cancel_codes(project: Project) -> None:
    request = bridge.post_request(project, batch_of(SINGLE))
    assert bridge.write_cancel(project, request.id)
    with pytest.raises(bridge.QuestionFailed) as err:
        bridge.read_response(project, request)
    assert err.value.code == bridge.NOT_ANSWERED


def test_no_response_for_a_withdrawn_request(project: Project) -> None:
    request = bridge.post_request(project, batch_of(SINGLE))
    bridge.withdraw(project, request.id)
    assert not bridge.write_answer(project, request.id, [build_answer(request.batch.first, [0], None)])
    assert not bridge.write_cancel(project, request.id)
    assert bridge_files(project) == []


def test_supersede_cancels_pending_requests_of_the_same_session(project: Project) -> None:
    old = bridge.post_request(project, batch_of({**SINGLE, "session_id": "s1"}))
    other = bridge.post_request(project, batch_of({**SINGLE, "session_id": "s2"}))
    new = bridge.post_request(project, batch_of({**SINGLE, "session_id": "s1"}), target="standalone")
    assert bridge.supersede(project, "s1", keep=new.id) == [old.id]
    with pytest.raises(bridge.QuestionFailed) as err:
        bridge.read_response(project, old)
    assert err.value.code == bridge.SUPERSEDED
    assert bridge.read_response(project, other) is None


def test_stale_requests_are_cleaned(project: Project) -> None:
    gone = bridge.post_request(project, batch_of(SINGLE))
    data = json.loads(bridge.request_path(project, gone.id).read_text())
    data["asker"] = {"pid": dead_pid()}
    bridge.request_path(project, gone.id).write_text(json.dumps(data))
    late = bridge.post_request(project, batch_of(SINGLE), timeout=1)
    data = json.loads(bridge.request_path(project, late.id).read_text())
    data["created_at"] = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    bridge.request_path(project, late.id).write_text(json.dumps(data))
    live = bridge.post_request(project, batch_of(SINGLE))
    assert [r.id for r in bridge.pending_requests(project)] == [live.id]
    assert bridge_files(project) == [f"{live.id}.request.json"]


def test_leftovers_are_removed_after_a_while(project: Project) -> None:
    bridge.ensure_bridge_dir(project)
    folder = bridge.bridge_dir(project)
    old = time.time() - bridge.ORPHAN_SECONDS - 5
    crashed = folder / f".{bridge.new_request_id()}.request.json.123.abcd.tmp"
    orphan = bridge.answer_path(project, bridge.new_request_id())
    fresh = folder / f".{bridge.new_request_id()}.answer.json.9.ffff.tmp"
    for path in (crashed, orphan, fresh):
        path.write_text("{}")
    for path in (crashed, orphan):
        os.utime(path, (old, old))
    bridge.pending_requests(project)
    assert bridge_files(project) == [fresh.name]


def test_an_invalid_request_is_cancelled_not_shown(project: Project) -> None:
    bridge.ensure_bridge_dir(project)
    rid = bridge.new_request_id()
    bridge.request_path(project, rid).write_text("{broken")
    assert bridge.pending_requests(project) == []
    assert bridge.cancel_path(project, rid).exists()


# ------------------------------------------------------------------------------ waiting


def test_wait_returns_the_answer_written_meanwhile(project: Project) -> None:
    request = bridge.post_request(project, batch_of(SINGLE))

    def answer() -> None:
        time.sleep(0.2)
        bridge.write_answer(project, request.id, [build_answer(request.batch.first, [1], None)])

    threading.Thread(target=answer).start()
    entries = asker.wait_for_answers(project, request, Alive(), timeout=5, poll=0.02)
    assert entries[0].answer.value == "autopilot"


def test_wait_times_out_as_not_answered(project: Project) -> None:
    request = bridge.post_request(project, batch_of(SINGLE))
    start = time.monotonic()
    with pytest.raises(bridge.QuestionFailed) as err:
        asker.wait_for_answers(project, request, Alive(), timeout=0.3, poll=0.02)
    assert err.value.code == bridge.NOT_ANSWERED and "0.3s" in str(err.value)
    assert time.monotonic() - start < 2


def test_a_dying_ui_fails_the_question_within_a_second(project: Project) -> None:
    request = bridge.post_request(project, batch_of(SINGLE))
    ui = Alive()
    threading.Timer(0.2, lambda: setattr(ui, "dead", True)).start()
    start = time.monotonic()
    with pytest.raises(bridge.QuestionFailed) as err:
        asker.wait_for_answers(project, request, ui, poll=0.02, check=0.1)
    assert err.value.code == bridge.UI_FAILED
    assert time.monotonic() - start < 1.0


def test_a_workbench_renderer_sees_death_and_a_stale_heartbeat(project: Project) -> None:
    bridge.write_workbench_pid(project)
    stamp = bridge.running_workbench(project)
    ui = asker.WorkbenchRenderer(project, stamp)
    assert ui.problem() is None
    old = time.time() - 60
    os.utime(bridge.pid_path(project), (old, old))
    assert "stopped responding" in ui.problem()
    dead = asker.WorkbenchRenderer(project, bridge.ProcessStamp.of(dead_pid()))
    assert "exited" in dead.problem()


def test_ask_without_any_ui_fails_at_once_and_cleans_up(project: Project, monkeypatch) -> None:
    monkeypatch.setattr(asker, "open_terminal", lambda project, request: None)
    start = time.monotonic()
    with pytest.raises(bridge.QuestionFailed) as err:
        asker.ask(project, batch_of(SINGLE), notice=print, env={})
    assert err.value.code == bridge.RUNTIME_FAILED and "nobody to ask" in str(err.value)
    assert time.monotonic() - start < 2 and bridge_files(project) == []


def test_ask_uses_the_workbench_and_cleans_up(project: Project) -> None:
    bridge.write_workbench_pid(project)

    def answer_when_posted() -> None:
        for _ in range(100):
            pending = bridge.pending_requests(project)
            if pending:
                req = pending[0]
                bridge.write_answer(project, req.id, [build_answer(req.batch.first, [0], None)])
                return
            time.sleep(0.02)

    threading.Thread(target=answer_when_posted).start()
    request, entries = asker.ask(project, batch_of(SINGLE), timeout=5, notice=print, env={})
    assert request.target == "workbench" and entries[0].answer.value == "ralplan"
    assert bridge_files(project) == []


def test_question_height_fits_every_step() -> None:
    small = question_height(batch_of(SINGLE), 120)
    long = question_height(batch_of({**SINGLE, "question": "word " * 200}), 60)
    batch = question_height(batch_of({"questions": [SINGLE] * 6}), 120)
    assert 10 < small < long and batch >= 6 * 2


# ------------------------------------------------------------------------------ the command


def run_cli(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_invalid_payload_exits_2_with_json_and_one_line(project: Project, capsys) -> None:
    code, out, err = run_cli(
        ["question", "--json", "--input", '{"question": "x", "type": "maybe"}', str(project.root)],
        capsys,
    )
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert json.loads(out) == {
        "ok": False,
        "error": {
            "code": "question_invalid_input",
            "message": "type must be one of: single-answerable, multi-answerable",
        },
    }


def test_cli_missing_dir_is_a_json_failure_too(tmp_path, capsys) -> None:
    """trial6 K14: the --json envelope for a DIR that does not exist (stdout was empty)."""
    missing = tmp_path / "nope"
    code, out, err = run_cli(
        ["question", "--json", "--input", '{"question": "x", "options": []}', str(missing)],
        capsys,
    )
    assert code == 2 and err.strip() == f"specui: error: {missing} does not exist"
    assert json.loads(out) == {
        "ok": False,
        "error": {"code": "question_invalid_input", "message": f"{missing} does not exist"},
    }


def test_cli_deep_json_exits_2_with_one_line(project: Project, capsys, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"[" * 100_000)))
    code, out, err = run_cli(["question", "--input", "-", str(project.root)], capsys)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1


def test_cli_failure_json_and_exit_1(project: Project, capsys, monkeypatch) -> None:
    monkeypatch.setattr(asker, "open_terminal", lambda project, request: None)
    monkeypatch.delenv("TMUX", raising=False)
    code, out, err = run_cli(
        ["question", "--json", "--input", json.dumps({**SINGLE, "session_id": "s"}), str(project.root)],
        capsys,
    )
    data = json.loads(out)
    assert code == 1 and data["ok"] is False and data["session_id"] == "s"
    assert data["question_id"].startswith("question-")
    assert data["error"]["code"] == "question_runtime_failed"
    assert len(err.strip().splitlines()) == 1


def test_cli_interrupt_is_exit_1(project: Project, capsys, monkeypatch) -> None:
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(asker, "ask", interrupted)
    code, out, _ = run_cli(["question", "--json", "--input", json.dumps(SINGLE), str(project.root)], capsys)
    assert code == 1 and json.loads(out)["error"]["code"] == "question_not_answered"


def test_cli_prints_the_compact_envelope(project: Project, capsys, monkeypatch) -> None:
    batch = batch_of(MULTI)

    def answered(project, batch, **kwargs):
        request = bridge.post_request(project, batch)
        from specui.core.questions import answer_entries

        return request, answer_entries(batch, [build_answer(batch.first, [0], "more")])

    monkeypatch.setattr(asker, "ask", answered)
    code, out, _ = run_cli(["question", "--json", "--input", json.dumps(MULTI), str(project.root)], capsys)
    assert code == 0 and out.count("\n") == 1 and ", " not in out.split('"question"')[0]
    data = json.loads(out)
    assert data["ok"] is True and data["questions"][0] == batch.first.omx()
    assert data["answers"][0]["answer"] == data["answer"]
    code, out, _ = run_cli(["question", "--input", json.dumps(MULTI), str(project.root)], capsys)
    assert code == 0 and out == "No UI redesign; more\n"


@pytest.mark.parametrize(
    "argv",
    [
        ["question"],
        ["question", "--input", "{}", "--timeout", "0"],
        ["question", "--ui", "../../etc"],
        ["skill"],
        ["skill", "remove"],
    ],
)
def test_cli_bad_usage_exits_2(argv: list[str], capsys) -> None:
    code, _, err = run_cli(argv, capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1


# ------------------------------------------------------------------------------ skills


def test_skill_install_writes_both_and_never_overwrites_a_changed_one(project: Project, capsys) -> None:
    code, out, _ = run_cli(["skill", "install", str(project.root)], capsys)
    codex = project.root / ".agents/skills/specui-question/SKILL.md"
    claude = project.root / ".claude/skills/specui-question/SKILL.md"
    assert code == 0 and out.count("created") == 2
    for path in (codex, claude):
        text = path.read_text()
        assert text.startswith("---\nname: specui-question\n")
        assert "specui question" in text and "answers[0].answer" in text and "{{" not in text
    assert "Bash tool" in claude.read_text() and "Bash tool" not in codex.read_text()
    code, out, _ = run_cli(["skill", "install", str(project.root)], capsys)
    assert out.count("up to date") == 2
    codex.write_text(codex.read_text() + "\nmy own rule\n")
    claude.write_text("an older specui template\n")
    record = json.loads((project.state_dir / "skills.json").read_text())
    record[".claude/skills/specui-question/SKILL.md"] = skills._digest("an older specui template\n")
    (project.state_dir / "skills.json").write_text(json.dumps(record))
    code, out, _ = run_cli(["skill", "install", str(project.root)], capsys)
    assert "kept .agents/skills/specui-question/SKILL.md" in out
    assert "updated .claude/skills/specui-question/SKILL.md" in out
    assert codex.read_text().endswith("my own rule\n")
    assert claude.read_text() == skills.template("claude")


def test_a_skill_specui_never_wrote_is_kept(project: Project) -> None:
    path = project.root / ".claude/skills/specui-question/SKILL.md"
    path.parent.mkdir(parents=True)
    path.write_text("the user's own skill\n")
    lines = skills.install_skills(project)
    assert any(line.startswith("kept .claude") for line in lines)
    assert path.read_text() == "the user's own skill\n"


# ------------------------------------------------------------------------------ sandboxes

OTHER_NS = "pid:[1]"  # no real process of this test lives in it


def test_from_another_pid_namespace_the_workbench_is_its_heartbeat(project: Project) -> None:
    """Codex runs commands in a PID namespace of its own: the workbench's pid means nothing
    there, so its process heartbeat (workbench.alive's mtime) decides."""
    bridge.write_workbench_pid(project)
    boot = bridge.read_workbench_pid(project).boot_id
    bridge.pid_path(project).write_text(f"2\n5 {boot} {OTHER_NS}\n")  # not us: the beat stops
    time.sleep(3 * bridge.ALIVE_BEAT_SECONDS)
    os.utime(bridge.alive_path(project))
    stamp = bridge.running_workbench(project)
    assert stamp is not None and not stamp.visible()
    ui = asker.WorkbenchRenderer(project, stamp)
    assert ui.problem() is None
    old = time.time() - (bridge.ALIVE_SILENT_SECONDS + 0.5)
    os.utime(bridge.alive_path(project), (old, old))
    assert bridge.running_workbench(project) is None
    assert "exited" in ui.problem()


def test_the_workbench_process_beats_until_it_removes_its_pid(project: Project) -> None:
    bridge.write_workbench_pid(project)
    old = time.time() - 60
    os.utime(bridge.alive_path(project), (old, old))
    time.sleep(4 * bridge.ALIVE_BEAT_SECONDS)
    assert bridge.alive_age(project) < 1
    assert stat.S_IMODE(bridge.alive_path(project).stat().st_mode) == 0o600
    bridge.remove_workbench_pid(project)
    assert bridge.alive_age(project) is None and not bridge.pid_path(project).exists()


def test_a_sandboxed_askers_request_lives_by_its_heartbeat(project: Project) -> None:
    request = bridge.post_request(project, batch_of(SINGLE))
    path = bridge.request_path(project, request.id)
    data = json.loads(path.read_text())
    data["asker"] = {"pid": 2, "start_time": 5, "boot_id": "x", "pid_ns": OTHER_NS}
    path.write_text(json.dumps(data))
    assert [r.id for r in bridge.pending_requests(project)] == [request.id]
    old = time.time() - (bridge.ASKER_SILENT_SECONDS + 1)
    os.utime(path, (old, old))
    assert bridge.pending_requests(project) == [] and bridge_files(project) == []


def test_waiting_is_the_askers_heartbeat(project: Project) -> None:
    request = bridge.post_request(project, batch_of(SINGLE))
    path = bridge.request_path(project, request.id)
    old = time.time() - 60
    os.utime(path, (old, old))
    with pytest.raises(bridge.QuestionFailed):
        asker.wait_for_answers(project, request, Alive(), timeout=0.3, poll=0.02, check=0.05)
    assert time.time() - path.stat().st_mtime < 5
