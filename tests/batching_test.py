"""Results do not depend on batching: pre-commit shuffles the files and splits them
across processes (``xargs`` partitions), so a hook may see any subset at a time.

For every hook, the lines printed for all the realistic files in one call equal the
union of the lines printed for the same files split into shuffled batches (several
``main`` calls), for several seeds and batch counts. Files included by others
(``-r``) are read again from disk by whichever batch needs them.
"""
from __future__ import annotations

import random
from pathlib import Path
from types import ModuleType

import pytest

from tests.safety_test import MODULES, arguments, build_repository, files_of


@pytest.fixture
def repository(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = build_repository(tmp_path_factory.mktemp("repository"))
    monkeypatch.chdir(root)
    return root


def batches(files: list[str], seed: int, count: int) -> list[list[str]]:
    shuffled = files[:]
    random.Random(seed).shuffle(shuffled)
    return [shuffled[i::count] for i in range(count) if shuffled[i::count]]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_same_lines_in_one_batch_and_in_shuffled_batches(
    module: ModuleType, repository: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = arguments(module, files_of(repository))
    module.main(files)
    together = capsys.readouterr().out.splitlines()
    assert len(together) == len(set(together))
    for seed, count in ((0, 2), (1, 3), (2, len(files)), (3, 4)):
        separately: list[str] = []
        for batch in batches(files, seed, count):
            module.main(batch)
            separately.extend(capsys.readouterr().out.splitlines())
        assert sorted(set(separately)) == sorted(together), (seed, count)
        assert len(separately) == len(together), f"a finding was reported twice (seed {seed}, {count} batches)"
