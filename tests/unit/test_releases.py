"""Old releases: known versions, and the archived 0.1.0 generator writing exactly what 0.1.0 wrote."""

import hashlib
import json
import tomllib
from pathlib import Path

import pytest

from dbgen import __version__, releases
from dbgen.backends import BACKENDS
from dbgen.errors import DbgenError
from dbgen.releases import RELEASES, archived, check
from dbgen.render import environment
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
