"""A phase whose agent fails says why: seen in tmux, `plan failed (exit 1)` in the pane's
status, its toast and past runs, while codex's last line `ERROR: stream disconnected before
completion: …` sat in the log above the footer, out of view. The run's message carries the
agent's last error line when nothing came after it; an old notice followed by work does not."""

from __future__ import annotations

from pathlib import Path

from supervised import make_run


def test_a_failed_run_names_the_agents_last_error(tmp_path: Path) -> None:
    supervisor = make_run(tmp_path, """
        import sys
        sys.stdin.read()
        print("working on the plan", flush=True)
        print("ERROR: stream disconnected before completion: the model broke", flush=True)
        sys.exit(1)
    """)
    status = supervisor.run()
    assert status.state == "failed" and status.exit_code == 1
    assert status.message == "stream disconnected before completion: the model broke"
    log = Path(supervisor.spec.log_path).read_text()
    assert "- note: stream disconnected before completion: the model broke" in log


def test_a_notice_followed_by_work_is_not_the_cause(tmp_path: Path) -> None:
    supervisor = make_run(tmp_path, """
        import sys
        sys.stdin.read()
        print("ERROR: Reconnecting... waiting for network", flush=True)
        print("wrote plan.md", flush=True)
        sys.exit(3)
    """)
    status = supervisor.run()
    assert status.state == "failed" and status.exit_code == 3
    assert status.message == ""


def test_a_run_that_ends_well_keeps_no_message(tmp_path: Path) -> None:
    supervisor = make_run(tmp_path, """
        import sys
        sys.stdin.read()
        print("ERROR: Reconnecting... waiting for network", flush=True)
    """)
    status = supervisor.run()
    assert status.state == "done" and status.message == ""


def test_a_failed_json_turn_names_its_error(tmp_path: Path) -> None:
    # `specui run --json`: "phase plan failed, exit code 1 (the agent's turn failed
    # (turn.failed))" while the event said why.
    supervisor = make_run(tmp_path, """
        import json, sys
        sys.stdin.read()
        print(json.dumps({"type": "turn.started"}), flush=True)
        print(json.dumps({"type": "turn.failed", "error": {"message":
              "stream disconnected before completion: the model broke"}}), flush=True)
        sys.exit(1)
    """)
    supervisor.spec.json_mode = True
    status = supervisor.run()
    assert status.state == "failed" and status.turn_failed
    assert status.message == (
        "the agent's turn failed: stream disconnected before completion: the model broke")
