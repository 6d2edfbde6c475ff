from __future__ import annotations

import pytest

from hooks._dockerfile import parse
from hooks._shell import Command, Install
from hooks.check_requirements_before_source import check, main, manifest_keys
from tests.conftest import Writer

UV_OFFICIAL = """\
FROM python:3.12-slim-bookworm
COPY --from=ghcr.io/astral-sh/uv:0.5.11 /uv /uvx /bin/
WORKDIR /app
ENV UV_COMPILE_BYTECODE=1
ENV UV_LINK_MODE=copy
RUN --mount=type=cache,target=/root/.cache/uv \\
    --mount=type=bind,source=uv.lock,target=uv.lock \\
    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \\
    uv sync --frozen --no-install-project --no-dev
ADD . /app
RUN --mount=type=cache,target=/root/.cache/uv \\
    uv sync --frozen --no-dev
ENV PATH="/app/.venv/bin:$PATH"
CMD ["fastapi", "run", "--host", "0.0.0.0", "src/uv_docker_example"]
"""

UV_MULTISTAGE = """\
FROM ghcr.io/astral-sh/uv:python3.12-bookworm-slim AS builder
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
WORKDIR /app
RUN --mount=type=cache,target=/root/.cache/uv \\
    --mount=type=bind,source=uv.lock,target=uv.lock \\
    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \\
    uv sync --locked --no-install-project --no-dev
COPY . /app
RUN --mount=type=cache,target=/root/.cache/uv \\
    uv sync --locked --no-dev
FROM python:3.12-slim-bookworm
COPY --from=builder --chown=app:app /app /app
ENV PATH="/app/.venv/bin:$PATH"
USER app
CMD ["python", "-m", "app"]
"""

POETRY = """\
FROM python:3.12-slim-bookworm
ENV POETRY_VERSION=1.8.3 POETRY_VIRTUALENVS_CREATE=false
RUN pip install --no-cache-dir "poetry==$POETRY_VERSION"
WORKDIR /app
COPY pyproject.toml poetry.lock ./
RUN poetry install --no-root --only main --no-interaction --no-ansi
COPY . .
RUN poetry install --only main --no-interaction --no-ansi
"""

WHEELS = """\
FROM python:3.12-slim-bookworm AS builder
RUN apt-get update && apt-get install -y --no-install-recommends gcc
WORKDIR /build
COPY requirements.txt .
RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt
COPY . .
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .
FROM python:3.12-slim-bookworm
COPY --from=builder /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links=/wheels /wheels/* && rm -rf /wheels
COPY . /app
"""

