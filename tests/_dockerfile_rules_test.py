"""The Dockerfile model against BuildKit's rules, one rule at a time.

Each case names the rule from ``moby/buildkit/frontend/dockerfile/parser`` (and the
shell lexer) it pins down; ``../shared/notes/parsing.md`` explains why each matters
(the failures of other parsers). Line numbers are 1-based, columns 1-based.
"""
from __future__ import annotations

import pytest

from hooks._dockerfile import (
    MAX_EXPANSION_DEPTH,
    MAX_EXPANSION_GROWTH,
    Dockerfile,
    Expanded,
    Flag,
    Heredoc,
    Instruction,
    Var,
    expand,
    parse,
)


def shape(df: Dockerfile) -> list[tuple[str, int, int]]:
    """(keyword, start line, end line) of every instruction."""
    return [(i.keyword, i.start_line, i.end_line) for i in df.instructions]


def errors(df: Dockerfile) -> list[tuple[int, str]]:
    return [(p.line, p.message) for p in df.errors]


def only(df: Dockerfile, keyword: str) -> Instruction:
    found = [i for i in df.instructions if i.keyword == keyword]
    assert len(found) == 1, shape(df)
    return found[0]


# ---------------------------------------------------------------------------
# Parser directives
# ---------------------------------------------------------------------------

DIRECTIVES = [
    pytest.param("# syntax=docker/dockerfile:1\n# escape=`\nFROM a\n",
                 {"syntax": ("docker/dockerfile:1", 1), "escape": ("`", 2)}, "`", id="syntax-then-escape"),
    pytest.param("#ESCAPE = `  \nFROM a\n", {"escape": ("`", 1)}, "`", id="case-and-blanks"),
    pytest.param("# check=skip=all\n# escape=`\nFROM a\n",
                 {"check": ("skip=all", 1), "escape": ("`", 2)}, "`", id="check-is-a-directive"),
    pytest.param("# a comment\n# escape=`\nFROM a\n", {}, "\\", id="after-a-comment-not-a-directive"),
    pytest.param("\n# escape=`\nFROM a\n", {}, "\\", id="after-a-blank-line-not-a-directive"),
    pytest.param("FROM a\n# escape=`\n", {}, "\\", id="after-an-instruction-not-a-directive"),
    pytest.param("# unknown=x\n# escape=`\nFROM a\n", {}, "\\", id="unknown-directive-ends-directives"),
    pytest.param("  # escape=`\nFROM a\n", {"escape": ("`", 1)}, "`", id="leading-blanks"),
    pytest.param("# escape=\nFROM a\n", {}, "\\", id="empty-value-is-a-comment"),
]


@pytest.mark.parametrize(("text", "expected", "escape"), DIRECTIVES)
def test_directives(text: str, expected: dict[str, tuple[str, int]], escape: str) -> None:
    df = parse(text)
    assert {d.name: (d.value, d.line) for d in df.directives.values()} == expected
    assert df.escape == escape
    assert df.errors == []


@pytest.mark.parametrize(("text", "error"), [
    pytest.param("# escape=`\n# escape=\\\nFROM a\n", (2, "only one 'escape' parser directive can be used"),
                 id="duplicate"),
    pytest.param("# syntax=a\n# SYNTAX=b\nFROM a\n", (2, "only one 'syntax' parser directive can be used"),
                 id="duplicate-any-case"),
    pytest.param("# escape=x\nFROM a\n", (1, "invalid escape token 'x': use '\\' or '`'"), id="bad-escape"),
])
def test_directive_errors(text: str, error: tuple[int, str]) -> None:
    assert errors(parse(text)) == [error]


def test_directives_are_comments_too() -> None:
    """A directive is a comment line as well (suppressions are read from comments)."""
    df = parse("# syntax=docker/dockerfile:1\n# dph: ignore=DPH401\nFROM a\n")
    assert [c.line for c in df.comments] == [2]
    assert df.comments[0].text == "dph: ignore=DPH401"


# ---------------------------------------------------------------------------
# The escape token
# ---------------------------------------------------------------------------

def test_backtick_escape_continues_lines_and_keeps_backslashes() -> None:
    df = parse("# escape=`\nFROM a\nENV TOOLS=C:\\tools;C:\\bin\nCOPY x c:\\\nRUN dir c:\\ `\n    && echo done\n")
    assert shape(df) == [("FROM", 2, 2), ("ENV", 3, 3), ("COPY", 4, 4), ("RUN", 5, 6)]
    env = df.instructions[-1].env_vars
    assert env["TOOLS"] == Var("C:\\tools;C:\\bin", True)
    assert df.instructions[2].args == "x c:\\"
    assert df.instructions[3].args == "dir c:\\     && echo done"


def test_backslash_is_not_a_continuation_under_backtick() -> None:
    df = parse("# escape=`\nFROM a\nRUN echo \\\nUSER app\n")
    assert shape(df) == [("FROM", 2, 2), ("RUN", 3, 3), ("USER", 4, 4)]


JOINED = [("FROM", 1, 1), ("RUN", 2, 3)]
SEPARATE = [("FROM", 1, 1), ("RUN", 2, 2), ("USER", 3, 3)]


@pytest.mark.parametrize(("line", "expected"), [
    pytest.param("RUN a \\", JOINED, id="token"),
    pytest.param("RUN a \\ \t ", JOINED, id="token-then-blanks"),
    pytest.param("RUN a\\\\", SEPARATE, id="doubled-token-is-escaped"),
    pytest.param("RUN a \\x", SEPARATE, id="token-inside"),
    pytest.param("\\", [("FROM", 1, 1), ("USER", 2, 3)], id="token-alone-joins-the-next-line"),
])
def test_continuation_rule(line: str, expected: list[tuple[str, int, int]]) -> None:
    assert shape(parse(f"FROM a\n{line}\nUSER app\n")) == expected


