"""Structured question payloads and answers (seed 004 §2b, OMX `omx question` compatible).

Questions come from the built-in interviewer, from agents and from `specui question --input`,
so they are validated at the boundary: any bad payload becomes a one-line SpecuiError rather than
a pydantic traceback. Answers use the exact shapes of seed 004 (`kind` option/multi + `value`,
`selected_labels`, `selected_values`) plus two of specui's own: `other` (the user typed the
"Other" entry; `value` is that text) and `text` (a free-text-only question).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    computed_field,
    field_validator,
    model_validator,
)

from specui.core.errors import SpecuiError

QuestionType = Literal["single-answerable", "multi-answerable"]
AnswerKind = Literal["option", "multi", "other", "text"]


class QuestionOption(BaseModel):
    """One choice. `value` is what machines read; `label` is what people read."""

    model_config = ConfigDict(extra="ignore")

    label: str
    value: str
    description: str = ""
    recommended: bool = False

    @model_validator(mode="before")
    @classmethod
    def _value_defaults_to_label(cls, data: Any) -> Any:
        # Hand-written payloads often give only a label; the label is then the value too.
        if isinstance(data, Mapping) and "value" not in data and "label" in data:
            data = {**data, "value": data["label"]}
        return data

    @field_validator("label", "value")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be empty")
        return v


class Question(BaseModel):
    """One interview round's question. `multi_select` always mirrors `type` (seed 004)."""

    model_config = ConfigDict(extra="ignore")

    question: str
    type: QuestionType = "single-answerable"
    options: list[QuestionOption] = Field(default_factory=list)
    allow_other: bool = True
    other_label: str = "Other"
    source: str = "specui"

    @model_validator(mode="before")
    @classmethod
    def _align_type(cls, data: Any) -> Any:
        # `type` is canonical; a payload that only says multi_select gets the matching type.
        if isinstance(data, Mapping):
            data = dict(data)
            if "type" not in data and "multi_select" in data:
                data["type"] = "multi-answerable" if data["multi_select"] else "single-answerable"
            data.pop("multi_select", None)
        return data

    @computed_field  # type: ignore[prop-decorator]
    @property
    def multi_select(self) -> bool:
        """Derived from `type`, so the two can never disagree."""
        return self.type == "multi-answerable"

    @model_validator(mode="after")
    def _check(self) -> Question:
        if not self.question.strip():
            raise ValueError("question text must not be empty")
        values = [o.value for o in self.options]
        dupes = sorted({v for v in values if values.count(v) > 1})
        if dupes:
            raise ValueError(f"duplicate option value {dupes[0]!r}")
        if not self.other_label.strip():
            self.other_label = "Other"
        return self

    @property
    def is_free_text(self) -> bool:
        """No options: the answer is free text."""
        return not self.options

    def payload(self) -> dict[str, Any]:
        """The OMX-compatible JSON payload (with `multi_select` aligned to `type`)."""
        return self.model_dump(mode="json")


class Answer(BaseModel):
    """A user's answer in seed 004's shape (see module docstring for the `kind`s)."""

    model_config = ConfigDict(extra="ignore")

    kind: AnswerKind
    value: str | list[str]
    selected_labels: list[str] = Field(default_factory=list)
    selected_values: list[str] = Field(default_factory=list)
    other_text: str | None = None

    def summary(self) -> str:
        """Human text for SPEC.md patches and transcripts: labels, then any typed text."""
        if self.kind in ("other", "text"):
            return self.value if isinstance(self.value, str) else "; ".join(self.value)
        parts = list(self.selected_labels)
        if self.other_text is not None:
            # The "Other" label itself says nothing; the typed text stands in its place.
            if parts and self.selected_values and self.selected_values[-1] == self.other_text:
                parts = parts[:-1]
            parts.append(self.other_text)
        return "; ".join(parts)

    def payload(self) -> dict[str, Any]:
        """Seed 004's answer object; `other_text` only when there is one."""
        data = self.model_dump(mode="json")
        if data.get("other_text") is None:
            data.pop("other_text", None)
        return data


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err.get("loc", ()) if p != "__root__")
    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    return f"{loc}: {msg}" if loc else msg


def parse_question(data: Mapping[str, Any] | str | bytes) -> Question:
    """Validate a question payload (a mapping or JSON text). SpecuiError on anything wrong."""
    if isinstance(data, (str, bytes)):
        try:
            data = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise SpecuiError(f"question payload is not valid JSON: {exc}") from None
    if not isinstance(data, Mapping):
        raise SpecuiError("question payload must be a JSON object")
    try:
        return Question.model_validate(data)
    except ValidationError as exc:
        raise SpecuiError(f"invalid question payload: {_first_error(exc)}") from None


def parse_answer(data: Mapping[str, Any]) -> Answer:
    """Validate an answer object (as written by another tool). SpecuiError on anything wrong."""
    if not isinstance(data, Mapping):
        raise SpecuiError("answer must be a JSON object")
    try:
        return Answer.model_validate(data)
    except ValidationError as exc:
        raise SpecuiError(f"invalid answer: {_first_error(exc)}") from None


def build_answer(question: Question, selected: Sequence[int], other_text: str | None) -> Answer:
    """Turn picker state (chosen option indexes + typed Other/free text) into an Answer.

    Rules: a single-answerable question needs exactly one choice (an option or Other); a
    multi-answerable one at least one; Other text and free text must be non-empty after strip.
    """
    text = other_text.strip() if other_text is not None else None
    if question.is_free_text:
        if selected:
            raise SpecuiError("this question has no options to select")
        if not text:
            raise SpecuiError("the answer must not be empty")
        return Answer(kind="text", value=text)

    indexes: list[int] = []
    for i in selected:
        if not isinstance(i, int) or isinstance(i, bool) or not 0 <= i < len(question.options):
            raise SpecuiError(f"no option number {i!r} (there are {len(question.options)})")
        if i not in indexes:
            indexes.append(i)
    indexes.sort()  # answers list choices in the question's order, whatever the click order

    if other_text is not None:
        if not question.allow_other:
            raise SpecuiError(f"this question does not accept {question.other_label!r}")
        if not text:
            raise SpecuiError(f"{question.other_label} text must not be empty")

    chosen = [question.options[i] for i in indexes]
    count = len(chosen) + (1 if text else 0)
    if question.type == "single-answerable":
        if count != 1:
            raise SpecuiError("choose exactly one answer")
        if text:
            return Answer(
                kind="other",
                value=text,
                selected_labels=[question.other_label],
                selected_values=[text],
                other_text=text,
            )
        opt = chosen[0]
        return Answer(
            kind="option", value=opt.value, selected_labels=[opt.label], selected_values=[opt.value]
        )

    if count < 1:
        raise SpecuiError("choose at least one answer")
    labels = [o.label for o in chosen]
    values = [o.value for o in chosen]
    if text:
        labels.append(question.other_label)
        values.append(text)
    return Answer(
        kind="multi",
        value=list(values),
        selected_labels=labels,
        selected_values=list(values),
        other_text=text,
    )


def answer_envelope(answer: Answer) -> dict[str, Any]:
    """The OMX `omx question` response: `answers[0].answer` is canonical, `answer` a projection."""
    payload = answer.payload()
    return {"answers": [{"answer": payload}], "answer": dict(payload)}
