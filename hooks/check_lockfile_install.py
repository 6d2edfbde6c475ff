"""check-lockfile-install: installs follow the project's lock file, and installers are pinned.

Reads the ``RUN`` instructions of every stage (shell, exec and heredoc forms, also
behind ``sudo``, ``env`` or ``sh -c``) and the build context, which is the
Dockerfile's directory: the lock files present there (``uv.lock``, ``poetry.lock``,
``pdm.lock``, ``Pipfile.lock``, a ``requirements*.txt`` with the ``.in`` it was compiled
from beside it) and the requirements files named by ``-r``. A lock file is looked for,
never read; no version is ever resolved.

A ``poetry install`` has its lock when ``poetry.lock`` was copied before it (by name,
or within a directory copy whose directory holds one) in its stage or the stages it is
built ``FROM``, or is bind-mounted into its own ``RUN``. ``UV_FROZEN`` / ``UV_LOCKED``
and ``PDM_FROZEN_LOCKFILE`` (``ENV``, ``ARG``, a ``NAME=value`` prefix or ``export``)
count as the flags. The layouts of uv's and Poetry's Docker guides pass: dependencies
from the lock with ``--no-install-project`` / ``--no-root`` first, the source after.

Options:
    --check-hashes   also report requirements files whose hashes are not enforced (DPH113).
    --target NAME    judge the ``CMD`` and ``ENTRYPOINT`` of the stage NAME instead of the last one (DPH115).

## DPH110 install-ignores-lock
### What it does
Reports an install that may resolve fresh versions although the project has a lock
file: ``uv sync`` or ``uv export`` without ``--locked``/``--frozen``, ``uv pip install -r
pyproject.toml``, ``poetry install`` or ``poetry export`` with no ``poetry.lock`` copied or
mounted before it (a ``poetry.lock*`` glob lets the build go on without it), ``poetry
lock`` in the build of a project that commits ``poetry.lock`` (but ``--check``, and
``--no-update`` on the copied lock), ``pipenv install`` or ``pipenv
sync`` when the project has a ``Pipfile.lock`` that is not copied or mounted before it
(pipenv then locks afresh), ``pipenv lock`` in such a project, ``pipenv install`` without
``--deploy``/``--ignore-pipfile``, ``pdm install`` without ``--frozen-lockfile`` (or its
older spelling ``--no-lock``) or ``--check``, and ``pip install -r requirements.in``
(the loose pip-tools input, not its compiled file).
### Why is this bad?
Each of these re-resolves (or silently rewrites the lock) when the lock is missing or
stale, so the image gets versions nobody reviewed, and two builds of one commit differ.
With the flag the build fails instead, and the lock stays the one source of versions.
### Example
```dockerfile
FROM python:3.12-slim-bookworm
COPY pyproject.toml poetry.lock* ./
RUN poetry install --no-root
```
### Use instead
```dockerfile
FROM python:3.12-slim-bookworm
COPY pyproject.toml poetry.lock ./
RUN poetry install --no-root
```

## DPH111 project-install-ignores-lock
### What it does
Reports ``pip install .``, ``pip install -e .`` and ``uv pip install .`` (without
``--no-deps``, constraints or a requirements file) when the build context holds a lock
file and no earlier install of the stage chain installed the locked dependencies.
### Why is this bad?
Building the project from ``pyproject.toml`` resolves its dependency ranges afresh: the
lock file beside it is ignored, and the image ships whatever is newest that day.
### Example
```dockerfile
FROM python:3.12-slim-bookworm
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir .
```
### Use instead
```dockerfile
FROM python:3.12-slim-bookworm
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN pip install --no-cache-dir --no-deps .
```

## DPH113 hashes-not-enforced
### What it does
With ``--check-hashes`` only: reports ``pip install -r FILE`` where FILE has
``--hash`` on some requirements but not all, and ``uv pip install -r FILE`` /
``uv pip sync FILE`` without ``--require-hashes`` where FILE has hashes, and a ``pip
install -r A -r B`` where A has hashes and B none (hash checking holds for the whole
command, so pip fails on B). The file
is found in the build context (where a ``COPY`` of that name took it from, else the path
as written). The requirements without a hash are reported line by line by DPH104
(check-requirements-pinned); this rule reports the install that reads them.
### Why is this bad?
pip turns on hash checking as soon as one requirement has a hash, and then fails on
every requirement without one; uv checks the hashes it is given but lets a requirement
without a hash through. Either way the hashes do not protect what they should.
### Example
```dockerfile
FROM python:3.12-slim-bookworm
COPY requirements.txt .
RUN uv pip install --system -r requirements.txt
```
### Use instead
```dockerfile
FROM python:3.12-slim-bookworm
COPY requirements.txt .
RUN uv pip install --system --require-hashes -r requirements.txt
```

## DPH114 unpinned-package-manager
### What it does
Reports a package manager installed without a version: the install scripts of uv,
Poetry, PDM and Rye fetched with ``curl``/``wget`` or ``ADD`` (uv's from a URL without a version,
the others without ``POETRY_VERSION``, ``PDM_VERSION``, ``RYE_VERSION`` or
``--version``), and ``pipx install`` / ``uv tool install`` of one without ``==``. A ``curl`` that only prints
the script (no pipe, no ``-o``/``-O``, no redirection, nothing after it) installs nothing.
``pip install poetry`` without a pin is DPH107.
### Why is this bad?
The installer takes whatever release is newest on the day of the build: a new major
version of the tool changes its lock format, its flags or its resolver under the build,
and two builds of one commit behave differently.
### Example
```dockerfile
FROM python:3.12-slim-bookworm
RUN curl -sSL https://install.python-poetry.org | python3 -
```
### Use instead
```dockerfile
FROM python:3.12-slim-bookworm
ENV POETRY_VERSION=1.8.3
RUN curl -sSL https://install.python-poetry.org | python3 -
```
or, for uv (with the uv version you use):
```dockerfile
FROM python:3.12-slim-bookworm
COPY --from=ghcr.io/astral-sh/uv:0.5.11 /uv /uvx /bin/
```

## DPH115 uv-run-syncs-at-start
### What it does
Reports ``uv run`` in the shipped stage's ``CMD`` or ``ENTRYPOINT`` (exec or shell form,
``sh -c`` included) when the build installed the project with ``uv sync --no-dev`` (or
``--no-default-groups``, ``--only-group``, ``--no-group``), the project's
``pyproject.toml`` declares a ``dev`` dependency group (``[dependency-groups]`` or
``[tool.uv] dev-dependencies``) that ``[tool.uv] default-groups`` does not leave out, and
the image holds the project (``pyproject.toml`` copied into the shipped stages). Not
reported when ``uv run`` has ``--no-sync``, ``--no-project``, ``--no-dev`` or its own group
options, or ``UV_NO_SYNC`` / ``UV_NO_DEV`` is set.
### Why is this bad?
``uv run`` syncs the project environment before it starts the program, with uv's default
groups, which include ``dev``: every container start downloads and installs the
development tools that the build left out. The start then needs the network and a
writable ``.venv`` (it fails as a non-root user or offline), takes seconds longer, and the
running container holds packages nobody shipped.
### Example
```dockerfile
FROM ghcr.io/astral-sh/uv:python3.12-bookworm-slim
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-dev --no-install-project
COPY . .
RUN uv sync --locked --no-dev
CMD ["uv", "run", "gunicorn", "app:app"]
```
### Use instead
```dockerfile
FROM ghcr.io/astral-sh/uv:python3.12-bookworm-slim
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-dev --no-install-project
COPY . .
RUN uv sync --locked --no-dev
ENV PATH="/app/.venv/bin:$PATH"
CMD ["gunicorn", "app:app"]
```
"""
from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from hooks._cli import run_hook
from hooks._dockerfile import Dockerfile, Instruction, Stage, split_blanks
from hooks._findings import ERROR, WARNING, Finding, Rule
from hooks._hook import TARGET, Hook, Option
from hooks._shell import Command, Install, instruction_commands, option_value, python_install, run_script

