"""check-requirements-before-source: install dependencies before copying the source.

Every stage is judged, together with the stages it is built ``FROM`` (a ``COPY . .`` in a
parent stage comes before an install in the child). A dependency install reads a
manifest: ``pip install -r`` (also ``pip3``, ``python -m pip``, ``pip wheel -r``),
``uv pip install -r``, ``uv pip sync``, ``uv sync``, ``poetry install|sync``,
``pipenv install|sync`` and ``pdm install|sync``, in shell-form, exec-form and heredoc
``RUN``s. The whole source is ``COPY``/``ADD`` of ``.``, ``./``, ``*`` or ``/`` from the
build context (shell or JSON form, any flags), or a ``RUN --mount=type=bind`` of the
context root into the install itself.

No finding when the install after the source copy only repeats one made before it
(``uv sync`` after ``uv sync --no-install-project``, ``poetry install`` after
``poetry install --no-root``, ``pdm install`` after ``pdm install --no-self``, the same
requirements file installed again), or installs just the project
(``pip install .``, ``pip install --no-deps -e .``, ``uv pip install --no-deps .``,
``poetry install --only-root``). ``COPY --from=<stage or image>`` is not the build
context, and ``apt-get install`` or ``pip install <names>`` read no manifest. Whether
``pip install .`` installs the project's dependencies as well is not judged. A ``COPY .``
whose ``.dockerignore`` lets no source file through (an allowlist of the manifests:
``*`` then ``!requirements.txt``) copies the manifests only and is fine; the ignore file
is found as for check-secrets.

## DPH301 source-copied-before-dependencies
### What it does
Reports a ``COPY``/``ADD`` of the whole build context (at its ``.`` source) that comes
before a dependency install in the same stage or a stage built from it, and names the
install it busts, with the files to copy first (the requirements files and the
constraints files, ``-c``, the install reads). A whole-context bind mount on the install's own ``RUN`` is reported
at its ``--mount``.
### Why is this bad?
Docker reuses a layer only while everything before it is unchanged. With the source
copied first, every edit of any file invalidates the install layer, so every build
downloads and installs every dependency again. Copying (or bind-mounting) only the
manifest first keeps the install cached until the manifest itself changes.
dockerfile-doctor DD006 guesses this from substrings (and trips on ``apt-get install``);
droast DF007 flags any ``COPY . .``; hadolint has no such rule.
### Example
```dockerfile
FROM python:3.12-slim-bookworm
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -r requirements.txt
```
### Use instead
```dockerfile
FROM python:3.12-slim-bookworm
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
```
or, with uv:
```dockerfile
RUN --mount=type=cache,target=/root/.cache/uv \\
    --mount=type=bind,source=uv.lock,target=uv.lock \\
    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \\
    uv sync --locked --no-install-project
COPY . /app
RUN --mount=type=cache,target=/root/.cache/uv uv sync --locked
```
### Fix
Moves the install above the source copy and copies its requirements file first:
``COPY . .`` followed by ``RUN pip install --no-cache-dir -r requirements.txt`` becomes
``COPY requirements.txt .``, the ``RUN`` as it was written (every byte, continuation
lines included), then ``COPY . .``. The new line is the ``COPY`` line with ``.`` replaced
by the file name (same keyword casing, flags, indentation and line ending), and a
destination without a trailing ``/`` gets one (``COPY requirements.txt /app/``, so that
the file lands in the folder rather than becoming it).

The fix is offered only in the plainest case, where nothing else can change: no fix
when the ``RUN`` is not the very next instruction of the same stage (only blank and
comment lines between, none of them a suppression comment, nor above the ``COPY``); the
``COPY``/``ADD`` is in JSON form, spans several lines, has flags other than ``--chown``,
``--chmod`` and ``--link``, or copies more than ``.`` (or ``./``) to one destination;
the destination is neither ``.``/``./`` nor the absolute folder the stage's last
``WORKDIR`` names literally; the ``RUN`` has flags (``--mount``), heredocs, the exec form,
more than one command, or any shell syntax (quotes, variables, operators, the escape
character); the command is not ``pip install`` with only ``-r FILE`` (one file, a bare
name) and the flags ``--no-cache-dir``, ``--upgrade``/``-U``, ``--quiet``/``-q``, ``--no-compile``,
``--require-hashes``, ``--break-system-packages``, ``--disable-pip-version-check``,
``--no-warn-script-location``, ``--root-user-action=ignore``; an ``ENV`` or ``ARG`` in effect
sets another ``PIP_*`` variable than those flags' own, ``PIP_DEFAULT_TIMEOUT``,
``PIP_INDEX_URL``, ``PIP_EXTRA_INDEX_URL``, ``PIP_TRUSTED_HOST``, ``PIP_PROGRESS_BAR`` and
``PIP_PREFER_BINARY`` (``PIP_CONSTRAINT=constraints.txt`` reads the source); or the
requirements file, read in the Dockerfile's folder and each parent folder up to the
repository root (the possible build contexts), is in none of them or, in any of them,
holds anything but named requirements from an index and the options ``--hash``,
``--index-url``, ``--extra-index-url``, ``--trusted-host``, ``--pre``, ``--prefer-binary``,
``--only-binary`` and ``--no-binary``: an include (``-r``, ``-c``), ``-e .``, a local path
or URL reads the source or another file the new ``COPY`` would not bring, and so does a
``${VARIABLE}`` pip expands.
"""
from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from hooks._cli import run_hook
from hooks._dockerfile import Dockerfile, Instruction
from hooks._findings import NO_FIX, WARNING, Finding, Fix, Rule
from hooks._fix import line_end, line_start, newline_near
from hooks._hook import Context, Hook
from hooks._patterns import lazy
from hooks._shell import Command, Install, Script, option_value, python_install, run_script

