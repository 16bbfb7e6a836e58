"""The offline interview engine: deterministic, no model, no network, the same contract as Codex.

It answers an `EngineRequest` from the request alone (plus a bounded read of the project's files
for brownfield grounding), so the driver treats it like any other engine. One turn:

1. Acts on `request.last_answer` (the answer to the question it asked last): whole-unit SPEC.md
   patches holding what the user said or chose; a deferral writes the default, marked as one,
   and reports it as a `Deferral` (it is never scored as clarity); stack.toml changes; Open
   Questions added and resolved; gate evidence; the side of a settled contradiction written
   everywhere the other side stood; contradictions between this answer and an earlier one.
2. Asks the question the directive calls for (the overview, a gate, a challenge mode, a
   pressure follow-up on the round it names, the closure audit, a validation step), picked from
   the data bank (`specui/interview/bank.toml`) without the options that contradict what is
   known (stack.toml, the repository, earlier answers).

Scores are recomputed every turn from SPEC.md and the transcript: each dimension is a checklist
of visible facts (`builtin_reading.FACTS`), so the justification and the gap say why. Which bank
question a transcript entry answered is recognised from its text (every prompt is unique), so the
engine keeps nothing between turns.
"""

from __future__ import annotations

import difflib
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from specui.core.ambiguity import DIMENSION_TITLES, ambiguity, ambiguity_percent, weights_for
from specui.core.interview.contract import (
    ContextFinding,
    Contradiction,
    Deferral,
    DimensionScore,
    Directive,
    EngineReply,
    EngineRequest,
    GateEvidence,
    PressureRevisit,
    ReplyOption,
    ReplyQuestion,
    SectionPatch,
    StackChange,
    TermEntry,
    TranscriptEntry,
)
from specui.core.interview.policy import (
    FINALIZE_REQUEST,
    OWNED_SECTIONS,
    SPECUI_CHOICES,
    STAGES,
    kept_aside_question,
    weakest_dimension,
)
from specui.core.open_questions import parse_open_questions
from specui.core.spec import (
    SECTION_BY_KEY,
    UNIT_KEYS,
    UNIT_SECTION,
    UNIT_TITLES,
    SpecDocument,
    first_placeholder,
    guard_text,
    item_value,
    norm_label,
    placeholder_status,
    render_stack_template,
    set_item,
    value_is_answered,
)
from specui.interview.bank import Bank, BankEntry, BankOption, load_bank
from specui.interview.engines.base import Activity, Engine, EngineCancelled
from specui.interview.engines.builtin_reading import (
    AUTH_SAID,
    FACTS,
    FAMILY,
    LANGS,
    MANIFEST_LANG,
    MENTIONS,
    Claim,
    Fact,
    RepoScan,
    claim_sentence,
    claims_of,
    clauses,
    code_names,
    draft_overview,
    evaluator_command,
    finding_text,
    keep_policy_clause,
    keywords,
    mission_sentence,
    new_code_names,
    product_kinds,
    prompt_regex,
    quote_placeholders,
    repo_product,
    same_lang,
    scan_repository,
    sections_by_words,
    sentences,
    short,
    stack_changes_from_text,
    stack_data,
    stack_evidence,
    stack_summary,
    without_name,
)

DEFAULT_MARK = "Default (you deferred)"
ACCEPTED_MARK = "Default (accepted)"  # a recommended default accepted for a whole section


def is_default(value: str | None) -> bool:
    """A bullet value written as a default (deferred or accepted), not the user's words."""
    return bool(value) and (DEFAULT_MARK in value or ACCEPTED_MARK in value)  # type: ignore[operator]
STARTER_DATA = without_name(stack_data(render_stack_template("x")))
# (table, key) -> the starter template's value: a setting still holding it is nobody's choice.
STARTER = {
    (table, key): str(value)
    for table, values in STARTER_DATA.items()
    if isinstance(values, Mapping)
    for key, value in values.items()
}
DEFER_VALUE = "decide-for-me"
KEEP_VALUE = "keep-default"
OVERVIEW_PROMPT = (
    "Give a general overview of what you are building: the problem, who it is for, what v1 "
    "must do, and how you will know it works. (Or paste an existing spec into SPEC.md and "
    "summarise it here.)"
)
# Seed 000 §7: specui wrote stack.toml from Appendix A; the user reviews it from turn 1.
STARTER_NOTE = (
    "specui wrote a starter stack.toml (TypeScript, Next.js, Postgres) that nobody chose yet: "
    "name your language, framework, datastore and hosting here if you know them."
)
CLOSURE_PREFIX = "Closure audit:"
GATE_TITLES = {
    "non_goals": "Non-goals",
    "decision_boundaries": "Decision Boundaries",
    "pressure_pass": "the pressure pass",
}
FILL_PREFIX = "Validation: §"
OPEN_REVIEW_PROMPT = "Which of these open questions are settled now? (choose all that apply)"
KEEP_OPEN_VALUE = "keep-open"
# "Not yet: what should change?" at the finalize question: the validation pass asks where the
# change goes and writes it there (ticking it "settled" wrote it nowhere).
PLACE_PREFIX = "You asked before finalizing: "
PLACE_LABEL = "Requested change"
_CAMEL = re.compile(r"[A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+")
_CONTRADICTION_TOPIC = re.compile(r"statements about (.+?) contradict")


def _least_clear(dimension: str) -> str:
    """Why a dimension is asked about, in the user's words: it is the least clear of the
    dimensions asked about first (seed 004's stage priority)."""
    title = DIMENSION_TITLES.get(dimension, dimension)
    peers = next((dims for dims in STAGES.values() if dimension in dims), (dimension,))
    if len(peers) == 1:
        return f"{title} is the least clear dimension left"
    names = [DIMENSION_TITLES.get(d, d) for d in peers]
    return f"{title} is the least clear of {', '.join(names[:-1])} and {names[-1]}"


def _file_values(paths: list[str]) -> list[str]:
    """Touchpoint option values: each path as a slug (`src/pkg/_parse.py` ->
    `src-pkg-parse-py`), the same whichever rank the file has; a slug two paths share gets
    a number (in the order offered, which the transcript keeps)."""
    out: list[str] = []
    for path in paths:
        slug = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "file"
        value, n = slug, 2
        while value in out:
            value, n = f"{slug}-{n}", n + 1
        out.append(value)
    return out


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


class BuiltinEngine(Engine):
    """The offline engine (`[interview] engine = "builtin"`)."""

    name = "builtin"

    def run_turn(
        self,
        request: EngineRequest,
        *,
        feedback: str | None,
        on_activity: Activity,
        cancel: threading.Event,
        timeout: float,
    ) -> str:
        if cancel.is_set():
            raise EngineCancelled("cancelled")
        reply = Turn(request, load_bank(), cancel=cancel, on_activity=on_activity).reply()
        return reply.model_dump_json()


@dataclass
class Answered:
    """One transcript entry, read: which question it answered and what the user picked."""

    entry: TranscriptEntry
    kind: str  # a bank key, or overview / summary / contradiction / closure / fill / open_review
    bank: BankEntry | None
    values: list[str]
    labels: list[str]
    other: str | None
    deferral: bool

    @property
    def round(self) -> int:
        return self.entry.round

    @property
    def interview(self) -> bool:
        return self.entry.phase == "interview"

    @property
    def typed(self) -> str:
        """What the user wrote themselves (free text or Other), not the labels they picked."""
        if self.other is not None:
            return self.other
        return "" if (self.values or self.labels) else self.entry.answer


def _payload_list(payload: Mapping[str, Any], key: str) -> list[str]:
    value = payload.get(key)
    if isinstance(value, list):
        return [str(v) for v in value]
    return [value] if isinstance(value, str) and value else []


def said_text(a: Answered) -> str:
    """What an answer states: the chosen options' words, not their labels ("Keep the default"
    claims nothing; the default it keeps does). Options whose text needs a placeholder are
    left out: this feeds the placeholders themselves."""
    if a.bank is None or not a.values:
        return a.entry.answer
    by_value = {o.value: o for o in a.bank.options}
    parts = [by_value[v].written for v in a.values if v in by_value]
    if KEEP_VALUE in a.values:
        parts.insert(0, a.bank.default)
    parts = [p for p in parts if "{" not in p]
    if a.other:
        parts.append(a.other)
    return "; ".join(parts) or a.entry.answer


