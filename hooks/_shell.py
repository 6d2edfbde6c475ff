"""Shell command lines of RUN instructions, split into simple commands.

Not a shell: a small, linear, never-raising lexer that is good enough to answer
"which programs does this RUN call, with which words". It handles quotes, escapes,
comments, ``&& || ; | &`` and newlines, subshell and group brackets, ``case`` commands
(the header and each arm's patterns are no commands; an arm's commands are), leading
``NAME=value`` assignments, wrappers (``sudo``, ``gosu USER``, ``poetry run``, ``pipenv run``,
``pdm run``, ``pyenv exec``, ``conda run -n ENV``, ``env``, ``exec``, ``time``, ``nice``,
``nohup``, ``command``), shell keywords (``if``/``then``/``do``/...), and
``sh -c '...'`` / ``bash -c "..."`` (whose argument is split in turn).
Variables stay literal (``$PIP_FLAGS``); ``$(...)`` and backquotes stay inside
their word.

Every command carries the offset of each of its words (also inside ``sh -c '...'``).
:func:`run_script` gives the script a RUN executes (command line plus the heredoc
bodies the shell runs) with a map from offsets back to lines and columns; a program
spelled through an ARG or ENV variable (``${PIP} install``) is replaced there by its
resolved value. :func:`runs_unseen_code` says which commands run code that the script
does not show (a script file, a shell function, ``sh -c "$VAR"``...).

On top of it, :func:`python_install` recognises the Python installers that the
checks care about: pip in all its spellings, ``uv``, ``poetry``, ``pipenv``, ``pdm``;
:func:`package_call` the system package managers (apt, apk, yum/dnf/microdnf).
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from hooks._patterns import lazy

if TYPE_CHECKING:
    from hooks._dockerfile import Heredoc, Instruction

# The common tokens in one match: a run of characters that none of _tokens' branches
# treats specially, blanks, an operator (longest first).
_SIMPLE_TOKEN_RE = lazy(
    r"(?P<plain>[^\\'\"$`# \t\r<>&|;\n()]+)|(?P<blank>[ \t\r]+)|(?P<op>&&|\|\||;;&|;;|;&|[;|&\n()])"
)
_KEYWORDS = frozenset({"if", "then", "else", "elif", "do", "while", "until", "!", "{", "time"})
_CLOSERS = frozenset({"fi", "done", "esac", "}"})
_WRAPPERS = frozenset({"exec", "nohup", "command", "builtin", "eval"})
# Tools whose 'run' (pyenv: 'exec') runs a command in their environment, and their options
# that take a value (conda run -n NAME, -p PATH, --cwd DIR).
_RUN_IN_ENVIRONMENT = frozenset({"poetry", "pipenv", "pdm", "pyenv", "conda", "mamba", "micromamba"})
_RUN_VALUE = frozenset({"-n", "--name", "-p", "--prefix", "--cwd", "-C", "--directory", "--project", "-P"})
# Options of nice/timeout/stdbuf/xargs whose value is a separate word.
_WRAPPER_VALUE = frozenset({
    "-a", "--arg-file", "-d", "--delimiter", "-E", "-I", "-L", "--max-lines", "-n", "--max-args",
    "-P", "--max-procs", "-s", "--max-chars", "--signal", "-k", "--kill-after", "--adjustment",
    "-i", "-o", "-e", "--input", "--output", "--error",
})
_ASSIGNMENT_RE = lazy(r"^[A-Za-z_][A-Za-z0-9_]*\+?=")
_FUNCTION_RE = lazy(r"^([A-Za-z_][\w.:-]*)\(\)$")  # ``name()`` opening a function definition
_PYTHON_RE = lazy(r"^python(\d+(\.\d+)?)?$")
_PIP_RE = lazy(r"^pip(\d+(\.\d+)?)?$")
_SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh"})
MAX_NESTING = 8


class Command(NamedTuple):
    """A simple command: its words after assignments and wrappers are removed."""

    words: tuple[str, ...]
    assignments: tuple[str, ...]  # leading NAME=value words (and `env NAME=value`)
    offset: int  # offset in the script of the first word (of the original command)
    offsets: tuple[int, ...] = ()  # offset in the script of each of ``words``

    @property
    def program(self) -> str:
        """The program's base name: ``/usr/local/bin/pip3`` -> ``pip3``."""
        return self.words[0].rsplit("/", 1)[-1] if self.words else ""


class Install(NamedTuple):
    """A Python package-manager call: ``tool`` is pip, uv, poetry, pipenv or pdm."""

    tool: str
    verb: str  # install, sync, ... (for ``uv pip install``: "pip install")
    args: tuple[str, ...]  # the words after the verb
    command: Command


_ARM_ENDS = frozenset({";;", ";&", ";;&"})
# What a ``case`` command expects next: its subject word, the word ``in``, a pattern list
# (ended by ``)``), or the commands of an arm (ended by ``;;``, ``;&``, ``;;&``).
_SUBJECT, _IN, _PATTERN, _ARM = range(4)


