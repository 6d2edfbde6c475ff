from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from hooks.check_ci_image_scan import check, main
from tests.conftest import Writer

GHA = ".github/workflows/ci.yml"
GITLAB = ".gitlab-ci.yml"
AZURE = "azure-pipelines.yml"
BITBUCKET = "bitbucket-pipelines.yml"
CIRCLE = ".circleci/config.yml"

GHA_ADVICE = (
    "add a step that scans the image, e.g. 'uses: aquasecurity/trivy-action' with 'image-ref' "
    "(or anchore/scan-action, docker/scout-action)"
)
GITLAB_ADVICE = (
    "include the 'Jobs/Container-Scanning.gitlab-ci.yml' template with CS_IMAGE set to the image this job "
    "pushes, in a stage after the build, or run 'trivy image' or 'grype' on the image in a later job"
)
OTHER_ADVICE = "add a step that scans it, e.g. 'trivy image <image>', 'grype <image>' or 'docker scout cves <image>'"


def _msg(label: str, advice: str) -> str:
    return (
        f"'{label}' builds a container image, but no step in this file scans it for vulnerabilities; {advice}"
    )


def _yaml(problem: str) -> str:
    return f"YAML syntax error: {problem}; the CI system cannot read this file"


PASS = [
    pytest.param(GHA, """\
name: ci
on: [push]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: docker/build-push-action@v6
        with:
          push: true
          tags: ghcr.io/acme/app:${{ github.sha }}
  scan:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - uses: aquasecurity/trivy-action@0.28.0
        with:
          image-ref: ghcr.io/acme/app:${{ github.sha }}
""", id="gha-build-push-and-trivy-in-another-job"),
    pytest.param(GHA, """\
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - run: |
          docker build -t app:ci .
          docker run --rm -v /var/run/docker.sock:/var/run/docker.sock aquasec/trivy:0.57.0 image --exit-code 1 app:ci
""", id="gha-trivy-through-docker-run"),
    pytest.param(GHA, """\
jobs:
  image:
    steps:
      - run: docker buildx build --load -t app .
      - uses: anchore/scan-action@v6
        with: {image: app}
""", id="gha-grype-action"),
    pytest.param(GHA, """\
jobs:
  build:
    steps:
      - uses: docker/build-push-action@v6
  security:
    uses: ./.github/workflows/image-scan.yml
""", id="gha-reusable-scan-workflow"),
    pytest.param(GHA, """\
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: pip install -r requirements.txt && pytest
      - name: docker build is mentioned in a name only
        run: echo "no image here"
      - run: |
          # docker build -t app .
          make lint
""", id="gha-no-build"),
    pytest.param(GITLAB, """\
include:
  - template: Jobs/Container-Scanning.gitlab-ci.yml
build:
  image: docker:27
  services: [docker:27-dind]
  script:
    - docker build -t $CI_REGISTRY_IMAGE:$CI_COMMIT_SHA .
    - docker push $CI_REGISTRY_IMAGE:$CI_COMMIT_SHA
""", id="gitlab-container-scanning-template"),
    pytest.param(GITLAB, """\
include:
  - template: Auto-DevOps.gitlab-ci.yml
""", id="gitlab-auto-devops"),
    pytest.param(GITLAB, """\
.docker: &docker
  image: gcr.io/kaniko-project/executor:debug
build:
  <<: *docker
  script:
    - !reference [.setup, script]
    - /kaniko/executor --context $CI_PROJECT_DIR --destination $IMAGE
container_scanning:
  variables:
    CS_IMAGE: $IMAGE
""", id="gitlab-kaniko-and-container-scanning-job-override"),
    pytest.param(GITLAB, """\
build:
  script: docker compose -f compose.ci.yml build
scan:
  image: {name: anchore/grype:latest, entrypoint: [""]}
  script: grype $IMAGE --fail-on high
""", id="gitlab-compose-and-grype"),
    pytest.param(AZURE, """\
steps:
  - task: Docker@2
    inputs: {command: login, containerRegistry: acr}
  - script: docker scout cves app:latest --exit-code
""", id="azure-docker-login-only-and-scout"),
    pytest.param(BITBUCKET, """\
pipelines:
  default:
    - step:
        services: [docker]
        script:
          - docker build -t app .
          - pipe: snyk/snyk-scan:1.0.0
            variables: {IMAGE_NAME: app, LANGUAGE: docker}
""", id="bitbucket-snyk-pipe"),
    pytest.param(CIRCLE, """\
version: 2.1
orbs:
  trivy: signavio/trivy@1.0.0
jobs:
  build:
    docker: [{image: cimg/base:current}]
    steps:
      - setup_remote_docker
      - run:
          name: build
          command: podman build -t app .
""", id="circleci-trivy-orb"),
    pytest.param(GHA, """\
jobs:
  wheels:
    steps:
      - run: docker buildx build --target wheels --output type=local,dest=dist .
      - run: |
          docker build -o out . && echo built
          docker buildx build \\
            --output "type=tar,dest=rootfs.tar" .
      - uses: docker/build-push-action@v6
        with:
          target: artifacts
          outputs: |
            type=local,dest=out
""", id="builds-that-export-files-make-no-image"),
    pytest.param(GHA, """\
jobs:
  lint:
    steps:
      - run: echo "matrix=$(docker buildx bake --print | jq -c .)" >> "$GITHUB_OUTPUT"
      - run: docker buildx bake --list targets && docker buildx build --check . && docker build --call=outline .
      - uses: docker/build-push-action@v6
        with:
          call: check
""", id="print-list-and-check-make-no-image"),
    pytest.param(GHA, """\
jobs:
  builds-on-arm:
    runs-on: ubuntu-latest
    steps:
      - uses: docker/setup-buildx-action@v3
      - uses: docker/build-push-action@v6
        with:
          platforms: linux/arm64
          cache-to: type=gha,mode=max
      - uses: docker/build-push-action@v6
        with:
          outputs: type=cacheonly
      - run: docker buildx build --platform linux/amd64,linux/arm64 .
      - run: /kaniko/executor --context . --no-push
""", id="builds-that-export-nothing"),
    pytest.param(GHA, """\
jobs:
  image:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        target: [{type: image, ref: app:ci}, {type: fs, ref: .}]
    steps:
      - uses: docker/build-push-action@v6
        with:
          tags: app:ci
          load: true
      - uses: aquasecurity/trivy-action@0.28.0
        with:
          scan-type: ${{ matrix.target.type }}
          image-ref: ${{ matrix.target.ref }}
""", id="trivy-scan-type-from-an-expression"),
    pytest.param(GHA, """\
jobs:
  hint:
    runs-on: ubuntu-latest
    steps:
      - run: echo "to try it locally, run docker build -t app ."
      - run: |
          cat >> "$GITHUB_STEP_SUMMARY" <<EOF
          Build it with: docker build -t app .
          EOF
""", id="build-command-in-text"),
    pytest.param(GHA, "", id="empty"),
    pytest.param(GHA, "- just\n- a list\n", id="non-mapping-document"),
    pytest.param(GHA, "docker build\n", id="scalar-document"),
]

