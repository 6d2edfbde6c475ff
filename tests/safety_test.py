"""No network, no subprocess, no writes, no reads outside the repository.

Every hook module's ``main`` (found through ``hooks._registry``, so a new hook is
covered by existing) and the all-rules command run on a repository of realistic
files (``examples/``, the shared real-world Dockerfiles, requirements with includes
and credentials, a CI workflow) under an audit hook (PEP 578). The test fails on any
socket, URL or process event, on any file opened for writing or file-system change,
and on any file opened or directory listed outside the repository (the hooks
package's own sources excepted). A credential in an index URL or an ENV never
appears unmasked in what any hook prints.
"""
from __future__ import annotations

import importlib
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from hooks import __main__ as all_rules
from hooks._files import is_ci_config, is_dockerfile, is_requirements
from hooks._registry import CHECK_MODULES
from tests.audit import PACKAGE, Recording, inside, recording
from tests.real_world import REAL_WORLD

ROOT = Path(__file__).resolve().parent.parent
MODULES: list[ModuleType] = [importlib.import_module(f"hooks.{name}") for name in CHECK_MODULES]
PASSWORD = "Sup3r" + "Secr3tPassw0rd"
TOKEN = "ghp_" + "Zx9" * 12

EXTRA_FILES = {
    "service/requirements.txt": (
        f"--index-url https://deploy:{PASSWORD}@pypi.example.com/simple\n"
        f"--extra-index-url=https://__token__:{TOKEN}@pypi.example.org/simple\n"
        "-r ../common/requirements-base.txt\n-c ../common/constraints.txt\n"
        "flask>=3\nrequests==2.32.3 --hash=sha256:" + "a" * 64 + "\n"
        f"private-lib @ git+https://oauth2:{TOKEN}@gitlab.example.com/team/lib.git@v1.2\n"
    ),
    "common/requirements-base.txt": "click==8.1.7\n-r requirements-base.txt\n",
    "common/constraints.txt": "flask==3.0.3\n",
    "service/Dockerfile": (
        "FROM python:3.12-slim-bookworm\n"
        f"ENV PIP_INDEX_URL=https://deploy:{PASSWORD}@pypi.example.com/simple\n"
        f"ENV GITHUB_TOKEN={TOKEN}\n"
        f"ARG NPM_TOKEN={TOKEN}\n"
        f"RUN pip install --no-cache-dir --extra-index-url https://u:{PASSWORD}@h.example.com/simple flask\n"
        "COPY . /app\nCMD [\"python\", \"-m\", \"app\"]\n"
    ),
    ".github/workflows/build.yml": (
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n"
        f"      - run: docker build --build-arg TOKEN={TOKEN} -t app .\n"
        "      - run: docker push app\n"
    ),
}


def build_repository(root: Path) -> Path:
    """A fresh repository at ``root`` holding copies of the realistic files."""
    (root / ".git").mkdir()
    shutil.copytree(ROOT / "examples", root / "examples")
    for name, text in REAL_WORLD.items():
        (root / "real-world" / name).mkdir(parents=True)
        (root / "real-world" / name / "Dockerfile").write_text(text)
    for name, text in EXTRA_FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


@pytest.fixture
def repository(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The realistic repository, as the current directory."""
    root = build_repository(tmp_path_factory.mktemp("repository"))
    monkeypatch.chdir(root)
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    return root


def files_of(root: Path) -> list[str]:
    out = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not rel.startswith(".git/"):
            out.append(rel)
    return out


def arguments(module: ModuleType, files: list[str]) -> list[str]:
    """The files pre-commit would pass to ``module`` (its manifest's file kinds)."""
    kinds = getattr(module, "FILES", "dockerfile").split("+")
    tests = {"dockerfile": is_dockerfile, "requirements": is_requirements, "ci": is_ci_config}
    return [f for f in files if any(tests[kind](f) for kind in kinds)]


def entry_points(files: list[str]) -> list[tuple[str, Callable[[], int], list[str]]]:
    points: list[tuple[str, Callable[[], int], list[str]]] = []
    for module in MODULES:
        argv = arguments(module, files)
        assert argv, f"no realistic file for {module.__name__}"
        points.append((module.__name__, lambda m=module, a=argv: m.main(a), argv))  # type: ignore[misc]
    relevant = [f for f in files if is_dockerfile(f) or is_requirements(f) or is_ci_config(f)]
    points.append(("all-rules", lambda: all_rules.main(["check", "."]), relevant))
    return points


def confinement_problems(record: Recording, root: Path) -> list[str]:
    problems = [f"forbidden event {event.name}{event.args!r}" for event in record.forbidden()]
    for path, writing in record.opens():
        if writing:
            problems.append(f"opened for writing: {path}")
        elif not (inside(path, str(root)) or inside(path, PACKAGE)):
            problems.append(f"read outside the repository: {path}")
    for path in record.listed():
        if not (inside(path, str(root)) or inside(path, PACKAGE)):
            problems.append(f"listed outside the repository: {path}")
    return problems


def test_every_hook_stays_inside_the_repository(repository: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = files_of(repository)
    for name, run, argv in entry_points(files):
        run()  # warm-up: lazy imports and caches are not the hook's own doing
        capsys.readouterr()
        with recording() as record:
            code = run()
        out = capsys.readouterr()
        assert code in (0, 1), name
        assert out.err == "", (name, out.err)
        assert confinement_problems(record, repository) == [], name
        opened = {os.path.realpath(path) for path, _ in record.opens()}
        assert {os.path.realpath(repository / a) for a in argv if a != "."} <= opened, (
            f"{name}: the recorder did not see the files being read"
        )


def test_the_recorder_catches_what_it_must(repository: Path) -> None:
    """The audit recorder itself: writes, outside reads, processes and sockets."""
    import socket
    import subprocess

    with recording() as record:
        (repository / "written.txt").write_text("x")
        Path(sys.executable).read_bytes()[:1]
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        socket.socket().close()
    problems = confinement_problems(record, repository)
    assert any(p.startswith("opened for writing") for p in problems)
    assert any(p.startswith("read outside") for p in problems)
    assert any("subprocess.Popen" in p for p in problems)
    assert any("socket" in p for p in problems)


def test_credentials_never_appear_in_any_output(repository: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = files_of(repository)
    printed = []
    for name, run, _ in entry_points(files):
        run()
        out = capsys.readouterr()
        printed.append((name, out.out + out.err))
    assert any("****" in text for _, text in printed), "no hook reported a masked credential"
    for name, text in printed:
        for secret in (PASSWORD, TOKEN, TOKEN[4:20], PASSWORD[:12]):
            assert secret not in text, f"{name} printed a credential"
