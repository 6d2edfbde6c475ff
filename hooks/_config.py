"""Configuration: ``[tool.docker-python-hooks]`` in ``pyproject.toml``.

For each linted file, the nearest ``pyproject.toml`` that has the table, looking from
the file's directory up to the repository root, is its configuration (the nearest wins,
like ruff; files are not merged, and a ``pyproject.toml`` without the table is passed
over). Keys:

* ``select``: codes (``DPH201``), code prefixes (``DPH5``, ``DPH``) or rule names
  (``untagged-base-image``); only those rules report. The meta rules (``DPH9xx``:
  unreadable files, bad suppressions, syntax errors) always report unless ignored.
* ``ignore``: the same kinds of names; those rules do not report.
* ``per-file-ignores``: a table of glob -> list of names, ignored in matching files.
  A glob is matched against the path relative to the ``pyproject.toml``'s directory
  (``*`` also matches ``/``); a glob without ``/`` is matched against the file name.
* ``severity``: a table of name -> ``error``, ``warning`` or ``info``, overriding the
  rules' default severity (what ``fail-level`` and the output formats see).
* ``fail-level``: ``error``, ``warning`` or ``info`` (default): the least severe
  finding that makes the run fail (exit 1). Findings below it are still printed.
* every hook option, under its flag's name without the dashes: ``target = "runtime"``,
  ``require-digest = true``, ``require-hashes = true``, ``all-stages = true``,
  ``allow-unpinned = ["pip", "setuptools"]`` ...

Command-line arguments (pre-commit ``args:``) override the file, key by key: a flag
given replaces that key's value. An unknown key, a bad value or a file that is not
valid TOML stops the run with one line naming the file and the key (exit 2).

Without a configuration this costs one failed ``open`` per directory level, once per
run: the TOML parser is imported only for a ``pyproject.toml`` whose bytes contain
``docker-python-hooks`` (the table can be spelt ``[tool.docker-python-hooks]``,
``[tool."docker-python-hooks"]`` or with dotted keys).
"""
from __future__ import annotations

import argparse
import os
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any

from hooks._files import load_toml
from hooks._findings import ERROR, INFO, WARNING, Finding, Rule
from hooks._hook import Option
from hooks._patterns import lazy

TABLE = "docker-python-hooks"
FILENAME = "pyproject.toml"
_MARKER = TABLE.encode()  # in the bytes of any file with the table, however it is spelt
_RANK = {INFO: 0, WARNING: 1, ERROR: 2}
LEVELS = (ERROR, WARNING, INFO)  # the severities, as fail-level and severity take them
_PREFIX_RE = lazy(r"DPH[0-9]{0,3}", re.IGNORECASE)
GENERAL_KEYS = ("select", "ignore", "per-file-ignores", "severity", "fail-level")
FORMATS = ("text", "json", "sarif", "github", "gitlab")  # rendered by hooks/_output.py


class ConfigError(Exception):
    """A configuration the run cannot use; its message is one line naming file and key."""


class Config:
    """One ``[tool.docker-python-hooks]`` table, checked and resolved to codes. (A plain
    class, as :class:`Policy`: defining a NamedTuple costs every hook run 0.2 ms.)"""

    __slots__ = ("fail_level", "ignore", "options", "path", "per_file_ignores", "select", "severity")

    def __init__(
        self,
        path: str,  # the pyproject.toml
        select: frozenset[str] | None = None,
        ignore: frozenset[str] = frozenset(),
        per_file_ignores: tuple[tuple[str, frozenset[str]], ...] = (),
        severity: Mapping[str, str] | None = None,
        fail_level: str | None = None,
        options: Mapping[str, Any] | None = None,  # by Option.dest
    ) -> None:
        self.path = path
        self.select = select
        self.ignore = ignore
        self.per_file_ignores = per_file_ignores
        self.severity: Mapping[str, str] = severity or {}
        self.fail_level = fail_level
        self.options: Mapping[str, Any] = options or {}


