"""The text an agent engine sends the model: templates (data) filled from an `EngineRequest`.

Three templates live in `specui/interview/prompts/` and a project can override each one with
`.specui/prompts/<name>.md` (read every turn, so an edit applies to the next round):

- `interview-rules` — the interviewer's rules (seeds 000 and 004), sent once per thread;
- `interview-turn` — one turn: `{{round}}`, `{{kind}}`, `{{directive}}` (this turn's
  directive as instructions), `{{state}}` (profile, gates, scores, section statuses, open
  questions) and `{{news}}` (what the model has not seen yet: transcript rounds, SPEC.md,
  stack.toml, the repository overview);
- `interview-retry` — the correction after a refused reply: `{{feedback}}`.

Prompts stay lean: a resumed thread already holds the rules and every earlier turn, so a turn
carries only what changed since the model last saw it (`Sent` remembers that per thread): new
answers, and of SPEC.md only the sections whose text changed.
Large files are not pasted: the agent reads the repository itself in the read-only sandbox.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

from specui.core.ambiguity import ambiguity_percent
from specui.core.interview.contract import EngineRequest, TranscriptEntry, reply_json_schema
from specui.core.interview.policy import FINALIZE_REQUEST
from specui.core.spec import SECTION_BY_KEY, UNIT_KEYS, UNIT_TITLES, SpecDocument
from specui.interview.engines.base import EngineError

OVERRIDE_DIR = (".specui", "prompts")
# Placeholders each template must contain (a turn without its directive is not a turn).
REQUIRED: dict[str, frozenset[str]] = {
    "interview-rules": frozenset(),
    "interview-turn": frozenset({"directive", "state", "news"}),
    "interview-retry": frozenset({"feedback"}),
}
KNOWN: dict[str, frozenset[str]] = {
    "interview-rules": frozenset(),
    "interview-turn": frozenset({"round", "kind", "directive", "state", "news"}),
    "interview-retry": frozenset({"feedback"}),
}
# Beyond these sizes a file is not pasted into the prompt; the agent reads it from disk.
MAX_INLINE_FILE = 24_000
MAX_ANSWER = 4_000
MAX_IDEA = 8_000

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")

DIMENSION_TEXT = {
    "intent": "why the person wants this",
    "outcome": "the end state they want",
    "scope": "how far the change goes",
    "constraints": "technical or business limits that must hold",
    "success": "how completion will be judged",
    "context": "how well the existing code is understood (brownfield)",
}
GATE_TEXT = {
    "non_goals": "make explicit what will NOT be built or changed (out of scope); a "
    "multi-answerable set of concrete candidate non-goals that fit this project works well",
    "decision_boundaries": "make explicit what the implementing agent may decide on its own "
    "and what needs the person's confirmation",
    "pressure_pass": "revisit an earlier answer with an evidence, assumption or trade-off "
    "follow-up",
    "closure_audit": "check whether anything left would change execution materially (not "
    "wording, not a narrow edge case)",
}
PRESSURE_TEXT = {
    "evidence": "ask for a concrete example, counterexample or evidence signal behind the claim",
    "assumption": "probe the hidden assumption, dependency or belief that makes the claim true",
    "tradeoff": "force a boundary or trade-off: what would they explicitly not do, defer or reject",
}
CHALLENGE_TEXT = {
    "contrarian": "Contrarian: challenge the core assumption behind the answers so far; ask "
    "what happens if it is false",
    "terminologist": "Terminologist: pin a fuzzy or overloaded term to one canonical meaning "
    "against the repository's own language (docs, code names)",
    "simplifier": "Simplifier: probe the minimal viable scope; what could be cut and still "
    "deliver the outcome",
    "ontologist": "Ontologist: ask for the essence; what this really is, beneath the symptoms "
    "described",
}


@dataclass(frozen=True)
class Sent:
    """What one thread has already seen, so a turn sends only what changed."""

    transcript: int = 0
    spec_hash: str = ""
    spec_parts: tuple[tuple[str, str], ...] = ()  # (section heading, digest) as last shown
    stack_hash: str = ""
    brownfield_hash: str = ""
    idea_hash: str = ""


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "replace")).hexdigest()


# --------------------------------------------------------------------------- templates


def template_path(name: str, project_root: Path) -> tuple[Path, bool]:
    """The file a template comes from and whether it is the project's override."""
    override = project_root.joinpath(*OVERRIDE_DIR, f"{name}.md")
    if override.is_file():
        return override, True
    return Path(str(resources.files("specui.interview").joinpath("prompts", f"{name}.md"))), False


