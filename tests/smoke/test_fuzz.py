"""Fuzz each generated app through its own OpenAPI schema with schemathesis, served by uvicorn on a fresh
database: no server errors, every status code documented, every response body as the schema says.

Bounded so that it stays fast: a few examples per operation, one worker, a fixed seed (set
DBGEN_FUZZ_SEED to explore others; DBGEN_FUZZ_EXAMPLES for a deeper run).
"""

from __future__ import annotations

import json
import os
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from dbgen.backends import BACKENDS
from tests.smoke import serve
from tests.smoke.test_generated_projects import Project, project  # noqa: F401  (the fixture: one project per backend)

pytestmark = pytest.mark.smoke

EXAMPLES = os.environ.get("DBGEN_FUZZ_EXAMPLES", "5")
SEED = os.environ.get("DBGEN_FUZZ_SEED", "20251125")
# The base project's operations by --auth, exactly: a change that hides one from the fuzzer, or adds one, fails here.
# Login adds POST /auth/token, /auth/refresh, /auth/logout and /auth/logout-all, GET and PATCH /users/me, the
# roles: GET /users/{id}/roles, PUT and DELETE /users/{id}/roles/{role}, and the accounts by mail: POST
# /auth/password-recovery, /auth/reset-password, /auth/verify-email and /auth/verification.
OPERATIONS = {"jwt": 29, "none": 16}
# Signing out ends the session of the token that the superuser's run sends, and every later request would be a
# 401: that run leaves out the two sign-out operations, which the anonymous run calls (401 without a token).
SIGN_OUT = "^/api/v1/auth/logout"
SIGN_OUT_OPERATIONS = 2
NO_EXAMPLE = 8  # of those, the example Item's: its six, /users/{id}/items and /stats (dbgen new --no-example)

# Every check, less three that test what this API decides differently, not whether it keeps its schema:
# - positive_data_acceptance expects any schema-valid body to be accepted, but a body may name a user that
#   does not exist (a 422 by design), and email-validator refuses special-use domains (a@b.test) that the
#   "email" format allows;
# - unsupported_method and allow_header_conformance: an id route such as PATCH /items/{item_id} also
#   matches /items/bulk (a 422 for the id "bulk", not a 405), and Starlette's 405 names the methods of
#   the first route that matched the path only.
METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}
EXCLUDED_CHECKS = "positive_data_acceptance,unsupported_method,allow_header_conformance"


def superuser_token(target: Project, base: str) -> str:
    """Make the first superuser as a user would (python -m app.create_superuser), and sign in through the API."""
    email, password = "fuzz@example.com", "the schemathesis superuser's password"
    target.run("app.create_superuser", email, input=f"{password}\n")
    form = urllib.parse.urlencode({"username": email, "password": password}).encode()
    with urllib.request.urlopen(urllib.request.Request(f"{base}/api/v1/auth/token", data=form), timeout=30) as answer:
        token: str = json.load(answer)["access_token"]
        return token


def schemathesis(target: Project, base: str, report: Path, examples: str, *options: str, operations: int) -> str:
    """Run schemathesis against the served app; returns its output, and fails with it on any finding or when it
    did not test exactly `operations` operations (fails if a route is hidden from the schema or one is added
    without this count saying so)."""
    result = target.run(
        "schemathesis.cli",
        "run",
        f"{base}/openapi.json",
        "--checks=all",
        f"--exclude-checks={EXCLUDED_CHECKS}",
        f"--max-examples={examples}",
        f"--seed={SEED}",
        "--workers=1",
        "--request-timeout=60",  # a bulk of 100 users is 100 Argon2 hashes
        # Speed is measured in bench/, not here: the smoke suite shares two cores with another worker, so a
        # 422 once took 12 s. Only an answer slower than the request timeout (a hang) fails.
        "--max-response-time=60",
        "--report=junit",
        f"--report-junit-path={report}",
        *options,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-20_000:]
    # One test case per operation ("GET /api/v1/items"), and one for the stateful phase ("Stateful tests").
    names = {str(case.get("name")) for case in ET.parse(report).getroot().iter("testcase")}
    tested = sorted(name for name in names if name.split(" ")[0] in METHODS)
    assert len(tested) == operations, "\n".join(tested) + "\n" + output[-5_000:]
    return output


@contextmanager
def served(target: Project, log: Path) -> Iterator[str]:
    """The project served by uvicorn on its migrated database; fails with the server's log on any finding, and
    if the log holds a traceback."""
    if BACKENDS[target.db].is_sql:
        target.run("alembic", "upgrade", "head")
    # On MongoDB the app is served as its tests run it against nx-27017, the stand-in server (see the
    # generated tests/database.py): production code keeps MongoDB's formats, which nx-27017 lacks.
    app = ("app.main:app",) if BACKENDS[target.db].is_sql else ("--factory", "tests.database:stand_in_app")
    with serve.serving(target.root, target.env, log=log, app=app) as base:
        try:
            yield base
        except AssertionError as failed:
            raise AssertionError(f"{failed}\n--- server log ---\n{log.read_text()[-10_000:]}") from None
    assert "Traceback" not in log.read_text()


def test_schemathesis_finds_no_errors(project: Project, tmp_path: Path) -> None:  # noqa: F811
    """With login, twice: anonymous (each protected operation must answer 401, which `ignored_auth` and the
    documented statuses check), then as a superuser, to whom every operation is open."""
    operations = OPERATIONS[project.auth] - (0 if project.example else NO_EXAMPLE)
    with served(project, tmp_path / "uvicorn.log") as base:
        if project.auth == "jwt":
            schemathesis(project, base, tmp_path / "anonymous.xml", "1", operations=operations)
            token = f"--header=Authorization: Bearer {superuser_token(project, base)}"
            signed_in = operations - SIGN_OUT_OPERATIONS
            options = (token, f"--exclude-path-regex={SIGN_OUT}")
            schemathesis(project, base, tmp_path / "superuser.xml", EXAMPLES, *options, operations=signed_in)
        else:
            schemathesis(project, base, tmp_path / "open.xml", EXAMPLES, operations=operations)
