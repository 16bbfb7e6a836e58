"""Differential test: the same payloads through the real `omx question` (oh-my-codex 0.21 from
npm, installed by `make tools`) and `specui question`. They must agree on accept/refuse, and
where both refuse, on the message (for JSON syntax errors only the `--input must be valid
JSON:` part is shared: the detail is each language's parser's own words).

How "accepted" is seen without a person: omx runs with its test renderer and a 1 ms wait, so
an accepted payload ends in `question_runtime_failed` "Timed out waiting…"; specui runs with no
workbench, no tmux and no controlling terminal (a child in a new session), so an accepted
payload ends in
`question_runtime_failed` "nobody to ask…". A refused payload: omx prints `Error: <message>`
on stderr; specui exits 2 with `question_invalid_input` and the message.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
LOCAL_OMX = REPO / ".venv" / "omx" / "node_modules" / ".bin" / "omx"

O = [{"label": "Alpha", "value": "a"}, {"label": "Beta", "value": "b"}]


def j(value) -> str:
    return json.dumps(value)


CORPUS: list[str] = [
    # accepted
    j({"question": "Pick", "options": O}),
    j({"question": "Pick", "options": ["A", "B"]}),
    j({"question": "  Pick  ", "options": [" A ", {"label": "B"}]}),
    j({"question": "Pick", "options": [{"label": "A", "value": ""}]}),
    j({"question": "Pick", "options": [{"label": "A", "value": "   "}]}),
    j({"question": "Pick", "type": "single-select", "options": O}),
    j({"question": "Pick", "type": "multi-select", "options": O}),
    j({"question": "Pick", "type": " MULTI-ANSWERABLE ", "options": O}),
    j({"question": "Pick", "type": "Single-Answerable", "options": O}),
    j({"question": "Pick", "type": "", "options": O}),
    j({"question": "Pick", "type": None, "options": O}),
    j({"question": "Pick", "type": 3, "options": O}),
    j({"question": "Pick", "multi_select": True, "options": O}),
    j({"question": "Pick", "multi_select": "false", "options": O}),
    j({"question": "Pick", "type": "multi-answerable", "multi_select": True, "options": O}),
    j({"question": "Pick", "type": "single-answerable", "multi_select": False, "options": O}),
    j({"question": "Free text please"}),
    j({"question": "Free", "options": [], "allow_other": True}),
    j({"question": "Free", "options": [], "allow_other": "no"}),
    j({"question": "Free", "options": "not a list"}),
    j({"question": "Pick", "options": O, "allow_other": False}),
    j({"question": "Pick", "options": O, "other_label": "Something else"}),
    j({"question": "Pick", "options": O, "source": None, "session_id": None, "header": None}),
    j({"question": "Pick", "options": O, "header": "Scope", "source": "deep-interview",
       "session_id": "s-1", "objective": "ship v1"}),
    j({"question": "Pick", "options": [{"label": "A", "value": "v"}, {"label": "B", "value": "v"}]}),
    j({"questions": [{"question": "One", "options": O}, {"question": "Two", "options": O}]}),
    j({"questions": [{"id": "db", "question": "One"}, {"id": "auth", "question": "Two"}]}),
    j({"questions": [{"question": "Claude", "header": "H",
                      "options": [{"label": "A", "description": "d"}], "multiSelect": True}]}),
    j({"question": "Pick", "options": O, "questions": "not a list"}),
    j({"question": "Pick", "options": O, "unknown_key": {"nested": [1, 2, 3]}}),
    # refused
    j([1, 2]),
    j("a string"),
    j(None),
    j(42),
    j({}),
    j({"question": ""}),
    j({"question": "   "}),
    j({"question": 12}),
    j({"question": "Pick", "type": "either"}),
    j({"question": "Pick", "options": [], "allow_other": False}),
    j({"question": "Pick", "options": "x", "allow_other": False}),
    j({"question": "Pick", "type": "single-answerable", "multi_select": True, "options": O}),
    j({"question": "Pick", "type": "multi-select", "multi_select": False, "options": O}),
    j({"question": "Pick", "options": [{"label": ""}]}),
    j({"question": "Pick", "options": [{"value": "only-value"}]}),
    j({"question": "Pick", "options": ["A", "  "]}),
    j({"question": "Pick", "options": [7]}),
    j({"question": "Pick", "options": [["nested"]]}),
    j({"questions": []}),
    j({"questions": ["x"]}),
    j({"questions": [{"question": "One"}, {"question": "Two", "id": "q-1"}]}),
    j({"questions": [{"question": "One"}, {"question": ""}]}),
    j({"questions": [{"question": "One", "type": "nope"}]}),
    # not JSON
    "",
    "   ",
    '{"question": "Pick",',
    "{not json}",
    "[1",
    '{"question": "Pick", "options": ["A"], "weight": NaN}',
    '{"question": "Pick", "options": ["A"], "weight": -Infinity}',
    '\ufeff{"question": "Pick"}',
]


def omx_bin() -> str:
    if LOCAL_OMX.is_file() and os.access(LOCAL_OMX, os.X_OK):
        return str(LOCAL_OMX)
    found = shutil.which("omx")
    if found is None:
        pytest.skip("oh-my-codex is not installed (run `make tools`: npm install oh-my-codex)")
    return found


def run_omx(omx: str, payload: str, cwd: Path) -> tuple[bool, str]:
    env = {
        **os.environ,
        "OMX_QUESTION_TEST_RENDERER": "noop",
        "OMX_QUESTION_WAIT_TIMEOUT_MS": "1",
    }
    env.pop("TMUX", None)
    done = subprocess.run(
        [omx, "question", "--json", "--input", payload],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False,
        stdin=subprocess.DEVNULL,
    )
    if done.stdout.strip():
        out = json.loads(done.stdout)
        assert out["error"]["code"] == "question_runtime_failed", out
        assert "Timed out waiting" in out["error"]["message"], out
        return True, ""
    lines = [ln for ln in done.stderr.splitlines() if ln.startswith("Error: ")]
    assert lines, done.stderr
    return False, lines[0].removeprefix("Error: ")


# One child process (in a new session: no controlling terminal) runs `specui question` —
# cli.main, the console script's body — once per payload, with stdout and stderr captured
# per call; one interpreter start instead of one per payload.
SPECUI_RUNNER = """
import contextlib, io, json, sys
from specui.cli import main
for line in sys.stdin:
    payload, cwd = json.loads(line)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["question", "--json", "--input", payload, cwd])
    print(json.dumps([code, out.getvalue(), err.getvalue()]), flush=True)
