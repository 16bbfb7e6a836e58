"""The workbench's switchable panes: one module each, found by `discover()` (a new pane is one
file in this package)."""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from specui.ui.panes.base import Pane


def discover() -> None:
    """Import every pane module of this package (each registers its `Pane` subclass)."""
    for info in pkgutil.iter_modules(__path__):
        if info.name != "base":
            importlib.import_module(f"{__name__}.{info.name}")


def registered() -> list[type[Pane]]:
    """Every pane, in display order."""
    from specui.ui.panes.base import registry

    discover()
    return sorted(registry().values(), key=lambda pane: pane.order)