if TYPE_CHECKING:
    from collections.abc import Mapping

    from hooks._context import BuildContext
    from hooks._requirements import RequirementsSet
    from hooks._shell import Script

IGNORES_LOCK = Rule(
    "DPH110", "install-ignores-lock", ERROR,
    "An install may resolve fresh versions although the project has a lock file.",
)
PROJECT_IGNORES_LOCK = Rule(
    "DPH111", "project-install-ignores-lock", WARNING,
    "The project is installed with pip although a lock file is in the build context.",
)
HASHES_NOT_ENFORCED = Rule(
    "DPH113", "hashes-not-enforced", WARNING,
    "A requirements file's hashes are not enforced for every requirement.",
)
UNPINNED_MANAGER = Rule(
    "DPH114", "unpinned-package-manager", ERROR,
    "A Python package manager is installed without a version.",
)
RUN_SYNCS = Rule(
    "DPH115", "uv-run-syncs-at-start", WARNING,
    "The shipped CMD or ENTRYPOINT runs 'uv run', which installs the dev dependencies the build left out.",
)
RULES = (IGNORES_LOCK, PROJECT_IGNORES_LOCK, HASHES_NOT_ENFORCED, UNPINNED_MANAGER, RUN_SYNCS)

_FALSE = frozenset({"", "0", "false", "no", "off", "n", "f"})
_GLOB = re.compile(r"[*?\[]")
_MANAGERS = frozenset({"poetry", "uv", "pdm", "pipenv", "hatch", "rye", "pip-tools", "pipx"})
# Options of pipx install / uv tool install whose value is the next word.
_TOOL_VALUE = frozenset({
    "--python", "-p", "--suffix", "--pip-args", "--index-url", "-i", "--preinstall", "--backend",
    "--with", "-w", "--from", "--extra-index-url", "--constraint", "-c", "--override", "--with-requirements",
    "--with-editable", "--index", "--default-index", "--find-links", "-f",
})
_EXPORTING = frozenset({"export", "declare", "typeset", "readonly"})
_PIPENV_VALUE = frozenset({"--python", "--pypi-mirror", "--extra-pip-args", "--categories", "-r"})
# (tool, URL pattern of its install script, version variable, version options of the installer)
_INSTALLERS = (
    ("uv", re.compile(r"astral\.sh/uv/install\.(?:sh|ps1)|astral-sh/uv/releases/latest/"), "", ()),
    ("Poetry", re.compile(r"install\.python-poetry\.org|python-poetry/poetry/[^/\s]+/(?:get|install)-poetry\.py"),
     "POETRY_VERSION", ("--version",)),
    ("PDM", re.compile(r"pdm-project\.org/install-pdm\.py|pdm-project/pdm/[^/\s]+/install-pdm\.py"),
     "PDM_VERSION", ("--version", "-v")),
    ("Rye", re.compile(r"rye(?:\.astral\.sh|-up\.com)/get"), "RYE_VERSION", ()),
)
_FIX = {
    "uv": "copy a pinned binary instead: 'COPY --from=ghcr.io/astral-sh/uv:<version> /uv /uvx /bin/' "
          "(or name the version in the URL: https://astral.sh/uv/<version>/install.sh)",
    "Poetry": "set 'ENV POETRY_VERSION=<version>' before it (the installer reads it), "
              "or install it with 'pip install poetry==<version>'",
    "PDM": "set 'ENV PDM_VERSION=<version>' before it (the installer reads it), "
           "or install it with 'pip install pdm==<version>'",
    "Rye": "set 'ENV RYE_VERSION=<version>' before it (the installer reads it)",
}
_LOCK_FIX = {
    "uv.lock": "install from the lock with 'uv sync --locked'",
    "poetry.lock": "install from the lock with 'poetry install'",
    "pdm.lock": "install from the lock with 'pdm install --frozen-lockfile'",
    "Pipfile.lock": "install from the lock with 'pipenv install --deploy'",
}


