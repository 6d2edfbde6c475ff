"""Image references: Docker's reference grammar, the official ``python`` tag scheme,
and the places of a Dockerfile that name an image.

``parse_image("localhost:5000/app:1.2.3")`` follows ``distribution/reference``:
an optional registry host (a first component followed by ``/`` is a registry when it
holds a ``.`` or a ``:``, is ``localhost``, or has upper-case letters), lower-case path
components, a tag (``[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}``) and a digest
(``sha256:`` + 64 hex). ``python``, ``library/python``, ``docker.io/library/python``
and ``index.docker.io/library/python`` normalise to one :attr:`ImageRef.name`.
Anything the grammar rejects gives ``None``. An official image is also known behind a
mirror (``public.ecr.aws/docker/library/python``) and in the Docker Hub namespaces that
publish one architecture of every official image (``arm64v8/python``, ``amd64/python``:
:data:`ARCH_NAMESPACES`).

``parse_python_tag("3.12.4-slim-bookworm")`` splits a tag of the Docker Official
``python`` image into version, flavour (full / slim / alpine / windows) and OS release.

``image_uses(df)`` lists every ``FROM``, ``COPY --from=`` and ``RUN --mount=…,from=``
that names an image (not a stage, not ``scratch``), with the exact position of the
image word and its value after ARG *defaults* are substituted, parsed (``ref``) when
the value is known. One unknown value is read: a first component that is an ARG alone,
without a value, before a literal official image name (``ARG TARGET_ARCH`` then
``FROM ${TARGET_ARCH}/python:3.12-alpine3.20``) is an architecture namespace, so the
``ref`` is that official image, its namespace ``${TARGET_ARCH}``.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, NamedTuple

from hooks._dockerfile import (
    BUILTIN_ARGS,
    Expanded,
    Instruction,
    Var,
    arg_declarations_of,
    expand,
    split_blanks,
)
from hooks._findings import ERROR, WARNING, Finding, Rule

if TYPE_CHECKING:
    from hooks._dockerfile import Dockerfile, Stage

# The image-pin rules. check-base-image-pinned declares and documents them; check-compose
# reports them too, on Compose `image:` values (Hook.reports), so they are declared here.
UNTAGGED = Rule("DPH201", "untagged-base-image", ERROR, "An image has no tag and no digest.")
LATEST = Rule("DPH202", "latest-base-image", ERROR, "An image uses the 'latest' tag.")
FLOATING = Rule(
    "DPH203", "floating-base-image-tag", ERROR, "An image tag names no version or only a major one.",
)
NO_OS_RELEASE = Rule(
    "DPH206", "python-image-without-os-release", WARNING,
    "A python image tag does not name its OS release.",
)
NO_DIGEST = Rule("DPH207", "base-image-without-digest", ERROR, "An image is not pinned by digest.")
UNVERIFIABLE = Rule(
    "DPH208", "unverifiable-base-image", WARNING,
    "An image is unpinned, invalid or unknown without --build-arg.",
)

DOCKER_HUB = "docker.io"
SCRATCH = "scratch"
# Hosts that serve the Docker Official Images under another path.
OFFICIAL_MIRRORS = {
    "public.ecr.aws": "docker/library/",
    "mirror.gcr.io": "library/",
}
# Docker Hub namespaces that each publish one architecture of every official image
# (github.com/docker-library/official-images#architectures-other-than-amd64):
# 'arm64v8/python' is the official python image, built for ARMv8 only.
ARCH_NAMESPACES = frozenset({
    "amd64", "arm32v5", "arm32v6", "arm32v7", "arm64v8", "i386", "mips64le", "ppc64le", "riscv64",
    "s390x", "winamd64",
})
DEBIAN_RELEASES = ("jessie", "stretch", "buster", "bullseye", "bookworm", "trixie", "forky", "duke")
WINDOWS_VARIANTS = ("windowsservercore", "nanoserver")
# What a suggestion in a message names; one place to move forward. Every DPH2xx
# message takes its suggestion from :func:`suggest_image`, which relies on the facts
# below (Docker Hub tags of the official images, checked by hand). Where a fact is not
# listed, the advice prints a placeholder in <angle brackets>, never a guessed tag.
SUGGESTED_PYTHON = "3.12"  # python:3.12-slim-trixie and -bookworm exist
SUGGESTED_WINDOWS = "ltsc2022"
# Which patches of each minor version the official ``python`` image was published for on
# each Debian release since bullseye: (first, last) patch, e.g. 3.11.4 to 3.11.14 on
# bookworm. docker-library/python builds the current patch of every maintained minor
# version on the newest Debian releases, so a release carries the patch current on the
# day it was added up to the one current on the day it was dropped:
# - bullseye: added 2021-08-16 (docker-library/python f154e5d, official-images #10736),
#   dropped 2025-08-12 (docker-library/python 093598a, official-images #19661);
# - bookworm: added 2023-06-14 (docker-library/python 5d908b0, official-images #14854);
# - trixie: added 2025-08-12, with bullseye's removal.
# For the releases still built, the last patch is the newest in official-images'
# library/python at 01732a42 (3.10.19, 3.11.14, 3.12.12, 3.13.9, 3.14.0): a later patch
# is not vouched for until this table is extended (the advice prints a placeholder).
PYTHON_DEBIAN_PATCHES: dict[str, dict[str, tuple[int, int]]] = {
    "3.7": {"bullseye": (11, 17), "bookworm": (17, 17)},
    "3.8": {"bullseye": (11, 20), "bookworm": (17, 20)},
    "3.9": {"bullseye": (6, 23), "bookworm": (17, 24), "trixie": (23, 24)},
    "3.10": {"bullseye": (0, 18), "bookworm": (12, 19), "trixie": (18, 19)},
    "3.11": {"bullseye": (0, 13), "bookworm": (4, 14), "trixie": (13, 14)},
    "3.12": {"bullseye": (0, 11), "bookworm": (0, 12), "trixie": (11, 12)},
    "3.13": {"bullseye": (0, 6), "bookworm": (0, 9), "trixie": (6, 9)},
    "3.14": {"bookworm": (0, 0), "trixie": (0, 0)},
}
# Older Debian releases a minor version was published on (stretch and buster were dropped
# in 2021 and 2023; 3.12 never had buster), patch by patch not recorded: a patch is kept
# beside one of them only where the tag names it.
PYTHON_OLDER_DEBIAN: dict[str, tuple[str, ...]] = {
    "3.7": ("stretch", "buster"),
    "3.8": ("buster",),
    "3.9": ("buster",),
    "3.10": ("buster",),
    "3.11": ("buster",),
}
# The Debian releases the official ``python`` image was published on, per minor version,
# oldest first (a ``<minor>-slim-<release>`` tag exists for each); minor versions not
# listed are not known.
PYTHON_DEBIAN_RELEASES: dict[str, tuple[str, ...]] = {
    minor: (*PYTHON_OLDER_DEBIAN.get(minor, ()), *patches) for minor, patches in PYTHON_DEBIAN_PATCHES.items()
}
# The architecture namespaces every Debian release of the official python image is
# published for (library/python: bookworm has no mips64le or riscv64, arm32v6 has only
# Alpine, winamd64 only Windows): a slim Debian suggestion keeps only these namespaces.
PYTHON_DEBIAN_ARCHES = frozenset({"amd64", "arm32v5", "arm32v7", "arm64v8", "i386", "ppc64le", "s390x"})
WINDOWS_ARCH = "winamd64"
# Minor versions published as ``<version>-windowsservercore-ltsc2022`` / ``-nanoserver-ltsc2022``.
PYTHON_WINDOWS_LTSC2022 = frozenset({"3.10", "3.11", "3.12", "3.13"})
# Official images whose tags are ``MAJOR.MINOR[...]`` versions, so that ``node:20-slim``
# can be pinned as ``node:20.<minor>-slim`` (other images get ``<version>``).
MINOR_VERSIONED = frozenset({
    "node", "postgres", "golang", "ruby", "nginx", "redis", "php", "mariadb", "mysql", "httpd",
    "rust", "debian",
})
# Official images that publish no version tags: only a digest pins them.
DIGEST_ONLY = frozenset({"buildpack-deps"})
# Official images with dated codename tags (``debian:bookworm-20240904-slim``, ``ubuntu:jammy-20240911``).
DATED_CODENAMES = frozenset({"debian", "ubuntu"})
CODENAMES = frozenset({*("jessie", "stretch", "buster", "bullseye", "bookworm", "trixie"),
                       "focal", "jammy", "noble", "oracular", "plucky"})
_CHANNELS = frozenset({"latest", "lts", "current", "stable", "mainline"})

_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"(?:{_COMPONENT}(?:\.{_COMPONENT})*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?"
_PATH = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REFERENCE_RE = re.compile(
    rf"((?:{_DOMAIN}/)?{_PATH}(?:/{_PATH})*)"
    r"(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?"
    r"(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?",
    re.ASCII,
)
_ARG_NAMESPACE_RE = re.compile(r"(\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*)))/([^$]+)")
_DIGEST_LENGTHS = {"sha256": 64, "sha384": 96, "sha512": 128}
_VERSION_RE = re.compile(r"\d+(?:\.\d+){0,3}(?:(?:a|b|rc)\d+)?", re.ASCII)
_TOKEN_VERSION_RE = re.compile(r"([A-Za-z]*)(\d+(?:\.\d+)*)", re.ASCII)
_COMMIT_RE = re.compile(r"[0-9a-f]{7,64}", re.ASCII)
# A build date in a tag: 2024-01-15 (Jupyter Docker Stacks), 2024.01.15; 20240115 is a
# long number, which is_immutable_tag accepts anyway.
_DATE_RE = re.compile(r"(?<![0-9])20[0-9]{2}([-._])(?:0[1-9]|1[0-2])\1(?:0[1-9]|[12][0-9]|3[01])(?![0-9])", re.ASCII)
# CPU architecture words in a tag (quay.io/jupyter/...:x86_64-2024-05-27), which name no version.
_ARCH_RE = re.compile(
    r"(?<![A-Za-z0-9])(?:x86[-_]64|amd64|arm64(?:v8)?|aarch64|armv[5-7]l?|ppc64le|s390x|i[3-6]86)(?![A-Za-z0-9])",
    re.ASCII | re.IGNORECASE,
)
# Red Hat's registries tag an image release '<version>-<release>' (ubi9/python-311:1-77):
# one build of the image; '1' and 'latest' float.
_REDHAT_REGISTRIES = frozenset({"registry.access.redhat.com", "registry.redhat.io"})
_RELEASE_TAG_RE = re.compile(r"[0-9]+(?:\.[0-9]+)*-[0-9]+(?:\.[0-9]+)?", re.ASCII)
# Letter prefixes of tag tokens that name an OS release, not the software's version.
OS_PREFIXES = frozenset({
    "alpine", "ltsc", "ubi", "debian", "ubuntu", "bookworm", "bullseye", "buster", "trixie",
    "jammy", "noble", "focal", "windowsservercore", "nanoserver", "el", "centos", "rocky",
    "amazonlinux", "al", "fedora", "sles", "wolfi", "mariner", "azurelinux",
})


class ImageRef(NamedTuple):
    """A parsed image reference; empty strings for absent parts."""

    written: str  # the name as written, before ':tag' / '@digest'
    registry: str  # 'docker.io', 'ghcr.io', 'localhost:5000'
    repository: str  # 'library/python', 'astral-sh/uv'
    tag: str
    digest: str  # 'sha256:<hex>'
    name: str  # registry/repository: 'docker.io/library/python'
    official: str  # Docker Official Image name ('python'), mirrors and ARCH_NAMESPACES included; else ''
    # The tag of the official ``python`` image split into its parts (parse_python_tag),
    # worked out once for every check that judges it; None for another image or a tag
    # outside the official scheme.
    python: PythonTag | None = None

    @property
    def arch(self) -> str:
        """The architecture namespace of an official image on Docker Hub (``arm64v8``, or
        the ARG it comes from: ``${TARGET_ARCH}``); '' for the multi-architecture image."""
        namespace = self.repository.partition("/")[0]
        return namespace if self.official and self.registry == DOCKER_HUB and namespace != "library" else ""

    def with_tag(self, tag: str) -> str:
        """The reference as written, with ``tag`` and no digest: ``python:3.12``."""
        return f"{self.written}:{tag}"

    def __str__(self) -> str:
        return self.written + (f":{self.tag}" if self.tag else "") + (
            f"@{self.digest}" if self.digest else ""
        )


def parse_image(ref: str) -> ImageRef | None:
    """Parse ``ref`` like Docker's ``ParseNormalizedNamed``; None when it is invalid."""
    match = _REFERENCE_RE.fullmatch(ref)
    if match is None:
        return None
    written, tag, digest = match.group(1), match.group(2) or "", match.group(3) or ""
    if len(written) > 255:
        return None
    if digest:
        algorithm, _, hexa = digest.partition(":")
        if len(hexa) != _DIGEST_LENGTHS.get(algorithm, len(hexa)):
            return None
    first, slash, rest = written.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost" or first.lower() != first):
        registry, repository = first, rest
        if registry == "index.docker.io":
            registry = DOCKER_HUB
    else:
        if first.lower() != first:
            return None
        registry, repository = DOCKER_HUB, written
    if registry == DOCKER_HUB and "/" not in repository:
        repository = "library/" + repository
    official = ""
    prefix = "library/" if registry == DOCKER_HUB else OFFICIAL_MIRRORS.get(registry)
    if registry == DOCKER_HUB and repository.partition("/")[0] in ARCH_NAMESPACES:
        prefix = repository.partition("/")[0] + "/"
    if prefix and repository.startswith(prefix) and "/" not in repository[len(prefix):]:
        official = repository[len(prefix):]
    python = parse_python_tag(tag) if official == "python" else None
    return ImageRef(written, registry, repository, tag, digest, f"{registry}/{repository}", official, python)


