"""Old releases: known versions, and the archived 0.1.0 generator writing exactly what 0.1.0 wrote."""

import hashlib
import json
import tomllib
from pathlib import Path

import pytest

from dbgen import __version__, releases, writer
from dbgen.backends import BACKENDS
from dbgen.commands.new import plan_new
from dbgen.commands.update import plan_update
from dbgen.errors import DbgenError
from dbgen.releases import RELEASES, archived, check
from dbgen.render import TEMPLATES, environment
from tests.unit.test_writer import tree
from tests.user_edits import edit, generate

FIXTURES = Path(__file__).parents[1] / "fixtures" / "release-0.1.0"


def test_this_dbgen_is_the_last_release() -> None:
    assert RELEASES[-1] == __version__
    assert check("0.1.0") == "0.1.0" and check(__version__) == __version__


@pytest.mark.parametrize(
    ("recorded", "message"),
    [
        ("0.0.9", "unknown dbgen_version '0.0.9' in .dbgen.toml; this dbgen updates from 0.1.0"),
        ("banana", "unknown dbgen_version 'banana'"),
        (None, "unknown dbgen_version None"),
        ("99.0.0", f"written by dbgen 99.0.0, newer than this dbgen {__version__}; upgrade dbgen"),
    ],
)
def test_unknown_and_newer_versions_are_refused(recorded: object, message: str) -> None:
    with pytest.raises(DbgenError, match=message.replace("(", r"\(").replace(".", r"\.")):
        check(recorded)


@pytest.mark.parametrize("db", list(BACKENDS))
def test_archived_generator_writes_what_release_0_1_0_wrote(db: str) -> None:
    reference = json.loads((FIXTURES / "digests.json").read_text())[db]
    answers = tomllib.loads(reference["answers"])
    added = {name: spec["fields"] for name, spec in answers["added"].items()}
    files = archived.render("0.1.0", answers, added)
    digests = {
        path: hashlib.sha256(content).hexdigest()
        for path, content in files.items()
        if path != ".dbgen.toml" and not path.startswith("migrations/versions/")
    }
    assert digests == reference["files"]


@pytest.mark.parametrize("db", ["sqlite", "postgres"])
def test_committed_fixtures_are_what_0_1_0_wrote_plus_the_user_edits(tmp_path: Path, db: str) -> None:
    root = tmp_path / db
    generate(root, db)
    edit(root, db)
    committed = {path: content for path, content in tree(FIXTURES / db).items() if "__pycache__" not in path}
    assert {path: content for path, content in tree(root).items() if path != ".env"} == committed


def as_release(root: Path, version: str) -> None:
    answers = root / ".dbgen.toml"
    answers.write_text(answers.read_text().replace(f'dbgen_version = "{__version__}"', f'dbgen_version = "{version}"'))


@pytest.mark.parametrize(
    ("db", "auth", "migrates"),
    [
        ("sqlite", "jwt", True),
        ("postgres", "jwt", True),
        ("mysql", "jwt", True),
        ("mongo", "jwt", False),
        ("sqlite", "none", False),
    ],
)
def test_update_from_0_4_0_creates_the_session_tables(tmp_path: Path, db: str, auth: str, migrates: bool) -> None:
    """Fails if `dbgen update` from 0.4.0 leaves a SQL project with login without the sign-in session tables its
    models now have (alembic check would fail), writes them into a project without login or on MongoDB (whose
    collections and indexes the app makes at start), or puts them elsewhere than on top of the project's head."""
    root = tmp_path / "shop"
    writer.apply(plan_new("shop", db, root, auth=auth))
    as_release(root, "0.4.0")
    plan = plan_update(root, force=True)
    migrations = [change for change in plan.writes if change.path.startswith("migrations/")]
    assert [change.path for change in migrations] == (["migrations/versions/0002_dbgen_0_5_0.py"] if migrates else [])
    if migrates:
        content = (migrations[0].content or b"").decode()
        assert 'revision: str = "0002"' in content and 'down_revision: str | Sequence[str] | None = "0001"' in content
        assert 'op.drop_table("refresh_tokens")\n    op.drop_table("login_sessions")' in content
        compile(content, "0002_dbgen_0_5_0.py", "exec")


def test_the_0_5_0_migration_creates_what_a_new_project_has() -> None:
    """Fails if the 0.5.0 release migration and a new project's first migration disagree on the sign-in session
    tables: an updated project would then differ from a new one (columns, keys, indexes)."""
    initial = TEMPLATES / "project" / "{% if db is sql %}migrations{% endif %}" / "versions" / "0001_initial.py.jinja"
    release = (releases.HERE / "0.5.0" / releases.MIGRATION).read_text()
    text = initial.read_text().replace("{{ table_prefix }}", "")  # no prefix: a project not imported
    start = text.index('    op.create_table(\n        "login_sessions"')
    tables = text[start : text.index("    # Account links", start)]
    assert tables.count("op.create_table(") == 2 and tables in release


def test_release_0_5_0_migration_adds_the_account_tables_with_existing_users_verified() -> None:
    """Fails if a login project on a SQL backend updated to 0.5.0 misses the account tables, gets its existing users
    unverified (they could no longer sign in once REQUIRE_VERIFIED_EMAIL is on), or if the migration does not
    render from the answers update gives it; a project without login, or on MongoDB, gets none."""
    template = releases.HERE / "0.5.0" / releases.MIGRATION
    migration = environment(template.parent).get_template(template.name)
    for db in ("sqlite", "postgres", "mysql"):
        text = migration.render(db=db, auth="jwt", revision="0002", down_revision="0001")
        compile(text, f"{db}.py", "exec")
        assert 'sa.Column("email_verified", sa.Boolean(), server_default=sa.true(), nullable=False)' in text
        assert '"account_tokens",' in text and '"mail_deliveries",' in text and "down_revision: " in text
    assert not migration.render(db="postgres", auth="none", revision="0002", down_revision="0001").strip()
    assert not migration.render(db="mongo", auth="jwt", revision="0002", down_revision="0001").strip()
