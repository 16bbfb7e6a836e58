"""The SPEC.md view wraps text without spaces made of wide characters (CJK, emoji) by cells.

Found in tmux: an overview in Japanese ("家計簿アプリ 📒: 家族の支出を記録して月ごとに…") showed in
the SPEC.md pane with a dozen characters missing from every screen line: a word longer than the
view was hard-split every `width` *characters*, i.e. twice the view's width in cells, and the
view cropped each line at its edge. SPEC.md itself was right; the pane lost the text.
"""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from specui.ui.widgets.spec_markdown import render_lines

JAPANESE = (
    "- **Problem & Outcome**: 家計簿アプリ 📒: 家族の支出を記録して月ごとにグラフ表示する。"
    "Rust製CLI、SQLite。うまくいけば毎月の締めが5分で終わる。"
)


def _screen(text: str, width: int) -> list[str]:
    return ["".join(piece for piece, _style in line) for line in render_lines(text, width, {})]


@pytest.mark.parametrize("width", [20, 33, 46, 57, 80])
def test_wide_text_wraps_by_cells_and_loses_nothing(width):
    lines = _screen(JAPANESE, width)
    # (a line may end in the space after its last word, past the edge: nothing is lost there)
    assert all(cell_len(line.rstrip()) <= width for line in lines), [(cell_len(x), x) for x in lines]
    shown = "".join(line.strip() for line in lines).replace(" ", "")
    assert shown == "•Problem&Outcome:" + JAPANESE.split(": ", 1)[1].replace(" ", "")


def test_a_long_ascii_word_is_still_split_at_the_width():
    word = "x" * 50
    lines = _screen(f"- **Key**: {word}", 20)
    assert all(cell_len(line.rstrip()) <= 20 for line in lines)
    assert "".join(line.strip() for line in lines).endswith(word)
