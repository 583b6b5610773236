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

from dbgen.errors import InvalidName
from dbgen.naming import ModelNames, pascal, singularize, snake


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
        FieldType("float", "float", "Double", "sa.Double()", constraint="allow_inf_nan=False", bson="number",
                  admin="FloatField",  # app.admin.base's, which takes a missing value as empty
                  samples=("1.5", "2.5", "3.5"), numbered="n + 0.5", compare="{got} == pytest.approx({expected})"),
        FieldType("decimal", "Decimal", "Numeric(12, 2)", "sa.Numeric(precision=12, scale=2)",
                  imports=("from decimal import Decimal",), constraint="max_digits=12, decimal_places=2, strict=False",
                  bson="number", admin="DecimalField",
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
    "float": _number(float),
    "decimal": _number(Decimal),
    "bool": _bool,
}

MODIFIERS = frozenset({"unique", "index", "optional", "cascade", "setnull", "ci", "key", "auto"})
# The types a primary key may have (`code:str:maxlen=3:key`), by their Python type; `key:auto` only on integers.
KEY_PYTHON = ("int", "str", "UUID")
KEY_EXCLUDED = frozenset({"text", "url", "enum", "json", "email"})
CASE_INSENSITIVE = ("str", "email")  # the types whose unique values may ignore case (:ci)
# What deleting a referenced record does to the records that refer to it: refused (409) unless asked otherwise.
ON_DELETE = {"cascade": "CASCADE", "setnull": "SET NULL"}
# Columns every model has, and names SQLAlchemy, pydantic or the generated code use themselves.
RESERVED = frozenset(
    {"id", "created_at", "updated_at", "metadata", "registry", "query", "model_config", "model_fields",
     "session", "self", "cls", "type", "items", "total", "limit", "offset", "q", "sort_by", "order", "after",
     "count", "next", "total_capped", "filters", "cursor"}
)  # fmt: skip
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
    key: bool = False  # `code:str:maxlen=3:key`: (part of) the primary key, in place of `id`
    auto: bool = False  # `film_id:int:key:auto`: the database numbers it; never in a body
    target_key: Field | None = None  # a relation to a model with a key of its own: that key (None: its `id`)

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
    def searchable(self) -> bool:
        """Text `q` looks in; a key is found by its route, not searched."""
        return self.type is not None and self.type.searchable and not self.key

    @property
    def sortable(self) -> bool:
        return self.type is not None and self.type.sortable

    def sql_type(self, collation: str, *, migration: bool = False) -> str:
        """The column's type in a model (or a migration). A :ci column takes the backend's case-insensitive
        collation where it has one: String(255, collation="utf8mb4_unicode_ci")."""
        assert self.type is not None
        kind = self.type.migration if migration else self.type.column
        return f'{kind[:-1]}, collation="{collation}")' if self.ci and collation else kind

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
        return self.is_relation or (self.type is not None and self.type.name in ("bool", "enum"))

    @property
    def indexed(self) -> bool:
        """Relations, `:index`, and every sort key: a list sorted by it reads the index, not the whole table.
        (A many-to-many relation's SQL index is on its association table; MongoDB's is multikey, on the array.)
        A key has the primary key's index."""
        return not self.key and (self.index or self.is_relation or self.sortable)

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
        return f"Annotated[{self.type.python}, Path({self.key_constraint}){checked}]"

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
        return f"Annotated[{self.type.python}, Field({self.key_constraint}){checked}]"

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
        return f"{self.target.table}.{self.target_key.name if self.target_key else 'id'}"

    def ref_sql_type(self, *, migration: bool = False) -> str:
        """The type of a relation's foreign key column: the referenced key's."""
        if self.target_key is None:
            return "sa.Integer()" if migration else "Integer"
        return self.target_key.key_sql_type(migration=migration)

    def key_sql_type(self, *, migration: bool = False) -> str:
        assert self.type is not None
        return self.type.migration if migration else self.type.column


@dataclass(frozen=True)
class ModelSpec:
    names: ModelNames
    fields: tuple[Field, ...] = field(default_factory=tuple)
    owned: bool = False  # add-model --owned: an owner (owner:User) set from the token; users see their own

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


