"""check-dockerfile-pitfalls: instructions that silently do something else than written.

DPH603, DPH604 and DPH606 to DPH609 look at every instruction of every stage (ONBUILD
triggers included): they are about what the text means, wherever it is. DPH605 looks
only at the ``CMD`` and ``ENTRYPOINT`` that the shipped image ends up with: those of
the final stage (``--target``, else the last one that is not a dev or test stage) and
the stages it is built ``FROM``, an ``ENTRYPOINT`` clearing an inherited ``CMD`` as in
BuildKit. A ``CMD`` of a builder stage never runs, and an overridden one does not matter. Windows images (a
``windows``/``nanoserver``/``servercore`` base, a PowerShell or cmd ``SHELL``, or the
backtick ``escape`` directive) are not judged by DPH605: shell form is their norm.

Options:
    --target NAME   judge the CMD/ENTRYPOINT of stage NAME instead of the last one.

## DPH603 invalid-exec-form
### What it does
Reports a ``CMD``, ``ENTRYPOINT``, ``RUN``, ``SHELL`` or ``HEALTHCHECK CMD`` that starts
with ``[`` but is not a JSON array of strings: single quotes, missing commas, a stray
``\\`` in a Windows path, or text after the closing ``]``. Also ``COPY``, ``ADD`` and
``VOLUME`` lists that start with ``["`` or ``['``. Reported at the offending character.
A ``RUN [ -f x ]`` test command is not an exec form.
### Why is this bad?
Docker does not reject such a list: it falls back to shell form and runs the whole text
with ``/bin/sh -c``. ``CMD ["curl", "-f", "http://x/"] || exit 1`` then runs a program
named ``[curl,`` and the health check always fails; ``VOLUME ['/data']`` creates a
volume named ``['/data']``. Overlaps hadolint DL3025 (CMD/ENTRYPOINT only).
### Example
```dockerfile
FROM python:3.12-slim-bookworm
CMD ['gunicorn', 'app:app']
```
### Use instead
```dockerfile
FROM python:3.12-slim-bookworm
CMD ["gunicorn", "app:app"]
```

## DPH604 inline-comment
### What it does
Reports a ``#`` that starts a word after an instruction's arguments, outside quotes.
``RUN``, ``CMD``, ``ENTRYPOINT``, ``SHELL`` and ``HEALTHCHECK CMD`` are exempt: their
shell treats it as a comment. A ``#`` inside a word (``http://x/#frag``, ``color=#fff``)
is not a comment start and is fine.
### Why is this bad?
Only whole lines are comments in a Dockerfile. ``ENV A 1 # note`` sets ``A`` to
``1 # note``; ``COPY . /app # note`` copies into ``/app``, ``#`` and ``note``;
``EXPOSE 8000 # http`` fails the build.
### Example
```dockerfile
FROM python:3.12-slim-bookworm
WORKDIR /app  # the code lives here
```
### Use instead
```dockerfile
FROM python:3.12-slim-bookworm
# the code lives here
WORKDIR /app
```
### Fix
Moves the comment to its own line above the instruction, indented like it. Not
offered when the comment spans continuation lines, is all the arguments, mentions
``dph`` (it would become a suppression), or would become a parser directive (a
``key=value`` comment above the first instruction).

## DPH605 shell-form-command
### What it does
Reports the shipped image's ``ENTRYPOINT`` in shell form, and its ``CMD`` in shell form
when there is no ``ENTRYPOINT`` or an exec-form one. A shell-form command whose
application replaces the shell with ``exec`` is fine (without an exec-form
``ENTRYPOINT``): the command that ends up running is the last of a list joined by
``&&``, ``;`` or newlines (``migrate && exec gunicorn app:app``; a ``|| exit 1``
fallback after it does not count), ``NAME=value`` assignments may come first
(``PORT=80 exec app``), and ``exec sh -c '...'`` is judged by its command string.
Reported too: ``exec`` before an earlier command (``exec migrate && gunicorn``
replaces the shell with ``migrate``, and ``gunicorn`` never runs), and ``exec`` in a
pipeline or a ``( ... )`` subshell, which replaces only a child of the shell. An
``exec`` with no program (``exec >log 2>&1``) only redirects the shell's output.
### Why is this bad?
Shell form runs ``/bin/sh -c "..."``: the shell is PID 1, ``docker stop``'s SIGTERM
does not reach the application, which is killed after the timeout without a graceful
shutdown. A shell-form ``ENTRYPOINT`` ignores ``CMD`` and ``docker run`` arguments; a
shell-form ``CMD`` after an exec-form ``ENTRYPOINT`` passes ``/bin/sh -c ...`` to it as
arguments. Overlaps hadolint DL3025 and BuildKit's JSONArgsRecommended, which reports
every shell-form ``CMD`` and ``ENTRYPOINT`` of every stage it builds unless that stage
or one it is built from has a ``SHELL``. Differences kept on purpose: a ``SHELL`` does
not silence DPH605 (bash or a custom shell as PID 1 forwards no signals either); only
the shipped image's commands are judged (not a builder stage's, nor an overridden
one); a command whose application replaces the shell with ``exec`` passes; Windows
images are not judged.
### Example
```dockerfile
FROM python:3.12-slim-bookworm
CMD gunicorn --bind 0.0.0.0:8000 app:app
```
### Use instead
```dockerfile
FROM python:3.12-slim-bookworm
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]
# or, to run a step first: CMD python manage.py migrate && exec gunicorn app:app
```
### Fix
Rewrites a one-line command to exec form (``CMD ["gunicorn", "app:app"]``) only when
it has no shell syntax at all: every word is plain (letters, digits and
``@%+=:,./-``: no variables, quotes, globs, ``~``, operators or redirections), the
first word is a program (not an assignment or a shell built-in such as ``cd``), and no
stage of the chain sets a ``SHELL``. A shell-form ``ENTRYPOINT`` is rewritten only when
no ``CMD`` follows it (in exec form it would receive that ``CMD`` as arguments). Not
offered when the program is a script of the build context (named by a path: the file at
that path, or a ``COPY`` source of that name) with no ``#!`` line: ``/bin/sh`` runs it as
a script, exec form fails with "exec format error"; the message says to add one.

## DPH606 legacy-key-value-format
### What it does
Reports ``ENV`` and ``LABEL`` in the legacy ``key value`` form (no ``=``), also when
blanks around the ``=`` made it so (``ENV DEBUG = 0``).
### Why is this bad?
The legacy form sets one variable to the whole rest of the line, blanks included:
``ENV PYTHONUNBUFFERED 1 PYTHONDONTWRITEBYTECODE 1`` sets only ``PYTHONUNBUFFERED``,
to ``1 PYTHONDONTWRITEBYTECODE 1``, and ``ENV DEBUG = 0`` sets ``DEBUG`` to ``= 0``.
It is deprecated. Same as BuildKit's LegacyKeyValueFormat, which ``docker build
--check`` also reports in every stage (a plain build warns only in the stages it
builds); BuildKit judges an ``ONBUILD`` trigger only in the child build that runs it.
### Example
```dockerfile
FROM python:3.12-slim-bookworm
ENV PYTHONUNBUFFERED 1
```
### Use instead
```dockerfile
FROM python:3.12-slim-bookworm
ENV PYTHONUNBUFFERED=1
```
### Fix
Rewrites a one-line ``ENV key value`` as ``ENV key=value``, or ``ENV key="value"``
when the value has blanks, only when the new value expands exactly like the old one
(checked by our parser with the variables set, unset and empty). Not offered for
``ENV KEY = 1`` (was ``1`` meant, or ``= 1``?), for values whose ``#`` DPH604 reports
(that fix comes first), for a value that reads as more variables (``ENV A 1 B 2``
sets A to ``1 B 2``; the message shows the pairs that were meant, which change what the
image sets), nor across continuation lines.

## DPH607 from-as-casing
### What it does
Reports ``FROM image as name`` whose ``AS`` keyword is not cased like its ``FROM``
(``FROM x as y``, ``from x AS y``), reported at the ``as``. A mixed-case ``From`` is
not judged. Same as BuildKit's FromAsCasing.
### Why is this bad?
Mixed keyword casing is harder to read and to search (``grep 'AS builder'``); BuildKit
warns about it on every build.
### Example
```dockerfile
FROM python:3.12-slim-bookworm as builder
```
### Use instead
```dockerfile
FROM python:3.12-slim-bookworm AS builder
```
### Fix
Rewrites ``as`` in the case of the ``FROM`` keyword.

## DPH608 exec-form-variable
### What it does
Reports a ``$NAME`` or ``${NAME}`` in an exec-form ``CMD``, ``ENTRYPOINT``, ``RUN`` or
``HEALTHCHECK CMD`` (``["gunicorn", "--bind", "0.0.0.0:${PORT}"]``), at the variable.
Not reported: what a shell in the list receives (``["sh", "-c", "exec app --port
$PORT"]``, also after ``tini --`` or ``gosu user``), the words of programs that read
``$`` themselves (``awk``, ``sed``, ``jq``, ``envsubst``, ``perl``), code after ``-c`` or
``-e`` (``python -c "...'$HOME'..."``), and a ``CMD`` whose words go to an ``ENTRYPOINT``
that may expand them (a shell, ``["sh", "-c"]``, or a script; ``tini``, ``dumb-init`` and
``gosu`` pass them on unchanged, so under those the ``CMD`` is judged).
### Why is this bad?
The exec form runs the program directly, without a shell, and Docker expands no
variable in it: the program gets the literal text ``${PORT}`` and fails, or worse,
binds or reads something else. hadolint and ``docker build --check`` do not report it.
### Example
```dockerfile
FROM python:3.12-slim-bookworm
ENV PORT=8000
CMD ["gunicorn", "--bind", "0.0.0.0:${PORT}", "app:app"]
```
### Use instead
```dockerfile
FROM python:3.12-slim-bookworm
ENV PORT=8000
CMD ["sh", "-c", "exec gunicorn --bind \\"0.0.0.0:${PORT}\\" app:app"]
```
(``exec`` makes the application replace the shell, so it is PID 1 and gets signals.)

## DPH609 exec-form-command-in-one-item
### What it does
Reports an exec-form ``CMD``, ``ENTRYPOINT``, ``RUN`` or ``HEALTHCHECK CMD`` whose first
item, the program, is a whole command line (``CMD ["python3 main.py"]``), at the item.
A path with blanks (``["C:\\\\Program Files\\\\app.exe"]``) is a program name, and a
``CMD`` under an ``ENTRYPOINT`` holds that program's arguments, where blanks are fine.
### Why is this bad?
The exec form runs its first item as the program, without a shell to split it: Docker
looks for an executable named ``python3 main.py`` and finds none, so the container
does not start (``exec: "python3 main.py": executable file not found in $PATH``), the
``RUN`` fails the build, or the health check always fails.
### Example
```dockerfile
FROM python:3.12-slim-bookworm
CMD ["python3 main.py"]
```
### Use instead
```dockerfile
FROM python:3.12-slim-bookworm
CMD ["python3", "main.py"]
```
"""
from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from hooks._cli import run_hook
from hooks._dockerfile import (
    Dockerfile,
    Instruction,
    Stage,
    Var,
    expand,
    healthcheck_probe,
    key_values_of,
    parse_json_array,
    parse_words,
    split_blanks,
)
from hooks._findings import ERROR, INFO, WARNING, Finding, Fix, Rule, unknown_target
from hooks._fix import args_edits, indent, line_start, newline_near
from hooks._hook import TARGET, Hook
from hooks._images import is_windows
from hooks._shell import MAX_NESTING, Step, command_list, shell_command_string

