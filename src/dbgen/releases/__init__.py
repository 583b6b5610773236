"""The releases a project can be updated from, and what each one ships for that.

Every release that changes the templates bumps dbgen's version, so the version a project records in
.dbgen.toml names one state of the templates. `dbgen update` needs that state's output as its merge base:

- from 0.2.0 on, the project stores it itself (.dbgen/baseline.tar.gz; see dbgen.baseline);
- 0.1.0 stored nothing, so its generator (code and templates, exactly as released) ships here as
  `0.1.0.tar.gz` and runs again on the project's recorded answers (see dbgen.releases.archived).

A release whose templates change tables that existing projects already have ships
`<version>/migration.py.jinja`: update renders it as a new Alembic revision on top of the project's head.
A release that changes what existing MongoDB documents must hold ships `<version>/upgrade.py.jinja`: update
writes it as a one-off script, `scripts/dbgen_<version>.py`, for the user to run once. A new project's app
never carries these steps (it has no old data).
"""

from __future__ import annotations

from pathlib import Path

from dbgen import __version__
from dbgen.errors import DbgenError

HERE = Path(__file__).parent
# Every release dbgen can update from, oldest first; the last one is this dbgen.
RELEASES = ("0.1.0", "0.2.0", "0.3.0", "0.4.0", "0.5.0", "0.6.0", "0.7.0", "0.8.0", "0.9.0", "0.10.0",
            "0.11.0", "0.12.0")  # fmt: skip
FIRST_WITH_BASELINE = "0.2.0"  # older projects carry no baseline; their generator is archived here
MIGRATION = "migration.py.jinja"
UPGRADE = "upgrade.py.jinja"


def key(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        return ()


def check(recorded: object) -> str:
    """The recorded version, if this dbgen can update from it; otherwise a one-line error."""
    if recorded in RELEASES:
        assert isinstance(recorded, str)
        return recorded
    if isinstance(recorded, str) and key(recorded) > key(__version__):
        raise DbgenError(
            f"this project was written by dbgen {recorded}, newer than this dbgen {__version__}; upgrade dbgen"
        )
    raise DbgenError(
        f"unknown dbgen_version {recorded!r} in .dbgen.toml; this dbgen updates from {', '.join(RELEASES)}"
    )


def stores_baseline(version: str) -> bool:
    return key(version) >= key(FIRST_WITH_BASELINE)


def archive(version: str) -> Path:
    """The archived generator of a release that stored no baseline."""
    return HERE / f"{version}.tar.gz"


def migrations_since(version: str, name: str = MIGRATION) -> list[tuple[str, Path]]:
    """(release, template) of every later release, up to this dbgen, whose templates changed existing tables
    (or, with name=UPGRADE, existing documents)."""
    later = [r for r in RELEASES if key(r) > key(version)]
    return [(r, HERE / r / name) for r in later if (HERE / r / name).is_file()]