def resolve(selector: str, rules: Mapping[str, Rule]) -> frozenset[str]:
    """The codes a selector names: a code, a code prefix (``DPH5``) or a rule name.

    Raises ValueError for a selector that names no rule."""
    if not isinstance(selector, str):
        raise ValueError(f"expected a code, prefix or rule name, got {selector!r}")
    text = selector.strip()
    if _PREFIX_RE.fullmatch(text):
        upper = text.upper()
        codes = frozenset(code for code in rules if code.startswith(upper))
    else:
        lower = text.lower()
        codes = frozenset(rule.code for rule in rules.values() if rule.name == lower)
    if not codes:
        raise ValueError(f"'{selector}' is no rule code, code prefix or rule name")
    return codes


def resolve_all(selectors: Iterable[str], rules: Mapping[str, Rule]) -> frozenset[str]:
    codes: set[str] = set()
    for selector in selectors:
        codes |= resolve(selector, rules)
    return frozenset(codes)


def _describe(value: object) -> str:
    kinds = {bool: "a boolean", str: "a string", list: "a list", dict: "a table", int: "an integer"}
    return kinds.get(type(value), type(value).__name__)


def parse(
    path: str,
    data: bytes,
    options: Mapping[str, Option],
    rules: Mapping[str, Rule] | None = None,
    shown: str = "",
) -> Config | None:
    """The configuration in the ``pyproject.toml`` at ``path`` whose bytes are ``data``;
    None if it has no ``[tool.docker-python-hooks]`` table.

    ``options`` are the hook options that may appear (by name); ``rules`` the rules that
    names resolve against (default: every rule, from the registry); ``shown`` the path
    that messages name (default: ``path``)."""
    shown = shown or path
    try:
        document = load_toml(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{shown}: cannot decode file as UTF-8") from None
    except ValueError as exc:  # tomllib.TOMLDecodeError is a ValueError
        raise ConfigError(f"{shown}: invalid TOML: {exc}") from None
    tool = document.get("tool")
    table = tool.get(TABLE) if isinstance(tool, dict) else None
    if table is None:
        return None
    where = f"{shown}: [tool.{TABLE}]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table, not {_describe(table)}")

    def names(key: str, value: object) -> frozenset[str]:
        if not isinstance(value, list):
            raise ConfigError(f"{where} {key}: expected a list of codes or rule names, got {_describe(value)}")
        nonlocal rules
        if rules is None:
            from hooks._registry import all_rules

            rules = all_rules()
        try:
            return resolve_all(value, rules)
        except ValueError as exc:
            raise ConfigError(f"{where} {key}: {exc}") from None

    def level(key: str, value: object) -> str:
        if value not in LEVELS:
            raise ConfigError(f"{where} {key}: expected one of {', '.join(LEVELS)}, got {value!r}")
        return str(value)

    select: frozenset[str] | None = None
    ignore: frozenset[str] = frozenset()
    per_file: list[tuple[str, frozenset[str]]] = []
    severity: dict[str, str] = {}
    fail_level = None
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key == "select":
            select = names(key, value)
        elif key == "ignore":
            ignore = names(key, value)
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise ConfigError(f"{where} {key}: expected a table of glob = [codes], got {_describe(value)}")
            for pattern, selectors in value.items():
                per_file.append((pattern, names(f'{key}."{pattern}"', selectors)))
        elif key == "severity":
            if not isinstance(value, dict):
                raise ConfigError(f"{where} {key}: expected a table of code = level, got {_describe(value)}")
            for name, wanted in value.items():
                for code in names(f"{key}.{name}", [name]):
                    severity[code] = level(f"{key}.{name}", wanted)
        elif key == "fail-level":
            fail_level = level(key, value)
        elif key in options:
            values[options[key].dest] = _option_value(where, options[key], value)
        else:
            known = ", ".join(sorted([*GENERAL_KEYS, *options]))
            raise ConfigError(f"{where}: unknown key '{key}' (known keys: {known})")
    return Config(path, select, ignore, tuple(per_file), severity, fail_level, values)


def _option_value(where: str, option: Option, value: object) -> object:
    if option.kind == "flag":
        if not isinstance(value, bool):
            raise ConfigError(f"{where} {option.name}: expected true or false, got {_describe(value)}")
    elif option.kind == "value":
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{where} {option.name}: expected a non-empty string, got {_describe(value)}")
    elif not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise ConfigError(f"{where} {option.name}: expected a list of strings, got {_describe(value)}")
    return value


