from __future__ import annotations

import re

import pytest

from hooks._dockerfile import parse
from hooks._images import (
    DEBIAN_RELEASES,
    PYTHON_DEBIAN_PATCHES,
    PYTHON_DEBIAN_RELEASES,
    PYTHON_OLDER_DEBIAN,
    SUGGESTED_PYTHON,
    ImageRef,
    PythonTag,
    base_kind,
    floating_reason,
    from_default,
    image_uses,
    is_immutable_tag,
    is_python_image,
    own_version,
    parse_image,
    parse_python_tag,
    published_debian_releases,
    suggest_image,
    suggest_python_tag,
    tag_version,
)

SHA = "sha256:" + "a" * 64


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        pytest.param("python", ("docker.io", "library/python", "", "", "python"), id="bare"),
        pytest.param("python:3.12", ("docker.io", "library/python", "3.12", "", "python"), id="tag"),
        pytest.param("library/python:3", ("docker.io", "library/python", "3", "", "python"), id="library"),
        pytest.param(
            "docker.io/library/python", ("docker.io", "library/python", "", "", "python"), id="full-name",
        ),
        pytest.param(
            "index.docker.io/library/python", ("docker.io", "library/python", "", "", "python"),
            id="legacy-index",
        ),
        pytest.param(
            f"python:3.12-slim@{SHA}", ("docker.io", "library/python", "3.12-slim", SHA, "python"),
            id="tag-and-digest",
        ),
        pytest.param(f"python@{SHA}", ("docker.io", "library/python", "", SHA, "python"), id="digest"),
        pytest.param(
            "localhost:5000/app:1.2.3", ("localhost:5000", "app", "1.2.3", "", ""), id="registry-port",
        ),
        pytest.param("localhost/app", ("localhost", "app", "", "", ""), id="localhost"),
        pytest.param(
            "ghcr.io/astral-sh/uv:0.5.11", ("ghcr.io", "astral-sh/uv", "0.5.11", "", ""), id="ghcr",
        ),
        pytest.param("bitnami/python:3.12", ("docker.io", "bitnami/python", "3.12", "", ""), id="user-repo"),
        pytest.param(
            "public.ecr.aws/docker/library/python:3.12",
            ("public.ecr.aws", "docker/library/python", "3.12", "", "python"), id="ecr-mirror",
        ),
        pytest.param(
            "mirror.gcr.io/library/python", ("mirror.gcr.io", "library/python", "", "", "python"),
            id="gcr-mirror",
        ),
        pytest.param("[::1]:5000/app", ("[::1]:5000", "app", "", "", ""), id="ipv6"),
        pytest.param("Registry/app", ("Registry", "app", "", "", ""), id="upper-case-first-is-a-host"),
        pytest.param("my_image:v1_2", ("docker.io", "library/my_image", "v1_2", "", "my_image"), id="underscore"),
        pytest.param(
            "arm64v8/python:3.12-alpine", ("docker.io", "arm64v8/python", "3.12-alpine", "", "python"),
            id="architecture-namespace",
        ),
        pytest.param(
            "docker.io/winamd64/python:3.12-windowsservercore",
            ("docker.io", "winamd64/python", "3.12-windowsservercore", "", "python"),
            id="windows-architecture-namespace",
        ),
        pytest.param("arm64v8/foo/python:3", ("docker.io", "arm64v8/foo/python", "3", "", ""),
                     id="architecture-namespace-with-a-path-is-no-official-image"),
        pytest.param("ghcr.io/arm64v8/python:3", ("ghcr.io", "arm64v8/python", "3", "", ""),
                     id="architecture-namespace-elsewhere-than-docker-hub"),
    ],
)
def test_parse_image(ref: str, expected: tuple[str, str, str, str, str]) -> None:
    image = parse_image(ref)
    assert image is not None
    assert (image.registry, image.repository, image.tag, image.digest, image.official) == expected
    assert image.name == f"{image.registry}/{image.repository}"
    assert str(image) == ref


@pytest.mark.parametrize(
    "ref",
    [
        pytest.param("", id="empty"),
        pytest.param("Python:3.12", id="upper-case"),
        pytest.param("python:", id="empty-tag"),
        pytest.param("python:3.12 slim", id="blank"),
        pytest.param("python@sha256:abc", id="short-digest"),
        pytest.param("python@sha256:" + "a" * 63, id="63-hex"),
        pytest.param("python:-x", id="tag-starts-with-dash"),
        pytest.param("/python", id="leading-slash"),
        pytest.param("python:" + "x" * 129, id="tag-too-long"),
        pytest.param("a" * 256, id="name-too-long"),
        pytest.param("${BASE}", id="variable"),
    ],
)
def test_parse_image_invalid(ref: str) -> None:
    assert parse_image(ref) is None


