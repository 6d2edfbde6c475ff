"""The Dockerfile model: parsed once, by BuildKit's rules, in linear time.

``parse(text, path)`` returns a :class:`Dockerfile`: its instructions with exact
1-based line ranges and column positions, flags, JSON (exec) form, heredoc bodies,
ONBUILD sub-instructions, comments (for suppressions), parser directives, and the
stage graph with ARG/ENV scoping and variable expansion. It never raises on bad
input: what BuildKit would reject is recorded in :attr:`Dockerfile.errors`.

The rules followed are those of ``moby/buildkit/frontend/dockerfile/parser``:
lines split on ``\\n`` only (``\\r`` trimmed), one leading BOM stripped, directives
only in the leading run of ``# key=value`` lines, whole-line comments dropped even
inside continuations, whitespace-only continuation lines skipped, a line continues
when it ends with the escape token plus optional blanks (not a doubled token),
heredocs for RUN/COPY/ADD (also under ONBUILD) read after the logical line (their
words found by a port of BuildKit's shell lexer, ``<< EOF`` included as in BuildKit
0.22), and an instruction still ends at end of file inside a continuation. Where we
differ from BuildKit on purpose, ``tests/_dockerfile_differential_test.py`` says so.

Variable expansion follows BuildKit's shell lexer (``$V``, ``${V}``, ``${V:-w}``,
``${V-w}``, ``${V:+w}``, ``${V+w}``, quotes, the escape token) and never reads the
process environment: an unset or unknown variable makes the result *unresolved*
rather than guessed.

Hostile input stays linear: instructions see ARG/ENV through views of one versioned
table (no copy per instruction), an expansion may grow its word by at most
:data:`MAX_EXPANSION_GROWTH` characters and nest :data:`MAX_EXPANSION_DEPTH` deep, and
past :data:`MAX_INHERITED_VARS` copied entries a stage's inherited ENV is unknown. Each
of these limits turns a result *unresolved*; none is reached by a real Dockerfile.
"""
from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, NamedTuple, cast

from hooks._files import in_dev_container
from hooks._patterns import lazy

if TYPE_CHECKING:
    from hooks._images import GlobalArg, ImageUse
    from hooks._shell import Command, Script

# Go's unicode.IsSpace, which BuildKit uses to trim (Python's str.isspace differs).
GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
_SPLIT_SPACE = "\t\v\f\r "  # BuildKit's reWhitespace for splitting a command
_WORD_RE = lazy(r"[^\t\v\f\r ]*")  # up to the next of _SPLIT_SPACE
_SPLIT_RUN_RE = lazy(r"[\t\v\f\r ]*")  # a run of _SPLIT_SPACE
_GO_SPACE_RUN_RE = lazy(f"[{re.escape(GO_SPACE)}]*")  # a run of GO_SPACE
HEREDOC_INSTRUCTIONS = frozenset({"RUN", "COPY", "ADD"})
JSON_INSTRUCTIONS = frozenset({"RUN", "CMD", "ENTRYPOINT", "SHELL", "COPY", "ADD", "VOLUME"})
KNOWN_INSTRUCTIONS = frozenset({
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK",
    "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME",
    "WORKDIR",
})
# A line that reads as an instruction: an upper-case keyword at the start of the line.
_KEYWORD_LINE_RE = lazy(r"(?:" + "|".join(sorted(KNOWN_INSTRUCTIONS)) + r")(?:[ \t]|$)")
VALID_DIRECTIVES = frozenset({"syntax", "escape", "check"})
# Automatic platform ARGs: defined in the global scope, values known only at build time.
BUILTIN_ARGS = (
    "BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT",
    "TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT",
)
MAX_EXPANSION_DEPTH = 64
MAX_LINE_BYTES = 65535  # BuildKit's scanner refuses longer lines
# An expansion may add at most this many characters to its word; more is "unresolved".
# Without a cap, ``ENV A=$A$A`` repeated 40 times needs terabytes.
MAX_EXPANSION_GROWTH = 1 << 12


class Comment(NamedTuple):
    line: int
    text: str  # after the '#', stripped
    inside: bool  # a comment line inside an instruction's continuation


class Directive(NamedTuple):
    name: str  # lower-case: syntax, escape, check
    value: str
    line: int


class Flag(NamedTuple):
    """A leading ``--name[=value]`` of an instruction (quotes already removed)."""

    name: str
    value: str | None


class Heredoc(NamedTuple):
    name: str
    expand: bool  # False when the delimiter was quoted
    chomp: bool  # ``<<-``: leading tabs stripped
    content: str  # body, ``\\n`` line endings, tabs chomped for ``<<-``
    start_line: int  # first body line (== end_line when the body is empty)
    end_line: int  # the terminator line (or the last line when unterminated)
    terminated: bool


class Var(NamedTuple):
    value: str
    resolved: bool


class Expanded(NamedTuple):
    value: str
    resolved: bool
    unresolved_names: tuple[str, ...] = ()




class Problem(NamedTuple):
    line: int
    col: int
    message: str


EMPTY_VARS: Mapping[str, Var] = {}
# Names of stages that are built for development or tests, not shipped (lower case, as
# BuildKit compares stage names).
DEV_STAGE_NAMES = frozenset({
    "dev", "devel", "develop", "development", "debug", "test", "tests", "testing", "unittest",
    "unittests", "lint", "linting", "ci", "devcontainer", "local",
})
_NAME_PARTS_RE = lazy(r"[-_.]")


def is_dev_stage_name(name: str | None) -> bool:
    """Whether a stage named ``name`` is a development or test stage: the name, or one of
    its ``-``/``_``/``.``-separated parts, is in :data:`DEV_STAGE_NAMES` (``test``,
    ``django-unittests``, ``app_dev``; not the ``devel`` of ``cuda-devel``, CUDA's
    toolkit image)."""
    if not name:
        return False
    return name in DEV_STAGE_NAMES or any(
        part in DEV_STAGE_NAMES and part != "devel" for part in _NAME_PARTS_RE.split(name)
    )


