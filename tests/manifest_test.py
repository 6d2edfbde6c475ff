"""The hook catalogue: manifest, console scripts, README and a real `pre-commit try-repo`."""
from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from hooks import _docs
from hooks._files import file_kind

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
IDS = [hook["id"] for hook in MANIFEST]
REQUIRED = {"id", "name", "entry", "language", "files"}
# Codes that only an option turns on; examples/bad shows every other code.
OPTION_GATED = {"DPH207", "DPH113", "DPH405"}
META_SHOWN = {"DPH901", "DPH902", "DPH903", "DPH904"}
# Fixer ids: the same command as a check hook, with --fix (hook id -> the checking entry).
FIXERS = {hook["id"]: hook["entry"].removesuffix(" --fix") for hook in MANIFEST if hook["entry"].endswith(" --fix")}


def _console_scripts() -> dict[str, str]:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    raw = cfg.get("options.entry_points", "console_scripts")
    pairs = (line.split("=", 1) for line in raw.strip().splitlines())
    return {name.strip(): target.strip() for name, target in pairs}


def test_generated_files_are_up_to_date() -> None:
    for rel, wanted in _docs.generate().items():
        assert (ROOT / rel).read_text() == wanted, f"{rel} is stale: run `python -m hooks._docs`"


def test_every_check_module_is_documented() -> None:
    docs = _docs.hook_docs()
    assert docs, "no check modules found"
    for doc in docs:
        assert doc.summary and doc.description, doc.module
        assert doc.rules, doc.module


def test_manifest_entries_are_complete() -> None:
    scripts = _console_scripts()
    for hook in MANIFEST:
        assert set(hook) >= REQUIRED, hook["id"]
        assert hook["language"] == "python"
        assert hook["entry"].split()[0] in scripts, hook["id"]
        re.compile(hook["files"])
        re.compile(hook.get("exclude", "^$"))
    for hook_id in IDS:
        if hook_id in FIXERS:
            assert FIXERS[hook_id] in IDS or FIXERS[hook_id] == "docker-python-hooks check", hook_id
        elif hook_id != "docker-python-hooks":
            module = scripts[hook_id].split(":")[0]
            assert module == "hooks." + hook_id.replace("-", "_")


def test_readme_mentions_every_hook() -> None:
    readme = (ROOT / "README.md").read_text()
    for hook_id in IDS:
        assert f"`{hook_id}`" in readme


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("Dockerfile", "dockerfile"), ("svc/app.dockerfile", "dockerfile"), ("Containerfile", "dockerfile"),
        ("Dockerfile.dev", "dockerfile"), ("docker/dockerfile", "dockerfile"), ("app.Containerfile", "dockerfile"),
        ("Dockerfile.j2", None), ("Dockerfile.md", None), ("Dockerfile.dockerignore", None),
        ("requirements-dev.txt", "requirements"), ("Requirements.txt", "requirements"),
        ("requirements/prod.txt", "requirements"), ("constraints.txt", "requirements"),
        ("requirements.in", "requirements_in"), ("requirements/dev.in", "requirements_in"),
        ("setup.in", None), ("README.md", None), ("pyproject.toml", None),
        (".github/workflows/build.yml", "ci"), (".gitlab-ci.yml", "ci"), ("azure-pipelines.yml", "ci"),
        (".circleci/config.yml", "ci"), ("bitbucket-pipelines.yml", "ci"), ("ci/.gitlab-ci.yaml", "ci"),
        (".github/workflows/sub/x.yml", None), ("docker-compose.yml", "compose"), ("compose.yaml", "compose"),
        ("deploy/docker-compose.prod.yaml", "compose"), ("compose.override.yml", "compose"),
        (".github/workflows/compose.yml", "ci"), ("composer.json", None), ("my-compose.yml", None),
        ("contrib/dev-docker-compose.yml", "compose"), ("ci.docker-compose.yaml", "compose"),
        ("docker-composer.yml", None), ("podman-compose.yml", "compose"), ("podman-compose.dev.yaml", "compose"),
        ("{{cookiecutter.project_slug}}/Dockerfile", None),
        ("tpl/{{ cookiecutter.name }}/requirements.txt", None), ("{{cookiecutter.slug}}/compose.yaml", None),
    ],
)
def test_one_classifier_for_manifest_hooks_and_all_rules_command(path: str, expected: str | None) -> None:
    """The manifest sends a hook exactly the files the classifier gives it a kind it reads."""
    assert file_kind(path) == expected
    kinds = {doc.hook_id: doc.files for doc in _docs.hook_docs()}
    every = {kind for files in kinds.values() for kind in files}
    for hook in MANIFEST:
        selected = bool(re.search(hook["files"], path)) and not re.search(hook.get("exclude", "^$"), path)
        checker = FIXERS.get(hook["id"], hook["id"]).removesuffix(" check")
        wanted = every if checker == "docker-python-hooks" else set(kinds[checker])
        assert selected == (expected in wanted), (hook["id"], path)


def test_own_pre_commit_config_has_no_copied_pattern() -> None:
    """This repository's own hook lets the command classify files (no drifting copy)."""
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    ours = [hook for repo in config["repos"] for hook in repo["hooks"] if hook["id"] == "docker-python-hooks"]
    assert ours and "files" not in ours[0]


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def _user_repo(tmp_path: Path, example: str) -> Path:
    repo = tmp_path / example
    shutil.copytree(ROOT / "examples" / example, repo)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "example")
    return repo


