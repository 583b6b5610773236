"""A project's generated files without the user's edits: as this dbgen writes them, and as its last
writer did (the merge base of `dbgen update`)."""

from __future__ import annotations

from typing import Any

from dbgen import __version__, baseline, releases
from dbgen.commands.models import replay
from dbgen.commands.new import answers
from dbgen.fields import parse_field
from dbgen.project import Project
from dbgen.render import render_tree

# .env holds the URL and the key; the version is set below.
_NOT_RECORDED = frozenset({"database_url", "secret_key", "dbgen_version"})
# Answers of `dbgen new --from-database`, recorded by it alone: a project made otherwise goes without them.
_IMPORT_ONLY = frozenset(
    {
        "imported",
        "table_prefix",
        "unmanaged_tables",
        "unmanaged_columns",
        "unmanaged_indexes",
        "unmanaged_foreign_keys",
        "unnamed_uniques",
        "database_types",
    }
)


def template_answers(project: Project) -> dict[str, Any]:
    """The project template's answers: the recorded ones, and today's defaults for questions added since."""
    fresh = answers(project.answers["project_name"], project.answers["db"], auth=project.auth, example=project.example)
    recorded = {k: v for k, v in project.answers.items() if k in fresh and k not in _NOT_RECORDED}
    return fresh | recorded | {"dbgen_version": __version__}


def upgraded_answers(project: Project) -> dict[str, Any]:
    """The answers as this dbgen records them: its version, and today's defaults for questions added since."""
    added = {
        k: v
        for k, v in template_answers(project).items()
        if k not in project.answers and k not in _NOT_RECORDED and k not in _IMPORT_ONLY
    }
    return {**project.answers, **added, "dbgen_version": __version__}


def explicit_deletes(project: Project, recorded: str) -> bool:
    """Before 0.2.0 a relation cascaded when required and set null when optional; since, it restricts unless
    it says otherwise. The recorded fields of an older project say what they did, so that updating changes
    no table. Whether any changed."""
    if releases.key(recorded) >= (0, 2, 0):
        return False
    changed = False
    for added in project.added.values():
        fields = []
        for token in added.fields:
            field = parse_field(token, project.models)  # a release before 0.2.0 wrote no :cascade or :setnull
            if field.is_relation:
                token, changed = token + (":setnull" if field.optional else ":cascade"), True
            fields.append(token)
        added.fields = fields
    return changed


def record_access(project: Project, recorded: str) -> list[str]:
    """Before 0.4.0 any signed-in user read and changed a model added without --owned; since, superusers write
    it unless it says otherwise. The answers of an older project record what it did, so that updating changes
    no one's access. The models it recorded it for."""
    if releases.key(recorded) >= (0, 4, 0) or project.auth != "jwt":
        return []
    kept = []
    for name, added in project.added.items():
        if not added.owned and added.read is None and added.write is None:
            added.read, added.write = "users", "users"
            kept.append(name)
    return kept


def current(project: Project) -> dict[str, bytes]:
    """What this dbgen writes for the project's answers and its added models, in the order they were added."""
    files = {path: content for path, content in render_tree("project", template_answers(project))}
    for key in project.answers["models"]:
        if key in project.added:
            replay(project, files, key)
    return {path: content for path, content in files.items() if baseline.tracked(path)}


def previous(project: Project) -> dict[str, bytes]:
    """What dbgen last wrote: the stored baseline, or for a release that kept none, its archived generator's output."""
    version = releases.check(project.answers.get("dbgen_version"))
    if releases.stores_baseline(version):
        return baseline.load(project.root)
    from dbgen.releases import archived

    added = {name: model.fields for name, model in project.added.items()}
    files = archived.render(version, project.answers, added)
    return {path: content for path, content in files.items() if baseline.tracked(path)}
