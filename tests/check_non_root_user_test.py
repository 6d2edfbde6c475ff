from __future__ import annotations

import pytest

from hooks._dockerfile import parse
from hooks.check_non_root_user import check, main
from tests.conftest import Writer

PASS = [
    pytest.param(
        'FROM python:3.12-slim-bookworm\nARG RUNTIME_PACKAGES="gosu tzdata"\n'
        "RUN apt-get update && apt-get install -y --no-install-recommends ${RUNTIME_PACKAGES}\n"
        'COPY entrypoint.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\n',
        id="gosu-installed-through-an-arg-package-list",
    ),
    pytest.param("FROM python:3.12-slim-bookworm\nUSER app\n", id="named-user"),
    pytest.param("FROM python:3.12-slim-bookworm\nUSER 10001:10001\n", id="numeric-uid"),
    pytest.param(
        "FROM python:3.12-slim-bookworm AS base\nRUN useradd app\nUSER app\n"
        "FROM base AS final\nCOPY . /app\n",
        id="user-inherited-from-parent-stage",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm AS builder\nRUN pip wheel -w /w .\n"
        "FROM python:3.12-slim-bookworm\nCOPY --from=builder /w /w\nUSER app\n",
        id="builder-stage-without-user-is-fine",
    ),
    pytest.param("FROM gcr.io/distroless/python3-debian12:nonroot\nCOPY . /app\n", id="distroless-nonroot"),
    pytest.param("FROM cgr.dev/chainguard/python:latest\nCOPY . /app\n", id="chainguard"),
    pytest.param("FROM cgr.dev/chainguard/python:latest-dev\nCOPY . /app\n", id="chainguard-python-dev"),
    pytest.param("FROM public.ecr.aws/lambda/python:3.12\nCOPY app.py ${LAMBDA_TASK_ROOT}\nCMD [\"app.handler\"]\n",
                 id="aws-lambda-runs-as-its-own-user"),
    pytest.param("FROM rayproject/ray:2.9.0-py310\nCOPY . /app\n", id="ray-runs-as-ray"),
    pytest.param(
        "ARG APP_USER=app\nFROM python:3.12-slim-bookworm\nARG APP_USER\nUSER ${APP_USER}\n",
        id="user-from-global-arg",
    ),
    pytest.param("FROM python:3.12-slim-bookworm\nARG UID\nUSER $UID\n", id="unresolved-user-not-judged"),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nUSER root\nRUN apt-get update\nUSER app\n",
        id="root-then-back",
    ),
    pytest.param(
        'FROM python:3.12-slim-bookworm\nENTRYPOINT ["gosu", "app", "python", "main.py"]\n',
        id="gosu-drops-privileges",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nCOPY <<EOF /etc/motd\nUSER root\nEOF\nUSER app\n",
        id="heredoc-body-is-not-an-instruction",
    ),
    pytest.param("\ufefffrom python:3.12-slim-bookworm\r\nuser app\r\n", id="bom-crlf-lowercase"),
    pytest.param("# escape=`\nFROM python:3.12-slim-bookworm\nRUN echo `\n  hi\nUSER app\n", id="escape"),
    pytest.param(
        "FROM mambaorg/micromamba:1.5.8\nCOPY --chown=$MAMBA_USER:$MAMBA_USER env.yml /tmp/env.yml\n"
        "RUN micromamba install -y -n base -f /tmp/env.yml && micromamba clean --all --yes\n",
        id="micromamba-runs-as-mambauser",
    ),
    pytest.param(
        "FROM jupyter/scipy-notebook:2023-10-20\nCOPY requirements.txt /tmp/\n"
        "RUN pip install --no-cache-dir -r /tmp/requirements.txt\n",
        id="jupyter-docker-stacks-run-as-jovyan",
    ),
    pytest.param("FROM quay.io/jupyter/minimal-notebook:python-3.11\nCOPY . /home/jovyan/work\n",
                 id="jupyter-on-quay"),
    pytest.param(
        "FROM apache/airflow:2.9.3\nCOPY requirements.txt /\nRUN pip install --no-cache-dir -r /requirements.txt\n",
        id="airflow-runs-as-airflow",
    ),
    pytest.param("FROM odoo:17.0\nCOPY ./addons /mnt/extra-addons\n", id="odoo-runs-as-odoo"),
    pytest.param(
        "FROM python:3.12-slim-bookworm\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends gosu \\\n"
        "    && rm -rf /var/lib/apt/lists/*\n"
        "COPY docker-entrypoint.sh /sbin/\n"
        'ENTRYPOINT ["/sbin/docker-entrypoint.sh"]\nCMD ["gunicorn", "app:app"]\n',
        id="entrypoint-script-with-gosu-installed",
    ),
    pytest.param(
        "FROM python:3.12-alpine3.20\nCOPY --from=tianon/gosu:1.17 /gosu /usr/local/bin/\n"
        "COPY entrypoint.sh /\nENTRYPOINT [\"/entrypoint.sh\"]\n",
        id="gosu-copied-from-its-image",
    ),
    pytest.param(
        "FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCOPY app C:/app\n", id="nanoserver-runs-as-containeruser",
    ),
    pytest.param(
        "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nUSER ContainerUser\n",
        id="windows-containeruser",
    ),
]