class _Cases:
    """Follows the ``case`` commands of a token stream, one token at a time.

    :meth:`feed` says whether a token is ``case`` syntax rather than a part of a command:
    ``case WORD in``, each arm's pattern list with its brackets and ``|``, the ``;;`` that
    ends an arm, and ``esac``. What an arm runs stays ordinary tokens. A malformed ``case``
    is given up where it goes wrong, and the tokens go on as plain commands.
    """

    __slots__ = ("at_start", "fed", "states")

    def __init__(self) -> None:
        self.states: list[int] = []  # one per open ``case``, innermost last
        self.at_start = True  # the next word starts a command
        self.fed = 0  # tokens fed so far (for :func:`_tokens`, which feeds in batches)

    def in_pattern(self, tokens: Sequence[tuple[str, int, bool]]) -> bool:
        """Whether the token after ``tokens`` (of which the first :attr:`fed` were fed
        already) is in an arm's pattern list."""
        for text, _, is_op in tokens[self.fed:]:
            self.feed(text, is_op)
        return bool(self.states) and self.states[-1] == _PATTERN

    def feed(self, text: str, is_op: bool) -> bool:
        """Take the next token; True when it is ``case`` syntax."""
        self.fed += 1
        states = self.states
        state = states[-1] if states else _ARM
        if state == _SUBJECT:
            if not is_op:
                states[-1] = _IN
                return True
        elif state == _IN:
            if is_op and text == "\n":
                return True
            if not is_op and text == "in":
                states[-1] = _PATTERN
                self.at_start = True
                return True
        elif state == _PATTERN:
            if not is_op:
                if text == "esac" and self.at_start:
                    states.pop()
                    self.at_start = False
                    return True
                self.at_start = False
                return True
            if text == ")":
                states[-1] = _ARM
                self.at_start = True
                return True
            if text in ("(", "|", "\n"):
                self.at_start = self.at_start and text == "\n"
                return True
        elif is_op:
            if text in _ARM_ENDS and states:
                states[-1] = _PATTERN
                self.at_start = True
                return True
            self.at_start = True
            return False
        elif self.at_start and text == "case":
            states.append(_SUBJECT)
            return True
        elif self.at_start and text == "esac" and states:
            states.pop()
            self.at_start = False
            return True
        else:
            self.at_start = text in _KEYWORDS
            return False
        # A token the ``case`` syntax has no place for: give that ``case`` up.
        states.pop()
        self.fed -= 1
        return self.feed(text, is_op)


def _tokens(script: str) -> list[tuple[str, int, bool]]:
    """(text, offset, is_operator) tokens; quotes removed from words."""
    out: list[tuple[str, int, bool]] = []
    word: list[str] = []
    start = -1
    in_word = False
    pos = 0
    n = len(script)
    simple = _SIMPLE_TOKEN_RE.match
    cases = _Cases() if "case" in script else None  # a pattern list ends at its ')'
    heredocs: list[tuple[str, bool]] = []  # (delimiter, strip tabs) of the heredocs the line opened
    delimiters: dict[str, int] | None = None  # each line's text (tabs stripped) -> where it last starts
    command_start = 0  # the index in ``out`` of the current command's first token
    while pos < n:
        found = simple(script, pos)
        if found is not None:
            kind = found.lastgroup
            if kind == "plain":
                # Characters that no other branch treats specially, taken in one step.
                if not in_word:
                    in_word, start = True, pos
                word.append(found.group())
                pos = found.end()
                continue
            if kind == "blank":
                if in_word:
                    out.append(("".join(word), start, False))
                    word, in_word = [], False
                pos = found.end()
                continue
            operator = found.group()
            # In a word, a bracket is a character; not the ')' that ends a case pattern list.
            if not (in_word and operator in "()") or (
                operator == ")" and cases is not None and cases.in_pattern(out)
            ):
                if in_word:
                    out.append(("".join(word), start, False))
                    word, in_word = [], False
                out.append((operator, pos, True))
                command_start = len(out)
                pos += len(operator)
                if operator == "\n" and heredocs:
                    pos = _after_heredocs(script, pos, heredocs)
                    heredocs = []
                continue
        ch = script[pos]
        if ch == "\\":
            if pos + 1 < n and script[pos + 1] == "\n":
                pos += 2
                continue
            if not in_word:
                in_word, start = True, pos
            if pos + 1 < n:
                word.append(script[pos + 1])
            pos += 2
            continue
        if ch == "'":
            end = script.find("'", pos + 1)
            end = n if end < 0 else end
            if not in_word:
                in_word, start = True, pos
            word.append(script[pos + 1:end])
            pos = end + 1
            continue
        if ch == '"':
            if not in_word:
                in_word, start = True, pos
            pos += 1
            while pos < n and script[pos] != '"':
                if script[pos] == "\\" and pos + 1 < n and script[pos + 1] in '"\\$`\n':
                    if script[pos + 1] != "\n":
                        word.append(script[pos + 1])
                    pos += 2
                    continue
                word.append(script[pos])
                pos += 1
            pos += 1
            continue
        if ch == "$" and pos + 1 < n and script[pos + 1] == "(":
            depth = 0
            begin = pos
            while pos < n:
                if script[pos] == "(":
                    depth += 1
                elif script[pos] == ")":
                    depth -= 1
                    if depth == 0:
                        pos += 1
                        break
                pos += 1
            if not in_word:
                in_word, start = True, begin
            word.append(script[begin:pos])
            continue
        if ch == "`":
            end = script.find("`", pos + 1)
            end = n - 1 if end < 0 else end
            if not in_word:
                in_word, start = True, pos
            word.append(script[pos:end + 1])
            pos = end + 1
            continue
        if ch == "#" and not in_word:
            end = script.find("\n", pos)
            pos = n if end < 0 else end
            continue
        if ch in "<>":
            # A redirection: drop a file-descriptor prefix, skip the operator and target.
            if in_word:
                text = "".join(word)
                if not text.isdigit():
                    out.append((text, start, False))
                word, in_word = [], False
            operator_start = pos
            while pos < n and script[pos] in "<>&|-":
                pos += 1
            operator = script[operator_start:pos]
            while pos < n and script[pos] in " \t":
                pos += 1
            quote = ""
            target_start = pos
            while pos < n and (quote or script[pos] not in " \t\n;&|()"):
                if script[pos] in "'\"" and not quote:
                    quote = script[pos]
                elif script[pos] == quote:
                    quote = ""
                pos += 1
            if operator in ("<<", "<<-") and not _feeds_a_shell(out, command_start):
                # A heredoc inside the script: its body, from the next line up to the
                # delimiter line, is the command's input, not shell (unless the command is
                # a shell: 'bash <<EOF' runs it). A RUN's own heredocs (RUN <<EOF) are
                # resolved by the Dockerfile model: their bodies follow without a delimiter line.
                delimiter = script[target_start:pos].replace("'", "").replace('"', "").replace("\\", "")
                if delimiters is None:
                    delimiters = _line_starts(script)
                if delimiter and delimiters.get(delimiter, -1) > pos and len(heredocs) < _MAX_HEREDOCS:
                    heredocs.append((delimiter, operator == "<<-"))
            continue
        # Anything else is part of the word: '$' without '(', '#' inside a word, and a
        # bracket inside a word (_SIMPLE_TOKEN_RE took every other operator and blank).
        if not in_word:
            in_word, start = True, pos
        word.append(ch)
        pos += 1
    if in_word:
        out.append(("".join(word), start, False))
    return out


