"""The Compose model: a Compose file and the files it includes, read once.

``load(path, repo)`` gives a :class:`Compose`: every service with the values the checks
judge (``image``, ``build`` with its context, Dockerfile and ``args``, ``user``,
``read_only``, ``healthcheck``), each as a :class:`Value` that keeps the file, line and column where it
is written. The YAML is composed into nodes by PyYAML's safe loader (never
constructed: no tag runs code, an alias is one node however often it is used), so
anchors, aliases and merge keys (``<<: *defaults``, also a list of them; the
mapping's own keys win) are resolved here, as Compose does.

``include:`` (a path, a list of paths, or ``path:`` entries) and ``extends:``
(``service:`` in the same or another ``file:``) are followed relative to the file that
names them, through :class:`~hooks._files.Repo` only: inside the repository, never a
URL or an absolute path; cycles and depth are bounded. An extending service takes the
base service's values and overrides them with its own (``build.args`` merged by name).

Interpolation follows Compose: ``$$`` is a ``$``; ``${VAR:-default}`` and
``${VAR-default}`` give the default (itself interpolated), ``${VAR:+alt}`` gives
nothing; ``$VAR``, ``${VAR}`` and ``${VAR:?error}`` are *unresolved*. The process
environment and ``.env`` files are never read: every variable is unset, as on a
machine that has not set it.

For a service built from a local context, the Dockerfile (``build.dockerfile``,
default ``Dockerfile``, in ``build.context``) is read and parsed as well
(:attr:`Build.parsed`; None when it cannot be read). Problems (invalid YAML, an
include or extends that cannot be followed) are :attr:`Compose.problems`.

A Dockerfile's check may ask which Compose services run its image
(:func:`services_built_from`): those of the Compose files in the Dockerfile's directory
and the directories above it, up to the repository root, each loaded once per run.
"""
from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

from hooks._files import ReadError, Repo

if TYPE_CHECKING:
    from yaml.nodes import Node

    from hooks._dockerfile import Dockerfile, Stage

MAX_FILES = 50  # Compose files per load, the root included
MAX_DEPTH = 16  # nested includes, extends and merge keys
MAX_INTERPOLATION_DEPTH = 16
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_REMOTE_RE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|git@|oci:|github\.com/)", re.IGNORECASE)
_TRUE = frozenset({"true", "yes", "on", "1"})


class Problem(NamedTuple):
    path: str
    line: int
    col: int
    message: str
    syntax: bool  # invalid YAML (DPH904), else a reference that cannot be followed


class Value(NamedTuple):
    """A scalar of a Compose file after interpolation, and where it is written."""

    raw: str
    value: str
    resolved: bool
    unresolved_names: tuple[str, ...]
    path: str
    line: int
    col: int


class Build(NamedTuple):
    """A service's ``build``: a context path, or a mapping."""

    path: str  # the file where ``build`` is written
    line: int  # of the ``build`` value
    col: int
    context: Value | None  # None: '.'
    dockerfile: Value | None  # None: 'Dockerfile' (or dockerfile_inline)
    inline: bool  # dockerfile_inline: no Dockerfile file
    args: dict[str, Value]  # an arg listed without a value (taken from the environment) is unresolved
    dockerfile_path: str | None  # the Dockerfile as a repository path, when local and resolved
    parsed: Dockerfile | None  # that Dockerfile, parsed; None when it cannot be read
    target: Value | None = None  # the stage built (None: the last)


class Healthcheck(NamedTuple):
    """A service's ``healthcheck.test``: the probe Docker runs in the container."""

    argv: tuple[str, ...] | None  # ["CMD", prog, args...]: the program and its arguments
    shell: str | None  # ["CMD-SHELL", text] or a plain string: a command line for /bin/sh -c
    path: str
    line: int  # of the ``test`` value
    col: int


class Service(NamedTuple):
    name: str
    path: str  # the file where the service is defined
    line: int  # of its name
    col: int
    image: Value | None
    build: Build | None
    user: Value | None
    read_only: Value | None
    healthcheck: Healthcheck | None = None  # None: none set here (or disabled, or NONE)


