"""The build context of a Dockerfile: the project files a build can see, read once.

The build context is the Dockerfile's directory (``docker build -f dir/Dockerfile dir``,
Compose's default ``context: dir``), or the nearest parent directory that holds the
files the Dockerfile copies by name when its own directory does not (``docker/Dockerfile``
built from the repository root). :func:`build_context` gives a :class:`Context`
that answers what the lock-file and Python-version checks ask of it: which lock files
are there (``uv.lock``, ``poetry.lock``, ``pdm.lock``, ``Pipfile.lock``, a
``requirements*.txt`` compiled from the ``.in`` beside it), the parsed
``pyproject.toml``, ``.python-version``, and requirements files by their path.

Every read goes through :class:`~hooks._files.Repo` (inside the repository, size
limited, never a FIFO); a file that cannot be read or parsed counts as absent. For the
checks a lock file is only looked for, never read (``uv.lock`` is often larger than what
the hooks read); only fix mode reads the lock files near a requirements file
(:func:`recorded_versions`, for the DPH101 fix). Nothing is resolved and nothing
touches the network. ``pyproject.toml`` is read with :mod:`tomllib` (``tomli`` on
Python 3.10).

Version constraints: :func:`requires_python` gives ``requires-python`` of
``[project]`` and the ``python`` constraint of ``[tool.poetry.dependencies]``
(Poetry's ``^3.11``, ``~3.11``, ``3.11.*`` and ``||`` alternatives converted to PEP 440
specifier sets); :func:`python_version_pins` the versions ``.python-version`` names (pyenv allows several,
one a line; the first is the default).
"""
from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple, cast

from hooks._files import ReadError, Repo, load_toml

if TYPE_CHECKING:
    from packaging.specifiers import SpecifierSet

    from hooks._dockerfile import Dockerfile
    from hooks._requirements import RequirementsSet

LOCK_FILES = ("uv.lock", "poetry.lock", "pdm.lock", "Pipfile.lock")
MAX_LISTED = 2000  # entries of a context directory looked at for requirements*.in
_IN_RE = re.compile(r"(?:.*requirements.*|constraints.*)\.in", re.IGNORECASE)
_PYTHON_VERSION_RE = re.compile(r"(?:cpython[@-]?|python)?(\d+(?:\.\d+){0,2})(?:[^\d.].*)?", re.ASCII)
_POETRY_CARET_RE = re.compile(r"\^\s*(\d+(?:\.\d+){0,2})", re.ASCII)
_POETRY_TILDE_RE = re.compile(r"~(?!=)\s*(\d+(?:\.\d+){0,2})", re.ASCII)
_BARE_VERSION_RE = re.compile(r"\d+(?:\.\d+){0,2}(?:\.\*)?", re.ASCII)


class Constraint(NamedTuple):
    """A Python version constraint of the project, and where it is written."""

    source: str  # 'requires-python in pyproject.toml', ...
    written: str  # as written
    alternatives: tuple[SpecifierSet, ...]  # any of them may hold (Poetry's ``||``)


class Context:
    """The files of one build context (a directory of the repository).

    What it reads or works out is kept in the Repo (by directory), so the checks of a run
    that ask about one context share it; the Context itself is not kept there (it holds
    the Repo, which would make a reference cycle)."""

    __slots__ = ("directory", "repo")

    def __init__(self, repo: Repo, directory: str) -> None:
        self.repo = repo
        self.directory = directory  # as given: '' for the working directory

    def __repr__(self) -> str:
        return f"Context({self.directory!r})"

    def path(self, rel: str) -> str:
        """``rel`` (a path inside the context) as a path for :class:`Repo` and for display."""
        rel = rel.lstrip("/")
        while rel.startswith("./"):
            rel = rel[2:]
        return os.path.join(self.directory, rel) if self.directory else rel

    def exists(self, rel: str) -> bool:
        """Whether ``rel`` is a regular file inside the repository (not read)."""
        path = self.path(rel)
        if not rel.strip("./") or not self.repo.inside(path):
            return False
        try:
            return stat.S_ISREG(os.stat(self.repo.full(path)).st_mode)
        except (OSError, ValueError):
            return False

    def has(self, rel: str) -> bool:
        """Whether ``rel`` is a file or directory inside the repository."""
        path = self.path(rel)
        if not rel.strip("./") or not self.repo.inside(path):
            return False
        return os.path.exists(self.repo.full(path))

    def text(self, rel: str) -> str | None:
        """The text of ``rel``, or None when it cannot be read."""
        return self.repo.optional_text(self.path(rel))

    def lock_files(self) -> tuple[str, ...]:
        """The lock files present: the tools' own, then compiled requirements files."""
        known = self.repo.lock_files.get(self.directory)
        if known is None:
            found = [name for name in LOCK_FILES if self.exists(name)]
            found.extend(txt for _, txt in self.compiled_requirements())
            known = self.repo.lock_files[self.directory] = tuple(found)
        return known

    def compiled_requirements(self) -> tuple[tuple[str, str], ...]:
        """(``.in``, ``.txt``) pairs of pip-tools: a ``requirements*.in`` (or
        ``constraints*.in``) of the context root or its ``requirements/`` directory with
        a ``.txt`` of the same name beside it."""
        pairs: list[tuple[str, str]] = []
        for sub in ("", "requirements/"):
            for name in self._listing(sub):
                if _IN_RE.fullmatch(name) or (sub and name.endswith(".in")):
                    txt = name[:-3] + ".txt"
                    if self.exists(sub + txt):
                        pairs.append((sub + name, sub + txt))
        return tuple(pairs)

    def _listing(self, sub: str) -> list[str]:
        path = self.path(sub) if sub else (self.directory or ".")
        if not self.repo.inside(path):
            return []
        names: list[str] = []
        try:
            with os.scandir(self.repo.full(path)) as entries:
                for entry in entries:
                    names.append(entry.name)
                    if len(names) >= MAX_LISTED:
                        break
        except OSError:
            return []
        return sorted(names)

    def requirements(self, rel: str) -> RequirementsSet | None:
        """The requirements file ``rel`` and its includes, or None when it cannot be read."""
        from hooks import _requirements

        try:
            return _requirements.load(self.path(rel), self.repo)
        except ReadError:
            return None

    def pyproject(self) -> Mapping[str, object] | None:
        """``pyproject.toml`` as a table, or None when it is missing or not valid TOML."""
        if self.directory not in self.repo.pyprojects:
            text = self.text("pyproject.toml")
            self.repo.pyprojects[self.directory] = None if text is None else _parse_toml(text)
        return self.repo.pyprojects[self.directory]

    def python_version_file(self) -> tuple[str, ...]:
        """The versions ``.python-version`` names (none when it is missing)."""
        text = self.text(".python-version")
        return () if text is None else python_version_pins(text)


