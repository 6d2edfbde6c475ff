"""check-compose: Compose services pull pinned images and do not run as root.

Reads ``compose.yaml``, ``compose.yml``, ``docker-compose*.yml`` / ``.yaml`` (also with a
prefix: ``dev-docker-compose.yml``) and the
files they ``include:`` or ``extends:`` (inside the repository only), with anchors,
aliases, merge keys (``<<``) and ``${VAR:-default}`` interpolation resolved as Compose
does, every variable taken as unset (neither the environment nor ``.env`` is read).
Findings point at the YAML line and column of the offending value.

Every ``image:`` of a service that is not built here (a service with ``build:`` names
the image it builds, and a service without ``build:`` whose ``image:`` is one of those
runs what was built, not a pull) is judged by the base-image pin rules of check-base-image-pinned:
``DPH201`` no tag, ``DPH202`` ``latest``, ``DPH203`` a floating tag, ``DPH206`` a
``python`` tag without its OS release, ``DPH207`` no digest (with
``--require-digest``), ``DPH208`` a variable without a default. For a service built
from a local Dockerfile, ``build.args`` are applied to the Dockerfile's ``ARG``
defaults, and each ``FROM`` whose image they change is judged the same way, reported
at the argument's value; as for the Dockerfile, the advice keeps a builder stage's full
``python`` image full (the stage that ships is ``build.target``, else the last).
Images of this machine (``localhost/...``, ``localhost:5000/...``) are not judged. A
development container's Compose file (in a ``.devcontainer`` directory) has only its
images judged: its services are never deployed, so DPH404 and DPH405 do not apply.

Options:
    --require-digest   also require an ``@sha256:`` digest on every image (DPH207).
    --read-only        report services built from a Python Dockerfile without
                       ``read_only: true`` (DPH405).

## DPH404 compose-service-runs-as-root
### What it does
Reports a service whose ``user:`` is ``root``, ``0``, ``"0:0"`` or ``root:<group>``.
Overlaps DPH402, which judges the Dockerfile's last ``USER``; Compose overrides it.
### Why is this bad?
A process that runs as root in the container turns any code-execution bug into root
on the container, and a container escape into root on the host. ``user:`` in Compose
silently undoes the non-root ``USER`` of a carefully written Dockerfile.
### Example
```yaml
services:
  api:
    build: .
    user: root
```
### Use instead
```yaml
services:
  api:
    build: .
    user: "10001:10001"
```

## DPH405 compose-service-writable-filesystem
### What it does
With ``--read-only`` only: reports a service built from a Dockerfile whose shipped
stage is a Python image (or installs Python packages) and that does not set
``read_only: true``, at the service's name.
### Why is this bad?
A Python service writes nothing outside a few known directories. A read-only root
filesystem stops an attacker (or a bug) from changing the code, dropping tools or
``.pth`` files into ``site-packages``, and makes unexpected writes fail loudly.
### Example
```yaml
services:
  api:
    build: .
```
### Use instead
```yaml
services:
  api:
    build: .
    read_only: true
    tmpfs:
      - /tmp
```
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from hooks._cli import run_hook
from hooks._files import in_dev_container
from hooks._findings import ERROR, WARNING, Finding, Rule
from hooks._hook import Hook, Option
from hooks._images import (
    FLOATING,
    LATEST,
    NO_DIGEST,
    NO_OS_RELEASE,
    UNTAGGED,
    UNVERIFIABLE,
    is_python_image,
    parse_image,
    pin_problem,
    shipped_base,
)
from hooks._patterns import lazy

if TYPE_CHECKING:
    from hooks._compose import Build, Compose, Service, Value
    from hooks._images import ImageRef

ROOT_USER = Rule(
    "DPH404", "compose-service-runs-as-root", ERROR, "A Compose service runs as root.",
)
WRITABLE = Rule(
    "DPH405", "compose-service-writable-filesystem", WARNING,
    "A Compose service built from a Python Dockerfile has a writable root filesystem.",
)
RULES = (ROOT_USER, WRITABLE)
# Rules of check-base-image-pinned that this hook reports on image: values as well.
IMAGE_CODES = ("DPH201", "DPH202", "DPH203", "DPH206", "DPH207", "DPH208")

_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})
_ROOT = frozenset({"root", "0"})


_IMAGE_RULES = {rule.code: rule for rule in (UNTAGGED, LATEST, FLOATING, NO_OS_RELEASE, NO_DIGEST, UNVERIFIABLE)}


def _rule(code: str) -> Rule:
    """An image-pin rule by its code (declared in hooks/_images.py, documented by
    check-base-image-pinned)."""
    return _IMAGE_RULES[code]


def _pulled(ref: ImageRef | None) -> bool:
    return ref is not None and ref.registry.rsplit(":", 1)[0] not in _LOCAL_HOSTS


def _image_findings(service: Service, image: Value, require_digest: bool) -> list[Finding]:
    shown = f"service '{service.name}' image '{image.raw}'"
    if not image.resolved:
        name = image.unresolved_names[0] if image.unresolved_names else "?"
        return [_rule("DPH208").at(
            image.path, image.line, image.col,
            f"{shown} depends on the variable {name}, which has no default here, so it cannot be "
            f"verified; give it a pinned default, e.g. '${{{name}:-<pinned value>}}'",
        )]
    if image.value != image.raw:
        shown += f" ('{image.value}')"
    ref = parse_image(image.value)
    if ref is None or not _pulled(ref):
        return []
    return _judged(ref, shown, image, require_digest)


def _judged(
    ref: ImageRef, shown: str, where: Value, require_digest: bool, *, keep_full: bool = False,
) -> list[Finding]:
    findings = []
    problem = pin_problem(ref, keep_full=keep_full)
    if problem is not None:
        code, what, fix = problem
        findings.append(_rule(code).at(where.path, where.line, where.col, f"{shown} {what}; {fix}"))
    if require_digest and not ref.digest:
        findings.append(_rule("DPH207").at(
            where.path, where.line, where.col,
            f"{shown} is not pinned by digest; append '@sha256:<digest>' "
            f"(see 'docker buildx imagetools inspect {ref}')",
        ))
    return findings


_MARK = "\x00"  # stands for a build argument's value, to see whether a FROM uses it


def _build_arg_findings(build: Build, require_digest: bool) -> list[Finding]:
    """The FROM images of the built Dockerfile that ``build.args`` change, judged."""
    from hooks._dockerfile import split_blanks
    from hooks._images import from_default

    df = build.parsed
    if df is None or not build.args:
        return []
    values = {name: arg.value for name, arg in build.args.items() if arg.resolved}
    # The stage that ships: build.target, else the last; not known for an unresolved target.
    # Compose builds the last stage when no target is given, a test or dev stage too.
    target = build.target
    name = target.value if target is not None else (df.stages[-1].name if df.stages else None)
    shipped = None if target is not None and not target.resolved else shipped_base(df, name)
    findings: list[Finding] = []
    for stage in df.stages:
        words = split_blanks(stage.from_.args)
        if not words or "$" not in words[0]:
            continue
        word = words[0]
        given = [name for name in build.args if _MARK in from_default(df, word, {name: _MARK}).value]
        if not given:
            continue  # the Dockerfile alone decides: check-base-image-pinned judges it
        where = build.args[given[0]]
        setting = ", ".join(
            f"{name}='{build.args[name].raw}'" if build.args[name].raw else f"{name} (no value)" for name in given
        )
        shown = f"build.args {setting} make the base image '{word}' of {build.dockerfile_path}"
        unknown = [name for name in given if not build.args[name].resolved]
        if unknown:
            names = ", ".join(unknown)
            findings.append(_rule("DPH208").at(
                where.path, where.line, where.col,
                f"{shown} depend on {names}, which build.args takes from the environment, so it cannot "
                f"be verified; set {names} in build.args to a pinned value",
            ))
            continue
        found = from_default(df, word, values)
        if not found.known:
            continue  # a platform ARG or a default that cannot be expanded: the Dockerfile's matter
        value = found.value
        if value.lower() == "scratch" or df.stage_named(value) is not None:
            continue
        ref = parse_image(value)
        if ref is None or not _pulled(ref):
            continue
        # A builder stage may stay on the full image: the advice agrees with the Dockerfile's.
        keep_full = shipped is not None and stage.index != shipped
        findings.extend(_judged(ref, f"{shown} '{value}', which", where, require_digest, keep_full=keep_full))
    return findings


def _python_build(build: Build) -> bool:
    """Whether the Dockerfile's shipped stage is a Python image or installs Python packages."""
    from hooks._images import stage_image_use
    from hooks._shell import run_script

    df = build.parsed
    if df is None or not df.stages:
        return False
    stage = df.stages[-1]
    for member in df.chain(stage):
        use = stage_image_use(df, member)
        if use is not None and use.ref is not None and (
            is_python_image(use.ref) or use.ref.repository == "astral-sh/uv"
        ):
            return True
        for instr in member.instructions:
            if instr.keyword == "RUN" and any(i is not None for i in run_script(instr, df.lines).installs()):
                return True
    return False


