"""The offline engine's "Why:" line is true and in the user's words: a dimension called the
least clear of its group is the lowest-scoring one of that group when the question is asked
(trial: "Outcome is the weakest dimension (0.70)" beside Constraints at 0.35), and no line
speaks of caps, stages or seeds."""

from __future__ import annotations

import re
from pathlib import Path

from offline_run import offline_driver

from specui.core.ambiguity import DIMENSION_TITLES
from specui.core.questions import Answer, build_answer

OVERVIEW = (
    "A command-line tool in Go that watches a folder of Markdown notes and publishes them as "
    "a static site for a team of five engineers. It works when a saved note shows up on the "
    "site within 2 seconds."
)
TITLE_TO_KEY = {title: key for key, title in DIMENSION_TITLES.items()}
LEAST = re.compile(r"^(.+?) is the least clear of (.+?)(?: \((\d\.\d\d)\))?$")


def test_every_why_of_a_whole_interview_is_true_and_plain(tmp_path: Path):
    drv, store, _project = offline_driver(tmp_path)
    drv.start()
    seen = 0
    for _ in range(60):
        iv = store.state.interview
        pending = iv.current
        if pending is None:
            break
        why = pending.why
        assert not re.search(r"\bcap\b|seed|intent-first|feasibility|stage", why, re.IGNORECASE), (
            why
        )
        if match := LEAST.match(why):
            seen += 1
            named = TITLE_TO_KEY[match.group(1)]
            peers = [TITLE_TO_KEY[t] for t in re.split(r", | and ", match.group(2))]
            scores = {k: v.score for k, v in iv.dimensions.items()}
            assert named in peers
            assert scores.get(named, 0.0) == min(scores.get(p, 0.0) for p in peers), (why, scores)
            if match.group(3):
                assert float(match.group(3)) == round(scores.get(named, 0.0), 2)
        question = pending.question
        if question.is_free_text:
            answer = Answer(
                kind="text",
                value=OVERVIEW
                if pending.round == 1
                else "Notes are files; the site is rebuilt from them.",
            )
        else:
            picks = [i for i, o in enumerate(question.options) if o.recommended] or [0]
            answer = build_answer(question, picks if question.multi_select else picks[:1], None)
        drv.answer(answer)
    assert seen, "no question was asked for its dimension"