def is_python_image(ref: ImageRef | str | None) -> bool:
    """The Docker Official ``python`` image (Docker Hub or a known mirror of it)."""
    if isinstance(ref, str):
        ref = parse_image(ref)
    return ref is not None and ref.official == "python"


# ---------------------------------------------------------------------------
# Tags
# ---------------------------------------------------------------------------

class PythonTag(NamedTuple):
    """A tag of the official ``python`` image, split into its parts."""

    version: str  # '3', '3.12', '3.12.4', '3.13.0rc1'; '' for 'slim', 'bookworm', 'latest'
    prerelease: bool  # a '-rc' line (3.14-rc-slim) or a version like 3.13.0rc1
    variant: str  # what follows the version: 'slim-bookworm', 'alpine3.20', ''
    flavor: str  # 'full', 'slim', 'alpine' or 'windows'
    os_release: str  # 'bookworm', 'alpine3.20', 'ltsc2022'; '' when not named

    @property
    def depth(self) -> int:
        """How many version components: 0 (none), 1 (``3``), 2 (``3.12``), 3 (``3.12.4``)."""
        return len(self.version.split(".")) if self.version else 0


def parse_python_tag(tag: str) -> PythonTag | None:
    """Split a ``python`` image tag; None when it is not of the official scheme.

    ``''`` and ``latest`` are the full image of the newest version.
    """
    tokens = tag.split("-") if tag and tag != "latest" else []
    version = ""
    prerelease = False
    if tokens and _VERSION_RE.fullmatch(tokens[0]):
        version = tokens.pop(0)
        prerelease = not version.replace(".", "").isdigit()
    if tokens and tokens[0] == "rc":
        tokens.pop(0)
        prerelease = True
    variant = "-".join(tokens)
    flavor = "full"
    if tokens and tokens[0] == "slim":
        flavor = "slim"
        tokens.pop(0)
    if not tokens:
        return PythonTag(version, prerelease, variant, flavor, "")
    if len(tokens) == 1 and tokens[0] in DEBIAN_RELEASES:
        return PythonTag(version, prerelease, variant, flavor, tokens[0])
    if flavor == "full" and len(tokens) == 1 and re.fullmatch(r"alpine(\d+\.\d+)?", tokens[0]):
        return PythonTag(version, prerelease, variant, "alpine", "" if tokens[0] == "alpine" else tokens[0])
    if flavor == "full" and tokens[0] in WINDOWS_VARIANTS and len(tokens) <= 2:
        return PythonTag(version, prerelease, variant, "windows", tokens[1] if len(tokens) == 2 else "")
    return None


