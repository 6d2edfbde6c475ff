from __future__ import annotations

import pytest

from hooks._dockerfile import parse
from hooks.check_pip_hygiene import check, main, unpinned
from tests.conftest import Writer

BASE = "FROM python:3.12-slim-bookworm\n"
SHA = "0123456789abcdef0123456789abcdef01234567"

UV_OFFICIAL = """\
FROM python:3.12-slim-bookworm
COPY --from=ghcr.io/astral-sh/uv:0.5.11 /uv /uvx /bin/
WORKDIR /app
RUN --mount=type=cache,target=/root/.cache/uv \\
    --mount=type=bind,source=uv.lock,target=uv.lock \\
    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \\
    uv sync --frozen --no-install-project --no-dev
ADD . /app
RUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen --no-dev
"""

POETRY = """\
FROM python:3.12-slim-bookworm
ENV POETRY_VERSION=1.8.3 POETRY_VIRTUALENVS_CREATE=false
RUN pip install --no-cache-dir "poetry==$POETRY_VERSION"
COPY pyproject.toml poetry.lock ./
RUN poetry install --no-root --only main --no-interaction
COPY . .
"""

WHEELS = """\
FROM python:3.12-slim-bookworm AS builder
RUN pip install --upgrade pip==24.2 wheel==0.44.0
COPY requirements.txt .
RUN pip wheel --wheel-dir /wheels -r requirements.txt
FROM python:3.12-slim-bookworm
COPY --from=builder /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links=/wheels /wheels/* && rm -rf /wheels
RUN pip install --no-cache-dir --no-index --find-links /wheels myapp
"""

VENV_BUILDER = """\
FROM python:3.12-slim-bookworm AS builder
RUN python -m venv /venv
COPY requirements.txt .
RUN /venv/bin/pip install -r requirements.txt
FROM python:3.12-slim-bookworm
COPY --from=builder /venv /venv
ENV PATH=/venv/bin:$PATH
"""

