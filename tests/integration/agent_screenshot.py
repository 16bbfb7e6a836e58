"""SVG screenshots of an agent interview round in the workbench, for the README.

    python tests/integration/agent_screenshot.py OUT_DIR [--size 160x48]

The real Codex CLI runs against the fake Responses server (fake_responses.py) on a small
brownfield project made in a temporary directory: after the overview answer the scripted model
makes Codex read two files, then holds its reply. `agent-thinking.svg` is taken while it holds
(the thinking line with elapsed time and Codex's live activity); `agent-question.svg` once the
grounded question is on screen. Nothing outside the temporary directory and OUT_DIR is touched.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

from fake_responses import FakeResponses, Reply

OVERVIEW = (
    "Add an export command to our todo CLI: dump every task as JSON or CSV so people can move "
    "their list into other tools."
)
STORE_PY = '''"""Tasks live in one JSON file next to the user's config."""
import json
from pathlib import Path

PATH = Path.home() / ".todo" / "tasks.json"


def load() -> list[dict]:
    return json.loads(PATH.read_text()) if PATH.exists() else []


def save(tasks: list[dict]) -> None:
    PATH.write_text(json.dumps(tasks))
'''
CLI_PY = '''import argparse

from todo import store


def main() -> None:
    parser = argparse.ArgumentParser(prog="todo")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("add", "list", "done", "rm"):
        sub.add_parser(name)
    args = parser.parse_args()
    print(args.command, len(store.load()))
