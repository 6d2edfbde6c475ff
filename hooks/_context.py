"""The build context of a Dockerfile: which of its files a ``COPY`` source glob matches.

The context is not written in the Dockerfile. As for ignore files
(:func:`hooks._dockerignore.candidates`), the candidates are the Dockerfile's directory,
then each parent directory up to the repository root. A glob source (``*.env``,
``library-scripts/*``) is looked up in them nearest first, and the first directory in
which it matches anything is taken for the context; the ``.dockerignore`` that applies
there (the Dockerfile's own ``<Dockerfile>.dockerignore`` first) then removes what the
builder never receives. When no candidate holds a match, the answer is None: the
context is not in this checkout (or the files are untracked and absent), and a check
must judge the pattern by what it can mean.

Patterns follow Go's ``filepath.Match``, as BuildKit's ``COPY`` does: ``*`` and ``?``
do not cross ``/`` but do match a leading ``.`` (``*.env`` matches ``.env``), ``[...]``
is a character class and ``\\`` escapes. Only directories inside the repository are
listed, never followed out of it through a symlink; nothing is read or written.
"""
from __future__ import annotations

import os
import posixpath
import re
from typing import TYPE_CHECKING, cast

from hooks import _dockerignore

if TYPE_CHECKING:
    from hooks._files import Repo

WILDCARDS = frozenset("*?[")
_MAX_ENTRIES = 10_000  # names looked at in one directory
_MAX_DIRECTORIES = 200  # directories listed for one source
_MAX_MATCHES = 1_000


def has_wildcard(path: str) -> bool:
    return not WILDCARDS.isdisjoint(path)


def segment_regex(segment: str) -> re.Pattern[str] | None:
    try:
        return re.compile(_dockerignore.translate(segment), re.DOTALL)
    except re.error:
        return None  # a malformed class: BuildKit fails the build, nothing is copied


class BuildContext:
    """The candidate build contexts of one Dockerfile, listed on demand (read-only)."""

    __slots__ = ("_directories", "_ignores", "_own_ignore", "_repo")

    def __init__(self, repo: Repo, dockerfile: str, ignores: list[_dockerignore.IgnoreFile]) -> None:
        if os.path.isabs(dockerfile):
            dockerfile = os.path.relpath(dockerfile, repo.root)
        rel = posixpath.normpath(dockerfile.replace("\\", "/"))
        self._repo = repo
        self._directories = [
            posixpath.dirname(path) for path in _dockerignore.candidates(rel)[1:]
        ]
        self._ignores = dict(ignores)
        own = rel + ".dockerignore"
        self._own_ignore = self._ignores.get(own)

    def matches(self, source: str) -> list[str] | None:
        """The context paths (files or directories) that the glob ``source`` matches and
        the builder receives, in the nearest candidate context where it matches anything;
        None when it matches nothing in any of them."""
        cleaned = posixpath.normpath("/" + source.replace("\\", "/")).lstrip("/")
        if not cleaned or cleaned == ".":
            return None
        segments = cleaned.split("/")
        for directory in self._directories:
            found = self._expand(directory, segments)
            if found:
                ignore = self._own_ignore
                if ignore is None:
                    ignore = self._ignores.get(posixpath.join(directory, ".dockerignore"))
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
        return self._repo.full(joined.replace("/", os.sep))

    def _exists(self, context: str, path: str, *, directory: bool) -> bool:
        full = self._full(context, path)
        if directory:
            return os.path.isdir(full) and self._repo.inside(full)
        return os.path.lexists(full)

    def _listing(self, context: str, path: str) -> list[tuple[str, bool]]:
        """(name, is a directory) of the entries of a directory inside the repository;
        remembered for the run, as several sources list the same directory."""
        full = self._full(context, path)
        key = ("context.listing", full)
        known = self._repo.memo.get(key)
        if known is not None:
            return cast("list[tuple[str, bool]]", known)
        entries: list[tuple[str, bool]] = []
        if self._repo.inside(full):
            try:
                with os.scandir(full) as scan:
                    for entry in scan:
                        try:
                            is_dir = entry.is_dir()
                        except OSError:
                            is_dir = False
                        entries.append((entry.name, is_dir))
                        if len(entries) >= _MAX_ENTRIES:
                            break
            except OSError:
                entries = []
        entries.sort()
        self._repo.memo[key] = entries
        return entries
