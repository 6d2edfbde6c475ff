"""check-python-base-image: ship Python on a slim Debian image, never on Alpine.

The official ``python`` image comes in a full variant (``python:3.12``,
``python:3.12-bookworm``: about 1 GB, with compilers, headers and version-control
tools), a ``-slim`` variant (about 150 MB, just what Python needs) and ``-alpine``.
Only the final stage (the one named by ``--target``, else the last one that is not a dev or test stage) is judged for
the full variant, following ``FROM <stage>`` inheritance to the image it is built
on: builder stages may use the full image to compile wheels, and so may a development
container's Dockerfile (in a ``.devcontainer`` directory). Alpine is reported in
every stage, dev containers included. The official ``python`` image counts behind a mirror
(``public.ecr.aws/docker/library/python``) and in its per-architecture namespaces
(``arm64v8/python``, ``amd64/python``), also when the namespace is an ARG
(``FROM ${TARGET_ARCH}/python:3.12-alpine3.20``, with or without a default). Other images
behind an ARG without a default, digest-only references and images other than the
official ``python`` are not judged. The image a message suggests comes from the same
advice as check-base-image-pinned's (``hooks._images.suggest_image``: slim Debian, with
the written patch or minor version and an OS release that version is published on, or a
placeholder release where none is known for the patch: ``python:3.12.3`` gives
``python:3.12.3-slim-bookworm``; in the architecture namespace written when it publishes
that tag, else the multi-architecture ``python``), so no rule of either hook reports it.

Options:
    --target NAME   judge the stage NAME instead of the last one.

## DPH204 full-python-base-image
### What it does
Reports a final stage built on a full ``python`` image: no ``-slim``, ``-alpine`` or
Windows variant in the tag (``python:3.12``, ``python:3.12.4``, ``python:3.12-bookworm``,
``python:latest``), unless the image is a Windows one (the ``# escape=` `` directive, a
PowerShell or cmd ``SHELL``: ``python:3.12`` is then ``windowsservercore``, which has no
slim variant). Reported at the ``FROM`` that names the image. When the image's
``HEALTHCHECK``, or the ``healthcheck`` of a Compose service that runs it (in a Compose
file beside or above the Dockerfile), calls ``curl`` or ``wget``, or a ``RUN`` of its
stages calls ``curl``, ``wget`` or ``git``, which the full image has and slim has not,
and no stage installs it, the message says so: the switch to slim needs the tool
installed or the probe changed too (else the build fails, or DPH602 reports the probe).
### Why is this bad?
The full image ships gcc, make, headers, git and hundreds of libraries the running
service never uses: a bigger download, slower deploys and many more packages for
vulnerability scanners to flag.
### Example
```dockerfile
FROM python:3.12-bookworm
COPY . /app
```
### Use instead
```dockerfile
FROM python:3.12-bookworm AS build
RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt

FROM python:3.12-slim-bookworm
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*
```

## DPH205 alpine-python-base-image
### What it does
Reports any stage built on a ``python`` Alpine image (``python:3.12-alpine3.20``).
Stages whose ``FROM`` is one ARG alone (``FROM ${BASE}``) name one image with one place
to fix it: reported once, at the first of them.
### Why is this bad?
Alpine uses musl libc. Many packages on PyPI publish only manylinux (glibc) wheels,
so on Alpine pip compiles them from source: slow builds and a compiler toolchain in
the image. musl also behaves differently from glibc (DNS resolution, thread stack
size, locales, allocator speed). The slim Debian image is barely larger.
### Example
```dockerfile
FROM python:3.12-alpine3.20
```
### Use instead
```dockerfile
FROM python:3.12-slim-bookworm
```
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from hooks._cli import run_hook
from hooks._dockerfile import Dockerfile, Stage
from hooks._findings import ERROR, Finding, Rule, unknown_target
from hooks._hook import TARGET, Hook
from hooks._images import (
    ImageUse,
    PythonTag,
    froms_of_args,
    is_python_image,
    is_windows,
    provides_tool,
    reported_once,
    stage_image_use,
    suggest_image,
    whole_arg,
)

if TYPE_CHECKING:
    from hooks._files import Repo

FULL_IMAGE = Rule(
    "DPH204", "full-python-base-image", ERROR, "The final stage is built on a full python image.",
)
ALPINE_IMAGE = Rule("DPH205", "alpine-python-base-image", ERROR, "A stage is built on a python Alpine image.")
RULES = (FULL_IMAGE, ALPINE_IMAGE)


def _python_tag(df: Dockerfile, stage: Stage) -> tuple[ImageUse, PythonTag] | None:
    """The stage's FROM image and its parsed tag, when it is a judged python image."""
    use = stage_image_use(df, stage)
    ref = use.ref if use is not None else None
    if use is None or ref is None or not is_python_image(ref) or (ref.digest and not ref.tag):
        return None
    return (use, ref.python) if ref.python is not None else None


def _slim(use: ImageUse) -> str:
    """The advice for the image (hooks._images.suggest_image): a slim Debian one."""
    ref = use.ref
    assert ref is not None
    return suggest_image(ref).reference


