"""The shared main loop of every hook: arguments, safe reading, parsing once, checks,
suppressions, reporting.

A check module's ``main`` adds its own flags and hands over to :func:`run_dockerfile_hook`
or :func:`run_requirements_hook`. Unreadable or hostile input becomes a ``DPH901``
finding; nothing a file contains can make a hook print a traceback.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING, Any

from hooks import _config, _suppress
from hooks._files import ReadError, Repo
from hooks._findings import META_RULES, SYNTAX_ERROR, UNREADABLE, Finding, Rule, report

if TYPE_CHECKING:
    from hooks._dockerfile import Dockerfile
    from hooks._requirements import RequirementsSet

DockerfileCheck = Callable[["Dockerfile"], list[Finding]]
RequirementsCheck = Callable[["RequirementsSet"], list[Finding]]
META_CODES = frozenset(rule.code for rule in META_RULES)


class HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, sized to the terminal only when help or usage is printed.

    argparse builds a formatter for every ``add_argument``, and the stock constructor
    imports :mod:`shutil` to ask for the terminal width: about 2 ms of every hook's
    start-up, spent on output that a hook run almost never prints.
    """

    def __init__(
        self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None,
    ) -> None:
        super().__init__(prog, indent_increment, max_help_position, 80 if width is None else width)
        self._size_on_output = width is None
        self._help_position_wanted = max_help_position

    def format_help(self) -> str:
        if self._size_on_output:
            import shutil

            self._width = shutil.get_terminal_size().columns - 2
            self._max_help_position = min(
                self._help_position_wanted, max(self._width - 20, self._indent_increment * 2)
            )
        return super().format_help()


def settle_imports(argv: Sequence[str] | None) -> None:
    """In a console-script run (``argv`` is None), hide what is imported from the collector.

    Modules, classes and functions live until the process ends, yet every collection,
    and the one Python runs at exit, walks them all: ``gc.freeze()`` moves them out of
    its sight, about 2 ms of a one-file hook run. The models a run builds hold no
    reference cycles (tests/no_cycles_test.py keeps it so): reference counting frees
    them, and the collector, which would walk every new object again and again only to
    find nothing, is switched off for the run (about 3% of an all-rules run over
    thousands of files). In-process callers (tests, which pass ``argv``) keep the
    collector as it was.
    """
    if argv is None:
        import gc

        gc.freeze()
        gc.disable()


def settle_exit(argv: Sequence[str] | None, code: int) -> int:
    """In a console-script run, hide what the run built from the collection Python runs at
    exit, then return ``code``. That collection walks every object only to find nothing to
    free (the models hold no reference cycles): about 20 ms after an all-rules run over
    thousands of files. In-process callers (tests, which pass ``argv``) are left alone."""
    if argv is None:
        import gc

        gc.freeze()
    return code


def make_parser(doc: str | None, prog: str | None = None) -> argparse.ArgumentParser:
    """An argument parser whose description is the first paragraph of ``doc``."""
    description = (doc or "").strip().split("\n\n", 1)[0].replace("\n", " ")
    parser = argparse.ArgumentParser(prog=prog, description=description, formatter_class=HelpFormatter)
    parser.add_argument("filenames", nargs="*", metavar="FILE", help="files to check")
    return parser


def active_codes(rules: Sequence[Rule]) -> frozenset[str]:
    return frozenset(rule.code for rule in rules) | META_CODES


def _internal_error(path: str, exc: BaseException) -> list[Finding]:
    if os.environ.get("DPH_DEBUG"):
        raise exc
    return [UNREADABLE.at(
        path, 1, 1,
        f"internal error while checking this file ({type(exc).__name__}: {exc}); "
        f"please report it",
    )]


def load_dockerfile(path: str, repo: Repo) -> Dockerfile | Finding:
    """The parsed Dockerfile, or the DPH901 finding that explains why there is none."""
    from hooks._dockerfile import parse

    try:
        text = repo.read_dockerfile(path)
    except ReadError as exc:
        return UNREADABLE.at(path, 1, 1, str(exc))
    if not text or text.isspace():
        return UNREADABLE.at(path, 1, 1, "file is empty; a Dockerfile needs at least a FROM")
    return parse(text, path)


NO_FLAGS = _suppress.Flags()


def lint_dockerfile(
    path: str, repo: Repo, checks: Sequence[DockerfileCheck], active: Collection[str],
    flags: _suppress.Flags = NO_FLAGS,
) -> list[Finding]:
    """Parse ``path`` once, run every check on it, then apply its suppressions."""
    try:
        loaded = load_dockerfile(path, repo)
        if isinstance(loaded, Finding):
            return [loaded]
        df = loaded
        findings = [SYNTAX_ERROR.at(path, p.line, p.col, p.message) for p in df.errors] if df.errors else []
        if not df.instructions:
            findings.append(SYNTAX_ERROR.at(path, 1, 1, "file has no instructions"))
        for check in checks:
            findings.extend(check(df))
        if flags.disabled or not (df.comments or "check" in df.directives):
            return findings
        suppressions = _suppress.dockerfile_suppressions(df)
        return _suppress.apply(findings, suppressions, active, flags=flags) if suppressions else findings
    except Exception as exc:  # noqa: BLE001 - a hook never prints a traceback
        return _internal_error(path, exc)


