"""The one rule for reading every JSON and TOML file (and text payload) specui reads.

Files in a project come from anyone (a cloned repository, another tool, a crash), so reading
one must never hang, exhaust memory or stack, or end in a traceback:
- a file is opened without blocking (a FIFO cannot stall us) and must be a regular file;
- size is limited before reading and nesting depth is limited by a cheap scan before parsing,
  so a parser never gets to recurse 100,000 levels deep;
- every failure (missing, symlink loop, directory, not UTF-8, syntax, too deep, too big, and
  RecursionError / OSError as a last line) becomes a `LoadError`: a one-line `SpecuiError`
  ("<what>: <reason>") whose `reason` the caller may reuse in its own sentence.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import tomllib
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Any

from specui.core.errors import SpecuiError

if TYPE_CHECKING:
    from tomlkit.toml_document import TOMLDocument

MAX_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 64

# Strings (and TOML comments) may hold any brackets; they are removed before counting.
_JSON_SKIP = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_TOML_SKIP = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''[\s\S]*?'''"
    r'|"[^"\\\n]*(?:\\.[^"\\\n]*)*"'
    r"|'[^'\n]*'"
    r"|#[^\n]*",
    re.DOTALL,
)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
# A TOML dotted key (`a.b.c = 1`, `[a.b.c]`) nests tables without brackets, and tomllib takes
# quadratic time on long ones. The lookbehind keeps the search linear on a run without `=`.
_TOML_KEY_CHARS = r"[A-Za-z0-9_\-. \t]"
_TOML_KEYS = re.compile(
    rf"(?<!{_TOML_KEY_CHARS}){_TOML_KEY_CHARS}++=|\[\[?{_TOML_KEY_CHARS}*+\]"
)
_BRACKET_CODE = str.maketrans({"[": "\x01", "{": "\x01", "]": "\x02", "}": "\x02"})
_BRACKET_STEP = (0, 1, -1)
_TOML_AT = re.compile(r"\s*\(at line (\d+), column \d+\)\s*$")
_TOML_AT_END = re.compile(r"\s*\(at end of document\)\s*$")


class LoadError(SpecuiError):
    """A file or payload specui cannot use; `what` names it, `reason` says why (one line).

    Reasons read after "it is" ("not valid JSON (…)", "a directory, not a file", "missing"),
    so a caller can build its own sentence around them; a TOML syntax error keeps the config's
    "line N: …" form."""

    def __init__(self, what: str, reason: str, *, missing: bool = False) -> None:
        self.what = what
        self.reason = " ".join(reason.split())
        # True only when nothing is at the path (not even a dangling symlink), so a caller can
        # treat "absent" as "use the defaults" and every other failure as an error.
        self.missing = missing
        super().__init__(f"{what}: {self.reason}")


def nesting_depth(text: str, *, toml: bool = False) -> int:
    """Deepest nesting outside strings (and TOML comments): brackets, and for TOML the parts of
    a dotted key.

    Regex passes and one `accumulate` keep it a few times cheaper than parsing; an unterminated
    string leaves its brackets counted, which can only turn a syntax error into a depth error.
    """
    code = (_TOML_SKIP if toml else _JSON_SKIP).sub("", text)
    deepest = 0
    if toml:
        deepest = max((key.group().count(".") + 1 for key in _TOML_KEYS.finditer(code)), default=0)
    brackets = _NOT_BRACKET.sub("", code)
    if brackets:
        steps = brackets.translate(_BRACKET_CODE).encode("ascii")
        deepest = max(deepest, max(accumulate(map(_BRACKET_STEP.__getitem__, steps))))
    return deepest


def _value_depth(value: Any, limit: int) -> int:
    """Depth of parsed tables/arrays, walked without recursion (TOML dotted keys such as
    `a.a.a…= 1` nest without any bracket, so the text scan alone cannot see them)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        depth += 1
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                break
        stack.extend((child, depth) for child in children)
    return deepest


def _guard(text: str, what: str, *, toml: bool, max_bytes: int, max_depth: int) -> None:
    if len(text) > max_bytes:
        raise LoadError(what, f"too large ({len(text):,} characters; the limit is {max_bytes:,})")
    if nesting_depth(text, toml=toml) > max_depth:
        raise LoadError(what, f"nested deeper than {max_depth} levels")


