"""check-non-root-user: the shipped image must not run as root.

Only the final stage counts (the one named by ``--target``, else the last one that is not a dev or test stage), together
with the stages it is built ``FROM``: a ``USER`` set in a parent stage is inherited.
Builder stages are never flagged, and ``USER`` inside ``ONBUILD`` is not executed.
Base images known to default to a non-root user need no ``USER``: distroless
``:nonroot`` tags, Chainguard images other than ``-dev`` and ``wolfi-base`` (and
``cgr.dev/chainguard/python:latest-dev`` too, which runs as ``nonroot``), ``mambaorg/micromamba``
(``mambauser``), the Jupyter Docker Stacks (``jupyter/*-notebook``, ``jovyan``),
``apache/airflow``, ``apache/superset``, ``odoo``, ``rayproject/ray`` (``ray``), AWS
Lambda's base images (``public.ecr.aws/lambda/python``: Lambda runs the function as its
own unprivileged user, whatever ``USER`` says), Red Hat's Python images
(``registry.access.redhat.com/ubi9/python-311``, ``quay.io/sclorg/python-311-c9s``:
``USER 1001``) and Windows ``nanoserver``
(``ContainerUser``). Neither does a final stage whose
entrypoint drops privileges with ``gosu``, ``su-exec`` or ``setpriv``: named in the
``ENTRYPOINT``/``CMD`` itself, or installed in the stage chain (``apt-get install gosu``,
``COPY --from=tianon/gosu``) for the ``ENTRYPOINT`` script to use, as the official
images of Postgres and Redis do; so is s6-overlay added or unpacked in the chain (its
``/init`` runs the services with ``s6-setuidgid``, the linuxserver.io pattern). A
development container's Dockerfile (in a ``.devcontainer`` directory) is not judged:
``devcontainer.json`` chooses the user it runs as (``remoteUser``, ``containerUser``),
and the image is never shipped.

Options:
    --target NAME   judge the stage NAME instead of the last one.

## DPH401 missing-user
### What it does
Reports a final stage that never sets ``USER`` (reported at its ``FROM``). The advice
creates the user with the image's own tools: ``useradd``, or BusyBox's ``addgroup -S`` /
``adduser -S`` on Alpine, BusyBox and Chainguard/Wolfi ``-dev`` images and on any image
whose packages come from ``apk`` (which have no ``useradd``); on ``ubi-minimal`` (no
``useradd`` either) it is a numeric ``USER 1001``. When the stage already creates a user
(``useradd -r -g saleor saleor``) but never switches to it, the advice is ``USER`` with
that name. When the image keeps its Python packages in root's home, which another user
cannot read (a user site from ``pip install --user`` or a ``COPY`` of ``/root/.local``;
Poetry's default environment in ``/root/.cache/pypoetry``), the advice says how to move
them (a virtual environment, ``POETRY_VIRTUALENVS_IN_PROJECT=true``).
A distroless image (``gcr.io/distroless/python3-debian12``) has no shell to create a user
with, but has the ``nonroot`` account (uid 65532): the advice is ``USER nonroot`` (or its
``:nonroot`` tag, which needs no finding). On ``scratch`` the advice is a numeric
``USER 65532:65532``; a ``scratch`` stage with no ``ENTRYPOINT`` or ``CMD`` holds files
only (an export stage, built with ``--output``) and is not reported.
### Why is this bad?
Without ``USER`` the container runs as root (``ContainerAdministrator`` on Windows
Server Core): a compromised process owns the whole container and, with a container
escape, possibly the host. Overlaps hadolint DL3002 (which only sees an explicit
``USER root``, per stage) and Checkov CKV_DOCKER_3.
### Example
```dockerfile
FROM python:3.12-slim-bookworm
COPY . /app
CMD ["python", "/app/main.py"]
```
### Use instead
```dockerfile
FROM python:3.12-slim-bookworm
RUN useradd --create-home --uid 10001 app
COPY --chown=app:app . /app
USER app
CMD ["python", "/app/main.py"]
```

## DPH402 root-user
### What it does
Reports a final stage whose last ``USER`` is root: ``root``, ``0``, ``root:group`` or
``0:gid``, after ARG and ENV expansion, or Windows' ``ContainerAdministrator``.
### Why is this bad?
Switching back to root for the last instructions ships an image that runs as root.
Overlaps hadolint DL3002.
### Example
```dockerfile
FROM python:3.12-slim-bookworm
USER app
RUN pip install --no-cache-dir -r requirements.txt
USER root
```
### Use instead
```dockerfile
FROM python:3.12-slim-bookworm
USER root
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 \\
    && rm -rf /var/lib/apt/lists/*
USER app
```
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from hooks._cli import run_hook
from hooks._dockerfile import Dockerfile, Instruction, Stage, split_blanks
from hooks._findings import ERROR, Finding, Rule, unknown_target
from hooks._hook import TARGET, Hook
from hooks._images import REDHAT_PYTHON_RE, base_kind, image_user, is_windows, parse_image
from hooks._shell import Script, run_script

MISSING_USER = Rule("DPH401", "missing-user", ERROR, "The final stage never sets USER.")
ROOT_USER = Rule("DPH402", "root-user", ERROR, "The final stage's last USER is root.")
RULES = (MISSING_USER, ROOT_USER)

_PRIVILEGE_DROPPERS = ("gosu", "su-exec", "setpriv", "chpst", "runuser")
# Images whose own Dockerfile ends with a non-root USER (registry/repository).
# AWS Lambda runs a function's image as its own unprivileged user, whatever USER says.
_LAMBDA_PREFIXES = ("public.ecr.aws/lambda/", "docker.io/amazon/aws-lambda-")


def _nonroot_image(image: str) -> bool:
    """Images documented to default to a non-root user."""
    name, _, tag = image.partition("@")[0].rpartition(":")
    if not name or "/" in tag:
        name, tag = image.partition("@")[0], ""
    if "distroless" in name and "nonroot" in tag:
        return True
    if "nanoserver" in name or "nanoserver" in tag:
        return True  # Windows Nano Server runs as ContainerUser
    if name.startswith("cgr.dev/chainguard/"):
        # Chainguard's apko configurations: the Python images run as nonroot (65532), the
        # -dev ones too; wolfi-base declares no account and runs as root.
        image_name = name.rsplit("/", 1)[-1]
        if image_name == "wolfi-base":
            return False
        return image_name == "python" or not tag.endswith("-dev")
    ref = parse_image(image)
    if ref is None:
        return False
    if REDHAT_PYTHON_RE.fullmatch(ref.name) or ref.name.startswith(_LAMBDA_PREFIXES):
        return True
    return image_user(ref) is not None  # micromamba, Ray, Jupyter's docker-stacks...


def _has_nonroot_account(image: str) -> bool:
    """Distroless images (``gcr.io/distroless/...``) that run as root: no shell, so no user
    can be created, but they have the ``nonroot`` account (uid 65532) to switch to."""
    ref = parse_image(image)
    return ref is not None and ref.registry == "gcr.io" and ref.repository.startswith("distroless/")


def _busybox_image(image: str) -> bool:
    """Whether ``image`` creates users with BusyBox (``adduser``), not shadow's ``useradd``."""
    ref = parse_image(image)
    if ref is None:
        return False
    return (
        base_kind(ref) == "alpine" or ref.official == "busybox" or ref.registry == "cgr.dev"
        or ref.repository.endswith("/wolfi-base")
    )


