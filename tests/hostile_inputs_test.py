"""Hostile inputs through the real entry points: every hook's ``main`` and the
all-rules command (``docker-python-hooks check``).

Each input gives findings or one clean ``DPH9xx`` line per hook: never a traceback
(``DPH_DEBUG=1`` is set for tests, so an internal error fails the test instead of
becoming a DPH901 line), never a hang (a generous time limit), and the work grows
linearly with the input: ``test_work_is_linear`` counts the lines of hook code executed
for an input and for one twice its size (a quadratic path shows up as a ratio near 4).
"""
from __future__ import annotations

import importlib
import os
import re
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType, ModuleType

import pytest

from hooks import __main__ as all_rules
from hooks._files import MAX_BYTES
from hooks._registry import CHECK_MODULES
from tests.conftest import Writer
from tests.strategies import time_limit

LINE_RE = re.compile(r"^(?P<path>[^\n]+?):(?P<line>[1-9]\d*):(?P<col>[1-9]\d*): (?P<code>DPH\d{3}) \S.*$")
MODULES: list[ModuleType] = [importlib.import_module(f"hooks.{name}") for name in CHECK_MODULES]


def hooks_for(kind: str) -> list[ModuleType]:
    return [m for m in MODULES if kind in m.HOOK.kinds]


DOCKERFILE_HOOKS = hooks_for("dockerfile")
REQUIREMENTS_HOOKS = hooks_for("requirements")


def run_main(main: Callable[[list[str]], int], argv: list[str], capsys: pytest.CaptureFixture[str]) -> list[str]:
    """Run one entry point; its exit code must be 0 or 1 and every line a finding."""
    with time_limit(120):
        code = main(argv)
    captured = capsys.readouterr()
    assert captured.err == ""
    lines = captured.out.splitlines()
    assert code == (1 if lines else 0), (code, lines[:3])
    for line in lines:
        assert LINE_RE.match(line), line
    return lines


def run_everything(path: str, kind: str, capsys: pytest.CaptureFixture[str]) -> dict[str, list[str]]:
    """Every hook that takes ``kind`` files, and the all-rules command, on ``path``."""
    out = {}
    for module in hooks_for(kind):
        out[module.__name__] = run_main(module.main, [path], capsys)
    out["all-rules"] = run_main(all_rules.main, ["check", path], capsys)
    for lines in out.values():
        for line in lines:
            match = LINE_RE.match(line)
            assert match is not None and match["path"] == path, line
    return out


def assert_one_meta_line(outputs: dict[str, list[str]], reason: str) -> None:
    """Each entry point printed exactly one DPH9xx line, naming ``reason``."""
    for name, lines in outputs.items():
        assert len(lines) == 1, (name, lines)
        match = LINE_RE.match(lines[0])
        assert match is not None and match["code"].startswith("DPH9"), (name, lines)
        assert reason in lines[0], (name, lines)


