from __future__ import annotations

import json
from pathlib import Path

import jsonschema  # type: ignore[import-untyped]  # no stubs; a test-only requirement
import pytest

from hooks._findings import ERROR, INFO, WARNING, Finding, Rule
from hooks._output import github_command, render, sarif_log, statistics
from tests.conftest import Writer

SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
DOCS = "https://github.com/docker-python-hooks/docker-python-hooks/blob/main/docs/rules.md"

UNTAGGED = Rule("DPH201", "untagged-base-image", ERROR, "The base image has no tag.")
LISTS = Rule("DPH504", "apt-lists-not-removed", WARNING, "apt lists stay in the layer.")
LAYERS = Rule("DPH304", "consecutive-run", INFO, "Consecutive RUN instructions.")

ODD = LISTS.at("odd dir/100%:a,b.txt", 3, 7, "50% done: a, b\r\nnext ✓ line")
PLAIN = UNTAGGED.at("Dockerfile", 1, 6, "base image 'python' has no tag")
NOTE = LAYERS.at("Dockerfile", 4, 1, "merge it")


def test_text_is_unchanged_and_sorted() -> None:
    assert render([NOTE, PLAIN, PLAIN], "text") == (
        "Dockerfile:1:6: DPH201 base image 'python' has no tag\n"
        "Dockerfile:4:1: DPH304 merge it\n"
    )
    assert render([], "text") == ""


def test_json_exact() -> None:
    ended = PLAIN._replace(end_line=2, end_col=3)
    assert json.loads(render([ODD, ended], "json")) == [
        {
            "path": "Dockerfile", "line": 1, "column": 6, "end_line": 2, "end_column": 3,
            "code": "DPH201", "name": "untagged-base-image", "severity": "error",
            "message": "base image 'python' has no tag", "url": f"{DOCS}#dph201-untagged-base-image",
        },
        {
            "path": "odd dir/100%:a,b.txt", "line": 3, "column": 7, "end_line": None, "end_column": None,
            "code": "DPH504", "name": "apt-lists-not-removed", "severity": "warning",
            "message": "50% done: a, b\r\nnext ✓ line", "url": f"{DOCS}#dph504-apt-lists-not-removed",
        },
    ]
    # Unicode is written as such, not as \\u escapes; meta rules link to their list.
    text = render([ODD, Finding("x", 1, 1, "DPH901", "m", "unreadable-file")], "json")
    assert "✓" in text
    assert f'"url": "{DOCS}#meta-rules"' in text
    assert render([], "json") == "[]\n"


def test_github_escaping_exact(tmp_path: Path) -> None:
    root = str(tmp_path)
    out = render([ODD, PLAIN, NOTE], "github", root=root, base=str(tmp_path / "sub"))
    assert out == (
        "::error file=sub/Dockerfile,line=1,col=6,title=DPH201::base image 'python' has no tag\n"
        "::notice file=sub/Dockerfile,line=4,col=1,title=DPH304::merge it\n"
        "::warning file=sub/odd dir/100%25%3Aa%2Cb.txt,line=3,col=7,title=DPH504"
        "::50%25 done: a, b%0D%0Anext ✓ line\n"
    )


def test_github_end_position() -> None:
    ended = PLAIN._replace(end_line=1, end_col=12)
    assert github_command(ended, "Dockerfile") == (
        "::error file=Dockerfile,line=1,col=6,endLine=1,endColumn=12,title=DPH201"
        "::base image 'python' has no tag\n"
    )


def test_gitlab_exact(tmp_path: Path) -> None:
    twice = PLAIN._replace(line=9)
    report = json.loads(render([ODD, PLAIN, twice], "gitlab", root=str(tmp_path), base=str(tmp_path)))

    import hashlib

    def fp(*parts: str) -> str:
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    assert report == [
        {
            "description": "DPH201 base image 'python' has no tag", "check_name": "DPH201",
            "fingerprint": fp("Dockerfile", "DPH201", "base image 'python' has no tag", "0"),
            "severity": "major", "location": {"path": "Dockerfile", "lines": {"begin": 1}},
        },
        {
            "description": "DPH201 base image 'python' has no tag", "check_name": "DPH201",
            "fingerprint": fp("Dockerfile", "DPH201", "base image 'python' has no tag", "1"),
            "severity": "major", "location": {"path": "Dockerfile", "lines": {"begin": 9}},
        },
        {
            "description": "DPH504 50% done: a, b\r\nnext ✓ line", "check_name": "DPH504",
            "fingerprint": fp("odd dir/100%:a,b.txt", "DPH504", "50% done: a, b\r\nnext ✓ line", "0"),
            "severity": "minor", "location": {"path": "odd dir/100%:a,b.txt", "lines": {"begin": 3}},
        },
    ]
    # The fingerprint does not depend on the line: moving a finding keeps its identity.
    moved = json.loads(render([PLAIN._replace(line=5)], "gitlab", root=str(tmp_path), base=str(tmp_path)))
    assert moved[0]["fingerprint"] == report[0]["fingerprint"]