def _feeds_a_shell(tokens: list[tuple[str, int, bool]], start: int) -> bool:
    """Whether the command being read (its words from ``tokens[start]``) is a shell: one of
    its first words (after ``sudo``, ``env``...) names one."""
    return any(not is_op and text.rsplit("/", 1)[-1] in _SHELLS for text, _, is_op in tokens[start:start + 4])


_MAX_HEREDOCS = 16  # heredocs opened on one line (a shell allows more; no script needs them)


def _line_starts(script: str) -> dict[str, int]:
    """Each line's text, leading tabs and a trailing carriage return stripped, and where
    the last line with that text starts: whether a heredoc's delimiter line comes later."""
    starts: dict[str, int] = {}
    offset = 0
    for line in script.split("\n"):
        starts[line.rstrip("\r").lstrip("\t")] = offset
        offset += len(line) + 1
    return starts


def _after_heredocs(script: str, pos: int, heredocs: list[tuple[str, bool]]) -> int:
    """Where the script goes on after the bodies of ``heredocs``, which start at ``pos``
    (the line after the one that opened them): past each body's delimiter line, or at the
    end when a delimiter never comes."""
    n = len(script)
    for delimiter, strip_tabs in heredocs:
        if pos >= n:
            break
        while pos < n:
            end = script.find("\n", pos)
            end = n if end < 0 else end
            line = script[pos:end].rstrip("\r")
            pos = min(end + 1, n)
            if (line.lstrip("\t") if strip_tabs else line) == delimiter:
                break
    return pos


_STANDALONE_ASSIGNMENT_RE = lazy(
    r"(?:^|[;&|(\n]|\bthen|\bdo|\belse)[ \t]*([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|'[^']*'|[^\s;&|)]*)"
    r"(?=[ \t]*(?:$|[;&|)\n]))",
    re.MULTILINE,
)


def script_variables(script: str) -> dict[str, str]:
    """The shell variables that ``script`` sets with an assignment standing as a command
    of its own (``INSTALL_PKGS="gcc make" && dnf install $INSTALL_PKGS``), the last value
    of each, quotes removed; values that hold an expansion are left out (not known)."""
    found: dict[str, str] = {}
    if "=" not in script:
        return found
    for match in _STANDALONE_ASSIGNMENT_RE.finditer(script):
        value = match.group(2)
        if value[:1] in ("'", '"'):
            value = value[1:-1]
        if "$" in value or "`" in value:
            found.pop(match.group(1), None)
            continue
        found[match.group(1)] = value
    return found


def commands(script: str, _depth: int = 0) -> tuple[Command, ...]:
    """The simple commands of ``script``, in order. A RUN's commands are split once, by
    :meth:`Script.commands`; this is for other text."""
    found: list[Command] = []
    current: list[tuple[str, int]] = []
    cases = _Cases() if "case" in script else None
    for text, offset, is_op in [*_tokens(script), ("", len(script), True)]:
        if cases is not None and cases.feed(text, is_op):
            is_op = True  # ``case WORD in``, a pattern list, ``;;``, ``esac``: not a command
        if not is_op:
            current.append((text, offset))
            continue
        if current:
            _finish(current, found, _depth, script)
            current = []
    return tuple(found)


def _inner_base(script: str, start: int, inner: str) -> int | None:
    """Where the unquoted word ``inner`` written at ``start`` begins in ``script``.

    None when the word is not written literally (escapes inside): its commands then
    point at the word's start.
    """
    for skip in (1, 0):
        if (skip == 0 or script[start:start + 1] in ("'", '"')) and script.startswith(
            inner, start + skip
        ):
            return start + skip
    return None


