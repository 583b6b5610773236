"""Read a live schema through SQLAlchemy's inspector, on a connection the database itself keeps read-only.

The drivers are the async ones dbgen's generated projects already use (asyncpg, asyncmy, aiosqlite): the inspector
runs inside `AsyncConnection.run_sync`, so reading a schema needs no second set of drivers. Nothing here writes:
PostgreSQL sessions start with default_transaction_read_only, MySQL/MariaDB sessions with SET SESSION TRANSACTION
READ ONLY, and SQLite files are opened with mode=ro; the one transaction is rolled back at the end.
"""

from __future__ import annotations

import asyncio
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dbgen.errors import DbgenError

if TYPE_CHECKING:
    from sqlalchemy.engine import URL, Connection
    from sqlalchemy.ext.asyncio import AsyncEngine


class DatabaseError(DbgenError):
    """The source database cannot be read: unreachable, refused, missing, empty."""


# What a URL's scheme names, and the async driver the importer reads it with.
DRIVERS = {
    "postgresql": ("postgres", "postgresql+asyncpg"),
    "postgres": ("postgres", "postgresql+asyncpg"),
    "mysql": ("mysql", "mysql+asyncmy"),
    "mariadb": ("mysql", "mysql+asyncmy"),
    "sqlite": ("sqlite", "sqlite+aiosqlite"),
}
CONNECT_TIMEOUT = 10  # seconds: an unreachable host fails in one line, not after a minute
_UNRECOGNIZED = re.compile(r"Did not recognize type '([^']+)' of column '([^']+)'")
_SKIPPED_INDEX = re.compile(r"Skipped unsupported reflection of expression-based index (\S+)")


@dataclass
class Raw:
    """What the inspector gave, per table (keyed by database name), before any decision about it."""

    backend: str
    url: str
    dialect: Any = None  # the SQLAlchemy dialect: names types as the database does
    tables: list[str] = field(default_factory=list)
    views: list[str] = field(default_factory=list)
    partitions: dict[str, str] = field(default_factory=dict)  # partition -> its partitioned table
    columns: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    primary_keys: dict[str, dict[str, Any]] = field(default_factory=dict)
    foreign_keys: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    uniques: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    indexes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    checks: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    domains: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # domain -> its CHECK constraints
    # Types SQLAlchemy has no class for, by (table, column): the name the database gave ('point', 'geometry').
    unknown_types: dict[tuple[str, str], str] = field(default_factory=dict)
    declared: dict[tuple[str, str], str] = field(default_factory=dict)  # SQLite: each column's declared type
    skipped_indexes: list[str] = field(default_factory=list)  # expression indexes SQLAlchemy did not reflect


# What reading needs beyond dbgen's own dependencies (the `import` extra): SQLAlchemy, greenlet for run_sync, and the
# backend's async driver.
NEEDS = {"postgres": "asyncpg", "mysql": "asyncmy", "sqlite": "aiosqlite"}


def require(modules: tuple[str, ...]) -> None:
    import importlib.util

    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        raise DatabaseError(
            f"reading a database needs {', '.join(missing)}: pip install 'dbgen[import]' (SQLAlchemy and its drivers)"
        )


def parse_url(text: str) -> tuple[str, URL]:
    """The backend a URL names and the URL the importer connects with (its async driver, read-only options)."""
    require(("sqlalchemy", "greenlet"))
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(text)
    except ArgumentError:
        raise DatabaseError(f"{mask_text(text)!r} is not a database URL, e.g. postgresql://user@host/name") from None
    scheme = url.drivername.split("+")[0]
    if scheme not in DRIVERS:
        choices = ", ".join(sorted({f"{s}://" for s in DRIVERS}))
        raise DatabaseError(f"cannot read a {scheme!r} database; use a URL starting with one of {choices}")
    backend, driver = DRIVERS[scheme]
    require((NEEDS[backend],))
    url = url.set(drivername=driver)
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise DatabaseError("a SQLite URL names a file, e.g. sqlite:///./shop.db")
        path = Path(url.database)
        if not path.is_file():
            raise DatabaseError(f"no SQLite database at {path}")
        # A read-only open: SQLite itself refuses every write, and a missing file is not created. (A URI filename:
        # the path percent-encoded, so that a space, ? or # in it stays part of it.)
        url = url.set(database=path.resolve().as_uri(), query={"mode": "ro", "uri": "true"})
    elif not url.database:
        raise DatabaseError(f"{masked(url)} names no database; add it to the URL's path, e.g. /rental")
    return backend, url


def masked(url: URL) -> str:
    """The URL to show: its password hidden; a SQLite file by its path."""
    if url.drivername.startswith("sqlite") and url.database and url.database.startswith("file:"):
        from urllib.parse import unquote, urlparse

        return f"sqlite:///{unquote(urlparse(url.database).path)}"
    return url.render_as_string(hide_password=True)


