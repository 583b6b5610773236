"""`dbgen add-model` and `dbgen remove-model`: one generator, run forwards or backwards.

A model is a set of new files (rendered from templates/model) plus one-line registrations at marked
places in files the user owns. add-model writes both; remove-model deletes the files it wrote and
takes the registrations out again. Both plan everything first and write nothing on any error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from dbgen import __version__, baseline, edits, releases
from dbgen import policy as access
from dbgen.errors import Conflict, DbgenError, InvalidName, InvalidOption
from dbgen.fields import (
    Field,
    ModelSpec,
    check_backend,
    for_backend,
    model_key,
    model_keys,
    parse_field,
    parse_model,
    parse_model_name,
)
from dbgen.naming import ModelNames
from dbgen.plan import Action, Plan
from dbgen.project import ANSWERS, AddedModel, Project, digest, find, migration_head
from dbgen.render import render_template, render_tree


@dataclass(frozen=True)
class Registration:
    """One line that makes a model known, added above a marker in a file the user owns."""

    path: str
    marker: str
    line: str
    sort: bool = False
    # Instead of a line at the marker: `line` in place of the line `replaces` (an import that gains a name),
    # put back on removal once no line of the file contains `needed` any more.
    replaces: str = ""
    needed: str = ""


def registrations(project: Project, spec: ModelSpec, *, admin: bool | None = None) -> list[Registration]:
    """The lines that make the model known; `admin` says whether the project has /admin (default: look)."""
    names = spec.names
    found = [
        Registration("app/api/router.py", "# dbgen: router imports",
                     f"from app.api.routes.{names.plural} import router as {names.plural}_router", sort=True),
        Registration("app/api/router.py", "# dbgen: routers", f"    {names.plural}_router,"),
        Registration("app/api/deps.py", "# dbgen: repository imports",
                     f"from app.repositories.{names.module} import {names.cls}Repository", sort=True),
        Registration("app/api/deps.py", "# dbgen: repositories",
                     f"{names.plural_cls} = Annotated[{names.cls}Repository, repository({names.cls}Repository)]"),
        Registration("app/seed/registry.py", "# dbgen: seed imports",
                     f"from app.seed.{names.module} import SEED as {names.module}", sort=True),
        Registration("app/seed/registry.py", "# dbgen: seeds", f"    {names.module},"),
    ]  # fmt: skip
    if project.backend.is_sql:
        found.append(
            Registration(
                "app/models/__init__.py",
                "# dbgen: models",
                f"from app.models.{names.module} import {names.cls} as {names.cls}",
                sort=True,
            )
        )
        for field in spec.parents:
            if field.target is not None and project.is_built_in(field.target.cls):
                found.extend(_reverse_relation(names, field))
    else:
        found.extend(_document_registrations(spec))
    if has_admin(project) if admin is None else admin:
        found += [
            Registration("app/admin/site.py", "# dbgen: admin imports",
                         f"from app.admin.{names.module} import {names.cls}View", sort=True),
            Registration("app/admin/site.py", "# dbgen: admin views", f"    admin.add_view({names.cls}View(app))"),
        ]  # fmt: skip
    return found


def has_admin(project: Project) -> bool:
    """A project made before dbgen wrote /admin has no admin: its models get no admin view."""
    return project.read("app/admin/site.py") is not None


def _document_registrations(spec: ModelSpec) -> list[Registration]:
    """A collection's indexes, created at startup, and each of its references, followed on delete.

    `from app.models import x as x` is the one import form isort keeps on a line of its own (and mypy
    reads as a re-export), so each model is one line to add and one to take out again.
    """
    path, module = "app/models/__init__.py", spec.names.module
    found = [
        Registration(path, "# dbgen: model imports", f"from app.models import {module} as {module}", sort=True),
        Registration(path, "# dbgen: models", f"    {module}.COLLECTION: {module}.INDEXES,"),
    ]
    for field in spec.relations:
        assert field.target is not None
        on_delete = {"RESTRICT": "restrict", "CASCADE": "cascade", "SET NULL": "set_null"}[field.on_delete]
        if field.many:
            on_delete = "pull"  # a deleted parent's id leaves the array; the document stays
        args = [f"{module}.COLLECTION", f'"{field.column}"', f"{field.target.module}.COLLECTION", f'"{on_delete}"']
        found.append(Registration(path, "# dbgen: references", edits.call(4, "Reference", args, ",")))
    return found


def _reverse_relation(child: ModelNames, field: Field) -> list[Registration]:
    """The parent's side of a many-to-one: `products: Mapped[list["Product"]]` on Category."""
    assert field.target is not None
    path = f"app/models/{field.target.module}.py"
    keys = [f'foreign_keys="{child.cls}.{field.column}"'] if field.reverse else []
    attribute = edits.call(
        4,
        f'{field.reverse or child.plural}: Mapped[list["{child.cls}"]] = relationship',
        [*keys, f'back_populates="{field.name}"', 'lazy="raise"', "passive_deletes=True"],
    )
    return [
        Registration(
            path, "# dbgen: model imports", f"    from app.models.{child.module} import {child.cls}", sort=True
        ),
        Registration(path, "# dbgen: relationships", attribute),
        # A User without the example Item has no relationship yet, so it does not import relationship().
        Registration(path, "", _ORM_IMPORT + ", relationship", replaces=_ORM_IMPORT, needed=" = relationship("),
    ]