def test_escape_token_in_expansion() -> None:
    lookup = {"HOME": Var("/root", True)}.get
    assert expand("\\$HOME", lookup) == Expanded("$HOME", True)
    assert expand("`$HOME", lookup, "`") == Expanded("$HOME", True)
    assert expand("C:\\$HOME", lookup, "`") == Expanded("C:\\/root", True)
    assert expand('"a\\"b"', lookup) == Expanded('a"b', True)
    assert expand('"a`"b"', lookup, "`") == Expanded('a"b', True)


# ---------------------------------------------------------------------------
# Comments and blank lines inside continuations
# ---------------------------------------------------------------------------

def test_comment_inside_continuation_is_dropped_but_kept() -> None:
    df = parse("FROM a\nRUN apt-get update \\\n    # why\n    && apt-get install -y curl\n")
    run = only(df, "RUN")
    assert (run.start_line, run.end_line) == (2, 4)
    assert run.args == "apt-get update     && apt-get install -y curl"
    assert [(c.line, c.text, c.inside) for c in df.comments] == [(3, "why", True)]


def test_blank_continuation_lines_are_skipped_with_a_warning() -> None:
    """dockerfile-parse ends the RUN at the blank line and makes ``&& rm`` an instruction."""
    df = parse("FROM a\nRUN a \\\n# c\n&& b \\\n\n   \t \n&& rm -rf /var/lib/apt/lists/*\n")
    assert shape(df) == [("FROM", 1, 1), ("RUN", 2, 7)]
    assert only(df, "RUN").args == "a && b && rm -rf /var/lib/apt/lists/*"
    assert [(w.line, w.message) for w in df.warnings] == [
        (2, "empty continuation line inside the instruction"),
    ]


def test_an_instruction_joined_after_an_empty_continuation_line_is_an_error() -> None:
    """BuildKit joins ``WORKDIR /app`` to the RUN: no WORKDIR is set; a reader sees one."""
    df = parse("FROM a\nRUN apt-get update && echo done \\\n\nWORKDIR /app\nUSER app\n")
    assert shape(df) == [("FROM", 1, 1), ("RUN", 2, 4), ("USER", 5, 5)]
    assert only(df, "RUN").empty_continuation == 3
    assert [(e.line, e.message) for e in df.errors] == [
        (3, "empty continuation line: BuildKit joins line 4 ('WORKDIR /app') to this RUN; "
            "drop the '\\' that continues it to the empty line"),
    ]


@pytest.mark.parametrize("joined", ["  && rm -rf /var/lib/apt/lists/*", "    WORKDIR /app",
                                    "env X=1 true", "COPYRIGHTS"])
def test_an_empty_continuation_line_joining_no_instruction_only_warns(joined: str) -> None:
    df = parse(f"FROM a\nRUN a \\\n\n{joined}\nUSER app\n")
    assert df.errors == []
    assert [(w.line, w.message) for w in df.warnings] == [(2, "empty continuation line inside the instruction")]
    assert only(df, "RUN").empty_continuation == 3


def test_an_unindented_instruction_joined_by_a_continuation_is_an_error() -> None:
    """``RUN pip wheel ... \\`` then ``RUN tox``: BuildKit makes 'RUN tox' words of pip's command."""
    df = parse("FROM a\nRUN pip wheel -w /w \\\n    -r req.txt \\\nRUN tox --version\nUSER app\n")
    assert shape(df) == [("FROM", 1, 1), ("RUN", 2, 4), ("USER", 5, 5)]
    assert [(e.line, e.message) for e in df.errors] == [
        (4, "line 4 ('RUN tox --version') starts like an instruction, but the '\\' at the end of line 3 "
            "joins it to the RUN on line 2 as more words; drop that '\\'"),
    ]


@pytest.mark.parametrize("joined", ["    RUN tox", "run tox", "RUNNER=1 tox", "ENVIRONMENT=x make"])
def test_an_indented_or_other_word_continuation_is_no_error(joined: str) -> None:
    assert parse(f"FROM a\nRUN a \\\n{joined}\n").errors == []


def test_comment_ending_in_escape_does_not_continue() -> None:
    df = parse("FROM a\n# comment \\\nUSER app\n")
    assert shape(df) == [("FROM", 1, 1), ("USER", 3, 3)]


def test_hash_inside_an_instruction_is_an_argument() -> None:
    assert only(parse("FROM a\nRUN echo # not a comment\n"), "RUN").args == "echo # not a comment"


# ---------------------------------------------------------------------------
# Heredocs
# ---------------------------------------------------------------------------

