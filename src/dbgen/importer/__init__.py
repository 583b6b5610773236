"""Read an existing database's schema into plain data the model layer renders (`dbgen new --from-database`).

    schema = read_schema("postgresql://user@host/rental", exclude=["audit_log"])
    print(schema.report())

SQLAlchemy and the async drivers are imported when a schema is read, never when dbgen starts.
"""

from __future__ import annotations

from dbgen.importer.ir import Schema
from dbgen.importer.reflect import DatabaseError


def read_schema(
    url: str,
    tables: list[str] | None = None,
    exclude: list[str] | None = None,
    builtin: tuple[str, ...] | None = None,
) -> Schema:
    """The schema of the database at `url` (PostgreSQL, MySQL/MariaDB or SQLite), read without writing to it.

    `tables` keeps only those, `exclude` leaves those out; `builtin` are the class names dbgen's own models take
    (default: every model dbgen may write itself, build.DBGEN_MODELS), which an imported table's class gives way to.
    Raises DatabaseError (unreachable, refused, unknown database, nothing to import, unknown table) or InvalidName
    (names that clash after conversion), each with a one-line message that never shows the URL's password.
    """
    from dbgen.importer.build import DBGEN_MODELS, build
    from dbgen.importer.reflect import read

    return build(read(url), tables, exclude, DBGEN_MODELS if builtin is None else builtin)


__all__ = ["DatabaseError", "Schema", "read_schema"]