def suggest_python_tag(tag: PythonTag | None, *, keep_full: bool = False) -> str:
    """The tag the advice names for a ``python`` image tagged ``tag`` (None: a tag outside
    the official scheme). It keeps what the tag says and adds what it lacks:

    - the variant: slim Debian, never Alpine; with ``keep_full`` a full image stays full
      (where no rule asks for slim: a builder stage, ``COPY --from``). Windows tags keep
      their kind (no slim variant exists);
    - the version: the written patch (``3.12.3``), else the written major.minor (a
      pre-release names its minor line), else :data:`SUGGESTED_PYTHON`;
    - the OS release: the written one when that version was published on it, else the
      newest release it was published on (:func:`published_debian_releases`): the one
      the tag without a release resolves to, now or when its patch was current, so the
      pin keeps the OS the build already runs on (package names differ between Debian
      releases); else the placeholder ``<debian release>``: a patch is only named beside
      a release it is known to be built on.
    """
    minor = SUGGESTED_PYTHON
    if tag is not None and tag.depth == 1 and tag.version == "2":
        minor = "2.7"  # the last Python 2 line: a major-only tag names it, and 3.x is another language
    if tag is not None and tag.depth >= 2:
        minor = re.sub(r"(a|b|rc)\d+$", "", ".".join(tag.version.split(".")[:2]))  # '3.13.0rc1': 3.13
    patch = tag.version if tag is not None and tag.depth >= 3 and not tag.prerelease else ""
    version = patch or minor
    if tag is not None and tag.flavor == "windows":
        kind = tag.variant.split("-")[0]
        if tag.os_release:
            return f"{version}-{kind}-{tag.os_release}"
        known = not patch and minor in PYTHON_WINDOWS_LTSC2022
        return f"{version}-{kind}-{SUGGESTED_WINDOWS if known else '<windows release>'}"
    variant = "" if keep_full and tag is not None and tag.flavor == "full" else "slim-"
    written = tag.os_release if tag is not None and tag.flavor != "alpine" else ""
    return f"{version}-{variant}{_debian_release(version, written)}"


# docker-library/python builds only maintained minor versions: those before this one have
# reached their end of life and were dropped from library/python, so their tags no longer move.
PYTHON_OLDEST_BUILT = (3, 10)


def python_tag_frozen(tag: PythonTag) -> bool:
    """Whether the official ``python`` image no longer rebuilds ``tag``, so that it stays on
    the OS release it last had: a minor version before :data:`PYTHON_OLDEST_BUILT` (end of
    life), or a patch older than the newest one :data:`PYTHON_DEBIAN_PATCHES` records for
    its minor (a patch tag is built only while it is the current one)."""
    if tag.depth < 2 or tag.prerelease:
        return False
    parts = tag.version.split(".")
    if not (parts[0].isdigit() and parts[1].isdigit()):
        return False
    if (int(parts[0]), int(parts[1])) < PYTHON_OLDEST_BUILT:
        return True
    patches = PYTHON_DEBIAN_PATCHES.get(f"{parts[0]}.{parts[1]}")
    if tag.depth == 3 and patches and parts[2].isdigit():
        return int(parts[2]) < max(last for _, last in patches.values())
    return False


def published_debian_releases(version: str) -> tuple[str, ...] | None:
    """The Debian releases the official ``python`` image was published on for ``version``,
    oldest first: for ``3.12`` (any patch) from :data:`PYTHON_DEBIAN_RELEASES`, for
    ``3.12.3`` those of :data:`PYTHON_DEBIAN_PATCHES` whose patches hold it. None when
    the minor version is not in the tables."""
    parts = version.split(".")
    minor = ".".join(parts[:2])
    if minor not in PYTHON_DEBIAN_RELEASES:
        return None
    if len(parts) == 2:
        return PYTHON_DEBIAN_RELEASES[minor]
    if len(parts) != 3 or not parts[2].isdigit():
        return ()
    patch = int(parts[2])
    return tuple(
        release for release, (first, last) in PYTHON_DEBIAN_PATCHES[minor].items() if first <= patch <= last
    )


def _debian_release(version: str, written: str) -> str:
    """The Debian release the advice names beside ``version`` (``3.12`` or ``3.12.3``):
    the ``written`` one when it is published for it (or the version is not in the tables;
    a patch beside an older release than the table records is taken as written), else
    the newest published (what the tag without a release resolves to), else
    ``<debian release>``."""
    published = published_debian_releases(version)
    older = PYTHON_OLDER_DEBIAN.get(".".join(version.split(".")[:2]), ())
    if written and (published is None or written in published or written in older):
        return written
    if published:
        return published[-1]
    return "<debian release>"


class Suggestion(NamedTuple):
    """What the advice names in place of an image reference."""

    reference: str  # placeholders in <angle brackets>: 'node:20.<minor>-slim'
    or_digest: bool  # "or a digest" is worth saying

    def __str__(self) -> str:
        return f"'{self.reference}'" + (" or a digest" if self.or_digest else "")


