from __future__ import annotations

import logging
import os
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hooks import _requirements as R
from hooks._cli import requirements_problems
from hooks._files import ReadError, Repo
from tests.conftest import Writer


def entries(text: str) -> list[tuple[str, int, int, int, str]]:
    return [(e.kind, e.start_line, e.end_line, e.col, e.text) for e in R.parse(text).entries]


def req(text: str, *, editable: bool = False) -> R.Requirement:
    parsed = R.parse_requirement(text, editable=editable)
    assert isinstance(parsed, R.Requirement), parsed
    return parsed


def only(text: str) -> R.Entry:
    (entry,) = R.parse(text).entries
    return entry


# --------------------------------------------------------------------------------------
# Logical lines: pip's join_lines / ignore_comments, with exact positions
# --------------------------------------------------------------------------------------
LOGICAL = [
    pytest.param("flask==2.0.1\n", [("requirement", 1, 1, 1, "flask==2.0.1")], id="simple"),
    pytest.param("  flask==1  \n", [("requirement", 1, 1, 3, "flask==1")], id="indented"),
    pytest.param(
        "# a\n  # b\n\nflask==1  # why\n", [("requirement", 4, 4, 1, "flask==1")], id="comments"
    ),
    pytest.param("url#frag==1\n", [("invalid", 1, 1, 1, "url#frag==1")], id="hash-without-space"),
    pytest.param(
        "requests \\\n    ==2.31.0\n", [("requirement", 1, 2, 1, "requests     ==2.31.0")],
        id="continuation",
    ),
    pytest.param(
        "pkg==1.0 # comment \\\nother==2.0\nthird==3\n",
        [("requirement", 1, 2, 1, "pkg==1.0"), ("requirement", 3, 3, 1, "third==3")],
        id="comment-then-backslash-swallows-next-line",
    ),
    pytest.param(
        "foo==1 \\\n# a comment line ends the continuation\nbar==1\n",
        [("requirement", 1, 2, 1, "foo==1"), ("requirement", 3, 3, 1, "bar==1")],
        id="comment-line-ends-continuation",
    ),
    pytest.param(
        "# comment \\\nflask==1\n", [("requirement", 2, 2, 1, "flask==1")],
        id="backslash-after-whole-line-comment-is-no-continuation",
    ),
    pytest.param(
        "flask==3.0.0 \\  \n    --hash=sha256:abc\n",
        [("invalid", 1, 1, 1, "flask==3.0.0 \\"), ("option", 2, 2, 5, "--hash=sha256:abc")],
        id="backslash-then-spaces-is-no-continuation",
    ),
    pytest.param("last==1 \\", [("requirement", 1, 1, 1, "last==1")], id="backslash-at-eof"),
    pytest.param("\\\\foo==1\\\\\n", [("requirement", 1, 1, 3, "foo==1")], id="backslashes-stripped"),
    pytest.param(
        "a==1\r\nb==1\rc==1\n", [("requirement", n, n, 1, f"{c}==1") for n, c in ((1, "a"), (2, "b"), (3, "c"))],
        id="crlf-and-cr",
    ),
    pytest.param(
        "a==1\x0cb==1\x85c==1\u2028d==1\n",
        [("requirement", n, n, 1, f"{c}==1") for n, c in ((1, "a"), (2, "b"), (3, "c"), (4, "d"))],
        id="str-splitlines-separators-end-lines-as-in-pip",
    ),
    pytest.param("\ufeffflask==1\n", [("requirement", 1, 1, 1, "flask==1")], id="bom"),
    pytest.param("  \n\t\n", [], id="blank"),
]


@pytest.mark.parametrize(("text", "expected"), LOGICAL)
def test_logical_lines(text: str, expected: list[tuple[str, int, int, int, str]]) -> None:
    assert entries(text) == expected


def test_positions_on_continuation_lines() -> None:
    entry = only("flask==2.0.1 \\\n    --hash=sha256:aaa \\\n\t--hash sha256:bbb\n")
    assert [(o.name, o.value, o.line, o.col, o.value_line, o.value_col) for o in entry.options] == [
        ("--hash", "sha256:aaa", 2, 5, 2, 12),
        ("--hash", "sha256:bbb", 3, 2, 3, 9),
    ]
    assert entry.requirement is not None
    assert entry.requirement.hashes == ("sha256:aaa", "sha256:bbb")


def test_option_positions_and_spellings() -> None:
    text = (
        "-i https://a/simple\n--index https://b\n--pypi-url=https://c\n"
        "--extra-index-url https://d --extra-index-url=https://e\n-f ./wheels\n"
        "--trusted-host h\n--pre\n"
    )
    found = [
        (o.name, o.written, o.value, o.line, o.col, o.value_col)
        for entry in R.parse(text).entries for o in entry.options
    ]
    assert found == [
        ("--index-url", "-i", "https://a/simple", 1, 1, 4),
        ("--index-url", "--index", "https://b", 2, 1, 9),
        ("--index-url", "--pypi-url", "https://c", 3, 1, 12),
        ("--extra-index-url", "--extra-index-url", "https://d", 4, 1, 19),
        ("--extra-index-url", "--extra-index-url", "https://e", 4, 29, 47),
        ("--find-links", "-f", "./wheels", 5, 1, 4),
        ("--trusted-host", "--trusted-host", "h", 6, 1, 16),
        ("--pre", "--pre", None, 7, 1, 1),
    ]
    assert [o.value for o in R.parse(text).options("--index-url")] == [
        "https://a/simple", "https://b", "https://c",
    ]


INCLUDES = [
    pytest.param("-r base.txt", (False, "-r", "base.txt", 1, 4), id="short"),
    pytest.param("-rbase.txt", (False, "-r", "base.txt", 1, 3), id="attached"),
    pytest.param("--requirement=base.txt", (False, "--requirement", "base.txt", 1, 15), id="long-eq"),
    pytest.param("--requirement base.txt", (False, "--requirement", "base.txt", 1, 15), id="long"),
    pytest.param("-c c.txt", (True, "-c", "c.txt", 1, 4), id="constraint"),
    pytest.param("--constraint=c.txt", (True, "--constraint", "c.txt", 1, 14), id="constraint-long"),
    pytest.param("-r base.txt  # why", (False, "-r", "base.txt", 1, 4), id="comment"),
    pytest.param("-r 'dir with space/r.txt'", (False, "-r", "dir with space/r.txt", 1, 4), id="quoted"),
]


@pytest.mark.parametrize(("text", "expected"), INCLUDES)
def test_includes(text: str, expected: tuple[bool, str, str, int, int]) -> None:
    entry = only(text)
    assert entry.kind == R.INCLUDE
    assert entry.include == R.Include(*expected)


