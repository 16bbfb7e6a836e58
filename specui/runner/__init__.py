"""The phase runner: detached supervisor, PhaseManager (TUI), and `specui run` (headless)."""
