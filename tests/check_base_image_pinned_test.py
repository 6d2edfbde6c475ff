from __future__ import annotations

import pytest

from hooks._dockerfile import parse
from hooks.check_base_image_pinned import check, main
from tests.conftest import Writer

SHA = "sha256:" + "0123456789abcdef" * 4
PINNED = "python:3.12-slim-bookworm"

PASS = [
    pytest.param(f"FROM {PINNED}\n", id="fully-pinned"),
    pytest.param("FROM python:3.12.4-slim-bookworm\n", id="patch-version"),
    pytest.param("FROM python:3.12-bookworm\n", id="full-image-is-pinned-too"),
    pytest.param("FROM python:3.13.0rc1-slim-bookworm\n", id="release-candidate"),
    pytest.param("FROM python:3.12-alpine3.20\n", id="alpine-with-release"),
    pytest.param("FROM python:3.12-windowsservercore-ltsc2022\n", id="windows-with-release"),
    pytest.param(f"FROM python@{SHA}\n", id="digest-only"),
    pytest.param(f"FROM python:latest@{SHA}\n", id="latest-with-digest"),
    pytest.param(f"FROM python:3-slim@{SHA}\n", id="floating-with-digest"),
    pytest.param(f"FROM gcr.io/distroless/python3-debian12:nonroot@{SHA}\n", id="distroless-digest"),
    pytest.param("FROM quay.io/jupyter/scipy-notebook:2024-01-15\n", id="jupyter-date-tag"),
    pytest.param("FROM quay.io/jupyter/datascience-notebook:x86_64-2024-05-27\n", id="jupyter-arch-date-tag"),
    pytest.param("FROM registry.access.redhat.com/ubi9/python-311:1-77\n", id="redhat-version-release-tag"),
    pytest.param("FROM registry.access.redhat.com/ubi9/python-311:1-77.1726664316\n", id="redhat-respin-tag"),
    pytest.param("FROM scratch\nCOPY --from=scratch / /\n", id="scratch"),
    pytest.param(
        f"FROM {PINNED} AS builder\nRUN pip wheel -w /w .\nFROM builder AS test\n"
        f"FROM {PINNED}\nCOPY --from=builder /w /w\n",
        id="multi-stage-from-builder",
    ),
    pytest.param(f"FROM {PINNED}\nFROM {PINNED}\nCOPY --from=0 /a /a\n", id="copy-from-index"),
    pytest.param(f"FROM {PINNED} AS Build\nFROM {PINNED}\nCOPY --from=BUILD /a /a\n", id="stage-name-any-case"),
    pytest.param(
        f"FROM {PINNED}\nCOPY --from=assets /a /a\nFROM node:20.11-slim AS assets\n",
        id="copy-from-later-stage",
    ),
    pytest.param(
        f"FROM --platform=$BUILDPLATFORM {PINNED} AS build\nFROM {PINNED}\n",
        id="platform-flag",
    ),
    pytest.param(
        "ARG PYTHON_VERSION=3.12\nFROM python:${PYTHON_VERSION}-slim-bookworm\n", id="arg-default",
    ),
    pytest.param(
        "ARG PYTHON_VERSION\nFROM python:${PYTHON_VERSION:-3.12}-slim-bookworm\n",
        id="arg-without-default-but-expression-default",
    ),
    pytest.param(
        f"ARG BASE={PINNED}\nFROM ${{BASE}}\n", id="whole-image-from-arg",
    ),
    pytest.param("FROM localhost:5000/app:1.2.3\n", id="registry-with-port"),
    pytest.param(
        # Real-world shape: a dist Dockerfile built on the image a builder Dockerfile made.
        'ARG ORG="searxng"\nFROM localhost/$ORG/searxng:builder AS builder\n'
        f"FROM {PINNED}\nCOPY --from=builder /usr/local/app/.venv/ ./.venv/\n",
        id="local-image-store",
    ),
    pytest.param("FROM localhost:5000/tools\nCOPY --from=127.0.0.1:5000/wheels:dev /w /w\n",
                 id="registry-on-this-machine"),
    pytest.param(
        f"ARG REGISTRY=registry.example.com:5000\nFROM ${{REGISTRY}}/{PINNED}\n", id="registry-from-arg",
    ),
    pytest.param(f"FROM {PINNED}@{SHA} AS base\nCOPY --from=base / /\n", id="tag-and-digest"),
    pytest.param("FROM registry.example.com:443/team/app:2024.06.1\n", id="registry-host-port"),
    pytest.param(
        f"FROM {PINNED}\nCOPY --from=ghcr.io/astral-sh/uv:0.5.11 /uv /uvx /bin/\n", id="uv-copy-from",
    ),
    pytest.param(
        f"FROM {PINNED}\nRUN --mount=type=cache,target=/root/.cache/pip "
        "--mount=type=bind,source=requirements.txt,target=/r.txt pip install -r /r.txt\n",
        id="mounts-without-from",
    ),
    pytest.param(
        f"FROM {PINNED} AS wheels\nFROM {PINNED}\nRUN --mount=type=bind,from=wheels,target=/w pip install /w/*\n",
        id="mount-from-stage",
    ),
    pytest.param("FROM ubuntu:22.04\n", id="ubuntu-release"),
    pytest.param("FROM arm64v8/python:3.12-slim-bookworm\n", id="python-in-architecture-namespace"),
    pytest.param("ARG TARGET_ARCH=i386\nFROM ${TARGET_ARCH}/python:3.12-slim-bookworm\n",
                 id="architecture-namespace-from-arg-default"),
    pytest.param("FROM nginx:1.27-alpine\n", id="nginx-minor"),
    pytest.param("FROM debian:bookworm-20240904-slim\n", id="dated-tag"),
    pytest.param("FROM example.com/app:sha-3f2a1bc\n", id="commit-tag"),
    pytest.param("FROM example.com/app:v1.4\n", id="v-prefixed-version"),
    pytest.param(
        f"\ufefffrom {PINNED}\r\ncopy --from=ghcr.io/astral-sh/uv:0.5.11 /uv /bin/\r\n", id="bom-crlf-lowercase",
    ),
    pytest.param(f"# escape=`\nFROM `\n  {PINNED}\nRUN echo `\n  hi\n", id="escape-directive"),
    pytest.param(f"FROM {PINNED}\nONBUILD COPY --from=builder /a /a\n", id="onbuild-not-judged"),
    pytest.param(f"FROM {PINNED}\nCOPY <<EOF /etc/x\nFROM python\nEOF\n", id="heredoc-body"),
    pytest.param(f"FROM {PINNED}\nADD --chown=app https://example.com/x.tar.gz /x\n", id="add"),
]

