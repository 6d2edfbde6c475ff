from __future__ import annotations

from pathlib import Path

import pytest

from hooks._context import BuildContext
from hooks._dockerfile import parse
from hooks._files import Repo
from hooks._project import poetry_constraint, python_version_pins
from hooks.check_python_version import check, main
from tests.conftest import Writer
from tests.projects import POETRY_PROJECT, UV_PROJECT


def run(tmp: Path, files: dict[str, str], target: str | None = None) -> list[tuple[int, int, str, str]]:
    for name, content in files.items():
        (tmp / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / name).write_text(content)
    context = BuildContext(Repo(str(tmp)), "Dockerfile")
    findings = check(parse(files["Dockerfile"]), context=context, target=target)
    return [(f.line, f.col, f.code, f.message) for f in findings]


def pyproject(requires: str) -> str:
    return f'[project]\nname = "app"\nversion = "1"\nrequires-python = "{requires}"\n'


def poetry(python: str) -> str:
    return f'[tool.poetry]\nname = "app"\n\n[tool.poetry.dependencies]\npython = "{python}"\n'


PASS = [
    pytest.param(UV_PROJECT, id="uv-guide"),
    pytest.param(POETRY_PROJECT, id="poetry-guide"),
    pytest.param({"Dockerfile": "FROM python:3.12-slim-bookworm\n", "pyproject.toml": pyproject(">=3.12.4")},
                 id="minor-tag-covers-patch-constraint"),
    pytest.param({"Dockerfile": "FROM python:3.12.4-slim-bookworm\n", ".python-version": "3.12\n"},
                 id="patch-tag-and-minor-pin"),
    pytest.param({"Dockerfile": "FROM python:3.12-slim-bookworm\n", ".python-version": "# pyenv\ncpython@3.12.4\n"},
                 id="python-version-with-comment-and-prefix"),
    pytest.param({"Dockerfile": "ARG PY=3.11\nFROM python:${PY}-slim-bookworm\n",
                  "pyproject.toml": pyproject(">=3.10,<3.13")},
                 id="arg-default-in-range"),
    pytest.param({"Dockerfile": "FROM python:3.11-slim-bookworm AS build\nFROM gcr.io/distroless/python3-debian12\n",
                  "pyproject.toml": pyproject(">=3.12")}, id="final-image-tells-no-version"),
    pytest.param({"Dockerfile": "FROM python:3.12-slim-bookworm AS base\nFROM base\nRUN true\n",
                  "pyproject.toml": poetry("~3.12")}, id="final-stage-from-parent-stage"),
    pytest.param({"Dockerfile": "FROM python:3.10-slim-bookworm\n", "pyproject.toml": poetry(">=3.8,<3.11 || ^3.12")},
                 id="poetry-alternatives"),
    pytest.param({"Dockerfile": "FROM python:3.11-slim-bookworm\n", ".python-version": "3.12.4\n3.11\n"},
                 id="pyenv-several-versions"),
    pytest.param({"Dockerfile": "FROM python:slim-bookworm\n", "pyproject.toml": pyproject(">=3.13")},
                 id="tag-without-version"),
    pytest.param({"Dockerfile": "FROM python:3.12-slim-bookworm\n", "pyproject.toml": "not [valid toml"},
                 id="broken-pyproject-left-out"),
    pytest.param({"Dockerfile": "FROM python:3.12-slim-bookworm\n", "pyproject.toml": pyproject("not a specifier")},
                 id="broken-specifier-left-out"),
    pytest.param({"Dockerfile": "FROM ghcr.io/astral-sh/uv:python3.12-bookworm-slim\n",
                  "pyproject.toml": pyproject(">=3.12")}, id="uv-image"),
]


@pytest.mark.parametrize("files", PASS)
def test_pass(tmp_path: Path, files: dict[str, str]) -> None:
    assert run(tmp_path, files) == []


