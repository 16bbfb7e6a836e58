"""Every write of a user's file: atomic, inside the project, umask honoured, no edit lost.

Rules, and why:
* **Atomic**: data goes to a temp file next to the target (`.NAME.XXXXXXXX.tmp`), is fsynced,
  then renamed over the target, so a crash never leaves a torn file. Temp files that a killed
  process left behind are removed at start (`remove_stale_temps`).
* **Inside the project**: the target is resolved (symlinks followed, `SPEC.md -> docs/SPEC.md`
  is common and stays a link) and must lie inside the project root, or inside a path the user
  allowed for this process (`allow_outside`: the CLI flag or the user-level config, never the
  project's own `specui.toml`, which a cloned repository controls). Otherwise `OutsidePathError`
  names the path and nothing is written. Temp files are created with `O_NOFOLLOW | O_EXCL`.
* **Read-only means read-only**: the rename needs only the folder's write permission, so it
  would replace a file the user made read-only (`chmod a-w SPEC.md`, or one they may not write).
  Such a file is refused with `ReadOnlyError` and left as it is.
* **Modes**: an existing file keeps its mode; a new one gets `0o666 & ~umask` (the kernel
  applies the umask because the file is created with mode 0o666). Files under `.specui/` hold
  answers and prompts: new ones are 0600 and new folders there 0700.
* **No lost edit** (`replace_merged`): other programs (an editor, a script appending lines) do
  not take specui's lock. The new content is computed from what is on disk, and just before the
  swap the file is read again; if it changed, the merge is redone from the new text. The swap
  itself is an atomic *exchange* (Linux `renameat2(RENAME_EXCHANGE)`), so the file that was
  replaced is still in hand afterwards: after a short settle time (a writer that opened the old
  file just before the swap writes into it), anything it holds beyond what the merge saw is
  returned to the caller as `lost`, who keeps it (SPEC.md files it as a conflict). Where the
  exchange is unsupported a plain rename is used and the old file is watched through an open
  descriptor, which catches appends but not a second replace landing in the same microseconds.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shlex
import stat
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from specui.core.errors import SpecuiError

PRIVATE_DIR = ".specui"  # answers and prompts live here: 0600 files, 0700 folders
STALE_TEMP_SECONDS = 60.0  # a temp file this old belongs to no running write
SETTLE_SECONDS = 0.002  # grace for a writer that opened the old file just before the swap

_TEMP_RE = re.compile(r"\..+\.[A-Za-z0-9_]{8}\.tmp")
_TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789_"


class OutsidePathError(SpecuiError):
    """A write would leave the project (a symlink pointing out, or a path outside it)."""


class ReadOnlyError(SpecuiError, PermissionError):
    """The file to replace is read-only (no owner write bit, or this user may not write it).
    A PermissionError too: a caller that keeps working when a save fails (the session store)
    handles it as the failed write it is."""


_allowed_outside: list[Path] = []
_default_root: list[Path] = []  # the project of the running command (`confined_to`)


@contextlib.contextmanager
def confined_to(root: Path | str, allow: Iterable[Path | str] = ()) -> Iterator[None]:
    """While active, every write that names no `root` is confined to the project at `root`,
    and `allow` lists the paths outside it the user allowed. The CLI wraps each command in
    it, so writers deep in the runner or the interview are confined without passing the root
    around; the previous policy is restored afterwards."""
    saved = list(_default_root), list(_allowed_outside)
    _default_root[:] = [Path(os.path.realpath(root))]
    allow_outside(allow)
    try:
        yield
    finally:
        _default_root[:], _allowed_outside[:] = saved


# specui's own folders always sit in a project's root, so a path through one names its project
# even when the writer (e.g. the detached phase supervisor) was given no root.
_ROOT_MARKERS = (PRIVATE_DIR, ".omx")


def _root(root: Path | str | None, path: Path | str) -> Path | str | None:
    if root is not None:
        return root
    if _default_root:
        return _default_root[0]
    parts = Path(os.path.abspath(path)).parts
    for i, part in enumerate(parts[:-1]):
        if part in _ROOT_MARKERS:
            return Path(*parts[:i])
    return None


def allow_outside(paths: Iterable[Path | str]) -> None:
    """Let this process write to `paths` (files or folders) although they lie outside the
    project. Called for the CLI's `--allow-outside` and the user-level config only."""
    for p in paths:
        real = Path(os.path.realpath(Path(p).expanduser()))
        if real not in _allowed_outside:
            _allowed_outside.append(real)


