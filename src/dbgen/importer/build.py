"""From what the inspector gave to the Schema: which tables become models, their Python names, their columns' types
and roles, and every rename and omission, each with its reason.

Two rules for names. A table or column whose converted name is a Python keyword, one of dbgen's reserved names or a
built-in model is renamed the one way it can be (`type` -> `type_field`, `users` -> `UserRecord`), and the rename is
reported. Two tables (`Order`, `order_`) or two columns (`FirstName`, `first_name`) that convert to the same name
are an error naming both: neither has a better claim, and a rename would silently swap what the API calls them.
"""

from __future__ import annotations

import keyword
import re
from collections import Counter
from typing import Any

from dbgen.errors import InvalidName
from dbgen.fields import RESERVED, RESERVED_MODELS
from dbgen.importer.ir import (
    COMPOSITE,
    IDENTITY,
    LEFT_OUT,
    LINK,
    LINK_MODEL,
    MAPPED,
    MODEL,
    NATURAL,
    READ_ONLY,
    Check,
    Column,
    ForeignKey,
    Index,
    LeftOut,
    Link,
    PrimaryKey,
    Rename,
    Schema,
    Table,
)
from dbgen.importer.reflect import DatabaseError, Raw
from dbgen.importer.types import default, map_type
from dbgen.naming import ModelNames, pascal, singularize, snake

# The tables dbgen's own models use in a generated project (login, roles, mail, the example Item): a source table of
# one of these names keeps it, and the later step gives dbgen's own another.
DBGEN_TABLES = (
    "users", "items", "roles", "user_roles", "login_sessions", "login_failures", "account_tokens",
    "mail_deliveries", "refresh_tokens", "alembic_version",
)  # fmt: skip
# The classes of dbgen's own models (the example Item, login, roles, mail): a table that would take one is renamed.
DBGEN_MODELS = (
    "User", "Item", "Role", "UserRole", "LoginSession", "LoginFailure", "AccountToken", "MailDelivery", "RefreshToken",
)  # fmt: skip
# Columns an imported table may keep under their own names: dbgen adds no timestamps to imported models.
OWN_COLUMNS = frozenset({"created_at", "updated_at"})
# Words the English rules of naming.singularize would break (status -> statu).
_SINGULAR = ("us", "ss", "is", "ics", "news", "series", "data", "media")
_ASCII = re.compile(r"^[\x20-\x7e]+$")
SUFFIX = "_field"  # a column's rename: `type` -> `type_field`, as Django's inspectdb does
MODEL_SUFFIX = "Record"  # a table's rename: `users` -> UserRecord (User is dbgen's own)
_ON_DELETE = {"NO ACTION", "RESTRICT", "CASCADE", "SET NULL", "SET DEFAULT"}


def build(
    raw: Raw,
    tables: list[str] | None = None,
    exclude: list[str] | None = None,
    builtin: tuple[str, ...] = DBGEN_MODELS,
) -> Schema:
    left: list[LeftOut] = []
    renames: list[Rename] = []
    chosen = _choose(raw, tables, exclude, left)
    keyed = []
    for table in chosen:
        reason = _unkeyed(raw, table)
        if not reason:
            keyed.append(table)
        elif tables and table in tables:
            raise DatabaseError(f"table {table!r}: {reason}")
        else:
            left.append(LeftOut(table, "table", reason))
    if not keyed:
        raise DatabaseError(
            f"the database {raw.url} has no table with a primary key to import" + _after(tables, exclude)
        )
    names = _model_names(keyed, builtin, renames)
    built = [_table(raw, t, names, renames, left) for t in keyed]
    _unique_names("table", [(t, names[t].cls) for t in keyed])
    built = [_classify(t, names, left) for t in built]
    enums = tuple(sorted(raw.enums.items()))
    taken = tuple(t for t in DBGEN_TABLES if t in raw.tables)
    left += [LeftOut(i, "index", "an expression index stays in the database") for i in raw.skipped_indexes]
    views = tuple(raw.views)
    left += [LeftOut(v, "view", "a view stays in the database; it is not served") for v in views]
    return Schema(raw.backend, raw.url, tuple(built), views, tuple(left), tuple(renames), enums, taken)


