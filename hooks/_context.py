"""The build context of a Dockerfile: the project files a build can see.

The context is not written in the Dockerfile. :class:`BuildContext` is the one place that
guesses it and answers what the checks ask of it:

- Named files (lock files, ``pyproject.toml``, a requirements file, a copied directory's
  ``poetry.lock``) are taken from :attr:`BuildContext.directory`: the Dockerfile's
  directory (``docker build -f dir/Dockerfile dir``, Compose's default ``context: dir``),
  or, when it holds none of the files the Dockerfile copies by name, the nearest parent
  directory that holds one (``docker/Dockerfile`` built from the repository root).
  :meth:`~BuildContext.exists` says whether a file is there, :meth:`~BuildContext.lock_files`
  which lock files are (``uv.lock``, ``poetry.lock``, ``pdm.lock``, ``Pipfile.lock``, a
  ``requirements*.txt`` compiled from the ``.in`` beside it), :meth:`~BuildContext.requirements`
  reads a requirements file, :meth:`~BuildContext.pyproject` the parsed ``pyproject.toml``.
- A ``COPY`` source glob (``*.env``) is looked up by :meth:`~BuildContext.matches` in the
  candidate contexts, the Dockerfile's directory then each parent up to the repository
  root, nearest first; the first in which it matches anything is taken, and the ignore
  file that applies there (:attr:`~BuildContext.ignores`, the Dockerfile's own
  ``<Dockerfile>.dockerignore`` first) removes what the builder never receives. None
  when no candidate holds a match: the context is not in this checkout, and a check must
  judge the pattern by what it can mean.

What a build context works out is kept for the run in the Repo, by directory (the entries
of a directory, its lock files and ``pyproject.toml``) and by Dockerfile (its ignore
files), and shared by every check and every Dockerfile that asks; a BuildContext itself
is a view made for one Dockerfile and not kept (it holds the Repo, which would make a
reference cycle). Whether a file exists is answered from the directory's entries, listed
once; a symlink, a name another letter case could match or a directory too large to list
is asked of the file system. Every read goes through :class:`~hooks._files.Repo` (inside
the repository, size limited, never a FIFO); a file that cannot be read or parsed counts
as absent; a lock file is only looked for, never read.

Patterns follow Go's ``filepath.Match``, as BuildKit's ``COPY`` does: ``*`` and ``?``
do not cross ``/`` but do match a leading ``.`` (``*.env`` matches ``.env``), ``[...]``
is a character class and ``\\`` escapes. Only directories inside the repository are
listed, never followed out of it through a symlink; nothing is written.
"""
from __future__ import annotations

import itertools
import os
import posixpath
import re
import stat
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, NamedTuple

from hooks import _dockerignore
from hooks._files import ReadError, file_kind, load_toml
from hooks._patterns import lazy

if TYPE_CHECKING:
    from hooks._dockerfile import Dockerfile
    from hooks._files import Repo
    from hooks._requirements import RequirementsSet

LOCK_FILES = ("uv.lock", "poetry.lock", "pdm.lock", "Pipfile.lock")
WILDCARDS = frozenset("*?[")
MAX_SOURCES = 64  # COPY sources looked up to choose the directory
MAX_LISTED = 2000  # entries of a context directory looked at for requirements*.in
_IN_RE = re.compile(r"(?:.*requirements.*|constraints.*)\.in", re.IGNORECASE)
_MAX_ENTRIES = 10_000  # names looked at in one directory
_MAX_DIRECTORIES = 200  # directories listed for one source
_MAX_MATCHES = 1_000

# What a directory entry is, itself (a symlink is not followed): "file", "dir", "other"
# (FIFO, socket, device) or "link" (a symlink, or an entry that could not be told).
FILE, DIR, OTHER, LINK = "file", "dir", "other", "link"


class Entries(NamedTuple):
    """The entries of one directory, listed once for the run."""

    kinds: dict[str, str]  # name -> FILE, DIR, OTHER or LINK, in the order the listing gave them
    folded: frozenset[str]  # the names casefolded: a name absent may be one of them in another case
    complete: bool  # False: outside the repository, or too many entries to list them all


def has_wildcard(path: str) -> bool:
    return not WILDCARDS.isdisjoint(path)