FAIL = [
    pytest.param(
        {"Dockerfile": "FROM python:3.11-slim-bookworm\n", "pyproject.toml": pyproject(">=3.12")},
        [(1, 6, "DPH210", "base image 'python:3.11-slim-bookworm' runs Python 3.11, outside requires-python in "
          "pyproject.toml ('>=3.12'); use a base image whose Python it allows, or change the constraint")],
        id="below-requires-python",
    ),
    pytest.param(
        {"Dockerfile": "FROM python:3.13-slim-bookworm AS build\nFROM python:3.13-slim-bookworm\n",
         "pyproject.toml": poetry("^3.10,<3.13")},
        [(2, 6, "DPH210", "base image 'python:3.13-slim-bookworm' runs Python 3.13, outside the poetry python "
          "constraint in pyproject.toml ('^3.10,<3.13'); use a base image whose Python it allows, or change the "
          "constraint")],
        id="poetry-constraint",
    ),
    pytest.param(
        {"Dockerfile": "ARG PYTHON_VERSION=3.11\nFROM python:${PYTHON_VERSION}-slim-bookworm\n",
         ".python-version": "3.12\n"},
        [(2, 6, "DPH210", "base image 'python:3.11-slim-bookworm' runs Python 3.11, but .python-version asks for "
          "3.12; make the two name the same version")],
        id="python-version-file-and-arg",
    ),
    pytest.param(
        {"Dockerfile": "FROM ghcr.io/astral-sh/uv:python3.11-bookworm-slim\n", "pyproject.toml": pyproject("~=3.12"),
         ".python-version": "3.12.4\n"},
        [(1, 6, "DPH210", "base image 'ghcr.io/astral-sh/uv:python3.11-bookworm-slim' runs Python 3.11, outside "
          "requires-python in pyproject.toml ('~=3.12'); use a base image whose Python it allows, or change the "
          "constraint"),
         (1, 6, "DPH210", "base image 'ghcr.io/astral-sh/uv:python3.11-bookworm-slim' runs Python 3.11, but "
          ".python-version asks for 3.12.4; make the two name the same version")],
        id="uv-image-both",
    ),
    pytest.param(
        {"Dockerfile": "ARG TARGET_ARCH\nFROM ${TARGET_ARCH}/python:3.11-slim-bookworm\n",
         ".python-version": "3.12\n"},
        [(2, 6, "DPH210", "base image '${TARGET_ARCH}/python:3.11-slim-bookworm' runs Python 3.11, but "
          ".python-version asks for 3.12; make the two name the same version")],
        id="architecture-namespace-from-arg",
    ),
]


@pytest.mark.parametrize(("files", "expected"), FAIL)
def test_fail(tmp_path: Path, files: dict[str, str], expected: list[tuple[int, int, str, str]]) -> None:
    assert run(tmp_path, files) == expected


def test_target(tmp_path: Path) -> None:
    files = {"Dockerfile": "FROM python:3.11-slim-bookworm AS legacy\nFROM python:3.12-slim-bookworm AS app\n",
             "pyproject.toml": pyproject(">=3.12")}
    assert run(tmp_path, files) == []
    assert [f[:3] for f in run(tmp_path, files, target="legacy")] == [(1, 6, "DPH210")]
    assert [f[2] for f in run(tmp_path, files, target="nope")] == ["DPH905"]


@pytest.mark.parametrize(
    ("written", "inside", "outside"),
    [
        ("^3.11", ["3.11.0", "3.13.1"], ["3.10.9", "4.0.0"]),
        ("~3.11", ["3.11.5"], ["3.12.0"]),
        ("3.12.*", ["3.12.3"], ["3.13.0"]),
        (">=3.9 <3.12", ["3.11.2"], ["3.12.0"]),
        ("^3.8 || ^4.0", ["3.9.0", "4.1.0"], ["3.7.0"]),
        ("*", ["3.1.0"], []),
    ],
)
def test_poetry_constraint(written: str, inside: list[str], outside: list[str]) -> None:
    specs = poetry_constraint(written)
    assert specs
    for version in inside:
        assert any(s.contains(version) for s in specs), version
    for version in outside:
        assert not any(s.contains(version) for s in specs), version


