from __future__ import annotations

import argparse
import posixpath
from pathlib import Path

import pytest

from hooks._dockerfile import parse
from hooks.check_dockerfile_pitfalls import check, main
from tests.conftest import Writer

HOOK_OPTIONS = argparse.Namespace(target=None)

BASE = "FROM python:3.12-slim-bookworm\n"
SH = "so Docker runs the whole line with /bin/sh -c"
NOT_COMMENT = (
    "only whole lines are comments in a Dockerfile, so it is part of the {} arguments; "
    "move it to its own line above"
)
LEGACY = "the old form is deprecated and takes the whole rest of the line, blanks included, as the value"
CMD_SHELL = (
    "CMD in shell form runs under /bin/sh -c: the application is not PID 1 and gets no SIGTERM from "
    "'docker stop'; "
)

PASS = [
    pytest.param(
        BASE + 'ENTRYPOINT ["tini", "--", "sh", "-c", "exec gunicorn --bind 0.0.0.0:$PORT app:app"]\n'
        'CMD ["/bin/bash", "-c", "echo $HOME"]\nRUN ["awk", "{print $NF}", "f"]\n'
        'CMD ["echo", "cost: 5$", "\\\\$HOME", "$(date)", "$1"]\nCMD gunicorn --bind 0.0.0.0:$PORT app:app\n'
        'SHELL ["pwsh", "-Command"]\nRUN ["pwsh", "-Command", "$ErrorActionPreference = \'Stop\'"]\n',
        id="exec-form-variables-a-shell-expands-or-none",
    ),
    pytest.param(
        BASE + 'ENTRYPOINT ["/bin/sh", "-c"]\nCMD ["exec gunicorn --bind 0.0.0.0:$PORT app:app"]\n'
        'FROM python:3.12-slim-bookworm\nENTRYPOINT ["/docker-entrypoint.sh"]\nCMD ["serve", "--port", "$PORT"]\n'
        'HEALTHCHECK CMD ["python3", "-c", "import os; print(os.path.expandvars(\'$HOME\'))"]\n',
        id="exec-form-cmd-under-an-expanding-entrypoint-and-code-strings",
    ),
    pytest.param(
        BASE + 'ENTRYPOINT ["/bin/echo"]\nCMD ["hello world"]\nFROM python:3.12-slim-bookworm\n'
        'ENTRYPOINT ["C:\\\\Program Files\\\\app.exe"]\nRUN ["/opt/my tools/run"]\n',
        id="exec-form-arguments-and-paths-with-blanks",
    ),
    pytest.param(BASE + 'CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]\n', id="exec-form-cmd"),
    pytest.param(
        BASE + 'ENTRYPOINT ["tini", "--"]\nCMD [ "python", \\\n    "-m", "app" ]\n', id="exec-form-over-lines",
    ),
    pytest.param(BASE + "CMD []\n", id="empty-exec-form"),
    pytest.param(
        BASE + "RUN [ -d /app ] || mkdir -p /app\nRUN [ \"$(id -u)\" = 0 ] && echo root\n"
        "RUN [[ -f /x ]] || true\nCMD [\"python\", \"app.py\"]\n",
        id="run-test-command-is-not-exec-form",
    ),
    pytest.param(BASE + "COPY [Dd]ockerfile* /src/\nCMD [\"python\"]\n", id="copy-glob-class"),
    pytest.param(
        BASE + 'COPY ["my file.txt", "/app/"]\nVOLUME ["/data"]\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\n'
        'CMD ["python"]\n',
        id="json-lists",
    ),
    pytest.param(
        BASE + "ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1\n"
        'LABEL org.opencontainers.image.source="https://github.com/o/r#readme" desc="fixes #12"\n'
        "ENV COLOR=#fff URL=http://x/#frag\nARG A=a\\ #b\nCMD [\"python\"]\n",
        id="hash-inside-words-and-quotes",
    ),
    pytest.param(
        BASE + "RUN pip install --no-cache-dir -r requirements.txt # pinned\n"
        "HEALTHCHECK CMD python -c 'import sys' # probe\nCMD exec python app.py # main\n",
        id="hash-in-shell-commands-is-a-comment",
    ),
    pytest.param(
        BASE + "# a comment\nENV A=1 \\\n    # comment inside a continuation\n    B=2\nCMD [\"python\"]\n",
        id="whole-line-comments",
    ),
    pytest.param(
        "FROM python:3.12-slim AS builder\nfrom python:3.12-slim as b2\nFrom python:3.12-slim as mixed\n"
        "FROM --platform=$BUILDPLATFORM python:3.12-slim AS cross\nCMD [\"python\"]\n",
        id="consistent-from-as-casing",
    ),
    pytest.param(
        "FROM python:3.12-slim AS builder\nCMD python build.py\nFROM python:3.12-slim\nCMD [\"python\", \"app.py\"]\n",
        id="shell-form-cmd-in-builder-stage",
    ),
    pytest.param(BASE + "CMD python app.py\nCMD [\"python\", \"app.py\"]\n", id="overridden-shell-form-cmd"),
    pytest.param(
        "FROM python:3.12-slim AS base\nCMD python app.py\nFROM base\nENTRYPOINT [\"python\", \"app.py\"]\n",
        id="inherited-cmd-cleared-by-entrypoint",
    ),
    pytest.param(BASE + "CMD exec gunicorn --bind 0.0.0.0:$PORT app:app\n", id="shell-form-with-exec"),
    # The process that ends up running is the last command of the list: it replaces the shell.
    pytest.param(
        BASE + "CMD kinto migrate --ini $KINTO_INI && exec kinto start --ini $KINTO_INI\n", id="kinto-exec-last",
    ),
    pytest.param(
        BASE + "CMD python manage.py migrate && \\\n    exec gunicorn app.wsgi\n", id="exec-last-over-lines",
    ),
    pytest.param(BASE + "CMD cd /app; exec gunicorn app:app\n", id="exec-after-semicolon"),
    pytest.param(BASE + "CMD PORT=8000 exec python -m app\n", id="assignment-before-exec"),
    pytest.param(BASE + "CMD exec gunicorn app:app || exit 1\n", id="exec-then-fallback"),
    pytest.param(
        BASE + "CMD exec sh -c 'python manage.py migrate && exec gunicorn app.wsgi'\n", id="exec-sh-c-exec-last",
    ),
    pytest.param(BASE + "ENTRYPOINT alembic upgrade head && exec python -m app\n", id="entrypoint-exec-last"),
    pytest.param(BASE + "ENTRYPOINT [\"python\", \"-m\", \"app\"]\nCMD [\"--port\", \"8000\"]\n", id="exec-both"),
    pytest.param(BASE, id="no-cmd-base-image-default"),
    pytest.param(
        "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nCOPY app C:\\app\n"
        "SHELL [\"powershell\", \"-Command\"]\nRUN Write-Host `\n    hi\nCMD C:\\app\\run.exe\n",
        id="escape-backtick-windows",
    ),
    pytest.param(
        "\ufefffrom python:3.12-slim as base\r\nenv A=1\r\ncmd [\"python\"]\r\n", id="bom-crlf-lowercase",
    ),
    pytest.param(
        "# escape=`\nFROM python:3.12-windowsservercore-ltsc2022\nWORKDIR C:\\app\\\n"
        "COPY requirements.txt C:\\app\\ \nENV PATH=\"C:\\Python312\\Scripts;${PATH}\"\n"
        'CMD ["python", "C:\\\\app\\\\main.py"]\n',
        id="escape-backtick-backslash-is-a-path-char",
    ),
    pytest.param(
        "FROM python:3.12-slim AS builder\nRUN pip wheel -w /w .\n"
        "FROM gcr.io/distroless/python3-debian12:nonroot\nCOPY --from=builder /w /w\n"
        "HEALTHCHECK --interval=30s --timeout=3s CMD [\"python3\", \"-c\", "
        "\"import urllib.request as u; u.urlopen('http://127.0.0.1:8000/')\"]\n"
        'ENTRYPOINT ["python3", "-m", "gunicorn"]\nCMD ["app:app"]\n',
        id="distroless-final-exec-form-probe",
    ),
    pytest.param(
        BASE + "HEALTHCHECK NONE\nHEALTHCHECK --interval=30s CMD python -c \"import sys; sys.exit(0)\"\n"
        'CMD ["celery", "-A", "proj", "worker"]\n',
        id="healthchecks-and-celery-worker",
    ),
    pytest.param(
        BASE + "COPY <<EOF /etc/app.conf\n# not an instruction: ENV A 1 # x\nEOF\n"
        "RUN <<EOF\npip install x  # comment\nEOF\nCMD [\"python\"]\n",
        id="heredoc-bodies",
    ),
    pytest.param(
        BASE + "ONBUILD RUN echo hi # comment\nONBUILD ENV A=1\nCMD [\"python\"]\n", id="onbuild-fine",
    ),
    pytest.param(BASE + 'LABEL a="say \\"hi\\" # not a comment"\nENTRYPOINT exec python -m app\n', id="escaped-quote"),
    pytest.param(
        "FROM registry.example.com/base:1\nSHELL [\"powershell\", \"-Command\"]\nCMD Start-App\n",
        id="powershell-shell-is-windows",
    ),
    pytest.param(BASE + "ENV A\nCMD [\"python\"]\n", id="env-without-value-is-dph904-not-dph606"),
]

