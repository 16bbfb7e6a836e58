"""Themes as data: `specui/ui/themes/*.toml` (package data) -> validated -> Textual `Theme`;
and the theme store: register them, pick the configured one, save the user's choice.

Keeping colours in TOML files (as Posting does with YAML) lets users add a theme without code.
A malformed file is reported and skipped; it never stops the workbench from starting.

Validation is hand-written (no pydantic) on purpose: themes are registered before the first
frame, and importing pydantic there would cost ~50 ms of the first frame. Files are read under
core.loader's rule (stdlib tomllib behind size and depth limits).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.color import Color, ColorParseError
from textual.theme import Theme

from specui.core.loader import LoadError, load_toml_file, read_text_file

if TYPE_CHECKING:
    from textual.app import App

    from specui.core.paths import Project

DEFAULT_THEME = "specui-dark"
# Inside the package, so an installed wheel carries them (pyproject: package-data *.toml).
THEMES_DIR = Path(__file__).resolve().parents[1] / "themes"
THEME_MAX_BYTES = 256 * 1024  # a theme or specui.toml is a few KB

# The keys a theme file may hold (the fields of Textual's `Theme`).
COLOUR_KEYS = (
    "primary",
    "secondary",
    "warning",
    "error",
    "success",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
)
_TYPES: dict[str, tuple[type, ...]] = {
    "name": (str,),
    **{key: (str,) for key in COLOUR_KEYS},
    "dark": (bool,),
    "luminosity_spread": (int, float),
    "text_alpha": (int, float),
    "variables": (dict,),
}
REQUIRED = ("name", "primary")


def theme_from_data(data: dict[str, Any]) -> Theme:
    """A Theme from a theme file's table; ValueError("<key>: <reason>") when it is not valid."""
    for key in REQUIRED:
        if key not in data:
            raise ValueError(f"{key}: field required")
    for key, value in data.items():
        types = _TYPES.get(key)
        if types is None:
            raise ValueError(f"{key}: unknown key")
        # bool is an int: do not let `luminosity_spread = true` through.
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            raise ValueError(f"{key}: expected {types[0].__name__}")
        if key in COLOUR_KEYS:
            try:
                Color.parse(value)
            except ColorParseError:
                raise ValueError(f"{key}: not a colour: {value!r}") from None
    variables = data.get("variables", {})
    for name, value in variables.items():
        if not isinstance(value, str):
            raise ValueError(f"variables.{name}: expected str")  # noqa: TRY004 - one error type
    kwargs = dict(data)
    for key in ("luminosity_spread", "text_alpha"):
        if key in kwargs:
            kwargs[key] = float(kwargs[key])
    return Theme(**kwargs)


def load_theme_file(path: Path) -> Theme:
    """Parse one theme file; ValueError with a one-line reason when it is not valid."""
    try:
        data = load_toml_file(path, what=path.name, max_bytes=THEME_MAX_BYTES)
    except LoadError as exc:
        raise ValueError(str(exc)) from None
    try:
        return theme_from_data(data)
    except ValueError as exc:
        raise ValueError(f"{path.name}: {exc}") from None


def load_themes(directory: Path | None = None) -> tuple[list[Theme], list[str]]:
    """All valid themes in `directory` (default: the packaged themes), plus one warning per bad
    file. Missing directory -> no themes and no warning (Textual's built-ins still exist)."""
    directory = THEMES_DIR if directory is None else directory
    themes: list[Theme] = []
    warnings: list[str] = []
    if not directory.is_dir():
        return themes, warnings
    for path in sorted(directory.glob("*.toml")):
        try:
            themes.append(load_theme_file(path))
        except ValueError as exc:
            warnings.append(f"theme skipped: {exc}")
    return themes, warnings


