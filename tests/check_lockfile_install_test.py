from __future__ import annotations

from pathlib import Path

import pytest

from hooks._context import BuildContext
from hooks._dockerfile import parse
from hooks._files import Repo
from hooks._findings import Finding
from hooks.check_lockfile_install import check, main
from tests.conftest import Writer
from tests.projects import PIP_TOOLS_PROJECT, POETRY_DOCKERFILE, POETRY_PROJECT, UV_DOCKERFILE, UV_PROJECT

BASE = "FROM python:3.12-slim-bookworm\n"


def run(tmp: Path, files: dict[str, str], dockerfile: str = "Dockerfile", check_hashes: bool = False) -> list[Finding]:
    for name, content in files.items():
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    repo = Repo(str(tmp))
    text = files[dockerfile]
    return check(parse(text, dockerfile), context=BuildContext(repo, dockerfile), check_hashes=check_hashes)


def found(findings: list[Finding]) -> list[tuple[int, int, str, str]]:
    return [(f.line, f.col, f.code, f.message) for f in findings]


PASS = [
    pytest.param(UV_PROJECT, id="uv-guide-bind-mounts-then-source"),
    pytest.param(POETRY_PROJECT, id="poetry-no-root-then-source"),
    pytest.param({"Dockerfile": BASE + "COPY pyproject.toml poetry.lock ./\nRUN poetry install --no-root\n"},
                 id="poetry-lock-copied-by-name"),
    pytest.param({"Dockerfile": BASE + "WORKDIR /app\nCOPY . .\nRUN poetry install\n", "poetry.lock": ""},
                 id="poetry-lock-in-whole-context-copy"),
    pytest.param({"Dockerfile": BASE + "COPY backend/ /app/\nRUN cd /app && poetry install\n",
                  "backend/poetry.lock": ""}, id="poetry-lock-in-copied-directory"),
    pytest.param({"Dockerfile": BASE + "RUN --mount=type=bind,source=poetry.lock,target=poetry.lock \\\n"
                  "    --mount=type=bind,source=pyproject.toml,target=pyproject.toml poetry install --no-root\n"},
                 id="poetry-lock-bind-mounted"),
    pytest.param({"Dockerfile": BASE + "ENV UV_LOCKED=1\nCOPY . .\nRUN uv sync --no-dev\n"}, id="uv-locked-env"),
    pytest.param({"Dockerfile": BASE + "COPY . .\nRUN UV_FROZEN=1 uv sync\n"}, id="uv-frozen-prefix"),
    pytest.param({"Dockerfile": BASE + "COPY Pipfile Pipfile.lock ./\nRUN pipenv install --system --deploy\n"},
                 id="pipenv-deploy"),
    pytest.param({"Dockerfile": BASE + "COPY Pipfile Pipfile.lock ./\nRUN pipenv install --ignore-pipfile\n"},
                 id="pipenv-ignore-pipfile"),
    pytest.param({"Dockerfile": BASE + "RUN pipenv install requests==2.32.3\n"}, id="pipenv-install-named-package"),
    pytest.param({"Dockerfile": BASE + "COPY pyproject.toml pdm.lock ./\nRUN pdm install --prod --frozen-lockfile\n"},
                 id="pdm-frozen-lockfile"),
    # pdm's --no-lock is the deprecated spelling of --frozen-lockfile (pdm/cli/options.py).
    pytest.param({"Dockerfile": BASE + "COPY pyproject.toml pdm.lock ./\nRUN pdm install --prod --no-lock\n"},
                 id="pdm-no-lock"),
    pytest.param({"Dockerfile": BASE + "COPY . .\nRUN pdm install --check --no-self\n"}, id="pdm-check"),
    pytest.param({"Dockerfile": BASE + "COPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n"
                  "COPY . .\nRUN pip install --no-cache-dir --no-deps .\n", **PIP_TOOLS_PROJECT},
                 id="pip-tools-compiled-then-project-no-deps"),
    pytest.param({"Dockerfile": BASE + "COPY . .\nRUN pip install --no-cache-dir -r requirements.txt .\n",
                  **PIP_TOOLS_PROJECT}, id="project-with-its-requirements-in-one-command"),
    pytest.param({"Dockerfile": BASE + "COPY . .\nRUN pip install --no-cache-dir .\n",
                  "pyproject.toml": "[project]\nname='a'\n"}, id="project-without-lock-file"),
    pytest.param({"Dockerfile": BASE + "COPY . .\nRUN pip install --no-cache-dir -c constraints.txt .\n",
                  "uv.lock": ""}, id="project-with-constraints"),
    pytest.param({"Dockerfile": "FROM python:3.12-slim-bookworm AS deps\nCOPY pyproject.toml uv.lock ./\n"
                  "RUN uv sync --frozen --no-install-project\nFROM deps\nCOPY . .\nRUN uv pip install .\n",
                  "uv.lock": ""}, id="locked-deps-in-parent-stage"),
    pytest.param({"Dockerfile": BASE + "RUN curl -LsSf https://astral.sh/uv/0.5.11/install.sh | sh\n"},
                 id="uv-installer-with-version-in-url"),
    pytest.param({"Dockerfile": BASE + "ENV POETRY_VERSION=1.8.3\nRUN curl -sSL https://install.python-poetry.org "
                  "| python3 -\n"}, id="poetry-installer-with-env"),
    pytest.param({"Dockerfile": BASE + "ARG POETRY_VERSION=1.8.3\nRUN curl -sSL https://install.python-poetry.org "
                  "| python3 - --version \"$POETRY_VERSION\"\n"}, id="poetry-installer-with-version-option"),
    pytest.param({"Dockerfile": BASE + "RUN curl -sSL https://install.python-poetry.org "
                  "| POETRY_VERSION=1.8.3 python3 -\n"}, id="poetry-installer-version-on-the-pipe"),
    pytest.param({"Dockerfile": BASE + "RUN curl -sSL https://pdm-project.org/install-pdm.py | python3 - -v 2.15.4\n"},
                 id="pdm-installer-with-version"),
    pytest.param({"Dockerfile": BASE + "RUN pipx install poetry==1.8.3 && pipx install httpie\n"},
                 id="pipx-pinned-manager-and-other-tool"),
    pytest.param({"Dockerfile": BASE + "RUN uv tool install pdm==2.15.4\n"}, id="uv-tool-pinned"),
    pytest.param({"Dockerfile": BASE + "ADD https://astral.sh/uv/0.5.11/install.sh /uv-installer.sh\n"
                  "RUN sh /uv-installer.sh && rm /uv-installer.sh\n"}, id="uv-install-script-added-with-version"),
    pytest.param({"Dockerfile": BASE + "ENV POETRY_VERSION=1.8.3 POETRY_HOME=/opt/poetry\n"
                  "ADD https://install.python-poetry.org /tmp/install-poetry.py\n"
                  "RUN python3 /tmp/install-poetry.py\n"}, id="poetry-script-added-with-env"),
    pytest.param({"Dockerfile": BASE + "RUN pip install --no-cache-dir pipx==1.6.0 \\\n"
                  "    && pipx install \"poetry==$POETRY_VERSION\"\n"}, id="pipx-pinned-by-variable"),
    pytest.param({"Dockerfile": BASE + "COPY --chown=app:app [\"pyproject.toml\", \"poetry.lock\", \"./\"]\n"
                  "RUN poetry install --no-root\n"}, id="poetry-lock-json-copy-with-flags"),
    pytest.param({"Dockerfile": "FROM python:3.12-slim-bookworm AS base\nCOPY pyproject.toml poetry.lock ./\n"
                  "FROM base AS dev\nRUN poetry install --with dev\n"}, id="poetry-lock-in-parent-stage"),
    pytest.param({"Dockerfile": BASE + "COPY pyproject.toml poetry.lock ./\n"
                  "RUN poetry export -f requirements.txt -o requirements.txt --without-hashes \\\n"
                  "    && pip install --no-cache-dir -r requirements.txt\nCOPY . .\n"
                  "RUN pip install --no-cache-dir .\n", "poetry.lock": ""}, id="poetry-export-then-project"),
    pytest.param({"Dockerfile": BASE + "COPY . .\nRUN pdm sync --prod --no-editable\n"}, id="pdm-sync"),
    pytest.param({"Dockerfile": "FROM python:3.12-slim-bookworm AS src\nCOPY . /src\n"
                  "FROM python:3.12-slim-bookworm\nCOPY --from=src /src/pyproject.toml /src/poetry.lock ./\n"
                  "RUN poetry install --no-root\n", "poetry.lock": ""}, id="poetry-lock-copied-from-a-stage"),
    pytest.param({"Dockerfile": BASE + "RUN pipx install --python python3.12 poetry==1.8.3\n"},
                 id="pipx-option-value-before-the-package"),
    pytest.param({"Dockerfile": BASE + "COPY . .\nRUN pipenv sync --system\n"}, id="pipenv-sync"),
    pytest.param({"Dockerfile": BASE + "RUN curl -sSL https://install.python-poetry.org\n"},
                 id="installer-printed-and-never-run"),
    pytest.param({"Dockerfile": BASE + "COPY . .\nRUN pipenv sync --system\n", "Pipfile": "", "Pipfile.lock": ""},
                 id="pipenv-sync-lock-in-a-copied-directory"),
    pytest.param({"Dockerfile": BASE + "COPY Pipfile ./\nRUN --mount=type=bind,source=Pipfile.lock,target=Pipfile.lock "
                  "pipenv install --deploy --system\n", "Pipfile": "", "Pipfile.lock": ""},
                 id="pipenv-lock-mounted"),
    pytest.param({"Dockerfile": BASE + "COPY Pipfile ./\nRUN pipenv lock && pipenv install --deploy --system\n",
                  "Pipfile": ""}, id="pipenv-lock-in-a-project-without-a-lock"),
    pytest.param({"Dockerfile": BASE + "RUN <<EOF\nset -e\ncurl -sSL https://install.python-poetry.org > /tmp/p.py\n"
                  "POETRY_VERSION=1.8.3 python3 /tmp/p.py\nEOF\n"}, id="heredoc-installer-pinned-on-next-command"),
]