if TYPE_CHECKING:
    from hooks._context import BuildContext

INVALID_EXEC_FORM = Rule(
    "DPH603", "invalid-exec-form", ERROR,
    "An exec-form [...] list that is not valid JSON runs as a shell command.",
)
INLINE_COMMENT = Rule(
    "DPH604", "inline-comment", ERROR, "A '#' after an instruction's arguments is not a comment.",
    fixable=True,
)
SHELL_FORM = Rule(
    "DPH605", "shell-form-command", WARNING,
    "The shipped CMD or ENTRYPOINT is in shell form, so signals do not reach the application.",
    fixable=True,
)
LEGACY_KEY_VALUE = Rule(
    "DPH606", "legacy-key-value-format", WARNING, "ENV or LABEL uses the legacy 'key value' form.",
    fixable=True,
)
FROM_AS_CASING = Rule(
    "DPH607", "from-as-casing", INFO, "The 'AS' of a FROM is not cased like the 'FROM'.",
    fixable=True,
)
EXEC_FORM_VARIABLE = Rule(
    "DPH608", "exec-form-variable", ERROR,
    "An exec-form [...] list names a variable, which no shell expands.",
)
EXEC_FORM_ONE_STRING = Rule(
    "DPH609", "exec-form-command-in-one-item", ERROR,
    "An exec-form [...] list names its whole command line as the program.",
)
RULES = (
    INVALID_EXEC_FORM, INLINE_COMMENT, SHELL_FORM, LEGACY_KEY_VALUE, FROM_AS_CASING, EXEC_FORM_VARIABLE,
    EXEC_FORM_ONE_STRING,
)