FAIL = [
    pytest.param(GHA, """\
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: docker/build-push-action@v6
        with:
          push: true
      - run: |
          docker login -u u -p "$P" ghcr.io
          docker buildx build --push -t ghcr.io/a/b .  # build
""", [
        (6, 15, "DPH801", _msg("docker/build-push-action", GHA_ADVICE)),
        (11, 11, "DPH801", _msg("docker build", GHA_ADVICE)),
    ], id="gha-action-and-buildx"),
    pytest.param(GHA, """\
jobs:
  image:
    steps:
      - uses: anchore/sbom-action@v0
      - run: docker --context remote image build -t app .
      - run: "sudo docker-compose -f a.yml build"
""", [
        (5, 14, "DPH801", _msg("docker build", GHA_ADVICE)),
        (6, 20, "DPH801", _msg("docker compose build", GHA_ADVICE)),
    ], id="gha-sbom-is-not-a-scan"),
    pytest.param(GHA, """\
jobs:
  image:
    steps:
      - run: docker buildx build --output type=local,dest=dist . && docker build -t app .
      - run: docker buildx build --output type=image,name=app,push=true .
      - run: docker buildx build -o type=docker .
      - uses: docker/build-push-action@v6
        with:
          outputs: |
            type=local,dest=out
            type=registry
""", [
        (4, 69, "DPH801", _msg("docker build", GHA_ADVICE)),
        (5, 14, "DPH801", _msg("docker build", GHA_ADVICE)),
        (6, 14, "DPH801", _msg("docker build", GHA_ADVICE)),
        (7, 15, "DPH801", _msg("docker/build-push-action", GHA_ADVICE)),
    ], id="gha-image-outputs-still-count"),
    pytest.param(GHA, """\
jobs:
  image:
    steps:
      - run: docker buildx bake --push app
      - run: docker buildx build --call=build -t app .
      - uses: docker/build-push-action@v6
        with:
          call: build
""", [
        (4, 14, "DPH801", _msg("docker buildx bake", GHA_ADVICE)),
        (5, 14, "DPH801", _msg("docker build", GHA_ADVICE)),
        (6, 15, "DPH801", _msg("docker/build-push-action", GHA_ADVICE)),
    ], id="gha-bake-and-call-build"),
    pytest.param(GHA, """\
jobs:
  image:
    steps:
      - run: docker build -t app:ci .
      - uses: aquasecurity/trivy-action@0.28.0
        with:
          scan-type: fs
          scan-ref: .
""", [(4, 14, "DPH801", _msg("docker build", GHA_ADVICE))], id="gha-trivy-fs-scans-the-checkout-not-the-image"),
    pytest.param(GITLAB, """\
include:
  - template: Security/Dependency-Scanning.gitlab-ci.yml
.build: &build
  script:
    - buildah bud -t $IMAGE .
build-a: *build
build-b:
  <<: *build
""", [(5, 7, "DPH801", _msg("buildah build", GITLAB_ADVICE))], id="gitlab-alias-reported-once"),
    pytest.param(AZURE, """\
steps:
  - task: Docker@2
    inputs:
      repository: app
  - task: Docker@2
    inputs:
      command: build
""", [
        (2, 11, "DPH801", _msg("task 'Docker@2'", OTHER_ADVICE)),
        (5, 11, "DPH801", _msg("task 'Docker@2'", OTHER_ADVICE)),
    ], id="azure-docker-task-default-build-and-push"),
    pytest.param(CIRCLE, """\
jobs:
  build:
    steps:
      - run: docker build -t app .
      - run:
          command: >
            podman --remote build -t app .
""", [
        (4, 14, "DPH801", _msg("docker build", OTHER_ADVICE)),
        (7, 13, "DPH801", _msg("podman build", OTHER_ADVICE)),
    ], id="circleci-run-forms"),
    pytest.param(BITBUCKET, "\ufeffpipelines:\r\n  default:\r\n    - step:\r\n        script:\r\n"
                 "          - docker build .\r\n", [
        (5, 13, "DPH801", _msg("docker build", OTHER_ADVICE)),
    ], id="bitbucket-bom-crlf"),
    pytest.param(GHA, """\
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: docker/setup-buildx-action@v3
      - uses: docker/build-push-action@v6
        with:
          push: ${{ github.event_name != 'pull_request' }}
      - run: |
          docker buildx build --platform linux/amd64,linux/arm64 --push -t app .
          /kaniko/executor --context . --no-push --tar-path image.tar
          cat <<EOF > notes.txt
          text
          EOF
          docker build -t app .
""", [
        (6, 15, "DPH801", _msg("docker/build-push-action", GHA_ADVICE)),
        (10, 11, "DPH801", _msg("docker build", GHA_ADVICE)),
        (11, 11, "DPH801", _msg("kaniko", GHA_ADVICE)),
        (15, 11, "DPH801", _msg("docker build", GHA_ADVICE)),
    ], id="builds-that-export-an-image"),
    pytest.param(GHA, "jobs:\n  a: [\n", [
        (3, 1, "DPH904", _yaml("did not find expected node content")),
    ], id="syntax-error"),
    pytest.param(GHA, "a: 1\nb: \x07\n", [
        (2, 4, "DPH904", _yaml("a character that YAML does not allow")),
    ], id="control-character"),
]


