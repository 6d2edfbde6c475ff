"""The requirements model: pip's requirements-file format, read once per hook run.

Reading follows pip's own ``req_file.py`` step by step, so that line numbers and the
meaning of every line are pip's:

* physical lines come from ``str.splitlines()`` (so ``\\f``, ``\\x85``, ``\\u2028`` ... end
  a line, as they do for pip);
* a line ending in ``\\`` is joined with the next one, unless it is a whole-line comment.
  ``pkg  # note \\`` therefore swallows the next line into the comment, and ``\\`` followed
  by spaces is no continuation;
* a ``#`` at the start or after whitespace starts a comment; blank lines are dropped;
* ``${VAR}`` is **not** expanded (pip expands it from the installing environment, which a
  hook must never read): it stays literal and is recorded in ``env_vars``;
* the line is split at the first space-separated word starting with ``-`` into the
  requirement and its options; options are split like ``shlex.split`` and parsed like
  pip's ``optparse`` table (``--opt=value``, ``-rfile``, unambiguous abbreviations of
  long options, ``--hash x`` and ``--hash=x``).

A requirement is then classified as pip's ``install_req_from_line`` would, but without
looking at the file system (pip resolves local paths against the directory it runs in,
which a hook cannot know): a name with specifiers, a VCS URL, an archive URL, or a local
path. Simple ``name[extras]<specifiers>`` strings and simple markers are parsed by a
fast path whose grammar is a strict subset of PEP 508; everything else goes to
``packaging`` (imported only then: it costs ~25 ms). Invalid lines become entries of
kind ``invalid`` with a message; nothing here raises but :class:`ReadError` for an
unreadable root file.

Includes (``-r``/``-c`` and their long forms) are resolved by :func:`load`, relative to
the including file and only through :class:`~hooks._files.Repo`: absolute paths, URLs
(``file:`` and VCS too), ``${VAR}`` paths and anything that resolves outside the
repository are refused, never read. Every file is parsed once per load; cycles are
found per strongly connected component (a diamond is not a cycle) and reported once.
Problems with includes are kept in :attr:`RequirementsSet.include_problems` for the
check that reports them.

The API: :func:`load` gives a :class:`RequirementsSet` (``root``, ``files`` by display
path, ``reported()``, ``problems()``, ``suppressions()``, ``roles``, ``edges``,
``include_problems``, ``constraint_pins()`` / ``pinned_by_constraint()``); each
:class:`RequirementsFile` has ``lines`` and ``entries`` (:class:`Entry`: kind, lines,
column, text, :class:`Option` s with value positions, :class:`Requirement`,
:class:`Include`, problems). :func:`parse` and :func:`parse_requirement` work on text.
"""
from __future__ import annotations

import os
import posixpath
from bisect import bisect_right
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from hooks._files import ReadError, Repo, is_requirements
from hooks._patterns import lazy
from hooks._secrets import mask_secrets

if TYPE_CHECKING:
    from hooks._suppress import Suppression

MAX_INCLUDE_DEPTH = 100  # pip has no limit; nothing real comes close
MAX_FILES = 1000  # files per load, the root included

# Entry kinds (REQUIREMENT and CONSTRAINT are also the roles of a file in the tree).
REQUIREMENT = "requirement"
CONSTRAINT = "constraint"
OPTION = "option"
INCLUDE = "include"
INVALID = "invalid"

# Requirement kinds: where the distribution comes from.
INDEX = "index"  # a name (and specifiers), resolved from an index
VCS = "vcs"  # git+https://..., name @ git+...
URL = "url"  # an archive URL (https://.../pkg-1.0.tar.gz, ...whl)
PATH = "path"  # a local directory or archive, or a file: URL

# Include problem kinds.
MISSING = "missing"
UNREADABLE_INCLUDE = "unreadable"
URL_INCLUDE = "url"
ABSOLUTE = "absolute"
OUTSIDE = "outside"
ENV_VAR = "env-var"
CYCLE = "cycle"
TOO_DEEP = "too-deep"
TOO_MANY = "too-many"

ENV_VAR_RE = lazy(r"\$\{([A-Z0-9_]+)\}")  # pip's: only ${UPPER_CASE}
STRONG_HASHES = ("sha256", "sha384", "sha512")
VCS_SCHEMES = frozenset({
    "bzr+http", "bzr+https", "bzr+ssh", "bzr+sftp", "bzr+ftp", "bzr+lp", "bzr+file",
    "git+http", "git+https", "git+ssh", "git+git", "git+file",
    "hg+file", "hg+http", "hg+https", "hg+ssh", "hg+static-http",
    "svn+ssh", "svn+http", "svn+https", "svn+svn", "svn+file",
})
URL_SCHEMES = VCS_SCHEMES | {"http", "https", "file", "ftp"}
ARCHIVE_EXTENSIONS = (
    ".zip", ".whl", ".tar.bz2", ".tbz", ".tar.gz", ".tgz", ".tar", ".tar.xz", ".txz",
    ".tlz", ".tar.lz", ".tar.lzma",
)

# pip's option table for requirements files: long name -> takes a value.
_OPTIONS = {
    "--index-url": True, "--pypi-url": True, "--extra-index-url": True, "--no-index": False,
    "--constraint": True, "--requirement": True, "--editable": True, "--find-links": True,
    "--no-binary": True, "--only-binary": True, "--prefer-binary": False,
    "--require-hashes": False, "--no-require-hashes": False, "--pre": False,
    "--all-releases": True, "--only-final": True, "--trusted-host": True,
    "--use-feature": True, "--hash": True, "--config-settings": True,
}
_SHORT = {
    "-i": "--index-url", "-c": "--constraint", "-r": "--requirement", "-e": "--editable",
    "-f": "--find-links", "-C": "--config-settings",
}
_ALIASES = {"--pypi-url": "--index-url"}
# Removed from pip, still found in old files: parsed (so the rest of the line is
# understood) and reported, because current pip rejects the whole file.
_LEGACY = {"--global-option": True, "--install-option": True, "--always-unzip": False}
_LEGACY_SHORT = {"-Z": "--always-unzip"}
_LEGACY_HINT = {
    "--global-option": "pass build settings with --config-settings",
    "--install-option": "pass build settings with --config-settings",
    "--always-unzip": "it has had no effect for years",
}

