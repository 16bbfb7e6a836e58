"""The interview driver: the one path the workbench and `specui interview` use.

It runs the protocol (`specui.core.interview.policy`) around an engine:

    answer -> decide the directive -> engine.run_turn (in the caller's worker thread)
           -> parse_reply + check_reply (one retry with the problems as feedback)
           -> apply_reply -> settle -> journal -> SPEC.md patch (spec_repo) + stack.toml
           -> session save -> journal cleared -> .omx artifacts refreshed

A failed round (engine error, timeout, a reply invalid twice) leaves ONE error in the store
(`interview.engine.error`) with the answer kept as `pending_answer`: rounds, scores, the
question on screen and SPEC.md are unchanged, and `retry()` or `switch_to_offline()` run the
round again. Esc (`cancel()`) ends the round; the answer is not recorded.

Crash safety: the SPEC.md patch and the session record of one answer are one
recoverable step. `.specui/journal.json` is written before the patch (the changes, the text they
were computed from, the session state to save) and removed after the session save; `start()`
finishes a journal it finds, so a kill between the two is neither re-asked nor filed as a
conflict (spec_repo counts a unit that already holds the new text as applied).

Two specuis on one project: an answer claims its question under the session's file lock (the
round recorded as running, checked against session.json as on disk) before anything is written;
the second answer to the same question is refused (`AnsweredElsewhere`) and writes nothing.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import tomlkit

from specui import spec_repo
from specui.core.config import SpecuiConfig, load_deep_interview_config, resolve_profile
from specui.core.errors import SpecuiError
from specui.core.fsio import atomic_write_text, replace_merged
from specui.core.interview import policy
from specui.core.interview.contract import (
    BrownfieldContext,
    Directive,
    EngineReply,
    EngineRequest,
    GateState,
    ReplyInvalid,
    ScoreState,
    SectionInfo,
    StackChange,
    TranscriptEntry,
    parse_reply,
)
from specui.core.interview.state import EngineState, InterviewState, Round
from specui.core.loader import LoadError, load_json_file, load_toml_document, read_text_file
from specui.core.paths import Project
from specui.core.questions import Answer
from specui.core.spec import UNIT_KEYS, UNIT_TITLES, SpecDocument
from specui.interview import artifacts, context
from specui.interview.engines import OFFLINE_ENGINE, create_engine
from specui.interview.engines.base import Engine, EngineCancelled, EngineError
from specui.interview.round_owner import round_owner
from specui.runner.procid import identify
from specui.session_file import draft_key
from specui.store import SessionStore

ACTIVITY_LINES = 8
# Seconds between persisted activity updates (each rewrites session.json). A line that arrives
# sooner waits, and is written at the latest this long after the previous update, also when
# the agent then goes quiet.
ACTIVITY_EVERY = 0.2
JOURNAL_NAME = "journal.json"


class RoundFailed(Exception):
    """The engine could not produce an acceptable reply; the message is one line."""


class AnsweredElsewhere(SpecuiError):
    """Another specui on the same project answered the question first; nothing was written.
    `changed`: the pending question was another one already when the answer came."""

    def __init__(self, message: str, *, changed: bool = False) -> None:
        super().__init__(message)
        self.changed = changed


ANSWERED_ELSEWHERE = (
    "This question was answered meanwhile (in another specui); the next one is on screen."
)
QUESTION_CHANGED = (
    "The question changed before your answer was sent (another specui moved the interview "
    "on); your answer was not recorded: the current question is on screen."
)


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:48] or "project"


class InterviewDriver:
    """See the module docstring. Methods that run the engine block: call them in a worker."""

    def __init__(
        self,
        project: Project,
        store: SessionStore,
        config: SpecuiConfig | None = None,
        *,
        engine: Engine | None = None,
        profile: str | None = None,
        autoresearch: bool = False,
        home: Any = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.project = project
        self.store = store
        self.config = config or SpecuiConfig()
        self.profile_override = profile
        self.autoresearch = autoresearch
        self._engine = engine
        self._engine_name = engine.name if engine is not None else self.config.interview.engine
        self._home = home
        self._clock = clock or (lambda: datetime.now(UTC))
        self._cancel = threading.Event()
        self._closing = False
        self._engine_idle = threading.Event()  # no engine call in progress
        self._engine_idle.set()
        self._lock = threading.RLock()
        # The running round's activity lines not yet written, and the timer that writes them.
        self._activity_lock = threading.Lock()
        self._activity_round = 0  # which round a pending timer belongs to
        self._activity_timer: threading.Timer | None = None
        self._last_activity = 0.0
        self._activity: list[str] = []
        self._running: EngineState | None = None  # the round's running state, not yet recorded
        self._me: tuple[int, Any] | None = None  # (pid, identity): read once per process
        # The key of the question `answer()` answers, until the round claims it on disk: two
        # specuis on one project may both take an answer to the same question, and only the
        # first to record its round as running may write SPEC.md and the session.
        self._claim: str | None = None
        self._claim_lost = False

    # ================================================================== public API
    @property
    def state(self) -> InterviewState:
        return self.store.state.interview

    def start(self) -> None:
        """Finish a journalled step, begin the interview if needed, and make sure a question is
        on screen (running the engine when the protocol needs one)."""
        with self._lock:
            self._recover_journal()
            iv = self.state
            wanted = self.profile_override
            if wanted is not None and iv.status != "not_started" and iv.profile != wanted:
                note = (
                    f"this interview runs with the {iv.profile} profile; --{wanted} applies "
                    "when an interview starts"
                )
                if note not in iv.warnings:
                    self.store.update(lambda s: s.interview.warnings.append(note))
            if iv.status == "not_started":
                self._begin()
                self._turn(self.state, None)
                return
            if iv.engine.status == "thinking":
                if round_owner(iv.engine) == "elsewhere":
                    return  # another live specui (the workbench) is running this round
                # A round was running when specui stopped: run it again (the answer was kept).
                self._rerun()
                return
            if iv.engine.status == "error" or iv.current is not None or iv.phase == "done":
                return
            self._turn(iv, None)

    def answer(self, answer: Answer, *, key: str | None = None) -> None:
        """Record the answer to the question on screen and bring the next one. `key` names the
        question the user answered (`draft_key`, as the workbench shows it): when the pending
        question is another one by now (the watcher loaded another specui's state between the
        user's Enter and this call), nothing is written and AnsweredElsewhere says so."""
        with self._lock:
            iv = self.state
            pending = iv.current
            if key is not None and key != pending_key(iv):
                raise AnsweredElsewhere(QUESTION_CHANGED, changed=True)
            if pending is None:
                raise SpecuiError("there is no question to answer")
            if iv.engine.status == "thinking":
                raise SpecuiError("the engine is still working on the last answer")
            answer = policy.check_answer(pending.question, answer)
            self._claim, self._claim_lost = key or pending_key(iv), False
            try:
                if pending.kind == "finalize":
                    self._claim_now()
                    self._answer_finalize(answer)
                    return
                st, rnd = policy.take_answer(iv, answer)
                self._turn(st, rnd)
            finally:
                self._claim = None
            if self._claim_lost:
                raise AnsweredElsewhere(ANSWERED_ELSEWHERE)

    def busy_elsewhere(self) -> bool:
        """Another live specui process is running the engine on this interview's answer."""
        engine = self.state.engine
        return engine.status == "thinking" and round_owner(engine) == "elsewhere"

    def can_exit_early(self) -> bool:
        return policy.can_exit_early(self.state)

    def exit_blocker(self) -> str | None:
        return policy.exit_blocker(self.state)

    def exit_warning(self) -> str:
        return policy.exit_warning(self.state)

    def exit_early(self) -> None:
        """End the interview now (seed 004 §2f), keeping the residual risk in SPEC.md."""
        with self._lock:
            blocker = policy.exit_blocker(self.state)
            if blocker is not None:
                raise SpecuiError(f"cannot exit early yet: {blocker}")
            st = policy.crystallize(self.state, "early_exit")
            doc = self._read_doc()
            changes = policy.residual_risk_changes(st, self._view(doc))
            st.engine = EngineState(name=self._engine_name)
            self._commit(st, changes, [], doc)
            self._refresh_artifacts()

    def refine(self) -> None:
        """Seed 004's "Refine further": re-enter the interview that has ended and bring the
        first question of the new pass (policy.refine has the rules). SpecuiError when the
        interview has not ended; the check and the re-entry are one session update, so two
        specuis never both open a pass."""
        with self._lock:
            self._recover_journal()

            def reenter(s: Any) -> None:
                s.interview = policy.refine(s.interview).model_copy(
                    update={"engine": EngineState(name=self._engine_name)}
                )

            # Saved before the engine runs: a failed first round leaves the pass open with
            # the error (retry / the offline engine bring its question), not the old end.
            self.store.update(reenter)
            self._turn(self.state, None)

    def cancel(self) -> None:
        """Thread-safe: end the running round (the engine stops its process group)."""
        self._cancel.set()

    def shutdown(self, wait: float = 3.0) -> None:
        """The workbench is closing: end a running round (its process group) and wait up to
        `wait` seconds for that. The round stays recorded as running, so the next start runs
        it again with the answer it was given."""
        self._closing = True
        self._cancel.set()
        self._engine_idle.wait(wait)

    def retry(self) -> None:
        """Run the failed round again (same answer, same engine)."""
        with self._lock:
            if self.state.engine.status != "error":
                return
            self._rerun()

    def switch_to_offline(self) -> None:
        """Use the offline engine from now on and run the failed round with it."""
        with self._lock:
            self._engine = None
            self._engine_name = OFFLINE_ENGINE
            self._rerun()

    # ================================================================== beginning
    def _begin(self) -> None:
        project = self.project
        spec_repo.init_project(project)
        deep, warnings = load_deep_interview_config(project, self._home)
        profile = resolve_profile(self.config, deep, self.profile_override)
        brownfield = context.detect(project.root)
        doc = self._read_doc()
        st = self.state.model_copy(deep=True)
        st.profile = profile.name
        st.threshold = profile.threshold
        st.max_rounds = profile.max_rounds
        st.type = "brownfield" if brownfield is not None else "greenfield"
        st.brownfield = brownfield
        st.slug = _slug(project.root.name)
        st.status = "active"
        st.phase = "interview"
        st.stage = "intent-first"
        st.challenge_modes_enabled = bool(deep.enable_challenge_modes)
        st.autoresearch = self.autoresearch
        st.summary_status = "needed" if policy.oversized(doc.text) else "not_needed"
        st.engine_session.engine = self._engine_name
        for w in warnings:
            if w not in st.warnings:
                st.warnings.append(w)
        snapshot = artifacts.write_context_snapshot(project, st, brownfield, now=self._clock())
        st.artifacts["context"] = snapshot
        self._save(st)

    # ================================================================== one turn
    def _rerun(self) -> None:
        iv = self.state
        pending = iv.engine.pending_answer
        if pending is not None and iv.current is not None:
            st, rnd = policy.take_answer(iv, pending)
            self._turn(st, rnd)
        else:
            self._turn(iv, None)

    def _turn(self, st: InterviewState, answered: Round | None) -> None:
        """Bring the next question (or the end) for `st`, whose last round is `answered`."""
        while True:
            doc = self._read_doc()
            view = self._view(doc)
            decision = policy.decide(st, view, answered=answered)
            if isinstance(decision, policy.SpecuiAsk):
                st = policy.place_question(st, decision.pending)
                st.engine = EngineState(name=self._engine_name)
                self._commit(st, {}, [], doc)
                return
            if isinstance(decision, policy.Finalize):
                st = policy.place_question(st, policy.finalize_question(st, view))
                st.phase = "finalize"
                st.engine = EngineState(name=self._engine_name)
                self._commit(st, {}, [], doc)
                return
            if isinstance(decision, policy.End):
                st = policy.crystallize(st, decision.reason)
                st.engine = EngineState(name=self._engine_name)
                self._commit(st, policy.residual_risk_changes(st, view), [], doc)
                self._refresh_artifacts()
                return
            pending = answered.answer if answered is not None else None
            try:
                reply = self._ask_engine(st, decision, answered, view, doc)
                again = self._apply(st, decision, reply, answered, view, doc)
            except EngineCancelled:
                if self._closing or self._claim_lost:
                    return
                if self.state.current is None:
                    # No question on screen to answer again (the first round): the round
                    # stays failed, so retry / the offline engine can bring one.
                    self._fail("the round was cancelled", pending)
                else:
                    self._set_engine(
                        EngineState(name=self._engine_name),
                        notice="The round was cancelled; your answer was not recorded.",
                    )
                return
            except (EngineError, RoundFailed, SpecuiError) as exc:
                # The engine failed, its reply was refused twice, or a write was refused
                # (SPEC.md made unwritable meanwhile): one error, the answer kept for retry.
                self._fail(str(exc) or type(exc).__name__, pending)
                return
            except Exception as exc:
                # A bug must not leave the round "thinking" forever: say so, then let the
                # caller's error handling (the workbench's worker log) see it.
                self._fail(f"internal error: {type(exc).__name__}: {exc}", pending)
                raise
            if not again:
                return
            st, answered = self.state, None

    def _apply(
        self,
        st: InterviewState,
        directive: Directive,
        reply: EngineReply,
        answered: Round | None,
        view: policy.SpecView,
        doc: SpecDocument,
    ) -> bool:
        """Fold the reply in and commit it. True: ask the engine again (the validation pass
        starts right after crystallizing)."""
        applied = policy.apply_reply(
            st, directive, reply, view, self._clock().date(), answered=answered
        )
        changes = dict(applied.changes)
        predicted = doc
        for unit, text in changes.items():
            predicted = predicted.with_unit_text(unit, text)
        after = self._view(predicted)
        settled = policy.settle(applied.state, directive, reply, after)
        st2 = applied.state
        again = False
        if isinstance(settled, policy.Ask):
            st2 = policy.place_question(st2, settled.pending)
        elif isinstance(settled, policy.Finalize):
            st2 = policy.place_question(st2, policy.finalize_question(st2, after))
            st2.phase = "finalize"
        else:
            st2 = policy.crystallize(st2, settled.reason)
            changes.update(policy.residual_risk_changes(st2, after))
            again = st2.phase == "validation"
        st2.engine = EngineState(name=self._engine_name)
        if self._engine is not None:
            st2.engine_session = self._engine.session.model_copy()
        self._commit(st2, changes, reply.stack_changes, doc)
        # The snapshot says what is known (findings, terms, the summary, SPEC.md): rewritten
        # when that changed (the writer leaves an unchanged file alone).
        self._refresh_snapshot()
        if st2.phase != "interview" or st2.status != "active":
            self._refresh_artifacts()
        return again

    def _ask_engine(
        self,
        st: InterviewState,
        directive: Directive,
        answered: Round | None,
        view: policy.SpecView,
        doc: SpecDocument,
    ) -> EngineReply:
        engine = self._get_engine()
        request = self.build_request(st, directive, answered, view, doc)
        self._cancel.clear()
        self._begin_activity()
        if self._closing:
            raise EngineCancelled("the workbench is closing")
        me = self._identity()
        running = EngineState(
            status="thinking",
            name=self._engine_name,
            started_at=self._clock(),
            pending_answer=answered.answer if answered is not None else None,
            owner_pid=os.getpid(),
            owner_start=me.start_time if me is not None else None,
            owner_boot=me.boot_id if me is not None else None,
        )
        # An engine that runs an agent process records the round as running once the process
        # runs (`on_started`): the session write with its fsyncs then never delays the agent's
        # start. A crash before it leaves the session as it was before the answer (asked again).
        self._running = running
        if not engine.spawns:
            self._record_running()
            if self._claim_lost:
                raise EngineCancelled("the question was answered in another specui")
        try:
            reply = self._attempts(engine, request, st, directive, answered, view)
            if self._claim_lost:  # the agent answered before it saw the cancel
                raise EngineCancelled("the question was answered in another specui")
            return reply
        finally:
            self._end_activity()
            self._running = None

    def _attempts(
        self,
        engine: Engine,
        request: EngineRequest,
        st: InterviewState,
        directive: Directive,
        answered: Round | None,
        view: policy.SpecView,
    ) -> EngineReply:
        feedback: str | None = None
        problems: list[str] = []
        timeout = float(self.config.interview.timeout_seconds)
        for _attempt in range(2):
            self._engine_idle.clear()
            started = {"on_started": self._record_running} if engine.spawns else {}
            try:
                raw = engine.run_turn(
                    request,
                    feedback=feedback,
                    on_activity=self._on_activity,
                    cancel=self._cancel,
                    timeout=timeout,
                    **started,
                )
            finally:
                self._engine_idle.set()
            try:
                reply = parse_reply(raw)
            except ReplyInvalid as exc:
                problems = [str(exc)]
            else:
                problems = policy.check_reply(st, directive, reply, view, answered=answered)
                if not problems:
                    return reply
            feedback = "Your last reply was refused: " + "; ".join(problems)
            self._on_activity(f"reply refused ({problems[0]}); asking again")
        # Shown after the engine's name ("✗ codex: its reply was refused twice: …").
        raise RoundFailed(f"its reply was refused twice: {problems[0]}")

    def _record_running(self) -> None:
        """Record the round as running (once per round: the retry and a restarted Codex thread
        start another process)."""
        running, self._running = self._running, None
        if running is None:
            return
        if self._claim is None:
            self._set_engine(running)
            return
        try:
            self._claim_now(running)
        except AnsweredElsewhere:
            self._cancel.set()  # an agent already started stops; nothing is written

    def _claim_now(self, running: EngineState | None = None) -> None:
        """Check, under the session's file lock and against session.json as on disk, that the
        question being answered is still the pending one and no other live specui works on
        it, and record the round as running (`running`). Sets `_claim_lost` and raises
        AnsweredElsewhere otherwise; the store then holds the other specui's state."""
        key = self._claim

        def claim(s: Any) -> None:
            iv = s.interview
            taken = iv.engine.status == "thinking" and round_owner(iv.engine) == "elsewhere"
            if pending_key(iv) != key or taken:
                raise AnsweredElsewhere(ANSWERED_ELSEWHERE)
            if running is not None:
                iv.engine = running

        self._claim = None
        try:
            self.store.update(claim)
        except AnsweredElsewhere:
            self._claim_lost = True
            # The update re-read the other specui's session before refusing: show it.
            self.store.update(lambda s: None)
            raise

    def _identity(self) -> Any:
        """This process's identity (pid, start time, boot id): fixed while it runs."""
        pid = os.getpid()
        if self._me is None or self._me[0] != pid:
            self._me = (pid, identify(pid))
        return self._me[1]

    def _get_engine(self) -> Engine:
        if self._engine is None:
            self._engine = create_engine(
                self._engine_name, self.config, self.state.engine_session.model_copy()
            )
        return self._engine

    def _on_activity(self, line: str) -> None:
        """One line of what the agent does. Written at most every ACTIVITY_EVERY seconds (each
        store update rewrites session.json): lines in between wait, and a timer writes them
        when no later line does, so the last one before a quiet spell shows within that time."""
        line = " ".join(str(line).split())[:200]
        if not line:
            return
        self._record_running()  # activity belongs to the running state
        with self._activity_lock:
            self._activity.append(line)
            wait = self._last_activity + ACTIVITY_EVERY - time.monotonic()
            if wait <= 0:
                self._write_activity()
            elif self._activity_timer is None:
                timer = threading.Timer(wait, self._flush_activity, args=(self._activity_round,))
                timer.daemon = True
                self._activity_timer = timer
                timer.start()

    def _flush_activity(self, round_id: int) -> None:
        """The timer: write the lines that waited (unless their round has ended)."""
        with self._activity_lock:
            if round_id != self._activity_round:
                return
            self._activity_timer = None
            self._write_activity()

    def _write_activity(self) -> None:
        """Under `_activity_lock`: add the waiting lines to the running round's activity."""
        if not self._activity:
            return
        self._last_activity = time.monotonic()
        lines, self._activity = self._activity, []

        def add(s: Any) -> None:
            engine = s.interview.engine
            if engine.status != "thinking":
                return  # the round ended meanwhile
            engine.activity.extend(lines)
            del engine.activity[:-ACTIVITY_LINES]

        self.store.update(add)

    def _begin_activity(self) -> None:
        with self._activity_lock:
            self._activity_round += 1
            self._activity, self._last_activity = [], 0.0  # this round's lines only

    def _end_activity(self) -> None:
        """The engine call is over: lines still waiting go with it (its state is replaced)."""
        with self._activity_lock:
            if self._activity_timer is not None:
                self._activity_timer.cancel()
                self._activity_timer = None
            self._activity_round += 1
            self._activity = []

    # ================================================================== finalize
    def _answer_finalize(self, answer: Answer) -> None:
        st, rnd = policy.take_answer(self.state, answer)
        if answer.kind != "option" or answer.value != policy.FINALIZE_VALUE:
            # "Not yet: <what should change>" goes back to the validation pass, the change
            # recorded in Open Questions: that pass asks about it before finalizing again.
            st.phase = "validation"
            doc = self._read_doc()
            changes = policy.finalize_request_changes(answer, self._view(doc))
            if changes:
                st.notice = ("Your change is in Open Questions (§17); it is settled before the "
                             "spec is finalized.")
                self._commit(st, changes, [], doc)
            self._turn(st, rnd)
            return
        doc = self._read_doc()
        problems: list[str] = []
        for unit, status in self._view(doc).statuses.items():
            if status == "final":
                continue
            try:
                spec_repo.finalize(self.project, self.store, unit)
            except SpecuiError as exc:
                problems.append(str(exc))
        doc = self._read_doc()
        if problems or any(s != "final" for s in self._view(doc).statuses.values()):
            st.phase = "validation"
            st.notice = problems[0] if problems else "a section changed; it is asked again"
            self._turn(st, None)
            return
        st.phase = "done"
        st.finished = True
        spec = self.project.spec
        st.finish_message = policy.finish_message(st, f"{spec.parent.name}/{spec.name}")
        st.engine = EngineState(name=self._engine_name)
        self._commit(st, {}, [], doc)
        self._refresh_artifacts()

    # ================================================================== request
    def build_request(
        self,
        st: InterviewState,
        directive: Directive,
        answered: Round | None,
        view: policy.SpecView,
        doc: SpecDocument,
    ) -> EngineRequest:
        transcript = [_entry(r) for r in st.rounds]
        spec_md = doc.text
        if st.summary_status == "recorded" and policy.oversized(spec_md):
            spec_md = (
                f"[SPEC.md holds {len(spec_md):,} characters, too many for a prompt; the user's "
                "prompt-safe summary is the first transcript answer. Read the file itself for "
                "details.]"
            )
        return EngineRequest(
            project_dir=str(self.project.root),
            directive=directive,
            profile=st.profile,  # type: ignore[arg-type]
            interview_type=st.type,
            threshold=st.threshold,
            max_rounds=st.max_rounds,
            ambiguity=st.computed_ambiguity(),
            initial_idea=st.summary or st.initial_idea,
            autoresearch=st.autoresearch,
            transcript=transcript,
            last_answer=_entry(answered) if answered is not None else None,
            scores=[
                ScoreState(dimension=k, score=v.score, justification=v.justification, gap=v.gap)
                for k, v in st.dimensions.items()
                if k in st.dimension_keys()
            ],
            gates=GateState(**st.gates.model_dump()),
            challenge_modes_used=[m for m in st.challenge_modes_used],  # type: ignore[misc]
            spec_md=spec_md,
            stack_toml=self._stack_text(),
            open_questions=view.outstanding,
            brownfield=self._brownfield(st),
            sections=[
                SectionInfo(key=k, title=UNIT_TITLES[k], status=view.statuses.get(k, "unknown"))  # type: ignore[arg-type]
                for k in UNIT_KEYS
            ],
        )

    def _brownfield(self, st: InterviewState) -> BrownfieldContext | None:
        if st.type != "brownfield" or st.brownfield is None:
            return None
        return st.brownfield.model_copy(update={"snapshot_path": st.artifacts.get("context", "")})

    def _stack_text(self) -> str:
        try:  # core.loader: a FIFO or directory in its place cannot stall the interview
            return read_text_file(self.project.stack, what="stack.toml")
        except LoadError:
            return ""

    # ================================================================== SPEC.md and files
    def _read_doc(self) -> SpecDocument:
        doc = spec_repo.read_document(self.project)
        if doc is None:  # deleted while we ran: recreate it rather than lose the next answer
            spec_repo.init_project(self.project)
            doc = spec_repo.read_document(self.project)
            if doc is None:
                raise SpecuiError(f"cannot create {self.project.spec}")
        return doc

    def _view(self, doc: SpecDocument) -> policy.SpecView:
        bodies = {k: doc.unit_text(k) for k in UNIT_KEYS}
        return policy.SpecView(
            bodies, spec_repo.statuses(self.project, self.store, doc), sources=self._stack_text()
        )

    def _apply_stack(self, changes: list[StackChange]) -> None:
        def merge(data: bytes | None) -> bytes | None:
            text = data.decode("utf-8") if data is not None else ""
            try:
                toml = load_toml_document(text, what="stack.toml")
            except LoadError:
                return None  # a stack.toml that does not parse is never rewritten
            for change in changes:
                table: Any = toml
                for part in [p for p in change.table.split(".") if p]:
                    if part not in table:
                        table[part] = tomlkit.table()
                    table = table[part]
                table[change.key] = change.value
            new = tomlkit.dumps(toml).encode("utf-8")
            return None if data is not None and new == data else new

        replace_merged(self.project.stack, merge, root=self.project.root)

    # ================================================================== journal + commit
    @property
    def journal_path(self) -> Any:
        return self.project.state_dir / JOURNAL_NAME

    def _commit(
        self,
        st: InterviewState,
        changes: Mapping[str, str],
        stack_changes: list[StackChange],
        base: SpecDocument,
    ) -> None:
        """Write SPEC.md/stack.toml changes and save the session as one recoverable step."""
        if self._claim is not None:
            # The answer's step needs no engine (specui asks next, or the interview ends).
            self._claim_now()
        journaled = bool(changes or stack_changes)
        if journaled:
            entry = {
                "base": base.text,
                "changes": dict(changes),
                "stack": [c.model_dump(mode="json") for c in stack_changes],
                "interview": st.model_dump(mode="json"),
            }
            atomic_write_text(self.journal_path, json.dumps(entry), root=self.project.root)
            try:
                self._write_files(dict(changes), stack_changes, base)
            except SpecuiError:
                # Refused (e.g. SPEC.md became a symlink out of the project): nothing to finish
                # later; the user sees why and answers again.
                self._clear_journal()
                raise
        self._save(st)
        if journaled:
            self._clear_journal()

    def _write_files(
        self, changes: dict[str, str], stack_changes: list[StackChange], base: SpecDocument
    ) -> None:
        if changes:
            spec_repo.patch(self.project, self.store, changes, base)
        if stack_changes:
            self._apply_stack(stack_changes)

    def _clear_journal(self) -> None:
        try:
            os.unlink(self.journal_path)
        except FileNotFoundError:
            pass

    def _recover_journal(self) -> None:
        """Finish the step a crash interrupted between the SPEC.md patch and the session save."""
        path = self.journal_path
        if not path.exists():
            return
        try:
            entry = load_json_file(path, what=self.project.relative(path))
            st = InterviewState.model_validate(entry["interview"])
            changes = {str(k): str(v) for k, v in dict(entry["changes"]).items()}
            stack = [StackChange.model_validate(c) for c in entry["stack"]]
            base = SpecDocument.parse(str(entry["base"]))
        except (LoadError, KeyError, TypeError, ValueError) as exc:
            self._clear_journal()
            note = f"an unfinished interview step could not be recovered ({exc}); it was dropped"
            self.store.update(lambda s: s.interview.warnings.append(note))
            return
        try:
            self._write_files(changes, stack, base)
        except SpecuiError as exc:
            self._clear_journal()
            note = f"an unfinished interview step could not be written ({exc}); it was dropped"
            self.store.update(lambda s: s.interview.warnings.append(note))
            return
        self._save(st)
        self._clear_journal()

    def _save(self, st: InterviewState) -> None:
        def put(s: Any) -> None:
            # The workbench saves an unsubmitted answer while the engine works: keep it.
            draft = s.interview.draft
            s.interview = st.model_copy(update={"draft": draft})

        # The screen may show the new state while session.json is written: a crash before the
        # write lands leaves the journal (finished on the next start) or, without one, the
        # session as it was before this step (a round recorded as running runs again, a new
        # interview begins again).
        self.store.update(put, notify_first=True)

    def _fail(self, message: str, pending: Answer | None) -> None:
        if self._claim is not None:
            # The round failed before it claimed its question (an agent that never started):
            # the error and the kept answer belong to that question only.
            try:
                self._claim_now()
            except AnsweredElsewhere:
                return
        self._set_engine(
            EngineState(
                status="error", name=self._engine_name, error=message, pending_answer=pending
            )
        )

    def _set_engine(self, engine: EngineState, notice: str | None = None) -> None:
        def put(s: Any) -> None:
            s.interview.engine = engine
            if notice is not None:
                s.interview.notice = notice

        self.store.update(put)

    # ================================================================== artifacts
    def _refresh_artifacts(self) -> None:
        st = self.state
        if st.status == "active" and st.phase == "interview":
            return
        doc = self._read_doc()
        bodies = {k: doc.unit_text(k) for k in UNIT_KEYS}
        written = artifacts.write_artifacts(
            self.project, st, bodies, now=self._clock(), autoresearch=st.autoresearch
        )
        self.store.update(lambda s: s.interview.artifacts.update(written))

    def _refresh_snapshot(self) -> None:
        st = self.state
        path = artifacts.write_context_snapshot(
            self.project, st, self._brownfield(st), now=self._clock()
        )
        if st.artifacts.get("context") != path:
            self.store.update(lambda s: s.interview.artifacts.__setitem__("context", path))


def pending_key(iv: InterviewState) -> str:
    """Names the question on screen (as the workbench's draft key does); "" when none."""
    pending = iv.current
    if pending is None:
        return ""
    return draft_key(iv.id, pending.phase, pending.round, pending.kind, pending.question.question)


def _entry(r: Round) -> TranscriptEntry:
    return TranscriptEntry(
        round=r.n,
        phase=r.phase,
        kind=r.kind,
        dimension=r.dimension,
        question=r.question.question,
        options=[o.label for o in r.question.options],
        answer=r.answer.summary(),
        answer_payload=r.answer.payload(),
        source=r.source,
        deferral=r.deferral,
    )