# The lock files whose copy before the install is followed (their installers resolve
# afresh without them): poetry.lock for ``poetry install``, Pipfile.lock for ``pipenv``.
_TRACKED_LOCKS = ("poetry.lock", "Pipfile.lock")


class _Lock(NamedTuple):
    """Whether one lock file was copied: ``state`` is '' unknown, 'yes' copied, or the glob
    line ('poetry.lock*' on line N); ``dirs`` are directories of the build context copied
    since then: if one of them holds the lock, it was copied. The context is asked only
    when an install needs the answer (most Dockerfiles have none)."""

    state: str = ""
    dirs: tuple[str, ...] = ()


class _State(NamedTuple):
    """What the stages before an instruction provide (a stage starts from its parent's end)."""

    copied: dict[str, str]  # base name -> context path of each file copied by name
    locks: dict[str, _Lock]  # by name (see _TRACKED_LOCKS)
    locked_deps: bool  # an earlier install read a lock or requirements file


def _env(name: str, instr: Instruction, cmd: Command, exported: dict[str, str]) -> str | None:
    """The value of ``name`` for ``cmd``: its prefix assignments, an export before it, or the
    Dockerfile's ENV/ARG. None when unset or unknown."""
    for assignment in reversed(cmd.assignments):
        key, _, value = assignment.partition("=")
        if key == name:
            return value
    if name in exported:
        return exported[name]
    var = instr.lookup(name)
    if var is None:
        return None
    return var.value if var.resolved else "$" + name


def _on(name: str, instr: Instruction, cmd: Command, exported: dict[str, str]) -> bool:
    value = _env(name, instr, cmd, exported)
    return value is not None and value.lower() not in _FALSE


def _mounts(instr: Instruction) -> list[dict[str, str]]:
    out = []
    for value in instr.flag_values("mount"):
        fields: dict[str, str] = {}
        for part in value.split(","):
            key, _, field = part.partition("=")
            fields[key.strip().lower()] = field.strip().strip('"')
        out.append(fields)
    return out


def _mounted(instr: Instruction, name: str) -> bool:
    """A bind mount of the build context brings ``name`` into this RUN."""
    for fields in _mounts(instr):
        if fields.get("type", "bind") != "bind" or "from" in fields:
            continue
        source = fields.get("source", fields.get("src", ""))
        if source.rstrip("/").rsplit("/", 1)[-1] == name or source.strip("./") == "":
            return True
    return False


def _copy_sources(df: Dockerfile, instr: Instruction) -> list[str]:
    """The sources of a COPY/ADD, expanded ('' for one that cannot be)."""
    words = list(instr.json) if instr.json is not None else split_blanks(instr.args)
    out = []
    for word in words[:-1]:
        if word.startswith("<<"):
            continue
        value = instr.expand(word, df.escape)
        out.append(value.value if value.resolved else "")
    return out


