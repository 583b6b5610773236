"""Test order: the longest smoke tests first, so that on two workers none of them starts last and runs alone."""

import pytest

# Modules by how long each of their tests runs, the longest first; the rest keep their order after them.
LONGEST_FIRST = ("test_grow_project", "test_update", "test_fuzz")  # in tests/smoke


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        module = item.path.stem if item.path.parent.name == "smoke" else ""
        return LONGEST_FIRST.index(module) if module in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: within a module, pytest's order (and its fixture grouping) stays
