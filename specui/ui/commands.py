"""Command palette (Ctrl+P): every action of the workbench, searchable by name.

The app lists its commands in one place (`SpecuiApp.palette_commands`); this provider only
matches and presents them, so a new action shows up in the palette by being added there.
"""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


class SpecuiCommands(Provider):
    def _commands(self):
        commands = getattr(self.app, "palette_commands", None)
        return list(commands()) if commands is not None else []

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(callback), help=help_text)