PASS = [
    pytest.param(UV_OFFICIAL, id="uv-official-example-bind-mounts"),
    pytest.param(UV_MULTISTAGE, id="uv-multistage-example"),
    pytest.param(POETRY, id="poetry-no-root-then-install"),
    pytest.param(WHEELS, id="multistage-wheels"),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nWORKDIR /app\nCOPY requirements.txt .\n"
        "RUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\n"
        'CMD ["gunicorn", "app:app"]\n',
        id="manifest-first",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
        "COPY . .\nRUN pip install --no-deps .\n",
        id="project-no-deps-after-source",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nCOPY requirements.txt .\nRUN python -m pip install -r requirements.txt\n"
        "COPY . .\nRUN python -m pip install -e .\n",
        id="editable-project-after-source",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nCOPY . /app\nRUN pip install /app\n",
        id="pip-install-dot-is-the-project",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nCOPY requirements/ requirements/\n"
        "RUN pip install -r requirements/prod.txt\nCOPY . .\n",
        id="requirements-directory",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\n"
        "RUN --mount=type=bind,source=requirements.txt,target=/tmp/requirements.txt \\\n"
        "    pip install --no-cache-dir -r /tmp/requirements.txt\nCOPY . /app\n",
        id="requirements-bind-mounted",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
        "COPY . .\nRUN pip install -r requirements.txt\n",
        id="same-requirements-again-is-a-no-op",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nCOPY Pipfile Pipfile.lock ./\n"
        "RUN pip install --no-cache-dir pipenv==2024.0.1 && pipenv install --system --deploy\nCOPY . .\n",
        id="pipenv",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nCOPY pyproject.toml pdm.lock ./\n"
        "RUN pdm install --prod --no-self\nCOPY . .\nRUN pdm install --prod\n",
        id="pdm-no-self-then-install",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nCOPY requirements.txt .\nRUN uv pip sync --system requirements.txt\n"
        "COPY . .\nRUN uv pip install --system --no-deps -e .\n",
        id="uv-pip-sync-then-project",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nCOPY pyproject.toml poetry.lock ./\nRUN poetry install --no-root\n"
        "COPY . .\nRUN poetry install --only-root\n",
        id="poetry-only-root",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nCOPY . .\nRUN poetry install --only-root\n",
        id="poetry-only-root-alone",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nCOPY . /app\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends libpq5\n",
        id="apt-get-install-is-not-python",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nCOPY . /app\nRUN pip install --upgrade pip==24.2\n"
        "RUN pip install gunicorn==22.0.0 && pipenv install gunicorn\n",
        id="named-packages-read-no-manifest",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm AS build\nCOPY . /src\nRUN make -C /src\n"
        "FROM python:3.12-slim-bookworm\nCOPY --from=build . .\nRUN pip install -r requirements.txt\n",
        id="copy-from-stage-is-not-the-context",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm AS assets\nCOPY . .\nRUN npm run build\n"
        "FROM python:3.12-slim-bookworm AS app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
        "COPY --from=assets /dist /static\n",
        id="copy-and-install-in-unrelated-stages",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm AS deps\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
        "FROM deps AS app\nCOPY . .\n",
        id="install-in-parent-copy-in-child",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nCOPY requirements.txt .\nRUN <<EOF\nset -e\n"
        "pip install -r requirements.txt\nEOF\nCOPY . .\n",
        id="heredoc-install-before-source",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nCOPY . .\nRUN python3 <<EOF\nprint('pip install -r requirements.txt')\nEOF\n",
        id="python-heredoc-is-not-shell",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nCOPY <<EOF /app/settings.ini\n[x]\nEOF\nRUN pip install -r r.txt\n",
        id="heredoc-copy-is-not-the-context",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nONBUILD COPY . /app\nRUN pip install -r requirements.txt\n",
        id="onbuild-copy-is-not-executed",
    ),
    pytest.param(
        'FROM python:3.12-slim-bookworm\nCOPY requirements.txt .\nRUN ["pip", "install", "-r", "requirements.txt"]\n'
        'COPY [".", "/app"]\n',
        id="exec-form-install-then-json-copy",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\r\nCOPY requirements.txt .\r\nRUN pip install \\\r\n"
        "    -r requirements.txt\r\nCOPY . .\r\n",
        id="crlf",
    ),
    pytest.param(
        "# escape=`\nFROM python:3.12-slim-bookworm\nCOPY requirements.txt .\nRUN pip install `\n"
        "    -r requirements.txt\nCOPY . .\n",
        id="escape-directive",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nRUN --mount=type=bind,from=builder,target=/w pip install -r /w/r.txt\n",
        id="bind-mount-from-stage",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nCOPY src/ /app/src/\nRUN pip install -r requirements.txt\n",
        id="partial-source-copy-not-judged",
    ),
]

