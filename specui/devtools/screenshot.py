"""Export an SVG screenshot of the workbench for the README.

    python -m specui.devtools.screenshot OUT.svg [--size 160x48] [--theme specui-dark]

Runs headless on a temporary copy of the sample project with the offline interviewer, answers
the first questions through the keyboard (as a user would), and saves Textual's SVG export.
Nothing outside the temporary directory is touched.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path

OVERVIEW = (
    "A command-line todo manager for developers who live in the terminal: add, list, "
    "complete and delete tasks stored locally in one file; instant start, pipe-friendly output."
)


async def _shoot(out: Path, size: tuple[int, int], theme: str) -> None:
    from specui.core.config import SpecuiConfig, UIConfig
    from specui.core.paths import Project
    from specui.devtools.sample import prepare
    from specui.store import SessionStore
    from specui.ui.app import SpecuiApp
    from specui.ui.services.boot import load_engine

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "todo-cli"
        prepare(root)
        project = Project.at(root)
        store = SessionStore.open(project)
        config = SpecuiConfig(ui=UIConfig(theme=theme))
        engine = load_engine(project, store, config)
        app = SpecuiApp(
            project,
            store=store,
            config=config,
            engine=engine,
            make_engine=False,
            watch=False,
            blink=False,
        )
        async with app.run_test(size=size) as pilot:

            async def settle() -> None:
                for _ in range(3):
                    await app.workers.wait_for_complete()
                    await pilot.pause()

            await settle()
            picker = app.query_one("#picker")
            for _ in range(2):  # answer the first rounds like a user would
                question = getattr(picker, "question", None)
                if question is None:
                    break
                if question.is_free_text:
                    app.query_one("#free-text").text = OVERVIEW
                    await pilot.press("ctrl+s")
                else:
                    await pilot.press("1", "enter")
                await settle()
            await pilot.press("f3")  # SPEC.md beside the answer (focus stays on the answer)
            await settle()
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(app.export_screenshot(), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m specui.devtools.screenshot")
    parser.add_argument("out", type=Path)
    parser.add_argument("--size", default="160x48", help="COLSxROWS (default 160x48)")
    parser.add_argument("--theme", default="specui-dark")
    args = parser.parse_args(argv)
    cols, _, rows = args.size.partition("x")
    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
    asyncio.run(_shoot(args.out, (int(cols), int(rows)), args.theme))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