PASS = [
    pytest.param(UV_OFFICIAL, id="uv-official-example"),
    pytest.param(POETRY, id="poetry-pinned-from-env"),
    pytest.param(WHEELS, id="multistage-wheels-no-index"),
    pytest.param(VENV_BUILDER, id="cache-in-builder-stage-does-not-ship"),
    pytest.param(
        BASE.replace("\n", " AS base\n") + "ENV PIP_NO_CACHE_DIR=1\nFROM base\nRUN pip install -r requirements.txt\n",
        id="env-inherited-from-parent",
    ),
    pytest.param(BASE + "ARG PIP_NO_CACHE_DIR=1\nRUN pip install -r requirements.txt\n", id="arg"),
    pytest.param(BASE + "ENV PIP_NO_CACHE_DIR=off\nRUN pip install -r r.txt\n", id="pip-reads-off-as-no-cache"),
    pytest.param(BASE + "ARG NOCACHE\nENV PIP_NO_CACHE_DIR=$NOCACHE\nRUN pip install -r r.txt\n", id="unknown-value"),
    pytest.param(BASE + "RUN PIP_NO_CACHE_DIR=1 pip install -r r.txt\n", id="assignment-prefix"),
    pytest.param(BASE + "RUN env PIP_NO_CACHE_DIR=true pip3 install -r r.txt\n", id="env-prefix"),
    pytest.param(BASE + "RUN export PIP_NO_CACHE_DIR=1 && pip install -r r.txt\n", id="export"),
    pytest.param(BASE + "RUN pip install --no-cache -r r.txt\n", id="abbreviated-flag"),
    pytest.param(BASE + "RUN pip --no-cache-dir install -r r.txt\n", id="flag-before-verb"),
    pytest.param(
        BASE + "RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n",
        id="cache-mount-root",
    ),
    pytest.param(
        BASE + "USER app\nRUN --mount=type=cache,id=pip,sharing=locked,target=$HOME/.cache/pip,uid=1000 \\\n"
        "    pip install --user -r requirements.txt\n",
        id="cache-mount-home",
    ),
    pytest.param(BASE + "RUN --mount=type=cache,dst=/root/.cache pip install -r r.txt\n", id="cache-mount-dst"),
    pytest.param(BASE + "RUN --mount=type=tmpfs,target=/root/.cache pip install -r r.txt\n", id="tmpfs"),
    pytest.param(
        BASE + "ENV PIP_CACHE_DIR=/var/cache/pip\nRUN --mount=type=cache,target=/var/cache/pip pip install -r r.txt\n",
        id="cache-mount-on-pip-cache-dir",
    ),
    pytest.param(
        BASE + "RUN --mount=type=cache,target=/pc pip install --cache-dir /pc -r r.txt\n",
        id="cache-mount-on-cache-dir-option",
    ),
    pytest.param(BASE + "RUN pip install -r r.txt && pip cache purge\n", id="cache-purged"),
    pytest.param(
        BASE + "RUN pip install --no-index --find-links=/wheels flask && rm -rf /wheels\n"
        "RUN pip install --no-index -f file:///wheels /wheels/*.whl\n",
        id="local-wheels-only",
    ),
    pytest.param(BASE + "RUN pip install -r r.txt \\\n && rm -rf /root/.cache/pip/*\n", id="cache-removed"),
    pytest.param(
        BASE + "RUN pip config set global.no-cache-dir false\nRUN pip install -r r.txt\n", id="pip-config-set"
    ),
    pytest.param(
        BASE + "COPY <<EOF /etc/pip.conf\n[global]\nno-cache-dir = true\nEOF\nRUN pip install -r r.txt\n",
        id="pip-conf-heredoc",
    ),
    pytest.param(
        BASE + "RUN uv pip install --no-cache --system -r requirements.txt && uv -n pip install --system flask==3.0.3\n"
        "RUN uv sync --frozen --no-cache\nRUN uv --no-cache-dir sync --frozen\n",
        id="uv-no-cache-flag",
    ),
    pytest.param(BASE + "ENV UV_NO_CACHE=1\nRUN uv sync --frozen\n", id="uv-no-cache-env"),
    pytest.param(
        BASE + "USER 1000\nRUN --mount=type=cache,target=/home/app/.cache/pip,uid=1000 pip install -r r.txt\n",
        id="cache-mount-of-a-non-root-user",
    ),
    pytest.param(
        "FROM registry.access.redhat.com/ubi9/python-311:1-77\nRUN pip install -r r.txt\n"
        "FROM quay.io/fedora/python-313\nRUN pip install -r r.txt\n",
        id="red-hat-python-image-sets-pip-no-cache-dir",
    ),
    pytest.param(BASE + "RUN UV_NO_CACHE=true uv sync --frozen\n", id="uv-no-cache-prefix"),
    pytest.param(BASE + "ARG UV_NO_CACHE\nRUN uv sync --frozen\n", id="uv-no-cache-unknown-value"),
    pytest.param(
        BASE + "RUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen\n"
        "RUN --mount=type=cache,target=/root/.cache uv pip install --system -r r.txt\n"
        "ENV UV_CACHE_DIR=/opt/uv-cache\n"
        "RUN --mount=type=cache,target=/opt/uv-cache uv sync --frozen\n",
        id="uv-cache-mount",
    ),
    pytest.param(
        BASE + "RUN uv sync --frozen && uv cache clean\n"
        "RUN uv pip install --system -r r.txt && rm -rf /root/.cache/uv\n"
        "RUN uv tool install ruff==0.5.0 && uv cache prune --ci\n",
        id="uv-cache-cleaned",
    ),
    pytest.param(
        BASE + "COPY <<EOF /etc/uv/uv.toml\nno-cache = true\nEOF\nRUN uv sync --frozen\n",
        id="uv-toml-heredoc",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm AS build\nRUN uv sync --frozen\n"
        "FROM python:3.12-slim-bookworm\nCOPY --from=build /app/.venv /app/.venv\n",
        id="uv-cache-in-builder-stage",
    ),
    pytest.param(
        BASE + "RUN uv pip install --system --no-index --find-links /wheels -r r.txt\n"
        "RUN uv pip compile requirements.in -o requirements.txt && uv lock && uv venv /opt/venv\n",
        id="uv-local-wheels-and-non-installing-verbs",
    ),
    pytest.param(
        BASE + "RUN pip install --no-cache-dir \"uvicorn[standard]==0.30.6\" 'django===4.2.1' \\\n"
        "    \"flask==3.0.3; python_version > '3.8'\" gunicorn==22.0.0\n",
        id="pinned",
    ),
    pytest.param(
        BASE + "RUN pip install --no-cache-dir poetry poetry==2.0.1 'Flask[async]>=3' flask==3.0.3\n",
        id="name-also-pinned-on-the-same-line",
    ),
    pytest.param(
        BASE + "RUN pip install --no-cache-dir -c constraints.txt flask\n"
        "RUN PIP_CONSTRAINT=/c.txt pip install --no-cache-dir flask\n"
        "RUN uv pip install --no-cache --system --override overrides.txt flask\n",
        id="constrained",
    ),
    pytest.param(
        BASE + "RUN pip install --no-cache-dir -e . '.[dev]' ./libs/core /wheels/*.whl pkg-1.0-py3-none-any.whl \\\n"
        "    git+https://github.com/org/repo@" + SHA + " https://example.com/x-1.0.tar.gz \\\n"
        "    $EXTRA_PACKAGES \"$(cat packages.txt)\" \"name @ file:///src/name\" -r requirements.txt\n",
        id="not-package-names",
    ),
    pytest.param(
        BASE + "RUN pip install --no-cache-dir -i https://pypi.org/simple \\\n"
        "    --extra-index-url https://x.example/simple \\\n"
        "    -f /wheels --target /opt/lib --prefix /install --platform manylinux2014_x86_64 \\\n"
        "    --python-version 3.12 --implementation cp --abi cp312 --only-binary :all: -C key=value \\\n"
        "    --trusted-host pypi.internal --root /r --src /src --progress-bar off -Ur requirements.txt \\\n"
        "    requests==2.32.3\n",
        id="option-values-skipped",
    ),
    pytest.param(
        BASE + "RUN <<EOF\nset -e\npip install --no-cache-dir flask==3.0.3\nEOF\n"
        "RUN python3 <<EOF\nimport subprocess\nsubprocess.run(['pip', 'install', 'flask'])\nEOF\n",
        id="heredocs",
    ),
    pytest.param(
        "# escape=`\n" + BASE + "RUN pip install `\n    --no-cache-dir `\n    flask==3.0.3\n", id="escape-directive"
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\r\nRUN pip install \\\r\n    --no-cache-dir flask==3.0.3\r\n", id="crlf"
    ),
    pytest.param(BASE + "ONBUILD RUN pip install --no-cache-dir flask==3.0.3\n", id="onbuild-pinned"),
    pytest.param(
        BASE.replace("\n", " AS builder\n") + "ONBUILD RUN pip install -r requirements.txt\n"
        + BASE + "ENV PIP_NO_CACHE_DIR=1\nONBUILD RUN pip install -r requirements.txt\n",
        id="onbuild-trigger-in-a-builder-or-with-no-cache-env",
    ),
    pytest.param(
        BASE + "RUN pip download flask && pip uninstall -y flask && pipx install poetry\n",
        id="other-verbs-and-pipx",
    ),
    pytest.param(
        BASE + "COPY constraints.txt .\nRUN pip install --no-cache-dir -Uc constraints.txt flask gunicorn\n",
        id="clustered-constraint-flag-restricts-the-install",
    ),
    pytest.param(
        BASE + "ARG PIP\nRUN ${PIP} install flask\nRUN $INSTALLER install flask\n"
        "RUN PIP=pip3; $PIP install flask\n",
        id="pip-through-unresolved-or-script-set-variable-stays-unknown",
    ),
    pytest.param(
        BASE + "ARG PIP=\"pip3 --no-cache-dir\"\nRUN $PIP install flask==3.0.3\n",
        id="pip-through-arg-with-its-options",
    ),
    pytest.param(
        BASE + f"ARG LIB_SHA={SHA}\n"
        f"RUN pip install --no-cache-dir git+https://github.com/org/lib.git@{SHA} \\\n"
        f"    \"lib2 @ git+https://github.com/org/lib2.git@{SHA}\" \\\n"
        "    \"git+https://github.com/org/lib3.git@${LIB_SHA}#egg=lib3\" \\\n"
        "    \"git+https://github.com/org/lib4.git@${UNKNOWN_REF}\" \\\n"
        "    svn+https://svn.example.org/repo/trunk@1234#egg=legacy\n"
        "RUN pip install --no-cache-dir -r requirements.txt https://example.org/lib-1.0.tar.gz\n",
        id="vcs-links-pinned-or-unknown",
    ),
]

