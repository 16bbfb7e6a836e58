"""A tiny scripted interviewer for UI tests that must not depend on the real engine's choices
(snapshot tests of each question type, hostile text). It follows the Interviewer protocol:
start/answer/can_exit_early/exit_early, writes through the store and spec_service like the real
one, and records the answers it received so tests can check what the UI sent."""

from __future__ import annotations

import threading

from specui import spec_repo
from specui.core.ambiguity import ambiguity
from specui.core.interview.state import DimensionScore, PendingQuestion, Round
from specui.core.paths import Project
from specui.core.questions import Answer, Question
from specui.interview.engines.base import EngineCancelled, EngineError
from specui.interview.engines.builtin import BuiltinEngine
from specui.store import SessionStore

HOSTILE = "Use [bold]markup[/bold] like [/] or [red]x[/red]?\x1b[2J\x1b]52;c;aGk=\x07 (literal)"

SINGLE = Question.model_validate(
    {
        "question": "Which storage should the todo CLI use first?",
        "type": "single-answerable",
        "options": [
            {
                "label": "SQLite file",
                "value": "sqlite",
                "description": "One file, transactional",
                "recommended": True,
            },
            {"label": "JSON file", "value": "json", "description": "Human-readable, no deps"},
            {"label": "Plain text", "value": "text", "description": "todo.txt format"},
        ],
        "allow_other": True,
    }
)
MULTI = Question.model_validate(
    {
        "question": "Which non-goals must stay out of scope for the first pass?",
        "type": "multi-answerable",
        "options": [
            {"label": "No sync", "value": "no-sync", "description": "Single machine only"},
            {"label": "No GUI", "value": "no-gui", "description": "Terminal only"},
            {"label": "No plugins", "value": "no-plugins", "description": "Fixed feature set"},
        ],
        "allow_other": True,
    }
)
FREE = Question.model_validate({"question": "Describe the project in a few sentences."})
MARKUP = Question.model_validate(
    {
        "question": HOSTILE,
        "options": [
            {"label": "[/] closes", "value": "a", "description": "[bold]not bold[/bold]"},
            {"label": "ok\x1b[2J", "value": "b", "description": "plain"},
        ],
        "other_label": "Other [x]",
    }
)

UNIT_FOR = {0: "vision", 1: "scope", 2: "personas", 3: "domain", 4: "interfaces"}
DIMS = ("intent", "outcome", "scope", "constraints", "success")


class FakeInterviewer:
    def __init__(
        self, project: Project, store: SessionStore, questions: list[Question], note: str = ""
    ) -> None:
        self.project = project
        self.store = store
        self.questions = questions
        self.note = note
        self.answers: list[Answer] = []
        self.base = None

    def _pending(self, n: int) -> PendingQuestion:
        return PendingQuestion(
            question=self.questions[n],
            round=n + 1,
            dimension=DIMS[n % len(DIMS)],
            note=self.note if n == 0 else "",
        )

    def start(self) -> None:
        spec_repo.init_project(self.project)
        self.base = spec_repo.read_document(self.project)

        def begin(s) -> None:
            if s.interview.current is None and s.interview.status == "not_started":
                s.interview.status = "active"
                s.interview.current = self._pending(0)
                s.interview.dimensions = {
                    d: DimensionScore(
                        score=0.0, justification="nothing answered yet", gap=f"{d} unknown"
                    )
                    for d in DIMS
                }

        self.store.update(begin)

    def answer(self, answer: Answer, *, key: str | None = None) -> None:
        self.answers.append(answer)  # `key` is not checked: this fake holds one question at a time
        n = len(self.answers) - 1
        # Like a real engine, the change is computed from the document as it was when the
        # question was asked; SpecFile.patch then refuses to overwrite a section edited since.
        base = self.base or spec_repo.read_document(self.project)
        unit = UNIT_FOR.get(n % len(UNIT_FOR), "vision")
        spec_repo.patch(self.project, self.store, {unit: f"- {answer.summary()}\n"}, base)
        self.base = spec_repo.read_document(self.project)

        def record(s) -> None:
            iv = s.interview
            pending = iv.current
            assert pending is not None
            dim = DIMS[n % len(DIMS)]
            iv.dimensions[dim] = DimensionScore(
                score=0.8, justification=f"answered: {answer.summary()}", gap=""
            )
            scores = {d: v.score for d, v in iv.dimensions.items()}
            iv.ambiguity = ambiguity(scores, iv.type)
            iv.rounds.append(
                Round(
                    n=pending.round,
                    dimension=pending.dimension,
                    kind=pending.kind,
                    question=pending.question,
                    answer=answer,
                    scores=scores,
                    ambiguity=iv.ambiguity,
                )
            )
            if n + 1 < len(self.questions):
                iv.current = self._pending(n + 1)
            else:
                iv.current = None
                iv.status = "crystallized"
                iv.gates.non_goals = iv.gates.decision_boundaries = True

        self.store.update(record)

    def exit_blocker(self) -> str | None:
        """Why early exit is refused now (the driver's contract), None once it is allowed."""
        if len(self.store.state.interview.rounds) < 3:
            return "early exit is offered from round 4"
        return None

    def shutdown(self) -> None:
        """Nothing runs in the background here."""

    def exit_early(self) -> None:
        def done(s) -> None:
            s.interview.current = None
            s.interview.status = "exited"
            s.interview.warnings.append("Exited early at ambiguity above threshold.")

        self.store.update(done)


class HeldEngine(BuiltinEngine):
    """The offline engine whose turns wait while `go` is clear (the test sees the round
    running, as with a Codex turn that takes seconds); `fail` makes a turn fail instead."""

    name = "held"

    def __init__(self, session, *, held: bool = False) -> None:
        super().__init__(session)
        self.go = threading.Event()
        if not held:
            self.go.set()
        self.fail = ""

    def run_turn(self, request, *, feedback, on_activity, cancel, timeout) -> str:
        on_activity("reading SPEC.md")
        while not self.go.wait(0.02):
            if cancel.is_set():
                raise EngineCancelled("cancelled")
        if self.fail:
            raise EngineError(self.fail)
        return super().run_turn(
            request, feedback=feedback, on_activity=on_activity, cancel=cancel, timeout=timeout
        )