class Compose:
    """A Compose file and the services of every file it includes."""

    __slots__ = ("files", "path", "problems", "services")

    def __init__(self, path: str) -> None:
        self.path = path
        self.files: list[str] = [path]
        self.services: list[Service] = []
        self.problems: list[Problem] = []

    def __repr__(self) -> str:
        return f"Compose({self.path!r}, services={[s.name for s in self.services]})"

    def build_of(self, service: Service) -> Build | None:
        """How the image that ``service`` runs is built here: its own ``build``, or that of
        the service whose ``build`` names the same ``image`` (a worker running the image
        the web service builds). None for an image that is pulled."""
        if service.build is not None:
            return service.build
        image = service.image
        if image is None:
            return None
        for other in self.services:
            named = other.image
            if other.build is not None and named is not None and (
                named.raw == image.raw or (named.resolved and image.resolved and named.value == image.value)
            ):
                return other.build
        return None


# ---------------------------------------------------------------------------
# Interpolation
# ---------------------------------------------------------------------------

def interpolate(text: str, _depth: int = 0) -> tuple[str, bool, tuple[str, ...]]:
    """(value, resolved, names of unresolved variables) of ``text`` with every variable unset."""
    if "$" not in text:
        return text, True, ()
    out: list[str] = []
    unresolved: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch != "$":
            out.append(ch)
            i += 1
            continue
        nxt = text[i + 1:i + 2]
        if nxt == "$":
            out.append("$")
            i += 2
        elif nxt == "{":
            end = _closing(text, i + 2)
            if end < 0:
                return text, False, tuple(unresolved) or ("",)
            body = text[i + 2:end]
            i = end + 1
            match = _NAME_RE.match(body)
            name = match.group() if match else body
            rest = body[len(name):]
            if rest.startswith((":-", "-")) and _depth < MAX_INTERPOLATION_DEPTH:
                default = rest[2:] if rest.startswith(":-") else rest[1:]
                value, ok, names = interpolate(default, _depth + 1)
                out.append(value)
                if not ok:
                    unresolved.extend(names)
            elif rest.startswith((":+", "+")):
                pass  # unset: the alternative is not used
            else:
                unresolved.append(name)
        else:
            match = _NAME_RE.match(text, i + 1)
            if match is None:
                out.append("$")
                i += 1
            else:
                unresolved.append(match.group())
                i = match.end()
    return "".join(out), not unresolved, tuple(unresolved)


def _closing(text: str, start: int) -> int:
    """The index of the ``}`` that closes a ``${`` whose body starts at ``start``."""
    depth = 1
    i = start
    while i < len(text):
        if text.startswith("${", i):
            depth += 1
            i += 2
            continue
        if text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


# ---------------------------------------------------------------------------
# Nodes
# ---------------------------------------------------------------------------

def _kind(node: Node) -> str:
    return str(getattr(node, "id", ""))


class _Reader:
    """Mappings of one load, merge keys applied (each mapping worked out once)."""

    def __init__(self) -> None:
        self._merged: dict[int, dict[str, tuple[Node, Node]]] = {}

    def mapping(self, node: Node | None, depth: int = 0) -> dict[str, tuple[Node, Node]]:
        """key -> (key node, value node) of a mapping node; {} for anything else."""
        if node is None or _kind(node) != "mapping":
            return {}
        known = self._merged.get(id(node))
        if known is not None:
            return known
        self._merged[id(node)] = {}  # a mapping that merges itself gets nothing from it
        own: dict[str, tuple[Node, Node]] = {}
        merged: dict[str, tuple[Node, Node]] = {}
        for key, value in node.value:
            if _kind(key) != "scalar":
                continue
            if key.tag == "tag:yaml.org,2002:merge" or (key.value == "<<" and key.style is None):
                if depth >= MAX_DEPTH:
                    continue
                sources = value.value if _kind(value) == "sequence" else [value]
                for source in sources:
                    for name, pair in self.mapping(source, depth + 1).items():
                        merged.setdefault(name, pair)  # an earlier source wins
                continue
            own[str(key.value)] = (key, value)
        merged.update(own)
        self._merged[id(node)] = merged
        return merged


