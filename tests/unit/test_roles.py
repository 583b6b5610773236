"""add-role / remove-role plans on real generated projects (no database needed to plan or write)."""

import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dbgen import __version__, baseline, writer
from dbgen.cli import app
from dbgen.commands.models import plan_add_model
from dbgen.commands.new import plan_new
from dbgen.commands.roles import plan_add_role, plan_remove_role
from dbgen.commands.update import plan_update
from dbgen.errors import InvalidName
from tests.unit.test_writer import tree

runner = CliRunner(env={"NO_COLOR": "1", "COLUMNS": "200", "TERM": "dumb"})
ROLE_FILES = ["app/core/roles.py", "tests/test_roles.py"]


def new(tmp_path: Path, db: str = "sqlite", auth: str = "jwt") -> Path:
    root = tmp_path / f"{db}-{auth}"
    writer.apply(plan_new("shop", db, root, auth=auth))
    return root


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return new(tmp_path)


def cli(root: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "--dir", str(root)])
    return result.exit_code, result.stderr.strip()


def test_a_new_project_records_no_roles_and_an_empty_role_enum(shop: Path) -> None:
    """Fails if `dbgen new` leaves the roles out of .dbgen.toml (add-role would not know the list) or writes a
    Role with members."""
    assert tomllib.loads((shop / ".dbgen.toml").read_text())["roles"] == []
    assert 'class Role(StrEnum):\n    """No roles yet' in (shop / "app/core/roles.py").read_text()


def test_add_role_writes_exactly_its_files(shop: Path) -> None:
    """Fails if add-role writes more or fewer files than the role's: the two files that list the roles, the
    migration that inserts its row, the answers and the baseline."""
    before = tree(shop)
    code, _ = cli(shop, "add-role", "editor")
    assert code == 0
    after = tree(shop)
    changed = sorted(path for path in after if before.get(path) != after[path])
    assert changed == sorted([".dbgen.toml", baseline.PATH, *ROLE_FILES, "migrations/versions/0002_add_role_editor.py"])
    assert '    EDITOR = "editor"\n' in (shop / "app/core/roles.py").read_text()
    assert "ROLE = Role.EDITOR" in (shop / "tests/test_roles.py").read_text()
    migration = (shop / "migrations/versions/0002_add_role_editor.py").read_text()
    assert 'op.bulk_insert(roles, [{"name": "editor"}])' in migration
    assert 'down_revision: str | Sequence[str] | None = "0001"' in migration
    assert tomllib.loads((shop / ".dbgen.toml").read_text())["roles"] == ["editor"]
    stored = baseline.load(shop)
    assert all(stored[path] == (shop / path).read_bytes() for path in ROLE_FILES)


def test_adding_a_role_twice_is_nothing_to_do(shop: Path) -> None:
    """Fails if a second add-role of the same name writes anything (a second migration would fail on the
    primary key)."""
    cli(shop, "add-role", "editor")
    before = tree(shop)
    plan = plan_add_role(shop, "editor")
    assert not plan.writes and "nothing to do" in plan.message
    assert tree(shop) == before


def test_remove_role_deletes_its_grants_and_row(shop: Path) -> None:
    """Fails if remove-role leaves the role in the files or the answers, or writes no migration that deletes
    its grants and its row."""
    cli(shop, "add-role", "editor")
    cli(shop, "add-role", "reviewer")
    code, _ = cli(shop, "remove-role", "editor")
    assert code == 0
    assert "EDITOR" not in (shop / "app/core/roles.py").read_text()
    assert '    REVIEWER = "reviewer"\n' in (shop / "app/core/roles.py").read_text()
    migration = (shop / "migrations/versions/0004_remove_role_editor.py").read_text()
    assert 'op.execute(user_roles.delete().where(user_roles.c.role == "editor"))' in migration
    assert 'op.execute(roles.delete().where(roles.c.name == "editor"))' in migration
    assert tomllib.loads((shop / ".dbgen.toml").read_text())["roles"] == ["reviewer"]