DISTROLESS_ADVICE = (
    "the final stage never sets USER, so the container runs as root; add 'USER nonroot' (uid 65532, which "
    "distroless images have: they have no shell to create a user) or use the image's ':nonroot' tag"
)

FAIL = [
    pytest.param(
        "FROM python:3.12-slim-bookworm AS build\nRUN python -m venv /venv\n"
        "FROM gcr.io/distroless/python3-debian12:latest@sha256:" + "0" * 64 + "\nCOPY --from=build /venv /venv\n",
        [(3, 1, "DPH401", DISTROLESS_ADVICE)],
        id="distroless-root-advice-uses-its-nonroot-account",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nCOPY . /app\n",
        [(1, 1, "DPH401", "the final stage never sets USER, so the container runs as root; "
          "add a non-root user (e.g. 'RUN useradd -r app' and 'USER app')")],
        id="no-user",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm AS base\nUSER app\nFROM python:3.12-slim-bookworm AS final\n",
        [(3, 1, "DPH401", "final stage 'final' never sets USER, so the container runs as root; "
          "add a non-root user (e.g. 'RUN useradd -r app' and 'USER app')")],
        id="user-only-in-unrelated-stage",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nUSER app\nRUN x\nUSER root\n",
        [(4, 6, "DPH402", "the final stage's last USER is root ('root'); "
          "switch to a non-root user before the end of the stage")],
        id="last-user-root",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nENV U=0\nUSER ${U}:0\n",
        [(3, 6, "DPH402", "the final stage's last USER is root ('${U}:0' = '0:0'); "
          "switch to a non-root user before the end of the stage")],
        id="uid-0-from-env",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nONBUILD USER app\n",
        [(1, 1, "DPH401", "the final stage never sets USER, so the container runs as root; "
          "add a non-root user (e.g. 'RUN useradd -r app' and 'USER app')")],
        id="onbuild-user-does-not-count",
    ),
    pytest.param(
        "FROM mambaorg/micromamba:0.25.1\nCOPY env.yaml /tmp/env.yaml\nUSER root\n"
        "RUN micromamba install -y -n base -f /tmp/env.yaml\n",
        [(3, 6, "DPH402", "the final stage's last USER is root ('root'); "
          "switch to a non-root user before the end of the stage")],
        id="non-root-base-switched-to-root",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nRUN apt-get update && apt-get install -y gosu\n"
        'CMD ["python", "main.py"]\n',
        [(1, 1, "DPH401", "the final stage never sets USER, so the container runs as root; "
          "add a non-root user (e.g. 'RUN useradd -r app' and 'USER app')")],
        id="gosu-installed-but-no-entrypoint-uses-it",
    ),
    pytest.param(
        "FROM jupyter-like/scipy-notebook:1.0\nCOPY . /app\n",
        [(1, 1, "DPH401", "the final stage never sets USER, so the container runs as root; "
          "add a non-root user (e.g. 'RUN useradd -r app' and 'USER app')")],
        id="other-owner-same-repository-name",
    ),
    pytest.param(
        # Real-world shape: the Windows python images install Python under PowerShell.
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        'SHELL ["powershell", "-Command", "$ErrorActionPreference = \'Stop\';"]\nCMD ["python"]\n',
        [(1, 1, "DPH401", "the final stage never sets USER, so the container runs as ContainerAdministrator; "
          "add 'USER ContainerUser' (the unprivileged account of Windows images)")],
        id="windows-servercore-without-user",
    ),
    pytest.param(
        "FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nUSER ContainerAdministrator\n",
        [(2, 6, "DPH402", "the final stage's last USER is the administrator ('ContainerAdministrator'); "
          "switch to 'USER ContainerUser' before the end of the stage")],
        id="windows-administrator",
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
    text = "FROM python:3.12-slim-bookworm AS prod\nUSER app\nFROM prod AS debug\nUSER root\n"
    assert check(parse(text), target="prod") == []
    assert check(parse(text)) == []  # a last 'debug' stage is not shipped
    assert [f.code for f in check(parse(text), target="debug")] == ["DPH402"]


def test_unknown_target() -> None:
    findings = check(parse("FROM python:3.12-slim-bookworm\nUSER app\n"), target="nope")
    assert [(f.code, f.message) for f in findings] == [
        ("DPH905", "no stage named 'nope' (from --target); check the stage name")
    ]


def test_main(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    good = write("Dockerfile", "FROM python:3.12-slim-bookworm\nUSER app\n")
    bad = write("app/Containerfile", "FROM python:3.12-slim-bookworm\n")
    assert main([good]) == 0
    assert main([good, bad, "--target", "x"]) == 1
    out = capsys.readouterr().out
    assert "app/Containerfile:1:1: DPH905" in out
    assert main([bad]) == 1
    assert capsys.readouterr().out.startswith("app/Containerfile:1:1: DPH401 ")


def test_suppression_before_from(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    text = "# dph: ignore=DPH401 runs under a PSP that sets the uid\nFROM python:3.12-slim\n"
    path = write("Dockerfile", text)
    assert main([path]) == 0
    assert capsys.readouterr().out == ""


def test_dev_container_is_not_judged(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    """A dev container's user is chosen by devcontainer.json (remoteUser), not by USER."""
    text = "FROM mcr.microsoft.com/devcontainers/python:1-3.12-bookworm\nRUN pip install --no-cache-dir ruff==0.6.9\n"
    assert check(parse(text, ".devcontainer/Dockerfile")) == []
    assert check(parse("FROM python:3.12-slim-bookworm\nUSER root\n", "svc/.devcontainer/Dockerfile")) == []
    # Only the Dev Containers folder: a file named after it, or a similar folder, is judged.
    assert [f.code for f in check(parse(text, "devcontainer/Dockerfile"))] == ["DPH401"]
    assert [f.code for f in check(parse(text, ".devcontainer.Dockerfile"))] == ["DPH401"]
    assert main([write(".devcontainer/Dockerfile", text)]) == 0
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("image", [
    "registry.access.redhat.com/ubi9/python-311:1-77",
    "registry.redhat.io/ubi8/python-39:latest",
    "quay.io/sclorg/python-312-c9s:c9s",
    "quay.io/fedora/python-313:latest",
])
def test_red_hat_python_images_run_as_1001(image: str) -> None:
    assert check(parse(f"FROM {image}\nCOPY . /opt/app-root/src\n")) == []


def test_red_hat_base_image_runs_as_root() -> None:
    text = "FROM registry.access.redhat.com/ubi9/ubi-minimal:9.4\n"
    assert [f.code for f in check(parse(text))] == ["DPH401"]


@pytest.mark.parametrize(("image", "create"), [
    ("python:3.12-alpine3.20", "RUN addgroup -S app && adduser -S -G app app"),
    ("nginx:1.27.3-alpine", "RUN addgroup -S app && adduser -S -G app app"),
    ("cgr.dev/chainguard/wolfi-base:latest", "RUN addgroup -S app && adduser -S -G app app"),
    ("cgr.dev/chainguard/node:latest-dev", "RUN addgroup -S app && adduser -S -G app app"),
    ("python:3.12-slim-trixie", "RUN useradd -r app"),
])
def test_advice_creates_the_user_with_the_image_tools(image: str, create: str) -> None:
    """Alpine and Chainguard -dev images have BusyBox's adduser; useradd would fail the build."""
    found = check(parse(f"FROM {image}\nCOPY . /app\n"))
    assert [f.code for f in found] == ["DPH401"]
    assert found[0].message.endswith(f"(e.g. '{create}' and 'USER app')")


@pytest.mark.parametrize(
    ("text", "advice"),
    [
        pytest.param(
            "FROM python:3.12-slim-bookworm\nRUN groupadd -r saleor && useradd -r -g saleor saleor\nCOPY . /app\n",
            "although it creates the user 'saleor'; add 'USER saleor' after the steps that need root",
            id="created-user-named",
        ),
        pytest.param(
            "ARG BUILD_FROM=ghcr.io/home-assistant/amd64-base:3.16\nFROM ${BUILD_FROM}\n"
            "RUN apk add --no-cache python3=3.12.8-r1\n",
            "add a non-root user (e.g. 'RUN addgroup -S app && adduser -S -G app app' and 'USER app')",
            id="apk-image-busybox-adduser",
        ),
        pytest.param(
            "FROM busybox:1.36.1\nCOPY app /app\n",
            "add a non-root user (e.g. 'RUN addgroup -S app && adduser -S -G app app' and 'USER app')",
            id="busybox-adduser",
        ),
        pytest.param(
            "FROM registry.access.redhat.com/ubi9/ubi-minimal:9.4\nRUN microdnf install -y python3.12\n",
            "add 'USER 1001' (a numeric uid needs no account, and ubi-minimal has no useradd)",
            id="ubi-minimal-numeric-uid",
        ),
        pytest.param(
            "FROM golang:1.23.4 AS build\nRUN go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\n"
            'ENTRYPOINT ["/app"]\n',
            "add 'USER 65532:65532' (a numeric uid needs no account, and scratch has no shell to create one)",
            id="scratch-numeric-uid",
        ),
    ],
)
def test_missing_user_advice_fits_the_image(text: str, advice: str) -> None:
    found = check(parse(text))
    assert [f.code for f in found] == ["DPH401"]
    assert found[0].message.endswith(advice)


def test_s6_overlay_init_drops_privileges() -> None:
    text = (
        "FROM python:3.12-slim-bookworm\nARG S6_OVERLAY_VERSION=3.2.0.2\n"
        "ADD https://github.com/just-containers/s6-overlay/releases/download/v${S6_OVERLAY_VERSION}/"
        "s6-overlay-noarch.tar.xz /tmp\nRUN tar -C / -Jxpf /tmp/s6-overlay-noarch.tar.xz && useradd --uid 1000 abc\n"
        'ENTRYPOINT ["/init"]\n'
    )
    assert check(parse(text)) == []


def test_scratch_stage_of_files_only_is_not_run() -> None:
    text = (
        "FROM python:3.12-slim-bookworm AS build\nRUN pip wheel --no-cache-dir -w /wheels .\n"
        "FROM scratch AS export\nCOPY --from=build /wheels /\n"
    )
    assert check(parse(text)) == []
    assert check(parse(text), target="build") != []


@pytest.mark.parametrize(("text", "note"), [
    pytest.param(
        "FROM python:3.12-slim-bookworm AS builder\nRUN pip install --no-cache-dir --user -r requirements.txt\n"
        "FROM python:3.12-slim-bookworm\nCOPY --from=builder /root/.local /root/.local\n"
        'ENV PATH=/root/.local/bin:$PATH\nCMD ["python", "app.py"]\n',
        "the packages are in root's user site (/root/.local), which 'app' cannot read", id="user-site-copied",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nRUN pip install --no-cache-dir poetry==1.8.3\n"
        "COPY pyproject.toml poetry.lock ./\nRUN poetry install --no-root\n",
        "Poetry keeps its environment in root's cache (/root/.cache/pypoetry)", id="poetry-cache-venv",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nENV POETRY_VIRTUALENVS_IN_PROJECT=true\n"
        "RUN pip install --no-cache-dir poetry==1.8.3 && poetry install --no-root\n", "", id="poetry-in-project",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nRUN pip install --no-cache-dir poetry==1.8.3 && "
        "poetry config virtualenvs.create false && poetry install --no-root\n", "", id="poetry-no-venv",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nRUN pip install --no-cache-dir poetry==1.8.3 && "
        "poetry config virtualenvs.create false\nCOPY pyproject.toml poetry.lock ./\nRUN poetry install --no-root\n",
        "", id="poetry-configured-in-an-earlier-run",
    ),
])
def test_missing_user_advice_when_packages_are_in_roots_home(text: str, note: str) -> None:
    found = check(parse(text))
    assert [f.code for f in found] == ["DPH401"]
    assert (note in found[0].message) if note else found[0].message.endswith("'USER app')")


def test_an_image_a_devcontainer_json_builds_is_not_judged(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    dockerfile = write("Dockerfile", "FROM python:3.12-slim-bookworm\nCOPY . /src\n")
    assert main([dockerfile]) == 1
    write(".devcontainer.json", '{"name": "dev", "dockerFile": "Dockerfile"}\n')
    capsys.readouterr()
    assert main([dockerfile]) == 0