"""


def run_specui_all(payloads: list[str], cwd: Path) -> list[tuple[bool, str]]:
    env = {k: v for k, v in os.environ.items() if k not in ("TMUX", "TMUX_PANE")}
    done = subprocess.run(
        [sys.executable, "-c", SPECUI_RUNNER],
        input="".join(json.dumps([p, str(cwd)]) + "\n" for p in payloads),
        env=env, capture_output=True, text=True, timeout=300, check=False,
        start_new_session=True,
    )
    assert done.returncode == 0, done.stderr
    results = []
    for line in done.stdout.splitlines():
        code, out, err = json.loads(line)
        data = json.loads(out)
        assert data["ok"] is False and len(err.strip().splitlines()) == 1, (out, err)
        if code == 1:
            assert data["error"]["code"] == "question_runtime_failed", data
            assert data["error"]["message"].startswith("nobody to ask"), data
            results.append((True, ""))
        else:
            assert code == 2 and data["error"]["code"] == "question_invalid_input", data
            results.append((False, data["error"]["message"]))
    assert len(results) == len(payloads)
    return results


def test_corpus_is_large_and_mixed() -> None:
    assert len(CORPUS) >= 40
    assert len(set(CORPUS)) == len(CORPUS)


def test_specui_and_omx_agree(tmp_path: Path) -> None:
    omx = omx_bin()
    (tmp_path / "omx").mkdir()
    (tmp_path / "specui").mkdir()

    with ThreadPoolExecutor(max_workers=3) as pool:
        omx_results = list(pool.map(lambda p: run_omx(omx, p, tmp_path / "omx"), CORPUS))
    specui_results = run_specui_all(CORPUS, tmp_path / "specui")
    disagreements = []
    accepted = refused = 0
    for payload, (omx_ok, omx_msg), (ui_ok, ui_msg) in zip(
        CORPUS, omx_results, specui_results, strict=True
    ):
        if omx_ok != ui_ok:
            disagreements.append(f"{payload}: omx {'accepts' if omx_ok else 'refuses'}, "
                                 f"specui {'accepts' if ui_ok else 'refuses'} ({omx_msg or ui_msg})")
            continue
        if omx_ok:
            accepted += 1
            continue
        refused += 1
        prefix = "--input must be valid JSON: "
        same = (
            omx_msg.startswith(prefix) and ui_msg.startswith(prefix)
            if omx_msg.startswith(prefix)
            else omx_msg == ui_msg
        )
        if not same:
            disagreements.append(f"{payload}: omx says {omx_msg!r}, specui says {ui_msg!r}")
    assert not disagreements, "\n".join(disagreements)
    assert accepted >= 20 and refused >= 20


# ------------------------------------------------------------------------------ OMX's validator

OMX_VALIDATE = """
import { createInterface } from 'node:readline';
const state = await import(process.argv[2] + '/dist/question/state.js');
for await (const line of createInterface({ input: process.stdin })) {
  const { payload, answers } = JSON.parse(line);
  try {
    const { record } = await state.createQuestionRecord(process.cwd(), payload, undefined, new Date());
    await state.submitQuestionAnswerById(process.cwd(), record.question_id, { answers });
    console.log(JSON.stringify({ ok: true }));
  } catch (error) {
    console.log(JSON.stringify({ ok: false, message: String(error?.message ?? error) }));
  }
}
"""

VALIDATOR_PAYLOADS = [
    {"question": "One?", "options": O},
    {"question": "One?", "options": O, "allow_other": False},
    {"question": "Some?", "type": "multi-select", "options": [*O, "Gamma"]},
    {"question": "Some?", "type": "multi-answerable", "options": O, "allow_other": False},
    {"question": "Free text?"},
    {"question": "Free text, multi?", "type": "multi-select"},
    {"questions": [{"question": "Claude", "options": [{"label": "X"}, {"label": "Y"}],
                    "multiSelect": True}]},
]


def specui_answer_cases() -> list[tuple[dict, list[dict]]]:
    """Every answer specui's picker can give for the payloads above (and a batch of them)."""
    from itertools import combinations

    from specui.core.questions import answer_entries, build_answer, normalize_question_input

    def picks(question) -> list[tuple[list[int], str | None]]:
        n = len(question.options)
        if not n:
            return [([], "typed text")]
        out: list[tuple[list[int], str | None]] = []
        if question.multi_select:
            for size in range(1, n + 1):
                out += [(list(c), None) for c in combinations(range(n), size)]
            if question.allow_other:
                out += [([], "typed"), ([0], "typed"), ([0, 1], "typed")]
        else:
            out += [([i], None) for i in range(n)]
            if question.allow_other:
                out.append(([], "typed"))
        return out

    def as_omx(batch) -> dict:
        # OMX gets the questions as specui normalized them (the envelope's `questions`): the
        # same as its own reading except for Claude Code's multiSelect, which OMX ignores.
        return {"questions": [q.omx() for q in batch.questions]}

    cases = []
    for payload in VALIDATOR_PAYLOADS:
        batch = normalize_question_input(payload)
        for selected, text in picks(batch.first):
            entries = answer_entries(batch, [build_answer(batch.first, selected, text)])
            cases.append((as_omx(batch), [e.payload() for e in entries]))
    batch = normalize_question_input({"questions": VALIDATOR_PAYLOADS[:6]})
    answers = [build_answer(q, *picks(q)[-1]) for q in batch.questions]
    cases.append((as_omx(batch), [e.payload() for e in answer_entries(batch, answers)]))
    return cases


