"""Mutants: each breaks, in a generated project, one feature that the project's own tests guard (issue #26,
items 1-5), and the tests named for it must then fail.

One SQLite project (login, the example Item, and added models with a unique field, an enum, a decimal and a
reference) takes every mutant in turn: the break is applied as an exact text replacement, only the named tests
run, and the file is restored. The statement-timeout mutant needs a server that stops statements: it runs on
a PostgreSQL project of its own. A mutant's old text must be found exactly once, so that a template change
that moves it fails here instead of leaving the mutant unapplied.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

import dbgen as dbgen_package
from tests.smoke.servers import fresh_database, require
from tests.smoke.test_generated_projects import Project

pytestmark = pytest.mark.smoke

# The models added to the SQLite project: a case-insensitive unique name, and a product with a decimal, an
# enum, an optional int, an optional unique text and a reference, which only editors (a role) may change.
ROLES = ["editor"]
MODELS = [
    ["Category", "name:str:ci:unique"],
    ["Product", "name:str", "price:decimal", "status:enum(draft,live)", "stock:int?", "sku:str:unique?",
     "category:Category", "--write", "editor"],
]  # fmt: skip

# The folder this run imports dbgen from, for `python -m dbgen` run inside the project.
SOURCE = str(Path(dbgen_package.__file__).resolve().parents[1])


@dataclass(frozen=True)
class Mutant:
    name: str
    path: str  # in the generated project
    old: str  # found exactly once
    new: str
    tests: tuple[str, ...]  # the generated tests that must fail, as pytest node ids
    db: str = "sqlite"


BEST_EFFORT_CREATE_MANY = """\
        stored = []
        for obj in objs:
            try:
                async with self.session.begin_nested():
                    self.session.add(obj)
            except IntegrityError:
                continue
            stored.append(obj)
        return stored
"""

LIVE_ASKS_THE_DATABASE = """\
async def live(request: Request) -> Health:
    if (await ready(request)).status_code != 200:
        raise RuntimeError("not ready")