HEREDOCS = [
    pytest.param(
        "FROM a\nRUN <<EOF\napt-get update\nEOF\nUSER app\n",
        [("FROM", 1, 1), ("RUN", 2, 4), ("USER", 5, 5)],
        [Heredoc("EOF", True, False, "apt-get update\n", 3, 4, True)],
        id="plain",
    ),
    pytest.param(
        "FROM a\nRUN <<-EOT\n\techo hi\n\t\tx\n\tEOT\n",
        [("FROM", 1, 1), ("RUN", 2, 5)],
        [Heredoc("EOT", True, True, "echo hi\nx\n", 3, 5, True)],
        id="chomp-strips-leading-tabs",
    ),
    pytest.param(
        "FROM a\nRUN <<'EOF'\nFROM evil:latest\nEOF\n",
        [("FROM", 1, 1), ("RUN", 2, 4)],
        [Heredoc("EOF", False, False, "FROM evil:latest\n", 3, 4, True)],
        id="single-quoted-body-not-expanded",
    ),
    pytest.param(
        'FROM a\nCOPY <<"EOF" /etc/motd\nUSER root\nEOF\n',
        [("FROM", 1, 1), ("COPY", 2, 4)],
        [Heredoc("EOF", False, False, "USER root\n", 3, 4, True)],
        id="double-quoted-copy-body-is-not-a-user",
    ),
    pytest.param(
        "FROM a\nRUN <<A <<B && x\na\nA\nb\nB\nUSER app\n",
        [("FROM", 1, 1), ("RUN", 2, 6), ("USER", 7, 7)],
        [Heredoc("A", True, False, "a\n", 3, 4, True), Heredoc("B", True, False, "b\n", 5, 6, True)],
        id="several-per-line-read-in-order",
    ),
    pytest.param(
        "FROM a\nCOPY <<X <<Y /dest\nY\nX\nX\nY\n",
        [("FROM", 1, 1), ("COPY", 2, 6)],
        [Heredoc("X", True, False, "Y\n", 3, 4, True), Heredoc("Y", True, False, "X\n", 5, 6, True)],
        id="only-the-current-terminator-counts",
    ),
    pytest.param(
        "FROM a\nRUN 3<<EOF cat /dev/fd/3\nk=v\nEOF\n",
        [("FROM", 1, 1), ("RUN", 2, 4)],
        [Heredoc("EOF", True, False, "k=v\n", 3, 4, True)],
        id="file-descriptor",
    ),
    pytest.param(
        "FROM a\nRUN --mount=type=cache,target=/c \\\n    <<EOF\nx\nEOF\n",
        [("FROM", 1, 1), ("RUN", 2, 5)],
        [Heredoc("EOF", True, False, "x\n", 4, 5, True)],
        id="after-a-continuation",
    ),
    pytest.param(
        "FROM a\nRUN << EOF\nx\nEOF\n",
        [("FROM", 1, 1), ("RUN", 2, 4)],
        [Heredoc("EOF", True, False, "x\n", 3, 4, True)],
        id="blank-after-operator-buildkit-0.22",
    ),
    pytest.param(
        "FROM a\nRUN <<EOF\n\nEOF\n",
        [("FROM", 1, 1), ("RUN", 2, 4)],
        [Heredoc("EOF", True, False, "\n", 3, 4, True)],
        id="blank-body-line",
    ),
    pytest.param(
        "FROM a\nRUN <<EOF\nEOF\n",
        [("FROM", 1, 1), ("RUN", 2, 3)],
        [Heredoc("EOF", True, False, "", 3, 3, True)],
        id="empty-body",
    ),
    pytest.param(
        "FROM a\nRUN <<E$A\nx\nE$A\n",
        [("FROM", 1, 1), ("RUN", 2, 4)],
        [Heredoc("E$A", True, False, "x\n", 3, 4, True)],
        id="variables-in-the-name-stay-literal",
    ),
    pytest.param(
        "FROM a\nRUN <<EOF ${A%%.*}\nx\nEOF\n",
        [("FROM", 1, 1), ("RUN", 2, 4)],
        [Heredoc("EOF", True, False, "x\n", 3, 4, True)],
        id="pattern-substitution-on-the-line",
    ),
]


@pytest.mark.parametrize(("text", "expected", "docs"), HEREDOCS)
def test_heredocs(text: str, expected: list[tuple[str, int, int]], docs: list[Heredoc]) -> None:
    df = parse(text)
    assert shape(df) == expected
    assert list(df.instructions[1].heredocs) == docs
    assert df.errors == []


NOT_HEREDOCS = [
    pytest.param("FROM a\nRUN cat<<EOF\nx\nEOF\n", id="not-at-word-start"),
    pytest.param('FROM a\nRUN echo "<<EOF"\nx\nEOF\n', id="quoted-operator"),
    pytest.param('FROM a\nRUN ["<<EOF"]\nx\nEOF\n', id="json-form"),
    pytest.param("FROM a\nUSER <<EOF\nx\nEOF\n", id="not-run-copy-add"),
    pytest.param("FROM a\nRUN <<EOF 'unterminated\nx\nEOF\n", id="lexer-error-on-the-line"),
    pytest.param("FROM a\nRUN <<EOF ${A\nx\nEOF\n", id="missing-brace-on-the-line"),
    pytest.param("FROM a\nRUN <<- EOF\nx\nEOF\n", id="blank-after-chomp-operator"),
    pytest.param('FROM a\nRUN <<""\nx\nEOF\n', id="empty-name"),
    pytest.param("FROM a\nRUN <<<EOF\nx\nEOF\n", id="here-string"),
]


@pytest.mark.parametrize("text", NOT_HEREDOCS)
def test_not_heredocs(text: str) -> None:
    df = parse(text)
    assert df.instructions[1].heredocs == ()
    assert df.instructions[1].end_line == 2
    assert [i.keyword for i in df.instructions[2:]] == ["X", "EOF"]


