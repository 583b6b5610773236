"""The importer's read side on SQLite: the rental schema of tests/fixtures/schemas read into the Schema, and each
bad input refused in one line. (PostgreSQL and MySQL: tests/smoke/test_import_schemas.py.)"""

from __future__ import annotations

import asyncio
import hashlib
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import types as sa
from sqlalchemy.dialects import mysql, postgresql

from dbgen.errors import DbgenError, InvalidName
from dbgen.importer import DatabaseError, Schema, read_schema
from dbgen.importer.ir import COMPOSITE, IDENTITY, LEFT_OUT, LINK, LINK_MODEL, MAPPED, MODEL, NATURAL, READ_ONLY
from dbgen.importer.reflect import _engine, parse_url
from dbgen.importer.types import default, map_type
from tests.schemas import BAD, SCHEMAS, sqlite_database, wide


@pytest.fixture(scope="module")
def rental_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("import") / "rental.db"
    sqlite_database((SCHEMAS / "sqlite.sql").read_text(), path)
    return path


@pytest.fixture(scope="module")
def rental(rental_file: Path) -> Schema:
    return read_schema(f"sqlite:///{rental_file}")


def bad(name: str, tmp_path: Path) -> str:
    return sqlite_database((BAD / f"{name}.sql").read_text(), tmp_path / f"{name}.db")


def test_tables_are_classified(rental: Schema) -> None:
    """Fails if a link table stops being a many-to-many (or a link with columns stops being a model), if a table
    without a primary key or a view is imported, or if one of them goes missing from the report's lists."""
    kinds = {t.name: t.kind for t in rental.tables}
    assert kinds["film_actor"] == kinds["film_category"] == LINK  # film_category's last_update: the database's
    assert kinds["film"] == kinds["Actor"] == kinds["opening_hours"] == MODEL
    assert kinds["store_manager"] == LINK_MODEL  # since: a value the client gives
    assert "audit_log" not in kinds and len(kinds) == 20
    assert [t.name for t in rental.links] == ["film_actor", "film_category"] and len(rental.models) == 18
    link = rental.table("film_actor").link
    assert link is not None
    assert {(link.left.target_model, link.left_field), (link.right.target_model, link.right_field)} == {
        ("Film", "actors"),
        ("Actor", "films"),
    }
    left = {(item.what, item.name): item.reason for item in rental.left_out}
    assert "no primary key" in left[("table", "audit_log")]
    assert rental.views == ("customer_list",) and ("view", "customer_list") in left


def test_types_are_the_closest_dbgen_types(rental: Schema) -> None:
    """Fails if a column's type maps to another dbgen type, loses its length or precision, or if a type dbgen has
    no field for is mapped rather than left out (or a generated column is writable)."""
    film, staff, promotion = rental.table("film"), rental.table("staff"), rental.table("promotion")
    assert str(film.column("title").type) == "str(255)"
    assert (film.column("rental_rate").type.precision, film.column("rental_rate").type.scale) == (4, 2)
    assert [film.column(c).type.name for c in ("description", "code", "metadata", "size_bytes", "score")] == [
        "text",
        "str",  # SQLite's declared UUID: text, as the application wrote it
        "json",
        "bigint",
        "float",
    ]
    assert (film.column("code").type.length, film.column("code").type.kept) == (36, "NUMERIC")
    assert staff.column("active").type.name == "bool" and staff.column("picture").type.name == "bytes"
    assert str(rental.table("opening_hours").column("opens").type) == "time(naive)"
    assert str(rental.table("rental").column("rental_date").type) == "datetime(naive)"
    assert rental.table("store").column("opened_on").type.name == "date"
    assert str(rental.table("country").column("code").type) == "str(2, fixed)"
    location, notes = rental.table("address").column("location"), rental.table("store").column("notes")
    assert (location.access, location.type.name, location.type.db) == (LEFT_OUT, "", "GEOMETRY")
    assert (notes.access, notes.type.db) == (LEFT_OUT, "untyped")
    total = promotion.column("total_cents")
    assert total.access == READ_ONLY and "generated" in total.reason and total.computed
    assert rental.table("address").insertable  # location is nullable: rows can still be created


