"""`dbgen update` on a project that dbgen 0.1.0 wrote and a user then edited, on every backend.

SQLite and PostgreSQL start from the trees committed under tests/fixtures/release-0.1.0; MySQL and MongoDB
from the same commands run by the archived 0.1.0 generator, edited the same way (tests/user_edits.py).
Nothing here depends on what today's templates say: update must keep each edit or mark a conflict in its
file, mark the deliberate conflict when the templates changed the lines beside it, and after conflicts are
resolved by taking the templates' side, migrations must be clean and the project's own suite must pass.
The project then keeps growing with today's add-model, and a second update has nothing to do.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import shutil
import subprocess
import tomllib
import warnings
from pathlib import Path

import httpx
import pytest

from dbgen import baseline, writer
from dbgen.backends import BACKENDS
from dbgen.commands.models import plan_add_model
from dbgen.commands.new import plan_new
from dbgen.project import ANSWERS
from tests.smoke.servers import fresh_database, require
from tests.smoke.test_fuzz import served, superuser_token
from tests.smoke.test_generated_projects import Project, suite_counts
from tests.smoke.test_grow_project import dbgen
from tests.unit.test_writer import tree
from tests.user_edits import CONFLICT_LINE, CONFLICT_PATH, MODELS, SKU, edit, generate, survivors

pytestmark = pytest.mark.smoke

FIXTURES = Path(__file__).parents[1] / "fixtures" / "release-0.1.0"
# Projects with login that dbgen 0.2.0 and 0.3.0 (the last release before access policies) wrote: Category, and
# Note --owned. 0.2.0's goes through both later releases' migrations.
RELEASE_FIXTURES = Path(__file__).parents[1] / "fixtures"
BEFORE_POLICIES = [("0.2.0", "postgres"), ("0.2.0", "mongo"), ("0.3.0", "postgres")]
# The edited files whose lines today's templates changed too: update marks a conflict in each, on every backend.
# The rest of the edits (app/models/product.py on SQL) apply cleanly. A template change beside one of the user's
# edits (tests/user_edits.py) changes this set.
CONFLICTING = {CONFLICT_PATH, "app/api/routes/items.py", "app/core/config.py", "tests/test_health.py"}
CONFLICT = re.compile(r"^<<<<<<< [^\n]*\n(.*?)^=======\n(.*?)^>>>>>>> [^\n]*\n", re.MULTILINE | re.DOTALL)


def edited_project(root: Path, db: str) -> dict[str, str]:
    if (FIXTURES / db).is_dir():
        shutil.copytree(FIXTURES / db, root)
        return survivors(db)
    generate(root, db)
    return edit(root, db)


def git(root: Path, *args: str) -> None:
    command = ["git", "-c", "user.name=dbgen tests", "-c", "user.email=tests@example.com", *args]
    subprocess.run(command, cwd=root, check=True, capture_output=True)


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)


def take_ours(text: str) -> str:
    """The user's side of every conflict in a file: what they had, where update marked a clash."""
    return CONFLICT.sub(lambda m: m.group(1), text)


def take_theirs(text: str) -> str:
    """Resolve every conflict in a file by taking the templates' side, as `git checkout --theirs` would per hunk."""
    return CONFLICT.sub(lambda m: m.group(2), text)


def resolve(path: Path) -> None:
    """As a user would: the templates' side of each conflict, and the column that has a migration kept."""
    text = take_theirs(path.read_text())
    if path.name == "product.py" and SKU not in text:
        at = text.index("\n", text.index("    description: Mapped")) + 1
        text = text[:at] + SKU + text[at:]
    path.write_text(text)


def schema(project: Project) -> dict[str, dict[str, object]]:
    """Every table of the project's database as the database describes it: columns, defaults, indexes, keys."""
    from sqlalchemy import Connection, Inspector, inspect
    from sqlalchemy.ext.asyncio import create_async_engine

    url = project.env["DATABASE_URL"].replace(":///./", f":///{project.root}/")

    def describe(connection: Connection) -> dict[str, dict[str, object]]:
        found = inspect(connection)
        tables = [t for t in found.get_table_names() if t != "alembic_version"]
        if connection.dialect.name == "sqlite":  # inspect() skips indexes on expressions (lower(email)): read them
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
                described = describe_tables(found, tables)
            expressions: dict[str, dict[str, str]] = {}
            for table, name, sql in connection.exec_driver_sql("SELECT tbl_name, name, sql FROM sqlite_master"):
                if sql and sql.startswith("CREATE UNIQUE INDEX") and "lower(" in sql:
                    expressions.setdefault(table, {})[name] = sql
            for table, indexes in expressions.items():
                described[table]["expression indexes"] = indexes
            return described
        return describe_tables(found, tables)

    def describe_tables(found: Inspector, tables: list[str]) -> dict[str, dict[str, object]]:
        return {
            table: {
                "columns": {
                    c["name"]: (str(c["type"]), c["nullable"], str(c.get("default"))) for c in found.get_columns(table)
                },
                "indexes": {i["name"]: (tuple(i["column_names"]), bool(i["unique"])) for i in found.get_indexes(table)},
                "foreign keys": sorted(
                    (tuple(k["constrained_columns"]), k["referred_table"], str(k.get("options")))
                    for k in found.get_foreign_keys(table)
                ),
            }
            for table in tables
        }

    async def run() -> dict[str, dict[str, object]]:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(describe)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def fresh_schema(
    db: str, root: Path, env: dict[str, str], models: dict[str, list[str]]
) -> dict[str, dict[str, object]]:
    """The database of a project that today's dbgen generates with the same models and answers (a 0.1.0
    project has an open API: --auth none), migrated to its head."""
    writer.apply(plan_new("shop", db, root, auth="none"))
    for name, fields in models.items():
        writer.apply(plan_add_model(root, name, fields))
    with fresh_database(db) as urls:
        reference = Project(root, db, env | urls)
        reference.run("alembic", "upgrade", "head")
        return schema(reference)