@pytest.mark.parametrize("files", PASS)
def test_pass(tmp_path: Path, files: dict[str, str]) -> None:
    assert found(run(tmp_path, files)) == []


POETRY_FIX = "copy poetry.lock by its exact name before the install"
# The project has no poetry.lock: copying one alone would fail the build.
POETRY_CREATE = "create it ('poetry lock'; none is in the build context), commit it and copy it by its exact name " \
    "before the install"
FAIL = [
    pytest.param(
        {"Dockerfile": BASE + "WORKDIR /app/\nCOPY ./pyproject.toml ./poetry.lock* /app/\n"
         "RUN poetry install --no-root\n", "poetry.lock": "# lock\n"},
        [(4, 5, "DPH110", "'poetry install' resolves the dependencies afresh when poetry.lock is missing, and the "
          "glob './poetry.lock*' on line 3 lets the build go on without the lock; " + POETRY_FIX)],
        id="fastapi-template-poetry-lock-glob",
    ),
    pytest.param(
        {"Dockerfile": BASE + "COPY pyproject.toml ./\nRUN poetry install --no-root\n"},
        [(3, 5, "DPH110", "'poetry install' resolves the dependencies afresh when poetry.lock is missing, and no "
          "poetry.lock is copied or mounted before it; " + POETRY_CREATE)],
        id="poetry-without-lock",
    ),
    pytest.param(
        {"Dockerfile": BASE + "COPY . .\nRUN poetry install\n"},
        [(3, 5, "DPH110", "'poetry install' resolves the dependencies afresh when poetry.lock is missing, and no "
          "poetry.lock is copied or mounted before it; " + POETRY_CREATE)],
        id="poetry-whole-context-without-lock-file",
    ),
    pytest.param(
        {"Dockerfile": BASE + "COPY . .\nRUN --mount=type=cache,target=/root/.cache/uv uv sync --no-dev\n"},
        [(3, 47, "DPH110", "'uv sync' without --locked or --frozen resolves again when uv.lock is missing or stale "
          "and rewrites it; add --locked (the build then fails on a stale lock)")],
        id="uv-sync-without-locked",
    ),
    pytest.param(
        {"Dockerfile": BASE + "COPY pyproject.toml .\nRUN uv pip install --system -r pyproject.toml\n"},
        [(3, 32, "DPH110", "'uv pip install -r pyproject.toml' resolves the ranges of pyproject.toml afresh; "
          "lock them ('uv lock') and install with 'uv sync --locked'")],
        id="uv-pip-install-pyproject",
    ),
    pytest.param(
        {"Dockerfile": BASE + "COPY requirements.in .\nRUN pip install --no-cache-dir -r requirements.in\n"},
        [(3, 35, "DPH110", "'pip install -r requirements.in' installs the loose pip-tools input, not its compiled, "
          "pinned file; install 'requirements.txt' instead")],
        id="pip-install-requirements-in",
    ),
    pytest.param(
        {"Dockerfile": BASE + "COPY Pipfile Pipfile.lock ./\n"
         "RUN pip install pipenv==2024.0.1 && pipenv install --system\n"},
        [(3, 37, "DPH110", "'pipenv install' without --deploy re-locks when Pipfile.lock is stale; add --deploy "
          "(the build then fails on a stale lock) or use 'pipenv sync'")],
        id="pipenv-without-deploy",
    ),
    pytest.param(
        {"Dockerfile": BASE + "COPY Pipfile ./\nRUN pipenv lock && pipenv install --system --deploy\n"
         "FROM python:3.12-slim-bookworm\nCOPY Pipfile Pipfile.lock* ./\nRUN pipenv sync --system\n",
         "Pipfile": "", "Pipfile.lock": ""},
        [
            (3, 5, "DPH110", "'pipenv lock' resolves the dependencies afresh and replaces the project's "
             "Pipfile.lock; copy Pipfile.lock instead and install with 'pipenv sync' or 'pipenv install --deploy'"),
            (3, 20, "DPH110", "'pipenv install' locks the dependencies afresh when Pipfile.lock is missing, and "
             "the project's Pipfile.lock is not copied or mounted before it; copy Pipfile.lock by its exact name "
             "before the install"),
            (6, 5, "DPH110", "'pipenv sync' locks the dependencies afresh when Pipfile.lock is missing, and the "
             "glob 'Pipfile.lock*' on line 5 lets the build go on without it; copy Pipfile.lock by its exact name "
             "before the install"),
        ],
        id="pipenv-lock-not-copied",
    ),
    pytest.param(
        {"Dockerfile": BASE + "COPY pyproject.toml pdm.lock ./\nRUN pdm install --prod --no-self\n"},
        [(3, 5, "DPH110", "'pdm install' without --frozen-lockfile re-locks when pdm.lock is stale; add "
          "--frozen-lockfile (or --check, which fails on a stale lock)")],
        id="pdm-without-frozen-lockfile",
    ),
    pytest.param(
        {"Dockerfile": BASE + "RUN curl -sSL https://install.python-poetry.org | python3 -\n"},
        [(2, 15, "DPH114", "'https://install.python-poetry.org' installs whichever Poetry release is newest that "
          "day; set 'ENV POETRY_VERSION=<version>' before it (the installer reads it), or install it with "
          "'pip install poetry==<version>'")],
        id="poetry-install-script",
    ),
    pytest.param(
        {"Dockerfile": BASE + "ARG POETRY_VERSION=\"\"\nRUN curl -sSL https://install.python-poetry.org | python3 -\n"},
        [(3, 15, "DPH114", "'https://install.python-poetry.org' installs whichever Poetry release is newest that "
          "day; set 'ENV POETRY_VERSION=<version>' before it (the installer reads it), or install it with "
          "'pip install poetry==<version>'")],
        id="poetry-install-script-empty-version",
    ),
    pytest.param(
        {"Dockerfile": BASE + "RUN apt-get update && apt-get install -y --no-install-recommends curl \\\n"
         "    && curl -LsSf https://astral.sh/uv/install.sh | sh\n"},
        [(3, 19, "DPH114", "'https://astral.sh/uv/install.sh' installs whichever uv release is newest that day; "
          "copy a pinned binary instead: 'COPY --from=ghcr.io/astral-sh/uv:<version> /uv /uvx /bin/' "
          "(or name the version in the URL: https://astral.sh/uv/<version>/install.sh)")],
        id="uv-install-script",
    ),
    pytest.param(
        {"Dockerfile": BASE + "RUN wget -qO- https://pdm-project.org/install-pdm.py | python3 -\n"},
        [(2, 15, "DPH114", "'https://pdm-project.org/install-pdm.py' installs whichever PDM release is newest that "
          "day; set 'ENV PDM_VERSION=<version>' before it (the installer reads it), or install it with "
          "'pip install pdm==<version>'")],
        id="pdm-install-script",
    ),
    pytest.param(
        {"Dockerfile": BASE + "RUN curl -sSf https://rye.astral.sh/get | RYE_INSTALL_OPTION=--yes bash\n"},
        [(2, 15, "DPH114", "'https://rye.astral.sh/get' installs whichever Rye release is newest that day; "
          "set 'ENV RYE_VERSION=<version>' before it (the installer reads it)")],
        id="rye-install-script",
    ),
    pytest.param(
        {"Dockerfile": BASE + "RUN pip install --no-cache-dir pipx==1.6.0 && pipx install poetry\n"},
        [(2, 60, "DPH114", "'pipx install poetry' installs whichever poetry release is newest that day; pin it: "
          "'pipx install poetry==<version>'")],
        id="pipx-install-poetry",
    ),
    pytest.param(
        {"Dockerfile": BASE + "ADD https://astral.sh/uv/install.sh /uv-installer.sh\n"
         "RUN sh /uv-installer.sh && rm /uv-installer.sh\n"},
        [(2, 5, "DPH114", "'https://astral.sh/uv/install.sh' installs whichever uv release is newest that day; "
          "copy a pinned binary instead: 'COPY --from=ghcr.io/astral-sh/uv:<version> /uv /uvx /bin/' "
          "(or name the version in the URL: https://astral.sh/uv/<version>/install.sh)")],
        id="uv-install-script-added",
    ),
    pytest.param(
        {"Dockerfile": BASE + "RUN pipx install --python python3.12 poetry\n"},
        [(2, 38, "DPH114", "'pipx install poetry' installs whichever poetry release is newest that day; pin it: "
          "'pipx install poetry==<version>'")],
        id="pipx-option-value-then-unpinned-manager",
    ),
    pytest.param(
        {"Dockerfile": "FROM python:3.12-slim-bookworm AS src\nCOPY . /src\nFROM python:3.12-slim-bookworm\n"
         "COPY --from=src /src/poetry.lock* ./\nRUN poetry install --no-root\n", "poetry.lock": "# lock\n"},
        [(5, 5, "DPH110", "'poetry install' resolves the dependencies afresh when poetry.lock is missing, and the "
          "glob '/src/poetry.lock*' on line 4 lets the build go on without the lock; " + POETRY_FIX)],
        id="poetry-lock-glob-from-a-stage",
    ),
    pytest.param(
        {"Dockerfile": BASE + "RUN uv tool install pdm\n"},
        [(2, 21, "DPH114", "'uv tool install pdm' installs whichever pdm release is newest that day; pin it: "
          "'uv tool install pdm==<version>'")],
        id="uv-tool-install",
    ),
]