_SHELL_RUNS = frozenset({"CMD", "ENTRYPOINT", "RUN", "HEALTHCHECK"})
_LISTS = frozenset({"COPY", "ADD", "VOLUME"})
_NO_INLINE_CHECK = frozenset({"RUN", "CMD", "ENTRYPOINT", "SHELL", "ONBUILD"})
_SIMPLE_RE = re.compile(r"^[\w@%+=:,./-]+$")  # a word that needs no quotes in JSON or shell
_PLAIN_VALUE_RE = re.compile(r"^[\w@%+=:,./${}-]+$")  # an ENV value that needs no quotes


# What a rule finds in one instruction: (rule, offset in the arguments, message).
_Problem = tuple[Rule, int, str]


def _exec_text(kw: str, args: str) -> tuple[int, str] | None:
    """(offset in args, text) of what may be an exec-form list, or None."""
    if kw == "HEALTHCHECK":
        probe = healthcheck_probe(args)
        return None if probe is None else (probe[0], args[probe[0]:])
    if kw in _SHELL_RUNS or kw == "SHELL" or kw in _LISTS:
        return 0, args
    return None


def _meant_as_exec(kw: str, text: str) -> bool:
    if kw in _LISTS:
        return re.match(r"\[\s*['\"]", text) is not None
    if text.startswith("[["):
        return False  # bash's [[ test ]]
    if kw != "RUN" or text[1:2] not in (" ", "\t"):
        return True
    quote = ""
    for ch in text[1:]:  # `RUN [ -f x ] && ...` is the test command; commas say it is a list
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == ",":
            return True
        elif ch == "]":
            return False
    return False


