"""Property: whatever the user answers and whatever the protocol directs, every offline reply is
valid under `parse_reply` and its patches keep SPEC.md's rules (no heading, no duplicate label,
no template placeholder that was not already there, nothing written into a protected section,
every deferral's default written into its section)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_offline_engine import CLI_IDEA, LIBRARY_IDEA, SERVICE_IDEA, Session

from specui.core.interview.contract import Contradiction
from specui.core.spec import (
    SpecDocument,
    first_placeholder,
    norm_label,
    parse_items,
    placeholder_status,
)

TEXTS = st.sampled_from(
    [
        "## On disk\n```\n<dir>",
        "decide for me",
        "TBD",
        "## 2. Scope\n```",
        "<something> and TODO",
        "Keys are kept in memory only, for 15 minutes.",
        "It must cache keys on disk for 60 minutes.",
        "term: meaning\nother: thing",
        "Python with FastAPI on Kubernetes",
        "x",
    ]
)
DIRECTIVES = st.sampled_from(
    [
        {"kind": "ordinary", "target_dimension": "intent"},
        {"kind": "ordinary", "target_dimension": "constraints"},
        {"kind": "ordinary", "target_dimension": "success"},
        {"kind": "ordinary", "gate": "non_goals", "target_dimension": "scope"},
        {"kind": "ordinary", "gate": "decision_boundaries", "target_dimension": "scope"},
        {"kind": "ordinary", "challenge_mode": "contrarian"},
        {"kind": "ordinary", "challenge_mode": "simplifier"},
        {
            "kind": "ordinary",
            "pressure_followup": True,
            "pressure_kind": "assumption",
            "revisit_round": 1,
        },
        {"kind": "closure", "gate": "closure_audit"},
        {"kind": "validation", "target_section": "data"},
        {"kind": "validation", "target_section": "observability"},
        {"kind": "ordinary", "protected_sections": ["vision", "scope"]},
        {"kind": "ordinary", "settle": True},
    ]
)
CONTRADICTION = Contradiction(
    topic="where the data lives",
    statement_a="It must cache keys on disk for 60 minutes.",
    where_a="round 1",
    statement_b="Keys are kept in memory only, for 15 minutes.",
    where_b="round 2",
)
STEP = st.tuples(DIRECTIVES, st.integers(0, 8), st.booleans(), TEXTS)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    idea=st.sampled_from([CLI_IDEA, SERVICE_IDEA, LIBRARY_IDEA]), steps=st.lists(STEP, max_size=8)
)
def test_replies_keep_the_spec_rules(idea: str, steps: list) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        s = Session(Path(tmp))
        s.overview(idea)
        for directive, pick, typed, text in steps:
            q = s.question
            if q is None:
                break
            deferral = False
            if q.type == "free-text" or (typed and q.allow_other):
                s.answer(text=text, deferral=text == "decide for me")
                deferral = text == "decide for me"
            else:
                label = q.options[pick % len(q.options)].label
                deferral = label == "Decide for me"
                s.answer(picks=[label], deferral=deferral)
            before = SpecDocument.parse(s.spec)
            d = dict(directive)
            kind = d.pop("kind")
            if d.pop("settle", False):
                # the user settled a contradiction with whatever they typed
                d.update(contradiction=CONTRADICTION, contradiction_choice=text)
                deferral = text in ("decide for me", "no preference")
            reply = s.turn(kind, answer_is_deferral=deferral, **d)  # parse_reply inside
            protected = set(d.get("protected_sections", [])) | {"open_questions"}
            bodies = {}
            for p in reply.patches:
                assert p.section not in protected
                body = p.body
                bodies[p.section] = body
                assert body.strip()
                assert not any(line.startswith(("# ", "## ")) for line in body.splitlines())
                labels = [norm_label(i.label) for i in parse_items(body)]
                assert len(labels) == len(set(labels)), body
                if placeholder_status(body) != "clarified":
                    hole = first_placeholder(body)
                    assert hole is None or hole in (before.unit_text(p.section) or ""), hole
            for dfr in reply.deferrals:
                assert dfr.default in bodies[dfr.section]
            if "contradiction_choice" in d:
                rejected = [
                    x for x in (CONTRADICTION.statement_a, CONTRADICTION.statement_b)
                    if " ".join(x.split()).casefold() != " ".join(text.split()).casefold()
                ]  # fmt: skip
                assert not any(x in body for x in rejected for body in bodies.values())
            if deferral and not protected & {"vision", "scope"}:
                # the policy refuses a reply to a deferral that reports no default
                assert reply.deferrals
