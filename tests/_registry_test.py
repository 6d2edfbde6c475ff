from __future__ import annotations

import importlib
import os

from hooks._findings import META_RULES
from hooks._hook import Hook
from hooks._registry import CHECK_MODULES, all_rules, hooks, rule_for


def test_the_registry_lists_every_check_module() -> None:
    package = os.path.dirname(importlib.import_module("hooks").__file__ or "")
    on_disk = sorted(name[:-3] for name in os.listdir(package) if name.startswith("check_") and name.endswith(".py"))
    assert list(CHECK_MODULES) == on_disk


def test_every_check_module_declares_its_hook() -> None:
    for name, hook in zip(CHECK_MODULES, hooks(), strict=True):
        module = importlib.import_module(f"hooks.{name}")
        assert isinstance(hook, Hook) and hook is module.HOOK
        assert hook.id == name.replace("_", "-")
        assert hook.doc == module.__doc__
        assert hook.rules and hook.kinds
        assert callable(module.main)


def test_codes_are_unique_grouped_and_named() -> None:
    rules = all_rules()
    assert set(META_RULES) <= set(rules.values())
    names = [rule.name for rule in rules.values()]
    assert len(names) == len(set(names))
    for code, rule in rules.items():
        assert code == rule.code and len(code) == 6 and code.startswith("DPH")
        assert rule.severity in {"error", "warning", "info"}
        assert rule.name == rule.name.lower() and " " not in rule.name and "_" not in rule.name
        assert rule.summary.endswith(".")


def test_rule_for_accepts_codes_and_names() -> None:
    assert rule_for("dph401") == rule_for("missing-user") == all_rules()["DPH401"]
    assert rule_for("DPH000") is None
    assert rule_for("no-such-rule") is None
