"""The command line: parse options, call one core function, show its result. Nothing else."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from dbgen import __version__, ui
from dbgen.backends import BACKENDS, DEFAULT
from dbgen.errors import DbgenError

if TYPE_CHECKING:
    from dbgen.plan import Plan

T = TypeVar("T")

app = typer.Typer(
    name="dbgen",
    help="Generate FastAPI database applications that run and pass their own tests.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def _guard(call: Callable[[], T]) -> T:
    """The one error boundary: a DbgenError becomes one line on stderr and exit code 2."""
    try:
        return call()
    except DbgenError as exc:
        ui.error(str(exc))
        raise typer.Exit(exc.exit_code) from None
    except OSError as exc:  # the file system refused: a folder that cannot be written, a name too long
        ui.error(f"cannot write {exc.filename or 'the project'}: {exc.strerror or exc}; nothing was changed")
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        ui.error("stopped by user; nothing was written")
        raise typer.Exit(130) from None


def _version(value: bool) -> None:
    if value:
        ui.info(f"dbgen {__version__}")
        raise typer.Exit()


def _complete_db(incomplete: str) -> list[str]:
    return [name for name in BACKENDS if name.startswith(incomplete)]


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Generate FastAPI database applications that run and pass their own tests."""


@app.command()
def new(
    name: Annotated[str, typer.Argument(help="Project name: letters, digits, '_' or '-'.")],
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help=f"Database backend: {', '.join(BACKENDS)} (default {DEFAULT}).",
            autocompletion=_complete_db,
        ),
    ] = None,
    directory: Annotated[
        Path | None, typer.Option("--dir", help="Where to create the project (default: ./NAME).")
    ] = None,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="Database URL for .env (default: a local one).")
    ] = None,
    auth: Annotated[
        str,
        typer.Option(
            "--auth",
            help="jwt: login with JWT tokens, superusers, items owned by users; none: an open API for a service "
            "behind a gateway that authenticates.",
        ),
    ] = "jwt",
    example: Annotated[
        bool | None,
        typer.Option(
            "--example/--no-example",
            help="Include the example model Item (its routes, admin page, tests, and /stats, which counts items per "
            "user); --no-example starts with users only (default: include it).",
            show_default=False,
        ),
    ] = None,
    from_database: Annotated[
        str | None,
        typer.Option(
            "--from-database",
            help="Start from this database (postgresql://, mysql://, mariadb:// or sqlite:///): each table becomes a "
            "model, and the migrations start from a baseline revision of the tables as they are. Reads only.",
        ),
    ] = None,
    tables: Annotated[
        list[str] | None,
        typer.Option("--tables", help="With --from-database: only these tables (a,b or the option repeated)."),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option("--exclude", help="With --from-database: leave these tables out (a,b or the option repeated)."),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be written; write nothing.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Write into a non-empty directory.")] = False,
    no_input: Annotated[bool, typer.Option("--no-input", help="Never prompt; use defaults.")] = False,
) -> None:
    """Create a new FastAPI project with a database, migrations and tests."""
    from dbgen import writer
    from dbgen.commands.new import plan_new

    if from_database is not None:
        _adopt(name, db, from_database, _names(tables), _names(exclude), directory, database_url, auth, dry_run, force)
        return
    if tables or exclude:
        _guard(lambda: _refuse("--tables and --exclude choose the tables of --from-database; give it too"))
    interactive = not no_input and ui.stdin_is_interactive()
    if db is None:
        db = DEFAULT
        if interactive:
            db = typer.prompt(f"Database ({'/'.join(BACKENDS)})", default=DEFAULT)
    if example is None:
        example = typer.confirm("Include the example model Item?", default=True) if interactive else True
    chosen = example
    plan = _guard(lambda: plan_new(name, db, directory, database_url, force, auth, chosen))
    if not dry_run:
        _guard(lambda: writer.apply(plan))
    ui.show_plan(plan, dry_run=dry_run)


def _names(values: list[str] | None) -> list[str]:
    return [name.strip() for value in values or [] for name in value.split(",") if name.strip()]


def _refuse(message: str) -> None:
    from dbgen.errors import InvalidOption

    raise InvalidOption(message)


