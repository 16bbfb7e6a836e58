"""Benchmark: parse + patch + atomic write of a ~1 MB SPEC.md vs. plain read + write.

Run: `.venv/bin/python bench/bench_spec_patch.py` (prints the figures; `main()` returns them).

What is timed (file in a temp dir, page cache warm; rounds interleaved, medians):
* plain text  — `read_text()` + `write_text()` of the same file (decode + encode, no fsync):
                "simply read and write" a text file; the baseline for the target;
* plain bytes — `read_bytes()` + `write_bytes()` (no decoding at all), shown for reference;
* patch      — `SpecFile.patch({"workflows": ...}, base)`: stat, read, UTF-8 check, scan of the
               whole document, splice of one section, and the atomic write (temp file, fsync,
               rename, dir fsync) through specui.fsio — the path the interviewer takes;
* patch, warm base — the same with a base whose structure is already known (the app's case:
               statuses were computed from it), so the document is not scanned again;
* three-way  — like patch when the user edited another section since `base`: both documents
               are scanned and the unit texts compared before writing;
* parse      — `SpecDocument.from_bytes` + full structure scan alone.
Target: patch within 5x of plain text read+write. The patch also fsyncs the file and its
directory (atomic, durable write); the baselines do not.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from specui.core.spec import SECTIONS, SpecDocument, render_spec_template
from specui.spec_repo import SpecFile

TARGET_BYTES = 1_000_000
RUNS = 31


def build_spec(target: int = TARGET_BYTES) -> str:
    """A realistic SPEC.md of about `target` bytes: every canonical section, bullets, nested
    bullets, inline code, `#` in prose, and fenced code that contains `## ` lines."""
    doc = SpecDocument.parse(render_spec_template("Bench"))
    per_section = target // len(SECTIONS)
    for sec in SECTIONS:
        lines: list[str] = []
        size = 0
        n = 0
        while size < per_section:
            n += 1
            chunk = [
                (
                    f"- **Item {n}**: the {sec.title.lower()} rule number {n} covers issue #{n}"
                    f" and uses `config_{n}.toml` with C# clients in mind."
                ),
                f"  - detail {n}.1: latency p95 < {n % 400 + 50} ms for tenant <tenant-{n}>",
                f"  - detail {n}.2: retries {n % 5} times, then alerts the on-call engineer",
            ]
            if n % 25 == 0:
                chunk += ["", "```markdown", f"## Not a heading {n}", "echo ~~~", "```", ""]
            for line in chunk:
                lines.append(line)
                size += len(line) + 1
        doc = doc.with_section_body(sec.key, "\n".join(lines))
    return doc.text


def _timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def main(runs: int = RUNS, target: int = TARGET_BYTES) -> dict:
    """Run the benchmark; return the figures (milliseconds, bytes, ratios).

    The measurements are interleaved round by round (baseline, then each patch variant), so a
    machine shared with other work slows all of them alike; ratios are medians of per-round
    ratios.
    """
    text = build_spec(target)
    with tempfile.TemporaryDirectory(prefix="specui-bench-") as tmp:
        path = Path(tmp) / "SPEC.md"
        path.write_text(text, encoding="utf-8")
        size = path.stat().st_size

        def plain_text() -> None:
            path.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")

        def plain_bytes() -> None:
            path.write_bytes(path.read_bytes())

        def parse() -> None:
            doc = SpecDocument.from_bytes(path.read_bytes())
            _ = doc.missing  # force the structure scan

        sf = SpecFile(path, root=path.parent)
        first = sf.read()
        assert first is not None
        state: dict = {"base": first, "n": 0}

        def patch() -> None:
            state["n"] += 1
            out = sf.patch(
                {"workflows": f"- **Primary flows**: revision {state['n']}"}, state["base"]
            )
            assert out.applied == ["workflows"], out
            state["base"] = out.document

        def patch_3way() -> None:
            state["n"] += 1
            out = sf.patch({"security": f"token rotation {state['n']}"}, state["base"])
            assert out.applied == ["security"] and not out.conflicts, out
            state["base"] = out.document

        rows: dict[str, list[float]] = {
            k: [] for k in ("text", "bytes", "parse", "patch", "warm", "three_way")
        }
        for _ in range(runs):
            rows["text"].append(_timed(plain_text))
            rows["bytes"].append(_timed(plain_bytes))
            rows["parse"].append(_timed(parse))
            # Cold: a base that was never scanned, so the patch includes one full parse.
            state["base"] = SpecDocument.parse(state["base"].text)
            rows["patch"].append(_timed(patch))
            # Warm (the app's case): the base's structure is known and carried over.
            rows["warm"].append(_timed(patch))
            # Three-way: the user edited "vision" since the base was read (not timed).
            cur = sf.read()
            assert cur is not None
            state["base"] = SpecDocument.parse(cur.text)
            path.write_text(
                cur.with_section_body("vision", f"user edit {state['n']}").text, encoding="utf-8"
            )
            rows["three_way"].append(_timed(patch_3way))

    med = {k: statistics.median(v) for k, v in rows.items()}
    ratio_text = statistics.median(p / t for p, t in zip(rows["patch"], rows["text"], strict=True))
    ratio_bytes = statistics.median(
        p / t for p, t in zip(rows["patch"], rows["bytes"], strict=True)
    )
    return {
        "bytes": size,
        "runs": runs,
        "plain_read_write_text_ms": round(med["text"], 3),
        "plain_read_write_bytes_ms": round(med["bytes"], 3),
        "parse_ms": round(med["parse"], 3),
        "patch_ms": round(med["patch"], 3),
        "patch_warm_base_ms": round(med["warm"], 3),
        "patch_three_way_ms": round(med["three_way"], 3),
        "ratio": round(ratio_text, 2),
        "ratio_vs_bytes": round(ratio_bytes, 2),
        "target_ratio": 5.0,
    }


if __name__ == "__main__":
    r = main()
    print(f"SPEC.md: {r['bytes'] / 1e6:.2f} MB; median of {r['runs']} interleaved rounds")
    print(f"plain read_text + write_text:             {r['plain_read_write_text_ms']:8.3f} ms")
    print(f"plain read_bytes + write_bytes:           {r['plain_read_write_bytes_ms']:8.3f} ms")
    print(f"parse (decode + full scan):               {r['parse_ms']:8.3f} ms")
    print(f"patch (read+parse+patch+atomic write):    {r['patch_ms']:8.3f} ms")
    print(f"patch, base already parsed (app's case):  {r['patch_warm_base_ms']:8.3f} ms")
    print(f"patch, three-way (user edited meanwhile): {r['patch_three_way_ms']:8.3f} ms")
    print(
        f"ratio patch / plain text read+write:      {r['ratio']}x (target <= {r['target_ratio']}x)"
    )
    print(f"ratio patch / plain bytes read+write:     {r['ratio_vs_bytes']}x")