FAIL = [
    pytest.param(
        "FROM python:3.12-slim-bookworm\nWORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir -r requirements.txt\n",
        [(3, 6, "DPH301", "COPY '.' copies the whole source before the dependency install on line 4 "
          "('pip install --no-cache-dir -r requirements.txt'), so every source change re-installs "
          "every dependency; copy only 'requirements.txt' first, run the install, then copy the source")],
        id="pip-r-after-copy-dot",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nWORKDIR /app\nCOPY . .\n"
        "RUN pip install --no-cache-dir -r requirements.txt -c constraints.txt\n",
        [(3, 6, "DPH301", "COPY '.' copies the whole source before the dependency install on line 4 "
          "('pip install --no-cache-dir -r requirements.txt -c constra...'), so every source change "
          "re-installs every dependency; copy only 'requirements.txt' and 'constraints.txt' first, "
          "run the install, then copy the source")],
        id="constraints-file-is-copied-first-too",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nCOPY --chown=app:app . /app\nRUN uv sync --frozen\n",
        [(2, 22, "DPH301", "COPY '.' copies the whole source before the dependency install on line 3 "
          "('uv sync --frozen'), so every source change re-installs every dependency; copy only "
          "pyproject.toml and uv.lock first, run 'uv sync --frozen --no-install-project', then copy the source")],
        id="uv-sync-without-earlier-deps-only-sync",
    ),
    pytest.param(
        'FROM python:3.12-slim-bookworm\nCOPY [".", "/app"]\nRUN poetry install --no-interaction\n',
        [(2, 8, "DPH301", "COPY '.' copies the whole source before the dependency install on line 3 "
          "('poetry install --no-interaction'), so every source change re-installs every dependency; "
          "copy only pyproject.toml and poetry.lock first, run 'poetry install --no-interaction --no-root', then copy "
          "the source")],
        id="json-copy-poetry",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nADD ./ /app/\nRUN python3 -m pip install -r /app/requirements.txt\n",
        [(2, 5, "DPH301", "ADD './' copies the whole source before the dependency install on line 3 "
          "('python3 -m pip install -r /app/requirements.txt'), so every source change re-installs "
          "every dependency; copy only 'requirements.txt' first, run the install, then copy the source")],
        id="add-dot-slash-python-m-pip",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm AS base\nWORKDIR /app\nCOPY * ./\n"
        "FROM base AS app\nRUN pipenv sync --system\n",
        [(3, 6, "DPH301", "COPY '*' copies the whole source before the dependency install on line 5 "
          "('pipenv sync --system'), so every source change re-installs every dependency; copy only "
          "Pipfile and Pipfile.lock first, run the install, then copy the source")],
        id="copy-in-parent-install-in-child",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
        "COPY . .\nRUN pip install -r requirements-dev.txt\nRUN pip install -r requirements-test.txt\n",
        [(4, 6, "DPH301", "COPY '.' copies the whole source before the dependency install on line 5 "
          "('pip install -r requirements-dev.txt'), so every source change re-installs every "
          "dependency; copy only 'requirements-dev.txt' first, run the install, then copy the source")],
        id="other-requirements-after-source-first-named",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nCOPY . .\nRUN <<EOF\nset -eux\n"
        "uv pip install --system -r pyproject.toml\nEOF\n",
        [(2, 6, "DPH301", "COPY '.' copies the whole source before the dependency install on line 5 "
          "('uv pip install --system -r pyproject.toml'), so every source change re-installs every "
          "dependency; copy only 'pyproject.toml' first, run the install, then copy the source")],
        id="heredoc-install",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nRUN --mount=type=cache,target=/root/.cache/pip \\\n"
        "    --mount=type=bind,target=/src \\\n    pip install -r /src/requirements.txt\n",
        [(3, 5, "DPH301", "RUN --mount=type=bind of the whole build context re-runs its dependency "
          "install ('pip install -r /src/requirements.txt') on every source change; bind-mount only "
          "'requirements.txt' for it, and the source for a later install of the project")],
        id="context-bind-mount-into-install",
    ),
    pytest.param(
        "ARG SRC=.\nFROM python:3.12-slim-bookworm\nARG SRC\nCOPY ${SRC} /app\n"
        "RUN pdm sync --prod\n",
        [(4, 6, "DPH301", "COPY '${SRC}' copies the whole source before the dependency install on line 5 "
          "('pdm sync --prod'), so every source change re-installs every dependency; copy only "
          "pyproject.toml and pdm.lock first, run 'pdm sync --prod --no-self', then copy the source")],
        id="source-from-arg",
    ),
    pytest.param(
        'FROM python:3.12-slim-bookworm\r\nCOPY . .\r\nRUN ["sh", "-c", "pip install -r requirements.txt"]\r\n',
        [(2, 6, "DPH301", "COPY '.' copies the whole source before the dependency install on line 3 "
          "('pip install -r requirements.txt'), so every source change re-installs every dependency; "
          "copy only 'requirements.txt' first, run the install, then copy the source")],
        id="crlf-exec-form-sh-c",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nCOPY . .\nRUN uv sync --no-install-project\nRUN uv sync\n",
        [(2, 6, "DPH301", "COPY '.' copies the whole source before the dependency install on line 3 "
          "('uv sync --no-install-project'), so every source change re-installs every dependency; "
          "copy only pyproject.toml and uv.lock first, run 'uv sync --no-install-project', then copy "
          "the source")],
        id="deps-only-sync-after-source-is-busted-too",
    ),
    pytest.param(
        # Real-world shape: pip's short flags clustered, '-Ur requirements.txt'.
        "FROM python:3.8\nWORKDIR /\nCOPY . /\nRUN pip install -Ur requirements.txt\n",
        [(3, 6, "DPH301", "COPY '.' copies the whole source before the dependency install on line 4 "
          "('pip install -Ur requirements.txt'), so every source change re-installs every dependency; "
          "copy only 'requirements.txt' first, run the install, then copy the source")],
        id="clustered-short-flags-Ur",
    ),
]


