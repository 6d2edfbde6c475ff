from __future__ import annotations

import os
import re
from collections.abc import Iterable

import pytest

from hooks._dockerfile import parse
from hooks.check_secrets import _NOT_A_SECRET, check, main, secret_file, secret_name
from tests.conftest import Writer

# Fake credentials, assembled so that no scanner mistakes this file for a leak.
GH = "ghp_" + "Ab1" * 12
GLPAT = "glpat-" + "x1Y2" * 5
PYPI = "pypi-AgEIcHlwaS5vcmc" + "Q" * 60
AWS = "AKIA" + "Z3" * 8
HF = "hf_" + "k" * 34
PASSWORD = "hunter" + "2hunter2"
PRIVATE = "-----BEGIN RSA " + "PRIVATE KEY-----"

IGNORE_OK = [(".dockerignore", ".git\n.env\n.venv\n**/__pycache__\n")]
BASE = "FROM python:3.12-slim-bookworm\n"

PASS = [
    pytest.param(BASE + "ENV TOKENIZERS_PARALLELISM=false\n", id="tokenizers-parallelism"),
    pytest.param(BASE + "ARG PIP_INDEX_URL\nARG PIP_EXTRA_INDEX_URL=https://pypi.example.com/simple\n",
                 id="index-url-args-without-credentials"),
    pytest.param(
        BASE + "RUN --mount=type=secret,id=pip_token,env=PIP_TOKEN \\\n"
        "    pip install --index-url https://ci:${PIP_TOKEN}@pypi.example.com/simple app\n",
        id="secret-mount-and-variable-in-url",
    ),
    pytest.param(
        BASE + 'RUN git clone "https://oauth2:$(cat /run/secrets/gl)@gitlab.com/a/b.git"\n',
        id="password-from-command-substitution",
    ),
    pytest.param(BASE + "RUN pip install git+ssh://git@github.com/org/lib.git@v1.2\n", id="ssh-git-url"),
    pytest.param(BASE + "ENV PIP_INDEX_URL=https://__token__@pypi.example.com/simple\n", id="user-without-password"),
    pytest.param(
        BASE + "ENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D05F4A0E PYTHON_SHA256=abc\n",
        id="official-python-image-gpg-key",
    ),
    pytest.param(
        BASE + "ENV AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_REGION=eu-west-1\n",
        id="access-key-id-name-and-documentation-key",
    ),
    pytest.param(
        BASE + "ENV POSTGRES_PASSWORD_FILE=/run/secrets/db SECRET_KEY_PATH=/etc/app/key "
        "CREDENTIALS_DIR=/creds PASSWORD_MIN_LENGTH=12 TOKEN_URL=https://auth.example.com/token\n",
        id="names-that-hold-no-secret",
    ),
    pytest.param(BASE + "ENV GOOGLE_APPLICATION_CREDENTIALS=/var/secrets/google/key.json\n", id="gcp-path"),
    pytest.param(BASE + "ENV GITHUB_TOKEN=\nENV NPM_TOKEN=''\n", id="env-cleared"),
    pytest.param(BASE + "ENV GOOGLE_API_KEY=no GOOGLE_DEFAULT_CLIENT_SECRET=no USE_API_KEY=False\n",
                 id="env-switched-off"),
    pytest.param(BASE + "ENV SSL_PRIVATE_KEY=/etc/ssl/private/server.key\n", id="env-path-to-mounted-secret"),
    pytest.param(BASE + "ENV PWD=/app\nENV AUTH_TYPE=oidc\n", id="pwd-and-auth-type"),
    pytest.param(
        # Real-world shape: a Next.js/Vite front end bakes its public settings in at build time.
        "FROM node:20-bookworm-slim AS web\nARG NEXT_PUBLIC_API_URL\nARG NEXT_PUBLIC_STRIPE_KEY\n"
        "ARG NEXT_PUBLIC_SUPABASE_ANON_KEY\n"
        "ENV NEXT_PUBLIC_SUPABASE_ANON_KEY=$NEXT_PUBLIC_SUPABASE_ANON_KEY VITE_PUBLIC_POSTHOG_TOKEN=phc_x\n"
        "RUN npm run build\n" + BASE + "COPY --from=web /app/out /app/static\n",
        id="public-by-design",
    ),
    pytest.param(
        BASE + "ARG GOOGLE_APPLICATION_CREDENTIALS\n"
        "ENV GOOGLE_APPLICATION_CREDENTIALS=${GOOGLE_APPLICATION_CREDENTIALS}\n"
        "ENV CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE=/secrets/gcloud.json\n",
        id="credentials-path-variables",
    ),
    pytest.param(
        BASE + "ENV SIGNING_KEY=./keys/signing.pem DEPLOY_KEY=~/.ssh/deploy JWT_SECRET=../run/jwt\n",
        id="relative-path-values",
    ),
    pytest.param(BASE + "ENV DISABLE_AUTH=true JUPYTER_NO_AUTH=1 USE_AUTH=0\n", id="auth-switches"),
    pytest.param(
        "FROM node:20.11.1-bookworm-slim AS ui\nARG VITE_AMPLITUDE_API_KEY=\"\"\n"
        "ARG VITE_DISPATCH_AUTHENTICATION_PROVIDER_USE_ID_TOKEN=false\nRUN npm run build\n" + BASE,
        id="front-end-bundle-and-token-switch",
    ),
    pytest.param(
        BASE + "COPY .env.example .env.sample .env.template /app/\nCOPY .env.dist /app/.env\n",
        id="env-templates",
    ),
    pytest.param(
        BASE + "COPY certs/ca.pem rds-combined-ca-bundle.pem /usr/local/share/ca-certificates/\n"
        "COPY *.pem /etc/ssl/certs/\nCOPY fullchain.pem /app/\n",
        id="certificates",
    ),
    pytest.param(
        BASE + "ADD https://packages.example.com/Release.key /tmp/\nCOPY nodesource.gpg.key /etc/apt/\n",
        id="public-keys",
    ),
    pytest.param(BASE + "COPY --from=builder /root/.netrc /tmp/\n", id="copy-from-stage-is-not-context"),
    pytest.param(BASE + "COPY requirements*.txt *.py /app/\nCOPY src/* /app/src/\n", id="harmless-globs"),
    pytest.param(BASE + "COPY <<EOF /app/.env\nDEBUG=1\nEOF\n", id="heredoc-source"),
    pytest.param(BASE + "COPY .env\n", id="copy-without-destination-is-a-syntax-error-not-judged"),
    pytest.param(BASE + "COPY . /app\nADD ./ /srv\n", id="context-copy-with-good-dockerignore"),
    pytest.param(
        "# escape=`\r\nFROM python:3.12-slim-bookworm AS build\r\nRUN pip wheel `\r\n  -w /w .\r\n"
        "FROM build\r\nCOPY --from=build /w /w\r\n",
        id="escape-crlf-multistage",
    ),
    pytest.param(BASE + "RUN echo 'postgres://app:${DB_PASSWORD}@db/app'\n", id="braced-reference"),
    pytest.param(BASE + "# PIP_INDEX_URL=https://user:<password>@host/simple\n", id="placeholder-in-comment"),
    pytest.param(
        BASE + "ENV HF_HOME=/data MAX_TOTAL_TOKENS=4096 MAX_INPUT_TOKENS=2048 HF_HUB_ENABLE_HF_TRANSFER=1 \\\n"
        "    OPENAI_API_BASE=http://llm:8000/v1 JWT_PUBLIC_KEY=/etc/jwt/pub.pem\n",
        id="ml-serving-settings",
    ),
    pytest.param(
        "FROM ghcr.io/astral-sh/uv:python3.12-bookworm-slim AS builder\n"
        "ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy\nWORKDIR /app\n"
        "RUN --mount=type=cache,target=/root/.cache/uv \\\n"
        "    --mount=type=bind,source=uv.lock,target=uv.lock \\\n"
        "    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \\\n"
        "    uv sync --frozen --no-install-project --no-dev\n"
        "COPY . /app\nRUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen --no-dev\n"
        "FROM python:3.12-slim-bookworm\nCOPY --from=builder --chown=app:app /app /app\nUSER app\n",
        id="uv-project-multi-stage",
    ),
]