_ORM_IMPORT = "from sqlalchemy.orm import Mapped, mapped_column"


@dataclass(frozen=True)
class Child:
    """A model that refers to another one: the parent's model file lists it as a one-to-many."""

    model: ModelNames
    field: str
    column: str = ""  # the attribute of its foreign key
    reverse: str = ""  # the one-to-many's name, when the model refers to it more than once


def _context(
    project: Project,
    spec: ModelSpec,
    revision: str = "",
    down_revision: str | None = None,
    *,
    admin: bool | None = None,
    policy: access.Policy | None = None,
) -> dict[str, Any]:
    if project.auth != "jwt":
        policy = None  # an open API: every operation is open, as the access rules of --auth none say
    elif policy is None:
        added = project.added.get(spec.names.cls)
        policy = added.policy if added is not None else access.default(spec.owned)
    # Its own spec as it is being written: a relation to itself makes it its own parent.
    specs = {name: _spec_of(project, name) for name in project.added if name != spec.names.cls}
    specs[spec.names.cls] = spec
    children = [
        Child(other.names, f.name, f.column, f.reverse)
        for other in specs.values()
        for f in other.parents
        if f.target is not None and f.target.cls == spec.names.cls
    ]
    return {
        "db": project.answers["db"],
        "project_name": project.answers["project_name"],
        "admin": has_admin(project) if admin is None else admin,
        "example": project.example,
        "model": spec.names,
        "owned": spec.owned,
        "timestamps": spec.timestamps,
        "fields": list(spec.fields),
        "indexes": list(spec.indexes),
        "keys": spec.keys,  # its primary key's fields; none: an `id`
        "pk": spec.keys[0].column if spec.keys else "id",
        "children": children,
        "revision": revision,
        "down_revision": down_revision,
        "policy": policy,
        "matrix": access.expected(policy) if policy is not None else {},
    }


def _rewrite_parents(project: Project, plan: Plan, spec: ModelSpec, base: dict[str, bytes], *, force: bool) -> None:
    """Re-render the model file of every added parent, so its one-to-many side matches its children.

    Those files are dbgen's as long as their hash matches the answers file; one the user changed is
    left alone unless --force, and the error says what to add by hand.
    """
    if not project.backend.is_sql:
        return
    for target in dict.fromkeys(_targets(spec, many=False)):  # once each, however many relations lead there
        if target not in project.added or target == spec.names.cls:
            continue  # built-in parents get a marker line instead (see registrations); itself is written already
        parent = _spec_of(project, target)
        path = f"app/models/{parent.names.module}.py"
        recorded = project.added[target].files.get(path)
        current = project.read(path)
        if current is not None and digest(current) != recorded and not force:
            hint = f'{spec.names.plural}: Mapped[list["{spec.names.cls}"]] = relationship(...)'
            raise Conflict(f"{path} was changed since dbgen wrote it; update `{hint}` there yourself, or use --force")
        content = render_template("model", "_partials/sql/model.py.jinja", _context(project, parent))
        plan.update(path, content)
        base[path] = content
        project.added[target].files[path] = digest(content)


