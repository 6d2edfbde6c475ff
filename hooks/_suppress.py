"""Suppression comments, applied as a filter after every check ran.

Checks never see suppressions. One model (:class:`Suppression`) for every spelling:

* Dockerfiles: a whole-line comment ``# dph: ignore=DPH201,DPH402 reason="why"`` silences
  those codes on the next instruction (or on the instruction whose continuation lines
  hold the comment); ``# dph: global ignore=DPH501`` silences them in the whole file.
  Rule names work as well as codes (``ignore=untagged-base-image``). Text after the
  codes is the reason (``reason="..."`` spells it explicitly).
* Requirements files: ``pkg>=1  # noqa: DPH101`` at the end of a physical line
  silences the codes on that logical line (continuation lines included).
* Other tools' comments in Dockerfiles, for the rules of theirs that ours overlap
  (:data:`FOREIGN`): ``# hadolint ignore=DL3006,DL3002`` (next instruction) and
  ``# hadolint global ignore=...`` (file), ``# trivy:ignore:DS-0002`` or
  ``AVD-DS-0002`` (next instruction), ``# checkov:skip=CKV_DOCKER_3:reason`` (the
  whole file, as Checkov reads it), and BuildKit's ``# check=skip=Rule,Rule`` or
  ``skip=all``: as the parser directive at the top it covers the file, as a comment
  elsewhere the next instruction. Their codes that we do not map are left alone.

A code that no rule has is reported (DPH902); a suppression of a code whose rule ran
but matched nothing is reported (DPH903), so stale suppressions do not pile up. Another
tool's comment that silenced nothing of ours is not (its other rules are not ours to
judge) unless ``strict_foreign``. With ``require_reason``, a ``dph:`` or ``noqa``
comment without a reason is reported (DPH906). ``--disable-suppressions`` is the
runner not calling :func:`apply` at all.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Collection, Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from hooks._findings import MISSING_REASON, UNKNOWN_CODE, UNUSED_SUPPRESSION, Finding
from hooks._patterns import lazy
from hooks._registry import all_rules, rule_for

if TYPE_CHECKING:
    from hooks._dockerfile import Dockerfile

_DPH_RE = lazy(r"^dph\s*:\s*(global\s+)?ignore\s*=\s*(\S.*)$", re.IGNORECASE)
_NOQA_RE = lazy(r"(?:^|\s)#\s*noqa\s*:\s*(\S.*)$", re.IGNORECASE)
_CODES_RE = lazy(r"\s*([A-Za-z][A-Za-z0-9_-]*)\s*(,)?")
_REASON_RE = lazy(r"\s*reason\s*=\s*(?:\"([^\"]*)\"?|'([^']*)'?|(.*))", re.IGNORECASE)
_HADOLINT_RE = lazy(r"^hadolint\s+(global\s+)?ignore\s*=\s*(\S.*)$", re.IGNORECASE)
_TRIVY_RE = lazy(r"trivy:ignore:([A-Za-z0-9_-]+)", re.IGNORECASE)
_TRIVY_ID_RE = lazy(r"(?:AVD-)?DS-?0*([0-9]{1,4})", re.IGNORECASE)
_CHECKOV_RE = lazy(r"^checkov:skip=\s*([A-Za-z0-9_]+)(?:\s*:(.*))?", re.IGNORECASE)
_CHECK_RE = lazy(r"^check\s*=\s*(.*)$", re.IGNORECASE)
_PREFIXES = ("dph", "had", "tri", "che")

HADOLINT, TRIVY, CHECKOV, BUILDKIT = "hadolint", "trivy", "checkov", "buildkit"
# Their code -> ours, for the rules whose docs in docs/rules.md name the overlap. Codes
# not listed (hadolint DL3008 apt pins, DL3018, DL3003, DL4006, ShellCheck SCxxxx, ...;
# Trivy DS-0005 ADD, DS-0013 relative WORKDIR, ...; Checkov CKV_DOCKER_1 port 22,
# CKV_DOCKER_4 ADD, CKV_DOCKER_9 apt, CKV_DOCKER_10, CKV_DOCKER_11; BuildKit
# StageNameCasing, UndefinedVar, WorkdirRelativePath, ...) check what no rule of ours does.
FOREIGN: dict[str, dict[str, tuple[str, ...]]] = {
    HADOLINT: {
        "DL3002": ("DPH401", "DPH402"),  # last USER should not be root
        "DL3006": ("DPH201",),  # always tag the image version
        "DL3007": ("DPH202",),  # using latest
        "DL3009": ("DPH504",),  # delete the apt-get lists
        "DL3013": ("DPH107",),  # pin versions in pip
        "DL3015": ("DPH503",),  # avoid additional packages (--no-install-recommends)
        "DL3025": ("DPH603", "DPH605"),  # JSON notation for CMD and ENTRYPOINT
        "DL3042": ("DPH506",),  # pip --no-cache-dir
        "DL3057": ("DPH601",),  # HEALTHCHECK instruction missing
        "DL3059": ("DPH304",),  # multiple consecutive RUN instructions
        "DL3064": ("DPH701",),  # secrets in ENV/ARG names
    },
    TRIVY: {
        "DS-0001": ("DPH201", "DPH202"),  # ':latest' tag used (or no tag)
        "DS-0002": ("DPH401", "DPH402"),  # image user should not be 'root'
        "DS-0017": ("DPH505",),  # 'RUN <package-manager> update' instruction alone
        "DS-0026": ("DPH601",),  # no HEALTHCHECK defined
        "DS-0029": ("DPH503",),  # 'apt-get' missing '--no-install-recommends'
        "DS-0031": ("DPH701",),  # secrets passed via build args or environment
    },
    CHECKOV: {
        "CKV_DOCKER_2": ("DPH601",),  # HEALTHCHECK instructions have been added
        "CKV_DOCKER_3": ("DPH401",),  # a user for the container has been created
        "CKV_DOCKER_5": ("DPH505",),  # update instructions are not used alone
        "CKV_DOCKER_7": ("DPH201", "DPH202"),  # the base image uses a non-latest version tag
        "CKV_DOCKER_8": ("DPH402",),  # the last USER is not root
    },
    BUILDKIT: {
        "JSONARGSRECOMMENDED": ("DPH605",),
        "LEGACYKEYVALUEFORMAT": ("DPH606",),
        "FROMASCASING": ("DPH607",),
        "SECRETSUSEDINARGORENV": ("DPH701",),
        "INVALIDDEFAULTARGINFROM": ("DPH208",),
        "UNDEFINEDARGINFROM": ("DPH209",),
    },
}
_BUILDKIT_ALL = "ALL"


class Suppression(NamedTuple):
    path: str
    line: int  # where the comment is
    col: int
    codes: tuple[str, ...]  # as written: codes or rule names (another tool's codes for ``tool``)
    first: int  # first line covered; 0 for the whole file
    last: int
    cols: tuple[int, ...] = ()  # column of each code
    reason: str = ""  # "" when none is given
    tool: str = ""  # "" for ours, else the tool whose comment it is (FOREIGN's keys)


class Flags:
    """How a run applies suppressions (``--disable-suppressions``, ``--require-reason``,
    ``--strict-foreign``). A plain class: defining a NamedTuple costs every run 0.2 ms."""

    __slots__ = ("disabled", "require_reason", "strict_foreign")

    def __init__(self, disabled: bool = False, require_reason: bool = False, strict_foreign: bool = False) -> None:
        self.disabled = disabled
        self.require_reason = require_reason
        self.strict_foreign = strict_foreign

    @classmethod
    def of(cls, args: object) -> Flags:
        return cls(
            bool(getattr(args, "disable_suppressions", False)),
            bool(getattr(args, "require_reason", False)),
            bool(getattr(args, "strict_foreign", False)),
        )


def foreign_codes(tool: str, written: str) -> tuple[str, ...]:
    """Our codes that another tool's code stands for; () when we do not map it."""
    key = written.upper()
    if tool == TRIVY:
        match = _TRIVY_ID_RE.fullmatch(written)
        if not match:
            return ()
        key = f"DS-{int(match.group(1)):04d}"
    elif tool == BUILDKIT and key == _BUILDKIT_ALL:
        return tuple(sorted({code for codes in FOREIGN[BUILDKIT].values() for code in codes}))
    return FOREIGN.get(tool, {}).get(key, ())