def _after_copy(df: Dockerfile, instr: Instruction, state: _State, known_context: bool) -> _State:
    """``known_context``: the build context can be looked at (else a copied directory may
    hold a poetry.lock)."""
    copied = dict(state.copied)
    locks = dict(state.locks)
    from_elsewhere = instr.flag("from") is not None  # a stage or an image: only names are known
    for source in _copy_sources(df, instr):
        base = source.rstrip("/").rsplit("/", 1)[-1]
        directory = bool(source) and (base in ("", ".") or "." not in base)  # the context root too
        for name in _TRACKED_LOCKS:
            lock = locks.get(name, _Lock())
            if _GLOB.search(source):
                if fnmatch.fnmatchcase(name, base):
                    locks[name] = _Lock(f"'{source}' on line {instr.start_line}")
            elif base == name or (directory and (from_elsewhere or not known_context)):
                locks[name] = _Lock("yes")  # copied by name, or a directory that may hold it
            elif directory:
                locks[name] = lock._replace(dirs=(*lock.dirs, source))
        if base and not from_elsewhere and not _GLOB.search(source):
            copied[base] = source
    return _State(copied, locks, state.locked_deps)


def _lock_state(state: _State, name: str, context: BuildContext | None) -> str:
    """:attr:`_Lock.state` of the lock ``name``, once the directories copied after it are
    looked at."""
    lock = state.locks.get(name, _Lock())
    if context is not None and any(context.exists(source.rstrip("/") + "/" + name) for source in lock.dirs):
        return "yes"
    return lock.state


def _message_at(script: Script, cmd: Command, index: int = 0) -> tuple[int, int]:
    offsets = cmd.offsets
    return script.position(offsets[index] if index < len(offsets) else cmd.offset)


def _word_index(cmd: Command, install: Install, arg_index: int) -> int:
    return len(cmd.words) - len(install.args) + arg_index


def _index_of_value(args: tuple[str, ...], value: str) -> int:
    for i, word in enumerate(args):
        if word == value or word.endswith("=" + value) or (word.startswith("-") and word.endswith(value)):
            return i
    return 0


def _ignores_lock(
    instr: Instruction, cmd: Command, install: Install, files: list[str], exported: dict[str, str],
    state: _State, context: BuildContext | None,
) -> tuple[int, str] | None:
    """(index of the word to report, message) when the install may resolve afresh
    (``files``: what it reads with ``-r``, see :func:`_requirement_files`)."""
    tool, verb, args = install.tool, install.verb, install.args
    shown = " ".join(cmd.words[:len(cmd.words) - len(args)])
    if tool == "uv" and verb in ("sync", "export"):
        if {"--locked", "--frozen"} & set(args) or _on("UV_LOCKED", instr, cmd, exported) or _on(
            "UV_FROZEN", instr, cmd, exported
        ):
            return None
        return 0, (
            f"'{shown}' without --locked or --frozen resolves again when uv.lock is missing or stale "
            f"and rewrites it; add --locked (the build then fails on a stale lock)"
        )
    if _reads_requirements(install):
        for name in files:
            base = name.rsplit("/", 1)[-1]
            at = _word_index(cmd, install, _index_of_value(args, name))
            if base == "pyproject.toml" and tool == "uv":
                return at, (
                    f"'{shown} -r {name}' resolves the ranges of pyproject.toml afresh; "
                    f"lock them ('uv lock') and install with 'uv sync --locked'"
                )
            if base.endswith(".in"):
                compiled = name[:-3] + ".txt"
                return at, (
                    f"'{shown} -r {name}' installs the loose pip-tools input, not its compiled, "
                    f"pinned file; install '{compiled}' instead"
                )
        return None
    if tool == "poetry" and verb == "lock":
        if "--check" in args or context is None or "poetry.lock" not in context.lock_files():
            return None
        copied = _lock_state(state, "poetry.lock", context) == "yes" or _mounted(instr, "poetry.lock")
        if copied and "--no-update" in args:
            return None  # refreshes the committed lock's hash, keeps its versions
        how = "replaces the poetry.lock the project commits" if copied else (
            "ignores the poetry.lock the project commits (it is not copied before it)"
        )
        return 0, f"'{shown}' resolves the dependencies afresh in the build and {how}; copy that lock, drop '{shown}'"
    if tool == "poetry" and verb in ("install", "sync", "export"):
        lock = _lock_state(state, "poetry.lock", context)
        if lock == "yes" or _mounted(instr, "poetry.lock"):
            return None
        why = (
            f"the glob {lock} lets the build go on without the lock"
            if lock else "no poetry.lock is copied or mounted before it"
        )
        # No lock beside pyproject.toml: 'COPY poetry.lock' alone would fail the build.
        create = (
            "create it ('poetry lock'; none is in the build context), commit it and copy it"
            if context is not None and "poetry.lock" not in context.lock_files() else "copy poetry.lock"
        )
        return 0, (
            f"'{shown}' resolves the dependencies afresh when poetry.lock is missing, and {why}; "
            f"{create} by its exact name before the install"
        )
    if tool == "pipenv" and verb in ("install", "sync", "lock"):
        return _pipenv_ignores_lock(instr, install, shown, state, context)
    if tool == "pdm" and verb == "install":
        frozen = {"--frozen-lockfile", "--no-lock", "--check"} & set(args)
        if frozen or _on("PDM_FROZEN_LOCKFILE", instr, cmd, exported):
            return None
        return 0, (
            f"'{shown}' without --frozen-lockfile re-locks when pdm.lock is stale; add "
            f"--frozen-lockfile (or --check, which fails on a stale lock)"
        )
    return None