def segment_regex(segment: str) -> re.Pattern[str] | None:
    try:
        return re.compile(_dockerignore.translate(segment), re.DOTALL)
    except re.error:
        return None  # a malformed class: BuildKit fails the build, nothing is copied


# ---------------------------------------------------------------------------
# The files of a directory
# ---------------------------------------------------------------------------

def _clean(rel: str) -> str:
    rel = rel.lstrip("/")
    while rel.startswith("./"):
        rel = rel[2:]
    return rel


def join(directory: str, rel: str) -> str:
    """``rel`` (a path inside the directory) as a path for :class:`Repo` and for display."""
    rel = _clean(rel)
    return os.path.join(directory, rel) if directory else rel


def _full_directory(repo: Repo, directory: str) -> str:
    """The absolute path of ``directory``, as :attr:`Repo.directory_entries` keys it."""
    return repo.full(directory.rstrip("/") or directory or ".")


def entries(repo: Repo, directory: str) -> Entries:
    """The entries of ``directory`` (a Repo path, '' for the base directory), listed once
    for the run; none when it is outside the repository or cannot be listed."""
    key = _full_directory(repo, directory)
    known = repo.directory_entries.get(key)
    if known is not None:
        return known
    kinds: dict[str, str] = {}
    complete = repo.inside(key)
    if complete:
        try:
            with os.scandir(key) as scan:
                for entry in scan:
                    kinds[entry.name] = _entry_kind(entry)
                    if len(kinds) >= _MAX_ENTRIES:
                        complete = False
                        break
        except OSError:
            kinds = {}
    known = repo.directory_entries[key] = Entries(kinds, frozenset(name.casefold() for name in kinds), complete)
    return known


def files_of_kind(repo: Repo, directory: str, kind: str) -> tuple[str, ...]:
    """The names of the regular files of ``directory`` (a Repo path, '' for the base
    directory) that are of ``kind`` (:func:`hooks._files.file_kind`: ``dockerfile``,
    ``compose``...), sorted; worked out once per directory and kind for the run."""
    key = (_full_directory(repo, directory), kind)
    known = repo.files_of_kind.get(key)
    if known is None:
        known = repo.files_of_kind[key] = _files_of_kind(repo, directory, key[0], kind)
    return known


def _files_of_kind(repo: Repo, directory: str, full: str, kind: str) -> tuple[str, ...]:
    """:func:`files_of_kind`, from the directory's entries when they were listed, else from
    a listing of its own (not kept: most directories have no file of the kind)."""
    prefix = directory.rstrip("/") + "/" if directory else ""
    listed = repo.directory_entries.get(full)
    if listed is not None:
        names = [name for name, what in listed.kinds.items() if what == FILE]
    elif not repo.inside(full):
        return ()
    else:
        names = []
        try:
            with os.scandir(full) as scan:
                for entry in itertools.islice(scan, _MAX_ENTRIES):
                    if _entry_kind(entry) == FILE:
                        names.append(entry.name)
        except OSError:
            return ()
    found = tuple(sorted(name for name in names if file_kind(prefix + name) == kind))
    return found or ()


_DOCKERFILE_KEY_RE = lazy(r'"docker[fF]ile"\s*:\s*"([^"\n]+)"')


def devcontainer_images(repo: Repo) -> frozenset[str]:
    """The Dockerfiles (absolute, normalised paths) that the repository's development
    container configurations build (``dockerFile``, ``build.dockerfile``), in
    ``.devcontainer.json``, ``.devcontainer/devcontainer.json`` and
    ``.devcontainer/<name>/devcontainer.json``, relative to the file that names them;
    worked out once for the run."""
    if repo.devcontainer_images is None:
        configs = [".devcontainer.json", ".devcontainer/devcontainer.json"] + [
            f".devcontainer/{name}/devcontainer.json"
            for name, kind in entries(repo, os.path.join(repo.root, ".devcontainer")).kinds.items() if kind == DIR
        ]
        found = set()
        for config in configs:
            text = repo.optional_text(os.path.join(repo.root, config))
            for written in _DOCKERFILE_KEY_RE.findall(text or ""):
                found.add(os.path.normpath(os.path.join(repo.root, os.path.dirname(config), written)))
        repo.devcontainer_images = frozenset(found)
    return repo.devcontainer_images


