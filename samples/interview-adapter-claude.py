#!/usr/bin/env python3
"""specui interview adapter: Claude Code (`claude -p`) as specui's interviewer.

How to use it
-------------
1. Install Claude Code and log in once (`claude` on PATH, `claude -p "hi"` works).
2. Copy this file into your project (or point at it where it is) and set, in specui.toml:

       [interview]
       engine = "command"
       command = ["python3", "samples/interview-adapter-claude.py"]
       timeout_seconds = 300

3. Run `specui` (or `specui interview --json`). Each round specui runs this script once in the
   project directory, writes one JSON request on stdin and reads the reply from stdout.

Environment (optional): SPECUI_CLAUDE (the binary, default "claude"), SPECUI_CLAUDE_MODEL
(passed as --model), SPECUI_CLAUDE_ARGS (extra arguments, split like a shell would).

What it does
------------
specui's request (see `specui schema engine-request`) carries `prompt` (the interview rules and
this turn's directive, exactly what the Codex engine sends), `reply_schema` (the reply's JSON
Schema) and `feedback` (why specui refused the previous reply, already part of `prompt`).
The script runs

    claude -p --output-format json --json-schema <reply_schema> --allowedTools Read,Grep,Glob

with the prompt on stdin, so Claude can read the repository but not change it, and prints the
structured reply (`structured_output`, or the JSON in `result`). specui validates it and asks
once more with the problems when it is refused. Errors go to stderr, one line, exit 1; specui
shows that line in the question pane. Only the standard library is used.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys


def fail(message: str) -> int:
    print(f"interview-adapter-claude: {message}", file=sys.stderr)
    return 1


def reply_from(envelope: dict) -> str:
    """The reply in Claude's `--output-format json` envelope: `structured_output`, else the
    text of `result` (a code fence around it dropped). Text that is not a valid reply is still
    printed: specui explains what is wrong and asks again."""
    structured = envelope.get("structured_output")
    if isinstance(structured, dict):
        return json.dumps(structured)
    text = str(envelope.get("result") or "").strip()
    if text.startswith("```"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
        text = text.rsplit("```", 1)[0]
    return text


def main() -> int:
    try:
        request = json.load(sys.stdin)
    except ValueError as exc:
        return fail(f"the request on stdin is not JSON: {exc}")
    prompt, schema = request.get("prompt"), request.get("reply_schema")
    if not isinstance(prompt, str) or not isinstance(schema, dict):
        return fail("the request has no prompt/reply_schema (specui too old?)")
    argv = [os.environ.get("SPECUI_CLAUDE", "claude"), "-p", "--output-format", "json",
            "--json-schema", json.dumps(schema), "--allowedTools", "Read,Grep,Glob"]
    if os.environ.get("SPECUI_CLAUDE_MODEL"):
        argv += ["--model", os.environ["SPECUI_CLAUDE_MODEL"]]
    argv += shlex.split(os.environ.get("SPECUI_CLAUDE_ARGS", ""))
    try:
        done = subprocess.run(argv, input=prompt.encode(), capture_output=True,
                              cwd=request.get("project_dir") or None, check=False)
    except FileNotFoundError:
        return fail(f"{argv[0]} not found (install Claude Code, or set SPECUI_CLAUDE)")
    if done.returncode != 0:
        last = (done.stderr.decode(errors="replace").strip().splitlines() or ["no message"])[-1]
        return fail(f"{argv[0]} exited with status {done.returncode}: {last}")
    try:
        envelope = json.loads(done.stdout)
    except ValueError:
        return fail(f"{argv[0]} did not print JSON (is --output-format json supported?)")
    if not isinstance(envelope, dict):
        return fail(f"{argv[0]} printed JSON that is not an object")
    if envelope.get("is_error"):
        return fail(f"{argv[0]}: {envelope.get('result') or envelope.get('subtype') or 'error'}")
    reply = reply_from(envelope)
    if not reply:
        return fail(f"{argv[0]} returned an empty reply")
    print(reply)
    return 0


if __name__ == "__main__":
    sys.exit(main())