def suggest_image(ref: ImageRef, *, keep_full: bool = False) -> Suggestion:
    """The one replacement every DPH2xx message suggests for ``ref``, so that findings
    on one reference never contradict each other, and no concrete tag is printed that
    may not exist:

    - the official ``python`` image: :func:`suggest_python_tag` (the written version and
      variant, slim Debian for a full image unless ``keep_full`` says no rule asks for
      slim where ``ref`` is, never Alpine, and an OS release that version is published
      on; a suggestion no DPH2xx rule reports), in the architecture namespace written
      when that namespace publishes it (:data:`PYTHON_DEBIAN_ARCHES`, :data:`WINDOWS_ARCH`),
      else as the multi-architecture ``python`` image;
    - images that publish no version tags (distroless, Chainguard, ``buildpack-deps``):
      the reference with ``@sha256:<digest>``;
    - ``debian``/``ubuntu`` codename tags: the dated form, ``debian:bookworm-<YYYYMMDD>-slim``;
    - a major-only tag of an image of :data:`MINOR_VERSIONED`: ``node:20.<minor>-slim``,
      and its channel tags: ``node:<version>-slim`` for ``node:lts-slim``;
    - a tag that names only the version of a component the image bundles
      (:func:`own_version`: the Python of ``uv:python3.12-bookworm-slim``, the Postgres
      of ``pgvector:pg16``): ``<version>-<the tag>`` for uv and pgvector, whose tags are
      so; for others the same tag with ``@sha256:<digest>`` (their schemes are not known);
    - uv's images with an OS tag (``uv:bookworm-slim``): ``uv:<version>-bookworm-slim``
      (``uv:<version>`` alone holds only the uv binaries, no shell);
    - Chainguard images (``cgr.dev``), whose free tags are ``latest`` and ``latest-dev``:
      the reference with ``@sha256:<digest>``;
    - any other image: ``<version>`` in place of the version the tag names, the rest of
      the tag kept (``valkey:8-alpine`` -> ``valkey:<version>-alpine``), else ``<version>``
      as the tag; or a digest.
    """
    if ref.official == "python":
        tag = suggest_python_tag(ref.python, keep_full=keep_full)
        return Suggestion(ref.with_tag(tag) if _publishes_suggestion(ref) else f"python:{tag}", False)
    if base_kind(ref) == "distroless" or ref.official in DIGEST_ONLY or ref.registry == "cgr.dev":
        # Chainguard's free images carry only ':latest' and ':latest-dev': a digest pins them.
        return Suggestion(f"{ref.with_tag(ref.tag or 'latest')}@sha256:<digest>", False)
    if ref.tag and tag_version(ref.tag) and not own_version(ref):
        # Only a bundled component is named (uv:python3.12-bookworm-slim, pgvector:pg16):
        # uv's and pgvector's images put their own version in front; of the others, no
        # tag scheme is known here.
        if ref.name in _VERSION_IN_FRONT:
            return Suggestion(ref.with_tag(f"<version>-{ref.tag}"), True)
        return Suggestion(f"{ref.with_tag(ref.tag)}@sha256:<digest>", False)
    if ref.name == UV_IMAGE and ref.tag and ref.tag not in _CHANNELS:
        # An OS tag (uv:bookworm-slim, uv:alpine): '<version>' alone is the image that
        # holds only the uv binaries, no shell; '<version>-bookworm-slim' keeps the OS.
        return Suggestion(ref.with_tag(f"<version>-{ref.tag}"), True)
    first, dash, rest = ref.tag.partition("-")
    if ref.official in DATED_CODENAMES and first in CODENAMES:
        return Suggestion(ref.with_tag(f"{first}-<YYYYMMDD>{dash}{rest}"), True)
    if ref.official in MINOR_VERSIONED:
        version = tag_version(ref.tag)
        if version and "." not in version and ref.tag.startswith(version):
            return Suggestion(ref.with_tag(f"{version}.<minor>{ref.tag[len(version):]}"), True)
        if not version and ref.tag:
            kept = rest if first in _CHANNELS else ref.tag
            return Suggestion(ref.with_tag("<version>" + (f"-{kept}" if kept else "")), True)
    span = _own_span(ref)
    if span is not None:  # the rest of the tag stays: '8-alpine' -> '<version>-alpine'
        return Suggestion(ref.with_tag(f"{ref.tag[:span[0]]}<version>{ref.tag[span[1]:]}"), True)
    if first in _CHANNELS and rest:  # 'latest-gpu' -> '<version>-gpu': the variant stays
        return Suggestion(ref.with_tag(f"<version>-{rest}"), True)
    return Suggestion(ref.with_tag("<version>"), True)


def _publishes_suggestion(ref: ImageRef) -> bool:
    """Whether the namespace of a ``python`` image publishes the tag suggested for it:
    the multi-architecture image does; an architecture namespace, for Windows tags only
    ``winamd64``, for Debian ones only :data:`PYTHON_DEBIAN_ARCHES` (not ``arm32v6``,
    nor ``${TARGET_ARCH}``, whose value is not known)."""
    if not ref.arch:
        return True
    if ref.python is not None and ref.python.flavor == "windows":
        return ref.arch == WINDOWS_ARCH
    return ref.arch in PYTHON_DEBIAN_ARCHES


def tag_version(tag: str) -> str:
    """The software version a generic tag names, or '' when it names none.

    Tokens are split on ``-`` and ``_``; the first token that starts with a number
    (``1.27``, ``20240904``) or with a non-OS word and a number (``v1.2``, ``py3.12``)
    gives the version. ``alpine3.20``, ``ltsc2022`` and ``bookworm`` are OS releases, and
    ``x86_64`` or ``arm64`` an architecture. What of it is the image's own version, and
    not a bundled component's, is :func:`own_version`'s question.
    """
    span = _version_span(tag)
    return tag[span[0]:span[1]] if span else ""


def _version_span(
    tag: str, *, bundled_python: bool = False, own: bool = False,
) -> tuple[int, int] | None:
    """Where in ``tag`` the version :func:`tag_version` gives is written, or None. With
    ``own``, a number after a word other than ``v`` (``pg16``, ``cuda12``, ``node20``)
    is the version of a component the image bundles, not the image's own, and
    ``REL-9_18`` is the release 9.18."""
    masked = _ARCH_RE.sub(lambda m: "A" * len(m.group()), tag)  # same length, no digits, no separators
    after_python = False
    for piece in re.finditer(r"[^-_]+", masked):
        token = piece.group()
        if bundled_python and token.lower() in _PYTHON_WORDS:
            after_python = True  # ``python-3.11``: the next token is Python's version
            continue
        match = _TOKEN_VERSION_RE.match(token)
        skip, after_python = after_python and match is not None and not match.group(1), False
        if match is None or skip:
            continue
        prefix = match.group(1).lower()
        if prefix in OS_PREFIXES or (bundled_python and prefix in _PYTHON_WORDS):
            continue
        if own and prefix not in ("", "v") and not (prefix in _PYTHON_WORDS and not bundled_python):
            continue  # 'pg16': the Postgres a pgvector image is built for
        start, end = piece.start() + match.start(2), piece.start() + match.end(2)
        if own and match.end() == len(token) and (minor := _UNDERSCORE_MINOR_RE.match(masked, end)):
            end = minor.end()  # 'REL-9_18': release 9.18
        return start, end
    return None


_UNDERSCORE_MINOR_RE = re.compile(r"_\d+(?![^-_])")


def own_version(ref: ImageRef) -> str:
    """The image's own version in ``ref``'s tag (``9_18`` for ``REL-9_18``), '' when the
    tag names none: not the Python an image of other software bundles, nor a component's
    version glued to its name (``pg16``, ``cuda12``)."""
    span = _own_span(ref)
    return ref.tag[span[0]:span[1]] if span else ""


