"""Glue between SPEC.md on disk, the pure spec core and the session store.

The CLI, the interviewer engines and the UI all ask the same questions ("what is each unit's
status?", "finalize this section", "apply these section changes") and must get the same
answers, so the answers live here once. A unit is *final* when its current text hashes to the
hash stored at finalization: editing a final section makes it non-final again by construction.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from specui.core.progress import progress_line, progress_percent
from specui.core.spec import (
    TRACKED_UNITS,
    SpecDocument,
    UnitStatus,
    content_hash,
    placeholder_status,
    unit_statuses,
)
from specui.core.templates import render_spec_template, render_stack_template
from specui.errors import SpecuiError
from specui.fsio import atomic_write_text
from specui.project import Project
from specui.store import Conflict, Session, SessionStore

if TYPE_CHECKING:
    from specui.specfile import PatchOutcome

UNIT_KEYS: tuple[str, ...] = tuple(u.key for u in TRACKED_UNITS)
UNIT_TITLES: dict[str, str] = {u.key: u.title for u in TRACKED_UNITS}


def _check_unit(unit: str) -> None:
    if unit not in UNIT_TITLES:
        raise SpecuiError(
            f"unknown SPEC.md unit {unit!r} (expected one of: {', '.join(UNIT_KEYS)})"
        )


def read_document(project: Project) -> SpecDocument | None:
    """SPEC.md parsed, or None when it does not exist. SpecuiError for unreadable content."""
    from specui.specfile import SpecFile  # I/O layer; imported on use to keep start-up light

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

    Refused (SpecuiError) when SPEC.md or the unit is missing, or the unit still holds only
    template placeholders: there is nothing to sign off yet.
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
    if placeholder_status(text) == "unknown":
        raise SpecuiError(f"cannot finalize {UNIT_TITLES[unit]!r}: it has no content yet")
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
    from specui.specfile import SpecFile

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
    """Forget one recorded conflict (after the user dealt with it) and return it."""
    removed: list[Conflict] = []

    def drop(s: Session) -> None:
        if not 0 <= index < len(s.spec.conflicts):
            raise SpecuiError(f"no conflict number {index + 1}")
        removed.append(s.spec.conflicts.pop(index))

    store.update(drop)
    return removed[0]


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