def parse_model_name(raw: str) -> ModelNames:
    if not _MODEL_RE.match(raw) or raw.endswith("_"):
        raise InvalidName(f"model name {raw!r} is not valid: use letters, digits and '_', starting with a letter")
    names = ModelNames.of(raw)
    if keyword.iskeyword(names.module) or names.cls in RESERVED_MODELS or names.module in {"health", "stats"}:
        raise InvalidName(f"model name {raw!r} is reserved; choose another name")
    return names


def parse_field(
    token: str, known_models: dict[str, ModelNames], target_keys: Mapping[str, tuple[Field, ...]] | None = None
) -> Field:
    """`price:decimal`, `sku:str:unique`, `notes:text?`, `category:Category[:cascade]` -> Field."""
    parts = token.removesuffix("?").split(":")  # a trailing ? (`sku:str:unique?`) makes any field optional
    if len(parts) < 2 or not all(parts):
        raise InvalidName(f"field {token!r} must look like name:type[:modifier...], e.g. price:decimal")
    name, kind, *modifiers = parts
    if not _NAME_RE.match(name):
        raise InvalidName(f"field {token!r}: name {name!r} must be lower_snake_case")
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in RESERVED:
        raise InvalidName(f"field {token!r}: {name!r} is a reserved name")
    if "[]" in kind:
        return _many(token, name, kind, modifiers, known_models, target_keys or {})
    kind, _, default = kind.partition("=")
    optional = token.endswith("?") or kind.endswith("?")
    kind = kind.removesuffix("?")
    bounds = {key: value for key, _, value in (m.partition("=") for m in modifiers if "=" in m)}
    modifiers = [m for m in modifiers if "=" not in m]
    for key in bounds:
        if key not in BOUNDS:
            raise InvalidName(
                f"field {token!r}: unknown modifier {key + '='!r}; use {', '.join(f'{b}=' for b in BOUNDS)}"
            )
    if len(bounds) < len([m for m in parts[2:] if "=" in m]):
        raise InvalidName(f"field {token!r}: a bound is given twice")
    for modifier in modifiers:
        if modifier not in MODIFIERS:
            choices = ", ".join(sorted(MODIFIERS))
            raise InvalidName(f"field {token!r}: unknown modifier {modifier!r}; use {choices} (or a trailing ?)")
    optional = optional or "optional" in modifiers
    unique, index, ci = "unique" in modifiers, "index" in modifiers, "ci" in modifiers
    typed = kind in TYPES or kind[:1].isupper() or _ENUM_RE.match(kind) is not None
    if ci and typed and kind not in CASE_INSENSITIVE:
        raise InvalidName(f"field {token!r}: :ci is for str and email fields")
    if ci and not unique:
        raise InvalidName(
            f"field {token!r}: :ci makes a unique value ignore case; add :unique ({name}:{kind}:ci:unique)"
        )
    deletes = [ON_DELETE[m] for m in modifiers if m in ON_DELETE]
    if deletes and not kind[:1].isupper():
        raise InvalidName(f"field {token!r}: :cascade and :setnull are for relations (name:Model)")
    if len(deletes) > 1:
        raise InvalidName(f"field {token!r}: choose one of :cascade and :setnull")
    if deletes == ["SET NULL"] and not optional:
        raise InvalidName(f"field {token!r}: :setnull needs an optional relation ({name}:{kind}?:setnull)")
    is_key, auto = "key" in modifiers, "auto" in modifiers
    if is_key or auto:
        _check_key(
            token, name, kind, key=is_key, optional=optional, default=default, unique=unique or index or ci, auto=auto
        )
    if _ENUM_RE.match(kind):
        values = _choices(token, kind)
        if unique:
            raise InvalidName(f"field {token!r}: an enum has few values and cannot be unique")
        if default and default not in values:
            raise InvalidName(f"field {token!r}: default {default!r} is not one of {', '.join(values)}")
        value = Default(f'"{default}"', f'"{default}"', f'"{default}"', f'"{default}"') if default else None
        return Field(name, TYPES["enum"], optional=optional, index=index, spec=token, default=value, choices=values)
    if default and kind not in DEFAULTS:
        raise InvalidName(f"field {token!r}: a default is for {', '.join(DEFAULTS)} fields")
    if kind == "enum":
        raise InvalidName(f"field {token!r}: an enum needs values, e.g. status:enum(draft,published)")
    if bounds and kind not in TYPES:
        raise InvalidName(f"field {token!r}: bounds (min=, max=, minlen=, maxlen=) are for numbers and text")
    if kind in TYPES:
        value = DEFAULTS[kind](token, default) if default else None
        ftype = _bounded(token, kind, bounds, default) if bounds else TYPES[kind]
        if unique and kind == "bool":
            raise InvalidName(f"field {token!r}: a bool has two values and cannot be unique")
        if (unique or index) and not ftype.indexable:
            raise InvalidName(f"field {token!r}: a {kind} column cannot be unique or indexed; use str")
        return Field(
            name,
            ftype,
            optional=optional,
            unique=unique,
            index=index,
            spec=token,
            default=value,
            ci=ci,
            key=is_key,
            auto=auto,
        )
    if kind[:1].isupper():
        target = known_models.get(pascal(kind))
        if target is None:
            known = ", ".join(known_models)
            raise InvalidName(f"field {token!r}: no model {kind!r} in this project (models: {known})")
        if unique:
            raise InvalidName(f"field {token!r}: a relation cannot be unique")
        on_delete = deletes[0] if deletes else "RESTRICT"
        return Field(
            name,
            None,
            target=target,
            optional=optional,
            index=True,
            spec=token,
            on_delete=on_delete,
            target_key=_target_key(token, target, target_keys or {}),
        )
    choices = ", ".join(name for name in TYPES if name != "enum")
    raise InvalidName(f"field {token!r}: unknown type {kind!r}; use one of {choices}, enum(a,b,...), or a model name")