def _entry_kind(entry: os.DirEntry[str]) -> str:
    try:
        if entry.is_symlink():
            return LINK
        if entry.is_dir(follow_symlinks=False):
            return DIR
        return FILE if entry.is_file(follow_symlinks=False) else OTHER
    except OSError:
        return LINK


def _lookup(repo: Repo, directory: str, rel: str) -> str | None:
    """What ``rel`` (a cleaned relative path) is in ``directory``: FILE, DIR or OTHER, ''
    when it is not there, None when that cannot be told this way (a symlink, ``..``: ask
    the file system). From the directory's entries when they were listed, else from one
    ``lstat`` of each part (inside the repository when the directory is)."""
    if "\\" in rel or os.sep != "/":
        return None
    *parents, name = rel.split("/")
    for part in parents:
        kind = _kind(repo, directory, part)
        if kind != DIR:
            return "" if kind in ("", FILE, OTHER) else None  # nothing is below a file
        directory = posixpath.join(directory, part) if directory else part
    kind = _kind(repo, directory, name)
    return None if kind == LINK else kind


def _kind(repo: Repo, directory: str, name: str) -> str | None:
    """What the entry ``name`` of ``directory`` is ('' when there is none; None: unknown)."""
    if name in ("", ".", ".."):
        return None
    full = _full_directory(repo, directory)
    listed = repo.directory_entries.get(full)
    if listed is not None:
        kind = listed.kinds.get(name)
        if kind is not None:
            return kind
        return "" if listed.complete and name.isascii() and name.casefold() not in listed.folded else None
    if not repo.inside(directory or "."):
        return None
    try:
        mode = os.lstat(os.path.join(full, name)).st_mode
    except FileNotFoundError:
        return ""
    except (OSError, ValueError):
        return None
    if stat.S_ISLNK(mode):
        return LINK
    return DIR if stat.S_ISDIR(mode) else FILE if stat.S_ISREG(mode) else OTHER


def is_file(repo: Repo, directory: str, rel: str) -> bool:
    """Whether ``rel`` is a regular file inside the repository (not read)."""
    if not rel.strip("./"):
        return False
    kind = _lookup(repo, directory, _clean(rel))
    if kind is not None:
        return kind == FILE
    path = join(directory, rel)
    if not repo.inside(path):
        return False
    try:
        return stat.S_ISREG(os.stat(repo.full(path)).st_mode)
    except (OSError, ValueError):
        return False


def _present(repo: Repo, directory: str, rel: str) -> bool:
    """Whether ``rel`` is a file or directory inside the repository."""
    if not rel.strip("./"):
        return False
    kind = _lookup(repo, directory, _clean(rel))
    if kind is not None:
        return kind != ""
    path = join(directory, rel)
    return repo.inside(path) and os.path.exists(repo.full(path))


def compiled_requirements(repo: Repo, directory: str) -> tuple[tuple[str, str], ...]:
    """(``.in``, ``.txt``) pairs of pip-tools: a ``requirements*.in`` (or
    ``constraints*.in``) of ``directory`` or its ``requirements/`` directory with a
    ``.txt`` of the same name beside it."""
    pairs: list[tuple[str, str]] = []
    for sub in ("", "requirements/"):
        listed = entries(repo, join(directory, sub) if sub else directory)
        for name in sorted(itertools.islice(listed.kinds, MAX_LISTED)):
            if _IN_RE.fullmatch(name) or (sub and name.endswith(".in")):
                txt = name[:-3] + ".txt"
                if is_file(repo, directory, sub + txt):
                    pairs.append((sub + name, sub + txt))
    return tuple(pairs)


def lock_files(repo: Repo, directory: str) -> tuple[str, ...]:
    """The lock files in ``directory``: the tools' own, then compiled requirements files
    (worked out once per directory for the run)."""
    known = repo.lock_files.get(directory)
    if known is None:
        found = [name for name in LOCK_FILES if is_file(repo, directory, name)]
        found.extend(txt for _, txt in compiled_requirements(repo, directory))
        known = repo.lock_files[directory] = tuple(found)
    return known


def copied_names(df: Dockerfile) -> tuple[str, ...]:
    """Relative paths that the Dockerfile's COPY/ADD instructions take from the build
    context by name (no wildcard, no variable left, not the whole context), at most
    :data:`MAX_SOURCES`."""
    return tuple(itertools.islice(_copied_names(df), MAX_SOURCES))


