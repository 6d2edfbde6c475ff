"""No hook prints a secret (issue 5): every rule over files full of credentials, and
no credential, nor a long piece of one, in the output."""
from __future__ import annotations

import pytest

from hooks.__main__ import check_paths
from hooks._findings import ERROR, Rule, report
from hooks._secrets import mask_secrets
from tests.conftest import Writer

PASSWORD = "hunter" + "2hunter2"
GH = "ghp_" + "Ab1" * 12
PYPI = "pypi-AgEIcHlwaS5vcmc" + "Q1" * 30
URL = f"https://u:{PASSWORD}@h.example.com/"

DOCKERFILE = f"""\
FROM python:3.12 AS build
ARG TOKEN={GH}
ENV A=1 {GH}
ENV B {URL}
ENV C={URL} # {GH}
{GH} x
FROM ghcr.io/u:{PASSWORD}@x AS other
FROM build
COPY --from={URL}x.tar / /
RUN ["pip", "install", "{URL}x-1.0.tar.gz"
RUN pip install {GH} {URL} git+{URL}o/r.git && apt-get install -y curl {PYPI}
USER {URL}
HEALTHCHECK CMD ["curl", "{URL}"]
CMD python app.py {URL} {GH}
ENTRYPOINT python -m x --token {GH}
LABEL x={URL}
"""
REQUIREMENTS = f"""\
{GH}
-e {URL}
--find-links {URL} --bogus
--extra-index-url={URL} foo
pkg==1 --hash=sha256:{GH}
{URL}x.whl
-c {URL}c.txt
-r {URL}r.txt
requests>=2 @ {URL}x.whl
git+{URL}o/r.git
{PYPI}
"""
WORKFLOW = f"""\
jobs:
  a:
    steps:
      - run: docker build --build-arg TOKEN={GH} .
        env: {{PASSWORD: {PASSWORD}}}
      - run: {URL}
    - bad
"""


def _fragments(secret: str) -> list[str]:
    return [secret[i:i + 12] for i in range(0, len(secret) - 11, 4)]


def test_no_hook_prints_a_secret(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    write("Dockerfile", DOCKERFILE)
    write("app.Dockerfile", DOCKERFILE.replace("\n", "\r\n"))
    write("requirements.txt", REQUIREMENTS)
    write("requirements/dev.txt", "-r ../requirements.txt\n" + REQUIREMENTS)
    write(".github/workflows/ci.yml", WORKFLOW)
    write(".gitlab-ci.yml", WORKFLOW.replace("    - bad\n", ""))
    assert report(check_paths(["."])) == 1
    out = capsys.readouterr().out
    assert out.count("\n") > 20
    for secret in (PASSWORD, GH, PYPI):
        for piece in _fragments(secret):
            assert piece not in out, f"{piece!r} printed"


def test_every_message_is_masked_when_made() -> None:
    rule = Rule("DPH999", "x", ERROR, "x")
    message = rule.at("f", 1, 1, f"see '{URL}' and '{GH[:20]}...'").message
    assert message == "see 'https://u:****@h.example.com/' and 'ghp_****...'"
    assert mask_secrets("npm_config_cache hf_transfer ghp_****") == "npm_config_cache hf_transfer ghp_****"
