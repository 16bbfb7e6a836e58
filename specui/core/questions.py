"""Structured question payloads and answers (seed 004 §2b; `omx question` compatible).

Two audiences share these models:
- the interview (engines, store, option picker) builds `Question`s and records `Answer`s;
- `specui question` takes payloads from agents. There the rules are oh-my-codex 0.21's own
  (`normalizeQuestionInput`, src/question/types.ts), ported with its error messages, so a
  payload `omx question` accepts is accepted here and one it refuses is refused with the same
  words. Claude Code's AskUserQuestion input (`questions[]` of `{question, header, options,
  multiSelect}`) is accepted too; OMX reads it the same way except that it ignores
  `multiSelect`, which is honoured here.

Answer kinds are OMX's: `option` (one option), `multi` (a set, Other text included as a
value), `other` (the typed "Other" text: `selected_labels: [other_label]`,
`selected_values: [text]`, `other_text`). The interview has one more, `text`, for its
free-text-only questions; `omx_answer` turns it into OMX's `other` at the bridge, because a
free-text question in OMX is an options-less question whose only entry is Other.
`validate_answers` ports OMX's answer validator (src/question/state.ts + events.ts).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    computed_field,
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
        # OMX: an empty or missing value falls back to the label.
        if isinstance(data, Mapping) and not _text(data.get("value")) and "label" in data:
            data = {**data, "value": data["label"]}
        return data

    @model_validator(mode="after")
    def _not_blank(self) -> QuestionOption:
        if not self.label.strip():
            raise ValueError("label must not be empty")
        if not self.value.strip():
            raise ValueError("value must not be empty")
        return self

    def omx(self) -> dict[str, Any]:
        """OMX's normalized option: description only when there is one."""
        data: dict[str, Any] = {"label": self.label, "value": self.value}
        if self.description.strip():
            data["description"] = self.description
        return data


class Question(BaseModel):
    """One question. `multi_select` always mirrors `type` (seed 004). `id` names it inside a
    batch (OMX's default `q-N`); `header` is a short heading shown above it."""

    model_config = ConfigDict(extra="ignore")

    question: str
    type: QuestionType = "single-answerable"
    options: list[QuestionOption] = Field(default_factory=list)
    allow_other: bool = True
    other_label: str = "Other"
    source: str = "specui"
    id: str = "q-1"
    header: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _align_type(cls, data: Any) -> Any:
        # `type` is canonical; a payload that only says multi_select gets the matching type.
        if isinstance(data, Mapping):
            data = dict(data)
            if "type" not in data and "multi_select" in data:
                data["type"] = (
                    "multi-answerable" if data["multi_select"] is True else "single-answerable"
                )
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
        if not self.other_label.strip():
            self.other_label = "Other"
        return self

    @property
    def is_free_text(self) -> bool:
        """No options: the answer is free text."""
        return not self.options

    def payload(self) -> dict[str, Any]:
        """The seed 004 JSON payload (with `multi_select` aligned to `type`)."""
        return self.model_dump(mode="json")

    def omx(self) -> dict[str, Any]:
        """OMX's normalized question (an entry of the envelope's `questions`)."""
        data: dict[str, Any] = {"id": self.id}
        if self.header:
            data["header"] = self.header
        data.update(
            question=self.question,
            options=[o.omx() for o in self.options],
            allow_other=self.allow_other,
            other_label=self.other_label,
            multi_select=self.multi_select,
            type=self.type,
        )
        return data


class QuestionBatch(BaseModel):
    """A normalized `specui question` payload: one or more questions asked together."""

    # Built on first use: the workbench loads questions.py for the session, not for the bridge.
    model_config = ConfigDict(extra="ignore", defer_build=True)

    questions: list[Question] = Field(min_length=1)
    header: str | None = None
    source: str | None = None
    session_id: str | None = None
    objective: str | None = None

    @property
    def first(self) -> Question:
        return self.questions[0]

    @property
    def is_batch(self) -> bool:
        return len(self.questions) > 1

    def prompt(self) -> dict[str, Any]:
        """OMX's `prompt` projection of the first question (one-question envelopes only)."""
        q = self.first
        data: dict[str, Any] = {}
        if self.header or q.header:
            data["header"] = self.header or q.header
        data.update(
            question=q.question,
            options=[o.omx() for o in q.options],
            allow_other=q.allow_other,
            other_label=q.other_label,
            type=q.type,
            multi_select=q.multi_select,
        )
        if self.source:
            data["source"] = self.source
        return data


class Answer(BaseModel):
    """A user's answer in seed 004's / OMX's shape (see the module docstring for `kind`)."""

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
        """The answer object; `other_text` only when there is one."""
        data = self.model_dump(mode="json")
        if data.get("other_text") is None:
            data.pop("other_text", None)
        return data


