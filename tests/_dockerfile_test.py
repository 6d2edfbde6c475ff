from __future__ import annotations

import pytest

from hooks._dockerfile import parse

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