def test_onbuild_heredoc_belongs_to_the_trigger() -> None:
    """BuildKit 0.12 loses the content of ``ONBUILD RUN <<EOF``; we keep it."""
    df = parse("FROM a\nONBUILD RUN <<EOF\nUSER root\nEOF\nUSER app\n")
    assert shape(df) == [("FROM", 1, 1), ("ONBUILD", 2, 4), ("USER", 5, 5)]
    onbuild = df.instructions[1]
    assert onbuild.sub is not None
    assert (onbuild.sub.keyword, onbuild.sub.start_line, onbuild.sub.end_line) == ("RUN", 2, 4)
    assert onbuild.sub.heredocs == (Heredoc("EOF", True, False, "USER root\n", 3, 4, True),)
    assert onbuild.heredocs == ()


def test_unterminated_heredoc_is_an_error_and_swallows_nothing_silently() -> None:
    df = parse("FROM a\nRUN <<EOF\necho hi\nUSER root\n")
    assert shape(df) == [("FROM", 1, 1), ("RUN", 2, 4)]
    assert df.instructions[1].heredocs == (Heredoc("EOF", True, False, "echo hi\nUSER root\n", 3, 4, False),)
    assert errors(df) == [(2, "unterminated heredoc 'EOF': no line 'EOF' before end of file")]


def test_heredoc_terminator_is_the_whole_line() -> None:
    df = parse("FROM a\nRUN <<EOF\n EOF\nEOF \nEOF\n")
    assert df.instructions[1].heredocs[0].content == " EOF\nEOF \n"


def test_heredoc_with_crlf() -> None:
    df = parse("FROM a\r\nRUN <<EOF\r\nx\r\nEOF\r\nUSER app\r\n")
    assert shape(df) == [("FROM", 1, 1), ("RUN", 2, 4), ("USER", 5, 5)]
    assert df.instructions[1].heredocs[0].content == "x\n"


# ---------------------------------------------------------------------------
# JSON (exec) form and shell form
# ---------------------------------------------------------------------------

JSON_FORMS = [
    pytest.param('CMD ["python", "-m", "app"]', ("python", "-m", "app"), id="exec"),
    pytest.param('ENTRYPOINT [ "a" , "b" ]  ', ("a", "b"), id="blanks"),
    pytest.param("CMD []", (), id="empty"),
    pytest.param('RUN ["\\u00e9", "a\\"b"]', ("é", 'a"b'), id="escapes"),
    pytest.param('CMD [ "bad json', None, id="broken-is-shell-form"),
    pytest.param("CMD ['single']", None, id="single-quotes-are-shell-form"),
    pytest.param('CMD ["a"] trailing', None, id="trailing-text-is-shell-form"),
    pytest.param('USER ["root"]', None, id="user-has-no-json-form"),
    pytest.param('SHELL ["/bin/bash", "-c"]', ("/bin/bash", "-c"), id="shell"),
    pytest.param('COPY --chown=a ["a b", "/x"]', ("a b", "/x"), id="copy-after-flags"),
    pytest.param('VOLUME ["/data"]', ("/data",), id="volume"),
    pytest.param('CMD [NaN]', None, id="no-javascript-constants"),
]


@pytest.mark.parametrize(("line", "expected"), JSON_FORMS)
def test_json_form(line: str, expected: tuple[str, ...] | None) -> None:
    df = parse(f"FROM a\n{line}\n")
    instr = df.instructions[1]
    assert instr.json == expected
    assert instr.words() == (list(expected) if expected is not None else instr.args.split())


@pytest.mark.parametrize("line", ['CMD ["a", 1]', "RUN [true]", 'HEALTHCHECK CMD ["curl", null]'])
def test_json_array_of_non_strings_is_an_error(line: str) -> None:
    df = parse(f"FROM a\n{line}\n")
    keyword = line.split(maxsplit=1)[0]
    assert errors(df) == [(2, f"{keyword}: a JSON array must hold strings only; quote every item")]
    assert df.instructions[1].json is None


# ---------------------------------------------------------------------------
# Flags
# ---------------------------------------------------------------------------

FLAGS = [
    pytest.param("FROM --platform=$BUILDPLATFORM python:3.12 AS b",
                 [Flag("platform", "$BUILDPLATFORM")], "python:3.12 AS b", id="from-platform"),
    pytest.param("COPY --from=builder --chown=app:app --link /a /b",
                 [Flag("from", "builder"), Flag("chown", "app:app"), Flag("link", None)], "/a /b", id="copy"),
    pytest.param("RUN --mount=type=cache,target=/c --mount=type=secret,id=s pip install x",
                 [Flag("mount", "type=cache,target=/c"), Flag("mount", "type=secret,id=s")],
                 "pip install x", id="run-mounts"),
    pytest.param('COPY --chown="app user" a b', [Flag("chown", "app user")], "a b", id="quoted-value"),
    pytest.param("RUN -- --not-a-flag", [], "--not-a-flag", id="double-dash-ends-flags"),
    pytest.param("RUN echo --not-a-flag", [], "echo --not-a-flag", id="only-leading"),
    pytest.param("HEALTHCHECK --interval=30s --retries=3 CMD curl -f http://x/",
                 [Flag("interval", "30s"), Flag("retries", "3")], "CMD curl -f http://x/", id="healthcheck"),
    pytest.param("RUN --network=none", [Flag("network", "none")], "", id="flags-only"),
]


@pytest.mark.parametrize(("line", "flags", "args"), FLAGS)
def test_flags(line: str, flags: list[Flag], args: str) -> None:
    instr = parse(f"FROM a\n{line}\n").instructions[-1]
    if instr.keyword == "FROM":
        instr = parse(f"{line}\n").instructions[0]
    assert list(instr.flags) == flags
    assert instr.args == args


