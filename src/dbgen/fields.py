"""The field-spec grammar of add-model: `name:type[:modifier...]`, with per-type knowledge kept on the type.

Templates stay loops: everything a template needs to know about a column (its SQLAlchemy type, its
Alembic form, its pydantic annotation, test values) is an attribute here.
"""

from __future__ import annotations

import keyword
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING

from dbgen.edits import LINE_LENGTH, call
from dbgen.errors import InvalidName
from dbgen.naming import ModelNames, pascal, singularize, snake

if TYPE_CHECKING:
    from dbgen.backends import Backend


@dataclass(frozen=True)
class FieldType:
    name: str
    python: str  # the annotation in models and schemas
    column: str  # SQLAlchemy type in a model
    migration: str  # the same type as Alembic writes it
    imports: tuple[str, ...] = ()  # stdlib imports the python annotation needs
    column_import: str = ""  # where the model's column type comes from (default: sqlalchemy)
    # pydantic Field() arguments that keep values inside what the database stores; bodies are strict, so a type
    # that JSON sends as a string (a date, a UUID, a decimal) says strict=False
    constraint: str = ""
    searchable: bool = False  # case-insensitive text search looks in it
    sortable: bool = True
    indexable: bool = True
    samples: tuple[str, str, str] = ("", "", "")  # Python literals of JSON values: create, other, update
    numbered: str = "n"  # an expression of `n` giving a distinct valid value per test row
    # The same as the Python value a model stores, for app.seed, valid and distinct for millions of rows (a date
    # of `numbered` runs past year 9999 at n = 8000), and what its module imports for it; "" is `numbered`.
    seed: str = ""
    seed_imports: tuple[str, ...] = ()
    compare: str = "{got} == {expected}"  # how a test compares a response value with a sample
    bson: str = ""  # the $type alias of a stored value on MongoDB (a partial index skips the nulls by it)
    app_imports: tuple[str, ...] = ()  # what schemas import from the app for the annotation (an enum's class)
    min_length: int = 0  # text: the bounds of its length (minlen= and maxlen= narrow them)
    max_length: int = 0
    choices: tuple[str, ...] = ()  # an enum's values
    admin: str = "StringField"  # the starlette-admin field that shows and edits it in /admin
    # The annotation of a request body's field when it differs from `python` (a validated form of a str), what it
    # imports from pydantic, and the JSON Schema format a response states for the stored str.
    schema: str = ""
    schema_imports: tuple[str, ...] = ()
    format: str = ""
    members: tuple[str, ...] = ()  # an enum's member names, one per value (PG-13 is PG_13)
    migration_import: str = ""  # what a migration imports for `migration` beyond sqlalchemy (JSONB's dialect)
    native: bool = False  # an enum stored in the database's own enum type (a PostgreSQL type, a MySQL ENUM)
    enum_name: str = ""  # that type's name; a VARCHAR enum's CHECK constraint's
    digits: tuple[int, int] = (0, 0)  # a decimal's precision and scale
    fixed: bool = False  # text of a fixed length (CHAR)
    # (database, column, migration): the type on a database that spells it otherwise (for_backend applies it)
    variants: tuple[tuple[str, str, str], ...] = ()

    @property
    def model_import(self) -> str:
        return self.column_import or f"from sqlalchemy import {self.column.split('(')[0]}"

    def assertion(self, got: str, expected: str) -> str:
        return self.compare.format(got=got, expected=expected)


TYPES: dict[str, FieldType] = {
    t.name: t
    for t in (
        FieldType("str", "str", "String(255)", "sa.String(length=255)", constraint="min_length=1, max_length=255",
                  bson="string", searchable=True, samples=('"alpha"', '"bravo"', '"charlie"'), numbered='f"alpha {n}"',
                  seed="words(n)", seed_imports=("from app.seed import words",), min_length=1, max_length=255),
        FieldType("text", "str", "Text", "sa.Text()", constraint="max_length=10_000", bson="string", searchable=True,
                  admin="TextAreaField",
                  sortable=False, indexable=False, samples=('"Alpha text"', '"Bravo text"', '"Charlie text"'),
                  numbered='f"Alpha text {n}"', seed="words(n)", seed_imports=("from app.seed import words",),
                  max_length=10_000),
        FieldType("email", "str", "String(320)", "sa.String(length=320)", schema="EmailStr",
                  schema_imports=("from pydantic import EmailStr",), format="email", bson="string", searchable=True,
                  samples=('"alpha@example.com"', '"bravo@example.com"', '"charlie@example.com"'),
                  numbered='f"user{n}@example.com"', max_length=320, admin="EmailField"),
        # Stored as the str pydantic makes of the URL; a body's HttpUrl is dumped as that str.
        FieldType("url", "str", "String(2083)", "sa.String(length=2083)",
                  schema="Annotated[HttpUrl, PlainSerializer(str, return_type=str)]",
                  schema_imports=("from pydantic import HttpUrl, PlainSerializer", "from typing import Annotated"),
                  format="uri", bson="string", sortable=False, indexable=False,
                  samples=('"https://example.com/alpha"', '"https://example.com/bravo"', '"https://example.com/charlie"'),
                  numbered='f"https://example.com/{n}"', max_length=2083, admin="URLField"),
        FieldType("int", "int", "Integer", "sa.Integer()", constraint="ge=-(2**31), le=2**31 - 1", bson="number",
                  admin="IntegerField",
                  samples=("1", "2", "3")),
        FieldType("bigint", "int", "BigInteger", "sa.BigInteger()", constraint="ge=-(2**63), le=2**63 - 1",
                  bson="number", admin="IntegerField", samples=("1", "2", "3")),
        FieldType("smallint", "int", "SmallInteger", "sa.SmallInteger()", constraint="ge=-(2**15), le=2**15 - 1",
                  bson="number", admin="IntegerField", samples=("1", "2", "3"), seed="n % 2**15"),
        FieldType("float", "float", "Double", "sa.Double()", constraint="allow_inf_nan=False", bson="number",
                  admin="FloatField",  # app.admin.base's, which takes a missing value as empty
                  samples=("1.5", "2.5", "3.5"), numbered="n + 0.5", compare="{got} == pytest.approx({expected})"),
        FieldType("decimal", "Decimal", "Numeric(12, 2)", "sa.Numeric(precision=12, scale=2)",
                  imports=("from decimal import Decimal",), constraint="max_digits=12, decimal_places=2, strict=False",
                  bson="number", admin="DecimalField", digits=(12, 2),
                  samples=('"1.50"', '"2.50"', '"3.50"'), numbered='f"{n}.50"',
                  seed='Decimal(f"{n}.50")', seed_imports=("from decimal import Decimal",),
                  compare="Decimal({got}) == Decimal({expected})"),
        FieldType("bool", "bool", "Boolean", "sa.Boolean()", bson="bool", samples=("True", "False", "False"),
                  admin="BooleanField",
                  numbered="True", seed="n % 2 == 0", compare="{got} is {expected}"),
        FieldType("date", "date", "Date", "sa.Date()", imports=("from datetime import date",),
                  constraint="strict=False", bson="date", admin="DateField",
                  samples=('"2024-01-02"', '"2024-02-03"', '"2024-03-04"'), numbered='f"{2000 + n}-01-02"',
                  seed="date(2000, 1, 1) + timedelta(days=n % 2_900_000)",
                  seed_imports=("from datetime import date, timedelta",)),
        FieldType("datetime", "datetime", "UTCDateTime()", "sa.DateTime(timezone=True)",
                  imports=("from datetime import datetime",), column_import="from app.db.base import UTCDateTime",
                  constraint="strict=False", bson="date", admin="DateTimeField",
                  samples=('"2024-01-02T03:04:05Z"', '"2024-02-03T04:05:06Z"', '"2024-03-04T05:06:07Z"'),
                  numbered='f"{2000 + n}-01-02T03:04:05Z"',
                  seed="datetime(2000, 1, 1, tzinfo=UTC) + timedelta(seconds=n)",
                  seed_imports=("from datetime import UTC, datetime, timedelta",),
                  compare="{got}[:19] == {expected}[:19]"),
        # A time of day, without a time zone. Not a sort key: a cursor does not carry one (:index indexes it).
        FieldType("time", "time", "Time", "sa.Time()", imports=("from datetime import time",),
                  constraint="strict=False", admin="TimeField", sortable=False,
                  samples=('"03:04:05"', '"04:05:06"', '"05:06:07"'),
                  numbered='f"{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}"',
                  seed="time(n // 3600 % 24, n // 60 % 60, n % 60)", seed_imports=("from datetime import time",)),
        FieldType("uuid", "UUID", "Uuid", "sa.Uuid()", imports=("from uuid import UUID",), constraint="strict=False",
                  admin="UUIDField",
                  bson="binData",
                  # Each group grows from sample to sample: they sort alike whether a database compares a UUID's bytes
                  # in order or, as MariaDB's UUID type may, its groups in another order.
                  samples=('"6f1c2a9e-4b0a-41b2-83d4-e5f6a7b8c9d0"', '"7a2d3b0f-5c1b-42c3-94e5-f6a7b8c9d0e1"',
                           '"8b3e4c1a-6d2c-43d4-a5f6-f7b8c9d0e1f2"'),
                  numbered='f"00000000-0000-4000-8000-{n:012d}"', seed='UUID(f"00000000-0000-4000-8000-{n:012d}")',
                  seed_imports=("from uuid import UUID",)),
        # A placeholder: each enum field gets a type of its own (_enum_type), named after its model and field.
        FieldType("enum", "str", "String", "sa.String()", constraint="strict=False", bson="string", admin="EnumField",
                  samples=('"a"', '"a"', '"a"'), numbered='"a"'),
        FieldType("json", "dict[str, Any]", "JSON", "sa.JSON()", imports=("from typing import Any",), bson="object",
                  admin="JSONField",
                  sortable=False, indexable=False, samples=('{"k": 1}', '{"k": 2}', '{"k": 3}'),
                  numbered='{"k": n}'),
        # Bytes, as base64 text in JSON (app.schemas.common.Base64); neither sorted nor indexed.
        FieldType("bytes", "bytes", "LargeBinary", "sa.LargeBinary()", schema="Base64",
                  app_imports=("from app.schemas.common import Base64",), bson="binData", sortable=False,
                  indexable=False, samples=('"YWxwaGE="', '"YnJhdm8="', '"Y2hhcmxpZQ=="'),
                  numbered='f"{n:08d}"', seed='f"{n:08d}".encode()'),
    )
}  # fmt: skip