def lint_requirements(
    path: str, repo: Repo, checks: Sequence[RequirementsCheck], active: Collection[str],
    flags: _suppress.Flags = NO_FLAGS,
) -> list[Finding]:
    """Load ``path`` and its includes once, run every check, then apply suppressions."""
    from hooks import _requirements

    try:
        try:
            model = _requirements.load(path, repo)
        except ReadError as exc:
            return [UNREADABLE.at(path, 1, 1, str(exc))]
        findings = list(model.problems())
        for check in checks:
            findings.extend(check(model))
        if flags.disabled:
            return findings
        return _suppress.apply(findings, model.suppressions(), active, flags=flags)
    except Exception as exc:  # noqa: BLE001 - a hook never prints a traceback
        return _internal_error(path, exc)


def add_target_argument(parser: argparse.ArgumentParser) -> None:
    """``--target NAME``, for the checks that judge the shipped (final) stage."""
    parser.add_argument("--target", metavar="NAME", help="the stage that is shipped (default: the last)")


# Every hook option a configuration file may set (flag name without dashes, kind).
HOOK_OPTIONS = _config.options_of([
    ("target", "str"), ("all-stages", "bool"), ("require-digest", "bool"), ("require-hashes", "bool"),
    ("allow-unpinned", "list"),
])


def _defer_defaults(parser: argparse.ArgumentParser) -> dict[str, Any]:
    """The hook's own options' defaults, by dest; the parser's become None, so that
    after parsing a value that is not None was given on the command line."""
    defaults = {}
    for action in parser._actions:  # the hook's add_arguments added them
        if action.dest in ("help", "filenames"):
            continue
        defaults[action.dest] = action.default
        action.default = None
    return defaults


def _run_hook(
    argv: Sequence[str] | None,
    doc: str | None,
    add_arguments: Callable[[argparse.ArgumentParser], None] | None,
    lint: Callable[[str, Repo, argparse.Namespace], list[Finding]],
    rules: Sequence[Rule] = (),
) -> int:
    """Parse the arguments, lint every file named with its configuration, report."""
    settle_imports(argv)
    parser = make_parser(doc)
    if add_arguments is not None:
        add_arguments(parser)
    defaults = _defer_defaults(parser)
    _config.add_arguments(parser)
    args = parser.parse_args(argv)
    cli = {dest: getattr(args, dest) for dest in defaults if getattr(args, dest) is not None}
    repo = Repo()
    findings: list[Finding] = []
    try:
        session = _config.Session(args, repo.root, HOOK_OPTIONS, cli)
        for path in args.filenames:
            policy, values = session.for_file(repo.full(path))
            file_args = argparse.Namespace(**vars(args))
            for dest, default in defaults.items():
                setattr(file_args, dest, values.get(dest, default))
            findings.extend(session.keep(policy, lint(path, repo, file_args)))
    except _config.ConfigError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    if args.format == "text" and not args.statistics:
        # The common case, without loading the output module.
        code = report(findings)
        return settle_exit(argv, 0 if args.exit_zero or not session.failed else code)
    from hooks._output import emit

    return settle_exit(argv, emit(
        findings, fmt=args.format, counts=args.statistics, failed=session.failed, exit_zero=args.exit_zero,
        root=repo.root, base=repo.base, rules=[*rules, *META_RULES],
    ))


def run_dockerfile_hook(
    argv: Sequence[str] | None,
    *,
    doc: str | None,
    rules: Sequence[Rule],
    check: Callable[[Dockerfile, argparse.Namespace], list[Finding]],
    add_arguments: Callable[[argparse.ArgumentParser], None] | None = None,
) -> int:
    active = active_codes(rules)
    return _run_hook(argv, doc, add_arguments, lambda path, repo, args: lint_dockerfile(
        path, repo, [lambda df: check(df, args)], active, _suppress.Flags.of(args),
    ), rules)


def run_requirements_hook(
    argv: Sequence[str] | None,
    *,
    doc: str | None,
    rules: Sequence[Rule],
    check: Callable[[RequirementsSet, argparse.Namespace], list[Finding]],
    add_arguments: Callable[[argparse.ArgumentParser], None] | None = None,
) -> int:
    active = active_codes(rules)
    return _run_hook(argv, doc, add_arguments, lambda path, repo, args: lint_requirements(
        path, repo, [lambda model: check(model, args)], active, _suppress.Flags.of(args),
    ), rules)


TextCheck = Callable[[str, str], list[Finding]]


def lint_text(
    path: str, repo: Repo, checks: Sequence[TextCheck], active: Collection[str] = (),
    flags: _suppress.Flags = NO_FLAGS,
) -> list[Finding]:
    """For files the checks parse themselves (CI YAML): read safely, run the checks, then
    apply ``# noqa: CODES`` comments at the end of a finding's line."""
    try:
        try:
            text = repo.read_text(path)
        except ReadError as exc:
            return [UNREADABLE.at(path, 1, 1, str(exc))]
        findings: list[Finding] = []
        for check in checks:
            findings.extend(check(path, text))
        if "noqa" not in text or flags.disabled:
            return findings
        lines = text.removeprefix("\ufeff").split("\n")
        return _suppress.apply(findings, _suppress.requirements_suppressions(path, lines, ()), active, flags=flags)
    except Exception as exc:  # noqa: BLE001 - a hook never prints a traceback
        return _internal_error(path, exc)


def run_text_hook(
    argv: Sequence[str] | None,
    *,
    doc: str | None,
    check: Callable[[str, str, argparse.Namespace], list[Finding]],
    add_arguments: Callable[[argparse.ArgumentParser], None] | None = None,
    rules: Sequence[Rule] = (),
) -> int:
    active = active_codes(rules) if rules else ()
    return _run_hook(argv, doc, add_arguments, lambda path, repo, args: lint_text(
        path, repo, [lambda p, text: check(p, text, args)], active, _suppress.Flags.of(args),
    ), rules)
