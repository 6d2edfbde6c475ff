"""Fix mode (hooks/_fix.py): exact fixes per code, idempotence, bytes kept, safe writing."""
from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from hooks import _fix, check_apt_hygiene
from hooks.__main__ import check_paths
from hooks.__main__ import main as all_rules_main
from hooks._findings import Finding, Fix, Rule, report
from hooks._registry import all_rules
from tests.conftest import Writer

HEAD = "FROM python:3.12-slim-bookworm\n"
ENVS = "ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1\n"
USER = "RUN useradd --create-home --uid 10001 app\nUSER app\n"
TAIL = "WORKDIR /app\n" + USER + 'CMD ["python", "-m", "app"]\n'
CLEAN = HEAD + ENVS + TAIL

# (hook id, text with the problem, the text --fix makes of it). Each fixed text passes every hook.
FIXES = [
    pytest.param(
        "check-dockerfile-pitfalls", "FROM python:3.12-slim-bookworm as app\n" + ENVS + TAIL,
        "FROM python:3.12-slim-bookworm AS app\n" + ENVS + TAIL, id="DPH607-as-upper",
    ),
    pytest.param(
        "check-dockerfile-pitfalls", "from python:3.12-slim-bookworm AS app\n" + ENVS + TAIL,
        "from python:3.12-slim-bookworm as app\n" + ENVS + TAIL, id="DPH607-as-lower",
    ),
    pytest.param(
        "check-dockerfile-pitfalls", HEAD + ENVS + "ENV APP_HOME /srv/app\n" + TAIL,
        HEAD + ENVS + "ENV APP_HOME=/srv/app\n" + TAIL, id="DPH606-plain-value",
    ),
    pytest.param(
        "check-dockerfile-pitfalls", HEAD + ENVS + "LABEL description A small   app\n" + TAIL,
        HEAD + ENVS + 'LABEL description="A small   app"\n' + TAIL, id="DPH606-blanks-quoted",
    ),
    pytest.param(
        "check-dockerfile-pitfalls", HEAD + ENVS + "ENV GREETING 'hi there'\n" + TAIL,
        HEAD + ENVS + "ENV GREETING='hi there'\n" + TAIL, id="DPH606-quoted-word-kept",
    ),
    pytest.param(
        "check-dockerfile-pitfalls", HEAD + ENVS + "ENV PATH /opt/venv/bin:$PATH\n" + TAIL,
        HEAD + ENVS + "ENV PATH=/opt/venv/bin:$PATH\n" + TAIL, id="DPH606-variable",
    ),
    pytest.param(
        "check-dockerfile-pitfalls", HEAD + ENVS + "WORKDIR /app  # the code lives here\n" + TAIL,
        HEAD + ENVS + "# the code lives here\nWORKDIR /app\n" + TAIL, id="DPH604-comment-above",
    ),
    pytest.param(
        "check-dockerfile-pitfalls", HEAD + ENVS + "ONBUILD COPY app/ /app # sources\n" + TAIL,
        HEAD + ENVS + "# sources\nONBUILD COPY app/ /app\n" + TAIL, id="DPH604-onbuild-trigger",
    ),
    pytest.param(
        "check-dockerfile-pitfalls", HEAD + ENVS + USER + "CMD python -m app --workers=2 -v\n",
        HEAD + ENVS + USER + 'CMD ["python", "-m", "app", "--workers=2", "-v"]\n', id="DPH605-cmd",
    ),
    pytest.param(
        "check-dockerfile-pitfalls", HEAD + ENVS + USER + "ENTRYPOINT python -m app\n",
        HEAD + ENVS + USER + 'ENTRYPOINT ["python", "-m", "app"]\n', id="DPH605-entrypoint-alone",
    ),
    pytest.param(
        "check-pip-hygiene", HEAD + ENVS + "RUN pip install --no-deps flask==3.0.3\n" + TAIL,
        HEAD + ENVS + "RUN pip install --no-cache-dir --no-deps flask==3.0.3\n" + TAIL, id="DPH506",
    ),
    pytest.param(
        "check-pip-hygiene", HEAD + ENVS + "RUN python3 -m pip install \\\n    flask==3.0.3\n" + TAIL,
        HEAD + ENVS + "RUN python3 -m pip install --no-cache-dir \\\n    flask==3.0.3\n" + TAIL,
        id="DPH506-before-continuation",
    ),
    pytest.param(
        "check-pip-hygiene", HEAD + ENVS + "RUN uv pip install --system flask==3.0.3\n" + TAIL,
        HEAD + ENVS + "RUN uv pip install --no-cache --system flask==3.0.3\n" + TAIL, id="DPH507",
    ),
    pytest.param(
        "check-pip-hygiene", HEAD + ENVS + "RUN uv sync \\\n    --frozen\n" + TAIL,
        HEAD + ENVS + "RUN uv sync --no-cache \\\n    --frozen\n" + TAIL, id="DPH507-before-continuation",
    ),
    pytest.param(
        "check-apt-hygiene",
        HEAD + ENVS + "RUN apt-get update && apt-get install -y libpq5 && rm -rf /var/lib/apt/lists/*\n" + TAIL,
        HEAD + ENVS + "RUN apt-get update && apt-get install --no-install-recommends -y libpq5 "
        "&& rm -rf /var/lib/apt/lists/*\n" + TAIL,
        id="DPH503",
    ),
    pytest.param(
        "check-apt-hygiene",
        HEAD + ENVS + "RUN apt-get update && apt-get install -y --no-install-recommends libpq5\n" + TAIL,
        HEAD + ENVS + "RUN apt-get update && apt-get install -y --no-install-recommends libpq5 "
        "&& rm -rf /var/lib/apt/lists/*\n" + TAIL,
        id="DPH504-one-line",
    ),
    pytest.param(
        "check-apt-hygiene",
        HEAD + ENVS + "RUN apt-get update \\\n    && apt-get install -y --no-install-recommends \\\n"
        "        libpq5\n" + TAIL,
        HEAD + ENVS + "RUN apt-get update \\\n    && apt-get install -y --no-install-recommends \\\n"
        "        libpq5 \\\n    && rm -rf /var/lib/apt/lists/*\n" + TAIL,
        id="DPH504-leading-and",
    ),
    pytest.param(
        "check-apt-hygiene",
        HEAD + ENVS + "RUN apt-get update && \\\n\tapt-get install -y --no-install-recommends libpq5\n" + TAIL,
        HEAD + ENVS + "RUN apt-get update && \\\n\tapt-get install -y --no-install-recommends libpq5 && \\\n"
        "\trm -rf /var/lib/apt/lists/*\n" + TAIL,
        id="DPH504-trailing-and-tab",
    ),
    pytest.param(
        "check-apt-hygiene",
        HEAD + ENVS + "RUN <<EOF\nset -e\napt-get update\napt-get install -y --no-install-recommends libpq5\nEOF\n"
        + TAIL,
        HEAD + ENVS + "RUN <<EOF\nset -e\napt-get update\napt-get install -y --no-install-recommends libpq5\n"
        "rm -rf /var/lib/apt/lists/*\nEOF\n" + TAIL,
        id="DPH504-heredoc",
    ),
    pytest.param(
        "check-apt-hygiene",
        HEAD + ENVS + "RUN sudo apt-get update && sudo apt-get install -y --no-install-recommends libpq5\n" + TAIL,
        HEAD + ENVS + "RUN sudo apt-get update && sudo apt-get install -y --no-install-recommends libpq5 "
        "&& sudo rm -rf /var/lib/apt/lists/*\n" + TAIL,
        id="DPH504-through-sudo",
    ),
    pytest.param(
        "check-python-env", HEAD + TAIL, HEAD + ENVS + TAIL, id="DPH501-DPH502",
    ),
    pytest.param(
        "check-python-env", HEAD + "ENV PYTHONUNBUFFERED=1\n" + TAIL,
        HEAD + "ENV PYTHONDONTWRITEBYTECODE=1\nENV PYTHONUNBUFFERED=1\n" + TAIL, id="DPH501-alone",
    ),
    pytest.param(
        "check-python-env", "FROM python:3.12-slim-bookworm AS base\nFROM base\n" + TAIL,
        "FROM python:3.12-slim-bookworm AS base\nFROM base\n" + ENVS + TAIL, id="DPH501-DPH502-final-stage",
    ),
    pytest.param(
        "docker-python-hooks",
        "FROM python:3.12-slim-bookworm as app\nRUN apt-get update && apt-get install -y libpq5\n"
        "ENV APP_HOME /srv/app\n" + USER + "CMD python -m app",
        "FROM python:3.12-slim-bookworm AS app\n" + ENVS + "RUN apt-get update && apt-get install "
        "--no-install-recommends -y libpq5 && rm -rf /var/lib/apt/lists/*\nENV APP_HOME=/srv/app\n" + USER
        + 'CMD ["python", "-m", "app"]',
        id="all-rules-together-no-final-newline",
    ),
]


