from __future__ import annotations

import pytest

from hooks._dockerfile import parse
from hooks.check_multi_stage import check, main
from tests.conftest import Writer

SLIM = "FROM python:3.12-slim-bookworm\n"
TAIL = (
    "is installed in the shipped image and not removed in the same RUN; "
    "build wheels in a builder stage and copy them over"
)


LIBPQ = "its runtime library ('libpq5')"
LIBXML2 = "its runtime library ('libxml2')"


def _msg(shown: str, kind: str = "a compiler toolchain", runtime: str = "") -> str:
    """The message; ``runtime``: the runtime library the advice names for build headers."""
    return f"{shown} ({kind}) {TAIL}" + (f"; the shipped image needs only {runtime}" if runtime else "")


PASS = [
    pytest.param(
        "FROM python:3.12-slim-bookworm AS builder\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends build-essential libpq-dev\n"
        "RUN pip wheel --no-cache-dir -w /wheels -r requirements.txt\n"
        "FROM python:3.12-slim-bookworm\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*\n"
        "COPY --from=builder /wheels /wheels\nRUN pip install --no-cache-dir /wheels/*\n",
        id="builder-with-toolchain",
    ),
    pytest.param(
        "FROM python:3.12-alpine AS build\nRUN apk add --no-cache build-base musl-dev libffi-dev cargo\n"
        "FROM python:3.12-alpine\nCOPY --from=build /venv /venv\n",
        id="alpine-builder",
    ),
    pytest.param(
        SLIM + "RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev \\\n"
        "    && pip install --no-cache-dir psycopg2==2.9.9 \\\n"
        "    && apt-get purge -y --auto-remove gcc libpq-dev && rm -rf /var/lib/apt/lists/*\n",
        id="purge-auto-remove-same-run",
    ),
    pytest.param(
        SLIM + "RUN apt-get update && apt-get install -y --no-install-recommends gcc-12 python3.11-dev "
        "&& pip install --no-cache-dir x==1 && apt-get remove -y 'gcc*' 'python3*-dev' "
        "&& rm -rf /var/lib/apt/lists/*\n",
        id="remove-globs",
    ),
    pytest.param(
        "FROM python:3.12-alpine\nRUN apk add --no-cache --virtual .build-deps gcc musl-dev libffi-dev \\\n"
        "    && pip install --no-cache-dir cffi==1.16.0 \\\n    && apk del --no-network .build-deps\n",
        id="apk-virtual-group",
    ),
    pytest.param(
        "FROM python:3.12-alpine\nRUN apk add --no-cache -t .deps gcc && pip install x==1 && apk del gcc\n",
        id="apk-del-package",
    ),
    pytest.param(
        SLIM + "RUN set -eux; \\\n    savedAptMark=\"$(apt-mark showmanual)\"; \\\n"
        "    apt-get update; \\\n    apt-get install -y --no-install-recommends gcc libc6-dev libffi-dev; \\\n"
        "    pip install --no-cache-dir cffi==1.16.0; \\\n    apt-mark auto '.*' > /dev/null; \\\n"
        "    [ -z \"$savedAptMark\" ] || apt-mark manual $savedAptMark > /dev/null; \\\n"
        "    apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false; \\\n"
        "    rm -rf /var/lib/apt/lists/*\n",
        id="official-image-apt-mark-pattern",
    ),
    pytest.param(
        SLIM + "ENV BUILD_DEPS=\"gcc libpq-dev\"\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends $BUILD_DEPS "
        "&& pip install --no-cache-dir psycopg2==2.9.9 && apt-get purge -y ${BUILD_DEPS}\n",
        id="env-package-list",
    ),
    pytest.param(
        SLIM + "RUN buildDeps='gcc libc6-dev' && apt-get update && apt-get install -y $buildDeps "
        "&& pip install x==1 && apt-get purge -y --auto-remove $buildDeps\n",
        id="shell-variable-unknown-not-judged",
    ),
    pytest.param(
        SLIM + "RUN apt-get update && apt-get install -y --no-install-recommends gcc "
        "&& pip install x==1 && apt-get purge -y $(cat /tmp/build-deps)\n",
        id="unreadable-removal-trusted",
    ),
    pytest.param(
        "FROM registry.access.redhat.com/ubi9/python-312\nRUN dnf install -y gcc python3-devel "
        "&& pip install x==1 && dnf remove -y gcc python3-devel && dnf clean all\n",
        id="dnf-remove",
    ),
    pytest.param(
        SLIM + "RUN apt-get update && apt-get install -y --no-install-recommends git libpq5 "
        "gcc-12-base libgcc-s1 libltdl7 libmake-dev-tools-doc-x udev && rm -rf /var/lib/apt/lists/*\n",
        id="not-build-tools",
    ),
    pytest.param(
        SLIM + "RUN apt-get update && apt-get install -y --no-install-recommends make=4.3-4.1 "
        "&& rm -rf /var/lib/apt/lists/*\nWORKDIR /app\nCOPY . .\nENTRYPOINT [\"make\"]\nCMD [\"serve\"]\n",
        id="make-as-the-task-runner",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm AS builder\n"
        "RUN apt-get update && apt-get install -y cmake autoconf automake libtool pkg-config\n"
        "ONBUILD RUN apt-get install -y gcc\n"
        "FROM python:3.12-slim-bookworm\nCOPY --from=builder /opt/app /opt/app\n",
        id="build-systems-and-triggers-in-a-builder",
    ),
    pytest.param(
        SLIM + "RUN <<EOF\nset -e\napt-get update\napt-get install -y --no-install-recommends gcc\n"
        "pip install --no-cache-dir x==1\napt-get purge -y --auto-remove gcc\nrm -rf /var/lib/apt/lists/*\nEOF\n",
        id="heredoc-install-and-purge",
    ),
    pytest.param(
        SLIM + "RUN cat <<EOF > /tmp/notes\napt-get install -y gcc\nEOF\n",
        id="heredoc-data",
    ),
    pytest.param(
        "# escape=`\r\nFROM python:3.12-slim-bookworm\r\nRUN apt-get update `\r\n"
        "  && apt-get install -y --no-install-recommends libpq5\r\n",
        id="escape-crlf",
    ),
]

