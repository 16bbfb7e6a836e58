"""Runner throughput: 1,000,000 lines through `specui run` vs the same command writing to a file.

The fake command prints lines with ANSI colours and `[bold]`-looking text (which must stay text).
Through `specui run` every byte goes child -> pipe -> supervisor -> log file (unbuffered) and is
forwarded, sanitized, to stdout (here a file). Target: wall time <= 1.2x the command alone.

    python bench/bench_runner.py [--lines N] [--repeat R]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

FAKE = textwrap.dedent(
    """
    import os, sys
    n = int(sys.argv[1])
    if not sys.stdin.isatty():
        sys.stdin.read()
    w = sys.stdout.write
    for i in range(n):
        w(f"\\x1b[32m[bold]line {i}[/bold]\\x1b[0m payload text for the runner bench "
          f"\\x1b[1;34mblue [/]\\x1b[0m {i * 7}\\n")
    sys.stdout.flush()
    if len(sys.argv) > 2:  # report our own CPU seconds, so the bench can tell specui's apart
        t = os.times()
        with open(sys.argv[2], "a") as report:
            report.write(f"{t.user + t.system}\\n")
    """
)


_CPU: list[float] = []  # CPU seconds (user + sys, the command and all it waited for) per _time


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _time(cmd: list[str], *, stdout: Path, cwd: Path, stdin: Path | None = None) -> float:
    with open(stdout, "wb") as out, open(stdin or os.devnull, "rb") as inp:
        cpu = _children_cpu()
        start = time.perf_counter()
        subprocess.run(cmd, stdout=out, stdin=inp, stderr=subprocess.DEVNULL, cwd=cwd, check=True)
        elapsed = time.perf_counter() - start
        _CPU.append(_children_cpu() - cpu)
        return elapsed


def _time_pipe(cmd: list[str], *, stdout: Path, cwd: Path, stdin: Path) -> float:
    """The floor for any design that reads the child through a pipe: `cmd | cat > file`."""
    with open(stdout, "wb") as out, open(stdin, "rb") as inp:
        start = time.perf_counter()
        producer = subprocess.Popen(cmd, stdout=subprocess.PIPE, stdin=inp,
                                    stderr=subprocess.DEVNULL, cwd=cwd)
        consumer = subprocess.Popen(["cat"], stdin=producer.stdout, stdout=out)
        assert producer.stdout is not None
        producer.stdout.close()
        producer.wait()
        consumer.wait()
        return time.perf_counter() - start


def main(lines: int = 1_000_000, repeat: int = 3) -> dict:
    with tempfile.TemporaryDirectory(prefix="specui-bench-runner-") as tmp:
        root = Path(tmp)
        project = root / "project"
        (project / ".codex" / "prompts").mkdir(parents=True)
        (project / ".codex" / "prompts" / "speckit.tasks.md").write_text("bench $ARGUMENTS\n")
        fake = root / "fake.py"
        own_cpu = root / "fake-cpu.txt"  # the fake's CPU seconds, one line per run by specui
        fake.write_text(FAKE)
        (project / "specui.toml").write_text(
            "[runner]\n"
            f"command = {json.dumps([sys.executable, str(fake), str(lines), str(own_cpu)])}\n"
            "notify = false\n"
        )
        prompt = root / "prompt.txt"
        prompt.write_text("bench\n")
        alone, through, piped = [], [], []
        alone_cpu, through_cpu = [], []
        for _ in range(repeat):
            alone.append(_time([sys.executable, str(fake), str(lines)], stdout=root / "alone.out",
                               cwd=root, stdin=prompt))
            alone_cpu.append(_CPU[-1])
            piped.append(_time_pipe([sys.executable, str(fake), str(lines)],
                                    stdout=root / "piped.out", cwd=root, stdin=prompt))
            through.append(_time([sys.executable, "-m", "specui", "run", "tasks", str(project),
                                  "--force"], stdout=root / "through.out", cwd=root))
            through_cpu.append(_CPU[-1])
        logs = sorted((project / "orchestrator").glob("tasks-*.md"))
        log_lines = logs[-1].read_text().count("\n") if logs else 0
        forwarded = (root / "through.out").read_bytes()
        # Each repeat times the three back to back, so its own ratio sees the same load; the
        # median of those ratios is the figure that load swings (2 shared cores) move least.
        paired = [t / a for t, a in zip(through, alone, strict=True)]
        fake_cpu = [float(x) for x in own_cpu.read_text().split()]
        specui_cpu = [t - f for t, f in zip(through_cpu, fake_cpu, strict=True)]
        result = {
            "lines": lines,
            "repeat": repeat,
            "command_alone_s": round(min(alone), 3),
            "through_specui_run_s": round(min(through), 3),
            "ratio": round(min(through) / min(alone), 3),
            "command_alone_median_s": round(statistics.median(alone), 3),
            "through_specui_run_median_s": round(statistics.median(through), 3),
            "ratio_median_paired": round(statistics.median(paired), 3),
            "ratios_paired": [round(r, 3) for r in paired],
            # CPU seconds: what the wall-time ratio tends to when the other core is busy (the
            # supervisor then cannot run beside the command). specui run's includes the command's.
            "command_alone_cpu_median_s": round(statistics.median(alone_cpu), 3),
            "through_specui_run_cpu_median_s": round(statistics.median(through_cpu), 3),
            "cpu_ratio_median": round(statistics.median(
                t / a for t, a in zip(through_cpu, alone_cpu, strict=True)), 3),
            # specui run's own CPU: start-up, reading, checking, logging, forwarding, the end.
            "specui_own_cpu_median_s": round(statistics.median(specui_cpu), 3),
            "specui_own_cpu_s": [round(c, 3) for c in specui_cpu],
            "command_piped_to_cat_s": round(min(piped), 3),
            "ratio_vs_pipe_floor": round(min(through) / min(piped), 3),
            "load_average_1m": round(os.getloadavg()[0], 2),
            "target_ratio": 1.2,
            "log_lines": log_lines,
            "forwarded_lines": forwarded.count(b"\n"),
            "forwarded_has_only_sgr": b"\x1b[2J" not in forwarded,
        }
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    figures = main(args.lines, args.repeat)
    print(
        f"runner: {figures['lines']:,} lines  command alone {figures['command_alone_s']:.2f} s  "
        f"through `specui run` {figures['through_specui_run_s']:.2f} s  "
        f"ratio {figures['ratio']:.2f}x (median of paired ratios "
        f"{figures['ratio_median_paired']:.2f}x; target <= {figures['target_ratio']}x); "
        f"`cmd | cat > file` {figures['command_piped_to_cat_s']:.2f} s "
        f"(specui run = {figures['ratio_vs_pipe_floor']:.2f}x that); "
        f"CPU {figures['through_specui_run_cpu_median_s']:.2f} s vs "
        f"{figures['command_alone_cpu_median_s']:.2f} s ({figures['cpu_ratio_median']:.2f}x; "
        f"specui's own {figures['specui_own_cpu_median_s']:.2f} s); "
        f"load {figures['load_average_1m']}"
    )
    print(json.dumps(figures))
