"""SPEC.md on disk: safe reading and conflict-safe whole-unit patching.

The user may edit SPEC.md in their editor at any moment, including between the moment the
interviewer read it and the moment it writes its answer back. `SpecFile.patch` therefore does a
three-way check per unit: `base` is the document the change was computed from, the disk holds
what is there now. A change is written only if the user did not touch that unit since `base`
(disk unit text == base unit text); otherwise the user's text wins and the change is reported
as a conflict for the caller to keep (spec_service stores it in the session). Edits to other
units, and every byte outside the patched units, are kept as they are on disk.

Writes go through `specui.fsio` (temp file in the same directory, fsync, rename, mode kept). The
disk is re-checked (size and mtime) just before the rename so that an edit saved while we were
computing is not overwritten either: we start over from the new text.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from specui.core.spec import UNIT_BY_KEY, SpecDocument, placeholder_status
from specui.core.templates import render_spec_template
from specui.errors import SpecuiError
from specui.fsio import atomic_write_text

_MAX_ATTEMPTS = 5


@dataclass
class PatchOutcome:
    """The document now on disk, the units written, and the units refused as conflicts."""

    document: SpecDocument
    applied: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ino


class SpecFile:
    """One SPEC.md path. Stateless: every call looks at the disk afresh."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def _read_with_stamp(self) -> tuple[SpecDocument | None, tuple[int, int, int] | None]:
        for _ in range(_MAX_ATTEMPTS):
            before = _stamp(self.path)
            if before is None:
                return None, None
            try:
                data = self.path.read_bytes()
            except FileNotFoundError:
                continue
            except IsADirectoryError:
                raise SpecuiError(f"{self.path} is a directory, not a file") from None
            except OSError as exc:
                raise SpecuiError(f"cannot read {self.path}: {exc.strerror or exc}") from None
            if _stamp(self.path) == before:
                return SpecDocument.from_bytes(data, name=self.path.name), before
        raise SpecuiError(f"{self.path} keeps changing; try again")

    def read(self) -> SpecDocument | None:
        """The parsed file, or None when it does not exist. SpecuiError if unreadable/binary."""
        return self._read_with_stamp()[0]

    def patch(self, changes: Mapping[str, str], base: SpecDocument | None) -> PatchOutcome:
        """Apply unit changes (unit key -> new text) without overwriting concurrent edits.

        For each change, in order:
        * disk == base text (nobody edited): applied;
        * otherwise applied only if the unit's text on disk equals its text in `base`; a unit
          whose disk text already equals the new text counts as applied (nothing to write);
        * otherwise it is a conflict and the disk text is left alone.
        With `base=None` (the change was computed without reading SPEC.md) a change is applied
        only where the disk unit is absent or holds nothing but template placeholders.
        If SPEC.md does not exist it is recreated from `base` (or, without one, from the
        template titled after the directory) plus the changes.
        """
        for key in changes:
            if key not in UNIT_BY_KEY:
                raise SpecuiError(f"unknown SPEC.md unit: {key!r}")
        for _ in range(_MAX_ATTEMPTS):
            current, stamp = self._read_with_stamp()
            if current is None:
                start = base if base is not None else self._fresh()
                same = True
            else:
                same = base is not None and current.text == base.text
                # Same text: patch `base`, whose structure the caller has usually computed
                # already (statuses), so the file is not scanned a second time.
                start = base if same and base is not None else current
            doc, applied, conflicts = self._apply(start, changes, base, same)
            if current is not None and doc.text == current.text:
                return PatchOutcome(start, applied, conflicts)
            if _stamp(self.path) != stamp:
                continue  # changed while we worked: redo the three-way check on the new text
            try:
                atomic_write_text(self.path, doc.text)
            except OSError as exc:
                raise SpecuiError(f"cannot write {self.path}: {exc.strerror or exc}") from None
            return PatchOutcome(doc, applied, conflicts)
        raise SpecuiError(f"{self.path} keeps changing; the patch was not written")

    def _fresh(self) -> SpecDocument:
        return SpecDocument.parse(render_spec_template(self.path.resolve().parent.name))

    @staticmethod
    def _apply(
        doc: SpecDocument,
        changes: Mapping[str, str],
        base: SpecDocument | None,
        same: bool,
    ) -> tuple[SpecDocument, list[str], list[str]]:
        applied: list[str] = []
        conflicts: list[str] = []
        disk = doc  # units are compared against the disk text, not our own earlier changes
        for key, text in changes.items():
            if not same:
                now = disk.unit_text(key)
                if base is not None:
                    ok = now == base.unit_text(key)
                else:
                    ok = placeholder_status(now) == "unknown"
                if not ok:
                    if now is not None and _same_text(now, text):
                        applied.append(key)
                    else:
                        conflicts.append(key)
                    continue
            doc = doc.with_unit_text(key, text)
            applied.append(key)
        return doc, applied, conflicts


def _same_text(a: str, b: str) -> bool:
    return a.replace("\r\n", "\n").strip() == b.replace("\r\n", "\n").strip()
