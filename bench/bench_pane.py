"""Runner pane benchmark: 1,000,000 lines from a child process through the TUI, headless.

Side by side, in one run, each variant in its own fresh process (so memory figures are clean):

- child alone: the fake command writing the lines to a file, nothing reading it;
- pane: specui's RunnerPane/LogView tailing that file while the child writes it;
- log:  Textual's `Log(max_lines=10_000)` fed the same file by a reader thread that hands it the
        new lines every 50 ms (the issue's anchor: 136k lines/s, 67 MB, lag <= 26 ms at 200k).

Measured per variant: ingest rate (lines the widget has taken in / time since the child
started), RSS and peak RSS after the stream, event-loop lag (a 5 ms sleeper's oversleep) and
keypress latency (a key event posted to the app -> its action ran -> the next repaint) sampled
every 50 ms during the stream. Targets (issue 4): >= 250k lines/s, < 80 MB after 1M lines,
p99 lag and keypress < 20 ms.

    .venv/bin/python bench/bench_pane.py [--lines N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, ClassVar

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_RATE = 250_000
TARGET_RSS_MB = 80
TARGET_P99_MS = 20
PACED_RATE = 250_000  # lines/s of the sustained run: the ingest target itself


# --- the fake command ------------------------------------------------------------------------


def make_payload(n: int, path: Path) -> int:
    """The 1M lines the fake command will print: coloured, with `[bold]…[/]`-looking text."""
    colours = ("31", "32", "33", "34", "35", "36")
    with path.open("wb") as out:
        for start in range(0, n, 10_000):
            out.write("".join(
                f"\x1b[{colours[i % 6]}m{i:07d}\x1b[0m [bold]step[/bold] {i} [/] "
                f"\x1b[1mprocessing\x1b[22m item {i * 7 % 9973} of the plan: ok\n"
                for i in range(start, min(n, start + 10_000))
            ).encode())
    return path.stat().st_size


def child_main(payload: str, path: str, rate: int = 0) -> None:
    """The fake command: print the payload into the log in 64 KiB writes.

    rate 0: as fast as it can (the burst run: how fast can the pane ingest?). rate N: about N
    lines per second (the sustained run: what do lag and keys feel like during a long stream?).
    It only copies bytes (like a chatty agent whose output is already formatted), so on a
    2-core machine it does not steal a whole core from the workbench being measured.
    """
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    started = time.perf_counter()
    lines = 0
    with open(payload, "rb") as source:
        while chunk := source.read(64 * 1024):
            chunk += source.readline()  # whole lines per write, like a line-flushed child
            os.write(fd, chunk)
            if rate:
                lines += chunk.count(b"\n")
                delay = started + lines / rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
    os.close(fd)


def spawn_child(payload: Path, path: Path, rate: int = 0) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, __file__, "--child", str(payload), str(path), "--rate", str(rate)]
    )


def time_child_alone(payload: Path, directory: Path) -> float:
    path = directory / "alone.md"
    started = time.perf_counter()
    spawn_child(payload, path).wait()
    elapsed = time.perf_counter() - started
    path.unlink()
    return elapsed


# --- one variant, in its own process ----------------------------------------------------------


def _rss_mb() -> tuple[float, float]:
    rss = hwm = 0.0
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                hwm = int(line.split()[1]) / 1024
    return rss, hwm


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def run_variant(kind: str, n: int, directory: Path, payload: Path, rate: int = 0,
                gc_freeze: bool = False) -> dict[str, Any]:
    from datetime import UTC, datetime

    from textual import events
    from textual.app import App, ComposeResult
    from textual.binding import Binding
    from textual.widgets import Log

    from specui.core.config import RunnerConfig
    from specui.core.paths import Project
    from specui.runner.manager import PhaseManager
    from specui.store import PhaseRun, SessionStore
    from specui.ui.widgets.log_view import LogView
    from specui.ui.widgets.runner_pane import CSS_PATH as PANE_CSS
    from specui.ui.widgets.runner_pane import RunnerPane

    project = Project.at(directory)
    log_rel = "orchestrator/implement-20260101-120000.md"
    log_path = directory / log_rel
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_path.write_bytes(b"")

    class Manager(PhaseManager):
        """The real PhaseManager minus processes: the one running run is the bench's."""

        def refresh(self, *, follow_up: bool = True) -> PhaseRun | None:
            return self.active()

    class BenchApp(App[None]):
        CSS_PATH: ClassVar = [PANE_CSS]
        BINDINGS: ClassVar = [Binding("f9", "probe", "probe", priority=True)]

        def __init__(self) -> None:
            super().__init__()
            self.sent_at = 0.0
            self.key_ms: list[float] = []
            self.paint_ms: list[float] = []
            self.fed = 0

        def compose(self) -> ComposeResult:
            if kind == "pane":
                store = SessionStore.open(project)
                run = PhaseRun(run_id="implement-20260101-120000", phase="implement", status="running",
                               started_at=datetime.now(UTC), log=log_rel, command=["fake"])
                store.update(lambda s: s.runs.append(run))
                manager = Manager(project, store, RunnerConfig())
                yield RunnerPane(project, store, RunnerConfig(), manager=manager)
            else:
                yield Log(max_lines=10_000, id="log")

        def action_probe(self) -> None:
            sent = self.sent_at
            self.key_ms.append((time.perf_counter() - sent) * 1000)
            self.call_after_refresh(
                lambda: self.paint_ms.append((time.perf_counter() - sent) * 1000)
            )

        def ingested(self) -> int:
            if kind == "pane":
                return self.query_one(LogView).line_count
            return self.fed

    def feed_log(app: BenchApp, stop: threading.Event) -> None:
        """Baseline feeder: tail the file, hand Log the new lines every 50 ms."""
        log = app.query_one(Log)
        pos, carry = 0, b""
        with open(log_path, "rb") as handle:
            while not stop.is_set():
                deadline = time.monotonic() + 0.05
                lines: list[str] = []
                while time.monotonic() < deadline:
                    data = handle.read(1 << 20)
                    if not data:
                        time.sleep(0.005)
                        continue
                    pos += len(data)
                    parts = (carry + data).split(b"\n")
                    carry = parts.pop()
                    lines.extend(p.decode("utf-8", "replace") for p in parts)
                if lines:
                    app.call_from_thread(log.write_lines, lines)
                    app.fed += len(lines)

    gc_log: list[tuple[float, int, float]] = []
    if os.environ.get("BENCH_DEBUG"):
        import gc

        gc_start: dict[str, float] = {}

        def on_gc(phase: str, info: dict[str, int]) -> None:
            if phase == "start":
                gc_start["t"] = time.perf_counter()
            else:
                gc_log.append((gc_start["t"], info["generation"],
                               (time.perf_counter() - gc_start["t"]) * 1000))

        gc.callbacks.append(on_gc)

    async def scenario() -> dict[str, Any]:
        app = BenchApp()
        lags: list[float] = []
        lag_at: list[float] = []
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause(0.3)
            stop = threading.Event()
            streaming = True

            async def lag_probe() -> None:
                while streaming:
                    before = time.perf_counter()
                    await asyncio.sleep(0.005)
                    lags.append((time.perf_counter() - before - 0.005) * 1000)
                    lag_at.append(before)

            # The same probe with nothing streaming: what this machine gives an idle app now.
            lag_task = asyncio.create_task(lag_probe())
            for _ in range(20):
                await asyncio.sleep(0.05)
                app.sent_at = time.perf_counter()
                app.post_message(events.Key("f9", None))
            streaming = False
            await lag_task
            idle_lags, lags[:], lag_at[:] = list(lags), [], []
            idle_keys, app.key_ms[:] = list(app.key_ms), []
            app.paint_ms.clear()
            streaming = True
            if gc_freeze:
                import gc

                gc.freeze()
            lag_task = asyncio.create_task(lag_probe())
            feeder = None
            if kind == "log":
                feeder = threading.Thread(target=feed_log, args=(app, stop), daemon=True)
                feeder.start()
            rss_before, _ = _rss_mb()
            started = time.perf_counter()
            child = spawn_child(payload, log_path, rate)
            deadline = started + 300
            while app.ingested() < n and time.perf_counter() < deadline:
                await asyncio.sleep(0.05)
                app.sent_at = time.perf_counter()
                app.post_message(events.Key("f9", None))
            done = time.perf_counter()
            child.wait()
            child_done = done
            await pilot.pause(0.2)
            streaming = False
            await lag_task
            stop.set()
            if feeder is not None:
                feeder.join(timeout=5)
            rss, peak = _rss_mb()
            ingested = app.ingested()
            screen_ok = True
            if kind == "pane":
                view = app.query_one(LogView)
                last = view.get_line_text(n - 1) if ingested >= n else ""
                screen_ok = last.startswith(f"{n - 1:07d} [bold]step[/bold]")
        elapsed = child_done - started
        if os.environ.get("BENCH_DEBUG"):
            worst = sorted(zip(lags, lag_at), reverse=True)[:8]
            print([(round(lag, 1), round(at - started, 3)) for lag, at in worst], file=sys.stderr)
            slow = [(round(t - started, 3), g, round(ms, 1)) for t, g, ms in gc_log if ms > 5]
            print("gc>5ms", slow, file=sys.stderr)
        return {
            "variant": kind,
            "child_rate": rate or "unlimited",
            "lines": ingested,
            "complete": ingested >= n,
            "literal_markup_ok": screen_ok,
            "ingest_s": round(elapsed, 3),
            "lines_per_s": round(ingested / elapsed),
            "rss_mb": round(rss, 1),
            "peak_rss_mb": round(peak, 1),
            "rss_before_stream_mb": round(rss_before, 1),
            "lag_p50_ms": round(_pct(lags, 50), 2),
            "lag_p99_ms": round(_pct(lags, 99), 2),
            "lag_max_ms": round(max(lags), 2) if lags else None,
            "key_p50_ms": round(_pct(app.key_ms, 50), 2),
            "key_p99_ms": round(_pct(app.key_ms, 99), 2),
            "key_to_paint_p99_ms": round(_pct(app.paint_ms, 99), 2),
            "key_samples": len(app.key_ms),
            "idle_lag_p99_ms": round(_pct(idle_lags, 99), 2),
            "idle_key_p99_ms": round(_pct(idle_keys, 99), 2),
            "gc_freeze": gc_freeze,
        }

    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profiler = cProfile.Profile(time.thread_time)
        result = profiler.runcall(asyncio.run, scenario())
        pstats.Stats(profiler, stream=sys.stderr).sort_stats(os.environ.get("BENCH_PROFILE_SORT", "tottime")).print_stats(45)
        return result
    return asyncio.run(scenario())


