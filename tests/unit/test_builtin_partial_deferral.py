"""A multi-select answer that ticks options together with "Decide for me" (trial G36: `1 5 ⏎`
on the non-goals): the ticked options are the user's explicit choice and are written; only the
rest is left to the default, which is written beside them and reported as a default."""

from __future__ import annotations

from pathlib import Path

from offline_run import answer_until, offline_driver

from specui.core.interview.policy import answer_defers
from specui.core.questions import Answer, Question, build_answer
from specui.core.spec import SpecDocument, item_value

DOTFILES = (
    "A command-line tool that syncs my dotfiles between my laptops through a git repository. "
    "Users are developers with two or three machines."
)


def bullet(project, unit: str, label: str) -> str | None:
    return item_value(SpecDocument.parse(project.spec.read_text()).unit_text(unit), label)


def _index(q: Question, value: str) -> int:
    return [o.value for o in q.options].index(value)


def test_an_option_ticked_with_decide_for_me_is_kept_and_the_rest_gets_the_default(
    tmp_path: Path,
):
    drv, store, project = offline_driver(tmp_path)
    drv.start()
    drv.answer(Answer(kind="text", value=DOTFILES))
    q = answer_until(drv, store, "explicitly out of scope")
    drv.answer(build_answer(q, [_index(q, "gui"), _index(q, "decide-for-me")], None))

    iv = store.state.interview
    answered = iv.rounds[-1]
    assert answered.answer.selected_values == ["gui", "decide-for-me"]
    assert not answered.deferral  # an explicit non-goal is clarity, not a deferral
    out = bullet(project, "scope", "Out-of-scope") or ""
    assert "A graphical interface" in out
    assert "nothing beyond what the in-scope list names" in out
    assert "Default chosen for Non-goals" in iv.notice
    assert [d.default for d in iv.deferrals] == ["nothing beyond what the in-scope list names"]


def test_decide_for_me_alone_is_a_deferral_and_a_ticked_option_is_not():
    def multi(*parts: tuple[str, str]) -> Answer:
        return Answer(
            kind="multi",
            value=[v for v, _ in parts],
            selected_values=[v for v, _ in parts],
            selected_labels=[lb for _, lb in parts],
        )

    defer = ("decide-for-me", "Decide for me")
    assert answer_defers(multi(defer))
    assert not answer_defers(multi(("gui", "A graphical interface"), defer))
    assert answer_defers(Answer(kind="text", value="No idea, you decide."))
    assert answer_defers(Answer(kind="option", value="d", selected_labels=["Decide for me"]))
