"""check-multi-stage: the shipped image carries no compilers or build headers.

Only the final stage counts (the one named by ``--target``, else the last one that is
not a dev or test stage), together with the stages it is built ``FROM``; builder stages
are never flagged. Installs by ``apt-get``/``apt``/``aptitude`` (``apt-fast``,
``nala``), ``apk add``, and ``yum``/``dnf``/``microdnf``/``tdnf`` (``group install
"Development Tools"`` too) are read from every ``RUN``, heredoc bodies and ``sh -c``
included; a ``$VAR`` package list is expanded from an assignment earlier in the same
``RUN`` (``INSTALL_PKGS="gcc make" && microdnf install $INSTALL_PKGS``, the Red Hat
images' idiom), else from ``ENV`` and ``ARG``. Build tools are compilers and their meta
packages (``gcc``, ``g++``, ``clang``, ``gfortran``, ``build-essential``,
``build-base``, ``musl-dev``, ``cargo``, ``rustc``), header packages (``*-dev``,
``*-devel``: ``python3-dev``, ``libpq-dev``) and build systems (``make``, ``cmake``,
``autoconf``, ``automake``, ``libtool``, ``pkg-config``/``pkgconf``). Runtime libraries
(``libpq5``, ``libgcc-s1``, ``libltdl7``) are not build tools. ``make`` is not reported
when the image's ``CMD`` or ``ENTRYPOINT`` runs it: there it is the task runner, needed
at run time. ``git`` is not a build tool: images use it at run time too. ``ONBUILD RUN``
triggers of a shipped stage are judged too (they install into every image built ``FROM``
it). A development container's Dockerfile (in a ``.devcontainer`` directory) is not
judged: compilers are what a development environment is for.

Options:
    --target NAME   judge the stage NAME instead of the last one.

## DPH303 build-tools-in-final-stage
### What it does
Reports a build tool or header package installed in a shipped stage and not removed
again in the same ``RUN`` (reported at the package name; a package installed twice in
one ``RUN``, as in both branches of an ``if``, once, at its first install kept). Removal counts when it
comes after the install: ``apt-get purge``/``remove`` of the package (globs too), the
official images' ``apt-mark auto '.*'`` followed by ``apt-get purge --auto-remove``,
``apk del`` of the package or of its ``apk add --virtual`` group, ``dnf remove``. A
removal whose package list cannot be read (``$(...)``, an unknown variable) is trusted.
### Why is this bad?
Compilers and headers add hundreds of megabytes and a large attack surface to an image
that only needs to run the compiled result. Build wheels in a builder stage and copy
them (or the virtual environment) into a slim final stage. A later ``RUN`` that
removes the packages does not help: the earlier layer keeps them.
### Example
```dockerfile
FROM python:3.12-slim-bookworm
RUN apt-get update \\
    && apt-get install -y --no-install-recommends gcc libpq-dev \\
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
```
### Use instead
```dockerfile
FROM python:3.12-slim-bookworm AS builder
RUN apt-get update \\
    && apt-get install -y --no-install-recommends gcc libpq-dev \\
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt

FROM python:3.12-slim-bookworm
RUN apt-get update \\
    && apt-get install -y --no-install-recommends libpq5 \\
    && rm -rf /var/lib/apt/lists/*
COPY --from=builder /wheels /wheels
RUN pip install --no-cache-dir --no-index /wheels/* && rm -rf /wheels
```
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from fnmatch import fnmatchcase
from typing import NamedTuple

from hooks._cli import run_hook
from hooks._dockerfile import Dockerfile, Instruction, Stage
from hooks._findings import WARNING, Finding, Rule, unknown_target
from hooks._hook import TARGET, Hook
from hooks._shell import PackageCall, Script, instruction_commands, run_script, script_variables

BUILD_TOOLS = Rule(
    "DPH303", "build-tools-in-final-stage", WARNING,
    "The final stage installs compilers or build headers and keeps them.",
)
RULES = (BUILD_TOOLS,)

_TOOLCHAINS = frozenset({
    "gcc", "g++", "gcc-c++", "clang", "gfortran", "gcc-gfortran", "build-essential",
    "build-base", "musl-dev", "libc6-dev", "libc-dev", "glibc-devel", "linux-headers",
    "rustc", "cargo", "rust", "development tools", "@development tools", "@development-tools",
})
_BUILD_SYSTEMS = frozenset({
    "make", "cmake", "autoconf", "automake", "libtool", "libtool-bin", "pkg-config", "pkgconf",
    "pkgconfig", "pkgconf-pkg-config",
})
_VERSIONED_RE = re.compile(r"^(?:gcc|g\+\+|clang|gfortran)-?\d+(?:\.\d+)*$|^gcc-toolset-\d+$")
_VERSION_SEP_RE = re.compile(r"[=<>~:/]")
_VAR_RE = re.compile(r"^\$(?:\{(\w+)\}|(\w+))$")
_INSTALL_VERBS = {
    "apt": frozenset({"install"}),
    "apk": frozenset({"add"}),
    "rpm": frozenset({"install", "groupinstall", "group install", "localinstall"}),
}
_REMOVE_VERBS = {
    "apt": frozenset({"purge", "remove", "autoremove", "autopurge"}),
    "apk": frozenset({"del"}),
    "rpm": frozenset({"remove", "erase", "autoremove", "groupremove", "group remove"}),
}
_FAMILY = {
    "apt-get": "apt", "apt": "apt", "aptitude": "apt", "apt-fast": "apt", "nala": "apt", "apk": "apk",
    "yum": "rpm", "dnf": "rpm", "dnf5": "rpm", "microdnf": "rpm", "tdnf": "rpm",
}


def _kind(package: str) -> str | None:
    """What makes ``package`` a build tool, or None."""
    name = _VERSION_SEP_RE.split(package, 1)[0].lower() if package[:1] != "@" else package.lower()
    if name in _TOOLCHAINS or _VERSIONED_RE.match(name):
        return "a compiler toolchain"
    if name in _BUILD_SYSTEMS:
        return "a build system"
    for suffix in ("-dev", "-devel"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return "build headers"
    return None


def _words(instr: Instruction, word: str, variables: dict[str, str] | None = None) -> list[str] | None:
    """The package names a word stands for (``variables``: those the RUN's script sets
    itself, which win over ARG and ENV); None when it cannot be known."""
    if "$" not in word and "`" not in word:
        return [word]
    match = _VAR_RE.match(word)
    if match:
        name = match.group(1) or match.group(2)
        if variables and name in variables:
            return variables[name].split()
        var = instr.lookup(name)
        return var.value.split() if var is not None and var.resolved else None
    return None


class _Install(NamedTuple):
    name: str
    kind: str  # why it is a build tool
    shown: str  # how the message names it
    offset: int  # of the package word in the script
    order: int  # index of its command in the RUN
    virtual: str  # the ``apk add --virtual`` group, if any
    family: str  # apt, apk or rpm


def _virtual(call: PackageCall) -> str:
    options = call.options
    for index, word in enumerate(options):
        if word in ("--virtual", "-t") and index + 1 < len(options):
            return options[index + 1]
        if word.startswith("--virtual="):
            return word[len("--virtual="):]
    return ""


_SHIPPED = "is installed in the shipped image"
_TRIGGERED = "is installed by this ONBUILD trigger into every image built FROM this one"


def _check_run(
    df: Dockerfile, instr: Instruction, *, runs_make: bool, trigger: bool, builder: _Builder | None = None,
) -> list[Finding]:
    script = run_script(instr, df.lines)
    found: list[Finding] = []
    for offset, name, message in _kept_tools(instr, script, builder):
        if _VERSION_SEP_RE.split(name, 1)[0].lower() == "make" and runs_make:
            continue
        line, col = script.position(offset)
        found.append(BUILD_TOOLS.at(
            df.path, line, col, message.replace(_SHIPPED, _TRIGGERED) if trigger else message,
        ))
    return found


def _runs_make(df: Dockerfile, stage: Stage) -> bool:
    """Whether the image's CMD or ENTRYPOINT runs ``make`` (a task runner at run time)."""
    return any(
        cmd.program == "make"
        for instr in df.entrypoint_cmd(stage) if instr is not None
        for cmd in instruction_commands(instr)
    )