FAIL = [
    pytest.param(
        "FROM registry.local/app:builder\n",
        [(1, 6, "DPH203", "base image 'registry.local/app:builder' has a floating tag ('builder' names "
          "no version); pin it, e.g. 'registry.local/app:<version>' or a digest")],
        id="other-registry-is-pulled",
    ),
    pytest.param(
        "FROM python\n",
        [(1, 6, "DPH201", "base image 'python' has no tag; pin it, e.g. 'python:3.12-slim-trixie'")],
        id="untagged",
    ),
    pytest.param(
        "FROM nginx AS web\n",
        [(1, 6, "DPH201", "base image 'nginx' has no tag; pin it, e.g. 'nginx:<version>' or a digest")],
        id="untagged-other-image",
    ),
    pytest.param(
        "FROM docker.io/library/python:latest\n",
        [(1, 6, "DPH202", "base image 'docker.io/library/python:latest' uses the 'latest' tag; "
          "pin it, e.g. 'docker.io/library/python:3.12-slim-trixie'")],
        id="latest",
    ),
    pytest.param(
        "FROM python:3-slim\n",
        [(1, 6, "DPH203", "base image 'python:3-slim' has a floating tag ('3' is a major version only); "
          "pin it, e.g. 'python:3.12-slim-trixie'")],
        id="python-major-only",
    ),
    pytest.param(
        "FROM python:slim-bookworm\n",
        [(1, 6, "DPH203", "base image 'python:slim-bookworm' has a floating tag ('slim-bookworm' names no "
          "Python version); pin it, e.g. 'python:3.12-slim-bookworm'")],
        id="python-no-version",
    ),
    pytest.param(
        "FROM python:3-alpine\n",
        [(1, 6, "DPH203", "base image 'python:3-alpine' has a floating tag ('3' is a major version only); "
          "pin it, e.g. 'python:3.12-slim-trixie'")],
        id="python-major-alpine-gets-slim-debian",
    ),
    pytest.param(
        "FROM node:20-slim\n",
        [(1, 6, "DPH203", "base image 'node:20-slim' has a floating tag ('20' is a major version only); "
          "pin it, e.g. 'node:20.<minor>-slim' or a digest")],
        id="node-major-only",
    ),
    pytest.param(
        "FROM postgres:16\n",
        [(1, 6, "DPH203", "base image 'postgres:16' has a floating tag ('16' is a major version only); "
          "pin it, e.g. 'postgres:16.<minor>' or a digest")],
        id="postgres-major-only",
    ),
    pytest.param(
        "FROM node:lts-slim\n",
        [(1, 6, "DPH203", "base image 'node:lts-slim' has a floating tag ('lts-slim' names no version); "
          "pin it, e.g. 'node:<version>-slim' or a digest")],
        id="lts",
    ),
    pytest.param(
        "FROM debian:bookworm-slim\n",
        [(1, 6, "DPH203", "base image 'debian:bookworm-slim' has a floating tag ('bookworm-slim' names no "
          "version); pin it, e.g. 'debian:bookworm-<YYYYMMDD>-slim' or a digest")],
        id="debian-codename",
    ),
    pytest.param(
        "FROM gcr.io/distroless/python3-debian12:nonroot\n",
        [(1, 6, "DPH203", "base image 'gcr.io/distroless/python3-debian12:nonroot' has a floating tag "
          "('nonroot' names no version); pin it, e.g. "
          "'gcr.io/distroless/python3-debian12:nonroot@sha256:<digest>'")],
        id="distroless-needs-digest",
    ),
    pytest.param(
        "FROM python:3.12-slim\n",
        [(1, 6, "DPH206", "base image 'python:3.12-slim' does not name its OS release, so it moves to the "
          "next Debian release; pin it, e.g. 'python:3.12-slim-trixie'")],
        id="python-without-os-release",
    ),
    pytest.param(
        "FROM python:3.12.12\n",
        [(1, 6, "DPH206", "base image 'python:3.12.12' does not name its OS release, so it moves to the "
          "next Debian release; pin it, e.g. 'python:3.12.12-slim-trixie'")],
        id="python-full-without-os-release",
    ),
    pytest.param(
        "FROM python:3.12-alpine\n",
        [(1, 6, "DPH206", "base image 'python:3.12-alpine' does not name its OS release, so it moves to the "
          "next Alpine release; pin a release of a slim Debian image instead (see DPH205), e.g. "
          "'python:3.12-slim-trixie'")],
        id="python-alpine-without-release",
    ),
    pytest.param(
        "ARG PY=3\nFROM python:${PY}-slim-bookworm AS build\n",
        [(2, 6, "DPH203", "base image 'python:${PY}-slim-bookworm' ('python:3-slim-bookworm') has a floating "
          "tag ('3' is a major version only); pin it, e.g. 'python:3.12-slim-bookworm'")],
        id="floating-through-arg",
    ),
    pytest.param(
        "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n",
        [(2, 6, "DPH208", "base image '${BASE_IMAGE}' comes from ARG BASE_IMAGE, which has no default, so a "
          "build without --build-arg has no base image and fails; give it a pinned default, e.g. "
          "'ARG BASE_IMAGE=<image>:<version>'")],
        id="arg-without-default",
    ),
    pytest.param(
        "ARG PY\nFROM python:${PY}-slim-bookworm\n",
        [(2, 6, "DPH208", "base image 'python:${PY}-slim-bookworm' is 'python:-slim-bookworm' without "
          "--build-arg (ARG PY has no default), not a valid image reference, so the build fails; give it a "
          "pinned default, e.g. 'ARG PY=3.12'")],
        id="part-from-arg-without-default",
    ),
    pytest.param(
        "FROM $IMAGE\n",
        [(1, 6, "DPH209", "base image '$IMAGE' uses $IMAGE, which no ARG before the first FROM declares, so "
          "it is empty: the image is '' and the build fails; declare it before the first FROM, e.g. "
          "'ARG IMAGE=<image>:<version>'")],
        id="undeclared-arg",
    ),
    pytest.param(
        "FROM example.com/base-${TARGETARCH}:1.2\n",
        [(1, 6, "DPH208", "base image 'example.com/base-${TARGETARCH}:1.2' depends on TARGETARCH, known only "
          "at build time, so it cannot be verified")],
        id="automatic-platform-arg",
    ),
    pytest.param(
        f"FROM {PINNED}\nCOPY --from=ghcr.io/astral-sh/uv:latest /uv /bin/\n",
        [(2, 13, "DPH202", "COPY --from image 'ghcr.io/astral-sh/uv:latest' uses the 'latest' tag; "
          "pin it, e.g. 'ghcr.io/astral-sh/uv:<version>' or a digest")],
        id="copy-from-latest",
    ),
    pytest.param(
        f"FROM {PINNED}\nARG UV=ghcr.io/astral-sh/uv\nCOPY --chown=app --from=$UV /uv /bin/\n",
        [(3, 25, "DPH201", "COPY --from image '$UV' ('ghcr.io/astral-sh/uv') has no tag; "
          "pin it, e.g. 'ghcr.io/astral-sh/uv:<version>' or a digest")],
        id="copy-from-arg",
    ),
    pytest.param(
        f"FROM {PINNED}\nRUN --mount=type=cache,target=/c \\\n"
        "    --mount=type=bind,from=python:3.12,source=/usr/local,target=/py true\n",
        [(3, 28, "DPH206", "RUN --mount image 'python:3.12' does not name its OS release, so it moves to the "
          "next Debian release; pin it, e.g. 'python:3.12-trixie'")],  # files of the full image
        id="mount-from-image",
    ),
    pytest.param(
        "FROM app AS base\nFROM python:3.12-slim-bookworm AS app\n",
        [(1, 6, "DPH201", "base image 'app' has no tag; pin it, e.g. 'app:<version>' or a digest")],
        id="stage-defined-later-is-an-image-for-from",
    ),
    pytest.param(
        "FROM \\\n    python:3-slim-bookworm \\\n    AS build\nFROM python:latest\n",
        [
            (2, 5, "DPH203", "base image 'python:3-slim-bookworm' has a floating tag ('3' is a major version "
             "only); pin it, e.g. 'python:3.12-slim-bookworm'"),  # the written release is kept
            (4, 6, "DPH202", "base image 'python:latest' uses the 'latest' tag; "
             "pin it, e.g. 'python:3.12-slim-trixie'"),
        ],
        id="continuation-lines",
    ),
    pytest.param(
        # micromamba-docker: one ARG default, two stages built on it: one finding, at the first FROM.
        "ARG BASE_IMAGE=debian:bookworm-slim\nFROM $BASE_IMAGE AS stage1\nRUN true\nFROM ${BASE_IMAGE}\n",
        [(2, 6, "DPH203", "base image '$BASE_IMAGE' ('debian:bookworm-slim') has a floating tag ('bookworm-slim' "
          "names no version); pin it, e.g. 'debian:bookworm-<YYYYMMDD>-slim' or a digest (reported once for "
          "ARG BASE_IMAGE: the FROM at line 4 uses it too)")],
        id="one-arg-several-froms-reported-once",
    ),
    pytest.param(
        "ARG BASE=python:3-slim\nFROM $BASE AS a\nFROM $BASE AS b\nFROM ${BASE}\n",
        [(2, 6, "DPH203", "base image '$BASE' ('python:3-slim') has a floating tag ('3' is a major version "
          "only); pin it, e.g. 'python:3.12-slim-trixie' (reported once for ARG BASE: the FROM at lines 3, 4 "
          "uses it too)")],
        id="one-arg-three-froms",
    ),
    pytest.param(
        "ARG BASE\nFROM $BASE AS a\nFROM $BASE\n",
        [(2, 6, "DPH208", "base image '$BASE' comes from ARG BASE, which has no default, so a build without "
          "--build-arg has no base image and fails; give it a pinned default, e.g. 'ARG BASE=<image>:<version>' "
          "(reported once for ARG BASE: the FROM at line 3 uses it too)")],
        id="one-arg-without-default-several-froms",
    ),
    pytest.param(
        # The ARG gives only part of the image: each FROM has its own text to fix, each is reported.
        "ARG PY=3.12\nFROM python:${PY}-slim AS a\nFROM python:${PY}-slim\n",
        [
            (2, 6, "DPH206", "base image 'python:${PY}-slim' ('python:3.12-slim') does not name its OS release, "
             "so it moves to the next Debian release; pin it, e.g. 'python:3.12-slim-trixie'"),
            (3, 6, "DPH206", "base image 'python:${PY}-slim' ('python:3.12-slim') does not name its OS release, "
             "so it moves to the next Debian release; pin it, e.g. 'python:3.12-slim-trixie'"),
        ],
        id="arg-in-part-of-the-image-reported-at-each-from",
    ),
    pytest.param(
        "FROM python:3-slim AS a\nFROM python:3-slim\n",
        [
            (1, 6, "DPH203", "base image 'python:3-slim' has a floating tag ('3' is a major version only); "
             "pin it, e.g. 'python:3.12-slim-trixie'"),
            (2, 6, "DPH203", "base image 'python:3-slim' has a floating tag ('3' is a major version only); "
             "pin it, e.g. 'python:3.12-slim-trixie'"),
        ],
        id="same-literal-image-reported-at-each-from",
    ),
    pytest.param(
        "ARG A=python:3-slim\nARG B=python:3-slim\nFROM $A AS a\nFROM $B\n",
        [
            (3, 6, "DPH203", "base image '$A' ('python:3-slim') has a floating tag ('3' is a major version only); "
             "pin it, e.g. 'python:3.12-slim-trixie'"),
            (4, 6, "DPH203", "base image '$B' ('python:3-slim') has a floating tag ('3' is a major version only); "
             "pin it, e.g. 'python:3.12-slim-trixie'"),
        ],
        id="two-args-two-defaults-to-fix",
    ),
    pytest.param(
        "FROM amd64/python:3.12-slim\n",
        [(1, 6, "DPH206", "base image 'amd64/python:3.12-slim' does not name its OS release, so it moves to the "
          "next Debian release; pin it, e.g. 'amd64/python:3.12-slim-trixie'")],
        id="python-in-architecture-namespace",
    ),
    pytest.param(
        # The namespace is not known without --build-arg: DPH208 says so, as before.
        "ARG TARGET_ARCH\nFROM ${TARGET_ARCH}/python:3.12-slim\n",
        [(2, 6, "DPH208", "base image '${TARGET_ARCH}/python:3.12-slim' is '/python:3.12-slim' without "
          "--build-arg (ARG TARGET_ARCH has no default), not a valid image reference, so the build fails; give it "
          "a pinned default, e.g. 'ARG TARGET_ARCH=<value>'")],
        id="architecture-namespace-from-arg-without-default",
    ),
    pytest.param(
        "FROM python:3.11.14-slim AS runtime\n",
        [(1, 6, "DPH206", "base image 'python:3.11.14-slim' does not name its OS release, so it moves to the "
          "next Debian release; pin it, e.g. 'python:3.11.14-slim-trixie'")],
        id="patch-version-is-kept",
    ),
    pytest.param(
        f"FROM python:3.10 AS build\nFROM {PINNED}\n",
        [(1, 6, "DPH206", "base image 'python:3.10' does not name its OS release, so it moves to the "
          "next Debian release; pin it, e.g. 'python:3.10-trixie'")],
        id="builder-keeps-the-full-image",
    ),
    pytest.param(
        f"FROM python AS build\nFROM {PINNED}\n",
        [(1, 6, "DPH201", "base image 'python' has no tag; pin it, e.g. 'python:3.12-trixie'")],
        id="untagged-builder-keeps-the-full-image",
    ),
    pytest.param(
        "FROM python:3.10 AS build\nFROM python:3.11.14 AS base\nFROM base\n",
        [
            (1, 6, "DPH206", "base image 'python:3.10' does not name its OS release, so it moves to the "
             "next Debian release; pin it, e.g. 'python:3.10-trixie'"),
            (2, 6, "DPH206", "base image 'python:3.11.14' does not name its OS release, so it moves to the "
             "next Debian release; pin it, e.g. 'python:3.11.14-slim-trixie'"),  # as DPH204 there
        ],
        id="image-of-the-final-stage-is-advised-slim",
    ),
    pytest.param(
        "FROM python:3.13.10\n",
        [(1, 6, "DPH206", "base image 'python:3.13.10' does not name its OS release, so it moves to the "
          "next Debian release; pin it, e.g. 'python:3.13.10-slim-<debian release>'")],
        id="patch-not-known-on-a-release-gets-a-placeholder",
    ),
    pytest.param(
        "ARG PY\nFROM python:${PY} AS build\nFROM python:3.12-slim-bookworm\n",
        [(2, 6, "DPH208", "base image 'python:${PY}' is 'python:' without --build-arg (ARG PY has no default), "
          "not a valid image reference, so the build fails; give it a pinned default, e.g. "
          "'ARG PY=3.12-trixie'")],
        id="arg-default-of-a-builder-keeps-the-full-image",
    ),
]


