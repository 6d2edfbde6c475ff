"""What the project files say: the Python versions a project asks for, and the versions
its lock files record.

Version constraints: :func:`requires_python` gives ``requires-python`` of
``[project]`` and the ``python`` constraint of ``[tool.poetry.dependencies]``
(Poetry's ``^3.11``, ``~3.11``, ``3.11.*`` and ``||`` alternatives converted to PEP 440
specifier sets) of a parsed ``pyproject.toml`` (:meth:`hooks._context.BuildContext.pyproject`);
:func:`python_version_pins` the versions ``.python-version`` names (pyenv allows several,
one a line; the first is the default).

Recorded versions: only fix mode reads the lock files near a requirements file
(:func:`recorded_versions`, for the DPH101 fix); the checks only look for them
(:func:`hooks._context.lock_files`). Nothing is resolved and nothing touches the
network. TOML is read with :mod:`tomllib` (``tomli`` on Python 3.10).
"""
from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple, cast

from hooks._context import lock_files, pyproject_of
from hooks._files import Repo, load_toml
from hooks._patterns import lazy

if TYPE_CHECKING:
    from packaging.specifiers import SpecifierSet

_PYTHON_VERSION_RE = re.compile(r"(?:cpython[@-]?|python)?(\d+(?:\.\d+){0,2})(?:[^\d.].*)?", re.ASCII)
_POETRY_CARET_RE = re.compile(r"\^\s*(\d+(?:\.\d+){0,2})", re.ASCII)
_POETRY_TILDE_RE = re.compile(r"~(?!=)\s*(\d+(?:\.\d+){0,2})", re.ASCII)
_BARE_VERSION_RE = re.compile(r"\d+(?:\.\d+){0,2}(?:\.\*)?", re.ASCII)


class Constraint(NamedTuple):
    """A Python version constraint of the project, and where it is written."""

    source: str  # 'requires-python in pyproject.toml', ...
    written: str  # as written
    alternatives: tuple[SpecifierSet, ...]  # any of them may hold (Poetry's ``||``)


# ---------------------------------------------------------------------------
# Python version constraints
# ---------------------------------------------------------------------------

def python_version_pins(text: str) -> tuple[str, ...]:
    """The versions in a ``.python-version`` file, one a line (``3.12``, ``3.12.4``,
    ``cpython@3.12``); comments and what names no CPython version (``pypy3.10``,
    ``system``) are left out."""
    found = []
    for line in text.removeprefix("\ufeff").splitlines():
        word = line.strip()
        if not word or word.startswith("#"):
            continue
        match = _PYTHON_VERSION_RE.fullmatch(word.lower())
        if match:
            found.append(match.group(1))
    return tuple(found)


def _table(data: Mapping[str, object] | None, *keys: str) -> Mapping[str, object] | None:
    for key in keys:
        if not isinstance(data, Mapping):
            return None
        data = cast("Mapping[str, object] | None", data.get(key))
    return data if isinstance(data, Mapping) else None


def requires_python(pyproject: Mapping[str, object] | None) -> list[Constraint]:
    """The Python constraints of a parsed ``pyproject.toml`` (those that parse)."""
    found: list[Constraint] = []
    project = _table(pyproject, "project")
    written = project.get("requires-python") if project is not None else None
    if isinstance(written, str):
        from packaging.specifiers import InvalidSpecifier, SpecifierSet

        try:
            specs = SpecifierSet(written)
        except InvalidSpecifier:
            specs = None
        if specs is not None:
            found.append(Constraint("requires-python in pyproject.toml", written, (specs,)))
    deps = _table(pyproject, "tool", "poetry", "dependencies")
    python = deps.get("python") if deps is not None else None
    if isinstance(python, str):
        alternatives = poetry_constraint(python)
        if alternatives:
            found.append(Constraint("the poetry python constraint in pyproject.toml", python, alternatives))
    return found