def _invalid_exec_form(instr: Instruction) -> _Problem | None:
    kw = instr.keyword
    found = _exec_text(kw, instr.args)
    if found is None or not found[1].startswith("["):
        return None
    start, text = found
    if parse_json_array(text) is not None or not _meant_as_exec(kw, text):
        return None
    if kw == "SHELL":
        effect = "the build fails"
    elif kw in _LISTS:
        effect = "Docker takes the brackets and quotes as part of the paths"
    else:
        effect = "Docker runs the whole line with /bin/sh -c"
    import json  # only for a broken exec form: a hook run rarely needs it

    try:
        value, end = json.JSONDecoder().raw_decode(text)
    except (ValueError, RecursionError) as exc:
        pos = exc.pos if isinstance(exc, json.JSONDecodeError) else 0
        msg = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
        if text[pos:pos + 1] == "'" or text[1:].lstrip().startswith("'"):
            pos = text.index("'")
            problem, fix = "uses single quotes, which JSON does not allow", "use double quotes"
        else:
            problem = f"is not valid JSON ({msg[:1].lower()}{msg[1:]})"
            fix = "write a JSON array of double-quoted strings"
    else:
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            pos = end + len(text[end:]) - len(text[end:].lstrip())
            tail = text[pos:]
            tail = tail if len(tail) <= 30 else tail[:27] + "..."
            problem = f"is followed by more text ('{tail}')"
            fix = "move it into the list or drop it"
        else:
            pos = 0
            problem, fix = "has items that are not strings", "quote every item"
    return INVALID_EXEC_FORM, start + pos, f"{kw} exec form {problem}, so {effect}; {fix}"


def _comment_start(text: str, escape: str) -> int:
    """Offset of a '#' that starts a word outside quotes, or -1."""
    quote = ""
    blank_before = True
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if quote:
            if ch == quote:
                quote = ""
            elif ch == escape and quote == '"':
                pos += 1
        elif ch == escape:
            pos += 2
            blank_before = False
            continue
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and blank_before:
            return pos
        blank_before = not quote and ch in " \t"
        pos += 1
    return -1


def _inline_comment(instr: Instruction, escape: str) -> _Problem | None:
    kw, args = instr.keyword, instr.args
    if kw in _NO_INLINE_CHECK or (kw == "HEALTHCHECK" and healthcheck_probe(args) is not None):
        return None
    found = _comment_start(args, escape)
    if found < 0:
        return None
    comment = args[found:]
    comment = comment if len(comment) <= 30 else comment[:27] + "..."
    return INLINE_COMMENT, found, (
        f"'{comment}' is not a comment: only whole lines are comments in a Dockerfile, so it is "
        f"part of the {kw} arguments; move it to its own line above"
    )


_ENV_NAME_RE = re.compile(r"[A-Z_][A-Z0-9_]*")


def _several_variables(kw: str, value: str) -> list[str] | None:
    """The words of a legacy ``ENV`` value that reads as more pairs (``1 PYTHONDONTWRITEBYTECODE
    1``: ``ENV PYTHONUNBUFFERED 1 PYTHONDONTWRITEBYTECODE 1`` was meant as two variables),
    else None. The legacy form sets one variable to all of it."""
    if kw != "ENV" or any(c in value for c in "\"'"):
        return None
    words = value.split()
    if len(words) < 3 or len(words) % 2 == 0 or not all(_ENV_NAME_RE.fullmatch(w) for w in words[1::2]):
        return None
    return words


def _legacy_key_value(instr: Instruction, escape: str) -> _Problem | None:
    kw, keyword_raw, args = instr.keyword, instr.keyword_raw, instr.args
    words = parse_words(args, escape)
    if not words or "=" in words[0]:
        return None
    key, value, _ = instr.key_values(escape)[0]
    if not value:
        return None  # a syntax error (DPH904)
    several = _several_variables(kw, value)
    if several is not None:
        rest = zip(several[1::2], several[2::2], strict=True)
        pairs = " ".join([f"{key}={several[0]}", *(f"{name}={word}" for name, word in rest)])
        shown = value if len(value) <= 60 else value[:57] + "..."
        return LEGACY_KEY_VALUE, 0, (
            f"legacy '{kw} key value' form sets one variable, {key}, to '{shown}', which reads as several "
            f"variables; write '{keyword_raw} {pairs}'"
        )
    real, meant = value, value[1:].lstrip(" \t") if value.startswith("=") else ""
    if meant:
        value = meant  # 'ENV KEY = 1': the blanks around '=' made it the legacy form
    if len(value) > 40:
        fixed = f"{key}=..."
    elif _PLAIN_VALUE_RE.match(value) or (
        len(value) > 1 and value[0] in "'\"" and value[-1] == value[0] and value[0] not in value[1:-1]
    ):
        fixed = f"{key}={value}"
    elif '"' not in value and "\\" not in value:
        fixed = f'{key}="{value}"'
    else:
        fixed = f"{key}=..."
    if meant:
        return LEGACY_KEY_VALUE, 0, (
            f"the blanks around '=' make this the legacy '{kw} key value' form: it sets "
            f"{key} to '{real if len(real) <= 40 else real[:37] + '...'}'; write '{keyword_raw} {fixed}'"
        )
    return LEGACY_KEY_VALUE, 0, (
        f"legacy '{kw} key value' form: write '{keyword_raw} {fixed}'; the old form "
        f"is deprecated and takes the whole rest of the line, blanks included, as the value"
    )


