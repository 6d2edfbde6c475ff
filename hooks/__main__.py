"""docker-python-hooks: every rule in one process, each file parsed once.

    docker-python-hooks check [PATH ...]   lint the Dockerfiles, requirements and CI
                                           files under PATHs (default: .)
    docker-python-hooks rules              list every rule: code, name, severity
    docker-python-hooks explain CODE       a rule's full documentation (code or name)

Files are found by the same patterns as the single-purpose hooks' manifest entries;
directories such as .git, node_modules and virtual environments are skipped. Exit
status: 0 clean, 1 findings, 2 usage error.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from hooks._files import Repo, is_ci_config, is_dockerfile, is_requirements
from hooks._findings import Finding, report

if TYPE_CHECKING:
    from hooks._config import Session
    from hooks._suppress import Flags

SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", "node_modules", ".venv", "venv", ".tox", ".nox", "__pycache__",
    ".mypy_cache", ".ruff_cache", ".pytest_cache", "site-packages", ".eggs", "build", "dist",
})


def iter_files(
    paths: Sequence[str], listed: Callable[[str, list[str]], None] | None = None
) -> Iterator[str]:
    """Files under ``paths`` (files are yielded as given), in a stable order.

    ``listed(directory, names)`` is told every entry of each directory walked."""
    for path in paths:
        if not os.path.isdir(path):
            yield path
            continue
        for full in _walk(path, listed):
            yield full[2:] if full.startswith("./") else full


def _walk(top: str, listed: Callable[[str, list[str]], None] | None = None) -> Iterator[str]:
    """The files under the directory ``top``, as ``os.walk(top)`` finds them (top-down,
    symlinked directories listed but not entered, unreadable directories skipped), each
    directory's files sorted before its sorted subdirectories. Unlike os.walk, it asks no
    ``lstat`` of each subdirectory: the directory entry tells whether it is a symlink."""
    dirs: list[tuple[str, bool]] = []
    files: list[str] = []
    names: list[str] = []
    try:
        with os.scandir(top) as entries:
            for entry in entries:
                names.append(entry.name)
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                if not is_dir:
                    files.append(entry.name)
                elif entry.name not in SKIP_DIRS and not entry.name.endswith(".egg-info"):
                    try:
                        link = entry.is_symlink()
                    except OSError:
                        link = False
                    dirs.append((entry.name, link))
    except OSError:
        return  # as os.walk: a directory that cannot be listed is left out
    if listed is not None:
        listed(top, names)
    prefix = os.path.join(top, "")
    files.sort()
    for name in files:
        yield prefix + name
    dirs.sort()
    for name, link in dirs:
        if not link:
            yield from _walk(prefix + name, listed)


Check = Callable[..., list[Finding]]


def _plan(repo: Repo) -> tuple[list[Check], list[Check], list[Check], frozenset[str]]:
    """Every check function, by the kind of file it reads, and every code that runs.

    A module that needs more than the parsed file declares ``check_context(repo, path)``,
    which returns the keyword arguments for its ``check`` (e.g. the .dockerignore files).
    """
    from hooks._cli import META_CODES
    from hooks._registry import check_modules

    dockerfile: list[Check] = []
    requirements: list[Check] = []
    ci: list[Check] = []
    codes: set[str] = set(META_CODES)
    for module in check_modules():
        kinds = getattr(module, "FILES", "dockerfile").split("+")
        codes.update(rule.code for rule in getattr(module, "RULES", ()))
        if "dockerfile" in kinds:
            context = getattr(module, "check_context", None)
            if context is None:
                dockerfile.append(module.check)
            else:
                dockerfile.append(
                    lambda df, check=module.check, context=context: check(df, **context(repo, df.path))
                )
        if "requirements" in kinds:
            requirements.append(
                module.check if kinds == ["requirements"] else module.check_requirements
            )
        if "ci" in kinds:
            ci.append(module.check)
    return dockerfile, requirements, ci, frozenset(codes)


def check_paths(
    paths: Sequence[str], repo: Repo | None = None, session: Session | None = None,
    flags: Flags | None = None,
) -> list[Finding]:
    """Every rule over the files under ``paths``; with a ``session``, each file's
    findings as its configuration and the command line want them."""
    from hooks._cli import NO_FLAGS, lint_dockerfile, lint_requirements, lint_text

    repo = repo or Repo()
    flags = flags or NO_FLAGS
    dockerfile, requirements, ci, active = _plan(repo)
    findings: list[Finding] = []
    for path in iter_files(paths, repo.note_listing):
        if is_dockerfile(path):
            found = lint_dockerfile(path, repo, dockerfile, active, flags)
        elif is_requirements(path):
            found = lint_requirements(path, repo, requirements, active, flags)
        elif is_ci_config(path) and ci:
            found = lint_text(path, repo, ci, active, flags)
        else:
            continue
        if session is not None:
            policy, _ = session.for_file(repo.full(path))
            found = session.keep(policy, found)
        findings.extend(found)
    return findings


def _rules() -> int:
    from hooks._registry import all_rules

    lines = [
        f"{rule.code}  {rule.name:<34} {rule.severity:<8} {rule.summary}"
        for rule in sorted(all_rules().values())
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def _explain(name: str) -> int:
    from hooks._output import explain

    text = explain(name)
    if text is None:
        sys.stderr.write(f"docker-python-hooks explain: no rule has the code or name '{name}'\n")
        return 2
    sys.stdout.write(text)
    return 0


def _check(argv: Sequence[str] | None, args: Any) -> int:
    from hooks import _config
    from hooks._cli import HOOK_OPTIONS, settle_exit
    from hooks._suppress import Flags

    repo = Repo()
    try:
        session = _config.Session(args, repo.root, HOOK_OPTIONS)
        findings = check_paths(args.paths, repo, session, Flags.of(args))
    except _config.ConfigError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    if args.format == "text" and not args.statistics:
        code = report(findings)
        return settle_exit(argv, 0 if args.exit_zero or not session.failed else code)
    from hooks._output import emit
    from hooks._registry import all_rules

    return settle_exit(argv, emit(
        findings, fmt=args.format, counts=args.statistics, failed=session.failed, exit_zero=args.exit_zero,
        root=repo.root, base=repo.base, rules=sorted(all_rules().values()),
    ))


def main(argv: Sequence[str] | None = None) -> int:
    from hooks import _config
    from hooks._cli import HelpFormatter, settle_imports

    settle_imports(argv)
    parser = argparse.ArgumentParser(
        prog="docker-python-hooks", description=(__doc__ or "").split("\n\n", 1)[0],
        formatter_class=HelpFormatter,
    )
    # prog given (what argparse would work out by formatting the usage): formatting it
    # would size the help to the terminal, which imports shutil (1.4 ms of every run).
    sub = parser.add_subparsers(dest="command", required=True, prog="docker-python-hooks")
    check = sub.add_parser(
        "check", help="run every rule on the files under PATHs", formatter_class=HelpFormatter,
    )
    check.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    _config.add_arguments(check)
    sub.add_parser("rules", help="list every rule", formatter_class=HelpFormatter)
    explain = sub.add_parser("explain", help="print a rule's documentation", formatter_class=HelpFormatter)
    explain.add_argument("rule", metavar="CODE", help="a rule code (DPH201) or name (untagged-base-image)")
    args: Any = parser.parse_args(argv)
    if args.command == "rules":
        return _rules()
    if args.command == "explain":
        return _explain(args.rule)
    return _check(argv, args)


if __name__ == "__main__":
    raise SystemExit(main())