# --------------------------------------------------------------------------------------
# Requirements
# --------------------------------------------------------------------------------------
REQUIREMENTS = [
    pytest.param("flask==2.0.1", {"name": "flask", "specs": (("==", "2.0.1"),), "kind": R.INDEX}, id="pin"),
    pytest.param(
        "Django [ bcrypt , argon2 ] >= 4 , < 5",
        {"name": "django", "raw_name": "Django", "extras": ("bcrypt", "argon2"),
             "specs": ((">=", "4"), ("<", "5"))},
        id="extras-and-range",
    ),
    pytest.param("zope.interface  ==  6.1", {"name": "zope-interface", "specs": (("==", "6.1"),)}, id="spaces"),
    pytest.param("Flask_Login.Ext==1", {"name": "flask-login-ext"}, id="canonical-name"),
    pytest.param(
        'a==1; python_version<"3.8"', {"name": "a", "marker": 'python_version<"3.8"'}, id="marker"
    ),
    pytest.param("foo===1.0+local", {"specs": (("===", "1.0+local"),)}, id="arbitrary-equality"),
    pytest.param(
        "git+https://github.com/psf/requests@v2.31.0#egg=requests",
        {"name": "requests", "kind": R.VCS, "vcs": "git", "revision": "v2.31.0",
             "url": "git+https://github.com/psf/requests@v2.31.0#egg=requests"},
        id="vcs-egg",
    ),
    pytest.param(
        "git+ssh://git@github.com/org/lib.git", {"name": None, "kind": R.VCS, "revision": None},
        id="vcs-no-ref-no-name",
    ),
    pytest.param(
        "lib @ git+https://github.com/org/lib@0123456789abcdef0123456789abcdef01234567",
        {"name": "lib", "kind": R.VCS, "revision": "0123456789abcdef0123456789abcdef01234567"},
        id="pep508-vcs",
    ),
    pytest.param(
        "hg+https://hg.example.com/repo@abc#egg=repo", {"kind": R.VCS, "vcs": "hg", "revision": "abc"},
        id="hg",
    ),
    pytest.param(
        "https://example.com/Pkg_Name-1.0-py3-none-any.whl",
        {"name": "pkg-name", "specs": (("==", "1.0"),), "kind": R.URL}, id="wheel-url",
    ),
    pytest.param("https://example.com/pkg-1.0.tar.gz", {"name": None, "kind": R.URL}, id="sdist-url"),
    pytest.param(
        "name[x] @ https://example.com/name-1.0.tar.gz ; python_version > '3'",
        {"name": "name", "extras": ("x",), "kind": R.URL, "marker": "python_version > '3'",
             "url": "https://example.com/name-1.0.tar.gz"},
        id="pep508-url-marker",
    ),
    pytest.param(
        "https://example.com/x-1.0-py3-none-any.whl; python_version > '3'",
        {"name": "x", "kind": R.URL, "marker": "python_version > '3'"}, id="url-marker-needs-space",
    ),
    pytest.param("file:///srv/x-1.0-py3-none-any.whl", {"name": "x", "kind": R.PATH}, id="file-url"),
    pytest.param("./libs/foo[dev,test]", {"name": None, "kind": R.PATH, "extras": ("dev", "test"),
                                              "url": "./libs/foo"}, id="local-dir"),
    pytest.param(".", {"kind": R.PATH, "url": "."}, id="dot"),
    pytest.param("foo-1.0-py3-none-any.whl", {"name": "foo", "kind": R.PATH,
                                                  "specs": (("==", "1.0"),)}, id="bare-wheel"),
    pytest.param("./dist/foo-1.0.tar.gz", {"name": None, "kind": R.PATH}, id="local-sdist"),
    pytest.param("name @ ./local", {"name": "name", "kind": R.PATH, "url": "./local"}, id="pep508-path"),
]


@pytest.mark.parametrize(("text", "fields"), REQUIREMENTS)
def test_requirement_fields(text: str, fields: dict[str, Any]) -> None:
    parsed = req(text)
    assert {key: getattr(parsed, key) for key in fields} == fields


EDITABLES = [
    pytest.param(".", {"kind": R.PATH, "url": ".", "name": None}, id="dot"),
    pytest.param(".[dev]", {"kind": R.PATH, "url": ".", "extras": ("dev",)}, id="dot-extras"),
    pytest.param("../sibling", {"kind": R.PATH, "url": "../sibling"}, id="sibling"),
    pytest.param(
        "git+https://github.com/org/lib@main#egg=lib",
        {"kind": R.VCS, "name": "lib", "revision": "main"}, id="vcs",
    ),
    pytest.param("git://github.com/org/lib#egg=lib", {"kind": R.VCS, "vcs": "git"}, id="git-scheme"),
    pytest.param("lib @ git+https://github.com/org/lib@v1", {"kind": R.VCS, "name": "lib", "revision": "v1"},
                 id="pep508"),
    pytest.param("file:./libs/foo#egg=foo", {"kind": R.PATH, "name": "foo"}, id="file-url"),
]


@pytest.mark.parametrize(("text", "fields"), EDITABLES)
def test_editable_fields(text: str, fields: dict[str, Any]) -> None:
    parsed = req(text, editable=True)
    assert parsed.editable
    assert {key: getattr(parsed, key) for key in fields} == fields


@pytest.mark.parametrize(
    ("text", "pin"),
    [
        pytest.param("a==1.2.3", "1.2.3", id="eq"),
        pytest.param("a===weird", "weird", id="arbitrary"),
        pytest.param("a==1.2.3,!=1.2.2", "1.2.3", id="eq-and-more"),
        pytest.param("a==1.*", None, id="wildcard"),
        pytest.param("a>=1", None, id="ge"),
        pytest.param("a~=1.2", None, id="compatible"),
        pytest.param("a", None, id="bare"),
        pytest.param("a>=1,<=1", None, id="range-of-one"),
    ],
)
def test_pin(text: str, pin: str | None) -> None:
    assert req(text).pin == pin


def test_env_vars_are_kept_literal_and_marked() -> None:
    unresolved = req("requests==${REQ_VERSION}")
    assert (unresolved.name, unresolved.unresolved, unresolved.env_vars) == (
        "requests", True, ("REQ_VERSION",),
    )
    token = req("git+https://${GITHUB_TOKEN}@github.com/org/lib@v1#egg=lib")
    assert (token.kind, token.revision, token.env_vars, token.unresolved) == (
        R.VCS, "v1", ("GITHUB_TOKEN",), False,
    )
    arbitrary = req("flask===${V}")
    assert arbitrary.specs == (("===", "${V}"),)
    assert R.parse_requirement("${lower}==1") == (
        "invalid requirement '${lower}==1': Expected package name at the start of dependency specifier"
    )


