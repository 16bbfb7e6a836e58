"""SPEC.md on disk: the only module that reads or writes it.

The CLI, the interview and the UI all ask the same questions ("what is each unit's status?",
"finalize this section", "apply these section changes", "what about this conflict?") and must
get the same answers, so the answers live here once, on top of the pure `specui.core.spec`.

The user may edit SPEC.md in their editor at any moment, including between the moment the
interviewer read it and the moment it writes its answer back. `SpecFile.patch` therefore does a
three-way check per unit: `base` is the document the change was computed from, the disk holds
what is there now. A change is written only if the user did not touch that unit since `base`
(disk unit text == base unit text); otherwise the user's text wins and the change is kept as a
conflict in the session. Edits to other units, and every byte outside the patched units, are
kept as they are on disk.

A unit is *final* when its current text hashes to the hash stored at finalization: editing a
final section makes it non-final again by construction.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from specui.core.errors import SpecuiError
from specui.core.fsio import atomic_write_text
from specui.core.paths import Project
from specui.core.progress import progress_line, progress_percent
from specui.core.spec import (
    UNIT_BY_KEY,
    UNIT_KEYS,
    UNIT_TITLES,
    SpecDocument,
    UnitStatus,
    content_hash,
    first_placeholder,
    placeholder_status,
    render_spec_template,
    render_stack_template,
    unit_statuses,
)
from specui.store import Conflict, ConflictAction, ConflictResolution, Session, SessionStore

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


def _check_unit(unit: str) -> None:
    if unit not in UNIT_TITLES:
        raise SpecuiError(
            f"unknown SPEC.md unit {unit!r} (expected one of: {', '.join(UNIT_KEYS)})"
        )


def read_document(project: Project) -> SpecDocument | None:
    """SPEC.md parsed, or None when it does not exist. SpecuiError for unreadable content."""
    return SpecFile(project.spec).read()


def statuses(
    project: Project, store: SessionStore, doc: SpecDocument | None = None
) -> dict[str, UnitStatus]:
    """Status of every tracked unit, in tracked order (all `unknown` without a SPEC.md)."""
    if doc is None:
        doc = read_document(project)
    if doc is None:
        return dict.fromkeys(UNIT_KEYS, "unknown")
    found = unit_statuses(doc, store.state.spec.final_hashes)
    return {key: found.get(key, "unknown") for key in UNIT_KEYS}


def final_count(unit_status: Mapping[str, str]) -> int:
    return sum(1 for s in unit_status.values() if s == "final")


def progress(project: Project, store: SessionStore, doc: SpecDocument | None = None) -> int:
    """Seed 000's progress: finalized tracked units ÷ 18, half-up to the nearest 5%."""
    return progress_percent(final_count(statuses(project, store, doc)), len(UNIT_KEYS))


def progress_text(project: Project, store: SessionStore, doc: SpecDocument | None = None) -> str:
    """`Spec Creation Progress: ██████░░░░░░ 50%`."""
    return progress_line(progress(project, store, doc))


def finalize(project: Project, store: SessionStore, unit: str) -> Session:
    """Mark a unit final by storing the hash of its current text.

    Refused (SpecuiError) when SPEC.md or the unit is missing, or the unit is not yet
    `clarified`: seed 000 finishes when every section is at least Clarified, so a unit with
    placeholders left (`drafted`) must not count toward progress. The error names the first
    placeholder so the user knows what to fill in.
    """
    _check_unit(unit)
    doc = read_document(project)
    if doc is None:
        raise SpecuiError(
            f"cannot finalize {UNIT_TITLES[unit]!r}: {project.spec.name} does not exist"
        )
    text = doc.unit_text(unit)
    if text is None:
        raise SpecuiError(f"cannot finalize {UNIT_TITLES[unit]!r}: it is missing from SPEC.md")
    status = placeholder_status(text)
    if status == "unknown":
        raise SpecuiError(f"cannot finalize {UNIT_TITLES[unit]!r}: it has no content yet")
    if status != "clarified":
        found = first_placeholder(text) or "a placeholder"
        raise SpecuiError(
            f"{UNIT_TITLES[unit]} still has a placeholder: {found} — fill it in or delete it first"
        )
    digest = content_hash(text)
    return store.update(lambda s: s.spec.final_hashes.__setitem__(unit, digest))


def unfinalize(project: Project, store: SessionStore, unit: str) -> Session:
    """Withdraw a unit's final status (its text is untouched)."""
    _check_unit(unit)
    return store.update(lambda s: s.spec.final_hashes.pop(unit, None))