# The fast path: a strict subset of PEP 508 that packaging parses identically (tested).
_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
_RELEASE = r"[0-9]+(?:\.[0-9]+)*"
_SUFFIX = r"(?:(?:a|b|rc)[0-9]+)?(?:\.post[0-9]+)?(?:\.dev[0-9]+)?"
_FAST_HEAD = lazy(rf"[ \t]*({_NAME})[ \t]*(?:\[[ \t]*({_NAME}(?:[ \t]*,[ \t]*{_NAME})*)?[ \t]*\][ \t]*)?")
_FAST_SPEC = lazy(
    rf"(?:(==|!=)[ \t]*({_RELEASE}\.\*|{_RELEASE}{_SUFFIX}(?:\+[a-z0-9]+(?:\.[a-z0-9]+)*)?)"
    rf"|(~=)[ \t]*([0-9]+(?:\.[0-9]+)+{_SUFFIX})"
    rf"|(<=|>=|<|>)[ \t]*({_RELEASE}{_SUFFIX}))[ \t]*"
)
_FAST_COMMA = lazy(r",[ \t]*")
_MARKER_VAR = (
    r"(?:python_version|python_full_version|os_name|sys_platform|platform_release"
    r"|platform_system|platform_version|platform_machine|platform_python_implementation"
    r"|implementation_name|implementation_version|extra)"
)
_MARKER_STR = r"""(?:"[ !#-&(-\[\]-~]*"|'[ !#-&(-\[\]-~]*')"""
_MARKER_OP = r"(?:[ \t]*(?:===|==|!=|<=|>=|~=|<|>)[ \t]*|[ \t]+(?:not[ \t]+)?in[ \t]+)"
_FAST_MARKER_ATOM = lazy(
    rf"{_MARKER_VAR}{_MARKER_OP}{_MARKER_STR}|{_MARKER_STR}{_MARKER_OP}{_MARKER_VAR}"
)
_FAST_MARKER_JOIN = lazy(r"[ \t]+(?:and|or)[ \t]+")
_SEPARATORS = lazy(r"[-_.]+")
_WORDS = lazy(r"[^ \t\r\n]+")  # shlex's whitespace
_SPEC_OP = lazy(r"===|==|!=|<=|>=|~=|<|>")
_PROJECT_NAME = lazy(rf"(?i){_NAME}")
_LEADING_NAME = lazy(rf"[ \t]*({_NAME})")
_DIRECT_REFERENCE_HEAD = lazy(r"[ \t]*[A-Za-z0-9][A-Za-z0-9._-]*[ \t]*(?:\[[^\]]*\])?[ \t]*@")
_EGG = lazy(r"[#&]egg=([^&]*)")
_EXTRAS_SUFFIX = lazy(r"^(.+)(\[[^\]]+\])$")
_URL_SCHEME = lazy(r"[\x00-\x20]*([A-Za-z][A-Za-z0-9+.-]*):")
_ANY_URL = lazy(r"(?i)^(?:(?:http|https|file):|[a-z][a-z0-9+.-]+://)")


class Problem(NamedTuple):
    """A line pip rejects (or misreads: a removed option, words it ignores), at an exact position."""

    line: int
    col: int
    message: str


class Option(NamedTuple):
    """One option as pip parsed it, e.g. ``--index-url https://...``."""

    name: str  # the canonical long spelling: "--index-url" for -i / --index / --pypi-url
    written: str  # as written: "-i", "--index", "--index-url"
    value: str | None  # None for a flag such as --pre
    line: int
    col: int
    value_line: int  # the position of the value (the option's own for a flag)
    value_col: int


class Requirement(NamedTuple):
    """What a requirement line asks pip to install."""

    text: str  # as written: the requirement part of the line, or the -e value
    name: str | None  # canonical (PEP 503); None when unnamed (a path, a URL without #egg=)
    raw_name: str | None  # as written
    extras: tuple[str, ...]
    specs: tuple[tuple[str, str], ...]  # (operator, version); order not significant
    marker: str | None  # as written
    url: str | None  # the URL or local path, without extras and marker
    kind: str  # INDEX, VCS, URL or PATH
    editable: bool
    vcs: str | None  # "git", "hg", "svn", "bzr"
    revision: str | None  # the VCS ref after "@" in the URL path; None when there is none
    hashes: tuple[str, ...]  # "sha256:..." in written order
    env_vars: tuple[str, ...]  # names of ${VAR}s in the text, never expanded
    unresolved: bool  # only parseable after pip expands ${VAR}s: fields are partial

    @property
    def pin(self) -> str | None:
        """The exact version asked for by ``==X`` (no ``*``) or ``===X``, else None."""
        for operator, version in self.specs:
            if operator == "===" or (operator == "==" and not version.endswith(".*")):
                return version
        return None

    @property
    def shown(self) -> str:
        """The requirement as written, credentials masked, for messages."""
        return mask_secrets(("-e " if self.editable else "") + self.text)


class Include(NamedTuple):
    """A ``-r``/``-c`` line: the first such option on an option line (as in pip)."""

    constraint: bool  # -c / --constraint
    written: str  # "-r", "--requirement", ...
    target: str  # as written
    line: int  # the position of the target
    col: int


class Entry(NamedTuple):
    """One logical line: a requirement, an include, other options, or an invalid line."""

    kind: str  # REQUIREMENT, INCLUDE, OPTION or INVALID
    path: str
    start_line: int  # first physical line (pip's line number)
    end_line: int  # last physical line (continuations, swallowed comment lines)
    col: int  # where the line's text starts
    text: str  # the logical line without comments, as pip sees it (no ${VAR} expansion)
    options: tuple[Option, ...]
    requirement: Requirement | None
    include: Include | None
    problems: tuple[Problem, ...]  # always set for INVALID; else removed options, ignored words
    ignored: tuple[str, ...]  # what pip silently ignores on this line


class IncludeProblem(NamedTuple):
    """An include that was not followed, or that closes a cycle."""

    path: str  # the including file
    line: int
    col: int
    kind: str  # MISSING, UNREADABLE_INCLUDE, URL_INCLUDE, ABSOLUTE, OUTSIDE, ENV_VAR, CYCLE, ...
    target: str  # as written
    message: str


class Edge(NamedTuple):
    """A followed include: ``entry`` in ``source`` includes the file ``target``."""

    source: str
    entry: Entry
    target: str


class RequirementsFile:
    """One parsed requirements file."""

    __slots__ = ("_counted", "_requirements", "entries", "lines", "path", "text")

    def __init__(self, path: str, text: str, lines: list[str], entries: list[Entry]) -> None:
        self.path = path
        self.text = text
        self.lines = lines
        self.entries = entries
        self._requirements: tuple[Entry, ...] | None = None  # of entries[:_counted]
        self._counted = 0

    @property
    def empty(self) -> bool:
        return not self.text or self.text.isspace()

    def requirements(self) -> Iterator[Entry]:
        if self._requirements is None or len(self.entries) != self._counted:
            self._requirements = tuple(e for e in self.entries if e.kind == REQUIREMENT)
            self._counted = len(self.entries)
        return iter(self._requirements)

    def options(self, name: str | None = None) -> Iterator[Option]:
        """Every option on every line (requirement lines too), or those named ``name``."""
        for entry in self.entries:
            for option in entry.options:
                if name is None or option.name == name:
                    yield option

    def spans(self) -> list[tuple[int, int]]:
        return [(e.start_line, e.end_line) for e in self.entries]

    def __repr__(self) -> str:
        return f"RequirementsFile({self.path!r}, {len(self.entries)} entries)"


