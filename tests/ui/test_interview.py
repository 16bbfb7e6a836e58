"""A whole interview with the real offline (builtin) engine, keyboard only, from an empty
directory to crystallization: SPEC.md, the store, the artifacts, the progress line and the
ambiguity figures are checked along the way."""

from __future__ import annotations

import re

from specui.core.ambiguity import ambiguity_percent
from specui.core.config import SpecuiConfig
from specui.store import SessionStore
from specui.ui.app import SpecuiApp
from specui.ui.widgets.option_picker import OptionPicker
from specui.ui.widgets.progress_line import ProgressLine

from .conftest import LARGE, settle

OVERVIEW = (
    "A command-line todo manager for developers who live in the terminal. v1 adds, lists, "
    "completes and deletes tasks stored locally in one SQLite file; it starts instantly."
)


def screen_percent(app, selector: str, pattern: str) -> int:
    text = str(app.query_one(selector).render()) if selector != "#ambiguity-body" else ""
    if selector == "#ambiguity-body":
        body = app.query_one(selector)
        text = "\n".join(s.text for s in body.render_lines(body.region.reset_offset))
    match = re.search(pattern, text)
    assert match, text
    return int(match.group(1))


async def test_whole_interview_to_crystallization(project):
    store = SessionStore.open(project)
    app = SpecuiApp(project, store=store, config=SpecuiConfig(), watch=False, blink=False)
    checked_rounds = 0
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        assert project.spec.exists() and project.stack.exists()  # bootstrap
        picker = app.query_one(OptionPicker)
        for _ in range(80):
            iv = store.state.interview
            if iv.current is None:  # the validation pass may follow crystallization
                break
            # What the screen says matches the store, at every round.
            header = str(app.query_one("#q-header").render())
            if iv.current.phase == "validation":  # numbered apart from the capped rounds
                assert header.startswith(f"Validation {iv.current.round} | Section: ")
            else:
                assert header.startswith(f"Round {iv.current.round} | Target: ")
                assert iv.current.round <= iv.max_rounds
            shown = screen_percent(app, "#q-header", r"Ambiguity: (\d+)%")
            assert shown == ambiguity_percent(iv.ambiguity)
            assert screen_percent(app, "#ambiguity-body", r"Ambiguity (\d+)%") == shown
            checked_rounds += 1
            question = picker.question
            assert question is not None
            if question.is_free_text:
                app.query_one("#free-text").text = OVERVIEW
                await pilot.press("ctrl+s")
            else:
                rec = next((i for i, o in enumerate(question.options) if o.recommended), 0)
                await pilot.press(str(rec + 1), "enter")
            await settle(pilot)
            assert not picker.busy or store.state.interview.current is None
        await settle(pilot)
        iv = store.state.interview
        # The interview ended by the protocol's rules, whatever the engine chose.
        assert iv.status in ("crystallized", "exited"), (iv.status, iv.engine)
        assert checked_rounds >= 4 and iv.rounds_done <= iv.max_rounds
        if iv.end_reason == "threshold":
            assert iv.ambiguity <= iv.threshold
            assert iv.gates.non_goals and iv.gates.decision_boundaries and iv.gates.pressure_pass
        else:  # the hard cap: said so, and the residual risk is in SPEC.md itself
            assert iv.end_reason == "hard_cap" and iv.residual_risk
            assert "Residual risk" in project.spec.read_text()
        # Seed 004 artifacts.
        interviews = list(project.omx_interviews.glob("*.md"))
        specs = list(project.omx_specs.glob("deep-interview-*.md"))
        assert interviews and specs
        # SPEC.md holds the user's words; the finish view and the progress line agree.
        spec = project.spec.read_text()
        assert "todo manager" in spec
        progress = app.query_one(ProgressLine)
        final = len(store.state.spec.final_hashes)
        assert progress.percent == app.workbench.spec_snapshot.percent
        assert final == app.workbench.spec_snapshot.final_count
        finish = str(app.query_one("#finish-body").render())
        assert app.query_one("#finish").display
        assert f"{progress.percent}%" in finish
        if iv.finished:  # seed 000's finish: every section final, 100%
            assert progress.percent == 100 and "SPEC complete" in finish


