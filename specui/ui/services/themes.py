"""Themes as data: `themes/*.toml` -> validated -> `textual.theme.Theme`.

Keeping colours in TOML files (as Posting does with YAML) lets users add a theme without code.
A malformed file is reported and skipped; it never stops the workbench from starting.

Validation is hand-written (stdlib `tomllib`, no pydantic) on purpose: themes are registered
before the first frame, and importing pydantic there would cost ~50 ms of the start-up budget
(issue 3: first frame within 1.5x of `import textual.app`).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from textual.color import Color, ColorParseError
from textual.theme import Theme

DEFAULT_THEME = "specui-dark"
THEMES_DIR = Path(__file__).resolve().parents[2] / "themes"

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
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{path.name}: {exc}") from None
    try:
        return theme_from_data(data)
    except ValueError as exc:
        raise ValueError(f"{path.name}: {exc}") from None


def load_themes(directory: Path | None = None) -> tuple[list[Theme], list[str]]:
    """All valid themes in `directory` (default: the repo's `themes/`), plus one warning per bad
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
        data = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    ui = data.get("ui")
    theme = ui.get("theme") if isinstance(ui, dict) else None
    return theme if isinstance(theme, str) else None