# ---------------------------------------------------------------------------
# Unreadable, undecodable, refused
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["dockerfile", "requirements"])
def test_file_larger_than_one_mebibyte(kind: str, write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    name = "Dockerfile" if kind == "dockerfile" else "requirements.txt"
    line = "RUN echo hi\n" if kind == "dockerfile" else "flask==3.0.0\n"
    path = write(name, line * (MAX_BYTES // len(line) + 2))
    assert_one_meta_line(run_everything(path, kind, capsys), "larger than 1024 KiB")


@pytest.mark.parametrize(("content", "reason"), [
    pytest.param(b"FROM python:3.12\x00\nUSER app\n", "NUL bytes", id="nul"),
    pytest.param(b"FROM python:3.12\nLABEL x=\xff\xfe\n", "cannot decode file as UTF-8", id="invalid-utf8"),
    pytest.param("FROM python:3.12\nUSER app\n".encode("utf-16"), "cannot decode file as UTF-8", id="utf16"),
    pytest.param(b"", "file is empty", id="empty"),
    pytest.param(b"\n\n   \n", "file is empty", id="blank"),
])
def test_undecodable_or_empty_dockerfile(
    content: bytes, reason: str, write: Writer, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write("Dockerfile", content)
    assert_one_meta_line(run_everything(path, "dockerfile", capsys), reason)


def test_invalid_utf8_names_the_line(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    path = write("Dockerfile", b"FROM python:3.12\nRUN echo ok\nLABEL x=\xc3\x28\n")
    outputs = run_everything(path, "dockerfile", capsys)
    assert_one_meta_line(outputs, "invalid byte at offset 37, line 3")


@pytest.mark.parametrize(("content", "expected"), [
    pytest.param(b"flask==3.0.0\x00\n", "NUL bytes", id="nul"),
    pytest.param(b"flask==3.0.0\nr\xe9sum\xe9==1\n", "cannot decode file as UTF-8", id="invalid-utf8"),
    pytest.param(b"", "file is empty", id="empty"),
])
def test_undecodable_or_empty_requirements(
    content: bytes, expected: str, write: Writer, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write("requirements.txt", content)
    assert_one_meta_line(run_everything(path, "requirements", capsys), expected)


def test_utf16_requirements_are_read_like_pip(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    """pip decodes a UTF-16 file with a BOM; so do we (no DPH901, real findings)."""
    path = write("requirements.txt", "flask>=3\r\n".encode("utf-16"))
    outputs = run_everything(path, "requirements", capsys)
    assert [line.split(": ")[1].split()[0] for line in outputs["hooks.check_requirements_pinned"]] == ["DPH101"]


def test_directory_as_a_file_name(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "Dockerfile").mkdir()
    (in_tmp / "requirements.txt").mkdir()
    for module in DOCKERFILE_HOOKS:
        assert_one_meta_line({module.__name__: run_main(module.main, ["Dockerfile"], capsys)}, "is a directory")
    for module in REQUIREMENTS_HOOKS:
        lines = run_main(module.main, ["requirements.txt"], capsys)
        assert_one_meta_line({module.__name__: lines}, "is a directory")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_is_not_opened(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Opening a FIFO for reading blocks until a writer comes: it must not be opened."""
    os.mkfifo(in_tmp / "Dockerfile")
    os.mkfifo(in_tmp / "requirements.txt")
    outputs = run_everything("Dockerfile", "dockerfile", capsys)
    assert_one_meta_line(outputs, "not a regular file")
    outputs = run_everything("requirements.txt", "requirements", capsys)
    assert_one_meta_line(outputs, "not a regular file")


def test_symlink_to_a_file_outside_the_repository(
    in_tmp: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path_factory.mktemp("outside")
    (outside / "Dockerfile").write_text("FROM python:3.12\n")
    (outside / "requirements.txt").write_text("flask\n")
    (in_tmp / "Dockerfile").symlink_to(outside / "Dockerfile")
    (in_tmp / "requirements.txt").symlink_to(outside / "requirements.txt")
    assert_one_meta_line(run_everything("Dockerfile", "dockerfile", capsys), "outside the repository")
    assert_one_meta_line(run_everything("requirements.txt", "requirements", capsys), "outside the repository")


def test_path_escaping_the_repository(
    in_tmp: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path_factory.mktemp("elsewhere")
    (outside / "Dockerfile").write_text("FROM python:3.12\n")
    escaping = os.path.relpath(outside / "Dockerfile", in_tmp)
    assert escaping.startswith("..")
    for module in DOCKERFILE_HOOKS:
        assert_one_meta_line({module.__name__: run_main(module.main, [escaping], capsys)}, "outside the repository")


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root (or Windows) reads any file")
def test_unreadable_file(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    for name, kind in (("Dockerfile", "dockerfile"), ("requirements.txt", "requirements")):
        path = write(name, "FROM python:3.12\n" if kind == "dockerfile" else "flask\n")
        os.chmod(path, 0)
        try:
            assert_one_meta_line(run_everything(path, kind, capsys), "Permission denied")
        finally:
            os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)


def test_missing_file(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for module in DOCKERFILE_HOOKS:
        assert_one_meta_line({module.__name__: run_main(module.main, ["Dockerfile"], capsys)}, "no such file")


# ---------------------------------------------------------------------------
# Readable but hostile: findings (or nothing), never a crash or a hang
# ---------------------------------------------------------------------------

BASE = "FROM python:3.12-slim-bookworm\n"
END = "USER app\n"

HOSTILE_DOCKERFILES = {
    "continuation-100k-lines": BASE + "RUN apt-get update \\\n" + "&& a \\\n" * 100_000 + "  && true\n" + END,
    "line-60k-chars-words": BASE + "RUN " + "x" * 60_000 + "\n" + END,
    "line-60k-chars-pip": BASE + "RUN " + "pip install flask==3.0.0 && " * 2_100 + "true\n" + END,
    "line-60k-chars-apt": BASE + "RUN " + "apt-get install -y curl && " * 2_200 + "true\n" + END,
    "line-60k-chars-vars": BASE + "ENV A=1\nRUN echo " + "${A:-x}$A" * 6_000 + "\n" + END,
    "heredocs-10k": BASE + "RUN <<EOF\npip install flask==3.0.0\nEOF\n" * 10_000 + END,
    "heredocs-10k-one-line": BASE + "RUN " + " ".join(f"<<E{i}" for i in range(10_000)) + "\n"
    + "".join(f"echo {i}\nE{i}\n" for i in range(10_000)) + END,
    "nested-defaults-5000-deep": "ARG B=python:3.12-slim-bookworm\nFROM " + "${a:-" * 5_000 + "$B" + "}" * 5_000
    + "\nUSER " + "${u:-" * 5_000 + "app" + "}" * 5_000 + "\n",
    "env-doubling": BASE + "ENV A=0123456789abcdef\n" + "ENV A=$A$A\n" * 60 + "USER $A\n",
    "many-stages-chained": "FROM python:3.12-slim-bookworm AS s0\n"
    + "".join(f"FROM s{i} AS s{i + 1}\nENV E{i}=1\nRUN pip install -r requirements.txt\n" for i in range(3_000)),
    "many-suppressed-findings": "".join(
        f"# dph: ignore=DPH201,DPH503\nFROM python AS s{i}\nRUN apt-get install -y curl\n" for i in range(3_000)
    ),
    "unterminated-heredoc": BASE + "RUN <<EOF\napt-get install -y curl\nUSER root\n",
    "unterminated-json": BASE + 'CMD ["python", "-m", "app"\n' + 'ENTRYPOINT ["a", 1]\n' + END,
    "cr-only": BASE.replace("\n", "\r") + "RUN echo hi\rUSER root\r",
    "mixed-line-endings": "FROM python:3.12-slim-bookworm\r\nRUN a \\\r\n  b\n\rUSER root\r\n",
    "bom-and-crlf": "\ufeff" + (BASE + "RUN echo hi\n" + END).replace("\n", "\r\n"),
    "unicode-separators": BASE + 'LABEL a="x\u2028y" b="p\x0cq" c="\x85"\nRUN echo \u2029\n' + END,
    "escape-backtick-everywhere": "# escape=`\n" + BASE + "RUN echo `\n" * 5_000 + "  done\n" + END,
    "no-from": "RUN echo hi\nUSER root\n",
    "only-comments": "# just a comment\n# dph: ignore=DPH401\n",
    "instructions-only-keywords": "FROM\nRUN\nCOPY\nUSER\nENV\nARG\nONBUILD\nHEALTHCHECK\nLABEL\n",
    "json-nested-deep": BASE + "CMD " + "[" * 50_000 + "]" * 50_000 + "\n" + END,
}


@pytest.mark.parametrize("name", sorted(HOSTILE_DOCKERFILES))
def test_hostile_dockerfile(name: str, write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    assert len(HOSTILE_DOCKERFILES[name].encode()) <= MAX_BYTES  # really parsed, not refused
    path = write("Dockerfile", HOSTILE_DOCKERFILES[name])
    outputs = run_everything(path, "dockerfile", capsys)
    # The all-rules command reports what the single hooks report (suppression
    # bookkeeping, DPH90x, depends on which rules ran).
    singles = {line for name, lines in outputs.items() if name != "all-rules" for line in lines}
    assert {x for x in outputs["all-rules"] if not _META.search(x)} == {x for x in singles if not _META.search(x)}


_META = re.compile(r": DPH90\d ")

HOSTILE_REQUIREMENTS = {
    "continuation-100k-lines": "a==1 \\\n" * 100_000 + "\n",
    "line-60k-chars": "flask==3.0.0 " + " ".join(f"--hash=sha256:{i:064x}" for i in range(700)) + "\n",
    "many-unpinned-with-noqa": "".join(f"pkg{i}>=1  # noqa: DPH101\n" for i in range(20_000)),
    "credentials-everywhere": "".join(
        f"--extra-index-url https://user:s3cret{i}@h{i}.example/simple\n" for i in range(2_000)
    ),
    "cr-only": "flask==3.0.0\rdjango\r",
    "bom-and-crlf": "\ufeffflask==3.0.0\r\ndjango>=4\r\n",
    "unicode-separators": "flask==3.0.0\x0cdjango>=4\u2028requests\x85",
    "unterminated-marker-and-brackets": 'flask[dev==1 ; python_version < "3\nx @ https://[\n',
}


@pytest.mark.parametrize("name", sorted(HOSTILE_REQUIREMENTS))
def test_hostile_requirements(name: str, write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    assert len(HOSTILE_REQUIREMENTS[name].encode()) <= MAX_BYTES  # really parsed, not refused
    path = write("requirements.txt", HOSTILE_REQUIREMENTS[name])
    outputs = run_everything(path, "requirements", capsys)
    for lines in outputs.values():
        assert not any("s3cret" in line for line in lines)


# ---------------------------------------------------------------------------
# Linear work
# ---------------------------------------------------------------------------

HOOKS_DIR = str(Path(all_rules.__file__).resolve().parent)


def lines_executed(function: Callable[[], object]) -> int:
    """How many lines of ``hooks/`` code ``function`` executes: a deterministic count of
    the work, loops included (a call count misses a quadratic loop without calls)."""
    count = 0

    def local(frame: FrameType, event: str, arg: object) -> object:
        nonlocal count
        if event == "line":
            count += 1
        return local

    def calls(frame: FrameType, event: str, arg: object) -> object:
        return local if frame.f_code.co_filename.startswith(HOOKS_DIR) else None

    previous = sys.gettrace()  # coverage's tracer, under pytest-cov
    sys.settrace(calls)  # type: ignore[arg-type]
    try:
        function()
    finally:
        sys.settrace(previous)
    return count


SCALABLE: dict[str, tuple[str, Callable[[int], str]]] = {
    "continuation": ("Dockerfile", lambda n: BASE + "RUN apt-get update \\\n" + "  && echo x \\\n" * n + "  && true\n"),
    "one-long-line-of-pip": ("Dockerfile", lambda n: BASE + "RUN " + "pip install flask && " * (n // 10) + "true\n"),
    "one-long-line-of-apt": (
        "Dockerfile", lambda n: BASE + "RUN " + "apt-get install -y curl && " * (n // 10) + "true\n",
    ),
    "heredocs": ("Dockerfile", lambda n: BASE + "RUN <<EOF\npip install flask\nEOF\n" * (n // 4)),
    "instructions": (
        "Dockerfile", lambda n: BASE + "".join(f"ENV A{i}=$A{i - 1}x\nRUN echo $A{i}\n" for i in range(n // 4)),
    ),
    "stages-chained": ("Dockerfile", lambda n: "FROM python:3.12-slim-bookworm AS s0\n" + "".join(
        f"FROM s{i} AS s{i + 1}\nENV E{i}=1\nCOPY . /app\nRUN pip install -r requirements.txt\n"
        for i in range(n // 40))),
    "suppressions": ("Dockerfile", lambda n: "".join(
        f"# dph: ignore=DPH201\nFROM python AS s{i}\n" for i in range(n // 10))),
    "requirements": ("requirements.txt", lambda n: "".join(f"pkg{i}>=1  # noqa: DPH101\n" for i in range(n // 4))),
}


@pytest.mark.parametrize("name", sorted(SCALABLE))
def test_work_is_linear(name: str, write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    file_name, make = SCALABLE[name]
    counts = []
    for size in (0, 4_000, 8_000):
        path = write(file_name, make(size))
        counts.append(lines_executed(lambda path=path: all_rules.main(["check", path])))  # type: ignore[misc]
        capsys.readouterr()
    base, single, double = counts
    assert double - base <= 2.5 * (single - base), (
        f"{name}: {single - base} lines run for an input, {double - base} for one twice its size"
    )
