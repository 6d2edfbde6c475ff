"""check-healthcheck: a serving image has a HEALTHCHECK, and its probe exists in the image.

Only the final stage counts (the one named by ``--target``, else the last one that is not a dev or test stage), with the
stages it is built ``FROM``: a ``HEALTHCHECK`` or ``EXPOSE`` in a parent stage is
inherited. An image *serves* when it ``EXPOSE``s a TCP port (not only UDP ones:
``EXPOSE 53/udp`` is no server an HTTP probe checks) or its ``ENTRYPOINT``/``CMD``
(exec or shell form, ``sh -c`` included) runs gunicorn, uvicorn, hypercorn, daphne,
granian, ``waitress-serve``, ``flask run``, ``fastapi run`` or ``manage.py
runserver``/``django-admin runserver``. Workers, CLIs and batch jobs (``celery worker``, ``python job.py``) are not
judged, and ``HEALTHCHECK NONE`` is an explicit opt-out: use it when the orchestrator
(Kubernetes liveness/readiness probes, ECS, Nomad) does the probing. Neither is a
development container's Dockerfile (in a ``.devcontainer`` directory) asked for one: it
is never deployed (a ``HEALTHCHECK`` it has is still checked by DPH602).

Compose files are read for their services' ``healthcheck``: DPH602 judges its probe,
and a stage that a Compose service runs and probes needs no ``HEALTHCHECK`` of its own
(DPH601 is not reported). Those are the Compose files in the Dockerfile's directory and
the directories above it, up to the repository root; the service runs the stage that
its ``build.target`` names, else the last one.

Options:
    --target NAME   judge the stage NAME instead of the last one.

## DPH601 missing-healthcheck
### What it does
Reports a final stage that serves but has no ``HEALTHCHECK`` (reported at its ``FROM``),
unless a Compose file beside or above the Dockerfile runs that stage in a service with
a ``healthcheck``.
The message suggests a ``python -c`` urllib probe only when the image has Python (a
Python base image, a Python program run, or ``python3`` installed); for Java, nginx or
Node images it suggests a program the image has, and for a server whose ``ENTRYPOINT``
or ``CMD`` names gRPC (``dagster api grpc``) a probe that speaks gRPC.
### Why is this bad?
Docker, Compose and Swarm only know that the process is alive, not that it answers:
a deadlocked server stays "running", ``depends_on: condition: service_healthy`` never
works and rolling updates route traffic to it. Overlaps hadolint DL3057 (off by default),
Checkov CKV_DOCKER_2 and Trivy DS-0026, which fire for every image, workers included.
### Example
```dockerfile
FROM python:3.12-slim-bookworm
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]
```
### Use instead
```dockerfile
FROM python:3.12-slim-bookworm
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s \\
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')"]
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]
```

## DPH602 healthcheck-tool-missing
### What it does
Reports a ``HEALTHCHECK`` that calls ``curl`` or ``wget`` in an image that has none: a
Debian ``-slim``, distroless, Chainguard or ``scratch`` base (neither tool), or a
``python``/``alpine`` Alpine base (busybox ``wget`` only), when no stage of the chain
installs it (``apt-get install curl``, ``apk add wget``, ...) or copies it in. A broken
exec form (``CMD ["curl", "-f", "http://x/"] || exit 1``, single quotes), which DPH603
reports, is judged by the list it means, so both are fixed in one pass. In an image
with Python the message suggests a ``python3 -c`` urllib probe of the same URL: in exec
form, or in shell form when the URL holds a variable (``${PORT}``), which only a shell
expands.

In a Compose file, a service's ``healthcheck.test`` (``["CMD", ...]``, ``["CMD-SHELL",
...]`` or a string) is judged the same way against the image the service runs: the
stage its Dockerfile builds here (``build.target``, else the last stage, as Compose
builds it; also for a service that runs the image another service builds), or a pulled
official ``python`` image. Other pulled images are not judged: what they contain is not
known from their name.
### Why is this bad?
The probe fails with "command not found" every time, so the container is marked
unhealthy for ever and orchestrators that act on it restart it in a loop. In an image with
Python, a ``python -c`` probe needs no extra package (and, in exec form, no shell, which
distroless images lack); other images get "install it" as the fix.
### Example
```dockerfile
FROM python:3.12-slim-bookworm
HEALTHCHECK CMD curl -f http://127.0.0.1:8000/health || exit 1
```
### Use instead
```dockerfile
FROM python:3.12-slim-bookworm
HEALTHCHECK CMD ["python3", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')"]
```
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from hooks._cli import run_hook
from hooks._dockerfile import Dockerfile, Instruction, Stage, healthcheck_probe
from hooks._findings import ERROR, WARNING, Finding, Rule, unknown_target
from hooks._hook import TARGET, Hook
from hooks._images import base_kind, has_python, is_python_image, parse_image, provides_tool, stage_image_use
from hooks._shell import Command, argv_commands, commands, instruction_commands

if TYPE_CHECKING:
    from hooks._compose import Compose, Service
    from hooks._files import Repo

MISSING = Rule("DPH601", "missing-healthcheck", WARNING, "The final stage serves but has no HEALTHCHECK.")
TOOL_MISSING = Rule(
    "DPH602", "healthcheck-tool-missing", ERROR,
    "The HEALTHCHECK calls curl or wget, which the image does not have.",
)
RULES = (MISSING, TOOL_MISSING)

SERVERS = frozenset({"gunicorn", "uvicorn", "hypercorn", "daphne", "granian", "waitress-serve"})
_TOOLS = ("curl", "wget")
# What each kind of base image (hooks._images.base_kind) lacks.
_LACKS = {"slim": _TOOLS, "distroless": _TOOLS, "scratch": _TOOLS, "alpine": ("curl",)}


def _server(words: Sequence[str]) -> str:
    names = [word.rsplit("/", 1)[-1] for word in words]
    for i, name in enumerate(names):
        if name in SERVERS:
            return name
        if name in ("flask", "fastapi") and "run" in names[i + 1:]:
            return f"{name} run"
        if name in ("manage.py", "django-admin", "django") and "runserver" in names[i + 1:]:
            return f"{name} runserver"
    return ""


def _serves(df: Dockerfile, stage: Stage, chain: list[Stage]) -> str:
    """Why the image serves ('EXPOSE 8000', 'runs gunicorn'), or ''."""
    for member in chain:
        for instr in member.instructions:
            if instr.keyword == "EXPOSE" and instr.args and not all(
                port.lower().endswith("/udp") for port in instr.args.split()
            ):
                return f"EXPOSE {instr.args}"
    for runs in df.entrypoint_cmd(stage):
        if runs is not None:
            for command in instruction_commands(runs):
                server = _server(command.words)
                if server:
                    return f"runs {server}"
    return ""


def _speaks_grpc(df: Dockerfile, stage: Stage) -> bool:
    """Whether the ENTRYPOINT or CMD names gRPC (``dagster api grpc``, ``--grpc-port``):
    an HTTP probe cannot check such a server."""
    return any(
        "grpc" in word.lower()
        for runs in df.entrypoint_cmd(stage) if runs is not None
        for command in instruction_commands(runs) for word in command.words
    )


def _probe_url(command: Command) -> str:
    urls = [w for w in command.words if w.startswith(("http://", "https://"))]
    return urls[0] if urls else "http://127.0.0.1:8000/"


def _base(df: Dockerfile, chain: list[Stage]) -> tuple[str, str]:
    """(kind, image) of the chain's base image (see :func:`hooks._images.base_kind`)."""
    if chain[0].image.resolved and chain[0].image.value.lower() == "scratch":
        return "scratch", "scratch"
    use = stage_image_use(df, chain[0])
    ref = use.ref if use is not None else None
    kind = base_kind(ref)
    if kind == "alpine" and ref is not None and ref.official not in ("python", "alpine"):
        kind = ""  # other Alpine-based images may ship curl (nginx:alpine does)
    return kind, str(ref)


