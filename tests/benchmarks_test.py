"""benchmarks/run.py keeps working: its manifest reader and batching, and a smoke run.

Not a timed test: the smoke run uses a handful of files and one repetition, and only
checks that every measured command of this project ran without crashing and that the
report was written.
"""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "run.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("benchmarks_run", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


run = _load()

CORPUS = {
    "app/Dockerfile": (
        "FROM python:3.12-slim-bookworm\n"
        "WORKDIR /app\n"
        "COPY requirements.txt .\n"
        "RUN pip install --no-cache-dir -r requirements.txt\n"
        "COPY . .\n"
        "USER 10001\n"
        'CMD ["python", "app.py"]\n'
    ),
    "app/requirements.txt": "flask==3.0.3\nrequests>=2\n",
    "app/.dockerignore": ".git\n",
    "worker/Containerfile": "FROM python:latest\r\nRUN pip install celery\r\nCMD celery -A proj worker\r\n",
    "worker/requirements-dev.txt": "-r ../app/requirements.txt\npytest==8.2.2\n",
    "worker/notes.md": "not linted\n",
}


def test_manifest_reader_agrees_with_yaml() -> None:
    text = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    expected = [
        (h["id"], h.get("entry", h["id"]), h.get("files", ""), h.get("exclude", "^$"))
        for h in yaml.safe_load(text)
    ]
    assert [tuple(hook) for hook in run.read_manifest(text)] == expected


def test_manifest_reader_quoting() -> None:
    text = (
        "# a comment\n"
        "-   id: one\n"
        "    entry: one --flag  # trailing comment\n"
        "    files: '(^|/)it''s\\.txt$'\n"
        '    exclude: "^a #b$"\n'
        "    types: [text]\n"
        "-   id: two\n"
    )
    assert [tuple(hook) for hook in run.read_manifest(text)] == [
        ("one", "one --flag", "(^|/)it's\\.txt$", "^a #b$"),
        ("two", "two", "", "^$"),
    ]
    assert [tuple(hook) for hook in run.read_manifest(text)] == [
        (h["id"], h.get("entry", h["id"]), h.get("files", ""), h.get("exclude", "^$"))
        for h in yaml.safe_load(text)
    ]


@pytest.mark.parametrize(
    ("files", "limit", "expected"),
    [
        pytest.param([], 100, [["hook"]], id="no-files"),
        pytest.param(["a", "b"], 100, [["hook", "a", "b"]], id="one-batch"),
        pytest.param(["aaaa", "bbbb", "cccc"], 15, [["hook", "aaaa", "bbbb"], ["hook", "cccc"]], id="split"),
        pytest.param(["longer-than-the-limit"], 10, [["hook", "longer-than-the-limit"]], id="oversized"),
    ],
)
def test_batches(files: list[str], limit: int, expected: list[list[str]]) -> None:
    assert run.batches(["hook"], files, limit) == expected


def test_matching_follows_files_and_exclude() -> None:
    hook = run.Hook("h", "h", r"(^|/)Dockerfile[^/]*$", r"\.md$")
    assert run.matching(hook, ["Dockerfile", "a/Dockerfile.dev", "Dockerfile.md", "x/req.txt"]) == [
        "Dockerfile", "a/Dockerfile.dev",
    ]


def _smoke(tmp_path: Path, *extra: str) -> str:
    corpus = tmp_path / "corpus"
    for name, text in CORPUS.items():
        (corpus / name).parent.mkdir(parents=True, exist_ok=True)
        (corpus / name).write_bytes(text.encode())
    output = tmp_path / "RESULTS.md"
    env = dict(os.environ)
    env.pop("HADOLINT", None)
    env.pop("TALLY", None)
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--smoke", "--corpus", str(corpus), "--work", str(tmp_path / "work"),
         "--output", str(output), *extra],
        capture_output=True, text=True, env=env, cwd=tmp_path, check=False, timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = output.read_text(encoding="utf-8")
    assert report == done.stdout
    assert "| **`docker-python-hooks check .`** (every rule, one process) | 4 |" in report
    assert "## Over the whole corpus: `" in report
    assert "| all rules within 15× of the read floor (issue 4) | given |" in report
    assert "| all rules: peak memory < 50 MiB (issue 9) | given |" in report
    assert "| command | median | × `python -c pass` | peak memory | modules imported | import time |" in report
    return report


