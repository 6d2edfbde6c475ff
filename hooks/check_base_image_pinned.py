"""check-base-image-pinned: every image a build pulls is pinned to a version.

Looks at every ``FROM``, ``COPY --from=<image>`` and ``RUN --mount=…,from=<image>``
that names an image rather than a stage (stage names, any case, and stage indexes are
not images, nor is ``scratch``; for ``FROM`` only stages defined earlier count).
ARG defaults are substituted first, as a build without ``--build-arg`` would
(``${PY:-3.12}`` gives ``3.12``); variables in ``--from`` are expanded too, as Podman
does (BuildKit rejects them). ``ADD`` has no ``--from``. A digest
(``@sha256:…``) pins an image whatever its tag. ONBUILD triggers are not judged, nor
are images of this machine (``localhost/app:builder``, Podman's local store, or a
``localhost:5000`` registry): an earlier step of the same build made them, nothing is
pulled.

A tag is *floating* when it names no version (``lts``, ``stable``, ``slim``,
``alpine``, ``bookworm``, ``nonroot``) or only a major version (``python:3``,
``node:20``, ``postgres:16``, ``debian:12``): those move to new minor releases.
``ubuntu:22.04``, ``nginx:1.27``, ``python:3.12``, dated tags
(``debian:bookworm-20240904``) and commit tags (``sha-3f2a1bc``) are versions.
Images that publish no version tags at all (distroless ``:nonroot``, Chainguard
``:latest``) can only be pinned by digest.

A ``FROM`` is judged as a build without ``--build-arg`` sees it, by BuildKit's rules:
only the ARGs declared before the first ``FROM`` are in scope, and one declared without
a default is empty. So ``ARG VARIANT`` then ``FROM busybox:1.36.1${VARIANT}`` is judged
as ``busybox:1.36.1`` (pinned: no finding), and ``FROM scratch${DEBUG}`` as ``scratch``.
A ``FROM`` whose image is one ARG alone (``ARG BASE_IMAGE=debian:bookworm-slim``, then
``FROM $BASE_IMAGE AS build`` and ``FROM ${BASE_IMAGE}``) names the image only in that
ARG's default, one place to fix: its findings are reported once, at the first ``FROM``
that names the ARG, and say which later ``FROM`` lines use it too (a suppression goes on
that first ``FROM``). Where the ARG is part of the word (``python:${PY}-slim``), each
``FROM`` has its own text to fix and is reported.

Every message suggests the same replacement for one reference (``hooks._images.suggest_image``),
which no rule of this hook or of check-python-base-image reports (DPH207 aside, an
opt-in). For ``python`` it keeps what the tag says and adds what it lacks: the written
patch (``python:3.12.3-slim`` gives ``python:3.12.3-slim-bookworm``) or minor version,
and the variant: a full image stays full in a builder stage, ``COPY --from`` and
``RUN --mount`` (``python:3.9-bookworm``), while the image the shipped stage is built on
(the last stage, or ``--target``) gets the slim variant, as DPH204 advises there; Alpine
gets slim Debian (DPH205). The OS release is the written one when that version was
published on it, else the newest it was published on, from a table of the Debian
releases each patch was built on: the release the tag resolves to today (or did when
its patch was current), so the pin keeps the OS and its package names as they are
(``python:3.12-slim`` gives ``python:3.12-slim-trixie``, ``python:3.12.3-slim``
``python:3.12.3-slim-bookworm``). Where no release is known for a patch, a
placeholder: ``python:3.5.1-slim-<debian release>``. For other images: a digest
or a placeholder in the tag's own form (``node:20.<minor>-slim``, ``openjdk:<version>``),
never a guessed tag.

Options:
    --require-digest   also require an ``@sha256:`` digest on every image (DPH207).
    --target NAME      the stage that is shipped (default: the last one): the image it is
                       built on is advised slim.

## DPH201 untagged-base-image
### What it does
Reports an image with neither a tag nor a digest. Overlaps hadolint DL3006.
### Why is this bad?
An untagged image means ``latest``: every build may get a different Python, OS and
set of libraries, so builds are not reproducible and break without a code change.
### Example
```dockerfile
FROM python
```
### Use instead
```dockerfile
FROM python:3.12-slim-bookworm
```

## DPH202 latest-base-image
### What it does
Reports an image tagged ``latest`` without a digest. Overlaps hadolint DL3007.
### Why is this bad?
``latest`` moves with every release of the image, including major versions.
### Example
```dockerfile
FROM python:latest
```
### Use instead
```dockerfile
FROM python:3.12-slim-bookworm
```

## DPH203 floating-base-image-tag
### What it does
Reports a tag that names no version (``lts``, ``slim``, ``bookworm``) or only a major
version (``python:3``, ``python:3-slim``, ``node:20``), unless a digest pins it. A tag
that names one build is pinned: a commit id (``sha-3f2a1bc``), a build date
(``20240904``, the Jupyter Docker Stacks' ``2024-01-15`` and ``x86_64-2024-05-27``), or
a Red Hat image release (``registry.access.redhat.com/ubi9/python-311:1-77``). An
architecture word (``x86_64``, ``arm64``) names no version, and neither does the version
of a component the image bundles: the Python of an image that is not Python itself
(``ghcr.io/astral-sh/uv:python3.12-bookworm-slim``, ``jupyter/base-notebook:python-3.11``),
or a number glued to a name other than ``v`` (``pgvector/pgvector:pg16``, ``cuda12``):
those move with every release of uv, the notebook stack or pgvector
(``uv:0.5.11-python3.12-bookworm-slim``, ``pgvector:0.8.0-pg16`` name one). ``REL-9_18``
is release 9.18, and a Fedora release (``fedora:41``) is a whole version: Fedora has no
minor releases.
### Why is this bad?
Such tags are re-pointed to every new minor release: ``python:3-slim`` jumps from
3.12 to 3.13, and wheels or C extensions built for one break on the other.
### Example
```dockerfile
FROM python:3-slim
COPY --from=ghcr.io/astral-sh/uv:latest-dev /uv /bin/
```
### Use instead
```dockerfile
FROM python:3.12-slim-bookworm
COPY --from=ghcr.io/astral-sh/uv:0.5.11 /uv /bin/
```

## DPH206 python-image-without-os-release
### What it does
Reports a ``python`` image tag with a version but no OS release (``python:3.12``,
``python:3.12-slim``, ``python:3.12-alpine``), unless a digest pins it. A tag the
official image no longer rebuilds does not move and is not reported: a minor version
past its end of life (before 3.10: ``python:3.9-slim``), or a patch older than the
newest one known for its minor (``python:3.12.3``; a patch tag is rebuilt only while it
is current).
### Why is this bad?
Without the release the tag moves to the next Debian (or Alpine) release when it
comes out: system libraries, ``apt`` package names and glibc change under the build.
### Example
```dockerfile
FROM python:3.12-slim
```
### Use instead
```dockerfile
FROM python:3.12-slim-trixie
```

## DPH207 base-image-without-digest
### What it does
With ``--require-digest`` only: reports an image without an ``@sha256:`` digest.
### Why is this bad?
Even a fully versioned tag is re-pushed with security updates; only a digest names
exactly one image. Tools such as Renovate or Dependabot keep digests up to date.
### Example
```dockerfile
FROM python:3.12-slim-bookworm
```
### Use instead
```dockerfile
# the digest 'docker buildx imagetools inspect python:3.12-slim-bookworm' prints
ARG PYTHON_DIGEST=sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
FROM python:3.12-slim-bookworm@${PYTHON_DIGEST}
```

## DPH208 unverifiable-base-image
### What it does
Reports an image that a build without ``--build-arg`` gets wrong or that cannot be
known: a ``FROM`` whose ARGs without a value (no default, or an empty one) leave an
empty or invalid reference (``ARG TAG`` then ``FROM busybox:${TAG}`` gives ``busybox:``)
or an unpinned one (``ARG VARIANT`` then ``FROM busybox:stable${VARIANT}`` gives
``busybox:stable``), or a tag cut short where the value goes (``python:3.7-``); a
reference that is not valid as written (``FROM busybox:``, ``FROM Ubuntu:22.04``) or
from an ARG default (``ARG SFX="box:"`` then ``FROM busy${SFX}``); an ARG default that cannot be resolved
(``ARG VARIANT=${templateOption:imageVariant}``, a template placeholder); an image that
depends on an automatic platform ARG (``${TARGETARCH}``); and a ``COPY --from`` or
``RUN --mount`` image from an ARG without a default. A reference that is valid and
pinned without the value is not reported (``FROM scratch${DEBUG}``).
Overlaps BuildKit's InvalidDefaultArgInFrom, which reports invalid references only (it
lets ``busybox:stable${VARIANT}`` through: we report what floats, on purpose).
### Why is this bad?
A build without ``--build-arg`` fails (``base name should not be blank``, ``invalid
reference format``) or pulls a moving tag, and nothing in the repository says which
version is used. Give the ARG a pinned default.
### Example
```dockerfile
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
```
### Use instead
```dockerfile
ARG BASE_IMAGE=python:3.12-slim-bookworm
FROM ${BASE_IMAGE}
```

## DPH209 undeclared-arg-in-from
### What it does
Reports a variable in a ``FROM`` image or ``--platform`` that no ARG before the first
``FROM`` declares (ARGs declared in a stage are not in scope of a ``FROM``), with the
name it was probably meant to be (``$BULIDPLATFORM``: did you mean ``$BUILDPLATFORM``?).
The automatic platform ARGs (``BUILDPLATFORM``, ``BUILDOS``, ``BUILDARCH``,
``BUILDVARIANT``, ``TARGETPLATFORM``, ``TARGETOS``, ``TARGETARCH``, ``TARGETVARIANT``)
are declared. Reported at the variable. Overlaps BuildKit's UndefinedArgInFrom; where the
undeclared variable alone leaves the image empty or invalid (``FROM $IMAGE``), DPH209
says so and DPH208 is not reported as well (BuildKit reports both).
### Why is this bad?
The variable is always empty there and ``--build-arg`` cannot set it: ``--platform=$BULIDPLATFORM``
or ``--platform=linux/${MYARCH}`` fails the build, ``FROM $IMAGE`` has no image, and
``FROM python:${PY:-3.12}-slim-bookworm`` ignores ``--build-arg PY=3.13``.
### Example
```dockerfile
FROM --platform=$BULIDPLATFORM python:3.12-slim-bookworm AS build
```
### Use instead
```dockerfile
FROM --platform=$BUILDPLATFORM python:3.12-slim-bookworm AS build
```
"""
from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence

