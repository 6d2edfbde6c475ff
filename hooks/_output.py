"""Output formats: the findings of a run, rendered for a person, a program or a CI system.

``--format`` picks one; every format is made from the :class:`~hooks._findings.Finding`
records alone (plus the rules that ran, for SARIF), sorted by path, line, column and
code, duplicates dropped.

* ``text``: ``path:line:col: CODE message``, one line each (the default).
* ``json``: a list of objects, one per finding, with exactly these keys: ``path`` (as
  given on the command line), ``line``, ``column`` (1-based, in characters),
  ``end_line`` and ``end_column`` (the character just past the end; ``null`` where not
  known), ``code``, ``name``, ``severity`` (``error``, ``warning`` or ``info``),
  ``message`` and ``url`` (the rule's documentation). New keys may be added; these
  keep their meaning.
* ``sarif``: SARIF 2.1.0, one run, as GitHub code scanning reads it. Paths are relative
  to the repository root (``uriBaseId`` ``%SRCROOT%``); levels: error -> ``error``,
  warning -> ``warning``, info -> ``note``.
* ``github``: GitHub Actions workflow commands (``::error file=...,line=...,col=...,
  title=DPH201::message``), which annotate the pull request; error -> ``error``,
  warning -> ``warning``, info -> ``notice``.
* ``gitlab``: a GitLab Code Quality report. Severities: error -> ``major``, warning ->
  ``minor``, info -> ``info``. The fingerprint is the SHA-256 (hex) of the path
  (relative to the repository root), the code, the message and the number of earlier
  findings in the same file with the same code and message, joined by NUL bytes: it
  survives edits that only move the finding to another line.

``--statistics`` prints, instead of the findings, how many there are of each code
(``text``: ``count  CODE  name``; ``json``: a list of ``{"code", "name", "count"}``).
"""
from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

from hooks._config import FORMATS
from hooks._findings import ERROR, INFO, WARNING, Finding, Rule

__all__ = ["FORMATS", "emit", "explain", "render", "sarif_log", "statistics"]
TOOL = "docker-python-hooks"
HOMEPAGE = "https://github.com/docker-python-hooks/docker-python-hooks"
RULES_PAGE = HOMEPAGE + "/blob/main/docs/rules.md"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"

_SARIF_LEVEL = {ERROR: "error", WARNING: "warning", INFO: "note"}
_GITHUB_LEVEL = {ERROR: "error", WARNING: "warning", INFO: "notice"}
_GITLAB_SEVERITY = {ERROR: "major", WARNING: "minor", INFO: "info"}


def doc_url(code: str, name: str) -> str:
    """Where a rule is documented: its anchor in docs/rules.md (meta rules: their list)."""
    if code.startswith("DPH9"):
        return RULES_PAGE + "#meta-rules"
    return f"{RULES_PAGE}#{code.lower()}-{name}"


