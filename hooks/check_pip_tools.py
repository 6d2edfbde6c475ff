"""check-pip-tools: a compiled requirements file pins every project its .in file names.

Reads pip-tools input files (``requirements*.in``, ``constraints*.in`` and any ``.in``
under ``requirements/``) and the ``.txt`` of the same name beside each, which
``pip-compile`` writes. Both are read as pip reads them (includes followed inside the
repository only). Names are compared in their canonical form (``Django``,
``django``; ``zope.interface``, ``zope-interface``); nothing is resolved and no index is
asked. An input without a compiled file beside it is not judged. A requirement with an
environment marker (``pywin32; sys_platform == "win32"``) may be left out of a file
compiled on another platform, and is not judged either; nor are ``pip`` and
``setuptools``, which ``pip-compile`` leaves out unless ``--allow-unsafe``.

## DPH112 stale-compiled-requirements
### What it does
Reports each project named in a ``.in`` file that the compiled ``.txt`` beside it does
not list, or lists without an ``==`` pin, at the line of the ``.in`` file.
### Why is this bad?
The compiled file is what the image installs. A project added to the input but not
compiled is missing from the image (or, if installed some other way, unpinned), and the
next ``pip-compile`` run brings in a batch of unreviewed changes at once.
### Example
```text
# requirements.in
django>=5.0
sentry-sdk
# requirements.txt (compiled before sentry-sdk was added)
django==5.0.6
```
### Use instead
```text
# requirements.txt, after 'pip-compile requirements.in'
django==5.0.6
sentry-sdk==2.5.1
```
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from hooks._cli import run_hook
from hooks._files import ReadError
from hooks._findings import ERROR, Finding, Rule
from hooks._hook import Hook
from hooks._requirements import CONSTRAINT, REQUIREMENT

if TYPE_CHECKING:
    from hooks._files import Repo
    from hooks._requirements import Entry, RequirementsSet

STALE = Rule(
    "DPH112", "stale-compiled-requirements", ERROR,
    "A compiled requirements file does not pin a project its .in file names.",
)
RULES = (STALE,)
UNSAFE = frozenset({"pip", "setuptools", "distribute"})  # pip-tools' "unsafe in a requirements file"


def compiled_path(path: str) -> str:
    """Where pip-compile writes the output of the input file ``path``."""
    return path[:-3] + ".txt" if path.endswith(".in") else path


def _entries(model: RequirementsSet, role: str) -> list[Entry]:
    return [
        entry for path, reqfile in model.files.items() if role in model.roles.get(path, ())
        for entry in reqfile.requirements()
    ]


def check(source: RequirementsSet, *, compiled: RequirementsSet | None = None) -> list[Finding]:
    """DPH112 on the input file ``source`` and its includes, against ``compiled``
    (None: there is no compiled file beside it)."""
    if compiled is None:
        return []
    pinned: dict[str, bool] = {}
    for entry in _entries(compiled, REQUIREMENT):
        req = entry.requirement
        if req is not None and req.name:
            exact = req.pin is not None or req.url is not None
            pinned[req.name] = pinned.get(req.name, False) or exact
    name = compiled.root.path
    findings: list[Finding] = []
    for entry in _entries(source, REQUIREMENT):
        if entry.path != source.root.path and CONSTRAINT in source.roles.get(entry.path, ()):
            continue
        req = entry.requirement
        if req is None or not req.name or req.marker or req.unresolved:
            continue
        if req.name not in pinned and req.name in UNSAFE:
            continue  # pip-compile leaves these out unless --allow-unsafe
        if req.name not in pinned:
            why = f"{name} does not list it"
        elif not pinned[req.name]:
            why = f"{name} lists it without an '==' pin"
        else:
            continue
        findings.append(STALE.at(
            entry.path, entry.start_line, entry.col,
            f"'{req.raw_name or req.name}' is named here, but {why}; re-run pip-compile "
            f"('pip-compile {source.root.path}') and commit the result",
        ))
    return findings


def compiled_for(repo: Repo, path: str) -> RequirementsSet | None:
    """The compiled file beside the input file ``path``, loaded; None when there is none."""
    from hooks import _requirements

    target = compiled_path(path)
    if target == path or repo.optional_text(target) is None:
        return None
    try:
        return _requirements.load(target, repo)
    except ReadError:
        return None


HOOK = Hook(
    id="check-pip-tools", doc=__doc__ or "", rules=RULES,
    requirements_in=lambda model, ctx: check(model, compiled=compiled_for(ctx.repo, model.root.path)),
)


def main(argv: Sequence[str] | None = None) -> int:
    return run_hook(HOOK, argv)


if __name__ == "__main__":
    raise SystemExit(main())