def patch(
    project: Project,
    store: SessionStore,
    changes: Mapping[str, str],
    base: SpecDocument | None,
) -> PatchOutcome:
    """Apply whole-unit changes to SPEC.md without ever overwriting a concurrent user edit.

    Changes that conflict are not written to SPEC.md; their text is kept in the store
    (`spec.conflicts`) so nothing the user typed is lost and the UI can offer it again.
    """
    for unit in changes:
        _check_unit(unit)
    outcome = SpecFile(project.spec).patch(dict(changes), base)
    if outcome.conflicts:
        at = datetime.now(UTC)

        def record(s: Session) -> None:
            for unit in outcome.conflicts:
                s.spec.conflicts.append(
                    Conflict(
                        unit=unit,
                        text=changes[unit],
                        at=at,
                        reason=f"{UNIT_TITLES[unit]} was edited in SPEC.md meanwhile; "
                        "the new text was kept aside instead of overwriting the edit",
                    )
                )

        store.update(record)
    return outcome


def resolve_conflict(store: SessionStore, index: int) -> Conflict:
    """Forget one recorded conflict (after the user dealt with it) and return it.

    The proposal is not thrown away: it moves to `spec.conflicts_history` as "dismissed".
    """
    return dismiss_conflict(store, index).conflict


# ---------------------------------------------------------------------------- conflicts
# What the user can do with a conflict (the ConflictsScreen offers exactly these):
#   apply   – put specui's text in place of the unit's current text;
#   append  – keep the user's text and add specui's text under it (both matter);
#   dismiss – keep SPEC.md as it is.
# Every action leaves a ConflictResolution in `spec.conflicts_history` that holds the proposal
# and the user's text it replaced or extended, so no text from either side is ever lost.
# SPEC.md is written first (through SpecFile.patch, which refuses to overwrite a newer edit) and
# the store second: if anything fails in between, the conflict is still listed, never lost.

ConflictVerb = Literal["apply", "append", "dismiss"]
CONFLICT_ACTIONS: tuple[ConflictVerb, ...] = ("apply", "append", "dismiss")
_DONE: dict[str, ConflictAction] = {
    "apply": "applied",
    "append": "appended",
    "dismiss": "dismissed",
}

# A proposal for the Security & Privacy item usually starts with the item's own label; when it
# is appended under the existing item, the label is dropped so the item is not nested in itself.
_SECURITY_HEAD = re.compile(
    r"^\s*[-*+]\s+\*\*\s*security\s*(?:&|and)\s*privacy\s*:?\s*\*\*\s*:?[ \t]*", re.IGNORECASE
)


@dataclass(frozen=True)
class ConflictOutcome:
    """The result of one action. `resolved` False means nothing changed: the unit was edited
    again after `base` was read, so the user's newest text stays and the conflict stays listed."""

    action: ConflictVerb
    resolved: bool
    conflict: Conflict
    message: str  # one line for the user
    document: SpecDocument | None = None  # SPEC.md after the action (None when not read)