class Turn:
    """One turn of the offline interviewer (see the module docstring)."""

    def __init__(
        self,
        request: EngineRequest,
        bank: Bank,
        *,
        cancel: threading.Event | None = None,
        on_activity: Activity | None = None,
    ) -> None:
        self.req = request
        self.d: Directive = request.directive
        self.bank = bank
        self.cancel = cancel
        self.activity = on_activity or (lambda _line: None)
        self.doc = SpecDocument.parse(request.spec_md) if request.spec_md.strip() else None
        self.stack = stack_data(request.stack_toml)
        self.protected = set(self.d.protected_sections) | {"open_questions"}
        self.final = self.protected - set(OWNED_SECTIONS)
        self.answering = False  # the last answer is being written (apply_answer)
        self.patches: dict[str, str] = {}  # unit -> new body (this turn's)
        self.stack_changes: list[StackChange] = []
        self.oq_added: list[str] = []
        self.oq_resolved: list[str] = []
        self.deferrals: list[Deferral] = []
        self.gate_evidence: list[GateEvidence] = []
        self.contradictions: list[Contradiction] = []
        self.terms: list[TermEntry] = []
        self.findings: list[ContextFinding] = []
        self._regexes = [(e, prompt_regex(e.prompt)) for e in bank.entries] + [
            # A gate asked open (no grounded options) is asked by what it resolves.
            (e, prompt_regex(e.resolves))
            for e in bank.entries
            if e.gate and e.resolves
        ]

    # ================================================================== reading the request
    def body(self, unit: str) -> str:
        """The unit's current text, with this turn's earlier patches applied."""
        if unit in self.patches:
            return self.patches[unit]
        return (self.doc.unit_text(unit) or "") if self.doc is not None else ""

    def _classify(self, t: TranscriptEntry) -> tuple[str, BankEntry | None]:
        if t.kind in ("overview", "summary", *SPECUI_CHOICES):
            return t.kind, None
        q = t.question.strip()
        if q.startswith(OVERVIEW_PROMPT):
            return "overview", None
        if q == OPEN_REVIEW_PROMPT:
            return "open_review", None
        if q.startswith(PLACE_PREFIX):
            return "place_request", None
        if q.startswith(FILL_PREFIX):
            return "fill", None
        for entry, rx in self._regexes:
            if rx.search(q):
                return entry.key, entry
        if q.startswith(CLOSURE_PREFIX):
            return "closure", None
        return "unknown", None

    def _read(self, t: TranscriptEntry, *, deferral: bool = False) -> Answered:
        kind, bank = self._classify(t)
        payload = t.answer_payload or {}
        values = _payload_list(payload, "selected_values")
        labels = _payload_list(payload, "selected_labels")
        raw_other = payload.get("other_text")
        other = raw_other if isinstance(raw_other, str) and raw_other.strip() else None
        pkind = payload.get("kind")
        if pkind in ("other", "text") and other is None and isinstance(payload.get("value"), str):
            other = payload["value"]
        if pkind == "option" and not values and isinstance(payload.get("value"), str):
            values = [payload["value"]]
        if not payload and t.options:
            # No structured payload: read the text against the option labels.
            parts = [p.strip() for p in re.split(r";\s*|\n", t.answer) if p.strip()]
            by_label = {o.casefold(): o for o in t.options}
            labels = [by_label[p.casefold()] for p in parts if p.casefold() in by_label]
            other = "; ".join(p for p in parts if p.casefold() not in by_label) or None
        if bank is not None and labels and not values:
            # Raw labels (a filled placeholder matches its template): the filtered options
            # depend on the traits, which are read from these very answers.
            values = [
                o.value
                for o in bank.options
                if any(prompt_regex(o.label).fullmatch(lb) for lb in labels)
            ]
        if not (values or labels) and other is None:
            other = t.answer
        # "Decide for me" ticked with other options leaves only the rest to the default.
        deferred = deferral or t.deferral or values == [DEFER_VALUE]
        return Answered(t, kind, bank, values, labels, other, deferred)

    @cached_property
    def answered(self) -> list[Answered]:
        out = [self._read(t) for t in self.req.transcript]
        last = self.req.last_answer
        if last is not None:
            read = self._read(last, deferral=self.d.answer_is_deferral)
            if out and out[-1].round == last.round and out[-1].entry.phase == last.phase:
                out[-1] = read
            else:
                out.append(read)
        return out

    @cached_property
    def last(self) -> Answered | None:
        """The answer this turn processes (None: nothing new was answered)."""
        return self.answered[-1] if self.req.last_answer is not None and self.answered else None

    def asked(self, key: str) -> list[Answered]:
        return [a for a in self.answered if a.kind == key]

    @cached_property
    def user_text(self) -> str:
        parts = [self.req.initial_idea, *(a.typed for a in self.answered if not a.deferral)]
        return "\n".join(p for p in parts if p)

    def outstanding(self) -> list[str]:
        body = self.doc.section_body("open_questions") if self.doc is not None else None
        return list(parse_open_questions(body).outstanding)

    # ================================================================== traits
    @cached_property
    def scan(self) -> RepoScan | None:
        if self.req.interview_type != "brownfield" or not self.req.project_dir:
            return None
        root = Path(self.req.project_dir)
        if not root.is_dir():
            return None
        self.activity("reading the repository")
        return scan_repository(root, keywords([self.user_text]), self.cancel)

    @cached_property
    def detected_language(self) -> tuple[str, str] | None:
        """(language, evidence) from the repository's manifests, else from the answers."""
        if self.scan is not None and self.scan.languages:
            lang = self.scan.languages[0]
            manifest = next(
                m
                for m in self.scan.manifests
                if MANIFEST_LANG.get(Path(m).name) in (lang, "javascript")
            )
            return lang, manifest
        for lang, pattern in LANGS.items():
            if re.search(pattern, self.user_text, re.IGNORECASE):
                return lang, "named in your answers"
        return None

    @cached_property
    def traits(self) -> frozenset[str]:
        text = self.user_text
        out: set[str] = set()
        typed = (a.typed for a in self.answered if not a.deferral)
        overview = next((p for p in (self.req.initial_idea, *typed) if p), "")
        out.update(f"product:{name}" for name in product_kinds(overview, text))
        if self.scan is not None and not any(t.startswith("product:") for t in out):
            # The answers name no kind of product: the repository's manifest says which.
            kind = repo_product(Path(self.req.project_dir), self.scan.manifests)
            if kind is not None:
                out.add(f"product:{kind}")
        if out & {"product:cli", "product:library"} and not out & {
            "product:web",
            "product:service",
        }:
            out.add("product:local")
        for name, pattern in MENTIONS.items():
            if re.search(pattern, text, re.IGNORECASE):
                out.add(f"mentions:{name}")
        for name, pattern in {**LANGS, **AUTH_SAID}.items():
            if re.search(pattern, text, re.IGNORECASE):
                out.add(f"said:{name}")
        if "said:oauth2" in out:
            # Someone signs in after all: machine callers do not rule user sign-in out.
            out.discard("mentions:machine-callers")
        app = self.stack.get("app") if isinstance(self.stack.get("app"), Mapping) else {}
        lang = str(app.get("language", "")).lower()
        template = bool(self.stack) and all(
            self.stack_value(t, k) == v for (t, k), v in STARTER.items() if t == "app"
        )
        if template:
            # The starter's language stack is nobody's decision (even when a hosting or auth
            # the answers named was filled in around it): it must not steer the options.
            out.add("stack:template")
        elif self.stack:
            out.add("stack:reviewed")
            if lang:
                out.add(f"lang:{lang}")
        # Plain files are where data lives, not a database with a schema: `stack:files`.
        said_store = [
            c.value
            for c in stack_changes_from_text(text, [("datastore", "primary")])
            if c.value not in ("none", "files")
        ]
        if said_store:
            out.add("said:datastore")
        store = self.stack_value("datastore", "primary")
        if store not in ("", "unknown", "none", "files") and (
            said_store or not self.undecided("datastore", "primary")
        ):
            out.add("stack:datastore")
        if store == "files":
            out.add("stack:files")
        if not self.undecided("security", "auth"):
            auth = self.stack_value("security", "auth").lower()
            out.update(f"auth:{p}" for p in re.split(r"[+,/ ]+", auth) if p)
        if self.scan is not None:
            out.update(f"repo:{x}" for x in self.scan.languages)
        if self.req.interview_type == "brownfield":
            out.add("interview:brownfield")
        if self.req.autoresearch:
            out.add("mode:autoresearch")
        for a in self.answered:
            if a.bank is not None and not a.deferral:
                out.update(f"chose:{a.bank.key}={v}" for v in a.values)
        detected = self.detected_language
        if detected and lang and not same_lang(detected[0], lang):
            out.add("stack:mismatch")
        out.update(f"answered:{e.key}" for e in self.bank.entries if self.bullet_answered(e))
        return frozenset(out)

    def allowed(self, only_if: list[str], not_if: list[str]) -> bool:
        if only_if and not any(t in self.traits for t in only_if):
            return False
        return not any(t in self.traits for t in not_if)

    # ================================================================== stack.toml
    def stack_value(self, table: str, key: str) -> str:
        values = self.stack.get(table)
        return str(values.get(key, "")) if isinstance(values, Mapping) else ""

    def undecided(self, table: str, key: str) -> bool:
        """A setting nobody chose: missing, "unknown", or still the starter template's."""
        value = self.stack_value(table, key)
        return value in ("", "unknown") or value == STARTER.get((table, key))

    def stack_from_evidence(self) -> None:
        """Brownfield: while stack.toml is the untouched starter, every setting is taken from
        what the repository's files say, "unknown" where none says (never the starter's
        TypeScript/Next.js/Postgres defaults, another ecosystem's)."""
        if self.scan is None or not self.stack or without_name(self.stack) != STARTER_DATA:
            return
        evidence = stack_evidence(Path(self.req.project_dir), self.scan.languages)
        by_file: dict[str, list[str]] = {}
        for table, key in STARTER:
            value, source = evidence.get((table, key), ("unknown", ""))
            self.stack_changes.append(StackChange(table=table, key=key, value=value))
            if source:
                by_file.setdefault(source, []).append(f"{key}={value}")
        self.findings.extend(
            ContextFinding(
                path=path,
                finding="stack.toml set from it: " + ", ".join(found),
                basis="evidence",
                touchpoint=False,
            )
            for path, found in by_file.items()
        )

    def stack_from_answer(self, a: Answered) -> None:
        """Stack settings an answer states in the user's words, for settings nobody chose yet:
        the overview may name any of them ("Python", "served from GitHub Pages"), a later
        answer the hosting or the auth; a product with no server needs no sign-in."""
        if a.deferral or (a.bank is not None and a.bank.key.startswith("deployment.stack")):
            return
        later = [("infra", "hosting"), ("security", "auth")]  # "mTLS between the gateways"
        keys = STARTER if a.kind in ("overview", "summary") else later
        said = [c for c in stack_changes_from_text(a.typed, keys) if self.undecided(c.table, c.key)]
        self.stack_changes.extend(self.with_language(said))
        named = {(c.table, c.key) for c in self.stack_changes}
        if (
            "product:local" in self.traits
            and ("security", "auth") not in named
            and self.undecided("security", "auth")
            and self.stack_value("security", "auth") != "none"
            and not any(t.startswith("said:") and t[5:] in AUTH_SAID for t in self.traits)
        ):
            self.stack_changes.append(StackChange(table="security", key="auth", value="none"))
        if any((c.table, c.key) == ("app", "language") for c in said):
            self.forget_starter()

    def forget_starter(self) -> None:
        """This turn named the stack over the untouched starter, which was nobody's choice:
        what the answers leave out is not known yet (Postgres, Vercel, OpenTelemetry and KMS
        must not stay on as if chosen next to "installed on my machine, no secrets")."""
        if "stack:template" not in self.traits:
            return
        named = {(c.table, c.key) for c in self.stack_changes} | self.affirmed_stack
        self.stack_changes.extend(
            StackChange(table=t, key=k, value="unknown")
            for (t, k), v in STARTER.items()
            if (t, k) not in named and self.stack_value(t, k) == v
        )

    def see_stack_changes(self) -> None:
        """The next question sees stack.toml with this turn's changes (the overview named the
        stack): its options, traits and the `{stack}` it quotes are not the file as it was."""
        if not self.stack_changes:
            return
        data = {k: dict(v) if isinstance(v, Mapping) else v for k, v in self.stack.items()}
        for c in self.stack_changes:
            table = data.get(c.table)
            if not isinstance(table, dict):
                table = data[c.table] = {}
            table[c.key] = c.value
        self.stack = data
        for derived in ("traits", "placeholders", "detected_stack_change"):
            self.__dict__.pop(derived, None)

    @cached_property
    def affirmed_stack(self) -> set[tuple[str, str]]:
        """stack.toml settings an answer stated or chose, even when the value happens to be
        the starter's ("Stored in Postgres", "OAuth2/OIDC and roles")."""
        out = {(c.table, c.key) for c in stack_changes_from_text(self.user_text)}
        for a in self.answered:
            if a.bank is not None and not a.deferral:
                for o in a.bank.options:
                    if o.value in a.values:
                        out.update(tuple(k.split(".", 1)) for k in o.stack)  # type: ignore[misc]
        if any(f"said:{name}" in self.traits for name in AUTH_SAID):
            out.add(("security", "auth"))
        return out

    def entry_default(self, e: BankEntry) -> tuple[str, str]:
        """The default recorded when the user defers `e`, and its rationale. The stack's is
        what the evidence says: the repository's language when stack.toml contradicts it, the
        implementer's choice while stack.toml is still the starter nobody chose."""
        if e.key == "deployment.stack":
            if "stack:mismatch" in self.traits and self.detected_language is not None:
                lang, evidence = self.detected_language
                changes = ", ".join(f"{c.key}={c.value}" for c in self.detected_stack_change)
                return (
                    f"{lang} ({evidence}); stack.toml: {changes}",
                    f"{evidence} is what the project is written in; stack.toml said otherwise",
                )
            if "stack:template" in self.traits:
                return (
                    "the implementer picks the stack within the decision boundaries",
                    "stack.toml still holds the starter template, which nobody chose",
                )
        if e.key == "scope.touchpoints" and self.touchpoint_paths:
            # Which files: "the files that match" alone leaves the reviewer to guess.
            files = ", ".join(self.touchpoint_paths[:3])
            return f"the files that match the answers ({files}), to be confirmed in review", (
                e.default_rationale
            )
        if e.key == "security.model" and self.undecided("security", "auth"):
            # "The auth model stack.toml names" would be the starter's, which nobody chose.
            default = "no auth model chosen yet: the implementer proposes one; no secrets in git"
            return default, "stack.toml's auth is still the starter's, which nobody chose"
        # What the project points to beats the bank's generic default (a pure library that
        # defers "What must it protect?" is not "reading and writing the user's files").
        pointed = self.recommended_by_traits(self.options_for(e))
        if pointed is not None:
            return self.option_text(e, pointed), "the option your answers and stack.toml point to"
        return e.default or "", e.default_rationale

    # ================================================================== placeholders
    @cached_property
    def detected_stack_change(self) -> list[StackChange]:
        if self.detected_language is None:
            return []
        return self.with_language(
            [StackChange(table="app", key="language", value=self.detected_language[0])]
        )

    def with_language(self, changes: list[StackChange]) -> list[StackChange]:
        """`changes` plus "unknown" for each JavaScript-only value of stack.toml that cannot
        stay under a non-JavaScript language the changes set (unless they set it too)."""
        lang = next((str(c.value) for c in changes if (c.table, c.key) == ("app", "language")), "")
        if not lang or FAMILY.get(lang, lang) == "js":
            return changes
        app = self.stack.get("app") if isinstance(self.stack.get("app"), Mapping) else {}
        ds = self.stack.get("datastore")
        ds = ds if isinstance(ds, Mapping) else {}
        js_only = {"nextjs", "pnpm", "npm", "yarn", "prisma"}
        named = {(c.table, c.key) for c in changes}
        out = list(changes)
        for table, key, current in (
            ("app", "framework", app.get("framework")),
            ("app", "package", app.get("package")),
            ("app", "runtime", app.get("runtime")),
            ("datastore", "migrations", ds.get("migrations")),
        ):
            cur = str(current or "").lower()
            if (table, key) not in named and (cur in js_only or cur.startswith("node")):
                # A JavaScript-only value cannot stay; what replaces it is not known yet.
                out.append(StackChange(table=table, key=key, value="unknown"))
        return out

    @cached_property
    def touchpoint_paths(self) -> list[str]:
        return [f.path for f in self.scan.touchpoints] if self.scan else []

    @cached_property
    def pressure_target(self) -> Answered | None:
        """The earlier answer a pressure follow-up revisits: the round the directive names,
        else the first free-text claim (the overview first) no pressure round revisited yet."""
        if self.d.revisit_round is not None:
            return next(
                (a for a in self.answered if a.round == self.d.revisit_round and a.interview),
                None,
            )
        revisited = {
            int(m.group(1))
            for a in self.answered
            if a.bank is not None
            and a.bank.role == "pressure"
            and (m := re.search(r"Round (\d+)", a.entry.question))
        }
        claims = [
            a
            for a in self.answered
            if a.interview
            and not a.deferral
            and a.entry.kind in ("overview", "ordinary", "closure", "summary")
            and a.kind not in ("closure", "contradiction", "finalize")
            and a.entry.answer.strip()
            # a gate's answer decides the spec; no evidence makes it hold (policy._claims)
            and (a.bank is None or a.bank.gate is None)
        ]
        # The user's own words first (the overview, a free-text answer), then a choice they
        # made: the protocol directs a probe whenever any answer is a claim.
        fresh = [a for a in claims if a.round not in revisited] or claims
        typed = [
            a
            for a in fresh
            if a.kind in ("overview", "summary")
            or (a.bank is not None and a.bank.type == "free" and a.bank.role == "ordinary")
        ]
        return (typed or fresh or [None])[0]

    @cached_property
    def placeholders(self) -> dict[str, str]:
        out = {"stack": stack_summary(self.stack), "project": Path(self.req.project_dir).name}
        if "stack:datastore" in self.traits:
            out["datastore"] = self.stack_value("datastore", "primary")
        files = self.touchpoint_paths[:3] or (self.scan.manifests[:3] if self.scan else [])
        if files:
            out["files"] = ", ".join(files)
            out["touchpoint"] = files[0]
        if self.detected_language and "stack:mismatch" in self.traits:
            lang, evidence = self.detected_language
            out["detected_stack"] = f"{lang} ({evidence})"
            out["stack_changes"] = ", ".join(
                f"{c.key}={c.value}" for c in self.detected_stack_change
            )
        conflicts = dict(self.term_conflicts(self.user_text))
        out["terms"] = "; ".join(f"{k}: {v}" for k, v in conflicts.items()) or "none found yet"
        target = self.pressure_target
        if target is not None:
            out["round"] = str(target.round)
            out["claim"] = short(claim_sentence(said_text(target)))
        return out

    def fill(self, template: str, extra: Mapping[str, str] | None = None) -> str | None:
        """`template` with its placeholders filled, or None when one has no value here."""
        values = {**self.placeholders, **(extra or {})}
        missing = False

        def sub(m: re.Match[str]) -> str:
            nonlocal missing
            v = values.get(m.group(1))
            if not v:
                missing = True
            return v or ""

        out = re.sub(r"\{([a-z_]+)\}", sub, template)
        return None if missing else out

    # ================================================================== options
    def options_for(self, entry: BankEntry) -> list[BankOption]:
        if entry.options_from == "touchpoints":
            # The value is made from the path, not the rank: the next turn's scan (with the
            # answer's words) ranks the files anew.
            files = self.scan.touchpoints if self.scan else []
            return [
                BankOption(label=f.path, value=v, description=finding_text(f), text=f.path)
                for f, v in zip(files, _file_values([f.path for f in files]), strict=True)
            ]
        out = [
            o
            for o in entry.options
            if self.allowed(o.only_if, o.not_if)
            and all(self.fill(t) is not None for t in (o.label, o.description, o.written))
        ]
        # The bank lists options in priority order; a question shows at most 8 of them, the
        # ninth slot (the contract's maximum) being "Decide for me".
        return out[:8]

    def offered_files(self, a: Answered) -> list[BankOption]:
        """The files the touchpoints question offered when `a` answered it (its options, as
        the transcript keeps them), described by this turn's scan where it still lists them."""
        scanned = {f.path: f for f in (self.scan.touchpoints if self.scan else [])}
        paths = [p for p in a.entry.options if p != "Decide for me"]
        return [
            BankOption(
                label=path,
                value=value,
                description=finding_text(scanned[path]) if path in scanned else "",
                text=path,
            )
            for path, value in zip(paths, _file_values(paths), strict=True)
        ]

    def recommended_by_traits(self, options: list[BankOption]) -> BankOption | None:
        """The first option the project's traits recommend (not a generic ★)."""
        return next(
            (
                o
                for o in options
                if o.recommend_if and any(t in self.traits for t in o.recommend_if)
            ),
            None,
        )

    def recommended(self, options: list[BankOption]) -> BankOption | None:
        return self.recommended_by_traits(options) or next(
            (o for o in options if o.recommended), None
        )

    def option_text(
        self, e: BankEntry, o: BankOption, extra: Mapping[str, str] | None = None
    ) -> str:
        """What SPEC.md receives for a chosen option: its `text`, else its label and
        description (both were on screen when the user chose it)."""
        if o.text is not None:
            return self.fill(o.text, extra) or o.label
        label = self.fill(o.label, extra) or o.label
        desc = self.fill(o.description, extra) or ""
        if not desc or o.fills:
            return label
        return f"{label} ({desc})" if e.type == "multi" else f"{label}: {desc}"

    # ================================================================== the reply
    def reply(self) -> EngineReply:
        self.stack_from_evidence()
        if self.last is not None:
            self.answering = True
            try:
                self.apply_answer(self.last)
            finally:
                self.answering = False
            self.stack_from_answer(self.last)
            self.check_code_names(self.last)
            self.__dict__.pop("traits", None)  # `answered:` traits: the answer filled a bullet
        self.see_stack_changes()
        last = self.last
        if last and last.kind in ("overview", "summary") and not last.deferral and last.typed:
            self.seed_open_questions()
        if self.d.contradiction is not None and self.d.contradiction_choice is not None:
            self.settle_contradiction(self.d.contradiction, self.d.contradiction_choice)
        for unit in self.d.default_sections:
            self.apply_section_defaults(unit)
        self.find_contradictions()
        self.collect_gate_evidence()
        if self.last is not None and self.last.kind in ("overview", "summary"):
            self.findings.extend(self.repo_findings())
        question, why, source, pressure, ready = self.next_question()
        resolvable = [_norm(q) for q in self.outstanding()]
        resolved = [
            q
            for q in dict.fromkeys(self.oq_resolved)
            if any(_norm(q) in o or o in _norm(q) for o in resolvable if o)
        ]
        return EngineReply(
            question=question,
            why=why,
            source=source,  # type: ignore[arg-type]
            scores=self.scores(),
            patches=[SectionPatch(section=k, body=v) for k, v in self.patches.items()],  # type: ignore[arg-type]
            stack_changes=self.stack_changes,
            open_questions_added=[q for q in dict.fromkeys(self.oq_added) if q not in resolved],
            open_questions_resolved=resolved,
            gate_evidence=self.gate_evidence,
            pressure=pressure,
            deferrals=self.deferrals,
            contradictions=self.contradictions,
            context_findings=self.findings,
            terminology=self.terms,
            ready_to_crystallize=ready,
        )

    # ================================================================== acting on the answer
    def write(self, unit: str, label: str, value: str, *, keep: bool = False) -> bool:
        """Set one bullet of `unit`, keeping every other line; never a duplicate label.

        A bullet that already holds real text (the user's, or an earlier answer) is never
        overwritten: the new text is added below it, or with `keep` (a package's side bullets)
        left out. Only a deferred default is replaced.
        """
        if unit in self.protected:
            if self.answering and unit in self.final and not keep and not is_default(value):
                # The user confirmed this section: the answer waits as an Open Question.
                self.oq_added.append(kept_aside_question(UNIT_TITLES[unit], label, value))
            return False
        body = self.body(unit)
        value = quote_placeholders(value)
        current = item_value(body, label)
        before = item_value(self.doc.unit_text(unit) or "", label) if self.doc is not None else None
        # An answer replaces a default written before this turn; a second default (two
        # deferrals in one turn, or a deferred probe of another claim) is added below it.
        fresh = current is not None and (current != before or is_default(value))
        if current and value_is_answered(label, current) and (not is_default(current) or fresh):
            if keep or _norm(value) in _norm(current):
                if is_default(value):
                    # The same default again (a gate deferred twice): it stands, in a patch
                    # of its section as every reported deferral must be.
                    self.patches.setdefault(unit, body)
                return True
            value = f"{current}\n{value}"
        self.patches[unit] = set_item(body, label, value, "\r\n" if "\r\n" in body else "\n")
        return True

    def bullet_answered(self, e: BankEntry) -> bool:
        value = item_value(self.body(e.section), e.label)
        return value_is_answered(e.label, value) and not is_default(value)

    def apply_answer(self, a: Answered) -> None:
        if a.kind in SPECUI_CHOICES:
            return  # specui's own question: what it settles, specui applied or directed
        if a.deferral and a.bank is None:
            self.defer_unbanked(a)
        elif a.kind in ("overview", "summary"):
            self.apply_overview(a)
        elif a.kind == "fill":
            self.apply_fill(a)
        elif a.kind == "place_request":
            self.apply_place_request(a)
        elif a.kind == "open_review":
            chosen = {_norm(x) for x in a.labels}
            ticked = [q for q in self.outstanding() if _norm(short(q, 200)) in chosen]
            if KEEP_OPEN_VALUE in a.values or (a.other and not ticked):
                # Left to the plan phase, or answered in the user's words: every question
                # listed is closed with that answer, so the pass does not ask it again.
                left = self.outstanding()
                if KEEP_OPEN_VALUE in a.values and left:
                    # ...and the handoff carries them to the plan (Risks' assumptions go
                    # into its brief; the Resolved history does not).
                    self.write("risks", "Assumptions",
                               "Open questions left to the plan phase: " + "; ".join(left))
                self.oq_resolved.extend(left)
            else:
                self.oq_resolved.extend(ticked)
        elif a.bank is not None:
            if a.deferral:
                self.apply_deferral(a.bank, a.entry.question)
            else:
                self.apply_bank(a, a.bank)
        elif a.kind == "unknown" and a.entry.answer.strip():
            # Another engine asked this (the user switched to the offline one): its target is
            # unknown here, so the answer is kept as an open question rather than guessed
            # into a section.
            self.oq_added.append(
                f"Place this answer in SPEC.md: “{short(a.entry.question, 120)}” → "
                f"“{short(a.entry.answer, 200)}”"
            )

    def apply_overview(self, a: Answered) -> None:
        if a.deferral or not a.entry.answer.strip():
            return
        existing = self.existing_code_sentences(a.entry.answer)
        # How v1 relates to existing code is that bullet's, not a capability in scope.
        drafted = draft_overview(a.entry.answer, elsewhere=existing)
        if existing:
            drafted[("scope", "Existing Code")] = "; ".join(h.rstrip(".") for h in existing)
        if self.req.autoresearch:
            # The overview of a research session states what to improve (its mission), and
            # may name the evaluator command and when a candidate is kept.
            if mission := mission_sentence(a.entry.answer):
                drafted[("vision", "Mission")] = mission.rstrip(".")
            if command := evaluator_command(a.entry.answer):
                drafted[("acceptance", "Evaluator command")] = f"`{command}`"
            if keep := keep_policy_clause(a.entry.answer):
                drafted[("acceptance", "Keep policy")] = keep[0].upper() + keep[1:]
        for (unit, label), value in drafted.items():
            if not value_is_answered(label, item_value(self.body(unit), label)):
                self.write(unit, label, value)  # the user's own bullet stays

    def seed_open_questions(self) -> None:
        """Seed 000 §4.2: seed §17 with the questions still open after the overview's draft,
        asked of the project as the overview left it (its stack changes seen: a tool nobody
        signs in to gets no question about an auth model)."""
        for e in self.bank.entries:
            if (
                e.stage in ("intent-first", "feasibility")
                and e.resolves
                and e.role == "ordinary"
                and self.allowed(e.only_if, e.not_if)
                and not self.bullet_answered(e)
            ):
                self.oq_added.append(e.resolves)

    def existing_code_sentences(self, text: str) -> list[str]:
        """Brownfield: the overview's sentences that name code the repository defines (a
        function, class or module the scan found) state how v1 relates to that code, in the
        user's words."""
        if self.scan is None:
            return []
        known = self.scan.identifiers
        hits = [
            s
            for s in sentences(text)
            if any(t.rstrip("()").split(".")[-1].lower() in known for t in code_names(s))
        ]
        return hits[:3]

    def apply_bank(self, a: Answered, e: BankEntry) -> None:
        options = self.offered_files(a) if e.options_from else e.options
        by_value = {o.value: o for o in options}
        picked = [by_value[v] for v in a.values if v in by_value]
        if e.options_from:
            # The label is the path: it names the pick whatever values the answer carries.
            picked += [o for o in options if o.label in a.labels and o not in picked]
        extra: dict[str, str] = {}
        if m := re.search(r"Round (\d+): you said “(.+?)”", a.entry.question, re.DOTALL):
            extra = {"round": m.group(1), "claim": m.group(2)}
        # A package of bullets (Interfaces): an option with a bullet of its own ("CLI
        # commands" -> CLI/Jobs) is written there only, not into the entry's bullet (API).
        package = e.unchosen is not None
        items = [
            self.option_text(e, o, extra) for o in picked if o.record and not (package and o.fills)
        ]
        if KEEP_VALUE in a.values:
            items.insert(0, self.entry_default(e)[0])  # the deferred default, now chosen
        rest: Deferral | None = None
        if DEFER_VALUE in a.values and (items or a.other):
            # Ticked together with "Decide for me": the ticks stand, the rest gets the default.
            default = self.entry_default(e)[0]
            items.append(f"the rest left to specui: {default}")
            rest = Deferral(
                section=e.section,  # type: ignore[arg-type]
                topic=e.header,
                default=default,
                rationale="you ticked some options and left the rest to specui",
            )
        fills: dict[str, list[str]] = {}
        for o in picked:
            for label, text in o.fills.items():
                fills.setdefault(label, []).append(self.fill(text, extra) or text)
            for key, value in o.stack.items():
                table, k = key.split(".", 1)
                self.stack_changes.append(StackChange(table=table, key=k, value=value))
            if o.open_question:
                self.oq_added.append(self.fill(o.open_question, extra) or o.open_question)
            if e.key == "deployment.stack" and o.value == "detected":
                self.stack_changes.extend(self.detected_stack_change)
        if a.other:
            items.extend(self.route_typed(e, a.other.strip()))
        if not items and not (package and fills):
            return
        if items:
            value = "; ".join(items)
            if e.join != "{items}":
                value = self.fill(e.join, {**extra, "items": value}) or value
            if e.key == "autoresearch.evaluator":
                value = f"`{value.strip('`')}`"  # a command: kept verbatim as code
            if self.write(e.section, e.label, value) and rest is not None:
                self.deferrals.append(rest)
        elif e.unchosen is not None and not self.bullet_answered(e):
            self.write(e.section, e.label, e.unchosen)
        for label, parts in fills.items():
            self.write(e.section, label, "; ".join(dict.fromkeys(parts)), keep=True)
        if e.unchosen is not None:
            for label in e.labels[1:]:
                if label not in fills and not value_is_answered(
                    label, item_value(self.body(e.section), label)
                ):
                    self.write(e.section, label, e.unchosen)
        if e.role == "stack_fix" or (e.key == "deployment.stack" and a.other):
            typed = stack_changes_from_text(a.typed or a.entry.answer)
            self.stack_changes.extend(self.with_language(typed))
            self.forget_starter()
            if e.role == "stack_fix":
                # The stack question only routed here: its open question is settled now.
                self.oq_resolved.append(self.bank.by_key("deployment.stack").resolves)
        if e.challenge == "terminologist" or e.key == "terminology.glossary":
            self.read_terms(a.typed)
        if e.key == "scope.touchpoints":
            chosen = {o.label for o in picked}
            self.findings.extend(
                ContextFinding(
                    path=o.label,
                    finding=("confirmed by the user" if o.label in chosen else "not touched")
                    + (f"; {o.description}" if o.description else ""),
                    basis="evidence",
                    touchpoint=o.label in chosen,
                )
                for o in options
            )
        if e.key == "autoresearch.evaluator" and re.search(
            r"<[^<>]*>|\bTODO\b|\bTBD\b|REPLACE_ME|CHANGEME|your-command-here", value, re.IGNORECASE
        ):
            self.oq_added.append("Replace the placeholder in the evaluator command before launch")
        # The bullet is answered: every question about it is settled (the auth model asked
        # of a tool that turned out to have no sign-in, once "What must it protect?" is).
        self.oq_resolved.extend(
            o.resolves
            for o in self.bank.entries
            if o.resolves and o.section == e.section and norm_label(o.label) == norm_label(e.label)
        )
        # An answer that settles a fact another question asks about (the Contrarian names the
        # primary driver) settles that question's open question too.
        kinds = {e.role, f"challenge:{e.challenge}", f"pressure:{e.pressure}"}
        for fact in FACTS:
            if kinds & set(fact.roles) and self.settles(a):
                self.oq_resolved.extend(
                    o.resolves
                    for o in self.bank.entries
                    if o.resolves
                    and any(
                        o.section == u and norm_label(o.label) == norm_label(lb)
                        for u, lb in fact.items
                    )
                )

    def route_typed(self, e: BankEntry, text: str) -> list[str]:
        """`text` minus its clauses about another bullet of the section (`e.routes`), which
        are written there in the user's words; what is left is the entry's own answer."""
        if not e.routes:
            return [text]
        parts = clauses(text)
        rest = []
        for part in parts:
            label = next(
                (lb for lb, rx in e.routes.items() if re.search(rx, part, re.IGNORECASE)), None
            )
            if label is None:
                rest.append(part)
            else:
                self.write(e.section, label, part)
        if len(rest) == len(parts):
            return [text]  # nothing routed: the answer as typed
        return ["; ".join(rest)] if rest else []

    def apply_deferral(self, e: BankEntry, question: str = "", *, mark: str = DEFAULT_MARK) -> None:
        default, rationale = self.entry_default(e)
        m = re.search(r"Round (\d+): you said “(.+?)”", question, re.DOTALL)
        if e.role == "pressure" and m:
            # "unverified; treated as an assumption" alone does not say which claim.
            default = quote_placeholders(f"round {m.group(1)}'s “{m.group(2)}”: {default}")
        text = f"{mark}: {default} (rationale: {rationale})"
        if e.key == "deployment.stack" and "stack:mismatch" in self.traits:
            self.stack_changes.extend(self.detected_stack_change)
        if self.write(e.section, e.label, text):
            self.deferrals.append(
                Deferral(section=e.section, topic=e.header, default=default, rationale=rationale)  # type: ignore[arg-type]
            )

    def apply_place_request(self, a: Answered) -> None:
        """The change asked for at the finalize question, written into the section the user
        picked (a typed answer is a section name, else kept under Risks)."""
        m = re.match(re.escape(PLACE_PREFIX) + r"“(.+)”", a.entry.question, re.DOTALL)
        if not m:
            return
        request = m.group(1)
        unit = next((v for v in a.values if v in UNIT_KEYS), None)
        if unit is None and a.other:
            typed = _norm(a.other)
            unit = next((k for k in UNIT_KEYS if _norm(UNIT_TITLES[k]) in typed or k == typed), None)
        if unit is None or unit in OWNED_SECTIONS:
            unit = "risks"
        if self.write(unit, PLACE_LABEL, request):
            self.oq_resolved.extend(
                q for q in self.outstanding() if _norm(q) == _norm(f"{FINALIZE_REQUEST}: {request}")
            )

    def place_question(self, request: str) -> ReplyQuestion:
        open_units = [k for k in UNIT_KEYS if k not in OWNED_SECTIONS and k not in self.protected]
        # The sections its words point to first (at most 8 fit), then the others in order;
        # Other takes any section's name.
        ranked, best = sections_by_words(request, open_units)
        ranked = ranked[:8]
        return ReplyQuestion(
            question=f"{PLACE_PREFIX}“{request}”. Which section does it change?",
            type="single-answerable",
            options=[
                ReplyOption(
                    label=UNIT_TITLES[k],
                    value=k,
                    description="written there as a requested change",
                    recommended=k == best,
                )
                for k in ranked
            ],
            allow_other=True,
            header="Requested change",
            dimension=None,
        )

    def apply_section_defaults(self, unit: str) -> None:
        """The person accepted recommended defaults for `unit`: each question the bank still
        has for it is answered with its default, and a placeholder no question covers gets
        the implementer's choice; every one is marked and reported as a deferral."""
        if unit in self.protected:
            return
        roles = ("ordinary", "non_goals", "decision_boundaries")
        for e in self.bank.entries:
            if e.section == unit and e.role in roles and self.available(e):
                pointed = self.recommended(self.options_for(e)) if e.unchosen else None
                if pointed is not None:
                    self.default_package(e, pointed)
                else:
                    self.apply_deferral(e, mark=ACCEPTED_MARK)
        title = UNIT_TITLES[unit]
        default = "decided during implementation, within the decision boundaries"
        rationale = f"the person accepted the recommended defaults for {title}"
        text = quote_placeholders(f"{ACCEPTED_MARK}: {default} (rationale: {rationale})")
        body = self.body(unit)
        holes = 0
        while (hole := first_placeholder(body)) is not None and hole in body and holes < 20:
            body = body.replace(hole, text, 1)
            holes += 1
        if not body.strip():
            body, holes = f"- {text}", 1
        if holes:
            self.patches[unit] = body
            self.deferrals.append(
                Deferral(section=unit, topic=title, default=default, rationale=rationale)  # type: ignore[arg-type]
            )
        # The accepted defaults answer the section's open questions (as assumptions).
        self.oq_resolved.extend(o.resolves for o in self.bank.entries if o.resolves and o.section == unit)

    def default_package(self, e: BankEntry, option: BankOption) -> None:
        """A package of bullets (Interfaces) takes its recommended option as if it were
        picked, so each bullet gets what the option routes there ("CLI commands" -> CLI/Jobs,
        the rest "not in v1"); every bullet written is then marked as a default."""
        before = self.body(e.section)
        entry = TranscriptEntry(
            round=self.d.round, phase="validation", kind="validation", dimension="",
            question=e.prompt, answer=option.label,
        )
        self.apply_bank(Answered(entry, e.key, e, [option.value], [option.label], None, True), e)
        after = self.body(e.section)
        rationale = e.default_rationale or "the option your answers and stack.toml point to"
        newline = "\r\n" if "\r\n" in after else "\n"
        for label in e.labels:
            value = item_value(after, label)
            if value and value != item_value(before, label) and not is_default(value):
                marked = f"{ACCEPTED_MARK}: {value} (rationale: {rationale})"
                after = set_item(after, label, quote_placeholders(marked), newline)
                self.patches[e.section] = after
                self.deferrals.append(
                    Deferral(section=e.section, topic=f"{e.header}: {label}", default=value,  # type: ignore[arg-type]
                             rationale=rationale)
                )

    def defer_unbanked(self, a: Answered) -> None:
        """A deferral of a question the bank does not hold (the overview, a closure audit, a
        validation step, another engine's question): its default goes where it belongs and is
        reported like any other deferral (seed 000 §2.8)."""
        if a.kind in ("overview", "summary"):
            unit, label, topic = "vision", "Problem & Outcome", "Overview"
            default = "to be stated: the next questions ask for the problem and the users"
            rationale = "no overview was given"
        elif a.kind == "closure":
            unit, label, topic = "risks", "Assumptions", "Closure audit"
            default = "no further question would change what gets built"
            rationale = "the user left the closure decision to the interviewer"
        elif a.kind == "open_review":
            unit, label, topic = "risks", "Assumptions", "Open questions"
            default = "the questions in §17 stay open until implementation settles them"
            rationale = "none of them was settled in the review"
            self.oq_resolved.extend(self.outstanding())
        else:
            unit, label, topic = "risks", "Assumptions", short(a.entry.question, 60)
            default = "decided during implementation, within the decision boundaries"
            rationale = "the user left this question to the implementer"
        text = f"{DEFAULT_MARK}: {default} (rationale: {rationale})"
        if a.kind == "fill" and (m := re.search(r"still holds “(.+?)”", a.entry.question)):
            hole = m.group(1)
            for u in UNIT_KEYS:
                if u not in self.protected and hole in self.body(u):
                    unit = u
                    self.patches[u] = self.body(u).replace(hole, quote_placeholders(text), 1)
                    break
            else:
                return
        elif not self.write(unit, label, text):
            return
        self.deferrals.append(
            Deferral(section=unit, topic=topic, default=default, rationale=rationale)  # type: ignore[arg-type]
        )

    def settle_contradiction(self, c: Contradiction, choice: str) -> None:
        """Write the chosen side everywhere the other statement stood (seed 000 §4.4).

        A deferred choice ("decide for me") settles on the later statement; the default is
        written as a pointer to it (neither statement's text may stay where they stood) and
        reported like every deferral."""
        chosen = choice.strip()
        deferred = self.d.answer_is_deferral
        if deferred:
            default = f"the statement of {c.where_b} holds over the one of {c.where_a}"
            rationale = "the later answer is the more recent decision"
            chosen = f"{DEFAULT_MARK}: {default} (rationale: {rationale})"
        losers = [s for s in (c.statement_a, c.statement_b) if _norm(s) != _norm(chosen)]
        variants = [v for s in losers for v in (s, s.rstrip(".!?; "))]
        # One line, quoted: the chosen side replaces text inside a bullet, so a typed line break,
        # heading or fence must not restructure SPEC.md.
        one_line = guard_text(" ".join(chosen.split()))[0]
        replacement = quote_placeholders(one_line.rstrip(".!?; ") if not deferred else one_line)
        changed: list[str] = []
        for unit in UNIT_KEYS:
            if unit in self.protected:
                continue
            body = self.body(unit)
            new = body
            for v in sorted(set(variants), key=len, reverse=True):
                if v:
                    new = re.sub(re.escape(v), lambda _m: replacement, new, flags=re.IGNORECASE)
            if new != body:
                self.patches[unit] = new
                changed.append(unit)
        if deferred:
            if not changed and self.write("risks", "Assumptions", replacement):
                changed.append("risks")
            if changed:
                topic = f"Contradiction: {c.topic}"
                self.deferrals.append(
                    Deferral(section=changed[0], topic=topic, default=default, rationale=rationale)  # type: ignore[arg-type]
                )
        for where in (c.where_a, c.where_b):
            if where in UNIT_KEYS and where not in self.patches and where not in self.protected:
                if _norm(replacement) not in _norm(self.body(where)):
                    self.write(where, "Decision", replacement)
                else:
                    self.patches[where] = self.body(where)

    def apply_fill(self, a: Answered) -> None:
        """A validation answer for a section no bank question covers: it replaces the
        placeholder the question quoted, or becomes the body of an empty section."""
        m = re.match(
            re.escape(FILL_PREFIX) + r"(\d+) (.+?) (?:still holds “(.+?)”|is empty)",
            a.entry.question,
            re.DOTALL,
        )
        if not m or a.deferral or not a.entry.answer.strip():
            return
        text = quote_placeholders(" ".join(a.entry.answer.split()))
        section = next((s.key for s in SECTION_BY_KEY.values() if s.number == int(m.group(1))), "")
        units = [u for u in UNIT_KEYS if UNIT_SECTION[u] == section and u not in self.protected]
        hole = m.group(3)
        for unit in units:
            body = self.body(unit)
            if hole is not None and hole in body:
                self.patches[unit] = body.replace(hole, text, 1)
                return
            if hole is None and UNIT_TITLES[unit] == m.group(2) and not body.strip():
                self.patches[unit] = text
                return

    def read_terms(self, text: str) -> None:
        known = self.scan.identifiers if self.scan else set()
        for line in text.splitlines():
            term, sep, meaning = line.partition(":")
            term = term.strip().strip("-*• ")
            if not sep or not term or not meaning.strip():
                continue
            conflict = None
            if self.scan is not None:
                low = term.lower().replace(" ", "_")
                if not any(low in ident or ident in low for ident in known if len(ident) > 3):
                    conflict = "not found among the code's names; confirm it is the canonical term"
            self.terms.append(TermEntry(term=term, meaning=meaning.strip(), conflict=conflict))

    def term_conflicts(self, text: str) -> list[tuple[str, str]]:
        """Code names in `text` (`load_toml()`, KeySet, a backticked word) that the repository
        does not define, each with the closest names it does define (brownfield only)."""
        if self.scan is None:
            return []
        known = self.scan.identifiers
        introduced = new_code_names(self.user_text)
        out = []
        for token in code_names(text):
            name = token.rstrip("()").split(".")[-1].lower()
            if len(name) < 4 or name in known or token in introduced:
                continue
            close = difflib.get_close_matches(name, sorted(known), n=2, cutoff=0.75)
            if not close and f"`{token}`" not in text and _CAMEL.fullmatch(token):
                # A bare CamelCase word like nothing in the code names something else
                # (CommonMark, GitHub): only one close to a defined name reads as a misnaming.
                continue
            out.append(
                (
                    token,
                    "the code defines " + " / ".join(close)
                    if close
                    else "the code defines no such name",
                )
            )
        return out

    def check_code_names(self, a: Answered) -> None:
        """Report the term conflicts of this answer: what makes the Terminologist due."""
        seen = {t.term for t in self.terms}
        for token, conflict in self.term_conflicts(a.typed):
            if token not in seen:
                seen.add(token)
                self.terms.append(
                    TermEntry(
                        term=token, meaning=f"named in round {a.round}'s answer", conflict=conflict
                    )
                )

    # ================================================================== contradictions
    def answer_text(self, a: Answered) -> str:
        if a.bank is not None and a.values:
            options = {o.value: o for o in a.bank.options}
            chosen = [self.option_text(a.bank, options[v]) for v in a.values if v in options]
            if KEEP_VALUE in a.values:
                chosen.insert(0, self.entry_default(a.bank)[0])
            return ". ".join([*chosen, a.other or ""])
        return a.entry.answer

    def find_contradictions(self) -> None:
        """Contradictions between the newest answer and the standing earlier claims."""
        last = self.last
        if last is None or last.deferral or last.kind in (*SPECUI_CHOICES, "closure"):
            return
        standing: dict[str, Claim] = {}
        for a in self.answered[:-1]:
            if a.kind == "contradiction":
                # A settled contradiction: the chosen side is what stands now.
                m = _CONTRADICTION_TOPIC.search(a.entry.question)
                if m:
                    standing.pop(m.group(1), None)
                for c in claims_of(a.entry.answer, a.round):
                    standing[c.topic] = c
                continue
            if a.deferral or a.kind in (*SPECUI_CHOICES, "closure"):
                continue
            for c in claims_of(self.answer_text(a), a.round):
                standing[c.topic] = c
        reported: set[str] = set()
        for c in claims_of(self.answer_text(last), last.round):
            prev = standing.get(c.topic)
            if prev is None or prev.value == c.value or c.topic in reported:
                continue
            reported.add(c.topic)
            self.contradictions.append(
                Contradiction(
                    topic=c.topic,
                    statement_a=prev.statement,
                    where_a=f"round {prev.round}",
                    statement_b=c.statement,
                    where_b=f"round {c.round}",
                )
            )

    # ================================================================== gates
    def collect_gate_evidence(self) -> None:
        """Evidence for the gates this turn made explicit. A hand edit of SPEC.md is credited
        to the latest interview round (the gate must name an answered round)."""
        rounds = [a for a in self.answered if a.interview]
        if not rounds or self.d.kind == "validation":
            return
        last = rounds[-1]
        g = self.req.gates
        for gate in ("non_goals", "decision_boundaries"):
            if getattr(g, gate):
                continue
            entry = next(e for e in self.bank.entries if e.gate == gate)
            answers = [a for a in self.asked(entry.key) if not a.deferral and a.interview]
            if answers:
                note = "answered: " + short(self.answer_text(answers[-1]), 160)
                self.gate_evidence.append(
                    GateEvidence(gate=gate, round=answers[-1].round, note=note)  # type: ignore[arg-type]
                )
            elif self.bullet_answered(entry):
                value = item_value(self.body(entry.section), entry.label) or ""
                said = self.last is not None and self.last.kind in ("overview", "summary")
                note = (
                    f"stated in the overview: {short(value, 160)}"
                    if said and entry.section in self.patches
                    else f"{entry.label} written in SPEC.md"
                )
                self.gate_evidence.append(
                    GateEvidence(gate=gate, round=last.round, note=note)  # type: ignore[arg-type]
                )
        closure = self.last is not None and last.kind == "closure"
        if (
            not g.closure_audit
            and closure
            and "crystallize" in last.values
            and self.may_crystallize
        ):
            self.gate_evidence.append(
                GateEvidence(
                    gate="closure_audit",
                    round=last.round,
                    note="the user said no further question would change execution",
                )
            )

    # ================================================================== scoring
    def fact_met(self, fact: Fact) -> bool:
        if "scanned" in fact.roles and self.scan is not None:
            return True
        for a in self.answered:
            if a.deferral or a.bank is None or self.only_routing(a):
                continue
            kinds = {a.bank.role, f"challenge:{a.bank.challenge}", f"pressure:{a.bank.pressure}"}
            if kinds & set(fact.roles) and self.settles(a):
                return True
            if any(
                a.bank.section == u and norm_label(a.bank.label) == norm_label(lb)
                for u, lb in fact.items
            ):
                return True
        for unit, label in fact.items:
            value = item_value(self.body(unit), label)
            if value_is_answered(label, value) and not is_default(value):
                return True
        return False

    @staticmethod
    def settles(a: Answered) -> bool:
        """The answer states the fact its question informs: typed text, or an option that
        does (not one that questions it, like the Contrarian's "narrow v1")."""
        if a.bank is None or a.other or not a.values:
            return True
        by_value = {o.value: o for o in a.bank.options}
        return any(by_value[v].settles for v in a.values if v in by_value)

    @staticmethod
    def only_routing(a: Answered) -> bool:
        """An answer that only chose where to go next ("No, I will name it next"): it states
        nothing yet, so it is no clarity (the follow-up's answer is)."""
        if a.bank is None or a.other or not a.values:
            return False
        by_value = {o.value: o for o in a.bank.options}
        return all(v in by_value and not by_value[v].record for v in a.values)

    @cached_property
    def score_map(self) -> dict[str, float]:
        return {s.dimension: s.score for s in self.scores()}

    def scores(self) -> list[DimensionScore]:
        out = []
        for dim in weights_for(self.req.interview_type):
            found = [f for f in FACTS if f.dimension == dim and self.fact_met(f)]
            missing = [f for f in FACTS if f.dimension == dim and f not in found]
            deferred = [
                a.bank.header
                for a in self.answered
                if a.deferral and a.bank is not None and a.bank.dimension == dim
            ]
            gap = "; ".join(f.label for f in missing) or "none"
            if deferred:
                gap += "; deferred (defaults, not clarity): " + ", ".join(dict.fromkeys(deferred))
            out.append(
                DimensionScore(
                    dimension=dim,  # type: ignore[arg-type]
                    score=round(min(1.0, sum(f.points for f in found)), 4),
                    justification="; ".join(f"{f.label} +{f.points:.2f}" for f in found)
                    or "nothing known yet",
                    gap=gap,
                )
            )
        return out

    # ================================================================== choosing the question
    def source_of(self, e: BankEntry) -> str:
        """Where the question comes from: the code when it only asks to confirm what the
        repository shows (the touchpoints; the stack a manifest contradicts), else the user."""
        if e.key == "deployment.stack" and "stack:mismatch" in self.traits:
            detected = self.detected_language
            if detected is not None and detected[1] in (self.scan.manifests if self.scan else []):
                return "code"
        return e.source

    def available(self, e: BankEntry, *, human: bool = False, revisit: bool = False) -> bool:
        if not self.allowed(e.only_if, e.not_if) or (human and self.source_of(e) != "user"):
            return False
        if e.role == "pressure":
            return self.pressure_target is not None and self.fill(e.prompt) is not None
        if self.asked(e.key) and not revisit:
            return False
        if e.role == "stack_fix":
            routed = {o.value for o in self.bank.by_key("deployment.stack").options if o.follow_up}
            return any(routed & set(a.values) for a in self.asked("deployment.stack"))
        if e.role != "challenge" and not e.append and self.bullet_answered(e):
            return False
        if self.fill(e.prompt) is None:
            return False
        # A readiness gate is asked even when nothing known grounds its options: then in the
        # user's own words (build_question), never skipped for a question about something else.
        return e.type == "free" or e.gate is not None or bool(self.options_for(e))

    def next_question(
        self,
    ) -> tuple[ReplyQuestion | None, str, str, PressureRevisit | None, bool]:
        d = self.d
        last = self.last
        audited = last is not None and last.kind == "closure" and "crystallize" in last.values
        if d.kind == "final":
            why = "the hard cap is reached: this answer is the last one"
            return None, why, "user", None, audited and self.may_crystallize
        if d.kind == "overview":
            prompt = OVERVIEW_PROMPT
            if "stack:template" in self.traits and self.req.interview_type != "brownfield":
                prompt += " " + STARTER_NOTE
            q = ReplyQuestion(
                question=prompt,
                type="free-text",
                options=[],
                allow_other=True,
                header="Overview",
                dimension="intent",
            )
            why = "your overview drafts Vision, Scope and Personas (§1–3) in your own words"
            return q, why, "user", None, False
        if d.kind == "validation":
            return self.validation_question()
        if audited and self.may_crystallize:
            return None, "the closure audit passed", "user", None, True
        if audited:
            # "Crystallize" while a gate is open or the ambiguity is above the threshold: the
            # protocol refuses that, so ask what closes the gap instead.
            return self.closure_turn()
        # A gate this reply's evidence closed (the overview stated the non-goals) directs
        # nothing any more: the directive was decided before the answer was read.
        gate = d.gate if d.gate in self.open_gates() else None
        if self.below_threshold and not (gate or d.challenge_mode or d.pressure_followup):
            # Below the threshold no new branch opens (seed 004 §2c): the directive was decided
            # before this answer was scored, so the engine closes here itself.
            return self.closure_turn()
        entry, why = self.pick()
        if entry is None:
            return self.closure_question()
        pressure = None
        if entry.role == "pressure" and self.pressure_target is not None:
            pressure = PressureRevisit(
                revisits_round=self.pressure_target.round,
                kind=d.pressure_kind or entry.pressure,  # type: ignore[arg-type]
            )
        return self.build_question(entry), why, self.source_of(entry), pressure, False

    @cached_property
    def fresh_ambiguity(self) -> float:
        """Ambiguity from the scores this reply reports (seed 004 weights)."""
        return ambiguity(self.score_map, self.req.interview_type)

    @property
    def below_threshold(self) -> bool:
        return self.d.kind in ("ordinary", "closure") and self.fresh_ambiguity <= self.req.threshold

    def open_gates(self) -> list[str]:
        """Readiness gates still open once this reply's gate evidence is counted."""
        shown = {ev.gate for ev in self.gate_evidence}
        gates = ("non_goals", "decision_boundaries", "pressure_pass")
        return [g for g in gates if not getattr(self.req.gates, g) and g not in shown]

    @property
    def may_crystallize(self) -> bool:
        """What the protocol accepts with ready_to_crystallize: every gate explicit and the
        ambiguity at or below the threshold."""
        return not self.open_gates() and self.fresh_ambiguity <= self.req.threshold

    def closure_turn(self) -> tuple[ReplyQuestion | None, str, str, PressureRevisit | None, bool]:
        """Below the threshold: the question that closes the open gate first, else the audit."""
        for gate in self.open_gates():
            if gate == "pressure_pass":
                e = next((e for e in self.bank.entries if e.pressure == "assumption"), None)
                if e is not None and self.available(e) and self.pressure_target is not None:
                    why = "below the threshold; the pressure pass is still open"
                    pressure = PressureRevisit(
                        revisits_round=self.pressure_target.round, kind="assumption"
                    )
                    return self.build_question(e), why, "user", pressure, False
                continue
            e = next((e for e in self.bank.entries if e.gate == gate), None)
            if e is not None and self.available(e, revisit=True):
                return (
                    self.build_question(e),
                    f"below the threshold; {GATE_TITLES[gate]} still open",
                    "user",
                    None,
                    False,
                )
        return self.closure_question()

    def pick(self) -> tuple[BankEntry | None, str]:
        d = self.d
        human = d.require_human_judgment
        entries = self.bank.entries

        def first(pred: Any, *, revisit: bool = False) -> BankEntry | None:
            return next(
                (e for e in entries if pred(e) and self.available(e, human=human, revisit=revisit)),
                None,
            )

        if d.pressure_followup:
            kind = d.pressure_kind or "evidence"
            e = first(lambda e: e.pressure == kind)
            if e is not None and self.pressure_target is not None:
                article = "an" if kind[0] in "aeiou" else "a"
                why = f"pressure pass: {article} {kind} follow-up on round {self.pressure_target.round}"
                return e, why
        follow = first(lambda e: e.role == "stack_fix")
        if follow is not None:
            return follow, "you said stack.toml is not the stack: which one is it"
        if d.gate in ("non_goals", "decision_boundaries"):
            e = first(lambda e: e.gate == d.gate, revisit=True)
            if e is not None:
                title = GATE_TITLES[d.gate]
                return e, f"readiness gate: {title} must be explicit before the spec is ready"
        if d.challenge_mode:
            e = first(lambda e: e.challenge == d.challenge_mode)
            if e is not None:
                return (
                    e,
                    f"challenge mode: {d.challenge_mode.capitalize()} (each mode is used once)",
                )
        if d.kind == "closure":
            return None, ""
        if self.req.autoresearch:
            e = first(lambda e: "mode:autoresearch" in e.only_if)
            if e is not None:
                return e, f"autoresearch focus: {e.header.lower()}"
        if "stack:mismatch" in self.traits:
            # stack.toml contradicts the repository or the answers: settle it before anything
            # else builds on the wrong stack.
            e = first(lambda e: e.key == "deployment.stack")
            if e is not None and self.detected_language is not None:
                lang, evidence = self.detected_language
                where = evidence if evidence != "named in your answers" else "your answers"
                return e, f"stack.toml's language is not {lang}, which {where} points to"
        stages = ["intent-first", "feasibility"]
        if self.req.interview_type == "brownfield":
            stages.append("brownfield")
        scores = self.score_map
        # The directive's target was the weakest dimension before this turn's answer was
        # scored: once that answer raised it, the scores this reply reports say which one is
        # the weakest now (scores only rise, so an unraised target is still the weakest).
        before = {x.dimension: x.score for x in self.req.scores}
        target = d.target_dimension
        # A later stage's reserved round (policy.reserved_stage): its target stays, whatever
        # this answer raised.
        reserved = d.keep_target and target is not None
        if not reserved and (target is None or scores.get(target, 0.0) > before.get(target, 0.0)):
            target = weakest_dimension(scores, self.req.interview_type)
        if target:
            for stage in stages:
                e = first(lambda e, st=stage: e.stage == st and e.dimension == target)
                if e is not None:
                    title = DIMENSION_TITLES.get(target, target)
                    score = f"{scores.get(target, 0):.2f}"
                    if reserved:
                        return e, (
                            f"{title} ({score}) has had no question yet, and the "
                            "rounds are running out"
                        )
                    return e, f"{_least_clear(target)} ({score})"
        for stage in stages:
            cands = [e for e in entries if e.stage == stage and self.available(e, human=human)]
            if cands:
                e = min(cands, key=lambda e: (scores.get(e.dimension or "", 1.0), entries.index(e)))
                return e, _least_clear(e.dimension or "")
        # Every interview question is answered: complete the weakest section instead.
        for unit in UNIT_KEYS:
            if placeholder_status(self.body(unit)) in ("unknown", "drafted"):
                e = first(lambda e, u=unit: e.stage == "completion" and e.section == u)
                if e is not None:
                    return e, f"{UNIT_TITLES[unit]} is still {placeholder_status(self.body(unit))}"
        return None, ""

    def build_question(self, e: BankEntry, *, section_step: bool = False) -> ReplyQuestion:
        """`e` asked; a validation step (`section_step`) targets its section, no dimension."""
        options = self.options_for(e)
        rec = self.recommended(options)
        reply_opts = [
            ReplyOption(
                label=self.fill(o.label) or o.label,
                value=o.value,
                description=self.fill(o.description) or o.description,
                recommended=o is rec,
            )
            for o in options
        ]
        prompt = self.fill(e.prompt) or e.prompt
        deferred = [a.round for a in self.asked(e.key) if a.deferral]
        if e.gate is not None and deferred and e.type != "free":
            # A gate stays open after a deferral, so the protocol asks again: the user sees the
            # default that stands and can keep it (explicit now) or choose; deferring once
            # more would only bring the same question back. Asked open the first time (no
            # grounded options), "Keep the default" is still offered beside Other.
            default = self.entry_default(e)[0]
            ask = prompt if reply_opts else (e.resolves or prompt)
            prompt = (
                f"Round {deferred[-1]} left this to a default ({short(default, 80)}); keep it "
                f"or {'choose' if reply_opts else 'answer'}: {ask}"
            )
            keep = ReplyOption(
                label="Keep the default",
                value=KEEP_VALUE,
                description=short(default, 120),
                recommended=True,
            )
            reply_opts = [keep, *(o.model_copy(update={"recommended": False}) for o in reply_opts)]
        elif reply_opts and e.default:
            if e.key == "deployment.stack" and "stack:template" in self.traits:
                # Seed 000 §7: specui wrote the starter; the user reviews it (the prompt stays
                # recognisable after the ": ").
                named = {
                    (c.table, c.key)
                    for c in stack_changes_from_text(self.user_text)
                    if self.stack_value(c.table, c.key) == c.value
                }
                said = [
                    f"{k}={self.stack_value(t, k)}"
                    for (t, k), v in STARTER.items()
                    if (t, k) in named or self.stack_value(t, k) not in (v, "unknown", "")
                ]
                if said:
                    # "Stored in Postgres" was the user's choice: only the rest is the starter's.
                    lead = f"specui wrote the starter template; only {', '.join(said)} came from your answers"
                else:
                    lead = "specui wrote the starter template, which nobody has chosen yet"
                prompt = f"{lead}: {prompt}"
            default = self.entry_default(e)[0]
            reply_opts.append(
                ReplyOption(
                    label="Decide for me",
                    value=DEFER_VALUE,
                    description=f"Record a default ({short(default, 60)}) with its rationale",
                    recommended=False,
                )
            )
        qtype = {"single": "single-answerable", "multi": "multi-answerable", "free": "free-text"}
        if not reply_opts and e.type != "free" and e.resolves:
            prompt, qtype[e.type] = e.resolves, "free-text"  # no grounded options: ask it open
        return ReplyQuestion(
            question=prompt,
            type=qtype[e.type],  # type: ignore[arg-type]
            options=reply_opts,
            allow_other=e.allow_other or not reply_opts,
            header=e.header,
            dimension=None if section_step else e.dimension,
        )

    def closure_question(self) -> tuple[ReplyQuestion, str, str, None, bool]:
        amb = ambiguity_percent(self.fresh_ambiguity)
        # The gates still open once this reply's evidence counts, not the directive's (decided
        # before the answer closed it).
        still = [GATE_TITLES[g] for g in self.open_gates()]
        named = f" Still open: {', '.join(still)}." if still else ""
        q = ReplyQuestion(
            question=f"{CLOSURE_PREFIX} ambiguity is {amb}% (threshold "
            f"{ambiguity_percent(self.req.threshold)}%).{named} Would another question change what "
            "gets built?",
            type="single-answerable",
            options=[
                ReplyOption(
                    label="No: crystallize the spec",
                    value="crystallize",
                    description="Write the deep-interview artifacts, then review the sections",
                    recommended=True,
                ),
                ReplyOption(
                    label="Yes: keep refining",
                    value="refine",
                    description="Ask more questions on the weakest dimension first",
                    recommended=False,
                ),
            ],
            allow_other=True,
            header="Closure",
            dimension=None,
        )
        return q, "the closure audit: would another question change execution", "user", None, False

    # ================================================================== validation pass
    def below_clarified(self) -> list[str]:
        """Units still unknown or drafted once this turn's patches are applied (final ones
        are protected and never below)."""
        return [
            u
            for u in UNIT_KEYS
            if u not in self.protected
            and placeholder_status(self.body(u) or None) in ("unknown", "drafted")
        ]

    def validation_question(self) -> tuple[ReplyQuestion | None, str, str, None, bool]:
        # The directive names what was below clarified before this turn's answer was applied;
        # once that answer completes the section, go on to the next one (seed 000 §4.4).
        below = self.below_clarified()
        target = self.d.target_section
        if target is not None and target != "open_questions" and target not in below:
            target = below[0] if below else "open_questions"
        if target == "open_questions":
            resolved = {_norm(q) for q in self.oq_resolved}
            left = [q for q in self.outstanding() if _norm(q) not in resolved]
            if not left:
                return None, "nothing is left to settle", "user", None, True
            prefix = f"{FINALIZE_REQUEST}: "
            requested = next((q for q in left if q.startswith(prefix)), None)
            if requested is not None:
                why = "you asked for this change before finalizing: it goes where it belongs"
                return self.place_question(requested[len(prefix):]), why, "user", None, False
            opts = [
                ReplyOption(
                    label=short(t, 200),
                    value=f"q-{i + 1}",
                    description=f"open question {i + 1}",
                    recommended=False,
                )
                for i, t in enumerate(left[:8])
            ]
            opts.append(
                ReplyOption(
                    label="None yet: leave them to the plan phase",
                    value=KEEP_OPEN_VALUE,
                    description="Listed in Risks for the plan phase; the spec can finish",
                    recommended=False,
                )
            )
            q = ReplyQuestion(
                question=OPEN_REVIEW_PROMPT,
                type="multi-answerable",
                options=opts,
                allow_other=True,
                header="Open questions",
                dimension=None,
            )
            return q, f"§17 still lists {len(left)} open question(s)", "user", None, False
        if target is None:
            return None, "nothing is left to settle", "user", None, True
        follow = next(
            (e for e in self.bank.entries if e.role == "stack_fix" and self.available(e)), None
        )
        if follow is not None:
            # "No" / "Name the stack" only routed here: the stack itself is still unsaid.
            why = "validation pass: you chose to name the stack: which one is it"
            return (
                self.build_question(follow, section_step=True),
                why,
                self.source_of(follow),
                None,
                False,
            )
        body = self.body(target)
        status = placeholder_status(body) if body else "unknown"
        title = UNIT_TITLES[target]
        number = SECTION_BY_KEY[UNIT_SECTION[target]].number
        roles = ("ordinary", "non_goals", "decision_boundaries")
        for e in self.bank.entries:
            if e.section == target and e.role in roles and self.available(e):
                why = f"validation pass: §{number} {title} is {status}"
                return (
                    self.build_question(e, section_step=True),
                    why,
                    self.source_of(e),
                    None,
                    False,
                )
        hole = first_placeholder(body)
        if hole:
            q = ReplyQuestion(
                question=f"{FILL_PREFIX}{number} {title} still holds “{hole}”. What should "
                "replace it?",
                type="free-text",
                options=[],
                allow_other=True,
                header=short(title, 24),
                dimension=None,
            )
            return (
                q,
                f"validation pass: §{number} {title} has a placeholder left",
                "user",
                None,
                False,
            )
        q = ReplyQuestion(
            question=f"{FILL_PREFIX}{number} {title} is empty. What should it say?",
            type="free-text",
            options=[],
            allow_other=True,
            header=short(title, 24),
            dimension=None,
        )
        return q, f"validation pass: §{number} {title} is {status}", "user", None, False

    # ================================================================== brownfield findings
    def repo_findings(self) -> list[ContextFinding]:
        """Manifests, docs and the files that match the overview (reported once, with it)."""
        scan = self.scan
        if scan is None:
            return []
        out = [
            ContextFinding(
                path=m,
                finding=f"manifest: the project is {MANIFEST_LANG.get(Path(m).name, 'code')}",
                basis="evidence",
                touchpoint=False,
            )
            for m in scan.manifests[:4]
        ]
        out += [
            ContextFinding(
                path=d, finding="repository docs inspected", basis="evidence", touchpoint=False
            )
            for d in scan.docs[:6]
        ]
        out += [
            ContextFinding(
                path=f.path,
                finding="likely touchpoint: " + finding_text(f),
                basis="evidence",
                touchpoint=True,
            )
            for f in scan.touchpoints[:6]
        ]
        return out