def _from_as_casing(instr: Instruction) -> _Problem | None:
    keyword_raw, args = instr.keyword_raw, instr.args
    words = split_blanks(args)
    if len(words) < 3 or words[1].lower() != "as":
        return None
    keyword, word = keyword_raw, words[1]
    if keyword == keyword.lower():
        wanted = word.lower()
    elif keyword == keyword.upper():
        wanted = word.upper()
    else:
        return None
    if word == wanted:
        return None
    return FROM_AS_CASING, max(args.find(word, len(words[0])), 0), (
        f"'{word}' is not cased like '{keyword}': write '{keyword} ... {wanted} {words[2]}'"
    )


def _exec_suggestion(kw: str, script: str) -> str:
    words = split_blanks(script)
    if all(_SIMPLE_RE.match(word) for word in words):
        import json

        return f"use exec form: {kw} {json.dumps(words)}"
    if _VARIABLE_RE.search(script):  # exec form would not expand it (DPH608)
        return (
            f"start the command with 'exec' ({kw} exec ...): it replaces the shell, which still expands the variables"
        )
    return f"use exec form, or start the command with 'exec' ({kw} exec ...) so it replaces the shell"


class _Launch(NamedTuple):
    """How a shell-form command line starts the application: ``main`` is the step that
    should replace the shell (the last one, before any ``||`` fallbacks), ``stopper`` an
    earlier step whose ``exec`` replaces the shell first, so that the rest never runs."""

    main: Step
    stopper: Step | None
    nested: bool  # judged inside 'exec sh -c "..."'
    steps: int


def _launch(script: str, depth: int = 0) -> _Launch | None:
    """How ``script`` starts the application (None: no command to judge). Once
    ``exec sh -c '...'`` replaces the shell, its command string is judged in turn."""
    steps = command_list(script)
    if not steps:
        return None
    main = next(
        (i for i in range(len(steps) - 1, -1, -1) if steps[i].joined_by != "||"), 0
    )  # 'app || exit 1': the part after '||' runs only when the application fails
    stopper = next((step for step in steps[:main] if step.execs), None)
    inner = shell_command_string(steps[main].command[1:]) if steps[main].execs else None
    if stopper is None and inner is not None and depth < MAX_NESTING:
        nested = _launch(inner, depth + 1)
        if nested is not None:
            return nested
    return _Launch(steps[main], stopper, depth > 0, len(steps))


def _shown(step: Step) -> str:
    """A step as messages name it: its first two words ('kinto start ...')."""
    words = step.command[1:] if step.execs else step.command
    return " ".join(words[:2]) + (" ..." if len(words) > 2 else "")


def _with_exec(step: Step) -> str:
    """The step with 'exec' in front of its program: '... && exec gunicorn app'."""
    joined = {"": "", "\n": "...; ", ";": "...; "}.get(step.joined_by, f"... {step.joined_by} ")
    assignments = " ".join(step.words[:len(step.words) - len(step.command)])
    return f"'{joined}{assignments + ' ' if assignments else ''}exec {_shown(step)}'"


class _Verdict(NamedTuple):
    """What DPH605 says of a shell-form command that does not replace the shell."""

    text: str
    whole: bool  # the whole message; else the advice after the PID 1 explanation


def _not_replacing(kw: str, instr: Instruction) -> _Verdict | None:
    """Why the shell-form ``instr`` leaves the application under /bin/sh, or None when
    the application replaces the shell with 'exec'."""
    launch = _launch(instr.args)
    if launch is None:
        return _Verdict(_exec_suggestion(kw, instr.args), whole=False)
    main, stopper = launch.main, launch.stopper
    if stopper is not None:
        fix = f"put 'exec' only before the command that runs the application: {_with_exec(main)}"
        return _Verdict(
            f"{kw} in shell form: 'exec' before '{_shown(stopper)}' replaces the shell with it, so the "
            f"commands after it never run; {fix if main.simple else 'remove it'}",
            whole=True,
        )
    if main.execs:
        return None
    if not main.simple:
        return _Verdict(
            "use exec form, or put 'exec' before the command that runs the application, outside any "
            "pipeline, subshell or compound command",
            whole=False,
        )
    if launch.steps == 1 and not launch.nested and main.command == main.words:
        return _Verdict(_exec_suggestion(kw, instr.args), whole=False)  # one command: exec form fits
    return _Verdict(
        f"put 'exec' before the command that runs the application, so it replaces the shell: {_with_exec(main)}",
        whole=False,
    )