def _drops_privileges(instr: Instruction) -> bool:
    words = instr.json if instr.json is not None else tuple(instr.args.split())
    return any(word.rsplit("/", 1)[-1] in _PRIVILEGE_DROPPERS for word in words)


def _is_dropper(word: str) -> bool:
    """``gosu``, ``gosu=1.17-1``, ``/usr/local/bin/gosu``, ``gosu-amd64``..."""
    name = word.rsplit("/", 1)[-1].split("=", 1)[0]
    return name in ("gosu", "su-exec") or name.startswith(("gosu-", "su-exec-"))


def _installs_dropper(df: Dockerfile, instr: Instruction) -> bool:
    """A RUN that installs ``gosu``/``su-exec`` (package or download), or a COPY of one;
    or s6-overlay (downloaded, added or unpacked), whose ``/init`` starts the services with
    ``s6-setuidgid``."""
    if instr.keyword in ("ADD", "COPY", "RUN") and "s6-overlay" in instr.args:
        return True
    if instr.keyword in ("COPY", "ADD"):
        if instr.json is None:
            return _copies_dropper(instr.args)
        return any(_is_dropper(word) for word in instr.json)
    if instr.keyword != "RUN":
        return False
    return _script_installs_dropper(run_script(instr, df.lines), instr)


def _copies_dropper(args: str) -> bool:
    """Whether the shell-form COPY/ADD arguments ``args`` copy a gosu/su-exec binary."""
    return any(_is_dropper(word) for word in split_blanks(args))


