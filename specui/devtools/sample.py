"""Prepare a scratch copy of a sample project for `make run`.

    python -m specui.devtools.sample DEST [--sample NAME] [--fresh]

The sample in `samples/NAME` is never modified: it is copied to DEST. When DEST already holds a
project (a previous `make run`), it is kept as it is, so the interview resumes where the user
left it; `--fresh` starts over from a new copy.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "samples"
DEFAULT_SAMPLE = "todo-cli"


def prepare(dest: Path, sample: str = DEFAULT_SAMPLE, *, fresh: bool = False) -> str:
    """Copy the sample to `dest` unless a copy is already there. Returns what was done."""
    source = SAMPLES_DIR / sample
    if not source.is_dir() or sample in ("", ".", "..") or "/" in sample:
        known = ", ".join(sorted(p.name for p in SAMPLES_DIR.iterdir() if p.is_dir()))
        raise SystemExit(f"sample: error: no sample named {sample!r} (known: {known})")
    dest = dest.resolve()
    if dest == source.resolve() or source.resolve() in dest.parents:
        raise SystemExit("sample: error: the destination must not be inside the sample")
    if dest.exists() and any(dest.iterdir()):
        if not fresh:
            return f"keeping {dest} (delete it or pass --fresh to start over)"
        shutil.rmtree(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, dest, dirs_exist_ok=True)
    return f"copied samples/{sample} to {dest}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m specui.devtools.sample")
    parser.add_argument("dest", type=Path)
    parser.add_argument("--sample", default=DEFAULT_SAMPLE)
    parser.add_argument("--fresh", action="store_true", help="replace an existing copy")
    args = parser.parse_args(argv)
    print(prepare(args.dest, args.sample, fresh=args.fresh))
    return 0


if __name__ == "__main__":
    sys.exit(main())