def test_a_mongo_project_gets_no_migration(tmp_path: Path) -> None:
    """Fails if add-role writes an Alembic migration into a MongoDB project (it has none), or leaves the role
    out of its files."""
    root = new(tmp_path, "mongo")
    before = tree(root)
    assert cli(root, "add-role", "editor")[0] == 0
    after = tree(root)
    assert sorted(path for path in after if before.get(path) != after[path]) == sorted(
        [".dbgen.toml", baseline.PATH, *ROLE_FILES]
    )
    assert cli(root, "remove-role", "editor")[0] == 0
    assert not (root / "migrations").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add-role", "Editor"], "error: role name 'Editor' is not valid: lowercase letters, digits and '_', "
         "starting with a letter, at most 32 characters"),
        (["add-role", "1st"], "error: role name '1st' is not valid"),
        (["add-role", "a" * 33], "error: role name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' is not valid"),
        (["add-role", "owner"], "error: 'owner' names an audience (anyone, users, owner, superusers), not a role"),
        (["add-role", "superusers"], "error: 'superusers' names an audience"),
        (["remove-role", "anyone"], "error: 'anyone' names an audience"),
        (["remove-role", "editor"], "error: no role 'editor' in this project (roles: none)"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_exit_2_and_nothing_written(shop: Path, args: list[str], message: str) -> None:
    """Fails if a bad role name, an audience word or an unknown role to remove is not refused with one line
    and exit 2 before anything is written."""
    before = tree(shop)
    code, stderr = cli(shop, *args)
    assert code == 2
    assert stderr.startswith(message) and "\n" not in stderr, stderr
    assert tree(shop) == before


def test_a_project_without_login_refuses_roles(tmp_path: Path) -> None:
    """Fails if an --auth none project (no users sign in) gets roles."""
    root = new(tmp_path, auth="none")
    before = tree(root)
    for command in ("add-role", "remove-role"):
        code, stderr = cli(root, command, "editor")
        assert code == 2
        assert stderr == "error: roles need login, and this project has an open API (--auth none)"
    assert tree(root) == before


def test_a_role_a_policy_uses_is_not_removed(shop: Path) -> None:
    """Fails if remove-role removes a role that an added model's read or write policy names (its routes would
    stop the app from starting)."""
    cli(shop, "add-role", "editor")
    writer.apply(plan_add_model(shop, "Product", ["name:str"]))
    answers = shop / ".dbgen.toml"  # as `add-model --write editor` records it
    answers.write_text(answers.read_text().replace("[added.Product]\n", '[added.Product]\nwrite = "editor"\n'))
    before = tree(shop)
    code, stderr = cli(shop, "remove-role", "editor")
    assert code == 2
    assert stderr == "error: role editor is used by Product (write); change it with `dbgen set-access` first"
    assert tree(shop) == before


def test_an_edited_roles_file_is_refused_unless_forced(shop: Path) -> None:
    """Fails if add-role overwrites app/core/roles.py or tests/test_roles.py after the user changed them,
    without --force; or if --force does not rewrite them."""
    roles = shop / "app/core/roles.py"
    roles.write_text(roles.read_text() + "# mine\n")
    before = tree(shop)
    code, stderr = cli(shop, "add-role", "editor")
    assert code == 2
    assert stderr == "error: app/core/roles.py changed since dbgen wrote them; use --force to rewrite them"
    assert tree(shop) == before
    assert cli(shop, "add-role", "editor", "--force")[0] == 0
    assert "# mine" not in roles.read_text() and 'EDITOR = "editor"' in roles.read_text()


def test_dry_run_writes_nothing(shop: Path) -> None:
    """Fails if --dry-run writes, or does not show the change to the roles."""
    before = tree(shop)
    result = runner.invoke(app, ["add-role", "editor", "--dir", str(shop), "--dry-run"])
    assert result.exit_code == 0
    assert '+    EDITOR = "editor"' in result.stdout
    assert tree(shop) == before


def test_remove_is_refused_after_the_role_is_gone(shop: Path) -> None:
    """Fails if removing a role twice writes a second migration."""
    cli(shop, "add-role", "editor")
    assert cli(shop, "remove-role", "editor")[0] == 0
    before = tree(shop)
    with pytest.raises(InvalidName, match="no role 'editor'"):
        plan_remove_role(shop, "editor")
    assert tree(shop) == before


@pytest.mark.parametrize(("db", "auth", "migrates"), [("sqlite", "jwt", True), ("sqlite", "none", False)])
def test_update_from_0_3_0_creates_the_roles_tables(tmp_path: Path, db: str, auth: str, migrates: bool) -> None:
    """Fails if `dbgen update` from 0.3.0 leaves a project with login without the roles tables its models now
    have (alembic check would fail), or writes them into a project without login."""
    root = new(tmp_path, db, auth)
    answers = root / ".dbgen.toml"
    answers.write_text(answers.read_text().replace(f'dbgen_version = "{__version__}"', 'dbgen_version = "0.3.0"'))
    plan = plan_update(root, force=True)
    migrations = [change for change in plan.writes if change.path.startswith("migrations/")]
    # 0.4.0's migration, then the later releases' (0.5.0: the account tables) on top of it.
    later = ["migrations/versions/0002_dbgen_0_4_0.py", "migrations/versions/0003_dbgen_0_5_0.py"]
    assert [change.path for change in migrations] == (later if migrates else [])
    if migrates:
        content = (migrations[0].content or b"").decode()
        assert 'op.create_table(\n        "roles",' in content and 'op.create_table(\n        "user_roles",' in content
        assert 'down_revision: str | Sequence[str] | None = "0001"' in content