def _adopt(
    name: str,
    db: str | None,
    url: str,
    tables: list[str],
    exclude: list[str],
    directory: Path | None,
    database_url: str | None,
    auth: str,
    dry_run: bool,
    force: bool,
) -> None:
    """`dbgen new --from-database`: read the database, then show what it would write or write it."""
    from dbgen.commands import adopt

    reading = _guard(lambda: adopt.read(name, db, url, tables, exclude, auth))
    if dry_run:
        ui.info(reading.text())
        return
    plan = _guard(lambda: adopt.plan_import(reading, directory, database_url, force, auth))
    ui.info(reading.text())
    ui.show_plan(plan)


ProjectDir = Annotated[Path, typer.Option("--dir", help="The project (default: the one around the current directory).")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Show the plan and a diff of every change; write nothing.")]
Force = Annotated[bool, typer.Option("--force", help="Overwrite or delete files that differ from what dbgen wrote.")]
_AUDIENCES = "anyone (no token), users (signed in), owner (--owned models), a role (dbgen add-role), superusers"
Read = Annotated[
    str | None,
    typer.Option(
        "--read",
        help=f"Who may list and read records: {_AUDIENCES}. Default: users; owner for --owned models.",
        show_default=False,
    ),
]
Write = Annotated[
    str | None,
    typer.Option(
        "--write",
        help=f"Who may create, change and delete records: {_AUDIENCES}; never wider than --read. Default: "
        "superusers; owner for --owned models.",
        show_default=False,
    ),
]


@app.command("add-model")
def add_model(
    name: Annotated[str, typer.Argument(help="Model name: Product, product or product_line.")],
    fields: Annotated[
        list[str],
        typer.Argument(
            help="Fields as name:type[=default][:modifier...][?]. Types: str text email url int bigint smallint "
            "float decimal bool date datetime time uuid json bytes, enum(a,b,...), or a model name for a relation "
            "(category:Category; many-to-many: tags:Tag[]). Modifiers: unique, index, optional (or a trailing ?), "
            "ci with unique on str and email (unique whatever the case); for relations cascade, setnull or noaction "
            "(deletes are refused by default). Every field a list can sort by (all but text, url, json, bytes, time "
            "and naive datetimes) and every relation gets an index, with or without index; noindex leaves a field "
            "without one (and out of sorts and filters). For an existing table: column=NAME (the column's name in "
            "the database), readonly (the database fills it), dbdefault (the database's default when left out), "
            "datetime:naive, decimal:precision=P:scale=S, str:maxlen=N, str:fixed:maxlen=N (CHAR), json:jsonb "
            "(PostgreSQL), float:single, enum(...):native=TYPE (PostgreSQL) or :native (MySQL), index=NAME, "
            "unique=NAME, and on a many-to-many through=TABLE, left=COLUMN, right=COLUMN (an existing link table)."
        ),
    ],
    owned: Annotated[
        bool,
        typer.Option(
            "--owned",
            help="Records belong to the user who creates them (owner:User, from the token): users see and change "
            "their own, superusers all. Needs --auth jwt.",
        ),
    ] = False,
    read: Read = None,
    write: Write = None,
    table: Annotated[
        str,
        typer.Option(
            "--table",
            help="The table's name in the database, as it spells it (Language, film_actor), for an existing table "
            "(default: the plural of the model's name).",
        ),
    ] = "",
    timestamps: Annotated[
        bool,
        typer.Option(
            "--timestamps/--no-timestamps",
            help="Give the model created_at and updated_at, kept by the database (--no-timestamps: an existing "
            "table without them; lists are then in key order). SQL databases.",
        ),
    ] = True,
    index: Annotated[
        list[str] | None,
        typer.Option("--index", help="NAME:column1,column2: an index over several columns, by its database name."),
    ] = None,
    unique: Annotated[
        list[str] | None,
        typer.Option("--unique", help="NAME:column1,column2: a UNIQUE constraint over several columns, by its name."),
    ] = None,
    directory: ProjectDir = Path("."),
    dry_run: DryRun = False,
    force: Force = False,
) -> None:
    """Add a model with its schemas, repository, routes, tests and migration to a generated project."""
    from dbgen.commands.models import plan_add_model

    plan = _guard(
        lambda: plan_add_model(
            directory,
            name,
            fields,
            force=force,
            owned=owned,
            read=read,
            write=write,
            table=table,
            timestamps=timestamps,
            indexes=index,
            uniques=unique,
        )
    )
    _apply(plan, dry_run)


@app.command("set-access")
def set_access(
    model: Annotated[str, typer.Argument(help="A model that add-model wrote.")],
    read: Read = None,
    write: Write = None,
    directory: ProjectDir = Path("."),
    dry_run: DryRun = False,
    force: Force = False,
) -> None:
    """Change who may read and who may write a model: its routes and tests are written again."""
    from dbgen.commands.models import plan_set_access

    _apply(_guard(lambda: plan_set_access(directory, model, read, write, force=force)), dry_run)


@app.command("remove-model")
def remove_model(
    name: Annotated[str, typer.Argument(help="The model to remove, as add-model named it.")],
    directory: ProjectDir = Path("."),
    dry_run: DryRun = False,
    force: Force = False,
) -> None:
    """Remove a model that add-model wrote: its files, its registrations, and (SQL) its table by a migration."""
    from dbgen.commands.models import plan_remove_model

    _apply(_guard(lambda: plan_remove_model(directory, name, force=force)), dry_run)


@app.command("add-field")
def add_field(
    model: Annotated[str, typer.Argument(help="A model that add-model wrote.")],
    fields: Annotated[
        list[str],
        typer.Argument(
            help="Fields in add-model's grammar. A required field needs a default (stock:int=0) or ? (stock:int?), "
            "since the table may hold rows; a many-to-many relation (tags:Tag[]) starts with no links."
        ),
    ],
    directory: ProjectDir = Path("."),
    dry_run: DryRun = False,
    force: Force = False,
) -> None:
    """Add fields to a model: its model, schemas, repository, routes and tests, and (SQL) a migration."""
    from dbgen.commands.models import plan_add_field

    _apply(_guard(lambda: plan_add_field(directory, model, fields, force=force)), dry_run)


@app.command("remove-field")
def remove_field(
    model: Annotated[str, typer.Argument(help="A model that add-model wrote.")],
    field: Annotated[str, typer.Argument(help="The field to remove.")],
    directory: ProjectDir = Path("."),
    dry_run: DryRun = False,
    force: Force = False,
) -> None:
    """Remove a field from a model: its files re-rendered without it, and (SQL) a migration that drops it."""
    from dbgen.commands.models import plan_remove_field

    _apply(_guard(lambda: plan_remove_field(directory, model, field, force=force)), dry_run)


@app.command("add-role")
def add_role(
    name: Annotated[str, typer.Argument(help="Role name: lowercase letters, digits and '_' (editor).")],
    directory: ProjectDir = Path("."),
    dry_run: DryRun = False,
    force: Force = False,
) -> None:
    """Add a role that superusers can grant to users and routes can require (needs --auth jwt)."""
    from dbgen.commands.roles import plan_add_role

    _apply(_guard(lambda: plan_add_role(directory, name, force=force)), dry_run)


@app.command("remove-role")
def remove_role(
    name: Annotated[str, typer.Argument(help="The role to remove.")],
    directory: ProjectDir = Path("."),
    dry_run: DryRun = False,
    force: Force = False,
) -> None:
    """Remove a role and every grant of it (refused while a model's access policy names it)."""
    from dbgen.commands.roles import plan_remove_role

    _apply(_guard(lambda: plan_remove_role(directory, name, force=force)), dry_run)


def _apply(plan: Plan, dry_run: bool) -> None:
    from dbgen import writer

    if not dry_run:
        _guard(lambda: writer.apply(plan))
    if not plan.writes:
        ui.info(plan.message)
        return
    ui.show_plan(plan, dry_run=dry_run, diff=dry_run)


@app.command()
def update(
    directory: ProjectDir = Path("."),
    dry_run: DryRun = False,
    force: Annotated[bool, typer.Option("--force", help="Run with uncommitted changes in the git work tree.")] = False,
) -> None:
    """Bring a generated project up to this dbgen's templates, keeping your edits (three-way merges)."""
    from dbgen.commands.update import plan_update

    plan = _guard(lambda: plan_update(directory, force=force, dry_run=dry_run))
    _apply(plan, dry_run)
    if plan.conflicts and not dry_run:
        raise typer.Exit(1)  # written with conflict markers: scripts must notice