def test_same_image_normalised() -> None:
    names = {parse_image(r).name for r in ("python", "library/python", "docker.io/library/python")}  # type: ignore[union-attr]
    assert names == {"docker.io/library/python"}


def test_with_tag_keeps_written_name() -> None:
    image = parse_image(f"docker.io/library/python:3@{SHA}")
    assert isinstance(image, ImageRef)
    assert image.with_tag("3.12-slim-bookworm") == "docker.io/library/python:3.12-slim-bookworm"


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("python:3.12", True),
        ("docker.io/library/python", True),
        ("public.ecr.aws/docker/library/python:3.12-slim", True),
        ("bitnami/python:3.12", False),
        ("cimg/python:3.12", False),
        ("gcr.io/distroless/python3-debian12", False),
        ("pypy:3.10", False),
        ("Python", False),
        ("amd64/python:3.11-alpine3.20", True),
        ("arm32v7/python", True),
        ("s390x/python:3.12-slim-bookworm", True),
        ("arm64/python:3.12", False),  # not a namespace of the official images
        ("arm64v8/pypy:3.10", False),
    ],
)
def test_is_python_image(ref: str, expected: bool) -> None:
    assert is_python_image(ref) is expected
    assert is_python_image(parse_image(ref)) is expected


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("", ("", False, "", "full", "")),
        ("latest", ("", False, "", "full", "")),
        ("3", ("3", False, "", "full", "")),
        ("3.12", ("3.12", False, "", "full", "")),
        ("3.12.4", ("3.12.4", False, "", "full", "")),
        ("3.13.0rc1", ("3.13.0rc1", True, "", "full", "")),
        ("3.14-rc-slim-trixie", ("3.14", True, "slim-trixie", "slim", "trixie")),
        ("slim", ("", False, "slim", "slim", "")),
        ("3.12-slim", ("3.12", False, "slim", "slim", "")),
        ("3.12-slim-bookworm", ("3.12", False, "slim-bookworm", "slim", "bookworm")),
        ("bookworm", ("", False, "bookworm", "full", "bookworm")),
        ("3-bullseye", ("3", False, "bullseye", "full", "bullseye")),
        ("alpine", ("", False, "alpine", "alpine", "")),
        ("3.12-alpine", ("3.12", False, "alpine", "alpine", "")),
        ("3.12-alpine3.20", ("3.12", False, "alpine3.20", "alpine", "alpine3.20")),
        ("alpine3.20", ("", False, "alpine3.20", "alpine", "alpine3.20")),
        (
            "3.12-windowsservercore-ltsc2022",
            ("3.12", False, "windowsservercore-ltsc2022", "windows", "ltsc2022"),
        ),
        ("3.12-nanoserver", ("3.12", False, "nanoserver", "windows", "")),
    ],
)
def test_parse_python_tag(tag: str, expected: tuple[str, bool, str, str, str]) -> None:
    assert parse_python_tag(tag) == PythonTag(*expected)


@pytest.mark.parametrize("tag", ["3.12-myteam", "slim-alpine", "3.12-bookworm-slim", "3.12-slim-alpine3.20"])
def test_parse_python_tag_unknown(tag: str) -> None:
    assert parse_python_tag(tag) is None