INVALID = [
    pytest.param("this is not valid", 1, 1, "invalid requirement 'this is not valid': Expected "
                 "semicolon (after name with no version specifier) or end", id="words"),
    pytest.param("flask=1.0", 1, 1, "invalid requirement 'flask=1.0': Expected semicolon (after name "
                 "with no version specifier) or end; '=' is not a version operator, did you mean '=='?",
                 id="single-equals"),
    pytest.param("foo[bar", 1, 1, "invalid requirement 'foo[bar': Expected matching RIGHT_BRACKET "
                 "for LEFT_BRACKET, after extras", id="bracket"),
    pytest.param("flask\t--hash=sha256:x", 1, 1, "invalid requirement 'flask\t--hash=sha256:x': "
                 "Expected semicolon (after name with no version specifier) or end (pip splits "
                 "options from the requirement only at spaces, not tabs)", id="tab-before-option"),
    pytest.param("flask \\  ", 1, 1, "invalid requirement 'flask \\': Expected semicolon (after name "
                 "with no version specifier) or end (a '\\' followed by spaces does not continue the "
                 "line)", id="backslash-space"),
    pytest.param("a==1 ; python_version <", 1, 1, "invalid marker 'python_version <': Expected a "
                 "marker variable or quoted string", id="marker"),
    pytest.param("--unknown", 1, 1, "no such option: --unknown; pip rejects this line", id="unknown"),
    pytest.param("-x", 1, 1, "no such option: -x; pip rejects this line", id="unknown-short"),
    pytest.param("--req f", 1, 1, "ambiguous option: --req (--require-hashes, --requirement?); "
                 "pip rejects this line", id="ambiguous"),
    pytest.param("-r", 1, 1, "-r needs a value; pip rejects this line", id="missing-value"),
    pytest.param("--pre=1", 1, 1, "--pre takes no value; pip rejects this line", id="flag-value"),
    pytest.param("a==1 --hash=md5:x", 1, 13, "--hash algorithm 'md5' is not allowed by pip; use one "
                 "of sha256, sha384, sha512", id="weak-hash"),
    pytest.param("a==1 --hash=nocolon", 1, 13, "--hash needs a hash name and a value, like "
                 "--hash=sha256:abcde...; pip rejects 'nocolon'", id="hash-format"),
    pytest.param("a==1 --config-settings x", 1, 24, "--config-settings needs KEY=VALUE; pip rejects "
                 "'x'", id="config-settings"),
    pytest.param("--no-binary -x", 1, 13, "--no-binary needs a value (':all:', ':none:' or package "
                 "names)", id="no-binary"),
    pytest.param("--index-url 'https://x", 1, 1, "cannot split the options (No closing quotation); "
                 "check the quotes", id="quote"),
    pytest.param("-e https://example.com/x.zip", 1, 4, "invalid requirement 'https://example.com/x.zip': "
                 "an editable requirement must be a local project path or a VCS URL (git+https://...), "
                 "not 'https://example.com/x.zip'", id="editable-url"),
    pytest.param("-e git+https://github.com/org/lib", 1, 4, "invalid requirement "
                 "'git+https://github.com/org/lib': pip cannot tell the project name of "
                 "'git+https://github.com/org/lib'; write it as 'name @ git+https://github.com/org/lib' "
                 "or add '#egg=name'", id="editable-vcs-unnamed"),
    pytest.param("git+https://github.com/org/lib@#egg=lib", 1, 1, "invalid requirement "
                 "'git+https://github.com/org/lib@#egg=lib': the URL 'git+https://github.com/org/lib@#egg=lib' "
                 "has an empty revision after '@'; remove the '@' or name a commit", id="empty-rev"),
    pytest.param("s3://bucket/pkg.tar.gz", 1, 1, "invalid requirement 's3://bucket/pkg.tar.gz': 's3:' "
                 "is not a URL scheme pip can install from", id="scheme"),
    pytest.param("https://example.com/bad.whl", 1, 1, "invalid requirement 'https://example.com/bad.whl':"
                 " invalid wheel file name: Invalid wheel filename (wrong number of parts): 'bad'",
                 id="wheel-name"),
    pytest.param("https://x/p.tar.gz#egg=not/a/name", 1, 1, "invalid requirement "
                 "'https://x/p.tar.gz#egg=not/a/name': the #egg= fragment 'not/a/name' is not a project "
                 "name; use 'name @ URL'", id="egg"),
    pytest.param("git+https://[x/y#egg=y", 1, 1, "invalid requirement 'git+https://[x/y#egg=y': "
                 "'git+https://[x/y#egg=y' is not a valid URL", id="malformed-netloc-pip-crashes-on"),
    pytest.param("https://user:s3cret@x/p.tar.gz#egg=a/b", 1, 1, "invalid requirement "
                 "'https://user:****@x/p.tar.gz#egg=a/b': the #egg= fragment 'a/b' is not a project name; "
                 "use 'name @ URL'", id="credentials-masked"),
]


@pytest.mark.parametrize(("text", "line", "col", "message"), INVALID)
def test_invalid_lines(text: str, line: int, col: int, message: str) -> None:
    entry = only(text)
    assert entry.kind == R.INVALID
    assert entry.requirement is None
    assert entry.problems == (R.Problem(line, col, message),)


def test_invalid_lines_are_collected_and_parsing_goes_on() -> None:
    kinds = [e.kind for e in R.parse("==1.0\n;;\nflask==1\n--nope\nrequests==2\n").entries]
    assert kinds == ["invalid", "invalid", "requirement", "invalid", "requirement"]


IGNORED = [
    pytest.param("--pre flask==1", ("flask==1",), "option", 1, 7, "pip ignores 'flask==1' on this line "
                 "(words after an option are not requirements); put the requirement first, or quote the "
                 "option's value", id="requirement-after-option"),
    pytest.param("-e lib @ git+https://x/lib", ("@", "git+https://x/lib"), "requirement", 1, 8,
                 "pip ignores '@', 'git+https://x/lib' on this line (words after an option are not "
                 "requirements); put the requirement first, or quote the option's value",
                 id="unquoted-editable-direct-reference"),
    pytest.param("-r a.txt -r b.txt", ("-r b.txt",), "include", 1, 10, "pip reads only the first "
                 "-e/-r/-c of a line and ignores '-r b.txt'; use one line each", id="two-includes"),
    pytest.param("-e ./x -e ./y", ("-e ./y",), "requirement", 1, 8, "pip reads only the first "
                 "-e/-r/-c of a line and ignores '-e ./y'; use one line each", id="two-editables"),
    pytest.param("flask==1 -r x.txt", ("-r x.txt",), "requirement", 1, 10, "pip ignores '-r x.txt' on "
                 "a requirement line; put each -r/-c on a line of its own", id="include-on-requirement"),
]


