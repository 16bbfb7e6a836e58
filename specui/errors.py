"""Re-export shim: the implementation lives in specui.core.errors (core imports only core)."""

from specui.core.errors import SpecuiError

__all__ = ["SpecuiError"]
