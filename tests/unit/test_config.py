"""specui.toml (strict) and [omx.deepInterview] (fail-soft, first existing file wins)."""

from __future__ import annotations

from pathlib import Path

import pytest

from specui.core.config import (
    DEFAULT_RUNNER_COMMAND,
    DeepInterviewConfig,
    SpecuiConfig,
    load_config,
    load_deep_interview_config,
    resolve_profile,
)
from specui.core.errors import SpecuiError
from specui.core.paths import Project


@pytest.fixture
def project(tmp_path: Path) -> Project:
    root = tmp_path / "proj"
    root.mkdir()
    return Project.at(root)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    h = tmp_path / "home"
    h.mkdir()
    return h


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# ----------------------------------------------------------------------------- specui.toml


def test_defaults_without_file(project: Project) -> None:
    cfg = load_config(project)
    assert cfg == SpecuiConfig()
    assert cfg.interview.engine == "builtin" and cfg.interview.profile is None
    assert cfg.runner.command == list(DEFAULT_RUNNER_COMMAND)
    assert cfg.runner.stall_minutes == 10 and cfg.runner.max_continues == 5
    assert cfg.runner.auto_continue is False and cfg.runner.notify is True
    assert cfg.ui.theme == "specui-dark"


def test_design_example_loads(project: Project) -> None:
    write(
        project.config,
        """
[interview]
engine = "builtin"          # builtin | codex | command
profile = "deep"
command = []

[runner]
command = ["mycodex", "exec", "-"]
stall_minutes = 2.5
auto_continue = true
max_continues = 3

[ui]
theme = "specui-light"
""",
    )
    cfg = load_config(project)
    assert cfg.interview.profile == "deep"
    assert cfg.runner.command == ["mycodex", "exec", "-"]
    assert cfg.runner.stall_minutes == 2.5 and cfg.runner.auto_continue is True
    assert cfg.runner.max_continues == 3 and cfg.ui.theme == "specui-light"


def test_bad_toml_names_file_and_line(project: Project) -> None:
    write(project.config, "[runner]\nstall_minutes = 3\nauto_continue = = true\n")
    with pytest.raises(SpecuiError) as info:
        load_config(project)
    assert str(info.value).startswith("specui.toml: line 3: ")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[runner]\nstal_minutes = 3\n", "specui.toml: unknown key 'stal_minutes' in [runner]"),
        ("[runer]\n", "specui.toml: unknown key 'runer'"),
        ("[ui]\ncolour = 'x'\n", "specui.toml: unknown key 'colour' in [ui]"),
    ],
)
def test_unknown_keys_are_named(project: Project, text: str, expected: str) -> None:
    write(project.config, text)
    with pytest.raises(SpecuiError) as info:
        load_config(project)
    assert str(info.value) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[runner]\nauto_continue = 'yes'\n", "[runner] auto_continue"),
        ("[runner]\nstall_minutes = 0\n", "[runner] stall_minutes"),
        ("[runner]\nstall_minutes = true\n", "[runner] stall_minutes"),
        ("[runner]\ncommand = []\n", "[runner] command"),
        ("[runner]\ncommand = 'codex exec'\n", "[runner] command"),
        ("[runner]\nmax_continues = -1\n", "[runner] max_continues"),
        ("[interview]\nengine = 'gpt'\n", "[interview] engine"),
        ("[interview]\nprofile = 'ultra'\n", "unknown interview profile 'ultra'"),
        ("[interview]\nengine = 'command'\n", "[interview] command: required"),
        ("runner = 3\n", "runner"),
    ],
)
def test_bad_values(project: Project, text: str, fragment: str) -> None:
    write(project.config, text)
    with pytest.raises(SpecuiError) as info:
        load_config(project)
    msg = str(info.value)
    assert msg.startswith("specui.toml: ") and fragment in msg and "\n" not in msg


def test_non_utf8(project: Project) -> None:
    project.config.write_bytes(b"\xff\xfe[ui]\n")
    with pytest.raises(SpecuiError, match="specui.toml: not UTF-8"):
        load_config(project)


# ----------------------------------------------------------------------------- deep interview

OMX = """
[omx.deepInterview]
defaultProfile = "{profile}"
quickThreshold = 0.35
standardThreshold = 0.25
deepThreshold = 0.1
quickMaxRounds = 4
standardMaxRounds = 9
deepMaxRounds = 30
enableChallengeModes = false
"""


def test_builtin_defaults(project: Project, home: Path) -> None:
    cfg, warnings = load_deep_interview_config(project, home=home)
    assert warnings == [] and cfg.source is None
    assert cfg.default_profile == "standard" and cfg.enable_challenge_modes is True
    assert [
        (p.threshold, p.max_rounds) for p in map(cfg.profile, ["quick", "standard", "deep"])
    ] == [(0.30, 5), (0.20, 12), (0.15, 20)]
    assert cfg.profile(None).name == "standard"