from hooks._cli import run_hook
from hooks._dockerfile import BUILTIN_ARGS, Dockerfile, Instruction
from hooks._findings import ERROR, Finding, Rule
from hooks._hook import TARGET, Hook, Option
from hooks._images import (
    FLOATING,
    LATEST,
    NO_DIGEST,
    NO_OS_RELEASE,
    UNTAGGED,
    UNVERIFIABLE,
    Default,
    ImageRef,
    ImageUse,
    from_default,
    froms_of_args,
    global_arg_names,
    image_uses,
    parse_image,
    pin_problem,
    reported_once,
    shipped_base,
    suggest_image,
    whole_arg,
)

UNDECLARED = Rule(
    "DPH209", "undeclared-arg-in-from", ERROR, "A FROM uses a variable that no ARG declares.",
)
RULES = (UNTAGGED, LATEST, FLOATING, NO_OS_RELEASE, NO_DIGEST, UNVERIFIABLE, UNDECLARED)

_WHAT = {"from": "base image", "copy": "COPY --from image", "mount": "RUN --mount image"}
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})
_PLATFORM_RE = re.compile(r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+){0,2}")
_MARK = "\x00"  # stands for an ARG's value while trying defaults for it
_BY_CODE = {rule.code: rule for rule in RULES}


def _judge(ref: ImageRef, keep_full: bool) -> tuple[Rule, str, str] | None:
    """The tag problem of ``ref`` (at most one, see hooks._images.pin_problem): its rule,
    what is wrong, and the fix (a full python image stays full with ``keep_full``)."""
    problem = pin_problem(ref, keep_full=keep_full)
    return None if problem is None else (_BY_CODE[problem[0]], problem[1], problem[2])


