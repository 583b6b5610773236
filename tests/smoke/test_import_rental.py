"""The rental schema of tests/fixtures/schemas (about 20 related tables with rows: PascalCase names, natural and
identity keys, a link table, enums, domains, CHECK constraints, unnamed constraints, columns of types SQLAlchemy has no
class for) adopted as the generated README says, on each SQL backend: `dbgen new --from-database`, then on that
database `alembic stamp 0000`, `alembic upgrade head` and `alembic check`, which must find nothing to do; and the
project passes its own ruff."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from dbgen.backends import BACKENDS
from tests.schemas import SCHEMAS, sqlite_database, url
from tests.smoke.servers import require
from tests.smoke.test_generated_projects import Project
from tests.smoke.test_import_schemas import database

pytestmark = pytest.mark.smoke

SOURCE = str(Path(__file__).parents[2] / "src")


@contextmanager
def rental_database(db: str, folder: Path) -> Iterator[str]:
    """The rental schema and its rows in a database of the test's own (a SQLite file in its folder); its URL."""
    sql = (SCHEMAS / f"{db}.sql").read_text()
    if db == "sqlite":
        yield sqlite_database(sql, folder / "rental.db")
        return
    with database(db, sql) as name:
        yield url(db, name)


@pytest.mark.parametrize("db", ["sqlite", "postgres", "mysql"])
def test_the_rental_database_is_adopted_with_nothing_left_to_migrate(db: str, tmp_path: Path) -> None:
    """Fails if the import of the rental schema fails, or if after the README's steps `alembic check` proposes any
    change to the database the project was made from (a type, a key's nullability, a constraint or index the models
    name otherwise, a foreign key's rule, a comment), or if the project does not pass its ruff."""
    require(db)
    with rental_database(db, tmp_path) as source:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TEST_DATABASE_URL"))}
        made = subprocess.run(
            [sys.executable, "-m", "dbgen", "new", "rental", "--db", db, "--from-database", source],
            cwd=tmp_path,
            env=env | {"PYTHONPATH": SOURCE, "NO_COLOR": "1"},
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert made.returncode == 0, made.stderr
        driver = BACKENDS[db].schemes[0] + "://" + source.split("://", 1)[1]
        driver += "?charset=utf8mb4" if db == "mysql" else ""
        project = Project(tmp_path / "rental", db, env | {"DATABASE_URL": driver, "NO_COLOR": "1"})
        project.run("alembic", "stamp", "0000")
        project.run("alembic", "upgrade", "head")
        check = project.run("alembic", "check", check=False)
        assert "No new upgrade operations detected" in check.stdout + check.stderr, check.stdout + check.stderr
        project.run("ruff", "check", ".")
        project.run("ruff", "format", "--check", ".")