@dataclass(frozen=True)
class Default:
    """A field's default, as each generated file writes it."""

    python: str  # a Python literal of the value: 0, True, "draft", Decimal("1.50")
    json: str  # a Python literal of the value as JSON carries it: 0, True, "draft", "1.50"
    server: str  # the column's server_default in a model: "0", "draft", true()
    migration: str  # the same in a migration: "0", "draft", sa.true()


def _number(kind: type[int] | type[float] | type[Decimal]) -> Callable[[str, str], Default]:
    def parse(token: str, raw: str) -> Default:
        try:
            value = kind(raw)
        except (ValueError, ArithmeticError):
            raise InvalidName(
                f"field {token!r}: default {raw!r} is not a{'n' if kind is int else ''} {kind.__name__}"
            ) from None
        if kind is Decimal:
            text = str(value)
            return Default(f'Decimal("{text}")', f'"{text}"', f'"{text}"', f'"{text}"')
        if kind is float and not math.isfinite(value):
            raise InvalidName(f"field {token!r}: default {raw!r} is not a finite number")
        return Default(repr(value), repr(value), f'"{value}"', f'"{value}"')

    return parse


def _bool(token: str, raw: str) -> Default:
    if raw not in ("true", "false"):
        raise InvalidName(f"field {token!r}: default {raw!r} is not a bool; use true or false")
    return Default(raw.title(), raw.title(), f"{raw}()", f"sa.{raw}()")


def _text(token: str, raw: str) -> Default:
    if not raw.isprintable() or '"' in raw or "\\" in raw:
        raise InvalidName(f"field {token!r}: a text default is printable and without quotes or backslashes")
    return Default(f'"{raw}"', f'"{raw}"', f'"{raw}"', f'"{raw}"')


# The types a field may give a default (`name:type=value`), and how each reads the value.
DEFAULTS: dict[str, Callable[[str, str], Default]] = {
    "str": _text,
    "text": _text,
    "int": _number(int),
    "bigint": _number(int),
    "smallint": _number(int),
    "float": _number(float),
    "decimal": _number(Decimal),
    "bool": _bool,
}

MODIFIERS = frozenset(
    {"unique", "index", "optional", "cascade", "setnull", "noaction", "ci", "readonly", "dbdefault", "noindex",
     "naive", "fixed", "jsonb", "single", "native", "key", "auto"}
)  # fmt: skip
# The modifiers that change a type, and the type each is for.
TYPE_FLAGS = {"naive": "datetime", "fixed": "str", "jsonb": "json", "single": "float", "native": "enum"}
# name=value modifiers besides the bounds: a decimal's digits, an index's or constraint's or enum type's name.
NAMED = ("precision", "scale", "index", "unique", "native")
_DB_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]{0,62}$")
# The types a primary key may have (`code:str:maxlen=3:key`), by their Python type; `key:auto` only on integers.
KEY_PYTHON = ("int", "str", "UUID")
# What a field after the first of a key of several fields may also be (`payment_id:int:key:auto
# payment_date:datetime:key`, as a partitioned table's key): never a sort key, so never in a cursor's value.
LATER_KEY_PYTHON = ("date", "datetime")
KEY_EXCLUDED = frozenset({"text", "url", "enum", "json", "email"})
CASE_INSENSITIVE = ("str", "email")  # the types whose unique values may ignore case (:ci)
# What deleting a referenced record does to the records that refer to it: refused (409) unless asked otherwise.
ON_DELETE = {"cascade": "CASCADE", "setnull": "SET NULL", "noaction": "NO ACTION"}
# Modifiers that name something in the database: a column (`column=LastUpdate`), and a many-to-many relation's
# existing link table and its two columns (`through=film_actor:left=film_id:right=actor_id`).
DB_NAMES = ("column", "through", "left", "right")
# The value the migration gives a required column that the database fills (:dbdefault, :readonly) on a database it
# builds itself (a fresh test database), by type; the existing database keeps its own default or expression.
FILLED = {
    "int": '"0"',
    "bigint": '"0"',
    "smallint": '"0"',
    "float": '"0"',
    "decimal": '"0"',
    "str": '""',
    "bool": "sa.false()",
    "datetime": "NOW",
    "date": '"2000-01-01"',
    "time": '"00:00:00"',
    "uuid": "NEW_UUID",  # a new one per row: such a column is often unique
}
# Columns every model has, and names SQLAlchemy, pydantic or the generated code use themselves.
RESERVED = frozenset(
    {"id", "created_at", "updated_at", "metadata", "registry", "query", "model_config", "model_fields",
     "session", "self", "cls", "type", "items", "total", "limit", "offset", "q", "sort_by", "order", "after",
     "count", "next", "total_capped", "filters", "cursor"}
)  # fmt: skip
TIMESTAMPS = frozenset({"created_at", "updated_at"})  # what TimestampMixin adds, unless --no-timestamps
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_MODEL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
RESERVED_MODELS = frozenset(
    {"Base", "Page", "Stats", "Health", "Message", "Model", "Repository", "Id", "List", "Search", "Cursor", "Found"}
)