def _try_repo(repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    env.pop("DPH_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "--all-files"],
        cwd=repo, env=env, capture_output=True, text=True, timeout=900, check=False,
    )


def _sections(output: str) -> dict[str, str]:
    """Hook id -> its output block, from pre-commit's verbose-on-failure report."""
    blocks: dict[str, str] = {}
    for block in re.split(r"\n(?=[^\n]*\.{3,}(?:Passed|Failed|Skipped))", output):
        match = re.search(r"- hook id: (\S+)", block)
        if match:
            blocks[match.group(1)] = block
    return blocks


@pytest.mark.slow
def test_try_repo_every_hook(tmp_path: Path) -> None:
    """Each manifest id runs through pre-commit: silent on examples/good, fires on examples/bad."""
    home = tmp_path / "pre-commit-home"
    good = _try_repo(_user_repo(tmp_path, "good"), home)
    assert good.returncode == 0, good.stdout + good.stderr
    for hook in MANIFEST:
        assert re.search(rf"{re.escape(hook['name'])}\.+Passed", good.stdout), (hook["id"], good.stdout)
    bad = _try_repo(_user_repo(tmp_path, "bad"), home)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    failed = _sections(bad.stdout)
    docs = {doc.hook_id: doc for doc in _docs.hook_docs()}
    for hook_id in IDS:
        assert hook_id in failed, (hook_id, bad.stdout)
        if hook_id in FIXERS:
            continue  # fixers run last, on files the fixers before them may have changed
        if hook_id in docs:
            codes = {r.rule.code for r in docs[hook_id].rules}
        else:  # the all-rules hook: every code, the meta ones included
            codes = {r.rule.code for d in docs.values() for r in d.rules} | META_SHOWN
        for code in sorted(codes - OPTION_GATED):
            assert f": {code} " in failed[hook_id], (hook_id, code, failed[hook_id])


def test_examples_show_every_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """examples/bad shows every code (the option-gated ones with their option); good shows none."""
    from hooks import check_base_image_pinned, check_compose, check_lockfile_install, check_non_root_user
    from hooks.__main__ import check_paths
    from hooks._files import Repo
    from hooks._registry import all_rules

    monkeypatch.chdir(ROOT)
    assert check_paths(["examples/good"], repo=Repo(str(ROOT))) == []
    shown = {f.code for f in check_paths(["examples/bad"], repo=Repo(str(ROOT)))}
    assert check_base_image_pinned.main(["--require-digest", "examples/bad/worker.Dockerfile"]) == 1
    assert check_non_root_user.main(["--target", "release", "examples/bad/worker.Dockerfile"]) == 1
    assert check_lockfile_install.main(["--check-hashes", "examples/bad/Dockerfile"]) == 1
    assert check_compose.main(["--read-only", "examples/bad/compose.yaml"]) == 1
    assert check_non_root_user.main(["--require-reason", "examples/bad/Dockerfile"]) == 1
    out = capsys.readouterr().out
    shown |= {line.split()[1] for line in out.splitlines()}
    # DPH907: fix mode refuses to write examples/bad/Dockerfile (a syntax error); on a copy.
    copy = tmp_path / "bad"
    shutil.copytree(ROOT / "examples" / "bad", copy)
    from hooks.__main__ import main

    assert main(["check", "--fix", str(copy / "Dockerfile")]) == 1
    assert (copy / "Dockerfile").read_bytes() == (ROOT / "examples" / "bad" / "Dockerfile").read_bytes()
    shown |= {line.split()[1] for line in capsys.readouterr().out.splitlines()}
    assert set(all_rules()) - shown == set()


@pytest.mark.slow
def test_try_repo_fixer_fixes_a_staged_file_then_passes(tmp_path: Path) -> None:
    """A fixer hook rewrites a staged Dockerfile and fails; the next run passes."""
    repo = tmp_path / "user"
    repo.mkdir()
    dockerfile = repo / "Dockerfile"
    dockerfile.write_bytes(
        b"FROM python:3.12-slim-bookworm as app\r\nENV APP_HOME /srv/app\r\n"
        b"RUN pip install flask==3.0.3\r\nCMD python -m app"
    )
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "home"), "PRE_COMMIT_COLOR": "never"}
    env.pop("DPH_DEBUG", None)

    def run(hook_id: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), hook_id, "--files", "Dockerfile"],
            cwd=repo, env=env, capture_output=True, text=True, timeout=900, check=False,
        )

    first = run("fix-dockerfile-pitfalls")
    assert first.returncode == 1, first.stdout + first.stderr
    assert "files were modified by this hook" in first.stdout
    assert dockerfile.read_bytes() == (
        b"FROM python:3.12-slim-bookworm AS app\r\nENV APP_HOME=/srv/app\r\n"
        b"RUN pip install flask==3.0.3\r\nCMD [\"python\", \"-m\", \"app\"]"
    )
    _git(repo, "add", "-A")
    second = run("fix-dockerfile-pitfalls")
    assert second.returncode == 0, second.stdout + second.stderr
    third = run("docker-python-hooks-fix")  # every fixer: DPH501/502 and DPH506, DPH401 remains
    assert third.returncode == 1, third.stdout + third.stderr
    assert b"ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1\r\n" in dockerfile.read_bytes()
    assert b"pip install --no-cache-dir flask==3.0.3" in dockerfile.read_bytes()
    assert "DPH401" in third.stdout