def load_template(name: str, project_root: Path) -> str:
    path, is_override = template_path(name, project_root)
    shown = "/".join((*OVERRIDE_DIR, path.name)) if is_override else f"prompts/{path.name}"
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise EngineError(f"prompt template {shown}: cannot read: {exc}") from None
    found = set(_PLACEHOLDER.findall(text))
    unknown = sorted(found - KNOWN[name])
    if unknown:
        known = ", ".join(f"{{{{{k}}}}}" for k in sorted(KNOWN[name])) or "none"
        raise EngineError(
            f"prompt template {shown}: unknown placeholder {{{{{unknown[0]}}}}} (known: {known})"
        )
    missing = sorted(REQUIRED[name] - found)
    if missing:
        raise EngineError(f"prompt template {shown}: missing placeholder {{{{{missing[0]}}}}}")
    return text


def fill(template: str, values: dict[str, str]) -> str:
    """Replace every `{{name}}` in one pass (a value that contains `{{x}}` stays as it is)."""
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template).strip() + "\n"


# --------------------------------------------------------------------------- rendering


def render_rules(project_root: Path) -> str:
    return fill(load_template("interview-rules", project_root), {})


def render_retry(feedback: str, project_root: Path) -> str:
    return fill(load_template("interview-retry", project_root), {"feedback": feedback.strip()})


def render_turn(request: EngineRequest, sent: Sent | None, project_root: Path) -> tuple[str, Sent]:
    """The turn prompt and what the thread will have seen once it is delivered.

    `sent` None: the model has seen nothing of this interview's state (a new thread, or a
    thread resumed by a fresh specui process), so everything is included.
    """
    template = load_template("interview-turn", project_root)
    news, after = _news(request, sent or Sent())
    text = fill(
        template,
        {
            "round": str(request.directive.round),
            "kind": request.directive.kind,
            "directive": render_directive(request),
            "state": _state(request),
            "news": news,
        },
    )
    return text, after


def render_directive(request: EngineRequest) -> str:
    d = request.directive
    lines = ["## This turn", _kind_line(request)]
    if d.target_dimension is not None and d.kind not in ("final", "summary"):
        lines.append(
            f"- Target dimension: {d.target_dimension} ({DIMENSION_TEXT[d.target_dimension]})."
        )
    if d.target_section is not None:
        lines.append(
            f"- Target section: {_section_title(d.target_section)} (`{d.target_section}`)."
        )
    if d.gate is not None:
        lines.append(
            f"- Gate `{d.gate}`: {GATE_TEXT[d.gate]}. When an answer makes a gate explicit, "
            "report it in gate_evidence with that answer's round."
        )
    if d.pressure_followup:
        kind = d.pressure_kind or "assumption"
        which = (
            f"round {d.revisit_round}'s answer"
            if d.revisit_round is not None
            else "the earlier answer with the most leverage"
        )
        target = d.revisit_round if d.revisit_round is not None else "<that round>"
        lines.append(
            f"- Pressure follow-up ({kind}): revisit {which} and {PRESSURE_TEXT[kind]}. Set "
            f'pressure = {{"revisits_round": {target}, "kind": "{kind}"}}.'
        )
    if d.challenge_mode is not None:
        lines.append(f"- Challenge mode, used once: {CHALLENGE_TEXT[d.challenge_mode]}.")
    if d.require_human_judgment:
        lines.append(
            "- Dialectic Rhythm Guard: the last answers were confirmations or came from code. "
            'Ask for the person\'s own judgment (source "user"), not a confirmation.'
        )
    if d.answer_is_deferral:
        lines.append(
            "- The last answer deferred the decision. Choose a sensible default; report it in "
            "deferrals (section, topic, default, rationale); write the default into that "
            "section marked as a default, and into Risks, Assumptions & Trade-offs. A deferral "
            "is not clarity: do not raise a score for it."
        )
    if d.contradiction is not None and d.contradiction_choice is not None:
        c = d.contradiction
        lines.append(
            f"- The person settled a contradiction about {c.topic}: "
            f'"{c.statement_a}" ({c.where_a}) against "{c.statement_b}" ({c.where_b}). '
            f'They chose: "{d.contradiction_choice}". Patch every section where the other '
            "statement stood so that only the chosen one remains."
        )
    if d.default_sections:
        names = ", ".join(f"{_section_title(k)} (`{k}`)" for k in d.default_sections)
        lines.append(
            f"- The person accepted recommended defaults for: {names}. Patch each of these "
            "sections so that no placeholder is left: in every bullet still open, write the "
            "default you recommend for this project, marked \"Default (assumed): ... "
            "(rationale: ...)\", consistent with everything known. Report each default in "
            "deferrals (section, topic, default, rationale), and resolve the open questions they "
            "settle. Then ask about the target section; "
            "when nothing is left below clarified and no open question, set question null and "
            "ready_to_crystallize true."
        )
    if d.protected_sections:
        names = ", ".join(f"`{k}`" for k in d.protected_sections)
        lines.append(f"- Do not patch these sections: {names}.")
    lines.extend(f"- {note}" for note in d.notes)
    return "\n".join(lines)


