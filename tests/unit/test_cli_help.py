"""`specui --help` and each command's help, read as a new user would: every argument says what
it is, nothing is named by the product's internal documents, and help prints on any terminal."""

from __future__ import annotations

import argparse
import io
import sys

import pytest

from specui.cli import COMMANDS, _parser_for, main

ALL = [None, *COMMANDS]


def _help(command: str | None) -> str:
    return _parser_for(command).format_help()


@pytest.mark.parametrize("command", ALL)
def test_every_argument_says_what_it_is(command):
    """`specui status --help` listed a bare "DIR", `specui interview --profile` said only
    "interview depth"."""
    parser = _parser_for(command)
    for action in parser._actions:
        if action.help == argparse.SUPPRESS:
            continue
        assert action.help and len(action.help) > 5, (command, action.dest)


@pytest.mark.parametrize("command", ALL)
def test_help_does_not_send_a_new_user_to_internal_documents(command):
    """"seed 004's shape", "seed 004's handoff options": the seeds are this project's design
    documents, not something a user of the command has read."""
    assert "seed 0" not in _help(command).lower()


@pytest.mark.parametrize("command", ALL)
def test_help_prints_on_an_ascii_only_terminal(command, monkeypatch):
    """A '…' in a help line raised UnicodeEncodeError out of argparse on such a terminal."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    monkeypatch.setattr(sys, "stdout", out)
    argv = ["--help"] if command is None else [command, "--help"]
    assert main(argv) == 0


def test_the_interview_help_shows_every_answer_shape():
    text = " ".join(_help("interview").split())
    for kind in ("text", "option", "multi", "other"):
        assert f'{{"kind": "{kind}", "value": ' in text
    assert "Exit 0 ok, 1 the engine failed" in text