def _reason(rest: str) -> str:
    """The reason in the text after a suppression's codes: ``reason="..."`` or free text."""
    match = _REASON_RE.match(rest)
    if match:
        return next((g for g in match.groups() if g is not None), "").strip()
    return rest.strip()


def _codes(spec: str, col: int) -> tuple[tuple[str, ...], tuple[int, ...], str]:
    """``DPH201, DPH402 reason`` -> (DPH201, DPH402), their columns, and the reason;
    the list stops at the first word not followed by a comma."""
    codes: list[str] = []
    cols: list[int] = []
    pos = 0
    while True:
        match = _CODES_RE.match(spec, pos)
        if not match:
            break
        codes.append(match.group(1))
        cols.append(col + match.start(1))
        pos = match.end()
        if not match.group(2):
            break
    return tuple(codes), tuple(cols), _reason(spec[pos:])


def dockerfile_suppressions(df: Dockerfile) -> list[Suppression]:
    """Every suppression in a Dockerfile: its comments, and BuildKit's ``check`` directive."""
    found: list[Suppression] = []
    directive = df.directives.get("check")
    if directive is not None:
        found.extend(_buildkit(df, directive.line, directive.value, 0, 0))
    instructions = df.instructions
    index = 0
    for comment in df.comments:
        if comment.text[:3].lower() not in _PREFIXES:
            continue
        while index < len(instructions) and instructions[index].end_line < comment.line:
            index += 1
        first, last = -1, -1
        if index < len(instructions):
            first, last = instructions[index].start_line, instructions[index].end_line
        found.extend(_comment(df, comment.line, comment.text, first, last))
    return found


