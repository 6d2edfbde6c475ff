"""Include safety, end to end: ``-r``/``-c`` never lead a hook outside the repository.

Every hook that reads requirements files (and the all-rules command) runs on include
trees built to escape: absolute paths, ``..``, symlinked files and directories, URLs
of every kind, ``${VAR}`` paths, FIFOs, directories, oversized files, self-includes,
cycles, diamonds and 50-deep chains. An audit hook records every file opened: none
may be outside the repository, none opened for writing, and no socket or process
may appear. Cycles are reported exactly once however pre-commit batches the files;
diamonds are not cycles. ``test_random_include_graphs`` does the same on random
include graphs. The model's own rules are tested in ``tests/_requirements_test.py``.
"""
from __future__ import annotations

import importlib
import os
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hooks import __main__ as all_rules
from hooks import _requirements as R
from hooks._files import MAX_BYTES, Repo
from hooks._registry import CHECK_MODULES
from tests.audit import PACKAGE, Recording, inside, recording
from tests.conftest import Writer
from tests.strategies import examples, time_limit

MODULES: list[ModuleType] = [importlib.import_module(f"hooks.{name}") for name in CHECK_MODULES]
REQUIREMENTS_HOOKS = [m for m in MODULES if "requirements" in m.HOOK.kinds]
LINE_RE = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+):(?P<col>\d+): (?P<code>DPH\d{3}) (?P<message>.*)$")


def entry_points() -> list[tuple[str, Callable[[list[str]], int]]]:
    points: list[tuple[str, Callable[[list[str]], int]]] = [(m.__name__, m.main) for m in REQUIREMENTS_HOOKS]
    points.append(("all-rules", lambda argv: all_rules.main(["check", *argv])))
    return points


