"""A reflected column's SQLAlchemy type -> the closest dbgen type, or none (with the reason)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from dbgen.importer.ir import ColumnType, Default

# SQLite declares types as free text and SQLAlchemy maps a name it does not know by affinity (GEOMETRY -> NUMERIC):
# a declared name outside these, whose SQLAlchemy names SQLite's dialect knows, is no type dbgen can map.
SQLITE_EXTRA = {"BIGINTEGER": "bigint"}
# SQLite has no UUID type: a column declared UUID holds text as the application wrote it (with dashes, 36 characters,
# or without), which dbgen's uuid (32 hexadecimal digits there) would not find. It is text, read by its affinity.
SQLITE_UUID = ColumnType("str", "UUID", length=36, kept="NUMERIC")
# Types the database named that SQLAlchemy has no class for, but dbgen has a type for (MariaDB 10.7's uuid).
UNKNOWN_MAPPED = {"uuid": "uuid"}


def describe(sa_type: Any, dialect: Any = None) -> str:
    """The type as the database names it, for the report."""
    try:
        return str(sa_type.compile(dialect=dialect))
    except Exception:
        return type(sa_type).__name__


def map_type(sa_type: Any, *, backend: str, declared: str = "", unknown: str = "", dialect: Any = None) -> ColumnType:
    """The dbgen type closest to a column's type; ColumnType.name is "" when none fits."""
    from sqlalchemy import types as sa
    from sqlalchemy.dialects import mysql, postgresql

    if isinstance(sa_type, postgresql.DOMAIN):
        inner = map_type(sa_type.data_type, backend=backend, dialect=dialect)
        kept = describe(sa_type, dialect)
        return ColumnType(**{**inner.__dict__, "db": f"{sa_type.name} (domain over {inner.db})", "kept": kept})
    if backend == "sqlite" and declared:
        base = declared.split("(")[0].strip().upper()
        if base in SQLITE_EXTRA:
            return ColumnType(SQLITE_EXTRA[base], declared)
        if base == "UUID":
            return SQLITE_UUID
        from sqlalchemy.dialects.sqlite.base import SQLiteDialect

        if base not in SQLiteDialect.ischema_names:
            return ColumnType("", declared)
    if isinstance(sa_type, sa.NullType):
        return ColumnType(UNKNOWN_MAPPED.get(unknown.lower(), ""), unknown or declared or "untyped")
    db = describe(sa_type, dialect)
    if isinstance(sa_type, mysql.SET | mysql.BIT):
        return ColumnType("", db)
    if isinstance(sa_type, sa.Enum):
        named = backend == "postgres" and sa_type.name is not None
        return ColumnType("enum", db, choices=tuple(sa_type.enums), enum_name=sa_type.name or "" if named else "")
    if isinstance(sa_type, sa.Boolean) or (isinstance(sa_type, mysql.TINYINT) and sa_type.display_width == 1):
        return ColumnType("bool", db)
    if isinstance(sa_type, mysql.YEAR):
        return ColumnType("int", db, kept=db, bounds=(1901, 2155))
    if isinstance(sa_type, sa.Integer):
        unsigned = bool(getattr(sa_type, "unsigned", False))
        big = isinstance(sa_type, sa.BigInteger) or (unsigned and type(sa_type).__name__ in ("INTEGER", "INT"))
        narrow = isinstance(sa_type, mysql.TINYINT | mysql.MEDIUMINT)  # int holds them; it would make an INTEGER
        bits = {"TINYINT": 8, "SMALLINT": 16, "MEDIUMINT": 24, "INTEGER": 32, "INT": 32}.get(type(sa_type).__name__)
        bounds = None
        if bits and (unsigned or narrow):
            bounds = (0, 2**bits - 1) if unsigned else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
        kept = db if unsigned or narrow else ""
        return ColumnType("bigint" if big else "int", db, unsigned=unsigned, kept=kept, bounds=bounds)
    if isinstance(sa_type, sa.Float | sa.Double | postgresql.REAL | postgresql.DOUBLE_PRECISION):
        return ColumnType("float", db)
    if isinstance(sa_type, sa.Numeric):
        return ColumnType("decimal", db, precision=sa_type.precision, scale=sa_type.scale)
    if isinstance(sa_type, sa.Uuid):
        return ColumnType("uuid", db)
    if isinstance(sa_type, sa.JSON):  # JSON and JSONB
        return ColumnType("json", db)
    if isinstance(sa_type, sa.Text) or (isinstance(sa_type, sa.String) and not sa_type.length):
        return ColumnType("text", db)
    if isinstance(sa_type, sa.String):
        fixed = isinstance(sa_type, sa.CHAR | sa.NCHAR)
        return ColumnType("str", db, length=sa_type.length, fixed=fixed)
    if isinstance(sa_type, sa.DateTime):
        # MySQL's TIMESTAMP is a type of its own (DATETIME is dbgen's), and SQLite keeps the declared name.
        timestamp = isinstance(sa_type, sa.TIMESTAMP) and backend in ("mysql", "sqlite")
        return ColumnType("datetime", db, timezone=bool(sa_type.timezone), kept=db if timestamp else "")
    if isinstance(sa_type, sa.Date):
        return ColumnType("date", db)
    if isinstance(sa_type, sa.Time):
        return ColumnType("time", db, timezone=bool(sa_type.timezone))
    if isinstance(sa_type, sa._Binary):
        return ColumnType("bytes", db)
    if isinstance(sa_type, sa.ARRAY):
        item = map_type(sa_type.item_type, backend=backend, dialect=dialect)
        return ColumnType("array" if item.name and item.name != "array" else "", db, item=item.name)
    return ColumnType("", db)  # intervals, ranges, tsvector, network and geometric types...


_QUOTED = re.compile(r"^\(?'((?:[^']|'')*)'\)?(?:::[\w .\"\[\]]+)?$")
_NUMBER = re.compile(r"^\(?(-?\d+(?:\.\d+)?)\)?(?:::[\w .\"]+)?$")


def default(text: str | None, kind: ColumnType) -> Default | None:
    """A server default as text, and its value when it is a plain constant of the column's type."""
    if text is None or text.strip().upper() == "NULL":
        return None
    raw = text.strip()
    quoted = _QUOTED.match(raw)
    number = _NUMBER.match(raw)
    value: str | int | float | bool | Decimal | None = None
    literal = quoted.group(1).replace("''", "'") if quoted else number.group(1) if number else None
    if kind.name == "bool":
        flag = (literal or raw).lower()
        if flag in ("true", "1", "t", "yes"):
            value = True
        elif flag in ("false", "0", "f", "no"):
            value = False
    elif literal is None:
        return Default(raw)
    elif kind.name in ("str", "text", "enum"):
        value = literal if quoted or kind.name != "enum" else None
    elif kind.name in ("int", "bigint"):
        value = int(literal) if re.fullmatch(r"-?\d+", literal) else None
    elif kind.name == "float":
        value = float(literal)
    elif kind.name == "decimal":
        try:
            value = Decimal(literal)
        except InvalidOperation:
            value = None
    return Default(raw, value, value is not None)