def _comment(df: Dockerfile, line: int, text: str, first: int, last: int) -> list[Suppression]:
    """The suppressions in the comment ``text`` on ``line``, covering ``first``-``last``."""
    source = df.lines[line - 1]
    head = text[:3].lower()  # each pattern is compiled on first use: try only the one that can match
    if head == "dph":
        match = _DPH_RE.match(text)
        if match:
            col = source.find(match.group(2)) + 1
            codes, cols, reason = _codes(match.group(2), col)
            if match.group(1):
                first = last = 0
            return [Suppression(df.path, line, col, codes, first, last, cols, reason)]
    elif head == "had":
        match = _HADOLINT_RE.match(text)
        if match:
            col = source.find(match.group(2)) + 1
            codes, cols, reason = _codes(match.group(2), col)
            if match.group(1):
                first = last = 0
            return [Suppression(df.path, line, col, codes, first, last, cols, reason, HADOLINT)]
    elif head == "tri":
        found = []
        for hit in _TRIVY_RE.finditer(text):
            col = source.find(hit.group(0)) + len("trivy:ignore:") + 1
            found.append(Suppression(df.path, line, col, (hit.group(1),), first, last, (col,), "", TRIVY))
        return found
    elif text[:7].lower() == "checkov":
        match = _CHECKOV_RE.match(text)
        if match:
            col = source.find(match.group(1)) + 1
            reason = (match.group(2) or "").strip()
            return [Suppression(df.path, line, col, (match.group(1),), 0, 0, (col,), reason, CHECKOV)]
    elif head == "che":
        match = _CHECK_RE.match(text)
        if match:
            return _buildkit(df, line, match.group(1), first, last)
    return []


def _buildkit(df: Dockerfile, line: int, value: str, first: int, last: int) -> list[Suppression]:
    """``skip=Rule,Rule`` (or ``skip=all``) among BuildKit's ``;``-separated check settings."""
    source = df.lines[line - 1]
    for setting in value.split(";"):
        key, _, names = setting.partition("=")
        if key.strip().lower() != "skip":
            continue
        codes: list[str] = []
        cols: list[int] = []
        start = source.find(names) if names else -1
        pos = 0
        for name in names.split(","):
            if name.strip():
                codes.append(name.strip())
                cols.append(start + pos + (len(name) - len(name.lstrip())) + 1 if start >= 0 else 1)
            pos += len(name) + 1
        if codes:
            return [Suppression(df.path, line, cols[0], tuple(codes), first, last, tuple(cols), "", BUILDKIT)]
    return []


def requirements_suppressions(
    path: str, lines: Sequence[str], spans: Iterable[tuple[int, int]]
) -> list[Suppression]:
    """``# noqa: CODES`` on physical ``lines``; ``spans`` are the logical lines' ranges."""
    span_of: dict[int, tuple[int, int]] = {}
    for first, last in spans:
        for line in range(first, last + 1):
            span_of[line] = (first, last)
    found: list[Suppression] = []
    for number, text in enumerate(lines, start=1):
        if "noqa" not in text.lower():
            continue
        match = _NOQA_RE.search(text)
        if not match:
            continue
        first, last = span_of.get(number, (number, number))
        codes, cols, reason = _codes(match.group(1), match.start(1) + 1)
        found.append(Suppression(path, number, match.start(1) + 1, codes, first, last, cols, reason))
    return found