def _escape_backtick(text: str) -> str:
    return "# escape=`\n" + text.replace("\\\n", "`\n")


# How a file is written: the same fix must keep each of these as it is.
VARIANTS: dict[str, Callable[[str], bytes]] = {
    "lf": lambda text: text.encode(),
    "crlf": lambda text: text.replace("\n", "\r\n").encode(),
    "bom": lambda text: b"\xef\xbb\xbf" + text.encode(),
    "escape-backtick": lambda text: _escape_backtick(text).encode(),
}


def _run(hook_id: str, args: list[str]) -> int:
    if hook_id == "docker-python-hooks":
        return all_rules_main(["check", *args])
    import importlib

    module = importlib.import_module("hooks." + hook_id.replace("-", "_"))
    return int(module.main(args))


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize(("hook_id", "before", "after"), FIXES)
def test_fix_exact_then_clean_then_idempotent(
    write: Writer, capsys: pytest.CaptureFixture[str], hook_id: str, before: str, after: str, variant: str,
) -> None:
    shell_form = any(line.startswith(("CMD ", "ENTRYPOINT ")) and "[" not in line for line in before.splitlines())
    if variant == "escape-backtick" and shell_form:
        pytest.skip("a backtick escape marks a Windows image: DPH605 does not judge it")
    encode = VARIANTS[variant]
    path = write("Dockerfile", encode(before))
    assert _run(hook_id, ["--fix", path]) == 1  # changed: pre-commit's fixer convention
    assert Path(path).read_bytes() == encode(after)
    capsys.readouterr()
    assert check_paths([path]) == []  # the fixed file passes every hook
    assert _run(hook_id, ["--fix", path]) == 0  # fixing twice changes nothing
    assert Path(path).read_bytes() == encode(after)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(("hook_id", "before", "after"), FIXES)
