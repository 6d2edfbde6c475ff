"""The one runner: arguments, safe reading, parsing once, checks, suppressions, reporting.

Every single-purpose hook's ``main`` is ``run_hook(HOOK, argv)`` over its declaration
(:mod:`hooks._hook`); the all-rules command uses the same ``lint`` with every hook at
once. Unreadable or hostile input becomes a ``DPH901`` finding; nothing a file contains
can make a hook print a traceback.
"""
from __future__ import annotations

import argparse
import functools
import os
import sys
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from hooks import _config, _fix, _suppress
from hooks._files import ReadError, Repo, file_kind
from hooks._findings import META_RULES, SYNTAX_ERROR, UNREADABLE, Finding, Rule, report
from hooks._hook import ComposeCheck, Context, DockerfileCheck, Hook, Option, RequirementsCheck, TextCheck

if TYPE_CHECKING:
    from hooks._dockerfile import Dockerfile
    from hooks._requirements import RequirementsSet

META_CODES = frozenset(rule.code for rule in META_RULES)
NO_FLAGS = _suppress.Flags()


def make_parser(hook: Hook) -> argparse.ArgumentParser:
    """The hook's argument parser: FILE arguments and its options; the description is the
    first paragraph of its documentation."""
    description = hook.doc.strip().split("\n\n", 1)[0].replace("\n", " ")
    parser = argparse.ArgumentParser(prog=hook.id, description=description)
    parser.add_argument("filenames", nargs="*", metavar="FILE", help="files to check")
    for option in hook.options:
        option.add_to(parser)
    # Fix mode (hooks/_fix.py): only for hooks with a fixable rule.
    if any(rule.fixable for rule in hook.rules):
        _fix.add_arguments(parser)
    return parser


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
    from hooks._context import devcontainer_images
    from hooks._dockerfile import KNOWN_INSTRUCTIONS, parse

    try:
        text = repo.read_dockerfile(path)
    except ReadError as exc:
        return UNREADABLE.at(path, 1, 1, str(exc))
    if not text or text.isspace():
        return UNREADABLE.at(path, 1, 1, "file is empty; a Dockerfile needs at least a FROM")
    df = parse(text, path)
    df.dev_image = os.path.normpath(repo.full(path)) in devcontainer_images(repo)
    if df.instructions and not any(instr.keyword in KNOWN_INSTRUCTIONS for instr in df.instructions):
        # Not one instruction: another kind of file under a Dockerfile's name (YAML, a script).
        first = df.instructions[0]
        return UNREADABLE.at(
            path, 1, 1,
            f"not a Dockerfile: no line is a Dockerfile instruction (line {first.start_line} starts with "
            f"'{first.keyword_raw[:30]}')",
        )
    return df


def lint_dockerfile(
    path: str, ctx: Context, checks: Sequence[DockerfileCheck], active: Collection[str],
    flags: _suppress.Flags = NO_FLAGS,
) -> list[Finding]:
    """Parse ``path`` once, run every check on it, then apply its suppressions."""
    try:
        loaded = load_dockerfile(path, ctx.repo)
        if isinstance(loaded, Finding):
            return [loaded]
        return lint_parsed(loaded, ctx, checks, active, flags)
    except Exception as exc:  # noqa: BLE001 - a hook never prints a traceback
        return _internal_error(path, exc)


def lint_parsed(
    df: Dockerfile, ctx: Context, checks: Sequence[DockerfileCheck], active: Collection[str],
    flags: _suppress.Flags = NO_FLAGS,
) -> list[Finding]:
    """Every check over the parsed Dockerfile ``df``, then its suppressions."""
    path = df.path
    findings = [SYNTAX_ERROR.at(path, p.line, p.col, p.message) for p in df.errors] if df.errors else []
    if not df.instructions:
        findings.append(SYNTAX_ERROR.at(path, 1, 1, "file has no instructions"))
    for check in checks:
        findings.extend(check(df, ctx))
    if flags.disabled or not (df.comments or "check" in df.directives):
        return findings
    suppressions = _suppress.dockerfile_suppressions(df)
    return _suppress.apply(findings, suppressions, active, flags=flags) if suppressions else findings


def requirements_problems(model: RequirementsSet) -> list[Finding]:
    """What the requirements model found wrong, as findings: DPH901 for an empty root file,
    DPH904 for each line pip rejects or misreads (in the reported files)."""
    findings = [SYNTAX_ERROR.at(path, p.line, p.col, p.message) for path, p in model.problems()]
    if model.root.empty:
        findings.insert(0, UNREADABLE.at(
            model.root.path, 1, 1, "file is empty; add requirements, or a comment line saying why it is empty "
            "(pip installs nothing from either, but an empty file looks truncated)",
        ))
    return findings


