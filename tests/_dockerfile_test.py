from __future__ import annotations

import pytest

from hooks._dockerfile import healthcheck_probe, parse

ENTRYPOINT_CMD = [
    pytest.param("FROM a\n", (None, None), id="none"),
    pytest.param("FROM a\nCMD x\nCMD y\n", (None, 3), id="last-cmd"),
    pytest.param("FROM a AS b\nCMD x\nFROM b\n", (None, 2), id="cmd-inherited"),
    pytest.param(
        "FROM a AS b\nCMD x\nFROM b\nENTRYPOINT y\n", (4, None), id="entrypoint-clears-inherited-cmd",
    ),
    pytest.param("FROM a AS b\nCMD x\nFROM b\nENTRYPOINT y\nCMD z\n", (4, 5), id="cmd-after-entrypoint"),
    pytest.param("FROM a\nCMD x\nENTRYPOINT y\n", (3, 2), id="same-stage-cmd-kept"),
    pytest.param("FROM a AS b\nENTRYPOINT y\nFROM b\nCMD x\n", (2, 4), id="entrypoint-inherited"),
    pytest.param("FROM a\nCMD x\nFROM c\n", (None, None), id="unrelated-stage"),
    pytest.param("FROM a\nONBUILD CMD x\n", (None, None), id="onbuild-not-executed"),
]


@pytest.mark.parametrize(("text", "expected"), ENTRYPOINT_CMD)
def test_entrypoint_cmd(text: str, expected: tuple[int | None, int | None]) -> None:
    df = parse(text)
    entrypoint, cmd = df.entrypoint_cmd(df.stages[-1])
    lines = (
        None if entrypoint is None else entrypoint.start_line,
        None if cmd is None else cmd.start_line,
    )
    assert lines == expected


HEALTHCHECK = [
    pytest.param("HEALTHCHECK NONE", None, id="none"),
    pytest.param("HEALTHCHECK --interval=5s", None, id="no-cmd"),
    pytest.param("HEALTHCHECK --interval=5s CMD curl -f http://x/", (4, None), id="shell-form"),
    pytest.param('healthcheck cmd  ["python", "-c", "1"]', (5, ("python", "-c", "1")), id="exec-form"),
    pytest.param('HEALTHCHECK CMD ["curl"] || exit 1', (4, None), id="broken-exec-form"),
]


@pytest.mark.parametrize(("line", "expected"), HEALTHCHECK)
def test_healthcheck_probe(line: str, expected: tuple[int, tuple[str, ...] | None] | None) -> None:
    instr = parse(f"FROM a\n{line}\n").instructions[1]
    assert healthcheck_probe(instr.args) == expected


JSON_FORMS = [
    pytest.param('["python", "app.py"]', ("python", "app.py"), id="plain"),
    pytest.param('[ "a" ,"b" ]  ', ("a", "b"), id="blanks"),
    pytest.param("[]", (), id="empty"),
    pytest.param('[""]', ("",), id="empty-string"),
    pytest.param('["caf\u00e9", "\u6f22"]', ("caf\u00e9", "\u6f22"), id="unicode"),
    pytest.param('["a\\"b", "c\\\\d", "\\u0041"]', ('a"b', "c\\d", "A"), id="escapes"),
    pytest.param('["a",]', None, id="trailing-comma"),
    pytest.param('["a" "b"]', None, id="no-comma"),
    pytest.param('["a", 1]', None, id="number"),
    pytest.param('["a", NaN]', None, id="constant"),
    pytest.param('["a"] x', None, id="extra"),
    pytest.param('["a\tb"]', None, id="control-character"),
    pytest.param("['a']", None, id="single-quotes"),
    pytest.param('["a", ["b"]]', None, id="nested"),
    pytest.param('["a"', None, id="unclosed"),
]


@pytest.mark.parametrize(("text", "expected"), JSON_FORMS)
def test_json_array(text: str, expected: tuple[str, ...] | None) -> None:
    from hooks._dockerfile import parse_json_array

    assert parse_json_array(text) == expected




def test_stage_triggers_and_steps() -> None:
    df = parse(
        "FROM python:3.12-slim AS base\nARG V=1\nONBUILD RUN pip install \\\n    flask\n"
        "RUN echo $V\nONBUILD COPY . /app\nFROM base\nRUN true\n"
    )
    base, child = df.stages
    run, copy = base.triggers()
    assert (run.keyword, run.args, run.stage, run.start_line, run.end_line) == (
        "RUN", "pip install     flask", 0, 3, 4,
    )
    assert run.args_position(0) == (3, 13)
    assert run.args_position(run.args.index("flask")) == (4, 5)
    assert run.lookup("V") is not None
    assert (copy.keyword, copy.position(0)) == ("COPY", (6, 9))
    assert [i.keyword for i in base.steps()] == ["ARG", "ONBUILD", "RUN", "ONBUILD", "RUN", "COPY"]
    assert child.triggers() == ()
    assert child.steps() == tuple(child.instructions)


def test_parsing_exec_forms() -> None:
    df = parse('FROM a\nRUN ["pip", "install", "x"]\nCMD ["python", "app.py"]\n')
    assert [i.json for i in df.instructions] == [None, ("pip", "install", "x"), ("python", "app.py")]


@pytest.mark.parametrize(
    ("text", "shipped"),
    [
        pytest.param("FROM a AS production\nFROM production AS dev\n", "production", id="dev-last"),
        pytest.param("FROM a AS base\nFROM base AS app\nFROM app AS Test\nFROM app AS lint\n", "app", id="two-test"),
        pytest.param("FROM a AS dev\n", "dev", id="only-a-dev-stage"),
        pytest.param("FROM a AS dev\nFROM b\n", None, id="unnamed-last"),
        pytest.param("FROM a AS build\nFROM b AS docs\n", "docs", id="other-names-ship"),
        pytest.param("FROM a AS django\nFROM django AS django-unittests\n", "django", id="test-suffix"),
        pytest.param("FROM a AS app\nFROM app AS app_dev\n", "app", id="dev-suffix"),
        pytest.param("FROM a AS production\nFROM production AS local\n", "production", id="local"),
        pytest.param("FROM a AS build\nFROM b AS cuda-devel\n", "cuda-devel", id="cuda-devel-ships"),
        pytest.param("FROM a AS app\nFROM app AS latest\n", "latest", id="parts-are-whole-words"),
    ],
)
def test_final_stage_skips_a_last_dev_or_test_stage(text: str, shipped: str | None) -> None:
    df = parse(text)
    final = df.final_stage()
    assert final is not None and final.name == shipped
    assert df.final_stage("dev" if "AS dev" in text else None) is not None
