"""Configuration: the project's `specui.toml` and the deep-interview settings of seed 004.

Two sources with two different failure policies, on purpose:
- `specui.toml` is specui's own file: any mistake (bad TOML, unknown key, wrong type) is a clear
  one-line SpecuiError naming the file, because silently ignoring a typo'd key is worse.
- `[omx.deepInterview]` lives in OMX's files, which other tools own and may extend; seed 004 says
  malformed files are ignored fail-soft, so a bad one yields a warning and the built-in defaults.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from specui.core.ambiguity import DEFAULT_PROFILES, PROFILE_NAMES, Profile
from specui.core.codex_args import refused_codex_arg
from specui.core.errors import SpecuiError
from specui.core.loader import load_toml_document, load_toml_file
from specui.core.orchestrator import validate_phase_list
from specui.core.paths import PHASES, Project

DEFAULT_RUNNER_COMMAND: tuple[str, ...] = (
    "codex",
    "exec",
    "--skip-git-repo-check",
    "--sandbox",
    "workspace-write",
    "-",
)


def _unknown_profile(name: str) -> str:
    return f"unknown interview profile {name!r} (expected one of: {', '.join(PROFILE_NAMES)})"


class _Strict(BaseModel):
    # strict: TOML already has real types, so "yes" must not quietly become True.
    model_config = ConfigDict(extra="forbid", strict=True, validate_default=True)


class InterviewConfig(_Strict):
    engine: Literal["builtin", "codex", "command"] = "builtin"
    profile: str | None = None
    command: list[str] = Field(default_factory=list)
    # One agent round; Codex retries an unreachable server for minutes, so specui gives up first.
    timeout_seconds: float = Field(default=300, gt=0)
    model: str = ""
    args: list[str] = Field(default_factory=list)

    @field_validator("profile")
    @classmethod
    def _known_profile(cls, v: str | None) -> str | None:
        if v is not None and v not in PROFILE_NAMES:
            raise ValueError(_unknown_profile(v))
        return v


class RunnerConfig(_Strict):
    command: list[str] = Field(default_factory=lambda: list(DEFAULT_RUNNER_COMMAND))
    stall_minutes: float = Field(default=10, gt=0)
    auto_continue: bool = False
    max_continues: int = Field(default=5, ge=0)
    stop_grace_seconds: float = Field(default=5, ge=0)
    auto_next: bool = False
    notify: bool = True
    # What a run with no progress for stall_minutes gets: None = the mode's default
    # (notify in the workbench, stop in a headless `specui run`).
    on_stall: Literal["notify", "stop", "restart"] | None = None
    stall_restarts: int = Field(default=1, ge=0)  # on_stall = "restart": at most this often
    phases: list[str] = Field(default_factory=lambda: list(PHASES))
    auto_converge: bool = True  # auto-continue may run converge once before giving up

    @field_validator("phases")
    @classmethod
    def _phases(cls, v: list[str]) -> list[str]:
        try:
            return list(validate_phase_list(v))
        except SpecuiError as exc:
            raise ValueError(exc.message) from None

    @field_validator("command")
    @classmethod
    def _argv(cls, v: list[str]) -> list[str]:
        if not v or not v[0].strip():
            raise ValueError('must be a non-empty argv list, e.g. ["codex", "exec", "-"]')
        return v


class UIConfig(_Strict):
    theme: str = "specui-dark"


class SpecuiConfig(_Strict):
    interview: InterviewConfig = Field(default_factory=InterviewConfig)
    runner: RunnerConfig = Field(default_factory=RunnerConfig)
    ui: UIConfig = Field(default_factory=UIConfig)
    # Workbench key remapping: binding id -> keys ("pane.spec" = "f7" or "ctrl+s,f7"); the ids
    # are listed by the help screen (`?`). The workbench checks the ids, Textual the keys.
    keys: dict[str, str] = Field(default_factory=dict)


# A config file is a few KB; a megabyte is already far beyond any real one.
CONFIG_MAX_BYTES = 1024 * 1024


def _read_toml(path: Path, label: str) -> dict[str, Any]:
    """Parse a TOML file into plain Python values under core.loader's limits; SpecuiError
    ("<label>: line N: ...", "<label>: nested deeper than 64 levels", ...)."""
    return load_toml_file(path, what=label, max_bytes=CONFIG_MAX_BYTES)


def _validation_message(label: str, exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = [str(p) for p in err.get("loc", ())]
    if err.get("type") == "extra_forbidden":
        where = f" in [{'.'.join(loc[:-1])}]" if len(loc) > 1 else ""
        return f"{label}: unknown key {loc[-1]!r}{where}"
    table = f"[{loc[0]}] " if len(loc) > 1 else ""
    key = ".".join(loc[1:]) if len(loc) > 1 else ".".join(loc)
    msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
    return f"{label}: {table}{key}: {msg}"


def parse_config(data: Mapping[str, Any], label: str = "specui.toml") -> SpecuiConfig:
    """Validate already-parsed specui.toml content."""
    try:
        cfg = SpecuiConfig.model_validate(dict(data))
    except ValidationError as exc:
        raise SpecuiError(_validation_message(label, exc)) from None
    if cfg.interview.engine == "command" and not cfg.interview.command:
        raise SpecuiError(f'{label}: [interview] command: required when engine = "command"')
    if cfg.interview.engine == "codex" and (refused := refused_codex_arg(cfg.interview.args)):
        raise SpecuiError(f"{label}: [interview] args: {refused}")
    return cfg


def load_config(project: Project) -> SpecuiConfig:
    """The project's specui.toml (all keys optional); defaults when the file does not exist."""
    path = project.config
    if not os.path.lexists(path):  # a directory, loop or dangling link is an error, not absent
        return SpecuiConfig()
    return parse_config(_read_toml(path, path.name), path.name)


