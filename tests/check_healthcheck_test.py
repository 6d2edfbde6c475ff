from __future__ import annotations

from pathlib import Path

import pytest

from hooks._compose import load as load_compose
from hooks._dockerfile import parse
from hooks._files import Repo
from hooks.check_healthcheck import check, check_compose, main
from tests.conftest import Writer

PROBE = (
    'HEALTHCHECK --interval=30s --timeout=3s CMD ["python", "-c", '
    "\"import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')\"]\n"
)

PASS = [
    pytest.param(
        "FROM python:3.12-slim-bookworm\nEXPOSE 8000\n" + PROBE + 'CMD ["gunicorn", "app:app"]\n',
        id="exec-form-python-probe",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nEXPOSE 8000\nHEALTHCHECK NONE\n", id="healthcheck-none-opt-out",
    ),
    pytest.param(
        "FROM python:3.12-slim\nHEALTHCHECK --interval=30s CMD python -c "
        "\"import urllib.request as u; u.urlopen('http://localhost:8000/')\"\n"
        'CMD ["uvicorn", "app:app", "--host", "0.0.0.0"]\n',
        id="shell-form-python-probe",
    ),
    pytest.param(
        'FROM python:3.12-slim\nCMD ["celery", "-A", "proj", "worker", "--loglevel=info"]\n',
        id="celery-worker-without-port",
    ),
    pytest.param('FROM python:3.12-slim\nCMD ["python", "-m", "app.batch"]\n', id="batch-job"),
    pytest.param(
        "FROM python:3.12-slim AS base\nEXPOSE 8000\n" + PROBE
        + "FROM base AS builder\nRUN pip wheel -w /w .\nFROM base\nCOPY --from=builder /w /w\n",
        id="healthcheck-inherited-from-parent-stage",
    ),
    pytest.param(
        "FROM python:3.12-slim AS builder\nEXPOSE 8000\nRUN pip wheel -w /w .\n"
        'FROM python:3.12-slim\nCOPY --from=builder /w /w\nCMD ["python", "job.py"]\n',
        id="expose-in-unrelated-builder-stage",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm AS builder\nRUN pip wheel -w /w .\n"
        "FROM gcr.io/distroless/python3-debian12:nonroot\nCOPY --from=builder /w /w\nEXPOSE 8080\n"
        'HEALTHCHECK CMD ["python3", "-c", "import urllib.request as u; u.urlopen(\'http://127.0.0.1:8080/\')"]\n'
        'ENTRYPOINT ["python3", "-m", "gunicorn", "app:app"]\n',
        id="distroless-final-exec-form-python-probe",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nRUN apt-get update \\\n"
        "    && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5 \\\n"
        "    && rm -rf /var/lib/apt/lists/*\nHEALTHCHECK CMD curl -fsS http://127.0.0.1:8000/ || exit 1\n",
        id="slim-with-curl-installed",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm AS base\nRUN <<EOF\napt-get update\n"
        "apt-get install -y --no-install-recommends wget\nEOF\n"
        "FROM base\nHEALTHCHECK CMD wget -qO- http://127.0.0.1:8000/ || exit 1\n",
        id="wget-installed-in-parent-stage-heredoc",
    ),
    pytest.param(
        "FROM python:3.12-alpine3.20\nHEALTHCHECK CMD wget -q --spider http://127.0.0.1:8000/ || exit 1\n",
        id="alpine-has-busybox-wget",
    ),
    pytest.param(
        "FROM python:3.12-alpine3.20\nRUN apk add --no-cache curl\nHEALTHCHECK CMD curl -f http://x/\n",
        id="alpine-apk-add-curl",
    ),
    pytest.param(
        "FROM python:3.12-slim\nHEALTHCHECK CMD curl -f http://x/ || wget -q http://x/ || exit 1\n"
        "RUN apt-get update && apt-get install -y wget\n",
        id="one-of-two-probes-available",
    ),
    pytest.param(
        "FROM gcr.io/distroless/python3-debian12\nCOPY --from=curlimages/curl:8.8.0 /usr/bin/curl /usr/bin/curl\n"
        'HEALTHCHECK CMD ["/usr/bin/curl", "-f", "http://127.0.0.1:8000/"]\n',
        id="curl-binary-copied-in",
    ),
    pytest.param(
        "FROM python:3.12-bookworm\nHEALTHCHECK CMD curl -f http://127.0.0.1:8000/ || exit 1\n",
        id="full-image-has-curl",
    ),
    pytest.param(
        "FROM nginx:1.27-alpine\nEXPOSE 80\nHEALTHCHECK CMD curl -f http://127.0.0.1/ || exit 1\n",
        id="other-alpine-image-not-judged",
    ),
    pytest.param(
        "ARG BASE\nFROM ${BASE}\nHEALTHCHECK CMD curl -f http://127.0.0.1/ || exit 1\n",
        id="unresolved-base-not-judged",
    ),
    pytest.param(
        "# escape=`\nFROM python:3.12-windowsservercore-ltsc2022\nEXPOSE 8000\n"
        "HEALTHCHECK CMD powershell -Command `\n    Invoke-WebRequest http://localhost:8000/\n",
        id="escape-backtick-windows",
    ),
    pytest.param(
        "\ufefffrom python:3.12-slim\r\nexpose 8000\r\nhealthcheck none\r\n", id="bom-crlf-lowercase",
    ),
    pytest.param(
        "FROM python:3.12-bookworm\nHEALTHCHECK CMD [\"curl\", \"-f\", \"http://x/\"] || exit 1\n",
        id="broken-exec-form-curl-on-full-image-is-only-DPH603",
    ),
    pytest.param(
        "FROM python:3.12-slim\nHEALTHCHECK CMD [ -f /tmp/healthy ]\n", id="shell-test-command-is-no-exec-form",
    ),
    pytest.param(
        "FROM python:3.12-slim\nRUN pip install gunicorn\nCMD gunicorn --version\nHEALTHCHECK NONE\n",
        id="shell-form-cmd-opted-out",
    ),
]

