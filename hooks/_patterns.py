"""Regular expressions compiled when first used, not when their module is imported.

``re.compile`` runs sre's parser and compiler in Python: 40-150 µs a pattern. A hook
pays for every module-level pattern of every module it imports on each commit, even
for the patterns that its files never reach (a requirements ``coding:`` comment, a
suppression comment). ``X_RE = lazy(r"...")`` defers that cost to the first use.

A lazy pattern behaves as the compiled one (``match``, ``search``, ``fullmatch``,
``finditer``, ``findall``, ``sub``, ``subn``, ``split``, ``pattern``, ``flags``,
``groups``, ...); after the first use its methods are the compiled pattern's own bound
methods, so a hot loop runs at the same speed.
"""
from __future__ import annotations

import re
from typing import Any, AnyStr, cast

_METHODS = ("match", "search", "fullmatch", "finditer", "findall", "sub", "subn", "split", "scanner")


class _LazyPattern:
    def __init__(self, pattern: str | bytes, flags: int) -> None:
        self.pattern = pattern
        self._flags = flags

    def __getattr__(self, name: str) -> Any:
        # Only reached for attributes not set yet: compile once, then bind the methods
        # on the instance so later look-ups never come here again.
        compiled = self.__dict__.get("_compiled")
        if compiled is None:
            compiled = re.compile(self.pattern, self._flags)
            self.__dict__["_compiled"] = compiled
            for method in _METHODS:
                self.__dict__[method] = getattr(compiled, method)
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy({self.pattern!r}, {self._flags})"


def lazy(pattern: AnyStr, flags: int = 0) -> re.Pattern[AnyStr]:
    """``re.compile(pattern, flags)``, done on the first use of the result."""
    return cast("re.Pattern[AnyStr]", _LazyPattern(pattern, flags))