def _value(node: Node, path: str) -> Value | None:
    if _kind(node) != "scalar":
        return None
    raw = str(node.value)
    value, resolved, names = interpolate(raw)
    return Value(raw, value, resolved, names, path, node.start_mark.line + 1, node.start_mark.column + 1)


def _written(raw: str) -> str:
    """``raw`` interpolated, or as written when a variable in it is unresolved."""
    text, resolved, _ = interpolate(raw)
    return text if resolved else raw


def _from_environment(name: str, node: Node, path: str) -> Value:
    """A build argument listed without a value: Compose takes it from the environment."""
    return Value("", "", False, (name,), path, node.start_mark.line + 1, node.start_mark.column + 1)


def _strings(node: Node) -> Iterator[Node]:
    if _kind(node) == "scalar":
        yield node
    elif _kind(node) == "sequence":
        yield from (item for item in node.value if _kind(item) == "scalar")


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------

def _compose_yaml(text: str) -> Node | None:
    """The first document's node; raises yaml.YAMLError or RecursionError."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for document in yaml.compose_all(text, Loader=loader):
        if document is not None:
            return document
    return None


def syntax_problem(path: str, text: str, exc: Exception) -> Problem:
    """Where and why the YAML is invalid; only the parser's description, never the line."""
    from yaml import MarkedYAMLError
    from yaml.reader import ReaderError

    line, col = 1, 1
    problem = "the file is nested too deeply to read" if isinstance(exc, RecursionError) else "invalid YAML"
    if isinstance(exc, MarkedYAMLError):
        problem = exc.problem or exc.context or problem
        mark = exc.problem_mark or exc.context_mark
        if mark is not None:
            line, col = mark.line + 1, mark.column + 1
    elif isinstance(exc, ReaderError):
        problem = "a character that YAML does not allow"
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
    return Problem(path, line, col, f"YAML syntax error: {problem}; Docker Compose cannot read this file", True)


