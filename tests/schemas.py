"""The importer's test schemas (tests/fixtures/schemas): where they are, how to load one into a database of its own,
and a wide schema of any number of tables for timing a read."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

SCHEMAS = Path(__file__).parent / "fixtures" / "schemas"
BAD = SCHEMAS / "bad"


def sqlite_database(sql: str, path: Path) -> str:
    """A SQLite file at `path` made by the script `sql`; its URL."""
    with sqlite3.connect(path) as conn:
        conn.executescript(sql)
    conn.close()
    return f"sqlite:///{path}"


def server_command(db: str, database: str = "") -> list[str]:
    if db == "postgres":
        return [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            database or "postgres",
            "-v",
            "ON_ERROR_STOP=1",
            "-q",
        ]
    return ["mariadb", "-h", "127.0.0.1", "-P", "3306", "-u", "root", *([database] if database else [])]


def run_sql(db: str, sql: str, database: str = "") -> str:
    """Run SQL on the server (in `database`), returning what it printed (tab-separated rows, no headers)."""
    extra = ["-At", "-F", "\t"] if db == "postgres" else ["-N", "-B"]
    result = subprocess.run(
        [*server_command(db, database), *extra], input=sql, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"{db}: {result.stderr.strip()}")
    return result.stdout


def url(db: str, database: str) -> str:
    """The URL a user would give: no driver named, the importer picks its own."""
    return (
        f"postgresql://postgres@127.0.0.1:5432/{database}"
        if db == "postgres"
        else f"mysql://root@127.0.0.1:3306/{database}"
    )


def wide(tables: int, db: str = "postgres") -> str:
    """A schema of `tables` related tables (each referring to the one before it, ten columns of mixed types, a
    unique column and an index): the shape of a large application database, for timing a read."""
    serial = {"postgres": "serial", "mysql": "int AUTO_INCREMENT", "sqlite": "INTEGER"}[db]
    stamp = {"postgres": "timestamptz", "mysql": "datetime", "sqlite": "DATETIME"}[db]
    lines = []
    for n in range(tables):
        previous = f",\n    t{n - 1:03d}_id integer REFERENCES t{n - 1:03d} (id) ON DELETE CASCADE" if n else ""
        lines.append(
            f"CREATE TABLE t{n:03d} (\n    id {serial} PRIMARY KEY,\n    code varchar(20) NOT NULL UNIQUE,\n"
            f"    name varchar(100) NOT NULL,\n    note text,\n    amount numeric(10, 2) NOT NULL DEFAULT 0,\n"
            f"    quantity integer NOT NULL DEFAULT 1,\n    active boolean NOT NULL DEFAULT true,\n"
            f"    starts date,\n    updated {stamp}{previous}\n);\n"
            f"CREATE INDEX ix_t{n:03d}_name ON t{n:03d} (name);\n"
        )
    return "".join(lines)
