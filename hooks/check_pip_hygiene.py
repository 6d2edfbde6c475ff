"""check-pip-hygiene: pip and uv installs pin what they name and leave no cache in the image.

Recognises ``pip``, ``pip3``, ``pip3.12``, ``/usr/local/bin/pip``, ``python -m pip``,
``python3.12 -m pip`` and (for pins only) ``uv pip install``, in shell-form, exec-form
and heredoc ``RUN``s, also behind ``sudo``, ``env`` or ``sh -c``, and spelled through an
``ARG`` or ``ENV`` value (``ARG PIP=pip3`` then ``RUN ${PIP} install``); a variable whose
value is not known here (no default, set by the script itself) stays unknown and is not
judged.

DPH506 judges what ships: the final stage (``--target``, else the last one that is not
a dev or test stage) and the stages it is built ``FROM``, with their ``ONBUILD RUN``
triggers (which run in every build ``FROM`` the image); a cache left in a builder stage
is not copied into the image. The cache (``~/.cache/pip`` of the ``USER`` the ``RUN`` runs
as: under ``/root`` only for root; before any ``USER``, the user the base image ends with,
where it is known: ``mambauser`` for micromamba, ``jovyan`` for Jupyter's images, ``ray``
for Ray's) is off when the command says ``--no-cache-dir`` (or its unambiguous abbreviation
``--no-cache``); when ``PIP_NO_CACHE_DIR`` is set (``ENV`` in the stage chain, ``ARG``,
``export`` or a ``NAME=value`` / ``env`` prefix; pip reads any boolean, even ``0`` or
``off``, as "no cache"); when ``RUN --mount=type=cache`` (or ``tmpfs``) covers pip's cache
directory (``*/.cache/pip``, ``*/.cache``, ``$PIP_CACHE_DIR``, ``$XDG_CACHE_HOME``,
``--cache-dir``); when ``pip config set global.no-cache-dir`` ran earlier, or a heredoc
wrote a ``pip.conf`` with ``no-cache-dir``; when the base image is one of Red Hat's
Python images (``ubi9/python-311``, ``sclorg``), whose Dockerfiles set
``PIP_NO_CACHE_DIR``; or when the same ``RUN`` removes the cache afterwards (``pip cache
purge``, ``rm -rf /root/.cache/pip``).

DPH507 judges uv the same way, over the same stages: ``uv pip install``, ``uv pip sync``,
``uv sync``, ``uv add`` and ``uv tool install`` keep uv's cache unless the command says
``--no-cache`` (``-n``, ``--no-cache-dir``; uv takes it anywhere on the line),
``UV_NO_CACHE`` is true (uv reads ``0``, ``false``, ``no`` and ``off`` as false), a
cache or tmpfs mount covers uv's
cache directory (``*/.cache/uv``, ``*/.cache``, ``$UV_CACHE_DIR``, ``$XDG_CACHE_HOME``,
``--cache-dir``), a heredoc wrote a ``uv.toml`` with ``no-cache = true``, or the same
``RUN`` cleans it afterwards (``uv cache clean``, ``uv cache prune``, ``rm -rf
/root/.cache/uv``). ``[tool.uv] no-cache`` in pyproject.toml is not read: set
``UV_NO_CACHE`` or pass ``--no-cache`` in the Dockerfile, where a reader sees it.

DPH107 judges every stage and ``ONBUILD`` trigger: a builder stage builds what ships.
Requirements files (``-r``), paths (``.``, ``./pkg``, ``/wheels/*``), archives and
wheels, URLs and ``-e`` paths are not package names; option values (``-i URL``,
``--target DIR``, ``-C key=value``...) are skipped. An install restricted by a
constraints file (``-c``, ``PIP_CONSTRAINT``, uv ``--override``) or from local wheels
only (``--no-index``) is trusted: check-requirements-pinned checks those files. A VCS
link (``git+https://…@ref``, ``"name @ git+…"``, ``-e git+…``) is judged as DPH102
judges it in a requirements file, whatever the index or constraints: only a full commit
hash pins it. ``${VAR}`` in a link is expanded from ``ARG``/``ENV``; a link whose value
is not known is not judged.
``pip install --upgrade pip setuptools wheel`` is reported too: an unpinned build tool
has broken builds overnight (setuptools 72 and 78 did); accept it explicitly with
``--allow-unpinned pip,setuptools,wheel`` if you must.

Options:
    --target NAME                 judge the stage NAME instead of the last one (DPH506).
    --allow-unpinned NAME[,NAME]  package names DPH107 accepts without a pin.

## DPH107 unpinned-pip-install
### What it does
Reports each package named on a ``pip install`` / ``uv pip install`` command line (or
``pip wheel``, which resolves the same way to build wheels for a later install) that
is not pinned to exactly one version with ``==`` (or ``===``), at the package word.
``>=``, ``~=``, ``<``, ranges and ``==1.*`` are not pins; a name that the same command
line also pins (``pip install poetry poetry==2.0.1``), or that a requirements file the same
command reads with ``-r`` pins (found in the build context, with what it includes), is
pinned, as pip's resolver merges the two. A VCS link is pinned only by a
full commit hash: no ref, a branch, a tag or an abbreviated hash is reported (DPH102's
test, on the command line). A package installed the same way in both branches of an
``if`` in one ``RUN`` is reported once, at its first install.
### Why is this bad?
An unpinned install takes whatever is newest on the day of the build: two builds of the
same commit ship different code, and a release upstream can break the build or the
app without any change here. Overlaps hadolint DL3013, which counts ``>=`` as pinned and
does not look at ``uv pip install``. A branch or tag moves, so a VCS link pinned to
one installs different code over time.
### Example
```dockerfile
FROM python:3.12-slim-bookworm
RUN pip install --no-cache-dir gunicorn "uvicorn[standard]>=0.30"
RUN pip install --no-cache-dir git+https://github.com/org/lib.git@v1
```
### Use instead
```dockerfile
FROM python:3.12-slim-bookworm
RUN pip install --no-cache-dir gunicorn==22.0.0 "uvicorn[standard]==0.30.6"
RUN pip install --no-cache-dir git+https://github.com/org/lib.git@0123456789abcdef0123456789abcdef01234567
```

## DPH506 pip-cache-in-image
### What it does
Reports a ``pip install`` in the shipped stage chain that keeps pip's download and
wheel cache: no ``--no-cache-dir``, no ``PIP_NO_CACHE_DIR``, no cache mount on the
pip cache directory and no removal of it in the same ``RUN``. An install from local
files only (``--no-index``, ``--find-links`` a directory) downloads nothing and is not reported.
### Why is this bad?
pip keeps every downloaded archive and built wheel under ``~/.cache/pip``; in an image
layer that is dead weight (often tens to hundreds of MB) that every pull downloads.
Overlaps hadolint DL3042 (which also accepts ``PIP_NO_CACHE_DIR`` and cache mounts).
### Example
```dockerfile
FROM python:3.12-slim-bookworm
COPY requirements.txt .
RUN pip install -r requirements.txt
```
### Use instead
```dockerfile
FROM python:3.12-slim-bookworm
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
```
or keep the cache between builds, outside the image:
```dockerfile
RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
```
### Fix
Adds ``--no-cache-dir`` right after the ``install`` word (``uv pip install`` is
DPH507's). Not offered for an exec-form ``RUN``, where ``install`` is quoted, built
from a variable or glued to other text, nor for a command with ``--cache-dir`` (pip
applies the options in order, so that later ``--cache-dir`` would turn the cache back
on; the message names its directory for the cache mount).

## DPH507 uv-cache-in-image
### What it does
Reports a uv command that installs packages (``uv pip install``, ``uv pip sync``,
``uv sync``, ``uv add``, ``uv tool install``) in the shipped stage chain and keeps uv's
cache: no ``--no-cache``, no true ``UV_NO_CACHE``, no cache mount on uv's cache
directory and no ``uv cache clean`` or removal of it in the same ``RUN``. An install from
local wheels only (``--no-index``) is not reported.
### Why is this bad?
uv keeps the index metadata it fetched and every wheel it built from a source
distribution under ``~/.cache/uv``; with ``UV_LINK_MODE=copy`` (usual beside cache
mounts) it also keeps a second copy of every installed package. In the image that is
dead weight that every pull downloads. uv's Docker guide recommends a cache mount, or
``--no-cache``/``UV_NO_CACHE`` when the cache is not mounted. hadolint does not look at uv.
### Example
```dockerfile
FROM python:3.12-slim-bookworm
COPY --from=ghcr.io/astral-sh/uv:0.5.11 /uv /bin/uv
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-install-project
```
### Use instead
```dockerfile
FROM python:3.12-slim-bookworm
COPY --from=ghcr.io/astral-sh/uv:0.5.11 /uv /bin/uv
COPY pyproject.toml uv.lock ./
RUN uv sync --no-cache --frozen --no-install-project
```
or keep the cache between builds, outside the image:
```dockerfile
RUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen --no-install-project
```
### Fix
Adds ``--no-cache`` right after the subcommand (``sync``, ``install``). Not offered for
an exec-form ``RUN``, nor where the subcommand is quoted, built from a variable or
glued to other text.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from hooks._cli import run_hook
from hooks._dockerfile import Dockerfile, Instruction, Stage
from hooks._findings import ERROR, WARNING, Finding, Fix, Rule, unknown_target
from hooks._fix import insert_after_word
from hooks._hook import TARGET, Hook, Option
from hooks._images import image_env, image_user, stage_image_use
from hooks._shell import Command, Install, Script, option_value, run_script

if TYPE_CHECKING:
    from hooks._context import BuildContext

UNPINNED = Rule(
    "DPH107", "unpinned-pip-install", ERROR,
    "A package named on a pip install command line is not pinned with '=='.",
)
PIP_CACHE = Rule(
    "DPH506", "pip-cache-in-image", WARNING,
    "A pip install in the shipped stages keeps pip's cache in the image.",
    fixable=True,
)
UV_CACHE = Rule(
    "DPH507", "uv-cache-in-image", WARNING,
    "A uv install or sync in the shipped stages keeps uv's cache in the image.",
    fixable=True,
)
RULES = (UNPINNED, PIP_CACHE, UV_CACHE)

# Options whose value is the next word (a ``--name=value`` word carries its own).
_PIP_VALUE = frozenset({
    "--requirement", "--constraint", "--editable", "--target", "--platform", "--python-version",
    "--implementation", "--abi", "--root", "--prefix", "--src", "--upgrade-strategy",
    "--config-settings", "--global-option", "--install-option", "--build-option", "--no-binary",
    "--only-binary", "--progress-bar", "--root-user-action", "--report", "--index-url",
    "--extra-index-url", "--find-links", "--group", "--log", "--proxy", "--retries", "--timeout",
    "--exists-action", "--trusted-host", "--cert", "--client-cert", "--cache-dir", "--python",
    "--use-feature", "--use-deprecated", "--keyring-provider", "--log-file", "--local-log",
    "--build-dir", "--download", "--wheel-dir",
})
_UV_VALUE = frozenset({
    "--requirements", "--requirement", "--constraints", "--constraint", "--overrides", "--override",
    "--build-constraints", "--build-constraint", "--editable", "--extra", "--index-url",
    "--extra-index-url", "--index", "--default-index", "--find-links", "--index-strategy",
    "--keyring-provider", "--upgrade-package", "--reinstall-package", "--no-build-isolation-package",
    "--no-binary", "--only-binary", "--python-version", "--python-platform", "--target", "--prefix",
    "--python", "--resolution", "--prerelease", "--exclude-newer", "--link-mode", "--config-setting",
    "--config-settings", "--cache-dir", "--directory", "--project", "--config-file", "--color",
    "--python-preference", "--allow-insecure-host", "--trusted-host", "--refresh-package", "--group",
    "--torch-backend", "--dependency-metadata",
})
_PIP_SHORT_VALUE = frozenset("rceiftCw")  # -w: pip wheel's --wheel-dir
_UV_SHORT_VALUE = frozenset("rceifbpPC")
_ARCHIVES = (".whl", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tar", ".zip", ".egg")
_NAME_RE = re.compile(r"([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*(.*)", re.DOTALL)
_PIN_RE = re.compile(r"===\s*\S+|==\s*[^\s*]+")
_NO_CACHE_FLAG = "--no-cache-dir"
_PIP_CONF_RE = re.compile(r"^\s*no[-_]cache[-_]dir\s*=", re.IGNORECASE | re.MULTILINE)
_FALSE = frozenset({"", "0", "false", "no", "off", "n", "f"})
# uv commands that download and build packages into uv's cache.
_UV_CACHING = frozenset({"pip install", "pip sync", "sync", "add"})
_UV_CONF_RE = re.compile(r"^\s*no-cache\s*=\s*true\b", re.MULTILINE)


def _name_key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# ---------------------------------------------------------------------------
# Variables as the command sees them
# ---------------------------------------------------------------------------

def _exports(cmd: Command, exported: dict[str, str]) -> None:
    """Remember ``export NAME=value`` (``declare``, ``readonly``...) for the commands after it."""
    if cmd.program in ("export", "declare", "typeset", "readonly"):
        for word in cmd.words[1:]:
            name, sep, value = word.partition("=")
            if sep:
                exported[name] = value


def _variable(name: str, instr: Instruction, cmd: Command, exported: Mapping[str, str]) -> str | None:
    """The value of ``name`` for ``cmd``, a command of ``instr``'s script: a ``NAME=value``
    prefix, else an export before it (``exported``), else the ENV or ARG where ``instr``
    runs (``$NAME`` when unknown); None when nothing sets it."""
    for assignment in reversed(cmd.assignments):
        key, _, value = assignment.partition("=")
        if key == name:
            return value
    if name in exported:
        return exported[name]
    var = instr.lookup(name)
    if var is None:
        return None
    return var.value if var.resolved else f"${name}"


# ---------------------------------------------------------------------------
# DPH107: unpinned packages
# ---------------------------------------------------------------------------

def _operands(args: tuple[str, ...], long_values: frozenset[str], short_values: frozenset[str]) -> Iterator[int]:
    """Indexes of the words of ``args`` that are neither options nor option values."""
    i = 0
    only_operands = False
    while i < len(args):
        word = args[i]
        if only_operands or not word.startswith("-") or word == "-":
            yield i
        elif word == "--":
            only_operands = True
        elif word.startswith("--"):
            if "=" not in word and word in long_values:
                i += 1
        else:
            for j, letter in enumerate(word[1:], start=1):
                if letter in short_values:
                    i += 1 if j == len(word) - 1 else 0
                    break
        i += 1


def _pinned_name(word: str) -> str | None:
    """The package name ``word`` pins with ``==`` (``poetry==2.0.1``), else None."""
    match = _NAME_RE.fullmatch(word) if unpinned(word) is None else None
    if match is None or "://" in word or "/" in word:
        return None
    rest = match.group(3).split(";", 1)[0]
    return match.group(1) if any(_PIN_RE.fullmatch(clause.strip()) for clause in rest.split(",")) else None


def unpinned(word: str) -> tuple[str, str] | None:
    """(name, version part) when ``word`` names a package without a ``==`` pin, else None.

    Paths, archives, URLs, VCS links, variables and anything that is not a
    requirement specifier give None: they are not judged.
    """
    if not word or "://" in word or word.startswith((".", "/", "~", "-")) or "/" in word or "\\" in word:
        return None
    if word.lower().endswith(_ARCHIVES):
        return None
    match = _NAME_RE.fullmatch(word)
    if match is None:
        return None
    name, _, rest = match.groups()
    rest = rest.split(";", 1)[0].strip()
    if rest.startswith("(") and rest.endswith(")"):
        rest = rest[1:-1].strip()
    if rest and rest[0] not in "=<>!~":
        return None  # ``name @ url``, ``name$SUFFIX``...: not a version we can judge
    if any(_PIN_RE.fullmatch(clause.strip()) for clause in rest.split(",")):
        return None
    return name, rest


def _vcs_words(
    cmd: Command, args: tuple[str, ...], operands: Sequence[int], editable: tuple[str, ...]
) -> list[tuple[int, str]]:
    """(offset, word) of the VCS links an install names: operands and ``-e`` values."""
    base = len(cmd.words) - len(args)
    found: list[tuple[int, str]] = []
    for index, word in enumerate(args):
        if "://" not in word:
            continue
        if index in operands or (index > 0 and args[index - 1] in editable):
            value = word
        elif word.startswith("--editable="):
            value = word[len("--editable="):]
        elif word.startswith("-e") and len(word) > 2 and not word.startswith("--"):
            value = word[2:]
        else:
            continue
        if "+" in value and "://" in value:
            offset = cmd.offsets[base + index] if base + index < len(cmd.offsets) else cmd.offset
            found.append((offset + len(word) - len(value), value))
    return found


# The canonical names that the requirements file a ``-r`` names (as written) pins; empty
# when it cannot be found in the build context.
PinsOf = Callable[[str], frozenset[str]]


def pins_in(context: BuildContext) -> PinsOf:
    """:data:`PinsOf` for the build ``context``: the file as written (relative to the
    WORKDIR, which is most often where the context was copied), else by its name."""

    def pins(written: str) -> frozenset[str]:
        if "$" in written:
            return frozenset()
        names = [written.lstrip("./")] if not written.startswith("/") else []
        names.append(written.rstrip("/").rsplit("/", 1)[-1])
        for name in dict.fromkeys(names):
            if context.exists(name):
                model = context.requirements(name)
                return model.pinned_names() if model is not None else frozenset()
        return frozenset()

    return pins


def _unpinned_findings(df: Dockerfile, allowed: frozenset[str], pins: PinsOf | None = None) -> list[Finding]:
    findings: list[Finding] = []
    for instr in df.all_instructions():
        if instr.keyword == "RUN" and instr.stage >= 0:
            script = run_script(instr, df.lines)
            installs = script.installs()
            if not any(installs):
                continue  # no Python package manager in this RUN (most RUNs)
            exported: dict[str, str] = {}
            said: set[str] = set()  # a package installed in both branches of an 'if': reported once
            for cmd, install in zip(script.commands(), installs, strict=True):
                if install is None:
                    _exports(cmd, exported)
                    continue
                for finding in _unpinned_in(df, instr, script, install, exported, allowed, pins):
                    if finding.message not in said:
                        said.add(finding.message)
                        findings.append(finding)
    return findings


def _unpinned_in(
    df: Dockerfile, instr: Instruction, script: Script, install: Install, exported: Mapping[str, str],
    allowed: frozenset[str], pins: PinsOf | None = None,
) -> list[Finding]:
    """DPH107 on one ``pip install`` / ``pip wheel`` / ``uv pip install`` of the script (``exported``: the
    variables the script exported before it)."""
    restricted: tuple[str, ...]
    env: tuple[str, ...]
    if install.tool == "pip" and install.verb in ("install", "wheel"):
        long_values, short_values = _PIP_VALUE, _PIP_SHORT_VALUE
        restricted = ("-c", "--constraint")
        env = ("PIP_CONSTRAINT", "PIP_NO_INDEX")
    elif install.tool == "uv" and install.verb == "pip install":
        long_values, short_values = _UV_VALUE, _UV_SHORT_VALUE
        restricted = ("-c", "--constraint", "--constraints", "--override", "--overrides")
        env = ("UV_CONSTRAINT", "UV_OVERRIDE", "UV_NO_INDEX")
    else:
        return []
    cmd, args = install.command, install.args
    operands = list(_operands(args, long_values, short_values))
    findings: list[Finding] = []
    # A VCS link installs the ref it names, whatever the index or the constraints say.
    for offset, word in _vcs_words(cmd, args, operands, ("-e", "--editable")):
        message = _vcs_message(df, instr, word, allowed)
        if message is not None:
            line, col = script.position(offset)
            findings.append(UNPINNED.at(df.path, line, col, message))
    base = len(cmd.words) - len(args)
    judged: list[tuple[int, str, str, str]] = []  # (offset, word, name, version) of each unpinned package
    # A name also pinned on the same command line (``poetry poetry==2.0.1``): pip's resolver
    # merges the two requirements, so the pin decides.
    pinned = {_name_key(name) for name in map(_pinned_name, (args[i] for i in operands)) if name}
    for operand in operands:
        word = args[operand]
        found = unpinned(word)
        if found is not None and _name_key(found[0]) not in allowed and _name_key(found[0]) not in pinned:
            offset = cmd.offsets[base + operand] if base + operand < len(cmd.offsets) else cmd.offset
            judged.append((offset, word, *found))
    if not judged or "--no-index" in args or option_value(args, *restricted):
        return findings
    files = option_value(args, "-r", "--requirement", "--requirements") if pins is not None else []
    if files and pins is not None:  # a requirements file of the same command may pin them
        pinned_there = frozenset().union(*(pins(name) for name in files))
        judged = [item for item in judged if _name_key(item[2]) not in pinned_there]
        if not judged:
            return findings
    if all((_variable(name, instr, cmd, exported) or "").lower() in _FALSE for name in env):
        for offset, word, name, version in judged:
            line, col = script.position(offset)
            findings.append(UNPINNED.at(
                df.path, line, col, _unpinned_message(script.text, offset, word, name, version),
            ))
    return findings


def _vcs_message(df: Dockerfile, instr: Instruction, word: str, allowed: frozenset[str]) -> str | None:
    """The DPH107 message for the VCS link ``word`` where ``instr`` runs, or None when it is
    pinned to a commit (as DPH102 judges it), allowed, or not known (an unresolved variable)."""
    # The requirements model is loaded only for a file that has a VCS link on a pip line.
    from hooks._requirements import VCS, Requirement, parse_requirement, vcs_pin_problem
    from hooks._secrets import mask_secrets

    value = word
    if "$" in word:
        expanded = instr.expand(word, df.escape)
        if not expanded.resolved:
            return None
        value = expanded.value
    req = parse_requirement(value)
    if not isinstance(req, Requirement) or req.kind != VCS or (req.name is not None and req.name in allowed):
        return None
    problem = vcs_pin_problem(req)
    if problem is None:
        return None
    shown = mask_secrets(word)
    return f"VCS install '{shown if len(shown) <= 80 else shown[:77] + '...'}' {problem}"


_EXTRAS_RE = re.compile(r"\s*(\[[^\]]*\])")


def _unpinned_message(script: str, offset: int, word: str, name: str, version: str) -> str:
    at = word.find(name)
    extras = _EXTRAS_RE.match(word, at + len(name)) if at >= 0 else None
    example = name + (extras.group(1) if extras else "")  # the extras stay: 'ray[serve]==X.Y.Z'
    fix = f"pin it with '==' (e.g. '{example}==X.Y.Z') or install it from a pinned requirements file"
    after = script[offset + len(word):offset + len(word) + 1]
    if not version and script.startswith(word, offset) and after in ("<", ">"):
        return (
            f"package '{word}' is not pinned: the unquoted '{after}' after it is a shell redirection, "
            f"not a version; quote the requirement and {fix}"
        )
    if version:
        return f"package '{word}' is not pinned to one version; {fix}"
    return f"package '{word}' is not pinned; {fix}"


# ---------------------------------------------------------------------------
# DPH506: pip's cache left in the image
# ---------------------------------------------------------------------------

def _cache_targets(df: Dockerfile, instr: Instruction) -> list[str]:
    """Targets of the cache and tmpfs mounts of a RUN, as written and expanded."""
    targets: list[str] = []
    for value in instr.flag_values("mount"):
        fields: dict[str, str] = {}
        for part in value.split(","):
            key, _, field = part.partition("=")
            fields[key.strip().lower()] = field.strip()
        if fields.get("type") not in ("cache", "tmpfs"):
            continue
        target = fields.get("target") or fields.get("dst") or fields.get("destination") or ""
        expanded = instr.expand(target, df.escape)
        targets.extend({target.rstrip("/"), expanded.value.rstrip("/") if expanded.resolved else ""} - {""})
    return targets


def _is_tool_cache(path: str, cache_dir: str | None, tool: str, user: str | None) -> bool:
    """Whether a mount target or removed ``path`` covers the cache directory of ``tool``
    (pip or uv): ``cache_dir`` when it is set, else the default ``~/.cache/<tool>`` of the
    ``user`` the command runs as (None: root; another user's cache is not under /root)."""
    path = path.rstrip("/*").rstrip("/")
    if not path:
        return False
    if cache_dir is not None:
        cache_dir = cache_dir.rstrip("/")
        return cache_dir == path or cache_dir.startswith(path + "/")
    if user is not None and (path == "/root" or path.startswith("/root/")):
        return False
    return path.endswith((f"/.cache/{tool}", "/.cache")) or path in ("~", "$HOME", "${HOME}", "/root")


def _no_cache_flag(words: tuple[str, ...]) -> bool:
    """``--no-cache-dir`` (or an abbreviation pip accepts) on the command line."""
    return any(
        word == _NO_CACHE_FLAG or word.startswith(_NO_CACHE_FLAG + "=")
        or (len(word) >= 7 and _NO_CACHE_FLAG.startswith(word))
        for word in words
    )


class _CacheTool(NamedTuple):
    """How one installer's cache is turned off, found and emptied."""

    name: str  # the installer, and its directory under ~/.cache
    no_cache: Callable[[tuple[str, ...]], bool]  # the command line turns the cache off
    off_variable: str  # the variable that turns it off
    any_value_off: bool  # pip reads any value of it as "off"; uv reads a boolean
    cleaning: frozenset[str]  # ``<name> cache X`` that empties it
    dir_variable: str  # the variable that moves it


_PIP = _CacheTool("pip", _no_cache_flag, "PIP_NO_CACHE_DIR", True, frozenset({"purge", "remove"}), "PIP_CACHE_DIR")
# uv takes --no-cache (-n, and its alias --no-cache-dir) anywhere on the line.
_UV = _CacheTool(
    "uv", lambda words: not {"--no-cache", "--no-cache-dir", "-n"}.isdisjoint(words), "UV_NO_CACHE", False,
    frozenset({"clean", "prune"}), "UV_CACHE_DIR",
)


def _keeps_cache(
    df: Dockerfile, instr: Instruction, script: Script, index: int, exported: Mapping[str, str],
    cleaners: Sequence[int], tool: _CacheTool, user: str | None,
) -> bool:
    """Whether the install that is command ``index`` of the script leaves ``tool``'s cache
    in the layer: the command line does not turn it off, nor does its variable, no cache
    mount covers its directory, and the ``cleaners`` after it neither empty it (``pip cache
    purge``, ``uv cache clean``) nor remove the directory. An install from local files
    only (``--no-index``) downloads nothing to keep."""
    cmds, installs = script.commands(), script.installs()
    cmd = cmds[index]
    if tool.no_cache(cmd.words) or _local_only(cmd.words):
        return False
    off = _variable(tool.off_variable, instr, cmd, exported)
    if off is not None and (bool(off) if tool.any_value_off else off.lower() not in _FALSE):
        return False  # set (a value not known here counts as set)
    removed: list[str] = []
    for after in cleaners[bisect_right(cleaners, index):]:
        later = installs[after]
        if (
            later is not None and later.tool == tool.name and later.verb == "cache"
            and later.args[:1] and later.args[0] in tool.cleaning
        ):
            return False
        if cmds[after].program == "rm":
            removed.extend(word for word in cmds[after].words[1:] if not word.startswith("-"))
    targets = _cache_targets(df, instr) if instr.flags else []
    if not targets and not removed:
        return True
    # Where the cache is, when it is not the default ``~/.cache/<name>``.
    explicit = option_value(cmd.words, "--cache-dir")
    cache_dir = explicit[-1] if explicit else (_variable(tool.dir_variable, instr, cmd, exported) or None)
    if cache_dir is None:
        xdg = _variable("XDG_CACHE_HOME", instr, cmd, exported)
        cache_dir = f"{xdg.rstrip('/')}/{tool.name}" if xdg else None
    return not any(_is_tool_cache(path, cache_dir, tool.name, user) for path in (*targets, *removed))


def _uv_caches(install: Install) -> bool:
    """Whether a uv call downloads or builds packages through uv's cache."""
    return install.verb in _UV_CACHING or (install.verb == "tool" and install.args[:1] == ("install",))


def _uv_cache_finding(
    df: Dockerfile, instr: Instruction, script: Script, install: Install, user: str | None,
) -> Finding:
    cmd = install.command
    verb = len(cmd.words) - len(install.args) - 1  # the last word of the verb (``sync``, ``install``)
    if install.verb == "tool":
        verb += 1  # ``uv tool install``
    line, col = script.position(cmd.offsets[0] if cmd.offsets else cmd.offset)
    fix = Fix()
    if instr.json is None and len(cmd.offsets) == len(cmd.words):
        at_line, at_col = script.position(cmd.offsets[verb])
        fix = insert_after_word(df, at_line, at_col, cmd.words[verb], " --no-cache")
    return UV_CACHE.at(
        df.path, line, col,
        f"'{' '.join(cmd.words[:verb + 1])}' without --no-cache leaves uv's cache in the image; add "
        f"--no-cache, set ENV UV_NO_CACHE=1, or use a cache mount ({_mount_advice('uv', user)})",
        fix=fix,
    )


def _local_only(words: tuple[str, ...]) -> bool:
    """``pip install --no-index`` (or uv's) with no ``--find-links`` on the network: nothing
    is downloaded, so pip writes no cache for the wheels, the usual case (``--find-links=/wheels``
    built by ``pip wheel`` in a builder stage), and what uv unpacks into its cache is
    hard-linked into the environment, adding next to nothing to the layer."""
    if "--no-index" not in words:
        return False
    return not any("://" in link and not link.startswith("file:") for link in option_value(words, "--find-links", "-f"))


def _sets_no_cache(install: Install) -> bool:
    """``pip config set global.no-cache-dir true`` (any section)."""
    return (
        install.tool == "pip" and install.verb == "config"
        and install.args[:1] == ("set",) and any(word.endswith(".no-cache-dir") for word in install.args)
    )


def _no_cache_fix(df: Dockerfile, instr: Instruction, script: Script, verb: int) -> Fix:
    """``--no-cache-dir`` right after the ``install`` word, where it is written plainly in a
    shell-form RUN or heredoc body (fix mode only: hooks/_fix.py)."""
    if instr.json is not None or verb < 0:
        return Fix()
    line, col = script.position(verb)
    return insert_after_word(df, line, col, "install", f" {_NO_CACHE_FLAG}")


def _user_of(df: Dockerfile, instr: Instruction) -> str | None:
    """The user a ``USER`` instruction switches to, None for root; as written when its
    variable has no value here (``USER $MAMBA_USER``, set by the base image)."""
    written = instr.args.split(":", 1)[0].strip()
    value = instr.expand(written, df.escape)
    name = value.value.strip() if value.resolved else written
    return None if name in ("", "root", "0") else name


def _mount_advice(tool: str, user: str | None) -> str:
    """The cache mount a message suggests: on root's cache, or on the cache of ``user``."""
    if user is None:
        return f"RUN --mount=type=cache,target=/root/.cache/{tool}"
    return f"RUN --mount=type=cache,target=<home of {user}>/.cache/{tool},uid=<uid of {user}>"


def _cache_findings(df: Dockerfile, stage: Stage) -> list[Finding]:
    findings: list[Finding] = []
    configured = "PIP_NO_CACHE_DIR" in image_env(df, stage)  # pip's configuration turns the cache off
    uv_configured = False  # uv's (uv.toml: no-cache = true)
    chain = df.chain(stage)
    use = stage_image_use(df, chain[0])
    user = image_user(use.ref if use is not None else None)  # the USER the RUNs run as (None: root)
    for member in chain:
        for instr in member.steps():
            if instr.keyword == "USER":
                user = _user_of(df, instr)
            # A pip.conf or uv.toml written from a heredoc (COPY <<EOF /etc/pip.conf, cat <<EOF > ...).
            if instr.heredocs and not configured:
                configured = any(_PIP_CONF_RE.search(d.content) for d in instr.heredocs)
            if instr.heredocs and not uv_configured:
                uv_configured = any(_UV_CONF_RE.search(d.content) for d in instr.heredocs)
            if instr.keyword != "RUN":
                continue
            script = run_script(instr, df.lines)
            cmds, installs = script.commands(), script.installs()
            if not any(installs):
                continue  # no Python package manager in this RUN (most RUNs)
            # The commands that may clean pip's cache (rm, pip cache ...), for the installs before them.
            cleaners = [
                i for i, (cmd, install) in enumerate(zip(cmds, installs, strict=True))
                if cmd.program == "rm" or (install is not None and install.verb == "cache")
            ]
            exported: dict[str, str] = {}
            for index, install in enumerate(installs):
                if install is None:
                    _exports(cmds[index], exported)
                elif _sets_no_cache(install):
                    configured = True
                elif (
                    install.tool == "pip" and install.verb == "install" and not configured
                    and _keeps_cache(df, instr, script, index, exported, cleaners, _PIP, user)
                ):
                    findings.append(_cache_finding(df, instr, script, install, user))
                elif (
                    install.tool == "uv" and not uv_configured and _uv_caches(install)
                    and _keeps_cache(df, instr, script, index, exported, cleaners, _UV, user)
                ):
                    findings.append(_uv_cache_finding(df, instr, script, install, user))
    return findings


def _cache_finding(
    df: Dockerfile, instr: Instruction, script: Script, install: Install, user: str | None,
) -> Finding:
    cmd = install.command
    verb = len(cmd.words) - len(install.args) - 1  # the ``install`` word
    line, col = script.position(cmd.offsets[0] if cmd.offsets else cmd.offset)
    shown = ' '.join(cmd.words[:verb + 1])
    explicit = option_value(cmd.words, "--cache-dir")
    if explicit:
        # pip applies --no-cache-dir and --cache-dir in order: an added --no-cache-dir would be
        # undone by the --cache-dir after it, so no fix; the mount goes on that directory.
        return PIP_CACHE.at(
            df.path, line, col,
            f"'{shown}' with --cache-dir {explicit[-1]} leaves pip's cache in the image; drop --cache-dir and "
            f"add --no-cache-dir, or use a cache mount (RUN --mount=type=cache,target={explicit[-1]})",
        )
    return PIP_CACHE.at(
        df.path, line, col,
        f"'{shown}' without --no-cache-dir leaves pip's cache in the image; add "
        f"--no-cache-dir, set ENV PIP_NO_CACHE_DIR=1, or use a cache mount ({_mount_advice('pip', user)})",
        fix=_no_cache_fix(df, instr, script, cmd.offsets[verb] if len(cmd.offsets) == len(cmd.words) else -1),
    )


# ---------------------------------------------------------------------------

def check(
    df: Dockerfile, *, target: str | None = None, allow_unpinned: Sequence[str] = (), pins: PinsOf | None = None,
) -> list[Finding]:
    """DPH107, DPH506 and DPH507; ``pins`` reads the requirements files that ``-r`` names
    (a package beside them on the command line is pinned by a pin there)."""
    findings = _unpinned_findings(df, frozenset(_name_key(name) for name in allow_unpinned), pins)
    stage = df.final_stage(target)
    if stage is None:
        return findings + unknown_target(df.path, target)
    return findings + _cache_findings(df, stage)


HOOK = Hook(
    id="check-pip-hygiene", doc=__doc__ or "", rules=RULES,
    options=(
        TARGET,
        Option(
            "allow-unpinned", "package names that may be installed without a pin (e.g. pip,setuptools,wheel)",
            "names", "NAME[,NAME]",
        ),
    ),
    dockerfile=lambda df, ctx: check(
        df, target=ctx.options.target, allow_unpinned=ctx.options.allow_unpinned, pins=pins_in(ctx.build_context(df)),
    ),
)


def main(argv: Sequence[str] | None = None) -> int:
    return run_hook(HOOK, argv)


if __name__ == "__main__":
    raise SystemExit(main())
