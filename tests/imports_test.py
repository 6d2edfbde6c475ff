"""A hook loads only the machinery its files need (issue 4).

A hook runs on every commit, so its start-up is most of its cost. These tests run each
hook the way pre-commit does (a fresh process, one file its manifest entry matches) and
list the modules the run added: a hook that got no requirements file never loads the
requirements machinery, no hook loads ``packaging`` for plain pins, and only the CI
hook loads YAML.

Only this project's modules and its runtime dependencies are asserted on, and only as
the difference the run made, so what the interpreter's site configuration (``.pth``
files) imports first does not matter. Which standard modules a run imports is not a
test: its cost is measured by ``benchmarks/run.py`` (cold start, import time).
"""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from hooks._registry import CHECK_MODULES

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
# One file of each kind, in the order a hook is given the first that it matches.
TARGETS = ("Dockerfile", ".github/workflows/ci.yml", "requirements.txt", "requirements.in", "compose.yaml")
DOCKERFILE = (
    "FROM python:3.12-slim-bookworm\n"
    "WORKDIR /app\n"
    "COPY requirements.txt .\n"
    "RUN pip install --no-cache-dir -r requirements.txt\n"
    "COPY . .\n"
    "USER 10001\n"
    'CMD ["gunicorn", "app:app"]\n'
)


def _single_purpose_hooks() -> list[tuple[str, str]]:
    """(module, the first target the hook's ``files``/``exclude`` patterns match)."""
    out = []
    for hook in MANIFEST:
        if hook["entry"] != hook["id"]:
            continue  # the all-rules hook reads every kind by design
        include, exclude = re.compile(hook["files"]), re.compile(hook.get("exclude", "^$"))
        target = next(t for t in TARGETS if include.search(t) and not exclude.search(t))
        out.append((hook["id"].replace("-", "_"), target))
    return out


def _loaded(cwd: Path, module: str, files: list[str]) -> set[str]:
    code = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "import contextlib, io\n"
        f"sys.argv = ['hook', *{files!r}]\n"
        f"from hooks.{module} import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main()\n"
        "print(sorted(set(sys.modules) - before))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=True)
    return set(ast.literal_eval(done.stdout.splitlines()[-1]))


def _top(loaded: set[str]) -> set[str]:
    return {name.split(".")[0] for name in loaded}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    (tmp_path / "requirements.txt").write_text("flask==3.0.3\nrequests>=2\n")
    (tmp_path / "requirements.in").write_text("flask\nrequests\n")
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    build: .\n    read_only: true\n")
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text("on: push\njobs: {}\n")
    return tmp_path


def test_every_single_purpose_hook_is_run() -> None:
    hooks = _single_purpose_hooks()
    # Every entry but the all-rules hook and the fixers (a check hook run with --fix).
    assert len(hooks) == len([hook for hook in MANIFEST if hook["entry"] == hook["id"]]) == len(CHECK_MODULES)
    assert {target for _, target in hooks} == set(TARGETS)


@pytest.mark.parametrize(("module", "target"), _single_purpose_hooks())
def test_a_hook_loads_only_the_machinery_its_file_needs(project: Path, module: str, target: str) -> None:
    loaded = _loaded(project, module, [target])
    assert f"hooks.{module}" in loaded
    assert "packaging" not in _top(loaded), sorted(loaded)
    if target not in ("requirements.txt", "requirements.in"):
        assert "hooks._requirements" not in loaded
    if target == "Dockerfile":
        assert "yaml" not in _top(loaded)


def test_the_core_dockerfile_path_loads_no_requirements_machinery(project: Path) -> None:
    loaded = _loaded(project, "check_non_root_user", ["Dockerfile"])
    assert "hooks._requirements" not in loaded, sorted(loaded)


def test_the_requirements_hook_reads_pins_without_packaging(project: Path) -> None:
    loaded = _loaded(project, "check_requirements_pinned", ["requirements.txt"])
    assert "hooks._requirements" in loaded
    assert "packaging" not in _top(loaded), sorted(loaded)