def _exact_pins(files: Iterable[RequirementsFile]) -> dict[str, list[Entry]]:
    """Canonical name -> the entries of ``files`` that pin it with ``==`` (no ``${VAR}``)."""
    pins: dict[str, list[Entry]] = {}
    for reqfile in files:
        for entry in reqfile.requirements():
            req = entry.requirement
            if req and req.name and req.pin is not None and not _has_env_var(req):
                pins.setdefault(req.name, []).append(entry)
    return pins


def _pin_for(req: Requirement, pins: Mapping[str, list[Entry]]) -> Entry | None:
    """The entry of ``pins`` that pins ``req``: same name, and no marker or the same marker."""
    for entry in pins.get(req.name or "", ()):
        marker = entry.requirement.marker if entry.requirement else None
        if marker is None or _same_marker(marker, req.marker):
            return entry
    return None


def root_role(path: str) -> str:
    """How pip reads a file checked on its own: ``constraints*.txt`` (and
    ``*constraints.txt``: edx-lint's ``common_constraints.txt``) as constraints (-c),
    anything else as requirements (-r)."""
    base = path.replace("\\", "/").rsplit("/", 1)[-1].lower()
    constraints = base.endswith(".txt") and (base.startswith("constraints") or base.endswith("constraints.txt"))
    return CONSTRAINT if constraints else REQUIREMENT


class RequirementsSet:
    """A root requirements file and every file it includes, each parsed once."""

    __slots__ = ("_pins", "_requirement_pins", "edges", "files", "include_problems", "roles", "root")

    def __init__(self, root: RequirementsFile) -> None:
        self._pins: dict[str, list[Entry]] | None = None
        self._requirement_pins: dict[str, list[Entry]] | None = None
        self.root = root
        self.files: dict[str, RequirementsFile] = {root.path: root}
        self.edges: list[Edge] = []
        self.include_problems: list[IncludeProblem] = []
        # How pip reads each file: as requirements (the root, -r) and/or constraints (-c).
        # A root named ``constraints*.txt`` is a constraints file: pip gets it with -c.
        self.roles: dict[str, set[str]] = {root.path: {root_role(root.path)}}

    def reported(self) -> list[RequirementsFile]:
        """Files whose findings this run reports: the root, plus included files that the
        hooks' file pattern never passes on their own (e.g. ``-r common.in``). Files that
        match it are reported when pre-commit passes them, so each finding is reported once
        however pre-commit batches the files."""
        if len(self.files) == 1:
            return [self.root]  # most sets: no include
        return [self.root] + [
            f for path, f in self.files.items() if f is not self.root and not is_requirements(path)
        ]

    def problems(self) -> list[tuple[str, Problem]]:
        """(path, problem) of each line pip rejects or misreads, in the reported files."""
        return [
            (reqfile.path, problem)
            for reqfile in self.reported() for entry in reqfile.entries for problem in entry.problems
        ]

    def suppressions(self) -> list[Suppression]:
        from hooks._suppress import requirements_suppressions

        found: list[Suppression] = []
        for reqfile in self.reported():
            if "noqa" in reqfile.text.lower():  # else no line has one
                found.extend(requirements_suppressions(reqfile.path, reqfile.lines, reqfile.spans()))
        return found

    def constraint_files(self) -> list[RequirementsFile]:
        """Files included with ``-c`` somewhere in the tree."""
        return [f for path, f in self.files.items() if CONSTRAINT in self.roles.get(path, ())]

    def constraint_pins(self) -> dict[str, list[Entry]]:
        """Canonical name -> the constraint entries (``-c`` files) that pin it exactly.

        Computed once, on the first call (after :func:`load` has built the set)."""
        if self._pins is None:
            self._pins = _exact_pins(self.constraint_files())
        return self._pins

    def pinned_by_constraint(self, req: Requirement) -> Entry | None:
        """The constraint that pins ``req``: same name, and no marker or the same marker."""
        return _pin_for(req, self.constraint_pins())

    def pinned_by_requirement(self, req: Requirement) -> Entry | None:
        """Another requirement of the set (this file or one it includes with ``-r``) that
        pins ``req``'s name with ``==``, with no marker or the same marker: pip merges the
        requirements of one name (``bleach[css]`` and ``bleach==6.1.0``), so the pin holds.
        Looked up only for an unpinned requirement (the index is built on the first call)."""
        if self._requirement_pins is None:
            self._requirement_pins = _exact_pins(
                [f for path, f in self.files.items() if REQUIREMENT in self.roles.get(path, ())]
            )
        return _pin_for(req, self._requirement_pins)

    def pinned_names(self) -> frozenset[str]:
        """The canonical names that some file of the set pins with ``==`` (a requirement or a
        constraint, whatever its marker): a package named beside ``-r`` of this set on one
        command line is pinned by it, as pip's resolver merges the two."""
        return frozenset(_exact_pins(self.files.values()))

    def includes_of(self, path: str) -> list[Edge]:
        return [edge for edge in self.edges if edge.source == path]

    def reachable(self, path: str) -> list[str]:
        """``path`` and every file it includes, directly or not (breadth first)."""
        adjacency: dict[str, list[str]] = {}
        for edge in self.edges:
            adjacency.setdefault(edge.source, []).append(edge.target)
        seen = [path]
        known = {path}
        queue = deque([path])
        while queue:
            for target in adjacency.get(queue.popleft(), ()):
                if target not in known:
                    known.add(target)
                    seen.append(target)
                    queue.append(target)
        return seen

    def __repr__(self) -> str:
        return f"RequirementsSet({self.root.path!r}, files={list(self.files)})"


# --------------------------------------------------------------------------------------
# Loading: the root and its includes
# --------------------------------------------------------------------------------------
def load(path: str, repo: Repo) -> RequirementsSet:
    """Read and parse ``path`` and everything it includes (inside ``repo`` only).

    Raises :class:`ReadError` only when ``path`` itself cannot be read or decoded.
    """
    real = _real(repo, path)
    root = _parse_file(repo, path, real, path)
    model = RequirementsSet(root)
    by_real = {real: root}
    queue = deque([(root, 0)])
    while queue:
        parent, depth = queue.popleft()
        for entry in parent.entries:
            if entry.include is None:
                continue
            child = _follow(model, repo, parent, entry.include, depth, by_real)
            if isinstance(child, tuple):
                kind, message = child
                model.include_problems.append(IncludeProblem(
                    parent.path, entry.include.line, entry.include.col, kind,
                    entry.include.target, message,
                ))
                continue
            if child.path not in model.roles:
                queue.append((child, depth + 1))
            model.edges.append(Edge(parent.path, entry, child.path))
            model.roles.setdefault(child.path, set()).add(
                CONSTRAINT if entry.include.constraint else REQUIREMENT
            )
    _find_cycles(model)
    return model


