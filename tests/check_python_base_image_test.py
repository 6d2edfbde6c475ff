from __future__ import annotations

from pathlib import Path

import pytest

from hooks._dockerfile import parse
from hooks._files import Repo
from hooks.check_python_base_image import check, main
from tests.conftest import Writer

SHA = "sha256:" + "0123456789abcdef" * 4
SLIM = "python:3.12-slim-bookworm"

PASS = [
    pytest.param(f"FROM {SLIM}\n", id="slim"),
    pytest.param("FROM python:3.12-slim\n", id="slim-without-release"),
    pytest.param("FROM python:slim\n", id="slim-floating-is-another-hooks-business"),
    pytest.param(
        f"FROM python:3.12-bookworm AS build\nRUN pip wheel -w /w -r requirements.txt\n"
        f"FROM {SLIM}\nCOPY --from=build /w /w\n",
        id="full-image-in-builder-stage",
    ),
    pytest.param(
        f"FROM {SLIM} AS base\nFROM base AS final\nUSER app\n", id="slim-inherited-through-stage",
    ),
    pytest.param(
        f"FROM --platform=$BUILDPLATFORM python:3.12 AS build\nFROM {SLIM}\n", id="platform-flag-builder",
    ),
    pytest.param(
        "ARG PYTHON_VERSION=3.12\nFROM python:${PYTHON_VERSION}-slim-bookworm\n", id="arg-default-slim",
    ),
    pytest.param("ARG PY\nFROM python:${PY}\n", id="unresolved-not-judged"),
    pytest.param("ARG BASE\nFROM $BASE\n", id="unresolved-image-not-judged"),
    pytest.param(f"FROM python@{SHA}\n", id="digest-only-not-judged"),
    pytest.param("FROM gcr.io/distroless/python3-debian12:nonroot\n", id="distroless"),
    pytest.param("FROM cgr.dev/chainguard/python:latest\n", id="chainguard"),
    pytest.param("FROM bitnami/python:3.12\n", id="not-the-official-image"),
    pytest.param("FROM arm64v8/python:3.12-slim-bookworm\n", id="slim-in-architecture-namespace"),
    pytest.param("ARG TARGET_ARCH\nFROM ${TARGET_ARCH}/python:3.12-slim-bookworm\n",
                 id="slim-in-architecture-namespace-from-arg"),
    pytest.param("ARG REGISTRY\nFROM ${REGISTRY}/team/python:3.12-alpine\n", id="unresolved-path-not-judged"),
    pytest.param("FROM python:3.12-windowsservercore-ltsc2022\n", id="windows-has-no-slim"),
    pytest.param("FROM python:3.12-custom\n", id="unknown-tag-scheme"),
    pytest.param("FROM python:3.12 AS build\nFROM scratch\nCOPY --from=build /app /app\n", id="scratch-final"),
    pytest.param(f"FROM {SLIM}\nCOPY --from=python:3.12-alpine /x /x\n", id="copy-from-is-not-a-base"),
    pytest.param("FROM ubuntu:22.04\n", id="other-os"),
    pytest.param(f"\ufefffrom {SLIM}\r\nuser app\r\n", id="bom-crlf-lowercase"),
    pytest.param(f"# escape=`\nFROM `\n  {SLIM}\n", id="escape-directive"),
    pytest.param(f"FROM {SLIM}\nCOPY <<EOF /etc/x\nFROM python:3.12-alpine\nEOF\n", id="heredoc-body"),
]

