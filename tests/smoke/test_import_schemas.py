"""The importer's read side against real servers: the rental schema of tests/fixtures/schemas loaded into a database
of its own on PostgreSQL and on MariaDB, read into the Schema, and the database exactly as it was afterwards."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from dbgen.errors import DbgenError
from dbgen.importer import Schema, read_schema
from dbgen.importer.ir import IDENTITY, LEFT_OUT, LINK, NATURAL, READ_ONLY
from dbgen.importer.reflect import _engine, parse_url
from tests.schemas import SCHEMAS, run_sql, url
from tests.smoke.servers import require

pytestmark = pytest.mark.smoke


@contextmanager
def database(db: str, sql: str = "") -> Iterator[str]:
    """A database of this test's own, made by `sql`, dropped after."""
    name = f"dbgen_import_{uuid.uuid4().hex[:10]}"
    run_sql(db, f"CREATE DATABASE {name};")
    try:
        if sql:
            run_sql(db, sql, name)
        yield name
    finally:
        run_sql(db, f"DROP DATABASE IF EXISTS {name};")


def fingerprint(db: str, name: str) -> str:
    """The catalog (columns, constraints, indexes) and every row of every table, as text to compare."""
    if db == "postgres":
        tables = run_sql(db, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1;", name).split()
        catalog = (
            "SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns "
            "WHERE table_schema = 'public' ORDER BY 1, 2;"
            "SELECT conrelid::regclass, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2;"
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1;"
            "SELECT typname FROM pg_type WHERE typnamespace = 'public'::regnamespace ORDER BY 1;"
        )
        rows = "".join(
            f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{t}\" t;" for t in tables
        )
        return run_sql(db, catalog + rows, name)
    tables = run_sql(db, "SHOW FULL TABLES WHERE Table_type = 'BASE TABLE';", name).split("\n")
    names = ", ".join(f"`{line.split(chr(9))[0]}`" for line in tables if line)
    catalog = (
        "SELECT table_name, column_name, column_type, is_nullable, column_default FROM information_schema.columns "
        "WHERE table_schema = DATABASE() ORDER BY 1, 2;"
        "SELECT table_name, index_name, column_name, non_unique FROM information_schema.statistics "
        "WHERE table_schema = DATABASE() ORDER BY 1, 2, 3;"
        "SELECT constraint_name, table_name, referenced_table_name, delete_rule FROM "
        "information_schema.referential_constraints WHERE constraint_schema = DATABASE() ORDER BY 1;"
    )
    return run_sql(db, catalog + f"CHECKSUM TABLE {names} EXTENDED;", name)


def refuses_writes(db: str, name: str) -> str:
    """What the server says when the importer's own connection tries to write."""
    backend, address = parse_url(url(db, name))

    async def write() -> None:
        engine = _engine(backend, address)
        try:
            async with engine.connect() as conn:
                await conn.exec_driver_sql("CREATE TABLE intruder (x integer)")
                await conn.commit()
        finally:
            await engine.dispose()

    with pytest.raises(Exception) as raised:
        asyncio.run(write())
    return str(raised.value)


def check_rental(schema: Schema, db: str) -> None:
    kinds = {t.name: t.kind for t in schema.tables}
    assert kinds.pop("film_actor") == kinds.pop("film_category") == LINK
    expected = {
        "Actor", "Language", "address", "category", "city", "country", "currency", "customer", "film", "inventory",
        "opening_hours", "payment", "promotion", "rental", "staff", "store", "store_manager", "users",
    }  # fmt: skip
    assert set(kinds) == expected, "payment's partitions, audit_log (no key) and the view are not models"
    left = {(item.what, item.name) for item in schema.left_out}
    assert {("table", "audit_log"), ("view", "customer_list")} <= left
    film, customer = schema.table("film"), schema.table("customer")
    assert [(c.name, c.python) for c in schema.table("Actor").columns[:1]] == [("ActorId", "actor_id")]
    assert schema.table("Actor").primary_key.kind == IDENTITY and schema.table("users").names.cls == "UserRecord"
    assert schema.table("currency").primary_key.kind == NATURAL
    assert schema.table("payment").primary_key.columns == ("payment_id", "payment_date")
    assert film.column("rating").type.choices == ("G", "PG", "PG-13", "R", "NC-17")
    assert customer.column("tier").type.choices == ("standard", "gold") and customer.column("tier").default is not None
    assert customer.column("tier").default.value == "standard"
    assert (film.column("rental_rate").type.precision, film.column("rental_rate").type.scale) == (4, 2)
    assert str(film.column("title").type) == "str(255)" and film.column("code").type.name == "uuid"
    assert film.column("metadata").type.name == "json" and film.column("metadata").python == "metadata_field"
    assert str(schema.table("opening_hours").column("opens").type) == "time(naive)"
    assert schema.table("staff").column("picture").type.name == "bytes"
    assert schema.table("inventory").column("inventory_id").type.name == "bigint"
    assert schema.table("staff").column("active").type.name == "bool"
    staff = {fk.relation: fk for fk in schema.table("staff").foreign_keys}
    assert staff["reports_to_staff"].self_reference and staff["reports_to_staff"].on_delete == "SET NULL"
    rules = {fk.relation: fk.on_delete for fk in schema.table("rental").foreign_keys}
    assert rules["customer"] == "CASCADE" and rules["staff"] == "SET NULL"
    assert schema.table("rental").uniques == (("rental_date", "inventory_id", "customer_id"),)
    assert customer.column("email").unique and customer.column("LastName").index
    assert any("replacement_cost" in c.sql for c in film.checks)
    assert schema.taken == ("users",)
    assert schema.table("country").column("code").comment == "ISO 3166-1 alpha-2"
    if db == "postgres":
        assert str(customer.column("last_update").type) == "datetime(tz)"
        assert str(film.column("last_update").type) == "datetime(naive)"
        assert film.column("special_features").access == READ_ONLY
        assert [film.column(c).access for c in ("fulltext", "tags")] == [LEFT_OUT, READ_ONLY]
        assert schema.table("promotion").column("valid_during").access == LEFT_OUT
        assert dict(schema.enums)["mpaa_rating"] == ("G", "PG", "PG-13", "R", "NC-17")
        assert film.column("rating").type.enum_name == "mpaa_rating"
        assert {("partition", "payment_2024"), ("partition", "payment_2025")} <= left
        assert ("index", "customer.ix_customer_email_lower") in left  # an expression: kept in the database
        assert schema.table("category").column("category_id").identity == "always"
        assert schema.table("address").column("location").type.db == "point"  # a type SQLAlchemy has no class for
        assert any(c.name == "year.year_check" for c in film.checks)  # the domain's own CHECK
    else:
        assert film.column("special_features").access == LEFT_OUT and "SET(" in film.column("special_features").type.db
        assert schema.table("promotion").column("shape").access == LEFT_OUT
        assert schema.table("address").column("location").type.db == "point"
        assert schema.table("store").column("services").access == LEFT_OUT
        assert schema.table("store").insertable  # services: a SET the database fills (DEFAULT 'rental')


@pytest.mark.parametrize("db", ["postgres", "mysql"])
def test_the_rental_schema_is_read_and_left_as_it_was(db: str) -> None:
    """Fails if a table, type, key, relation or name of the rental schema is read wrong on this backend, if the
    read changes anything in the database (catalog or rows), or if the importer's connection could write."""
    require(db)
    with database(db, (SCHEMAS / f"{db}.sql").read_text()) as name:
        before = fingerprint(db, name)
        schema = read_schema(url(db, name))
        check_rental(schema, db)
        assert "18 models, 2 link tables" in schema.report()
        assert fingerprint(db, name) == before
        refused = refuses_writes(db, name)
        assert "read-only transaction" in refused or "READ ONLY transaction" in refused, refused
        assert fingerprint(db, name) == before


@pytest.mark.parametrize("db", ["postgres", "mysql"])
def test_bad_server_input_is_one_line(db: str) -> None:
    """Fails if a wrong user, an unknown database, an empty database or a server that does not answer gives a
    traceback, more than one line, or a message that shows the password."""
    require(db)
    address = url(db, "x").rsplit("/", 1)[0]
    user = "postgres" if db == "postgres" else "root"
    cases = {
        address.replace(f"//{user}@", "//nobody_here:s3cret@") + "/postgres": "refused user 'nobody_here'",
        f"{address}/dbgen_import_missing": "no database 'dbgen_import_missing' on the",
        address.replace(f"//{user}@", f"//{user}:s3cret@").rsplit(":", 1)[0] + ":9/x": "cannot reach the",
    }
    with database(db) as name:
        cases[f"{address}/{name}"] = "has no tables to import"
        for bad, message in cases.items():
            with pytest.raises(DbgenError) as raised:
                read_schema(bad)
            text = str(raised.value)
            assert message in text and "\n" not in text and "s3cret" not in text, (bad, text)