def _own_span(ref: ImageRef) -> tuple[int, int] | None:
    """Where :func:`own_version` is written in ``ref``'s tag, or None."""
    return _version_span(ref.tag, bundled_python=bundles_python(ref), own=True) if ref.tag else None


_PYTHON_WORDS = frozenset({"python", "py", "pypy", "cp"})
UV_IMAGE = "ghcr.io/astral-sh/uv"
# Images whose pinned tags are '<own version>-<the floating tag>' (uv:0.5.11-python3.12-bookworm-slim,
# pgvector:0.8.0-pg16).
_VERSION_IN_FRONT = frozenset({UV_IMAGE, "docker.io/pgvector/pgvector"})


def bundles_python(ref: ImageRef) -> bool:
    """Whether a Python version in ``ref``'s tag is the Python an image of some other
    software bundles (``ghcr.io/astral-sh/uv:python3.12-bookworm-slim``,
    ``jupyter/base-notebook:python-3.11``), not the image's own version: the image's name
    (the last part of its repository) does not say python or pypy."""
    name = ref.repository.rsplit("/", 1)[-1].lower()
    return "python" not in name and "pypy" not in name


def is_immutable_tag(tag: str) -> bool:
    """A tag that carries a commit id (``sha-3f2a1bc``, ``main-abcdef1``) or a build date
    (``20240904``, ``2024-01-15``: the Jupyter Docker Stacks pin by date)."""
    if _DATE_RE.search(tag):
        return True
    for token in re.split(r"[-_.]", tag):
        if _COMMIT_RE.fullmatch(token) and any(c.isdigit() for c in token) and any(
            c.isalpha() for c in token
        ):
            return True
        if token.isdigit() and len(token) >= 6:
            return True
    return False


def base_kind(ref: ImageRef | None) -> str:
    """What a base image is known to contain, as far as its name and tag tell:

    ``'scratch'``; ``'distroless'`` (no shell, no package manager: gcr.io/distroless,
    Chainguard images other than ``-dev``, Ubuntu ``chiseled``); ``'alpine'`` (busybox
    ``wget``, no ``curl``); ``'slim'`` (Debian slim: neither ``curl`` nor ``wget``);
    ``'os'`` (a bare ``debian`` / ``ubuntu``: neither); ``'full'`` (an official
    language image's default variant, built on buildpack-deps: ``curl`` and ``wget``);
    ``''`` when unknown (also for a digest without a tag).
    """
    if ref is None or (ref.digest and not ref.tag):
        return ""
    if ref.name == f"{DOCKER_HUB}/library/{SCRATCH}":
        return "scratch"
    tokens = set(re.split(r"[-_.]", ref.tag.lower()))
    if (
        "distroless" in ref.repository
        or (ref.registry == "cgr.dev" and not ref.tag.endswith("-dev"))
        or "chiseled" in tokens
    ):
        return "distroless"
    if ref.official == "alpine" or any(t.startswith("alpine") for t in tokens):
        return "alpine"
    if "slim" in tokens:
        return "slim"
    if ref.official == "python":
        tag = ref.python
        if tag is not None and tag.flavor in ("full", "slim", "alpine"):
            return tag.flavor
        return ""
    if ref.official in ("debian", "ubuntu"):
        return "os"
    if ref.official in _FULL_OFFICIAL:
        return "full"
    return ""


# Official language images whose default variant is built on buildpack-deps (curl, wget).
_FULL_OFFICIAL = frozenset({"node", "golang", "ruby", "rust", "openjdk", "perl", "php", "pypy"})
_WINDOWS_RE = re.compile(r"windows|nanoserver|servercore", re.IGNORECASE)
_WINDOWS_SHELL_RE = re.compile(r"(^|[\\/])(powershell|pwsh|cmd)(\.exe)?$", re.IGNORECASE)


def is_windows(df: Dockerfile, chain: list[Stage]) -> bool:
    """Whether the stages of ``chain`` build a Windows image: a ``windows``,
    ``nanoserver`` or ``servercore`` base, a PowerShell or cmd ``SHELL``, or the
    backtick ``escape`` directive (used for Windows paths)."""
    if df.escape == "`" or _WINDOWS_RE.search(chain[0].image.value):
        return True
    return any(_windows_shell(stage) for stage in chain)


def _windows_shell(stage: Stage) -> bool:
    """Whether a SHELL of ``stage`` is PowerShell or cmd (worked out once per stage)."""
    if stage.windows_shell is None:
        stage.windows_shell = any(
            instr.keyword == "SHELL" and instr.json is not None and bool(_WINDOWS_SHELL_RE.search(instr.json[0]))
            for instr in stage.instructions
        )
    return stage.windows_shell


# ---------------------------------------------------------------------------
# Whether an image runs Python
# ---------------------------------------------------------------------------

_INTERPRETER_RE = re.compile(r"^(python|pypy)(\d+(\.\d+)*)?$")
_PIP_RE = re.compile(r"^pip(\d+(\.\d+)*)?$")
_PYTHON_PROGRAMS = frozenset({
    "gunicorn", "uvicorn", "hypercorn", "daphne", "waitress-serve", "granian", "celery",
    "flask", "django-admin", "streamlit", "fastapi", "jupyter", "ipython", "dramatiq",
    "uv", "uvx", "poetry", "pipenv", "pdm", "pipx",
})
_PYTHON_ENV_PREFIXES = ("PYTHON", "PIP_", "VIRTUAL_ENV", "POETRY_", "UV_")
_PACKAGE_INSTALLERS = frozenset({"apt-get", "apt", "apk", "dnf", "yum", "microdnf", "zypper", "tdnf"})
_PYTHON_PACKAGE_RE = re.compile(r"^python(3(\.\d+)?)?([=~].*)?$")


def is_python_program(word: str) -> bool:
    """``python3``, ``pip``, ``gunicorn``, ``uv``, a ``*.py`` script... (any directory)."""
    name = word.rsplit("/", 1)[-1]
    return bool(
        _INTERPRETER_RE.match(name) or _PIP_RE.match(name) or name in _PYTHON_PROGRAMS
        or (name.endswith(".py") and len(name) > 3)
    )


def _python_image(image: str) -> bool:
    ref = image.partition("@")[0].lower()
    name, _, tag = ref.rpartition(":")
    if not name or "/" in tag:
        name, tag = ref, ""
    return any(part in name or part in tag for part in ("python", "pypy"))


def runs_python(df: Dockerfile, chain: list[Stage]) -> bool:
    """Whether the image the stages of ``chain`` build runs Python: a Python base image
    (``python``, ``pypy``, distroless ``python3``, a ``python`` tag, even behind an ARG),
    a ``RUN``/``CMD``/``ENTRYPOINT``/``HEALTHCHECK``
    calling a Python program (:func:`is_python_program`), or an ``ENV`` of Python's
    (``PYTHON*``, ``PIP_*``, ``VIRTUAL_ENV``, ``POETRY_*``, ``UV_*``)."""
    from hooks._shell import instruction_commands, run_script

    if _python_image(chain[0].image.value):  # unresolved: 'python:${V}-slim' still says python
        return True
    for member in chain:
        for instr in member.instructions:
            kw = instr.keyword
            if kw == "RUN":
                if any(is_python_program(c.program) for c in run_script(instr, df.lines).commands()):
                    return True
            elif kw in ("CMD", "ENTRYPOINT", "HEALTHCHECK"):
                if any(is_python_program(word) for c in instruction_commands(instr) for word in c.words):
                    return True
            elif kw == "ENV":
                names = (name for name, _, _ in instr.key_values(df.escape))
                if any(name.startswith(_PYTHON_ENV_PREFIXES) for name in names):
                    return True
    return False


