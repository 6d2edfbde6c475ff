from __future__ import annotations

import pytest

from hooks import _docs
from hooks._findings import ERROR, Rule
from hooks._hook import Hook

RULE = Rule("DPH999", "example-rule", ERROR, "An example.")
GOOD = '''check-example: an example hook.

It checks examples.

Options:
    --flag   does a thing.

## DPH999 example-rule
### What it does
Reports examples.
### Why is this bad?
Because.
### Example
```dockerfile
FROM x
```
### Use instead
```dockerfile
FROM y
```
'''


def _module(doc: str) -> Hook:
    return Hook(id="check-example", doc=doc, rules=(RULE,), dockerfile=lambda df, ctx: [])


def test_parse_docstring() -> None:
    doc = _docs.parse_docstring(_module(GOOD))
    assert (doc.hook_id, doc.summary, doc.description) == ("check-example", "an example hook.", "It checks examples.")
    assert doc.options == "    --flag   does a thing."
    (rule,) = doc.rules
    assert rule.rule == RULE
    assert list(rule.sections) == ["What it does", "Why is this bad?", "Example", "Use instead"]


@pytest.mark.parametrize(
    ("doc", "error"),
    [
        pytest.param(GOOD.replace("check-example:", "check-other:"), "must start with 'check-example: ", id="id"),
        pytest.param(GOOD.replace("### Why is this bad?\nBecause.\n", ""), "lacks section", id="section"),
        pytest.param(GOOD.replace("## DPH999 example-rule", "## DPH999 other"), "should read", id="name"),
        pytest.param(GOOD.split("## DPH999", maxsplit=1)[0], "no documentation for DPH999", id="undocumented"),
        pytest.param(GOOD.replace("DPH999 example", "DPH998 example"), "names no rule", id="unknown"),
    ],
)
def test_parse_docstring_errors(doc: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        _docs.parse_docstring(_module(doc))


def test_manifest_entry_for_each_kind() -> None:
    doc = _docs.parse_docstring(_module(GOOD))
    text = _docs.manifest([doc._replace(files=("dockerfile", "requirements"))])
    assert "-   id: check-example\n" in text
    assert "    types: [text]\n" in text
    assert "-   id: docker-python-hooks\n    name: every rule of this collection in one process\n" in text


def test_replace_block_needs_markers() -> None:
    with pytest.raises(ValueError, match="lacks the markers"):
        _docs.replace_block("no markers", "rules", "x")
    text = f"a\n{_docs.BEGIN.format('x')}\nold\n{_docs.END.format('x')}\nb"
    assert _docs.replace_block(text, "x", "new") == f"a\n{_docs.BEGIN.format('x')}\nnew\n{_docs.END.format('x')}\nb"


FIXABLE = RULE._replace(fixable=True)
FIX_SECTION = "### Fix\nRewrites x as y; not offered when x is quoted.\n"


def test_fixable_rule_needs_a_fix_section_and_gets_a_fixer_entry() -> None:
    hook = Hook(id="check-example", doc=GOOD + FIX_SECTION, rules=(FIXABLE,), dockerfile=lambda df, ctx: [])
    doc = _docs.parse_docstring(hook)
    assert doc.rules[0].sections["Fix"] == "Rewrites x as y; not offered when x is quoted."
    assert "#### `DPH999` example-rule (error, fixable)" in "\n".join(_docs._rule_markdown(doc.rules[0]))
    text = _docs.manifest([doc])
    assert (
        "-   id: fix-example\n"
        "    name: an example hook (fixer)\n"
        "    description: 'fixes DPH999 - an example hook (fixer)'\n"
        "    entry: check-example --fix\n"
    ) in text
    assert "-   id: docker-python-hooks-fix\n" in text and "    entry: docker-python-hooks check --fix\n" in text
    assert "| `fix-example` | fixes what `check-example` reports (`check-example --fix`) | `DPH999` |" in (
        _docs.readme_hooks([doc])
    )
    without = Hook(id="check-example", doc=GOOD, rules=(FIXABLE,), dockerfile=lambda df, ctx: [])
    with pytest.raises(ValueError, match="needs a '### Fix' section exactly when its rule is fixable"):
        _docs.parse_docstring(without)
    with pytest.raises(ValueError, match="needs a '### Fix' section exactly when its rule is fixable"):
        _docs.parse_docstring(_module(GOOD + FIX_SECTION))
    assert "fix-example" not in _docs.manifest([_docs.parse_docstring(_module(GOOD))])