def test_specui_answers_pass_omxs_own_validator(tmp_path: Path) -> None:
    omx = omx_bin()
    package = Path(os.path.realpath(omx)).parents[2]  # node_modules/oh-my-codex
    assert (package / "dist" / "question" / "state.js").is_file()
    script = tmp_path / "validate.mjs"
    script.write_text(OMX_VALIDATE)
    cases = specui_answer_cases()
    wrong = (VALIDATOR_PAYLOADS[0], [{"question_id": "q-1", "index": 0, "answer": {
        "kind": "option", "value": "zz", "selected_labels": ["Alpha"], "selected_values": ["zz"]}}])
    node = shutil.which("node", path=str(Path(omx).parent) + os.pathsep + os.environ["PATH"])
    assert node is not None
    done = subprocess.run(
        [node, str(script), str(package)], cwd=tmp_path, capture_output=True, text=True,
        timeout=120, check=False,
        input="".join(json.dumps({"payload": p, "answers": a}) + "\n" for p, a in [*cases, wrong]),
    )
    assert done.returncode == 0, done.stderr
    verdicts = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(verdicts) == len(cases) + 1 and len(cases) >= 25
    refused = [(c, v["message"]) for c, v in zip(cases, verdicts, strict=False) if not v["ok"]]
    assert not refused, refused
    assert verdicts[-1] == {"ok": False, "message":
                            "answers[0].answer selected value is not in the option schema: zz"}