def _follow(
    model: RequirementsSet,
    repo: Repo,
    parent: RequirementsFile,
    include: Include,
    depth: int,
    by_real: dict[str, RequirementsFile],
) -> RequirementsFile | tuple[str, str]:
    """The included file (parsed once per load), or (problem kind, message)."""
    target = include.target
    shown = mask_secrets(target)
    if _ANY_URL.match(target):
        return URL_INCLUDE, (f"include '{shown}' is a URL, which this hook never fetches; "
                             f"vendor the file into the repository and include it by path")
    names = ENV_VAR_RE.findall(target)
    if names:
        return ENV_VAR, (f"include '{shown}' uses the environment variable {names[0]}, "
                         f"which this hook cannot see; write the path literally")
    if "\x00" in target or not target:
        return UNREADABLE_INCLUDE, f"include '{target!r}' is not a file name"
    if posixpath.isabs(target) or os.path.isabs(target):
        return ABSOLUTE, (f"include '{target}' is an absolute path; "
                          f"use a path relative to '{parent.path}'")
    raw = posixpath.join(posixpath.dirname(parent.path), target)
    if not repo.inside(raw):
        how = "a symlink to a file" if os.path.islink(repo.full(raw)) else "a file"
        return OUTSIDE, (f"include '{target}' is {how} outside the repository; not read. "
                         f"Keep included files inside the repository")
    real = _real(repo, raw)
    child = by_real.get(real)
    if child is not None:
        return child
    if depth + 1 > MAX_INCLUDE_DEPTH:
        return TOO_DEEP, (f"includes are nested more than {MAX_INCLUDE_DEPTH} deep; "
                          f"'{target}' was not read. Flatten the includes")
    if len(model.files) >= MAX_FILES:
        return TOO_MANY, f"more than {MAX_FILES} files are included; '{target}' was not read"
    display = posixpath.normpath(raw)
    if display in model.files:  # another file shows the same way (symlinked directories)
        display = repo.relpath(raw)
    try:
        child = _parse_file(repo, raw, real, display)
    except ReadError as exc:
        if str(exc) == "no such file":
            return MISSING, (f"included file '{target}' does not exist; "
                             f"fix the path (it is relative to '{parent.path}')")
        return UNREADABLE_INCLUDE, f"included file '{target}' cannot be read: {exc}"
    model.files[display] = child
    by_real[real] = child
    return child


def _real(repo: Repo, path: str) -> str:
    return repo.realpath(path)


def _parse_file(repo: Repo, path: str, real: str, display: str) -> RequirementsFile:
    """The file at ``path`` (whose real path is ``real``) read and parsed once per run,
    however many roots include it; raises :class:`ReadError` when it cannot be read."""
    parsed = repo.requirements_files
    key = (real, display)
    found = parsed.get(key)
    if found is None:
        found = parsed[key] = parse(repo.read_requirements(path), display)
    return found


def _find_cycles(model: RequirementsSet) -> None:
    """One CYCLE problem per strongly connected component of the include graph.

    It sits at the component's smallest include (by path, line, column), which does not
    depend on the file the load started from: so a cycle is reported exactly once.
    """
    if not model.edges:
        return  # no include, no cycle
    adjacency: dict[str, list[Edge]] = {}
    for edge in model.edges:
        adjacency.setdefault(edge.source, []).append(edge)
    for component in _components(list(model.files), adjacency):
        inner = [
            edge for node in component for edge in adjacency.get(node, ())
            if edge.target in component
        ]
        if not inner:
            continue  # a single file that does not include itself
        first = min(inner, key=lambda e: (e.source, e.entry.include.line if e.entry.include else 0,
                                          e.entry.include.col if e.entry.include else 0))
        route = _route(first.target, first.source, adjacency, component)
        chain = " -> ".join([first.source, *route])
        include = first.entry.include
        assert include is not None
        model.include_problems.append(IncludeProblem(
            first.source, include.line, include.col, CYCLE, include.target,
            f"include cycle {chain}; pip stops with 'recursively references itself'. "
            f"Remove one of these includes",
        ))


def _components(nodes: list[str], adjacency: dict[str, list[Edge]]) -> list[set[str]]:
    """Tarjan's strongly connected components, iteratively (no recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    counter = 0
    for start in nodes:
        if start in index:
            continue
        work: list[tuple[str, int]] = [(start, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            edges = adjacency.get(node, [])
            descended = False
            while position < len(edges):
                target = edges[position].target
                position += 1
                if target not in index:
                    work.append((node, position))
                    work.append((target, 0))
                    descended = True
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            if descended:
                continue
            if low[node] == index[node]:
                component: set[str] = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                found.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return found


def _route(start: str, goal: str, adjacency: dict[str, list[Edge]], within: set[str]) -> list[str]:
    """The shortest include path ``start`` ... ``goal`` inside one component."""
    previous: dict[str, str] = {start: start}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            break
        for edge in adjacency.get(node, ()):
            if edge.target in within and edge.target not in previous:
                previous[edge.target] = node
                queue.append(edge.target)
    route = [goal]
    while route[-1] != start:
        route.append(previous[route[-1]])
    return route[::-1]


# --------------------------------------------------------------------------------------
# Parsing one file
# --------------------------------------------------------------------------------------
def parse(text: str, path: str = "requirements.txt") -> RequirementsFile:
    """Parse decoded requirements ``text``; never raises (bad lines become INVALID)."""
    text = text.removeprefix("\ufeff")
    lines = text.splitlines()
    entries: list[Entry] = []
    if "\\" not in text or not any(line.endswith("\\") for line in lines):
        # No continuation: every physical line is a logical line (a comment line too,
        # which _strip_comment empties), as _logical_lines would give them.
        for number, line in enumerate(lines, start=1):
            content = _strip_comment(line) if "#" in line else line
            stripped = content.strip()
            if not stripped:
                continue
            lead = len(content) - len(content.lstrip())
            if " -" not in stripped and stripped[0] != "-":
                entries.append(_requirement_line(stripped, path, number, lead + 1))
            else:
                entries.append(_parse_line(stripped, path, number, number, _Where([(number, 0, line)], lead)))
        return RequirementsFile(path, text, lines, entries)
    for start, end, pieces in _logical_lines(lines):
        joined = pieces[0][2] if len(pieces) == 1 else "".join(p[2] for p in pieces)
        content = _strip_comment(joined)
        stripped = content.strip()
        if not stripped:
            continue
        lead = len(content) - len(content.lstrip())
        if len(pieces) == 1 and pieces[0][1] == 0 and " -" not in stripped and stripped[0] != "-":
            # The common line: one physical line, a requirement and no options.
            entries.append(_requirement_line(stripped, path, start, lead + 1))
            continue
        where = _Where(pieces, lead)
        entries.append(_parse_line(stripped, path, start, end, where))
    return RequirementsFile(path, text, lines, entries)


def _requirement_line(text: str, path: str, line: int, col: int) -> Entry:
    """:func:`_parse_line` of a one-line ``text`` without options (no word starts with '-'),
    whose text starts at ``line``:``col``."""
    parsed = _requirement(text, False, ())
    if isinstance(parsed, str):
        problem = Problem(line, col, _requirement_message(parsed, text))
        return Entry(INVALID, path, line, line, col, text, (), None, None, (problem,), ())
    return Entry(REQUIREMENT, path, line, line, col, text, (), parsed, None, (), ())


def _requirement_message(message: str, text: str) -> str:
    """Why pip rejects the requirement ``text``, with a hint at the likely mistake."""
    if "\t-" in text:
        message += " (pip splits options from the requirement only at spaces, not tabs)"
    elif text.endswith("\\"):
        message += " (a '\\' followed by spaces does not continue the line)"
    elif "=" in text and not _SPEC_OP.search(text) and ":" not in text:
        message += "; '=' is not a version operator, did you mean '=='?"
    return message


Piece = tuple[int, int, str]  # (line number, 0-based column of the text, text)


def _logical_lines(lines: Sequence[str]) -> Iterator[tuple[int, int, list[Piece]]]:
    """pip's ``join_lines``: continuation lines joined, with where each piece came from."""
    pending: list[Piece] = []
    start = 0
    for number, line in enumerate(lines, start=1):
        comment = line.lstrip().startswith("#")
        if comment or not line.endswith("\\"):
            # pip prefixes a comment line with a space so that it is always removed
            piece: Piece = (number, -1, " " + line) if comment else (number, 0, line)
            if pending:
                pending.append(piece)
                yield start, number, pending
                pending = []
            else:
                yield number, number, [piece]
        else:
            if not pending:
                start = number
            body = line.strip("\\")
            pending.append((number, len(line) - len(line.lstrip("\\")), body))
    if pending:
        yield start, pending[-1][0], pending