if TYPE_CHECKING:
    from hooks._context import BuildContext
    from hooks._dockerignore import IgnoreFile

# Reads a requirements file by name in every possible build context: the texts found.
ReadManifest = Callable[[str], list[str]]
# The files a requirements file (a build-context path) includes with -r/-c, as context
# paths, and the first line of them that installs a local path (``-e .``), '' when none.
Includes = Callable[[str], tuple[tuple[str, ...], str]]

SOURCE_FIRST = Rule(
    "DPH301", "source-copied-before-dependencies", WARNING,
    "The whole source is copied before the dependencies are installed.",
    fixable=True,
)
RULES = (SOURCE_FIRST,)

_WHOLE_CONTEXT = frozenset({".", "./", "*", "./*", "/", "/*", "./."})
_JSON_STRING_RE = re.compile(r'"((?:[^"\\]|\\.)*)"')
_WORD_RE = lazy(r"[^ \t\v\f\r\n]+")
_PIPENV_VALUE = frozenset({"--python", "--pypi-mirror", "--extra-pip-args", "--categories", "-r"})
# (manifest files, the deps-only install to run before the source is copied)
_FIXES = {
    "uv sync": ("pyproject.toml and uv.lock", "--no-install-project"),
    "poetry": ("pyproject.toml and poetry.lock", "--no-root"),
    "pdm": ("pyproject.toml and pdm.lock", "--no-self"),
    "pipenv": ("Pipfile and Pipfile.lock", ""),
    "uv pip sync": ("the requirements file", ""),
}

# A source event: (line, col, what it is), keyed by position so that a copy in a parent
# stage inherited by several children is reported once.
_Source = tuple[int, int, str]