def test_diff_prints_the_fix_and_writes_nothing(
    write: Writer, capsys: pytest.CaptureFixture[str], hook_id: str, before: str, after: str,
) -> None:
    path = write("Dockerfile", before)
    assert _run(hook_id, ["--diff", path]) == 1
    assert Path(path).read_text() == before
    out = capsys.readouterr().out
    assert out == _fix.unified_diff("Dockerfile", before, after)
    assert out.startswith("--- a/Dockerfile\n+++ b/Dockerfile\n@@ ")
    assert _run(hook_id, ["--diff", write("Dockerfile", after)]) == 0
    assert capsys.readouterr().out == ""


def test_diff_marks_a_missing_final_newline() -> None:
    assert _fix.unified_diff("D", "FROM a as b", "FROM a AS b") == (
        "--- a/D\n+++ b/D\n@@ -1 +1 @@\n-FROM a as b\n\\ No newline at end of file\n"
        "+FROM a AS b\n\\ No newline at end of file\n"
    )


# Fixes that are not offered: the file is left as it is, the finding stays.
NOT_OFFERED = [
    pytest.param(HEAD + ENVS + "ENV DEBUG = 0\n" + TAIL, "DPH606", id="DPH606-blanks-around-equals"),
    pytest.param(HEAD + ENVS + "ENV A 1 # one\n" + TAIL, "DPH606", id="DPH606-waits-for-DPH604"),
    pytest.param(HEAD + ENVS + "ENV MSG it's\n" + TAIL, "DPH606", id="DPH606-unbalanced-quote"),
    pytest.param(HEAD + ENVS + "ENV APP_ENV prod LOG_LEVEL info\n" + TAIL, "DPH606", id="DPH606-several-variables"),
    pytest.param(HEAD + ENVS + "ENV A \\\n    1\n" + TAIL, "DPH606", id="DPH606-over-lines"),
    pytest.param(HEAD + ENVS + "COPY . /app # dph: ignore=DPH304\n" + TAIL, "DPH604", id="DPH604-would-suppress"),
    pytest.param(HEAD + ENVS + USER + "CMD python $APP\n", "DPH605", id="DPH605-variable"),
    pytest.param(HEAD + ENVS + USER + "CMD cd /app && python -m app\n", "DPH605", id="DPH605-operators"),
    pytest.param(HEAD + ENVS + USER + "CMD python app.py > /tmp/log\n", "DPH605", id="DPH605-redirection"),
    pytest.param(HEAD + ENVS + USER + "CMD A=1 python app.py\n", "DPH605", id="DPH605-assignment"),
    pytest.param(
        HEAD + ENVS + USER + 'SHELL ["/bin/bash", "-lc"]\nCMD python -m app\n', "DPH605", id="DPH605-custom-shell",
    ),
    pytest.param(
        HEAD + ENVS + USER + 'ENTRYPOINT python -m app\nCMD ["--port", "80"]\n', "DPH605",
        id="DPH605-entrypoint-with-cmd",
    ),
    pytest.param(HEAD + ENVS + 'RUN ["pip", "install", "flask==3.0.3"]\n' + TAIL, "DPH506", id="DPH506-exec-form"),
    pytest.param(HEAD + ENVS + 'RUN pip "install" flask==3.0.3\n' + TAIL, "DPH506", id="DPH506-quoted-verb"),
    pytest.param(HEAD + ENVS + 'RUN ["uv", "sync", "--frozen"]\n' + TAIL, "DPH507", id="DPH507-exec-form"),
    pytest.param(
        HEAD + ENVS + "RUN apt-get update && apt-get install -y --no-install-recommends libpq5 &\n" + TAIL,
        "DPH504", id="DPH504-ends-in-operator",
    ),
    pytest.param(
        HEAD + ENVS + "RUN apt-get update && apt-get install -y --no-install-recommends libpq5 # deps\n" + TAIL,
        "DPH504", id="DPH504-ends-in-comment",
    ),
    pytest.param(
        HEAD + ENVS + TAIL + "RUN apt-get update \\\n && apt-get install -y --no-install-recommends libpq5 \\\n"
        " # a comment line ends the file inside the RUN\n",
        "DPH504", id="DPH504-comment-line-ends-the-run",
    ),
    pytest.param(
        HEAD + ENVS + "RUN <<EOF\napt-get update\napt-get install -y --no-install-recommends libpq5\nexit 0\nEOF\n"
        + TAIL,
        "DPH504", id="DPH504-heredoc-exits",
    ),
    pytest.param(
        HEAD + ENVS + "RUN apt-get update && apt-get install -y --no-install-recommends libpq5; exit 0\n" + TAIL,
        "DPH504", id="DPH504-exits",
    ),
    pytest.param(
        HEAD + ENVS + "RUN apt-get update \\\n && apt-get install -y --no-install-recommends libpq5 \\\n"
        " && exec true\n" + TAIL,
        "DPH504", id="DPH504-execs",
    ),
    pytest.param(
        HEAD + ENVS + "RUN <<EOF\napt-get update\napt-get install -y --no-install-recommends libpq5\nexec true\nEOF\n"
        + TAIL,
        "DPH504", id="DPH504-heredoc-execs",
    ),
    pytest.param(HEAD + "ENV PYTHONUNBUFFERED=\n" + TAIL, "DPH502", id="DPH502-empty-value"),
    pytest.param(HEAD + "ARG PYTHONUNBUFFERED=1\nENV PYTHONDONTWRITEBYTECODE=1\n" + TAIL, "DPH502", id="DPH502-arg"),
]


