from __future__ import annotations

import pytest

from hooks._dockerfile import parse
from hooks._findings import Finding
from hooks._images import UNTAGGED
from hooks._suppress import (
    FOREIGN,
    Suppression,
    apply,
    dockerfile_suppressions,
    foreign_codes,
    requirements_suppressions,
)
from hooks.check_non_root_user import MISSING_USER, ROOT_USER
from tests.conftest import Writer

ACTIVE = {"DPH401", "DPH402"}


def test_dockerfile_comment_covers_next_instruction() -> None:
    df = parse(
        "# dph: global ignore=DPH501\n"
        "FROM python:3.12-slim\n"
        "# dph: ignore=DPH402, missing-user  reason here\n"
        "\n"
        "# unrelated comment\n"
        "USER root\n"
        "RUN a \\\n"
        "  # dph: ignore=DPH101\n"
        "  b\n"
        "# dph: ignore=DPH402\n"
    )
    assert dockerfile_suppressions(df) == [
        Suppression("Dockerfile", 1, 22, ("DPH501",), 0, 0, (22,)),
        Suppression("Dockerfile", 3, 15, ("DPH402", "missing-user"), 6, 6, (15, 23), "reason here"),
        Suppression("Dockerfile", 8, 17, ("DPH101",), 7, 9, (17,)),
        Suppression("Dockerfile", 10, 15, ("DPH402",), -1, -1, (15,)),
    ]


def test_apply_filters_and_reports_unknown_and_unused() -> None:
    df = parse(
        "FROM python:3.12-slim\n"
        "# dph: ignore=DPH402,DPH7777\n"
        "USER root\n"
        "# dph: ignore=DPH401\n"
        "RUN true\n"
    )
    findings = [
        ROOT_USER.at("Dockerfile", 3, 6, "root"),
        MISSING_USER.at("Dockerfile", 1, 1, "missing"),
    ]
    kept = apply(findings, dockerfile_suppressions(df), ACTIVE)
    assert sorted((f.line, f.col, f.code, f.message) for f in kept) == [
        (1, 1, "DPH401", "missing"),
        (2, 22, "DPH902", "unknown code or rule name 'DPH7777' in suppression; "
         "see the README for the list of rules"),
        (4, 15, "DPH903", "suppression of DPH401 matched nothing in the next instruction; remove it"),
    ]


def test_unused_only_for_rules_that_ran() -> None:
    df = parse("# dph: ignore=DPH402\nFROM python\n")
    assert apply([], dockerfile_suppressions(df), {"DPH401"}) == []


def test_global_ignore_of_meta_codes() -> None:
    df = parse("# dph: global ignore=DPH903,DPH401\nFROM python:3.12-slim\nUSER app\n")
    assert apply([], dockerfile_suppressions(df), ACTIVE) == []


def test_requirements_noqa_covers_logical_line() -> None:
    lines = [
        "flask>=2 \\", "    --hash=sha256:abc  # noqa: DPH101", "django  #noqa:DPH101,DPH104", "x # no qa",
    ]
    sups = requirements_suppressions("requirements.txt", lines, [(1, 2), (3, 3), (4, 4)])
    assert sups == [
        Suppression("requirements.txt", 2, 32, ("DPH101",), 1, 2, (32,)),
        Suppression("requirements.txt", 3, 15, ("DPH101", "DPH104"), 3, 3, (15, 22)),
    ]
    finding = Finding("requirements.txt", 1, 1, "DPH401", "x")
    other = Finding("constraints.txt", 1, 1, "DPH401", "x")
    sups = [s._replace(codes=("DPH401",), cols=(s.col,)) for s in sups]
    assert apply([finding, other], sups, {"DPH401"}) == [
        other,
        Finding("requirements.txt", 3, 15, "DPH903",
                "suppression of DPH401 matched nothing in the line it annotates; remove it",
                "unused-suppression", "warning"),
    ]


# Reasons, and --require-reason.