def _finish(
    words: list[tuple[str, int]], found: list[Command], depth: int, script: str = ""
) -> None:
    offset = words[0][1]
    texts = [w for w, _ in words]
    assignments: list[str] = []
    i = 0
    while i < len(texts):
        word = texts[i]
        if word in _KEYWORDS or word in _WRAPPERS:
            i += 1
        elif word == "function" and i + 1 < len(texts):
            i += 2  # ``function name {``: the body's commands follow
        elif _FUNCTION_RE.match(word):
            i += 1  # ``name() {``
        elif _ASSIGNMENT_RE.match(word):
            assignments.append(word)
            i += 1
        elif word == "sudo" or word.endswith("/sudo"):
            i += 1
            while i < len(texts) and texts[i].startswith("-"):
                i += 2 if texts[i] in ("-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U") else 1
        elif word == "env" or word.endswith("/env"):
            i += 1
            while i < len(texts) and (texts[i].startswith("-") or _ASSIGNMENT_RE.match(texts[i])):
                if _ASSIGNMENT_RE.match(texts[i]):
                    assignments.append(texts[i])
                i += 2 if texts[i] in ("-u", "-C", "-S") else 1
        elif word.rsplit("/", 1)[-1] in ("gosu", "su-exec") and i + 2 < len(texts):
            i += 2  # gosu USER command...: the command runs as that user
        elif word.rsplit("/", 1)[-1] in _RUN_IN_ENVIRONMENT and i + 2 < len(texts) and texts[i + 1] in ("run", "exec"):
            # poetry run / pipenv run / pdm run / pyenv exec / conda run -n env: the command runs
            # in that environment (not 'uv run', which syncs first: DPH115 judges it as written)
            i += 2
            while i < len(texts) and texts[i].startswith("-"):
                i += 2 if texts[i] in _RUN_VALUE else 1
        elif word in ("nice", "timeout", "stdbuf", "xargs") and i + 1 < len(texts):
            i += 1
            while i < len(texts) and (texts[i].startswith("-") or texts[i][:1].isdigit()):
                i += 2 if texts[i] in _WRAPPER_VALUE else 1
        else:
            break
    rest = texts[i:]
    offsets = tuple(off for _, off in words[i:])
    if not rest or rest[0] in _CLOSERS:
        return
    program = rest[0].rsplit("/", 1)[-1]
    at_string = _command_string_index(rest) if program in _SHELLS and depth < MAX_NESTING else None
    if at_string is not None:
        if at_string < len(rest):
            at = offsets[at_string]
            base = _inner_base(script, at, rest[at_string])
            found.extend(
                Command(
                    c.words, tuple(assignments) + c.assignments, offset,
                    tuple(at if base is None else base + o for o in c.offsets),
                )
                for c in commands(rest[at_string], depth + 1)
            )
        return
    found.append(Command(tuple(rest), tuple(assignments), offset, offsets))


def _command_string_index(words: Sequence[str]) -> int | None:
    """Where the command string of a shell call is in ``words`` (``sh -c '...'``,
    ``bash -ec "..."``: the word after the ``-c`` option, which may be missing), or None
    when there is no ``-c``."""
    for j, word in enumerate(words[1:], start=1):
        if word.startswith("-") and "c" in word[1:] and not word.startswith("--"):
            return j + 1
    return None


def shell_command_string(words: Sequence[str]) -> str | None:
    """The script that ``words`` hand to a shell (``sh -c 'a && b'`` -> ``a && b``), or
    None when they are no ``-c`` call of one of the shells."""
    if not words or words[0].rsplit("/", 1)[-1] not in _SHELLS:
        return None
    index = _command_string_index(words)
    return words[index] if index is not None and index < len(words) else None


# ---------------------------------------------------------------------------
# The top-level list of a command line: which process ends up running
# ---------------------------------------------------------------------------

_LIST_OPERATORS = frozenset({"&&", "||", ";", ";;", ";&", ";;&", "&", "\n"})
_COMPOUND = _KEYWORDS | _CLOSERS | {"for", "case", "select", "function"}


class Step(NamedTuple):
    """One pipeline of a command line's top-level list (the parts joined by ``&&``,
    ``||``, ``;``, ``&`` and newlines), which the shell itself runs in turn."""

    joined_by: str  # the operator before it: '' for the first step, else '&&', '||', ';', '&', '\n'
    # (or a case arm's ';;', ';&', ';;&')
    words: tuple[str, ...]  # its words, quotes removed, redirections and brackets left out
    offset: int  # offset in the script of its first word
    simple: bool  # one simple command: no pipe, no subshell or group, no shell keyword

    @property
    def command(self) -> tuple[str, ...]:
        """The words after the leading ``NAME=value`` assignments."""
        return _after_assignments(self.words)

    @property
    def execs(self) -> bool:
        """Whether the shell replaces itself with the step's program: a simple command that
        starts with ``exec`` (after assignments: ``PORT=80 exec app``) and names a program
        (``exec >log 2>&1`` only redirects the shell's output)."""
        command = self.command
        return self.simple and len(command) > 1 and command[0] == "exec"


def command_list(script: str) -> tuple[Step, ...]:
    """The steps of ``script``'s top-level list, in order. What a subshell ``( ... )``
    holds stays in one step, as does a pipeline; a step that starts with a shell keyword
    (``if``, ``while``, ``fi``, ``{``...) is a part of a compound command."""
    steps: list[Step] = []
    words: list[str] = []
    offset = 0
    joined_by = ""
    simple = True
    depth = 0  # of subshell brackets: the lexer keeps a ')' that ends a word in the word
    for text, at, is_op in _tokens(script):
        if not is_op:
            if not words:
                offset = at
            words.append(text)
            if depth:
                depth = max(depth - text.count(")") + text.count("("), 0)
            continue
        if text in ("(", ")"):
            depth = max(depth + (1 if text == "(" else -1), 0)
            simple = False
        elif depth or text not in _LIST_OPERATORS:
            simple = simple and text != "|"  # a pipeline: each command runs in a child process
        elif words:
            steps.append(Step(joined_by, tuple(words), offset, simple and _simple(tuple(words))))
            words, joined_by, simple = [], text, True
        elif steps and not joined_by:
            joined_by = text
    if words:
        steps.append(Step(joined_by, tuple(words), offset, simple and _simple(tuple(words))))
    return tuple(steps)


def _after_assignments(words: tuple[str, ...]) -> tuple[str, ...]:
    i = 0
    while i < len(words) and _ASSIGNMENT_RE.match(words[i]):
        i += 1
    return words[i:]


def _simple(words: tuple[str, ...]) -> bool:
    """Whether ``words`` (without pipes or brackets) are a simple command, not a part of a
    compound one (``if x``, ``do y``, ``fi``, ``name() {``)."""
    command = _after_assignments(words)
    return bool(command) and command[0] not in _COMPOUND and not _FUNCTION_RE.match(command[0])


