"""Property-based tests of the requirements reader (``hooks._requirements.parse``).

Inputs are drawn from a grammar of real requirement lines (names, extras, specifiers,
markers, ``--hash`` in both spellings, per-requirement and global options, includes,
editable paths, URLs, VCS, ``${VAR}``, comments, continuations with and without
trailing blanks), plus parser noise. The reader never raises, finishes, is
deterministic, keeps its line invariants, and never echoes a credential unmasked.
Include resolution (``load``) is fuzzed in ``tests/include_safety_test.py``.
"""
from __future__ import annotations

from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from hooks import _requirements as R
from hooks._secrets import mask_secrets
from hooks._suppress import requirements_suppressions
from tests.strategies import examples, time_limit

NAMES = ("flask", "Django", "zope.interface", "Flask_Login", "requests", "a", "x-y", "é", "1bad", "")
EXTRAS = ("", "[dev]", "[dev,test]", "[", "[a b]")
SPECIFIERS = (
    "", "==1.0", "==1.*", ">=1,<2", "~=1.2", "!=1.5", "===abc", " == 2.0 ", "==", ">=", "==1.0+local",
    "==${V}", "<2;",
)
MARKERS = ("", '; python_version < "3.12"', "; sys_platform == 'win32'", ";", "; bad marker", " ;extra=='x'")
HASHES = (
    "", " --hash=sha256:" + "a" * 64, " --hash sha256:" + "b" * 64, " --hash", " --hash=md5:x",
)
URLS = (
    "https://example.com/pkg-1.0.tar.gz", "git+https://github.com/org/lib@v1#egg=lib",
    "git+https://github.com/org/lib@" + "c" * 40 + "#egg=lib", "file:///srv/x-1.0-py3-none-any.whl",
    "https://user:s3cret@private.example.com/simple/x-1.0.whl", "./libs/foo", "../sibling", ".",
    "lib @ git+ssh://git@github.com/org/lib", "name @ https://h/x.zip", "hg+https://h/r#egg=r",
    "https://[x", "file:./libs/foo#egg=foo",
)
OPTIONS = (
    "-i https://pypi.org/simple", "--index-url=https://user:s3cret@private.example.com/simple",
    "--extra-index-url https://token:x-oauth@h.example/simple", "-f ./wheels", "--find-links=https://h/",
    "--trusted-host h.example", "--pre", "--prefer-binary", "--no-binary :all:", "--only-binary=:none:",
    "--require-hashes", "--no-index", "-r base.txt", "-rbase.txt", "--requirement=dev.txt",
    "-c constraints.txt", "--constraint c.txt", "-e .", "-e ./libs/foo[dev]", "--editable=../x",
    "-Z", "--use-feature=truststore", "--unknown-option", "-x", "--config-settings=k=v",
    "--global-option=--x", "-r", "--index-url", "-e",
)
COMMENTS = ("", "  # why", " #noqa: DPH101", "# a comment", "  # noqa: DPH101,DPH104 reason", "#no-space")
ENDINGS = ("\n", "\n", "\r\n", " \\\n", "\\\n", " \\  \n", "\x0c", "\u2028", "\x85")


@st.composite
def requirement_line(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 9))
    if kind < 5:
        text = (
            draw(st.sampled_from(NAMES)) + draw(st.sampled_from(EXTRAS))
            + draw(st.sampled_from(SPECIFIERS)) + draw(st.sampled_from(MARKERS))
            + draw(st.sampled_from(HASHES))
        )
    elif kind < 7:
        text = draw(st.sampled_from(URLS)) + draw(st.sampled_from(MARKERS))
    elif kind < 9:
        text = draw(st.sampled_from(OPTIONS))
    else:
        text = draw(st.sampled_from(("", "   ", "\t", "\\", "#", "${VAR}==1", "-", "--")))
    return draw(st.sampled_from(("", "", "  "))) + text + draw(st.sampled_from(COMMENTS))


@st.composite
def requirements_files(draw: st.DrawFn) -> str:
    lines = draw(st.lists(requirement_line(), max_size=15))
    text = "".join(line + draw(st.sampled_from(ENDINGS)) for line in lines)
    if draw(st.integers(0, 5)) == 0:
        text = text.rstrip("\n")
    if draw(st.integers(0, 10)) == 0:
        text = "\ufeff" + text
    return text