def has_python(df: Dockerfile, chain: list[Stage]) -> bool:
    """Whether the image has a Python interpreter: it :func:`runs_python`, or a stage
    installs ``python3`` with a package manager (``apt-get install python3``, which a
    Node image may do for node-gyp without running Python)."""
    if runs_python(df, chain):
        return True
    return any(
        instr.keyword == "RUN" and _installs_python(df, instr)
        for member in chain for instr in member.instructions
    )


def _installs_python(df: Dockerfile, instr: Instruction) -> bool:
    """Whether a RUN installs Python with a package manager."""
    from hooks._shell import run_script

    for command in run_script(instr, df.lines).commands():
        if command.program in _PACKAGE_INSTALLERS and any(w in ("install", "add") for w in command.words):
            if any(_PYTHON_PACKAGE_RE.match(word) for word in command.words):
                return True
    return False


def provides_tool(df: Dockerfile, chain: list[Stage], tool: str) -> bool:
    """Whether a stage of ``chain`` installs the program ``tool`` with a package manager
    (or may: a package list in a variable with no value here, or read by ``xargs``), or
    copies in a file of that name."""
    return any(_provides(df, instr, tool) for member in chain for instr in member.instructions)


def _provides(df: Dockerfile, instr: Instruction, tool: str) -> bool:
    from hooks._shell import run_script

    if instr.keyword in ("COPY", "ADD"):
        return any(word.rsplit("/", 1)[-1] == tool for word in instr.words())
    if instr.keyword != "RUN":
        return False
    script = run_script(instr, df.lines)
    for command, call in zip(script.commands(), script.package_calls(), strict=True):
        if call is not None:
            names, known = call.packages(instr) if call.verb in ("install", "add") else ([], True)
        elif command.program in _PACKAGE_INSTALLERS and any(w in ("install", "in", "add") for w in command.words):
            names, known = list(command.words), True  # zypper
        else:
            continue
        if not known or any(w == tool or w.startswith((tool + "=", tool + "~")) for w in names):
            return True
    return False


# ---------------------------------------------------------------------------
# Where a Dockerfile names images
# ---------------------------------------------------------------------------

class ImageUse(NamedTuple):
    """One place that names an image: a FROM, a COPY --from or a RUN --mount from."""

    instr: Instruction
    kind: str  # 'from', 'copy' or 'mount'
    raw: str  # as written, quotes and variables included
    value: Expanded  # after ARG defaults; unresolved names the ARGs without a value
    line: int  # of the image word
    col: int
    stage: int  # index of the stage the instruction belongs to
    ref: ImageRef | None  # the parsed value; None when unresolved or not a valid reference


def expand_defaults(instr: Instruction, word: str, escape: str = "\\") -> Expanded:
    """Expand ``word`` as a build without ``--build-arg`` would: an ARG without a
    default is unset, so ``${V:-x}`` gives ``x`` while a bare ``$V`` is unresolved.
    The automatic platform ARGs stay unresolved."""

    def lookup(name: str) -> Var | None:
        var = instr.lookup(name)
        if var is not None and not var.resolved and name not in BUILTIN_ARGS:
            return None
        return var

    return expand(word, lookup, escape)


def shipped_base(df: Dockerfile, target: str | None) -> int | None:
    """The index of the stage whose FROM names the image the shipped stage (``target``,
    else the last) is built on: there a full python image is reported (DPH204 of
    check-python-base-image), so the image advice is slim there and keeps a full image
    full elsewhere. None when ``target`` names no stage, and for a development container,
    which DPH204 lets keep the full image."""
    if df.dev_container:
        return None
    final = df.final_stage(target)
    return None if final is None else df.chain(final)[0].index


# Red Hat's Python language images (sclorg/s2i-python-container): their Dockerfiles end
# with USER 1001 and set PYTHONUNBUFFERED=1 and PIP_NO_CACHE_DIR=off (pip reads any value
# of that variable as "no cache").
REDHAT_PYTHON_RE = re.compile(
    r"(?:registry\.access\.redhat\.com|registry\.redhat\.io)/ubi[0-9]+/python-[0-9]+"
    r"|quay\.io/(?:sclorg|fedora)/python-[0-9]+(?:-[a-z0-9]+)?"
)
_REDHAT_PYTHON_ENV: Mapping[str, str] = {"PYTHONUNBUFFERED": "1", "PIP_NO_CACHE_DIR": "off"}
_NO_ENV: Mapping[str, str] = {}


# Images whose own Dockerfile ends with a non-root USER, by name: the user their
# builds' RUNs run as (and whose home holds pip's and uv's caches).
IMAGE_USERS = {
    "docker.io/mambaorg/micromamba": "mambauser",
    "docker.io/apache/airflow": "airflow",  # uid 50000
    "docker.io/apache/superset": "superset",
    "docker.io/library/odoo": "odoo",
    "docker.io/rayproject/ray": "ray",  # uid 1000
    "docker.io/rayproject/ray-ml": "ray",
    "docker.io/anyscale/ray": "ray",
}
_JUPYTER_REGISTRIES = ("docker.io", "quay.io")


def image_user(ref: ImageRef | None) -> str | None:
    """The non-root user that ``ref``'s own Dockerfile switches to, for the images known
    here (:data:`IMAGE_USERS`, Jupyter's docker-stacks: ``jovyan``); None for any other."""
    if ref is None:
        return None
    if ref.name in IMAGE_USERS:
        return IMAGE_USERS[ref.name]
    owner, _, repo = ref.repository.partition("/")
    if ref.registry in _JUPYTER_REGISTRIES and owner == "jupyter" and (
        repo.endswith("-notebook") or repo == "docker-stacks-foundation"
    ):
        return "jovyan"
    return None


def image_env(df: Dockerfile, stage: Stage) -> Mapping[str, str]:
    """The ENV that the image ``stage`` is built on sets itself, for the images whose
    Dockerfiles are known here (Red Hat's Python images); empty for any other."""
    use = stage_image_use(df, df.chain(stage)[0])
    ref = use.ref if use is not None else None
    if ref is not None and REDHAT_PYTHON_RE.fullmatch(ref.name):
        return _REDHAT_PYTHON_ENV
    return _NO_ENV


def stage_image_use(df: Dockerfile, stage: Stage) -> ImageUse | None:
    """The image a stage's FROM names, or None for ``FROM <earlier stage>`` / scratch
    (worked out once per stage: several checks ask)."""
    if not stage.image_use_known:
        stage.image_use = _stage_image_use(df, stage)
        stage.image_use_known = True
    return stage.image_use