def test_python_tag_depth() -> None:
    depths = [parse_python_tag(t).depth for t in ("slim", "3", "3.12-slim", "3.12.4")]  # type: ignore[union-attr]
    assert depths == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("", "3.12-slim-trixie"),
        ("slim", "3.12-slim-trixie"),
        ("3-slim", "3.12-slim-trixie"),
        ("3.11-slim", "3.11-slim-trixie"),
        ("3.11", "3.11-slim-trixie"),
        ("bookworm", "3.12-slim-bookworm"),
        ("3-slim-bullseye", "3.12-slim-bullseye"),
        ("3-buster", "3.12-slim-trixie"),  # no 3.12 image on buster
        ("3.11-alpine", "3.11-slim-trixie"),  # never Alpine
        ("3.9.2-alpine3.13", "3.9.2-slim-<debian release>"),  # built before bullseye: no release vouched for
        ("3.11.9-bullseye", "3.11.9-slim-bullseye"),  # a patch beside its release is kept
        ("3.12.4", "3.12.4-slim-bookworm"),  # the patch is kept
        ("3.7", "3.7-slim-bookworm"),  # 3.7.17, the last, was built on bookworm
        ("3.7-bookworm", "3.7-slim-bookworm"),
        ("3.13-trixie", "3.13-slim-trixie"),
        ("3.13.0rc1", "3.13-slim-trixie"),
        ("3.14-rc-slim", "3.14-slim-trixie"),
        ("3.6", "3.6-slim-<debian release>"),  # not in the table: a placeholder
        ("3.6-stretch", "3.6-slim-stretch"),
        ("3.11-windowsservercore", "3.11-windowsservercore-ltsc2022"),
        ("3.8-windowsservercore", "3.8-windowsservercore-<windows release>"),
        ("3.11.9-nanoserver-1809", "3.11.9-nanoserver-1809"),
        # a patch is kept, beside a release it was built on, else a placeholder release
        ("3.12.3-slim", "3.12.3-slim-bookworm"),
        ("3.12.3-alpine", "3.12.3-slim-bookworm"),
        ("3.14.0", "3.14.0-slim-trixie"),
        ("3.11.4", "3.11.4-slim-bookworm"),  # bookworm came with 3.11.4
        ("3.11.3", "3.11.3-slim-bullseye"),  # ... so 3.11.3 names the newest release it was built on
        ("3.11.3-bookworm", "3.11.3-slim-bullseye"),  # written, but never built
        ("3.12.11-trixie", "3.12.11-slim-trixie"),
        ("3.12.10-trixie", "3.12.10-slim-bookworm"),  # trixie came with 3.12.11
        ("3.5.1", "3.5.1-slim-<debian release>"),  # 3.5 is not in the tables (3.5.1 was built on jessie)
        ("3.8.10", "3.8.10-slim-<debian release>"),  # built before bullseye, on buster only
        ("3.8.10-buster", "3.8.10-slim-buster"),  # an older release the tag names is kept
        ("3.13.10", "3.13.10-slim-<debian release>"),  # newer than the table
        ("3.12.4.1", "3.12.4.1-slim-<debian release>"),
        ("3.12.3-windowsservercore", "3.12.3-windowsservercore-<windows release>"),
        # the releases each minor version was published on
        ("3.12-trixie", "3.12-slim-trixie"),
        ("3.13-bullseye", "3.13-slim-bullseye"),
        ("3.10-buster", "3.10-slim-buster"),
        ("3.12-buster", "3.12-slim-trixie"),
    ],
)
def test_suggest_python_tag(tag: str, expected: str) -> None:
    assert suggest_python_tag(parse_python_tag(tag)) == expected


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("3.9", "3.9-trixie"),
        ("3.12.3", "3.12.3-bookworm"),
        ("", "3.12-trixie"),
        ("3", "3.12-trixie"),
        ("3.11.9-bullseye", "3.11.9-bullseye"),
        ("3.5.1", "3.5.1-<debian release>"),
        ("3.12-slim", "3.12-slim-trixie"),
        ("3.12.3-alpine", "3.12.3-slim-bookworm"),  # never Alpine
        ("3.11-windowsservercore", "3.11-windowsservercore-ltsc2022"),
    ],
)
def test_suggest_python_tag_keeps_a_full_image(tag: str, expected: str) -> None:
    """Where no rule asks for slim (a builder stage, COPY --from), a full image stays full."""
    assert suggest_python_tag(parse_python_tag(tag), keep_full=True) == expected


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("3.12", ("bullseye", "bookworm", "trixie")),
        ("3.7", ("stretch", "buster", "bullseye", "bookworm")),
        ("3.12.3", ("bullseye", "bookworm")),
        ("3.12.12", ("bookworm", "trixie")),
        ("3.7.17", ("bullseye", "bookworm")),
        ("3.9.5", ()),
        ("3.12.99", ()),
        ("3.12.4.1", ()),
        ("3.5", None),
        ("3.5.1", None),
    ],
)
def test_published_debian_releases(version: str, expected: tuple[str, ...] | None) -> None:
    assert published_debian_releases(version) == expected


def test_python_release_tables_are_consistent() -> None:
    for minor, patches in PYTHON_DEBIAN_PATCHES.items():
        releases = PYTHON_DEBIAN_RELEASES[minor]
        assert list(releases) == sorted(releases, key=DEBIAN_RELEASES.index), minor
        for release, (first, last) in patches.items():
            assert first <= last, (minor, release)
    assert set(PYTHON_OLDER_DEBIAN) <= set(PYTHON_DEBIAN_PATCHES)


def test_suggest_python_tag_for_unknown() -> None:
    assert suggest_python_tag(None) == "3.12-slim-trixie"


