"""check-secrets: no credentials in Dockerfiles, requirements files or the copied build context.

Every stage counts, builder stages too: registry build caches (``mode=max``) export
their layers, and build provenance records build arguments. A secret found in a
Dockerfile or requirements file is never printed: messages show it masked
(``https://user:****@host``, ``ghp_****``).

Names (DPH701) are judged by words, not substrings: ``GITHUB_TOKEN`` is a secret,
``TOKENIZERS_PARALLELISM`` is not; the words and their exceptions are listed below.

DPH704 needs the ``.dockerignore`` that applies, and DPH703 heeds it. The build
context is not written in the Dockerfile, so the hook accepts
``<Dockerfile>.dockerignore`` next to the Dockerfile (BuildKit prefers it), else a
``.dockerignore`` (or Podman's ``.containerignore``) in the Dockerfile's directory or in
any parent directory up to the repository root (as for ``docker build -f
docker/Dockerfile .``).

Options:
    --target NAME   the stage that is shipped (default: the last): DPH704 asks less of the
                    whole-context copies of the stages it does not take whole.

## DPH701 secret-arg-or-env
### What it does
Reports an ``ARG`` or ``ENV`` whose name says it holds a secret (at the name). A name
is cut into words at ``_``, ``-``, ``.``, digits and case changes (``sshPrivateKey``
is ``ssh private key``), and is a secret when:

- a word is ``TOKEN``, ``SECRET``, ``SECRETS``, ``PASSWORD``, ``PASSWORDS``,
  ``PASSWD``, ``PWORD``, ``PASSPHRASE``, ``APIKEY``, ``PRIVATEKEY``, ``CREDENTIAL`` or
  ``CREDENTIALS``, or contains ``PASSWORD``, ``PASSWD``, ``PASSPHRASE``, ``SECRET``,
  ``APIKEY`` or ``PRIVATEKEY`` (``PGPASSWORD``);
- the last word is ``AUTH`` (``NPM_AUTH``, ``BASIC_AUTH``), or, after another word,
  ``PASS``, ``PWD`` or ``PW`` (``DB_PASS``, ``MYSQL_PWD``; ``PWD`` alone is the working
  directory);
- ``KEY`` follows a word that says which key, or is joined to it (``SSHKEY``): ``API``,
  ``PRIVATE``, ``SECRET``, ``SIGNING``, ``ENCRYPTION``, ``MASTER``, ``ACCOUNT``,
  ``SSH``, ``DEPLOY``, ``FERNET``, ``JWT``, ``HMAC``, ``LICENSE``, ``GIT``;
- it ends in ``CONNECTION_STRING``.

These hold no secret and pass:

- a switch: a name where ``NO``, ``USE``, ``SKIP``, ``ENABLE``, ``DISABLE``, ``REQUIRE``,
  ``WITH``, ``WITHOUT``, ``ALLOW`` or ``DISALLOW`` comes before the secret word
  (``DISABLE_AUTH=true``, ``OIDC_USE_ID_TOKEN=true``, ``MYSQL_ALLOW_EMPTY_PASSWORD=yes``);
- a name with the word ``PUBLIC``: ``NEXT_PUBLIC_*`` and ``VITE_PUBLIC_*`` variables
  are shipped to every browser by design, ``JWT_PUBLIC_KEY`` is a public key;
- a name that front-end build tools put into the browser bundle by its prefix:
  ``VITE_*``, ``REACT_APP_*`` and ``GATSBY_*`` (``VITE_AMPLITUDE_API_KEY``): such a value
  is public once built, and a build secret cannot hide it;
- a name whose last word names something else than the secret: ``FILE``, ``FILES``,
  ``PATH``, ``PATHS``, ``DIR``, ``DIRS``, ``DIRECTORY``, ``FOLDER``, ``MOUNT``,
  ``URL``, ``URLS``, ``URI``, ``ENDPOINT``, ``HOST``, ``HOSTNAME``, ``PORT``, ``ID``,
  ``IDS``, ``NAME``, ``NAMES``, ``ARN``, ``REGION``, ``LENGTH``, ``LEN``, ``SIZE``,
  ``BITS``, ``ENV``, ``VAR``, ``VARS``, ``HEADER``, ``FIELD``, ``PARAM``, ``PREFIX``,
  ``POLICY``, ``HASHER``, ``HASHERS``, ``ALGORITHM``, ``ALGORITHMS``, ``ALGO``,
  ``TYPE``, ``KIND``, ``MODE``, ``METHOD``, ``SCHEME``, ``FORMAT``, ``MIN``, ``MAX``,
  ``ENABLED``, ``ENABLE``, ``DISABLED``, ``DISABLE``, ``REQUIRED``, ``OPTIONAL``,
  ``PROMPT``, ``RESET``, ``TTL``, ``EXPIRY``, ``EXPIRES``, ``EXPIRATION``,
  ``LIFETIME``, ``TIMEOUT``, ``SECONDS``, ``AGE``, ``DAYS``, ``LOCATION``, ``REF``,
  ``VERSION``, ``COUNT``, ``ROTATION``, ``PROVIDER``, ``BACKEND``, ``HELPER``,
  ``MANAGER``, ``STORE``, ``CMD``, ``COMMAND``, ``SOURCE``, ``SCOPE``, ``SCOPES``,
  ``AUDIENCE``, ``ISSUER``, ``VALIDATORS``, ``VALIDATOR``, ``VALIDATION``,
  ``COMPLEXITY``, ``STRENGTH``, ``PATTERN``, ``RULES``, ``HINT``, ``LABEL``, ``USER``,
  ``USERNAME``, ``EMAIL``, ``LIMIT``, ``LIMITS``, ``BUDGET``, ``BIN``, ``CFG``, ``CONF``,
  ``CONFIG``, ``MODULE``, ``HOME``, ``ROOT``, ``LOG`` (``AWS_ACCESS_KEY_ID`` is
  an identifier, ``POSTGRES_PASSWORD_FILE`` a path, ``CREDENTIALS_CFG`` the path of a
  service's configuration; a ``DATABASE_URL`` with a literal
  password is DPH702's business);
- ``GOOGLE_APPLICATION_CREDENTIALS`` and ``CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE``,
  which hold the path of a key file, not the key;
- a literal value that is a path: absolute under ``/run``, ``/etc``, ``/var``,
  ``/home``, ``/root``, ``/app``, ``/opt``, ``/usr``, ``/tmp``, ``/secret``,
  ``/secrets``, ``/srv``, ``/data``, ``/config``, ``/certs``, ``/keys`` or ``/mnt``, or
  starting with ``./``, ``../`` or ``~/`` (``ENV SSL_PRIVATE_KEY=/etc/ssl/private/server.key``:
  where the secret is mounted);
- an ``ENV`` with an empty value (``ENV GITHUB_TOKEN=`` clears it and stores nothing), or
  a switch word (``no``, ``none``, ``false``, ``true``, ``0``, ``1``, ``off``, ``on``,
  ``disabled``, ``null``, ``nil``: Chromium's ``GOOGLE_API_KEY=no`` turns a notice off).

An ``ENV`` whose value is ``${TOKEN}`` is reported (it bakes the build argument into
the image), and so is an ``ARG`` without a default or with an empty one (the value
given with ``--build-arg`` still lands in the build history).
### Why is this bad?
``ENV`` values are stored in the image for anyone who can pull it
(``docker inspect``). ``ARG`` values used by a ``RUN`` are kept in the image history
and in build provenance. Use a build secret, which is mounted for one ``RUN`` and
never stored, and inject runtime secrets when the container starts.

Overlaps BuildKit's SecretsUsedInArgOrEnv (``docker build --check``), hadolint DL3064
and Trivy DS-0031. BuildKit cuts names at ``_`` only and reports a name with a word
``APIKEY``, ``AUTH``, ``CREDENTIAL``, ``CREDENTIALS``, ``KEY``, ``PASSWORD``,
``PWORD``, ``PASSWD``, ``SECRET`` or ``TOKEN`` anywhere, unless a word is ``PUBLIC``,
``FILE`` or ``VERSION``; it never looks at values. The two agree on ``PUBLIC``, on
``AUTH`` as the last word and on a last word ``FILE`` or ``VERSION``. Differences
kept on purpose: BuildKit also reports any other ``KEY`` (``GPG_KEY``, the release
signing key fingerprint in the official Python images; ``AWS_ACCESS_KEY_ID``;
``CACHE_KEY``), a secret word before a last word listed above (``TOKEN_URL``,
``PASSWORD_MIN_LENGTH``, ``AUTH_TYPE``), ``GOOGLE_APPLICATION_CREDENTIALS``,
a switch before the secret word (``DISABLE_AUTH``, ``USE_ID_TOKEN``), the bundled
front-end prefixes (``VITE_API_KEY``), a path value and an empty ``ENV``
(``ENV git_key=``); it lets through a ``FILE`` or ``VERSION`` before the secret word
(``FILE_ENCRYPTION_KEY``), secret words inside a word or a case change
(``PGPASSWORD``, ``sshPrivateKey``, ``SENDGRIDAPIKEY``), ``PASSPHRASE``, ``DB_PASS``,
``MYSQL_PWD`` and ``CONNECTION_STRING``, which are reported here.
### Example
```dockerfile
FROM python:3.12-slim-bookworm
ARG PIP_TOKEN
RUN pip install --index-url "https://ci:${PIP_TOKEN}@pypi.example.com/simple" app
ENV DJANGO_SECRET_KEY=change-me
```
### Use instead
```dockerfile
# syntax=docker/dockerfile:1
FROM python:3.12-slim-bookworm
RUN --mount=type=secret,id=pip_token,env=PIP_TOKEN \\
    pip install --index-url "https://ci:${PIP_TOKEN}@pypi.example.com/simple" app
# DJANGO_SECRET_KEY is given at run time: docker run -e DJANGO_SECRET_KEY ...
```

## DPH702 literal-credential
### What it does
Reports a credential written in a Dockerfile (any instruction, heredoc or comment) or
a requirements file (index URLs, ``--find-links``, ``name @ URL``, VCS URLs): a URL
with a password (``https://user:pass@host``, not ``https://user:${TOKEN}@host``),
AWS access key ids, GitHub, GitLab, PyPI, Slack, npm, Hugging Face, Google, Stripe,
OpenAI and Anthropic tokens, and private key blocks (at the secret; shown masked).
### Why is this bad?
The secret is in the repository's history and, from a Dockerfile, in the image or
its build history. Rotate it, then read it from a build secret or an environment
variable. Overlaps Checkov's and Trivy's secret scanners.
### Example
```dockerfile
FROM python:3.12-slim-bookworm
RUN pip install --extra-index-url https://ci:s3cr3t@pypi.example.com/simple app
```
### Use instead
```dockerfile
FROM python:3.12-slim-bookworm
RUN --mount=type=secret,id=pip_token,env=PIP_TOKEN \\
    pip install --extra-index-url "https://ci:${PIP_TOKEN}@pypi.example.com/simple" app
```

## DPH703 secret-file-copy
### What it does
Reports a ``COPY`` or ``ADD`` from the build context of a secret file: ``.env`` and
``.env.*`` (not ``.env.example``, ``.env.sample``, ``.env.template``, ``.env.dist``),
SSH keys (``id_rsa``, ``id_ed25519``...), ``*.key``, ``*.pem`` (not certificates
such as ``ca.pem`` or ``*.pem`` copied to a ``certs`` directory), ``*.p12``,
``.netrc``, ``.pypirc``, ``.npmrc``, ``.pgpass``, ``.git-credentials``,
``credentials.json``, ``.aws/credentials``, ``.docker/config.json``, ``.ssh``... (at
the source word). A glob source is judged by what it matches in the build context
when this checkout holds it: the context is the Dockerfile's directory or the nearest
parent directory (up to the repository root) in which the glob matches anything, and
what its ``.dockerignore`` excludes does not count (``COPY library-scripts/*.env``
passes when the matches are ``meta.env`` files, and is reported when one is a
``.env``). A glob that matches nothing here is reported only when every name it can
match is a secret file (``*.p12``, ``*/id_rsa``): ``*.env`` may be version metadata,
``.env*`` only ``.env.example``, ``*.pem`` a certificate. A source named without
wildcards that an ignore file which may apply excludes (``COPY .env`` with ``.env`` in
the ``.dockerignore``) passes: the builder never receives it, so the ``COPY`` fails
instead of copying it.
### Why is this bad?
The file is stored in a layer for good: deleting it in a later step does not remove
it from the image. Mount it for the one ``RUN`` that needs it, or give it to the
container at run time.
### Example
```dockerfile
FROM python:3.12-slim-bookworm
COPY .netrc /root/.netrc
RUN pip install -r requirements.txt && rm /root/.netrc
```
### Use instead
```dockerfile
# syntax=docker/dockerfile:1
FROM python:3.12-slim-bookworm
RUN --mount=type=secret,id=netrc,target=/root/.netrc pip install -r requirements.txt
```

## DPH704 unfiltered-context-copy
### What it does
Reports a ``COPY .`` or ``ADD .`` (also ``./``, ``*``) of the whole build context
when no ``.dockerignore`` applies, or when it does not exclude ``.git``, ``.env``,
``.venv`` and ``__pycache__`` in every directory (at the ``.``). ``--exclude`` flags
on the instruction count; an ``ONBUILD COPY .`` is not judged (it runs in a child
image's build, with that build's context and ignore file). In a builder stage whose copied tree the shipped image does
not take whole (it copies only the build output: ``COPY --from=build /app/dist``),
only ``.env`` must be excluded: ``.git`` (which setuptools-scm or versioningit need
there), ``.venv`` and ``__pycache__`` never ship, while exported build caches keep
the ``.env``. The shipped image is the last stage and what it copies from. When the
project's build reads its version from ``.git`` (setuptools-scm, hatch-vcs, versioningit,
poetry-dynamic-versioning... in ``build-system.requires`` of the context's pyproject.toml),
the message says how to keep the build working without shipping ``.git``; so it does when
a later ``RUN`` of the stage names the path ``.git`` (``.git/config``). Podman's
``.containerignore`` counts where a directory has no ``.dockerignore``.
### Why is this bad?
The whole directory goes into the image: the ``.env`` file with its secrets, the git
history, a virtual environment built for another platform, stale byte code. It also
slows every build and breaks the layer cache on each commit.
### Example
```dockerfile
FROM python:3.12-slim-bookworm
COPY . /app
```
### Use instead
```dockerfile
FROM python:3.12-slim-bookworm
COPY . /app
# .dockerignore:
#   .git
#   .env
#   .venv
#   **/__pycache__
```
"""
from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from hooks import _context, _dockerignore
from hooks._cli import run_hook
from hooks._dockerfile import Dockerfile, Instruction, arg_declarations_of
from hooks._findings import ERROR, WARNING, Finding, Rule
from hooks._hook import TARGET, Context, Hook
from hooks._patterns import lazy
from hooks._secrets import credentials_by_line

