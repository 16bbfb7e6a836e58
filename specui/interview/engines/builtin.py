"""The offline interview engine: deterministic, no model, no network, the same contract as Codex.

It answers an `EngineRequest` with an `EngineReply` built from the request alone (plus a
bounded read of the project's files for brownfield grounding), so the driver can treat it like
any other engine. One turn does two things:

1. Act on the newest transcript entry (the answer to the question this engine asked last):
   whole-unit SPEC.md patches holding what the user said or chose (a deferral writes the
   default, marked as one, and is reported as a `Deferral`, never scored as clarity), stack.toml
   changes, Open Questions added and resolved, gate evidence, and contradictions between this
   answer and an earlier one.
2. Ask the next question the directive calls for (overview, summary, a gate, a challenge mode,
   a pressure follow-up, the contradiction, the closure audit, a validation step), picked from
   the data bank (`specui/interview/bank.toml`) with the options that contradict what is known
   (stack.toml, the repository, earlier answers) left out.

Scores are recomputed every turn from SPEC.md and the transcript: each dimension is a
checklist of visible facts (`FACTS`), so the justification and gap always say why.
Which bank question a transcript entry answered is recognised from its text (each prompt is
unique), so the engine keeps no state between turns.
"""

from __future__ import annotations

import os
import re
import threading
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from specui.core.ambiguity import DIMENSION_TITLES, weights_for
from specui.core.interview.contract import (
    ContextFinding,
    Contradiction,
    Deferral,
    DimensionScore,
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
from specui.core.open_questions import parse_open_questions
from specui.core.spec import (
    SECTION_BY_KEY,
    UNIT_BY_KEY,
    UNIT_SECTION,
    SpecDocument,
    find_item,
    first_placeholder,
    item_value,
    norm_label,
    placeholder_status,
    render_stack_template,
    set_item,
    value_is_answered,
)
from specui.interview.bank import Bank, BankEntry, BankOption, load_bank
from specui.interview.engines.base import Activity, Engine, EngineCancelled

DEFAULT_MARK = "Default (you deferred)"
DEFER_VALUE = "decide-for-me"
_DEFERRAL_RE = re.compile(
    r"^\s*(?:i\s+)?(?:decide\s+for\s+me|no\s+preference|(?:i\s+)?(?:don'?t|do\s+not)\s+know|"
    r"dunno|not\s+sure|up\s+to\s+you|you\s+decide|you\s+choose|whatever\s+you\s+(?:think|prefer)|"
    r"no\s+idea|pass|skip)\b[\s.!–—-]*(?:decide\s+for\s+me)?[\s.!]*$",
    re.IGNORECASE,
)

OVERVIEW_PROMPT = (
    "Give a general overview of what you are building: the problem, who it is for, and what v1 "
    "must do. (Or paste an existing spec into SPEC.md and summarise it here.)"
)
SUMMARY_PREFIX = "Your initial context is too long to use safely in a prompt"
CLOSURE_PREFIX = "Closure audit:"
CONTRADICTION_PREFIX = "Two answers disagree about"
FILL_PREFIX = "Validation: §"
FINALIZE_PREFIX = "Finalize"
OPEN_REVIEW_PROMPT = "Which of these open questions are settled now? (choose all that apply)"

_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")


# =========================================================================== small text helpers


def sentences(text: str) -> list[str]:
    out = []
    for part in _SENTENCE_SPLIT.split(text.strip()):
        s = part.strip().lstrip("-*• ").strip()
        if s:
            out.append(s)
    return out


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split()).rstrip(".!?;: ")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def is_deferral(text: str) -> bool:
    """ "decide for me", "no preference", "I don't know" (and close variants), nothing else."""
    return bool(_DEFERRAL_RE.match(text or ""))


def _prompt_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{[a-z_]+\}", template)
    return re.compile("(?:^|: )" + "(.+?)".join(re.escape(p) for p in parts) + r"\s*$", re.DOTALL)


# =========================================================================== overview drafting

_PEOPLE = re.compile(
    r"\b(users?|customers?|teams?|developers?|engineers?|admins?|administrators?|people|"
    r"students?|teachers?|managers?|owners?|operators?|clients?|members?|staff|maintainers?|"
    r"designers?|analysts?|researchers?|writers?|freelancers?|families|parents|patients?|"
    r"doctors?|nurses?|shoppers?|buyers?|sellers?|players?|readers?|agents?|employees?|"
    r"services?|callers?)\b",
    re.IGNORECASE,
)
_FOR_WHOM = re.compile(
    r"\bfor\s+((?:[\w'-]+\s+){0,5}?[\w'-]+)(?=\s+(?:who|to|that|so|in|with)\b|[,.;:!?]|$)",
    re.IGNORECASE,
)
_CAPABILITY = re.compile(
    r"\b(should|must|will|can|lets?|allows?|needs? to|supports?|provides?|includes?|tracks?|"
    r"shows?|sends?|stores?|generates?|syncs?|exports?|imports?|manages?|builds?|creates?|"
    r"caches?|serves?|parses?|adds?)\b",
    re.IGNORECASE,
)
_SUCCESS = re.compile(
    r"\b(success|succeed|measured? by|metrics?|kpis?|target of|adoption|within \d+\s*"
    r"(?:days?|weeks?|months?|years?))\b|\d+\s*%",
    re.IGNORECASE,
)
_WHY = re.compile(
    r"\b(because|so that|problem|pain|today|currently|struggle|waste|hard to|too slow|"
    r"manual|tedious|frustrat|lose|losing|need|want|instead of|survives?|down)\b",
    re.IGNORECASE,
)


def _looks_like_people(phrase: str) -> bool:
    """ "home cooks", "small teams": a plural noun phrase, not "tracking expenses" (a gerund)."""
    words = phrase.lower().split()
    if not words or words[0][:1].isdigit() or words[0] in _NUM_WORDS or _DURATION_RE.search(phrase):
        return False  # "for 60 minutes", "for an hour": a duration, not people
    if _PEOPLE.search(phrase):
        return True
    if words[0].endswith("ing") or words[0] in {"the", "this", "that"}:
        return False
    last = words[-1]
    return len(last) > 3 and last.endswith("s") and not last.endswith(("ss", "us", "is"))


def draft_overview(text: str) -> dict[tuple[str, str], str]:
    """Seed 000 §4.2's drafting pass: (unit, label) -> the user's own sentences.

    Deterministic sentence heuristics; what it cannot place stays unanswered for a later
    question. Every value is text the user wrote (sentences or a "for <people>" phrase).
    """
    sents = sentences(text)
    values: dict[tuple[str, str], str] = {}
    if not sents:
        return values
    why = [s for s in sents if _WHY.search(s)]
    problem_sents = [sents[0]] + [s for s in why if s != sents[0]][:1]
    values[("vision", "Problem & Outcome")] = " ".join(problem_sents)
    users = None
    for m in _FOR_WHOM.finditer(text):
        if _looks_like_people(m.group(1).strip()):
            users = m.group(1).strip()
            break
    if users:
        values[("vision", "Target Users")] = users
    success = [s for s in sents[1:] if _SUCCESS.search(s) and s not in problem_sents]
    if success:
        values[("vision", "Success Metrics")] = "; ".join(m.rstrip(".") for m in success[:3])
    taken = set(problem_sents) | set(success)
    caps = [s for s in sents if _CAPABILITY.search(s) and s not in taken]
    if not caps and len(sents) > 1:
        caps = [s for s in sents[1:] if s not in taken]
    if caps:
        values[("scope", "In-scope")] = "; ".join(c.rstrip(".") for c in caps[:6])
    use = [s for s in sents if re.search(r"\buse cases?\b|\bso that\b", s, re.IGNORECASE)]
    if use:
        values[("personas", "Top Use Cases")] = "; ".join(u.rstrip(".") for u in use[:3])
    return values