@pytest.mark.parametrize(("comment", "reason"), [
    pytest.param('# dph: ignore=DPH201 reason="vendor image, pinned by digest in CI"',
                 "vendor image, pinned by digest in CI", id="quoted"),
    pytest.param("# dph: ignore=DPH201 reason='single quotes'", "single quotes", id="single-quoted"),
    pytest.param("# dph: ignore=DPH201 REASON = bare words", "bare words", id="bare"),
    pytest.param("# dph: ignore=DPH201,DPH402  base pinned in CI", "base pinned in CI", id="free-text"),
    pytest.param("# dph: ignore=DPH201", "", id="none"),
    pytest.param('# dph: ignore=DPH201 reason=""', "", id="empty"),
])
def test_reason(comment: str, reason: str) -> None:
    (sup,) = dockerfile_suppressions(parse(f"{comment}\nFROM python\n"))
    assert sup.reason == reason


def test_require_reason_reports_ours_only() -> None:
    df = parse(
        "# dph: global ignore=DPH501\n"
        "# hadolint ignore=DL3006\n"
        "FROM python\n"
        '# dph: ignore=DPH402 reason="entrypoint drops privileges"\n'
        "USER root\n"
    )
    findings = [UNTAGGED.at("Dockerfile", 3, 6, "untagged"), ROOT_USER.at("Dockerfile", 5, 6, "root")]
    kept = apply(findings, dockerfile_suppressions(df), {"DPH201", "DPH402"}, require_reason=True)
    assert [(f.line, f.col, f.code, f.message) for f in kept] == [
        (1, 22, "DPH906", 'suppression gives no reason; add one after the codes, e.g. reason="pinned by digest in CI"'),
    ]
    assert apply(findings, dockerfile_suppressions(df), {"DPH201", "DPH402"}) == []
    lines = ["flask>=2  # noqa: DPH101", "django>=4  # noqa: DPH101 constraints pin it"]
    sups = requirements_suppressions("requirements.txt", lines, [(1, 1), (2, 2)])
    assert [s.reason for s in sups] == ["", "constraints pin it"]
    found = [Finding("requirements.txt", n, 1, "DPH101", "x") for n in (1, 2)]
    assert [(f.line, f.code) for f in apply(found, sups, {"DPH101"}, require_reason=True)] == [(1, "DPH906")]


# Other tools' comments.

FOREIGN_FILE = (
    "# check=skip=JSONArgsRecommended;error=true\n"
    "# checkov:skip=CKV_DOCKER_2:workers have no HTTP endpoint\n"
    "# hadolint global ignore=DL3059\n"
    "# hadolint ignore=DL3006,DL3008\n"
    "FROM python\n"
    "#trivy:ignore:AVD-DS-0002 trivy:ignore:DS017\n"
    "USER root\n"
    "RUN pip install x\n"
    "RUN pip install y\n"
    "# check=skip=LegacyKeyValueFormat\n"
    "ENV A 1\n"
    "ENV B 2\n"
    "CMD python app.py\n"
)


def test_foreign_comments_parsed() -> None:
    assert dockerfile_suppressions(parse(FOREIGN_FILE)) == [
        Suppression("Dockerfile", 1, 14, ("JSONArgsRecommended",), 0, 0, (14,), "", "buildkit"),
        Suppression("Dockerfile", 2, 16, ("CKV_DOCKER_2",), 0, 0, (16,), "workers have no HTTP endpoint", "checkov"),
        Suppression("Dockerfile", 3, 26, ("DL3059",), 0, 0, (26,), "", "hadolint"),
        Suppression("Dockerfile", 4, 19, ("DL3006", "DL3008"), 5, 5, (19, 26), "", "hadolint"),
        Suppression("Dockerfile", 6, 15, ("AVD-DS-0002",), 7, 7, (15,), "", "trivy"),
        Suppression("Dockerfile", 6, 40, ("DS017",), 7, 7, (40,), "", "trivy"),
        Suppression("Dockerfile", 10, 14, ("LegacyKeyValueFormat",), 11, 11, (14,), "", "buildkit"),
    ]


