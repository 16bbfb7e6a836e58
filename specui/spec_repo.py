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
kept as they are on disk. The write itself is `fsio.replace_merged`: the merge is redone when
the file changes before the swap, and lines another program wrote into the replaced file
during the swap are filed as a conflict, so no line anyone wrote is ever lost.

A unit is *final* when its current text hashes to the hash stored at finalization: editing a
final section makes it non-final again by construction.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from specui.core.errors import SpecuiError
from specui.core.fsio import replace_merged
from specui.core.loader import LoadError, read_file_bytes
from specui.core.paths import Project
from specui.core.spec import (
    UNIT_BY_KEY,
    UNIT_KEYS,
    UNIT_TITLES,
    SpecDocument,
    SpecProgress,
    UnitStatus,
    check_unit,
    finalize_digest,
    find_item,
    merge_items,
    norm_label,
    parse_items,
    placeholder_status,
    render_spec_template,
    render_stack_template,
    set_item,
    spec_progress,
)
from specui.store import Conflict, ConflictAction, ConflictResolution, Session, SessionStore

_MAX_ATTEMPTS = 5
SPEC_MAX_BYTES = 64 * 1024 * 1024  # far beyond any spec; the limit only stops a runaway file


@dataclass
class PatchOutcome:
    """The document now on disk, the units written, the units refused as conflicts with what
    specui proposes for each (its change replayed on the user's text where it could be), and
    text another program wrote during the write that is not in SPEC.md now (unit -> lines)."""

    document: SpecDocument
    applied: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    lost: list[tuple[str, str]] = field(default_factory=list)
    proposals: dict[str, str] = field(default_factory=dict)


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ino


class SpecFile:
    """One SPEC.md path; `root` is the project folder every write must stay inside.
    Stateless: every call looks at the disk afresh."""

    def __init__(self, path: Path, *, root: Path | None) -> None:
        self.path = Path(path)
        self.root = root

    def _read_with_stamp(self) -> tuple[SpecDocument | None, tuple[int, int, int] | None]:
        for _ in range(_MAX_ATTEMPTS):
            try:
                before = _stamp(self.path)
            except OSError as exc:
                raise SpecuiError(f"cannot read {self.path}: {exc.strerror or exc}") from None
            if before is None:
                return None, None
            try:  # core.loader: a FIFO or device in SPEC.md's place cannot block the read
                data = read_file_bytes(self.path, what=str(self.path), max_bytes=SPEC_MAX_BYTES)
            except LoadError as exc:
                if exc.missing:
                    continue
                raise
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
        result: list[PatchOutcome] = []

        def merge(data: bytes | None) -> bytes | None:
            result.clear()
            if data is None:
                current = None
                start = base if base is not None else self._fresh()
                same = True
            else:
                current = SpecDocument.from_bytes(data, name=self.path.name)
                same = base is not None and current.text == base.text
                # Same text: patch `base`, whose structure the caller has usually computed
                # already (statuses), so the file is not scanned a second time.
                start = base if same and base is not None else current
            doc, applied, conflicts, proposals = self._apply(start, changes, base, same)
            if current is not None and doc.text == current.text:
                result.append(PatchOutcome(start, applied, conflicts, proposals=proposals))
                return None
            result.append(PatchOutcome(doc, applied, conflicts, proposals=proposals))
            return doc.text.encode("utf-8")

        try:
            done = replace_merged(self.path, merge, root=self.root)
        except SpecuiError:
            raise  # says itself what to do (a read-only SPEC.md)
        except OSError as exc:
            raise SpecuiError(f"cannot write {self.path}: {exc.strerror or exc}") from None
        outcome = result[0]
        if done is not None and done.lost is not None:
            outcome.lost = self._missing_lines(done.previous or b"", done.lost)
        return outcome

    def _missing_lines(self, seen: bytes, theirs: bytes) -> list[tuple[str, str]]:
        """Lines `theirs` added to `seen` that SPEC.md does not hold now, grouped by the unit
        whose section they were written in."""
        old = seen.decode("utf-8", "replace").splitlines()
        text = theirs.decode("utf-8", "replace")
        new = text.splitlines()
        try:
            now = set(self.path.read_text(encoding="utf-8", errors="replace").splitlines())
        except OSError:
            now = set()
        matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
        doc = SpecDocument.parse(text)
        offsets = [0]
        for line in text.splitlines(keepends=True):
            offsets.append(offsets[-1] + len(line))
        grouped: dict[str, list[str]] = {}
        for tag, _i1, _i2, j1, j2 in matcher.get_opcodes():
            if tag not in ("insert", "replace"):
                continue
            for j in range(j1, j2):
                if new[j] in now or not new[j].strip():
                    continue
                grouped.setdefault(_unit_at(doc, offsets[j]), []).append(new[j])
        return [(unit, "\n".join(lines)) for unit, lines in grouped.items()]

    def _fresh(self) -> SpecDocument:
        return SpecDocument.parse(render_spec_template(self.path.resolve().parent.name))

    @staticmethod
    def _apply(
        doc: SpecDocument,
        changes: Mapping[str, str],
        base: SpecDocument | None,
        same: bool,
    ) -> tuple[SpecDocument, list[str], list[str], dict[str, str]]:
        applied: list[str] = []
        conflicts: list[str] = []
        proposals: dict[str, str] = {}
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
                        continue
                    rebased = _rebase(base.unit_text(key) if base is not None else None, text, now)
                    if rebased is not None and rebased[1]:
                        doc = doc.with_unit_text(key, rebased[0])
                        applied.append(key)
                    else:
                        conflicts.append(key)
                        proposals[key] = rebased[0] if rebased is not None else text
                    continue
            doc = doc.with_unit_text(key, text)
            applied.append(key)
        return doc, applied, conflicts, proposals