FIX_BUILD = "pass it as a build secret ('RUN --mount=type=secret,id=...,env=...')"
FIX_FILE = (
    "mount it for the step that needs it ('RUN --mount=type=secret,id=...,target=...') "
    "or give it to the container at run time, and list it in .dockerignore"
)


def _arg(name: str) -> str:
    return (
        f"ARG '{name}' looks like a secret: build arguments stay in the image history and build "
        f"provenance; use a build secret instead ('RUN --mount=type=secret,id={name.lower()},env={name} ...')"
    )


def _env(name: str) -> str:
    return (
        f"ENV '{name}' looks like a secret: ENV values are stored in the image for anyone who can "
        f"pull it; give it to the container at run time ('docker run -e {name}'), or use "
        f"'RUN --mount=type=secret,id={name.lower()}' for the build"
    )


def _cred(kind: str, masked: str) -> str:
    return f"{kind} in the Dockerfile ('{masked}'); rotate it and {FIX_BUILD}"


FAIL = [
    pytest.param(BASE + "ARG GITHUB_TOKEN\n", [(2, 5, "DPH701", _arg("GITHUB_TOKEN"))], id="arg-without-default"),
    pytest.param(
        "ARG PIP_PASSWORD\n" + BASE + "ARG HF_TOKEN=\n",
        [(1, 5, "DPH701", _arg("PIP_PASSWORD")), (3, 5, "DPH701", _arg("HF_TOKEN"))],
        id="global-arg-and-empty-default",
    ),
    pytest.param(
        BASE + "ARG NPM_TOKEN\nENV NPM_TOKEN=${NPM_TOKEN} \\\n    DJANGO_SECRET_KEY=x AWS_SECRET_ACCESS_KEY=y\n",
        [
            (2, 5, "DPH701", _arg("NPM_TOKEN")),
            (3, 5, "DPH701", _env("NPM_TOKEN")),
            (4, 5, "DPH701", _env("DJANGO_SECRET_KEY")),
            (4, 25, "DPH701", _env("AWS_SECRET_ACCESS_KEY")),
        ],
        id="env-bakes-arg-and-multiline",
    ),
    pytest.param(
        BASE + "ENV PGPASSWORD secret\nENV OPENAI_API_KEY=a RABBITMQ_DEFAULT_PASS=b AZURE_CREDENTIALS=c\n",
        [
            (2, 5, "DPH701", _env("PGPASSWORD")),
            (3, 5, "DPH701", _env("OPENAI_API_KEY")),
            (3, 22, "DPH701", _env("RABBITMQ_DEFAULT_PASS")),
            (3, 46, "DPH701", _env("AZURE_CREDENTIALS")),
        ],
        id="legacy-env-and-name-shapes",
    ),
    pytest.param(
        BASE + "ARG NPM_AUTH\nENV NPM_CONFIG__AUTH=${NPM_AUTH} BASIC_AUTH=admin:admin\n",
        [
            (2, 5, "DPH701", _arg("NPM_AUTH")),
            (3, 5, "DPH701", _env("NPM_CONFIG__AUTH")),
            (3, 34, "DPH701", _env("BASIC_AUTH")),
        ],
        id="auth-as-last-word",
    ),
    pytest.param(
        BASE + "ENV GOOGLE_CREDENTIALS=x NEXT_SERVER_TOKEN=y\n",
        [(2, 5, "DPH701", _env("GOOGLE_CREDENTIALS")), (2, 26, "DPH701", _env("NEXT_SERVER_TOKEN"))],
        id="credentials-content-and-server-side-token",
    ),
    pytest.param(
        BASE + "FROM base\nONBUILD ARG sshPrivateKey\n",
        [(3, 13, "DPH701", _arg("sshPrivateKey"))],
        id="onbuild-camel-case",
    ),
    pytest.param(
        BASE + f"RUN pip install --extra-index-url https://ci:{PASSWORD}@pypi.example.com/simple app\n",
        [(2, 35, "DPH702", _cred("URL with a password", "https://ci:****@pypi.example.com"))],
        id="index-url-password",
    ),
    pytest.param(
        BASE + f"LABEL src=https://{GH}:x-oauth-basic@github.com/o/r\n",
        [(2, 11, "DPH702", _cred("URL with a password", "https://****:****@github.com"))],
        id="token-as-user-is-masked-too",
    ),
    pytest.param(
        BASE + f"RUN <<EOF\nexport GITLAB={GLPAT}\naws configure set aws_access_key_id {AWS}\nEOF\n",
        [
            (3, 15, "DPH702", _cred("GitLab token", "glpat-****")),
            (4, 37, "DPH702", _cred("AWS access key id", "AKIA****")),
        ],
        id="heredoc-tokens",
    ),
    pytest.param(
        BASE + f"COPY <<EOF /root/.ssh/id_rsa\n{PRIVATE}\nEOF\n# hf: {HF}\n"
        f"ADD https://u:{PASSWORD}@files.example.com/a.tgz /\n",
        [
            (3, 1, "DPH702", _cred("private key block", PRIVATE)),
            (5, 7, "DPH702", _cred("Hugging Face token", "hf_****")),
            (6, 5, "DPH702", _cred("URL with a password", "https://u:****@files.example.com")),
        ],
        id="private-key-comment-and-add-url",
    ),
    pytest.param(
        BASE + f'ENV GH={GH}\nRUN ["sh", "-c", "echo {PYPI}"]\n',
        [
            (2, 8, "DPH702", _cred("GitHub token", "ghp_****")),
            (3, 24, "DPH702", _cred("PyPI token", "pypi-****")),
        ],
        id="env-value-and-exec-form",
    ),
    pytest.param(
        BASE + "COPY .env config/.env.production /app/\nADD id_rsa /root/.ssh/\n",
        [
            (2, 6, "DPH703", f"COPY '.env' puts a secret file into an image layer; {FIX_FILE}"),
            (2, 11, "DPH703", f"COPY 'config/.env.production' puts a secret file into an image layer; {FIX_FILE}"),
            (3, 5, "DPH703", "ADD 'id_rsa' puts an SSH key into an image layer; "
             "use 'RUN --mount=type=ssh' (or a build secret) for the step that needs it"),
        ],
        id="dotenv-and-ssh-key",
    ),
    pytest.param(
        BASE + 'COPY --chown=app [".netrc", ".pypirc", "/home/app/"]\nCOPY .aws/credentials server.key /x/\n',
        [
            (2, 20, "DPH703", f"COPY '.netrc' puts a secret file into an image layer; {FIX_FILE}"),
            (2, 30, "DPH703", f"COPY '.pypirc' puts a secret file into an image layer; {FIX_FILE}"),
            (3, 6, "DPH703", f"COPY '.aws/credentials' puts a secret file into an image layer; {FIX_FILE}"),
            (3, 23, "DPH703", f"COPY 'server.key' puts a private key into an image layer; {FIX_FILE}"),
        ],
        id="json-form-and-paths",
    ),
    pytest.param(
        # Without a build context a glob is judged by what it can match: '.env*' may be
        # only '.env.example' and '*.pem' a certificate, but every '*.p12' is a keystore.
        BASE + "ARG ENV_FILE=.env.local\nCOPY ${ENV_FILE} .env* *.pem keys/*.p12 */id_ed25519 /app/\n",
        [
            (3, 6, "DPH703", f"COPY '${{ENV_FILE}}' = '.env.local' puts a secret file into an image layer; {FIX_FILE}"),
            (3, 30, "DPH703", "COPY 'keys/*.p12' (any file it matches, such as 'keys/x.p12') puts a secret file "
             f"into an image layer; {FIX_FILE}"),
            (3, 41, "DPH703", "COPY '*/id_ed25519' (any file it matches, such as 'x/id_ed25519') puts an SSH key "
             "into an image layer; use 'RUN --mount=type=ssh' (or a build secret) for the step that needs it"),
        ],
        id="variables-and-globs",
    ),
    pytest.param(
        BASE + "COPY /certs/*.pfx ./deploy/id_[rd]sa /app/\n",
        [
            (2, 6, "DPH703", "COPY '/certs/*.pfx' (any file it matches, such as 'certs/x.pfx') puts a secret file "
             f"into an image layer; {FIX_FILE}"),
            (2, 19, "DPH703", "COPY './deploy/id_[rd]sa' (any file it matches, such as 'deploy/id_rsa') puts an "
             "SSH key into an image layer; use 'RUN --mount=type=ssh' (or a build secret) for the step that needs it"),
        ],
        id="glob-from-the-context-root-and-a-class",
    ),
]


