"""The phase runner's place on the screen.

The real pane (`specui.ui.widgets.runner_pane.RunnerPane`, owned by the runner work) is imported
lazily: it pulls in process code we do not want at startup, and it may not be installed yet.
Until it is, this slot says "no phase running".
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Static

from specui.ui.widgets.safe_text import safe_text

PLACEHOLDER = "no phase running"


def make_runner_pane(project: Any, store: Any, runner_config: Any) -> Widget | None:
    """The real RunnerPane, or None when it is not available (or fails to build)."""
    try:
        from specui.ui.widgets.runner_pane import RunnerPane
    except ImportError:
        return None
    try:
        return RunnerPane(project, store, runner_config)
    except Exception:  # noqa: BLE001 - a broken runner must not take the interview down
        return None


class RunnerSlot(Vertical):
    DEFAULT_CLASSES = "pane"

    def __init__(self, pane: Widget | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.pane = pane

    def compose(self) -> ComposeResult:
        if self.pane is not None:
            yield self.pane
        else:
            yield Static(safe_text(PLACEHOLDER), id="runner-placeholder")

    def on_mount(self) -> None:
        self.border_title = "Runner"

    def set_pane(self, pane: Widget) -> None:
        """Swap the placeholder for the real pane (mounted after the first frame)."""
        self.pane = pane
        self.query("#runner-placeholder").remove()
        self.mount(pane)

    def forward_action(self, name: str) -> bool:
        """Forward run/stop/continue to the real pane. False when there is no such action."""
        pane = self.pane
        method = getattr(pane, f"action_{name}", None) if pane is not None else None
        if method is None:
            self.app.notify(f"phase runner: {PLACEHOLDER}", severity="warning")
            return False
        # The palette is an explicit request, like the key: pass the key-only marker so actions a
        # narrow footer hides (check_action -> False) still run. Without it, "Toggle
        # auto-continue" from the palette silently did nothing at 80 columns.
        from specui.ui.widgets.log_view import KEY_ONLY

        takes_marker = name in (
            "choose_phase",
            "continue_implement",
            "toggle_auto_continue",
            "restart",
        )
        action = f"{name}({KEY_ONLY!r})" if takes_marker else name
        self.call_later(pane.run_action, action)  # type: ignore[union-attr]
        return True