FAIL = [
    pytest.param(
        SLIM + "RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev libpq5 "
        "&& rm -rf /var/lib/apt/lists/*\n",
        [(2, 66, "DPH303", _msg("'gcc'")), (2, 70, "DPH303", _msg("'libpq-dev'", "build headers", LIBPQ))],
        id="gcc-and-headers",
    ),
    pytest.param(
        SLIM + "RUN apt-get update && apt-get install -y --no-install-recommends gcc\n"
        "RUN pip install --no-cache-dir x==1\nRUN apt-get purge -y gcc\n",
        [(2, 66, "DPH303", _msg("'gcc'"))],
        id="removed-in-a-later-run",
    ),
    pytest.param(
        SLIM + "RUN apt-get purge -y gcc; apt-get install -y build-essential=12.9\n",
        [(2, 46, "DPH303", _msg("'build-essential=12.9'"))],
        id="removal-before-install",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm AS base\n"
        "RUN apt-get update && apt-get install -y python3-dev\n"
        "FROM base AS builder\nRUN pip wheel -w /w .\nFROM base\nCOPY --from=builder /w /w\n",
        [(2, 42, "DPH303", "'python3-dev' (build headers) is installed in the shipped image and not removed in "
                           "the same RUN; stage 'builder', which builds, is built FROM this one: install it in "
                           "'builder' instead, so that the shipped stages do not inherit it")],
        id="parent-of-final-ships",
    ),
    pytest.param(
        "FROM python:3.12-alpine\nRUN apk add --no-cache --virtual .build-deps gcc musl-dev "
        "&& pip install x==1 && apk del .other\n",
        [(2, 46, "DPH303", _msg("'gcc'")), (2, 50, "DPH303", _msg("'musl-dev'"))],
        id="apk-wrong-group-removed",
    ),
    pytest.param(
        "FROM rockylinux:9\nRUN dnf -y groupinstall 'Development Tools' && microdnf install -y rust cargo\n",
        [(2, 25, "DPH303", _msg("'Development Tools'")),
         (2, 68, "DPH303", _msg("'rust'")), (2, 73, "DPH303", _msg("'cargo'"))],
        id="rpm-group-and-rust",
    ),
    pytest.param(
        SLIM + "ARG BUILD_DEPS=\"g++ libxml2-dev\"\nRUN apt-get install -y ${BUILD_DEPS}\n",
        [(3, 24, "DPH303", _msg("'g++' (from ${BUILD_DEPS})")),
         (3, 24, "DPH303", _msg("'libxml2-dev' (from ${BUILD_DEPS})", "build headers", LIBXML2))],
        id="arg-package-list",
    ),
    pytest.param(
        SLIM + "RUN <<EOF\nset -e\napt-get update\n  apt-get install -y \\\n    clang-15\nEOF\n",
        [(6, 5, "DPH303", _msg("'clang-15'"))],
        id="heredoc-position",
    ),
    pytest.param(
        SLIM + 'RUN ["sh", "-c", "apt-get install -y gcc"]\n',
        [(2, 38, "DPH303", _msg("'gcc'"))],
        id="exec-form-position",
    ),
    pytest.param(
        SLIM + "RUN apt-get install -y gcc && apt-get autoremove -y\n",
        [(2, 24, "DPH303", _msg("'gcc'"))],
        id="autoremove-keeps-manual-packages",
    ),
    pytest.param(
        SLIM + "RUN apt-get update && apt-get install -y --no-install-recommends make cmake autoconf \\\n"
        "    automake libtool pkg-config libpq5 && rm -rf /var/lib/apt/lists/*\n",
        [(2, 66, "DPH303", _msg("'make'", "a build system")),
         (2, 71, "DPH303", _msg("'cmake'", "a build system")),
         (2, 77, "DPH303", _msg("'autoconf'", "a build system")),
         (3, 5, "DPH303", _msg("'automake'", "a build system")),
         (3, 14, "DPH303", _msg("'libtool'", "a build system")),
         (3, 22, "DPH303", _msg("'pkg-config'", "a build system"))],
        id="build-systems-in-the-final-stage",
    ),
    pytest.param(
        "FROM python:3.12-alpine\nRUN apk add --no-cache make pkgconf libltdl\nCMD [\"python3\", \"app.py\"]\n",
        [(2, 24, "DPH303", _msg("'make'", "a build system")),
         (2, 29, "DPH303", _msg("'pkgconf'", "a build system"))],
        id="build-systems-alpine-not-run-by-cmd",
    ),
    pytest.param(
        SLIM + "ONBUILD RUN apt-get install -y gcc\n",
        [(2, 32, "DPH303", "'gcc' (a compiler toolchain) is installed by this ONBUILD trigger into every image "
          "built FROM this one and not removed in the same RUN; build wheels in a builder stage and copy them over")],
        id="onbuild-trigger",
    ),
    pytest.param(
        # open-webui: the same packages in both branches of an if: one finding per package.
        SLIM + 'RUN if [ "$USE_CUDA" = "true" ]; then \\\n'
        "        apt-get install -y --no-install-recommends git build-essential pandoc python3-dev; \\\n"
        "    else \\\n"
        "        apt-get install -y --no-install-recommends git build-essential pandoc curl jq python3-dev; \\\n"
        "    fi\n",
        [(3, 56, "DPH303", _msg("'build-essential'")),
         (3, 79, "DPH303", _msg("'python3-dev'", "build headers"))],
        id="same-package-in-both-branches-reported-once",
    ),
    pytest.param(
        SLIM + "RUN apt-get install -y gcc=4:12.2.0-3 && apt-get install -y gcc libpq-dev\n",
        [(2, 24, "DPH303", _msg("'gcc=4:12.2.0-3'")), (2, 65, "DPH303", _msg("'libpq-dev'", "build headers", LIBPQ))],
        id="same-package-spelt-with-a-version-reported-once",
    ),
    pytest.param(
        SLIM + "RUN apt-get install -y gcc && apt-get purge -y gcc && apt-get install -y gcc\n",
        [(2, 74, "DPH303", _msg("'gcc'"))],
        id="first-install-removed-the-kept-one-reported",
    ),
    pytest.param(
        SLIM + "RUN apt-get install -y gcc\nRUN apt-get install -y gcc\n",
        [(2, 24, "DPH303", _msg("'gcc'")), (3, 24, "DPH303", _msg("'gcc'"))],
        id="same-package-in-two-runs-reported-in-each",
    ),
]


