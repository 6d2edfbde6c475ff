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
install it busts. A whole-context bind mount on the install's own ``RUN`` is reported
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
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from hooks._cli import run_hook
from hooks._dockerfile import Dockerfile, Instruction
from hooks._findings import WARNING, Finding, Rule
from hooks._hook import Hook
from hooks._patterns import lazy
from hooks._shell import Install, Script, option_value, run_script

if TYPE_CHECKING:
    from hooks._dockerignore import IgnoreFile

SOURCE_FIRST = Rule(
    "DPH301", "source-copied-before-dependencies", WARNING,
    "The whole source is copied before the dependencies are installed.",
)
RULES = (SOURCE_FIRST,)

_WHOLE_CONTEXT = frozenset({".", "./", "*", "./*", "/", "/*", "./."})
_JSON_STRING_RE = re.compile(r'"((?:[^"\\]|\\.)*)"')
_WORD_RE = lazy(r"[^ \t\v\f\r\n]+")
_PIPENV_VALUE = frozenset({"--python", "--pypi-mirror", "--extra-pip-args", "--categories", "-r"})
# (manifest files, the deps-only install to run before the source is copied)
_FIXES = {
    "uv sync": ("pyproject.toml and uv.lock", "'uv sync --no-install-project'"),
    "poetry": ("pyproject.toml and poetry.lock", "'poetry install --no-root'"),
    "pdm": ("pyproject.toml and pdm.lock", "'pdm install --no-self'"),
    "pipenv": ("Pipfile and Pipfile.lock", "the install"),
    "uv pip sync": ("the requirements file", "the sync"),
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


def _installs(df: Dockerfile, instr: Instruction) -> list[tuple[int, str, tuple[str, ...]]]:
    """(line, command text, manifest keys) of each dependency install of a RUN."""
    script = run_script(instr, df.lines)
    found = _dependency_installs(script)
    return [(script.position(offset)[0], command, keys) for offset, command, keys in found] if found else []


def _dependency_installs(script: Script) -> tuple[tuple[int, str, tuple[str, ...]], ...]:
    """(offset, command text, manifest keys) of each dependency install of a RUN's script."""
    out = []
    for cmd, install in zip(script.commands(), script.installs(), strict=True):
        keys = manifest_keys(install) if install is not None else ()
        if keys:
            out.append((cmd.offsets[0] if cmd.offsets else cmd.offset, " ".join(cmd.words), keys))
    return tuple(out)


_Install = tuple[int, str, tuple[str, ...]]
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




def check(df: Dockerfile, *, dockerignores: Sequence[IgnoreFile] = ()) -> list[Finding]:
    """Each stage continues from its parent's end state, so every instruction is read
    once and an inherited copy is not walked again once an install has busted it: the
    work is linear even for thousands of chained stages (installs are met in file order,
    so the first install that busts a copy is the earliest)."""
    if dockerignores and _manifests_only(dockerignores):
        return []  # every context copy brings the manifests only
    busted: dict[_Source, _Install] = {}
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
                    before = frozenset(installed)
                    groups[before] = (source, groups.get(before))
                continue
            if kw != "RUN":
                continue
            installs = _installs(df, instr)
            if not installs:
                continue
            mount = _context_mount(instr) if instr.flags else None
            mounted = frozenset(installed)
            for install in installs:
                needed = set(install[2])
                for before, head in groups.items():
                    if not needed <= before:
                        _bust(head, install, busted)
                if mount is not None and not needed <= mounted and mount not in busted:
                    busted[mount] = install
                installed.update(install[2])
        ends.append((frozenset(installed), groups))
    return [
        SOURCE_FIRST.at(df.path, line, col, _message(what, *busted[(line, col, what)]))
        for line, col, what in sorted(busted)
    ]


def _bust(head: _Copies | None, install: _Install, busted: dict[_Source, _Install]) -> None:
    """Mark the copies of a group busted by ``install``; stop at one already busted (the
    older ones behind it were busted with it)."""
    while head is not None and head[0] not in busted:
        busted[head[0]] = install
        head = head[1]


def _message(what: str, line: int, command: str, keys: tuple[str, ...]) -> str:
    shown = command if len(command) <= 60 else command[:57] + "..."
    files, first = _FIXES.get(keys[0]) or (" and ".join(keys), "the install")
    if what.startswith("RUN"):
        return (
            f"{what} re-runs its dependency install ('{shown}') on every source change; "
            f"bind-mount only {files} for it, and the source for a later install of the project"
        )
    return (
        f"{what} copies the whole source before the dependency install on line {line} "
        f"('{shown}'), so every source change re-installs every dependency; "
        f"copy only {files} first, run {first}, then copy the source"
    )


HOOK = Hook(
    id="check-requirements-before-source", doc=__doc__ or "", rules=RULES,
    dockerfile=lambda df, ctx: check(df, dockerignores=ctx.dockerignores(df.path)),
)


def main(argv: Sequence[str] | None = None) -> int:
    return run_hook(HOOK, argv)


if __name__ == "__main__":
    raise SystemExit(main())