@pytest.mark.parametrize(("text", "ignored", "kind", "line", "col", "message"), IGNORED)
def test_silently_ignored_words_are_problems(
    text: str, ignored: tuple[str, ...], kind: str, line: int, col: int, message: str
) -> None:
    entry = only(text)
    assert (entry.kind, entry.ignored) == (kind, ignored)
    assert entry.problems == (R.Problem(line, col, message),)


@pytest.mark.parametrize(
    ("text", "col", "written"),
    [
        pytest.param("flask==1 --install-option=--x", 10, "--install-option", id="install-option"),
        pytest.param("flask==1 --global-option x", 10, "--global-option", id="global-option"),
        pytest.param("-Z", 1, "-Z", id="always-unzip"),
    ],
)
def test_removed_options_are_understood_and_reported(text: str, col: int, written: str) -> None:
    entry = only(text)
    assert entry.kind in (R.REQUIREMENT, R.OPTION)
    (problem,) = entry.problems
    assert (problem.line, problem.col) == (1, col)
    assert problem.message.startswith(f"pip no longer accepts '{written}' and rejects the whole file")


def test_per_requirement_options() -> None:
    entry = only("flask==1 -C key=val --config-settings=a=b --index-url https://ignored")
    assert entry.kind == R.REQUIREMENT
    assert [o.name for o in entry.options] == ["--config-settings", "--config-settings", "--index-url"]
    editable = only("-e . --hash=sha256:x")
    assert editable.requirement is not None
    assert editable.requirement.hashes == ()  # pip drops --hash on editables


# --------------------------------------------------------------------------------------
# Fast paths provably agree with packaging and shlex
# --------------------------------------------------------------------------------------
def test_fast_path_does_not_import_packaging() -> None:
    code = (
        "import sys; before = set(sys.modules); from hooks._requirements import parse; "
        "parse('flask==2.0.1 --hash=sha256:a\\nDjango[x]>=4,<5 ; python_version < \"3.12\"\\n"
        "-r base.txt\\n-e .\\n'); "
        "print(sorted(m for m in set(sys.modules) - before if m.startswith('packaging')))"
    )
    import subprocess

    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "[]"


_NAMES = st.sampled_from(["a", "Flask", "zope.interface", "my_pkg-2", "x1", "A.B_C-d"])
_VERSIONS = st.sampled_from(["1", "1.0", "01.2.3", "2.0a1", "1.0.post2", "3.dev4", "1.2rc3.dev1"])
_TAILS = st.sampled_from(["", "", "+local", "+ubuntu.1", ".*"])
_OPS = st.sampled_from(["==", "!=", "<=", ">=", "<", ">", "~=", "==="])
_WS = st.sampled_from(["", " ", "  ", "\t"])


@st.composite
def _specifiers(draw: st.DrawFn) -> str:
    return f"{draw(_OPS)}{draw(_WS)}{draw(_VERSIONS)}{draw(_TAILS)}"


@st.composite
def _requirement_strings(draw: st.DrawFn) -> str:
    text = draw(_WS) + draw(_NAMES) + draw(_WS)
    extras: list[str] = draw(st.lists(_NAMES, max_size=3))
    brackets: bool = draw(st.booleans())
    if extras or brackets:
        text += "[" + draw(_WS) + f"{draw(_WS)},{draw(_WS)}".join(extras) + draw(_WS) + "]" + draw(_WS)
    specs = draw(st.lists(_specifiers(), max_size=3))
    return text + f"{draw(_WS)},{draw(_WS)}".join(specs) + draw(_WS)


_VARIABLES = st.sampled_from(["python_version", "sys_platform", "extra", "os_name", "platform_machine"])
_STRINGS = st.sampled_from(['"3.8"', "'win32'", '"a b"', "''", '"x\'y"', '"a\\b"'])
_MARKER_OPS = st.sampled_from(["<", "==", "!=", " in ", " not in ", "~=", "===", "in"])


@st.composite
def _markers(draw: st.DrawFn) -> str:
    atoms = []
    for _ in range(draw(st.integers(1, 3))):
        if draw(st.booleans()):
            atoms.append(f"{draw(_VARIABLES)}{draw(_WS)}{draw(_MARKER_OPS)}{draw(_WS)}{draw(_STRINGS)}")
        else:
            atoms.append(f"{draw(_STRINGS)}{draw(_MARKER_OPS)}{draw(_VARIABLES)}")
    return f" {draw(st.sampled_from(['and', 'or']))} ".join(atoms)


@settings(max_examples=500, deadline=None, derandomize=True)
@given(_requirement_strings())
def test_fast_requirement_path_agrees_with_packaging(text: str) -> None:
    from packaging.requirements import Requirement

    if R._fast_requirement(text) is None:
        return
    ours = R._named(text, None)
    theirs = Requirement(text)  # the fast path accepts only what packaging accepts
    assert isinstance(ours, R.Requirement)
    assert ours.raw_name == theirs.name
    assert set(ours.extras) == set(theirs.extras)
    assert set(ours.specs) == {(s.operator, s.version) for s in theirs.specifier}


@settings(max_examples=300, deadline=None, derandomize=True)
@given(_markers())
def test_fast_marker_path_agrees_with_packaging(text: str) -> None:
    from packaging.markers import Marker

    if R._fast_marker(text):
        Marker(text)  # does not raise


def test_fast_paths_cover_everyday_lines() -> None:
    for text in ("flask==2.0.1", "Django[bcrypt]>=4.2,<5", "a ~= 1.2", "b!=1.*", "c==1.0+cpu"):
        assert R._fast_requirement(text), text
    assert R._fast_marker('python_version < "3.12" and sys_platform != \'win32\'')


@settings(max_examples=1000, deadline=None, derandomize=True)
@given(st.text(alphabet=" \t'\"\\ab=-:", max_size=20))
def test_shlex_emulation_agrees_with_shlex(text: str) -> None:
    try:
        expected: list[str] | str = shlex.split(text)
    except ValueError as exc:
        expected = str(exc)
    try:
        words = R._shlex(text)
    except ValueError as exc:
        assert str(exc) == expected
        return
    assert [word for word, _, _ in words] == expected
    for _, start, end in words:
        assert start < end
        assert text[start] not in " \t"


