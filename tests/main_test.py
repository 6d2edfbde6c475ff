"""The all-rules command (hooks/__main__.py)."""
from __future__ import annotations

import pytest

from hooks.__main__ import iter_files, main
from tests.conftest import Writer


def test_check_finds_files_by_pattern(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    write("svc/Dockerfile", "FROM python:3.12-slim-bookworm\n")
    write("svc/requirements.txt", "flask>=2\n")
    write("svc/.github/workflows/ci.yml", "on: push\njobs:\n  b:\n    steps:\n      - run: docker build .\n")
    write("svc/notes.md", "FROM python\n")
    write("node_modules/x/Dockerfile", "FROM python\n")
    assert main(["check", "."]) == 1
    out = capsys.readouterr().out
    assert "svc/Dockerfile:1:1: DPH401 " in out
    assert "svc/requirements.txt:1:1: DPH101 " in out
    assert "svc/.github/workflows/ci.yml:5:" in out and "DPH801" in out
    assert "notes.md" not in out and "node_modules" not in out


def test_check_clean(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    write("requirements.txt", "flask==3.0.3\n")
    assert main(["check"]) == 0
    assert capsys.readouterr().out == ""


def test_unreadable_given_file(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    write("Dockerfile", b"\xff\xfe")
    assert main(["check", "Dockerfile"]) == 1
    assert capsys.readouterr().out.startswith("Dockerfile:1:1: DPH901 cannot decode file as UTF-8")


def test_iter_files_sorted_and_skips(write: Writer) -> None:
    for name in ("b/Dockerfile", "a/Dockerfile", ".git/Dockerfile", "x.egg-info/requirements.txt"):
        write(name, "FROM x\n")
    assert list(iter_files(["."])) == ["a/Dockerfile", "b/Dockerfile"]
    assert list(iter_files(["given/file"])) == ["given/file"]


def test_only_python_build_output_is_skipped(write: Writer) -> None:
    for name in ("pyproject.toml", "build/Dockerfile", "build/lib/pkg/requirements.txt",
                 "build/lib.linux-x86_64-cpython-312/requirements.txt", "build/bdist.linux-x86_64/Dockerfile",
                 "dist/requirements.txt", "docker/build/Dockerfile"):
        write(name, "x\n")
    assert list(iter_files(["."])) == [
        "pyproject.toml", "build/Dockerfile", "dist/requirements.txt", "docker/build/Dockerfile",
    ]


def test_rules_lists_every_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("DPH101  unpinned-requirement")
    assert "DPH905  unknown-target-stage" in out


def test_usage_error() -> None:
    with pytest.raises(SystemExit) as exc:
        main([])
    assert exc.value.code == 2


def test_iter_files_walks_like_os_walk(write: Writer) -> None:
    import os

    from hooks.__main__ import SKIP_DIRS

    for name in ("b/Dockerfile", "a/x.txt", "a/c/y", "z", ".venv/lib/f", "pkg.egg-info/PKG-INFO"):
        write(name, "x\n")
    os.symlink("a", "link-to-dir")
    os.symlink("missing", "a/broken")

    def walked(path: str) -> list[str]:
        found = []
        for top, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.endswith(".egg-info"))
            found += [os.path.join(top, name) for name in sorted(files)]
        return [f[2:] if f.startswith("./") else f for f in found]

    seen: list[tuple[str, list[str]]] = []
    for path in (".", "a", "./a/", "link-to-dir"):
        assert list(iter_files([path], lambda top, names: seen.append((top, names)))) == walked(path)
    assert ("a", ["broken", "c", "x.txt"]) in [(top, sorted(names)) for top, names in seen]


def test_check_takes_every_hook_option(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    write(
        "Dockerfile",
        "FROM python:3.12-slim-bookworm AS app\nUSER 10001\nFROM python:3.12-slim-bookworm AS debug\n",
    )
    assert main(["check", "Dockerfile", "--target", "nope"]) == 1
    assert "Dockerfile:1:1: DPH905 no stage named 'nope' (from --target)" in capsys.readouterr().out
    main(["check", "Dockerfile", "--target", "app", "--require-digest"])
    out = capsys.readouterr().out
    assert "DPH207" in out and "DPH401" not in out and "DPH905" not in out


def test_check_reads_requirements_in_any_letter_case(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    write("Requirements.txt", "flask>=2\n")
    assert main(["check", "Requirements.txt"]) == 1
    assert capsys.readouterr().out.startswith("Requirements.txt:1:1: DPH101 ")


def test_check_a_folder_of_another_repository(
    write: Writer, capsys: pytest.CaptureFixture[str], tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Run from inside one repository on a folder of another: the other folder's own
    repository is the boundary, and includes may not leave it."""
    other = tmp_path_factory.mktemp("other")
    (other / ".git").mkdir()
    (other / "svc").mkdir()
    (other / "svc" / "requirements.txt").write_text("-r ../base.txt\nflask>=2\n")
    (other / "base.txt").write_text("django==5.0\n")
    outside = other.parent / "outside.txt"
    outside.write_text("evil\n")
    (other / "svc" / "requirements-prod.txt").write_text(f"-r {outside}\n")
    assert main(["check", str(other / "svc")]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(": ", 1)[1].split(" ", 1)[0] for line in lines] == ["DPH103", "DPH101"]
    assert lines[0].startswith(f"{other}/svc/requirements-prod.txt:1:")
    assert lines[1].startswith(f"{other}/svc/requirements.txt:2:1: DPH101 ")
