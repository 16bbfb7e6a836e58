"""A stall that only flags the run (on_stall "notify", the workbench's default) leaves a trace
in the run's log: seen in tmux, an implement run hung 15 s, was flagged STALLED, went on and
ended "with 2 tasks open"; its log and past runs (L) said nothing about the stall afterwards."""

from __future__ import annotations

from pathlib import Path

from supervised import make_run


def test_a_flagged_stall_and_its_end_are_in_the_log(tmp_path: Path) -> None:
    supervisor = make_run(tmp_path, phase="implement", stall_seconds=1.0, script="""
        import sys, time
        sys.stdin.read()
        print("working", flush=True)
        print("ERROR: Reconnecting... waiting for network", flush=True)
        time.sleep(2.2)
        print("back at work", flush=True)
    """)
    status = supervisor.run()
    assert status.state == "done"
    log = Path(supervisor.spec.log_path).read_text()
    flagged = log.index("specui: no progress for 1 s; the run goes on "
                        "(last: Reconnecting... waiting for network)")
    resumed = log.index("specui: progress again after 2 s")
    assert log.index("working") < flagged < log.index("back at work") < resumed


def test_output_that_keeps_flowing_writes_no_stall_line(tmp_path: Path) -> None:
    supervisor = make_run(tmp_path, phase="implement", stall_seconds=1.0, script="""
        import sys, time
        sys.stdin.read()
        for i in range(12):
            print(f"step {i}", flush=True)
            time.sleep(0.1)
    """)
    supervisor.run()
    assert "specui: no progress" not in Path(supervisor.spec.log_path).read_text()
