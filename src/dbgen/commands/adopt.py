"""`dbgen new NAME --from-database URL`: a project over a database that exists.

Its tables are read (dbgen.importer), each becomes a model through add-model's own code path (its tokens from
dbgen.importer.specs, recorded in .dbgen.toml like any other), and the migrations start from a baseline revision that
creates the tables as the database has them: stamped on that database, run on a fresh one. dbgen's own tables
(users...) come in the next revision. Everything is built beside the destination and appears there at the end, so
an error leaves nothing behind.
"""

from __future__ import annotations

import inspect
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dbgen import backends, writer
from dbgen.commands.new import Imported, answers, plan_new
from dbgen.errors import InvalidOption, TargetNotEmpty
from dbgen.importer.ir import LEFT_OUT, LeftOut
from dbgen.importer.report import omissions
from dbgen.importer.specs import foreign_key_signature, link_index
from dbgen.plan import Action, FileChange, Plan

if TYPE_CHECKING:
    from dbgen.importer.ir import Schema
    from dbgen.importer.specs import ModelArgs, Specs

MONGO = (
    "--from-database: reading a MongoDB database is not offered: a collection has no schema to read, and fields "
    "guessed from a sample of its documents would become rules every document must then meet; describe its "
    "collections with `dbgen add-model` in a `dbgen new NAME --db mongo` project"
)
# dbgen's own tables take this prefix when the database already has one of their names (app_users).
PREFIX = "app_"


@dataclass(frozen=True)
class Reading:
    """What the database holds and what the project would make of it."""

    name: str
    db: str
    url: str
    schema: Schema
    specs: Specs

    def text(self) -> str:
        """What --dry-run prints: every model as its add-model line, everything left out with the reason."""
        schema = self.schema
        lines = [
            f"Read {schema.url} ({schema.backend}): {len(self.specs.models)} models, {len(schema.links)} link tables",
            "Models, in the order they would be added (the baseline revision creates their tables):",
        ]
        for model in self.specs.models:
            lines.append(f"  {model.line}")
            if model.later:
                lines.append(f"  {model.later_line}")
        left = [*schema.left_out, *self.specs.left_out]
        left += [
            LeftOut(t.name, "table", f"rows cannot be created: {t.reason}") for t in schema.models if not t.insertable
        ]
        lines += omissions(left, schema.renames)
        if schema.taken:
            lines.append(f"dbgen's own tables take the prefix {PREFIX!r}: the database has {', '.join(schema.taken)}")
        return "\n".join(lines)


def source_backend(url: str) -> str:
    """The backend a --from-database URL names; a MongoDB URL is refused."""
    from dbgen.importer.reflect import DRIVERS, DatabaseError

    scheme = url.split("://", 1)[0].split("+")[0].lower() if "://" in url else ""
    if scheme in ("mongodb", "mongodb+srv", "mongo"):
        raise InvalidOption(MONGO)
    if scheme not in DRIVERS:
        choices = ", ".join(sorted({f"{s}://" for s in DRIVERS}))
        raise DatabaseError(f"--from-database: use a URL starting with one of {choices}")
    return DRIVERS[scheme][0]


def read(
    name: str,
    db: str | None,
    url: str,
    tables: list[str] | None = None,
    exclude: list[str] | None = None,
    auth: str = "jwt",
) -> Reading:
    """Read the database at `url` and convert it; every refusal before anything is read or written."""
    if url.split("://", 1)[0].lower().startswith("mongo"):
        raise InvalidOption(MONGO)
    backend = source_backend(url)
    if db is None:
        db = backend
    elif db == "mongo":
        raise InvalidOption(MONGO)
    elif backends.get(db).name != backend:
        raise InvalidOption(f"--db {db} does not match --from-database, which names a {backend} database")
    answers(name, db, auth=auth, example=False)  # the name and --auth, refused before the database is read
    from dbgen.importer import read_schema
    from dbgen.importer.specs import convert

    schema = read_schema(url, tables or None, exclude or None)
    return Reading(name, db, url, schema, convert(schema))


def project_url(reading: Reading) -> str:
    """The database the project's .env points at: the one it was read from, through the project's driver."""
    from sqlalchemy.engine import make_url

    url = make_url(reading.url)
    backend = backends.get(reading.db)
    url = url.set(drivername=backend.schemes[0])
    if reading.db == "sqlite" and url.database:
        url = url.set(database=str(Path(url.database).absolute()))
    if reading.db == "mysql" and "charset" not in url.query:
        url = url.update_query_dict({"charset": "utf8mb4"})
    return url.render_as_string(hide_password=False)