class Instruction:
    """One instruction: keyword, flags, arguments, heredocs and exact positions."""

    __slots__ = (
        "_segments",
        "_starts",
        "args",
        "args_offset",
        "args_vars",
        "empty_continuation",
        "end_line",
        "env_vars",
        "flags",
        "heredocs",
        "json",
        "keyword",
        "keyword_raw",
        "line",
        "pairs",
        "run_commands",
        "script",
        "stage",
        "start_line",
        "sub",
    )

    def __init__(
        self,
        keyword_raw: str,
        line: str,
        args_offset: int,
        flags: tuple[Flag, ...],
        segments: list[tuple[int, int, int]],
        start_line: int,
    ) -> None:
        self.keyword_raw = keyword_raw
        self.keyword = keyword_raw.upper()
        self.line = line  # the joined logical line, continuations and comments removed
        self.args_offset = args_offset
        self.args = line[args_offset:].rstrip(GO_SPACE)
        self.flags = flags
        self.start_line = start_line
        self.end_line = start_line
        self.empty_continuation = 0  # the first empty line a continuation skips (BuildKit warns), else 0
        self.json: tuple[str, ...] | None = None
        self.heredocs: tuple[Heredoc, ...] = ()
        self.sub: Instruction | None = None
        self.stage = -1  # index of the stage it belongs to; -1 before the first FROM
        self._segments = segments  # (offset in line, line number, 0-based column)
        self._starts = [segments[0][0]] if len(segments) == 1 else [seg[0] for seg in segments]
        self.args_vars: Mapping[str, Var] = EMPTY_VARS  # ARGs in scope
        self.env_vars: Mapping[str, Var] = EMPTY_VARS  # ENV in effect
        # Facts worked out once for this instruction, when first asked, and read by every
        # check: the script a RUN executes (hooks._shell.run_script), and the commands a
        # CMD, ENTRYPOINT or HEALTHCHECK runs (hooks._shell.instruction_commands).
        self.script: Script | None = None
        self.run_commands: tuple[Command, ...] | None = None
        self.pairs: tuple[tuple[str, str, int], ...] | None = None  # see key_values()

    def __repr__(self) -> str:
        return f"<{self.keyword} {self.start_line}-{self.end_line} {self.args[:40]!r}>"

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based (line, column) of character ``offset`` of :attr:`line`."""
        return _position(self._starts, self._segments, offset)

    def args_locator(self) -> Callable[[int], tuple[int, int]]:
        """:meth:`args_position` as a function that keeps no reference to the instruction,
        for what the instruction itself holds (:attr:`script`): without a reference cycle,
        reference counting frees a file's model as soon as the run is done with it (with
        the cycle, models wait for the cyclic collector: 92 MiB instead of 50 MiB peak,
        and 3.1 s instead of 2.2 s, over the 2 000-file --vary corpus)."""
        starts, segments, base = self._starts, self._segments, self.args_offset

        def locate(offset: int) -> tuple[int, int]:
            return _position(starts, segments, base + offset)

        return locate

    def args_position(self, offset: int = 0) -> tuple[int, int]:
        """The (line, column) of character ``offset`` of :attr:`args`."""
        return self.position(self.args_offset + offset)

    def find(self, text: str, start: int = 0) -> tuple[int, int]:
        """The position of ``text`` in the arguments (or of the arguments)."""
        index = self.args.find(text, start)
        return self.args_position(max(index, 0))

    def flag(self, name: str) -> str | None:
        """The value of the last ``--name=value`` flag, '' for a bare ``--name``."""
        found = None
        for flag in self.flags:
            if flag.name == name:
                found = "" if flag.value is None else flag.value
        return found

    def flag_values(self, name: str) -> list[str]:
        return [f.value or "" for f in self.flags if f.name == name]

    def words(self) -> list[str]:
        """The arguments as BuildKit's AST has them: the JSON list, or split on blanks."""
        if self.json is not None:
            return list(self.json)
        return split_blanks(self.args)

    def shell_text(self) -> str:
        """For RUN: the shell form command line plus every heredoc body."""
        if self.json is None and not self.heredocs:
            return self.args
        parts = [self.args] if self.json is None else [" ".join(self.json)]
        parts.extend(doc.content for doc in self.heredocs)
        return "\n".join(parts)

    def key_values(self, escape: str = "\\") -> tuple[tuple[str, str, int], ...]:
        """ENV/LABEL (name, raw value, offset in :attr:`args`) pairs, split once; the legacy
        ``ENV name value`` form is one pair (see :func:`key_values_of`)."""
        if self.pairs is None:
            self.pairs = key_values_of(self.args, escape)
        return self.pairs

    def lookup(self, name: str) -> Var | None:
        """The value of variable ``name`` where this instruction runs (ENV wins over ARG)."""
        var = self.env_vars.get(name)
        return var if var is not None else self.args_vars.get(name)

    def expand(self, word: str, escape: str = "\\") -> Expanded:
        """Expand ``word`` with the variables in scope here, removing quotes."""
        if "$" not in word and "'" not in word and '"' not in word and escape not in word:
            return Expanded(word, True, ())  # nothing to expand (see expand)
        return expand(word, self.lookup, escape)


def _position(starts: list[int], segments: list[tuple[int, int, int]], offset: int) -> tuple[int, int]:
    index = max(bisect_right(starts, offset) - 1, 0) if len(starts) > 1 else 0
    start, line_no, col0 = segments[index]
    return line_no, col0 + (offset - start) + 1


class Stage:
    """A build stage: its FROM, resolved base, parent stage and instructions."""

    __slots__ = (
        "entry_and_cmd",
        "from_",
        "image",
        "image_use",
        "image_use_known",
        "index",
        "instructions",
        "name",
        "parent",
        "windows_shell",
    )

    def __init__(
        self,
        index: int,
        name: str | None,
        from_: Instruction,
        image: Expanded,
        parent: int | None,
        instructions: list[Instruction],
    ) -> None:
        self.index = index
        self.name = name  # lower-case, as BuildKit compares stage names
        self.from_ = from_
        self.image = image  # the base, after global ARG expansion
        self.parent = parent  # index of the stage it is built FROM, if any
        self.instructions = instructions  # after FROM, in order (triggers: see triggers())
        # Facts worked out once for this stage, when first asked, and read by every check:
        # its ENTRYPOINT and CMD (Dockerfile.entrypoint_cmd), the image its FROM names
        # (hooks._images.stage_image_use; None for a stage or scratch), whether a SHELL of
        # it is PowerShell or cmd (hooks._images.is_windows).
        self.entry_and_cmd: tuple[Instruction | None, Instruction | None] | None = None
        self.image_use: ImageUse | None = None
        self.image_use_known = False
        self.windows_shell: bool | None = None

    def __repr__(self) -> str:
        return f"<Stage {self.index} {self.name!r} FROM {self.image.value!r} parent={self.parent}>"

    @property
    def platform(self) -> str | None:
        return self.from_.flag("platform")

    def triggers(self) -> tuple[Instruction, ...]:
        """The ONBUILD triggers this stage declares (each ONBUILD's :attr:`Instruction.sub`),
        in order. A trigger is an instruction of its own (keyword, flags, heredocs, ARG/ENV
        in scope), with positions in the ONBUILD line that declares it."""
        return tuple(instr.sub for instr in self.instructions if instr.sub is not None)

    def steps(self) -> tuple[Instruction, ...]:
        """:attr:`instructions`, then :meth:`triggers`: what an image built from this stage
        runs, in the order it runs it (a trigger runs in every build ``FROM`` this image,
        after all of this stage). A check that judges what a ``RUN`` does judges the
        triggers with it, as part of the stage that declares them."""
        triggers = self.triggers()
        return (*self.instructions, *triggers) if triggers else tuple(self.instructions)


