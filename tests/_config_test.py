from __future__ import annotations

import re
from pathlib import Path

import pytest

from hooks._config import Config, ConfigError, Finder, Policy, cli_list, parse, resolve
from hooks._findings import Finding
from hooks._hook import Option
from hooks._registry import all_rules
from tests.conftest import Writer

OPTIONS = {
    "target": Option("target", "the stage", "value"),
    "require-digest": Option("require-digest", "require a digest", "flag"),
    "allow-unpinned": Option("allow-unpinned", "names", "names"),
}
HEAD = "[tool.docker-python-hooks]\n"


def _parse(body: str, path: str = "pyproject.toml") -> Config | None:
    return parse(path, body.encode(), OPTIONS)


def test_every_key() -> None:
    config = _parse(
        "[project]\nname = 'x'\n"
        + HEAD
        + 'select = ["DPH2", "missing-user", "dph701"]\n'
        'ignore = ["DPH207"]\n'
        'fail-level = "warning"\n'
        'target = "runtime"\n'
        "require-digest = true\n"
        'allow-unpinned = ["pip", "setuptools"]\n'
        '[tool.docker-python-hooks.per-file-ignores]\n"docker/*.Dockerfile" = ["DPH401"]\n'
        '[tool.docker-python-hooks.severity]\nDPH304 = "error"\nuntagged-base-image = "info"\n'
    )
    assert config is not None
    rules = all_rules()
    assert config.select == frozenset({c for c in rules if c.startswith("DPH2")} | {"DPH401", "DPH701"})
    assert config.ignore == {"DPH207"}
    assert config.fail_level == "warning"
    assert config.options == {"target": "runtime", "require_digest": True, "allow_unpinned": ["pip", "setuptools"]}
    assert config.per_file_ignores == (("docker/*.Dockerfile", frozenset({"DPH401"})),)
    assert config.severity == {"DPH304": "error", "DPH201": "info"}


def test_no_table_is_no_config() -> None:
    assert _parse("[tool.ruff]\nline-length = 100\n# [tool.docker-python-hooks] in a comment\n") is None


