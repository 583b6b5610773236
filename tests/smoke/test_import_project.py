"""`dbgen new --from-database` end to end: a "legacy" database (the tables a dbgen project's own migrations made, its
users table and Alembic's bookkeeping dropped, a table without a key and a view added, rows in it) is imported; the
dry run lists what it would write and writes nothing; the project is written, the baseline stamped on the legacy
database, dbgen's own tables added by `alembic upgrade head`, `alembic check` finds no difference, and the project's
ruff, mypy and test suite (on a fresh database the baseline builds) pass. The models use only the grammar the model
layer has for every backend: an `id` key, timestamps and plain columns."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from dbgen.backends import BACKENDS
from tests.schemas import run_sql
from tests.smoke.servers import fresh_database, require
from tests.smoke.test_generated_projects import Project
from tests.smoke.test_grow_project import check_everything

pytestmark = pytest.mark.smoke

SOURCE = str(Path(__file__).parents[2] / "src")
FIELDS = ["name:str", "price:decimal?", "notes:text?", "in_stock:bool=true"]
LINE = "dbgen add-model Product name:str 'price:decimal?' 'notes:text?' in_stock:bool=true"
PRODUCTS = "SELECT id, name, price FROM products ORDER BY id"
# The generated suite of an imported --auth none project with the one model Product.
IMPORTED_TESTS = {"sqlite": 209, "postgres": 211}


def dbgen(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TEST_DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "-m", "dbgen", *args],
        cwd=cwd,
        env=env | {"PYTHONPATH": SOURCE, "NO_COLOR": "1", "COLUMNS": "400"},
        capture_output=True,
        text=True,
        timeout=600,
    )


@contextmanager
def legacy_database(db: str, folder: Path) -> Iterator[tuple[str, str]]:
    """The legacy database: its URL as a user gives it (no driver), and its SQLite file or server database name."""
    folder.mkdir()
    if db == "sqlite":
        path = folder / "legacy.db"
        yield f"sqlite:///{path}", str(path)
        return
    name = f"fromdb_legacy_{uuid.uuid4().hex[:10]}"
    run_sql(db, f"CREATE DATABASE {name};")
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}", name
    finally:
        run_sql(db, f"DROP DATABASE IF EXISTS {name} WITH (FORCE);")


def execute(db: str, where: str, sql: str) -> str:
    if db == "sqlite":
        with sqlite3.connect(where) as conn:
            found = "\n".join("\t".join(map(str, row)) for row in conn.execute(sql))
        conn.close()
        return found
    return run_sql(db, sql, where).strip()


def make_legacy(db: str, folder: Path, url: str, where: str) -> None:
    """A project's own migrations build the tables; then it is no dbgen project any more."""
    assert dbgen(folder, "new", "legacy", "--db", db, "--auth", "none", "--no-example", "--no-input").returncode == 0
    root = folder / "legacy"
    assert dbgen(root, "add-model", "Product", *FIELDS).returncode == 0
    project_url = f"{BACKENDS[db].schemes[0]}://{url.split('://', 1)[1]}"
    Project(root, db, dict(os.environ) | {"DATABASE_URL": project_url}).run("alembic", "upgrade", "head")
    for statement in (
        "DROP TABLE alembic_version",
        "DROP TABLE users",
        "CREATE TABLE audit_log (logged_at VARCHAR(40), message TEXT)",
        "CREATE VIEW cheap_products AS SELECT name FROM products WHERE price < 10",
        "INSERT INTO products (name, price, in_stock) VALUES ('lamp', 12.50, true)",
    ):
        execute(db, where, statement)


@pytest.mark.parametrize("db", ["sqlite", "postgres"])
def test_a_legacy_database_is_adopted(db: str, tmp_path: Path) -> None:
    """Fails if the dry run writes anything or leaves out a model's add-model line or a left-out table's reason; if
    the imported project does not stamp and upgrade over the legacy database with `alembic check` clean (a table it
    left out proposed for dropping, a model that differs from its table); if the legacy rows change; or if the
    project's ruff, mypy or test suite fails on a fresh database built from the baseline."""
    require(db)
    with legacy_database(db, tmp_path / "legacy") as (url, where):
        make_legacy(db, tmp_path / "legacy", url, where)
        before = execute(db, where, PRODUCTS)
        target = tmp_path / "shop"
        args = ["new", "shop", "--db", db, "--auth", "none", "--from-database", url, "--dir", str(target)]
        dry = dbgen(tmp_path, *args, "--dry-run")
        assert dry.returncode == 0, dry.stderr
        assert f"  {LINE}\n" in dry.stdout
        assert "table audit_log: no primary key" in dry.stdout
        assert "view cheap_products: a view stays in the database" in dry.stdout
        assert not target.exists()
        made = dbgen(tmp_path, *args)
        assert made.returncode == 0, made.stderr
        readme = (target / "README.md").read_text()
        assert "## Adopt your existing database" in readme and "alembic stamp 0000" in readme
        with fresh_database(db) as urls:
            project_url = (target / ".env").read_text().split("DATABASE_URL=", 1)[1].split("\n", 1)[0]
            env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TEST_DATABASE_URL"))}
            project = Project(
                target,
                db,
                env | {"DATABASE_URL": project_url, "TEST_DATABASE_URL": urls["TEST_DATABASE_URL"], "NO_COLOR": "1"},
                "none",
                False,
            )
            project.run("alembic", "stamp", "0000")
            assert check_everything(project) == IMPORTED_TESTS[db]
        assert execute(db, where, PRODUCTS) == before != ""