class Dockerfile:
    """A parsed Dockerfile. Build with :func:`parse`."""

    __slots__ = (
        "_all",
        "_line_offsets",
        "comments",
        "dev_image",
        "directives",
        "errors",
        "escape",
        "global_args",
        "global_defaults",
        "instructions",
        "lines",
        "newline",
        "path",
        "stage_names",
        "stages",
        "text",
        "warnings",
    )

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.lines: list[str] = []  # physical lines without their line ending
        self.newline = "\n"
        self.escape = "\\"
        self.directives: dict[str, Directive] = {}
        self.comments: list[Comment] = []
        self.instructions: list[Instruction] = []
        self.stages: list[Stage] = []
        self.stage_names: dict[str, Stage] = {}  # lower-case name -> first stage with it
        self.global_args: dict[str, Var] = {}
        # The global ARGs' defaults as a build without --build-arg reads them, worked out
        # once when first asked (hooks._images.global_arg_names and friends).
        self.global_defaults: dict[str, GlobalArg] | None = None
        self.errors: list[Problem] = []  # what BuildKit would refuse
        self.warnings: list[Problem] = []  # what BuildKit warns about
        self._line_offsets: list[int] | None = None
        self._all: tuple[Instruction, ...] | None = None
        # Named by a devcontainer.json outside .devcontainer/ (set by the runner, which
        # knows the repository: hooks._context.devcontainer_images).
        self.dev_image = False

    @property
    def line_offsets(self) -> list[int]:
        """The character offset in :attr:`text` of each line's start (worked out when asked)."""
        if self._line_offsets is None:
            offsets = []
            pos = 0
            for line in self.text.split("\n"):
                offsets.append(pos)
                pos += len(line) + 1
            self._line_offsets = offsets[:len(self.lines)]
        return self._line_offsets

    def offset(self, line: int, col: int) -> int:
        """The character offset in :attr:`text` of a 1-based (line, column)."""
        return self.line_offsets[line - 1] + col - 1

    def all_instructions(self) -> tuple[Instruction, ...]:
        """Every instruction, ONBUILD sub-instructions right after their parent (listed once:
        every check walks them)."""
        if self._all is None:
            everything: list[Instruction] = []
            for instr in self.instructions:
                everything.append(instr)
                if instr.sub is not None:
                    everything.append(instr.sub)
            self._all = tuple(everything)
        return self._all

    @property
    def dev_container(self) -> bool:
        """Whether this is a development container's Dockerfile (:func:`hooks._files.in_dev_container`,
        or one that a ``devcontainer.json`` builds: :attr:`dev_image`)."""
        return self.dev_image or in_dev_container(self.path)

    def stage_named(self, name: str) -> Stage | None:
        return self.stage_names.get(name.lower())

    def stage_ref(self, ref: str, before: int | None = None) -> Stage | None:
        """The stage that ``ref`` (a ``--from`` value: name or index) names, if any."""
        limit = len(self.stages) if before is None else before
        if ref.isdigit():
            index = int(ref)
            return self.stages[index] if index < limit else None
        stage = self.stage_named(ref)
        return stage if stage is not None and stage.index < limit else None

    def final_stage(self, target: str | None = None) -> Stage | None:
        """The stage that is shipped: ``target`` if given, else the last one, unless the
        last one is a development or test stage (named as :func:`is_dev_stage_name` says,
        ``FROM production AS dev``, ``AS django-unittests``), which a build for shipping skips with ``--target``:
        then the last stage before it that is not one."""
        if target:
            return self.stage_named(target)
        for stage in reversed(self.stages):
            if not is_dev_stage_name(stage.name):
                return stage
        return self.stages[-1] if self.stages else None

    def chain(self, stage: Stage) -> list[Stage]:
        """``stage`` and the stages it is built FROM, the root ancestor first."""
        out = [stage]
        while out[-1].parent is not None and len(out) <= len(self.stages):
            out.append(self.stages[out[-1].parent])
        out.reverse()
        return out

    def entrypoint_cmd(self, stage: Stage) -> tuple[Instruction | None, Instruction | None]:
        """The ENTRYPOINT and CMD that the image built from ``stage`` runs, if set here.

        The last of each along :meth:`chain`; as in BuildKit, an ENTRYPOINT clears a CMD
        inherited from a parent stage unless its own stage sets CMD as well. A base image's
        own defaults are unknown (None). ONBUILD triggers are not executed. Worked out once
        per stage (several checks ask).
        """
        if stage.entry_and_cmd is None:
            stage.entry_and_cmd = self._entrypoint_cmd(stage)
        return stage.entry_and_cmd

    def _entrypoint_cmd(self, stage: Stage) -> tuple[Instruction | None, Instruction | None]:
        entrypoint: Instruction | None = None
        cmd: Instruction | None = None
        for member in self.chain(stage):
            cmd_set = False
            for instr in member.instructions:
                if instr.keyword == "CMD":
                    cmd, cmd_set = instr, True
                elif instr.keyword == "ENTRYPOINT":
                    entrypoint = instr
                    if not cmd_set:
                        cmd = None
        return entrypoint, cmd


# ---------------------------------------------------------------------------
# Reading lines into instructions
# ---------------------------------------------------------------------------

def parse(text: str, path: str = "Dockerfile") -> Dockerfile:
    """Parse ``text`` (already decoded). Never raises for any input string."""
    df = Dockerfile(path, text)
    if text.startswith("\ufeff"):
        text = text[1:]
        df.text = text
    raw_lines = text.split("\n")
    if raw_lines and raw_lines[-1] == "" and text:
        raw_lines.pop()
    lines = [raw.rstrip("\r") for raw in raw_lines] if "\r" in text else raw_lines
    df.lines = lines
    if len(text) > MAX_LINE_BYTES // 4:  # else no line can be too long
        for number, raw in enumerate(raw_lines, start=1):
            if len(raw) > MAX_LINE_BYTES // 4 and len(raw.encode("utf-8", "surrogatepass")) > MAX_LINE_BYTES:
                df.errors.append(Problem(
                    number, 1, f"line is longer than {MAX_LINE_BYTES} bytes, which BuildKit refuses",
                ))
    if raw_lines and raw_lines[0].endswith("\r"):
        df.newline = "\r\n"

    escape = "\\"
    directives_done = False
    total = len(lines)
    i = 0
    while i < total:
        line_no = i + 1
        content = lines[i].lstrip(GO_SPACE)
        i += 1
        if not directives_done:
            escape, directives_done = _directive(df, content, line_no, escape)
            if not directives_done:
                continue
        if content.startswith("#"):
            df.comments.append(Comment(line_no, content[1:].strip(GO_SPACE), False))
            continue
        if escape in content:
            piece, continues = _trim_continuation(content, escape)
        else:
            piece, continues = content, False
        if not continues and not piece:
            continue
        lead = len(lines[line_no - 1]) - len(content)
        segments = [(0, line_no, lead)]
        if not continues:  # the common case: a one-line instruction
            instr = _instruction(df, piece, segments, line_no, escape)
            if "<<" in piece:
                i = _read_heredocs(df, instr, piece, lines, i, line_no)
            df.instructions.append(instr)
            continue
        pieces = [piece]
        joined = len(piece)
        end_line = line_no
        empty_continuation = 0
        joined_after_empty = 0
        keyword_joined = 0  # an unindented line that starts like an instruction, joined all the same
        while continues and i < total:
            physical = lines[i]
            i += 1
            stripped = physical.lstrip(GO_SPACE)
            if stripped.startswith("#"):
                df.comments.append(Comment(i, stripped[1:].strip(GO_SPACE), True))
                end_line = i
                continue
            if not stripped:
                empty_continuation = empty_continuation or i
                end_line = i
                continue
            if empty_continuation and not joined_after_empty:
                joined_after_empty = i
            elif not keyword_joined and physical[:1] not in (" ", "\t") and _KEYWORD_LINE_RE.match(physical):
                keyword_joined = i
            piece, continues = _trim_continuation(physical, escape)
            segments.append((joined, i, 0))
            pieces.append(piece)
            joined += len(piece)
            end_line = i
        logical = pieces[0] if len(pieces) == 1 else "".join(pieces)
        if empty_continuation:
            df.warnings.append(Problem(line_no, 1, "empty continuation line inside the instruction"))
        instr = _instruction(df, logical, segments, line_no, escape)
        instr.end_line = end_line
        instr.empty_continuation = empty_continuation
        if joined_after_empty and _KEYWORD_LINE_RE.match(lines[joined_after_empty - 1]):
            # An instruction written after the empty line is joined to this one, not run.
            swallowed = lines[joined_after_empty - 1].strip(GO_SPACE)
            df.errors.append(Problem(
                empty_continuation, 1,
                f"empty continuation line: BuildKit joins line {joined_after_empty} ({swallowed[:40]!r}) "
                f"to this {instr.keyword or 'instruction'}; drop the '{escape}' that continues it to the empty line",
            ))
        elif keyword_joined:
            # 'RUN pip install x \' then 'RUN tox': the escape at the end of the line before
            # joins the second RUN to the first as words of its command.
            swallowed = lines[keyword_joined - 1].strip(GO_SPACE)
            df.errors.append(Problem(
                keyword_joined, 1,
                f"line {keyword_joined} ({swallowed[:40]!r}) starts like an instruction, but the '{escape}' "
                f"at the end of line {keyword_joined - 1} joins it to the {instr.keyword or 'instruction'} "
                f"on line {line_no} as more words; drop that '{escape}'",
            ))
        if instr.sub is not None:
            instr.sub.end_line = end_line  # the trigger spans the ONBUILD's lines
        if "<<" in logical:
            i = _read_heredocs(df, instr, logical, lines, i, line_no)
        df.instructions.append(instr)
    df.escape = escape
    _build_stages(df)
    return df