def test_a_required_column_without_a_field_type_leaves_a_table_without_creatable_rows(tmp_path: Path) -> None:
    """Fails if a table whose NOT NULL column has no dbgen type and no default is not reported as one whose rows
    the API cannot create (the database would refuse each), or one with a default is."""
    url = sqlite_database(
        "CREATE TABLE shape (id INTEGER PRIMARY KEY, outline GEOMETRY NOT NULL);"
        "CREATE TABLE area (id INTEGER PRIMARY KEY, outline GEOMETRY NOT NULL DEFAULT 'POINT(0 0)');",
        tmp_path / "shapes.db",
    )
    schema = read_schema(url)
    shape, area = schema.table("shape"), schema.table("area")
    assert not shape.insertable and shape.reason.startswith("outline (GEOMETRY) is NOT NULL without a default")
    assert area.insertable and area.column("outline").access == LEFT_OUT


def test_a_link_is_a_many_to_many_unless_a_column_of_its_own_needs_a_value(tmp_path: Path) -> None:
    """Fails if a link table whose other columns the database fills (a default, NULL) is not a many-to-many with
    those columns left to the database (and listed), or one with a required column of its own (which the client
    would have to give) becomes one."""
    url = sqlite_database(
        "CREATE TABLE tag (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
        "CREATE TABLE post (id INTEGER PRIMARY KEY, title TEXT NOT NULL);"
        "CREATE TABLE post_tag (post_id INTEGER NOT NULL REFERENCES post (id) ON DELETE CASCADE,"
        " tag_id INTEGER NOT NULL REFERENCES tag (id) ON DELETE CASCADE, added DATETIME NOT NULL DEFAULT"
        " CURRENT_TIMESTAMP, note TEXT, PRIMARY KEY (post_id, tag_id));"
        "CREATE TABLE post_editor (post_id INTEGER NOT NULL REFERENCES post (id) ON DELETE CASCADE,"
        " tag_id INTEGER NOT NULL REFERENCES tag (id) ON DELETE CASCADE, role TEXT NOT NULL,"
        " PRIMARY KEY (post_id, tag_id));",
        tmp_path / "links.db",
    )
    schema = read_schema(url)
    assert (schema.table("post_tag").kind, schema.table("post_editor").kind) == (LINK, LINK_MODEL)
    assert {c.name for c in schema.table("post_tag").columns if c.access == LEFT_OUT} == {"added", "note"}
    left = {item.name: item.reason for item in schema.left_out if item.what == "column"}
    reason = "a link's own column, which the database fills; not served"
    assert left["post_tag.added"] == left["post_tag.note"] == reason
    assert "post_editor.role" not in left


def test_keys_defaults_uniques_and_indexes(rental: Schema) -> None:
    """Fails if a key's kind is wrong (SQLite's rowid is the database's own numbering), a constant default loses
    its value or an expression gains one, or a unique column or index is missed."""
    assert rental.table("Actor").primary_key.kind == IDENTITY
    assert rental.table("country").column("country_id").autoincrement
    assert (rental.table("currency").primary_key.kind, rental.table("users").primary_key.kind) == (NATURAL, NATURAL)
    assert rental.table("payment").primary_key.columns == ("payment_id", "payment_date")
    assert rental.table("opening_hours").primary_key.kind == COMPOSITE
    film = rental.table("film")
    values = {c.name: c.default.value for c in film.columns if c.default is not None}
    assert values["rental_duration"] == 3 and values["rental_rate"] == Decimal("4.99")
    assert values["type"] == "feature" and values["last_update"] is None
    assert rental.table("staff").column("active").default.value is True  # type: ignore[union-attr]
    assert film.column("code").unique and rental.table("staff").column("email").unique
    assert not film.column("title").unique
    assert rental.table("Actor").column("LastName").index and rental.table("city").column("name").index
    assert rental.table("rental").uniques == (("rental_date", "inventory_id", "customer_id"),)
    checks = {c.sql for c in film.checks}
    assert "replacement_cost >= rental_rate" in checks and any("rating IN" in c for c in checks)


