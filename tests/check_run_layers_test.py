from __future__ import annotations

import pytest

from hooks._dockerfile import parse
from hooks.check_run_layers import check, main
from tests.conftest import Writer

SLIM = "FROM python:3.12-slim-bookworm\n"


def _msg(line: int, how: str = "join the commands with '&&'") -> str:
    return (
        f"RUN right after the RUN on line {line} with the same flags; "
        f"merge them into one RUN ({how}) to save a layer"
    )


PASS = [
    pytest.param(
        SLIM + "RUN apt-get update && apt-get install -y --no-install-recommends libpq5 \\\n"
        "    && rm -rf /var/lib/apt/lists/*\nWORKDIR /app\nCOPY requirements.txt .\n"
        "RUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\nUSER app\n",
        id="one-run-per-step",
    ),
    pytest.param(
        "# syntax=docker/dockerfile:1\n" + SLIM
        + "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n"
        "    --mount=type=cache,target=/var/lib/apt,sharing=locked \\\n"
        "    apt-get update && apt-get install -y --no-install-recommends libpq5\n"
        "RUN --mount=type=cache,target=/root/.cache/pip \\\n"
        "    --mount=type=bind,source=requirements.txt,target=requirements.txt \\\n"
        "    pip install -r requirements.txt\n",
        id="different-mounts",
    ),
    pytest.param(
        SLIM + "RUN --network=none python -m compileall /app\nRUN python -m pip check\n",
        id="different-network",
    ),
    pytest.param(
        SLIM + "RUN --mount=type=secret,id=pypi pip install --no-cache-dir private==1.0\n"
        "RUN pip install --no-cache-dir public==1.0\n",
        id="secret-mount-only-on-one",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm AS builder\nRUN apt-get update\nRUN apt-get install -y gcc\n"
        "RUN pip wheel -w /wheels psycopg2==2.9.9\n"
        "FROM python:3.12-slim-bookworm\nCOPY --from=builder /wheels /wheels\n"
        "RUN pip install --no-cache-dir /wheels/*\n",
        id="builder-stage-not-judged",
    ),
    pytest.param(
        SLIM + 'RUN ["python", "-m", "compileall", "/app"]\nRUN ["python", "-m", "pip", "check"]\n',
        id="exec-form",
    ),
    pytest.param(
        SLIM + "RUN <<EOF\n#!/usr/bin/env python3\nprint('hi')\nEOF\nRUN pip check\n",
        id="python-heredoc-then-shell",
    ),
    pytest.param(
        SLIM + "RUN pip check\nRUN python3 <<EOF\nimport app\nEOF\n",
        id="shell-then-python-stdin",
    ),
    pytest.param(
        SLIM + "RUN useradd app\nUSER app\nRUN mkdir /home/app/data\n",
        id="user-in-between",
    ),
    pytest.param(
        SLIM + "RUN pip install --no-cache-dir app==1.0\nENV APP_HOME=/app\nRUN mkdir $APP_HOME\n",
        id="env-in-between",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm AS a\nRUN pip check\nFROM a AS b\nRUN pip list\n",
        id="different-stages",
    ),
    pytest.param(
        SLIM + "RUN pip check\nONBUILD RUN pip list\nRUN pip freeze\n",
        id="onbuild-in-between",
    ),
    pytest.param(
        SLIM + "ONBUILD RUN pip check\nONBUILD COPY . /app\nONBUILD RUN pip list\nRUN pip freeze\n",
        id="onbuild-triggers-apart",
    ),
    pytest.param(
        "# escape=`\r\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\r\nRUN echo a `\r\n  && echo b\r\n",
        id="escape-crlf-single-run",
    ),
]

FAIL = [
    pytest.param(
        SLIM + "RUN apt-get update\nRUN apt-get install -y --no-install-recommends libpq5\n",
        [(3, 1, "DPH304", _msg(2))],
        id="update-then-install",
    ),
    pytest.param(
        SLIM + "RUN a\n# why\n\nRUN b \\\n  && c\nrun d\n",
        [(5, 1, "DPH304", _msg(2)), (7, 1, "DPH304", _msg(5))],
        id="chain-comments-and-blank-lines",
    ),
    pytest.param(
        SLIM + "RUN <<EOF\nset -e\napt-get update\nEOF\nRUN <<EOF\nset -e\npip check\nEOF\n",
        [(6, 1, "DPH304", _msg(2, "put both scripts in one heredoc"))],  # not an '&&' chain
        id="heredocs",
    ),
    pytest.param(
        SLIM + "RUN --mount=type=cache,target=/root/.cache/pip --network=host pip install a==1\n"
        "  RUN --network=host --mount=type=cache,target=/root/.cache/pip pip install b==1\n",
        [(3, 3, "DPH304", _msg(2))],
        id="same-flags-any-order",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm AS base\nRUN pip check\nRUN pip list\n"
        "FROM base AS final\nCOPY . /app\n",
        [(3, 1, "DPH304", _msg(2))],
        id="parent-of-final-ships",
    ),
    pytest.param(
        "\ufeffFROM python:3.12-slim-bookworm\r\nRUN pip check\r\nRUN pip list\r\n",
        [(3, 1, "DPH304", _msg(2))],
        id="bom-crlf",
    ),
    pytest.param(
        SLIM + "RUN pip check\nONBUILD RUN pip list\n# why\nONBUILD RUN pip freeze\n",
        [(5, 9, "DPH304", "ONBUILD RUN right after the ONBUILD RUN on line 3 with the same flags; merge them "
          "into one ONBUILD RUN (join the commands with '&&') to save a layer")],
        id="consecutive-onbuild-triggers",
    ),
]


@pytest.mark.parametrize("text", PASS)
def test_pass(text: str) -> None:
    assert check(parse(text)) == []


@pytest.mark.parametrize(("text", "expected"), FAIL)
def test_fail(text: str, expected: list[tuple[int, int, str, str]]) -> None:
    found = [(f.line, f.col, f.code, f.message) for f in check(parse(text))]
    assert found == expected


BUILDER = (
    "FROM python:3.12-slim-bookworm AS builder\nRUN pip check\nRUN pip list\n"
    "FROM python:3.12-slim-bookworm AS runtime\nUSER app\n"
)


def test_all_stages_and_target() -> None:
    assert check(parse(BUILDER)) == []
    assert [(f.line, f.code) for f in check(parse(BUILDER), all_stages=True)] == [(3, "DPH304")]
    assert [(f.line, f.code) for f in check(parse(BUILDER), target="builder")] == [(3, "DPH304")]
    assert [f.code for f in check(parse(BUILDER), target="nope")] == ["DPH905"]


def test_main(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    good = write("Dockerfile", SLIM + "RUN pip check\n")
    bad = write("Containerfile", BUILDER)
    assert main([good, bad]) == 0
    assert main([bad, "--all-stages"]) == 1
    assert capsys.readouterr().out == f"Containerfile:3:1: DPH304 {_msg(2)}\n"


def test_suppression(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    path = write("Dockerfile", SLIM + "RUN pip install --no-cache-dir torch==2.3.1\n"
                 "# dph: ignore=consecutive-run  torch gets its own cached layer\n"
                 "RUN pip install --no-cache-dir numpy==2.0.0\n")
    assert main([path]) == 0
    assert capsys.readouterr().out == ""
