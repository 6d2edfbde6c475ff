"""Property-based tests of the Dockerfile model, the shell lexer and the expander.

Inputs come from ``tests/strategies.py``: a grammar of real instructions, flags,
heredocs, continuations, directives, comments and variable forms; random text made of
parser-relevant fragments; and mutations of real files. For every input the readers
never raise, finish well within a generous time bound, are deterministic, and keep
their structural invariants. CI runs a few hundred examples per property
(reproducibly); ``DPH_FUZZ_EXAMPLES=20000`` runs a long random campaign.
"""
from __future__ import annotations

from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from hooks import _shell, _suppress
from hooks._dockerfile import (
    GO_SPACE,
    Dockerfile,
    Instruction,
    Var,
    expand,
    parse,
    parse_json_array,
)
from tests.strategies import any_dockerfile, dockerfiles, examples, mutants, noise, time_limit

# ---------------------------------------------------------------------------
# Invariants
# ---------------------------------------------------------------------------


def summary(df: Dockerfile) -> list[Any]:
    """Everything the model says about a file, as plain data (for determinism)."""
    out: list[Any] = [df.escape, sorted(df.directives.items()), df.comments, df.errors, df.warnings]
    for instr in df.all_instructions():
        out.append((
            instr.keyword, instr.start_line, instr.end_line, instr.line, instr.args, instr.flags,
            instr.json, instr.heredocs, instr.stage, sorted(instr.env_vars.items()),
            sorted(instr.args_vars.items()),
        ))
    out.extend((s.index, s.name, s.image, s.parent, len(s.instructions)) for s in df.stages)
    return out