def test_foreign_keys_are_relations_with_their_rule(rental: Schema) -> None:
    """Fails if a relation loses its ON DELETE rule, its target or its name, or a self-reference is not marked."""
    staff = {fk.columns: fk for fk in rental.table("staff").foreign_keys}
    manager = staff[("reports_to",)]
    assert (manager.relation, manager.target_model, manager.self_reference, manager.on_delete) == (
        "reports_to_staff",
        "Staff",
        True,
        "SET NULL",
    )
    rules = {fk.relation: fk.on_delete for fk in rental.table("rental").foreign_keys}
    assert rules == {"inventory": "RESTRICT", "customer": "CASCADE", "staff": "SET NULL"}
    store = {fk.relation: fk for fk in rental.table("store").foreign_keys}
    assert store["currency"].target_columns == ("code",) and store["currency"].on_delete == "NO ACTION"
    film = rental.table("film").foreign_keys[0]
    assert (film.relation, film.target, film.target_model) == ("language", "Language", "Language")
    parent = rental.table("category").foreign_keys[0]
    assert parent.relation == "parent" and parent.self_reference


def test_names_are_snake_case_and_singular(rental: Schema) -> None:
    """Fails if a PascalCase column keeps its case in Python, a class name stays plural, or the database's own
    table and column names are changed."""
    actor = rental.table("Actor")
    assert [(c.name, c.python) for c in actor.columns] == [
        ("ActorId", "actor_id"),
        ("FirstName", "first_name"),
        ("LastName", "last_name"),
    ]
    names = {t.name: (t.names.cls, t.names.module, t.names.route, t.names.table) for t in rental.tables}
    assert names["Actor"] == ("Actor", "actor", "/actors", "Actor")
    assert names["opening_hours"] == ("OpeningHour", "opening_hour", "/opening-hours", "opening_hours")
    assert names["category"][0] == "Category" and names["address"][0] == "Address"
    assert names["film_category"][:3] == ("FilmCategory", "film_category", "/film-categories")


def test_reserved_names_are_renamed_and_reported(rental: Schema) -> None:
    """Fails if a column named like a reserved name or a table named like dbgen's own model keeps that name, or
    the rename is not recorded, or the database table dbgen's own users table needs is not marked as taken."""
    renames = {(r.table, r.column): r.new for r in rental.renames}
    assert renames == {
        ("users", ""): "UserRecord",
        ("film", "metadata"): "metadata_field",
        ("film", "type"): "type_field",
    }
    assert rental.table("users").names.cls == "UserRecord" and rental.table("users").names.route == "/user-records"
    assert rental.table("users").column("created_at").python == "created_at"  # the table's own timestamp
    assert rental.taken == ("users",)


def test_the_report_lists_everything(rental: Schema) -> None:
    """Fails if the dry-run report leaves out a model's fields, a link table, a left-out column or table with its
    reason, or a rename."""
    report = rental.report()
    assert report.startswith("Read sqlite:///") and "18 models, 2 link tables" in report
    for line in (
        "  Actor -> Actor (/actors)",
        "    ActorId -> actor_id: int  [key (identity)]",
        "    rental_rate: decimal(4,2)  [required, default Decimal('4.99')]",
        "    reports_to_staff -> itself by reports_to (ON DELETE SET NULL)",
        "  film_actor: ",
        "  film_category: ",
        "  table audit_log: no primary key: rows cannot be read, changed or deleted one by one",
        "  column address.location: left-out: GEOMETRY has no dbgen type",
        "  view customer_list: a view stays in the database; it is not served",
        "  film.type: type -> type_field (type is reserved in a dbgen model (a query parameter or a name of its own))",
        "  table users: User -> UserRecord (User is dbgen's own model)",
    ):
        assert line in report.splitlines() or any(row.startswith(line) for row in report.splitlines()), line


def test_reading_writes_nothing(rental_file: Path) -> None:
    """Fails if the importer opens SQLite read-write (mode=ro dropped) or changes the file while reading."""
    before = hashlib.sha256(rental_file.read_bytes()).hexdigest(), rental_file.stat().st_mtime_ns
    read_schema(f"sqlite:///{rental_file}", tables=["film"])
    assert (hashlib.sha256(rental_file.read_bytes()).hexdigest(), rental_file.stat().st_mtime_ns) == before
    backend, url = parse_url(f"sqlite:///{rental_file}")

    async def write() -> None:
        engine = _engine(backend, url)
        try:
            async with engine.connect() as conn:
                await conn.exec_driver_sql("CREATE TABLE intruder (x INTEGER)")
        finally:
            await engine.dispose()

    with pytest.raises(Exception, match="readonly"):
        asyncio.run(write())


