"""What dbgen's CI runs, and the one place that says how many tests each part of it must run.

Read by tests/conftest.py (the skips CI allows), by the noxfile (which checks the counts after each run; it loads
this file by path, so nothing here may import tests.smoke) and by tests/unit/test_ci.py, which checks the
counts against a collection and that the backend legs split the smoke tests between them.

The parts: `.ci/run` runs `nox`, whose `tests` session runs all of tests/ on two workers. dbgen's GitHub workflow
runs the same tests in parts: `nox -s lint unit`, then one `nox -s "smoke(BACKEND)"` leg per backend, which selects
`pytest tests/smoke -k BACKEND`: every smoke test id names exactly one backend (`[sqlite-jwt]`, `[postgres]`).
"""

from __future__ import annotations

import os

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# Tests in tests/unit: `nox -s unit` fails unless exactly these ran (no test may be skipped or deselected).
UNIT_TESTS = 479
# Tests in tests/smoke per backend leg (`-k BACKEND`); together every smoke test, each in one leg.
SMOKE_TESTS = {"sqlite": 48, "postgres": 37, "mysql": 21, "mongo": 25}
# What `nox -s tests` (and so `.ci/run`) runs: every test above, once.
ALL_TESTS = UNIT_TESTS + sum(SMOKE_TESTS.values())

# Skips that CI=true lets pass, by the start of the skip's reason, each with why it is allowed. Every other skip
# fails the run in CI (tests/conftest.py): a missing server, program or package is a broken CI, not a pass.
# Empty: nothing may be skipped.
ALLOWED_SKIPS: dict[str, str] = {}