def with_ui_theme(text: str, theme: str, label: str = "specui.toml") -> str:
    """specui.toml text with `[ui] theme = <theme>`; comments, order and every other key kept.

    Pure (text in, text out) so the caller chooses how to write it (the UI writes atomically
    with specui.core.fsio). A file that does not parse is never rewritten: SpecuiError naming it.
    """
    import tomlkit  # round-trip edits only: the workbench's start-up reads with tomllib

    doc = load_toml_document(text, what=label, max_bytes=CONFIG_MAX_BYTES)
    ui = doc.get("ui")
    if ui is None:
        table = tomlkit.table()
        table["theme"] = theme
        doc["ui"] = table
    elif isinstance(ui, Mapping):
        ui["theme"] = theme  # type: ignore[index]  # tomlkit Table / InlineTable
    else:
        raise SpecuiError(f"{label}: ui: expected a table, found {type(ui).__name__}")
    return tomlkit.dumps(doc)


# --------------------------------------------------------------------------- deep interview


class DeepInterviewConfig(BaseModel):
    """Seed 004's `[omx.deepInterview]` runtime defaults (snake_case here, camelCase on disk)."""

    # Built on first use (an interview start), not when the workbench reads specui.toml.
    model_config = ConfigDict(extra="forbid", defer_build=True)

    default_profile: str = "standard"
    thresholds: dict[str, float] = Field(
        default_factory=lambda: {n: p.threshold for n, p in DEFAULT_PROFILES.items()}
    )
    max_rounds: dict[str, int] = Field(
        default_factory=lambda: {n: p.max_rounds for n, p in DEFAULT_PROFILES.items()}
    )
    enable_challenge_modes: bool = True
    source: str | None = None  # the file these settings came from (None: built-in defaults)

    def profile(self, name: str | None = None) -> Profile:
        """The named profile (None: the default profile). SpecuiError for an unknown name."""
        chosen = name if name is not None else self.default_profile
        if chosen not in PROFILE_NAMES:
            raise SpecuiError(_unknown_profile(chosen))
        return Profile(chosen, self.thresholds[chosen], self.max_rounds[chosen])