class _Loader:
    def __init__(self, repo: Repo, compose: Compose) -> None:
        self.repo = repo
        self.compose = compose
        self.reader = _Reader()
        self.roots: dict[str, Node | None] = {}  # path -> root node (None: unreadable)

    def root(self, path: str, text: str | None = None, named: tuple[str, Node] | None = None) -> Node | None:
        """The root node of ``path``; ``named``: the file and node that name it, where a
        file that cannot be read is reported."""
        if path in self.roots:
            return self.roots[path]
        self.roots[path] = None
        if len(self.roots) > MAX_FILES:
            return None
        if text is None:
            try:
                text = self.repo.read_text(path)
            except ReadError as exc:
                if named is not None:
                    where, node = named
                    self.compose.problems.append(Problem(
                        where, node.start_mark.line + 1, node.start_mark.column + 1,
                        f"'{path}' cannot be read: {exc}", False,
                    ))
                return None
        import yaml

        try:
            self.roots[path] = _compose_yaml(text.removeprefix("\ufeff"))
        except (yaml.YAMLError, RecursionError) as exc:
            self.compose.problems.append(syntax_problem(path, text, exc))
        return self.roots[path]

    def refused(self, path: str, node: Node, target: str, what: str) -> str | None:
        """The repository path of ``target`` named in ``path``, or None (a problem recorded)."""
        line, col = node.start_mark.line + 1, node.start_mark.column + 1
        value, resolved, _ = interpolate(target)
        reason = ""
        if not resolved:
            reason = "it depends on a variable"
        elif _REMOTE_RE.match(value):
            reason = "it is remote"
        elif value.startswith("/") or re.match(r"^[A-Za-z]:[\\/]", value):
            reason = "it is an absolute path"
        else:
            full = posixpath.normpath(posixpath.join(posixpath.dirname(path), value))
            if full.startswith("../") or full == ".." or not self.repo.inside(full):
                reason = "it is outside the repository"
            else:
                return full
        self.compose.problems.append(Problem(
            path, line, col, f"{what} '{value}' is not followed: {reason}", False,
        ))
        return None

    def load_file(self, path: str, depth: int, text: str | None = None, named: tuple[str, Node] | None = None) -> None:
        root = self.root(path, text, named)
        top = self.reader.mapping(root)
        if "include" in top and depth < MAX_DEPTH:
            for entry in self._include_entries(top["include"][1]):
                target = self.refused(path, entry, str(entry.value), "include")
                if target is not None and target not in self.roots:
                    if target not in self.compose.files:
                        self.compose.files.append(target)
                    self.load_file(target, depth + 1, named=(path, entry))
        services = self.reader.mapping(top.get("services", (None, None))[1])
        for name, (key, node) in services.items():
            self.compose.services.append(self.service(path, name, key, node))

    def _include_entries(self, node: Node) -> Iterator[Node]:
        items = node.value if _kind(node) == "sequence" else [node]
        for item in items:
            if _kind(item) == "scalar":
                yield item
            elif _kind(item) == "mapping":
                entry = self.reader.mapping(item).get("path")
                if entry is not None:
                    yield from _strings(entry[1])

    def fields(
        self, path: str, name: str, node: Node, depth: int, seen: set[tuple[str, str]]
    ) -> dict[str, tuple[str, Node]]:
        """key -> (file, value node) of a service, ``extends`` applied."""
        own = {key: (path, pair[1]) for key, pair in self.reader.mapping(node).items()}
        extends = own.pop("extends", None)
        if extends is None or depth >= MAX_DEPTH or (path, name) in seen:
            return own
        seen = seen | {(path, name)}
        ext_node = extends[1]
        base_file, base_name = path, None
        if _kind(ext_node) == "scalar":
            base_name = str(ext_node.value)
        else:
            spec = self.reader.mapping(ext_node)
            if "service" in spec and _kind(spec["service"][1]) == "scalar":
                base_name = str(spec["service"][1].value)
            if "file" in spec and _kind(spec["file"][1]) == "scalar":
                target = self.refused(path, spec["file"][1], str(spec["file"][1].value), "extends file")
                if target is None:
                    return own
                base_file = target
        if base_name is None:
            return own
        base_root = self.root(base_file, named=(path, ext_node))
        base_services = self.reader.mapping(self.reader.mapping(base_root).get("services", (None, None))[1])
        if base_name not in base_services:
            return own
        base = self.fields(base_file, base_name, base_services[base_name][1], depth + 1, seen)
        merged = dict(base)
        for key, value in own.items():
            if key == "build" and "build" in base:
                merged["build_base"] = base["build"]
            merged[key] = value
        return merged

    def service(self, path: str, name: str, key: Node, node: Node) -> Service:
        fields = self.fields(path, name, node, 0, set())

        def value(field: str) -> Value | None:
            found = fields.get(field)
            return _value(found[1], found[0]) if found is not None else None

        build = None
        if "build" in fields:
            build = self.build(*fields["build"], fields.get("build_base"))
        healthcheck = self.healthcheck(*fields["healthcheck"]) if "healthcheck" in fields else None
        return Service(
            name, path, key.start_mark.line + 1, key.start_mark.column + 1,
            value("image"), build, value("user"), value("read_only"), healthcheck,
        )

    def healthcheck(self, path: str, node: Node) -> Healthcheck | None:
        """``test`` as Compose runs it: a list starting with CMD (the program and its
        arguments) or CMD-SHELL (a command line), or a string (a command line). None for
        ``disable: true``, ``["NONE"]`` or anything else. A variable Compose cannot
        resolve is kept as written (``${PORT}``): the program is still known."""
        spec = self.reader.mapping(node)
        disable = spec.get("disable")
        if disable is not None and _kind(disable[1]) == "scalar" and str(disable[1].value).lower() in _TRUE:
            return None
        test = spec.get("test")
        if test is None:
            return None
        test_node = test[1]
        line, col = test_node.start_mark.line + 1, test_node.start_mark.column + 1
        if _kind(test_node) == "scalar":
            text = _written(str(test_node.value))
            return Healthcheck(None, text, path, line, col) if text.strip() else None
        if _kind(test_node) != "sequence" or not test_node.value:
            return None
        words: list[str] = []
        for item in test_node.value:
            if _kind(item) != "scalar":
                return None
            words.append(_written(str(item.value)))
        if words[0] == "CMD" and len(words) > 1:
            return Healthcheck(tuple(words[1:]), None, path, line, col)
        if words[0] == "CMD-SHELL" and len(words) > 1:
            return Healthcheck(None, " ".join(words[1:]), path, line, col)
        return None

    def build(self, path: str, node: Node, base: tuple[str, Node] | None) -> Build:
        args: dict[str, Value] = {}
        context: Value | None = None
        dockerfile: Value | None = None
        target: Value | None = None
        inline = False
        layers = ([base] if base is not None else []) + [(path, node)]
        for where, layer in layers:
            if _kind(layer) == "scalar":
                context = _value(layer, where)
                continue
            spec = self.reader.mapping(layer)
            if "context" in spec:
                context = _value(spec["context"][1], where)
            if "dockerfile" in spec:
                dockerfile = _value(spec["dockerfile"][1], where)
            if "target" in spec:
                target = _value(spec["target"][1], where)
            inline = inline or "dockerfile_inline" in spec
            if "args" in spec:
                args.update(self._args(spec["args"][1], where))
        line, col = node.start_mark.line + 1, node.start_mark.column + 1
        df_path = self._dockerfile_path(path, context, dockerfile) if not inline else None
        parsed = self._parse(df_path) if df_path is not None else None
        return Build(path, line, col, context, dockerfile, inline, args, df_path, parsed, target)

    def _args(self, node: Node, path: str) -> dict[str, Value]:
        out: dict[str, Value] = {}
        if _kind(node) == "mapping":
            for name, (key, item) in self.reader.mapping(node).items():
                empty = item.tag == "tag:yaml.org,2002:null"
                given = _value(item, path) if _kind(item) == "scalar" and not empty else None
                out[name] = given if given is not None else _from_environment(name, key, path)
        elif _kind(node) == "sequence":
            for item in node.value:
                if _kind(item) != "scalar":
                    continue
                name, sep, raw = str(item.value).partition("=")
                if not sep:
                    out[name] = _from_environment(name, item, path)
                    continue
                text, resolved, names = interpolate(raw)
                line, col = item.start_mark.line + 1, item.start_mark.column + 1 + len(name) + 1
                out[name] = Value(raw, text, resolved, names, path, line, col)
        return out

    def _dockerfile_path(self, path: str, context: Value | None, dockerfile: Value | None) -> str | None:
        if context is not None and (not context.resolved or _REMOTE_RE.match(context.value)):
            return None
        if dockerfile is not None and not dockerfile.resolved:
            return None
        base = posixpath.dirname(context.path if context is not None else path)
        ctx = context.value if context is not None else "."
        if ctx.startswith("/"):
            return None
        name = dockerfile.value if dockerfile is not None else "Dockerfile"
        if name.startswith("/"):
            return None
        full = posixpath.normpath(posixpath.join(base, ctx, name))
        if full.startswith("../") or not self.repo.inside(full):
            return None
        return full

    def _parse(self, path: str) -> Dockerfile | None:
        from hooks._dockerfile import parse

        if path in self.repo.built_dockerfiles:
            return self.repo.built_dockerfiles[path]
        try:
            parsed: Dockerfile | None = parse(self.repo.read_dockerfile(path), path)
        except ReadError:
            parsed = None
        self.repo.built_dockerfiles[path] = parsed
        return parsed