def _strip_comment(line: str) -> str:
    """pip's ``COMMENT_RE.sub("", line)`` for ``(^|\\s+)#.*$``, in linear time."""
    position = line.find("#")
    while position != -1:
        if position == 0:
            return ""
        if line[position - 1].isspace():
            return line[:position].rstrip()
        position = line.find("#", position + 1)
    return line


class _Where:
    """Maps an offset in a stripped logical line back to (line, column)."""

    __slots__ = ("lead", "pieces", "starts")

    def __init__(self, pieces: list[Piece], lead: int) -> None:
        self.pieces = pieces
        self.lead = lead
        starts = []
        offset = 0
        for piece in pieces:
            starts.append(offset)
            offset += len(piece[2])
        self.starts = starts

    def at(self, offset: int) -> tuple[int, int]:
        offset += self.lead
        index = 0
        if len(self.starts) > 1:
            index = max(bisect_right(self.starts, offset) - 1, 0)
        number, col0, _ = self.pieces[index]
        return number, max(col0 + offset - self.starts[index] + 1, 1)


def _parse_line(text: str, path: str, start: int, end: int, where: _Where) -> Entry:
    col = where.at(0)[1]

    def invalid(message: str, offset: int = 0) -> Entry:
        at = where.at(offset)
        return Entry(INVALID, path, start, end, col, text, (), None, None,
                     (Problem(at[0], at[1], message),), ())

    # pip's break_args_options: words up to the first one starting with "-".
    words = text.split(" ")
    count = 0
    for word in words:
        if word.startswith("-"):
            break
        count += 1
    args = " ".join(words[:count])
    options_offset = len(args) + 1 if count else 0
    options_text = " ".join(words[count:])

    options: list[Option] = []
    problems: list[Problem] = []
    ignored: list[Ignored] = []  # positional words optparse leaves over
    if options_text:
        try:
            tokens = _shlex(options_text)
        except ValueError as exc:
            return invalid(f"cannot split the options ({exc}); check the quotes", options_offset)
        parsed = _parse_options(tokens, options_offset, where, options, ignored)
        if isinstance(parsed, Problem):
            return Entry(INVALID, path, start, end, col, text, tuple(options), None, None,
                         (parsed,), ())
        for option in options:
            if option.name in _LEGACY:
                problems.append(Problem(
                    option.line, option.col,
                    f"pip no longer accepts '{option.written}' and rejects the whole file; "
                    f"remove it ({_LEGACY_HINT[option.name]})",
                ))

    if options:
        editables = [o for o in options if o.name == "--editable"]
        includes = [o for o in options if o.name in ("--requirement", "--constraint")]
    else:
        editables = includes = []
    include: Include | None = None
    requirement: Requirement | None = None
    kind = OPTION
    # What pip drops without a word: extra -e/-r/-c, includes on requirement lines.
    dropped = [o for o in editables if args or o is not editables[0]]
    if args or editables:
        kind = REQUIREMENT
        dropped += includes
    elif includes:
        kind = INCLUDE
        followed = next((o for o in includes if o.name == "--requirement"), includes[0])
        include = Include(
            followed.name == "--constraint", followed.written, followed.value or "",
            followed.value_line, followed.value_col,
        )
        dropped += [o for o in includes if o is not followed]
    for option in dropped:
        ignored.append(Ignored(f"{option.written} {option.value}", option.line, option.col))
    if ignored:
        first = min(ignored, key=lambda i: (i.line, i.col))
        problems.append(Problem(first.line, first.col, _ignored_message(
            kind, [i.text for i in ignored], dropped,
        )))

    if kind == REQUIREMENT:
        editable = bool(editables)
        if args:
            req_text, req_at = args, where.at(0)
        else:
            req_text, req_at = editables[0].value or "", (editables[0].value_line,
                                                          editables[0].value_col)
        hashes = () if editable else tuple(o.value or "" for o in options if o.name == "--hash")
        parsed_req = parse_requirement(req_text, editable=editable, hashes=hashes)
        if isinstance(parsed_req, str):
            message = _requirement_message(parsed_req, req_text)
            return Entry(INVALID, path, start, end, col, text, tuple(options), None, None,
                         (Problem(req_at[0], req_at[1], message), *problems),
                         tuple(i.text for i in ignored))
        requirement = parsed_req
    return Entry(kind, path, start, end, col, text, tuple(options), requirement, include,
                 tuple(problems), tuple(i.text for i in ignored))