def test_suggested_python_is_published() -> None:
    """The default the advice falls back to is in its own table of published images."""
    assert PYTHON_DEBIAN_RELEASES[SUGGESTED_PYTHON][-1] == "trixie"


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("python", "'python:3.12-slim-trixie'"),
        ("docker.io/library/python:3-alpine", "'docker.io/library/python:3.12-slim-trixie'"),
        ("gcr.io/distroless/python3-debian12:nonroot", "'gcr.io/distroless/python3-debian12:nonroot@sha256:<digest>'"),
        ("cgr.dev/chainguard/python", "'cgr.dev/chainguard/python:latest@sha256:<digest>'"),
        ("buildpack-deps:bookworm", "'buildpack-deps:bookworm@sha256:<digest>'"),
        ("debian:bookworm-slim", "'debian:bookworm-<YYYYMMDD>-slim' or a digest"),
        ("ubuntu:jammy", "'ubuntu:jammy-<YYYYMMDD>' or a digest"),
        ("node:20-slim", "'node:20.<minor>-slim' or a digest"),
        ("node:lts-slim", "'node:<version>-slim' or a digest"),
        ("nginx:stable-alpine", "'nginx:<version>-alpine' or a digest"),
        ("postgres:16", "'postgres:16.<minor>' or a digest"),
        ("openjdk:8", "'openjdk:<version>' or a digest"),  # not '8.<minor>': openjdk tags are not so
        ("buildpack-deps", "'buildpack-deps:latest@sha256:<digest>'"),
        ("nvcr.io/nvidia/tritonserver:latest", "'nvcr.io/nvidia/tritonserver:<version>' or a digest"),
        ("ghcr.io/org/img", "'ghcr.io/org/img:<version>' or a digest"),
        # An architecture namespace keeps the suggestion only where it publishes that tag.
        ("arm64v8/python:3-alpine", "'arm64v8/python:3.12-slim-trixie'"),
        ("i386/python:3.11", "'i386/python:3.11-slim-trixie'"),
        ("arm32v6/python:3.12-alpine3.20", "'python:3.12-slim-trixie'"),  # arm32v6: Alpine only
        ("riscv64/python:3.12-alpine", "'python:3.12-slim-trixie'"),  # riscv64: no trixie
        ("winamd64/python:3.12-windowsservercore", "'winamd64/python:3.12-windowsservercore-ltsc2022'"),
        ("winamd64/python:3.12", "'python:3.12-slim-trixie'"),
        ("amd64/python:3.12-nanoserver", "'python:3.12-nanoserver-ltsc2022'"),
        ("arm64v8/debian:bookworm-slim", "'arm64v8/debian:bookworm-<YYYYMMDD>-slim' or a digest"),
        # The rest of the tag is kept: the variant, the bundled Python, an architecture.
        ("valkey/valkey:8-alpine", "'valkey/valkey:<version>-alpine' or a digest"),
        ("tensorflow/tensorflow:latest-gpu", "'tensorflow/tensorflow:<version>-gpu' or a digest"),
        ("prefecthq/prefect:3-python3.13", "'prefecthq/prefect:<version>-python3.13' or a digest"),
        ("example/app:x86_64-v2-slim", "'example/app:x86_64-v<version>-slim' or a digest"),
        ("cgr.dev/chainguard/python:latest-dev", "'cgr.dev/chainguard/python:latest-dev@sha256:<digest>'"),
        # A Python 2 tag stays on Python 2 (2.7, its last line), with its written release.
        ("python:2-slim-stretch", "'python:2.7-slim-stretch'"),
        # uv's OS tags keep the OS: 'uv:<version>' alone has no shell.
        ("ghcr.io/astral-sh/uv:bookworm-slim", "'ghcr.io/astral-sh/uv:<version>-bookworm-slim' or a digest"),
        ("ghcr.io/astral-sh/uv:alpine", "'ghcr.io/astral-sh/uv:<version>-alpine' or a digest"),
        ("ghcr.io/astral-sh/uv:latest", "'ghcr.io/astral-sh/uv:<version>' or a digest"),
        ("ghcr.io/astral-sh/uv", "'ghcr.io/astral-sh/uv:<version>' or a digest"),
    ],
)
def test_suggest_image(ref: str, expected: str) -> None:
    image = parse_image(ref)
    assert image is not None
    assert str(suggest_image(image)) == expected


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("1.27", "1.27"),
        ("1.27-alpine", "1.27"),
        ("22.04", "22.04"),
        ("20", "20"),
        ("v1.2.3", "1.2.3"),
        ("py3.12", "3.12"),
        ("bookworm-20240904-slim", "20240904"),
        ("lts", ""),
        ("stable-alpine3.20", ""),
        ("alpine3.20", ""),
        ("ltsc2022", ""),
        ("x86_64-python-3.11", "3.11"),
        ("aarch64-12.1", "12.1"),
        ("cuda12-arm64", "12"),
        ("nonroot", ""),
        ("latest", ""),
    ],
)
def test_tag_version(tag: str, expected: str) -> None:
    assert tag_version(tag) == expected


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("python3.12-bookworm-slim", ""), ("python-3.11", ""), ("x86_64-python-3.11", ""),
        ("py312_24.1.2-0", "24.1.2"), ("2.9.1-python3.11", "2.9.1"), ("cp311-2024.1", "2024.1"),
        ("0.5.11-python3.12-alpine", "0.5.11"), ("build-python3.8", ""),
    ],
)
def test_own_version_of_an_image_that_bundles_python(tag: str, expected: str) -> None:
    ref = parse_image(f"example/app:{tag}")
    assert ref is not None and own_version(ref) == expected


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("sha-3f2a1bc", True), ("abcdef1", True), ("main-20240904", True), ("dev", False), ("1.2.3", False),
        ("2024-01-15", True), ("x86_64-2024-05-27", True), ("lab-2024.05.27", True),
        ("2024-13-01", False), ("2024-01", False), ("1-2024-01-15x", True), ("12024-01-15", False),
    ],
)
def test_is_immutable_tag(tag: str, expected: bool) -> None:
    assert is_immutable_tag(tag) is expected


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("scratch", "scratch"),
        ("gcr.io/distroless/python3-debian12:nonroot", "distroless"),
        ("cgr.dev/chainguard/python:latest", "distroless"),
        ("cgr.dev/chainguard/python:latest-dev", ""),
        ("mcr.microsoft.com/dotnet/runtime:8.0-jammy-chiseled", "distroless"),
        ("python:3.12-alpine3.20", "alpine"),
        ("alpine:3.20", "alpine"),
        ("python:3.12-slim-bookworm", "slim"),
        ("debian:bookworm-slim", "slim"),
        ("python:3.12-bookworm", "full"),
        ("python", "full"),
        ("node:20", "full"),
        ("debian:bookworm", "os"),
        (f"python@{SHA}", ""),
        ("python:3.12-windowsservercore", ""),
        ("example.com/team/app:1.0", ""),
        ("arm64v8/python:3.12-bookworm", "full"),
        ("arm64v8/debian:bookworm", "os"),
    ],
)
def test_base_kind(ref: str, expected: str) -> None:
    assert base_kind(parse_image(ref)) == expected


