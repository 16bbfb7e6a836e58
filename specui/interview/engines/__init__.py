"""The engine registry: `[interview] engine = "builtin" | "codex" | "command"`.

An engine that cannot run (no codex binary, a command that fails) is an `EngineError` shown in
the question pane, never a silent switch to another engine: the user chose it, so they see why
it does not run, and can switch to the offline engine from there.
"""

from __future__ import annotations

import importlib

from specui.core.config import SpecuiConfig
from specui.core.interview.state import EngineSession
from specui.interview.engines.base import Engine, EngineError

# name -> (module, class). Loaded on demand: the codex and command engines pull in process
# handling the offline engine does not need.
ENGINES: dict[str, tuple[str, str]] = {
    "builtin": ("specui.interview.engines.builtin", "BuiltinEngine"),
    "codex": ("specui.interview.engines.codex", "CodexEngine"),
    "command": ("specui.interview.engines.command", "CommandEngine"),
}
OFFLINE_ENGINE = "builtin"


def can_go_offline(engine_name: str | None) -> bool:
    """A failed round can be run again with the offline engine: not when it already was."""
    return engine_name != OFFLINE_ENGINE


def engine_class(name: str) -> type[Engine]:
    if name not in ENGINES:
        raise EngineError(
            f"unknown interview engine {name!r} (expected one of: {', '.join(ENGINES)})"
        )
    module_name, class_name = ENGINES[name]
    cls: type[Engine] = getattr(importlib.import_module(module_name), class_name)
    return cls


def create_engine(name: str, config: SpecuiConfig, session: EngineSession) -> Engine:
    """The engine `name`, resuming `session` when it belongs to the same engine."""
    cls = engine_class(name)
    if session.engine != name:
        session = EngineSession(engine=name)
    return cls.create(session, config)


__all__ = ["ENGINES", "OFFLINE_ENGINE", "Engine", "EngineError", "create_engine", "engine_class"]
