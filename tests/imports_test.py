"""Start-up stays cheap: what a hook run imports (issue 4).

A hook runs on every commit, so its start-up is most of its cost. These tests run each
hook the way pre-commit does (a fresh process, one file) and list the modules it
loaded: a hook that got no requirements file never loads the requirements machinery,
nothing loads ``packaging`` (35 ms), and only the CI hook loads YAML.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hooks._registry import CHECK_MODULES

DOCKERFILE = (
    "FROM python:3.12-slim-bookworm\n"
    "WORKDIR /app\n"
    "COPY requirements.txt .\n"
    "RUN pip install --no-cache-dir -r requirements.txt\n"
    "COPY . .\n"
    "USER 10001\n"
    'CMD ["gunicorn", "app:app"]\n'
)
NEVER = ("packaging", "dataclasses", "inspect")


def _loaded(cwd: Path, module: str, files: list[str]) -> set[str]:
    code = (
        "import contextlib, io, json, sys\n"
        f"sys.argv = ['hook', *{files!r}]\n"
        "before = set(sys.modules)\n"
        f"from hooks.{module} import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main()\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout.splitlines()[-1]))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    (tmp_path / "requirements.txt").write_text("flask==3.0.3\nrequests>=2\n")
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text("on: push\njobs: {}\n")
    return tmp_path


@pytest.mark.parametrize("module", CHECK_MODULES)
def test_a_hook_on_a_dockerfile_loads_no_requirements_machinery(project: Path, module: str) -> None:
    kinds = __import__(f"hooks.{module}", fromlist=["HOOK"]).HOOK.kinds
    target = "Dockerfile" if "dockerfile" in kinds else (
        ".github/workflows/ci.yml" if "ci" in kinds else "requirements.txt"
    )
    loaded = _loaded(project, module, [target])
    assert not [m for m in loaded if m.split(".")[0] in NEVER], sorted(loaded)
    if target != "requirements.txt":
        assert "hooks._requirements" not in loaded
    if target == "Dockerfile":
        assert "yaml" not in loaded


def test_the_requirements_hook_reads_pins_without_packaging(project: Path) -> None:
    loaded = _loaded(project, "check_requirements_pinned", ["requirements.txt"])
    assert "hooks._requirements" in loaded
    assert not [m for m in loaded if m.split(".")[0] in NEVER], sorted(loaded)