@pytest.mark.parametrize(("body", "message"), [
    pytest.param(HEAD + "selct = []\n",
                 "p/pyproject.toml: [tool.docker-python-hooks]: unknown key 'selct' (known keys: allow-unpinned, "
                 "fail-level, ignore, per-file-ignores, require-digest, select, severity, target)", id="unknown-key"),
    pytest.param(HEAD + 'select = "DPH201"\n',
                 "p/pyproject.toml: [tool.docker-python-hooks] select: expected a list of codes or rule names, "
                 "got a string", id="select-not-list"),
    pytest.param(HEAD + 'ignore = ["DPH2019"]\n',
                 "p/pyproject.toml: [tool.docker-python-hooks] ignore: 'DPH2019' is no rule code, code prefix "
                 "or rule name", id="unknown-code"),
    pytest.param(HEAD + 'ignore = ["DPH299"]\n',
                 "p/pyproject.toml: [tool.docker-python-hooks] ignore: 'DPH299' is no rule code, code prefix "
                 "or rule name", id="code-no-rule-has"),
    pytest.param(HEAD + 'fail-level = "fatal"\n',
                 "p/pyproject.toml: [tool.docker-python-hooks] fail-level: expected one of error, warning, info, "
                 "got 'fatal'", id="bad-level"),
    pytest.param(HEAD + 'severity = {DPH201 = "high"}\n',
                 "p/pyproject.toml: [tool.docker-python-hooks] severity.DPH201: expected one of error, warning, "
                 "info, got 'high'", id="bad-severity"),
    pytest.param(HEAD + 'severity = {nope = "info"}\n',
                 "p/pyproject.toml: [tool.docker-python-hooks] severity.nope: 'nope' is no rule code, code prefix "
                 "or rule name", id="bad-severity-key"),
    pytest.param(HEAD + 'require-digest = "yes"\n',
                 "p/pyproject.toml: [tool.docker-python-hooks] require-digest: expected true or false, "
                 "got a string", id="bool-option"),
    pytest.param(HEAD + "target = 3\n",
                 "p/pyproject.toml: [tool.docker-python-hooks] target: expected a non-empty string, "
                 "got an integer", id="str-option"),
    pytest.param(HEAD + 'allow-unpinned = "pip"\n',
                 "p/pyproject.toml: [tool.docker-python-hooks] allow-unpinned: expected a list of strings, "
                 "got a string", id="list-option"),
    pytest.param(HEAD + 'per-file-ignores = ["x"]\n',
                 "p/pyproject.toml: [tool.docker-python-hooks] per-file-ignores: expected a table of "
                 "glob = [codes], got a list", id="per-file-not-table"),
    pytest.param(HEAD + 'per-file-ignores = {"a/*" = ["bogus-name"]}\n',
                 "p/pyproject.toml: [tool.docker-python-hooks] per-file-ignores.\"a/*\": 'bogus-name' is no "
                 "rule code, code prefix or rule name", id="per-file-bad-code"),
    pytest.param("[tool]\ndocker-python-hooks = 1\n",
                 "p/pyproject.toml: [tool.docker-python-hooks] must be a table, not an integer", id="not-table"),
    pytest.param(HEAD + 'select = ["a"\nx = 1\n',
                 "p/pyproject.toml: invalid TOML: Unclosed array (at line 3, column 1)", id="bad-toml"),
])
def test_bad_configuration_is_one_line(body: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        _parse(body, "p/pyproject.toml")
    assert str(info.value) == message


def test_not_utf8() -> None:
    with pytest.raises(ConfigError, match=r"^x/pyproject.toml: cannot decode file as UTF-8$"):
        parse("x/pyproject.toml", HEAD.encode() + b"target = '\xff'\n", OPTIONS)


def test_resolve() -> None:
    rules = all_rules()
    assert resolve("dph201", rules) == {"DPH201"}
    assert resolve("untagged-base-image", rules) == {"DPH201"}
    assert resolve("DPH", rules) == frozenset(rules)
    with pytest.raises(ValueError, match="'X' is no rule code"):
        resolve("X", rules)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_nearest_with_the_table_wins(tmp_path: Path) -> None:
    _write(tmp_path / "pyproject.toml", HEAD + 'target = "top"\n')
    _write(tmp_path / "svc" / "pyproject.toml", "[project]\nname = 'svc'\n")  # no table: passed over
    _write(tmp_path / "svc" / "api" / "pyproject.toml", HEAD + 'target = "api"\n')
    (tmp_path / "svc" / "api" / "deep").mkdir()
    finder = Finder(str(tmp_path), OPTIONS)
    top = finder.for_file(str(tmp_path / "svc" / "Dockerfile"))
    assert top is not None
    assert (top.path, top.options) == (str(tmp_path / "pyproject.toml"), {"target": "top"})
    api = finder.for_file(str(tmp_path / "svc" / "api" / "deep" / "Dockerfile"))
    assert api is not None
    assert api.options == {"target": "api"}
    assert finder.for_file(str(tmp_path / "Dockerfile")) is top


def test_search_stops_at_the_root(tmp_path: Path) -> None:
    _write(tmp_path / "pyproject.toml", HEAD + 'target = "outside"\n')
    (tmp_path / "repo" / "sub").mkdir(parents=True)
    finder = Finder(str(tmp_path / "repo"), OPTIONS)
    assert finder.for_file(str(tmp_path / "repo" / "sub" / "Dockerfile")) is None


def test_bad_file_found_while_searching(tmp_path: Path) -> None:
    _write(tmp_path / "pyproject.toml", HEAD + "colour = 1\n")
    with pytest.raises(ConfigError, match="unknown key 'colour'"):
        Finder(str(tmp_path), OPTIONS).for_file(str(tmp_path / "Dockerfile"))


F201 = Finding("svc/Dockerfile", 1, 1, "DPH201", "m", "untagged-base-image", "error")
F304 = Finding("svc/Dockerfile", 2, 1, "DPH304", "m", "consecutive-run", "info")
F401 = Finding("svc/Dockerfile", 1, 1, "DPH401", "m", "missing-user", "error")
F903 = Finding("svc/Dockerfile", 3, 1, "DPH903", "m", "unused-suppression", "warning")


def test_policy_select_ignore_severity_and_fail_level(tmp_path: Path) -> None:
    config = Config(
        str(tmp_path / "pyproject.toml"), select=frozenset({"DPH201", "DPH304"}), ignore=frozenset({"DPH304"}),
        per_file_ignores=(("svc/*", frozenset({"DPH201"})), ("Dockerfile.dev", frozenset({"DPH903"}))),
        severity={"DPH201": "warning"}, fail_level="error",
    )
    found = [F201, F304, F401, F903]
    # Select keeps DPH201 and the meta rule DPH903; ignore wins over select.
    policy = Policy.make(config, str(tmp_path / "other" / "Dockerfile"))
    kept = policy.apply(found)
    assert kept == [F201._replace(severity="warning"), F903]
    assert not policy.fails(kept)  # nothing at fail-level error
    # per-file-ignores: a glob with '/' against the relative path, one without against the name.
    assert Policy.make(config, str(tmp_path / "svc" / "Dockerfile")).apply(found) == [F903]
    assert Policy.make(config, str(tmp_path / "x" / "Dockerfile.dev")).apply(found) == [
        F201._replace(severity="warning"),
    ]
    # The command line replaces the file's values.
    cli = Policy.make(config, str(tmp_path / "x" / "Dockerfile"), select=frozenset({"DPH401"}),
                      ignore=frozenset(), fail_level="info")
    assert cli.apply(found) == [F401, F903]
    assert cli.fails([F903])


def test_policy_without_config() -> None:
    policy = Policy.make(None)
    assert policy.apply([F201, F304]) == [F201, F304]
    assert policy.fails([F304])
    assert not policy.fails([])
    assert not Policy.make(None, fail_level="warning").fails([F304])


def test_cli_list() -> None:
    assert cli_list(None) is None
    assert cli_list(["DPH201, DPH3", "missing-user", ""]) == ["DPH201", "DPH3", "missing-user"]


# The configuration as the hooks and the all-rules command read it.

TWO_STAGES = (
    "FROM python:3.12-slim-bookworm AS builder\n"
    "RUN pip wheel --no-cache-dir -r requirements.txt -w /wheels\n"
    "\n"
    "FROM python:3.12-slim-bookworm AS runtime\n"
    "ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1\n"
    "RUN useradd app\n"
    "USER app\n"
    'CMD ["python", "-m", "app"]\n'
)
BUILDER_ROOT = (
    "Dockerfile:1:1: DPH401 final stage 'builder' never sets USER, so the container runs as root; "
    "add a non-root user (e.g. 'RUN useradd -r app' and 'USER app')\n"
)


def _digest(line: int, path: str = "Dockerfile") -> str:
    return (
        f"{path}:{line}:6: DPH207 base image 'python:3.12-slim-bookworm' is not pinned by digest; append "
        "'@sha256:<digest>' (see 'docker buildx imagetools inspect python:3.12-slim-bookworm')\n"
    )


def test_hooks_take_options_from_the_file_and_the_command_line_wins(
    write: Writer, capsys: pytest.CaptureFixture[str],
) -> None:
    from hooks import check_base_image_pinned, check_non_root_user

    path = write("Dockerfile", TWO_STAGES)
    assert check_non_root_user.main([path]) == 0
    write("pyproject.toml", '[project]\nname = "svc"\n\n' + HEAD + 'target = "builder"\nrequire-digest = true\n')
    assert check_non_root_user.main([path]) == 1
    assert capsys.readouterr().out == BUILDER_ROOT
    assert check_non_root_user.main(["--target", "runtime", path]) == 0
    assert check_base_image_pinned.main([path]) == 1
    assert capsys.readouterr().out == _digest(1) + _digest(4)


def test_nearest_configuration_per_file(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    from hooks import check_base_image_pinned

    write("pyproject.toml", HEAD + "require-digest = true\n")
    write("legacy/pyproject.toml", HEAD + "require-digest = false\n")
    a = write("svc/Dockerfile", TWO_STAGES)
    b = write("legacy/Dockerfile", TWO_STAGES)
    assert check_base_image_pinned.main([a, b]) == 1
    assert capsys.readouterr().out == _digest(1, a) + _digest(4, a)


def test_policy_keys_in_the_all_rules_command(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    from hooks.__main__ import main

    write("Dockerfile", TWO_STAGES.replace("USER app\n", "USER app\nRUN true\nRUN true\n"))
    assert main(["check", "."]) == 1
    assert capsys.readouterr().out.startswith("Dockerfile:9:1: DPH304 ")
    write("pyproject.toml", HEAD + 'fail-level = "warning"\n')
    assert main(["check", "."]) == 0  # an info finding, below the fail level: printed, not failing
    assert capsys.readouterr().out.startswith("Dockerfile:9:1: DPH304 ")
    write("pyproject.toml", HEAD + 'fail-level = "warning"\nseverity = {consecutive-run = "error"}\n')
    assert main(["check", "."]) == 1
    capsys.readouterr()
    write("pyproject.toml", HEAD + 'ignore = ["DPH3"]\n')
    assert main(["check", "."]) == 0
    assert capsys.readouterr().out == ""
    assert main(["check", "--ignore", "DPH5", "."]) == 1  # the command line replaces the file's ignore
    assert capsys.readouterr().out.startswith("Dockerfile:9:1: DPH304 ")
    write("pyproject.toml", HEAD + '[tool.docker-python-hooks.per-file-ignores]\n"Dockerfile" = ["DPH304"]\n')
    assert main(["check", "."]) == 0
    write("pyproject.toml", HEAD + 'select = ["DPH2"]\n')
    assert main(["check", "--select", "consecutive-run", "--exit-zero", "."]) == 0
    assert capsys.readouterr().out.startswith("Dockerfile:9:1: DPH304 ")


def test_configuration_errors_exit_2(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    from hooks import check_non_root_user
    from hooks.__main__ import main

    path = write("Dockerfile", TWO_STAGES)
    write("pyproject.toml", HEAD + "target = true\n")
    assert check_non_root_user.main([path]) == 2
    assert capsys.readouterr() == (
        "", "pyproject.toml: [tool.docker-python-hooks] target: expected a non-empty string, got a boolean\n",
    )
    write("pyproject.toml", HEAD + "[broken\n")
    assert main(["check", "."]) == 2
    out, err = capsys.readouterr()
    assert (out, err.startswith("pyproject.toml: invalid TOML: "), err.count("\n")) == ("", True, 1)
    write("pyproject.toml", "[project]\n")
    assert main(["check", "--select", "DPH2,nonsense", "."]) == 2
    assert capsys.readouterr() == ("", "--select: 'nonsense' is no rule code, code prefix or rule name\n")
    assert main(["check", "--statistics", "--format", "sarif", "."]) == 2
    assert capsys.readouterr() == ("", "--statistics prints text or json, not --format sarif\n")


@pytest.mark.slow
def test_pre_commit_run_reads_the_configuration_and_args_override_it(tmp_path: Path) -> None:
    """A real `pre-commit run`: the project's [tool.docker-python-hooks] reaches the hooks,
    and a hook's `args:` override it."""
    import os
    import shutil
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent

    def git(cwd: Path, *args: str) -> str:
        done = subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
            cwd=cwd, check=True, capture_output=True, text=True,
        )
        return done.stdout.strip()

    # The hooks as a repository of their own (this working tree, committed or not).
    hooks_repo = tmp_path / "hooks-repo"
    hooks_repo.mkdir()
    for name in ("setup.cfg", "pyproject.toml", "README.md", "LICENSE", ".pre-commit-hooks.yaml"):
        shutil.copy(root / name, hooks_repo / name)
    shutil.copytree(root / "hooks", hooks_repo / "hooks", ignore=shutil.ignore_patterns("__pycache__"))
    git(hooks_repo, "init", "-q")
    git(hooks_repo, "add", "-A")
    git(hooks_repo, "commit", "-qm", "hooks")
    rev = git(hooks_repo, "rev-parse", "HEAD")

    project = tmp_path / "project"
    project.mkdir()
    (project / "Dockerfile").write_text(TWO_STAGES, encoding="utf-8")
    (project / "pyproject.toml").write_text(
        '[project]\nname = "svc"\nversion = "1"\n\n' + HEAD + 'target = "builder"\nrequire-digest = true\n',
        encoding="utf-8",
    )
    (project / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"-   repo: {hooks_repo}\n"
        f"    rev: {rev}\n"
        "    hooks:\n"
        "    -   id: check-base-image-pinned\n"
        "    -   id: check-non-root-user\n"
        "        name: non-root user, as configured\n"
        "    -   id: check-non-root-user\n"
        "        name: non-root user, args override\n"
        "        args: [--target, runtime]\n",
        encoding="utf-8",
    )
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "project")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "PRE_COMMIT_COLOR": "never"}
    env.pop("DPH_DEBUG", None)
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files"],
        cwd=project, env=env, capture_output=True, text=True, timeout=900, check=False,
    )
    out = done.stdout
    assert done.returncode == 1, out + done.stderr
    assert "non-root user, args override" in out
    assert re.search(r"non-root user, args override\.+Passed", out), out
    assert re.search(r"non-root user, as configured\.+Failed", out), out
    assert BUILDER_ROOT in out
    assert _digest(1) in out
    assert _digest(4) in out