# =========================================================================== traits

_PRODUCT = {
    "library": r"\b(librar(?:y|ies)|sdk|package|crate|gem|module)\b",
    "cli": r"\b(cli|terminal|command[- ]line|tui|shell)\b",
    "web": r"\b(web ?apps?|websites?|web site|browser|dashboard|saas|web ui|frontend)\b",
    "service": r"\b(services?|server|daemon|cache|proxy|gateway|backend|microservices?|"
    r"endpoints?|jwks)\b",
    "mobile": r"\b(mobile|ios|android|iphone)\b",
}
_MENTIONS = {
    "payments": r"\b(payments?|billing|invoices?|checkout|subscriptions?)\b",
    "i18n": r"\b(i18n|internationali[sz]|locales?|translations?|multilingual)\b",
    "offline": r"\b(offline)\b",
    "tenants": r"\b(tenants?|multi-tenant|organisations|organizations)\b",
    "mobile": r"\b(mobile|ios|android)\b",
}
_LANGS = {
    "python": r"\bpython\b",
    "typescript": r"\btypescript\b",
    "javascript": r"\b(javascript|node\.?js)\b",
    "go": r"\b(golang|go)\b(?=\s+(?:service|library|module|binary|cli|code))",
    "rust": r"\brust\b",
    "java": r"\bjava\b",
    "ruby": r"\bruby\b",
}
_AUTH_SAID = {"mtls": r"\b(mtls|mutual tls|client certificates?)\b", "oauth2": r"\boauth ?2?\b"}
_MANIFEST_LANG = {
    "pyproject.toml": "python",
    "setup.py": "python",
    "setup.cfg": "python",
    "requirements.txt": "python",
    "package.json": "javascript",
    "tsconfig.json": "typescript",
    "Cargo.toml": "rust",
    "go.mod": "go",
    "pom.xml": "java",
    "build.gradle": "java",
    "build.gradle.kts": "java",
    "Gemfile": "ruby",
}
_FAMILY = {"typescript": "js", "javascript": "js"}


def _same_lang(a: str, b: str) -> bool:
    return _FAMILY.get(a, a) == _FAMILY.get(b, b)


def _stack_data(text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text) if text.strip() else {}
    except tomllib.TOMLDecodeError:
        return {}


def _without_name(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "name"}


def stack_summary(data: Mapping[str, Any]) -> str:
    """stack.toml as one line: `language=typescript, framework=nextjs, ...` (name left out)."""
    parts: list[str] = []
    for table, values in _without_name(data).items():
        if isinstance(values, Mapping):
            parts.extend(f"{k}={v}" for k, v in values.items() if not isinstance(v, Mapping))
        else:
            parts.append(f"{table}={values}")
    return ", ".join(parts)


# =========================================================================== brownfield scan

_SKIP_DIRS = {
    "node_modules",
    "venv",
    ".venv",
    "env",
    "__pycache__",
    "dist",
    "build",
    "target",
    "vendor",
    "site-packages",
    ".git",
    ".omx",
    ".specui",
}
_CODE_EXT = {
    ".py",
    ".pyi",
    ".js",
    ".jsx",
    ".ts",
    ".tsx",
    ".mjs",
    ".cjs",
    ".go",
    ".rs",
    ".java",
    ".kt",
    ".rb",
    ".php",
    ".cs",
    ".c",
    ".h",
    ".cpp",
    ".hpp",
    ".cc",
    ".swift",
    ".scala",
    ".ex",
    ".exs",
    ".erl",
    ".clj",
    ".hs",
    ".lua",
    ".dart",
    ".vue",
    ".svelte",
    ".sh",
    ".sql",
}
_DOC_NAMES = {"README.md", "README", "README.rst", "AGENTS.md", "CONTEXT.md", "CONTEXT-MAP.md"}
_DEF_RE = re.compile(
    r"^\s*(?:async\s+)?(?:def|class|function|func|fn|struct|interface|type|export\s+"
    r"(?:default\s+)?(?:function|class|const))\s+([A-Za-z_][A-Za-z0-9_]*)",
    re.MULTILINE,
)
_STOP = frozenset(
    [
        "about",
        "after",
        "also",
        "because",
        "before",
        "being",
        "build",
        "built",
        "could",
        "does",
        "each",
        "existing",
        "from",
        "have",
        "into",
        "just",
        "like",
        "make",
        "more",
        "must",
        "need",
        "only",
        "other",
        "over",
        "same",
        "should",
        "some",
        "such",
        "than",
        "that",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "thing",
        "under",
        "user",
        "users",
        "very",
        "want",
        "what",
        "when",
        "where",
        "which",
        "while",
        "will",
        "with",
        "within",
        "without",
        "would",
        "your",
        "code",
        "file",
        "files",
        "data",
        "project",
        "tool",
        "work",
        "works",
        "keep",
        "able",
        "support",
        "supports",
        "provide",
        "provides",
        "using",
        "used",
        "uses",
        "today",
        "hour",
        "hours",
        "minute",
        "minutes",
        "second",
        "seconds",
        "library",
        "package",
        "python",
        "typescript",
        "javascript",
        "module",
        "modules",
        "add",
        "adds",
        "added",
        "simple",
        "small",
        "large",
        "first",
        "last",
        "every",
        "many",
        "much",
        "even",
        "still",
        "well",
        "good",
    ]
)
MAX_SCAN_FILES = 3000
MAX_READ_BYTES = 64 * 1024
MAX_TOTAL_BYTES = 6 * 1024 * 1024


