"""codex exec --json events render as readable rows; unknown and non-JSON lines degrade to raw."""

from __future__ import annotations

import json

import pytest

from specui.core.codex_events import (
    is_json_command,
    is_turn_failed,
    parse_event,
    render_event,
)


def line(obj: dict) -> str:
    return json.dumps(obj) + "\n"


def test_thread_and_turn_started() -> None:
    row = render_event(line({"type": "thread.started", "thread_id": "th_1"}))
    assert row is not None and row.kind == "thread" and "th_1" in row.text
    row = render_event(line({"type": "turn.started"}))
    assert row is not None and row.kind == "turn"


def test_turn_completed_shows_usage() -> None:
    usage = {"input_tokens": 1200, "cached_input_tokens": 300, "output_tokens": 45}
    row = render_event(line({"type": "turn.completed", "usage": usage}))
    assert row is not None and row.kind == "usage"
    assert "1200" in row.text and "300" in row.text and "45" in row.text
    assert not row.failed


def test_turn_failed_marks_failure() -> None:
    raw = line({"type": "turn.failed", "error": {"message": "stream disconnected"}})
    row = render_event(raw)
    assert row is not None and row.failed and "stream disconnected" in row.text
    assert is_turn_failed(raw)
    assert not is_turn_failed(line({"type": "turn.completed", "usage": {}}))
    assert not is_turn_failed("the word turn.failed in prose\n")


def test_error_event() -> None:
    row = render_event(line({"type": "error", "message": "Reconnecting... 2/5"}))
    assert row is not None and row.kind == "error" and "Reconnecting... 2/5" in row.text
    assert not row.failed


def test_agent_message_shown_once_when_completed() -> None:
    item = {"id": "item_1", "type": "agent_message", "text": "All done [bold]x[/]"}
    assert render_event(line({"type": "item.started", "item": item})) is None
    row = render_event(line({"type": "item.completed", "item": item}))
    assert row is not None and row.kind == "message" and row.text == "All done [bold]x[/]"


def test_reasoning() -> None:
    item = {"id": "item_0", "type": "reasoning", "text": "**Thinking** about it"}
    row = render_event(line({"type": "item.completed", "item": item}))
    assert row is not None and row.kind == "reasoning" and "Thinking" in row.text


def test_command_execution_start_and_exit_codes() -> None:
    started = {"id": "i", "type": "command_execution", "command": "bash -lc ls",
               "aggregated_output": "", "exit_code": None, "status": "in_progress"}
    row = render_event(line({"type": "item.started", "item": started}))
    assert row is not None and row.kind == "command" and row.text == "$ bash -lc ls"
    done = dict(started, aggregated_output="a\nb\n", exit_code=0, status="completed")
    row = render_event(line({"type": "item.completed", "item": done}))
    assert row is not None and "[exit 0]" in row.text and row.style == "green"
    assert row.text.splitlines()[1:] == ["  a", "  b"]
    failed = dict(started, aggregated_output="boom", exit_code=2, status="failed")
    row = render_event(line({"type": "item.completed", "item": failed}))
    assert row is not None and "[exit 2]" in row.text and row.style == "red"


def test_command_output_is_truncated_and_sanitized() -> None:
    output = "\n".join(f"l{i}\x1b[2J" for i in range(40))
    item = {"id": "i", "type": "command_execution", "command": "x", "aggregated_output": output,
            "exit_code": 0, "status": "completed"}
    row = render_event(line({"type": "item.completed", "item": item}))
    assert row is not None and "\x1b[2J" not in row.text
    assert "28 more lines" in row.text


def test_file_change_todo_tool_search_error_items() -> None:
    fc = {"id": "f", "type": "file_change", "status": "completed",
          "changes": [{"path": "src/a.py", "kind": "update"}, {"path": "b.md", "kind": "add"}]}
    row = render_event(line({"type": "item.completed", "item": fc}))
    assert row is not None and row.kind == "file_change"
    assert "update src/a.py" in row.text and "add b.md" in row.text
    todo = {"id": "t", "type": "todo_list",
            "items": [{"text": "one", "completed": True}, {"text": "two", "completed": False}]}
    row = render_event(line({"type": "item.updated", "item": todo}))
    assert row is not None and row.kind == "todo"
    assert row.text.splitlines() == ["todo 1/2", "  [x] one", "  [ ] two"]
    mcp = {"id": "m", "type": "mcp_tool_call", "server": "fs", "tool": "read",
           "arguments": {}, "result": None, "error": {"message": "nope"}, "status": "failed"}
    row = render_event(line({"type": "item.completed", "item": mcp}))
    assert row is not None and row.kind == "tool" and "fs.read" in row.text and "nope" in row.text
    ws = {"id": "w", "type": "web_search", "query": "textual log widget", "action": {}}
    row = render_event(line({"type": "item.completed", "item": ws}))
    assert row is not None and row.kind == "search" and "textual log widget" in row.text
    err = {"id": "e", "type": "error", "message": "model fell back"}
    row = render_event(line({"type": "item.completed", "item": err}))
    assert row is not None and row.kind == "warning" and "model fell back" in row.text


def test_unknown_event_and_plain_lines_are_raw() -> None:
    row = render_event(line({"type": "something.new", "x": 1}))
    assert row is not None and row.kind == "raw" and "something.new" in row.text
    row = render_event("Reading prompt from stdin...\n")
    assert row is not None and row.kind == "raw" and row.text == "Reading prompt from stdin..."
    assert render_event("\n") is None
    assert parse_event("not json") is None
    assert parse_event('{"type": 3}') is None
    assert parse_event("[1, 2]") is None


def test_bad_field_types_do_not_crash() -> None:
    row = render_event(line({"type": "turn.completed", "usage": "lots"}))
    assert row is not None  # degrades, never raises


def test_escapes_in_messages_are_stripped() -> None:
    item = {"id": "x", "type": "agent_message", "text": "hi\x1b]52;c;Zm9v\x07\x1b[2J there"}
    row = render_event(line({"type": "item.completed", "item": item}))
    assert row is not None and row.text == "hi there"


def test_is_json_command() -> None:
    assert is_json_command(["codex", "exec", "--json", "-"])
    assert not is_json_command(["codex", "exec", "-"])


# --- progress vs. noise (stall detection) ---------------------------------------------------

from specui.core.codex_events import is_progress_line


@pytest.mark.parametrize(
    "line",
    [b"ERROR: Reconnecting... waiting for network",
     b"\x1b[31mERROR\x1b[0m: stream error",
     b"stream disconnected - retrying sampling request (1/5 in 200ms)...",
     b'{"type":"error","message":"Reconnecting... waiting for network (Connection failed)"}',
     b'{"type":"turn.failed","error":{"message":"boom"}}',
     b'{"type":"item.completed","item":{"id":"item_0","type":"error","message":"x"}}',
     b"", b"   \r"],
)
def test_not_progress(line: bytes) -> None:
    assert not is_progress_line(line)


@pytest.mark.parametrize(
    "line",
    [b"codex", b"Hello from the fake model", b"exec bash -lc 'pytest -q'",
     b'{"type":"item.completed","item":{"id":"i","type":"agent_message","text":"retrying"}}',
     b'{"type":"item.started","item":{"id":"i","type":"command_execution","command":"ls"}}'],
)
def test_progress(line: bytes) -> None:
    assert is_progress_line(line)
