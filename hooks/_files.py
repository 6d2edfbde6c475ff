"""Safe, confined file reading and the file-name patterns of the hooks.

Every byte a hook reads goes through :class:`Repo`: it refuses anything that is not
a regular file, is larger than :data:`MAX_BYTES`, or resolves (through ``..`` or
symlinks) outside the repository root. Reading never blocks on a FIFO, never
follows a URL and never writes. Failures are :class:`ReadError` with a one-line
reason, which the CLI turns into a ``DPH901`` finding.
"""
from __future__ import annotations

import codecs
import os
import stat
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from hooks._patterns import lazy

if TYPE_CHECKING:
    from collections.abc import Mapping

    from hooks._compose import Compose
    from hooks._context import Entries
    from hooks._dockerfile import Dockerfile
    from hooks._dockerignore import IgnoreFile
    from hooks._requirements import RequirementsFile

MAX_BYTES = 1 << 20  # 1 MiB

# The one file classifier: the kinds of file the hooks read, and the name patterns that
# find them. The manifest's `files` patterns (.pre-commit-hooks.yaml, generated from this
# table), the single-purpose hooks and the all-rules walk all use it. Each pattern is
# written without flags; `FILE_KIND_CASEFOLD` says which kinds match any letter case
# (a `Requirements.txt` or `dockerfile` is common; CI paths are case-sensitive where
# their CI system reads them).
FILE_KIND_PATTERNS = {
    # Dockerfile-named templates, docs and BuildKit ignore files (`Dockerfile.j2`,
    # `Dockerfile.md`, `app.Dockerfile.dockerignore`) are not Dockerfiles.
    "dockerfile": (
        r"(^|/)(?![^/]*\.(dockerignore|j2|jinja2?|tpl|tmpl|template|md|txt)$)"
        r"((docker|container)file([._-][^/]*)?|[^/]+\.(docker|container)file)$"
    ),
    "requirements": r"(^|/)([^/]*requirements[^/]*|constraints[^/]*)\.txt$|(^|/)requirements/[^/]+\.txt$",
    # pip-tools input files, compiled to the .txt of the same name.
    "requirements_in": r"(^|/)([^/]*requirements[^/]*|constraints[^/]*)\.in$|(^|/)requirements/[^/]+\.in$",
    "ci": (
        r"(^|/)(\.github/workflows/[^/]+\.ya?ml|\.gitlab-ci\.ya?ml|azure-pipelines\.ya?ml"
        r"|bitbucket-pipelines\.ya?ml|\.circleci/config\.ya?ml)$"
    ),
    # Compose files: compose.yaml, compose.override.yml, docker-compose.yml, docker-compose.prod.yaml,
    # podman-compose.yml, dev-docker-compose.yml... (a GitHub workflow named compose.yml is CI
    # configuration).
    "compose": (
        r"^(?!(.*/)?\.github/workflows/[^/]*$)(.*/)?(([^/]*[._-])?(docker|podman)-compose|compose)"
        r"([._-][^/]*)?\.ya?ml$"
    ),
}
FILE_KIND_CASEFOLD = frozenset({"dockerfile", "requirements", "requirements_in"})
# A path with '{{' is inside a project template (cookiecutter's '{{cookiecutter.project_slug}}/'
# folder): its files are Jinja, rendered into Dockerfiles and requirements files later.
_NOT_TEMPLATE = r"^(?!.*\{\{).*?"


def kind_pattern(kinds: Iterable[str]) -> str:
    """One regular expression matching the files of every kind in ``kinds``."""
    kinds = list(kinds)
    if len(kinds) == 1:
        flags = "(?i)" if kinds[0] in FILE_KIND_CASEFOLD else ""
        return f"{flags}{_NOT_TEMPLATE}(?:{FILE_KIND_PATTERNS[kinds[0]]})"
    return _NOT_TEMPLATE + "(?:" + "|".join(
        f"(?{'i' if kind in FILE_KIND_CASEFOLD else ''}:{FILE_KIND_PATTERNS[kind]})" for kind in kinds
    ) + ")"


_KIND_RES = [(kind, lazy(kind_pattern([kind]))) for kind in FILE_KIND_PATTERNS]

_CODING_RE = lazy(rb"coding[:=]\s*([-\w.]+)")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


class ReadError(Exception):
    """A file that cannot be used; ``str(error)`` is the one-line reason."""


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)