def unmanaged(reading: Reading, baseline_tables: list[str], everything: list[str]) -> Imported:
    """What the project's migrations leave alone: every table or view that is no model or link, the columns without
    a field, and the indexes and constraints the models do not describe."""
    schema, specs = reading.schema, reading.specs
    managed = {t.name for t in schema.tables} - {item.name for item in specs.left_out if item.what == "table"}
    tables = sorted(set(everything) - managed)
    columns = {f"{t.name}.{c.name}" for t in schema.tables for c in t.columns if c.access == LEFT_OUT}
    columns |= {item.name for item in specs.left_out if item.what == "column"}
    indexes = {i.name for t in schema.tables for i in t.indexes if i.expression and i.name}
    for link in schema.links:  # the model of a link table describes one index: dbgen's on its second column
        indexes |= {i.name for i in link.indexes if i.name and i.name != link_index(link)}
    for item in schema.left_out:
        if item.what == "index":
            indexes.add(item.name.split(".", 1)[1] if "." in item.name else item.name)
    # The foreign keys no relation describes: to a table that is not a model, of several columns, required ones to
    # their own table; by table and columns, as SQLite's have no names.
    not_relations = {item.name for item in specs.left_out if item.what == "foreign key"}
    foreign_keys = {
        foreign_key_signature(table, fk)
        for table in schema.tables
        if table.kind != "link"
        for fk in table.foreign_keys
        if not fk.relation or foreign_key_signature(table, fk) in not_relations
    }
    # SQLite's UNIQUE constraints without a name (an inline UNIQUE): Alembic cannot match them to the models'.
    unnamed = {
        f"{t.name}.{','.join(i.columns)}"
        for t in schema.tables
        if t.name not in tables
        for i in t.indexes
        if i.unique and i.name.startswith("sqlite_autoindex_")
    }
    kept = {
        f"{t.name}.{c.name}": c.type.kept
        for t in schema.tables
        if t.name not in tables
        for c in t.columns
        if c.type.kept and f"{t.name}.{c.name}" not in columns
    }
    return Imported(
        tuple(tables),
        tuple(sorted(columns)),
        tuple(sorted(indexes)),
        tuple(sorted(foreign_keys)),
        tuple(sorted(unnamed)),
        dict(sorted(kept.items())),
        PREFIX if schema.taken else "",
    )


def plan_import(
    reading: Reading,
    directory: Path | None = None,
    database_url: str | None = None,
    force: bool = False,
    auth: str = "jwt",
) -> Plan:
    """Write the project: built in a folder beside the destination, moved there once every model is in."""
    from dbgen.commands.models import plan_add_field, plan_add_model
    from dbgen.importer import revision

    root = (directory if directory is not None else Path.cwd() / reading.name).absolute()
    if root.exists() and not root.is_dir():
        raise TargetNotEmpty(f"{root} exists and is not a directory")
    if root.is_dir() and any(root.iterdir()) and not force:
        raise TargetNotEmpty(f"{root} is not empty; choose another --dir, or use --force to write into it")
    tables = [t.name for t in reading.schema.tables]
    text, created, everything = revision.render(reading.url, tables)
    imported = unmanaged(reading, created, everything)
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}.", dir=root.parent))
    build = staging / root.name
    try:
        url = database_url or project_url(reading)
        writer.apply(plan_new(reading.name, reading.db, build, url, False, auth, example=False, imported=imported))
        (build / revision.PATH).write_text(text)
        accepted = inspect.signature(plan_add_model).parameters
        for model in reading.specs.models:
            extra = options(model)
            missing = [name for name in extra if name not in accepted]
            if missing:
                raise InvalidOption(
                    f"model {model.cls} needs add-model's {OPTIONS[missing[0]]}, which this dbgen lacks"
                )
            writer.apply(plan_add_model(build, model.cls, list(model.fields), migration=False, **extra))
        for model in reading.specs.models:
            if model.later:
                writer.apply(plan_add_field(build, model.cls, list(model.later), migration=False))
        files = sorted(p for p in build.rglob("*") if p.is_file())
        plan = Plan(root)
        for path in files:
            relative = path.relative_to(build).as_posix()
            plan.changes.append(FileChange(relative, Action.CREATE, None))
        _move(build, root)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    shown = root.name if directory is None else str(directory)
    label = backends.get(reading.db).label
    plan.message = (
        f"Created {label} project {reading.name!r} in {shown} from {reading.schema.url}: "
        f'{len(reading.specs.models)} models; the README\'s "Adopt your existing database" says what comes next'
    )
    plan.next_steps = [
        f"cd {shown}",
        "python -m venv .venv && . .venv/bin/activate",
        "pip install -e '.[dev]'",
        f"alembic stamp {revision.REVISION}  # the database has the baseline's tables already",
        "alembic upgrade head",
        "alembic check",
        "pytest",
        "uvicorn app.main:app --reload",
    ]
    return plan


# plan_add_model's keyword argument for each model option.
OPTIONS = {"table": "--table", "timestamps": "--no-timestamps", "indexes": "--index", "uniques": "--unique"}


def options(model: ModelArgs) -> dict[str, Any]:
    """add-model's model options as plan_add_model's keyword arguments (only those a model needs)."""
    found: dict[str, Any] = {}
    if model.table_name is not None:
        found["table"] = model.table_name
    if not model.timestamps:
        found["timestamps"] = False
    if model.indexes:
        found["indexes"] = model.indexes
    if model.uniques:
        found["uniques"] = model.uniques
    return found


def _move(build: Path, root: Path) -> None:
    if not root.exists():
        os.rename(build, root)
        return
    for entry in build.iterdir():
        target = root / entry.name
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        elif target.exists() or target.is_symlink():
            target.unlink()
        os.rename(entry, target)