@pytest.mark.parametrize("text", PASS)
def test_pass(text: str) -> None:
    assert check(parse(text)) == []


@pytest.mark.parametrize(("text", "expected"), FAIL)
def test_fail(text: str, expected: list[tuple[int, int, str, str]]) -> None:
    found = [(f.line, f.col, f.code, f.message) for f in check(parse(text))]
    assert found == expected


def test_require_digest() -> None:
    text = f"FROM {PINNED} AS build\nFROM python@{SHA}\nCOPY --from=build / /\nCOPY --from=nginx / /\n"
    found = [(f.line, f.col, f.code, f.message) for f in check(parse(text), require_digest=True)]
    assert found == [
        (1, 6, "DPH207", f"base image '{PINNED}' is not pinned by digest; append '@sha256:<digest>' "
         f"(see 'docker buildx imagetools inspect {PINNED}')"),
        (4, 13, "DPH201", "COPY --from image 'nginx' has no tag; pin it, e.g. 'nginx:<version>' or a digest"),
        (4, 13, "DPH207", "COPY --from image 'nginx' is not pinned by digest; append '@sha256:<digest>' "
         "(see 'docker buildx imagetools inspect nginx')"),
    ]


@pytest.mark.parametrize(("image", "reason"), [
    ("registry.access.redhat.com/ubi9/python-311:1", "'1' is a major version only"),
    ("quay.io/jupyter/scipy-notebook:x86_64-python-3",
     "'x86_64-python-3' names only the version of what the image bundles, not a version of the image"),
    ("quay.io/jupyter/scipy-notebook:python-3.11.7",
     "'python-3.11.7' names only the version of what the image bundles, not a version of the image"),
    ("ghcr.io/astral-sh/uv:python3.12-bookworm-slim",
     "'python3.12-bookworm-slim' names only the version of what the image bundles, not a version of the image"),
    ("tiangolo/uvicorn-gunicorn-fastapi:python3.11-slim",
     "'python3.11-slim' names only the version of what the image bundles, not a version of the image"),
    ("quay.io/jupyter/scipy-notebook:x86_64-latest", "'x86_64-latest' names no version"),
    ("quay.io/example/app:1-77", "'1' is a major version only"),  # version-release only at Red Hat
])
def test_floating_tags_near_the_pinned_forms(image: str, reason: str) -> None:
    found = check(parse(f"FROM {image}\n"))
    assert [f.code for f in found] == ["DPH203"]
    assert f"has a floating tag ({reason})" in found[0].message