def _shell_form(df: Dockerfile, target: str | None, context: BuildContext | None = None) -> list[Finding]:
    stage = df.final_stage(target)
    if stage is None or is_windows(df, df.chain(stage)):
        return []
    entrypoint, cmd = df.entrypoint_cmd(stage)
    chain = df.chain(stage)
    entrypoint_alone = cmd is None  # exec form then changes no CMD it would take as arguments
    found: list[Finding] = []
    for instr in (entrypoint, cmd):
        if instr is None or instr.json is not None or not instr.args:
            continue
        if instr.args.startswith("[") and _meant_as_exec(instr.keyword, instr.args):
            continue  # a broken exec form: DPH603 says what to fix
        if instr is entrypoint or entrypoint is None:
            verdict = _not_replacing(instr.keyword, instr)
            if verdict is None:
                continue
            if verdict.whole:
                message = verdict.text
            elif instr is entrypoint:
                message = (
                    "ENTRYPOINT in shell form runs under /bin/sh -c: the application is not PID 1, gets no "
                    "SIGTERM from 'docker stop', and CMD and 'docker run' arguments are ignored; " + verdict.text
                )
            else:
                message = (
                    "CMD in shell form runs under /bin/sh -c: the application is not PID 1 and gets no "
                    "SIGTERM from 'docker stop'; " + verdict.text
                )
        elif entrypoint.json is not None:
            message = (
                "CMD in shell form after an exec-form ENTRYPOINT passes '/bin/sh', '-c' and the command "
                "to the ENTRYPOINT as arguments; write CMD in exec form (a JSON array)"
            )
        else:
            continue  # ignored by a shell-form ENTRYPOINT, which is reported
        line, col = instr.args_position(0)
        fix = _exec_form_fix(df, instr, chain) if instr is cmd or entrypoint_alone else Fix()
        script = _script_without_shebang(instr, chain, context) if fix else None
        if script is not None:
            fix = Fix()  # execve() of a script without '#!' fails: "exec format error"
            message += f" (the exec form needs a '#!' line in {script}, e.g. '#!/bin/sh': it has none)"
        found.append(SHELL_FORM.at(df.path, line, col, message, fix=fix))
    return found


def _script_without_shebang(instr: Instruction, chain: list[Stage], context: BuildContext | None) -> str | None:
    """The build-context file that the command's program names by a path (``./start.sh``,
    ``/app/start.sh``: the file of that path in the context, or a COPY or ADD source with
    its name), when it is found and does not start with ``#!``: /bin/sh runs such a file
    as a script, but exec form's execve() fails. None when nothing is found."""
    words = split_blanks(instr.args)
    if context is None or not words or "/" not in words[0]:
        return None
    program = words[0]
    name = posixpath.basename(program)
    candidates: list[str] = []
    if not program.startswith("/"):
        candidates.append(posixpath.normpath(program))
    for member in chain:
        for step in member.instructions:
            if step.keyword not in ("COPY", "ADD") or step.flag("from") is not None:
                continue
            sources = list(step.json[:-1]) if step.json is not None else split_blanks(step.args)[:-1]
            candidates.extend(
                posixpath.normpath(source) for source in sources
                if posixpath.basename(source.rstrip("/")) == name and not source.startswith("-")
            )
    for candidate in dict.fromkeys(candidates):
        if candidate.startswith("..") or any(char in candidate for char in "*?[$"):
            continue
        text = context.text(candidate.lstrip("/"))
        if text is not None:
            return None if text.startswith("#!") else candidate
    return None


_VARIABLE_RE = re.compile(r"(?<!\\)\$(?:\{[A-Za-z_][A-Za-z0-9_]*[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)")
# Programs that expand what they are given (shells), or read '$' in their own syntax.
_EXPANDERS = frozenset({
    "sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "busybox", "powershell", "pwsh", "cmd",
    "powershell.exe", "pwsh.exe", "cmd.exe",
    "awk", "gawk", "mawk", "nawk", "sed", "jq", "yq", "envsubst", "perl",
})


# Programs that run the rest of their arguments as a command, unchanged.
_PASS_THROUGH = frozenset({"tini", "tini-static", "dumb-init", "catatonit", "gosu", "su-exec", "setpriv", "exec"})


def _program(word: str) -> str:
    return word.rsplit("/", 1)[-1].rsplit("\\", 1)[-1].lower()