def apply(
    findings: Iterable[Finding],
    suppressions: Sequence[Suppression],
    active: Collection[str],
    *,
    require_reason: bool = False,
    strict_foreign: bool = False,
    flags: Flags | None = None,
) -> list[Finding]:
    """Drop suppressed findings; add DPH902/DPH903/DPH906 about the suppressions themselves.

    ``active`` holds the codes of the rules that ran, so a single-purpose hook does
    not call another hook's suppression unused. ``strict_foreign``: report another
    tool's suppression that silenced nothing of ours, too. ``require_reason``: report
    our suppressions that give no reason.
    """
    findings = list(findings)
    if not suppressions:
        return findings
    if flags is not None:
        require_reason = require_reason or flags.require_reason
        strict_foreign = strict_foreign or flags.strict_foreign
    resolved: list[tuple[Suppression, list[tuple[str, str]]]] = []
    meta: list[Finding] = []
    rules = None
    for sup in suppressions:
        pairs = []
        if sup.tool:
            pairs = [(written, code) for written in sup.codes for code in foreign_codes(sup.tool, written)]
        else:
            if rules is None:  # only our own comments name our codes
                rules = all_rules()
            for number, written in enumerate(sup.codes):
                rule = rule_for(written, rules)
                if rule is None:
                    col = sup.cols[number] if number < len(sup.cols) else sup.col
                    meta.append(UNKNOWN_CODE.at(
                        sup.path, sup.line, col,
                        f"unknown code or rule name '{written}' in suppression; "
                        f"see the README for the list of rules",
                    ))
                else:
                    pairs.append((written, rule.code))
            if require_reason and not sup.reason:
                meta.append(MISSING_REASON.at(
                    sup.path, sup.line, sup.col,
                    "suppression gives no reason; add one after the codes, "
                    'e.g. reason="pinned by digest in CI"',
                ))
        resolved.append((sup, pairs))
    used: set[tuple[int, str]] = set()
    matcher = _Matcher(resolved)
    kept: list[Finding] = []
    for finding in findings:
        groups = matcher.groups(finding)
        for group in groups:
            if id(group) not in matcher.marked:  # mark a group used once, not per finding
                matcher.marked.add(id(group))
                used.update(group)
        if not groups:
            kept.append(finding)
    for number, (sup, pairs) in enumerate(resolved):
        if sup.tool and not strict_foreign:
            continue
        codes_of: dict[str, list[str]] = {}
        for written, code in pairs:
            codes_of.setdefault(written, []).append(code)
        for written, codes in codes_of.items():
            if (number, written) in used or not any(code in active for code in codes):
                continue
            where = _scope(sup)
            if sup.tool:
                message = (
                    f"{sup.tool} suppression of {written} ({', '.join(codes)} here) matched nothing "
                    f"in {where}"
                )
            else:
                message = f"suppression of {codes[0]} matched nothing in {where}; remove it"
            meta.append(UNUSED_SUPPRESSION.at(sup.path, sup.line, sup.col, message))
    # Meta findings obey file-wide suppressions too (``global ignore=DPH903``).
    global_codes = {
        (sup.path, code) for sup, pairs in resolved if sup.first == 0 for _, code in pairs
    }
    kept.extend(f for f in meta if (f.path, f.code) not in global_codes)
    return kept


def _scope(sup: Suppression) -> str:
    if sup.first == 0:
        return "the file"
    if sup.first < 0:
        return "any instruction (none follows it)"
    if sup.first <= sup.line <= sup.last:
        return "the line it annotates"
    return "the next instruction"


Group = list[tuple[int, str]]  # (suppression number, code as written)


class _Matcher:
    """The suppressions that cover a finding, found without looking at every suppression.

    Suppressions are indexed by (path, code): the file-wide ones, and the others by their
    line range, sorted, so a finding costs a dictionary look-up and a binary search (one
    hook run over a file with thousands of suppressed findings stays linear).
    """

    def __init__(self, resolved: Sequence[tuple[Suppression, list[tuple[str, str]]]]) -> None:
        self.whole_file: dict[tuple[str, str], Group] = {}
        ranges: dict[tuple[str, str], dict[tuple[int, int], Group]] = {}
        for number, (sup, pairs) in enumerate(resolved):
            for written, code in pairs:
                key = (sup.path, code)
                if not sup.first:
                    self.whole_file.setdefault(key, []).append((number, written))
                else:
                    ranges.setdefault(key, {}).setdefault((sup.first, sup.last), []).append((number, written))
        # Per key: the ranges sorted by first line, their first lines, and the largest last
        # line up to each index (so overlapping ranges are found too).
        self.spans: dict[tuple[str, str], tuple[list[tuple[int, int]], list[int], list[int], list[Group]]] = {}
        for key, by_range in ranges.items():
            ordered = sorted(by_range)
            reach: list[int] = []
            for _, last in ordered:
                reach.append(max(last, reach[-1]) if reach else last)
            self.spans[key] = (ordered, [first for first, _ in ordered], reach, [by_range[r] for r in ordered])
        self.marked: set[int] = set()

    def groups(self, finding: Finding) -> list[Group]:
        key = (finding.path, finding.code)
        found = []
        whole = self.whole_file.get(key)
        if whole is not None:
            found.append(whole)
        span = self.spans.get(key)
        if span is not None:
            ordered, firsts, reach, groups = span
            index = bisect_right(firsts, finding.line) - 1
            while index >= 0 and reach[index] >= finding.line:
                first, last = ordered[index]
                if first <= finding.line <= last:
                    found.append(groups[index])
                index -= 1
        return found
