"""One agent interview round through specui vs a bare `codex exec resume` of the same request.

The real Codex CLI talks to the fake Responses server (tests/integration/fake_responses.py),
which answers at once, so what is left is Codex's own start-up plus specui's work around it:
building the request, rendering the prompt, running Codex and reading its events, validating
the reply, the protocol, the SPEC.md patch, the session save and the .omx artifacts.

Each repeat uses a fresh project: the opening question (round 1) is asked, then the timed part:

- specui: from `InterviewDriver.answer()` being called with the answer to the store's
  notification that carries the next question (what the question pane paints from; work
  after it, such as refreshing .omx artifacts, does not delay the question);
- bare:   `codex exec resume <thread> --json --output-schema ... -` with the very prompt specui
  sent that round, on the same thread, right after it.

The same round is then measured in the workbench itself (headless Textual app): from Ctrl+S on
the answer to the next question painted, i.e. the end of the first screen refresh (compositor
update) after the option picker took the question in which its option list is laid out on
screen. The moment the picker holds the question is printed beside it. Both are stamped by
hooks on the picker and the screen, not by polling: a polling loop on the event loop competes
with the round's worker thread for the GIL and delays what it measures.

Target: specui <= 1.1x bare. Two Codex runs of the same request differ by more than specui's
share when the machine is busy, so the ratio is (bare + specui's own time) / bare, where
specui's own time is the round minus the codex process inside it (measured in the same round);
the plain paired wall-clock ratio is printed beside it. Also printed: the prompt sizes that
reach the model (the first turn with the rules, later turns with only what changed).

    python bench/bench_agent_round.py [--repeat N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "integration"))

from fake_responses import FakeResponses

from specui.core.config import parse_config
from specui.core.paths import Project
from specui.core.questions import Answer
from specui.interview.driver import InterviewDriver
from specui.interview.engines.codex import CodexEngine
from specui.store import SessionStore

TARGET = 1.1
LOCAL_CODEX = REPO / ".venv" / "codex" / "node_modules" / ".bin" / "codex"


def _reply(question: dict) -> str:
    return json.dumps({
        "question": question, "why": "bench", "source": "user",
        "scores": [
            {"dimension": "intent", "score": 0.6, "justification": "stated", "gap": "why now"},
            {"dimension": "outcome", "score": 0.4, "justification": "partly", "gap": "end state"},
        ],
        "patches": [{"section": "vision", "body": (
            "- **Problem & Outcome**: keep serving cached JWKS keys for an hour of IdP outage\n"
            "- **Success Metrics**: no auth failures during a one-hour IdP outage\n"
            "- **Target Users**: platform team running the API gateway\n")}],
        "stack_changes": [], "open_questions_added": ["How long may a key stay cached?"],
        "open_questions_resolved": [], "gate_evidence": [], "pressure": None, "deferrals": [],
        "contradictions": [], "context_findings": [], "terminology": [],
        "ready_to_crystallize": False,
    })


OPENING = _reply({"question": "What do you want to build, and why?", "type": "free-text",
                  "options": [], "allow_other": True, "header": None,
                  "dimension": None})
NEXT = _reply({
    "question": "Which of these are out of scope for the first version?",
    "type": "multi-answerable",
    "options": [
        {"label": "Key rotation UI", "value": "ui", "description": "no screens",
         "recommended": True},
        {"label": "Multi-region sync", "value": "regions", "description": "one region",
         "recommended": False},
    ],
    "allow_other": True, "header": "Non-goals", "dimension": "scope",
})


def _codex_home(root: Path, server: FakeResponses) -> Path:
    home = root / "codex-home"
    home.mkdir()
    (home / "config.toml").write_text(
        'model = "fake-model"\nmodel_provider = "fake"\n[model_providers.fake]\n'
        f'name = "Fake"\nbase_url = "{server.base_url}"\nenv_key = "SPECUI_FAKE_API_KEY"\n'
        'wire_api = "responses"\nrequest_max_retries = 0\nstream_max_retries = 0\n'
    )
    return home


def _one(root: Path, n: int, server: FakeResponses) -> tuple[float, float, float, int, int]:
    project_dir = root / f"project-{n}"
    project_dir.mkdir()
    project = Project.at(project_dir)
    store = SessionStore.open(project)
    config = parse_config({"interview": {"engine": "codex", "timeout_seconds": 120}})
    engine = CodexEngine.create(store.state.interview.engine_session.model_copy(), config)
    assert isinstance(engine, CodexEngine)
    driver = InterviewDriver(project, store, config, engine=engine, home=root / "omx-home")
    server.script(OPENING)
    driver.start()
    first_prompt = len(engine.last_prompt)
    if store.state.interview.current is None:
        raise RuntimeError(f"no opening question: {store.state.interview.engine.error}")

    server.script(NEXT)
    wanted = json.loads(NEXT)["question"]["question"]
    ready: list[float] = []

    def painted(session) -> None:  # the store notification the question pane paints from
        current = session.interview.current
        if not ready and current is not None and current.question.question == wanted:
            ready.append(time.perf_counter())

    unsubscribe = store.subscribe(painted)
    start = time.perf_counter()
    driver.answer(Answer(kind="text", value="A JWKS cache that survives an IdP outage."))
    unsubscribe()
    if not ready:
        raise RuntimeError(f"round 2 failed: {store.state.interview.engine.error}")
    through = ready[0] - start
    child = engine.last_run_seconds
    prompt = engine.last_prompt
    bare = _bare(engine, project_dir, prompt, server)
    return through, child, bare, first_prompt, len(prompt)


def _bare(engine: CodexEngine, project_dir: Path, prompt: str, server: FakeResponses) -> float:
    """The same request as specui's last round, by hand: `codex exec resume` on its thread."""
    thread = engine.session.thread_id
    assert thread is not None
    server.script(NEXT)
    schema = project_dir / ".specui" / "engine-reply.schema.json"
    argv = engine.resume_argv(thread, schema)
    start = time.perf_counter()
    done = subprocess.run(argv, input=prompt.encode(), capture_output=True, cwd=project_dir,
                          check=False)
    bare = time.perf_counter() - start
    if done.returncode != 0 or b"agent_message" not in done.stdout:
        raise RuntimeError(f"bare codex exec resume failed: {done.stderr.decode()[-500:]}")
    return bare


