"""specui: a keyboard-driven terminal workbench for spec-driven development with coding agents."""

__version__ = "0.1.0"
