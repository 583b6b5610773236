"""The add-model / remove-model sequence on every backend, as a user would run it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

import dbgen as dbgen_package
from dbgen.backends import BACKENDS
from dbgen.naming import ModelNames
from tests.smoke.servers import fresh_database, require
from tests.smoke.test_fuzz import EXAMPLES, schemathesis, served, superuser_token
from tests.smoke.test_generated_projects import TESTS, Project, suite_counts

pytestmark = pytest.mark.smoke

CATEGORY = ["Category", "name:str:ci:unique"]  # unique whatever the case
TAG = ["Tag", "name:str:unique", "--write", "editor"]  # read by signed-in users, written by editors
PRODUCT = [
    "Product", "name:str:maxlen=80", "price:decimal:min=0", "in_stock:bool", "category:Category", "description:text?",
    "status:enum(draft,live)=draft", "tags:Tag[]", "site:url?", "owner:User", "--read", "anyone",
]  # fmt: skip  # a public list: cached by its ETag; `owner` is a relation like any other (no --owned: nobody's own)
NOTE = ["Note", "title:str", "category:Category", "--owned"]  # records of the signed-in user who made them
ADDED = (CATEGORY, TAG, PRODUCT, NOTE)
# SQL: categories nest (add-field of a relation of the model to itself), which brings Category a test of the
# reference and a query plan for its filter.
PARENT = ["Category", "parent:Category:setnull?"]
PARENT_TESTS, PARENT_PLANS = 1, 1
# The tests each added model brings (its tests/test_<plural>.py; no other file changes) on a SQL backend, with or
# without the example Item. Product's: 50 as added, and stock's sort, cursor and edge tests (sku's four come and
# go). Each has its access matrix (a test per caller: 5, Note's 6 with its owner, Tag's 6 with an editor), the
# OpenAPI locks, and a public list's ETag test (Product) or a guarded list's never-public one. Recount after a
# change to the model's test template: `pytest --collect-only -q tests/test_tags.py`.
ADDED_TESTS = {"Category": 34, "Tag": 34, "Product": 53, "Note": 37}
# The tests that tests/test_roles.py gains with the project's first role (grants, revocations, the admin's form),
# which the base suite, with no role, does not run.
ROLE_TESTS = 9
# Of those, SQL only: a cursor at the edge of what a column holds (the id, and each sort key whose column has a
# limit: name, price and stock), which a document store does not bound.
EDGE_TESTS = {"Category": 2, "Tag": 2, "Product": 4, "Note": 2}
# The query-plan tests (tests/test_query_plans.py) each added model's list brings: one per sort key, filter and
# search, and the owner's own list (Note); Product's count its stock sort, added by add-field.
QUERY_PLAN_TESTS = {"Category": 4, "Tag": 4, "Product": 13, "Note": 7}
ADDED_OPERATIONS = 6  # per added model: list, create, bulk create, read, update, delete


# The folder this run imports dbgen from: run inside the project, `python -m dbgen` must find the same code
# (a relative PYTHONPATH=src no longer points at it there, and an installed dbgen may be another checkout).
SOURCE = str(Path(dbgen_package.__file__).resolve().parents[1])


def dbgen(project: Project, *args: str) -> subprocess.CompletedProcess[str]:
    path = os.pathsep.join(filter(None, [SOURCE, project.env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "dbgen", *args],
        cwd=project.root,
        env=project.env | {"PYTHONPATH": path},
        capture_output=True,
        text=True,
    )


def check_everything(project: Project, *tests: str, per_file: Counter[str] | None = None) -> int:
    """Lint, types, migrations (SQL) and the suite (or only `tests`); returns how many tests ran (and, into
    `per_file`, how many of each file)."""
    project.run("ruff", "check", ".")
    project.run("ruff", "format", "--check", ".")
    project.run("mypy")
    if BACKENDS[project.db].is_sql:
        project.run("alembic", "upgrade", "head")
        check = project.run("alembic", "check")
        assert "No new upgrade operations detected" in check.stdout + check.stderr
    return suite_counts(project, *tests, per_file=per_file)["tests"]


# The base suite's tests that go over every model or route the project has, those add-model adds too: they run
# while the project holds all four added models, with Product's tests, and again in the whole suite at the end
# (see test_add_and_remove_models).
PLANS = "tests/test_query_plans.py"  # every list shape of every model, explained
EVERY_MODEL = (
    "tests/test_admin.py::test_every_model_has_a_list_page",
    "tests/test_auth.py::test_every_api_route_but_login_needs_a_token",
    PLANS,
)
# And the database's: on SQL the models against the migrations, on MongoDB the indexes made at start.
EVERY_TABLE = {True: "tests/test_migrations.py", False: "tests/test_startup.py"}


def suite_files(root: Path) -> dict[str, bytes]:
    """The project's test files, by path, with their content."""
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted((root / "tests").glob("test_*.py"))}


