"""Test order: the longest smoke tests first, so that on two workers none of them starts last and runs alone.

The noxfile runs them with `--dist loadgroup --no-loadscope-reorder`: xdist hands out the tests in this order,
one at a time, to whichever worker is free, so the long ones are spread over both workers and the short ones
fill in at the end. xdist's default (`--dist load`) sends each worker a fixed block of consecutive tests first.
(No test is marked `xdist_group`: with pytest 9, xdist 3.8 cannot tag a test's id with its group, so a group
would not hold together.)

In CI (CI=true) a skip is a failure unless its reason is on tests/ci.py's ALLOWED_SKIPS: a test that did not run
because something was missing must not leave the run green.
"""

from __future__ import annotations

from collections.abc import Generator

import pytest

from tests.ci import ALLOWED_SKIPS, IN_CI

# Seconds the longest tests took in a full run on two workers (`--durations`), by id in tests/; they run first,
# longest first. The other smoke modules follow, LONGEST_FIRST's first, each keeping pytest's order within the
# module (and so its module-scoped fixtures' grouping); the unit tests run last.
SECONDS = {
    "smoke/test_grow_project.py::test_add_and_remove_models[sqlite]": 365,
    "smoke/test_grow_project.py::test_add_and_remove_models[postgres]": 280,
    "smoke/test_fresh_clone.py::test_workflow_run_steps_pass_on_a_fresh_clone[postgres]": 247,
    "smoke/test_fresh_clone.py::test_workflow_run_steps_pass_on_a_fresh_clone[sqlite]": 227,
    "smoke/test_grow_project.py::test_add_and_remove_models[mysql]": 206,
    "smoke/test_grow_project.py::test_add_and_remove_models[mongo]": 181,
    "smoke/test_grow_project.py::test_add_and_remove_models[sqlite-no-example]": 163,
    "smoke/test_fresh_clone.py::test_workflow_run_steps_pass_on_a_fresh_clone[mysql]": 148,
    "smoke/test_grow_project.py::test_add_and_remove_models[mongo-no-example]": 146,
    "smoke/test_import_rental.py::test_the_rental_database_is_adopted_served_and_tested[sqlite]": 190,
    "smoke/test_import_rental.py::test_the_rental_database_is_adopted_served_and_tested[postgres]": 185,
    "smoke/test_import_rental.py::test_the_rental_database_is_adopted_served_and_tested[mysql]": 180,
    "smoke/test_import_project.py::test_a_legacy_database_is_adopted[sqlite]": 154,
    "smoke/test_generated_projects.py::test_generated_suite_passes[sqlite-jwt-no-example]": 136,
    "smoke/test_import_project.py::test_a_legacy_database_is_adopted[postgres]": 115,
    "smoke/test_fresh_clone.py::test_workflow_run_steps_pass_on_a_fresh_clone[mongo]": 113,
    "smoke/test_generated_projects.py::test_generated_suite_passes[mongo-jwt-no-example]": 97,
    "smoke/test_generated_projects.py::test_generated_suite_passes[postgres-none]": 90,
    "smoke/test_generated_projects.py::test_generated_suite_passes[sqlite-none]": 80,
    "unit/test_ci.py::test_the_counts_are_the_collection_and_the_legs_split_the_smoke_tests": 65,
}
LONGEST_FIRST = ("test_mutants", "test_update", "test_fuzz")  # modules whose every test is long


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> tuple[int, int]:
        seconds = SECONDS.get(item.nodeid.removeprefix("tests/"), 0)
        if item.path.parent.name != "smoke":
            return (-seconds, len(LONGEST_FIRST) + 1)
        module = item.path.stem
        return (-seconds, LONGEST_FIRST.index(module) if module in LONGEST_FIRST else len(LONGEST_FIRST))

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
