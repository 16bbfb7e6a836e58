"""`[interview] args` for `codex exec`: the ones that would lift the interviewer's read-only sandbox.

The interviewer reads the repository; specui writes SPEC.md itself. So an argument that lets
Codex write (a sandbox mode, a writable directory, the bypass flags, approvals routed to an
automatic reviewer), one that brings in settings specui cannot see (a profile, which can set
`sandbox_mode`) or one specui sets itself is refused, in every spelling Codex's option parser
(clap, codex-rs `utils/cli` shared_options.rs and config_override.rs) accepts:

    --name VALUE   --name=VALUE   -x VALUE   -xVALUE   -x=VALUE

`-c key=value` / `--config key=value` is refused by the key's first dotted part (Codex trims
the key and splits it on "."): sandbox, approval and permission settings, profiles, and
per-project trust (which loads a repository's own `.codex/config.toml`). A `--` would make
specui's own options after it the prompt, so it is refused too.
"""

from __future__ import annotations

from collections.abc import Iterator

__all__ = ["refused_codex_arg"]

# Short options of `codex exec` / `exec resume` that take a value (`-h`, `-V` take none).
_SHORT_VALUED = {
    "c": "--config", "i": "--image", "m": "--model", "p": "--profile", "s": "--sandbox",
    "C": "--cd", "o": "--output-last-message",
}
_LONG_VALUED = frozenset({
    "--config", "--enable", "--disable", "--image", "--model", "--local-provider", "--profile",
    "--sandbox", "--cd", "--add-dir", "--thread-source", "--cyber-access-program",
    "--output-schema", "--color", "--output-last-message",
})

_READ_ONLY = "the interviewer runs read-only (specui writes SPEC.md itself)"
_REFUSED_FLAGS = {
    "--sandbox": _READ_ONLY,
    "--add-dir": _READ_ONLY,
    "--full-auto": _READ_ONLY,
    "--dangerously-bypass-approvals-and-sandbox": _READ_ONLY,
    "--yolo": _READ_ONLY,
    "--approve-for-me": _READ_ONLY,
    "--not-so-yolo": _READ_ONLY,
    "--dangerously-bypass-hook-trust": "hooks would run outside the read-only sandbox",
    "--trust": "it lets MCP commands run outside the read-only sandbox",
    "--worktree": _READ_ONLY,
    "--profile": "a Codex profile can lift the read-only sandbox (pass its settings with -c)",
    "--cd": "specui runs the interviewer in the project itself",
    "--output-schema": "specui passes the reply schema itself",
}
_REFUSED_KEYS = frozenset({
    "sandbox_mode", "sandbox_workspace_write", "sandbox_permissions", "approval_policy",
    "approvals_reviewer", "default_permissions", "permissions", "profile", "profiles",
    "projects",
})


def _options(args: list[str]) -> Iterator[tuple[str, str, str | None]]:
    """(as written, long name, value) for each option in `args`, as clap reads them."""
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg == "--":
            yield arg, arg, None
            return
        if arg.startswith("--"):
            name, eq, value = arg.partition("=")
            if eq:
                yield arg, name, value
            elif name in _LONG_VALUED and i < len(args) and not _looks_like_option(args[i]):
                yield arg, name, args[i]
                i += 1
            else:
                yield arg, name, None
            continue
        if not arg.startswith("-") or arg == "-":
            continue  # a value or the prompt
        cluster = arg[1:]
        for pos, char in enumerate(cluster):
            long = _SHORT_VALUED.get(char)
            if long is None:
                yield arg, f"-{char}", None
                continue
            rest = cluster[pos + 1 :]
            if rest:
                yield arg, long, rest.removeprefix("=")
            elif i < len(args) and not _looks_like_option(args[i]):
                yield arg, long, args[i]
                i += 1
            else:
                yield arg, long, None
            break


def _looks_like_option(arg: str) -> bool:
    # clap does not take "-x..." as the value of an option before it (no allow_hyphen_values).
    return arg.startswith("-") and arg != "-"


def refused_codex_arg(args: list[str]) -> str | None:
    """Why `args` cannot go to the interviewer's `codex exec`, in one line; None when they can."""
    for written, name, value in _options(args):
        if name == "--":
            return "-- is not allowed: codex would take specui's own options after it as the prompt"
        reason = _REFUSED_FLAGS.get(name)
        if reason is not None:
            return f"{written} is not allowed: {reason}"
        if name == "--config" and value is not None:
            key = value.partition("=")[0].strip()
            head = key.split(".", 1)[0].strip().strip("\"'")
            if head in _REFUSED_KEYS:
                return f"-c {key} is not allowed: {_READ_ONLY}"
    return None
