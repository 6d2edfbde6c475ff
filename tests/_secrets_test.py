from __future__ import annotations

import time

import pytest

from hooks._secrets import find_credentials, mask_secrets

GH = "ghp_" + "Ab1" * 12
PASSWORD = "hunter" + "2hunter2"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(f"https://ci:{PASSWORD}@pypi.example.com/simple", [(0, "https://ci:****@pypi.example.com")],
                     id="url"),
        pytest.param(f"x=git+https://u:{PASSWORD}@git.example.com:8443/r.git",
                     [(2, "git+https://u:****@git.example.com:8443")], id="vcs-url-with-port"),
        pytest.param(f"redis://:{PASSWORD}@cache:6379/0", [(0, "redis://:****@cache:6379")], id="empty-user"),
        pytest.param(f"https://u:p@ss{PASSWORD}@h/", [(0, "https://u:****@h")], id="at-sign-in-password"),
        pytest.param(f"https://{GH}@github.com/o/r", [(8, "ghp_****")], id="token-as-user-no-password"),
        pytest.param(f"https://{GH}:x-oauth-basic@github.com", [(0, "https://****:****@github.com")],
                     id="token-user-masked"),
        pytest.param("github_pat_" + "A1b2" * 20, [(0, "github_pat_****")], id="fine-grained-pat"),
        pytest.param("xoxb-" + "12345-" * 4, [(0, "xoxb-****")], id="slack"),
        pytest.param("https://hooks.slack.com/services/T0000/B0000/" + "x" * 24,
                     [(0, "https://hooks.slack.com/services/****")], id="slack-webhook"),
        pytest.param("key=AIza" + "S" * 35, [(4, "AIza****")], id="google"),
        pytest.param("sk-proj-" + "a" * 40, [(0, "sk-****")], id="openai"),
        pytest.param("-----BEGIN OPENSSH PRIVATE KEY-----", [(0, "-----BEGIN OPENSSH PRIVATE KEY-----")],
                     id="private-key"),
        pytest.param("-----BEGIN PGP PRIVATE KEY BLOCK-----", [(0, "-----BEGIN PGP PRIVATE KEY BLOCK-----")],
                     id="pgp-private-key"),
    ],
)
def test_found(text: str, expected: list[tuple[int, str]]) -> None:
    assert [(c.start, c.masked) for c in find_credentials(text)] == expected


@pytest.mark.parametrize(
    "text",
    [
        "https://u:${TOKEN}@h/", "https://u:$TOKEN@h/", "https://${U}:${P}@h", "https://u:<password>@h",
        "https://u:{password}@h", "https://u:****@h", "git+ssh://git@github.com/o/r.git", "http://h:8080/p@x",
        "AKIAIOSFODNN7EXAMPLE", "9://u:pw@h", "ghp_short", "-----BEGIN PUBLIC KEY-----", "mailto:a:b@c", "://a:b@c",
        "ENV TOKENIZERS_PARALLELISM=false",
    ],
)
def test_not_found(text: str) -> None:
    assert find_credentials(text) == []


def test_mask_secrets() -> None:
    text = f"--index-url https://ci:{PASSWORD}@pypi.example.com/simple --token {GH}"
    assert mask_secrets(text) == "--index-url https://ci:****@pypi.example.com/simple --token ghp_****"


@pytest.mark.parametrize(
    "line",
    [
        "a.a." * 15000 + "://",
        "://" * 20000,
        "x://u:" + "p" * 60000,
        "xoxb-" * 12000,
        "hf_" + "a" * 60000 + "_",
        "-----BEGIN " + "A " * 30000,
    ],
)
def test_hostile_lines_are_linear(line: str) -> None:
    start = time.perf_counter()
    find_credentials(line)
    assert time.perf_counter() - start < 2.0


def test_mask_secrets_in_requirement_urls() -> None:
    assert mask_secrets("https://user:s3cret@x/simple") == "https://user:****@x/simple"
    assert mask_secrets("https://ghp_token@github.com/x") == "https://****@github.com/x"
    assert mask_secrets("git+ssh://git@github.com/x") == "git+ssh://git@github.com/x"
    assert mask_secrets("https://${USER}:${PASS}@x") == "https://${USER}:${PASS}@x"
    assert mask_secrets("no url here") == "no url here"


@pytest.mark.parametrize(("text", "kinds"), [
    ("--extra-index-url https://pypi.fury.io/k5dkW3vdnCQkNNDrJd3y/acme/", ["Gemfury token"]),
    ("pip install -i https://k5dkW3vdnCQkNNDrJd3y@pypi.fury.io/acme/ app", ["Gemfury token"]),
    ("--extra-index-url https://pypi.fury.io/acme-corporation-private/", []),  # an account name
    ("--extra-index-url https://${FURY_TOKEN}@pypi.fury.io/acme/", []),
])
def test_gemfury_tokens(text: str, kinds: list[str]) -> None:
    assert [c.kind for c in find_credentials(text)] == kinds
    assert "k5dkW3vdnCQkNNDrJd3y" not in mask_secrets(text)
