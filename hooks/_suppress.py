"""Suppression comments, applied as a filter after every check ran.

Checks never see suppressions. Two spellings, one model (:class:`Suppression`):

* Dockerfiles: a whole-line comment ``# dph: ignore=DPH201,DPH402 reason`` silences
  those codes on the next instruction (or on the instruction whose continuation lines
  hold the comment); ``# dph: global ignore=DPH501`` silences them in the whole file.
  Rule names work as well as codes (``ignore=untagged-base-image``).
* Requirements files: ``pkg>=1  # noqa: DPH101`` at the end of a physical line
  silences the codes on that logical line (continuation lines included).

A code that no rule has is reported (DPH902); a suppression of a code whose rule ran
but matched nothing is reported (DPH903), so stale suppressions do not pile up.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Collection, Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from hooks._findings import UNKNOWN_CODE, UNUSED_SUPPRESSION, Finding
from hooks._patterns import lazy
from hooks._registry import all_rules, rule_for

if TYPE_CHECKING:
    from hooks._dockerfile import Dockerfile

_DPH_RE = lazy(r"^dph\s*:\s*(global\s+)?ignore\s*=\s*(\S.*)$", re.IGNORECASE)
_NOQA_RE = lazy(r"(?:^|\s)#\s*noqa\s*:\s*(\S.*)$", re.IGNORECASE)
_CODES_RE = lazy(r"\s*([A-Za-z][A-Za-z0-9_-]*)\s*(,)?")


class Suppression(NamedTuple):
    path: str
    line: int  # where the comment is
    col: int
    codes: tuple[str, ...]  # as written: codes or rule names
    first: int  # first line covered; 0 for the whole file
    last: int
    cols: tuple[int, ...] = ()  # column of each code


def _codes(spec: str, col: int) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """``DPH201, DPH402 reason`` -> (DPH201, DPH402); stops at the first non-list word."""
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
    return tuple(codes), tuple(cols)


def dockerfile_suppressions(df: Dockerfile) -> list[Suppression]:
    found: list[Suppression] = []
    instructions = df.instructions
    index = 0
    for comment in df.comments:
        if "dph" not in comment.text[:5].lower():
            continue
        match = _DPH_RE.match(comment.text)
        if not match:
            continue
        col = df.lines[comment.line - 1].find(match.group(2)) + 1
        codes, cols = _codes(match.group(2), col)
        if match.group(1):
            found.append(Suppression(df.path, comment.line, col, codes, 0, 0, cols))
            continue
        while index < len(instructions) and instructions[index].end_line < comment.line:
            index += 1
        first, last = -1, -1
        if index < len(instructions):
            first, last = instructions[index].start_line, instructions[index].end_line
        found.append(Suppression(df.path, comment.line, col, codes, first, last, cols))
    return found


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
        codes, cols = _codes(match.group(1), match.start(1) + 1)
        found.append(Suppression(path, number, match.start(1) + 1, codes, first, last, cols))
    return found


def apply(
    findings: Iterable[Finding],
    suppressions: Sequence[Suppression],
    active: Collection[str],
) -> list[Finding]:
    """Drop suppressed findings; add DPH902/DPH903 about the suppressions themselves.

    ``active`` holds the codes of the rules that ran, so a single-purpose hook does
    not call another hook's suppression unused.
    """
    findings = list(findings)
    if not suppressions:
        return findings
    rules = all_rules()
    kept: list[Finding] = []
    used: set[tuple[int, str]] = set()
    resolved: list[tuple[Suppression, list[tuple[str, str]]]] = []
    meta: list[Finding] = []
    for sup in suppressions:
        pairs = []
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
        resolved.append((sup, pairs))
    matcher = _Matcher(resolved)
    for finding in findings:
        groups = matcher.groups(finding)
        for group in groups:
            if id(group) not in matcher.marked:  # mark a group used once, not per finding
                matcher.marked.add(id(group))
                used.update(group)
        if not groups:
            kept.append(finding)
    for number, (sup, pairs) in enumerate(resolved):
        for written, code in pairs:
            if code in active and (number, written) not in used:
                if sup.first == 0:
                    where = "the file"
                elif sup.first < 0:
                    where = "any instruction (none follows it)"
                elif sup.first <= sup.line <= sup.last:
                    where = "the line it annotates"
                else:
                    where = "the next instruction"
                meta.append(UNUSED_SUPPRESSION.at(
                    sup.path, sup.line, sup.col,
                    f"suppression of {code} matched nothing in {where}; remove it",
                ))
    # Meta findings obey file-wide suppressions too (``global ignore=DPH903``).
    global_codes = {
        (sup.path, code) for sup, pairs in resolved if sup.first == 0 for _, code in pairs
    }
    kept.extend(f for f in meta if (f.path, f.code) not in global_codes)
    return kept


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
