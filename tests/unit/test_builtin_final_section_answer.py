"""An answer whose section the user finalized earlier (trial G34: Vision & Goals finalized with
`f`, then the Ontologist's "Strip away the features" answered): a final section stays as the
user confirmed it, and the answer is not lost: it is kept as an Open Question naming the section
and the bullet, and the screen says why it was not written there."""

from __future__ import annotations

from pathlib import Path

from offline_run import answer_until, offline_driver

from specui import spec_repo
from specui.core.open_questions import parse_open_questions
from specui.core.questions import Answer
from specui.core.spec import SpecDocument

PHOTOS = (
    "A command-line tool that renames the photos in my archive by their date. "
    "Users are photographers with big archives."
)
ESSENCE = "A safe renamer for my photo archive."


def test_an_answer_for_a_final_section_is_kept_as_an_open_question_with_a_notice(
    tmp_path: Path,
):
    drv, store, project = offline_driver(tmp_path)
    drv.start()
    drv.answer(Answer(kind="text", value=PHOTOS))
    answer_until(drv, store, "Strip away the features")
    spec_repo.finalize(project, store, "vision")
    vision = SpecDocument.parse(project.spec.read_text()).unit_text("vision")

    drv.answer(Answer(kind="text", value=ESSENCE))

    doc = SpecDocument.parse(project.spec.read_text())
    assert doc.unit_text("vision") == vision  # the confirmed text is untouched
    assert drv._view(doc).statuses["vision"] == "final"
    outstanding = parse_open_questions(doc.unit_text("open_questions")).outstanding
    kept = [q for q in outstanding if ESSENCE in q]
    assert kept, outstanding
    assert "Vision & Goals is final" in kept[0] and "Essence" in kept[0]
    notice = store.state.interview.notice
    assert "Vision & Goals is final" in notice
    assert "Open Question" in notice
