"""Credentials written in text: where they are, and how to show them without leaking them.

:func:`find_credentials` scans one line of text for literal credentials: a URL whose
userinfo has a password (``https://user:pass@host``), and tokens whose format is
unmistakable (AWS access key ids, GitHub, GitLab, PyPI, Slack, npm, Hugging Face,
Google, Stripe, OpenAI and Anthropic keys, Gemfury tokens in a ``fury.io`` URL, private
key blocks). A password that is a
variable reference (``$TOKEN``, ``${TOKEN}``, ``$(cat …)``) or an obvious placeholder
(``<token>``, ``{password}``, ``****``) is not a credential.

Every finding carries a *masked* rendering (``https://user:****@host``, ``ghp_****``):
the only form in which a secret may appear in any output. :func:`mask_secrets` masks
every credential in a text; every finding's message goes through it when it is made
(:meth:`hooks._findings.Rule.at`), so no hook can print a secret by quoting a line.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from hooks._patterns import lazy


class Credential(NamedTuple):
    start: int  # offset in the scanned text
    end: int
    kind: str  # "URL with a password", "GitHub token", ...
    masked: str  # safe to print
    token: bool  # a token or key (True) or a URL password (False)


# (kind, pattern, how many leading characters may be shown)
_TOKENS: tuple[tuple[str, re.Pattern[str], int], ...] = (
    ("AWS access key id", lazy(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"), 4),
    ("GitHub token", lazy(r"\bgh[pousr]_[A-Za-z0-9]{36,255}\b"), 4),
    ("GitHub token", lazy(r"\bgithub_pat_[A-Za-z0-9_]{22,255}"), 11),
    ("GitLab token", lazy(r"\bgl(?:pat|dt|rt|ptt|cbt)-[A-Za-z0-9_\-]{20,}"), 6),
    ("PyPI token", lazy(r"\bpypi-AgE[A-Za-z0-9_\-]{50,}"), 5),
    ("Slack token", lazy(r"\bxox[abposr]-[A-Za-z0-9\-]{10,}"), 5),
    ("Slack webhook", lazy(r"https://hooks\.slack\.com/services/[A-Za-z0-9_/]{20,}"), 33),
    ("npm token", lazy(r"\bnpm_[A-Za-z0-9]{36}\b"), 4),
    ("Hugging Face token", lazy(r"\bhf_[A-Za-z0-9]{34,}\b"), 3),
    ("Google API key", lazy(r"\bAIza[0-9A-Za-z_\-]{35}(?![0-9A-Za-z_\-])"), 4),
    ("Stripe live key", lazy(r"\b[rs]k_live_[0-9A-Za-z]{20,}"), 8),
    ("OpenAI or Anthropic key", lazy(r"\bsk-(?:proj|svcacct|ant-api\d\d)-[A-Za-z0-9_\-]{20,}"), 3),
    ("OpenAI key", lazy(r"\bsk-[A-Za-z0-9]{48}\b"), 3),
    # Gemfury's private index URLs: https://TOKEN@pypi.fury.io/acct/ or the token as the
    # first path segment (mixed case and digits, unlike an account name).
    ("Gemfury token", lazy(
        r"(?<=://)(?=[A-Za-z0-9_]*\d)(?=[A-Za-z0-9_]*[A-Z])(?=[A-Za-z0-9_]*[a-z])[A-Za-z0-9_]{16,64}"
        r"(?=(?::[^@/\s]*)?@(?:[\w-]+\.)?fury\.io\b)"
    ), 0),
    ("Gemfury token", lazy(
        r"(?<=fury\.io/)(?=[A-Za-z0-9_]*\d)(?=[A-Za-z0-9_]*[A-Z])(?=[A-Za-z0-9_]*[a-z])[A-Za-z0-9_]{16,64}(?=/)"
    ), 0),
)
# Every token above and every private key block contains one of these: a line without
# any is not searched for them (most lines with a hint hold only a URL).
_TOKEN_HINTS = (
    r"A[KS]IA|gh[pousr]_|github_pat_|gl(?:pat|dt|rt|ptt|cbt)-|pypi-|xox[abposr]-|hooks\.slack\.com"
    r"|npm_|hf_|AIza|k_live_|sk-|PRIVATE KEY|fury\.io"
)
_TOKEN_HINT_RE = lazy(_TOKEN_HINTS)
# Every credential contains one of these (a URL with a password, '://'): lines without
# any are skipped in one search.
_HINT_RE = lazy("://|" + _TOKEN_HINTS)
_TOKEN_PREFIX_RE = lazy(
    r"\b(gh[pousr]_|github_pat_|gl(?:pat|dt|rt|ptt|cbt)-|pypi-|xox[abposr]-|npm_|hf_|AIza|[rs]k_live_"
    r"|sk-(?:proj-|ant-|svcacct-)?|A[KS]IA)(?=[A-Za-z_\-]{0,60}\d)[A-Za-z0-9_\-]{8,}"
)
_PRIVATE_KEY_RE = lazy(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
# After "scheme://": user:password@host. The password may contain '@' and ':' (the last
# '@' before the host ends it). Bounded, and tried only where "://" occurs: linear time.
_USERINFO_RE = lazy(
    r"(?P<user>[^\s/?#@:'\"`]{0,256}):(?P<password>[^\s/?#'\"`]{1,512})@(?P<host>[^\s/?#@'\"`\\]{1,256})"
)
_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-")
_PLACEHOLDER_RE = lazy(r"^[*xX.]+$")
_REFERENCE_CHARS = frozenset("${}<>")
_EXAMPLE_MARKERS = ("EXAMPLE", "example")


def _is_reference(password: str) -> bool:
    """A variable reference, template or placeholder rather than a literal password."""
    return bool(_REFERENCE_CHARS.intersection(password)) or bool(_PLACEHOLDER_RE.match(password))


def _token_in(text: str) -> bool:
    return any(pattern.search(text) for _, pattern, _ in _TOKENS)


def mask_userinfo(scheme: str, user: str, host: str) -> str:
    """``scheme://user:****@host``; a user that is itself a token is masked too."""
    shown = "****" if _token_in(user) else user
    return f"{scheme}://{shown}:****@{host}"