def test_linear_time_on_hostile_lines() -> None:
    text = (
        " " * 60000 + "x\n" + "a" * 60000 + "!\n" + "#" * 60000 + "\n"
        + "a==1 \\\n" * 20000 + "\n" + "x " * 30000 + "#\n"
    )
    parsed = R.parse(text)
    assert [e.kind for e in parsed.entries] == ["requirement", "invalid", "invalid", "invalid"]
    assert parsed.entries[2].start_line == 4
    assert parsed.entries[2].end_line == 20004


# --------------------------------------------------------------------------------------
# Differential test against pip's own parser
# --------------------------------------------------------------------------------------
CORPUS = {
    "basic": (
        "flask==2.0.1\nrequests>=2,<3\nDjango[bcrypt, argon2] ~= 4.2.1 ; python_version >= '3.10'\n"
        "zope.interface  ==  6.1\nfoo===1.0+local\nbar==1.*\nbaz!=1.0,>=0.5\n"
    ),
    "hashes": (
        "flask==2.0.1 \\\n    --hash=sha256:aaa \\\n    --hash sha256:bbb\n"
        "idna==3.6 --hash sha256:ccc --hash=sha512:ddd\n"
    ),
    "comments": (
        "# full\n  # indented\nflask==1  # trailing\nurl#frag==1\npkg==1.0 # comment \\\n"
        "swallowed==2.0\nfoo \\\n# comment ends continuation\nbar==1\n"
    ),
    "continuations": (
        "requests \\\n    ==2.31.0\nflask==3.0.0 \\  \n    --hash=sha256:abc\n\\\\foo==1\\\\\nlast==1 \\"
    ),
    "options": (
        "-i https://pypi.org/simple\n--index-url=https://user:pw@x/simple\n"
        "--extra-index-url https://a --extra-index-url=https://b\n--no-index\n-f ./wheels\n"
        "--find-links=https://x/links\n--trusted-host h\n--pre\n--prefer-binary\n"
        "--only-binary :all:\n--no-binary=foo,bar\n--require-hashes\n--no-require-hashes\n"
        "--use-feature=fast-deps\n--index https://abbrev\n--pypi-url https://alias\n"
    ),
    "includes": (
        "-r base.txt\n-rbase.txt\n--requirement=base.txt\n--requirement base.txt\n-c constraints.txt\n"
        "--constraint=constraints.txt\n-r a.txt -c b.txt\n-r base.txt  # comment\n"
    ),
    "editables": (
        "-e .\n-e ./libs/foo\n-e .[dev]\n-e git+https://github.com/org/lib@main#egg=lib\n"
        "-e git+https://github.com/org/lib\n-e https://example.com/x.zip\n"
        "-e lib @ git+https://github.com/org/lib@v1\n-e file:./libs/foo#egg=foo\n"
        "-e git://github.com/org/lib#egg=lib\n-e . --hash=sha256:x\n--editable=./libs/foo\n"
    ),
    "urls": (
        "https://example.com/pkg-1.0-py3-none-any.whl\nhttps://example.com/pkg-1.0.tar.gz\n"
        "https://example.com/pkg-1.0.tar.gz#egg=pkg\n"
        "git+https://github.com/psf/requests@v2.31.0#egg=requests\ngit+https://github.com/psf/requests\n"
        "name @ git+https://github.com/org/lib@0123456789abcdef0123456789abcdef01234567\n"
        "name[x] @ https://example.com/name-1.0.tar.gz ; python_version > '3'\n"
        "https://example.com/x.whl; python_version > '3'\nfile:///tmp/x-1.0-py3-none-any.whl\n"
        "hg+https://hg.example.com/repo@abc#egg=repo\nsvn+https://svn.example.com/repo@1234#egg=repo\n"
        "git+https://github.com/org/lib@#egg=lib\nhttps://example.com/bad.whl\ns3://bucket/pkg.tar.gz\n"
    ),
    "paths": (
        "./libs/foo\n.\n.[dev]\n./libs/foo[dev,test]\n./dist/foo-1.0-py3-none-any.whl\n"
        "foo-1.0-py3-none-any.whl\n./dist/foo-1.0.tar.gz\n"
    ),
    "invalid": (
        "this is not valid\nrequests===\n==1.0\nfoo[bar\n;;\n-x\n--unknown\nflask=1.0\nflask==abc\n-r\n"
        "--pre=1\n--hash=md5:x\n--hash=nocolon\nflask\t--hash=sha256:x\n--config-settings x\n"
        "--req f\n--no\n'unbalanced\n--no-binary -x\n--install-option=x\n-Z\n--global-option x\n"
    ),
    "markers": (
        "a==1; python_version<'3.8'\nb==1 ;sys_platform == \"win32\" and platform_machine != 'arm64'\n"
        "c==1 ; (python_version < '3.8' or os_name == 'nt')\nd==1 ; python_version in '3.8 3.9'\n"
        "e==1 ; extra == 'Foo_Bar'\nf==1 ; python_version <\nh==1 ; os.name == 'nt'\n"
    ),
    "per-requirement-options": (
        "flask==1 -C key=val --config-settings=a=b\nflask==1 --index-url https://ignored\n"
        "flask==1 -r ignored.txt\n--pre flask==1\n-- flask\n-C a=b flask\n-e ./x -e ./y\n"
    ),
    "env-vars": (
        "requests==${REQ_VERSION}\n"
        "git+https://${GITHUB_TOKEN}@github.com/org/lib@0123456789abcdef0123456789abcdef01234567#egg=lib\n"
        "--index-url https://${USER}:${PASS}@x/simple\nflask===${V}\n-r ${DIR}/base.txt\n${lower}==1\n"
    ),
    "line-separators": "a==1\x0cb==1\nc==1\x85d==1\u2028e==1\r\nf==1\rg==1\n",
    "whitespace": (
        "  \n\t\nflask==1\t\n  flask==2  \nFlask_Login.Ext==1\nfoo-==1\nfoo_==1\nfoo[]==1\nname @ ./local\n"
        "-e\n--\n-\n"
    ),
}