def _decode(data: str | bytes, what: str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise LoadError(what, "not UTF-8 text") from None


def load_json_text(
    data: str | bytes, *, what: str, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH
) -> Any:
    """Parse JSON text within the limits; LoadError on anything wrong."""
    if isinstance(data, bytes) and len(data) > max_bytes:
        raise LoadError(what, f"too large ({len(data):,} bytes; the limit is {max_bytes:,})")
    text = _decode(data, what)
    _guard(text, what, toml=False, max_bytes=max_bytes, max_depth=max_depth)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise LoadError(
            what, f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise LoadError(what, f"not usable JSON ({type(exc).__name__}: {exc})") from None


def load_toml_text(
    data: str | bytes, *, what: str, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH
) -> dict[str, Any]:
    """Parse TOML text into plain Python values within the limits; LoadError on anything wrong."""
    text = _decode(data, what)
    _guard(text, what, toml=True, max_bytes=max_bytes, max_depth=max_depth)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        at = _TOML_AT.search(msg)
        if at:
            raise LoadError(what, f"line {at.group(1)}: {msg[: at.start()]}") from None
        raise LoadError(what, _TOML_AT_END.sub(" at the end of the file", msg)) from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise LoadError(what, f"not usable TOML ({type(exc).__name__}: {exc})") from None
    # The document itself is a table: a flat file has depth 1, hence the + 1.
    if _value_depth(data, max_depth + 1) > max_depth + 1:
        raise LoadError(what, f"nested deeper than {max_depth} levels")
    return data


def load_toml_document(
    data: str | bytes, *, what: str, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH
) -> TOMLDocument:
    """Parse TOML text for a round-trip edit (comments and order kept); LoadError on anything
    wrong, so a file that does not parse is never rewritten."""
    import tomlkit  # only round-trip edits need it; the workbench's first frame does not
    from tomlkit.exceptions import ParseError, TOMLKitError

    text = _decode(data, what)
    _guard(text, what, toml=True, max_bytes=max_bytes, max_depth=max_depth)
    try:
        doc = tomlkit.parse(text)
    except ParseError as exc:
        msg = re.sub(r"\s+at line \d+ col \d+\s*$", "", str(exc))
        raise LoadError(what, f"line {exc.line}: {msg}") from None
    except (TOMLKitError, ValueError, RecursionError, MemoryError) as exc:
        raise LoadError(what, f"not usable TOML ({type(exc).__name__}: {exc})") from None
    if _value_depth(doc, max_depth + 1) > max_depth + 1:
        raise LoadError(what, f"nested deeper than {max_depth} levels")
    return doc


def _open_error(path: Path, what: str, exc: OSError, follow_symlinks: bool) -> LoadError:
    if exc.errno == errno.ENOENT and os.path.islink(path):
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        return LoadError(what, f"a symlink to {target}, which does not exist")
    if exc.errno == errno.ELOOP:
        if not follow_symlinks and os.path.islink(path):
            return LoadError(what, "a symlink, which specui does not follow here")
        return LoadError(what, "a symlink loop")
    if exc.errno == errno.ENOENT:
        return LoadError(what, "missing", missing=True)
    return LoadError(what, f"unreadable ({exc.strerror or exc})")


def read_file_bytes(
    path: str | os.PathLike[str],
    *,
    what: str,
    max_bytes: int = MAX_BYTES,
    follow_symlinks: bool = True,
) -> bytes:
    """A regular file's bytes, opened without blocking and read up to `max_bytes`.

    LoadError when it is missing (a dangling symlink says so), a symlink loop, a directory,
    a FIFO or device, larger than the limit, or unreadable.
    """
    path = Path(path)
    flags = os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK | (0 if follow_symlinks else os.O_NOFOLLOW)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise _open_error(path, what, exc, follow_symlinks) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise LoadError(what, "a directory, not a file")
        if not stat.S_ISREG(st.st_mode):
            raise LoadError(what, "not a regular file")
        if st.st_size > max_bytes:
            raise LoadError(what, f"too large ({st.st_size:,} bytes; the limit is {max_bytes:,})")
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise LoadError(what, f"too large (more than {max_bytes:,} bytes)")
        return b"".join(chunks)
    except OSError as exc:
        raise LoadError(what, f"unreadable ({exc.strerror or exc})") from None
    finally:
        os.close(fd)


def read_text_file(
    path: str | os.PathLike[str],
    *,
    what: str,
    max_bytes: int = MAX_BYTES,
    follow_symlinks: bool = True,
) -> str:
    """A regular file's UTF-8 text under the `read_file_bytes` rules (BOM dropped)."""
    data = read_file_bytes(path, what=what, max_bytes=max_bytes, follow_symlinks=follow_symlinks)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LoadError(what, "not UTF-8 text") from None


def load_json_file(
    path: str | os.PathLike[str],
    *,
    what: str,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
    follow_symlinks: bool = True,
) -> Any:
    """Read and parse a JSON file under the rules above; LoadError on anything wrong."""
    data = read_file_bytes(path, what=what, max_bytes=max_bytes, follow_symlinks=follow_symlinks)
    return load_json_text(data, what=what, max_bytes=max_bytes, max_depth=max_depth)


def load_toml_file(
    path: str | os.PathLike[str],
    *,
    what: str,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
    follow_symlinks: bool = True,
) -> dict[str, Any]:
    """Read and parse a TOML file into plain values under the rules above; LoadError otherwise."""
    data = read_file_bytes(path, what=what, max_bytes=max_bytes, follow_symlinks=follow_symlinks)
    return load_toml_text(data, what=what, max_bytes=max_bytes, max_depth=max_depth)