def test_base_kind_none() -> None:
    assert base_kind(None) == ""


def _uses(text: str) -> list[tuple[int, int, str, str, str, bool]]:
    return [
        (u.line, u.col, u.kind, u.raw, u.value.value, u.value.resolved) for u in image_uses(parse(text))
    ]


def test_image_uses_multi_stage() -> None:
    text = (
        "ARG PY=3.12\n"
        "FROM --platform=$BUILDPLATFORM python:${PY}-slim-bookworm AS build\n"
        "COPY --from=ghcr.io/astral-sh/uv:0.5.11 /uv /bin/\n"
        "RUN --mount=type=cache,target=/root/.cache \\\n"
        "    --mount=type=bind,from=python:3.12,source=/x,target=/y true\n"
        "FROM build AS test\n"
        "FROM scratch\n"
        "COPY --from=build /a /a\n"
        "COPY --from=0 /a /a\n"
        "COPY --from=TEST /a /a\n"
        "COPY --from=later /a /a\n"
        "RUN --mount=from=build,target=/w true\n"
        "FROM python:3.12 AS later\n"
    )
    assert _uses(text) == [
        (2, 32, "from", "python:${PY}-slim-bookworm", "python:3.12-slim-bookworm", True),
        (3, 13, "copy", "ghcr.io/astral-sh/uv:0.5.11", "ghcr.io/astral-sh/uv:0.5.11", True),
        (5, 28, "mount", "python:3.12", "python:3.12", True),
        (13, 6, "from", "python:3.12", "python:3.12", True),
    ]


def test_image_uses_later_stage_is_an_image_for_from() -> None:
    text = "FROM app\nFROM python:3.12 AS app\n"
    assert [u.raw for u in image_uses(parse(text))] == ["app", "python:3.12"]


def test_image_uses_arg_defaults() -> None:
    text = (
        "ARG BASE\nARG TAG\nFROM ${BASE}\nFROM python:${TAG:-3.12}\n"
        "ARG UV=ghcr.io/astral-sh/uv:0.5.11\nCOPY --from=$UV / /\n"
        "ARG NOPE\nCOPY --from=${NOPE} / /\n"
    )
    uses = image_uses(parse(text))
    assert [(u.value.value, u.value.resolved, u.value.unresolved_names) for u in uses] == [
        ("", False, ("BASE",)),
        ("python:3.12", True, ()),
        ("ghcr.io/astral-sh/uv:0.5.11", True, ()),
        ("", False, ("NOPE",)),
    ]
    assert [u.ref for u in uses][1] == parse_image("python:3.12")
    assert uses[0].ref is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("ARG TARGET_ARCH\nFROM ${TARGET_ARCH}/python:3.11-alpine3.20\n",
                     ("${TARGET_ARCH}/python:3.11-alpine3.20", "python", "${TARGET_ARCH}", "alpine"),
                     id="namespace-from-arg-without-default"),
        pytest.param("ARG ARCH\nFROM $ARCH/python:3.12\n", ("$ARCH/python:3.12", "python", "$ARCH", "full"),
                     id="bare-variable"),
        pytest.param("FROM ${TARGETARCH}/node:20\n", ("${TARGETARCH}/node:20", "node", "${TARGETARCH}", ""),
                     id="automatic-arg"),
        pytest.param("ARG TARGET_ARCH=arm64v8\nFROM ${TARGET_ARCH}/python:3.11-alpine3.20\n",
                     ("arm64v8/python:3.11-alpine3.20", "python", "arm64v8", "alpine"),
                     id="namespace-from-arg-default-is-expanded"),
    ],
)
def test_image_uses_architecture_namespace(text: str, expected: tuple[str, str, str, str]) -> None:
    ref = image_uses(parse(text))[0].ref
    assert ref is not None
    assert (str(ref), ref.official, ref.arch, ref.python.flavor if ref.python else "") == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("ARG REGISTRY\nFROM ${REGISTRY}/library/python:3.12\n", id="more-than-a-namespace"),
        pytest.param("ARG A\nFROM ${A}x/python:3.12\n", id="variable-and-text"),
        pytest.param("ARG A\nARG TAG\nFROM ${A}/python:${TAG}\n", id="tag-from-arg-too"),
        pytest.param("ARG A\nFROM ${A}/ghcr.io/org/app:1\n", id="registry-after-the-variable"),
        pytest.param("ARG A\nFROM ${A}/Python:3.12\n", id="invalid-rest"),
        pytest.param("ARG BASE\nFROM ${BASE}\n", id="whole-image"),
    ],
)
def test_image_uses_unresolved_is_unknown(text: str) -> None:
    assert image_uses(parse(text))[0].ref is None