def _urls_with_password(text: str) -> list[tuple[int, int, str]]:
    """(start, end, masked) of each ``scheme://user:password@host`` with a literal password."""
    out: list[tuple[int, int, str]] = []
    pos = text.find("://")
    while pos > 0:
        start = pos
        while start > 0 and pos - start < 32 and text[start - 1] in _SCHEME_CHARS:
            start -= 1
        while start < pos and not text[start].isalpha():
            start += 1
        match = _USERINFO_RE.match(text, pos + 3) if start < pos else None
        if match and not _is_reference(match["password"]):
            scheme = text[start:pos]
            out.append((start, match.end(), mask_userinfo(scheme, match["user"], match["host"])))
            pos = text.find("://", match.end())
        else:
            pos = text.find("://", pos + 3)
    return out


def mask_secrets(text: str) -> str:
    """``text`` with every credential replaced by its masked form, for printing: the one
    masker of the project (every finding's message goes through it).

    Besides what :func:`find_credentials` finds, token prefixes followed by 8 or more
    characters with a digit are masked too: a message may quote a token cut short
    (``'ghp_Ab1Ab1...'``), and masking a harmless word by mistake costs nothing.
    """
    if not _HINT_RE.search(text):
        return text
    for cred in reversed(find_credentials(text)):
        text = text[:cred.start] + cred.masked + text[cred.end:]
    if "@" in text:
        text = _BARE_USER_RE.sub(_hide_bare_user, text)
    return _TOKEN_PREFIX_RE.sub(lambda m: m.group(1) + "****", text)


# A URL user without a password (``https://TOKEN@host``): often a token by itself.
_BARE_USER_RE = lazy(r"(?i)\b([a-z][a-z0-9+.-]*://)([^/@\s:'\"`]+)@")


def _hide_bare_user(match: re.Match[str]) -> str:
    """``https://****@host`` for a literal user; a ``${VAR}`` reference, a placeholder and
    the conventional user of SSH URLs (``ssh://git@``) are kept."""
    scheme, user = match.group(1), match.group(2)
    if _is_reference(user) or scheme.lower().rstrip(":/").endswith("ssh"):
        return match.group(0)
    return f"{scheme}****@"


def find_credentials(text: str) -> list[Credential]:
    """Literal credentials in ``text`` (one line), in order, never overlapping."""
    if not _HINT_RE.search(text):
        return []
    found = [
        Credential(start, end, "URL with a password", masked, False)
        for start, end, masked in _urls_with_password(text)
    ]
    if _TOKEN_HINT_RE.search(text):  # else the line holds URLs only
        for kind, pattern, keep in _TOKENS:
            for match in pattern.finditer(text):
                value = match.group(0)
                if kind == "AWS access key id" and any(m in value for m in _EXAMPLE_MARKERS):
                    continue  # AKIAIOSFODNN7EXAMPLE, the documentation's key
                found.append(Credential(match.start(), match.end(), kind, value[:keep] + "****", True))
        if "PRIVATE KEY" in text:
            for match in _PRIVATE_KEY_RE.finditer(text):
                found.append(Credential(match.start(), match.end(), "private key block", match.group(0), True))
    found.sort(key=lambda c: (c.start, -c.end))
    out: list[Credential] = []
    for cred in found:
        if out and cred.start < out[-1].end:
            continue  # a token inside a URL already reported
        out.append(cred)
    return out


def credentials_by_line(lines: Sequence[str]) -> list[tuple[int, list[Credential]]]:
    """(1-based number, credentials) of each of ``lines`` (without line endings) that
    holds any: :func:`find_credentials` of every line, with the lines that show no hint
    of a credential skipped in one search over them all."""
    text = "\n".join(lines)
    search = _HINT_RE.search
    found: list[tuple[int, list[Credential]]] = []
    pos, number = 0, 1  # ``pos`` is the start of line ``number``
    while True:
        hint = search(text, pos)
        if hint is None:
            return found
        number += text.count("\n", pos, hint.start())
        credentials = find_credentials(lines[number - 1])
        if credentials:
            found.append((number, credentials))
        end = text.find("\n", hint.end())
        if end < 0:
            return found
        pos, number = end + 1, number + 1