def _next_revision(project: Project) -> tuple[str, str | None]:
    if not project.backend.is_sql:
        return "", None
    head, number = migration_head(project)
    return f"{number:04d}", head


def _targets(spec: ModelSpec, *, many: bool = True) -> list[str]:
    """The models it refers to; without `many`, only through many-to-one relations (the ones with a reverse side)."""
    return [f.target.cls for f in (spec.relations if many else spec.parents) if f.target is not None]


def _refuse_sql_only(project: Project, spec: ModelSpec) -> None:
    """What only a SQL database has (column names, link tables, values the database fills), refused on MongoDB."""
    if project.backend.is_sql:
        return
    if not spec.timestamps:
        raise InvalidOption(f"--no-timestamps is for SQL databases; {project.backend.label} documents keep theirs")
    for f in spec.fields:
        if f.column_name or f.through or f.readonly or f.dbdefault or f.on_delete == "NO ACTION":
            raise InvalidName(
                f"field {f.spec!r}: column=, through=, :readonly, :dbdefault and :noaction are for SQL databases"
            )


def _refuse_table_clashes(project: Project, spec: ModelSpec) -> None:
    """An association table (`product_tags`) and a model's table share one namespace."""
    tables = {names.table: key for key, names in project.models.items() if key != spec.names.cls}
    others = [_spec_of(project, key) for key in project.added if key != spec.names.cls]
    links = {f.association(other.names.module): other.names.cls for other in others for f in other.relations if f.many}
    if spec.names.table.lower() in {table.lower() for table in tables}:
        raise InvalidName(f"model {spec.names.cls}: the table {spec.names.table!r} is another model's; choose another")
    if spec.names.table in links:
        raise InvalidName(
            f"model {spec.names.cls}: its table {spec.names.table!r} would be {links[spec.names.table]}'s "
            "association table; choose another name"
        )
    own = [field.association(spec.names.module) for field in spec.relations if field.many]
    for field in spec.relations:
        table = field.association(spec.names.module)
        if field.many and (table in links or own.count(table) > 1):
            raise InvalidName(f"field {field.spec!r}: the link table {table!r} is another relation's")
        if field.many and table in tables:
            raise InvalidName(
                f"field {field.spec!r}: its association table {table!r} is {tables[table]}'s table; "
                "name the field otherwise"
            )


def _own_files(project: Project, key: str) -> dict[str, str]:
    """An added model's files and their recorded hashes, but for its migrations (history, never rewritten)."""
    return {path: recorded for path, recorded in project.added[key].files.items() if not path.startswith("migrations/")}


def _edited(project: Project, files: dict[str, str]) -> list[str]:
    """Those of these files that differ from the hash recorded when dbgen wrote them."""
    return [path for path, recorded in files.items() if (c := project.read(path)) is not None and digest(c) != recorded]


def _next_steps(project: Project) -> list[str]:
    return [*(["alembic upgrade head", "alembic check"] if project.backend.is_sql else []), "pytest"]


OWNER = "owner:User:cascade"  # what --owned adds to a model's fields: a user's records go with the user


def _parse(
    project: Project,
    name: str,
    tokens: list[str],
    owned: bool,
    *,
    table: str = "",
    timestamps: bool = True,
    indexes: list[str] | tuple[str, ...] = (),
    uniques: list[str] | tuple[str, ...] = (),
) -> ModelSpec:
    if owned:
        if project.auth != "jwt":
            raise InvalidOption("--owned needs login, and this project has an open API (--auth none)")
        if any(token.split(":", 1)[0] == "owner" for token in tokens):
            raise InvalidName("--owned adds the field owner:User itself; leave `owner` out of the fields")
        tokens = [*tokens, OWNER]
    keys = model_keys(
        {key: added.fields for key, added in project.added.items() if key != model_key(name)}, project.models
    )
    spec = parse_model(
        name, tokens, project.models, indexes, uniques, table=table, timestamps=timestamps, target_keys=keys
    )
    spec = replace(spec, owned=owned)
    if spec.keys and not project.backend.is_sql:
        raise InvalidName(f"model {spec.names.cls}: :key is for SQL databases; a document's key is its _id")
    check_backend(spec, project.answers["db"])
    return for_backend(spec, project.answers["db"])


