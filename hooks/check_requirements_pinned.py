"""check-requirements-pinned: every requirement is pinned to one version, and every include resolves.

Requirements files are read the way pip reads them (continuations, comments, options,
``--hash``, markers, ``-e``, URLs); ``-r``/``-c`` includes are followed inside the
repository only. A requirement counts as pinned when it has an exact ``==X`` (no
``*``) or ``===X`` clause, or when a constraints file included anywhere in the tree
(``-c``) pins that name (with no marker or the same marker); constraints must be
reachable from the file itself, because pre-commit may check it alone. Local paths,
``-e .`` and direct archive URLs (``https://…/pkg-1.0.tar.gz``, wheels) are not
judged for pins. A ``${VAR}`` in a version cannot be verified and is reported. Each
finding is reported once, in the file and at the line where the requirement is
written; files that match the hook's pattern are reported when they are checked
themselves, files that do not (``-r common.in``) through the file that includes them.

Options:
    --require-hashes   check as if pip ran with --require-hashes (DPH104 everywhere).

## DPH101 unpinned-requirement
### What it does
Reports a requirement that is not pinned to exactly one version: ``>=``, ``~=``,
``!=``, ranges, wildcards (``==2.*``) and bare names are not pins, unless an
included constraints file pins the name, or another line of the file (or of a file it
includes with ``-r``) pins it with ``==`` (``bleach[css]`` beside ``bleach==6.1.0``: pip
merges the two). A version taken from ``${VAR}`` is
reported too, since it cannot be checked. The lines of a constraints file (read with
``-c``, or a ``constraints*.txt`` or ``*constraints.txt`` checked on its own) are not requirements: pip
installs nothing from them, so a security floor (``pycryptodome>=3.6.6``) or an
exclusion (``tenacity!=8.4.0``) there is fine, while its ``==`` pins count for the
requirements. A file that a package's metadata reads as its dependency list
(``[tool.setuptools.dynamic]`` ``file``, hatch-requirements-txt's ``files``, setup.cfg's
``install_requires = file: ...``, or a ``setup.py`` that names it, or a glob that
matches it, and sets ``install_requires``) is not judged: its ranges are
meant for every user of the package, and an image pins them with a lock or constraints
file. Neither is a file with a line that pip rejects (``numpy=1.26.4``) when a Dockerfile
beside or above it hands it to ``conda``/``mamba``/``micromamba install --file`` (``-f``):
it holds conda match specs, which pip's syntax and pins do not describe (no DPH1xx, no
DPH904 for it). Overlaps
hadolint DL3013 (``pip install`` in a Dockerfile), which treats ``>=`` as pinned and
skips ``-r`` files.
### Why is this bad?
An unpinned requirement installs whatever is newest on the day of the build: the same
commit builds a different image tomorrow, and a bad release breaks it without a code
change. Pins make builds reproducible and upgrades deliberate.
### Example
```text
flask>=2
requests
django~=4.2
```
### Use instead
```text
flask==3.0.3
requests==2.32.3
django==4.2.16
```
Generate the pins with ``pip-compile`` or ``uv pip compile requirements.in``, or keep
loose names and add ``-c constraints.txt`` with the pins.
### Fix
Pins the requirement to the version a lock file of the repository already records,
never to one it guesses: ``uv.lock``, ``poetry.lock``, ``pdm.lock`` (their
``[[package]]`` name and version) and pip-compile outputs (a ``requirements*.txt`` beside
the ``.in`` it is compiled from) in the requirements file's own directory, or, when it
has none, in the nearest parent directory that has one; a locked package from git, a
path or a URL does not count. Only the specifiers are rewritten (``flask`` or
``flask>=2`` becomes ``flask==3.0.3``); extras, markers, options such as ``--hash``,
comments and line endings are kept. Not offered when those
files record no version or more than one for the name, when the existing specifiers
exclude the recorded version, when the version comes from ``${VAR}``, when the name,
extras and specifiers are not all on the requirement's first line or are written in
parentheses, for a lock file too large to read, nor for a requirement of an included
file (fix that file itself).

## DPH102 unpinned-vcs-requirement
### What it does
Reports a VCS requirement (``git+https://…``, ``name @ git+…``, ``-e git+…``) that is
not pinned to a full commit hash: no ref, a branch, a tag, or an abbreviated hash.
(Subversion and Bazaar revision numbers count as pins.)
### Why is this bad?
Branches move and tags can be re-pointed, so the same line installs different code
over time; an abbreviated hash can become ambiguous.
### Example
```text
git+https://github.com/org/lib@main#egg=lib
```
### Use instead
```text
git+https://github.com/org/lib@0123456789abcdef0123456789abcdef01234567#egg=lib
```

## DPH103 broken-include
### What it does
Reports an ``-r``/``-c`` include that cannot be followed: the file is missing or
unreadable, it is a URL (never fetched), an absolute path, outside the repository
(``..`` or a symlink), named through ``${VAR}``, or it closes an include cycle (each
cycle is reported once).
### Why is this bad?
pip fails on a missing file or a cycle, and what a URL or an outside file contains is
not under review here, so the pins of this file cannot be checked.
### Example
```text
-r ../../shared/requirements.txt
-r https://example.com/requirements.txt
```
### Use instead
```text
-r requirements/base.txt
```

## DPH104 missing-hash
### What it does
In pip's hash-checking mode, reports a requirement without ``--hash`` (unless a
constraint gives its hashes), and a VCS, editable or local-directory requirement,
which pip cannot hash at all. The mode is on when the hook runs with
``--require-hashes``, when any file of the tree has a ``--require-hashes`` line, or,
as in pip, when any requirement has a ``--hash`` (unless ``--no-require-hashes``).
When an included file that is checked on its own lacks hashes only because of the
including file's mode, the finding is at the ``-r`` line.
### Why is this bad?
pip refuses to install anything in hash-checking mode when one requirement has no
hash: the build fails, usually in CI and long after the file was edited.
### Example
```text
--require-hashes
flask==3.0.3 --hash=sha256:…
requests==2.32.3
```
### Use instead
```text
--require-hashes
flask==3.0.3 --hash=sha256:…
requests==2.32.3 --hash=sha256:…
```
Generate hashes with ``pip-compile --generate-hashes`` or ``uv pip compile
--generate-hashes``.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from hooks._cli import run_hook
from hooks._files import Repo, is_requirements
from hooks._findings import ERROR, NO_FIX, Finding, Fix, Rule
from hooks._hook import Hook, Option
from hooks._requirements import (
    ARCHIVE_EXTENSIONS,
    ENV_VAR_RE,
    INDEX,
    OPTION,
    PATH,
    REQUIREMENT,
    VCS,
    Entry,
    Requirement,
    RequirementsFile,
    RequirementsSet,
    specifier_span,
    vcs_pin_problem,
)
from hooks._secrets import mask_secrets

UNPINNED = Rule(
    "DPH101", "unpinned-requirement", ERROR, "A requirement is not pinned to one version.", fixable=True,
)
UNPINNED_VCS = Rule(
    "DPH102", "unpinned-vcs-requirement", ERROR, "A VCS requirement is not pinned to a full commit hash."
)
BROKEN_INCLUDE = Rule("DPH103", "broken-include", ERROR, "An -r/-c include cannot be followed safely.")
MISSING_HASH = Rule("DPH104", "missing-hash", ERROR, "In hash-checking mode, a requirement has no hash.")
RULES = (UNPINNED, UNPINNED_VCS, BROKEN_INCLUDE, MISSING_HASH)



def check(
    model: RequirementsSet, *, require_hashes: bool = False, repo: Repo | None = None, fix: bool = False,
) -> list[Finding]:
    """The findings of ``model``. With ``repo``, a file that a package's metadata reads as
    its dependency list gets no DPH101; with ``fix`` too, DPH101 findings carry a fix where
    a lock file records the version."""
    reported = model.reported()
    paths = {f.path for f in reported}
    findings = [
        BROKEN_INCLUDE.at(p.path, p.line, p.col, p.message)
        for p in model.include_problems if p.path in paths
    ]
    locks = _Locks(repo, model.root.path) if repo is not None and fix else None
    for reqfile in reported:
        constraints_only = REQUIREMENT not in model.roles.get(reqfile.path, ())
        found: list[Finding] = []
        for entry in reqfile.requirements():
            req = entry.requirement
            if req is not None and not (constraints_only and req.kind == INDEX):
                found.extend(_pins(model, reqfile, entry, req, locks))
        if repo is not None and any(f.code == UNPINNED.code for f in found) and _package_metadata(repo, reqfile.path):
            found = [f for f in found if f.code != UNPINNED.code]  # ranges meant for the package's users
        findings.extend(found)
    mode = "--require-hashes was given to the hook" if require_hashes else _hash_mode(model, model.files)
    if mode:
        findings.extend(_hashes(model, reported, mode, tree_mode=not require_hashes))
    return findings


def _pins(
    model: RequirementsSet, reqfile: RequirementsFile, entry: Entry, req: Requirement, locks: _Locks | None,
) -> list[Finding]:
    path = reqfile.path
    if req.kind == VCS:
        problem = vcs_pin_problem(req)
        if problem is None:
            return []
        return [UNPINNED_VCS.at(path, entry.start_line, entry.col, f"'{_short(req.shown)}' {problem}")]
    if req.kind != INDEX:
        return []
    # ${VAR} in a version (none without any in the requirement's text)
    names = [n for _, version in req.specs for n in ENV_VAR_RE.findall(version)] if req.env_vars else []
    if not req.unresolved and not names and (
        req.pin is not None or model.pinned_by_constraint(req) is not None
        or model.pinned_by_requirement(req) is not None
    ):
        return []  # pinned: no message to write
    shown = _short(req.shown)
    example = f"'{req.raw_name or 'name'}{_extras(req)}==X.Y.Z'"
    if req.unresolved or names:
        variable = (names or list(req.env_vars))[0]
        return [UNPINNED.at(
            path, entry.start_line, entry.col,
            f"'{shown}' takes its version from the environment variable {variable}, so the pin "
            f"cannot be checked; write the version, e.g. {example}",
        )]
    return [UNPINNED.at(
        path, entry.start_line, entry.col,
        f"'{shown}' is not pinned; pin one version, e.g. {example} "
        f"(pip-compile or uv pip compile can generate pins)",
        fix=_pin_fix(reqfile, entry, req, locks) if locks is not None and reqfile is model.root else NO_FIX,
    )]


def _package_metadata(repo: Repo, path: str) -> bool:
    """Whether a pyproject.toml or setup.py reads ``path`` as the package's dependency list
    (hooks._project, imported only when a file has an unpinned requirement)."""
    from hooks._project import package_metadata_source

    return package_metadata_source(repo, path) is not None


class _Locks:
    """The versions the lock files near one requirements file record, read on first use
    (once per check, only in fix mode)."""

    def __init__(self, repo: Repo, path: str) -> None:
        self.repo = repo
        self.path = path
        self._read = False
        self._versions: Mapping[str, frozenset[str]] = {}

    def versions(self, name: str) -> frozenset[str]:
        if not self._read:
            from hooks._project import recorded_versions

            recorded = recorded_versions(self.repo, self.path)
            self._versions = recorded.versions if recorded is not None else {}
            self._read = True
        return self._versions.get(name, frozenset())


def _pin_fix(reqfile: RequirementsFile, entry: Entry, req: Requirement, locks: _Locks) -> Fix:
    """``==X`` in place of the specifiers, when the nearest lock files record exactly one
    version X of the name and the specifiers admit it; else no fix."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version

    if req.name is None or req.env_vars:
        return NO_FIX
    span = specifier_span(reqfile, entry)
    if span is None:
        return NO_FIX
    versions = locks.versions(req.name)
    if len(versions) != 1:
        return NO_FIX
    (version,) = versions
    try:
        Version(version)
        allowed = SpecifierSet(",".join(op + v for op, v in req.specs))
    except (InvalidVersion, InvalidSpecifier):
        return NO_FIX
    if not allowed.contains(version, prereleases=True):
        return NO_FIX
    return Fix(((span[0], span[1], f"=={version}"),))


