# syntax=docker/dockerfile:1.7
# The same project's background worker, built with uv: dependencies from the lock file
# first (cache and bind mounts), then the project itself.
FROM ghcr.io/astral-sh/uv:0.5.11 AS uv

FROM python:3.12.7-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy
COPY --from=uv /uv /usr/local/bin/uv
WORKDIR /app
RUN --mount=type=cache,target=/root/.cache/uv \
    --mount=type=bind,source=uv.lock,target=uv.lock \
    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \
    uv sync --frozen --no-install-project --no-dev
COPY . /app
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev \
    && useradd --system --uid 10002 worker
USER worker
CMD ["/app/.venv/bin/python", "-m", "app.worker"]