def _spec_of(project: Project, key: str) -> ModelSpec:
    """Rebuild an added model's spec from the answers file (its relations resolve against the project).

    Kept by what it is made of: its own answers, and those of the models it refers to (their keys and tables), so
    that an import of a hundred tables, which asks for every spec after each add-model, parses each model once."""
    added = project.added[key]
    own = (project.answers["db"], project.auth, project.answers.get("table_prefix", ""), key, _answers_of(added))
    kept = _SPECS.get(own)
    if kept is not None and kept[0] == _referred(project, kept[1]):
        return kept[1]
    spec = _parse(project, key, added.fields, added.owned, **_options(added))
    _SPECS[own] = (_referred(project, spec), spec)
    return spec


_SPECS: dict[tuple[Any, ...], tuple[tuple[Any, ...], ModelSpec]] = {}


def _answers_of(added: AddedModel) -> tuple[Any, ...]:
    return (tuple(added.fields), added.owned, added.table, added.timestamps, tuple(added.indexes), tuple(added.uniques))


def _referred(project: Project, spec: ModelSpec) -> tuple[Any, ...]:
    """The answers of the added models a spec refers to (None for a built-in one)."""
    return tuple(
        (target, _answers_of(project.added[target]) if target in project.added else None) for target in _targets(spec)
    )


def _options(added: AddedModel) -> dict[str, Any]:
    """What add-model was told besides the fields: the table's name, timestamps, indexes over several columns."""
    return {"table": added.table, "timestamps": added.timestamps, "indexes": added.indexes, "uniques": added.uniques}


def plan_add_model(
    start: Path,
    name: str,
    tokens: list[str],
    *,
    force: bool = False,
    owned: bool = False,
    read: str | None = None,
    write: str | None = None,
    table: str = "",
    timestamps: bool = True,
    indexes: list[str] | None = None,
    uniques: list[str] | None = None,
    migration: bool = True,
) -> Plan:
    """Add a model. Without `migration` (a table `dbgen new --from-database` found, which the baseline revision
    creates) no migration is written for it."""
    project = find(start)
    names = parse_model_name(name)
    indexes, uniques = list(indexes or []), list(uniques or [])
    key = names.cls
    plan = Plan(project.root)
    if key in project.models:
        same = AddedModel(
            list(tokens),
            owned=owned,
            read=read,
            write=write,
            table=table,
            timestamps=timestamps,
            indexes=indexes,
            uniques=uniques,
        )
        if key in project.added and _same_request(project.added[key], same):
            plan.message = f"{key} is already in the project with these fields; nothing to do"
            return plan
        raise InvalidName(f"model {key} already exists; remove it first with `dbgen remove-model {key}`")
    spec = _parse(project, name, tokens, owned, table=table, timestamps=timestamps, indexes=indexes, uniques=uniques)
    _refuse_sql_only(project, spec)
    policy = access.resolve(read, write, owned)
    if read is not None or write is not None:
        access.check(key, policy, roles=project.roles, auth=project.auth)
    base = _baseline(project)
    _refuse_table_clashes(project, spec)
    revision, down_revision = _next_revision(project)
    written: dict[str, str] = {}
    for path, content in render_tree("model", _context(project, spec, revision, down_revision, policy=policy)):
        if not migration and path.startswith("migrations/"):
            continue
        plan.add(path, content, force=force)
        written[path] = digest(content)
        if baseline.tracked(path):
            base[path] = content
    _apply_registrations(project, plan, base, registrations(project, spec), insert=True)
    project.answers["models"] = [*project.answers["models"], key]
    project.added[key] = AddedModel(
        list(tokens),
        revision if migration else "",
        written,
        owned,
        read,
        write,
        table,
        timestamps,
        indexes,
        uniques,
    )
    _rewrite_parents(project, plan, spec, base, force=force)
    plan.update(ANSWERS, project.render_answers())
    plan.update(baseline.PATH, baseline.pack(base))
    _refuse_conflicts(plan)
    plan.message = (
        f"Added {key}: {project.backend.label} model, schemas, repository, routes /api/v1{names.route}, tests"
    )
    if project.auth == "jwt":
        plan.message += f"; {policy.describe()} (change it with `dbgen set-access {key}`)"
    if "auth" not in project.answers:
        plan.message += f" (note: {ANSWERS} has no auth key, so the project is taken as --auth none, an open API)"
    plan.next_steps = _next_steps(project)
    return plan