class Ignored(NamedTuple):
    text: str
    line: int
    col: int


def _ignored_message(kind: str, texts: list[str], dropped: list[Option]) -> str:
    shown = mask_secrets(", ".join(f"'{t}'" for t in texts))
    if dropped and len(dropped) == len(texts):
        if kind == REQUIREMENT and any(o.name != "--editable" for o in dropped):
            return (f"pip ignores {shown} on a requirement line; "
                    f"put each -r/-c on a line of its own")
        return f"pip reads only the first -e/-r/-c of a line and ignores {shown}; use one line each"
    return (f"pip ignores {shown} on this line (words after an option are not requirements); "
            f"put the requirement first, or quote the option's value")


def _shlex(text: str) -> list[tuple[str, int, int]]:
    """``shlex.split(text)`` (POSIX mode) with each word's (value, start, end) offsets."""
    if "'" not in text and '"' not in text and "\\" not in text:
        return [(m.group(0), m.start(), m.end()) for m in _WORDS.finditer(text)]
    words: list[tuple[str, int, int]] = []
    blanks = " \t\r\n"
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in blanks:
            i += 1
        if i >= n:
            return words
        start = i
        buf: list[str] = []
        quoted = False
        while i < n and text[i] not in blanks:
            char = text[i]
            if char == "'":
                quoted = True
                close = text.find("'", i + 1)
                if close < 0:
                    raise ValueError("No closing quotation")
                buf.append(text[i + 1:close])
                i = close + 1
            elif char == '"':
                quoted = True
                i += 1
                while True:
                    if i >= n:
                        raise ValueError("No closing quotation")
                    char = text[i]
                    if char == '"':
                        i += 1
                        break
                    if char == "\\":
                        if i + 1 >= n:
                            raise ValueError("No escaped character")
                        following = text[i + 1]
                        buf.append(following if following in '"\\' else "\\" + following)
                        i += 2
                    else:
                        buf.append(char)
                        i += 1
            elif char == "\\":
                if i + 1 >= n:
                    raise ValueError("No escaped character")
                buf.append(text[i + 1])
                i += 2
            else:
                buf.append(char)
                i += 1
        word = "".join(buf)
        if word or quoted:
            words.append((word, start, i))


def _parse_options(
    tokens: list[tuple[str, int, int]],
    base: int,
    where: _Where,
    options: list[Option],
    ignored: list[Ignored],
) -> Problem | None:
    """optparse over pip's table; fills ``options`` or returns the Problem pip reports."""

    def problem(message: str, offset: int) -> Problem:
        line, col = where.at(base + offset)
        return Problem(line, col, message)

    index = 0
    while index < len(tokens):
        word, start, end = tokens[index]
        index += 1
        if word == "--":
            for rest in tokens[index:]:
                ignored.append(Ignored(rest[0], *where.at(base + rest[1])))
            break
        if word.startswith("--"):
            written, has_value, explicit = word.partition("=")
            name = _long_option(written)
            if name.startswith("ambiguous") or name.startswith("no such"):
                return problem(f"{name}; pip rejects this line", start)
            takes_value = _OPTIONS.get(name, _LEGACY.get(name, False))
            if takes_value:
                if has_value:
                    value, value_offset = explicit, start + word.find("=") + 1
                elif index < len(tokens):
                    value, value_offset = tokens[index][0], tokens[index][1]
                    index += 1
                else:
                    return problem(f"{written} needs a value; pip rejects this line", start)
            elif has_value:
                return problem(f"{written} takes no value; pip rejects this line", start)
            else:
                value, value_offset = None, start
        elif word.startswith("-") and len(word) > 1:
            written = word[:2]
            name = _SHORT.get(written) or _LEGACY_SHORT.get(written, "")
            if not name:
                return problem(f"no such option: {written}; pip rejects this line", start)
            if _OPTIONS.get(name, _LEGACY.get(name, False)):
                if len(word) > 2:
                    value, value_offset = word[2:], start + 2
                elif index < len(tokens):
                    value, value_offset = tokens[index][0], tokens[index][1]
                    index += 1
                else:
                    return problem(f"{written} needs a value; pip rejects this line", start)
            else:
                value, value_offset = None, start
                if len(word) > 2:  # grouped short flags: -Zr file and the like
                    tokens.insert(index, ("-" + word[2:], start + 1, end))
        else:
            # optparse keeps it as a positional argument, which pip never uses
            ignored.append(Ignored(word, *where.at(base + start)))
            continue
        line, col = where.at(base + start)
        value_line, value_col = where.at(base + value_offset)
        option = Option(_ALIASES.get(name, name), written, value, line, col, value_line, value_col)
        error = _check_value(option)
        if error:
            return problem(error, value_offset)
        options.append(option)
    return None


def _long_option(written: str) -> str:
    """optparse's ``_match_abbrev`` over pip's current options (legacy ones: exact only)."""
    if written in _OPTIONS or written in _LEGACY:
        return written
    matches = sorted(name for name in _OPTIONS if name.startswith(written))
    if len(matches) == 1:
        return matches[0]
    if not matches:
        return f"no such option: {written}"
    return f"ambiguous option: {written} ({', '.join(matches)}?)"


def _check_value(option: Option) -> str | None:
    value = option.value or ""
    if option.name == "--hash":
        algorithm, colon, _ = value.partition(":")
        if not colon:
            return (f"--hash needs a hash name and a value, like --hash=sha256:abcde...; "
                    f"pip rejects '{value}'")
        if algorithm not in STRONG_HASHES:
            return (f"--hash algorithm '{algorithm}' is not allowed by pip; "
                    f"use one of {', '.join(STRONG_HASHES)}")
    elif option.name == "--config-settings" and "=" not in value:
        return f"{option.written} needs KEY=VALUE; pip rejects '{value}'"
    elif option.name in ("--no-binary", "--only-binary") and value.startswith("-"):
        return f"{option.written} needs a value (':all:', ':none:' or package names)"
    return None


# --------------------------------------------------------------------------------------
# Requirements
# --------------------------------------------------------------------------------------
def canonicalize_name(name: str) -> str:
    """PEP 503 normalization, as ``packaging.utils.canonicalize_name``."""
    return _SEPARATORS.sub("-", name).lower()


def url_scheme(text: str) -> str | None:
    """The URL scheme as ``urllib.parse.urlsplit`` finds it (lowercase), else None."""
    if ":" not in text:
        return None
    from urllib.parse import urlsplit

    try:
        scheme = urlsplit(text).scheme
    except ValueError:  # a malformed netloc ("https://[x"): the scheme is still what it is
        match = _URL_SCHEME.match(text)
        scheme = match.group(1).lower() if match else ""
    return scheme or None


