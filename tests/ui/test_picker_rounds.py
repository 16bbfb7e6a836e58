"""The answer widgets across rounds: options shown again after a free-text question wrap under
their label; text typed while the answer is being sent is not taken (it was silently lost
with the next question); the hint never says "Saving your answer…" over an answer that is
not being saved."""

from __future__ import annotations

import threading

from specui.core.questions import Question

from .conftest import SMALL, make_app, settle
from .fake_engine import FREE, SINGLE

LONG = Question.model_validate(
    {
        "question": "Which phase ships first?",
        "type": "single-answerable",
        "options": [
            {
                "label": "Only the primary use case",
                "value": "primary",
                "description": "Phase 1 ships the top task alone; later phases add the rest "
                "of the in-scope list, one at a time, each with its own acceptance tests",
                "recommended": True,
            },
            {"label": "Everything in scope", "value": "all", "description": "One release"},
        ],
    }
)


async def test_options_after_a_free_text_round_hang_under_their_label(project, store):
    app = make_app(project, store, [FREE, LONG])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press(*"A tool", "ctrl+s")
        await settle(pilot)
        choices = app.query_one("#choices")
        assert choices.display and choices.option_count >= 2
        lines = [str(choices.get_option_at_index(i).prompt) for i in range(choices.option_count)]
        wrapped = [line for line in lines if "\n" in line]
        assert wrapped, "a long option wraps at 80 columns"
        for prompt in wrapped:
            label, *rest = prompt.split("\n")
            indent = " " * (len(label.split(" ")[0]) + 1)  # the number and its space
            assert all(line.startswith(indent) for line in rest), repr(prompt)  # under the label


async def test_text_typed_while_the_answer_is_sent_is_not_taken(project, store):
    app = make_app(project, store, [FREE, SINGLE])
    release = threading.Event()
    answer = app.engine.answer

    def slow(a, **kw):  # an agent round that takes a while
        release.wait(10)
        answer(a, **kw)

    app.engine.answer = slow
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press(*"Just me", "ctrl+s")
        await pilot.pause(0.1)
        box = app.query_one("#free-text")
        await pilot.press(*" typed while thinking")
        assert box.text == "Just me"  # nothing taken, nothing to lose
        release.set()
        await settle(pilot)
        assert [a.other_text or a.value for a in app.engine.answers] == ["Just me"]


async def test_done_refreshes_the_hint(project, store):
    app = make_app(project, store, [SINGLE, SINGLE])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        picker = app.query_one("#picker")
        picker.wait("Saving your answer…")
        picker.done()
        await pilot.pause()
        assert "Saving" not in str(app.query_one("#picker-hint").render())


async def test_a_second_enter_while_the_answer_is_saved_sends_nothing(project, store):
    app = make_app(project, store, [SINGLE, SINGLE])
    release = threading.Event()
    answer = app.engine.answer

    def slow(a, **kw):
        release.wait(10)
        answer(a, **kw)

    app.engine.answer = slow
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("1", "enter", "enter", "2", "enter")
        await pilot.pause(0.3)
        # Held from the first Enter: not "Still saving the previous answer…" for the others.
        assert str(app.query_one("#picker-hint").render()) == "Saving your answer…"
        release.set()
        await settle(pilot)
        assert [a.value for a in app.engine.answers] == ["sqlite"]
