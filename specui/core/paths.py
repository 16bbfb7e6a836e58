"""Where things live in a user's project (see design notes §2). One place for every path."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PHASES: tuple[str, ...] = ("constitution", "specify", "plan", "tasks", "implement")


def user_config_path() -> Path:
    """The user's own specui settings (`$XDG_CONFIG_HOME/specui/config.toml`, default
    `~/.config/...`): what a cloned repository must not decide, such as writing outside it."""
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "specui" / "config.toml"


@dataclass(frozen=True)
class Project:
    """The paths of one project directory. Pure: constructing it touches nothing on disk."""

    root: Path

    @classmethod
    def at(cls, directory: Path | str | None = None) -> Project:
        return cls(Path(directory or ".").expanduser().resolve())

    @property
    def spec(self) -> Path:
        return self.root / "SPEC.md"

    @property
    def stack(self) -> Path:
        return self.root / "stack.toml"

    @property
    def config(self) -> Path:
        return self.root / "specui.toml"

    @property
    def state_dir(self) -> Path:
        return self.root / ".specui"

    @property
    def session(self) -> Path:
        return self.state_dir / "session.json"

    @property
    def runs_dir(self) -> Path:
        return self.state_dir / "runs"

    @property
    def orchestrator(self) -> Path:
        return self.root / "orchestrator"

    @property
    def orchestrator_input(self) -> Path:
        return self.orchestrator / "input"

    @property
    def checkpoint(self) -> Path:
        return self.orchestrator / "checkpoint"

    @property
    def omx(self) -> Path:
        return self.root / ".omx"

    @property
    def omx_interviews(self) -> Path:
        return self.omx / "interviews"

    @property
    def omx_specs(self) -> Path:
        return self.omx / "specs"

    @property
    def omx_context(self) -> Path:
        return self.omx / "context"

    def written_dirs(self) -> tuple[Path, ...]:
        """The fixed folders specui writes files into (run folders live under `runs_dir`)."""
        return (
            self.root,
            self.state_dir,
            self.orchestrator,
            self.omx_interviews,
            self.omx_specs,
            self.omx_context,
        )

    def legacy_prompt(self, phase: str) -> Path:
        return self.root / ".codex" / "prompts" / f"speckit.{phase}.md"

    def skill_prompt(self, phase: str) -> Path:
        return self.root / ".agents" / "skills" / f"speckit-{phase}" / "SKILL.md"

    def relative(self, path: Path) -> str:
        """A path as shown to users and in JSON: relative to the project root when inside it."""
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)


def holds_project(project: Project) -> bool:
    """The folder holds a project's files: SPEC.md, specui's state, specui.toml or stack.toml."""
    return (project.spec.is_file() or project.state_dir.is_dir() or project.config.is_file()
            or project.stack.is_file())


def enclosing_project(project: Project) -> Project | None:
    """`project` when its folder holds a project, else the nearest folder above that does
    (a command run from the project's src/ or specs/), else None."""
    for folder in (project.root, *project.root.parents):
        candidate = project if folder == project.root else Project.at(folder)
        if holds_project(candidate):
            return candidate
    return None
