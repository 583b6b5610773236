"""From the Schema the importer read to add-model arguments: for each model table, its class, its field tokens in
add-model's grammar and its model options, in the order add-model can take them (a model after the models it refers
to), and what the grammar cannot say, each with the reason.

    for spec in convert(schema).models:
        print(spec.line)  # dbgen add-model Actor --table Actor --no-timestamps actor_id:int:key:auto:column=ActorId ...

The grammar is add-model's (ARCHITECTURE.md, "Field grammar"): `name:type[=default][:modifier...][?]`. A relation to
a model added later (a cycle) is written by `dbgen add-field` once every model is there.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field, replace
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from dbgen.fields import NUMBERS, TYPES
from dbgen.importer.checks import Rule, column_rules, merged
from dbgen.importer.ir import COMPOSITE, LEFT_OUT, LINK, READ_ONLY, Column, ForeignKey, Index, LeftOut, Schema, Table
from dbgen.naming import ModelNames

# What add-model writes for a relation's ON DELETE, by the database's rule (RESTRICT is dbgen's own default).
ON_DELETE = {"RESTRICT": "", "NO ACTION": "noaction", "CASCADE": "cascade", "SET NULL": "setnull"}
# The types a field may give a constant default (`stock:int=0`); the others take the database's (`dbdefault`).
CONSTANT_DEFAULTS = ("str", "text", "int", "smallint", "bigint", "float", "decimal", "bool", "enum")
# The types dbgen indexes by default (every list can sort by them): one without an index in the database says
# `noindex`. text, url, json and bytes are never sort keys.
SORTABLE = ("str", "int", "smallint", "bigint", "float", "decimal", "bool", "date", "datetime", "time", "uuid", "enum")
# What an enum's value cannot hold in the grammar (`enum(a,b)`, `name:type:modifier`).
ENUM_FORBIDDEN = (",", ":", ")")
DECIMAL_DEFAULT = (12, 2)  # decimal without precision= and scale=
STR_DEFAULT = 255  # str without maxlen=
SINGLE_FLOATS = ("REAL", "FLOAT", "FLOAT4")  # 4-byte floats (`float:single`); DOUBLE is dbgen's float


@dataclass(frozen=True)
class ModelArgs:
    """One model's add-model arguments, and the fields added after every model is there (`later`, by add-field)."""

    table: str  # the database table
    cls: str
    fields: tuple[str, ...]
    options: tuple[str, ...] = ()  # --table NAME, --no-timestamps, --index NAME:a,b, --unique NAME:a,b
    later: tuple[str, ...] = ()

    @property
    def line(self) -> str:
        """The add-model command a user would type for it."""
        return shlex.join(["dbgen", "add-model", self.cls, *self.options, *self.fields])

    @property
    def later_line(self) -> str:
        return shlex.join(["dbgen", "add-field", self.cls, *self.later]) if self.later else ""

    @property
    def table_name(self) -> str | None:
        """--table: the database's name for the table, when it is not the one dbgen would give the class."""
        return self._option("--table")

    @property
    def timestamps(self) -> bool:
        return "--no-timestamps" not in self.options

    @property
    def indexes(self) -> list[str]:
        return self._options("--index")

    @property
    def uniques(self) -> list[str]:
        return self._options("--unique")

    def _options(self, name: str) -> list[str]:
        return [self.options[i + 1] for i, option in enumerate(self.options) if option == name]

    def _option(self, name: str) -> str | None:
        found = self._options(name)
        return found[0] if found else None


@dataclass(frozen=True)
class Specs:
    models: tuple[ModelArgs, ...]  # parents first
    left_out: tuple[LeftOut, ...] = ()  # what the grammar cannot say (the Schema's own omissions are in schema)

    def model(self, cls: str) -> ModelArgs:
        return next(m for m in self.models if m.cls == cls)


@dataclass
class _Model:
    table: Table
    fields: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    # relations: (target class, token, nullable); written in add-model or, when deferred, by add-field
    relations: list[tuple[str, str, bool]] = field(default_factory=list)
    order: list[tuple[int, str]] = field(default_factory=list)  # (column position, token) for the field order