def poetry_constraint(text: str) -> tuple[SpecifierSet, ...]:
    """Poetry's version constraint as PEP 440 specifier sets (one per ``||`` branch);
    empty when a branch cannot be read."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    out: list[SpecifierSet] = []
    for branch in re.split(r"\|\|?", text):
        clauses: list[str] = []
        for part in re.split(r",|\s+(?=[<>=!~^\d])", branch.strip()):
            part = part.strip()
            if not part or part == "*":
                continue
            caret = _POETRY_CARET_RE.fullmatch(part)
            tilde = _POETRY_TILDE_RE.fullmatch(part)
            if caret:
                version = caret.group(1)
                numbers = [int(n) for n in version.split(".")]
                first = next((i for i, n in enumerate(numbers) if n), len(numbers) - 1)
                upper = numbers[:first + 1]
                upper[-1] += 1
                clauses += [f">={version}", "<" + ".".join(map(str, upper))]
            elif tilde:
                version = tilde.group(1)
                numbers = [int(n) for n in version.split(".")]
                upper = numbers[:2] if len(numbers) > 1 else numbers[:1]
                upper[-1] += 1
                clauses += [f">={version}", "<" + ".".join(map(str, upper))]
            elif _BARE_VERSION_RE.fullmatch(part):
                clauses.append(f"=={part}")
            else:
                clauses.append(part.replace(" ", ""))
        try:
            out.append(SpecifierSet(",".join(clauses)))
        except InvalidSpecifier:
            return ()
    return tuple(out)


def version_allowed(version: str, constraint: Constraint) -> bool:
    """Whether a Python ``version`` of an image (``3.12`` or ``3.12.4``) may satisfy
    ``constraint``. ``3.12`` stands for every 3.12 release: it is allowed when its first
    or a late patch release is."""
    from packaging.version import InvalidVersion, Version

    candidates = [version] if version.count(".") >= 2 else [f"{version}.0", f"{version}.99"]
    try:
        parsed = [Version(v) for v in candidates]
    except InvalidVersion:
        return True
    return any(
        specs.contains(v, prereleases=True) for specs in constraint.alternatives for v in parsed
    )


# ---------------------------------------------------------------------------
# Versions a lock or compiled file records (for the DPH101 fix)
# ---------------------------------------------------------------------------

TOML_LOCKS = ("uv.lock", "poetry.lock", "pdm.lock")  # each a list of [[package]] name/version
MAX_PARENTS = 50  # directories looked at above a requirements file


class Recorded(NamedTuple):
    """The versions the lock files of one directory record, by canonical name."""

    directory: str  # as a Repo path ('' for the working directory)
    sources: tuple[str, ...]  # the files read, as Repo paths
    versions: Mapping[str, frozenset[str]]


def _from_an_index(package: Mapping[str, object]) -> bool:
    """Whether a lock file's ``[[package]]`` was installed from a package index: not from
    git, a directory, a file or a URL (uv's ``source``, Poetry's ``[package.source]``
    ``type``, PDM's ``git``/``path``/``url`` keys), whose version an ``==`` pin would not
    install."""
    source = package.get("source")
    if isinstance(source, dict):
        if source.get("type") in ("git", "directory", "file", "url"):  # poetry.lock
            return False
        if "type" not in source and "registry" not in source:  # uv.lock: git, path, editable, virtual, url...
            return False
    return not any(key in package for key in ("git", "path", "url", "editable"))


def recorded_versions(repo: Repo, path: str) -> Recorded | None:
    """The versions recorded next to the requirements file ``path``: in ``uv.lock``,
    ``poetry.lock``, ``pdm.lock`` (``[[package]]`` tables) and the pip-compile outputs (a
    ``requirements*.txt`` beside its ``.in``, its ``==`` pins) of its own directory, or, when
    that has none, of the nearest parent directory (inside the repository) that has one.
    ``path`` itself is never a source; nor is a locked package that does not come from a
    package index (git, a path, a URL). None when no directory has a readable one. Read
    through ``repo`` (confined, size limited); a file that cannot be read or parsed is
    skipped."""
    from hooks._requirements import INDEX, canonicalize_name, parse

    directory = os.path.dirname(path)
    own = os.path.normpath(path)
    for _ in range(MAX_PARENTS):
        if not repo.inside(directory or "."):
            return None
        versions: dict[str, set[str]] = {}
        sources: list[str] = []
        for name in lock_files(repo, directory):
            if name == "Pipfile.lock":  # JSON, and what it records is not read
                continue
            found = os.path.join(directory, name) if directory else name
            if name in TOML_LOCKS:
                text = repo.optional_text(found)
                if text is None:
                    continue
                try:
                    data = load_toml(text)
                except ValueError:
                    continue
                packages = data.get("package")
                if not isinstance(packages, list):
                    continue
                sources.append(found)
                for package in packages:
                    if isinstance(package, dict) and _from_an_index(package):
                        name_, version = package.get("name"), package.get("version")
                        if isinstance(name_, str) and isinstance(version, str) and name_ and version:
                            versions.setdefault(canonicalize_name(name_), set()).add(version)
                continue
            if os.path.normpath(found) == own:  # a compiled requirements file: its == pins
                continue
            text = repo.optional_text(found)
            if text is None:
                continue
            sources.append(found)
            for entry in parse(text, found).requirements():
                req = entry.requirement
                if req is not None and req.kind == INDEX and req.name and not req.unresolved:
                    pins = [v for op, v in req.specs if op == "==" and not v.endswith(".*")]
                    if len(pins) == 1 and len(req.specs) == 1:
                        versions.setdefault(req.name, set()).add(pins[0])
        if sources:
            return Recorded(directory, tuple(sources), {k: frozenset(v) for k, v in versions.items()})
        if os.path.realpath(repo.full(directory or ".")) == repo.root:
            return None
        parent = os.path.normpath(os.path.join(directory, os.pardir))
        directory = "" if parent == "." else parent
    return None


# ---------------------------------------------------------------------------
# Requirements files that are a package's own dependency list
# ---------------------------------------------------------------------------

_INSTALL_REQUIRES_RE = re.compile(r"\b(?:install_requires|extras_require)\b")
# setup.cfg's ``install_requires = file: requirements.txt`` (setuptools >= 62.6), also in
# ``[options.extras_require]``: the files after ``file:``, separated by commas.
_SETUP_CFG_FILE_RE = re.compile(r"^[ \t]*[\w.-]+[ \t]*[=:][ \t]*file:[ \t]*([^\n#;]+)", re.MULTILINE)


def _file_list(value: object) -> list[str]:
    """A ``file`` / ``files`` value of pyproject.toml: one path or a list of paths."""
    if isinstance(value, str):
        return [value]
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _metadata_files(pyproject: Mapping[str, object]) -> list[str]:
    """The requirements files a pyproject.toml reads as the package's dependencies, as
    written (relative to its directory): setuptools' ``[tool.setuptools.dynamic]``
    ``dependencies``/``optional-dependencies`` ``file``, and hatch-requirements-txt's
    ``[tool.hatch.metadata.hooks.requirements_txt]`` ``files`` (and ``filename``) with its
    ``optional-dependencies``."""
    found: list[str] = []
    dynamic = _table(pyproject, "tool", "setuptools", "dynamic")
    if dynamic is not None:
        dependencies = dynamic.get("dependencies")
        if isinstance(dependencies, dict):
            found += _file_list(dependencies.get("file"))
        optional = dynamic.get("optional-dependencies")
        for extra in optional.values() if isinstance(optional, dict) else ():
            if isinstance(extra, dict):
                found += _file_list(extra.get("file"))
    hook = _table(pyproject, "tool", "hatch", "metadata", "hooks", "requirements_txt")
    if hook is not None:
        found += _file_list(hook.get("files")) + _file_list(hook.get("filename"))
        optional = hook.get("optional-dependencies")
        for files in optional.values() if isinstance(optional, dict) else ():
            found += _file_list(files)
    return found


_STRING_RE = lazy(r"""["']([^"'\n]+)["']""")
_GLOB_RE = lazy(r"[*?\[]")


def _setup_py_names(text: str, rel: str) -> bool:
    """Whether the ``setup.py`` ``text`` names the file ``rel`` (relative to its directory)
    in a string: the path itself (``"requirements/base.txt"``), a glob that matches it
    (``Path(".").glob("requirements/*.txt")``), or its directory together with its name
    (``open('requirements/' + name)`` ... ``'base.txt'``) or a glob that matches its name
    (``Path("requirements").glob("*.txt")``)."""
    strings = {found.removeprefix("./").rstrip("/") for found in _STRING_RE.findall(text)}
    if rel in strings:
        return True
    globs = [found for found in strings if _GLOB_RE.search(found)]
    directory, _, name = rel.rpartition("/")
    return any(fnmatch.fnmatchcase(rel, pattern) for pattern in globs) or (
        bool(directory) and directory in strings
        and (name in strings or any(fnmatch.fnmatchcase(name, pattern) for pattern in globs))
    )


def package_metadata_source(repo: Repo, path: str) -> str | None:
    """The project file that reads the requirements file ``path`` as the package's own
    dependency list (what ``pip install .`` asks for, ranges meant for every user of the
    package): a ``pyproject.toml`` whose setuptools dynamic metadata or
    hatch-requirements-txt names it, a ``setup.cfg`` that reads it with ``file:``
    (``install_requires = file: requirements.txt``), or a ``setup.py`` that sets
    ``install_requires``/``extras_require`` and writes its path, or a glob that matches it,
    as a string (:func:`_setup_py_names`). Looked for in the file's directory
    and its parents inside the repository; None when none reads it. Nothing is run."""
    target = repo.realpath(path)
    directory = os.path.dirname(path)
    for _ in range(MAX_PARENTS):
        if not repo.inside(directory or "."):
            return None
        here = repo.realpath(directory or ".")
        pyproject = pyproject_of(repo, directory)
        if pyproject is not None and any(
            os.path.normpath(os.path.join(here, name)) == target for name in _metadata_files(pyproject)
        ):
            return os.path.join(directory, "pyproject.toml") if directory else "pyproject.toml"
        cfg_path = os.path.join(directory, "setup.cfg") if directory else "setup.cfg"
        text = repo.optional_text(cfg_path)
        if text is not None:
            listed = [name.strip() for found in _SETUP_CFG_FILE_RE.findall(text) for name in found.split(",")]
            if any(name and os.path.normpath(os.path.join(here, name)) == target for name in listed):
                return cfg_path
        setup_path = os.path.join(directory, "setup.py") if directory else "setup.py"
        text = repo.optional_text(setup_path)
        if text is not None and _INSTALL_REQUIRES_RE.search(text):
            rel = os.path.relpath(target, here).replace(os.sep, "/")
            if not rel.startswith("../") and _setup_py_names(text, rel):
                return setup_path
        if here == repo.root:
            return None
        parent = os.path.normpath(os.path.join(directory, os.pardir))
        directory = "" if parent == "." else parent
    return None


# ---------------------------------------------------------------------------
# Requirements files that conda reads
# ---------------------------------------------------------------------------

_CONDA_FILE_RE = lazy(
    r"\b(?:conda|mamba|micromamba)\b[^\n;&|]*?[ \t](?:--file|-f)(?:=|[ \t]+)[\"']?([^\s\"';&|]+)"
)


def conda_spec_reader(repo: Repo, path: str) -> str | None:
    """The Dockerfile that reads the file ``path`` with ``conda``/``mamba``/``micromamba``
    ``install --file`` (``-f``): the file is then a list of conda match specs
    (``numpy=1.26.4``), not a pip requirements file. Looked for in the Dockerfiles of the
    file's directory and its parents inside the repository, by the file's name (a COPY may
    put it elsewhere); None when none does. Nothing is run."""
    from hooks._context import files_of_kind

    name = os.path.basename(path)
    directory = os.path.dirname(path)
    for _ in range(MAX_PARENTS):
        if not repo.inside(directory or "."):
            return None
        for entry in files_of_kind(repo, directory, "dockerfile"):
            candidate = os.path.join(directory, entry) if directory else entry
            text = repo.optional_text(candidate) or ""
            if ("conda" in text or "mamba" in text) and any(
                os.path.basename(found) == name for found in _CONDA_FILE_RE.findall(text)
            ):
                return candidate
        if repo.realpath(directory or ".") == repo.root:
            return None
        parent = os.path.normpath(os.path.join(directory, os.pardir))
        directory = "" if parent == "." else parent
    return None
