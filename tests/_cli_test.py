from __future__ import annotations

import argparse

import pytest

from hooks import _cli
from hooks._dockerfile import Dockerfile
from hooks._files import Repo
from hooks._findings import ERROR, Finding, Rule
from tests.conftest import Writer

RULE = Rule("DPH401", "missing-user", ERROR, "x")


def _every_from(df: Dockerfile, args: argparse.Namespace) -> list[Finding]:
    return [RULE.at(df.path, s.from_.start_line, 1, f"stage {s.index}") for s in df.stages]


def _run(argv: list[str]) -> int:
    return _cli.run_dockerfile_hook(argv, doc="test hook.\n\nmore", rules=[RULE], check=_every_from)


def test_runs_check_on_each_file(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    a = write("a/Dockerfile", "FROM x AS one\nFROM y\n")
    b = write("Containerfile", "FROM z\n")
    assert _run([a, b]) == 1
    assert capsys.readouterr().out == (
        "Containerfile:1:1: DPH401 stage 0\n"
        "a/Dockerfile:1:1: DPH401 stage 0\n"
        "a/Dockerfile:2:1: DPH401 stage 1\n"
    )


def test_no_files_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run([]) == 0
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(b"", "DPH901 file is empty; a Dockerfile needs at least a FROM", id="empty"),
        pytest.param(b"  \n\n", "DPH901 file is empty; a Dockerfile needs at least a FROM", id="blank"),
        pytest.param(b"# just a comment\n", "DPH904 file has no instructions", id="comments-only"),
        pytest.param(b"\xff\xfeF\x00", "DPH901 cannot decode file as UTF-8 (invalid byte at offset 0, line 1)",
                     id="utf16"),
        pytest.param(b"FROM x\x00\n", "DPH901 file contains NUL bytes; is it binary?", id="nul"),
    ],
)
def test_bad_input_is_one_line(
    write: Writer, capsys: pytest.CaptureFixture[str], content: bytes, expected: str
) -> None:
    path = write("Dockerfile", content)
    assert _run([path]) == 1
    assert capsys.readouterr().out == f"Dockerfile:1:1: {expected}\n"


def test_syntax_errors_are_reported_with_findings(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    path = write("Dockerfile", "FROM x\nRUN <<EOF\necho\n")
    assert _run([path]) == 1
    assert capsys.readouterr().out == (
        "Dockerfile:1:1: DPH401 stage 0\n"
        "Dockerfile:2:1: DPH904 unterminated heredoc 'EOF': no line 'EOF' before end of file\n"
    )


def test_directory_and_missing(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    write("dir/Dockerfile/x", "")
    assert _run(["dir/Dockerfile", "nope/Dockerfile"]) == 1
    assert capsys.readouterr().out == (
        "dir/Dockerfile:1:1: DPH901 is a directory, not a file\n"
        "nope/Dockerfile:1:1: DPH901 no such file\n"
    )


def test_internal_error_becomes_a_finding(
    write: Writer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DPH_DEBUG")

    def broken(df: Dockerfile, args: argparse.Namespace) -> list[Finding]:
        raise KeyError("boom")

    path = write("Dockerfile", "FROM x\n")
    assert _cli.run_dockerfile_hook([path], doc=None, rules=[RULE], check=broken) == 1
    assert capsys.readouterr().out == (
        "Dockerfile:1:1: DPH901 internal error while checking this file (KeyError: 'boom'); please report it\n"
    )


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        _run(["--no-such-option"])
    assert exc.value.code == 2


def test_lint_text(write: Writer) -> None:
    path = write(".gitlab-ci.yml", "a: 1\n")
    repo = Repo()

    def count(p: str, text: str) -> list[Finding]:
        return [RULE.at(p, 1, 1, str(len(text)))]

    assert [f.message for f in _cli.lint_text(path, repo, [count])] == ["5"]
    assert [f.code for f in _cli.lint_text("missing.yml", repo, [count])] == ["DPH901"]


@pytest.mark.parametrize("columns", [40, 80, 160])
def test_help_is_sized_to_the_terminal_when_printed(columns: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The lazily sized formatter prints exactly what argparse's own would."""
    monkeypatch.setenv("COLUMNS", str(columns))
    doc = "a hook.\n\n" + "words " * 40
    ours = _cli.make_parser(doc, prog="hook")
    ours.add_argument("--target", metavar="NAME", help="the stage that is shipped " * 5)
    stock = argparse.ArgumentParser(prog="hook", description=doc.split("\n\n", 1)[0])
    stock.add_argument("filenames", nargs="*", metavar="FILE", help="files to check")
    stock.add_argument("--target", metavar="NAME", help="the stage that is shipped " * 5)
    assert ours.format_help() == stock.format_help()
    assert ours.format_usage() == stock.format_usage()


def test_settle_imports_only_for_console_scripts() -> None:
    import gc
    import subprocess
    import sys

    before = gc.get_freeze_count()
    _cli.settle_imports(["Dockerfile"])  # in-process caller: the collector is left alone
    assert gc.get_freeze_count() == before
    code = "import gc\nfrom hooks import _cli\n_cli.settle_imports(None)\nprint(gc.get_freeze_count() > 0)\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "True"