@dataclass(frozen=True)
class Field:
    name: str
    type: FieldType | None  # None for a relation
    target: ModelNames | None = None  # the referenced model, for a relation
    optional: bool = False
    unique: bool = False
    index: bool = False
    spec: str = ""  # the token as the user wrote it, recorded in the answers file
    on_delete: str = "RESTRICT"  # a relation's ON DELETE: RESTRICT, CASCADE (:cascade) or SET NULL (:setnull)
    default: Default | None = None  # `stock:int=0`: for new rows, and (server default) for rows already there
    choices: tuple[str, ...] = ()  # `status:enum(draft,live)`: its values
    many: bool = False  # `tags:Tag[]`: a many-to-many relation, through an association table (SQL) or an array
    ci: bool = False  # `name:str:ci:unique`: unique whatever the case (Ann and ann are the same value)
    column_name: str = ""  # `column=LastUpdate`: the database column's name, when it is not the attribute's
    readonly: bool = False  # the database fills it (a generated column, a trigger): in Read, never in a body
    dbdefault: bool = False  # the database supplies a value when a body leaves it out
    through: str = ""  # `through=film_actor`: a many-to-many relation's existing link table
    left: str = ""  # that table's column referring to this model (`left=`), and to the target (`right=`)
    right: str = ""
    reverse: str = ""  # the one-to-many's name on the target, when it is not the model's plural (set by parse_model)
    index_name: str = ""  # `index=NAME`: its index's name in the database (else dbgen's ix_<table>_<column>)
    unique_name: str = ""  # `unique=NAME`: a UNIQUE constraint of this name (which serves as its index)
    noindex: bool = False  # no index: neither a sort key nor a filter
    native: str | None = None  # an enum in a database type: "" a MySQL ENUM (:native), else a PostgreSQL type's name
    key: bool = False  # `code:str:maxlen=3:key`: (part of) the primary key, in place of `id`
    trailing: bool = False  # a part of a key of several fields after the first: the key's index does not start with it
    auto: bool = False  # `film_id:int:key:auto`: the database numbers it; never in a body
    target_key: Field | None = None  # a relation to a model with a key of its own: that key (None: its `id`)
    itself: bool = False  # `parent:Category?` on Category: a relation of the model to itself (set by parse_model)

    @property
    def is_relation(self) -> bool:
        return self.target is not None

    @property
    def single(self) -> bool:
        """A many-to-one relation: a foreign key column of the model's own table."""
        return self.is_relation and not self.many

    @property
    def link(self) -> str:
        """A many-to-many relation's id of one linked record: `tag_id` for `tags`, the association table's column
        and the list filter."""
        return f"{singularize(self.name)}_id"

    @property
    def column(self) -> str:
        """The attribute that holds the value: `category_id` for a relation `category`, `tag_ids` for `tags:Tag[]`."""
        if self.many:
            return f"{self.link}s"
        return f"{self.name}_id" if self.is_relation else self.name

    @property
    def db_name(self) -> str:
        """The column's name in the database: `column=` if given, else the attribute's."""
        return self.column_name or self.column

    @property
    def fetched(self) -> bool:
        """The database may fill it: the model fetches it back after a write."""
        return self.readonly or self.dbdefault

    @property
    def writable(self) -> bool:
        """A field a request body may set."""
        return not self.readonly

    def filled(self, backend: Backend) -> str:
        """The server default a migration gives a required column the database fills, on a database it builds."""
        if self.optional or not self.fetched or self.type is None:
            return ""
        return FILLED[self.type.name].replace("NEW_UUID", backend.new_uuid).replace("NOW", backend.now)

    def migration_default(self, backend: Backend) -> list[str]:
        """The server_default argument of its column in a migration, if it has one."""
        value = self.default.migration if self.default else self.filled(backend)
        return [f"server_default={value}"] if value else []

    def association(self, module: str) -> str:
        """A many-to-many relation's link table: its existing one (`through=`), or `<model>_<field>`."""
        return self.through or f"{module}_{self.name}"

    def own_link(self, module: str) -> str:
        """The link table's column that refers to this model: `left=`, or `<model>_id`."""
        return self.left or f"{module}_id"

    @property
    def other_link(self) -> str:
        """The link table's column that refers to the target: `right=`, or `<target>_id`."""
        return self.right or self.link

    @property
    def searchable(self) -> bool:
        """`q` looks in it (through a trigram index on PostgreSQL): not in a field the database fills, nor in one
        without an index (noindex), nor in one whose indexes keep the database's names (index=, unique=), to which
        dbgen adds no index of its own; nor a key, found by its route."""
        named = self.noindex or self.index_name or self.unique_name
        return self.type is not None and self.type.searchable and not named and not self.readonly and not self.key

    @property
    def sortable(self) -> bool:
        """A list may sort by it: not a field without an index, nor one the database fills (its tests could not
        order it)."""
        sortable = self.type is not None and self.type.sortable
        return sortable and not self.noindex and not self.readonly and not self.trailing

    def sql_type(self, collation: str, *, migration: bool = False, indent: int = 0) -> str:
        """The column's type in a model (or a migration). A :ci column takes the backend's case-insensitive
        collation where it has one: String(255, collation="utf8mb4_unicode_ci"). Given the `indent` of its line,
        a type too long for it is laid out over several, as ruff format would (a long enum)."""
        assert self.type is not None
        kind = self.type.migration if migration else self.type.column
        kind = f'{kind[:-1]}, collation="{collation}")' if self.ci and collation else kind
        if not indent or indent + len(kind) + 1 <= LINE_LENGTH or "(" not in kind:
            return kind
        head, _, rest = kind.partition("(")
        return call(indent, head, _top_level(rest[:-1]))[indent:]

    def lowered(self, collation: str) -> bool:
        """Unique on lower(column), not on the column: a :ci field on a backend without a case-insensitive
        collation."""
        return self.ci and not collation

    @property
    def identifiers(self) -> set[str]:
        """Every name the field takes in a model, its schemas and its list filter."""
        return {self.name, self.column} | ({self.link} if self.many else set())

    @property
    def seed(self) -> str:
        """An expression of `n` (the row's number) and `seeding` (app.seed.Seeding) giving the field's value in the
        n-th seeded row: a valid value, distinct per row where the field is unique, an existing record's id for a
        relation, and None in every fifth row of an optional field."""
        if self.itself:
            return "None"  # the rows of its own table are being seeded: none to refer to yet
        if self.target is not None:
            method = "parents" if self.many else "parent"
            value = f'seeding.{method}("{self.target.table}", n)'
        else:
            assert self.type is not None
            value = self.type.seed or self.type.numbered
        return f"None if n % 5 == 0 else {value}" if self.optional and not self.many else value

    @property
    def seed_imports(self) -> tuple[str, ...]:
        return () if self.type is None else self.type.seed_imports

    @property
    def filterable(self) -> bool:
        return (self.is_relation and not self.noindex) or (
            self.type is not None and self.type.name in ("bool", "enum") and not self.noindex and not self.readonly
        )

    @property
    def indexed(self) -> bool:
        """Relations, `:index`, every sort key and filter: a list sorted by it reads the index, not the whole table.
        (A many-to-many relation's SQL index is on its association table; MongoDB's is multikey, on the array.)
        A field with a UNIQUE constraint of its own name (unique=NAME) is indexed by it, not by another index;
        a key by the primary key's, but for a relation after the first part of a key of several fields (a filter)."""
        if (self.key and not (self.trailing and self.is_relation)) or (self.unique_name and not self.index):
            return False
        return self.index or self.sortable or self.filterable

    @property
    def own_index(self) -> bool:
        """It has an index of its own (an SQL one besides a unique=NAME constraint): unique where it is :unique."""
        return self.indexed or (self.unique and not self.unique_name)

    @property
    def index_unique(self) -> bool:
        """Its own index is a unique one (the uniqueness is not a named constraint's)."""
        return self.unique and not self.unique_name

    @property
    def key_constraint(self) -> str:
        """A key's pydantic Field() arguments: what its column holds; numbered by the database, from 1."""
        assert self.type is not None
        if self.auto:
            high = re.search(r"le=([^,]+)", self.type.constraint)
            return "ge=1" + (f", le={high.group(1)}" if high else "")
        return self.type.constraint

    @property
    def path(self) -> str:
        """A key's annotation as a path parameter: what its column holds, so that nothing else reaches the
        database (a 422, never a 500); text that no backend stores (NUL) is refused like any body's."""
        assert self.type is not None
        if self.type.python == "UUID":
            return "UUID"
        checked = ", AfterValidator(storable)" if self.type.python == "str" else ""
        return f"Annotated[{self.key_python}, Path({self.key_constraint}){checked}]"

    @property
    def key_typed(self) -> Field | None:
        """The field whose column type a part of a key takes: itself, or a relation's target key (None: its id)."""
        return self.target_key if self.is_relation else self

    @property
    def key_python(self) -> str:
        """A key's Python type as pydantic takes it: a datetime with a time zone, or without one, as its column."""
        assert self.type is not None
        if self.type.python == "datetime":
            return self.type.schema or "AwareDatetime"
        return self.type.python

    @property
    def key_imports(self) -> tuple[str, ...]:
        """What a key's annotation (`path`, `key_annotation`) imports beside Annotated, Path and Field."""
        assert self.type is not None
        if self.type.python == "datetime":
            return (f"from pydantic import {self.key_python}",)
        return self.type.imports if self.type.python in ("UUID", "date") else ()

    @property
    def key_high(self) -> str:
        """An integer key's largest value (Python source): the upper bound its column holds."""
        assert self.type is not None
        high = re.search(r"le=([^,]+)", self.type.constraint)
        return high.group(1) if high else "2**63 - 1"

    @property
    def key_beyond(self) -> str:
        """The integer just past an integer key's largest value (Python source): `2**31` for an INTEGER."""
        high = self.key_high
        return high.removesuffix(" - 1") if high.endswith(" - 1") else f"{high} + 1"

    @property
    def key_annotation(self) -> str:
        """A key's type as pydantic checks it: what its column holds, text that every backend stores."""
        assert self.type is not None
        checked = ", AfterValidator(storable)" if self.type.python == "str" else ""
        return f"Annotated[{self.key_python}, Field({self.key_constraint}){checked}]"

    @property
    def ref_python(self) -> str:
        """A relation's value in Python: the referenced model's key (an int id unless it has a key)."""
        return "int" if self.target_key is None else self.target_key.ref_own

    @property
    def ref_own(self) -> str:
        assert self.type is not None
        return self.type.python

    @property
    def references(self) -> str:
        """The column a relation's foreign key points at: `categories.id`, `currencies.code`."""
        assert self.target is not None
        return f"{self.target.table}.{self.target_key.db_name if self.target_key else 'id'}"

    def ref_sql_type(self, *, migration: bool = False) -> str:
        """The type of a relation's foreign key column: the referenced key's."""
        if self.target_key is None:
            return "sa.Integer()" if migration else "Integer"
        return self.target_key.key_sql_type(migration=migration)

    def key_sql_type(self, *, migration: bool = False) -> str:
        assert self.type is not None
        return self.type.migration if migration else self.type.column