FAIL = [
    pytest.param(
        "FROM python:3.12\nCOPY . /app\n",
        [(1, 6, "DPH204", "the final stage is built on the full image 'python:3.12', about 1 GB of compilers "
          "and libraries the service does not need; use the slim variant, e.g. 'python:3.12-slim-trixie'")],
        id="full-final",
    ),
    pytest.param(
        "FROM python:3.11.9-bullseye\n",
        [(1, 6, "DPH204", "the final stage is built on the full image 'python:3.11.9-bullseye', about 1 GB of "
          "compilers and libraries the service does not need; use the slim variant, e.g. "
          "'python:3.11.9-slim-bullseye'")],
        id="full-with-release-keeps-version-and-release",
    ),
    pytest.param(
        "FROM python\n",
        [(1, 6, "DPH204", "the final stage is built on the full image 'python', about 1 GB of compilers "
          "and libraries the service does not need; use the slim variant, e.g. 'python:3.12-slim-trixie'")],
        id="untagged-is-full",
    ),
    pytest.param(
        "FROM python:3.12-bookworm AS base\nRUN pip install poetry\nFROM base AS final\nCOPY . /app\n",
        [(1, 6, "DPH204", "final stage 'final' is built on the full image 'python:3.12-bookworm' (through "
          "stage 'base'), about 1 GB of compilers and libraries the service does not need; use the slim "
          "variant, e.g. 'python:3.12-slim-bookworm'")],
        id="full-inherited-through-stage",
    ),
    pytest.param(
        "ARG PYTHON_VERSION=3.11\nFROM python:${PYTHON_VERSION}\n",
        [(2, 6, "DPH204", "the final stage is built on the full image 'python:${PYTHON_VERSION}' "
          "('python:3.11'), about 1 GB of compilers and libraries the service does not need; use the slim "
          "variant, e.g. 'python:3.11-slim-trixie'")],
        id="full-through-arg",
    ),
    pytest.param(
        "FROM public.ecr.aws/docker/library/python:3.12-bookworm\n",
        [(1, 6, "DPH204", "the final stage is built on the full image "
          "'public.ecr.aws/docker/library/python:3.12-bookworm', about 1 GB of compilers and libraries the "
          "service does not need; use the slim variant, e.g. "
          "'public.ecr.aws/docker/library/python:3.12-slim-bookworm'")],
        id="official-mirror",
    ),
    pytest.param(
        "FROM python:3.12-alpine3.20 AS build\nFROM python:3.12-alpine\n",
        [
            (1, 6, "DPH205", "stage 'build' is built on the Alpine image 'python:3.12-alpine3.20'; many "
             "packages have no wheels for its musl libc and compile from source; use a slim Debian image, "
             "e.g. 'python:3.12-slim-trixie'"),
            (2, 6, "DPH205", "stage 1 is built on the Alpine image 'python:3.12-alpine'; many packages have no "
             "wheels for its musl libc and compile from source; use a slim Debian image, e.g. "
             "'python:3.12-slim-trixie'"),
        ],
        id="alpine-in-every-stage",
    ),
    pytest.param(
        "ARG BASE=python:3.12-alpine\nFROM ${BASE} AS build\nFROM $BASE\nFROM ${BASE} AS test\n",
        [
            (2, 6, "DPH205", "stage 'build' is built on the Alpine image '${BASE}' ('python:3.12-alpine'); many "
             "packages have no wheels for its musl libc and compile from source; use a slim Debian image, "
             "e.g. 'python:3.12-slim-trixie' (reported once for ARG BASE: the FROM at lines 3, 4 uses it too)"),
        ],
        id="alpine-arg-in-several-froms-reported-once",
    ),
    pytest.param(
        "FROM python:3.7\n",
        [(1, 6, "DPH204", "the final stage is built on the full image 'python:3.7', about 1 GB of compilers "
          "and libraries the service does not need; use the slim variant, e.g. 'python:3.7-slim-bookworm'")],
        id="full-3.7-gets-a-release-it-was-published-on",
    ),
    pytest.param(
        f"FROM python:3.9.2-alpine3.13 AS build\nFROM {SLIM}\n",
        [(1, 6, "DPH205", "stage 'build' is built on the Alpine image 'python:3.9.2-alpine3.13'; many packages "
          "have no wheels for its musl libc and compile from source; use a slim Debian image, e.g. "
          "'python:3.9.2-slim-<debian release>'")],  # 3.9.2 was built on buster only
        id="alpine-patch-version-is-kept-with-a-placeholder-release",
    ),
    pytest.param(
        "FROM python:3.9 AS build\nFROM python:3.12.3\n",
        [(2, 6, "DPH204", "the final stage is built on the full image 'python:3.12.3', about 1 GB of compilers "
          "and libraries the service does not need; use the slim variant, e.g. 'python:3.12.3-slim-bookworm'")],
        id="full-patch-version-keeps-its-patch",
    ),
    pytest.param(
        "FROM python:3.5.1\n",
        [(1, 6, "DPH204", "the final stage is built on the full image 'python:3.5.1', about 1 GB of compilers "
          "and libraries the service does not need; use the slim variant, e.g. "
          "'python:3.5.1-slim-<debian release>'")],  # 3.5.1 was built on jessie, never with a release tag
        id="old-patch-version-gets-a-placeholder-release",
    ),
    pytest.param(
        f"FROM python:alpine AS tools\nFROM {SLIM}\n",
        [(1, 6, "DPH205", "stage 'tools' is built on the Alpine image 'python:alpine'; many packages have no "
          "wheels for its musl libc and compile from source; use a slim Debian image, e.g. "
          "'python:3.12-slim-trixie'")],
        id="alpine-builder",
    ),
    pytest.param(
        # certbot: the architecture namespace is an ARG without a default.
        "ARG TARGET_ARCH\nFROM ${TARGET_ARCH}/python:3.10-alpine3.16\n",
        [(2, 6, "DPH205", "stage 0 is built on the Alpine image '${TARGET_ARCH}/python:3.10-alpine3.16'; many "
          "packages have no wheels for its musl libc and compile from source; use a slim Debian image, e.g. "
          "'python:3.10-slim-trixie'")],
        id="alpine-in-architecture-namespace-from-arg",
    ),
    pytest.param(
        "ARG TARGET_ARCH=amd64\nFROM ${TARGET_ARCH}/python:3.11-alpine3.20\n",
        [(2, 6, "DPH205", "stage 0 is built on the Alpine image '${TARGET_ARCH}/python:3.11-alpine3.20' "
          "('amd64/python:3.11-alpine3.20'); many packages have no wheels for its musl libc and compile from "
          "source; use a slim Debian image, e.g. 'amd64/python:3.11-slim-trixie'")],
        id="alpine-in-architecture-namespace-from-arg-default",
    ),
    pytest.param(
        "FROM arm32v6/python:3.12-alpine3.20\n",
        [(1, 6, "DPH205", "stage 0 is built on the Alpine image 'arm32v6/python:3.12-alpine3.20'; many packages "
          "have no wheels for its musl libc and compile from source; use a slim Debian image, e.g. "
          "'python:3.12-slim-trixie'")],
        id="alpine-only-architecture-suggests-the-multi-architecture-image",
    ),
    pytest.param(
        "FROM arm64v8/python:3.12-bookworm\n",
        [(1, 6, "DPH204", "the final stage is built on the full image 'arm64v8/python:3.12-bookworm', about 1 GB "
          "of compilers and libraries the service does not need; use the slim variant, e.g. "
          "'arm64v8/python:3.12-slim-bookworm'")],
        id="full-image-in-architecture-namespace",
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
    text = f"FROM {SLIM} AS prod\nFROM python:3.12-bookworm AS dev\n"
    assert check(parse(text), target="prod") == []
    assert check(parse(text)) == []  # a last 'dev' stage is not shipped
    assert [(f.line, f.code) for f in check(parse(text), target="DEV")] == [(2, "DPH204")]


def test_unknown_target_keeps_alpine_findings() -> None:
    findings = check(parse("FROM python:3.12-alpine3.20\n"), target="nope")
    assert [(f.code, f.message) for f in findings][1:] == [
        ("DPH905", "no stage named 'nope' (from --target); check the stage name")
    ]
    assert findings[0].code == "DPH205"


def test_main(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    good = write("Dockerfile", f"FROM python:3.12-bookworm AS build\nFROM {SLIM}\n")
    bad = write("app/Containerfile", "FROM python:3.12-bookworm AS build\nFROM build\n")
    assert main([good]) == 0
    assert main([good, bad, "--target", "build"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("Dockerfile:1:6: DPH204 final stage 'build' is built on the full image ")
    assert main([bad]) == 1
    assert capsys.readouterr().out.startswith("app/Containerfile:1:6: DPH204 the final stage is built on ")


def test_suppression(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    text = "# dph: ignore=DPH204 needs git at run time\nFROM python:3.12-bookworm\n"
    assert main([write("Dockerfile", text)]) == 0
    assert capsys.readouterr().out == ""


def test_dev_container_may_use_the_full_image_but_not_alpine() -> None:
    assert check(parse("FROM python:3.12-bookworm\n", ".devcontainer/Dockerfile")) == []
    assert [f.code for f in check(parse("FROM python:3.12-bookworm\n", "Dockerfile"))] == ["DPH204"]
    # musl wheels hurt a development environment as much: DPH205 still applies.
    found = check(parse("FROM python:3.12-alpine3.20\n", ".devcontainer/Dockerfile"))
    assert [f.code for f in found] == ["DPH205"]


def test_slim_advice_names_the_healthcheck_tool_slim_lacks() -> None:
    base = "FROM python:3.12-bookworm\nEXPOSE 8000\n"
    probe = "HEALTHCHECK CMD curl -f http://localhost:8000/ || exit 1\n"
    found = check(parse(base + probe))
    assert [f.code for f in found] == ["DPH204"]
    assert found[0].message.endswith(
        "use the slim variant, e.g. 'python:3.12-slim-bookworm'; slim has no curl, which the HEALTHCHECK "
        "calls: install curl (apt-get install --no-install-recommends curl), or probe with python3 -c and urllib"
    )
    installed = base + "RUN apt-get update && apt-get install -y --no-install-recommends curl\n" + probe
    assert check(parse(installed))[0].message.endswith("e.g. 'python:3.12-slim-bookworm'")


def test_slim_advice_names_the_build_tools_slim_lacks() -> None:
    text = (
        "FROM python:3.12-bookworm\nRUN wget -q https://example.org/pandoc.deb && dpkg -i pandoc.deb\n"
        "RUN git clone https://example.org/repo.git /src && curl -fsS https://example.org/x -o /x\n"
    )
    found = check(parse(text))
    assert found[0].message.endswith(
        "; slim has no curl or git or wget, which the RUN on line 2 and the RUN on line 3 call: install curl and "
        "git and wget (apt-get install --no-install-recommends curl git wget)"
    )


def test_slim_advice_names_a_compose_probe_slim_lacks(write: Writer) -> None:
    dockerfile = write("Dockerfile", "FROM python:3.12-bookworm\nEXPOSE 8000\n")
    write("compose.yaml", "services:\n  web:\n    build: .\n    healthcheck:\n      test: [CMD, curl, -f, x]\n")
    found = check(parse(Path(dockerfile).read_text(), dockerfile), repo=Repo())
    assert found[0].message.endswith(
        "; slim has no curl, which the healthcheck of 'web' in compose.yaml calls: install curl (apt-get install "
        "--no-install-recommends curl), or probe with python3 -c and urllib"
    )
    assert check(parse(Path(dockerfile).read_text(), dockerfile))[0].message.endswith("'python:3.12-slim-bookworm'")


def test_a_windows_image_is_not_told_to_use_slim() -> None:
    text = "# escape=`\nFROM python:3.12\nRUN certutil -hashfile c:\\tmp\\x SHA256\n"
    assert check(parse(text)) == []
    shell = 'FROM python:3.12\nSHELL ["powershell", "-Command"]\nRUN Write-Host hi\n'
    assert check(parse(shell)) == []
