from __future__ import annotations

import pytest

from hooks import _shell
from hooks._dockerfile import parse


def _words_at(script: str) -> list[tuple[str, ...]]:
    """Each command's words, each word replaced by the script text at its offset."""
    out = []
    for cmd in _shell.commands(script):
        assert len(cmd.offsets) == len(cmd.words)
        out.append(tuple(script[o:o + len(w)] for w, o in zip(cmd.words, cmd.offsets, strict=True)))
    return out


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        pytest.param("apt-get install -y gcc", [("apt-get", "install", "-y", "gcc")], id="plain"),
        pytest.param(
            "DEBIAN_FRONTEND=noninteractive sudo -E apt-get  install x",
            [("apt-get", "install", "x")],
            id="assignment-and-sudo-skipped",
        ),
        pytest.param(
            "apt-get update && sh -c 'apt-get install -y gcc'",
            [("apt-get", "update"), ("apt-get", "install", "-y", "gcc")],
            id="sh-c-single-quoted",
        ),
        pytest.param(
            'bash -ec "pip install a  &&  pip install b"',
            [("pip", "install", "a"), ("pip", "install", "b")],
            id="bash-c-double-quoted",
        ),
    ],
)
def test_word_offsets(script: str, expected: list[tuple[str, ...]]) -> None:
    assert _words_at(script) == expected


def test_word_offsets_escaped_inner_script_point_at_the_word() -> None:
    script = 'sh -c "echo \\"x\\" && gcc -v"'
    cmds = _shell.commands(script)
    assert [c.words for c in cmds] == [("echo", "x"), ("gcc", "-v")]
    assert {o for c in cmds for o in c.offsets} == {6}  # the -c argument's opening quote


def test_command_offsets_default_keeps_old_constructor() -> None:
    assert _shell.Command(("a",), (), 0).offsets == ()


def _located(text: str, index: int = 1) -> list[list[tuple[str, tuple[int, int]]]]:
    df = parse(text)
    script = _shell.run_script(df.instructions[index], df.lines)
    return [
        [(word, script.position(off)) for word, off in zip(c.words, c.offsets, strict=True)]
        for c in script.commands()
    ]


def test_run_script_shell_form_continuation() -> None:
    text = "FROM x\nRUN apt-get update \\\n  && apt-get install -y gcc\n"
    assert _located(text) == [
        [("apt-get", (2, 5)), ("update", (2, 13))],
        [("apt-get", (3, 6)), ("install", (3, 14)), ("-y", (3, 22)), ("gcc", (3, 25))],
    ]


def test_run_script_heredoc_body_is_the_script() -> None:
    text = "FROM x\nRUN <<EOF\nset -e\napt-get install -y  gcc\nEOF\n"
    assert _located(text) == [
        [("set", (3, 1)), ("-e", (3, 5))],
        [("apt-get", (4, 1)), ("install", (4, 9)), ("-y", (4, 17)), ("gcc", (4, 21))],
    ]


def test_run_script_chomped_heredoc_columns() -> None:
    text = "FROM x\nRUN <<-EOF\n\t\tapt-get install gcc\n\tEOF\n"
    assert _located(text) == [[("apt-get", (3, 3)), ("install", (3, 11)), ("gcc", (3, 19))]]


def test_run_script_heredoc_fed_to_a_shell() -> None:
    text = "FROM x\nRUN bash -ex <<EOF\napt-get purge gcc\nEOF\n"
    assert [[w for w, _ in c] for c in _located(text)] == [["bash", "-ex"], ["apt-get", "purge", "gcc"]]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("FROM x\nRUN python3 <<EOF\nimport os\nEOF\n", id="python-stdin"),
        pytest.param("FROM x\nRUN cat <<EOF > /etc/f\napt-get install gcc\nEOF\n", id="file-content"),
        pytest.param("FROM x\nRUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\n", id="python-shebang"),
    ],
)
def test_run_script_heredoc_data_is_not_shell(text: str) -> None:
    df = parse(text)
    script = _shell.run_script(df.instructions[1], df.lines)
    assert "import" not in script.text and "apt-get" not in script.text and "print" not in script.text