@pytest.mark.parametrize("text", PASS)
def test_pass(text: str) -> None:
    assert check(parse(text)) == []


@pytest.mark.parametrize(("text", "expected"), FAIL)
def test_fail(text: str, expected: list[tuple[int, int, str, str]]) -> None:
    found = [(f.line, f.col, f.code, f.message) for f in check(parse(text))]
    assert found == expected


def test_target() -> None:
    text = (
        "FROM python:3.12-slim-bookworm AS builder\nRUN apt-get install -y gcc\n"
        "FROM python:3.12-slim-bookworm\nUSER app\n"
    )
    assert check(parse(text)) == []
    assert [(f.line, f.code) for f in check(parse(text), target="builder")] == [(2, "DPH303")]
    assert [f.code for f in check(parse(text), target="nope")] == ["DPH905"]
    dev = "FROM python:3.12-slim-bookworm AS prod\nUSER app\nFROM prod AS dev\nRUN apt-get install -y gcc\n"
    assert check(parse(dev), target="prod") == []
    assert check(parse(dev)) == []  # a last 'dev' stage is not shipped: 'prod' is
    assert [(f.line, f.code) for f in check(parse(dev), target="dev")] == [(4, "DPH303")]


def test_main(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    good = write("Dockerfile", SLIM + "RUN apt-get install -y --no-install-recommends libpq5\n")
    bad = write("services/api/Dockerfile.prod", SLIM + "RUN apk add gcc\n")
    assert main([good]) == 0
    assert main([good, bad]) == 1
    assert capsys.readouterr().out == f"services/api/Dockerfile.prod:2:13: DPH303 {_msg(repr('gcc'))}\n"


def test_suppression(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    path = write("Dockerfile", SLIM + "# dph: ignore=DPH303 the app compiles plugins at run time\n"
                 "RUN apt-get install -y --no-install-recommends gcc\n")
    assert main([path]) == 0
    assert capsys.readouterr().out == ""


def test_dev_container_keeps_its_compilers(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    text = (
        "FROM python:3.12-slim-bookworm\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends build-essential git "
        "&& rm -rf /var/lib/apt/lists/*\n"
    )
    assert check(parse(text, ".devcontainer/Dockerfile")) == []
    assert [f.code for f in check(parse(text, "Dockerfile"))] == ["DPH303"]
    assert main([write(".devcontainer/Dockerfile", text)]) == 0
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(("text", "advice"), [
    pytest.param(
        "FROM python:3.12-slim-bookworm AS build\nRUN apt-get update && apt-get install -y gcc libpq-dev\n"
        "RUN pip wheel --no-cache-dir -w /wheels -r requirements.txt\n"
        "FROM python:3.12-slim-bookworm\nRUN apt-get update && apt-get install -y libpq-dev libmagic-dev\n"
        "COPY --from=build /wheels /wheels\nRUN pip install --no-cache-dir --no-index --find-links /wheels -r r.txt\n",
        ["the build already happens in stage 'build': install its runtime library ('libpq5') here instead of the "
         "headers, if the image needs it at run time",
         "the build already happens in stage 'build': install the runtime library that 'libmagic-dev' depends on "
         "here instead of the headers, if the image needs it at run time"],
        id="wheels-built-in-a-builder-already",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm AS build\nRUN pip wheel --no-cache-dir -w /wheels -r requirements.txt\n"
        "FROM python:3.12-slim-bookworm\nRUN apt-get update && apt-get install -y libpq-dev\n"
        "COPY --from=build /wheels /wheels\nRUN pip install --no-cache-dir psycopg2==2.9.10\n",
        ["build wheels in a builder stage and copy them over; the shipped image needs only its runtime library "
         "('libpq5')"],
        id="the-shipped-stage-still-installs-from-an-index",
    ),
])
def test_advice_for_headers_kept_for_their_library(text: str, advice: list[str]) -> None:
    assert [f.message.split("; ", 1)[1] for f in check(parse(text))] == advice


def test_package_list_in_a_variable_of_the_script() -> None:
    text = (
        "FROM registry.access.redhat.com/ubi9/ubi-minimal:9.4\n"
        'RUN INSTALL_PKGS="python3.12 gcc libffi-devel" && \\\n'
        "    microdnf install -y $INSTALL_PKGS && microdnf clean all\n"
    )
    assert [(f.line, f.message.split(" (", 1)[0]) for f in check(parse(text))] == [
        (3, "'gcc'"), (3, "'libffi-devel'"),
    ]
    removed = text.replace("microdnf clean all", "microdnf remove -y $INSTALL_PKGS")
    assert check(parse(removed)) == []


def test_advice_when_the_builder_is_built_from_the_installing_stage() -> None:
    text = (
        "FROM python:3.12-slim-bookworm AS base\nRUN apt-get update && apt-get install -y libpq-dev gcc\n"
        "FROM base AS builder\nRUN pip wheel --no-cache-dir -w /wheels -r requirements.txt\n"
        "FROM base\nCOPY --from=builder /wheels /wheels\nRUN pip install --no-cache-dir --no-index /wheels/*\n"
    )
    assert [f.message.split("; ", 1)[1] for f in check(parse(text))] == [
        "stage 'builder', which builds, is built FROM this one: install it in 'builder' instead and keep only "
        "its runtime library ('libpq5') here, so that the shipped stages do not inherit it",
        "stage 'builder', which builds, is built FROM this one: install it in 'builder' instead, so that the "
        "shipped stages do not inherit it",
    ]