HINT = (
    "add one (e.g. a python -c urllib probe), or 'HEALTHCHECK NONE' when the orchestrator "
    "probes the container"
)
NEUTRAL = (
    "add one (with a program the image has: its own health command, or curl or wget where installed), "
    "or 'HEALTHCHECK NONE' when the orchestrator probes the container"
)


def _tool(tool: str, image: str, kind: str, url: str) -> str:
    return (
        f"HEALTHCHECK calls {tool}, but the base image '{image}' ({kind}) has no {tool} and no stage "
        f"installs it, so the check always fails; probe with Python instead: HEALTHCHECK CMD "
        f"[\"python3\", \"-c\", \"import urllib.request; urllib.request.urlopen('{url}')\"]"
    )


FAIL = [
    pytest.param(
        "FROM python:3.12-slim-bookworm\nEXPOSE 4000\n"
        'CMD ["dagster", "api", "grpc", "-h", "0.0.0.0", "-p", "4000", "-f", "repo.py"]\n',
        [(1, 1, "DPH601", "the final stage serves (EXPOSE 4000) but has no HEALTHCHECK; add one that speaks gRPC "
          "(the server's own health command, or grpc_health_probe), or 'HEALTHCHECK NONE' when the orchestrator "
          "probes the container")],
        id="grpc-server-gets-no-http-probe",
    ),
    pytest.param(
        "FROM eclipse-temurin:21.0.4_7-jre\nCOPY app.jar /app.jar\nEXPOSE 8080\n"
        'ENTRYPOINT ["java", "-jar", "/app.jar"]\n',
        [(1, 1, "DPH601", f"the final stage serves (EXPOSE 8080) but has no HEALTHCHECK; {NEUTRAL}")],
        id="java-image-gets-no-python-probe",
    ),
    pytest.param(
        "FROM nginx:1.27-alpine\nCOPY --from=build /app/dist /usr/share/nginx/html\nEXPOSE 80\n",
        [(1, 1, "DPH601", f"the final stage serves (EXPOSE 80) but has no HEALTHCHECK; {NEUTRAL}")],
        id="nginx-image-gets-no-python-probe",
    ),
    pytest.param(
        "FROM debian:bookworm-20240904-slim\nRUN apt-get update && apt-get install -y --no-install-recommends "
        "python3 && rm -rf /var/lib/apt/lists/*\nCOPY app /app\nEXPOSE 8000\n",
        [(1, 1, "DPH601", f"the final stage serves (EXPOSE 8000) but has no HEALTHCHECK; {HINT}")],
        id="python-installed-gets-python-probe",
    ),
    pytest.param(
        "FROM python:3.12-slim\nEXPOSE 8000\n"
        'HEALTHCHECK --interval=30s CMD ["curl", "-f", "http://localhost:8000/health"] || exit 1\n',
        [(3, 34, "DPH602", "HEALTHCHECK is meant to call curl (its exec form is broken: see DPH603), but the "
          "base image 'python:3.12-slim' (slim) has no curl and no stage installs it, so the check would fail "
          "even then; probe with Python instead: HEALTHCHECK CMD [\"python3\", \"-c\", \"import urllib.request; "
          "urllib.request.urlopen('http://localhost:8000/health')\"]")],
        id="seed-example-broken-exec-form-and-no-curl",
    ),
    pytest.param(
        "FROM python:3.12-slim\nHEALTHCHECK CMD ['curl', '-f', 'http://x/']\n",
        [(2, 19, "DPH602", "HEALTHCHECK is meant to call curl (its exec form is broken: see DPH603), but the "
          "base image 'python:3.12-slim' (slim) has no curl and no stage installs it, so the check would fail "
          "even then; probe with Python instead: HEALTHCHECK CMD [\"python3\", \"-c\", \"import urllib.request; "
          "urllib.request.urlopen('http://x/')\"]")],
        id="single-quoted-exec-form-and-no-curl",
    ),
    pytest.param(
        "FROM node:20.11-slim\nRUN apt-get update && apt-get install -y python3 make g++\n"
        "HEALTHCHECK CMD curl -f http://127.0.0.1:3000/ || exit 1\n",
        [(3, 17, "DPH602", _tool("curl", "node:20.11-slim", "slim", "http://127.0.0.1:3000/"))],
        id="python-installed-in-other-image-gets-python-probe",
    ),
    pytest.param(
        'FROM python:3.12-slim-bookworm\nEXPOSE 8000\nCMD ["gunicorn", "app:app"]\n',
        [(1, 1, "DPH601", f"the final stage serves (EXPOSE 8000) but has no HEALTHCHECK; {HINT}")],
        id="expose",
    ),
    pytest.param(
        "FROM python:3.12-slim AS base\nEXPOSE 8000/tcp\nFROM base AS web\nCMD python app.py\n",
        [(3, 1, "DPH601", f"final stage 'web' serves (EXPOSE 8000/tcp) but has no HEALTHCHECK; {HINT}")],
        id="expose-inherited",
    ),
    pytest.param(
        "FROM python:3.12-slim\nCMD uvicorn app:app --host 0.0.0.0 --port $PORT\n",
        [(1, 1, "DPH601", f"the final stage serves (runs uvicorn) but has no HEALTHCHECK; {HINT}")],
        id="uvicorn-shell-form",
    ),
    pytest.param(
        'FROM python:3.12-slim\nCMD ["sh", "-c", "exec /app/.venv/bin/hypercorn app:app -b 0.0.0.0:$PORT"]\n',
        [(1, 1, "DPH601", f"the final stage serves (runs hypercorn) but has no HEALTHCHECK; {HINT}")],
        id="hypercorn-in-sh-c",
    ),
    pytest.param(
        'FROM python:3.12-slim\nENTRYPOINT ["uv", "run"]\nCMD ["flask", "--app", "app", "run", "--host=0.0.0.0"]\n',
        [(1, 1, "DPH601", f"the final stage serves (runs flask run) but has no HEALTHCHECK; {HINT}")],
        id="flask-run-via-uv",
    ),
    pytest.param(
        'FROM python:3.12-slim\nCMD ["fastapi", "run", "--host", "0.0.0.0", "/app/src/app"]\n',
        [(1, 1, "DPH601", f"the final stage serves (runs fastapi run) but has no HEALTHCHECK; {HINT}")],
        id="fastapi-run",
    ),
    pytest.param(
        'FROM python:3.12-slim\nCMD ["python", "manage.py", "runserver", "0.0.0.0:8000"]\n',
        [(1, 1, "DPH601", f"the final stage serves (runs manage.py runserver) but has no HEALTHCHECK; {HINT}")],
        id="django-runserver",
    ),
    pytest.param(
        'FROM python:3.12-slim\nENTRYPOINT ["waitress-serve", "--port=8080", "app:app"]\n',
        [(1, 1, "DPH601", f"the final stage serves (runs waitress-serve) but has no HEALTHCHECK; {HINT}")],
        id="waitress",
    ),
    pytest.param(
        "FROM python:3.12-slim\nONBUILD HEALTHCHECK NONE\nEXPOSE 8000\n",
        [(1, 1, "DPH601", f"the final stage serves (EXPOSE 8000) but has no HEALTHCHECK; {HINT}")],
        id="onbuild-healthcheck-does-not-count",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm\nEXPOSE 8000\n"
        "HEALTHCHECK --interval=30s CMD curl -f http://127.0.0.1:8000/health || exit 1\n",
        [(3, 32, "DPH602", _tool("curl", "python:3.12-slim-bookworm", "slim", "http://127.0.0.1:8000/health"))],
        id="curl-on-slim",
    ),
    pytest.param(
        "FROM gcr.io/distroless/python3-debian12 AS base\nFROM base\n"
        'HEALTHCHECK CMD ["wget", "-q", "--spider", "http://localhost:8080/"]\n',
        [(3, 19, "DPH602", _tool("wget", "gcr.io/distroless/python3-debian12", "distroless",
                                 "http://localhost:8080/"))],
        id="wget-on-distroless-parent",
    ),
    pytest.param(
        "ARG PY=3.12\nFROM python:${PY}-alpine\nRUN apk add --no-cache wget\n"
        "HEALTHCHECK CMD curl -f http://x/ \\\n    || exit 1\n",
        [(4, 17, "DPH602", _tool("curl", "python:3.12-alpine", "alpine", "http://x/"))],
        id="curl-on-python-alpine",
    ),
    pytest.param(
        "FROM python:3.12-slim AS builder\nRUN apt-get update && apt-get install -y curl\n"
        "FROM python:3.12-slim\nHEALTHCHECK CMD curl -f http://127.0.0.1:8000/\n",
        [(4, 17, "DPH602", _tool("curl", "python:3.12-slim", "slim", "http://127.0.0.1:8000/"))],
        id="curl-installed-only-in-builder",
    ),
    pytest.param(
        'FROM scratch\nCOPY app /app\nHEALTHCHECK CMD ["curl", "-f", "http://127.0.0.1:8080/"]\nENTRYPOINT ["/app"]\n',
        [(3, 19, "DPH602", "HEALTHCHECK calls curl, but the base image 'scratch' (scratch) has no curl and "
          "no stage installs it, so the check always fails; install curl in the shipped stages or probe "
          "with a program the image has")],
        id="scratch",
    ),
    pytest.param(
        "FROM node:20-slim\nHEALTHCHECK CMD curl -f http://127.0.0.1:3000/ || exit 1\n",
        [(2, 17, "DPH602", "HEALTHCHECK calls curl, but the base image 'node:20-slim' (slim) has no curl and "
          "no stage installs it, so the check always fails; install curl in the shipped stages or probe "
          "with a program the image has")],
        id="non-python-slim-image-gets-no-python-advice",
    ),
    pytest.param(
        # The official python image in an architecture namespace: its Alpine variant has no curl either.
        "ARG TARGET_ARCH\nFROM ${TARGET_ARCH}/python:3.12-alpine3.20\nHEALTHCHECK CMD curl -f http://127.0.0.1:8000/\n",
        [(3, 17, "DPH602", _tool("curl", "${TARGET_ARCH}/python:3.12-alpine3.20", "alpine", "http://127.0.0.1:8000/"))],
        id="python-alpine-in-architecture-namespace-from-arg",
    ),
]