def _sorted(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(set(findings))


def repo_path(path: str, root: str, base: str) -> str:
    """``path`` (relative to ``base``, the working directory) relative to ``root``, with
    ``/`` separators, as CI systems want it."""
    full = path if os.path.isabs(path) else os.path.join(base, path)
    rel = os.path.relpath(os.path.normpath(full), root)
    return rel.replace(os.sep, "/")


def render(
    findings: Iterable[Finding],
    fmt: str,
    *,
    root: str = "",
    base: str = "",
    rules: Sequence[Rule] = (),
) -> str:
    """The text to print for ``findings`` in format ``fmt`` ("" for text without findings).

    ``root`` is the repository root and ``base`` the directory that relative paths start
    from (both default to the working directory); ``rules`` are the rules that ran.
    """
    ordered = _sorted(findings)
    if fmt == "text":
        return "".join(f.render() + "\n" for f in ordered)
    if fmt == "json":
        return _dump([_json_finding(f) for f in ordered])
    cwd = os.getcwd() if not (root and base) else ""
    root, base = root or cwd, base or cwd
    if fmt == "github":
        return "".join(github_command(f, repo_path(f.path, root, base)) for f in ordered)
    if fmt == "gitlab":
        return _dump(gitlab_report(ordered, root, base))
    if fmt == "sarif":
        return _dump(sarif_log(ordered, rules, root, base))
    raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")


def emit(
    findings: Iterable[Finding],
    *,
    fmt: str = "text",
    counts: bool = False,
    failed: bool,
    exit_zero: bool = False,
    root: str = "",
    base: str = "",
    rules: Sequence[Rule] = (),
    stream: IO[str] | None = None,
) -> int:
    """Print ``findings`` in format ``fmt`` (or, with ``counts``, their statistics) and
    return the exit status: 1 if ``failed`` (some finding reached the fail level) unless
    ``exit_zero``, else 0."""
    text = statistics(findings, fmt) if counts else render(findings, fmt, root=root, base=base, rules=rules)
    if text:
        out = sys.stdout if stream is None else stream
        out.write(text)
        out.flush()
    return 1 if failed and not exit_zero else 0


def _dump(value: object) -> str:
    import json

    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def _json_finding(f: Finding) -> dict[str, Any]:
    known = f.end_col > 0
    return {
        "path": f.path,
        "line": f.line,
        "column": f.col,
        "end_line": (f.end_line or f.line) if known else None,
        "end_column": f.end_col if known else None,
        "code": f.code,
        "name": f.name,
        "severity": f.severity,
        "message": f.message,
        "url": doc_url(f.code, f.name),
    }


def statistics(findings: Iterable[Finding], fmt: str = "text") -> str:
    """How many findings of each code: most frequent first, then by code."""
    counts: dict[tuple[str, str], int] = {}
    for f in _sorted(findings):
        key = (f.code, f.name)
        counts[key] = counts.get(key, 0) + 1
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if fmt == "json":
        return _dump([{"code": code, "name": name, "count": n} for (code, name), n in rows])
    if fmt != "text":
        raise ValueError(f"--statistics prints text or json, not {fmt}")
    width = max((len(str(n)) for _, n in rows), default=1)
    return "".join(f"{n:>{width}}  {code}  {name}\n" for (code, name), n in rows)


# GitHub workflow commands: the message ("data") escapes %, CR and LF; a property value
# also ':' and ',' (which would end the property).
def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_command(f: Finding, path: str) -> str:
    """One ``::error file=...,line=...,col=...,title=CODE::message`` line."""
    props = [f"file={_escape_property(path)}", f"line={f.line}", f"col={f.col}"]
    if f.end_col > 0:
        props += [f"endLine={f.end_line or f.line}", f"endColumn={f.end_col}"]
    props.append(f"title={_escape_property(f.code)}")
    level = _GITHUB_LEVEL.get(f.severity, "error")
    return f"::{level} {','.join(props)}::{_escape_data(f.message)}\n"


def gitlab_report(findings: Sequence[Finding], root: str, base: str) -> list[dict[str, Any]]:
    import hashlib

    seen: dict[tuple[str, str, str], int] = {}
    out = []
    for f in findings:
        path = repo_path(f.path, root, base)
        key = (path, f.code, f.message)
        nth = seen.get(key, 0)
        seen[key] = nth + 1
        fingerprint = hashlib.sha256(
            "\0".join((path, f.code, f.message, str(nth))).encode("utf-8", "surrogateescape")
        ).hexdigest()
        out.append({
            "description": f"{f.code} {f.message}",
            "check_name": f.code,
            "fingerprint": fingerprint,
            "severity": _GITLAB_SEVERITY.get(f.severity, "major"),
            "location": {"path": path, "lines": {"begin": f.line}},
        })
    return out


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("docker_python_hooks")
    except metadata.PackageNotFoundError:  # running from a source tree
        return "0.0.0"


def rule_sections() -> dict[str, dict[str, str]]:
    """Every rule's documentation sections, by code, from the check modules' docstrings
    (the same source as docs/rules.md). Meta rules have none."""
    from hooks._docs import hook_docs

    return {doc.rule.code: doc.sections for hook in hook_docs() for doc in hook.rules}


def rule_text(rule: Rule, sections: Mapping[str, str], hook: str = "", options: Sequence[str] = ()) -> str:
    """A rule's full documentation as Markdown: what ``explain`` prints and SARIF's help."""
    out = [f"{rule.code} {rule.name} ({rule.severity})", "", rule.summary]
    if hook:
        out += ["", f"Hook: {hook} (and docker-python-hooks check)"]
    if options:
        out += ["", "Options (command line / pyproject.toml):", *(f"- {option}" for option in options)]
    for heading, text in sections.items():
        out += ["", f"## {heading}", "", text]
    out += ["", f"Documentation: {doc_url(rule.code, rule.name)}"]
    return "\n".join(out) + "\n"


def explain(selector: str) -> str | None:
    """The full documentation of the rule named by ``selector`` (a code or a rule name),
    from its check module's docstring; None if no rule has that code or name."""
    from hooks._docs import hook_docs, option_forms
    from hooks._registry import all_rules, hooks, rule_for

    rule = rule_for(selector.strip(), all_rules())
    if rule is None:
        return None
    declared = {hook.id: hook.options for hook in hooks()}
    for hook in hook_docs():
        for doc in hook.rules:
            if doc.rule.code == rule.code:
                options = [f"{option_forms(o)}: {o.help}" for o in declared.get(hook.hook_id, ())]
                return rule_text(rule, doc.sections, hook.hook_id, options)
    return rule_text(rule, {"What it does": "Raised by every hook's shared machinery (a meta rule)."})


def _sarif_rule(rule: Rule, sections: Mapping[str, str]) -> dict[str, Any]:
    full = sections.get("What it does", rule.summary)
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": full},
        "help": {"text": rule_text(rule, sections), "markdown": rule_text(rule, sections)},
        "helpUri": doc_url(rule.code, rule.name),
        "defaultConfiguration": {"level": _SARIF_LEVEL.get(rule.severity, "error")},
        "properties": {"tags": [rule.name]},
    }


def _uri(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/")


def sarif_log(
    findings: Sequence[Finding], rules: Sequence[Rule], root: str, base: str,
    sections: Mapping[str, Mapping[str, str]] | None = None,
) -> dict[str, Any]:
    """A SARIF 2.1.0 log of one run: every rule in ``rules`` (and any other rule a finding
    names), and one result per finding."""
    known = {rule.code: rule for rule in rules}
    for f in findings:
        if f.code not in known:
            known[f.code] = Rule(f.code, f.name, f.severity, f.message)
    ordered = sorted(known.values())
    index = {rule.code: number for number, rule in enumerate(ordered)}
    docs = rule_sections() if sections is None else sections
    results = []
    for f in findings:
        region: dict[str, int] = {"startLine": f.line, "startColumn": f.col}
        if f.end_col > 0:
            region["endLine"] = f.end_line or f.line
            region["endColumn"] = f.end_col
        results.append({
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": _SARIF_LEVEL.get(f.severity, "error"),
            "message": {"text": f.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": _uri(repo_path(f.path, root, base)), "uriBaseId": SRCROOT},
                "region": region,
            }}],
        })
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": TOOL,
                "version": _version(),
                "informationUri": HOMEPAGE,
                "rules": [_sarif_rule(rule, docs.get(rule.code, {})) for rule in ordered],
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