async def test_external_edit_survives_the_next_real_patch(project):
    import os

    store = SessionStore.open(project)
    app = SpecuiApp(project, store=store, config=SpecuiConfig(), watch=True, blink=False)
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        app.query_one("#free-text").text = OVERVIEW
        await pilot.press("ctrl+s")
        await settle(pilot)
        before_rounds = len(store.state.interview.rounds)
        text = project.spec.read_text()
        marker = "- **Glossary**: task = one line item; KEEP-THIS-USER-EDIT"
        head, sep, tail = text.partition("## 16. Terminology\n")
        assert sep
        edited = head + sep + marker + "\n\n## " + tail.split("\n## ", 1)[1]
        tmp = project.root / ".SPEC.md.tmp"
        tmp.write_text(edited)
        os.replace(tmp, project.spec)
        # The view follows the file (watcher), then the next answer patches SPEC.md.
        for _ in range(100):
            snap = app.workbench.spec_snapshot
            if snap and "KEEP-THIS-USER-EDIT" in (snap.texts.get("terminology") or ""):
                break
            await pilot.pause(0.02)
        else:
            raise AssertionError("external edit not picked up")
        question = app.query_one(OptionPicker).question
        assert question is not None and not question.is_free_text
        await pilot.press("1", "enter")
        await settle(pilot)
        assert len(store.state.interview.rounds) == before_rounds + 1
        assert "KEEP-THIS-USER-EDIT" in project.spec.read_text()


# --------------------------------------------------------------------------- agent rounds


class _Scripted:
    """An engine for the real driver: waits for `go` (so the test sees the thinking state),
    fails while `fail` holds messages, reports one activity line per round."""

    name = "scripted"
    spawns = False  # no agent process: the driver records the round as running before run_turn

    def __init__(self) -> None:
        import threading

        from specui.interview.engines.base import EngineSession

        self.session = EngineSession(engine="scripted")
        self.go = threading.Event()
        self.go.set()
        self.fail: list[str] = []

    def run_turn(self, request, *, feedback, on_activity, cancel, timeout) -> str:
        import json

        from specui.interview.engines.base import EngineCancelled, EngineError

        on_activity("reading src/app.py")
        while not self.go.wait(0.02):
            if cancel.is_set():
                raise EngineCancelled("cancelled")
        if self.fail:
            raise EngineError(self.fail.pop(0))
        d = request.directive
        free = d.kind == "overview"
        return json.dumps(
            {
                "question": {
                    "question": "Give an overview." if free else f"Question {d.round}?",
                    "type": "free-text" if free else "single-answerable",
                    "options": []
                    if free
                    else [
                        {"label": "Yes", "value": "yes", "description": "", "recommended": True},
                        {"label": "No", "value": "no", "description": "", "recommended": False},
                    ],
                    "allow_other": True,
                    "header": None,
                    "dimension": None,
                },
                "why": "the weakest dimension",
                "source": "user",
                "scores": [],
                "patches": [],
                "stack_changes": [],
                "open_questions_added": [],
                "open_questions_resolved": [],
                "gate_evidence": [],
                "pressure": {
                    "revisits_round": request.transcript[-1].round,
                    "kind": d.pressure_kind or "evidence",
                }
                if d.pressure_followup
                else None,
                "deferrals": [],
                "contradictions": [],
                "context_findings": [],
                "terminology": [],
                "ready_to_crystallize": False,
            }
        )


def _agent_app(project):
    from specui.interview.driver import InterviewDriver

    store = SessionStore.open(project)
    engine = _Scripted()
    driver = InterviewDriver(project, store, SpecuiConfig(), engine=engine)  # type: ignore[arg-type]
    app = SpecuiApp(
        project, store=store, config=SpecuiConfig(), engine=driver, watch=False, blink=False
    )
    return app, store, engine


