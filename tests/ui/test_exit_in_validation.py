"""`x` while seed 000's validation pass asks: the rounds are over, but a question is on screen;
the refusal says what goes on instead of "The interview has already finished"."""

from __future__ import annotations

from specui.core.interview.state import PendingQuestion

from .conftest import SMALL, make_app, settle
from .fake_engine import SINGLE


async def test_x_in_the_validation_pass_says_what_goes_on(project, store):
    app = make_app(project, store, [SINGLE])
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)

        def validating(s) -> None:
            s.interview.status = "crystallized"
            s.interview.current = PendingQuestion(
                question=SINGLE, round=3, dimension="deployment", phase="validation"
            )

        store.update(validating)
        await settle(pilot)
        refusal = app.screen.exit_early_refusal()
        assert refusal is not None and "validation pass completes SPEC.md" in refusal
        store.update(lambda s: setattr(s.interview, "current", None))
        await settle(pilot)
        assert app.screen.exit_early_refusal() == "The interview has already finished."
