from __future__ import annotations

import pytest

from hooks import _dockerignore
from hooks._files import Repo
from tests.conftest import Writer


@pytest.mark.parametrize(
    ("patterns", "path", "excluded"),
    [
        (".git", ".git/HEAD", True),
        ("/.git/", ".git/objects/ab/cd", True),
        ("./.env", ".env", True),
        ("# .env\n", ".env", False),
        ("\\#x", "#x", True),
        ("  # not a comment", "# not a comment", True),
        ("__pycache__", "__pycache__/a.pyc", True),
        ("__pycache__", "pkg/__pycache__/a.pyc", False),
        ("**/__pycache__", "pkg/sub/__pycache__/a.pyc", True),
        ("**/*.pyc", "pkg/__pycache__/a.pyc", True),
        ("*.pyc", "pkg/a.pyc", False),
        ("*/.venv", ".venv/bin/python", False),
        (".venv/**", ".venv/bin/python", True),
        (".env*\n!.env.example", ".env.example", False),
        (".env*\n!.env.example", ".env.local", True),
        ("*\n!src", "src/app.py", False),
        ("*\n!src", ".git/HEAD", True),
        ("*\n!src\nsrc/**/__pycache__", "src/a/__pycache__/m.pyc", True),
        ("a?c", "abc", True),
        ("a?c", "a/c", False),
        ("[a-c]x", "bx", True),
        ("[", "[", False),
        ("!", "x", False),
        ("\ufeff.git", ".git", True),
        ("//.git", ".git/HEAD", True),
        ("a\\", "a\\", True),
    ],
)
def test_excluded(patterns: str, path: str, excluded: bool) -> None:
    assert _dockerignore.excluded(_dockerignore.parse(patterns), path) is excluded


def test_literal_negations() -> None:
    text = "*\n!src/\n!/lib\n!requirements.txt\n!.config\n!app/**/*.py\n!\n"
    assert _dockerignore.literal_negations(text) == ["src", "lib", ".config"]


@pytest.mark.parametrize(
    ("dockerfile", "expected"),
    [
        ("Dockerfile", ["Dockerfile.dockerignore", ".dockerignore"]),
        ("docker/app/prod.Dockerfile", [
            "docker/app/prod.Dockerfile.dockerignore", "docker/app/.dockerignore", "docker/.dockerignore",
            ".dockerignore",
        ]),
        ("./docker/Dockerfile", ["docker/Dockerfile.dockerignore", "docker/.dockerignore", ".dockerignore"]),
        ("../x/Dockerfile", ["../x/Dockerfile.dockerignore", "../x/.dockerignore"]),
        ("/abs/Dockerfile", ["/abs/Dockerfile.dockerignore", "/abs/.dockerignore", "/.dockerignore"]),
    ],
)
def test_candidates(dockerfile: str, expected: list[str]) -> None:
    assert _dockerignore.candidates(dockerfile) == expected


def test_load_reads_existing_files_inside_the_repository(write: Writer) -> None:
    write("docker/Dockerfile", "FROM x\n")
    write(".dockerignore", ".git\n")
    write("docker/Dockerfile.dockerignore", ".env\n")
    repo = Repo()
    found = _dockerignore.load(repo, "docker/Dockerfile")
    assert found == [("docker/Dockerfile.dockerignore", ".env\n"), (".dockerignore", ".git\n")]
    assert _dockerignore.specific(found) == [("docker/Dockerfile.dockerignore", ".env\n")]
    assert _dockerignore.load(repo, repo.root + "/docker/Dockerfile") == found


def test_load_takes_a_containerignore_where_there_is_no_dockerignore(write: Writer) -> None:
    write("app/Containerfile", "FROM x\n")
    write("app/.containerignore", ".git\n")  # Podman's name for it
    write(".containerignore", ".venv\n")
    write(".dockerignore", ".env\n")  # BuildKit and Podman both read this one first
    found = _dockerignore.load(Repo(), "app/Containerfile")
    assert found == [("app/.containerignore", ".git\n"), (".dockerignore", ".env\n")]
    assert _dockerignore.specific(found) == found
