"""The text `dbgen new --from-database ... --dry-run` prints: every model with its fields, every link table,
everything left out or read-only with the reason, and every rename."""

from __future__ import annotations

from collections.abc import Sequence

from dbgen.importer.ir import LINK_MODEL, MAPPED, Column, LeftOut, Rename, Schema, Table


def _field(column: Column, table: Table) -> str:
    marks = []
    if column.primary_key:
        marks.append(f"key ({table.primary_key.kind})")
    if not column.nullable and not column.primary_key:
        marks.append("required")
    if column.unique:
        marks.append("unique")
    if column.index:
        marks.append("index")
    if column.default is not None:
        marks.append(
            f"default {column.default.value!r}" if column.default.constant else f"default {column.default.server}"
        )
    if column.access != MAPPED:
        marks.append(column.access.replace("_", "-"))
    name = column.name if column.name == column.python else f"{column.name} -> {column.python}"
    return f"    {name}: {column.type}" + (f"  [{', '.join(marks)}]" if marks else "")


def _model(table: Table) -> list[str]:
    kind = " (a link with columns of its own)" if table.kind == LINK_MODEL else ""
    lines = [f"  {table.name} -> {table.names.cls} ({table.names.route}){kind}"]
    lines += [_field(c, table) for c in table.columns]
    for fk in table.foreign_keys:
        cols = ", ".join(fk.columns)
        if fk.target_model:
            target = "itself" if fk.self_reference else fk.target_model
            lines.append(f"    {fk.relation} -> {target} by {cols} (ON DELETE {fk.on_delete})")
        else:
            lines.append(f"    {cols} references {fk.target}, which is not imported: a plain column")
    lines += [f"    unique ({', '.join(u)})" for u in table.uniques]
    lines += [f"    check {c.name}: {c.sql}" for c in table.checks]
    if not table.insertable:
        lines.append(f"    rows cannot be created: {table.reason}")
    return lines


def render(schema: Schema) -> str:
    lines = [f"Read {schema.url} ({schema.backend}): {len(schema.models)} models, {len(schema.links)} link tables"]
    lines.append("Models:")
    for table in schema.models:
        lines += _model(table)
    if schema.links:
        lines.append("Many-to-many links:")
        for table in schema.links:
            assert table.link is not None
            left, right = table.link.left, table.link.right
            lines.append(
                f"  {table.name}: {left.target_model}.{table.link.left_field} <-> {right.target_model}."
                f"{table.link.right_field} (ON DELETE {left.on_delete}/{right.on_delete})"
            )
    lines += omissions(schema.left_out, schema.renames)
    if schema.taken:
        lines.append(
            f"Tables dbgen's own models would use, taken here (dbgen's take other names): {', '.join(schema.taken)}"
        )
    return "\n".join(lines) + "\n"


def omissions(left_out: Sequence[LeftOut], renames: Sequence[Rename]) -> list[str]:
    """The lines that say what was left out or made read-only, and what was renamed, each with its reason."""
    lines = []
    if left_out:
        lines.append("Left out or read-only:")
        lines += [f"  {item.what} {item.name}: {item.reason}" for item in left_out]
    if renames:
        lines.append("Renamed:")
        for rename in renames:
            where = f"{rename.table}.{rename.column}" if rename.column else f"table {rename.table}"
            lines.append(f"  {where}: {rename.old} -> {rename.new} ({rename.reason})")
    return lines