def _pinned(ref: ImageRef, keep_full: bool) -> bool:
    """Whether ``ref`` is what the advice names for it and no rule here reports."""
    return _judge(ref, keep_full) is None and (
        bool(ref.digest) or suggest_image(ref, keep_full=keep_full).reference == str(ref)
    )


def _arg_default(df: Dockerfile, word: str, name: str, keep_full: bool) -> str:
    """A default for ARG ``name`` that makes the FROM ``word`` a pinned reference,
    taken from the advice; a placeholder where the ARG is not part of a tag we know."""
    value = from_default(df, word, {name: _MARK}).value
    if value == _MARK:
        return "<image>:<version>"
    slash = value.rfind("/")
    colon = value.rfind(":")
    if colon < 0 or colon < slash or _MARK not in value[colon + 1:]:
        return "<value>"
    image = parse_image(value[:colon])
    if image is None or image.official != "python":
        return "<version>"
    before, _, after = value[colon + 1:].partition(_MARK)
    known = "-".join(part for part in re.split(r"-+", before + after) if part)  # '3.7-' + '' -> '3.7'
    guess = parse_image(f"{value[:colon]}:{known}" if known else value[:colon]) or image
    tag = suggest_image(guess, keep_full=keep_full).reference.rpartition(":")[2]
    candidates = [tag.split("-")[0], tag, tag.partition("-")[2], "-" + tag.partition("-")[2]]
    if tag.startswith(before) and tag.endswith(after) and len(tag) > len(before) + len(after):
        candidates.insert(0, tag[len(before):len(tag) - len(after)])  # the part the ARG stands for
    for candidate in candidates:
        ref = parse_image(value.replace(_MARK, candidate))
        if ref is not None and _pinned(ref, keep_full):
            return candidate
    return "<pinned value>"


