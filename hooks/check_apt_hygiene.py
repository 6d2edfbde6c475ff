"""check-apt-hygiene: apt installs skip recommended packages and leave no package lists behind.

Every ``RUN`` is read as the shell runs it: the command line, heredoc bodies
(``RUN <<EOF``, ``RUN bash <<EOF``), ``sh -c '...'`` and the exec form, with
``sudo``, ``env`` and ``VAR=value`` prefixes. ``apt-get``, ``apt`` and ``aptitude``
(and the front ends ``apt-fast`` and ``nala``) are recognised (``add-apt-repository``
updates the lists too, unless ``-n``).
DPH503 and DPH504 are about the size of the image, so they judge only what ships: the
final stage (``--target``, else the last one that is not a dev or test stage) and the stages it is built ``FROM``. A
builder stage's layers are discarded, so its cleanup does not matter (hadolint
#167). DPH505 breaks builds in any stage, so it judges every stage. An ``ONBUILD RUN``
trigger is judged as a ``RUN`` of the stage that declares it (it runs in every build
``FROM`` that image, after the whole stage), and reported at the trigger.

Options:
    --target NAME   the stage that is shipped (default: the last one).
    --all-stages    judge DPH503 and DPH504 in builder stages too.

## DPH503 apt-install-recommends
### What it does
Reports an ``apt-get install`` (or ``apt install``, ``aptitude install``) without
``--no-install-recommends``. Also accepted: ``-o APT::Install-Recommends=false`` (or
``=0``), ``--install-recommends=no``, aptitude's ``-R``/``--without-recommends``, and
an ``APT::Install-Recommends "false";`` setting written earlier in the same ``RUN`` or
in the stage chain (``echo ... > /etc/apt/apt.conf.d/...``, ``COPY <<EOF``).
### Why is this bad?
Recommended packages are not needed to run what you install, but they are installed
by default: often tens or hundreds of megabytes more, and more packages to patch.
Overlaps hadolint DL3015 and Trivy DS-0029.
### Example
```dockerfile
FROM python:3.12-slim-bookworm
RUN apt-get update && apt-get install -y libpq5 \\
    && rm -rf /var/lib/apt/lists/*
```
### Use instead
```dockerfile
FROM python:3.12-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 \\
    && rm -rf /var/lib/apt/lists/*
```
### Fix
Adds ``--no-install-recommends`` (aptitude: ``--without-recommends``) right after the
``install`` word. Not offered for an exec-form ``RUN``, nor where ``install`` is quoted,
built from a variable or glued to other text.

## DPH504 apt-lists-not-removed
### What it does
Reports a ``RUN`` that runs ``apt-get update`` and installs, but does not remove
``/var/lib/apt/lists`` afterwards in the same ``RUN``. Any removal of the directory or a
wildcard over its contents counts: ``rm -rf /var/lib/apt/lists/*``, ``rm -r
/var/lib/apt/lists``, ``rm /var/lib/apt/lists/*_*``, ``rm -rf /var/lib/apt/*``, ``rm -rf
/var/lib/{apt,dpkg,cache,log}/``, ``find
/var/lib/apt/lists -delete`` (or ``-exec rm``) and ``apt-get distclean``. A ``cache`` or
``tmpfs`` mount on ``/var/lib/apt`` or ``/var/lib/apt/lists`` keeps the lists out of the
layer and is fine too. ``apt-get clean`` alone does not remove the lists. A ``RUN`` that
only installs (its lists came from an earlier layer) is not reported: removing them there
would not shrink the image; nor is one whose only install is presumed, in a script we
cannot read (see DPH505), which may remove the lists as well.
### Why is this bad?
The package lists are tens of megabytes that nothing in the image uses; removing them
in a later ``RUN`` does not help, because the earlier layer keeps them. Overlaps
hadolint DL3009.
### Example
```dockerfile
FROM python:3.12-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 && apt-get clean
```
### Use instead
```dockerfile
# syntax=docker/dockerfile:1
FROM python:3.12-slim-bookworm
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\
    --mount=type=cache,target=/var/lib/apt,sharing=locked \\
    apt-get update && apt-get install -y --no-install-recommends libpq5
```
### Fix
Appends `` && rm -rf /var/lib/apt/lists/*`` to the ``RUN`` (``sudo rm ...`` when the
``apt-get update`` runs through ``sudo``, as under a non-root ``USER``): on the same line for a
one-line ``RUN``; on a new continuation line for one that spans lines, with the ``&&``
where that ``RUN`` puts it (line end or line start) and the same indentation; as a new
line before the terminator of a heredoc that the shell runs. Not offered for an
exec-form ``RUN``, a ``RUN`` with several heredocs or data heredocs, one that ends in an
operator, an open ``if``/``while``/``{`` or a comment, one that runs ``exit`` or
``exec`` after the ``apt-get update`` (the shell ends there, so the ``rm`` would never
run; a heredoc body that runs either), nor where our shell lexer would not read the result as the same
commands plus the ``rm``.

## DPH505 apt-update-without-install
### What it does
Reports an ``apt-get update`` (or ``apt update``, ``add-apt-repository``) that no
install, upgrade or ``build-dep`` follows in the same ``RUN``. A later command whose
effect the script does not show may install, so it counts as an install: a script file
(``/bin/bash /tmp/scripts/common-debian.sh``, ``./setup.sh``, ``. x.sh``, a program
called by a path outside ``/bin``, ``/sbin``, ``/usr/bin`` and ``/usr/sbin``), a shell
reading a pipe (``curl ... | sh``), a shell function defined in the ``RUN``, a runner of
the project's recipes (``make``, ``just``, ``ansible-playbook``), a variable or
command substitution as the program (``$INSTALL``, ``sh -c "$CMD"``, ``eval "$(...)"``),
a command string for another user (``su vscode -c '...'``), a
helper named to install (``install_packages``, ``docker-php-ext-install``). So do tools
that call apt themselves: ``playwright install --with-deps``, ``rosdep install``,
``mk-build-deps -i``, ``gdebi``.
``xargs apt-get install`` is read as the install it runs.
### Why is this bad?
The build cache keeps the layer with the package lists. When a later ``RUN`` that
installs changes, it is rebuilt on top of the old lists: it installs outdated
packages, or fails with 404 errors once the mirror has dropped them. Overlaps
Checkov CKV_DOCKER_5 and Trivy DS-0017.
### Example
```dockerfile
FROM python:3.12-slim-bookworm
RUN apt-get update
RUN apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*
```
### Use instead
```dockerfile
FROM python:3.12-slim-bookworm
RUN apt-get update \\
    && apt-get install -y --no-install-recommends libpq5 \\
    && rm -rf /var/lib/apt/lists/*
```
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from hooks._cli import run_hook
from hooks._dockerfile import Dockerfile, Instruction
from hooks._findings import ERROR, WARNING, Finding, Fix, Rule, unknown_target
from hooks._fix import args_edits, args_span, indent, insert_after_word, line_start, newline_near
from hooks._hook import TARGET, Hook, Option
from hooks._shell import (
    Command,
    PackageCall,
    Script,
    brace_expand,
    commands,
    defined_functions,
    installs_system_packages,
    run_script,
    runs_unseen_code,
    shell_heredocs,
)

RECOMMENDS = Rule(
    "DPH503", "apt-install-recommends", WARNING,
    "apt-get install without --no-install-recommends.",
    fixable=True,
)
LISTS = Rule(
    "DPH504", "apt-lists-not-removed", WARNING,
    "A RUN updates the apt lists, installs, and leaves the lists in the layer.",
    fixable=True,
)
STALE = Rule(
    "DPH505", "apt-update-without-install", ERROR,
    "apt-get update in a RUN that installs nothing after it.",
)
RULES = (RECOMMENDS, LISTS, STALE)

_APT = frozenset({"apt-get", "apt", "aptitude", "apt-fast", "nala"})
_INSTALLS = frozenset({
    "install", "reinstall", "upgrade", "dist-upgrade", "full-upgrade", "safe-upgrade",
    "build-dep", "source", "download", "satisfy",
})
_FALSE = frozenset({"false", "0", "no", "off"})
_LISTS_DIRS = frozenset({"/var/lib/apt", "/var/lib/apt/lists"})
_CONFIG_RE = re.compile(
    r"APT::Install-Recommends\s*=?\s*\\?[\"']?\s*(?:false|0|no|off)\b", re.IGNORECASE
)


def _norecommends_option(call: PackageCall) -> bool:
    options = call.options
    for index, word in enumerate(options):
        if word in ("--no-install-recommends", "-R", "--without-recommends"):
            return True
        name, _, value = word.partition("=")
        if name == "--install-recommends" and value.lower() in _FALSE:
            return True
        setting = ""
        if word in ("-o", "--option") and index + 1 < len(options):
            setting = options[index + 1]
        elif word.startswith("--option="):
            setting = word[len("--option="):]
        elif word.startswith("-o") and not word.startswith("--"):
            setting = word[2:].lstrip("=")
        key, _, value = setting.partition("=")
        if key.lower() == "apt::install-recommends" and value.lower() in _FALSE:
            return True
    return False


def _removes_lists(cmd: Command, call: PackageCall | None) -> bool:
    program = cmd.program
    if call is not None and call.manager in _APT:
        return call.verb in ("distclean", "dist-clean")
    if program not in ("rm", "find"):
        return False
    if not any(_lists_path(path) for word in cmd.words[1:] for path in brace_expand(word)):
        return False
    return program == "rm" or "-delete" in cmd.words or "rm" in cmd.words


def _lists_path(word: str) -> bool:
    """Whether ``word`` names the package lists or a wildcard over them (``/var/lib/apt``,
    ``/var/lib/apt/lists``, ``/var/lib/apt/lists/*``, ``/var/lib/apt/lists/*_*``)."""
    if _normalized(word) in _LISTS_DIRS:
        return True
    return word.startswith("/var/lib/apt/lists") and any(c in word for c in "*?[")


def _normalized(path: str) -> str:
    while path.endswith(("/*", "/")) and len(path) > 1:
        path = path[:-2] if path.endswith("/*") else path[:-1]
    return path


def _lists_mounted(instr: Instruction) -> bool:
    for spec in instr.flag_values("mount"):
        fields = dict(part.partition("=")[::2] for part in spec.split(","))
        target = fields.get("target") or fields.get("dst") or fields.get("destination") or ""
        if fields.get("type") in ("cache", "tmpfs") and _normalized(target) in _LISTS_DIRS:
            return True
    return False


def _updates(cmd: Command, call: PackageCall | None) -> bool:
    if call is not None:
        return call.manager in _APT and call.verb == "update"
    if cmd.program == "add-apt-repository":
        return not any(w in ("-n", "--no-update") for w in cmd.words[1:])
    return False


def _shown(cmd: Command, call: PackageCall | None) -> str:
    return f"{call.manager} {call.verb}" if call is not None else cmd.program


def _check_run(
    df: Dockerfile, instr: Instruction, script: Script, *, shipped: bool, norecommends: bool
) -> list[Finding]:
    """The apt findings of one RUN. Its commands are walked once for the apt calls; what
    follows the last update is looked at only when there is one."""
    found: list[Finding] = []
    cmds = script.commands()
    calls = script.package_calls()
    last = -1  # the last update
    for index, call in enumerate(calls):
        if call is None:
            if _updates(cmds[index], call):
                last = index
        elif call.manager in _APT:
            if call.verb == "update":
                last = index
            elif call.verb == "install" and shipped and not norecommends and not _norecommends_option(call):
                found.append(_recommends(df, instr, script, call))
    if last < 0:
        return found
    cmd = cmds[last]
    offset, shown = cmd.offsets[0], _shown(cmd, calls[last])
    installs = may_install = removes = False
    functions = defined_functions(script.text)
    for cmd, call in zip(cmds[last + 1:], calls[last + 1:], strict=True):
        if call is not None and call.manager in _APT and call.verb in _INSTALLS:
            installs = True
        elif _removes_lists(cmd, call):
            removes = True
        elif call is None and (runs_unseen_code(cmd, functions) or installs_system_packages(cmd)):
            may_install = True
    line, col = script.position(offset)
    # The update's own 'sudo' (a non-root USER): the removal needs it too.
    remove = f"sudo {_REMOVE_LISTS}" if _through_sudo(script, cmds[last]) else _REMOVE_LISTS
    if not installs and not may_install:
        found.append(STALE.at(
            df.path, line, col,
            f"'{shown}' in a RUN that installs nothing after it: the cached layer "
            f"keeps stale package lists; update and install in the same RUN",
        ))
    elif installs and shipped and not removes and not _lists_mounted(instr):
        found.append(LISTS.at(
            df.path, line, col,
            f"the package lists from '{shown}' stay in this layer; end the RUN with "
            f"'{remove}' (or use a cache mount on /var/lib/apt)",
            fix=_lists_fix(df, instr, script, offset, remove),
        ))
    return found


def _recommends(df: Dockerfile, instr: Instruction, script: Script, call: PackageCall) -> Finding:
    cmd = call.command
    shown = _shown(cmd, call)
    option = "--without-recommends" if call.manager == "aptitude" else "--no-install-recommends"
    verb = next((i for i, w in enumerate(cmd.words) if i and w.lower() == "install"), 0)
    line, col = script.position(cmd.offsets[0])
    return RECOMMENDS.at(
        df.path, line, col,
        f"'{shown}' without {option} also installs recommended packages; add {option}",
        fix=_recommends_fix(df, instr, script, cmd.offsets[verb], shown),
    )


# Fixes (applied only in fix mode: hooks/_fix.py)

_REMOVE_LISTS = "rm -rf /var/lib/apt/lists/*"
_OPEN_KEYWORDS = frozenset({"then", "do", "else", "elif", "{", "!", "in", "if", "while", "until"})


def _recommends_fix(df: Dockerfile, instr: Instruction, script: Script, verb: int, shown: str) -> Fix:
    """``--no-install-recommends`` (aptitude: ``--without-recommends``) right after the
    ``install`` word, where it is written plainly in a shell-form RUN or heredoc body."""
    if instr.json is not None:
        return Fix()
    option = "--without-recommends" if shown.startswith("aptitude") else "--no-install-recommends"
    line, col = script.position(verb)
    return insert_after_word(df, line, col, "install", f" {option}")


def _through_sudo(script: Script, cmd: Command) -> bool:
    """Whether ``cmd`` is run through ``sudo`` (a wrapper before its program)."""
    if not cmd.offsets or cmd.offsets[0] <= cmd.offset:
        return False
    return any(word.rsplit("/", 1)[-1] == "sudo" for word in script.text[cmd.offset:cmd.offsets[0]].split())


def _lists_fix(df: Dockerfile, instr: Instruction, script: Script, update: int, remove: str = _REMOVE_LISTS) -> Fix:
    """``&& rm -rf /var/lib/apt/lists/*`` at the end of a shell-form RUN (on a new
    continuation line when the RUN spans lines, in the style of its ``&&``), or a line
    ``rm -rf /var/lib/apt/lists/*`` before the terminator of a heredoc the shell runs."""
    if instr.json is not None:
        return Fix()
    docs = shell_heredocs(instr)
    if docs:
        return _heredoc_lists_fix(df, instr, update, remove)
    args = instr.args
    if instr.heredocs or not args or args[-1] in ";&|(" or args.endswith(df.escape):
        return Fix()
    # The RUN's commands as the script has them, unless a program variable was resolved there.
    before = script.commands() if script.text == args else commands(args)
    text = script.text if script.text == args else args
    if any(_ends_shell(cmd, text) and (cmd.offset > update or text != script.text) for cmd in before):
        return Fix()  # the shell ends at an exit or exec after the update: an rm at the end would never run
    after = commands(f"{args} && {remove}")
    if (
        len(after) != len(before) + 1 or [c.words for c in after[:-1]] != [c.words for c in before]
        or after[-1].words != tuple(_REMOVE_LISTS.split()) or args.split()[-1] in _OPEN_KEYWORDS
    ):
        return Fix()
    span = args_span(instr, len(args) - 1, len(args))
    if span is None or span[0][0] != instr.end_line:
        return Fix()
    line = instr.end_line
    if line == instr.start_line:
        return args_edits(df, instr, [(len(args), len(args), f" && {remove}")])
    continued = [
        text for text in (df.lines[n - 1].rstrip(" \t") for n in range(instr.start_line, line))
        if text.endswith(df.escape) and not text.lstrip().startswith("#")
    ]
    trailing = bool(continued) and continued[-1][:-1].rstrip(" \t").endswith("&&")  # 'a && \' then 'b'
    # Indented like the last line that starts a command ('&& b'), else like the last line.
    lead = max((n for n in range(instr.start_line + 1, line + 1) if df.lines[n - 1].lstrip().startswith("&&")),
               default=line)
    text = (
        f" && {df.escape}{newline_near(df, line)}{indent(df, line)}{remove}" if trailing
        else f" {df.escape}{newline_near(df, line)}{indent(df, lead)}&& {remove}"
    )
    return args_edits(df, instr, [(len(args), len(args), text)])


def _heredoc_lists_fix(df: Dockerfile, instr: Instruction, update: int, remove: str = _REMOVE_LISTS) -> Fix:
    if len(instr.heredocs) != 1 or update <= len(instr.args):
        return Fix()
    doc = instr.heredocs[0]
    last = doc.end_line - 1
    if (
        not doc.terminated or last < doc.start_line or df.lines[last - 1].rstrip(" \t").endswith("\\")
        or any(_ends_shell(cmd, doc.content) for cmd in commands(doc.content))
    ):
        return Fix()
    start = line_start(df, doc.end_line)
    return Fix(((start, start, f"{indent(df, last)}{remove}{newline_near(df, last)}"),))


def _ends_shell(cmd: Command, text: str) -> bool:
    """Whether ``cmd`` (a command of ``text``) ends the shell: ``exit``, or ``exec program``
    (the parser drops the ``exec`` wrapper, so it is read in the words before the program)."""
    if cmd.program == "exit":
        return True
    start = cmd.offsets[0] if cmd.offsets else cmd.offset
    return "exec" in text[cmd.offset:start].split()


def _sets_norecommends(instr: Instruction) -> bool:
    if instr.keyword == "RUN":
        return _config_off(instr.shell_text())
    if instr.keyword in ("COPY", "ADD"):
        return any(_config_off(doc.content) for doc in instr.heredocs)
    return False


def _config_off(text: str) -> bool:
    """Whether ``text`` sets APT::Install-Recommends off."""
    return _CONFIG_RE.search(text) is not None


def check(df: Dockerfile, *, target: str | None = None, all_stages: bool = False) -> list[Finding]:
    final = df.final_stage(target)
    if final is None:
        return unknown_target(df.path, target)
    shipped = {stage.index for stage in df.chain(final)}
    configured: dict[int, bool] = {}  # stage index -> APT::Install-Recommends off at its end
    found: list[Finding] = []
    for stage in df.stages:
        norecommends = stage.parent is not None and configured.get(stage.parent, False)
        for instr in stage.steps():
            if not norecommends and (instr.keyword == "RUN" or instr.heredocs):
                norecommends = _sets_norecommends(instr)
            if instr.keyword == "RUN":
                found.extend(_check_run(
                    df, instr, run_script(instr, df.lines),
                    shipped=all_stages or stage.index in shipped, norecommends=norecommends,
                ))
        configured[stage.index] = norecommends
    return sorted(found)


HOOK = Hook(
    id="check-apt-hygiene", doc=__doc__ or "", rules=RULES,
    options=(TARGET, Option("all-stages", "judge DPH503 and DPH504 in builder stages too", "flag"),),
    dockerfile=lambda df, ctx: check(df, target=ctx.options.target, all_stages=ctx.options.all_stages),
)


def main(argv: Sequence[str] | None = None) -> int:
    return run_hook(HOOK, argv)


if __name__ == "__main__":
    raise SystemExit(main())
