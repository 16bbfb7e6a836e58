"""Workbench responsiveness, measured side by side in one run.

1. Startup: process start -> first painted frame (headless, Textual's `Ready` event) ->
   the first question on screen (what a user waits for: painted from the saved session.json,
   whichever comes first of that peek and the store's render) -> the session attached (config
   and store loaded, the question rendered from the store, answers accepted), through the real
   entry point (`specui DIR`, with a specui.toml, SPEC.md and a session on disk), next to
   `python -c "import textual.app"`, all up to a timestamp the child prints.
   Targets: first frame <= 1.5x, question <= 2.5x the import.
2. SPEC.md changed on disk -> the SPEC.md view repainted with the change, for 4, 17 and 50 KiB
   specs (the selected section holds most of the text: the worst case). Target: p50 < 100 ms.
3. Keypress -> repaint latency while SPEC.md is rewritten 10 times a second (50 KiB, the
   selected section changing each time, so the view really re-renders). Target: p95 < 50 ms.

    python bench/bench_ui.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = textwrap.dedent(
    """
    import sys, time

    def stamp(tag):
        # Textual captures print() while running: write to the real stdout.
        sys.__stdout__.write(f"{tag} {time.time():.6f}\\n")
        sys.__stdout__.flush()

    # The real entry point (`specui DIR` -> cli.main -> run_app -> SpecuiApp), headless.
    from specui.ui import app as ui_app
    from specui.ui.screens.workbench import WorkbenchScreen

    class BenchScreen(WorkbenchScreen):
        _question_shown = False
        _attached_shown = False

        def _painted(self, tag):
            self.call_after_refresh(stamp, tag)

        def show_saved(self, saved) -> None:
            super().show_saved(saved)
            if not self._question_shown:  # painted from session.json before the store loads
                self._question_shown = True
                self._painted("QUESTION")

        def apply_session(self) -> None:
            super().apply_session()
            store = self.app.store
            current = store.state.interview.current if store else None
            if current is not None and not self._attached_shown:
                # The question's text is in its widget: stamp once that frame is painted.
                self._attached_shown = True
                if not self._question_shown:
                    self._question_shown = True
                    self._painted("QUESTION")
                self.call_after_refresh(lambda: (stamp("ATTACHED"), self.app.exit()))

    class Bench(ui_app.SpecuiApp):
        def get_default_screen(self) -> WorkbenchScreen:
            self.workbench = BenchScreen()
            return self.workbench

        def on_ready(self) -> None:  # Textual also calls SpecuiApp.on_ready
            stamp("PAINTED")

        def run(self, **_kwargs):
            return super().run(headless=True, size=(160, 48))

    ui_app.SpecuiApp = Bench
    import specui.cli
    from specui.cli import main

    specui.cli._isatty = lambda _stream: True  # headless: stdout is the bench's pipe

    sys.exit(main([sys.argv[1]]))
    """
)

BARE = "import time, textual.app; print('DONE', f'{time.time():.6f}')"

CONFIG = """\
# specui.toml as a user would have it: parsed and validated on every start.
[interview]
engine = "builtin"
profile = "standard"

[runner]
stall_minutes = 10