@pytest.mark.parametrize("text", PASS)
def test_pass(text: str) -> None:
    assert check(parse(text), dockerignores=IGNORE_OK) == []


@pytest.mark.parametrize(("text", "expected"), FAIL)
def test_fail(text: str, expected: list[tuple[int, int, str, str]]) -> None:
    # No ignore file known: an excluded source is judged below, with its ignore files.
    found = [(f.line, f.col, f.code, f.message) for f in check(parse(text), dockerignores=None)]
    assert found == expected


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("GITHUB_TOKEN", True), ("POETRY_PYPI_TOKEN_PYPI", True), ("UV_INDEX_PRIVATE_PASSWORD", True),
        ("MYSQL_PWD", True), ("AIRFLOW__CORE__FERNET_KEY", True), ("SENDGRIDAPIKEY", True),
        ("AZURE_STORAGE_CONNECTION_STRING", True), ("NODE_AUTH_TOKEN", True), ("SECRET_KEY_BASE", True),
        ("TOKENIZERS_PARALLELISM", False), ("AWS_ACCESS_KEY_ID", False), ("GPG_KEY", False), ("PWD", False),
        ("PASSWORD_HASHERS", False), ("SECRETS_MANAGER_REGION", False), ("PIP_KEYRING_PROVIDER", False),
        ("SECRET_NAME", False), ("KEY", False), ("DATABASE_URL", False), ("MAX_TOTAL_TOKENS", False),
        ("MAX_NEW_TOKENS", False), ("TOKEN_LIMIT", False), ("JWT_PUBLIC_KEY", False), ("OPENAI_API_BASE", False),
        ("AUTH", True), ("NPM_AUTH", True), ("proxyAuth", True), ("GIT_KEY", True), ("OAUTH", False),
        ("NEXT_PUBLIC_API_TOKEN", False), ("publicToken", False), ("SKIP_AUTH", False), ("AUTH_URL", False),
        # switches: a switch word before the secret word (netflix/dispatch, the mysql image)
        ("VITE_AUTH_USE_ID_TOKEN", False), ("OIDC_USE_ID_TOKEN", False), ("MYSQL_ALLOW_EMPTY_PASSWORD", False),
        ("ENABLE_TOKEN_AUTH", False), ("JUPYTER_NO_AUTH", False), ("TOKEN_DISABLE", False),
        ("USER_TOKEN", True), ("NOTION_TOKEN", True), ("ID_TOKEN", True), ("TOKEN_FOR_USE", True),
        # front-end variables inlined into the browser bundle (PrefectHQ/prefect)
        ("VITE_AMPLITUDE_API_KEY", False), ("REACT_APP_MAPS_API_KEY", False), ("GATSBY_ALGOLIA_API_KEY", False),
        ("INVITE_TOKEN", True), ("REACT_TOKEN", True), ("APP_REACT_SECRET", True),
    ],
)
def test_secret_name(name: str, secret: bool) -> None:
    assert secret_name(name) is secret


