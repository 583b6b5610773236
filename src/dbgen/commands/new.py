"""`dbgen new`: render the project template into a Plan for a new directory."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbgen import __version__, backends, baseline
from dbgen.errors import InvalidOption, TargetNotEmpty
from dbgen.naming import validate_project_name
from dbgen.plan import Plan
from dbgen.render import render_tree

AUTH = ("jwt", "none")


def answers(
    name: str,
    db: str,
    database_url: str | None = None,
    auth: str = "jwt",
    secret_key: str | None = None,
    example: bool = True,
    roles: list[str] | None = None,
    imported: Imported | None = None,
) -> dict[str, Any]:
    """The template's questions, answered; copier.yml asks exactly these. `imported`: what `--from-database` found
    that the project's migrations leave alone, and the prefix of dbgen's own tables where the database has them."""
    backend = backends.get(db)
    if auth not in AUTH:
        raise InvalidOption(f"unknown --auth {auth!r}; choose one of: {', '.join(AUTH)}")
    slug = validate_project_name(name)
    if database_url is None:
        database_url = backend.database_url(slug)
    else:
        scheme = database_url.split("://", 1)[0]
        if "://" not in database_url or scheme not in backend.schemes:
            expected = " or ".join(f"{s}://" for s in backend.schemes)
            raise InvalidOption(f"--database-url for {backend.label} must start with {expected}, got {scheme!r}")
    if secret_key is None:
        secret_key = secrets.token_urlsafe(32)  # written to .env only, never to a tracked file
    return {
        "project_name": name,
        "db": db,
        "auth": auth,
        "example": example,
        **({"roles": list(roles or [])} if auth == "jwt" else {}),  # role names; login only
        "database_url": database_url,
        "secret_key": secret_key,
        "dbgen_version": __version__,
        "imported": imported is not None,
        "table_prefix": imported.table_prefix if imported else "",
        "unmanaged_tables": list(imported.tables) if imported else [],
        "unmanaged_columns": list(imported.columns) if imported else [],
        "unmanaged_indexes": list(imported.indexes) if imported else [],
        "unmanaged_foreign_keys": list(imported.foreign_keys) if imported else [],
        "unnamed_uniques": list(imported.unnamed_uniques) if imported else [],
        "database_types": dict(imported.types) if imported else {},
    }


@dataclass(frozen=True)
class Imported:
    """What `dbgen new --from-database` leaves in the database, unmanaged: tables (without a key, partitions, views,
    tables only referred to), columns without a field type, indexes and constraints the models do not describe. The
    project's `alembic check` and autogenerate do not propose dropping them. `table_prefix`: dbgen's own tables take
    it (app_users) when the database has a table of their names."""

    tables: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()  # table.column
    indexes: tuple[str, ...] = ()
    foreign_keys: tuple[str, ...] = ()  # table.column[,column...]
    unnamed_uniques: tuple[str, ...] = ()  # SQLite: table.column[,column...]
    types: dict[str, str] = field(default_factory=dict)  # table.column: the database's type its model stands for
    table_prefix: str = ""


def plan_new(
    name: str,
    db: str = backends.DEFAULT,
    directory: Path | None = None,
    database_url: str | None = None,
    force: bool = False,
    auth: str = "jwt",
    example: bool = True,
    imported: Imported | None = None,
) -> Plan:
    context = answers(name, db, database_url, auth, example=example, imported=imported)
    root = (directory if directory is not None else Path.cwd() / name).absolute()
    if root.exists() and not root.is_dir():
        raise TargetNotEmpty(f"{root} exists and is not a directory")
    if root.is_dir() and any(root.iterdir()) and not force:
        raise TargetNotEmpty(f"{root} is not empty; choose another --dir, or use --force to write into it")
    plan = Plan(root)
    files = dict(render_tree("project", context))
    for path, content in files.items():
        plan.add(path, content, force=force)
    plan.add(baseline.PATH, baseline.pack(files), force=force)
    shown = root.name if directory is None else str(directory)
    plan.message = f"Created {backends.get(db).label} project {name!r} in {shown}"
    plan.next_steps = [
        f"cd {shown}",
        "python -m venv .venv && . .venv/bin/activate",
        "pip install -e '.[dev]'",
        *(["alembic upgrade head"] if backends.get(db).is_sql else []),
        "pytest",
        *(["python -m app.create_superuser you@example.com"] if auth == "jwt" else []),
        "uvicorn app.main:app --reload",
    ]
    return plan
