""".dockerignore files: where BuildKit looks for them, and what they exclude.

Patterns follow ``moby/patternmatcher`` as BuildKit reads them: a line starting with
``#`` is a comment, blank lines are skipped, ``!`` re-includes, each pattern is cleaned
like Go's ``filepath.Clean`` (so a trailing ``/`` and a leading ``/`` or ``./`` do not
matter), ``*`` and ``?`` do not cross ``/``, ``**`` matches any number of directories,
``[...]`` is a character class and ``\\`` escapes. There is no implicit ``**/``: the
pattern ``__pycache__`` only matches at the top of the context. A path is excluded when
the last pattern that matches it *or one of its parent directories* is not a negation.

Where: BuildKit uses ``<Dockerfile>.dockerignore`` next to the Dockerfile when it
exists, else ``.dockerignore`` at the root of the build context. The context is not
written in the Dockerfile; :func:`candidates` lists the Dockerfile's own ignore file,
then ``.dockerignore`` in the Dockerfile's directory and in every parent directory up
to the repository root (the usual contexts of ``docker build -f docker/Dockerfile .``).
Podman and Buildah read ``.containerignore`` first and ``.dockerignore`` when there is
none; BuildKit reads only ``.dockerignore``. So in each directory the ``.dockerignore``
counts, or the ``.containerignore`` where there is no ``.dockerignore`` (a project that
has only that one builds with Podman).
"""
from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hooks._files import Repo

# (path shown in messages, content)
IgnoreFile = tuple[str, str]
# The ignore file of a build context's root, in the order they are looked for (see above).
NAMES = (".dockerignore", ".containerignore")
# (compiled pattern, is a negation)
Patterns = list[tuple["re.Pattern[str]", bool]]
_REGEX_ONLY = frozenset(".+()|{}$")  # escaped: special in a regular expression, not in a pattern


def _clean(pattern: str) -> str:
    cleaned = posixpath.normpath(pattern)
    if cleaned.startswith("//"):
        cleaned = cleaned[1:]
    return cleaned[1:] if len(cleaned) > 1 and cleaned.startswith("/") else cleaned


def translate(pattern: str) -> str:
    """A cleaned pattern as a regular expression (patternmatcher's ``compile``)."""
    out = ["^"]
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "*":
            if i + 1 < n and pattern[i + 1] == "*":
                i += 2
                if i < n and pattern[i] == "/":
                    i += 1
                out.append(".*" if i >= n else "(?:.*/)?")
                continue
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "\\":
            if i + 1 < n:
                i += 1
                out.append("\\" + pattern[i])
            else:
                out.append("\\\\")
        elif ch in _REGEX_ONLY:
            out.append("\\" + ch)
        else:
            out.append(ch)  # '[', ']', '-', '^' keep their regular-expression meaning, as in Go
        i += 1
    out.append("$")
    return "".join(out)


def parse(text: str) -> Patterns:
    """The patterns of a .dockerignore, in order; a pattern that cannot compile is skipped."""
    patterns: Patterns = []
    for raw in text.removeprefix("\ufeff").split("\n"):
        if raw.startswith("#"):
            continue
        line = raw.strip()
        if not line:
            continue
        pattern = _pattern(line)
        if pattern is not None:
            patterns.append(pattern)
    return patterns


def _pattern(line: str) -> tuple[re.Pattern[str], bool] | None:
    """The compiled pattern of a stripped, non-empty line (remembered: ignore files repeat
    the same lines, .git and __pycache__); None when there is none."""
    negate = line.startswith("!")
    if negate:
        line = line[1:].strip()
        if not line:
            return None
    try:
        return re.compile(translate(_clean(line)), re.DOTALL), negate
    except re.error:
        return None


def excluded(patterns: Patterns, path: str) -> bool:
    """Whether ``path`` (relative to the context, ``/``-separated) is not sent to the builder."""
    matched = False
    for regex, negate in patterns:
        if negate != matched:
            continue  # only a negation can change an exclusion, and vice versa
        if _hits(regex, path):
            matched = not negate
    return matched


def _hits(regex: re.Pattern[str], path: str) -> bool:
    """Whether ``regex`` matches ``path`` or one of its parent directories (remembered:
    the checks ask the same probe paths of the same patterns, file after file)."""
    if regex.match(path):
        return True
    parents = path.split("/")[:-1]
    return any(regex.match("/".join(parents[:i + 1])) for i in range(len(parents)))


def literal_negations(text: str) -> list[str]:
    """Directories re-included without wildcards (``!src``): where nested files come back.

    A name with an extension (``!requirements.txt``) is taken for a file.
    """
    out = []
    for raw in text.split("\n"):
        line = raw.strip()
        if line.startswith("!"):
            path = _clean(line[1:].strip())
            base = posixpath.basename(path)
            if path != "." and "." not in base.lstrip(".") and not any(c in path for c in "*?[\\"):
                out.append(path)
    return out


def candidates(dockerfile: str) -> list[str]:
    """Ignore files that may apply to ``dockerfile`` (repository-relative), by precedence."""
    rel = posixpath.normpath(dockerfile.replace("\\", "/"))
    out = [rel + ".dockerignore"]
    directory = posixpath.dirname(rel)
    while True:
        out.append(posixpath.join(directory, ".dockerignore") if directory else ".dockerignore")
        parent = posixpath.dirname(directory)
        if not directory or directory in (parent, "..") or directory.startswith("../"):
            return out
        directory = parent


def load(repo: Repo, dockerfile: str) -> list[IgnoreFile]:
    """The candidate ignore files of ``dockerfile`` that exist and can be read."""
    known = repo.ignore_files_of_dockerfile.get(dockerfile)  # two checks ask for every Dockerfile
    if known is not None:
        return list(known)
    key = dockerfile
    if os.path.isabs(dockerfile):
        dockerfile = os.path.relpath(dockerfile, repo.root)
    # candidates(dockerfile): its own ignore file, then those of its directory and up,
    # which every Dockerfile below a directory shares (remembered per directory).
    rel = posixpath.normpath(dockerfile.replace("\\", "/"))
    own = rel + ".dockerignore"
    text = repo.optional_text(own)
    found: list[IgnoreFile] = [(own, text)] if text is not None else []
    found += _from_directory(repo, posixpath.dirname(rel))
    repo.ignore_files_of_dockerfile[key] = found
    return list(found)


def _from_directory(repo: Repo, directory: str) -> list[IgnoreFile]:
    """The ignore files of ``directory`` and its parents that exist (in each, the
    ``.dockerignore`` or else the ``.containerignore``), nearest first, as
    :func:`candidates` lists the directories; remembered per directory for the run."""
    known = repo.ignore_files_of_directory.get(directory)
    if known is not None:
        return known
    found: list[IgnoreFile] = []
    for name in NAMES:
        path = posixpath.join(directory, name) if directory else name
        text = repo.optional_text(path)
        if text is not None:
            found.append((path, text))
            break
    parent = posixpath.dirname(directory)
    if directory and directory not in (parent, "..") and not directory.startswith("../"):
        found += _from_directory(repo, parent)
    repo.ignore_files_of_directory[directory] = found
    return found


def specific(files: Sequence[IgnoreFile]) -> list[IgnoreFile]:
    """The files BuildKit could use: a Dockerfile's own ignore file wins over the rest."""
    own = [f for f in files if posixpath.basename(f[0]) not in NAMES]
    return own[:1] if own else list(files)