@pytest.mark.parametrize(("text", "code"), NOT_OFFERED)
def test_fix_not_offered(write: Writer, capsys: pytest.CaptureFixture[str], text: str, code: str) -> None:
    path = write("Dockerfile", text)
    found = [f for f in check_paths([path]) if f.code == code]
    assert found and not any(f.fix for f in found)
    all_rules_main(["check", "--fix", path])
    capsys.readouterr()
    assert [f.code for f in check_paths([path]) if f.code == code] == [code]


def test_no_fix_for_an_instruction_with_an_empty_continuation_line(
    write: Writer, capsys: pytest.CaptureFixture[str],
) -> None:
    """BuildKit joins the line after the empty one to the RUN: its end is not where a reader sees it."""
    text = (
        HEAD + ENVS + "RUN apt-get update && apt-get install -y --no-install-recommends libpq5 \\\n\n"
        "  && echo done\nENV A 1\n" + TAIL
    )
    path = write("Dockerfile", text)
    all_rules_main(["check", "--fix", path])
    capsys.readouterr()
    assert Path(path).read_text() == text.replace("ENV A 1", "ENV A=1")  # the other fix is applied
    assert [f.code for f in check_paths([path]) if f.code == "DPH504"] == ["DPH504"]


def test_no_fix_when_an_empty_continuation_line_swallows_an_instruction(
    write: Writer, capsys: pytest.CaptureFixture[str],
) -> None:
    text = HEAD + ENVS + "RUN apt-get update && apt-get install -y --no-install-recommends libpq5 \\\n\n" + TAIL
    path = write("Dockerfile", text)
    assert all_rules_main(["check", "--fix", path]) == 1
    assert "Dockerfile:4:1: DPH904 empty continuation line: BuildKit joins line 5 ('WORKDIR /app') to this RUN" in (
        capsys.readouterr().out
    )
    assert Path(path).read_text() == text


def test_mixed_line_endings_keep_each_line_its_own(write: Writer) -> None:
    before = "FROM python:3.12-slim-bookworm as app\r\nRUN useradd --create-home --uid 10001 app\nUSER app\r\n" \
        'CMD ["python", "-m", "app"]\n'
    path = write("Dockerfile", before)
    assert all_rules_main(["check", "--fix", path]) == 1
    assert Path(path).read_bytes() == (
        "FROM python:3.12-slim-bookworm AS app\r\n" + ENVS.replace("\n", "\r\n")
        + "RUN useradd --create-home --uid 10001 app\nUSER app\r\n" + 'CMD ["python", "-m", "app"]\n'
    ).encode()


def test_tabs_trailing_blanks_and_comments_elsewhere_are_kept(write: Writer) -> None:
    rest = "# keep me  \nRUN useradd --create-home --uid 10001 app\t \nUSER app   \n" 'CMD ["python", "-m", "app"]\t\n'
    path = write("Dockerfile", "FROM python:3.12-slim-bookworm   as app   \n" + ENVS + rest)
    assert all_rules_main(["check", "--fix", path]) == 1
    assert Path(path).read_text() == "FROM python:3.12-slim-bookworm   AS app   \n" + ENVS + rest