async def _one_ui_async(root: Path, n: int, server: FakeResponses) -> tuple[float, float, float, float]:
    """The same round in the workbench (headless): Ctrl+S on the overview answer -> the option
    picker holds the next question -> that question is painted. Returns (holds, painted, codex
    process, bare)."""
    from specui.ui.app import SpecuiApp

    project_dir = root / f"ui-project-{n}"
    project_dir.mkdir()
    project = Project.at(project_dir)
    store = SessionStore.open(project)
    config = parse_config({"interview": {"engine": "codex", "timeout_seconds": 120}})
    engine = CodexEngine.create(store.state.interview.engine_session.model_copy(), config)
    assert isinstance(engine, CodexEngine)
    driver = InterviewDriver(project, store, config, engine=engine, home=root / "omx-home")
    app = SpecuiApp(project, store=store, config=config, engine=driver, make_engine=False,
                    watch=False, blink=False)
    wanted = json.loads(NEXT)["question"]["question"]
    server.script(OPENING)
    async with app.run_test(size=(160, 48)) as pilot:
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        picker = app.query_one("#picker")
        if getattr(picker, "question", None) is None:
            raise RuntimeError(f"no opening question: {store.state.interview.engine.error}")
        screen = app.screen
        choices = picker.query_one("#choices")
        stamps: dict[str, float] = {}
        painted = asyncio.Event()
        hold = picker.set_question
        refresh = screen._compositor_refresh

        def set_question(question, key, draft=None):  # type: ignore[no-untyped-def]
            hold(question, key, draft)
            if question is not None and question.question == wanted:
                stamps.setdefault("holds", time.perf_counter())

        def compositor_refresh() -> None:
            refresh()
            # The first frame after the picker took the question in which its options are
            # laid out (the overview was free text: the list was hidden until this layout).
            if "holds" in stamps and "painted" not in stamps and choices in (
                screen._compositor.visible_widgets
            ):
                stamps["painted"] = time.perf_counter()
                painted.set()

        picker.set_question = set_question  # type: ignore[method-assign]
        screen._compositor_refresh = compositor_refresh  # type: ignore[method-assign]
        server.script(NEXT)
        app.query_one("#free-text").text = "A JWKS cache that survives an IdP outage."
        await pilot.pause()
        start = time.perf_counter()
        await pilot.press("ctrl+s")
        try:
            await asyncio.wait_for(painted.wait(), 120)
        except TimeoutError:
            raise RuntimeError(
                f"round 2 never painted: {store.state.interview.engine.error}"
            ) from None
        await app.workers.wait_for_complete()
    child = engine.last_run_seconds
    bare = _bare(engine, project_dir, engine.last_prompt, server)
    return stamps["holds"] - start, stamps["painted"] - start, child, bare