@pytest.mark.parametrize(("files", "expected"), FAIL)
def test_fail(tmp_path: Path, files: dict[str, str], expected: list[tuple[int, int, str, str]]) -> None:
    assert found(run(tmp_path, files)) == expected


@pytest.mark.parametrize(
    ("lock", "fix"),
    [
        ("uv.lock", "install from the lock with 'uv sync --locked'"),
        ("poetry.lock", "install from the lock with 'poetry install'"),
        ("pdm.lock", "install from the lock with 'pdm install --frozen-lockfile'"),
        ("Pipfile.lock", "install from the lock with 'pipenv install --deploy'"),
        ("requirements.txt", "install 'requirements.txt' first ('pip install -r requirements.txt')"),
    ],
)
def test_project_install_ignores_lock(tmp_path: Path, lock: str, fix: str) -> None:
    files = {"Dockerfile": BASE + "WORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir -e .\n", lock: ""}
    if lock == "requirements.txt":
        files.update(PIP_TOOLS_PROJECT)
    assert found(run(tmp_path, files)) == [(
        4, 35, "DPH111",
        f"'pip install -e .' resolves the dependency ranges of pyproject.toml afresh and ignores {lock} in the "
        f"build context; {fix}, then the project alone with '--no-deps'",
    )]


