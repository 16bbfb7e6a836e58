"""What the offline engine reads: the overview draft, claims that can contradict each other,
traits of the product, stack answers, and the repository (bounded). Pure functions and small
data classes; `builtin.Turn` puts them together.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from specui.core.interview.contract import StackChange
from specui.core.loader import LoadError, load_toml_text
from specui.interview.context import walk
from specui.interview.engines.base import EngineCancelled

_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")
_PLACEHOLDER_LIKE = re.compile(r"<[^<>\n]*>|\b(?:TODO|TBD|FIXME)\b")

# =========================================================================== small text helpers


def sentences(text: str) -> list[str]:
    out = []
    for part in _SENTENCE_SPLIT.split(text.strip()):
        s = part.strip().lstrip("-*• ").strip()
        if s:
            out.append(s)
    return out


def short(text: str, limit: int = 120) -> str:
    """`text` on one line, cut to `limit` characters at a word's end ("no files, secre…" read
    as a typo in "Decide for me (…)")."""
    text = " ".join(text.split()).rstrip(".!?;: ")
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"


def quote_placeholders(text: str) -> str:
    """User text with `<...>`, TODO, TBD and FIXME in backticks: kept verbatim, but SPEC.md's
    status rules read them as quoted text, not as the template's placeholders. Text already
    inside a code span is left as it is."""
    if text.count("`") % 2:
        # An unmatched backtick would pair with the quotes added below; doubling it keeps
        # every quote paired (it still renders as literal backticks).
        at = text.rindex("`")
        text = text[:at] + "`" + text[at:]
    parts = text.split("`")
    for i in range(0, len(parts), 2):
        parts[i] = _PLACEHOLDER_LIKE.sub(lambda m: f"`{m.group(0)}`", parts[i])
    return "`".join(parts)


_CODE_NAME = re.compile(
    r"`([^`\s]+)`"  # backticked
    r"|\b([A-Za-z_][A-Za-z0-9_]*\(\))"  # call()
    r"|\b([a-z][a-z0-9]*(?:_[a-z0-9]+)+)\b"  # snake_case
    r"|\b([A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+)\b"  # CamelCase
)


def code_names(text: str) -> list[str]:
    """Tokens in `text` written the way code names are (backticks, call(), snake_case,
    CamelCase), in order, without repeats."""
    out: dict[str, None] = {}
    for m in _CODE_NAME.finditer(text):
        token = next(g for g in m.groups() if g)
        out.setdefault(token, None)
    return list(out)


_INTRODUCES = re.compile(
    r"\b(?:add|adds|adding|new|introduc\w*|creat\w*|implement\w*|expos\w*|provid\w*)\b"
    r"(?:\s+[\w-]+){0,3}?\s+`?$",
    re.IGNORECASE,
)


def new_code_names(text: str) -> set[str]:
    """The code names `text` introduces as new ("Add a normalize_url() function", "a new
    `KeySet` class"): the repository cannot define them yet, so they are no unclear term."""
    out: set[str] = set()
    for m in _CODE_NAME.finditer(text):
        token = next(g for g in m.groups() if g)
        if _INTRODUCES.search(text[max(0, m.start() - 60) : m.start()]):
            out.add(token)
    return out


@cache
def prompt_regex(template: str) -> re.Pattern[str]:
    """Recognise a question built from `template` (its placeholders match anything)."""
    parts = re.split(r"\{[a-z_]+\}", template)
    return re.compile("(?:^|: )" + "(.+?)".join(re.escape(p) for p in parts) + r"\s*$", re.DOTALL)


# =========================================================================== overview drafting

_PEOPLE = re.compile(
    r"\b(users?|customers?|teams?|developers?|engineers?|admins?|administrators?|people|"
    r"students?|teachers?|managers?|owners?|operators?|clients?|members?|staff|maintainers?|"
    r"designers?|analysts?|researchers?|writers?|freelancers?|families|parents|patients?|"
    r"doctors?|nurses?|shoppers?|buyers?|sellers?|players?|readers?|agents?|employees?|"
    r"services?|callers?|apis|family|friends?|colleagues?|co-?workers?|kids|children|"
    r"partners?|household|club|group|gateways?|consumers?)\b",
    re.IGNORECASE,
)
_FOR_WHOM = re.compile(
    r"\bfor\s+((?:[\w'-]+\s+){0,5}?[\w'-]+)(?=\s+(?:who|to|that|so|in|with)\b|[,.;:!?]|$)",
    re.IGNORECASE,
)
_CAPABILITY = re.compile(
    r"\b(should|must|will|can|lets?|allows?|needs? to|supports?|provides?|includes?|tracks?|"
    r"shows?|sends?|stores?|generates?|syncs?|exports?|imports?|manages?|builds?|creates?|"
    r"caches?|serves?|parses?|adds?|converts?|renames?|shortens?|blocks?|relays?|publish(?:es)?|"
    r"turns?|"
    r"renders?|indexe?s?|searche?s?|watche?s?|validates?|schedules?|reminds?|notif(?:y|ies)|"
    r"checks?|reports?|lists?|fetch(?:es)?|downloads?|uploads?|monitors?|formats?|"
    r"lints?|resizes?|compress(?:es)?|merges?|extracts?|translates?|summari[sz]es?)\b",
    re.IGNORECASE,
)
# A success test in the user's words: "works if my three tables convert unchanged", "it works
# when I use it daily for a month", "done when the import runs clean".
_WORKS_IF = r"(?:^|\b(?:it|this|v1)\s+)works (?:when|if)\b|^(?:it is |it's )?done when\b"
_SUCCESS = re.compile(
    r"\b(success|succeed|measured? by|metrics?|kpis?|target of|adoption|know it works|within \d+\s*"
    r"(?:days?|weeks?|months?|years?))\b|\d+\s*%|" + _WORKS_IF,
    re.IGNORECASE,
)
# A time bound on an operation ("rebuild in under 2 seconds", "within 500 ms") is a
# performance target too.
_TIME_BOUND = (
    r"(?:under|below|within|less than|at most|<)\s*(?:\d+(?:\.\d+)?|a|one|two|three|five|ten)"
    r"\s*(?:ms|milliseconds?|s|secs?|seconds?|minutes?)\b"
)
_SERVICE_TARGET = re.compile(
    _TIME_BOUND + r"|\b(p\d{2}|latency|uptime|availability|available|slos?|slas?|rps|qps|"
    r"requests? per second|\d+\s*ms|\d+\s*[kmg]i?b|rto|rpo)\b|\b\d{2}(?:\.\d+)?\s*%",
    re.IGNORECASE,
)
_PERFORMANCE = re.compile(
    r"\b(p\d{2}|latency|rps|qps|requests? per second|\d+\s*ms|\d+\s*[kmg]i?b)\b|" + _TIME_BOUND,
    re.IGNORECASE,
)
_RELIABILITY = re.compile(
    r"\b(uptime|availability|available|slos?|slas?|rto|rpo)\b|\b\d{2}(?:\.\d+)?\s*%", re.IGNORECASE
)
# A monitoring tool or pipeline named ("Metrics go to Prometheus", "logs ship to Loki").
_MONITORING = re.compile(
    r"\b(prometheus|grafana|datadog|new relic|newrelic|opentelemetry|otel|loki|elk|kibana|"
    r"splunk|sentry|honeycomb|jaeger|zipkin|statsd|cloudwatch)\b",
    re.IGNORECASE,
)
_LOGGING = re.compile(r"\b(logs?|logging|loki|elk|kibana|splunk)\b", re.IGNORECASE)
_TRACING = re.compile(r"\b(trac(?:e|es|ing)|jaeger|zipkin|honeycomb)\b", re.IGNORECASE)
_SUCCESS_WORD = re.compile(r"\b(success|succeed\w*|adoption|kpis?)\b", re.IGNORECASE)
_WHY = re.compile(
    r"\b(because|so that|problem|pain|today|currently|struggle|waste|hard to|too slow|"
    r"manual|tedious|frustrat|lose|losing|need|want|instead of|survives?|down)\b",
    re.IGNORECASE,
)


# "Success is measured by X" under the Success Metrics label says X twice: the label is kept,
# the lead-in dropped (the rest is the user's own words).
_SUCCESS_LEAD = re.compile(
    r"^(?:success (?:is|will be) (?:measured|judged|shown) by|success means|(?:we|i)(?:'ll| will) "
    r"know it works (?:when|if)|(?:it |this |v1 )?works (?:when|if)|(?:it is |it's )?done when)"
    r"\s*:?\s*",
    re.IGNORECASE,
)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


_GROUP_OF = re.compile(
    r"^(?:a|an|my|our|the|your)\s+(?:small\s+)?(?:team|group|crew|class|club|family|staff)\s+"
    r"of\s+(?:\d+|[a-z]+)(?P<who>(?:\s+[\w-]+){0,3})$",
    re.IGNORECASE,
)


def _looks_like_people(phrase: str) -> bool:
    """ "home cooks", "small teams": a plural noun phrase, not "tracking expenses" (a gerund)."""
    words = phrase.lower().split()
    group = _GROUP_OF.match(phrase)
    if group and (not group["who"] or _PEOPLE.search(group["who"])):
        return True  # "a team of five", "my team of eight technical writers": people, counted
    if not words or words[0][:1].isdigit() or words[0] in _NUM_WORDS or _DURATION_RE.search(phrase):
        return False  # "for 60 minutes", "for an hour": a duration, not people
    if words[0] in {"my", "our", "your", "his", "her", "their"} and not _PEOPLE.fullmatch(
        words[-1]
    ):
        return False  # "for my team wiki": a thing of theirs, even when people are named in it
    if _PEOPLE.search(phrase):
        return True
    if words[0].endswith("ing") or words[0] in {"the", "this", "that"}:
        return False
    if words[0] in {"my", "our", "your", "his", "her", "their"}:
        return False  # "for my blog posts": something of theirs it works on, not people
    last = words[-1]
    return len(last) > 3 and last.endswith("s") and not last.endswith(("ss", "us", "is"))


# A sentence whose subject is people doing something ("Team members sign in …", "Admins
# rotate keys …"), not saying who they are ("Users are analysts", "Developers who …").
_PEOPLE_DO = re.compile(
    r"^(?:(?:the|our|my|their|its|all|every)\s+)?(?:[\w-]+\s+)?"
    + _PEOPLE.pattern
    + r"\s+(?!(?:are|is|will|would|should|must|can|who|that|which|of|in|with|for)\b)[a-z]+",
    re.IGNORECASE,
)
_FOR_SENTENCE = re.compile(r"^(?:just |only |mainly |mostly )?for\s+(.+)$", re.IGNORECASE)
_SELF = re.compile(r"^(?:me|myself|us|ourselves)\b", re.IGNORECASE)
_USERS_ARE = re.compile(
    r"^(?:(?:its|the|our|target|main|primary)\s+)*(?:users?|audience)\s+(?:are|is|will be)\s+"
    r"(.+)$",
    re.IGNORECASE,
)
_ALSO = re.compile(r"^(?:also|plus)\b", re.IGNORECASE)
# "Our API gateways fetch signing keys from it.": who calls it are its users.
_USES_IT = re.compile(
    r"^((?:[\w-]+\s+){0,3}?[\w-]+)\s+(?:(?:can|will|would|should|must|could)\s+)?"
    r"(?:use|call|query|fetch|read|pull|load|hit)(?:s|es)?\b[^.;:]*?\b(?:it|from it)\s*$",
    re.IGNORECASE,
)
# "Markdown renderers that use mdurl want one call ...": the people who want it are its users.
_WHO_WANT = re.compile(
    r"(?:^|[:;]\s+)((?:[\w-]+\s+){0,3}?([\w-]+)\s+(?:that|who)\s+use\s+[\w.-]+)\s+"
    r"(?:want|need|ask for|would like)s?\b",
    re.IGNORECASE,
)
# A sentence that states what v1 leaves out ("Not in v1: Windows, plugins, a server.").
_NON_GOALS = re.compile(
    r"^(?:not in (?:v1|scope|the first version)|out of scope(?: for v1)?|non-goals?(?: for v1)?|"
    r"v1 (?:will|does|must) not|(?:we|it) (?:will not|won't|does not|doesn't) (?:do|need|"
    r"support|include|have))\b",
    re.IGNORECASE,
)


def _users_sentence(sentence: str) -> str | None:
    """The people a whole sentence names ("For developers who keep notes in git.", "Users are
    data analysts.", "Just for me."), in the user's words; None for any other sentence."""
    body = sentence.strip().rstrip(".!")
    m = _USERS_ARE.match(body)
    if m:
        return m.group(1)
    m = _USES_IT.match(body)
    if m and _looks_like_people(m.group(1)):
        return m.group(1)
    m = _FOR_SENTENCE.match(body)
    if m is None:
        return None
    if _SELF.match(m.group(1)):
        return body  # "Just for me": the sentence says it best
    return m.group(1) if _looks_like_people(m.group(1)) else None


def _clauses(sentence: str) -> list[str]:
    """The items of a sentence's list ("index, search offline, and rebuild fast")."""
    parts = re.split(r",\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+", sentence.rstrip(".!?"))
    return [p.strip() for p in parts if p.strip()]


def clauses(text: str) -> list[str]:
    """The items of an answer: its sentences, their ';' parts, and list items in them."""
    return [c for s in sentences(text) for p in re.split(r";\s+", s) for c in _clauses(p)]


def _says_what_it_does(sentence: str) -> bool:
    """ "Add a parser API ...", "A CLI that syncs dotfiles ...": a capability verb opens the
    sentence or follows the name of the product ("A JWKS cache." names one, says nothing)."""
    head = HEAD.match(sentence)
    return bool(
        _CAPABILITY.match(sentence) or _CAPABILITY.search(sentence, head.end() if head else 0)
    )


def _names_only_stack(sentence: str) -> bool:
    """ "Python service, SQLite, deployed on Kubernetes.": a sentence that names the stack and
    says nothing v1 does (stack.toml takes it; it is no capability in scope)."""
    return bool(stack_changes_from_text(sentence)) and not _CAPABILITY.search(sentence)


def _success_apart(sentence: str) -> list[str]:
    """A sentence whose later clause is a success test ("v1 reads a file and prints a table;
    works if my three tables convert unchanged"): its clauses, each placed on its own."""
    parts = [p.strip() for p in re.split(r";\s+", sentence) if p.strip()]
    if len(parts) > 1 and any(_SUCCESS_LEAD.match(p) for p in parts[1:]):
        return parts
    return [sentence]


_MISSION = re.compile(
    r"\b(faster|speed\w*|improv\w*|reduc\w*|increas\w*|lower|rais\w*|minimi[sz]\w*|"
    r"maximi[sz]\w*|optimi[sz]\w*|better|whether|find out|tun(?:e|es|ing)|goes up|go up)\b",
    re.IGNORECASE,
)
# "the evaluator is 'python eval.py --queries q.jsonl'", "scored by `make bench`": a quoted
# command after a word that names the evaluation.
_EVALUATOR = re.compile(
    r"\b(?:evaluator|evaluat(?:ed|es)|scor(?:ed|es)|measur(?:ed|es)|benchmark(?:ed)?)\b"
    r"[^`'\"\n;.]{0,40}?[`'\"]([^`'\"\n]{3,200})[`'\"]",
    re.IGNORECASE,
)
# "keep a change only if the score improves by 0.5%": when a candidate is kept.
_KEEP = re.compile(r"\bkeep\b[^.;\n]*?\b(?:if|when|unless)\b[^;\n]*?(?=[.;]\s|[.;]?$|\n)",
                   re.IGNORECASE)


def evaluator_command(text: str) -> str | None:
    """The evaluator command an autoresearch overview names in quotes, as written."""
    m = _EVALUATOR.search(text)
    return m.group(1).strip() if m else None


def keep_policy_clause(text: str) -> str | None:
    """The clause of an autoresearch overview that says when a candidate is kept."""
    m = _KEEP.search(text)
    return m.group(0).strip().rstrip(".") if m else None


def mission_sentence(text: str) -> str | None:
    """The part of an autoresearch overview that says what to improve or find out ("Speed up
    the CSV parser"), in the user's words, without the clauses that name the evaluator or the
    keep policy; None if nothing does."""
    for sentence in sentences(text):
        parts = [
            p.strip() for p in sentence.split(";")
            if p.strip() and not _EVALUATOR.search(p) and not _KEEP.search(p)
        ]
        hit = next((p for p in parts if _MISSION.search(p)), None)
        if hit is not None:
            return hit
    return None


_REASON = re.compile(r"\b(because|so that|instead of|survives?)\b", re.IGNORECASE)


def claim_sentence(text: str) -> str:
    """The part of an answer a pressure follow-up should probe: the success test the user
    stated ("works if my three tables convert unchanged"), else a sentence that gives a reason
    or a hard promise, else the first sentence (often only the product's name and kind)."""
    sents = [p for s in sentences(text) for p in _success_apart(s)]
    tests = [s for s in sents if _SUCCESS_LEAD.match(s)]
    reasons = [s for s in sents if _REASON.search(s)]
    return (tests or reasons or sents or [text])[0]


def draft_overview(text: str, elsewhere: Collection[str] = ()) -> dict[tuple[str, str], str]:
    """Seed 000 §4.2's drafting pass: (unit, label) -> the user's own sentences (sections 1–3,
    and a stated performance or availability target to its §9 bullet). `elsewhere`: sentences
    the caller places in another bullet (how v1 relates to existing code): never in scope.

    Deterministic sentence heuristics; what it cannot place stays unanswered for a later
    question. Every value is text the user wrote (sentences or a "for <people>" phrase).
    """
    sents = [part for s in sentences(text) for part in _success_apart(s)]
    values: dict[tuple[str, str], str] = {}
    if not sents:
        return values
    why = [s for s in sents if _WHY.search(s) and not _SUCCESS_LEAD.match(s)]
    problem_sents = [sents[0]] + [s for s in why if s != sents[0]][:1]
    values[("vision", "Problem & Outcome")] = " ".join(problem_sents)
    users: list[str] = []
    plural: str | None = None
    for i, m in enumerate(_FOR_WHOM.finditer(text)):
        who = m.group(1).strip()
        if not _looks_like_people(who):
            continue
        if _PEOPLE.search(who):
            users.append(who)  # a word for people wins over a plural met before it
            break
        # A plural alone names a purpose as often as people ("for Markdown docs", "reserves
        # items for orders"): only the first "for" may be its users, and only failing better.
        if i == 0:
            plural = who
    if not users and plural is not None:
        users.append(plural)
    if not users:
        wanting = (m for s in sents if (m := _WHO_WANT.search(s)))
        users.extend(m.group(1) for m in wanting if _looks_like_people(m.group(2)))
        del users[1:]
    # Sentences that only say who it is for: their people too, and they are not scope.
    user_sents = {s: who for s in sents[1:] if (who := _users_sentence(s)) is not None}
    for who in user_sents.values():
        if not any(who.lower() in u.lower() or u.lower() in who.lower() for u in users):
            users.append(who)
        elif users and users[-1].lower() in who.lower():
            users[-1] = who  # "developers" -> "developers who keep notes in git"
    if users:
        values[("vision", "Target Users")] = "; ".join(users)
    # A service-level target ("99.95% availability", "p95 under 200 ms") is neither a success
    # metric nor a capability: it goes to the NFR bullet it is about, in the user's words.
    targets = {s for s in sents if _SERVICE_TARGET.search(s) and not _SUCCESS_WORD.search(s)}
    # A list of what v1 does with a target in it ("v1 must index, search offline, and rebuild
    # in under 2 seconds") stays in scope; only the clause that holds the target is the NFR.
    mixed = {
        s: parts
        for s in targets
        if len(parts := _clauses(s)) > 1
        and not all(_SERVICE_TARGET.search(c) for c in parts)
        and _CAPABILITY.search(s)
    }

    def target_parts(pattern: re.Pattern[str]) -> list[str]:
        """The targets `pattern` is about: a sentence's clauses that are (a performance and a
        reliability target in one sentence each go to their own bullet), else the sentence."""
        out = []
        for s in sents:
            if s not in targets or not pattern.search(s):
                continue
            parts = mixed.get(s) or _clauses(s)
            own = [c for c in parts if pattern.search(c)]
            # "It works when CI fails … within 2 minutes": the target without the lead-in
            whole = _capital(_SUCCESS_LEAD.sub("", s)) if _SUCCESS_LEAD.match(s) else s
            out.extend(own if s in mixed or len(own) < len(parts) else [whole])
        return out

    perf = target_parts(_PERFORMANCE)
    rel = target_parts(_RELIABILITY)
    if perf:
        values[("nfr", "Performance")] = "; ".join(x.rstrip(".") for x in perf)
    if rel:
        values[("nfr", "Reliability")] = "; ".join(x.rstrip(".") for x in rel)
    # A success test in the user's words ("It works when anyone can shorten a link and it
    # redirects in under 50 ms") is the success metric even with a target in it; the target's
    # clause also goes to its NFR bullet.
    # "Metrics go to Prometheus": where monitoring goes is observability, not a success metric.
    tools = [s for s in sents[1:] if _MONITORING.search(s) and not _SUCCESS_LEAD.match(s)]
    for s in tools:
        label = "Logging" if _LOGGING.search(s) else "Tracing" if _TRACING.search(s) else "Metrics"
        key = ("observability", label)
        values[key] = "; ".join(x for x in (values.get(key), s.rstrip(".")) if x)
    success = [
        s
        for s in sents[1:]
        if s not in tools
        and _SUCCESS.search(s)
        and s not in problem_sents
        and (s not in targets or _SUCCESS_LEAD.match(s))
    ]
    if success:
        values[("vision", "Success Metrics")] = "; ".join(
            _capital(_SUCCESS_LEAD.sub("", m).rstrip(".")) for m in success[:3]
        )
    # What the user already ruled out is the Out-of-scope list, in their words.
    non_goals = [s for s in sents[1:] if _NON_GOALS.match(s)]
    if non_goals:
        values[("scope", "Out-of-scope")] = "; ".join(n.rstrip(".") for n in non_goals)
    taken = set(problem_sents) | set(success) | (targets - set(mixed)) | set(user_sents)
    taken |= set(non_goals) | set(elsewhere) | set(tools)
    taken |= {s for s in sents[1:] if _names_only_stack(s)}
    # "Also RSS." continues the list of what v1 does.
    caps = [s for s in sents if (_CAPABILITY.search(s) or _ALSO.match(s)) and s not in taken]
    if not caps and len(sents) > 1:
        caps = [s for s in sents[1:] if s not in taken]
    if not caps and _says_what_it_does(sents[0]) and sents[0] not in user_sents:
        # The opening sentence is the only one that says what v1 does ("Add a streaming
        # parser API: parse_stream() yields sections ..."): it is the problem and the scope.
        caps = [sents[0]]
    if caps:
        values[("scope", "In-scope")] = "; ".join(c.rstrip(".") for c in caps[:6])
    use = [s for s in sents if re.search(r"\buse cases?\b|\bso that\b", s, re.IGNORECASE)]
    # "Team members sign in with Google, see free slots and book or cancel one": what the
    # users do is a use case, in their words.
    use += [s for s in sents[1:] if s not in taken and s not in use and _PEOPLE_DO.match(s)]
    if use:
        values[("personas", "Top Use Cases")] = "; ".join(u.rstrip(".") for u in use[:3])
    return values


# =========================================================================== traits

PRODUCT = {
    "library": r"\b(librar(?:y|ies)|sdk|package|crate|gem|module)\b",
    "cli": r"\b(cli|terminal|command[- ]line|tui|shell)\b",
    # People signing in use screens: a "web service" they sign in to is a web app.
    "web": r"\b(web ?apps?|websites?|web site|browser|dashboard|saas|web ui|frontend|"
    r"sign(?:s|ed)? in|log(?:s|ged)? in)\b",
    "service": r"\b(services?|server|daemon|cache|proxy|gateway|backend|microservices?|"
    r"endpoints?|jwks|fastapi|flask|"
    r"(?:https?|rest(?:ful)?|json|web|graphql|grpc)(?:[ /-](?:json|https?))?[ -]apis?)\b",
    "mobile": r"\b(mobile|ios|android|iphone)\b",
}
# A clause that rules something out ("no server", "Not in v1: Windows, a server") names what
# the product is not: it must not make the product that kind.
# A negation reaches to the end of its clause ("Not in v1: Windows, plugins, a server"), but
# not past a comma that opens a new statement ("no database, hosted on GitHub Pages").
NEGATED = re.compile(
    r"\b(?:no|not|without|never|non-goals?)\b"
    r"(?:(?!,\s*(?:hosted|deployed|written|built|runs?|running|served|stored|released|"
    r"published|shipped|installed|packaged)\b)[^.;:\n])*(?::[^.;\n]*)?",
    re.IGNORECASE,
)
# What the overview's opening phrase says the product is, up to where it says what it does.
HEAD = re.compile(
    r"^(.*?)(?:\b(?:that|which|to|for|with|who)\b|[,.;:\n]|$)", re.IGNORECASE | re.DOTALL
)


def product_kinds(overview: str, text: str) -> set[str]:
    """The kinds of product (PRODUCT keys) the user's words describe. When the overview opens
    by naming a command-line tool or a library ("A command-line tool that builds a static
    site for the browser"), web or service words elsewhere describe what it works on or
    produces, not what it is."""
    found = {
        name
        for name, pattern in PRODUCT.items()
        if re.search(pattern, NEGATED.sub(" ", text), re.IGNORECASE)
    }
    m = HEAD.match(overview.strip())
    head = {
        name
        for name, pattern in PRODUCT.items()
        if m and re.search(pattern, m.group(1), re.IGNORECASE)
    }
    if head and head <= {"cli", "library"}:
        return found - {"web", "service", "mobile"}
    return found


MENTIONS = {
    "payments": r"\b(payments?|billing|invoices?|checkout|subscriptions?)\b",
    "i18n": r"\b(i18n|internationali[sz]|locales?|translations?|multilingual)\b",
    "offline": r"\b(offline)\b",
    "tenants": r"\b(tenants?|multi-tenant|organisations|organizations)\b",
    "mobile": r"\b(mobile|ios|android)\b",
    "single-user": r"\b(single[- ]user|for one user|one user only|just for me|only for me|"
    r"runs? locally|on my (?:own )?(?:laptop|machine|computer))\b",
    # Something it depends on going down: only then is surviving an outage a goal.
    "outage": r"\b(outages?|downtime|goes down|is down|being down|unavailable|unreachable|"
    r"survives?|failover)\b",
    # It produces a site or pages: a web UI is its output, not a non-goal.
    "site": r"\b(static site|web ?sites?|web pages?|html|browsers?)\b",
    # Hosted somewhere named: "everything runs locally" does not hold.
    "hosting": r"\b(github pages|gitlab pages|netlify|vercel|fly\.io|heroku|cloudflare|aws|gcp|"
    r"azure|kubernetes|k8s|render\.com|railway)\b",
    # A small, known audience: "hundreds of concurrent users" or 99.9% would be invented.
    "few-users": r"\b([1-9]\d?[- ](?:person|people|users?|members?)|(?:our|my|a small) "
    r"(?:team|group|family|office|club))\b",
    # It keeps copies of something (a cache): staleness and expiry are its concerns.
    "cache": r"\b(cach(?:e|es|ed|ing))\b",
    # It runs jobs over many items at once: throughput, not latency, is its load.
    "batch": r"\b(batch(?:es)?|bulk|nightly|cron|etl|pipelines?|backfills?)\b",
    # Records carry a status ("with tags and a reading status"): a lifecycle, if a free one.
    "status": r"\bstatus(?:es)?\b",
    # An internal tool ("an internal dashboard", "our company intranet"): nobody pays for it.
    "internal": r"\b(internal|intranet|in-house|inhouse)\b",
    # Its callers are machines ("Our API gateways fetch signing keys from it"): nobody signs in.
    "machine-callers": r"\b(?:gateways?|services?|clients?|servers?|jobs?|workers?|bots?)\s+"
    r"(?:\w+\s+){0,2}?(?:fetch|call|query|poll|pull|hit)(?:s|es|ed)?\b",
    # Its input can be large ("log files of several GB line by line"): memory is a load concern.
    "large": r"\b(large|huge|big|gigabytes?|\d+\s*[gt]i?b|several [gt]b|stream\w*|line by line|"
    r"millions? of|bulk)\b",
}
# Go the language, not the verb ("go live", "users go to"): golang; "in / with / using Go";
# Go capitalized as a list item ("Go, no database") or closing a sentence ("… team, in Go.");
# go before what is written in it ("a Go service", "Go 1.22").
GO_LANG = (
    r"\bgolang\b|\b(?:in|with|using)\s+(?-i:Go)\b|(?-i:\bGo\b)(?=\s*(?:[,;.)]|$))"
    r"|\bgo\b(?=\s+(?:\d|service|library|module|binary|cli|code|program|tool|backend|server))"
)
LANGS = {
    "python": r"\bpython\b",
    "typescript": r"\btypescript\b",
    "javascript": r"\b(javascript|node\.?js)\b",
    "go": GO_LANG,
    "rust": r"\brust\b",
    "java": r"\bjava\b",
    "ruby": r"\bruby\b",
}
AUTH_SAID = {
    "mtls": r"\b(mtls|mutual tls|client certificates?)\b",
    "oauth2": r"\b(oauth ?2?|oidc|openid|sso|(?:sign|log)(?:s|ged)? in with (?:google|github|"
    r"microsoft|gitlab|okta|apple))\b",
}
MANIFEST_LANG = {
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
FAMILY = {"typescript": "js", "javascript": "js"}


def same_lang(a: str, b: str) -> bool:
    return FAMILY.get(a, a) == FAMILY.get(b, b)


def stack_data(text: str) -> dict[str, Any]:
    try:  # core.loader: a 50,000-deep stack.toml is unreadable like a syntax error, not a crash
        return load_toml_text(text, what="stack.toml") if text.strip() else {}
    except LoadError:
        return {}


def without_name(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "name"}


def stack_summary(data: Mapping[str, Any]) -> str:
    """stack.toml as one line: `language=python, runtime=python3.12; not decided yet: framework,
    hosting` (name left out). Settings still "unknown" are listed by name only: a row of
    `x=unknown` read as if there were something to confirm."""
    parts: list[str] = []
    open_: list[str] = []
    for table, values in without_name(data).items():
        if isinstance(values, Mapping):
            for k, v in values.items():
                if v == "unknown":
                    open_.append(k)
                elif not isinstance(v, Mapping):
                    parts.append(f"{k}={v}")
        else:
            parts.append(f"{table}={values}")
    line = ", ".join(parts)
    if open_:
        line += ("; " if line else "") + "not decided yet: " + ", ".join(open_)
    return line


# =========================================================================== brownfield scan

_SKIP_DIRS = frozenset(
    {"node_modules", "venv", ".venv", "env", "__pycache__", "dist", "build", "target", "vendor",
     "site-packages"}
)  # fmt: skip
_CODE_EXTENSIONS = (
    ".py .pyi .js .jsx .ts .tsx .mjs .cjs .go .rs .java .kt .rb .php .cs .c .h .cpp .hpp .cc "
    ".swift .scala .ex .exs .erl .clj .hs .lua .dart .vue .svelte .sh .sql"
)
_CODE_EXT = frozenset(_CODE_EXTENSIONS.split())
_DOC_NAMES = frozenset(
    {"README.md", "README", "README.rst", "AGENTS.md", "CONTEXT.md", "CONTEXT-MAP.md"}
)
_DEF_RE = re.compile(
    r"^\s*(?:async\s+)?(?:def|class|function|func|fn|struct|interface|type|export\s+"
    r"(?:default\s+)?(?:function|class|const))\s+([A-Za-z_][A-Za-z0-9_]*)",
    re.MULTILINE,
)
_STOP_WORDS = (
    "about after also because before being build built could does each existing from have into "
    "just like make more must need only other over same should some such than that their them "
    "then there these they this those thing under user users very want what when where which "
    "while will with within without would your code file files data project tool work works keep "
    "able support supports provide provides using used uses today hour hours minute minutes "
    "second seconds library package python typescript javascript module modules add adds added "
    "simple small large first last every many much even still well good"
)
_STOP = frozenset(_STOP_WORDS.split())
MAX_SCAN_FILES = 3000
MAX_READ_BYTES = 64 * 1024
MAX_TOTAL_BYTES = 6 * 1024 * 1024


def _stem(word: str) -> str:
    for suffix in ("ations", "ation", "ings", "ing", "ers", "er", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def keywords(texts: Iterable[str]) -> list[str]:
    """Distinct stems of the meaningful words in `texts`, in first-seen order; a stem that
    another one contains is dropped ("parse" and "parser" both read as "pars")."""
    out: dict[str, None] = {}
    for text in texts:
        for word in re.findall(r"[A-Za-z][A-Za-z0-9_]{3,}", text):
            low = word.lower()
            if low in _STOP:
                continue
            stem = _stem(low)
            if len(stem) >= 4 and stem not in _STOP:
                out.setdefault(stem, None)
    stems = list(out)
    return [s for s in stems if not any(o != s and o in s for o in stems)]


@dataclass
class RepoFile:
    path: str
    score: float = 0.0
    defs: list[str] = field(default_factory=list)
    hits: dict[str, int] = field(default_factory=dict)
    # each keyword's share of `score` by where it was seen: "path", "text" or "def"
    by_word: dict[tuple[str, str], float] = field(default_factory=dict)

    def add(self, word: str, points: float, where: str) -> None:
        self.score += points
        self.by_word[(word, where)] = self.by_word.get((word, where), 0.0) + points

    def forget(self, word: str, where: str) -> None:
        """Drop what `word` contributed seen `where` (it says nothing about this file in
        particular); a word no longer seen anywhere is no hit."""
        self.score -= self.by_word.pop((word, where), 0.0)
        if not any(w == word for w, _ in self.by_word):
            self.hits.pop(word, None)


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
            lang = MANIFEST_LANG.get(Path(m).name)
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
    entries = walk(
        root,
        max_depth=6,
        max_entries=MAX_SCAN_FILES,
        skip=lambda name, _depth, _is_dir: name in _SKIP_DIRS,
    )
    for entry in entries:
        if cancel is not None and cancel.is_set():
            raise EngineCancelled("cancelled")
        name, rel, depth = entry.name, entry.rel, entry.depth
        if entry.is_dir:
            if depth == 0 and name == "docs":
                docs.append(rel + "/")
            continue
        if not entry.is_file:
            continue
        if name in MANIFEST_LANG:
            manifests.append(rel)
        if name in _DOC_NAMES and depth <= 1:
            docs.append(rel)
        if depth == 0 and name in ("SPEC.md", "stack.toml", "specui.toml", "omx.toml"):
            continue
        if Path(name).suffix.lower() not in _CODE_EXT:
            continue
        rf = RepoFile(rel)
        path_low = rel.lower()
        # module and package names are code names too (`docs2`, `parser`)
        identifiers.update(part.lower() for part in Path(rel).with_suffix("").parts)
        for w in words:
            if w in path_low:
                rf.add(w, 3, "path")
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
                    rf.add(w, 1, "text")
                    matching = [d for d in names if w in d.lower()]
                    if matching:
                        rf.add(w, 2, "def")
                        rf.defs.extend(d for d in matching if d not in rf.defs)
        files.append(rf)
    # A word most code files have in their path or text (the project's own name: its package
    # folder, its imports; in a small package, the word the package is about) tells no file
    # from another there. The names a file defines stay evidence: `parse_lines` says more
    # about _parse.py than "parse" in every file's text says about each.
    common = [
        (w, where)
        for w in words
        for where in ("path", "text")
        if sum((w, where) in f.by_word for f in files) > 0.6 * len(files)
    ]
    rest = {key for f in files for key in f.by_word} - set(common)
    if len(files) >= 4 and rest:
        # (Unless nothing else matches: then every file is as likely as the next.)
        for f in files:
            for w, where in common:
                f.forget(w, where)
    files = [f for f in files if f.score > 0]
    files.sort(key=lambda f: (-f.score, f.path))
    if files and files[0].score >= 3:
        # One passing mention of one word ("generated" in a version file's header) is noise
        # next to files that define or name what the answers are about.
        files = [f for f in files if f.score > 1]
    return RepoScan(manifests, docs, files[:8], identifiers)


def finding_text(f: RepoFile) -> str:
    """What a matching file showed: the names it defines and the answer words it mentions."""
    parts = []
    if f.defs:
        parts.append("defines " + ", ".join(f.defs[:4]))
    hits = sorted(f.hits.items(), key=lambda kv: -kv[1])[:3]
    if hits:
        parts.append(
            "mentions " + ", ".join(f"'{w}…' {n}×" if n else f"'{w}…' in its path" for w, n in hits)
        )
    return "; ".join(parts) or "matches the answers"


# =========================================================================== stack evidence

# Files whose presence names a tool: the package manager (lock files first), CI, hosting.
_PACKAGE_FILES = (
    ("uv.lock", "uv"), ("poetry.lock", "poetry"), ("pdm.lock", "pdm"), ("Pipfile.lock", "pipenv"),
    ("Pipfile", "pipenv"), ("pnpm-lock.yaml", "pnpm"), ("yarn.lock", "yarn"),
    ("bun.lockb", "bun"), ("package-lock.json", "npm"), ("Cargo.toml", "cargo"),
    ("go.mod", "go"), ("Gemfile", "bundler"), ("pom.xml", "maven"), ("build.gradle", "gradle"),
    ("build.gradle.kts", "gradle"),
)  # fmt: skip
_CI_FILES = (
    (".github/workflows", "github-actions"), (".gitlab-ci.yml", "gitlab-ci"),
    (".circleci", "circleci"), ("Jenkinsfile", "jenkins"),
)  # fmt: skip
_HOST_FILES = (
    ("fly.toml", "fly.io"), ("vercel.json", "vercel"), ("netlify.toml", "netlify"),
    ("render.yaml", "render"), ("Procfile", "heroku"), ("app.yaml", "gcp-appengine"),
)  # fmt: skip
# Dependency name -> (stack.toml key, value).
_DEPENDENCY_STACK = {
    "fastapi": ("framework", "fastapi"), "django": ("framework", "django"),
    "flask": ("framework", "flask"), "starlette": ("framework", "starlette"),
    "aiohttp": ("framework", "aiohttp"), "textual": ("framework", "textual"),
    "typer": ("framework", "typer"), "click": ("framework", "click"),
    "next": ("framework", "nextjs"), "express": ("framework", "express"),
    "@nestjs/core": ("framework", "nestjs"), "fastify": ("framework", "fastify"),
    "psycopg": ("primary", "postgres"), "psycopg2": ("primary", "postgres"),
    "psycopg2-binary": ("primary", "postgres"), "asyncpg": ("primary", "postgres"),
    "pg": ("primary", "postgres"), "pymysql": ("primary", "mysql"),
    "mysqlclient": ("primary", "mysql"), "mysql2": ("primary", "mysql"),
    "pymongo": ("primary", "mongodb"), "motor": ("primary", "mongodb"),
    "mongoose": ("primary", "mongodb"), "redis": ("primary", "redis"),
    "ioredis": ("primary", "redis"), "alembic": ("migrations", "alembic"),
    "prisma": ("migrations", "prisma"), "knex": ("migrations", "knex"),
}  # fmt: skip
_STACK_TABLE = {"framework": "app", "primary": "datastore", "migrations": "datastore"}
_DEP_NAME = re.compile(r"^\s*(@?[A-Za-z0-9][A-Za-z0-9._/-]*)")


def _read_small(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            return fh.read(MAX_READ_BYTES).decode("utf-8", "replace")
    except OSError:
        return ""


def repo_product(root: Path, manifests: Iterable[str]) -> str | None:
    """What the repository's top-level manifest says the project is ("cli" when it declares
    commands, else "library"), for an overview that does not say: "Add a strict=True option to
    url_parse()" in a package with no scripts is a library change, not an app for "users"."""
    names = {m for m in manifests if "/" not in m}
    if "pyproject.toml" in names:
        data = stack_data(_read_small(root / "pyproject.toml"))
        project = data.get("project") if isinstance(data.get("project"), Mapping) else {}
        tool = data.get("tool") if isinstance(data.get("tool"), Mapping) else {}
        poetry = tool.get("poetry") if isinstance(tool.get("poetry"), Mapping) else {}
        return "cli" if project.get("scripts") or poetry.get("scripts") else "library"
    for name in ("setup.py", "setup.cfg"):
        if name in names:
            return "cli" if "console_scripts" in _read_small(root / name) else "library"
    if "package.json" in names:
        try:
            data = json.loads(_read_small(root / "package.json"))
        except ValueError:
            return None
        if isinstance(data, dict) and not data.get("private"):
            return "cli" if data.get("bin") else "library"
    if "Cargo.toml" in names:
        if (root / "src" / "main.rs").is_file() or "[[bin]]" in _read_small(root / "Cargo.toml"):
            return "cli"
        return "library" if (root / "src" / "lib.rs").is_file() else None
    return None


def _manifest_facts(root: Path) -> tuple[list[str], str | None, str | None, set[str]]:
    """(manifests read, package manager, runtime, dependency names) of the root's manifests."""
    read: list[str] = []
    package = runtime = None
    deps: set[str] = set()
    py = (
        stack_data(_read_small(root / "pyproject.toml"))
        if (root / "pyproject.toml").is_file()
        else {}
    )
    if py:
        read.append("pyproject.toml")
        project = py.get("project") if isinstance(py.get("project"), Mapping) else {}
        tool = py.get("tool") if isinstance(py.get("tool"), Mapping) else {}
        poetry = tool.get("poetry") if isinstance(tool.get("poetry"), Mapping) else {}
        listed = [d for d in project.get("dependencies", []) if isinstance(d, str)]
        groups = project.get("optional-dependencies")
        if isinstance(groups, Mapping):
            listed += [
                d for g in groups.values() if isinstance(g, list) for d in g if isinstance(d, str)
            ]
        poetry_deps = (
            poetry.get("dependencies") if isinstance(poetry.get("dependencies"), Mapping) else {}
        )
        listed += [str(k) for k in poetry_deps if k != "python"]
        deps.update(m.group(1).lower() for d in listed if (m := _DEP_NAME.match(d)))
        spec = project.get("requires-python") or poetry_deps.get("python")
        if isinstance(spec, str) and spec.strip():
            runtime = "python" + "".join(spec.split())
        for name in ("poetry", "pdm", "uv"):
            if name in tool:
                package = name
                break
    req = root / "requirements.txt"
    if req.is_file():
        read.append("requirements.txt")
        deps.update(
            m.group(1).lower()
            for line in _read_small(req).splitlines()
            if not line.lstrip().startswith(("#", "-")) and (m := _DEP_NAME.match(line))
        )
    pkg = root / "package.json"
    if pkg.is_file():
        try:
            data = json.loads(_read_small(pkg))
        except ValueError:
            data = None
        if isinstance(data, dict):
            read.append("package.json")
            for key in ("dependencies", "devDependencies"):
                if isinstance(data.get(key), dict):
                    deps.update(str(k).lower() for k in data[key])
            engines = data.get("engines")
            node = engines.get("node") if isinstance(engines, dict) else None
            if isinstance(node, str) and node.strip():
                runtime = "node" + "".join(node.split())
    gomod = root / "go.mod"
    if gomod.is_file():
        read.append("go.mod")
        m = re.search(r"^go\s+(\d+\.\d+)", _read_small(gomod), re.MULTILINE)
        if m:
            runtime = f"go{m.group(1)}"
    if package is None:
        package = next((tool for name, tool in _PACKAGE_FILES if (root / name).exists()), None)
        if package is None and "requirements.txt" in read:
            package = "pip"
    return read, package, runtime, deps


def stack_evidence(root: Path, languages: list[str]) -> dict[tuple[str, str], tuple[str, str]]:
    """What the repository's own files say about stack.toml's settings:
    {(table, key): (value, the file that says so)}. A setting no file names is absent (the
    caller records it as "unknown", never another ecosystem's default)."""
    out: dict[tuple[str, str], tuple[str, str]] = {}
    read, package, runtime, deps = _manifest_facts(root)
    where = read[0] if read else ""
    if languages:
        lang = languages[0]
        source = next(
            (m for m in read if MANIFEST_LANG.get(m) in (lang, "javascript")),
            where or next((n for n, x in MANIFEST_LANG.items() if x == lang), ""),
        )
        out[("app", "language")] = (lang, source)
    if package:
        lock = next(
            (n for n, tool in _PACKAGE_FILES if tool == package and (root / n).exists()), where
        )
        out[("app", "package")] = (package, lock or where)
    if runtime:
        out[("app", "runtime")] = (runtime, where)
    for dep in sorted(deps):
        if dep in _DEPENDENCY_STACK:
            key, value = _DEPENDENCY_STACK[dep]
            out.setdefault((_STACK_TABLE[key], key), (value, where))
    for name, tool in _CI_FILES:
        if (root / name).exists():
            out.setdefault(("infra", "ci"), (tool, name))
    for name, host in _HOST_FILES:
        if (root / name).is_file():
            out.setdefault(("infra", "hosting"), (host, name))
    return out


# =========================================================================== stack answers

_TECH: dict[str, tuple[str, str, str]] = {
    # pattern -> (table, key, value)
    r"\bpython\b": ("app", "language", "python"),
    r"\btypescript\b": ("app", "language", "typescript"),
    r"\bjavascript\b|\bnode\.?js\b": ("app", "language", "javascript"),
    GO_LANG: ("app", "language", "go"),
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
    r"\bclick\b": ("app", "framework", "click"),
    r"\btyper\b": ("app", "framework", "typer"),
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
    # Plain files are the datastore too ("data in JSON files", "keys in files on local disk").
    r"\b(?:json|yaml|toml|csv|plain|text|markdown)\s+files?\b|\bfiles? on (?:the )?local disk\b|"
    r"\bon (?:the )?(?:local )?disk\b": ("datastore", "primary", "files"),
    r"\bpypi\b": ("infra", "hosting", "pypi"),
    r"\bcrates\.io\b": ("infra", "hosting", "crates.io"),
    r"\bkubernetes\b|\bk8s\b": ("infra", "hosting", "kubernetes"),
    r"\bgithub pages\b": ("infra", "hosting", "github-pages"),
    r"\bgitlab pages\b": ("infra", "hosting", "gitlab-pages"),
    r"\bnetlify\b": ("infra", "hosting", "netlify"),
    r"\bcloudflare(?: pages| workers)?\b": ("infra", "hosting", "cloudflare"),
    r"\brender\.com\b": ("infra", "hosting", "render"),
    r"\brailway\b": ("infra", "hosting", "railway"),
    r"\bazure\b": ("infra", "hosting", "azure"),
    r"\bfly\.io\b": ("infra", "hosting", "fly.io"),
    r"\bheroku\b": ("infra", "hosting", "heroku"),
    r"\bvercel\b": ("infra", "hosting", "vercel"),
    r"\baws\b": ("infra", "hosting", "aws"),
    r"\bgcp\b|\bcloud run\b": ("infra", "hosting", "gcp"),
    r"\bself[- ]hosted\b|\bon[- ]prem": ("infra", "hosting", "self-hosted"),
    r"\bmtls\b|\bmutual tls\b": ("security", "auth", "mtls"),
    r"\boauth ?2?\b": ("security", "auth", "oauth2"),
}


# A language named with its version is the runtime ("Python 3.12" -> python3.12).
_RUNTIME = {
    r"\bpython\s?(3\.\d+)\b": "python",
    r"\bnode(?:\.?js)?\s?v?(\d+)\b": "node",
    r"\b(?:golang|go)\s?(1\.\d+)\b": "go",
    r"\b(?:java|jdk)\s?(\d+)\b": "jdk",
}


def stack_changes_from_text(
    text: str, keys: Iterable[tuple[str, str]] | None = None
) -> list[StackChange]:
    """The stack.toml settings a free-text answer names (only `keys` when given): per key the
    first mention, a named platform before the generic "self-hosted" ("self-hosted on
    Kubernetes"). A clause that rules something out ("not on Vercel", "Not in v1: a server")
    names nothing, except the explicit "no database"."""
    wanted = set(keys) if keys is not None else None
    affirmed = NEGATED.sub(" ", text)
    found: dict[tuple[str, str], list[tuple[bool, int, str]]] = {}
    for pattern, (table, key, value) in _TECH.items():
        if wanted is not None and (table, key) not in wanted:
            continue
        m = re.search(pattern, text if value == "none" else affirmed, re.IGNORECASE)
        if m:
            found.setdefault((table, key), []).append((value == "self-hosted", m.start(), value))
    if wanted is None or ("app", "runtime") in wanted:
        for pattern, runtime in _RUNTIME.items():
            m = re.search(pattern, affirmed, re.IGNORECASE)
            if m:
                found[("app", "runtime")] = [(False, m.start(), runtime + m.group(1))]
                break
    return [StackChange(table=t, key=k, value=min(v)[2]) for (t, k), v in found.items()]


# =========================================================================== claims

_NUM_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "ten": 10,
    "fifteen": 15, "twenty": 20, "thirty": 30, "sixty": 60,
}  # fmt: skip
# A figure may carry a short unit ("90d", "15 m"); a number word takes a whole unit word after a
# space, so "and" is not "an d" (one day).
_DURATION_RE = re.compile(
    r"\b(?:(\d+(?:\.\d+)?)\s*(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d)"
    r"|(an?|one|two|three|four|five|six|ten|fifteen|twenty|thirty|sixty)\s+"
    r"(seconds?|secs?|minutes?|mins?|hours?|hrs?|days?))\b",
    re.IGNORECASE,
)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_TOPICS = {
    # "Keys are kept in memory only, for 15 minutes" against "cache keys on disk for 60
    # minutes": keeping and caching are one lifetime.
    "how long cached data stays valid": r"\b(ttl|expir\w*|cache\w*|stale|fresh\w*|valid|kept)\b",
    "how long an outage must be survived": r"\b(outage|down|unavailable|survive\w*|offline)\b",
    "how long data is kept": r"\b(retention|retain\w*|history)\b",
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


# "every 5 minutes", "each hour": how often something happens, not how long something lasts.
_PERIOD_BEFORE = re.compile(r"\b(?:every|each|per|once an?)\s*$", re.IGNORECASE)


def claims_of(text: str, round_: int) -> list[Claim]:
    """Facts a clause states that a later answer can contradict (storage, durations, SLOs).
    A clause, not its whole sentence: "the cache serves from disk; a background refresh runs
    every 5 minutes" states where the data lives, and no lifetime at all."""
    out: list[Claim] = []
    clauses = [c.strip() for s in sentences(text) for c in re.split(r";\s+", s) if c.strip()]
    for sent in clauses:
        for kind, pattern in _STORAGE.items():
            if re.search(pattern, sent, re.IGNORECASE):
                out.append(Claim("where the data lives", kind, sent, round_))
                break
        for m in _DURATION_RE.finditer(sent):
            if _PERIOD_BEFORE.search(sent[: m.start()]):
                continue
            # The topic whose word stands nearest the duration: in "a JWKS cache service that
            # survives the provider being down for up to an hour" the hour is the outage's, not
            # the cache's lifetime.
            near = [
                (min(abs(w.start() - m.start()) for w in words), i, topic)
                for i, (topic, pattern) in enumerate(_TOPICS.items())
                if (words := list(re.finditer(pattern, sent, re.IGNORECASE)))
            ]
            if near:
                topic = min(near)[2]
                secs = _duration_seconds(m.group(1) or m.group(3), m.group(2) or m.group(4))
                out.append(Claim(topic, f"{secs:g}s", sent, round_))
            break
        if _AVAIL_TOPIC.search(sent):
            m = _AVAIL_RE.search(sent)
            if m:
                out.append(Claim("the availability target", m.group(1), sent, round_))
    return out


# =========================================================================== scoring facts


@dataclass(frozen=True)
class Fact:
    """One thing a dimension needs known, worth `points` of it (each dimension's sum to 1).

    A fact is met by a bullet the user answered (`items`) or by an answered question of the
    listed kinds (`roles`: a bank role, `challenge:MODE`, `pressure:KIND`): every question the
    protocol asks informs the dimension its answer clarifies, so no answered round is wasted.
    """

    dimension: str
    key: str
    label: str
    points: float
    items: tuple[tuple[str, str], ...] = ()  # (unit, bullet label)
    roles: tuple[str, ...] = ()


FACTS: tuple[Fact, ...] = (
    Fact("intent", "problem", "problem statement", 0.55, (("vision", "Problem & Outcome"),)),
    # "What makes v1 worth building anyway?" (Contrarian) names the driver as well.
    Fact(
        "intent",
        "driver",
        "primary driver",
        0.15,
        (("vision", "Primary Driver"),),
        ("challenge:contrarian",),
    ),
    Fact("intent", "evidence", "a claim backed by evidence", 0.15, (), ("pressure:evidence",)),
    Fact(
        "intent",
        "essence",
        "essence stated",
        0.15,
        (("vision", "Essence"),),
        ("challenge:ontologist",),
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
    # The smallest version worth shipping (Simplifier), or what is given up or deferred to keep
    # a claim (a trade-off follow-up): both draw the MVP boundary.
    Fact("scope", "mvp", "MVP boundary", 0.15, (), ("challenge:simplifier", "pressure:tradeoff")),
    Fact("constraints", "stack", "stack confirmed", 0.30, (("deployment", "Stack"),)),
    Fact("constraints", "performance", "performance target", 0.20, (("nfr", "Performance"),)),
    Fact(
        "constraints",
        "security",
        "auth & privacy model",
        0.20,
        (("security", "Security & Privacy"),),
    ),
    Fact("constraints", "reliability", "reliability target", 0.15, (("nfr", "Reliability"),)),
    # "What has to be true for that to hold?" names a condition that must hold: a constraint.
    Fact(
        "constraints", "assumption", "a hidden assumption named", 0.15, (), ("pressure:assumption",)
    ),
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
        ("challenge:terminologist",),
    ),
)


_SECTION_WORDS: dict[str, tuple[str, ...]] = {
    "vision": ("goal", "outcome", "success", "metric", "user"),
    "scope": ("scope", "out of scope", "non-goal", "v1", "feature"),
    "personas": ("persona", "use case", "user story"),
    "domain": ("entity", "entities", "model", "relationship", "invariant"),
    "interfaces": ("endpoint", "api", "cli", "command", "flag", "screen", "ui", "event", "route"),
    "workflows": ("flow", "step", "edge case", "workflow"),
    "states": ("state", "transition", "lifecycle"),
    "data": ("schema", "storage", "database", "table", "migration", "field", "data"),
    "nfr": ("latency", "performance", "reliab", "availability", "scal", "slo", "p95", "uptime"),
    "security": ("auth", "secur", "privacy", "secret", "permission", "encrypt", "sso"),
    "integrations": ("integration", "webhook", "third-party", "third party", "service"),
    "deployment": ("deploy", "environment", "ci", "docker", "hosting", "config"),
    "observability": ("log", "metric", "trace", "monitor", "health", "alert"),
    "risks": ("risk", "assumption", "trade-off", "tradeoff"),
    "acceptance": ("test", "acceptance", "qa", "check"),
    "milestones": ("milestone", "phase", "release", "mvp"),
    "terminology": ("term", "glossary", "definition"),
}


def sections_by_words(text: str, units: Sequence[str]) -> tuple[list[str], str | None]:
    """`units` with those `text`'s words point to first (by how many of their words it holds,
    then in order), and the one it points to most (None: no word matched)."""
    low = text.lower()
    scores = {k: sum(1 for w in _SECTION_WORDS.get(k, ()) if w in low) for k in units}
    ranked = sorted(units, key=lambda k: -scores[k])  # stable: ties keep SPEC.md's order
    return ranked, ranked[0] if ranked and scores[ranked[0]] else None