def _absent(
    commands: Sequence[Command], kind: str, provided: Callable[[str], bool],
) -> tuple[Command, str] | None:
    """The first probe command that calls curl or wget where the image (of ``kind``) has
    none and nothing ``provided`` it; None when one of the probes works."""
    lacking = _LACKS.get(kind, ())
    missing: list[tuple[Command, str]] = []
    for command in commands:
        tool = command.program
        if tool not in _TOOLS:
            continue
        if tool not in lacking or provided(tool):
            return None  # a probe that works: `curl ... || wget ...` is fine with one of them
        missing.append((command, tool))
    return missing[0] if missing else None


def _chain_provides(df: Dockerfile, chain: list[Stage]) -> Callable[[str], bool]:
    return lambda tool: provides_tool(df, chain, tool)


def _python_probe(command: Command) -> tuple[str, str]:
    """(URL, Python statement) of a probe of the URL that ``command`` fetches."""
    url = _probe_url(command).replace("'", "%27").replace('"', "%22")
    return url, f"import urllib.request; urllib.request.urlopen('{url}')"


def _missing_tool(df: Dockerfile, chain: list[Stage], check: Instruction) -> Finding | None:
    kind, image = _base(df, chain)
    probe = healthcheck_probe(check.args)
    start = probe[0] if probe is not None else 0
    meant = _meant_argv(check.args[start:]) if probe is not None and probe[1] is None else None
    commands = argv_commands(meant) if meant is not None else instruction_commands(check)
    absent = _absent(commands, kind, _chain_provides(df, chain))
    if absent is None:
        return None
    command, tool = absent
    line, col = check.find(command.words[0], start)
    if has_python(df, chain):
        url, code = _python_probe(command)
        if "$" in url:  # a variable (${PORT}): only the shell form's shell expands it
            fix = f"probe with Python instead: HEALTHCHECK CMD python3 -c \"{code}\""
        else:
            fix = f"probe with Python instead: HEALTHCHECK CMD [\"python3\", \"-c\", \"{code}\"]"
    else:
        fix = f"install {tool} in the shipped stages or probe with a program the image has"
    if meant is not None:  # DPH603 reports the broken list: say both, to fix both at once
        calls, effect = f"is meant to call {tool} (its exec form is broken: see DPH603)", "would fail even then"
    else:
        calls, effect = f"calls {tool}", "always fails"
    return TOOL_MISSING.at(
        df.path, line, col,
        f"HEALTHCHECK {calls}, but the base image '{image}' ({kind}) has no {tool} and no "
        f"stage installs it, so the check {effect}; {fix}",
    )


