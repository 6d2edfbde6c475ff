"""Findings: the one result type every check returns, and the only place that prints.

A :class:`Rule` is declared by a check module next to its logic (code, kebab-case
name, default severity, one-line summary). A :class:`Finding` is one problem at an
exact position (1-based line and column, optional end) and carries the rule's code,
name and severity, so every output format can be produced from it alone. Messages are
masked when a finding is made (``https://user:****@host``, ``ghp_****``): a check that
quotes a line of a file cannot print a secret written in it.
"""
from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import IO, NamedTuple

from hooks._secrets import mask_secrets

ERROR = "error"
WARNING = "warning"
INFO = "info"


class Fix:
    """How to repair one finding: edits ``(start, end, replacement)``, each replacing the
    characters ``start:end`` of the parsed file's text (:attr:`hooks._dockerfile.Dockerfile.text`,
    the BOM removed) with ``replacement``; ``start == end`` inserts. Applied by
    :mod:`hooks._fix`, only in fix mode.

    Every Fix compares equal to every other and hashes alike: a finding's fix never
    changes how findings sort, de-duplicate or print."""

    __slots__ = ("edits",)

    def __init__(self, edits: Sequence[tuple[int, int, str]] = ()) -> None:
        self.edits = tuple(edits)

    def __bool__(self) -> bool:
        return bool(self.edits)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Fix)

    def __lt__(self, other: object) -> bool:
        return False

    def __hash__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return f"Fix({list(self.edits)!r})"


NO_FIX = Fix()


class Finding(NamedTuple):
    """One problem, at one place. Sorts by path, line, column, code."""

    path: str
    line: int
    col: int
    code: str
    message: str
    name: str = ""
    severity: str = ERROR
    end_line: int = 0  # 0: same as ``line``
    end_col: int = 0  # 0: unknown / end of line
    fix: Fix = NO_FIX  # how to repair it, when a rule knows (see Fix)

    def render(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.code} {self.message}"


class Rule(NamedTuple):
    """A rule's identity: ``DPH201`` / ``untagged-base-image`` / error. ``fixable``: some of
    its findings carry a :class:`Fix` (its documentation then has a ``### Fix`` section)."""

    code: str
    name: str
    severity: str
    summary: str
    fixable: bool = False

    def at(
        self,
        path: str,
        line: int,
        col: int,
        message: str,
        *,
        end_line: int = 0,
        end_col: int = 0,
        fix: Fix = NO_FIX,
    ) -> Finding:
        """A finding of this rule at ``path:line:col``; credentials in ``message`` are masked."""
        return Finding(
            path, max(line, 1), max(col, 1), self.code, mask_secrets(message),
            self.name, self.severity, end_line, end_col, fix,
        )


# Meta rules, raised by the shared machinery rather than by a check module.
UNREADABLE = Rule(
    "DPH901", "unreadable-file", ERROR,
    "A file could not be read, decoded or parsed safely.",
)
UNKNOWN_CODE = Rule(
    "DPH902", "unknown-suppression-code", ERROR,
    "A suppression comment names a code that no rule has.",
)
UNUSED_SUPPRESSION = Rule(
    "DPH903", "unused-suppression", WARNING,
    "A suppression comment matched no finding of the rules that ran.",
)
SYNTAX_ERROR = Rule(
    "DPH904", "syntax-error", ERROR,
    "A Dockerfile or requirements line that the build tool would reject, or a continuation "
    "(across an empty line, or to an unindented line that starts like an instruction) by which "
    "BuildKit joins an instruction to the one before it.",
)
UNKNOWN_TARGET = Rule(
    "DPH905", "unknown-target-stage", ERROR,
    "The stage named by --target does not exist in the Dockerfile.",
)
MISSING_REASON = Rule(
    "DPH906", "suppression-without-reason", WARNING,
    "A suppression comment gives no reason (reported with --require-reason).",
)
FIX_NOT_APPLIED = Rule(
    "DPH907", "fix-not-applied", ERROR,
    "In fix mode, a file's fixes were not written (why is in the message).",
)
META_RULES = (
    UNREADABLE, UNKNOWN_CODE, UNUSED_SUPPRESSION, SYNTAX_ERROR, UNKNOWN_TARGET, MISSING_REASON, FIX_NOT_APPLIED,
)


def report(findings: Iterable[Finding], stream: IO[str] | None = None) -> int:
    """Print findings sorted and de-duplicated; return the exit code (0 or 1)."""
    unique = sorted(set(findings))
    if not unique:
        return 0
    out = sys.stdout if stream is None else stream
    out.write("".join(f.render() + "\n" for f in unique))
    out.flush()
    return 1


def report_diffs(diffs: Sequence[str], stream: IO[str] | None = None) -> int:
    """Print unified diffs (``--diff``); return 1 when there is one, else 0."""
    if not diffs:
        return 0
    out = sys.stdout if stream is None else stream
    out.write("".join(diffs))
    out.flush()
    return 1


def unknown_target(path: str, target: str | None) -> list[Finding]:
    """What a final-stage check reports when there is no stage to judge."""
    if not target:
        return []  # no FROM at all: the parser already reported it (DPH904)
    return [UNKNOWN_TARGET.at(
        path, 1, 1, f"no stage named '{target}' (from --target); check the stage name",
    )]