def _read_file(path: str, size: int) -> bytes:
    """Up to ``size`` bytes of the file at ``path`` (fewer at its end): os.open and
    os.read, without the buffered file object of open(), which costs more than reading
    a small file."""
    fd = os.open(path, _OPEN_FLAGS)
    try:
        chunks: list[bytes] = []
        while size > 0:
            chunk = os.read(fd, size)
            if not chunk:
                break
            chunks.append(chunk)
            size -= len(chunk)
    finally:
        os.close(fd)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _access_error(exc: OSError) -> ReadError:
    if isinstance(exc, FileNotFoundError):
        return ReadError("no such file")
    return ReadError(f"cannot access file: {exc.strerror or exc}")


def file_kind(path: str) -> str | None:
    """The kind of file ``path`` names (a key of :data:`FILE_KIND_PATTERNS`), or None."""
    path = path.replace(os.sep, "/")
    for kind, pattern in _KIND_RES:
        if pattern.search(path):
            return kind
    return None


def is_dockerfile(path: str) -> bool:
    return file_kind(path) == "dockerfile"


def is_requirements(path: str) -> bool:
    return file_kind(path) == "requirements"


def is_ci_config(path: str) -> bool:
    return file_kind(path) == "ci"


# Names of a development environment's files: Dockerfile.dev, dev.Dockerfile,
# Containerfile.local, docker-compose.dev.yml, compose.development.yaml, .gitpod.Dockerfile.
_DEV_FILE_RE = lazy(
    r"(?i)^(?:(?:docker|container)file|(?:docker-|podman-)?compose)[._-](?:dev|devel|development|devcontainer|local)"
    r"(?:[._-][^/]*)?$|^(?:dev|devel|development|devcontainer|local)[._-](?:docker|container)file$"
    r"|^\.gitpod\.dockerfile$"
)


def in_dev_container(path: str) -> bool:
    """Whether ``path`` is a development environment's file: in a ``.devcontainer``
    directory, where the Development Containers specification keeps the Dockerfile and
    Compose file of a development environment (https://containers.dev), or named for
    development (``Dockerfile.dev``, ``dev.Dockerfile``, ``docker-compose.dev.yml``,
    ``.gitpod.Dockerfile``): an image to work in, never shipped. The rules that judge a
    shipped image (its user, Python settings, size, health check) do not apply there."""
    parts = path.replace(os.sep, "/").split("/")
    return ".devcontainer" in parts[:-1] or _DEV_FILE_RE.match(parts[-1]) is not None


def load_toml(text: str) -> dict[str, Any]:
    """``text`` read as TOML (:mod:`tomllib`; ``tomli`` on Python 3.10), imported only when a
    file needs it. Raises ValueError (``TOMLDecodeError`` is one) for text that is not TOML."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]
    return cast("dict[str, Any]", tomllib.loads(text))


def find_root(start: str | None = None) -> str:
    """The repository root: the nearest ancestor of ``start`` with ``.git``, else ``start``."""
    here = os.path.realpath(start or os.getcwd())
    probe = here
    while True:
        if os.path.lexists(os.path.join(probe, ".git")):
            return probe
        parent = os.path.dirname(probe)
        if parent == probe:
            return here
        probe = parent


def decode_dockerfile(data: bytes) -> str:
    """Strict UTF-8 with an optional BOM, as BuildKit reads a Dockerfile."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    return _utf8(data)