def _hash_mode(model: RequirementsSet, paths: Iterable[str]) -> str | None:
    """Why pip would install these files in hash-checking mode, or None."""
    files = [model.files[p] for p in paths if p in model.files]
    options = [e for f in files for e in f.entries if e.kind == OPTION]
    for entry in options:  # pip acts on these only on lines without a requirement
        for option in entry.options:
            if option.name == "--require-hashes":
                return f"--require-hashes at {entry.path}:{option.line}"
    if any(o.name == "--no-require-hashes" for e in options for o in e.options):
        return None
    for reqfile in files:
        for entry in reqfile.requirements():
            if entry.requirement is not None and entry.requirement.hashes:
                return (f"'{entry.requirement.raw_name or _short(entry.requirement.text)}' at "
                        f"{entry.path}:{entry.start_line} has --hash, which turns it on for all")
    return None


def _hashes(
    model: RequirementsSet, reported: list[RequirementsFile], mode: str, *, tree_mode: bool
) -> list[Finding]:
    hashed = {  # pip takes the hashes of a requirement without any from its constraint
        e.requirement.name for f in model.constraint_files() for e in f.requirements()
        if e.requirement is not None and e.requirement.hashes
    }
    paths = {f.path for f in reported}
    findings: list[Finding] = []
    for reqfile in reported:
        if REQUIREMENT not in model.roles.get(reqfile.path, ()):
            continue  # only a constraints file here: pip installs nothing from it
        findings.extend(
            MISSING_HASH.at(reqfile.path, e.start_line, e.col, _hash_message(e.requirement, mode))
            for e in _unhashed(reqfile, hashed) if e.requirement is not None
        )
        if not tree_mode:
            continue  # every file checked on its own gets the hook's --require-hashes too
        for edge in model.includes_of(reqfile.path):
            include = edge.entry.include
            if include is None or include.constraint or not is_requirements(edge.target):
                continue  # a file the hook does not check on its own was covered above
            subtree = model.reachable(edge.target)
            if _hash_mode(model, subtree):
                continue  # in hash-checking mode by itself: it reports its own findings
            missing = [e for path in subtree if path not in paths
                       for e in _unhashed(model.files[path], hashed)]
            if missing:
                first = missing[0]
                findings.append(MISSING_HASH.at(
                    reqfile.path, include.line, include.col,
                    f"'{include.target}' brings {len(missing)} requirement(s) without --hash (first "
                    f"'{_short(first.text)}' at {first.path}:{first.start_line}), but pip installs "
                    f"them in hash-checking mode here ({mode}); add their hashes",
                ))
    return findings