def lint_requirements(
    path: str, ctx: Context, checks: Sequence[RequirementsCheck], active: Collection[str],
    flags: _suppress.Flags = NO_FLAGS,
) -> list[Finding]:
    """Load ``path`` and its includes once, run every check, then apply suppressions."""
    from hooks import _requirements

    try:
        try:
            model = _requirements.load(path, ctx.repo)
        except ReadError as exc:
            return [UNREADABLE.at(path, 1, 1, str(exc))]
        return lint_requirements_model(model, ctx, checks, active, flags)
    except Exception as exc:  # noqa: BLE001 - a hook never prints a traceback
        return _internal_error(path, exc)


def lint_requirements_model(
    model: RequirementsSet, ctx: Context, checks: Sequence[RequirementsCheck], active: Collection[str],
    flags: _suppress.Flags = NO_FLAGS,
) -> list[Finding]:
    """Every check over the loaded requirements ``model``, then its suppressions."""
    findings = requirements_problems(model)
    for check in checks:
        findings.extend(check(model, ctx))
    if any(f.code == SYNTAX_ERROR.code for f in findings) and _conda_spec(model, ctx):
        # A line pip rejects, and conda reads the file (numpy=1.26.4 is a conda pin): neither
        # pip's syntax nor its pins apply.
        findings = [f for f in findings if not (f.code.startswith("DPH1") or f.code == SYNTAX_ERROR.code)]
    if flags.disabled:
        return findings
    return _suppress.apply(findings, model.suppressions(), active, flags=flags)


def _conda_spec(model: RequirementsSet, ctx: Context) -> bool:
    """Whether a Dockerfile beside or above the root file reads it with ``conda install --file``."""
    from hooks._project import conda_spec_reader

    return conda_spec_reader(ctx.repo, model.root.path) is not None


def lint_text(
    path: str, ctx: Context, checks: Sequence[TextCheck], active: Collection[str] = (),
    flags: _suppress.Flags = NO_FLAGS,
) -> list[Finding]:
    """For files the checks parse themselves (CI YAML): read safely, run the checks, then
    apply ``# noqa: CODES`` comments at the end of a finding's line."""
    try:
        try:
            text = ctx.repo.read_text(path)
        except ReadError as exc:
            return [UNREADABLE.at(path, 1, 1, str(exc))]
        findings: list[Finding] = []
        for check in checks:
            findings.extend(check(path, text, ctx))
        if "noqa" not in text or flags.disabled:
            return findings
        lines = text.removeprefix("\ufeff").split("\n")
        return _suppress.apply(findings, _suppress.requirements_suppressions(path, lines, ()), active, flags=flags)
    except Exception as exc:  # noqa: BLE001 - a hook never prints a traceback
        return _internal_error(path, exc)


def lint_compose(
    path: str, ctx: Context, checks: Sequence[ComposeCheck], active: Collection[str],
    flags: _suppress.Flags = NO_FLAGS,
) -> list[Finding]:
    """Load the Compose file ``path`` (with what it includes and the Dockerfiles it builds)
    once, report what cannot be read, run every check, then apply ``# noqa: CODES``
    comments at the end of a finding's line."""
    from hooks import _compose

    try:
        try:
            text = ctx.repo.read_text(path)
        except ReadError as exc:
            return [UNREADABLE.at(path, 1, 1, str(exc))]
        model = _compose.load(path, ctx.repo, text)
        findings = [
            (SYNTAX_ERROR if p.syntax else UNREADABLE).at(p.path, p.line, p.col, p.message)
            for p in model.problems
        ]
        for check in checks:
            findings.extend(check(model, ctx))
        if "noqa" not in text or flags.disabled:
            return findings
        lines = text.removeprefix("\ufeff").split("\n")
        return _suppress.apply(findings, _suppress.requirements_suppressions(path, lines, ()), active, flags=flags)
    except Exception as exc:  # noqa: BLE001 - a hook never prints a traceback
        return _internal_error(path, exc)


def kind_for(hook: Hook, path: str) -> str:
    """The kind of file a hook reads ``path`` as. pre-commit hands a hook the files its
    manifest patterns match (or the user's own ``files:``): a one-kind hook reads every
    file as its kind; a hook of several kinds asks the classifier, and reads a file it does
    not recognise as requirements when it ends in .txt or .in, else as its first kind."""
    kinds = hook.kinds
    if len(kinds) == 1:
        return kinds[0]
    kind = file_kind(path)
    if kind in kinds:
        return kind
    if "requirements" in kinds and path.endswith((".txt", ".in")):
        return "requirements"
    return kinds[0]