# ---------------------------------------------------------------------------
# Commands whose effect cannot be read from the script
# ---------------------------------------------------------------------------

# Where the system's own programs live; a program called by a path elsewhere (``./setup``,
# ``/tmp/scripts/common-debian.sh``, ``/usr/local/bin/install-deps``) is a script we cannot read.
_SYSTEM_DIRS = ("/bin/", "/sbin/", "/usr/bin/", "/usr/sbin/")
_SCRIPT_SUFFIXES = (".sh", ".bash", ".zsh", ".ksh")
# Programs that run the project's own recipes (a Makefile, a justfile, a playbook).
_RECIPE_RUNNERS = frozenset({"make", "gmake", "just", "ansible-playbook", "ansible"})
_BRACE_RE = lazy(r"\{([^{},]*(?:,[^{},]*)+)\}")


def brace_expand(word: str, limit: int = 64) -> list[str]:
    """The words a shell's brace expansion makes of ``word``: ``/var/lib/{apt,dpkg}/`` ->
    ``/var/lib/apt/``, ``/var/lib/dpkg/`` (at most ``limit`` of them; a word without a
    ``{a,b}`` group is itself)."""
    words = [word]
    done: list[str] = []
    while words and len(done) + len(words) <= limit:
        current = words.pop()
        match = _BRACE_RE.search(current)
        if match is None:
            done.append(current)
            continue
        head, tail = current[:match.start()], current[match.end():]
        words.extend(head + choice + tail for choice in reversed(match.group(1).split(",")))
    return done + words


def defined_functions(script: str) -> frozenset[str]:
    """Names of the shell functions ``script`` defines (``name() {``, ``name () {``,
    ``function name``)."""
    if "(" not in script and "function" not in script:
        return frozenset()
    names: set[str] = set()
    tokens = _tokens(script)
    for index, (text, _, is_op) in enumerate(tokens):
        if is_op:
            continue
        match = _FUNCTION_RE.match(text)
        if match:
            names.add(match.group(1))
        elif text == "function" and index + 1 < len(tokens) and not tokens[index + 1][2]:
            names.add(tokens[index + 1][0].removesuffix("()"))
        elif index + 2 < len(tokens) and tokens[index + 1][:3:2] == ("(", True) and tokens[
            index + 2
        ][:3:2] == (")", True):
            names.add(text)
    return frozenset(names)


def runs_unseen_code(cmd: Command, functions: frozenset[str] = frozenset()) -> bool:
    """Whether ``cmd`` runs code that the script does not show, so it may do anything
    (install packages, remove files): a script file (``./setup.sh``, ``bash x.sh``,
    ``. x.sh``, a program by a path outside the system's bin directories), a shell reading
    its commands from a pipe (``curl ... | sh``), a shell function (``functions``), a
    variable or command substitution as the program (``$INSTALL``, ``sh -c "$CMD"``,
    ``eval "$(...)"``, ``su user -c '...'``), a runner of the project's own recipes (``make``, ``just``,
    ``ansible-playbook``), or a helper named to install (``install_packages``,
    ``docker-php-ext-install``)."""
    if not cmd.words:
        return False
    first = cmd.words[0]
    program = cmd.program
    if "$" in first or "`" in first or " " in first or first in functions:
        return True
    if program in (".", "source") or program in _SHELLS or program in _RECIPE_RUNNERS:
        return True  # a file or standard input (``sh -c '...'`` was split already)
    if program in ("su", "runuser") and any(w in ("-c", "--command") for w in cmd.words[1:]):
        return True  # a command string run by another user's shell
    if program.endswith(_SCRIPT_SUFFIXES):
        return True
    known = package_call(cmd) is not None or _PYTHON_RE.match(program) or _PIP_RE.match(program)
    if "/" in first and not first.startswith(_SYSTEM_DIRS):
        return not known
    return "install" in program and program != "install" and not known


# ---------------------------------------------------------------------------
# Python installers
# ---------------------------------------------------------------------------

# Options that take a separate value, so the value is not mistaken for a verb.
_PIP_GLOBAL_VALUE = frozenset({
    "--log", "--proxy", "--retries", "--timeout", "--exists-action", "--trusted-host",
    "--cert", "--client-cert", "--cache-dir", "--python", "--use-feature",
    "--use-deprecated", "--keyring-provider", "--log-file", "--local-log",
})
_UV_GLOBAL_VALUE = frozenset({
    "--directory", "--project", "--cache-dir", "--config-file", "--color", "--python",
    "-p", "--python-preference", "--allow-insecure-host",
})
_POETRY_GLOBAL_VALUE = frozenset({"--directory", "-C", "--project", "-P"})


def _skip_options(words: tuple[str, ...], start: int, with_value: frozenset[str]) -> int:
    i = start
    while i < len(words) and words[i].startswith("-"):
        i += 2 if words[i] in with_value else 1
    return i


def python_install(cmd: Command) -> Install | None:
    """Recognise a Python package-manager call (any verb), else None."""
    words = cmd.words
    program = cmd.program
    if _PIP_RE.match(program):
        return _pip(words, 1, cmd)
    if _PYTHON_RE.match(program):
        i = 1
        while i < len(words) and words[i].startswith("-") and words[i] not in ("-m", "-mpip"):
            i += 2 if words[i] in ("-X", "-W") else 1
        if i < len(words) and words[i] == "-mpip":
            return _pip(words, i + 1, cmd)
        if i + 1 < len(words) and words[i] == "-m" and _PIP_RE.match(words[i + 1]):
            return _pip(words, i + 2, cmd)
        return None
    if program == "uv":
        i = _skip_options(words, 1, _UV_GLOBAL_VALUE)
        if i < len(words) and words[i] == "pip":
            j = _skip_options(words, i + 1, _UV_GLOBAL_VALUE)
            if j < len(words):
                return Install("uv", "pip " + words[j], words[j + 1:], cmd)
            return None
        if i < len(words):
            return Install("uv", words[i], words[i + 1:], cmd)
        return None
    if program in ("poetry", "pipenv", "pdm"):
        i = _skip_options(words, 1, _POETRY_GLOBAL_VALUE)
        if i < len(words):
            return Install(program, words[i], words[i + 1:], cmd)
    return None


