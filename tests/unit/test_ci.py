"""dbgen's CI runs what it claims: the counts of tests/ci.py match a collection, each smoke test is in exactly one
backend leg of the GitHub workflow, and under CI=true a skip fails unless tests/ci.py allows it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from tests import ci, conftest

ROOT = Path(__file__).parents[2]


def collect(*args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def ids(collection: subprocess.Popen[str]) -> list[str]:
    output, _ = collection.communicate(timeout=300)
    assert collection.returncode == 0, output
    return [line for line in output.splitlines() if "::" in line]


def test_the_counts_are_the_collection_and_the_legs_split_the_smoke_tests() -> None:
    """Fails if a smoke test's id names no backend (every leg drops it) or two (two legs run it), a test is added
    or lost without tests/ci.py saying so (the counts nox and the GitHub jobs check after each run), or a test that
    tests/conftest.py schedules first by its duration was renamed (it would lose its place and could start last)."""
    everything = collect("tests")  # what `.ci/run` runs: `nox` -> `tests` -> `pytest -n 2`
    legs = {backend: collect("tests/smoke", "-k", backend) for backend in ci.SMOKE_TESTS}
    selected = {backend: ids(leg) for backend, leg in legs.items()}
    collected = ids(everything)
    unit = [test for test in collected if test.startswith("tests/unit/")]
    smoke = [test for test in collected if test.startswith("tests/smoke/")]
    assert len(unit) + len(smoke) == len(collected), "tests outside tests/unit and tests/smoke"
    legs_of = Counter(test for tests in selected.values() for test in tests)
    assert [test for test in smoke if legs_of[test] != 1] == [], "in no leg (0) or in several"
    assert legs_of.keys() == set(smoke)
    counts = {"unit": len(unit)} | {backend: len(tests) for backend, tests in selected.items()}
    assert counts == {"unit": ci.UNIT_TESTS} | ci.SMOKE_TESTS, "update tests/ci.py"
    assert len(collected) == ci.ALL_TESTS
    # The tests that tests/conftest.py runs first by their measured time: each still exists under its id.
    assert {f"tests/{test}" for test in conftest.SECONDS} <= set(collected), "rename them in tests/conftest.py"


def test_the_github_workflow_runs_every_part() -> None:
    """Fails if the workflow drops a backend leg, selects the smoke tests another way than nox does, or leaves the
    unit tests out; or if `nox -s tests` hands out its tests other than one at a time in tests/conftest.py's order."""
    workflow = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text())
    jobs = workflow["jobs"]
    assert workflow["env"]["CI"] == "true"
    assert {"run": "nox -s lint unit"} in jobs["lint-unit"]["steps"]
    assert jobs["smoke"]["strategy"]["matrix"]["backend"] == list(ci.SMOKE_TESTS)
    assert {"run": 'nox -s "smoke(${{ matrix.backend }})"'} in jobs["smoke"]["steps"]
    noxfile = (ROOT / "noxfile.py").read_text()
    # `.ci/run`'s tests go to whichever worker is free, one at a time, in tests/conftest.py's order.
    assert 'schedule = ("--dist", "loadgroup", "--no-loadscope-reorder")' in noxfile
    assert 'pytest_counted(session, CI["SMOKE_TESTS"][backend], "tests/smoke", "-k", backend)' in noxfile
    assert 'pytest_counted(session, CI["UNIT_TESTS"], "tests/unit")' in noxfile


SKIPPING = """
import pytest

def test_passes():
    pass

def test_skips():
    pytest.skip("no server here")

@pytest.mark.skipif(True, reason="not on this machine")
def test_skipped_by_a_mark():
    pass

def test_lacks_a_package():
    pytest.importorskip("a_package_that_is_not_installed")
"""


@pytest.mark.parametrize(("env", "summary"), [("true", "2 failed, 1 passed, 1 error"), ("", "1 passed, 3 skipped")])
def test_a_skip_fails_under_ci(env: str, summary: str, tmp_path: Path) -> None:
    """Fails if tests/conftest.py stops turning skips into failures under CI=true (or does so without it)."""
    (tmp_path / "test_skipping.py").write_text(SKIPPING)
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.conftest", "-p", "no:cacheprovider", "-q", str(tmp_path)],
        cwd=tmp_path,
        env=os.environ | {"CI": env, "PYTHONPATH": path},
        capture_output=True,
        text=True,
    )
    assert summary in result.stdout.splitlines()[-1], result.stdout
    if env:
        assert "skipped under CI=true, which allows only the skips in tests/ci.py ALLOWED_SKIPS: no server here" in (
            result.stdout
        )


def test_a_skip_on_the_allowed_list_passes_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fails if an allowed reason fails the run, or a reason that only resembles an allowed one passes."""
    monkeypatch.setattr(conftest, "IN_CI", True)
    monkeypatch.setattr(conftest, "ALLOWED_SKIPS", {"a reason": "why it may be skipped"})
    outcomes = []
    for reason in ("a reason, at length", "another reason"):
        skipped = ("t.py", 1, f"Skipped: {reason}")
        report = pytest.TestReport("t.py::t", ("t.py", 1, "t"), {}, "skipped", skipped, "call")
        conftest.fail_unless_allowed(report)
        outcomes.append(report.outcome)
    assert outcomes == ["skipped", "failed"]
