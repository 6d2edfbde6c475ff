"""This repository passes its own hooks (examples/bad excepted: it is wrong on purpose)."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from hooks.__main__ import check_paths
from hooks._files import Repo

ROOT = Path(__file__).resolve().parent.parent


def _tracked_files() -> list[str]:
    try:
        out = subprocess.run(
            ["git", "ls-files"], cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return [p for p in out.splitlines() if not p.startswith(("examples/bad/", "tests/"))]


def test_repository_passes_its_own_hooks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    findings = check_paths(_tracked_files(), repo=Repo(str(ROOT)))
    assert [f.render() for f in findings] == []