def load(path: str, repo: Repo, text: str | None = None) -> Compose:
    """Read ``path`` (or take its ``text``), the files it includes and the Dockerfiles its
    services build. Raises :class:`ReadError` only when ``path`` itself cannot be read."""
    if text is None:
        text = repo.read_text(path)
    compose = Compose(path)
    _Loader(repo, compose).load_file(path, 0, text)
    return compose


def services_built_from(
    repo: Repo, dockerfile: str, mentioning: str,
) -> Iterator[tuple[Service, Build, list[Service]]]:
    """The Compose services that run the image built from the Dockerfile at ``dockerfile``
    (a path as :class:`Repo` takes it), with how each builds it and the services of the
    same name in the Compose files beside it (Compose merges ``compose.yaml`` and
    ``compose.override.yaml``: a ``healthcheck`` may be set in either). Only the Compose
    files of the Dockerfile's directory and the directories above it, up to the
    repository root, are read: where a Compose file that builds it usually is. Of those,
    only the files whose text has the word ``mentioning`` (the key the caller looks for),
    or that may bring it in (``include``, ``extends``), are parsed: most Compose files
    then cost a read, not the YAML machinery."""
    full = os.path.normpath(repo.full(dockerfile))  # symlinks are not followed: no lstat, nothing kept
    if not (full.startswith(repo.root + os.sep) or os.path.dirname(full) == repo.root):
        return
    for paths in _compose_files_above(repo, os.path.dirname(full)):
        texts = [repo.optional_text(path) or "" for path in paths]
        if not any(mentioning in text or "include" in text or "extends" in text for text in texts):
            continue
        composes = [c for c in (_loaded(repo, path) for path in paths) if c is not None]
        for compose in composes:
            for service in compose.services:
                build = compose.build_of(service)
                built = build.dockerfile_path if build is not None else None
                if build is not None and built is not None and os.path.normpath(repo.full(built)) == full:
                    same = [other for c in composes for other in c.services if other.name == service.name]
                    yield service, build, same


