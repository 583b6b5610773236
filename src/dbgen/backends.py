"""Each backend as data: what differs between databases lives here, not in branches."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Backend:
    name: str
    label: str
    family: str  # "sql" or "document"
    driver: str  # the async driver requirement the generated project depends on
    schemes: tuple[str, ...]  # URL schemes a --database-url may use
    url: str  # local default, {name} is the project's database name; never a password
    test_url: str  # where the generated tests run by default
    compose_image: str  # the database image in the generated compose.yaml ("" = embedded)
    ci_service: str  # the service block in the generated CI workflow ("" = none)
    test_requirements: tuple[str, ...] = ()  # extra dev dependencies its test suite needs
    compose_secret: str = ""  # the environment variable `docker compose up` needs set ("" = none)

    @property
    def is_sql(self) -> bool:
        return self.family == "sql"

    def database_url(self, name: str, *, test: bool = False) -> str:
        return (self.test_url if test else self.url).replace("{name}", name)


SQLITE = Backend(
    name="sqlite",
    label="SQLite",
    family="sql",
    driver="aiosqlite>=0.20,<1",
    schemes=("sqlite+aiosqlite",),
    url="sqlite+aiosqlite:///./{name}.db",
    test_url="sqlite+aiosqlite:///./{name}_test.db",
    compose_image="",
    ci_service="",
)

POSTGRES = Backend(
    name="postgres",
    label="PostgreSQL",
    family="sql",
    driver="asyncpg>=0.30,<1",
    schemes=("postgresql+asyncpg",),
    url="postgresql+asyncpg://postgres@127.0.0.1:5432/{name}",
    test_url="postgresql+asyncpg://postgres@127.0.0.1:5432/{name}_test",
    compose_image="postgres:17",
    ci_service="postgres",
    compose_secret="POSTGRES_PASSWORD",
)

MONGO = Backend(
    name="mongo",
    label="MongoDB",
    family="document",
    driver="pymongo>=4.13,<5",
    schemes=("mongodb", "mongodb+srv"),
    url="mongodb://127.0.0.1:27017/{name}",
    test_url="mongodb://127.0.0.1:27017/{name}_test",
    compose_image="mongo:8",
    ci_service="mongo",
    # With no server at the test URL, the generated tests start this MongoDB wire-protocol server (on SQLite).
    test_requirements=("nx-27017>=0.8.1,<0.9",),
    compose_secret="MONGO_PASSWORD",
)

BACKENDS: dict[str, Backend] = {b.name: b for b in (SQLITE, POSTGRES, MONGO)}
DEFAULT = SQLITE.name


def get(name: str) -> Backend:
    from dbgen.errors import InvalidOption

    try:
        return BACKENDS[name]
    except KeyError:
        choices = ", ".join(BACKENDS)
        raise InvalidOption(f"unknown database {name!r}; choose one of: {choices}") from None
