from __future__ import annotations

from hooks._dockerfile import parse
from hooks._findings import Finding
from hooks._suppress import Suppression, apply, dockerfile_suppressions, requirements_suppressions
from hooks.check_non_root_user import MISSING_USER, ROOT_USER

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
        Suppression("Dockerfile", 3, 15, ("DPH402", "missing-user"), 6, 6, (15, 23)),
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