def test_project_install_with_uv_pip(tmp_path: Path) -> None:
    files = {"app/Dockerfile": BASE + "COPY . .\nRUN uv pip install --system '.[server]'\n", "app/uv.lock": ""}
    assert found(run(tmp_path, files, "app/Dockerfile")) == [(
        3, 29, "DPH111",
        "'uv pip install .[server]' resolves the dependency ranges of pyproject.toml afresh and ignores uv.lock in "
        "the build context; install from the lock with 'uv sync --locked', then the project alone with '--no-deps'",
    )]


def test_without_context_only_the_dockerfile_is_judged() -> None:
    text = BASE + "COPY . .\nRUN pip install .\nRUN uv sync\n"
    assert [(f.line, f.code) for f in check(parse(text))] == [(4, "DPH110")]


HASHED = (
    "flask==3.0.3 \\\n    --hash=sha256:" + "a" * 64 + "\n"
    "gunicorn==22.0.0 \\\n    --hash=sha256:" + "b" * 64 + "\n"
)


@pytest.mark.parametrize(
    ("command", "requirements", "expected"),
    [
        pytest.param("pip install --no-cache-dir -r requirements.txt", HASHED + "click==8.1.7\n",
                     [(3, 35, "DPH113", "'requirements.txt' has hashes on 2 of its 3 requirements: pip then checks "
                       "hashes and fails on the others; add a hash to every requirement (pip-compile "
                       "--generate-hashes) and pass --require-hashes")], id="pip-some-hashes"),
        pytest.param("pip install --no-cache-dir -r requirements.txt", HASHED, [], id="pip-all-hashes"),
        pytest.param("pip install --no-cache-dir -r requirements.txt", "flask==3.0.3\n", [], id="pip-no-hashes"),
        pytest.param("pip install --no-cache-dir --require-hashes -r requirements.txt", HASHED + "click==8.1.7\n", [],
                     id="pip-require-hashes"),
        pytest.param("uv pip install --system -r requirements.txt", HASHED,
                     [(3, 32, "DPH113", "'requirements.txt' has hashes, but uv lets a requirement without a hash "
                       "through unless told; add --require-hashes")], id="uv-hashes"),
        pytest.param("uv pip install --system --require-hashes -r requirements.txt", HASHED, [],
                     id="uv-require-hashes"),
        pytest.param("UV_REQUIRE_HASHES=1 uv pip sync --system requirements.txt", HASHED, [], id="uv-env"),
    ],
)
def test_hashes(tmp_path: Path, command: str, requirements: str, expected: list[tuple[int, int, str, str]]) -> None:
    files = {"Dockerfile": BASE + "COPY requirements.txt /tmp/req/\nRUN " + command + "\n",
             "requirements.txt": requirements}
    assert found(run(tmp_path, files, check_hashes=True)) == expected
    assert run(tmp_path, files) == []  # opt-in