def convert(schema: Schema) -> Specs:
    """Every model table of `schema` as add-model arguments, parents first."""
    left: list[LeftOut] = []
    served = []
    for table in schema.models:
        why = _unkeyed(table, schema.backend)
        if why:  # its table stays in the database (the baseline keeps it), and foreign keys to it plain columns
            left.append(LeftOut(table.name, "table", why))
        else:
            served.append(table)
    names = {t.names.cls for t in served}
    composite = {t.names.cls for t in served if t.primary_key.kind == COMPOSITE}
    models = {t.names.cls: _model(schema, t, left, names, composite) for t in served}
    for link in schema.links:
        assert link.link is not None
        if {link.link.left.target_model, link.link.right.target_model} <= names:
            _link(link, models, left)
        else:
            left.append(LeftOut(link.name, "table", "a many-to-many link to a table that is not served"))
    order, deferred = _order(models)
    out = []
    for cls in order:
        model = models[cls]
        now: list[str] = []
        later: list[str] = []
        for _position, token in sorted(model.order, key=lambda item: item[0]):
            (later if (cls, token) in deferred else now).append(token)
        out.append(ModelArgs(model.table.name, cls, tuple(now), tuple(model.options), tuple(later)))
    return Specs(tuple(out), tuple(left))


def _unkeyed(table: Table, backend: str) -> str:
    """Why a key of several columns cannot be a model's key (its table is left out), or "": a column the database
    fills (it may number the first, as a partitioned table's `payment_id serial`, but for SQLite), or one of a type
    a key cannot have (a date or a datetime only after the first; SQLite keeps a datetime as text, which a key
    would compare as it was written)."""
    if table.primary_key.kind != COMPOSITE:
        return ""
    key = f"a primary key of several columns ({', '.join(table.primary_key.columns)})"
    for n, column in enumerate(table.column(name) for name in table.primary_key.columns):
        numbered = column.autoincrement and n == 0 and backend != "sqlite"
        if (column.autoincrement or column.default is not None) and not numbered:
            return f"{key}, {column.name} filled by the database"
        kind = column.type.name
        if kind not in ("int", "str", "uuid", "date", "datetime"):
            return f"{key}, {column.name} of a type a key cannot have"
        if kind in ("date", "datetime") and n == 0:
            return f"{key}, {column.name} first: a date or a datetime comes after the key's first column"
        if kind == "datetime" and backend == "sqlite":
            return f"{key}, {column.name}: SQLite keeps a datetime as text, which a key would compare as written"
    return ""


def _model(schema: Schema, table: Table, left: list[LeftOut], served: set[str], composite: set[str]) -> _Model:
    model = _Model(table)
    names = table.names
    if table.name != ModelNames.of(names.cls).table:
        model.options += ["--table", table.name]
    timestamps = _timestamps(table)
    if not timestamps:
        model.options.append("--no-timestamps")
    relations = {fk.columns[0]: fk for fk in table.foreign_keys if _relation(table, fk, left, served, composite)}
    # The columns of the foreign keys that stay plain columns: shown, never written, since a value the API or its
    # tests would write must name a row the database holds (the key stays in the database and the baseline).
    referring = {
        c for fk in table.foreign_keys if fk.target_model and fk.columns[0] not in relations for c in fk.columns
    }
    rules = column_rules(table.checks)  # what its CHECK constraints say about one column each, simply
    # The fields of a key of several columns in the key's order (which its index and the API's paths take), at the
    # places its columns have.
    key = table.primary_key.columns
    places = dict(zip(key, sorted(i for i, c in enumerate(table.columns) if c.name in key), strict=True))
    for position, column in enumerate(table.columns):
        position = places.get(column.name, position)
        if column.access == LEFT_OUT:
            continue  # in the schema's own list, with its reason
        if column.name in referring and not column.primary_key and not _unique(table, column):
            column = replace(column, access=READ_ONLY)
        if timestamps and column.name in ("created_at", "updated_at"):
            continue  # dbgen's TimestampMixin
        if column.name in relations:
            fk = relations[column.name]
            token = _relation_token(table, column, fk)
            model.relations.append((fk.target_model, token, column.nullable))
            model.order.append((position, token))
            continue
        if table.primary_key.columns == (column.name,) and _implicit_id(column):
            continue  # dbgen's own `id`
        token = _field(table, column, left, trigrams=schema.backend == "postgres", rule=rules.get(column.name))
        if token:
            model.order.append((position, token))
    model.options += _multi(table, "--unique", unique=True)
    model.options += _multi(table, "--index", unique=False)
    return model