def assert_same_schema(updated: dict[str, dict[str, object]], fresh: dict[str, dict[str, object]]) -> None:
    """What a fresh project's database has, the updated one has too, column by column (the user may add more).

    This catches what `alembic check` does not compare, such as a changed server default, when a release
    forgot the migration that brings existing databases along.
    """
    drift = []
    for table, described in fresh.items():
        if table not in updated:
            drift.append(f"table {table} is missing")
            continue
        for part, expected in described.items():
            got = updated[table][part]
            if isinstance(expected, dict) and isinstance(got, dict):
                drift += [f"{table} {part} {k}: {got.get(k)} != {v}" for k, v in expected.items() if got.get(k) != v]
            elif isinstance(expected, list) and isinstance(got, list):
                drift += [f"{table} {part}: {k} is missing" for k in expected if k not in got]
    assert not drift, "the updated database differs from a fresh project's:\n" + "\n".join(drift)


@pytest.mark.parametrize("db", list(BACKENDS))
def test_update_a_project_of_release_0_1_0(db: str, tmp_path: Path) -> None:
    """Fails if update marks a conflict but loses the user's side of it (markers around the templates' text only),
    or marks a file whose edit applies cleanly."""
    require(db)
    root = tmp_path / "shop"
    kept = edited_project(root, db)
    git(root, "init", "-q")
    commit(root, "shop as dbgen 0.1.0 wrote it, then edited")
    before = tree(root)
    with fresh_database(db) as urls:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TEST_DATABASE_URL"))}
        project = Project(root, db, env | urls | {"NO_COLOR": "1", "COLUMNS": "200"})

        dry = dbgen(project, "update", "--dry-run")
        assert dry.returncode == 0, dry.stderr
        assert "dry run" in dry.stdout and tree(root) == before

        result = dbgen(project, "update")
        assert result.returncode in (0, 1), result.stderr
        after = tree(root)
        marked = {path for path, content in after.items() if b"\n=======\n" in content and b"<<<<<<< " in content}
        listed = set(re.findall(r"conflict  (\S+)", result.stdout))
        assert {Path(path).name for path in marked} == listed, result.stdout
        assert (result.returncode == 1) == bool(marked)
        # Every edit survives: in a conflicting file on the user's side of its hunk, marked; in a clean one, as is.
        assert marked == CONFLICTING, result.stdout
        for path, snippet in kept.items():
            assert snippet in take_ours((root / path).read_text()), path
        assert "compose.yaml" not in after  # the user deleted it; it stays deleted
        assert CONFLICT_LINE not in baseline.load(root)[CONFLICT_PATH].decode()  # the deliberate conflict is one
        for path, content in before.items():  # migrations are history: never rewritten or deleted
            if path.startswith("migrations/versions/"):
                assert after[path] == content, path

        for path in marked:
            resolve(root / path)
        if BACKENDS[db].is_sql:
            project.run("alembic", "upgrade", "head")
            check = project.run("alembic", "check")
            assert "No new upgrade operations detected" in check.stdout + check.stderr
            # The fields as the update recorded them: a 0.1.0 relation now says that it cascades.
            recorded = {
                name: spec["fields"] for name, spec in tomllib.loads((root / ANSWERS).read_text())["added"].items()
            }
            assert recorded["Product"] != MODELS["Product"] and "category:Category:cascade" in recorded["Product"]
            assert_same_schema(schema(project), fresh_schema(db, tmp_path / "fresh", env, recorded))
        grown = dbgen(project, "add-model", "Tag", "label:str:unique")  # today's add-model, on the updated project
        assert grown.returncode == 0, grown.stderr
        if BACKENDS[db].is_sql:
            project.run("alembic", "upgrade", "head")
        suite_counts(project)

        commit(root, "updated")
        again = dbgen(project, "update")
        assert again.returncode == 0 and "nothing to do" in again.stdout, again.stdout + again.stderr


