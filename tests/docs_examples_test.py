"""Every rule's documentation is executable: its Example fires the rule, its Use instead
passes the whole hook. Also: the shared real-world fixtures pass the hooks they target."""
from __future__ import annotations

import importlib
import re
from pathlib import Path
from types import ModuleType

import pytest

from hooks import _docs
from hooks._dockerfile import parse
from hooks._files import Repo
from hooks._findings import Finding
from hooks._requirements import load
from tests.real_world import REAL_WORLD

DOCS = _docs.hook_docs()
# check-secrets judges .dockerignore files too; its examples are tested in its own module.
OWN_TESTS = {"check-secrets"}
# Rules that an option turns on: their examples run with it.
OPTIONS: dict[str, dict[str, object]] = {"DPH207": {"require_digest": True}}


def _blocks(section: str) -> list[tuple[str, str]]:
    """(language, body) of each fenced block of a docstring section."""
    return re.findall(r"```(\w*)\n(.*?)```", section, re.DOTALL)


def _run(module: ModuleType, kind: str, text: str, tmp_path: Path, options: dict[str, object]) -> list[Finding]:
    if kind == "dockerfile":
        return list(module.check(parse(text), **options))
    if kind == "ci":
        return list(module.check(".github/workflows/build.yml", text, **options))
    for include in re.findall(r"^-[rc]\s*(\S+)", text, re.M):  # the files a fix includes exist
        (tmp_path / include).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / include).write_text("# included\n")
    (tmp_path / "requirements.txt").write_text(text)
    return list(module.check(load("requirements.txt", Repo(str(tmp_path))), **options))


CASES = [
    pytest.param(doc, rule, id=f"{doc.hook_id}-{rule.rule.code}")
    for doc in DOCS if doc.hook_id not in OWN_TESTS
    for rule in doc.rules
]


@pytest.mark.parametrize(("doc", "rule"), CASES)
def test_documented_examples(
    doc: _docs.HookDoc, rule: _docs.RuleDoc, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    module = importlib.import_module(doc.module)
    kind = doc.files[0]
    examples = _blocks(rule.sections["Example"])
    fixes = _blocks(rule.sections["Use instead"])
    assert examples and fixes
    options = OPTIONS.get(rule.rule.code, {})
    for _, body in examples:
        assert rule.rule.code in {f.code for f in _run(module, kind, body, tmp_path, options)}, body
    for _, body in fixes:
        assert _run(module, kind, body, tmp_path, options) == [], body


@pytest.mark.parametrize("hook", ["check_apt_hygiene", "check_multi_stage", "check_run_layers"])
@pytest.mark.parametrize("name", sorted(REAL_WORLD))
def test_real_world_dockerfiles_pass(hook: str, name: str) -> None:
    module = importlib.import_module(f"hooks.{hook}")
    assert module.check(parse(REAL_WORLD[name])) == []
