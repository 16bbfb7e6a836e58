"""An answer kept after a failed round, as the answer widgets hold it (state.draft_of)."""

from __future__ import annotations

import pytest

from specui.core.interview.state import AnswerDraft, draft_of
from specui.core.questions import Question, build_answer

SINGLE = Question.model_validate({
    "question": "Which storage?", "type": "single-answerable",
    "options": [{"label": "SQLite", "value": "sqlite"}, {"label": "JSON", "value": "json"}],
})
MULTI = Question.model_validate({
    "question": "Which non-goals?", "type": "multi-answerable",
    "options": [{"label": "No sync", "value": "sync"}, {"label": "No GUI", "value": "gui"},
                {"label": "No plugins", "value": "plugins"}],
})
FREE = Question.model_validate({"question": "Describe it."})


@pytest.mark.parametrize(
    ("question", "selected", "text", "draft"),
    [
        (FREE, [], "A todo CLI.", AnswerDraft(key="k", text="A todo CLI.")),
        (SINGLE, [1], None, AnswerDraft(key="k", highlighted=1)),
        (SINGLE, [], "DuckDB", AnswerDraft(key="k", highlighted=2, other=True, text="DuckDB")),
        (MULTI, [0, 2], None, AnswerDraft(key="k", chosen=[0, 2])),
        (MULTI, [1], "No cloud", AnswerDraft(key="k", chosen=[1, 3], other=True, text="No cloud")),
    ],
)
def test_an_answer_comes_back_as_the_draft_that_builds_it(question, selected, text, draft):
    answer = build_answer(question, selected, text)
    assert draft_of(question, answer, "k") == draft