def _meant_argv(text: str) -> tuple[str, ...] | None:
    """The argument list a broken exec form means (``["curl", "-f", "x"] || exit 1``,
    ``['curl', '-f', 'x']``): Docker runs it as a shell command, which DPH603 reports."""
    if not text.startswith("["):
        return None
    import json

    for candidate in (text, text.replace("'", '"')):
        try:
            value, _ = json.JSONDecoder().raw_decode(candidate)
        except (ValueError, RecursionError):
            continue
        if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
            return tuple(value)
    return None


def check(df: Dockerfile, *, target: str | None = None, repo: Repo | None = None) -> list[Finding]:
    """DPH601 and DPH602 for the final stage of ``df``; with the ``repo`` it belongs to,
    the Compose files that run it are read too."""
    stage = df.final_stage(target)
    if stage is None:
        return unknown_target(df.path, target)
    chain = df.chain(stage)
    healthcheck: Instruction | None = None
    for member in chain:
        for instr in member.instructions:
            if instr.keyword == "HEALTHCHECK":
                healthcheck = instr
    if healthcheck is None:
        reason = _serves(df, stage, chain) if not df.dev_container else ""
        if not reason:
            return []
        from hooks._compose import healthchecks_of  # Compose files are read only for this

        if repo is not None and healthchecks_of(repo, df, stage):
            return []
        where = f"final stage '{stage.name}'" if stage.name else "the final stage"
        line, col = stage.from_.position(0)
        if _speaks_grpc(df, stage):
            advice = "add one that speaks gRPC (the server's own health command, or grpc_health_probe)"
        elif has_python(df, chain):
            advice = "add one (e.g. a python -c urllib probe)"
        else:
            advice = "add one (with a program the image has: its own health command, or curl or wget where installed)"
        return [MISSING.at(
            df.path, line, col,
            f"{where} serves ({reason}) but has no HEALTHCHECK; {advice}, or 'HEALTHCHECK NONE' "
            "when the orchestrator probes the container",
        )]
    found = _missing_tool(df, chain, healthcheck)
    return [found] if found is not None else []


