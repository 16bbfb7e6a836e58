"""What specui sees of a repository before an engine reads it: is it brownfield, which
manifests, languages and docs it has (seed 004 Phase 0/1). Bounded walks only: a huge tree
costs a few milliseconds, never a scan of everything."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from specui.core.interview.contract import BrownfieldContext

# specui's own files and tool folders never make a project brownfield.
_IGNORED_TOP = {"SPEC.md", "stack.toml", "specui.toml", "omx.toml", "orchestrator", "AGENTS.md"}
_SKIP_DIRS = {"node_modules", "venv", "env", "__pycache__", "dist", "build", "target", "vendor"}
_LANGUAGES = {
    ".py": "python", ".js": "javascript", ".jsx": "javascript", ".mjs": "javascript",
    ".cjs": "javascript", ".ts": "typescript", ".tsx": "typescript", ".go": "go", ".rs": "rust",
    ".java": "java", ".kt": "kotlin", ".rb": "ruby", ".php": "php", ".cs": "csharp", ".c": "c",
    ".h": "c", ".cpp": "cpp", ".hpp": "cpp", ".cc": "cpp", ".swift": "swift", ".scala": "scala",
    ".ex": "elixir", ".exs": "elixir", ".erl": "erlang", ".clj": "clojure", ".hs": "haskell",
    ".lua": "lua", ".dart": "dart", ".vue": "vue", ".svelte": "svelte", ".sh": "shell",
    ".sql": "sql", ".r": "r", ".jl": "julia",
}  # fmt: skip
_MANIFESTS = {
    "package.json", "pyproject.toml", "setup.py", "Cargo.toml", "go.mod", "pom.xml",
    "build.gradle", "build.gradle.kts", "Gemfile", "composer.json", "CMakeLists.txt",
    "requirements.txt", "mix.exs", "deno.json",
}  # fmt: skip
_DOC_NAMES = ("README.md", "README", "README.rst", "AGENTS.md", "CONTEXT.md", "CONTEXT-MAP.md")


@dataclass(frozen=True)
class WalkEntry:
    path: str  # as os.scandir gives it
    rel: str  # relative to the walked root, posix
    name: str
    depth: int  # 0: directly in the root
    is_dir: bool
    is_file: bool  # a regular file (a symlink is neither)


def walk(
    root: Path,
    *,
    max_depth: int,
    max_entries: int,
    skip: Callable[[str, int, bool], bool] = lambda _name, _depth, _is_dir: False,
) -> Iterator[WalkEntry]:
    """Every entry under `root`, breadth-first and sorted by name within a folder, without
    hidden names (and their contents) and without what `skip(name, depth, is_dir)` rejects.
    Nothing deeper than `max_depth` is listed; no folder is opened once `max_entries` entries
    were seen, so a huge tree costs a bounded walk."""
    seen = 0
    queue: deque[tuple[Path, int]] = deque([(root, 0)])
    while queue and seen < max_entries:
        folder, depth = queue.popleft()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            seen += 1
            name = entry.name
            if name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                is_file = not is_dir and entry.is_file(follow_symlinks=False)
            except OSError:
                continue
            if skip(name, depth, is_dir):
                continue
            if is_dir and depth < max_depth:
                queue.append((Path(entry.path), depth + 1))
            rel = Path(entry.path).relative_to(root).as_posix()
            yield WalkEntry(entry.path, rel, name, depth, is_dir, is_file)


def _not_the_project(name: str, depth: int, is_dir: bool) -> bool:
    return (depth == 0 and name in _IGNORED_TOP) or (is_dir and name in _SKIP_DIRS)


def detect(root: Path, *, sample: int = 40, max_entries: int = 5000) -> BrownfieldContext | None:
    """The repository's context, or None for greenfield (no source file and no manifest)."""
    manifests: list[str] = []
    files: list[str] = []
    languages: dict[str, int] = {}
    for entry in walk(root, max_depth=4, max_entries=max_entries, skip=_not_the_project):
        if entry.is_dir:
            continue
        name, rel = entry.name, entry.rel
        lang = _LANGUAGES.get(Path(name).suffix.lower())
        if name in _MANIFESTS:
            manifests.append(rel)
        elif lang is None:
            continue
        else:
            languages[lang] = languages.get(lang, 0) + 1
        if len(files) < sample:
            files.append(rel)
    if not manifests and not languages:
        return None
    docs = [n for n in _DOC_NAMES if (root / n).is_file()]
    if (root / "docs").is_dir():
        docs.append("docs/")
    ranked = sorted(languages, key=lambda k: (-languages[k], k))
    return BrownfieldContext(manifests=manifests, languages=ranked, docs=docs, files_sample=files)