def _kind_line(request: EngineRequest) -> str:
    d = request.directive
    cap = request.max_rounds
    if d.kind == "overview":
        return (
            f"Round {d.round} of at most {cap}: the opening question. Start from the initial "
            "idea (and, in a brownfield repository, what you read there) and ask the one "
            "question that most clarifies why they want this and what outcome they expect. "
            "Without an initial idea, ask for an overview of what they want to build and why."
        )
    if d.kind == "ordinary":
        return (
            f"Round {d.round} of at most {cap} (a cap, not a target). Process the answer below "
            "(scores, patches, evidence), then ask the sharpest next question."
        )
    if d.kind == "closure":
        return (
            f"Round {d.round}: the ambiguity is at or below the threshold. Ask only a final "
            "closure question that names the unresolved gate and would change execution "
            "materially. If no question would, set ready_to_crystallize: true and question: "
            "null, with gate_evidence for the rounds that made the gates explicit."
        )
    if d.kind == "final":
        return (
            f"Round {d.round} was the last one (the profile's hard cap). Process the answer "
            "below (scores, patches, evidence) and ask nothing: question null, "
            "ready_to_crystallize true."
        )
    if d.kind == "validation":
        return (
            f"Validation step {d.round} (seed 000): the interview is over. Re-read SPEC.md for "
            "contradictions, TODOs and placeholders and ask the single most critical question "
            "that lets the target section reach 'clarified' or settles an open question. "
            "Report any contradiction you find. An open question that starts with "
            f"\"{FINALIZE_REQUEST}:\" is a change the person asked for at the finalize "
            "question: patch it into the section it belongs to and resolve it (ask where it "
            "goes only when that is unclear)."
        )
    return (
        "The initial context is too large for a prompt. Ask only for a concise prompt-safe "
        "summary (free-text); score nothing (scores: []) and patch nothing."
    )


def _section_title(key: str) -> str:
    if key in SECTION_BY_KEY:
        return SECTION_BY_KEY[key].title
    return UNIT_TITLES.get(key, key)


def _percent(value: float) -> str:
    return f"{ambiguity_percent(value)}%"  # the one half-up rule of every percentage shown