def manifest_keys(install: Install) -> tuple[str, ...]:
    """What a dependency install reads (requirements file names, or the tool's lock).

    Empty when the call installs no dependencies from a manifest: named packages,
    the project alone, or another verb.
    """
    tool, verb, args = install.tool, install.verb, install.args
    if (tool == "pip" and verb in ("install", "wheel", "download")) or (
        tool == "uv" and verb == "pip install"
    ):
        files = option_value(args, "-r", "--requirement", "--requirements")
        if files:  # the constraints files it reads must be copied first too
            files += option_value(args, "-c", "--constraint", "--constraints")
        return tuple(f"'{_base(name)}'" for name in files if name)
    if tool == "uv" and verb == "pip sync":
        files = [word for word in args if not word.startswith("-")]
        return tuple(f"'{_base(name)}'" for name in files) or ("uv pip sync",)
    if tool == "uv" and verb == "sync":
        return ("uv sync",)
    if tool == "poetry" and verb in ("install", "sync"):
        return () if "--only-root" in args else ("poetry",)
    if tool == "pdm" and verb in ("install", "sync"):
        return ("pdm",)
    if tool == "pipenv" and verb in ("install", "sync"):
        files = option_value(args, "-r", "--requirements")
        if files:
            return tuple(f"'{_base(name)}'" for name in files)
        i = 0
        while i < len(args):
            if not args[i].startswith("-"):
                return ()  # `pipenv install NAME` adds a package, it does not sync a lock
            i += 2 if args[i] in _PIPENV_VALUE else 1
        return ("pipenv",)
    return ()


