"""`dbgen update`: bring a generated project up to this dbgen's templates without losing the user's edits.

Per file, three versions: the baseline (what dbgen last wrote), the user's (on disk) and the new one
(what this dbgen writes for the same answers and models). Untouched by the user: take the new one.
Unchanged by the templates: keep the user's. Both changed: a three-way merge, written with conflict
markers when it does not merge cleanly. Migrations are history: never rewritten; a release that changes
existing tables ships a migration that update writes on top of the project's head.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from dbgen import __version__, baseline, releases
from dbgen.commands import regenerate
from dbgen.errors import DbgenError
from dbgen.fields import model_keys, parse_model
from dbgen.merge import merge
from dbgen.plan import Action, FileChange, Plan
from dbgen.project import ANSWERS, Project, find, migration_head
from dbgen.render import environment

REQUIRED = {"project_name": str, "db": str, "models": list}


def plan_update(start: Path, *, force: bool = False, dry_run: bool = False) -> Plan:
    project = find(start)
    recorded = _check(project)
    if not (force or dry_run):
        _refuse_uncommitted(project.root)
    before = regenerate.previous(project)
    answers = regenerate.upgraded_answers(project)
    answers_changed, project.answers = answers != project.answers, answers
    answers_changed |= regenerate.explicit_deletes(project, recorded)
    kept = regenerate.record_access(project, recorded)
    answers_changed |= bool(kept)
    after = regenerate.current(project)
    plan = Plan(project.root, marks_conflicts=True)
    for path in sorted(before.keys() | after.keys()):
        change = _file(path, before.get(path), project.read(path), after.get(path), recorded)
        if change is not None:
            plan.changes.append(change)
    scripts: list[str] = []  # SQL: `alembic upgrade head` runs the migrations; MongoDB: one-off scripts to run
    if project.backend.is_sql:
        _migrations(project, plan, recorded)
    else:
        scripts = _upgrade_scripts(project, plan, recorded)
    if answers_changed:
        plan.update(ANSWERS, project.render_answers())
    plan.update(baseline.PATH, baseline.pack(after))
    _describe(project, plan, recorded, scripts, kept)
    return plan


def _check(project: Project) -> str:
    """Everything update relies on in .dbgen.toml, checked before anything is read or rendered."""
    for key, kind in REQUIRED.items():
        if not isinstance(project.answers.get(key), kind):
            raise DbgenError(f"{project.root / ANSWERS} has no valid `{key}`; restore it from version control")
    project.backend  # noqa: B018 (an unknown backend is an error here, not half-way through)
    return releases.check(project.answers.get("dbgen_version"))


def _refuse_uncommitted(root: Path) -> None:
    try:
        status = subprocess.run(
            ["git", "status", "--porcelain", "--", "."], cwd=root, capture_output=True, text=True, check=False
        )
    except OSError:
        return  # no git: nothing to compare with
    if status.returncode != 0:
        return  # not a git work tree
    changed = [line[3:] for line in status.stdout.splitlines() if line.strip()]
    if changed:
        raise DbgenError(
            f"{root} has uncommitted changes ({len(changed)}, e.g. {changed[0]}); commit or stash them first "
            "so that update's changes can be reviewed and undone, or use --force"
        )


def _file(path: str, base: bytes | None, mine: bytes | None, new: bytes | None, recorded: str) -> FileChange | None:
    """What update does to one file; None when there is nothing to do or to say."""
    if mine == new:
        return None
    if new is None:  # the templates no longer have it
        if mine is None:
            return None
        if mine == base:
            return FileChange(path, Action.DELETE, None, mine)
        return FileChange(path, Action.KEEP, None, mine, note="no longer generated; kept because you changed it")
    if mine is None:
        if base is None:
            return FileChange(path, Action.CREATE, new)
        if base == new:
            return None  # you deleted it, and the templates did not change it
        return FileChange(path, Action.KEEP, None, None, note=f"you deleted it; dbgen {__version__} changed it")
    if mine == base:
        return FileChange(path, Action.UPDATE, new, mine)
    if base == new:
        return None  # only you changed it
    labels = (f"{path} (yours)", f"{path} (dbgen {recorded})", f"{path} (dbgen {__version__})")
    merged, conflicted = merge(base or b"", mine, new, labels)
    if merged == mine:
        return None
    return FileChange(path, Action.CONFLICT if conflicted else Action.MERGE, merged, mine)


def _migrations(project: Project, plan: Plan, recorded: str) -> None:
    """Each later release that changed existing tables: its migration, on top of the project's head.

    A release's template that renders empty (its change concerns another backend) writes nothing.
    """
    head, number = migration_head(project)
    for release, template in releases.migrations_since(recorded):
        revision = f"{number:04d}"
        context = _migration_context(project, revision, head)
        content = environment(template.parent).get_template(template.name).render(context)
        if not content.strip():
            continue  # nothing changed for this backend
        plan.add(f"migrations/versions/{revision}_dbgen_{release.replace('.', '_')}.py", content.encode())
        head, number = revision, number + 1


def _upgrade_scripts(project: Project, plan: Plan, recorded: str) -> list[str]:
    """Each later release that changed what existing documents hold: its one-off script, in scripts/; the
    modules to run (`python -m ...`), oldest first. The app itself never runs them."""
    modules = []
    for release, template in releases.migrations_since(recorded, releases.UPGRADE):
        content = environment(template.parent).get_template(template.name).render(project.answers)
        if not content.strip():
            continue  # nothing changed for this backend
        module = f"scripts.dbgen_{release.replace('.', '_')}"
        plan.add(module.replace(".", "/") + ".py", content.encode())
        modules.append(module)
    return modules


def _migration_context(project: Project, revision: str, down_revision: str | None) -> dict[str, Any]:
    models = project.models
    keys = model_keys({name: added.fields for name, added in project.added.items()}, models)
    return {
        **project.answers,  # every answer, so that a migration can depend on one (a feature that is on or off)
        "models": list(models.values()),
        "added": [
            parse_model(
                name,
                added.fields,
                models,
                added.indexes,
                added.uniques,
                table=added.table,
                timestamps=added.timestamps,
                target_keys=keys,
            )
            for name, added in project.added.items()
        ],
        "revision": revision,
        "down_revision": down_revision,
    }


def _describe(project: Project, plan: Plan, recorded: str, scripts: list[str], kept: list[str]) -> None:
    conflicts = [c.path for c in plan.conflicts]
    if not plan.writes:
        plan.message = f"already up to date with dbgen {__version__}; nothing to do"
        return
    plan.message = f"Updated from dbgen {recorded} to {__version__}" + (
        f"; {len(conflicts)} file(s) with conflicts to resolve" if conflicts else ""
    )
    changed_models = [c.path for c in plan.writes if c.path.startswith("app/models/")]
    if not project.backend.is_sql and changed_models:
        plan.message += (
            f". MongoDB indexes follow app/models ({', '.join(changed_models)}): the app creates new ones when it"
            " starts; an index no longer declared stays until you drop it"
        )
    if kept:
        plan.message += (
            f". {', '.join(kept)} keep the access they had: any signed-in user may change them; "
            f"`dbgen set-access {kept[0]} --write superusers` tightens it"
        )
    if scripts:
        plan.message += (
            f". Existing documents need a one-off upgrade: run {', '.join(f'`python -m {m}`' for m in scripts)} once"
            " against each database, before the updated app serves it"
        )
    plan.next_steps = [
        *([f"resolve the conflict markers in {', '.join(conflicts)}"] if conflicts else []),
        *(["alembic upgrade head", "alembic check"] if project.backend.is_sql else []),
        *(f"python -m {module}" for module in scripts),
        "pytest",
    ]