def _pipenv_ignores_lock(
    instr: Instruction, install: Install, shown: str, state: _State, context: BuildContext | None,
) -> tuple[int, str] | None:
    """DPH110 for pipenv: ``pipenv lock`` when the project has a Pipfile.lock; ``install``
    or ``sync`` when the project's Pipfile.lock is not copied or mounted before it (pipenv
    then locks afresh); ``install`` without ``--deploy``/``--ignore-pipfile``."""
    verb, args = install.verb, install.args
    project_lock = context is not None and "Pipfile.lock" in context.lock_files()
    if verb == "lock":
        if not project_lock or "--dev-only" in args:
            return None
        return 0, (
            f"'{shown}' resolves the dependencies afresh and replaces the project's Pipfile.lock; "
            f"copy Pipfile.lock instead and install with 'pipenv sync' or 'pipenv install --deploy'"
        )
    i = 0
    while i < len(args):
        if not args[i].startswith("-"):
            return None  # `pipenv install NAME` adds a package
        i += 2 if args[i] in _PIPENV_VALUE else 1
    lock = _lock_state(state, "Pipfile.lock", context)
    if project_lock and lock != "yes" and not _mounted(instr, "Pipfile.lock"):
        why = (
            f"the glob {lock} lets the build go on without it" if lock
            else "the project's Pipfile.lock is not copied or mounted before it"
        )
        return 0, (
            f"'{shown}' locks the dependencies afresh when Pipfile.lock is missing, and {why}; "
            f"copy Pipfile.lock by its exact name before the install"
        )
    if verb == "sync" or {"--deploy", "--ignore-pipfile"} & set(args):
        return None
    return 0, (
        f"'{shown}' without --deploy re-locks when Pipfile.lock is stale; add --deploy "
        f"(the build then fails on a stale lock) or use 'pipenv sync'"
    )


def _reads_requirements(install: Install) -> bool:
    """``pip install``, ``uv pip install`` or ``uv pip sync``: installs what requirements files name."""
    return (install.tool == "pip" and install.verb == "install") or (
        install.tool == "uv" and install.verb in ("pip install", "pip sync")
    )


def _requirement_files(install: Install) -> list[str]:
    """The requirements files an install reads: the ``-r`` values of ``pip install`` and
    ``uv pip install``, the operands of ``uv pip sync``; none for other installs."""
    if not _reads_requirements(install):
        return []
    if install.verb == "pip sync":
        return [word for word in install.args if not word.startswith("-")]
    return option_value(install.args, "-r", "--requirement", "--requirements")


def _installs_locked(install: Install, files: list[str]) -> bool:
    """Whether an install reads a lock or requirements file (so the project's dependencies
    are installed pinned before a ``pip install .``)."""
    tool, verb = install.tool, install.verb
    if tool in ("poetry", "pdm", "pipenv") and verb in ("install", "sync"):
        return True
    if tool == "uv" and verb in ("sync", "pip sync"):
        return True
    return bool(files)


def _project_word(install: Install, files: list[str]) -> int | None:
    """Index in ``install.args`` of the ``.`` of a ``pip install .`` / ``-e .`` that reads
    no requirements ``files``, constraints or overrides."""
    if install.verb == "pip sync" or not _reads_requirements(install):
        return None
    args = install.args
    if "--no-deps" in args or files or option_value(
        args, "-c", "--constraint", "--constraints", "--override", "--overrides",
    ):
        return None
    for i, word in enumerate(args):
        value = word
        if word.startswith("--editable="):
            value = word[len("--editable="):]
        elif word.startswith("-e") and len(word) > 2:
            value = word[2:]
        if value in (".", "./") or value.startswith((".[", "./[")):
            return i
    return None


def _lock_message(shown: str, locks: Sequence[str]) -> str:
    lock = locks[0]
    fix = _LOCK_FIX.get(lock) or f"install '{lock}' first ('pip install -r {lock}')"
    return (
        f"'{shown}' resolves the dependency ranges of pyproject.toml afresh and ignores {lock} in "
        f"the build context; {fix}, then the project alone with '--no-deps'"
    )


def _managers(cmd: Command, install: Install | None) -> list[tuple[int, str]]:
    """(word index, message) of ``pipx install`` / ``uv tool install`` of an unpinned manager."""
    words = cmd.words
    if cmd.program == "pipx" and len(words) > 1 and words[1] == "install":
        start, how = 2, "pipx install"
    elif install is not None and install.tool == "uv" and install.verb == "tool" and install.args[:1] == ("install",):
        start, how = len(words) - len(install.args) + 1, "uv tool install"
    else:
        return []
    found = []
    i = start
    while i < len(words):
        word = words[i]
        if word.startswith("-"):
            i += 2 if word in _TOOL_VALUE else 1
            continue
        name = re.split(r"[=<>!~\[;@ ]", word, maxsplit=1)[0].lower()
        if name in _MANAGERS and "==" not in word:
            found.append((i, (
                f"'{how} {word}' installs whichever {name} release is newest that day; pin it: "
                f"'{how} {name}==<version>'"
            )))
        break  # the first operand is the package
    return found


