"""Log search: time to find the last match in a 1,000,000-line log, next to `grep -c`.

The runner pane's `/` searches the whole log file on disk (specui.runner.logsearch), not the
rows on screen. The log here looks like a phase log (codex output lines with colours), about
90 MB; the needle is on the last line. Both tools read the same file in the same run, warm in
the page cache, alternating. Two pairs: an exact-case needle against `grep -c`, and smart case
(a lower-case needle matches any case) against `grep -ci`. Target: ratio <= 3x.

    python bench/bench_log_search.py [--lines N] [--repeat R]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from specui.runner.logsearch import search_file

TARGET = 3.0


def _write_log(path: Path, lines: int) -> None:
    with path.open("wb") as out:
        chunk = []
        for i in range(lines - 1):
            chunk.append(f"\x1b[90m{i:07d}\x1b[0m exec bash -lc 'pytest -q tests/unit' "
                         f"succeeded in 1.2s: {i % 97} passed\n".encode())
            if len(chunk) == 10_000:
                out.write(b"".join(chunk))
                chunk = []
        chunk.append(b"codex: All tasks complete. Needle-Final marks the end\n")
        out.write(b"".join(chunk))


def _grep(args: list[str], path: Path) -> float:
    start = time.perf_counter()
    result = subprocess.run(["grep", *args, str(path)], capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    assert result.stdout.strip() == b"1", result.stdout
    return elapsed


def _ours(needle: str, path: Path) -> float:
    start = time.perf_counter()
    found = search_file(path, needle)
    elapsed = time.perf_counter() - start
    assert len(found) == 1
    return elapsed


def main(lines: int = 1_000_000, repeat: int = 5) -> dict[str, float]:
    if shutil.which("grep") is None:
        print("   grep not found: nothing to compare with")
        return {}
    with tempfile.TemporaryDirectory(prefix="specui-bench-search-") as tmp:
        path = Path(tmp) / "implement-20260101-000000.md"
        _write_log(path, lines)
        size_mb = path.stat().st_size / 1e6
        pairs = {"exact": (["-c", "Needle-Final"], "Needle-Final"),
                 "smart_case": (["-ci", "needle-final"], "needle-final")}
        results: dict[str, float] = {}
        _grep(["-c", "Needle-Final"], path)  # warm the page cache
        for name, (grep_args, needle) in pairs.items():
            grep_t, ours_t = [], []
            for _ in range(repeat):
                grep_t.append(_grep(grep_args, path))
                ours_t.append(_ours(needle, path))
            ratios = [o / g for o, g in zip(ours_t, grep_t, strict=True)]
            best = min(ours_t) / min(grep_t)
            print(f"   {name:<10} {lines:,} lines ({size_mb:.0f} MB): specui {min(ours_t) * 1000:.0f} ms"
                  f" (median {statistics.median(ours_t) * 1000:.0f}), grep {' '.join(grep_args[:-1])}"
                  f" {min(grep_t) * 1000:.0f} ms (median {statistics.median(grep_t) * 1000:.0f});"
                  f" ratio {best:.2f}x (median of pairs {statistics.median(ratios):.2f}x,"
                  f" target <= {TARGET:g}x) {'OK' if best <= TARGET else 'OVER'}", flush=True)
            results[f"{name}_ratio"] = best
            results[f"{name}_ms"] = min(ours_t) * 1000
        return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    ns = parser.parse_args()
    main(ns.lines, ns.repeat)
