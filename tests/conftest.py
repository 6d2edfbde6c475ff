from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hooks._findings import Finding


@pytest.fixture(autouse=True)
def _debug(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Internal errors re-raise in tests instead of becoming DPH901 findings."""
    monkeypatch.setenv("DPH_DEBUG", "1")
    yield


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch repository: cwd is ``tmp_path`` (which has a ``.git`` marker)."""
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


Writer = Callable[[str, "str | bytes"], str]


@pytest.fixture
def write(in_tmp: Path) -> Writer:
    """Write a file (text is written byte-exact, no newline translation)."""

    def _write(name: str, content: str | bytes) -> str:
        path = in_tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode() if isinstance(content, str) else content
        path.write_bytes(data)
        return name.replace(os.sep, "/")

    return _write


def brief(findings: list[Finding]) -> list[tuple[int, int, str]]:
    """(line, col, code) of each finding, sorted: for compact assertions."""
    return sorted((f.line, f.col, f.code) for f in findings)


# Property-based tests (hypothesis). In CI they are reproducible and bounded: examples are
# derandomized and no example database is written into the working tree. A long, random
# fuzz run: DPH_FUZZ_EXAMPLES=20000 python -m pytest tests/*fuzz* tests/*differential*
try:
    from hypothesis import HealthCheck
    from hypothesis import settings as _hypothesis_settings
except ImportError:  # pragma: no cover - hypothesis is a pinned dev requirement
    pass
else:
    _FUZZ_EXAMPLES = os.environ.get("DPH_FUZZ_EXAMPLES", "")
    _hypothesis_settings.register_profile(
        "dph-ci", deadline=None, database=None, derandomize=True, print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    _hypothesis_settings.register_profile(
        "dph-fuzz", deadline=None, database=None, derandomize=False, print_blob=True,
        max_examples=int(_FUZZ_EXAMPLES) if _FUZZ_EXAMPLES.isdigit() else 100,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    _hypothesis_settings.load_profile("dph-fuzz" if _FUZZ_EXAMPLES.isdigit() else "dph-ci")