def _url_path(url: str) -> str | None:
    """The path of ``url``, or None if urllib cannot split it (a malformed netloc)."""
    from urllib.parse import urlsplit

    try:
        return urlsplit(url).path
    except ValueError:
        return None


def is_url(text: str) -> bool:
    """pip's ``is_url``: a scheme pip can install from."""
    return url_scheme(text) in URL_SCHEMES


def _looks_like_path(text: str) -> bool:
    return "/" in text or text.startswith(".")


def _is_archive(path: str) -> bool:
    return path.lower().endswith(ARCHIVE_EXTENSIONS)


def _has_env_var(req: Requirement) -> bool:
    return any("${" in version for _, version in req.specs)


_FULL_COMMIT = {"git": lazy(r"(?i)[0-9a-f]{40}|[0-9a-f]{64}"), "hg": lazy(r"(?i)[0-9a-f]{40}")}
_REVISION_NUMBER = lazy(r"(?:revno:)?[0-9]+")
_HEX = lazy(r"(?i)[0-9a-f]{7,39}")


def vcs_pin_problem(req: Requirement) -> str | None:
    """Why the VCS requirement ``req`` is not pinned to a commit (how a message goes on after
    naming it), or None when it is: a full commit hash for git (40 or 64 hex digits) and
    hg (40), a revision number for svn and bzr. No ref, a branch, a tag, an abbreviated
    hash and a ``${VAR}`` revision are not pins. The one judgement of VCS pins, for
    requirements files (DPH102) and ``pip install`` command lines (DPH107)."""
    revision = req.revision
    if revision is None:
        return "is not pinned to a commit; add '@<full commit hash>' to the repository URL"
    if ENV_VAR_RE.search(revision):
        return (f"takes its revision from '{revision}', which cannot be checked; "
                f"write the full commit hash")
    pattern = _FULL_COMMIT.get(req.vcs or "")
    if pattern is None:  # svn, bzr: revision numbers are immutable
        if _REVISION_NUMBER.fullmatch(revision):
            return None
    elif pattern.fullmatch(revision):
        return None
    if _HEX.fullmatch(revision):
        return (f"uses the abbreviated commit '{revision}'; write the full commit hash, "
                f"which cannot become ambiguous")
    return (f"is pinned to '{revision}', a branch or tag that can move; "
            f"use the full commit hash it points to instead")


def _same_marker(left: str, right: str | None) -> bool:
    return right is not None and " ".join(left.split()) == " ".join(right.split())


def parse_requirement(
    text: str, *, editable: bool = False, hashes: tuple[str, ...] = ()
) -> Requirement | str:
    """A requirement string as pip's ``install_req_from_line`` / ``install_req_from_editable``
    would read it (lexically): the :class:`Requirement`, or why pip rejects it (a message)."""
    return _requirement(text, editable, hashes)


def _requirement(text: str, editable: bool, hashes: tuple[str, ...]) -> Requirement | str:
    """:func:`parse_requirement`."""
    env_vars = tuple(dict.fromkeys(ENV_VAR_RE.findall(text)))
    result = _parse_editable(text) if editable else _parse_line_requirement(text)
    if isinstance(result, str):
        if not result.startswith("invalid marker"):
            result = f"invalid requirement '{mask_secrets(text.strip())}': {result}"
        if env_vars:
            match = _LEADING_NAME.match(text)
            raw = match.group(1) if match else None
            return Requirement(
                text.strip(), canonicalize_name(raw) if raw else None, raw, (), (), None, None,
                VCS if url_scheme(text) in VCS_SCHEMES else INDEX, editable, None, None,
                hashes, env_vars, True,
            )
        return result
    text = text.strip()
    if result.text == text and result.editable == editable and not hashes and not env_vars:
        return result  # the common line: nothing to add
    return result._replace(text=text, editable=editable, hashes=hashes, env_vars=env_vars)


def _parse_line_requirement(text: str) -> Requirement | str:
    """pip's ``parse_req_from_line`` without the file system."""
    separator = "; " if is_url(text) else ";"
    marker: str | None = None
    name = text
    if separator in text:
        name, marker_text = text.split(separator, 1)
        marker_text = marker_text.strip()
        if marker_text:
            error = _check_marker(marker_text)
            if error:
                return error
            marker = marker_text
    name = name.strip()
    if is_url(name):
        return _from_link(name, name, (), marker)
    scheme = url_scheme(name)
    if scheme and "://" in name:
        return f"'{scheme}:' is not a URL scheme pip can install from"
    bare, extras = _strip_extras(name)
    direct = "@" in name and not _looks_like_path(name.split("@", 1)[0])
    if _is_archive(bare) and not direct:
        return _from_link(bare, name, extras, marker, local=True)
    if _looks_like_path(name) and not direct and not _is_archive(bare):
        return _from_link(bare, name, extras, marker, local=True)
    return _named(name, marker)


def _named(text: str, marker: str | None) -> Requirement | str:
    """``name[extras] specifiers`` or ``name @ url`` (PEP 508), marker already split off."""
    fast = _fast_requirement(text)
    if fast:
        raw, extras, specs = fast
        return Requirement(text, canonicalize_name(raw), raw, extras, specs, marker, None, INDEX,
                           False, None, None, (), (), False)
    from packaging.requirements import InvalidRequirement
    from packaging.requirements import Requirement as Parsed

    try:
        parsed = Parsed(text)
    except InvalidRequirement as exc:
        return _first_line(exc)
    specs = tuple(sorted((s.operator, s.version) for s in parsed.specifier))
    if parsed.marker is not None:
        marker = str(parsed.marker)
    extras = tuple(sorted(parsed.extras))
    base = Requirement(text, canonicalize_name(parsed.name), parsed.name, extras, specs, marker,
                       None, INDEX, False, None, None, (), (), False)
    if not parsed.url:
        return base
    link = _from_link(parsed.url, text, extras, marker)
    if isinstance(link, str):
        return link
    return link._replace(name=base.name, raw_name=base.raw_name, specs=())


def _fast_requirement(text: str) -> tuple[str, tuple[str, ...], tuple[tuple[str, str], ...]] | None:
    """(name, extras, specs) of ``name[extras] op version, ...`` in the fast grammar, else None."""
    head = _FAST_HEAD.match(text)
    if head is None:
        return None
    position, end = head.end(), len(text)
    specs: list[tuple[str, str]] = []
    while position < end:
        if specs:
            comma = _FAST_COMMA.match(text, position)
            if comma is None:
                return None
            position = comma.end()
        spec = _FAST_SPEC.match(text, position)
        if spec is None:
            return None
        groups = spec.groups()
        specs.append((groups[0] or groups[2] or groups[4], groups[1] or groups[3] or groups[5]))
        position = spec.end()
    extras = tuple(e.strip() for e in head.group(2).split(",")) if head.group(2) else ()
    return head.group(1), extras, tuple(specs)


