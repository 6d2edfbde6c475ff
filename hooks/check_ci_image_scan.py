"""check-ci-image-scan: a CI pipeline that builds a container image also scans it.

Reads GitHub Actions workflows, ``.gitlab-ci.yml``, ``azure-pipelines.yml``,
``bitbucket-pipelines.yml`` and ``.circleci/config.yml`` with a YAML parser (aliases,
anchors and GitLab's ``!reference`` tags included) and looks at what the steps run:
shell commands (``run``, ``script``, ``before_script``, ``command``, ``bash``,
``inlineScript``...) and the actions, pipes, tasks and templates they use.

A build is ``docker build``, ``docker buildx build|bake``, ``docker image build``,
``docker compose build``, ``docker-compose build``, kaniko's ``/kaniko/executor``,
``buildah bud|build``, ``podman build``, ``depot build|bake``, ``docker/build-push-action``,
``docker/bake-action``, ``depot/build-push-action``, ``depot/bake-action``,
``redhat-actions/buildah-build`` or Azure's ``Docker@2`` task
(``build``, ``buildAndPush``). A build whose every output is files or nothing, not an
image (``docker buildx build --output type=local,dest=dist``, ``-o out``, ``type=tar``,
``type=cacheonly``; ``outputs: type=local,...`` of the actions), makes nothing to scan and
is not counted; nor is one that only prints or checks (``docker buildx bake --print``,
``--list``, ``--check``, ``--call check``; ``call: check`` of ``docker/build-push-action``),
nor one whose result stays in the build cache: ``docker/build-push-action`` with none of
``push``, ``load`` and ``outputs`` in a file that sets up a buildx builder
(``docker/setup-buildx-action``), ``docker buildx build`` for several platforms without
``--push``/``--load``, ``depot build`` and Depot's actions without them (Depot keeps the
result on its builder), kaniko with ``--no-push`` and no ``--tar-path``. A build command
written as text (an ``echo``/``printf`` argument, a heredoc's body) is not a build.
A scan anywhere in the same file counts for every build
in it, since a scan job usually ``needs:`` the build job: Trivy
(``aquasecurity/trivy-action`` with its default ``scan-type: image``, not ``fs``,
``repo`` or ``config``, which scan the checkout; ``trivy image``), Grype (``anchore/scan-action``,
``grype``), Snyk (``snyk/actions/docker``, ``snyk container test``), Docker Scout
(``docker/scout-action``, ``docker scout cves``), Anchore, Clair, GitLab's
``Container-Scanning`` and ``Auto-DevOps`` templates and ``container_scanning`` job,
a reusable workflow whose file name says ``scan`` or ``security``, and CircleCI orbs of
these scanners. The steps of a local composite action (``uses: ./.github/actions/build``,
its ``action.yml``) count as steps of the workflow that uses it: a build there is reported
at the ``uses``, and a scan there counts. Builds hidden in scripts (``make image``) are not seen. A scan that
runs in another file (a scheduled workflow) is declared with
``# noqa: DPH801 <reason>`` on the build's line.

## DPH801 unscanned-image-build
### What it does
Reports a step that builds a container image in a CI file in which no step scans an
image for known vulnerabilities (at the build command or action).
### Why is this bad?
Base images and Python wheels ship with known CVEs; without a scan in the pipeline,
images are pushed and deployed without anyone seeing them. A scan also fails the build
when a fix is available, which keeps base images fresh. No peer linter checks the CI
side (see the landscape notes); Trivy and Scout scan images, but only when called.
### Example
```yaml
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: docker/build-push-action@v6
        with:
          tags: ghcr.io/acme/app:${{ github.sha }}
          push: true
```
### Use instead
```yaml
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: docker/build-push-action@v6
        with:
          tags: ghcr.io/acme/app:${{ github.sha }}
          load: true
      - uses: aquasecurity/trivy-action@0.28.0
        with:
          image-ref: ghcr.io/acme/app:${{ github.sha }}
          exit-code: "1"
          severity: CRITICAL,HIGH
```
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, NamedTuple

from hooks._cli import run_hook
from hooks._findings import ERROR, SYNTAX_ERROR, Finding, Rule
from hooks._hook import Hook
from hooks._patterns import lazy

if TYPE_CHECKING:
    from yaml.nodes import Node

    from hooks._files import Repo

UNSCANNED_IMAGE_BUILD = Rule(
    "DPH801", "unscanned-image-build", ERROR,
    "A CI pipeline builds a container image and no step scans it for vulnerabilities.",
)
RULES = (UNSCANNED_IMAGE_BUILD,)

# Keys whose values are shell commands (a string, or a list of strings, nested lists too).
COMMAND_KEYS = frozenset({
    "run", "script", "before_script", "after_script", "command", "commands", "bash", "sh",
    "pwsh", "powershell", "inlinescript", "inline",
})
# Keys whose values name an action, pipe, task, orb, template or image.
REFERENCE_KEYS = frozenset({
    "uses", "pipe", "task", "orbs", "template", "component", "include", "file", "local", "remote",
    "project", "image",
})
_SEP = r"(?:[ \t]|\\\r?\n)+"
_OPTS = rf"(?:{_SEP}-\S+(?:{_SEP}[^-\s]\S*)??)*"  # options before the sub-command
_END = r"(?![\w-])"
_BUILD_COMMANDS = (
    ("docker compose build", lazy(rf"\bdocker(?:{_SEP}compose|-compose){_OPTS}{_SEP}build{_END}")),
    ("docker buildx bake", lazy(rf"\bdocker{_OPTS}{_SEP}buildx{_SEP}bake{_END}")),
    ("docker build", lazy(
        rf"\bdocker{_OPTS}{_SEP}(?:buildx{_SEP}(?:build|b|bake)|image{_SEP}build|builder{_SEP}build|build){_END}"
    )),
    ("kaniko", lazy(r"/kaniko/executor" + _END)),
    ("depot build", lazy(rf"\bdepot{_OPTS}{_SEP}(?:build|bake){_END}")),
    ("buildah build", lazy(rf"\bbuildah{_OPTS}{_SEP}(?:bud|build(?:-using-dockerfile)?){_END}")),
    ("podman build", lazy(rf"\bpodman{_OPTS}{_SEP}(?:image{_SEP})?build{_END}")),
)
_BUILD_ACTION_RE = lazy(
    r"^(?:docker/build-push-action|docker/bake-action|depot/build-push-action|depot/bake-action"
    r"|redhat-actions/buildah-build)(?:@|$)", re.I
)
_DOCKER_TASK_RE = lazy(r"^Docker@\d+$", re.I)
_SETUP_BUILDX_RE = lazy(r"\buses:\s*['\"]?docker/setup-buildx-action\b", re.I)
# An ``--output``/``-o`` option of a build command, up to the end of the command.
_OUTPUT_OPTION_RE = lazy(r"(?:^|[ \t])(?:--output|-o)(?:=|[ \t]+)(\"[^\"]*\"|'[^']*'|[^\s;&|]+)")
# Options with which a build command builds nothing: bake's ``--print``/``--list`` show the
# definition, ``--check`` and ``--call check|outline|targets`` only evaluate the Dockerfile.
_NO_BUILD_OPTION_RE = lazy(r"(?:^|[ \t])(?:--print|--list(?:=\S*)?|--check|--call(?:=|[ \t]+)(?!build\b)\S+)(?=\s|$)")
_HEREDOC_RE = lazy(r"<<(-?)[ \t]*['\"]?([A-Za-z_][A-Za-z0-9_]*)['\"]?")
_COMMAND_END_RE = lazy(r"(?<!\\)\n|[;&|]")
# A build for several platforms (``--platform linux/amd64,linux/arm64``), and the options
# that export its result as an image.
_PLATFORMS_RE = lazy(r"(?:^|[ \t])--platform(?:=|[ \t]+)['\"]?[^\s,'\"]+,")
_EXPORT_OPTION_RE = lazy(r"(?:^|[ \t])(?:--push|--load)(?=\s|=|$)")
_SCAN_COMMAND_RE = lazy(
    rf"(?<![\w.:/-])(?:[\w.:-]*/)*(?:trivy\b[^\n;&|]{{0,200}}?{_SEP}(?:image|i){_END}|grype{_END}"
    rf"|snyk{_SEP}container{_SEP}(?:test|monitor){_END}"
    rf"|docker{_SEP}scout{_SEP}(?:cves|quickview|qv|recommendations|compare){_END}"
    r"|anchorectl\b|anchore-cli\b|clair-scanner\b|clairctl\b|sysdig-cli-scanner\b"
    rf"|gtcs{_SEP}scan\b|twistcli{_SEP}images{_SEP}scan\b|wizcli{_SEP}docker{_SEP}scan\b"
    rf"|jf{_SEP}docker{_SEP}scan\b)"
)
_SCAN_REFERENCE_RE = lazy(
    r"(?i)trivy|grype|anchore(?!/sbom-action)|snyk/actions/docker|snyk/scan|snyk-scan|docker/scout"
    r"|scout-action|container[-_ ]?scan|auto-devops|clair|neuvector|sysdig|twistcli"
    r"|microsoftsecuritydevops|prisma-cloud-scan|lw-scanner|wizcli|wiz-cli"
)
# A reusable workflow (``uses: ./.github/workflows/image-scan.yml``) whose name says it scans.
_SCAN_WORKFLOW_RE = lazy(r"(?i)(?:scan|security|vuln)[^/]*\.ya?ml(?:@|$)")
_SCAN_KEY_RE = lazy(r"(?i)^(?:container[_-]?scanning|(?:trivy|grype|anchore|snyk)(?:[/_-].*)?)$")


class Build(NamedTuple):
    offset: int  # in the file's text
    label: str


def _kind(node: Node) -> str:
    """'scalar', 'sequence' or 'mapping' (the node classes' ``id``)."""
    return str(getattr(node, "id", ""))


def _lines(text: str) -> list[int]:
    starts = [0]
    pos = text.find("\n")
    while pos >= 0:
        starts.append(pos + 1)
        pos = text.find("\n", pos + 1)
    return starts


def _in_comment(raw: str, offset: int) -> bool:
    """Whether ``offset`` of a script is inside a shell comment."""
    start = raw.rfind("\n", 0, offset) + 1
    return bool(re.search(r"(?:^|\s)#", raw[start:offset]))


def _scalars(node: Node) -> Iterator[Node]:
    """The scalar nodes of a command value: a string, or a list of them (nested lists too)."""
    stack = [node]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if _kind(current) == "scalar":
            yield current
        elif _kind(current) == "sequence":
            stack.extend(reversed(current.value))


def _walk(root: Node, text: str, builds: list[Build], local: list[tuple[int, str]] | None = None) -> bool:
    """Collect the builds under ``root`` (and in ``local`` the local actions its steps use:
    offset, ``./path``); return whether a scan was seen."""
    buildx = _SETUP_BUILDX_RE.search(text) is not None
    scanned = False
    stack: list[Node] = [root]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue  # an alias: walked once, wherever it is used
        seen.add(id(node))
        if _kind(node) == "sequence":
            stack.extend(reversed(node.value))
            continue
        if _kind(node) != "mapping":
            continue
        pairs = [(k.value if _kind(k) == "scalar" else "", k, v) for k, v in node.value]
        for key, key_node, value in pairs:
            name = str(key).lower()
            if _SCAN_KEY_RE.match(str(key)):
                scanned = True
            if name in COMMAND_KEYS:
                for scalar in _scalars(value):
                    scanned |= _commands(scalar, text, builds)
            elif name in REFERENCE_KEYS:
                for scalar in _scalars(value):
                    ref = str(scalar.value).strip()
                    if _SCAN_REFERENCE_RE.search(ref) or (name == "uses" and _SCAN_WORKFLOW_RE.search(ref)):
                        scanned = scanned or not _scans_no_image(ref, pairs)
                    elif name == "uses" and _BUILD_ACTION_RE.match(ref):
                        if _action_exports_files(pairs, buildx or ref.lower().startswith("depot/")):
                            continue
                        builds.append(Build(scalar.start_mark.index, ref.split("@", 1)[0]))
                    elif name == "task" and _DOCKER_TASK_RE.match(ref) and _docker_task_builds(pairs):
                        builds.append(Build(scalar.start_mark.index, f"task '{ref}'"))
                    elif name == "uses" and local is not None and ref.startswith("./") and not ref.endswith(
                        (".yml", ".yaml")
                    ):
                        local.append((scalar.start_mark.index, ref))
            if _kind(key_node) != "scalar":
                stack.append(key_node)
            stack.append(value)
    return scanned


def _scans_no_image(ref: str, pairs: Sequence[tuple[str, Node, Node]]) -> bool:
    """A scanner action told to scan something else than an image: trivy-action's
    ``scan-type: fs``, ``repo``, ``config``, ``rootfs`` or ``sbom`` (its default is
    ``image``)."""
    if not ref.lower().startswith("aquasecurity/trivy-action"):
        return False
    for key, _, value in pairs:
        if key == "with" and _kind(value) == "mapping":
            for k, v in value.value:
                if _kind(k) == "scalar" and k.value == "scan-type" and _kind(v) == "scalar":
                    kind = str(v.value).strip().lower()
                    return kind not in ("", "image") and "${{" not in kind  # an expression may say image
    return False


def _exports_files(outputs: Sequence[str]) -> bool:
    """Whether every build output in ``outputs`` (``type=local,dest=out``, ``out``) writes
    files, or nothing, rather than an image: BuildKit's ``local``, ``tar`` and ``cacheonly``
    exporters, or a bare destination path (``-o out``, ``-o -``: the local or tar exporter)."""
    specs = [spec.strip().strip("\"'") for spec in outputs if spec.strip()]
    if not specs:
        return False
    for spec in specs:
        fields = dict(field.partition("=")[::2] for field in spec.split(","))
        kind = fields.get("type")
        if kind is None and "=" in spec:
            return False  # attributes without a type: the exporter is not known
        if kind is not None and kind.strip().lower() not in ("local", "tar", "cacheonly"):
            return False
    return True


def _action_exports_files(pairs: Sequence[tuple[str, Node, Node]], buildx: bool) -> bool:
    """A build action that makes no image: ``with: outputs:`` names only file exporters,
    or ``with: call:`` only evaluates the Dockerfile (``check``, ``outline``, ``targets``);
    or, on a builder that ``docker/setup-buildx-action`` made (``buildx``: its result stays
    in the build cache unless exported), none of ``push``, ``load`` and ``outputs`` is set:
    a check that the image still builds."""
    given: dict[str, str] = {}
    for key, _, value in pairs:
        if key == "with" and _kind(value) == "mapping":
            for k, v in value.value:
                if _kind(k) != "scalar" or _kind(v) != "scalar":
                    continue
                given[str(k.value)] = str(v.value).strip()
                if k.value == "outputs" and _exports_files(str(v.value).splitlines()):
                    return True
                if k.value == "call" and str(v.value).strip().lower() not in ("", "build"):
                    return True
    exported = any(given.get(name, "false").lower() not in ("false", "") for name in ("push", "load", "outputs"))
    return buildx and not exported


def _docker_task_builds(pairs: Sequence[tuple[str, Node, Node]]) -> bool:
    """An Azure Docker@2 task builds unless its command says otherwise (default buildAndPush)."""
    for key, _, value in pairs:
        if key == "inputs" and _kind(value) == "mapping":
            for k, v in value.value:
                if _kind(k) == "scalar" and k.value == "command" and _kind(v) == "scalar":
                    return str(v.value).strip().lower() in ("build", "buildandpush")
    return True


def _commands(scalar: Node, text: str, builds: list[Build]) -> bool:
    """Record the builds in one command scalar; return whether it scans."""
    start, end = scalar.start_mark.index, scalar.end_mark.index
    raw = text[start:end]
    if not raw:
        return False
    scans = any(not _in_comment(raw, m.start()) for m in _SCAN_COMMAND_RE.finditer(raw))
    found: dict[int, str] = {}
    bodies: list[tuple[int, int]] | None = None  # of the heredocs, when a build is found
    for label, pattern in _BUILD_COMMANDS:  # 'docker compose build' first: it is no 'docker build'
        for match in pattern.finditer(raw):
            if match.start() not in found and not _in_comment(raw, match.start()):
                if bodies is None:
                    bodies = _heredoc_bodies(raw) if "<<" in raw else []
                if _in_text(raw, match.start(), bodies):
                    builds_image = False
                elif label == "kaniko":
                    builds_image = not _kaniko_keeps_nothing(raw, match.end())
                elif label == "depot build":  # Depot keeps the result on its builder unless exported
                    builds_image = _exports_image(raw, match.end())
                else:
                    exports = label not in ("docker build", "docker buildx bake")
                    builds_image = exports or not _no_image(raw, match.end())
                found[match.start()] = label if builds_image else ""
    builds.extend(Build(start + offset, label) for offset, label in found.items() if label)
    return scans


def _exports_image(raw: str, after: int) -> bool:
    """Whether the build command that goes on at ``after`` pushes or loads its image."""
    end = _COMMAND_END_RE.search(raw, after)
    command = raw[after:end.start() if end else len(raw)]
    outputs = [match.group(1) for match in _OUTPUT_OPTION_RE.finditer(command)]
    return bool(_EXPORT_OPTION_RE.search(command)) or (bool(outputs) and not _exports_files(outputs))


def _kaniko_keeps_nothing(raw: str, after: int) -> bool:
    """kaniko with ``--no-push`` and no ``--tar-path``: the image is built and dropped."""
    end = _COMMAND_END_RE.search(raw, after)
    command = raw[after:end.start() if end else len(raw)]
    return re.search(r"(?:^|\s)--no-push(?=\s|=|$)", command) is not None and "--tar-path" not in command


def _in_text(raw: str, offset: int, bodies: list[tuple[int, int]]) -> bool:
    """Whether ``offset`` of a script is text, not a command: an argument of ``echo`` or
    ``printf`` on its line, or in one of the heredoc ``bodies`` (:func:`_heredoc_bodies`)."""
    start = raw.rfind("\n", 0, offset) + 1
    if re.match(r"\s*(?:echo|printf)\b", raw[start:offset]):
        return True
    return any(begin <= offset < end for begin, end in bodies)


def _heredoc_bodies(raw: str) -> list[tuple[int, int]]:
    """(start, end) of the body of each heredoc of a script (``cat <<EOF ... EOF``): from
    the line after its ``<<WORD`` up to its delimiter line, or to the end."""
    bodies: list[tuple[int, int]] = []
    pos = 0
    for heredoc in _HEREDOC_RE.finditer(raw):
        if heredoc.start() < pos:
            continue  # inside a body already found
        body = raw.find("\n", heredoc.end())
        if body < 0:
            break
        close = re.compile(rf"^[ \t]*{re.escape(heredoc.group(2))}[ \t]*$", re.MULTILINE).search(raw, body + 1)
        end = close.start() if close else len(raw)
        bodies.append((body + 1, end))
        pos = end
    return bodies


def _no_image(raw: str, after: int) -> bool:
    """Whether the build command that goes on at ``after`` makes no image: it exports only
    files (``--output``), or only prints or checks (``--print``, ``--check``, ``--call check``)."""
    end = _COMMAND_END_RE.search(raw, after)
    command = raw[after:end.start() if end else len(raw)]
    if _NO_BUILD_OPTION_RE.search(command):
        return True
    outputs = [match.group(1) for match in _OUTPUT_OPTION_RE.finditer(command)]
    if not outputs and not _EXPORT_OPTION_RE.search(command) and _PLATFORMS_RE.search(command):
        return True  # several platforms and no --push/--load: the result stays in the build cache
    return _exports_files(outputs)


def _advice(path: str) -> str:
    if "/workflows/" in f"/{path}":
        return ("add a step that scans the image, e.g. 'uses: aquasecurity/trivy-action' with "
                "'image-ref' (or anchore/scan-action, docker/scout-action)")
    if "gitlab-ci" in path:
        return ("include the 'Jobs/Container-Scanning.gitlab-ci.yml' template with CS_IMAGE set to the image "
                "this job pushes, in a stage after the build, or run 'trivy image' or 'grype' on the image in "
                "a later job")
    return "add a step that scans it, e.g. 'trivy image <image>', 'grype <image>' or 'docker scout cves <image>'"


def _syntax_error(path: str, text: str, exc: Exception) -> Finding:
    """DPH904 at the error's position. Only the parser's description of the problem is
    shown, never the snippet of the line (it could hold a secret)."""
    from yaml import MarkedYAMLError
    from yaml.reader import ReaderError

    line, col = 1, 1
    problem = "the file is nested too deeply to read" if isinstance(exc, RecursionError) else "invalid YAML"
    if isinstance(exc, MarkedYAMLError):
        problem = exc.problem or exc.context or problem
        mark = exc.problem_mark or exc.context_mark
        if mark is not None:
            line, col = mark.line + 1, mark.column + 1
    elif isinstance(exc, ReaderError):
        problem = "a character that YAML does not allow"
        line, col = _position(_lines(text), exc.position)
    return SYNTAX_ERROR.at(path, line, col, f"YAML syntax error: {problem}; the CI system cannot read this file")


def _position(starts: list[int], index: int) -> tuple[int, int]:
    line = bisect_right(starts, index)
    return line, index - starts[line - 1] + 1


Reader = Callable[[str], "str | None"]  # the text of a file by its repository path, None when unreadable
MAX_ACTION_DEPTH = 4  # local actions that use local actions


def _documents(text: str) -> list[Node]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return [doc for doc in yaml.compose_all(text, Loader=loader) if doc is not None]


def _local_action(ref: str, read: Reader, depth: int = 0) -> tuple[list[str], bool]:
    """(labels of the builds, whether it scans) of the local composite action ``ref``
    (``./.github/actions/build``: its ``action.yml``), and of the local actions it uses."""
    import yaml

    directory = ref[2:].rstrip("/")
    for name in ("action.yml", "action.yaml"):
        text = read(f"{directory}/{name}" if directory else name)
        if text is None:
            continue
        try:
            documents = _documents(text.removeprefix("\ufeff"))
        except (yaml.YAMLError, RecursionError):
            return [], False  # reported when the action file itself is checked
        builds: list[Build] = []
        local: list[tuple[int, str]] = []
        scanned = any(_walk(doc, text, builds, local) for doc in documents if _kind(doc) == "mapping")
        labels = [f"{build.label}' in '{directory}/{name}" for build in builds]
        for _offset, inner in local if depth < MAX_ACTION_DEPTH else ():
            inner_labels, inner_scans = _local_action(inner, read, depth + 1)
            labels += inner_labels
            scanned = scanned or inner_scans
        return labels, scanned
    return [], False


def check(path: str, text: str, read: Reader | None = None) -> list[Finding]:
    """DPH801 on one CI configuration file (``path`` decides only the advice given);
    ``read`` reads the local actions its steps use (``uses: ./.github/actions/build``)."""
    import yaml

    text = text.removeprefix("\ufeff")
    try:
        documents = _documents(text)
    except (yaml.YAMLError, RecursionError) as exc:
        return [_syntax_error(path, text, exc)]
    builds: list[Build] = []
    local: list[tuple[int, str]] = []
    scanned = False
    for doc in documents:
        if _kind(doc) == "mapping":
            scanned |= _walk(doc, text, builds, local)
    for offset, ref in local:
        labels, scans = _local_action(ref, read) if read is not None else ([], False)
        scanned = scanned or scans
        builds += [Build(offset, label) for label in labels]
    if scanned:
        return []
    starts = _lines(text)
    findings: list[Finding] = []
    for build in sorted(set(builds)):
        line, col = _position(starts, build.offset)
        findings.append(UNSCANNED_IMAGE_BUILD.at(
            path, line, col,
            f"'{build.label}' builds a container image, but no step in this file scans it for "
            f"vulnerabilities; {_advice(path)}",
        ))
    return findings


def _reader(repo: Repo) -> Reader:
    """Reads a file by its path from the repository root, as ``uses: ./path`` names it."""
    import os

    return lambda rel: repo.optional_text(os.path.join(repo.root, rel))


HOOK = Hook(
    id="check-ci-image-scan", doc=__doc__ or "", rules=RULES,
    ci=lambda path, text, ctx: check(path, text, _reader(ctx.repo)),
)


def main(argv: Sequence[str] | None = None) -> int:
    return run_hook(HOOK, argv)


if __name__ == "__main__":
    raise SystemExit(main())
