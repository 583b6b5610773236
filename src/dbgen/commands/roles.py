"""`dbgen add-role` and `dbgen remove-role`: the roles a superuser can grant, in a project with login.

A role is a name in .dbgen.toml (`roles = [...]`), a member of the project's app/core/roles.py, and
(SQL) a row of the `roles` table that a migration inserts or deletes. app/core/roles.py and
tests/test_roles.py are dbgen's files, re-rendered from the project template with the new list; one the
user changed since dbgen wrote it (it differs from the baseline) is refused without --force. Both
commands plan everything first and write nothing on any error.
"""

from __future__ import annotations

import re
from pathlib import Path

from dbgen import baseline
from dbgen.commands.models import _baseline, _next_revision, _next_steps
from dbgen.commands.regenerate import template_answers
from dbgen.errors import Conflict, InvalidName, InvalidOption
from dbgen.plan import Plan
from dbgen.policy import AUDIENCES
from dbgen.project import ANSWERS, Project, find
from dbgen.render import render_template

NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")
# The project template's files that list the roles: (path in the project, template in templates/project).
FILES = {
    "app/core/roles.py": 'app/core/{% if auth == "jwt" %}roles.py{% endif %}.jinja',
    "tests/test_roles.py": 'tests/{% if auth == "jwt" %}test_roles.py{% endif %}.jinja',
}


def plan_add_role(start: Path, name: str, *, force: bool = False) -> Plan:
    project = _project(start, name)
    roles = project.roles
    if name in roles:
        plan = Plan(project.root)
        plan.message = f"role {name} is already in the project; nothing to do"
        return plan
    plan = _rewrite(project, [*roles, name], name, "add", force=force)
    plan.message = f"Added role {name}: Role.{name.upper()} in app/core/roles.py" + (
        ", and a migration that inserts it" if project.backend.is_sql else ""
    )
    plan.message += f'; routes require it with Depends(role("{name}")), superusers grant it at /users/{{id}}/roles'
    return plan


def plan_remove_role(start: Path, name: str, *, force: bool = False) -> Plan:
    project = _project(start, name)
    roles = project.roles
    if name not in roles:
        raise InvalidName(f"no role {name!r} in this project (roles: {', '.join(roles) or 'none'})")
    uses = [
        f"{key} ({' and '.join(side for side in ('read', 'write') if getattr(added, side) == name)})"
        for key, added in project.added.items()
        if name in (added.read, added.write)
    ]
    if uses:
        raise InvalidName(f"role {name} is used by {', '.join(uses)}; change it with `dbgen set-access` first")
    plan = _rewrite(project, [role for role in roles if role != name], name, "remove", force=force)
    plan.message = f"Removed role {name}" + (
        " and wrote a migration that deletes it and its grants"
        if project.backend.is_sql
        else "; the app takes it off the users that hold it when it next starts"
    )
    return plan


def _project(start: Path, name: str) -> Project:
    project = find(start)
    if project.auth != "jwt":
        raise InvalidOption("roles need login, and this project has an open API (--auth none)")
    if not NAME.fullmatch(name):
        raise InvalidName(
            f"role name {name!r} is not valid: lowercase letters, digits and '_', starting with a letter, "
            "at most 32 characters"
        )
    if name in AUDIENCES:
        raise InvalidName(f"{name!r} names an audience ({', '.join(AUDIENCES)}), not a role; choose another name")
    return project


def _rewrite(project: Project, roles: list[str], name: str, verb: str, *, force: bool) -> Plan:
    base = _baseline(project)
    edited = [path for path in FILES if (mine := project.read(path)) is not None and mine != base.get(path)]
    if edited and not force:
        raise Conflict(f"{', '.join(edited)} changed since dbgen wrote them; use --force to rewrite them")
    plan = Plan(project.root)
    context = template_answers(project) | {"roles": roles}
    for path, template in FILES.items():
        content = render_template("project", template, context)
        plan.update(path, content)
        base[path] = content
    if project.backend.is_sql:
        revision, down_revision = _next_revision(project)
        migration = render_template(
            "role",
            f"{verb}_migration.py.jinja",
            {"name": name, "revision": revision, "down_revision": down_revision},
        )
        plan.add(f"migrations/versions/{revision}_{verb}_role_{name}.py", migration)
    project.answers["roles"] = roles
    plan.update(ANSWERS, project.render_answers())
    plan.update(baseline.PATH, baseline.pack(base))
    if plan.conflicts:
        raise Conflict(f"{plan.conflicts[0].path} exists and differs from what dbgen would write; remove it first")
    plan.next_steps = _next_steps(project)
    return plan