def _installer_scripts(
    instr: Instruction, cmds: Sequence[Command], index: int, exported: dict[str, str]
) -> list[tuple[int, str]]:
    """(word index, message) of the install scripts a ``curl``/``wget`` download fetches
    for an unpinned package manager."""
    cmd = cmds[index]
    after = cmds[index + 1] if index + 1 < len(cmds) else None
    if after is None and cmd.program == "curl" and ">" not in instr.args and not any(
        word in ("-o", "-O", "--output", "--remote-name") or word.startswith(("-o", "--output="))
        or (word.startswith("-") and not word.startswith("--") and "O" in word)
        for word in cmd.words[1:]
    ):
        return []  # curl prints the script and nothing runs it: nothing is installed
    found = []
    for i, word in enumerate(cmd.words[1:], start=1):
        url = word
        if "$" in word:  # the URL in an ARG or ENV (curl -sSf ${RYE_URL})
            expanded = instr.expand(word)
            url = expanded.value if expanded.resolved else word
        for tool, pattern, variable, options in _INSTALLERS:
            if not pattern.search(url):
                continue
            if variable and (_env(variable, instr, cmd, exported) or (after is not None and (
                _env(variable, instr, after, exported) or option_value(after.words, *options)
            ))):
                continue
            found.append((i, f"'{word}' installs whichever {tool} release is newest that day; {_FIX[tool]}"))
    return found


def _added_installers(df: Dockerfile, instr: Instruction) -> list[Finding]:
    """``ADD <install script URL> <dest>``: the script is run by a later RUN."""
    words = list(instr.json) if instr.json is not None else split_blanks(instr.args)
    found = []
    for word in words[:-1]:
        for tool, pattern, variable, _options in _INSTALLERS:
            var = instr.lookup(variable) if variable else None
            if pattern.search(word) and (var is None or (var.resolved and not var.value)):
                line, col = instr.find(word)
                found.append(UNPINNED_MANAGER.at(
                    df.path, line, col,
                    f"'{word}' installs whichever {tool} release is newest that day; {_FIX[tool]}",
                ))
    return found


def _exports(cmd: Command, exported: dict[str, str]) -> None:
    """Note the ``NAME=value`` words of an ``export`` (``declare``...)."""
    for word in cmd.words[1:]:
        name, sep, value = word.partition("=")
        if sep:
            exported[name] = value


def _hash_problem(install: Install, files: list[str], context: BuildContext, state: _State,
                  instr: Instruction, cmd: Command, exported: dict[str, str]) -> list[tuple[int, str]]:
    tool, args = install.tool, install.args
    if not _reads_requirements(install):
        return []
    if "--require-hashes" in args or _on("PIP_REQUIRE_HASHES", instr, cmd, exported) or (
        tool == "uv" and _on("UV_REQUIRE_HASHES", instr, cmd, exported)
    ):
        return []
    found = []
    counts: list[tuple[str, int, int, int]] = []  # (file, word index, hashed, requirements) of each file read
    for name in files:
        model = _requirements_of(name, context, state)
        if model is None:
            continue
        entries = [
            entry for path, reqfile in model.files.items() if "requirement" in model.roles.get(path, ())
            for entry in reqfile.requirements()
        ]
        hashed = sum(1 for entry in entries if entry.requirement and entry.requirement.hashes)
        at = _word_index(cmd, install, _index_of_value(args, name))
        counts.append((name, at, hashed, len(entries)))
        if tool == "pip" and 0 < hashed < len(entries):
            found.append((at, (
                f"'{name}' has hashes on {hashed} of its {len(entries)} requirements: pip then checks "
                f"hashes and fails on the others; add a hash to every requirement "
                f"(pip-compile --generate-hashes) and pass --require-hashes"
            )))
        elif tool == "uv" and hashed:
            found.append((at, (
                f"'{name}' has hashes, but uv lets a requirement without a hash through unless told; "
                f"add --require-hashes"
            )))
    hashed_file = next((name for name, _, hashed, _ in counts if hashed), None)
    if tool == "pip" and hashed_file is not None:
        # pip's hash-checking mode holds for the whole command: one hashed file turns it on.
        for name, at, hashed, total in counts:
            if total and not hashed:  # (a partly hashed file is reported above)
                found.append((at, (
                    f"'{name}' has no hashes, but '{hashed_file}' on the same command has: pip then checks "
                    f"hashes for every requirement and fails on those it lists; add hashes to it "
                    f"(pip-compile --generate-hashes) or install it with a command of its own"
                )))
    return found


def _requirements_of(name: str, context: BuildContext, state: _State) -> RequirementsSet | None:
    """The requirements file ``-r name`` reads, found in the build context: the file copied
    under that base name, else the path as written, else the base name at the root."""
    base = name.rsplit("/", 1)[-1]
    if "$" in name or not base:
        return None
    for candidate in (state.copied.get(base), None if name.startswith("/") else name, base):
        if candidate and not _GLOB.search(candidate) and context.exists(candidate):
            return context.requirements(candidate)
    return None