def test_run_script_shell_shebang_heredoc() -> None:
    text = "FROM x\nRUN <<EOF\n#!/usr/bin/env bash\napt-get update\nEOF\n"
    assert [[w for w, _ in c] for c in _located(text)] == [["apt-get", "update"]]


def test_run_script_exec_form() -> None:
    text = 'FROM x\nRUN ["sh", "-c", "apt-get update && apt-get install -y gcc"]\n'
    assert _located(text) == [
        [("apt-get", (2, 19)), ("update", (2, 27))],
        [("apt-get", (2, 37)), ("install", (2, 45)), ("-y", (2, 53)), ("gcc", (2, 56))],
    ]
    text = 'FROM x\nRUN ["apt-get", "install", "-y", "g++"]\n'
    assert _located(text) == [[("apt-get", (2, 7)), ("install", (2, 18)), ("-y", (2, 29)), ("g++", (2, 35))]]


def test_run_script_exec_form_with_escapes_points_at_the_string() -> None:
    text = 'FROM x\nRUN ["sh", "-c", "echo \\"a\\" && gcc -v"]\n'
    assert _located(text) == [[("echo", (2, 18)), ("a", (2, 18))], [("gcc", (2, 18)), ("-v", (2, 18))]]


@pytest.mark.parametrize(
    ("script", "manager", "verb", "options", "operands"),
    [
        pytest.param(
            "apt-get -y install -qq --no-install-recommends gcc libpq-dev=15.1",
            "apt-get", "install", ("-y", "-qq", "--no-install-recommends"), ["gcc", "libpq-dev=15.1"],
            id="apt-get-options-around-verb",
        ),
        pytest.param(
            "apt-get -o APT::Install-Recommends=false install x",
            "apt-get", "install", ("-o", "APT::Install-Recommends=false"), ["x"],
            id="apt-option-value-is-not-the-verb",
        ),
        pytest.param("apt update", "apt", "update", (), [], id="apt"),
        pytest.param(
            "apk add --no-cache --virtual .build-deps gcc musl-dev",
            "apk", "add", ("--no-cache", "--virtual", ".build-deps"), ["gcc", "musl-dev"],
            id="apk-virtual",
        ),
        pytest.param("apk --no-cache add -t .deps gcc", "apk", "add", ("--no-cache", "-t", ".deps"), ["gcc"],
                     id="apk-t"),
        pytest.param(
            "dnf -y group install 'Development Tools'", "dnf", "group install", ("-y",), ["Development Tools"],
            id="dnf-group",
        ),
        pytest.param(
            "/usr/bin/microdnf install -y --setopt install_weak_deps=0 gcc", "microdnf", "install",
            ("-y", "--setopt", "install_weak_deps=0"), ["gcc"], id="microdnf-path",
        ),
        pytest.param("eatmydata apt-get install -- -weird", "apt-get", "install", (), ["-weird"],
                     id="eatmydata-and-double-dash"),
        pytest.param("sudo yum -y remove gcc", "yum", "remove", ("-y",), ["gcc"], id="yum-sudo"),
    ],
)
def test_package_call(
    script: str, manager: str, verb: str, options: tuple[str, ...], operands: list[str]
) -> None:
    (cmd,) = _shell.commands(script)
    call = _shell.package_call(cmd)
    assert call is not None
    assert (call.manager, call.verb, call.options, call.operand_words()) == (manager, verb, options, operands)


@pytest.mark.parametrize("script", ["pip install gcc", "apt-get -y", "apt-mark auto gcc", "echo apt-get"])
def test_package_call_none(script: str) -> None:
    (cmd,) = _shell.commands(script)
    assert _shell.package_call(cmd) is None