def _script_installs_dropper(script: Script, instr: Instruction) -> bool:
    """Whether a RUN's script installs ``gosu``/``su-exec`` (named in an ARG or ENV
    variable too)."""
    for cmd, call in zip(script.commands(), script.package_calls(), strict=True):
        if call is not None and call.verb in ("install", "add"):
            if any(_is_dropper(word) for word in call.packages(instr)[0]):
                return True
        elif any("/" in word and _is_dropper(word) for word in cmd.words[1:]):
            return True  # curl -o /usr/local/bin/gosu ..., chmod +x /usr/local/bin/gosu
    return False


_USER_CREATORS = frozenset({"useradd", "adduser"})
_USER_NAME_RE = re.compile(r"[a-z_][a-z0-9_.-]*\$?", re.IGNORECASE)


_FALSE = frozenset({"", "0", "false", "no", "off"})


def _root_home_note(df: Dockerfile, chain: list[Stage], user: str) -> str:
    """What else the switch to ``user`` needs when the image keeps its Python packages in
    root's home, which another user cannot read (/root is mode 700): a user site
    (``pip install --user`` as root, ``COPY ... /root/.local``) or Poetry's default
    environment (``/root/.cache/pypoetry``)."""
    user_site = poetry = configured = False
    for member in chain:
        for instr in member.instructions:
            if instr.keyword == "USER":
                user_site = poetry = False  # what runs after it does not install as root
            elif instr.keyword in ("COPY", "ADD"):
                user_site = user_site or any(word.startswith(("/root/.local", "~/.local")) for word in instr.words())
            elif instr.keyword == "RUN":
                # 'poetry config virtualenvs.create false' (or in-project, path) in an earlier RUN
                configured = configured or "virtualenvs." in instr.args + "".join(d.content for d in instr.heredocs)
                for install in run_script(instr, df.lines).installs():
                    if install is None or install.verb != "install":
                        continue
                    if install.tool == "pip" and "--user" in install.args:
                        user_site = True
                    elif install.tool == "poetry":
                        poetry = poetry or (not configured and _poetry_venv_in_cache(instr))
    if user_site:
        return (f"; the packages are in root's user site (/root/.local), which '{user}' cannot read: install "
                f"them into a virtual environment (python -m venv /opt/venv, ENV PATH=\"/opt/venv/bin:$PATH\") "
                f"or copy them to the user's home (COPY --chown={user} ... /home/{user}/.local)")
    if poetry:
        return (f"; Poetry keeps its environment in root's cache (/root/.cache/pypoetry), which '{user}' cannot "
                f"read: set 'ENV POETRY_VIRTUALENVS_IN_PROJECT=true' (or POETRY_VIRTUALENVS_CREATE=false) "
                f"before 'poetry install'")
    return ""


def _poetry_venv_in_cache(instr: Instruction) -> bool:
    """Whether a ``poetry install`` in ``instr`` puts its environment in Poetry's cache:
    neither POETRY_VIRTUALENVS_CREATE=false nor POETRY_VIRTUALENVS_IN_PROJECT (or
    POETRY_VIRTUALENVS_PATH) is set, and the RUN does not configure them."""
    create = instr.lookup("POETRY_VIRTUALENVS_CREATE")
    if create is not None and (not create.resolved or create.value.lower() in _FALSE):
        return False
    if instr.lookup("POETRY_VIRTUALENVS_IN_PROJECT") is not None or instr.lookup("POETRY_VIRTUALENVS_PATH"):
        return False
    text = instr.args + "".join(doc.content for doc in instr.heredocs)
    return "virtualenvs." not in text and "POETRY_VIRTUALENVS" not in text


def _created_user(df: Dockerfile, chain: list[Stage]) -> str | None:
    """The user the last ``useradd``/``adduser`` of the chain creates (its last word,
    when that is a plain name), or None."""
    created = None
    for member in chain:
        for instr in member.instructions:
            if instr.keyword != "RUN":
                continue
            for cmd in run_script(instr, df.lines).commands():
                if cmd.program in _USER_CREATORS and len(cmd.words) > 1:
                    name = cmd.words[-1]
                    if _USER_NAME_RE.fullmatch(name) and not _is_root(name):
                        created = name
    return created


def _uses_apk(df: Dockerfile, chain: list[Stage]) -> bool:
    """Whether a RUN of the chain installs packages with apk (an Alpine-based image)."""
    return any(
        call is not None and call.manager == "apk"
        for member in chain for instr in member.instructions if instr.keyword == "RUN"
        for call in run_script(instr, df.lines).package_calls()
    )


def _is_root(user: str) -> bool:
    name = user.strip().split(":", 1)[0]
    return name in ("root", "0") or name.lower() == "containeradministrator"