def user_config_allowances(path: Path) -> list[Path]:
    """The user-level config's `allow_outside = ["~/notes/SPEC.md", ...]` (relative paths are
    relative to the config's folder). A missing file allows nothing; a broken one is a
    one-line SpecuiError naming it."""
    import tomllib

    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise SpecuiError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(raw) > 1 << 20:
        raise SpecuiError(f"{path} is larger than 1 MiB; is it the right file?")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise SpecuiError(f"{path} is not valid TOML: {reason}") from None
    entries = data.get("allow_outside", [])
    if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
        raise SpecuiError(f"{path}: allow_outside must be a list of paths (strings)")
    return [path.parent / Path(e).expanduser() for e in entries]


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def resolve_target(path: Path | str, root: Path | str | None) -> Path:
    """The real file a write of `path` lands on, checked to lie inside `root`.

    Symlinks are followed (a chain included); a symlink loop is a SpecuiError. With `root` None
    the running command's project (`confined_to`) applies, else the folder holding the path's
    `.specui/` or `.omx/`; otherwise the path is not confined (library use outside any project,
    e.g. tests of this module).
    """
    root = _root(root, path)
    lexical = Path(os.path.abspath(path))
    real = Path(os.path.realpath(lexical))
    if os.path.islink(real):
        raise SpecuiError(f"{lexical} is a symlink loop; specui cannot write it")
    if root is None:
        return real
    root_real = Path(os.path.realpath(root))
    if _within(real, root_real) or any(_within(real, a) for a in _allowed_outside):
        return real
    shown = _shown(lexical, Path(os.path.abspath(root)))
    via = "" if real == lexical else f" (a symlink to {real})"
    raise OutsidePathError(
        f"{shown}{via} is outside the project {root_real}; specui does not write there. "
        f"To allow it, pass --allow-outside {real} or list it under allow_outside in "
        "~/.config/specui/config.toml"
    )


def _shown(lexical: Path, root: Path) -> str:
    try:
        return lexical.relative_to(root).as_posix()
    except ValueError:
        return str(lexical)


def _is_private(path: Path | str, root: Path | str | None) -> bool:
    root = _root(root, path)
    if root is None:
        return False
    try:
        rel = Path(os.path.abspath(path)).relative_to(os.path.abspath(root))
    except ValueError:
        return False
    return bool(rel.parts) and rel.parts[0] == PRIVATE_DIR


def make_dirs(
    directory: Path | str, *, root: Path | str | None = None, private: bool | None = None
) -> Path:
    """Create `directory` (and missing parents) inside the project; return its real path.

    New folders get 0o777 & ~umask, or 0700 under `.specui/`; existing ones are left alone.
    """
    real = resolve_target(directory, root)
    if private is None:
        private = _is_private(directory, root)
    _mkdirs(real, private)
    return real


def _mkdirs(real: Path, private: bool) -> None:
    """Create the missing folders of `real`, a resolved path already checked by the caller."""
    missing: list[Path] = []
    probe = real
    while not probe.exists():
        missing.append(probe)
        probe = probe.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, 0o700 if private else 0o777)
        except FileExistsError:
            pass
    if not real.is_dir():
        raise SpecuiError(f"{real} is not a folder")


def _open_dir(directory: Path) -> int:
    return os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)


def _existing_mode(dir_fd: int, name: str) -> int | None:
    try:
        st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(st.st_mode):
        raise SpecuiError(f"{name} became a symlink while specui was writing it; nothing written")
    if stat.S_ISDIR(st.st_mode):
        raise SpecuiError(f"{name} is a folder, not a file")
    return stat.S_IMODE(st.st_mode)


def _refuse_read_only(dir_fd: int, name: str, mode: int, shown: str) -> None:
    """`chmod a-w` is the user saying "do not change this file": the rename would not ask.
    `shown`: the path as the user names it from the project root."""
    if not mode & stat.S_IWUSR or not os.access(name, os.W_OK, dir_fd=dir_fd):
        raise ReadOnlyError(
            f"{shown} is read-only; specui did not change it (make it writable, e.g. "
            f"chmod u+w {shlex.quote(shown)}, and try again)"
        )