def _same_request(recorded: AddedModel, asked: AddedModel) -> bool:
    """add-model run again as it was run: the same fields, ownership and access."""

    def request(model: AddedModel) -> tuple[object, ...]:
        return model.fields, model.owned, model.policy, model.table, model.timestamps, model.indexes, model.uniques

    return request(recorded) == request(asked)


def plan_remove_model(start: Path, name: str, *, force: bool = False) -> Plan:
    project = find(start)
    key = model_key(name)
    plan = Plan(project.root)
    if key not in project.models:
        raise InvalidName(f"no model {key} in this project (models: {', '.join(project.models)})")
    if key not in project.added:
        hint = (
            "; for a project without it, run `dbgen new NAME --no-example` (it is in the first migration and the "
            "base project's files, so remove-model does not take it out of an existing one)"
            if key == "Item"
            else ""
        )
        raise InvalidName(
            f"{key} is part of the generated base project; dbgen removes only models added with add-model{hint}"
        )
    users = [other for other in project.added if other != key and key in _targets(_spec_of(project, other))]
    if users:
        raise InvalidName(f"cannot remove {key}: {', '.join(users)} refers to it; remove that first")
    spec = _spec_of(project, key)
    base = _baseline(project)
    # Migrations are history: the one that created the table stays, and a new one drops it.
    owned = _own_files(project, key)
    changed = _edited(project, owned)
    if changed and not force:
        raise Conflict(
            f"{key}'s files were changed since dbgen wrote them: {', '.join(changed)}; use --force to remove anyway"
        )
    for path in owned:
        plan.add(path, None)
        base.pop(path, None)
    _apply_registrations(project, plan, base, registrations(project, spec), insert=False)
    if project.backend.is_sql:
        revision, down_revision = _next_revision(project)
        context = _context(project, spec, revision, down_revision)
        migration = f"migrations/versions/{revision}_remove_{spec.names.module}.py"
        plan.add(migration, render_template("model", "_partials/sql/remove_migration.py.jinja", context))
    project.answers["models"] = [m for m in project.answers["models"] if m != key]
    del project.added[key]
    _rewrite_parents(project, plan, spec, base, force=force)
    plan.update(ANSWERS, project.render_answers())
    plan.update(baseline.PATH, baseline.pack(base))
    _refuse_conflicts(plan)
    plan.message = f"Removed {key}" + (
        " and wrote a migration that drops its table"
        if project.backend.is_sql
        else f"; its collection {spec.names.table!r} and the data in it stay in the database"
    )
    plan.next_steps = _next_steps(project)
    return plan


def replay(project: Project, files: dict[str, bytes], key: str) -> None:
    """Fold added model `key` into `files` as add-model wrote it, without the user's edits (for `dbgen update`).

    Its model file is rendered with all of today's children, as add-model leaves it after adding the last one.
    """
    spec = _spec_of(project, key)
    admin = "app/admin/site.py" in files  # what the files have, which `dbgen update` may be adding
    files.update(render_tree("model", _context(project, spec, "0000", None, admin=admin)))
    files.update(registered(files.get, registrations(project, spec, admin=admin), insert=True))


def _baseline(project: Project) -> dict[str, bytes]:
    """The project's baseline, which add-model and remove-model keep in step with what they write.

    Models are rendered by this dbgen's model templates, which expect this dbgen's project templates:
    a project written by another release is updated first.
    """
    recorded = releases.check(project.answers.get("dbgen_version"))
    if recorded != __version__:
        raise DbgenError(f"this project was written by dbgen {recorded}; run `dbgen update` first, then try again")
    return baseline.load(project.root)


def _apply_registrations(
    project: Project, plan: Plan, base: dict[str, bytes], regs: list[Registration], *, insert: bool
) -> None:
    """Fold the registrations into the files on disk and into the baseline; each touched file is planned once."""
    for path, text in registered(project.read, regs, insert=insert).items():
        plan.update(path, text)
    base.update(registered(base.get, regs, insert=insert))