def _shown(use: ImageUse) -> str:
    value = use.value.value
    return f"'{use.raw}'" if use.raw == value or not use.value.resolved else f"'{use.raw}' ('{value}')"


def check(df: Dockerfile, *, target: str | None = None, repo: Repo | None = None) -> list[Finding]:
    """DPH204 and DPH205; with the ``repo`` the Dockerfile belongs to, DPH204's advice
    also reads the Compose healthchecks of the services that run the image."""
    findings: list[Finding] = []
    tags = (_python_tag(df, stage) for stage in df.stages)
    alpine = [use for use, tag in filter(None, tags) if tag.flavor == "alpine"]
    arg_froms = froms_of_args(alpine)
    for use in alpine:
        name = whole_arg(use)
        if name is not None and arg_froms[name][0] is not use:
            continue  # the same ARG, the same image: reported at its first FROM (as DPH206)
        stage = use.stage
        where = f"stage '{df.stages[stage].name}'" if df.stages[stage].name else f"stage {stage}"
        finding = ALPINE_IMAGE.at(
            df.path, use.line, use.col,
            f"{where} is built on the Alpine image {_shown(use)}; many packages have no wheels for "
            f"its musl libc and compile from source; use a slim Debian image, e.g. '{_slim(use)}'",
        )
        findings.extend([finding] if name is None else reported_once([finding], name, arg_froms[name]))
    final = df.final_stage(target)
    if final is None:
        return findings + unknown_target(df.path, target)
    root = df.chain(final)[0]
    found = _python_tag(df, root)
    if found is not None and found[1].flavor == "full" and not df.dev_container and not is_windows(df, df.chain(final)):
        # (a Windows image has no slim variant: python:3.12 there is windowsservercore)
        use = found[0]
        where = f"final stage '{final.name}'" if final.name else "the final stage"
        via = f" (through stage '{root.name or root.index}')" if root is not final else ""
        findings.append(FULL_IMAGE.at(
            df.path, use.line, use.col,
            f"{where} is built on the full image {_shown(use)}{via}, about 1 GB of compilers "
            f"and libraries the service does not need; use the slim variant, e.g. '{_slim(use)}'"
            + _probe_note(df, df.chain(final), repo),
        ))
    return findings


# Programs of the full python image that slim lacks, which a build or a probe may call.
_FULL_ONLY_TOOLS = ("curl", "wget", "git")


def _probe_note(df: Dockerfile, chain: list[Stage], repo: Repo | None = None) -> str:
    """What else the switch to slim needs when the image's HEALTHCHECK, a RUN of its
    stages or (with the ``repo``) a Compose healthcheck of a service that runs it calls
    curl, wget or git, which the full image has, slim has not, and no stage installs
    (DPH602 would report the probe after it; the RUN would fail)."""
    from hooks._compose import healthchecks_of
    from hooks._shell import Command, argv_commands, commands, instruction_commands, run_script

    uses: dict[str, list[str]] = {}  # tool -> where it is called
    probes = False  # a health probe calls one of them

    def called(commands_: Sequence[Command], where: str, probe: bool = False) -> None:
        nonlocal probes
        for tool in ("curl", "wget") if probe else _FULL_ONLY_TOOLS:
            if any(command.program == tool for command in commands_):
                uses.setdefault(tool, []).append(where)
                probes = probes or probe

    for member in chain:
        for instr in member.instructions:
            if instr.keyword == "RUN":
                called(run_script(instr, df.lines).commands(), f"the RUN on line {instr.start_line}")
    checks = [instr for member in chain for instr in member.instructions if instr.keyword == "HEALTHCHECK"]
    if checks:
        called(instruction_commands(checks[-1]), "the HEALTHCHECK", probe=True)
    for service, probe in healthchecks_of(repo, df, chain[-1]) if repo is not None else ():
        argv, shell = probe.argv, probe.shell or ""
        place = f"the healthcheck of '{service}' in {probe.path}"
        called(argv_commands(argv) if argv else commands(shell), place, probe=True)
    missing = sorted(tool for tool in uses if not provides_tool(df, chain, tool))
    if not missing:
        return ""
    where = list(dict.fromkeys(place for tool, places in uses.items() if tool in missing for place in places))
    names = " or ".join(missing)
    install = f"install {' and '.join(missing)} (apt-get install --no-install-recommends {' '.join(missing)})"
    return (
        f"; slim has no {names}, which {' and '.join(where)} {'call' if len(where) > 1 else 'calls'}: {install}"
        + (", or probe with python3 -c and urllib" if probes else "")
    )


HOOK = Hook(
    id="check-python-base-image", doc=__doc__ or "", rules=RULES,
    options=(TARGET,),
    dockerfile=lambda df, ctx: check(df, target=ctx.options.target, repo=ctx.repo),
)


def main(argv: Sequence[str] | None = None) -> int:
    return run_hook(HOOK, argv)


if __name__ == "__main__":
    raise SystemExit(main())