# --- driver ----------------------------------------------------------------------------------


def _variant_in_subprocess(kind: str, n: int, directory: Path, payload: Path,
                           rate: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--variant", kind, "--lines", str(n), "--dir", str(directory),
         "--payload", str(payload), "--rate", str(rate)],
        check=True, capture_output=True, text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(lines: int = 1_000_000, quiet: bool = False) -> dict[str, Any]:
    """Run every variant, print the table (unless quiet) and return the figures."""
    with tempfile.TemporaryDirectory(prefix="specui-bench-pane-") as tmp:
        base = Path(tmp)
        payload = base / "payload.txt"
        make_payload(lines, payload)
        child_alone = time_child_alone(payload, base)
        results: dict[str, Any] = {"lines": lines, "child_alone_s": round(child_alone, 3)}
        for kind in ("pane", "log"):
            for label, rate in ((kind, 0), (f"{kind}_paced", PACED_RATE)):
                directory = base / label
                directory.mkdir()
                results[label] = _variant_in_subprocess(kind, lines, directory, payload, rate)
    pane, paced = results["pane"], results["pane_paced"]
    results["pane_vs_child_alone"] = round(pane["ingest_s"] / child_alone, 2)
    results["targets"] = {
        "ingest >= 250k lines/s (burst)": pane["lines_per_s"] >= TARGET_RATE,
        "RSS < 80 MB after 1M lines": max(pane["rss_mb"], paced["rss_mb"]) < TARGET_RSS_MB,
        "lag p99 < 20 ms (paced stream)": paced["lag_p99_ms"] < TARGET_P99_MS,
        "keypress p99 < 20 ms (paced stream)": paced["key_p99_ms"] < TARGET_P99_MS,
    }
    if not quiet:
        _print(results)
    return results