def _timestamps(table: Table) -> bool:
    """dbgen's created_at and updated_at (TimestampMixin) stand for the table's own when it has both, NOT NULL,
    timestamps the database fills."""
    found = {c.name: c for c in table.columns if c.name in ("created_at", "updated_at")}
    return len(found) == 2 and all(
        c.type.name == "datetime" and not c.nullable and c.default is not None for c in found.values()
    )


def _implicit_id(column: Column) -> bool:
    return column.name == "id" and column.type.name == "int" and column.autoincrement


def foreign_key_signature(table: Table, fk: ForeignKey) -> str:
    """A foreign key by its table and columns (`staff.reports_to`): SQLite's have no names."""
    return f"{table.name}.{','.join(fk.columns)}"


def _relation(table: Table, fk: ForeignKey, left: list[LeftOut], served: set[str], composite: set[str]) -> bool:
    """Whether the foreign key is a relation add-model can write; if not, its columns stay plain columns."""
    where = foreign_key_signature(table, fk)
    if not fk.target_model:
        return False  # its target is not imported: the report says so already
    if fk.self_reference and not all(c.nullable for c in table.columns if c.name in fk.columns):
        left.append(LeftOut(where, "foreign key", "to its own table, required: its column is read-only"))
        return False
    if fk.target_model not in served:
        left.append(LeftOut(where, "foreign key", "to a table that is not served: its column is read-only"))
        return False
    if len(fk.columns) > 1:
        left.append(LeftOut(where, "foreign key", "a foreign key of several columns: its columns are read-only"))
        return False
    if fk.target_model in composite:
        left.append(LeftOut(where, "foreign key", "to a key of several columns: its column is read-only"))
        return False
    if fk.on_delete not in ON_DELETE:
        left.append(LeftOut(where, "foreign key", f"ON DELETE {fk.on_delete} has no relation modifier"))
        return False
    return True


def _relation_token(table: Table, column: Column, fk: ForeignKey) -> str:
    parts = [fk.relation, fk.target_model]
    if column.primary_key:
        parts.append("key")
    if column.name != f"{fk.relation}_id":
        parts.append(f"column={column.name}")
    if ON_DELETE[fk.on_delete]:
        parts.append(ON_DELETE[fk.on_delete])
    if table.primary_key.columns[0] != column.name:  # the first column of a key is found by the key's index
        parts += _index(table, column, sortable=True)
    return ":".join(parts) + ("?" if column.nullable else "")