def test_image_uses_quotes_and_mount_types() -> None:
    text = (
        'FROM "python:3.12"\n'
        'COPY --from="nginx:1.27" / /\n'
        "RUN --mount=type=secret,id=x,from=img:1 --mount=type=tmpfs,target=/t true\n"
        "RUN --mount=type=cache,from=0,target=/c true\n"
        "COPY --from=a:1 --from=b:2 / /\n"
        "ONBUILD COPY --from=builder / /\n"
    )
    assert _uses(text) == [
        (1, 6, "from", '"python:3.12"', "python:3.12", True),
        (2, 14, "copy", "nginx:1.27", "nginx:1.27", True),
        (5, 24, "copy", "b:2", "b:2", True),
    ]


def test_image_uses_escape_and_crlf() -> None:
    text = "\ufeff# escape=`\r\nfrom `\r\n  python:3.12\r\ncopy --from=x:1 / /\r\n"
    assert _uses(text) == [
        (3, 3, "from", "python:3.12", "python:3.12", True),
        (4, 13, "copy", "x:1", "x:1", True),
    ]


# ---------------------------------------------------------------------------
# The advice is coherent: every DPH2xx suggestion passes every DPH2xx rule
# ---------------------------------------------------------------------------

DIGEST = "sha256:" + "0123456789abcdef" * 4
# What a placeholder of the advice stands for, to lint the suggestion as a user would write it.
PLACEHOLDERS = {
    "<digest>": DIGEST[len("sha256:"):], "<version>": "1.2.3", "<minor>": "4", "<YYYYMMDD>": "20240904",
    "<debian release>": "bookworm", "<windows release>": "ltsc2022", "<image>": "example.com/app",
}
# (Dockerfile, the DPH2xx codes it gets); a bare reference is 'FROM <reference>'.
ADVICE_CASES = [
    ("python:3", {"DPH203", "DPH204"}),
    ("python", {"DPH201", "DPH204"}),
    ("python:latest", {"DPH202", "DPH204"}),
    ("python:3.12", {"DPH206", "DPH204"}),
    ("python:3.12-alpine", {"DPH206", "DPH205"}),
    ("python:3.9.2-alpine3.13", {"DPH205"}),
    ("python:3.7", {"DPH204"}),  # end of life: the tag no longer moves
    ("python:3.12-bookworm", {"DPH204"}),
    ("python:3-slim-bullseye", {"DPH203"}),
    ("python:3.6", {"DPH204"}),
    ("python:3.12-windowsservercore", {"DPH206"}),
    ("buildpack-deps:bookworm", {"DPH203"}),
    ("openjdk:8", {"DPH203"}),
    ("nvcr.io/nvidia/tritonserver:24.01-py3", set()),
    ("ubuntu:22.04", set()),
    ("debian:bookworm-slim", {"DPH203"}),
    ("node:20", {"DPH203"}),
    ("node:lts-slim", {"DPH203"}),
    ("ghcr.io/org/img", {"DPH201"}),
    ("gcr.io/distroless/python3-debian12:nonroot", {"DPH203"}),
    (f"python@{DIGEST}", set()),
    ("ARG BASE\nFROM ${BASE}\n", {"DPH208"}),
    ("ARG PY\nFROM python:${PY}-slim-bookworm\n", {"DPH208"}),
    ("ARG TAG\nFROM python:${TAG}\n", {"DPH208"}),
    ("ARG VARIANT\nFROM python:3.12${VARIANT}\n", {"DPH208"}),
    ("ARG VARIANT\nFROM python:3.7-${VARIANT}\n", {"DPH208"}),
    ("ARG PY\nFROM python:${PY}-slim-bullseye\n", {"DPH208"}),
    ("ARG TAG\nFROM nvcr.io/nvidia/tritonserver:${TAG}\n", {"DPH208"}),
    ("FROM python:${PY:-3.12}\n", {"DPH209", "DPH206", "DPH204"}),
    ("arm64v8/python:3.12-alpine", {"DPH206", "DPH205"}),
    ("arm32v6/python:3-alpine3.20", {"DPH203", "DPH205"}),
    ("amd64/python:3.12", {"DPH206", "DPH204"}),
    ("ARG TARGET_ARCH=amd64\nFROM ${TARGET_ARCH}/python:3.11-alpine3.20\n", {"DPH205"}),
    # a patch version is kept, beside a release it was built on or a placeholder
    ("python:3.12.3-slim", set()),  # superseded patch: no longer rebuilt
    ("python:3.12.12-slim", {"DPH206"}),
    ("python:3.12.3", {"DPH204"}),
    ("python:3.12.12", {"DPH206", "DPH204"}),
    ("python:3.5.1", {"DPH204"}),
    ("python:3.8.10-buster", {"DPH204"}),
    ("python:3.13.10-slim", {"DPH206"}),
    ("python:3.12.3-windowsservercore", set()),
    # a full image stays full where no rule asks for slim: builder stages, COPY --from
    ("FROM python:3.10 AS build\nFROM python:3.12-slim-bookworm\n", {"DPH206"}),
    ("FROM python:3.11.14 AS build\nFROM python:3.12-slim-bookworm\n", {"DPH206"}),
    ("FROM python AS build\nFROM python:3.12-slim-bookworm\n", {"DPH201"}),
    ("FROM python:3 AS build\nFROM python:3.12-slim-bookworm\n", {"DPH203"}),
    ("FROM python:3.10 AS base\nFROM base\n", {"DPH206", "DPH204"}),  # the final stage's image
    ("FROM python:3.12.3-alpine AS build\nFROM python:3.12-slim-bookworm\n", {"DPH205"}),
    ("FROM python:3.12-slim-bookworm\nCOPY --from=python:3.11 /usr/local /usr/local\n", {"DPH206"}),
    ("ARG PY\nFROM python:${PY} AS build\nFROM python:3.12-slim-bookworm\n", {"DPH208"}),
    ("FROM python:3.10 AS build\nFROM python:3.12.12\n", {"DPH206", "DPH204"}),
    # one ARG for a builder and the shipped stage: reported once, with the shipped stage's advice
    ("ARG BASE=python:3.11\nFROM $BASE AS build\nFROM $BASE\n", {"DPH206", "DPH204"}),
]