def _unkeyed(raw: Raw, table: str) -> str:
    """Why a table cannot be a model: no primary key, or a key of a type dbgen has no field for ("" when it can)."""
    pk = raw.primary_keys.get(table, {}).get("constrained_columns")
    if not pk:
        return "no primary key: rows cannot be read, changed or deleted one by one"
    for col in raw.columns.get(table, []):
        if col["name"] in pk:
            kind = map_type(
                col["type"],
                backend=raw.backend,
                declared=raw.declared.get((table, col["name"]), ""),
                unknown=raw.unknown_types.get(("", col["name"]), ""),
                dialect=raw.dialect,
            )
            if not kind.name or kind.name == "array":
                return f"its primary key {col['name']!r} is of type {kind.db}, which dbgen has no field for"
    return ""


def _after(tables: list[str] | None, exclude: list[str] | None) -> str:
    return " after --tables/--exclude" if tables or exclude else ""


def _choose(raw: Raw, tables: list[str] | None, exclude: list[str] | None, left: list[LeftOut]) -> list[str]:
    """The base tables to import: --tables, less --exclude; partitions and Alembic's own table never."""
    for option, named in (("--tables", tables), ("--exclude", exclude)):
        for name in named or ():
            if name not in raw.tables:
                hint = f" (a partition of {raw.partitions[name]})" if name in raw.partitions else ""
                raise DatabaseError(f"{option}: no table {name!r} in the database{hint}")
    candidates = []
    for table in raw.tables:
        if table in raw.partitions:
            left.append(LeftOut(table, "partition", f"a partition of {raw.partitions[table]}, which is the model"))
        elif table == "alembic_version":
            left.append(LeftOut(table, "table", "Alembic's own table: the generated project's migrations keep theirs"))
        elif (tables and table not in tables) or (exclude and table in exclude):
            continue
        else:
            candidates.append(table)
    if not candidates:
        raise DatabaseError(f"the database {raw.url} has no tables to import" + _after(tables, exclude))
    return candidates


def _ascii(what: str, name: str) -> None:
    if not _ASCII.match(name) or not re.search(r"[A-Za-z0-9]", name):
        raise InvalidName(f"{what} {name!r} has no ASCII letters or digits to make a Python name of")


def _attribute(name: str) -> str:
    """A database name in snake_case: `ArtistId` -> artist_id, `First Name` -> first_name, `2fa` -> n2fa."""
    words = snake(re.sub(r"[^A-Za-z0-9]+", "_", name))
    return f"n{words}" if words[:1].isdigit() else words


def _singular(module: str) -> str:
    head, _, last = module.rpartition("_")
    if last.endswith(_SINGULAR):
        return module
    return f"{head}_{singularize(last)}" if head else singularize(last)


def _model_names(tables: list[str], builtin: tuple[str, ...], renames: list[Rename]) -> dict[str, ModelNames]:
    names = {}
    for table in tables:
        _ascii("table", table)
        module = _singular(_attribute(table))
        cls = pascal(module)
        reason = ""
        if cls in builtin:
            reason = f"{cls} is dbgen's own model"
        elif cls in RESERVED_MODELS or module in ("health", "stats"):
            reason = f"{cls} is a name the generated project uses itself"
        elif keyword.iskeyword(module) or keyword.issoftkeyword(module):
            reason = f"{module} is a Python keyword"
        if reason:
            new = cls + MODEL_SUFFIX
            renames.append(Rename(table, "", cls, new, reason))
            module, cls = snake(new), new
        names[table] = ModelNames.named(cls, module, table)
    return names


def _unique_names(what: str, pairs: list[tuple[str, str]], where: str = "") -> None:
    counts = Counter(name for _, name in pairs)
    for name, count in counts.items():
        if count > 1:
            sources = " and ".join(repr(source) for source, n in pairs if n == name)
            fix = "exclude one with --exclude" if what == "table" else "rename one in the database or --exclude it"
            raise InvalidName(f"{where}{what}s {sources} both become {name!r} in Python; {fix}")