# Debian's and Ubuntu's header packages whose runtime library has the same name on every
# release an image may still be built on (bullseye to trixie, focal to noble): the advice
# names it. Others (libssl-dev: libssl1.1, libssl3 or libssl3t64; libffi-dev: libffi7 or
# libffi8) get "the runtime library that ... depends on".
_RUNTIME_LIBRARY = {
    "libpq-dev": "libpq5", "zlib1g-dev": "zlib1g", "libmariadb-dev": "libmariadb3",
    "libxml2-dev": "libxml2", "libxslt1-dev": "libxslt1.1", "libyaml-dev": "libyaml-0-2",
    "libsqlite3-dev": "libsqlite3-0", "libgeos-dev": "libgeos-c1v5", "libzmq3-dev": "libzmq5",
    "libbz2-dev": "libbz2-1.0", "liblzma-dev": "liblzma5", "libzstd-dev": "libzstd1", "libgmp-dev": "libgmp10",
    "libsasl2-dev": "libsasl2-2", "libcairo2-dev": "libcairo2", "libopenjp2-7-dev": "libopenjp2-7",
    "libfreetype-dev": "libfreetype6", "libfreetype6-dev": "libfreetype6",
    "liblcms2-dev": "liblcms2-2", "libharfbuzz-dev": "libharfbuzz0b", "libjpeg62-turbo-dev": "libjpeg62-turbo",
    "libsnappy-dev": "libsnappy1v5", "libopenblas-dev": "libopenblas0",
}