@pytest.mark.parametrize(("path", "text"), PASS)
def test_pass(path: str, text: str) -> None:
    assert check(path, text) == []


@pytest.mark.parametrize(("path", "text", "expected"), FAIL)
def test_fail(path: str, text: str, expected: list[tuple[int, int, str, str]]) -> None:
    assert [(f.line, f.col, f.code, f.message) for f in check(path, text)] == expected


def test_syntax_error_never_quotes_the_line() -> None:
    secret = "hunter" + "2hunter2"
    findings = check(GHA, f"env:\n  PASSWORD: {secret}\n  - x\n")
    assert [f.code for f in findings] == ["DPH904"]
    assert secret not in findings[0].message


def test_deep_nesting_and_alias_bombs_are_fast() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(20)
    ) + "jobs: {x: {steps: [{run: docker build .}]}}\n"
    start = time.perf_counter()
    assert [f.code for f in check(GHA, bomb)] == ["DPH801"]
    assert [f.code for f in check(GHA, "[" * 50000 + "]" * 50000)] == ["DPH904"]
    assert [f.code for f in check(GHA, "run: " + "docker -a b " * 20000 + "\n")] == []
    assert time.perf_counter() - start < 5


def test_deep_nesting_in_a_workflow_file_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    """The hook as pre-commit runs it, in its own process: PyYAML 6.0.3's libyaml binding
    overflows the C stack on this file (exit 139, nothing printed); 6.0.4, the floor in
    setup.cfg, stops at libyaml's depth limit of 1000."""
    import yaml

    (tmp_path / ".git").mkdir()
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "x.yml").write_text("[" * 50000 + "]" * 50000 + "\n")
    done = subprocess.run(
        [sys.executable, "-m", "hooks.check_ci_image_scan", ".github/workflows/x.yml"],
        cwd=tmp_path, capture_output=True, text=True, check=False, timeout=60,
    )
    position, problem = (
        ("1:1001", "exceeded maximum nesting depth") if hasattr(yaml, "CSafeLoader")
        else ("1:1", "the file is nested too deeply to read")
    )
    assert (done.returncode, done.stdout, done.stderr) == (
        1, f".github/workflows/x.yml:{position}: DPH904 {_yaml(problem)}\n", ""
    )


