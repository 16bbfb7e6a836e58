"""A fake OpenAI Responses API for driving the real Codex CLI in tests.

Answers `POST /v1/responses` with an SSE stream (response.created, response.output_item.added,
response.output_text.delta, response.output_item.done, response.completed). Behaviours:

- "ok": one assistant message (`text`), streamed in a few deltas;
- "fail": the stream reports `response.failed` (Codex emits turn.failed and exits 1);
- "hang": sends the headers and then nothing until `release` is set (a stalled model), then
  completes like "ok";
- "slow": a model that works for a while: `steps` reasoning items, one every `step_delay`
  seconds (Codex prints each as it completes, so the log grows), then completes like "ok".
  Setting `release` ends the wait early.

A queue of scripted turns (`script(...)`) takes precedence over `mode`/`text`: each request pops
the next entry, a `Reply(text=...)` (an assistant message), a `Reply(call=...)` (a function call
the real Codex executes, e.g. `exec_command` with `{"cmd": "cat README.md"}`; Codex then sends a
follow-up request with the output, answered by the next entry), a `Reply(mode="hang")`, or a
`Reply(status=401, text="...")` (an HTTP error). An empty queue falls back to `mode`/`text`.

Every request body is kept in `requests` so tests can check the prompt Codex sent.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def _sse(event: dict[str, Any]) -> bytes:
    return f"event: {event['type']}\ndata: {json.dumps(event)}\n\n".encode()


@dataclass
class Reply:
    """One scripted model turn: a message (`text`), a function call (`call`: name and
    arguments), a stalled stream (`mode="hang"`, released by `FakeResponses.release`), or an
    HTTP error (`status`, e.g. 401, with `text` as the error message)."""

    text: str = ""
    call: dict[str, Any] | None = None
    mode: str = "ok"
    call_id: str = ""
    status: int = 200


class FakeResponses:
    def __init__(self) -> None:
        self.mode = "ok"
        self.text = "Hello from the fake model"
        self.requests: list[dict[str, Any]] = []
        self.steps = 5
        self.step_delay = 1.0
        self.release = threading.Event()
        self.hanging = threading.Event()
        self.queue: deque[Reply] = deque()
        self._calls = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                try:
                    payload = json.loads(body or b"{}")
                except ValueError:
                    payload = {"raw": body.decode("utf-8", "replace")}
                with server._lock:
                    server.requests.append(payload)
                    scripted = server.queue.popleft() if server.queue else None
                if not self.path.endswith("/responses"):
                    self.send_error(404)
                    return
                if scripted is not None and scripted.status != 200:
                    error = {"error": {"message": scripted.text, "type": "invalid_request_error",
                                       "code": str(scripted.status)}}
                    data = json.dumps(error).encode()
                    self.send_response(scripted.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    self.send_header("connection", "close")
                    self.end_headers()
                    self.wfile.write(data)
                    self.close_connection = True
                    return
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("cache-control", "no-cache")
                self.send_header("connection", "close")
                self.end_headers()
                self.close_connection = True
                try:
                    if scripted is None:
                        server._stream(self.wfile)
                    else:
                        server._play(self.wfile, scripted)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_GET(self) -> None:
                self.send_error(404)

            def log_message(self, *_args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> FakeResponses:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def script(self, *replies: Reply | str) -> None:
        """Queue scripted turns (a str is a message with that text)."""
        with self._lock:
            for reply in replies:
                self.queue.append(Reply(text=reply) if isinstance(reply, str) else reply)

    def _play(self, wfile: Any, reply: Reply) -> None:
        if reply.call is None:
            self._stream(wfile, reply.mode, reply.text)
            return
        with self._lock:
            self._calls += 1
            n = self._calls
        call_id = reply.call_id or f"call_{n}"
        item = {"type": "function_call", "id": f"fc_{n}", "call_id": call_id,
                "name": reply.call["name"], "arguments": json.dumps(reply.call["arguments"]),
                "status": "completed"}
        wfile.write(_sse({"type": "response.created", "response": {"id": f"resp_call_{n}"}}))
        wfile.write(_sse({"type": "response.output_item.added", "output_index": 0,
                          "item": {**item, "arguments": "", "status": "in_progress"}}))
        wfile.write(_sse({"type": "response.output_item.done", "output_index": 0, "item": item}))
        wfile.write(_sse({
            "type": "response.completed",
            "response": {"id": f"resp_call_{n}", "usage": {
                "input_tokens": 42, "input_tokens_details": None, "output_tokens": 7,
                "output_tokens_details": None, "total_tokens": 49}},
        }))
        wfile.flush()

    def prompts(self) -> list[str]:
        """All user text Codex sent, one string per request."""
        out = []
        for request in self.requests:
            out.append(json.dumps(request.get("input", [])))
        return out

    def _stream(self, wfile: Any, mode: str | None = None, text: str | None = None) -> None:
        mode = self.mode if mode is None else mode
        text = self.text if text is None else text
        rid, mid = "resp_fake", "msg_fake"
        wfile.write(_sse({"type": "response.created", "response": {"id": rid}}))
        wfile.flush()
        if mode == "hang":
            self.hanging.set()
            self.release.wait(timeout=600)
        if mode == "slow":
            for n in range(1, self.steps + 1):
                if n > 1:
                    self.release.wait(self.step_delay)
                summary = f"Working on step {n} of {self.steps}"
                wfile.write(_sse({
                    "type": "response.output_item.added", "output_index": n - 1,
                    "item": {"type": "reasoning", "id": f"rs_{n}", "summary": []},
                }))
                wfile.write(_sse({
                    "type": "response.output_item.done", "output_index": n - 1,
                    "item": {"type": "reasoning", "id": f"rs_{n}",
                             "summary": [{"type": "summary_text", "text": summary}]},
                }))
                wfile.flush()
        if mode == "fail":
            wfile.write(_sse({
                "type": "response.failed",
                "response": {"id": rid, "error": {"code": "server_error",
                                                  "message": "the fake model broke"}},
            }))
            wfile.flush()
            return
        wfile.write(_sse({
            "type": "response.output_item.added", "output_index": 0,
            "item": {"type": "message", "role": "assistant", "id": mid, "content": []},
        }))
        pieces = [text[i : i + 8] for i in range(0, len(text), 8)] or [""]
        for piece in pieces:
            wfile.write(_sse({
                "type": "response.output_text.delta", "item_id": mid, "output_index": 0,
                "content_index": 0, "delta": piece,
            }))
            wfile.flush()
        wfile.write(_sse({
            "type": "response.output_item.done", "output_index": 0,
            "item": {"type": "message", "role": "assistant", "id": mid,
                     "content": [{"type": "output_text", "text": text}]},
        }))
        wfile.write(_sse({
            "type": "response.completed",
            "response": {"id": rid, "usage": {
                "input_tokens": 42, "input_tokens_details": None, "output_tokens": 7,
                "output_tokens_details": None, "total_tokens": 49}},
        }))
        wfile.flush()