def test_a_file_name_with_a_space_or_hash_is_read(tmp_path: Path) -> None:
    """Fails if the read-only URI filename of a SQLite file does not escape its path (a # would end its path)."""
    url = sqlite_database("CREATE TABLE tag (tag_id INTEGER PRIMARY KEY);", tmp_path / "my shop#1.db")
    schema = read_schema(url)
    assert schema.url == url and [t.name for t in schema.tables] == ["tag"]


def test_tables_and_exclude_choose(rental_file: Path) -> None:
    """Fails if --tables or --exclude is ignored, or a foreign key to a table left out stays a relation."""
    schema = read_schema(f"sqlite:///{rental_file}", tables=["film", "film_actor", "Actor"])
    assert [t.name for t in schema.tables] == ["Actor", "film", "film_actor"]
    language = schema.table("film").foreign_keys[0]
    assert (language.target, language.target_model, language.relation) == ("Language", "", "")
    assert "references Language, which is not imported: a plain column" in schema.report()
    schema = read_schema(f"sqlite:///{rental_file}", exclude=["Actor"])
    assert "Actor" not in {t.name for t in schema.tables}
    assert schema.table("film_actor").kind == MODEL  # one side is gone: a model with a composite key


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("missing", "no SQLite database at "),
        ("scheme", "cannot read a 'mongodb' database; use a URL starting with one of "),
        ("garbage", "'not a url' is not a database URL, e.g. postgresql://user@host/name"),
        ("empty", "has no tables to import"),
        ("unknown_table", "--tables: no table 'nope' in the database"),
        ("unknown_exclude", "--exclude: no table 'nope' in the database"),
        ("everything_excluded", "has no tables to import after --tables/--exclude"),
        ("no_primary_key", "has no table with a primary key to import"),
        ("named_without_key", "table 'audit_log': no primary key: rows cannot be read, changed or deleted one by one"),
        ("order_clash", "tables 'Order' and 'order_' both become 'Order' in Python; exclude one with --exclude"),
        ("column_clash", "table 'person': columns 'FirstName' and 'first_name' both become 'first_name' in Python"),
        ("no_database", "postgresql+asyncpg://postgres:***@127.0.0.1:5432 names no database; add it to the URL's path"),
        ("memory", "a SQLite URL names a file, e.g. sqlite:///./shop.db"),
        ("unreachable", "cannot reach the postgres server at 127.0.0.1:9; is it running, and is the URL right?"),
    ],
)
def test_bad_input_is_one_line(case: str, message: str, tmp_path: Path, rental_file: Path) -> None:
    """Fails if a bad input gets a traceback, a message of more than one line, a message that shows the URL's
    password, or an error that is not dbgen's own (the CLI turns only those into exit code 2)."""
    rental = f"sqlite:///{rental_file}"
    calls = {
        "missing": lambda: read_schema(f"sqlite:///{tmp_path}/none.db"),
        "scheme": lambda: read_schema("mongodb://user:s3cret@127.0.0.1/shop"),
        "garbage": lambda: read_schema("not a url"),
        "empty": lambda: read_schema(sqlite_database("", tmp_path / "empty.db")),
        "unknown_table": lambda: read_schema(rental, tables=["film", "nope"]),
        "unknown_exclude": lambda: read_schema(rental, exclude=["nope"]),
        "everything_excluded": lambda: read_schema(bad("order_clash", tmp_path), exclude=["Order", "order_"]),
        "no_primary_key": lambda: read_schema(bad("no_primary_key", tmp_path)),
        "named_without_key": lambda: read_schema(rental, tables=["film", "audit_log"]),
        "order_clash": lambda: read_schema(bad("order_clash", tmp_path)),
        "column_clash": lambda: read_schema(bad("column_clash", tmp_path)),
        "no_database": lambda: read_schema("postgresql://postgres:s3cret@127.0.0.1:5432"),
        "memory": lambda: read_schema("sqlite://"),
        "unreachable": lambda: read_schema("postgresql://postgres:s3cret@127.0.0.1:9/rental"),
    }
    with pytest.raises(DbgenError) as raised:
        calls[case]()
    text = str(raised.value)
    assert message in text and "\n" not in text and "s3cret" not in text
    assert isinstance(raised.value, InvalidName if "clash" in case else DatabaseError)


