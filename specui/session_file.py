"""`.specui/session.json` without the model layer: its envelope (schema version, size limit),
the key that names a pending question, and a peek at the saved question.

The store (specui/store.py) is the reader that counts: it validates the whole file with
pydantic, which costs about 150 ms of imports and model building at start-up. The workbench
paints its first question from this peek meanwhile, then renders the store's session over it;
the same question keeps whatever the user ticked or typed in between (its draft key matches).
A file the peek does not understand gives no peek, never an error: the store reports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from specui.core.loader import LoadError, load_json_text, read_file_bytes

if TYPE_CHECKING:
    from specui.core.paths import Project

SCHEMA_VERSION = 1
# Far above any real session (transcripts included); a larger file is set aside, not parsed.
SESSION_MAX_BYTES = 64 * 1024 * 1024

QUESTION_TYPES = ("single-answerable", "multi-answerable")


def draft_key(interview_id: str, phase: str, round: int, kind: str, question: str) -> str:
    """Names a pending question, so a draft is only ever restored onto the same one."""
    return f"{interview_id}:{phase}:{round}:{kind}:{question}"


@dataclass(frozen=True)
class SavedOption:
    label: str
    description: str = ""
    recommended: bool = False


@dataclass(frozen=True)
class SavedQuestion:
    """The fields of `core.questions.Question` the answer widgets read."""

    question: str
    type: str
    options: tuple[SavedOption, ...]
    allow_other: bool
    other_label: str

    @property
    def multi_select(self) -> bool:
        return self.type == "multi-answerable"

    @property
    def is_free_text(self) -> bool:
        return not self.options


@dataclass(frozen=True)
class SavedDraft:
    """What the user had ticked or typed (`interview.draft`)."""

    key: str
    chosen: tuple[int, ...] = ()
    highlighted: int | None = None
    other: bool = False
    text: str = ""


@dataclass(frozen=True)
class SavedPending:
    """The pending question and the interview facts its header shows."""

    question: SavedQuestion
    round: int
    dimension: str
    phase: str
    note: str
    why: str
    notice: str
    ambiguity: float
    profile: str
    threshold: float
    max_rounds: int
    type: str
    stage: str
    key: str
    draft: SavedDraft | None


def peek_pending(project: Project) -> SavedPending | None:
    """The question the saved session is waiting on, or None (no session, nothing pending, an
    engine round in flight or failed, or anything this reader does not expect)."""
    try:
        raw = read_file_bytes(project.session, what="session.json", max_bytes=SESSION_MAX_BYTES)
        data = load_json_text(raw, what="session.json", max_bytes=SESSION_MAX_BYTES)
        return _pending(data)
    except (LoadError, AttributeError, KeyError, TypeError, ValueError):
        return None


def _pending(data: Any) -> SavedPending | None:
    if not isinstance(data, dict) or _int(data["schema_version"]) != SCHEMA_VERSION:
        return None
    iv = data["interview"]
    current = iv["current"]
    engine = iv.get("engine") or {}
    if not isinstance(current, dict) or _str(engine.get("status", "idle")) != "idle":
        return None
    q = current["question"]
    qtype = _str(q.get("type", "single-answerable"))
    if qtype not in QUESTION_TYPES or not _str(q["question"]).strip():
        return None
    question = SavedQuestion(
        question=_str(q["question"]),
        type=qtype,
        options=tuple(
            SavedOption(
                _str(o["label"]), _str(o.get("description", "")), _bool(o.get("recommended", False))
            )
            for o in _list(q.get("options", []))
        ),
        allow_other=_bool(q.get("allow_other", True)),
        other_label=_str(q.get("other_label", "Other")).strip() or "Other",
    )
    phase, rnd, kind = _str(current.get("phase", "interview")), _int(current["round"]), _str(
        current.get("kind", "ordinary")
    )
    key = draft_key(_str(iv["id"]), phase, rnd, kind, question.question)
    return SavedPending(
        question=question,
        round=rnd,
        dimension=_str(current["dimension"]),
        phase=phase,
        note=_str(current.get("note", "")),
        why=_str(current.get("why", "")),
        notice=_str(iv.get("notice", "")),
        ambiguity=_float(iv.get("ambiguity", 1.0)),
        profile=_str(iv.get("profile", "standard")),
        threshold=_float(iv.get("threshold", 0.2)),
        max_rounds=_int(iv.get("max_rounds", 12)),
        type=_str(iv.get("type", "greenfield")),
        stage=_str(iv.get("stage", "intent-first")),
        key=key,
        draft=_draft(iv.get("draft"), key),
    )


def _draft(data: Any, key: str) -> SavedDraft | None:
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    highlighted = data.get("highlighted")
    return SavedDraft(
        key=key,
        chosen=tuple(_int(i) for i in _list(data.get("chosen", []))),
        highlighted=None if highlighted is None else _int(highlighted),
        other=_bool(data.get("other", False)),
        text=_str(data.get("text", "")),
    )


# Exact JSON types (a bool is not a number here), as the store's models demand.
def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError
    return value


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError
    return value


def _float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError
    return float(value)


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError
    return value
