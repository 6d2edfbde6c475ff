from __future__ import annotations

from pathlib import Path

import pytest

from hooks._compose import load
from hooks._files import Repo
from hooks.check_compose import check, main
from tests.conftest import Writer
from tests.projects import UV_PROJECT


def run(tmp: Path, files: dict[str, str], **options: bool) -> list[tuple[str, int, int, str, str]]:
    for name, content in files.items():
        (tmp / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / name).write_text(content)
    compose = load("compose.yaml", Repo(str(tmp)))
    return sorted((f.path, f.line, f.col, f.code, f.message) for f in check(compose, **options))


GOOD = (
    "name: shop\n"
    "x-restart: &restart\n"
    "  restart: unless-stopped\n"
    "services:\n"
    "  api:\n"
    "    <<: *restart\n"
    "    build:\n"
    "      context: ./api\n"
    "    image: ghcr.io/acme/api:${TAG:-dev}\n"
    "    read_only: true\n"
    "    tmpfs: [/tmp]\n"
    "    user: \"10001:10001\"\n"
    "  db:\n"
    "    <<: *restart\n"
    "    image: postgres:${PG_TAG:-16.3-bookworm}\n"
    "  cache:\n"
    "    image: redis:7.2.5-alpine@sha256:" + "c" * 64 + "\n"
    "  registry:\n"
    "    image: localhost:5000/tools/seed\n"
)
API = {f"api/{name}": content for name, content in UV_PROJECT.items()}

PASS = [
    pytest.param({"compose.yaml": GOOD, **API}, id="pinned-services"),
    pytest.param({"compose.yaml": "services:\n  api:\n    build:\n      context: api\n      args:\n"
                  "        PY: '3.12'\n", "api/Dockerfile": "ARG PY=3.11\nFROM python:${PY}-slim-bookworm\n"},
                 id="build-arg-pins"),
    pytest.param({"compose.yaml": "services:\n  api:\n    build:\n      context: api\n      args:\n"
                  "        - DEBUG=1\n", "api/Dockerfile": "FROM python:3\n"},
                 id="args-that-do-not-touch-from-leave-it-to-the-dockerfile-hook"),
    pytest.param({"compose.yaml": "services:\n  a:\n    image: x:1.0\n    user: \"1000:0\"\n"},
                 id="root-group-only"),
    pytest.param({"compose.yaml": "services: {}\n"}, id="no-services"),
    pytest.param({"compose.yaml": "services:\n  web:\n    build: .\n    image: \"acme/app:${TAG:-latest}\"\n"
                  "  worker:\n    image: \"acme/app:${TAG:-latest}\"\n  beat:\n    image: acme/app:latest\n",
                  "Dockerfile": "FROM python:3.12-slim-bookworm\n"},
                 id="services-that-run-the-image-another-service-builds"),
]


@pytest.mark.parametrize("files", PASS)
def test_pass(tmp_path: Path, files: dict[str, str]) -> None:
    assert run(tmp_path, files) == []


