"""`dbgen new --from-database` on SQLite: the dry run, the project it writes (a baseline revision, dbgen's own
revision after it, each model through add-model without a migration), and each bad input refused in one line with
nothing written."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dbgen.cli import app
from dbgen.importer import read_schema
from dbgen.importer.revision import render
from tests.schemas import SCHEMAS, sqlite_database

runner = CliRunner(env={"NO_COLOR": "1", "COLUMNS": "400", "TERM": "dumb"})
LEGACY = """
CREATE TABLE products (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(255) NOT NULL, price NUMERIC(12, 2),
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE INDEX ix_products_name ON products (name);
CREATE INDEX ix_products_price ON products (price);
CREATE INDEX ix_products_created_at ON products (created_at);
CREATE TABLE audit_log (logged_at DATETIME, message TEXT);
CREATE VIEW cheap AS SELECT name FROM products WHERE price < 10;
"""


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def rental(tmp_path_factory: pytest.TempPathFactory) -> str:
    return sqlite_database((SCHEMAS / "sqlite.sql").read_text(), tmp_path_factory.mktemp("cli") / "rental.db")


def test_dry_run_shows_every_model_and_what_is_left_out(rental: str, tmp_path: Path) -> None:
    """Fails if --dry-run writes anything, leaves out a model's add-model line (or a self-reference's add-field
    line), or drops an omission or a rename from what it prints."""
    target = tmp_path / "rental"
    code, out, err = invoke("new", "rental", "--from-database", rental, "--dir", str(target), "--dry-run")
    assert code == 0, err
    assert not target.exists()
    models = [line for line in out.splitlines() if line.startswith("  dbgen add-model ")]
    assert len(models) == 17  # 18 tables with a key (and 2 links); payment's key of several columns has a datetime
    assert "add-field" not in out  # a relation to its own table is written with its model
    assert "  dbgen add-model Store --table store --no-timestamps store_id:int:key:auto " in out  # no emoji for :date:
    for omission in (
        "table audit_log: no primary key",
        "column address.location: left-out: GEOMETRY has no dbgen type",
        "view customer_list: a view stays in the database",
        "table users: User -> UserRecord",
        "column film_category.last_update: a link's own column, which the database fills; not served",
        "table payment: a primary key of several columns (payment_id, payment_date), payment_date: SQLite keeps a "
        "datetime as text, which a key would compare as written",
    ):
        assert omission in out
    assert "'parent:Category:setnull:noindex?'" in out and "foreign key category." not in out
    # a key of several columns, a relation first (found by the key's index) and a link with a column of its own
    assert "add-model OpeningHour --no-timestamps store:Store:key:cascade weekday:smallint:min=0:max=6:key " in out
    assert "add-model StoreManager --table store_manager --no-timestamps store:Store:key:cascade " in out
    assert "staff:Staff:key:cascade:noindex since:date:noindex" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from-database", "mongodb://127.0.0.1:27017/shop"], "reading a MongoDB database is not offered"),
        (["--db", "mongo", "--from-database", "SQLITE"], "reading a MongoDB database is not offered"),
        (["--db", "postgres", "--from-database", "SQLITE"], "--db postgres does not match --from-database"),
        (["--from-database", "postgresql://nobody@127.0.0.1:1/shop"], "cannot reach the postgres server"),
        (["--from-database", "EMPTY"], "has no tables to import"),
        (["--from-database", "SQLITE", "--tables", "nothing"], "no table 'nothing'"),
        (["--tables", "products"], "give it too"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(args: list[str], message: str, tmp_path: Path) -> None:
    """Fails if a MongoDB URL, a --db of another backend, an unreachable server, a database without tables, an
    unknown table or --tables without --from-database is not refused with exit 2 and one line, or writes a file."""
    legacy = sqlite_database(LEGACY, tmp_path / "legacy.db")
    empty = sqlite_database("CREATE VIEW just_a_view AS SELECT 1 AS one;", tmp_path / "empty.db")
    args = [legacy if a == "SQLITE" else empty if a == "EMPTY" else a for a in args]
    code, _out, err = invoke("new", "shop", "--dir", str(tmp_path / "shop"), *args)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "shop").exists()


def test_the_project_starts_from_a_baseline_and_adds_models_without_migrations(tmp_path: Path) -> None:
    """Fails if the baseline is not the first revision with dbgen's own revision after it, if an imported model gets
    a migration of its own (the baseline creates its table), if its add-model line is not recorded in .dbgen.toml,
    or if migrations/env.py and the README do not name what the import left in the database."""
    legacy = sqlite_database(LEGACY, tmp_path / "legacy.db")
    target = tmp_path / "shop"
    code, _out, err = invoke("new", "shop", "--auth", "none", "--from-database", legacy, "--dir", str(target))
    assert code == 0, err
    versions = sorted(p.name for p in (target / "migrations" / "versions").glob("*.py"))
    assert versions == ["0000_baseline.py", "0001_initial.py"]
    assert (
        'down_revision: str | Sequence[str] | None = "0000"'
        in (target / "migrations" / "versions" / versions[1]).read_text()
    )
    answers = tomllib.loads((target / ".dbgen.toml").read_text())
    assert answers["models"] == ["User", "Product"]
    assert answers["added"]["Product"]["fields"] == ["name:str", "price:decimal?"]
    assert answers["added"]["Product"]["migration"] == ""
    assert answers["unmanaged_tables"] == ["audit_log", "cheap"]
    env = (target / "migrations" / "env.py").read_text()
    assert 'UNMANAGED_TABLES: frozenset[str] = frozenset({"audit_log", "cheap"})' in env
    assert "include_object=include_object" in env
    readme = (target / "README.md").read_text()
    assert "## Adopt your existing database" in readme and "`alembic stamp 0000`" in readme
    assert f"sqlite+aiosqlite:///{tmp_path / 'legacy.db'}" in (target / ".env").read_text()


def test_a_project_not_imported_is_as_before(tmp_path: Path) -> None:
    """Fails if a project made without --from-database gets the import's answers, include_object or README section."""
    assert invoke("new", "shop", "--dir", str(tmp_path / "shop"), "--no-input")[0] == 0
    root = tmp_path / "shop"
    assert "imported" not in tomllib.loads((root / ".dbgen.toml").read_text())
    assert "include_object" not in (root / "migrations" / "env.py").read_text()
    assert "Adopt your existing database" not in (root / "README.md").read_text()
    assert (
        "down_revision: str | Sequence[str] | None = None" in (root / "migrations/versions/0001_initial.py").read_text()
    )