def test_flag_accessors() -> None:
    instr = parse("FROM a\nRUN --mount=type=cache,target=/a --link --mount=type=tmpfs,target=/b x\n").instructions[1]
    assert instr.flag("mount") == "type=tmpfs,target=/b"
    assert instr.flag("link") == ""
    assert instr.flag("network") is None
    assert instr.flag_values("mount") == ["type=cache,target=/a", "type=tmpfs,target=/b"]


# ---------------------------------------------------------------------------
# Instructions, ONBUILD, case
# ---------------------------------------------------------------------------

def test_case_insensitive_keywords() -> None:
    df = parse("from a AS Build\nRun echo\nuser app\n")
    assert [(i.keyword, i.keyword_raw) for i in df.instructions] == [
        ("FROM", "from"), ("RUN", "Run"), ("USER", "user"),
    ]
    assert df.stages[0].name == "build"


def test_onbuild_sub_instruction() -> None:
    df = parse("FROM a\nONBUILD COPY --chown=app . /app\nONBUILD ONBUILD RUN x\n")
    copy = df.instructions[1].sub
    assert copy is not None
    assert (copy.keyword, copy.flags, copy.args) == ("COPY", (Flag("chown", "app"),), ". /app")
    assert errors(df) == [(3, "ONBUILD cannot contain another ONBUILD")]
    assert list(df.all_instructions())[1:3] == [df.instructions[1], copy]


def test_unknown_instruction_is_an_error_at_its_column() -> None:
    df = parse("FROM a\n  apt-get install x\n")
    assert [(p.line, p.col, p.message) for p in df.errors] == [(2, 3, "unknown instruction 'apt-get'")]


def test_only_arg_before_from() -> None:
    df = parse("ARG V=1\nRUN x\nFROM a\n")
    assert errors(df) == [(2, "RUN before the first FROM: only ARG may come before FROM")]


@pytest.mark.parametrize(("line", "message"), [
    pytest.param("ENV A=1 B", "ENV: no '=' in 'B'; use name=value", id="env-missing-equals"),
    pytest.param("ENV A", "ENV needs a value: use name=value", id="env-legacy-one-word"),
    pytest.param("ENV", "ENV needs a name and a value", id="env-empty"),
    pytest.param("LABEL a=b c", "LABEL: no '=' in 'c'; use name=value", id="label-missing-equals"),
    pytest.param("LABEL a", "LABEL needs a value: use name=value", id="label-one-word"),
    pytest.param("ONBUILD ENV A=1 B", "ENV: no '=' in 'B'; use name=value", id="onbuild-env"),
])
def test_env_and_label_syntax_errors(line: str, message: str) -> None:
    assert [p.message for p in parse(f"FROM a\n{line}\n").errors] == [message]


@pytest.mark.parametrize(("text", "error"), [
    # Real-world shape: the bad word repeats the start of an earlier name; BuildKit says
    # 'can't find = in "KAGGLE"', and the column must be that of the second word.
    pytest.param("ENV KAGGLE_USERNAME=x KAGGLE", (2, 23, "ENV: no '=' in 'KAGGLE'; use name=value"),
                 id="prefix-of-earlier-name"),
    pytest.param("ENV KAGGLE_USERNAME=x \\\n    KAGGLE", (3, 5, "ENV: no '=' in 'KAGGLE'; use name=value"),
                 id="continued-line"),
    pytest.param('LABEL a="x a" a', (2, 15, "LABEL: no '=' in 'a'; use name=value"),
                 id="inside-earlier-quoted-value"),
    pytest.param("ENV A=1 A=2 A", (2, 13, "ENV: no '=' in 'A'; use name=value"), id="same-word-again"),
])
def test_missing_equals_reported_at_the_offending_word(text: str, error: tuple[int, int, str]) -> None:
    df = parse(f"FROM a\n{text}\n")
    assert [(p.line, p.col, p.message) for p in df.errors] == [error]


@pytest.mark.parametrize(("line", "message"), [
    # Real-world shape: 'COPY .' with the destination forgotten; BuildKit refuses it.
    pytest.param("COPY .", "COPY needs a source and a destination: COPY <src>... <dest>", id="copy-one-word"),
    pytest.param("ADD --chown=app:app app.tar.gz", "ADD needs a source and a destination: ADD <src>... <dest>",
                 id="add-flags-do-not-count"),
    pytest.param('COPY ["requirements.txt"]', "COPY needs a source and a destination: COPY <src>... <dest>",
                 id="copy-json-one-item"),
    pytest.param("COPY", "COPY needs a source and a destination: COPY <src>... <dest>", id="copy-empty"),
])
def test_copy_without_destination(line: str, message: str) -> None:
    assert [p.message for p in parse(f"FROM a\n{line}\n").errors] == [message]


@pytest.mark.parametrize("line", [
    "COPY . /app", "COPY <<EOF /etc/motd\nhi\nEOF", 'COPY ["a b", "/x/"]', "ADD --link a b",
    "ONBUILD COPY . /app",
])
def test_copy_with_destination(line: str) -> None:
    assert parse(f"FROM a\n{line}\n").errors == []


@pytest.mark.parametrize(("line", "pairs"), [
    pytest.param('ENV A=1 B="x y" C=', [("A", "1"), ("B", '"x y"'), ("C", "")], id="name-value"),
    pytest.param("ENV LEGACY value with spaces", [("LEGACY", "value with spaces")], id="legacy"),
    pytest.param('LABEL "a b"="c d" e=f', [('"a b"', '"c d"'), ("e", "f")], id="quoted-label"),
])
def test_key_values(line: str, pairs: list[tuple[str, str]]) -> None:
    df = parse(f"FROM a\n{line}\n")
    assert [(k, v) for k, v, _ in df.instructions[1].key_values(df.escape)] == pairs
    assert df.errors == []