C = "compose.yaml"
FAIL = [
    pytest.param(
        {C: "services:\n  web:\n    image: nginx\n"},
        [(C, 3, 12, "DPH201", "service 'web' image 'nginx' has no tag; pin it, e.g. 'nginx:<version>' or a digest")],
        id="untagged",
    ),
    pytest.param(
        {C: "services:\n  cache:\n    image: \"redis:${REDIS_TAG:-latest}\"\n"},
        [(C, 3, 12, "DPH202", "service 'cache' image 'redis:${REDIS_TAG:-latest}' ('redis:latest') uses the 'latest' "
          "tag; pin it, e.g. 'redis:<version>' or a digest")],
        id="latest-by-default",
    ),
    pytest.param(
        {C: "x-py: &py\n  image: python:3-slim\nservices:\n  job:\n    <<: *py\n"},
        [(C, 2, 10, "DPH203", "service 'job' image 'python:3-slim' has a floating tag ('3' is a major version only); "
          "pin it, e.g. 'python:3.12-slim-trixie'")],
        id="floating-through-merge-key",
    ),
    pytest.param(
        {C: "services:\n  tool:\n    image: ${REGISTRY}/tool:1.2.3\n"},
        [(C, 3, 12, "DPH208", "service 'tool' image '${REGISTRY}/tool:1.2.3' depends on the variable REGISTRY, which "
          "has no default here, so it cannot be verified; give it a pinned default, e.g. "
          "'${REGISTRY:-<pinned value>}'")],
        id="variable-without-default",
    ),
    pytest.param(
        {C: "services:\n  api:\n    build:\n      context: ./api\n      args:\n        PY: \"3\"\n",
         "api/Dockerfile": "ARG PY\nFROM python:${PY}-slim-bookworm\n"},
        [(C, 6, 13, "DPH203", "build.args PY='3' make the base image 'python:${PY}-slim-bookworm' of api/Dockerfile "
          "'python:3-slim-bookworm', which has a floating tag ('3' is a major version only); pin it, e.g. "
          "'python:3.12-slim-bookworm'")],
        id="build-arg-floats",
    ),
    pytest.param(
        {C: "services:\n  api:\n    build:\n      context: api\n      args:\n        - BASE_TAG=latest\n",
         "api/Dockerfile": "ARG BASE_TAG=3.12-slim-bookworm\nARG BASE=python:$BASE_TAG\nFROM $BASE\n"},
        [(C, 6, 20, "DPH202", "build.args BASE_TAG='latest' make the base image '$BASE' of api/Dockerfile "
          "'python:latest', which uses the 'latest' tag; pin it, e.g. 'python:3.12-slim-trixie'")],
        id="build-arg-list-form-through-another-arg",
    ),
    pytest.param(
        {C: "services:\n  api:\n    build:\n      context: api\n      args:\n        PY: $PY\n",
         "api/Dockerfile": "ARG PY\nFROM python:${PY}-slim-bookworm\n"},
        [(C, 6, 13, "DPH208", "build.args PY='$PY' make the base image 'python:${PY}-slim-bookworm' of api/Dockerfile "
          "depend on PY, which build.args takes from the environment, so it cannot be verified; set PY in "
          "build.args to a pinned value")],
        id="build-arg-from-environment",
    ),
    pytest.param(
        {C: "services:\n  api:\n    build:\n      context: api\n      args:\n        - PY\n",
         "api/Dockerfile": "ARG PY=3.12\nFROM python:${PY}-slim-bookworm\n"},
        [(C, 6, 11, "DPH208", "build.args PY (no value) make the base image 'python:${PY}-slim-bookworm' of "
          "api/Dockerfile depend on PY, which build.args takes from the environment, so it cannot be verified; "
          "set PY in build.args to a pinned value")],
        id="build-arg-listed-without-value",
    ),
    pytest.param(
        {C: "services:\n  worker:\n    image: app:1.0\n    user: root\n  beat:\n    image: app:1.0\n    user: 0\n"},
        [(C, 4, 11, "DPH404", "service 'worker' runs as root (user: 'root'); run it as an unprivileged user, e.g. "
          "user: \"10001:10001\", or drop the key to keep the Dockerfile's USER"),
         (C, 7, 11, "DPH404", "service 'beat' runs as root (user: '0'); run it as an unprivileged user, e.g. "
          "user: \"10001:10001\", or drop the key to keep the Dockerfile's USER")],
        id="root-users",
    ),
    pytest.param(
        {C: "services:\n  app:\n    extends:\n      file: base.yaml\n      service: base\n",
         "base.yaml": "services:\n  base:\n    image: app:1.0\n    user: \"0:0\"\n"},
        [("base.yaml", 4, 11, "DPH404", "service 'app' runs as root (user: '0:0'); run it as an unprivileged user, "
          "e.g. user: \"10001:10001\", or drop the key to keep the Dockerfile's USER")],
        id="root-through-extends",
    ),
]


@pytest.mark.parametrize(("files", "expected"), FAIL)
def test_fail(tmp_path: Path, files: dict[str, str], expected: list[tuple[str, int, int, str, str]]) -> None:
    assert run(tmp_path, files) == expected


def test_require_digest(tmp_path: Path) -> None:
    files = {C: "services:\n  db:\n    image: postgres:16.3-bookworm\n"}
    assert run(tmp_path, files) == []
    assert run(tmp_path, files, require_digest=True) == [(
        C, 3, 12, "DPH207", "service 'db' image 'postgres:16.3-bookworm' is not pinned by digest; append "
        "'@sha256:<digest>' (see 'docker buildx imagetools inspect postgres:16.3-bookworm')",
    )]