def test_readme_documents_every_key_and_the_options_are_the_hooks() -> None:
    from hooks._cli import config_options
    from hooks._config import GENERAL_KEYS
    from hooks._registry import hooks

    declared = {option.name for hook in hooks() for option in hook.options}
    options = config_options()
    assert set(options) == declared
    assert (options["target"].kind, options["require-digest"].kind, options["allow-unpinned"].kind) == (
        "value", "flag", "names",
    )
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    parsed = parse("pyproject.toml", example.encode(), options)
    assert parsed is not None  # the README's example is a valid configuration
    for key in (*GENERAL_KEYS, *declared):
        assert re.search(rf"^(\[tool\.docker-python-hooks\.)?{re.escape(key)}\b", example, re.M), key


def test_args_turn_off_a_flag_the_file_turns_on(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    from hooks import check_base_image_pinned
    from hooks.__main__ import main

    path = write("Dockerfile", TWO_STAGES)
    write("pyproject.toml", HEAD + "require-digest = true\ntarget = \"builder\"\n")
    assert check_base_image_pinned.main(["--no-require-digest", path]) == 0
    assert main(["check", "--no-require-digest", "--select", "DPH207,DPH401", "."]) == 1
    assert capsys.readouterr().out == BUILDER_ROOT  # target from the file, require-digest off
    assert main(["check", "--select", "DPH207", "."]) == 1
    assert capsys.readouterr().out == _digest(1) + _digest(4)


@pytest.mark.parametrize("table", [
    pytest.param('[tool."docker-python-hooks"]\ntarget = "x"\n', id="quoted"),
    pytest.param('[tool]\n"docker-python-hooks".target = "x"\n', id="dotted"),
    pytest.param('tool.docker-python-hooks.target = "x"\n', id="dotted-top"),
])
def test_every_spelling_of_the_table(tmp_path: Path, table: str) -> None:
    _write(tmp_path / "pyproject.toml", table)
    config = Finder(str(tmp_path), OPTIONS).for_file(str(tmp_path / "Dockerfile"))
    assert config is not None
    assert config.options == {"target": "x"}


def test_a_symlinked_working_directory_still_stops_at_the_root(tmp_path: Path) -> None:
    _write(tmp_path / "pyproject.toml", HEAD + 'target = "outside"\n')
    (tmp_path / "repo" / "sub").mkdir(parents=True)
    (tmp_path / "link").symlink_to(tmp_path / "repo")
    finder = Finder(str(tmp_path / "repo"), OPTIONS)
    assert finder.for_file(str(tmp_path / "link" / "sub" / "Dockerfile")) is None
