"""Differential test: our Dockerfile model against BuildKit's own parser.

The oracle is the ``dockerfile`` package (BuildKit 0.12.5's Go parser behind a thin
Python wrapper; x86_64 wheels only, a test-only dependency). On the real files of
``tests/strategies.py`` and on generated ones, both must agree on every instruction's
name, ONBUILD trigger, line range, flags, JSON form and arguments, and on heredoc names
and bodies. Where BuildKit refuses the whole file, we must record an error too.

Every intentional difference is listed in :data:`DIFFERENCES` with its reason, and
shown on a concrete file by ``test_intentional_difference``; a generated file that
hits one is not compared (the counts are printed with ``-s``). CI compares a few
hundred generated files; ``DPH_FUZZ_EXAMPLES=20000`` compares thousands.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import pytest
from hypothesis import given, settings

from hooks._dockerfile import (
    GO_SPACE,
    KNOWN_INSTRUCTIONS,
    Dockerfile,
    Instruction,
    parse,
    parse_words,
    split_blanks,
)
from tests.strategies import any_dockerfile, examples, fixture_texts

dockerfile = pytest.importorskip("dockerfile")

HEREDOC_CAPABLE = ("RUN", "COPY", "ADD")
JSON_CAPABLE = ("RUN", "CMD", "ENTRYPOINT", "SHELL", "COPY", "ADD", "VOLUME")
WHITESPACE_LISTS = ("FROM", "EXPOSE", "COPY", "ADD", "VOLUME")
PLAIN = ("RUN", "CMD", "ENTRYPOINT", "SHELL", "USER", "WORKDIR", "STOPSIGNAL", "MAINTAINER")
_PATTERN_SUBSTITUTION = re.compile(r"\$\{\w*[#%/]")
_BLANK_AFTER_HEREDOC_OPERATOR = re.compile(r"<<[ \t\r]")


# ---------------------------------------------------------------------------
# Intentional differences
# ---------------------------------------------------------------------------

class Difference(NamedTuple):
    id: str
    reason: str
    hits: Callable[[str, Dockerfile], bool]  # does this file run into it?


def _trailing_json(text: str) -> bool:
    """A JSON array followed by more text: ``CMD ["a"] b``."""
    try:
        _, end = json.JSONDecoder().raw_decode(text)
    except ValueError:
        return False
    return bool(text[end:].strip(GO_SPACE))


def _targets(df: Dockerfile) -> Iterator[Instruction]:
    for instr in df.instructions:
        yield instr.sub or instr


def _json_text(instr: Instruction) -> str | None:
    if instr.keyword in JSON_CAPABLE:
        return instr.args
    if instr.keyword == "HEALTHCHECK":
        return _first_word(instr.args)[1]
    return None


DIFFERENCES = [
    Difference(
        "blank-after-heredoc-operator",
        "'RUN << EOF' is a heredoc since BuildKit 0.22 (moby/buildkit#5817); the oracle "
        "(0.12.5) reads the body lines as instructions",
        lambda text, df: any(
            _BLANK_AFTER_HEREDOC_OPERATOR.search(i.line) for i in _targets(df) if i.keyword in HEREDOC_CAPABLE
        ),
    ),
    Difference(
        "pattern-substitution-on-heredoc-line",
        "'${V%%x}', '${V#x}', '${V/a/b}' are valid for BuildKit's lexer since 0.13; the oracle's "
        "lexer fails on them and then finds no heredoc on that line",
        lambda text, df: any(
            "<<" in i.line and _PATTERN_SUBSTITUTION.search(i.line)
            for i in _targets(df) if i.keyword in HEREDOC_CAPABLE
        ),
    ),
    Difference(
        "json-with-trailing-text",
        "'CMD [\"a\"] b' is shell form for current BuildKit (json.Unmarshal); the oracle "
        "(json.Decoder) reads the array and drops the rest",
        lambda text, df: any(
            (j := _json_text(i)) is not None and j.startswith("[") and _trailing_json(j) for i in _targets(df)
        ),
    ),
    Difference(
        "check-directive",
        "'# check=...' is a parser directive since Dockerfile syntax 1.8; for the oracle it is "
        "an unknown one, which ends the directives (a later '# escape=' is ignored)",
        lambda text, df: "check" in df.directives,
    ),
    Difference(
        "non-ascii-in-flags",
        "BuildKit scans '--flags' byte by byte: bytes 0x85 and 0xA0 inside a UTF-8 character "
        "end a flag, U+2028 and U+00A0 do not; we split at whole blank characters",
        lambda text, df: any(
            not i.line[: i.args_offset].isascii() for i in df.all_instructions() if i.flags
        ),
    ),
]


# ---------------------------------------------------------------------------
# The two views
# ---------------------------------------------------------------------------

def _unmangle(text: str) -> str:
    """The wrapper decodes flags as Latin-1; undo it where that is what happened."""
    try:
        return text.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return text


def _chomp(content: str) -> str:
    return re.sub(r"(?m)^\t+", "", content)


def go_view(text: str, chomps: list[list[bool]]) -> list[tuple[Any, ...]]:
    """The oracle's instructions, normalised where it only spells things differently:
    upper-case keywords, '\\n' line endings and chomped bodies (BuildKit strips the
    tabs of a '<<-' body after parsing, we while parsing)."""
    out = []
    for index, cmd in enumerate(dockerfile.parse_string(text)):
        chomp = chomps[index] if index < len(chomps) else []
        docs = tuple(
            (doc.name, _chomp(doc.content.replace("\r\n", "\n")) if k < len(chomp) and chomp[k]
             else doc.content.replace("\r\n", "\n"))
            for k, doc in enumerate(cmd.heredocs)
        )
        out.append((
            (cmd.cmd or "").upper(), (cmd.sub_cmd or "").upper() or None, cmd.start_line, cmd.end_line,
            tuple(_unmangle(flag) for flag in cmd.flags), cmd.json, tuple(cmd.value), docs,
        ))
    return out


def _value(instr: Instruction, escape: str) -> tuple[str, ...]:
    """The arguments as BuildKit's line parsers split them."""
    kw, args = instr.keyword, instr.args
    if instr.json is not None:
        return instr.json
    if kw == "HEALTHCHECK":
        kind, rest = _first_word(args)
        parsed = _json(rest)
        return (kind, *parsed) if parsed is not None else (kind, rest) if rest else (kind,) if kind else ()
    if kw == "ONBUILD":  # ONBUILD ONBUILD: an error for both
        return ("",) if args else ()
    if kw not in KNOWN_INSTRUCTIONS:
        return ("",)  # an unknown instruction: BuildKit ignores its arguments
    if not args:
        return ()
    if kw in WHITESPACE_LISTS:
        return tuple(split_blanks(args))
    if kw in ("ENV", "LABEL"):
        return tuple(x for name, value, _ in instr.key_values(escape) for x in (name, value))
    if kw == "ARG":
        return tuple(parse_words(args, escape))
    assert kw in PLAIN, kw
    return (args,)