def test_read_only(tmp_path: Path) -> None:
    files = {C: "services:\n  api:\n    build: ./api\n  proxy:\n    build: ./proxy\n", **API,
             "proxy/Dockerfile": "FROM nginx:1.27.0-bookworm\n"}
    message = ("service 'api' runs api/Dockerfile with a writable root filesystem; set 'read_only: true' "
               "(with a tmpfs for what it must write, e.g. tmpfs: [/tmp])")
    assert run(tmp_path, files) == []
    assert run(tmp_path, files, read_only=True) == [(C, 2, 3, "DPH405", message)]
    assert run(tmp_path, {C: GOOD, **API}, read_only=True) == []


def test_main(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    write("compose.yaml", GOOD)
    for name, content in API.items():
        write(name, content)
    write("deploy/docker-compose.prod.yml", "services:\n  web:\n    image: nginx:latest\n")
    assert main(["compose.yaml"]) == 0
    assert main(["compose.yaml", "deploy/docker-compose.prod.yml"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("deploy/docker-compose.prod.yml:3:12: DPH202 service 'web' image 'nginx:latest' uses ")


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param({C: "services:\n  web: [\n"}, f"{C}:3:1: DPH904 YAML syntax error: did not find expected node "
                     "content; Docker Compose cannot read this file\n", id="bad-yaml"),
        pytest.param({C: "include:\n  - ../../etc/compose.yaml\n"}, f"{C}:2:5: DPH901 include '../../etc/compose.yaml' "
                     "is not followed: it is outside the repository\n", id="include-outside"),
        pytest.param({C: "include:\n  - infra.yaml\n", "infra.yaml": "services:\n  db:\n    image: [\n"},
                     "infra.yaml:4:1: DPH904 YAML syntax error: did not find expected node content; Docker Compose "
                     "cannot read this file\n", id="bad-yaml-in-include"),
    ],
)
def test_what_cannot_be_read(
    write: Writer, capsys: pytest.CaptureFixture[str], files: dict[str, str], expected: str
) -> None:
    for name, content in files.items():
        write(name, content)
    assert main([C]) == 1
    assert capsys.readouterr().out == expected


def test_noqa_suppresses(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    path = write("compose.yml", "services:\n  web:\n    image: nginx  # noqa: DPH201 built nightly upstream\n")
    assert main([path]) == 0
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("code", ["DPH404", "DPH405"])
def test_documented_examples(tmp_path: Path, code: str) -> None:
    from hooks import check_compose
    from tests.projects import doc_blocks

    examples, fixes = doc_blocks(check_compose, code)
    project = {name[len("api/"):]: content for name, content in API.items()}  # build: . is the uv project
    gated = code == "DPH405"
    for body in examples:
        assert code in {f[3] for f in run(tmp_path, {C: body, **project}, read_only=gated)}
    for body in fixes:
        assert run(tmp_path, {C: body, **project}, read_only=gated) == []


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param("services:\n" + "  s: {image: 'a:1.0'}\n" * 60000,
                     "compose.yaml:1:1: DPH901 file is larger than 1024 KiB", id="huge"),
        pytest.param("services: " + "[" * 20000 + "]" * 20000 + "\n",
                     "compose.yaml:1:", id="deep-nesting"),
        pytest.param("a: &a ['x', 'x']\n" + "".join(f"b{i}: &b{i} [*{'a' if i == 0 else f'b{i - 1}'}, "
                     f"*{'a' if i == 0 else f'b{i - 1}'}]\n" for i in range(40)) + "services:\n  s:\n    image: *b39\n",
                     "", id="billion-laughs"),
        pytest.param(b"services:\n  s:\n    image: \xff\n", "compose.yaml:1:1: DPH901 cannot decode file as UTF-8",
                     id="undecodable"),
    ],
)
def test_hostile_input_is_one_line_or_nothing(
    write: Writer, capsys: pytest.CaptureFixture[str], content: str | bytes, expected: str
) -> None:
    path = write("compose.yaml", content)
    main([path])
    out = capsys.readouterr().out
    assert out.startswith(expected) and out.count("\n") <= 1 and "Traceback" not in out