def _read_heredocs(
    df: Dockerfile, instr: Instruction, logical: str, lines: list[str], i: int, line_no: int
) -> int:
    """Read the heredoc bodies of ``instr`` (whose logical line ``logical`` starts on line
    ``line_no``) from ``lines[i:]``; returns the index of the first line after them."""
    target = instr.sub if instr.keyword == "ONBUILD" and instr.sub is not None else instr
    if target.keyword not in HEREDOC_INSTRUCTIONS or target.json is not None:
        return i
    total = len(lines)
    docs = []
    for name, expand_body, chomp in _heredoc_names(logical):
        start = i + 1
        body: list[str] = []
        terminated = False
        while i < total:
            physical = lines[i]
            i += 1
            candidate = physical.lstrip("\t") if chomp else physical
            if candidate == name:
                terminated = True
                break
            body.append(physical.lstrip("\t") if chomp else physical)
        end = i
        if not terminated:
            df.errors.append(Problem(
                line_no, 1, f"unterminated heredoc '{name}': no line '{name}' before end of file",
            ))
        content = "\n".join(body) + ("\n" if body else "")
        docs.append(Heredoc(name, expand_body, chomp, content, min(start, end), end, terminated))
    target.heredocs = tuple(docs)
    if docs:
        instr.end_line = docs[-1].end_line
        if target is not instr:
            target.end_line = instr.end_line
    return i


def _directive(df: Dockerfile, content: str, line_no: int, escape: str) -> tuple[str, bool]:
    """Handle a possible parser directive; returns (escape, directives_done)."""
    if not content.startswith("#"):
        return escape, True
    body = content[1:].lstrip(" \t")
    key, sep, value = body.partition("=")
    key = key.rstrip(" \t")
    value = value.strip(" \t")
    if not sep or not key or not value or not (key[0].isascii() and key[0].isalpha()) or not (
        key.isascii() and key.isalnum()
    ):
        return escape, True
    name = key.lower()
    if name not in VALID_DIRECTIVES:
        return escape, True
    if name in df.directives:
        df.errors.append(Problem(line_no, 1, f"only one '{name}' parser directive can be used"))
        return escape, False
    df.directives[name] = Directive(name, value, line_no)
    if name == "escape":
        if value in ("\\", "`"):
            escape = value
        else:
            df.errors.append(Problem(line_no, 1, f"invalid escape token '{value}': use '\\' or '`'"))
    return escape, False


def _trim_continuation(line: str, escape: str) -> tuple[str, bool]:
    """BuildKit: ``([^E])E[ \\t]*$|^E[ \\t]*$`` marks a continuation (E: the escape token)."""
    body = line.rstrip(" \t")
    if body.endswith(escape) and (len(body) == 1 or body[-2] != escape):
        return body[:-1], True
    return line, False


def _instruction(
    df: Dockerfile,
    logical: str,
    segments: list[tuple[int, int, int]],
    line_no: int,
    escape: str,
    *,
    nested: bool = False,
) -> Instruction:
    keyword, body_start, end, args_start, flags = _split_instruction(logical)
    instr = Instruction(keyword, logical[:end], args_start, flags, segments, line_no)
    kw = instr.keyword
    if kw not in KNOWN_INSTRUCTIONS:
        col = instr.position(body_start)[1]
        df.errors.append(Problem(line_no, col, f"unknown instruction '{keyword}'"))
    elif kw == "ONBUILD":
        if nested:
            df.errors.append(Problem(line_no, 1, "ONBUILD cannot contain another ONBUILD"))
        elif instr.args:
            # The trigger, with its positions mapped through the parent's segments.
            instr.sub = _instruction(
                df, instr.args, _shift(segments, args_start), line_no, escape, nested=True
            )
    elif kw in JSON_INSTRUCTIONS and instr.args.startswith("["):
        instr.json = _json_form(df, instr, instr.args)
    elif kw == "HEALTHCHECK":
        args = instr.args
        cut = 0
        while cut < len(args) and args[cut] not in GO_SPACE:
            cut += 1
        rest = args[cut:].lstrip(GO_SPACE)
        if rest.startswith("["):
            _json_form(df, instr, rest)
    elif kw in ("ENV", "LABEL"):
        _check_pairs(df, instr, escape)
    if kw in ("COPY", "ADD") and not nested and len(instr.words()) < 2:
        # BuildKit: "requires at least two arguments ... Destination could not be determined"
        df.errors.append(Problem(line_no, 1, f"{kw} needs a source and a destination: {kw} <src>... <dest>"))
    return instr


def _split_instruction(logical: str) -> tuple[str, int, int, int, tuple[Flag, ...]]:
    """(keyword, its offset, end of the text, offset of the arguments, flags) of a logical
    line."""
    body_start = len(logical) - len(logical.lstrip(GO_SPACE))
    end = len(logical.rstrip(GO_SPACE))
    cut = _WORD_RE.match(logical, body_start, end).end()  # type: ignore[union-attr]
    keyword = logical[body_start:cut]
    rest_start = _SPLIT_RUN_RE.match(logical, cut, end).end()  # type: ignore[union-attr]
    args_start = _GO_SPACE_RUN_RE.match(logical, rest_start, end).end()  # type: ignore[union-attr]
    flags: list[Flag] = []
    if logical.startswith("--", args_start):
        flags, args_start = split_flags(logical, rest_start, end)
        while args_start < end and logical[args_start] in GO_SPACE:
            args_start += 1
    return keyword, body_start, end, args_start, tuple(flags)