def test_smoke_run(tmp_path: Path) -> None:
    report = _smoke(tmp_path, "--no-pre-commit")
    assert "hadolint not found" in report
    assert "`pre-commit run" not in report
    assert "| `check-non-root-user" in report


@pytest.mark.skipif(
    not (ROOT.parent / "shared" / "bench" / "gen_corpus.py").is_file(), reason="no corpus generator"
)
def test_generated_corpus(tmp_path: Path) -> None:
    output = tmp_path / "RESULTS.md"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--smoke", "--no-pre-commit", "--work", str(tmp_path / "work"),
         "--output", str(output)],
        capture_output=True, text=True, cwd=tmp_path, check=False, timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = output.read_text(encoding="utf-8")
    default = "`gen_corpus.py --n 6 --seed 1` (default: file after file repeats the same lines)"
    vary = "`gen_corpus.py --n 6 --seed 1 --vary` (varied: each folder has its own names, versions, paths"
    for corpus in (default, vary):
        assert f"\n- {corpus}" in report
        assert f"\n## Over the whole corpus: {corpus}" in report
    assert report.count("| **`docker-python-hooks check .`** (every rule, one process) |") == 2
    assert "The targets of issue 9, the cold starts and the pre-commit runs refer to the vary corpus" in report
    assert "## Cold start, one file of the vary corpus," in report
    for row in ("| all rules ≥ 25× faster than hadolint (issue 9) | vary | hadolint not found |",
                "| all rules: peak memory < 50 MiB (issue 9) | vary |",
                "| all rules ≥ 30× faster than hadolint (issue 4) | default | hadolint not found |",
                "| all rules within 15× of the read floor (issue 4) | default |",
                "| all rules: peak memory < 60 MiB (issue 4) | default |"):
        assert row in report


@pytest.mark.slow
def test_smoke_run_with_pre_commit(tmp_path: Path) -> None:
    report = _smoke(tmp_path)
    assert "## `pre-commit run --all-files`" in report
    assert "every single-purpose hook id of this repository" in report


def test_external_tools_are_measured_when_found(tmp_path: Path) -> None:
    """hadolint and tally come from $HADOLINT / $TALLY (stand-ins here): rows, ratios, targets."""
    tools = tmp_path / "bin"
    tools.mkdir()
    for name in ("hadolint", "tally"):
        script = tools / name
        script.write_text(f"#!/bin/sh\n[ \"$1\" = --version ] && echo '{name} 9.9'\nexit 1\n")
        script.chmod(0o755)
    corpus = tmp_path / "corpus"
    (corpus / "app").mkdir(parents=True)
    (corpus / "app" / "Dockerfile").write_text(CORPUS["app/Dockerfile"])
    env = dict(os.environ, HADOLINT=str(tools / "hadolint"), TALLY=str(tools / "tally"))
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--corpus", str(corpus), "--repeat", "1", "--tool-repeat", "1",
         "--cold-repeat", "1", "--no-pre-commit", "--work", str(tmp_path / "work"), "--output", "-"],
        capture_output=True, text=True, env=env, cwd=tmp_path, check=False, timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = done.stdout
    assert "hadolint 9.9, tally 9.9" in report
    for row in ("| hadolint, one invocation | 1 |", "| tally lint (defaults) | 1 |",
                "| tally lint --ignore 'shellcheck/*' | 1 |",
                "| all rules ≥ 30× faster than hadolint (issue 4) | given |",
                "| all rules ≥ 25× faster than hadolint (issue 9) | given |"):
        assert row in report
    assert "hadolint not found" not in report