def _pip(words: tuple[str, ...], start: int, cmd: Command) -> Install | None:
    i = _skip_options(words, start, _PIP_GLOBAL_VALUE)
    if i < len(words):
        return Install("pip", words[i], words[i + 1:], cmd)
    return None


# Short options of pip and uv that take a value: in a cluster (``-Ur file``) the first
# of them takes the rest of the word, or the next word, as its value.
_SHORT_WITH_VALUE = frozenset("rceiftCbpPdw")


def option_value(args: tuple[str, ...], *names: str) -> list[str]:
    """Values of ``--name value``, ``--name=value``, ``-nvalue`` and clustered
    ``-Un value`` options in ``args`` (pip's and uv's short flags combine:
    ``pip install -Ur requirements.txt`` is ``-U -r requirements.txt``)."""
    values: list[str] = []
    shorts = {name[1]: name for name in names if len(name) == 2 and name[0] == "-" and name[1] != "-"}
    i = 0
    while i < len(args):
        word = args[i]
        for name in names:
            if word == name and i + 1 < len(args):
                values.append(args[i + 1])
                i += 1
                break
            if name.startswith("--") and word.startswith(name + "="):
                values.append(word[len(name) + 1:])
                break
            if not name.startswith("--") and word.startswith(name) and len(word) > len(name):
                values.append(word[len(name):].lstrip("="))
                break
        else:
            if shorts and len(word) > 2 and word[0] == "-" and word[1] != "-":
                for j, letter in enumerate(word[1:], start=2):
                    if letter in shorts:
                        if j < len(word):
                            values.append(word[j:].lstrip("="))
                        elif i + 1 < len(args):
                            values.append(args[i + 1])
                            i += 1
                        break
                    if letter in _SHORT_WITH_VALUE or not letter.isalpha():
                        break  # the rest of the word is that option's value
        i += 1
    return values


# ---------------------------------------------------------------------------
# The script a RUN instruction executes, with positions
# ---------------------------------------------------------------------------

class Script:
    """The shell script of a RUN: its command line, then the heredoc bodies the shell runs.

    :meth:`position` maps an offset in :attr:`text` (a :attr:`Command.offsets` entry)
    back to the 1-based line and column where that character is written. What the
    checks ask of it (its commands, the installers and package managers they call) is
    worked out once and shared: :func:`run_script` gives every check the same Script.
    """

    __slots__ = ("_calls", "_commands", "_installs", "lines", "locate", "text")

    def __init__(self, text: str, locate: Callable[[int], tuple[int, int]]) -> None:
        self.text = text
        self.locate = locate
        self.lines: Sequence[str] = ()  # the file's physical lines the positions refer to
        self._commands: tuple[Command, ...] | None = None
        self._installs: tuple[Install | None, ...] | None = None
        self._calls: tuple[PackageCall | None, ...] | None = None

    def __repr__(self) -> str:
        return f"Script({self.text!r})"

    def position(self, offset: int) -> tuple[int, int]:
        return self.locate(offset)

    def commands(self) -> tuple[Command, ...]:
        if self._commands is None:
            self._commands = commands(self.text)
        return self._commands

    def installs(self) -> tuple[Install | None, ...]:
        """:func:`python_install` of each of :meth:`commands`."""
        if self._installs is None:
            self._installs = tuple(python_install(cmd) for cmd in self.commands())
        return self._installs

    def package_calls(self) -> tuple[PackageCall | None, ...]:
        """:func:`package_call` of each of :meth:`commands`."""
        if self._calls is None:
            self._calls = tuple(package_call(cmd) for cmd in self.commands())
        return self._calls


_JSON_STRING_RE = lazy(r'"((?:[^"\\]|\\.)*)"', re.DOTALL)
_PLAIN_WORD_RE = lazy(r"[\w@%+=:,./-]+")


def run_script(instr: Instruction, lines: Sequence[str] = ()) -> Script:
    """The script that RUN ``instr`` executes (``lines``: the file's physical lines).

    A heredoc body is part of the script when the shell runs it: ``RUN <<EOF`` (unless
    a shebang names another interpreter, e.g. ``#!/usr/bin/env python3``) or
    ``RUN bash -e <<EOF``. The body of ``RUN python3 <<EOF`` or ``RUN cat <<EOF > f``
    is data, not shell. The exec form ``RUN ["sh", "-c", "..."]`` is rebuilt as a
    quoted command line whose offsets map back into the JSON strings.

    Made once per instruction (and ``lines``): every check of a run gets the same Script.
    """
    if instr.script is not None and instr.script.lines is lines:
        return instr.script
    script = _run_script(instr, lines)
    if "$" in script.text:
        script = _resolve_programs(script, instr)
    script.lines = lines
    instr.script = script
    return script


_PROGRAM_VARIABLE_RE = lazy(r"\$(?:([A-Za-z_]\w*)|\{([A-Za-z_]\w*)\})")
_PLAIN_VALUE_RE = lazy(r"[\w@%+=:,./-]+(?: [\w@%+=:,./-]+)*")