def _outside_items(body: str) -> list[str]:
    """The non-blank lines of a unit body that belong to no labelled bullet."""
    lines = body.splitlines()  # the lines parse_items numbers
    inside = {n for item in parse_items(body) for n in range(item.start, item.end)}
    return [line.strip() for n, line in enumerate(lines) if n not in inside and line.strip()]


def _rebase(base: str | None, proposed: str, now: str | None) -> tuple[str, bool] | None:
    """specui's change of one unit (`base` -> `proposed`) replayed on the user's newer text
    `now`, bullet by bullet: (text, clean). Clean when no bullet specui changed was changed by
    the user too; otherwise the text is the proposal to show, the user's other edits kept.
    None when the change is more than bullet values (a line outside the labelled bullets
    differs, or a bullet was dropped): then the whole unit is the proposal."""
    if base is None or now is None or _outside_items(base) != _outside_items(proposed):
        return None
    before = {norm_label(item.label): item.value for item in parse_items(base)}
    items = parse_items(proposed)
    if set(before) - {norm_label(item.label) for item in items}:
        return None
    text, clean = now, True
    for item in items:
        label = norm_label(item.label)
        if label in before and before[label] == item.value:
            continue  # specui left this bullet alone
        mine = find_item(now, item.label)
        theirs = mine.value if mine is not None else None
        if theirs == item.value:
            continue  # the user wrote the same
        if theirs != before.get(label):
            clean = False  # the user changed (or removed) the bullet specui changed
        text = set_item(text, mine.label if mine is not None else item.label, item.value)
    return text, clean


def _unit_at(doc: SpecDocument, offset: int) -> str:
    """The tracked unit whose section holds `offset` (the nearest canonical section above it;
    the first unit for text above every section)."""
    unit = UNIT_KEYS[0]
    for span in doc.sections:
        if span.start > offset:
            break
        if span.key is not None:
            unit = span.key
    return unit


def _same_text(a: str, b: str) -> bool:
    return a.replace("\r\n", "\n").strip() == b.replace("\r\n", "\n").strip()


def spec_file(project: Project) -> SpecFile:
    return SpecFile(project.spec, root=project.root)


def read_document(project: Project) -> SpecDocument | None:
    """SPEC.md parsed, or None when it does not exist. SpecuiError for unreadable content."""
    return spec_file(project).read()


def spec_progress_of(
    project: Project, store: SessionStore, doc: SpecDocument | None = None
) -> SpecProgress:
    """Every unit's status and the progress figures (all `unknown` without a SPEC.md)."""
    if doc is None:
        doc = read_document(project)
    return spec_progress(doc, store.state.spec.final_hashes)


