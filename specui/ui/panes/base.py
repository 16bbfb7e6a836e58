"""The `Pane` base: one switchable pane of the workbench, declared in one file.

A pane names itself (key, title, the footer's word), its two keys (a letter that goes to it, an
F-key that shows it while the answer keeps focus), its column in the wide layout, and how it
renders the session. Subclassing registers it; the workbench screen builds, lays out, switches
and feeds every registered pane, and the action table gives each its keys, palette entries and
help lines. Pane files stay light: they import their widgets inside `build()`, after the first
frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

if TYPE_CHECKING:
    from pathlib import Path

    from textual.widget import Widget

    from specui.store import Session
    from specui.ui.actions import UIAction
    from specui.ui.screens.workbench import WorkbenchScreen
    from specui.ui.services.watcher import ProjectWatcher
    from specui.ui.widgets.spec_view import SpecSnapshot

_REGISTRY: dict[str, type[Pane]] = {}


class Pane:
    key: ClassVar[str]  # the widget's id, `show_pane('<key>')`, the binding ids pane.<key>
    title: ClassVar[str]
    label: ClassVar[str]  # the footer's word
    letter: ClassVar[str]  # goes to the pane (plain text while a text box has focus)
    fkey: ClassVar[str]  # shows the pane; focus stays on (returns to) the answer
    column: ClassVar[Literal["main", "side"]]  # where it sits at 120x36 and larger
    order: ClassVar[int]
    actions: ClassVar[tuple[UIAction, ...]] = ()  # the pane's own keys (scope = key)

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        _REGISTRY[cls.key] = cls

    def __init__(self, screen: WorkbenchScreen) -> None:
        self.screen = screen
        self.widget: Widget = self.build()

    def build(self) -> Widget:
        """The pane's widget, with id `key` and the `pane` class."""
        raise NotImplementedError

    def show_session(self, session: Session) -> None:
        """Render from the store's state (called on every StoreChanged)."""

    def spec_loaded(self, snapshot: SpecSnapshot) -> None:
        """A fresh read of SPEC.md."""

    def files_changed(self, paths: frozenset[Path], watcher: ProjectWatcher) -> None:
        """Watched project files changed on disk."""

    def started(self) -> None:
        """The session is attached and the first frame is up: start anything slow."""

    def focus_target(self) -> Widget | None:
        """What `show_pane` focuses (default: the first focusable widget inside)."""
        if self.widget.focusable:
            return self.widget
        return next((w for w in self.widget.query("*") if w.focusable), None)

    def action_node(self) -> Widget | None:
        """Where the pane's own actions run (their bindings live there)."""
        return self.widget


def registry() -> dict[str, type[Pane]]:
    return _REGISTRY
