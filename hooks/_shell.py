"""Shell command lines of RUN instructions, split into simple commands.

Not a shell: a small, linear, never-raising lexer that is good enough to answer
"which programs does this RUN call, with which words". It handles quotes, escapes,
comments, ``&& || ; | &`` and newlines, subshell and group brackets, leading
``NAME=value`` assignments, wrappers (``sudo``, ``env``, ``exec``, ``time``, ``nice``,
``nohup``, ``command``), shell keywords (``if``/``then``/``do``/...), and
``sh -c '...'`` / ``bash -c "..."`` (whose argument is split in turn).
Variables stay literal (``$PIP_FLAGS``); ``$(...)`` and backquotes stay inside
their word.

On top of it, :func:`python_install` recognises the Python installers that the
checks care about: pip in all its spellings, ``uv``, ``poetry``, ``pipenv``, ``pdm``.
"""
from __future__ import annotations

import re
from typing import NamedTuple

_OPERATORS = ("&&", "||", ";;", ";", "|", "&", "\n", "(", ")")
_KEYWORDS = frozenset({"if", "then", "else", "elif", "do", "while", "until", "!", "{", "time"})
_CLOSERS = frozenset({"fi", "done", "esac", "}"})
_WRAPPERS = frozenset({"exec", "nohup", "command", "builtin", "eval"})
_ASSIGNMENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\+?=")
_PYTHON_RE = re.compile(r"^python(\d+(\.\d+)?)?$")
_PIP_RE = re.compile(r"^pip(\d+(\.\d+)?)?$")
_SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh"})
MAX_NESTING = 8


class Command(NamedTuple):
    """A simple command: its words after assignments and wrappers are removed."""

    words: tuple[str, ...]
    assignments: tuple[str, ...]  # leading NAME=value words (and `env NAME=value`)
    offset: int  # offset in the script of the first word (of the original command)

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


def _tokens(script: str) -> list[tuple[str, int, bool]]:
    """(text, offset, is_operator) tokens; quotes removed from words."""
    out: list[tuple[str, int, bool]] = []
    word: list[str] = []
    start = -1
    in_word = False
    pos = 0
    n = len(script)
    while pos < n:
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
        if ch in " \t\r":
            if in_word:
                out.append(("".join(word), start, False))
                word, in_word = [], False
            pos += 1
            continue
        if ch in "<>":
            # A redirection: drop a file-descriptor prefix, skip the operator and target.
            if in_word:
                text = "".join(word)
                if not text.isdigit():
                    out.append((text, start, False))
                word, in_word = [], False
            while pos < n and script[pos] in "<>&|-":
                pos += 1
            while pos < n and script[pos] in " \t":
                pos += 1
            quote = ""
            while pos < n and (quote or script[pos] not in " \t\n;&|()"):
                if script[pos] in "'\"" and not quote:
                    quote = script[pos]
                elif script[pos] == quote:
                    quote = ""
                pos += 1
            continue
        op = next((o for o in _OPERATORS if script.startswith(o, pos)), None)
        if op is not None and not (op in "()" and in_word):
            if in_word:
                out.append(("".join(word), start, False))
                word, in_word = [], False
            out.append((op, pos, True))
            pos += len(op)
            continue
        if not in_word:
            in_word, start = True, pos
        word.append(ch)
        pos += 1
    if in_word:
        out.append(("".join(word), start, False))
    return out


def commands(script: str, _depth: int = 0) -> list[Command]:
    """The simple commands of ``script``, in order."""
    found: list[Command] = []
    current: list[tuple[str, int]] = []
    for text, offset, is_op in [*_tokens(script), ("", len(script), True)]:
        if not is_op:
            current.append((text, offset))
            continue
        if current:
            _finish(current, found, _depth)
            current = []
    return found


def _finish(words: list[tuple[str, int]], found: list[Command], depth: int) -> None:
    offset = words[0][1]
    texts = [w for w, _ in words]
    assignments: list[str] = []
    i = 0
    while i < len(texts):
        word = texts[i]
        if word in _KEYWORDS or word in _WRAPPERS:
            i += 1
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
        elif word in ("nice", "timeout", "stdbuf", "xargs") and i + 1 < len(texts):
            i += 1
            while i < len(texts) and (texts[i].startswith("-") or texts[i][:1].isdigit()):
                i += 1
        else:
            break
    rest = texts[i:]
    if not rest or rest[0] in _CLOSERS:
        return
    program = rest[0].rsplit("/", 1)[-1]
    if program in _SHELLS and depth < MAX_NESTING:
        for j, word in enumerate(rest[1:], start=1):
            if word.startswith("-") and "c" in word[1:] and not word.startswith("--"):
                if j + 1 < len(rest):
                    found.extend(
                        Command(c.words, tuple(assignments) + c.assignments, offset)
                        for c in commands(rest[j + 1], depth + 1)
                    )
                return
    found.append(Command(tuple(rest), tuple(assignments), offset))


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
    "-p", "--python-preference", "--allow-insecure-host", "--native-tls",
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


def option_value(args: tuple[str, ...], *names: str) -> list[str]:
    """Values of ``--name value``, ``--name=value`` and ``-nvalue`` options in ``args``."""
    values: list[str] = []
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
        i += 1
    return values