def healthchecks_of(repo: Repo, dockerfile: Dockerfile, stage: Stage) -> list[tuple[str, Healthcheck]]:
    """(service name, healthcheck) of each Compose service (:func:`services_built_from`)
    that runs the image of ``stage`` of ``dockerfile``: its ``build.target``, else the last
    stage, as Compose builds it; the healthcheck may be set in a Compose file merged with
    the service's own."""
    found: list[tuple[str, Healthcheck]] = []
    for service, build, same in services_built_from(repo, dockerfile.path, "healthcheck"):
        if build.target is None:
            built: Stage | None = dockerfile.stages[-1] if dockerfile.stages else None
        elif build.target.resolved:
            built = dockerfile.stage_named(build.target.value)
        else:
            continue
        if built is stage:
            found += [(service.name, other.healthcheck) for other in same if other.healthcheck is not None]
    return found


def _compose_files_above(repo: Repo, directory: str) -> list[list[str]]:
    """The Compose files of the absolute ``directory`` and of each directory above it up
    to the repository root, one list per directory that has any (as Repo paths), nearest
    first."""
    found: list[list[str]] = []
    while True:
        own = _compose_files_in(repo, directory)
        if own:
            found.append(own)
        if directory == repo.root or not directory.startswith(repo.root):
            return found
        directory = os.path.dirname(directory)


def _compose_files_in(repo: Repo, directory: str) -> list[str]:
    """The Compose files of the absolute ``directory``, as Repo paths."""
    from hooks._context import files_of_kind

    rel = os.path.relpath(directory, repo.base).replace(os.sep, "/")
    if rel == ".":
        rel = ""
    elif rel.startswith(".."):  # above the working directory: a Compose file sees '../' as outside
        rel = directory
    return [posixpath.join(rel, name) for name in files_of_kind(repo, rel, "compose")]


def _loaded(repo: Repo, path: str) -> Compose | None:
    """The Compose file at ``path``, loaded once per run; None when it cannot be read."""
    if path not in repo.composes:
        try:
            repo.composes[path] = load(path, repo, repo.optional_text(path))
        except ReadError:
            repo.composes[path] = None
    return repo.composes[path]
