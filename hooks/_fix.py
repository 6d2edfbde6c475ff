"""Safe autofix: the edit model, applying edits, and writing files without losing a byte.

A check attaches a :class:`hooks._findings.Fix` to a finding it knows how to repair: edits
``(start, end, replacement)`` over the parsed text of the file (``Dockerfile.text``, or
``RequirementsFile.text`` of the requirements file checked, the BOM removed). The
helpers here build such edits from the model's 1-based positions (:func:`at`,
:func:`args_edits`, :func:`line_ending`...), checking that the text at a position is
what the check expects, so a fix never lands on the wrong characters.

Only in fix mode (``--fix`` or ``--diff``) does :class:`Fixer` apply them, one file at a
time: every fix of the file together, or none when two overlap. The fixed text must parse
without errors and must not make any rule report more than before; then it is re-linted
and what remains is reported like the findings of any run (``--format``,
``--statistics``, ``--exit-zero``, ``--fail-level``), the status then 1 whenever a file
changed. ``--diff`` prints a unified diff instead of writing, and only that: its status
is 1 when there is a diff, or when a file's fixes were refused (its DPH907 line, saying
why, goes to standard error), and a ``--format`` other than text or ``--statistics`` with
it is a usage error (exit 2).
A file is written atomically (a temporary file in the same folder, then ``os.replace``)
with its mode bits, and never when it is a symlink, outside the repository, has other
hard links, did not parse cleanly, or changed on disk since it was read, nor a
requirements file whose bytes are not its text in UTF-8 (a UTF-16 BOM, a ``coding:``
comment with other bytes): a DPH907 finding says why. Of a requirements file, only the
file checked is written, never one it includes. Bytes outside the edits are kept as they were: BOM, line endings
(each inserted line takes the ending of the line it is written next to), tabs, trailing
blanks, comments, heredoc bodies, and the final newline or its absence. No fix touches
an instruction whose continuation skips an empty line (BuildKit then joins the next line
to it, so its end is not where a reader sees it).
"""
from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import stat
import sys
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING

from hooks._findings import FIX_NOT_APPLIED, SYNTAX_ERROR, Finding, Fix, report, report_diffs

if TYPE_CHECKING:
    from hooks._dockerfile import Dockerfile, Instruction
    from hooks._hook import Context, DockerfileCheck, RequirementsCheck
    from hooks._requirements import RequirementsFile, RequirementsSet
    from hooks._suppress import Flags

Edit = tuple[int, int, str]


# ---------------------------------------------------------------------------
# Building edits from the model (used by the checks)
# ---------------------------------------------------------------------------

def at(df: Dockerfile, line: int, col: int, expected: str) -> int | None:
    """The offset in ``df.text`` of 1-based ``line``/``col``, if ``expected`` is written there."""
    if not 1 <= line <= len(df.lines) or col < 1 or col - 1 + len(expected) > len(df.lines[line - 1]):
        return None
    offset = df.offset(line, col)
    return offset if df.text.startswith(expected, offset) else None


def line_start(df: Dockerfile, line: int) -> int:
    return df.line_offsets[line - 1]


def line_end(df: Dockerfile, line: int) -> int:
    """The offset of the end of ``line``'s text (before its ``\\r\\n`` or ``\\n``)."""
    return df.line_offsets[line - 1] + len(df.lines[line - 1])


def line_ending(df: Dockerfile, line: int) -> str:
    """The line ending written after ``line``: ``\\n``, ``\\r\\n``, or '' at the end of a file
    without a final newline."""
    end = line_end(df, line)
    stop = df.line_offsets[line] if line < len(df.line_offsets) else len(df.text)
    return df.text[end:stop]


def newline_near(df: Dockerfile, line: int) -> str:
    """The line ending to use for a line inserted next to ``line``: its own, else (last
    line without one) the nearest line's before it, else ``\\n``."""
    for number in range(line, 0, -1):
        ending = line_ending(df, number)
        if ending:
            return ending
    return "\n"


def indent(df: Dockerfile, line: int) -> str:
    text = df.lines[line - 1]
    return text[:len(text) - len(text.lstrip(" \t"))]