def lint(
    path: str, kind: str, hooks: Sequence[Hook], ctx: Context, active: Collection[str],
    flags: _suppress.Flags = NO_FLAGS,
) -> list[Finding]:
    """Every check of ``hooks`` for files of ``kind`` over ``path``, parsed once."""
    if kind == "dockerfile":
        checks = [h.dockerfile for h in hooks if h.dockerfile]
        if ctx.fixer is not None:  # --fix / --diff
            return ctx.fixer.dockerfile(path, ctx, checks, active, flags)
        return lint_dockerfile(path, ctx, checks, active, flags)
    if kind == "requirements":
        req_checks = [h.requirements for h in hooks if h.requirements]
        if ctx.fixer is not None:  # --fix / --diff
            return ctx.fixer.requirements(path, ctx, req_checks, active, flags)
        return lint_requirements(path, ctx, req_checks, active, flags)
    if kind == "requirements_in":
        return lint_requirements(path, ctx, [h.requirements_in for h in hooks if h.requirements_in], active, flags)
    if kind == "compose":
        return lint_compose(path, ctx, [h.compose for h in hooks if h.compose], active, flags)
    return lint_text(path, ctx, [h.ci for h in hooks if h.ci], active, flags)


def config_options() -> dict[str, Option]:
    """Every hook option, by name: the keys a configuration file may set besides its own."""
    from hooks._registry import hooks

    return {option.name: option for hook in hooks() for option in hook.options}


def prepare(parser: argparse.ArgumentParser, options: Sequence[Option]) -> None:
    """Add the front-door flags (format, policy, suppressions) to a run's ``parser``, and
    make its ``options`` default to None while parsing, so that a value given on the
    command line is told from none (the configuration fills the others in)."""
    _config.add_arguments(parser)
    for option in options:
        if option.kind == "flag":  # so that args: can turn off what the configuration turns on
            parser.add_argument(f"--no-{option.name}", dest=option.dest, action="store_false",
                                help=f"the opposite of --{option.name} (default)")
    parser.set_defaults(**{option.dest: None for option in options})


def prepare_hook(parser: argparse.ArgumentParser, options: Sequence[Option], argv: Sequence[str] | None) -> None:
    """:func:`prepare` for a single hook's command line ``argv``. One of file names alone
    (what pre-commit passes without ``args:``) has no flag to parse: the flags are then
    only set to their defaults, which spares a dozen ``add_argument`` calls (about
    0.4 ms) in every such run."""
    if any(arg.startswith("-") for arg in (sys.argv[1:] if argv is None else argv)):
        prepare(parser, options)
    else:
        parser.set_defaults(**_config.FLAG_DEFAULTS, **{option.dest: None for option in options})


def start(args: argparse.Namespace, options: Sequence[Option], root: str) -> _config.Session:
    """The configuration session of a run in the repository at ``root``. Raises ConfigError."""
    return _config.Session(args, root, config_options, {option.dest: option.default for option in options})


def finish(
    args: argparse.Namespace, findings: list[Finding], session: _config.Session, repo: Repo, rules: Sequence[Rule],
) -> int:
    """Print the run's findings as asked and return its exit status."""
    if args.format == "text" and not args.statistics:  # the common case, without the output module
        code = report(findings)
        return 0 if args.exit_zero or not session.failed else code
    from hooks._output import emit

    return emit(
        findings, fmt=args.format, counts=args.statistics, failed=session.failed, exit_zero=args.exit_zero,
        root=repo.root, base=repo.base, rules=rules,
    )


def run_hook(hook: Hook, argv: Sequence[str] | None = None) -> int:
    """A single-purpose hook's whole run: parse the arguments, lint (and with --fix or
    --diff, fix) every file named with its configuration, report."""
    parser = make_parser(hook)
    prepare_hook(parser, hook.options, argv)
    args = parser.parse_args(argv)
    repo = Repo()
    try:
        fixer = _fix.session(args)  # None unless --fix or --diff
        session = start(args, hook.options, repo.root)
        active = hook.codes | META_CODES
        flags = _suppress.Flags.of(args)
        findings: list[Finding] = []
        for path in args.filenames:
            policy, options = session.for_file(repo.full(path))
            if fixer is not None:  # only what the configuration keeps is fixed
                fixer.keep = functools.partial(session.keep, policy)
            found = lint(path, kind_for(hook, path), [hook], Context(repo, options, fixer), active, flags)
            findings.extend(session.keep(policy, found))
    except _config.ConfigError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    rules = [*hook.rules, *hook.reports, *META_RULES]
    if fixer is not None:
        return fixer.report(findings, lambda remaining: finish(args, remaining, session, repo, rules))
    return finish(args, findings, session, repo, rules)