def _table(raw: Raw, table: str, names: dict[str, ModelNames], renames: list[Rename], left: list[LeftOut]) -> Table:
    pk = tuple(raw.primary_keys[table]["constrained_columns"])
    singles_unique = {tuple(u["column_names"]) for u in raw.uniques.get(table, [])}
    indexes = []
    for found in raw.indexes.get(table, []):
        cols = tuple(c for c in found["column_names"] if c is not None)
        if cols == pk and (found["name"] or "").startswith("sqlite_autoindex"):
            continue  # SQLite's index of a primary key that is not the rowid
        expression = len(cols) < len(found["column_names"]) or bool(found.get("expressions"))
        indexes.append(Index(found["name"] or "", cols, bool(found.get("unique")), expression))
        if expression:
            left.append(LeftOut(f"{table}.{found['name']}", "index", "an expression index stays in the database"))
        elif found.get("unique"):
            singles_unique.add(cols)
    single_index = {i.columns[0] for i in indexes if len(i.columns) == 1 and not i.unique and not i.expression}
    fks = [fk for fk in raw.foreign_keys.get(table, []) if fk["referred_table"]]
    read = [_column(raw, table, c, pk, singles_unique, single_index) for c in raw.columns.get(table, [])]
    columns = _column_names(table, read, pk, renames)
    for col in columns:
        if col.access != MAPPED:
            left.append(LeftOut(f"{table}.{col.name}", "column", f"{col.access.replace('_', '-')}: {col.reason}"))
    by_name = {c.name: c for c in columns}
    kind = COMPOSITE if len(pk) > 1 else IDENTITY if by_name[pk[0]].autoincrement else NATURAL
    json_checks = {f"json_valid(`{c.name}`)" for c in columns if c.type.db.endswith("(JSON)")}
    checks = [
        Check(c.get("name") or "", c["sqltext"]) for c in raw.checks.get(table, []) if c["sqltext"] not in json_checks
    ]
    for found_col in raw.columns.get(table, []):
        domain = getattr(found_col["type"], "name", None)
        if type(found_col["type"]).__name__ == "DOMAIN" and domain in raw.domains:
            # The domain's checks as the column's own: VALUE is the column (its bounds become the field's).
            column = f'"{found_col["name"]}"'.replace("\\", "\\\\")  # a replacement string: backslashes doubled
            checks += [
                Check(f"{domain}.{c['name']}", re.sub(r"\bVALUE\b", column, c["check"], flags=re.I))
                for c in raw.domains[domain]
            ]
    blocked = [c for c in columns if c.access == LEFT_OUT and c.needs_value]
    return Table(
        name=table,
        names=names[table],
        kind=MODEL,
        columns=tuple(columns),
        primary_key=PrimaryKey(pk, kind),
        foreign_keys=tuple(_foreign_key(table, fk, names, columns) for fk in fks),
        uniques=tuple(sorted(u for u in singles_unique if len(u) > 1)),
        indexes=tuple(indexes),
        checks=tuple(checks),
        comment=raw.comments.get(table, ""),
        insertable=not blocked,
        reason=", ".join(
            f"{c.name} ({c.type.db}) is NOT NULL without a default and has no dbgen type" for c in blocked
        ),
    )


def _column(
    raw: Raw,
    table: str,
    col: dict[str, Any],
    pk: tuple[str, ...],
    uniques: set[tuple[str, ...]],
    indexed: set[str],
) -> Column:
    name = col["name"]
    kind = map_type(
        col["type"],
        backend=raw.backend,
        declared=raw.declared.get((table, name), ""),
        unknown=raw.unknown_types.get(("", name), ""),
        dialect=raw.dialect,
    )
    if raw.backend == "mysql" and kind.name in ("text", "") and _json_checked(raw, table, name):
        kind = kind.__class__("json", f"{kind.db} (JSON)")  # MariaDB's JSON: LONGTEXT with CHECK json_valid()
    primary = name in pk
    auto = bool(col.get("autoincrement")) and col.get("autoincrement") != "auto"
    if raw.backend == "sqlite" and primary and len(pk) == 1 and kind.db.upper() == "INTEGER":
        auto = True  # INTEGER PRIMARY KEY is SQLite's rowid: the database numbers new rows
    computed = (col.get("computed") or {}).get("sqltext", "")
    identity = col.get("identity")
    access, reason = MAPPED, ""
    if not kind.name:
        access, reason = LEFT_OUT, f"{kind.db} has no dbgen type"
    elif kind.name == "array":
        access, reason = READ_ONLY, f"{kind.db}: a list of {kind.item} values is shown, not written"
    elif computed:
        access, reason = READ_ONLY, f"generated by the database ({computed})"
    serial = auto and str(col.get("default") or "").startswith("nextval(")
    return Column(
        name=name,
        python="",
        type=kind,
        nullable=bool(col.get("nullable")),
        default=None if serial or computed else default(col.get("default"), kind),
        primary_key=primary,
        autoincrement=auto and primary,
        identity=("always" if identity.get("always") else "by default") if identity else "",
        computed=str(computed),
        unique=(name,) in uniques,
        index=name in indexed,
        comment=col.get("comment") or "",
        access=access,
        reason=reason,
    )