def _field(
    table: Table, column: Column, left: list[LeftOut], *, trigrams: bool = False, rule: Rule | None = None
) -> str:
    """A column's token, or "" (and why, into `left`) when the grammar has no type for it."""
    kind = column.type
    where = f"{table.name}.{column.name}"
    base = kind.name
    modifiers: list[str] = []
    if base == "array":
        left.append(LeftOut(where, "column", f"{kind.db}: dbgen has no list type"))
        return ""
    if base == "int" and kind.db.upper().startswith(("SMALLINT", "INT2")) and not kind.unsigned:
        base = "smallint"
    elif base == "str" and rule is not None and _enumerable(rule.choices, kind.length):
        base = f"enum({','.join(rule.choices)})"  # text a CHECK (... IN ...) keeps to these values
    elif base == "str":
        if kind.fixed or kind.length != STR_DEFAULT:
            modifiers.append(f"maxlen={kind.length}")
        if kind.fixed:
            modifiers.append("fixed")
    elif base == "decimal":
        if kind.precision is not None and (kind.precision, kind.scale or 0) != DECIMAL_DEFAULT:
            modifiers += [f"precision={kind.precision}", f"scale={kind.scale or 0}"]
    elif base == "float" and kind.db.upper().split("(")[0] in SINGLE_FLOATS:
        modifiers.append("single")
    elif base == "datetime" and not kind.timezone:
        modifiers.append("naive")
    elif base == "time" and kind.timezone:
        left.append(LeftOut(where, "column", f"{kind.db}: a time of day with a time zone has no dbgen type"))
        return ""
    elif base == "json" and kind.db.upper() == "JSONB":
        modifiers.append("jsonb")
    elif base == "enum":
        bad = [v for v in kind.choices if any(c in v for c in ENUM_FORBIDDEN) or not v]
        if bad:
            left.append(LeftOut(where, "column", f"enum value {bad[0]!r} cannot be written in a field spec"))
            return ""
        base = f"enum({','.join(kind.choices)})"
        modifiers.append(f"native={kind.enum_name}" if kind.enum_name else "native")
    if kind.bounds is not None:  # the database type's own range, and a CHECK's within it
        rule = merged(rule, Rule(low=Decimal(kind.bounds[0]), high=Decimal(kind.bounds[1])))
    if rule is not None and base in NUMBERS:  # a CHECK's bounds: min= and max=
        modifiers += _bounds(rule, base, kind.scale)
    typed = base + ("" if column.access == READ_ONLY else _default(column))
    if column.primary_key:
        first = table.primary_key.columns[0] == column.name  # numbered: a key's only or first column (_unkeyed)
        modifiers.append("key:auto" if column.autoincrement and first else "key")
    if column.name != column.python:
        modifiers.append(f"column={column.name}")
    if column.access == READ_ONLY:
        modifiers.append("readonly")
    elif column.default is not None and "=" not in typed[len(base) :] and not column.primary_key:
        modifiers.append("dbdefault")
    if not column.primary_key:
        modifiers += _index(table, column, sortable=kind.name in SORTABLE, trigrams=trigrams)
    return ":".join([column.python, typed, *modifiers]) + ("?" if column.nullable and not column.primary_key else "")


def link_index(table: Table) -> str:
    """The name of dbgen's index on the second column of a many-to-many's link table."""
    assert table.link is not None
    return f"ix_{table.name}_{table.link.right.columns[0]}"


def _enumerable(choices: tuple[str, ...], length: int | None) -> bool:
    """Values an enum field can list (as written in a field token), each within the column's length."""
    return bool(choices) and all(
        value and not any(c in value for c in ENUM_FORBIDDEN) and (length is None or len(value) <= length)
        for value in choices
    )


def _bounds(rule: Rule, base: str, scale: int | None) -> list[str]:
    """min= and max= of a number field for a CHECK's bounds; a strict one (> or <) as the nearest value the field
    holds inside it (whole numbers; a decimal's last digit), none for a float."""
    whole = NUMBERS[base] is int
    step = Decimal(1) if whole else Decimal(1).scaleb(-(scale or 0)) if base == "decimal" else None
    out = []
    for name, value, strict, sign in (("min", rule.low, rule.low_strict, 1), ("max", rule.high, rule.high_strict, -1)):
        if value is None or (strict and step is None):
            continue
        if strict:
            assert step is not None
            value += sign * step
        if whole:
            value = value.to_integral_value(rounding=ROUND_CEILING if sign > 0 else ROUND_FLOOR)
        out.append(f"{name}={value.normalize():f}")
    return out


def _default(column: Column) -> str:
    """`=value` for a constant default add-model can write; "" otherwise (then the field says dbdefault)."""
    found = column.default
    if found is None or not found.constant or column.type.name not in CONSTANT_DEFAULTS or column.primary_key:
        return ""
    value = found.value
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, Decimal | int | float):
        text = str(value)
    else:
        text = str(value)
        if not text or not text.isprintable() or any(c in text for c in '"\\:?'):
            return ""
    return f"={text}"


def _index(table: Table, column: Column, *, sortable: bool, trigrams: bool = False) -> list[str]:
    """`unique`, `unique=NAME`, `index=NAME` or `noindex`: the column's own index as the database has it, where
    add-model's default (a sort key's index, named by dbgen's convention) would differ.

    `trigrams` (PostgreSQL): dbgen searches a text field through a trigram index of its own; a column the database
    has no such index for keeps its index by name, or says noindex, which leaves it out of the search instead."""
    default_name = f"ix_{table.name}_{column.name}"
    search = f"{default_name}_trgm"  # PostgreSQL: the trigram index dbgen makes for the search of a text field
    own = [i for i in table.indexes if i.columns == (column.name,) and not i.expression and i.name != search]
    searched = column.type.name in TYPES and TYPES[column.type.name].searchable  # what `q` looks in
    unsearched = trigrams and searched and not any(i.name == search for i in table.indexes)
    unique = next((i for i in own if i.unique), None)
    if column.unique and unique is None:
        return ["unique"]  # a constraint the inspector gave without an index of its own
    if unique is not None:
        return ["unique" if _dbgen_name(unique, default_name) and not unsearched else f"unique={unique.name}"]
    plain = next((i for i in own if not i.unique), None)
    if plain is not None:
        return [] if plain.name == default_name and sortable and not unsearched else [f"index={plain.name}"]
    return ["noindex"] if sortable or unsearched else []