def test_shell_heredocs() -> None:
    df = parse(
        "FROM x\nRUN <<A\napt-get update\nA\nRUN python3 <<B\nimport os\nB\n"
        "RUN <<C\n#!/bin/bash -e\ntrue\nC\nRUN <<D\n#!/usr/bin/env python3\nD\n"
    )
    assert [[doc.name for doc in _shell.shell_heredocs(i)] for i in df.instructions[1:]] == [
        ["A"], [], ["C"], [],
    ]


@pytest.mark.parametrize(
    ("script", "tool", "verb", "args"),
    [
        pytest.param("pip install x", "pip", "install", ("x",), id="pip"),
        pytest.param("/usr/local/bin/pip3.12 --no-cache-dir install x", "pip", "install", ("x",), id="pip-path"),
        pytest.param("python3 -m pip --timeout 60 install -r r.txt", "pip", "install", ("-r", "r.txt"),
                     id="python-m-pip"),
        pytest.param("python -mpip install x", "pip", "install", ("x",), id="python-mpip"),
        pytest.param("uv --native-tls pip install x", "uv", "pip install", ("x",), id="uv-flag-before-pip"),
        pytest.param("uv --directory /app sync --frozen", "uv", "sync", ("--frozen",), id="uv-global-value"),
        pytest.param("poetry -C app install --no-root", "poetry", "install", ("--no-root",), id="poetry"),
        pytest.param("sudo -H pipenv install --system", "pipenv", "install", ("--system",), id="pipenv-sudo"),
    ],
)
def test_python_install(script: str, tool: str, verb: str, args: tuple[str, ...]) -> None:
    (cmd,) = _shell.commands(script)
    install = _shell.python_install(cmd)
    assert install is not None
    assert (install.tool, install.verb, install.args) == (tool, verb, args)


@pytest.mark.parametrize("script", ["pipx install poetry", "python -m venv /v", "uv", "echo pip install x"])
def test_python_install_none(script: str) -> None:
    (cmd,) = _shell.commands(script)
    assert _shell.python_install(cmd) is None


@pytest.mark.parametrize(
    ("script", "words"),
    [
        pytest.param("xargs -a /tmp/pkgs apt-get install -y", ("apt-get", "install", "-y"), id="xargs-a"),
        pytest.param("xargs -r -I {} pip install {}", ("pip", "install", "{}"), id="xargs-I"),
        pytest.param("xargs -n 1 -P 4 gcc -c", ("gcc", "-c"), id="xargs-n-P"),
        pytest.param("timeout -s KILL 60 pip download x", ("pip", "download", "x"), id="timeout-s"),
        pytest.param("nice -n 10 make", ("make",), id="nice-n"),
        pytest.param("stdbuf -o L pip install x", ("pip", "install", "x"), id="stdbuf-o"),
    ],
)
def test_wrapper_options_with_values(script: str, words: tuple[str, ...]) -> None:
    (cmd,) = _shell.commands(script)
    assert cmd.words == words


@pytest.mark.parametrize(
    ("args", "names", "values"),
    [
        pytest.param(("-r", "a.txt", "--requirement=b.txt", "-rc.txt"), ("-r", "--requirement"),
                     ["a.txt", "b.txt", "c.txt"], id="long-short-attached"),
        pytest.param(("-Ur", "requirements.txt"), ("-r",), ["requirements.txt"], id="cluster-value-next-word"),
        pytest.param(("-qUrreq.txt",), ("-r",), ["req.txt"], id="cluster-value-attached"),
        pytest.param(("-Uc", "constraints.txt", "flask"), ("-c", "--constraint"), ["constraints.txt"],
                     id="cluster-constraint"),
        pytest.param(("-ir", "x"), ("-r",), [], id="value-option-swallows-the-rest"),
        pytest.param(("-e", ".", "-U"), ("-r",), [], id="no-match"),
        pytest.param(("--upgrade", "--cache-dir", "/c"), ("--cache-dir",), ["/c"], id="long-only"),
    ],
)
def test_option_value(args: tuple[str, ...], names: tuple[str, ...], values: list[str]) -> None:
    assert _shell.option_value(args, *names) == values