def check(df: Dockerfile, *, target: str | None = None) -> list[Finding]:
    stage = df.final_stage(target)
    if stage is None:
        return unknown_target(df.path, target)
    if df.dev_container:
        return []  # the user a dev container runs as is devcontainer.json's remoteUser
    chain: list[Stage] = df.chain(stage)
    last_user: Instruction | None = None
    has_entrypoint = False
    for member in chain:
        for instr in member.instructions:
            if instr.keyword == "USER":
                last_user = instr
            elif instr.keyword in ("ENTRYPOINT", "CMD"):
                if _drops_privileges(instr):
                    return []
                has_entrypoint = has_entrypoint or instr.keyword == "ENTRYPOINT"
    if last_user is None and has_entrypoint and any(
        _installs_dropper(df, instr) for member in chain for instr in member.instructions
    ):
        return []  # the entrypoint script switches users (gosu "$APP_USER" "$@")
    if last_user is None:
        root = chain[0].image
        if root.resolved and _nonroot_image(root.value):
            return []
        scratch = root.resolved and root.value.lower() == "scratch"
        if scratch and not any(
            instr.keyword in ("ENTRYPOINT", "CMD") for member in chain for instr in member.instructions
        ):
            return []  # files only (an export stage built with --output): no container runs it
        where = f"final stage '{stage.name}'" if stage.name else "the final stage"
        line, col = stage.from_.position(0)
        if is_windows(df, chain):
            return [MISSING_USER.at(
                df.path, line, col,
                f"{where} never sets USER, so the container runs as ContainerAdministrator; "
                f"add 'USER ContainerUser' (the unprivileged account of Windows images)",
            )]
        if root.resolved and _has_nonroot_account(root.value):
            return [MISSING_USER.at(
                df.path, line, col,
                f"{where} never sets USER, so the container runs as root; add 'USER nonroot' (uid 65532, "
                f"which distroless images have: they have no shell to create a user) or use the image's "
                f"':nonroot' tag",
            )]
        if scratch:
            return [MISSING_USER.at(
                df.path, line, col,
                f"{where} never sets USER, so the container runs as root; add 'USER 65532:65532' (a numeric "
                f"uid needs no account, and scratch has no shell to create one)",
            )]
        created = _created_user(df, chain)
        if created is not None:
            return [MISSING_USER.at(
                df.path, line, col,
                f"{where} never sets USER, so the container runs as root, although it creates the user "
                f"'{created}'; add 'USER {created}' after the steps that need root"
                + _root_home_note(df, chain, created),
            )]
        # Alpine and Chainguard/Wolfi -dev images have BusyBox's adduser, not useradd; so
        # has an image whose packages come from apk (a Home Assistant add-on's BUILD_FROM).
        busybox = (root.resolved and _busybox_image(root.value)) or _uses_apk(df, chain)
        create = "RUN addgroup -S app && adduser -S -G app app" if busybox else "RUN useradd -r app"
        if root.resolved and root.value.split("@", 1)[0].split(":", 1)[0].endswith("ubi-minimal"):
            return [MISSING_USER.at(
                df.path, line, col,
                f"{where} never sets USER, so the container runs as root; add 'USER 1001' (a numeric uid "
                f"needs no account, and ubi-minimal has no useradd)",
            )]
        return [MISSING_USER.at(
            df.path, line, col,
            f"{where} never sets USER, so the container runs as root; "
            f"add a non-root user (e.g. '{create}' and 'USER app')" + _root_home_note(df, chain, "app"),
        )]
    value = last_user.expand(last_user.args, df.escape)
    if value.resolved and _is_root(value.value):
        line, col = last_user.args_position()
        admin = value.value.strip().split(":", 1)[0] not in ("root", "0")
        who, fix = ("the administrator", "'USER ContainerUser'") if admin else ("root", "a non-root user")
        return [ROOT_USER.at(
            df.path, line, col,
            f"the final stage's last USER is {who} ({_shown(last_user.args, value.value)}); "
            f"switch to {fix} before the end of the stage",
        )]
    return []


def _shown(written: str, value: str) -> str:
    return f"'{written}'" if written == value else f"'{written}' = '{value}'"


HOOK = Hook(
    id="check-non-root-user", doc=__doc__ or "", rules=RULES,
    options=(TARGET,),
    dockerfile=lambda df, ctx: check(df, target=ctx.options.target),
)


def main(argv: Sequence[str] | None = None) -> int:
    return run_hook(HOOK, argv)


if __name__ == "__main__":
    raise SystemExit(main())
