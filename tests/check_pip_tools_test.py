from __future__ import annotations

from pathlib import Path

import pytest

from hooks._files import Repo
from hooks._requirements import load
from hooks.check_pip_tools import check, compiled_for, compiled_path, main
from tests.conftest import Writer
from tests.projects import PIP_TOOLS_PROJECT


def run(tmp: Path, files: dict[str, str], source: str = "requirements.in") -> list[tuple[str, int, int, str, str]]:
    for name, content in files.items():
        (tmp / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / name).write_text(content)
    repo = Repo(str(tmp))
    findings = check(load(source, repo), compiled=compiled_for(repo, source))
    return [(f.path, f.line, f.col, f.code, f.message) for f in findings]


PASS = [
    pytest.param(PIP_TOOLS_PROJECT, id="compiled-project"),
    pytest.param({"requirements.in": "Django>=5\nzope.interface\n",
                  "requirements.txt": "django==5.0.6\nzope-interface==6.4\n"}, id="canonical-names"),
    pytest.param({"requirements.in": "pywin32; sys_platform == 'win32'\nflask\n",
                  "requirements.txt": "flask==3.0.3\n"}, id="marker-left-out-on-other-platform"),
    pytest.param({"requirements.in": "-c constraints.txt\nflask\n", "constraints.txt": "werkzeug<4\n",
                  "requirements.txt": "flask==3.0.3\n"}, id="constraints-of-the-input-are-not-names"),
    pytest.param({"requirements.in": "mylib @ git+https://github.com/acme/mylib@v1.2.0\n",
                  "requirements.txt": "mylib @ git+https://github.com/acme/mylib@v1.2.0\n"}, id="direct-reference"),
    pytest.param({"requirements.in": "flask\n"}, id="no-compiled-file"),
    pytest.param({"requirements.in": "flask\nsetuptools>=70\n", "requirements.txt": (
        "flask==3.0.3\n\n# The following packages are considered to be unsafe in a requirements file:\n"
        "# setuptools\n")}, id="unsafe-packages-left-out-by-pip-compile"),
    pytest.param({"requirements.in": "-r base.in\ngunicorn\n", "base.in": "flask\n",
                  "requirements.txt": "flask==3.0.3\ngunicorn==22.0.0\n"}, id="include"),
]


@pytest.mark.parametrize("files", PASS)
def test_pass(tmp_path: Path, files: dict[str, str]) -> None:
    assert run(tmp_path, files) == []


FAIL = [
    pytest.param(
        {"requirements.in": "django>=5.0\nsentry-sdk[django]\n", "requirements.txt": "django==5.0.6\n"},
        [("requirements.in", 2, 1, "DPH112", "'sentry-sdk' is named here, but requirements.txt does not list it; "
          "re-run pip-compile ('pip-compile requirements.in') and commit the result")],
        id="added-but-not-compiled",
    ),
    pytest.param(
        {"requirements.in": "# web\n  flask\n", "requirements.txt": "flask>=3\n"},
        [("requirements.in", 2, 3, "DPH112", "'flask' is named here, but requirements.txt lists it without an '==' "
          "pin; re-run pip-compile ('pip-compile requirements.in') and commit the result")],
        id="compiled-without-pin",
    ),
    pytest.param(
        {"requirements.in": "-r base.in\ngunicorn\n", "base.in": "flask\ncelery\n",
         "requirements.txt": "flask==3.0.3\ngunicorn==22.0.0\n"},
        [("base.in", 2, 1, "DPH112", "'celery' is named here, but requirements.txt does not list it; "
          "re-run pip-compile ('pip-compile requirements.in') and commit the result")],
        id="in-an-included-input",
    ),
]


@pytest.mark.parametrize(("files", "expected"), FAIL)
def test_fail(tmp_path: Path, files: dict[str, str], expected: list[tuple[str, int, int, str, str]]) -> None:
    assert run(tmp_path, files) == expected


def test_requirements_directory(tmp_path: Path) -> None:
    files = {"requirements/dev.in": "-r base.in\npytest\n", "requirements/base.in": "flask\n",
             "requirements/dev.txt": "flask==3.0.3\n"}
    assert [f[:4] for f in run(tmp_path, files, "requirements/dev.in")] == [("requirements/dev.in", 2, 1, "DPH112")]


def test_compiled_path() -> None:
    assert compiled_path("requirements/dev.in") == "requirements/dev.txt"


def test_main(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    for name, content in PIP_TOOLS_PROJECT.items():
        write(name, content)
    write("worker/requirements.in", "celery\n")
    write("worker/requirements.txt", "kombu==5.3.7\n")
    assert main(["requirements.in"]) == 0
    assert main(["requirements.in", "worker/requirements.in"]) == 1
    assert capsys.readouterr().out == (
        "worker/requirements.in:1:1: DPH112 'celery' is named here, but worker/requirements.txt does not list it; "
        "re-run pip-compile ('pip-compile worker/requirements.in') and commit the result\n"
    )


def test_documented_examples(tmp_path: Path) -> None:
    from hooks import check_pip_tools
    from tests.projects import doc_blocks

    (example,), (fix,) = doc_blocks(check_pip_tools, "DPH112")
    source = example.split("# requirements.txt")[0]
    compiled = "# requirements.txt" + example.split("# requirements.txt")[1]
    assert [f[3] for f in run(tmp_path, {"requirements.in": source, "requirements.txt": compiled})] == ["DPH112"]
    assert run(tmp_path, {"requirements.in": source, "requirements.txt": fix}) == []