def test_statistics() -> None:
    assert statistics([PLAIN, PLAIN._replace(line=9), NOTE, ODD]) == (
        "2  DPH201  untagged-base-image\n"
        "1  DPH304  consecutive-run\n"
        "1  DPH504  apt-lists-not-removed\n"
    )
    assert json.loads(statistics([NOTE], "json")) == [{"code": "DPH304", "name": "consecutive-run", "count": 1}]
    assert statistics([]) == ""
    with pytest.raises(ValueError, match="text or json"):
        statistics([NOTE], "sarif")


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        render([PLAIN], "xml")


def _validate(log: object) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()).validate(log)


def test_sarif_validates_and_has_what_code_scanning_reads(tmp_path: Path) -> None:
    from hooks._registry import all_rules

    rules = sorted(all_rules().values())
    text = render([ODD, PLAIN, NOTE], "sarif", root=str(tmp_path), base=str(tmp_path / "sub"), rules=rules)
    log = json.loads(text)
    _validate(log)
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "docker-python-hooks"
    assert driver["informationUri"] == "https://github.com/docker-python-hooks/docker-python-hooks"
    assert driver["version"]
    ids = [rule["id"] for rule in driver["rules"]]
    assert ids == [rule.code for rule in rules]
    by_id = {rule["id"]: rule for rule in driver["rules"]}
    untagged = by_id["DPH201"]
    assert untagged["name"] == "untagged-base-image"
    assert untagged["shortDescription"] == {"text": all_rules()["DPH201"].summary}
    assert untagged["fullDescription"]["text"].startswith("Reports an image with neither a tag nor a digest.")
    assert "## Use instead" in untagged["help"]["markdown"]
    assert untagged["defaultConfiguration"] == {"level": "error"}
    assert by_id["DPH304"]["defaultConfiguration"] == {"level": "note"}
    assert by_id["DPH901"]["fullDescription"] == {"text": all_rules()["DPH901"].summary}
    results = run["results"]
    assert [(r["ruleId"], ids[r["ruleIndex"]], r["level"]) for r in results] == [
        ("DPH201", "DPH201", "error"), ("DPH304", "DPH304", "note"), ("DPH504", "DPH504", "warning"),
    ]
    assert results[2]["message"] == {"text": "50% done: a, b\r\nnext ✓ line"}
    assert results[2]["locations"] == [{"physicalLocation": {
        "artifactLocation": {"uri": "sub/odd%20dir/100%25%3Aa%2Cb.txt", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 3, "startColumn": 7},
    }}]