def test_pure_python_loader_recursion(monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    monkeypatch.delattr(yaml, "CSafeLoader", raising=False)
    assert [(f.code, f.message) for f in check(GHA, "[" * 5000 + "]" * 5000)] == [
        ("DPH904", _yaml("the file is nested too deeply to read"))
    ]


def test_main(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(GITLAB, "include:\n  - template: Jobs/Container-Scanning.gitlab-ci.yml\n")
    bad = write(GHA, "jobs:\n  i:\n    steps:\n      - run: docker build .\n")
    binary = write(".github/workflows/bin.yml", b"\xff\xfe")
    assert main([good]) == 0
    assert main([good, bad, binary]) == 1
    assert capsys.readouterr().out == (
        f".github/workflows/bin.yml:1:1: DPH901 cannot decode file as UTF-8 (invalid byte at offset 0, line 1)\n"
        f".github/workflows/ci.yml:4:14: DPH801 {_msg('docker build', GHA_ADVICE)}\n"
    )


def test_noqa_on_the_build_line(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    text = (
        "jobs:\n  i:\n    steps:\n"
        "      - run: |\n"
        "          docker build -t app .  # noqa: DPH801 scanned by the nightly workflow\n"
        "      - uses: docker/build-push-action@v6  # noqa: unscanned-image-build\n"
        "      - run: echo hi  # noqa: DPH801\n"
    )
    assert main([write(GHA, text)]) == 1
    assert capsys.readouterr().out == (
        ".github/workflows/ci.yml:7:31: DPH903 suppression of DPH801 matched nothing in the line it annotates; "
        "remove it\n"
    )


def test_documented_example() -> None:
    from hooks import _docs, check_ci_image_scan

    (doc,) = _docs.parse_docstring(check_ci_image_scan.HOOK).rules
    example, fixed = (doc.sections[s].strip().strip("`").removeprefix("yaml\n") for s in ("Example", "Use instead"))
    assert [f.code for f in check(GHA, example)] == ["DPH801"]
    assert check(GHA, fixed) == []


def test_local_composite_action_steps_count(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    write(".github/actions/build-docker/action.yml", (
        "name: build\nruns:\n  using: composite\n  steps:\n"
        "    - uses: docker/bake-action@v5\n      with:\n        push: true\n"
    ))
    workflow = write(".github/workflows/ci.yml", (
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n      - uses: ./.github/actions/build-docker\n"
    ))
    assert main([workflow]) == 1
    assert capsys.readouterr().out.startswith(
        ".github/workflows/ci.yml:7:15: DPH801 'docker/bake-action' in '.github/actions/build-docker/action.yml' "
        "builds a container image, but no step in this file scans it"
    )
    write(".github/actions/scan/action.yaml", (
        "runs:\n  using: composite\n  steps:\n    - uses: aquasecurity/trivy-action@0.28.0\n"
        "      with:\n        image-ref: app:ci\n"
    ))
    write(".github/workflows/ci.yml", Path(workflow).read_text() + "      - uses: ./.github/actions/scan\n")
    assert main([workflow]) == 0
    assert check(workflow, Path(workflow).read_text()) == []  # without a reader, local actions are not read


@pytest.mark.parametrize(("step", "builds"), [
    ("- uses: depot/build-push-action@v1\n        with:\n          push: true", True),
    ("- uses: depot/build-push-action@v1\n        with:\n          platforms: linux/arm64", False),
    ("- run: depot build --push -t app .", True),
    ("- run: depot build -t app .", False),
])
def test_depot_builds(step: str, builds: bool) -> None:
    text = f"on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      {step}\n"
    assert bool(check(".github/workflows/b.yml", text)) == builds