if TYPE_CHECKING:
    from hooks._requirements import RequirementsSet

SECRET_ARG_OR_ENV = Rule(
    "DPH701", "secret-arg-or-env", ERROR, "An ARG or ENV whose name says it holds a secret."
)
LITERAL_CREDENTIAL = Rule(
    "DPH702", "literal-credential", ERROR, "A password, token or private key written in the file."
)
SECRET_FILE_COPY = Rule(
    "DPH703", "secret-file-copy", ERROR, "COPY or ADD of a secret file (.env, SSH key, .netrc...)."
)
UNFILTERED_CONTEXT_COPY = Rule(
    "DPH704", "unfiltered-context-copy", WARNING,
    "COPY of the whole build context without a .dockerignore that excludes .git, .env, .venv, __pycache__.",
)
RULES = (SECRET_ARG_OR_ENV, LITERAL_CREDENTIAL, SECRET_FILE_COPY, UNFILTERED_CONTEXT_COPY)

# --- DPH701: names --------------------------------------------------------------------
_NAME_WORD_RE = lazy(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_SECRET_WORDS = frozenset({
    "token", "secret", "secrets", "password", "passwords", "passwd", "pword",
    "passphrase", "apikey", "privatekey", "credential", "credentials",
})
_SECRET_PARTS = ("password", "passwd", "passphrase", "secret", "apikey", "privatekey")
_SECRET_LAST_WORDS = frozenset({"pass", "pwd", "pw"})  # DB_PASS, MYSQL_PWD; not PWD alone
_KEY_QUALIFIERS = frozenset({
    "api", "private", "secret", "signing", "encryption", "master", "account", "ssh", "deploy",
    "fernet", "jwt", "hmac", "license", "git",
})
# A switch word before the secret word makes the name a switch (DISABLE_AUTH, USE_ID_TOKEN).
_SWITCHES = frozenset({"no", "use", "skip", "enable", "disable", "require", "with", "without", "allow", "disallow"})
# Front-end build tools inline variables of these prefixes into the browser bundle.
_BUNDLED_PREFIXES = (("vite",), ("react", "app"), ("gatsby",))
# The last word says the variable holds something else than the secret itself.
_NOT_A_SECRET = frozenset({
    "file", "files", "path", "paths", "dir", "dirs", "directory", "folder", "mount", "url", "urls",
    "uri", "endpoint", "host", "hostname", "port", "id", "ids", "name", "names", "arn", "region",
    "length", "len", "size", "bits", "env", "var", "vars", "header", "field", "param", "prefix",
    "policy", "hasher", "hashers", "algorithm", "algorithms", "algo", "type", "kind", "mode",
    "method", "scheme", "format", "min", "max", "enabled", "enable", "disabled", "disable",
    "required", "optional", "prompt", "reset", "ttl", "expiry", "expires", "expiration",
    "lifetime", "timeout", "seconds", "age", "days", "location", "ref", "version", "count",
    "rotation", "provider", "backend", "helper", "manager", "store", "cmd", "command", "source",
    "scope", "scopes", "audience", "issuer", "validators", "validator", "validation",
    "complexity", "strength", "pattern", "rules", "hint", "label", "user", "username", "email",
    "limit", "limits", "budget", "bin", "cfg", "conf", "config", "module", "home", "root", "log",
})
# Documented to hold the path of a key file (Google Cloud client libraries, gcloud).
_PATH_VARIABLES = frozenset({"google_application_credentials", "cloudsdk_auth_credential_file_override"})
_PATH_VALUE_RE = lazy(
    r"^(?:/(?:run|etc|var|home|root|app|opt|usr|tmp|secrets?|srv|data|config|certs|keys|mnt)/|\.\.?/|~/)\S*$"
)


def name_words(name: str) -> list[str]:
    """``GITHUB_TOKEN`` -> [github, token]; ``githubToken`` -> [github, token] (a word is
    made of letters and digits: any other character separates two)."""
    return [w.lower() for w in _NAME_WORD_RE.findall(name)]


def secret_name(name: str) -> bool:
    """Whether a variable name says it holds a secret (see DPH701)."""
    words = name_words(name)
    if (
        not words or words[-1] in _NOT_A_SECRET or "public" in words or "_".join(words) in _PATH_VARIABLES
        or any(tuple(words[:len(prefix)]) == prefix for prefix in _BUNDLED_PREFIXES)
    ):
        return False
    secret = _secret_word(words)
    return secret is not None and _SWITCHES.isdisjoint(words[:secret])


def _secret_word(words: list[str]) -> int | None:
    """The index of the first word that makes ``words`` a secret's name, or None."""
    for i, word in enumerate(words):
        if word in _SECRET_WORDS or any(part in word for part in _SECRET_PARTS):
            return i
        if word.endswith("key") and (word[:-3] in _KEY_QUALIFIERS or (
            word == "key" and i > 0 and words[i - 1] in _KEY_QUALIFIERS
        )):
            return i
        if word == "string" and i > 0 and words[i - 1] == "connection":
            return i
    last = len(words) - 1
    if (last > 0 and words[last] in _SECRET_LAST_WORDS) or words[last] == "auth":
        return last
    return None


def _declared_names(instr: Instruction, escape: str) -> tuple[tuple[str, str | None, int], ...]:
    """(name, raw value or None, offset of the name in the arguments) of an ARG or ENV."""
    args = instr.args
    if instr.keyword == "ENV":
        return tuple(
            # the legacy ``ENV NAME value`` form gives the value's offset; the name is first
            (name, value, offset if args.startswith(name, offset) else 0)
            for name, value, offset in instr.key_values(escape)
        )
    out: list[tuple[str, str | None, int]] = []
    search = 0
    for name, default in arg_declarations_of(args, escape):
        offset = args.find(name, search)
        search = offset + len(name) if offset >= 0 else search
        out.append((name, default, max(offset, 0)))
    return tuple(out)


# ENV values that hold no secret: empty, or a switch (Chromium's GOOGLE_API_KEY=no turns
# its "API keys are missing" notice off).
_NO_SECRET_VALUES = frozenset({"", "no", "none", "false", "true", "0", "1", "off", "on", "disabled", "null", "nil"})


def _names(df: Dockerfile) -> list[Finding]:
    findings: list[Finding] = []
    for instr in df.all_instructions():
        if instr.keyword not in ("ARG", "ENV"):
            continue
        for name, raw, offset in _declared_names(instr, df.escape):
            if not secret_name(name):
                continue
            value = instr.expand(raw, df.escape) if raw is not None else None
            if value is not None and value.resolved and (
                (instr.keyword == "ENV" and value.value.strip().lower() in _NO_SECRET_VALUES)
                or _PATH_VALUE_RE.match(value.value)
            ):
                continue  # cleared or switched off, or the path where the secret is mounted
            line, col = instr.args_position(offset)
            secret_id = name.lower()
            if instr.keyword == "ARG":
                message = (
                    f"ARG '{name}' looks like a secret: build arguments stay in the image history "
                    f"and build provenance; use a build secret instead "
                    f"('RUN --mount=type=secret,id={secret_id},env={name} ...')"
                )
            else:
                message = (
                    f"ENV '{name}' looks like a secret: ENV values are stored in the image for "
                    f"anyone who can pull it; give it to the container at run time "
                    f"('docker run -e {name}'), or use 'RUN --mount=type=secret,id={secret_id}' "
                    f"for the build"
                )
            findings.append(SECRET_ARG_OR_ENV.at(df.path, line, col, message))
    return findings


# --- DPH702: literal credentials ----------------------------------------------------------
def credential_findings(path: str, lines: Sequence[str], where: str, fix: str) -> list[Finding]:
    """DPH702 for every literal credential on the physical ``lines`` of a file."""
    findings: list[Finding] = []
    for number, credentials in credentials_by_line(lines):
        for cred in credentials:
            findings.append(LITERAL_CREDENTIAL.at(
                path, number, cred.start + 1,
                f"{cred.kind} in the {where} ('{cred.masked}'); rotate it and {fix}",
            ))
    return findings


_DOCKERFILE_FIX = "pass it as a build secret ('RUN --mount=type=secret,id=...,env=...')"
_REQUIREMENTS_FIX = (
    "read it from an environment variable (pip expands '${VAR}': 'https://user:${PIP_TOKEN}@host/simple')"
)


# --- DPH703 / DPH704: COPY and ADD sources ----------------------------------------------
_SECRET_FILES = frozenset({
    ".env", ".netrc", "_netrc", ".pypirc", ".npmrc", ".pgpass", ".git-credentials", ".htpasswd",
    "credentials.json", ".dockercfg", ".ssh", ".aws", ".gnupg",
})
_SSH_KEYS = frozenset({"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk"})
_SECRET_PATH_SUFFIXES = (".aws/credentials", ".docker/config.json", ".kube/config")
_ENV_TEMPLATES = frozenset({"example", "sample", "template", "tmpl", "tpl", "dist", "default", "defaults"})
_CERT_PARTS = ("cert", "chain", "bundle", "trust", "public")
_PUBLIC_KEY_WORDS = frozenset({"pub", "public", "gpg", "pgp", "release", "archive", "keyring", "asc"})
# What a wildcard may stand for when no build context says what it matches: names a
# glob could copy that are not secrets (a template, a certificate, a public key, metadata).
_FILLERS = ("x", "", "ca", "cert", "public", "meta", ".example", ".pub", ".txt")
_CLASS_CHARS = "xa0._-"
MUST_EXCLUDE = (".git", ".env", ".venv", "__pycache__")


def _stem_words(name: str) -> list[str]:
    return [w for w in re.split(r"[-_.]+", name.lower()) if w]


def secret_file(path: str, dest: str = "") -> str | None:
    """What secret ``path`` names ('an SSH key', 'a private key', 'a secret file'), or None."""
    path = path.rstrip("/")
    base = posixpath.basename(path)
    if base in _SSH_KEYS or base == ".ssh":
        return "an SSH key"
    if base in _SECRET_FILES or path.endswith(_SECRET_PATH_SUFFIXES):
        return "a secret file"
    if base.startswith(".env.") and not _ENV_TEMPLATES.intersection(base.split(".")[2:]):
        return "a secret file"
    stem, _, ext = base.rpartition(".")
    words = _stem_words(stem)
    if ext in ("p12", "pfx"):
        return "a secret file"
    if ext == "key" and stem and not _PUBLIC_KEY_WORDS.intersection(words):
        return "a private key"
    if ext == "pem" and stem and not _certificate(path, dest, words):
        return "a private key"
    return None


def _certificate(path: str, dest: str, words: list[str]) -> bool:
    """A ``*.pem`` that is a certificate (bundle): by its name or a certs directory."""
    dirs = f"{posixpath.dirname(path)}/{dest}".lower()
    if "cert" in dirs or "ca-trust" in dirs:
        return True
    return any(word == "ca" or any(part in word for part in _CERT_PARTS) for word in words)


def _fill(pattern: str, filler: str) -> str | None:
    """``pattern`` with each ``*`` replaced by ``filler``, each ``?`` and ``[...]`` by a
    character it matches; None when a class matches none of the characters tried."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "*":
            out.append(filler)
        elif ch == "?":
            out.append("x")
        elif ch == "[":
            end = pattern.find("]", i + 2)
            if end < 0:
                return None
            regex = _context.segment_regex(pattern[i:end + 1])
            tried = _CLASS_CHARS + pattern[i + 1:end]  # common characters, then the class's own
            pick = next((c for c in tried if regex is not None and regex.match(c)), None)
            if pick is None:
                return None
            out.append(pick)
            i = end
        elif ch == "\\" and i + 1 < n:
            i += 1
            out.append(pattern[i])
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def _only_secrets(path: str, dest: str) -> tuple[str, str] | None:
    """(what secret, an example name) when every name the glob ``path`` can match is a
    secret file (``*.p12``), else None (``*.env`` may be ``meta.env``, ``.env*`` may be
    ``.env.example``)."""
    pattern = posixpath.normpath("/" + path).lstrip("/")  # '/keys/*', './keys/*': 'keys/*'
    kinds: list[tuple[str, str]] = []
    for filler in _FILLERS:
        name = _fill(pattern, filler)
        if name is None or "//" in name or not posixpath.basename(name) or name.startswith("/"):
            continue  # not a name a file can have
        kind = secret_file(name, dest)
        if kind is None:
            return None
        kinds.append((kind, name))
    return kinds[0] if kinds else None


def _glob_secret(path: str, dest: str, context: _context.BuildContext | None) -> tuple[str, str] | None:
    """(what secret, how the glob ``path`` reaches it) when it copies a secret file."""
    matched = context.matches(path) if context is not None else None
    if matched is None:
        found = _only_secrets(path, dest)
        return None if found is None else (found[0], f"any file it matches, such as '{found[1]}'")
    secrets = [(kind, name) for name in matched if (kind := secret_file(name, dest)) is not None]
    if not secrets:
        return None  # judged by what the build context holds: nothing secret
    kind, name = secrets[0]
    more = f" and {len(secrets) - 1} more" if len(secrets) > 1 else ""
    return kind, f"it matches '{name}'{more} in the build context"


def _sources(instr: Instruction, words: list[str], escape: str) -> list[tuple[str, str, int]]:
    """(raw word, expanded path, offset in args) of the build-context sources of a COPY/ADD
    (whose words are ``words``)."""
    if instr.flags and instr.flag("from") is not None:
        return []  # from another stage or image, not from the build context
    if len(words) < 2:
        return []
    out: list[tuple[str, str, int]] = []
    search = 0
    for word in words[:-1]:
        offset = instr.args.find(word, search)
        search = offset + len(word) if offset >= 0 else search
        if word.startswith("<<") or "://" in word or word.startswith("git@"):
            continue  # a heredoc, a URL or a git repository
        if "$" not in word and "'" not in word and '"' not in word and escape not in word:
            out.append((word, word, max(offset, 0)))  # expansion leaves it as it is
            continue
        value = instr.expand(word, escape)
        if value.resolved:
            out.append((word, value.value, max(offset, 0)))
    return out


def _whole_context(path: str) -> bool:
    return posixpath.normpath("/" + path).lstrip("/") in ("", "*")


def _context_gaps(
    ignore_text: str, required: tuple[str, ...], is_file: Callable[[str], bool] | None = None,
) -> tuple[str, ...]:
    """What of ``required`` the ignore file ``ignore_text`` lets into the context
    (``is_file``: whether a path of the context is a regular file, when it can be told:
    a re-included file, ``!static/README``, brings no ``__pycache__`` back)."""
    patterns = _dockerignore.parse(ignore_text)
    negations = [path for path in _dockerignore.literal_negations(ignore_text) if is_file is None or not is_file(path)]
    return tuple(_gaps(patterns, negations, required))


_PYC = "pkg/__pycache__/mod.cpython-312.pyc"


def _reincluded_pycache(ignore_text: str, is_file: Callable[[str], bool] | None) -> str | None:
    """The directory whose negation (``!src`` after ``**/__pycache__``) brings back the
    ``__pycache__`` that the ignore file otherwise excludes everywhere, if that is why."""
    patterns = _dockerignore.parse(ignore_text)
    if not _dockerignore.excluded(patterns, _PYC):
        return None
    for path in _dockerignore.literal_negations(ignore_text):
        if (is_file is None or not is_file(path)) and not _dockerignore.excluded(patterns, f"{path}/{_PYC}"):
            return path
    return None


def _gaps(patterns: _dockerignore.Patterns, negations: list[str], required: Sequence[str]) -> list[str]:
    pyc = _PYC
    probes = {
        ".git": [".git/HEAD"],
        ".env": [".env"],
        ".venv": [".venv/pyvenv.cfg"],
        "__pycache__": [pyc, *(f"{neg}/{pyc}" for neg in negations)],
    }
    return [
        name for name in required
        if not all(_dockerignore.excluded(patterns, probe) for probe in probes[name])
    ]


# Build backends and plugins that read the project's version from .git, by the name a
# build-system.requires entry gives them (normalised); setuptools-scm's bypass variable
# works for those built on it.
_GIT_VERSIONING = {
    "setuptools-scm": True, "hatch-vcs": True, "flit-scm": True, "versioningit": False,
    "poetry-dynamic-versioning": False, "uv-dynamic-versioning": False, "dunamai": False,
    "setuptools-git-versioning": False, "vcversioner": False,
}
_REQUIREMENT_NAME_RE = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def git_versioning(pyproject: Mapping[str, object] | None) -> tuple[str, bool] | None:
    """(tool, whether SETUPTOOLS_SCM_PRETEND_VERSION stands in for .git) when the project's
    build reads its version from .git: a VCS-versioning plugin in build-system.requires,
    or pdm-backend with ``[tool.pdm.version] source = "scm"``."""
    build = pyproject.get("build-system") if pyproject else None
    requires = build.get("requires") if isinstance(build, dict) else None
    for entry in requires if isinstance(requires, list) else ():
        match = _REQUIREMENT_NAME_RE.match(entry) if isinstance(entry, str) else None
        name = re.sub(r"[-_.]+", "-", match.group(1)).lower() if match else ""
        if name in _GIT_VERSIONING:
            return name, _GIT_VERSIONING[name]
    tool = pyproject.get("tool") if pyproject else None
    pdm = tool.get("pdm") if isinstance(tool, dict) else None
    version = pdm.get("version") if isinstance(pdm, dict) else None
    if isinstance(version, dict) and version.get("source") == "scm":
        return "pdm-backend", False
    return None


_GIT_PATH_RE = re.compile(r"(?:^|[\s/'\"=])\.git(?:/|$|[\s'\";])")


def _git_reader(df: Dockerfile, copy: Instruction) -> int | None:
    """The line of the first RUN after ``copy``, in its stage, whose script names the
    path ``.git`` (``.git/config``, ``git --git-dir=.git``), or None."""
    stage = df.stages[copy.stage]
    after = False
    for instr in stage.instructions:
        if instr is copy:
            after = True
        elif after and instr.keyword == "RUN" and _GIT_PATH_RE.search(instr.shell_text()):
            return instr.start_line
    return None


def _git_note(versioning: tuple[str, bool] | None, reader: int | None = None) -> str:
    """What to say when .git must leave a context that the build reads (the version from)."""
    if versioning is None:
        if reader is None:
            return ""
        return (
            f" (the RUN on line {reader} reads .git: do that in a builder stage, which may keep .git, "
            f"and copy only its result into the image)"
        )
    tool, pretend = versioning
    how = "e.g. SETUPTOOLS_SCM_PRETEND_VERSION" if pretend else f"see {tool}'s documentation"
    return (
        f" (the build reads the version from .git through {tool}: build the wheel in a builder stage, "
        f"which may keep .git, and copy only the wheel; or exclude .git and pass the version in, {how})"
    )


def _context_copy(
    df: Dockerfile, instr: Instruction, word: str, offset: int, ignores: Sequence[_dockerignore.IgnoreFile],
    required: Sequence[str] = MUST_EXCLUDE, versioning: tuple[str, bool] | None = None,
    is_file: Callable[[str], bool] | None = None,
) -> Finding | None:
    extra = "\n".join(instr.flag_values("exclude"))
    line, col = instr.args_position(offset)
    head = f"'{instr.keyword} {word}' copies the whole build context"
    if not ignores and not extra:
        names = ", ".join(f"**/{n}" if n == "__pycache__" else n for n in required)
        names = " and ".join(names.rsplit(", ", 1))
        return UNFILTERED_CONTEXT_COPY.at(
            df.path, line, col,
            f"{head}, but there is no .dockerignore (next to the Dockerfile or in a parent "
            f"directory); add one that excludes {names}"
            + (_git_note(versioning, _git_reader(df, instr)) if ".git" in required else ""),
        )
    results: list[tuple[str, tuple[str, ...]]] = []
    for path, text in ignores or [("", "")]:
        gaps = _context_gaps(text + "\n" + extra, tuple(required), is_file)
        if not gaps:
            return None
        results.append((path, gaps))
    path, gaps = results[0]  # the nearest ignore file speaks for all
    where = f"'{path}'" if path else f"--exclude on '{instr.keyword}'"
    first_text = (ignores[0][1] if ignores else "") + "\n" + extra
    reincluded = _reincluded_pycache(first_text, is_file) if "__pycache__" in gaps else None
    suggestions = ", ".join(
        (f"'**/__pycache__' after '!{reincluded}'" if reincluded else "'**/__pycache__'")
        if g == "__pycache__" else f"'{g}'" for g in gaps
    )
    missing = [
        (f"__pycache__ below '{reincluded}', which '!{reincluded}' re-includes" if reincluded
         else f"{g} in every directory") if g == "__pycache__" else g
        for g in gaps
    ]
    return UNFILTERED_CONTEXT_COPY.at(
        df.path, line, col,
        f"{head}, but {where} does not exclude {', '.join(missing)}; add {suggestions}"
        + (_git_note(versioning, _git_reader(df, instr)) if ".git" in gaps else ""),
    )


def _shipped_stages(df: Dockerfile, target: str | None) -> tuple[set[int], dict[int, set[str]]]:
    """The shipped stage's chain (the last stage, or ``target``), and the directories the
    shipped stages take from each stage with ``COPY --from`` (sources and their parents
    join the shipped stages)."""
    final = df.final_stage(target)
    if final is None:
        return set(), {}
    chain = {member.index for member in df.chain(final)}
    taken: dict[int, set[str]] = {}
    todo, seen = list(chain), set()
    while todo:
        index = todo.pop()
        if index in seen:
            continue
        seen.add(index)
        stage = df.stages[index]
        if stage.parent is not None:
            todo.append(stage.parent)
        for instr in stage.instructions:
            ref = instr.flag("from") if instr.keyword == "COPY" else None
            source = df.stage_ref(ref, before=index) if ref else None
            if source is None:
                continue
            todo.append(source.index)
            for word in instr.words()[:-1]:
                value = instr.expand(word, df.escape)
                path = value.value if value.resolved else "/"
                if any(c in path for c in "*?["):
                    path = posixpath.dirname(path.split("*")[0].split("?")[0].split("[")[0]) or "/"
                taken.setdefault(source.index, set()).add(_absolute("/", path))
    return chain, taken


def _destination(df: Dockerfile, instr: Instruction, workdir: str) -> str | None:
    """Where a COPY puts its files, absolute; None when a variable hides it."""
    words = instr.words()
    value = instr.expand(words[-1], df.escape) if words else None
    if value is None or not value.resolved:
        return None
    return _absolute(workdir, value.value)


def _absolute(directory: str, path: str) -> str:
    """``path`` resolved against the absolute ``directory``, normalised (one leading '/')."""
    return "/" + posixpath.normpath(posixpath.join(directory, path)).lstrip("/")


def _required(df: Dockerfile, target: str | None) -> dict[int, Sequence[str]]:
    """What each whole-context COPY of a builder stage must keep out, by instruction id.

    A builder stage's files reach the image only through a ``COPY --from`` of it or of
    a stage built on it: when none takes the copied tree whole (its directory or a
    parent), the git history, a local virtual environment or stale byte code never ship
    (builds that derive their version from ``.git``, setuptools-scm or versioningit,
    need it there); ``.env`` still counts, as exported build caches keep every layer."""
    final = df.final_stage()
    if final is None or len(df.chain(final)) == len(df.stages):
        return {}  # every stage ships: there is no builder stage
    chain, taken = _shipped_stages(df, target)
    below: list[set[str]] = [set(taken.get(stage.index, ())) for stage in df.stages]
    for stage in reversed(df.stages):  # a parent comes before its children
        if stage.parent is not None and below[stage.index]:
            below[stage.parent] |= below[stage.index]
    out: dict[int, Sequence[str]] = {}
    workdirs: list[str] = []  # each stage's WORKDIR at its end ('' when unknown)
    for stage in df.stages:
        workdir = workdirs[stage.parent] if stage.parent is not None else "/"
        for instr in stage.instructions:
            if instr.keyword == "WORKDIR":
                value = instr.expand(instr.args.strip(), df.escape)
                workdir = _absolute(workdir, value.value) if value.resolved and workdir else ""
            elif stage.index not in chain and instr.keyword in ("COPY", "ADD") and workdir:
                dest = _destination(df, instr, workdir)
                if dest is not None and not any(
                    src in ("/", dest) or dest.startswith(src + "/") for src in below[stage.index]
                ):
                    out[id(instr)] = (".env",)
        workdirs.append(workdir)
    return out


def _in_builder_stage(df: Dockerfile, instr: Instruction, target: str | None) -> bool:
    """Whether ``instr`` belongs to a stage that the shipped image (the last stage, or
    ``target``; an unknown target ships every stage) is not built FROM (only a copy there
    may need less excluded, see :func:`_required`)."""
    final = df.final_stage(target)
    return final is not None and all(member.index != instr.stage for member in df.chain(final))


def _kept_out(path: str, ignores: Sequence[_dockerignore.IgnoreFile]) -> bool:
    """Whether an ignore file that may apply excludes the literal source ``path``: the
    builder then never receives it, and the COPY fails instead of copying it."""
    rel = posixpath.normpath("/" + path).lstrip("/")
    return any(_dockerignore.excluded(_dockerignore.parse(text), rel) for _path, text in ignores)


def _copies(
    df: Dockerfile, dockerignores: Sequence[_dockerignore.IgnoreFile] | None,
    context: _context.BuildContext | None, target: str | None,
) -> list[Finding]:
    findings: list[Finding] = []
    ignores = _dockerignore.specific(dockerignores or ())
    required: dict[int, Sequence[str]] | None = None  # worked out at the first context copy
    # ONBUILD triggers run in the build of a child image, with its context and its
    # .dockerignore: no ignore file here decides what they copy.
    triggers = {id(instr.sub) for instr in df.instructions if instr.sub is not None}
    for instr in df.all_instructions():
        if instr.keyword not in ("COPY", "ADD"):
            continue
        words = instr.words()
        dest = words[-1] if words else ""
        for word, path, offset in _sources(instr, words, df.escape):
            if _whole_context(path):
                if dockerignores is not None and id(instr) not in triggers:
                    must: Sequence[str] = MUST_EXCLUDE
                    if _in_builder_stage(df, instr, target):
                        if required is None:
                            required = _required(df, target)
                        must = required.get(id(instr), MUST_EXCLUDE)
                    versioning = git_versioning(context.pyproject()) if context is not None else None
                    is_file = context.exists if context is not None else None
                    found = _context_copy(df, instr, word, offset, ignores, must, versioning, is_file)
                    if found is not None:
                        findings.append(found)
                continue
            if _context.has_wildcard(path):
                found_secret = _glob_secret(path, dest, context)
            else:
                kind = secret_file(path, dest)
                if kind is not None and _kept_out(path, ignores):
                    continue  # never in the context: the COPY fails, it copies no secret
                found_secret = None if kind is None else (kind, "")
            if found_secret is None:
                continue
            kind, how = found_secret
            shown = f"'{word}'" if word == path else f"'{word}' = '{path}'"
            if how:
                shown = f"{shown} ({how})"
            fix = (
                "use 'RUN --mount=type=ssh' (or a build secret) for the step that needs it"
                if kind == "an SSH key" else
                "mount it for the step that needs it ('RUN --mount=type=secret,id=...,target=...') "
                "or give it to the container at run time, and list it in .dockerignore"
            )
            line, col = instr.args_position(offset)
            findings.append(SECRET_FILE_COPY.at(
                df.path, line, col,
                f"{instr.keyword} {shown} puts {kind} into an image layer; {fix}",
            ))
    return findings


def check(
    df: Dockerfile, *, dockerignores: Sequence[_dockerignore.IgnoreFile] | None = None,
    context: _context.BuildContext | None = None, target: str | None = None,
) -> list[Finding]:
    """DPH701-704 on a Dockerfile. ``dockerignores`` are the candidate ignore files
    that exist, by precedence (see :func:`hooks._dockerignore.load`); None skips DPH704.
    ``context`` lists what a glob source matches; None judges globs by their pattern.
    ``target``: the shipped stage (default: the last), for DPH704's builder stages."""
    return [
        *_names(df),
        *credential_findings(df.path, df.lines, "Dockerfile", _DOCKERFILE_FIX),
        *_copies(df, dockerignores, context, target),
    ]


def check_requirements(model: RequirementsSet) -> list[Finding]:
    """DPH702 on every file of a requirements set."""
    findings: list[Finding] = []
    for req in model.reported():
        findings.extend(credential_findings(req.path, req.lines, "requirements file", _REQUIREMENTS_FIX))
    return findings


def _check_in_context(df: Dockerfile, ctx: Context) -> list[Finding]:
    """:func:`check` with what it needs beyond the Dockerfile: the ignore files that apply,
    and the candidate build contexts (listed only when a glob source asks)."""
    context = ctx.build_context(df)
    return check(df, dockerignores=context.ignores, context=context, target=ctx.options.target)


HOOK = Hook(
    id="check-secrets", doc=__doc__ or "", rules=RULES, options=(TARGET,),
    dockerfile=_check_in_context,
    requirements=lambda model, ctx: check_requirements(model),
)


def main(argv: Sequence[str] | None = None) -> int:
    return run_hook(HOOK, argv)


if __name__ == "__main__":
    raise SystemExit(main())