@pytest.mark.parametrize(
    ("script", "words"),
    [
        pytest.param("setup() { apt-get install -y x; }", [("apt-get", "install", "-y", "x")], id="name-parens"),
        pytest.param("function setup { pip install x; }", [("pip", "install", "x")], id="function-keyword"),
        pytest.param("function setup() { echo hi; }", [("echo", "hi")], id="function-keyword-parens"),
    ],
)
def test_function_definition_body_is_read(script: str, words: list[tuple[str, ...]]) -> None:
    assert [cmd.words for cmd in _shell.commands(script)] == words


def test_defined_functions() -> None:
    script = "a() { true; }; b () { true; }; function c { true; }; function d() { true; }; echo e(x)"
    assert _shell.defined_functions(script) == frozenset({"a", "b", "c", "d"})
    assert _shell.defined_functions("apt-get install -y x") == frozenset()


@pytest.mark.parametrize(
    ("script", "unseen"),
    [
        pytest.param("/bin/bash /tmp/library-scripts/common-debian.sh true", True, id="shell-runs-a-file"),
        pytest.param("./setup", True, id="relative-path"),
        pytest.param("/usr/local/bin/install-deps --all", True, id="path-outside-system-dirs"),
        pytest.param("setup.sh", True, id="script-on-path"),
        pytest.param(". /tmp/env.sh", True, id="sourced"),
        pytest.param("source /tmp/env.sh", True, id="source"),
        pytest.param('sh -c "$EXTRA"', True, id="sh-c-variable"),
        pytest.param('eval "$(cat /tmp/cmds)"', True, id="eval-substitution"),
        pytest.param("${INSTALLER} libpq5", True, id="variable-as-program"),
        pytest.param("install_packages curl", True, id="install-helper"),
        pytest.param("make system-deps", True, id="makefile-recipe"),
        pytest.param("su vscode -c 'umask 0002 && nvm install 20'", True, id="su-c"),
        pytest.param("ansible-playbook -c local site.yml", True, id="playbook"),
        pytest.param("echo hi", False, id="echo"),
        pytest.param("rm -rf /var/lib/apt/lists/*", False, id="rm"),
        pytest.param("/usr/bin/apt-get install -y x", False, id="apt-by-system-path"),
        pytest.param("/opt/venv/bin/pip install x", False, id="pip-by-path"),
        pytest.param("/opt/venv/bin/python -m compileall /app", False, id="python-by-path"),
        pytest.param("install -m 0755 a /usr/local/bin/a", False, id="coreutils-install"),
        pytest.param("sh -c 'echo hi'", False, id="sh-c-literal-is-read"),
    ],
)
def test_runs_unseen_code(script: str, unseen: bool) -> None:
    assert [_shell.runs_unseen_code(cmd) for cmd in _shell.commands(script)][-1] is unseen


def test_runs_unseen_code_shell_function() -> None:
    script = "add() { apt-get install -y \"$@\"; }; add libpq5"
    functions = _shell.defined_functions(script)
    assert [_shell.runs_unseen_code(cmd, functions) for cmd in _shell.commands(script)] == [False, True]


def test_run_script_resolves_programs_from_arg_and_env() -> None:
    df = parse(
        "FROM python:3.12-slim\nARG PIP=pip3\nENV APT=\"apt-get -y\"\n"
        "RUN ${PIP} install flask && \"$PIP\" install x && $APT install gcc && $NOPE install y\n"
    )
    script = _shell.run_script(df.instructions[-1], df.lines)
    assert script.text == "pip3 install flask && pip3 install x && apt-get -y install gcc && $NOPE install y"
    positions = [script.position(script.text.index(word)) for word in ("pip3", "flask", "-y", "gcc", "$NOPE")]
    assert positions == [(4, 5), (4, 20), (4, 49), (4, 62), (4, 69)]


def test_run_script_keeps_programs_the_script_assigns() -> None:
    df = parse("FROM python:3.12-slim\nARG PIP=pip3\nRUN PIP=pip; $PIP install x\nRUN for PIP in a b; do $PIP; done\n")
    texts = [_shell.run_script(instr, df.lines).text for instr in df.instructions[2:]]
    assert texts == ["PIP=pip; $PIP install x", "for PIP in a b; do $PIP; done"]