@dataclass(frozen=True)
class ModelIndex:
    """add-model --index NAME:a,b or --unique NAME:a,b: an index or a UNIQUE constraint over several columns, by
    its database name."""

    name: str
    columns: tuple[str, ...]
    unique: bool = False

    @property
    def quoted(self) -> list[str]:
        return [f'"{column}"' for column in self.columns]


@dataclass(frozen=True)
class ModelSpec:
    names: ModelNames
    fields: tuple[Field, ...] = field(default_factory=tuple)
    owned: bool = False  # add-model --owned: an owner (owner:User) set from the token; users see their own
    timestamps: bool = True  # created_at and updated_at (add-model --no-timestamps leaves them out)
    indexes: tuple[ModelIndex, ...] = ()  # --index and --unique

    @property
    def fetched(self) -> bool:
        """Whether a write reads values back from the database (its own, or its timestamps)."""
        return any(f.fetched for f in self.fields)

    @property
    def specs(self) -> list[str]:
        return [f.spec for f in self.fields]

    @property
    def keys(self) -> list[Field]:
        """The fields of its primary key; none: the model has an `id`."""
        return [f for f in self.fields if f.key]

    @property
    def relations(self) -> list[Field]:
        return [f for f in self.fields if f.is_relation]

    @property
    def parents(self) -> list[Field]:
        """The many-to-one relations: each a foreign key here, and a one-to-many on the other side."""
        return [f for f in self.fields if f.single]


def _top_level(text: str) -> list[str]:
    """A call's arguments: `text` split at the commas outside brackets and quotes."""
    parts, depth, quoted, start = [], 0, False, 0
    for i, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "([{":
            depth += 1
        elif not quoted and char in ")]}":
            depth -= 1
        elif not quoted and depth == 0 and char == ",":
            parts.append(text[start:i].strip())
            start = i + 1
    return [*parts, text[start:].strip()]


def parse_model_name(raw: str) -> ModelNames:
    if not _MODEL_RE.match(raw) or raw.endswith("_"):
        raise InvalidName(f"model name {raw!r} is not valid: use letters, digits and '_', starting with a letter")
    names = ModelNames.of(raw)
    if keyword.iskeyword(names.module) or names.cls in RESERVED_MODELS or names.module in {"health", "stats"}:
        raise InvalidName(f"model name {raw!r} is reserved; choose another name")
    return names


def parse_field(
    token: str,
    known_models: dict[str, ModelNames],
    target_keys: Mapping[str, tuple[Field, ...]] | None = None,
    *,
    timestamps: bool = True,
) -> Field:
    """`price:decimal`, `sku:str:unique`, `notes:text?`, `category:Category[:cascade]` -> Field; with the names
    an existing database gives (`column=`, `through=`, `left=`, `right=`) and what it fills (:readonly,
    :dbdefault)."""
    parts = token.removesuffix("?").split(":")
    named: dict[str, str] = {}
    kept: list[str] = []
    for part in parts:
        key, is_named, value = part.partition("=")
        if is_named and key in DB_NAMES and len(kept) >= 2:
            if key in named:
                raise InvalidName(f"field {token!r}: {key}= is given twice")
            named[key] = value
        else:
            kept.append(part)
    # An existing link table (through=) may lack the index dbgen gives its second column: :noindex says so.
    unindexed_links = "through" in named and len(kept) > 1 and kept[1].endswith("[]") and "noindex" in kept[2:]
    if unindexed_links:
        kept.remove("noindex")
    plain = ":".join(kept) + ("?" if token.endswith("?") else "")
    try:
        parsed = _parse_field(plain, known_models, target_keys, timestamps=timestamps)
    except InvalidName as error:
        raise InvalidName(str(error).replace(repr(plain), repr(token), 1)) from None
    for key, value in named.items():
        if not _DB_NAME_RE.match(value) or len(value) > 63:
            raise InvalidName(
                f"field {token!r}: {key}={value!r} is not a database name (letters, digits and _, at most 63)"
            )
    if parsed.many:
        if "column" in named:
            raise InvalidName(
                f"field {token!r}: a many-to-many relation has no column of its own; name its link table's "
                "columns with through=TABLE:left=COLUMN:right=COLUMN"
            )
        if named.keys() & {"left", "right"} and "through" not in named:
            raise InvalidName(f"field {token!r}: left= and right= name the columns of a link table given by through=")
    elif named.keys() & {"through", "left", "right"}:
        raise InvalidName(f"field {token!r}: through=, left= and right= are for many-to-many relations (name:Model[])")
    modifiers = kept[2:]
    readonly, dbdefault = "readonly" in modifiers, "dbdefault" in modifiers
    if readonly or dbdefault:
        which = ":readonly" if readonly else ":dbdefault"
        if parsed.is_relation:
            raise InvalidName(f"field {token!r}: :readonly and :dbdefault are for values, not relations")
        if readonly and dbdefault:
            raise InvalidName(f"field {token!r}: choose one of :readonly and :dbdefault")
        if parsed.default:
            raise InvalidName(f"field {token!r}: {which} leaves the value to the database; give no default (=...)")
        if readonly and (parsed.unique or parsed.ci):
            raise InvalidName(f"field {token!r}: a :readonly field cannot be unique (its values are the database's)")
        assert parsed.type is not None
        if not parsed.optional and parsed.type.name not in FILLED:
            raise InvalidName(
                f"field {token!r}: a required {which} field is one of {', '.join(FILLED)}; make it optional "
                f"({parsed.name}:{kept[1]}?:{which[1:]})"
            )
    if unindexed_links:
        parsed = replace(parsed, index=False, noindex=True)
    return replace(
        parsed,
        spec=token,
        column_name=named.get("column", ""),
        readonly=readonly,
        dbdefault=dbdefault,
        through=named.get("through", ""),
        left=named.get("left", ""),
        right=named.get("right", ""),
    )