def _json_list(text: str) -> list[object] | None:
    """``text`` read as a JSON array, or None when it is not one (then it is shell form)."""
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, list) else None


def _json_form(df: Dockerfile, instr: Instruction, text: str) -> tuple[str, ...] | None:
    """The exec form of ``text``; a JSON array holding anything but strings is an error."""
    value = _json_list(text)
    if value is None:
        return None
    if not all(isinstance(item, str) for item in value):
        line, col = instr.find(text[:1])
        df.errors.append(Problem(
            line, col, f"{instr.keyword}: a JSON array must hold strings only; quote every item",
        ))
        return None
    return tuple(cast("list[str]", value))


def _check_pairs(df: Dockerfile, instr: Instruction, escape: str) -> None:
    """BuildKit's rules for ENV and LABEL: ``name=value ...`` or the legacy ``name value``."""
    if _pairs_well_formed(instr.args, escape):
        return
    kw = instr.keyword
    words = parse_words(instr.args, escape)
    if not words:
        df.errors.append(Problem(instr.start_line, 1, f"{kw} needs a name and a value"))
    elif "=" in words[0]:
        search = 0  # each word is found after the one before: 'A_B=1 A' reports the second 'A'
        for word in words:
            index = instr.args.find(word, search)
            search = index + len(word) if index >= 0 else search
            if "=" not in word:
                line, col = instr.args_position(max(index, 0))
                df.errors.append(Problem(line, col, f"{kw}: no '=' in '{word}'; use name=value"))
    elif len(split_blanks(instr.args)) < 2:
        df.errors.append(Problem(instr.start_line, 1, f"{kw} needs a value: use name=value"))


def _pairs_well_formed(args: str, escape: str) -> bool:
    """Whether _check_pairs finds nothing wrong with the arguments ``args``."""
    words = parse_words(args, escape)
    if not words:
        return False
    if "=" in words[0]:
        return all("=" in word for word in words)
    return len(split_blanks(args)) >= 2


def _shift(segments: list[tuple[int, int, int]], by: int) -> list[tuple[int, int, int]]:
    """Segments of ``line[by:]``: offsets moved left by ``by``, columns adjusted."""
    out: list[tuple[int, int, int]] = []
    for start, line_no, col0 in segments:
        if start <= by:
            out = [(0, line_no, col0 + (by - start))]
        else:
            out.append((start - by, line_no, col0))
    return out


def parse_json_array(text: str) -> tuple[str, ...] | None:
    """An exec-form argument list, or None when ``text`` is not a JSON array of strings."""
    value = _json_list(text)
    if value is None or not all(isinstance(item, str) for item in value):
        return None
    return tuple(cast("list[str]", value))


def _no_constant(name: str) -> object:
    raise ValueError(name)


def healthcheck_probe(args: str) -> tuple[int, tuple[str, ...] | None] | None:
    """For the arguments ``args`` of ``HEALTHCHECK [flags] CMD command``: (offset of the
    command in ``args``, its exec-form argument list or None for shell form); None for
    ``HEALTHCHECK NONE`` or when there is no ``CMD``."""
    cut = 0
    while cut < len(args) and args[cut] not in GO_SPACE:
        cut += 1
    if args[:cut].upper() != "CMD":
        return None
    while cut < len(args) and args[cut] in GO_SPACE:
        cut += 1
    rest = args[cut:]
    return cut, parse_json_array(rest) if rest.startswith("[") else None


# The blanks split_blanks cuts on (BuildKit's reWhitespace, and newlines), all made spaces.
_SPLIT_TO_SPACE = str.maketrans(dict.fromkeys(_SPLIT_SPACE + "\n", " "))


def split_blanks(text: str) -> list[str]:
    """The words of ``text`` between runs of ``\\t \\v \\f \\r \\n`` and spaces (no others)."""
    return [word for word in text.translate(_SPLIT_TO_SPACE).split(" ") if word]


def split_flags(line: str, start: int, end: int) -> tuple[list[Flag], int]:
    """BuildKit's extractBuilderFlags: leading ``--x[=y]`` words; returns (flags, args start)."""
    flags: list[Flag] = []
    pos = start
    while True:
        while pos < end and line[pos] in GO_SPACE:
            pos += 1
        if pos + 1 >= end or line[pos] != "-" or line[pos + 1] != "-":
            return flags, min(pos, end)
        word: list[str] = []
        quote = ""
        blank_ok = False
        while pos < end:
            ch = line[pos]
            if quote:
                if ch == quote:
                    quote = ""
                elif ch == "\\" and pos + 1 < end:
                    pos += 1
                    word.append(line[pos])
                elif ch != "\\":
                    word.append(ch)
                pos += 1
                continue
            if ch in GO_SPACE:
                break
            if ch in "'\"":
                quote = ch
                blank_ok = True
            elif ch == "\\":
                if pos + 1 < end:
                    pos += 1
                    word.append(line[pos])
            else:
                word.append(ch)
            pos += 1
        text = "".join(word)
        if text == "--":
            return flags, min(pos, end)
        if blank_ok or text:
            name, sep, value = text[2:].partition("=")
            flags.append(Flag(name, value if sep else None))


_HEREDOC_RE = lazy(r"(\d*)<<(-?)[\t\n\f\r ]*([^<]*)", re.ASCII)


def _heredoc_names(line: str) -> list[tuple[str, bool, bool]]:
    r"""(name, expand, chomp) of every heredoc word of a logical line, in order.

    BuildKit splits the line with its shell lexer (quotes and escapes kept, unset
    variables kept literally, ``\`` as escape whatever the directive says); a lexer
    error anywhere on the line means no heredoc at all. Each word matching
    ``^(\d*)<<(-?)\s*([^<]*)$`` names one; its delimiter is that rest with quotes
    removed, and the body is expanded unless a quote was used.
    """
    words = _shell_words(line, raw=True)
    found: list[tuple[str, bool, bool]] = []
    for word in words or ():
        match = _HEREDOC_RE.fullmatch(word)
        if match is None or not match.group(3):
            continue
        rest = match.group(3)
        names = _shell_words(rest, raw=False)
        if names is None or len(names) != 1:
            continue
        raw_names = _shell_words(rest, raw=False, raw_quotes=True) or [""]
        name = names[0]
        quotes = name.count("'") + name.count('"')
        expand_body = quotes == raw_names[0].count("'") + raw_names[0].count('"')
        found.append((name, expand_body, match.group(2) == "-"))
    return found


class _LexError(Exception):
    pass


def _shell_words(text: str, *, raw: bool, raw_quotes: bool | None = None) -> list[str] | None:
    """The words of ``text`` as BuildKit's shell lexer splits them when no variable is
    set and unset ones stay literal (``SkipUnsetEnv``), or None where it fails."""
    lexer = _WordLexer(text, raw if raw_quotes is None else raw_quotes, raw)
    try:
        return lexer.words_until("")[1]
    except (_LexError, RecursionError):
        return None


