"""One rule for text handed to tmux where it expands formats (start directory, display-message)."""

from __future__ import annotations

from specui.core.tmux_format import tmux_literal


def test_hash_is_doubled_so_no_format_runs():
    assert tmux_literal("/tmp/x#(touch pwned)#{pane_id}") == "/tmp/x##(touch pwned)##{pane_id}"
    assert tmux_literal("plain") == "plain"