def test_hash_checking_mode_holds_for_the_whole_command(tmp_path: Path) -> None:
    files = {
        "Dockerfile": BASE + "COPY requirements.txt ci.txt /tmp/\n"
        "RUN pip install --no-cache-dir -r /tmp/requirements.txt -r /tmp/ci.txt\n",
        "requirements.txt": HASHED, "ci.txt": "tox==4.23.2\n",
    }
    assert found(run(tmp_path, files, check_hashes=True)) == [(3, 60, "DPH113", (
        "'/tmp/ci.txt' has no hashes, but '/tmp/requirements.txt' on the same command has: pip then checks "
        "hashes for every requirement and fails on those it lists; add hashes to it (pip-compile "
        "--generate-hashes) or install it with a command of its own"
    ))]


def test_hashes_of_a_file_copied_under_another_directory(tmp_path: Path) -> None:
    files = {
        "Dockerfile": BASE + "COPY deploy/requirements.txt /tmp/\nRUN pip install -r /tmp/requirements.txt\n",
        "deploy/requirements.txt": HASHED + "click==8.1.7\n",
    }
    assert [f.code for f in run(tmp_path, files, check_hashes=True)] == ["DPH113"]


def test_main(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    for name, content in UV_PROJECT.items():
        write(f"uv/{name}", content)
    for name, content in POETRY_PROJECT.items():
        write(f"poetry/{name}", content)
    bad = write("svc/Dockerfile", BASE + "COPY . .\nRUN pip install .\n")
    write("svc/poetry.lock", "")
    assert main(["uv/Dockerfile", "poetry/Dockerfile"]) == 0
    assert capsys.readouterr().out == ""
    assert main([bad]) == 1
    assert capsys.readouterr().out.startswith("svc/Dockerfile:3:17: DPH111 'pip install .' resolves ")


def test_guides_pass_every_rule(write: Writer) -> None:
    """The uv and Poetry layouts are clean under every rule of the collection."""
    from hooks.__main__ import check_paths

    for folder, project in (("uv", UV_PROJECT), ("poetry", POETRY_PROJECT)):
        for name, content in project.items():
            write(f"{folder}/{name}", content)
    assert check_paths(["."]) == []


def test_dph301_understands_the_guides() -> None:
    from hooks.check_requirements_before_source import check as dph301

    assert dph301(parse(UV_DOCKERFILE)) == []
    assert dph301(parse(POETRY_DOCKERFILE)) == []


@pytest.mark.parametrize(
    ("code", "context"),
    [
        ("DPH110", {}),
        ("DPH111", {"uv.lock": "version = 1\n", "requirements.txt": "flask==3.0.3\n"}),
        ("DPH113", {"requirements.txt": HASHED}),
        ("DPH114", {}),
        ("DPH115", {"pyproject.toml": "[project]\nname = 'app'\n[dependency-groups]\ndev = ['pytest']\n",
                    "uv.lock": "version = 1\n"}),
    ],
)
def test_documented_examples(tmp_path: Path, code: str, context: dict[str, str]) -> None:
    from hooks import check_lockfile_install
    from tests.projects import doc_blocks

    examples, fixes = doc_blocks(check_lockfile_install, code)
    for body in examples:
        assert code in {f.code for f in run(tmp_path, {**context, "Dockerfile": body}, check_hashes=True)}, body
    for body in fixes:
        assert run(tmp_path, {**context, "Dockerfile": body}, check_hashes=True) == [], body


def test_context_is_the_parent_that_holds_the_copied_files(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    """docker/Dockerfile built with the repository root as context (docker build -f docker/Dockerfile .)."""
    write("docker/Dockerfile", BASE + "WORKDIR /app\nCOPY pyproject.toml uv.lock ./\nCOPY src/ src/\n"
          "RUN pip install --no-cache-dir .\n")
    write("pyproject.toml", "[project]\nname = 'app'\nversion = '1'\n")
    write("uv.lock", "version = 1\n")
    write("src/app/__init__.py", "")
    assert main(["docker/Dockerfile"]) == 1
    assert capsys.readouterr().out.startswith("docker/Dockerfile:5:32: DPH111 'pip install .' resolves ")
    write("docker/pyproject.toml", "[project]\nname = 'other'\nversion = '1'\n")  # its own directory wins
    assert main(["docker/Dockerfile"]) == 0


def test_copied_names() -> None:
    from hooks._context import copied_names

    df = parse(
        "ARG REQ=requirements.txt\nFROM python:3.12-slim-bookworm\nCOPY ./pyproject.toml poetry.lock* /app/\n"
        "COPY --from=build /wheels /wheels\nCOPY [\"src/\", \"/app/src\"]\nCOPY $REQ . \nCOPY . .\n"
        "ADD https://example.com/x.tar.gz /x\nCOPY <<EOF /etc/motd\nhi\nEOF\n"
    )
    assert copied_names(df) == ("pyproject.toml", "src")


UV_APP = (
    "FROM ghcr.io/astral-sh/uv:python3.12-bookworm-slim\nWORKDIR /srv\nCOPY pyproject.toml uv.lock ./\n"
    "RUN uv sync --locked --no-dev --no-install-project\nCOPY . .\nRUN uv sync --locked {sync}\n"
)
DEV_GROUP = "[project]\nname = 'app'\nversion = '1'\n[dependency-groups]\ndev = ['pytest==8.3.3']\n"


def _uv_run(tmp_path: Path, tail: str, pyproject: str = DEV_GROUP, sync: str = "--no-dev") -> list[str]:
    files = {"Dockerfile": UV_APP.format(sync=sync) + tail, "pyproject.toml": pyproject, "uv.lock": "version = 1\n"}
    return [f.message for f in run(tmp_path, files) if f.code == "DPH115"]


@pytest.mark.parametrize("tail", [
    'CMD ["uv", "run", "gunicorn", "app:app"]\n',
    "CMD uv run gunicorn app:app\n",
    'CMD ["sh", "-c", "uv run alembic upgrade head && exec uv run gunicorn app:app"]\n',
    'ENTRYPOINT ["uv", "run"]\nCMD ["gunicorn", "app:app"]\n',
    'CMD ["uv", "run", "--frozen", "gunicorn", "app:app"]\n',
    'ARG UV_NO_SYNC=1\nCMD ["uv", "run", "gunicorn", "app:app"]\n',
    'CMD UV_NO_SYNC=0 uv run gunicorn app:app\n',
])
def test_uv_run_syncs_the_dev_group_at_start(tmp_path: Path, tail: str) -> None:
    messages = _uv_run(tmp_path, tail)
    assert messages
    assert "'uv sync --no-dev' (line 6)" in messages[0]
    assert 'ENV PATH=\"/srv/.venv/bin:$PATH\"' in messages[0]


@pytest.mark.parametrize(("tail", "pyproject", "sync"), [
    pytest.param('CMD ["uv", "run", "--no-sync", "gunicorn", "app:app"]\n', DEV_GROUP, "--no-dev", id="no-sync"),
    pytest.param('CMD ["uv", "run", "--no-dev", "gunicorn", "app:app"]\n', DEV_GROUP, "--no-dev", id="run-no-dev"),
    pytest.param('ENTRYPOINT ["uv", "run"]\nCMD ["--no-sync", "gunicorn", "app:app"]\n', DEV_GROUP, "--no-dev",
                 id="cmd-gives-the-option"),
    pytest.param('ENV UV_NO_SYNC=1\nCMD ["uv", "run", "gunicorn", "app:app"]\n', DEV_GROUP, "--no-dev",
                 id="env-no-sync"),
    pytest.param('ENV UV_NO_DEV=1\nCMD ["uv", "run", "gunicorn", "app:app"]\n', DEV_GROUP, "--no-dev",
                 id="env-no-dev"),
    pytest.param("CMD UV_NO_SYNC=1 uv run gunicorn app:app\n", DEV_GROUP, "--no-dev", id="prefix-no-sync"),
    pytest.param('ENV PATH="/srv/.venv/bin:$PATH"\nCMD ["gunicorn", "app:app"]\n', DEV_GROUP, "--no-dev",
                 id="program-from-the-venv"),
    pytest.param('CMD ["uv", "run", "gunicorn", "app:app"]\n', "[project]\nname = 'app'\n", "--no-dev",
                 id="no-dev-group"),
    pytest.param('CMD ["uv", "run", "gunicorn", "app:app"]\n',
                 DEV_GROUP + "[tool.uv]\ndefault-groups = []\n", "--no-dev", id="dev-not-a-default-group"),
    pytest.param('CMD ["uv", "run", "gunicorn", "app:app"]\n', "not toml [", "--no-dev", id="pyproject-unreadable"),
    pytest.param('RUN uv run python -m compileall .\nCMD ["gunicorn", "app:app"]\n', DEV_GROUP, "--no-dev",
                 id="uv-run-at-build-time"),
])
def test_uv_run_that_installs_nothing_at_start(tmp_path: Path, tail: str, pyproject: str, sync: str) -> None:
    assert _uv_run(tmp_path, tail, pyproject, sync) == []


def test_uv_run_after_a_sync_with_the_dev_group(tmp_path: Path) -> None:
    text = 'FROM ghcr.io/astral-sh/uv:python3.12-bookworm-slim\nCOPY . .\nRUN uv sync --locked\nCMD ["uv", "run", "x"]'
    files = {"Dockerfile": text, "pyproject.toml": DEV_GROUP, "uv.lock": ""}
    assert [f.code for f in run(tmp_path, files)] == []


def test_uv_run_in_an_image_without_the_project(tmp_path: Path) -> None:
    text = (
        "FROM ghcr.io/astral-sh/uv:python3.12-bookworm-slim AS build\nWORKDIR /app\nCOPY . .\n"
        "RUN uv sync --locked --no-dev\n"
        "FROM ghcr.io/astral-sh/uv:python3.12-bookworm-slim\nCOPY --from=build /app/.venv /app/.venv\n"
        'CMD ["uv", "run", "app"]\n'
    )
    files = {"Dockerfile": text, "pyproject.toml": DEV_GROUP, "uv.lock": ""}
    assert [f.code for f in run(tmp_path, files)] == []
    copied = text.replace("/app/.venv /app/.venv", "/app /app")
    assert [f.code for f in run(tmp_path, {**files, "Dockerfile": copied})] == ["DPH115"]


def test_uv_run_of_another_target(tmp_path: Path) -> None:
    text = UV_APP.format(sync="--no-dev") + 'CMD ["uv", "run", "app"]\nFROM python:3.12-slim-bookworm AS other\n'
    files = {"Dockerfile": text, "pyproject.toml": DEV_GROUP, "uv.lock": ""}
    assert [f.code for f in run(tmp_path, files)] == []
    repo = Repo(str(tmp_path))
    df = parse(text, "Dockerfile")
    targeted = check(df, context=BuildContext(repo, "Dockerfile"), target="0")
    assert targeted == []  # no stage is named '0'; --target names a stage


def test_installer_url_in_an_arg(tmp_path: Path) -> None:
    text = BASE + "ARG RYE_URL=https://rye.astral.sh/get\nRUN curl -sSf ${RYE_URL} | RYE_INSTALL_OPTION=--yes bash\n"
    assert [(f.line, f.code) for f in run(tmp_path, {"Dockerfile": text})] == [(3, "DPH114")]
    pinned = text.replace("ARG RYE_URL", "ENV RYE_VERSION=0.44.0\nARG RYE_URL")
    assert run(tmp_path, {"Dockerfile": pinned}) == []


@pytest.mark.parametrize(("run", "files", "expected"), [
    ("uv export --no-dev -o requirements.txt", {"uv.lock": ""}, ["'uv export' without --locked or --frozen"]),
    ("uv export --frozen --no-dev -o requirements.txt", {"uv.lock": ""}, []),
    ("poetry export -o requirements.txt", {"poetry.lock": ""}, ["'poetry export' resolves the dependencies afresh"]),
    ("poetry lock", {"poetry.lock": ""}, ["'poetry lock' resolves the dependencies afresh in the build and ignores"]),
    ("poetry lock --check", {"poetry.lock": ""}, []),
    ("poetry lock", {}, []),
])
def test_exports_and_locks_in_the_build(tmp_path: Path, run: str, files: dict[str, str], expected: list[str]) -> None:
    text = BASE + f"COPY pyproject.toml ./\nRUN {run}\n"
    found = [f.message for f in run_(tmp_path, {**files, "pyproject.toml": "", "Dockerfile": text})]
    assert len(found) == len(expected) and all(m.startswith(e) for m, e in zip(found, expected, strict=True))


def run_(tmp: Path, files: dict[str, str]) -> list[Finding]:
    return [f for f in run(tmp, files) if f.code == "DPH110"]