EXEC_VARIABLE = (
    "exec form runs no shell, so '{}' is not expanded: the program gets that literal text; run the command "
    "through a shell ({} {}) or write the value"
)

FAIL = [
    pytest.param(
        BASE + 'ENV PORT=8000\nCMD ["gunicorn", "--bind", "0.0.0.0:${PORT}", "app:app"]\n'
        'RUN ["pip", "install", "-r", "$REQS"]\n'
        'HEALTHCHECK --interval=30s CMD ["python3", "probe.py", "--port", "$PORT"]\n'
        'ONBUILD ENTRYPOINT ["app", "--workers", "${WORKERS:-2}"]\n',
        [
            (3, 37, "DPH608", EXEC_VARIABLE.format("${PORT}", "CMD", '["sh", "-c", "exec ..."]')),
            (4, 31, "DPH608", EXEC_VARIABLE.format("$REQS", "RUN", '["sh", "-c", "..."]')),
            (5, 67, "DPH608", EXEC_VARIABLE.format("$PORT", "HEALTHCHECK CMD", '["sh", "-c", "..."]')),
            (6, 42, "DPH608", EXEC_VARIABLE.format("${WORKERS:-2}", "ENTRYPOINT", '["sh", "-c", "exec ..."]')),
        ],
        id="exec-form-variable",
    ),
    pytest.param(
        BASE + 'CMD ["python3 main.py"]\nRUN ["pip install -r r.txt"]\nHEALTHCHECK CMD ["curl -f http://x/"]\n',
        [
            (2, 7, "DPH609", "exec form runs the program named 'python3 main.py', blanks included, which does not "
             "exist, so the container does not start; give each word its own item: CMD [\"python3\", \"main.py\"]"),
            (3, 7, "DPH609", "exec form runs the program named 'pip install -r r.txt', blanks included, which does "
             "not exist, so the build fails; give each word its own item: RUN [\"pip\", \"install\", \"-r\", "
             "\"r.txt\"]"),
            (4, 19, "DPH609", "exec form runs the program named 'curl -f http://x/', blanks included, which does "
             "not exist, so the check always fails; give each word its own item: HEALTHCHECK CMD [\"curl\", "
             "\"-f\", \"http://x/\"]"),
        ],
        id="exec-form-command-in-one-item",
    ),
    pytest.param(
        BASE + 'ENTRYPOINT ["tini", "--", "gosu", "app"]\nCMD ["gunicorn", "--bind", ":$PORT"]\n',
        [(3, 30, "DPH608", EXEC_VARIABLE.format("$PORT", "CMD", '["sh", "-c", "exec ..."]'))],
        id="exec-form-cmd-under-pass-through-wrappers",
    ),
    pytest.param(
        BASE + 'HEALTHCHECK --interval=30s CMD ["curl", "-f", "http://127.0.0.1/"] || exit 1\nCMD ["python"]\n',
        [(2, 68, "DPH603", f"HEALTHCHECK exec form is followed by more text ('|| exit 1'), {SH}; "
          "move it into the list or drop it")],
        id="healthcheck-exec-form-or-exit",
    ),
    pytest.param(
        BASE + "CMD ['gunicorn', 'app:app']\n",
        [(2, 6, "DPH603", f"CMD exec form uses single quotes, which JSON does not allow, {SH}; use double quotes")],
        id="single-quotes-no-dph605-twice",
    ),
    pytest.param(
        BASE + 'ENTRYPOINT ["python"\n',
        [(2, 21, "DPH603", f"ENTRYPOINT exec form is not valid JSON (expecting ',' delimiter), {SH}; "
          "write a JSON array of double-quoted strings")],
        id="unclosed",
    ),
    pytest.param(
        BASE + 'CMD ["python" \\\n    "app.py"]\n',
        [(3, 5, "DPH603", f"CMD exec form is not valid JSON (expecting ',' delimiter), {SH}; "
          "write a JSON array of double-quoted strings")],
        id="missing-comma-on-continuation-line",
    ),
    pytest.param(
        BASE + 'RUN ["pip", "install", "x"] && echo done\nCMD ["python", 3]\n',
        [
            (2, 29, "DPH603", f"RUN exec form is followed by more text ('&& echo done'), {SH}; "
             "move it into the list or drop it"),
            (3, 5, "DPH603", f"CMD exec form has items that are not strings, {SH}; quote every item"),
        ],
        id="run-trailing-and-non-string",
    ),
    pytest.param(
        BASE + 'RUN [ "pip", "install", "x" ] && echo\nCMD ["python"]\n',
        [(2, 31, "DPH603", f"RUN exec form is followed by more text ('&& echo'), {SH}; "
          "move it into the list or drop it")],
        id="run-list-with-blanks-inside-brackets",
    ),
    pytest.param(
        "# escape=`\nFROM python:3.12-windowsservercore-ltsc2022\nCMD [\"C:\\app\\run.exe\"]\n",
        [(3, 9, "DPH603", f"CMD exec form is not valid JSON (invalid \\escape), {SH}; "
          "write a JSON array of double-quoted strings")],
        id="windows-path-backslash",
    ),
    pytest.param(
        BASE + "VOLUME ['/data']\nSHELL [\"/bin/bash\", \"-c\"] # bash\nCMD [\"python\"]\n",
        [
            (2, 9, "DPH603", "VOLUME exec form uses single quotes, which JSON does not allow, so Docker takes "
             "the brackets and quotes as part of the paths; use double quotes"),
            (3, 27, "DPH603", "SHELL exec form is followed by more text ('# bash'), so the build fails; "
             "move it into the list or drop it"),
        ],
        id="volume-and-shell",
    ),
    pytest.param(
        BASE + "WORKDIR /app  # code\nCOPY . /app # all\nEXPOSE 8000 # http\nCMD [\"python\"]\n",
        [
            (2, 15, "DPH604", "'# code' is not a comment: " + NOT_COMMENT.format("WORKDIR")),
            (3, 13, "DPH604", "'# all' is not a comment: " + NOT_COMMENT.format("COPY")),
            (4, 13, "DPH604", "'# http' is not a comment: " + NOT_COMMENT.format("EXPOSE")),
        ],
        id="inline-comments",
    ),
    pytest.param(
        BASE + "ENV A=1 \\\n    B=2 # the B\nONBUILD COPY . /src #x\nCMD [\"python\"]\n",
        [
            (3, 9, "DPH604", "'# the B' is not a comment: " + NOT_COMMENT.format("ENV")),
            (4, 21, "DPH604", "'#x' is not a comment: " + NOT_COMMENT.format("COPY")),
        ],
        id="continuation-and-onbuild",
    ),
    pytest.param(
        "# escape=`\nFROM python:3.12-windowsservercore-ltsc2022\nCOPY . C:\\app\\ #x\n",
        [(3, 16, "DPH604", "'#x' is not a comment: " + NOT_COMMENT.format("COPY"))],
        id="escape-backtick-backslash-before-blank-is-not-an-escape",
    ),
    pytest.param(
        BASE + "ENV PYTHONUNBUFFERED 1\nLABEL maintainer \"Jane Doe <jane@example.com>\"\n"
        "env PATH /opt/venv/bin:$PATH\nENV A 1 2\nCMD [\"python\"]\n",
        [
            (2, 5, "DPH606", f"legacy 'ENV key value' form: write 'ENV PYTHONUNBUFFERED=1'; {LEGACY}"),
            (3, 7, "DPH606", "legacy 'LABEL key value' form: write "
             f"'LABEL maintainer=\"Jane Doe <jane@example.com>\"'; {LEGACY}"),
            (4, 5, "DPH606", f"legacy 'ENV key value' form: write 'env PATH=/opt/venv/bin:$PATH'; {LEGACY}"),
            (5, 5, "DPH606", f"legacy 'ENV key value' form: write 'ENV A=\"1 2\"'; {LEGACY}"),
        ],
        id="legacy-env-and-label",
    ),
    pytest.param(
        BASE + "ENV LONG /opt/a/very/long/path/that/goes/on/and/on/and/on/bin\nENV Q say \"hi\"\nCMD [\"python\"]\n",
        [
            (2, 5, "DPH606", f"legacy 'ENV key value' form: write 'ENV LONG=...'; {LEGACY}"),
            (3, 5, "DPH606", f"legacy 'ENV key value' form: write 'ENV Q=...'; {LEGACY}"),
        ],
        id="legacy-values-too-long-or-quoted",
    ),
    pytest.param(
        # Real-world shape: blanks around '=' turn 'name=value' into the legacy form.
        BASE + "ENV PYTHONDONTWRITEBYTECODE = 1 \nENV PYTHONUNBUFFERED =1\nLABEL version = \"2.0 beta\"\n"
        "CMD [\"python\"]\n",
        [
            (2, 5, "DPH606", "the blanks around '=' make this the legacy 'ENV key value' form: it sets "
             "PYTHONDONTWRITEBYTECODE to '= 1'; write 'ENV PYTHONDONTWRITEBYTECODE=1'"),
            (3, 5, "DPH606", "the blanks around '=' make this the legacy 'ENV key value' form: it sets "
             "PYTHONUNBUFFERED to '=1'; write 'ENV PYTHONUNBUFFERED=1'"),
            (4, 7, "DPH606", "the blanks around '=' make this the legacy 'LABEL key value' form: it sets "
             "version to '= \"2.0 beta\"'; write 'LABEL version=\"2.0 beta\"'"),
        ],
        id="blanks-around-equals-sign",
    ),
    pytest.param(
        "FROM python:3.12-slim as builder\nfrom python:3.12-slim AS b2\n"
        "FROM --platform=$BUILDPLATFORM python:3.12-slim   As   final\nCMD [\"python\"]\n",
        [
            (1, 23, "DPH607", "'as' is not cased like 'FROM': write 'FROM ... AS builder'"),
            (2, 23, "DPH607", "'AS' is not cased like 'from': write 'from ... as b2'"),
            (3, 51, "DPH607", "'As' is not cased like 'FROM': write 'FROM ... AS final'"),
        ],
        id="from-as-casing",
    ),
    pytest.param(
        BASE + "CMD gunicorn --bind 0.0.0.0:8000 app:app\n",
        [(2, 5, "DPH605", CMD_SHELL + 'use exec form: CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]')],
        id="shell-form-cmd",
    ),
    pytest.param(
        BASE + "CMD gunicorn --bind 0.0.0.0:$PORT app:app\n",
        [(2, 5, "DPH605", CMD_SHELL + "start the command with 'exec' (CMD exec ...): it replaces the shell, "
          "which still expands the variables")],  # exec form would pass '$PORT' on as text (DPH608)
        id="shell-form-cmd-with-expansion",
    ),
    pytest.param(
        "FROM python:3.12-slim AS base\nENTRYPOINT python -m app\nFROM base\nCMD --port 8000\n",
        [(2, 12, "DPH605", "ENTRYPOINT in shell form runs under /bin/sh -c: the application is not PID 1, "
          "gets no SIGTERM from 'docker stop', and CMD and 'docker run' arguments are ignored; "
          'use exec form: ENTRYPOINT ["python", "-m", "app"]')],
        id="inherited-shell-form-entrypoint",
    ),
    pytest.param(
        BASE + 'ENTRYPOINT ["/docker-entrypoint.sh"]\nCMD exec uvicorn app:app\n',
        [(3, 5, "DPH605", "CMD in shell form after an exec-form ENTRYPOINT passes '/bin/sh', '-c' and the "
          "command to the ENTRYPOINT as arguments; write CMD in exec form (a JSON array)")],
        id="shell-form-cmd-after-exec-entrypoint",
    ),
    pytest.param(
        BASE + "CMD kinto migrate --ini kinto.ini && kinto start --ini kinto.ini\n",
        [(2, 5, "DPH605", CMD_SHELL + "put 'exec' before the command that runs the application, so it replaces "
          "the shell: '... && exec kinto start ...'")],
        id="list-without-exec",
    ),
    pytest.param(
        BASE + "CMD exec python manage.py migrate && gunicorn app.wsgi\n",
        [(2, 5, "DPH605", "CMD in shell form: 'exec' before 'python manage.py ...' replaces the shell with it, so "
          "the commands after it never run; put 'exec' only before the command that runs the application: "
          "'... && exec gunicorn app.wsgi'")],
        id="exec-first-stops-the-rest",
    ),
    pytest.param(
        BASE + "ENTRYPOINT exec alembic upgrade head; exec python -m app\n",
        [(2, 12, "DPH605", "ENTRYPOINT in shell form: 'exec' before 'alembic upgrade ...' replaces the shell with "
          "it, so the commands after it never run; put 'exec' only before the command that runs the "
          "application: '...; exec python -m ...'")],
        id="entrypoint-two-execs",
    ),
    pytest.param(
        BASE + "CMD exec migrate | tee log && gunicorn app:app | tee -a log\n",
        [(2, 5, "DPH605", CMD_SHELL + "use exec form, or put 'exec' before the command that runs the application, "
          "outside any pipeline, subshell or compound command")],
        id="exec-in-a-pipeline-replaces-a-child",
    ),
    pytest.param(
        BASE + "CMD (cd /app && exec gunicorn app:app)\n",
        [(2, 5, "DPH605", CMD_SHELL + "use exec form, or put 'exec' before the command that runs the application, "
          "outside any pipeline, subshell or compound command")],
        id="exec-in-a-subshell",
    ),
    pytest.param(
        BASE + "CMD exec sh -c 'python manage.py migrate && gunicorn app.wsgi'\n",
        [(2, 5, "DPH605", CMD_SHELL + "put 'exec' before the command that runs the application, so it replaces "
          "the shell: '... && exec gunicorn app.wsgi'")],
        id="exec-sh-c-without-exec-inside",
    ),
    pytest.param(
        BASE + "CMD PORT=8000 gunicorn app:app\n",
        [(2, 5, "DPH605", CMD_SHELL + "put 'exec' before the command that runs the application, so it replaces "
          "the shell: 'PORT=8000 exec gunicorn app:app'")],
        id="assignment-is-not-exec-form",
    ),
    pytest.param(
        BASE + "CMD gunicorn app:app || exit 1\n",
        [(2, 5, "DPH605", CMD_SHELL + "put 'exec' before the command that runs the application, so it replaces "
          "the shell: 'exec gunicorn app:app'")],
        id="fallback-after-or-is-not-the-application",
    ),
    pytest.param(
        BASE + "CMD exec >/proc/1/fd/1 2>&1; gunicorn app:app\n",
        [(2, 5, "DPH605", CMD_SHELL + "put 'exec' before the command that runs the application, so it replaces "
          "the shell: '...; exec gunicorn app:app'")],
        id="exec-redirection-replaces-nothing",
    ),
    pytest.param(
        BASE + "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nCMD python app.py\n",
        [(3, 5, "DPH605", CMD_SHELL + 'use exec form: CMD ["python", "app.py"]')],
        id="explicit-posix-shell-does-not-silence",
    ),
]