def test_line_longer_than_buildkit_accepts() -> None:
    ok = parse("FROM a\nRUN " + "x" * 65531 + "\n")
    assert ok.errors == []
    too_long = parse("FROM a\nRUN " + "é" * 32766 + "\n")  # 65 536 bytes
    assert errors(too_long) == [(2, "line is longer than 65535 bytes, which BuildKit refuses")]


# ---------------------------------------------------------------------------
# Line endings, BOM, end of file
# ---------------------------------------------------------------------------

def test_crlf() -> None:
    df = parse("FROM a\r\nRUN a \\\r\n  b\r\nUSER app\r\n")
    assert shape(df) == [("FROM", 1, 1), ("RUN", 2, 3), ("USER", 4, 4)]
    assert df.newline == "\r\n"
    assert df.lines == ["FROM a", "RUN a \\", "  b", "USER app"]
    assert only(df, "RUN").args == "a   b"


def test_bom_is_stripped() -> None:
    """dockerfile-parse keeps it: the first instruction becomes '\\ufeffFROM'."""
    df = parse("\ufeffFROM python:3.12\nUSER app\n")
    assert shape(df) == [("FROM", 1, 1), ("USER", 2, 2)]
    assert df.stages[0].image.value == "python:3.12"
    assert df.instructions[0].position(0) == (1, 1)


def test_bom_before_a_directive() -> None:
    assert parse("\ufeff# escape=`\nFROM a\n").escape == "`"


def test_cr_only_is_one_line() -> None:
    """Docker splits on \\n only: a CR-only file is a single line."""
    df = parse("FROM a\rUSER root\r")
    assert len(df.lines) == 1
    assert shape(df) == [("FROM", 1, 1)]


def test_mixed_line_endings() -> None:
    df = parse("FROM a\r\nRUN x\nUSER app\r\n")
    assert shape(df) == [("FROM", 1, 1), ("RUN", 2, 2), ("USER", 3, 3)]
    assert df.lines == ["FROM a", "RUN x", "USER app"]


def test_unicode_line_separators_do_not_split_lines() -> None:
    """str.splitlines() splits on these; BuildKit does not (dfp shifted every line)."""
    df = parse('FROM a\nLABEL a="x\u2028y" b="p\x0cq" c="\x85"\nUSER app\n')
    assert shape(df) == [("FROM", 1, 1), ("LABEL", 2, 2), ("USER", 3, 3)]


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("FROM a\nRUN echo hi \\", [("FROM", 1, 1), ("RUN", 2, 2)], id="eof-after-escape"),
    pytest.param("FROM a\nRUN echo hi \\\n", [("FROM", 1, 1), ("RUN", 2, 2)], id="eof-after-escape-newline"),
    pytest.param("FROM a\nRUN a \\\n# c\n", [("FROM", 1, 1), ("RUN", 2, 3)], id="eof-after-comment"),
    pytest.param("FROM a\nRUN a \\\n\n\n", [("FROM", 1, 1), ("RUN", 2, 4)], id="eof-after-blank-lines"),
    pytest.param("FROM a", [("FROM", 1, 1)], id="no-final-newline"),
])
def test_end_of_file_inside_a_continuation(text: str, expected: list[tuple[str, int, int]]) -> None:
    """dockerfile-parse silently drops the last instruction here."""
    assert shape(parse(text)) == expected


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "   \n\t\n", "\ufeff"])
def test_no_instructions(text: str) -> None:
    df = parse(text)
    assert df.instructions == []
    assert df.stages == []
    assert df.final_stage() is None


# ---------------------------------------------------------------------------
# Positions
# ---------------------------------------------------------------------------

def test_positions_through_continuations() -> None:
    df = parse("FROM a\nRUN apt-get update \\\n    # note\n    && apt-get install -y curl\n")
    run = only(df, "RUN")
    assert run.args_position() == (2, 5)
    offset = run.args.index("&&")
    assert run.args_position(offset) == (4, 5)
    assert run.find("curl") == (4, 27)


def test_positions_with_leading_blanks_crlf_and_bom() -> None:
    df = parse("\ufeff  FROM a\r\n\tUSER  root\r\n")
    assert df.instructions[0].position(0) == (1, 3)
    user = df.instructions[1]
    assert user.position(0) == (2, 2)
    assert user.args_position() == (2, 8)


def test_positions_of_an_onbuild_trigger() -> None:
    df = parse("FROM a\nONBUILD \\\n  USER root\n")
    sub = df.instructions[1].sub
    assert sub is not None
    assert sub.position(0) == (3, 3)
    assert sub.args_position() == (3, 8)


def test_position_maps_back_to_the_same_character() -> None:
    text = "FROM a\nRUN --mount=type=cache,target=/x \\\n  # c\n\n\tpip install \\\n  -r requirements.txt\n"
    df = parse(text)
    run = only(df, "RUN")
    for offset, char in enumerate(run.line):
        line, col = run.position(offset)
        assert df.lines[line - 1][col - 1] == char


def test_offset_of_a_position() -> None:
    df = parse("FROM a\r\nUSER root\r\n")
    assert df.text[df.offset(2, 6):].startswith("root")


# ---------------------------------------------------------------------------
# Stages
# ---------------------------------------------------------------------------