PIN_FIX = "pin it with '==' (e.g. '{}==X.Y.Z') or install it from a pinned requirements file"
CACHE_FIX = (
    "without --no-cache-dir leaves pip's cache in the image; add --no-cache-dir, set ENV "
    "PIP_NO_CACHE_DIR=1, or use a cache mount (RUN --mount=type=cache,target=/root/.cache/pip)"
)
UV_CACHE_FIX = (
    "without --no-cache leaves uv's cache in the image; add --no-cache, set ENV "
    "UV_NO_CACHE=1, or use a cache mount (RUN --mount=type=cache,target=/root/.cache/uv)"
)

FAIL = [
    pytest.param(
        BASE + "RUN pip install --no-cache-dir flask gunicorn==22.0.0\n",
        [(2, 32, "DPH107", "package 'flask' is not pinned; " + PIN_FIX.format("flask"))],
        id="bare-name",
    ),
    pytest.param(
        BASE + "RUN pip install --no-cache-dir \"uvicorn[standard]>=0.30\" 'Django~=4.2' flask==3.*\n",
        [
            (2, 32, "DPH107", "package 'uvicorn[standard]>=0.30' is not pinned to one version; "
             + PIN_FIX.format("uvicorn[standard]")),
            (2, 58, "DPH107", "package 'Django~=4.2' is not pinned to one version; " + PIN_FIX.format("Django")),
            (2, 72, "DPH107", "package 'flask==3.*' is not pinned to one version; " + PIN_FIX.format("flask")),
        ],
        id="ranges-and-wildcards",
    ),
    pytest.param(
        BASE + "RUN pip install --no-cache-dir setuptools<70\n",
        [(2, 32, "DPH107", "package 'setuptools' is not pinned: the unquoted '<' after it is a shell "
          "redirection, not a version; quote the requirement and " + PIN_FIX.format("setuptools"))],
        id="unquoted-redirection",
    ),
    pytest.param(
        BASE + "RUN python -m pip install --no-cache-dir --upgrade pip setuptools==75.1.0\n",
        [(2, 52, "DPH107", "package 'pip' is not pinned; " + PIN_FIX.format("pip"))],
        id="upgrade-pip-is-not-exempt",
    ),
    pytest.param(
        BASE + "RUN uv pip install --system -i https://pypi.org/simple httpx\n",
        [
            (2, 5, "DPH507", "'uv pip install' " + UV_CACHE_FIX),
            (2, 56, "DPH107", "package 'httpx' is not pinned; " + PIN_FIX.format("httpx")),
        ],
        id="uv-pip-install",
    ),
    pytest.param(
        BASE + "RUN <<EOF\nset -e\npip install --no-cache-dir \\\n    requests\nEOF\n",
        [(5, 5, "DPH107", "package 'requests' is not pinned; " + PIN_FIX.format("requests"))],
        id="heredoc-body-position",
    ),
    pytest.param(
        BASE + "RUN <<-EOF\n\t\tpip3 install --no-cache-dir boto3\n\tEOF\n",
        [(3, 31, "DPH107", "package 'boto3' is not pinned; " + PIN_FIX.format("boto3"))],
        id="chomped-heredoc-position",
    ),
    pytest.param(
        BASE + "RUN apt-get update && sh -c \"pip install --no-cache-dir numpy\"\n",
        [(2, 57, "DPH107", "package 'numpy' is not pinned; " + PIN_FIX.format("numpy"))],
        id="sh-c-position",
    ),
    pytest.param(
        BASE + 'RUN ["pip", "install", "--no-cache-dir", "pandas"]\n',
        [(2, 43, "DPH107", "package 'pandas' is not pinned; " + PIN_FIX.format("pandas"))],
        id="exec-form-position",
    ),
    pytest.param(
        BASE + "ONBUILD RUN pip install --no-cache-dir click\n",
        [(2, 40, "DPH107", "package 'click' is not pinned; " + PIN_FIX.format("click"))],
        id="onbuild",
    ),
    pytest.param(
        BASE + "ONBUILD COPY requirements.txt /app/\nONBUILD RUN pip install -r /app/requirements.txt\n"
        "ONBUILD RUN --mount=type=cache,target=/root/.cache/pip pip install -r /app/dev.txt\n",
        [(3, 13, "DPH506", "'pip install' " + CACHE_FIX)],
        id="onbuild-trigger-keeps-the-cache",
    ),
    pytest.param(
        BASE + "RUN pip install \\\n    --no-cache-dir \\\n    -r requirements.txt\n"
        "FROM python:3.12-slim-bookworm AS final\nRUN pip install --no-cache-dir --prefix=/install lxml\n",
        [(6, 50, "DPH107", "package 'lxml' is not pinned; " + PIN_FIX.format("lxml"))],
        id="equals-option-value",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm AS builder\nRUN pip wheel -w /w -r r.txt && pip install --no-cache-dir build\n"
        "FROM python:3.12-slim-bookworm\n",
        [(2, 60, "DPH107", "package 'build' is not pinned; " + PIN_FIX.format("build"))],
        id="builder-stage-pins-count",
    ),
    pytest.param(
        BASE + "WORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n",
        [(4, 5, "DPH506", "'pip install' " + CACHE_FIX)],
        id="no-cache-dir-missing",
    ),
    pytest.param(
        BASE.replace("\n", " AS base\n") + "RUN python3 -m pip install -r r.txt\nFROM base\nUSER app\n",
        [(2, 5, "DPH506", "'python3 -m pip install' " + CACHE_FIX)],
        id="in-parent-of-final",
    ),
    pytest.param(
        BASE + "ENV PIP_NO_CACHE_DIR=\nRUN /usr/local/bin/pip install -r r.txt\n",
        [(3, 5, "DPH506", "'/usr/local/bin/pip install' " + CACHE_FIX)],
        id="empty-env-value",
    ),
    pytest.param(
        BASE + "RUN --mount=type=cache,target=/root/.cache/uv pip install -r r.txt\n",
        [(2, 47, "DPH506", "'pip install' " + CACHE_FIX)],
        id="cache-mount-elsewhere",
    ),
    pytest.param(
        BASE + "ENV PIP_CACHE_DIR=/tmp/pc\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r r.txt\n",
        [(3, 48, "DPH506", "'pip install' " + CACHE_FIX)],
        id="mount-misses-moved-cache",
    ),
    pytest.param(
        BASE + "RUN pip install -r r.txt && rm -rf /tmp/*\nRUN pip3.12 install --no-c -r r.txt\n",
        [
            (2, 5, "DPH506", "'pip install' " + CACHE_FIX),
            (3, 5, "DPH506", "'pip3.12 install' " + CACHE_FIX),
        ],
        id="other-dir-removed-and-ambiguous-abbreviation",
    ),
    pytest.param(
        BASE + "ENV PIP_NO_CACHE_DIR=1\nFROM python:3.12-slim-bookworm\nRUN pip install -r requirements.txt\n",
        [(4, 5, "DPH506", "'pip install' " + CACHE_FIX)],
        id="env-of-unrelated-stage-does-not-count",
    ),
    pytest.param(
        BASE + "RUN pip wheel --no-cache-dir -w wheels flask attrs==24.2.0 && pip wheel --wheel-dir w six\n",
        [
            (2, 40, "DPH107", "package 'flask' is not pinned; " + PIN_FIX.format("flask")),
            (2, 87, "DPH107", "package 'six' is not pinned; " + PIN_FIX.format("six")),
        ],
        id="pip-wheel-resolves-too",
    ),
    pytest.param(
        BASE + "RUN pip install --no-index --find-links=https://x.example/wheels app==1.0\n"
        "RUN pip install --find-links=/wheels app==1.0\n",
        [(2, 5, "DPH506", "'pip install' " + CACHE_FIX), (3, 5, "DPH506", "'pip install' " + CACHE_FIX)],
        id="remote-find-links-or-index-still-downloads",
    ),
    pytest.param(
        BASE + "RUN <<EOF\npip install -r r.txt\nEOF\n",
        [(3, 1, "DPH506", "'pip install' " + CACHE_FIX)],
        id="heredoc-no-cache",
    ),
    pytest.param(
        BASE + "ARG PIP=pip3\nENV PIP_INSTALL=\"python3 -m pip install\"\n"
        "RUN ${PIP} install flask\nRUN $PIP_INSTALL --no-cache-dir \"requests>=2\"\n",
        [
            (4, 20, "DPH107", "package 'flask' is not pinned; " + PIN_FIX.format("flask")),
            (5, 33, "DPH107", "package 'requests>=2' is not pinned to one version; " + PIN_FIX.format("requests")),
            (4, 5, "DPH506", "'pip3 install' " + CACHE_FIX),
        ],
        id="pip-spelled-through-arg-and-env",
    ),
    pytest.param(
        BASE + "RUN pip install --no-cache-dir git+https://github.com/org/lib.git@v1 \\\n"
        "    \"lib2 @ git+https://github.com/org/lib2.git@main\" git+ssh://git@github.com/org/lib3.git\n"
        "RUN uv pip install --system -e git+https://github.com/org/lib4.git@abc1234#egg=lib4\n"
        "RUN pip install --no-cache-dir -c constraints.txt git+https://github.com/org/lib5.git@release\n",
        [
            (2, 32, "DPH107", "VCS install 'git+https://github.com/org/lib.git@v1' is pinned to 'v1', "
             "a branch or tag that can move; use the full commit hash it points to instead"),
            (3, 5, "DPH107", "VCS install 'lib2 @ git+https://github.com/org/lib2.git@main' is pinned to "
             "'main', a branch or tag that can move; use the full commit hash it points to instead"),
            (3, 55, "DPH107", "VCS install 'git+ssh://git@github.com/org/lib3.git' is not pinned to a "
             "commit; add '@<full commit hash>' to the repository URL"),
            (4, 5, "DPH507", "'uv pip install' " + UV_CACHE_FIX),
            (4, 32, "DPH107", "VCS install 'git+https://github.com/org/lib4.git@abc1234#egg=lib4' uses the "
             "abbreviated commit 'abc1234'; write the full commit hash, which cannot become ambiguous"),
            (5, 51, "DPH107", "VCS install 'git+https://github.com/org/lib5.git@release' is pinned to "
             "'release', a branch or tag that can move; use the full commit hash it points to instead"),
        ],
        id="vcs-links-not-pinned-to-a-commit",
    ),
    pytest.param(
        BASE + "ARG LIB_REF=v2.1\n"
        "RUN pip install --no-cache-dir \"git+https://github.com/org/lib.git@${LIB_REF}#egg=lib\"\n",
        [(3, 32, "DPH107", "VCS install 'git+https://github.com/org/lib.git@${LIB_REF}#egg=lib' is pinned "
          "to 'v2.1', a branch or tag that can move; use the full commit hash it points to instead")],
        id="vcs-ref-from-arg",
    ),
    pytest.param(
        BASE + "RUN useradd -m worker\nUSER worker\n"
        "RUN --mount=type=cache,target=/root/.cache/pip pip install -r r.txt\n"
        "RUN uv sync --frozen\nUSER root\nRUN pip install -r r.txt\n",
        [
            (4, 48, "DPH506", "'pip install' without --no-cache-dir leaves pip's cache in the image; add "
             "--no-cache-dir, set ENV PIP_NO_CACHE_DIR=1, or use a cache mount (RUN --mount=type=cache,"
             "target=<home of worker>/.cache/pip,uid=<uid of worker>)"),
            (5, 5, "DPH507", "'uv sync' without --no-cache leaves uv's cache in the image; add --no-cache, set "
             "ENV UV_NO_CACHE=1, or use a cache mount (RUN --mount=type=cache,target=<home of worker>/.cache/uv,"
             "uid=<uid of worker>)"),
            (7, 5, "DPH506", "'pip install' " + CACHE_FIX),
        ],
        id="cache-of-a-non-root-user",
    ),
    pytest.param(
        BASE + "COPY pyproject.toml uv.lock ./\nRUN uv sync --frozen --no-install-project\n"
        "RUN uv tool install ruff==0.5.0\nRUN uv --directory /app add httpx==0.27.0\n",
        [
            (3, 5, "DPH507", "'uv sync' " + UV_CACHE_FIX),
            (4, 5, "DPH507", "'uv tool install' " + UV_CACHE_FIX),
            (5, 5, "DPH507", "'uv --directory /app add' " + UV_CACHE_FIX),
        ],
        id="uv-keeps-cache",
    ),
    pytest.param(
        BASE + "ENV UV_NO_CACHE=0\nRUN uv sync --frozen\n"
        "RUN --mount=type=cache,target=/root/.cache/pip uv sync --frozen && rm -rf /root/.cache/pip\n"
        "ENV UV_CACHE_DIR=/opt/uv\nRUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen\n",
        [
            (3, 5, "DPH507", "'uv sync' " + UV_CACHE_FIX),
            (4, 48, "DPH507", "'uv sync' " + UV_CACHE_FIX),
            (6, 47, "DPH507", "'uv sync' " + UV_CACHE_FIX),
        ],
        id="uv-cache-false-env-or-other-directory",
    ),
]