def _json_checked(raw: Raw, table: str, column: str) -> bool:
    return any(
        re.search(rf"json_valid\(`?{re.escape(column)}`?\)", c["sqltext"], re.I) for c in raw.checks.get(table, [])
    )


def _column_names(table: str, columns: list[Column], pk: tuple[str, ...], renames: list[Rename]) -> list[Column]:
    from dataclasses import replace

    converted = []
    for col in columns:
        _ascii(f"column of table {table!r}", col.name)
        converted.append((col.name, _attribute(col.name)))
    _unique_names("column", converted, f"table {table!r}: ")
    taken = {python for _, python in converted}
    out = []
    for col, (_, python) in zip(columns, converted, strict=True):
        reason = ""
        if python == "id" and not (col.primary_key and len(pk) == 1):
            reason = "id names a model's key in dbgen, and this column is not the key"
        elif keyword.iskeyword(python) or keyword.issoftkeyword(python):
            reason = f"{python} is a Python keyword"
        elif python in RESERVED and python not in OWN_COLUMNS and python != "id":
            reason = f"{python} is reserved in a dbgen model (a query parameter or a name of its own)"
        if reason:
            new = python + SUFFIX
            while new in taken:
                new += "_"
            taken.add(new)
            renames.append(Rename(table, col.name, python, new, reason))
            python = new
        out.append(replace(col, python=python))
    return out


def _foreign_key(table: str, fk: dict[str, Any], names: dict[str, ModelNames], columns: list[Column]) -> ForeignKey:
    rule = ((fk.get("options") or {}).get("ondelete") or "NO ACTION").upper()
    target = fk["referred_table"]
    cols = tuple(fk["constrained_columns"])
    return ForeignKey(
        name=fk.get("name") or "",
        columns=cols,
        target=target,
        target_columns=tuple(fk["referred_columns"]),
        on_delete=rule if rule in _ON_DELETE else "NO ACTION",
        self_reference=target == table,
        target_model=names[target].cls if target in names else "",
    )


def _classify(table: Table, names: dict[str, ModelNames], omitted: list[LeftOut]) -> Table:
    """Relations named; a table of two foreign keys that are its whole key is a link: a many-to-many when the
    database fills every other column it has (a default, NULL), else a link with columns of its own."""
    from dataclasses import replace

    pythons = {c.name: c.python for c in table.columns}
    fks = []
    taken = set(pythons.values())
    for fk in table.foreign_keys:
        if not fk.target_model:
            fks.append(fk)
            continue
        target = names[fk.target]
        first = pythons[fk.columns[0]]
        if len(fk.columns) == 1 and first.endswith("_id") and first != "_id":
            relation = first.removesuffix("_id")
        elif len(fk.columns) == 1 and first.startswith(target.module) and first != target.module:
            relation = target.module
        else:
            relation = "_".join(pythons[c] for c in fk.columns) + "_" + target.module
        while relation in taken or relation in RESERVED or keyword.iskeyword(relation):
            relation += "_ref"
        taken.add(relation)
        fks.append(replace(fk, relation=relation))
    table = replace(table, foreign_keys=tuple(fks))
    pk = set(table.primary_key.columns)
    linking = [fk for fk in fks if fk.target_model and set(fk.columns) <= pk]
    if (
        len(fks) == 2
        and len(linking) == 2
        and set(linking[0].columns) | set(linking[1].columns) == pk
        and not set(linking[0].columns) & set(linking[1].columns)
        and linking[0].target != linking[1].target
    ):
        # The relation goes on the model of the key's first column: the key serves its lookups, as dbgen's own
        # link tables' keys do, and an index on the other column serves the other side's.
        left, right = sorted(linking, key=lambda fk: table.primary_key.columns.index(fk.columns[0]))
        link = Link(left, right, names[right.target].plural, names[left.target].plural)
        own = [c for c in table.columns if c.name not in pk and c.access != LEFT_OUT]
        if any(c.needs_value for c in own):
            return replace(table, kind=LINK_MODEL, link=link)  # a link needs a value the client would give
        # A column of its own (`last_update DEFAULT now()`) stays the database's: links are written without it.
        reason = "a link's own column, which the database fills; not served"
        omitted += [LeftOut(f"{table.name}.{c.name}", "column", reason) for c in own]
        columns = tuple(replace(c, access=LEFT_OUT, reason=reason) if c in own else c for c in table.columns)
        return replace(table, kind=LINK, link=link, columns=columns)
    return table
