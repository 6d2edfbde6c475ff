"""The one runner: arguments, safe reading, parsing once, checks, suppressions, reporting.

Every single-purpose hook's ``main`` is ``run_hook(HOOK, argv)`` over its declaration
(:mod:`hooks._hook`); the all-rules command uses the same ``lint`` with every hook at
once. Unreadable or hostile input becomes a ``DPH901`` finding; nothing a file contains
can make a hook print a traceback.
"""
from __future__ import annotations

import argparse
import os
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from hooks import _fix, _suppress
from hooks._files import ReadError, Repo, file_kind
from hooks._findings import META_RULES, SYNTAX_ERROR, UNREADABLE, Finding, report
from hooks._hook import Context, DockerfileCheck, Hook, RequirementsCheck, TextCheck

if TYPE_CHECKING:
    from hooks._dockerfile import Dockerfile

META_CODES = frozenset(rule.code for rule in META_RULES)


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
    from hooks._dockerfile import parse

    try:
        text = repo.read_dockerfile(path)
    except ReadError as exc:
        return UNREADABLE.at(path, 1, 1, str(exc))
    if not text or text.isspace():
        return UNREADABLE.at(path, 1, 1, "file is empty; a Dockerfile needs at least a FROM")
    return parse(text, path)


def lint_dockerfile(
    path: str, ctx: Context, checks: Sequence[DockerfileCheck], active: Collection[str]
) -> list[Finding]:
    """Parse ``path`` once, run every check on it, then apply its suppressions."""
    try:
        loaded = load_dockerfile(path, ctx.repo)
        if isinstance(loaded, Finding):
            return [loaded]
        return lint_parsed(loaded, ctx, checks, active)
    except Exception as exc:  # noqa: BLE001 - a hook never prints a traceback
        return _internal_error(path, exc)


def lint_parsed(
    df: Dockerfile, ctx: Context, checks: Sequence[DockerfileCheck], active: Collection[str]
) -> list[Finding]:
    """Every check over the parsed Dockerfile ``df``, then its suppressions."""
    path = df.path
    findings = [SYNTAX_ERROR.at(path, p.line, p.col, p.message) for p in df.errors] if df.errors else []
    if not df.instructions:
        findings.append(SYNTAX_ERROR.at(path, 1, 1, "file has no instructions"))
    for check in checks:
        findings.extend(check(df, ctx))
    suppressions = _suppress.dockerfile_suppressions(df) if df.comments else []
    return _suppress.apply(findings, suppressions, active) if suppressions else findings


def lint_requirements(
    path: str, ctx: Context, checks: Sequence[RequirementsCheck], active: Collection[str]
) -> list[Finding]:
    """Load ``path`` and its includes once, run every check, then apply suppressions."""
    from hooks import _requirements

    try:
        try:
            model = _requirements.load(path, ctx.repo)
        except ReadError as exc:
            return [UNREADABLE.at(path, 1, 1, str(exc))]
        findings = list(model.problems())
        for check in checks:
            findings.extend(check(model, ctx))
        return _suppress.apply(findings, model.suppressions(), active)
    except Exception as exc:  # noqa: BLE001 - a hook never prints a traceback
        return _internal_error(path, exc)


def lint_text(
    path: str, ctx: Context, checks: Sequence[TextCheck], active: Collection[str] = ()
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
        if "noqa" not in text:
            return findings
        lines = text.removeprefix("\ufeff").split("\n")
        return _suppress.apply(findings, _suppress.requirements_suppressions(path, lines, ()), active)
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


def lint(path: str, kind: str, hooks: Sequence[Hook], ctx: Context, active: Collection[str]) -> list[Finding]:
    """Every check of ``hooks`` for files of ``kind`` over ``path``, parsed once."""
    if kind == "dockerfile":
        checks = [h.dockerfile for h in hooks if h.dockerfile]
        if ctx.fixer is not None:  # --fix / --diff
            return ctx.fixer.dockerfile(path, ctx, checks, active)
        return lint_dockerfile(path, ctx, checks, active)
    if kind == "requirements":
        return lint_requirements(path, ctx, [h.requirements for h in hooks if h.requirements], active)
    return lint_text(path, ctx, [h.ci for h in hooks if h.ci], active)


def run_hook(hook: Hook, argv: Sequence[str] | None = None) -> int:
    """A single-purpose hook's whole run: parse the arguments, lint every file named, report."""
    args = make_parser(hook).parse_args(argv)
    fixer = _fix.session(args)  # None unless --fix or --diff
    ctx = Context(Repo(), args, fixer)
    active = hook.codes | META_CODES
    findings: list[Finding] = []
    for path in args.filenames:
        findings.extend(lint(path, kind_for(hook, path), [hook], ctx, active))
    return report(findings) if fixer is None else fixer.report(findings)