@pytest.mark.parametrize("text", PASS)
def test_pass(text: str) -> None:
    assert check(parse(text)) == []


@pytest.mark.parametrize(("text", "expected"), FAIL)
def test_fail(text: str, expected: list[tuple[int, int, str, str]]) -> None:
    found = [(f.line, f.col, f.code, f.message) for f in check(parse(text))]
    assert sorted(found) == sorted(expected)


def test_allow_unpinned() -> None:
    text = BASE + "RUN pip install --no-cache-dir -U pip Setuptools wheel flask\n"
    found = check(parse(text), allow_unpinned=["pip", "setuptools", "wheel"])
    assert [(f.col, f.code) for f in found] == [(56, "DPH107")]


def test_target_selects_stage() -> None:
    text = (
        "FROM python:3.12-slim-bookworm AS prod\nRUN pip install --no-cache-dir -r r.txt\n"
        "FROM prod AS dev\nRUN pip install -r dev.txt\n"
    )
    assert check(parse(text), target="prod") == []
    assert check(parse(text)) == []  # a last 'dev' stage is not shipped
    assert [(f.line, f.code) for f in check(parse(text), target="dev")] == [(4, "DPH506")]
    assert [f.code for f in check(parse(text), target="nope")] == ["DPH905"]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("flask", ("flask", "")),
        ("flask (>=2)", ("flask", ">=2")),
        ("flask==", ("flask", "==")),
        ("flask==2.0,!=2.0.1", None),
        ("flask==$FLASK_VERSION", None),
        ("flask$SUFFIX", None),
        ("flask[async]", ("flask", "")),
        ("Flask.Compat_x", ("Flask.Compat_x", "")),
        ("dist/app.tar.gz", None),
        ("app-1.0.zip", None),
        ("C:\\wheels\\x.whl", None),
        ("*", None),
    ],
)
def test_unpinned(word: str, expected: tuple[str, str] | None) -> None:
    assert unpinned(word) == expected