def mask_text(text: str) -> str:
    """A URL as text, its password (between `user:` and `@`) hidden."""
    return re.sub(r"(//[^/:@]*:)[^@/]*@", r"\1***@", text)


def _engine(backend: str, url: URL) -> AsyncEngine:
    from sqlalchemy import event
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    args: dict[str, Any] = {}
    if backend == "postgres":
        args = {"timeout": CONNECT_TIMEOUT, "server_settings": {"default_transaction_read_only": "on"}}
    elif backend == "mysql":
        args = {"connect_timeout": CONNECT_TIMEOUT}
    engine = create_async_engine(url, poolclass=NullPool, connect_args=args)
    if backend == "mysql":

        @event.listens_for(engine.sync_engine, "connect")
        def read_only(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("SET SESSION TRANSACTION READ ONLY")
            cursor.close()

    return engine


def read(text: str) -> Raw:
    """Everything the inspector knows about the database at the URL `text`."""
    backend, url = parse_url(text)
    raw = Raw(backend, masked(url))
    try:
        asyncio.run(_read(backend, url, raw))
    except DbgenError:
        raise
    except Exception as exc:
        raise DatabaseError(explain(exc, backend, url)) from None
    return raw


async def _read(backend: str, url: URL, raw: Raw) -> None:
    engine = _engine(backend, url)
    try:
        async with engine.connect() as conn:
            await conn.run_sync(_inspect, raw)
            await conn.rollback()
    finally:
        await engine.dispose()


def _inspect(conn: Connection, raw: Raw) -> None:
    from sqlalchemy import inspect
    from sqlalchemy.engine.reflection import ObjectKind

    inspector = inspect(conn)
    raw.dialect = conn.dialect
    raw.tables = sorted(inspector.get_table_names(), key=_by_name)
    raw.views = sorted(inspector.get_view_names(), key=_by_name)
    if raw.backend == "postgres":
        raw.views = sorted([*raw.views, *inspector.get_materialized_view_names()], key=_by_name)
        raw.partitions = _partitions(conn)
        raw.enums = {e["name"]: tuple(e["labels"]) for e in inspector.get_enums()}  # type: ignore[attr-defined]
        raw.domains = {d["name"]: d["constraints"] for d in inspector.get_domains()}  # type: ignore[attr-defined]
    if not raw.tables:
        return
    # SQLAlchemy warns of what it cannot reflect (a type it has no class for, an expression index on SQLite or
    # MySQL): the report says so, naming it as the warning does (a column's type by the column's name).
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        raw.columns = _by_table(inspector.get_multi_columns(kind=ObjectKind.TABLE))
        # SQLite: a UNIQUE written on a column is only an automatic index (SQLAlchemy lists those on request)
        automatic: dict[str, Any] = {"include_auto_indexes": True} if raw.backend == "sqlite" else {}
        raw.indexes = _by_table(inspector.get_multi_indexes(kind=ObjectKind.TABLE, **automatic))
    for warning in caught:
        message = str(warning.message)
        if found := _UNRECOGNIZED.search(message):
            raw.unknown_types[("", found.group(2))] = found.group(1)
        elif found := _SKIPPED_INDEX.search(message):
            raw.skipped_indexes.append(found.group(1))
    raw.primary_keys = _by_table(inspector.get_multi_pk_constraint(kind=ObjectKind.TABLE))
    raw.foreign_keys = _by_table(inspector.get_multi_foreign_keys(kind=ObjectKind.TABLE))
    raw.uniques = _by_table(inspector.get_multi_unique_constraints(kind=ObjectKind.TABLE))
    raw.checks = _by_table(inspector.get_multi_check_constraints(kind=ObjectKind.TABLE))
    if raw.backend == "mysql":
        _mysql_checks(conn, raw)
    if conn.dialect.supports_comments:
        comments = _by_table(inspector.get_multi_table_comment(kind=ObjectKind.TABLE))
        raw.comments = {table: (c.get("text") or "") for table, c in comments.items()}
    if raw.backend == "sqlite":
        for table in raw.tables:  # SQLite keeps the declared type as text; SQLAlchemy maps unknown ones by affinity
            rows = conn.exec_driver_sql(f'PRAGMA table_xinfo("{table.replace(chr(34), chr(34) * 2)}")')
            for row in rows:
                raw.declared[(table, row[1])] = row[2]
            _sqlite_on_delete(conn, table, raw.foreign_keys.get(table, []))


def _mysql_checks(conn: Connection, raw: Raw) -> None:
    """MySQL/MariaDB: CHECK constraints written on a column (SQLAlchemy reads those written on the table), and
    MariaDB's JSON columns, which are LONGTEXT with a CHECK json_valid(column), from information_schema."""
    from sqlalchemy import text

    if getattr(conn.dialect, "is_mariadb", False):
        query = (
            "SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS "
            "WHERE CONSTRAINT_SCHEMA = DATABASE()"
        )
    else:
        query = (
            "SELECT tc.TABLE_NAME, cc.CONSTRAINT_NAME, cc.CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS cc "
            "JOIN information_schema.TABLE_CONSTRAINTS tc ON tc.CONSTRAINT_SCHEMA = cc.CONSTRAINT_SCHEMA "
            "AND tc.CONSTRAINT_NAME = cc.CONSTRAINT_NAME AND tc.CONSTRAINT_TYPE = 'CHECK' "
            "WHERE cc.CONSTRAINT_SCHEMA = DATABASE()"
        )
    for table, name, clause in conn.execute(text(query)):
        known = raw.checks.setdefault(table, [])
        if name not in {c.get("name") for c in known}:
            known.append({"name": name, "sqltext": clause})


def _sqlite_on_delete(conn: Connection, table: str, fks: list[dict[str, Any]]) -> None:
    """SQLite: the ON DELETE rule of each foreign key, from the catalog (SQLAlchemy finds it only in the DDL of a
    table-level FOREIGN KEY clause, not on a column's REFERENCES)."""
    rules: dict[int, tuple[str, list[str], str]] = {}
    for row in conn.exec_driver_sql(f'PRAGMA foreign_key_list("{table.replace(chr(34), chr(34) * 2)}")'):
        number, _seq, target, column, _to, _update, on_delete = row[:7]
        rules.setdefault(number, (target, [], on_delete))[1].append(column)
    for target, columns, on_delete in rules.values():
        for fk in fks:
            if fk["referred_table"] == target and fk["constrained_columns"] == columns:
                fk.setdefault("options", {})["ondelete"] = on_delete


def _by_name(name: str) -> tuple[str, str]:
    """Tables in the order a person looks for them: `Actor` among the a's, not before every lowercase name."""
    return name.lower(), name


def _by_table(found: Any) -> dict[str, Any]:
    return {name: value for (_schema, name), value in found.items()}


def _partitions(conn: Connection) -> dict[str, str]:
    """PostgreSQL: each partition (of any level) and the partitioned table at its top, from the catalog."""
    from sqlalchemy import text

    rows = conn.execute(
        text(
            "SELECT c.relname, p.relname FROM pg_catalog.pg_inherits i "
            "JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid JOIN pg_catalog.pg_class p ON p.oid = i.inhparent "
            "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relispartition AND n.nspname = current_schema()"
        )
    )
    parent = {child: table for child, table in rows}
    top = {}
    for child in parent:
        table = parent[child]
        while table in parent:
            table = parent[table]
        top[child] = table
    return top


# Driver errors by what they mean to the user: PostgreSQL SQLSTATEs and MySQL error numbers.
_REFUSED = {"28P01", "28000", 1045, 1044, 1698}
_NO_DATABASE = {"3D000", 1049}


def explain(exc: BaseException, backend: str, url: URL) -> str:
    """One line that says what went wrong, naming the server and database but never the password."""
    where = f"{url.host or 'localhost'}:{url.port or {'postgres': 5432, 'mysql': 3306}.get(backend, '')}"
    codes: set[object] = set()
    messages = []
    seen: BaseException | None = exc
    while seen is not None:
        codes.add(getattr(seen, "sqlstate", None))
        codes.add(getattr(seen, "pgcode", None))
        if seen.args and isinstance(seen.args[0], int):
            codes.add(seen.args[0])
        messages.append(str(seen).strip() or type(seen).__name__)
        seen = getattr(seen, "orig", None) or seen.__cause__ or seen.__context__
    text = " ".join(messages).lower()
    if codes & _REFUSED or "password authentication failed" in text or "access denied" in text:
        line = f"the {backend} server at {where} refused user {url.username!r}: check the user and password"
    elif codes & _NO_DATABASE or "unknown database" in text or ("database" in text and "does not exist" in text):
        line = f"no database {url.database!r} on the {backend} server at {where}"
    elif backend == "sqlite":
        line = f"cannot read the SQLite database {masked(url)}: {messages[-1].splitlines()[0]}"
    elif isinstance(exc, OSError | TimeoutError) or "connect" in text or "timeout" in text:
        line = f"cannot reach the {backend} server at {where}; is it running, and is the URL right?"
    else:
        line = f"cannot read the {backend} database {url.database!r} at {where}: {messages[-1].splitlines()[0]}"
    if url.password:
        line = line.replace(str(url.password), "***")
    return line