'''


def _reply(question: dict, **over: object) -> str:
    data = {
        "question": question, "why": "", "source": "user", "scores": [], "patches": [],
        "stack_changes": [], "open_questions_added": [], "open_questions_resolved": [],
        "gate_evidence": [], "pressure": None, "deferrals": [], "contradictions": [],
        "context_findings": [], "terminology": [], "ready_to_crystallize": False,
    }
    data.update(over)
    return json.dumps(data)


OPENING = _reply(
    {"question": "What should this change do for the people who use the todo CLI, and why now?",
     "type": "free-text", "options": [], "allow_other": True, "header": "Overview",
     "dimension": "intent"},
    why="Round 1 asks for intent; the repository is a Python CLI (pyproject.toml, src/todo/).",
)
GROUNDED = _reply(
    {
        "question": "Tasks are one JSON list in ~/.todo/tasks.json (src/todo/store.py). Which of "
                    "these stay out of scope for the export command?",
        "type": "multi-answerable",
        "options": [
            {"label": "Import (reading an export back)", "value": "no-import",
             "description": "Export only; an import command can come later",
             "recommended": True},
            {"label": "Changing the tasks.json format", "value": "no-format-change",
             "description": "Export reads through store.load(); store.py stays as it is",
             "recommended": True},
            {"label": "Sync to a server", "value": "no-sync",
             "description": "Files on disk only, no network", "recommended": False},
        ],
        "allow_other": True, "header": "Non-goals", "dimension": "scope",
    },
    why="Non-goals gate, grounded in store.py and cli.py: what the export must not touch.",
    source="code",
    scores=[
        {"dimension": "intent", "score": 0.7, "justification": "move lists into other tools",
         "gap": "which tools"},
        {"dimension": "outcome", "score": 0.5, "justification": "every task as JSON or CSV",
         "gap": "which fields"},
        {"dimension": "scope", "score": 0.3, "justification": "one new subcommand",
         "gap": "non-goals not explicit"},
        {"dimension": "context", "score": 0.6, "justification": "read store.py and cli.py",
         "gap": "no tests seen"},
    ],
    patches=[{"section": "vision", "body": (
        "- **Problem & Outcome**: people want to move their todo list into other tools; a new "
        "`todo export` command writes every task as JSON or CSV\n"
        "- **Success Metrics**: <quantitative & qualitative>\n"
        "- **Target Users**: <who benefits>\n")}],
    context_findings=[
        {"path": "src/todo/store.py", "finding": "tasks are a JSON list in ~/.todo/tasks.json",
         "basis": "evidence", "touchpoint": True},
        {"path": "src/todo/cli.py", "finding": "subcommands add, list, done, rm (argparse)",
         "basis": "evidence", "touchpoint": True},
    ],
)


def _project(root: Path) -> Path:
    project = root / "todo"
    (project / "src" / "todo").mkdir(parents=True)
    (project / "pyproject.toml").write_text('[project]\nname = "todo"\nversion = "0.3.0"\n')
    (project / "src" / "todo" / "__init__.py").write_text("")
    (project / "src" / "todo" / "store.py").write_text(STORE_PY)
    (project / "src" / "todo" / "cli.py").write_text(CLI_PY)
    (project / "README.md").write_text("# todo\n\nA small todo list for the terminal.\n")
    (project / "specui.toml").write_text('[interview]\nengine = "codex"\ntimeout_seconds = 120\n')
    return project


async def _shoot(out_dir: Path, size: tuple[int, int], server: FakeResponses, root: Path) -> None:
    from specui.core.config import load_config
    from specui.core.paths import Project
    from specui.store import SessionStore
    from specui.ui.app import SpecuiApp
    from specui.ui.services.boot import load_engine

    project = Project.at(_project(root))
    store = SessionStore.open(project)
    config = load_config(project)
    app = SpecuiApp(project, store=store, config=config, engine=load_engine(project, store, config),
                    make_engine=False, watch=False, blink=False)
    server.script(OPENING)
    async with app.run_test(size=size) as pilot:

        async def settle() -> None:
            for _ in range(3):
                await app.workers.wait_for_complete()
                await pilot.pause()

        await settle()
        server.script(
            Reply(call={"name": "exec_command", "arguments": {"cmd": "cat src/todo/store.py"}}),
            Reply(call={"name": "exec_command", "arguments": {"cmd": "rg -n add_parser src"}}),
            Reply(mode="hang", text=GROUNDED),
        )
        app.query_one("#free-text").text = OVERVIEW
        await pilot.press("ctrl+s")
        while not server.hanging.is_set():
            await pilot.pause(0.1)
        await pilot.pause(3.2)  # a few seconds of thinking, as a person would see them
        app.workbench.apply_session()
        await pilot.pause()
        (out_dir / "agent-thinking.svg").write_text(app.export_screenshot(), encoding="utf-8")
        server.release.set()
        await settle()
        (out_dir / "agent-question.svg").write_text(app.export_screenshot(), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python tests/integration/agent_screenshot.py")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--size", default="160x48", help="COLSxROWS (default 160x48)")
    args = parser.parse_args(argv)
    cols, _, rows = args.size.partition("x")
    codex = REPO / ".venv" / "codex" / "node_modules" / ".bin" / "codex"
    if not codex.is_file() and shutil.which("codex") is None:
        raise SystemExit("the Codex CLI is not installed (make tools)")
    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
    server = FakeResponses().start()
    try:
        with tempfile.TemporaryDirectory(prefix="specui-agent-shot-") as tmp:
            root = Path(tmp)
            home = root / "codex-home"
            home.mkdir()
            (home / "config.toml").write_text(
                'model = "gpt-5-codex"\nmodel_provider = "fake"\n[model_providers.fake]\n'
                f'name = "Fake"\nbase_url = "{server.base_url}"\n'
                'env_key = "SPECUI_FAKE_API_KEY"\nwire_api = "responses"\n'
                "request_max_retries = 0\nstream_max_retries = 0\n"
            )
            os.environ.update(CODEX_HOME=str(home), SPECUI_FAKE_API_KEY="screenshot",
                              HOME=str(root / "home"))
            if codex.is_file():
                os.environ["PATH"] = f"{codex.parent}{os.pathsep}{os.environ['PATH']}"
            args.out_dir.mkdir(parents=True, exist_ok=True)
            asyncio.run(_shoot(args.out_dir, (int(cols), int(rows)), server, root))
    finally:
        server.stop()
    print(f"wrote {args.out_dir / 'agent-thinking.svg'} and {args.out_dir / 'agent-question.svg'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