def _norm(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def appended_text(unit: str, current: str | None, proposed: str) -> str:
    """The user's text with the proposal added under it (a blank line between the two).

    A proposal that is already contained in the user's text is not added twice.
    """
    mine = _norm(current or "")
    theirs = _norm(proposed)
    if not mine:
        return theirs
    if not theirs or theirs in mine:
        return mine
    if unit == "security":
        content = _SECURITY_HEAD.sub("", theirs, count=1)
        # A continuation line of the item (the core indents it); a blank line could end the item.
        return f"{mine}\n{content.strip() or theirs}"
    return f"{mine}\n\n{theirs}"


def _pick(s: Session, index: int, expect: Conflict | None) -> Conflict:
    conflicts = s.spec.conflicts
    if not 0 <= index < len(conflicts):
        raise SpecuiError(f"no conflict number {index + 1}")
    if expect is not None and conflicts[index] != expect:
        raise SpecuiError("the list of conflicts changed meanwhile; look at it again")
    return conflicts[index]


def _record(
    store: SessionStore, target: Conflict, verb: ConflictVerb, previous: str | None
) -> None:
    """Drop `target` from the open conflicts and add its resolution to the history, in one
    store update. The conflict is matched by value, so a list reshuffled by another process
    meanwhile still loses the right entry (and an already-dropped one is not dropped twice)."""

    def apply(s: Session) -> None:
        for i, c in enumerate(s.spec.conflicts):
            if c == target:
                del s.spec.conflicts[i]
                break
        s.spec.conflicts_history.append(
            ConflictResolution(conflict=target, action=_DONE[verb], previous_text=previous)
        )

    store.update(apply)


def dismiss_conflict(
    store: SessionStore, index: int, *, expect: Conflict | None = None
) -> ConflictOutcome:
    """Keep SPEC.md as it is and drop the conflict (its text moves to the history)."""
    target = _pick(store.state, index, expect)
    _record(store, target, "dismiss", None)
    title = UNIT_TITLES.get(target.unit, target.unit)
    return ConflictOutcome(
        "dismiss",
        True,
        target,
        f"Dismissed specui's text for {title}; it stays in the session history.",
    )


def _write_conflict(
    project: Project,
    store: SessionStore,
    index: int,
    verb: ConflictVerb,
    base: SpecDocument | None,
    expect: Conflict | None,
) -> ConflictOutcome:
    target = _pick(store.state, index, expect)
    _check_unit(target.unit)
    title = UNIT_TITLES[target.unit]
    spec = SpecFile(project.spec)
    if base is None:
        base = spec.read()
    if base is None:
        raise SpecuiError(f"cannot {verb} specui's text for {title!r}: SPEC.md does not exist")
    previous = base.unit_text(target.unit)
    if verb == "apply":
        new_text = target.text
    else:
        new_text = appended_text(target.unit, previous, target.text)
    outcome = spec.patch({target.unit: new_text}, base)
    if target.unit not in outcome.applied:
        return ConflictOutcome(
            verb,
            False,
            target,
            f"{title} changed in SPEC.md again; your newest text was kept and specui's text "
            "stays listed as a conflict.",
            outcome.document,
        )
    _record(store, target, verb, previous)
    if verb == "apply":
        message = f"Applied specui's text to {title}; your previous text is in the session history."
    else:
        message = f"Added specui's text under yours in {title}."
    return ConflictOutcome(verb, True, target, message, outcome.document)


def apply_conflict(
    project: Project,
    store: SessionStore,
    index: int,
    *,
    base: SpecDocument | None = None,
    expect: Conflict | None = None,
) -> ConflictOutcome:
    """Replace the unit's text with specui's proposal, then drop the conflict.

    `base` is the SPEC.md the user looked at when choosing (default: read it now). The write
    goes through `SpecFile.patch`, so if the unit changed since `base` the user's newest text
    wins again and the conflict stays (`resolved` False). The replaced text goes to the history.
    """
    return _write_conflict(project, store, index, "apply", base, expect)


def append_conflict(
    project: Project,
    store: SessionStore,
    index: int,
    *,
    base: SpecDocument | None = None,
    expect: Conflict | None = None,
) -> ConflictOutcome:
    """Keep the user's text and add specui's proposal under it, then drop the conflict.

    Same safety as `apply_conflict`: a unit edited since `base` is left alone.
    """
    return _write_conflict(project, store, index, "append", base, expect)


def conflict_action(
    project: Project,
    store: SessionStore,
    index: int,
    action: ConflictVerb,
    *,
    base: SpecDocument | None = None,
    expect: Conflict | None = None,
) -> ConflictOutcome:
    """One entry point for the UI: `action` is one of CONFLICT_ACTIONS."""
    if action == "apply":
        return apply_conflict(project, store, index, base=base, expect=expect)
    if action == "append":
        return append_conflict(project, store, index, base=base, expect=expect)
    if action == "dismiss":
        return dismiss_conflict(store, index, expect=expect)
    raise SpecuiError(
        f"unknown conflict action {action!r} (expected one of: apply, append, dismiss)"
    )


def init_project(project: Project) -> list[Path]:
    """Create SPEC.md (title = directory name) and stack.toml where missing; never overwrite.

    Returns the files created (empty when nothing was needed).
    """
    root = project.root
    if root.exists() and not root.is_dir():
        raise SpecuiError(f"not a directory: {root}")
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SpecuiError(f"cannot create {root}: {exc.strerror or exc}") from None
    created: list[Path] = []
    name = root.name
    for path, render in (
        (project.spec, render_spec_template),
        (project.stack, render_stack_template),
    ):
        if path.exists() or path.is_symlink():
            continue
        try:
            atomic_write_text(path, render(name))
        except OSError as exc:
            raise SpecuiError(f"cannot write {path}: {exc.strerror or exc}") from None
        created.append(path)
    return created
