"""The command line: parse options, call one core function, show its result. Nothing else."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from dbgen import __version__, ui
from dbgen.backends import BACKENDS, DEFAULT
from dbgen.errors import DbgenError

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
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be written; write nothing.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Write into a non-empty directory.")] = False,
    no_input: Annotated[bool, typer.Option("--no-input", help="Never prompt; use defaults.")] = False,
) -> None:
    """Create a new FastAPI project with a database, migrations and tests."""
    from dbgen import writer
    from dbgen.commands.new import plan_new

    if db is None:
        db = DEFAULT
        if not no_input and ui.stdin_is_interactive():
            db = typer.prompt(f"Database ({'/'.join(BACKENDS)})", default=DEFAULT)
    plan = _guard(lambda: plan_new(name, db, directory, database_url, force))
    if not dry_run:
        _guard(lambda: writer.apply(plan))
    ui.show_plan(plan, dry_run=dry_run)
