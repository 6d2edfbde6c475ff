"""Property tests of fix mode: on generated Dockerfiles, fixes change only what they mean to.

Files are generated files of ``tests/strategies.py`` (grammar, noise, mutants) with
lines that our rules can fix mixed in (``as`` casing, legacy ``ENV``, inline comments,
apt and pip installs in one-line, continued and heredoc ``RUN``s, shell-form ``CMD``),
with LF, CRLF, mixed endings, a BOM and the backtick escape. Every fix of a file is
applied as fix mode would; then the model of the fixed file must keep every
instruction that no edit touched, in order and unchanged, change no keyword, stage,
directive or comment, add only the ENV line of DPH501/DPH502; and, when BuildKit's
parser (the test-only ``dockerfile`` oracle) reads the original like we do, it reads the
fixed file like we do too.
"""
from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from hooks import _fix
from hooks._cli import META_CODES, lint_parsed
from hooks._dockerfile import Dockerfile, Instruction, parse
from hooks._files import Repo
from hooks._fix import Edit
from hooks._hook import Context, option_defaults
from hooks._registry import hooks
from tests.strategies import any_dockerfile, examples, time_limit


def _oracle() -> Callable[[str], str] | None:
    """The differential test's ``compare`` (BuildKit's parser against ours), if installed."""
    try:
        import dockerfile  # noqa: F401 - BuildKit's parser, a test-only oracle
    except ImportError:
        return None
    from tests._dockerfile_differential_test import compare

    return compare


compare = _oracle()  # imported here: inside a @given test it would nest @given decorators

FIXABLE_LINES = (
    "FROM python:3.12-slim-bookworm as build",
    "from python:3.12 AS base",
    "FROM build",
    "ENV APP_HOME /srv/app",
    "LABEL description A small   app",
    "ENV GREETING 'hi there'",
    "ENV PATH /opt/venv/bin:$PATH",
    "ENV A 1 # one",
    "WORKDIR /app  # the code",
    "COPY app/ /app # sources",
    "ONBUILD COPY app/ /app # sources",
    "RUN apt-get update && apt-get install -y libpq5",
    "RUN apt-get update \\\n    && apt-get install -y \\\n        libpq5",
    "RUN apt-get update && \\\n\tapt-get install -y libpq5",
    "RUN <<EOF\napt-get update\napt-get install -y libpq5\nEOF",
    "RUN <<-EOF\n\tapt-get update\n\tapt-get install -y libpq5\n\tEOF",
    "RUN pip install flask==3.0.3",
    "RUN python -m pip install \\\n  flask==3.0.3",
    'RUN sh -c "apt-get update && apt-get install -y x"',
    "CMD python -m app --workers=2",
    "ENTRYPOINT gunicorn app:app",
    "# a comment",
    "",
)


@st.composite
def fixable_dockerfiles(draw: st.DrawFn) -> str:
    """Lines our rules fix, after a generated file or on their own, in any line endings."""
    head = draw(st.sampled_from(("", "", "# escape=`\n", "# syntax=docker/dockerfile:1\n")))
    lines = draw(st.lists(st.sampled_from(FIXABLE_LINES), min_size=1, max_size=10))
    if head == "# escape=`\n":
        lines = [line.replace("\\\n", "`\n") for line in lines]
    body = "\n".join(["FROM python:3.12-slim-bookworm", *lines])
    base = draw(st.one_of(st.just(""), any_dockerfile()))
    text = head + (base.rstrip("\r\n") + "\n" if base and draw(st.booleans()) else "") + body
    ending = draw(st.sampled_from(("\n", "\r\n", "mixed")))
    if ending != "\n":
        parts = text.split("\n")
        endings = [ending if ending != "mixed" else draw(st.sampled_from(("\n", "\r\n"))) for _ in parts[1:]]
        text = parts[0] + "".join(e + part for e, part in zip(endings, parts[1:], strict=True))
    if draw(st.booleans()):
        text += "\r\n" if ending == "\r\n" else "\n"
    if draw(st.integers(0, 5)) == 0:
        text = "\ufeff" + text
    return text