@pytest.mark.parametrize("text", PASS)
def test_pass(text: str) -> None:
    assert check(parse(text)) == []


@pytest.mark.parametrize(("text", "expected"), FAIL)
def test_fail(text: str, expected: list[tuple[int, int, str, str]]) -> None:
    found = [(f.line, f.col, f.code, f.message) for f in check(parse(text))]
    assert found == expected


def test_copy_inherited_by_two_stages_is_reported_once() -> None:
    text = (
        "FROM python:3.12-slim-bookworm AS base\nCOPY . /app\n"
        "FROM base AS test\nRUN pip install -r /app/requirements-test.txt\n"
        "FROM base AS prod\nRUN pip install -r /app/requirements.txt\n"
    )
    found = [(f.line, f.col, f.message.split("(")[1].split(")")[0]) for f in check(parse(text))]
    assert found == [(2, 6, "'pip install -r /app/requirements-test.txt'")]


@pytest.mark.parametrize(
    ("words", "keys"),
    [
        (("pip", "install", "-rrequirements.txt"), ("'requirements.txt'",)),
        (("pip", "install", "--requirement=a/b.txt", "-r", "c.txt"), ("'b.txt'", "'c.txt'")),
        (("pip", "install", "-c", "constraints.txt", "flask"), ()),
        (("uv", "pip", "install", "--requirements", "req.in"), ("'req.in'",)),
        (("uv", "pip", "sync"), ("uv pip sync",)),
        (("poetry", "-C", "app", "install"), ("poetry",)),
        (("pipenv", "install", "-r", "requirements.txt"), ("'requirements.txt'",)),
        (("pipenv", "install", "--python", "3.12", "--deploy"), ("pipenv",)),
        (("pdm", "add", "flask"), ()),
    ],
)
def test_manifest_keys(words: tuple[str, ...], keys: tuple[str, ...]) -> None:
    from hooks._shell import python_install

    install = python_install(Command(words, (), 0))
    assert isinstance(install, Install)
    assert manifest_keys(install) == keys