@pytest.mark.parametrize(
    ("path", "dest", "kind"),
    [
        (".env", "/app/", "a secret file"), (".env.local", "", "a secret file"),
        (".env.example", "", None), (".env.local.sample", "", None), (".envrc", "", None),
        ("id_ed25519", "", "an SSH key"), ("id_rsa.pub", "", None), (".ssh/", "", "an SSH key"),
        ("tls/server.pem", "/app/", "a private key"), ("ca.pem", "/app/", None),
        ("tls/server.pem", "/etc/ssl/certs/", None), ("keystore.p12", "", "a secret file"),
        ("home/.docker/config.json", "", "a secret file"), ("docker/config.json", "", None),
        ("repo.key", "", "a private key"), ("docker-archive-keyring.key", "", None),
    ],
)
def test_secret_file(path: str, dest: str, kind: str | None) -> None:
    assert secret_file(path, dest) == kind


CONTEXT = BASE + "WORKDIR /app\nCOPY . .\n"
HEAD = "'COPY .' copies the whole build context"


@pytest.mark.parametrize(
    ("ignores", "message"),
    [
        pytest.param([], f"{HEAD}, but there is no .dockerignore (next to the Dockerfile or in a parent "
                     "directory); add one that excludes .git, .env, .venv and **/__pycache__", id="none"),
        pytest.param(
            [(".dockerignore", "# python\n__pycache__\n*.pyc\n.git/\n")],
            f"{HEAD}, but '.dockerignore' does not exclude .env, .venv, __pycache__ in every directory; "
            "add '.env', '.venv', '**/__pycache__'",
            id="top-level-pycache-only",
        ),
        pytest.param(
            [("docker/Dockerfile.dockerignore", ".git\n"), (".dockerignore", IGNORE_OK[0][1])],
            f"{HEAD}, but 'docker/Dockerfile.dockerignore' does not exclude .env, .venv, __pycache__ "
            "in every directory; add '.env', '.venv', '**/__pycache__'",
            id="dockerfile-specific-ignore-wins",
        ),
        pytest.param(
            [(".dockerignore", "*\n!src\n!requirements.txt\n")],
            f"{HEAD}, but '.dockerignore' does not exclude __pycache__ below 'src', which '!src' re-includes; "
            "add '**/__pycache__' after '!src'",
            id="allowlist-reincludes-pycache-under-src",
        ),
        pytest.param(
            [(".dockerignore", ".git\n.env*\n!.env\n.venv\n**/__pycache__\n")],
            f"{HEAD}, but '.dockerignore' does not exclude .env; add '.env'",
            id="negation-brings-env-back",
        ),
    ],
)
def test_context_copy_fail(ignores: list[tuple[str, str]], message: str) -> None:
    found = [(f.line, f.col, f.code, f.message) for f in check(parse(CONTEXT), dockerignores=ignores)]
    assert found == [(3, 6, "DPH704", message)]


@pytest.mark.parametrize(
    "ignores",
    [
        pytest.param([(".dockerignore", "*\n!src\n!requirements.txt\nsrc/**/__pycache__\n")], id="allowlist"),
        pytest.param([(".dockerignore", "/.git/\r\n./.env\r\n.venv/\r\n**/*.pyc\r\n")], id="crlf-slashes-pyc"),
        pytest.param(
            [("docker/.dockerignore", ".git\n"), (".dockerignore", IGNORE_OK[0][1])],
            id="root-context-ignore-accepted",
        ),
        pytest.param([(".dockerignore", "**\n!app/**/*.py\n!pyproject.toml\n")], id="double-star-allowlist"),
    ],
)
def test_context_copy_pass(ignores: list[tuple[str, str]]) -> None:
    assert check(parse(CONTEXT), dockerignores=ignores) == []


# Real-world shape: a builder needs .git for its version (versioningit, setuptools-scm)
# and the shipped image takes only the built distribution from it.
SDIST_BUILDER = (
    "FROM python:3.12-slim-bookworm AS python-builder\nWORKDIR /opt/app\nCOPY . ./\n"
    "RUN uv build --sdist --out-dir dist\n"
    "FROM python:3.12-slim-bookworm AS final\nWORKDIR /opt/app\n"
    "COPY --from=python-builder /opt/app/dist ./dist\nRUN pip install --no-cache-dir ./dist/*.tar.gz\n"
)
PYTHON_IGNORE = [(".dockerignore", "__pycache__/\n*.py[cod]\n.env\n.venv\n")]


def test_builder_copy_that_does_not_ship_needs_only_env_excluded() -> None:
    assert check(parse(SDIST_BUILDER), dockerignores=PYTHON_IGNORE) == []
    found = [(f.line, f.message) for f in check(parse(SDIST_BUILDER), dockerignores=[])]
    assert found == [(3, "'COPY .' copies the whole build context, but there is no .dockerignore (next to "
                         "the Dockerfile or in a parent directory); add one that excludes .env")]
    found = [(f.line, f.message) for f in check(parse(SDIST_BUILDER), dockerignores=[(".dockerignore", ".git\n")])]
    assert found == [(3, "'COPY .' copies the whole build context, but '.dockerignore' does not exclude .env; "
                         "add '.env'")]