def check(compose: Compose, *, require_digest: bool = False, read_only: bool = False) -> list[Finding]:
    """The services of ``compose`` (what cannot be read is reported by the runner)."""
    findings: list[Finding] = []
    for service in compose.services:
        # A service that runs the image another service builds (a worker beside the web
        # service) runs what was built here, not a pull.
        if service.image is not None and compose.build_of(service) is None:
            findings.extend(_image_findings(service, service.image, require_digest))
        if service.build is not None:
            findings.extend(_build_arg_findings(service.build, require_digest))
        if in_dev_container(service.path):
            continue  # a development environment, never shipped: only its images are judged
        user = service.user
        if user is not None and user.resolved and user.value.split(":", 1)[0].strip() in _ROOT:
            findings.append(ROOT_USER.at(
                user.path, user.line, user.col,
                f"service '{service.name}' runs as root (user: '{user.raw}'); run it as an unprivileged "
                f"user, e.g. user: \"10001:10001\", or drop the key to keep the Dockerfile's USER",
            ))
        build = service.build
        if read_only and build is not None and _python_build(build) and not (
            service.read_only is not None and service.read_only.value.lower() in ("true", "yes", "on", "1")
        ):
            findings.append(WRITABLE.at(
                service.path, service.line, service.col,
                f"service '{service.name}' runs {build.dockerfile_path} with a writable root filesystem; "
                f"set 'read_only: true' (with a tmpfs for what it must write, e.g. tmpfs: [/tmp])",
            ))
    return _merged(findings)


