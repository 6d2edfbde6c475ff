"""check-python-env: a shipped Python image sets PYTHONDONTWRITEBYTECODE and PYTHONUNBUFFERED.

Only the final stage counts (the one named by ``--target``, else the last one that is not a dev or test stage), with the
stages it is built ``FROM``: an ``ENV`` set in a parent stage is inherited. The stage
must run Python: its base image is a Python image (``python``, ``pypy``, distroless
``python3``, a ``python`` tag), or its ``RUN``, ``CMD``, ``ENTRYPOINT`` or
``HEALTHCHECK`` calls ``python``, ``pip``, ``uv``, ``gunicorn``, ``uvicorn``,
``celery``, a ``*.py`` script..., or it sets ``PYTHON*``/``PIP_*``/``VIRTUAL_ENV``.
A final ``nginx`` stage that serves files built by a Python builder is not judged.

Both ``ENV K=V`` and the legacy ``ENV K V`` form count. An empty value does not
(Python ignores it), an ``ARG`` does not (it is gone when the container runs), and a
value from an unset build argument is assumed to be set. A misspelt name
(``PYTHONBUFFERED``) does not count either, and the message says so. Python's own switches on the
command that the image runs count as well: ``python -B`` for PYTHONDONTWRITEBYTECODE,
``python -u`` for PYTHONUNBUFFERED, or ``env PYTHONUNBUFFERED=1 ...``. An image that
compiles its byte code at build time (``python -m compileall``, or a uv install with
``--compile-bytecode`` or ``UV_COMPILE_BYTECODE`` set, as uv's Docker guide does, in a
``RUN`` of the shipped stages or of a stage they ``COPY --from``) ships fresh ``.pyc``
files on purpose, for a faster start: it is not asked for PYTHONDONTWRITEBYTECODE. A
development container's Dockerfile (in a ``.devcontainer`` directory) is not judged: it
is an environment to work in, never shipped. What a base image sets is not visible here,
except for Red Hat's Python images (``registry.access.redhat.com/ubi9/python-311``,
``quay.io/sclorg/python-312-c9s``), whose published Dockerfiles set
``PYTHONUNBUFFERED=1``: they count as setting it.

Options:
    --target NAME   judge the stage NAME instead of the last one.

## DPH501 missing-pythondontwritebytecode
### What it does
Reports a final stage that runs Python when no ``ENV`` of this Dockerfile (in that stage
or the stages it is built ``FROM``) sets ``PYTHONDONTWRITEBYTECODE`` to a non-empty
value (reported at its ``FROM``). What the base image sets is not visible here: where a
base image of your own sets it, suppress the rule with that reason.
### Why is this bad?
Python writes ``__pycache__/*.pyc`` files next to the code it imports: at run time they
land in the container's writable layer (or fail on a read-only root file system), and
in ``RUN`` steps they are baked into the image's layers. The variable only stops those
writes on import: ``pip install`` still compiles the packages it installs (its
``--no-compile`` stops that), as does ``python -m compileall``. Overlaps
dockerfile-doctor DD015 and droast DF032; hadolint has no such rule.
### Example
```dockerfile
FROM python:3.12-slim-bookworm
ENV PYTHONUNBUFFERED=1
COPY . /app
CMD ["python", "/app/main.py"]
```
### Use instead
```dockerfile
FROM python:3.12-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \\
    PYTHONUNBUFFERED=1
COPY . /app
CMD ["python", "/app/main.py"]
```
### Fix
Inserts one line ``ENV PYTHONDONTWRITEBYTECODE=1`` right after the final stage's
``FROM`` (with ``PYTHONUNBUFFERED=1`` too when DPH502 is reported), cased and indented
like the ``FROM``. Not offered when the variable is set to an empty value (a later
``ENV`` would still clear it) or declared as an ``ARG``: which value was meant is a guess.

## DPH502 missing-pythonunbuffered
### What it does
Reports a final stage that runs Python when no ``ENV`` of this Dockerfile (in that stage
or the stages it is built ``FROM``) sets ``PYTHONUNBUFFERED`` to a non-empty value
(reported at its ``FROM``); what the base image sets is not visible here.
### Why is this bad?
Without a terminal, Python block-buffers stdout: log lines reach ``docker logs`` late,
out of order with stderr, or never when the container is killed. Overlaps
dockerfile-doctor DD015 and droast DF032.
### Example
```dockerfile
FROM python:3.12-slim-bookworm AS base
ENV PYTHONDONTWRITEBYTECODE=1
ARG PYTHONUNBUFFERED=1
FROM base
CMD ["gunicorn", "app:app"]
```
### Use instead
```dockerfile
FROM python:3.12-slim-bookworm AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
FROM base
CMD ["gunicorn", "app:app"]
```
### Fix
Inserts one line ``ENV PYTHONUNBUFFERED=1`` right after the final stage's ``FROM``
(the same line as DPH501's fix when both are reported). Not offered when the variable
is set to an empty value or declared as an ``ARG``.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from hooks._cli import run_hook
from hooks._dockerfile import Dockerfile, Expanded, Instruction, Stage, arg_declarations_of
from hooks._findings import NO_FIX, WARNING, Finding, Fix, Rule, unknown_target
from hooks._fix import indent, line_end, line_ending, newline_near
from hooks._hook import TARGET, Hook
from hooks._images import image_env, runs_python
from hooks._shell import Command, argv_commands, instruction_commands, python_install, run_script

NO_BYTECODE = Rule(
    "DPH501", "missing-pythondontwritebytecode", WARNING,
    "The final stage runs Python but does not set PYTHONDONTWRITEBYTECODE.",
    fixable=True,
)
UNBUFFERED = Rule(
    "DPH502", "missing-pythonunbuffered", WARNING,
    "The final stage runs Python but does not set PYTHONUNBUFFERED.",
    fixable=True,
)
RULES = (NO_BYTECODE, UNBUFFERED)

# (rule, variable, python switch, what it prevents)
_VARIABLES = (
    (NO_BYTECODE, "PYTHONDONTWRITEBYTECODE", "B",
     "so Python writes no .pyc files for the code it imports (pip still compiles what it installs: "
     "add --no-compile for that)"),
    (UNBUFFERED, "PYTHONUNBUFFERED", "u", "so log lines reach 'docker logs' at once"),
)
_INTERPRETER_RE = re.compile(r"^(python|pypy)(\d+(\.\d+)*)?$")


def _runs_compileall(cmd: Command) -> bool:
    """``python -m compileall ...`` (any interpreter, ``-mcompileall`` too)."""
    words = cmd.words
    if "compileall" not in words and "-mcompileall" not in words:
        return False
    if not _INTERPRETER_RE.match(cmd.program.rsplit("/", 1)[-1]):
        return False
    return any(
        word == "-mcompileall" or (word == "-m" and words[i + 1:i + 2] == ("compileall",))
        for i, word in enumerate(words)
    )


_UV_INSTALLS = ("sync", "pip install", "pip sync")
_FALSE = frozenset({"", "0", "false", "no", "off", "n", "f"})


def _uv_compiles(instr: Instruction, cmd: Command) -> bool:
    """A uv install that compiles what it installs: ``--compile-bytecode`` (``--compile``),
    or ``UV_COMPILE_BYTECODE`` set for it (prefix assignment, ENV or ARG)."""
    install = python_install(cmd)
    if install is None or install.tool != "uv" or install.verb not in _UV_INSTALLS:
        return False
    if any(word in ("--compile-bytecode", "--compile") for word in install.args):
        return True
    for assignment in reversed(cmd.assignments):
        name, _, value = assignment.partition("=")
        if name == "UV_COMPILE_BYTECODE":
            return value.lower() not in _FALSE
    var = instr.lookup("UV_COMPILE_BYTECODE")
    return var is not None and (not var.resolved or var.value.lower() not in _FALSE)


def _compiles_bytecode(df: Dockerfile, chain: list[Stage]) -> bool:
    """Byte code compiled at build time in the shipped stages or a stage they copy from."""
    seen: set[int] = set()
    todo = list(chain)
    while todo:
        member = todo.pop()
        if member.index in seen:
            continue
        seen.add(member.index)
        for instr in member.instructions:
            if instr.keyword == "RUN":
                commands = run_script(instr, df.lines).commands()
                if any(_runs_compileall(c) or _uv_compiles(instr, c) for c in commands):
                    return True
            elif instr.keyword in ("COPY", "ADD") and instr.flag("from"):
                source = df.stage_ref(instr.flag("from") or "", before=member.index)
                if source is not None:
                    todo.extend(df.chain(source))
    return False


def _misspelling(name: str, written_names: Iterable[str]) -> str | None:
    """An ENV name that looks like a misspelling of ``name`` (``PYTHONBUFFERED``)."""
    from difflib import SequenceMatcher

    others = [written for written in written_names if written != name]
    if not others:
        return None
    matcher = SequenceMatcher(None, b=name)  # compared with each name: worked out once
    for written in others:
        matcher.set_seq1(written.upper())
        # The cheap upper bounds first, as difflib.get_close_matches does.
        if matcher.real_quick_ratio() >= 0.8 and matcher.quick_ratio() >= 0.8 and matcher.ratio() >= 0.8:
            return written
    return None


def _switches(words: Sequence[str]) -> str:
    """The one-letter switches given to a ``python`` command: ``python -uB x.py`` -> 'uB'."""
    found: list[str] = []
    i = 1
    while i < len(words) and words[i].startswith("-") and not words[i].startswith("--") and words[i] != "-":
        for j, letter in enumerate(words[i][1:], start=2):
            if letter in "cm":
                return "".join(found)  # -c command / -m module end the options
            if letter in "WX":
                if j == len(words[i]):
                    i += 1  # the value is the next word (else the rest of this one)
                break
            found.append(letter)
        i += 1
    return "".join(found)


def _runtime_settings(df: Dockerfile, stage: Stage) -> tuple[str, dict[str, str]]:
    """Python switches and ``env NAME=value`` assignments on the command the image runs."""
    entrypoint, cmd = df.entrypoint_cmd(stage)
    argvs: list[Sequence[Command]] = []
    if entrypoint is not None and cmd is not None and entrypoint.json is not None and cmd.json is not None:
        argvs.append(argv_commands(entrypoint.json + cmd.json))
    argvs.extend(instruction_commands(i) for i in (entrypoint, cmd) if i is not None)
    switches = ""
    assigned: dict[str, str] = {}
    for cmds in argvs:
        for command in cmds:
            for assignment in command.assignments:
                name, _, value = assignment.partition("=")
                assigned[name] = value
            if _INTERPRETER_RE.match(command.program):
                switches += _switches(command.words)
    return switches, assigned


def check(df: Dockerfile, *, target: str | None = None) -> list[Finding]:
    stage = df.final_stage(target)
    if stage is None:
        return unknown_target(df.path, target)
    if df.dev_container:
        return []  # a development environment, never shipped
    chain = df.chain(stage)
    if not runs_python(df, chain):
        return []
    env: dict[str, tuple[Instruction, str]] = {}  # name -> the last ENV that sets it, and its raw value
    build_args: set[str] = set()
    for member in chain:
        for instr in member.instructions:
            if instr.keyword == "ENV":
                for name, raw, _ in instr.key_values(df.escape):
                    env[name] = (instr, raw)
            elif instr.keyword == "ARG":
                build_args.update(name for name, _ in arg_declarations_of(instr.args, df.escape))
    runtime: tuple[str, dict[str, str]] | None = None  # worked out when an ENV is missing
    inherited = image_env(df, stage)  # what the base image sets itself (Red Hat's Python images)
    problems: list[tuple[Rule, str, str, str]] = []  # (rule, variable, problem, purpose)
    for rule, name, switch, purpose in _VARIABLES:
        var: Expanded | None = None
        if name in env:
            instr, raw = env[name]
            var = instr.expand(raw, df.escape)
            if var.value or not var.resolved:
                continue
        elif inherited.get(name):
            continue
        if runtime is None:
            runtime = _runtime_settings(df, stage)
        switches, assigned = runtime
        if switch in switches or assigned.get(name):
            continue
        if rule is NO_BYTECODE and var is None and _compiles_bytecode(df, chain):
            continue
        if var is not None:
            problem = f"sets {name} to an empty value, which Python ignores"
        elif name in build_args:
            problem = f"sets {name} only as an ARG, which the running container does not see"
        elif (typo := _misspelling(name, env)) is not None:
            problem = f"sets '{typo}', not {name} (a misspelling?)"
        else:
            seen = "in this Dockerfile"
            if len(chain) > 1:
                seen += " (in it or the stages it is built from)"
            problem = f"runs Python and no ENV {seen} sets {name}"
        problems.append((rule, name, problem, purpose))
    if not problems:
        return []
    # The fix: both variables that no ENV or ARG names, on one new ENV line after the FROM.
    fixed = [name for _, name, _, _ in problems if name not in env and name not in build_args]
    fix = _env_fix(df, stage, fixed) if fixed else NO_FIX
    where = f"final stage '{stage.name}'" if stage.name else "the final stage"
    line, col = stage.from_.position(0)
    return [
        rule.at(
            df.path, line, col, f"{where} {problem}; add 'ENV {name}=1' {purpose}",
            fix=fix if name in fixed else NO_FIX,
        )
        for rule, name, problem, purpose in problems
    ]


def _env_fix(df: Dockerfile, stage: Stage, names: list[str]) -> Fix:
    """A line ``ENV NAME=1 ...`` right after the final stage's FROM (fix mode only:
    hooks/_fix.py), cased like the FROM and indented like it."""
    line = stage.from_.end_line
    ending = line_ending(df, line)
    keyword = "env" if stage.from_.keyword_raw.islower() else "ENV"
    text = f"{indent(df, stage.from_.start_line)}{keyword} {' '.join(f'{name}=1' for name in names)}"
    where = line_end(df, line) + len(ending)
    return Fix(((where, where, f"{text}{ending}" if ending else f"{newline_near(df, line)}{text}"),))


HOOK = Hook(
    id="check-python-env", doc=__doc__ or "", rules=RULES,
    options=(TARGET,),
    dockerfile=lambda df, ctx: check(df, target=ctx.options.target),
)


def main(argv: Sequence[str] | None = None) -> int:
    return run_hook(HOOK, argv)


if __name__ == "__main__":
    raise SystemExit(main())