def _passes_on(entrypoint: Instruction | None) -> bool:
    """Whether a CMD's words reach a program unchanged under ``entrypoint``: there is none,
    or it is an exec form of pass-through wrappers (``tini --``, ``gosu app``). Under a
    script or a shell, the CMD's words may be expanded (``ENTRYPOINT ["sh", "-c"]``)."""
    if entrypoint is None:
        return True
    words = entrypoint.json
    if words is None:
        return False  # shell form: the CMD is not run at all
    for index, word in enumerate(words):
        if _program(word) in _PASS_THROUGH or word.startswith("-"):
            continue
        if index > 0 and _program(words[index - 1]) in ("gosu", "su-exec"):
            continue  # the user they switch to
        return False
    return True


def _exec_argv(instr: Instruction) -> tuple[str, ...] | None:
    """The exec-form list a CMD, ENTRYPOINT, RUN or HEALTHCHECK CMD runs, or None."""
    if instr.keyword == "HEALTHCHECK":
        probe = healthcheck_probe(instr.args)
        return probe[1] if probe is not None else None
    return instr.json


def _exec_form_variable(df: Dockerfile, instr: Instruction) -> _Problem | None:
    """DPH608: the first ``$NAME`` in an exec-form list, before any shell in it."""
    kw = instr.keyword
    argv = _exec_argv(instr)
    if not argv or "$" not in instr.args:
        return None
    if kw == "CMD" and 0 <= instr.stage < len(df.stages):
        entrypoint, cmd = df.entrypoint_cmd(df.stages[instr.stage])
        if cmd is instr and not _passes_on(entrypoint):
            return None  # its words are arguments of an ENTRYPOINT that may expand them
    for index, item in enumerate(argv):
        if _program(item) in _EXPANDERS:
            return None  # a shell gets the rest (or a program that reads '$' itself)
        if index > 0 and argv[index - 1] in ("-c", "-e", "--eval", "-command"):
            continue  # code for an interpreter (python -c "...$HOME..."), in its own syntax
        found = _VARIABLE_RE.search(item)
        if found is not None:
            variable = found.group()
            how = '["sh", "-c", "exec ..."]' if kw in ("CMD", "ENTRYPOINT") else '["sh", "-c", "..."]'
            head = f"{kw} CMD" if kw == "HEALTHCHECK" else kw
            return EXEC_FORM_VARIABLE, max(instr.args.find(variable), 0), (
                f"exec form runs no shell, so '{variable}' is not expanded: the program gets that literal "
                f"text; run the command through a shell ({head} {how}) or write the value"
            )
    return None


def _exec_form_one_string(df: Dockerfile, instr: Instruction) -> _Problem | None:
    """DPH609: ``CMD ["python3 main.py"]``: the first item, the program, holds blanks and
    is no path (a path may hold blanks: ``["C:\\Program Files\\app.exe"]``)."""
    kw = instr.keyword
    argv = _exec_argv(instr)
    if not argv or not any(c in argv[0] for c in " \t"):
        return None
    first, _, rest = argv[0].strip().partition(" ")
    if not rest or (("/" in first or "\\" in first) and not rest.lstrip().startswith("-")):
        return None
    if kw == "CMD" and 0 <= instr.stage < len(df.stages):
        entrypoint, cmd = df.entrypoint_cmd(df.stages[instr.stage])
        if cmd is instr and entrypoint is not None:
            return None  # the CMD's items are the ENTRYPOINT's arguments: blanks are fine there
    import json

    head = f"{kw} CMD" if kw == "HEALTHCHECK" else kw
    split = json.dumps([*split_blanks(argv[0]), *argv[1:]])
    outcome = {"RUN": "the build fails", "HEALTHCHECK": "the check always fails"}.get(
        kw, "the container does not start",
    )
    return EXEC_FORM_ONE_STRING, max(instr.args.find(argv[0]), 0), (
        f"exec form runs the program named '{argv[0]}', blanks included, which does not exist, so "
        f"{outcome}; give each word its own item: {head} {split}"
    )


def _problems(df: Dockerfile, instr: Instruction, escape: str) -> list[_Problem]:
    """What DPH603, DPH604, DPH606, DPH607 and DPH608 find in one instruction; a rule is asked
    only when the instruction has what it looks for."""
    kw, args = instr.keyword, instr.args
    found = []
    if instr.json is None and (args.startswith("[") or kw == "HEALTHCHECK"):  # else no exec form to judge
        found.append(_invalid_exec_form(instr))
    if "#" in args:
        found.append(_inline_comment(instr, escape))
    if "$" in args and kw in _SHELL_RUNS:
        found.append(_exec_form_variable(df, instr))
    if kw in _SHELL_RUNS and "[" in args:
        found.append(_exec_form_one_string(df, instr))
    if kw in ("ENV", "LABEL"):
        found.append(_legacy_key_value(instr, escape))
    elif kw == "FROM":
        found.append(_from_as_casing(instr))
    return [problem for problem in found if problem is not None]