def test_all_keys_read(project: Project, home: Path) -> None:
    write(project.omx / "config.toml", OMX.format(profile="deep"))
    cfg, warnings = load_deep_interview_config(project, home=home)
    assert warnings == [] and cfg.source == ".omx/config.toml"
    assert cfg.profile(None) == cfg.profile("deep")
    assert (cfg.profile("deep").threshold, cfg.profile("deep").max_rounds) == (0.1, 30)
    assert (cfg.profile("quick").threshold, cfg.profile("quick").max_rounds) == (0.35, 4)
    assert (cfg.profile("standard").threshold, cfg.profile("standard").max_rounds) == (0.25, 9)
    assert cfg.enable_challenge_modes is False


def test_lookup_order(project: Project, home: Path) -> None:
    write(home / ".omx" / "config.toml", OMX.format(profile="quick"))
    cfg, _ = load_deep_interview_config(project, home=home)
    assert cfg.default_profile == "quick" and cfg.source == str(home / ".omx" / "config.toml")

    write(project.root / "omx.toml", OMX.format(profile="deep"))
    cfg, _ = load_deep_interview_config(project, home=home)
    assert cfg.default_profile == "deep" and cfg.source == "omx.toml"

    write(project.omx / "config.toml", OMX.format(profile="standard"))
    cfg, _ = load_deep_interview_config(project, home=home)
    assert cfg.default_profile == "standard" and cfg.source == ".omx/config.toml"


def test_first_existing_file_wins_even_without_the_table(project: Project, home: Path) -> None:
    write(project.omx / "config.toml", "[other]\nx = 1\n")
    write(project.root / "omx.toml", OMX.format(profile="deep"))
    cfg, warnings = load_deep_interview_config(project, home=home)
    assert warnings == [] and cfg.default_profile == "standard"
    assert cfg.source == ".omx/config.toml"


def test_partial_table_keeps_other_defaults(project: Project, home: Path) -> None:
    write(project.root / "omx.toml", "[omx.deepInterview]\nquickMaxRounds = 7\nfutureKey = 1\n")
    cfg, warnings = load_deep_interview_config(project, home=home)
    assert warnings == []
    assert cfg.profile("quick").max_rounds == 7 and cfg.profile("quick").threshold == 0.30
    assert cfg.profile("deep").max_rounds == 20


def test_home_defaults_to_user_home(project: Project, monkeypatch, tmp_path: Path) -> None:
    fake = tmp_path / "userhome"
    write(fake / ".omx" / "config.toml", OMX.format(profile="quick"))
    monkeypatch.setenv("HOME", str(fake))
    cfg, _ = load_deep_interview_config(project)
    assert cfg.default_profile == "quick"


@pytest.mark.parametrize(
    "text",
    [
        "[omx.deepInterview\n",
        "[omx.deepInterview]\ndefaultProfile = 'ultra'\n",
        "[omx.deepInterview]\nquickThreshold = 'low'\n",
        "[omx.deepInterview]\nquickThreshold = 1.5\n",
        "[omx.deepInterview]\ndeepMaxRounds = 0\n",
        "[omx.deepInterview]\ndeepMaxRounds = 2.5\n",
        "[omx.deepInterview]\nenableChallengeModes = 'no'\n",
        "omx = 3\n",
        "[omx]\ndeepInterview = 3\n",
    ],
)
def test_malformed_file_warns_and_uses_defaults(project: Project, home: Path, text: str) -> None:
    write(project.omx / "config.toml", text)
    write(project.root / "omx.toml", OMX.format(profile="deep"))  # not consulted: first exists
    cfg, warnings = load_deep_interview_config(project, home=home)
    assert cfg == DeepInterviewConfig()
    assert len(warnings) == 1
    assert warnings[0].startswith(".omx/config.toml") and "defaults" in warnings[0]
    assert "\n" not in warnings[0]


def test_unknown_profile_name_is_an_error() -> None:
    with pytest.raises(SpecuiError, match="unknown interview profile 'ultra'"):
        DeepInterviewConfig().profile("ultra")


def test_specui_toml_profile_overrides_default_profile(project: Project, home: Path) -> None:
    write(project.omx / "config.toml", OMX.format(profile="deep"))
    write(project.config, "[interview]\nprofile = 'quick'\n")
    deep, _ = load_deep_interview_config(project, home=home)
    cfg = load_config(project)
    assert resolve_profile(cfg, deep).name == "quick"
    assert resolve_profile(cfg, deep).max_rounds == 4  # from the omx file
    assert resolve_profile(cfg, deep, override="standard").name == "standard"
    assert resolve_profile(SpecuiConfig(), deep).name == "deep"