@pytest.mark.parametrize(
    "copy",
    [
        pytest.param("COPY --from=python-builder /opt/app /opt/app\n", id="the-tree"),
        pytest.param("COPY --from=python-builder / /\n", id="the-root"),
        pytest.param("COPY --from=0 /opt /opt\n", id="a-parent-by-index"),
        pytest.param("COPY --from=python-builder /opt/* /opt/\n", id="a-glob-of-a-parent"),
    ],
)
def test_builder_copy_shipped_whole_is_judged_fully(copy: str) -> None:
    text = SDIST_BUILDER.replace("COPY --from=python-builder /opt/app/dist ./dist\n", copy)
    found = [(f.line, f.message) for f in check(parse(text), dockerignores=PYTHON_IGNORE)]
    assert found == [(3, "'COPY .' copies the whole build context, but '.dockerignore' does not exclude .git, "
                         "__pycache__ in every directory; add '.git', '**/__pycache__'")]


def test_context_copy_exclude_flags() -> None:
    text = BASE + "COPY --exclude=.git --exclude=.env --exclude=.venv --exclude=**/__pycache__ . /app\n"
    assert check(parse(text), dockerignores=[]) == []
    text = BASE + "COPY --exclude=.git * /app\n"
    assert [(f.col, f.message) for f in check(parse(text), dockerignores=[])] == [(
        21, "'COPY *' copies the whole build context, but --exclude on 'COPY' does not exclude "
        ".env, .venv, __pycache__ in every directory; add '.env', '.venv', '**/__pycache__'",
    )]


def test_context_copy_not_judged_without_ignore_information() -> None:
    assert check(parse(CONTEXT)) == []