# ------------------------------------------------------------------------------ OMX input rules


def _text(value: Any) -> str:
    """OMX's safeString(...).trim(): anything but a string counts as empty."""
    return value.strip() if isinstance(value, str) else ""


def _omx_option(raw: Any, index: int) -> QuestionOption:
    if isinstance(raw, str):
        label = raw.strip()
        if not label:
            raise SpecuiError(f"options[{index}] must be a non-empty string")
        return QuestionOption(label=label, value=label)
    if not isinstance(raw, Mapping):
        raise SpecuiError(f"options[{index}] must be a string or object")
    label = _text(raw.get("label"))
    value = _text(raw.get("value")) or label
    if not label:
        raise SpecuiError(f"options[{index}].label must be a non-empty string")
    return QuestionOption(
        label=label,
        value=value,
        description=_text(raw.get("description")),
        recommended=raw.get("recommended") is True,
    )


def _omx_type(raw: Any) -> QuestionType | None:
    normalized = _text(raw).lower()
    if not normalized:
        return None
    if normalized in ("multi-answerable", "multi-select"):
        return "multi-answerable"
    if normalized in ("single-answerable", "single-select"):
        return "single-answerable"
    raise SpecuiError("type must be one of: single-answerable, multi-answerable")


def _omx_item(raw: Any, index: int, inherited_header: str | None, source: str) -> Question:
    """OMX's normalizeQuestionItem, check for check and in its order."""
    if not isinstance(raw, Mapping):
        raise SpecuiError(f"questions[{index}] must be a JSON object")
    text = _text(raw.get("question"))
    header = _text(raw.get("header")) or (inherited_header if index == 0 else None)
    other_label = _text(raw.get("other_label")) or "Other"
    allow_other = raw.get("allow_other") is not False
    raw_multi = raw.get("multi_select")
    parsed_type = _omx_type(raw.get("type"))
    raw_options = raw.get("options") if isinstance(raw.get("options"), list) else []
    qid = _text(raw.get("id")) or f"q-{index + 1}"
    if not text:
        raise SpecuiError(f"questions[{index}].question must be a non-empty string")
    if not raw_options and not allow_other:
        raise SpecuiError(
            f"questions[{index}].options must be a non-empty array unless allow_other is true"
        )
    if parsed_type == "single-answerable" and raw_multi is True:
        raise SpecuiError(f"questions[{index}] type=single-answerable conflicts with multi_select=true")
    if parsed_type == "multi-answerable" and raw_multi is False:
        raise SpecuiError(
            f"questions[{index}] type=multi-answerable conflicts with multi_select=false"
        )
    # Claude Code's AskUserQuestion says multiSelect (OMX ignores it; it is honoured here
    # only where OMX's own keys say nothing).
    multi = raw_multi is True or (
        parsed_type is None and raw_multi is None and raw.get("multiSelect") is True
    )
    qtype: QuestionType = parsed_type or ("multi-answerable" if multi else "single-answerable")
    options = [_omx_option(option, i) for i, option in enumerate(raw_options)]
    return Question(
        id=qid,
        header=header,
        question=text,
        type=qtype,
        options=options,
        allow_other=allow_other,
        other_label=other_label,
        source=source or "specui",
    )


def normalize_question_input(raw: Any) -> QuestionBatch:
    """OMX's normalizeQuestionInput: a bare question or a `questions[]` batch (OMX or Claude
    Code shape) -> QuestionBatch. SpecuiError carrying OMX's message on anything it refuses."""
    if not isinstance(raw, Mapping):
        raise SpecuiError("question input must be a JSON object")
    header = _text(raw.get("header")) or None
    source = _text(raw.get("source")) or None
    session_id = _text(raw.get("session_id")) or None
    objective = _text(raw.get("objective")) or None
    items = raw.get("questions")
    if isinstance(items, list):
        questions = [_omx_item(item, i, header, source or "") for i, item in enumerate(items)]
    else:
        legacy = {**raw, "id": _text(raw.get("id")) or "q-1", "header": header}
        questions = [_omx_item(legacy, 0, header, source or "")]
    if not questions:
        raise SpecuiError("questions must be a non-empty array")
    seen: set[str] = set()
    for q in questions:
        if q.id in seen:
            raise SpecuiError(f"questions id must be unique: {q.id}")
        seen.add(q.id)
    return QuestionBatch(
        questions=questions,
        header=header,
        source=source,
        session_id=session_id,
        objective=objective,
    )