@pytest.mark.parametrize("text", PASS)
def test_pass(text: str) -> None:
    assert check(parse(text)) == []


@pytest.mark.parametrize(("text", "expected"), FAIL)
def test_fail(text: str, expected: list[tuple[int, int, str, str]]) -> None:
    found = [(f.line, f.col, f.code, f.message) for f in sorted(check(parse(text)))]
    assert found == expected


def test_target_selects_stage_for_dph605_only() -> None:
    text = "FROM python:3.12-slim AS prod\nCMD [\"python\"]\nFROM prod AS debug\nENV A 1\nCMD python -i\n"
    assert [f.code for f in check(parse(text), target="debug")] == ["DPH606", "DPH605"]
    assert [f.code for f in check(parse(text), target="prod")] == ["DPH606"]
    assert [f.code for f in check(parse(text))] == ["DPH606"]  # a last 'debug' stage is not shipped
    assert [f.code for f in check(parse(text), target="nope")] == ["DPH606", "DPH905"]


def test_main(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    good = write("Dockerfile", BASE + 'CMD ["python", "app.py"]\n')
    bad = write("Containerfile", BASE.replace("\n", "\r\n") + "CMD ['python', 'app.py']\r\n")
    assert main([good]) == 0
    assert main([good, bad]) == 1
    assert capsys.readouterr().out == (
        f"Containerfile:2:6: DPH603 CMD exec form uses single quotes, which JSON does not allow, {SH}; "
        "use double quotes\n"
    )


@pytest.mark.parametrize(
    ("cmd", "script", "shebang", "offered"),
    [
        ("./start.sh", "start.sh", b"echo hi\n", False),
        ("/app/bin/run.sh", "bin/run.sh", b"set -e\nexec python app.py\n", False),
        ("./start.sh", "start.sh", b"#!/bin/sh\necho hi\n", True),
        ("./missing.sh", "start.sh", b"echo hi\n", True),  # not in the context: the fix as before
        ("python app.py", "app.py", b"print(1)\n", True),  # a program on PATH, not a path
    ],
)
def test_dph605_no_exec_form_fix_for_a_script_without_shebang(
    write: Writer, cmd: str, script: str, shebang: bytes, offered: bool,
) -> None:
    from hooks._files import Repo
    from hooks._hook import Context
    from hooks.check_dockerfile_pitfalls import HOOK

    write(script, shebang)
    path = write("Dockerfile", BASE + f"WORKDIR /app\nCOPY {script} {posixpath.dirname(script) or '.'}/\nCMD {cmd}\n")
    df = parse(Path(path).read_text(encoding="utf-8"), path)
    assert HOOK.dockerfile is not None
    found = [f for f in HOOK.dockerfile(df, Context(Repo(), HOOK_OPTIONS)) if f.code == "DPH605"]
    assert len(found) == 1
    assert bool(found[0].fix) == offered
    assert ("needs a '#!' line in" in found[0].message) == (not offered)
    if not offered:
        assert found[0].message.endswith(
            f"(the exec form needs a '#!' line in {script}, e.g. '#!/bin/sh': it has none)"
        )


def test_suppression(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    text = BASE + "# dph: ignore=DPH605 the entrypoint script traps signals\nCMD ./start.sh && wait\n"
    assert main([write("Dockerfile", text)]) == 0
    assert capsys.readouterr().out == ""


# --- Where BuildKit's own checks overlap (JSONArgsRecommended, LegacyKeyValueFormat,
# FromAsCasing): the cases of its lint tests, in our words. -----------------------------
def _codes(text: str) -> list[tuple[int, str]]:
    return [(f.line, f.code) for f in sorted(check(parse(text)))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("FROM scratch\nCMD serve --forever\n", [(2, "DPH605")], id="json-args-cmd"),
        pytest.param("FROM scratch\nENTRYPOINT serve\n", [(2, "DPH605")], id="json-args-entrypoint"),
        pytest.param(
            "FROM scratch\nENV app_home /srv\nLABEL team platform\n", [(2, "DPH606"), (3, "DPH606")],
            id="legacy-env-and-label",
        ),
        pytest.param(
            "FROM scratch AS root\n\nFROM root AS unused\nENV app_home /srv\nLABEL team platform\n\nFROM root\n",
            [(4, "DPH606"), (5, "DPH606")], id="legacy-in-a-stage-nothing-builds",
        ),
        pytest.param("FROM scratch AS Tools\n\nFROM scratch as tests\nFROM scratch AS last\n",
                     [(3, "DPH607")], id="as-lower-after-upper-from"),
        pytest.param("from scratch AS tools\n\nfrom scratch as tests\n", [(1, "DPH607")],
                     id="as-upper-after-lower-from"),
    ],
)
def test_buildkit_overlap_fail(text: str, expected: list[tuple[int, str]]) -> None:
    assert _codes(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('FROM scratch\nENTRYPOINT ["serve"]\nCMD ["--forever"]\n', id="json-args"),
        pytest.param("FROM scratch\nENV app_home=/srv\nLABEL team=platform\n", id="key-equals-value"),
        pytest.param("From scratch as tools\nFROM scratch AS tests\n", id="mixed-case-from-not-judged"),
        pytest.param("frOM scratch as tools\nfrom scratch as tests\n", id="odd-case-from-not-judged"),
    ],
)
def test_buildkit_overlap_pass(text: str) -> None:
    assert check(parse(text)) == []


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('FROM scratch\nSHELL ["/opt/bin/mysh"]\nCMD serve\n', id="cmd-after-shell"),
        pytest.param('FROM scratch\nSHELL ["/opt/bin/mysh"]\nENTRYPOINT serve\n', id="entrypoint-after-shell"),
        pytest.param('FROM scratch AS base\nSHELL ["/opt/bin/mysh"]\n\nFROM base\nCMD serve\n',
                     id="cmd-after-inherited-shell"),
        pytest.param('FROM scratch AS base\nSHELL ["/opt/bin/mysh"]\n\nFROM base\nENTRYPOINT serve\n',
                     id="entrypoint-after-inherited-shell"),
    ],
)
def test_buildkit_silenced_by_shell_dph605_is_not(text: str) -> None:
    # BuildKit's JSONArgsRecommended keeps quiet after a SHELL; DPH605 documents why it does not.
    assert [code for _line, code in _codes(text)] == ["DPH605"]


def test_main_exec_before_the_first_command(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    # Real-world shape: 'exec' before the migration, so the server never starts.
    bad = write("Dockerfile", BASE + "CMD exec python manage.py migrate && gunicorn app.wsgi\n")
    assert main([bad]) == 1
    assert capsys.readouterr().out == (
        "Dockerfile:2:5: DPH605 CMD in shell form: 'exec' before 'python manage.py ...' replaces the shell with "
        "it, so the commands after it never run; put 'exec' only before the command that runs the application: "
        "'... && exec gunicorn app.wsgi'\n"
    )
    good = write("Dockerfile", BASE + "CMD python manage.py migrate && exec gunicorn app.wsgi\n")
    assert main([good]) == 0