def _unique(table: Table, column: Column) -> bool:
    return column.unique or any(i.unique and i.columns == (column.name,) for i in table.indexes)


def _dbgen_name(index: Index, default_name: str) -> bool:
    """The name dbgen would give it, or none at all (SQLite's automatic index of an inline UNIQUE)."""
    return index.name in (default_name, "") or index.name.startswith("sqlite_autoindex_")


def _multi(table: Table, option: str, *, unique: bool) -> list[str]:
    """--unique NAME:a,b and --index NAME:a,b for the indexes over several columns, by the fields' names."""
    python = {c.name: c.python for c in table.columns}
    for fk in table.foreign_keys:
        if fk.relation and len(fk.columns) == 1:
            python[fk.columns[0]] = f"{fk.relation}_id"
    out = []
    for index in table.indexes:
        if len(index.columns) < 2 or index.expression or index.unique != unique:
            continue
        if index.columns == table.primary_key.columns:
            continue
        name = index.name
        if not name or name.startswith("sqlite_autoindex_"):
            name = f"uq_{table.name}_{index.columns[0]}" if unique else f"ix_{table.name}_{index.columns[0]}"
        out += [option, f"{name}:{','.join(python[c] for c in index.columns)}"]
    return out


def _link(table: Table, models: dict[str, _Model], left: list[LeftOut]) -> None:
    """A many-to-many link table: `actors:Actor[]:through=film_actor` on its left model."""
    assert table.kind == LINK and table.link is not None
    link = table.link
    owner, target = models[link.left.target_model], models[link.right.target_model]
    if (link.left.on_delete, link.right.on_delete) != ("CASCADE", "CASCADE"):
        left.append(
            LeftOut(
                table.name,
                "link",
                f"ON DELETE {link.left.on_delete}/{link.right.on_delete}: a many-to-many link goes with either side "
                "in dbgen (CASCADE); the database keeps its own rule",
            )
        )
    parts = [link.left_field, f"{target.table.names.cls}[]", f"through={table.name}"]
    if link.left.columns[0] != f"{owner.table.names.module}_id":
        parts.append(f"left={link.left.columns[0]}")
    other = link.right.columns[0]
    if other != f"{target.table.names.module}_id":
        parts.append(f"right={other}")
    if not any(i.columns == (other,) and i.name == link_index(table) for i in table.indexes):
        parts.append("noindex")  # dbgen's index on the other column is not there (another of its own stays)
    token = ":".join(parts)
    owner.relations.append((target.table.names.cls, token, True))
    owner.order.append((len(owner.table.columns) + len(owner.order), token))


def _order(models: dict[str, _Model]) -> tuple[list[str], set[tuple[str, str]]]:
    """The models parents first (each the first in the schema's order whose parents are all added; a relation to
    the model itself is written with it), and the relations that wait for add-field: where models refer to each
    other in a cycle, an optional one of the cycle (add-field gives a table that holds rows no required field)."""
    deferred: set[tuple[str, str]] = set()
    order: list[str] = []
    left = list(models)
    while left:
        ready = next(
            (
                cls
                for cls in left
                if all(t in order or t == cls or (cls, token) in deferred for t, token, _ in models[cls].relations)
            ),
            None,
        )
        if ready is not None:
            order.append(ready)
            left.remove(ready)
            continue
        waiting = [
            (not nullable, cls, token)
            for cls in left
            for target, token, nullable in models[cls].relations
            if target in left and target != cls and (cls, token) not in deferred
        ]
        _, cls, token = min(waiting, key=lambda w: (w[0], left.index(w[1])))
        deferred.add((cls, token))
    return order, deferred