# (corpus, line) -> why we differ from pip on purpose.
INTENTIONAL = {
    ("editables", 7): "`-e lib` (then ignored words): pip looks for a directory 'lib' in the "
                      "current directory; we never look at the file system, so any non-URL "
                      "editable is a local path (and the ignored words are reported)",
    ("per-requirement-options", 7): "same: pip finds no directory './x' in its current directory",
    ("urls", 12): "an empty VCS revision: pip fails only when it installs; we report it now",
    ("urls", 14): "an unknown URL scheme: pip treats it as a missing local file; we report it now",
    ("invalid", 20): "removed options: pip rejects the line; we parse it and report the option",
    ("invalid", 21): "same (-Z)",
    ("invalid", 22): "same (--global-option)",
    ("env-vars", 1): "${VAR} in a version: pip expands it (here unset, so invalid); we keep it "
                     "literal and mark the requirement unresolved",
}
# (corpus, line) -> why we may differ from pip: we use the installed packaging, pip its
# vendored copy, and the two releases can disagree.
PACKAGING_RELEASES = {
    ("invalid", 2): "'requests===': packaging up to 26.3 accepts an empty arbitrary version, "
                    "26.4 rejects it",
}


def pip_view(text: str) -> list[tuple[int, str, str, Any]]:
    """pip's reading of ``text``, line by line, through its own functions.

    These are pip internals, which change between releases: requirements-dev.txt pins the
    pip they are read from (the README's install command upgrades a venv's bundled pip).
    """
    from pip._internal.exceptions import CommandError, InstallationError
    from pip._internal.req.constructors import install_req_from_parsed_requirement
    from pip._internal.req.req_file import (
        OptionParsingError,
        ParsedLine,
        get_line_parser,
        handle_requirement_line,
        preprocess,
    )

    parse_line = get_line_parser(None)
    out: list[tuple[int, str, str, Any]] = []
    for lineno, line in preprocess(text):
        try:
            args, opts = parse_line(line)
        except (OptionParsingError, CommandError):
            out.append((lineno, "invalid", line, None))
            continue
        parsed = ParsedLine("requirements.txt", lineno, args, opts, False)
        if parsed.requirement is None:
            if opts.requirements or opts.constraints:
                target = (opts.requirements or opts.constraints)[0]
                out.append((lineno, "include", line, (not opts.requirements, target)))
            else:
                out.append((lineno, "option", line, {
                    "index_url": opts.index_url, "extra_index_urls": opts.extra_index_urls,
                    "find_links": opts.find_links, "trusted_hosts": opts.trusted_hosts,
                    "pre": opts.pre, "require_hashes": opts.require_hashes, "no_index": opts.no_index,
                }))
            continue
        try:
            ireq = install_req_from_parsed_requirement(handle_requirement_line(parsed))
        except (InstallationError, ValueError):
            out.append((lineno, "invalid", line, None))
            continue
        pkg = ireq.req
        out.append((lineno, "requirement", line, {
            "name": R.canonicalize_name(pkg.name) if pkg else None,
            "extras": set(ireq.extras) | (set(pkg.extras) if pkg else set()),
            "specs": {(s.operator, s.version) for s in pkg.specifier} if pkg else set(),
            "marker": str(ireq.markers or (pkg.marker if pkg else None) or "") or None,
            "editable": ireq.editable,
            "hashes": sorted(f"{k}:{v}" for k, vs in (ireq.hash_options or {}).items() for v in vs),
            "vcs": bool(ireq.link and ireq.link.is_vcs),
            "link": bool(ireq.link),
        }))
    return out


def our_view(text: str) -> list[tuple[int, str, str, Any]]:
    from packaging.markers import Marker

    out: list[tuple[int, str, str, Any]] = []
    for e in R.parse(text).entries:
        if e.kind == R.INVALID:
            out.append((e.start_line, "invalid", e.text, None))
        elif e.kind == R.INCLUDE:
            assert e.include is not None
            out.append((e.start_line, "include", e.text, (e.include.constraint, e.include.target)))
        elif e.kind == R.OPTION:
            def values(name: str, entry: R.Entry = e) -> list[str | None]:
                return [o.value for o in entry.options if o.name == name]

            index = values("--index-url")
            out.append((e.start_line, "option", e.text, {
                "index_url": index[-1] if index else None,
                "extra_index_urls": values("--extra-index-url"),
                "find_links": values("--find-links"), "trusted_hosts": values("--trusted-host"),
                "pre": bool(values("--pre")), "require_hashes": bool(values("--require-hashes")),
                "no_index": bool(values("--no-index")),
            }))
        else:
            r = e.requirement
            assert r is not None
            out.append((e.start_line, "requirement", e.text, {
                "name": r.name, "extras": set(r.extras), "specs": set(r.specs),
                "marker": str(Marker(r.marker)) if r.marker else None,
                "editable": r.editable, "hashes": sorted(r.hashes),
                "vcs": r.kind == R.VCS, "link": r.kind != R.INDEX,
            }))
    return out


@pytest.fixture
def pip_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """pip resolves local paths against its current directory: give it real ones."""
    pytest.importorskip("pip._internal.req.req_file")
    for directory in ("libs/foo", "local", "."):
        (tmp_path / directory).mkdir(parents=True, exist_ok=True)
        (tmp_path / directory / "pyproject.toml").write_text("")
    monkeypatch.chdir(tmp_path)
    for name in ("REQ_VERSION", "GITHUB_TOKEN", "USER", "PASS", "V", "DIR"):
        monkeypatch.delenv(name, raising=False)
    logging.disable(logging.CRITICAL)
    yield tmp_path
    logging.disable(logging.NOTSET)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_differential_against_pip(name: str, pip_cwd: Path, capsys: pytest.CaptureFixture[str]) -> None:
    theirs = {item[0]: item for item in pip_view(CORPUS[name])}
    ours = {item[0]: item for item in our_view(CORPUS[name])}
    capsys.readouterr()  # optparse prints usage to stderr on errors
    assert sorted(theirs) == sorted(ours), "same logical lines, same line numbers"
    differences = {}
    for line in sorted(theirs):
        pip_item, our_item = theirs[line], ours[line]
        same = pip_item[1:3] == our_item[1:3] and (
            pip_item[1] == "invalid" or pip_item[3] == our_item[3]
        )
        if not same:
            differences[(name, line)] = (pip_item, our_item)
    intentional = {key for key in INTENTIONAL if key[0] == name}
    assert set(differences) - set(PACKAGING_RELEASES) == intentional, differences


