"""Hypothesis strategies for the fuzz and differential tests, and a set of real files.

``dockerfiles()`` draws Dockerfiles from a grammar of real instructions, flags, heredocs
(``<<EOF``, ``<<-EOF``, quoted, several per line, with a file descriptor), continuations
(with comment and blank lines inside, trailing blanks after the escape token), parser
directives, comments, variable forms, line endings and a BOM. ``noise()`` is random
text biased towards the characters that matter to the parser, and ``mutants()`` are
real files with lines deleted, duplicated, swapped, truncated or spliced with noise.

``examples(n)`` is the number of examples a property test runs: ``n`` in CI, or
``DPH_FUZZ_EXAMPLES`` when that is larger (for long local runs).
"""
from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent


def examples(n: int) -> int:
    """``n``, or the long-run budget from ``DPH_FUZZ_EXAMPLES`` when that is larger."""
    raw = os.environ.get("DPH_FUZZ_EXAMPLES", "")
    return max(n, int(raw)) if raw.isdigit() else n


class Hang(Exception):
    """Raised in the main thread when a bounded call runs past its time limit."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Fail (raise :class:`Hang`) instead of hanging: a generous bound, not a benchmark."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def _alarm(signum: int, frame: FrameType | None) -> None:
        raise Hang(f"did not finish within {seconds} s")

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# ---------------------------------------------------------------------------
# Real files
# ---------------------------------------------------------------------------

FIXTURES: dict[str, str] = {
    "simple": (
        "FROM python:3.12-slim-bookworm\n"
        "WORKDIR /app\n"
        "COPY requirements.txt .\n"
        "RUN pip install --no-cache-dir -r requirements.txt\n"
        "COPY . .\n"
        "USER 10001\n"
        'CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]\n'
    ),
    "multi-stage": (
        "# syntax=docker/dockerfile:1.7\n"
        "ARG PYTHON_VERSION=3.12\n"
        "ARG BASE=python:${PYTHON_VERSION}-slim-bookworm\n"
        "FROM --platform=$BUILDPLATFORM ${BASE} AS builder\n"
        "ENV PIP_NO_CACHE_DIR=1 \\\n"
        "    PIP_DISABLE_PIP_VERSION_CHECK=1\n"
        "RUN --mount=type=cache,target=/root/.cache/pip \\\n"
        "    --mount=type=bind,source=requirements.txt,target=/tmp/requirements.txt \\\n"
        "    python -m venv /venv && /venv/bin/pip install -r /tmp/requirements.txt\n"
        "COPY . /src\n"
        "RUN /venv/bin/pip install --no-deps /src\n"
        "\n"
        "FROM ${BASE} AS runtime\n"
        "ARG PYTHON_VERSION\n"
        'LABEL org.opencontainers.image.title="service" \\\n'
        '      org.opencontainers.image.version="${PYTHON_VERSION}"\n'
        "COPY --from=builder --chown=app:app --link /venv /venv\n"
        "ENV PATH=/venv/bin:$PATH PYTHONUNBUFFERED=1\n"
        "RUN useradd --create-home --uid 10001 app\n"
        "USER app\n"
        "EXPOSE 8000/tcp\n"
        "HEALTHCHECK --interval=30s --timeout=3s --retries=3 \\\n"
        "  CMD curl -fsS http://localhost:8000/health || exit 1\n"
        'ENTRYPOINT ["/venv/bin/python", "-m", "service"]\n'
    ),
    "heredocs": (
        "# syntax=docker/dockerfile:1\n"
        "FROM python:3.12-slim-bookworm\n"
        "RUN <<EOF\n"
        "set -eux\n"
        "apt-get update\n"
        "apt-get install -y --no-install-recommends libpq5\n"
        "rm -rf /var/lib/apt/lists/*\n"
        "EOF\n"
        "RUN --mount=type=cache,target=/root/.cache <<-'SCRIPT' bash\n"
        "\tpip install --no-cache-dir -r requirements.txt\n"
        "\techo \"$HOME\"\n"
        "\tSCRIPT\n"
        "COPY <<EOF /etc/motd\n"
        "USER root\n"
        "FROM evil:latest\n"
        "EOF\n"
        "COPY <<A <<\"B\" /etc/\n"
        "first\n"
        "A\n"
        "second $HOME\n"
        "B\n"
        "RUN 3<<EOF cat /dev/fd/3 > /config\n"
        "key=value\n"
        "EOF\n"
        "USER app\n"
    ),
    "escape-backtick": (
        "# escape=`\n"
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        "ENV TOOLS=C:\\tools;C:\\bin\n"
        "COPY testfile.txt c:\\\n"
        "RUN dir c:\\ `\n"
        "    && echo done\n"
        "USER ContainerUser\n"
    ),
    "crlf": (
        "FROM python:3.12-slim-bookworm\r\n"
        "RUN apt-get update \\\r\n"
        "    && apt-get install -y curl \\\r\n"
        "    && rm -rf /var/lib/apt/lists/*\r\n"
        "USER app\r\n"
    ),
    "bom-lowercase": (
        "\ufefffrom python:3.12-slim-bookworm as base\n"
        "run pip install uv\n"
        "copy --from=ghcr.io/astral-sh/uv:0.4.20 /uv /bin/uv\n"
        "user app\n"
    ),
    "uv": (
        "FROM python:3.12-slim-bookworm\n"
        "COPY --from=ghcr.io/astral-sh/uv:0.4.20 /uv /uvx /bin/\n"
        "WORKDIR /app\n"
        "RUN --mount=type=cache,target=/root/.cache/uv \\\n"
        "    --mount=type=bind,source=uv.lock,target=uv.lock \\\n"
        "    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \\\n"
        "    uv sync --frozen --no-install-project\n"
        "COPY . /app\n"
        "RUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen\n"
        "USER nobody\n"
    ),
    "poetry": (
        "FROM python:3.11-slim-bookworm AS build\n"
        "ENV POETRY_VERSION=1.8.3 \\\n"
        "    POETRY_VIRTUALENVS_IN_PROJECT=1\n"
        "RUN pip install \"poetry==${POETRY_VERSION}\"\n"
        "COPY pyproject.toml poetry.lock ./\n"
        "RUN poetry install --no-root --only main\n"
        "COPY src ./src\n"
        "RUN poetry install --only-root\n"
        "FROM build\n"
        "USER 1000:1000\n"
    ),
    "continuations": (
        "FROM debian:bookworm-slim\n"
        "RUN apt-get update \\\n"
        "    # a comment inside the continuation\n"
        "    && apt-get install -y \\\n"
        "\n"
        "        ca-certificates \\\n"
        "   \t \n"
        "        curl \\\n"
        "    && rm -rf /var/lib/apt/lists/*   \n"
        "# dph: ignore=DPH401 not shipped\n"
        "ONBUILD COPY . /app\n"
        "ONBUILD RUN pip install -r /app/requirements.txt\n"
        "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n"
        "VOLUME [\"/data\"]\n"
        "STOPSIGNAL SIGTERM\n"
        "RUN echo trailing \\"
    ),
    "variables": (
        "ARG REGISTRY=docker.io\n"
        "ARG TAG\n"
        "FROM ${REGISTRY}/library/python:${TAG:-3.12}-slim AS app\n"
        "ARG TAG\n"
        "ARG APP_USER=app\n"
        "ENV HOME=/home/${APP_USER} APP=${HOME}/app\n"
        "ENV LEGACY value with spaces\n"
        "WORKDIR ${HOME:+$HOME/src}\n"
        "USER ${APP_USER:?must be set}\n"
        "CMD python -c 'print(\"$HOME\")'\n"
    ),
}


def fixture_texts() -> dict[str, str]:
    """The fixtures above, the shared real-world files and every Dockerfile under ``examples/``."""
    from tests.real_world import REAL_WORLD

    texts = dict(FIXTURES)
    texts.update((f"real-world/{name}", text) for name, text in REAL_WORLD.items())
    examples_dir = ROOT / "examples"
    if examples_dir.is_dir():
        for path in sorted(examples_dir.rglob("*")):
            name = path.name.lower()
            if path.is_file() and ("dockerfile" in name or "containerfile" in name):
                texts[f"examples/{path.relative_to(examples_dir)}"] = path.read_text("utf-8")
    return texts


# ---------------------------------------------------------------------------
# A grammar of Dockerfiles
# ---------------------------------------------------------------------------

KEYWORDS = (
    "FROM", "RUN", "COPY", "ADD", "ENV", "ARG", "LABEL", "USER", "WORKDIR", "CMD",
    "ENTRYPOINT", "SHELL", "EXPOSE", "VOLUME", "HEALTHCHECK", "STOPSIGNAL", "MAINTAINER",
    "ONBUILD",
)
FLAGS = {
    "FROM": ("--platform=linux/amd64", "--platform=$BUILDPLATFORM"),
    "RUN": (
        "--mount=type=cache,target=/root/.cache/pip",
        "--mount=type=bind,source=requirements.txt,target=/tmp/r.txt",
        "--mount=type=secret,id=netrc,target=/root/.netrc",
        "--network=none", "--security=insecure",
    ),
    "COPY": ("--from=builder", "--from=0", "--chown=app:app", "--chmod=0755", "--link", "--parents"),
    "ADD": ("--chown=1000:1000", "--checksum=sha256:0123abcd", "--keep-git-dir=true", "--link"),
    "HEALTHCHECK": ("--interval=30s", "--timeout=3s", "--retries=3", "--start-period=5s"),
}
ODD_FLAGS = ("--x", "--y=", '--q="a b"', "--", "--link=false", "-x", "--mount=type=cache,id=$ID")
WORDS = (
    "python", "-m", "pip", "install", "--no-cache-dir", "-r", "requirements.txt", "&&", "||",
    ";", "|", "apt-get", "update", "-y", "/app", ".", "./", "app:app", "'single quoted'",
    '"double quoted"', "a=b", "#notacomment", "[", "]", "{", "}", ",", "2>&1", "<", ">",
    "echo", "root", "0:0", "builder", "as", "AS", "python:3.12-slim", "scratch", "é",
    "\\$HOME", "a\\ b", "'", '"', "``", "\u2028", "\x0c", "\x85", "<<", "<<<", "$(date)",
)
VARIABLES = (
    "$A", "${A}", "${A:-x}", "${A-x}", "${A:+y}", "${A+y}", "${A:?err}", "${A?err}",
    "${A%%.*}", "${A#x}", "${A/x/y}", "$1", "$$", "${}", "${A", "$", "${A:-${B:-c}}",
    '"${A}"', "'$A'", "\\$A", "${A:-'q w'}", "${BUILDPLATFORM}", "${TARGETARCH:-amd64}",
)
JSON_FORMS = (
    '["python", "-m", "app"]', '[ "a" , "b" ]', "[]", '["a", 1]', '[ "bad json',
    '["a",]', '["\\u00e9", "a\\"b"]', "['single']", '["a"] trailing', '["$HOME"]', "[\"<<EOF\"]",
)
HEREDOC_NAMES = ("EOF", "END", "SCRIPT", "E_1", "eof", "x.y", "A-B")
BODY_LINES = (
    "echo hi", "set -eux", "USER root", "FROM evil:latest", "# not a comment here", "",
    "  indented", "\tTabbed", "RUN also not an instruction", "$HOME ${A:-x}", "EOF2",
    "line with trailing backslash \\", "\\", "[\"json\"]",
)
COMMENTS = (
    "# a comment", "#", "# dph: ignore=DPH401", "   # indented comment", "#syntax=late",
    "# escape=`", "#\\", "# comment ending in backslash \\",
)
DIRECTIVES = (
    "# syntax=docker/dockerfile:1", "# escape=`", "# escape=\\", "#ESCAPE = `",
    "# check=skip=all", "# unknown=directive", "#  syntax = docker/dockerfile:1.7 ",
    "# escape=x",
)
BLANKS = ("", " ", "\t", "  \t ")


def _case(draw: st.DrawFn, word: str) -> str:
    style = draw(st.integers(0, 5))
    return word.lower() if style == 0 else word.title() if style == 1 else word


@st.composite
def _heredoc_marker(draw: st.DrawFn) -> tuple[str, str, bool]:
    """(marker as written, delimiter, chomp)."""
    name = draw(st.sampled_from(HEREDOC_NAMES))
    chomp = draw(st.booleans())
    quote = draw(st.sampled_from(("", "", "'", '"')))
    fd = draw(st.sampled_from(("", "", "", "3")))
    return f"{fd}<<{'-' if chomp else ''}{quote}{name}{quote}", name, chomp


@st.composite
def _instruction(draw: st.DrawFn, escape: str) -> list[str]:
    """The physical lines of one instruction (heredoc bodies included)."""
    keyword = draw(st.sampled_from(KEYWORDS))
    prefix: list[str] = []
    if keyword == "ONBUILD":
        prefix.append(_case(draw, "ONBUILD"))
        keyword = draw(st.sampled_from(("RUN", "COPY", "ADD", "USER", "ENV", "ONBUILD")))
    prefix.append(_case(draw, keyword))
    if draw(st.integers(0, 30)) == 0:
        prefix = [draw(st.sampled_from(("FOO", "apt-get", "EOF", "--", "\\", "=", "é")))]
    flags = draw(st.lists(
        st.sampled_from(FLAGS.get(keyword, ()) + ODD_FLAGS) if draw(st.integers(0, 6)) == 0
        else st.sampled_from(FLAGS.get(keyword, ("--x",))),
        max_size=3 if keyword in FLAGS else 1,
    )) if keyword in FLAGS or draw(st.integers(0, 8)) == 0 else []
    markers: list[tuple[str, str, bool]] = []
    kind = draw(st.integers(0, 9))
    words: list[str]
    if keyword == "FROM":
        words = [draw(st.sampled_from(("python:3.12-slim", "${BASE}", "builder", "scratch", "$A:${B:-1}")))]
        if draw(st.booleans()):
            words += [draw(st.sampled_from(("AS", "as"))), draw(st.sampled_from(("builder", "final", "B2")))]
    elif keyword in ("ENV", "ARG", "LABEL") and kind < 7:
        pairs = draw(st.lists(
            st.tuples(st.sampled_from(("A", "B", "PATH", "x.y", "HOME")),
                      st.sampled_from(("1", "", "$A", "${A:-d}", '"q w"', "'s'", "a\\ b", "/bin:$PATH"))),
            min_size=1, max_size=3,
        ))
        if keyword == "ENV" and draw(st.integers(0, 4)) == 0:
            words = [pairs[0][0], pairs[0][1] or "v", "more words"]
        else:
            words = [f"{k}={v}" if (v or keyword != "ARG") else k for k, v in pairs]
    elif keyword in ("CMD", "ENTRYPOINT", "SHELL", "RUN", "VOLUME", "COPY", "ADD") and kind < 3:
        words = [draw(st.sampled_from(JSON_FORMS))]
    else:
        words = draw(st.lists(st.sampled_from(WORDS + VARIABLES), max_size=6))
        if keyword in ("RUN", "COPY", "ADD") and kind < 7:
            markers = draw(st.lists(_heredoc_marker(), min_size=1, max_size=3))
            for marker, _, _ in markers:
                words.insert(draw(st.integers(0, len(words))), marker)
    tokens = prefix + flags + words
    # Split the logical line into physical lines at token boundaries.
    lines: list[str] = []
    current = draw(st.sampled_from(("", "", " ", "\t")))
    for index, token in enumerate(tokens):
        if index and draw(st.integers(0, 4)) == 0:
            trail = draw(st.sampled_from(("", "", " ", " \t")))
            lines.append(current + draw(st.sampled_from((" ", ""))) + escape + trail)
            for _ in range(draw(st.integers(0, 2))):
                lines.append(draw(st.sampled_from(COMMENTS + BLANKS)))
            current = draw(st.sampled_from(("", " ", "    ", "\t")))
        elif index:
            current += draw(st.sampled_from((" ", " ", "  ", "\t")))
        current += token
    if draw(st.integers(0, 12)) == 0:
        current += draw(st.sampled_from((" " + escape, escape + escape, " " + escape + " ")))
    lines.append(current)
    for _, name, chomp in markers:
        body = draw(st.lists(st.sampled_from(BODY_LINES), max_size=4))
        lines.extend(("\t" + line if chomp and draw(st.booleans()) else line) for line in body)
        if draw(st.integers(0, 25)):
            lines.append(("\t" if chomp and draw(st.booleans()) else "") + name)
    return lines


@st.composite
def dockerfiles(draw: st.DrawFn, *, max_instructions: int = 12) -> str:
    """A Dockerfile drawn from the grammar (mostly valid for BuildKit, sometimes not)."""
    lines: list[str] = list(draw(st.lists(st.sampled_from(DIRECTIVES), max_size=2)))
    escape = "`" if _escape_applies(lines) else "\\"
    if draw(st.booleans()):
        lines.append(draw(st.sampled_from(("FROM python:3.12-slim", "ARG BASE=python:3.12", "from scratch"))))
    for _ in range(draw(st.integers(0, max_instructions))):
        for _ in range(draw(st.integers(0, 2)) if draw(st.integers(0, 3)) == 0 else 0):
            lines.append(draw(st.sampled_from(COMMENTS + BLANKS)))
        lines.extend(draw(_instruction(escape)))
    endings = draw(st.sampled_from(("\n", "\n", "\n", "\r\n", "mixed")))
    if endings == "mixed":
        text = "".join(line + draw(st.sampled_from(("\n", "\r\n"))) for line in lines)
    else:
        text = "".join(line + endings for line in lines)
    if draw(st.integers(0, 5)) == 0:
        text = text.rstrip("\r\n")
    if draw(st.integers(0, 10)) == 0:
        text = "\ufeff" + text
    return text


def _escape_applies(lines: list[str]) -> bool:
    """Whether the leading directives set the backtick escape (as BuildKit reads them)."""
    for line in lines:
        body = line.strip()
        if not body.startswith("#") or "=" not in body:
            return False
        key, _, value = body[1:].partition("=")
        key = key.strip().lower()
        if key not in ("syntax", "escape", "check"):
            return False
        if key == "escape":
            return value.strip() == "`"
    return False


# ---------------------------------------------------------------------------
# Noise and mutations
# ---------------------------------------------------------------------------

FRAGMENTS = (
    "FROM ", "RUN ", "COPY ", "ONBUILD ", "ENV ", "ARG ", "USER ", "from", "\n", "\n", "\r\n",
    "\r", "\\", "\\\n", "`", "`\n", " ", "\t", "#", "# escape=`\n", "# syntax=x\n", "<<", "<<-",
    "EOF", "\nEOF\n", "'", '"', "$", "${", "}", ":-", ":+", "[", "]", '["a"]', "=", "--",
    "--mount=", "--from=", "AS ", "\ufeff", "\x00", "\u2028", "\x85", "\x0c", "\x0b", "é", "𝄞",
)


def noise() -> st.SearchStrategy[str]:
    """Random text made of parser-relevant fragments and arbitrary characters."""
    piece = st.sampled_from(FRAGMENTS) | st.text(max_size=4)
    return st.lists(piece, max_size=60).map("".join)


@st.composite
def mutants(draw: st.DrawFn) -> str:
    """A real file, mutated a few times."""
    texts = fixture_texts()
    text = texts[draw(st.sampled_from(sorted(texts)))]
    for _ in range(draw(st.integers(1, 4))):
        lines = text.split("\n")
        op = draw(st.integers(0, 6))
        i = draw(st.integers(0, max(len(lines) - 1, 0)))
        j = draw(st.integers(i, max(len(lines) - 1, i)))
        if op == 0:
            del lines[i:j + 1]
        elif op == 1:
            lines[i:i] = lines[i:j + 1]
        elif op == 2:
            lines[i], lines[j] = lines[j], lines[i]
        elif op == 3:
            cut = draw(st.integers(0, len(text)))
            text = text[:cut]
            continue
        elif op == 4:
            cut = draw(st.integers(0, len(text)))
            text = text[:cut] + draw(noise()) + text[cut:]
            continue
        elif op == 5:
            text = text.replace("\n", draw(st.sampled_from(("\r\n", "\r", "\n\n"))))
            continue
        else:
            lines.insert(i, draw(st.sampled_from(COMMENTS + BLANKS + BODY_LINES)))
        text = "\n".join(lines)
    return text


def any_dockerfile() -> st.SearchStrategy[str]:
    """Grammar files, noise and mutants, mixed."""
    return st.one_of(dockerfiles(), dockerfiles(), noise(), mutants())