def _unhashed(reqfile: RequirementsFile, hashed: set[str | None]) -> list[Entry]:
    found = []
    for entry in reqfile.requirements():
        req = entry.requirement
        if req is not None and (_unhashable(req) or not (req.hashes or req.name in hashed)):
            found.append(entry)
    return found


def _unhashable(req: Requirement) -> str | None:
    if req.kind == VCS:
        return "a VCS checkout"
    if req.editable:
        return "an editable install"
    if req.kind == PATH and not (req.url or "").lower().endswith(ARCHIVE_EXTENSIONS):
        return "a local directory"
    return None


def _hash_message(req: Requirement, mode: str) -> str:
    shown = _short(req.shown)
    what = _unhashable(req)
    if what:
        return (f"'{shown}' cannot be installed in pip's hash-checking mode ({mode}): pip cannot "
                f"hash {what}; install it in a separate pip call, or build a wheel and pin its hash")
    return (f"'{shown}' has no --hash, but pip installs in hash-checking mode ({mode}); add its "
            f"hashes, e.g. with 'pip-compile --generate-hashes' or 'uv pip compile --generate-hashes'")


def _extras(req: Requirement) -> str:
    return f"[{','.join(req.extras)}]" if req.extras else ""


def _short(text: str, limit: int = 80) -> str:
    text = mask_secrets(" ".join(text.split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"


HOOK = Hook(
    id="check-requirements-pinned", doc=__doc__ or "", rules=RULES,
    options=(Option(
        "require-hashes", "check as if pip ran with --require-hashes: every requirement needs --hash (DPH104)",
        "flag",
    ),),
    requirements=lambda model, ctx: check(
        model, require_hashes=ctx.options.require_hashes, repo=ctx.repo, fix=ctx.fixer is not None,
    ),
)


def main(argv: Sequence[str] | None = None) -> int:
    return run_hook(HOOK, argv)


if __name__ == "__main__":
    raise SystemExit(main())