@pytest.mark.parametrize(("image", "advice"), [
    ("ghcr.io/astral-sh/uv:python3.12-bookworm-slim", "'ghcr.io/astral-sh/uv:<version>-python3.12-bookworm-slim' "
     "or a digest"),
    ("pgvector/pgvector:pg16", "'pgvector/pgvector:<version>-pg16' or a digest"),
    ("timescale/timescaledb:latest-pg16", "'timescale/timescaledb:latest-pg16@sha256:<digest>'"),
    ("quay.io/jupyter/base-notebook:python-3.11", "'quay.io/jupyter/base-notebook:python-3.11@sha256:<digest>'"),
])
def test_bundled_python_tag_advice(image: str, advice: str) -> None:
    found = check(parse(f"FROM {image}\n"))
    assert [f.code for f in found] == ["DPH203"]
    assert found[0].message.endswith(f"; pin it, e.g. {advice}")


@pytest.mark.parametrize("image", [
    "ghcr.io/astral-sh/uv:0.5.11-python3.12-bookworm-slim", "apache/airflow:2.9.1-python3.11",
    "continuumio/miniconda3:py312_24.1.2-0", "nikolaik/python-nodejs:python3.12-nodejs20",
    "pgvector/pgvector:0.8.0-pg17-bookworm", "elestio/pgadmin:REL-9_18", "timescale/timescaledb:2.14.2-pg16",
    "rayproject/ray:2.9.0-py310", "public.ecr.aws/lambda/python:3.12",
])
def test_own_version_beside_a_bundled_python_pins(image: str) -> None:
    assert [f.code for f in check(parse(f"FROM {image}\n"))] == []


