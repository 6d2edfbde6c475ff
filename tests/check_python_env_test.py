from __future__ import annotations

import pytest

from hooks._dockerfile import parse
from hooks.check_python_env import check, main
from tests.conftest import Writer

BOTH = "ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1\n"

PASS = [
    pytest.param("FROM python:3.12-slim-bookworm\n" + BOTH, id="both-set"),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nENV PYTHONDONTWRITEBYTECODE 1\nENV PYTHONUNBUFFERED 1\n",
        id="legacy-form",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nENV PYTHONDONTWRITEBYTECODE=1 \\\n    PYTHONUNBUFFERED=1\n",
        id="continuation",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm AS base\n" + BOTH
        + "FROM base AS builder\nRUN pip wheel -w /w .\n"
        "FROM base AS final\nCOPY --from=builder /w /w\nCMD [\"gunicorn\", \"app:app\"]\n",
        id="inherited-from-parent-stage",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm AS builder\nRUN pip wheel -w /w .\n"
        "FROM nginx:1.27-alpine\nCOPY --from=builder /app/static /usr/share/nginx/html\n",
        id="final-nginx-stage-serving-static-files",
    ),
    pytest.param(
        "FROM node:20-slim AS assets\nRUN npm ci && npm run build\n"
        "FROM python:3.12-slim-bookworm\n" + BOTH + "COPY --from=assets /dist /app/static\n",
        id="node-builder-python-final",
    ),
    pytest.param(
        "FROM golang:1.22 AS build\nRUN go build -o /app\nFROM gcr.io/distroless/static\n"
        "COPY --from=build /app /app\nENTRYPOINT [\"/app\"]\n",
        id="go-service",
    ),
    pytest.param("FROM python:3.12-slim\nENV PYTHONUNBUFFERED=1\nCMD [\"python\", \"-B\", \"app.py\"]\n",
                 id="python-B-switch"),
    pytest.param("FROM python:3.12-slim\nENV PYTHONDONTWRITEBYTECODE=1\nCMD python -u app.py\n",
                 id="python-u-switch-shell-form"),
    pytest.param('FROM python:3.12-slim\nCMD ["python3", "-OuB", "-m", "app"]\n', id="combined-switches"),
    pytest.param(
        'FROM python:3.12-slim\nCMD ["python", "-W", "ignore", "-Xdev", "-u", "-B", "app.py"]\n',
        id="switches-after-options-with-values",
    ),
    pytest.param(
        "FROM python:3.12-slim\nENTRYPOINT [\"python\", \"-u\"]\nCMD [\"-B\", \"app.py\"]\n",
        id="switches-split-over-entrypoint-and-cmd",
    ),
    pytest.param(
        "FROM python:3.12-slim\nCMD [\"env\", \"PYTHONUNBUFFERED=1\", \"PYTHONDONTWRITEBYTECODE=1\", "
        "\"python\", \"app.py\"]\n",
        id="env-wrapper",
    ),
    pytest.param(
        "ARG UNBUFFERED\nFROM python:3.12-slim\nARG UNBUFFERED\n"
        "ENV PYTHONUNBUFFERED=${UNBUFFERED} PYTHONDONTWRITEBYTECODE=1\n",
        id="value-from-build-arg-assumed-set",
    ),
    pytest.param("FROM python:3.12-slim\nENV PYTHONUNBUFFERED=0 PYTHONDONTWRITEBYTECODE=0\n",
                 id="any-non-empty-value-counts-like-python-does"),
    pytest.param(
        "FROM python:3.12-slim-bookworm AS builder\nRUN python -m venv /venv && /venv/bin/pip install .\n"
        "FROM gcr.io/distroless/python3-debian12:nonroot\n" + BOTH + "COPY --from=builder /venv /venv\n"
        'HEALTHCHECK CMD ["/venv/bin/python", "-c", "import urllib.request as u; u.urlopen(\'http://127.0.0.1:8000/\')"]\n'
        'ENTRYPOINT ["/venv/bin/python", "-m", "app"]\n',
        id="distroless-final",
    ),
    pytest.param(
        "FROM python:3.12-slim\n" + BOTH + 'CMD ["celery", "-A", "proj", "worker", "--loglevel=info"]\n',
        id="celery-worker",
    ),
    pytest.param("FROM debian:bookworm-slim\nRUN apt-get update\nCMD [\"bash\"]\n", id="not-python"),
    pytest.param(
        "FROM node:20-slim\nRUN apt-get update && apt-get install -y python3 make g++ && npm ci\n"
        "CMD [\"node\", \"server.js\"]\n",
        id="node-image-with-python-for-node-gyp",
    ),
    pytest.param(
        "# escape=`\nFROM python:3.12-windowsservercore-ltsc2022\nENV PYTHONDONTWRITEBYTECODE=1 `\n"
        "    PYTHONUNBUFFERED=1\nCOPY . C:\\app\n",
        id="escape-backtick-windows",
    ),
    pytest.param("\ufefffrom python:3.12-slim\r\nenv PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1\r\n",
                 id="bom-crlf-lowercase"),
    pytest.param(
        "FROM python:3.12-slim\nRUN <<EOF\nset -e\npip install --no-cache-dir -r requirements.txt\nEOF\n"
        + BOTH,
        id="heredoc",
    ),
    pytest.param(
        # Real-world shape: uv builder, runtime stage precompiles the app's byte code.
        "FROM python:3.12-slim-bookworm AS build\nENV UV_COMPILE_BYTECODE=1\n"
        "RUN uv sync --frozen --no-editable --no-install-project\n"
        "FROM python:3.12-slim-bookworm AS runtime\nENV PYTHONUNBUFFERED=1\n"
        "COPY --from=build /opt/venv /opt/venv\nCOPY ./app /opt/app/app\n"
        "RUN <<EOF\n    cd /opt/app\n    python -m compileall ./app\nEOF\n"
        'USER 2000:2000\nCMD ["fastapi", "run", "/opt/app/app"]\n',
        id="bytecode-compiled-at-build-time",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm AS build\nCOPY . /src\n"
        "RUN /venv/bin/python3 -mcompileall -q /src\n"
        "FROM python:3.12-slim-bookworm\nENV PYTHONUNBUFFERED=1\nCOPY --from=build /src /src\n",
        id="bytecode-compiled-in-a-stage-copied-from",
    ),
    pytest.param(
        # uv's Docker guide: the builder compiles what uv installs, the venv is copied.
        "FROM ghcr.io/astral-sh/uv:python3.12-bookworm-slim AS builder\nENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy\n"
        "RUN uv sync --locked --no-dev\n"
        "FROM python:3.12-slim-bookworm\nENV PYTHONUNBUFFERED=1\nCOPY --from=builder /app /app\n"
        'CMD ["/app/.venv/bin/python", "-m", "app"]\n',
        id="uv-compile-bytecode-env-in-a-stage-copied-from",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nENV PYTHONUNBUFFERED=1\n"
        "RUN uv pip install --system --compile-bytecode -r requirements.txt\n",
        id="uv-compile-bytecode-flag",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nENV PYTHONUNBUFFERED=1\nARG UV_COMPILE_BYTECODE=1\n"
        "RUN UV_NO_CACHE=1 uv sync --frozen\n",
        id="uv-compile-bytecode-build-arg",
    ),
]

