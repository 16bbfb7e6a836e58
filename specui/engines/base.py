"""The interviewer contract shared by every engine (builtin, and later agent-backed ones).

An interviewer owns the interview half of the session store: it puts the current question in
`store.state.interview.current`, turns each answer into a recorded round plus SPEC.md patches,
and decides when the interview crystallizes. The UI only renders the store and forwards answers,
so any engine that honours this protocol plugs into the same workbench. Calls are synchronous
and fast; the UI runs them in a thread worker.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from specui.core.config import SpecuiConfig
from specui.core.paths import Project
from specui.core.questions import Answer
from specui.store import SessionStore


@runtime_checkable
class Interviewer(Protocol):
    def start(self) -> None:
        """Idempotent: bootstrap (SPEC.md/stack.toml) and set a current question if none."""

    def answer(self, answer: Answer) -> None:
        """Record the round, patch SPEC.md, update open questions, scores, gates, next step."""

    def can_exit_early(self) -> bool:
        """True from round 4 of an active interview (seed 004 round controls)."""

    def exit_early(self) -> None:
        """Write artifacts with a residual-risk warning and mark the interview `exited`."""


def make_interviewer(
    project: Project, store: SessionStore, config: SpecuiConfig | None = None
) -> Interviewer:
    """The engine chosen by `[interview] engine` in specui.toml.

    Only the offline `builtin` engine ships today. For `codex`/`command` an engine module
    `specui.engines.<engine>` exposing `create_interviewer(project, store, config)` is used when
    it exists; otherwise the builtin engine runs and the session gets a one-line warning, so the
    workbench stays usable offline.
    """
    import importlib

    from specui.engines.builtin import BuiltinInterviewer

    config = config or SpecuiConfig()
    engine = config.interview.engine
    if engine != "builtin":
        try:
            module = importlib.import_module(f"specui.engines.{engine}")
            factory = module.create_interviewer
        except (ImportError, AttributeError):
            note = (
                f"interview engine {engine!r} is not available in this version; "
                "using the offline builtin interviewer"
            )

            def warn(s):  # type: ignore[no-untyped-def]
                if note not in s.interview.warnings:
                    s.interview.warnings.append(note)

            store.update(warn)
        else:
            return factory(project, store, config)  # type: ignore[no-any-return]
    return BuiltinInterviewer(project, store, config)