def peek_theme(config_path: Path) -> str | None:
    """The theme named in specui.toml (`[ui] theme`), read cheaply before the first frame.

    `SPECUI_THEME` wins over the file. None when neither names one, or when the file cannot be
    read or parsed: the full configuration load (after the first frame) reports real errors.
    """
    env = os.environ.get("SPECUI_THEME")
    if env:
        return env
    try:
        data = load_toml_file(config_path, what=config_path.name, max_bytes=THEME_MAX_BYTES)
    except LoadError:
        return None
    ui = data.get("ui")
    theme = ui.get("theme") if isinstance(ui, dict) else None
    return theme if isinstance(theme, str) else None


class ThemeStore:
    """The app's themes: registered before the first frame, the configured one selected, and
    from boot on every change the user makes (palette, Textual's theme picker) saved as
    `[ui] theme` in specui.toml."""

    def __init__(self, app: App, project: Project) -> None:
        self.app = app
        self.project = project
        self.saved: str | None = None  # the theme specui.toml names (None: not yet known)
        self.asked: str | None = None  # the theme register() selected or warned about
        self._lock = threading.Lock()

    def register(self, wanted: str | None) -> list[str]:
        """Register the packaged themes and select one (`SPECUI_THEME`, then `wanted`, then
        specui.toml). Before the first frame: switching later re-applies all CSS (~100 ms).
        Returns the warnings to show."""
        themes, warnings = load_themes()
        for theme in themes:
            self.app.register_theme(theme)
        wanted = os.environ.get("SPECUI_THEME") or wanted or peek_theme(self.project.config)
        self.asked = wanted or DEFAULT_THEME
        warning = self.select(self.asked)
        return [*warnings, warning] if warning else warnings

    def select(self, wanted: str) -> str | None:
        """Switch to `wanted`; a warning (and the default theme) when there is no such theme."""
        if wanted in self.app.available_themes:
            self.app.theme = wanted
            return None
        if DEFAULT_THEME in self.app.available_themes:
            self.app.theme = DEFAULT_THEME
        return f"unknown theme {wanted!r}; using {DEFAULT_THEME}"

    def follow(self, configured: str | None) -> str | None:
        """The full config is loaded: apply its theme, then save the user's later choices.
        Boot-time settings equal the baseline and are not saved. Returns a warning, if any."""
        warning = None
        # The name register() already tried (an unknown one was warned about then) is not
        # tried, or warned about, twice.
        if (configured and configured not in (self.app.theme, self.asked)
                and not os.environ.get("SPECUI_THEME")):
            warning = self.select(configured)
        self.saved = self.app.theme
        self.app.theme_changed_signal.subscribe(self.app, self._changed)
        return warning

    def _changed(self, theme: Theme) -> None:
        if theme.name != self.saved:
            self.saved = theme.name
            from specui.ui.services.workers import WorkerGroup

            self.app.run_worker(
                self._save, thread=True, group=WorkerGroup.CONFIG_WRITE, exit_on_error=False
            )

    def _save(self) -> None:
        """Write `[ui] theme` (tomlkit: comments and other keys kept; atomic). Several quick
        changes may start several of these: the lock plus reading the latest choice inside it
        makes the last write carry the last choice, whatever the order."""
        from specui.core.config import with_ui_theme
        from specui.core.errors import SpecuiError
        from specui.core.fsio import atomic_write_text

        path = self.project.config
        with self._lock:
            name = self.saved
            try:
                text = read_text_file(path, what=path.name, max_bytes=THEME_MAX_BYTES)
            except LoadError as exc:
                if not exc.missing:
                    raise SpecuiError(f"theme not saved: {exc}") from None
                text = ""
            new = with_ui_theme(text, name, path.name)
            if new == text:
                return
            try:
                atomic_write_text(path, new)
            except OSError as exc:
                raise SpecuiError(
                    f"theme not saved: cannot write {path.name}: {exc.strerror or exc}"
                ) from None
        self.app.call_from_thread(self.app.notify, f"Theme {name} saved in {path.name}", timeout=3)
