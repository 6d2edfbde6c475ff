"""The registry: the one list of check modules, and every rule derived from their
declarations (never kept by hand).

Each module named in :data:`CHECK_MODULES` declares ``HOOK`` (:class:`hooks._hook.Hook`).
The modules are imported only when asked for: a single-purpose hook imports its own
module alone, and the others only when a suppression comment names a code (to tell an
unknown code from another hook's) or for the all-rules command.
"""
from __future__ import annotations

import importlib
from functools import cache

from hooks._findings import META_RULES, Rule
from hooks._hook import Hook

CHECK_MODULES = (
    "check_apt_hygiene",
    "check_base_image_pinned",
    "check_ci_image_scan",
    "check_dockerfile_pitfalls",
    "check_healthcheck",
    "check_multi_stage",
    "check_non_root_user",
    "check_pip_hygiene",
    "check_python_base_image",
    "check_python_env",
    "check_requirements_before_source",
    "check_requirements_pinned",
    "check_run_layers",
    "check_secrets",
)


def hooks() -> list[Hook]:
    """Every hook's declaration, in :data:`CHECK_MODULES` order."""
    found = []
    for name in CHECK_MODULES:
        hook = importlib.import_module(f"hooks.{name}").HOOK
        if not isinstance(hook, Hook):
            raise TypeError(f"hooks.{name}.HOOK is not a Hook")
        found.append(hook)
    return found


@cache
def all_rules() -> dict[str, Rule]:
    """Every rule by code, the meta rules (DPH9xx) included."""
    rules: dict[str, Rule] = {rule.code: rule for rule in META_RULES}
    for hook in hooks():
        for rule in hook.rules:
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