_REPO_DIR = tempfile.TemporaryDirectory()  # an empty repository: no .dockerignore, no includes


def _fixes(df: Dockerfile) -> tuple[list[Edit], Any]:
    every = hooks()
    options = option_defaults([option for hook in every for option in hook.options])
    ctx = Context(Repo(_REPO_DIR.name), options)
    active = frozenset().union(*(hook.codes for hook in every)) | META_CODES
    findings = lint_parsed(df, ctx, [h.dockerfile for h in every if h.dockerfile], active)
    return _fix.merge([f.fix for f in findings if f.fix])


def _span(df: Dockerfile, instr: Instruction) -> tuple[int, int]:
    return _fix.line_start(df, instr.start_line), _fix.line_end(df, instr.end_line)


def _touches(edit: Edit, span: tuple[int, int]) -> bool:
    start, end = span
    if edit[0] == edit[1]:
        return start < edit[0] <= end
    return edit[0] < end and edit[1] > start


def _shape(instr: Instruction) -> tuple[Any, ...]:
    sub = instr.sub
    return (
        instr.keyword, instr.args, instr.flags, instr.json, tuple(d.content for d in instr.heredocs),
        None if sub is None else (sub.keyword, sub.args, sub.json, tuple(d.content for d in sub.heredocs)),
    )


def _subsequence(needle: list[Any], haystack: list[Any]) -> bool:
    it: Iterator[Any] = iter(haystack)
    return all(any(item == other for other in it) for item in needle)


def check_fix_preserves_the_model(text: str) -> str | None:
    """Apply every fix of ``text`` as fix mode would; check the model. Returns the fixed
    text (None when fix mode would not write)."""
    with time_limit(20):
        df = parse(text)
        if df.errors:
            return None  # fix mode refuses such a file
        edits, overlap = _fixes(df)
        if not edits or overlap is not None:
            return None
        fixed = parse(_fix.apply(df.text, edits))
    if fixed.errors:
        return None  # fix mode refuses it too (and says so)
    touched = [any(_touches(edit, _span(df, instr)) for edit in edits) for instr in df.instructions]
    kept = [_shape(instr) for instr, hit in zip(df.instructions, touched, strict=True) if not hit]
    assert _subsequence(kept, [_shape(instr) for instr in fixed.instructions]), (text, fixed.text)
    added = len(_inserted_ranges(edits))
    assert len(fixed.instructions) == len(df.instructions) + added, (text, fixed.text)
    keywords = Counter(instr.keyword for instr in df.instructions) + Counter({"ENV": added})
    assert Counter(instr.keyword for instr in fixed.instructions) == keywords
    assert [i.keyword for i in fixed.instructions if i.keyword != "ENV"] == [
        i.keyword for i in df.instructions if i.keyword != "ENV"
    ]
    assert (fixed.escape, fixed.directives.keys()) == (df.escape, df.directives.keys())
    assert [(d.name, d.value) for d in fixed.directives.values()] == [
        (d.name, d.value) for d in df.directives.values()
    ]
    assert [(s.name, s.image, s.parent) for s in fixed.stages] == [(s.name, s.image, s.parent) for s in df.stages]
    before = Counter(c.text for c in df.comments)
    assert not before - Counter(c.text for c in fixed.comments)  # no comment lost (DPH604 adds its own)
    inserted = _inserted_ranges(edits)
    originals = [i for i in fixed.instructions if not any(a <= _span(fixed, i)[0] < b for a, b in inserted)]
    for old, new in zip(df.instructions, originals, strict=True):
        assert old.keyword == new.keyword
        moved = old.args.startswith(new.args) and old.args[len(new.args):].lstrip(" \t").startswith("#")
        if moved:  # DPH604 moved a '# comment' out of the arguments: it takes nothing else
            comment = old.args[len(new.args):].strip(" \t")
            assert any(c.text == comment[1:].strip(" \t") for c in fixed.comments), comment
        elif old.keyword in ("ENV", "LABEL"):  # DPH606: the same names and values
            assert _pairs(df, old) == _pairs(fixed, new), (text, fixed.text)
    return fixed.text