@pytest.mark.parametrize(("release", "db"), BEFORE_POLICIES, ids=[f"{db}-{release}" for release, db in BEFORE_POLICIES])
def test_update_keeps_what_members_could_do_before_policies(release: str, db: str, tmp_path: Path) -> None:
    """Fails if `dbgen update` of a 0.2.0 or 0.3.0 project does not record read = "users", write = "users" on the model
    added without --owned (its routes would take today's default, superusers only, and members would lose the right to
    change it that they had), records a policy on the owned one, leaves out the notice of how to tighten it, or
    if a member can no longer create a category over HTTP (201), as they could before."""
    require(db)
    root = tmp_path / "shop"
    shutil.copytree(RELEASE_FIXTURES / f"release-{release}" / db, root)
    for path, content in baseline.load(root).items():  # the rest of the project: unedited, as dbgen wrote it
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(content)
    with fresh_database(db) as urls:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TEST_DATABASE_URL"))}
        settings = {"NO_COLOR": "1", "COLUMNS": "200", "SECRET_KEY": secrets.token_urlsafe(32)}
        project = Project(root, db, env | urls | settings)
        result = dbgen(project, "update")
        assert result.returncode == 0, result.stdout + result.stderr
        added = tomllib.loads((root / ANSWERS).read_text())["added"]
        assert (added["Category"].get("read"), added["Category"].get("write")) == ("users", "users")
        assert "read" not in added["Note"] and "write" not in added["Note"]  # owned: the default is what it did
        assert "dbgen set-access Category --write superusers" in " ".join(result.stdout.split()), result.stdout
        with served(project, tmp_path / "uvicorn.log") as base:  # on SQL, the release's migrations applied
            api = f"{base}/api/v1"
            superuser = {"Authorization": f"Bearer {superuser_token(project, base)}"}
            account = {"email": "member@example.com", "password": "a quiet river at dawn, 42"}
            assert httpx.post(f"{api}/users", json=account, headers=superuser, timeout=60).status_code == 201
            form = {"username": account["email"], "password": account["password"]}
            token = httpx.post(f"{api}/auth/token", data=form, timeout=60).json()["access_token"]
            member = {"Authorization": f"Bearer {token}"}
            created = httpx.post(f"{api}/categories", json={"name": "Lighting"}, headers=member, timeout=60)
            assert created.status_code == 201, created.text


@pytest.mark.parametrize("db", ["postgres", "mongo"])
def test_update_of_release_0_4_0_brings_sign_in_sessions(db: str, tmp_path: Path) -> None:
    """Fails if `dbgen update` of a 0.4.0 project with login leaves its database without the sign-in session
    tables (SQL: no release migration, or one that `alembic check` finds different from the models), or if the
    updated app does not sign in with a refresh token that rotates, refuses its reuse, and signs out."""
    require(db)
    root = tmp_path / "shop"
    shutil.copytree(RELEASE_FIXTURES / "release-0.4.0" / db, root)
    for path, content in baseline.load(root).items():  # the rest of the project: unedited, as dbgen wrote it
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(content)
    with fresh_database(db) as urls:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TEST_DATABASE_URL"))}
        settings = {"NO_COLOR": "1", "COLUMNS": "200", "SECRET_KEY": secrets.token_urlsafe(32)}
        project = Project(root, db, env | urls | settings)
        result = dbgen(project, "update")
        assert result.returncode == 0, result.stdout + result.stderr
        if BACKENDS[db].is_sql:
            assert (root / "migrations/versions/0004_dbgen_0_5_0.py").is_file(), result.stdout
            project.run("alembic", "upgrade", "head")
            check = project.run("alembic", "check")
            assert "No new upgrade operations detected" in check.stdout + check.stderr
        with served(project, tmp_path / "uvicorn.log") as base:
            api = f"{base}/api/v1"
            superuser_token(project, base)  # the first superuser, made as a user makes them
            form = {"username": "fuzz@example.com", "password": "the schemathesis superuser's password"}
            first = httpx.post(f"{api}/auth/token", data=form, timeout=60).json()
            renewed = httpx.post(f"{api}/auth/refresh", json={"refresh_token": first["refresh_token"]}, timeout=60)
            assert renewed.status_code == 200, renewed.text
            reused = httpx.post(f"{api}/auth/refresh", json={"refresh_token": first["refresh_token"]}, timeout=60)
            assert reused.status_code == 401
            second = httpx.post(f"{api}/auth/token", data=form, timeout=60).json()
            headers = {"Authorization": f"Bearer {second['access_token']}"}
            assert httpx.get(f"{api}/users/me", headers=headers, timeout=60).status_code == 200
            assert httpx.post(f"{api}/auth/logout", headers=headers, timeout=60).status_code == 204
            assert httpx.get(f"{api}/users/me", headers=headers, timeout=60).status_code == 401