"""

# The generated access matrix of Product (a row per caller) whose create the access mutants turn from a refusal
# into a success: a member without the role (403).
MEMBER_MATRIX = "tests/test_products.py::test_access[member]"

MUTANTS = [
    # Item 1: a sort key mapped to another column must not page in the same order.
    Mutant(
        "price-sorts-by-name",
        "app/repositories/product.py",
        '"price": Product.price,',
        '"price": Product.name,',
        ("tests/test_products.py::test_every_sort_key_pages_in_order[price]",),
    ),
    Mutant(
        "status-sorts-by-id",
        "app/repositories/product.py",
        '"status": Product.status,',
        '"status": Product.id,',
        ("tests/test_products.py::test_every_sort_key_pages_in_order[status]",),
    ),
    Mutant(
        "unique-sku-sorts-by-id",
        "app/repositories/product.py",
        '"sku": Product.sku,',
        '"sku": Product.id,',
        ("tests/test_products.py::test_every_sort_key_pages_in_order[sku]",),
    ),
    Mutant(
        "full-name-sorts-by-email",
        "app/repositories/user.py",
        '"full_name": User.full_name,',
        '"full_name": User.email,',
        ("tests/test_users.py::test_every_sort_key_pages_in_order[full_name]",),
    ),
    Mutant(
        "title-sorts-by-id",
        "app/repositories/item.py",
        '"title": Item.title,',
        '"title": Item.id,',
        ("tests/test_items.py::test_every_sort_key_pages_in_order[title]",),
    ),
    # Item 2: a bulk create that stores the rows the database takes and skips the others.
    Mutant(
        "best-effort-create-many",
        "app/repositories/base.py",
        "        self.session.add_all(objs)\n        await self._flush()\n        return objs\n",
        BEST_EFFORT_CREATE_MANY,
        (
            "tests/test_products.py::test_bulk_create_is_all_or_nothing",
            "tests/test_categories.py::test_bulk_create_is_all_or_nothing",
            "tests/test_users.py::test_bulk_create_is_all_or_nothing",
        ),
    ),
    # Item 3: ids below 1 reach the database (a 404 instead of a 422).
    Mutant(
        "ids-below-1-accepted",
        "app/api/deps.py",
        "Path(ge=1, le=2**31 - 1,",
        "Path(le=2**31 - 1,",
        (
            "tests/test_hostile_input.py::test_bad_ids_are_refused[0-422]",
            "tests/test_hostile_input.py::test_bad_ids_are_refused[-1-422]",
            "tests/test_items.py::test_page_size_is_capped_and_ids_are_checked",
        ),
    ),
    # Item 4: an update that drops the new password.
    Mutant(
        "password-change-dropped",
        "app/api/routes/users.py",
        "        values |= await passwords.new_password(changes.password)\n",
        "        await passwords.new_password(changes.password)\n",
        ("tests/test_users.py::test_password_change_is_stored_and_kept_hidden",),
    ),
    # Item 5: a forged request id echoed; a liveness probe that asks the database; no statement timeout.
    Mutant(
        "forged-request-id-echoed",
        "app/main.py",
        "CorrelationIdMiddleware, validator=valid_request_id",
        "CorrelationIdMiddleware, validator=lambda value: True",
        ("tests/test_errors.py::test_every_response_carries_a_request_id",),
    ),
    Mutant(
        "live-asks-the-database",
        "app/api/routes/health.py",
        "async def live() -> Health:\n",
        LIVE_ASKS_THE_DATABASE,
        ("tests/test_health.py::test_live_answers_without_the_database",),
    ),
    Mutant(
        "no-statement-timeout",
        "app/db/engine.py",
        '"server_settings": {"statement_timeout": str(int(settings.db_statement_timeout * 1000))},',
        '"server_settings": {},',
        ("tests/test_errors.py::test_a_statement_past_the_time_limit_is_stopped_and_a_503",),
        db="postgres",
    ),
    # Access: a route that lost its policy's dependency; a role check that lets in whoever is signed in.
    Mutant(
        "product-create-unguarded",
        "app/api/routes/products.py",
        '    "",\n    status_code=status.HTTP_201_CREATED,\n    dependencies=[Depends(role("editor"))],\n',
        '    "",\n    status_code=status.HTTP_201_CREATED,\n',
        ("tests/test_products.py::test_access[anonymous]", MEMBER_MATRIX),
    ),
    Mutant(
        "role-ignores-roles",
        "app/api/access.py",
        "if not (caller.is_superuser or name in caller.roles):",
        "if not (caller.is_superuser or caller.id is not None):",
        ("tests/test_roles.py::test_a_revocation_counts_from_the_next_request", MEMBER_MATRIX),
    ),
    # Sign-in sessions: a refresh token that is not used up; an access token whose session is not checked.
    Mutant(
        "refresh-token-reusable",
        "app/repositories/login_session.py",
        ".where(RefreshToken.digest == digest, RefreshToken.used_at.is_(None))",
        ".where(RefreshToken.digest == digest)",
        (
            "tests/test_login_sessions.py::test_a_refresh_rotates_the_refresh_token",
            "tests/test_login_sessions.py::test_reusing_a_rotated_refresh_token_ends_its_session",
            "tests/test_login_sessions.py::test_concurrent_refreshes_with_one_token_let_one_through",
        ),
    ),
    Mutant(
        "session-not-checked",
        "app/repositories/user.py",
        "statement.where(User.password_version == version, session_lasts)",
        "statement.where(User.password_version == version)",
        (
            "tests/test_login_sessions.py::test_logout_ends_that_session_only",
            "tests/test_login_sessions.py::test_logout_all_ends_every_session_of_the_user",
            "tests/test_login_sessions.py::test_an_access_token_of_a_session_that_does_not_exist_is_401",
        ),
    ),
]


def generate(root: Path, db: str, env: dict[str, str]) -> None:
    path = os.pathsep.join(filter(None, [SOURCE, env.get("PYTHONPATH")]))
    commands = [["new", "shop", "--db", db, "--dir", str(root), "--no-input"]]
    if db == "sqlite":
        commands += [["add-role", role] for role in ROLES] + [["add-model", *model] for model in MODELS]
    for command in commands:
        subprocess.run(
            [sys.executable, "-m", "dbgen", *command],
            cwd=root if root.exists() else root.parent,
            env=env | {"PYTHONPATH": path},
            check=True,
            capture_output=True,
        )


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Project]]:
    """The generated project of a backend, made when a mutant first asks for it; its named tests pass."""
    made: dict[str, Project] = {}
    with ExitStack() as databases:

        def project(db: str) -> Project:
            if db not in made:
                require(db)
                root = tmp_path_factory.mktemp(f"mutants-{db}") / "shop"
                env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TEST_DATABASE_URL"))}
                env |= databases.enter_context(fresh_database(db)) | {"NO_COLOR": "1"}
                generate(root, db, env)
                made[db] = Project(root, db, env)
                unmutated = failures(made[db], [test for m in MUTANTS if m.db == db for test in m.tests])
                assert unmutated == (0, set()), f"the mutants' tests fail before any mutant: {unmutated}"
            return made[db]

        yield project


def failures(project: Project, tests: list[str]) -> tuple[int, set[str]]:
    """Run only these tests of the project: its exit code and the node ids of those that failed."""
    report = project.root / "mutant.xml"
    result = project.run(
        "pytest", "-q", "-p", "no:cacheprovider", "-m", "not browser", f"--junitxml={report}", *tests, check=False
    )
    failed = set()
    for case in ET.parse(report).getroot().iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            module = case.get("classname", "").replace(".", "/")
            failed.add(f"{module}.py::{case.get('name')}")
    report.unlink()
    return result.returncode, failed


@pytest.mark.parametrize("mutant", MUTANTS, ids=[f"{m.db}-{m.name}" for m in MUTANTS])
def test_the_generated_tests_kill_the_mutant(mutant: Mutant, projects: Callable[[str], Project]) -> None:
    project = projects(mutant.db)
    path = project.root / mutant.path
    original = path.read_text()
    assert original.count(mutant.old) == 1, f"{mutant.path} no longer holds the mutant's text once: {mutant.old!r}"
    path.write_text(original.replace(mutant.old, mutant.new))
    try:
        code, failed = failures(project, list(mutant.tests))
    finally:
        path.write_text(original)
    assert code != 0, f"{mutant.name} survived: {mutant.tests} passed"
    assert set(mutant.tests) <= failed, f"{mutant.name}: expected {mutant.tests} among the failures, got {failed}"