def _fast_marker(text: str) -> bool:
    """Whether ``text`` is ``atom (and|or atom)*`` of plain comparisons (always valid)."""
    atom = _FAST_MARKER_ATOM.match(text)
    while atom is not None:
        if atom.end() == len(text):
            return True
        join = _FAST_MARKER_JOIN.match(text, atom.end())
        atom = _FAST_MARKER_ATOM.match(text, join.end()) if join else None
    return False


def _check_marker(text: str) -> str | None:
    if _fast_marker(text):
        return None
    from packaging.markers import InvalidMarker, Marker

    try:
        Marker(text)
    except InvalidMarker as exc:
        return f"invalid marker '{text}': {_first_line(exc)}"
    return None


def _first_line(exc: Exception) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0]


def _strip_extras(text: str) -> tuple[str, tuple[str, ...]]:
    match = _EXTRAS_SUFFIX.match(text)
    if not match:
        return text, ()
    extras = tuple(e.strip() for e in match.group(2)[1:-1].split(",") if e.strip())
    return match.group(1).rstrip(), extras


def _from_link(
    url: str, text: str, extras: tuple[str, ...], marker: str | None, *, local: bool = False
) -> Requirement | str:
    """A URL or local path requirement: the name comes from a wheel name or ``#egg=``."""
    scheme = None if local else url_scheme(url)
    if scheme in VCS_SCHEMES:
        kind = VCS
    elif scheme in (None, "file"):  # a local path (or the scheme-less URL of 'name @ ./dir')
        kind = PATH
    else:
        kind = URL
    url_path = url if local else _url_path(url)
    if url_path is None:
        return f"'{mask_secrets(url)}' is not a valid URL"
    vcs = revision = None
    if kind == VCS:
        vcs = (scheme or "").split("+", 1)[0]
        if "@" in url_path:
            revision = url_path.rsplit("@", 1)[1]
            if not revision:
                return (f"the URL '{mask_secrets(url)}' has an empty revision after '@'; "
                        f"remove the '@' or name a commit")
    name: str | None = None
    specs: tuple[tuple[str, str], ...] = ()
    filename = posixpath.basename(url_path.rstrip("/"))
    if not local:
        from urllib.parse import unquote

        filename = unquote(filename)
    if kind != VCS and filename.endswith(".whl"):
        from packaging.utils import InvalidWheelFilename, parse_wheel_filename

        try:
            wheel_name, version, _, _ = parse_wheel_filename(filename)
        except InvalidWheelFilename as exc:
            return f"invalid wheel file name: {_first_line(exc)}"
        name, specs = str(wheel_name), (("==", str(version)),)
    else:
        egg = _EGG.search(url)
        if egg:
            name = egg.group(1)
            if not _PROJECT_NAME.fullmatch(name):
                return f"the #egg= fragment '{name}' is not a project name; use 'name @ URL'"
    return Requirement(
        text, canonicalize_name(name) if name else None, name, extras, specs, marker, url, kind,
        False, vcs, revision, (), (), False,
    )


def _parse_editable(text: str) -> Requirement | str:
    """pip's ``parse_editable`` without the file system (any non-URL is a local path)."""
    if "@" in text:
        direct = _named_direct(text)
        if direct is not None:
            return direct._replace(editable=True)
    bare, extras = _strip_extras(text)
    if bare.lower().startswith("file:"):
        return _from_link(bare, text, extras, None)
    url = text
    for backend in ("bzr", "git", "hg", "svn"):
        if url.lower().startswith(f"{backend}:"):
            url = f"{backend}+{url}"
            break
    scheme = url_scheme(url)
    if scheme in VCS_SCHEMES:
        link = _from_link(url, text, (), None)
        if isinstance(link, Requirement) and link.name is None:
            return (f"pip cannot tell the project name of '{mask_secrets(text)}'; "
                    f"write it as 'name @ {mask_secrets(url)}' or add '#egg=name'")
        return link
    if scheme and ("://" in url or scheme in URL_SCHEMES):
        return (f"an editable requirement must be a local project path or a VCS URL "
                f"(git+https://...), not '{mask_secrets(text)}'")
    return _from_link(bare, text, extras, None, local=True)


def _named_direct(text: str) -> Requirement | None:
    """``name @ url`` as packaging reads it, or None if ``text`` is not one."""
    if not _DIRECT_REFERENCE_HEAD.match(text):
        return None
    from packaging.requirements import InvalidRequirement
    from packaging.requirements import Requirement as Parsed

    try:
        parsed = Parsed(text)
    except InvalidRequirement:
        return None
    if not parsed.url:
        return None
    result = _named(text, None)
    return result if isinstance(result, Requirement) else None


_SPEC_HEAD = lazy(rf"({_NAME})[ \t]*(?:\[[^\]\\#;]*\])?")
_SPEC_PART = lazy(
    r"[ \t]*(?:===|==|!=|<=|>=|~=|<|>)[ \t]*[A-Za-z0-9.*+!_-]+"
    r"(?:[ \t]*,[ \t]*(?:===|==|!=|<=|>=|~=|<|>)[ \t]*[A-Za-z0-9.*+!_-]+)*"
)
_SPEC_OPERATORS = lazy(r"===|==|!=|<=|>=|~=|<|>")


def specifier_span(reqfile: RequirementsFile, entry: Entry) -> tuple[int, int] | None:
    """Where the version specifiers of ``entry``'s requirement are written in
    ``reqfile.text``: offsets ``(start, end)``, from the end of the name and extras
    (``start == end`` when there are none), so that replacing that range by ``==X`` pins
    it and keeps every other character (extras, marker, options, comment, line ending).
    None unless the name, extras and specifiers are written on the entry's first
    physical line, without parentheses, and the specifiers found are the parsed ones."""
    req = entry.requirement
    if req is None or req.kind != INDEX or req.unresolved or not req.raw_name:
        return None
    line = entry.start_line
    if not 1 <= line <= len(reqfile.lines):
        return None
    physical = reqfile.lines[line - 1]
    head = _SPEC_HEAD.match(physical, entry.col - 1)
    if head is None or head.group(1) != req.raw_name:
        return None
    start = head.end()
    spec = _SPEC_PART.match(physical, start)
    end = spec.end() if spec else start
    if len(_SPEC_OPERATORS.findall(physical, start, end)) != len(req.specs):
        return None
    if not spec:  # an insertion: after the name (and extras), never after blanks
        end = start = len(physical[:start].rstrip(" \t"))
    rest = physical[end:]
    if rest and rest[0] not in " \t;" and rest != "\\":
        return None
    offset = sum(len(text) for text in reqfile.text.splitlines(keepends=True)[:line - 1])
    if reqfile.text[offset:offset + len(physical)] != physical:
        return None
    return offset + start, offset + end