def check(
    df: Dockerfile, *, context: BuildContext | None = None, check_hashes: bool = False, target: str | None = None,
) -> list[Finding]:
    """``context``: the build context (None: unknown; DPH111, DPH113 and DPH115 need it);
    ``target``: the shipped stage (DPH115; default: the last)."""
    findings: list[Finding] = []
    ends: list[_State] = []
    dev_left_out: list[tuple[Instruction, str]] = []  # each uv sync that leaves the dev group out, described
    for stage in df.stages:
        state = ends[stage.parent] if stage.parent is not None else _State({}, {}, False)
        for instr in stage.instructions:
            if instr.keyword in ("COPY", "ADD"):
                state = _after_copy(df, instr, state, context is not None)
                if instr.keyword == "ADD":
                    findings.extend(_added_installers(df, instr))
            elif instr.keyword == "RUN":
                state = _run(df, instr, state, context, check_hashes, findings, dev_left_out)
        ends.append(state)
    if dev_left_out and context is not None:
        findings.extend(_uv_run_at_start(df, df.final_stage(target), dev_left_out, context))
    return findings


# uv sync options that leave uv's default groups (with 'dev') out; uv run options that
# choose what it syncs (or that it does not), so that it does what the user meant.
_LEAVES_DEV_OUT = ("--no-dev", "--no-default-groups", "--only-group", "--no-group")
_RUN_CHOOSES = frozenset({"--no-sync", "--no-project", "--script", *_LEAVES_DEV_OUT, "--group", "--all-groups",
                          "--only-dev", "--dev"})


def _leaves_dev_out(install: Install) -> str:
    """The option with which a ``uv sync`` leaves the dev group out, or ''."""
    for word in install.args:
        name = word.split("=", 1)[0]
        if name in _LEAVES_DEV_OUT:
            return name
    return ""


def _dev_group(pyproject: Mapping[str, object] | None) -> bool:
    """Whether ``pyproject`` declares a ``dev`` group that ``uv run`` syncs by default."""
    if pyproject is None:
        return False
    groups = pyproject.get("dependency-groups")
    tool = pyproject.get("tool")
    uv = tool.get("uv") if isinstance(tool, dict) else None
    uv = uv if isinstance(uv, dict) else {}
    declared = bool(isinstance(groups, dict) and groups.get("dev")) or bool(uv.get("dev-dependencies"))
    defaults = uv.get("default-groups")
    return declared and not (isinstance(defaults, list) and "dev" not in defaults)


def _holds_project(df: Dockerfile, stage: Stage, seen: frozenset[int] = frozenset()) -> bool:
    """Whether the image of ``stage`` holds the project's ``pyproject.toml``: copied by
    name or with the whole context, in its stages or from a stage that holds it."""
    for member in df.chain(stage):
        for instr in member.instructions:
            if instr.keyword not in ("COPY", "ADD"):
                continue
            source_stage = instr.flag("from")
            if source_stage is not None:
                other = df.stage_ref(source_stage, member.index)
                if other is not None and other.index not in seen and any(
                    _may_hold_project(source) for source in _copy_sources(df, instr)
                ) and _holds_project(df, other, seen | {stage.index}):
                    return True
                continue
            for source in _copy_sources(df, instr):  # '' when it could not be expanded: not known to
                base = source.rstrip("/").rsplit("/", 1)[-1]
                whole = bool(source) and source.strip("/") in ("", ".")  # the context root
                named = base == "pyproject.toml" or (_GLOB.search(base) and fnmatch.fnmatchcase("pyproject.toml", base))
                if whole or named:
                    return True
    return False


def _environment_bin(df: Dockerfile, stage: Stage, instr: Instruction) -> str:
    """The ``bin`` directory of the project environment that ``uv run`` uses in the image:
    ``UV_PROJECT_ENVIRONMENT``, else ``.venv`` in the last absolute WORKDIR."""
    var = instr.lookup("UV_PROJECT_ENVIRONMENT")
    if var is not None and var.resolved and var.value.startswith("/"):
        return var.value.rstrip("/") + "/bin"
    workdir = ""
    for member in df.chain(stage):
        for step in member.instructions:
            if step.keyword == "WORKDIR":
                value = step.expand(step.args.strip(), df.escape)
                workdir = value.value if value.resolved and value.value.startswith("/") else ""
    return (workdir.rstrip("/") if workdir else "<project directory>") + "/.venv/bin"


def _set_at_start(name: str, instr: Instruction, cmd: Command) -> bool:
    """Whether the variable ``name`` is on for ``cmd`` of a CMD or ENTRYPOINT: its prefix
    assignments, or an ENV (an ARG is gone when the container starts)."""
    for assignment in reversed(cmd.assignments):
        key, _, value = assignment.partition("=")
        if key == name:
            return value.lower() not in _FALSE
    var = instr.env_vars.get(name)
    return var is not None and (not var.resolved or var.value.lower() not in _FALSE)


def _may_hold_project(source: str) -> bool:
    """Whether a path copied from another stage may hold its ``pyproject.toml``: the file,
    or a directory that is not an environment (``/app``, not ``/app/.venv`` or ``*.whl``)."""
    base = source.rstrip("/").rsplit("/", 1)[-1]
    return base == "pyproject.toml" or (bool(base) and "." not in base and base not in _ENVIRONMENT_DIRS)