def _first_word(text: str) -> tuple[str, str]:
    """HEALTHCHECK's type word and the rest (BuildKit splits at any blank)."""
    cut = 0
    while cut < len(text) and text[cut] not in GO_SPACE:
        cut += 1
    return text[:cut], text[cut:].strip(GO_SPACE)


def _json(text: str) -> tuple[str, ...] | None:
    if not text.startswith("["):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return tuple(value) if isinstance(value, list) and all(isinstance(v, str) for v in value) else None


def our_view(df: Dockerfile) -> tuple[list[tuple[Any, ...]], list[list[bool]]]:
    out, chomps = [], []
    for instr in df.instructions:
        target = instr.sub or instr
        value = _value(target, df.escape)
        json_form = target.json is not None or (
            target.keyword == "HEALTHCHECK" and _json(_first_word(target.args)[1]) is not None
        )
        # The oracle loses the heredocs of an ONBUILD trigger (a listed difference).
        docs = tuple((d.name, d.content) for d in target.heredocs) if instr.sub is None else ()
        chomps.append([d.chomp for d in target.heredocs])
        out.append((
            instr.keyword, instr.sub.keyword if instr.sub is not None else None,
            instr.start_line, instr.end_line,
            tuple("--" + f.name + ("" if f.value is None else "=" + f.value) for f in instr.flags),
            json_form, value, docs,
        ))
    return out, chomps


