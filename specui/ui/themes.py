"""Themes as data: `themes/*.toml` -> validated -> `textual.theme.Theme`.

Keeping colours in TOML files (as Posting does with YAML) lets users add a theme without code.
A malformed file is reported and skipped; it never stops the workbench from starting.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator
from textual.color import Color, ColorParseError
from textual.theme import Theme

DEFAULT_THEME = "specui-dark"
THEMES_DIR = Path(__file__).resolve().parents[2] / "themes"


class ThemeFile(BaseModel):
    """The keys a theme file may hold (the fields of Textual's `Theme`)."""

    model_config = ConfigDict(extra="forbid")

    name: str
    primary: str
    secondary: str | None = None
    warning: str | None = None
    error: str | None = None
    success: str | None = None
    accent: str | None = None
    foreground: str | None = None
    background: str | None = None
    surface: str | None = None
    panel: str | None = None
    boost: str | None = None
    dark: bool = True
    luminosity_spread: float = 0.15
    text_alpha: float = 0.95
    variables: dict[str, str] = {}

    @field_validator(
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
    @classmethod
    def _colour(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                Color.parse(value)
            except ColorParseError as exc:
                raise ValueError(f"not a colour: {value!r}") from exc
        return value

    def to_theme(self) -> Theme:
        return Theme(**self.model_dump())


def load_theme_file(path: Path) -> Theme:
    """Parse one theme file; ValueError with a one-line reason when it is not valid."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return ThemeFile.model_validate(data).to_theme()
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{path.name}: {exc}") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        raise ValueError(f"{path.name}: {loc}: {err['msg']}") from None


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