class Finder:
    """The configuration of each file, found once per directory for a run.

    ``root`` is the repository root: the search stops there. ``options`` are the hook
    options a configuration may set."""

    def __init__(
        self,
        root: str,
        options: Mapping[str, Option] | Callable[[], Mapping[str, Option]],
        rules: Mapping[str, Rule] | None = None,
    ) -> None:
        self.root = os.path.realpath(root)
        self._options = options
        self.rules = rules
        self._by_dir: dict[str, Config | None] = {}
        self._real: dict[str, str] = {}  # a directory as given -> as the root is (resolved)

    @property
    def options(self) -> Mapping[str, Option]:
        if callable(self._options):
            self._options = self._options()
        return self._options

    def for_file(self, path: str, root: str | None = None) -> Config | None:
        """The configuration of the file ``path``, searched up to ``root`` (default: the
        finder's root; a resolved path, as :class:`~hooks._files.Repo` keeps it). The
        file's directory is resolved the same way (symlinks followed), once."""
        directory = os.path.dirname(os.path.abspath(path))
        real = self._real.get(directory)
        if real is None:
            real = self._real[directory] = os.path.realpath(directory)
        return self.for_dir(real, root or self.root)

    def for_dir(self, directory: str, root: str | None = None) -> Config | None:
        if directory in self._by_dir:
            return self._by_dir[directory]
        found = self._here(directory)
        if found is None:
            parent = os.path.dirname(directory)
            if directory not in (root or self.root, parent):
                found = self.for_dir(parent, root)
        self._by_dir[directory] = found
        return found

    def _here(self, directory: str) -> Config | None:
        path = os.path.join(directory, FILENAME)
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        if _MARKER not in data:
            return None
        shown = os.path.relpath(path)
        return parse(path, data, self.options, self.rules, shown if not shown.startswith("..") else path)


class Policy:
    """What decides which findings of one file are reported, at what severity, and
    whether they fail the run: a configuration with the command line's overrides.
    (A plain class, as :class:`Config`.)"""

    __slots__ = ("fail_level", "ignore", "select", "severity")

    def __init__(
        self,
        select: frozenset[str] | None = None,
        ignore: frozenset[str] = frozenset(),
        severity: Mapping[str, str] | None = None,
        fail_level: str = INFO,
    ) -> None:
        self.select = select
        self.ignore = ignore
        self.severity: Mapping[str, str] = severity or {}
        self.fail_level = fail_level

    @classmethod
    def make(
        cls,
        config: Config | None,
        path: str = "",
        *,
        select: frozenset[str] | None = None,
        ignore: frozenset[str] | None = None,
        fail_level: str | None = None,
    ) -> Policy:
        """The policy for the file ``path`` under ``config``; command-line values
        (not None) replace the configuration's."""
        if config is None:
            return cls(select, ignore or frozenset(), {}, fail_level or INFO)
        ignored = config.ignore if ignore is None else ignore
        if config.per_file_ignores and path:
            ignored = ignored | per_file_ignored(config, path)
        return cls(
            config.select if select is None else select,
            ignored,
            config.severity,
            fail_level or config.fail_level or INFO,
        )

    def apply(self, findings: Iterable[Finding]) -> list[Finding]:
        """The findings this policy reports, with their severity overridden."""
        out = []
        for finding in findings:
            code = finding.code
            if code in self.ignore:
                continue
            if self.select is not None and code not in self.select and not code.startswith("DPH9"):
                continue
            wanted = self.severity.get(code)
            out.append(finding if wanted is None or wanted == finding.severity else finding._replace(severity=wanted))
        return out

    def fails(self, findings: Collection[Finding]) -> bool:
        floor = _RANK[self.fail_level]
        return any(_RANK.get(f.severity, 2) >= floor for f in findings)


def per_file_ignored(config: Config, path: str) -> frozenset[str]:
    """The codes ``per-file-ignores`` ignores in ``path``."""
    from fnmatch import fnmatchcase

    base = os.path.dirname(config.path)
    rel = os.path.relpath(os.path.abspath(path), base).replace(os.sep, "/")
    name = rel.rsplit("/", 1)[-1]
    codes: set[str] = set()
    for pattern, ignored in config.per_file_ignores:
        if fnmatchcase(rel if "/" in pattern else name, pattern.removeprefix("./")):
            codes |= ignored
    return frozenset(codes)