def test_sarif_without_results_and_with_an_undeclared_rule(tmp_path: Path) -> None:
    empty = sarif_log([], [UNTAGGED], str(tmp_path), str(tmp_path), sections={})
    _validate(empty)
    assert empty["runs"][0]["results"] == []
    stray = sarif_log([NOTE._replace(end_line=5, end_col=2)], [UNTAGGED], str(tmp_path), str(tmp_path), sections={})
    _validate(stray)
    rules = stray["runs"][0]["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == ["DPH201", "DPH304"]
    assert stray["runs"][0]["results"][0]["ruleIndex"] == 1
    region = stray["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 4, "startColumn": 1, "endLine": 5, "endColumn": 2}


def test_sarif_schema_rejects_a_broken_log(tmp_path: Path) -> None:
    """The vendored schema is strict enough to catch what code scanning would refuse."""
    log = sarif_log([PLAIN], [UNTAGGED], str(tmp_path), str(tmp_path), sections={})
    log["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError, match="'fatal' is not one of"):
        _validate(log)
    log = sarif_log([PLAIN], [UNTAGGED], str(tmp_path), str(tmp_path), sections={})
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    with pytest.raises(jsonschema.ValidationError, match="less than the minimum"):
        _validate(log)


def test_explain_by_code_and_by_name() -> None:
    from hooks._output import explain

    text = explain("dph201")
    assert text is not None
    assert explain("untagged-base-image") == text
    assert text.startswith(
        "DPH201 untagged-base-image (error)\n\nAn image has no tag and no digest.\n\n"
        "Hook: check-base-image-pinned (and docker-python-hooks check)\n\n"
        "Options (command line / pyproject.toml):\n"
        "- `--require-digest` / `require-digest = true`: require an @sha256: digest on every image\n"
        "- `--target NAME` / `target = \"NAME\"`: the stage that is shipped (default: the last)\n\n"
        "## What it does\n\nReports an image with neither a tag nor a digest. Overlaps hadolint DL3006.\n\n"
        "## Why is this bad?\n\n"
    )
    assert "## Example\n\n```dockerfile\nFROM python\n```" in text
    assert text.endswith(f"## Use instead\n\n```dockerfile\nFROM python:3.12-slim-bookworm\n```\n\n"
                         f"Documentation: {DOCS}#dph201-untagged-base-image\n")
    assert explain("DPH903") == (
        "DPH903 unused-suppression (warning)\n\nA suppression comment matched no finding of the rules that ran.\n\n"
        "## What it does\n\nRaised by every hook's shared machinery (a meta rule).\n\n"
        f"Documentation: {DOCS}#meta-rules\n"
    )
    assert explain("DPH999") is None


def test_formats_from_the_command_line(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    from hooks import check_base_image_pinned
    from hooks.__main__ import main

    path = write("odd dir/x%,y.Dockerfile", "FROM python\n")
    assert check_base_image_pinned.main(["--format", "github", path]) == 1
    assert capsys.readouterr().out == (
        "::error file=odd dir/x%25%2Cy.Dockerfile,line=1,col=6,title=DPH201"
        "::base image 'python' has no tag; pin it, e.g. 'python:3.12-slim-trixie'\n"
    )
    assert check_base_image_pinned.main(["--format", "json", "--exit-zero", path]) == 0
    assert json.loads(capsys.readouterr().out) == [{
        "path": "odd dir/x%,y.Dockerfile", "line": 1, "column": 6, "end_line": None, "end_column": None,
        "code": "DPH201", "name": "untagged-base-image", "severity": "error",
        "message": "base image 'python' has no tag; pin it, e.g. 'python:3.12-slim-trixie'",
        "url": f"{DOCS}#dph201-untagged-base-image",
    }]
    assert main(["check", "--format", "sarif", "--select", "DPH201", "."]) == 1
    log = json.loads(capsys.readouterr().out)
    _validate(log)
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
            for r in log["runs"][0]["results"]] == [("DPH201", "odd%20dir/x%25%2Cy.Dockerfile")]
    assert main(["check", "--format", "gitlab", "--statistics", "."]) == 2
    assert main(["check", "--format", "json", "--statistics", "--select", "DPH201", "."]) == 1
    assert json.loads(capsys.readouterr().out) == [{"code": "DPH201", "name": "untagged-base-image", "count": 1}]
    assert main(["check", "--format", "text", "--select", "DPH3", "--ignore", "DPH9", "."]) == 0
    assert main(["explain", "untagged-base-image"]) == 0
    assert capsys.readouterr().out.startswith("DPH201 untagged-base-image (error)\n")
    assert main(["explain", "DPH999"]) == 2
    assert capsys.readouterr() == ("", "docker-python-hooks explain: no rule has the code or name 'DPH999'\n")


def test_explain_lists_the_hooks_options() -> None:
    from hooks._output import explain

    text = explain("DPH207")
    assert text is not None
    assert (
        "Hook: check-base-image-pinned (and docker-python-hooks check)\n\n"
        "Options (command line / pyproject.toml):\n"
        "- `--require-digest` / `require-digest = true`: require an @sha256: digest on every image\n"
        "- `--target NAME` / `target = \"NAME\"`: the stage that is shipped (default: the last)\n\n"
        "## What it does\n"
    ) in text