@pytest.mark.parametrize("text", PASS)
def test_pass(text: str) -> None:
    assert check(parse(text)) == []


@pytest.mark.parametrize(("text", "expected"), FAIL)
def test_fail(text: str, expected: list[tuple[int, int, str, str]]) -> None:
    found = [(f.line, f.col, f.code, f.message) for f in check(parse(text))]
    assert found == expected


def test_target_selects_stage() -> None:
    text = "FROM python:3.12-slim AS prod\nHEALTHCHECK NONE\nEXPOSE 80\nFROM python:3.12-slim AS web\nEXPOSE 80\n"
    assert check(parse(text), target="prod") == []
    assert [f.code for f in check(parse(text))] == ["DPH601"]
    assert [f.code for f in check(parse(text), target="nope")] == ["DPH905"]


def test_main(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    good = write("Dockerfile", "FROM python:3.12-slim\nEXPOSE 8000\n" + PROBE)
    bad = write("web.Containerfile", "FROM python:3.12-slim\nHEALTHCHECK CMD curl -f http://x/\n")
    assert main([good]) == 0
    assert main([good, bad]) == 1
    assert capsys.readouterr().out.startswith("web.Containerfile:2:17: DPH602 ")


def test_suppression(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    text = "# dph: ignore=DPH601 probed by Kubernetes\nFROM python:3.12-slim\nEXPOSE 8000\n"
    assert main([write("Dockerfile", text)]) == 0
    assert capsys.readouterr().out == ""


def test_dev_container_needs_no_healthcheck() -> None:
    text = "FROM python:3.12-slim-bookworm\nEXPOSE 8000\nCMD [\"uvicorn\", \"app:app\"]\n"
    assert check(parse(text, ".devcontainer/Dockerfile")) == []
    assert [f.code for f in check(parse(text, "Dockerfile"))] == ["DPH601"]
    # A probe that is not in the image is wrong in any image.
    broken = text + "HEALTHCHECK CMD curl -f http://localhost:8000/ || exit 1\n"
    assert [f.code for f in check(parse(broken, ".devcontainer/Dockerfile"))] == ["DPH602"]


def test_python_probe_for_a_variable_port_keeps_the_shell_form() -> None:
    """Exec form expands no variable: the advice for a ${PORT} probe is the shell form."""
    text = (
        "FROM python:3.12-slim-trixie\nENV PORT=8000\nEXPOSE 8000\n"
        "HEALTHCHECK CMD curl -f http://localhost:${PORT}/health || exit 1\nCMD [\"gunicorn\", \"app:app\"]\n"
    )
    found = check(parse(text))
    assert [f.code for f in found] == ["DPH602"]
    assert found[0].message.endswith(
        "probe with Python instead: HEALTHCHECK CMD python3 -c \"import urllib.request; "
        "urllib.request.urlopen('http://localhost:${PORT}/health')\""
    )
    advised = text.replace(
        "curl -f http://localhost:${PORT}/health || exit 1",
        "python3 -c \"import urllib.request; urllib.request.urlopen('http://localhost:${PORT}/health')\"",
    )
    assert check(parse(advised)) == []


COMPOSE_DOCKERFILE = (
    "FROM python:3.12-slim-bookworm AS base\nRUN pip install --no-cache-dir gunicorn==23.0.0\n"
    "FROM base AS curl\nRUN apt-get update && apt-get install -y --no-install-recommends curl "
    "&& rm -rf /var/lib/apt/lists/*\n"
    "FROM base AS web\nUSER 1000\nCMD [\"gunicorn\", \"app:app\"]\n"
)


def _compose_findings(tmp_path: Path, compose: str) -> list[tuple[int, str]]:
    (tmp_path / "Dockerfile").write_text(COMPOSE_DOCKERFILE)
    (tmp_path / "compose.yaml").write_text(compose)
    model = load_compose("compose.yaml", Repo(str(tmp_path)))
    return [(f.line, f.message) for f in check_compose(model)]


def test_compose_healthcheck_tool_missing_in_the_built_image(tmp_path: Path) -> None:
    found = _compose_findings(tmp_path, (
        "services:\n"
        "  web:\n"
        "    build: .\n"
        "    image: app:dev\n"
        "    healthcheck:\n"
        "      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:8000/health\"]\n"
        "  worker:\n"  # runs the image 'web' builds
        "    image: app:dev\n"
        "    healthcheck: {test: \"wget -qO- http://localhost:$${PORT}/ || exit 1\"}\n"
        "  python:\n"
        "    image: python:3.12-alpine3.20\n"
        "    healthcheck: {test: [\"CMD\", \"curl\", \"-f\", \"http://localhost/\"]}\n"
    ))
    assert found == [
        (6, "service 'web' healthcheck calls curl, but the image built from Dockerfile (base "
            "'python:3.12-slim-bookworm', slim) has no curl and nothing installs it, so the check always fails; "
            "probe with Python instead: test: [\"CMD\", \"python3\", \"-c\", \"import urllib.request; "
            "urllib.request.urlopen('http://localhost:8000/health')\"]"),
        # The shell's variable stays '$$' in the advice, as Compose reads it.
        (9, "service 'worker' healthcheck calls wget, but the image built from Dockerfile (base "
            "'python:3.12-slim-bookworm', slim) has no wget and nothing installs it, so the check always fails; "
            "probe with Python instead: test: [\"CMD-SHELL\", \"python3 -c \\\"import urllib.request; "
            "urllib.request.urlopen('http://localhost:$${PORT}/')\\\"\"]"),
        (12, "service 'python' healthcheck calls curl, but the image 'python:3.12-alpine3.20' (alpine) has no "
             "curl and nothing installs it, so the check always fails; probe with Python instead: test: "
             "[\"CMD\", \"python3\", \"-c\", \"import urllib.request; urllib.request.urlopen('http://localhost/')\"]"),
    ]


@pytest.mark.parametrize(
    "service",
    [
        pytest.param("build: {context: ., target: curl}\n    healthcheck: {test: curl -f http://x/}",
                     id="target-installs-curl"),
        pytest.param("image: python:3.12-bookworm\n    healthcheck: {test: curl -f http://x/}",
                     id="full-image-has-curl"),
        pytest.param("image: postgres:16.4-alpine\n    healthcheck: {test: curl -f http://x/}",
                     id="other-image-unknown"),
        pytest.param("build: .\n    healthcheck: {test: [\"CMD\", \"python3\", \"-c\", \"print()\"]}",
                     id="python-probe"),
        pytest.param("image: python:3.12-alpine3.20\n    healthcheck: {test: \"curl -f http://x/ || wget -q http://x/\"}",
                     id="busybox-wget-after-curl"),
        pytest.param("build: .\n    healthcheck: {disable: true, test: curl -f http://x/}", id="disabled"),
        pytest.param("build: {context: ., target: \"${T}\"}\n    healthcheck: {test: curl x}", id="unknown-target"),
        pytest.param("build: {context: ., target: nope}\n    healthcheck: {test: curl x}", id="missing-target"),
        pytest.param("build: {context: ., dockerfile_inline: FROM python:3.12-slim}\n    healthcheck: {test: curl x}",
                     id="inline-dockerfile"),
    ],
)
def test_compose_healthcheck_that_works_or_is_not_known(tmp_path: Path, service: str) -> None:
    assert _compose_findings(tmp_path, f"services:\n  web:\n    {service}\n") == []


def test_compose_healthcheck_from_the_hook(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    write("Dockerfile", COMPOSE_DOCKERFILE)
    compose = write("docker-compose.yml", "services:\n  web:\n    build: .\n    healthcheck:\n      test: curl x\n")
    assert main([compose]) == 1
    assert capsys.readouterr().out.startswith("docker-compose.yml:5:13: DPH602 service 'web' healthcheck calls curl")


@pytest.mark.parametrize(
    ("packages", "reported"),
    [
        pytest.param('ARG RUNTIME_PACKAGES="curl tzdata"\n', False, id="arg-list-has-curl"),
        pytest.param("ENV RUNTIME_PACKAGES=curl\n", False, id="env-list-has-curl"),
        pytest.param("ARG RUNTIME_PACKAGES\n", False, id="arg-without-value-may-hold-curl"),
        pytest.param('ARG RUNTIME_PACKAGES="tzdata git"\n', True, id="arg-list-without-curl"),
    ],
)
def test_package_list_in_a_variable(packages: str, reported: bool) -> None:
    text = (
        "FROM python:3.12-slim-bookworm\n" + packages
        + "RUN apt-get update && apt-get install -y --no-install-recommends ${RUNTIME_PACKAGES} "
        "&& rm -rf /var/lib/apt/lists/*\nHEALTHCHECK CMD curl -f http://localhost:8000/ || exit 1\n"
    )
    assert [f.code for f in check(parse(text))] == (["DPH602"] if reported else [])


def test_packages_from_a_file_may_hold_the_tool() -> None:
    text = (
        "FROM python:3.12-slim-bookworm\nCOPY packages.txt /tmp/\n"
        "RUN apt-get update && xargs -a /tmp/packages.txt apt-get install -y --no-install-recommends\n"
        "HEALTHCHECK CMD curl -f http://localhost:8000/ || exit 1\n"
    )
    assert check(parse(text)) == []


SERVING = 'FROM python:3.12-slim-bookworm AS app\nEXPOSE 8000\nCMD ["gunicorn", "app:app"]\n'
COMPOSE_PROBE = '    healthcheck:\n      test: ["CMD", "python3", "-c", "print(1)"]\n'


@pytest.mark.parametrize(("files", "reported"), [
    pytest.param({"compose.yaml": "services:\n  web:\n    build: ./svc\n" + COMPOSE_PROBE}, False,
                 id="compose-above-probes-the-service"),
    pytest.param({"svc/docker-compose.yml": "services:\n  web:\n    build: .\n" + COMPOSE_PROBE}, False,
                 id="compose-beside-probes-the-service"),
    pytest.param({"compose.yaml": "services:\n  web:\n    build: ./svc\n",
                  "compose.override.yaml": "services:\n  web:\n" + COMPOSE_PROBE}, False,
                 id="probe-set-in-the-override-file"),
    pytest.param({"compose.yaml": "services:\n  web:\n    build: {context: ./svc, target: app}\n" + COMPOSE_PROBE},
                 False, id="target-is-the-final-stage"),
    pytest.param({"compose.yaml": "services:\n  web:\n    image: me/web:1\n    build: ./svc\n"
                                  "  worker:\n    image: me/web:1\n" + COMPOSE_PROBE}, False,
                 id="service-running-the-image-another-builds"),
    pytest.param({"compose.yaml": "services:\n  web:\n    build: ./svc\n"}, True, id="compose-without-probe"),
    pytest.param({"compose.yaml": "services:\n  web:\n    build: ./svc\n    healthcheck:\n      disable: true\n"},
                 True, id="probe-disabled"),
    pytest.param({"compose.yaml": "services:\n  web:\n    build: {context: ./svc, target: base}\n" + COMPOSE_PROBE},
                 True, id="compose-probes-another-stage"),
    pytest.param({"compose.yaml": "services:\n  web:\n    build: ./other\n" + COMPOSE_PROBE}, True,
                 id="compose-probes-another-dockerfile"),
    pytest.param({"deploy/compose.yaml": "services:\n  web:\n    build: ../svc\n" + COMPOSE_PROBE}, True,
                 id="compose-in-a-sibling-directory-is-not-looked-up"),
    pytest.param({"compose.yaml": "services: [\n"}, True, id="invalid-compose-file"),
])
def test_compose_probe_stands_for_a_healthcheck(write: Writer, files: dict[str, str], reported: bool) -> None:
    dockerfile = write("svc/Dockerfile", "FROM python:3.12-slim-bookworm AS base\n" + SERVING)
    for name, text in files.items():
        write(name, text)
    found = [f.code for f in check(parse(Path(dockerfile).read_text(), dockerfile), repo=Repo())]
    assert found == (["DPH601"] if reported else [])


def test_compose_probe_found_from_a_subdirectory(
    write: Writer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    write("svc/Dockerfile", SERVING)
    root = Path(write("compose.yaml", "services:\n  web:\n    build: svc\n" + COMPOSE_PROBE)).resolve().parent
    monkeypatch.chdir(root / "svc")
    assert main(["Dockerfile"]) == 0
    assert capsys.readouterr().out == ""


def test_udp_only_expose_is_not_an_http_server() -> None:
    text = "FROM python:3.12-slim-bookworm\nEXPOSE 53/udp 5353/UDP\nCMD [\"python\", \"-m\", \"dns\"]\n"
    assert check(parse(text)) == []
    assert [f.code for f in check(parse(text.replace("5353/UDP", "8080")))] == ["DPH601"]