def _resolve_programs(script: Script, instr: Instruction) -> Script:
    """``script`` with each program spelled through an ARG or ENV variable (``${PIP} install
    x`` after ``ARG PIP=pip3``) replaced by its value, so that it is recognised like the
    program written out. Only values that :meth:`Instruction.lookup` resolves to plain words
    are used, and only for variables the script itself never assigns; anything else stays
    as written (unknown). Offsets inside a value map back to the variable."""
    text = script.text
    edits: list[tuple[int, int, str]] = []  # (start, end, value), in order
    for cmd in commands(text):
        if not cmd.words or not cmd.offsets:
            continue
        first, start = cmd.words[0], cmd.offsets[0]
        match = _PROGRAM_VARIABLE_RE.fullmatch(first)
        if match is None or (edits and start < edits[-1][1]):
            continue
        name = match.group(1) or match.group(2)
        if f"{name}=" in text or f"for {name} " in text or f"read {name}" in text:
            continue
        var = instr.lookup(name)
        value = var.value.strip() if var is not None and var.resolved else ""
        if not _PLAIN_VALUE_RE.fullmatch(value):
            continue
        if text.startswith(first, start):
            end = start + len(first)
        elif text.startswith(f'"{first}"', start) and " " not in value:
            end = start + len(first) + 2
        else:
            continue
        edits.append((start, end, value))
    if not edits:
        return script
    pieces: list[str] = []
    moved: list[tuple[int, int, int, int]] = []  # (new start, new end, old start, old end)
    done = 0
    shift = 0
    for start, end, value in edits:
        pieces.append(text[done:start])
        pieces.append(value)
        moved.append((start + shift, start + shift + len(value), start, end))
        shift += len(value) - (end - start)
        done = end
    pieces.append(text[done:])
    starts = [new_start for new_start, _, _, _ in moved]
    old_locate = script.locate

    def locate(offset: int) -> tuple[int, int]:
        index = bisect_right(starts, offset) - 1
        if index < 0:
            return old_locate(offset)
        _, new_end, old_start, old_end = moved[index]
        if offset < new_end:
            return old_locate(old_start)
        return old_locate(old_end + offset - new_end)

    return Script("".join(pieces), locate)


def _run_script(instr: Instruction, lines: Sequence[str]) -> Script:
    # Nothing here refers to ``instr`` itself: the Script is kept in its memo.
    if instr.json is not None:
        return _json_script(instr)
    text = instr.args
    size = len(text)
    args_position = instr.args_locator()
    docs = shell_heredocs(instr)
    if not docs:
        return Script(text, lambda offset: args_position(min(max(offset, 0), size)))
    pieces: list[tuple[int, Heredoc | None]] = [(0, None)]
    for doc in docs:
        text += "\n"
        pieces.append((len(text), doc))
        text += doc.content
    starts = [start for start, _ in pieces]

    def locate(offset: int) -> tuple[int, int]:
        start, doc = pieces[max(bisect_right(starts, offset) - 1, 0)]
        rel = max(offset - start, 0)
        if doc is None:
            return args_position(min(rel, size))
        body = doc.content
        rel = min(rel, len(body))
        line = doc.start_line + body.count("\n", 0, rel)
        col0 = rel - (body.rfind("\n", 0, rel) + 1)
        if doc.chomp and 0 < line <= len(lines):
            physical = lines[line - 1]
            col0 += len(physical) - len(physical.lstrip("\t"))
        return line, col0 + 1

    return Script(text, locate)


def shell_heredocs(instr: Instruction) -> tuple[Heredoc, ...]:
    """The heredocs of a shell-form RUN whose bodies the shell runs (the rest is data)."""
    if instr.json is not None or not instr.heredocs or not _runs_heredocs(commands(instr.args)):
        return ()
    return tuple(doc for doc in instr.heredocs if _shebang_is_shell(doc.content))


def _runs_heredocs(cmds: Sequence[Command]) -> bool:
    """Whether the heredocs feed a shell: no command at all, or only shells without -c."""
    return all(
        c.program in _SHELLS and not any(w.startswith("-") and "c" in w[1:] for w in c.words[1:])
        for c in cmds
    )


def _shebang_is_shell(body: str) -> bool:
    if not body.startswith("#!"):
        return True
    words = body[2:].split("\n", 1)[0].split()
    if words and words[0].rsplit("/", 1)[-1] == "env":
        words = [w for w in words[1:] if not w.startswith("-")]
    return bool(words) and words[0].rsplit("/", 1)[-1] in _SHELLS


def _json_script(instr: Instruction) -> Script:
    words = instr.json or ()
    args_position = instr.args_locator()
    raw = list(_JSON_STRING_RE.finditer(instr.args))
    pieces: list[str] = []
    starts: list[int] = []
    spans: list[tuple[int, int, bool]] = []  # (quote length, raw content start, exact)
    length = -1
    for index, word in enumerate(words):
        match = raw[index] if index < len(raw) else None
        exact = match is not None and match.group(1) == word
        if _PLAIN_WORD_RE.fullmatch(word):
            piece, quote = word, 0
        else:
            piece, quote = "'" + word.replace("'", "'\"'\"'") + "'", 1
            exact = exact and "'" not in word
        starts.append(length + 1)
        spans.append((quote, match.start(1) if match else 1, exact))
        pieces.append(piece)
        length += len(piece) + 1

    def locate(offset: int) -> tuple[int, int]:
        if not spans:
            return args_position(0)
        index = max(bisect_right(starts, offset) - 1, 0)
        quote, content, exact = spans[index]
        inner = min(max(offset - starts[index] - quote, 0), len(words[index]))
        return args_position(content + inner if exact else content - 1)

    return Script(" ".join(pieces), locate)


# ---------------------------------------------------------------------------
# System package managers
# ---------------------------------------------------------------------------

