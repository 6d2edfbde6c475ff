"""The registry of rules, derived from the check modules (never kept by hand).

Every ``hooks/check_*.py`` module declares ``RULES``; this module finds them by
listing the package, so a new check is registered by existing. It is imported
lazily: only when a suppression names a code, or by the all-rules command.
"""
from __future__ import annotations

import importlib
import os
from functools import lru_cache
from types import ModuleType

from hooks._findings import META_RULES, Rule

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def check_module_names() -> list[str]:
    """Module names of every check, sorted: ``check_base_image_pinned`` ..."""
    names = []
    for entry in os.listdir(_PACKAGE_DIR):
        if entry.startswith("check_") and entry.endswith(".py"):
            names.append(entry[:-3])
    return sorted(names)


def check_modules() -> list[ModuleType]:
    return [importlib.import_module(f"hooks.{name}") for name in check_module_names()]


@lru_cache(maxsize=1)
def all_rules() -> dict[str, Rule]:
    """Every rule by code, the meta rules (DPH9xx) included."""
    rules: dict[str, Rule] = {rule.code: rule for rule in META_RULES}
    for module in check_modules():
        for rule in getattr(module, "RULES", ()):
            if rule.code in rules and rules[rule.code] != rule:
                raise RuntimeError(f"rule code {rule.code} is declared twice")
            rules[rule.code] = rule
    return rules


def rule_for(written: str, rules: dict[str, Rule] | None = None) -> Rule | None:
    """The rule a suppression names, by code (any case) or by kebab-case name."""
    rules = all_rules() if rules is None else rules
    upper = written.upper()
    if upper in rules:
        return rules[upper]
    lower = written.lower()
    for rule in rules.values():
        if rule.name == lower:
            return rule
    return None
