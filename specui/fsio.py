"""Re-export shim: the implementation lives in specui.core.fsio (core imports only core)."""

from specui.core.fsio import atomic_write_bytes, atomic_write_text

__all__ = ["atomic_write_bytes", "atomic_write_text"]