def scan_name(s: str, pos: int) -> int:
    """Where the variable name that starts at ``pos`` of ``s`` ends, as BuildKit's
    processName reads it: digits (``$1``), one special character (``$@``), or letters,
    digits and ``_`` (Go's unicode.IsLetter/IsDigit: Python's isalpha/isdecimal)."""
    n = len(s)
    if pos < n and s[pos].isdecimal():
        while pos < n and s[pos].isdecimal():
            pos += 1
        return pos
    if pos < n and s[pos] in "@*#?-$!0":
        return pos + 1
    while pos < n and (s[pos].isalpha() or s[pos].isdecimal() or s[pos] == "_"):
        pos += 1
    return pos


class _WordLexer:
    """A port of BuildKit's ``shell.Lex`` word splitting (``frontend/dockerfile/shell``)."""

    __slots__ = ("depth", "n", "pos", "raw_escapes", "raw_quotes", "s")

    def __init__(self, s: str, raw_quotes: bool, raw_escapes: bool) -> None:
        self.s = s
        self.n = len(s)
        self.pos = 0
        self.raw_quotes = raw_quotes
        self.raw_escapes = raw_escapes
        self.depth = 0

    def words_until(self, stop: str, raw_escapes: bool | None = None) -> tuple[str, list[str]]:
        """Process up to ``stop`` (consumed; '' for the end): (text, words)."""
        self.depth += 1
        if self.depth > MAX_EXPANSION_DEPTH:
            raise _LexError("nested too deeply")
        saved = self.raw_escapes
        if raw_escapes is not None:
            self.raw_escapes = raw_escapes
        s, n = self.s, self.n
        result: list[str] = []
        words: list[str] = []
        word: list[str] = []
        in_word = False
        stopped = False
        while self.pos < n:
            ch = s[self.pos]
            if stop and ch == stop:
                self.pos += 1
                stopped = True
                break
            if ch in "$<'\"":
                text = (
                    self._dollar() if ch == "$" else self._heredoc_start() if ch == "<"
                    else self._single() if ch == "'" else self._double()
                )
                result.append(text)
                in_word = in_word or ch != "$"
                if ch != "$":
                    if text:
                        word.append(text)
                    continue
                for c in text:  # an expansion is split on blanks
                    if c in GO_SPACE:
                        if in_word and word:
                            words.append("".join(word))
                            word, in_word = [], False
                    else:
                        word.append(c)
                        in_word = True
                continue
            self.pos += 1
            if ch == "\\":
                if self.raw_escapes:
                    word.append(ch)
                    in_word = True
                    result.append(ch)
                if self.pos >= n:
                    break
                ch = s[self.pos]
                self.pos += 1
                word.append(ch)
                in_word = True
            elif ch in GO_SPACE:
                if in_word and word:
                    words.append("".join(word))
                    word, in_word = [], False
            else:
                word.append(ch)
                in_word = True
            result.append(ch)
        if stop and not stopped:
            raise _LexError(f"missing {stop!r}")
        if word:
            words.append("".join(word))
        self.raw_escapes = saved
        self.depth -= 1
        return "".join(result), words

    def _heredoc_start(self) -> str:
        """``<<`` keeps the blanks after it in its word (BuildKit >= 0.22: ``<< EOF``)."""
        self.pos += 1
        if self.pos >= self.n or self.s[self.pos] != "<":
            return "<"
        start = self.pos - 1
        self.pos += 1
        while self.pos < self.n and self.s[self.pos] in " \t\r":
            self.pos += 1
        return self.s[start:self.pos]

    def _single(self) -> str:
        end = self.s.find("'", self.pos + 1)
        if end < 0:
            raise _LexError("unterminated single quote")
        text = self.s[self.pos:end + 1] if self.raw_quotes else self.s[self.pos + 1:end]
        self.pos = end + 1
        return text

    def _double(self) -> str:
        s, n = self.s, self.n
        self.pos += 1
        out = ['"'] if self.raw_quotes else []
        while True:
            if self.pos >= n:
                raise _LexError("unterminated double quote")
            ch = s[self.pos]
            if ch == '"':
                self.pos += 1
                if self.raw_quotes:
                    out.append(ch)
                return "".join(out)
            if ch == "$":
                out.append(self._dollar())
                continue
            self.pos += 1
            if ch == "\\":
                if self.raw_escapes:
                    out.append(ch)
                if self.pos >= n:
                    continue
                if s[self.pos] in '"$\\':
                    ch = s[self.pos]
                    self.pos += 1
            out.append(ch)

    def _name(self) -> str:
        start = self.pos
        self.pos = scan_name(self.s, start)
        return self.s[start:self.pos]

    def _dollar(self) -> str:
        s, n = self.s, self.n
        self.pos += 1
        if self.pos >= n or s[self.pos] != "{":
            name = self._name()
            return "$" + name
        self.pos += 1
        if self.pos >= n:
            raise _LexError("missing '}'")
        if s[self.pos] in "{}:":
            raise _LexError("bad substitution")
        name = self._name()
        ch = s[self.pos] if self.pos < n else ""
        self.pos += 1
        if ch == "}":
            return "${" + name + "}"
        modifier = ch
        if ch == ":":
            ch = s[self.pos] if self.pos < n else ""
            self.pos += 1
            modifier += ch
        elif ch == "/":
            if self.pos < n and s[self.pos] == "/":
                self.pos += 1
            pattern, _ = self.words_until("/", True)
            replacement, _ = self.words_until("}", True)
            return "${" + name + "/" + pattern + "/" + replacement + "}"
        elif not ch or ch not in "+-?#%":
            raise _LexError(f"unsupported modifier ({ch})")
        word, _ = self.words_until("}", True if ch and ch in "#%" else None)
        return "${" + name + modifier + word + "}"


# ---------------------------------------------------------------------------
# Words of ENV / ARG / LABEL (BuildKit's parseWords: quotes and escapes kept)
# ---------------------------------------------------------------------------

_GO_SPACE_TO_SPACE = str.maketrans(dict.fromkeys(GO_SPACE, " "))


def parse_words(rest: str, escape: str = "\\") -> list[str]:
    if escape not in rest and "'" not in rest and '"' not in rest:
        # No quotes, no escapes: the words are what lies between blanks.
        return [word for word in rest.translate(_GO_SPACE_TO_SPACE).split(" ") if word]
    words: list[str] = []
    word: list[str] = []
    blank_ok = False
    quote = ""
    in_word = False
    pos = 0
    n = len(rest)
    while pos < n:
        ch = rest[pos]
        if not in_word:
            if ch in GO_SPACE:
                pos += 1
                continue
            in_word = True
        if quote:
            if ch == quote:
                quote = ""
            elif ch == escape and quote != "'":
                if pos + 1 == n:
                    pos += 1
                    continue
                word.append(ch)
                pos += 1
                ch = rest[pos]
            word.append(ch)
            pos += 1
            continue
        if ch in GO_SPACE:
            if blank_ok or word:
                words.append("".join(word))
            word = []
            blank_ok = False
            in_word = False
            pos += 1
            continue
        if ch in "'\"":
            quote = ch
            blank_ok = True
        elif ch == escape:
            if pos + 1 == n:
                pos += 1
                continue
            word.append(ch)
            pos += 1
            ch = rest[pos]
        word.append(ch)
        pos += 1
    if in_word and (blank_ok or word):
        words.append("".join(word))
    return words