def insert_after_word(df: Dockerfile, line: int, col: int, word: str, text: str) -> Fix:
    """Insert ``text`` right after ``word`` written at ``line``/``col``, when what follows
    it is a blank, the escape token or the end of the line (never inside a longer word)."""
    offset = at(df, line, col, word)
    if offset is None:
        return Fix()
    end = offset + len(word)
    rest = df.lines[line - 1][col - 1 + len(word):col + len(word)]
    if rest not in ("", " ", "\t", df.escape):
        return Fix()
    return Fix(((end, end, text),))


def args_span(instr: Instruction, start: int, end: int) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The (line, col) of the first and of the last character of ``instr.args[start:end]``,
    when both are on one physical line (else None: the range crosses a continuation)."""
    if not 0 <= start < end <= len(instr.args):
        return None
    first = instr.args_position(start)
    last = instr.args_position(end - 1)
    if first[0] != last[0] or last[1] - first[1] != end - 1 - start:
        return None
    return first, last


def args_edits(df: Dockerfile, instr: Instruction, edits: Sequence[Edit]) -> Fix:
    """A Fix from edits over ``instr.args`` (offsets in the arguments). Each edit must stay
    on one physical line (an insertion is placed after the character before it, or before
    the first); anything else gives no fix."""
    out: list[Edit] = []
    args = instr.args
    for start, end, text in edits:
        if start == end:
            if not 0 <= start <= len(args) or not args:
                return Fix()
            if start > 0:
                span = args_span(instr, start - 1, start)
                if span is None:
                    return Fix()
                offset = at(df, span[0][0], span[0][1], args[start - 1])
                if offset is None:
                    return Fix()
                out.append((offset + 1, offset + 1, text))
            else:
                line, col = instr.args_position(0)
                offset = at(df, line, col, args[0])
                if offset is None:
                    return Fix()
                out.append((offset, offset, text))
            continue
        span = args_span(instr, start, end)
        if span is None:
            return Fix()
        offset = at(df, span[0][0], span[0][1], args[start:end])
        if offset is None:
            return Fix()
        out.append((offset, offset + end - start, text))
    return Fix(out)


# ---------------------------------------------------------------------------
# Applying edits
# ---------------------------------------------------------------------------

def merge(fixes: Sequence[Fix]) -> tuple[list[Edit], tuple[Edit, Edit] | None]:
    """Every edit of ``fixes`` in order, identical edits once; and the first two that
    overlap (None when none do). Two insertions at one place overlap, as does an
    insertion at the start of a replaced range: their order would be a guess."""
    edits = sorted({edit for fix in fixes for edit in fix.edits})
    for before, after in itertools.pairwise(edits):
        if after[0] < before[1] or (after[0] == before[0] and (before[0] == before[1] or after[0] == after[1])):
            return edits, (before, after)
    return edits, None


def apply(text: str, edits: Sequence[Edit]) -> str:
    """``text`` with ``edits`` (sorted, not overlapping) applied."""
    pieces: list[str] = []
    done = 0
    for start, end, replacement in edits:
        pieces.append(text[done:start])
        pieces.append(replacement)
        done = end
    pieces.append(text[done:])
    return "".join(pieces)


def unified_diff(path: str, old: str, new: str) -> str:
    """A unified diff of two texts, with git's ``\\ No newline at end of file`` marker."""
    import difflib

    out: list[str] = []
    for line in difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{path}", f"b/{path}",
    ):
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------

