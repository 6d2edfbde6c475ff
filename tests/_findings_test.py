from __future__ import annotations

import io

from hooks._findings import ERROR, META_RULES, Finding, Rule, report, unknown_target

RULE = Rule("DPH999", "example-rule", ERROR, "An example.")


def test_rule_at_carries_identity_and_clamps_positions() -> None:
    finding = RULE.at("Dockerfile", 0, -3, "message", end_line=2, end_col=7)
    assert finding == Finding("Dockerfile", 1, 1, "DPH999", "message", "example-rule", ERROR, 2, 7)
    assert finding.render() == "Dockerfile:1:1: DPH999 message"


def test_report_sorts_dedupes_and_sets_exit_code() -> None:
    stream = io.StringIO()
    findings = [
        RULE.at("b/Dockerfile", 1, 1, "z"),
        RULE.at("a/Dockerfile", 10, 2, "y"),
        RULE.at("a/Dockerfile", 2, 5, "x"),
        RULE.at("a/Dockerfile", 2, 5, "x"),
    ]
    assert report(findings, stream) == 1
    assert stream.getvalue() == (
        "a/Dockerfile:2:5: DPH999 x\n"
        "a/Dockerfile:10:2: DPH999 y\n"
        "b/Dockerfile:1:1: DPH999 z\n"
    )


def test_report_clean_prints_nothing() -> None:
    stream = io.StringIO()
    assert report([], stream) == 0
    assert stream.getvalue() == ""


def test_meta_rules_are_dph9xx_with_kebab_names() -> None:
    for rule in META_RULES:
        assert rule.code.startswith("DPH9")
        assert rule.name == rule.name.lower() and " " not in rule.name


def test_unknown_target() -> None:
    assert unknown_target("Dockerfile", None) == []
    (finding,) = unknown_target("Dockerfile", "prod")
    assert (finding.code, finding.message) == (
        "DPH905", "no stage named 'prod' (from --target); check the stage name"
    )
