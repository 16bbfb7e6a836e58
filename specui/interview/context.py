"""What specui sees of a repository before an engine reads it: is it brownfield, which
manifests, languages and docs it has (seed 004 Phase 0/1). Bounded walks only: a huge tree
costs a few milliseconds, never a scan of everything."""

from __future__ import annotations

import os
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


def detect(root: Path, *, sample: int = 40, max_entries: int = 5000) -> BrownfieldContext | None:
    """The repository's context, or None for greenfield (no source file and no manifest)."""
    manifests: list[str] = []
    files: list[str] = []
    languages: dict[str, int] = {}
    seen = 0
    queue: list[tuple[Path, int]] = [(root, 0)]
    while queue and seen < max_entries:
        folder, depth = queue.pop(0)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            seen += 1
            name = entry.name
            if name.startswith(".") or (depth == 0 and name in _IGNORED_TOP):
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            rel = Path(entry.path).relative_to(root).as_posix()
            if is_dir:
                if name not in _SKIP_DIRS and depth < 4:
                    queue.append((Path(entry.path), depth + 1))
                continue
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