def test_the_image_pin_rules_are_declared_as_reported_here_too() -> None:
    """check-compose reports check-base-image-pinned's image rules: its declaration says so,
    so its manifest entry lists them and its suppressions know them."""
    from hooks import check_base_image_pinned, check_compose

    reported = {rule.code for rule in check_compose.HOOK.reports}
    assert reported == {"DPH201", "DPH202", "DPH203", "DPH206", "DPH207", "DPH208"}
    assert reported <= check_compose.HOOK.codes
    assert set(check_compose.HOOK.reports) <= set(check_base_image_pinned.HOOK.rules)


def test_dev_container_compose_judges_images_only(tmp_path: Path) -> None:
    files = {
        ".devcontainer/compose.yaml": (
            "services:\n"
            "  app:\n"
            "    build:\n"
            "      context: ..\n"
            "      dockerfile: .devcontainer/Dockerfile\n"
            "    user: root\n"
            "  db:\n"
            "    image: postgres:16\n"
        ),
        ".devcontainer/Dockerfile": "FROM python:3.12-slim-bookworm\n",
    }
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)
    compose = load(".devcontainer/compose.yaml", Repo(str(tmp_path)))
    found = [(f.code, f.line) for f in check(compose, read_only=True)]
    assert found == [("DPH203", 8)]  # not DPH404 (user: root) nor DPH405 (read_only)
    # The same services in a shipped compose file: the service's user and filesystem count.
    (tmp_path / "compose.yaml").write_text(
        files[".devcontainer/compose.yaml"].replace("context: ..", "context: .")
    )
    shipped = [f.code for f in check(load("compose.yaml", Repo(str(tmp_path))), read_only=True)]
    assert sorted(shipped) == ["DPH203", "DPH404", "DPH405"]


BUILDER_DOCKERFILE = (
    "ARG BUILDER=python:3.12.8-bookworm\n"
    "ARG RUNTIME=python:3.12.8-slim-bookworm\n"
    "FROM ${BUILDER} AS build\n"
    "RUN pip wheel -w /w .\n"
    "FROM ${RUNTIME} AS runtime\n"
    "COPY --from=build /w /w\n"
    "FROM build AS test\n"
)


@pytest.mark.parametrize(("target", "builder_advice", "runtime_advice"), [
    # No target: the last stage 'test' is built on the builder's image, which ships.
    pytest.param("", "python:3.12-slim-trixie", "python:3.12-slim-trixie", id="last-stage"),
    # target: runtime ships the RUNTIME image: the builder's full image may stay full,
    # as check-base-image-pinned advises for the Dockerfile itself.
    pytest.param("      target: runtime\n", "python:3.12-trixie", "python:3.12-slim-trixie", id="target"),
    pytest.param("      target: $T\n", "python:3.12-slim-trixie", "python:3.12-slim-trixie", id="unknown-target"),
])
def test_build_args_advice_keeps_a_builder_full(
    tmp_path: Path, target: str, builder_advice: str, runtime_advice: str,
) -> None:
    compose = (
        "services:\n  api:\n    build:\n      context: .\n" + target
        + "      args:\n        BUILDER: python:3.12\n        RUNTIME: python:3.12-slim\n"
    )
    found = run(tmp_path, {"compose.yaml": compose, "Dockerfile": BUILDER_DOCKERFILE})
    advice = [message.rsplit("e.g. ", 1)[1] for *_, code, message in found if code == "DPH206"]
    assert advice == [f"'{builder_advice}'", f"'{runtime_advice}'"]


def test_a_value_shared_through_an_anchor_is_reported_once(tmp_path: Path) -> None:
    files = {C: (
        "x-image: &image redis:7\nx-user: &user root\n"
        "services:\n  a:\n    image: *image\n    user: *user\n  b:\n    image: *image\n    user: *user\n"
        "  c:\n    image: redis:7\n"
    )}
    assert run(tmp_path, files) == [
        (C, 1, 10, "DPH203", "services 'a' and 'b' image 'redis:7' has a floating tag ('7' is a major version "
                             "only); pin it, e.g. 'redis:7.<minor>' or a digest"),
        (C, 2, 9, "DPH404", "services 'a' and 'b' run as root (user: 'root'); run it as an unprivileged user, "
                             "e.g. user: \"10001:10001\", or drop the key to keep the Dockerfile's USER"),
        (C, 11, 12, "DPH203", "service 'c' image 'redis:7' has a floating tag ('7' is a major version only); "
                              "pin it, e.g. 'redis:7.<minor>' or a digest"),
    ]
