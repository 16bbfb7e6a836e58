"""Run every `bench/bench_*.py` (its `main()`, default arguments) and print the figures.

    python bench/run_all.py [NAME ...]      # e.g. `python bench/run_all.py ui` runs bench_ui.py

Each bench prints its own lines with targets; this runner adds a header per bench and a
summary of the values the benches return, and keeps going when one of them fails.
"""

from __future__ import annotations

import importlib.util
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


def main(names: list[str] | None = None) -> int:
    paths = sorted(HERE.glob("bench_*.py"))
    if names:
        paths = [p for p in paths if p.stem.removeprefix("bench_") in names or p.stem in names]
    failed = 0
    summary: list[tuple[str, object]] = []
    for path in paths:
        print(f"== {path.name}", flush=True)
        start = time.perf_counter()
        try:
            result = _load(path).main()
        except Exception:  # noqa: BLE001 - report and continue with the next bench
            failed += 1
            traceback.print_exc()
            continue
        print(f"   ({time.perf_counter() - start:.1f} s)", flush=True)
        if isinstance(result, dict):
            summary += [(f"{path.stem}.{key}", value) for key, value in result.items()]
    if summary:
        print("== summary")
        for key, value in summary:
            shown = f"{value:.4g}" if isinstance(value, float) else value
            print(f"   {key} = {shown}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