def test_foreign_comments_silence_the_rules_we_map() -> None:
    df = parse(FOREIGN_FILE)
    findings = [
        Finding("Dockerfile", 5, 6, "DPH201", "untagged"),  # hadolint DL3006
        Finding("Dockerfile", 5, 1, "DPH601", "no healthcheck"),  # checkov CKV_DOCKER_2, file-wide
        Finding("Dockerfile", 7, 6, "DPH402", "root"),  # trivy DS-0002
        Finding("Dockerfile", 9, 1, "DPH304", "consecutive"),  # hadolint global DL3059
        Finding("Dockerfile", 11, 1, "DPH606", "legacy"),  # check=skip before this ENV
        Finding("Dockerfile", 12, 1, "DPH606", "legacy"),  # ... not this one
        Finding("Dockerfile", 13, 1, "DPH605", "shell form"),  # the check directive, file-wide
        Finding("Dockerfile", 8, 1, "DPH107", "unpinned"),  # nothing silences it
    ]
    active = {"DPH201", "DPH601", "DPH402", "DPH304", "DPH606", "DPH605", "DPH107", "DPH505"}
    kept = apply(findings, dockerfile_suppressions(df), active)
    assert [(f.line, f.code) for f in kept] == [(12, "DPH606"), (8, "DPH107")]


def test_foreign_stale_only_when_strict() -> None:
    df = parse(
        "# hadolint ignore=DL3006,DL3008,SC2086\n"
        "FROM python:3.12-slim\n"
        "# trivy:ignore:DS-0017\n"
        "RUN true\n"
        "# check=skip=all\n"
        "CMD [\"python\"]\n"
        "# checkov:skip=CKV_DOCKER_8\n"
    )
    active = {"DPH201", "DPH505", "DPH605", "DPH606", "DPH607", "DPH701", "DPH208", "DPH209"}
    sups = dockerfile_suppressions(df)
    assert apply([], sups, active) == []  # not ours to judge
    assert [(f.line, f.col, f.code, f.message) for f in apply([], sups, active, strict_foreign=True)] == [
        (1, 19, "DPH903", "hadolint suppression of DL3006 (DPH201 here) matched nothing in the next instruction"),
        (3, 16, "DPH903", "trivy suppression of DS-0017 (DPH505 here) matched nothing in the next instruction"),
        (5, 14, "DPH903", "buildkit suppression of all (DPH208, DPH209, DPH605, DPH606, DPH607, DPH701 here) "
                          "matched nothing in the next instruction"),
    ]  # CKV_DOCKER_8 maps to DPH402, which did not run; DL3008 and SC2086 are not mapped


def test_foreign_code_spellings() -> None:
    assert foreign_codes("trivy", "DS-0002") == ("DPH401", "DPH402")
    assert foreign_codes("trivy", "avd-ds-0002") == ("DPH401", "DPH402")
    assert foreign_codes("trivy", "DS002") == ("DPH401", "DPH402")
    assert foreign_codes("trivy", "AVD-AWS-0089") == ()
    assert foreign_codes("hadolint", "dl3006") == ("DPH201",)
    assert foreign_codes("hadolint", "DL3008") == ()
    assert foreign_codes("checkov", "CKV_DOCKER_3") == ("DPH401",)
    assert foreign_codes("buildkit", "fromascasing") == ("DPH607",)
    assert foreign_codes("buildkit", "StageNameCasing") == ()


def test_every_mapped_code_is_a_rule_whose_doc_names_the_overlap() -> None:
    """The mapping follows the rule docs: each of our codes exists, and for hadolint the
    rule's documentation names the hadolint code it overlaps."""
    from hooks._docs import hook_docs
    from hooks._registry import all_rules

    rules = all_rules()
    docs = {doc.rule.code: "\n".join(doc.sections.values()) for hook in hook_docs() for doc in hook.rules}
    for tool, table in FOREIGN.items():
        for theirs, ours in table.items():
            assert ours, (tool, theirs)
            for code in ours:
                assert code in rules, (tool, theirs, code)
            if tool in ("hadolint", "buildkit"):  # Trivy's and Checkov's codes: from their check titles
                assert any(theirs.lower() in docs[code].lower() for code in ours), (theirs, ours)


def test_buildkit_directive_without_skip() -> None:
    assert dockerfile_suppressions(parse("# check=error=true\nFROM python:3.12-slim\n")) == []