STAGES = (
    "ARG BASE=python:3.12-slim\n"
    "FROM ${BASE} AS Builder\n"
    "RUN build\n"
    "FROM builder AS test\n"
    "FROM scratch\n"
    "COPY --from=Builder /a /a\n"
    "COPY --from=0 /b /b\n"
    "FROM test AS final\n"
)


def test_stage_graph() -> None:
    df = parse(STAGES)
    assert [(s.index, s.name, s.image.value, s.parent) for s in df.stages] == [
        (0, "builder", "python:3.12-slim", None),
        (1, "test", "builder", 0),
        (2, None, "scratch", None),
        (3, "final", "test", 1),
    ]
    assert df.final_stage() is df.stages[3]
    assert df.final_stage("TEST") is df.stages[1]
    assert df.final_stage("nope") is None
    assert [s.index for s in df.chain(df.stages[3])] == [0, 1, 3]
    assert df.stage_ref("builder") is df.stages[0]
    assert df.stage_ref("0") is df.stages[0]
    assert df.stage_ref("final", before=3) is None
    assert df.stage_ref("python:3.12") is None
    assert [i.keyword for i in df.stages[2].instructions] == ["COPY", "COPY"]
    assert [i.stage for i in df.instructions] == [-1, 0, 0, 1, 2, 2, 2, 3]


def test_from_a_later_stage_is_an_image() -> None:
    df = parse("FROM later AS first\nFROM a AS later\n")
    assert df.stages[0].parent is None


def test_from_platform_and_bad_from() -> None:
    df = parse("FROM --platform=linux/arm64 a AS b\nFROM a b c d\n")
    assert df.stages[0].platform == "linux/arm64"
    assert errors(df) == [(2, "FROM takes an image and an optional 'AS name'")]


def test_no_from_is_an_error() -> None:
    assert errors(parse("ARG A=1\n")) == [(1, "no FROM instruction: nothing is built")]


# ---------------------------------------------------------------------------
# ARG scoping and ENV semantics
# ---------------------------------------------------------------------------

def test_global_arg_is_visible_to_from_only() -> None:
    df = parse("ARG TAG=3.12\nFROM python:${TAG}\nUSER ${TAG}\nARG TAG\nUSER ${TAG}\n")
    assert df.stages[0].image == Expanded("python:3.12", True)
    first, second = (i for i in df.instructions if i.keyword == "USER")
    assert first.expand(first.args) == Expanded("", False, ("TAG",))
    assert second.expand(second.args) == Expanded("3.12", True)
    assert df.global_args == {"TAG": Var("3.12", True)}


def test_arg_scope_is_per_stage() -> None:
    df = parse("FROM a\nARG V=1\nFROM b\nUSER $V\n")
    user = only(df, "USER")
    assert user.expand(user.args).resolved is False


def test_arg_without_default_is_unresolved() -> None:
    df = parse("FROM a\nARG UID\nUSER $UID\n")
    user = only(df, "USER")
    assert user.expand(user.args) == Expanded("", False, ("UID",))


def test_global_args_expand_in_order_on_one_line() -> None:
    df = parse("ARG A=1 B=${A}2\nFROM x:$B\n")
    assert df.stages[0].image.value == "x:12"


def test_stage_arg_line_uses_values_from_before_the_line() -> None:
    df = parse("FROM a\nARG A=1 B=${A:-unset}\nUSER $B\n")
    user = only(df, "USER")
    assert user.expand(user.args) == Expanded("unset", True)


def test_platform_args_are_known_only_at_build_time() -> None:
    df = parse("FROM --platform=$BUILDPLATFORM python:3.12\nARG TARGETARCH\nRUN echo $TARGETARCH\n")
    run = only(df, "RUN")
    assert run.expand(run.args) == Expanded("echo ", False, ("TARGETARCH",))


def test_env_same_line_semantics() -> None:
    """BuildKit expands every value of one ENV line with the variables from before it."""
    df = parse("FROM a\nENV A=old\nENV A=new B=$A\nUSER $B\n")
    user = only(df, "USER")
    assert user.expand(user.args) == Expanded("old", True)
    assert user.lookup("A") == Var("new", True)


def test_env_is_inherited_from_the_parent_stage_and_beats_arg() -> None:
    df = parse("FROM a AS base\nENV HOME=/home/app\nFROM base\nARG HOME=/root\nUSER $HOME\n")
    user = only(df, "USER")
    assert user.expand(user.args) == Expanded("/home/app", True)


def test_env_is_not_inherited_from_an_unrelated_stage() -> None:
    df = parse("FROM a AS base\nENV U=app\nFROM b\nUSER ${U:-root}\n")
    user = only(df, "USER")
    assert user.expand(user.args) == Expanded("root", True)


def test_scopes_are_views_at_their_instruction() -> None:
    df = parse("FROM a\nENV A=1\nENV B=2\nENV A=3\nRUN x\n")
    scopes = [dict(i.env_vars) for i in df.instructions]
    assert scopes == [
        {}, {}, {"A": Var("1", True)}, {"A": Var("1", True), "B": Var("2", True)},
        {"A": Var("3", True), "B": Var("2", True)},
    ]
    assert len(df.instructions[-1].env_vars) == 2


# ---------------------------------------------------------------------------
# Expansion
# ---------------------------------------------------------------------------

SET = Var("v", True)
EMPTY = Var("", True)
UNKNOWN = Var("", False)
NOTHING: dict[str, Var] = {}
VARS = {"SET": SET, "EMPTY": EMPTY, "UNKNOWN": UNKNOWN, "PATH": Var("/usr/bin", True)}