def _check_key(
    token: str, name: str, kind: str, *, key: bool, optional: bool, default: str, unique: bool, auto: bool
) -> None:
    """`code:str:maxlen=3:key`, `film_id:int:key:auto`: a primary key, given by the client or numbered by the
    database; one line that says what is wrong otherwise."""
    if not key:
        raise InvalidName(f"field {token!r}: :auto numbers a key; write {name}:{kind}:key:auto")
    if kind[:1].isupper():
        raise InvalidName(f"field {token!r}: a relation cannot be a key; give the model a key field of its own")
    base = TYPES.get(kind)
    if base is None or base.python not in KEY_PYTHON or kind in KEY_EXCLUDED:
        allowed = ", ".join(t.name for t in TYPES.values() if t.python in KEY_PYTHON and t.name not in KEY_EXCLUDED)
        raise InvalidName(f"field {token!r}: a key is one of {allowed}")
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
    takes no modifiers: both sides are indexed, and a link goes when either of its records does."""
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
NUMBERS: dict[str, type[int] | type[float] | type[Decimal]] = {"int": int, "float": float, "decimal": Decimal}
INT_RANGE = (-(2**31), 2**31 - 1)  # what an INTEGER column holds on every backend


def _bound(token: str, kind: str, key: str, raw: str | None) -> Decimal | None:
    if raw is None:
        return None
    try:
        value = Decimal(raw) if kind != "int" else Decimal(int(raw))
    except (ValueError, ArithmeticError):
        raise InvalidName(
            f"field {token!r}: {key}={raw!r} is not {'an int' if kind == 'int' else 'a number'}"
        ) from None
    if not value.is_finite() or (kind == "decimal" and value.as_tuple().exponent < -2):  # type: ignore[operator]
        raise InvalidName(f"field {token!r}: {key}={raw!r} is not a finite number with at most 2 decimals")
    return value


def _bounded(token: str, kind: str, bounds: dict[str, str], default: str) -> FieldType:
    """A number's range (min=, max=) or a text's length (minlen=, maxlen=), in its schemas, and samples for its
    generated tests that lie inside. A default must lie inside too."""
    base = TYPES[kind]
    if {"min", "max"} & bounds.keys() and kind not in NUMBERS:
        raise InvalidName(
            f"field {token!r}: min= and max= are for int, float and decimal; use minlen= and maxlen= for text"
        )
    if {"minlen", "maxlen"} & bounds.keys() and kind not in ("str", "text"):
        raise InvalidName(f"field {token!r}: minlen= and maxlen= are for str and text")
    if kind in NUMBERS:
        lo, hi = _bound(token, kind, "min", bounds.get("min")), _bound(token, kind, "max", bounds.get("max"))
        if lo is not None and hi is not None and lo > hi:
            raise InvalidName(f"field {token!r}: min= is above max=")
        if kind == "int" and any(v is not None and not INT_RANGE[0] <= v <= INT_RANGE[1] for v in (lo, hi)):
            raise InvalidName(f"field {token!r}: an int lies between {INT_RANGE[0]} and {INT_RANGE[1]}")
        value = _bound(token, kind, "default", default or None)
        if value is not None and ((lo is not None and value < lo) or (hi is not None and value > hi)):
            raise InvalidName(f"field {token!r}: default {default!r} lies outside min= and max=")

        def literal(value: Decimal) -> str:
            """The bound as Python source in a schema (and as a test's sample)."""
            if kind == "decimal":
                return f'Decimal("{value}")'
            return str(value) if kind == "int" else f"{float(value)}"

        parts = [] if kind == "int" else [base.constraint]
        if kind == "int":
            parts.append(f"ge={lo}" if lo is not None else "ge=-(2**31)")
            parts.append(f"le={hi}" if hi is not None else "le=2**31 - 1")
        else:
            parts += [f"ge={literal(lo)}"] if lo is not None else []
            parts += [f"le={literal(hi)}"] if hi is not None else []
        start = lo if lo is not None else (min(Decimal(1), hi - 2) if hi is not None else Decimal(1))
        values = [start + step if hi is None else min(start + step, hi) for step in range(3)]
        span = None if hi is None else int(hi - start) + 1
        step = "n" if span is None else f"n % {span}"
        if kind == "decimal":
            samples = tuple(f'"{v:.2f}"' for v in values)
            numbered = f'f"{{{start} + {step}:.2f}}"'
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
    limit = base.max_length
    low = _length(token, "minlen", bounds.get("minlen"), 0, limit)
    high = _length(token, "maxlen", bounds.get("maxlen"), 1, limit)
    low, high = low if low is not None else base.min_length, high if high is not None else limit
    if low > high:
        raise InvalidName(f"field {token!r}: minlen= is above maxlen=")
    if default and not low <= len(default) <= high:
        raise InvalidName(f"field {token!r}: default {default!r} is not between minlen= and maxlen= long")
    constraint = (f"min_length={low}, " if low else "") + f"max_length={high}"
    words = [s.strip('"') for s in base.samples]
    samples = tuple(f'"{(w + "x" * low)[: max(low, len(w))][:high]}"' for w in words)
    width = max(low, 1)
    column, migration = (
        (f"String({high})", f"sa.String(length={high})") if kind == "str" else (base.column, base.migration)
    )
    return replace(
        base,
        column=column,
        migration=migration,
        constraint=constraint,
        samples=samples,  # type: ignore[arg-type]
        numbered=f'f"{{n:0{width}d}}"',
        # n's last `high` digits: within the length for every n (distinct up to 10**high rows)
        seed=f'f"{{n % {10**high}:0{width}d}}"' if high < 12 else f'f"{{n:0{width}d}}"',
        seed_imports=(),
        min_length=low,
        max_length=high,
    )


def _length(token: str, key: str, raw: str | None, least: int, limit: int) -> int | None:
    if raw is None:
        return None
    if not raw.isdigit() or not least <= int(raw) <= limit:
        raise InvalidName(f"field {token!r}: {key}= takes a whole number from {least} to {limit}")
    return int(raw)


_ENUM_RE = re.compile(r"^enum\((.*)\)$")


def _choices(token: str, kind: str) -> tuple[str, ...]:
    """`enum(draft,live)`: the values, each a lower_snake_case name, at least one, none twice."""
    match = _ENUM_RE.match(kind)
    assert match is not None
    values = tuple(value.strip() for value in match.group(1).split(",")) if match.group(1).strip() else ()
    if not values:
        raise InvalidName(f"field {token!r}: an enum needs values, e.g. status:enum(draft,published)")
    for value in values:
        if not _NAME_RE.match(value) or keyword.iskeyword(value):
            raise InvalidName(f"field {token!r}: enum value {value!r} must be lower_snake_case")
    if len(set(values)) < len(values):
        raise InvalidName(f"field {token!r}: an enum value appears twice")
    return values


def _enum_type(names: ModelNames, field: Field) -> FieldType:
    """The type of one enum field: a StrEnum named after the model and the field (ProductStatus), stored as
    text with a CHECK constraint on every SQL backend (no native enum type to migrate)."""
    cls, values = names.cls + pascal(field.name), field.choices
    quoted = ", ".join(f'"{value}"' for value in values)
    options = f'name="{names.module}_{field.name}", native_enum=False, create_constraint=True'
    return replace(
        TYPES["enum"],
        python=cls,
        column=f"Enum({cls}, {options})",
        migration=f"sa.Enum({quoted}, {options})",
        app_imports=(f"from app.models.{names.module} import {cls}",),
        choices=values,
        samples=tuple(f'"{values[i % len(values)]}"' for i in range(3)),  # type: ignore[arg-type]
        numbered=f"[{quoted}][n % {len(values)}]",
    )


def parse_model(
    raw_name: str,
    tokens: list[str],
    known_models: dict[str, ModelNames],
    target_keys: Mapping[str, tuple[Field, ...]] | None = None,
) -> ModelSpec:
    """A model's fields; `target_keys` are the keys of the models that have one (see `model_keys`), which the
    relations to them refer to."""
    names = parse_model_name(raw_name)
    if not tokens:
        raise InvalidName(f"model {names.cls} needs at least one field, e.g. name:str")
    # Its own key first: a relation to the model itself refers to it.
    own = tuple(key for key in (_key_of(token, known_models) for token in tokens) if key is not None)
    if len(own) > 1:
        raise InvalidName(
            f"model {names.cls}: a key of several fields ({', '.join(key.name for key in own)}) is not supported; "
            "mark one field :key"
        )
    keys = {**(target_keys or {}), names.cls: own}
    fields: list[Field] = []
    seen: dict[str, str] = {}
    for token in tokens:
        parsed = parse_field(token, known_models, keys)
        if parsed.key and parsed.type is not None and parsed.type.python == "str":
            # Numbered in the order they sort as text, so that a list by key is a list in creation order.
            width = min(parsed.type.max_length, 10)
            parsed = replace(parsed, type=replace(parsed.type, numbered=f'f"{{n:0{width}d}}"'))
        if parsed.many and parsed.target == names:
            raise InvalidName(f"field {token!r}: a many-to-many relation links two different models")
        if parsed.many and parsed.link == f"{names.module}_id":
            raise InvalidName(f"field {token!r}: its links would need two {parsed.link!r} columns; name it otherwise")
        for taken in parsed.identifiers:
            if taken in seen:
                raise InvalidName(f"field {token!r}: {taken!r} is already defined by {seen[taken]!r}")
            seen[taken] = token
        if parsed.choices:  # an enum: its type, and its default as a member of it
            kind = _enum_type(names, parsed)
            default = parsed.default and replace(parsed.default, python=f"{kind.python}.{parsed.default.server[1:-1]}")
            parsed = replace(parsed, type=kind, default=default)
        fields.append(parsed)
    return ModelSpec(names, tuple(fields))


def _key_of(token: str, known_models: dict[str, ModelNames]) -> Field | None:
    """The field of this token if it is a key (a relation or a malformed token is none)."""
    parts = token.split(":")
    if "key" not in parts[2:] or parts[1][:1].isupper():
        return None
    return parse_field(token, known_models)


def model_keys(models: Mapping[str, list[str]], known_models: dict[str, ModelNames]) -> dict[str, tuple[Field, ...]]:
    """The key fields of each model that has some, from the field specs recorded for it."""
    found = {name: tuple(k for k in (_key_of(token, known_models) for token in tokens) if k is not None)
             for name, tokens in models.items()}  # fmt: skip
    return {name: keys for name, keys in found.items() if keys}


def model_key(raw: str) -> str:
    """The key a model is known by in the answers file: its class name."""
    return pascal(snake(raw))