def _parse_field(
    token: str,
    known_models: dict[str, ModelNames],
    target_keys: Mapping[str, tuple[Field, ...]] | None = None,
    *,
    timestamps: bool = True,
) -> Field:
    """The field, from its token without the database's names."""
    parts = token.removesuffix("?").split(":")  # a trailing ? (`sku:str:unique?`) makes any field optional
    if len(parts) < 2 or not all(parts):
        raise InvalidName(f"field {token!r} must look like name:type[:modifier...], e.g. price:decimal")
    name, kind, *modifiers = parts
    if not _NAME_RE.match(name):
        raise InvalidName(f"field {token!r}: name {name!r} must be lower_snake_case")
    reserved = RESERVED if timestamps else RESERVED - TIMESTAMPS  # a model without them may have its own
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in reserved:
        raise InvalidName(f"field {token!r}: {name!r} is a reserved name")
    if "[]" in kind:
        return _many(token, name, kind, modifiers, known_models, target_keys or {})
    kind, _, default = kind.partition("=")
    optional = token.endswith("?") or kind.endswith("?")
    kind = kind.removesuffix("?")
    pairs = [m.partition("=") for m in modifiers if "=" in m]
    keyed = {key: value for key, _, value in pairs}
    modifiers = [m for m in modifiers if "=" not in m]
    for key in keyed:
        if key not in BOUNDS and key not in NAMED:
            known = ", ".join(f"{b}=" for b in (*BOUNDS, *NAMED))
            raise InvalidName(f"field {token!r}: unknown modifier {key + '='!r}; use {known}")
    if len(keyed) < len(pairs):
        raise InvalidName(f"field {token!r}: a bound is given twice")
    bounds = {key: value for key, value in keyed.items() if key in BOUNDS}
    named = {key: value for key, value in keyed.items() if key in NAMED}
    for modifier in modifiers:
        if modifier not in MODIFIERS:
            choices = ", ".join(sorted(MODIFIERS))
            raise InvalidName(f"field {token!r}: unknown modifier {modifier!r}; use {choices} (or a trailing ?)")
    for key in ("index", "unique", "native"):
        if key in named and not _DB_NAME_RE.match(named[key]):
            raise InvalidName(
                f"field {token!r}: {key}={named[key]!r} is not a database name (letters, digits, _ and $, at most 63)"
            )
    optional = optional or "optional" in modifiers
    unique, index = "unique" in modifiers or "unique" in named, "index" in modifiers or "index" in named
    ci, noindex = "ci" in modifiers, "noindex" in modifiers
    typed = kind in TYPES or kind[:1].isupper() or _ENUM_RE.match(kind) is not None
    for flag, owner in TYPE_FLAGS.items():
        if flag in modifiers and typed and kind != owner and not (owner == "enum" and _ENUM_RE.match(kind)):
            raise InvalidName(f"field {token!r}: :{flag} is for {owner} fields")
    if ("precision" in named or "scale" in named) and typed and kind != "decimal":
        raise InvalidName(f"field {token!r}: precision= and scale= are for decimal fields")
    if "native" in named and typed and not _ENUM_RE.match(kind):
        raise InvalidName(f"field {token!r}: native= is for enum fields")
    if noindex and (index or unique):
        raise InvalidName(f"field {token!r}: :noindex leaves the field without an index; drop :index and :unique")
    if ci and (named.get("unique") or named.get("index")):
        raise InvalidName(f"field {token!r}: a :ci field's unique index is dbgen's own; drop unique= and index=")
    if ci and typed and kind not in CASE_INSENSITIVE:
        raise InvalidName(f"field {token!r}: :ci is for str and email fields")
    if ci and not unique:
        raise InvalidName(
            f"field {token!r}: :ci makes a unique value ignore case; add :unique ({name}:{kind}:ci:unique)"
        )
    deletes = [ON_DELETE[m] for m in modifiers if m in ON_DELETE]
    if deletes and not kind[:1].isupper():
        raise InvalidName(f"field {token!r}: :cascade, :setnull and :noaction are for relations (name:Model)")
    if len(deletes) > 1:
        raise InvalidName(f"field {token!r}: choose one of :cascade, :setnull and :noaction")
    if deletes == ["SET NULL"] and not optional:
        raise InvalidName(f"field {token!r}: :setnull needs an optional relation ({name}:{kind}?:setnull)")
    index_name, unique_name = named.get("index", ""), named.get("unique", "")
    is_key, auto = "key" in modifiers, "auto" in modifiers
    if is_key or auto:
        refused = unique or ci or (index and not kind[:1].isupper())  # a relation in a key keeps its index=NAME
        _check_key(token, name, kind, key=is_key, optional=optional, default=default, unique=refused, auto=auto)
    if _ENUM_RE.match(kind):
        values = _choices(token, kind)
        if unique:
            raise InvalidName(f"field {token!r}: an enum has few values and cannot be unique")
        if bounds:
            raise InvalidName(f"field {token!r}: bounds (min=, max=, minlen=, maxlen=) are for numbers and text")
        if default and default not in values:
            raise InvalidName(f"field {token!r}: default {default!r} is not one of {', '.join(values)}")
        if "native" in named and "native" in modifiers:
            raise InvalidName(f"field {token!r}: write :native (MySQL) or :native=TYPENAME (PostgreSQL), not both")
        native = named.get("native", "" if "native" in modifiers else None)
        value = Default(f'"{default}"', f'"{default}"', f'"{default}"', f'"{default}"') if default else None
        return Field(
            name, TYPES["enum"], optional=optional, index=index, spec=token, default=value, choices=values,
            native=native, index_name=index_name, unique_name=unique_name, noindex=noindex,
        )  # fmt: skip
    if default and kind not in DEFAULTS:
        raise InvalidName(f"field {token!r}: a default is for {', '.join(DEFAULTS)} fields")
    if kind == "enum":
        raise InvalidName(f"field {token!r}: an enum needs values, e.g. status:enum(draft,published)")
    if bounds and kind not in TYPES:
        raise InvalidName(f"field {token!r}: bounds (min=, max=, minlen=, maxlen=) are for numbers and text")
    if kind in TYPES:
        value = DEFAULTS[kind](token, default) if default else None
        base = _modified(token, kind, modifiers, named, bounds)
        ftype = _bounded(token, kind, bounds, default, base) if bounds else base
        if value is not None and kind == "decimal" and "min" not in bounds and "max" not in bounds:
            _bound(token, kind, "default", default, ftype)  # within its precision and scale
        if unique and kind == "bool":
            raise InvalidName(f"field {token!r}: a bool has two values and cannot be unique")
        if (unique or index) and not ftype.indexable:
            raise InvalidName(f"field {token!r}: a {kind} column cannot be unique or indexed; use str")
        return Field(
            name, ftype, optional=optional, unique=unique, index=index, spec=token, default=value, ci=ci,
            index_name=index_name, unique_name=unique_name, noindex=noindex, key=is_key, auto=auto,
        )  # fmt: skip
    if kind[:1].isupper():
        target = known_models.get(pascal(kind))
        if target is None:
            known = ", ".join(known_models)
            raise InvalidName(f"field {token!r}: no model {kind!r} in this project (models: {known})")
        if unique:
            raise InvalidName(f"field {token!r}: a relation cannot be unique")
        if unique_name:
            raise InvalidName(f"field {token!r}: a relation cannot be unique; it takes no unique=")
        on_delete = deletes[0] if deletes else "RESTRICT"
        return Field(
            name,
            None,
            target=target,
            optional=optional,
            index=not noindex,  # :noindex: a foreign key the database has no index for, and so no list filter
            noindex=noindex,
            index_name=index_name,  # index=NAME: the database's own index of it (MySQL's of a foreign key)
            spec=token,
            on_delete=on_delete,
            target_key=_target_key(token, target, target_keys or {}),
            key=is_key,
        )
    choices = ", ".join(name for name in TYPES if name != "enum")
    raise InvalidName(f"field {token!r}: unknown type {kind!r}; use one of {choices}, enum(a,b,...), or a model name")


def _modified(token: str, kind: str, modifiers: list[str], named: dict[str, str], bounds: dict[str, str]) -> FieldType:
    """The type as its modifiers change it: :naive, :fixed, :jsonb, :single, precision= and scale=."""
    base = TYPES[kind]
    if "naive" in modifiers:
        # Naive values: no time zone is stored, none is accepted. Not a sort key (a cursor's datetime is in UTC).
        return replace(
            base, column="DateTime", migration="sa.DateTime()", column_import="", schema="NaiveDatetime",
            schema_imports=("from pydantic import NaiveDatetime",), sortable=False,
            samples=('"2024-01-02T03:04:05"', '"2024-02-03T04:05:06"', '"2024-03-04T05:06:07"'),
            # Within 2000-2037 for every n (MySQL's TIMESTAMP ends in 2038), distinct for 2280 rows in a row.
            numbered='f"{2000 + n % 38}-01-02T03:{n // 38 % 60:02d}:05"',
            seed="datetime(2000, 1, 1) + timedelta(seconds=n)",
            seed_imports=("from datetime import datetime, timedelta",),
        )  # fmt: skip
    if "jsonb" in modifiers:
        return replace(
            base, column="JSONB", migration="postgresql.JSONB(astext_type=sa.Text())",
            column_import="from sqlalchemy.dialects.postgresql import JSONB",
            migration_import="from sqlalchemy.dialects import postgresql",
        )  # fmt: skip
    if "single" in modifiers:
        # 4 bytes: REAL on PostgreSQL (and the name SQLite's tables give it), FLOAT on MySQL
        return replace(base, column="REAL", migration="sa.REAL()", variants=(("mysql", "Float", "sa.Float()"),))
    if "fixed" in modifiers:
        if "maxlen" not in bounds:
            raise InvalidName(f"field {token!r}: :fixed needs its length, as in code:str:fixed:maxlen=3")
        return replace(base, fixed=True, searchable=False)
    if "precision" in named or "scale" in named:
        precision = _digits(token, "precision", named.get("precision", "12"), 1, 65)
        scale = _digits(token, "scale", named.get("scale", "2"), 0, 30)
        if scale > precision:
            raise InvalidName(f"field {token!r}: scale= is above precision=")
        return _decimal(base, precision, scale)
    return base


def _digits(token: str, key: str, raw: str, least: int, most: int) -> int:
    if not raw.isdigit() or not least <= int(raw) <= most:
        raise InvalidName(f"field {token!r}: {key}= takes a whole number from {least} to {most}")
    return int(raw)


def _decimal(base: FieldType, precision: int, scale: int) -> FieldType:
    """NUMERIC(precision, scale): its schema's digits, and samples and test values inside them."""
    whole = precision - scale  # digits before the point
    fraction = "." + "5".ljust(scale, "0") if scale else ""
    samples = tuple(f'"{k if whole else 0}{fraction}"' for k in (1, 2, 3))
    step = "n" if whole > 2 else f"n % {10**whole}"
    return replace(
        base,
        column=f"Numeric({precision}, {scale})",
        migration=f"sa.Numeric(precision={precision}, scale={scale})",
        constraint=f"max_digits={precision}, decimal_places={scale}, strict=False",
        samples=samples,  # type: ignore[arg-type]
        numbered=f'f"{{{step}}}{fraction}"' if whole else f'f"0.{{n % {10**scale}:0{scale}d}}"',
        seed=f'Decimal(f"{{{step if whole > 9 else f"n % {10**whole}"}}}{fraction}")'
        if whole
        else f'Decimal(f"0.{{n % {10**scale}:0{scale}d}}")',
        digits=(precision, scale),
    )