def _advice(item: _Install, family: str, builder: str, shared: bool = False) -> str:
    """What to do about a kept build tool: ``builder`` is the stage the shipped image
    already copies its build from ('' when none), ``shared`` whether that builder is built
    FROM the stage of the install (so it has the tool from there)."""
    bare = _VERSION_SEP_RE.split(item.name, 1)[0].lower()
    if builder and shared:
        # The builder is built FROM this stage: what is removed here is removed there too.
        name = builder
        runtime = _RUNTIME_LIBRARY.get(bare) if family == "apt" and item.kind == "build headers" else None
        keep = f" and keep only its runtime library ('{runtime}') here" if runtime else ""
        return (f"stage '{name}', which builds, is built FROM this one: install it in '{name}' "
                f"instead{keep}, so that the shipped stages do not inherit it")
    if item.kind == "build headers" and bare not in ("python3-dev", "python-dev") and not bare.startswith("python3."):
        runtime = _RUNTIME_LIBRARY.get(bare) if family == "apt" else None
        library = f"its runtime library ('{runtime}')" if runtime else f"the runtime library that '{bare}' depends on"
        if builder:
            return (f"the build already happens in stage '{builder}': install {library} here instead of the "
                    f"headers, if the image needs it at run time")
        return f"build wheels in a builder stage and copy them over; the shipped image needs only {library}"
    if builder:
        return f"the build already happens in stage '{builder}': do this step there too, or drop the tool here"
    return "build wheels in a builder stage and copy them over"


def _kept_tools(instr: Instruction, script: Script, builder: _Builder | None = None) -> list[tuple[int, str, str]]:
    """(offset, package name, message) of each build tool the script installs and keeps."""
    installs: list[_Install] = []
    removals: list[tuple[int, list[str] | None]] = []  # (order, patterns or None: unknown)
    autoremoves: list[int] = []
    variables = script_variables(script.text) if "$" in script.text else {}
    for order, call in enumerate(script.package_calls()):
        family = _FAMILY.get(call.manager, "") if call is not None else ""
        if call is None or not family:
            continue
        if call.verb in _INSTALL_VERBS[family]:
            virtual = _virtual(call)
            cmd = call.command
            for index in call.operands:
                word = cmd.words[index]
                for name in _words(instr, word, variables) or ():
                    kind = _kind(name)
                    if kind is not None:
                        shown = f"'{name}'" if name == word else f"'{name}' (from {word})"
                        installs.append(_Install(name, kind, shown, cmd.offsets[index], order, virtual, family))
        elif call.verb in _REMOVE_VERBS[family]:
            patterns: list[str] | None = []
            for word in call.operand_words():
                names = _words(instr, word, variables)
                patterns = None if names is None or patterns is None else patterns + names
            removals.append((order, patterns))
            if family == "apt" and (
                call.verb in ("autoremove", "autopurge")
                or any(o in ("--auto-remove", "--autoremove") for o in call.options)
            ):
                autoremoves.append(order)
    if not installs:
        return []
    marked_auto = [
        order for order, cmd in enumerate(script.commands())
        if cmd.program == "apt-mark" and cmd.words[1:2] == ("auto",)
    ] if autoremoves else []
    name = builder.name if builder is not None else ""
    shared = builder is not None and instr.stage in builder.chain
    kept: dict[str, _Install] = {}  # by package: the first install kept (if/else branches repeat it)
    for item in installs:
        if not _removed(item, removals, marked_auto, autoremoves):
            kept.setdefault(_VERSION_SEP_RE.split(item.name, 1)[0].lower(), item)
    return [
        (item.offset, item.name, f"{item.shown} ({item.kind}) {_SHIPPED} and not removed in "
                                 f"the same RUN; {_advice(item, item.family, name, shared)}")
        for item in kept.values()
    ]