def test_the_baseline_is_alembic_code_in_ruff_layout(rental: str, tmp_path: Path) -> None:
    """Fails if the baseline creates a table before one it refers to, loses an ON DELETE rule, a CHECK constraint or
    its name, a generated column, an index or a column of a type SQLAlchemy has no class for, or is not laid out as
    the generated project's ruff wants it."""
    schema = read_schema(rental)
    text, created, everything = render(rental, [t.name for t in schema.tables])
    ast.parse(text)
    assert created.index("Language") < created.index("film") < created.index("film_actor")
    assert "audit_log" not in created and {"audit_log", "customer_list"} <= set(everything)
    for expected in (
        'sa.ForeignKeyConstraint(["ActorId"], ["Actor.ActorId"], ondelete="CASCADE")',
        # its name as it is: the naming convention would prefix it (ck_film_film_cost_above_rate) on a fresh database
        'sa.CheckConstraint("replacement_cost >= rental_rate", name=op.f("film_cost_above_rate"))',
        'sa.Computed("CAST(discount * 100 AS INTEGER)", persisted=False)',
        'op.create_index("IX_Actor_LastName", "Actor", ["LastName"], unique=False)',
        'sa.Column("code", sa.String(length=36), nullable=False)',  # declared UUID: text, as the application wrote it
        'sa.UniqueConstraint("Name")',  # a UNIQUE in the column's definition, which SQLAlchemy does not report
        'op.execute("ALTER TABLE store ADD COLUMN notes")',  # no declared type: SQLAlchemy has none to render
    ):
        assert expected in text
    path = tmp_path / "0000_baseline.py"
    path.write_text(text)
    for command in (["format", "--check", "--line-length", "120"], ["check", "--line-length", "120"]):
        ruff = subprocess.run([sys.executable, "-m", "ruff", *command, str(path)], capture_output=True, text=True)
        assert ruff.returncode == 0, ruff.stdout + ruff.stderr
