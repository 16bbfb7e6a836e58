"""`codex exec --json` JSONL events -> readable rows.

With `--json`, Codex prints one JSON object per line on stdout (shapes from codex-rs
`exec/src/exec_events.rs`, checked against the real binary in tests/integration):

    {"type":"thread.started","thread_id":"..."}
    {"type":"turn.started"}
    {"type":"item.started"|"item.updated"|"item.completed","item":{"id":"item_0","type":...}}
    {"type":"turn.completed","usage":{"input_tokens":..,"cached_input_tokens":..,"output_tokens":..}}
    {"type":"turn.failed","error":{"message":"..."}}
    {"type":"error","message":"..."}

Item types: agent_message(text), reasoning(text), command_execution(command, aggregated_output,
exit_code, status), file_change(changes[{path, kind}], status), mcp_tool_call(server, tool,
status, error), web_search(query), todo_list(items[{text, completed}]), error(message), plan(text).

The log keeps the raw lines; these rows are only for people. Models are lenient (extra fields
allowed, most fields optional) because the format grows between Codex releases and a new field
must never turn a readable row into a crash. All text is passed through `ansi.sanitize`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from specui.core.ansi import sanitize, strip_ansi
from specui.core.loader import LoadError, load_json_text

__all__ = [
    "CodexEvent",
    "CodexItem",
    "RenderedRow",
    "Usage",
    "is_json_command",
    "is_progress_line",
    "is_turn_failed",
    "parse_event",
    "reconnect_detail",
    "render_event",
]

RowKind = Literal[
    "thread", "turn", "usage", "message", "reasoning", "command", "file_change", "todo",
    "tool", "search", "plan", "warning", "error", "failed", "raw",
]

# Output lines of a finished command shown under it; the full output stays in the log.
MAX_COMMAND_OUTPUT_LINES = 12


@dataclass(frozen=True, slots=True)
class RenderedRow:
    """One readable row for the runner pane.

    kind: what the row is (see RowKind). text: sanitized, may span several lines (SGR colours
    kept only for "raw"). style: a Rich style hint ("dim", "bold", "red", "green", ...), never
    markup to parse. failed: this event means the phase failed (turn.failed).
    """

    kind: str
    text: str
    style: str = ""
    failed: bool = False


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="allow")


class Usage(_Lenient):
    input_tokens: int = 0
    cached_input_tokens: int = 0
    output_tokens: int = 0


class ErrorInfo(_Lenient):
    message: str = ""


class FileUpdateChange(_Lenient):
    path: str = ""
    kind: str = "update"


class TodoItem(_Lenient):
    text: str = ""
    completed: bool = False


class CodexItem(_Lenient):
    """A thread item; only the fields of its own type are filled."""

    id: str = ""
    type: str = ""
    text: str | None = None                     # agent_message, reasoning, plan
    command: str | None = None                  # command_execution
    aggregated_output: str | None = None
    exit_code: int | None = None
    status: str | None = None                   # command_execution, file_change, mcp_tool_call
    changes: list[FileUpdateChange] | None = None   # file_change
    items: list[TodoItem] | None = None         # todo_list
    server: str | None = None                   # mcp_tool_call
    tool: str | None = None
    error: ErrorInfo | None = None
    query: str | None = None                    # web_search
    message: str | None = None                  # error item


class CodexEvent(_Lenient):
    type: str
    thread_id: str | None = None
    usage: Usage | None = None
    error: ErrorInfo | None = None
    item: CodexItem | None = None
    message: str | None = None


def is_json_command(argv: list[str] | tuple[str, ...]) -> bool:
    """True when the runner command asks Codex for JSONL events."""
    return "--json" in argv or "--experimental-json" in argv


def parse_event(line: str) -> CodexEvent | None:
    """The event on this line, or None when the line is not a Codex JSONL event."""
    stripped = line.strip()
    if not stripped.startswith("{") or '"type"' not in stripped:
        return None
    try:  # core.loader: an agent's 100,000-deep line is not an event, not a RecursionError
        data: Any = load_json_text(stripped, what="event")
    except LoadError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        return None
    try:
        return CodexEvent.model_validate(data)
    except ValidationError:
        return CodexEvent(type=data["type"])


# Codex's own notices that it is waiting, not working: "ERROR: Reconnecting... waiting for
# network", "stream disconnected - retrying sampling request (2/5 in 1.6s)...", rate limits.
_RETRY_NOTICE = re.compile(
    rb"^(?:(?:ERROR|WARN(?:ING)?|error|warning):\s*)?"
    rb"(?:re-?connecting|stream disconnected|retrying|waiting for network|rate.?limit)",
    re.IGNORECASE,
)
_ERROR_ROW = re.compile(rb"^(?:\x1b\[[0-9;]*m)*ERROR\b")
_NOISE_EVENT = re.compile(rb'^\{"type":\s*"(?:error|turn\.failed)"')
_ERROR_ITEM = re.compile(rb'^\{"type":\s*"item\.[a-z]+",\s*"item":\s*\{[^{}]*"type":\s*"error"')


def is_progress_line(line: bytes) -> bool:
    """Does this output line show the agent working? Retry and reconnect notices, error rows
    (plain `ERROR: ...`, `--json` `error` / `turn.failed` events and error items) and empty
    keep-alives do not; agent messages, commands, file changes and any other output do. A run
    is stalled when nothing but the first kind arrived for `stall_minutes` — counting them as
    output made an unreachable provider look alive forever. JSON events are judged by their
    type only, so an agent message that mentions "retrying" is still progress."""
    stripped = line.strip()
    if not stripped:
        return False
    if stripped[:1] == b"{":
        return not (_NOISE_EVENT.match(stripped) or _ERROR_ITEM.match(stripped))
    return not (_RETRY_NOTICE.match(stripped) or _ERROR_ROW.match(stripped))


def reconnect_detail(message: str) -> str | None:
    """What a Codex reconnect notice says went wrong, None for any other message:
    "Reconnecting... waiting for network (Connection failed: error sending request)" ->
    "Connection failed: error sending request" (the whole notice when it names no cause).
    Codex (0.169-0.171) prints these for as long as it runs against a provider it cannot
    connect to, whatever `request_max_retries` says."""
    text = " ".join(strip_ansi(message).split())
    text = re.sub(r"^(?:ERROR|error):\s*", "", text)
    if not text.lower().startswith("reconnecting"):
        return None
    _, paren, rest = text.partition("(")
    if paren and rest.endswith(")") and rest[:-1].strip():
        return rest[:-1].strip()
    return text


def is_turn_failed(line: str) -> bool:
    """Cheap check used by the supervisor on every line: is this a `turn.failed` event?"""
    if "turn.failed" not in line:
        return False
    event = parse_event(line)
    return event is not None and event.type == "turn.failed"


def _clean(text: str | None) -> str:
    return sanitize(text or "").strip("\n")


def _command_row(item: CodexItem, completed: bool) -> RenderedRow:
    command = _clean(item.command)
    if not completed:
        return RenderedRow("command", f"$ {command}", "cyan")
    code = item.exit_code
    status = item.status or ""
    if status == "declined":
        return RenderedRow("command", f"$ {command}  [declined]", "yellow")
    suffix = f"exit {code}" if code is not None else (status or "done")
    ok = code == 0 if code is not None else status == "completed"
    lines = [f"$ {command}  [{suffix}]"]
    output = _clean(item.aggregated_output)
    if output:
        out_lines = output.split("\n")
        shown = out_lines[:MAX_COMMAND_OUTPUT_LINES]
        lines.extend("  " + line for line in shown)
        if len(out_lines) > len(shown):
            lines.append(f"  … ({len(out_lines) - len(shown)} more lines in the log)")
    return RenderedRow("command", "\n".join(lines), "green" if ok else "red")


def _todo_row(item: CodexItem) -> RenderedRow:
    todos = item.items or []
    done = sum(1 for todo in todos if todo.completed)
    lines = [f"todo {done}/{len(todos)}"]
    lines.extend(f"  [{'x' if t.completed else ' '}] {_clean(t.text)}" for t in todos)
    return RenderedRow("todo", "\n".join(lines), "magenta")


def _item_row(event_type: str, item: CodexItem) -> RenderedRow | None:
    completed = event_type == "item.completed"
    kind = item.type
    if kind == "command_execution":
        if event_type == "item.updated":
            return None
        return _command_row(item, completed)
    if kind == "todo_list":
        return _todo_row(item)
    if not completed:
        # Messages, reasoning, file changes etc. are shown once, when complete.
        return None
    if kind == "agent_message":
        return RenderedRow("message", _clean(item.text), "bold")
    if kind == "reasoning":
        return RenderedRow("reasoning", _clean(item.text), "dim italic")
    if kind == "plan":
        return RenderedRow("plan", _clean(item.text), "magenta")
    if kind == "file_change":
        changes = ", ".join(f"{c.kind} {_clean(c.path)}" for c in item.changes or [])
        failed = item.status == "failed"
        label = "file change failed" if failed else "files"
        return RenderedRow("file_change", f"{label}: {changes}", "red" if failed else "yellow")
    if kind == "mcp_tool_call":
        name = f"{_clean(item.server)}.{_clean(item.tool)}"
        if item.error is not None and item.error.message:
            return RenderedRow("tool", f"tool {name} failed: {_clean(item.error.message)}", "red")
        return RenderedRow("tool", f"tool {name} [{item.status or 'done'}]", "blue")
    if kind == "web_search":
        return RenderedRow("search", f"web search: {_clean(item.query)}", "blue")
    if kind == "error":
        return RenderedRow("warning", f"warning: {_clean(item.message)}", "yellow")
    return RenderedRow("raw", f"{kind or 'item'}: {_clean(item.text or item.message or '')}", "dim")


def render_event(line: str) -> RenderedRow | None:
    """A readable row for one output line of `codex exec --json`, or None to show nothing.

    - a known event -> its row (item.started/updated of messages etc. -> None: shown once done);
    - an event of an unknown type -> kind "raw" with the sanitized line;
    - a line that is not JSON (Codex prints some plain text on stderr) -> kind "raw".
    """
    event = parse_event(line)
    if event is None:
        text = sanitize(line.rstrip("\r\n"))
        return RenderedRow("raw", text) if text.strip() else None
    etype = event.type
    if etype == "thread.started":
        return RenderedRow("thread", f"thread {_clean(event.thread_id)} started", "dim")
    if etype == "turn.started":
        return RenderedRow("turn", "turn started", "dim")
    if etype == "turn.completed":
        usage = event.usage or Usage()
        text = (
            f"turn completed · tokens in {usage.input_tokens} "
            f"(cached {usage.cached_input_tokens}) · out {usage.output_tokens}"
        )
        return RenderedRow("usage", text, "green")
    if etype == "turn.failed":
        message = _clean(event.error.message if event.error else event.message)
        return RenderedRow("failed", f"turn failed: {message}", "bold red", failed=True)
    if etype == "error":
        message = _clean(event.message or (event.error.message if event.error else ""))
        return RenderedRow("error", f"error: {message}", "red")
    if etype in ("item.started", "item.updated", "item.completed") and event.item is not None:
        return _item_row(etype, event.item)
    return RenderedRow("raw", sanitize(line.strip()), "dim")
