"""`[interview] args`: every spelling Codex's option parser (clap) accepts for an argument that
would lift the interviewer's read-only sandbox is refused, with one line; harmless ones pass."""

from __future__ import annotations

import pytest

from specui.cli import main
from specui.core.codex_args import refused_codex_arg
from specui.core.config import parse_config
from specui.core.errors import SpecuiError
from specui.core.interview.state import EngineSession
from specui.interview.engines.base import EngineError
from specui.interview.engines.codex import CodexEngine


@pytest.mark.parametrize(
    "args",
    [
        # the sandbox mode, as a flag
        ["--sandbox", "workspace-write"], ["--sandbox=danger-full-access"], ["-s", "read-only"],
        ["-sdanger-full-access"], ["-s=danger-full-access"],
        # ... and as a setting
        ["-c", 'sandbox_mode="danger-full-access"'], ['--config=sandbox_mode="danger-full-access"'],
        ['-csandbox_mode="danger-full-access"'], ['-c=sandbox_mode="danger-full-access"'],
        ["--config", ' sandbox_mode = "danger-full-access"'],
        ["-c", "sandbox_workspace_write.network_access=true"],
        ["-c", 'sandbox_permissions=["disk-full-write-access"]'],
        ["-c", 'default_permissions=":danger-full-access"'],
        ["-c", "permissions.mine.filesystem=\"write\""],
        ["--config=approval_policy=never"], ["-capprovals_reviewer=auto_review"],
        # profiles (a profile can set sandbox_mode) and trusted project configs
        ["--profile", "work"], ["--profile=work"], ["-p", "work"], ["-pwork"], ["-p=work"],
        ["-c", 'profile="work"'], ["-c", 'profiles.work.sandbox_mode="danger-full-access"'],
        ["-c", 'projects."/repo".trust_level="trusted"'],
        # the bypass and auto flags, with their aliases
        ["--dangerously-bypass-approvals-and-sandbox"], ["--yolo"], ["--full-auto"],
        ["--full-auto=true"], ["--approve-for-me"], ["--not-so-yolo"],
        ["--dangerously-bypass-hook-trust"], ["--trust"], ["--add-dir", "/"], ["--add-dir=/"],
        ["--worktree"],
        # options specui sets itself; `--` would turn them into the prompt
        ["-C", "/"], ["--cd=/"], ["--output-schema", "other.json"], ["--"],
        # hidden behind a harmless option before it
        ["-m", "gpt-5", "-s", "danger-full-access"], ["-mgpt-5", "-pwork"],
    ],
)
def test_every_spelling_that_lifts_the_sandbox_is_refused(args):
    reason = refused_codex_arg(args)
    assert reason is not None and "not allowed" in reason and "\n" not in reason
    with pytest.raises(EngineError, match=r"^\[interview\] args: .* is not allowed"):
        CodexEngine(EngineSession(engine="codex"), args=args)


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["-c", 'model_reasoning_effort="high"'], ['-cmodel_verbosity="low"'],
        ["--config=model_reasoning_summary=auto"], ["--enable", "web_search"],
        ["-m", "gpt-5"], ["-mgpt-5"], ["--model=gpt-5"],
        # a value that only looks like a refused option is a value
        ["-m", "sandbox"], ["-c", 'notes="sandbox_mode=danger-full-access"'],
        ["--ignore-user-config"], ["--ephemeral"],
    ],
)
def test_harmless_args_pass(args):
    assert refused_codex_arg(args) is None
    CodexEngine(EngineSession(engine="codex"), args=args)


def test_the_refusal_names_what_the_user_wrote():
    assert refused_codex_arg(["-pwork"]) == (
        "-pwork is not allowed: a Codex profile can lift the read-only sandbox "
        "(pass its settings with -c)"
    )
    assert refused_codex_arg(['--config=sandbox_mode="danger-full-access"']) == (
        "-c sandbox_mode is not allowed: the interviewer runs read-only "
        "(specui writes SPEC.md itself)"
    )


def test_specui_toml_with_a_refused_arg_is_a_config_error_only_for_the_codex_engine():
    data = {"interview": {"engine": "codex", "args": ["-csandbox_mode=danger-full-access"]}}
    with pytest.raises(SpecuiError) as err:
        parse_config(data)
    assert str(err.value) == (
        "specui.toml: [interview] args: -c sandbox_mode is not allowed: the interviewer runs "
        "read-only (specui writes SPEC.md itself)"
    )
    parse_config({"interview": {"engine": "builtin", "args": ["--yolo"]}})  # not used


def test_the_cli_refuses_it_with_one_line_and_exit_2(tmp_path, capsys):
    (tmp_path / "specui.toml").write_text(
        '[interview]\nengine = "codex"\nargs = ["--profile", "work"]\n'
    )
    assert main(["interview", "--json", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        "specui: error: specui.toml: [interview] args: --profile is not allowed: a Codex profile "
        "can lift the read-only sandbox (pass its settings with -c)"
    )