@pytest.mark.parametrize(
    ("script", "installs"),
    [
        pytest.param("playwright install --with-deps chromium", True, id="playwright-with-deps"),
        pytest.param("npx -y playwright@1.44.0 install-deps", True, id="npx-playwright-install-deps"),
        pytest.param("python -m playwright install --with-deps", True, id="python-m-playwright"),
        pytest.param("rosdep install --from-paths src -y", True, id="rosdep"),
        pytest.param("mk-build-deps -ir -t 'apt-get -y' debian/control", True, id="mk-build-deps"),
        pytest.param("gdebi -n /tmp/x.deb", True, id="gdebi"),
        pytest.param("playwright install chromium", False, id="playwright-browsers-only"),
        pytest.param("rosdep update", False, id="rosdep-update"),
        pytest.param("mk-build-deps debian/control", False, id="mk-build-deps-builds-only"),
        pytest.param("python -m pip install x", False, id="pip"),
    ],
)
def test_installs_system_packages(script: str, installs: bool) -> None:
    (cmd,) = _shell.commands(script)
    assert _shell.installs_system_packages(cmd) is installs


def test_apt_front_ends_are_package_managers() -> None:
    calls = [_shell.package_call(cmd) for cmd in _shell.commands("nala install -y x; apt-fast -y install y")]
    assert [(c.manager, c.verb, c.operand_words()) for c in calls if c is not None] == [
        ("nala", "install", ["x"]), ("apt-fast", "install", ["y"]),
    ]


@pytest.mark.parametrize(
    ("word", "words"),
    [
        pytest.param("/var/lib/{apt,dpkg}/", ["/var/lib/apt/", "/var/lib/dpkg/"], id="one-group"),
        pytest.param("a{1,2}b{x,}", ["a1bx", "a1b", "a2bx", "a2b"], id="two-groups-and-empty-choice"),
        pytest.param("{single}", ["{single}"], id="no-comma-is-literal"),
        pytest.param("/var/lib/apt/lists/*", ["/var/lib/apt/lists/*"], id="plain"),
    ],
)
def test_brace_expand(word: str, words: list[str]) -> None:
    assert _shell.brace_expand(word) == words


def test_brace_expand_is_bounded() -> None:
    assert len(_shell.brace_expand("{a,b}" * 40, limit=64)) <= 66


# (joined_by, words, simple, execs) of each step of a command line's top-level list.
_STEPS = [
    pytest.param(
        "kinto migrate --ini x && exec kinto start --ini x",
        [("", ("kinto", "migrate", "--ini", "x"), True, False),
         ("&&", ("exec", "kinto", "start", "--ini", "x"), True, True)],
        id="and-list",
    ),
    pytest.param(
        "set -e; cd /app\n exec gunicorn app || exit 1",
        [("", ("set", "-e"), True, False), (";", ("cd", "/app"), True, False),
         ("\n", ("exec", "gunicorn", "app"), True, True), ("||", ("exit", "1"), True, False)],
        id="semicolon-newline-or",
    ),
    pytest.param("PORT=80 exec app", [("", ("PORT=80", "exec", "app"), True, True)], id="assignment-before-exec"),
    pytest.param(
        "exec >log 2>&1; app",
        [("", ("exec",), True, False), (";", ("app",), True, False)],
        id="exec-without-program-only-redirects",
    ),
    pytest.param("exec app | tee log", [("", ("exec", "app", "tee", "log"), False, False)], id="pipeline"),
    pytest.param(
        "(cd /app; exec app) && exec b",
        [("", ("cd", "/app", "exec", "app)"), False, False), ("&&", ("exec", "b"), True, True)],
        id="subshell-is-one-step",
    ),
    pytest.param(
        "if [ x ]; then exec a; fi",
        [("", ("if", "[", "x", "]"), False, False), (";", ("then", "exec", "a"), False, False),
         (";", ("fi",), False, False)],
        id="compound-command",
    ),
    pytest.param("sh -c 'a && exec b'", [("", ("sh", "-c", "a && exec b"), True, False)], id="sh-c-is-one-word"),
    pytest.param(
        "case $x in a) b;& c) exec d;; esac",
        [("", ("case", "$x", "in", "a", "b"), False, False), (";&", ("c", "exec", "d"), False, False),
         (";;", ("esac",), False, False)],
        id="case-arms-are-parts-of-a-compound-command",
    ),
    pytest.param("; a &", [("", ("a",), True, False)], id="stray-operators"),
    pytest.param("", [], id="empty"),
]