def _quoted(word: str) -> str:
    """`` 'word'``, unless it holds an '@' that is not a digest's (``user:password@host``
    is no image reference, and may be a credential: never print it)."""
    return "" if re.search(r"@(?!sha\d+:)", word) else f" '{word}'"


def _why(raw: str | None) -> str:
    return "has no default" if raw is None else "has an empty default"


def _platform_stage(df: Dockerfile, use: ImageUse) -> bool:
    """Whether ``use`` (``FROM tools-$TARGETARCH``) names an earlier stage of ``df`` for
    every value its variables take: with the variables as wildcards, the name is no image
    reference (no registry, tag or digest) and matches an earlier stage's name."""
    pattern = re.sub(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?", "*", use.raw).lower()
    if any(c in pattern for c in "/:@") or pattern == "*":
        return False
    return any(stage.name and fnmatch.fnmatchcase(stage.name, pattern) for stage in df.stages[:use.stage])


def _from_findings(df: Dockerfile, use: ImageUse, keep_full: bool) -> list[Finding]:
    """The findings of the image a FROM names, as a build without --build-arg sees it
    (a full python image stays full in the advice with ``keep_full``)."""
    found = from_default(df, use.raw)
    value = found.value
    findings = _undeclared(df, use.instr, use.raw, found, use.instr.args_offset, "image", keep_full)
    shown = f"base image '{use.raw}'" + (f" ('{value}')" if use.raw != value and found.known else "")

    def report(rule: Rule, message: str) -> list[Finding]:
        return [*findings, rule.at(df.path, use.line, use.col, message)]

    if found.automatic and _platform_stage(df, use):
        return findings  # FROM tools-$TARGETARCH: one of this file's stages, each judged itself
    if found.automatic:
        return report(UNVERIFIABLE, (
            f"base image '{use.raw}' depends on {', '.join(found.automatic)}, known only at build time, "
            "so it cannot be verified"
        ))
    if found.unresolvable:
        name, written = found.unresolvable[0]
        return report(UNVERIFIABLE, (
            f"base image '{use.raw}' comes from ARG {name}, whose default '{written}' cannot be resolved, so "
            f"the image cannot be verified; give it a pinned default, e.g. "
            f"'ARG {name}={_arg_default(df, use.raw, name, keep_full)}'"
        ))
    ref = use.ref if use.value.resolved and use.value.value == value else parse_image(value)
    if ref is None:
        if found.empty:
            name, raw = found.empty[0]
            fix = f"give it a pinned default, e.g. 'ARG {name}={_arg_default(df, use.raw, name, keep_full)}'"
            if not value:
                return report(UNVERIFIABLE, (
                    f"base image '{use.raw}' comes from ARG {name}, which {_why(raw)}, so a build without "
                    f"--build-arg has no base image and fails; {fix}"
                ))
            return report(UNVERIFIABLE, (
                f"base image '{use.raw}' is '{value}' without --build-arg (ARG {name} {_why(raw)}), not a "
                f"valid image reference, so the build fails; {fix}"
            ))
        if found.undeclared:
            return findings  # DPH209 says it
        source = f"{_quoted(value)} (from the default of ARG {', '.join(found.args)})," if found.args else ""
        return report(UNVERIFIABLE, (
            f"base image{_quoted(use.raw)} is{source} not a valid image reference, so the build fails; "
            "write 'name[:tag][@digest]' with a lower-case name and a non-empty tag"
        ))
    if value.lower() == "scratch" or _names_earlier_stage(df, value, use.stage):
        return findings
    if ref.registry.rsplit(":", 1)[0] in _LOCAL_HOSTS:
        return findings  # built on this machine by an earlier step, not pulled
    problem = _judge(ref, keep_full)
    if problem is None and found.empty and re.search(r"--|[-.]$", ref.tag):
        name, raw = found.empty[0]
        return report(UNVERIFIABLE, (
            f"base image '{use.raw}' is '{value}' without --build-arg (ARG {name} {_why(raw)}), a tag cut "
            f"short where the value goes, which no image is likely to publish; give it a pinned default, e.g. "
            f"'ARG {name}={_arg_default(df, use.raw, name, keep_full)}'"
        ))
    if problem is None:
        return findings
    rule, what, fix = problem
    if found.empty:
        name, raw = found.empty[0]
        return report(UNVERIFIABLE, (
            f"base image '{use.raw}' is '{value}' without --build-arg (ARG {name} {_why(raw)}), which "
            f"{what}; {fix}"
        ))
    return report(rule, f"{shown} {what}; {fix}")


def _names_earlier_stage(df: Dockerfile, value: str, index: int) -> bool:
    named = df.stage_named(value)
    return named is not None and named.index < index


def _undeclared(
    df: Dockerfile, instr: Instruction, word: str, found: Default, offset: int, what: str, keep_full: bool = False,
) -> list[Finding]:
    """DPH209 for each name in ``word`` that no ARG before the first FROM declares.

    ``offset`` is where ``word`` starts in the instruction's line."""
    out: list[Finding] = []
    if not found.undeclared:
        return out
    from difflib import get_close_matches

    known = sorted(global_arg_names(df) | set(BUILTIN_ARGS))
    value = found.value
    broken = (_PLATFORM_RE.fullmatch(value) if what == "platform" else parse_image(value)) is None
    effect = f"it is empty: the {what} is '{value}' and the build fails" if broken else (
        "--build-arg cannot set it"
    )
    for name in found.undeclared:
        match = re.search(rf"\$\{{?{re.escape(name)}(?![A-Za-z0-9_])", word)
        line, col = instr.position(offset + (match.start() if match else 0))
        close = get_close_matches(name, known, n=1, cutoff=0.75)
        if close:
            fix = f"did you mean ${close[0]}?"
        else:
            default = _arg_default(df, word, name, keep_full) if what == "image" else "<value>"
            fix = f"declare it before the first FROM, e.g. 'ARG {name}={default}'"
        subject = f"FROM --platform={word}" if what == "platform" else f"base image '{word}'"
        out.append(UNDECLARED.at(df.path, line, col, (
            f"{subject} uses ${name}, which no ARG before the first FROM declares, so {effect}; {fix}"
        )))
    return out


def _platform_findings(df: Dockerfile) -> list[Finding]:
    findings: list[Finding] = []
    for stage in df.stages:
        instr = stage.from_
        platform = instr.flag("platform")
        if not platform or "$" not in platform:
            continue
        found = from_default(df, platform)
        start = instr.line.find(platform, instr.line.find("--platform"))
        findings.extend(_undeclared(df, instr, platform, found, max(start, 0), "platform"))
    return findings


def _unverifiable(use: ImageUse, shown: str) -> str:
    """The DPH208 message of a COPY --from or RUN --mount image that is not known."""
    names = list(dict.fromkeys(use.value.unresolved_names))
    automatic = [n for n in names if n in BUILTIN_ARGS]
    if automatic and len(automatic) == len(names):
        return f"{shown} depends on {', '.join(automatic)}, known only at build time, so it cannot be verified"
    name = next(n for n in names if n not in BUILTIN_ARGS)
    whole = use.raw.strip("'\"") in (f"${name}", f"${{{name}}}")
    default = "<image>:<version>" if whole else "<pinned value>"
    return (
        f"{shown} comes from ARG {name}, which has no default, so it cannot be verified; "
        f"give it a pinned default, e.g. 'ARG {name}={default}'"
    )


def check(df: Dockerfile, *, require_digest: bool = False, target: str | None = None) -> list[Finding]:
    findings: list[Finding] = _platform_findings(df)
    shipped = shipped_base(df, target)
    uses = image_uses(df)
    arg_froms = froms_of_args(uses)
    for use in uses:
        if use.kind == "from":
            name = whole_arg(use)
            if name is not None and arg_froms[name][0] is not use:
                continue  # the same ARG, the same image: reported at its first FROM
            # Slim is advised where the shipped stage's image is written (for an ARG, at
            # any of its FROMs), so the advice agrees with DPH204's.
            stages = [use.stage] if name is None else [other.stage for other in arg_froms[name]]
            found = _from_findings(df, use, keep_full=shipped not in stages)
            if require_digest and not any(f.code in ("DPH208", "DPH209") for f in found):
                ref = parse_image(from_default(df, use.raw).value)
                if ref is not None and not ref.digest and ref.registry.rsplit(":", 1)[0] not in _LOCAL_HOSTS:
                    found.append(_no_digest(df, use, ref))
            findings.extend(found if name is None else reported_once(found, name, arg_froms[name]))
            continue
        value = use.value.value
        written = f"'{use.raw}'" if use.raw == value or not use.value.resolved else f"'{use.raw}' ('{value}')"
        shown = f"{_WHAT[use.kind]} {written}"
        if not use.value.resolved:
            findings.append(UNVERIFIABLE.at(df.path, use.line, use.col, _unverifiable(use, shown)))
            continue
        ref = use.ref
        if ref is None:
            continue  # not a valid reference: the build fails on it anyway
        if ref.registry.rsplit(":", 1)[0] in _LOCAL_HOSTS:
            continue  # built on this machine by an earlier step, not pulled
        problem = _judge(ref, keep_full=True)  # files copied from a full image stay the full image's
        if problem is not None:
            findings.append(problem[0].at(df.path, use.line, use.col, f"{shown} {problem[1]}; {problem[2]}"))
        if require_digest and not ref.digest:
            findings.append(_no_digest(df, use, ref))
    findings.sort(key=lambda f: (f.line, f.col, f.code))
    return findings


def _no_digest(df: Dockerfile, use: ImageUse, ref: ImageRef) -> Finding:
    value = str(ref)
    shown = f"{_WHAT[use.kind]} '{use.raw}'" + (f" ('{value}')" if use.raw != value else "")
    return NO_DIGEST.at(
        df.path, use.line, use.col,
        f"{shown} is not pinned by digest; append '@sha256:<digest>' "
        f"(see 'docker buildx imagetools inspect {value}')",
    )


HOOK = Hook(
    id="check-base-image-pinned", doc=__doc__ or "", rules=RULES,
    options=(Option("require-digest", "require an @sha256: digest on every image", "flag"), TARGET),
    dockerfile=lambda df, ctx: check(df, require_digest=ctx.options.require_digest, target=ctx.options.target),
)


def main(argv: Sequence[str] | None = None) -> int:
    return run_hook(HOOK, argv)


if __name__ == "__main__":
    raise SystemExit(main())