QUIET = (
    "# check=skip=FromAsCasing\n"
    "# checkov:skip=CKV_DOCKER_8:the entrypoint drops root with gosu\n"
    "# hadolint global ignore=DL3059,DL3008\n"
    "# hadolint ignore=DL3006\n"
    "FROM python AS build\n"
    'RUN pip wheel --no-cache-dir -w /w "flask==3.0.3"\n'
    "\n"
    "FROM python:3.12-slim-bookworm as runtime\n"
    "# check=skip=LegacyKeyValueFormat\n"
    "ENV PYTHONDONTWRITEBYTECODE 1\n"
    "ENV PYTHONUNBUFFERED=1\n"
    "# trivy:ignore:DS-0017\n"
    "RUN apt-get update\n"
    "#trivy:ignore:AVD-DS-0029\n"
    "RUN apt-get install -y curl\n"
    "COPY --from=build /w /w\n"
    "USER root\n"
    "# check=skip=JSONArgsRecommended\n"
    "CMD python -m app\n"
)


def test_a_dockerfile_with_other_tools_suppressions_is_quiet(
    write: Writer, capsys: pytest.CaptureFixture[str],
) -> None:
    from hooks import check_dockerfile_pitfalls, check_non_root_user
    from hooks.__main__ import main

    path = write("Dockerfile", QUIET)
    assert main(["check", "."]) == 0
    assert main(["check", "--strict-foreign", "."]) == 0  # each of them silenced something
    assert check_non_root_user.main([path]) == 0
    assert check_dockerfile_pitfalls.main([path]) == 0
    assert capsys.readouterr().out == ""
    assert main(["check", "--disable-suppressions", "."]) == 1
    shown = [line.split(" ", 2)[:2] for line in capsys.readouterr().out.splitlines()]
    assert shown == [
        ["Dockerfile:5:6:", "DPH201"], ["Dockerfile:8:32:", "DPH607"], ["Dockerfile:10:5:", "DPH606"],
        ["Dockerfile:13:5:", "DPH505"], ["Dockerfile:15:1:", "DPH304"], ["Dockerfile:15:5:", "DPH503"],
        ["Dockerfile:17:6:", "DPH402"], ["Dockerfile:19:5:", "DPH605"],
    ]


def test_buildkit_directive_alone_and_require_reason(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    from hooks import check_dockerfile_pitfalls

    path = write("Dockerfile", "# check=skip=all\nFROM python:3.12-slim-bookworm as app\nCMD python app.py\n")
    assert check_dockerfile_pitfalls.main([path]) == 0
    path = write("Dockerfile", "FROM python:3.12-slim-bookworm\n# dph: ignore=DPH605\nCMD python app.py\n")
    assert check_dockerfile_pitfalls.main([path]) == 0
    assert check_dockerfile_pitfalls.main(["--require-reason", path]) == 1
    assert capsys.readouterr().out == (
        "Dockerfile:2:15: DPH906 suppression gives no reason; add one after the codes, "
        'e.g. reason="pinned by digest in CI"\n'
    )


@pytest.mark.parametrize(("comment", "codes", "reason"), [
    pytest.param("# checkov:skip=CKV_DOCKER_3:runs as root", ("CKV_DOCKER_3",), "runs as root", id="reason"),
    pytest.param("# checkov:skip=CKV_DOCKER_3: spaced reason", ("CKV_DOCKER_3",), "spaced reason", id="spaced"),
    pytest.param("# checkov:skip=CKV_DOCKER_3", ("CKV_DOCKER_3",), "", id="bare"),
    pytest.param("# checkov:skip=CKV_DOCKER_3 trailing words", ("CKV_DOCKER_3",), "", id="trailing"),
    pytest.param("# hadolint ignore=DL3006, DL3002 legacy base", ("DL3006", "DL3002"), "legacy base", id="hadolint"),
])
def test_foreign_spellings(comment: str, codes: tuple[str, ...], reason: str) -> None:
    (sup,) = dockerfile_suppressions(parse(f"{comment}\nFROM python\n"))
    assert (sup.codes, sup.reason) == (codes, reason)