def registered(read: Callable[[str], bytes | None], regs: list[Registration], *, insert: bool) -> dict[str, bytes]:
    """Every file the registrations touch, with each of them folded in (added or taken out)."""
    texts: dict[str, str] = {}
    for reg in regs:
        if reg.path not in texts:
            current = read(reg.path)
            if current is None:
                raise DbgenError(f"{reg.path} is missing; add `{reg.line.strip()}` where it belongs yourself")
            texts[reg.path] = current.decode()
        if reg.replaces:
            if insert:
                texts[reg.path] = edits.replace_line(texts[reg.path], reg.replaces, reg.line)
            elif reg.needed not in texts[reg.path]:
                texts[reg.path] = edits.replace_line(texts[reg.path], reg.line, reg.replaces)
        elif insert:
            texts[reg.path] = edits.insert_at_marker(
                texts[reg.path], reg.marker, reg.line, path=reg.path, sort=reg.sort
            )
        else:
            texts[reg.path] = edits.remove_line(texts[reg.path], reg.line)
    return {path: text.encode() for path, text in texts.items()}


def _refuse_conflicts(plan: Plan) -> None:
    if plan.conflicts:
        names = ", ".join(c.path for c in plan.conflicts)
        raise Conflict(f"these files exist and differ from what dbgen would write: {names}; use --force to overwrite")
    if not any(c.action is not Action.IDENTICAL for c in plan.changes):
        plan.message = "nothing to do"


def plan_add_field(start: Path, name: str, tokens: list[str], *, force: bool = False, migration: bool = True) -> Plan:
    """Add fields to a model that add-model wrote: its files re-rendered, and (SQL) a migration that adds them
    (not without `migration`: a column `dbgen new --from-database` found, which the baseline revision creates)."""
    project, key = _added_model(start, name, "add-field")
    if all(token in project.added[key].fields for token in tokens):
        plan = Plan(project.root)
        plan.message = f"{key} already has these fields; nothing to do"
        return plan
    old = _spec_of(project, key)
    new = [parse_field(token, project.models) for token in tokens]
    for field in new:
        if field.key:
            raise InvalidName(f"field {field.spec!r}: a key is chosen when the model is added, not added later")
        if any(field.name == f.name or field.column == f.column for f in old.fields):
            raise InvalidName(f"field {field.spec!r}: {key} already has a field {field.name!r}")
        if not (field.optional or field.default or field.many or field.fetched):
            example = f"{field.name}:{field.spec.split(':')[1]}"
            raise InvalidName(
                f"field {field.spec!r} is required and {key} may already have rows: give it a default "
                f"({example}=...) or make it optional ({example}?)"
            )
    added = project.added[key]
    spec = _parse(project, key, [*added.fields, *tokens], added.owned, **_options(added))
    _refuse_sql_only(project, spec)
    _refuse_table_clashes(project, spec)
    changed = [f for f in spec.fields if f.spec in tokens]
    return _regrow(project, key, old, spec, changed, force=force, migration=migration)


def plan_remove_field(start: Path, name: str, field_name: str, *, force: bool = False) -> Plan:
    """Remove a field from a model that add-model wrote: its files re-rendered, and (SQL) a migration that
    drops the column."""
    project, key = _added_model(start, name, "remove-field")
    added = project.added[key]
    old = _spec_of(project, key)
    gone = [f for f in old.fields if field_name in (f.name, f.column)]
    if not gone:
        names = ", ".join(f.name for f in old.fields)
        raise InvalidName(f"{key} has no field {field_name!r} (fields: {names})")
    if gone[0].key:
        raise InvalidName(f"{key}'s field {gone[0].name!r} is its key; a key cannot be removed")
    if added.owned and gone[0].spec == OWNER:
        raise InvalidName(f"{key}'s owner came with --owned; it stays as long as the model does")
    tokens = [token for token in added.fields if token != gone[0].spec]
    if not tokens:
        raise InvalidName(f"{field_name!r} is {key}'s last field; remove the model with `dbgen remove-model {key}`")
    spec = _parse(project, key, tokens, added.owned, **_options(added))
    return _regrow(project, key, old, spec, gone, force=force)


def _added_model(start: Path, name: str, command: str) -> tuple[Project, str]:
    project = find(start)
    key = model_key(name)
    if project.is_built_in(key):
        module = ModelNames.of(key).module
        raise InvalidName(
            f"{key} is part of the base project and yours to edit: change app/models/{module}.py and "
            f"app/schemas/{module}.py, then `alembic revision --autogenerate` ({command} changes models from add-model)"
        )
    if key not in project.added:
        raise InvalidName(f"no model {key} written by add-model in this project (models: {', '.join(project.added)})")
    return project, key


