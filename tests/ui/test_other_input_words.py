"""The Other input says its keys once: seen in tmux at 120x36 (an agent's multi-select, Other
ticked), the empty input's placeholder "Type your answer, Enter to submit, Esc to go back" sat
right above the hint "Type your answer · Enter submits · Esc goes back to the options"."""

from __future__ import annotations

from specui.ui.widgets.option_picker import OptionPicker, OtherInput


def test_the_other_inputs_placeholder_does_not_repeat_the_hint():
    other = next(w for w in OptionPicker().compose() if isinstance(w, OtherInput))
    assert "Enter" not in other.placeholder and "Esc" not in other.placeholder
    assert other.placeholder == "your answer"