def _dph2(text: str) -> list[tuple[int, int, str, str]]:
    """(line, col, code, message) of every DPH2xx finding of both base-image hooks (DPH207
    is an opt-in)."""
    from hooks import check_base_image_pinned, check_python_base_image

    df = parse(text)
    findings = check_base_image_pinned.check(df) + check_python_base_image.check(df)
    return [(f.line, f.col, f.code, f.message) for f in findings if f.code.startswith("DPH2")]


def _filled(suggestion: str) -> str:
    for placeholder, value in PLACEHOLDERS.items():
        suggestion = suggestion.replace(placeholder, value)
    assert "<" not in suggestion, f"unknown placeholder in {suggestion!r}"
    return suggestion


def _replaced(text: str, line: int, col: int, reference: str) -> str:
    """``text`` with the image reference at ``line``:``col`` replaced by ``reference``."""
    lines = text.splitlines()
    row = lines[line - 1]
    end = col - 1
    while end < len(row) and row[end] not in " \t,":
        end += 1
    lines[line - 1] = row[:col - 1] + reference + row[end:]
    return "\n".join(lines) + "\n"


def _assert_published(suggestion: str, text: str) -> None:
    """A concrete python tag names a release its version is known to be published on
    (or one the linted file wrote beside it)."""
    image = parse_image(suggestion.partition("=")[2] if suggestion.startswith("ARG ") else suggestion)
    tag = parse_python_tag(image.tag) if image is not None and image.official == "python" else None
    if tag is None or tag.flavor == "windows" or "<" in tag.os_release:
        return
    published = published_debian_releases(tag.version)
    assert (published is not None and tag.os_release in published) or f"-{tag.os_release}" in text, suggestion