# What the oracle refuses for the whole file -> what we record instead.
GO_ERRORS: list[tuple[str, Callable[[Dockerfile], bool]]] = [
    ("file with no instructions", lambda df: not df.instructions),
    ("unterminated heredoc", lambda df: _has_error(df, "unterminated heredoc")),
    ("parser directive can be used", lambda df: _has_error(df, "parser directive can be used")),
    ("invalid escape token", lambda df: _has_error(df, "invalid escape token")),
    ("must have two arguments", lambda df: _has_error(df, "needs a value")),
    ("can't find = in", lambda df: _has_error(df, "no '=' in")),
    ("arrays must be comprised of strings only", lambda df: _has_error(df, "JSON array must hold strings")),
    ("dockerfile line greater than max allowed size", lambda df: _has_error(df, "longer than 65535 bytes")),
]


def _has_error(df: Dockerfile, text: str) -> bool:
    return any(text in problem.message for problem in df.errors)


def compare(text: str) -> str:
    """'same', a difference id, or 'refused: ...'; raises AssertionError on a disagreement."""
    df = parse(text)
    for difference in DIFFERENCES:
        if difference.hits(text, df):
            return difference.id
    ours, chomps = our_view(df)
    try:
        theirs = go_view(text, chomps)
    except UnicodeDecodeError:
        return "oracle-decode-error"  # the wrapper fails on some valid UTF-8 (U+0085)
    except Exception as exc:  # the oracle's GoParseError is not importable by name
        message = str(exc)
        for fragment, recorded in GO_ERRORS:
            if fragment in message:
                assert recorded(df), f"BuildKit refuses this file ({message}); we record nothing"
                return f"refused: {fragment}"
        raise AssertionError(f"unexpected oracle error {type(exc).__name__}: {message}") from exc
    assert len(theirs) == len(ours) and theirs == ours, _explain(text, theirs, ours)
    return "same"


def _explain(text: str, theirs: list[tuple[Any, ...]], ours: list[tuple[Any, ...]]) -> str:
    lines = [f"file: {text!r}"]
    for index in range(max(len(theirs), len(ours))):
        a = theirs[index] if index < len(theirs) else None
        b = ours[index] if index < len(ours) else None
        if a != b:
            lines += [f"  BuildKit: {a}", f"  ours:     {b}"]
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(fixture_texts()))
def test_fixtures_agree(name: str) -> None:
    outcome = compare(fixture_texts()[name])
    if name.startswith("examples/bad/"):  # wrong on purpose: BuildKit may refuse it
        assert outcome == "same" or outcome.startswith("refused: ")
    else:
        assert outcome == "same"


OUTCOMES: Counter[str] = Counter()


@settings(max_examples=examples(400))
@given(any_dockerfile())
def test_generated_files_agree(text: str) -> None:
    if "\x00" in text:
        return  # refused by our reader (DPH901); the oracle truncates at the NUL
    OUTCOMES[compare(text)] += 1


def test_generated_files_were_mostly_compared() -> None:
    """The skips above must not swallow the test: most files are really compared."""
    if not OUTCOMES:
        pytest.skip("runs after test_generated_files_agree")
    print("differential outcomes:", dict(OUTCOMES))
    assert OUTCOMES["same"] >= sum(OUTCOMES.values()) // 3, OUTCOMES


# Each intentional difference, shown on a file: (id, file, what the oracle says,
# what we say), as (keyword, start, end, heredoc names) of the instructions.
SHOWN = [
    pytest.param(
        "blank-after-heredoc-operator", "FROM a\nRUN << EOF\necho hi\nEOF\n",
        [("FROM", 1, 1, ()), ("RUN", 2, 2, ()), ("ECHO", 3, 3, ()), ("EOF", 4, 4, ())],
        [("FROM", 1, 1, ()), ("RUN", 2, 4, ("EOF",))],
        id="blank-after-heredoc-operator",
    ),
    pytest.param(
        "pattern-substitution-on-heredoc-line", "FROM a\nRUN <<EOF echo ${V%%.*}\nx\nEOF\n",
        [("FROM", 1, 1, ()), ("RUN", 2, 2, ()), ("X", 3, 3, ()), ("EOF", 4, 4, ())],
        [("FROM", 1, 1, ()), ("RUN", 2, 4, ("EOF",))],
        id="pattern-substitution-on-heredoc-line",
    ),
    pytest.param(
        "json-with-trailing-text", 'FROM a\nCMD ["a"] b\n',
        [("FROM", 1, 1, ()), ("CMD", 1, 1, ("json",))],
        [("FROM", 1, 1, ()), ("CMD", 1, 1, ("shell",))],
        id="json-with-trailing-text",
    ),
    pytest.param(
        "check-directive", "# check=skip=all\n# escape=`\nFROM a\nRUN a `\n  b\n",
        [("FROM", 3, 3, ()), ("RUN", 4, 4, ()), ("B", 5, 5, ())],
        [("FROM", 3, 3, ()), ("RUN", 4, 5, ())],
        id="check-directive",
    ),
    pytest.param(
        "non-ascii-in-flags", "FROM a\nCOPY --chown=\u2028x a b\n",
        [("FROM", 1, 1, ()), ("COPY", 2, 2, ("--chown=\u2028x",))],
        [("FROM", 1, 1, ()), ("COPY", 2, 2, ("--chown=",))],
        id="non-ascii-in-flags",
    ),
]


