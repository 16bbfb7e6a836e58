"""Re-export shim: the implementation lives in specui.core.paths (core imports only core)."""

from specui.core.paths import PHASES, Project

__all__ = ["PHASES", "Project"]
