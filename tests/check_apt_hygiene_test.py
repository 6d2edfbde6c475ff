from __future__ import annotations

import pytest

from hooks._dockerfile import parse
from hooks.check_apt_hygiene import check, main
from tests.conftest import Writer

SLIM = "FROM python:3.12-slim-bookworm\n"
CLEAN = "rm -rf /var/lib/apt/lists/*"

PASS = [
    pytest.param(
        SLIM + f"RUN apt-get update && apt-get install -y --no-install-recommends libpq5 && {CLEAN}\n",
        id="canonical",
    ),
    pytest.param(
        SLIM + "RUN apt-get update \\\n    && apt-get -y install -qq --no-install-recommends curl \\\n"
        "    && apt-get clean \\\n    && rm -rf /var/lib/apt/lists/*\n",
        id="options-before-verb-and-clean",
    ),
    pytest.param(
        SLIM + "RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y "
        f"--no-install-recommends tzdata && {CLEAN}\n",
        id="debian-frontend-prefix",
    ),
    pytest.param(
        SLIM + "ENV DEBIAN_FRONTEND=noninteractive\nRUN set -eux; apt-get update; "
        "apt-get install -y --no-install-recommends libpq5; rm -rf /var/lib/apt/lists/*\n",
        id="set-eux-semicolons",
    ),
    pytest.param(
        SLIM + "RUN apt update && apt install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists\n",
        id="apt-and-lists-dir",
    ),
    pytest.param(
        SLIM + "RUN apt-get update && apt-get install -y -o APT::Install-Recommends=false libpq5 "
        "&& rm -rf /var/lib/apt/lists/*\n"
        "RUN apt-get update && apt-get install -y -o 'APT::Install-Recommends=0' libpq5 && rm -rf /var/lib/apt/*\n"
        "RUN apt-get update && apt-get install -y --install-recommends=no libpq5 "
        "&& find /var/lib/apt/lists -type f -delete\n",
        id="recommends-off-flag-forms",
    ),
    pytest.param(
        SLIM + "RUN echo 'APT::Install-Recommends \"0\";' > /etc/apt/apt.conf.d/01norecommends\n"
        "RUN apt-get update && apt-get install -y libpq5 && rm -rf /var/lib/apt/lists/*\n",
        id="recommends-off-in-config",
    ),
    pytest.param(
        "FROM debian:bookworm-slim AS base\n"
        "COPY <<EOF /etc/apt/apt.conf.d/99-no-recommends\nAPT::Install-Recommends \"false\";\nEOF\n"
        "FROM base\nRUN apt-get update && apt-get install -y libpq5 && rm -rf /var/lib/apt/lists/*\n",
        id="recommends-off-config-inherited-from-parent-stage",
    ),
    pytest.param(
        "# syntax=docker/dockerfile:1\n" + SLIM
        + "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n"
        "    --mount=type=cache,target=/var/lib/apt,sharing=locked \\\n"
        "    apt-get update && apt-get install -y --no-install-recommends libpq5\n",
        id="cache-mounts",
    ),
    pytest.param(
        SLIM + "RUN --mount=type=tmpfs,dst=/var/lib/apt/lists/ apt-get update "
        "&& apt-get install -y --no-install-recommends libpq5\n",
        id="tmpfs-mount-on-lists",
    ),
    pytest.param(
        SLIM + "RUN <<EOF\nset -e\napt-get update\napt-get install -y --no-install-recommends libpq5\n"
        "rm -rf /var/lib/apt/lists/*\nEOF\n",
        id="heredoc",
    ),
    pytest.param(
        SLIM + "RUN <<-EOT bash\n\tset -euo pipefail\n\tapt-get update\n"
        "\tapt-get install -y --no-install-recommends libpq5\n\trm -rf /var/lib/apt/lists/*\n\tEOT\n",
        id="chomped-heredoc-into-bash",
    ),
    pytest.param(
        SLIM + "RUN python3 <<EOF\nimport subprocess\n# apt-get update\nEOF\n",
        id="python-heredoc-is-not-shell",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm AS builder\n"
        "RUN apt-get update && apt-get install -y build-essential libpq-dev\n"
        "RUN pip wheel --no-cache-dir -w /wheels psycopg2==2.9.9\n"
        "FROM python:3.12-slim-bookworm\nCOPY --from=builder /wheels /wheels\n",
        id="builder-stage-size-not-judged",
    ),
    pytest.param(
        SLIM + "RUN apt-get install -y --no-install-recommends ./local.deb\n",
        id="install-only-without-update",
    ),
    pytest.param(
        SLIM + "RUN apt-get update && apt-get install -y --no-install-recommends gcc "
        "&& pip install --no-cache-dir psycopg2==2.9.9 "
        "&& apt-get purge -y --auto-remove gcc && rm -rf /var/lib/apt/lists/*\n",
        id="install-then-purge",
    ),
    pytest.param(
        SLIM + 'RUN ["/bin/bash", "-c", "apt-get update && apt-get install -y --no-install-recommends '
        'libpq5 && rm -rf /var/lib/apt/lists/*"]\n',
        id="exec-form-bash-c",
    ),
    pytest.param(
        "FROM ubuntu:24.04\nRUN apt-get update && apt-get install -y --no-install-recommends "
        "software-properties-common && add-apt-repository -y ppa:deadsnakes/ppa "
        "&& apt-get install -y --no-install-recommends python3.12 && rm -rf /var/lib/apt/lists/*\n",
        id="add-apt-repository-then-install",
    ),
    pytest.param(
        SLIM + "RUN apt-get update && apt-get install -y --no-install-recommends libpq5 "
        "&& apt-get distclean\n",
        id="apt-distclean",
    ),
    pytest.param(
        "# escape=`\r\nFROM python:3.12-slim-bookworm\r\nRUN apt-get update `\r\n"
        "  && apt-get install -y --no-install-recommends libpq5 `\r\n  && rm -rf /var/lib/apt/lists/*\r\n",
        id="escape-backtick-crlf",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm AS builder\n"
        "ONBUILD RUN apt-get update && apt-get install -y gcc\n"
        "FROM python:3.12-slim-bookworm\n"
        "ONBUILD RUN apt-get update && apt-get install -y --no-install-recommends libpq5 "
        "&& rm -rf /var/lib/apt/lists/*\n",
        id="onbuild-triggers-clean-or-in-a-builder",
    ),
    pytest.param(
        "FROM alpine:3.20\nRUN apk add --no-cache libpq\n",
        id="not-apt",
    ),
    pytest.param(
        SLIM + "RUN sudo apt-get update && sudo apt-get install -y --no-install-recommends git "
        "&& sudo rm -rf /var/lib/apt/lists/*\n",
        id="sudo",
    ),
    pytest.param(
        SLIM + "COPY packages.txt /tmp/\nRUN apt-get update && xargs -a /tmp/packages.txt apt-get install -y "
        "--no-install-recommends && rm -rf /var/lib/apt/lists/* /tmp/packages.txt\n",
        id="xargs-arg-file",
    ),
    pytest.param(
        SLIM + "RUN aptitude update && aptitude install -y -R git && rm -rf /var/lib/apt/lists/*\n",
        id="aptitude-without-recommends",
    ),
    pytest.param(
        "FROM mcr.microsoft.com/devcontainers/base:bookworm\n"
        "COPY library-scripts/*.sh /tmp/library-scripts/\n"
        "RUN apt-get update && export DEBIAN_FRONTEND=noninteractive \\\n"
        "    && /bin/bash /tmp/library-scripts/common-debian.sh \"true\" \"vscode\" \\\n"
        "    && apt-get clean -y && rm -rf /var/lib/apt/lists/* /tmp/library-scripts\n",
        id="update-then-devcontainer-script",
    ),
    pytest.param(
        SLIM + "RUN apt-get update && ./scripts/install-system-deps.sh\n"
        "RUN apt-get update && . /opt/setup/functions.sh\n"
        "RUN apt-get update && curl -fsSL https://deb.nodesource.com/setup_20.x | bash -\n"
        "RUN apt-get update && install_packages libpq5\n"
        "RUN apt-get update && docker-php-ext-install pdo_pgsql\n",
        id="update-then-scripts-we-cannot-read",
    ),
    pytest.param(
        SLIM + "ARG EXTRA_INSTALL=\"\"\n"
        "RUN apt-get update && sh -c \"$EXTRA_INSTALL\"\n"
        "RUN apt-get update && eval \"$(cat /tmp/install-commands)\"\n"
        "RUN apt-get update && $PKG_INSTALL libpq5\n",
        id="update-then-variable-or-eval",
    ),
    pytest.param(
        SLIM + "RUN add_deps() { apt-get install -y --no-install-recommends \"$@\"; } \\\n"
        "    && apt-get update && add_deps libpq5 curl && rm -rf /var/lib/apt/lists/*\n",
        id="update-then-shell-function",
    ),
    pytest.param(
        SLIM + "COPY packages.txt /tmp/\n"
        "RUN apt-get update && xargs -a /tmp/packages.txt apt-get install -y --no-install-recommends "
        f"&& {CLEAN}\n"
        "RUN apt-get update && grep -v '^#' /tmp/packages.txt | xargs -r apt-get install -y "
        f"--no-install-recommends && {CLEAN}\n",
        id="install-through-xargs",
    ),
    pytest.param(
        SLIM + "RUN apt-get update && apt-get install -y --no-install-recommends libpq5 "
        "&& apt-get clean && rm /var/lib/apt/lists/*_*\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -r /var/lib/apt/lists\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends git && rm -fr /var/lib/apt/lists/*_*\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends jq "
        "&& find /var/lib/apt/lists/ -mindepth 1 -exec rm -rf {} +\n",
        id="lists-removed-in-other-spellings",
    ),
    pytest.param(
        SLIM + "RUN pip install --no-cache-dir playwright==1.44.0 && apt-get update "
        "&& playwright install --with-deps chromium && rm -rf /var/lib/apt/lists/*\n"
        "RUN apt-get update && rosdep install --from-paths src --ignore-src -y && rm -rf /var/lib/apt/lists/*\n"
        "RUN nala update && nala install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*\n",
        id="tools-that-call-apt-themselves",
    ),
    pytest.param(
        SLIM + "RUN apt-get update && apt-get install -y --no-install-recommends libpq5 "
        "&& apt-get clean autoclean && apt-get autoremove --yes && rm -rf /var/lib/{apt,dpkg,cache,log}/\n"
        "RUN apt-get update && make system-deps && rm -rf /var/lib/apt/lists/*\n",
        id="brace-expanded-removal-and-make-target",
    ),
]

