"""Column types and indexes of an existing table, described by hand: a "legacy" table made by raw DDL on each SQL
backend, described with add-model (then grown with add-field), is exactly what the models say (`alembic check` finds
nothing to do after `alembic stamp head`), and the generated tests for it pass on a fresh test database, which the
add-model and add-field migrations build."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.schemas import run_sql
from tests.smoke.test_generated_projects import Project, generated, suite_counts
from tests.smoke.test_grow_project import dbgen

pytestmark = pytest.mark.smoke

RATINGS = "'G', 'PG', 'PG-13', 'R', 'NC-17'"
# Every backend: the new types and modifiers, a field index and a unique constraint by their database names, and an
# index and a unique constraint over two columns.
FIELDS = [
    "big:bigint", "small:smallint:min=0:noindex", "starts:time?", "cover:bytes?", "made:datetime:naive",
    "price:decimal:precision=5:scale=3:noindex", "long_title:str:maxlen=1000:noindex",
    "code:str:fixed:maxlen=3:unique=uq_films_code", "weight:float:single:noindex", "note:str:noindex?",
    "isbn:str:unique:index=IX_films_isbn",
    "--index", "ix_films_big_small:big,small", "--unique", "uq_films_made_price:made,price",
]  # fmt: skip
# The enum as each database has it: a PostgreSQL type, a MySQL ENUM, text with a CHECK constraint (SQLite).
RATING = {
    "postgres": ["rating:enum(G,PG,PG-13,R,NC-17)=G:native=mpaa_rating", "info:json:jsonb?"],
    "mysql": ["rating:enum(G,PG,PG-13,R,NC-17)=G:native"],
    "sqlite": ["rating:enum(G,PG,PG-13,R,NC-17)=G"],
}
# Fields add-field adds to the table once it is adopted: a migration that alembic check then finds complete.
ADDED = {
    "postgres": ["extra:bigint?:index=IX_films_extra", "tone:enum(warm,ice-cold)?:native=film_tone"],
    "mysql": ["extra:bigint?:index=IX_films_extra", "tone:enum(warm,ice-cold)?:native"],
    "sqlite": ["extra:bigint?:index=IX_films_extra", "tone:enum(warm,ice-cold)?"],
}
DDL = {
    "postgres": f"""
        CREATE TYPE mpaa_rating AS ENUM ({RATINGS});
        CREATE TABLE films (
            id serial PRIMARY KEY, big bigint NOT NULL, small smallint NOT NULL, starts time, cover bytea,
            made timestamp NOT NULL, price numeric(5, 3) NOT NULL, long_title varchar(1000) NOT NULL,
            code char(3) NOT NULL CONSTRAINT uq_films_code UNIQUE, weight real NOT NULL, note varchar(255),
            isbn varchar(255) NOT NULL, rating mpaa_rating NOT NULL DEFAULT 'G', info jsonb,
            created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now(),
            CONSTRAINT uq_films_made_price UNIQUE (made, price)
        );
        CREATE INDEX ix_films_rating ON films (rating);
    """,
    "mysql": f"""
        CREATE TABLE films (
            id int NOT NULL AUTO_INCREMENT PRIMARY KEY, big bigint NOT NULL, small smallint NOT NULL, starts time,
            cover blob, made datetime NOT NULL, price decimal(5, 3) NOT NULL, long_title varchar(1000) NOT NULL,
            code char(3) NOT NULL, weight float NOT NULL, note varchar(255), isbn varchar(255) NOT NULL,
            rating enum({RATINGS}) NOT NULL DEFAULT 'G',
            created_at datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
            updated_at datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
            CONSTRAINT uq_films_code UNIQUE (code), CONSTRAINT uq_films_made_price UNIQUE (made, price)
        );
        CREATE INDEX ix_films_rating ON films (rating);
    """,
    "sqlite": f"""
        CREATE TABLE films (
            id INTEGER NOT NULL PRIMARY KEY, big BIGINT NOT NULL, small SMALLINT NOT NULL, starts TIME, cover BLOB,
            made DATETIME NOT NULL, price NUMERIC(5, 3) NOT NULL, long_title VARCHAR(1000) NOT NULL,
            code CHAR(3) NOT NULL, weight REAL NOT NULL, note VARCHAR(255), isbn VARCHAR(255) NOT NULL,
            rating VARCHAR(5) DEFAULT 'G' NOT NULL CONSTRAINT ck_films_film_rating CHECK (rating IN ({RATINGS})),
            created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL,
            CONSTRAINT uq_films_code UNIQUE (code), CONSTRAINT uq_films_made_price UNIQUE (made, price)
        );
        CREATE INDEX ix_films_rating ON films (rating);
    """,
}
# What every backend's table has besides: the indexes dbgen's models name (its sort keys', created_at's) and those
# named by the fields and --index.
INDEXES = """
    CREATE INDEX ix_films_big ON films (big);
    CREATE INDEX ix_films_created_at ON films (created_at);
    CREATE UNIQUE INDEX {q}IX_films_isbn{q} ON films (isbn);
    CREATE INDEX ix_films_big_small ON films (big, small);
"""
# The generated tests of Film (its own file, as add-model and add-field leave it), its lists' query plans, and seeding.
FILM_TESTS = {"postgres": 70, "mysql": 63, "sqlite": 69}


def legacy(project: Project, sql: str) -> None:
    """Run the DDL in the project's (development) database, as the table was made long before dbgen."""
    url = project.env["DATABASE_URL"]
    if project.db == "sqlite":
        with sqlite3.connect(project.root / url.rpartition("///")[2]) as conn:
            conn.executescript(sql)
        return
    run_sql(project.db, sql, url.rpartition("/")[2].partition("?")[0])


def alembic_check(project: Project) -> None:
    check = project.run("alembic", "check", check=False)
    assert "No new upgrade operations detected" in check.stdout + check.stderr, check.stdout + check.stderr


@pytest.mark.parametrize("db", ["sqlite", "postgres", "mysql"])
def test_a_legacy_table_is_described_exactly(db: str, tmp_path: Path) -> None:
    """Fails if a new type, modifier or named index renders a model, migration or generated test that does not
    match the table it describes (alembic check), or that does not run (the model's generated tests)."""
    with generated(db, "jwt", True, tmp_path) as project:
        project.run("alembic", "upgrade", "head")
        legacy(project, DDL[db] + INDEXES.format(q="`" if db == "mysql" else '"'))
        added = dbgen(project, "add-model", "Film", *FIELDS, *RATING[db])
        assert added.returncode == 0, added.stderr
        project.run("alembic", "stamp", "head")
        alembic_check(project)
        grown = dbgen(project, "add-field", "Film", *ADDED[db])
        assert grown.returncode == 0, grown.stderr
        project.run("alembic", "upgrade", "head")
        alembic_check(project)
        project.run("alembic", "downgrade", "-1")  # the added fields out again, then back
        project.run("alembic", "upgrade", "head")
        alembic_check(project)
        project.run("ruff", "check", ".")
        project.run("ruff", "format", "--check", ".")
        project.run("mypy")
        films = ["tests/test_films.py", "tests/test_query_plans.py", "tests/test_seed.py", "-k", "films or seed"]
        assert suite_counts(project, *films)["tests"] == FILM_TESTS[db]