_SERVICE_RE = lazy(r"^service '([^']*)' ")


def _merged(findings: list[Finding]) -> list[Finding]:
    """One finding for a value that several services share through a YAML anchor or a
    merge key (``image: *superset-image`` in five services): the same rule, place and
    message but the service's name, reported once with every service named."""
    groups: dict[tuple[str, int, int, str, str], list[Finding]] = {}
    for finding in findings:
        match = _SERVICE_RE.match(finding.message)
        rest = finding.message[match.end():] if match else finding.message
        key = (finding.path, finding.line, finding.col, finding.code, rest if match else finding.message)
        groups.setdefault(key, []).append(finding)
    out = []
    for (_path, _line, _col, _code, rest), group in groups.items():
        names = [m.group(1) for m in map(_SERVICE_RE.match, (f.message for f in group)) if m]
        if len(group) == 1 or len(names) != len(group):
            out.extend(group)
            continue
        listed = ", ".join(f"'{name}'" for name in names[:-1]) + f" and '{names[-1]}'"
        plural = "run " + rest[len("runs "):] if rest.startswith("runs ") else rest
        out.append(group[0]._replace(message=f"services {listed} {plural}"))
    return out


HOOK = Hook(
    id="check-compose", doc=__doc__ or "", rules=RULES, reports=tuple(_IMAGE_RULES.values()),
    options=(
        Option("require-digest", "require an @sha256: digest on every image", "flag"),
        Option("read-only", "report services built from a Python Dockerfile without read_only: true", "flag"),
    ),
    compose=lambda model, ctx: check(
        model, require_digest=ctx.options.require_digest, read_only=ctx.options.read_only,
    ),
)


def main(argv: Sequence[str] | None = None) -> int:
    return run_hook(HOOK, argv)


if __name__ == "__main__":
    raise SystemExit(main())