FROM_HINT_501 = (
    "add 'ENV PYTHONDONTWRITEBYTECODE=1' so Python writes no .pyc files for the code it imports (pip still "
    "compiles what it installs: add --no-compile for that)"
)
FROM_HINT_502 = "add 'ENV PYTHONUNBUFFERED=1' so log lines reach 'docker logs' at once"
NEVER_501 = f"the final stage runs Python and no ENV in this Dockerfile sets PYTHONDONTWRITEBYTECODE; {FROM_HINT_501}"
NEVER_502 = f"the final stage runs Python and no ENV in this Dockerfile sets PYTHONUNBUFFERED; {FROM_HINT_502}"
CHAIN = "in this Dockerfile (in it or the stages it is built from)"

FAIL = [
    pytest.param(
        "FROM registry.access.redhat.com/ubi9/python-311:1-77\nCOPY . /app\nCMD [\"python\", \"app.py\"]\n"
        "FROM quay.io/sclorg/python-312-c9s:c9s AS other\nCOPY . /app\nFROM other\n",
        [(6, 1, "DPH501", "the final stage runs Python and no ENV " + CHAIN + " sets PYTHONDONTWRITEBYTECODE; "
          + FROM_HINT_501)],
        id="red-hat-python-image-sets-pythonunbuffered",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nCOPY . /app\n",
        [
            (1, 1, "DPH501", NEVER_501),
            (1, 1, "DPH502", NEVER_502),
        ],
        id="python-base-nothing-set",
    ),
    pytest.param(
        "FROM python:3.12-slim AS base\nENV PYTHONUNBUFFERED=1\nFROM base AS app\n"
        "CMD [\"uvicorn\", \"app:app\"]\n",
        [(3, 1, "DPH501",
          f"final stage 'app' runs Python and no ENV {CHAIN} sets PYTHONDONTWRITEBYTECODE; {FROM_HINT_501}")],
        id="reported-at-final-from",
    ),
    pytest.param(
        "FROM python:3.12-slim\nENV PYTHONUNBUFFERED 1 PYTHONDONTWRITEBYTECODE 1\n",
        [(1, 1, "DPH501", NEVER_501)],
        id="legacy-form-takes-the-rest-of-the-line",
    ),
    pytest.param(
        "FROM python:3.12-slim\nENV PYTHONDONTWRITEBYTECODE=1\nENV PYTHONUNBUFFERED=\n",
        [(1, 1, "DPH502", "the final stage sets PYTHONUNBUFFERED to an empty value, which Python "
          f"ignores; {FROM_HINT_502}")],
        id="empty-value",
    ),
    pytest.param(
        "FROM python:3.12-slim\nENV PYTHONDONTWRITEBYTECODE=1\nARG PYTHONUNBUFFERED=1\n",
        [(1, 1, "DPH502", "the final stage sets PYTHONUNBUFFERED only as an ARG, which the running "
          f"container does not see; {FROM_HINT_502}")],
        id="arg-only",
    ),
    pytest.param(
        "FROM ubuntu:24.04\nRUN apt-get update && apt-get install -y python3-pip\n"
        "RUN pip3 install --break-system-packages -r requirements.txt\n" "ENV PYTHONUNBUFFERED=1\n",
        [(1, 1, "DPH501", NEVER_501)],
        id="ubuntu-with-pip",
    ),
    pytest.param(
        "FROM python:3.12-slim AS builder\nENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1\n"
        "RUN pip wheel -w /w .\nFROM gcr.io/distroless/python3-debian12\nCOPY --from=builder /w /w\n",
        [
            (4, 1, "DPH501", NEVER_501),
            (4, 1, "DPH502", NEVER_502),
        ],
        id="builder-env-not-inherited-by-distroless-final",
    ),
    pytest.param(
        "FROM debian:bookworm-slim\nCOPY --from=ghcr.io/astral-sh/uv:0.4 /uv /bin/uv\n"
        "ENV PYTHONDONTWRITEBYTECODE=1\n"
        'ENTRYPOINT ["tini", "--", "/app/.venv/bin/celery", "worker"]\n',
        [(1, 1, "DPH502", NEVER_502)],
        id="celery-worker-on-debian",
    ),
    pytest.param(
        'ARG PY=3.12\nFROM python:${PY}-slim\nENV PYTHONDONTWRITEBYTECODE=1\nCMD ["python", "-c", "1"]\n',
        [(2, 1, "DPH502", NEVER_502)],
        id="python-c-is-not-a-switch",
    ),
    pytest.param(
        'FROM python:3.12-slim\nENV PYTHONDONTWRITEBYTECODE=1\nCMD ["python", "-m", "app", "-u"]\n',
        [(1, 1, "DPH502", NEVER_502)],
        id="switch-after-module-is-the-module-s-argument",
    ),
    pytest.param(
        "FROM alpine:3.20\nENV PYTHONDONTWRITEBYTECODE=1\nHEALTHCHECK CMD [\"python3\", \"-c\", \"1\"]\n"
        "ONBUILD ENV PYTHONUNBUFFERED=1\n",
        [(1, 1, "DPH502", NEVER_502)],
        id="onbuild-env-does-not-count",
    ),
    pytest.param(
        'FROM debian:bookworm-slim\nHEALTHCHECK NONE\nHEALTHCHECK CMD ["python3", "-c", "1"]\n',
        [(1, 1, "DPH501", NEVER_501), (1, 1, "DPH502", NEVER_502)],
        id="python-health-probe",
    ),
    pytest.param(
        "FROM debian:bookworm-slim\nENV VIRTUAL_ENV=/venv PATH=/venv/bin:$PATH\n",
        [(1, 1, "DPH501", NEVER_501), (1, 1, "DPH502", NEVER_502)],
        id="virtual-env-variable",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm AS tools\nRUN python -m compileall /usr/lib/tools\n"
        "FROM python:3.12-slim-bookworm\nENV PYTHONUNBUFFERED=1\nCOPY app.py /app/\n",
        [(3, 1, "DPH501", NEVER_501)],
        id="bytecode-compiled-in-a-stage-not-shipped",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nRUN python -m compileall /app\n",
        [(1, 1, "DPH502", NEVER_502)],
        id="compiled-bytecode-does-not-unbuffer",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nENV PYTHONUNBUFFERED=1 UV_COMPILE_BYTECODE=0\nRUN uv sync --frozen\n",
        [(1, 1, "DPH501", NEVER_501)],
        id="uv-compile-bytecode-off",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nENV PYTHONUNBUFFERED=1\n"
        "RUN UV_COMPILE_BYTECODE=1 uv tool install ruff==0.8.0\n",
        [(1, 1, "DPH501", NEVER_501)],
        id="uv-tool-install-compiles-only-the-tool",
    ),
    pytest.param(
        # Real-world shapes: misspelt names set in good faith.
        "FROM python:3.8\nENV PYTHONNUMBERFUFFERED 1\nENV PYTHONDONTWRIETBYTECOD=1\nCOPY . /code/\n",
        [
            (1, 1, "DPH501", "the final stage sets 'PYTHONDONTWRIETBYTECOD', not PYTHONDONTWRITEBYTECODE "
             f"(a misspelling?); {FROM_HINT_501}"),
            (1, 1, "DPH502", "the final stage sets 'PYTHONNUMBERFUFFERED', not PYTHONUNBUFFERED "
             f"(a misspelling?); {FROM_HINT_502}"),
        ],
        id="misspelt-names",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nENV PYTHONDONTWRITEBYTECODE=1 PYTHONFAULTHANDLER=1 PYTHONHASHSEED=0 "
        "PYTHONIOENCODING=utf-8\n",
        [(1, 1, "DPH502", NEVER_502)],
        id="other-python-variables-are-no-misspelling",
    ),
]