class PackageCall(NamedTuple):
    """A system package-manager call: ``apt-get -y install --no-install-recommends gcc``.

    ``manager`` is the program (apt-get, apt, aptitude, apt-fast, nala, apk, yum, dnf,
    microdnf, tdnf),
    ``verb`` the sub-command in lower case (``install``, ``add``, ``del``, ``update``;
    ``group install`` for dnf's two-word form), ``options`` the option words in order
    (values included), and ``operands`` the indexes in ``command.words`` of the words
    after the verb that are not options: package names, for the install verbs.
    """

    manager: str
    verb: str
    options: tuple[str, ...]
    operands: tuple[int, ...]
    command: Command

    def operand_words(self) -> list[str]:
        return [self.command.words[i] for i in self.operands]

    def packages(self, instr: Instruction) -> tuple[list[str], bool]:
        """The package words, with the ARG and ENV variables of ``instr`` expanded and
        split on blanks as the shell splits an unquoted variable (``apt-get install
        ${RUNTIME_PACKAGES}`` after ``ARG RUNTIME_PACKAGES="curl tzdata"``), and whether
        every word is known: False when a variable has no value here (set in the script,
        or by ``--build-arg``), or when no package is named (``xargs -a packages.txt
        apt-get install``), so that the call may install anything."""
        names: list[str] = []
        known = bool(self.operands)
        for word in self.operand_words():
            if "$" not in word:
                names.append(word)
                continue
            expanded = instr.expand(word)
            if expanded.resolved:
                names.extend(expanded.value.split())
            else:
                known = False
        return names, known


_APT_VALUE = frozenset({
    "-o", "--option", "-c", "--config-file", "-t", "--target-release", "--default-release",
    "-a", "--host-architecture", "-P", "--build-profiles",
})
_APK_VALUE = frozenset({
    "-X", "--repository", "-t", "--virtual", "-p", "--root", "--arch", "--keys-dir",
    "--repositories-file", "--cache-dir", "--cache-max-age", "--timeout",
})
_RPM_VALUE = frozenset({
    "--setopt", "--enablerepo", "--disablerepo", "--releasever", "--installroot", "-c",
    "--config", "-x", "--exclude", "--repo", "--repoid", "--repofrompath", "--forcearch",
    "-d", "--debuglevel", "-e", "--errorlevel", "--downloaddir", "--destdir",
})
_PACKAGE_MANAGERS = {
    "apt-get": _APT_VALUE, "apt": _APT_VALUE, "aptitude": _APT_VALUE, "apt-fast": _APT_VALUE,
    "nala": _APT_VALUE, "apk": _APK_VALUE,
    "yum": _RPM_VALUE, "dnf": _RPM_VALUE, "dnf5": _RPM_VALUE, "microdnf": _RPM_VALUE,
    "tdnf": _RPM_VALUE,
}


def package_call(cmd: Command) -> PackageCall | None:
    """Recognise a system package-manager call (any verb), else None.

    Options may come before or after the verb (``apt-get install -y x``,
    ``apk --no-cache add x``); a ``--`` ends them. ``eatmydata`` in front is skipped.
    """
    words = cmd.words
    start = 1 if cmd.program == "eatmydata" and len(words) > 1 else 0
    manager = words[start].rsplit("/", 1)[-1] if words else ""
    with_value = _PACKAGE_MANAGERS.get(manager)
    if with_value is None:
        return None
    options: list[str] = []
    operands: list[int] = []
    verb = ""
    i = start + 1
    only_operands = False
    while i < len(words):
        word = words[i]
        if only_operands or not word.startswith("-") or word == "-":
            if verb:
                operands.append(i)
            else:
                verb = word.lower()
        elif word == "--":
            only_operands = True
        else:
            options.append(word)
            if word in with_value and i + 1 < len(words):
                i += 1
                options.append(words[i])
        i += 1
    if not verb:
        return None
    if verb in ("group", "groups") and operands and manager != "apk":
        verb = f"group {words[operands[0]].lower()}"
        operands = operands[1:]
    return PackageCall(manager, verb, tuple(options), tuple(operands), cmd)


def installs_system_packages(cmd: Command) -> bool:
    """Whether ``cmd`` is a tool that installs system packages by calling the package
    manager itself: ``playwright install --with-deps`` / ``install-deps`` (also through
    ``npx`` or ``python -m``), ``rosdep install``, ``mk-build-deps -i``, ``gdebi``."""
    words = cmd.words
    program = cmd.program
    if program == "npx" or _PYTHON_RE.match(program):
        rest = [w for w in words[1:] if not w.startswith("-")]
        words = tuple(rest[:1]) + words[words.index(rest[0]) + 1:] if rest else ()
        program = words[0].rsplit("/", 1)[-1].split("@", 1)[0] if words else ""
    if program == "playwright":
        return "install-deps" in words[1:2] or (words[1:2] == ("install",) and "--with-deps" in words)
    if program == "rosdep":
        return "install" in words[1:2]
    if program == "mk-build-deps":
        return any(w in ("-i", "--install") or (w.startswith("-") and not w.startswith("--") and "i" in w)
                   for w in words[1:])
    return program == "gdebi"


def instruction_commands(instr: Instruction) -> tuple[Command, ...]:
    """The commands a CMD, ENTRYPOINT or HEALTHCHECK runs, exec form included (split once
    per instruction)."""
    if instr.run_commands is None:
        instr.run_commands = _instruction_commands(instr)
    return instr.run_commands


def _instruction_commands(instr: Instruction) -> tuple[Command, ...]:
    from hooks._dockerfile import healthcheck_probe

    argv, script = instr.json, instr.args
    if instr.keyword == "HEALTHCHECK":
        probe = healthcheck_probe(instr.args)
        if probe is None:
            return ()
        argv, script = probe[1], instr.args[probe[0]:]
    if argv is not None:
        return argv_commands(argv)
    return commands(script)


def argv_commands(argv: tuple[str, ...]) -> tuple[Command, ...]:
    """The commands of an exec-form argument list (quoted as a shell would need it)."""
    import shlex

    return commands(shlex.join(argv))