def test_target_is_advised_like_dph204() -> None:
    """The shipped stage (--target) is advised slim, as check-python-base-image's DPH204
    advises it; the others keep the full image."""
    text = "FROM python:3.10 AS build\nFROM python:3.12 AS test\n"
    found = [(f.line, f.message.rpartition(" ")[2]) for f in check(parse(text), target="build")]
    assert found == [(1, "'python:3.10-slim-trixie'"), (2, "'python:3.12-trixie'")]
    found = [(f.line, f.message.rpartition(" ")[2]) for f in check(parse(text), target="missing")]
    assert found == [(1, "'python:3.10-trixie'"), (2, "'python:3.12-trixie'")]


def test_main_keeps_what_the_tag_says(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    path = write("Dockerfile", (
        "FROM python:3.12.12-slim AS runtime\nFROM python:3.10 AS build\nFROM python:3.12.12\n"
        "COPY --from=python:3.11 /usr/local/lib /usr/local/lib\n"
    ))
    assert main([path, "--target", "runtime"]) == 1
    assert [line.rpartition(" ")[2] for line in capsys.readouterr().out.splitlines()] == [
        "'python:3.12.12-slim-trixie'", "'python:3.10-trixie'", "'python:3.12.12-trixie'",
        "'python:3.11-trixie'",
    ]


@pytest.mark.parametrize("image", [
    "python:3.12.3-slim", "python:3.11.1", "python:3.9-slim", "python:3.8-alpine", "python:3.7.17",
    "python:3.12.3-windowsservercore", "python:2.7-slim",
])
def test_tags_that_are_no_longer_rebuilt_do_not_move(image: str) -> None:
    """A superseded patch or an end-of-life minor is not rebuilt: it stays on its OS release."""
    assert [f.code for f in check(parse(f"FROM {image} AS build\nFROM python:3.12-slim-trixie\n"))] == []


def test_unresolved_is_not_also_missing_a_digest() -> None:
    assert [f.code for f in check(parse("ARG B\nFROM $B\n"), require_digest=True)] == ["DPH208"]
    assert [f.code for f in check(parse("FROM $B\n"), require_digest=True)] == ["DPH209"]


def test_main(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    good = write("Dockerfile", f"FROM {PINNED}@{SHA}\n")
    bad = write("app/Containerfile", "FROM python:3.12-slim\r\n")
    assert main([good, "--require-digest"]) == 0
    assert main([good, bad]) == 1
    assert capsys.readouterr().out == (
        "app/Containerfile:1:6: DPH206 base image 'python:3.12-slim' does not name its OS release, so it "
        "moves to the next Debian release; pin it, e.g. 'python:3.12-slim-trixie'\n"
    )
    assert main([bad, "--require-digest"]) == 1
    assert [line.split()[1] for line in capsys.readouterr().out.splitlines()] == ["DPH206", "DPH207"]


def test_suppression(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    text = (
        "# dph: ignore=DPH203 the distroless team publishes no version tags\n"
        "FROM gcr.io/distroless/python3-debian12:nonroot\n"
    )
    assert main([write("Dockerfile", text)]) == 0
    assert capsys.readouterr().out == ""


def test_require_digest_one_arg_several_froms() -> None:
    text = f"ARG BASE={PINNED}\nFROM $BASE AS a\nFROM $BASE\n"
    found = [(f.line, f.col, f.code, f.message) for f in check(parse(text), require_digest=True)]
    assert found == [
        (2, 6, "DPH207", f"base image '$BASE' ('{PINNED}') is not pinned by digest; append '@sha256:<digest>' "
         f"(see 'docker buildx imagetools inspect {PINNED}') (reported once for ARG BASE: the FROM at line 3 "
         "uses it too)"),
    ]


def test_suppression_of_one_arg_several_froms(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    """The finding of an image that is one ARG is at the first FROM naming it, so a suppression
    there silences it for every FROM. A suppression on a later FROM now silences nothing: it is
    reported as unused (DPH903, "remove it") rather than kept quietly, so the reader learns
    that the first FROM's comment is the one that counts."""
    first = "# dph: ignore=DPH203 follows Debian point releases\n"
    later = "# dph: ignore=DPH203 follows Debian point releases\n"
    froms = ("ARG BASE_IMAGE=debian:bookworm-slim\n", "FROM $BASE_IMAGE AS stage1\n", "FROM $BASE_IMAGE\n")
    assert main([write("Dockerfile", froms[0] + first + froms[1] + froms[2])]) == 0
    assert capsys.readouterr().out == ""
    assert main([write("Dockerfile", froms[0] + first + froms[1] + later + froms[2])]) == 1
    assert capsys.readouterr().out == (
        "Dockerfile:4:15: DPH903 suppression of DPH203 matched nothing in the next instruction; remove it\n"
    )
    assert main([write("Dockerfile", froms[0] + froms[1] + later + froms[2])]) == 1
    assert [line.split()[:2] for line in capsys.readouterr().out.splitlines()] == [
        ["Dockerfile:2:6:", "DPH203"], ["Dockerfile:3:15:", "DPH903"],
    ]


# BuildKit's own checks that overlap DPH208 (InvalidDefaultArgInFrom) and DPH209
# (UndefinedArgInFrom): the cases of its lint tests and rule docs, in our words. Where
# BuildKit's case uses a floating tag ('latest', 'stable'), the PASS case pins it: the
# floating tag is DPH202/DPH203's business, not the ARG's.
BUILDKIT_PASS = [
    pytest.param("ARG base=scratch\nFROM $base\nCOPY Dockerfile .\n", id="arg-names-scratch"),
    pytest.param("ARG BUILDPLATFORM=linux/amd64\nFROM --platform=$BUILDPLATFORM scratch\n",
                 id="automatic-arg-redeclared-with-value"),
    pytest.param("FROM --platform=$BUILDPLATFORM scratch\n", id="automatic-platform-arg"),
    pytest.param(f"ARG TARGETARCH\nFROM --platform=linux/${{TARGETARCH}} {PINNED}\n",
                 id="automatic-arg-redeclared-without-value-keeps-it"),
    pytest.param(f"FROM --platform=${{TARGETOS}}/${{TARGETARCH}}${{TARGETVARIANT:+/$TARGETVARIANT}} {PINNED}\n",
                 id="all-automatic-platform-args"),
    pytest.param("ARG DEBUG\nFROM scratch${DEBUG}\n", id="optional-suffix-on-scratch"),
    pytest.param("ARG DEBUG\nFROM scra${DEBUG:-tch}\n", id="default-in-expression-gives-scratch"),
    pytest.param('ARG DEBUG=""\nFROM scratch${DEBUG-@bogus}\n', id="empty-default-is-set"),
    pytest.param('ARG VERSION="1.36.1"\nFROM busybox:${VERSION}\n', id="quoted-default"),
    pytest.param('ARG BUSYBOX_VARIANT=""\nFROM busybox:1.36.1${BUSYBOX_VARIANT}\n', id="empty-suffix"),
    pytest.param("ARG BUSYBOX_VARIANT\nFROM busybox:1.36.1${BUSYBOX_VARIANT}\n",
                 id="optional-suffix-reference-pinned-without-it"),
    pytest.param("ARG PYTHON_VERSION=3.12\nARG SUFFIX\nFROM python:${PYTHON_VERSION}-slim-bookworm${SUFFIX}\n",
                 id="optional-suffix-on-pinned-python"),
    pytest.param("ARG TAG\nFROM alpine:${TAG:-3.20}\n", id="expression-default-for-declared-arg"),
    pytest.param('ARG VARIANT="-alpine3.20"\nFROM node:22.11${VARIANT} AS jsbuilder\n', id="declared-suffix"),
    pytest.param("ARG BASE=nvcr.io/nvidia/tritonserver:24.01-py3\nFROM ${BASE}\n", id="non-python-image-from-arg"),
    pytest.param(f"ARG PY=3.12\nFROM python:${{PY}}-slim-bookworm AS build\nARG NOT_GLOBAL\nFROM {PINNED}\n",
                 id="stage-arg-not-used-in-from"),
]

BUILDKIT_FAIL = [
    pytest.param(
        "ARG VERSION\nFROM busybox:$VERSION\n",
        [(2, 6, "DPH208", "base image 'busybox:$VERSION' is 'busybox:' without --build-arg (ARG VERSION has no "
          "default), not a valid image reference, so the build fails; give it a pinned default, e.g. "
          "'ARG VERSION=<version>'")],
        id="tag-from-arg-without-default",
    ),
    pytest.param(
        'ARG SFX="box:"\nFROM busy${SFX}\n',
        [(2, 6, "DPH208", "base image 'busy${SFX}' is 'busybox:' (from the default of ARG SFX), not a valid image "
          "reference, so the build fails; write 'name[:tag][@digest]' with a lower-case name and a non-empty tag")],
        id="default-gives-empty-tag",
    ),
    pytest.param(
        "FROM busybox:\n",
        [(1, 6, "DPH208", "base image 'busybox:' is not a valid image reference, so the build fails; write "
          "'name[:tag][@digest]' with a lower-case name and a non-empty tag")],
        id="literal-empty-tag",
    ),
    pytest.param(
        "FROM Ubuntu:22.04 AS base\n",
        [(1, 6, "DPH208", "base image 'Ubuntu:22.04' is not a valid image reference, so the build fails; write "
          "'name[:tag][@digest]' with a lower-case name and a non-empty tag")],
        id="upper-case-name",
    ),
    pytest.param(
        'ARG IMG=""\nFROM $IMG\n',
        [(2, 6, "DPH208", "base image '$IMG' comes from ARG IMG, which has an empty default, so a build without "
          "--build-arg has no base image and fails; give it a pinned default, e.g. 'ARG IMG=<image>:<version>'")],
        id="empty-default",
    ),
    pytest.param(
        "ARG VARIANT\nFROM busybox:stable${VARIANT}\n",
        [(2, 6, "DPH208", "base image 'busybox:stable${VARIANT}' is 'busybox:stable' without --build-arg (ARG "
          "VARIANT has no default), which has a floating tag ('stable' names no version); pin it, e.g. "
          "'busybox:<version>' or a digest")],
        id="optional-suffix-on-floating-tag",
    ),
    pytest.param(
        "ARG PY=3.12\nARG VARIANT\nFROM python:${PY}${VARIANT}\n",
        [(3, 6, "DPH208", "base image 'python:${PY}${VARIANT}' is 'python:3.12' without --build-arg (ARG VARIANT "
          "has no default), which does not name its OS release, so it moves to the next Debian release; pin it, "
          "e.g. 'python:3.12-slim-trixie'")],
        id="optional-suffix-on-python-without-release",
    ),
    pytest.param(
        "ARG VARIANT=${templateOption:imageVariant}\nFROM mcr.microsoft.com/devcontainers/python:1-${VARIANT}\n",
        [(2, 6, "DPH208", "base image 'mcr.microsoft.com/devcontainers/python:1-${VARIANT}' comes from ARG "
          "VARIANT, whose default '${templateOption:imageVariant}' cannot be resolved, so the image cannot be "
          "verified; give it a pinned default, e.g. 'ARG VARIANT=<version>'")],
        id="template-placeholder-default",
    ),
    pytest.param(
        "ARG BASE_IMAGE=nvcr.io/nvidia/tritonserver\nARG BASE_IMAGE_TAG\nFROM ${BASE_IMAGE}:${BASE_IMAGE_TAG}\n",
        [(3, 6, "DPH208", "base image '${BASE_IMAGE}:${BASE_IMAGE_TAG}' is 'nvcr.io/nvidia/tritonserver:' "
          "without --build-arg (ARG BASE_IMAGE_TAG has no default), not a valid image reference, so the build "
          "fails; give it a pinned default, e.g. 'ARG BASE_IMAGE_TAG=<version>'")],
        id="non-python-image-gets-no-python-default",
    ),
    pytest.param(
        "ARG PY\nARG TAG=${PY}-slim-bookworm\nFROM python:$TAG\n",
        [(3, 6, "DPH208", "base image 'python:$TAG' is 'python:-slim-bookworm' without --build-arg (ARG PY has "
          "no default), not a valid image reference, so the build fails; give it a pinned default, e.g. "
          "'ARG PY=3.12'")],
        id="default-from-arg-without-default",
    ),
    pytest.param(
        "ARG VARIANT\nFROM python:3.7-${VARIANT}\n",
        [(2, 6, "DPH208", "base image 'python:3.7-${VARIANT}' is 'python:3.7-' without --build-arg (ARG VARIANT "
          "has no default), a tag cut short where the value goes, which no image is likely to publish; give it "
          "a pinned default, e.g. 'ARG VARIANT=slim-bookworm'")],
        id="optional-part-leaves-a-dangling-dash",
    ),
    pytest.param(
        "ARG PY\nFROM python:${PY}-slim-bullseye\n",
        [(2, 6, "DPH208", "base image 'python:${PY}-slim-bullseye' is 'python:-slim-bullseye' without --build-arg "
          "(ARG PY has no default), not a valid image reference, so the build fails; give it a pinned default, "
          "e.g. 'ARG PY=3.12'")],
        id="python-version-default-keeps-the-written-release",
    ),
    pytest.param(
        "FROM --platform=$BULIDPLATFORM scratch\n",
        [(1, 17, "DPH209", "FROM --platform=$BULIDPLATFORM uses $BULIDPLATFORM, which no ARG before the first "
          "FROM declares, so it is empty: the platform is '' and the build fails; did you mean $BUILDPLATFORM?")],
        id="misspelt-automatic-arg",
    ),
    pytest.param(
        f"FROM --platform=$BULIDPLATFORM \\\n    {PINNED} AS build\n",
        [(1, 17, "DPH209", "FROM --platform=$BULIDPLATFORM uses $BULIDPLATFORM, which no ARG before the first "
          "FROM declares, so it is empty: the platform is '' and the build fails; did you mean $BUILDPLATFORM?")],
        id="misspelt-automatic-arg-continuation",
    ),
    pytest.param(
        f"\ufeffarg MY_ARCH=amd64\r\nfrom --platform=\"linux/${{MYARCH}}\" {PINNED} as build\r\n",
        [(2, 24, "DPH209", "FROM --platform=linux/${MYARCH} uses $MYARCH, which no ARG before the first FROM "
          "declares, so it is empty: the platform is 'linux/' and the build fails; did you mean $MY_ARCH?")],
        id="bom-crlf-lowercase-quoted-platform",
    ),
    pytest.param(
        "ARG SFX\nFROM python${SFX}\n",
        [(2, 6, "DPH208", "base image 'python${SFX}' is 'python' without --build-arg (ARG SFX has no default), "
          "which has no tag; pin it, e.g. 'python:3.12-slim-trixie'")],
        id="optional-suffix-on-untagged-python",
    ),
    pytest.param(
        "ARG MY_OS=linux\nARG MY_ARCH=amd64\nFROM --platform=linux/${MYARCH} busybox:1.36.1\n",
        [(3, 23, "DPH209", "FROM --platform=linux/${MYARCH} uses $MYARCH, which no ARG before the first FROM "
          "declares, so it is empty: the platform is 'linux/' and the build fails; did you mean $MY_ARCH?")],
        id="misspelt-declared-arg",
    ),
    pytest.param(
        "FROM --platform=${MYARCH} busybox:1.36.1\n",
        [(1, 17, "DPH209", "FROM --platform=${MYARCH} uses $MYARCH, which no ARG before the first FROM declares, "
          "so it is empty: the platform is '' and the build fails; declare it before the first FROM, e.g. "
          "'ARG MYARCH=<value>'")],
        id="undeclared-platform-arg",
    ),
    pytest.param(
        "ARG tag=1.36.1\nFROM busybox:${tag}${version} AS b\n",
        [(2, 20, "DPH209", "base image 'busybox:${tag}${version}' uses $version, which no ARG before the first "
          "FROM declares, so --build-arg cannot set it; declare it before the first FROM, e.g. "
          "'ARG version=<version>'")],
        id="undeclared-suffix",
    ),
    pytest.param(
        "FROM python:${PYTHON_VERSION:-3.12}-slim-bookworm\n",
        [(1, 13, "DPH209", "base image 'python:${PYTHON_VERSION:-3.12}-slim-bookworm' uses $PYTHON_VERSION, which "
          "no ARG before the first FROM declares, so --build-arg cannot set it; declare it before the first "
          "FROM, e.g. 'ARG PYTHON_VERSION=3.12'")],
        id="undeclared-with-expression-default",
    ),
    pytest.param(
        "FROM node:22${VARIANT} AS jsbuilder\n",
        [
            (1, 6, "DPH203", "base image 'node:22${VARIANT}' ('node:22') has a floating tag ('22' is a major "
             "version only); pin it, e.g. 'node:22.<minor>' or a digest"),
            (1, 13, "DPH209", "base image 'node:22${VARIANT}' uses $VARIANT, which no ARG before the first FROM "
             "declares, so --build-arg cannot set it; declare it before the first FROM, e.g. "
             "'ARG VARIANT=<version>'"),
        ],
        id="undeclared-suffix-on-floating-tag",
    ),
    pytest.param(
        "ARG PY=3.12\nFROM python:${PY}-slim-bookworm AS build\nARG STAGE_TAG=1.0\nFROM app:${STAGE_TAG}\n",
        [(4, 10, "DPH209", "base image 'app:${STAGE_TAG}' uses $STAGE_TAG, which no ARG before the first FROM "
          "declares, so it is empty: the image is 'app:' and the build fails; declare it before the first FROM, "
          "e.g. 'ARG STAGE_TAG=<version>'")],
        id="stage-arg-is-not-in-scope-of-from",
    ),
]


@pytest.mark.parametrize("text", BUILDKIT_PASS)
def test_buildkit_pass(text: str) -> None:
    assert check(parse(text)) == []


@pytest.mark.parametrize(("text", "expected"), BUILDKIT_FAIL)
def test_buildkit_fail(text: str, expected: list[tuple[int, int, str, str]]) -> None:
    found = [(f.line, f.col, f.code, f.message) for f in check(parse(text))]
    assert found == expected


def test_dev_container_keeps_its_full_image_in_the_advice() -> None:
    """DPH204 lets a dev container use the full image: the pin advice does not make it slim."""
    found = check(parse("FROM python:3.12\n", ".devcontainer/Dockerfile"))
    assert [f.message.rpartition(" ")[2] for f in found] == ["'python:3.12-trixie'"]
    found = check(parse("FROM python:3.12\n", "Dockerfile"))
    assert [f.message.rpartition(" ")[2] for f in found] == ["'python:3.12-slim-trixie'"]


def test_a_stage_chosen_by_the_platform_is_not_an_image() -> None:
    stages = "FROM python:3.12.8-slim-bookworm AS base\nFROM base AS tools-amd64\nFROM base AS tools-arm64\n"
    assert check(parse(stages + "FROM tools-$TARGETARCH AS deps\n")) == []
    assert [f.code for f in check(parse(stages + "FROM tools-${TARGETARCH}\n"))] == []
    assert [f.code for f in check(parse(stages + "FROM ghcr.io/org/tools-$TARGETARCH:1.0\n"))] == ["DPH208"]
    assert [f.code for f in check(parse(stages + "FROM other-$TARGETARCH\n"))] == ["DPH208"]
