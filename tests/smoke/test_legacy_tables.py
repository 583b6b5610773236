"""Existing tables described by hand with add-model, on each SQL backend: PascalCase table and column names, a
NOT NULL column the database fills with now(), one the database alone writes, two foreign keys to one table, and a
link table of its own. The database that has them is stamped, `alembic check` finds nothing to change, and the
generated tests of those models pass on a fresh test database that the migrations build."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.schemas import run_sql
from tests.smoke.test_generated_projects import Project, generated, suite_counts
from tests.smoke.test_grow_project import dbgen

pytestmark = pytest.mark.smoke

# The legacy schema, in each backend's own DDL; the indexes carry the names dbgen's models give them.
# A key named id, numbered by the database (SQLite's INTEGER PRIMARY KEY is nullable unless it says otherwise).
SERIAL = {
    "sqlite": "INTEGER NOT NULL PRIMARY KEY",
    "postgres": "SERIAL PRIMARY KEY",
    "mysql": "INT AUTO_INCREMENT PRIMARY KEY",
}
NOW = {"sqlite": "(strftime('%Y-%m-%d %H:%M:%f000', 'now'))", "postgres": "now()", "mysql": "CURRENT_TIMESTAMP"}
STAMP = {"sqlite": "DATETIME", "postgres": "TIMESTAMP WITH TIME ZONE", "mysql": "DATETIME"}


def legacy(db: str) -> list[str]:
    q = "`" if db == "mysql" else '"'

    def name(text: str) -> str:
        return f"{q}{text}{q}"

    statements = [
        f"CREATE TABLE {name('Language')} (id {SERIAL[db]}, {name('Name')} VARCHAR(255) NOT NULL, "
        f"{name('LastUpdate')} {STAMP[db]} DEFAULT {NOW[db]} NOT NULL)",
        f"CREATE TABLE {name('Actor')} (id {SERIAL[db]}, {name('FirstName')} VARCHAR(45) NOT NULL)",
        f"CREATE TABLE {name('Film')} (id {SERIAL[db]}, {name('Title')} VARCHAR(255) NOT NULL, "
        f"{name('LanguageId')} INTEGER NOT NULL REFERENCES {name('Language')} (id), "
        f"{name('OriginalLanguageId')} INTEGER REFERENCES {name('Language')} (id), "
        f"{name('Rating')} INTEGER DEFAULT 0 NOT NULL)",
        f"CREATE TABLE film_actor ({name('FilmId')} INTEGER NOT NULL, {name('ActorId')} INTEGER NOT NULL, "
        f"PRIMARY KEY ({name('FilmId')}, {name('ActorId')}), "
        f"FOREIGN KEY ({name('FilmId')}) REFERENCES {name('Film')} (id) ON DELETE CASCADE, "
        f"FOREIGN KEY ({name('ActorId')}) REFERENCES {name('Actor')} (id) ON DELETE CASCADE)",
    ]
    indexes = [("Language", "Name"), ("Language", "LastUpdate"), ("Actor", "FirstName"), ("Film", "Title"),
               ("Film", "LanguageId"), ("Film", "OriginalLanguageId"), ("film_actor", "ActorId")]  # fmt: skip
    statements += [f"CREATE INDEX {name(f'ix_{t}_{c}')} ON {name(t)} ({name(c)})" for t, c in indexes]
    if db == "postgres":  # the trigram indexes of the search of `q`
        statements.append("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        statements += [
            f'CREATE INDEX "ix_{t}_{c}_trgm" ON "{t}" USING gin ("{c}" gin_trgm_ops)'
            for t, c in [("Language", "Name"), ("Actor", "FirstName"), ("Film", "Title")]
        ]
    return statements


EVERY_MODEL = (
    "tests/test_admin.py::test_every_model_has_a_list_page",
    "tests/test_query_plans.py",
    "tests/test_seed.py",
    "tests/test_migrations.py",
)
MODELS = [
    ["Language", "name:str:column=Name", "last_update:datetime:dbdefault:column=LastUpdate"],
    ["Actor", "first_name:str:maxlen=45:column=FirstName"],
    ["Film", "title:str:column=Title", "language:Language:noaction:column=LanguageId",
     "original_language:Language?:noaction:column=OriginalLanguageId", "rating:int:readonly:column=Rating",
     "actors:Actor[]:through=film_actor:left=FilmId:right=ActorId"],
]  # fmt: skip
# The tests of the three models' files (97), and those of the base suite that go over every model: the admin's
# every-list-page test (1), the query plans of every list (20), the seed (3), the models against the migrations (2).
LEGACY_TESTS = 123


def create_legacy(project: Project) -> None:
    """The legacy tables, in the project's own database (beside dbgen's tables, which `alembic upgrade` made)."""
    url = project.env["DATABASE_URL"]
    if project.db == "sqlite":
        with sqlite3.connect(project.root / url.rpartition("///./")[2]) as conn:
            for statement in legacy("sqlite"):
                conn.execute(statement)
        conn.close()
        return
    database = url.rpartition("/")[2].partition("?")[0]  # mysql's URL ends with ?charset=utf8mb4
    run_sql(project.db, "".join(f"{statement};\n" for statement in legacy(project.db)), database)


@pytest.mark.parametrize("db", ["sqlite", "postgres", "mysql"])
def test_existing_tables_described_by_add_model(db: str, tmp_path: Path) -> None:
    """Fails if a table or column name, the database's default, a value only the database writes, two relations
    to one table or an existing link table is described in a way `alembic check` sees differ from the database,
    or if the tests written for those models fail on a database the migrations build."""
    with generated(db, "jwt", False, tmp_path) as project:
        project.run("alembic", "upgrade", "head")
        create_legacy(project)
        for model in MODELS:
            added = dbgen(project, "add-model", *model, "--table", model[0], "--no-timestamps")
            assert added.returncode == 0, added.stderr
        project.run("ruff", "check", ".")
        project.run("ruff", "format", "--check", ".")
        project.run("mypy")
        project.run("alembic", "stamp", "head")
        check = project.run("alembic", "check")
        assert "No new upgrade operations detected" in check.stdout + check.stderr
        tests = ["tests/test_languages.py", "tests/test_actors.py", "tests/test_films.py", *EVERY_MODEL]
        counts = suite_counts(project, *tests)
        assert counts["tests"] == LEGACY_TESTS