def _shape_go(text: str, difference: str) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    for cmd in dockerfile.parse_string(text):
        extra: tuple[str, ...] = tuple(h.name for h in cmd.heredocs)
        if difference == "json-with-trailing-text" and cmd.cmd.upper() == "CMD":
            return [*out, ("CMD", 1, 1, ("json" if cmd.json else "shell",))]
        if difference == "non-ascii-in-flags" and cmd.flags:
            extra = tuple(_unmangle(f) for f in cmd.flags)
        out.append((cmd.cmd.upper(), cmd.start_line, cmd.end_line, extra))
    return out


def _shape_ours(text: str, difference: str) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    for instr in parse(text).instructions:
        extra: tuple[str, ...] = tuple(h.name for h in instr.heredocs)
        if difference == "json-with-trailing-text" and instr.keyword == "CMD":
            return [*out, ("CMD", 1, 1, ("json" if instr.json is not None else "shell",))]
        if difference == "non-ascii-in-flags" and instr.flags:
            extra = tuple(f"--{f.name}={f.value}" for f in instr.flags)
        out.append((instr.keyword, instr.start_line, instr.end_line, extra))
    return out


@pytest.mark.parametrize(("difference", "text", "theirs", "ours"), SHOWN)
def test_intentional_difference(
    difference: str, text: str, theirs: list[tuple[Any, ...]], ours: list[tuple[Any, ...]]
) -> None:
    assert difference in {d.id for d in DIFFERENCES}
    assert [d.id for d in DIFFERENCES if d.hits(text, parse(text))] == [difference]
    assert _shape_go(text, difference) == theirs
    assert _shape_ours(text, difference) == ours


def test_every_difference_is_shown() -> None:
    shown = {param.values[0] for param in SHOWN}
    assert shown == {d.id for d in DIFFERENCES}


def test_onbuild_heredoc_content_is_kept_where_the_oracle_loses_it() -> None:
    text = "FROM a\nONBUILD RUN <<EOF\necho hi\nEOF\n"
    onbuild = dockerfile.parse_string(text)[1]
    assert (onbuild.cmd.upper(), onbuild.sub_cmd.upper(), onbuild.heredocs) == ("ONBUILD", "RUN", ())
    sub = parse(text).instructions[1].sub
    assert sub is not None
    assert [(d.name, d.content) for d in sub.heredocs] == [("EOF", "echo hi\n")]


@pytest.mark.parametrize(("text", "fragment"), [
    pytest.param("", "file with no instructions", id="empty"),
    pytest.param("# only a comment\n", "file with no instructions", id="comment-only"),
    pytest.param("FROM a\nRUN <<EOF\nx\n", "unterminated heredoc", id="unterminated-heredoc"),
    pytest.param("# escape=`\n# escape=`\nFROM a\n", "parser directive can be used", id="duplicate-directive"),
    pytest.param("# escape=x\nFROM a\n", "invalid escape token", id="bad-escape"),
    pytest.param("FROM a\nENV A=1 B\n", "can't find = in", id="env-without-equals"),
    pytest.param("FROM a\nLABEL a\n", "must have two arguments", id="label-one-word"),
    pytest.param('FROM a\nCMD ["a", 1]\n', "arrays must be comprised of strings only", id="json-non-string"),
    pytest.param("FROM a\nRUN " + "x" * 70000 + "\n", "dockerfile line greater than max allowed size",
                 id="long-line"),
])
def test_what_buildkit_refuses_we_parse_and_report(text: str, fragment: str) -> None:
    """Error tolerance: BuildKit rejects the whole file; we keep parsing and record it."""
    with pytest.raises(Exception, match=re.escape(fragment)):
        dockerfile.parse_string(text)
    assert compare(text) == f"refused: {fragment}"