FRAGMENTS = (
    "==", ">=", "[", "]", ";", "@", "#", " #", "\\", "\\\n", "\n", "\r", "-r ", "-e ", "--hash=", "${",
    "}", "git+", "https://", "u:p@", ":", "'", '"', " ", "\t", "\x0c", "\u2028", "é", "file:", ",",
)


def noise() -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=3), max_size=50).map("".join)


def summary(parsed: R.RequirementsFile) -> list[Any]:
    return [parsed.lines, parsed.entries]


def check_invariants(text: str) -> R.RequirementsFile:
    with time_limit(20):
        parsed = R.parse(text, "requirements.txt")
    assert summary(parsed) == summary(R.parse(text, "requirements.txt"))
    count = len(parsed.lines)
    previous_end = 0
    covered: set[int] = set()
    for entry in parsed.entries:
        assert 1 <= entry.start_line <= entry.end_line <= count, entry
        assert entry.start_line > previous_end, "entries overlap or are out of order"
        previous_end = entry.end_line
        covered.update(range(entry.start_line, entry.end_line + 1))
        assert entry.kind in (R.REQUIREMENT, R.INCLUDE, R.OPTION, R.INVALID)
        assert entry.col >= 1
        assert (entry.kind == R.REQUIREMENT) == (entry.requirement is not None) or entry.kind == R.INVALID
        assert (entry.kind == R.INCLUDE) == (entry.include is not None)
        if entry.kind == R.INVALID:
            assert entry.problems
        for problem in entry.problems:
            assert entry.start_line <= problem.line <= entry.end_line
            assert problem.col >= 1
        for option in entry.options:
            assert entry.start_line <= option.line <= option.value_line <= entry.end_line or (
                option.line <= entry.end_line and option.value_line >= option.line
            )
            assert option.col >= 1 and option.value_col >= 1
        if entry.include is not None:
            assert entry.start_line <= entry.include.line <= entry.end_line
        req = entry.requirement
        if req is not None:
            assert req.kind in (R.INDEX, R.VCS, R.URL, R.PATH)
            assert req.name is None or req.name == R.canonicalize_name(req.name)
            shown = req.shown
            assert mask_secrets(shown) == shown
            assert "s3cret" not in shown and "x-oauth" not in shown
    # A line that starts a logical line and says something belongs to an entry (a
    # continued line may be swallowed by a comment, as pip does: 'a # c \\' + 'b').
    continued = False
    for number, line in enumerate(parsed.lines, start=1):
        comment = line.lstrip().startswith("#")
        own = R._strip_comment(line.strip("\\")).strip()
        if own and not comment and not continued:
            assert number in covered, f"line {number} {line!r} belongs to no entry"
        continued = not comment and line.endswith("\\")
    requirements_suppressions(parsed.path, parsed.lines, parsed.spans())
    return parsed


@settings(max_examples=examples(400))
@given(requirements_files())
@example("-r base.txt \\\n")
@example("flask==1.0 \\  \n--hash=sha256:" + "a" * 64 + "\n")
@example("pkg==1.0 # comment \\\nother==2.0\n")
@example("\\\n\\\n\\")
def test_grammar_files_keep_the_invariants(text: str) -> None:
    check_invariants(text)


@settings(max_examples=examples(300))
@given(noise())
def test_noise_keeps_the_invariants(text: str) -> None:
    check_invariants(text)


@settings(max_examples=examples(200))
@given(st.text(max_size=200))
def test_arbitrary_text_keeps_the_invariants(text: str) -> None:
    check_invariants(text)


@settings(max_examples=examples(300))
@given(st.text(max_size=120) | st.sampled_from(URLS + OPTIONS))
def test_mask_secrets_is_idempotent_and_hides_passwords(text: str) -> None:
    masked = mask_secrets(text)
    assert mask_secrets(masked) == masked
    for secret in ("s3cret", "x-oauth"):
        if f":{secret}@" in text:
            assert f":{secret}@" not in masked


def test_long_continuation_chain_is_linear() -> None:
    """pip-requirements-parser and requirements-parser are quadratic here."""
    with time_limit(20):
        parsed = R.parse("flask==1.0 \\\n" * 100_000 + "\n")
    assert [(e.start_line, e.end_line) for e in parsed.entries] == [(1, 100_001)]
