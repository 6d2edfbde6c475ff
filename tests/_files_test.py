from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest

from hooks._files import (
    MAX_BYTES,
    ReadError,
    Repo,
    decode_dockerfile,
    decode_requirements,
    find_root,
    in_dev_container,
    is_ci_config,
    is_dockerfile,
    is_requirements,
)
from tests.conftest import Writer


@pytest.mark.parametrize(
    "name",
    [
        "Dockerfile", "dockerfile", "DOCKERFILE", "Dockerfile.prod", "prod.Dockerfile",
        "app.dockerfile", "Containerfile", "containerfile", "Dockerfile-prod", "Dockerfile_prod",
        "docker/Dockerfile", "services/api/Containerfile.dev",
    ],
)
def test_dockerfile_names(name: str) -> None:
    assert is_dockerfile(name)


@pytest.mark.parametrize(
    "name",
    [
        "Dockerfile.j2", "Dockerfile.dockerignore", "app.Dockerfile.dockerignore",
        "Dockerfiles/README.md", "DockerfileLinter.py", "my-dockerfile-notes.md", "Dockerfile.txt",
        "Dockerfile.template", "docker-compose.yml",
    ],
)
def test_not_dockerfile_names(name: str) -> None:
    assert not is_dockerfile(name)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("requirements.txt", True), ("requirements-dev.txt", True), ("dev-requirements.txt", True),
        ("requirements_test.txt", True), ("requirements/base.txt", True), ("constraints.txt", True),
        ("docs/requirements.txt", True), ("requirements.in", False), ("requirements.lock", False),
        ("pyproject.toml", False), ("requirements/README.md", False),
    ],
)
def test_requirements_names(name: str, expected: bool) -> None:
    assert is_requirements(name) is expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (".github/workflows/ci.yml", True), (".github/workflows/docker.yaml", True),
        (".gitlab-ci.yml", True), ("azure-pipelines.yml", True), ("bitbucket-pipelines.yml", True),
        (".circleci/config.yml", True), ("ci.yml", False), (".github/dependabot.yml", False),
    ],
)
def test_ci_names(name: str, expected: bool) -> None:
    assert is_ci_config(name) is expected


def test_find_root(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "a" / "b").mkdir(parents=True)
    assert find_root(str(tmp_path / "a" / "b")) == str(tmp_path.resolve())
    bare = tmp_path / "a"
    os.rmdir(tmp_path / ".git")
    assert find_root(str(bare)) == str(bare.resolve())


def test_decode_dockerfile() -> None:
    assert decode_dockerfile(codecs.BOM_UTF8 + b"FROM x\n") == "FROM x\n"
    with pytest.raises(ReadError, match=r"cannot decode file as UTF-8 \(invalid byte at offset 7, line 2\)"):
        decode_dockerfile(b"FROM x\n\xff\n")
    with pytest.raises(ReadError, match="NUL bytes"):
        decode_dockerfile(b"FROM x\x00\n")


def test_decode_requirements_like_pip() -> None:
    assert decode_requirements("flask==3.0.3\n".encode("utf-16")) == "flask==3.0.3\n"
    assert decode_requirements(codecs.BOM_UTF8 + b"a==1\n") == "a==1\n"
    latin = "# -*- coding: latin-1 -*-\npkg==1.0  # caf\xe9\n".encode("latin-1")
    assert decode_requirements(latin).endswith("caf\xe9\n")
    with pytest.raises(ReadError, match="unknown encoding 'nope'"):
        decode_requirements(b"# coding: nope\n")
    with pytest.raises(ReadError, match="cannot decode file as UTF-8"):
        decode_requirements(b"pkg==1.0 \xe9\n")


def test_repo_reads_regular_files_only(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM x\n")
    (tmp_path / "dir").mkdir()
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "big").write_bytes(b"x" * (MAX_BYTES + 1))
    repo = Repo(str(tmp_path))
    assert repo.read_dockerfile("Dockerfile") == "FROM x\n"
    for name, reason in [
        ("dir", "is a directory"), ("fifo", "not a regular file"), ("big", "larger than 1024 KiB"),
        ("missing", "no such file"),
    ]:
        with pytest.raises(ReadError, match=reason):
            repo.read_bytes(name)


def test_repo_refuses_paths_outside(tmp_path: Path) -> None:
    inside = tmp_path / "repo"
    inside.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("password")
    (inside / "link").symlink_to(secret)
    repo = Repo(str(inside))
    with pytest.raises(ReadError, match="a symlink to a file outside the repository"):
        repo.read_bytes("link")
    with pytest.raises(ReadError, match="a file outside the repository"):
        repo.read_bytes("../secret.txt")
    with pytest.raises(ReadError, match="outside the repository"):
        repo.read_bytes(str(secret))
    assert repo.inside("a/../b") and not repo.inside("../x")
    assert repo.relpath("./a//b") == "a/b"