def _base(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


def _source_copy(df: Dockerfile, instr: Instruction) -> _Source | None:
    """The whole-context source word of a COPY/ADD, if it has one."""
    if instr.keyword not in ("COPY", "ADD") or instr.flag("from") is not None:
        return None
    if instr.json is not None:
        strings = list(_JSON_STRING_RE.finditer(instr.args))
        for index, word in enumerate(instr.json[:-1]):
            if _whole_context(instr, word, df.escape):
                offset = strings[index].start(1) if index < len(strings) else 0
                line, col = instr.args_position(offset)
                return line, col, f"{instr.keyword} '{word}'"
        return None
    for start, word in _source_words(instr.args):
        if _whole_context(instr, word, df.escape):
            line, col = instr.args_position(start)
            return line, col, f"{instr.keyword} '{word}'"
    return None


def _source_words(args: str) -> tuple[tuple[int, str], ...]:
    """(offset, word) of the source words of a shell-form COPY/ADD (all words but the last)."""
    return tuple((match.start(), match.group()) for match in _WORD_RE.finditer(args))[:-1]


def _whole_context(instr: Instruction, word: str, escape: str) -> bool:
    if word.startswith("<<"):
        return False  # a heredoc, not a file of the context
    if word in _WHOLE_CONTEXT:
        return True
    if "$" not in word and "'" not in word and '"' not in word and escape not in word:
        return False  # expansion would leave it as it is
    value = instr.expand(word, escape)
    return value.resolved and value.value in _WHOLE_CONTEXT


def _context_mount(instr: Instruction) -> _Source | None:
    """A ``--mount=type=bind`` of the whole build context on a RUN."""
    raw = instr.line[:instr.args_offset]
    search = 0
    for value in instr.flag_values("mount"):
        at = raw.find("--mount", search)
        search = at + 1 if at >= 0 else search
        fields: dict[str, str] = {}
        for part in value.split(","):
            key, _, field = part.partition("=")
            fields[key.strip().lower()] = field.strip()
        kind = fields.get("type", "bind")
        source = fields.get("source", fields.get("src", ""))
        if kind == "bind" and "from" not in fields and source.strip() in ("", ".", "./", "/"):
            line, col = instr.position(max(at, 0))
            return line, col, "RUN --mount=type=bind of the whole build context"
    return None


def _dependency_installs(script: Script) -> list[tuple[Command, tuple[str, ...]]]:
    """(command, manifest keys) of each dependency install of a RUN's script."""
    out = []
    for cmd, install in zip(script.commands(), script.installs(), strict=True):
        keys = manifest_keys(install) if install is not None else ()
        if keys:
            out.append((cmd, keys))
    return out


# A dependency install that busts a source: (line, command text, manifest keys, the
# files as the advice names them: see _shown_files).
_Install = tuple[int, str, tuple[str, ...], tuple[str, ...]]


def _described(script: Script, cmd: Command, keys: tuple[str, ...]) -> _Install:
    line = script.position(cmd.offsets[0] if cmd.offsets else cmd.offset)[0]
    return line, " ".join(cmd.words), keys, _shown_files(script, cmd, keys)


def _shown_files(script: Script, cmd: Command, keys: tuple[str, ...]) -> tuple[str, ...]:
    """The requirements files of ``keys`` as the install names them, so that the advice
    says which file to copy: the path written (``requirements/dev.txt``), behind the
    relative ``cd`` of the same RUN (``cd src && pip install -r requirements.txt``); the
    name alone for an absolute path or one with a variable. Empty for a tool's lock."""
    install = python_install(cmd)
    if install is None or not keys[0].startswith("'"):
        return ()
    written = option_value(install.args, "-r", "--requirement", "--requirements", "-c", "--constraint",
                           "--constraints")
    if install.verb == "pip sync":
        written = [word for word in install.args if not word.startswith("-")]
    directory = ""
    for before in script.commands():
        if before is cmd:
            break
        if before.program == "cd" and len(before.words) == 2:
            target = before.words[1]
            relative = not target.startswith(("/", "~", "-")) and "$" not in target
            directory = posixpath.normpath(posixpath.join(directory, target)) if relative else "/"
    shown = []
    for name in dict.fromkeys(written):
        path = posixpath.normpath(posixpath.join(directory, name)) if directory != "/" else "/"
        plain = not path.startswith(("/", "..")) and "$" not in path
        shown.append(path if plain else _base(name))
    return tuple(shown)
# The whole-context copies seen so far, grouped by the manifests installed before them;
# each group is a linked list (newest first) that child stages share with their parent.
_Copies = tuple[_Source, "_Copies | None"]


# Files of a project's source; when a .dockerignore keeps out every one of them, a
# whole-context copy brings the dependency manifests only.
_SOURCE_PROBES = (
    "main.py", "app.py", "manage.py", "setup.py", "app/__init__.py", "src/app/__init__.py",
    "pkg/module.py", "scripts/start.sh",
)


def _manifests_only(dockerignores: Sequence[IgnoreFile]) -> bool:
    """Whether an ignore file that may apply lets no source file into the context."""
    from hooks import _dockerignore

    return any(_keeps_out_source(text) for _path, text in _dockerignore.specific(dockerignores))


def _keeps_out_source(ignore_text: str) -> bool:
    """Whether the ignore file ``ignore_text`` excludes every source probe; remembered, as
    Dockerfiles that share a .dockerignore ask the same question."""
    from hooks import _dockerignore

    patterns = _dockerignore.parse(ignore_text)
    return all(_dockerignore.excluded(patterns, probe) for probe in _SOURCE_PROBES)




def check(
    df: Dockerfile, *, dockerignores: Sequence[IgnoreFile] = (), read_manifest: ReadManifest | None = None,
    includes: Includes | None = None,
) -> list[Finding]:
    """Each stage continues from its parent's end state, so every instruction is read
    once and an inherited copy is not walked again once an install has busted it: the
    work is linear even for thousands of chained stages (installs are met in file order,
    so the first install that busts a copy is the earliest). ``read_manifest`` reads a
    requirements file for the fix (no fix without it); ``includes`` names the files a
    requirements file includes, for the advice (asked only for a finding)."""
    if dockerignores and _manifests_only(dockerignores):
        return []  # every context copy brings the manifests only
    busted: dict[_Source, _Install] = {}
    copies: dict[_Source, Instruction] = {}
    runs: dict[int, Instruction] = {}  # the RUN of each install, by the install's line
    ends: list[tuple[frozenset[str], dict[frozenset[str], _Copies]]] = []
    for stage in df.stages:
        if stage.parent is not None:
            parent_installed, parent_groups = ends[stage.parent]
            installed, groups = set(parent_installed), dict(parent_groups)
        else:
            installed, groups = set(), {}
        for instr in stage.instructions:
            kw = instr.keyword
            if kw in ("COPY", "ADD"):
                source = _source_copy(df, instr)
                if source is not None:
                    copies[source] = instr
                    before = frozenset(installed)
                    groups[before] = (source, groups.get(before))
                continue
            if kw != "RUN":
                continue
            script = run_script(instr, df.lines)
            installs = _dependency_installs(script)
            if not installs:
                continue
            mount = _context_mount(instr) if instr.flags else None
            mounted = frozenset(installed)
            for cmd, keys in installs:
                needed = set(keys)
                install: _Install | None = None  # where and what, worked out when it busts a source
                for before, head in groups.items():
                    if not needed <= before:
                        install = install or _described(script, cmd, keys)
                        _bust(head, install, busted)
                if mount is not None and not needed <= mounted and mount not in busted:
                    install = install or _described(script, cmd, keys)
                    busted[mount] = install
                if install is not None:
                    runs[install[0]] = instr
                installed.update(keys)
        ends.append((frozenset(installed), groups))
    return [
        SOURCE_FIRST.at(
            df.path, source[0], source[1], _message(source[2], *busted[source], includes=includes),
            fix=_move_fix(df, copies[source], runs[busted[source][0]], read_manifest)
            if source in copies and read_manifest is not None else NO_FIX,
        )
        for source in sorted(busted)
    ]


def _bust(head: _Copies | None, install: _Install, busted: dict[_Source, _Install]) -> None:
    """Mark the copies of a group busted by ``install``; stop at one already busted (the
    older ones behind it were busted with it)."""
    while head is not None and head[0] not in busted:
        busted[head[0]] = install
        head = head[1]


def _message(
    what: str, line: int, command: str, keys: tuple[str, ...], paths: tuple[str, ...],
    includes: Includes | None = None,
) -> str:
    shown = command if len(command) <= 60 else command[:57] + "..."
    files, flag = _FIXES.get(keys[0]) or (" and ".join(keys), "")
    local = ""
    if paths:
        read = [includes(name) for name in paths] if includes else []
        included = [path for found, _ in read for path in found if path not in paths]
        local = next((line for _, line in read if line), "")
        files = " and ".join(f"'{path}'" for path in paths)
        if included:
            listed = " and ".join(", ".join(f"'{path}'" for path in dict.fromkeys(included)).rsplit(", ", 1))
            files += f" (with {listed}, which {'it includes' if len(paths) == 1 else 'they include'})"
    # The user's own install with the flag that leaves the project out: its other flags
    # (--locked, --only main, --frozen-lockfile) stay, so no other rule reports the advice.
    if not flag:
        first = "the install" if keys[0] != "uv pip sync" else "the sync"
    elif flag in command.split():
        first = f"'{shown}'"
    elif len(command) <= 80:
        first = f"'{command} {flag}'"
    else:
        first = f"the same install with {flag}"
    if what.startswith("RUN"):
        return (
            f"{what} re-runs its dependency install ('{shown}') on every source change; "
            f"bind-mount only {files} for it, and the source for a later install of the project"
        )
    if local:  # '-e .' needs the source: it cannot be installed before the source is copied
        return (
            f"{what} copies the whole source before the dependency install on line {line} "
            f"('{shown}'), so every source change re-installs every dependency; move the line '{local}' "
            f"(it installs the source itself) out of the requirements, copy only {files} first, run "
            f"{first}, then copy the source and install the project"
        )
    return (
        f"{what} copies the whole source before the dependency install on line {line} "
        f"('{shown}'), so every source change re-installs every dependency; "
        f"copy only {files} first, run {first}, then copy the source"
    )


# The fix (see the docstring's "### Fix"): what it accepts, and nothing else.
_COPY_FLAGS = frozenset({"chown", "chmod", "link"})
_PLAIN_WORD = lazy(r"[A-Za-z0-9_./=:+,@-]+")
_PLAIN_PATH = lazy(r"/?[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*/?")
_MANIFEST_NAME = lazy(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_SAFE_PIP_FLAGS = frozenset({
    "--no-cache-dir", "--upgrade", "-U", "--quiet", "-q", "--no-compile", "--require-hashes",
    "--break-system-packages", "--disable-pip-version-check", "--no-warn-script-location",
    "--root-user-action=ignore",
})
_SAFE_MANIFEST_OPTIONS = frozenset({
    "--hash", "--index-url", "--extra-index-url", "--trusted-host", "--pre", "--prefer-binary",
    "--only-binary", "--no-binary",
})
# pip's environment settings that read no file: any other PIP_* variable in effect
# (PIP_CONSTRAINT, PIP_FIND_LINKS, PIP_CONFIG_FILE, PIP_SRC...) may read the source.
_SAFE_PIP_VARIABLES = frozenset({
    "PIP_NO_CACHE_DIR", "PIP_DISABLE_PIP_VERSION_CHECK", "PIP_ROOT_USER_ACTION", "PIP_NO_COMPILE",
    "PIP_BREAK_SYSTEM_PACKAGES", "PIP_DEFAULT_TIMEOUT", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL",
    "PIP_TRUSTED_HOST", "PIP_PROGRESS_BAR", "PIP_QUIET", "PIP_NO_WARN_SCRIPT_LOCATION", "PIP_PREFER_BINARY",
})
_SUPPRESSION = lazy(r"(?i)ignore|noqa|skip")


def _move_fix(df: Dockerfile, copy: Instruction, run: Instruction, read_manifest: ReadManifest) -> Fix:
    """Move ``run`` above ``copy`` with a COPY of its requirements file before it, when
    nothing can tell the difference (see the docstring); else no fix."""
    stage = df.stages[copy.stage] if 0 <= copy.stage < len(df.stages) else None
    if stage is None or run.stage != copy.stage:
        return NO_FIX
    at = next((i for i, instr in enumerate(stage.instructions) if instr is copy), -1)
    if at < 0 or stage.instructions[at + 1:at + 2] != [run]:
        return NO_FIX
    dest = _copy_dest(copy, stage.instructions[:at])
    manifest = _manifest_of(df, run)
    if dest is None or manifest is None or not _self_contained(read_manifest(manifest)):
        return NO_FIX
    comments = _comments_around(df, copy, run)
    if comments is None or any(_SUPPRESSION.search(text) for text in comments):
        return NO_FIX
    # The new COPY line: the COPY's own line with its source word replaced.
    line = df.lines[copy.start_line - 1]
    offset, word = _source_words(copy.args)[0]
    col = copy.args_position(offset)[1] - 1
    rest = line[col + len(word):]
    new_copy = line[:col] + manifest + rest.replace(dest[0], dest[1], 1)
    run_start = line_start(df, run.start_line)
    if run.end_line < len(df.lines):
        run_end = line_start(df, run.end_line + 1)
        moved, cut = df.text[run_start:run_end], (run_start, run_end, "")
    else:  # the last line: no line ending of its own; the one before it goes with it
        moved = df.text[run_start:] + newline_near(df, run.start_line)
        cut = (line_end(df, run.start_line - 1), len(df.text), "")
    where = line_start(df, copy.start_line)
    return Fix(((where, where, new_copy + newline_near(df, copy.start_line) + moved), cut))


def _copy_dest(copy: Instruction, before: Sequence[Instruction]) -> tuple[str, str] | None:
    """(the destination as written, as the new COPY writes it) of a plain ``COPY . DEST``."""
    if copy.json is not None or copy.heredocs or copy.start_line != copy.end_line:
        return None
    if any(flag.name.lower() not in _COPY_FLAGS for flag in copy.flags):
        return None
    words = [word for _offset, word in _source_words(copy.args)] + [copy.args.split()[-1]]
    if len(words) != 2 or words[0] not in (".", "./") or not _PLAIN_PATH.fullmatch(words[1]):
        return None
    dest = words[1]
    if dest in (".", "./"):
        return dest, dest
    workdir = next((instr for instr in reversed(before) if instr.keyword == "WORKDIR"), None)
    if (
        workdir is None or not dest.startswith("/") or not _PLAIN_PATH.fullmatch(workdir.args)
        or posixpath.normpath(workdir.args) != posixpath.normpath(dest)
    ):
        return None
    return dest, dest if dest.endswith("/") else dest + "/"


def _manifest_of(df: Dockerfile, run: Instruction) -> str | None:
    """The one requirements file of a RUN that is just ``pip install [safe flags] -r FILE``."""
    if run.flags or run.json is not None or run.heredocs:
        return None
    if any(
        name.upper().startswith("PIP_") and name.upper() not in _SAFE_PIP_VARIABLES
        for variables in (run.env_vars, run.args_vars) for name in variables
    ):
        return None
    words = tuple(run.args.split())
    if not words or not all(_PLAIN_WORD.fullmatch(word) for word in words) or df.escape in run.args:
        return None
    script = run_script(run, df.lines)
    commands, installs = script.commands(), script.installs()
    if len(commands) != 1 or commands[0].words != words or commands[0].assignments:
        return None
    install = installs[0]
    if install is None or install.tool != "pip" or install.verb != "install":
        return None
    files: list[str] = []
    args = install.args
    i = 0
    while i < len(args):
        if args[i] in ("-r", "--requirement") and i + 1 < len(args):
            files.append(args[i + 1])
            i += 2
        elif args[i] in _SAFE_PIP_FLAGS:
            i += 1
        else:
            return None
    return files[0] if len(files) == 1 and _MANIFEST_NAME.fullmatch(files[0]) else None


def _self_contained(texts: list[str]) -> bool:
    """Whether every text found is requirements from an index only (nothing read from the
    context besides the file itself)."""
    from hooks import _requirements

    if not texts:
        return False
    for text in texts:
        for entry in _requirements.parse(text).entries:
            if entry.kind not in (_requirements.REQUIREMENT, _requirements.OPTION):
                return False
            req = entry.requirement
            if req is not None and (req.kind != _requirements.INDEX or req.editable or req.unresolved):
                return False
            if any(option.name not in _SAFE_MANIFEST_OPTIONS for option in entry.options):
                return False
    return True


def _comments_around(df: Dockerfile, copy: Instruction, run: Instruction) -> list[str] | None:
    """The comment lines between the COPY and the RUN (None if anything else is there),
    and those right above the COPY, which apply to what follows them."""
    between = df.lines[copy.end_line:run.start_line - 1]
    out = [text for text in between if text.strip()]
    if any(not text.lstrip().startswith("#") for text in out):
        return None
    number = copy.start_line - 1
    while number >= 1 and df.lines[number - 1].lstrip().startswith("#"):
        out.append(df.lines[number - 1])
        number -= 1
    return out


def manifest_reader(ctx: Context, dockerfile: str) -> ReadManifest:
    """Reads a file of the given name in the Dockerfile's folder and each folder above it
    up to the repository root (where the build context may be)."""
    import os

    rel = dockerfile
    if os.path.isabs(rel):
        rel = os.path.relpath(rel, ctx.repo.root)
    rel = posixpath.normpath(rel.replace("\\", "/"))

    def read(name: str) -> list[str]:
        texts = []
        directory = posixpath.dirname(rel)
        while not directory.startswith(".."):
            text = ctx.repo.optional_text(posixpath.join(directory, name) if directory else name)
            if text is not None:
                texts.append(text)
            if not directory:
                break
            directory = posixpath.dirname(directory)
        return texts

    return read


def includes_in(context: BuildContext) -> Includes:
    """The files that a requirements file of the build ``context`` includes (with its
    includes' includes), as context paths; none when it cannot be read."""

    def included(rel: str) -> tuple[tuple[str, ...], str]:
        from hooks._requirements import PATH

        model = context.requirements(rel)
        if model is None:
            return (), ""
        prefix = context.directory.rstrip("/") + "/" if context.directory else ""
        files = tuple(path.removeprefix(prefix) for path in model.files if path != model.root.path)
        local = next((
            entry.text for file in model.files.values() for entry in file.requirements()
            if entry.requirement is not None and entry.requirement.kind == PATH
            and not entry.requirement.text.endswith((".whl", ".tar.gz", ".zip"))
        ), "")
        return files, local

    return included


def _check_in_context(df: Dockerfile, ctx: Context) -> list[Finding]:
    context = ctx.build_context(df)
    return check(
        df, dockerignores=context.ignores, includes=includes_in(context),
        read_manifest=manifest_reader(ctx, df.path) if ctx.fixer is not None else None,  # for the fix
    )


HOOK = Hook(
    id="check-requirements-before-source", doc=__doc__ or "", rules=RULES,
    dockerfile=_check_in_context,
)


def main(argv: Sequence[str] | None = None) -> int:
    return run_hook(HOOK, argv)


if __name__ == "__main__":
    raise SystemExit(main())