def key_values_of(args: str, escape: str = "\\") -> tuple[tuple[str, str, int], ...]:
    """The (name, raw value, offset in ``args``) pairs of an ENV or LABEL's arguments.

    The legacy ``ENV name value`` form gives one pair whose value is the rest of the
    line. A word without ``=`` in the ``name=value`` form is returned with an empty
    value and is reported by the parser as an error.
    """
    words = parse_words(args, escape)
    if not words:
        return ()
    if "=" not in words[0]:
        cut = 0
        while cut < len(args) and args[cut] not in _SPLIT_SPACE:
            cut += 1
        rest = args[cut:].lstrip(_SPLIT_SPACE)
        return ((args[:cut], rest, len(args) - len(rest)),)
    out = []
    search = 0
    for word in words:
        offset = args.find(word, search)
        search = offset + len(word) if offset >= 0 else search
        name, _, value = word.partition("=")
        out.append((name, value, max(offset, 0)))
    return tuple(out)


def arg_declarations_of(args: str, escape: str = "\\") -> tuple[tuple[str, str | None], ...]:
    """(name, raw default or None) for each name declared by an ARG's arguments ``args``."""
    out: list[tuple[str, str | None]] = []
    for word in parse_words(args, escape):
        name, sep, value = word.partition("=")
        out.append((name, value if sep else None))
    return tuple(out)


# ---------------------------------------------------------------------------
# Variable expansion (BuildKit's shell lexer)
# ---------------------------------------------------------------------------

class _ExpansionError(Exception):
    pass


_BLANKS_TO_SPACE = str.maketrans("\t\n", "  ")


class _Lexer:
    __slots__ = ("depth", "escape", "limit", "lookup", "missing", "pos", "resolved", "s", "size")

    def __init__(self, s: str, lookup: Callable[[str], Var | None], escape: str) -> None:
        self.s = s
        self.pos = 0
        self.lookup = lookup
        self.escape = escape
        self.resolved = True
        self.missing: list[str] = []
        self.depth = 0
        self.size = len(s)
        self.limit = len(s) + MAX_EXPANSION_GROWTH

    def run(self, stop: str = "") -> tuple[str, list[str]]:
        """Process up to ``stop`` (consumed); returns (text, words)."""
        self.depth += 1
        if self.depth > MAX_EXPANSION_DEPTH:
            raise _ExpansionError("substitution nested too deeply")
        s = self.s
        n = len(s)
        out: list[str] = []
        words: list[str] = []
        word: list[str] = []
        in_word = False
        while self.pos < n:
            ch = s[self.pos]
            if stop and ch == stop:
                self.pos += 1
                break
            if ch == "'":
                text = self._single()
                out.append(text)
                word.append(text)
                in_word = True
            elif ch == '"':
                text = self._double()
                out.append(text)
                word.append(text)
                in_word = True
            elif ch == "$":
                text = self._dollar()
                out.append(text)
                # An unquoted expansion is split into words on blanks.
                first, *rest = text.translate(_BLANKS_TO_SPACE).split(" ")
                if first:
                    word.append(first)
                    in_word = True
                for piece in rest:
                    if in_word:
                        words.append("".join(word))
                        word = []
                        in_word = False
                    if piece:
                        word.append(piece)
                        in_word = True
            else:
                self.pos += 1
                if ch == self.escape:
                    if self.pos >= n:
                        break
                    ch = s[self.pos]
                    self.pos += 1
                    word.append(ch)
                    in_word = True
                elif ch in " \t\n":
                    if in_word:
                        words.append("".join(word))
                        word = []
                        in_word = False
                else:
                    word.append(ch)
                    in_word = True
                out.append(ch)
        else:
            if stop:
                raise _ExpansionError(f"missing '{stop}'")
        if in_word:
            words.append("".join(word))
        self.depth -= 1
        return "".join(out), [w for w in words if w]  # BuildKit never yields an empty word

    def _single(self) -> str:
        end = self.s.find("'", self.pos + 1)
        if end < 0:
            raise _ExpansionError("unexpected end of statement while looking for matching single-quote")
        text = self.s[self.pos + 1:end]
        self.pos = end + 1
        return text

    def _double(self) -> str:
        s = self.s
        n = len(s)
        self.pos += 1
        out: list[str] = []
        while True:
            if self.pos >= n:
                raise _ExpansionError("unexpected end of statement while looking for matching double-quote")
            ch = s[self.pos]
            if ch == '"':
                self.pos += 1
                return "".join(out)
            if ch == "$":
                out.append(self._dollar())
                continue
            self.pos += 1
            if ch == self.escape:
                if self.pos >= n:
                    continue
                nxt = s[self.pos]
                if nxt in ('"', "$", self.escape):
                    ch = nxt
                    self.pos += 1
            out.append(ch)

    def _name(self) -> str:
        start = self.pos
        self.pos = scan_name(self.s, start)
        return self.s[start:self.pos]

    def _get(self, name: str) -> Var | None:
        var = self.lookup(name)
        if var is not None and not var.resolved:
            self.resolved = False
            self.missing.append(name)
        return var

    def _unset(self, name: str) -> None:
        self.resolved = False
        self.missing.append(name)

    def _dollar(self) -> str:
        text = self._substitute()
        self.size += len(text)
        if self.size > self.limit:
            raise _ExpansionError("expansion too long")
        return text

    def _substitute(self) -> str:
        s = self.s
        n = len(s)
        self.pos += 1
        if self.pos >= n or s[self.pos] != "{":
            name = self._name()
            if not name:
                return "$"
            var = self._get(name)
            if var is None:
                self._unset(name)
                return ""
            return var.value
        self.pos += 1
        if self.pos >= n:
            raise _ExpansionError("missing '}'")
        if s[self.pos] in "{}:":
            raise _ExpansionError("bad substitution")
        name = self._name()
        if self.pos >= n:
            raise _ExpansionError("missing '}'")
        ch = s[self.pos]
        self.pos += 1
        if ch == "}":
            var = self._get(name)
            if var is None:
                self._unset(name)
                return ""
            return var.value
        colon = ch == ":"
        if colon:
            if self.pos >= n:
                raise _ExpansionError("missing '}'")
            ch = s[self.pos]
            self.pos += 1
        if ch in "-+?=":
            word, _ = self.run("}")
            var = self.lookup(name)
            is_set = var is not None and (not colon or var.value != "")
            if var is not None and not var.resolved:
                # The value is only known at build time: the outcome cannot be decided.
                self._unset(name)
                return word if ch == "-" else ""
            if ch == "-":
                return var.value if is_set and var is not None else word
            if ch == "+":
                return word if is_set else ""
            if not is_set:
                self._unset(name)
            return var.value if var is not None else ""
        if ch in "#%/":
            self.run("}")
            self._unset(name)
            return ""
        raise _ExpansionError(f"unsupported modifier ({ch}) in substitution")