def test_repo_resolves_like_realpath(tmp_path: Path) -> None:
    """Directories are resolved once per Repo; the answer is still os.path.realpath's."""
    root = tmp_path / "repo"
    (root / "real" / "deep").mkdir(parents=True)
    (root / "real" / "deep" / "Dockerfile").write_text("FROM x\n")
    (root / "dirlink").symlink_to(root / "real")
    (root / "real" / "filelink").symlink_to(root / "real" / "deep" / "Dockerfile")
    (root / "real" / "out").symlink_to(tmp_path)
    (root / "real" / "loop").symlink_to(root / "real" / "loop")
    repo = Repo(str(root))
    names = [
        "real/deep/Dockerfile", "dirlink/deep/Dockerfile", "dirlink/filelink", "real/filelink",
        "real/out/repo/real/deep/Dockerfile", "real/out/other", "real/../dirlink/deep/.",
        "real/deep/..", "real/loop", "missing/x", "dirlink/", ".", "", str(tmp_path / "x"),
        "dirlink/deep/Dockerfile",  # again: the directory comes from the cache
        "missing/../dirlink/deep/Dockerfile", "real/out/repo/dirlink/deep/../filelink", "a//b/./c",
        "real/loop/x", "/", "/..", "//x", "real//deep/Dockerfile", "dirlink//deep//Dockerfile",
    ]
    for name in names:
        full = os.path.join(repo.root, name)
        assert repo._realpath(full) == os.path.realpath(full) == repo.realpath(name), name
    assert repo.read_dockerfile("dirlink/filelink") == "FROM x\n"
    assert not repo.inside("real/out/other") and repo.inside("real/out/repo/real")


@pytest.mark.parametrize(
    ("size", "error"), [pytest.param(100, None, id="grew"), pytest.param(MAX_BYTES + 5, "larger", id="grew-too-big")]
)
def test_repo_reads_a_file_that_grew_after_stat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int, error: str | None
) -> None:
    """The read is sized by stat; a file that grew since is still read whole, up to the limit."""
    (tmp_path / "f").write_bytes(b"x" * size)
    real_stat = os.stat

    def stale_stat(path: str) -> os.stat_result:
        info = real_stat(path)
        return os.stat_result((*info[:6], 10, *info[7:10]))

    monkeypatch.setattr(os, "stat", stale_stat)
    monkeypatch.setattr(os, "lstat", stale_stat)  # a plain file's lstat serves as its stat
    repo = Repo(str(tmp_path))
    if error is None:
        assert repo.read_bytes("f") == b"x" * size
    else:
        with pytest.raises(ReadError, match=error):
            repo.read_bytes("f")


def test_optional_text_is_remembered_and_a_listed_directory_answers_misses(write: Writer) -> None:
    write("a/.dockerignore", ".git\n")
    write("a/Dockerfile.DockerIgnore", ".env\n")
    repo = Repo()
    repo.note_listing("a", ["Dockerfile", ".dockerignore", "Dockerfile.DockerIgnore"])
    assert repo.optional_text("a/.dockerignore") == ".git\n"
    assert repo.optional_text("a/missing") is None  # listed without it: no system call
    assert repo._unlisted(repo.full("a/missing"))
    # Conservative: a name that differs only in case may exist on a case-insensitive file
    # system, a path with '..' resolves through symlinks, a non-ASCII name may be normalised.
    assert not repo._unlisted(repo.full("a/dockerfile.dockerignore"))
    assert not repo._unlisted(repo.full("a/../a/missing"))
    assert not repo._unlisted(repo.full("a/caf\u00e9"))
    assert not repo._unlisted(repo.full("b/missing"))  # not listed: ask the file system
    (Path(repo.root) / "a" / "late").write_text("x")
    assert repo.optional_text("a/.dockerignore") == ".git\n"  # remembered


def test_listings_are_ignored_when_paths_are_not_taken_from_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "x").write_text("x")
    monkeypatch.chdir(tmp_path)  # outside the repository: relative paths are from its root
    repo = Repo(str(tmp_path / "repo"))
    repo.note_listing(".", [])
    assert repo.optional_text("x") == "x"


@pytest.mark.parametrize(("path", "expected"), [
    (".devcontainer/Dockerfile", True),
    ("services/api/.devcontainer/Containerfile", True),
    ("/abs/repo/.devcontainer/compose.yaml", True),
    (".devcontainer", False),
    ("devcontainer/Dockerfile", False),
    (".devcontainer.Dockerfile", False),
    ("Dockerfile", False),
    ("Dockerfile.dev", True),
    ("docker/Dockerfile.development", True),
    ("dev.Dockerfile", True),
    ("Containerfile.local", True),
    (".gitpod.Dockerfile", True),
    ("docker-compose.dev.yml", True),
    ("compose.dev.yaml", True),
    ("Dockerfile.prod", False),
    ("Dockerfile.devops", False),
    ("docker-compose.yml", False),
    ("devtools.Dockerfile", False),
])
def test_in_dev_container(path: str, expected: bool) -> None:
    assert in_dev_container(path) is expected
