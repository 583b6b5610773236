"""Test order: the longest smoke tests first, so that on two workers none of them starts last and runs alone.

In CI (CI=true) a skip is a failure unless its reason is on tests/ci.py's ALLOWED_SKIPS: a test that did not run
because something was missing must not leave the run green.
"""

from __future__ import annotations

from collections.abc import Generator

import pytest

from tests.ci import ALLOWED_SKIPS, IN_CI

# Modules by how long each of their tests runs, the longest first; the rest keep their order after them.
LONGEST_FIRST = ("test_grow_project", "test_update", "test_fuzz")  # in tests/smoke


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        module = item.path.stem if item.path.parent.name == "smoke" else ""
        return LONGEST_FIRST.index(module) if module in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: within a module, pytest's order (and its fixture grouping) stays


def skip_reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    """The reason a skip gives (pytest keeps it as the last part of the report's (path, line, reason))."""
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return reason.removeprefix("Skipped: ")


def fail_unless_allowed(report: pytest.TestReport | pytest.CollectReport) -> None:
    """Under CI=true, turn a skip whose reason is not on ALLOWED_SKIPS into a failure, saying why."""
    if not (IN_CI and report.skipped) or hasattr(report, "wasxfail"):
        return
    reason = skip_reason(report)
    if reason.startswith(tuple(ALLOWED_SKIPS)):
        return
    report.outcome = "failed"
    report.longrepr = f"skipped under CI=true, which allows only the skips in tests/ci.py ALLOWED_SKIPS: {reason}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, object, object]:
    report = yield
    assert isinstance(report, pytest.TestReport)
    fail_unless_allowed(report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, object, object]:
    """A skip while collecting (a module-level skip or importorskip) skips a whole module: the same rule."""
    report = yield
    assert isinstance(report, pytest.CollectReport)
    fail_unless_allowed(report)
    return report
