"""The check protocol: what a check module declares, and what the runner hands its checks.

Every ``hooks/check_*.py`` module ends with one declaration::

    HOOK = Hook(
        id="check-run-layers", doc=__doc__, rules=(CONSECUTIVE,),
        options=(TARGET, ALL_STAGES),
        dockerfile=lambda df, ctx: check(df, target=ctx.options.target, ...),
    )

    def main(argv: Sequence[str] | None = None) -> int:
        return run_hook(HOOK, argv)

A hook names its rules, the options it takes (each an :class:`Option`: a command-line
flag, and the same key in configuration), and one check per kind of file it reads
(``dockerfile``, ``requirements``, ``requirements_in`` (pip-tools input), ``ci``,
``compose``). Each check is called as ``check(model, ctx)``
with the parsed model of one file and a :class:`Context`: the option values and the
repository the file belongs to (for checks that read other files: the build context of
a Dockerfile, :meth:`Context.build_context`). The one runner (:mod:`hooks._cli`) serves every
single-purpose hook and the all-rules command; the manifest, console scripts and docs
are generated from these declarations (:mod:`hooks._docs`).
"""
from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from hooks._findings import Finding, Rule

if TYPE_CHECKING:
    from hooks._compose import Compose
    from hooks._context import BuildContext
    from hooks._dockerfile import Dockerfile
    from hooks._files import Repo
    from hooks._fix import Fixer
    from hooks._requirements import RequirementsSet

# The kinds of file a hook may read, in the order the manifest lists them.
KINDS = ("dockerfile", "requirements", "requirements_in", "ci", "compose")


def names_list(value: str) -> list[str]:
    """A comma-separated list of names, blanks dropped: ``"pip, wheel"`` -> ``["pip", "wheel"]``."""
    return [name.strip() for name in value.split(",") if name.strip()]


class Option(NamedTuple):
    """One option of a hook: ``--NAME`` on the command line, ``NAME`` in configuration.

    ``kind`` is ``"flag"`` (on or off), ``"value"`` (one string) or ``"names"`` (a list of
    names, comma-separated and repeatable on the command line)."""

    name: str
    help: str
    kind: Literal["flag", "value", "names"] = "value"
    metavar: str = "VALUE"

    @property
    def dest(self) -> str:
        return self.name.replace("-", "_")

    @property
    def default(self) -> Any:
        return False if self.kind == "flag" else [] if self.kind == "names" else None

    def add_to(self, parser: argparse.ArgumentParser) -> None:
        flag = f"--{self.name}"
        if self.kind == "flag":
            parser.add_argument(flag, action="store_true", help=self.help)
        elif self.kind == "names":
            parser.add_argument(
                flag, metavar=self.metavar, type=names_list, action="extend", default=[], help=self.help,
            )
        else:
            parser.add_argument(flag, metavar=self.metavar, help=self.help)


TARGET = Option("target", "the stage that is shipped (default: the last)", metavar="NAME")


class Context(NamedTuple):
    """What a check may use besides the parsed file: option values and the repository."""

    repo: Repo
    options: argparse.Namespace
    fixer: Fixer | None = None  # fix mode (--fix / --diff): hooks/_fix.py

    def build_context(self, dockerfile: Dockerfile) -> BuildContext:
        """The build context of ``dockerfile``: its files, its ignore files (hooks/_context.py)."""
        from hooks._context import BuildContext

        return BuildContext(self.repo, dockerfile.path, dockerfile)


DockerfileCheck = Callable[["Dockerfile", Context], list[Finding]]
RequirementsCheck = Callable[["RequirementsSet", Context], list[Finding]]
TextCheck = Callable[[str, str, Context], list[Finding]]
ComposeCheck = Callable[["Compose", Context], list[Finding]]


class Hook(NamedTuple):
    """A check module's declaration: its id (= module = console script), its documentation
    (the module docstring), its rules and options, and its check for each kind of file."""

    id: str
    doc: str
    rules: tuple[Rule, ...]
    options: tuple[Option, ...] = ()
    dockerfile: DockerfileCheck | None = None
    requirements: RequirementsCheck | None = None
    ci: TextCheck | None = None
    requirements_in: RequirementsCheck | None = None  # pip-tools input files (requirements*.in)
    compose: ComposeCheck | None = None
    # Rules documented by another hook that this one reports too, on its own kind of file
    # (check-compose reports the image-pin rules of check-base-image-pinned).
    reports: tuple[Rule, ...] = ()

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds of file this hook reads, in :data:`KINDS` order."""
        return tuple(kind for kind in KINDS if getattr(self, kind) is not None)

    @property
    def codes(self) -> frozenset[str]:
        """Every code this hook reports: its own rules' and those of :attr:`reports`."""
        return frozenset(rule.code for rule in (*self.rules, *self.reports))


def option_defaults(options: Sequence[Option]) -> argparse.Namespace:
    """Every option at its default value, for calling checks without a command line."""
    return argparse.Namespace(**{option.dest: option.default for option in options})
