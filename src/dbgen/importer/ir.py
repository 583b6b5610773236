"""What the importer read from a database, as plain frozen data the model layer renders: tables, their columns with
a dbgen type each, keys, relations, and everything left out, with the reason, for the report."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from dbgen.naming import ModelNames

# The kinds of table: a model; a many-to-many link (two foreign keys that are its whole primary key, nothing else),
# which becomes a `things:Thing[]` relation rather than a model; a link with columns of its own, a model.
MODEL, LINK, LINK_MODEL = "model", "link", "link_model"
# What becomes of a column: a field of the model; shown but never written through the API; not in the model at all.
MAPPED, READ_ONLY, LEFT_OUT = "mapped", "read_only", "left_out"
# How a primary key is made: by the database (serial, identity, auto-increment, SQLite's rowid), given by the
# client (a natural key: text, UUID, an integer without a sequence), or of several columns.
IDENTITY, NATURAL, COMPOSITE = "identity", "natural", "composite"


@dataclass(frozen=True)
class ColumnType:
    """A column's type: `name` is the closest dbgen type ("" when none fits); `db` how the database names it."""

    name: str
    db: str
    length: int | None = None  # str: the longest value (VARCHAR(45)); fixed: CHAR(n), padded by the database
    fixed: bool = False
    precision: int | None = None  # decimal: NUMERIC(precision, scale), None when the database set no bound
    scale: int | None = None
    timezone: bool | None = None  # datetime and time: with or without time zone
    choices: tuple[str, ...] = ()  # enum: the values as stored, in the database's order
    enum_name: str = ""  # enum: the database's own type (a PostgreSQL enum type), "" for an inline one
    item: str = ""  # array: the dbgen type of its items ("" when none fits)
    unsigned: bool = False  # MySQL: UNSIGNED (an unsigned INT may go past int's range: it is a bigint)
    # The database's type where the dbgen type holds its values but would create another (MySQL's YEAR, TINYINT
    # and TIMESTAMP, a PostgreSQL domain), as the dialect compiles it: the project's `alembic check` compares such a
    # column as equal to its model while the database keeps this type.
    kept: str = ""
    # An integer type's own range where it is narrower than the field type's (MySQL's YEAR, TINYINT, MEDIUMINT,
    # unsigned): the field's min= and max=, so that the API refuses what the database would.
    bounds: tuple[int, int] | None = None

    def __str__(self) -> str:
        if self.name == "str" and self.length:
            return f"str({self.length}{', fixed' if self.fixed else ''})"
        if self.name == "decimal" and self.precision is not None:
            return f"decimal({self.precision},{self.scale or 0})"
        if self.name in ("datetime", "time"):
            return f"{self.name}({'tz' if self.timezone else 'naive'})"
        if self.name == "enum":
            return f"enum({','.join(self.choices)})"
        if self.name == "array":
            return f"{self.item or '?'}[]"
        return self.name or f"? {self.db}"


@dataclass(frozen=True)
class Default:
    """A column's server default: its text as the database gives it, and the value when it is a plain constant
    (`3`, `'feature'`, `true`); an expression (`now()`, `gen_random_uuid()`) has no value here."""

    server: str
    value: str | int | float | bool | Decimal | None = None
    constant: bool = False


@dataclass(frozen=True)
class Column:
    name: str  # as the database spells it: "ArtistId"
    python: str  # the attribute and JSON name: artist_id
    type: ColumnType
    nullable: bool
    default: Default | None = None
    primary_key: bool = False
    autoincrement: bool = False  # the database makes its values (serial, identity, AUTO_INCREMENT, rowid)
    identity: str = ""  # PostgreSQL identity: "always" or "by default"
    computed: str = ""  # a generated column's expression
    unique: bool = False  # a unique constraint or index on this column alone
    index: bool = False  # a plain index on this column alone
    comment: str = ""
    access: str = MAPPED
    reason: str = ""  # why it is read-only or left out

    @property
    def needs_value(self) -> bool:
        """Whether a new row must give it: NOT NULL, and the database fills it neither by a default nor by an
        expression of its own."""
        return not self.nullable and self.default is None and not self.computed


@dataclass(frozen=True)
class PrimaryKey:
    columns: tuple[str, ...]  # database names, in the key's order
    kind: str  # IDENTITY, NATURAL or COMPOSITE


@dataclass(frozen=True)
class ForeignKey:
    """A foreign key; on a model, a relation named `relation` to the model `target_model` (both "" when its target
    is not imported: then its columns stay plain columns)."""

    name: str
    columns: tuple[str, ...]
    target: str  # the referenced table, by its database name
    target_columns: tuple[str, ...]
    on_delete: str  # the database's rule: NO ACTION, RESTRICT, CASCADE, SET NULL or SET DEFAULT
    self_reference: bool = False
    relation: str = ""
    target_model: str = ""


@dataclass(frozen=True)
class Index:
    name: str
    columns: tuple[str, ...]  # an expression index lists no columns: it stays in the database
    unique: bool = False
    expression: bool = False


@dataclass(frozen=True)
class Check:
    name: str
    sql: str  # as the database gives it; kept in the database, listed in the report


@dataclass(frozen=True)
class Link:
    """A many-to-many link table: `left_field` on the left model lists right models, and the other way round."""

    left: ForeignKey
    right: ForeignKey
    left_field: str
    right_field: str


@dataclass(frozen=True)
class Table:
    name: str  # as the database spells it: "Actor", film_actor
    names: ModelNames  # cls (singular), module, table (= name), route, plural
    kind: str  # MODEL, LINK or LINK_MODEL
    columns: tuple[Column, ...]
    primary_key: PrimaryKey
    foreign_keys: tuple[ForeignKey, ...] = ()
    uniques: tuple[tuple[str, ...], ...] = ()  # unique constraints and indexes on several columns
    indexes: tuple[Index, ...] = ()  # every index, as the database has it
    checks: tuple[Check, ...] = ()
    comment: str = ""
    link: Link | None = None
    insertable: bool = True  # False: a NOT NULL column without default has no dbgen type, so no row can be created
    reason: str = ""  # why it is not insertable

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def mapped(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.access == MAPPED)


@dataclass(frozen=True)
class LeftOut:
    name: str  # a table, view or `table.column`
    what: str  # "table", "view", "partition", "column", "index", "check"
    reason: str


@dataclass(frozen=True)
class Rename:
    table: str  # the database table
    column: str  # the database column ("" for the table's own names)
    old: str  # the name conversion gave
    new: str  # the name taken instead
    reason: str


@dataclass(frozen=True)
class Schema:
    backend: str  # sqlite, postgres or mysql
    url: str  # with its password masked
    tables: tuple[Table, ...]  # models, link models and links, by database name
    views: tuple[str, ...] = ()
    left_out: tuple[LeftOut, ...] = ()
    renames: tuple[Rename, ...] = ()
    enums: tuple[tuple[str, tuple[str, ...]], ...] = ()  # named enum types (PostgreSQL): name, values
    # Tables of the database whose names dbgen's own tables use (users, items, roles...): those take other names.
    taken: tuple[str, ...] = ()

    @property
    def models(self) -> tuple[Table, ...]:
        return tuple(t for t in self.tables if t.kind != LINK)

    @property
    def links(self) -> tuple[Table, ...]:
        return tuple(t for t in self.tables if t.kind == LINK)

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)

    def report(self) -> str:
        from dbgen.importer.report import render

        return render(self)