def _copied_names(df: Dockerfile) -> Iterator[str]:
    """:func:`copied_names` one by one, in the order the Dockerfile copies them."""
    from hooks._dockerfile import split_blanks

    for instr in df.all_instructions():
        if instr.keyword not in ("COPY", "ADD") or instr.flag("from") is not None:
            continue
        words = instr.json if instr.json is not None else split_blanks(instr.args)
        for word in words[:-1]:
            value = instr.expand(word, df.escape)
            name = value.value.strip()
            while name.startswith("./"):
                name = name[2:]
            if (
                value.resolved and name and not name.startswith(("/", "<<", "..")) and "://" not in name
                and not has_wildcard(name) and name.strip("./")
            ):
                yield name.rstrip("/")


def _candidates(dockerfile: str) -> Iterator[str]:
    """The directories named files may be taken from: the Dockerfile's, then each parent
    up to the base directory."""
    probe = os.path.dirname(dockerfile)
    yield probe
    while probe and not os.path.isabs(probe):
        parent = os.path.dirname(probe)
        if parent == probe or probe.startswith(".."):
            return
        probe = parent
        yield probe


def _directory(repo: Repo, dockerfile: str, df: Dockerfile | None) -> str:
    """The directory named files are taken from (see the module docstring)."""
    directory = os.path.dirname(dockerfile)
    if df is None:
        return directory
    sources: list[str] = []
    for name in itertools.islice(_copied_names(df), MAX_SOURCES):
        if _present(repo, directory, name):  # most often the first one copied
            return directory
        sources.append(name)
    if sources:
        for probe in itertools.islice(_candidates(dockerfile), 1, None):
            if any(_present(repo, probe, name) for name in sources):
                return probe
    return directory


# ---------------------------------------------------------------------------
# The build context of one Dockerfile
# ---------------------------------------------------------------------------