def expand(word: str, lookup: Callable[[str], Var | None], escape: str = "\\") -> Expanded:
    """Expand variables and remove quotes, like BuildKit's ProcessWord."""
    if "$" not in word and "'" not in word and '"' not in word and escape not in word:
        return Expanded(word, True, ())  # the common word: as it is
    lexer = _Lexer(word, lookup, escape)
    try:
        text, _ = lexer.run()
    except (_ExpansionError, RecursionError):
        return Expanded(word, False, tuple(lexer.missing) or ("?",))
    return Expanded(text, lexer.resolved, tuple(lexer.missing))


# ---------------------------------------------------------------------------
# Stages and variable scopes
# ---------------------------------------------------------------------------

class _Table:
    """One variable table's whole history, so that every instruction can hold a view of
    it at its own point without a copy (copies per instruction are quadratic)."""

    __slots__ = ("base", "history", "version")

    def __init__(self, base: Mapping[str, Var]) -> None:
        self.base = base  # what the table starts from (an inherited, frozen mapping)
        self.history: dict[str, tuple[list[int], list[Var]]] = {}
        self.version = 0  # bumped once per assigning instruction

    def get(self, name: str, version: int) -> Var | None:
        entry = self.history.get(name)
        if entry is not None and entry[0][0] <= version:
            versions, values = entry
            return values[bisect_right(versions, version) - 1]
        return self.base.get(name)

    def set(self, name: str, var: Var) -> None:
        entry = self.history.get(name)
        if entry is None:
            self.history[name] = ([self.version], [var])
        else:
            entry[0].append(self.version)
            entry[1].append(var)

    def scope(self) -> Scope:
        return Scope(self, self.version)

    def final(self) -> dict[str, Var]:
        out = dict(self.base)
        for name, (_, values) in self.history.items():
            out[name] = values[-1]
        return out


class Scope(Mapping[str, Var]):
    """The variables of one table as they are at one instruction (a read-only view)."""

    __slots__ = ("_table", "_version")

    def __init__(self, table: _Table, version: int) -> None:
        self._table = table
        self._version = version

    def __getitem__(self, name: str) -> Var:
        var = self._table.get(name, self._version)
        if var is None:
            raise KeyError(name)
        return var

    def get(self, name: str, default: Var | None = None) -> Var | None:  # type: ignore[override]
        var = self._table.get(name, self._version)
        return default if var is None else var

    def __iter__(self) -> Iterator[str]:
        base = self._table.base
        yield from base
        for name, (versions, _) in self._table.history.items():
            if versions[0] <= self._version and name not in base:
                yield name

    def __len__(self) -> int:
        return sum(1 for _ in self)


class _Unknown(Mapping[str, Var]):
    """An inherited environment too large to copy: every look-up answers "set, value
    unknown", while no name is listed (iteration, ``in`` and ``len`` see nothing)."""

    def __getitem__(self, name: str) -> Var:
        return UNKNOWN

    def __contains__(self, name: object) -> bool:
        return False

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


UNKNOWN = Var("", False)
_BUILTIN_VARS: Mapping[str, Var] = dict.fromkeys(BUILTIN_ARGS, UNKNOWN)  # read only: every file's base
# Stage inheritance copies a parent's final ENV once per parent; beyond this many copied
# entries in one file (only a hostile file gets there) inherited values count as unknown.
MAX_INHERITED_VARS = 1 << 18


def _build_stages(df: Dockerfile) -> None:
    escape = df.escape
    meta = _Table(_BUILTIN_VARS)
    stage: Stage | None = None
    args = _Table(EMPTY_VARS)
    env = _Table(EMPTY_VARS)
    env_tables: list[_Table] = []
    finals: dict[int, Mapping[str, Var]] = {}
    budget = MAX_INHERITED_VARS
    latest: dict[str, int] = {}  # stage name -> index of the last stage with that name
    args_view: Scope | None = None
    env_view: Scope | None = None
    for instr in df.instructions:
        kw = instr.keyword
        if kw == "FROM":
            if stage is not None:
                env_tables.append(env)
            instr.args_vars = meta.scope()
            instr.env_vars = EMPTY_VARS
            stage = _new_stage(df, instr, instr.args_vars, escape, latest)
            args = _Table(EMPTY_VARS)
            inherited: Mapping[str, Var] = EMPTY_VARS
            if stage.parent is not None:
                inherited = finals.get(stage.parent, EMPTY_VARS)
                if stage.parent not in finals:
                    parent_env = env_tables[stage.parent]
                    size = len(parent_env.base) + len(parent_env.history)
                    budget -= size
                    inherited = parent_env.final() if budget >= 0 else _Unknown()
                    finals[stage.parent] = inherited
            env = _Table(inherited)
            instr.stage = stage.index
            df.stages.append(stage)
            if stage.name is not None:
                latest[stage.name] = stage.index
                df.stage_names.setdefault(stage.name, stage)
            continue
        if stage is None:
            instr.args_vars = meta.scope()
            if kw == "ARG":
                # BuildKit expands global ARGs one after another, even on one line.
                meta.version += 1
                live = meta.scope()
                for name, default in arg_declarations_of(instr.args, escape):
                    if default is None:
                        if name not in live:
                            meta.set(name, UNKNOWN)
                    else:
                        value = expand(default, live.get, escape)
                        meta.set(name, Var(value.value, value.resolved))
                    df.global_args[name] = live[name]
            else:
                df.errors.append(Problem(
                    instr.start_line, 1,
                    f"{instr.keyword} before the first FROM: only ARG may come before FROM",
                ))
            continue
        instr.stage = stage.index
        # Instructions between two ARG (ENV) instructions share one view of the table.
        if args_view is None or args_view._table is not args or args_view._version != args.version:
            args_view = Scope(args, args.version)
        if env_view is None or env_view._table is not env or env_view._version != env.version:
            env_view = Scope(env, env.version)
        instr.args_vars = args_view
        instr.env_vars = env_view
        sub = instr.sub
        if sub is not None:
            sub.stage = stage.index
            sub.args_vars = args_view
            sub.env_vars = env_view
        stage.instructions.append(instr)
        if kw == "ARG":
            declared = arg_declarations_of(instr.args, escape)
            args.version += 1
            for name, default in declared:
                if default is None:
                    args.set(name, meta.get(name, meta.version) or UNKNOWN)
                else:
                    value = instr.expand(default, escape)
                    args.set(name, Var(value.value, value.resolved))
        elif kw == "ENV":
            values = [(name, instr.expand(raw, escape)) for name, raw, _ in instr.key_values(escape)]
            env.version += 1
            for name, value in values:
                env.set(name, Var(value.value, value.resolved))
    if df.instructions and not df.stages:
        first = df.instructions[0]
        df.errors.append(Problem(first.start_line, 1, "no FROM instruction: nothing is built"))


def _new_stage(
    df: Dockerfile, instr: Instruction, meta: Mapping[str, Var], escape: str, latest: Mapping[str, int]
) -> Stage:
    words = split_blanks(instr.args)
    name: str | None = None
    if len(words) == 3 and words[1].lower() == "as":
        name = words[2].lower()
    elif len(words) != 1:
        df.errors.append(Problem(
            instr.start_line, 1, "FROM takes an image and an optional 'AS name'",
        ))
    raw = words[0] if words else ""
    image = expand(raw, meta.get, escape)
    parent = latest.get(image.value.lower()) if image.resolved else None
    return Stage(len(df.stages), name, instr, image, parent, [])
