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

Options:
    --require-digest   also require an ``@sha256:`` digest on every image (DPH207).

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
version (``python:3``, ``python:3-slim``, ``node:20``), unless a digest pins it.
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
``python:3.12-slim``, ``python:3.12-alpine``), unless a digest pins it.
### Why is this bad?
Without the release the tag moves to the next Debian (or Alpine) release when it
comes out: system libraries, ``apt`` package names and glibc change under the build.
### Example
```dockerfile
FROM python:3.12-slim
```
### Use instead
```dockerfile
FROM python:3.12-slim-bookworm
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
FROM python:3.12-slim-bookworm@sha256:<digest from 'docker buildx imagetools inspect'>
```

## DPH208 unverifiable-base-image
### What it does
Reports an image that depends on an ARG with no default value (or on an automatic
platform ARG), so the hook cannot tell which image is built.
### Why is this bad?
A build without ``--build-arg`` fails or pulls something unexpected, and nothing in
the repository says which version is used. Give the ARG a pinned default.
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
"""
from __future__ import annotations

from collections.abc import Sequence

from hooks._cli import run_hook
from hooks._dockerfile import BUILTIN_ARGS, Dockerfile
from hooks._findings import ERROR, WARNING, Finding, Rule
from hooks._hook import Hook, Option
from hooks._images import (
    DEBIAN_RELEASES,
    ImageRef,
    ImageUse,
    base_kind,
    image_uses,
    is_immutable_tag,
    parse_image,
    parse_python_tag,
    suggest_python_tag,
    tag_version,
)

UNTAGGED = Rule("DPH201", "untagged-base-image", ERROR, "An image has no tag and no digest.")
LATEST = Rule("DPH202", "latest-base-image", ERROR, "An image uses the 'latest' tag.")
FLOATING = Rule(
    "DPH203", "floating-base-image-tag", ERROR, "An image tag names no version or only a major one.",
)
NO_OS_RELEASE = Rule(
    "DPH206", "python-image-without-os-release", WARNING,
    "A python image tag does not name its OS release.",
)
NO_DIGEST = Rule("DPH207", "base-image-without-digest", ERROR, "An image is not pinned by digest.")
UNVERIFIABLE = Rule(
    "DPH208", "unverifiable-base-image", WARNING, "An image comes from an ARG with no default.",
)
RULES = (UNTAGGED, LATEST, FLOATING, NO_OS_RELEASE, NO_DIGEST, UNVERIFIABLE)

_CODENAMES = frozenset({*DEBIAN_RELEASES, "focal", "jammy", "noble", "oracular", "plucky"})
_WHAT = {"from": "base image", "copy": "COPY --from image", "mount": "RUN --mount image"}
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})


def _floating(ref: ImageRef) -> str | None:
    """Why ``ref``'s tag floats, or None when it names a version."""
    if ref.official == "python":
        tag = parse_python_tag(ref.tag)
        if tag is not None:
            if tag.depth == 1:
                return f"'{tag.version}' is a major version only"
            return None if tag.depth else f"'{ref.tag}' names no Python version"
    if is_immutable_tag(ref.tag):
        return None
    version = tag_version(ref.tag)
    if not version:
        return f"'{ref.tag}' names no version"
    if "." not in version and len(version) < 6:
        return f"'{version}' is a major version only"
    return None


def _example(ref: ImageRef) -> str:
    """A pinned reference to suggest, close to what is written."""
    if ref.official == "python":
        return f"'{ref.with_tag(suggest_python_tag(parse_python_tag(ref.tag)))}'"
    if base_kind(ref) == "distroless":  # publishes no version tags
        return f"'{ref.with_tag(ref.tag or 'latest')}@sha256:<digest>'"
    first, dash, rest = ref.tag.partition("-")
    if first in _CODENAMES:  # debian:bookworm-slim -> debian:bookworm-<YYYYMMDD>-slim
        return f"'{ref.with_tag(first + '-<YYYYMMDD>' + dash + rest)}' or a digest"
    version = tag_version(ref.tag)
    if version and "." not in version:
        return f"'{ref.with_tag(ref.tag.replace(version, version + '.<minor>', 1))}' or a digest"
    return f"'{ref.with_tag('<version>')}' or a digest"


def _judge(ref: ImageRef, shown: str) -> tuple[Rule, str] | None:
    """The tag problem of ``ref`` (at most one) and its message."""
    if ref.digest:
        return None
    if not ref.tag:
        return UNTAGGED, f"{shown} has no tag; pin it, e.g. {_example(ref)}"
    if ref.tag == "latest":
        return LATEST, f"{shown} uses the 'latest' tag; pin it, e.g. {_example(ref)}"
    reason = _floating(ref)
    if reason is not None:
        return FLOATING, f"{shown} has a floating tag ({reason}); pin it, e.g. {_example(ref)}"
    tag = parse_python_tag(ref.tag) if ref.official == "python" else None
    if tag is not None and not tag.os_release:
        system = {"alpine": "Alpine", "windows": "Windows"}.get(tag.flavor, "Debian")
        return NO_OS_RELEASE, (
            f"{shown} does not name its OS release, so it moves to the next {system} release; "
            f"pin it, e.g. {_example(ref)}"
        )
    return None


def _unverifiable(use: ImageUse, shown: str) -> str:
    names = list(dict.fromkeys(use.value.unresolved_names))
    automatic = [n for n in names if n in BUILTIN_ARGS]
    if automatic and len(automatic) == len(names):
        return f"{shown} depends on {', '.join(automatic)}, known only at build time, so it cannot be verified"
    name = next(n for n in names if n not in BUILTIN_ARGS)
    whole = use.raw.strip("'\"") in (f"${name}", f"${{{name}}}")
    default = "python:3.12-slim-bookworm" if whole and use.kind == "from" else "<pinned value>"
    return (
        f"{shown} comes from ARG {name}, which has no default, so it cannot be verified; "
        f"give it a pinned default, e.g. 'ARG {name}={default}'"
    )


def check(df: Dockerfile, *, require_digest: bool = False) -> list[Finding]:
    findings: list[Finding] = []
    for use in image_uses(df):
        value = use.value.value
        written = f"'{use.raw}'" if use.raw == value or not use.value.resolved else f"'{use.raw}' ('{value}')"
        shown = f"{_WHAT[use.kind]} {written}"
        if not use.value.resolved:
            findings.append(UNVERIFIABLE.at(df.path, use.line, use.col, _unverifiable(use, shown)))
            continue
        ref = parse_image(value)
        if ref is None:
            continue  # not a valid reference: the build fails on it anyway
        if ref.registry.rsplit(":", 1)[0] in _LOCAL_HOSTS:
            continue  # built on this machine by an earlier step, not pulled
        problem = _judge(ref, shown)
        if problem is not None:
            findings.append(problem[0].at(df.path, use.line, use.col, problem[1]))
        if require_digest and not ref.digest:
            findings.append(NO_DIGEST.at(
                df.path, use.line, use.col,
                f"{shown} is not pinned by digest; append '@sha256:<digest>' "
                f"(see 'docker buildx imagetools inspect {value}')",
            ))
    return findings


HOOK = Hook(
    id="check-base-image-pinned", doc=__doc__ or "", rules=RULES,
    options=(Option("require-digest", "require an @sha256: digest on every image", "flag"),),
    dockerfile=lambda df, ctx: check(df, require_digest=ctx.options.require_digest),
)


def main(argv: Sequence[str] | None = None) -> int:
    return run_hook(HOOK, argv)


if __name__ == "__main__":
    raise SystemExit(main())
