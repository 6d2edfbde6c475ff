"""check-run-layers: consecutive RUN instructions are merged into one layer.

Two ``RUN`` instructions are consecutive when nothing but comments stands between them
in one stage. They can be merged when both are shell scripts with the same flags: a
different ``--mount``, ``--network`` or ``--security`` changes what the commands see,
so such a pair is left alone. Heredoc ``RUN``s count when the shell runs their bodies
(``RUN <<EOF``, ``RUN bash <<EOF``); a body run by another interpreter
(``#!/usr/bin/env python3``, ``RUN python3 <<EOF``) or written to a file, and the exec
form ``RUN ["..."]`` (no shell to join with, maybe none in the image) are not
mergeable. Only what ships is judged: the final stage (``--target``, else the last one that is not a dev or test stage)
and the stages it is built ``FROM``. Builder stages are discarded, and separate
``RUN``s there keep the build cache fine-grained (hadolint #1056). ``ONBUILD RUN``
triggers are compared with each other only: two consecutive ``ONBUILD RUN`` lines are
two layers in every image built ``FROM`` this one.

Options:
    --target NAME   the stage that is shipped (default: the last one).
    --all-stages    judge builder stages too.

## DPH304 consecutive-run
### What it does
Reports a ``RUN`` that directly follows another ``RUN`` with the same flags in a
shipped stage (reported at the second one).
### Why is this bad?
Every ``RUN`` adds a layer: files that one layer creates and the next deletes still
take space in the image, and each layer costs a little at pull time. Overlaps hadolint
DL3059.
### Example
```dockerfile
FROM python:3.12-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends libpq5
RUN rm -rf /var/lib/apt/lists/*
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

from collections.abc import Sequence

from hooks._cli import run_hook
from hooks._dockerfile import Dockerfile, Flag, Instruction
from hooks._findings import INFO, Finding, Rule, unknown_target
from hooks._hook import TARGET, Hook, Option
from hooks._shell import shell_heredocs

CONSECUTIVE = Rule(
    "DPH304", "consecutive-run", INFO,
    "Consecutive RUN instructions with the same flags that could be one layer.",
)
RULES = (CONSECUTIVE,)


def _mergeable(instr: Instruction) -> bool:
    """A shell-form RUN whose heredocs (if any) are all run by the shell."""
    if instr.keyword != "RUN" or instr.json is not None:
        return False
    return len(shell_heredocs(instr)) == len(instr.heredocs)


def _flags(instr: Instruction) -> list[Flag]:
    return sorted(instr.flags, key=lambda flag: (flag.name, flag.value or ""))


def check(df: Dockerfile, *, target: str | None = None, all_stages: bool = False) -> list[Finding]:
    final = df.final_stage(target)
    if final is None:
        return unknown_target(df.path, target)
    judged = df.stages if all_stages else df.chain(final)
    found: list[Finding] = []
    for stage in judged:
        found.extend(_consecutive(df, stage.instructions, "RUN"))
        found.extend(_consecutive(df, stage.triggers(), "ONBUILD RUN"))
    return found


def _consecutive(df: Dockerfile, instructions: Sequence[Instruction], shown: str) -> list[Finding]:
    found: list[Finding] = []
    previous: Instruction | None = None
    for instr in instructions:
        if not _mergeable(instr):
            previous = None
            continue
        if previous is not None and (
            previous.flags == instr.flags or _flags(previous) == _flags(instr)
        ):
            line, col = instr.position(0)
            # Heredoc scripts merge into one script (set -e), not into an '&&' chain.
            how = "put both scripts in one heredoc" if previous.heredocs or instr.heredocs \
                else "join the commands with '&&'"
            found.append(CONSECUTIVE.at(
                df.path, line, col,
                f"{shown} right after the {shown} on line {previous.start_line} with the same flags; "
                f"merge them into one {shown} ({how}) to save a layer",
            ))
        previous = instr
    return found


HOOK = Hook(
    id="check-run-layers", doc=__doc__ or "", rules=RULES,
    options=(TARGET, Option("all-stages", "judge builder stages too", "flag"),),
    dockerfile=lambda df, ctx: check(df, target=ctx.options.target, all_stages=ctx.options.all_stages),
)


def main(argv: Sequence[str] | None = None) -> int:
    return run_hook(HOOK, argv)


if __name__ == "__main__":
    raise SystemExit(main())
