"""docker-python-hooks: every rule in one process, each file parsed once.

    docker-python-hooks check [PATH ...]   lint the Dockerfiles, requirements and CI
                                           files under PATHs (default: .)
    docker-python-hooks check --fix [PATH ...]
                                           repair what has a safe fix, report the rest
    docker-python-hooks check --diff [PATH ...]
                                           print those repairs as a unified diff
    docker-python-hooks rules              list every rule: code, name, severity

Files are found by the same patterns as the single-purpose hooks' manifest entries;
directories such as .git, node_modules and virtual environments are skipped. Exit
status: 0 clean, 1 findings, 2 usage error; with --fix, 1 also when a file was
changed (pre-commit's fixer convention); with --diff, 1 when there is a diff.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator, Sequence

from hooks import _fix
from hooks._cli import META_CODES, lint
from hooks._files import Repo, file_kind, find_root
from hooks._findings import Finding, report
from hooks._fix import Fixer
from hooks._hook import KINDS, Context, option_defaults

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


def root_for(path: str) -> str:
    """The repository a command-line PATH belongs to: the working directory's repository
    when PATH is inside it (what pre-commit passes); else PATH's own repository (the
    nearest ancestor with ``.git``), or the folder itself. Includes may not leave it."""
    here = find_root()
    full = os.path.abspath(path)  # not resolved: a symlink in here is judged as in here
    if full == here or full.startswith(os.path.join(here, "")):
        return here
    return find_root(full if os.path.isdir(full) else os.path.dirname(full))


def check_paths(
    paths: Sequence[str],
    options: argparse.Namespace | None = None,
    *,
    repo: Repo | None = None,
    fixer: Fixer | None = None,
) -> list[Finding]:
    """Every rule over the files under ``paths``, each file parsed once (and fixed, with
    a ``fixer``: see hooks/_fix.py)."""
    from hooks._registry import hooks

    every = hooks()
    if options is None:
        options = option_defaults([option for hook in every for option in hook.options])
    by_kind = {kind: [hook for hook in every if kind in hook.kinds] for kind in KINDS}
    active = frozenset().union(*(hook.codes for hook in every)) | META_CODES
    repos: dict[str, Repo] = {}
    findings: list[Finding] = []
    for path in paths:
        if repo is None:
            root = root_for(path)
            if root not in repos:
                repos[root] = Repo(root, base=os.getcwd())
            ctx = Context(repos[root], options, fixer)
        else:
            ctx = Context(repo, options, fixer)
        for file in iter_files([path], ctx.repo.note_listing):
            kind = file_kind(file)
            if kind is not None and by_kind[kind]:
                findings.extend(lint(file, kind, by_kind[kind], ctx, active))
    return findings


def _rules() -> int:
    from hooks._registry import all_rules

    lines = [
        f"{rule.code}  {rule.name:<34} {rule.severity:<8} {rule.summary}"
        for rule in sorted(all_rules().values())
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def make_parser() -> argparse.ArgumentParser:
    """The all-rules command's parser: ``check`` takes every option of every hook."""
    from hooks._registry import hooks

    parser = argparse.ArgumentParser(
        prog="docker-python-hooks", description=(__doc__ or "").split("\n\n", 1)[0],
    )
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="run every rule on the files under PATHs")
    check.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    seen: set[str] = set()
    for hook in hooks():
        for option in hook.options:
            if option.name not in seen:
                seen.add(option.name)
                option.add_to(check)
    _fix.add_arguments(check)  # --fix / --diff
    sub.add_parser("rules", help="list every rule")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    if args.command == "rules":
        return _rules()
    fixer = _fix.session(args)  # None unless --fix or --diff
    findings = check_paths(args.paths, args, fixer=fixer)
    return report(findings) if fixer is None else fixer.report(findings)


if __name__ == "__main__":
    raise SystemExit(main())
