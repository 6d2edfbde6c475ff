from __future__ import annotations

from pathlib import Path

import pytest

from hooks._context import BuildContext
from hooks._files import Repo
from tests.conftest import Writer

FILES = (
    ".env", "meta.env", "app.py", "a1.txt", "ab.txt", "src/pkg/mod.py", "src/pkg/.env", "src/other.py",
    "docker/Dockerfile", "docker/entrypoint.sh",
)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param("*.env", [".env", "meta.env"], id="star-matches-a-leading-dot"),
        pytest.param("./*.env", [".env", "meta.env"], id="dot-slash"),
        pytest.param("/a?.txt", ["a1.txt", "ab.txt"], id="question-mark-and-leading-slash"),
        pytest.param("a[0-9].txt", ["a1.txt"], id="class"),
        pytest.param("src/*/.env", ["src/pkg/.env"], id="wildcard-directory"),
        pytest.param("src/*", ["src/other.py", "src/pkg"], id="files-and-directories"),
        pytest.param("*/*.sh", ["docker/entrypoint.sh"], id="nested"),
        pytest.param("*.nothing", None, id="no-match-anywhere"),
        pytest.param("missing/*.env", None, id="no-such-directory"),
        pytest.param("../*.env", [".env", "meta.env"], id="dot-dot-is-cleaned-to-the-context-root"),
        pytest.param("a[.txt", None, id="malformed-class"),
    ],
)
def test_matches_at_the_repository_root(write: Writer, source: str, expected: list[str] | None) -> None:
    for name in FILES:
        write(name, "")
    repo = Repo()
    context = BuildContext(repo, "Dockerfile")
    assert context.matches(source) == expected


def test_nearest_context_with_a_match_and_its_ignore_file(write: Writer) -> None:
    for name in ("docker/a.env", ".env", "b.env", "docker/.dockerignore", ".dockerignore"):
        write(name, "")
    write("docker/.dockerignore", "a.env\n")
    write(".dockerignore", ".env\n")
    repo = Repo()
    context = BuildContext(repo, "docker/Dockerfile")
    assert context.matches("*.env") == []  # docker/ is the context, and it keeps a.env out
    assert context.matches("b*.env") == ["b.env"]  # only the root has it
    assert context.matches(".e*") == []  # the root's .dockerignore keeps .env out


def test_devcontainer_images(tmp_path: Path) -> None:
    from hooks._context import devcontainer_images

    (tmp_path / ".devcontainer" / "py").mkdir(parents=True)
    (tmp_path / ".devcontainer" / "devcontainer.json").write_text(
        '{\n  // JSON with comments\n  "build": {"dockerfile": "../docker/Dockerfile.ci", "context": ".."}\n}\n'
    )
    (tmp_path / ".devcontainer" / "py" / "devcontainer.json").write_text('{"dockerFile": "Dockerfile"}\n')
    (tmp_path / ".devcontainer.json").write_text('{"dockerFile": "Dockerfile"}\n')
    assert devcontainer_images(Repo(str(tmp_path))) == frozenset({
        str(tmp_path / "docker" / "Dockerfile.ci"), str(tmp_path / ".devcontainer" / "py" / "Dockerfile"),
        str(tmp_path / "Dockerfile"),
    })
    assert devcontainer_images(Repo(str(tmp_path / ".devcontainer" / "py"))) == frozenset()
