from __future__ import annotations

from hooks._findings import META_RULES
from hooks._registry import all_rules, check_module_names, check_modules, rule_for


def test_every_check_module_declares_rules_and_files() -> None:
    names = check_module_names()
    assert names == sorted(names) and "check_non_root_user" in names
    for module in check_modules():
        assert module.RULES, module.__name__
        assert module.FILES in {"dockerfile", "requirements", "ci", "dockerfile+requirements"}
        assert callable(module.main) and callable(module.check)


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