[ui]
theme = "specui-dark"
"""


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("TEXTUAL_ANIMATIONS", "none")
    # Both sides load cached bytecode (textual's was compiled when it was installed, as pip does
    # for specui too): without this the warm-up writes none and every specui module edited since
    # its last .pyc is compiled from source on each run, counted against the app.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _stamps(argv: list[str]) -> dict[str, float]:
    """Run argv; seconds from just before the spawn to each `TAG <epoch>` line it prints."""
    start = time.time()
    out = subprocess.run(
        argv, check=True, env=_env(), capture_output=True, text=True, cwd=ROOT
    ).stdout
    stamps = {}
    for line in out.splitlines():
        tag, _, value = line.partition(" ")
        if tag.isupper() and value:
            stamps[tag] = float(value) - start
    return stamps


def bench_startup(repeat: int) -> dict[str, float]:
    """Same definition on both sides: from the spawn to a timestamp the child prints when it is
    done (`import textual.app` finished / first frame painted). Whole-process time of the bare
    import (what the issue quotes; it also counts interpreter teardown) is reported beside it."""
    bare: list[float] = []
    bare_whole: list[float] = []
    first_paint: list[float] = []
    interactive: list[float] = []
    attached: list[float] = []
    with tempfile.TemporaryDirectory(prefix="specui-bench-ui-") as tmp:
        project = Path(tmp) / "demo"
        project.mkdir()
        (project / "specui.toml").write_text(CONFIG)
        script = Path(tmp) / "child.py"
        script.write_text(CHILD)
        app_argv = [sys.executable, str(script), str(project)]
        bare_argv = [sys.executable, "-c", BARE]
        # Warm-up: page cache, and the first run bootstraps SPEC.md and the session, as a
        # returning user has them.
        _stamps(bare_argv)
        _stamps(app_argv)
        for _ in range(repeat):
            bare.append(_stamps(bare_argv)["DONE"])
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", "import textual.app"], check=True, env=_env())
            bare_whole.append(time.perf_counter() - start)
            stamps = _stamps(app_argv)
            first_paint.append(stamps["PAINTED"])
            interactive.append(stamps["QUESTION"])
            attached.append(stamps["ATTACHED"])
    b, f = statistics.median(bare), statistics.median(first_paint)
    q = statistics.median(interactive)
    return {
        "bare_import_s": b,
        "bare_import_whole_process_s": statistics.median(bare_whole),
        "first_paint_s": f,
        "interactive_s": q,
        "attached_s": statistics.median(attached),
        "attached_ratio": statistics.median(attached) / b,
        "ratio": f / b,
        "interactive_ratio": q / b,
    }


def _spec_text(kib: int, marker: str) -> str:
    from specui.core.spec import render_spec_template

    template = render_spec_template("bench")
    lines: list[str] = []
    size = 0  # running total: the generator stays linear in the size asked for
    i = 0
    while size < kib * 1024 * 0.9:
        new: list[str] = []
        if i % 40 == 0:
            new.append(f"\n### Part {i // 40}\n")
        if i % 97 == 5:
            new += ["```python", f"def handler_{i}(request):", "    return request", "```"]
        new.append(f"- **Requirement {i}**: the system keeps task {i} durable; `todo {i}` works.")
        lines += new
        size += sum(len(line) + 1 for line in new)
        i += 1
    body = marker + "\n" + "\n".join(lines) + "\n"
    start = template.index("## 1. Vision & Goals\n") + len("## 1. Vision & Goals\n")
    end = template.index("## 2.")
    text = template[:start] + body + "\n" + template[end:]
    # Pad the other sections a little so the file reaches the size asked for.
    return text


async def _change_to_repaint(kib: int, samples: int) -> list[float]:
    from specui.core.config import SpecuiConfig
    from specui.core.fsio import atomic_write_text
    from specui.core.paths import Project
    from specui.store import SessionStore
    from specui.ui.app import SpecuiApp
    from specui.ui.widgets.spec_view import SpecView

    latencies: list[float] = []
    with tempfile.TemporaryDirectory(prefix="specui-bench-ui-") as tmp:
        root = Path(tmp) / "demo"
        root.mkdir()
        project = Project.at(root)
        atomic_write_text(project.spec, _spec_text(kib, "marker-0"))
        store = SessionStore.open(project)
        app = SpecuiApp(
            project,
            store=store,
            config=SpecuiConfig(),
            engine=None,
            make_engine=False,
            watch=True,
            blink=False,
        )
        view_cls = SpecView
        shown: dict[str, asyncio.Event] = {}
        original = view_cls.show_snapshot

        def spy(view, snapshot):  # type: ignore[no-untyped-def]
            original(view, snapshot)
            text = snapshot.texts.get("vision") or ""
            for marker, event in list(shown.items()):
                if marker in text:
                    view.app.call_after_refresh(event.set)

        view_cls.show_snapshot = spy  # type: ignore[method-assign]
        try:
            async with app.run_test(size=(160, 48)) as pilot:
                await pilot.pause(0.3)
                assert app.file_watch is not None and app.file_watch.watcher.ready.wait(5)
                for n in range(1, samples + 1):
                    marker = f"marker-{n}"
                    event = asyncio.Event()
                    shown[marker] = event
                    text = _spec_text(kib, marker)
                    start = time.perf_counter()
                    await asyncio.to_thread(atomic_write_text, project.spec, text)
                    await asyncio.wait_for(event.wait(), 5)
                    latencies.append(time.perf_counter() - start)
                    shown.pop(marker)
                    await pilot.pause(0.05)
        finally:
            view_cls.show_snapshot = original  # type: ignore[method-assign]
    return latencies


async def _keypress_latency(presses: int) -> list[float]:
    from specui.core.config import SpecuiConfig
    from specui.core.fsio import atomic_write_text
    from specui.core.interview.state import PendingQuestion
    from specui.core.paths import Project
    from specui.core.questions import Question
    from specui.store import SessionStore
    from specui.ui.app import SpecuiApp

    latencies: list[float] = []
    with tempfile.TemporaryDirectory(prefix="specui-bench-ui-") as tmp:
        root = Path(tmp) / "demo"
        root.mkdir()
        project = Project.at(root)
        atomic_write_text(project.spec, _spec_text(50, "w-0"))
        store = SessionStore.open(project)
        question = Question.model_validate(
            {"question": "Pick one", "options": [{"label": f"Option {i}"} for i in range(6)]}
        )

        def seed(s):  # type: ignore[no-untyped-def]
            s.interview.status = "active"
            s.interview.current = PendingQuestion(question=question, round=1, dimension="intent")

        store.update(seed)
        app = SpecuiApp(
            project,
            store=store,
            config=SpecuiConfig(),
            engine=None,
            make_engine=False,
            watch=True,
            blink=False,
        )
        stop = threading.Event()

        # Built up front: an editor saving a file costs the workbench's process nothing, so the
        # writer thread must not spend this process's GIL building 50 KiB of text per save.
        versions = [_spec_text(50, f"w-{n}") for n in range(1, 21)]

        def rewrite() -> None:
            n = 0
            while not stop.is_set():
                atomic_write_text(project.spec, versions[n % len(versions)])
                n += 1
                stop.wait(0.1)

        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.pause(0.3)
            writer = threading.Thread(target=rewrite, daemon=True)
            writer.start()
            try:
                from textual import events

                choices = app.query_one("#choices")
                for i in range(presses):
                    key = "down" if (i // 5) % 2 == 0 else "up"
                    before = choices.highlighted
                    painted = asyncio.Event()
                    # Straight into the driver's queue, as a terminal keypress arrives (Pilot's
                    # press() also waits for the process to go idle, which a 10x/s writer
                    # never lets it do).
                    event = events.Key(key, None)
                    event.set_sender(app)
                    start = time.perf_counter()
                    app._driver.send_message(event)
                    while choices.highlighted == before:
                        await asyncio.sleep(0.0005)
                    app.call_after_refresh(painted.set)
                    await asyncio.wait_for(painted.wait(), 5)
                    latencies.append(time.perf_counter() - start)
                    await asyncio.sleep(0.013)  # typing-speed spacing, off the write rhythm
            finally:
                stop.set()
                writer.join(2)
    return latencies


def main(quick: bool = False) -> dict[str, float]:
    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
    results: dict[str, float] = {}
    startup = bench_startup(3 if quick else 9)
    print(
        f"startup (medians, spawn -> stamp on each side): `import textual.app` "
        f"{startup['bare_import_s'] * 1000:.0f} ms (whole process "
        f"{startup['bare_import_whole_process_s'] * 1000:.0f} ms); first painted frame "
        f"{startup['first_paint_s'] * 1000:.0f} ms = {startup['ratio']:.2f}x (target <= 1.5x); "
        f"first question on screen {startup['interactive_s'] * 1000:.0f} ms = "
        f"{startup['interactive_ratio']:.2f}x (target <= 2.5x); session attached "
        f"{startup['attached_s'] * 1000:.0f} ms = {startup['attached_ratio']:.2f}x"
    )
    results.update({f"startup_{k}": v for k, v in startup.items()})
    for kib in (4, 17, 50):
        lat = asyncio.run(_change_to_repaint(kib, 8 if quick else 20))
        p50 = statistics.median(lat) * 1000
        print(
            f"SPEC.md change -> repaint, {kib:>2} KiB: p50 {p50:.0f} ms, "
            f"max {max(lat) * 1000:.0f} ms (n={len(lat)}, target p50 < 100 ms at 50 KiB)"
        )
        results[f"change_repaint_{kib}kib_p50_ms"] = p50
    lat = asyncio.run(_keypress_latency(40 if quick else 120))
    p95 = _pct(lat, 0.95) * 1000
    print(
        f"keypress -> repaint while SPEC.md is rewritten 10x/s: p50 "
        f"{statistics.median(lat) * 1000:.0f} ms, p95 {p95:.0f} ms, max {max(lat) * 1000:.0f} ms "
        f"(n={len(lat)}, target p95 < 50 ms)"
    )
    results["keypress_p95_ms"] = p95
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    main(parser.parse_args().quick)
