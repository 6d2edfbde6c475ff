from __future__ import annotations

from pathlib import Path

import pytest

from hooks._compose import Compose, interpolate, load, services_built_from
from hooks._files import ReadError, Repo


def write(tmp: Path, files: dict[str, str]) -> Repo:
    for name, content in files.items():
        (tmp / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / name).write_text(content)
    return Repo(str(tmp))


def loaded(tmp: Path, files: dict[str, str], path: str = "compose.yaml") -> Compose:
    return load(path, write(tmp, files))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("python:3.12", ("python:3.12", True, ())),
        ("python:${TAG:-3.12-slim}", ("python:3.12-slim", True, ())),
        ("python:${TAG-3.12}", ("python:3.12", True, ())),
        ("${REG:-${MIRROR:-docker.io}}/app:1.0", ("docker.io/app:1.0", True, ())),
        ("app:${TAG}", ("app:", False, ("TAG",))),
        ("app:$TAG", ("app:", False, ("TAG",))),
        ("app:${TAG:?set TAG}", ("app:", False, ("TAG",))),
        ("app${SUFFIX:+-dev}:1.0", ("app:1.0", True, ())),
        ("echo $$HOME", ("echo $HOME", True, ())),
        ("cost: 5$", ("cost: 5$", True, ())),
        ("broken ${TAG", ("broken ${TAG", False, ("",))),
    ],
)
def test_interpolate(text: str, expected: tuple[str, bool, tuple[str, ...]]) -> None:
    assert interpolate(text) == expected


def test_services_with_positions_anchors_and_merge_keys(tmp_path: Path) -> None:
    compose = loaded(tmp_path, {"compose.yaml": (
        "x-defaults: &defaults\n"
        "  user: \"0:0\"\n"
        "  image: busybox:1.36.1\n"
        "x-ro: &ro\n"
        "  read_only: true\n"
        "services:\n"
        "  web:\n"
        "    <<: [*defaults, *ro]\n"
        "    image: nginx:1.27.0\n"
        "  job: *defaults\n"
    )})
    web, job = compose.services
    assert (web.name, web.line, web.col) == ("web", 7, 3)
    assert web.image is not None and (web.image.value, web.image.line, web.image.col) == ("nginx:1.27.0", 9, 12)
    assert web.user is not None and (web.user.value, web.user.line, web.user.col) == ("0:0", 2, 9)
    assert web.read_only is not None and web.read_only.value == "true"
    assert job.image is not None and (job.image.value, job.image.line) == ("busybox:1.36.1", 3)


def test_include_and_extends_inside_the_repository(tmp_path: Path) -> None:
    compose = loaded(tmp_path, {
        "compose.yaml": (
            "include:\n  - path: infra/db.yaml\n  - infra/cache.yaml\n"
            "services:\n  api:\n    extends:\n      file: common/base.yaml\n      service: python\n"
            "    build:\n      args:\n        EXTRA: \"1\"\n"
        ),
        "infra/db.yaml": "services:\n  db:\n    image: postgres:16.3-bookworm\n",
        "infra/cache.yaml": "services:\n  cache:\n    image: redis:7.2.5\n",
        "common/base.yaml": (
            "services:\n  python:\n    user: app\n    build:\n      context: ../api\n"
            "      args:\n        PY: '3.12'\n"
        ),
        "api/Dockerfile": "ARG PY=3.11\nFROM python:${PY}-slim-bookworm\n",
    })
    assert compose.problems == []
    assert [s.name for s in compose.services] == ["db", "cache", "api"]
    api = compose.services[2]
    assert api.user is not None and (api.user.value, api.user.path) == ("app", "common/base.yaml")
    assert api.build is not None
    assert api.build.dockerfile_path == "api/Dockerfile"
    assert api.build.parsed is not None
    assert {k: v.value for k, v in api.build.args.items()} == {"PY": "3.12", "EXTRA": "1"}


@pytest.mark.parametrize(
    ("compose", "message"),
    [
        pytest.param("include:\n  - ../outside.yaml\n", "include '../outside.yaml' is not followed: it is outside the "
                     "repository", id="outside"),
        pytest.param("include:\n  - /etc/compose.yaml\n", "include '/etc/compose.yaml' is not followed: it is an "
                     "absolute path", id="absolute"),
        pytest.param("include:\n  - oci://registry/app:1\n", "include 'oci://registry/app:1' is not followed: it is "
                     "remote", id="remote"),
        pytest.param("include:\n  - ${DIR}/x.yaml\n", "include '/x.yaml' is not followed: it depends on a variable",
                     id="variable"),
        pytest.param("include:\n  - missing.yaml\n", "'missing.yaml' cannot be read: no such file", id="missing"),
    ],
)
def test_include_refused(tmp_path: Path, compose: str, message: str) -> None:
    (tmp_path.parent / "outside.yaml").write_text("services:\n  evil:\n    image: evil\n")
    found = loaded(tmp_path, {"compose.yaml": compose})
    assert [(p.line, p.col, p.message, p.syntax) for p in found.problems] == [(2, 5, message, False)]
    assert found.services == []