class BuildContext:
    """The build context of the Dockerfile at ``dockerfile`` (a Repo path), whose parsed
    model ``df`` tells which files it copies (without it, the context is the Dockerfile's
    directory). What it works out is worked out when first asked."""

    __slots__ = ("_directory", "_ignores", "df", "dockerfile", "repo")

    def __init__(self, repo: Repo, dockerfile: str, df: Dockerfile | None = None) -> None:
        self.repo = repo
        self.dockerfile = dockerfile
        self.df = df
        self._directory: str | None = None
        self._ignores: list[_dockerignore.IgnoreFile] | None = None

    def __repr__(self) -> str:
        return f"BuildContext({self.dockerfile!r})"

    @property
    def directory(self) -> str:
        """The directory named files are taken from, as a Repo path ('' for the base directory)."""
        if self._directory is None:
            self._directory = _directory(self.repo, self.dockerfile, self.df)
        return self._directory

    @property
    def ignores(self) -> list[_dockerignore.IgnoreFile]:
        """The ignore files that may apply, by precedence (:func:`hooks._dockerignore.load`)."""
        if self._ignores is None:
            self._ignores = _dockerignore.load(self.repo, self.dockerfile)
        return self._ignores

    # Named files, in :attr:`directory`.

    def path(self, rel: str) -> str:
        """``rel`` (a path inside the context) as a path for :class:`Repo` and for display."""
        return join(self.directory, rel)

    def exists(self, rel: str) -> bool:
        """Whether ``rel`` is a regular file inside the repository (not read)."""
        return is_file(self.repo, self.directory, rel)

    def text(self, rel: str) -> str | None:
        """The text of ``rel``, or None when it cannot be read."""
        if self._nowhere(rel):
            return None
        return self.repo.optional_text(self.path(rel))

    def _nowhere(self, rel: str) -> bool:
        """Whether the directory is not chosen yet and no candidate holds ``rel``: the file
        is then missing whichever directory is the context, and the directory need not be
        chosen for it (most projects have no ``.python-version``)."""
        return self._directory is None and self.df is not None and all(
            self.repo.optional_text(join(directory, rel)) is None for directory in _candidates(self.dockerfile)
        )

    def lock_files(self) -> tuple[str, ...]:
        """The lock files present: the tools' own, then compiled requirements files."""
        return lock_files(self.repo, self.directory)

    def requirements(self, rel: str) -> RequirementsSet | None:
        """The requirements file ``rel`` and its includes, or None when it cannot be read."""
        from hooks import _requirements

        try:
            return _requirements.load(self.path(rel), self.repo)
        except ReadError:
            return None

    def pyproject(self) -> Mapping[str, object] | None:
        """``pyproject.toml`` as a table, or None when it is missing or not valid TOML
        (parsed once per directory for the run)."""
        if self._nowhere("pyproject.toml"):
            return None
        return pyproject_of(self.repo, self.directory)

    # What a source glob matches, in the candidate contexts.

    def matches(self, source: str) -> list[str] | None:
        """The context paths (files or directories) that the glob ``source`` matches and
        the builder receives, in the nearest candidate context where it matches anything;
        None when it matches nothing in any of them."""
        cleaned = posixpath.normpath("/" + source.replace("\\", "/")).lstrip("/")
        if not cleaned or cleaned == ".":
            return None
        segments = cleaned.split("/")
        rel = self.dockerfile
        if os.path.isabs(rel):
            rel = os.path.relpath(rel, self.repo.root)
        rel = posixpath.normpath(rel.replace("\\", "/"))
        for ignore_path in _dockerignore.candidates(rel)[1:]:
            directory = posixpath.dirname(ignore_path)
            found = self._expand(directory, segments)
            if found:
                ignores = dict(self.ignores)
                ignore = ignores.get(rel + ".dockerignore")
                if ignore is None:
                    ignore = next((
                        text for path, text in self.ignores
                        if posixpath.dirname(path) == directory and posixpath.basename(path) in _dockerignore.NAMES
                    ), None)
                if ignore is None:
                    return found
                patterns = _dockerignore.parse(ignore)
                return [path for path in found if not _dockerignore.excluded(patterns, path)]
        return None

    def _expand(self, context: str, segments: list[str]) -> list[str]:
        """Context-relative paths under ``context`` that match ``segments``."""
        paths = [""]
        listed = 0
        for index, segment in enumerate(segments):
            last = index == len(segments) - 1
            regex = segment_regex(segment) if has_wildcard(segment) else None
            if regex is None and has_wildcard(segment):
                return []
            following: list[str] = []
            for path in paths:
                if regex is None:
                    candidate = posixpath.join(path, segment) if path else segment
                    if self._exists(context, candidate, directory=not last):
                        following.append(candidate)
                    continue
                listed += 1
                if listed > _MAX_DIRECTORIES:
                    return following
                for name, is_dir in self._listing(context, path):
                    if regex.match(name) and (last or is_dir):
                        following.append(posixpath.join(path, name) if path else name)
                        if len(following) >= _MAX_MATCHES:
                            return following
            paths = following
            if not paths:
                return []
        return paths

    def _full(self, context: str, path: str) -> str:
        joined = posixpath.join(context, path) if context else path
        return self.repo.full(joined.replace("/", os.sep))

    def _exists(self, context: str, path: str, *, directory: bool) -> bool:
        full = self._full(context, path)
        if directory:
            return os.path.isdir(full) and self.repo.inside(full)
        return os.path.lexists(full)

    def _listing(self, context: str, path: str) -> list[tuple[str, bool]]:
        """(name, is a directory) of the entries of a directory inside the repository, by name."""
        joined = posixpath.join(context, path) if context else path
        listed = entries(self.repo, joined.rstrip("/").replace("/", os.sep))
        full = self._full(context, path)
        return sorted(
            (name, kind == DIR or (kind == LINK and os.path.isdir(os.path.join(full, name))))
            for name, kind in listed.kinds.items()
        )


def pyproject_of(repo: Repo, directory: str) -> Mapping[str, object] | None:
    """The ``pyproject.toml`` of ``directory`` (a Repo path, '' for the base directory) as a
    table, or None when it is missing or not valid TOML; parsed once per directory for the
    run, whoever asks (a build context, the requirements files it lies beside)."""
    if directory not in repo.pyprojects:
        text = repo.optional_text(posixpath.join(directory, "pyproject.toml") if directory else "pyproject.toml")
        repo.pyprojects[directory] = None if text is None else _parse_toml(text)
    return repo.pyprojects[directory]


def _parse_toml(text: str) -> dict[str, object] | None:
    try:
        return load_toml(text)
    except (RecursionError, ValueError):  # tomllib.TOMLDecodeError is a ValueError
        return None
