"""The question bank is data (`specui/interview/bank.toml`) and its loader refuses what made the
old bank a form: compound questions, text the user never saw, unknown traits or placeholders."""

from __future__ import annotations

import tomllib

import pytest

from specui.core.errors import SpecuiError
from specui.core.spec import UNIT_KEYS
from specui.interview.bank import BANK_PATH, load_bank, parse_bank

GOOD_ENTRY = """
[[entries]]
key = "vision.driver"
dimension = "intent"
stage = "intent-first"
section = "vision"
label = "Primary Driver"
type = "single"
header = "Driver"
prompt = "Why build this now?"
default = "no single driver"
default_rationale = "none was named"

  [[entries.options]]
  label = "Replace a manual process"
  value = "manual"
  description = "People do it by hand today"

  [[entries.options]]
  label = "Unlock a capability"
  value = "capability"
  description = "Users cannot do this today"
"""


def _bank_with(entry: str) -> str:
    """The packaged bank with its vision.driver entry replaced by `entry`."""
    text = BANK_PATH.read_text("utf-8")
    start = text.index('[[entries]]\nkey = "vision.driver"')
    end = text.index("[[entries]]", start + 10)
    return text[:start] + entry.strip() + "\n\n" + text[end:]


def test_the_packaged_bank_loads_and_covers_every_section():
    bank = load_bank()
    covered = {e.section for e in bank.entries}
    assert covered == set(UNIT_KEYS) - {"open_questions"}
    assert all(e.default and e.default_rationale for e in bank.entries)
    assert len({e.key for e in bank.entries}) == len(bank.entries)
    # it is data, not code: the same file parses as plain TOML
    assert len(tomllib.loads(BANK_PATH.read_text("utf-8"))["entries"]) == len(bank.entries)


def test_replacing_an_entry_with_a_valid_one_still_loads():
    bank = parse_bank(_bank_with(GOOD_ENTRY))
    assert bank.by_key("vision.driver").header == "Driver"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ('prompt = "Why build this now?"', 'prompt = "Which load and what uptime?"'),
            "more than one question",
        ),
        (
            ('prompt = "Why build this now?"', 'prompt = "Why now? Who pays?"'),
            "more than one question",
        ),
        (
            ('description = "People do it by hand today"',
             'description = "People do it by hand today"\n  text = "error rate under 1%"'),
            "words the user never saw",
        ),
        (('value = "manual"', 'value = "manual"\n  only_if = ["colour:blue"]'), "unknown trait"),
        (
            ('value = "manual"', 'value = "manual"\n  not_if = ["chose:scope.non_goals=nope"]'),
            "names no option",
        ),
        (('prompt = "Why build this now?"', 'prompt = "Why {nope}?"'), "unknown placeholder"),
        (('value = "capability"', 'value = "manual"'), "values must be unique"),
        (('type = "single"', 'type = "free"'), "no options"),
        (('default = "no single driver"\n', ""), "default"),
        (('section = "vision"', 'section = "nowhere"'), "not a SPEC.md section"),
        (
            ('description = "People do it by hand today"',
             'description = "People do it by hand today"\n  fills = { "Target Users" = "People" }'),
            "one decision, one question",
        ),
    ],
)  # fmt: skip
def test_bad_entries_are_one_line_errors(change: tuple[str, str], message: str):
    old, new = change
    assert old in GOOD_ENTRY
    text = _bank_with(GOOD_ENTRY.replace(old, new, 1))
    with pytest.raises(SpecuiError) as err:
        parse_bank(text)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_bad_toml_and_duplicate_keys():
    with pytest.raises(SpecuiError, match="bank.toml"):
        parse_bank("version = 1\n[[entries]\n")
    text = BANK_PATH.read_text("utf-8")
    with pytest.raises(SpecuiError, match="duplicate entry key"):
        parse_bank(text + "\n" + GOOD_ENTRY)