def _removed(
    item: _Install,
    removals: list[tuple[int, list[str] | None]],
    marked_auto: list[int],
    autoremoves: list[int],
) -> bool:
    for order, patterns in removals:
        if order < item.order:
            continue
        if patterns is None:
            return True
        bare = _VERSION_SEP_RE.split(item.name, 1)[0]
        if any(fnmatchcase(item.name, p) or fnmatchcase(bare, p) or p == item.virtual for p in patterns):
            return True
    return any(
        item.order < mark < remove for mark in marked_auto for remove in autoremoves
    )


def _builder(df: Dockerfile, chain: list[Stage]) -> _Builder:
    """The name (or number) of a stage outside ``chain`` that the chain copies from and
    that builds or installs Python packages, '' when none, or
    when the chain itself installs Python packages that may be built from source (from an
    index: the headers may be there for them)."""
    if any(_installs_from_index(df, instr) for member in chain for instr in member.instructions):
        return _NO_BUILDER
    members = {member.index for member in chain}
    for member in chain:
        for instr in member.instructions:
            ref = instr.flag("from") if instr.keyword == "COPY" else None
            source = df.stage_ref(ref, before=member.index) if ref else None
            if source is None or source.index in members:
                continue
            if any(_builds(df, step) for part in df.chain(source) for step in part.instructions):
                return _Builder(source.name or str(source.index), frozenset(part.index for part in df.chain(source)))
    return _NO_BUILDER


class _Builder(NamedTuple):
    """The stage the shipped image copies its build from (``name`` '' when none), and the
    stages it is built on: an install in one of those is the builder's too."""

    name: str
    chain: frozenset[int]


_NO_BUILDER = _Builder("", frozenset())


_PYTHON_INSTALLS = frozenset({"wheel", "sync", "install", "pip install", "pip sync"})


def _builds(df: Dockerfile, instr: Instruction) -> bool:
    if instr.keyword != "RUN":
        return False
    # Python packages (a stage that builds the front end with npm is no builder of wheels)
    installs = run_script(instr, df.lines).installs()
    return any(install is not None and install.verb in _PYTHON_INSTALLS for install in installs)


def _installs_from_index(df: Dockerfile, instr: Instruction) -> bool:
    """A Python package install in ``instr`` that may fetch (and build) from an index: not
    ``--no-index`` nor ``--find-links`` (wheels built elsewhere)."""
    if instr.keyword != "RUN":
        return False
    return any(
        install is not None and install.verb in _PYTHON_INSTALLS and not any(map(_local_only, install.args))
        for install in run_script(instr, df.lines).installs()
    )


def _local_only(word: str) -> bool:
    return word in ("--no-index", "--offline") or word.startswith(("--find-links", "-f"))


def check(df: Dockerfile, *, target: str | None = None) -> list[Finding]:
    stage = df.final_stage(target)
    if stage is None:
        return unknown_target(df.path, target)
    if df.dev_container:
        return []  # a development environment needs its compilers
    found: list[Finding] = []
    runs_make = _runs_make(df, stage)
    chain = df.chain(stage)
    builder = _builder(df, chain)
    for member in chain:
        for instr in member.instructions:
            if instr.keyword == "RUN":
                found.extend(_check_run(df, instr, runs_make=runs_make, trigger=False, builder=builder))
        for instr in member.triggers():
            if instr.keyword == "RUN":
                found.extend(_check_run(df, instr, runs_make=False, trigger=True))
    return found


HOOK = Hook(
    id="check-multi-stage", doc=__doc__ or "", rules=RULES,
    options=(TARGET,),
    dockerfile=lambda df, ctx: check(df, target=ctx.options.target),
)


def main(argv: Sequence[str] | None = None) -> int:
    return run_hook(HOOK, argv)


if __name__ == "__main__":
    raise SystemExit(main())
