from __future__ import annotations

import argparse

import pytest

from hooks import _cli
from hooks._dockerfile import Dockerfile
from hooks._files import Repo
from hooks._findings import ERROR, Finding, Rule
from hooks._hook import TARGET, Context, Hook, Option
from hooks._requirements import RequirementsSet
from tests.conftest import Writer

RULE = Rule("DPH401", "missing-user", ERROR, "x")


def _every_from(df: Dockerfile, ctx: Context) -> list[Finding]:
    return [RULE.at(df.path, s.from_.start_line, 1, f"stage {s.index}") for s in df.stages]


HOOK = Hook(id="test-hook", doc="test hook.\n\nmore", rules=(RULE,), dockerfile=_every_from)


def _run(argv: list[str]) -> int:
    return _cli.run_hook(HOOK, argv)


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
        pytest.param(b"services:\n  web:\n    image: nginx:1.27\n", "DPH901 not a Dockerfile: no line is a "
                     "Dockerfile instruction (line 1 starts with 'services:')", id="yaml-named-dockerfile"),
        pytest.param(b"#!/bin/sh\nset -e\necho hi\n", "DPH901 not a Dockerfile: no line is a Dockerfile "
                     "instruction (line 2 starts with 'set')", id="script-named-dockerfile"),
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

    def broken(df: Dockerfile, ctx: Context) -> list[Finding]:
        raise KeyError("boom")

    path = write("Dockerfile", "FROM x\n")
    assert _cli.run_hook(Hook(id="broken", doc="", rules=(RULE,), dockerfile=broken), [path]) == 1
    assert capsys.readouterr().out == (
        "Dockerfile:1:1: DPH901 internal error while checking this file (KeyError: 'boom'); please report it\n"
    )


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        _run(["--no-such-option"])
    assert exc.value.code == 2


def test_lint_text(write: Writer) -> None:
    path = write(".gitlab-ci.yml", "a: 1\n")
    ctx = Context(Repo(), argparse.Namespace())

    def count(p: str, text: str, ctx: Context) -> list[Finding]:
        return [RULE.at(p, 1, 1, str(len(text)))]

    assert [f.message for f in _cli.lint_text(path, ctx, [count])] == ["5"]
    assert [f.code for f in _cli.lint_text("missing.yml", ctx, [count])] == ["DPH901"]


def test_options_reach_the_check(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    seen: list[argparse.Namespace] = []

    def record(df: Dockerfile, ctx: Context) -> list[Finding]:
        seen.append(ctx.options)
        return []

    hook = Hook(
        id="opts", doc="opts.", rules=(RULE,), dockerfile=record,
        options=(TARGET, Option("all-stages", "x", "flag"), Option("allow", "x", "names", "N[,N]")),
    )
    path = write("Dockerfile", "FROM x\n")
    assert _cli.run_hook(hook, [path, "--target", "app", "--all-stages", "--allow", "a, b", "--allow", "c"]) == 0
    assert (seen[0].target, seen[0].all_stages, seen[0].allow) == ("app", True, ["a", "b", "c"])
    assert _cli.run_hook(hook, [path]) == 0
    assert (seen[1].target, seen[1].all_stages, seen[1].allow) == (None, False, [])


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        pytest.param("Dockerfile", "dockerfile", id="dockerfile"),
        pytest.param("requirements/prod.txt", "requirements", id="requirements"),
        pytest.param("Requirements.txt", "requirements", id="capital-requirements"),
        pytest.param("deps.in", "requirements", id="unrecognised-in"),
        pytest.param("build/base.image", "dockerfile", id="unrecognised-other"),
    ],
)
def test_kind_for_a_hook_of_two_kinds(path: str, kind: str) -> None:
    def reqs(model: RequirementsSet, ctx: Context) -> list[Finding]:
        return []

    hook = Hook(id="two", doc="two.", rules=(RULE,), dockerfile=_every_from, requirements=reqs)
    assert _cli.kind_for(hook, path) == kind
    assert _cli.kind_for(HOOK, path) == "dockerfile"  # a one-kind hook reads what it is given
