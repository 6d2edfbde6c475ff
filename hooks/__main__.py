"""docker-python-hooks: every rule in one process, each file parsed once.

    docker-python-hooks check [PATH ...]   lint the Dockerfiles, requirements, pip-tools
                                           input, Compose and CI files under PATHs
                                           (default: .)
    docker-python-hooks check --fix [PATH ...]
                                           repair what has a safe fix, report the rest
    docker-python-hooks check --diff [PATH ...]
                                           print those repairs as a unified diff
    docker-python-hooks rules              list every rule: code, name, severity
    docker-python-hooks explain CODE       a rule's full documentation (code or name)

Files are found by the same patterns as the single-purpose hooks' manifest entries;
directories such as .git, node_modules and virtual environments are skipped, and so is a
package's build output (build/lib*, build/bdist.*, build/temp.*). Exit
status: 0 clean, 1 findings, 2 usage error; with --fix, 1 also when a file was
changed (pre-commit's fixer convention); with --diff, 1 when there is a diff.
"""
from __future__ import annotations

import argparse
import functools
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

from hooks import _fix
from hooks._cli import META_CODES, NO_FLAGS, lint
from hooks._files import Repo, file_kind, find_root
from hooks._findings import Finding
from hooks._hook import KINDS, Context, Option, option_defaults

if TYPE_CHECKING:
    from hooks._config import Session
    from hooks._fix import Fixer
    from hooks._suppress import Flags

SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", "node_modules", ".venv", "venv", ".tox", ".nox", "__pycache__",
    ".mypy_cache", ".ruff_cache", ".pytest_cache", "site-packages", ".eggs",
})
# Python's build output (build/lib/, build/bdist.*): skipped inside build/ only, since
# projects keep Dockerfiles in a build/ folder (docker/build/, build/ beside pyproject.toml).
BUILD_OUTPUT_DIRS = frozenset({"lib", "bdist", "temp"})


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
    if top.rstrip("/").rsplit("/", 1)[-1] == "build":
        dirs = [(name, link) for name, link in dirs if name.split(".", 1)[0] not in BUILD_OUTPUT_DIRS]
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
    paths: Sequence[str], options: argparse.Namespace | None = None, *, repo: Repo | None = None,
    session: Session | None = None, flags: Flags = NO_FLAGS, fixer: Fixer | None = None,
) -> list[Finding]:
    """Every rule over the files under ``paths``, each file parsed once (and fixed, with a
    ``fixer``: see hooks/_fix.py). With a ``session``, each file gets the options and
    policy of its configuration."""
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
            if kind is None or not by_kind[kind]:
                continue
            if session is None:
                findings.extend(lint(file, kind, by_kind[kind], ctx, active, flags))
                continue
            policy, file_options = session.for_file(ctx.repo.full(file), ctx.repo.root)
            if fixer is not None:  # only what the configuration keeps is fixed
                fixer.keep = functools.partial(session.keep, policy)
            file_ctx = ctx if file_options is session.base else Context(ctx.repo, file_options, fixer)
            findings.extend(session.keep(policy, lint(file, kind, by_kind[kind], file_ctx, active, flags)))
    return findings


def _rules() -> int:
    from hooks._registry import all_rules

    lines = [
        f"{rule.code}  {rule.name:<34} {rule.severity:<8} {rule.summary}"
        for rule in sorted(all_rules().values())
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def _every_option() -> list[Option]:
    """Every option of every hook, once each (several hooks share ``--target``)."""
    from hooks._registry import hooks

    return list({option.name: option for hook in hooks() for option in hook.options}.values())


def make_parser() -> argparse.ArgumentParser:
    """The all-rules command's parser: ``check`` takes every option of every hook, and
    the output, policy and suppression flags."""
    from hooks._cli import prepare

    parser = argparse.ArgumentParser(
        prog="docker-python-hooks", description=(__doc__ or "").split("\n\n", 1)[0],
    )
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="run every rule on the files under PATHs")
    check.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    options = _every_option()
    for option in options:
        option.add_to(check)
    prepare(check, options)
    _fix.add_arguments(check)  # --fix / --diff
    sub.add_parser("rules", help="list every rule")
    explain = sub.add_parser("explain", help="print a rule's documentation")
    explain.add_argument("rule", metavar="CODE", help="a rule code (DPH201) or name (untagged-base-image)")
    return parser


def _explain(name: str) -> int:
    from hooks._output import explain

    text = explain(name)
    if text is None:
        sys.stderr.write(f"docker-python-hooks explain: no rule has the code or name '{name}'\n")
        return 2
    sys.stdout.write(text)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    from hooks import _config
    from hooks._cli import finish, start
    from hooks._registry import all_rules
    from hooks._suppress import Flags

    args = make_parser().parse_args(argv)
    if args.command == "rules":
        return _rules()
    if args.command == "explain":
        return _explain(args.rule)
    repo = Repo()
    try:
        fixer = _fix.session(args)  # None unless --fix or --diff
        session = start(args, _every_option(), repo.root)
        findings = check_paths(args.paths, session.base, session=session, flags=Flags.of(args), fixer=fixer)
    except _config.ConfigError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    rules = sorted(all_rules().values())
    if fixer is not None:
        return fixer.report(findings, lambda remaining: finish(args, remaining, session, repo, rules))
    return finish(args, findings, session, repo, rules)


if __name__ == "__main__":
    raise SystemExit(main())