def _check_key(
    token: str, name: str, kind: str, *, key: bool, optional: bool, default: str, unique: bool, auto: bool
) -> None:
    """`code:str:maxlen=3:key`, `film_id:int:key:auto`: a primary key, given by the client or numbered by the
    database; one line that says what is wrong otherwise."""
    if not key:
        raise InvalidName(f"field {token!r}: :auto numbers a key; write {name}:{kind}:key:auto")
    if kind[:1].isupper():
        if optional or auto or unique:
            raise InvalidName(f"field {token!r}: a relation in a key is required and not unique")
        return  # one part of a key of several fields (parse_model checks that there are several)
    base = TYPES.get(kind)
    if base is None or base.python not in KEY_PYTHON + LATER_KEY_PYTHON or kind in KEY_EXCLUDED:
        allowed = ", ".join(t.name for t in TYPES.values() if t.python in KEY_PYTHON and t.name not in KEY_EXCLUDED)
        raise InvalidName(
            f"field {token!r}: a key is one of {allowed} (date and datetime after the first field of a key of several)"
        )
    if optional:
        raise InvalidName(f"field {token!r}: a key cannot be optional")
    if default:
        raise InvalidName(f"field {token!r}: a key takes no default")
    if unique:
        raise InvalidName(f"field {token!r}: a key is unique and indexed already; drop :unique, :index and :ci")
    if auto and base.python != "int":
        raise InvalidName(f"field {token!r}: :auto is for integer keys the database numbers ({name}:int:key:auto)")


def _target_key(token: str, target: ModelNames, target_keys: Mapping[str, tuple[Field, ...]]) -> Field | None:
    """The key a relation to `target` refers to: None for its `id`; refused for a key of several fields."""
    keys = target_keys.get(target.cls, ())
    if len(keys) > 1:
        raise InvalidName(
            f"field {token!r}: {target.cls} has a key of several fields ({', '.join(k.name for k in keys)}); "
            "a relation refers to a model with a single key"
        )
    return keys[0] if keys else None


def _many(
    token: str,
    name: str,
    kind: str,
    modifiers: list[str],
    known_models: dict[str, ModelNames],
    target_keys: Mapping[str, tuple[Field, ...]],
) -> Field:
    """`tags:Tag[]`: a many-to-many relation. It is a set of links, never null (no links is an empty set), and
    takes no modifiers: both sides are indexed, and a link goes when either of its records does. (An existing link
    table, through=, may say :noindex: see parse_field.)"""
    model = kind.split("[]")[0].removesuffix("?")
    if not model[:1].isupper() or not _MODEL_RE.match(model):
        raise InvalidName(f"field {token!r}: [] follows a model name, as in tags:Tag[] (lists of values are not types)")
    if token.endswith("?") or "?" in kind:
        raise InvalidName(f"field {token!r}: a many-to-many relation cannot be optional; no links is an empty list")
    if "=" in kind:
        raise InvalidName(f"field {token!r}: a many-to-many relation takes no default; it starts with no links")
    if kind != f"{model}[]":
        raise InvalidName(f"field {token!r}: write a many-to-many relation as {name}:{model}[]")
    if modifiers:
        raise InvalidName(
            f"field {token!r}: :{modifiers[0]} does not apply to a many-to-many relation; it takes no modifiers "
            "(its links are indexed, and removed with either side)"
        )
    target = known_models.get(pascal(model))
    if target is None:
        raise InvalidName(f"field {token!r}: no model {model!r} in this project (models: {', '.join(known_models)})")
    if name.endswith(("_id", "_ids")):
        raise InvalidName(f"field {token!r}: name the relation after what it links, e.g. tags:Tag[] (for tag_ids)")
    return Field(
        name,
        None,
        target=target,
        index=True,
        spec=token,
        on_delete="CASCADE",
        many=True,
        target_key=_target_key(token, target, target_keys),
    )


BOUNDS = ("min", "max", "minlen", "maxlen")
NUMBERS: dict[str, type[int] | type[float] | type[Decimal]] = {
    "int": int, "bigint": int, "smallint": int, "float": float, "decimal": Decimal
}  # fmt: skip
INT_RANGE = (-(2**31), 2**31 - 1)  # what an INTEGER column holds on every backend
# What each integer column holds on every backend, and how a schema writes those bounds.
INT_RANGES = {"int": INT_RANGE, "bigint": (-(2**63), 2**63 - 1), "smallint": (-(2**15), 2**15 - 1)}
_INT_LIMITS = {
    "int": ("-(2**31)", "2**31 - 1"), "bigint": ("-(2**63)", "2**63 - 1"), "smallint": ("-(2**15)", "2**15 - 1")
}  # fmt: skip
STR_LIMIT = 10_485_760  # the longest VARCHAR of PostgreSQL; each backend narrows it (backends.Backend.varchar)


def _last_digits(length: int, width: int) -> str:
    """An expression of `n` for a text of at most `length` characters: n's last `length` digits, zero-padded to
    `width` (distinct for 10**length consecutive rows)."""
    return f'f"{{n % {10**length}:0{width}d}}"' if length < 12 else f'f"{{n:0{width}d}}"'


def _bound(token: str, kind: str, key: str, raw: str | None, base: FieldType | None = None) -> Decimal | None:
    if raw is None:
        return None
    integral = kind in INT_RANGES
    try:
        value = Decimal(raw) if not integral else Decimal(int(raw))
    except (ValueError, ArithmeticError):
        raise InvalidName(f"field {token!r}: {key}={raw!r} is not {'an int' if integral else 'a number'}") from None
    precision, scale = (base or TYPES["decimal"]).digits
    if not value.is_finite() or (kind == "decimal" and value.as_tuple().exponent < -scale):  # type: ignore[operator]
        raise InvalidName(f"field {token!r}: {key}={raw!r} is not a finite number with at most {scale} decimals")
    if kind == "decimal" and abs(value) >= 10 ** (precision - scale):
        raise InvalidName(f"field {token!r}: {key}={raw!r} has more than {precision - scale} digits before the point")
    return value


