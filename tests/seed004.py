"""Seed 004's canonical structured-question payloads (§2b), word for word.

Shared by the question, bridge and UI tests; a test that needs a variant derives it
(`{**MULTI, "allow_other": True}`) so the canonical shapes live in one place.
"""

SINGLE = {
    "question": "Which execution lane should own this once the interview is complete?",
    "type": "single-answerable",
    "options": [
        {
            "label": "Plan first",
            "value": "ralplan",
            "description": "Need architecture and test-shape review before execution",
        },
        {
            "label": "Execute directly",
            "value": "autopilot",
            "description": "Requirements are already explicit enough for planning plus execution",
        },
        {
            "label": "Refine further",
            "value": "refine",
            "description": "Clarification is still needed before any handoff",
        },
    ],
    "allow_other": False,
    "other_label": "Other",
    "source": "deep-interview",
}

MULTI = {
    "question": "Which non-goals must stay out of scope for the first pass?",
    "type": "multi-answerable",
    "options": [
        {
            "label": "No UI redesign",
            "value": "no-ui-redesign",
            "description": "Keep layout and styling unchanged",
        },
        {
            "label": "No new dependencies",
            "value": "no-new-dependencies",
            "description": "Work within the existing toolchain",
        },
        {
            "label": "No API contract changes",
            "value": "no-api-contract-changes",
            "description": "Preserve external request and response shapes",
        },
    ],
    "allow_other": False,
    "other_label": "Other",
    "source": "deep-interview",
}
