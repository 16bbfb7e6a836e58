"""The offline interviewer's question bank: data (`bank.toml`), validated by these models.

Each entry is one question about one SPEC.md bullet (`section` + `label`); a package option may
also fill other bullets of the same section (`fills`), never another section. Rules the loader
enforces, so that no bank edit can ask what the user cannot answer or write what they did not choose:

* one question at a time: a prompt holds at most one `?` and never chains a second question
  ("... and what ..."), and a package option never decides a bullet another entry asks about
  (one decision, one question);
* text written into SPEC.md is what the user chose: every word of an option's `text` / `fills`
  appears in that option's label or description (the user saw it before choosing);
* options that contradict what is known are not offered: `only_if` / `not_if` name traits
  (`product:cli`, `lang:python`, `auth:mtls`, `chose:scope.non_goals=gui`,
  `answered:nfr.performance`, ...) that the engine derives from stack.toml, SPEC.md, the
  repository and the answers (a `chose:` trait must name a real option, an `answered:` trait a
  real entry); `recommend_if` moves the ★ to the option the traits point to;
* every entry has a default and its rationale, written (marked as a default) when the user
  defers ("decide for me");
* placeholders in prompts and options are a closed set (`{stack}`, `{claim}`, ...); an option
  whose placeholder has no value is not offered.

The section keys come from the one spec table (`specui.core.spec`), never a copy.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from specui.core.errors import SpecuiError
from specui.core.interview.contract import ChallengeMode, Dimension, GateName, PressureKind
from specui.core.loader import load_toml_text
from specui.core.spec import UNIT_KEYS, norm_label

BANK_PATH = Path(__file__).with_name("bank.toml")

Stage = Literal["intent-first", "feasibility", "brownfield", "special", "completion"]
Role = Literal["ordinary", "non_goals", "decision_boundaries", "pressure", "challenge", "stack_fix"]
EntryType = Literal["single", "multi", "free"]

# Placeholders a prompt or option may use; the engine fills them from the request.
PLACEHOLDERS = frozenset(
    {
        "stack",
        "claim",
        "round",
        "files",
        "detected_stack",
        "stack_changes",
        "project",
        "touchpoint",
        "terms",
        "datastore",
    }
)
TRAIT_PREFIXES = frozenset(
    {
        "product",
        "lang",
        "repo",
        "said",
        "auth",
        "stack",
        "mentions",
        "interview",
        "mode",
        "chose",
        "answered",
    }
)

_PLACEHOLDER_RE = re.compile(r"\{([a-z_]+)\}")
_CHAINED_QUESTION_RE = re.compile(
    r"[,;]?\s\b(?:and|or)\s+(?:what|which|who|how|when|where|why)\b", re.IGNORECASE
)
_WORD_RE = re.compile(r"[a-z0-9]+(?:[.'][a-z0-9]+)*")
# Words that carry no claim: a written text may add them without saying more than the option.
_GLUE = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "and",
        "or",
        "with",
        "without",
        "no",
        "not",
        "is",
        "are",
        "be",
        "it",
        "its",
        "this",
        "that",
        "as",
        "from",
        "per",
        "each",
        "every",
        "only",
        "one",
        "all",
        "any",
        "but",
    ]
)


def _words(text: str) -> set[str]:
    text = _PLACEHOLDER_RE.sub(" ", text.lower())
    return {w for w in _WORD_RE.findall(text) if w not in _GLUE}


def _placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER_RE.findall(text))


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_traits(traits: list[str], where: str) -> None:
    for t in traits:
        prefix, _, rest = t.partition(":")
        if prefix not in TRAIT_PREFIXES or not rest:
            raise ValueError(f"{where}: unknown trait {t!r}")


class BankOption(_Data):
    label: str = Field(min_length=1)
    value: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9-]*$")
    description: str = ""
    text: str | None = None
    fills: dict[str, str] = Field(default_factory=dict)
    recommended: bool = False
    recommend_if: list[str] = Field(default_factory=list)
    only_if: list[str] = Field(default_factory=list)
    not_if: list[str] = Field(default_factory=list)
    stack: dict[str, str] = Field(default_factory=dict)
    open_question: str = ""
    follow_up: str | None = None
    record: bool = True  # False: a routing answer ("No, I will name it next"): writes nothing
    # False: the answer questions the fact its entry informs instead of stating it (the
    # Contrarian's "narrow v1" names no primary driver): no clarity, no open question settled.
    settles: bool = True

    @property
    def written(self) -> str:
        """What SPEC.md receives for the entry's own bullet when this option is chosen."""
        return self.text if self.text is not None else self.label

    @model_validator(mode="after")
    def _check(self) -> BankOption:
        where = f"option {self.value!r}"
        for name in ("only_if", "not_if", "recommend_if"):
            _check_traits(getattr(self, name), f"{where}.{name}")
        shown = _words(self.label) | _words(self.description)
        for name, text in [("text", self.written), *self.fills.items()]:
            extra = sorted(_words(text) - shown)
            if extra:
                raise ValueError(
                    f"{where}: {name} writes words the user never saw ({', '.join(extra[:4])}); "
                    "put them in the label or description"
                )
        for text in (self.label, self.description, self.written, *self.fills.values()):
            unknown = _placeholders(text) - PLACEHOLDERS
            if unknown:
                raise ValueError(f"{where}: unknown placeholder {{{min(unknown)}}}")
        for key in self.stack:
            if not re.fullmatch(r"[a-z_]+\.[a-z_]+", key):
                raise ValueError(f"{where}: stack key {key!r} must be 'table.key'")
        return self