def test_differential_includes_against_pip(write: Writer) -> None:
    pytest.importorskip("pip._internal.req.req_file")
    from pip._internal.network.session import PipSession
    from pip._internal.req.req_file import parse_requirements

    write("requirements.txt", "-r sub/a.txt\n-r sub/b.txt\n-c constraints.txt\nroot==1\n")
    write("sub/a.txt", "-r ../common.txt\na==1\n")
    write("sub/b.txt", "-r ../common.txt\nb==1 \\\n  --hash=sha256:x\n")
    write("common.txt", "common==1\n")
    write("constraints.txt", "-r sub/from-constraints.txt\nc==1\n")
    write("sub/from-constraints.txt", "fc==1\n")
    theirs = sorted(
        (os.path.relpath(str(r.line_source).split(" of ", 1)[1]), int(str(r.line_source).split()[1]),
         r.requirement.strip(), r.constraint)
        for r in parse_requirements("requirements.txt", session=PipSession())
    )
    model = R.load("requirements.txt", Repo())
    ours = sorted(
        (path, e.start_line, e.requirement.text, model.roles[path] == {"constraint"})
        for path, f in model.files.items() for e in f.requirements() if e.requirement
    )
    # pip parses common.txt twice (diamond) and yields it twice; we parse it once
    assert sorted(set(theirs)) == ours
    assert len(theirs) == len(ours) + 1


# --------------------------------------------------------------------------------------
# Loading: includes, safety, cycles, what is reported
# --------------------------------------------------------------------------------------
def problems_of(model: R.RequirementsSet) -> list[tuple[str, int, int, str, str]]:
    return [(p.path, p.line, p.col, p.kind, p.message) for p in model.include_problems]


def test_load_follows_includes_relative_to_the_including_file(write: Writer) -> None:
    write("requirements.txt", "-r requirements/base.txt\n-c constraints.txt\nflask>=2\n")
    write("requirements/base.txt", "-r ../common.in\nrequests\n")
    write("common.in", "click==8.1.7\n")
    write("constraints.txt", "flask==2.0.1\nrequests==2.31.0 ; python_version < '3.8'\n")
    model = R.load("requirements.txt", Repo())
    assert list(model.files) == [
        "requirements.txt", "requirements/base.txt", "constraints.txt", "common.in",
    ]
    assert model.include_problems == []
    assert model.roles == {
        "requirements.txt": {"requirement"}, "requirements/base.txt": {"requirement"},
        "constraints.txt": {"constraint"}, "common.in": {"requirement"},
    }
    assert [f.path for f in model.reported()] == ["requirements.txt", "common.in"]
    assert sorted(model.constraint_pins()) == ["flask", "requests"]
    flask = req("flask>=2")
    assert model.pinned_by_constraint(flask) is not None
    assert model.pinned_by_constraint(req("requests")) is None  # only pinned under a marker
    assert model.pinned_by_constraint(req("requests ; python_version < '3.8'")) is not None
    assert model.reachable("requirements/base.txt") == ["requirements/base.txt", "common.in"]