def test_clashing_names_are_renamed_where_a_rename_resolves_them(tmp_path: Path) -> None:
    """Fails if a column named id that is not the key, a Python keyword or a reserved query parameter keeps its
    name in Python (it would break the model or the list route), or a table named like a class of the generated
    project's own (Message) keeps its class name."""
    part = read_schema(bad("id_not_key", tmp_path)).table("part")
    assert [c.python for c in part.columns] == ["sku", "id_field", "name"] and part.primary_key.kind == NATURAL
    message = read_schema(bad("keyword_columns", tmp_path)).table("message")
    assert message.names.cls == "MessageRecord"
    assert [c.python for c in message.columns] == [
        "message_id",
        "class_field",
        "from_field",
        "limit_field",
        "sort_by_field",
        "order_field",
        "match_field",
        "created_at",
    ]
    assert all(c.access == MAPPED for c in message.columns)


def test_a_key_without_a_field_type_leaves_its_table_out_and_dbgen_models_keep_their_names(tmp_path: Path) -> None:
    """Fails if a table whose key has no dbgen type becomes a model (or stops the import), or if a table named like
    one of dbgen's own models (roles, with login) takes that model's class unless told that model is not there."""
    sql = "CREATE TABLE shape (outline GEOMETRY PRIMARY KEY); CREATE TABLE roles (role_id INTEGER PRIMARY KEY);"
    url = sqlite_database(sql, tmp_path / "shapes.db")
    schema = read_schema(url)
    assert [t.names.cls for t in schema.tables] == ["RoleRecord"]
    assert ("shape", "its primary key 'outline' is of type GEOMETRY, which dbgen has no field for") in {
        (item.name, item.reason) for item in schema.left_out
    }
    assert [t.names.cls for t in read_schema(url, builtin=("User", "Item")).tables] == ["Role"]


def test_odd_names_take_a_rename_that_is_free(tmp_path: Path) -> None:
    """Fails if a table named like a Python keyword keeps it as its module, a rename takes a name another column
    has, a relation takes a column's name, Alembic's own table is imported, or an expression index is lost."""
    schema = read_schema(bad("odd_names", tmp_path))
    assert [(t.name, t.names.cls, t.names.module) for t in schema.tables] == [
        ("artist", "Artist", "artist"),
        ("class", "ClassRecord", "class_record"),
    ]
    table = schema.table("class")
    assert [c.python for c in table.columns] == ["class_id", "type_field_", "type_field", "artist", "artist_id"]
    assert table.foreign_keys[0].relation == "artist_ref"
    left = {(item.what, item.name) for item in schema.left_out}
    assert {("table", "alembic_version"), ("index", "ix_artist_lower_name")} <= left


def test_names_without_ascii_letters_are_refused(tmp_path: Path) -> None:
    """Fails if a table named only with other scripts gets an empty or made-up Python name instead of an error."""
    url = sqlite_database('CREATE TABLE "объект" (id INTEGER PRIMARY KEY);', tmp_path / "script.db")
    with pytest.raises(InvalidName, match="has no ASCII letters or digits"):
        read_schema(url)


@pytest.mark.parametrize(
    ("sa_type", "backend", "expected"),
    [
        (postgresql.ARRAY(sa.Integer()), "postgres", ("array", READ_ONLY)),
        (postgresql.TSVECTOR(), "postgres", ("", LEFT_OUT)),
        (postgresql.INT4RANGE(), "postgres", ("", LEFT_OUT)),
        (postgresql.INTERVAL(), "postgres", ("", LEFT_OUT)),
        (postgresql.DOMAIN("year", sa.Integer()), "postgres", ("int", MAPPED)),
        (postgresql.DOMAIN("tags", postgresql.ARRAY(postgresql.TSVECTOR())), "postgres", ("", LEFT_OUT)),
        (postgresql.ENUM("G", "PG-13", name="rating"), "postgres", ("enum", MAPPED)),
        (postgresql.JSONB(), "postgres", ("json", MAPPED)),
        (postgresql.TIMESTAMP(timezone=True), "postgres", ("datetime", MAPPED)),
        (postgresql.TIME(), "postgres", ("time", MAPPED)),
        (postgresql.BYTEA(), "postgres", ("bytes", MAPPED)),
        (postgresql.UUID(), "postgres", ("uuid", MAPPED)),
        (postgresql.DOUBLE_PRECISION(), "postgres", ("float", MAPPED)),
        (sa.VARCHAR(), "postgres", ("text", MAPPED)),
        (mysql.SET("a", "b"), "mysql", ("", LEFT_OUT)),
        (mysql.TINYINT(display_width=1), "mysql", ("bool", MAPPED)),
        (mysql.TINYINT(), "mysql", ("int", MAPPED)),
        (mysql.INTEGER(unsigned=True), "mysql", ("bigint", MAPPED)),
        (mysql.YEAR(), "mysql", ("int", MAPPED)),
        (mysql.ENUM("small", "large"), "mysql", ("enum", MAPPED)),
        (mysql.BIT(), "mysql", ("", LEFT_OUT)),
        (sa.NullType(), "mysql", ("", LEFT_OUT)),
    ],
)
def test_each_backend_type_maps(sa_type: sa.TypeEngine[object], backend: str, expected: tuple[str, str]) -> None:
    """Fails if a reflected type of PostgreSQL or MySQL maps to the wrong dbgen type, or one without a dbgen type
    (a range, tsvector, SET, a domain over an array of them) is given one."""
    kind = map_type(sa_type, backend=backend)
    access = LEFT_OUT if not kind.name else READ_ONLY if kind.name == "array" else MAPPED
    assert (kind.name, access) == expected
    if kind.name == "enum":
        assert kind.choices and (kind.enum_name == "rating") == (backend == "postgres")