class BankEntry(_Data):
    key: str = Field(pattern=r"^[a-z_]+\.[a-z_]+$")
    role: Role = "ordinary"
    dimension: Dimension | None = None
    stage: Stage
    section: str
    label: str
    type: EntryType
    prompt: str
    header: str = Field(min_length=1, max_length=24)
    resolves: str = ""
    join: str = "{items}"
    unchosen: str | None = None
    allow_other: bool = True
    only_if: list[str] = Field(default_factory=list)
    not_if: list[str] = Field(default_factory=list)
    default: str = ""
    default_rationale: str = ""
    source: Literal["user", "code"] = "user"
    append: bool = False  # asked even when its bullet holds text; the answer is added below
    options_from: Literal["touchpoints"] | None = None
    # Typed text (Other) that is about another bullet of the same section goes there, in the
    # user's words: label -> pattern ("Prometheus metrics" under Metrics, not Logging).
    routes: dict[str, str] = Field(default_factory=dict)
    gate: GateName | None = None
    pressure: PressureKind | None = None
    challenge: ChallengeMode | None = None
    options: list[BankOption] = Field(default_factory=list, max_length=16)

    @property
    def labels(self) -> tuple[str, ...]:
        """Every bullet label this entry can write (its own first, then package fills)."""
        out = [self.label]
        for o in self.options:
            out.extend(k for k in o.fills if k not in out)
        return tuple(out)

    @model_validator(mode="after")
    def _check(self) -> BankEntry:
        where = f"entry {self.key!r}"
        if self.section not in UNIT_KEYS or self.section == "open_questions":
            raise ValueError(f"{where}: section {self.section!r} is not a SPEC.md section")
        if self.prompt.count("?") > 1 or _CHAINED_QUESTION_RE.search(self.prompt):
            raise ValueError(f"{where}: the prompt asks more than one question; split it")
        for text in (self.prompt, self.header):
            unknown = _placeholders(text) - PLACEHOLDERS
            if unknown:
                raise ValueError(f"{where}: unknown placeholder {{{min(unknown)}}}")
        _check_traits(self.only_if, f"{where}.only_if")
        _check_traits(self.not_if, f"{where}.not_if")
        if self.type == "free":
            if self.options or self.options_from:
                raise ValueError(f"{where}: a free-text entry has no options")
        elif len(self.options) < 2 and self.options_from is None:
            raise ValueError(f"{where}: a choice needs at least 2 options")
        values = [o.value for o in self.options]
        if len(set(values)) != len(values):
            raise ValueError(f"{where}: option values must be unique")
        if self.type == "single" and sum(o.recommended for o in self.options) > 1:
            raise ValueError(f"{where}: at most one option is recommended")
        for o in self.options:
            for label in o.fills:
                if norm_label(label) == norm_label(self.label):
                    raise ValueError(f"{where}: option {o.value!r} fills its own label twice")
        for label, pattern in self.routes.items():
            if norm_label(label) == norm_label(self.label):
                raise ValueError(f"{where}: a route goes to another bullet than its own")
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{where}: route {label!r}: {exc}") from None
        if self.unchosen is not None and self.type != "multi":
            raise ValueError(f"{where}: `unchosen` is only for multi-answerable packages")
        if self.unchosen is not None and _words(self.unchosen) - _words(self.prompt):
            raise ValueError(f"{where}: the prompt must say what happens to unchosen options")
        if (self.role in ("non_goals", "decision_boundaries")) != (self.gate is not None):
            raise ValueError(f"{where}: gate entries (and only they) name their gate")
        if (self.role == "pressure") != (self.pressure is not None):
            raise ValueError(f"{where}: pressure entries (and only they) name their kind")
        if (self.role == "challenge") != (self.challenge is not None):
            raise ValueError(f"{where}: challenge entries (and only they) name their mode")
        if self.stage == "completion" and self.dimension is not None:
            raise ValueError(f"{where}: completion entries inform no weighted dimension")
        if self.stage != "completion" and self.dimension is None:
            raise ValueError(f"{where}: interview entries name the dimension they inform")
        if not self.default or not self.default_rationale:
            raise ValueError(f"{where}: a default and its rationale are needed (deferrals)")
        if "{items}" not in self.join:
            raise ValueError(f"{where}: join must contain {{items}}")
        return self


