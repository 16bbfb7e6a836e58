"""The agent engines' prompts: templates as data with per-project overrides, the directive as
instructions, lean resumed turns, no huge files pasted; Codex activity lines and the extra
arguments that may not lift its read-only sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from specui.core.interview.contract import (
    BrownfieldContext,
    Contradiction,
    Directive,
    EngineRequest,
    TranscriptEntry,
)
from specui.core.interview.state import EngineSession
from specui.interview.engines.base import EngineError
from specui.interview.engines.codex import (
    CodexEngine,
    EventReader,
    describe_command,
    write_schema,
)
from specui.interview.engines.prompt import (
    MAX_INLINE_FILE,
    load_template,
    render_directive,
    render_retry,
    render_rules,
    render_turn,
    request_for_command,
    template_path,
)


def entry(n: int, answer: str = "The platform team runs it.") -> TranscriptEntry:
    return TranscriptEntry(round=n, kind="ordinary", dimension="scope",
                           question=f"Question {n}?", options=["A", "B"], answer=answer)


def make(root, **over) -> EngineRequest:
    data = {
        "project_dir": str(root),
        "directive": Directive(kind="ordinary", round=2, target_dimension="scope"),
        "profile": "standard",
        "interview_type": "greenfield",
        "threshold": 0.2,
        "max_rounds": 12,
        "ambiguity": 0.64,
        "initial_idea": "A JWKS cache.",
        "spec_md": "# SPEC: demo\n",
        "stack_toml": '[app]\nlanguage = "python"\n',
    }
    data.update(over)
    return EngineRequest(**data)


def test_the_packaged_templates_load(tmp_path):
    assert "ONE JSON object" in render_rules(tmp_path)
    assert "refused" in render_retry("scores[0]: bad", tmp_path)
    path, override = template_path("interview-turn", tmp_path)
    assert not override and path.is_file()


def test_a_project_override_wins_and_is_read_every_turn(tmp_path):
    folder = tmp_path / ".specui" / "prompts"
    folder.mkdir(parents=True)
    (folder / "interview-rules.md").write_text("House rules: ask in French.\n")
    assert render_rules(tmp_path) == "House rules: ask in French.\n"
    (folder / "interview-rules.md").write_text("House rules: ask in German.\n")
    assert "German" in render_rules(tmp_path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{{directive}} {{state}}", "missing placeholder {{news}}"),
        ("{{directive}} {{state}} {{news}} {{secret}}", "unknown placeholder {{secret}}"),
    ],
)
def test_a_broken_override_is_one_clear_error(tmp_path, text, message):
    folder = tmp_path / ".specui" / "prompts"
    folder.mkdir(parents=True)
    (folder / "interview-turn.md").write_text(text)
    with pytest.raises(EngineError) as err:
        load_template("interview-turn", tmp_path)
    assert message in str(err.value)
    assert ".specui/prompts/interview-turn.md" in str(err.value)


def test_values_are_not_expanded_again(tmp_path):
    req = make(tmp_path, transcript=[entry(1, "I typed {{directive}} on purpose")],
               last_answer=entry(1, "I typed {{directive}} on purpose"))
    text, _ = render_turn(req, None, tmp_path)
    assert "I typed {{directive}} on purpose" in text


def test_a_fresh_turn_has_everything_and_a_resumed_turn_only_what_changed(tmp_path):
    first = make(tmp_path, directive=Directive(kind="overview", round=1, target_dimension="intent"))
    text1, sent = render_turn(first, None, tmp_path)
    assert "## Initial idea\nA JWKS cache." in text1
    assert "- `security`: the `- **Security & Privacy**:` item of section 9" in text1
    assert "- `nfr`: 9. Non-Functional Requirements (NFRs)" in text1
    assert '<file path="SPEC.md">' in text1 and '<file path="stack.toml">' in text1

    second = make(tmp_path, transcript=[entry(1)], last_answer=entry(1))
    text2, sent2 = render_turn(second, sent, tmp_path)
    assert "Initial idea" not in text2 and "Section keys" not in text2
    assert "SPEC.md is unchanged since your last turn." in text2
    assert "stack.toml" not in text2
    assert "## Transcript\nRound 1 (ordinary, scope)  <- the answer this turn processes" in text2
    assert "A: The platform team runs it." in text2

    third = make(tmp_path, transcript=[entry(1), entry(2, "Python only")],
                 last_answer=entry(2, "Python only"))
    text3, _ = render_turn(third, sent2, tmp_path)
    assert "Question 1?" not in text3 and "## New answers\nRound 2" in text3


def test_a_resumed_turn_carries_only_the_sections_that_changed(tmp_path):
    spec = (
        "# SPEC: demo\n\n## 1. Vision & Goals\n- **Problem & Outcome**: <why>\n\n"
        "## 2. Scope & Non-Goals\n- **In-scope**: <what>\n\n## 18. Notes\nkeep me\n"
    )
    _, sent = render_turn(make(tmp_path, spec_md=spec), None, tmp_path)
    patched = spec.replace("<why>", "survive an IdP outage").replace("keep me", "edited")
    text, sent2 = render_turn(make(tmp_path, spec_md=patched), sent, tmp_path)
    assert "## SPEC.md: sections changed since your last turn" in text
    assert "## 1. Vision & Goals\n- **Problem & Outcome**: survive an IdP outage" in text
    assert "## 18. Notes\nedited" in text  # a section the template does not know, too
    assert "Scope & Non-Goals" not in text and "# SPEC: demo" not in text
    dropped = patched.replace("## 18. Notes\nedited\n", "")
    text2, _ = render_turn(make(tmp_path, spec_md=dropped), sent2, tmp_path)
    assert "Sections no longer in the file: 18. Notes." in text2


def test_a_huge_spec_is_not_pasted(tmp_path):
    req = make(tmp_path, spec_md="- x\n" * MAX_INLINE_FILE)
    text, _ = render_turn(req, None, tmp_path)
    assert len(text) < 8_000
    assert "too much to paste" in text


def test_long_answers_are_clipped_with_a_pointer(tmp_path):
    long = "word " * 5_000
    req = make(tmp_path, transcript=[entry(1, long)], last_answer=entry(1, long))
    text, _ = render_turn(req, None, tmp_path)
    assert len(text) < 8_000 and ".specui/session.json" in text


def test_brownfield_context_is_listed_once(tmp_path):
    bf = BrownfieldContext(manifests=["pyproject.toml"], languages=["python"],
                           docs=["README.md"], files_sample=["src/parser.py"])
    req = make(tmp_path, interview_type="brownfield", brownfield=bf)
    text, sent = render_turn(req, None, tmp_path)
    assert "Manifests: pyproject.toml" in text and "src/parser.py" in text
    again, _ = render_turn(req, sent, tmp_path)
    assert "Manifests" not in again


@pytest.mark.parametrize(
    ("directive", "expected"),
    [
        (Directive(kind="ordinary", round=3, gate="non_goals", target_dimension="scope"),
         "Gate `non_goals`: make explicit what will NOT be built"),
        (Directive(kind="ordinary", round=4, pressure_followup=True, pressure_kind="evidence",
                   revisit_round=3), '"revisits_round": 3, "kind": "evidence"'),
        (Directive(kind="ordinary", round=4, pressure_followup=True, pressure_kind="assumption"),
         "the earlier answer with the most leverage"),
        (Directive(kind="ordinary", round=5, challenge_mode="simplifier"),
         "Simplifier: probe the minimal viable scope"),
        (Directive(kind="ordinary", round=5, require_human_judgment=True),
         "Dialectic Rhythm Guard"),
        (Directive(kind="ordinary", round=5, answer_is_deferral=True),
         "report it in deferrals"),
        (Directive(kind="closure", round=6, gate="decision_boundaries"),
         "final closure question"),
        (Directive(kind="final", round=12), "ask nothing: question null"),
        (Directive(kind="validation", round=1, target_section="nfr"),
         "Target section: Non-Functional Requirements (NFRs) (`nfr`)"),
        (Directive(kind="validation", round=2, target_section="nfr",
                   default_sections=["domain", "workflows"]),
         ("accepted recommended defaults for: Domain Model (`domain`), Workflows (`workflows`). "
          "Patch each of these sections so that no placeholder is left")),
        (Directive(kind="ordinary", round=2, protected_sections=["open_questions", "vision"]),
         "Do not patch these sections: `open_questions`, `vision`"),
        (Directive(kind="ordinary", round=2, notes=["Midpoint: round 6 of at most 12"]),
         "- Midpoint: round 6 of at most 12"),
        (Directive(
            kind="ordinary", round=3,
            contradiction=Contradiction(topic="cache storage", statement_a="disk, 60 minutes",
                                        where_a="round 2", statement_b="memory only, 15 minutes",
                                        where_b="nfr"),
            contradiction_choice="disk, 60 minutes"),
         'They chose: "disk, 60 minutes"'),
    ],
)
def test_the_directive_becomes_instructions(tmp_path, directive, expected):
    assert expected in render_directive(make(tmp_path, directive=directive))


def test_the_command_request_carries_prompt_schema_and_feedback(tmp_path):
    data = request_for_command(make(tmp_path), "scores[0].score: too big", tmp_path)
    assert data["feedback"] == "scores[0].score: too big"
    assert data["prompt"].startswith("You are the interviewer behind specui")
    assert "scores[0].score: too big" in data["prompt"]
    assert data["reply_schema"]["additionalProperties"] is False
    assert EngineRequest.model_validate(data).directive.round == 2


@pytest.mark.parametrize(
    ("command", "line"),
    [
        ("/bin/bash -lc 'cat src/app.py'", "reading src/app.py"),
        ("/bin/bash -lc \"sed -n '1,80p' src/parser.py\"", "reading src/parser.py"),
        ("/bin/bash -lc 'rg -n parse src'", "searching parse src"),
        ("/bin/bash -lc 'ls -la'", "listing ."),
        ("/bin/bash -lc 'cat a.py | wc -l'", "running cat a.py | wc -l"),
        ("pytest -q", "running pytest -q"),
        ("/bin/bash -lc 'cat \x1b]0;title\x07evil.py'", "reading evil.py"),
    ],
)
def test_commands_become_activity_lines(command, line):
    assert describe_command(command) == line


def test_events_fold_into_activity_and_a_reply():
    seen: list[str] = []
    reader = EventReader(seen.append)
    for line in (
        '{"type":"thread.started","thread_id":"t-1"}',
        '{"type":"item.completed","item":{"id":"0","type":"error","message":"metadata"}}',
        '{"type":"error","message":"Reconnecting... 1/5"}',
        ('{"type":"item.started","item":{"id":"1","type":"command_execution",'
        '"command":"/bin/bash -lc \'cat README.md\'","status":"in_progress"}}'),
        '{"type":"item.completed","item":{"id":"2","type":"agent_message","text":"{}"}}',
        "not json",
    ):
        reader(line)
    assert seen == ["Reconnecting... 1/5", "reading README.md"]
    assert reader.outcome.thread_id == "t-1" and reader.outcome.reply == "{}"
    assert reader.outcome.failure is None
    reader('{"type":"turn.failed","error":{"message":"quota \\u001b[31mexceeded"}}')
    assert reader.outcome.failure == "quota exceeded"


@pytest.mark.parametrize(
    "args",
    [
        ["--dangerously-bypass-approvals-and-sandbox"],
        ["--sandbox", "workspace-write"],
        ["--sandbox=danger-full-access"],
        ["--add-dir", "/"],
        ["-c", 'sandbox_mode="workspace-write"'],
        ["--config", "approval_policy=never"],
    ],
)
def test_codex_args_cannot_lift_the_read_only_sandbox(args):
    with pytest.raises(EngineError) as err:
        CodexEngine(EngineSession(engine="codex"), args=args)
    assert "not allowed" in str(err.value) and "read-only" in str(err.value)


def test_harmless_codex_args_are_kept():
    engine = CodexEngine(EngineSession(), args=["-c", 'model_reasoning_effort="high"'])
    argv = engine.resume_argv("t-1", Path("/p/.specui/schema.json"))
    assert argv[-3:] == ["-c", 'sandbox_mode="read-only"', "-"]
    assert 'model_reasoning_effort="high"' in argv


def test_an_unwritable_project_is_one_clear_error(tmp_path):
    (tmp_path / ".specui").write_text("a file where the folder should be")
    with pytest.raises(EngineError) as err:
        write_schema(tmp_path)
    assert str(err.value).startswith("cannot write .specui/engine-reply.schema.json: ")
    assert "\n" not in str(err.value)