DEEP_INTERVIEW_KEYS: dict[str, tuple[str, str]] = {
    # camelCase key -> (kind, profile or field)
    "defaultProfile": ("default", ""),
    "quickThreshold": ("threshold", "quick"),
    "standardThreshold": ("threshold", "standard"),
    "deepThreshold": ("threshold", "deep"),
    "quickMaxRounds": ("rounds", "quick"),
    "standardMaxRounds": ("rounds", "standard"),
    "deepMaxRounds": ("rounds", "deep"),
    "enableChallengeModes": ("bool", ""),
}


def deep_interview_sources(project: Project, home: Path | None = None) -> list[Path]:
    """Seed 004's lookup order: repo `.omx/config.toml`, repo `omx.toml`, `~/.omx/config.toml`."""
    sources = [project.omx / "config.toml", project.root / "omx.toml"]
    if home is None:
        try:
            home = Path.home()
        except (RuntimeError, KeyError):
            home = None
    if home is not None:
        sources.append(Path(home) / ".omx" / "config.toml")
    return sources


class MalformedOmxConfig(Exception):
    """An OMX config file whose `[omx.deepInterview]` table cannot be used (fail-soft)."""


def parse_deep_interview(data: Mapping[str, Any]) -> DeepInterviewConfig:
    """Read `[omx.deepInterview]` out of a parsed OMX config. MalformedOmxConfig when malformed.

    Unknown keys inside the table are ignored: OMX owns it and may add settings we do not use.
    """
    omx = data.get("omx", {})
    if not isinstance(omx, Mapping):
        raise MalformedOmxConfig("[omx] is not a table")
    table = omx.get("deepInterview", {})
    if not isinstance(table, Mapping):
        raise MalformedOmxConfig("[omx.deepInterview] is not a table")
    cfg = DeepInterviewConfig()
    for key, value in table.items():
        spec = DEEP_INTERVIEW_KEYS.get(key)
        if spec is None:
            continue
        kind, name = spec
        if kind == "default":
            if not isinstance(value, str) or value not in PROFILE_NAMES:
                raise MalformedOmxConfig(f"{key}: {_unknown_profile(str(value))}")
            cfg.default_profile = value
        elif kind == "threshold":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise MalformedOmxConfig(f"{key}: must be a number")
            if not 0.0 <= float(value) <= 1.0:
                raise MalformedOmxConfig(f"{key}: must be between 0 and 1")
            cfg.thresholds[name] = float(value)
        elif kind == "rounds":
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise MalformedOmxConfig(f"{key}: must be a whole number >= 1")
            cfg.max_rounds[name] = value
        else:
            if not isinstance(value, bool):
                raise MalformedOmxConfig(f"{key}: must be true or false")
            cfg.enable_challenge_modes = value
    return cfg


def load_deep_interview_config(
    project: Project, home: Path | None = None
) -> tuple[DeepInterviewConfig, list[str]]:
    """Settings from the first EXISTING source (seed 004), plus warnings for the user.

    A malformed first file does not fall through to the next one: it yields a warning and the
    built-in defaults, exactly as seed 004's fail-soft rule says. `home` is injectable for tests.
    """
    for path in deep_interview_sources(project, home):
        if not path.is_file():
            continue
        label = project.relative(path) if path.is_relative_to(project.root) else str(path)
        try:
            cfg = parse_deep_interview(_read_toml(path, label))
        except SpecuiError as exc:
            return DeepInterviewConfig(), [f"{exc}; using built-in deep-interview defaults"]
        except MalformedOmxConfig as exc:
            return DeepInterviewConfig(), [
                f"{label}: [omx.deepInterview] {exc}; using built-in deep-interview defaults"
            ]
        cfg.source = label
        return cfg, []
    return DeepInterviewConfig(), []


def resolve_profile(
    config: SpecuiConfig, deep: DeepInterviewConfig, override: str | None = None
) -> Profile:
    """Which profile an interview uses: explicit override > specui.toml > defaultProfile."""
    return deep.profile(override or config.interview.profile)
