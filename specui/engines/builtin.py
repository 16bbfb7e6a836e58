"""The offline interviewer: seed 000's flow with seed 004's ambiguity gating, no model, no network.

Flow (one question per round; everything persisted in the session store after every answer):

1. start(): bootstrap SPEC.md + stack.toml (spec_repo.init_project), detect brownfield, write
   the context snapshot, ask round 1: review stack.toml and give an overview (free text).
2. The overview drafts sections 1–3 (drafting.py) and seeds §17 Open Questions.
3. Interview rounds pick from the bank (bank.py) by seed 004's stage priority (intent-first,
   feasibility, brownfield context; the lowest-scoring dimension first), with the Non-goals and
   Decision Boundaries gates asked first, one special round (a challenge mode or the pressure
   pass) after each ordinary round, a closure question once ambiguity <= threshold and the
   gates pass, and the hard cap at max_rounds. Scores come from scoring.py.
4. Crystallize: write the `.omx` artifacts (artifacts.py), then a validation pass that completes
   sections the interview did not reach and asks to finalize each clarified one.
5. Finish: seed 000 §8's message with a recap, stored in `engine_state["finish_message"]`.

Answers never get lost: the round keeps the exact answer; a SPEC.md patch that meets a concurrent
edit of the same bullet is kept in `store.spec.conflicts` (spec_repo.patch) instead.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tomlkit

from specui import spec_repo
from specui.core.config import (
    DeepInterviewConfig,
    SpecuiConfig,
    load_deep_interview_config,
    resolve_profile,
)
from specui.core.errors import SpecuiError
from specui.core.open_questions import (
    add_open_question,
    parse_open_questions,
    resolve_open_question,
)
from specui.core.paths import Project
from specui.core.progress import progress_line
from specui.core.questions import Answer, Question, QuestionOption
from specui.core.spec import (
    SECTION_BY_KEY,
    SECTIONS,
    UNIT_BY_KEY,
    UNIT_KEYS,
    SpecDocument,
    render_stack_template,
)
from specui.engines import artifacts, bank, drafting, scoring
from specui.engines.bank import UNIT_SECTION, BankContext, BankEntry
from specui.store import DimensionScore, Gates, InterviewState, PendingQuestion, Round, SessionStore

STAGE_DONE = 0.6  # a stage is left once each of its dimensions scores at least this
EARLY_EXIT_ROUND = 4  # seed 004: "Round 4+: allow explicit early exit with risk warning"
SPECIAL_KINDS = ("pressure", "challenge:")
CHALLENGE_RULES = ("contrarian", "simplifier", "ontologist", "terminologist")

# Code detection for brownfield: these never count (specui's own files and tool folders).
_IGNORED_TOP = {"SPEC.md", "stack.toml", "specui.toml", "omx.toml", "orchestrator", "AGENTS.md"}
_SKIP_DIRS = {"node_modules", "venv", "env", "__pycache__", "dist", "build", "target", "vendor"}
_CODE_EXT = {
    ".py", ".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".go", ".rs", ".java", ".kt", ".rb",
    ".php", ".cs", ".c", ".h", ".cpp", ".hpp", ".cc", ".swift", ".scala", ".ex", ".exs", ".erl",
    ".clj", ".hs", ".lua", ".dart", ".vue", ".svelte", ".sh", ".sql", ".m", ".r", ".jl",
}  # fmt: skip
_MANIFESTS = {
    "package.json", "pyproject.toml", "setup.py", "Cargo.toml", "go.mod", "pom.xml",
    "build.gradle", "build.gradle.kts", "Gemfile", "composer.json", "CMakeLists.txt",
    "requirements.txt", "mix.exs", "deno.json",
}  # fmt: skip
_DOC_NAMES = ("README.md", "README", "README.rst", "AGENTS.md", "CONTEXT.md", "CONTEXT-MAP.md")


def detect_code(root: Path, limit: int = 5, max_entries: int = 5000) -> list[str]:
    """Source files or project manifests under `root` (brownfield evidence), at most `limit`.

    specui's own files (SPEC.md, stack.toml, specui.toml, .specui, .omx, orchestrator) and hidden
    folders never count. Bounded walk (depth 4, `max_entries` entries) so a huge tree is cheap.
    """
    found: list[str] = []
    seen = 0
    stack: list[tuple[Path, int]] = [(root, 0)]
    while stack and len(found) < limit and seen < max_entries:
        folder, depth = stack.pop(0)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            seen += 1
            name = entry.name
            if name.startswith(".") or (depth == 0 and name in _IGNORED_TOP):
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if name not in _SKIP_DIRS and depth < 4:
                    stack.append((Path(entry.path), depth + 1))
                continue
            if Path(name).suffix.lower() in _CODE_EXT or name in _MANIFESTS:
                found.append(Path(entry.path).relative_to(root).as_posix())
                if len(found) >= limit:
                    break
    return found


def stack_summary(path: Path) -> str:
    """stack.toml as one line: `language=typescript, framework=nextjs, ...` ('' if unreadable)."""
    try:
        data = tomlkit.parse(path.read_text("utf-8")).unwrap()
    except (OSError, UnicodeDecodeError, Exception):  # noqa: BLE001 - a bad stack.toml is data
        return ""
    parts: list[str] = []
    for table, values in data.items():
        if table == "name":
            continue
        if isinstance(values, Mapping):
            parts.extend(f"{k}={v}" for k, v in values.items() if not isinstance(v, Mapping))
        else:
            parts.append(f"{table}={values}")
    return ", ".join(parts)


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _is_special(kind: str) -> bool:
    return kind.startswith(SPECIAL_KINDS)


def _pct(x: float) -> str:
    return f"{x * 100:.0f}%"


class BuiltinInterviewer:
    """The deterministic offline interviewer (see the module docstring)."""

    def __init__(
        self,
        project: Project,
        store: SessionStore,
        config: SpecuiConfig | None = None,
        *,
        deep: DeepInterviewConfig | None = None,
        home: Path | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.project = project
        self.store = store
        self.config = config or SpecuiConfig()
        self._deep = deep
        self._home = home
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.RLock()

    # ================================================================== public API
    def start(self) -> None:
        """Bootstrap once; afterwards resume: an existing current question is left as it is."""
        with self._lock:
            iv = self.store.state.interview
            if iv.current is not None:
                return
            if iv.status == "not_started":
                self._bootstrap()
                return
            if iv.engine_state.get("phase") == "done":
                return
            # Active but no question (e.g. interrupted between steps): plan the next one.
            work = iv.model_copy(deep=True)
            doc = self._read_doc()
            self._advance(work, doc)
            self._commit(work)

    def answer(self, answer: Answer) -> None:
        with self._lock:
            iv = self.store.state.interview.model_copy(deep=True)
            cur = iv.current
            if cur is None:
                raise SpecuiError("there is no question waiting for an answer")
            self._check_answer(cur.question, answer)
            es = iv.engine_state
            doc = self._read_doc()
            notes: list[str] = []
            if cur.kind == "finalize":
                self._answer_finalize(iv, cur, answer, notes)
            elif cur.kind == "closure":
                self._answer_closure(iv, doc, answer)
            else:
                self._answer_patch(iv, cur, doc, answer, notes)
            doc = self._read_doc()
            results, amb, gates = self._assess(iv, doc)
            self._apply_scores(iv, results, amb, gates)
            iv.rounds.append(
                Round(
                    n=len(iv.rounds) + 1,
                    dimension=cur.dimension,
                    kind=cur.kind,
                    question=cur.question,
                    answer=answer,
                    at=self._clock(),
                    scores={d: r.score for d, r in results.items()},
                    ambiguity=amb,
                    phase=cur.phase,
                )
            )
            if es.get("phase", "interview") == "interview":
                es["interview_rounds"] = int(es.get("interview_rounds", 0)) + 1
            if notes:
                es["pending_note"] = "\n".join([*self._pending_notes(es), *notes])
            iv.current = None
            self._advance(iv, doc)
            self._commit(iv)

    def can_exit_early(self) -> bool:
        iv = self.store.state.interview
        es = iv.engine_state
        return (
            iv.status == "active"
            and es.get("phase", "interview") == "interview"
            and int(es.get("interview_rounds", 0)) + 1 >= EARLY_EXIT_ROUND
        )

    def exit_early(self) -> None:
        with self._lock:
            if not self.can_exit_early():
                raise SpecuiError(
                    f"early exit is available from round {EARLY_EXIT_ROUND} of an active interview"
                )
            iv = self.store.state.interview.model_copy(deep=True)
            doc = self._read_doc()
            iv.current = None
            self._crystallize(iv, doc, "early_exit")
            self._advance(iv, doc)
            self._commit(iv)

    def exit_warning(self) -> str:
        """The risk warning to show before confirming an early exit."""
        iv = self.store.state.interview
        return self._risk_text(iv, "early exit", iv.engine_state.get("interview_rounds", 0) + 1)

    def finish_message(self) -> str | None:
        return self.store.state.interview.engine_state.get("finish_message")

    # ================================================================== bootstrap
    def _bootstrap(self) -> None:
        project = self.project
        code = detect_code(project.root) if project.root.is_dir() else []
        created = spec_repo.init_project(project)
        deep, warnings = (
            (self._deep, [])
            if self._deep is not None
            else load_deep_interview_config(project, self._home)
        )
        profile = resolve_profile(self.config, deep)
        kind = "brownfield" if code else "greenfield"
        slug = artifacts.slugify(project.root.name)
        summary = stack_summary(project.stack)
        snapshot = artifacts.latest_snapshot(project, slug)
        if snapshot is None:
            docs = [n for n in _DOC_NAMES if (project.root / n).is_file()]
            if (project.root / "docs").is_dir():
                docs.append("docs/")
            snapshot = artifacts.write_context_snapshot(
                project,
                slug=slug,
                kind=kind,
                stack_summary=summary,
                code_files=code,
                docs=docs,
                now=self._clock(),
            )
        stack_created = project.stack in created
        try:
            stack_hash = _hash(project.stack.read_text("utf-8")) if stack_created else ""
        except OSError:
            stack_hash = ""
        iv = self.store.state.interview.model_copy(deep=True)
        iv.profile = profile.name
        iv.threshold = profile.threshold
        iv.max_rounds = profile.max_rounds
        iv.type = kind
        iv.slug = slug
        iv.status = "active"
        iv.stage = "intent-first"
        for w in warnings:
            if w not in iv.warnings:
                iv.warnings.append(w)
        iv.artifacts["context"] = project.relative(snapshot)
        iv.engine_state.update(
            {
                "engine": "builtin",
                "phase": "interview",
                "asked": [],
                "tags": ["scanned"] if code else [],
                "interview_rounds": 0,
                "files": code,
                "challenge_modes": bool(deep.enable_challenge_modes),
                "midpoint": (profile.max_rounds + 1) // 2,
                "stack_created": stack_created,
                "stack_hash": stack_hash,
                "created": [project.relative(p) for p in created],
            }
        )
        doc = self._read_doc()
        results, amb, gates = self._assess(iv, doc)
        self._apply_scores(iv, results, amb, gates)
        self._advance(iv, doc)
        self._commit(iv)

    # ================================================================== reading & scoring
    def _read_doc(self) -> SpecDocument:
        doc = spec_repo.read_document(self.project)
        if doc is None:  # deleted while we ran: recreate it rather than lose the next answer
            spec_repo.init_project(self.project)
            doc = spec_repo.read_document(self.project)
            assert doc is not None
        return doc

    @staticmethod
    def _bodies(doc: SpecDocument) -> dict[str, str | None]:
        """Section bodies as the bank sees them: Security & Privacy is always an NFR item.

        When the user keeps Security & Privacy as its own `##` section, its text is shown to the
        bank as the NFR item, so answered-checks and rendering work the same either way;
        `_changes` routes the item back to the standalone section.
        """
        bodies = {s.key: doc.section_body(s.key) for s in SECTIONS}
        if doc.has_standalone_security:
            text = (doc.unit_text("security") or "").strip()
            if text and not text.startswith("- **"):
                text = " ".join(line.strip() for line in text.splitlines() if line.strip())
            item = text if text.startswith("- **") else f"- **Security & Privacy**: {text}"
            nfr = (bodies.get("nfr") or "").rstrip("\n")
            bodies["nfr"] = f"{nfr}\n{item}" if nfr else item
        return bodies

    def _ctx(self, iv: InterviewState) -> BankContext:
        es = iv.engine_state
        files = es.get("files") or []
        return BankContext(
            claim=es.get("claim", ""),
            stack=stack_summary(self.project.stack),
            files=", ".join(files[:3]) + (", ..." if len(files) > 3 else ""),
            project=self.project.root.name,
        )

    def _assess(
        self, iv: InterviewState, doc: SpecDocument
    ) -> tuple[dict[str, scoring.DimensionResult], float, Gates]:
        tags = frozenset(iv.engine_state.get("tags", []))
        ev = scoring.Evidence(self._bodies(doc), tags)
        results = scoring.score_all(iv.type, ev)
        amb = scoring.ambiguity_of(iv.type, results)
        gates = Gates(
            non_goals=scoring.fact_met("non_goals", ev),
            decision_boundaries=scoring.fact_met("decision_boundaries", ev),
            pressure_pass="pressure" in tags,
            closure_audit="closure" in tags,
        )
        return results, amb, gates

    @staticmethod
    def _apply_scores(
        iv: InterviewState, results: Mapping[str, scoring.DimensionResult], amb: float, gates: Gates
    ) -> None:
        iv.dimensions = {
            d: DimensionScore(score=r.score, justification=r.justification, gap=r.gap)
            for d, r in results.items()
        }
        iv.ambiguity = amb
        iv.gates = gates

    def _commit(self, iv: InterviewState) -> None:
        def write(s: Any) -> None:
            s.interview = iv

        self.store.update(write)

    # ================================================================== answers
    @staticmethod
    def _check_answer(question: Question, answer: Answer) -> None:
        if question.is_free_text:
            if answer.kind != "text" or not str(answer.value).strip():
                raise SpecuiError("this question needs a free-text answer")
            return
        if answer.kind == "text":
            raise SpecuiError("this question needs one of its options (or Other)")
        values = {o.value for o in question.options}
        if answer.kind == "other" and not question.allow_other:
            raise SpecuiError(f"this question does not accept {question.other_label!r}")
        if answer.kind == "option" and answer.value not in values:
            raise SpecuiError(f"{answer.value!r} is not an option of this question")
        if answer.kind == "multi":
            if question.type != "multi-answerable":
                raise SpecuiError("choose exactly one answer")
            for v in answer.selected_values:
                if v not in values and v != answer.other_text:
                    raise SpecuiError(f"{v!r} is not an option of this question")
        if answer.kind in ("option", "other") and question.type == "multi-answerable":
            # A single pick on a multi question is still valid; normalise nothing.
            return

    def _answer_finalize(
        self, iv: InterviewState, cur: PendingQuestion, answer: Answer, notes: list[str]
    ) -> None:
        unit = cur.target_units[0]
        es = iv.engine_state
        if answer.kind == "option" and answer.value in ("finalize", "finalize-all"):
            if answer.value == "finalize-all":
                es["finalize_all"] = True
            try:
                spec_repo.finalize(self.project, self.store, unit)
            except SpecuiError as exc:
                notes.append(f"Could not finalize {UNIT_BY_KEY[unit].title}: {exc}")
                es.setdefault("declined", []).append(unit)
        else:
            es.setdefault("declined", []).append(unit)
            if answer.kind == "other":
                notes.append(f"Noted for {UNIT_BY_KEY[unit].title}: {answer.summary()}")

    def _answer_closure(self, iv: InterviewState, doc: SpecDocument, answer: Answer) -> None:
        es = iv.engine_state
        if answer.kind == "option" and answer.value == "refine":
            es["closure_declined_at"] = int(es.get("interview_rounds", 0)) + 1
            return
        self._tag(es, "closure")
        if answer.kind == "other":
            body = doc.section_body("open_questions")
            new = add_open_question(body, answer.summary())
            spec_repo.patch(self.project, self.store, {"open_questions": new}, doc)

    def _answer_patch(
        self,
        iv: InterviewState,
        cur: PendingQuestion,
        doc: SpecDocument,
        answer: Answer,
        notes: list[str],
    ) -> None:
        """Overview and bank answers: render sections, update §17, patch SPEC.md once."""
        es = iv.engine_state
        ctx = self._ctx(iv)
        fresh = self._bodies(doc)
        base: dict[str, str | None] = dict(es.get("base") or {})
        nl = doc.newline
        entry: BankEntry | None = None
        resolved_texts: list[tuple[str, str]] = []
        new_questions: list[str] = []
        if cur.kind == "overview":
            text = answer.summary()
            draft = drafting.draft_overview(text)
            iv.initial_idea = text
            es["claim"] = draft.problem or text[:200]
            fills = dict(draft.values)
            if self._stack_reviewed(es):
                summary = stack_summary(self.project.stack)
                if summary:
                    fills[("deployment", "Stack")] = f"from stack.toml (reviewed): {summary}"
            targets = list(fills)
            conflict = self._conflict_sections(targets, base, fresh)
            render_from = {k: (base.get(k) if k in conflict else v) for k, v in fresh.items()}
            sections: dict[str, str] = {}
            for (unit, label), value in fills.items():
                sec = UNIT_SECTION[unit]
                body = sections.get(sec, render_from.get(sec) or "")
                if drafting.item_answered(body, label):
                    continue  # the user already wrote this bullet: keep theirs
                sections[sec] = drafting.set_item(body, label, value, nl)
            units = sorted({u for u, _ in targets}, key=UNIT_KEYS.index)
            self._tag(es, "overview")
            after = {**fresh, **sections}
            for e in self._seed_entries(iv):
                if e.resolves and not e.answered(after):
                    new_questions.append(e.resolves)
        else:
            entry = bank.BY_KEY[es["entry"]]
            conflict = self._conflict_sections(list(entry.targets), base, fresh)
            render_from = {k: (base.get(k) if k in conflict else v) for k, v in fresh.items()}
            sections = entry.render(render_from, answer, ctx, nl)
            units = list(entry.units)
            es.setdefault("asked", []).append(entry.key)
            self._tag(es, f"entry:{entry.key}")
            if entry.kind == "pressure":
                self._tag(es, "pressure")
                es["pressure_findings"] = (
                    f'- Revisited round 1\'s claim: "{ctx.claim_short}"\n'
                    f"- Evidence given: {answer.summary()}"
                )
            elif entry.kind.startswith("challenge:"):
                mode = entry.kind.split(":", 1)[1]
                self._tag(es, entry.kind)
                if mode not in iv.challenge_modes_used:
                    iv.challenge_modes_used.append(mode)
            if entry.resolves:
                resolved_texts.append((entry.resolves, answer.summary()))
            new_questions.extend(entry.open_questions(answer, ctx))
            if entry.key == "open_questions.review" and answer.other_text:
                new_questions.append(answer.other_text)
        changes = self._changes(sections, units, doc.has_standalone_security)
        base_doc = doc
        for sec in conflict:
            base_doc = base_doc.with_section_body(sec, base.get(sec) or "")
        # §17 Open Questions: resolve what this answer (or a hand edit) settled; add new ones.
        after = {**fresh, **sections}
        oq = self._open_questions(
            fresh.get("open_questions"), after, resolved_texts, new_questions, iv
        )
        if oq is not None and "open_questions" not in conflict:
            changes["open_questions"] = oq
        if not changes:
            return
        outcome = spec_repo.patch(self.project, self.store, changes, base_doc)
        if outcome.conflicts:
            titles = ", ".join(UNIT_BY_KEY[u].title for u in outcome.conflicts)
            notes.append(
                f"Your edit of {titles} in SPEC.md was kept; this answer was saved aside as a "
                "conflict (nothing is lost)."
            )

    def _stack_reviewed(self, es: Mapping[str, Any]) -> bool:
        """stack.toml counts as reviewed if the user brought their own or edited ours."""
        try:
            text = self.project.stack.read_text("utf-8")
        except OSError:
            return False
        if not es.get("stack_created"):
            return True
        if es.get("stack_hash"):
            return _hash(text) != es["stack_hash"]
        return text != render_stack_template(self.project.root.name)

    @staticmethod
    def _conflict_sections(
        targets: list[tuple[str, str]],
        base: Mapping[str, str | None],
        fresh: Mapping[str, str | None],
    ) -> set[str]:
        """Sections whose target bullet the user changed since the question was asked."""
        out: set[str] = set()
        for unit, label in targets:
            sec = UNIT_SECTION[unit]
            if sec not in base:
                continue
            if drafting.item_value(base[sec], label) != drafting.item_value(fresh.get(sec), label):
                out.add(sec)
        return out

    @staticmethod
    def _changes(
        sections: Mapping[str, str], units: list[str], standalone_security: bool = False
    ) -> dict[str, str]:
        """Section bodies -> spec_repo.patch changes (unit keys; Security is an item)."""
        changes: dict[str, str] = {}
        for sec, body in sections.items():
            if sec != "nfr":
                changes[sec] = body
                continue
            if "security" in units:
                item = drafting.find_item(body, "Security & Privacy")
                if item is not None:
                    lines = body.splitlines()[item.start : item.end]
                    changes["security"] = "\n".join(lines)
            if "nfr" in units or "security" not in units:
                changes["nfr"] = body
                item = drafting.find_item(body, "Security & Privacy")
                if standalone_security and item is not None:
                    # the item lives in its own section: never copy it into NFR too
                    lines = body.splitlines()
                    changes["nfr"] = "\n".join(lines[: item.start] + lines[item.end :])
        return changes

    def _open_questions(
        self,
        body: str | None,
        after: Mapping[str, str | None],
        resolved: list[tuple[str, str]],
        new: list[str],
        iv: InterviewState,
    ) -> str | None:
        today = self._clock().date()
        current = body or ""
        out = current
        outstanding = parse_open_questions(out).outstanding

        def is_open(text: str) -> bool:
            return any(
                " ".join(q.split()).casefold() == " ".join(text.split()).casefold()
                for q in outstanding
            )

        for text, resolution in resolved:
            if is_open(text):
                short = " ".join(resolution.split())
                short = short if len(short) <= 160 else short[:157] + "..."
                try:
                    out = resolve_open_question(out, text, short, today)
                except SpecuiError:
                    continue
                outstanding = parse_open_questions(out).outstanding
        for e in bank.BANK:  # a bullet answered by hand settles its question too
            if e.resolves and is_open(e.resolves) and e.answered(after):
                try:
                    out = resolve_open_question(out, e.resolves, "answered in SPEC.md", today)
                except SpecuiError:
                    continue
                outstanding = parse_open_questions(out).outstanding
        for text in new:
            if text.strip() and not is_open(text):
                try:
                    out = add_open_question(out, text)
                except SpecuiError:
                    continue
                outstanding = parse_open_questions(out).outstanding
        return out if out != current else None

    def _seed_entries(self, iv: InterviewState) -> list[BankEntry]:
        entries: list[BankEntry] = []
        for stage, _dims, stage_entries in bank.STAGES:
            if stage == "brownfield-context" and iv.type != "brownfield":
                continue
            entries.extend(stage_entries)
        return entries

    @staticmethod
    def _tag(es: dict[str, Any], tag: str) -> None:
        tags = es.setdefault("tags", [])
        if tag not in tags:
            tags.append(tag)

    # ================================================================== planning
    @staticmethod
    def _numbering(iv: InterviewState) -> dict[str, Any]:
        """Round number and phase of the next question.

        Interview rounds count toward the profile's hard cap; the validation pass after
        crystallizing is numbered on its own so a finished interview never reads "Round 41/12".
        """
        es = iv.engine_state
        if es.get("phase", "interview") == "interview":
            return {"round": int(es.get("interview_rounds", 0)) + 1, "phase": "interview"}
        steps = sum(1 for r in iv.rounds if r.phase == "validation")
        return {"round": steps + 1, "phase": "validation"}

    def _advance(self, iv: InterviewState, doc: SpecDocument) -> None:
        """Set iv.current to the next question, crystallizing/finishing on the way as needed."""
        es = iv.engine_state
        for _ in range(4):
            phase = es.get("phase", "interview")
            if phase == "interview":
                decision = self._plan_interview(iv, doc)
                if isinstance(decision, PendingQuestion):
                    iv.current = decision
                    return
                self._crystallize(iv, doc, decision)
                continue
            if phase == "validation":
                pq = self._plan_validation(iv, doc)
                if pq is not None:
                    iv.current = pq
                    return
                self._finish(iv, doc)
            iv.current = None
            return

    def _available(
        self, e: BankEntry, iv: InterviewState, bodies: Mapping[str, str | None]
    ) -> bool:
        es = iv.engine_state
        if e.key in es.get("asked", []):
            return False
        if e.brownfield_only and iv.type != "brownfield":
            return False
        return not (e.skip_when_answered and e.answered(bodies))

    def _plan_interview(self, iv: InterviewState, doc: SpecDocument) -> PendingQuestion | str:
        es = iv.engine_state
        done = int(es.get("interview_rounds", 0))
        n = done + 1
        if done == 0:
            return self._ask_overview(iv, doc)
        bodies = self._bodies(doc)
        results, amb, gates = self._assess(iv, doc)
        below = amb <= iv.threshold
        core_gates = gates.non_goals and gates.decision_boundaries and gates.pressure_pass
        if below and core_gates and gates.closure_audit:
            return "threshold"
        if done >= iv.max_rounds:
            if below and core_gates:
                # No round is left to ask, so no further question can change execution.
                self._tag(es, "closure")
            return "hard_cap"

        def avail(e: BankEntry) -> bool:
            return self._available(e, iv, bodies)

        def ask(e: BankEntry, stage: str | None = None) -> PendingQuestion:
            if stage:
                iv.stage = stage
            return self._ask_entry(iv, doc, e, amb)

        ordinary = self._pick_ordinary(iv, results, bodies)
        if below and core_gates:
            declined = es.get("closure_declined_at")
            if declined is None or n - int(declined) >= 2 or ordinary is None:
                return self._ask_closure(iv, doc, results, amb)
        # Readiness gates first: Non-goals, then Decision Boundaries (seed 004: ask early).
        if not gates.non_goals and avail(bank.NON_GOALS):
            return ask(bank.NON_GOALS, "intent-first")
        if not gates.decision_boundaries and avail(bank.DECISION_BOUNDARIES):
            return ask(bank.DECISION_BOUNDARIES, "intent-first")
        if below and not gates.pressure_pass and avail(bank.PRESSURE):
            return ask(bank.PRESSURE)
        prev_kind = iv.rounds[-1].kind if iv.rounds else ""
        if not below and prev_kind == "ordinary":
            special = self._pick_special(iv, n, amb, bodies)
            if special is not None:
                return ask(special)
        if ordinary is not None:
            return ask(ordinary[0], ordinary[1])
        special = self._pick_special(iv, n, amb, bodies)
        if special is not None and (not below or special is bank.PRESSURE):
            return ask(special)
        # Nothing material left to ask: the closure audit passes by exhaustion.
        self._tag(es, "closure")
        return "exhausted"

    def _pick_special(
        self, iv: InterviewState, n: int, amb: float, bodies: Mapping[str, str | None]
    ) -> BankEntry | None:
        es = iv.engine_state
        tags = es.get("tags", [])
        used = iv.challenge_modes_used
        challenges = bool(es.get("challenge_modes", True))
        rules: list[tuple[str, bool]] = [
            ("contrarian", challenges and n >= 2),
            ("terminologist", challenges and iv.type == "brownfield" and n >= 2),
            ("pressure", n >= 4 and "pressure" not in tags),
            ("simplifier", challenges and n >= 4),
            ("ontologist", challenges and n >= 5 and amb > 0.25),
        ]
        for name, ok in rules:
            if not ok or (name != "pressure" and name in used):
                continue
            entry = bank.SPECIALS[name]
            if self._available(entry, iv, bodies):
                return entry
        return None

    def _pick_ordinary(
        self,
        iv: InterviewState,
        results: Mapping[str, scoring.DimensionResult],
        bodies: Mapping[str, str | None],
    ) -> tuple[BankEntry, str] | None:
        """Seed 004 stage priority; inside a stage the lowest-scoring dimension goes first."""
        leftovers: list[tuple[BankEntry, str]] = []
        for stage, dims, entries in bank.STAGES:
            if stage == "brownfield-context" and iv.type != "brownfield":
                continue
            cands = [
                e
                for e in entries
                if self._available(e, iv, bodies) and results[e.dimension].score < 1.0
            ]
            open_dims = [
                d
                for d in dims
                if results[d].score < STAGE_DONE and any(e.dimension == d for e in cands)
            ]
            if open_dims:
                dim = min(open_dims, key=lambda d: (results[d].score, dims.index(d)))
                return next(e for e in cands if e.dimension == dim), stage
            leftovers.extend((e, stage) for e in cands)
        if not leftovers:
            return None
        # Every stage is past STAGE_DONE: take the entry of the dimension with most to gain.
        return max(
            leftovers,
            key=lambda es_: scoring.max_gain(es_[0].dimension, iv.type, results),
        )

    # ---------------------------------------------------------------- question builders
    def _notes(self, iv: InterviewState, amb: float) -> list[str]:
        es = iv.engine_state
        n = int(es.get("interview_rounds", 0)) + 1
        notes = self._pending_notes(es)
        es.pop("pending_note", None)
        if n == EARLY_EXIT_ROUND:
            notes.append(
                f"From round {EARLY_EXIT_ROUND} on you may exit early; "
                + self._risk_text(iv, "an early exit", n)
            )
        if n == int(es.get("midpoint", 0)) and n > 1:
            warn = (
                f"Soft warning: round {n} of {iv.max_rounds} is the {iv.profile} profile's "
                f"midpoint; ambiguity {_pct(amb)} vs threshold {_pct(iv.threshold)}. "
                "The cap is a limit, not a target."
            )
            notes.append(warn)
            if warn not in iv.warnings:
                iv.warnings.append(warn)
        return notes

    @staticmethod
    def _pending_notes(es: Mapping[str, Any]) -> list[str]:
        note = es.get("pending_note")
        return [note] if note else []

    def _risk_text(self, iv: InterviewState, what: str, n: int) -> str:
        unmet = [
            name
            for name, ok in (
                ("Non-goals", iv.gates.non_goals),
                ("Decision Boundaries", iv.gates.decision_boundaries),
                ("pressure pass", iv.gates.pressure_pass),
                ("closure audit", iv.gates.closure_audit),
            )
            if not ok
        ]
        gates = f"unmet gates: {', '.join(unmet)}" if unmet else "all gates met"
        return (
            f"risk of {what} at round {n}: ambiguity {_pct(iv.ambiguity)} vs threshold "
            f"{_pct(iv.threshold)}; {gates}."
        )

    def _remember_base(self, iv: InterviewState, doc: SpecDocument, sections: list[str]) -> None:
        wanted = list(dict.fromkeys([*sections, "open_questions"]))
        iv.engine_state["base"] = {s: doc.section_body(s) for s in wanted}

    def _ask_overview(self, iv: InterviewState, doc: SpecDocument) -> PendingQuestion:
        es = iv.engine_state
        stack_rel = self.project.relative(self.project.stack)
        spec_rel = self.project.relative(self.project.spec)
        created = es.get("created") or []
        made = f"I created {' and '.join(created)} from the starter templates. " if created else ""
        notes = [
            (
                f"{made}Please review {stack_rel} ({self.project.stack}) and edit it in your "
                "editor if the stack differs; then answer below."
            ),
        ]
        files = es.get("files") or []
        if iv.type == "brownfield":
            notes.append(
                "This folder already holds code (" + ", ".join(files[:5]) + "): the interview "
                "adds a context dimension for it."
            )
        question = Question(
            question=(
                f"Give a general overview of what you are building: the problem, who it is for, "
                f"and what v1 must do. (Or paste an existing spec into {spec_rel} and summarise "
                "it here.)"
            ),
            source="specui-builtin",
        )
        self._remember_base(iv, doc, ["vision", "scope", "personas", "deployment"])
        es["entry"] = None
        return PendingQuestion(
            question=question,
            **self._numbering(iv),
            dimension="intent",
            kind="overview",
            target_units=["vision", "scope", "personas"],
            note="\n".join(notes),
        )

    def _ask_entry(
        self, iv: InterviewState, doc: SpecDocument, e: BankEntry, amb: float
    ) -> PendingQuestion:
        es = iv.engine_state
        es["entry"] = e.key
        self._remember_base(iv, doc, list(e.sections))
        notes = (
            self._notes(iv, amb)
            if es.get("phase", "interview") == "interview"
            else (self._pending_notes(es))
        )
        es.pop("pending_note", None)
        if e.kind == "pressure":
            notes.append("Pressure pass: revisiting an earlier answer before going further.")
        elif e.kind.startswith("challenge:"):
            notes.append(f"Challenge mode: {e.kind.split(':', 1)[1]} (used once).")
        return PendingQuestion(
            question=e.question(self._ctx(iv)),
            **self._numbering(iv),
            dimension=e.dimension,
            kind=e.kind,
            target_units=list(e.units),
            note="\n".join(notes),
        )

    def _ask_closure(
        self,
        iv: InterviewState,
        doc: SpecDocument,
        results: Mapping[str, scoring.DimensionResult],
        amb: float,
    ) -> PendingQuestion:
        es = iv.engine_state
        es["entry"] = None
        weakest = min(results, key=lambda d: results[d].score)
        question = Question(
            question=(
                f"Ambiguity is {_pct(amb)} (threshold {_pct(iv.threshold)}) and the readiness "
                "gates are met. Would another question change what gets built?"
            ),
            options=[
                QuestionOption(
                    label="No: crystallize the spec",
                    value="crystallize",
                    description="Write the deep-interview artifacts, then review sections",
                    recommended=True,
                ),
                QuestionOption(
                    label="Yes: keep refining",
                    value="refine",
                    description="Ask more questions on the weakest dimension first",
                ),
            ],
            allow_other=True,
            other_label="Something specific is still open",
            source="specui-builtin",
        )
        return PendingQuestion(
            question=question,
            **self._numbering(iv),
            dimension=weakest,
            kind="closure",
            note="\n".join(self._notes(iv, amb)),
        )

    # ================================================================== crystallize & validation
    def _crystallize(self, iv: InterviewState, doc: SpecDocument, reason: str) -> None:
        es = iv.engine_state
        if reason == "exhausted":
            self._tag(es, "closure")
        results, amb, gates = self._assess(iv, doc)
        self._apply_scores(iv, results, amb, gates)
        done = int(es.get("interview_rounds", 0))
        passed = amb <= iv.threshold and all(
            (gates.non_goals, gates.decision_boundaries, gates.pressure_pass, gates.closure_audit)
        )
        residual: str | None = None
        if reason == "early_exit":
            residual = "Interview exited early by the user; " + self._risk_text(
                iv, "proceeding", done + 1
            )
        elif reason == "hard_cap" and not passed:
            residual = (
                f"Hard cap of {iv.max_rounds} rounds reached before the spec was clear enough; "
                + self._risk_text(iv, "proceeding", done)
            )
        elif reason == "exhausted" and not passed:
            residual = "No material question was left to ask; " + self._risk_text(
                iv, "proceeding", done
            )
        iv.status = "exited" if reason == "early_exit" else "crystallized"
        es["crystallized_reason"] = reason
        es["residual_risk"] = residual
        if residual and residual not in iv.warnings:
            iv.warnings.append(residual)
        paths = artifacts.write_interview_artifacts(
            self.project,
            iv,
            self._bodies(doc),
            residual_risk=residual,
            context_path=iv.artifacts.get("context"),
            pressure_findings=es.get("pressure_findings", ""),
            now=self._clock(),
        )
        iv.artifacts.update(paths)
        es["phase"] = "validation"
        iv.stage = "validation"

    def _plan_validation(self, iv: InterviewState, doc: SpecDocument) -> PendingQuestion | None:
        es = iv.engine_state
        statuses = spec_repo.statuses(self.project, self.store, doc)
        bodies = self._bodies(doc)
        declined = set(es.get("declined", []))
        final_units = {u for u, s in statuses.items() if s == "final"}
        for unit in UNIT_KEYS:
            status = statuses[unit]
            if status == "final" or unit in declined:
                continue
            if unit == "open_questions" and self._available(bank.OPEN_QUESTIONS_REVIEW, iv, bodies):
                return self._ask_entry(iv, doc, bank.OPEN_QUESTIONS_REVIEW, iv.ambiguity)
            if status in ("unknown", "drafted"):
                for e in bank.BANK:
                    if (
                        e.targets
                        and e.targets[0][0] == unit
                        and not e.kind.startswith(SPECIAL_KINDS)
                        and e.kind not in ("closure", "finalize")
                        and self._available(e, iv, bodies)
                        and not (set(e.units) & final_units)
                    ):
                        return self._ask_entry(iv, doc, e, iv.ambiguity)
                continue
            if es.get("finalize_all"):
                try:
                    spec_repo.finalize(self.project, self.store, unit)
                    final_units.add(unit)
                    continue
                except SpecuiError:
                    pass
            return self._ask_finalize(iv, doc, unit)
        return None

    def _ask_finalize(self, iv: InterviewState, doc: SpecDocument, unit: str) -> PendingQuestion:
        es = iv.engine_state
        es["entry"] = None
        udef = UNIT_BY_KEY[unit]
        number = SECTION_BY_KEY[udef.section_key].number
        notes = self._pending_notes(es)
        es.pop("pending_note", None)
        if unit == "open_questions":
            left = parse_open_questions(doc.section_body("open_questions")).outstanding
            if left:
                notes.append(f"{len(left)} open question(s) are still outstanding in §17.")
        standalone = unit == "security" and doc.has_standalone_security
        where = "section" if standalone else f"§{number}" if unit != "security" else f"§{number} (item)"
        question = Question(
            question=(
                f"Finalize {where} {udef.title}? It has no placeholders left; finalizing signs off "
                "its current text (editing it later makes it non-final again)."
            ),
            options=[
                QuestionOption(
                    label="Finalize",
                    value="finalize",
                    description="Mark this section final (counts toward progress)",
                    recommended=True,
                ),
                QuestionOption(
                    label="Finalize all clarified",
                    value="finalize-all",
                    description="Finalize this and every later section once it is clarified",
                ),
                QuestionOption(
                    label="Keep editing",
                    value="keep",
                    description="Leave it clarified; finalize later with one key",
                ),
            ],
            allow_other=False,
            source="specui-builtin",
        )
        return PendingQuestion(
            question=question,
            **self._numbering(iv),
            dimension=unit,
            kind="finalize",
            target_units=[unit],
            note="\n".join(notes),
        )

    def _finish(self, iv: InterviewState, doc: SpecDocument) -> None:
        es = iv.engine_state
        statuses = spec_repo.statuses(self.project, self.store, doc)
        finals = sum(1 for s in statuses.values() if s == "final")
        pct = spec_repo.progress(self.project, self.store, doc)
        recap = "\n".join(
            f"- {'[x]' if s == 'final' else '[ ]'} {UNIT_BY_KEY[u].title}: {s}"
            for u, s in statuses.items()
        )
        where = f"{self.project.relative(self.project.spec)} at the repo root ({self.project.spec})"
        if finals == len(UNIT_KEYS):
            head = (
                f"✅ SPEC complete. The canonical spec lives at {where}.\n"
                "Included: Vision, Scope, Personas, Domain Model, Interfaces (API/UI/CLI/Events), "
                "Workflows, State, Data/Schema, NFRs, Security/Privacy, Integrations, Deployment, "
                "Observability, Risks/Trade-offs, Acceptance & Test Plan, Milestones, Terminology, "
                "and a closed Open Questions log."
            )
        else:
            head = (
                f"Interview finished: {finals} of {len(UNIT_KEYS)} sections are final. The spec "
                f"lives at {where}; finalize the remaining sections in the SPEC.md view."
            )
        risk = es.get("residual_risk")
        extra = f"\nResidual risk: {risk}" if risk else ""
        artifacts_line = ""
        if iv.artifacts.get("spec"):
            artifacts_line = f"\nDeep-interview spec: {iv.artifacts['spec']}"
        es["finish_message"] = f"{head}{extra}{artifacts_line}\n\n{recap}\n\n{progress_line(pct)}"
        es["phase"] = "done"
        iv.stage = "done"
        iv.current = None
