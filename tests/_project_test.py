"""hooks._project: what the project files say (Python version constraints, lock files,
and the requirements files a package's metadata reads)."""
from __future__ import annotations

import pytest

from hooks._files import Repo
from hooks._project import conda_spec_reader, package_metadata_source, python_version_pins
from tests.conftest import Writer


def test_python_version_pins() -> None:
    assert python_version_pins("\ufeff3.12.4\n# comment\npypy3.10\ncpython@3.11\nsystem\n") == ("3.12.4", "3.11")


COMPOSED_SETUP_PY = (
    "from setuptools import setup\ndef reqs(name):\n    return open('requirements/' + name).read()\n"
    "setup(install_requires=reqs('default.txt'))\n"
)


@pytest.mark.parametrize(
    ("files", "path", "expected"),
    [
        pytest.param(
            {"pyproject.toml": '[project]\ndynamic = ["dependencies"]\n'
                               '[tool.hatch.metadata.hooks.requirements_txt]\nfiles = ["requirements.txt"]\n'},
            "requirements.txt", "pyproject.toml", id="hatch-requirements-txt",
        ),
        pytest.param(
            {"pyproject.toml": '[tool.hatch.metadata.hooks.requirements_txt]\nfilename = "requirements.txt"\n'},
            "requirements.txt", "pyproject.toml", id="hatch-requirements-txt-filename",
        ),
        pytest.param(
            {"pyproject.toml": '[tool.hatch.metadata.hooks.requirements_txt.optional-dependencies]\n'
                               'crypto = ["requirements/crypto.txt"]\n'},
            "requirements/crypto.txt", "pyproject.toml", id="hatch-optional-from-a-subdirectory",
        ),
        pytest.param(
            {"pyproject.toml": '[tool.setuptools.dynamic]\ndependencies = {file = ["requirements/base.txt"]}\n'
                               'optional-dependencies.dev = {file = "requirements/dev.txt"}\n'},
            "requirements/dev.txt", "pyproject.toml", id="setuptools-dynamic-optional",
        ),
        pytest.param(
            {"setup.cfg": "[metadata]\nname = x\n[options]\ninstall_requires = file: requirements.txt\n"},
            "requirements.txt", "setup.cfg", id="setup-cfg-file",
        ),
        pytest.param(
            {"setup.cfg": "[options.extras_require]\nmpi = file: requirements/base.txt, requirements/mpi.txt\n"},
            "requirements/mpi.txt", "setup.cfg", id="setup-cfg-extras-file-list",
        ),
        pytest.param(
            {"setup.py": "from setuptools import setup\n"
                         "setup(install_requires=open('requirements.txt').read().splitlines())\n"},
            "requirements.txt", "setup.py", id="setup-py-names-it",
        ),
        pytest.param(
            {"setup.py": "from pathlib import Path\nfrom setuptools import setup\n"
                         "reqs = {f.stem: f.read_text().splitlines() for f in Path('.').glob('requirements/*.txt')}\n"
                         "setup(install_requires=reqs['base'], extras_require={'dev': reqs['dev']})\n"},
            "requirements/dev.txt", "setup.py", id="setup-py-glob-matches-it",
        ),
        pytest.param(
            {"setup.py": "import glob\nfrom setuptools import setup\n"
                         "files = glob.glob(os.path.join('requirements', '*.txt'))\n"
                         "setup(install_requires=read(files))\n"},
            "requirements/base.txt", "setup.py", id="setup-py-directory-and-name-glob",
        ),
        pytest.param(
            {"setup.py": "from setuptools import setup\nsetup(install_requires=open('requirements/*.in').read())\n"},
            "requirements/base.txt", None, id="setup-py-glob-that-does-not-match",
        ),
        pytest.param(
            {"setup.py": COMPOSED_SETUP_PY},
            "requirements/default.txt", "setup.py", id="setup-py-directory-and-name-apart",
        ),
        pytest.param(
            {"setup.py": COMPOSED_SETUP_PY},
            "requirements/dev.txt", None, id="setup-py-names-another-file-of-the-directory",
        ),
        pytest.param(
            {"pyproject.toml": '[tool.setuptools.dynamic]\ndependencies = {file = ["requirements.txt"]}\n'},
            "docker/requirements.txt", None, id="another-file-of-the-same-name",
        ),
        pytest.param(
            {"setup.py": "# see requirements.txt for the app\nfrom setuptools import setup\nsetup(name='x')\n"},
            "requirements.txt", None, id="setup-py-without-install-requires",
        ),
        pytest.param({"pyproject.toml": "not [toml"}, "requirements.txt", None, id="invalid-toml"),
        pytest.param({}, "requirements.txt", None, id="no-project-file"),
    ],
)
def test_package_metadata_source(write: Writer, files: dict[str, str], path: str, expected: str | None) -> None:
    for name, text in files.items():
        write(name, text)
    write(path, "flask>=3\n")
    assert package_metadata_source(Repo(), path) == expected


@pytest.mark.parametrize(("dockerfile", "path", "expected"), [
    pytest.param("RUN micromamba install -y -n base -c conda-forge -f /tmp/conda.txt\n", "env/conda.txt",
                 "Dockerfile", id="micromamba-f-above"),
    pytest.param("RUN conda install -y --file=conda.txt && conda clean -afy\n", "conda.txt", "Dockerfile",
                 id="conda-file-equals"),
    pytest.param("RUN pip install -r conda.txt\n", "conda.txt", None, id="pip-reads-it"),
    pytest.param("RUN conda env create -f environment.yml\n", "conda.txt", None, id="another-file"),
])
def test_conda_spec_reader(write: Writer, dockerfile: str, path: str, expected: str | None) -> None:
    write("Dockerfile", "FROM mambaorg/micromamba:1.5.8\n" + dockerfile)
    write(path, "numpy=1.26.4\n")
    assert conda_spec_reader(Repo(), path) == expected