def _chosen_refs(entry: BankEntry) -> list[tuple[str, str]]:
    """(entry key, option value) of every `chose:` trait the entry's options depend on."""
    out = []
    for o in entry.options:
        for t in (*o.only_if, *o.not_if, *o.recommend_if):
            if t.startswith("chose:"):
                key, _, value = t[len("chose:") :].partition("=")
                out.append((key, value))
    return out


class Bank(_Data):
    version: Literal[1]
    entries: list[BankEntry]

    @model_validator(mode="after")
    def _check(self) -> Bank:
        keys = [e.key for e in self.entries]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ValueError(f"duplicate entry key {dupes[0]!r}")
        known = set(keys)
        for e in self.entries:
            for o in e.options:
                if o.follow_up is not None and o.follow_up not in known:
                    raise ValueError(f"entry {e.key!r}: follow_up {o.follow_up!r} is unknown")
        asked = {(e.section, norm_label(e.label)): e.key for e in self.entries if not e.append}
        for e in self.entries:
            for label in e.labels[1:]:
                other = asked.get((e.section, norm_label(label)))
                if other is not None:
                    raise ValueError(
                        f"entry {e.key!r} also decides {label!r}, which {other!r} asks about: "
                        "one decision, one question"
                    )
        by_key = {e.key: e for e in self.entries}
        for e in self.entries:
            for key, value in _chosen_refs(e):
                ref = by_key.get(key)
                if ref is None or value not in {o.value for o in ref.options}:
                    raise ValueError(f"entry {e.key!r}: trait chose:{key}={value} names no option")
            for o in e.options:
                for t in (*o.only_if, *o.not_if, *o.recommend_if):
                    if t.startswith("answered:") and t[len("answered:") :] not in by_key:
                        raise ValueError(f"entry {e.key!r}: trait {t} names no entry")
        headers = [e.header for e in self.entries]
        if len(set(headers)) != len(headers):
            raise ValueError("entry headers must be unique (they identify a question)")
        covered = {e.section for e in self.entries}
        missing = [k for k in UNIT_KEYS if k != "open_questions" and k not in covered]
        if missing:
            raise ValueError(f"no entry asks about section(s) {', '.join(missing)}")
        for role in ("non_goals", "decision_boundaries"):
            if sum(e.role == role for e in self.entries) != 1:
                raise ValueError(f"the bank needs exactly one {role} entry")
        for kind in ("evidence", "assumption", "tradeoff"):
            if not any(e.pressure == kind for e in self.entries):
                raise ValueError(f"no pressure entry of kind {kind!r}")
        for mode in ("contrarian", "terminologist", "simplifier", "ontologist"):
            if not any(e.challenge == mode for e in self.entries):
                raise ValueError(f"no challenge entry for {mode!r}")
        return self

    def by_key(self, key: str) -> BankEntry:
        for e in self.entries:
            if e.key == key:
                return e
        raise KeyError(key)


def parse_bank(text: str, label: str = "bank.toml") -> Bank:
    """Parse and validate bank TOML; a bad bank is one SpecuiError line naming the problem."""
    data = load_toml_text(text, what=label)  # LoadError: a one-line SpecuiError naming it
    try:
        return Bank.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err.get("loc", ()))
        raise SpecuiError(f"{label}: {loc or '(root)'}: {err.get('msg', 'invalid')}") from None


@cache
def load_bank() -> Bank:
    """The packaged bank (validated once per process)."""
    return parse_bank(BANK_PATH.read_text("utf-8"), BANK_PATH.name)
