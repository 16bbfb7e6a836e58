"""Options after a free-text round wrap under their label (trial G2 / H2: the list was hidden
while the next options were built, so they wrapped to column 0 and were never rewrapped)."""

from __future__ import annotations

from specui.core.questions import Question

from .conftest import MEDIUM, make_app, settle
from .fake_engine import FREE, SINGLE

LONG = Question.model_validate({
    "question": "Which of these are explicitly out of scope for v1?",
    "type": "multi-answerable",
    "options": [
        {"label": "Multi-tenant organisations", "value": "a",
         "description": "One team or user per install and nothing else at all, really nothing"},
        {"label": "Admin back-office", "value": "b",
         "description": "Operators use scripts or the datastore directly, always and forever"},
    ],
    "allow_other": True,
})


async def test_options_after_a_free_text_round_hang_under_their_label_at_once(project):
    app = make_app(project, questions=[SINGLE, FREE, LONG, LONG])
    async with app.run_test(size=MEDIUM) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # the single question: the list has been laid out
        await settle(pilot)
        app.query_one("#free-text").text = "An overview."
        picker = app.query_one("#picker")
        rewraps = []
        rewrap = picker.rewrap
        picker.rewrap = lambda: (rewraps.append(1), rewrap())
        await pilot.press("ctrl+s")
        await settle(pilot)
        choices = app.query_one("#choices")
        lines = ["".join(s.text for s in choices.render_line(y)) for y in range(choices.size.height)]
        assert lines[0].startswith("1 [ ] Multi-tenant") and lines[1].startswith("      "), lines
        assert rewraps == []  # wrapped for its width before it was shown: no second build