@pytest.mark.parametrize("text", PASS)
def test_pass(text: str) -> None:
    assert check(parse(text)) == []


@pytest.mark.parametrize(("text", "expected"), FAIL)
def test_fail(text: str, expected: list[tuple[int, int, str, str]]) -> None:
    found = [(f.line, f.col, f.code, f.message) for f in check(parse(text))]
    assert found == expected


def test_target_selects_stage() -> None:
    text = "FROM python:3.12-slim AS prod\n" + BOTH + "FROM python:3.12-slim AS debug\nCMD python\n"
    assert check(parse(text), target="prod") == []
    assert check(parse(text)) == []  # a last 'debug' stage is not shipped
    assert [f.code for f in check(parse(text), target="debug")] == ["DPH501", "DPH502"]
    assert [f.code for f in check(parse(text), target="nope")] == ["DPH905"]


def test_main(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    good = write("Dockerfile", "FROM python:3.12-slim\r\n" + BOTH.replace("\n", "\r\n"))
    bad = write("svc/Containerfile", "FROM python:3.12-slim\nENV PYTHONUNBUFFERED=1\n")
    assert main([good]) == 0
    assert main([good, bad]) == 1
    assert capsys.readouterr().out.startswith("svc/Containerfile:1:1: DPH501 ")


def test_global_suppression(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    text = (
        "# dph: global ignore=DPH501 our base image sets it\n"
        "FROM python:3.12-slim\nENV PYTHONUNBUFFERED=1\n"
    )
    assert main([write("Dockerfile", text)]) == 0
    assert capsys.readouterr().out == ""


def test_dev_container_is_not_judged(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    text = 'FROM python:3.12-bookworm\nCMD ["python", "-m", "http.server"]\n'
    assert check(parse(text, ".devcontainer/Dockerfile")) == []
    assert [f.code for f in check(parse(text, "docker/Dockerfile"))] == ["DPH501", "DPH502"]
    assert main([write(".devcontainer/Dockerfile", text)]) == 0
    assert capsys.readouterr().out == ""