def cli_list(values: Sequence[str] | None) -> list[str] | None:
    """``--select A,B --select C`` -> [A, B, C]; None when the flag was not given."""
    if values is None:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


# The front door: the flags every hook and the all-rules command take, and one run's
# configuration (the command line over each file's nearest table).

# The front door's flags at their defaults: what a run without any of them sees.
FLAG_DEFAULTS: dict[str, Any] = {
    "format": "text", "select": None, "ignore": None, "fail_level": None, "statistics": False,
    "exit_zero": False, "require_reason": False, "strict_foreign": False, "disable_suppressions": False,
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Output, policy and suppression flags (the hook's own options are its own)."""
    # On the parser itself: an argument group costs a millisecond of every run.
    add = parser.add_argument
    add("--format", choices=FORMATS, default="text", help="output format (default: text)")
    add("--select", action="append", metavar="CODES",
        help="report only these codes, prefixes or rule names (comma-separated)")
    add("--ignore", action="append", metavar="CODES",
        help="do not report these codes, prefixes or rule names (comma-separated)")
    add("--fail-level", choices=LEVELS, help="the least severe finding that fails the run (default: info)")
    add("--statistics", action="store_true", help="print the number of findings per code")
    add("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    add("--require-reason", action="store_true", help="report suppression comments that give no reason (DPH906)")
    add("--strict-foreign", action="store_true",
        help="report hadolint/Trivy/Checkov/BuildKit suppressions that silenced nothing")
    add("--disable-suppressions", action="store_true", help="ignore every suppression comment (for audits)")


class Session:
    """One run: the command line's front-door flags, and each file's configuration.

    ``options`` are every hook option a configuration may set (or a function that
    returns them, called only when a configuration is found); ``defaults`` the run's
    own options by dest, at their defaults. In ``args``, an option given on the command
    line has a value other than None; it replaces the file's."""

    def __init__(
        self,
        args: argparse.Namespace,
        root: str,
        options: Mapping[str, Option] | Callable[[], Mapping[str, Option]],
        defaults: Mapping[str, Any] | None = None,
    ) -> None:
        fmt = getattr(args, "format", "text")
        if getattr(args, "statistics", False) and fmt not in ("text", "json"):
            raise ConfigError(f"--statistics prints text or json, not --format {fmt}")
        self.finder = Finder(root, options)
        self.given = {dest for dest in defaults or () if getattr(args, dest, None) is not None}
        # The options of a file without configuration: the command line's, else defaults.
        self.base = argparse.Namespace(**vars(args))
        for dest, default in (defaults or {}).items():
            if dest not in self.given:
                setattr(self.base, dest, default)
        self.select = self._codes("--select", getattr(args, "select", None))
        self.ignore = self._codes("--ignore", getattr(args, "ignore", None))
        self.fail_level: str | None = getattr(args, "fail_level", None)
        self.failed = False

    @staticmethod
    def _codes(flag: str, values: Sequence[str] | None) -> frozenset[str] | None:
        selectors = cli_list(values)
        if selectors is None:
            return None
        from hooks._registry import all_rules

        try:
            return resolve_all(selectors, all_rules())
        except ValueError as exc:
            raise ConfigError(f"{flag}: {exc}") from None

    def for_file(self, path: str, root: str | None = None) -> tuple[Policy, argparse.Namespace]:
        """The policy for ``path`` and its option values: the command line's, then the
        file's, then the defaults. ``root``: the file's repository, where the search for
        its configuration stops (default: the session's). Raises ConfigError."""
        config = self.finder.for_file(path, root)
        policy = Policy.make(config, path, select=self.select, ignore=self.ignore, fail_level=self.fail_level)
        if config is None or not config.options:
            return policy, self.base
        options = argparse.Namespace(**vars(self.base))
        for dest, value in config.options.items():
            if dest not in self.given and hasattr(options, dest):
                setattr(options, dest, value)
        return policy, options

    def keep(self, policy: Policy, findings: Iterable[Finding]) -> list[Finding]:
        """``findings`` as ``policy`` reports them; remembers whether they fail the run."""
        kept = policy.apply(findings)
        if kept and not self.failed and policy.fails(kept):
            self.failed = True
        return kept
