"""A key list too long for the help screen's Keys column wraps after a separator, so no line
starts with "/" (found in tmux at 80 and 120 columns: "esc / ? / F10" then "/ q", which reads
as the keys "/" — the log search — and "q")."""

from __future__ import annotations

import re

from .conftest import MEDIUM, make_app, settle
from .test_help_keys import _text


async def test_a_wrapped_key_list_never_starts_a_line_with_a_separator(project, store):
    app = make_app(project, store)
    async with app.run_test(size=MEDIUM) as pilot:
        await settle(pilot)
        await pilot.press("escape", "question_mark")
        await settle(pilot)
        lines = [line.rstrip() for line in _text(app.screen).splitlines()]
        at = next(i for i, line in enumerate(lines) if "help.close" in line)
        keys = [re.split(r"\s{2,}", lines[at].strip())[0]]
        rest = re.split(r"\s{2,}", lines[at + 1].strip())
        if len(rest) == 1:  # the row goes on in the Keys column only
            keys.append(rest[0])
        assert len(keys) == 2, keys  # it does wrap at this width (else this proves nothing)
        assert not keys[1].startswith("/"), keys
        assert "".join(keys).replace(" ", "") == "esc/?/F10/q", keys