# ------------------------------------------------------------------------------ answers


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err.get("loc", ()) if p != "__root__")
    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    return f"{loc}: {msg}" if loc else msg


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
    A free-text question gives kind `text` (the interview's; see `omx_answer`).
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
            return other_answer(question, text)
        opt = chosen[0]
        return Answer(
            kind="option", value=opt.value, selected_labels=[opt.label], selected_values=[opt.value]
        )

    if count < 1:
        raise SpecuiError("choose at least one answer")
    by_value = {o.value: i for i, o in enumerate(question.options)}
    if text and text in by_value:
        # Typed text that is an option's value is that option (values must stay unique).
        indexes = sorted({*indexes, by_value[text]})
        chosen = [question.options[i] for i in indexes]
        text = None
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


def other_answer(question: Question, text: str) -> Answer:
    """`text` as the question's Other entry chosen (the shape every answer reader expects)."""
    return Answer(
        kind="other",
        value=text,
        selected_labels=[question.other_label],
        selected_values=[text],
        other_text=text,
    )


def omx_answer(question: Question, answer: Answer) -> Answer:
    """The answer as `omx question` gives it: a free-text answer is the Other entry chosen
    (OMX's `other`; on a multi-answerable question, a `multi` holding just that text)."""
    if answer.kind != "text":
        return answer
    text = answer.value if isinstance(answer.value, str) else "; ".join(answer.value)
    if question.multi_select:
        return Answer(
            kind="multi",
            value=[text],
            selected_labels=[question.other_label],
            selected_values=[text],
            other_text=text,
        )
    return other_answer(question, text)


class AnswerEntry(BaseModel):
    """One entry of the envelope's `answers`: which question, its position, the answer."""

    model_config = ConfigDict(extra="ignore", defer_build=True)  # as QuestionBatch

    question_id: str
    index: int
    answer: Answer

    def payload(self) -> dict[str, Any]:
        return {"question_id": self.question_id, "index": self.index, "answer": self.answer.payload()}


def answer_entries(batch: QuestionBatch, answers: Sequence[Answer]) -> list[AnswerEntry]:
    """Pair each question of the batch with its answer, in order (OMX's kinds)."""
    if len(answers) != len(batch.questions):
        raise SpecuiError(
            f"answer payload must include exactly one answer for each question "
            f"({len(batch.questions)})"
        )
    return [
        AnswerEntry(question_id=q.id, index=i, answer=omx_answer(q, a))
        for i, (q, a) in enumerate(zip(batch.questions, answers, strict=True))
    ]


def answer_envelope(
    batch: QuestionBatch,
    entries: Sequence[AnswerEntry],
    *,
    question_id: str,
) -> dict[str, Any]:
    """`omx question --json`'s success output: `answers[i].answer` canonical; `prompt` and
    `answer` projections only for a one-question call (as OMX)."""
    data: dict[str, Any] = {"ok": True, "question_id": question_id}
    if batch.session_id:
        data["session_id"] = batch.session_id
    data["questions"] = [q.omx() for q in batch.questions]
    data["answers"] = [e.payload() for e in entries]
    if not batch.is_batch and entries:
        data["prompt"] = batch.prompt()
        data["answer"] = entries[0].answer.payload()
    return data


def failure_envelope(
    code: str, message: str, *, question_id: str | None = None, session_id: str | None = None
) -> dict[str, Any]:
    """`omx question --json`'s failure output."""
    data: dict[str, Any] = {"ok": False}
    if question_id:
        data["question_id"] = question_id
    if session_id:
        data["session_id"] = session_id
    data["error"] = {"code": code, "message": message}
    return data


# ------------------------------------------------------------------------------ OMX's validator


def _string_array(value: Any, path: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise SpecuiError(f"{path} must be a non-empty string array")
    return value


def _no_duplicates(values: list[str], path: str) -> None:
    seen: set[str] = set()
    for v in values:
        if v in seen:
            raise SpecuiError(f"{path} must not contain duplicate values: {v}")
        seen.add(v)


def _expected_labels(question: Question, values: list[str], other_text: str | None) -> list[str]:
    labels_by_value: dict[str, str] = {}
    for o in question.options:
        labels_by_value.setdefault(o.value, o.label)
    out = []
    for v in values:
        if v in labels_by_value:
            out.append(labels_by_value[v])
        elif question.allow_other and other_text and v == other_text:
            out.append(question.other_label)
        else:
            raise SpecuiError(f"selected value is not in the option schema: {v}")
    return out


def _labels_match(labels: list[str], expected: list[str], path: str) -> None:
    if len(labels) != len(expected):
        raise SpecuiError(f"{path} cardinality must match selected values")
    for i, (got, want) in enumerate(zip(labels, expected, strict=True)):
        if got != want:
            raise SpecuiError(f"{path}[{i}] must match the selected value label")


def _validate_one(question: Question, index: int, answer: Mapping[str, Any]) -> None:
    p = f"answers[{index}].answer"
    values = _string_array(answer.get("selected_values"), f"{p}.selected_values")
    labels = _string_array(answer.get("selected_labels"), f"{p}.selected_labels")
    _no_duplicates(values, f"{p}.selected_values")
    option_values = {o.value for o in question.options}
    multi = question.multi_select
    raw_other = answer.get("other_text")
    other_text = raw_other.strip() if isinstance(raw_other, str) and raw_other.strip() else None
    out_of_schema = [v for v in values if v not in option_values]
    kind = answer.get("kind")
    if kind == "other":
        if not question.allow_other:
            raise SpecuiError(f"{p}.kind=other is not allowed for this question")
        if multi:
            raise SpecuiError(f"{p}.kind=other is only valid for single-answerable questions")
        if not other_text:
            raise SpecuiError(f"{p}.other_text must be a non-empty string")
        if len(values) != 1 or values[0] != other_text or answer.get("value") != other_text:
            raise SpecuiError(f"{p} other value must match selected_values[0] and other_text")
        _labels_match(labels, [question.other_label], f"{p}.selected_labels")
        return
    if kind == "option":
        if multi:
            raise SpecuiError(f"{p}.kind=option is only valid for single-answerable questions")
        if len(values) != 1 or len(labels) != 1:
            raise SpecuiError(f"{p} must select exactly one option")
        if values[0] not in option_values:
            raise SpecuiError(f"{p} selected value is not in the option schema: {values[0]}")
        if answer.get("value") != values[0]:
            raise SpecuiError(f"{p}.value must match selected_values[0]")
        _labels_match(labels, _expected_labels(question, values, None), f"{p}.selected_labels")
        return
    if not multi:
        raise SpecuiError(f"{p}.kind=multi is only valid for multi-answerable questions")
    value = answer.get("value")
    if not isinstance(value, list):
        raise SpecuiError(f"{p}.value must be an array for multi answers")
    if value != values:
        raise SpecuiError(f"{p}.value must match selected_values")
    if out_of_schema:
        if not question.allow_other:
            raise SpecuiError(f"{p} selected value is not in the option schema: {out_of_schema[0]}")
        if not other_text or len(out_of_schema) != 1 or out_of_schema[0] != other_text:
            raise SpecuiError(f"{p} out-of-schema selection must match a single other_text value")
    _labels_match(labels, _expected_labels(question, values, other_text), f"{p}.selected_labels")


def validate_answers(batch: QuestionBatch, raw: Any) -> list[AnswerEntry]:
    """OMX's normalizeSubmittedAnswers + validateSubmittedAnswersAgainstSchema: accepts an
    `answers` list, `{"answers": [...]}` or `{"answer": {...}}`; SpecuiError with OMX's
    message when the answers do not fit the questions."""
    if isinstance(raw, list):
        raw_answers = raw
    elif isinstance(raw, Mapping) and isinstance(raw.get("answers"), list):
        raw_answers = raw["answers"]
    elif isinstance(raw, Mapping) and raw.get("answer"):
        raw_answers = [{"question_id": batch.first.id, "index": 0, "answer": raw["answer"]}]
    else:
        raw_answers = []
    if not raw_answers:
        raise SpecuiError("answer payload must include answer or answers[]")
    by_id = {q.id: q for q in batch.questions}
    seen: set[str] = set()
    entries: list[tuple[str, int, Mapping[str, Any]]] = []
    for i, entry in enumerate(raw_answers):
        if not isinstance(entry, Mapping):
            raise SpecuiError(f"answers[{i}] must be an object")
        qid = _text(entry.get("question_id")) or (
            batch.questions[i].id if i < len(batch.questions) else ""
        )
        if not qid or qid not in by_id:
            raise SpecuiError(
                f"answers[{i}].question_id is unknown for this question: {qid or '<missing>'}"
            )
        if qid in seen:
            raise SpecuiError(f"answers question_id must be unique: {qid}")
        seen.add(qid)
        answer = entry.get("answer")
        if not isinstance(answer, Mapping):
            raise SpecuiError(f"answers[{i}].answer must be an object")
        if _text(answer.get("kind")) not in ("option", "other", "multi"):
            raise SpecuiError(f"answers[{i}].answer.kind must be option, other, or multi")
        if not isinstance(answer.get("selected_labels"), list) or not isinstance(
            answer.get("selected_values"), list
        ):
            raise SpecuiError(
                f"answers[{i}].answer must include selected_labels[] and selected_values[]"
            )
        index = entry.get("index")
        index = index if isinstance(index, int) and not isinstance(index, bool) else i
        entries.append((qid, index, answer))
    if len(entries) != len(batch.questions):
        raise SpecuiError(
            f"answer payload must include exactly one answer for each question "
            f"({len(batch.questions)})"
        )
    out: list[AnswerEntry] = []
    for qid, index, answer in entries:
        _validate_one(by_id[qid], index, answer)
        out.append(AnswerEntry(question_id=qid, index=index, answer=parse_answer(answer)))
    return out