EXPANSIONS = [
    pytest.param("$SET", Expanded("v", True), id="plain"),
    pytest.param("${SET}", Expanded("v", True), id="braces"),
    pytest.param("${SET}x$SET", Expanded("vxv", True), id="several"),
    pytest.param("$UNSET", Expanded("", False, ("UNSET",)), id="unset-is-unresolved"),
    pytest.param("${UNSET}", Expanded("", False, ("UNSET",)), id="unset-braces"),
    pytest.param("$UNKNOWN", Expanded("", False, ("UNKNOWN",)), id="unknown-value"),
    pytest.param("${SET:-w}", Expanded("v", True), id="default-set"),
    pytest.param("${EMPTY:-w}", Expanded("w", True), id="default-colon-empty"),
    pytest.param("${EMPTY-w}", Expanded("", True), id="default-no-colon-empty"),
    pytest.param("${UNSET:-w}", Expanded("w", True), id="default-unset"),
    pytest.param("${UNSET-w}", Expanded("w", True), id="default-no-colon-unset"),
    pytest.param("${UNKNOWN:-w}", Expanded("w", False, ("UNKNOWN",)), id="default-unknown"),
    pytest.param("${SET:+w}", Expanded("w", True), id="alternative-set"),
    pytest.param("${EMPTY:+w}", Expanded("", True), id="alternative-colon-empty"),
    pytest.param("${EMPTY+w}", Expanded("w", True), id="alternative-no-colon-empty"),
    pytest.param("${UNSET+w}", Expanded("", True), id="alternative-unset"),
    pytest.param("${UNKNOWN:+w}", Expanded("", False, ("UNKNOWN",)), id="alternative-unknown"),
    pytest.param("${SET:?must}", Expanded("v", True), id="required-set"),
    pytest.param("${UNSET:?must}", Expanded("", False, ("UNSET",)), id="required-unset"),
    pytest.param("${UNSET:-${SET:-x}}", Expanded("v", True), id="nested-default"),
    pytest.param("${SET%%.*}", Expanded("", False, ("SET",)), id="pattern-unresolved"),
    pytest.param("${SET/a/b}", Expanded("", False, ("SET",)), id="substitution-unresolved"),
    pytest.param("'$SET'", Expanded("$SET", True), id="single-quotes-literal"),
    pytest.param('"$SET x"', Expanded("v x", True), id="double-quotes-expand"),
    pytest.param("a\\ b", Expanded("a b", True), id="escaped-blank"),
    pytest.param("\\$SET", Expanded("$SET", True), id="escaped-dollar"),
    pytest.param("$", Expanded("$", True), id="lone-dollar"),
    pytest.param("$1", Expanded("", False, ("1",)), id="positional"),
    pytest.param("${", Expanded("${", False, ("?",)), id="missing-brace"),
    pytest.param("${}", Expanded("${}", False, ("?",)), id="bad-substitution"),
    pytest.param("'open", Expanded("'open", False, ("?",)), id="unterminated-quote"),
    pytest.param("${SET!x}", Expanded("${SET!x}", False, ("?",)), id="unsupported-modifier"),
    pytest.param("/opt/bin:$PATH", Expanded("/opt/bin:/usr/bin", True), id="path"),
    pytest.param("plain", Expanded("plain", True), id="nothing-to-do"),
]


@pytest.mark.parametrize(("word", "expected"), EXPANSIONS)
def test_expand(word: str, expected: Expanded) -> None:
    assert expand(word, VARS.get) == expected


def test_expand_never_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/root")
    monkeypatch.setenv("SECRET_TOKEN", "s3cret")
    assert expand("$HOME $SECRET_TOKEN", NOTHING.get) == Expanded(" ", False, ("HOME", "SECRET_TOKEN"))


def test_nesting_depth_is_bounded() -> None:
    deep = "${a:-" * (MAX_EXPANSION_DEPTH + 5) + "x" + "}" * (MAX_EXPANSION_DEPTH + 5)
    result = expand(deep, NOTHING.get)
    assert result.resolved is False
    shallow = "${a:-" * 10 + "x" + "}" * 10
    assert expand(shallow, NOTHING.get) == Expanded("x", True)


def test_expansion_growth_is_bounded() -> None:
    """``ENV A=$A$A`` forty times would need terabytes; past the cap it is unresolved."""
    text = "FROM a\nENV A=xxxxxxxxxxxxxxxx\n" + "ENV A=$A$A\n" * 40 + "USER $A\n"
    df = parse(text)
    user = only(df, "USER")
    value = user.expand(user.args)
    assert value.resolved is False
    assert len(value.value) <= len(user.args) + 2 * MAX_EXPANSION_GROWTH
    ok = "FROM a\nENV A=" + "x" * 1000 + "\nENV B=$A$A\nUSER $B\n"
    user = only(parse(ok), "USER")
    assert user.expand(user.args) == Expanded("x" * 2000, True)


def test_inherited_env_past_the_copy_budget_is_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    """Thousands of chained stages would copy ENV quadratically: past a budget, unknown."""
    import hooks._dockerfile as model

    text = "FROM a AS s0\nENV U=app\n" + "".join(f"FROM s{i} AS s{i + 1}\nENV E{i}=1\n" for i in range(20))
    text += "USER ${U:-root}\n"
    user = only(parse(text), "USER")
    assert user.expand(user.args) == Expanded("app", True)
    monkeypatch.setattr(model, "MAX_INHERITED_VARS", 50)
    user = only(parse(text), "USER")
    assert user.expand(user.args) == Expanded("root", False, ("U",))
    assert list(user.env_vars) == ["E19"]  # own variables stay known