def _print(results: dict[str, Any]) -> None:
    n = results["lines"]
    print(f"runner pane bench: {n:,} lines (ANSI colours + [bold]-looking text) from a child")
    print(f"  child alone writing the file: {results['child_alone_s']:.2f} s")
    rows = [
        ("ingest time (s)", "ingest_s", "{:.2f}"),
        ("lines/s", "lines_per_s", "{:,}"),
        ("RSS after stream (MB)", "rss_mb", "{:.1f}"),
        ("peak RSS (MB)", "peak_rss_mb", "{:.1f}"),
        ("event-loop lag p50 (ms)", "lag_p50_ms", "{:.2f}"),
        ("event-loop lag p99 (ms)", "lag_p99_ms", "{:.2f}"),
        ("event-loop lag max (ms)", "lag_max_ms", "{:.2f}"),
        ("keypress p50 (ms)", "key_p50_ms", "{:.2f}"),
        ("keypress p99 (ms)", "key_p99_ms", "{:.2f}"),
        ("keypress->paint p99 (ms)", "key_to_paint_p99_ms", "{:.2f}"),
        ("idle lag p99, same app (ms)", "idle_lag_p99_ms", "{:.2f}"),
    ]
    columns = ("pane", "log", "pane_paced", "log_paced")
    heads = ("pane burst", "Log burst", "pane 250k/s", "Log 250k/s")
    print(f"  {'':28}" + "".join(f"{h:>14}" for h in heads))
    for label, key, fmt in rows:
        values = [results[c].get(key) for c in columns]
        cells = [fmt.format(v) if isinstance(v, (int, float)) else "—" for v in values]
        print(f"  {label:28}" + "".join(f"{c:>14}" for c in cells))
    print("  (pane = specui RunnerPane/LogView; Log = textual Log(max_lines=10_000) fed every 50 ms)")
    print(f"  pane burst time / child alone: {results['pane_vs_child_alone']:.2f}x")
    for name, ok in results["targets"].items():
        print(f"  target {name}: {'PASS' if ok else 'FAIL'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--child", nargs=2, metavar=("PAYLOAD", "PATH"))
    parser.add_argument("--variant", choices=("pane", "log"))
    parser.add_argument("--dir")
    parser.add_argument("--payload")
    parser.add_argument("--rate", type=int, default=0, help="child lines/s (0: unlimited)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--gc-freeze", action="store_true",
                        help="gc.freeze() after start-up in the variant (an app-level option)")
    args = parser.parse_args()
    if args.child:
        child_main(args.child[0], args.child[1], args.rate)
    elif args.variant:
        payload = Path(args.payload) if args.payload else Path(args.dir) / "payload.txt"
        if not payload.exists():
            make_payload(args.lines, payload)
        print(json.dumps(run_variant(args.variant, args.lines, Path(args.dir), payload,
                                     args.rate, args.gc_freeze)))
    else:
        figures = main(args.lines, quiet=args.json)
        if args.json:
            print(json.dumps(figures, indent=2))