@pytest.mark.parametrize(
    ("sa_type", "bounds"),
    [
        (mysql.YEAR(), (1901, 2155)),
        (mysql.TINYINT(), (-128, 127)),
        (mysql.TINYINT(unsigned=True), (0, 255)),
        (mysql.SMALLINT(unsigned=True), (0, 65535)),
        (mysql.MEDIUMINT(), (-(2**23), 2**23 - 1)),
        (mysql.INTEGER(unsigned=True), (0, 2**32 - 1)),
        (mysql.INTEGER(), None),  # the field type's own range
        (mysql.BIGINT(unsigned=True), None),  # past bigint's: left to the database
    ],
)
def test_narrow_integer_types_bound_their_fields(
    sa_type: sa.TypeEngine[object], bounds: tuple[int, int] | None
) -> None:
    """Fails if a MySQL integer type narrower than its field's (YEAR, TINYINT, unsigned) does not give its range, so
    that the API would take values the database refuses and the generated tests would write them."""
    assert map_type(sa_type, backend="mysql").bounds == bounds


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("'feature'::character varying", "str", "feature"),
        ("'it''s'", "text", "it's"),
        ("'G'::mpaa_rating", "enum", "G"),
        ("3", "int", 3),
        ("(-2)", "bigint", -2),
        ("4.99", "decimal", Decimal("4.99")),
        ("1.5", "float", 1.5),
        ("true", "bool", True),
        ("0", "bool", False),
        ("'1'", "bool", True),
        ("now()", "datetime", None),
        ("nextval('x_seq'::regclass)", "int", None),
        ("gen_random_uuid()", "uuid", None),
    ],
)
def test_server_defaults_keep_their_constant(text: str, kind: str, value: object) -> None:
    """Fails if a plain constant default loses its value (or its type), or an expression is taken for a constant."""
    from dbgen.importer.ir import ColumnType

    found = default(text, ColumnType(kind, kind))
    assert found is not None and found.server == text
    assert (found.value, found.constant) == (value, value is not None)
    assert type(found.value) is type(value)


def test_a_wide_schema_is_read_whole(tmp_path: Path) -> None:
    """Fails if a table of a large schema is lost or a chain of relations breaks (bench/import_speed.py times it)."""
    schema = read_schema(sqlite_database(wide(100, "sqlite"), tmp_path / "wide.db"))
    assert len(schema.models) == 100
    assert all(len(t.foreign_keys) == 1 and t.foreign_keys[0].on_delete == "CASCADE" for t in schema.models[1:])


def test_starting_dbgen_imports_no_database_library() -> None:
    """Fails if dbgen's command line, or the importer before it reads a schema, imports SQLAlchemy (a second or
    more at every start of every command)."""
    probe = "import sys, dbgen.cli, dbgen.importer; print(sorted(m for m in sys.modules if m.startswith('sqlalchemy')))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_missing_driver_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fails if reading without the `import` extra installed ends in an ImportError rather than a line saying what
    to install."""
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "asyncmy" else real(name, *a))
    with pytest.raises(DatabaseError, match=r"^reading a database needs asyncmy: pip install 'dbgen\[import\]'"):
        read_schema("mysql://root@127.0.0.1:3306/rental")