def _stem(word: str) -> str:
    for suffix in ("ations", "ation", "ings", "ing", "ers", "er", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def keywords(texts: Iterable[str]) -> list[str]:
    """Distinct stems of the meaningful words in `texts`, in first-seen order."""
    out: dict[str, None] = {}
    for text in texts:
        for word in re.findall(r"[A-Za-z][A-Za-z0-9_]{3,}", text):
            low = word.lower()
            if low in _STOP:
                continue
            stem = _stem(low)
            if len(stem) >= 4 and stem not in _STOP:
                out.setdefault(stem, None)
    return list(out)


@dataclass
class RepoFile:
    path: str
    score: float = 0.0
    defs: list[str] = field(default_factory=list)
    hits: dict[str, int] = field(default_factory=dict)


@dataclass
class RepoScan:
    """What the engine saw of the repository: manifests, docs and the files that match."""

    manifests: list[str]
    docs: list[str]
    touchpoints: list[RepoFile]
    identifiers: set[str]

    @property
    def languages(self) -> list[str]:
        langs = []
        for m in self.manifests:
            lang = _MANIFEST_LANG.get(Path(m).name)
            if lang == "javascript" and any(
                Path(x).name == "tsconfig.json" for x in self.manifests
            ):
                lang = "typescript"
            if lang and lang not in langs:
                langs.append(lang)
        return langs


def scan_repository(
    root: Path, words: list[str], cancel: threading.Event | None = None
) -> RepoScan:
    """Bounded walk of `root`: manifests, docs, and the source files that match `words`.

    A file's score counts the keywords in its path (3 each), in the names it defines (2 each)
    and in its text (1 each, distinct): the touchpoints are the files related to the answers,
    not the first files of the tree. Reads at most MAX_READ_BYTES per file and
    MAX_TOTAL_BYTES in all; hidden and vendored folders are skipped.
    """
    manifests: list[str] = []
    docs: list[str] = []
    files: list[RepoFile] = []
    identifiers: set[str] = set()
    budget = MAX_TOTAL_BYTES
    seen = 0
    stack: list[tuple[Path, int]] = [(root, 0)]
    while stack and seen < MAX_SCAN_FILES:
        if cancel is not None and cancel.is_set():
            raise EngineCancelled("cancelled")
        folder, depth = stack.pop(0)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            seen += 1
            name = entry.name
            if name.startswith(".") or name in _SKIP_DIRS:
                continue
            rel = Path(entry.path).relative_to(root).as_posix()
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                is_file = entry.is_file(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if depth < 6:
                    stack.append((Path(entry.path), depth + 1))
                if depth == 0 and name == "docs":
                    docs.append(rel + "/")
                continue
            if not is_file:
                continue
            if name in _MANIFEST_LANG:
                manifests.append(rel)
            if name in _DOC_NAMES and depth <= 1:
                docs.append(rel)
            if depth == 0 and name in ("SPEC.md", "stack.toml", "specui.toml", "omx.toml"):
                continue
            if Path(name).suffix.lower() not in _CODE_EXT:
                continue
            rf = RepoFile(rel)
            path_low = rel.lower()
            for w in words:
                if w in path_low:
                    rf.score += 3
                    rf.hits[w] = rf.hits.get(w, 0)
            if budget > 0:
                try:
                    with open(entry.path, "rb") as fh:
                        data = fh.read(min(MAX_READ_BYTES, budget))
                except OSError:
                    data = b""
                budget -= len(data)
                text = data.decode("utf-8", "replace")
                low = text.lower()
                names = _DEF_RE.findall(text)
                identifiers.update(n.lower() for n in names)
                for w in words:
                    n = low.count(w)
                    if n:
                        rf.hits[w] = rf.hits.get(w, 0) + n
                        rf.score += 1
                        matching = [d for d in names if w in d.lower()]
                        if matching:
                            rf.score += 2
                            rf.defs.extend(d for d in matching if d not in rf.defs)
            if rf.score > 0:
                files.append(rf)
    files.sort(key=lambda f: (-f.score, f.path))
    return RepoScan(manifests, docs, files[:8], identifiers)


def _finding_text(f: RepoFile) -> str:
    parts = []
    if f.defs:
        parts.append("defines " + ", ".join(f.defs[:4]))
    hits = sorted(f.hits.items(), key=lambda kv: -kv[1])[:3]
    if hits:
        parts.append(
            "mentions " + ", ".join(f"'{w}' {n}×" if n else f"'{w}' in its path" for w, n in hits)
        )
    return "; ".join(parts) or "matches the answers"


# =========================================================================== stack answers

_TECH: dict[str, tuple[str, str, str]] = {
    # pattern -> (table, key, value)
    r"\bpython\b": ("app", "language", "python"),
    r"\btypescript\b": ("app", "language", "typescript"),
    r"\bjavascript\b|\bnode\.?js\b": ("app", "language", "javascript"),
    r"\bgolang\b|\bgo\b(?= )": ("app", "language", "go"),
    r"\brust\b": ("app", "language", "rust"),
    r"\bjava\b": ("app", "language", "java"),
    r"\bruby\b": ("app", "language", "ruby"),
    r"\bfastapi\b": ("app", "framework", "fastapi"),
    r"\bdjango\b": ("app", "framework", "django"),
    r"\bflask\b": ("app", "framework", "flask"),
    r"\bnext\.?js\b": ("app", "framework", "nextjs"),
    r"\bexpress\b": ("app", "framework", "express"),
    r"\brails\b": ("app", "framework", "rails"),
    r"\bspring\b": ("app", "framework", "spring"),
    r"\baxum\b": ("app", "framework", "axum"),
    r"\btextual\b": ("app", "framework", "textual"),
    r"\bpoetry\b": ("app", "package", "poetry"),
    r"\buv\b": ("app", "package", "uv"),
    r"\bpip\b": ("app", "package", "pip"),
    r"\bpnpm\b": ("app", "package", "pnpm"),
    r"\bnpm\b": ("app", "package", "npm"),
    r"\bcargo\b": ("app", "package", "cargo"),
    r"\bpostgres(?:ql)?\b": ("datastore", "primary", "postgres"),
    r"\bmysql\b": ("datastore", "primary", "mysql"),
    r"\bsqlite\b": ("datastore", "primary", "sqlite"),
    r"\bredis\b": ("datastore", "primary", "redis"),
    r"\bmongo(?:db)?\b": ("datastore", "primary", "mongodb"),
    r"\bno (?:database|datastore)\b": ("datastore", "primary", "none"),
    r"\bkubernetes\b|\bk8s\b": ("infra", "hosting", "kubernetes"),
    r"\bfly\.io\b": ("infra", "hosting", "fly.io"),
    r"\bheroku\b": ("infra", "hosting", "heroku"),
    r"\bvercel\b": ("infra", "hosting", "vercel"),
    r"\baws\b": ("infra", "hosting", "aws"),
    r"\bgcp\b|\bcloud run\b": ("infra", "hosting", "gcp"),
    r"\bself[- ]hosted\b|\bon[- ]prem": ("infra", "hosting", "self-hosted"),
    r"\bmtls\b|\bmutual tls\b": ("security", "auth", "mtls"),
    r"\boauth ?2?\b": ("security", "auth", "oauth2"),
}


def stack_changes_from_text(text: str) -> list[StackChange]:
    """The stack.toml settings a free-text stack answer names (first mention per key wins)."""
    found: dict[tuple[str, str], tuple[int, str]] = {}
    for pattern, (table, key, value) in _TECH.items():
        m = re.search(pattern, text, re.IGNORECASE)
        if m and ((table, key) not in found or m.start() < found[(table, key)][0]):
            found[(table, key)] = (m.start(), value)
    return [StackChange(table=t, key=k, value=v) for (t, k), (_, v) in found.items()]


# =========================================================================== claims

_NUM_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "ten": 10,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "sixty": 60,
}
_DURATION_RE = re.compile(
    r"\b(\d+(?:\.\d+)?|an?|one|two|three|four|five|six|ten|fifteen|twenty|thirty|sixty)\s*"
    r"(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d)\b",
    re.IGNORECASE,
)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_TOPICS = {
    "how long cached data stays valid": r"\b(ttl|expir\w*|cache\w*|stale|fresh\w*|valid)\b",
    "how long an outage must be survived": r"\b(outage|down|unavailable|survive\w*|offline)\b",
    "how long data is kept": r"\b(retention|retain\w*|kept|history)\b",
    "timeouts": r"\b(timeouts?|time out)\b",
}
_STORAGE = {
    "memory": r"\b(in[- ]memory|memory[- ]only|only in memory|in ram|ram only)\b",
    "disk": r"\b(on disk|to disk|disk|persist\w*|sqlite|file system|filesystem|survives? a restart)\b",
}
_AVAIL_RE = re.compile(r"\b(\d{2}(?:\.\d+)?)\s*%")
_AVAIL_TOPIC = re.compile(r"\b(availability|uptime|sla|available)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Claim:
    topic: str
    value: str  # normalized, comparable
    statement: str  # the user's sentence
    round: int


def _duration_seconds(num: str, unit: str) -> float:
    n = _NUM_WORDS[num.lower()] if num.isalpha() else float(num)
    return n * _UNIT_SECONDS[unit[0].lower()]


def claims_of(text: str, round_: int) -> list[Claim]:
    """Facts a sentence states that a later answer can contradict (storage, durations, SLOs)."""
    out: list[Claim] = []
    for sent in sentences(text):
        for kind, pattern in _STORAGE.items():
            if re.search(pattern, sent, re.IGNORECASE):
                out.append(Claim("where the data lives", kind, sent, round_))
                break
        for m in _DURATION_RE.finditer(sent):
            for topic, pattern in _TOPICS.items():
                if re.search(pattern, sent, re.IGNORECASE):
                    secs = _duration_seconds(m.group(1), m.group(2))
                    out.append(Claim(topic, f"{secs:g}s", sent, round_))
                    break
            break
        if _AVAIL_TOPIC.search(sent):
            m = _AVAIL_RE.search(sent)
            if m:
                out.append(Claim("the availability target", m.group(1), sent, round_))
    return out


# =========================================================================== scoring facts


@dataclass(frozen=True)
class Fact:
    dimension: str
    key: str
    label: str
    points: float
    items: tuple[tuple[str, str], ...] = ()  # (unit, bullet label)
    roles: tuple[str, ...] = ()  # answered entries of these roles/challenges count


FACTS: tuple[Fact, ...] = (
    Fact("intent", "problem", "problem statement", 0.55, (("vision", "Problem & Outcome"),)),
    Fact("intent", "driver", "primary driver", 0.15, (("vision", "Primary Driver"),)),
    Fact("intent", "pressure", "a claim pressure-tested", 0.15, (), ("pressure",)),
    Fact(
        "intent",
        "challenged",
        "core assumption challenged",
        0.15,
        (("vision", "Essence"),),
        ("contrarian", "ontologist"),
    ),
    Fact("outcome", "metrics", "success metrics", 0.45, (("vision", "Success Metrics"),)),
    Fact("outcome", "users", "target users", 0.25, (("vision", "Target Users"),)),
    Fact("outcome", "use_cases", "top use cases", 0.30, (("personas", "Top Use Cases"),)),
    Fact("scope", "in_scope", "in-scope list", 0.35, (("scope", "In-scope"),)),
    Fact("scope", "non_goals", "non-goals explicit", 0.30, (("scope", "Out-of-scope"),)),
    Fact(
        "scope",
        "decision_boundaries",
        "decision boundaries explicit",
        0.20,
        (("scope", "Decision Boundaries"),),
    ),
    Fact("scope", "mvp", "MVP boundary", 0.15, (), ("simplifier",)),
    Fact("constraints", "stack", "stack confirmed", 0.30, (("deployment", "Stack"),)),
    Fact("constraints", "performance", "performance target", 0.25, (("nfr", "Performance"),)),
    Fact(
        "constraints",
        "security",
        "auth & privacy model",
        0.25,
        (("security", "Security & Privacy"),),
    ),
    Fact("constraints", "reliability", "reliability target", 0.20, (("nfr", "Reliability"),)),
    Fact("success", "acceptance", "acceptance checks", 0.60, (("acceptance", "User acceptance"),)),
    Fact("success", "test_plan", "test plan", 0.40, (("acceptance", "QA plan"),)),
    Fact("context", "scanned", "repository read", 0.25, (), ("scanned",)),
    Fact("context", "relation", "relation to existing code", 0.35, (("scope", "Existing Code"),)),
    Fact("context", "touchpoints", "touchpoints confirmed", 0.25, (("scope", "Touchpoints"),)),
    Fact(
        "context",
        "terminology",
        "canonical terms",
        0.15,
        (("terminology", "Glossary"),),
        ("terminologist",),
    ),
)


# =========================================================================== the transcript


@dataclass
class Answered:
    """One transcript entry, read: which question it answered and what the user picked."""

    entry: TranscriptEntry
    kind: str  # a bank key, or overview / summary / closure / contradiction / fill / finalize / open_review
    bank: BankEntry | None
    values: list[str]
    labels: list[str]
    other: str | None
    deferral: bool

    @property
    def round(self) -> int:
        return self.entry.round

    @property
    def text(self) -> str:
        return self.entry.answer

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
    if isinstance(value, str) and value:
        return [value]
    return []


# =========================================================================== the engine


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
        self.bank = bank
        self.cancel = cancel
        self.activity = on_activity or (lambda _line: None)
        self.doc = SpecDocument.parse(request.spec_md) if request.spec_md.strip() else None
        self.stack = _stack_data(request.stack_toml)
        self.patches: dict[str, str] = {}  # unit -> new body (this turn's)
        self.stack_changes: list[StackChange] = []
        self.oq_added: list[str] = []
        self.oq_resolved: list[str] = []
        self.deferrals: list[Deferral] = []
        self.gate_evidence: list[GateEvidence] = []
        self.contradictions: list[Contradiction] = []
        self.terms: list[TermEntry] = []
        self._regexes = [(e, _prompt_regex(e.prompt)) for e in bank.entries]

    # ------------------------------------------------------------------ reading the request
    def body(self, unit: str) -> str:
        """The unit's current text, with this turn's earlier patches applied."""
        if unit in self.patches:
            return self.patches[unit]
        if self.doc is None:
            return ""
        return self.doc.unit_text(unit) or ""

    @cached_property
    def answered(self) -> list[Answered]:
        return [self._read(t) for t in self.req.transcript]

    def _classify(self, question: str) -> tuple[str, BankEntry | None]:
        q = question.strip()
        if q == OVERVIEW_PROMPT or q.startswith("Give a general overview"):
            return "overview", None
        if q.startswith(SUMMARY_PREFIX):
            return "summary", None
        if q.startswith(CLOSURE_PREFIX) and "?" in q and "Would another question" in q:
            return "closure", None
        if q.startswith(CONTRADICTION_PREFIX):
            return "contradiction", None
        if q.startswith(FILL_PREFIX):
            return "fill", None
        if q == OPEN_REVIEW_PROMPT:
            return "open_review", None
        for entry, rx in self._regexes:
            if rx.search(q):
                return entry.key, entry
        if q.startswith(FINALIZE_PREFIX):
            return "finalize", None
        return "unknown", None

    def _read(self, t: TranscriptEntry) -> Answered:
        kind, bank = self._classify(t.question)
        payload = t.answer_payload or {}
        values = _payload_list(payload, "selected_values")
        labels = _payload_list(payload, "selected_labels")
        other = payload.get("other_text") if isinstance(payload.get("other_text"), str) else None
        pkind = payload.get("kind")
        if pkind == "other" and not other and isinstance(payload.get("value"), str):
            other = payload["value"]
        if pkind == "option" and not values and isinstance(payload.get("value"), str):
            values = [payload["value"]]
        if not payload and t.options:
            # No structured payload: read the text against the option labels.
            parts = [p.strip() for p in re.split(r";\s*|\n", t.answer) if p.strip()]
            by_label = {o.casefold(): o for o in t.options}
            labels = [by_label[p.casefold()] for p in parts if p.casefold() in by_label]
            rest = [p for p in parts if p.casefold() not in by_label]
            other = "; ".join(rest) or None
        if bank is not None and labels and not values:
            # Raw labels (a filled placeholder matches its template): options_for would need
            # the traits, which are read from these very answers.
            values = [
                o.value
                for o in bank.options
                if any(_prompt_regex(o.label).fullmatch(lb) for lb in labels)
            ]
        typed = other if other is not None else ("" if (values or labels) else t.answer)
        deferral = t.deferral or DEFER_VALUE in values or (bool(typed) and is_deferral(typed))
        if not (values or labels) and other is None and not deferral:
            other = t.answer
        return Answered(t, kind, bank, values, labels, other, deferral)

    def asked(self, key: str) -> list[Answered]:
        return [a for a in self.answered if a.kind == key]

    @cached_property
    def last(self) -> Answered | None:
        return self.answered[-1] if self.answered else None

    @cached_property
    def user_text(self) -> str:
        parts = [self.req.initial_idea, *(a.typed for a in self.answered if not a.deferral)]
        return "\n".join(p for p in parts if p)

    # ------------------------------------------------------------------ traits
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
                if _MANIFEST_LANG.get(Path(m).name) in (lang, "javascript")
            )
            return lang, manifest
        for lang, pattern in _LANGS.items():
            if re.search(pattern, self.user_text, re.IGNORECASE):
                return lang, "your answers"
        return None

    @cached_property
    def traits(self) -> frozenset[str]:
        text = self.user_text
        out: set[str] = set()
        for name, pattern in _PRODUCT.items():
            if re.search(pattern, text, re.IGNORECASE):
                out.add(f"product:{name}")
        if out & {"product:cli", "product:library"} and not out & {
            "product:web",
            "product:service",
        }:
            out.add("product:local")
        for name, pattern in _MENTIONS.items():
            if re.search(pattern, text, re.IGNORECASE):
                out.add(f"mentions:{name}")
        for name, pattern in {**_LANGS, **_AUTH_SAID}.items():
            if re.search(pattern, text, re.IGNORECASE):
                out.add(f"said:{name}")
        app = self.stack.get("app") if isinstance(self.stack.get("app"), Mapping) else {}
        lang = str(app.get("language", "")).lower()
        template = bool(self.stack) and _without_name(self.stack) == _without_name(
            _stack_data(render_stack_template("x"))
        )
        if template:
            # The untouched starter is nobody's decision: it must not steer the options.
            out.add("stack:template")
        else:
            if lang:
                out.add(f"lang:{lang}")
            sec = self.stack.get("security")
            auth = str(sec.get("auth", "")) if isinstance(sec, Mapping) else ""
            out.update(f"auth:{p}" for p in re.split(r"[+,/ ]+", auth.lower()) if p)
        if self.scan is not None:
            out.update(f"repo:{x}" for x in self.scan.languages)
        if self.req.interview_type == "brownfield":
            out.add("interview:brownfield")
        detected = self.detected_language
        if detected and lang and not _same_lang(detected[0], lang):
            out.add("stack:mismatch")
        return frozenset(out)

    def allowed(self, only_if: list[str], not_if: list[str]) -> bool:
        if only_if and not any(t in self.traits for t in only_if):
            return False
        return not any(t in self.traits for t in not_if)

    # ------------------------------------------------------------------ placeholders
    @cached_property
    def detected_stack_change(self) -> list[StackChange]:
        detected = self.detected_language
        if detected is None:
            return []
        lang = detected[0]
        changes = [StackChange(table="app", key="language", value=lang)]
        app = self.stack.get("app") if isinstance(self.stack.get("app"), Mapping) else {}
        ds = self.stack.get("datastore") if isinstance(self.stack.get("datastore"), Mapping) else {}
        js = {"nextjs", "pnpm", "npm", "yarn", "prisma"}
        for table, key, current in (
            ("app", "framework", app.get("framework")),
            ("app", "package", app.get("package")),
            ("app", "runtime", app.get("runtime")),
            ("datastore", "migrations", ds.get("migrations")),
        ):
            cur = str(current or "").lower()
            if _FAMILY.get(lang, lang) != "js" and (cur in js or cur.startswith("node")):
                # A JavaScript-only value cannot stay; what replaces it is not known yet.
                changes.append(StackChange(table=table, key=key, value="unknown"))
        return changes

    def fill(self, template: str, extra: Mapping[str, str] | None = None) -> str | None:
        """`template` with its placeholders filled, or None when one has no value here."""
        values = dict(self.placeholders)
        if extra:
            values.update(extra)
        missing = False

        def sub(m: re.Match[str]) -> str:
            nonlocal missing
            v = values.get(m.group(1))
            if not v:
                missing = True
                return ""
            return v

        out = re.sub(r"\{([a-z_]+)\}", sub, template)
        return None if missing else out

    @cached_property
    def placeholders(self) -> dict[str, str]:
        out = {"stack": stack_summary(self.stack), "project": Path(self.req.project_dir).name}
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
        target = self.pressure_target
        if target is not None:
            out["round"] = str(target.round)
            out["claim"] = _short(
                sentences(target.text)[0] if sentences(target.text) else target.text
            )
        return out

    @cached_property
    def touchpoint_paths(self) -> list[str]:
        return [f.path for f in self.scan.touchpoints] if self.scan else []

    # ------------------------------------------------------------------ options
    def options_for(self, entry: BankEntry) -> list[BankOption]:
        if entry.options_from == "touchpoints":
            return [
                BankOption(label=f.path, value=f"file-{i}", description=_finding_text(f))
                for i, f in enumerate(self.scan.touchpoints if self.scan else [])
            ]
        out = []
        for o in entry.options:
            if not self.allowed(o.only_if, o.not_if):
                continue
            if any(self.fill(t) is None for t in (o.label, o.description, o.written)):
                continue
            out.append(o)
        return out[:8]

    def option_text(
        self, e: BankEntry, o: BankOption, extra: Mapping[str, str] | None = None
    ) -> str:
        """What SPEC.md receives for a chosen option: its `text`, else label and description
        (both were on screen when the user chose it)."""
        if o.text is not None:
            return self.fill(o.text, extra) or o.label
        label = self.fill(o.label, extra) or o.label
        desc = self.fill(o.description, extra) or ""
        if not desc or o.fills:
            return label
        return f"{label} ({desc})" if e.type == "multi" else f"{label}: {desc}"

    def recommended(self, entry: BankEntry, options: list[BankOption]) -> BankOption | None:
        for o in options:
            if o.recommend_if and any(t in self.traits for t in o.recommend_if):
                return o
        static = [o for o in options if o.recommended]
        return static[0] if static else None

    # ------------------------------------------------------------------ reply
    def reply(self) -> EngineReply:
        d = self.req.directive
        if self.last is not None:
            self.apply_answer(self.last)
        self.find_contradictions()
        self.collect_gate_evidence()
        question, why, source, pressure, ready = self.next_question()
        scores = [] if d.kind == "summary" else self.scores()
        return EngineReply(
            question=question,
            why=why,
            source=source,
            scores=scores,
            patches=[SectionPatch(section=k, body=v) for k, v in self.patches.items()],
            stack_changes=self.stack_changes,
            open_questions_added=list(dict.fromkeys(self.oq_added)),
            open_questions_resolved=list(dict.fromkeys(self.oq_resolved)),
            gate_evidence=self.gate_evidence,
            pressure=pressure,
            deferrals=self.deferrals,
            contradictions=self.contradictions,
            context_findings=self.context_findings(),
            terminology=self.terms,
            ready_to_crystallize=ready,
        )

    # ------------------------------------------------------------------ acting on the answer
    def write(self, unit: str, label: str, value: str, *, append: bool = False) -> None:
        """Set one bullet of `unit`, keeping every other line; never a duplicate label."""
        body = self.body(unit)
        item = find_item(body, label)
        current = item.value if item is not None else None
        if append and current and value_is_answered(label, current):
            if value.casefold() in current.casefold():
                return
            value = f"{current}\n{value}"
        self.patches[unit] = set_item(body, label, value, "\r\n" if "\r\n" in body else "\n")

    def apply_answer(self, a: Answered) -> None:
        if a.kind in ("overview", "summary"):
            self.apply_overview(a)
        elif a.kind == "contradiction":
            self.apply_contradiction(a)
        elif a.kind == "fill":
            self.apply_fill(a)
        elif a.kind == "open_review":
            wanted = set(a.labels) | set(a.values)
            self.oq_resolved.extend(q for q in self.outstanding() if q in wanted)
        elif a.bank is not None:
            self.apply_bank(a, a.bank)

    def apply_overview(self, a: Answered) -> None:
        if a.deferral or not a.text.strip():
            return
        for (unit, label), value in draft_overview(a.text).items():
            if value_is_answered(label, item_value(self.body(unit), label)):
                continue  # the user's own bullet stays
            self.write(unit, label, value)
        # Seed 000 §4.2: seed §17 with the questions still open after the draft.
        for e in self.bank.entries:
            if (
                e.stage in ("intent-first", "feasibility")
                and e.resolves
                and e.role != "stack_fix"
                and self.allowed(e.only_if, e.not_if)
                and not self.bullet_answered(e)
            ):
                self.oq_added.append(e.resolves)

    def bullet_answered(self, e: BankEntry) -> bool:
        value = item_value(self.body(e.section), e.label)
        return value_is_answered(e.label, value) and DEFAULT_MARK not in (value or "")

    def apply_bank(self, a: Answered, e: BankEntry) -> None:
        if a.deferral:
            self.apply_deferral(a, e)
            return
        # Every option the entry has (the user saw them when asked; traits may have moved).
        options = self.options_for(e) if e.options_from else e.options
        by_value = {o.value: o for o in options}
        picked = [by_value[v] for v in a.values if v in by_value]
        extra = {"round": self.placeholders.get("round", "")}
        if e.role == "pressure" and (m := re.search(r"Round (\d+)", a.entry.question)):
            extra["round"] = m.group(1)
        items: list[str] = []
        fills: dict[str, list[str]] = {}
        for o in picked:
            items.append(self.option_text(e, o, extra))
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
            items.append(a.other.strip())
        if not items:
            return
        value = "; ".join(items)
        if e.type != "free" or e.join != "{items}":
            value = (self.fill(e.join, {**extra, "items": value}) or value) if e.join else value
        self.write(e.section, e.label, value, append=e.append)
        for label, parts in fills.items():
            self.write(e.section, label, "; ".join(dict.fromkeys(parts)))
        if e.unchosen is not None:
            for label in e.labels[1:]:
                if label not in fills and not value_is_answered(
                    label, item_value(self.body(e.section), label)
                ):
                    self.write(e.section, label, e.unchosen)
        if e.role == "stack_fix":
            self.stack_changes.extend(stack_changes_from_text(a.other or a.text))
        if (
            e.role == "challenge"
            and e.challenge == "terminologist"
            or e.key == "terminology.glossary"
        ):
            self.read_terms(a.other or a.text)
        if e.resolves:
            self.oq_resolved.append(e.resolves)

    def apply_deferral(self, a: Answered, e: BankEntry) -> None:
        options = self.options_for(e)
        rec = self.recommended(e, options)
        if e.default:
            default, rationale = e.default, e.default_rationale or "the interviewer's default"
        elif rec is not None:
            default = self.option_text(e, rec)
            rationale = f"the recommended option: {self.fill(rec.description) or rec.description}"
        else:
            # No sensible default exists: the question stays open instead of being guessed.
            self.oq_added.append(e.resolves or self.fill(e.prompt) or e.prompt)
            return
        self.write(e.section, e.label, f"{DEFAULT_MARK}: {default} (rationale: {rationale})")
        self.deferrals.append(
            Deferral(section=e.section, topic=e.header, default=default, rationale=rationale)  # type: ignore[arg-type]
        )
        if e.resolves:
            self.oq_added.append(e.resolves)

    def apply_contradiction(self, a: Answered) -> None:
        options = a.entry.options
        if len(options) < 2:
            return
        chosen = a.other.strip() if a.other else None
        if chosen is None:
            picks = a.labels or [o for o in options if o in a.values]
            if not picks and a.values:
                idx = {"a": 0, "b": 1}.get(a.values[0])
                picks = [options[idx]] if idx is not None else []
            if not picks:
                return
            chosen = picks[0]
        losers = [o for o in options[:2] if o != chosen]
        for unit in UNIT_BY_KEY:
            if unit == "open_questions":
                continue
            body = self.body(unit)
            new = body
            for loser in losers:
                if loser and loser in new:
                    new = new.replace(loser, chosen)
            if new != body:
                self.patches[unit] = new

    def apply_fill(self, a: Answered) -> None:
        m = re.match(
            re.escape(FILL_PREFIX) + r"(\d+) .*?still holds “(.+?)”", a.entry.question, re.DOTALL
        )
        if not m or a.deferral:
            return
        section = next(
            (s.key for s in SECTION_BY_KEY.values() if s.number == int(m.group(1))), None
        )
        if section is None:
            return
        unit = section
        body = self.body(unit)
        if m.group(2) not in body and section == "nfr":
            unit, body = "security", self.body("security")
        if m.group(2) in body:
            self.patches[unit] = body.replace(m.group(2), " ".join(a.text.split()), 1)

    def read_terms(self, text: str) -> None:
        known = self.scan.identifiers if self.scan else set()
        for line in text.splitlines():
            term, sep, meaning = line.partition(":")
            if not sep or not term.strip() or not meaning.strip():
                continue
            term = term.strip().strip("-*• ")
            conflict = None
            if self.scan is not None:
                low = term.lower().replace(" ", "_")
                if not any(low in ident or ident in low for ident in known if len(ident) > 3):
                    conflict = "not found in the code's own names; confirm it is the canonical term"
            self.terms.append(TermEntry(term=term, meaning=meaning.strip(), conflict=conflict))

    # ------------------------------------------------------------------ contradictions
    def find_contradictions(self) -> None:
        """Contradictions between the newest answer and an earlier one, not yet settled."""
        if self.last is None or self.last.deferral or self.last.kind == "contradiction":
            return
        settled = {
            m.group(1)
            for a in self.answered
            if a.kind == "contradiction"
            and (m := re.match(re.escape(CONTRADICTION_PREFIX) + r" (.+?)\.", a.entry.question))
        }
        earlier: dict[str, Claim] = {}
        for a in self.answered[:-1]:
            if a.deferral or a.kind in ("contradiction", "finalize", "closure"):
                continue
            for c in claims_of(self.answer_text(a), a.round):
                earlier[c.topic] = c  # the newest earlier claim per topic
        reported: set[str] = set()
        for c in claims_of(self.answer_text(self.last), self.last.round):
            prev = earlier.get(c.topic)
            if prev is None or prev.value == c.value or c.topic in settled or c.topic in reported:
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

    def answer_text(self, a: Answered) -> str:
        if a.bank is not None and a.values:
            options = {o.value: o for o in a.bank.options}
            chosen = [self.option_text(a.bank, options[v]) for v in a.values if v in options]
            return ". ".join([*chosen, a.other or ""])
        return a.text

    # ------------------------------------------------------------------ gates
    def collect_gate_evidence(self) -> None:
        g = self.req.gates
        for gate, done in (
            ("non_goals", g.non_goals),
            ("decision_boundaries", g.decision_boundaries),
        ):
            if done:
                continue
            entry = next(e for e in self.bank.entries if e.gate == gate)
            ans = [a for a in self.asked(entry.key) if not a.deferral]
            if ans:
                self.gate_evidence.append(
                    GateEvidence(
                        gate=gate,
                        round=ans[-1].round,  # type: ignore[arg-type]
                        note=f"answered: {_short(self.answer_text(ans[-1]), 160)}",
                    )
                )
            elif self.bullet_answered(entry) and self.last is not None:
                self.gate_evidence.append(
                    GateEvidence(
                        gate=gate,
                        round=self.last.round,  # type: ignore[arg-type]
                        note=f"{entry.label} written in SPEC.md",
                    )
                )
        if not g.pressure_pass:
            done = [
                a
                for a in self.answered
                if a.bank is not None and a.bank.role == "pressure" and not a.deferral
            ]
            if done:
                m = re.search(r"Round (\d+)", done[-1].entry.question)
                note = f"revisited round {m.group(1)}" if m else "an earlier answer was revisited"
                self.gate_evidence.append(
                    GateEvidence(gate="pressure_pass", round=done[-1].round, note=note)
                )
        last = self.last
        if not g.closure_audit and last and last.kind == "closure" and "crystallize" in last.values:
            self.gate_evidence.append(
                GateEvidence(
                    gate="closure_audit",
                    round=last.round,
                    note="the user said no further question would change execution",
                )
            )

    # ------------------------------------------------------------------ scoring
    def fact_met(self, fact: Fact) -> bool:
        if "scanned" in fact.roles and self.scan is not None:
            return True
        for a in self.answered:
            if a.deferral or a.bank is None:
                continue
            if a.bank.role in fact.roles or (a.bank.challenge or "") in fact.roles:
                return True
            if any(
                a.bank.section == u and norm_label(a.bank.label) == norm_label(lb)
                for u, lb in fact.items
            ):
                return True
        for unit, label in fact.items:
            value = item_value(self.body(unit), label)
            if value_is_answered(label, value) and DEFAULT_MARK not in (value or ""):
                return True
        return False

    def scores(self) -> list[DimensionScore]:
        out = []
        for dim in weights_for(self.req.interview_type):
            found = [f for f in FACTS if f.dimension == dim and self.fact_met(f)]
            missing = [f for f in FACTS if f.dimension == dim and f not in found]
            score = round(min(1.0, sum(f.points for f in found)), 4)
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
                    score=score,
                    justification="; ".join(f"{f.label} +{f.points:.2f}" for f in found)
                    or "nothing known yet",
                    gap=gap,
                )
            )
        return out

    # ------------------------------------------------------------------ choosing the question
    def available(self, e: BankEntry, *, human: bool = False) -> bool:
        if self.asked(e.key) or not self.allowed(e.only_if, e.not_if):
            return False
        if human and e.source != "user":
            return False
        if e.role == "stack_fix":
            return any("no" in a.values for a in self.asked("deployment.stack"))
        if e.role not in ("pressure", "challenge") and not e.append and self.bullet_answered(e):
            return False
        if e.role == "pressure" and self.pressure_target is None:
            return False
        if self.fill(e.prompt) is None:
            return False
        return e.type == "free" or bool(self.options_for(e))

    @cached_property
    def pressure_target(self) -> Answered | None:
        """The earlier answer a pressure follow-up revisits: the newest user claim in free text
        (the overview first) that no pressure round has revisited yet."""
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
            if not a.deferral
            and a.round not in revisited
            and a.text.strip()
            and (
                a.kind in ("overview", "summary")
                or (
                    a.bank is not None
                    and a.bank.type == "free"
                    and a.bank.role not in ("pressure", "challenge")
                )
            )
        ]
        overview = [a for a in claims if a.kind in ("overview", "summary")]
        if overview:
            return overview[0]
        return claims[-1] if claims else None

    def next_question(
        self,
    ) -> tuple[ReplyQuestion | None, str, str, PressureRevisit | None, bool]:
        d = self.req.directive
        if d.contradiction is not None:
            c = d.contradiction
            opts = [
                ReplyOption(
                    label=c.statement_a,
                    value="a",
                    description=f"as said in {c.where_a}",
                    recommended=False,
                ),
                ReplyOption(
                    label=c.statement_b,
                    value="b",
                    description=f"as said in {c.where_b}",
                    recommended=False,
                ),
            ]
            q = ReplyQuestion(
                question=f"{CONTRADICTION_PREFIX} {c.topic}. Which one holds?",
                type="single-answerable",
                options=opts,
                allow_other=True,
                header="Contradiction",
            )
            return q, f"{c.where_a} and {c.where_b} disagree about {c.topic}", "user", None, False
        if d.kind == "summary":
            size = len(self.req.initial_idea)
            q = ReplyQuestion(
                question=f"{SUMMARY_PREFIX} ({size:,} characters). Summarise it in a few sentences: "
                "the goal, the users, the constraints that matter, and the documents to keep as references.",
                type="free-text",
                options=[],
                allow_other=True,
                header="Summary",
            )
            return (
                q,
                "the initial context is oversized: nothing is scored until a prompt-safe summary exists",
                "user",
                None,
                False,
            )
        if d.kind == "overview":
            q = ReplyQuestion(
                question=OVERVIEW_PROMPT,
                type="free-text",
                options=[],
                allow_other=True,
                header="Overview",
            )
            return q, "seed 000's first turn: the overview drafts sections 1–3", "user", None, False
        if d.kind == "validation":
            return self.validation_question()
        last_closure = (
            self.last is not None
            and self.last.kind == "closure"
            and "crystallize" in self.last.values
        )
        if last_closure:
            return (
                None,
                "the closure audit passed: no further question changes execution",
                "user",
                None,
                True,
            )
        if d.kind == "closure" and d.gate in (None, "closure_audit"):
            return self.closure_question()
        entry, why = self.pick(d)
        if entry is None:
            return (
                None,
                "no material question is left: the closure audit passes",
                "user",
                None,
                True,
            )
        pressure = None
        if entry.role == "pressure" and self.pressure_target is not None:
            pressure = PressureRevisit(
                revisits_round=self.pressure_target.round, kind=entry.pressure
            )  # type: ignore[arg-type]
        return self.build_question(entry), why, entry.source, pressure, False

    def pick(self, d: Any) -> tuple[BankEntry | None, str]:
        human = bool(d.require_human_judgment)
        entries = self.bank.entries

        def first(pred: Any) -> BankEntry | None:
            return next((e for e in entries if pred(e) and self.available(e, human=human)), None)

        follow = first(lambda e: e.role == "stack_fix")
        if follow is not None:
            return follow, "you said the stack in stack.toml is wrong: which one is it"
        if d.challenge_mode:
            e = first(lambda e: e.challenge == d.challenge_mode)
            if e is not None:
                return e, f"challenge mode: {d.challenge_mode} (used once)"
        if d.pressure_followup or d.gate == "pressure_pass":
            n_done = sum(
                1 for a in self.answered if a.bank is not None and a.bank.role == "pressure"
            )
            order = ["evidence", "assumption", "tradeoff"]
            kinds = order[n_done % 3 :] + order[: n_done % 3]
            for kind in kinds:
                e = first(lambda e, k=kind: e.pressure == k)
                if e is not None:
                    return (
                        e,
                        f"pressure pass: round {self.pressure_target.round if self.pressure_target else '?'}'s answer gets a {kind} follow-up",
                    )
        if d.gate in ("non_goals", "decision_boundaries"):
            e = first(lambda e: e.gate == d.gate)
            if e is not None:
                return e, f"readiness gate: {d.gate.replace('_', ' ')} are not explicit yet"
        stages = ["intent-first", "feasibility"] + (
            ["brownfield"] if self.req.interview_type == "brownfield" else []
        )
        scores = {s.dimension: s.score for s in self.scores()}
        if d.target_dimension:
            for stage in stages:
                e = first(lambda e, st=stage: e.stage == st and e.dimension == d.target_dimension)
                if e is not None:
                    title = DIMENSION_TITLES.get(d.target_dimension, d.target_dimension)
                    return (
                        e,
                        f"Target: {title} ({scores.get(d.target_dimension, 0):.2f}), {e.header.lower()} is still open",
                    )
        for stage in stages:
            cands = [e for e in entries if e.stage == stage and self.available(e, human=human)]
            if cands:
                e = min(cands, key=lambda e: (scores.get(e.dimension or "", 1.0), entries.index(e)))
                title = DIMENSION_TITLES.get(e.dimension or "", e.dimension or "")
                return (
                    e,
                    f"{stage} stage: {title} is the weakest open dimension ({scores.get(e.dimension or '', 0):.2f})",
                )
        return None, ""

    def build_question(self, e: BankEntry) -> ReplyQuestion:
        options = self.options_for(e)
        rec = self.recommended(e, options)
        reply_opts = [
            ReplyOption(
                label=self.fill(o.label) or o.label,
                value=o.value,
                description=self.fill(o.description) or o.description,
                recommended=o is rec,
            )
            for o in options
        ]
        if reply_opts and (e.default or rec is not None) and len(reply_opts) < 9:
            default = e.default or (self.option_text(e, rec) if rec else "")
            reply_opts.append(
                ReplyOption(
                    label="Decide for me",
                    value=DEFER_VALUE,
                    description=f"Record a default ({_short(default, 60)}) with its rationale",
                    recommended=False,
                )
            )
        qtype = {"single": "single-answerable", "multi": "multi-answerable", "free": "free-text"}[
            e.type
        ]
        return ReplyQuestion(
            question=self.fill(e.prompt) or e.prompt,
            type=qtype,  # type: ignore[arg-type]
            options=reply_opts,
            allow_other=e.allow_other or not reply_opts,
            header=e.header,
        )

    def closure_question(self) -> tuple[ReplyQuestion, str, str, None, bool]:
        amb = round(self.req.ambiguity * 100)
        q = ReplyQuestion(
            question=f"{CLOSURE_PREFIX} ambiguity is {amb}% (threshold {round(self.req.threshold * 100)}%). "
            "Would another question change what gets built?",
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
        )
        return q, "the closure audit: ambiguity is at or below the threshold", "user", None, False

    # ------------------------------------------------------------------ validation pass
    def outstanding(self) -> list[str]:
        body = self.doc.section_body("open_questions") if self.doc is not None else None
        return list(parse_open_questions(body).outstanding) or list(self.req.open_questions)

    def validation_question(self) -> tuple[ReplyQuestion | None, str, str, None, bool]:
        target = self.req.directive.target_section
        if target is None:
            q = ReplyQuestion(
                question=f"{FINALIZE_PREFIX} every section now? Each one is at least clarified; "
                "finalizing signs off its current text.",
                type="single-answerable",
                options=[
                    ReplyOption(
                        label="Finalize all",
                        value="finalize-all",
                        description="Mark every section final",
                        recommended=True,
                    ),
                    ReplyOption(
                        label="Keep editing",
                        value="keep",
                        description="Leave them clarified for now",
                        recommended=False,
                    ),
                ],
                allow_other=False,
                header="Finalize",
            )
            return q, "seed 000's finish: every section is at least clarified", "user", None, False
        if target == "open_questions":
            left = self.outstanding()
            if left:
                opts = [
                    ReplyOption(
                        label=_short(t, 200),
                        value=f"q-{i + 1}",
                        description=f"open question {i + 1}",
                        recommended=False,
                    )
                    for i, t in enumerate(left[:8])
                ]
                q = ReplyQuestion(
                    question=OPEN_REVIEW_PROMPT,
                    type="multi-answerable",
                    options=opts,
                    allow_other=True,
                    header="Open questions",
                )
                return q, f"§17 still lists {len(left)} open question(s)", "user", None, False
        status = placeholder_status(self.body(target)) if self.body(target) else "unknown"
        title = UNIT_BY_KEY[target].title
        number = SECTION_BY_KEY[UNIT_SECTION[target]].number
        if status in ("unknown", "drafted"):
            for e in self.bank.entries:
                if (
                    e.section == target
                    and self.available(e)
                    and e.role not in ("pressure", "challenge", "stack_fix")
                ):
                    return (
                        self.build_question(e),
                        f"validation pass: §{number} {title} is {status}",
                        e.source,
                        None,
                        False,
                    )
            hole = first_placeholder(self.body(target))
            if hole:
                q = ReplyQuestion(
                    question=f"{FILL_PREFIX}{number} {title} still holds “{hole}”. What should replace it?",
                    type="free-text",
                    options=[],
                    allow_other=True,
                    header=_short(title, 24),
                )
                return (
                    q,
                    f"validation pass: §{number} {title} has a placeholder left",
                    "user",
                    None,
                    False,
                )
        q = ReplyQuestion(
            question=f"{FINALIZE_PREFIX} §{number} {title}? It has no placeholders left; finalizing signs off its current text.",
            type="single-answerable",
            options=[
                ReplyOption(
                    label="Finalize",
                    value="finalize",
                    description="Mark this section final",
                    recommended=True,
                ),
                ReplyOption(
                    label="Keep editing",
                    value="keep",
                    description="Leave it clarified",
                    recommended=False,
                ),
            ],
            allow_other=False,
            header="Finalize",
        )
        return q, f"validation pass: §{number} {title} is {status}", "user", None, False

    # ------------------------------------------------------------------ brownfield findings
    def context_findings(self) -> list[ContextFinding]:
        scan = self.scan
        if scan is None:
            return []
        out = [
            ContextFinding(
                path=m,
                finding=f"manifest: the project is {(_MANIFEST_LANG.get(Path(m).name) or 'code')}",
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
        confirmed = set()
        for a in self.asked("scope.touchpoints"):
            confirmed.update(a.labels)
        for f in scan.touchpoints[:6]:
            out.append(
                ContextFinding(
                    path=f.path,
                    finding=_finding_text(f),
                    basis="evidence",
                    touchpoint=f.path in confirmed or not confirmed,
                )
            )
        return out