def _stage_image_use(df: Dockerfile, stage: Stage) -> ImageUse | None:
    instr = stage.from_
    words = split_blanks(instr.args)
    if not words:
        return None
    value = expand_defaults(instr, words[0], df.escape)
    if value.resolved:
        if value.value.lower() == SCRATCH:
            return None
        named = df.stage_named(value.value)
        if stage.parent is not None or (named is not None and named.index < stage.index):
            return None
    line, col = instr.args_position(0)
    return ImageUse(instr, "from", words[0], value, line, col, stage.index, _parsed(words[0], value))


def _parsed(word: str, value: Expanded) -> ImageRef | None:
    return parse_image(value.value) if value.resolved else _arch_variable_image(word, value)


def _arch_variable_image(word: str, value: Expanded) -> ImageRef | None:
    """The official image ``word`` names when its namespace is an ARG without a value
    and the rest is literal: ``${TARGET_ARCH}/python:3.12-alpine3.20`` (``value``: the
    word expanded, ``/python:3.12-alpine3.20``) is the official ``python`` image in the
    architecture namespace the build passes (:data:`ARCH_NAMESPACES`), so what its tag
    says (Alpine, full, a Python version) is known. None for any other unresolved word:
    a variable elsewhere, more than the namespace, or a name that is no official image."""
    match = _ARG_NAMESPACE_RE.fullmatch(word)
    if match is None or (match.group(2) or match.group(3)) not in value.unresolved_names:
        return None
    rest = parse_image(match.group(4))
    if rest is None or value.value != f"/{match.group(4)}" or rest.written != rest.official:
        return None  # a registry, a path, or a variable's value in the word
    repository = f"{match.group(1)}/{rest.official}"
    return rest._replace(written=repository, repository=repository, name=f"{DOCKER_HUB}/{repository}")


def image_uses(df: Dockerfile) -> list[ImageUse]:
    """Every image named by a FROM, ``COPY --from`` or ``RUN --mount=…,from=``, in order.

    For ``--from``, stage names (case-insensitive, any stage of the file) and stage
    indexes are not images; for FROM, only stages defined earlier are. ONBUILD
    triggers are skipped: their stage names belong to the downstream build.
    BuildKit does not expand variables in ``--from`` (Podman does); we expand them,
    so the image is judged either way.
    """
    uses: list[ImageUse] = []
    for stage in df.stages:
        use = stage_image_use(df, stage)
        if use is not None:
            uses.append(use)
        for instr in stage.instructions:
            if not instr.flags or instr.keyword not in ("COPY", "RUN"):
                continue  # images are named in flags only
            if "from" not in instr.line[:instr.args_offset].lower():
                continue  # in a --from flag or the from= of a --mount flag
            if instr.keyword == "COPY":
                uses.extend(_flag_uses(df, instr, "copy"))
            elif instr.keyword == "RUN":
                uses.extend(_flag_uses(df, instr, "mount"))
    uses.sort(key=lambda u: (u.line, u.col))
    return uses


_WHOLE_ARG_RE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")


def whole_arg(use: ImageUse) -> str | None:
    """The ARG a FROM's image is, when the word is that ARG alone (``$BASE``, ``${BASE}``)."""
    match = _WHOLE_ARG_RE.fullmatch(use.raw) if use.kind == "from" else None
    return None if match is None else match.group(1) or match.group(2)


def froms_of_args(uses: Iterable[ImageUse]) -> dict[str, list[ImageUse]]:
    """The FROMs whose image is one ARG alone, by ARG name, in order. Such FROMs name one
    image with one place to fix it (the ARG's default): a rule about the image reports it
    once, at the first of them (:func:`reported_once`)."""
    froms: dict[str, list[ImageUse]] = {}
    for use in uses:
        name = whole_arg(use)
        if name is not None:
            froms.setdefault(name, []).append(use)
    return froms


def reported_once(findings: list[Finding], name: str, froms: list[ImageUse]) -> list[Finding]:
    """The findings of the first FROM of ARG ``name``, saying that the later ones share them."""
    if len(froms) < 2:
        return findings
    others = ", ".join(str(use.line) for use in froms[1:])
    note = f" (reported once for ARG {name}: the FROM at line{'s' if len(froms) > 2 else ''} {others} uses it too)"
    return [f._replace(message=f.message + note) for f in findings]


def _flag_uses(df: Dockerfile, instr: Instruction, kind: str) -> list[ImageUse]:
    out: list[ImageUse] = []
    for name, raw, offset in _flag_words(instr):
        if kind == "copy" and name == "from":
            found = [(raw, offset)]
        elif kind == "mount" and name == "mount":
            found = _mount_from(raw, offset)
        else:
            continue
        for text, at in found:
            value = expand_defaults(instr, text, df.escape)
            if value.resolved and _names_stage(df, value.value):
                continue
            line, col = instr.position(at)
            out.append(ImageUse(instr, kind, text, value, line, col, instr.stage, _parsed(text, value)))
    if kind == "copy" and len(out) > 1:
        out = out[-1:]  # the last --from wins
    return out


def _names_stage(df: Dockerfile, value: str) -> bool:
    return value.isdigit() or value.lower() == SCRATCH or df.stage_named(value) is not None


def _flag_words(instr: Instruction) -> tuple[tuple[str, str, int], ...]:
    """(name, raw value, offset of the value in ``instr.line``) of each leading flag."""
    line = instr.line[:instr.args_offset]
    keyword_length = len(instr.keyword_raw)
    end = len(line)
    out: list[tuple[str, str, int]] = []
    pos = len(line) - len(line.lstrip())
    pos += keyword_length
    while pos < end:
        while pos < end and line[pos].isspace():
            pos += 1
        start = pos
        quote = ""
        while pos < end and (quote or not line[pos].isspace()):
            if quote and line[pos] == quote:
                quote = ""
            elif not quote and line[pos] in "'\"":
                quote = line[pos]
            elif line[pos] == "\\":
                pos += 1
            pos += 1
        word = line[start:pos]
        if word.startswith("--") and "=" in word:
            name, _, value = word[2:].partition("=")
            at = start + 3 + len(name)
            if len(value) >= 2 and value[0] in "'\"" and value[-1] == value[0]:
                value, at = value[1:-1], at + 1  # the whole value quoted
            out.append((name, value, at))
    return tuple(out)


def _mount_from(raw: str, offset: int) -> list[tuple[str, int]]:
    """The ``from=`` field of a ``--mount`` value (CSV), with its offset."""
    found: list[tuple[str, int]] = []
    pos = 0
    mount_type = ""
    while pos <= len(raw):
        end = pos
        quote = ""
        while end < len(raw) and (quote or raw[end] != ","):
            if raw[end] == '"':
                quote = "" if quote else '"'
            end += 1
        field = raw[pos:end]
        key, sep, value = field.strip('"').partition("=")
        key = key.strip().lower()
        if sep and key == "type":
            mount_type = value.strip()
        elif sep and key == "from" and value:
            found.append((value, offset + pos + field.index("=") + 1))
        pos = end + 1
    if mount_type in ("tmpfs", "secret", "ssh"):
        return []
    return found[-1:]


# ---------------------------------------------------------------------------
# A FROM as a build without --build-arg sees it
# ---------------------------------------------------------------------------

