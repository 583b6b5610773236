"""Generate a real project per backend and run what its own README and CI run: lint, types,
migrations, and its test suite against a real database. The counts are asserted, not just exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from dbgen.backends import BACKENDS
from tests.smoke import serve
from tests.smoke.servers import fresh_database, require

pytestmark = pytest.mark.smoke

# The generated suite's size, exactly, by (backend, auth, example): a change that drops or adds tests fails here
# until this table says so. SQL adds migrations, sessions, a missing table, a FK delete and a CHECK refusal;
# login (--auth jwt, the default) adds its own, the admin's and its browser test among them, the roles' (on MongoDB
# one more: stale grants taken off at start) and the sign-in sessions' (18: test_login_sessions and test_auth's
# tokens naming sessions that do not exist); without the example Item (--no-example) the infrastructure tests run
# on users. Every project explains its lists (tests/test_query_plans.py: a test per sort key, filter, search and owner
# scope of each list; 18 with the example and login, 16 without login, 7 for users alone), tests its jobs
# (4, on Redis among them) and its seed command (3: the rows of every model read back through the API, the command
# and its users' shared password, the ids a row refers to); login adds the accounts by mail (14) and the admin's
# read-only page of mail deliveries (1).
TESTS = {
    ("sqlite", "jwt", True): 330,
    ("postgres", "jwt", True): 332,
    ("mysql", "jwt", True): 332,
    ("mongo", "jwt", True): 349,
    ("sqlite", "none", True): 212,
    ("postgres", "none", True): 214,
    ("sqlite", "jwt", False): 281,
    ("mongo", "jwt", False): 301,
}
# Every backend with login, and the open API (--auth none) on two of them.
VARIANTS = [(db, "jwt") for db in BACKENDS] + [("sqlite", "none"), ("postgres", "none")]
# And a project without the example Item, on each family.
NO_EXAMPLE = [("sqlite", "jwt"), ("mongo", "jwt")]
COVERAGE_FLOOR = 90.0  # the generated CI fails under this share of lines covered


@dataclass
class Project:
    root: Path
    db: str
    env: dict[str, str]
    auth: str = "jwt"
    example: bool = True

    def run(
        self, *args: str, check: bool = True, input: str | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """`python -m ARGS` in the project, with its variables and `env`'s over them."""
        result = subprocess.run(
            [sys.executable, "-m", *args],
            cwd=self.root,
            env=self.env | (env or {}),
            input=input,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if check and result.returncode != 0:
            pytest.fail(
                f"`{' '.join(args)}` failed in {self.root} ({result.returncode}):\n{result.stdout}\n{result.stderr}"
            )
        return result


@contextmanager
def generated(db: str, auth: str, example: bool, folder: Path) -> Iterator[Project]:
    """A new project of the variant in `folder`, with databases of its own (dropped after)."""
    require(db)
    root = folder / "shop"
    subprocess.run(
        [sys.executable, "-m", "dbgen", "new", "shop", "--db", db, "--auth", auth, "--dir", str(root), "--no-input"]
        + ([] if example else ["--no-example"]),
        check=True,
        capture_output=True,
    )
    with fresh_database(db) as urls:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TEST_DATABASE_URL"))}
        # The browser test's screenshot of the admin's list page is kept beside the project.
        artifacts = {"ARTIFACTS_DIR": str(root.parent / "artifacts")}
        yield Project(root, db, env | urls | artifacts | {"NO_COLOR": "1"}, auth, example)


def variant_id(db: str, auth: str, example: bool) -> str:
    return f"{db}-{auth}" + ("" if example else "-no-example")


ALL = [(db, auth, True) for db, auth in VARIANTS] + [(db, auth, False) for db, auth in NO_EXAMPLE]
# The variants whose suite, ruff and mypy tests/smoke/test_fresh_clone.py runs, from a clone, by the project's own
# workflow (the same exact count asserted there, and its ruff and mypy steps); those of the others run here.
CLONED = [(db, "jwt", True) for db in BACKENDS]


@pytest.fixture(scope="module", params=ALL, ids=[variant_id(*variant) for variant in ALL])
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    with generated(*request.param, tmp_path_factory.mktemp(variant_id(*request.param))) as made:
        yield made


NOT_CLONED = [variant for variant in ALL if variant not in CLONED]


@pytest.fixture(scope="module", params=NOT_CLONED, ids=[variant_id(*variant) for variant in NOT_CLONED])
def uncloned(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    with generated(*request.param, tmp_path_factory.mktemp(variant_id(*request.param))) as made:
        yield made


def test_ruff(uncloned: Project) -> None:
    uncloned.run("ruff", "check", ".")
    uncloned.run("ruff", "format", "--check", ".")


def test_mypy(uncloned: Project) -> None:
    uncloned.run("mypy")


def test_migrations_apply_and_match_models(project: Project) -> None:
    if not BACKENDS[project.db].is_sql:
        assert not (project.root / "alembic.ini").exists()
        return
    project.run("alembic", "upgrade", "head")
    check = project.run("alembic", "check")
    assert "No new upgrade operations detected" in check.stdout + check.stderr
    project.run("alembic", "downgrade", "base")
    project.run("alembic", "upgrade", "head")


def junit_counts(report: Path) -> dict[str, int]:
    """The tests, failures, errors and skips of a pytest junit report."""
    suite = ET.parse(report).getroot().find("testsuite")
    assert suite is not None
    return {key: int(suite.get(key, "0")) for key in ("tests", "failures", "errors", "skipped")}


def junit_files(report: Path) -> Counter[str]:
    """How many tests of each test file a pytest junit report holds, by the file's path ("tests/test_tags.py")."""
    cases = ET.parse(report).getroot().iter("testcase")
    return Counter(str(case.get("classname")).replace(".", "/") + ".py" for case in cases)


def suite_counts(
    project: Project,
    *tests: str,
    coverage: bool = False,
    browser: bool = False,
    per_file: Counter[str] | None = None,
) -> dict[str, float]:
    """Run the generated test suite (or only `tests`: files or test ids); it must pass with nothing skipped.
    Returns its counts and, with `coverage` (as the project's CI runs it), the share of lines covered. The
    admin's browser test runs only with `browser`. Given `per_file`, adds to it how many tests of each file ran."""
    report, measured = project.root / "report.xml", project.root / "coverage.json"
    options = ["--cov", f"--cov-report=json:{measured}"] if coverage else []
    if not browser:
        options += ["-m", "not browser"]
    project.run("pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}", *options, *tests)
    counts: dict[str, float] = dict(junit_counts(report))
    if per_file is not None:
        per_file.update(junit_files(report))
    report.unlink()
    if coverage:
        counts["covered"] = json.loads(measured.read_text())["totals"]["percent_covered"]
        measured.unlink()
        (project.root / ".coverage").unlink(missing_ok=True)
    assert counts["failures"] == counts["errors"] == counts["skipped"] == 0, counts
    return counts


def test_generated_suite_passes(uncloned: Project) -> None:
    counts = suite_counts(uncloned, coverage=True, browser=True)
    print(f"{uncloned.db}: {counts['tests']:.0f} tests, {counts['covered']:.1f} % of lines covered")
    assert counts["tests"] == TESTS[uncloned.db, uncloned.auth, uncloned.example]
    assert counts["covered"] >= COVERAGE_FLOOR, counts


def test_uvicorn_serves_health_and_docs(project: Project) -> None:
    if BACKENDS[project.db].is_sql:
        project.run("alembic", "upgrade", "head")
    statuses = serve.check(project.root, project.env)
    assert statuses == {"/health/live": 200, "/health/ready": 200, "/docs": 200, "/openapi.json": 200}


@pytest.mark.parametrize("db", ["sqlite"])
def test_the_suite_keeps_its_own_settings_over_a_copied_env_example(db: str, tmp_path: Path) -> None:
    """Fails if the README's set-up (`cp .env.example .env`, which asks for production's Argon2 cost and job retries
    seconds apart) changes what the suite runs with: the broker test would time out waiting for a job's last retry."""
    with generated(db, "jwt", False, tmp_path) as project:
        (project.root / ".env").write_text((project.root / ".env.example").read_text())
        suite = project.run("pytest", "-q", "-p", "no:cacheprovider", "tests/test_jobs.py", "tests/test_accounts.py")
        assert "passed" in suite.stdout and "skipped" not in suite.stdout, suite.stdout