def write_atomic(full: str, original: bytes, data: bytes) -> str | None:
    """Replace the file ``full`` (whose bytes were ``original`` when read) by ``data``,
    atomically, keeping its mode bits. Returns why it was not written, or None."""
    import tempfile

    try:
        before = os.lstat(full)
    except OSError as exc:
        return f"cannot access the file: {exc.strerror or exc}"
    if stat.S_ISLNK(before.st_mode):
        return "it is a symlink; fix the file it points to"
    if not stat.S_ISREG(before.st_mode):
        return "it is not a regular file"
    if before.st_nlink > 1:
        return "it has other hard links, which a rewrite would separate from it"
    try:
        fd = os.open(full, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
        try:
            current = b"".join(iter(lambda: os.read(fd, 1 << 16), b""))
        finally:
            os.close(fd)
    except OSError as exc:
        return f"cannot read the file again: {exc.strerror or exc}"
    if current != original:
        return "it changed on disk since it was read; run again"
    folder, name = os.path.split(full)
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{name}.", suffix=".dph-fix", dir=folder or ".")
    except OSError as exc:
        return f"cannot create a temporary file next to it: {exc.strerror or exc}"
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            if hasattr(os, "fchmod"):
                os.fchmod(fd, stat.S_IMODE(before.st_mode))
            os.fsync(fd)
        finally:
            os.close(fd)
        if not hasattr(os, "fchmod"):
            os.chmod(temp, stat.S_IMODE(before.st_mode))
        after = os.lstat(full)
        if (after.st_mtime_ns, after.st_size, after.st_ino, after.st_mode) != (
            before.st_mtime_ns, before.st_size, before.st_ino, before.st_mode,
        ):
            os.unlink(temp)
            return "it changed on disk while the fix was written; run again"
        os.replace(temp, full)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        return f"cannot write it: {exc.strerror or exc}"
    return None


# ---------------------------------------------------------------------------
# Fix mode
# ---------------------------------------------------------------------------

def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--fix`` and ``--diff``, for every hook whose rules have fixes and the all-rules command."""
    group = parser.add_argument_group("fixing")
    mode = group.add_mutually_exclusive_group()
    mode.add_argument(
        "--fix", action="store_true",
        help="rewrite files to repair what has a safe fix, then report what remains "
        "(exit 1 when a file changed or findings remain)",
    )
    mode.add_argument(
        "--diff", action="store_true",
        help="print the fixes as a unified diff instead of writing them (exit 1 when there is one)",
    )


def session(args: argparse.Namespace) -> Fixer | None:
    """The fixer for a run, or None when neither --fix nor --diff was asked for. Raises
    ConfigError for --diff with --format other than text or --statistics: --diff prints
    a unified diff, not the findings those flags format."""
    if getattr(args, "fix", False):
        return Fixer(write=True)
    if getattr(args, "diff", False):
        fmt = getattr(args, "format", "text")
        if fmt != "text" or getattr(args, "statistics", False):
            from hooks._config import ConfigError

            given = "--statistics" if getattr(args, "statistics", False) else f"--format {fmt}"
            raise ConfigError(f"--diff prints a unified diff, not findings: {given} applies to --fix and to a check")
        return Fixer(write=False)
    return None


def _target(ctx: Context, path: str) -> tuple[str, bytes] | str:
    """(full path, bytes) of the file a fix may write, or why it may not: a symlink or a
    file outside the repository is never written, and an unreadable one cannot be."""
    from hooks._files import ReadError

    full = ctx.repo.full(path)
    if os.path.islink(full):
        return "it is a symlink; fix the file it points to"
    if not ctx.repo.inside(path):
        return "it is outside the repository"
    try:
        return full, ctx.repo.read_bytes(path)
    except ReadError as exc:
        return str(exc)


class Fixer:
    """One fix-mode run: fixes Dockerfiles and requirements files as they are linted,
    remembers diffs and changes."""

    def __init__(self, *, write: bool) -> None:
        self.write = write
        # Which findings of the file being fixed the run keeps (its configuration's select,
        # ignore and per-file-ignores): only those are fixed. Set by the runner per file.
        self.keep: Callable[[list[Finding]], list[Finding]] = lambda found: found
        self.diffs: list[str] = []
        self.changed: list[str] = []

    def report(self, findings: list[Finding], finish: Callable[[list[Finding]], int] | None = None) -> int:
        """Print the outcome and return the exit status: for --diff, the diffs (1 when
        there is one); for --fix, what remains, printed and judged by ``finish`` (the run's
        --format, --statistics, --exit-zero and --fail-level; plain text lines, 1 when
        any remains, without it), and 1 whenever a file changed."""
        if not self.write:
            refused = [finding for finding in findings if finding.code == FIX_NOT_APPLIED.code]
            for finding in refused:  # not a diff: said apart from it, and never silently passed
                sys.stderr.write(f"{finding.render()}\n")
            status = report_diffs(self.diffs)
            return 1 if refused else status
        status = report(findings) if finish is None else finish(findings)
        return 1 if self.changed else status

    def dockerfile(
        self, path: str, ctx: Context, checks: Sequence[DockerfileCheck], active: Collection[str],
        flags: Flags,
    ) -> list[Finding]:
        """Lint ``path``, apply the fixes of its findings, and return what remains."""
        from hooks._cli import _internal_error, lint_dockerfile

        try:
            return self._dockerfile(path, ctx, checks, active, flags)
        except Exception as exc:  # a hook never prints a traceback
            if os.environ.get("DPH_DEBUG"):
                raise
            return [*lint_dockerfile(path, ctx, checks, active, flags), *_internal_error(path, exc)]

    def _dockerfile(
        self, path: str, ctx: Context, checks: Sequence[DockerfileCheck], active: Collection[str],
        flags: Flags,
    ) -> list[Finding]:
        from hooks._cli import lint_parsed, load_dockerfile
        from hooks._dockerfile import parse

        loaded = load_dockerfile(path, ctx.repo)
        if isinstance(loaded, Finding):
            return [loaded]
        df = loaded
        findings = lint_parsed(df, ctx, checks, active, flags)
        # An instruction whose continuation skips an empty line joins the next line to it
        # (BuildKit warns): what a reader takes for its end is not, so none of its fixes.
        joined = [
            (line_start(df, instr.start_line), line_end(df, instr.end_line))
            for instr in df.instructions if instr.empty_continuation
        ]
        fixes = [
            finding.fix for finding in self.keep(findings)
            if finding.fix and not any(
                start <= high and end >= low for start, end, _ in finding.fix.edits for low, high in joined
            )
        ]
        if not fixes:
            return findings

        def refuse(reason: str) -> list[Finding]:
            return [*findings, FIX_NOT_APPLIED.at(path, 1, 1, f"fixes not applied: {reason}")]

        if df.errors:  # also when a suppression hides the DPH904
            return refuse(f"the file does not parse cleanly ({SYNTAX_ERROR.code} at line {df.errors[0].line}); "
                          f"fix that first")
        target = _target(ctx, path)
        if isinstance(target, str):
            return refuse(target)
        full, original = target
        encoded = df.text.encode("utf-8")
        if not original.endswith(encoded) or original[:len(original) - len(encoded)].replace(b"\xef\xbb\xbf", b""):
            return refuse("its bytes do not decode and encode back to themselves")
        prefix = original[:len(original) - len(encoded)]  # the BOM, kept as it was
        edits, overlap = merge(fixes)
        if overlap is not None:
            here, there = (self._where(df, edit) for edit in overlap)
            return refuse(f"two fixes overlap (at {here} and {there}); fix one of them by hand and run again")
        new_text = apply(df.text, edits)
        new_df = parse(new_text, path)
        new_df.dev_image = df.dev_image
        if new_df.errors:
            problem = new_df.errors[0]
            return refuse(f"the fixed file would not parse (line {problem.line}: {problem.message})")
        remaining = lint_parsed(new_df, ctx, checks, active, flags)
        return self._finish(path, full, original, prefix, df.text, new_text, findings, remaining, refuse)

    def requirements(
        self, path: str, ctx: Context, checks: Sequence[RequirementsCheck], active: Collection[str],
        flags: Flags,
    ) -> list[Finding]:
        """Lint the requirements file ``path``, apply the fixes of its own findings (never
        of an included file's), and return what remains."""
        from hooks._cli import _internal_error, lint_requirements

        try:
            return self._requirements(path, ctx, checks, active, flags)
        except Exception as exc:  # a hook never prints a traceback
            if os.environ.get("DPH_DEBUG"):
                raise
            return [*lint_requirements(path, ctx, checks, active, flags), *_internal_error(path, exc)]

    def _requirements(
        self, path: str, ctx: Context, checks: Sequence[RequirementsCheck], active: Collection[str],
        flags: Flags,
    ) -> list[Finding]:
        import codecs

        from hooks import _requirements
        from hooks._cli import lint_requirements_model
        from hooks._files import ReadError
        from hooks._findings import UNREADABLE

        try:
            model = _requirements.load(path, ctx.repo)
        except ReadError as exc:
            return [UNREADABLE.at(path, 1, 1, str(exc))]
        root = model.root
        findings = lint_requirements_model(model, ctx, checks, active, flags)
        fixes = [finding.fix for finding in self.keep(findings) if finding.fix and finding.path == root.path]
        if not fixes:
            return findings

        def refuse(reason: str) -> list[Finding]:
            return [*findings, FIX_NOT_APPLIED.at(path, 1, 1, f"fixes not applied: {reason}")]

        problems = [problem for entry in root.entries for problem in entry.problems]
        if problems:
            return refuse(f"the file does not parse cleanly ({SYNTAX_ERROR.code} at line {problems[0].line}); "
                          f"fix that first")
        target = _target(ctx, path)
        if isinstance(target, str):
            return refuse(target)
        full, original = target
        encoded = root.text.encode("utf-8")
        if original not in (encoded, codecs.BOM_UTF8 + encoded):
            return refuse("it is not UTF-8 text that decodes and encodes back to its bytes")
        prefix = original[:len(original) - len(encoded)]  # the BOM, kept as it was
        edits, overlap = merge(fixes)
        if overlap is not None:
            return refuse(f"two fixes overlap (at offsets {overlap[0][0]} and {overlap[1][0]}); "
                          f"fix one of them by hand and run again")
        new_text = apply(root.text, edits)
        new_root = _requirements.parse(new_text, root.path)
        if any(entry.problems for entry in new_root.entries) or [e.include for e in new_root.entries] != [
            e.include for e in root.entries
        ]:
            return refuse("the fixed file would not parse the same way; please report it")
        remaining = lint_requirements_model(_replace_root(model, new_root), ctx, checks, active, flags)
        return self._finish(path, full, original, prefix, root.text, new_text, findings, remaining, refuse)

    def _finish(
        self, path: str, full: str, original: bytes, prefix: bytes, old_text: str, new_text: str,
        findings: list[Finding], remaining: list[Finding], refuse: Callable[[str], list[Finding]],
    ) -> list[Finding]:
        """The end of every file's fix: refuse one that would be reported more, else
        record its diff (--diff) or write it (--fix), and return what remains."""
        before = Counter(f.code for f in findings)
        grown = sorted(code for code, count in Counter(f.code for f in remaining).items() if count > before[code])
        if grown:
            return refuse(f"the fixed file would have new findings ({', '.join(grown)}); please report it")
        if new_text == old_text:
            return findings
        if not self.write:
            self.diffs.append(unified_diff(path.replace(os.sep, "/"), old_text, new_text))
            return remaining
        reason = write_atomic(full, original, prefix + new_text.encode("utf-8"))
        if reason is not None:
            return refuse(reason)
        self.changed.append(path)
        return remaining

    @staticmethod
    def _where(df: Dockerfile, edit: Edit) -> str:
        from bisect import bisect_right

        line = bisect_right(df.line_offsets, edit[0])
        return f"{line}:{edit[0] - df.line_offsets[line - 1] + 1}" if line else f"offset {edit[0]}"


def _replace_root(model: RequirementsSet, root: RequirementsFile) -> RequirementsSet:
    """``model`` with its root file parsed from the fixed text (its includes, which a fix
    never changes, kept as they were)."""
    from hooks._requirements import RequirementsSet

    fixed = RequirementsSet(root)
    fixed.files = {path: root if reqfile is model.root else reqfile for path, reqfile in model.files.items()}
    fixed.edges = list(model.edges)
    fixed.include_problems = list(model.include_problems)
    fixed.roles = {path: set(roles) for path, roles in model.roles.items()}
    return fixed