def test_remaining_findings_are_reported_after_the_fix(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    path = write("Dockerfile", "FROM python:3.12-slim-bookworm as app\n" + ENVS + 'CMD ["python", "-m", "app"]\n')
    assert all_rules_main(["check", "--fix", path]) == 1
    assert capsys.readouterr().out == (
        "Dockerfile:1:1: DPH401 final stage 'app' never sets USER, so the container runs as root; add a "
        "non-root user (e.g. 'RUN useradd -r app' and 'USER app')\n"
    )


def test_only_what_the_configuration_keeps_is_fixed(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    """A rule the project ignores is neither reported nor fixed; the others still are."""
    write("pyproject.toml", '[tool.docker-python-hooks]\nignore = ["DPH607", "DPH401"]\n')
    text = 'FROM python:3.12-slim-bookworm as app\nENV PYTHONDONTWRITEBYTECODE=1\nCMD ["python", "-m", "app"]\n'
    path = write("Dockerfile", text)
    assert all_rules_main(["check", "--fix", path]) == 1
    fixed = Path(path).read_text()
    assert fixed.startswith("FROM python:3.12-slim-bookworm as app\n")  # DPH607 ignored: kept as written
    assert "PYTHONUNBUFFERED=1" in fixed  # DPH502 fixed
    assert capsys.readouterr().out == ""


def test_files_with_no_fix_exit_as_usual(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    path = write("Dockerfile", CLEAN)
    assert all_rules_main(["check", "--fix", path]) == 0
    assert Path(path).read_text() == CLEAN
    assert capsys.readouterr().out == ""


# ---------------------------------------------------------------------------
# Never written: a finding says why, the bytes stay.
# ---------------------------------------------------------------------------

def _refused(capsys: pytest.CaptureFixture[str], path: str) -> str:
    assert all_rules_main(["check", "--fix", path]) == 1
    lines = [line for line in capsys.readouterr().out.splitlines() if " DPH907 " in line]
    assert len(lines) == 1, lines
    return lines[0]


def test_a_file_with_syntax_errors_is_not_written(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    text = "FROM python:3.12-slim-bookworm as app\nENV ONLYNAME\n" + TAIL
    path = write("Dockerfile", text)
    assert _refused(capsys, path) == (
        "Dockerfile:1:1: DPH907 fixes not applied: the file does not parse cleanly (DPH904 at line 2); "
        "fix that first"
    )
    assert Path(path).read_text() == text


def test_a_symlink_is_not_written(write: Writer, capsys: pytest.CaptureFixture[str], in_tmp: Path) -> None:
    text = "FROM python:3.12-slim-bookworm as app\n" + ENVS + TAIL
    write("real.txt", text)
    (in_tmp / "Dockerfile").symlink_to("real.txt")
    assert _refused(capsys, "Dockerfile") == (
        "Dockerfile:1:1: DPH907 fixes not applied: it is a symlink; fix the file it points to"
    )
    assert (in_tmp / "real.txt").read_text() == text
    assert (in_tmp / "Dockerfile").is_symlink()


def test_a_hard_linked_file_is_not_written(write: Writer, capsys: pytest.CaptureFixture[str], in_tmp: Path) -> None:
    text = "FROM python:3.12-slim-bookworm as app\n" + ENVS + TAIL
    path = write("Dockerfile", text)
    os.link(in_tmp / "Dockerfile", in_tmp / "other")
    assert _refused(capsys, path).endswith("it has other hard links, which a rewrite would separate from it")
    assert Path(path).read_text() == text


def test_mode_bits_are_kept(write: Writer) -> None:
    path = write("Dockerfile", "FROM python:3.12-slim-bookworm as app\n" + ENVS + TAIL)
    os.chmod(path, 0o640)
    assert all_rules_main(["check", "--fix", path]) == 1
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert [p.name for p in Path(path).parent.iterdir() if p.name.endswith(".dph-fix")] == []


def test_a_file_changed_since_it_was_read_is_not_written(write: Writer, in_tmp: Path) -> None:
    path = write("Dockerfile", "FROM x as y\n")
    assert _fix.write_atomic(str(in_tmp / path), b"FROM x as z\n", b"FROM x AS z\n") == (
        "it changed on disk since it was read; run again"
    )
    assert Path(path).read_bytes() == b"FROM x as y\n"
    assert _fix.write_atomic(str(in_tmp / path), b"FROM x as y\n", b"FROM x AS y\n") is None
    assert Path(path).read_bytes() == b"FROM x AS y\n"


def test_a_file_outside_the_repository_is_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    from hooks import check_dockerfile_pitfalls

    (tmp_path / "repo" / ".git").mkdir(parents=True)
    outside = tmp_path / "Dockerfile"
    outside.write_text("FROM python:3.12-slim-bookworm as app\n")
    monkeypatch.chdir(tmp_path / "repo")
    assert check_dockerfile_pitfalls.main(["--fix", "../Dockerfile"]) == 1
    assert "outside the repository root" in capsys.readouterr().out
    assert outside.read_text() == "FROM python:3.12-slim-bookworm as app\n"


def test_overlapping_edits_apply_none() -> None:
    same = (3, 3, "x")
    assert _fix.merge([Fix([same]), Fix([same])]) == ([same], None)  # one edit, twice: once
    _, overlap = _fix.merge([Fix([(0, 4, "ab")]), Fix([(2, 6, "cd")])])
    assert overlap == ((0, 4, "ab"), (2, 6, "cd"))
    assert _fix.merge([Fix([(5, 5, "a")]), Fix([(5, 5, "b")])])[1] == ((5, 5, "a"), (5, 5, "b"))
    assert _fix.merge([Fix([(5, 5, "a")]), Fix([(5, 8, "b")])])[1] is not None
    assert _fix.merge([Fix([(2, 5, "a")]), Fix([(5, 5, "b")])]) == ([(2, 5, "a"), (5, 5, "b")], None)
    assert _fix.apply("0123456789", [(2, 5, "a"), (5, 5, "b"), (9, 10, "")]) == "01ab5678"


def test_hooks_never_write_without_fix(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    text = "FROM python:3.12-slim-bookworm as app\nRUN pip install flask==3.0.3\n"
    path = write("Dockerfile", text)
    before = os.stat(path)
    assert all_rules_main(["check", path]) == 1
    assert Path(path).read_text() == text
    assert os.stat(path).st_mtime_ns == before.st_mtime_ns


def test_fixes_do_not_change_sorting_dedupe_or_output() -> None:
    rule = Rule("DPH607", "from-as-casing", "info", "x", fixable=True)
    fixed = rule.at("D", 1, 6, "m", fix=Fix([(0, 1, "a")]))
    plain = rule.at("D", 1, 6, "m")
    assert fixed == plain and hash(fixed) == hash(plain) and len({fixed, plain}) == 1
    assert sorted([rule.at("D", 2, 1, "m", fix=Fix([(0, 0, "z")])), plain]) == [plain, rule.at("D", 2, 1, "m")]
    assert fixed.render() == plain.render() == "D:1:6: DPH607 m"
    assert Finding("D", 1, 1, "DPH607", "m") == Finding("D", 1, 1, "DPH607", "m", fix=Fix([(0, 0, "")]))
    assert report([]) == 0


def test_fixable_rules_are_declared() -> None:
    fixable = {code for code, rule in all_rules().items() if rule.fixable}
    assert fixable == {
        "DPH101", "DPH301", "DPH501", "DPH502", "DPH503", "DPH504", "DPH506", "DPH507", "DPH604", "DPH605",
        "DPH606", "DPH607",
    }


def test_single_purpose_hooks_without_fixes_take_no_fix_flag(capsys: pytest.CaptureFixture[str]) -> None:
    from hooks import check_non_root_user

    with pytest.raises(SystemExit) as exc:
        check_non_root_user.main(["--fix", "Dockerfile"])
    assert exc.value.code == 2
    assert "unrecognized arguments: --fix" in capsys.readouterr().err


def test_fix_writes_only_the_fixed_file_and_diff_writes_nothing(write: Writer, in_tmp: Path) -> None:
    from tests.audit import recording

    text = "FROM python:3.12-slim-bookworm as app\n" + ENVS + TAIL
    path = write("svc/Dockerfile", text)
    all_rules_main(["check", "--diff", path])  # warm-up: lazy imports are not the fix's doing
    with recording() as record:
        assert all_rules_main(["check", "--diff", path]) == 1
    assert record.forbidden() == [] and not any(writing for _, writing in record.opens())
    with recording() as record:
        assert all_rules_main(["check", "--fix", path]) == 1
    folder = os.path.realpath(in_tmp / "svc")
    changes = record.forbidden()
    assert [e.name for e in changes if e.name != "os.chmod"] == ["tempfile.mkstemp", "os.rename"]
    temp = next(os.fsdecode(e.args[0]) for e in changes if e.name == "os.rename")
    assert os.path.dirname(os.path.realpath(temp)) == folder
    assert os.path.realpath(os.fsdecode(changes[-1].args[1])) == os.path.join(folder, "Dockerfile")
    written = [p for p, writing in record.opens() if writing]
    assert [os.path.dirname(os.path.realpath(p)) for p in written] == [folder]
    assert sorted(p.name for p in (in_tmp / "svc").iterdir()) == ["Dockerfile"]


def test_fix_and_diff_exclude_each_other(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        all_rules_main(["check", "--fix", "--diff", "."])
    assert exc.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_fix_reports_what_remains_in_the_format_asked(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    path = write("Dockerfile", "FROM python:3.12-slim-bookworm as app\n" + ENVS + 'CMD ["python", "-m", "app"]\n')
    assert all_rules_main(["check", "--fix", "--format", "json", path]) == 1  # a file changed
    assert Path(path).read_text().startswith("FROM python:3.12-slim-bookworm AS app\n")
    assert [f["code"] for f in json.loads(capsys.readouterr().out)] == ["DPH401"]
    assert all_rules_main(["check", "--fix", "--statistics", path]) == 1  # DPH401 remains
    assert capsys.readouterr().out == "1  DPH401  missing-user\n"


def test_fix_honours_exit_zero_and_fail_level_when_no_file_changes(
    write: Writer, capsys: pytest.CaptureFixture[str],
) -> None:
    path = write("Dockerfile", CLEAN.replace("WORKDIR /app\n", "EXPOSE 80\nWORKDIR /app\n"))
    assert all_rules_main(["check", "--fix", path]) == 1
    assert "DPH601" in capsys.readouterr().out  # a warning remains
    assert all_rules_main(["check", "--fix", "--exit-zero", path]) == 0
    assert all_rules_main(["check", "--fix", "--fail-level", "error", path]) == 0
    capsys.readouterr()
    broken = write("Dockerfile", "FROM python:3.12-slim-bookworm as app\n" + ENVS + TAIL)
    assert all_rules_main(["check", "--fix", "--exit-zero", broken]) == 1  # a file changed: still 1
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("flags", [["--format", "json"], ["--statistics"]])
def test_diff_with_a_findings_format_is_a_usage_error(
    write: Writer, capsys: pytest.CaptureFixture[str], flags: list[str],
) -> None:
    path = write("Dockerfile", "FROM python:3.12-slim-bookworm as app\n" + ENVS + TAIL)
    assert all_rules_main(["check", "--diff", *flags, path]) == 2
    assert "--diff prints a unified diff, not findings" in capsys.readouterr().err
    assert check_apt_hygiene.main(["--diff", *flags, path]) == 2


def test_a_suppressed_syntax_error_still_stops_the_fix(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    text = "FROM python:3.12-slim-bookworm as app\n# dph: ignore=DPH904\nENV ONLYNAME\n" + TAIL
    path = write("Dockerfile", text)
    assert _refused(capsys, path).endswith("the file does not parse cleanly (DPH904 at line 3); fix that first")
    assert Path(path).read_text() == text


# ---------------------------------------------------------------------------
# DPH301: the install moved above the source copy, its requirements file copied first.
# The requirements file is read from the repository, so these cases write one.
# ---------------------------------------------------------------------------

REQUIREMENTS = "--index-url https://pypi.org/simple\nflask==3.0.3 \\\n    --hash=sha256:" + "0" * 64 + "\n"
PIP = "RUN pip install --no-cache-dir -r requirements.txt\n"
BASE = HEAD + ENVS + "WORKDIR /app\n"
END = USER + 'CMD ["python", "-m", "app"]\n'
DOCKERIGNORE = ".git\n.env\n.venv\n**/__pycache__\n"


def _context(write: Writer, requirements: str | None = REQUIREMENTS) -> None:
    write(".dockerignore", DOCKERIGNORE)
    if requirements is not None:
        write("requirements.txt", requirements)

MOVES = [
    pytest.param(
        BASE + "COPY . .\n" + PIP + END,
        BASE + "COPY requirements.txt .\n" + PIP + "COPY . .\n" + END, id="copy-dot-dot",
    ),
    pytest.param(
        HEAD + ENVS + "ENV PIP_NO_CACHE_DIR=1\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n" + END,
        HEAD + ENVS + "ENV PIP_NO_CACHE_DIR=1\n" + "WORKDIR /app\nCOPY requirements.txt .\n"
        "RUN pip install -r requirements.txt\nCOPY . .\n" + END,
        id="safe-pip-variable",
    ),
    pytest.param(
        BASE + "COPY --link ./ /app\n\n# the dependencies\n" + PIP + END,
        BASE + "COPY --link requirements.txt /app/\n" + PIP + "COPY --link ./ /app\n\n# the dependencies\n" + END,
        id="absolute-dest-is-the-workdir-comment-between",
    ),
    pytest.param(
        BASE + "COPY . /app/\nRUN python3 -m pip install --no-cache-dir --upgrade \\\n    -r requirements.txt\n"
        + END,
        BASE + "COPY requirements.txt /app/\nRUN python3 -m pip install --no-cache-dir --upgrade \\\n"
        "    -r requirements.txt\nCOPY . /app/\n" + END,
        id="continuation-kept",
    ),
    pytest.param(
        HEAD + ENVS + "RUN useradd --create-home --uid 10001 app\nWORKDIR /app\nCOPY . .\nUSER app\n"
        'CMD ["python", "-m", "app"]\n' + PIP.rstrip("\n"),
        HEAD + ENVS + "RUN useradd --create-home --uid 10001 app\nWORKDIR /app\nCOPY . .\nUSER app\n"
        'CMD ["python", "-m", "app"]\n' + PIP.rstrip("\n"),
        id="not-next-unchanged",
    ),
    pytest.param(
        HEAD + ENVS + "RUN useradd --create-home --uid 10001 app\nUSER app\n"
        'CMD ["python", "-m", "app"]\nWORKDIR /app\nCOPY . .\n' + PIP.rstrip("\n"),
        HEAD + ENVS + "RUN useradd --create-home --uid 10001 app\nUSER app\n"
        'CMD ["python", "-m", "app"]\nWORKDIR /app\nCOPY requirements.txt .\n' + PIP + "COPY . .",
        id="last-line-without-newline",
    ),
]


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize(("before", "after"), MOVES)
def test_dph301_fix_exact_then_clean_then_idempotent(
    write: Writer, capsys: pytest.CaptureFixture[str], before: str, after: str, variant: str,
) -> None:
    _context(write)
    encode = VARIANTS[variant]
    path = write("Dockerfile", encode(before))
    changes = before != after
    assert _run("check-requirements-before-source", ["--fix", path]) == 1  # changed, or DPH301 remains
    assert Path(path).read_bytes() == encode(after)
    out = capsys.readouterr().out
    assert (out == "") == changes
    if changes:
        assert check_paths([path]) == []  # the fixed file passes every hook
    assert _run("check-requirements-before-source", ["--fix", path]) == (0 if changes else 1)
    assert Path(path).read_bytes() == encode(after)
    capsys.readouterr()


def test_dph301_diff_and_the_all_rules_fixer(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    _context(write)
    before = BASE + "COPY . .\n" + PIP + END
    after = BASE + "COPY requirements.txt .\n" + PIP + "COPY . .\n" + END
    path = write("Dockerfile", before)
    assert _run("check-requirements-before-source", ["--diff", path]) == 1
    assert capsys.readouterr().out == _fix.unified_diff("Dockerfile", before, after)
    assert Path(path).read_text() == before
    assert all_rules_main(["check", "--fix", path]) == 1
    assert Path(path).read_text() == after
    assert capsys.readouterr().out == ""


def test_dph301_lowercase_keyword_and_mixed_endings_kept(write: Writer) -> None:
    _context(write)
    before = BASE + "copy . .\r\n# deps\n" + PIP.replace("\n", "\r\n") + END
    path = write("Dockerfile", before)
    _run("check-requirements-before-source", ["--fix", path])
    assert Path(path).read_bytes() == (
        BASE + "copy requirements.txt .\r\n" + PIP.replace("\n", "\r\n") + "copy . .\r\n# deps\n" + END
    ).encode()


def test_dph301_requirements_in_a_parent_folder_are_read(write: Writer) -> None:
    """The build context may be any folder from the Dockerfile's up: each file found counts."""
    _context(write, "-e .\n")
    write("svc/requirements.txt", REQUIREMENTS)
    text = BASE + "COPY . .\n" + PIP + END
    path = write("svc/Dockerfile", text)
    assert _run("check-requirements-before-source", ["--fix", path]) == 1
    assert Path(path).read_text() == text  # the root one installs the project: no fix
    write("requirements.txt", "requests==2.32.3\n")
    assert _run("check-requirements-before-source", ["--fix", path]) == 1
    assert Path(path).read_text() == BASE + "COPY requirements.txt .\n" + PIP + "COPY . .\n" + END


# (Dockerfile, requirements.txt or None when there is none): DPH301 stays, unfixed.
MOVE_NOT_OFFERED = [
    pytest.param(BASE + "COPY . .\nENV PIP_NO_CACHE_DIR=1\n" + PIP + END, REQUIREMENTS, id="env-between"),
    pytest.param(BASE + "COPY . .\nWORKDIR /srv\n" + PIP + END, REQUIREMENTS, id="workdir-between"),
    pytest.param(BASE + "COPY . .\n" + PIP + END, None, id="no-requirements-file"),
    pytest.param(
        HEAD + ENVS + "ENV PIP_CONSTRAINT=constraints.txt\nWORKDIR /app\nCOPY . .\n" + PIP + END, REQUIREMENTS,
        id="pip-variable-reads-a-file",
    ),
    pytest.param(
        HEAD + "ARG PIP_FIND_LINKS=./wheels\n" + ENVS + "WORKDIR /app\nCOPY . .\n" + PIP + END, REQUIREMENTS,
        id="pip-build-arg",
    ),
    pytest.param(BASE + "COPY . .\n" + PIP + END, "${APP_PACKAGE}\n", id="requirements-variable"),
    pytest.param(
        BASE + "COPY . .\nRUN pip install --no-cache-dir --user -r requirements.txt\n" + END, REQUIREMENTS,
        id="user-install",
    ),
    pytest.param(BASE + "COPY . .\n" + PIP + END, "-e .\n", id="requirements-install-the-project"),
    pytest.param(BASE + "COPY . .\n" + PIP + END, "-r base.txt\n", id="requirements-include"),
    pytest.param(BASE + "COPY . .\n" + PIP + END, "-c constraints.txt\nflask\n", id="requirements-constraints"),
    pytest.param(BASE + "COPY . .\n" + PIP + END, "./wheels/app-1.0-py3-none-any.whl\n", id="requirements-path"),
    pytest.param(BASE + "COPY . .\n" + PIP + END, "--find-links ./wheels\nflask\n", id="requirements-find-links"),
    pytest.param(
        BASE + "COPY . .\nRUN pip install --no-cache-dir -r requirements.txt -e .\n" + END, REQUIREMENTS,
        id="install-also-editable",
    ),
    pytest.param(
        BASE + "COPY . .\nRUN pip install --no-cache-dir -r requirements.txt && pip install --no-cache-dir .\n"
        + END, REQUIREMENTS, id="two-commands",
    ),
    pytest.param(
        BASE + "COPY . .\nRUN pip install --no-cache-dir -r requirements.txt -c constraints.txt\n" + END,
        REQUIREMENTS, id="install-reads-constraints",
    ),
    pytest.param(
        BASE + "COPY . .\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n" + END,
        REQUIREMENTS, id="run-mount",
    ),
    pytest.param(
        BASE + "COPY . .\nRUN <<EOF\npip install --no-cache-dir -r requirements.txt\nEOF\n" + END,
        REQUIREMENTS, id="heredoc",
    ),
    pytest.param(
        BASE + "COPY . .\nRUN pip install --no-cache-dir -r \"$REQS\"\n" + END, REQUIREMENTS, id="variable",
    ),
    pytest.param(
        BASE + "COPY . .\nRUN pip install --no-cache-dir -r requirements/prod.txt\n" + END, REQUIREMENTS,
        id="manifest-in-a-folder",
    ),
    pytest.param(BASE + "COPY . /srv\n" + PIP + END, REQUIREMENTS, id="dest-not-the-workdir"),
    pytest.param(BASE + "COPY --exclude=*.md . .\n" + PIP + END, REQUIREMENTS, id="copy-exclude"),
    pytest.param(BASE + 'COPY [".", "."]\n' + PIP + END, REQUIREMENTS, id="copy-json"),
    pytest.param(BASE + "COPY . \\\n    .\n" + PIP + END, REQUIREMENTS, id="copy-over-lines"),
    pytest.param(BASE + "COPY app.py . .\n" + PIP + END, REQUIREMENTS, id="copy-more-sources"),
    pytest.param(
        BASE + "# dph: ignore=DPH999 reason=test\nCOPY . .\n" + PIP + END, REQUIREMENTS,
        id="suppression-above-the-copy",
    ),
    pytest.param(
        "FROM python:3.12-slim-bookworm AS base\nWORKDIR /app\nCOPY . .\nFROM base\n" + ENVS + PIP + END,
        REQUIREMENTS, id="install-in-a-child-stage",
    ),
]


@pytest.mark.parametrize(("text", "requirements"), MOVE_NOT_OFFERED)
def test_dph301_fix_not_offered(
    write: Writer, capsys: pytest.CaptureFixture[str], text: str, requirements: str | None,
) -> None:
    _context(write, requirements)
    path = write("Dockerfile", text)
    found = [f for f in check_paths([path]) if f.code == "DPH301"]
    assert len(found) == 1 and not found[0].fix
    all_rules_main(["check", "--fix", path])
    capsys.readouterr()
    assert [f.code for f in check_paths([path]) if f.code == "DPH301"] == ["DPH301"]
    assert "COPY requirements.txt" not in Path(path).read_text()


def test_diff_says_why_fixes_were_refused(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    """A refused file has no diff, but --diff must not pass it silently."""
    text = "FROM python:3.12-slim-bookworm # pinned\nRUN pip install -r requirements.txt\n"
    path = write("Dockerfile", text)
    assert all_rules_main(["check", "--diff", path]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("Dockerfile:1:1: DPH907 fixes not applied: the file does not parse cleanly")
    assert Path(path).read_text() == text
