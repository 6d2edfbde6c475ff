"""check-python-version: the image's Python is the one the project asks for.

The Python version of the shipped stage (``--target``, else the last one that is not a dev or test stage) comes from the
base image its stage chain starts from: a tag of the official ``python`` image
(``python:3.12-slim-bookworm``, mirrors and architecture namespaces such as
``arm64v8/python`` or ``${TARGET_ARCH}/python`` included) or of uv's images
(``ghcr.io/astral-sh/uv:python3.12-bookworm-slim``), after ARG defaults are substituted.
Other images, a tag without a version (``python:slim``) and a digest without a tag tell
no version and are not judged.

The project's constraints are read from the build context (the Dockerfile's
directory): ``requires-python`` of ``[project]`` in ``pyproject.toml``, the ``python``
constraint of ``[tool.poetry.dependencies]`` (Poetry's ``^3.12``, ``~3.12``, ``3.12.*``
and ``||`` understood), and ``.python-version`` (uv, pyenv). A minor version such as
``3.12`` stands for all its patch releases: it agrees with ``>=3.12.4`` and with a
``.python-version`` of ``3.12.4``. A ``Pipfile``'s ``[requires]`` ``python_full_version``
(else ``python_version``) counts like ``.python-version``. A ``.python-version`` of several lines (pyenv) agrees
when one of them does. A file that cannot be read or parsed is left out.

Options:
    --target NAME   judge the stage NAME instead of the last one.

## DPH210 python-version-mismatch
### What it does
Reports the base image of the shipped stage when its Python version is outside
``requires-python`` or the Poetry ``python`` constraint of ``pyproject.toml``, or
differs from ``.python-version`` or the ``Pipfile``'s ``[requires]`` version.
### Why is this bad?
The project is locked, tested and type-checked for one Python, and the image runs
another: wheels for that Python may not exist, the lock may not install, and code that
uses newer syntax fails at start-up, or only on the path that uses it.
### Example
```dockerfile
# pyproject.toml: requires-python = ">=3.12"
FROM python:3.11-slim-bookworm
```
### Use instead
```dockerfile
FROM python:3.12-slim-bookworm
```

## DPH211 copied-environment-python-mismatch
### What it does
Reports a ``COPY --from=<stage>`` into the shipped stages of a virtual environment or of
installed packages (a source path with ``venv``, ``site-packages`` or
``/usr/local/lib/pythonX.Y``) when the stage it comes from is built on another Python
minor version than the stage it goes to (both read from their base images' tags, as for
DPH210).
### Why is this bad?
A virtual environment belongs to the interpreter that made it: its ``bin/python`` links
to that version, its packages sit in ``lib/python3.X/site-packages`` and compiled
extensions are built for that version's ABI. Copied onto another minor version the
image builds, and fails when the application starts (``ModuleNotFoundError`` or a
missing interpreter).
### Example
```dockerfile
FROM python:3.12-slim-bookworm AS builder
RUN python -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir -r requirements.txt
FROM python:3.13-slim-bookworm
COPY --from=builder /opt/venv /opt/venv
```
### Use instead
```dockerfile
FROM python:3.13-slim-bookworm AS builder
RUN python -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir -r requirements.txt
FROM python:3.13-slim-bookworm
COPY --from=builder /opt/venv /opt/venv
```
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from hooks._cli import run_hook
from hooks._dockerfile import Dockerfile, Stage
from hooks._findings import ERROR, Finding, Rule, unknown_target
from hooks._hook import TARGET, Hook
from hooks._images import parse_python_tag, stage_image_use
from hooks._project import python_version_pins, requires_python, version_allowed

if TYPE_CHECKING:
    from hooks._context import BuildContext
    from hooks._images import ImageUse

MISMATCH = Rule(
    "DPH210", "python-version-mismatch", ERROR,
    "The base image's Python version disagrees with the project's Python constraints.",
)
COPIED_ENVIRONMENT = Rule(
    "DPH211", "copied-environment-python-mismatch", ERROR,
    "A virtual environment or installed packages are copied from a stage with another Python version.",
)
RULES = (MISMATCH, COPIED_ENVIRONMENT)
_ENVIRONMENT_PATH_RE = re.compile(r"venv|site-packages|/lib/python\d", re.ASCII)

_UV_PYTHON_RE = re.compile(r"python(\d+\.\d+(?:\.\d+)?)(?:-|$)", re.ASCII)


def image_python(use: ImageUse) -> str | None:
    """The Python version (``3.12``, ``3.12.4``) that an image names, or None."""
    ref = use.ref
    if ref is None or not ref.tag:
        return None
    if ref.official == "python":
        tag = parse_python_tag(ref.tag)
        return tag.version if tag is not None and tag.depth >= 2 and not tag.prerelease else None
    if ref.repository == "astral-sh/uv":
        match = _UV_PYTHON_RE.match(ref.tag)
        return match.group(1) if match else None
    return None


def _agrees(image: str, pinned: str) -> bool:
    """Whether two versions agree as far as both go: ``3.12`` and ``3.12.4`` do."""
    left, right = image.split("."), pinned.split(".")
    depth = min(len(left), len(right))
    return left[:depth] == right[:depth]


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def _copied_environments(df: Dockerfile, stage: Stage) -> list[Finding]:
    """DPH211 for each environment the shipped chain of ``stage`` copies from a stage on
    another Python minor version."""
    findings: list[Finding] = []
    chain = df.chain(stage)
    for member in chain:
        for instr in member.instructions:
            ref = instr.flag("from") if instr.keyword == "COPY" else None
            source = df.stage_ref(ref, before=member.index) if ref else None
            if source is None:
                continue
            sources = [word for word in (instr.json or tuple(instr.args.split()))[:-1] if not word.startswith("--")]
            copied = next((word for word in sources if _ENVIRONMENT_PATH_RE.search(word)), None)
            if copied is None:
                continue
            into = stage_image_use(df, df.chain(member)[0])
            came = stage_image_use(df, df.chain(source)[0])
            here = image_python(into) if into is not None else None
            there = image_python(came) if came is not None else None
            if here is None or there is None or _minor(here) == _minor(there):
                continue
            line, col = instr.find(copied)
            findings.append(COPIED_ENVIRONMENT.at(
                df.path, line, col,
                f"COPY --from={ref} '{copied}' copies an environment made with Python {_minor(there)} into an "
                f"image with Python {_minor(here)}, where its interpreter link and compiled packages do not "
                f"work; build both stages FROM the same Python minor version",
            ))
    return findings


def check(df: Dockerfile, *, context: BuildContext | None = None, target: str | None = None) -> list[Finding]:
    """``context``: the build context (None: unknown, nothing to compare with). Its
    files are looked at only when the image names a Python version."""
    stage = df.final_stage(target)
    if stage is None:
        return unknown_target(df.path, target)
    return _copied_environments(df, stage) + _against_the_project(df, stage, context)


def _against_the_project(df: Dockerfile, stage: Stage, context: BuildContext | None) -> list[Finding]:
    """DPH210 for the shipped ``stage``."""
    use = stage_image_use(df, df.chain(stage)[0]) if context is not None else None
    version = image_python(use) if use is not None else None
    if context is None or use is None or version is None:
        return []
    shown = f"base image '{use.value.value if use.value.resolved else use.raw}'"
    findings: list[Finding] = []
    for constraint in requires_python(context.pyproject()):
        if not version_allowed(version, constraint):
            findings.append(MISMATCH.at(
                df.path, use.line, use.col,
                f"{shown} runs Python {version}, outside {constraint.source} ('{constraint.written}'); "
                f"use a base image whose Python it allows, or change the constraint",
            ))
    pinned = python_version_pins(context.text(".python-version") or "")
    if pinned and not any(_agrees(version, pin) for pin in pinned):
        findings.append(MISMATCH.at(
            df.path, use.line, use.col,
            f"{shown} runs Python {version}, but .python-version asks for {' or '.join(pinned)}; "
            f"make the two name the same version",
        ))
    pipfile = _pipfile_python(context.text("Pipfile"))
    if pipfile is not None and not _agrees(version, pipfile[1]):
        findings.append(MISMATCH.at(
            df.path, use.line, use.col,
            f"{shown} runs Python {version}, but the Pipfile asks for {pipfile[1]} ([requires] {pipfile[0]}); "
            f"make the two name the same version",
        ))
    return findings


def _pipfile_python(text: str | None) -> tuple[str, str] | None:
    """(key, version) of a Pipfile's ``[requires]`` ``python_full_version`` or
    ``python_version``; None when there is none, or the file is not valid TOML."""
    if not text:
        return None
    from hooks._files import load_toml

    try:
        requires = load_toml(text).get("requires")
    except (RecursionError, ValueError):
        return None
    if not isinstance(requires, dict):
        return None
    for key in ("python_full_version", "python_version"):
        value = requires.get(key)
        if isinstance(value, str) and re.fullmatch(r"\d+\.\d+(?:\.\d+)?", value.strip()):
            return key, value.strip()
    return None


HOOK = Hook(
    id="check-python-version", doc=__doc__ or "", rules=RULES, options=(TARGET,),
    dockerfile=lambda df, ctx: check(df, context=ctx.build_context(df), target=ctx.options.target),
)


def main(argv: Sequence[str] | None = None) -> int:
    return run_hook(HOOK, argv)


if __name__ == "__main__":
    raise SystemExit(main())
