"""Two-phase start-up. The first frame is a light shell (progress line, titled placeholders,
footer) painted before anything heavy is imported; this loads the rest in a thread worker:
the config and the store (pydantic, ~100 ms) and the pane modules (TextArea, OptionList, the
SPEC.md view, ~25 ms). A TOML syntax error is caught by `run_app` before the terminal is taken
(a stdlib parse costs ~1 ms); a bad value is found here and closes the workbench with one line."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from specui.core.paths import Project
    from specui.store import SessionStore

# Imported in the boot thread, not at start-up (what the first frame does without).
PANE_MODULES = (
    "specui.ui.widgets.question_pane",
    "specui.ui.widgets.option_picker",
    "specui.ui.widgets.finish_view",
)


@dataclass
class Backend:
    config: Any
    store: SessionStore


def load_backend(project: Project, config: Any = None, store: SessionStore | None = None) -> Backend:
    """Blocking: run it in a thread. SpecuiError (bad specui.toml) propagates."""
    from specui.core.config import load_config
    from specui.store import SessionStore
    from specui.ui.panes import discover

    config = config if config is not None else load_config(project)
    store = store if store is not None else SessionStore.open(project)
    for module in PANE_MODULES:
        importlib.import_module(module)
    discover()
    return Backend(config, store)


def load_engine(
    project: Project, store: SessionStore, config: Any, profile: str | None = None
) -> Any:
    """The interview driver with the configured engine (an engine that cannot run shows its
    error in the question pane, with retry and switch-to-offline keys)."""
    from specui.interview.driver import InterviewDriver

    return InterviewDriver(project, store, config, profile=profile)