FAIL = [
    pytest.param(
        SLIM + f"RUN apt-get update && apt-get install -y libpq5 && {CLEAN}\n",
        [(2, 23, "DPH503", "'apt-get install' without --no-install-recommends also installs "
          "recommended packages; add --no-install-recommends")],
        id="no-install-recommends-missing",
    ),
    pytest.param(
        SLIM + "RUN apt-get update && apt-get install -y --no-install-recommends libpq5 && apt-get clean\n",
        [(2, 5, "DPH504", "the package lists from 'apt-get update' stay in this layer; end the RUN with "
          "'rm -rf /var/lib/apt/lists/*' (or use a cache mount on /var/lib/apt)")],
        id="clean-does-not-remove-lists",
    ),
    pytest.param(
        SLIM + "RUN --mount=type=cache,target=/var/cache/apt apt-get update "
        "&& apt-get install -y --no-install-recommends libpq5\n",
        [(2, 46, "DPH504", "the package lists from 'apt-get update' stay in this layer; end the RUN with "
          "'rm -rf /var/lib/apt/lists/*' (or use a cache mount on /var/lib/apt)")],
        id="cache-mount-on-archives-only",
    ),
    pytest.param(
        SLIM + "RUN rm -rf /var/lib/apt/lists/* && apt-get update "
        "&& apt-get install -y --no-install-recommends libpq5\n",
        [(2, 36, "DPH504", "the package lists from 'apt-get update' stay in this layer; end the RUN with "
          "'rm -rf /var/lib/apt/lists/*' (or use a cache mount on /var/lib/apt)")],
        id="lists-removed-before-update",
    ),
    pytest.param(
        SLIM + "RUN apt-get update\nRUN apt-get install -y --no-install-recommends libpq5 && " + CLEAN + "\n",
        [(2, 5, "DPH505", "'apt-get update' in a RUN that installs nothing after it: the cached layer "
          "keeps stale package lists; update and install in the same RUN")],
        id="update-alone",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm AS builder\nRUN apt update\n"
        "RUN apt install -y build-essential\nFROM python:3.12-slim-bookworm\n",
        [(2, 5, "DPH505", "'apt update' in a RUN that installs nothing after it: the cached layer "
          "keeps stale package lists; update and install in the same RUN")],
        id="update-alone-judged-in-builder-too",
    ),
    pytest.param(
        SLIM + "RUN <<EOF\nset -e\napt-get update\n  apt-get install -y libpq5\nEOF\n",
        [(4, 1, "DPH504", "the package lists from 'apt-get update' stay in this layer; end the RUN with "
          "'rm -rf /var/lib/apt/lists/*' (or use a cache mount on /var/lib/apt)"),
         (5, 3, "DPH503", "'apt-get install' without --no-install-recommends also installs "
          "recommended packages; add --no-install-recommends")],
        id="heredoc-positions",
    ),
    pytest.param(
        SLIM + "RUN <<-EOF\n\t\tapt-get update\n\tEOF\n",
        [(3, 3, "DPH505", "'apt-get update' in a RUN that installs nothing after it: the cached layer "
          "keeps stale package lists; update and install in the same RUN")],
        id="chomped-heredoc-column",
    ),
    pytest.param(
        SLIM + 'RUN ["sh", "-c", "apt-get update && apt-get install -y libpq5"]\n',
        [(2, 19, "DPH504", "the package lists from 'apt-get update' stay in this layer; end the RUN with "
          "'rm -rf /var/lib/apt/lists/*' (or use a cache mount on /var/lib/apt)"),
         (2, 37, "DPH503", "'apt-get install' without --no-install-recommends also installs "
          "recommended packages; add --no-install-recommends")],
        id="exec-form-positions",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm AS base\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends libpq5\n"
        "FROM python:3.12-slim-bookworm AS builder\nRUN apt-get update && apt-get install -y gcc\n"
        "FROM base AS final\n",
        [(2, 5, "DPH504", "the package lists from 'apt-get update' stay in this layer; end the RUN with "
          "'rm -rf /var/lib/apt/lists/*' (or use a cache mount on /var/lib/apt)")],
        id="parent-of-final-stage-ships",
    ),
    pytest.param(
        "FROM ubuntu:24.04\nRUN add-apt-repository -y ppa:deadsnakes/ppa\n",
        [(2, 5, "DPH505", "'add-apt-repository' in a RUN that installs nothing after it: the cached layer "
          "keeps stale package lists; update and install in the same RUN")],
        id="add-apt-repository-alone",
    ),
    pytest.param(
        SLIM + "RUN apt-get update && apt-get install -y --no-install-recommends libpq5 && "
        + CLEAN + " && apt-get update\n",
        [(2, 107, "DPH505", "'apt-get update' in a RUN that installs nothing after it: the cached layer "
          "keeps stale package lists; update and install in the same RUN")],
        id="trailing-update",
    ),
    pytest.param(
        SLIM + "RUN sh -c 'apt-get update && apt-get install -y --no-install-recommends x' "
        "&& apt-get -y autoremove\n",
        [(2, 12, "DPH504", "the package lists from 'apt-get update' stay in this layer; end the RUN with "
          "'rm -rf /var/lib/apt/lists/*' (or use a cache mount on /var/lib/apt)")],
        id="sh-c-positions",
    ),
    pytest.param(
        SLIM + "RUN apt-get update && echo 'lists updated' && rm -rf /var/lib/apt/lists/*\n",
        [(2, 5, "DPH505", "'apt-get update' in a RUN that installs nothing after it: the cached layer "
          "keeps stale package lists; update and install in the same RUN")],
        id="update-then-only-commands-we-can-read",
    ),
    pytest.param(
        SLIM + "RUN /tmp/scripts/setup.sh && apt-get update\n",
        [(2, 30, "DPH505", "'apt-get update' in a RUN that installs nothing after it: the cached layer "
          "keeps stale package lists; update and install in the same RUN")],
        id="script-before-the-update-does-not-count",
    ),
    pytest.param(
        SLIM + "RUN apt-get update && apt-get install -y --no-install-recommends libpq5 "
        "&& rm -rf /var/lib/apt/lists/partial\n",
        [(2, 5, "DPH504", "the package lists from 'apt-get update' stay in this layer; end the RUN with "
          "'rm -rf /var/lib/apt/lists/*' (or use a cache mount on /var/lib/apt)")],
        id="removing-one-subdirectory-leaves-the-lists",
    ),
    pytest.param(
        SLIM + "RUN echo 'APT::Install-Recommends \"false\";' > /etc/apt/apt.conf.d/99norecommends\n"
        "ONBUILD RUN apt-get update && apt-get install -y libpq5\n"
        "ONBUILD RUN apt-get update\n",
        [(3, 13, "DPH504", "the package lists from 'apt-get update' stay in this layer; end the RUN with "
          "'rm -rf /var/lib/apt/lists/*' (or use a cache mount on /var/lib/apt)"),
         (4, 13, "DPH505", "'apt-get update' in a RUN that installs nothing after it: the cached layer "
          "keeps stale package lists; update and install in the same RUN")],
        id="onbuild-triggers-judged-at-the-trigger",
    ),
    pytest.param(
        SLIM.replace("\n", " AS base\n") + "ONBUILD RUN apt-get install -y libpq5\nFROM base\n",
        [(2, 13, "DPH503", "'apt-get install' without --no-install-recommends also installs "
          "recommended packages; add --no-install-recommends")],
        id="onbuild-trigger-of-a-shipped-parent-stage",
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
    "FROM python:3.12-slim-bookworm AS builder\n"
    "RUN apt-get update && apt-get install -y gcc\n"
    "FROM python:3.12-slim-bookworm AS runtime\nUSER app\n"
)


def test_all_stages_judges_builders() -> None:
    assert check(parse(BUILDER)) == []
    assert [(f.line, f.code) for f in check(parse(BUILDER), all_stages=True)] == [
        (2, "DPH504"), (2, "DPH503"),
    ]


def test_target_selects_the_shipped_stage() -> None:
    assert [(f.line, f.code) for f in check(parse(BUILDER), target="builder")] == [
        (2, "DPH504"), (2, "DPH503"),
    ]
    assert [f.code for f in check(parse(BUILDER), target="nope")] == ["DPH905"]


def test_main(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(
        "Dockerfile", SLIM + f"RUN apt-get update && apt-get install -y --no-install-recommends x && {CLEAN}\n",
    )
    bad = write("docker/app.dockerfile", BUILDER)
    assert main([good, bad]) == 0
    assert main([bad, "--all-stages"]) == 1
    assert capsys.readouterr().out == (
        "docker/app.dockerfile:2:5: DPH504 the package lists from 'apt-get update' stay in this layer; "
        "end the RUN with 'rm -rf /var/lib/apt/lists/*' (or use a cache mount on /var/lib/apt)\n"
        "docker/app.dockerfile:2:23: DPH503 'apt-get install' without --no-install-recommends also "
        "installs recommended packages; add --no-install-recommends\n"
    )
    assert main([bad, "--target", "builder"]) == 1


def test_suppression(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    path = write("Dockerfile", SLIM + "# dph: ignore=DPH505 lists are refreshed by the next RUN\n"
                 "RUN apt-get update\n")
    assert main([path]) == 0
    assert capsys.readouterr().out == ""


def test_installs_in_case_arms_count() -> None:
    installs = (
        SLIM + "ARG TARGETARCH\nRUN apt-get update \\\n"
        '    && case "$TARGETARCH" in \\\n'
        "         amd64) apt-get install -y --no-install-recommends intel-opencl-icd ;; \\\n"
        "         arm64|aarch64) apt-get install -y --no-install-recommends mesa-opencl-icd ;; \\\n"
        "       esac \\\n"
        f"    && {CLEAN}\n"
    )
    assert check(parse(installs)) == []
    no_install = (
        SLIM + "ARG TARGETARCH\nRUN apt-get update \\\n"
        '    && case "$TARGETARCH" in amd64) echo amd64 ;; *) echo other ;; esac \\\n'
        f"    && {CLEAN}\n"
    )
    found = [(f.line, f.col, f.code) for f in check(parse(no_install))]
    assert found == [(3, 5, "DPH505")]


def test_aptitude_is_told_its_own_option() -> None:
    text = "FROM debian:bookworm-slim\nRUN apt-get update && aptitude install -y vim && rm -rf /var/lib/apt/lists/*\n"
    messages = [f.message for f in check(parse(text)) if f.code == "DPH503"]
    assert messages == [
        "'aptitude install' without --without-recommends also installs recommended packages; "
        "add --without-recommends",
    ]


def test_lists_advice_keeps_the_sudo_of_the_update() -> None:
    text = (
        "FROM rayproject/ray:2.40.0-py312\n"
        "RUN sudo apt-get update && sudo apt-get install -y --no-install-recommends curl\n"
    )
    messages = [f.message for f in check(parse(text)) if f.code == "DPH504"]
    assert messages == [
        "the package lists from 'apt-get update' stay in this layer; end the RUN with "
        "'sudo rm -rf /var/lib/apt/lists/*' (or use a cache mount on /var/lib/apt)"
    ]
    assert [f.code for f in check(parse(text.rstrip("\n") + " && sudo rm -rf /var/lib/apt/lists/*\n"))] == []
