"""Text handed to tmux where it expands formats: a pane's start directory (`-c`) and
`display-message`. There `#{…}` and `#(…)` are formats, the second one runs a shell command
(a folder named `x#(cmd)` would run cmd), and `##` is tmux's escape for a literal `#`."""

from __future__ import annotations


def tmux_literal(text: str) -> str:
    """`text` as tmux shows or uses it, with no format expanded."""
    return text.replace("#", "##")
