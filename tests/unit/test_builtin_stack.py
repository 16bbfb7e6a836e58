"""stack.toml under the offline interviewer: a brownfield repository's own files set it at the
first turn ("unknown" where no file says, never the starter's TypeScript/Next.js/Postgres), the
user's words fill what nobody chose (a host named in an answer, no sign-in for a tool with no
server), and "decide for me" records what the evidence says.

Found in headless runs: a Python repository (pyproject.toml) got the starter stack at bootstrap
and kept it through "decide for me"; "served from GitHub Pages" left hosting = "vercel"; a
static-site CLI with no server kept auth = "oauth2+rbac".
"""

from __future__ import annotations

from pathlib import Path

from offline_run import answer_until, offline_driver, stack_of

from specui.core.questions import Answer, build_answer

STARTER_VALUES = ("typescript", "nextjs", "pnpm", "node18", "postgres", "prisma", "vercel",
                  "oauth2", "aws-kms")  # fmt: skip


def python_repo(root: Path) -> None:
    files = {
        "pyproject.toml": '[project]\nname = "inifile"\nrequires-python = ">= 3.9"\n'
        'dependencies = ["click>=8"]\n\n[tool.uv]\ndev-dependencies = []\n',
        "uv.lock": "version = 1\n",
        ".github/workflows/ci.yml": "on: push\n",
        "src/inifile/__init__.py": "def parse(text):\n    return {}\n",
        "README.md": "# inifile\nAn INI parser.\n",
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_a_brownfield_python_repo_starts_with_its_own_stack(tmp_path: Path):
    python_repo(tmp_path)
    drv, store, project = offline_driver(tmp_path)
    drv.start()
    assert store.state.interview.type == "brownfield"
    data = stack_of(project)
    assert data["app"] == {
        "language": "python",
        "framework": "click",
        "package": "uv",
        "runtime": "python>=3.9",
    }
    assert data["infra"]["ci"] == "github-actions"
    for table, key in [("datastore", "primary"), ("datastore", "migrations"),
                       ("infra", "hosting"), ("infra", "observability"),
                       ("security", "auth"), ("security", "secrets")]:  # fmt: skip
        assert data[table][key] == "unknown", (table, key)
    text = project.stack.read_text()
    assert not any(v in text.split("\n", 3)[3] for v in STARTER_VALUES if v != "python")
    assert "# e.g. python, go, rust" in text  # the starter's hints stay


def test_a_library_with_no_server_needs_no_sign_in(tmp_path: Path):
    python_repo(tmp_path)
    drv, _store, project = offline_driver(tmp_path)
    drv.start()
    drv.answer(
        Answer(kind="text", value="Add a streaming parse_stream() API to this Python library.")
    )
    assert stack_of(project)["security"]["auth"] == "none"


def test_a_host_named_in_the_overview_is_stack_tomls_hosting(tmp_path: Path):
    drv, store, project = offline_driver(tmp_path)
    drv.start()
    assert store.state.interview.type == "greenfield"
    drv.answer(
        Answer(
            kind="text",
            value="A command-line tool that builds a searchable static site from markdown "
            "notes. The site is served from GitHub Pages. Not in v1: Windows, a server.",
        )
    )
    data = stack_of(project)
    assert data["infra"]["hosting"] == "github-pages"
    assert data["security"]["auth"] == "none"  # a CLI with no server signs nobody in


def test_a_host_named_in_a_later_answer_fills_hosting_but_never_overrides_a_choice(
    tmp_path: Path,
):
    drv, store, project = offline_driver(tmp_path)
    drv.start()
    drv.answer(Answer(kind="text", value="A web app for teachers to plan lessons."))
    q = answer_until(drv, store, "What has to be true")
    drv.answer(build_answer(q, [], "It must be deployable to Netlify without a backend."))
    assert stack_of(project)["infra"]["hosting"] == "netlify"
    # Chosen by hand meanwhile: a host named later is the user's words too, but not a choice
    # of stack.toml's; the hand edit stays.
    project.stack.write_text(project.stack.read_text().replace('"netlify"', '"fly.io"'))
    q = answer_until(drv, store, "What evidence shows")
    drv.answer(build_answer(q, [], "We measured it on Heroku last year."))
    assert stack_of(project)["infra"]["hosting"] == "fly.io"


def test_deciding_the_stack_for_me_records_the_repository_language(tmp_path: Path):
    python_repo(tmp_path)
    # stack.toml written by hand before the interview, in another language than the repo.
    (tmp_path / "stack.toml").write_text('[app]\nlanguage = "typescript"\nframework = "express"\n')
    drv, store, project = offline_driver(tmp_path)
    drv.start()
    drv.answer(Answer(kind="text", value="Add a streaming parse_stream() API to inifile."))
    q = answer_until(drv, store, "Is this the stack to build on?")
    defer = next(o for o in q.options if o.value == "decide-for-me")
    assert "python (pyproject.toml)" in defer.description
    drv.answer(Answer(kind="option", value="decide-for-me"))
    assert stack_of(project)["app"]["language"] == "python"
    spec = project.spec.read_text()
    assert "Default (you deferred): python (pyproject.toml)" in spec


def test_a_typescript_repo_gets_its_own_versions_not_the_starters(tmp_path: Path):
    files = {
        "package.json": '{"name": "shop", "engines": {"node": ">=20"}, '
        '"dependencies": {"next": "14", "pg": "8"}, "devDependencies": {"prisma": "5"}}',
        "tsconfig.json": "{}",
        "package-lock.json": "{}",
        "fly.toml": 'app = "shop"\n',
        "app/page.tsx": "export default function Page() { return null }\n",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    drv, _store, project = offline_driver(tmp_path)
    drv.start()
    data = stack_of(project)
    assert data["app"] == {
        "language": "typescript",
        "framework": "nextjs",
        "package": "npm",
        "runtime": "node>=20",
    }
    assert data["datastore"] == {"primary": "postgres", "migrations": "prisma"}
    assert data["infra"]["hosting"] == "fly.io"
    assert data["infra"]["ci"] == "unknown" and data["security"]["auth"] == "unknown"


def test_the_stack_the_overview_named_is_what_the_stack_question_shows(tmp_path: Path):
    # Found in a headless run: the overview named Python, SQLite and GitHub Pages; round 2 then
    # asked "stack.toml says: language=typescript, ..., hosting=vercel. Is this the stack?",
    # built from stack.toml as it was before this very reply wrote what the overview said.
    drv, store, project = offline_driver(tmp_path, profile="deep")
    drv.start()
    drv.answer(
        Answer(
            kind="text",
            value="A Python command-line tool that builds a searchable static site from notes, "
            "with SQLite for the search index. The site is served from GitHub Pages. Not in "
            "v1: Windows.",
        )
    )
    assert "Is this the stack" not in store.state.interview.current.question.question
    q = answer_until(drv, store, "Is this the stack to build on?")
    assert "language=python" in q.question and "hosting=github-pages" in q.question
    assert "typescript" not in q.question and "vercel" not in q.question
    assert stack_of(project)["datastore"]["primary"] == "sqlite"


def test_touchpoints_are_not_every_file_named_after_the_project(tmp_path: Path):
    # Found in a headless run on iniconfig: every file under src/iniconfig/ matched the word
    # "iniconfig" (its folder, its imports), so _version.py ("generated" once in a comment)
    # and the tests were listed as likely touchpoints next to the parser.
    files = {
        "pyproject.toml": '[project]\nname = "inifile"\n',
        "src/inifile/__init__.py": "from inifile._parse import parse_lines\n\nclass IniFile:\n"
        "    def sections(self):\n        return parse_lines(self.text)\n",
        "src/inifile/_parse.py": "def parse_lines(text):\n    return [l for l in text]\n",
        "src/inifile/_version.py": "# file generated by setuptools-scm\nversion = '1.0'\n",
        "src/inifile/exceptions.py": "class ParseError(Exception):\n    pass\n",
        "tests/test_basic.py": "import inifile\n\ndef test_it():\n    inifile.IniFile()\n",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    drv, store, _project = offline_driver(tmp_path)
    drv.start()
    drv.answer(
        Answer(
            kind="text",
            value="Add a streaming parse API to inifile that yields sections of big generated "
            "files lazily.",
        )
    )
    touch = [f.finding.path for f in store.state.interview.findings if f.finding.touchpoint]
    assert set(touch) == {
        "src/inifile/_parse.py",  # defines parse_lines
        "src/inifile/__init__.py",  # defines sections
        "src/inifile/exceptions.py",  # defines ParseError
    }


def test_the_overview_asks_to_review_the_starter_and_a_named_language_replaces_it(tmp_path: Path):
    # Seed 000 §7: specui writes the starter stack.toml and asks the user to review it. The
    # review came only in the validation pass; and an overview naming Python left Postgres,
    # Vercel, OpenTelemetry and KMS in stack.toml, which the review then starred as written.
    drv, store, project = offline_driver(tmp_path)
    drv.start()
    first = store.state.interview.current.question.question
    assert "starter stack.toml (TypeScript, Next.js, Postgres) that nobody chose" in first
    drv.answer(
        Answer(kind="text", value="A Python command-line tool that renames my photos. Just for me.")
    )
    stack = stack_of(project)
    assert stack["app"]["language"] == "python"
    assert stack["datastore"]["primary"] == "unknown"
    assert stack["infra"]["hosting"] == "unknown"
    assert stack["security"] == {"auth": "none", "secrets": "unknown"}


def test_a_brownfield_overview_does_not_mention_the_starter(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "lib"\n')
    (tmp_path / "lib.py").write_text("def parse(): ...\n")
    drv, store, _project = offline_driver(tmp_path)
    drv.start()
    assert "starter" not in store.state.interview.current.question.question