async def _fail_the_overview_round(pilot, app, engine) -> None:
    """The overview answer is submitted and its engine round fails (the answer is kept)."""
    await settle(pilot)
    engine.fail = ["the server did not answer within 300 s"]
    app.query_one("#free-text").text = OVERVIEW
    await pilot.press("ctrl+s")
    await settle(pilot)


async def test_thinking_shows_elapsed_time_and_activity_and_esc_cancels(project):
    app, store, engine = _agent_app(project)
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        assert store.state.interview.current.round == 1
        engine.go.clear()
        app.query_one("#free-text").text = OVERVIEW
        await pilot.press("ctrl+s")
        for _ in range(100):
            await pilot.pause(0.02)
            if store.state.interview.engine.status == "thinking":
                break
        app.workbench.apply_session()
        line = str(app.query_one("#q-engine").render())
        assert "scripted is thinking 0:0" in line and "reading src/app.py" in line
        assert "Esc cancels" in line
        await pilot.press("escape")
        await settle(pilot)
        iv = store.state.interview
        assert iv.engine.status == "idle" and iv.rounds == [] and iv.current.round == 1
        assert "cancelled" in str(app.query_one("#q-engine").render())


async def test_a_failed_round_shows_one_error_with_retry_and_offline_keys(project):
    app, store, engine = _agent_app(project)
    async with app.run_test(size=LARGE) as pilot:
        await _fail_the_overview_round(pilot, app, engine)
        iv = store.state.interview
        assert iv.engine.status == "error" and iv.current.round == 1 and iv.rounds == []
        line = str(app.query_one("#q-engine").render())
        assert "the server did not answer within 300 s" in line
        assert "r retry · o switch to the offline engine" in line
        app.set_focus(None)
        await pilot.press("r")
        await settle(pilot)
        iv = store.state.interview
        assert iv.engine.status == "idle" and iv.current.round == 2 and len(iv.rounds) == 1
        assert iv.rounds[0].answer.value == OVERVIEW


async def test_reopened_after_a_failed_round_the_kept_answer_is_on_screen(project):
    # Trial H13: reopened, the error offered `r retry` over an empty box; r sent an answer
    # nothing on screen showed.
    app, store, engine = _agent_app(project)
    async with app.run_test(size=LARGE) as pilot:
        await _fail_the_overview_round(pilot, app, engine)
        assert store.state.interview.engine.status == "error"
    app2, store2, _engine2 = _agent_app(project)
    async with app2.run_test(size=LARGE) as pilot:
        await settle(pilot)
        assert store2.state.interview.engine.status == "error"
        assert app2.query_one("#free-text").text == OVERVIEW


async def test_after_a_failed_round_r_retries_instead_of_typing_into_the_answer(project):
    # Found in tmux: the error line offered "r retry · o …" while the free-text box kept the
    # focus, so `o` was appended to the submitted answer.
    app, store, engine = _agent_app(project)
    async with app.run_test(size=LARGE) as pilot:
        await _fail_the_overview_round(pilot, app, engine)
        assert store.state.interview.engine.status == "error"
        assert not app.workbench.typing()
        await pilot.press("r")
        await settle(pilot)
        iv = store.state.interview
        assert iv.engine.status == "idle" and iv.rounds[0].answer.value == OVERVIEW


async def test_quitting_during_a_round_ends_it_and_the_next_start_runs_it_again(project):
    from specui.interview.driver import InterviewDriver

    app, store, engine = _agent_app(project)
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        engine.go.clear()
        app.query_one("#free-text").text = OVERVIEW
        await pilot.press("ctrl+s")
        for _ in range(100):
            await pilot.pause(0.02)
            if store.state.interview.engine.status == "thinking":
                break
    # The app is gone: the engine saw the cancel, the answer is still on record.
    iv = SessionStore.open(project).state.interview
    assert iv.engine.status == "thinking" and iv.engine.pending_answer.value == OVERVIEW
    engine.go.set()
    store2 = SessionStore.open(project)
    InterviewDriver(project, store2, SpecuiConfig(), engine=engine).start()  # type: ignore[arg-type]
    iv = store2.state.interview
    assert iv.rounds_done == 1 and iv.rounds[0].answer.value == OVERVIEW
    assert iv.current.round == 2