def _bounded(token: str, kind: str, bounds: dict[str, str], default: str, base: FieldType) -> FieldType:
    """A number's range (min=, max=) or a text's length (minlen=, maxlen=), in its schemas, and samples for its
    generated tests that lie inside. A default must lie inside too."""
    if {"min", "max"} & bounds.keys() and kind not in NUMBERS:
        raise InvalidName(
            f"field {token!r}: min= and max= are for int, float and decimal; use minlen= and maxlen= for text"
        )
    if {"minlen", "maxlen"} & bounds.keys() and kind not in ("str", "text"):
        raise InvalidName(f"field {token!r}: minlen= and maxlen= are for str and text")
    if kind in NUMBERS:
        lo = _bound(token, kind, "min", bounds.get("min"), base)
        hi = _bound(token, kind, "max", bounds.get("max"), base)
        if lo is not None and hi is not None and lo > hi:
            raise InvalidName(f"field {token!r}: min= is above max=")
        least, most = INT_RANGES.get(kind, INT_RANGE)
        if kind in INT_RANGES and any(v is not None and not least <= v <= most for v in (lo, hi)):
            article = "an" if kind == "int" else "a"
            raise InvalidName(f"field {token!r}: {article} {kind} lies between {least} and {most}")
        value = _bound(token, kind, "default", default or None, base)
        if value is not None and ((lo is not None and value < lo) or (hi is not None and value > hi)):
            raise InvalidName(f"field {token!r}: default {default!r} lies outside min= and max=")

        def literal(value: Decimal) -> str:
            """The bound as Python source in a schema (and as a test's sample)."""
            if kind == "decimal":
                return f'Decimal("{value}")'
            return str(value) if kind in INT_RANGES else f"{float(value)}"

        parts = [] if kind in INT_RANGES else [base.constraint]
        if kind in INT_RANGES:
            parts.append(f"ge={lo}" if lo is not None else f"ge={_INT_LIMITS[kind][0]}")
            parts.append(f"le={hi}" if hi is not None else f"le={_INT_LIMITS[kind][1]}")
        else:
            parts += [f"ge={literal(lo)}"] if lo is not None else []
            parts += [f"le={literal(hi)}"] if hi is not None else []
        unit, ceiling = Decimal(1), hi
        if kind == "decimal" and base.digits != TYPES["decimal"].digits:
            # samples and test values inside its digits too: NUMERIC(3, 3) holds 0.999 at most
            precision, scale = base.digits
            unit = Decimal(1) if precision > scale else Decimal(10) ** -scale
            largest = Decimal(10) ** (precision - scale) - Decimal(10) ** -scale
            ceiling = largest if hi is None else min(hi, largest)
        start = lo if lo is not None else (min(Decimal(1), ceiling - 2 * unit) if ceiling is not None else Decimal(1))
        values = [start + k * unit if ceiling is None else min(start + k * unit, ceiling) for k in range(3)]
        span = None if ceiling is None else int((ceiling - start) / unit) + 1
        step = "n" if span is None else f"n % {span}"
        if kind == "decimal":
            scale = base.digits[1]
            samples = tuple(f'"{v:.{scale}f}"' for v in values)
            numbered = f'f"{{{start} + {step}:.{scale}f}}"'
            if unit != 1:
                numbered = f"f\"{{Decimal('{start}') + ({step}) * Decimal('{unit}'):.{scale}f}}\""
        else:
            samples = tuple(literal(v) for v in values)
            numbered = f"{literal(start)} + {step}"
        seed = f"Decimal({numbered})" if kind == "decimal" else ""
        return replace(
            base,
            constraint=", ".join(parts),
            samples=samples,  # type: ignore[arg-type]
            numbered=numbered,
            seed=seed,
        )
    limit = STR_LIMIT if kind == "str" else base.max_length
    low = _length(token, "minlen", bounds.get("minlen"), 0, limit)
    high = _length(token, "maxlen", bounds.get("maxlen"), 1, limit)
    low, high = low if low is not None else base.min_length, high if high is not None else base.max_length
    if base.fixed and bounds.get("minlen") is None:
        low = high  # CHAR(N): PostgreSQL pads shorter values with spaces, so every value is N long
    if low > high:
        raise InvalidName(f"field {token!r}: minlen= is above maxlen=")
    if default and not low <= len(default) <= high:
        raise InvalidName(f"field {token!r}: default {default!r} is not between minlen= and maxlen= long")
    constraint = (f"min_length={low}, " if low else "") + f"max_length={high}"
    words = [s.strip('"') for s in base.samples]
    samples = tuple(f'"{(w + "x" * low)[: max(low, len(w))][:high]}"' for w in words)
    width = max(low, 1)
    digits = _last_digits(high, width)  # the test rows' values and the seeded rows' alike, within the length
    column, migration = (
        (f"String({high})", f"sa.String(length={high})") if kind == "str" else (base.column, base.migration)
    )
    if base.fixed:
        column, migration = f"CHAR({high})", f"sa.CHAR(length={high})"
    # Longer text is no sort key: its cursor would outgrow `after` (like text, it may still be :index or :unique)
    sortable = base.sortable and high <= TYPES["str"].max_length
    return replace(
        base,
        column=column,
        migration=migration,
        constraint=constraint,
        samples=samples,  # type: ignore[arg-type]
        numbered=digits,
        seed=digits,
        seed_imports=(),
        min_length=low,
        max_length=high,
        sortable=sortable,
    )


def _length(token: str, key: str, raw: str | None, least: int, limit: int) -> int | None:
    if raw is None:
        return None
    if not raw.isdigit() or not least <= int(raw) <= limit:
        raise InvalidName(f"field {token!r}: {key}= takes a whole number from {least} to {limit}")
    return int(raw)


_ENUM_RE = re.compile(r"^enum\((.*)\)$")


def _choices(token: str, kind: str) -> tuple[str, ...]:
    """`enum(draft,live)`, `enum(G,PG-13,NC-17)`: the values as the database stores them (printable text without
    quotes or backslashes), at least one, none twice, and none two that make the same member name."""
    match = _ENUM_RE.match(kind)
    assert match is not None
    values = tuple(value.strip() for value in match.group(1).split(",")) if match.group(1).strip() else ()
    if not values:
        raise InvalidName(f"field {token!r}: an enum needs values, e.g. status:enum(draft,published)")
    for value in values:
        if not value or not value.isprintable() or any(c in value for c in '"\\()'):
            raise InvalidName(f"field {token!r}: enum value {value!r} must be printable text without quotes, "
                              "backslashes or brackets")  # fmt: skip
        if not re.search(r"\w", value):
            raise InvalidName(f"field {token!r}: enum value {value!r} needs a letter or a digit")
    if len(set(values)) < len(values):
        raise InvalidName(f"field {token!r}: an enum value appears twice")
    if len({member_name(value) for value in values}) < len(values):
        raise InvalidName(f"field {token!r}: two enum values make the same member name; they differ in more than _")
    return values


def member_name(value: str) -> str:
    """An enum value as a Python identifier, its StrEnum member's name: PG-13 is PG_13, 1st is v_1st."""
    name = re.sub(r"\W", "_", value)
    if name[0].isdigit():
        name = f"v_{name}"
    return f"{name}_" if keyword.iskeyword(name) or keyword.issoftkeyword(name) else name


def _enum_type(names: ModelNames, field: Field) -> FieldType:
    """The type of one enum field: a StrEnum named after the model and the field (ProductStatus), stored as
    text with a CHECK constraint on every SQL backend (no native enum type to migrate), or with :native in the
    database's own enum type (a PostgreSQL type of its own name, a MySQL ENUM column: a filter, no sort key)."""
    cls, values = names.cls + pascal(field.name), field.choices
    members = tuple(member_name(value) for value in values)
    quoted = ", ".join(f'"{value}"' for value in values)
    name = field.native or f"{names.module}_{field.name}"
    options = f'name="{name}"' + ("" if field.native is not None else ", native_enum=False, create_constraint=True")
    # SQLAlchemy stores a member's name unless told to store its value
    stored = "" if members == values else ", values_callable=lambda members: [m.value for m in members]"
    return replace(
        TYPES["enum"],
        python=cls,
        column=f"Enum({cls}, {options}{stored})",
        migration=f"sa.Enum({quoted}, {options})",
        app_imports=(f"from app.models.{names.module} import {cls}",),
        choices=values,
        members=members,
        native=field.native is not None,
        enum_name=name,
        # MySQL sorts an ENUM by its place in the type, but compares it with text as text: no cursor pages it
        sortable=field.native != "",
        samples=tuple(f'"{values[i % len(values)]}"' for i in range(3)),  # type: ignore[arg-type]
        numbered=f"[{quoted}][n % {len(values)}]",
    )


def parse_model(
    raw_name: str,
    tokens: list[str],
    known_models: dict[str, ModelNames],
    indexes: list[str] | tuple[str, ...] = (),
    uniques: list[str] | tuple[str, ...] = (),
    *,
    table: str = "",
    timestamps: bool = True,
    target_keys: Mapping[str, tuple[Field, ...]] | None = None,
) -> ModelSpec:
    """The model and its fields; `table` is its table's name in the database when not dbgen's (add-model --table);
    `target_keys` are the keys of the models that have one (see `model_keys`), which the relations to them refer
    to."""
    names = parse_model_name(raw_name)
    if table:
        names = replace(names, table=parse_table_name(table))
    if not tokens:
        raise InvalidName(f"model {names.cls} needs at least one field, e.g. name:str")
    # Its own key first: a relation to the model itself refers to it.
    own = tuple(key for key in (_key_of(token, {**known_models, names.cls: names}) for token in tokens) if key)
    _check_keys(names, own)
    keys = {**(target_keys or {}), names.cls: own}
    fields: list[Field] = []
    seen: dict[str, str] = {}
    for token in tokens:
        parsed = parse_field(token, {**known_models, names.cls: names}, keys, timestamps=timestamps)
        if parsed.key and parsed.type is not None and parsed.type.python == "str":
            # Numbered in the order they sort as text, so that a list by key is a list in creation order.
            width = max(min(parsed.type.max_length, 10), parsed.type.min_length)  # a CHAR(36) key: 36 digits
            parsed = replace(parsed, type=replace(parsed.type, numbered=_last_digits(parsed.type.max_length, width)))
        if parsed.many and parsed.target == names:
            raise InvalidName(f"field {token!r}: a many-to-many relation links two different models")
        if parsed.single and parsed.target == names:
            if not parsed.optional:
                raise InvalidName(
                    f"field {token!r}: a relation of a model to itself is optional ({token.removesuffix('?')}?): the "
                    "first record has none to refer to"
                )
            parsed = replace(parsed, itself=True)
        if parsed.many and parsed.link == f"{names.module}_id":
            raise InvalidName(f"field {token!r}: its links would need two {parsed.link!r} columns; name it otherwise")
        for taken in parsed.identifiers:
            if taken in seen:
                raise InvalidName(f"field {token!r}: {taken!r} is already defined by {seen[taken]!r}")
            seen[taken] = token
        if not parsed.many:  # one column each, by its database name (which ignores case in some databases)
            column = parsed.db_name.lower()
            dbgens = {"id"} | (TIMESTAMPS if timestamps else set())  # the columns dbgen gives a model itself
            if f"column {column}" in seen or (parsed.column_name and column in dbgens):
                raise InvalidName(f"field {token!r}: the column {parsed.db_name!r} is taken")
            seen[f"column {column}"] = token
        if parsed.choices:  # an enum: its type, and its default as a member of it
            kind = _enum_type(names, parsed)
            member = member_name(parsed.default.server[1:-1]) if parsed.default else ""
            default = parsed.default and replace(parsed.default, python=f"{kind.python}.{member}")
            parsed = replace(parsed, type=kind, default=default)
        fields.append(parsed)
    # The parts of a key of several fields after the first: the primary key's index does not serve them alone.
    if len(own) > 1:
        if any(f.many for f in fields):
            raise InvalidName(f"model {names.cls}: a model with a key of several fields has no many-to-many relations")
        first = own[0].name
        fields = [replace(f, trailing=True) if f.key and f.name != first else f for f in fields]
    targets = [f.target.cls for f in fields if f.single and f.target is not None]
    fields = [
        replace(f, reverse=f"{f.name}_{names.plural}")
        if f.single and f.target and targets.count(f.target.cls) > 1
        else f
        for f in fields
    ]
    made = [_index(raw, False, fields) for raw in indexes] + [_index(raw, True, fields) for raw in uniques]
    given = [f.index_name for f in fields if f.index_name] + [f.unique_name for f in fields if f.unique_name]
    given += [made_index.name for made_index in made]
    if len({name.lower() for name in given}) < len(given):
        raise InvalidName(f"model {names.cls}: an index or unique constraint name is given twice")
    return ModelSpec(names, tuple(fields), timestamps=timestamps, indexes=tuple(made))