def _state(request: EngineRequest) -> str:
    gates = request.gates
    gate_words = ", ".join(
        f"{name.replace('_', ' ')} {'explicit' if getattr(gates, name) else 'open'}"
        for name in ("non_goals", "decision_boundaries", "pressure_pass", "closure_audit")
    )
    lines = [
        "## Interview state",
        (
            f"- {request.interview_type}, profile {request.profile}: threshold "
            f"{_percent(request.threshold)}, at most {request.max_rounds} rounds; ambiguity "
            f"now {_percent(request.ambiguity)} (specui computes it from your scores)."
        ),
        f"- Gates: {gate_words}.",
    ]
    if request.autoresearch:
        lines.append(
            "- Autoresearch interview: focus on mission, evaluator readiness (a runnable "
            "evaluator command, no placeholders), keep policy and slug."
        )
    if request.challenge_modes_used:
        lines.append(f"- Challenge modes already used: {', '.join(request.challenge_modes_used)}.")
    if request.scores:
        scores = "; ".join(
            f"{s.dimension} {s.score:.2f}" + (f" (gap: {_one_line(s.gap, 120)})" if s.gap else "")
            for s in request.scores
        )
        lines.append(f"- Scores: {scores}.")
    if request.sections:
        by_status: dict[str, list[str]] = {}
        for info in request.sections:
            by_status.setdefault(info.status, []).append(info.key)
        tally = "; ".join(
            f"{status}: {', '.join(keys)}"
            for status in ("final", "clarified", "drafted", "unknown")
            if (keys := by_status.get(status))
        )
        lines.append(f"- SPEC.md sections by status: {tally}.")
    if request.open_questions:
        lines.append("- Open questions (quote exactly to resolve):")
        lines.extend(f"  - {_one_line(q, 300)}" for q in request.open_questions)
    return "\n".join(lines)


