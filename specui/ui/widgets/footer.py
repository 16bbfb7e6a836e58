"""The key footer: Textual's `Footer`, recomposed once per refresh however many binding changes
arrive before it.

Textual's footer queues a full recompose (every key widget rebuilt and restyled) for each
`bindings_updated` signal. Putting the first question on screen sends about a dozen (the answer
widgets mount, focus moves, the question and its keys change), and each recompose builds the
same footer from the bindings as they are when it runs, so one does the work of all of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Footer as TextualFooter

if TYPE_CHECKING:
    from textual.screen import Screen


class Footer(TextualFooter):
    _recompose_queued = False

    def bindings_changed(self, screen: Screen) -> None:
        # Textual's own rules (ready flag, app focus, this footer's screen), one queued recompose.
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if not self._recompose_queued:
            self._recompose_queued = True
            self.call_after_refresh(self._recompose_now)

    async def _recompose_now(self) -> None:
        self._recompose_queued = False
        await self.recompose()