def _parse_toml(text: str) -> dict[str, object] | None:
    try:
        return load_toml(text)
    except (RecursionError, ValueError):  # tomllib.TOMLDecodeError is a ValueError
        return None


MAX_SOURCES = 64  # COPY sources looked up to find the build context


def build_context(repo: Repo, dockerfile_path: str, df: Dockerfile | None = None) -> Context:
    """The build context of the Dockerfile at ``dockerfile_path``.

    It is the Dockerfile's directory, unless the files the Dockerfile copies by name
    (``COPY pyproject.toml poetry.lock ./``) are not there but are in a parent directory
    (``docker/Dockerfile`` built with the repository root as context): then the nearest
    such parent, up to the repository root."""
    directory = os.path.dirname(dockerfile_path)
    sources = copied_names(df) if df is not None else ()
    if not sources or any(Context(repo, directory).has(name) for name in sources):
        return Context(repo, directory)
    probe = directory
    while probe and not os.path.isabs(probe):
        parent = os.path.dirname(probe)
        if parent == probe or probe.startswith(".."):
            break
        probe = parent
        candidate = Context(repo, probe)
        if any(candidate.has(name) for name in sources):
            return candidate
    return Context(repo, directory)


def copied_names(df: Dockerfile) -> tuple[str, ...]:
    """Relative paths that the Dockerfile's COPY/ADD instructions take from the build
    context by name (no wildcard, no variable left, not the whole context), at most
    :data:`MAX_SOURCES`."""
    from hooks._dockerfile import split_blanks

    found: list[str] = []
    for instr in df.all_instructions():
        if instr.keyword not in ("COPY", "ADD") or instr.flag("from") is not None:
            continue
        words = list(instr.json) if instr.json is not None else split_blanks(instr.args)
        for word in words[:-1]:
            value = instr.expand(word, df.escape)
            name = value.value.strip()
            while name.startswith("./"):
                name = name[2:]
            if (
                value.resolved and name and not name.startswith(("/", "<<", "..")) and "://" not in name
                and not any(c in name for c in "*?[") and name.strip("./")
            ):
                found.append(name.rstrip("/"))
            if len(found) >= MAX_SOURCES:
                return tuple(found)
    return tuple(found)


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
        context = Context(repo, directory)
        versions: dict[str, set[str]] = {}
        sources: list[str] = []
        for name in TOML_LOCKS:
            text = context.text(name) if context.exists(name) else None
            if text is None:
                continue
            try:
                data = load_toml(text)
            except ValueError:
                continue
            packages = data.get("package")
            if not isinstance(packages, list):
                continue
            sources.append(context.path(name))
            for package in packages:
                if isinstance(package, dict) and _from_an_index(package):
                    name_, version = package.get("name"), package.get("version")
                    if isinstance(name_, str) and isinstance(version, str) and name_ and version:
                        versions.setdefault(canonicalize_name(name_), set()).add(version)
        for _, txt in context.compiled_requirements():
            compiled = context.path(txt)
            if os.path.normpath(compiled) == own:
                continue
            text = context.text(txt)
            if text is None:
                continue
            sources.append(compiled)
            for entry in parse(text, compiled).requirements():
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