def _one_line(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _clip(text: str, limit: int, where: str) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n[… {len(text) - limit:,} more characters; {where}]"


def _entry_block(entry: TranscriptEntry, marker: str) -> str:
    source = {"user": "", "code": ", confirmed from code", "research": ", from research"}
    head = f"Round {entry.round}"
    if entry.phase == "validation":
        head = f"Validation step {entry.round}"
    head += f" ({entry.kind}, {entry.dimension}{source.get(entry.source, '')})"
    if entry.deferral:
        head += " [deferral]"
    lines = [head + marker, f"Q: {_one_line(entry.question, 600)}"]
    if entry.options:
        lines.append("Options: " + " | ".join(_one_line(o, 120) for o in entry.options))
    answer = _clip(entry.answer.strip(), MAX_ANSWER, "the full answer is in .specui/session.json")
    lines.append(f"A: {answer}")
    return "\n".join(lines)


def _file_block(name: str, text: str) -> str:
    if len(text) > MAX_INLINE_FILE:
        return (
            f"## {name}\n{name} changed and holds {len(text):,} characters: too much to paste. "
            f"Read the parts you need from the file itself (`sed -n`, `rg`)."
        )
    return f'## {name}\n<file path="{name}">\n{text.rstrip()}\n</file>'


def _section_keys() -> str:
    lines = ["## Section keys (for patches and deferrals)"]
    for key in UNIT_KEYS:
        if key == "security":
            lines.append(
                "- `security`: the `- **Security & Privacy**:` item of section 9 on its own "
                "(patch it as that one bullet; an `nfr` patch leaves it as it is)"
            )
        else:
            section = SECTION_BY_KEY[key]
            lines.append(f"- `{key}`: {section.number}. {section.title}")
    return "\n".join(lines)


def _spec_parts(text: str) -> list[tuple[str, str]]:
    """SPEC.md cut at its `## ` headings: ("(top)", title and preamble), then each section
    (heading line included) named by its heading; a repeated heading gets "#2", "#3"."""
    spans = SpecDocument(text).sections
    parts = [("(top)", text[: spans[0].start if spans else len(text)])]
    seen: dict[str, int] = {}
    for span in spans:
        seen[span.title] = seen.get(span.title, 0) + 1
        name = span.title if seen[span.title] == 1 else f"{span.title} #{seen[span.title]}"
        parts.append((name, text[span.start : span.end]))
    return parts


def _spec_changes(parts: list[tuple[str, str]], before: dict[str, str]) -> str:
    """Only the sections that differ from what the thread saw last (the model's own patches
    come back as applied, next to any edit the user made)."""
    changed = [text.rstrip() for name, text in parts if before.get(name) != _digest(text)]
    names = {name for name, _ in parts}
    gone = [name for name in before if name not in names]
    lines = ["## SPEC.md: sections changed since your last turn (as the file holds them now)"]
    body = "\n\n".join(t for t in changed if t)
    if len(body) > MAX_INLINE_FILE:
        lines.append(
            f"They hold {len(body):,} characters: too much to paste. Read them from the file "
            "itself (`sed -n`, `rg`)."
        )
    elif body:
        lines.append(f'<file path="SPEC.md" part="changed sections">\n{body}\n</file>')
    if gone:
        lines.append("Sections no longer in the file: " + ", ".join(gone) + ".")
    return "\n".join(lines)


def _news(request: EngineRequest, sent: Sent) -> tuple[str, Sent]:
    blocks: list[str] = []
    if sent == Sent():  # the model has seen nothing yet: once per thread
        blocks.append(_section_keys())
    idea_hash = _digest(request.initial_idea)
    if request.initial_idea.strip() and idea_hash != sent.idea_hash:
        idea = _clip(request.initial_idea.strip(), MAX_IDEA, "the rest is in .specui/session.json")
        blocks.append(f"## Initial idea\n{idea}")
    transcript = request.transcript
    start = sent.transcript if sent.transcript <= len(transcript) else 0
    fresh = transcript[start:]
    if fresh:
        last = request.last_answer
        entries = []
        for entry in fresh:
            is_last = last is not None and entry.round == last.round and entry.phase == last.phase
            entries.append(
                _entry_block(entry, "  <- the answer this turn processes" if is_last else "")
            )
        title = "Transcript" if start == 0 else "New answers"
        blocks.append(f"## {title}\n" + "\n\n".join(entries))
    elif request.last_answer is not None:
        blocks.append("## New answer\n" + _entry_block(request.last_answer, ""))
    spec_hash = _digest(request.spec_md)
    parts = _spec_parts(request.spec_md)
    spec_parts = tuple((name, _digest(text)) for name, text in parts)
    if spec_hash == sent.spec_hash:
        blocks.append("SPEC.md is unchanged since your last turn.")
    elif not request.spec_md.strip():
        blocks.append("## SPEC.md\n(missing or empty)")
    elif not sent.spec_parts:
        blocks.append(_file_block("SPEC.md", request.spec_md))
    else:
        blocks.append(_spec_changes(parts, dict(sent.spec_parts)))
    stack_hash = _digest(request.stack_toml)
    if stack_hash != sent.stack_hash:
        if request.stack_toml.strip():
            blocks.append(_file_block("stack.toml", request.stack_toml))
        else:
            blocks.append("## stack.toml\n(missing or empty)")
    brownfield = request.brownfield
    brown_json = brownfield.model_dump_json() if brownfield is not None else ""
    brown_hash = _digest(brown_json)
    if brownfield is not None and brown_hash != sent.brownfield_hash:
        parts = ["## Repository (brownfield): read what matters before you ask"]
        for label, values in (
            ("Manifests", brownfield.manifests),
            ("Languages", brownfield.languages),
            ("Docs and rules", brownfield.docs),
            ("Some files", brownfield.files_sample),
        ):
            if values:
                parts.append(f"- {label}: {', '.join(values[:40])}")
        if brownfield.snapshot_path:
            parts.append(f"- Context snapshot: {brownfield.snapshot_path}")
        blocks.append("\n".join(parts))
    after = replace(
        sent,
        transcript=len(transcript),
        spec_hash=spec_hash,
        spec_parts=spec_parts,
        stack_hash=stack_hash,
        brownfield_hash=brown_hash,
        idea_hash=idea_hash,
    )
    return "\n\n".join(blocks), after


def request_for_command(request: EngineRequest, feedback: str | None, project_root: Path) -> dict:
    """What the command engine writes on stdin: the request, plus `feedback` (the refused
    reply's problems, or null), `prompt` (the full prompt the Codex engine would send on a
    new thread: rules and this turn) and `reply_schema` (the JSON Schema the reply must meet),
    so an adapter can hand both to any model as they are."""
    turn, _ = render_turn(request, None, project_root)
    prompt = render_rules(project_root) + "\n" + turn
    if feedback:
        prompt += "\n" + render_retry(feedback, project_root)
    data = json.loads(request.model_dump_json())
    data["feedback"] = feedback
    data["prompt"] = prompt
    data["reply_schema"] = reply_json_schema()
    return data


__all__ = [
    "Sent",
    "load_template",
    "render_directive",
    "render_retry",
    "render_rules",
    "render_turn",
    "request_for_command",
    "template_path",
]