def test_main_dockerfile_and_dockerignore(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    df = write("docker/Dockerfile", CONTEXT)
    assert main([df]) == 1
    assert capsys.readouterr().out.startswith("docker/Dockerfile:3:6: DPH704 'COPY .' copies the whole build "
                                              "context, but there is no .dockerignore")
    write(".dockerignore", IGNORE_OK[0][1])
    assert main([df]) == 0
    write("docker/Dockerfile.dockerignore", ".git\n")
    assert main([df]) == 1
    assert "but 'docker/Dockerfile.dockerignore' does not exclude .env" in capsys.readouterr().out


def test_main_requirements(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    req = write("requirements.txt", f"--index-url https://ci:{PASSWORD}@pypi.example.com/simple\nrequests==2.32.3\n")
    good = write("requirements-dev.in", "--extra-index-url https://ci:${PIP_TOKEN}@pypi.example.com/simple\n")
    assert main([req, good]) == 1
    assert capsys.readouterr().out == (
        "requirements.txt:1:13: DPH702 URL with a password in the requirements file "
        "('https://ci:****@pypi.example.com'); rotate it and read it from an environment variable "
        "(pip expands '${VAR}': 'https://user:${PIP_TOKEN}@host/simple')\n"
    )


def test_secrets_never_printed(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    secrets = [GH, GLPAT, PYPI, AWS, HF, PASSWORD]
    df = write("Dockerfile", BASE + "".join(f"RUN echo https://u:{s}@h/ {s}\n" for s in secrets))
    wheel = "pkg-1.0-py3-none-any.whl"
    req = write("requirements/base.txt", "".join(f"pkg @ https://u:{s}@h/{wheel}\n# {s}\n" for s in secrets))
    assert main([df, req]) == 1
    out = capsys.readouterr().out
    # per file: a URL with each secret as password, and each token once more on its own
    assert out.count("DPH702") == out.count("\n") == 2 * (2 * len(secrets) - 1)
    for secret in secrets:
        assert secret not in out
        assert secret[6:20] not in out


def test_suppression(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    text = BASE + "# dph: ignore=DPH701 a throw-away token of the test stage\nARG DEPLOY_TOKEN\n"
    assert main([write("Dockerfile", text)]) == 0
    req = write("requirements.txt", f"--index-url https://ci:{PASSWORD}@localhost/simple  # noqa: DPH702\n")
    assert main([req]) == 0
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("code", ["DPH701", "DPH702", "DPH703", "DPH704"])
def test_documented_examples(code: str) -> None:
    from hooks import _docs, check_secrets

    doc = next(r for r in _docs.parse_docstring(check_secrets.HOOK).rules if r.rule.code == code)
    example, fixed = (
        doc.sections[s].strip().strip("`").removeprefix("dockerfile\n") for s in ("Example", "Use instead")
    )
    assert code in [f.code for f in check(parse(example), dockerignores=[])]
    assert check(parse(fixed), dockerignores=IGNORE_OK) == []


def test_included_file_reported_once(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    write("common.in", f"--extra-index-url https://ci:{PASSWORD}@pypi.example.com/simple\n")
    req = write("requirements.txt", "-r common.in\n-r requirements-base.txt\nflask==3.1.0\n")
    write("requirements-base.txt", f"-f https://ci:{PASSWORD}@files.example.com/\n")
    assert main([req]) == 1
    out = capsys.readouterr().out
    assert [line.split(" ", 2)[:2] for line in out.splitlines()] == [["common.in:1:19:", "DPH702"]]


# --- DPH703: sources judged by the build context and its ignore files -----------------
# Real-world shape (dev containers): the *.env files beside the scripts are version metadata.
DEVCONTAINER = (
    "FROM mcr.microsoft.com/devcontainers/python:1-3.12-bookworm\n"
    "COPY library-scripts/*.sh library-scripts/*.env /tmp/library-scripts/\n"
    "RUN bash /tmp/library-scripts/common-debian.sh && rm -rf /tmp/library-scripts\n"
)


def _copy_findings(write: Writer, files: dict[str, str], dockerfile: str, text: str) -> list[tuple[int, int, str]]:
    from hooks import _dockerignore
    from hooks._context import BuildContext
    from hooks._files import Repo

    for name, content in files.items():
        write(name, content)
    path = write(dockerfile, text)
    repo = Repo()
    ignores = _dockerignore.load(repo, path)
    df = parse(text, path=path)
    found = check(df, dockerignores=ignores, context=BuildContext(repo, path))
    return [(f.line, f.col, f.message) for f in found if f.code == "DPH703"]


CONTEXT_PASS = [
    pytest.param(
        {".devcontainer/library-scripts/common-debian.sh": "#!/bin/bash\n",
         ".devcontainer/library-scripts/meta.env": "VERSION=0.1\n"},
        ".devcontainer/Dockerfile", DEVCONTAINER, id="devcontainer-meta-env",
    ),
    pytest.param({}, ".devcontainer/Dockerfile", DEVCONTAINER, id="devcontainer-scripts-not-checked-out"),
    pytest.param(
        {"library-scripts/meta.env": "VERSION=0.1\n", "library-scripts/a.sh": ""},
        ".devcontainer/Dockerfile", DEVCONTAINER, id="context-is-the-parent-directory",
    ),
    pytest.param(
        {".env.example": "DEBUG=0\n", "app.py": ""},
        "Dockerfile", BASE + "WORKDIR /app\nCOPY .env* *.py ./\n", id="env-glob-matches-only-a-template",
    ),
    pytest.param(
        {".env": "TOKEN=x\n", "meta.env": "V=1\n", ".dockerignore": ".env\n"},
        "Dockerfile", BASE + "COPY *.env /app/\n", id="matched-secret-kept-out-by-dockerignore",
    ),
    pytest.param(
        {"docker/Dockerfile.dockerignore": "**/*.key\n", "keys/repo.key": ""},
        "docker/Dockerfile", BASE + "COPY keys/*.key /etc/apt/keyrings/\n",
        id="dockerfile-specific-ignore-file",
    ),
    pytest.param(
        {"tls/ca.pem": "", "tls/fullchain.pem": ""},
        "Dockerfile", BASE + "COPY tls/*.pem /app/tls/\n", id="only-certificates-in-context",
    ),
    # A source the ignore file keeps out of the context is never copied: the COPY fails.
    pytest.param(
        {".dockerignore": "**/.git\n.env\n", "backend/app.py": ""},
        "Dockerfile", BASE + "COPY ./backend .\nCOPY ./.env .env\n", id="open-webui-dotenv-in-dockerignore",
    ),
    pytest.param(
        {".dockerignore": "config/\n*.key\n"},
        "Dockerfile", BASE + "COPY config/.env.production server.key /app/\n", id="excluded-directory-and-pattern",
    ),
    pytest.param(
        {"docker/Dockerfile.dockerignore": "/.netrc\n"},
        "docker/Dockerfile", BASE + "COPY .netrc /root/.netrc\n", id="dockerfile-specific-ignore-excludes",
    ),
]


@pytest.mark.parametrize(("files", "dockerfile", "text"), CONTEXT_PASS)
def test_glob_copy_judged_by_context_pass(write: Writer, files: dict[str, str], dockerfile: str, text: str) -> None:
    assert _copy_findings(write, files, dockerfile, text) == []


CONTEXT_FAIL = [
    pytest.param(
        {".devcontainer/library-scripts/meta.env": "VERSION=0.1\n",
         ".devcontainer/library-scripts/.env": "GITHUB_TOKEN=x\n"},
        ".devcontainer/Dockerfile", DEVCONTAINER,
        [(2, 27, "COPY 'library-scripts/*.env' (it matches 'library-scripts/.env' in the build context) "
                 f"puts a secret file into an image layer; {FIX_FILE}")],
        id="star-env-matches-a-dotenv",
    ),
    pytest.param(
        {".env.example": "", ".env.local": "", ".env.production": ""},
        "Dockerfile", BASE + "COPY .env* /app/\n",
        [(2, 6, "COPY '.env*' (it matches '.env.local' and 1 more in the build context) "
                f"puts a secret file into an image layer; {FIX_FILE}")],
        id="env-glob-and-more",
    ),
    pytest.param(
        {"server.pem": "", "docker/entrypoint.sh": ""},
        "docker/Dockerfile", BASE + "COPY *.pem /app/\n",
        [(2, 6, f"COPY '*.pem' (it matches 'server.pem' in the build context) puts a private key into an "
                f"image layer; {FIX_FILE}")],
        id="context-is-the-repository-root",
    ),
    pytest.param(
        {"home/.ssh/id_ed25519": "", "home/.ssh/known_hosts": ""},
        "Dockerfile", BASE + "COPY home/.s* /root/\n",
        [(2, 6, "COPY 'home/.s*' (it matches 'home/.ssh' in the build context) puts an SSH key into an image "
                "layer; use 'RUN --mount=type=ssh' (or a build secret) for the step that needs it")],
        id="glob-matches-a-directory",
    ),
    pytest.param(
        {".dockerignore": ".git\n"}, "Dockerfile", BASE + "COPY ./.env .env\n",
        [(2, 6, f"COPY './.env' puts a secret file into an image layer; {FIX_FILE}")],
        id="ignore-file-does-not-exclude-the-secret",
    ),
    pytest.param(
        {".dockerignore": ".env*\n!.env.production\n"}, "Dockerfile", BASE + "COPY .env.local .env.production /app/\n",
        [(2, 17, f"COPY '.env.production' puts a secret file into an image layer; {FIX_FILE}")],
        id="re-included-by-a-negation",
    ),
    pytest.param(
        {".dockerignore": ".env\n", "Dockerfile.dockerignore": ".git\n"}, "Dockerfile", BASE + "COPY .env /app/\n",
        [(2, 6, f"COPY '.env' puts a secret file into an image layer; {FIX_FILE}")],
        id="dockerfile-specific-ignore-file-wins",
    ),
]


@pytest.mark.parametrize(("files", "dockerfile", "text", "expected"), CONTEXT_FAIL)
def test_glob_copy_judged_by_context_fail(
    write: Writer, files: dict[str, str], dockerfile: str, text: str, expected: list[tuple[int, int, str]],
) -> None:
    assert _copy_findings(write, files, dockerfile, text) == expected


def test_glob_copy_context_not_followed_out_of_the_repository(
    write: Writer, tmp_path_factory: pytest.TempPathFactory,
) -> None:
    outside = tmp_path_factory.mktemp("outside")
    (outside / ".env").write_text("TOKEN=x\n")
    (outside / "meta.env").write_text("V=1\n")
    write("Dockerfile", BASE)
    os.symlink(outside, "linked")
    assert _copy_findings(write, {}, "Dockerfile", BASE + "COPY linked/*.env /app/\n") == []


def test_main_glob_copy_uses_the_context(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    write(".devcontainer/library-scripts/meta.env", "VERSION=0.1\n")
    df = write(".devcontainer/Dockerfile", DEVCONTAINER)
    assert main([df]) == 0
    write(".devcontainer/library-scripts/.env", "GITHUB_TOKEN=x\n")
    assert main([df]) == 1
    assert capsys.readouterr().out == (
        ".devcontainer/Dockerfile:2:27: DPH703 COPY 'library-scripts/*.env' (it matches "
        f"'library-scripts/.env' in the build context) puts a secret file into an image layer; {FIX_FILE}\n"
    )


# --- DPH701 and BuildKit's SecretsUsedInArgOrEnv -----------------------------------------
def _buildkit_secret(name: str) -> bool:
    """BuildKit's rule (dockerfile2llb getSecretsRegex): a deny word between '_' or the
    ends, and no allow word."""
    words = [w.lower() for w in name.split("_")]
    deny = {"apikey", "auth", "credential", "credentials", "key", "password", "pword", "passwd", "secret", "token"}
    return bool(deny.intersection(words)) and not {"public", "file", "version"}.intersection(words)


# Names on which the two agree: BuildKit's own test names, and the points they share.
AGREE = [
    "SECRET_PASSPHRASE", "SUPER_Secret", "password", "secret", "super_duper_secret_token", "auth", "apikey",
    "sunflower", "git_key", "PUBLIC_KEY", "public_token", "SECRET_PASSPHRASE_FILE", "password_file",
    "secret_File", "AUTH_MODULE_VERSION", "NPM_AUTH", "BASIC_AUTH", "NEXT_PUBLIC_API_TOKEN",
    "VITE_PUBLIC_SUPABASE_ANON_KEY", "GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "OPENAI_API_KEY",
    "AZURE_CREDENTIALS", "TOKENIZERS_PARALLELISM", "MAX_NEW_TOKENS", "PYTHONUNBUFFERED", "SECRET_KEY_VERSION",
]
# Names on which they differ, each on purpose (see the DPH701 doc).
DIFFER = [
    "GPG_KEY", "AWS_ACCESS_KEY_ID", "CACHE_KEY", "KEY", "TOKEN_URL", "PASSWORD_MIN_LENGTH", "AUTH_TYPE",
    "GOOGLE_APPLICATION_CREDENTIALS", "DISABLE_AUTH", "FILE_ENCRYPTION_KEY", "PGPASSWORD", "sshPrivateKey",
    "SENDGRIDAPIKEY", "PASSPHRASE", "DB_PASS", "MYSQL_PWD", "AZURE_STORAGE_CONNECTION_STRING",
]


@pytest.mark.parametrize("name", AGREE)
def test_secret_name_agrees_with_buildkit(name: str) -> None:
    assert secret_name(name) is _buildkit_secret(name)


@pytest.mark.parametrize("name", DIFFER)
def test_secret_name_differs_from_buildkit_on_purpose(name: str) -> None:
    assert secret_name(name) is not _buildkit_secret(name)


def test_buildkit_secrets_cases_in_our_words() -> None:
    text = (
        "FROM scratch\n"
        "ARG SIGNING_SECRET\n"
        "ENV Deploy_Secret=x\n"
        "ENV password=a secret=b\n"
        "ARG upload_token=x auth=y\n"
        "ENV apikey=x sunrise=y\n"
        "ENV git_key=\n"  # BuildKit reports it; an empty ENV stores nothing (on purpose)
        "ENV git_key=abc\n"
        "ENV PUBLIC_KEY=\nARG public_token\nARG NEXT_PUBLIC_API_TOKEN\n"
        "ARG DEPLOY_TOKEN_FILE\nENV password_file=x secret_File=y\nARG AUTH_MODULE_VERSION\n"
        "ARG NPM_AUTH\n"
    )
    found = [(f.line, f.col, f.message) for f in check(parse(text))]
    assert found == [
        (2, 5, _arg("SIGNING_SECRET")),
        (3, 5, _env("Deploy_Secret")),
        (4, 5, _env("password")),
        (4, 16, _env("secret")),
        (5, 5, _arg("upload_token")),
        (5, 20, _arg("auth")),
        (6, 5, _env("apikey")),
        (8, 5, _env("git_key")),
        (15, 5, _arg("NPM_AUTH")),
    ]


def _doc_words(marker: str) -> set[str]:
    """The ``WORDS`` of the DPH701 doc's list item that starts with ``marker``."""
    from hooks import _docs, check_secrets

    doc = next(r for r in _docs.parse_docstring(check_secrets.HOOK).rules if r.rule.code == "DPH701")
    text = doc.sections["What it does"]
    item = text[text.index(marker):].split("\n- ")[0].split("\n\n")[0]
    return set(re.findall(r"``([A-Z]+)``", item))


def test_dph701_doc_lists_exactly_what_the_rule_does() -> None:
    from hooks import check_secrets as cs

    def upper(words: Iterable[str]) -> set[str]:
        return {w.upper() for w in words}

    assert _doc_words("a name whose last word names") == upper(cs._NOT_A_SECRET)
    assert _doc_words("``KEY`` follows a word") == upper(cs._KEY_QUALIFIERS) | {"KEY", "SSHKEY"}
    assert _doc_words("the last word is ``AUTH``") == upper(cs._SECRET_LAST_WORDS) | {"AUTH"}
    assert _doc_words("a switch: a name where") == upper(cs._SWITCHES)
    assert _doc_words("a word is ``TOKEN``") == upper(cs._SECRET_WORDS | set(cs._SECRET_PARTS)) | {"PGPASSWORD"}
    assert {"GOOGLE_APPLICATION_CREDENTIALS", "CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE"} == upper(cs._PATH_VARIABLES)


@pytest.mark.parametrize("word", sorted(_NOT_A_SECRET))
def test_documented_last_words_pass(word: str) -> None:
    assert secret_name(f"DEPLOY_TOKEN_{word.upper()}") is False
    assert secret_name(f"DEPLOY_TOKEN_{word.upper()}_X") is True


def test_main_copy_of_a_dotenv_that_dockerignore_excludes(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    df = write("Dockerfile", BASE + "COPY .env /app/.env\n")
    assert main([df]) == 1
    assert capsys.readouterr().out == (
        f"Dockerfile:2:6: DPH703 COPY '.env' puts a secret file into an image layer; {FIX_FILE}\n"
    )
    write(".dockerignore", ".env\n")
    assert main([df]) == 0  # the build fails on the missing file: nothing secret is copied
    assert capsys.readouterr().out == ""


def test_main_containerfile_with_a_containerignore(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    df = write("Containerfile", BASE + "COPY . /app\nCOPY .env /app/.env\n")
    write(".env", "TOKEN=x\n")
    write(".containerignore", ".git\n.env\n.venv\n**/__pycache__\n")
    assert main([df]) == 0  # Podman reads .containerignore: the context is filtered, .env never sent
    assert capsys.readouterr().out == ""


def test_main_git_excluded_from_a_context_whose_build_reads_the_version_from_git(
    write: Writer, capsys: pytest.CaptureFixture[str],
) -> None:
    df = write("Dockerfile", BASE + "COPY . /src\nRUN pip install --no-cache-dir /src\n")
    write(".dockerignore", ".env\n.venv\n**/__pycache__\n")
    write("pyproject.toml", '[build-system]\nrequires = ["hatchling>=1.20", "hatch-vcs"]\n')
    assert main([df]) == 1
    assert capsys.readouterr().out == (
        "Dockerfile:2:6: DPH704 'COPY .' copies the whole build context, but '.dockerignore' does not exclude "
        ".git; add '.git' (the build reads the version from .git through hatch-vcs: build the wheel in a builder "
        "stage, which may keep .git, and copy only the wheel; or exclude .git and pass the version in, e.g. "
        "SETUPTOOLS_SCM_PRETEND_VERSION)\n"
    )


@pytest.mark.parametrize(
    ("pyproject", "expected"),
    [
        pytest.param('[build-system]\nrequires = ["setuptools>=64", "setuptools_scm[toml]>=8"]\n',
                     ("setuptools-scm", True), id="setuptools-scm"),
        pytest.param('[build-system]\nrequires = ["poetry-core", "poetry-dynamic-versioning>=1,<2"]\n',
                     ("poetry-dynamic-versioning", False), id="poetry-dynamic-versioning"),
        pytest.param('[build-system]\nrequires = ["pdm-backend"]\n[tool.pdm.version]\nsource = "scm"\n',
                     ("pdm-backend", False), id="pdm-scm"),
        pytest.param('[build-system]\nrequires = ["hatchling"]\n', None, id="static-version"),
        pytest.param('[build-system]\nrequires = "hatch-vcs"\n', None, id="malformed-requires"),
        pytest.param(None, None, id="no-pyproject"),
    ],
)
def test_git_versioning(pyproject: str | None, expected: tuple[str, bool] | None) -> None:
    from hooks._files import load_toml
    from hooks.check_secrets import git_versioning

    assert git_versioning(None if pyproject is None else load_toml(pyproject)) == expected


def test_target_is_the_shipped_stage_for_dph704() -> None:
    text = (
        "FROM python:3.12-slim-bookworm AS build\nCOPY . /src\nRUN pip wheel --no-deps -w /wheels /src\n"
        "FROM python:3.12-slim-bookworm AS app\nCOPY --from=build /wheels /wheels\n"
        "FROM python:3.12-slim-bookworm AS docs\nCOPY --from=build /src /src\n"
    )
    ignores = [(".dockerignore", ".env\n")]
    # The last stage 'docs' takes /src whole: the build stage's copy must keep .git out too.
    assert [f.code for f in check(parse(text), dockerignores=ignores)] == ["DPH704"]
    # Shipped 'app' takes only the wheels: .env is all the copy must keep out.
    assert check(parse(text), dockerignores=ignores, target="app") == []


def test_onbuild_context_copy_is_the_child_builds() -> None:
    """An ONBUILD COPY . runs in the child image's build, with the child's .dockerignore."""
    text = BASE + "WORKDIR /app\nONBUILD COPY . /app\nONBUILD COPY .env /app/\n"
    found = [(f.line, f.code) for f in check(parse(text), dockerignores=[])]
    assert found == [(4, "DPH703")]  # a named secret file is copied whatever the context


def test_git_advice_when_a_later_run_reads_git() -> None:
    text = BASE + "WORKDIR /src\nCOPY . .\nRUN sed -i '/^x/d' .git/config\nRUN git --git-dir=.git log -1 > /rev\n"
    found = [(f.line, f.message) for f in check(parse(text), dockerignores=[(".dockerignore", ".env\n.venv\n"
                                                                             "**/__pycache__\n")])]
    assert found == [(3, "'COPY .' copies the whole build context, but '.dockerignore' does not exclude .git; "
                         "add '.git' (the RUN on line 4 reads .git: do that in a builder stage, which may keep "
                         ".git, and copy only its result into the image)")]
    gitignore_only = BASE + "COPY . .\nRUN cat .gitignore .github/x\n"
    plain = check(parse(gitignore_only), dockerignores=[(".dockerignore", ".env\n.venv\n**/__pycache__\n")])
    assert [f.message.endswith("add '.git'") for f in plain] == [True]


@pytest.mark.parametrize(("files", "expected"), [
    pytest.param({"src/static/README": ""}, [], id="re-included-file-brings-no-pycache-back"),
    pytest.param(
        {"src/static/README/index.txt": ""},
        ["'COPY .' copies the whole build context, but '.dockerignore' does not exclude __pycache__ below "
         "'src/static/README', which '!src/static/README' re-includes; add '**/__pycache__' after "
         "'!src/static/README'"],
        id="re-included-directory-named-in-the-advice",
    ),
])
def test_negation_after_pycache(write: Writer, files: dict[str, str], expected: list[str]) -> None:
    from hooks import _dockerignore
    from hooks._context import BuildContext
    from hooks._files import Repo

    for name, content in files.items():
        write(name, content)
    write(".dockerignore", "**/__pycache__\n.git\n.env\n.venv\n!src/static/README\n")
    text = BASE + "COPY . /app\n"
    path = write("Dockerfile", text)
    repo = Repo()
    ignores = _dockerignore.load(repo, path)
    found = check(parse(text, path=path), dockerignores=ignores, context=BuildContext(repo, path))
    assert [f.message for f in found if f.code == "DPH704"] == expected


def test_switch_words_clear_only_an_env() -> None:
    text = BASE + "ARG API_KEY=no\nENV SECRET_KEY=changeme\nENV API_TOKEN=none\n"
    assert [(f.line, f.code) for f in check(parse(text)) if f.code == "DPH701"] == [(2, "DPH701"), (3, "DPH701")]


def test_names_of_paths_and_modules_are_not_secrets() -> None:
    text = BASE + (
        'ENV CREDENTIALS_NODEENV_BIN="/edx/app/credentials/nodeenv/bin" CREDENTIALS_CFG=/edx/etc/credentials.yml\n'
        "ENV PASSWORD_HASHERS_MODULE=app.hashers SECRETS_HOME=/run/secrets\n"
    )
    assert [f for f in check(parse(text)) if f.code == "DPH701"] == []