class Default(NamedTuple):
    """What a FROM word gives in a build without ``--build-arg`` (BuildKit's rules:
    only the ARGs declared before the first FROM are in scope, one declared without a
    default is empty, the automatic platform ARGs are known only at build time)."""

    value: str  # unset and undeclared names expanded to ''
    automatic: tuple[str, ...]  # automatic platform ARGs it depends on
    unresolvable: tuple[tuple[str, str], ...]  # (ARG, its default) that cannot be expanded
    empty: tuple[tuple[str, str | None], ...]  # (ARG, None: no default / '': empty default)
    undeclared: tuple[str, ...]  # names no ARG before the first FROM declares
    args: tuple[str, ...] = ()  # the declared ARGs the word names

    @property
    def known(self) -> bool:
        """Whether :attr:`value` is what every build without ``--build-arg`` gets."""
        return not self.automatic and not self.unresolvable


class GlobalArg(NamedTuple):
    raw: str | None  # the default as written; None when declared without one
    found: Default  # the default, expanded


def global_arg_names(df: Dockerfile) -> frozenset[str]:
    """The names of the ARGs declared before the first FROM."""
    return frozenset(_global_args(df))


def _global_args(df: Dockerfile, overrides: dict[str, str] | None = None) -> dict[str, GlobalArg]:
    """The ARGs declared before the first FROM, their defaults expanded in order
    (worked out once per file, kept on the Dockerfile), or with ``overrides``
    as build arguments."""
    if df.global_defaults is not None and not overrides:
        return df.global_defaults
    table: dict[str, GlobalArg] = {}
    for instr in df.instructions:
        if instr.keyword == "FROM":
            break
        if instr.keyword != "ARG":
            continue
        for name, raw in arg_declarations_of(instr.args, df.escape):
            if overrides and name in overrides:
                value = overrides[name]
                table[name] = GlobalArg(value, Default(value, (), (), (), ()))
            elif raw is None:
                if name not in BUILTIN_ARGS:  # an automatic one keeps its build-time value
                    table.setdefault(name, GlobalArg(None, Default("", (), (), (), ())))
            else:
                found = _expand_default(table, raw, df.escape)
                named = tuple((n or name, text) for n, text in found.unresolvable)
                table[name] = GlobalArg(raw, found._replace(unresolvable=named))
    for name, value in (overrides or {}).items():
        table.setdefault(name, GlobalArg(value, Default(value, (), (), (), ())))
    if not overrides:
        df.global_defaults = table
    return table


def _expand_default(table: dict[str, GlobalArg], word: str, escape: str) -> Default:
    used: list[str] = []

    def lookup(name: str) -> Var | None:
        used.append(name)
        arg = table.get(name)
        if arg is None:
            return Var("", False) if name in BUILTIN_ARGS else None
        if arg.raw is None:
            return None  # declared without a default: unset
        return Var(arg.found.value, arg.found.known)

    expanded = expand(word, lookup, escape)
    if expanded.resolved and not used:
        return Default(expanded.value, (), (), (), ())  # no variable: the word as written
    automatic: list[str] = []
    unresolvable: list[tuple[str, str]] = []
    empty: list[tuple[str, str | None]] = []
    undeclared: list[str] = []
    for name in dict.fromkeys(used):
        arg = table.get(name)
        if arg is None:
            (automatic if name in BUILTIN_ARGS else undeclared).append(name)
            continue
        if arg.raw is None or (arg.found.value == "" and arg.found.known):
            empty.append((name, arg.raw))
        automatic.extend(arg.found.automatic)
        unresolvable.extend(arg.found.unresolvable)
        empty.extend(arg.found.empty)
        undeclared.extend(arg.found.undeclared)
    if not expanded.resolved and expand(word, lambda name: Var("x", True), escape).resolved is False:
        unresolvable.append(("", word))  # not expandable whatever the values: the word itself
    return Default(
        expanded.value,
        tuple(dict.fromkeys(automatic)),
        tuple(dict.fromkeys(unresolvable)),
        tuple(dict.fromkeys(empty)),
        tuple(dict.fromkeys(undeclared)),
        tuple(name for name in dict.fromkeys(used) if name in table),
    )


def from_default(df: Dockerfile, word: str, overrides: dict[str, str] | None = None) -> Default:
    """What ``word`` of a FROM (its image or its ``--platform``) gives in a build without
    ``--build-arg`` (with ``overrides`` as build arguments, to try a value)."""
    return _expand_default(_global_args(df, overrides), word, df.escape)


# ---------------------------------------------------------------------------
# Whether a reference is pinned (check-base-image-pinned and check-compose)
# ---------------------------------------------------------------------------

def floating_reason(ref: ImageRef) -> str | None:
    """Why ``ref``'s tag floats, or None when it names a version."""
    if ref.official == "python":
        tag = ref.python
        if tag is not None:
            if tag.depth == 1:
                return f"'{tag.version}' is a major version only"
            return None if tag.depth else f"'{ref.tag}' names no Python version"
    if is_immutable_tag(ref.tag):
        return None
    if ref.registry in _REDHAT_REGISTRIES and _RELEASE_TAG_RE.fullmatch(ref.tag):
        return None  # ubi9/python-311:1-77: release 77 of image version 1
    version = own_version(ref)
    if version.isdigit() and _whole_number_releases(ref):
        return None  # fedora:41 is Fedora 41, whose releases have no minor version
    if not version:
        if tag_version(ref.tag):
            return f"'{ref.tag}' names only the version of what the image bundles, not a version of the image"
        return f"'{ref.tag}' names no version"
    if "." not in version and "_" not in version and len(version) < 6:
        return f"'{version}' is a major version only"
    return None


def _whole_number_releases(ref: ImageRef) -> bool:
    """Fedora's images: a release is one number (``fedora:41``), with no minor version to pin."""
    name = ref.name.rsplit("/", 1)[-1]
    return name in ("fedora", "fedora-minimal") and (
        ref.official == "fedora" or ref.registry in ("registry.fedoraproject.org", "quay.io")
    )


def pin_problem(ref: ImageRef, *, keep_full: bool = False) -> tuple[str, str, str] | None:
    """The tag problem of ``ref`` (at most one): the code of the rule that reports it
    (DPH201 no tag, DPH202 ``latest``, DPH203 floating, DPH206 a ``python`` tag without
    its OS release), what is wrong (``"has no tag"``) and the fix (from
    :func:`suggest_image`, asked only when there is a problem; ``keep_full`` as there).
    None when a digest or the tag pins it."""
    problem = _tag_problem(ref)
    if problem is None:
        return None
    code, what = problem
    suggestion = suggest_image(ref, keep_full=keep_full)
    if code == "DPH206" and ref.python is not None and ref.python.flavor == "alpine":
        return code, what, f"pin a release of a slim Debian image instead (see DPH205), e.g. {suggestion}"
    return code, what, f"pin it, e.g. {suggestion}"


def _tag_problem(ref: ImageRef) -> tuple[str, str] | None:
    if ref.digest:
        return None
    if not ref.tag:
        return "DPH201", "has no tag"
    if ref.tag == "latest":
        return "DPH202", "uses the 'latest' tag"
    reason = floating_reason(ref)
    if reason is not None:
        return "DPH203", f"has a floating tag ({reason})"
    tag = ref.python
    if tag is not None and not tag.os_release and not python_tag_frozen(tag):
        system = {"alpine": "Alpine", "windows": "Windows"}.get(tag.flavor, "Debian")
        return "DPH206", f"does not name its OS release, so it moves to the next {system} release"
    return None