def check_positions(df: Dockerfile, instr: Instruction) -> None:
    """Every character of the logical line maps back to the same character in the file."""
    line_text = instr.line
    step = max(1, len(line_text) // 300)
    for offset in range(0, len(line_text), step):
        line, col = instr.position(offset)
        assert instr.start_line <= line <= max(instr.end_line, instr.start_line)
        assert df.lines[line - 1][col - 1] == line_text[offset], (offset, line, col)


def check_invariants(text: str) -> Dockerfile:
    with time_limit(20):
        df = parse(text)
        again = parse(text)
    assert summary(df) == summary(again)  # deterministic
    lines = df.lines
    count = len(lines)
    assert df.text.replace("\r", "").count("\n") in (count, count - 1)
    previous_end = 0
    covered: set[int] = set()
    bodies: set[int] = set()
    for instr in df.instructions:
        assert 1 <= instr.start_line <= instr.end_line <= count, instr
        assert instr.start_line > previous_end, "instructions overlap or are out of order"
        previous_end = instr.end_line
        covered.update(range(instr.start_line, instr.end_line + 1))
        target = instr.sub or instr
        last = target.start_line
        for doc in target.heredocs:
            assert last <= doc.start_line <= doc.end_line <= instr.end_line, doc
            if doc.terminated or doc.content:  # else: empty and cut off by the end of file
                assert doc.start_line > instr.start_line
                bodies.update(range(doc.start_line, doc.end_line + (0 if doc.terminated else 1)))
            last = doc.end_line
            assert doc.terminated or any("unterminated heredoc" in p.message for p in df.errors)
            assert "\r" not in doc.content or "\r" in text
        for one in (instr, instr.sub) if instr.sub is not None else (instr,):
            check_positions(df, one)
            assert one.keyword == one.keyword_raw.upper()
            one.words()
            one.shell_text()
            for mapping in (one.env_vars, one.args_vars):
                assert len(list(mapping)) == len(mapping)
                for name in mapping:
                    assert isinstance(mapping[name], Var)
            value = one.expand(one.args, df.escape)
            assert value.resolved == (not value.unresolved_names)
            if one.keyword in ("ENV", "LABEL", "ARG"):
                one.key_values(df.escape)
    for number, raw in enumerate(lines, start=1):
        stripped = raw.lstrip(GO_SPACE)
        if stripped and not stripped.startswith("#"):
            assert number in covered, f"line {number} {raw!r} belongs to no instruction"
    for comment in df.comments:
        assert lines[comment.line - 1].lstrip(GO_SPACE).startswith("#")
        assert comment.line not in bodies
        assert comment.inside == (comment.line in covered)
    for problem in df.errors + df.warnings:
        assert 1 <= problem.line <= max(count, 1)
        assert problem.col >= 1
    for index, stage in enumerate(df.stages):
        assert stage.index == index
        assert stage.from_.keyword == "FROM"
        assert stage.parent is None or stage.parent < index
        assert all(i.stage == index and i.keyword != "FROM" for i in stage.instructions)
        assert df.chain(stage)[-1] is stage
    assert df.final_stage() is (df.stages[-1] if df.stages else None)
    stage_of = [i.stage for i in df.instructions if i.stage >= 0]
    assert stage_of == sorted(stage_of)
    _suppress.dockerfile_suppressions(df)
    return df


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------

@settings(max_examples=examples(400))
@given(dockerfiles())
@example("FROM a\nRUN <<EOF\n")
@example("\ufeff# escape=`\nFROM a\nRUN a `\n\n  # c\n b `")
@example("FROM a\rRUN b\r\n\r")
@example("ONBUILD RUN <<A <<-'B'\nx\nA\n\tB\n")
def test_grammar_files_keep_the_invariants(text: str) -> None:
    check_invariants(text)


@settings(max_examples=examples(300))
@given(noise())
@example("\\")
@example("`\n# escape=`")
@example("FROM a\n\x85RUN <<EOF\u2028\nEOF")
def test_noise_keeps_the_invariants(text: str) -> None:
    check_invariants(text)


@settings(max_examples=examples(200))
@given(st.text(max_size=300))
def test_arbitrary_text_keeps_the_invariants(text: str) -> None:
    check_invariants(text)


@settings(max_examples=examples(200))
@given(mutants())
def test_mutated_real_files_keep_the_invariants(text: str) -> None:
    check_invariants(text)


@settings(max_examples=examples(100))
@given(st.lists(dockerfiles(max_instructions=4), min_size=2, max_size=4))
def test_concatenated_files_keep_the_invariants(parts: list[str]) -> None:
    check_invariants("\n".join(parts))


@settings(max_examples=examples(300))
@given(any_dockerfile())
def test_every_run_script_is_lexed(text: str) -> None:
    df = parse(text)
    for instr in df.all_instructions():
        if instr.keyword != "RUN":
            continue
        script = _shell.run_script(instr, df.lines)
        check_commands(script.text)
        for command in script.commands():
            line, col = script.position(command.offset)
            assert 1 <= line <= len(df.lines)
            assert col >= 1


# ---------------------------------------------------------------------------
# The shell lexer
# ---------------------------------------------------------------------------

SHELL_FRAGMENTS = (
    "pip install ", "-r requirements.txt", "&&", "||", ";", "|", "&", "\n", "\\\n", "(", ")",
    "{ ", " }", "'", '"', "\\", "$(", "`", "#", " ", "\t", "sudo ", "env A=1 ", "sh -c ",
    "bash -c '", "python -m pip ", "uv pip install ", "apt-get install -y ", "2>&1", ">",
    "<<EOF", "if ", "then ", "fi", "$HOME", "${A:-b}", "=", "--", "é",
)


def check_commands(script: str) -> None:
    with time_limit(20):
        found = _shell.commands(script)
    assert found == _shell.commands(script)
    for command in found:
        assert command.words
        assert all(isinstance(word, str) for word in command.words)
        assert 0 <= command.offset <= len(script)
        _shell.python_install(command)
        _shell.package_call(command)
        _shell.option_value(command.words, "-r", "--requirement", "-c")


@settings(max_examples=examples(400))
@given(st.lists(st.sampled_from(SHELL_FRAGMENTS) | st.text(max_size=3), max_size=40).map("".join))
@example("sh -c " * 50 + "'pip install x'")
@example("$(" * 200)
@example("'" * 3 + '"' * 3)
def test_shell_commands_never_fail(script: str) -> None:
    check_commands(script)


# ---------------------------------------------------------------------------
# The expander
# ---------------------------------------------------------------------------

EXPANSION_FRAGMENTS = (
    "$", "{", "}", "A", "B", ":", "-", "+", "?", "#", "%", "/", "'", '"', "\\", "`", " ",
    "x", "${A", "${B:-", "$A", "${#A}", "${A:+", "\t", "\n", "é",
)


@settings(max_examples=examples(500))
@given(
    st.lists(st.sampled_from(EXPANSION_FRAGMENTS) | st.text(max_size=2), max_size=40).map("".join),
    st.sampled_from(("\\", "`")),
    st.dictionaries(
        st.sampled_from(("A", "B", "C")),
        st.builds(Var, st.text(max_size=8), st.booleans()),
        max_size=3,
    ),
)
def test_expand_never_fails(word: str, escape: str, variables: dict[str, Var]) -> None:
    with time_limit(10):
        value = expand(word, variables.get, escape)
    assert value == expand(word, variables.get, escape)
    assert value.resolved == (not value.unresolved_names)
    if "$" not in word and "'" not in word and '"' not in word and escape not in word:
        assert value == (word, True, ())
    if value.resolved:
        assert len(value.value) <= len(word) + sum(len(v.value) for v in variables.values()) * len(word)


JSON_FRAGMENTS = ('[', ']', '"', ",", " ", "\t", "\n", "\\", "a", "é", "\u2028", "1", "null", "[]", '""', "\x00")




@settings(max_examples=examples(500))
@given(st.lists(st.sampled_from(JSON_FRAGMENTS) | st.text(max_size=2), max_size=20).map("".join))
@example('["a", "b"]')
@example('[ "a" , "b" ]  ')
@example('["a\\"b"]')
@example('["a", 1]')
def test_exec_form_reader_is_json(text: str) -> None:
    """An exec form is exactly a JSON array of strings, as json.loads reads it."""
    import json

    try:
        value = json.loads("[" + text)
    except (ValueError, RecursionError):
        value = None
    wanted = tuple(value) if isinstance(value, list) and all(isinstance(v, str) for v in value) else None
    assert parse_json_array("[" + text) == wanted
