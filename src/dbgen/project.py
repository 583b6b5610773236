"""A generated project as later commands see it: found by its answers file, read and rewritten here."""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from dbgen import backends
from dbgen import policy as access
from dbgen.backends import Backend
from dbgen.errors import DbgenError, NotAProject
from dbgen.naming import ModelNames

ANSWERS = ".dbgen.toml"
BUILT_IN = ("User", "Item")  # Item is the example: `dbgen new --no-example` leaves it out


def digest(content: bytes) -> str:
    return "sha256:" + hashlib.sha256(content).hexdigest()


@dataclass
class AddedModel:
    """A model add-model wrote: its field specs, its migration, and a hash of every file it wrote."""

    fields: list[str]
    migration: str = ""
    files: dict[str, str] = field(default_factory=dict)
    owned: bool = False  # add-model --owned
    read: str | None = None  # add-model --read, set-access --read; None: the default for the model's kind
    write: str | None = None
    table: str = ""  # add-model --table: the table's name in the database, when not dbgen's
    timestamps: bool = True  # add-model --no-timestamps: False
    indexes: list[str] = field(default_factory=list)  # add-model --index NAME:col1,col2
    uniques: list[str] = field(default_factory=list)  # add-model --unique NAME:col1,col2

    @property
    def policy(self) -> access.Policy:
        """Who may read and who may write it: what was chosen, the default for its kind where nothing was."""
        return access.resolve(self.read, self.write, self.owned)


@dataclass
class Project:
    root: Path
    answers: dict[str, Any]
    added: dict[str, AddedModel]

    @property
    def backend(self) -> Backend:
        return backends.get(self.answers["db"])

    @property
    def auth(self) -> str:
        """jwt or none; a project made before dbgen asked has an open API (none)."""
        return str(self.answers.get("auth", "none"))

    @property
    def example(self) -> bool:
        """Whether the base project has the example model Item; a project made before dbgen asked has it."""
        return bool(self.answers.get("example", True))

    def is_built_in(self, key: str) -> bool:
        """A model of the base project (User, and Item unless --no-example), not one that add-model wrote."""
        return key in BUILT_IN and key in self.answers["models"] and key not in self.added

    @property
    def roles(self) -> list[str]:
        """The roles a policy may name (dbgen add-role)."""
        return list(self.answers.get("roles", []))

    @property
    def models(self) -> dict[str, ModelNames]:
        """Every model of the project by class name, built-in ones first (their tables prefixed where an imported
        database had tables of their names: app_users)."""
        prefix = str(self.answers.get("table_prefix", ""))
        found = {}
        for name in self.answers["models"]:
            names = ModelNames.of(name)
            if prefix and name in BUILT_IN and name not in self.added:
                names = ModelNames.named(names.cls, names.module, prefix + names.table)
            found[name] = names
        for name, added in self.added.items():
            if added.table and name in found:
                found[name] = replace(found[name], table=added.table)
        return found

    def read(self, path: str) -> bytes | None:
        target = self.root / path
        return target.read_bytes() if target.is_file() else None

    def render_answers(self) -> bytes:
        import tomli_w

        data = {key: value for key, value in self.answers.items() if key != "added"}
        data["added"] = {
            name: {"fields": model.fields, "migration": model.migration, "files": model.files}
            | ({"owned": True} if model.owned else {})
            | ({"read": model.read} if model.read else {})
            | ({"write": model.write} if model.write else {})
            | ({"table": model.table} if model.table else {})
            | ({} if model.timestamps else {"timestamps": False})
            | ({"indexes": model.indexes} if model.indexes else {})
            | ({"uniques": model.uniques} if model.uniques else {})
            for name, model in self.added.items()
        }
        header = "# Written by dbgen; later `dbgen` commands read it. Edit with care.\n"
        return (header + tomli_w.dumps(data)).encode()


def find(start: Path) -> Project:
    """The project containing `start` (or one of its parents)."""
    start = start.absolute()
    for directory in (start, *start.parents):
        answers_file = directory / ANSWERS
        if answers_file.is_file():
            return load(directory)
    raise NotAProject(f"not inside a dbgen project: no {ANSWERS} in {start} or any parent directory")


def load(root: Path) -> Project:
    try:
        answers = tomllib.loads((root / ANSWERS).read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DbgenError(f"cannot read {root / ANSWERS}: {exc}") from None
    added = {
        name: AddedModel(
            list(spec.get("fields", [])),
            spec.get("migration", ""),
            dict(spec.get("files", {})),
            bool(spec.get("owned", False)),
            spec.get("read"),
            spec.get("write"),
            str(spec.get("table", "")),
            bool(spec.get("timestamps", True)),
            list(spec.get("indexes", [])),
            list(spec.get("uniques", [])),
        )
        for name, spec in answers.get("added", {}).items()
    }
    return Project(root, answers, added)


_REVISION = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+)$", re.MULTILINE)


def migration_head(project: Project) -> tuple[str | None, int]:
    """The single head revision of the project's migrations, and the next free number for an id."""
    versions = project.root / "migrations" / "versions"
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in sorted(versions.glob("*.py")) if versions.is_dir() else []:
        found = dict(_REVISION.findall(path.read_text()))
        if "revision" not in found:
            continue
        revisions.add(_literal(found["revision"]) or "")
        down = found.get("down_revision", "None")
        parents.update(re.findall(r"['\"]([^'\"]+)['\"]", down))
    heads = sorted(revisions - parents)
    if len(heads) > 1:
        raise DbgenError(
            f"the migrations have {len(heads)} heads ({', '.join(heads)}); run `alembic merge heads` first"
        )
    numbers = [int(m.group()) for r in revisions if (m := re.match(r"\d+", r))]
    return (heads[0] if heads else None), max(numbers, default=0) + 1


def _literal(text: str) -> str | None:
    match = re.match(r"\s*['\"]([^'\"]*)['\"]", text)
    return match.group(1) if match else None
