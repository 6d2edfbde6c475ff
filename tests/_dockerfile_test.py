from __future__ import annotations

import pytest

from hooks._dockerfile import healthcheck_command, parse

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
def test_healthcheck_command(line: str, expected: tuple[int, tuple[str, ...] | None] | None) -> None:
    instr = parse(f"FROM a\n{line}\n").instructions[1]
    assert healthcheck_command(instr) == expected