@pytest.mark.parametrize(("case", "codes"), [pytest.param(c, k, id=c.replace("\n", " ")) for c, k in ADVICE_CASES])
def test_every_suggestion_passes_every_base_image_rule(case: str, codes: set[str]) -> None:
    text = case if "\n" in case else f"FROM {case}\n"
    found = _dph2(text)
    assert {code for _, _, code, _ in found} == codes
    suggested: dict[tuple[int, int], set[str]] = {}
    for line, col, _, message in found:
        suggested.setdefault((line, col), set()).add(re.search(r"e\.g\. '([^']+)'", message).group(1))  # type: ignore[union-attr]
    assert all(len(suggestions) == 1 for suggestions in suggested.values()), f"one reference, one advice: {suggested}"
    fixed = text
    finals = set()
    for (line, col), (suggestion,) in sorted(suggested.items(), reverse=True):
        _assert_published(suggestion, text)
        if suggestion.startswith("ARG "):  # a default for the ARG the FROM uses
            name = suggestion[4:].partition("=")[0]
            lines = [row for row in text.splitlines() if row != f"ARG {name}"]
            alone = "\n".join([_filled(suggestion), *lines]) + "\n"
            assert _dph2(alone) == [], alone
            finals.add(parse(alone).stages[-1].image.value)
        else:
            fixed = _replaced(fixed, line, col, _filled(suggestion))
    if fixed != text:
        assert _dph2(fixed) == [], fixed
        if finals:
            finals.add(parse(fixed).stages[-1].image.value)
    assert len(finals) <= 1, f"findings on one FROM lead to different images: {finals}"


def test_no_suggestion_is_alpine_or_a_full_python_image() -> None:
    for tag in ("", "3", "3.12", "3.12-alpine", "alpine3.20", "3.11.9-bullseye", "3.7-alpine3.18", "bookworm",
                "3.12.3", "3.5.1"):
        suggested = parse_python_tag(_filled(suggest_python_tag(parse_python_tag(tag))))
        assert suggested is not None and suggested.flavor == "slim" and suggested.depth >= 2


FROM_DEFAULTS = [
    # (global ARGs, FROM word, (value, automatic, unresolvable, empty, undeclared))
    pytest.param('ARG SFX="box:"\n', "busy${SFX}", ("busybox:", (), (), (), ()), id="quoted-default"),
    pytest.param('ARG IMG=""\n', "$IMG", ("", (), (), (("IMG", '""'),), ()), id="empty-default"),
    pytest.param("ARG V\n", "busybox:1.36${V}", ("busybox:1.36", (), (), (("V", None),), ()), id="no-default"),
    pytest.param("ARG PY\nARG T=${PY}-slim\n", "python:$T", ("python:-slim", (), (), (("PY", None),), ()),
                 id="default-from-unset-arg"),
    pytest.param("ARG V=${templateOption:imageVariant}\n", "x:${V}",
                 ("x:${templateOption:imageVariant}", (), (("V", "${templateOption:imageVariant}"),), (), ()),
                 id="default-that-cannot-be-resolved"),
    pytest.param("", "$BULIDPLATFORM", ("", (), (), (), ("BULIDPLATFORM",)), id="undeclared"),
    pytest.param("ARG TARGETARCH\n", "x-${TARGETARCH}:1", ("x-:1", ("TARGETARCH",), (), (), ()),
                 id="automatic-arg-redeclared"),
    pytest.param("ARG BUILDPLATFORM=linux/amd64\n", "$BUILDPLATFORM", ("linux/amd64", (), (), (), ()),
                 id="automatic-arg-given-a-value"),
    pytest.param("ARG A=1\nARG A\n", "x:$A", ("x:1", (), (), (), ()), id="redeclared-without-default-keeps-it"),
    pytest.param("FROM scratch\nARG IN_STAGE=1\n", "x:$IN_STAGE", ("x:", (), (), (), ("IN_STAGE",)),
                 id="stage-arg-not-in-scope"),
]


@pytest.mark.parametrize(("text", "word", "expected"), FROM_DEFAULTS)
def test_from_default(text: str, word: str, expected: tuple[object, ...]) -> None:
    df = parse(text + ("" if "FROM" in text else "FROM scratch\n"))
    assert tuple(from_default(df, word))[:5] == expected


def test_from_default_with_a_value_tried() -> None:
    df = parse("ARG PY\nARG T=${PY}-slim-bookworm\nFROM python:$T\n")
    assert from_default(df, "python:$T", {"PY": "3.12"}).value == "python:3.12-slim-bookworm"
    assert from_default(df, "python:$T").value == "python:-slim-bookworm"  # the tried value is not kept


@pytest.mark.parametrize(("ref", "floats"), [
    ("fedora:41", False),
    ("registry.fedoraproject.org/fedora:41", False),
    ("quay.io/fedora/fedora-minimal:42", False),
    ("fedora:rawhide", True),
    ("example/fedora:41", True),  # not Fedora's own image: its scheme is not known
    ("debian:12", True),
])
def test_fedora_releases_are_whole_versions(ref: str, floats: bool) -> None:
    image = parse_image(ref)
    assert image is not None
    assert (floating_reason(image) is not None) == floats