def _inserted_ranges(edits: list[Edit]) -> list[tuple[int, int]]:
    """Where the ENV lines that DPH501/DPH502 insert are in the fixed text."""
    ranges = []
    shift = 0
    for start, end, new in edits:
        if start == end and new.lstrip(" \t\r\n").upper().startswith("ENV PYTHON"):
            ranges.append((start + shift, start + shift + len(new)))
        shift += len(new) - (end - start)
    return ranges


def _pairs(df: Dockerfile, instr: Instruction) -> list[tuple[str, str]]:
    return [(name, instr.expand(raw, df.escape).value) for name, raw, _ in instr.key_values(df.escape)]


@settings(max_examples=examples(300), deadline=None)
@given(fixable_dockerfiles())
@example("FROM python:3.12-slim-bookworm as b\r\nENV A x y\r\nRUN apt-get update && apt-get install -y x\r\n")
@example("\ufeff# escape=`\nFROM python:3.12-slim-bookworm\nRUN apt-get update `\n    && apt-get install -y x")
def test_fixes_change_only_what_they_mean_to(text: str) -> None:
    fixed = check_fix_preserves_the_model(text)
    rounds = 0
    while fixed is not None:  # fixing again converges (a fix may wait for another: DPH606 after DPH604)
        rounds += 1
        assert rounds <= 4, fixed
        fixed = check_fix_preserves_the_model(fixed)


@settings(max_examples=examples(200), deadline=None)
@given(fixable_dockerfiles())
def test_buildkit_reads_the_fixed_file_like_we_do(text: str) -> None:
    if compare is None:
        pytest.skip("BuildKit's parser (the test-only 'dockerfile' package) is not installed")
    fixed = check_fix_preserves_the_model(text)
    if fixed is None or "\x00" in text:
        return
    try:
        before = compare(text.removeprefix("\ufeff"))
    except AssertionError:
        return  # a disagreement the differential test reports on its own
    if before == "same":
        assert compare(fixed) == "same", fixed


# ---------------------------------------------------------------------------
# DPH301: the only fix that moves an instruction. In a repository with a plain
# requirements file, the fixed model must be the original with each moved RUN taken
# out and put, after one new COPY of the requirements file, right above its source copy.
# ---------------------------------------------------------------------------

MOVE_LINES = (
    "FROM python:3.12-slim-bookworm AS base",
    "FROM base",
    "WORKDIR /app",
    "COPY . .",
    "copy ./ /app",
    "COPY --chown=app:app --link . /app/",
    "ADD . .",
    "COPY . /srv",
    "RUN pip install --no-cache-dir -r requirements.txt",
    "RUN python -m pip install --no-cache-dir \\\n    -r requirements.txt",
    "RUN pip install -r requirements.txt -e .",
    "RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt",
    "RUN <<EOF\npip install -r requirements.txt\nEOF",
    "ENV PIP_NO_CACHE_DIR=1",
    "ARG PIP_CONSTRAINT=c.txt",
    "# deps",
    "# dph: ignore=DPH304",
    "",
)

_MOVE_REPO = tempfile.TemporaryDirectory()  # a repository with a plain requirements file
with open(f"{_MOVE_REPO.name}/requirements.txt", "w") as _file:
    _file.write("flask==3.0.3\n")