def run_guarded(
    root: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> dict[str, list[str]]:
    """Every requirements entry point on ``argv``, under the audit recorder; checks that
    nothing outside ``root`` was opened and nothing was written, fetched or started."""
    outputs: dict[str, list[str]] = {}
    for name, main in entry_points():
        main(argv)  # warm-up: lazy imports happen here, not in the recording
        capsys.readouterr()
        with recording() as record, time_limit(60):
            code = main(argv)
        out = capsys.readouterr().out.splitlines()
        assert code == (1 if out else 0)
        opened = [os.path.realpath(path) for path, _ in record.opens()]
        assert os.path.realpath(root / argv[0]) in opened, "the recorder saw nothing"
        assert_confined(record, root)
        outputs[name] = out
    return outputs


def assert_confined(record: Recording, root: Path) -> None:
    assert record.forbidden() == [], record.forbidden()
    for path, writing in record.opens():
        assert not writing, f"opened for writing: {path}"
        assert inside(path, str(root)) or inside(path, PACKAGE), f"read outside the repository: {path}"
    for path in record.listed():  # the registry lists the hooks package itself
        assert inside(path, str(root)) or inside(path, PACKAGE), f"listed outside the repository: {path}"


def findings(lines: list[str]) -> list[tuple[str, int, str, str]]:
    out = []
    for line in lines:
        match = LINE_RE.match(line)
        assert match is not None, line
        out.append((match["path"], int(match["line"]), match["code"], match["message"]))
    return out


@pytest.fixture
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory next to the repository, with files an include could reach."""
    place = tmp_path_factory.mktemp("outside")
    (place / "secret.txt").write_text("stolen-secret==1\n")
    (place / "requirements.txt").write_text("stolen-secret==1\n")
    (place / "dir").mkdir()
    (place / "dir" / "requirements.txt").write_text("stolen-secret==1\n")
    return place


def test_escaping_includes_are_refused_and_never_opened(
    write: Writer, in_tmp: Path, outside: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    os.symlink(outside / "secret.txt", in_tmp / "link.txt")
    os.symlink(outside / "dir", in_tmp / "linkdir")
    escape = os.path.relpath(outside / "secret.txt", in_tmp)
    (in_tmp / "sub").mkdir()
    targets = [
        f"-r {outside / 'secret.txt'}",
        f"-c {outside / 'secret.txt'}",
        f"-r {in_tmp / 'inside.txt'}",  # absolute even though it is inside: refused
        "-r /etc/passwd",
        "-r /dev/zero",
        f"-r {escape}",
        f"-r sub/../{escape}",
        "-r link.txt",
        "-r linkdir/requirements.txt",
        "-r https://user:s3cret@example.com/requirements.txt",
        "-r http://example.com/r.txt",
        "--requirement=https://example.com/r.txt",
        "-rhttps://example.com/r.txt",
        "-r file:///etc/passwd",
        f"-r file://{outside / 'secret.txt'}",
        "-r file:secret.txt",
        "-c git+https://github.com/org/repo#egg=x",
        "--constraint=ftp://example.com/c.txt",
        "-r ${HOME}/requirements.txt",
        "-r ~/requirements.txt",
    ]
    write("inside.txt", "fine==1\n")
    path = write("requirements.txt", "\n".join(targets) + "\n")
    outputs = run_guarded(in_tmp, [path], capsys)
    pinned = findings(outputs["hooks.check_requirements_pinned"])
    refused = [(line, message) for _, line, code, message in pinned if code == "DPH103"]
    assert [line for line, _ in refused] == list(range(1, len(targets) + 1))
    for lines in outputs.values():
        text = "\n".join(lines)
        assert "stolen-secret" not in text and "s3cret" not in text
        assert "root:x:0" not in text


def test_special_files_as_includes(write: Writer, in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if hasattr(os, "mkfifo"):
        os.mkfifo(in_tmp / "fifo.txt")
    else:  # pragma: no cover
        write("fifo.txt", "")
    (in_tmp / "folder").mkdir()
    write("big.txt", "x==1\n" * (MAX_BYTES // 5 + 10))
    write("binary.txt", b"x==1\x00\n")
    path = write("requirements.txt", "-r fifo.txt\n-r folder\n-r big.txt\n-r binary.txt\n-r missing.txt\n")
    outputs = run_guarded(in_tmp, [path], capsys)
    pinned = findings(outputs["hooks.check_requirements_pinned"])
    assert [(line, code) for _, line, code, _ in pinned] == [(n, "DPH103") for n in range(1, 6)]


def test_self_include_is_one_cycle(write: Writer, in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write("requirements.txt", "-r requirements.txt\n-r ./requirements.txt\nflask==3.0.3\n")
    pinned = findings(run_guarded(in_tmp, [path], capsys)["hooks.check_requirements_pinned"])
    assert [(line, code) for _, line, code, message in pinned if "cycle" in message] == [(1, "DPH103")]


def test_cycles_are_reported_once_in_any_batch(
    write: Writer, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    names = [write(f"requirements-{n}.txt", f"-r requirements-{(n + 1) % 4}.txt\nx{n}==1\n") for n in range(4)]
    for batches in ([names], [[n] for n in names], [names[:2], names[2:]], [names[::-1]]):
        cycle_lines = []
        for batch in batches:
            outputs = run_guarded(in_tmp, batch, capsys)
            cycle_lines += [line for line in outputs["hooks.check_requirements_pinned"] if "cycle" in line]
        assert len(cycle_lines) == 1, (batches, cycle_lines)


def test_diamonds_are_not_cycles(write: Writer, in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write("common.txt", "six==1.16.0\n")
    write("left.txt", "-r common.txt\n")
    write("right.txt", "-r common.txt\n-c common.txt\n")
    path = write("requirements.txt", "-r left.txt\n-r right.txt\n-r left.txt\n")
    outputs = run_guarded(in_tmp, [path, "left.txt", "right.txt", "common.txt"], capsys)
    assert all(lines == [] for lines in outputs.values()), outputs


def test_fifty_deep_chain(write: Writer, in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for n in range(50):
        write(f"requirements/r{n}.txt", f"-r r{n + 1}.txt\n")
    write("requirements/r50.txt", "deep>=1\n")
    outputs = run_guarded(in_tmp, ["requirements/r0.txt"], capsys)
    assert findings(outputs["hooks.check_requirements_pinned"]) == []  # r50 is checked when passed itself
    outputs = run_guarded(in_tmp, ["requirements/r50.txt"], capsys)
    assert [code for _, _, code, _ in findings(outputs["hooks.check_requirements_pinned"])] == ["DPH101"]


def test_fifty_deep_chain_ending_outside(
    write: Writer, in_tmp: Path, outside: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for n in range(50):
        write(f"d{n}/requirements.txt", f"-r ../d{n + 1}/requirements.txt\n")
    (in_tmp / "d50").mkdir()
    os.symlink(outside / "requirements.txt", in_tmp / "d50" / "requirements.txt")
    outputs = run_guarded(in_tmp, ["d0/requirements.txt"], capsys)
    text = "\n".join(line for lines in outputs.values() for line in lines)
    assert "stolen-secret" not in text


def test_deep_chain_past_the_cap_is_reported_not_recursed(
    write: Writer, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    depth = R.MAX_INCLUDE_DEPTH + 20
    for n in range(depth):
        write(f"c{n}.in", f"-r c{n + 1}.in\n")
    path = write("requirements.txt", "-r c0.in\n")
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # a recursive resolver would fail here
    try:
        outputs = run_guarded(in_tmp, [path], capsys)
    finally:
        sys.setrecursionlimit(previous)
    messages = [message for _, _, _, message in findings(outputs["hooks.check_requirements_pinned"])]
    assert any(f"nested more than {R.MAX_INCLUDE_DEPTH} deep" in m for m in messages), messages


# ---------------------------------------------------------------------------
# Random include graphs
# ---------------------------------------------------------------------------

FILES = ("requirements.txt", "requirements-dev.txt", "sub/requirements.txt", "sub/deeper/base.in",
         "constraints.txt")
UNSAFE = ("/etc/passwd", "../outside.txt", "../../outside.txt", "link-out.txt", "linkdir/requirements.txt",
          "https://example.com/r.txt", "file:///etc/passwd", "git+https://h/r#egg=r", "${X}/r.txt",
          "missing.txt", "sub", "")


@st.composite
def include_graphs(draw: st.DrawFn) -> dict[str, list[tuple[str, str]]]:
    """Each file's includes: (option, target as written), targets relative to the file."""
    graph: dict[str, list[tuple[str, str]]] = {}
    for name in FILES:
        includes = []
        for _ in range(draw(st.integers(0, 4))):
            option = draw(st.sampled_from(("-r", "-c", "--requirement=", "-r ")))
            if draw(st.booleans()):
                target = os.path.relpath(draw(st.sampled_from(FILES)), os.path.dirname(name) or ".")
                if draw(st.integers(0, 3)) == 0:
                    target = "./" + target
            else:
                target = draw(st.sampled_from(UNSAFE))
            includes.append((option, target))
        graph[name] = includes
    return graph


@settings(max_examples=examples(40))
@given(include_graphs())
def test_random_include_graphs(graph: dict[str, list[tuple[str, str]]]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch).resolve()
        root = base / "repo"
        (root / ".git").mkdir(parents=True)
        (base / "outside.txt").write_text("stolen-secret==1\n")
        (base / "dir").mkdir()
        (base / "dir" / "requirements.txt").write_text("stolen-secret==1\n")
        os.symlink(base / "outside.txt", root / "link-out.txt")
        os.symlink(base / "dir", root / "linkdir")
        for name, includes in graph.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            lines = [f"{option}{'' if option.endswith(('=', ' ')) else ' '}{target}" for option, target in includes]
            path.write_text("\n".join([*lines, "pkg>=1", ""]))
        cwd = os.getcwd()
        os.chdir(root)
        try:
            for name in FILES:
                with recording() as record, time_limit(30):
                    model = R.load(name, Repo())
                assert_confined(record, root)
                for shown in model.files:
                    assert inside(str(root / shown), str(root))
                cycles = [p for p in model.include_problems if p.kind == R.CYCLE]
                keys = [(p.path, p.line, p.col) for p in cycles]
                assert len(keys) == len(set(keys))  # each cycle once
                if not model.edges or _acyclic(model):
                    assert cycles == []
        finally:
            os.chdir(cwd)


def _acyclic(model: R.RequirementsSet) -> bool:
    """Kahn's algorithm over the followed includes."""
    targets: dict[str, list[str]] = {}
    incoming = dict.fromkeys(model.files, 0)
    for edge in model.edges:
        targets.setdefault(edge.source, []).append(edge.target)
        incoming[edge.target] += 1
    ready = [node for node, count in incoming.items() if count == 0]
    seen = 0
    while ready:
        node = ready.pop()
        seen += 1
        for target in targets.get(node, ()):
            incoming[target] -= 1
            if incoming[target] == 0:
                ready.append(target)
    return seen == len(incoming)