_ENVIRONMENT_DIRS = frozenset({"venv", "env", "bin", "lib", "site-packages", "dist", "wheels"})


def _uv_run_at_start(
    df: Dockerfile, stage: Stage | None, dev_left_out: list[tuple[Instruction, str]], context: BuildContext,
) -> list[Finding]:
    """DPH115 for each ``uv run`` the image of ``stage`` starts with."""
    if stage is None or not _dev_group(context.pyproject()) or not _holds_project(df, stage):
        return []
    entrypoint, cmd = df.entrypoint_cmd(stage)
    sync, how = dev_left_out[-1]
    findings: list[Finding] = []
    for instr in (entrypoint, cmd):
        if instr is None:
            continue
        appended = cmd.json if instr is entrypoint and instr.json is not None and cmd is not None and cmd.json else ()
        for command in instruction_commands(instr):
            install = python_install(command)
            if install is None or install.tool != "uv" or install.verb != "run":
                continue
            if _set_at_start("UV_NO_SYNC", instr, command) or _set_at_start("UV_NO_DEV", instr, command):
                continue
            if any(word.split("=", 1)[0] in _RUN_CHOOSES for word in (*install.args, *appended)):
                continue
            line, col = instr.find(command.words[0])
            findings.append(RUN_SYNCS.at(
                df.path, line, col,
                f"{instr.keyword} runs 'uv run', which syncs the project environment before the program "
                f"starts, with uv's default groups: the dev dependencies that {how} "
                f"(line {sync.start_line}) left out are downloaded and installed at every container start "
                "(it needs the network and a writable .venv); add --no-sync to 'uv run' (or 'ENV UV_NO_SYNC=1'), "
                f"or put the environment on PATH ('ENV PATH=\"{_environment_bin(df, stage, instr)}:$PATH\"') "
                "and run the program itself",
            ))
    return findings


def _run(
    df: Dockerfile, instr: Instruction, state: _State, context: BuildContext | None,
    check_hashes: bool, findings: list[Finding], dev_left_out: list[tuple[Instruction, str]],
) -> _State:
    script = run_script(instr, df.lines)
    cmds = script.commands()
    installs = script.installs()
    exported: dict[str, str] = {}
    locked_deps = state.locked_deps
    for index, (cmd, install) in enumerate(zip(cmds, installs, strict=True)):
        program = cmd.program
        reports: list[tuple[Rule, int, str]] = []
        if program in _EXPORTING:
            _exports(cmd, exported)
        elif program in ("curl", "wget") or program.startswith(("Invoke-WebRequest", "irm", "iwr")):
            reports += [(UNPINNED_MANAGER, i, m) for i, m in _installer_scripts(instr, cmds, index, exported)]
        elif program == "pipx" or (install is not None and install.tool == "uv"):
            reports += [(UNPINNED_MANAGER, i, m) for i, m in _managers(cmd, install)]
        if install is not None:
            files = _requirement_files(install)
            problem = _ignores_lock(instr, cmd, install, files, exported, state, context)
            if problem is not None:
                reports.append((IGNORES_LOCK, *problem))
            project = _project_word(install, files)
            if project is not None and context is not None and not locked_deps and context.lock_files():
                locks = context.lock_files()
                editable = project > 0 and install.args[project - 1] in ("-e", "--editable")
                written = install.args[project - editable:project + 1]
                shown = " ".join(cmd.words[:len(cmd.words) - len(install.args)] + written)
                reports.append((PROJECT_IGNORES_LOCK, _word_index(cmd, install, project), _lock_message(shown, locks)))
            if check_hashes and context is not None:
                reports += [(HASHES_NOT_ENFORCED, i, m) for i, m in _hash_problem(
                    install, files, context, state, instr, cmd, exported,
                )]
            locked_deps = locked_deps or _installs_locked(install, files)
            if install.tool == "uv" and install.verb == "sync":
                option = _leaves_dev_out(install)
                if option:
                    dev_left_out.append((instr, f"'uv sync {option}'"))
                elif _on("UV_NO_DEV", instr, cmd, exported):
                    dev_left_out.append((instr, "'uv sync' with UV_NO_DEV"))
        for rule, word, message in reports:
            line, col = _message_at(script, cmd, word)
            findings.append(rule.at(df.path, line, col, message))
    return state if locked_deps == state.locked_deps else state._replace(locked_deps=locked_deps)


HOOK = Hook(
    id="check-lockfile-install", doc=__doc__ or "", rules=RULES,
    options=(
        Option("check-hashes", "also report requirements files whose hashes are not enforced (DPH113)", "flag"),
        TARGET,
    ),
    dockerfile=lambda df, ctx: check(
        df, context=ctx.build_context(df), check_hashes=ctx.options.check_hashes, target=ctx.options.target,
    ),
)


def main(argv: Sequence[str] | None = None) -> int:
    return run_hook(HOOK, argv)


if __name__ == "__main__":
    raise SystemExit(main())
