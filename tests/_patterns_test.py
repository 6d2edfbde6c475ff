from __future__ import annotations

import re
import subprocess
import sys

import pytest

from hooks._patterns import lazy


@pytest.mark.parametrize(
    ("pattern", "flags", "text"),
    [
        pytest.param(r"(?P<name>[a-z]+)=(\d+)", 0, "x a=1 b=22", id="groups"),
        pytest.param(r"^dph\s*:\s*(\S.*)$", re.IGNORECASE, "DPH: ignore=x", id="flags"),
        pytest.param(r"\s+", 0, "a  b\tc", id="split"),
    ],
)
def test_lazy_pattern_behaves_as_compiled(pattern: str, flags: int, text: str) -> None:
    eager, deferred = re.compile(pattern, flags), lazy(pattern, flags)
    assert deferred.pattern == pattern
    assert repr(deferred.search(text)) == repr(eager.search(text))
    assert repr(deferred.match(text)) == repr(eager.match(text))
    assert repr(deferred.fullmatch(text)) == repr(eager.fullmatch(text))
    assert [m.span() for m in deferred.finditer(text)] == [m.span() for m in eager.finditer(text)]
    assert deferred.findall(text) == eager.findall(text)
    assert deferred.sub("-", text) == eager.sub("-", text)
    assert deferred.subn("-", text) == eager.subn("-", text)
    assert deferred.split(text) == eager.split(text)
    assert (deferred.flags, deferred.groups, deferred.groupindex) == (eager.flags, eager.groups, eager.groupindex)


def test_lazy_bytes_pattern() -> None:
    assert lazy(rb"coding[:=]\s*([-\w.]+)").search(b"# coding: latin-1") is not None


def test_compiled_on_first_use_only() -> None:
    pattern = lazy(r"a+")
    assert "_compiled" not in vars(pattern)
    assert pattern.pattern == "a+" and "_compiled" not in vars(pattern)
    assert "lazy('a+', 0)" in repr(pattern)
    assert pattern.match("aa") is not None
    assert "_compiled" in vars(pattern) and "match" in vars(pattern)


def test_an_invalid_pattern_fails_on_use() -> None:
    pattern = lazy(r"(")
    with pytest.raises(re.error):
        pattern.match("x")


def test_importing_a_hook_compiles_no_core_pattern() -> None:
    code = (
        "import re, sys\n"
        "from hooks import _files, _suppress\n"
        "print(sum(isinstance(v, re.Pattern) for m in (_files, _suppress) for v in vars(m).values()))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "0"
