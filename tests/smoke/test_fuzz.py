"""Fuzz each generated app through its own OpenAPI schema with schemathesis, served by uvicorn on a fresh
database: no server errors, every status code documented, every response body as the schema says.

Bounded so that it stays fast: a few examples per operation, one worker, a fixed seed (set
DBGEN_FUZZ_SEED to explore others; DBGEN_FUZZ_EXAMPLES for a deeper run).
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from dbgen.backends import BACKENDS
from tests.smoke import serve
from tests.smoke.test_generated_projects import Project, project  # noqa: F401  (the fixture: one project per backend)

pytestmark = pytest.mark.smoke

EXAMPLES = os.environ.get("DBGEN_FUZZ_EXAMPLES", "5")
SEED = os.environ.get("DBGEN_FUZZ_SEED", "20251125")
OPERATIONS = 16  # the base project's: a change that hides operations from the fuzzer fails here

# Every check, less three that test what this API decides differently, not whether it keeps its schema:
# - positive_data_acceptance expects any schema-valid body to be accepted, but a body may name a user that
#   does not exist (a 422 by design), and email-validator refuses special-use domains (a@b.test) that the
#   "email" format allows;
# - unsupported_method and allow_header_conformance: an id route such as PATCH /items/{item_id} also
#   matches /items/bulk (a 422 for the id "bulk", not a 405), and Starlette's 405 names the methods of
#   the first route that matched the path only.
EXCLUDED_CHECKS = "positive_data_acceptance,unsupported_method,allow_header_conformance"


def test_schemathesis_finds_no_errors(project: Project, tmp_path: Path) -> None:  # noqa: F811
    if BACKENDS[project.db].is_sql:
        project.run("alembic", "upgrade", "head")
    report = tmp_path / "junit.xml"
    server_log = tmp_path / "uvicorn.log"
    # On MongoDB the app is served as its tests run it against nx-27017, the stand-in server (see the
    # generated tests/database.py): production code keeps MongoDB's formats, which nx-27017 lacks.
    app = ("app.main:app",) if BACKENDS[project.db].is_sql else ("--factory", "tests.database:stand_in_app")
    with serve.serving(project.root, project.env, log=server_log, app=app) as base:
        result = project.run(
            "schemathesis.cli",
            "run",
            f"{base}/openapi.json",
            "--checks=all",
            f"--exclude-checks={EXCLUDED_CHECKS}",
            f"--max-examples={EXAMPLES}",
            f"--seed={SEED}",
            "--workers=1",
            "--request-timeout=60",  # a bulk of 100 users is 100 Argon2 hashes
            # Speed is measured in bench/, not here: the smoke suite shares two cores with another worker, so a
            # 422 once took 12 s. Only an answer slower than the request timeout (a hang) fails.
            "--max-response-time=60",
            "--report=junit",
            f"--report-junit-path={report}",
            check=False,
        )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{output[-20_000:]}\n--- server log ---\n{server_log.read_text()[-10_000:]}"
    cases = ET.parse(report).getroot().iter("testcase")
    assert len({case.get("name") for case in cases}) >= OPERATIONS, output[-5_000:]
    assert "Traceback" not in server_log.read_text()