@pytest.mark.parametrize(
    ("text", "expected"),
    [("3.12\n", ("3.12",)), ("\n# note\ncpython@3.11.9\n", ("3.11.9",)), ("pypy3.10\n", ()),
     ("system\n", ()), ("3.12.4\n3.11.9\n", ("3.12.4", "3.11.9"))],
)
def test_python_version_pins(text: str, expected: tuple[str, ...]) -> None:
    assert python_version_pins(text) == expected


def test_main(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    write("api/Dockerfile", "FROM python:3.11-slim-bookworm\n")
    write("api/pyproject.toml", pyproject(">=3.12"))
    write("worker/Dockerfile", "FROM python:3.12-slim-bookworm\n")
    write("worker/pyproject.toml", pyproject(">=3.12"))
    assert main(["worker/Dockerfile"]) == 0
    assert main(["api/Dockerfile", "worker/Dockerfile"]) == 1
    assert capsys.readouterr().out.startswith("api/Dockerfile:1:6: DPH210 base image 'python:3.11-slim-bookworm'")


def test_documented_examples(tmp_path: Path) -> None:
    from hooks import check_python_version
    from tests.projects import doc_blocks

    examples, fixes = doc_blocks(check_python_version, "DPH210")
    project = {"pyproject.toml": pyproject(">=3.12")}
    assert all([f[2] for f in run(tmp_path, {**project, "Dockerfile": body})] == ["DPH210"] for body in examples)
    assert all(run(tmp_path, {**project, "Dockerfile": body}) == [] for body in fixes)


@pytest.mark.parametrize(("pipfile", "expected"), [
    ('[requires]\npython_version = "3.6"\n', ["Python 3.12, but the Pipfile asks for 3.6 ([requires] python_version)"]),
    ('[requires]\npython_version = "3.12"\n', []),
    ('[requires]\npython_full_version = "3.12.4"\npython_version = "3.12"\n', []),
    ("[requires]\npython_full_version = \"3.11.9\"\n", ["Pipfile asks for 3.11.9 ([requires] python_full_version)"]),
    ("[packages]\nflask = '*'\n", []),
    ("not toml [", []),
])
def test_pipfile_python(tmp_path: Path, pipfile: str, expected: list[str]) -> None:
    found = run(tmp_path, {"Dockerfile": "FROM python:3.12-slim-bookworm\n", "Pipfile": pipfile})
    assert len(found) == len(expected) and all(e in f[3] for f, e in zip(found, expected, strict=True))


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param(
        "FROM python:3.12-slim-bookworm AS build\nRUN python -m venv /opt/venv\n"
        "FROM python:3.13-slim-bookworm\nCOPY --from=build /opt/venv /opt/venv\n",
        [(4, 19, "COPY --from=build '/opt/venv' copies an environment made with Python 3.12 into an image with "
                 "Python 3.13, where its interpreter link and compiled packages do not work; build both stages "
                 "FROM the same Python minor version")],
        id="venv-across-minors",
    ),
    pytest.param(
        "FROM python:3.12.4-slim-bookworm AS build\nRUN pip install --prefix /install x==1\n"
        "FROM python:3.12-slim-bookworm\n"
        "COPY --from=build /usr/local/lib/python3.12/site-packages /usr/local/lib/python3.12/site-packages\n",
        [], id="same-minor",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm AS build\nRUN pip wheel -w /wheels x==1\n"
        "FROM python:3.13-slim-bookworm\nCOPY --from=build /wheels /wheels\n",
        [], id="wheels-are-not-an-environment",
    ),
    pytest.param(
        "FROM ghcr.io/astral-sh/uv:python3.13-bookworm-slim AS build\nRUN uv sync --locked\n"
        "FROM python:3.13-slim-bookworm\nCOPY --from=build /app/.venv /app/.venv\n",
        [], id="uv-image-same-minor",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm AS build\nRUN python -m venv /opt/venv\n"
        "FROM debian:bookworm-slim\nCOPY --from=build /opt/venv /opt/venv\n",
        [], id="version-not-known",
    ),
])
def test_copied_environment(text: str, expected: list[tuple[int, int, str]]) -> None:
    assert [(f.line, f.col, f.message) for f in check(parse(text)) if f.code == "DPH211"] == expected
