"""The baseline revision of an imported project: the existing tables as the database has them, rendered by Alembic's
own renderer (CreateTableOp.from_table, CreateIndexOp.from_index) from the reflected tables, parents first.

On the existing database it is stamped, not run (`alembic stamp 0000`); on a fresh one (tests, CI) it builds the
schema. Views, triggers and functions are not in it: they stay in the database they are in.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from dbgen.errors import DbgenError
from dbgen.importer.reflect import DatabaseError, explain, parse_url

if TYPE_CHECKING:
    from sqlalchemy import Connection, MetaData, Table

REVISION = "0000"
LINE_LENGTH = 120  # the generated project's ruff line-length
PATH = f"migrations/versions/{REVISION}_baseline.py"

_HEADER = '''"""Baseline: the tables of {source} as they were when the project was made.

On that database, mark it as applied without running it: `alembic stamp {revision}`, then `alembic upgrade head`.
A fresh database (tests, CI) is built by running it.

Revision ID: {revision}
Revises:
Create Date: written by dbgen
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
{dialects}
revision: str = "{revision}"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
{upgrade}


def downgrade() -> None:
{downgrade}
'''


def render(url: str, tables: list[str]) -> tuple[str, list[str], list[str]]:
    """The baseline revision creating `tables` (and the tables they refer to) as the database at `url` has them;
    the tables it creates; every table and view of the database."""
    from alembic.autogenerate import render_python_code
    from alembic.operations import ops
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import CheckConstraint
    from sqlalchemy.schema import sort_tables_and_constraints
    from sqlalchemy.sql.elements import conv

    (metadata, everything), dialect = _reflect(url, tables), _dialect(url)
    context = MigrationContext.configure(dialect=dialect)
    ordered = sort_tables_and_constraints(metadata.tables.values())  # type: ignore[no-untyped-call]
    # Foreign keys of a cycle of tables are added once both tables are there (SQLite takes them as they are: it
    # checks a reference when a row is written, not when its table is made).
    cyclic = [fk for table, fks in ordered if table is None for fk in fks] if dialect.name != "sqlite" else []
    upgrade: list[Any] = [
        ops.ExecuteSQLOp(f'CREATE EXTENSION IF NOT EXISTS "{name}"') for name in metadata.info["extensions"]
    ]
    tables_in_order = [table for table, _ in ordered if table is not None]
    quote = dialect.identifier_preparer.quote
    for table in tables_in_order:
        for fk in cyclic:
            if fk.table is table:
                table.constraints.discard(fk)
        # SQLite's CHECK constraints may have no name, which the project's naming convention needs: each takes one
        # as it is (op.f), numbered in its table. A named one keeps its name as it is too (the convention would
        # make promotion_name_valid ck_promotion_promotion_name_valid on a fresh database).
        checks = [c for c in table.constraints if isinstance(c, CheckConstraint)]
        unnamed = [c for c in checks if not c.name]
        for check in checks:
            if check.name:
                check.name = conv(str(check.name))
        for number, check in enumerate(sorted(unnamed, key=lambda c: str(c.sqltext)), start=1):
            check.name = conv(f"ck_{table.name}_{number}")
        create = ops.CreateTableOp.from_table(table)
        # A column of a type SQLAlchemy has no class for (point, geometry, none declared) is added by its name in
        # the database, which Alembic cannot render as a column type.
        unknown = [c for c in table.columns if c.key in metadata.info["types"].get(table.name, {})]
        create.columns = [c for c in create.columns if not any(c is u for u in unknown)]
        upgrade.append(create)
        for column in unknown:
            spec = f"{quote(column.name)} {metadata.info['types'][table.name][column.key]}".rstrip()
            if column.server_default is not None:
                spec += f" DEFAULT {column.server_default.arg}"
            if not column.nullable and dialect.name != "sqlite":  # SQLite adds NOT NULL only with a default
                spec += " NOT NULL"
            upgrade.append(ops.ExecuteSQLOp(f"ALTER TABLE {quote(table.name)} ADD COLUMN {spec}"))
        upgrade += [ops.CreateIndexOp.from_index(index) for index in sorted(table.indexes, key=lambda i: i.name or "")]
    upgrade += [ops.CreateForeignKeyOp.from_constraint(fk) for fk in cyclic]
    downgrade: list[Any] = [ops.DropConstraintOp.from_constraint(fk) for fk in cyclic]
    downgrade += [ops.DropTableOp.from_table(table) for table in reversed(tables_in_order)]
    # PostgreSQL's types made with the tables (enum types, domains) go with them: a downgrade leaves none behind.
    downgrade += [ops.ExecuteSQLOp(f"DROP {kind} IF EXISTS {quote(name)}") for kind, name in _named_types(metadata)]
    up = render_python_code(ops.UpgradeOps(ops=upgrade), migration_context=context)
    down = render_python_code(ops.DowngradeOps(ops=downgrade), migration_context=context)
    dialects = sorted(d for d in ("mysql", "postgresql", "sqlite") if f"{d}." in up + down)
    imports = "".join(f"from sqlalchemy.dialects import {d}\n" for d in dialects)
    up, down = _lines(up), _lines(down)
    text = _HEADER.format(source=_database(url), revision=REVISION, dialects=imports, upgrade=up, downgrade=down)
    return text, [t.name for t in tables_in_order], everything


def _lines(code: str) -> str:
    """Alembic's rendering laid out as ruff format lays out code (the project checks its migrations with ruff), as
    the body of a function."""
    import ast
    import textwrap

    kept = "\n".join(line for line in code.splitlines() if not line.strip().startswith("#"))
    tree = ast.parse(textwrap.dedent(kept))
    return "\n".join(_layout(statement.value, 4) for statement in tree.body if isinstance(statement, ast.Expr)) or (
        "    pass"
    )


def _layout(node: Any, indent: int, prefix: str = "", tail: str = "") -> str:
    """One expression at `indent`: on one line when it fits, else its call's arguments on one line of their own, else
    one argument a line (each laid out the same way), as ruff format does at a line length of 120."""
    import ast

    pad = " " * indent
    one_line = f"{pad}{prefix}{_source(node)}{tail}"
    if len(one_line) <= LINE_LENGTH or not isinstance(node, ast.Call):
        return one_line
    head = f"{pad}{prefix}{_source(node.func)}("
    args: list[tuple[str, Any]] = [("", a) for a in node.args] + [(f"{k.arg}=", k.value) for k in node.keywords]
    inner = f"{pad}    " + ", ".join(f"{name}{_source(value)}" for name, value in args)
    if len(inner) <= LINE_LENGTH:
        return f"{head}\n{inner}\n{pad}){tail}"
    lines = [_layout(value, indent + 4, name, ",") for name, value in args]
    return f"{head}\n" + "\n".join(lines) + f"\n{pad}){tail}"


def _source(node: Any) -> str:
    """ast.unparse with ruff's quotes: double, unless the text holds a double quote."""
    import ast
    import io
    import tokenize

    text = ast.unparse(node)
    out = []
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        value = token.string
        if token.type == tokenize.STRING and value.startswith("'") and '"' not in value and "\\" not in value:
            token = token._replace(string='"' + value[1:-1] + '"')  # the same length: positions hold
        out.append(token)
    return tokenize.untokenize(out).strip()


def _database(url: str) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return f"database {parsed.database!r}" if not parsed.drivername.startswith("sqlite") else "the SQLite database"


def _dialect(url: str) -> Any:

    _backend, parsed = parse_url(url)
    return parsed.get_dialect()()


def _sqlite_table(conn: Connection, table: Table) -> None:
    """What SQLAlchemy's reflection of SQLite misses: the ON DELETE rule of a column's REFERENCES, a UNIQUE written
    in a column's definition, and what a column declared UUID holds (text, which NUMERIC, its affinity, would turn
    into a number when it looks like one)."""
    import sqlalchemy as sa

    quoted = table.name.replace('"', '""')
    uniques = {tuple(c.name for c in u.columns) for u in table.constraints if isinstance(u, sa.UniqueConstraint)}
    for row in conn.exec_driver_sql(f'PRAGMA index_list("{quoted}")'):
        name, unique, origin = row[1], row[2], row[3]
        if unique and origin == "u":  # made by a UNIQUE constraint, named or not
            index = str(name).replace('"', '""')
            unique_columns = tuple(str(info[2]) for info in conn.exec_driver_sql(f'PRAGMA index_info("{index}")'))
            if unique_columns not in uniques:
                table.append_constraint(sa.UniqueConstraint(*unique_columns))
    for row in conn.exec_driver_sql(f'PRAGMA table_xinfo("{quoted}")'):
        if str(row[2]).split("(")[0].strip().upper() == "UUID":
            table.c[row[1]].type = sa.String(36)
    rules: dict[int, tuple[str, list[str], str]] = {}
    for row in conn.exec_driver_sql(f'PRAGMA foreign_key_list("{quoted}")'):
        number, _seq, target, column, _to, _update, on_delete = row[:7]
        rules.setdefault(number, (target, [], on_delete))[1].append(column)
    for target, columns, on_delete in rules.values():
        for fk in table.foreign_key_constraints:
            if fk.referred_table.name == target and list(fk.column_keys) == columns and on_delete != "NO ACTION":
                fk.ondelete = on_delete


def _named_types(metadata: MetaData) -> list[tuple[str, str]]:
    """The PostgreSQL enum types and domains the tables' columns use: ("TYPE" or "DOMAIN", name), each once."""
    from sqlalchemy.dialects.postgresql import DOMAIN, ENUM

    found: dict[str, str] = {}
    for table in metadata.tables.values():
        for column in table.columns:
            if isinstance(column.type, DOMAIN | ENUM) and column.type.name:
                found.setdefault(column.type.name, "DOMAIN" if isinstance(column.type, DOMAIN) else "TYPE")
    return [(kind, name) for name, kind in found.items()]


def _unknown_types(conn: Connection, backend: str, table: Table) -> dict[str, str]:
    """The columns whose type SQLAlchemy has no class for (reflected as NullType), by name, with their type as the
    database names it."""
    from sqlalchemy import text
    from sqlalchemy.types import NullType

    unknown = [c.name for c in table.columns if isinstance(c.type, NullType)]
    if not unknown:
        return {}
    if backend == "sqlite":
        quoted = table.name.replace('"', '""')
        declared = {row[1]: str(row[2] or "") for row in conn.exec_driver_sql(f'PRAGMA table_xinfo("{quoted}")')}
    elif backend == "postgres":
        query = "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = CAST(:t AS "
        query += "regclass)"
        found = conn.execute(text(query), {"t": conn.dialect.identifier_preparer.quote(table.name)})
        declared = {row[0]: row[1] for row in found}
    else:
        query = "SELECT column_name, column_type FROM information_schema.columns WHERE table_schema = DATABASE() "
        found = conn.execute(text(query + "AND table_name = :t"), {"t": table.name})
        declared = {row[0]: row[1] for row in found}
    return {name: declared.get(name, "") for name in unknown}


def _postgres_table(table: Table) -> None:
    """A serial key as a fresh database makes one (SERIAL: its sequence with it), not as a default naming a sequence
    that is not there; a domain created with the table that uses it, as an enum type is; and no empty INCLUDE () on
    every index."""
    from sqlalchemy.dialects.postgresql import DOMAIN

    for column in table.columns:
        if isinstance(column.type, DOMAIN):
            column.type.create_type = True
            # Reflection gives the domain and its type COLLATE "default" each, which PostgreSQL refuses twice over.
            kinds: tuple[Any, ...] = (column.type, getattr(column.type.data_type, "item_type", column.type.data_type))
            for kind in kinds:
                if getattr(kind, "collation", None) == "default":
                    kind.collation = None
    for column in table.primary_key.columns:
        default = column.server_default
        if default is not None and "nextval(" in str(getattr(default, "arg", "")):
            column.server_default = None
            column.autoincrement = True
    for index in table.indexes:
        if index.dialect_kwargs.get("postgresql_include") == []:
            del index.dialect_kwargs["postgresql_include"]


def _reflect(url: str, tables: list[str]) -> tuple[MetaData, list[str]]:
    from sqlalchemy import MetaData, inspect

    backend, parsed = parse_url(url)
    metadata = MetaData()
    everything: list[str] = []
    extensions: list[str] = []
    types: dict[str, dict[str, str]] = {}  # table -> column -> its type, where SQLAlchemy has no class for it

    def reflect(conn: Connection) -> None:
        inspector = inspect(conn)
        everything.extend(inspector.get_table_names())
        everything.extend(inspector.get_view_names())
        if backend == "postgres":
            everything.extend(inspector.get_materialized_view_names())
        metadata.reflect(conn, only=tables, resolve_fks=True)
        for table in metadata.tables.values():
            unknown = _unknown_types(conn, backend, table)
            if unknown:
                types[table.name] = unknown
        if backend == "sqlite":
            for table in metadata.tables.values():
                _sqlite_table(conn, table)
        if backend == "postgres":
            found = conn.exec_driver_sql("SELECT extname FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY 1")
            extensions.extend(row[0] for row in found)
            for table in metadata.tables.values():
                _postgres_table(table)

    async def run() -> None:
        from dbgen.importer.reflect import _engine

        engine = _engine(backend, parsed)
        try:
            async with engine.connect() as conn:
                await conn.run_sync(reflect)
                await conn.rollback()
        finally:
            await engine.dispose()

    try:
        asyncio.run(run())
    except DbgenError:
        raise
    except Exception as exc:
        raise DatabaseError(explain(exc, backend, parsed)) from None
    metadata.info["extensions"] = extensions
    metadata.info["types"] = types
    return metadata, sorted(set(everything) - {"alembic_version"})