def main(repeat: int = 5, ui_repeat: int = 5) -> dict:
    codex = str(LOCAL_CODEX) if LOCAL_CODEX.is_file() else shutil.which("codex")
    if codex is None:
        print("   skipped: the Codex CLI is not installed (make tools)")
        return {}
    saved = {k: os.environ.get(k) for k in ("CODEX_HOME", "SPECUI_FAKE_API_KEY", "PATH")}
    server = FakeResponses().start()
    try:
        with tempfile.TemporaryDirectory(prefix="specui-bench-agent-") as tmp:
            root = Path(tmp)
            (root / "omx-home").mkdir()
            os.environ["CODEX_HOME"] = str(_codex_home(root, server))
            os.environ["SPECUI_FAKE_API_KEY"] = "bench"
            os.environ["PATH"] = f"{Path(codex).parent}{os.pathsep}{os.environ['PATH']}"
            _one(root, 0, server)  # warm-up: file caches, Codex's first start
            runs = [_one(root, n, server) for n in range(1, repeat + 1)]
            os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
            ui_runs = [asyncio.run(_one_ui_async(root, n, server)) for n in range(ui_repeat)]
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    through = [r[0] for r in runs]
    own = [r[0] - r[1] for r in runs]  # the round minus the codex process inside it
    bare = [r[2] for r in runs]
    paired = statistics.median(t / b for t, b in zip(through, bare, strict=True))
    # Two codex runs differ by more than specui's share under load (2 shared cores), so the
    # target is judged on the bare run plus specui's own time measured inside the same round.
    ratio = (statistics.median(bare) + statistics.median(own)) / statistics.median(bare)
    print(f"   agent round through specui: median {statistics.median(through) * 1000:.0f} ms "
          f"(min {min(through) * 1000:.0f})")
    print(f"   bare codex exec resume:     median {statistics.median(bare) * 1000:.0f} ms "
          f"(min {min(bare) * 1000:.0f})")
    print(f"   specui's own time per round: median {statistics.median(own) * 1000:.1f} ms "
          f"(min {min(own) * 1000:.1f}; the rest is the codex process)")
    print(f"   ratio (bare + specui's own) / bare: {ratio:.3f}  target <= {TARGET}  "
          f"{'OK' if ratio <= TARGET else 'OVER'}   (paired wall-clock ratio {paired:.3f})")
    ui_bare = [r[3] for r in ui_runs]
    ui_hold = [h - c for h, _, c, _ in ui_runs]  # the picker holds it, minus the codex process
    ui_own = [p - c for _, p, c, _ in ui_runs]  # painted, minus the codex process
    ui_ratio = (statistics.median(ui_bare) + statistics.median(ui_own)) / statistics.median(ui_bare)
    print(f"   in the workbench (Ctrl+S -> next question painted): median "
          f"{statistics.median(p for _, p, _, _ in ui_runs) * 1000:.0f} ms, specui's own "
          f"{statistics.median(ui_own) * 1000:.1f} ms (min {min(ui_own) * 1000:.1f}, max "
          f"{max(ui_own) * 1000:.1f}; the picker held it after "
          f"{statistics.median(ui_hold) * 1000:.1f}); bare {statistics.median(ui_bare) * 1000:.0f} ms; "
          f"ratio {ui_ratio:.3f}  target <= {TARGET}  {'OK' if ui_ratio <= TARGET else 'OVER'}")
    print(f"   prompt sizes: first turn {runs[-1][3]:,} chars (rules + state), "
          f"next turn {runs[-1][4]:,} chars (only what changed)")
    return {
        "specui_round_ms": round(statistics.median(through) * 1000, 1),
        "bare_resume_ms": round(statistics.median(bare) * 1000, 1),
        "own_ms": round(statistics.median(own) * 1000, 1),
        "ratio": round(ratio, 3),
        "paired_ratio": round(paired, 3),
        "ui_own_ms": round(statistics.median(ui_own) * 1000, 1),
        "ui_holds_own_ms": round(statistics.median(ui_hold) * 1000, 1),
        "ui_ratio": round(ui_ratio, 3),
        "first_prompt_chars": runs[-1][3],
        "next_prompt_chars": runs[-1][4],
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--ui-repeat", type=int, default=5)
    args = parser.parse_args()
    main(args.repeat, args.ui_repeat)