@pytest.mark.parametrize(("script", "steps"), _STEPS)
def test_command_list(script: str, steps: list[tuple[str, tuple[str, ...], bool, bool]]) -> None:
    assert [(s.joined_by, s.words, s.simple, s.execs) for s in _shell.command_list(script)] == steps


@pytest.mark.parametrize(
    ("words", "string"),
    [
        pytest.param(("sh", "-c", "a && b"), "a && b", id="sh-c"),
        pytest.param(("/bin/bash", "-ec", "a"), "a", id="bash-ec"),
        pytest.param(("sh", "-c"), None, id="no-string"),
        pytest.param(("sh", "start.sh"), None, id="script-file"),
        pytest.param(("python", "-c", "x"), None, id="not-a-shell"),
        pytest.param((), None, id="nothing"),
    ],
)
def test_shell_command_string(words: tuple[str, ...], string: str | None) -> None:
    assert _shell.shell_command_string(words) == string


_CASE_ARMS = [
    pytest.param(
        'apt-get update && case "$TARGETARCH" in amd64) apt-get install -y curl ;; '
        "arm64|aarch64) apk add curl ;; (x86_64) a;& *) b ;;& esac && rm -rf /x",
        [("apt-get", "update"), ("apt-get", "install", "-y", "curl"), ("apk", "add", "curl"), ("a",), ("b",),
         ("rm", "-rf", "/x")],
        id="one-line-arms",
    ),
    pytest.param(
        'case "$x" in\n  a) pip install foo==1 ;;\n  b)\n    pip install bar\n    ;;\nesac\necho done',
        [("pip", "install", "foo==1"), ("pip", "install", "bar"), ("echo", "done")],
        id="arms-on-lines",
    ),
    pytest.param("case $x in a)b c;; esac", [("b", "c")], id="no-blank-after-pattern"),
    pytest.param('case $x in "a)b" ) c; d;; esac', [("c",), ("d",)], id="quoted-bracket-and-blank"),
    pytest.param("case $x in a) b\nesac", [("b",)], id="last-arm-without-terminator"),
    pytest.param("case $x in esac; y", [("y",)], id="no-arms"),
    pytest.param(
        "case $x in a) case $y in b) in1;; esac; out1 ;; c) out2; esac; z",
        [("in1",), ("out1",), ("out2",), ("z",)],
        id="nested",
    ),
    pytest.param("if case $x in a) true;; esac; then y; fi", [("true",), ("y",)], id="after-keyword"),
    pytest.param("echo case x in a) b", [("echo", "case", "x", "in", "a)", "b")], id="case-as-an-argument"),
    pytest.param("sh -c 'case $1 in a) pip install x;; esac'", [("pip", "install", "x")], id="in-sh-c"),
]


@pytest.mark.parametrize(("script", "expected"), _CASE_ARMS)
def test_case_arms_are_commands(script: str, expected: list[tuple[str, ...]]) -> None:
    assert [c.words for c in _shell.commands(script)] == expected
    assert _words_at(script) == expected  # each offset points at its word


def test_case_arms_in_heredoc_run_are_located() -> None:
    text = 'FROM python:3.12\nRUN <<EOF\ncase "$x" in\n  a) pip install foo==1 ;;\n  *) pip install bar ;;\nesac\nEOF\n'
    assert _located(text) == [
        [("pip", (4, 6)), ("install", (4, 10)), ("foo==1", (4, 18))],
        [("pip", (5, 6)), ("install", (5, 10)), ("bar", (5, 18))],
    ]


