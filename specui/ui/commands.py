"""Command palette (Ctrl+P): every action of the workbench, searchable by name.

The app lists its commands in one place (`SpecuiApp.palette_commands`); this provider only
matches and presents them, so a new action shows up in the palette by being added there.
"""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.system_commands import SystemCommandsProvider


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


class SystemCommands(SystemCommandsProvider):
    """Textual's app-wide commands (Theme, Screenshot, Quit, …) without its "Keys" panel: it
    docks a second, rawer key list beside the workbench, while `?` ("Keys and actions") lists
    specui's keys with their ids."""

    def _keeps(self, hit: DiscoveryHit | Hit) -> bool:
        app = self.app
        return hit.command not in (app.action_show_help_panel, app.action_hide_help_panel)

    async def discover(self) -> Hits:
        async for hit in super().discover():
            if self._keeps(hit):
                yield hit

    async def search(self, query: str) -> Hits:
        async for hit in super().search(query):
            if self._keeps(hit):
                yield hit