def statuses(
    project: Project, store: SessionStore, doc: SpecDocument | None = None
) -> dict[str, UnitStatus]:
    """Status of every tracked unit, in tracked order (all `unknown` without a SPEC.md)."""
    return spec_progress_of(project, store, doc).statuses


def progress(project: Project, store: SessionStore, doc: SpecDocument | None = None) -> int:
    """Seed 000's progress: finalized tracked units ÷ 18, half-up to the nearest 5%."""
    return spec_progress_of(project, store, doc).percent


def finalize(project: Project, store: SessionStore, unit: str) -> Session:
    """Mark a unit final by storing the hash of its current text (`finalize_digest` says when
    that is refused and why)."""
    check_unit(unit)
    digest = finalize_digest(read_document(project), unit, project.spec.name)
    return store.update(lambda s: s.spec.final_hashes.__setitem__(unit, digest))


def unfinalize(project: Project, store: SessionStore, unit: str) -> Session:
    """Withdraw a unit's final status (its text is untouched)."""
    check_unit(unit)
    return store.update(lambda s: s.spec.final_hashes.pop(unit, None))


# The reason of a conflict that holds another program's lines rescued during a write (not a
# proposal of specui's): the conflicts screen titles its text after it.
LOST_LINES_REASON = ("another program wrote these lines into SPEC.md while specui was saving it; "
                     "they were kept here instead of being lost")


def patch(
    project: Project,
    store: SessionStore,
    changes: Mapping[str, str],
    base: SpecDocument | None,
) -> PatchOutcome:
    """Apply whole-unit changes to SPEC.md without ever overwriting a concurrent user edit.

    Changes that conflict are not written to SPEC.md; their text is kept in the store
    (`spec.conflicts`) so nothing the user typed is lost and the UI can offer it again. Lines
    another program wrote into SPEC.md during the write itself are kept there the same way.
    """
    for unit in changes:
        check_unit(unit)
    outcome = spec_file(project).patch(dict(changes), base)
    if outcome.conflicts or outcome.lost:
        at = datetime.now(UTC)

        def record(s: Session) -> None:
            for unit in outcome.conflicts:
                s.spec.conflicts.append(
                    Conflict(
                        unit=unit,
                        text=outcome.proposals.get(unit, changes[unit]),
                        at=at,
                        reason=f"{UNIT_TITLES[unit]} was edited in SPEC.md meanwhile; "
                        "the new text was kept aside instead of overwriting the edit",
                    )
                )
            for unit, text in outcome.lost:
                s.spec.conflicts.append(
                    Conflict(
                        unit=unit,
                        text=text,
                        at=at,
                        reason=LOST_LINES_REASON,
                    )
                )

        store.update(record)
    return outcome


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


@dataclass(frozen=True)
class ConflictOutcome:
    """The result of one action. `resolved` False means nothing changed: the unit was edited
    again after `base` was read, so the user's newest text stays and the conflict stays listed."""

    action: ConflictVerb
    resolved: bool
    conflict: Conflict
    message: str  # one line for the user
    document: SpecDocument | None = None  # SPEC.md after the action (None when not read)


def appended_text(current: str | None, proposed: str) -> str:
    """The user's text with the proposal merged in bullet by bullet (`bullets.merge_items`):
    labels are not repeated, placeholders are filled instead of kept beside real text."""
    return merge_items(current, proposed)


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
    check_unit(target.unit)
    title = UNIT_TITLES[target.unit]
    spec = spec_file(project)
    if base is None:
        base = spec.read()
    if base is None:
        raise SpecuiError(f"cannot {verb} specui's text for {title!r}: SPEC.md does not exist")
    previous = base.unit_text(target.unit)
    if verb == "apply":
        new_text = target.text
    else:
        new_text = appended_text(previous, target.text)
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

    A dangling symlink is written through when its target lies inside the project (and refused,
    naming it, when it points outside). Returns the files created (empty when none were needed).
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
        text = render(name).encode("utf-8")
        try:
            done = replace_merged(path, lambda data, t=text: t if data is None else None, root=root)
        except SpecuiError:
            raise
        except OSError as exc:
            raise SpecuiError(f"cannot write {path}: {exc.strerror or exc}") from None
        if done is not None:
            created.append(path)
    return created