def _service_image(compose: Compose, service: Service) -> tuple[str, str, Callable[[str], bool], bool] | None:
    """(kind, description, provided, has Python) of the image a Compose service runs: the
    stage its Dockerfile builds (``build.target``, else the last stage, as Compose builds
    it), or a pulled official python image; None when unknown."""
    build = compose.build_of(service)
    if build is not None:
        df = build.parsed
        if df is None or not df.stages or (build.target is not None and not build.target.resolved):
            return None
        stage = df.stage_named(build.target.value) if build.target is not None else df.stages[-1]
        if stage is None:
            return None
        chain = df.chain(stage)
        kind, image = _base(df, chain)
        where = f"the image built from {build.dockerfile_path}"
        return kind, f"{where} (base '{image}', {kind})", _chain_provides(df, chain), has_python(df, chain)
    if service.image is None or not service.image.resolved:
        return None
    ref = parse_image(service.image.value)
    if ref is None or not is_python_image(ref):
        return None
    kind = base_kind(ref)
    return kind, f"the image '{service.image.value}' ({kind})", lambda tool: False, True


def check_compose(compose: Compose) -> list[Finding]:
    """DPH602 for the ``healthcheck`` of each Compose service whose image is known."""
    findings: list[Finding] = []
    for service in compose.services:
        probe = service.healthcheck
        known = _service_image(compose, service) if probe is not None else None
        if probe is None or known is None:
            continue
        kind, image, provided, python = known
        probes = argv_commands(probe.argv) if probe.argv is not None else commands(probe.shell or "")
        absent = _absent(probes, kind, provided)
        if absent is None:
            continue
        command, tool = absent
        if python:
            url, code = _python_probe(command)
            code = code.replace("$", "$$")  # as Compose reads it: '$$' is a '$' for the shell
            form = f'"CMD-SHELL", "python3 -c \\"{code}\\""' if "$" in url else f'"CMD", "python3", "-c", "{code}"'
            fix = f"probe with Python instead: test: [{form}]"
        else:
            fix = f"install {tool} in the image or probe with a program it has"
        findings.append(TOOL_MISSING.at(
            probe.path, probe.line, probe.col,
            f"service '{service.name}' healthcheck calls {tool}, but {image} has no {tool} "
            f"and nothing installs it, so the check always fails; {fix}",
        ))
    return findings


HOOK = Hook(
    id="check-healthcheck", doc=__doc__ or "", rules=RULES,
    options=(TARGET,),
    dockerfile=lambda df, ctx: check(df, target=ctx.options.target, repo=ctx.repo),
    compose=lambda model, ctx: check_compose(model),
)


def main(argv: Sequence[str] | None = None) -> int:
    return run_hook(HOOK, argv)


if __name__ == "__main__":
    raise SystemExit(main())