@st.composite
def move_dockerfiles(draw: st.DrawFn) -> str:
    head = draw(st.sampled_from(("", "# escape=`\n")))
    lines = draw(st.lists(st.sampled_from(MOVE_LINES), min_size=1, max_size=12))
    for _ in range(draw(st.integers(0, 2))):  # a fixable pair, somewhere
        pair = draw(st.sampled_from(MOVE_LINES[3:6])) + "\n" + draw(st.sampled_from(MOVE_LINES[8:10]))
        lines.insert(draw(st.integers(0, len(lines))), pair)
    if head:
        lines = [line.replace("\\\n", "`\n") for line in lines]
    text = head + "\n".join(["FROM python:3.12-slim-bookworm", *lines])
    ending = draw(st.sampled_from(("\n", "\r\n", "mixed")))
    if ending != "\n":
        parts = text.split("\n")
        endings = [ending if ending != "mixed" else draw(st.sampled_from(("\n", "\r\n"))) for _ in parts[1:]]
        text = parts[0] + "".join(e + part for e, part in zip(endings, parts[1:], strict=True))
    if draw(st.booleans()):
        text += "\n"
    return ("\ufeff" if draw(st.integers(0, 5)) == 0 else "") + text


def _move_edits(df: Dockerfile) -> list[Edit]:
    from hooks import check_requirements_before_source as rule

    ctx = Context(Repo(_MOVE_REPO.name), option_defaults(rule.HOOK.options))
    findings = rule.check(df, read_manifest=rule.manifest_reader(ctx, "Dockerfile"))
    edits, overlap = _fix.merge([f.fix for f in findings if f.fix])
    assert overlap is None, df.text  # each fix moves its own RUN above its own COPY
    return edits


@settings(max_examples=examples(300), deadline=None)
@given(move_dockerfiles())
@example("FROM python:3.12-slim-bookworm\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt")
def test_dph301_fix_moves_the_install_and_changes_nothing_else(text: str) -> None:
    with time_limit(20):
        df = parse(text)
        if df.errors:
            return
        edits = _move_edits(df)
        if not edits:
            return
        fixed = parse(_fix.apply(df.text, edits))
    assert not fixed.errors, fixed.text
    order: list[Any] = list(df.instructions)  # instructions (by identity), then the new COPYs
    inserts = [edit for edit in edits if edit[0] == edit[1]]
    cuts = [edit for edit in edits if edit[0] != edit[1]]
    assert len(inserts) == len(cuts)
    moves = []
    for (where, _, _), (start, end, _) in zip(inserts, cuts, strict=True):
        copy = next(i for i in df.instructions if _fix.line_start(df, i.start_line) == where)
        run = next(i for i in df.instructions if start <= _fix.line_start(df, i.start_line) < end or (
            i.end_line == len(df.lines) and _fix.line_end(df, i.start_line - 1) == start))
        assert run.keyword == "RUN" and copy.keyword in ("COPY", "ADD"), text
        moves.append((copy, run))
    for _copy, run in moves:
        order = [instr for instr in order if instr is not run]
    for copy, run in moves:
        at = next(index for index, instr in enumerate(order) if instr is copy)
        dest = copy.args.split()[-1]
        new_copy = (copy.keyword, f"requirements.txt {dest if dest.endswith(('/', '.')) else dest + '/'}",
                    copy.flags, None, (), None)
        order[at:at] = [new_copy, run]
    expected = [item if isinstance(item, tuple) else _shape(item) for item in order]
    assert [_shape(instr) for instr in fixed.instructions] == expected, (text, fixed.text)
    assert [(s.name, s.image, s.parent) for s in fixed.stages] == [(s.name, s.image, s.parent) for s in df.stages]
    assert (fixed.escape, list(fixed.directives)) == (df.escape, list(df.directives))
    assert Counter(c.text for c in fixed.comments) == Counter(c.text for c in df.comments)
    assert not _move_edits(fixed), fixed.text  # fixing twice changes nothing
    if compare is not None and "\x00" not in text:
        try:
            before = compare(text.removeprefix("\ufeff"))
        except AssertionError:
            return
        if before == "same":
            assert compare(fixed.text) == "same", fixed.text