def _regrow(
    project: Project,
    key: str,
    old: ModelSpec,
    spec: ModelSpec,
    changed: list[Field],
    *,
    force: bool,
    migration: bool = True,
) -> Plan:
    """Re-render an added model's files for its new fields, after checking that none was edited."""
    added = project.added[key]
    plan = Plan(project.root)
    edited = _edited(project, _own_files(project, key))
    if edited and not force:
        raise Conflict(f"{key}'s files were changed since dbgen wrote them: {', '.join(edited)}; use --force")
    base = _baseline(project)
    adding = len(spec.fields) > len(old.fields)
    for path, content in render_tree("model", _context(project, spec)):
        if path.startswith("migrations/"):
            continue  # the migration that created the table is history
        plan.update(path, content)
        added.files[path] = digest(content)
        base[path] = content
    before, after = registrations(project, old), registrations(project, spec)
    _apply_registrations(project, plan, base, [r for r in after if r not in before], insert=True)
    _apply_registrations(project, plan, base, [r for r in before if r not in after], insert=False)
    if project.backend.is_sql and migration:
        revision, down_revision = _next_revision(project)
        context = _context(project, spec, revision, down_revision) | {"changed": changed, "adding": adding}
        verb = "add" if adding else "remove"
        path = f"migrations/versions/{revision}_{verb}_{'_'.join(f.column for f in changed)}_{spec.names.module}.py"
        plan.add(path, render_template("model", "_partials/sql/field_migration.py.jinja", context))
    added.fields = [f.spec for f in spec.fields if not (spec.owned and f.spec == OWNER)]
    if adding:
        _rewrite_parents(project, plan, spec, base, force=force)
    else:
        _rewrite_parents(project, plan, old, base, force=force)  # a parent loses the relation it had
    plan.update(ANSWERS, project.render_answers())
    plan.update(baseline.PATH, baseline.pack(base))
    names = ", ".join(f.name for f in changed)
    plan.message = f"{'Added' if adding else 'Removed'} {names} {'to' if adding else 'from'} {key}" + (
        " with a migration" if project.backend.is_sql else ""
    )
    if not project.backend.is_sql and adding:
        plan.message += "; documents written before read the default (or null)"
    plan.next_steps = _next_steps(project)
    return plan


def plan_set_access(start: Path, name: str, read: str | None, write: str | None, *, force: bool = False) -> Plan:
    """Change who may read and who may write an added model: its route and test files re-rendered."""
    if read is None and write is None:
        raise InvalidOption("set-access needs --read, --write or both")
    project = find(start)
    key = model_key(name)
    if project.is_built_in(key):
        raise InvalidName(
            f"{key} is part of the base project: its access is in app/api/routes/{ModelNames.of(key).plural}.py, "
            "yours to edit (set-access changes models from add-model)"
        )
    if key not in project.added:
        raise InvalidName(f"no model {key} written by add-model in this project (models: {', '.join(project.added)})")
    added = project.added[key]
    policy = access.resolve(read or added.policy.read, write or added.policy.write, added.owned)
    access.check(key, policy, roles=project.roles, auth=project.auth)
    plan = Plan(project.root)
    if policy == added.policy:
        plan.message = f"{key} already has {policy.describe()}; nothing to do"
        return plan
    spec = _spec_of(project, key)
    paths = {f"app/api/routes/{spec.names.plural}.py", f"tests/test_{spec.names.plural}.py"}
    edited = _edited(project, {path: added.files[path] for path in paths if path in added.files})
    if edited and not force:
        raise Conflict(f"{key}'s files were changed since dbgen wrote them: {', '.join(edited)}; use --force")
    base = _baseline(project)
    added.read, added.write = read or added.read, write or added.write
    for path, content in render_tree("model", _context(project, spec)):
        if path in paths:
            plan.update(path, content)
            added.files[path] = digest(content)
            base[path] = content
    plan.update(ANSWERS, project.render_answers())
    plan.update(baseline.PATH, baseline.pack(base))
    plan.message = f"{key}: {policy.describe()}"
    plan.next_steps = ["pytest"]
    return plan