def test_main(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    good = write("Dockerfile", POETRY)
    bad = write("services/api/Dockerfile", "FROM python:3.12-slim-bookworm\nCOPY . .\nRUN uv sync\n")
    assert main([good]) == 0
    assert main([good, bad]) == 1
    assert capsys.readouterr().out.startswith("services/api/Dockerfile:2:6: DPH301 COPY '.' copies ")


# Real-world shape (Sentry self-hosted): the context is an allowlist of the manifest.
SENTRY_LIKE = (
    "FROM python:3.12-slim-bookworm\nCOPY . /usr/src/sentry\n"
    "RUN pip install --no-cache-dir -r /usr/src/sentry/requirements.txt\n"
)


@pytest.mark.parametrize(
    "ignore",
    [
        pytest.param("*\n# the manifest is all the image needs\n!/requirements.txt\n", id="allowlist-of-the-manifest"),
        pytest.param("**\n!requirements*.txt\n!pyproject.toml\n!uv.lock\n", id="allowlist-of-manifests"),
    ],
)
def test_context_that_lets_only_manifests_in(ignore: str) -> None:
    assert check(parse(SENTRY_LIKE), dockerignores=[(".dockerignore", ignore)]) == []


@pytest.mark.parametrize(
    "ignores",
    [
        pytest.param([], id="no-ignore-file"),
        pytest.param([(".dockerignore", ".git\n.venv\n**/__pycache__\n")], id="ordinary-ignore-file"),
        pytest.param([(".dockerignore", "*\n!requirements.txt\n!src\n")], id="allowlist-with-the-source"),
        pytest.param([("Dockerfile.dockerignore", ".git\n"), (".dockerignore", "*\n!requirements.txt\n")],
                     id="the-dockerfiles-own-ignore-file-wins"),
    ],
)
def test_context_with_source(ignores: list[tuple[str, str]]) -> None:
    assert [f.code for f in check(parse(SENTRY_LIKE), dockerignores=ignores)] == ["DPH301"]


def test_main_reads_the_ignore_file(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    path = write("sentry/Dockerfile", SENTRY_LIKE)
    assert main([path]) == 1
    capsys.readouterr()
    write("sentry/.dockerignore", "*\n!/requirements.txt\n")
    assert main([path]) == 0
    assert capsys.readouterr().out == ""


def test_suppression(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(
        "Containerfile",
        "FROM python:3.12-slim-bookworm\n# dph: ignore=DPH301 tiny image, rebuilt nightly\n"
        "COPY . .\nRUN pip install -r requirements.txt\n",
    )
    assert main([path]) == 0
    assert capsys.readouterr().out == ""


def test_advice_when_the_requirements_install_the_source(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    write("requirements.txt", "flask==3.0.3\n-e .\n")
    dockerfile = write("Dockerfile", "FROM python:3.12-slim-bookworm\nWORKDIR /app\nCOPY . .\n"
                                     "RUN pip install --no-cache-dir -r requirements.txt\n")
    assert main([dockerfile]) == 1
    assert capsys.readouterr().out.endswith(
        "; move the line '-e .' (it installs the source itself) out of the requirements, copy only "
        "'requirements.txt' first, run the install, then copy the source and install the project\n"
    )


@pytest.mark.parametrize(("run", "files", "advice"), [
    pytest.param(
        "pip install --no-cache-dir -r requirements/dev.txt",
        {"requirements/dev.txt": "-r lint.txt\n-r test.txt\n", "requirements/lint.txt": "ruff==0.8.0\n",
         "requirements/test.txt": "-c ../constraints.txt\npytest==8.3.3\n", "constraints.txt": ""},
        "copy only 'requirements/dev.txt' (with 'requirements/lint.txt', 'requirements/test.txt' and "
        "'constraints.txt', which it includes) first",
        id="includes-named-with-their-folder",
    ),
    pytest.param(
        "cd src/ && pip install --no-cache-dir -r requirements.txt -c ../constraints.txt",
        {"src/requirements.txt": "flask==3.0.3\n", "constraints.txt": ""},
        "copy only 'src/requirements.txt' and 'constraints.txt' first",
        id="path-behind-a-cd",
    ),
    pytest.param(
        "pip install --no-cache-dir -r /app/requirements.txt",
        {"requirements.txt": "flask==3.0.3\n"},
        "copy only 'requirements.txt' first",
        id="absolute-path-by-its-name",
    ),
])
def test_advice_names_the_files_the_install_reads(
    write: Writer, capsys: pytest.CaptureFixture[str], run: str, files: dict[str, str], advice: str,
) -> None:
    for name, text in files.items():
        write(name, text)
    dockerfile = write("Dockerfile", f"FROM python:3.12-slim-bookworm\nWORKDIR /app\nCOPY . .\nRUN {run}\n")
    assert main([dockerfile]) == 1
    assert f"; {advice}, run the install, then copy the source\n" in capsys.readouterr().out
