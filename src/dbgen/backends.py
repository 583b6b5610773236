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
    password_env: str = ""  # the variable compose.yaml reads the database password from ("" = none)
    test_requirements: tuple[str, ...] = ()  # extra dev dependencies its test suite needs
    # A migration's server default for "now" (SQLite's CURRENT_TIMESTAMP lacks the fraction SQLAlchemy writes)
    now: str = "sa.func.now()"
    # A migration's server default for a new UUID, as the project's Uuid columns store it (32 hex digits where the
    # database has no UUID type of its own)
    new_uuid: str = 'sa.text("gen_random_uuid()")'
    container_url: str = ""  # DATABASE_URL inside compose.yaml: the database service is `db`
    tracing: str = ""  # the OpenTelemetry instrumentation of its driver (the project's `otel` extra)
    # A collation that compares text ignoring case: a case-insensitive unique column (:ci, users' email) takes it and
    # a plain unique index. Without one, the unique index is on lower(column).
    collation: str = ""

    @property
    def is_sql(self) -> bool:
        return self.family == "sql"

    def database_url(self, name: str, *, test: bool = False, container: bool = False) -> str:
        url = self.container_url if container else self.test_url if test else self.url
        return url.replace("{name}", name)


SQLITE = Backend(
    name="sqlite",
    label="SQLite",
    family="sql",
    driver="aiosqlite>=0.20,<1",
    schemes=("sqlite+aiosqlite",),
    url="sqlite+aiosqlite:///./{name}.db",
    test_url="sqlite+aiosqlite:///./{name}_test.db",
    now="sa.text(\"(strftime('%Y-%m-%d %H:%M:%f000', 'now'))\")",
    new_uuid='sa.text("(lower(hex(randomblob(16))))")',
    container_url="sqlite+aiosqlite:////data/{name}.db",
    tracing="opentelemetry-instrumentation-sqlalchemy==0.66b1",
)

POSTGRES = Backend(
    name="postgres",
    label="PostgreSQL",
    family="sql",
    driver="asyncpg>=0.30,<1",
    schemes=("postgresql+asyncpg",),
    url="postgresql+asyncpg://postgres@127.0.0.1:5432/{name}",
    test_url="postgresql+asyncpg://postgres@127.0.0.1:5432/{name}_test",
    password_env="POSTGRES_PASSWORD",
    container_url="postgresql+asyncpg://postgres:${POSTGRES_PASSWORD}@db:5432/{name}",
    tracing="opentelemetry-instrumentation-sqlalchemy==0.66b1",
)

# asyncmy rather than aiomysql: both have a SQLAlchemy 2 dialect and behaved the same against MariaDB 10.11
# (search, utf8mb4, duplicate-key errors, pre-ping after a killed connection), but asyncmy is released
# more often, ships binary wheels for CPython 3.11-3.14 (Linux, macOS, Windows; 3.13 from 0.2.11 on) and
# made round trips about a third faster here; aiomysql went unmaintained for years before 2022.
MYSQL = Backend(
    name="mysql",
    label="MySQL/MariaDB",
    family="sql",
    driver="asyncmy>=0.2.11,<1",
    schemes=("mysql+asyncmy",),
    url="mysql+asyncmy://root@127.0.0.1:3306/{name}?charset=utf8mb4",
    test_url="mysql+asyncmy://root@127.0.0.1:3306/{name}_test?charset=utf8mb4",
    password_env="MARIADB_ROOT_PASSWORD",
    container_url="mysql+asyncmy://root:${MARIADB_ROOT_PASSWORD}@db:3306/{name}?charset=utf8mb4",
    collation="utf8mb4_unicode_ci",
    new_uuid="sa.text(\"(replace(uuid(), '-', ''))\")",
    tracing="opentelemetry-instrumentation-sqlalchemy==0.66b1",
)

MONGO = Backend(
    name="mongo",
    label="MongoDB",
    family="document",
    driver="pymongo>=4.13,<5",
    schemes=("mongodb", "mongodb+srv"),
    url="mongodb://127.0.0.1:27017/{name}",
    test_url="mongodb://127.0.0.1:27017/{name}_test",
    # With no server at the test URL, the generated tests start this MongoDB wire-protocol server (on SQLite).
    test_requirements=("nx-27017>=0.8.1,<0.9",),
    password_env="MONGO_PASSWORD",
    container_url="mongodb://root:${MONGO_PASSWORD}@db:27017/{name}?authSource=admin",
    tracing="opentelemetry-instrumentation-pymongo==0.66b1",
)

BACKENDS: dict[str, Backend] = {b.name: b for b in (SQLITE, POSTGRES, MYSQL, MONGO)}
DEFAULT = SQLITE.name


def get(name: str) -> Backend:
    from dbgen.errors import InvalidOption

    try:
        return BACKENDS[name]
    except KeyError:
        choices = ", ".join(BACKENDS)
        raise InvalidOption(f"unknown database {name!r}; choose one of: {choices}") from None