def check(df: Dockerfile, *, target: str | None = None, context: BuildContext | None = None) -> list[Finding]:
    """``context``: the build context, where DPH605's fix looks for the script a command runs."""
    findings: list[Finding] = []
    for instr in df.all_instructions():
        for rule, offset, message in _problems(df, instr, df.escape):
            line, col = instr.args_position(offset)
            findings.append(rule.at(df.path, line, col, message, fix=_fix_of(df, instr, rule, offset)))
    if target and df.final_stage(target) is None:
        findings.extend(unknown_target(df.path, target))
    findings.extend(_shell_form(df, target, context))
    return findings


# ---------------------------------------------------------------------------
# Fixes (applied only in fix mode: hooks/_fix.py)
# ---------------------------------------------------------------------------

# Shell words that are not programs: an exec form could not run them.
_SHELL_ONLY = frozenset({
    ".", ":", "alias", "break", "case", "cd", "continue", "do", "done", "elif", "else", "esac",
    "eval", "exec", "exit", "export", "fi", "for", "function", "if", "in", "local", "read",
    "readonly", "return", "select", "set", "shift", "source", "then", "times", "trap", "ulimit",
    "umask", "unset", "until", "wait", "while",
})


def _fix_of(df: Dockerfile, instr: Instruction, rule: Rule, offset: int) -> Fix:
    if rule is FROM_AS_CASING:
        word = split_blanks(instr.args)[1]
        wanted = word.lower() if instr.keyword_raw.islower() else word.upper()
        return args_edits(df, instr, [(offset, offset + len(word), wanted)])
    if rule is LEGACY_KEY_VALUE:
        return _key_value_fix(df, instr)
    if rule is INLINE_COMMENT:
        return _comment_fix(df, instr, offset)
    return Fix()


def _key_value_fix(df: Dockerfile, instr: Instruction) -> Fix:
    """``ENV key value`` -> ``ENV key=value`` or ``key="value"``: only when the new form's
    value expands exactly like the old one (any variables set or unset), on one line,
    and not when a '#' in it is reported by DPH604 (that fix comes first)."""
    args, escape = instr.args, df.escape
    if instr.start_line != instr.end_line or _inline_comment(instr, escape) is not None:
        return Fix()
    key, value, _ = instr.key_values(escape)[0]
    if value.startswith("=") or "?" in expand(value, _LOOKUPS[1], escape).unresolved_names:
        return Fix()  # 'ENV KEY = 1': what was meant is a guess; or the value does not expand
    if _several_variables(instr.keyword, value) is not None:
        return Fix()  # several variables were meant: keeping the one value would keep the bug
    for candidate in (f"{key}={value}", f'{key}="{value}"'):
        pairs = key_values_of(candidate, escape)
        if len(pairs) != 1 or pairs[0][0] != key or parse_words(candidate, escape) != [candidate]:
            continue
        if all(expand(pairs[0][1], lookup, escape) == expand(value, lookup, escape) for lookup in _LOOKUPS):
            return args_edits(df, instr, [(0, len(args), candidate)])
    return Fix()


_LOOKUPS = (
    lambda name: None,
    lambda name: Var(f"<{name}>", True),
    lambda name: Var("", True),
)


def _comment_fix(df: Dockerfile, instr: Instruction, offset: int) -> Fix:
    """Move the comment to its own line above the instruction; not when it would become a
    parser directive or a suppression, or spans continuation lines."""
    args = instr.args
    comment = args[offset:]
    start = len(args[:offset].rstrip(" \t"))
    if (
        start == 0 or "dph" in comment.lower() or (instr is df.instructions[0] and "=" in comment)
        or args_edits(df, instr, [(start, len(args), "")]).edits == ()
    ):
        return Fix()
    line = instr.start_line
    above = (line_start(df, line), line_start(df, line), indent(df, line) + comment + newline_near(df, line))
    return Fix((*args_edits(df, instr, [(start, len(args), "")]).edits, above))


def _exec_form_fix(df: Dockerfile, instr: Instruction, chain: list[Stage]) -> Fix:
    """Shell form -> exec form, only for a one-line command of plain words that starts with
    a program (no variables, quotes, globs, operators, redirections, assignments, shell
    built-ins), in a stage chain without a SHELL."""
    words = split_blanks(instr.args)
    if (
        instr.start_line != instr.end_line or not words or "=" in words[0] or words[0] in _SHELL_ONLY
        or not all(_SIMPLE_RE.match(word) for word in words)
        or any(i.keyword == "SHELL" for member in chain for i in member.instructions)
    ):
        return Fix()
    import json

    return args_edits(df, instr, [(0, len(instr.args), json.dumps(words, ensure_ascii=False))])


HOOK = Hook(
    id="check-dockerfile-pitfalls", doc=__doc__ or "", rules=RULES,
    options=(TARGET,),
    dockerfile=lambda df, ctx: check(df, target=ctx.options.target, context=ctx.build_context(df)),
)


def main(argv: Sequence[str] | None = None) -> int:
    return run_hook(HOOK, argv)


if __name__ == "__main__":
    raise SystemExit(main())