def parse_table_name(raw: str) -> str:
    """add-model --table: an existing table's name, as the database spells it (`Language`, `film_actor`)."""
    if not _DB_NAME_RE.match(raw) or len(raw) > 63:
        raise InvalidName(f"--table {raw!r} is not a table name: letters, digits and _, at most 63")
    return raw


def _index(raw: str, unique: bool, fields: list[Field]) -> ModelIndex:
    """`NAME:col1,col2` (--index, --unique): its columns by field name or column name."""
    option = "--unique" if unique else "--index"
    name, _, listed = raw.partition(":")
    if not _DB_NAME_RE.match(name) or not listed:
        raise InvalidName(f"{option} {raw!r} must look like NAME:column1,column2 (NAME a database name)")
    by_name = {n: f for f in fields if not f.many for n in (f.name, f.column, f.db_name)}
    columns = []
    for part in listed.split(","):
        found = by_name.get(part)
        if found is None:
            known = ", ".join(f.column for f in fields if not f.many)
            raise InvalidName(f"{option} {raw!r}: no column {part!r} in the model (columns: {known})")
        if found.type is not None and not found.type.indexable:
            raise InvalidName(f"{option} {raw!r}: a {found.type.name} column cannot be indexed")
        columns.append(found.db_name)
    if len(set(columns)) < len(columns):
        raise InvalidName(f"{option} {raw!r}: a column appears twice")
    return ModelIndex(name, tuple(columns), unique)


# What only some backends have: refused elsewhere with the reason.
MYSQL_VARCHAR = 16_383  # utf8mb4 characters in MySQL's 65,535-byte row
MYSQL_INDEXED = 768  # utf8mb4 characters in an InnoDB index key (3,072 bytes)


def for_backend(spec: ModelSpec, db: str) -> ModelSpec:
    """The spec with each type as this database spells it (float:single is REAL, but FLOAT on MySQL)."""
    fields = []
    for f in spec.fields:
        spelled = {name: (column, migration) for name, column, migration in f.type.variants} if f.type else {}
        if f.type is not None and db in spelled:
            column, migration = spelled[db]
            f = replace(f, type=replace(f.type, column=column, migration=migration))
        fields.append(f)
    return replace(spec, fields=tuple(fields))


def check_backend(spec: ModelSpec, db: str) -> None:
    """Refuse, in one line, what the project's database cannot store as the spec asks."""
    label = {"sqlite": "SQLite", "postgres": "PostgreSQL", "mysql": "MySQL", "mongo": "MongoDB"}.get(db, db)
    numbered = [key for key in spec.keys if key.auto]
    if db == "sqlite" and numbered and len(spec.keys) > 1:
        raise InvalidName(
            f"field {numbered[0].spec!r}: SQLite numbers a key of one integer field only; drop :auto in a key of "
            "several"
        )
    if db == "mongo" and spec.indexes:
        raise InvalidName("--index and --unique name SQL indexes; a MongoDB project indexes each field itself")
    for f in spec.fields:
        if f.itself and db == "mongo":
            raise InvalidName(f"field {f.spec!r}: a relation of a model to itself is for SQL databases, not MongoDB")
        if f.type is None:
            continue
        parts = f.spec.removesuffix("?").split(":")[2:]
        given = {part.partition("=")[0] + ("=" if "=" in part else "") for part in parts}
        if db == "mongo":
            # (decimals are Decimal128 there, whatever digits a column would have)
            sql_only = sorted(
                given & {"naive", "fixed", "jsonb", "single", "native", "native=", "index=", "unique=", "precision=",
                         "scale="}
            )  # fmt: skip
            if sql_only:
                raise InvalidName(f"field {f.spec!r}: :{sql_only[0]} is for SQL databases, not MongoDB")
            if f.type.name == "time":
                raise InvalidName(f"field {f.spec!r}: MongoDB has no time-of-day type; use str or datetime")
            continue
        if "jsonb" in given and db != "postgres":
            raise InvalidName(f"field {f.spec!r}: :jsonb is PostgreSQL's; {label} stores JSON as json")
        if "native=" in given and db != "postgres":
            hint = "; use :native for MySQL's ENUM" if db == "mysql" else ""
            raise InvalidName(f"field {f.spec!r}: native=TYPENAME names a PostgreSQL enum type{hint}")
        if "native" in given and db != "mysql":
            hint = "; use native=TYPENAME for a PostgreSQL enum type" if db == "postgres" else ""
            raise InvalidName(f"field {f.spec!r}: :native is MySQL's inline ENUM{hint}")
        if db == "mysql" and f.type.name == "str":
            longest = f.type.max_length
            if f.type.fixed and longest > 255:
                raise InvalidName(f"field {f.spec!r}: MySQL's CHAR holds at most 255 characters")
            if longest > MYSQL_VARCHAR:
                raise InvalidName(f"field {f.spec!r}: MySQL's VARCHAR holds at most {MYSQL_VARCHAR} characters")
            if longest > MYSQL_INDEXED and (f.own_index or f.unique_name):
                raise InvalidName(
                    f"field {f.spec!r}: MySQL indexes text of at most {MYSQL_INDEXED} characters; "
                    "add :noindex, or a smaller maxlen="
                )


def _key_of(token: str, known_models: dict[str, ModelNames]) -> Field | None:
    """The field of this token if it is (part of) the key; a malformed token is none."""
    parts = token.split(":")
    if len(parts) < 3 or "key" not in parts[2:]:
        return None
    return parse_field(token, known_models)


def _check_keys(names: ModelNames, own: tuple[Field, ...]) -> None:
    """A key of one field, or of several (`store:Store:key weekday:smallint:key`: the record is found by all of
    them, in this order); one line that says what is wrong otherwise."""
    if len(own) == 1 and own[0].is_relation:
        raise InvalidName(
            f"field {own[0].spec!r}: a relation is part of a key beside other key fields; give {names.cls} a key "
            "field of its own"
        )
    for n, key in enumerate(own):
        if key.type is not None and key.type.python in LATER_KEY_PYTHON and n == 0:
            raise InvalidName(
                f"field {key.spec!r}: a date or datetime is a key after the first field of a key of several"
            )
        if key.auto and n > 0:
            raise InvalidName(
                f"field {key.spec!r}: :auto numbers the first field of a key, the one its index starts with"
            )


def model_keys(models: Mapping[str, list[str]], known_models: dict[str, ModelNames]) -> dict[str, tuple[Field, ...]]:
    """The key fields of each model that has some, from the field specs recorded for it."""
    found = {name: tuple(k for k in (_key_of(token, known_models) for token in tokens) if k is not None)
             for name, tokens in models.items()}  # fmt: skip
    return {name: keys for name, keys in found.items() if keys}


def model_key(raw: str) -> str:
    """The key a model is known by in the answers file: its class name."""
    return pascal(snake(raw))