def test_case_arm_installs_are_seen() -> None:
    script = 'apt-get update && case "$A" in amd64) apt-get install -y curl ;; esac && pip install x'
    df = parse(f"FROM python:3.12\nRUN {script}\n")
    run = _shell.run_script(df.instructions[1], df.lines)
    assert [c.verb for c in run.package_calls() if c] == ["update", "install"]
    assert [i.args for i in run.installs() if i] == [("x",)]


@pytest.mark.parametrize(("script", "expected"), [
    pytest.param("python3 - <<'PY'\nprint('it\\'s fine')\nPY\nrm -rf /var/lib/apt/lists/*\n",
                 [("python3", "-"), ("rm", "-rf", "/var/lib/apt/lists/*")], id="quoted-delimiter-body-is-input"),
    pytest.param('cat > app.conf <<EOF && chmod 600 app.conf\nkey = "a\nEOF\nls\n',
                 [("cat",), ("chmod", "600", "app.conf"), ("ls",)], id="body-starts-on-the-next-line"),
    pytest.param("cat <<-END\n\tit's\n\tEND\nls\n", [("cat",), ("ls",)], id="dash-strips-tabs"),
    pytest.param("cat <<A <<B\na'\nA\nb'\nB\nls\n", [("cat",), ("ls",)], id="two-heredocs-on-one-line"),
    pytest.param("cat <<EOF\nls -l\n", [("cat",), ("ls", "-l")], id="no-delimiter-line-read-as-shell"),
    pytest.param("cat <<<'x'; ls\n", [("cat",), ("ls",)], id="here-string-is-no-heredoc"),
    pytest.param("bash <<EOF\napt-get install -y gcc\nEOF\n",
                 [("bash",), ("apt-get", "install", "-y", "gcc"), ("EOF",)], id="body-fed-to-a-shell-is-shell"),
])
def test_heredoc_bodies(script: str, expected: list[tuple[str, ...]]) -> None:
    assert [c.words for c in _shell.commands(script)] == expected


def test_script_variables() -> None:
    assert _shell.script_variables(
        'set -e; A=1; B=$A; if x; then C="x y"; fi; D=a echo hi\nE=\'q\'\n'
    ) == {"A": "1", "C": "x y", "E": "q"}


def test_many_heredocs_stay_linear() -> None:
    import time

    start = time.perf_counter()
    for script in ("cat <<A " * 40000 + "\n" + "x\n" * 40000, "cat <<A\n" * 40000, "bash <<A " * 40000 + "\n",
                   "cat " + "<<A " * 40000 + "\n" + "A\n" * 40000):
        assert _shell.commands(script)
    assert time.perf_counter() - start < 10


@pytest.mark.parametrize(("script", "words"), [
    ("gosu app pip install flask", ("pip", "install", "flask")),
    ("poetry run pip install flask", ("pip", "install", "flask")),
    ("pyenv exec pip install flask", ("pip", "install", "flask")),
    ("conda run -n base --no-capture-output pip install flask", ("pip", "install", "flask")),
    ("micromamba run -p /opt/env python -m app", ("python", "-m", "app")),
    ("uv run pip install flask", ("uv", "run", "pip", "install", "flask")),  # uv run syncs: kept as written
    ("poetry install --no-root", ("poetry", "install", "--no-root")),
])
def test_run_in_environment_wrappers(script: str, words: tuple[str, ...]) -> None:
    assert [c.words for c in _shell.commands(script)] == [words]


@pytest.mark.parametrize("script", [
    "VERSION=$(cat VERSION) pip install app", 'A="a b" pip install app', "B=`id -u` pip install app",
    "DEBIAN_FRONTEND=noninteractive pip install app",
])
def test_prefix_assignments_of_any_value(script: str) -> None:
    (command,) = _shell.commands(script)
    assert command.words == ("pip", "install", "app")
    assert len(command.assignments) == 1