@pytest.mark.parametrize("option", ["--cache-dir /tmp/pipcache", "--cache-dir=/tmp/pipcache"])
def test_no_fix_where_cache_dir_would_undo_it(option: str) -> None:
    """pip applies --no-cache-dir and --cache-dir in order: the later --cache-dir turns the cache back on."""
    found = check(parse(BASE + f"RUN pip install {option} flask==3.0.3\n"))
    assert [(f.line, f.code, f.message) for f in found] == [(
        2, "DPH506", "'pip install' with --cache-dir /tmp/pipcache leaves pip's cache in the image; drop "
        "--cache-dir and add --no-cache-dir, or use a cache mount (RUN --mount=type=cache,target=/tmp/pipcache)",
    )]
    assert not found[0].fix


def test_main(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    good = write("Dockerfile", POETRY)
    bad = write("docker/Dockerfile.prod", BASE + "RUN pip install -U pip\n")
    assert main([good]) == 0
    assert main([good, bad, "--allow-unpinned", "pip"]) == 1
    assert capsys.readouterr().out == f"docker/Dockerfile.prod:2:5: DPH506 'pip install' {CACHE_FIX}\n"
    assert main([bad, "--allow-unpinned=setuptools,wheel", "--target", "x"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert [line.split(" ")[1] for line in out] == ["DPH905", "DPH107"]


def test_suppression(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(
        "Containerfile",
        BASE + "# dph: ignore=DPH506,DPH107 throwaway CI image\nRUN pip install pytest\n",
    )
    assert main([path]) == 0
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    ("text", "home"),
    [
        pytest.param("FROM mambaorg/micromamba:1.5.8-jammy\n", "<home of mambauser>", id="micromamba-base-user"),
        pytest.param("FROM jupyter/scipy-notebook:2024-05-27\n", "<home of jovyan>", id="jupyter-base-user"),
        pytest.param("FROM rayproject/ray:2.9.0-py310\n", "<home of ray>", id="ray-base-user"),
        pytest.param(
            "FROM mambaorg/micromamba:1.5.8-jammy\nUSER root\nRUN apt-get update\nUSER $MAMBA_USER\n",
            "<home of $MAMBA_USER>", id="user-from-a-base-image-variable",
        ),
    ],
)
def test_cache_advice_names_the_base_images_user(text: str, home: str) -> None:
    """The base image's own USER runs the RUNs: its home holds pip's cache, not /root's."""
    found = [f for f in check(parse(text + "RUN pip install -r requirements.txt\n")) if f.code == "DPH506"]
    assert len(found) == 1
    assert f"target={home}/.cache/pip,uid=" in found[0].message
    mounted = text + "RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n"
    assert [f.code for f in check(parse(mounted)) if f.code == "DPH506"] == ["DPH506"]  # root's cache is not theirs


def test_a_package_installed_in_both_branches_is_reported_once() -> None:
    text = (
        "FROM python:3.12-slim-bookworm\nARG USE_CUDA=false\n"
        'RUN if [ "$USE_CUDA" = "true" ]; then pip install --no-cache-dir torch --index-url https://x/cu121; \\\n'
        "    else pip install --no-cache-dir torch --index-url https://x/cpu; fi\n"
    )
    assert [(f.line, f.code) for f in check(parse(text)) if f.code == "DPH107"] == [(3, "DPH107")]


def test_a_package_pinned_by_the_requirements_file_of_the_same_command(write: Writer) -> None:
    from hooks._context import BuildContext
    from hooks._files import Repo
    from hooks.check_pip_hygiene import pins_in

    write("requirements.txt", "-c constraints.txt\npsycopg[c]\n")
    write("constraints.txt", "psycopg==3.2.3\n")
    text = (
        "FROM python:3.12-slim-bookworm\nCOPY requirements.txt constraints.txt /tmp/\n"
        "RUN pip wheel --no-cache-dir -w /wheels \"psycopg[c]\" gunicorn -r /tmp/requirements.txt\n"
    )
    path = write("Dockerfile", text)
    pins = pins_in(BuildContext(Repo(), path))
    found = [f.message for f in check(parse(text, path), pins=pins) if f.code == "DPH107"]
    assert len(found) == 1 and "'gunicorn'" in found[0]
    assert len([f for f in check(parse(text, path)) if f.code == "DPH107"]) == 2  # without the context