async def test_esc_on_a_round_another_specui_runs_says_where_it_runs(project):
    # Trial H9: the workbench followed `specui interview --answer`'s round, Esc said
    # "Cancelling the round…" and cancelled nothing.
    import asyncio

    from specui.runner.procid import identify

    app, store, _engine = _agent_app(project)
    other = await asyncio.create_subprocess_exec("sleep", "30")
    try:
        async with app.run_test(size=LARGE) as pilot:
            await settle(pilot)
            ident = identify(other.pid)

            def owned(s):
                s.interview.engine.status = "thinking"
                s.interview.engine.name = "codex"
                s.interview.engine.owner_pid = other.pid
                s.interview.engine.owner_start = ident.start_time
                s.interview.engine.owner_boot = ident.boot_id

            store.update(owned)
            await settle(pilot)
            line = str(app.query_one("#q-engine").render())
            assert f"in another specui, pid {other.pid}" in line and "Esc cancels" not in line
            assert app.workbench.footer_shows("cancel_round") is False  # no "esc Cancel round"
            await pilot.press("escape")
            await settle(pilot)
            assert any(f"runs in another specui (pid {other.pid})" in str(n.message)
                       for n in app._notifications)
            assert store.state.interview.engine.status == "thinking"
            assert not any("Cancelling" in str(n.message) for n in app._notifications)
    finally:
        other.kill()
        await other.wait()


async def test_a_failed_offline_round_offers_retry_only(project):
    """The offline engine's round failed (a read-only SPEC.md): `o` would switch to itself."""
    from specui.interview.driver import InterviewDriver

    store = SessionStore.open(project)
    driver = InterviewDriver(project, store, SpecuiConfig())
    app = SpecuiApp(project, store=store, config=SpecuiConfig(), engine=driver, watch=False,
                    blink=False)
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        project.spec.chmod(0o444)
        app.query_one("#free-text").text = OVERVIEW
        await pilot.press("ctrl+s")
        await settle(pilot)
        iv = store.state.interview
        assert iv.engine.status == "error" and iv.engine.name == "builtin"
        lines = str(app.query_one("#q-engine").render()).splitlines()
        assert lines[0].startswith("✗ builtin: SPEC.md is read-only")
        assert lines[1] == "r retry"
        app.set_focus(None)
        await pilot.pause()
        assert app.screen.check_action("offline_round", ()) is False
        assert app.screen.footer_shows("offline_round") is False
        project.spec.chmod(0o644)
        await pilot.press("r")
        await settle(pilot)
        assert store.state.interview.current.round == 2


async def test_reopened_after_a_failed_round_r_retries(project):
    """trial4 J14: reopened after a failed round, the answer box took the focus after the
    error was shown, so `r` (as the error line says) was typed into the kept answer."""
    from specui.interview.driver import InterviewDriver

    store = SessionStore.open(project)
    driver = InterviewDriver(project, store, SpecuiConfig())
    driver.start()
    project.spec.chmod(0o444)  # the round fails: SPEC.md is read-only
    from specui.core.questions import Answer

    driver.answer(Answer(kind="text", value=OVERVIEW))
    assert store.state.interview.engine.status == "error"
    project.spec.chmod(0o644)
    app = SpecuiApp(project, watch=False, blink=False)  # the real start, as `specui` does
    async with app.run_test(size=LARGE) as pilot:
        for _ in range(100):
            await pilot.pause(0.02)
            if app.store is not None and app.engine is not None and app.workbench.live:
                break
        await settle(pilot)
        await pilot.pause(0.2)
        assert app.query_one("#free-text").text == OVERVIEW
        assert not app.workbench.typing()
        await pilot.press("r")
        await settle(pilot)
        iv = app.store.state.interview
        assert iv.engine.status == "idle" and iv.rounds[0].answer.value == OVERVIEW