# Every backend, and a project without the example Item (dbgen new --no-example) on each family.
GROWN = [(db, True) for db in BACKENDS] + [("sqlite", False), ("mongo", False)]


@pytest.mark.parametrize(("db", "example"), GROWN, ids=[f"{db}{'' if e else '-no-example'}" for db, e in GROWN])
def test_add_and_remove_models(db: str, example: bool, tmp_path: Path) -> None:
    """Fails if add-model or add-field writes fewer tests than ADDED_TESTS (a model test template that loses a
    test), or growing the project drops a test of the base suite.

    Each test file of the grown project (four models, a role, fields added and removed, access widened) runs once,
    in the state where it last exists: Product's, which remove-model deletes, while the project is grown, with the
    base tests that go over every model, route and table (EVERY_MODEL, EVERY_TABLE); every other one, unchanged by
    remove-model (that is asserted), in the whole suite after it, counted."""
    require(db)
    root = tmp_path / "shop"
    subprocess.run(
        [sys.executable, "-m", "dbgen", "new", "shop", "--db", db, "--dir", str(root), "--no-input"]
        + ([] if example else ["--no-example"]),
        check=True,
    )
    # The admin's own views: users, the example's items, and the mail deliveries (read-only, a login project's).
    built_in = ({"user", "item"} if example else {"user"}) | {"maildelivery"}
    with fresh_database(db) as urls:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TEST_DATABASE_URL"))}
        project = Project(root, db, env | urls | {"NO_COLOR": "1"})
        if BACKENDS[db].is_sql:
            project.run("alembic", "upgrade", "head")  # the base schema is live before the project grows
        base_files = suite_files(root)
        # The base suite, as test_generated_projects counts and runs it; here the browser test is deselected.
        base = TESTS[db, "jwt", example] - 1
        added_tests = {model: n - (0 if BACKENDS[db].is_sql else EDGE_TESTS[model]) for model, n in ADDED_TESTS.items()}
        added_plans = dict(QUERY_PLAN_TESTS)
        if BACKENDS[db].is_sql:
            added_tests["Category"] += PARENT_TESTS
            added_plans["Category"] += PARENT_PLANS

        role = dbgen(project, "add-role", "editor")
        assert role.returncode == 0, role.stderr
        for args in ADDED:
            result = dbgen(project, "add-model", *args)
            assert result.returncode == 0, result.stderr
        again = dbgen(project, "add-model", *PRODUCT)
        assert again.returncode == 0 and "nothing to do" in again.stdout
        # Fields grow, then one shrinks; lint, types, migrations (one upgrade applies the models' migrations,
        # then the fields' added and dropped) and the suite are checked on the outcome.
        added = dbgen(project, "add-field", "Product", "stock:int=0", "sku:str:unique?")
        assert added.returncode == 0, added.stderr
        assert "sku: str | None" in (root / "app/schemas/product.py").read_text()
        if BACKENDS[db].is_sql:
            nested = dbgen(project, "add-field", *PARENT)
            assert nested.returncode == 0, nested.stderr
        removed = dbgen(project, "remove-field", "Product", "sku")
        assert removed.returncode == 0, removed.stderr
        # Access: Category's writers widen to every signed-in user; its route and tests follow.
        widened = dbgen(project, "set-access", "Category", "--write", "users")
        assert widened.returncode == 0, widened.stderr
        assert "superuser" not in (root / "app/api/routes/categories.py").read_text()
        grown_files = suite_files(root)
        written = {f"tests/test_{ModelNames.of(args[0]).plural}.py" for args in ADDED} | {"tests/test_roles.py"}
        assert {path for path, content in grown_files.items() if base_files.get(path) != content} == written
        products = "tests/test_products.py"
        per_file: Counter[str] = Counter()
        check_everything(project, products, *EVERY_MODEL, EVERY_TABLE[BACKENDS[db].is_sql], per_file=per_file)
        grown_plans = per_file[PLANS]
        # The generated admin test opens every model's list page from the admin's menu.
        assert admin_views(project) == built_in | {"category", "note", "product", "tag"}
        assert "stock: int = Field(default=0" in (root / "app/schemas/product.py").read_text()
        assert "sku" not in (root / "app/schemas/product.py").read_text()
        fuzz_added_models(project, tmp_path)

        schema = root / "app" / "schemas" / "product.py"
        schema.write_text(schema.read_text() + "# my change\n")
        refused = dbgen(project, "remove-model", "Product")
        assert refused.returncode == 2 and "app/schemas/product.py" in refused.stderr
        assert schema.read_text().endswith("# my change\n")
        schema.write_text(schema.read_text().removesuffix("# my change\n"))

        refused = dbgen(project, "remove-model", "Tag")
        assert refused.returncode == 2 and "Product refers to it" in refused.stderr

        removed = dbgen(project, "remove-model", "Product")
        assert removed.returncode == 0, removed.stderr
        assert not schema.exists()
        assert suite_files(root) == {path: content for path, content in grown_files.items() if path != products}
        per_file = Counter({products: per_file[products]})  # the other files' tests run again: count them once
        everything = check_everything(project, per_file=per_file)
        # Each added model came with its own tests and its lists' query plans, and only those; the role with its
        # own; none of the base's lost.
        assert {args[0]: per_file[f"tests/test_{ModelNames.of(args[0]).plural}.py"] for args in ADDED} == added_tests
        assert grown_plans - per_file[PLANS] == QUERY_PLAN_TESTS["Product"]
        plans = sum(added_plans.values()) - added_plans["Product"]
        assert everything == base + ROLE_TESTS + sum(added_tests.values()) - added_tests["Product"] + plans
        assert admin_views(project) == built_in | {"category", "note", "tag"}


def admin_views(project: Project) -> set[str]:
    """The models with a view in the admin: registered in app/admin/site.py, whose menu the generated admin
    test follows to every model's list page."""
    site = (project.root / "app/admin/site.py").read_text()
    return {name.lower() for name in re.findall(r"admin\.add_view\((\w+)View\(app\)\)", site)}


def fuzz_added_models(project: Project, tmp_path: Path) -> None:
    """schemathesis over the operations add-model and add-field wrote, as a superuser (the base project's own
    are fuzzed in test_fuzz)."""
    tags = "|".join(ModelNames.of(args[0]).plural.replace("_", "-") for args in ADDED)
    with served(project, tmp_path / "uvicorn.log") as base:
        token = f"--header=Authorization: Bearer {superuser_token(project, base)}"
        schemathesis(
            project, base, tmp_path / "added.xml", EXAMPLES, token, f"--include-tag-regex=^({tags})$",
            operations=ADDED_OPERATIONS * len(ADDED),
        )  # fmt: skip