def test_unsafe_includes_are_refused_and_never_read(
    write: Writer, in_tmp: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside") / "secret.txt"
    outside.write_text("secret==1\n")
    os.symlink(outside, in_tmp / "link.txt")
    escape = os.path.relpath(outside, in_tmp)
    write("requirements.txt", "\n".join([
        "-r missing.txt",
        f"-r {escape}",
        f"-r {outside}",
        "-r https://user:s3cret@example.com/r.txt",
        "-r file:///etc/passwd",
        "-c git+https://github.com/org/repo#egg=x",
        "-r ${DIR}/x.txt",
        "-r link.txt",
        "-r sub",
        "-r bad.txt",
        "",
    ]))
    (in_tmp / "sub").mkdir()
    write("bad.txt", b"ok==1\n\xff\xfd not utf-8\n")
    reads: list[str] = []
    listening = [True]

    def audit(event: str, args: tuple[Any, ...]) -> None:
        if listening and event == "open" and isinstance(args[0], str):
            if not args[0].endswith((".py", ".pyc")):  # lazy imports of the stdlib are fine
                reads.append(os.path.realpath(args[0]))

    sys.addaudithook(audit)  # audit hooks cannot be removed: this one goes quiet below
    try:
        model = R.load("requirements.txt", Repo())
    finally:
        listening.clear()
    assert reads
    assert all(path.startswith(str(in_tmp.resolve())) for path in reads), reads
    assert problems_of(model) == [
        ("requirements.txt", 1, 4, "missing", "included file 'missing.txt' does not exist; fix the "
         "path (it is relative to 'requirements.txt')"),
        ("requirements.txt", 2, 4, "outside", f"include '{escape}' is a file outside the repository; "
         "not read. Keep included files inside the repository"),
        ("requirements.txt", 3, 4, "absolute", f"include '{outside}' is an absolute path; use a path "
         "relative to 'requirements.txt'"),
        ("requirements.txt", 4, 4, "url", "include 'https://user:****@example.com/r.txt' is a URL, "
         "which this hook never fetches; vendor the file into the repository and include it by path"),
        ("requirements.txt", 5, 4, "url", "include 'file:///etc/passwd' is a URL, which this hook "
         "never fetches; vendor the file into the repository and include it by path"),
        ("requirements.txt", 6, 4, "url", "include 'git+https://github.com/org/repo#egg=x' is a URL, "
         "which this hook never fetches; vendor the file into the repository and include it by path"),
        ("requirements.txt", 7, 4, "env-var", "include '${DIR}/x.txt' uses the environment variable "
         "DIR, which this hook cannot see; write the path literally"),
        ("requirements.txt", 8, 4, "outside", "include 'link.txt' is a symlink to a file outside the "
         "repository; not read. Keep included files inside the repository"),
        ("requirements.txt", 9, 4, "unreadable", "included file 'sub' cannot be read: is a directory, "
         "not a file"),
        ("requirements.txt", 10, 4, "unreadable", "included file 'bad.txt' cannot be read: cannot "
         "decode file as UTF-8 (invalid byte at offset 6, line 2)"),
    ]
    assert list(model.files) == ["requirements.txt"]


def test_cycles_are_reported_once_at_the_same_place_from_any_root(write: Writer) -> None:
    write("a.txt", "-r b.txt\na==1\n")
    write("b.txt", "x==1\n-r a.txt\n")
    expected = [("a.txt", 1, 4, "cycle", "include cycle a.txt -> b.txt -> a.txt; pip stops with "
                 "'recursively references itself'. Remove one of these includes")]
    assert problems_of(R.load("a.txt", Repo())) == expected
    assert problems_of(R.load("b.txt", Repo())) == expected


def test_self_include_and_symlinked_self(write: Writer, in_tmp: Path) -> None:
    write("requirements.txt", "-r ./requirements.txt\n")
    assert problems_of(R.load("requirements.txt", Repo())) == [
        ("requirements.txt", 1, 4, "cycle", "include cycle requirements.txt -> requirements.txt; "
         "pip stops with 'recursively references itself'. Remove one of these includes"),
    ]
    write("r2.txt", "-r alias.txt\n")
    os.symlink("r2.txt", in_tmp / "alias.txt")
    assert [p.kind for p in R.load("r2.txt", Repo()).include_problems] == ["cycle"]


def test_diamonds_are_not_cycles_and_each_file_is_parsed_once(
    write: Writer, monkeypatch: pytest.MonkeyPatch
) -> None:
    write("requirements.txt", "-r a.txt\n-r b.txt\n")
    write("a.txt", "-r common.txt\n")
    write("b.txt", "-r common.txt\n-c common.txt\n")
    write("common.txt", "x==1\n")
    parsed: list[str] = []
    original = R.parse

    def counting(text: str, path: str = "requirements.txt") -> R.RequirementsFile:
        parsed.append(path)
        return original(text, path)

    monkeypatch.setattr(R, "parse", counting)
    model = R.load("requirements.txt", Repo())
    assert model.include_problems == []
    assert parsed == ["requirements.txt", "a.txt", "b.txt", "common.txt"]
    assert model.roles["common.txt"] == {"requirement", "constraint"}


def test_two_cycles_in_one_component_are_one_report(write: Writer) -> None:
    write("a.txt", "-r b.txt\n-r c.txt\n")
    write("b.txt", "-r a.txt\n")
    write("c.txt", "-r b.txt\n")
    for root in ("a.txt", "b.txt", "c.txt"):
        assert [(p.path, p.line) for p in R.load(root, Repo()).include_problems] == [("a.txt", 1)]


def test_long_chains_and_the_depth_cap(write: Writer, monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(50):
        write(f"r{n}.txt", f"-r r{n + 1}.txt\n")
    write("r50.txt", "deep==1\n")
    model = R.load("r0.txt", Repo())
    assert len(model.files) == 51
    assert model.include_problems == []
    monkeypatch.setattr(R, "MAX_INCLUDE_DEPTH", 10)
    capped = R.load("r0.txt", Repo())
    assert len(capped.files) == 11
    assert problems_of(capped) == [("r10.txt", 1, 4, "too-deep", "includes are nested more than 10 "
                                    "deep; 'r11.txt' was not read. Flatten the includes")]
    monkeypatch.setattr(R, "MAX_FILES", 5)
    assert [p.kind for p in R.load("r0.txt", Repo()).include_problems] == ["too-many"]


def test_dot_dot_inside_the_repository_is_fine(write: Writer) -> None:
    write("requirements/dev.txt", "-r ../requirements/./base.txt\n")
    write("requirements/base.txt", "x==1\n")
    model = R.load("requirements/dev.txt", Repo())
    assert list(model.files) == ["requirements/dev.txt", "requirements/base.txt"]


def test_root_read_errors_raise(write: Writer) -> None:
    write("requirements.txt", b"flask==1\n\xff\n")
    with pytest.raises(ReadError, match="cannot decode file as UTF-8"):
        R.load("requirements.txt", Repo())
    with pytest.raises(ReadError, match="no such file"):
        R.load("nope.txt", Repo())


@pytest.mark.parametrize(
    ("data", "names"),
    [
        pytest.param(b"\xef\xbb\xbfflask==1\r\nrequests==2\r\n", ["flask", "requests"], id="bom-crlf"),
        pytest.param("flask==1\nrequests==2\n".encode("utf-16"), ["flask", "requests"], id="utf-16"),
        pytest.param(
            "# -*- coding: latin-1 -*-\nflask==1  # caf\xe9\n".encode("latin-1"), ["flask"], id="latin-1"
        ),
    ],
)
def test_encodings(write: Writer, data: bytes, names: list[str]) -> None:
    write("requirements.txt", data)
    model = R.load("requirements.txt", Repo())
    assert [e.requirement.name for e in model.root.requirements() if e.requirement] == names


def test_problems_empty_root_and_syntax_errors(write: Writer) -> None:
    write("requirements.txt", "  \n\n")
    assert [f.render() for f in requirements_problems(R.load("requirements.txt", Repo()))] == [
        "requirements.txt:1:1: DPH901 file is empty; add requirements, or a comment line saying why it is "
        "empty (pip installs nothing from either, but an empty file looks truncated)",
    ]
    write("requirements.txt", "# only a comment\n")
    assert requirements_problems(R.load("requirements.txt", Repo())) == []
    write("requirements.txt", "-r requirements-dev.txt\n-r extra.in\nok==1\n  foo[bar\n")
    write("requirements-dev.txt", "--nope\n")
    write("extra.in", "\n\n  --nope\n")
    assert [f.render() for f in requirements_problems(R.load("requirements.txt", Repo()))] == [
        "requirements.txt:4:3: DPH904 invalid requirement 'foo[bar': Expected matching RIGHT_BRACKET "
        "for LEFT_BRACKET, after extras",
        "extra.in:3:3: DPH904 no such option: --nope; pip rejects this line",
    ]


def test_suppressions_cover_logical_lines_of_reported_files(write: Writer) -> None:
    write("requirements.txt", "flask>=2 \\\n  # noqa: DPH101\n-r extra.in\n-r requirements-dev.txt\n")
    write("extra.in", "click  # noqa: DPH101\n")
    write("requirements-dev.txt", "pytest  # noqa: DPH101\n")
    found = [(s.path, s.line, s.codes, s.first, s.last)
             for s in R.load("requirements.txt", Repo()).suppressions()]
    assert found == [
        ("requirements.txt", 2, ("DPH101",), 1, 2),
        ("extra.in", 1, ("DPH101",), 1, 1),
    ]


@pytest.mark.parametrize(
    ("path", "role"),
    [
        pytest.param("constraints.txt", R.CONSTRAINT, id="constraints"),
        pytest.param("requirements/constraints-prod.txt", R.CONSTRAINT, id="constraints-dash"),
        pytest.param("Constraints.TXT", R.CONSTRAINT, id="any-case"),
        pytest.param("requirements.txt", R.REQUIREMENT, id="requirements"),
        pytest.param("common_constraints.txt", R.CONSTRAINT, id="constraints-suffix"),
        pytest.param("constraints_notes.md", R.REQUIREMENT, id="not-a-txt-file"),
    ],
)
def test_root_role(path: str, role: str) -> None:
    assert R.root_role(path) == role


def test_a_constraints_file_checked_on_its_own_by_its_name(tmp_path: Path) -> None:
    # edx-lint's layout: constraints.txt starts with '-c common_constraints.txt'; checked
    # on its own, common_constraints.txt is read as the constraints file it is.
    (tmp_path / "common_constraints.txt").write_text("Django<5.0\n")
    model = R.load("common_constraints.txt", Repo(str(tmp_path)))
    assert model.roles == {"common_constraints.txt": {R.CONSTRAINT}}
