"""The key footer: Textual's `Footer`, recomposed once per refresh however many binding changes
arrive before it, and only when the keys it shows changed.

Textual's footer queues a full recompose (every key widget rebuilt, restyled and laid out) for
each `bindings_updated` signal. Putting the first question on screen sends about a dozen (the
answer widgets mount, focus moves, the question and its keys change), and each recompose builds
the same footer from the bindings as they are when it runs, so one does the work of all of them.
Most signals change nothing the footer shows (an agent round's busy state, a focus move within
the answer): those cost a comparison, not a rebuild competing with the round for the CPU.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Footer as TextualFooter

if TYPE_CHECKING:
    from textual.screen import Screen


class Footer(TextualFooter):
    _recompose_queued = False
    _shown: tuple[object, ...] | None = None

    def bindings_changed(self, screen: Screen) -> None:
        # Textual's own rules (ready flag, app focus, this footer's screen), one queued recompose.
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if not self._recompose_queued:
            self._recompose_queued = True
            self.call_after_refresh(self._recompose_now)

    def _keys_shown(self) -> tuple[object, ...]:
        """Everything `Footer.compose` builds its keys from."""
        app = self.app
        active = self.screen.active_bindings
        keys = tuple(
            (key, binding.action, app.get_key_display(binding), binding.description, enabled,
             tooltip, binding.group)
            for key, (_, binding, enabled, tooltip) in active.items()
            if binding.show
        )
        palette = None
        if self.show_command_palette and app.ENABLE_COMMAND_PALETTE:
            entry = active.get(app.COMMAND_PALETTE_BINDING)
            if entry is not None:
                _, binding, enabled, _tooltip = entry
                palette = (binding.key, app.get_key_display(binding), binding.description,
                           enabled, binding.tooltip)
        return keys, palette

    async def _recompose_now(self) -> None:
        self._recompose_queued = False
        if not self.is_attached:
            return
        shown = self._keys_shown()
        if shown == self._shown:
            return
        self._shown = shown
        await self.recompose()