def _as_named(path: Path | str, root: Path | str | None) -> str:
    """`path` relative to the project root when it lies inside it, else as given."""
    root = _root(root, path)
    lexical = Path(os.path.abspath(path))
    return _shown(lexical, Path(os.path.abspath(root))) if root is not None else str(path)


def _write_temp(dir_fd: int, name: str, data: bytes, mode: int | None, private: bool) -> str:
    """A fsynced temp file holding `data` in the target's folder; returns its name."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    for _ in range(100):
        token = "".join(secrets.choice(_TOKEN_CHARS) for _ in range(8))
        tmp = f".{name}.{token}.tmp"
        try:
            fd = os.open(tmp, flags, 0o600 if private else 0o666, dir_fd=dir_fd)
        except FileExistsError:
            continue
        try:
            if mode is not None:
                os.fchmod(fd, mode)  # an existing file keeps its mode
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            _unlink(dir_fd, tmp)
            raise
        os.close(fd)
        return tmp
    raise SpecuiError(f"cannot create a temporary file next to {name}")


def _unlink(dir_fd: int, name: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(name, dir_fd=dir_fd)


def _fsync(fd: int) -> None:
    with contextlib.suppress(OSError):
        os.fsync(fd)


def atomic_write_bytes(
    path: Path | str, data: bytes, *, root: Path | str | None = None, private: bool | None = None
) -> None:
    """Replace `path` with `data` atomically (see the module rules); `root` confines it."""
    target = resolve_target(path, root)
    if private is None:
        private = _is_private(path, root)
    _mkdirs(target.parent, private)
    dir_fd = _open_dir(target.parent)
    try:
        mode = _existing_mode(dir_fd, target.name)
        if mode is not None:
            _refuse_read_only(dir_fd, target.name, mode, _as_named(path, root))
        tmp = _write_temp(dir_fd, target.name, data, mode, private)
        try:
            os.replace(tmp, target.name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        except BaseException:
            _unlink(dir_fd, tmp)
            raise
        _fsync(dir_fd)
    finally:
        os.close(dir_fd)


def atomic_write_text(
    path: Path | str, text: str, *, root: Path | str | None = None, private: bool | None = None
) -> None:
    """Write `text` as UTF-8 without newline translation (CRLF files stay CRLF)."""
    atomic_write_bytes(path, text.encode("utf-8"), root=root, private=private)


# --------------------------------------------------------------------------- read, merge, replace


@dataclass(frozen=True)
class Replaced:
    """What `replace_merged` did.

    `previous` is the content the written data was merged from (None: the file was created).
    `lost` is set when another program changed the replaced file during the swap: it is that
    file's final content, of which everything beyond `previous` is in neither file now.
    """

    previous: bytes | None
    written: bytes
    lost: bytes | None = None


def _read_fd(fd: int) -> bytes:
    chunks = []
    offset = 0
    while True:
        chunk = os.pread(fd, 1 << 20, offset)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        offset += len(chunk)


_RENAME_EXCHANGE = 2
_renameat2: Callable[..., int] | None = None
_exchange_supported = True


def _exchange(dir_fd: int, a: str, b: str) -> bool:
    """Atomically swap names `a` and `b` in one folder; False where the system cannot."""
    global _renameat2, _exchange_supported
    if not _exchange_supported:
        return False
    if _renameat2 is None:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        func = getattr(libc, "renameat2", None)
        if func is None:
            _exchange_supported = False
            return False
        func.argtypes = (
            ctypes.c_int,
            ctypes.c_char_p,
            ctypes.c_int,
            ctypes.c_char_p,
            ctypes.c_uint,
        )
        func.restype = ctypes.c_int
        _renameat2 = func
    if _renameat2(dir_fd, os.fsencode(a), dir_fd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    import ctypes

    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        _exchange_supported = False
        return False
    raise OSError(err, os.strerror(err), b)


def replace_merged(
    path: Path | str,
    merge: Callable[[bytes | None], bytes | None],
    *,
    root: Path | str | None = None,
    private: bool | None = None,
    attempts: int = 50,
    settle: float | None = None,
) -> Replaced | None:
    """Read `path`, write `merge(current)` in its place, never losing a concurrent edit.

    `merge` gets the current bytes (None when the file does not exist) and returns the new
    bytes, or None for "nothing to write" (then None is returned). It may run several times:
    whenever the file changed between the read and the swap, it is called again with the new
    content. See the module docstring for the guarantees and their limit.
    """
    target = resolve_target(path, root)
    if private is None:
        private = _is_private(path, root)
    if settle is None:
        settle = SETTLE_SECONDS
    _mkdirs(target.parent, private)
    dir_fd = _open_dir(target.parent)
    name = target.name
    shown = _as_named(path, root)
    try:
        for _ in range(attempts):
            done = _replace_once(dir_fd, name, merge, private, settle, shown)
            if done is not _AGAIN:
                return done  # type: ignore[return-value]
    finally:
        os.close(dir_fd)
    raise SpecuiError(f"{target} keeps changing; nothing was written, try again")


_AGAIN = object()


def _open_current(dir_fd: int, name: str) -> int | None:
    try:
        # O_NONBLOCK: a FIFO in the file's place must not stall the write (and the workbench).
        fd = os.open(
            name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, dir_fd=dir_fd
        )
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise SpecuiError(f"{name} became a symlink while specui was writing it") from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise SpecuiError(f"{name} is not a regular file; specui does not replace it")
    return fd


def _replace_once(
    dir_fd: int,
    name: str,
    merge: Callable[[bytes | None], bytes | None],
    private: bool,
    settle: float,
    shown: str,
) -> Replaced | None | object:
    old_fd = _open_current(dir_fd, name)
    try:
        if old_fd is None:
            return _create_once(dir_fd, name, merge, private)
        before = _read_fd(old_fd)
        ino = os.fstat(old_fd).st_ino
        new = merge(before)
        if new is None:
            return None
        mode = stat.S_IMODE(os.fstat(old_fd).st_mode)
        _refuse_read_only(dir_fd, name, mode, shown)
        tmp = _write_temp(dir_fd, name, new, mode, private)
        try:
            # Last look before the swap: same file, same bytes (not only size and mtime).
            try:
                now = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
            except FileNotFoundError:
                now = None
            if now is None or now.st_ino != ino or _read_fd(old_fd) != before:
                return _AGAIN
            exchanged = _exchange(dir_fd, tmp, name)
            if not exchanged:
                os.replace(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        except BaseException:
            _unlink(dir_fd, tmp)
            raise
        _fsync(dir_fd)
        if settle > 0:
            time.sleep(settle)
        if exchanged:
            # `tmp` now names whatever was at `name` at the instant of the swap.
            swapped = _open_current(dir_fd, tmp)
            after = before
            if swapped is not None:
                if os.fstat(swapped).st_ino != ino:  # replaced between the last look and the swap
                    after = _read_fd(swapped)
                os.close(swapped)
            if after == before:
                after = _read_fd(old_fd)  # a writer may still hold the file we read
            _unlink(dir_fd, tmp)
        else:
            after = _read_fd(old_fd)
        return Replaced(before, new, None if after == before else after)
    finally:
        if old_fd is not None:
            os.close(old_fd)


def _create_once(
    dir_fd: int, name: str, merge: Callable[[bytes | None], bytes | None], private: bool
) -> Replaced | None | object:
    new = merge(None)
    if new is None:
        return None
    tmp = _write_temp(dir_fd, name, new, None, private)
    try:
        # link() never replaces: a file created meanwhile makes us merge with it instead.
        os.link(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd, follow_symlinks=False)
    except FileExistsError:
        return _AGAIN
    finally:
        _unlink(dir_fd, tmp)
    _fsync(dir_fd)
    return Replaced(None, new)


# --------------------------------------------------------------------------- start-up cleanup


def remove_stale_temps(
    folders: Iterable[Path | str],
    *,
    root: Path | str,
    older_than: float = STALE_TEMP_SECONDS,
) -> list[Path]:
    """Delete `.NAME.XXXXXXXX.tmp` files (this module's naming) left by a killed process.

    Only regular files older than `older_than` seconds go, so a write in progress in another
    specui process is never disturbed, and only in folders that really lie inside `root` (a
    folder symlinked out of the project is left alone). Returns what was removed.
    """
    removed: list[Path] = []
    cutoff = time.time() - older_than
    root_real = Path(os.path.realpath(root))
    for folder in folders:
        if not _within(Path(os.path.realpath(folder)), root_real):
            continue
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if not _TEMP_RE.fullmatch(entry.name):
                continue
            try:
                st = entry.stat(follow_symlinks=False)
                if stat.S_ISREG(st.st_mode) and st.st_mtime < cutoff:
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
            except OSError:
                continue
    return removed