def decode_requirements(data: bytes) -> str:
    """pip's rules: a BOM, else a ``coding:`` comment in the first two lines, else UTF-8."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding)
            except UnicodeDecodeError as exc:
                raise ReadError(f"cannot decode file as {encoding}: {exc.reason}") from None
    for line in data.split(b"\n", 2)[:2]:
        match = _CODING_RE.search(line) if line[:1] == b"#" else None
        if match:
            encoding = match.group(1).decode("ascii", "replace")
            try:
                codecs.lookup(encoding)
            except LookupError:
                raise ReadError(f"unknown encoding {encoding!r} in coding comment") from None
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise ReadError(f"cannot decode file as {encoding}: {exc.reason}") from None
    return _utf8(data)


def _utf8(data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ReadError(
            f"cannot decode file as UTF-8 (invalid byte at offset {exc.start}, line {line})"
        ) from None
    if "\x00" in text:
        raise ReadError("file contains NUL bytes; is it binary?")
    return text


class Repo:
    """Read-only, confined access to the files of one repository."""

    def __init__(self, root: str | None = None, *, base: str | None = None) -> None:
        self.root = os.path.realpath(root) if root else find_root()
        self._prefix = self.root.rstrip(os.sep) + os.sep
        # What the models derive from files, once per run and shared by every check (files
        # are taken not to change while a run reads them; their bytes are not kept, the
        # models are, and fix mode checks that the bytes it writes over are those it read): parsed
        # requirements files by (real path, display path); the ignore files that may apply
        # to a Dockerfile, and to a directory; the entries of a build-context directory;
        # a build context's lock files and pyproject.toml (by directory); the Dockerfiles
        # a Compose file builds (None: unreadable); the Compose files a Dockerfile's check
        # looked up (hooks._compose.services_built_from; None: unreadable).
        self.requirements_files: dict[tuple[str, str], RequirementsFile] = {}
        self.lock_files: dict[str, tuple[str, ...]] = {}
        self.pyprojects: dict[str, Mapping[str, object] | None] = {}
        self.built_dockerfiles: dict[str, Dockerfile | None] = {}
        self.composes: dict[str, Compose | None] = {}
        self.files_of_kind: dict[tuple[str, str], tuple[str, ...]] = {}  # (directory, kind) -> names
        self.devcontainer_images: frozenset[str] | None = None  # hooks._context.devcontainer_images
        self.ignore_files_of_dockerfile: dict[str, list[IgnoreFile]] = {}
        self.ignore_files_of_directory: dict[str, list[IgnoreFile]] = {}
        self.directory_entries: dict[str, Entries] = {}
        self._optional: dict[str, str | None] = {}
        self._resolved: dict[str, tuple[str, os.stat_result | OSError | None]] = {}
        # Entries of the directories a walk listed (casefolded), by absolute path.
        self._listings: dict[str, frozenset[str]] = {}
        # Directories known to be plain (see _plain_dir): the root, and below it.
        self._plain_dirs: dict[str, str | None] = {self.root: self.root}
        # Relative paths (command-line arguments) are relative to ``base`` when given, else
        # to the working directory when it is inside the repository, else to the root.
        cwd = os.path.realpath(os.getcwd())
        self.base = os.path.realpath(base) if base else cwd if self._inside_real(cwd) else self.root
        self._base_is_cwd = self.base == cwd
        self._base_slash = os.path.join(self.base, "") if os.sep == "/" else None

    def full(self, path: str) -> str:
        """``path`` made absolute: relative paths are taken from :attr:`base`."""
        if self._base_slash is not None and not path.startswith("/"):
            return self._base_slash + path  # os.path.join's answer, without the call
        return os.path.join(self.base, path)

    def _realpath(self, full: str) -> str:
        """``os.path.realpath(full)``, with fewer ``lstat`` calls.

        realpath walks every component with an ``lstat``. Directories below the root
        that are reached through plain names and no symlinks are resolved once each,
        from their parent, so such a file costs one ``lstat`` (is it a symlink?). Any
        other path (``..``, a symlinked directory, outside the root) goes to realpath
        itself, whose answers (also for symlink loops) are the reference.
        """
        return self._resolve(full)[0]

    def _resolve(self, full: str) -> tuple[str, os.stat_result | OSError | None]:
        """:meth:`_realpath`, and what the ``lstat`` of a file in a plain directory told.

        For such a file that is not a symlink, its ``lstat`` is its ``stat``; if the
        ``lstat`` failed, ``stat`` fails the same way (the last component is not a
        symlink to follow). None: not known, ask ``stat``. Remembered for the run: a
        requirements file is resolved to find its real path, then to be read.
        """
        known = self._resolved.get(full)
        if known is None:
            known = self._resolved[full] = self._resolve_now(full)
        return known

    def _resolve_now(self, full: str) -> tuple[str, os.stat_result | OSError | None]:
        head, tail = os.path.split(full)
        if not tail or tail in (".", ".."):
            return os.path.realpath(full), None
        real_dir = self._plain_dir(head)
        if real_dir is None:
            return os.path.realpath(full), None
        candidate = os.path.join(real_dir, tail)
        try:
            info = os.lstat(candidate)
        except OSError as exc:
            # Without its traceback, which holds the callers' frames (and they hold it).
            return candidate, exc.with_traceback(None)
        except ValueError:  # an embedded NUL: os.path.islink says False, stat decides
            return candidate, None
        if stat.S_ISLNK(info.st_mode):
            return os.path.realpath(candidate), None
        return candidate, info

    def _plain_dir(self, head: str) -> str | None:
        """The real path of ``head`` when it is the root or a plain directory below it, else None.

        A directory is plain when every component from the root down is a name (not
        ``.`` or ``..``) that is not a symlink: its real path is the root joined with
        those names.
        """
        pending: list[tuple[str, str]] = []
        probe = head
        while probe not in self._plain_dirs:
            parent, name = os.path.split(probe)
            if not name or name in (".", "..") or parent == probe:
                self._plain_dirs[probe] = None
                break
            pending.append((probe, name))
            probe = parent
        known = self._plain_dirs[probe]
        for path, name in reversed(pending):
            if known is not None:
                known = os.path.join(known, name)
                if os.path.islink(known):
                    known = None
            self._plain_dirs[path] = known
        return known

    def _inside_real(self, real: str) -> bool:
        return real == self.root or real.startswith(self._prefix)

    def realpath(self, path: str) -> str:
        """``os.path.realpath`` of ``path`` (relative to :attr:`base`), directories resolved once."""
        return self._realpath(self.full(path))

    def inside(self, path: str) -> bool:
        """Whether ``path`` (after resolving symlinks) is inside the root."""
        return self._inside_real(self._realpath(self.full(path)))

    def relpath(self, path: str) -> str:
        """``path`` relative to :attr:`base`, with ``/`` separators (for display)."""
        rel = os.path.relpath(self._realpath(self.full(path)), self.base)
        return rel.replace(os.sep, "/")

    def read_bytes(self, path: str) -> bytes:
        """The bytes of a regular file inside the root, or :class:`ReadError`."""
        full = self.full(path)
        real, known = self._resolve(full)
        if not self._inside_real(real):
            kind = "a symlink to a file" if os.path.islink(full) else "a file"
            raise ReadError(f"{kind} outside the repository root {self.root}; not read")
        if isinstance(known, OSError):
            raise _access_error(known)
        try:
            info = os.stat(real) if known is None else known
        except OSError as exc:
            raise _access_error(exc) from None
        if stat.S_ISDIR(info.st_mode):
            raise ReadError("is a directory, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise ReadError("is not a regular file (FIFO, socket or device); not read")
        if info.st_size > MAX_BYTES:
            raise ReadError(
                f"file is larger than {MAX_BYTES // 1024} KiB ({info.st_size} bytes); not checked"
            )
        try:
            # Sized by the stat above: a read(MAX_BYTES + 1) allocates a 1 MiB buffer,
            # which costs more than reading a small file. One that grew since is read
            # on, up to the limit.
            data = _read_file(real, info.st_size + 1)
            if len(data) > info.st_size:
                data = _read_file(real, MAX_BYTES + 1)
        except OSError as exc:
            raise ReadError(f"cannot read file: {exc.strerror or exc}") from None
        if len(data) > MAX_BYTES:
            raise ReadError(f"file is larger than {MAX_BYTES // 1024} KiB; not checked")
        self._resolved.pop(full, None)  # read: nothing more to know of it
        return data

    def read_dockerfile(self, path: str) -> str:
        return decode_dockerfile(self.read_bytes(path))

    def read_requirements(self, path: str) -> str:
        return decode_requirements(self.read_bytes(path))

    def read_text(self, path: str) -> str:
        return _utf8(self.read_bytes(path).removeprefix(codecs.BOM_UTF8))

    def optional_text(self, path: str) -> str | None:
        """:meth:`read_text`, or None when ``path`` cannot be read (most often: it does not
        exist). Remembered for the run, misses too: optional files such as ``.dockerignore``
        are looked up again for every Dockerfile below them. A file that the walk's listing
        of its directory shows missing is answered from the listing, and not remembered."""
        if path in self._optional:
            return self._optional[path]
        text: str | None = None
        full = self.full(path)
        if self._unlisted(full):
            return None
        if not isinstance(self._resolve(full)[1], FileNotFoundError):
            try:
                text = self.read_text(path)
            except ReadError:
                text = None
        self._optional[path] = text
        return text

    def note_listing(self, directory: str, names: Iterable[str]) -> None:
        """Be told every entry of ``directory`` (a path as :meth:`full` takes it), as a walk
        of the tree found them: :meth:`optional_text` then knows a file that is not there
        is missing without asking the file system. Only when relative paths are taken
        from the working directory (else ``directory`` would be a different one)."""
        if self._base_is_cwd:
            self._listings[os.path.abspath(self.full(directory))] = frozenset(
                name.casefold() for name in names
            )

    def _unlisted(self, full: str) -> bool:
        """Whether a walk listed the directory of ``full`` without it: the file is missing.

        Conservative: False when the path has ``.``/``..`` components (a listing is
        keyed by the normalised path, the file system resolves ``..`` after symlinks),
        a name that is not ASCII (file systems may normalise it), or a name that differs
        only in case from a listed one (file systems may ignore case)."""
        if not self._listings:
            return False
        directory, _, name = full.rpartition(os.sep)
        listing = self._listings.get(directory)  # keys are normalised: so is directory then
        return not (
            listing is None or name in ("", ".", "..") or not name.isascii() or name.casefold() in listing
        )