def test_include_cycle_and_self_extends(tmp_path: Path) -> None:
    compose = loaded(tmp_path, {
        "compose.yaml": "include:\n  - other.yaml\nservices:\n  a:\n    extends: a\n    image: x:1.0\n",
        "other.yaml": "include:\n  - compose.yaml\nservices:\n  b:\n    extends:\n      service: b\n",
    })
    assert [s.name for s in compose.services] == ["b", "a"]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("services:\n  web: [\n", id="unclosed"),
        pytest.param("services:\n  web:\n    image: a\n   bad: b\n", id="indentation"),
        pytest.param("[" * 5000 + "]" * 5000, id="deep-nesting"),
        pytest.param("a: &a [*a]\nservices: *a\n", id="recursive-alias"),
    ],
)
def test_hostile_or_bad_yaml_never_raises(tmp_path: Path, text: str) -> None:
    compose = loaded(tmp_path, {"compose.yaml": text})
    assert all(p.syntax for p in compose.problems)


def test_merge_bomb_stays_linear(tmp_path: Path) -> None:
    lines = ["x0: &x0 {user: root}"]
    for i in range(1, 60):
        lines.append(f"x{i}: &x{i} {{<<: [*x{i - 1}, *x{i - 1}]}}")
    lines.append("services:\n  web:\n    <<: *x59\n")
    compose = loaded(tmp_path, {"compose.yaml": "\n".join(lines)})
    assert compose.services[0].user is None  # past the merge depth limit: not followed


def test_syntax_error_position(tmp_path: Path) -> None:
    compose = loaded(tmp_path, {"compose.yaml": "services:\n  web:\n    image: a\n   bad: b\n"})
    assert [(p.line, p.col) for p in compose.problems] == [(4, 4)]
    assert compose.problems[0].message.startswith("YAML syntax error: ")


def test_unreadable_root_raises(tmp_path: Path) -> None:
    with pytest.raises(ReadError):
        load("compose.yaml", Repo(str(tmp_path)))



def test_healthcheck_forms(tmp_path: Path) -> None:
    compose = loaded(tmp_path, {"compose.yaml": (
        "services:\n"
        "  cmd:\n"
        "    healthcheck:\n"
        "      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:${PORT:-8000}/\"]\n"
        "  shell:\n"
        "    healthcheck:\n"
        "      test: [\"CMD-SHELL\", \"wget -qO- http://localhost:$$PORT/ || exit 1\"]\n"
        "  text:\n"
        "    healthcheck: {test: \"curl -f http://localhost:${PORT}/\"}\n"
        "  none:\n"
        "    healthcheck: {test: [\"NONE\"]}\n"
        "  disabled:\n"
        "    healthcheck: {disable: true, test: [\"CMD\", \"curl\", \"x\"]}\n"
        "  interval-only:\n"
        "    healthcheck: {interval: 30s}\n"
        "  unset: {}\n"
    )})
    probes = {service.name: service.healthcheck for service in compose.services}
    cmd, shell, text = probes["cmd"], probes["shell"], probes["text"]
    assert cmd is not None and (cmd.argv, cmd.shell, cmd.line, cmd.col) == (
        ("curl", "-f", "http://localhost:8000/"), None, 4, 13,
    )
    assert shell is not None and shell.shell == "wget -qO- http://localhost:$PORT/ || exit 1"
    # An unresolved variable is kept as written: the program is still known.
    assert text is not None and text.shell == "curl -f http://localhost:${PORT}/"
    assert [probes[name] for name in ("none", "disabled", "interval-only", "unset")] == [None] * 4


def test_build_of_a_service_running_another_services_image(tmp_path: Path) -> None:
    compose = loaded(tmp_path, {
        "Dockerfile": "FROM python:3.12-slim-bookworm\n",
        "compose.yaml": (
            "services:\n"
            "  web: {build: ., image: \"app:${TAG:-dev}\"}\n"
            "  worker: {image: \"app:dev\"}\n"
            "  db: {image: postgres:16.4-bookworm}\n"
        ),
    })
    web, worker, db = compose.services
    assert compose.build_of(web) is web.build is not None
    assert compose.build_of(worker) is web.build
    assert compose.build_of(db) is None


def test_services_built_from_a_dockerfile(tmp_path: Path) -> None:
    repo = write(tmp_path, {
        "svc/Dockerfile": "FROM python:3.12-slim-bookworm\n",
        "other/Dockerfile": "FROM python:3.12-slim-bookworm\n",
        "compose.yaml": "services:\n  web:\n    build: svc\n    image: me/web\n"
                        "  worker:\n    image: me/web\n  other:\n    build: other\n",
        "compose.override.yaml": "services:\n  web:\n    healthcheck:\n      test: [CMD, 'true']\n",
        "svc/compose.yml": "services:\n  api:\n    build: .\n",  # no 'healthcheck' in it: not parsed
    })
    found = [(service.name, build.dockerfile_path, [s.path for s in same])
             for service, build, same in services_built_from(repo, "svc/Dockerfile", "healthcheck")]
    assert found == [("web", "svc/Dockerfile", ["compose.override.yaml", "compose.yaml"]),
                     ("worker", "svc/Dockerfile", ["compose.yaml"])]
    assert sorted(repo.composes) == ["compose.override.yaml", "compose.yaml"]
    assert [service.name for service, _, _ in services_built_from(repo, "other/Dockerfile", "build")] == ["other"]
    assert list(services_built_from(repo, "missing/Dockerfile", "healthcheck")) == []
